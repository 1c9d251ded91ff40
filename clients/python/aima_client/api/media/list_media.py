from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.media_kind import MediaKind
from ...models.media_page import MediaPage
from ...models.sort_order import SortOrder
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,
    order: None | SortOrder | Unset = UNSET,
    kind: MediaKind | None | Unset = UNSET,
    created_after: datetime.datetime | int | str | Unset = UNSET,
    created_before: datetime.datetime | int | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_limit: int | None | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit

    params["cursor"] = cursor

    json_order: None | str | Unset
    if isinstance(order, Unset):
        json_order = UNSET
    elif isinstance(order, SortOrder):
        json_order = order.value
    else:
        json_order = order
    params["order"] = json_order

    json_kind: None | str | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    elif isinstance(kind, MediaKind):
        json_kind = kind.value
    else:
        json_kind = kind
    params["kind"] = json_kind

    json_created_after: int | str | Unset
    if isinstance(created_after, Unset):
        json_created_after = UNSET
    elif isinstance(created_after, datetime.datetime):
        json_created_after = created_after.isoformat()
    else:
        json_created_after = created_after
    params["created_after"] = json_created_after

    json_created_before: int | str | Unset
    if isinstance(created_before, Unset):
        json_created_before = UNSET
    elif isinstance(created_before, datetime.datetime):
        json_created_before = created_before.isoformat()
    else:
        json_created_before = created_before
    params["created_before"] = json_created_before


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/media",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | MediaPage | None:
    if response.status_code == 200:
        response_200 = MediaPage.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | MediaPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,
    order: None | SortOrder | Unset = UNSET,
    kind: MediaKind | None | Unset = UNSET,
    created_after: datetime.datetime | int | str | Unset = UNSET,
    created_before: datetime.datetime | int | str | Unset = UNSET,

) -> Response[ErrorBody | MediaPage]:
    """ List media, newest first, with filters and cursor pagination.

     Least role: `viewer`.

    Args:
        limit (int | None | Unset):
        cursor (str | Unset): From `next_cursor` of the previous page of the same listing.
        order (None | SortOrder | Unset):
        kind (MediaKind | None | Unset):
        created_after (datetime.datetime | int | str | Unset):
        created_before (datetime.datetime | int | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | MediaPage]
     """


    kwargs = _get_kwargs(
        limit=limit,
cursor=cursor,
order=order,
kind=kind,
created_after=created_after,
created_before=created_before,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,
    order: None | SortOrder | Unset = UNSET,
    kind: MediaKind | None | Unset = UNSET,
    created_after: datetime.datetime | int | str | Unset = UNSET,
    created_before: datetime.datetime | int | str | Unset = UNSET,

) -> ErrorBody | MediaPage | None:
    """ List media, newest first, with filters and cursor pagination.

     Least role: `viewer`.

    Args:
        limit (int | None | Unset):
        cursor (str | Unset): From `next_cursor` of the previous page of the same listing.
        order (None | SortOrder | Unset):
        kind (MediaKind | None | Unset):
        created_after (datetime.datetime | int | str | Unset):
        created_before (datetime.datetime | int | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | MediaPage
     """


    return sync_detailed(
        client=client,
limit=limit,
cursor=cursor,
order=order,
kind=kind,
created_after=created_after,
created_before=created_before,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,
    order: None | SortOrder | Unset = UNSET,
    kind: MediaKind | None | Unset = UNSET,
    created_after: datetime.datetime | int | str | Unset = UNSET,
    created_before: datetime.datetime | int | str | Unset = UNSET,

) -> Response[ErrorBody | MediaPage]:
    """ List media, newest first, with filters and cursor pagination.

     Least role: `viewer`.

    Args:
        limit (int | None | Unset):
        cursor (str | Unset): From `next_cursor` of the previous page of the same listing.
        order (None | SortOrder | Unset):
        kind (MediaKind | None | Unset):
        created_after (datetime.datetime | int | str | Unset):
        created_before (datetime.datetime | int | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | MediaPage]
     """


    kwargs = _get_kwargs(
        limit=limit,
cursor=cursor,
order=order,
kind=kind,
created_after=created_after,
created_before=created_before,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,
    order: None | SortOrder | Unset = UNSET,
    kind: MediaKind | None | Unset = UNSET,
    created_after: datetime.datetime | int | str | Unset = UNSET,
    created_before: datetime.datetime | int | str | Unset = UNSET,

) -> ErrorBody | MediaPage | None:
    """ List media, newest first, with filters and cursor pagination.

     Least role: `viewer`.

    Args:
        limit (int | None | Unset):
        cursor (str | Unset): From `next_cursor` of the previous page of the same listing.
        order (None | SortOrder | Unset):
        kind (MediaKind | None | Unset):
        created_after (datetime.datetime | int | str | Unset):
        created_before (datetime.datetime | int | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | MediaPage
     """


    return (await asyncio_detailed(
        client=client,
limit=limit,
cursor=cursor,
order=order,
kind=kind,
created_after=created_after,
created_before=created_before,

    )).parsed
