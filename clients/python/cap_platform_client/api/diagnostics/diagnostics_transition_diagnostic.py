from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.diagnostic_public import DiagnosticPublic
from ...models.diagnostic_transition import DiagnosticTransition
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    diagnostic_id: str,
    *,
    body: DiagnosticTransition,
    if_match: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match

    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/diagnostics/{diagnostic_id}/transitions".format(
            diagnostic_id=quote(str(diagnostic_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DiagnosticPublic | Problem | None:
    if response.status_code == 200:
        response_200 = DiagnosticPublic.from_dict(response.json())

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
) -> Response[DiagnosticPublic | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    diagnostic_id: str,
    *,
    client: AuthenticatedClient,
    body: DiagnosticTransition,
    if_match: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[DiagnosticPublic | Problem]:
    """Transition Diagnostic

     Schedule, start, complete (publishes diagnostic.completed.v1 with the scores), issue the
    progress plan (actions proposed from the gaps), follow up, or close.

    Args:
        diagnostic_id (str):
        if_match (str | Unset):
        idempotency_key (str | Unset):
        body (DiagnosticTransition): A lifecycle step.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DiagnosticPublic | Problem]
    """

    kwargs = _get_kwargs(
        diagnostic_id=diagnostic_id,
        body=body,
        if_match=if_match,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    diagnostic_id: str,
    *,
    client: AuthenticatedClient,
    body: DiagnosticTransition,
    if_match: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> DiagnosticPublic | Problem | None:
    """Transition Diagnostic

     Schedule, start, complete (publishes diagnostic.completed.v1 with the scores), issue the
    progress plan (actions proposed from the gaps), follow up, or close.

    Args:
        diagnostic_id (str):
        if_match (str | Unset):
        idempotency_key (str | Unset):
        body (DiagnosticTransition): A lifecycle step.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DiagnosticPublic | Problem
    """

    return sync_detailed(
        diagnostic_id=diagnostic_id,
        client=client,
        body=body,
        if_match=if_match,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    diagnostic_id: str,
    *,
    client: AuthenticatedClient,
    body: DiagnosticTransition,
    if_match: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[DiagnosticPublic | Problem]:
    """Transition Diagnostic

     Schedule, start, complete (publishes diagnostic.completed.v1 with the scores), issue the
    progress plan (actions proposed from the gaps), follow up, or close.

    Args:
        diagnostic_id (str):
        if_match (str | Unset):
        idempotency_key (str | Unset):
        body (DiagnosticTransition): A lifecycle step.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DiagnosticPublic | Problem]
    """

    kwargs = _get_kwargs(
        diagnostic_id=diagnostic_id,
        body=body,
        if_match=if_match,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    diagnostic_id: str,
    *,
    client: AuthenticatedClient,
    body: DiagnosticTransition,
    if_match: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> DiagnosticPublic | Problem | None:
    """Transition Diagnostic

     Schedule, start, complete (publishes diagnostic.completed.v1 with the scores), issue the
    progress plan (actions proposed from the gaps), follow up, or close.

    Args:
        diagnostic_id (str):
        if_match (str | Unset):
        idempotency_key (str | Unset):
        body (DiagnosticTransition): A lifecycle step.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DiagnosticPublic | Problem
    """

    return (
        await asyncio_detailed(
            diagnostic_id=diagnostic_id,
            client=client,
            body=body,
            if_match=if_match,
            idempotency_key=idempotency_key,
        )
    ).parsed
