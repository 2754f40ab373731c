"""Use cases of diagnostics: open, list, edit, record key figures, move along the lifecycle, migrate.

Who may act: an admin, the organisation's members and the facilitators of its region (the
tenant rule of :meth:`Principal.may_see_organisation`); everyone else gets 404, so the existence
of another tenant's diagnostic is not revealed. Services never commit: the request's unit of
work does, so a refused batch leaves nothing half-written.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.diagnostics import access, completion
from cap_diagnostic.diagnostics.repository import DiagnosticRepository
from cap_diagnostic.diagnostics.rules import lifecycle, scoring
from cap_diagnostic.diagnostics.rules.lifecycle import Action, KeyFigures, Kind, Status
from cap_diagnostic.diagnostics.schemas import (
    DiagnosticCreate,
    DiagnosticMigration,
    DiagnosticPublic,
    DiagnosticUpdate,
)
from cap_diagnostic.facilitators import rules as facilitator_rules
from cap_diagnostic.facilitators import service as facilitators
from cap_diagnostic.models import Answer, Diagnostic, Organisation, tables
from cap_diagnostic.plans import proposals
from cap_diagnostic.plans import service as plan_service
from cap_diagnostic.referentials import loader
from cap_diagnostic.referentials import service as referentials
from cap_shared import clock
from cap_shared.audit import record_change
from cap_shared.problems import Conflict, NotFound, ProblemError
from cap_shared.security import Principal, Role
from cap_shared.sync import Deleted, SyncPage


class UnknownOrganisation(ProblemError):
    """The organisation is not known here (not registered, or its event has not arrived yet)."""

    status, code, title = 422, "unknown-organisation", "Unknown organisation"
    title_fr = "Structure inconnue"


async def to_public(
    session: AsyncSession, diagnostic: Diagnostic, *, counts: tuple[int, int] | None = None
) -> DiagnosticPublic:
    """The API view of a diagnostic; ``counts`` (rated, not applicable) when already known.

    Answers always name criteria of the diagnostic's referential version (checked on write,
    dropped by a migration), so counting its answers counts its progress.
    """
    referential = await referentials.resolved(session, diagnostic.referential_id)
    if counts is None:
        counts = session.info.get(_PROGRESS, {}).pop(diagnostic.id, None)
    if counts is None:
        counts = (await DiagnosticRepository(session).progress_counts([diagnostic.id])).get(
            diagnostic.id, (0, 0)
        )
    rated, na = counts
    return DiagnosticPublic(
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
        facilitator_user_ids=facilitator_rules.user_ids(diagnostic.facilitator_accounts),
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


async def get(session: AsyncSession, principal: Principal, *, diagnostic_id: str) -> Diagnostic:
    """A visible diagnostic, or 404."""
    diagnostic, _ = await access.visible(session, principal, diagnostic_id)
    return diagnostic


def _scope(principal: Principal) -> tuple[list[str] | None, list[str] | None]:
    """The organisations and regions the caller sees (None, None: everything)."""
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
) -> SyncPage[DiagnosticPublic]:
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
    return SyncPage[DiagnosticPublic](
        data=[await to_public(session, d, counts=counts.get(d.id, (0, 0))) for d in data],
        deleted=deleted,
        next_cursor=next_cursor,
    )


async def create(
    session: AsyncSession, principal: Principal, *, data: DiagnosticCreate
) -> Diagnostic:
    """Open a diagnostic for an organisation on a referential version."""
    organisation = await access.organisation_of(session, data.organisation_id)
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
    stored = await referentials.usable_version(
        session, data.referential_code, version=data.referential_version
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
        facilitators.name_accounts(diagnostic, principal, user_ids=data.facilitator_user_ids)
    facilitators.note_acting(diagnostic, organisation=organisation, principal=principal)
    await DiagnosticRepository(session).add(diagnostic)
    return diagnostic


async def update(
    session: AsyncSession,
    principal: Principal,
    *,
    diagnostic_id: str,
    data: DiagnosticUpdate,
    if_match: str | None,
) -> Diagnostic:
    """Change session details while the diagnostic is editable."""
    diagnostic, organisation = await access.visible(
        session, principal, diagnostic_id, for_update=True
    )
    lifecycle.ensure_editable(Status(diagnostic.status))
    changes = data.model_dump(exclude_unset=True)
    named = changes.pop("facilitator_user_ids", None)
    if "participants" in changes and data.participants is not None:
        changes["participants"] = [p.model_dump() for p in data.participants]
    if named is not None:
        facilitators.name_accounts(diagnostic, principal, user_ids=named)
    await access.write(session, diagnostic, if_match)
    facilitators.note_acting(diagnostic, organisation=organisation, principal=principal)
    for name, value in changes.items():
        if name == "title" and not value:
            continue
        setattr(diagnostic, name, value)
    await DiagnosticRepository(session).flush()
    return diagnostic


async def set_key_figures(
    session: AsyncSession,
    principal: Principal,
    *,
    diagnostic_id: str,
    figures: KeyFigures,
    if_match: str | None,
) -> Diagnostic:
    """Record the structure's key figures with the diagnostic."""
    diagnostic, organisation = await access.visible(
        session, principal, diagnostic_id, for_update=True
    )
    lifecycle.ensure_editable(Status(diagnostic.status))
    await access.write(session, diagnostic, if_match)
    facilitators.note_acting(diagnostic, organisation=organisation, principal=principal)
    diagnostic.key_figures = figures.model_dump(mode="json")
    await DiagnosticRepository(session).flush()
    return diagnostic


async def transition(
    session: AsyncSession,
    principal: Principal,
    *,
    diagnostic_id: str,
    action: Action,
    if_match: str | None,
) -> Diagnostic:
    """Move a diagnostic along its lifecycle (completion publishes its scores)."""
    diagnostic, organisation = await access.visible(
        session, principal, diagnostic_id, for_update=True
    )
    kind, status = Kind(diagnostic.kind), Status(diagnostic.status)
    target = lifecycle.next_status(kind, status, action)
    if action is Action.SCHEDULE and (
        diagnostic.session_date is None or not diagnostic.facilitator
    ):
        raise lifecycle.SessionDetailsMissing(
            "a CAP session is scheduled with its session_date and facilitator",
            detail_fr="une séance CAP se planifie avec sa session_date et son animateur",
        )
    access.expected_revision(diagnostic, if_match)
    if action is Action.COMPLETE:
        await _complete(session, principal, diagnostic, organisation, target, if_match)
        return diagnostic
    facilitators.note_acting(
        diagnostic, organisation=organisation, principal=principal
    )  # before completion publishes them
    if action is Action.ISSUE_PLAN:
        await proposals.issue_from_diagnostic(session, diagnostic, actor=principal.subject)
    await access.write(session, diagnostic, if_match)
    diagnostic.status = target.value
    if target is Status.CLOSED:
        diagnostic.closed_at = clock.now()
    await DiagnosticRepository(session).flush()
    if status in lifecycle.COMPLETED:
        # A completed diagnostic is a regulated record: its later steps are recorded too
        # (its completion is recorded where it is scored, ``completion.record_completion``).
        await record_change(
            session,
            tables.audit_log,
            action=f"diagnostic.{_PAST[action]}",
            record_type="diagnostic",
            record_id=diagnostic.id,
            before={"status": status.value},
            after={"status": target.value, "closed_at": diagnostic.closed_at},
            on_behalf_of=diagnostic.organisation_id,
        )
    return diagnostic


async def _complete(
    session: AsyncSession,
    principal: Principal,
    diagnostic: Diagnostic,
    organisation: Organisation,
    target: Status,
    if_match: str | None,
) -> None:
    """Complete a running diagnostic (read locked): its answers read before the row changes,
    then every change of the row (the acting facilitator, the revision, the status, the scores)
    in one UPDATE, and the answer's progress counted from the answers read."""
    repo = DiagnosticRepository(session)
    answers = await repo.answers(diagnostic.id)
    status_before = diagnostic.status
    facilitators.note_acting(diagnostic, organisation=organisation, principal=principal)
    access.write_locked(diagnostic, if_match)
    diagnostic.status = target.value
    await completion.record_completion(
        session, diagnostic, actor=principal.subject, answers=answers, status_before=status_before
    )
    await repo.flush()
    rated = sum(1 for a in answers if a.level is not None)
    not_applicable = sum(1 for a in answers if a.not_applicable)
    session.info.setdefault(_PROGRESS, {})[diagnostic.id] = (rated, not_applicable)


#: ``Session.info`` key: the (rated, not applicable) counts of diagnostics whose answers this
#: request counted already (by id), for its answer; taken once by :func:`to_public`.
_PROGRESS = "cap_diagnostic_progress"


#: The audit trail's verb of each step of a completed diagnostic.
_PAST = {
    Action.ISSUE_PLAN: "plan_issued",
    Action.FOLLOW_UP: "followed_up",
    Action.CLOSE: "closed",
    Action.SCHEDULE: "scheduled",
    Action.START: "started",
    Action.COMPLETE: "completed",
}


async def migrate(
    session: AsyncSession,
    principal: Principal,
    *,
    diagnostic_id: str,
    data: DiagnosticMigration,
    if_match: str | None,
) -> Diagnostic:
    """Move a running diagnostic to another version of its referential."""
    diagnostic, organisation = await access.visible(
        session, principal, diagnostic_id, for_update=True
    )
    lifecycle.ensure_editable(Status(diagnostic.status))
    current = await referentials.resolved(session, diagnostic.referential_id)
    if data.version == current.version:
        raise Conflict(
            f"the diagnostic is already on {current.code} version {current.version}",
            detail_fr=f"le diagnostic suit déjà {current.code} version {current.version}",
        )
    target_row = await referentials.usable_version(session, current.code, version=data.version)
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
    await access.write(session, diagnostic, if_match)
    facilitators.note_acting(diagnostic, organisation=organisation, principal=principal)
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
    actions = await plan_service.summary(session, organisation_ids)
    if latest is None:
        return {"latest_diagnostic": None, **actions}
    out = await to_public(session, latest)
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
