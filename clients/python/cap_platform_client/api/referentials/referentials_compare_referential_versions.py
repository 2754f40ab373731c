from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.referential_differences import ReferentialDifferences
from ...types import UNSET, Response, Unset


def _get_kwargs(
    code: str,
    *,
    from_version: int,
    to_version: int,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    params: dict[str, Any] = {}

    params["from_version"] = from_version

    params["to_version"] = to_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/referentials/{code}/differences".format(
            code=quote(str(code), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | ReferentialDifferences | None:
    if response.status_code == 200:
        response_200 = ReferentialDifferences.from_dict(response.json())

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
) -> Response[Any | Problem | ReferentialDifferences]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    code: str,
    *,
    client: AuthenticatedClient,
    from_version: int,
    to_version: int,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | Problem | ReferentialDifferences]:
    """Compare Referential Versions

     The differences between two versions of a referential: themes and criteria added and
    removed, each changed field of a kept criterion before and after, the score bands.

    Args:
        code (str):
        from_version (int): The older version
        to_version (int): The newer version
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | ReferentialDifferences]
    """

    kwargs = _get_kwargs(
        code=code,
        from_version=from_version,
        to_version=to_version,
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    code: str,
    *,
    client: AuthenticatedClient,
    from_version: int,
    to_version: int,
    if_none_match: str | Unset = UNSET,
) -> Any | Problem | ReferentialDifferences | None:
    """Compare Referential Versions

     The differences between two versions of a referential: themes and criteria added and
    removed, each changed field of a kept criterion before and after, the score bands.

    Args:
        code (str):
        from_version (int): The older version
        to_version (int): The newer version
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | ReferentialDifferences
    """

    return sync_detailed(
        code=code,
        client=client,
        from_version=from_version,
        to_version=to_version,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    code: str,
    *,
    client: AuthenticatedClient,
    from_version: int,
    to_version: int,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | Problem | ReferentialDifferences]:
    """Compare Referential Versions

     The differences between two versions of a referential: themes and criteria added and
    removed, each changed field of a kept criterion before and after, the score bands.

    Args:
        code (str):
        from_version (int): The older version
        to_version (int): The newer version
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | ReferentialDifferences]
    """

    kwargs = _get_kwargs(
        code=code,
        from_version=from_version,
        to_version=to_version,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    code: str,
    *,
    client: AuthenticatedClient,
    from_version: int,
    to_version: int,
    if_none_match: str | Unset = UNSET,
) -> Any | Problem | ReferentialDifferences | None:
    """Compare Referential Versions

     The differences between two versions of a referential: themes and criteria added and
    removed, each changed field of a kept criterion before and after, the score bands.

    Args:
        code (str):
        from_version (int): The older version
        to_version (int): The newer version
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | ReferentialDifferences
    """

    return (
        await asyncio_detailed(
            code=code,
            client=client,
            from_version=from_version,
            to_version=to_version,
            if_none_match=if_none_match,
        )
    ).parsed
