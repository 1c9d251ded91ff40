from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.stage_spec_options import StageSpecOptions





T = TypeVar("T", bound="StageSpec")



@_attrs_define
class StageSpec:
    """ One stage: an analyzer name, its options (a JSON object), and the
    capability a worker needs to run it, if any (e.g. `gpu`).

        Attributes:
            name (str):
            options (StageSpecOptions | Unset):
            requires (None | str | Unset): Only workers that announce this capability (`aima worker
                --capability gpu`) run this stage; the job's other stages run
                anywhere.
     """

    name: str
    options: StageSpecOptions | Unset = UNSET
    requires: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.stage_spec_options import StageSpecOptions # noqa: PLC0415
        name = self.name

        options: dict[str, Any] | Unset = UNSET
        if not isinstance(self.options, Unset):
            options = self.options.to_dict()

        requires: None | str | Unset
        if isinstance(self.requires, Unset):
            requires = UNSET
        else:
            requires = self.requires


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "name": name,
        })
        if options is not UNSET:
            field_dict["options"] = options
        if requires is not UNSET:
            field_dict["requires"] = requires

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stage_spec_options import StageSpecOptions # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        _options = d.pop("options", UNSET)
        options: StageSpecOptions | Unset
        if isinstance(_options,  Unset):
            options = UNSET
        else:
            options = StageSpecOptions.from_dict(_options)




        def _parse_requires(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        requires = _parse_requires(d.pop("requires", UNSET))


        stage_spec = cls(
            name=name,
            options=options,
            requires=requires,
        )


        stage_spec.additional_properties = d
        return stage_spec

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
