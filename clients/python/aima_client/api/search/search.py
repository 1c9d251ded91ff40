from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_body import ErrorBody
from ...models.media_kind import MediaKind
from ...models.search_mode import SearchMode
from ...models.search_page import SearchPage
from ...models.search_sort import SearchSort
from ...types import UNSET, Unset
from typing import cast
import datetime



def _get_kwargs(
    *,
    q: str,
    analyzer: None | str | Unset = UNSET,
    media_id: None | str | Unset = UNSET,
    person_id: None | str | Unset = UNSET,
    kind: MediaKind | None | Unset = UNSET,
    created_after: datetime.datetime | int | str | Unset = UNSET,
    created_before: datetime.datetime | int | str | Unset = UNSET,
    mode: None | SearchMode | Unset = UNSET,
    sort: None | SearchSort | Unset = UNSET,
    min_score: float | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["q"] = q

    json_analyzer: None | str | Unset
    if isinstance(analyzer, Unset):
        json_analyzer = UNSET
    else:
        json_analyzer = analyzer
    params["analyzer"] = json_analyzer

    json_media_id: None | str | Unset
    if isinstance(media_id, Unset):
        json_media_id = UNSET
    else:
        json_media_id = media_id
    params["media_id"] = json_media_id

    json_person_id: None | str | Unset
    if isinstance(person_id, Unset):
        json_person_id = UNSET
    else:
        json_person_id = person_id
    params["person_id"] = json_person_id

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

    json_mode: None | str | Unset
    if isinstance(mode, Unset):
        json_mode = UNSET
    elif isinstance(mode, SearchMode):
        json_mode = mode.value
    else:
        json_mode = mode
    params["mode"] = json_mode

    json_sort: None | str | Unset
    if isinstance(sort, Unset):
        json_sort = UNSET
    elif isinstance(sort, SearchSort):
        json_sort = sort.value
    else:
        json_sort = sort
    params["sort"] = json_sort

    json_min_score: float | None | Unset
    if isinstance(min_score, Unset):
        json_min_score = UNSET
    else:
        json_min_score = min_score
    params["min_score"] = json_min_score

    json_limit: int | None | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/search",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | SearchPage | None:
    if response.status_code == 200:
        response_200 = SearchPage.from_dict(response.json())



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

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ErrorBody | SearchPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    q: str,
    analyzer: None | str | Unset = UNSET,
    media_id: None | str | Unset = UNSET,
    person_id: None | str | Unset = UNSET,
    kind: MediaKind | None | Unset = UNSET,
    created_after: datetime.datetime | int | str | Unset = UNSET,
    created_before: datetime.datetime | int | str | Unset = UNSET,
    mode: None | SearchMode | Unset = UNSET,
    sort: None | SearchSort | Unset = UNSET,
    min_score: float | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,

) -> Response[ErrorBody | SearchPage]:
    """ Time-coded hits for what is said, shown or named in the workspace's
    media, by words, by meaning, or both.

     Least role: `viewer`.

    Args:
        q (str):
        analyzer (None | str | Unset):
        media_id (None | str | Unset):
        person_id (None | str | Unset):
        kind (MediaKind | None | Unset):
        created_after (datetime.datetime | int | str | Unset):
        created_before (datetime.datetime | int | str | Unset):
        mode (None | SearchMode | Unset):
        sort (None | SearchSort | Unset):
        min_score (float | None | Unset):
        limit (int | None | Unset):
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SearchPage]
     """


    kwargs = _get_kwargs(
        q=q,
analyzer=analyzer,
media_id=media_id,
person_id=person_id,
kind=kind,
created_after=created_after,
created_before=created_before,
mode=mode,
sort=sort,
min_score=min_score,
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
    q: str,
    analyzer: None | str | Unset = UNSET,
    media_id: None | str | Unset = UNSET,
    person_id: None | str | Unset = UNSET,
    kind: MediaKind | None | Unset = UNSET,
    created_after: datetime.datetime | int | str | Unset = UNSET,
    created_before: datetime.datetime | int | str | Unset = UNSET,
    mode: None | SearchMode | Unset = UNSET,
    sort: None | SearchSort | Unset = UNSET,
    min_score: float | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,

) -> ErrorBody | SearchPage | None:
    """ Time-coded hits for what is said, shown or named in the workspace's
    media, by words, by meaning, or both.

     Least role: `viewer`.

    Args:
        q (str):
        analyzer (None | str | Unset):
        media_id (None | str | Unset):
        person_id (None | str | Unset):
        kind (MediaKind | None | Unset):
        created_after (datetime.datetime | int | str | Unset):
        created_before (datetime.datetime | int | str | Unset):
        mode (None | SearchMode | Unset):
        sort (None | SearchSort | Unset):
        min_score (float | None | Unset):
        limit (int | None | Unset):
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SearchPage
     """


    return sync_detailed(
        client=client,
q=q,
analyzer=analyzer,
media_id=media_id,
person_id=person_id,
kind=kind,
created_after=created_after,
created_before=created_before,
mode=mode,
sort=sort,
min_score=min_score,
limit=limit,
cursor=cursor,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    q: str,
    analyzer: None | str | Unset = UNSET,
    media_id: None | str | Unset = UNSET,
    person_id: None | str | Unset = UNSET,
    kind: MediaKind | None | Unset = UNSET,
    created_after: datetime.datetime | int | str | Unset = UNSET,
    created_before: datetime.datetime | int | str | Unset = UNSET,
    mode: None | SearchMode | Unset = UNSET,
    sort: None | SearchSort | Unset = UNSET,
    min_score: float | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,

) -> Response[ErrorBody | SearchPage]:
    """ Time-coded hits for what is said, shown or named in the workspace's
    media, by words, by meaning, or both.

     Least role: `viewer`.

    Args:
        q (str):
        analyzer (None | str | Unset):
        media_id (None | str | Unset):
        person_id (None | str | Unset):
        kind (MediaKind | None | Unset):
        created_after (datetime.datetime | int | str | Unset):
        created_before (datetime.datetime | int | str | Unset):
        mode (None | SearchMode | Unset):
        sort (None | SearchSort | Unset):
        min_score (float | None | Unset):
        limit (int | None | Unset):
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SearchPage]
     """


    kwargs = _get_kwargs(
        q=q,
analyzer=analyzer,
media_id=media_id,
person_id=person_id,
kind=kind,
created_after=created_after,
created_before=created_before,
mode=mode,
sort=sort,
min_score=min_score,
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
    q: str,
    analyzer: None | str | Unset = UNSET,
    media_id: None | str | Unset = UNSET,
    person_id: None | str | Unset = UNSET,
    kind: MediaKind | None | Unset = UNSET,
    created_after: datetime.datetime | int | str | Unset = UNSET,
    created_before: datetime.datetime | int | str | Unset = UNSET,
    mode: None | SearchMode | Unset = UNSET,
    sort: None | SearchSort | Unset = UNSET,
    min_score: float | None | Unset = UNSET,
    limit: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,

) -> ErrorBody | SearchPage | None:
    """ Time-coded hits for what is said, shown or named in the workspace's
    media, by words, by meaning, or both.

     Least role: `viewer`.

    Args:
        q (str):
        analyzer (None | str | Unset):
        media_id (None | str | Unset):
        person_id (None | str | Unset):
        kind (MediaKind | None | Unset):
        created_after (datetime.datetime | int | str | Unset):
        created_before (datetime.datetime | int | str | Unset):
        mode (None | SearchMode | Unset):
        sort (None | SearchSort | Unset):
        min_score (float | None | Unset):
        limit (int | None | Unset):
        cursor (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SearchPage
     """


    return (await asyncio_detailed(
        client=client,
q=q,
analyzer=analyzer,
media_id=media_id,
person_id=person_id,
kind=kind,
created_after=created_after,
created_before=created_before,
mode=mode,
sort=sort,
min_score=min_score,
limit=limit,
cursor=cursor,

    )).parsed
