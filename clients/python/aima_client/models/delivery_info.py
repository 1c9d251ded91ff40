from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="DeliveryInfo")



@_attrs_define
class DeliveryInfo:
    """ 
        Attributes:
            attempts (int):
            body (Any): The JSON body sent.
            created_at (int):
            event (str):
            id (str):
            next_attempt_at (int): When the next attempt is due (pending deliveries), Unix milliseconds.
            state (str): `pending`, `succeeded` or `failed` (attempts ran out).
            updated_at (int):
            webhook_id (str):
            last_error (None | str | Unset):
            last_status (int | None | Unset): The receiver's last HTTP status.
     """

    attempts: int
    body: Any
    created_at: int
    event: str
    id: str
    next_attempt_at: int
    state: str
    updated_at: int
    webhook_id: str
    last_error: None | str | Unset = UNSET
    last_status: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        body = self.body

        created_at = self.created_at

        event = self.event

        id = self.id

        next_attempt_at = self.next_attempt_at

        state = self.state

        updated_at = self.updated_at

        webhook_id = self.webhook_id

        last_error: None | str | Unset
        if isinstance(self.last_error, Unset):
            last_error = UNSET
        else:
            last_error = self.last_error

        last_status: int | None | Unset
        if isinstance(self.last_status, Unset):
            last_status = UNSET
        else:
            last_status = self.last_status


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "attempts": attempts,
            "body": body,
            "created_at": created_at,
            "event": event,
            "id": id,
            "next_attempt_at": next_attempt_at,
            "state": state,
            "updated_at": updated_at,
            "webhook_id": webhook_id,
        })
        if last_error is not UNSET:
            field_dict["last_error"] = last_error
        if last_status is not UNSET:
            field_dict["last_status"] = last_status

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempts = d.pop("attempts")

        body = d.pop("body")

        created_at = d.pop("created_at")

        event = d.pop("event")

        id = d.pop("id")

        next_attempt_at = d.pop("next_attempt_at")

        state = d.pop("state")

        updated_at = d.pop("updated_at")

        webhook_id = d.pop("webhook_id")

        def _parse_last_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_error = _parse_last_error(d.pop("last_error", UNSET))


        def _parse_last_status(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        last_status = _parse_last_status(d.pop("last_status", UNSET))


        delivery_info = cls(
            attempts=attempts,
            body=body,
            created_at=created_at,
            event=event,
            id=id,
            next_attempt_at=next_attempt_at,
            state=state,
            updated_at=updated_at,
            webhook_id=webhook_id,
            last_error=last_error,
            last_status=last_status,
        )


        delivery_info.additional_properties = d
        return delivery_info

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
