from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.membership_create import MembershipCreate
from ...models.problem import Problem
from ...models.user_public import UserPublic
from ...types import UNSET, Response, Unset


def _get_kwargs(
    user_id: str,
    *,
    body: MembershipCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/users/{user_id}/memberships".format(
            user_id=quote(str(user_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | UserPublic | None:
    if response.status_code == 201:
        response_201 = UserPublic.from_dict(response.json())

        return response_201

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
) -> Response[Problem | UserPublic]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    user_id: str,
    *,
    client: AuthenticatedClient,
    body: MembershipCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | UserPublic]:
    """Grant Membership

     Give an existing user one more role (a member_admin: member or member_admin of their own
    organisation, to someone of it).

    Args:
        user_id (str):
        idempotency_key (str | Unset):
        body (MembershipCreate): Give an existing user one more role (admin only).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | UserPublic]
    """

    kwargs = _get_kwargs(
        user_id=user_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    user_id: str,
    *,
    client: AuthenticatedClient,
    body: MembershipCreate,
    idempotency_key: str | Unset = UNSET,
) -> Problem | UserPublic | None:
    """Grant Membership

     Give an existing user one more role (a member_admin: member or member_admin of their own
    organisation, to someone of it).

    Args:
        user_id (str):
        idempotency_key (str | Unset):
        body (MembershipCreate): Give an existing user one more role (admin only).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | UserPublic
    """

    return sync_detailed(
        user_id=user_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    user_id: str,
    *,
    client: AuthenticatedClient,
    body: MembershipCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | UserPublic]:
    """Grant Membership

     Give an existing user one more role (a member_admin: member or member_admin of their own
    organisation, to someone of it).

    Args:
        user_id (str):
        idempotency_key (str | Unset):
        body (MembershipCreate): Give an existing user one more role (admin only).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | UserPublic]
    """

    kwargs = _get_kwargs(
        user_id=user_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    user_id: str,
    *,
    client: AuthenticatedClient,
    body: MembershipCreate,
    idempotency_key: str | Unset = UNSET,
) -> Problem | UserPublic | None:
    """Grant Membership

     Give an existing user one more role (a member_admin: member or member_admin of their own
    organisation, to someone of it).

    Args:
        user_id (str):
        idempotency_key (str | Unset):
        body (MembershipCreate): Give an existing user one more role (admin only).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | UserPublic
    """

    return (
        await asyncio_detailed(
            user_id=user_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
