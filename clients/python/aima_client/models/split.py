from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="Split")



@_attrs_define
class Split:
    """ 
        Attributes:
            faces (list[int]): Face ids (their `face` insight ids) of this person that are someone else.
     """

    faces: list[int]





    def to_dict(self) -> dict[str, Any]:
        faces = self.faces




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "faces": faces,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        faces = cast(list[int], d.pop("faces"))


        split = cls(
            faces=faces,
        )

        return split

