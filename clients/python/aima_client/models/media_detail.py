from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.media_kind import MediaKind
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.language_share import LanguageShare
  from ..models.media_probe import MediaProbe





T = TypeVar("T", bound="MediaDetail")



@_attrs_define
class MediaDetail:
    """ One media, with the languages of its transcript.

        Attributes:
            created_at (int): Unix milliseconds.
            id (str):
            kind (MediaKind): What a piece of media is, as decided by probing it (never by its name).
            probe (MediaProbe): What ffprobe found: container, streams, codecs.
            sha256 (str): Hex SHA-256 of the bytes; the same bytes in one workspace are one media.
            size (int):
            workspace (str):
            languages (list[LanguageShare]): The languages heard in it (its transcript's), the most spoken
                first; empty until it is transcribed, or when nothing was said.
            duration (float | None | Unset): Seconds; absent for still images.
            filename (None | str | Unset):
            height (int | None | Unset):
            width (int | None | Unset):
     """

    created_at: int
    id: str
    kind: MediaKind
    probe: MediaProbe
    sha256: str
    size: int
    workspace: str
    languages: list[LanguageShare]
    duration: float | None | Unset = UNSET
    filename: None | str | Unset = UNSET
    height: int | None | Unset = UNSET
    width: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.language_share import LanguageShare # noqa: PLC0415
        from ..models.media_probe import MediaProbe # noqa: PLC0415
        created_at = self.created_at

        id = self.id

        kind = self.kind.value

        probe = self.probe.to_dict()

        sha256 = self.sha256

        size = self.size

        workspace = self.workspace

        languages = []
        for languages_item_data in self.languages:
            languages_item = languages_item_data.to_dict()
            languages.append(languages_item)



        duration: float | None | Unset
        if isinstance(self.duration, Unset):
            duration = UNSET
        else:
            duration = self.duration

        filename: None | str | Unset
        if isinstance(self.filename, Unset):
            filename = UNSET
        else:
            filename = self.filename

        height: int | None | Unset
        if isinstance(self.height, Unset):
            height = UNSET
        else:
            height = self.height

        width: int | None | Unset
        if isinstance(self.width, Unset):
            width = UNSET
        else:
            width = self.width


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "id": id,
            "kind": kind,
            "probe": probe,
            "sha256": sha256,
            "size": size,
            "workspace": workspace,
            "languages": languages,
        })
        if duration is not UNSET:
            field_dict["duration"] = duration
        if filename is not UNSET:
            field_dict["filename"] = filename
        if height is not UNSET:
            field_dict["height"] = height
        if width is not UNSET:
            field_dict["width"] = width

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.language_share import LanguageShare # noqa: PLC0415
        from ..models.media_probe import MediaProbe # noqa: PLC0415
        d = dict(src_dict)
        created_at = d.pop("created_at")

        id = d.pop("id")

        kind = MediaKind(d.pop("kind"))




        probe = MediaProbe.from_dict(d.pop("probe"))




        sha256 = d.pop("sha256")

        size = d.pop("size")

        workspace = d.pop("workspace")

        languages = []
        _languages = d.pop("languages")
        for languages_item_data in (_languages):
            languages_item = LanguageShare.from_dict(languages_item_data)



            languages.append(languages_item)


        def _parse_duration(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        duration = _parse_duration(d.pop("duration", UNSET))


        def _parse_filename(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        filename = _parse_filename(d.pop("filename", UNSET))


        def _parse_height(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        height = _parse_height(d.pop("height", UNSET))


        def _parse_width(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        width = _parse_width(d.pop("width", UNSET))


        media_detail = cls(
            created_at=created_at,
            id=id,
            kind=kind,
            probe=probe,
            sha256=sha256,
            size=size,
            workspace=workspace,
            languages=languages,
            duration=duration,
            filename=filename,
            height=height,
            width=width,
        )


        media_detail.additional_properties = d
        return media_detail

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
