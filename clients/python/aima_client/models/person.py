from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.face_record import FaceRecord





T = TypeVar("T", bound="Person")



@_attrs_define
class Person:
    """ A person: the faces a workspace's clustering (and its users) put together.

        Attributes:
            created_at (int):
            faces (int): Face tracks assigned to this person.
            id (str):
            media (int): Media those faces are in.
            updated_at (int):
            cover (FaceRecord | None | Unset):
            name (None | str | Unset): Given by a user; `None` until then.
     """

    created_at: int
    faces: int
    id: str
    media: int
    updated_at: int
    cover: FaceRecord | None | Unset = UNSET
    name: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.face_record import FaceRecord # noqa: PLC0415
        created_at = self.created_at

        faces = self.faces

        id = self.id

        media = self.media

        updated_at = self.updated_at

        cover: dict[str, Any] | None | Unset
        if isinstance(self.cover, Unset):
            cover = UNSET
        elif isinstance(self.cover, FaceRecord):
            cover = self.cover.to_dict()
        else:
            cover = self.cover

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "faces": faces,
            "id": id,
            "media": media,
            "updated_at": updated_at,
        })
        if cover is not UNSET:
            field_dict["cover"] = cover
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.face_record import FaceRecord # noqa: PLC0415
        d = dict(src_dict)
        created_at = d.pop("created_at")

        faces = d.pop("faces")

        id = d.pop("id")

        media = d.pop("media")

        updated_at = d.pop("updated_at")

        def _parse_cover(data: object) -> FaceRecord | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                cover_type_1 = FaceRecord.from_dict(data)



                return cover_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FaceRecord | None | Unset, data)

        cover = _parse_cover(d.pop("cover", UNSET))


        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        person = cls(
            created_at=created_at,
            faces=faces,
            id=id,
            media=media,
            updated_at=updated_at,
            cover=cover,
            name=name,
        )


        person.additional_properties = d
        return person

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
