from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.stage_spec import StageSpec





T = TypeVar("T", bound="CreateJob")



@_attrs_define
class CreateJob:
    """ 
        Attributes:
            media_id (str):
            pipeline (list[StageSpec] | str): A pipeline as a list of stages, or as the compact `"probe,keyframes"`.
     """

    media_id: str
    pipeline: list[StageSpec] | str





    def to_dict(self) -> dict[str, Any]:
        from ..models.stage_spec import StageSpec # noqa: PLC0415
        media_id = self.media_id

        pipeline: list[dict[str, Any]] | str
        if isinstance(self.pipeline, list):
            pipeline = []
            for componentsschemas_pipeline_input_type_0_item_data in self.pipeline:
                componentsschemas_pipeline_input_type_0_item = componentsschemas_pipeline_input_type_0_item_data.to_dict()
                pipeline.append(componentsschemas_pipeline_input_type_0_item)


        else:
            pipeline = self.pipeline


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "media_id": media_id,
            "pipeline": pipeline,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stage_spec import StageSpec # noqa: PLC0415
        d = dict(src_dict)
        media_id = d.pop("media_id")

        def _parse_pipeline(data: object) -> list[StageSpec] | str:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_pipeline_input_type_0 = []
                _componentsschemas_pipeline_input_type_0 = data
                for componentsschemas_pipeline_input_type_0_item_data in (_componentsschemas_pipeline_input_type_0):
                    componentsschemas_pipeline_input_type_0_item = StageSpec.from_dict(componentsschemas_pipeline_input_type_0_item_data)



                    componentsschemas_pipeline_input_type_0.append(componentsschemas_pipeline_input_type_0_item)

                return componentsschemas_pipeline_input_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[StageSpec] | str, data)

        pipeline = _parse_pipeline(d.pop("pipeline"))


        create_job = cls(
            media_id=media_id,
            pipeline=pipeline,
        )

        return create_job

