from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.source_type_0 import SourceType0
  from ..models.source_type_1 import SourceType1
  from ..models.source_type_2 import SourceType2





T = TypeVar("T", bound="Citation")



@_attrs_define
class Citation:
    """ A cited fact: what it says (`text`, with every number of it) and
    where it comes from.

        Attributes:
            id (int): Its number in the answer: `[1]`.
            source (SourceType0 | SourceType1 | SourceType2): Where a fact comes from.
            text (str):
     """

    id: int
    source: SourceType0 | SourceType1 | SourceType2
    text: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.source_type_0 import SourceType0 # noqa: PLC0415
        from ..models.source_type_1 import SourceType1 # noqa: PLC0415
        from ..models.source_type_2 import SourceType2 # noqa: PLC0415
        id = self.id

        source: dict[str, Any]
        if isinstance(self.source, SourceType0):
            source = self.source.to_dict()
        elif isinstance(self.source, SourceType1):
            source = self.source.to_dict()
        else:
            source = self.source.to_dict()


        text = self.text


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "source": source,
            "text": text,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.source_type_0 import SourceType0 # noqa: PLC0415
        from ..models.source_type_1 import SourceType1 # noqa: PLC0415
        from ..models.source_type_2 import SourceType2 # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        def _parse_source(data: object) -> SourceType0 | SourceType1 | SourceType2:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_source_type_0 = SourceType0.from_dict(data)



                return componentsschemas_source_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_source_type_1 = SourceType1.from_dict(data)



                return componentsschemas_source_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_source_type_2 = SourceType2.from_dict(data)



            return componentsschemas_source_type_2

        source = _parse_source(d.pop("source"))


        text = d.pop("text")

        citation = cls(
            id=id,
            source=source,
            text=text,
        )


        citation.additional_properties = d
        return citation

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
