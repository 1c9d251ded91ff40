from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.mode_label import ModeLabel
  from ..models.stored_event_data import StoredEventData





T = TypeVar("T", bound="StoredEvent")



@_attrs_define
class StoredEvent:
    """ An event as stored, with its bucket and its mode label.

        Attributes:
            bucket (str):
            data (StoredEventData):
            duration (float):
            id (int):
            timestamp (int): Unix milliseconds.
            mode (ModeLabel | None | Unset):
     """

    bucket: str
    data: StoredEventData
    duration: float
    id: int
    timestamp: int
    mode: ModeLabel | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.mode_label import ModeLabel # noqa: PLC0415
        from ..models.stored_event_data import StoredEventData # noqa: PLC0415
        bucket = self.bucket

        data = self.data.to_dict()

        duration = self.duration

        id = self.id

        timestamp = self.timestamp

        mode: dict[str, Any] | None | Unset
        if isinstance(self.mode, Unset):
            mode = UNSET
        elif isinstance(self.mode, ModeLabel):
            mode = self.mode.to_dict()
        else:
            mode = self.mode


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "bucket": bucket,
            "data": data,
            "duration": duration,
            "id": id,
            "timestamp": timestamp,
        })
        if mode is not UNSET:
            field_dict["mode"] = mode

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mode_label import ModeLabel # noqa: PLC0415
        from ..models.stored_event_data import StoredEventData # noqa: PLC0415
        d = dict(src_dict)
        bucket = d.pop("bucket")

        data = StoredEventData.from_dict(d.pop("data"))




        duration = d.pop("duration")

        id = d.pop("id")

        timestamp = d.pop("timestamp")

        def _parse_mode(data: object) -> ModeLabel | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                mode_type_1 = ModeLabel.from_dict(data)



                return mode_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ModeLabel | None | Unset, data)

        mode = _parse_mode(d.pop("mode", UNSET))


        stored_event = cls(
            bucket=bucket,
            data=data,
            duration=duration,
            id=id,
            timestamp=timestamp,
            mode=mode,
        )


        stored_event.additional_properties = d
        return stored_event

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
