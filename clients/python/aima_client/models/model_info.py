from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.pull_status import PullStatus





T = TypeVar("T", bound="ModelInfo")



@_attrs_define
class ModelInfo:
    """ A model of the catalog and its state on this server.

        Attributes:
            default (bool): Among the models `aima models pull --default` installs.
            kind (str): `runtime`, `speech`, `speech_ct2`, `vision`, `text_embedding`, `llm`.
            license_ (str):
            name (str):
            size (int): Bytes (from the catalog until installed).
            state (str): `installed`, `partial` or `missing`.
            pull (None | PullStatus | Unset):
     """

    default: bool
    kind: str
    license_: str
    name: str
    size: int
    state: str
    pull: None | PullStatus | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.pull_status import PullStatus # noqa: PLC0415
        default = self.default

        kind = self.kind

        license_ = self.license_

        name = self.name

        size = self.size

        state = self.state

        pull: dict[str, Any] | None | Unset
        if isinstance(self.pull, Unset):
            pull = UNSET
        elif isinstance(self.pull, PullStatus):
            pull = self.pull.to_dict()
        else:
            pull = self.pull


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "default": default,
            "kind": kind,
            "license": license_,
            "name": name,
            "size": size,
            "state": state,
        })
        if pull is not UNSET:
            field_dict["pull"] = pull

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.pull_status import PullStatus # noqa: PLC0415
        d = dict(src_dict)
        default = d.pop("default")

        kind = d.pop("kind")

        license_ = d.pop("license")

        name = d.pop("name")

        size = d.pop("size")

        state = d.pop("state")

        def _parse_pull(data: object) -> None | PullStatus | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                pull_type_1 = PullStatus.from_dict(data)



                return pull_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PullStatus | Unset, data)

        pull = _parse_pull(d.pop("pull", UNSET))


        model_info = cls(
            default=default,
            kind=kind,
            license_=license_,
            name=name,
            size=size,
            state=state,
            pull=pull,
        )


        model_info.additional_properties = d
        return model_info

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
