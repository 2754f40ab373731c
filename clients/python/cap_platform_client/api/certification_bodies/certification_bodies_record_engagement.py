from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.engagement_create import EngagementCreate
from ...models.engagement_public import EngagementPublic
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    auditor_id: str,
    *,
    body: EngagementCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/auditors/{auditor_id}/engagements".format(
            auditor_id=quote(str(auditor_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> EngagementPublic | Problem | None:
    if response.status_code == 201:
        response_201 = EngagementPublic.from_dict(response.json())

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
) -> Response[EngagementPublic | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    auditor_id: str,
    *,
    client: AuthenticatedClient,
    body: EngagementCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[EngagementPublic | Problem]:
    """Record Engagement

     Record the auditor's consultancy, accompaniment or training given to an organisation:
    it bars them from auditing it and deciding on it for the scheme's cooling-off period
    (ISO/IEC 17021-1 §5.2.11); ``audited`` is history only (admin).

    Args:
        auditor_id (str):
        idempotency_key (str | Unset):
        body (EngagementCreate): An auditor's engagement with an organisation to record.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EngagementPublic | Problem]
    """

    kwargs = _get_kwargs(
        auditor_id=auditor_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    auditor_id: str,
    *,
    client: AuthenticatedClient,
    body: EngagementCreate,
    idempotency_key: str | Unset = UNSET,
) -> EngagementPublic | Problem | None:
    """Record Engagement

     Record the auditor's consultancy, accompaniment or training given to an organisation:
    it bars them from auditing it and deciding on it for the scheme's cooling-off period
    (ISO/IEC 17021-1 §5.2.11); ``audited`` is history only (admin).

    Args:
        auditor_id (str):
        idempotency_key (str | Unset):
        body (EngagementCreate): An auditor's engagement with an organisation to record.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EngagementPublic | Problem
    """

    return sync_detailed(
        auditor_id=auditor_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    auditor_id: str,
    *,
    client: AuthenticatedClient,
    body: EngagementCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[EngagementPublic | Problem]:
    """Record Engagement

     Record the auditor's consultancy, accompaniment or training given to an organisation:
    it bars them from auditing it and deciding on it for the scheme's cooling-off period
    (ISO/IEC 17021-1 §5.2.11); ``audited`` is history only (admin).

    Args:
        auditor_id (str):
        idempotency_key (str | Unset):
        body (EngagementCreate): An auditor's engagement with an organisation to record.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EngagementPublic | Problem]
    """

    kwargs = _get_kwargs(
        auditor_id=auditor_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    auditor_id: str,
    *,
    client: AuthenticatedClient,
    body: EngagementCreate,
    idempotency_key: str | Unset = UNSET,
) -> EngagementPublic | Problem | None:
    """Record Engagement

     Record the auditor's consultancy, accompaniment or training given to an organisation:
    it bars them from auditing it and deciding on it for the scheme's cooling-off period
    (ISO/IEC 17021-1 §5.2.11); ``audited`` is history only (admin).

    Args:
        auditor_id (str):
        idempotency_key (str | Unset):
        body (EngagementCreate): An auditor's engagement with an organisation to record.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EngagementPublic | Problem
    """

    return (
        await asyncio_detailed(
            auditor_id=auditor_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
