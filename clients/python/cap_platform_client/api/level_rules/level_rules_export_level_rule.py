from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.level_rules_export_level_rule_format import LevelRulesExportLevelRuleFormat
from ...models.level_rules_export_level_rule_level_rule import LevelRulesExportLevelRuleLevelRule
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    code: str,
    version: int,
    *,
    format_: LevelRulesExportLevelRuleFormat | Unset = LevelRulesExportLevelRuleFormat.YAML,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    params: dict[str, Any] = {}

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/level-rules/{code}/versions/{version}".format(
            code=quote(str(code), safe=""),
            version=quote(str(version), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | LevelRulesExportLevelRuleLevelRule | Problem | None:
    if response.status_code == 200:
        response_200 = LevelRulesExportLevelRuleLevelRule.from_dict(response.json())

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
) -> Response[Any | LevelRulesExportLevelRuleLevelRule | Problem]:
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
    format_: LevelRulesExportLevelRuleFormat | Unset = LevelRulesExportLevelRuleFormat.YAML,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | LevelRulesExportLevelRuleLevelRule | Problem]:
    """Export Level Rule

     The rule file of a referential version, importable as is (YAML, or JSON); its ETag is
    the revision's (send it in If-Match to import the next one).

    Args:
        code (str):
        version (int):
        format_ (LevelRulesExportLevelRuleFormat | Unset):  Default:
            LevelRulesExportLevelRuleFormat.YAML.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | LevelRulesExportLevelRuleLevelRule | Problem]
    """

    kwargs = _get_kwargs(
        code=code,
        version=version,
        format_=format_,
        if_none_match=if_none_match,
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
    format_: LevelRulesExportLevelRuleFormat | Unset = LevelRulesExportLevelRuleFormat.YAML,
    if_none_match: str | Unset = UNSET,
) -> Any | LevelRulesExportLevelRuleLevelRule | Problem | None:
    """Export Level Rule

     The rule file of a referential version, importable as is (YAML, or JSON); its ETag is
    the revision's (send it in If-Match to import the next one).

    Args:
        code (str):
        version (int):
        format_ (LevelRulesExportLevelRuleFormat | Unset):  Default:
            LevelRulesExportLevelRuleFormat.YAML.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | LevelRulesExportLevelRuleLevelRule | Problem
    """

    return sync_detailed(
        code=code,
        version=version,
        client=client,
        format_=format_,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    code: str,
    version: int,
    *,
    client: AuthenticatedClient,
    format_: LevelRulesExportLevelRuleFormat | Unset = LevelRulesExportLevelRuleFormat.YAML,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | LevelRulesExportLevelRuleLevelRule | Problem]:
    """Export Level Rule

     The rule file of a referential version, importable as is (YAML, or JSON); its ETag is
    the revision's (send it in If-Match to import the next one).

    Args:
        code (str):
        version (int):
        format_ (LevelRulesExportLevelRuleFormat | Unset):  Default:
            LevelRulesExportLevelRuleFormat.YAML.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | LevelRulesExportLevelRuleLevelRule | Problem]
    """

    kwargs = _get_kwargs(
        code=code,
        version=version,
        format_=format_,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    code: str,
    version: int,
    *,
    client: AuthenticatedClient,
    format_: LevelRulesExportLevelRuleFormat | Unset = LevelRulesExportLevelRuleFormat.YAML,
    if_none_match: str | Unset = UNSET,
) -> Any | LevelRulesExportLevelRuleLevelRule | Problem | None:
    """Export Level Rule

     The rule file of a referential version, importable as is (YAML, or JSON); its ETag is
    the revision's (send it in If-Match to import the next one).

    Args:
        code (str):
        version (int):
        format_ (LevelRulesExportLevelRuleFormat | Unset):  Default:
            LevelRulesExportLevelRuleFormat.YAML.
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | LevelRulesExportLevelRuleLevelRule | Problem
    """

    return (
        await asyncio_detailed(
            code=code,
            version=version,
            client=client,
            format_=format_,
            if_none_match=if_none_match,
        )
    ).parsed
