from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="SimilarItem")



@_attrs_define
class SimilarItem:
    """ Another media like the one asked about, at its most similar moment.

        Attributes:
            media_id (str):
            score (float): Cosine similarity of the CLIP frame embeddings (0 to 1).
            start (float): Seconds into that media: its frame closest to the source.
     """

    media_id: str
    score: float
    start: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        media_id = self.media_id

        score = self.score

        start = self.start


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "media_id": media_id,
            "score": score,
            "start": start,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        media_id = d.pop("media_id")

        score = d.pop("score")

        start = d.pop("start")

        similar_item = cls(
            media_id=media_id,
            score=score,
            start=start,
        )


        similar_item.additional_properties = d
        return similar_item

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
