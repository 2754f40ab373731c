from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.auth_revoke_token_response_auth_revoke_token import AuthRevokeTokenResponseAuthRevokeToken
from ...models.body_auth_revoke_token import BodyAuthRevokeToken
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    *,
    body: BodyAuthRevokeToken,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/auth/revoke",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AuthRevokeTokenResponseAuthRevokeToken | Problem | None:
    if response.status_code == 200:
        response_200 = AuthRevokeTokenResponseAuthRevokeToken.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AuthRevokeTokenResponseAuthRevokeToken | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BodyAuthRevokeToken,
) -> Response[AuthRevokeTokenResponseAuthRevokeToken | Problem]:
    """Revoke Token

     RFC 7009: sign out by revoking a refresh token (and its rotation family).

    Args:
        body (BodyAuthRevokeToken):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuthRevokeTokenResponseAuthRevokeToken | Problem]
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
    body: BodyAuthRevokeToken,
) -> AuthRevokeTokenResponseAuthRevokeToken | Problem | None:
    """Revoke Token

     RFC 7009: sign out by revoking a refresh token (and its rotation family).

    Args:
        body (BodyAuthRevokeToken):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuthRevokeTokenResponseAuthRevokeToken | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BodyAuthRevokeToken,
) -> Response[AuthRevokeTokenResponseAuthRevokeToken | Problem]:
    """Revoke Token

     RFC 7009: sign out by revoking a refresh token (and its rotation family).

    Args:
        body (BodyAuthRevokeToken):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuthRevokeTokenResponseAuthRevokeToken | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: BodyAuthRevokeToken,
) -> AuthRevokeTokenResponseAuthRevokeToken | Problem | None:
    """Revoke Token

     RFC 7009: sign out by revoking a refresh token (and its rotation family).

    Args:
        body (BodyAuthRevokeToken):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuthRevokeTokenResponseAuthRevokeToken | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
