from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.source_type_2_kind import SourceType2Kind
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="SourceType2")



@_attrs_define
class SourceType2:
    """ A moment of a media: an insight or a person's appearance.

        Attributes:
            kind (SourceType2Kind):
            media_id (str):
            start (float):
            end (float | None | Unset):
            filename (None | str | Unset):
            insight_id (int | None | Unset):
     """

    kind: SourceType2Kind
    media_id: str
    start: float
    end: float | None | Unset = UNSET
    filename: None | str | Unset = UNSET
    insight_id: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        media_id = self.media_id

        start = self.start

        end: float | None | Unset
        if isinstance(self.end, Unset):
            end = UNSET
        else:
            end = self.end

        filename: None | str | Unset
        if isinstance(self.filename, Unset):
            filename = UNSET
        else:
            filename = self.filename

        insight_id: int | None | Unset
        if isinstance(self.insight_id, Unset):
            insight_id = UNSET
        else:
            insight_id = self.insight_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "kind": kind,
            "media_id": media_id,
            "start": start,
        })
        if end is not UNSET:
            field_dict["end"] = end
        if filename is not UNSET:
            field_dict["filename"] = filename
        if insight_id is not UNSET:
            field_dict["insight_id"] = insight_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = SourceType2Kind(d.pop("kind"))




        media_id = d.pop("media_id")

        start = d.pop("start")

        def _parse_end(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        end = _parse_end(d.pop("end", UNSET))


        def _parse_filename(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        filename = _parse_filename(d.pop("filename", UNSET))


        def _parse_insight_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        insight_id = _parse_insight_id(d.pop("insight_id", UNSET))


        source_type_2 = cls(
            kind=kind,
            media_id=media_id,
            start=start,
            end=end,
            filename=filename,
            insight_id=insight_id,
        )


        source_type_2.additional_properties = d
        return source_type_2

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
