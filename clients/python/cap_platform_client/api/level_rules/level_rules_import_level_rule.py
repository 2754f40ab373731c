from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.level_rule_public import LevelRulePublic
from ...models.level_rules_import_level_rule_json_level_rule import LevelRulesImportLevelRuleJsonLevelRule
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    code: str,
    version: int,
    *,
    body: LevelRulesImportLevelRuleJsonLevelRule,
    if_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/level-rules/{code}/versions/{version}".format(
            code=quote(str(code), safe=""),
            version=quote(str(version), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> LevelRulePublic | Problem | None:
    if response.status_code == 200:
        response_200 = LevelRulePublic.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = LevelRulePublic.from_dict(response.json())

        return response_201

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
) -> Response[LevelRulePublic | Problem]:
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
    body: LevelRulesImportLevelRuleJsonLevelRule,
    if_match: str | Unset = UNSET,
) -> Response[LevelRulePublic | Problem]:
    """Import Level Rule

     Import the level rule of a referential version (admin), YAML or JSON: validated whole
    (422 ``level-rule-invalid`` naming each field); a different rule becomes the version's next
    revision (201) and applies to open files; the same rule again changes nothing (200). With
    If-Match (the ETag of the rule file read), only if no other revision came since (412); the
    answer's ETag is the revision's.

    Args:
        code (str):
        version (int):
        if_match (str | Unset):
        body (LevelRulesImportLevelRuleJsonLevelRule): One referential version's level rule
            (levels listed from lowest to highest).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LevelRulePublic | Problem]
    """

    kwargs = _get_kwargs(
        code=code,
        version=version,
        body=body,
        if_match=if_match,
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
    body: LevelRulesImportLevelRuleJsonLevelRule,
    if_match: str | Unset = UNSET,
) -> LevelRulePublic | Problem | None:
    """Import Level Rule

     Import the level rule of a referential version (admin), YAML or JSON: validated whole
    (422 ``level-rule-invalid`` naming each field); a different rule becomes the version's next
    revision (201) and applies to open files; the same rule again changes nothing (200). With
    If-Match (the ETag of the rule file read), only if no other revision came since (412); the
    answer's ETag is the revision's.

    Args:
        code (str):
        version (int):
        if_match (str | Unset):
        body (LevelRulesImportLevelRuleJsonLevelRule): One referential version's level rule
            (levels listed from lowest to highest).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LevelRulePublic | Problem
    """

    return sync_detailed(
        code=code,
        version=version,
        client=client,
        body=body,
        if_match=if_match,
    ).parsed


async def asyncio_detailed(
    code: str,
    version: int,
    *,
    client: AuthenticatedClient,
    body: LevelRulesImportLevelRuleJsonLevelRule,
    if_match: str | Unset = UNSET,
) -> Response[LevelRulePublic | Problem]:
    """Import Level Rule

     Import the level rule of a referential version (admin), YAML or JSON: validated whole
    (422 ``level-rule-invalid`` naming each field); a different rule becomes the version's next
    revision (201) and applies to open files; the same rule again changes nothing (200). With
    If-Match (the ETag of the rule file read), only if no other revision came since (412); the
    answer's ETag is the revision's.

    Args:
        code (str):
        version (int):
        if_match (str | Unset):
        body (LevelRulesImportLevelRuleJsonLevelRule): One referential version's level rule
            (levels listed from lowest to highest).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[LevelRulePublic | Problem]
    """

    kwargs = _get_kwargs(
        code=code,
        version=version,
        body=body,
        if_match=if_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    code: str,
    version: int,
    *,
    client: AuthenticatedClient,
    body: LevelRulesImportLevelRuleJsonLevelRule,
    if_match: str | Unset = UNSET,
) -> LevelRulePublic | Problem | None:
    """Import Level Rule

     Import the level rule of a referential version (admin), YAML or JSON: validated whole
    (422 ``level-rule-invalid`` naming each field); a different rule becomes the version's next
    revision (201) and applies to open files; the same rule again changes nothing (200). With
    If-Match (the ETag of the rule file read), only if no other revision came since (412); the
    answer's ETag is the revision's.

    Args:
        code (str):
        version (int):
        if_match (str | Unset):
        body (LevelRulesImportLevelRuleJsonLevelRule): One referential version's level rule
            (levels listed from lowest to highest).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        LevelRulePublic | Problem
    """

    return (
        await asyncio_detailed(
            code=code,
            version=version,
            client=client,
            body=body,
            if_match=if_match,
        )
    ).parsed
