from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="AskRequest")



@_attrs_define
class AskRequest:
    """ 
        Attributes:
            question (str): English or German, 1 to 2000 characters of text (no control
                characters). Example: How much time did I spend in meetings last week?.
            now (datetime.datetime | int | None | Unset): Answer as of this moment (Unix ms or RFC 3339); default: now.
            utc_offset_minutes (int | None | Unset): The asker's offset from UTC in minutes (−840 to 840), for "today",
                "last week" and hours; default: the server's `llm.utc_offset_minutes`.
     """

    question: str
    now: datetime.datetime | int | None | Unset = UNSET
    utc_offset_minutes: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        question = self.question

        now: int | None | str | Unset
        if isinstance(self.now, Unset):
            now = UNSET
        elif isinstance(self.now, datetime.datetime):
            now = self.now.isoformat()
        else:
            now = self.now

        utc_offset_minutes: int | None | Unset
        if isinstance(self.utc_offset_minutes, Unset):
            utc_offset_minutes = UNSET
        else:
            utc_offset_minutes = self.utc_offset_minutes


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "question": question,
        })
        if now is not UNSET:
            field_dict["now"] = now
        if utc_offset_minutes is not UNSET:
            field_dict["utc_offset_minutes"] = utc_offset_minutes

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        question = d.pop("question")

        def _parse_now(data: object) -> datetime.datetime | int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                now_type_1 = datetime.datetime.fromisoformat(data)



                return now_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | int | None | Unset, data)

        now = _parse_now(d.pop("now", UNSET))


        def _parse_utc_offset_minutes(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        utc_offset_minutes = _parse_utc_offset_minutes(d.pop("utc_offset_minutes", UNSET))


        ask_request = cls(
            question=question,
            now=now,
            utc_offset_minutes=utc_offset_minutes,
        )

        return ask_request

