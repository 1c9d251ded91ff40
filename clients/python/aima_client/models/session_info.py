from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.auth_via import AuthVia
from ..models.role import Role
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.membership import Membership
  from ..models.session_user import SessionUser





T = TypeVar("T", bound="SessionInfo")



@_attrs_define
class SessionInfo:
    """ Who the caller is, as the UI needs it.

        Attributes:
            admin (bool): Whether the caller sees server-wide views (workers, models, budget).
            role (Role): What a user (or a key) may do in a workspace. Ordered: each role may do
                everything the one before it may.
            via (AuthVia): How a request was authenticated.
            workspace (str):
            workspaces (list[Membership]): Every workspace the caller may choose (`X-AIMA-Workspace`).
            user (None | SessionUser | Unset):
     """

    admin: bool
    role: Role
    via: AuthVia
    workspace: str
    workspaces: list[Membership]
    user: None | SessionUser | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.membership import Membership # noqa: PLC0415
        from ..models.session_user import SessionUser # noqa: PLC0415
        admin = self.admin

        role = self.role.value

        via = self.via.value

        workspace = self.workspace

        workspaces = []
        for workspaces_item_data in self.workspaces:
            workspaces_item = workspaces_item_data.to_dict()
            workspaces.append(workspaces_item)



        user: dict[str, Any] | None | Unset
        if isinstance(self.user, Unset):
            user = UNSET
        elif isinstance(self.user, SessionUser):
            user = self.user.to_dict()
        else:
            user = self.user


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "admin": admin,
            "role": role,
            "via": via,
            "workspace": workspace,
            "workspaces": workspaces,
        })
        if user is not UNSET:
            field_dict["user"] = user

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.membership import Membership # noqa: PLC0415
        from ..models.session_user import SessionUser # noqa: PLC0415
        d = dict(src_dict)
        admin = d.pop("admin")

        role = Role(d.pop("role"))




        via = AuthVia(d.pop("via"))




        workspace = d.pop("workspace")

        workspaces = []
        _workspaces = d.pop("workspaces")
        for workspaces_item_data in (_workspaces):
            workspaces_item = Membership.from_dict(workspaces_item_data)



            workspaces.append(workspaces_item)


        def _parse_user(data: object) -> None | SessionUser | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                user_type_1 = SessionUser.from_dict(data)



                return user_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SessionUser | Unset, data)

        user = _parse_user(d.pop("user", UNSET))


        session_info = cls(
            admin=admin,
            role=role,
            via=via,
            workspace=workspace,
            workspaces=workspaces,
            user=user,
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
