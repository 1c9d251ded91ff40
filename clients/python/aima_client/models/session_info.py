from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.auth_via import AuthVia






T = TypeVar("T", bound="SessionInfo")



@_attrs_define
class SessionInfo:
    """ Who the caller is, as the UI needs it.

        Attributes:
            admin (bool): Whether the caller sees server-wide views (workers, models, budget).
            via (AuthVia): How a request was authenticated.
            workspace (str):
     """

    admin: bool
    via: AuthVia
    workspace: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        admin = self.admin

        via = self.via.value

        workspace = self.workspace


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "admin": admin,
            "via": via,
            "workspace": workspace,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        admin = d.pop("admin")

        via = AuthVia(d.pop("via"))




        workspace = d.pop("workspace")

        session_info = cls(
            admin=admin,
            via=via,
            workspace=workspace,
        )


        session_info.additional_properties = d
        return session_info

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
