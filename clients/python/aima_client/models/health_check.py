from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.health_outcome import HealthOutcome
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="HealthCheck")



@_attrs_define
class HealthCheck:
    """ One check: what was looked at, what was found, what to do.

        Attributes:
            detail (str): What was found.
            name (str): `ffmpeg`, a model's name, `database`, `disk (data)`, ...
            outcome (HealthOutcome): How a check came out.
            fix (None | str | Unset): What to do, when there is something to do.
     """

    detail: str
    name: str
    outcome: HealthOutcome
    fix: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        detail = self.detail

        name = self.name

        outcome = self.outcome.value

        fix: None | str | Unset
        if isinstance(self.fix, Unset):
            fix = UNSET
        else:
            fix = self.fix


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "detail": detail,
            "name": name,
            "outcome": outcome,
        })
        if fix is not UNSET:
            field_dict["fix"] = fix

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        detail = d.pop("detail")

        name = d.pop("name")

        outcome = HealthOutcome(d.pop("outcome"))




        def _parse_fix(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        fix = _parse_fix(d.pop("fix", UNSET))


        health_check = cls(
            detail=detail,
            name=name,
            outcome=outcome,
            fix=fix,
        )


        health_check.additional_properties = d
        return health_check

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
