"""Use cases of a diagnostic's answers: read them (delta sync for offline rating), write a
batch (all of it or none), and reuse earlier ones on shared criteria."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.diagnostics import access
from cap_diagnostic.diagnostics.repository import DiagnosticRepository
from cap_diagnostic.diagnostics.rules import lifecycle
from cap_diagnostic.diagnostics.rules.lifecycle import Status
from cap_diagnostic.diagnostics.schemas import AnswerPublic, AnswerUpdate, Suggestion
from cap_diagnostic.facilitators import service as facilitators
from cap_diagnostic.models import Answer, Diagnostic
from cap_diagnostic.referentials import service as referentials
from cap_diagnostic.referentials.model import ResolvedReferential
from cap_shared import clock
from cap_shared.pagination import Keyset, Page, SortKey, field_key
from cap_shared.problems import ProblemError
from cap_shared.security import Principal
from cap_shared.sync import Deleted, SyncPage


class InvalidAnswer(ProblemError):
    """An answer names an unknown criterion or a level outside its scale."""

    status, code, title = 422, "invalid-answer", "Invalid answer"
    title_fr = "Réponse invalide"


async def list_answers(
    session: AsyncSession,
    principal: Principal,
    *,
    diagnostic_id: str,
    updated_since: datetime | None,
    cursor: str | None,
    limit: int,
) -> SyncPage[AnswerPublic]:
    """The answers of a visible diagnostic by criterion; with ``updated_since``, those changed
    or deleted since (a migration to another referential version deletes some)."""
    diagnostic, _ = await access.visible(session, principal, diagnostic_id)
    referential = await referentials.resolved(session, diagnostic.referential_id)
    repo = DiagnosticRepository(session)
    deleted: list[Deleted] = []
    if updated_since is None:
        rows, next_cursor = await repo.answers_page(diagnostic.id, cursor=cursor, limit=limit)
    else:
        rows, deleted, next_cursor = await repo.answer_changes(
            diagnostic.id, since=updated_since, cursor=cursor, limit=limit
        )
    return SyncPage[AnswerPublic](
        data=[answer_public(a, referential) for a in rows], deleted=deleted, next_cursor=next_cursor
    )


def answer_public(answer: Answer, referential: ResolvedReferential) -> AnswerPublic:
    """The API view of an answer (with its criterion's code)."""
    criterion = referential.criteria.get(answer.criterion_urn)
    return AnswerPublic(
        id=answer.id,
        criterion=answer.criterion_urn,
        code=criterion.code if criterion else None,
        level=answer.level,
        not_applicable=answer.not_applicable,
        not_applicable_reason=answer.not_applicable_reason,
        comment=answer.comment,
        evidence=answer.evidence,
        carried_from=answer.carried_from,
        updated_by=answer.updated_by,
        updated_at=answer.modified_at or answer.created_at,
    )


async def upsert_answers(
    session: AsyncSession,
    principal: Principal,
    *,
    diagnostic_id: str,
    batch: Sequence[AnswerUpdate],
    if_match: str | None,
) -> tuple[Diagnostic, list[AnswerPublic]]:
    """Create or replace answers by criterion; all of the batch or none of it."""
    diagnostic, organisation = await access.visible(
        session, principal, diagnostic_id, for_update=True
    )
    lifecycle.ensure_editable(Status(diagnostic.status))
    referential = await referentials.resolved(session, diagnostic.referential_id)
    problems: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(batch):
        criterion = referential.criteria.get(item.criterion)
        if criterion is None:
            problems.append(
                {
                    "field": f"answers.{i}.criterion",
                    "message": f"unknown criterion {item.criterion}",
                    "message_fr": f"critère inconnu {item.criterion}",
                }
            )
        elif item.level is not None and item.level > criterion.max_level:
            problems.append(
                {
                    "field": f"answers.{i}.level",
                    "message": f"level {item.level} is outside the scale 0-{criterion.max_level} of {criterion.code}",
                    "message_fr": f"le niveau {item.level} est hors de l'échelle 0-{criterion.max_level} de {criterion.code}",
                }
            )
        if item.criterion in seen:
            problems.append(
                {
                    "field": f"answers.{i}.criterion",
                    "message": "criterion answered twice in the batch",
                    "message_fr": "critère renseigné deux fois dans le lot",
                }
            )
        seen.add(item.criterion)
    repo = DiagnosticRepository(session)
    existing = {a.criterion_urn: a for a in await repo.answers(diagnostic.id)}
    by_id = {a.id: a for a in await repo.answers_by_ids([item.id for item in batch])}
    for i, item in enumerate(batch):
        owner = by_id.get(item.id)
        if owner is not None and (
            owner.diagnostic_id != diagnostic.id or owner.criterion_urn != item.criterion
        ):
            problems.append(
                {
                    "field": f"answers.{i}.id",
                    "message": "this id belongs to another answer",
                    "message_fr": "cet identifiant appartient à une autre réponse",
                }
            )
    if problems:
        raise InvalidAnswer(
            problems[0]["message"],
            detail_fr=problems[0]["message_fr"],
            extensions={"errors": problems},
        )
    await access.write(session, diagnostic, if_match)
    facilitators.note_acting(diagnostic, organisation=organisation, principal=principal)
    for item in batch:
        values: dict[str, Any] = {
            "level": item.level,
            "not_applicable": item.not_applicable,
            "not_applicable_reason": item.not_applicable_reason if item.not_applicable else None,
            "comment": item.comment,
            "evidence": [e.model_dump(mode="json") for e in item.evidence],
            "carried_from": item.carried_from,
            "updated_by": principal.subject,
        }
        answer = existing.get(item.criterion)
        if answer is None:
            answer = Answer(
                id=item.id, diagnostic_id=diagnostic.id, criterion_urn=item.criterion, **values
            )
            await repo.add_answer(answer)
            existing[item.criterion] = answer
        else:
            for name, value in values.items():
                setattr(answer, name, value)
            answer.modified_at = clock.now()
    await repo.flush()
    return diagnostic, [answer_public(existing[item.criterion], referential) for item in batch]


async def suggestions(
    session: AsyncSession,
    principal: Principal,
    *,
    diagnostic_id: str,
    cursor: str | None,
    limit: int,
) -> Page[Suggestion]:
    """Answers of the organisation's earlier diagnostics on criteria this one shares.

    Only the structure's own answers are offered: an audit evaluation is the auditor's record,
    not the structure's answers."""
    diagnostic, _ = await access.visible(session, principal, diagnostic_id)
    referential = await referentials.resolved(session, diagnostic.referential_id)
    repo = DiagnosticRepository(session)
    answered = {a.criterion_urn for a in await repo.answers(diagnostic.id)}
    offered: dict[str, Suggestion] = {}
    earlier_ones = await repo.latest_completed(
        diagnostic.organisation_id,
        exclude=diagnostic.id,
        excluding_kinds=[k.value for k in lifecycle.RECORDS],
    )
    for earlier in earlier_ones:
        earlier_ref = await referentials.resolved(session, earlier.referential_id)
        for answer in await repo.answers(earlier.id):
            urn = answer.criterion_urn
            if urn in offered or urn in answered or urn not in referential.criteria:
                continue
            criterion = referential.criteria[urn]
            if answer.level is not None and answer.level > criterion.max_level:
                continue
            offered[urn] = Suggestion(
                criterion=urn,
                code=criterion.code,
                level=answer.level,
                not_applicable=answer.not_applicable,
                not_applicable_reason=answer.not_applicable_reason,
                comment=answer.comment,
                evidence=answer.evidence,
                from_diagnostic=earlier.id,
                from_referential=f"{earlier_ref.code} v{earlier_ref.version}",
                completed_at=earlier.completed_at,
            )
    # In the referential's order; bound to this diagnostic's list.
    order = {urn: i for i, urn in enumerate(referential.criteria)}
    keyset = Keyset(
        f"diagnostic.suggestions:{diagnostic.id}",
        SortKey(int, value=lambda s: order[s.criterion]),
        field_key("criterion", str),
    )
    data, next_cursor = keyset.slice(list(offered.values()), cursor=cursor, limit=limit)
    return Page[Suggestion](data=data, next_cursor=next_cursor)
