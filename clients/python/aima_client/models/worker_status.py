from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="WorkerStatus")



@_attrs_define
class WorkerStatus:
    """ 
        Attributes:
            analyzers (list[str]):
            capabilities (list[str]):
            models (list[str]): Models installed where it runs.
            name (str):
            last_seen (int): Unix milliseconds.
            online (bool): Heard from in the last 90 s (workers announce every 30 s).
            pool (None | str | Unset): The `[[autoscale.pools]]` entry that started it.
            started_by (None | str | Unset): `autoscale` for a worker the provisioner started (absent for one
                started by hand).
     """

    analyzers: list[str]
    capabilities: list[str]
    models: list[str]
    name: str
    last_seen: int
    online: bool
    pool: None | str | Unset = UNSET
    started_by: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        analyzers = self.analyzers



        capabilities = self.capabilities



        models = self.models



        name = self.name

        last_seen = self.last_seen

        online = self.online

        pool: None | str | Unset
        if isinstance(self.pool, Unset):
            pool = UNSET
        else:
            pool = self.pool

        started_by: None | str | Unset
        if isinstance(self.started_by, Unset):
            started_by = UNSET
        else:
            started_by = self.started_by


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "analyzers": analyzers,
            "capabilities": capabilities,
            "models": models,
            "name": name,
            "last_seen": last_seen,
            "online": online,
        })
        if pool is not UNSET:
            field_dict["pool"] = pool
        if started_by is not UNSET:
            field_dict["started_by"] = started_by

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        analyzers = cast(list[str], d.pop("analyzers"))


        capabilities = cast(list[str], d.pop("capabilities"))


        models = cast(list[str], d.pop("models"))


        name = d.pop("name")

        last_seen = d.pop("last_seen")

        online = d.pop("online")

        def _parse_pool(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        pool = _parse_pool(d.pop("pool", UNSET))


        def _parse_started_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        started_by = _parse_started_by(d.pop("started_by", UNSET))


        worker_status = cls(
            analyzers=analyzers,
            capabilities=capabilities,
            models=models,
            name=name,
            last_seen=last_seen,
            online=online,
            pool=pool,
            started_by=started_by,
        )


        worker_status.additional_properties = d
        return worker_status

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
