from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ProvisionedWorker")



@_attrs_define
class ProvisionedWorker:
    """ A worker the provisioner started.

        Attributes:
            capability (str):
            name (str): The name it announces itself with (in `items` with its token's).
            pool (str):
            provider (str): `local` or `command`.
            started_at (int): Unix milliseconds.
            state (str): `starting`, `running`, `stopped` or `failed`.
            connected_at (int | None | Unset): When it first announced itself.
            reason (None | str | Unset): Why it stopped or failed (`idle`, `exited`, what the provider said).
            stopped_at (int | None | Unset):
     """

    capability: str
    name: str
    pool: str
    provider: str
    started_at: int
    state: str
    connected_at: int | None | Unset = UNSET
    reason: None | str | Unset = UNSET
    stopped_at: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        capability = self.capability

        name = self.name

        pool = self.pool

        provider = self.provider

        started_at = self.started_at

        state = self.state

        connected_at: int | None | Unset
        if isinstance(self.connected_at, Unset):
            connected_at = UNSET
        else:
            connected_at = self.connected_at

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        stopped_at: int | None | Unset
        if isinstance(self.stopped_at, Unset):
            stopped_at = UNSET
        else:
            stopped_at = self.stopped_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "capability": capability,
            "name": name,
            "pool": pool,
            "provider": provider,
            "started_at": started_at,
            "state": state,
        })
        if connected_at is not UNSET:
            field_dict["connected_at"] = connected_at
        if reason is not UNSET:
            field_dict["reason"] = reason
        if stopped_at is not UNSET:
            field_dict["stopped_at"] = stopped_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        capability = d.pop("capability")

        name = d.pop("name")

        pool = d.pop("pool")

        provider = d.pop("provider")

        started_at = d.pop("started_at")

        state = d.pop("state")

        def _parse_connected_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        connected_at = _parse_connected_at(d.pop("connected_at", UNSET))


        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))


        def _parse_stopped_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        stopped_at = _parse_stopped_at(d.pop("stopped_at", UNSET))


        provisioned_worker = cls(
            capability=capability,
            name=name,
            pool=pool,
            provider=provider,
            started_at=started_at,
            state=state,
            connected_at=connected_at,
            reason=reason,
            stopped_at=stopped_at,
        )


        provisioned_worker.additional_properties = d
        return provisioned_worker

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
