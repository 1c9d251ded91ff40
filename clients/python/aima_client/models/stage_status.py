from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.stage_state import StageState
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.error_info import ErrorInfo
  from ..models.stage_status_options import StageStatusOptions





T = TypeVar("T", bound="StageStatus")



@_attrs_define
class StageStatus:
    """ Progress of one stage of a job, kept in the job row.

        Attributes:
            name (str):
            options (StageStatusOptions):
            progress (float): 0 to 1.
            state (StageState):
            error (ErrorInfo | None | Unset):
            finished_at (int | None | Unset):
            requires (None | str | Unset): The capability a worker needs for this stage.
            started_at (int | None | Unset): Unix milliseconds.
     """

    name: str
    options: StageStatusOptions
    progress: float
    state: StageState
    error: ErrorInfo | None | Unset = UNSET
    finished_at: int | None | Unset = UNSET
    requires: None | str | Unset = UNSET
    started_at: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.error_info import ErrorInfo # noqa: PLC0415
        from ..models.stage_status_options import StageStatusOptions # noqa: PLC0415
        name = self.name

        options = self.options.to_dict()

        progress = self.progress

        state = self.state.value

        error: dict[str, Any] | None | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        elif isinstance(self.error, ErrorInfo):
            error = self.error.to_dict()
        else:
            error = self.error

        finished_at: int | None | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        else:
            finished_at = self.finished_at

        requires: None | str | Unset
        if isinstance(self.requires, Unset):
            requires = UNSET
        else:
            requires = self.requires

        started_at: int | None | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        else:
            started_at = self.started_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "name": name,
            "options": options,
            "progress": progress,
            "state": state,
        })
        if error is not UNSET:
            field_dict["error"] = error
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if requires is not UNSET:
            field_dict["requires"] = requires
        if started_at is not UNSET:
            field_dict["started_at"] = started_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_info import ErrorInfo # noqa: PLC0415
        from ..models.stage_status_options import StageStatusOptions # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        options = StageStatusOptions.from_dict(d.pop("options"))




        progress = d.pop("progress")

        state = StageState(d.pop("state"))




        def _parse_error(data: object) -> ErrorInfo | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_1 = ErrorInfo.from_dict(data)



                return error_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ErrorInfo | None | Unset, data)

        error = _parse_error(d.pop("error", UNSET))


        def _parse_finished_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))


        def _parse_requires(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        requires = _parse_requires(d.pop("requires", UNSET))


        def _parse_started_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        started_at = _parse_started_at(d.pop("started_at", UNSET))


        stage_status = cls(
            name=name,
            options=options,
            progress=progress,
            state=state,
            error=error,
            finished_at=finished_at,
            requires=requires,
            started_at=started_at,
        )


        stage_status.additional_properties = d
        return stage_status

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
