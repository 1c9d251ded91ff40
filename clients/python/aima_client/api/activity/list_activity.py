from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.event_page import EventPage
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    start: datetime.datetime | int | str | Unset = UNSET,
    end: datetime.datetime | int | str | Unset = UNSET,
    bucket: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_start: int | str | Unset
    if isinstance(start, Unset):
        json_start = UNSET
    elif isinstance(start, datetime.datetime):
        json_start = start.isoformat()
    else:
        json_start = start
    params["start"] = json_start

    json_end: int | str | Unset
    if isinstance(end, Unset):
        json_end = UNSET
    elif isinstance(end, datetime.datetime):
        json_end = end.isoformat()
    else:
        json_end = end
    params["end"] = json_end

    json_bucket: None | str | Unset
    if isinstance(bucket, Unset):
        json_bucket = UNSET
    else:
        json_bucket = bucket
    params["bucket"] = json_bucket

    json_limit: int | None | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit

    params["cursor"] = cursor


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/activity",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | EventPage | None:
    if response.status_code == 200:
        response_200 = EventPage.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | EventPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    start: datetime.datetime | int | str | Unset = UNSET,
    end: datetime.datetime | int | str | Unset = UNSET,
    bucket: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,

) -> Response[ErrorBody | EventPage]:
    """ Activity events with their modes, newest first.

     Least role: `viewer`.

    Args:
        start (datetime.datetime | int | str | Unset):
        end (datetime.datetime | int | str | Unset):
        bucket (None | str | Unset):
        limit (int | None | Unset):
        cursor (str | Unset): From `next_cursor` of the previous page of the same listing.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | EventPage]
     """


    kwargs = _get_kwargs(
        start=start,
end=end,
bucket=bucket,
limit=limit,
cursor=cursor,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    start: datetime.datetime | int | str | Unset = UNSET,
    end: datetime.datetime | int | str | Unset = UNSET,
    bucket: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,

) -> ErrorBody | EventPage | None:
    """ Activity events with their modes, newest first.

     Least role: `viewer`.

    Args:
        start (datetime.datetime | int | str | Unset):
        end (datetime.datetime | int | str | Unset):
        bucket (None | str | Unset):
        limit (int | None | Unset):
        cursor (str | Unset): From `next_cursor` of the previous page of the same listing.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | EventPage
     """


    return sync_detailed(
        client=client,
start=start,
end=end,
bucket=bucket,
limit=limit,
cursor=cursor,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    start: datetime.datetime | int | str | Unset = UNSET,
    end: datetime.datetime | int | str | Unset = UNSET,
    bucket: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,

) -> Response[ErrorBody | EventPage]:
    """ Activity events with their modes, newest first.

     Least role: `viewer`.

    Args:
        start (datetime.datetime | int | str | Unset):
        end (datetime.datetime | int | str | Unset):
        bucket (None | str | Unset):
        limit (int | None | Unset):
        cursor (str | Unset): From `next_cursor` of the previous page of the same listing.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | EventPage]
     """


    kwargs = _get_kwargs(
        start=start,
end=end,
bucket=bucket,
limit=limit,
cursor=cursor,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    start: datetime.datetime | int | str | Unset = UNSET,
    end: datetime.datetime | int | str | Unset = UNSET,
    bucket: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: str | Unset = UNSET,

) -> ErrorBody | EventPage | None:
    """ Activity events with their modes, newest first.

     Least role: `viewer`.

    Args:
        start (datetime.datetime | int | str | Unset):
        end (datetime.datetime | int | str | Unset):
        bucket (None | str | Unset):
        limit (int | None | Unset):
        cursor (str | Unset): From `next_cursor` of the previous page of the same listing.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | EventPage
     """


    return (await asyncio_detailed(
        client=client,
start=start,
end=end,
bucket=bucket,
limit=limit,
cursor=cursor,

    )).parsed
