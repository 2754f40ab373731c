from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.resource_out import ResourceOut
from ...models.resources_search_resources_kind_type_0 import ResourcesSearchResourcesKindType0
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    q: None | str | Unset = UNSET,
    kind: None | ResourcesSearchResourcesKindType0 | Unset = UNSET,
    criterion: None | str | Unset = UNSET,
    theme: None | str | Unset = UNSET,
    limit: int | Unset = 20,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_q: None | str | Unset
    if isinstance(q, Unset):
        json_q = UNSET
    else:
        json_q = q
    params["q"] = json_q

    json_kind: None | str | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    elif isinstance(kind, ResourcesSearchResourcesKindType0):
        json_kind = kind.value
    else:
        json_kind = kind
    params["kind"] = json_kind

    json_criterion: None | str | Unset
    if isinstance(criterion, Unset):
        json_criterion = UNSET
    else:
        json_criterion = criterion
    params["criterion"] = json_criterion

    json_theme: None | str | Unset
    if isinstance(theme, Unset):
        json_theme = UNSET
    else:
        json_theme = theme
    params["theme"] = json_theme

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/resources",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | list[ResourceOut] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = ResourceOut.from_dict(response_200_item_data)

            response_200.append(response_200_item)

        return response_200

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
) -> Response[Problem | list[ResourceOut]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    q: None | str | Unset = UNSET,
    kind: None | ResourcesSearchResourcesKindType0 | Unset = UNSET,
    criterion: None | str | Unset = UNSET,
    theme: None | str | Unset = UNSET,
    limit: int | Unset = 20,
) -> Response[Problem | list[ResourceOut]]:
    """Search Resources

     Search the catalogue on any topic: "accompagnement socioprofessionnel", "bilan carbone"...
    Results are ranked by relevance when ``q`` is given.

    Args:
        q (None | str | Unset): Words to find (French)
        kind (None | ResourcesSearchResourcesKindType0 | Unset):
        criterion (None | str | Unset): Criterion URN
        theme (None | str | Unset):
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[ResourceOut]]
    """

    kwargs = _get_kwargs(
        q=q,
        kind=kind,
        criterion=criterion,
        theme=theme,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    q: None | str | Unset = UNSET,
    kind: None | ResourcesSearchResourcesKindType0 | Unset = UNSET,
    criterion: None | str | Unset = UNSET,
    theme: None | str | Unset = UNSET,
    limit: int | Unset = 20,
) -> Problem | list[ResourceOut] | None:
    """Search Resources

     Search the catalogue on any topic: "accompagnement socioprofessionnel", "bilan carbone"...
    Results are ranked by relevance when ``q`` is given.

    Args:
        q (None | str | Unset): Words to find (French)
        kind (None | ResourcesSearchResourcesKindType0 | Unset):
        criterion (None | str | Unset): Criterion URN
        theme (None | str | Unset):
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[ResourceOut]
    """

    return sync_detailed(
        client=client,
        q=q,
        kind=kind,
        criterion=criterion,
        theme=theme,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    q: None | str | Unset = UNSET,
    kind: None | ResourcesSearchResourcesKindType0 | Unset = UNSET,
    criterion: None | str | Unset = UNSET,
    theme: None | str | Unset = UNSET,
    limit: int | Unset = 20,
) -> Response[Problem | list[ResourceOut]]:
    """Search Resources

     Search the catalogue on any topic: "accompagnement socioprofessionnel", "bilan carbone"...
    Results are ranked by relevance when ``q`` is given.

    Args:
        q (None | str | Unset): Words to find (French)
        kind (None | ResourcesSearchResourcesKindType0 | Unset):
        criterion (None | str | Unset): Criterion URN
        theme (None | str | Unset):
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[ResourceOut]]
    """

    kwargs = _get_kwargs(
        q=q,
        kind=kind,
        criterion=criterion,
        theme=theme,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    q: None | str | Unset = UNSET,
    kind: None | ResourcesSearchResourcesKindType0 | Unset = UNSET,
    criterion: None | str | Unset = UNSET,
    theme: None | str | Unset = UNSET,
    limit: int | Unset = 20,
) -> Problem | list[ResourceOut] | None:
    """Search Resources

     Search the catalogue on any topic: "accompagnement socioprofessionnel", "bilan carbone"...
    Results are ranked by relevance when ``q`` is given.

    Args:
        q (None | str | Unset): Words to find (French)
        kind (None | ResourcesSearchResourcesKindType0 | Unset):
        criterion (None | str | Unset): Criterion URN
        theme (None | str | Unset):
        limit (int | Unset):  Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[ResourceOut]
    """

    return (
        await asyncio_detailed(
            client=client,
            q=q,
            kind=kind,
            criterion=criterion,
            theme=theme,
            limit=limit,
        )
    ).parsed
