from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="Merge")



@_attrs_define
class Merge:
    """ 
        Attributes:
            from_ (str): The person whose faces move into this one; it is removed.
     """

    from_: str





    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "from": from_,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        from_ = d.pop("from")

        merge = cls(
            from_=from_,
        )

        return merge

