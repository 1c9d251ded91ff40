from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.lang import Lang
from ..models.planner import Planner
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.citation import Citation
  from ..models.tool_use import ToolUse





T = TypeVar("T", bound="Answer")



@_attrs_define
class Answer:
    """ An answer and what it rests on.

        Attributes:
            answer (str):
            citations (list[Citation]): Every fact of the answer, numbered as its `[n]`.
            language (Lang):
            model (str): The language model that read the question.
            planner (Planner):
            refused (bool): The question was outside what the tools answer (or asked for a
                change or a secret): the answer says what can be asked.
            tools (list[ToolUse]):
            fallback (None | str | Unset): Set when a configured remote model failed and the local model
                answered instead: why.
     """

    answer: str
    citations: list[Citation]
    language: Lang
    model: str
    planner: Planner
    refused: bool
    tools: list[ToolUse]
    fallback: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.citation import Citation # noqa: PLC0415
        from ..models.tool_use import ToolUse # noqa: PLC0415
        answer = self.answer

        citations = []
        for citations_item_data in self.citations:
            citations_item = citations_item_data.to_dict()
            citations.append(citations_item)



        language = self.language.value

        model = self.model

        planner = self.planner.value

        refused = self.refused

        tools = []
        for tools_item_data in self.tools:
            tools_item = tools_item_data.to_dict()
            tools.append(tools_item)



        fallback: None | str | Unset
        if isinstance(self.fallback, Unset):
            fallback = UNSET
        else:
            fallback = self.fallback


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "answer": answer,
            "citations": citations,
            "language": language,
            "model": model,
            "planner": planner,
            "refused": refused,
            "tools": tools,
        })
        if fallback is not UNSET:
            field_dict["fallback"] = fallback

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.citation import Citation # noqa: PLC0415
        from ..models.tool_use import ToolUse # noqa: PLC0415
        d = dict(src_dict)
        answer = d.pop("answer")

        citations = []
        _citations = d.pop("citations")
        for citations_item_data in (_citations):
            citations_item = Citation.from_dict(citations_item_data)



            citations.append(citations_item)


        language = Lang(d.pop("language"))




        model = d.pop("model")

        planner = Planner(d.pop("planner"))




        refused = d.pop("refused")

        tools = []
        _tools = d.pop("tools")
        for tools_item_data in (_tools):
            tools_item = ToolUse.from_dict(tools_item_data)



            tools.append(tools_item)


        def _parse_fallback(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        fallback = _parse_fallback(d.pop("fallback", UNSET))


        answer = cls(
            answer=answer,
            citations=citations,
            language=language,
            model=model,
            planner=planner,
            refused=refused,
            tools=tools,
            fallback=fallback,
        )


        answer.additional_properties = d
        return answer

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
