from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.capability_cost import CapabilityCost
  from ..models.day_usage import DayUsage
  from ..models.workspace_cost import WorkspaceCost





T = TypeVar("T", bound="MonthUsage")



@_attrs_define
class MonthUsage:
    """ A calendar month's cost in the configured time zone.

        Attributes:
            capabilities (list[CapabilityCost]): Hours and cost per priced capability.
            cost (float): Spent so far (the server's for admins, else the workspace's).
            currency (str): ISO 4217, e.g. `EUR`.
            forecast (float): The month's cost at its end if spending goes on at the rate so far.
            month (str): `2026-12`.
            time_zone (str):
            today (DayUsage):
            workspaces (list[WorkspaceCost]): Cost per workspace (admins: every workspace; others: their own).
            blocked (None | str | Unset): Why dispatching stopped (admins only).
            budget (float | None | Unset): The monthly budget (admins; absent when none is set).
            dispatching (bool | None | Unset): False while a budget is spent: priced capabilities get no jobs and
                no new workers (admins only).
     """

    capabilities: list[CapabilityCost]
    cost: float
    currency: str
    forecast: float
    month: str
    time_zone: str
    today: DayUsage
    workspaces: list[WorkspaceCost]
    blocked: None | str | Unset = UNSET
    budget: float | None | Unset = UNSET
    dispatching: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.capability_cost import CapabilityCost # noqa: PLC0415
        from ..models.day_usage import DayUsage # noqa: PLC0415
        from ..models.workspace_cost import WorkspaceCost # noqa: PLC0415
        capabilities = []
        for capabilities_item_data in self.capabilities:
            capabilities_item = capabilities_item_data.to_dict()
            capabilities.append(capabilities_item)



        cost = self.cost

        currency = self.currency

        forecast = self.forecast

        month = self.month

        time_zone = self.time_zone

        today = self.today.to_dict()

        workspaces = []
        for workspaces_item_data in self.workspaces:
            workspaces_item = workspaces_item_data.to_dict()
            workspaces.append(workspaces_item)



        blocked: None | str | Unset
        if isinstance(self.blocked, Unset):
            blocked = UNSET
        else:
            blocked = self.blocked

        budget: float | None | Unset
        if isinstance(self.budget, Unset):
            budget = UNSET
        else:
            budget = self.budget

        dispatching: bool | None | Unset
        if isinstance(self.dispatching, Unset):
            dispatching = UNSET
        else:
            dispatching = self.dispatching


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "capabilities": capabilities,
            "cost": cost,
            "currency": currency,
            "forecast": forecast,
            "month": month,
            "time_zone": time_zone,
            "today": today,
            "workspaces": workspaces,
        })
        if blocked is not UNSET:
            field_dict["blocked"] = blocked
        if budget is not UNSET:
            field_dict["budget"] = budget
        if dispatching is not UNSET:
            field_dict["dispatching"] = dispatching

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.capability_cost import CapabilityCost # noqa: PLC0415
        from ..models.day_usage import DayUsage # noqa: PLC0415
        from ..models.workspace_cost import WorkspaceCost # noqa: PLC0415
        d = dict(src_dict)
        capabilities = []
        _capabilities = d.pop("capabilities")
        for capabilities_item_data in (_capabilities):
            capabilities_item = CapabilityCost.from_dict(capabilities_item_data)



            capabilities.append(capabilities_item)


        cost = d.pop("cost")

        currency = d.pop("currency")

        forecast = d.pop("forecast")

        month = d.pop("month")

        time_zone = d.pop("time_zone")

        today = DayUsage.from_dict(d.pop("today"))




        workspaces = []
        _workspaces = d.pop("workspaces")
        for workspaces_item_data in (_workspaces):
            workspaces_item = WorkspaceCost.from_dict(workspaces_item_data)



            workspaces.append(workspaces_item)


        def _parse_blocked(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        blocked = _parse_blocked(d.pop("blocked", UNSET))


        def _parse_budget(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        budget = _parse_budget(d.pop("budget", UNSET))


        def _parse_dispatching(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        dispatching = _parse_dispatching(d.pop("dispatching", UNSET))


        month_usage = cls(
            capabilities=capabilities,
            cost=cost,
            currency=currency,
            forecast=forecast,
            month=month,
            time_zone=time_zone,
            today=today,
            workspaces=workspaces,
            blocked=blocked,
            budget=budget,
            dispatching=dispatching,
        )


        month_usage.additional_properties = d
        return month_usage

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
