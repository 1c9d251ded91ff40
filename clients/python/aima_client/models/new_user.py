from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.role import Role






T = TypeVar("T", bound="NewUser")



@_attrs_define
class NewUser:
    """ 
        Attributes:
            name (str): Letters, digits and `._@-`, starting with a letter or a digit.
            password (str): 8 to 256 characters.
            role (Role): What a user (or a key) may do in a workspace. Ordered: each role may do
                everything the one before it may.
     """

    name: str
    password: str
    role: Role





    def to_dict(self) -> dict[str, Any]:
        name = self.name

        password = self.password

        role = self.role.value


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "password": password,
            "role": role,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        password = d.pop("password")

        role = Role(d.pop("role"))




        new_user = cls(
            name=name,
            password=password,
            role=role,
        )

        return new_user

