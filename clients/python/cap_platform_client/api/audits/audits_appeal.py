from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.appeal_create import AppealCreate
from ...models.finding_public import FindingPublic
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    finding_id: str,
    *,
    body: AppealCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/findings/{finding_id}/appeal".format(
            finding_id=quote(str(finding_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> FindingPublic | Problem | None:
    if response.status_code == 201:
        response_201 = FindingPublic.from_dict(response.json())

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
) -> Response[FindingPublic | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    finding_id: str,
    *,
    client: AuthenticatedClient,
    body: AppealCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[FindingPublic | Problem]:
    """Appeal

     The audited structure appeals a nonconformity within the scheme's appeal period (its
    member_admin, or an admin); its deadlines stop until the outcome (ISO/IEC 17021-1 §9.7).

    Args:
        finding_id (str):
        idempotency_key (str | Unset):
        body (AppealCreate): The audited structure appeals a finding (within the scheme's
            appeal_days).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FindingPublic | Problem]
    """

    kwargs = _get_kwargs(
        finding_id=finding_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    finding_id: str,
    *,
    client: AuthenticatedClient,
    body: AppealCreate,
    idempotency_key: str | Unset = UNSET,
) -> FindingPublic | Problem | None:
    """Appeal

     The audited structure appeals a nonconformity within the scheme's appeal period (its
    member_admin, or an admin); its deadlines stop until the outcome (ISO/IEC 17021-1 §9.7).

    Args:
        finding_id (str):
        idempotency_key (str | Unset):
        body (AppealCreate): The audited structure appeals a finding (within the scheme's
            appeal_days).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FindingPublic | Problem
    """

    return sync_detailed(
        finding_id=finding_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    finding_id: str,
    *,
    client: AuthenticatedClient,
    body: AppealCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[FindingPublic | Problem]:
    """Appeal

     The audited structure appeals a nonconformity within the scheme's appeal period (its
    member_admin, or an admin); its deadlines stop until the outcome (ISO/IEC 17021-1 §9.7).

    Args:
        finding_id (str):
        idempotency_key (str | Unset):
        body (AppealCreate): The audited structure appeals a finding (within the scheme's
            appeal_days).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FindingPublic | Problem]
    """

    kwargs = _get_kwargs(
        finding_id=finding_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    finding_id: str,
    *,
    client: AuthenticatedClient,
    body: AppealCreate,
    idempotency_key: str | Unset = UNSET,
) -> FindingPublic | Problem | None:
    """Appeal

     The audited structure appeals a nonconformity within the scheme's appeal period (its
    member_admin, or an admin); its deadlines stop until the outcome (ISO/IEC 17021-1 §9.7).

    Args:
        finding_id (str):
        idempotency_key (str | Unset):
        body (AppealCreate): The audited structure appeals a finding (within the scheme's
            appeal_days).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FindingPublic | Problem
    """

    return (
        await asyncio_detailed(
            finding_id=finding_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
