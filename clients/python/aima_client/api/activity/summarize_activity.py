from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.summary import Summary
from ...models.summary_by import SummaryBy
from ...models.summary_period import SummaryPeriod
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    start: datetime.datetime | int | str | Unset = UNSET,
    end: datetime.datetime | int | str | Unset = UNSET,
    by: None | SummaryBy | Unset = UNSET,
    period: None | SummaryPeriod | Unset = UNSET,
    utc_offset_minutes: int | None | Unset = UNSET,
    format_: None | str | Unset = UNSET,

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

    json_by: None | str | Unset
    if isinstance(by, Unset):
        json_by = UNSET
    elif isinstance(by, SummaryBy):
        json_by = by.value
    else:
        json_by = by
    params["by"] = json_by

    json_period: None | str | Unset
    if isinstance(period, Unset):
        json_period = UNSET
    elif isinstance(period, SummaryPeriod):
        json_period = period.value
    else:
        json_period = period
    params["period"] = json_period

    json_utc_offset_minutes: int | None | Unset
    if isinstance(utc_offset_minutes, Unset):
        json_utc_offset_minutes = UNSET
    else:
        json_utc_offset_minutes = utc_offset_minutes
    params["utc_offset_minutes"] = json_utc_offset_minutes

    json_format_: None | str | Unset
    if isinstance(format_, Unset):
        json_format_ = UNSET
    else:
        json_format_ = format_
    params["format"] = json_format_


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/activity/summary",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | Summary | None:
    if response.status_code == 200:
        response_200 = Summary.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | Summary]:
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
    by: None | SummaryBy | Unset = UNSET,
    period: None | SummaryPeriod | Unset = UNSET,
    utc_offset_minutes: int | None | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> Response[ErrorBody | Summary]:
    """ Time per mode or per application, in total or by hour of day, weekday
    or day; JSON or CSV.

     Least role: `viewer`.

    Args:
        start (datetime.datetime | int | str | Unset):
        end (datetime.datetime | int | str | Unset):
        by (None | SummaryBy | Unset):
        period (None | SummaryPeriod | Unset):
        utc_offset_minutes (int | None | Unset):
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Summary]
     """


    kwargs = _get_kwargs(
        start=start,
end=end,
by=by,
period=period,
utc_offset_minutes=utc_offset_minutes,
format_=format_,

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
    by: None | SummaryBy | Unset = UNSET,
    period: None | SummaryPeriod | Unset = UNSET,
    utc_offset_minutes: int | None | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> ErrorBody | Summary | None:
    """ Time per mode or per application, in total or by hour of day, weekday
    or day; JSON or CSV.

     Least role: `viewer`.

    Args:
        start (datetime.datetime | int | str | Unset):
        end (datetime.datetime | int | str | Unset):
        by (None | SummaryBy | Unset):
        period (None | SummaryPeriod | Unset):
        utc_offset_minutes (int | None | Unset):
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Summary
     """


    return sync_detailed(
        client=client,
start=start,
end=end,
by=by,
period=period,
utc_offset_minutes=utc_offset_minutes,
format_=format_,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    start: datetime.datetime | int | str | Unset = UNSET,
    end: datetime.datetime | int | str | Unset = UNSET,
    by: None | SummaryBy | Unset = UNSET,
    period: None | SummaryPeriod | Unset = UNSET,
    utc_offset_minutes: int | None | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> Response[ErrorBody | Summary]:
    """ Time per mode or per application, in total or by hour of day, weekday
    or day; JSON or CSV.

     Least role: `viewer`.

    Args:
        start (datetime.datetime | int | str | Unset):
        end (datetime.datetime | int | str | Unset):
        by (None | SummaryBy | Unset):
        period (None | SummaryPeriod | Unset):
        utc_offset_minutes (int | None | Unset):
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | Summary]
     """


    kwargs = _get_kwargs(
        start=start,
end=end,
by=by,
period=period,
utc_offset_minutes=utc_offset_minutes,
format_=format_,

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
    by: None | SummaryBy | Unset = UNSET,
    period: None | SummaryPeriod | Unset = UNSET,
    utc_offset_minutes: int | None | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> ErrorBody | Summary | None:
    """ Time per mode or per application, in total or by hour of day, weekday
    or day; JSON or CSV.

     Least role: `viewer`.

    Args:
        start (datetime.datetime | int | str | Unset):
        end (datetime.datetime | int | str | Unset):
        by (None | SummaryBy | Unset):
        period (None | SummaryPeriod | Unset):
        utc_offset_minutes (int | None | Unset):
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | Summary
     """


    return (await asyncio_detailed(
        client=client,
start=start,
end=end,
by=by,
period=period,
utc_offset_minutes=utc_offset_minutes,
format_=format_,

    )).parsed
