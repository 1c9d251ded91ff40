from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.review import Review
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ReviewBody")



@_attrs_define
class ReviewBody:
    """ 
        Attributes:
            review (None | Review | Unset):
     """

    review: None | Review | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        review: None | str | Unset
        if isinstance(self.review, Unset):
            review = UNSET
        elif isinstance(self.review, Review):
            review = self.review.value
        else:
            review = self.review


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if review is not UNSET:
            field_dict["review"] = review

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_review(data: object) -> None | Review | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                review_type_1 = Review(data)



                return review_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Review | Unset, data)

        review = _parse_review(d.pop("review", UNSET))


        review_body = cls(
            review=review,
        )

        return review_body

