from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.labelling_appeal_create import LabellingAppealCreate
from ...models.labelling_appeal_public import LabellingAppealPublic
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    decision_id: str,
    *,
    body: LabellingAppealCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/decisions/{decision_id}/appeal".format(
            decision_id=quote(str(decision_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> LabellingAppealPublic | Problem | None:
    if response.status_code == 201:
        response_201 = LabellingAppealPublic.from_dict(response.json())

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
) -> Response[LabellingAppealPublic | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    decision_id: str,
    *,
    client: AuthenticatedClient,
    body: LabellingAppealCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[LabellingAppealPublic | Problem]:
    """Appeal Decision

     Appeal a refusal, or a granted CAP RSE level (the structure's member_admin, or an
    admin), within the scheme's appeal_days of the decision (409 ``appeal-period-over``); once
    per decision (409 ``already-appealed``). Publishes decision.appeal_lodged.v1.

    Args:
        decision_id (str):
        idempotency_key (str | Unset):
        body (LabellingAppealCreate): An appeal lodged against a decision.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LabellingAppealPublic | Problem]
    """

    kwargs = _get_kwargs(
        decision_id=decision_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    decision_id: str,
    *,
    client: AuthenticatedClient,
    body: LabellingAppealCreate,
    idempotency_key: str | Unset = UNSET,
) -> LabellingAppealPublic | Problem | None:
    """Appeal Decision

     Appeal a refusal, or a granted CAP RSE level (the structure's member_admin, or an
    admin), within the scheme's appeal_days of the decision (409 ``appeal-period-over``); once
    per decision (409 ``already-appealed``). Publishes decision.appeal_lodged.v1.

    Args:
        decision_id (str):
        idempotency_key (str | Unset):
        body (LabellingAppealCreate): An appeal lodged against a decision.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LabellingAppealPublic | Problem
    """

    return sync_detailed(
        decision_id=decision_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    decision_id: str,
    *,
    client: AuthenticatedClient,
    body: LabellingAppealCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[LabellingAppealPublic | Problem]:
    """Appeal Decision

     Appeal a refusal, or a granted CAP RSE level (the structure's member_admin, or an
    admin), within the scheme's appeal_days of the decision (409 ``appeal-period-over``); once
    per decision (409 ``already-appealed``). Publishes decision.appeal_lodged.v1.

    Args:
        decision_id (str):
        idempotency_key (str | Unset):
        body (LabellingAppealCreate): An appeal lodged against a decision.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LabellingAppealPublic | Problem]
    """

    kwargs = _get_kwargs(
        decision_id=decision_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    decision_id: str,
    *,
    client: AuthenticatedClient,
    body: LabellingAppealCreate,
    idempotency_key: str | Unset = UNSET,
) -> LabellingAppealPublic | Problem | None:
    """Appeal Decision

     Appeal a refusal, or a granted CAP RSE level (the structure's member_admin, or an
    admin), within the scheme's appeal_days of the decision (409 ``appeal-period-over``); once
    per decision (409 ``already-appealed``). Publishes decision.appeal_lodged.v1.

    Args:
        decision_id (str):
        idempotency_key (str | Unset):
        body (LabellingAppealCreate): An appeal lodged against a decision.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LabellingAppealPublic | Problem
    """

    return (
        await asyncio_detailed(
            decision_id=decision_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
