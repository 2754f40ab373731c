from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.verification import Verification
from ...types import UNSET, Response, Unset


def _get_kwargs(
    number: str,
    *,
    if_none_match: None | str | Unset = UNSET,
    accept: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["if-none-match"] = if_none_match

    if not isinstance(accept, Unset):
        headers["accept"] = accept

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/registry/recognitions/{number}".format(
            number=quote(str(number), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | Verification | None:
    if response.status_code == 200:
        response_200 = Verification.from_dict(response.json())

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | Problem | Verification]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    number: str,
    *,
    client: AuthenticatedClient | Client,
    if_none_match: None | str | Unset = UNSET,
    accept: None | str | Unset = UNSET,
) -> Response[Any | Problem | Verification]:
    """Verify By Number

     Verify a recognition by its number: current status and history with dates.

    Args:
        number (str):
        if_none_match (None | str | Unset):
        accept (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | Verification]
    """

    kwargs = _get_kwargs(
        number=number,
        if_none_match=if_none_match,
        accept=accept,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    number: str,
    *,
    client: AuthenticatedClient | Client,
    if_none_match: None | str | Unset = UNSET,
    accept: None | str | Unset = UNSET,
) -> Any | Problem | Verification | None:
    """Verify By Number

     Verify a recognition by its number: current status and history with dates.

    Args:
        number (str):
        if_none_match (None | str | Unset):
        accept (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | Verification
    """

    return sync_detailed(
        number=number,
        client=client,
        if_none_match=if_none_match,
        accept=accept,
    ).parsed


async def asyncio_detailed(
    number: str,
    *,
    client: AuthenticatedClient | Client,
    if_none_match: None | str | Unset = UNSET,
    accept: None | str | Unset = UNSET,
) -> Response[Any | Problem | Verification]:
    """Verify By Number

     Verify a recognition by its number: current status and history with dates.

    Args:
        number (str):
        if_none_match (None | str | Unset):
        accept (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | Verification]
    """

    kwargs = _get_kwargs(
        number=number,
        if_none_match=if_none_match,
        accept=accept,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    number: str,
    *,
    client: AuthenticatedClient | Client,
    if_none_match: None | str | Unset = UNSET,
    accept: None | str | Unset = UNSET,
) -> Any | Problem | Verification | None:
    """Verify By Number

     Verify a recognition by its number: current status and history with dates.

    Args:
        number (str):
        if_none_match (None | str | Unset):
        accept (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | Verification
    """

    return (
        await asyncio_detailed(
            number=number,
            client=client,
            if_none_match=if_none_match,
            accept=accept,
        )
    ).parsed
