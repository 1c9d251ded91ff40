from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.insight_data import InsightData





T = TypeVar("T", bound="Insight")



@_attrs_define
class Insight:
    """ One time-coded finding of an analyzer, as the analyzer emits it.

    `key` identifies the insight within its job and analyzer (for example the
    frame number of a keyframe). The store writes each key at most once, which
    makes a retried job idempotent: the insights an interrupted attempt already
    saved are kept, and re-emitting them does not duplicate them.

        Attributes:
            analyzer (str):
            data (InsightData):
            kind (str):
            start (float): Seconds from the start of the media.
            artifact (None | str | Unset): Name of a file the analyzer stored beside the media (a thumbnail...).
            end (float | None | Unset): Seconds from the start of the media, where the insight spans time.
     """

    analyzer: str
    data: InsightData
    kind: str
    start: float
    artifact: None | str | Unset = UNSET
    end: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.insight_data import InsightData # noqa: PLC0415
        analyzer = self.analyzer

        data = self.data.to_dict()

        kind = self.kind

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


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "analyzer": analyzer,
            "data": data,
            "kind": kind,
            "start": start,
        })
        if artifact is not UNSET:
            field_dict["artifact"] = artifact
        if end is not UNSET:
            field_dict["end"] = end

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.insight_data import InsightData # noqa: PLC0415
        d = dict(src_dict)
        analyzer = d.pop("analyzer")

        data = InsightData.from_dict(d.pop("data"))




        kind = d.pop("kind")

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


        insight = cls(
            analyzer=analyzer,
            data=data,
            kind=kind,
            start=start,
            artifact=artifact,
            end=end,
        )


        insight.additional_properties = d
        return insight

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
