from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.time_range import TimeRange





T = TypeVar("T", bound="Appearance")



@_attrs_define
class Appearance:
    """ Where a person appears in one media.

        Attributes:
            media_id (str):
            ranges (list[TimeRange]):
            filename (None | str | Unset):
     """

    media_id: str
    ranges: list[TimeRange]
    filename: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.time_range import TimeRange # noqa: PLC0415
        media_id = self.media_id

        ranges = []
        for ranges_item_data in self.ranges:
            ranges_item = ranges_item_data.to_dict()
            ranges.append(ranges_item)



        filename: None | str | Unset
        if isinstance(self.filename, Unset):
            filename = UNSET
        else:
            filename = self.filename


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "media_id": media_id,
            "ranges": ranges,
        })
        if filename is not UNSET:
            field_dict["filename"] = filename

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.time_range import TimeRange # noqa: PLC0415
        d = dict(src_dict)
        media_id = d.pop("media_id")

        ranges = []
        _ranges = d.pop("ranges")
        for ranges_item_data in (_ranges):
            ranges_item = TimeRange.from_dict(ranges_item_data)



            ranges.append(ranges_item)


        def _parse_filename(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        filename = _parse_filename(d.pop("filename", UNSET))


        appearance = cls(
            media_id=media_id,
            ranges=ranges,
            filename=filename,
        )


        appearance.additional_properties = d
        return appearance

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
