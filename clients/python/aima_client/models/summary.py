from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.summary_by import SummaryBy
from ..models.summary_period import SummaryPeriod
from typing import cast

if TYPE_CHECKING:
  from ..models.summary_row import SummaryRow





T = TypeVar("T", bound="Summary")



@_attrs_define
class Summary:
    """ 
        Attributes:
            by (SummaryBy):
            period (SummaryPeriod):
            rows (list[SummaryRow]):
            total_seconds (float):
     """

    by: SummaryBy
    period: SummaryPeriod
    rows: list[SummaryRow]
    total_seconds: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.summary_row import SummaryRow # noqa: PLC0415
        by = self.by.value

        period = self.period.value

        rows = []
        for rows_item_data in self.rows:
            rows_item = rows_item_data.to_dict()
            rows.append(rows_item)



        total_seconds = self.total_seconds


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "by": by,
            "period": period,
            "rows": rows,
            "total_seconds": total_seconds,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.summary_row import SummaryRow # noqa: PLC0415
        d = dict(src_dict)
        by = SummaryBy(d.pop("by"))




        period = SummaryPeriod(d.pop("period"))




        rows = []
        _rows = d.pop("rows")
        for rows_item_data in (_rows):
            rows_item = SummaryRow.from_dict(rows_item_data)



            rows.append(rows_item)


        total_seconds = d.pop("total_seconds")

        summary = cls(
            by=by,
            period=period,
            rows=rows,
            total_seconds=total_seconds,
        )


        summary.additional_properties = d
        return summary

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
