from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.webhook_event import WebhookEvent
from typing import cast






T = TypeVar("T", bound="NewWebhook")



@_attrs_define
class NewWebhook:
    """ 
        Attributes:
            events (list[WebhookEvent]): Any of `job.succeeded`, `job.partial` (some stages failed alone),
                `job.failed`, `media.deleted`, `person.named`, `mode_model.trained`.
            secret (str): The key of the HMAC-SHA256 signature; 16 to 256 characters.
            url (str): Where deliveries are POSTed: http or https, a public address unless
                the server sets `webhooks.allow_private`.
     """

    events: list[WebhookEvent]
    secret: str
    url: str





    def to_dict(self) -> dict[str, Any]:
        events = []
        for events_item_data in self.events:
            events_item = events_item_data.value
            events.append(events_item)



        secret = self.secret

        url = self.url


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "events": events,
            "secret": secret,
            "url": url,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        events = []
        _events = d.pop("events")
        for events_item_data in (_events):
            events_item = WebhookEvent(events_item_data)



            events.append(events_item)


        secret = d.pop("secret")

        url = d.pop("url")

        new_webhook = cls(
            events=events,
            secret=secret,
            url=url,
        )

        return new_webhook

