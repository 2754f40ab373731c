from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.network_statistics import NetworkStatistics
from ...models.problem import Problem
from ...models.statistics_network_statistics_siae_type_type_0 import StatisticsNetworkStatisticsSiaeTypeType0
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    referential: str | Unset = "CAP",
    region: None | str | Unset = UNSET,
    siae_type: None | StatisticsNetworkStatisticsSiaeTypeType0 | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    params: dict[str, Any] = {}

    params["referential"] = referential

    json_region: None | str | Unset
    if isinstance(region, Unset):
        json_region = UNSET
    else:
        json_region = region
    params["region"] = json_region

    json_siae_type: None | str | Unset
    if isinstance(siae_type, Unset):
        json_siae_type = UNSET
    elif isinstance(siae_type, StatisticsNetworkStatisticsSiaeTypeType0):
        json_siae_type = siae_type.value
    else:
        json_siae_type = siae_type
    params["siae_type"] = json_siae_type

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/statistics/network",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | NetworkStatistics | Problem | None:
    if response.status_code == 200:
        response_200 = NetworkStatistics.from_dict(response.json())

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[Any | NetworkStatistics | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    referential: str | Unset = "CAP",
    region: None | str | Unset = UNSET,
    siae_type: None | StatisticsNetworkStatisticsSiaeTypeType0 | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | NetworkStatistics | Problem]:
    """Network Statistics

     Per region and SIAE type: structures diagnosed; maturity per theme (bands); trend per
    quarter. Facilitators see their region(s); the national team the whole network. Groups of
    fewer than 5 structures are suppressed.

    Args:
        referential (str | Unset):  Default: 'CAP'.
        region (None | str | Unset):
        siae_type (None | StatisticsNetworkStatisticsSiaeTypeType0 | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | NetworkStatistics | Problem]
    """

    kwargs = _get_kwargs(
        referential=referential,
        region=region,
        siae_type=siae_type,
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    referential: str | Unset = "CAP",
    region: None | str | Unset = UNSET,
    siae_type: None | StatisticsNetworkStatisticsSiaeTypeType0 | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | NetworkStatistics | Problem | None:
    """Network Statistics

     Per region and SIAE type: structures diagnosed; maturity per theme (bands); trend per
    quarter. Facilitators see their region(s); the national team the whole network. Groups of
    fewer than 5 structures are suppressed.

    Args:
        referential (str | Unset):  Default: 'CAP'.
        region (None | str | Unset):
        siae_type (None | StatisticsNetworkStatisticsSiaeTypeType0 | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | NetworkStatistics | Problem
    """

    return sync_detailed(
        client=client,
        referential=referential,
        region=region,
        siae_type=siae_type,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    referential: str | Unset = "CAP",
    region: None | str | Unset = UNSET,
    siae_type: None | StatisticsNetworkStatisticsSiaeTypeType0 | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | NetworkStatistics | Problem]:
    """Network Statistics

     Per region and SIAE type: structures diagnosed; maturity per theme (bands); trend per
    quarter. Facilitators see their region(s); the national team the whole network. Groups of
    fewer than 5 structures are suppressed.

    Args:
        referential (str | Unset):  Default: 'CAP'.
        region (None | str | Unset):
        siae_type (None | StatisticsNetworkStatisticsSiaeTypeType0 | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | NetworkStatistics | Problem]
    """

    kwargs = _get_kwargs(
        referential=referential,
        region=region,
        siae_type=siae_type,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    referential: str | Unset = "CAP",
    region: None | str | Unset = UNSET,
    siae_type: None | StatisticsNetworkStatisticsSiaeTypeType0 | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | NetworkStatistics | Problem | None:
    """Network Statistics

     Per region and SIAE type: structures diagnosed; maturity per theme (bands); trend per
    quarter. Facilitators see their region(s); the national team the whole network. Groups of
    fewer than 5 structures are suppressed.

    Args:
        referential (str | Unset):  Default: 'CAP'.
        region (None | str | Unset):
        siae_type (None | StatisticsNetworkStatisticsSiaeTypeType0 | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | NetworkStatistics | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            referential=referential,
            region=region,
            siae_type=siae_type,
            if_none_match=if_none_match,
        )
    ).parsed
