from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.similar_page import SimilarPage
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    id: str,
    *,
    start: float | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_start: float | None | Unset
    if isinstance(start, Unset):
        json_start = UNSET
    else:
        json_start = start
    params["start"] = json_start

    json_limit: int | None | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/media/{id}/similar".format(id=quote(str(id), safe=""),),
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | SimilarPage | None:
    if response.status_code == 200:
        response_200 = SimilarPage.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | SimilarPage]:
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
    start: float | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,

) -> Response[ErrorBody | SimilarPage]:
    """ Other media that look like this one (or like one moment of it), by the
    CLIP embeddings of their frames.

     Least role: `viewer`.

    Args:
        id (str):
        start (float | None | Unset):
        limit (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SimilarPage]
     """


    kwargs = _get_kwargs(
        id=id,
start=start,
limit=limit,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    start: float | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,

) -> ErrorBody | SimilarPage | None:
    """ Other media that look like this one (or like one moment of it), by the
    CLIP embeddings of their frames.

     Least role: `viewer`.

    Args:
        id (str):
        start (float | None | Unset):
        limit (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SimilarPage
     """


    return sync_detailed(
        id=id,
client=client,
start=start,
limit=limit,

    ).parsed

async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    start: float | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,

) -> Response[ErrorBody | SimilarPage]:
    """ Other media that look like this one (or like one moment of it), by the
    CLIP embeddings of their frames.

     Least role: `viewer`.

    Args:
        id (str):
        start (float | None | Unset):
        limit (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SimilarPage]
     """


    kwargs = _get_kwargs(
        id=id,
start=start,
limit=limit,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    start: float | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,

) -> ErrorBody | SimilarPage | None:
    """ Other media that look like this one (or like one moment of it), by the
    CLIP embeddings of their frames.

     Least role: `viewer`.

    Args:
        id (str):
        start (float | None | Unset):
        limit (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SimilarPage
     """


    return (await asyncio_detailed(
        id=id,
client=client,
start=start,
limit=limit,

    )).parsed
