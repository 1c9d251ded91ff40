from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="Login")



@_attrs_define
class Login:
    """ 
        Attributes:
            name (str):
            password (str):
            workspace (None | str | Unset): The workspace to start in (default: the user's first).
     """

    name: str
    password: str
    workspace: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        password = self.password

        workspace: None | str | Unset
        if isinstance(self.workspace, Unset):
            workspace = UNSET
        else:
            workspace = self.workspace


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "password": password,
        })
        if workspace is not UNSET:
            field_dict["workspace"] = workspace

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        password = d.pop("password")

        def _parse_workspace(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        workspace = _parse_workspace(d.pop("workspace", UNSET))


        login = cls(
            name=name,
            password=password,
            workspace=workspace,
        )

        return login

