from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.insight_list import InsightList
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    id: str,
    *,
    analyzer: None | str | Unset = UNSET,
    kind: None | str | Unset = UNSET,
    from_: float | None | Unset = UNSET,
    to: float | None | Unset = UNSET,
    include_rejected: bool | None | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_analyzer: None | str | Unset
    if isinstance(analyzer, Unset):
        json_analyzer = UNSET
    else:
        json_analyzer = analyzer
    params["analyzer"] = json_analyzer

    json_kind: None | str | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    else:
        json_kind = kind
    params["kind"] = json_kind

    json_from_: float | None | Unset
    if isinstance(from_, Unset):
        json_from_ = UNSET
    else:
        json_from_ = from_
    params["from"] = json_from_

    json_to: float | None | Unset
    if isinstance(to, Unset):
        json_to = UNSET
    else:
        json_to = to
    params["to"] = json_to

    json_include_rejected: bool | None | Unset
    if isinstance(include_rejected, Unset):
        json_include_rejected = UNSET
    else:
        json_include_rejected = include_rejected
    params["include_rejected"] = json_include_rejected

    json_format_: None | str | Unset
    if isinstance(format_, Unset):
        json_format_ = UNSET
    else:
        json_format_ = format_
    params["format"] = json_format_


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/media/{id}/insights".format(id=quote(str(id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | InsightList | None:
    if response.status_code == 200:
        response_200 = InsightList.from_dict(response.json())



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

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())



        return response_404

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | InsightList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    analyzer: None | str | Unset = UNSET,
    kind: None | str | Unset = UNSET,
    from_: float | None | Unset = UNSET,
    to: float | None | Unset = UNSET,
    include_rejected: bool | None | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> Response[ErrorBody | InsightList]:
    """ Every insight of a media, ordered by time, with filters.

     Least role: `viewer`.

    Args:
        id (str):
        analyzer (None | str | Unset):
        kind (None | str | Unset):
        from_ (float | None | Unset):
        to (float | None | Unset):
        include_rejected (bool | None | Unset):
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | InsightList]
     """


    kwargs = _get_kwargs(
        id=id,
analyzer=analyzer,
kind=kind,
from_=from_,
to=to,
include_rejected=include_rejected,
format_=format_,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    analyzer: None | str | Unset = UNSET,
    kind: None | str | Unset = UNSET,
    from_: float | None | Unset = UNSET,
    to: float | None | Unset = UNSET,
    include_rejected: bool | None | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> ErrorBody | InsightList | None:
    """ Every insight of a media, ordered by time, with filters.

     Least role: `viewer`.

    Args:
        id (str):
        analyzer (None | str | Unset):
        kind (None | str | Unset):
        from_ (float | None | Unset):
        to (float | None | Unset):
        include_rejected (bool | None | Unset):
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | InsightList
     """


    return sync_detailed(
        id=id,
client=client,
analyzer=analyzer,
kind=kind,
from_=from_,
to=to,
include_rejected=include_rejected,
format_=format_,

    ).parsed

async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    analyzer: None | str | Unset = UNSET,
    kind: None | str | Unset = UNSET,
    from_: float | None | Unset = UNSET,
    to: float | None | Unset = UNSET,
    include_rejected: bool | None | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> Response[ErrorBody | InsightList]:
    """ Every insight of a media, ordered by time, with filters.

     Least role: `viewer`.

    Args:
        id (str):
        analyzer (None | str | Unset):
        kind (None | str | Unset):
        from_ (float | None | Unset):
        to (float | None | Unset):
        include_rejected (bool | None | Unset):
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | InsightList]
     """


    kwargs = _get_kwargs(
        id=id,
analyzer=analyzer,
kind=kind,
from_=from_,
to=to,
include_rejected=include_rejected,
format_=format_,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    analyzer: None | str | Unset = UNSET,
    kind: None | str | Unset = UNSET,
    from_: float | None | Unset = UNSET,
    to: float | None | Unset = UNSET,
    include_rejected: bool | None | Unset = UNSET,
    format_: None | str | Unset = UNSET,

) -> ErrorBody | InsightList | None:
    """ Every insight of a media, ordered by time, with filters.

     Least role: `viewer`.

    Args:
        id (str):
        analyzer (None | str | Unset):
        kind (None | str | Unset):
        from_ (float | None | Unset):
        to (float | None | Unset):
        include_rejected (bool | None | Unset):
        format_ (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | InsightList
     """


    return (await asyncio_detailed(
        id=id,
client=client,
analyzer=analyzer,
kind=kind,
from_=from_,
to=to,
include_rejected=include_rejected,
format_=format_,

    )).parsed
