import datetime
from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.registry_page import RegistryPage
from ...models.registry_search_registry_scheme_type_0 import RegistrySearchRegistrySchemeType0
from ...models.registry_search_registry_siae_type_type_0 import RegistrySearchRegistrySiaeTypeType0
from ...models.registry_search_registry_status_type_0 import RegistrySearchRegistryStatusType0
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    region: None | str | Unset = UNSET,
    siae_type: None | RegistrySearchRegistrySiaeTypeType0 | Unset = UNSET,
    scheme: None | RegistrySearchRegistrySchemeType0 | Unset = UNSET,
    level: None | str | Unset = UNSET,
    status: None | RegistrySearchRegistryStatusType0 | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    updated_since: datetime.datetime | None | Unset = UNSET,
    if_none_match: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["if-none-match"] = if_none_match

    params: dict[str, Any] = {}

    json_region: None | str | Unset
    if isinstance(region, Unset):
        json_region = UNSET
    else:
        json_region = region
    params["region"] = json_region

    json_siae_type: None | str | Unset
    if isinstance(siae_type, Unset):
        json_siae_type = UNSET
    elif isinstance(siae_type, RegistrySearchRegistrySiaeTypeType0):
        json_siae_type = siae_type.value
    else:
        json_siae_type = siae_type
    params["siae_type"] = json_siae_type

    json_scheme: None | str | Unset
    if isinstance(scheme, Unset):
        json_scheme = UNSET
    elif isinstance(scheme, RegistrySearchRegistrySchemeType0):
        json_scheme = scheme.value
    else:
        json_scheme = scheme
    params["scheme"] = json_scheme

    json_level: None | str | Unset
    if isinstance(level, Unset):
        json_level = UNSET
    else:
        json_level = level
    params["level"] = json_level

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, RegistrySearchRegistryStatusType0):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_q: None | str | Unset
    if isinstance(q, Unset):
        json_q = UNSET
    else:
        json_q = q
    params["q"] = json_q

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_updated_since: None | str | Unset
    if isinstance(updated_since, Unset):
        json_updated_since = UNSET
    elif isinstance(updated_since, datetime.datetime):
        json_updated_since = updated_since.isoformat()
    else:
        json_updated_since = updated_since
    params["updated_since"] = json_updated_since

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/registry/recognitions",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | RegistryPage | None:
    if response.status_code == 200:
        response_200 = RegistryPage.from_dict(response.json())

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

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
) -> Response[Any | Problem | RegistryPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    region: None | str | Unset = UNSET,
    siae_type: None | RegistrySearchRegistrySiaeTypeType0 | Unset = UNSET,
    scheme: None | RegistrySearchRegistrySchemeType0 | Unset = UNSET,
    level: None | str | Unset = UNSET,
    status: None | RegistrySearchRegistryStatusType0 | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    updated_since: datetime.datetime | None | Unset = UNSET,
    if_none_match: None | str | Unset = UNSET,
) -> Response[Any | Problem | RegistryPage]:
    """Search Registry

     Labelled and certified structures, by region, SIAE type, scheme, level and name; in force
    (active or suspended) unless a status is asked; by holder name, then number. No login;
    cacheable (ETag, 304).

    Args:
        region (None | str | Unset): INSEE region code
        siae_type (None | RegistrySearchRegistrySiaeTypeType0 | Unset):
        scheme (None | RegistrySearchRegistrySchemeType0 | Unset):
        level (None | str | Unset):
        status (None | RegistrySearchRegistryStatusType0 | Unset): Default: in force (active and
            suspended)
        q (None | str | Unset): In the holder's name (accents and case ignored)
        limit (int | Unset): Page size Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page of this same list
            (opaque); absent for the first page
        updated_since (datetime.datetime | None | Unset): Delta sync: the recognitions changed at
            or after this RFC 3339 date-time (with its offset), oldest change first, in every status
            unless `status` is given, and in `deleted` those deleted since; keep paging with
            `next_cursor` and the same value
        if_none_match (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | RegistryPage]
    """

    kwargs = _get_kwargs(
        region=region,
        siae_type=siae_type,
        scheme=scheme,
        level=level,
        status=status,
        q=q,
        limit=limit,
        cursor=cursor,
        updated_since=updated_since,
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    region: None | str | Unset = UNSET,
    siae_type: None | RegistrySearchRegistrySiaeTypeType0 | Unset = UNSET,
    scheme: None | RegistrySearchRegistrySchemeType0 | Unset = UNSET,
    level: None | str | Unset = UNSET,
    status: None | RegistrySearchRegistryStatusType0 | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    updated_since: datetime.datetime | None | Unset = UNSET,
    if_none_match: None | str | Unset = UNSET,
) -> Any | Problem | RegistryPage | None:
    """Search Registry

     Labelled and certified structures, by region, SIAE type, scheme, level and name; in force
    (active or suspended) unless a status is asked; by holder name, then number. No login;
    cacheable (ETag, 304).

    Args:
        region (None | str | Unset): INSEE region code
        siae_type (None | RegistrySearchRegistrySiaeTypeType0 | Unset):
        scheme (None | RegistrySearchRegistrySchemeType0 | Unset):
        level (None | str | Unset):
        status (None | RegistrySearchRegistryStatusType0 | Unset): Default: in force (active and
            suspended)
        q (None | str | Unset): In the holder's name (accents and case ignored)
        limit (int | Unset): Page size Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page of this same list
            (opaque); absent for the first page
        updated_since (datetime.datetime | None | Unset): Delta sync: the recognitions changed at
            or after this RFC 3339 date-time (with its offset), oldest change first, in every status
            unless `status` is given, and in `deleted` those deleted since; keep paging with
            `next_cursor` and the same value
        if_none_match (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | RegistryPage
    """

    return sync_detailed(
        client=client,
        region=region,
        siae_type=siae_type,
        scheme=scheme,
        level=level,
        status=status,
        q=q,
        limit=limit,
        cursor=cursor,
        updated_since=updated_since,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    region: None | str | Unset = UNSET,
    siae_type: None | RegistrySearchRegistrySiaeTypeType0 | Unset = UNSET,
    scheme: None | RegistrySearchRegistrySchemeType0 | Unset = UNSET,
    level: None | str | Unset = UNSET,
    status: None | RegistrySearchRegistryStatusType0 | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    updated_since: datetime.datetime | None | Unset = UNSET,
    if_none_match: None | str | Unset = UNSET,
) -> Response[Any | Problem | RegistryPage]:
    """Search Registry

     Labelled and certified structures, by region, SIAE type, scheme, level and name; in force
    (active or suspended) unless a status is asked; by holder name, then number. No login;
    cacheable (ETag, 304).

    Args:
        region (None | str | Unset): INSEE region code
        siae_type (None | RegistrySearchRegistrySiaeTypeType0 | Unset):
        scheme (None | RegistrySearchRegistrySchemeType0 | Unset):
        level (None | str | Unset):
        status (None | RegistrySearchRegistryStatusType0 | Unset): Default: in force (active and
            suspended)
        q (None | str | Unset): In the holder's name (accents and case ignored)
        limit (int | Unset): Page size Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page of this same list
            (opaque); absent for the first page
        updated_since (datetime.datetime | None | Unset): Delta sync: the recognitions changed at
            or after this RFC 3339 date-time (with its offset), oldest change first, in every status
            unless `status` is given, and in `deleted` those deleted since; keep paging with
            `next_cursor` and the same value
        if_none_match (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | RegistryPage]
    """

    kwargs = _get_kwargs(
        region=region,
        siae_type=siae_type,
        scheme=scheme,
        level=level,
        status=status,
        q=q,
        limit=limit,
        cursor=cursor,
        updated_since=updated_since,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    region: None | str | Unset = UNSET,
    siae_type: None | RegistrySearchRegistrySiaeTypeType0 | Unset = UNSET,
    scheme: None | RegistrySearchRegistrySchemeType0 | Unset = UNSET,
    level: None | str | Unset = UNSET,
    status: None | RegistrySearchRegistryStatusType0 | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    updated_since: datetime.datetime | None | Unset = UNSET,
    if_none_match: None | str | Unset = UNSET,
) -> Any | Problem | RegistryPage | None:
    """Search Registry

     Labelled and certified structures, by region, SIAE type, scheme, level and name; in force
    (active or suspended) unless a status is asked; by holder name, then number. No login;
    cacheable (ETag, 304).

    Args:
        region (None | str | Unset): INSEE region code
        siae_type (None | RegistrySearchRegistrySiaeTypeType0 | Unset):
        scheme (None | RegistrySearchRegistrySchemeType0 | Unset):
        level (None | str | Unset):
        status (None | RegistrySearchRegistryStatusType0 | Unset): Default: in force (active and
            suspended)
        q (None | str | Unset): In the holder's name (accents and case ignored)
        limit (int | Unset): Page size Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page of this same list
            (opaque); absent for the first page
        updated_since (datetime.datetime | None | Unset): Delta sync: the recognitions changed at
            or after this RFC 3339 date-time (with its offset), oldest change first, in every status
            unless `status` is given, and in `deleted` those deleted since; keep paging with
            `next_cursor` and the same value
        if_none_match (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | RegistryPage
    """

    return (
        await asyncio_detailed(
            client=client,
            region=region,
            siae_type=siae_type,
            scheme=scheme,
            level=level,
            status=status,
            q=q,
            limit=limit,
            cursor=cursor,
            updated_since=updated_since,
            if_none_match=if_none_match,
        )
    ).parsed
