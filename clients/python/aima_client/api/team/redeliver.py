from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.delivery_info import DeliveryInfo
from ...models.error_body import ErrorBody
from typing import cast



def _get_kwargs(
    id: str,
    delivery: str,

) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver".format(id=quote(str(id), safe=""),delivery=quote(str(delivery), safe=""),),
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DeliveryInfo | ErrorBody | None:
    if response.status_code == 202:
        response_202 = DeliveryInfo.from_dict(response.json())



        return response_202

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[DeliveryInfo | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    delivery: str,
    *,
    client: AuthenticatedClient | Client,

) -> Response[DeliveryInfo | ErrorBody]:
    """ Sends a delivery's body again, as a new delivery.

     Least role: `admin`.

    Args:
        id (str):
        delivery (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeliveryInfo | ErrorBody]
     """


    kwargs = _get_kwargs(
        id=id,
delivery=delivery,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    id: str,
    delivery: str,
    *,
    client: AuthenticatedClient | Client,

) -> DeliveryInfo | ErrorBody | None:
    """ Sends a delivery's body again, as a new delivery.

     Least role: `admin`.

    Args:
        id (str):
        delivery (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeliveryInfo | ErrorBody
     """


    return sync_detailed(
        id=id,
delivery=delivery,
client=client,

    ).parsed

async def asyncio_detailed(
    id: str,
    delivery: str,
    *,
    client: AuthenticatedClient | Client,

) -> Response[DeliveryInfo | ErrorBody]:
    """ Sends a delivery's body again, as a new delivery.

     Least role: `admin`.

    Args:
        id (str):
        delivery (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeliveryInfo | ErrorBody]
     """


    kwargs = _get_kwargs(
        id=id,
delivery=delivery,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    id: str,
    delivery: str,
    *,
    client: AuthenticatedClient | Client,

) -> DeliveryInfo | ErrorBody | None:
    """ Sends a delivery's body again, as a new delivery.

     Least role: `admin`.

    Args:
        id (str):
        delivery (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeliveryInfo | ErrorBody
     """


    return (await asyncio_detailed(
        id=id,
delivery=delivery,
client=client,

    )).parsed
