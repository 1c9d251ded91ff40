from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.mode_probability import ModeProbability





T = TypeVar("T", bound="ModePrediction")



@_attrs_define
class ModePrediction:
    """ 
        Attributes:
            confidence (float): The model's probability for `mode`.
            mode (str):
            model_version (int):
            probabilities (list[ModeProbability]): Every mode's probability, most likely first.
     """

    confidence: float
    mode: str
    model_version: int
    probabilities: list[ModeProbability]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.mode_probability import ModeProbability # noqa: PLC0415
        confidence = self.confidence

        mode = self.mode

        model_version = self.model_version

        probabilities = []
        for probabilities_item_data in self.probabilities:
            probabilities_item = probabilities_item_data.to_dict()
            probabilities.append(probabilities_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "confidence": confidence,
            "mode": mode,
            "model_version": model_version,
            "probabilities": probabilities,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mode_probability import ModeProbability # noqa: PLC0415
        d = dict(src_dict)
        confidence = d.pop("confidence")

        mode = d.pop("mode")

        model_version = d.pop("model_version")

        probabilities = []
        _probabilities = d.pop("probabilities")
        for probabilities_item_data in (_probabilities):
            probabilities_item = ModeProbability.from_dict(probabilities_item_data)



            probabilities.append(probabilities_item)


        mode_prediction = cls(
            confidence=confidence,
            mode=mode,
            model_version=model_version,
            probabilities=probabilities,
        )


        mode_prediction.additional_properties = d
        return mode_prediction

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
