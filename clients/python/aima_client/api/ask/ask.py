from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.answer import Answer
from ...models.ask_request import AskRequest
from ...models.error_body import ErrorBody
from typing import cast



def _get_kwargs(
    *,
    body: AskRequest,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/ask",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Answer | ErrorBody | None:
    if response.status_code == 200:
        response_200 = Answer.from_dict(response.json())



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

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = ErrorBody.from_dict(response.json())



        return response_415

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Answer | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AskRequest,

) -> Response[Answer | ErrorBody]:
    """ Answers a question from the workspace's activity and media: computed
    by read-only tools, every number cited. With `Accept:
    text/event-stream`: `tool` events (each call), `delta` events (the
    answer's text as it is written), then `done` (the whole answer) or
    `error` (the JSON error).

     Least role: `viewer`.

    Args:
        body (AskRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Answer | ErrorBody]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    body: AskRequest,

) -> Answer | ErrorBody | None:
    """ Answers a question from the workspace's activity and media: computed
    by read-only tools, every number cited. With `Accept:
    text/event-stream`: `tool` events (each call), `delta` events (the
    answer's text as it is written), then `done` (the whole answer) or
    `error` (the JSON error).

     Least role: `viewer`.

    Args:
        body (AskRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Answer | ErrorBody
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AskRequest,

) -> Response[Answer | ErrorBody]:
    """ Answers a question from the workspace's activity and media: computed
    by read-only tools, every number cited. With `Accept:
    text/event-stream`: `tool` events (each call), `delta` events (the
    answer's text as it is written), then `done` (the whole answer) or
    `error` (the JSON error).

     Least role: `viewer`.

    Args:
        body (AskRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Answer | ErrorBody]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: AskRequest,

) -> Answer | ErrorBody | None:
    """ Answers a question from the workspace's activity and media: computed
    by read-only tools, every number cited. With `Accept:
    text/event-stream`: `tool` events (each call), `delta` events (the
    answer's text as it is written), then `done` (the whole answer) or
    `error` (the JSON error).

     Least role: `viewer`.

    Args:
        body (AskRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Answer | ErrorBody
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
