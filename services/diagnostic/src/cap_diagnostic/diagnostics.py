"""Use cases of diagnostics: open, rate, record key figures, complete, migrate, carry over.

Who may act: an admin, the organisation's members and the facilitators of its region (the
tenant rule of :meth:`Principal.may_see_organisation`); everyone else gets 404, so the existence
of another tenant's diagnostic is not revealed. Services never commit: the request's unit of
work does, so a refused batch leaves nothing half-written.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic import facilitators, lifecycle, plans, scoring
from cap_diagnostic.lifecycle import Action, Kind, Status
from cap_diagnostic.models import Answer, Diagnostic, GroupScoreRow, Organisation, tables
from cap_diagnostic.referentials import loader
from cap_diagnostic.referentials import service as referentials
from cap_diagnostic.referentials.model import ResolvedReferential
from cap_diagnostic.repository import (
    DiagnosticRepository,
    OrganisationRepository,
    StatisticsRepository,
)
from cap_diagnostic.schemas import (
    AnswerIn,
    AnswerOut,
    DiagnosticCreate,
    DiagnosticOut,
    DiagnosticUpdate,
    KeyFiguresIn,
    MigrateIn,
    Suggestion,
)
from cap_shared import clock
from cap_shared.conditional import PreconditionFailed, check_if_match
from cap_shared.contracts import new_event
from cap_shared.contracts.diagnostic import (
    CriterionScoreV1,
    DiagnosticCompletedV1,
    GroupScoreV1,
    ReferentialRef,
)
from cap_shared.outbox import add_event
from cap_shared.pagination import Keyset, Page, SortKey, field_key
from cap_shared.problems import Conflict, Forbidden, InvalidInput, NotFound, ProblemError
from cap_shared.security import Principal, Role
from cap_shared.sync import Deleted, SyncPage

SOURCE = "/cap/diagnostic"


class UnknownOrganisation(ProblemError):
    """The organisation is not known here (not registered, or its event has not arrived yet)."""

    status, code, title = 422, "unknown-organisation", "Unknown organisation"
    title_fr = "Structure inconnue"


class InvalidAnswer(ProblemError):
    """An answer names an unknown criterion or a level outside its scale."""

    status, code, title = 422, "invalid-answer", "Invalid answer"
    title_fr = "Réponse invalide"


class FacilitatorsNamedByAdmin(Forbidden):
    """Only an admin names a session's facilitator accounts (anyone else would bar the auditor
    or committee member of their choice); a facilitator is recorded by acting on the session."""

    code, title = "facilitators-named-by-admin", "Facilitator accounts are named by an admin"
    title_fr = "Les animateurs sont désignés par un administrateur"


# access --------------------------------------------------------------------------------------
async def _organisation(session: AsyncSession, organisation_id: str) -> Organisation | None:
    return await OrganisationRepository(session).get(organisation_id=organisation_id)


async def _visible(
    session: AsyncSession, principal: Principal, diagnostic_id: str, *, for_update: bool = False
) -> tuple[Diagnostic, Organisation]:
    diagnostic = await DiagnosticRepository(session).get(diagnostic_id, for_update=for_update)
    organisation = await _organisation(session, diagnostic.organisation_id) if diagnostic else None
    if (
        diagnostic is None
        or organisation is None
        or not principal.may_see_organisation(organisation.id, organisation.region)
    ):
        raise NotFound("no such diagnostic", detail_fr="diagnostic introuvable")
    return diagnostic, organisation


def etag(diagnostic: Diagnostic) -> str:
    """The diagnostic's current ETag (its revision)."""
    return f'"r{diagnostic.revision}"'


def _expected_revision(diagnostic: Diagnostic, if_match: str | None) -> int | None:
    """The revision If-Match pins (None when absent or ``*``), or 412 when it is stale."""
    check_if_match(if_match, etag(diagnostic), required=False)  # RFC 9110 strong comparison
    if if_match is None or if_match.strip() == "*":
        return None
    return diagnostic.revision


async def _write(session: AsyncSession, diagnostic: Diagnostic, if_match: str | None) -> None:
    """Bump the revision; with If-Match, only if nobody wrote in between (412 otherwise)."""
    expected = _expected_revision(diagnostic, if_match)
    if not await DiagnosticRepository(session).bump(diagnostic, expected):
        raise PreconditionFailed(
            "the diagnostic changed while your change was applied",
            detail_fr="le diagnostic a changé pendant que votre modification était appliquée",
            extensions={"current_etag": etag(diagnostic)},
        )


def _note_facilitator(
    diagnostic: Diagnostic, organisation: Organisation, principal: Principal
) -> None:
    """Record a facilitator of the structure's region acting on its CAP session, until
    completion (``facilitators.py``)."""
    if diagnostic.kind != Kind.CAP_SESSION.value or Status(diagnostic.status) not in (
        lifecycle.EDITABLE
    ):
        return
    user_id = facilitators.acting_facilitator(principal, region=organisation.region)
    if user_id is None:
        return
    accounts = facilitators.with_acted(
        diagnostic.facilitator_accounts, user_id, by=principal.subject, at=clock.now()
    )
    if accounts is not None:
        diagnostic.facilitator_accounts = accounts


def _name_facilitators(
    diagnostic: Diagnostic, principal: Principal, user_ids: Sequence[str]
) -> None:
    """An admin names the session's facilitator accounts (a CAP session only)."""
    if not principal.has_role(Role.ADMIN):
        raise FacilitatorsNamedByAdmin(
            "only an admin names facilitator accounts; a facilitator is recorded by acting on "
            "the session",
            detail_fr=(
                "seul un administrateur désigne des comptes d'animateurs ; un "
                "animateur est enregistré en intervenant sur la séance"
            ),
        )
    if diagnostic.kind != Kind.CAP_SESSION.value:
        raise InvalidInput(
            "only a CAP session has facilitators",
            detail_fr="seule une séance CAP a des animateurs",
            extensions={
                "errors": [
                    {
                        "field": "body.facilitator_user_ids",
                        "message": f"a {diagnostic.kind} has no facilitator",
                        "message_fr": f"un diagnostic {diagnostic.kind} n'a pas d'animateur",
                    }
                ]
            },
        )
    diagnostic.facilitator_accounts = facilitators.with_named(
        diagnostic.facilitator_accounts, user_ids, by=principal.subject, at=clock.now()
    )


# reading -------------------------------------------------------------------------------------
async def to_out(
    session: AsyncSession, diagnostic: Diagnostic, counts: tuple[int, int] | None = None
) -> DiagnosticOut:
    """The API view of a diagnostic; ``counts`` (rated, not applicable) when already known.

    Answers always name criteria of the diagnostic's referential version (checked on write,
    dropped by a migration), so counting its answers counts its progress.
    """
    referential = await referentials.resolved(session, diagnostic.referential_id)
    if counts is None:
        counts = (await DiagnosticRepository(session).progress_counts([diagnostic.id])).get(
            diagnostic.id, (0, 0)
        )
    rated, na = counts
    return DiagnosticOut(
        id=diagnostic.id,
        organisation_id=diagnostic.organisation_id,
        referential={
            "id": diagnostic.referential_id,
            "urn": referential.urn,
            "code": referential.code,
            "version": referential.version,
            "name": referential.document.name,
        },
        kind=diagnostic.kind,
        status=diagnostic.status,
        title=diagnostic.title,
        session_date=diagnostic.session_date,
        facilitator=diagnostic.facilitator,
        facilitator_user_ids=facilitators.user_ids(diagnostic.facilitator_accounts),
        facilitator_accounts=diagnostic.facilitator_accounts,
        participants=diagnostic.participants,
        key_figures=lifecycle.figures_summary(diagnostic.key_figures),
        revision=diagnostic.revision,
        progress={
            "criteria": len(referential.criteria),
            "rated": rated,
            "not_applicable": na,
            "missing": len(referential.criteria) - rated - na,
        },
        allowed_actions=lifecycle.allowed_actions(Kind(diagnostic.kind), Status(diagnostic.status)),
        overall_score=diagnostic.overall_score,
        overall_band=diagnostic.overall_band,
        created_by=diagnostic.created_by,
        created_at=diagnostic.created_at,
        updated_at=diagnostic.modified_at or diagnostic.created_at,
        completed_at=diagnostic.completed_at,
        migrations=diagnostic.migrations,
        audit_id=diagnostic.audit_id,
        audit_evaluation=diagnostic.audit_evaluation,
    )


def _ratings(answers: Sequence[Answer]) -> dict[str, scoring.Rating]:
    return {
        a.criterion_urn: scoring.Rating(level=a.level, not_applicable=a.not_applicable)
        for a in answers
    }


async def get(session: AsyncSession, principal: Principal, diagnostic_id: str) -> Diagnostic:
    """A visible diagnostic, or 404."""
    diagnostic, _ = await _visible(session, principal, diagnostic_id)
    return diagnostic


def _scope(principal: Principal) -> tuple[list[str] | None, list[str] | None]:
    if principal.has_role(Role.ADMIN):
        return None, None
    return sorted(principal.organisation_ids()), sorted(principal.regions())


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    organisation_id: str | None,
    status: str | None,
    updated_since: datetime | None,
    cursor: str | None,
    limit: int,
) -> SyncPage[DiagnosticOut]:
    """Diagnostics the caller may see, newest first; with ``updated_since``, those changed or
    deleted since, oldest change first."""
    organisation_ids, regions = _scope(principal)
    repo = DiagnosticRepository(session)
    deleted: list[Deleted] = []
    if updated_since is None:
        data, next_cursor = await repo.page(
            organisation_ids=organisation_ids,
            regions=regions,
            organisation_id=organisation_id,
            status=status,
            cursor=cursor,
            limit=limit,
        )
    else:
        data, deleted, next_cursor = await repo.changes(
            organisation_ids=organisation_ids,
            regions=regions,
            organisation_id=organisation_id,
            status=status,
            since=updated_since,
            cursor=cursor,
            limit=limit,
        )
    counts = await repo.progress_counts([d.id for d in data])
    return SyncPage[DiagnosticOut](
        data=[await to_out(session, d, counts.get(d.id, (0, 0))) for d in data],
        deleted=deleted,
        next_cursor=next_cursor,
    )


async def answers(
    session: AsyncSession,
    principal: Principal,
    diagnostic_id: str,
    *,
    updated_since: datetime | None,
    cursor: str | None,
    limit: int,
) -> SyncPage[AnswerOut]:
    """The answers of a visible diagnostic by criterion; with ``updated_since``, those changed
    or deleted since (a migration to another referential version deletes some)."""
    diagnostic, _ = await _visible(session, principal, diagnostic_id)
    referential = await referentials.resolved(session, diagnostic.referential_id)
    repo = DiagnosticRepository(session)
    deleted: list[Deleted] = []
    if updated_since is None:
        rows, next_cursor = await repo.answers_page(diagnostic.id, cursor=cursor, limit=limit)
    else:
        rows, deleted, next_cursor = await repo.answer_changes(
            diagnostic.id, since=updated_since, cursor=cursor, limit=limit
        )
    return SyncPage[AnswerOut](
        data=[_answer_out(a, referential) for a in rows], deleted=deleted, next_cursor=next_cursor
    )


def _answer_out(answer: Answer, referential: ResolvedReferential) -> AnswerOut:
    criterion = referential.criteria.get(answer.criterion_urn)
    return AnswerOut(
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


async def live_scores(
    session: AsyncSession, principal: Principal, diagnostic_id: str
) -> dict[str, Any]:
    """Scores as they stand (final once completed)."""
    diagnostic, _ = await _visible(session, principal, diagnostic_id)
    if diagnostic.scores is not None:
        return diagnostic.scores
    referential = await referentials.resolved(session, diagnostic.referential_id)
    ratings = _ratings(await DiagnosticRepository(session).answers(diagnostic.id))
    return scores_dict(scoring.score(referential, ratings))


def scores_dict(scores: scoring.Scores) -> dict[str, Any]:
    """Scores as JSON-ready data."""
    data = dataclasses.asdict(scores)
    data.pop("step_gain")
    return data


# writing -------------------------------------------------------------------------------------
async def create(session: AsyncSession, principal: Principal, data: DiagnosticCreate) -> Diagnostic:
    """Open a diagnostic for an organisation on a referential version."""
    organisation = await _organisation(session, data.organisation_id)
    if organisation is None:
        raise UnknownOrganisation(
            "this organisation is not known to the diagnostic service (if it was just "
            "registered, retry in a moment)",
            detail_fr=(
                "cette structure n'est pas connue du service de diagnostic (si "
                "elle vient d'être enregistrée, réessayez dans un instant)"
            ),
        )
    if not principal.may_see_organisation(organisation.id, organisation.region):
        raise NotFound("no such organisation", detail_fr="structure introuvable")
    stored = await referentials.get_version(
        session, data.referential_code, data.referential_version
    )
    diagnostic = Diagnostic(
        id=str(uuid.uuid4()),
        organisation_id=organisation.id,
        referential_id=stored.id,
        kind=Kind(data.kind).value,
        status=Status.DRAFT.value,
        title=data.title or f"{stored.name} — {organisation.name}",
        session_date=data.session_date,
        facilitator=data.facilitator,
        participants=[p.model_dump() for p in data.participants],
        created_by=principal.subject,
    )
    if data.facilitator_user_ids is not None:
        _name_facilitators(diagnostic, principal, data.facilitator_user_ids)
    _note_facilitator(diagnostic, organisation, principal)
    await DiagnosticRepository(session).add(diagnostic)
    return diagnostic


async def update(
    session: AsyncSession,
    principal: Principal,
    diagnostic_id: str,
    data: DiagnosticUpdate,
    if_match: str | None,
) -> Diagnostic:
    """Change session details while the diagnostic is editable."""
    diagnostic, organisation = await _visible(session, principal, diagnostic_id, for_update=True)
    lifecycle.ensure_editable(Status(diagnostic.status))
    changes = data.model_dump(exclude_unset=True)
    named = changes.pop("facilitator_user_ids", None)
    if "participants" in changes and data.participants is not None:
        changes["participants"] = [p.model_dump() for p in data.participants]
    if named is not None:
        _name_facilitators(diagnostic, principal, named)
    await _write(session, diagnostic, if_match)
    _note_facilitator(diagnostic, organisation, principal)
    for name, value in changes.items():
        if name == "title" and not value:
            continue
        setattr(diagnostic, name, value)
    await DiagnosticRepository(session).flush()
    return diagnostic


async def upsert_answers(
    session: AsyncSession,
    principal: Principal,
    diagnostic_id: str,
    batch: Sequence[AnswerIn],
    if_match: str | None,
) -> tuple[Diagnostic, list[AnswerOut]]:
    """Create or replace answers by criterion; all of the batch or none of it."""
    diagnostic, organisation = await _visible(session, principal, diagnostic_id, for_update=True)
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
    await _write(session, diagnostic, if_match)
    _note_facilitator(diagnostic, organisation, principal)
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
    return diagnostic, [_answer_out(existing[item.criterion], referential) for item in batch]


async def set_key_figures(
    session: AsyncSession,
    principal: Principal,
    diagnostic_id: str,
    figures: KeyFiguresIn,
    if_match: str | None,
) -> Diagnostic:
    """Record the structure's key figures with the diagnostic."""
    diagnostic, organisation = await _visible(session, principal, diagnostic_id, for_update=True)
    lifecycle.ensure_editable(Status(diagnostic.status))
    await _write(session, diagnostic, if_match)
    _note_facilitator(diagnostic, organisation, principal)
    diagnostic.key_figures = figures.model_dump(mode="json")
    await DiagnosticRepository(session).flush()
    return diagnostic


async def transition(
    session: AsyncSession,
    principal: Principal,
    diagnostic_id: str,
    action: Action,
    if_match: str | None,
) -> Diagnostic:
    """Move a diagnostic along its lifecycle (completion publishes its scores)."""
    diagnostic, organisation = await _visible(session, principal, diagnostic_id, for_update=True)
    kind, status = Kind(diagnostic.kind), Status(diagnostic.status)
    target = lifecycle.next_status(kind, status, action)
    if action is Action.SCHEDULE and (
        diagnostic.session_date is None or not diagnostic.facilitator
    ):
        raise lifecycle.SessionDetailsMissing(
            "a CAP session is scheduled with its session_date and facilitator",
            detail_fr="une séance CAP se planifie avec sa session_date et son animateur",
        )
    _expected_revision(diagnostic, if_match)
    _note_facilitator(diagnostic, organisation, principal)  # before completion publishes them
    if action is Action.COMPLETE:
        await record_completion(session, diagnostic, actor=principal.subject)
    if action is Action.ISSUE_PLAN:
        await plans.issue_from_diagnostic(session, diagnostic, principal.subject)
    await _write(session, diagnostic, if_match)
    diagnostic.status = target.value
    if target is Status.CLOSED:
        diagnostic.closed_at = clock.now()
    await DiagnosticRepository(session).flush()
    return diagnostic


async def record_completion(
    session: AsyncSession, diagnostic: Diagnostic, *, actor: str, allow_unrated: bool = False
) -> None:
    """Score a diagnostic, freeze its scores and publish ``diagnostic.completed.v1``: the one
    completion path, for the structure's own assessments (the ``complete`` transition: every
    criterion rated or not applicable) and for the auditor's evaluations (``evaluations.py``,
    ``allow_unrated``: what the auditor did not evaluate stays unrated, published with no
    level). The caller sets the status."""
    referential = await referentials.resolved(session, diagnostic.referential_id)
    repo = DiagnosticRepository(session)
    answers = await repo.answers(diagnostic.id)
    result = scoring.score(referential, _ratings(answers))
    if not result.complete and not allow_unrated:
        raise lifecycle.Incomplete(
            f"{len(result.missing)} criteria are neither rated nor marked not applicable",
            detail_fr=(
                f"{len(result.missing)} critère(s) ne sont ni notés ni marqués non applicables"
            ),
            extensions={"missing": list(result.missing)},
        )
    now = clock.now()
    diagnostic.completed_at = now
    diagnostic.completed_quarter = f"{now.year}-T{(now.month - 1) // 3 + 1}"
    diagnostic.overall_score = result.overall.score
    diagnostic.overall_band = result.overall.band
    diagnostic.scores = scores_dict(result)
    groups = [result.overall, *result.themes, *result.kinds]
    for framework_groups in result.frameworks.values():
        groups.extend(framework_groups)
    await StatisticsRepository(session).record_latest(diagnostic, referential.code)
    await repo.replace_scores(
        diagnostic.id,
        [
            GroupScoreRow(
                diagnostic_id=diagnostic.id, group=g.group, code=g.code, score=g.score, band=g.band
            )
            for g in groups
        ],
    )
    by_urn = {a.criterion_urn: a for a in answers}
    figures = lifecycle.figures_summary(diagnostic.key_figures)
    event = DiagnosticCompletedV1(
        diagnostic_id=diagnostic.id,
        organisation_id=diagnostic.organisation_id,
        kind=diagnostic.kind,
        audit_id=diagnostic.audit_id,
        facilitator_user_ids=facilitators.user_ids(diagnostic.facilitator_accounts),
        referential=ReferentialRef(
            urn=referential.urn, code=referential.code, version=referential.version
        ),
        completed_at=now,
        session_date=diagnostic.session_date,
        overall=_group(result.overall),
        themes=[_group(g) for g in result.themes],
        frameworks={k: [_group(g) for g in v] for k, v in result.frameworks.items()},
        kinds=[_group(g) for g in result.kinds],
        criteria=[
            CriterionScoreV1(
                urn=c.urn,
                code=c.code,
                level=by_urn[c.urn].level if c.urn in by_urn else None,
                max_level=c.max_level,
                not_applicable=by_urn[c.urn].not_applicable if c.urn in by_urn else False,
                core=c.core,
            )
            for c in referential.criteria.values()
        ],
        dynamic_exit_rate=figures["dynamic_exit_rate"] if figures else None,
    )
    await add_event(
        session,
        tables.outbox,
        new_event(event, source=SOURCE, subject=diagnostic.id, actor=actor),
    )


def _group(g: scoring.GroupScore) -> GroupScoreV1:
    return GroupScoreV1(**dataclasses.asdict(g))


async def suggestions(
    session: AsyncSession,
    principal: Principal,
    diagnostic_id: str,
    *,
    cursor: str | None,
    limit: int,
) -> Page[Suggestion]:
    """Answers of the organisation's earlier diagnostics on criteria this one shares.

    Only the structure's own answers are offered: an audit evaluation is the auditor's record,
    not the structure's answers."""
    diagnostic, _ = await _visible(session, principal, diagnostic_id)
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


async def migrate(
    session: AsyncSession,
    principal: Principal,
    diagnostic_id: str,
    data: MigrateIn,
    if_match: str | None,
) -> Diagnostic:
    """Move a running diagnostic to another version of its referential."""
    diagnostic, organisation = await _visible(session, principal, diagnostic_id, for_update=True)
    lifecycle.ensure_editable(Status(diagnostic.status))
    current = await referentials.resolved(session, diagnostic.referential_id)
    if data.version == current.version:
        raise Conflict(
            f"the diagnostic is already on {current.code} version {current.version}",
            detail_fr=f"le diagnostic suit déjà {current.code} version {current.version}",
        )
    target_row = await referentials.get_version(session, current.code, data.version)
    target = await referentials.resolved(session, target_row.id)
    diff = loader.changes(current, target)
    repo = DiagnosticRepository(session)
    removed: list[Answer] = []
    adjusted = []
    for answer in await repo.answers(diagnostic.id):
        new = target.criteria.get(answer.criterion_urn)
        if new is None:
            removed.append(answer)
            continue
        old = current.criteria.get(answer.criterion_urn, new)
        if answer.level is None or old.max_level == new.max_level:
            continue
        level = _migrate_level(answer.level, old.max_level, new.max_level, data.strategy)
        adjusted.append({"criterion": answer.criterion_urn, "from": answer.level, "to": level})
        answer.level = level
        answer.modified_at = clock.now()
    await _write(session, diagnostic, if_match)
    _note_facilitator(diagnostic, organisation, principal)
    if removed:
        await repo.delete_answers(diagnostic, removed, at=clock.now())
    diagnostic.referential_id = target_row.id
    diagnostic.migrations = [
        *diagnostic.migrations,
        {
            "at": clock.now().isoformat(),
            "by": principal.subject,
            "from_version": current.version,
            "to_version": target.version,
            "strategy": data.strategy,
            "answers_removed": [a.criterion_urn for a in removed],
            "levels_changed": adjusted,
            "criteria_added": [c["code"] for c in diff["added"]],
        },
    ]
    await repo.flush()
    return diagnostic


def _migrate_level(level: int, old_max: int, new_max: int, strategy: str) -> int | None:
    """A level on a changed scale: keep (clamped), reset (to rate again) or rescale."""
    if strategy == "reset":
        return None
    if strategy == "rescale":
        return scoring.round_half_up(level * new_max / old_max)
    return min(level, new_max)


async def summary(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    """The caller's organisation's latest diagnostic, for the home screen (404: none)."""
    organisation_ids = sorted(principal.organisation_ids())
    if not organisation_ids:
        raise NotFound(
            "the caller belongs to no organisation",
            detail_fr="l'appelant n'appartient à aucune structure",
        )
    latest = await DiagnosticRepository(session).latest_of(organisation_ids)
    actions = await plans.summary(session, organisation_ids)
    if latest is None:
        return {"latest_diagnostic": None, **actions}
    out = await to_out(session, latest)
    return {
        **actions,
        "latest_diagnostic": {
            "id": out.id,
            "organisation_id": out.organisation_id,
            "referential": out.referential,
            "status": out.status,
            "progress": out.progress,
            "overall_score": out.overall_score,
            "overall_band": out.overall_band,
            "completed_at": out.completed_at,
        },
    }
