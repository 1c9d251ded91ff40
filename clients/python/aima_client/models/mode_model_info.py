from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.mode_model_info_metrics import ModeModelInfoMetrics





T = TypeVar("T", bound="ModeModelInfo")



@_attrs_define
class ModeModelInfo:
    """ One version of a workspace's mode model, without the model itself.

        Attributes:
            active (bool): Whether predictions use this version now.
            algorithm (str): The classifier that won the cross-validation.
            created_at (int):
            metrics (ModeModelInfoMetrics): Cross-validation results of every candidate and the baseline.
            version (int):
            job_id (None | str | Unset): The training job that made it.
     """

    active: bool
    algorithm: str
    created_at: int
    metrics: ModeModelInfoMetrics
    version: int
    job_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.mode_model_info_metrics import ModeModelInfoMetrics # noqa: PLC0415
        active = self.active

        algorithm = self.algorithm

        created_at = self.created_at

        metrics = self.metrics.to_dict()

        version = self.version

        job_id: None | str | Unset
        if isinstance(self.job_id, Unset):
            job_id = UNSET
        else:
            job_id = self.job_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "active": active,
            "algorithm": algorithm,
            "created_at": created_at,
            "metrics": metrics,
            "version": version,
        })
        if job_id is not UNSET:
            field_dict["job_id"] = job_id

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mode_model_info_metrics import ModeModelInfoMetrics # noqa: PLC0415
        d = dict(src_dict)
        active = d.pop("active")

        algorithm = d.pop("algorithm")

        created_at = d.pop("created_at")

        metrics = ModeModelInfoMetrics.from_dict(d.pop("metrics"))




        version = d.pop("version")

        def _parse_job_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        job_id = _parse_job_id(d.pop("job_id", UNSET))


        mode_model_info = cls(
            active=active,
            algorithm=algorithm,
            created_at=created_at,
            metrics=metrics,
            version=version,
            job_id=job_id,
        )


        mode_model_info.additional_properties = d
        return mode_model_info

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
