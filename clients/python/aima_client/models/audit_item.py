from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="AuditItem")



@_attrs_define
class AuditItem:
    """ 
        Attributes:
            action (str): The operation (its id in the OpenAPI document, e.g. `uploadMedia`).
            actor (str): The name of who acted: a user, a key (`user (key name)` for a
                user's key), `anonymous`, or `-` when nobody was authenticated.
            actor_kind (str): `user`, `key`, `anonymous` or `none`.
            at (int): Unix milliseconds.
            id (int):
            method (str):
            outcome (str): `ok`, `denied` (401, 403, 429) or the HTTP status.
            route (str): The route template.
            status (int):
            workspace (str):
            actor_id (None | str | Unset): The user's or key's id.
            address (None | str | Unset): The client's address.
            resource (None | str | Unset): What was acted on: the path, or the kind and id of what was made.
     """

    action: str
    actor: str
    actor_kind: str
    at: int
    id: int
    method: str
    outcome: str
    route: str
    status: int
    workspace: str
    actor_id: None | str | Unset = UNSET
    address: None | str | Unset = UNSET
    resource: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        action = self.action

        actor = self.actor

        actor_kind = self.actor_kind

        at = self.at

        id = self.id

        method = self.method

        outcome = self.outcome

        route = self.route

        status = self.status

        workspace = self.workspace

        actor_id: None | str | Unset
        if isinstance(self.actor_id, Unset):
            actor_id = UNSET
        else:
            actor_id = self.actor_id

        address: None | str | Unset
        if isinstance(self.address, Unset):
            address = UNSET
        else:
            address = self.address

        resource: None | str | Unset
        if isinstance(self.resource, Unset):
            resource = UNSET
        else:
            resource = self.resource


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "action": action,
            "actor": actor,
            "actor_kind": actor_kind,
            "at": at,
            "id": id,
            "method": method,
            "outcome": outcome,
            "route": route,
            "status": status,
            "workspace": workspace,
        })
        if actor_id is not UNSET:
            field_dict["actor_id"] = actor_id
        if address is not UNSET:
            field_dict["address"] = address
        if resource is not UNSET:
            field_dict["resource"] = resource

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = d.pop("action")

        actor = d.pop("actor")

        actor_kind = d.pop("actor_kind")

        at = d.pop("at")

        id = d.pop("id")

        method = d.pop("method")

        outcome = d.pop("outcome")

        route = d.pop("route")

        status = d.pop("status")

        workspace = d.pop("workspace")

        def _parse_actor_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        actor_id = _parse_actor_id(d.pop("actor_id", UNSET))


        def _parse_address(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        address = _parse_address(d.pop("address", UNSET))


        def _parse_resource(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resource = _parse_resource(d.pop("resource", UNSET))


        audit_item = cls(
            action=action,
            actor=actor,
            actor_kind=actor_kind,
            at=at,
            id=id,
            method=method,
            outcome=outcome,
            route=route,
            status=status,
            workspace=workspace,
            actor_id=actor_id,
            address=address,
            resource=resource,
        )


        audit_item.additional_properties = d
        return audit_item

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
