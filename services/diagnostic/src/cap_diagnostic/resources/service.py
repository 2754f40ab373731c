"""Use cases of the federation's resource catalogue: managed by admins, searched by everyone, recommended
per gap of a diagnostic.

Recommendation rule: a criterion rated below three quarters of its scale is a gap; its
*expected gain* is what the overall score gains if it reaches that level (its weight is in it).
A resource tagged with the criterion is worth the full gain, one tagged only with the theme
half of it; resources are ranked by the sum over the gaps they help with.
"""

from __future__ import annotations

import math
import uuid
from importlib import resources as package_files
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.diagnostics import service as diagnostics
from cap_diagnostic.diagnostics.repository import DiagnosticRepository
from cap_diagnostic.diagnostics.rules import scoring
from cap_diagnostic.models import Resource
from cap_diagnostic.plans.rules import PROPOSE_BELOW_RATIO
from cap_diagnostic.referentials import service as referentials
from cap_diagnostic.resources.repository import ResourceRepository
from cap_diagnostic.resources.schemas import (
    GapRecommendation,
    Recommendations,
    RecommendedResource,
    ResourceCreate,
    ResourcePublic,
    ResourceUpdate,
)
from cap_shared.conditional import Precondition, etag_of
from cap_shared.pagination import Keyset, Page, SortKey, field_key
from cap_shared.problems import Conflict, NotFound, ProblemError
from cap_shared.security import Principal, Role

THEME_SHARE = 0.5
PER_GAP = 3


class InvalidTags(ProblemError):
    """A resource is tagged with a criterion or theme no referential has."""

    status, code, title = 422, "invalid-tags", "Unknown criterion or theme"
    title_fr = "Critère ou thème inconnu"


def _keywords(
    criteria: list[str], themes: list[str], tags: list[str], names: dict[str, str]
) -> str:
    return " ".join([*tags, *themes, *(names.get(c, "") for c in criteria)])


def to_public(resource: Resource, rank: float | None = None) -> ResourcePublic:
    """The API view of an entry (with its search rank when searched by words)."""
    return ResourcePublic(
        id=resource.id,
        code=resource.code,
        kind=resource.kind,
        title=resource.title,
        summary=resource.summary,
        description=resource.description,
        url=resource.url,
        contact=resource.contact,
        duration=resource.duration,
        criteria=resource.criteria,
        themes=resource.themes,
        tags=resource.tags,
        published=resource.published,
        rank=rank,
    )


async def _vocabulary(session: AsyncSession) -> tuple[dict[str, str], set[str]]:
    """Criterion URN -> "code name", and every theme code, over the imported referentials."""
    criteria = await referentials.known_criteria(session)
    names = {urn: f"{c.code} {c.name}" for urn, c in criteria.items()}
    return names, {c.theme_code for c in criteria.values()}


async def _check_tags(
    session: AsyncSession, criteria: list[str], themes: list[str]
) -> dict[str, str]:
    names, known_themes = await _vocabulary(session)
    errors = [
        {
            "field": f"body.criteria.{i}",
            "message": f"unknown criterion {c}",
            "message_fr": f"critère inconnu {c}",
        }
        for i, c in enumerate(criteria)
        if c not in names
    ] + [
        {
            "field": f"body.themes.{i}",
            "message": f"unknown theme {t}",
            "message_fr": f"thème inconnu {t}",
        }
        for i, t in enumerate(themes)
        if t not in known_themes
    ]
    if errors:
        raise InvalidTags(
            errors[0]["message"], detail_fr=errors[0]["message_fr"], extensions={"errors": errors}
        )
    return names


async def create(session: AsyncSession, principal: Principal, *, data: ResourceCreate) -> Resource:
    """Add an entry (admin)."""
    repo = ResourceRepository(session)
    if await repo.by_code(data.code) is not None:
        raise Conflict(
            f"a resource with code {data.code} exists",
            detail_fr=f"une ressource de code {data.code} existe déjà",
        )
    names = await _check_tags(session, data.criteria, data.themes)
    resource = Resource(
        id=str(uuid.uuid4()),
        **data.model_dump(mode="json"),
        keywords=_keywords(data.criteria, data.themes, data.tags, names),
        created_by=principal.subject,
    )
    await repo.add(resource)
    return resource


async def update(
    session: AsyncSession, resource_id: str, *, data: ResourceUpdate, precondition: Precondition
) -> Resource:
    """Change an entry (admin), as last read when ``If-Match`` says so."""
    repo = ResourceRepository(session)
    resource = await repo.get(resource_id, for_update=True)
    if resource is None:
        raise NotFound("no such resource", detail_fr="ressource introuvable")
    precondition.check(etag_of(to_public(resource)))
    changes = data.model_dump(mode="json", exclude_unset=True)
    names = await _check_tags(
        session, changes.get("criteria", resource.criteria), changes.get("themes", resource.themes)
    )
    for name, value in changes.items():
        setattr(resource, name, value)
    resource.keywords = _keywords(resource.criteria, resource.themes, resource.tags, names)
    await repo.add(resource)
    return resource


async def delete(session: AsyncSession, resource_id: str) -> None:
    """Remove an entry (admin)."""
    repo = ResourceRepository(session)
    resource = await repo.get(resource_id)
    if resource is None:
        raise NotFound("no such resource", detail_fr="ressource introuvable")
    await repo.delete(resource)


async def get(session: AsyncSession, principal: Principal, *, resource_id: str) -> Resource:
    """A published entry (admins also see unpublished ones)."""
    resource = await ResourceRepository(session).get(resource_id)
    if resource is None or (not resource.published and not principal.has_role(Role.ADMIN)):
        raise NotFound("no such resource", detail_fr="ressource introuvable")
    return resource


#: Relevance first (0 without words), then title and id; the catalogue is curated (hundreds of
#: entries) and its tags are JSON lists, so a search is filtered and paged in memory.
RESOURCES = Keyset(
    "diagnostic.resources",
    SortKey(float, value=lambda r: r.rank or 0.0, descending=True),
    field_key("title", str),
    field_key("id", str),
)


async def search(
    session: AsyncSession,
    principal: Principal,
    *,
    text: str | None,
    kind: str | None,
    criterion: str | None,
    theme: str | None,
    cursor: str | None,
    limit: int,
) -> Page[ResourcePublic]:
    """Entries matching the words (French stemming on PostgreSQL), filtered by tag."""
    found = await ResourceRepository(session).search(
        text=text.strip() if text else None,
        kind=kind,
        include_unpublished=principal.has_role(Role.ADMIN),
        limit=None,
    )
    out = [
        to_public(r, rank if text else None)
        for r, rank in found
        if (criterion is None or criterion in r.criteria) and (theme is None or theme in r.themes)
    ]
    data, next_cursor = RESOURCES.slice(out, cursor=cursor, limit=limit)
    return Page[ResourcePublic](data=data, next_cursor=next_cursor)


async def recommendations(
    session: AsyncSession, principal: Principal, *, diagnostic_id: str
) -> Recommendations:
    """Resources for each gap of a diagnostic, ranked by the gap's expected gain."""
    diagnostic = await diagnostics.get(session, principal, diagnostic_id=diagnostic_id)
    referential = await referentials.resolved(session, diagnostic.referential_id)
    answers = await DiagnosticRepository(session).answers(diagnostic.id)
    ratings = {a.criterion_urn: scoring.Rating(a.level, a.not_applicable) for a in answers}
    result = scoring.score(referential, ratings)
    catalogue = await ResourceRepository(session).published()
    gaps: list[GapRecommendation] = []
    totals: dict[str, float] = {}
    for urn, c in referential.criteria.items():
        rating = ratings.get(urn)
        if rating is None or rating.level is None or rating.not_applicable:
            continue
        target = math.ceil(PROPOSE_BELOW_RATIO * c.max_level)
        if rating.level >= target:
            continue
        gain = result.step_gain[urn] * (target - rating.level)
        scored = []
        for r in catalogue:
            share = 1.0 if urn in r.criteria else THEME_SHARE if c.theme_code in r.themes else 0.0
            if share:
                scored.append((share * gain, r))
                totals[r.id] = totals.get(r.id, 0.0) + share * gain
        scored.sort(key=lambda item: (-item[0], item[1].title))
        gaps.append(
            GapRecommendation(
                criterion=urn,
                code=c.code,
                name=c.name,
                theme_code=c.theme_code,
                level=rating.level,
                target_level=target,
                expected_gain=round(gain, 1),
                resources=[_recommended(r, v) for v, r in scored[:PER_GAP]],
            )
        )
    gaps.sort(key=lambda g: (-g.expected_gain, g.code))
    by_id = {r.id: r for r in catalogue}
    ranked = sorted(totals.items(), key=lambda item: (-item[1], by_id[item[0]].title))
    return Recommendations(gaps=gaps, resources=[_recommended(by_id[i], v) for i, v in ranked[:20]])


def _recommended(resource: Resource, relevance: float) -> RecommendedResource:
    return RecommendedResource(
        id=resource.id,
        code=resource.code,
        kind=resource.kind,
        title=resource.title,
        summary=resource.summary,
        relevance=round(relevance, 1),
    )


async def import_catalogue(session: AsyncSession) -> int:
    """Load the shipped starter catalogue into an empty catalogue (at migration time)."""
    repo = ResourceRepository(session)
    if await repo.count():
        return 0
    raw: dict[str, Any] = yaml.safe_load(
        package_files.files("cap_diagnostic.resources").joinpath("catalogue.yaml").read_bytes()
    )
    names, _themes = await _vocabulary(session)
    for entry in raw["resources"]:
        data = ResourceCreate.model_validate(entry)
        await repo.add(
            Resource(
                id=str(uuid.uuid4()),
                **data.model_dump(mode="json"),
                keywords=_keywords(data.criteria, data.themes, data.tags, names),
                created_by="system:catalogue",
            )
        )
    return len(raw["resources"])
