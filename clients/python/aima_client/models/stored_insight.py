from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.review import Review
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.insight_data import InsightData





T = TypeVar("T", bound="StoredInsight")



@_attrs_define
class StoredInsight:
    """ An insight as stored and served, with where it came from.

        Attributes:
            analyzer (str):
            data (InsightData):
            kind (str):
            start (float): Seconds from the start of the media.
            id (int):
            job_id (str):
            media_id (str):
            artifact (None | str | Unset): Name of a file the analyzer stored beside the media (a thumbnail...).
            end (float | None | Unset): Seconds from the start of the media, where the insight spans time.
            review (None | Review | Unset):
     """

    analyzer: str
    data: InsightData
    kind: str
    start: float
    id: int
    job_id: str
    media_id: str
    artifact: None | str | Unset = UNSET
    end: float | None | Unset = UNSET
    review: None | Review | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.insight_data import InsightData # noqa: PLC0415
        analyzer = self.analyzer

        data = self.data.to_dict()

        kind = self.kind

        start = self.start

        id = self.id

        job_id = self.job_id

        media_id = self.media_id

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

        review: None | str | Unset
        if isinstance(self.review, Unset):
            review = UNSET
        elif isinstance(self.review, Review):
            review = self.review.value
        else:
            review = self.review


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "analyzer": analyzer,
            "data": data,
            "kind": kind,
            "start": start,
            "id": id,
            "job_id": job_id,
            "media_id": media_id,
        })
        if artifact is not UNSET:
            field_dict["artifact"] = artifact
        if end is not UNSET:
            field_dict["end"] = end
        if review is not UNSET:
            field_dict["review"] = review

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.insight_data import InsightData # noqa: PLC0415
        d = dict(src_dict)
        analyzer = d.pop("analyzer")

        data = InsightData.from_dict(d.pop("data"))




        kind = d.pop("kind")

        start = d.pop("start")

        id = d.pop("id")

        job_id = d.pop("job_id")

        media_id = d.pop("media_id")

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


        def _parse_review(data: object) -> None | Review | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                review_type_1 = Review(data)



                return review_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Review | Unset, data)

        review = _parse_review(d.pop("review", UNSET))


        stored_insight = cls(
            analyzer=analyzer,
            data=data,
            kind=kind,
            start=start,
            id=id,
            job_id=job_id,
            media_id=media_id,
            artifact=artifact,
            end=end,
            review=review,
        )


        stored_insight.additional_properties = d
        return stored_insight

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
