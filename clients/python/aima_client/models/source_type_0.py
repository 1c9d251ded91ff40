from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.source_type_0_kind import SourceType0Kind
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="SourceType0")



@_attrs_define
class SourceType0:
    """ An aggregate of activity events.

        Attributes:
            by (str): What is counted: `mode`, `app`, `site`, `title`, `weekday`, `hour`.
            end (str): RFC 3339, excluded.
            event_ids (list[int]): The first of them (at most 50).
            events (int): Events counted.
            kind (SourceType0Kind):
            seconds (float):
            start (str): RFC 3339, included.
            name (None | str | Unset): The mode, app, site or title (none: all).
     """

    by: str
    end: str
    event_ids: list[int]
    events: int
    kind: SourceType0Kind
    seconds: float
    start: str
    name: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        by = self.by

        end = self.end

        event_ids = self.event_ids



        events = self.events

        kind = self.kind.value

        seconds = self.seconds

        start = self.start

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "by": by,
            "end": end,
            "event_ids": event_ids,
            "events": events,
            "kind": kind,
            "seconds": seconds,
            "start": start,
        })
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        by = d.pop("by")

        end = d.pop("end")

        event_ids = cast(list[int], d.pop("event_ids"))


        events = d.pop("events")

        kind = SourceType0Kind(d.pop("kind"))




        seconds = d.pop("seconds")

        start = d.pop("start")

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        source_type_0 = cls(
            by=by,
            end=end,
            event_ids=event_ids,
            events=events,
            kind=kind,
            seconds=seconds,
            start=start,
            name=name,
        )


        source_type_0.additional_properties = d
        return source_type_0

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
