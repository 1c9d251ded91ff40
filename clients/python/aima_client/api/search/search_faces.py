from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.person_matches import PersonMatches
from ...types import File, FileTypes
from ...types import UNSET, Unset
from io import BytesIO
from typing import cast



def _get_kwargs(
    *,
    body: File,
    model: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    params: dict[str, Any] = {}

    json_model: None | str | Unset
    if isinstance(model, Unset):
        json_model = UNSET
    else:
        json_model = model
    params["model"] = json_model

    json_limit: int | None | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/search/faces",
        "params": params,
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | PersonMatches | None:
    if response.status_code == 200:
        response_200 = PersonMatches.from_dict(response.json())



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

    if response.status_code == 415:
        response_415 = ErrorBody.from_dict(response.json())



        return response_415

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())



        return response_422

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | PersonMatches]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: File,
    model: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,

) -> Response[ErrorBody | PersonMatches]:
    """ Persons whose faces match the faces in an image, best first.

     Least role: `viewer`.

    Args:
        model (None | str | Unset):
        limit (int | None | Unset):
        body (File): A file's bytes, as the document names them (a binary string, so that
            generated clients send a file, not a list of numbers).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PersonMatches]
     """


    kwargs = _get_kwargs(
        body=body,
model=model,
limit=limit,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    body: File,
    model: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,

) -> ErrorBody | PersonMatches | None:
    """ Persons whose faces match the faces in an image, best first.

     Least role: `viewer`.

    Args:
        model (None | str | Unset):
        limit (int | None | Unset):
        body (File): A file's bytes, as the document names them (a binary string, so that
            generated clients send a file, not a list of numbers).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PersonMatches
     """


    return sync_detailed(
        client=client,
body=body,
model=model,
limit=limit,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: File,
    model: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,

) -> Response[ErrorBody | PersonMatches]:
    """ Persons whose faces match the faces in an image, best first.

     Least role: `viewer`.

    Args:
        model (None | str | Unset):
        limit (int | None | Unset):
        body (File): A file's bytes, as the document names them (a binary string, so that
            generated clients send a file, not a list of numbers).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PersonMatches]
     """


    kwargs = _get_kwargs(
        body=body,
model=model,
limit=limit,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: File,
    model: None | str | Unset = UNSET,
    limit: int | None | Unset = UNSET,

) -> ErrorBody | PersonMatches | None:
    """ Persons whose faces match the faces in an image, best first.

     Least role: `viewer`.

    Args:
        model (None | str | Unset):
        limit (int | None | Unset):
        body (File): A file's bytes, as the document names them (a binary string, so that
            generated clients send a file, not a list of numbers).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PersonMatches
     """


    return (await asyncio_detailed(
        client=client,
body=body,
model=model,
limit=limit,

    )).parsed
