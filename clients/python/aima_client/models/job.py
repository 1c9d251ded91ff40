from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.job_state import JobState
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.error_info import ErrorInfo
  from ..models.stage_status import StageStatus





T = TypeVar("T", bound="Job")



@_attrs_define
class Job:
    """ A job as the API shows it.

        Attributes:
            attempts (int):
            created_at (int):
            id (str):
            max_attempts (int):
            progress (float): 0 to 1.
            stages (list[StageStatus]):
            state (JobState): The life of a job. `Succeeded`, `Partial`, `Failed` and `Cancelled`
                are final. `Partial`: it ran to its end, but some stages failed alone
                (each with its `error`: a model missing, an analyzer's error on this
                media); the others' insights are kept.
            updated_at (int):
            workspace (str):
            error (ErrorInfo | None | Unset):
            finished_at (int | None | Unset):
            media_id (None | str | Unset): The media the pipeline runs on; none for workspace jobs (training a
                mode model).
            started_at (int | None | Unset):
     """

    attempts: int
    created_at: int
    id: str
    max_attempts: int
    progress: float
    stages: list[StageStatus]
    state: JobState
    updated_at: int
    workspace: str
    error: ErrorInfo | None | Unset = UNSET
    finished_at: int | None | Unset = UNSET
    media_id: None | str | Unset = UNSET
    started_at: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.error_info import ErrorInfo # noqa: PLC0415
        from ..models.stage_status import StageStatus # noqa: PLC0415
        attempts = self.attempts

        created_at = self.created_at

        id = self.id

        max_attempts = self.max_attempts

        progress = self.progress

        stages = []
        for stages_item_data in self.stages:
            stages_item = stages_item_data.to_dict()
            stages.append(stages_item)



        state = self.state.value

        updated_at = self.updated_at

        workspace = self.workspace

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

        media_id: None | str | Unset
        if isinstance(self.media_id, Unset):
            media_id = UNSET
        else:
            media_id = self.media_id

        started_at: int | None | Unset
        if isinstance(self.started_at, Unset):
            started_at = UNSET
        else:
            started_at = self.started_at


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "attempts": attempts,
            "created_at": created_at,
            "id": id,
            "max_attempts": max_attempts,
            "progress": progress,
            "stages": stages,
            "state": state,
            "updated_at": updated_at,
            "workspace": workspace,
        })
        if error is not UNSET:
            field_dict["error"] = error
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if media_id is not UNSET:
            field_dict["media_id"] = media_id
        if started_at is not UNSET:
            field_dict["started_at"] = started_at

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_info import ErrorInfo # noqa: PLC0415
        from ..models.stage_status import StageStatus # noqa: PLC0415
        d = dict(src_dict)
        attempts = d.pop("attempts")

        created_at = d.pop("created_at")

        id = d.pop("id")

        max_attempts = d.pop("max_attempts")

        progress = d.pop("progress")

        stages = []
        _stages = d.pop("stages")
        for stages_item_data in (_stages):
            stages_item = StageStatus.from_dict(stages_item_data)



            stages.append(stages_item)


        state = JobState(d.pop("state"))




        updated_at = d.pop("updated_at")

        workspace = d.pop("workspace")

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


        def _parse_media_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        media_id = _parse_media_id(d.pop("media_id", UNSET))


        def _parse_started_at(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        started_at = _parse_started_at(d.pop("started_at", UNSET))


        job = cls(
            attempts=attempts,
            created_at=created_at,
            id=id,
            max_attempts=max_attempts,
            progress=progress,
            stages=stages,
            state=state,
            updated_at=updated_at,
            workspace=workspace,
            error=error,
            finished_at=finished_at,
            media_id=media_id,
            started_at=started_at,
        )


        job.additional_properties = d
        return job

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
