from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.referential_summary import ReferentialSummary
from ...types import UNSET, Response, Unset


def _get_kwargs(
    code: str,
    version: int,
    *,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/referentials/{code}/versions/{version}/publication".format(
            code=quote(str(code), safe=""),
            version=quote(str(version), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | ReferentialSummary | None:
    if response.status_code == 200:
        response_200 = ReferentialSummary.from_dict(response.json())

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
) -> Response[Problem | ReferentialSummary]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    code: str,
    version: int,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | ReferentialSummary]:
    """Publish Referential

     Publish an imported version (admin): new diagnostics default to it and may be opened on
    it or migrated to it. Publishing it again changes nothing; a version older than the latest
    published one is refused (409 ``referential-version-superseded``).

    Args:
        code (str):
        version (int):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReferentialSummary]
    """

    kwargs = _get_kwargs(
        code=code,
        version=version,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    code: str,
    version: int,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> Problem | ReferentialSummary | None:
    """Publish Referential

     Publish an imported version (admin): new diagnostics default to it and may be opened on
    it or migrated to it. Publishing it again changes nothing; a version older than the latest
    published one is refused (409 ``referential-version-superseded``).

    Args:
        code (str):
        version (int):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReferentialSummary
    """

    return sync_detailed(
        code=code,
        version=version,
        client=client,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    code: str,
    version: int,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | ReferentialSummary]:
    """Publish Referential

     Publish an imported version (admin): new diagnostics default to it and may be opened on
    it or migrated to it. Publishing it again changes nothing; a version older than the latest
    published one is refused (409 ``referential-version-superseded``).

    Args:
        code (str):
        version (int):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReferentialSummary]
    """

    kwargs = _get_kwargs(
        code=code,
        version=version,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    code: str,
    version: int,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> Problem | ReferentialSummary | None:
    """Publish Referential

     Publish an imported version (admin): new diagnostics default to it and may be opened on
    it or migrated to it. Publishing it again changes nothing; a version older than the latest
    published one is refused (409 ``referential-version-superseded``).

    Args:
        code (str):
        version (int):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReferentialSummary
    """

    return (
        await asyncio_detailed(
            code=code,
            version=version,
            client=client,
            idempotency_key=idempotency_key,
        )
    ).parsed
