from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.body_recognitions_import_recognitions import BodyRecognitionsImportRecognitions
from ...models.import_report import ImportReport
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: BodyRecognitionsImportRecognitions,
    dry_run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    params: dict[str, Any] = {}

    params["dry_run"] = dry_run

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/recognitions/imports",
        "params": params,
    }

    _kwargs["files"] = body.to_multipart()

    headers["Content-Type"] = "multipart/form-data; boundary=+++"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ImportReport | Problem | None:
    if response.status_code == 200:
        response_200 = ImportReport.from_dict(response.json())

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
) -> Response[ImportReport | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: BodyRecognitionsImportRecognitions,
    dry_run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> Response[ImportReport | Problem]:
    """Import Recognitions

     Import the labels and certificates structures already hold (CEDRE ISO 9001, CAP RSE)
    from a CSV file (admin). All or nothing: one rejected line and nothing is imported (422
    with the report; the attempt is kept in the import history). Importing the same file again
    imports nothing more (its lines count as ``unchanged``). Columns: ``numero``, ``siret``,
    ``dispositif``, ``niveau``, ``organisme``, ``numero_organisme`` (optional), ``perimetre``,
    ``date_decision``, ``date_effet``, ``date_expiration``, ``statut``, ``membres_siret``
    (optional, ``|``-separated).

    Args:
        dry_run (bool | Unset): Check and report only; write nothing Default: False.
        idempotency_key (str | Unset):
        body (BodyRecognitionsImportRecognitions):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ImportReport | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        dry_run=dry_run,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: BodyRecognitionsImportRecognitions,
    dry_run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> ImportReport | Problem | None:
    """Import Recognitions

     Import the labels and certificates structures already hold (CEDRE ISO 9001, CAP RSE)
    from a CSV file (admin). All or nothing: one rejected line and nothing is imported (422
    with the report; the attempt is kept in the import history). Importing the same file again
    imports nothing more (its lines count as ``unchanged``). Columns: ``numero``, ``siret``,
    ``dispositif``, ``niveau``, ``organisme``, ``numero_organisme`` (optional), ``perimetre``,
    ``date_decision``, ``date_effet``, ``date_expiration``, ``statut``, ``membres_siret``
    (optional, ``|``-separated).

    Args:
        dry_run (bool | Unset): Check and report only; write nothing Default: False.
        idempotency_key (str | Unset):
        body (BodyRecognitionsImportRecognitions):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ImportReport | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        dry_run=dry_run,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: BodyRecognitionsImportRecognitions,
    dry_run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> Response[ImportReport | Problem]:
    """Import Recognitions

     Import the labels and certificates structures already hold (CEDRE ISO 9001, CAP RSE)
    from a CSV file (admin). All or nothing: one rejected line and nothing is imported (422
    with the report; the attempt is kept in the import history). Importing the same file again
    imports nothing more (its lines count as ``unchanged``). Columns: ``numero``, ``siret``,
    ``dispositif``, ``niveau``, ``organisme``, ``numero_organisme`` (optional), ``perimetre``,
    ``date_decision``, ``date_effet``, ``date_expiration``, ``statut``, ``membres_siret``
    (optional, ``|``-separated).

    Args:
        dry_run (bool | Unset): Check and report only; write nothing Default: False.
        idempotency_key (str | Unset):
        body (BodyRecognitionsImportRecognitions):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ImportReport | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        dry_run=dry_run,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: BodyRecognitionsImportRecognitions,
    dry_run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,
) -> ImportReport | Problem | None:
    """Import Recognitions

     Import the labels and certificates structures already hold (CEDRE ISO 9001, CAP RSE)
    from a CSV file (admin). All or nothing: one rejected line and nothing is imported (422
    with the report; the attempt is kept in the import history). Importing the same file again
    imports nothing more (its lines count as ``unchanged``). Columns: ``numero``, ``siret``,
    ``dispositif``, ``niveau``, ``organisme``, ``numero_organisme`` (optional), ``perimetre``,
    ``date_decision``, ``date_effet``, ``date_expiration``, ``statut``, ``membres_siret``
    (optional, ``|``-separated).

    Args:
        dry_run (bool | Unset): Check and report only; write nothing Default: False.
        idempotency_key (str | Unset):
        body (BodyRecognitionsImportRecognitions):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ImportReport | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
        )
    ).parsed
