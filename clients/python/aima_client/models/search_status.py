from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="SearchStatus")



@_attrs_define
class SearchStatus:
    """ How far the index of search by meaning is, for the caller's workspace.

        Attributes:
            image_model_installed (bool): Whether it is installed (frames are searched only then).
            indexed (int): Transcript segments and OCR lines with a vector of that model.
            pending (int): Waiting for the indexer.
            text_model_installed (bool): Whether that model is installed on this server (queries need it).
            image_model (None | str | Unset): The CLIP model whose text tower matches queries to frames; null
                when none is configured.
            text_model (None | str | Unset): The sentence-embedding model; null when search by meaning is off.
     """

    image_model_installed: bool
    indexed: int
    pending: int
    text_model_installed: bool
    image_model: None | str | Unset = UNSET
    text_model: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        image_model_installed = self.image_model_installed

        indexed = self.indexed

        pending = self.pending

        text_model_installed = self.text_model_installed

        image_model: None | str | Unset
        if isinstance(self.image_model, Unset):
            image_model = UNSET
        else:
            image_model = self.image_model

        text_model: None | str | Unset
        if isinstance(self.text_model, Unset):
            text_model = UNSET
        else:
            text_model = self.text_model


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "image_model_installed": image_model_installed,
            "indexed": indexed,
            "pending": pending,
            "text_model_installed": text_model_installed,
        })
        if image_model is not UNSET:
            field_dict["image_model"] = image_model
        if text_model is not UNSET:
            field_dict["text_model"] = text_model

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        image_model_installed = d.pop("image_model_installed")

        indexed = d.pop("indexed")

        pending = d.pop("pending")

        text_model_installed = d.pop("text_model_installed")

        def _parse_image_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        image_model = _parse_image_model(d.pop("image_model", UNSET))


        def _parse_text_model(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        text_model = _parse_text_model(d.pop("text_model", UNSET))


        search_status = cls(
            image_model_installed=image_model_installed,
            indexed=indexed,
            pending=pending,
            text_model_installed=text_model_installed,
            image_model=image_model,
            text_model=text_model,
        )


        search_status.additional_properties = d
        return search_status

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
