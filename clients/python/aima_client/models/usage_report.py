from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.month_usage import MonthUsage
  from ..models.server_usage import ServerUsage
  from ..models.workspace_usage_row import WorkspaceUsageRow





T = TypeVar("T", bound="UsageReport")



@_attrs_define
class UsageReport:
    """ 
        Attributes:
            items (list[WorkspaceUsageRow]): The caller's workspace: busy seconds of its jobs.
            month (MonthUsage | None | Unset):
            server (None | ServerUsage | Unset):
     """

    items: list[WorkspaceUsageRow]
    month: MonthUsage | None | Unset = UNSET
    server: None | ServerUsage | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.month_usage import MonthUsage # noqa: PLC0415
        from ..models.server_usage import ServerUsage # noqa: PLC0415
        from ..models.workspace_usage_row import WorkspaceUsageRow # noqa: PLC0415
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)



        month: dict[str, Any] | None | Unset
        if isinstance(self.month, Unset):
            month = UNSET
        elif isinstance(self.month, MonthUsage):
            month = self.month.to_dict()
        else:
            month = self.month

        server: dict[str, Any] | None | Unset
        if isinstance(self.server, Unset):
            server = UNSET
        elif isinstance(self.server, ServerUsage):
            server = self.server.to_dict()
        else:
            server = self.server


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "items": items,
        })
        if month is not UNSET:
            field_dict["month"] = month
        if server is not UNSET:
            field_dict["server"] = server

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.month_usage import MonthUsage # noqa: PLC0415
        from ..models.server_usage import ServerUsage # noqa: PLC0415
        from ..models.workspace_usage_row import WorkspaceUsageRow # noqa: PLC0415
        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in (_items):
            items_item = WorkspaceUsageRow.from_dict(items_item_data)



            items.append(items_item)


        def _parse_month(data: object) -> MonthUsage | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                month_type_1 = MonthUsage.from_dict(data)



                return month_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MonthUsage | None | Unset, data)

        month = _parse_month(d.pop("month", UNSET))


        def _parse_server(data: object) -> None | ServerUsage | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                server_type_1 = ServerUsage.from_dict(data)



                return server_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ServerUsage | Unset, data)

        server = _parse_server(d.pop("server", UNSET))


        usage_report = cls(
            items=items,
            month=month,
            server=server,
        )


        usage_report.additional_properties = d
        return usage_report

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
