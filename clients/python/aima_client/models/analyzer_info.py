from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.media_kind import MediaKind
from typing import cast






T = TypeVar("T", bound="AnalyzerInfo")



@_attrs_define
class AnalyzerInfo:
    """ 
        Attributes:
            accepts (list[MediaKind]):
            default (bool): Whether it runs on uploads made without a pipeline (for the kinds
                it accepts).
            description (str):
            missing_models (list[str]): Its models that are not installed on this server: until they are
                (`aima models pull <name>`, or a pull on the admin page), its stages
                fail alone with `model_missing` and the rest of a job goes on.
            models (list[str]): The models it needs with its default options (from the catalog).
            name (str):
     """

    accepts: list[MediaKind]
    default: bool
    description: str
    missing_models: list[str]
    models: list[str]
    name: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        accepts = []
        for accepts_item_data in self.accepts:
            accepts_item = accepts_item_data.value
            accepts.append(accepts_item)



        default = self.default

        description = self.description

        missing_models = self.missing_models



        models = self.models



        name = self.name


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "accepts": accepts,
            "default": default,
            "description": description,
            "missing_models": missing_models,
            "models": models,
            "name": name,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        accepts = []
        _accepts = d.pop("accepts")
        for accepts_item_data in (_accepts):
            accepts_item = MediaKind(accepts_item_data)



            accepts.append(accepts_item)


        default = d.pop("default")

        description = d.pop("description")

        missing_models = cast(list[str], d.pop("missing_models"))


        models = cast(list[str], d.pop("models"))


        name = d.pop("name")

        analyzer_info = cls(
            accepts=accepts,
            default=default,
            description=description,
            missing_models=missing_models,
            models=models,
            name=name,
        )


        analyzer_info.additional_properties = d
        return analyzer_info

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
