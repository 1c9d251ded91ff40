from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.source_type_1_kind import SourceType1Kind






T = TypeVar("T", bound="SourceType1")



@_attrs_define
class SourceType1:
    """ One event (the current mode).

        Attributes:
            bucket (str):
            event_id (int):
            kind (SourceType1Kind):
            timestamp (str):
     """

    bucket: str
    event_id: int
    kind: SourceType1Kind
    timestamp: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        bucket = self.bucket

        event_id = self.event_id

        kind = self.kind.value

        timestamp = self.timestamp


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "bucket": bucket,
            "event_id": event_id,
            "kind": kind,
            "timestamp": timestamp,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bucket = d.pop("bucket")

        event_id = d.pop("event_id")

        kind = SourceType1Kind(d.pop("kind"))




        timestamp = d.pop("timestamp")

        source_type_1 = cls(
            bucket=bucket,
            event_id=event_id,
            kind=kind,
            timestamp=timestamp,
        )


        source_type_1.additional_properties = d
        return source_type_1

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
