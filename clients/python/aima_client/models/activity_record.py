from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ActivityRecord")



@_attrs_define
class ActivityRecord:
    """ The original service's record, `POST /log_activity`.

        Attributes:
            application (str): The application in front (process or window class).
            timestamp (str): RFC 3339 (`2026-11-22T09:30:00Z`) or Unix seconds. Example: 2026-11-22T09:30:00Z.
            duration (float | None | Unset): Seconds the record covers. Without it the record is a point sample
                that lasts until the next one (at most 5 minutes).
            hostname (None | str | Unset): The machine it comes from; records of each host go to their own bucket.
            idle (bool | Unset):
            keyboard_activity (float | Unset): Key presses in the sample period.
            mouse_activity (float | Unset): Mouse events (moves, clicks, scrolls) in the sample period.
            url (None | str | Unset):
            window_title (str | Unset):
     """

    application: str
    timestamp: str
    duration: float | None | Unset = UNSET
    hostname: None | str | Unset = UNSET
    idle: bool | Unset = UNSET
    keyboard_activity: float | Unset = UNSET
    mouse_activity: float | Unset = UNSET
    url: None | str | Unset = UNSET
    window_title: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        application = self.application

        timestamp = self.timestamp

        duration: float | None | Unset
        if isinstance(self.duration, Unset):
            duration = UNSET
        else:
            duration = self.duration

        hostname: None | str | Unset
        if isinstance(self.hostname, Unset):
            hostname = UNSET
        else:
            hostname = self.hostname

        idle = self.idle

        keyboard_activity = self.keyboard_activity

        mouse_activity = self.mouse_activity

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        window_title = self.window_title


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "application": application,
            "timestamp": timestamp,
        })
        if duration is not UNSET:
            field_dict["duration"] = duration
        if hostname is not UNSET:
            field_dict["hostname"] = hostname
        if idle is not UNSET:
            field_dict["idle"] = idle
        if keyboard_activity is not UNSET:
            field_dict["keyboard_activity"] = keyboard_activity
        if mouse_activity is not UNSET:
            field_dict["mouse_activity"] = mouse_activity
        if url is not UNSET:
            field_dict["url"] = url
        if window_title is not UNSET:
            field_dict["window_title"] = window_title

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        application = d.pop("application")

        timestamp = d.pop("timestamp")

        def _parse_duration(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        duration = _parse_duration(d.pop("duration", UNSET))


        def _parse_hostname(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hostname = _parse_hostname(d.pop("hostname", UNSET))


        idle = d.pop("idle", UNSET)

        keyboard_activity = d.pop("keyboard_activity", UNSET)

        mouse_activity = d.pop("mouse_activity", UNSET)

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))


        window_title = d.pop("window_title", UNSET)

        activity_record = cls(
            application=application,
            timestamp=timestamp,
            duration=duration,
            hostname=hostname,
            idle=idle,
            keyboard_activity=keyboard_activity,
            mouse_activity=mouse_activity,
            url=url,
            window_title=window_title,
        )


        activity_record.additional_properties = d
        return activity_record

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
