from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    last_event_id: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(last_event_id, Unset):
        headers["last-event-id"] = last_event_id

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/notifications/stream",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    last_event_id: None | str | Unset = UNSET,
) -> Response[Any | Problem]:
    """Stream

     Live notifications (Server-Sent Events, ``event: notification``, ``id`` = its sequence).
    Reconnect with ``Last-Event-ID`` to receive what was missed; the stream ends after
    ``stream_max_s`` (the browser's EventSource reconnects by itself).

    Args:
        last_event_id (None | str | Unset): The id of the last event received. An id this stream
            cannot have sent (not a sequence number, or beyond the caller's newest notification) is
            ignored: the stream starts from now, as without the header

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        last_event_id=last_event_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    last_event_id: None | str | Unset = UNSET,
) -> Any | Problem | None:
    """Stream

     Live notifications (Server-Sent Events, ``event: notification``, ``id`` = its sequence).
    Reconnect with ``Last-Event-ID`` to receive what was missed; the stream ends after
    ``stream_max_s`` (the browser's EventSource reconnects by itself).

    Args:
        last_event_id (None | str | Unset): The id of the last event received. An id this stream
            cannot have sent (not a sequence number, or beyond the caller's newest notification) is
            ignored: the stream starts from now, as without the header

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return sync_detailed(
        client=client,
        last_event_id=last_event_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    last_event_id: None | str | Unset = UNSET,
) -> Response[Any | Problem]:
    """Stream

     Live notifications (Server-Sent Events, ``event: notification``, ``id`` = its sequence).
    Reconnect with ``Last-Event-ID`` to receive what was missed; the stream ends after
    ``stream_max_s`` (the browser's EventSource reconnects by itself).

    Args:
        last_event_id (None | str | Unset): The id of the last event received. An id this stream
            cannot have sent (not a sequence number, or beyond the caller's newest notification) is
            ignored: the stream starts from now, as without the header

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        last_event_id=last_event_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    last_event_id: None | str | Unset = UNSET,
) -> Any | Problem | None:
    """Stream

     Live notifications (Server-Sent Events, ``event: notification``, ``id`` = its sequence).
    Reconnect with ``Last-Event-ID`` to receive what was missed; the stream ends after
    ``stream_max_s`` (the browser's EventSource reconnects by itself).

    Args:
        last_event_id (None | str | Unset): The id of the last event received. An id this stream
            cannot have sent (not a sequence number, or beyond the caller's newest notification) is
            ignored: the stream starts from now, as without the header

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            last_event_id=last_event_id,
        )
    ).parsed
