from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="LabelRequest")



@_attrs_define
class LabelRequest:
    """ Label a time range, or listed events, with a mode.

        Attributes:
            mode (str):
            end (None | str | Unset):
            event_ids (list[int] | Unset):
            start (None | str | Unset): RFC 3339 or Unix milliseconds; with `end`, labels every activity
                event that overlaps the range.
     """

    mode: str
    end: None | str | Unset = UNSET
    event_ids: list[int] | Unset = UNSET
    start: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        mode = self.mode

        end: None | str | Unset
        if isinstance(self.end, Unset):
            end = UNSET
        else:
            end = self.end

        event_ids: list[int] | Unset = UNSET
        if not isinstance(self.event_ids, Unset):
            event_ids = self.event_ids



        start: None | str | Unset
        if isinstance(self.start, Unset):
            start = UNSET
        else:
            start = self.start


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "mode": mode,
        })
        if end is not UNSET:
            field_dict["end"] = end
        if event_ids is not UNSET:
            field_dict["event_ids"] = event_ids
        if start is not UNSET:
            field_dict["start"] = start

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        mode = d.pop("mode")

        def _parse_end(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        end = _parse_end(d.pop("end", UNSET))


        event_ids = cast(list[int], d.pop("event_ids", UNSET))


        def _parse_start(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        start = _parse_start(d.pop("start", UNSET))


        label_request = cls(
            mode=mode,
            end=end,
            event_ids=event_ids,
            start=start,
        )

        return label_request

