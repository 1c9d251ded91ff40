from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="LanguageShare")



@_attrs_define
class LanguageShare:
    """ One language of a transcript: how long it is spoken and how sure its
    detection was.

        Attributes:
            language (str): ISO 639-1 code.
            seconds (float): Seconds of segments in this language.
            segments (int):
            uncertain (bool): The detection was unsure (probability below 0.5): the transcript may
                be in a language the model does not know well, or not speech.
            probability (float | None | Unset): Mean detection probability over its detected segments; absent when
                the language was set by the job or assumed by an English-only model.
     """

    language: str
    seconds: float
    segments: int
    uncertain: bool
    probability: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        language = self.language

        seconds = self.seconds

        segments = self.segments

        uncertain = self.uncertain

        probability: float | None | Unset
        if isinstance(self.probability, Unset):
            probability = UNSET
        else:
            probability = self.probability


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "language": language,
            "seconds": seconds,
            "segments": segments,
            "uncertain": uncertain,
        })
        if probability is not UNSET:
            field_dict["probability"] = probability

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        language = d.pop("language")

        seconds = d.pop("seconds")

        segments = d.pop("segments")

        uncertain = d.pop("uncertain")

        def _parse_probability(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        probability = _parse_probability(d.pop("probability", UNSET))


        language_share = cls(
            language=language,
            seconds=seconds,
            segments=segments,
            uncertain=uncertain,
            probability=probability,
        )


        language_share.additional_properties = d
        return language_share

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
