from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.labelling_appeal_decision import LabellingAppealDecision
from ...models.labelling_decision_public import LabellingDecisionPublic
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    decision_id: str,
    *,
    body: LabellingAppealDecision,
    if_match: str,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["If-Match"] = if_match

    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/decisions/{decision_id}/appeal/decision".format(
            decision_id=quote(str(decision_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> LabellingDecisionPublic | Problem | None:
    if response.status_code == 200:
        response_200 = LabellingDecisionPublic.from_dict(response.json())

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
) -> Response[LabellingDecisionPublic | Problem]:
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
    body: LabellingAppealDecision,
    if_match: str,
    idempotency_key: str | Unset = UNSET,
) -> Response[LabellingDecisionPublic | Problem]:
    """Decide Appeal

     Decide the appeal, by someone who took no part in the decision nor the audit (409
    ``conflict-of-interest`` naming the rule): CAP RSE by the committee (overturned: the file
    is decided again by someone else), CAP ISO 9001 by the body's system or an admin
    (overturned refusal: the certificate, with its number, majors permitting). Send the
    file's ETag in If-Match (428 without it, 412 when it changed since you read it).

    Args:
        decision_id (str):
        if_match (str):
        idempotency_key (str | Unset):
        body (LabellingAppealDecision): The decision on an appeal: upheld, or overturned (with the
            certificate for an ISO
            refusal).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LabellingDecisionPublic | Problem]
    """

    kwargs = _get_kwargs(
        decision_id=decision_id,
        body=body,
        if_match=if_match,
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
    body: LabellingAppealDecision,
    if_match: str,
    idempotency_key: str | Unset = UNSET,
) -> LabellingDecisionPublic | Problem | None:
    """Decide Appeal

     Decide the appeal, by someone who took no part in the decision nor the audit (409
    ``conflict-of-interest`` naming the rule): CAP RSE by the committee (overturned: the file
    is decided again by someone else), CAP ISO 9001 by the body's system or an admin
    (overturned refusal: the certificate, with its number, majors permitting). Send the
    file's ETag in If-Match (428 without it, 412 when it changed since you read it).

    Args:
        decision_id (str):
        if_match (str):
        idempotency_key (str | Unset):
        body (LabellingAppealDecision): The decision on an appeal: upheld, or overturned (with the
            certificate for an ISO
            refusal).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LabellingDecisionPublic | Problem
    """

    return sync_detailed(
        decision_id=decision_id,
        client=client,
        body=body,
        if_match=if_match,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    decision_id: str,
    *,
    client: AuthenticatedClient,
    body: LabellingAppealDecision,
    if_match: str,
    idempotency_key: str | Unset = UNSET,
) -> Response[LabellingDecisionPublic | Problem]:
    """Decide Appeal

     Decide the appeal, by someone who took no part in the decision nor the audit (409
    ``conflict-of-interest`` naming the rule): CAP RSE by the committee (overturned: the file
    is decided again by someone else), CAP ISO 9001 by the body's system or an admin
    (overturned refusal: the certificate, with its number, majors permitting). Send the
    file's ETag in If-Match (428 without it, 412 when it changed since you read it).

    Args:
        decision_id (str):
        if_match (str):
        idempotency_key (str | Unset):
        body (LabellingAppealDecision): The decision on an appeal: upheld, or overturned (with the
            certificate for an ISO
            refusal).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LabellingDecisionPublic | Problem]
    """

    kwargs = _get_kwargs(
        decision_id=decision_id,
        body=body,
        if_match=if_match,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    decision_id: str,
    *,
    client: AuthenticatedClient,
    body: LabellingAppealDecision,
    if_match: str,
    idempotency_key: str | Unset = UNSET,
) -> LabellingDecisionPublic | Problem | None:
    """Decide Appeal

     Decide the appeal, by someone who took no part in the decision nor the audit (409
    ``conflict-of-interest`` naming the rule): CAP RSE by the committee (overturned: the file
    is decided again by someone else), CAP ISO 9001 by the body's system or an admin
    (overturned refusal: the certificate, with its number, majors permitting). Send the
    file's ETag in If-Match (428 without it, 412 when it changed since you read it).

    Args:
        decision_id (str):
        if_match (str):
        idempotency_key (str | Unset):
        body (LabellingAppealDecision): The decision on an appeal: upheld, or overturned (with the
            certificate for an ISO
            refusal).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LabellingDecisionPublic | Problem
    """

    return (
        await asyncio_detailed(
            decision_id=decision_id,
            client=client,
            body=body,
            if_match=if_match,
            idempotency_key=idempotency_key,
        )
    ).parsed
