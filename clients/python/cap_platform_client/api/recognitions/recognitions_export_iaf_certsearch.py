from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    include_labels: bool | Unset = False,
    certification_body_id: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["include_labels"] = include_labels

    json_certification_body_id: None | str | Unset
    if isinstance(certification_body_id, Unset):
        json_certification_body_id = UNSET
    else:
        json_certification_body_id = certification_body_id
    params["certification_body_id"] = json_certification_body_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/recognitions/exports/iaf-certsearch",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    include_labels: bool | Unset = False,
    certification_body_id: None | str | Unset = UNSET,
) -> Response[Any | Problem]:
    """Export Iaf Certsearch

     CAP ISO 9001 certificates under the columns of IAF CertSearch's certification template
    (v2.1) for certification bodies: one row per certificate, current status mapped to Active,
    Suspended, Withdrawn or Expired (admin, committee).

    Args:
        include_labels (bool | Unset): Add CAP RSE labels, marked Unaccredited Default: False.
        certification_body_id (None | str | Unset): Only this body's certificates

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        include_labels=include_labels,
        certification_body_id=certification_body_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    include_labels: bool | Unset = False,
    certification_body_id: None | str | Unset = UNSET,
) -> Any | Problem | None:
    """Export Iaf Certsearch

     CAP ISO 9001 certificates under the columns of IAF CertSearch's certification template
    (v2.1) for certification bodies: one row per certificate, current status mapped to Active,
    Suspended, Withdrawn or Expired (admin, committee).

    Args:
        include_labels (bool | Unset): Add CAP RSE labels, marked Unaccredited Default: False.
        certification_body_id (None | str | Unset): Only this body's certificates

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return sync_detailed(
        client=client,
        include_labels=include_labels,
        certification_body_id=certification_body_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    include_labels: bool | Unset = False,
    certification_body_id: None | str | Unset = UNSET,
) -> Response[Any | Problem]:
    """Export Iaf Certsearch

     CAP ISO 9001 certificates under the columns of IAF CertSearch's certification template
    (v2.1) for certification bodies: one row per certificate, current status mapped to Active,
    Suspended, Withdrawn or Expired (admin, committee).

    Args:
        include_labels (bool | Unset): Add CAP RSE labels, marked Unaccredited Default: False.
        certification_body_id (None | str | Unset): Only this body's certificates

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        include_labels=include_labels,
        certification_body_id=certification_body_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    include_labels: bool | Unset = False,
    certification_body_id: None | str | Unset = UNSET,
) -> Any | Problem | None:
    """Export Iaf Certsearch

     CAP ISO 9001 certificates under the columns of IAF CertSearch's certification template
    (v2.1) for certification bodies: one row per certificate, current status mapped to Active,
    Suspended, Withdrawn or Expired (admin, committee).

    Args:
        include_labels (bool | Unset): Add CAP RSE labels, marked Unaccredited Default: False.
        certification_body_id (None | str | Unset): Only this body's certificates

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            include_labels=include_labels,
            certification_body_id=certification_body_id,
        )
    ).parsed
