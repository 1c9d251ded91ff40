from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="MoveFace")



@_attrs_define
class MoveFace:
    """ 
        Attributes:
            person_id (None | str | Unset): The person the face belongs to; `null` makes it a person of its own.
     """

    person_id: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        person_id: None | str | Unset
        if isinstance(self.person_id, Unset):
            person_id = UNSET
        else:
            person_id = self.person_id


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if person_id is not UNSET:
            field_dict["person_id"] = person_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_person_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        person_id = _parse_person_id(d.pop("person_id", UNSET))


        move_face = cls(
            person_id=person_id,
        )

        return move_face

