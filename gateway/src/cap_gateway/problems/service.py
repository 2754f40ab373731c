"""Reading the problem-type catalogue, which the merged API description carries."""

from __future__ import annotations

from typing import Any

from cap_gateway.openapi import MergedOpenApi
from cap_gateway.problems.schemas import ProblemTypePublic, ProblemTypes
from cap_shared import problem_types
from cap_shared.pagination import Keyset, field_key
from cap_shared.problems import NotFound

#: The catalogue's order: by code.
PROBLEM_TYPES = Keyset("gateway.problem-types", field_key("code", str))


async def _catalogue(builder: MergedOpenApi) -> dict[str, dict[str, Any]]:
    document = await builder.document()
    entries: dict[str, dict[str, Any]] = document["components"][problem_types.EXTENSION]
    return entries


async def list_problem_types(
    builder: MergedOpenApi, *, cursor: str | None, limit: int
) -> ProblemTypes:
    """A page of the problem types, by code."""
    entries = [ProblemTypePublic.model_validate(e) for e in (await _catalogue(builder)).values()]
    page, next_cursor = PROBLEM_TYPES.slice(entries, cursor=cursor, limit=limit)
    return ProblemTypes(data=page, next_cursor=next_cursor)


async def get_problem_type(builder: MergedOpenApi, *, code: str) -> ProblemTypePublic:
    """One problem type (NotFound for a code the platform never answers)."""
    entry = (await _catalogue(builder)).get(code)
    if entry is None:
        raise NotFound(f"no problem type {code!r}", detail_fr=f"aucun type de problème {code!r}")
    return ProblemTypePublic.model_validate(entry)
