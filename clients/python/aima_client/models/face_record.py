from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="FaceRecord")



@_attrs_define
class FaceRecord:
    """ One face track and where it belongs.

        Attributes:
            insight_id (int): The `face` insight's id.
            media_id (str):
            pinned (bool): A user put it here (moved or split): clustering never moves it.
            start (float):
            artifact (None | str | Unset): The face thumbnail's artifact name (under the media's artifacts).
            end (float | None | Unset):
            person_id (None | str | Unset):
     """

    insight_id: int
    media_id: str
    pinned: bool
    start: float
    artifact: None | str | Unset = UNSET
    end: float | None | Unset = UNSET
    person_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        insight_id = self.insight_id

        media_id = self.media_id

        pinned = self.pinned

        start = self.start

        artifact: None | str | Unset
        if isinstance(self.artifact, Unset):
            artifact = UNSET
        else:
            artifact = self.artifact

        end: float | None | Unset
        if isinstance(self.end, Unset):
            end = UNSET
        else:
            end = self.end

        person_id: None | str | Unset
        if isinstance(self.person_id, Unset):
            person_id = UNSET
        else:
            person_id = self.person_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "insight_id": insight_id,
            "media_id": media_id,
            "pinned": pinned,
            "start": start,
        })
        if artifact is not UNSET:
            field_dict["artifact"] = artifact
        if end is not UNSET:
            field_dict["end"] = end
        if person_id is not UNSET:
            field_dict["person_id"] = person_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        insight_id = d.pop("insight_id")

        media_id = d.pop("media_id")

        pinned = d.pop("pinned")

        start = d.pop("start")

        def _parse_artifact(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        artifact = _parse_artifact(d.pop("artifact", UNSET))


        def _parse_end(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        end = _parse_end(d.pop("end", UNSET))


        def _parse_person_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        person_id = _parse_person_id(d.pop("person_id", UNSET))


        face_record = cls(
            insight_id=insight_id,
            media_id=media_id,
            pinned=pinned,
            start=start,
            artifact=artifact,
            end=end,
            person_id=person_id,
        )


        face_record.additional_properties = d
        return face_record

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
