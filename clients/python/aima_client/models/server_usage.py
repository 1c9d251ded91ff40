from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.budget_report import BudgetReport
  from ..models.usage_row import UsageRow





T = TypeVar("T", bound="ServerUsage")



@_attrs_define
class ServerUsage:
    """ 
        Attributes:
            items (list[UsageRow]):
            budget (BudgetReport | None | Unset):
     """

    items: list[UsageRow]
    budget: BudgetReport | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.budget_report import BudgetReport # noqa: PLC0415
        from ..models.usage_row import UsageRow # noqa: PLC0415
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)



        budget: dict[str, Any] | None | Unset
        if isinstance(self.budget, Unset):
            budget = UNSET
        elif isinstance(self.budget, BudgetReport):
            budget = self.budget.to_dict()
        else:
            budget = self.budget


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "items": items,
        })
        if budget is not UNSET:
            field_dict["budget"] = budget

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.budget_report import BudgetReport # noqa: PLC0415
        from ..models.usage_row import UsageRow # noqa: PLC0415
        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in (_items):
            items_item = UsageRow.from_dict(items_item_data)



            items.append(items_item)


        def _parse_budget(data: object) -> BudgetReport | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                budget_type_1 = BudgetReport.from_dict(data)



                return budget_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BudgetReport | None | Unset, data)

        budget = _parse_budget(d.pop("budget", UNSET))


        server_usage = cls(
            items=items,
            budget=budget,
        )


        server_usage.additional_properties = d
        return server_usage

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
