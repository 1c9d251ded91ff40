from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.usage_report import UsageReport
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    days: int | None | Unset = UNSET,
    month: None | str | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_days: int | None | Unset
    if isinstance(days, Unset):
        json_days = UNSET
    else:
        json_days = days
    params["days"] = json_days

    json_month: None | str | Unset
    if isinstance(month, Unset):
        json_month = UNSET
    else:
        json_month = month
    params["month"] = json_month

    json_format_: None | str | Unset
    if isinstance(format_, Unset):
        json_format_ = UNSET
    else:
        json_format_ = format_
    params["format"] = json_format_


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/usage",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | UsageReport | None:
    if response.status_code == 200:
        response_200 = UsageReport.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | UsageReport]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    days: int | None | Unset = UNSET,
    month: None | str | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> Response[ErrorBody | UsageReport]:
    """ Busy seconds per day and capability of the caller's workspace's jobs;
    for an admin workspace's key also every worker's and the budget's state.
    With `[billing]` prices, the month's cost in money (`month`), or with
    `format=csv` that month's cost per workspace and capability.

     Least role: `viewer`.

    Args:
        days (int | None | Unset):
        month (None | str | Unset):
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | UsageReport]
     """


    kwargs = _get_kwargs(
        days=days,
month=month,
format_=format_,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    days: int | None | Unset = UNSET,
    month: None | str | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> ErrorBody | UsageReport | None:
    """ Busy seconds per day and capability of the caller's workspace's jobs;
    for an admin workspace's key also every worker's and the budget's state.
    With `[billing]` prices, the month's cost in money (`month`), or with
    `format=csv` that month's cost per workspace and capability.

     Least role: `viewer`.

    Args:
        days (int | None | Unset):
        month (None | str | Unset):
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | UsageReport
     """


    return sync_detailed(
        client=client,
days=days,
month=month,
format_=format_,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    days: int | None | Unset = UNSET,
    month: None | str | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> Response[ErrorBody | UsageReport]:
    """ Busy seconds per day and capability of the caller's workspace's jobs;
    for an admin workspace's key also every worker's and the budget's state.
    With `[billing]` prices, the month's cost in money (`month`), or with
    `format=csv` that month's cost per workspace and capability.

     Least role: `viewer`.

    Args:
        days (int | None | Unset):
        month (None | str | Unset):
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | UsageReport]
     """


    kwargs = _get_kwargs(
        days=days,
month=month,
format_=format_,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    days: int | None | Unset = UNSET,
    month: None | str | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> ErrorBody | UsageReport | None:
    """ Busy seconds per day and capability of the caller's workspace's jobs;
    for an admin workspace's key also every worker's and the budget's state.
    With `[billing]` prices, the month's cost in money (`month`), or with
    `format=csv` that month's cost per workspace and capability.

     Least role: `viewer`.

    Args:
        days (int | None | Unset):
        month (None | str | Unset):
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | UsageReport
     """


    return (await asyncio_detailed(
        client=client,
days=days,
month=month,
format_=format_,

    )).parsed
