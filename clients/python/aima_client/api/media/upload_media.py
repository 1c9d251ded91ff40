from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.upload_response import UploadResponse
from ...types import File, FileTypes
from ...types import UNSET, Unset
from io import BytesIO
from typing import cast



def _get_kwargs(
    *,
    body: File,
    pipeline: str | Unset = UNSET,
    filename: None | str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    params: dict[str, Any] = {}

    params["pipeline"] = pipeline

    json_filename: None | str | Unset
    if isinstance(filename, Unset):
        json_filename = UNSET
    else:
        json_filename = filename
    params["filename"] = json_filename


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/media",
        "params": params,
    }

    _kwargs["content"] = body.payload
    headers["Content-Type"] = "application/octet-stream"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | UploadResponse | None:
    if response.status_code == 200:
        response_200 = UploadResponse.from_dict(response.json())



        return response_200

    if response.status_code == 201:
        response_201 = UploadResponse.from_dict(response.json())



        return response_201

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())



        return response_403

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = ErrorBody.from_dict(response.json())



        return response_415

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | UploadResponse]:
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
    pipeline: str | Unset = UNSET,
    filename: None | str | Unset = UNSET,

) -> Response[ErrorBody | UploadResponse]:
    """ Upload media: multipart (`file` field) or the raw body.

     Streamed to disk, hashed (SHA-256), probed with ffprobe. The same bytes
    uploaded again to the same workspace give the same media back (200).

    Least role: `editor`.

    Args:
        pipeline (str | Unset):
        filename (None | str | Unset):
        body (File): A file's bytes, as the document names them (a binary string, so that
            generated clients send a file, not a list of numbers).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | UploadResponse]
     """


    kwargs = _get_kwargs(
        body=body,
pipeline=pipeline,
filename=filename,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    body: File,
    pipeline: str | Unset = UNSET,
    filename: None | str | Unset = UNSET,

) -> ErrorBody | UploadResponse | None:
    """ Upload media: multipart (`file` field) or the raw body.

     Streamed to disk, hashed (SHA-256), probed with ffprobe. The same bytes
    uploaded again to the same workspace give the same media back (200).

    Least role: `editor`.

    Args:
        pipeline (str | Unset):
        filename (None | str | Unset):
        body (File): A file's bytes, as the document names them (a binary string, so that
            generated clients send a file, not a list of numbers).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | UploadResponse
     """


    return sync_detailed(
        client=client,
body=body,
pipeline=pipeline,
filename=filename,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: File,
    pipeline: str | Unset = UNSET,
    filename: None | str | Unset = UNSET,

) -> Response[ErrorBody | UploadResponse]:
    """ Upload media: multipart (`file` field) or the raw body.

     Streamed to disk, hashed (SHA-256), probed with ffprobe. The same bytes
    uploaded again to the same workspace give the same media back (200).

    Least role: `editor`.

    Args:
        pipeline (str | Unset):
        filename (None | str | Unset):
        body (File): A file's bytes, as the document names them (a binary string, so that
            generated clients send a file, not a list of numbers).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | UploadResponse]
     """


    kwargs = _get_kwargs(
        body=body,
pipeline=pipeline,
filename=filename,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: File,
    pipeline: str | Unset = UNSET,
    filename: None | str | Unset = UNSET,

) -> ErrorBody | UploadResponse | None:
    """ Upload media: multipart (`file` field) or the raw body.

     Streamed to disk, hashed (SHA-256), probed with ffprobe. The same bytes
    uploaded again to the same workspace give the same media back (200).

    Least role: `editor`.

    Args:
        pipeline (str | Unset):
        filename (None | str | Unset):
        body (File): A file's bytes, as the document names them (a binary string, so that
            generated clients send a file, not a list of numbers).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | UploadResponse
     """


    return (await asyncio_detailed(
        client=client,
body=body,
pipeline=pipeline,
filename=filename,

    )).parsed
