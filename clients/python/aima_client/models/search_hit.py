from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="SearchHit")



@_attrs_define
class SearchHit:
    """ A time-coded hit: where in which media the words are said, shown or named.

        Attributes:
            kind (str): The insight's kind (`transcript_segment`, `text`, `object_track`,
                `labels`, `face` for a person found by name), or `filename`.
            marks (list[list[int]]): The matched words in `text`, as character offsets `[start, end)`.
            media_created_at (int): When the media was created (Unix ms): what `sort=date` orders by.
            media_id (str):
            score (float): 0 to 1, higher is better; comparable within one search.
            start (float): Seconds into the media.
            text (str): What matched: a transcript segment, an OCR line, a label, a
                person's name or the file name.
            analyzer (None | str | Unset): The analyzer of the insight; none for a file name.
            end (float | None | Unset):
            insight_id (int | None | Unset): The insight found; none for a media found by its file name.
     """

    kind: str
    marks: list[list[int]]
    media_created_at: int
    media_id: str
    score: float
    start: float
    text: str
    analyzer: None | str | Unset = UNSET
    end: float | None | Unset = UNSET
    insight_id: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        marks = []
        for marks_item_data in self.marks:
            marks_item = marks_item_data


            marks.append(marks_item)



        media_created_at = self.media_created_at

        media_id = self.media_id

        score = self.score

        start = self.start

        text = self.text

        analyzer: None | str | Unset
        if isinstance(self.analyzer, Unset):
            analyzer = UNSET
        else:
            analyzer = self.analyzer

        end: float | None | Unset
        if isinstance(self.end, Unset):
            end = UNSET
        else:
            end = self.end

        insight_id: int | None | Unset
        if isinstance(self.insight_id, Unset):
            insight_id = UNSET
        else:
            insight_id = self.insight_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "kind": kind,
            "marks": marks,
            "media_created_at": media_created_at,
            "media_id": media_id,
            "score": score,
            "start": start,
            "text": text,
        })
        if analyzer is not UNSET:
            field_dict["analyzer"] = analyzer
        if end is not UNSET:
            field_dict["end"] = end
        if insight_id is not UNSET:
            field_dict["insight_id"] = insight_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = d.pop("kind")

        marks = []
        _marks = d.pop("marks")
        for marks_item_data in (_marks):
            marks_item = cast(list[int], marks_item_data)

            marks.append(marks_item)


        media_created_at = d.pop("media_created_at")

        media_id = d.pop("media_id")

        score = d.pop("score")

        start = d.pop("start")

        text = d.pop("text")

        def _parse_analyzer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        analyzer = _parse_analyzer(d.pop("analyzer", UNSET))


        def _parse_end(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        end = _parse_end(d.pop("end", UNSET))


        def _parse_insight_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        insight_id = _parse_insight_id(d.pop("insight_id", UNSET))


        search_hit = cls(
            kind=kind,
            marks=marks,
            media_created_at=media_created_at,
            media_id=media_id,
            score=score,
            start=start,
            text=text,
            analyzer=analyzer,
            end=end,
            insight_id=insight_id,
        )


        search_hit.additional_properties = d
        return search_hit

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
