from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.audit_page import AuditPage
from ...models.error_body import ErrorBody
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    actor: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    outcome: None | str | Unset = UNSET,
    since: datetime.datetime | int | str | Unset = UNSET,
    until: datetime.datetime | int | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_actor: None | str | Unset
    if isinstance(actor, Unset):
        json_actor = UNSET
    else:
        json_actor = actor
    params["actor"] = json_actor

    json_action: None | str | Unset
    if isinstance(action, Unset):
        json_action = UNSET
    else:
        json_action = action
    params["action"] = json_action

    json_outcome: None | str | Unset
    if isinstance(outcome, Unset):
        json_outcome = UNSET
    else:
        json_outcome = outcome
    params["outcome"] = json_outcome

    json_since: int | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.datetime):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    json_until: int | str | Unset
    if isinstance(until, Unset):
        json_until = UNSET
    elif isinstance(until, datetime.datetime):
        json_until = until.isoformat()
    else:
        json_until = until
    params["until"] = json_until

    json_limit: int | None | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit

    params["cursor"] = cursor

    json_format_: None | str | Unset
    if isinstance(format_, Unset):
        json_format_ = UNSET
    else:
        json_format_ = format_
    params["format"] = json_format_


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/audit",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AuditPage | ErrorBody | None:
    if response.status_code == 200:
        response_200 = AuditPage.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())



        return response_403

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AuditPage | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    actor: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    outcome: None | str | Unset = UNSET,
    since: datetime.datetime | int | str | Unset = UNSET,
    until: datetime.datetime | int | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> Response[AuditPage | ErrorBody]:
    """ The audit log: every write and sign-in, who, what, when, from where and
    how it ended.

     Least role: `admin`.

    Args:
        actor (None | str | Unset):
        action (None | str | Unset):
        outcome (None | str | Unset):
        since (datetime.datetime | int | str | Unset):
        until (datetime.datetime | int | str | Unset):
        limit (int | None | Unset):
        cursor (str | Unset): From `next_cursor` of the previous page of the same listing.
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | ErrorBody]
     """


    kwargs = _get_kwargs(
        actor=actor,
action=action,
outcome=outcome,
since=since,
until=until,
limit=limit,
cursor=cursor,
format_=format_,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    actor: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    outcome: None | str | Unset = UNSET,
    since: datetime.datetime | int | str | Unset = UNSET,
    until: datetime.datetime | int | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> AuditPage | ErrorBody | None:
    """ The audit log: every write and sign-in, who, what, when, from where and
    how it ended.

     Least role: `admin`.

    Args:
        actor (None | str | Unset):
        action (None | str | Unset):
        outcome (None | str | Unset):
        since (datetime.datetime | int | str | Unset):
        until (datetime.datetime | int | str | Unset):
        limit (int | None | Unset):
        cursor (str | Unset): From `next_cursor` of the previous page of the same listing.
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | ErrorBody
     """


    return sync_detailed(
        client=client,
actor=actor,
action=action,
outcome=outcome,
since=since,
until=until,
limit=limit,
cursor=cursor,
format_=format_,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    actor: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    outcome: None | str | Unset = UNSET,
    since: datetime.datetime | int | str | Unset = UNSET,
    until: datetime.datetime | int | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> Response[AuditPage | ErrorBody]:
    """ The audit log: every write and sign-in, who, what, when, from where and
    how it ended.

     Least role: `admin`.

    Args:
        actor (None | str | Unset):
        action (None | str | Unset):
        outcome (None | str | Unset):
        since (datetime.datetime | int | str | Unset):
        until (datetime.datetime | int | str | Unset):
        limit (int | None | Unset):
        cursor (str | Unset): From `next_cursor` of the previous page of the same listing.
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | ErrorBody]
     """


    kwargs = _get_kwargs(
        actor=actor,
action=action,
outcome=outcome,
since=since,
until=until,
limit=limit,
cursor=cursor,
format_=format_,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    actor: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    outcome: None | str | Unset = UNSET,
    since: datetime.datetime | int | str | Unset = UNSET,
    until: datetime.datetime | int | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> AuditPage | ErrorBody | None:
    """ The audit log: every write and sign-in, who, what, when, from where and
    how it ended.

     Least role: `admin`.

    Args:
        actor (None | str | Unset):
        action (None | str | Unset):
        outcome (None | str | Unset):
        since (datetime.datetime | int | str | Unset):
        until (datetime.datetime | int | str | Unset):
        limit (int | None | Unset):
        cursor (str | Unset): From `next_cursor` of the previous page of the same listing.
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | ErrorBody
     """


    return (await asyncio_detailed(
        client=client,
actor=actor,
action=action,
outcome=outcome,
since=since,
until=until,
limit=limit,
cursor=cursor,
format_=format_,

    )).parsed
