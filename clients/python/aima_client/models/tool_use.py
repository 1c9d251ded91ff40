from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.tool_use_arguments import ToolUseArguments





T = TypeVar("T", bound="ToolUse")



@_attrs_define
class ToolUse:
    """ A tool the answer called.

        Attributes:
            arguments (ToolUseArguments):
            name (str):
            ok (bool): False when the call could not run as written (an unknown mode, a
                period in the future...); `error` says why.
            error (None | str | Unset):
     """

    arguments: ToolUseArguments
    name: str
    ok: bool
    error: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.tool_use_arguments import ToolUseArguments # noqa: PLC0415
        arguments = self.arguments.to_dict()

        name = self.name

        ok = self.ok

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "arguments": arguments,
            "name": name,
            "ok": ok,
        })
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tool_use_arguments import ToolUseArguments # noqa: PLC0415
        d = dict(src_dict)
        arguments = ToolUseArguments.from_dict(d.pop("arguments"))




        name = d.pop("name")

        ok = d.pop("ok")

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        tool_use = cls(
            arguments=arguments,
            name=name,
            ok=ok,
            error=error,
        )


        tool_use.additional_properties = d
        return tool_use

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
