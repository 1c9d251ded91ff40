from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.person_appearance import PersonAppearance





T = TypeVar("T", bound="PersonMatch")



@_attrs_define
class PersonMatch:
    """ A person whose faces match a face searched for.

        Attributes:
            appearances (list[PersonAppearance]): Where the person appears: each media's merged time ranges.
            person_id (str):
            score (float): Cosine similarity of the face to the person's centroid (0 to 1).
            name (None | str | Unset):
     """

    appearances: list[PersonAppearance]
    person_id: str
    score: float
    name: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.person_appearance import PersonAppearance # noqa: PLC0415
        appearances = []
        for appearances_item_data in self.appearances:
            appearances_item = appearances_item_data.to_dict()
            appearances.append(appearances_item)



        person_id = self.person_id

        score = self.score

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "appearances": appearances,
            "person_id": person_id,
            "score": score,
        })
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.person_appearance import PersonAppearance # noqa: PLC0415
        d = dict(src_dict)
        appearances = []
        _appearances = d.pop("appearances")
        for appearances_item_data in (_appearances):
            appearances_item = PersonAppearance.from_dict(appearances_item_data)



            appearances.append(appearances_item)


        person_id = d.pop("person_id")

        score = d.pop("score")

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        person_match = cls(
            appearances=appearances,
            person_id=person_id,
            score=score,
            name=name,
        )


        person_match.additional_properties = d
        return person_match

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
