import datetime
from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.audit_entry_list import AuditEntryList
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    record_type: None | str | Unset = UNSET,
    record_id: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_record_type: None | str | Unset
    if isinstance(record_type, Unset):
        json_record_type = UNSET
    else:
        json_record_type = record_type
    params["record_type"] = json_record_type

    json_record_id: None | str | Unset
    if isinstance(record_id, Unset):
        json_record_id = UNSET
    else:
        json_record_id = record_id
    params["record_id"] = json_record_id

    json_action: None | str | Unset
    if isinstance(action, Unset):
        json_action = UNSET
    else:
        json_action = action
    params["action"] = json_action

    json_actor: None | str | Unset
    if isinstance(actor, Unset):
        json_actor = UNSET
    else:
        json_actor = actor
    params["actor"] = json_actor

    json_since: None | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.datetime):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    json_until: None | str | Unset
    if isinstance(until, Unset):
        json_until = UNSET
    elif isinstance(until, datetime.datetime):
        json_until = until.isoformat()
    else:
        json_until = until
    params["until"] = json_until

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/ops/gateway/audit-log",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | AuditEntryList | Problem | None:
    if response.status_code == 200:
        response_200 = AuditEntryList.from_dict(response.json())

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

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | AuditEntryList | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    record_type: None | str | Unset = UNSET,
    record_id: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | AuditEntryList | Problem]:
    """List Audit Log

     This service's audit trail, newest first: who changed which regulated record, when,
    on whose behalf, before and after, with the request and event ids and the chain's
    hashes.

    Args:
        limit (int | Unset): Page size (default 50, at most 200) Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page of this same list
            (opaque); absent for the first page
        record_type (None | str | Unset): Only this type of record
        record_id (None | str | Unset): Only this record (with its type)
        action (None | str | Unset): Only this action ("decision.taken")
        actor (None | str | Unset): Only this actor ("user:<id>")
        since (datetime.datetime | None | Unset): Changes at or after this instant
        until (datetime.datetime | None | Unset): Changes before this instant
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | AuditEntryList | Problem]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        record_type=record_type,
        record_id=record_id,
        action=action,
        actor=actor,
        since=since,
        until=until,
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    record_type: None | str | Unset = UNSET,
    record_id: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | AuditEntryList | Problem | None:
    """List Audit Log

     This service's audit trail, newest first: who changed which regulated record, when,
    on whose behalf, before and after, with the request and event ids and the chain's
    hashes.

    Args:
        limit (int | Unset): Page size (default 50, at most 200) Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page of this same list
            (opaque); absent for the first page
        record_type (None | str | Unset): Only this type of record
        record_id (None | str | Unset): Only this record (with its type)
        action (None | str | Unset): Only this action ("decision.taken")
        actor (None | str | Unset): Only this actor ("user:<id>")
        since (datetime.datetime | None | Unset): Changes at or after this instant
        until (datetime.datetime | None | Unset): Changes before this instant
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | AuditEntryList | Problem
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        record_type=record_type,
        record_id=record_id,
        action=action,
        actor=actor,
        since=since,
        until=until,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    record_type: None | str | Unset = UNSET,
    record_id: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | AuditEntryList | Problem]:
    """List Audit Log

     This service's audit trail, newest first: who changed which regulated record, when,
    on whose behalf, before and after, with the request and event ids and the chain's
    hashes.

    Args:
        limit (int | Unset): Page size (default 50, at most 200) Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page of this same list
            (opaque); absent for the first page
        record_type (None | str | Unset): Only this type of record
        record_id (None | str | Unset): Only this record (with its type)
        action (None | str | Unset): Only this action ("decision.taken")
        actor (None | str | Unset): Only this actor ("user:<id>")
        since (datetime.datetime | None | Unset): Changes at or after this instant
        until (datetime.datetime | None | Unset): Changes before this instant
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | AuditEntryList | Problem]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        record_type=record_type,
        record_id=record_id,
        action=action,
        actor=actor,
        since=since,
        until=until,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    record_type: None | str | Unset = UNSET,
    record_id: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    actor: None | str | Unset = UNSET,
    since: datetime.datetime | None | Unset = UNSET,
    until: datetime.datetime | None | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | AuditEntryList | Problem | None:
    """List Audit Log

     This service's audit trail, newest first: who changed which regulated record, when,
    on whose behalf, before and after, with the request and event ids and the chain's
    hashes.

    Args:
        limit (int | Unset): Page size (default 50, at most 200) Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page of this same list
            (opaque); absent for the first page
        record_type (None | str | Unset): Only this type of record
        record_id (None | str | Unset): Only this record (with its type)
        action (None | str | Unset): Only this action ("decision.taken")
        actor (None | str | Unset): Only this actor ("user:<id>")
        since (datetime.datetime | None | Unset): Changes at or after this instant
        until (datetime.datetime | None | Unset): Changes before this instant
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | AuditEntryList | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            record_type=record_type,
            record_id=record_id,
            action=action,
            actor=actor,
            since=since,
            until=until,
            if_none_match=if_none_match,
        )
    ).parsed
