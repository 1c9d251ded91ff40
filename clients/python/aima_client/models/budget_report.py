from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="BudgetReport")



@_attrs_define
class BudgetReport:
    """ 
        Attributes:
            capability (str):
            dispatching (bool): False once today's budget is spent: workers with the capability get
                no more jobs until the next UTC day.
            seconds_per_day (float):
            used_today (float):
     """

    capability: str
    dispatching: bool
    seconds_per_day: float
    used_today: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        capability = self.capability

        dispatching = self.dispatching

        seconds_per_day = self.seconds_per_day

        used_today = self.used_today


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "capability": capability,
            "dispatching": dispatching,
            "seconds_per_day": seconds_per_day,
            "used_today": used_today,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        capability = d.pop("capability")

        dispatching = d.pop("dispatching")

        seconds_per_day = d.pop("seconds_per_day")

        used_today = d.pop("used_today")

        budget_report = cls(
            capability=capability,
            dispatching=dispatching,
            seconds_per_day=seconds_per_day,
            used_today=used_today,
        )


        budget_report.additional_properties = d
        return budget_report

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
