from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.health_outcome import HealthOutcome
from typing import cast

if TYPE_CHECKING:
  from ..models.health_check import HealthCheck





T = TypeVar("T", bound="HealthDetails")



@_attrs_define
class HealthDetails:
    """ All checks, and the worst outcome among them.

        Attributes:
            checks (list[HealthCheck]):
            status (HealthOutcome): How a check came out.
     """

    checks: list[HealthCheck]
    status: HealthOutcome
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.health_check import HealthCheck # noqa: PLC0415
        checks = []
        for checks_item_data in self.checks:
            checks_item = checks_item_data.to_dict()
            checks.append(checks_item)



        status = self.status.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "checks": checks,
            "status": status,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.health_check import HealthCheck # noqa: PLC0415
        d = dict(src_dict)
        checks = []
        _checks = d.pop("checks")
        for checks_item_data in (_checks):
            checks_item = HealthCheck.from_dict(checks_item_data)



            checks.append(checks_item)


        status = HealthOutcome(d.pop("status"))




        health_details = cls(
            checks=checks,
            status=status,
        )


        health_details.additional_properties = d
        return health_details

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
