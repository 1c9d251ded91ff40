from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="CapabilityCost")



@_attrs_define
class CapabilityCost:
    """ 
        Attributes:
            capability (str):
            cost (float):
            hours (float):
            price_per_hour (float):
     """

    capability: str
    cost: float
    hours: float
    price_per_hour: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        capability = self.capability

        cost = self.cost

        hours = self.hours

        price_per_hour = self.price_per_hour


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "capability": capability,
            "cost": cost,
            "hours": hours,
            "price_per_hour": price_per_hour,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        capability = d.pop("capability")

        cost = d.pop("cost")

        hours = d.pop("hours")

        price_per_hour = d.pop("price_per_hour")

        capability_cost = cls(
            capability=capability,
            cost=cost,
            hours=hours,
            price_per_hour=price_per_hour,
        )


        capability_cost.additional_properties = d
        return capability_cost

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
