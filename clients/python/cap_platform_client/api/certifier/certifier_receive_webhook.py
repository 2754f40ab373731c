from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.webhook_receipt import WebhookReceipt
from ...types import Response


def _get_kwargs(
    body_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/certifier/webhooks/{body_id}".format(
            body_id=quote(str(body_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | WebhookReceipt | None:
    if response.status_code == 200:
        response_200 = WebhookReceipt.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 412:
        response_412 = Problem.from_dict(response.json())

        return response_412

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 428:
        response_428 = Problem.from_dict(response.json())

        return response_428

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 502:
        response_502 = Problem.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = Problem.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | WebhookReceipt]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    body_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Problem | WebhookReceipt]:
    """Receive Webhook

     A certification body's signed webhook (Standard Webhooks): see
    ``GET /v1/certifier/openapi.json`` for the events. 401 on a bad or stale signature; a
    webhook id already applied answers 200 with ``duplicate: true``.

    Args:
        body_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookReceipt]
    """

    kwargs = _get_kwargs(
        body_id=body_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    body_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Problem | WebhookReceipt | None:
    """Receive Webhook

     A certification body's signed webhook (Standard Webhooks): see
    ``GET /v1/certifier/openapi.json`` for the events. 401 on a bad or stale signature; a
    webhook id already applied answers 200 with ``duplicate: true``.

    Args:
        body_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookReceipt
    """

    return sync_detailed(
        body_id=body_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    body_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Problem | WebhookReceipt]:
    """Receive Webhook

     A certification body's signed webhook (Standard Webhooks): see
    ``GET /v1/certifier/openapi.json`` for the events. 401 on a bad or stale signature; a
    webhook id already applied answers 200 with ``duplicate: true``.

    Args:
        body_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookReceipt]
    """

    kwargs = _get_kwargs(
        body_id=body_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    body_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Problem | WebhookReceipt | None:
    """Receive Webhook

     A certification body's signed webhook (Standard Webhooks): see
    ``GET /v1/certifier/openapi.json`` for the events. 401 on a bad or stale signature; a
    webhook id already applied answers 200 with ``duplicate: true``.

    Args:
        body_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookReceipt
    """

    return (
        await asyncio_detailed(
            body_id=body_id,
            client=client,
        )
    ).parsed
