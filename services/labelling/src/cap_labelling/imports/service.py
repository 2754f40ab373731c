"""Import of the recognitions member structures already hold (CEDRE ISO 9001 certificates, CAP
RSE labels) from a CSV file.

The file (UTF-8, optional BOM, ``;`` or ``,`` separated, detected from the header line) has one
recognition per line, under these French column names (case, accents and spaces forgiven):

==================  ==========================================================================
``numero``          the existing certificate or label number, kept as the recognition number
``siret``           the holder (a group's central function), a registered structure
``dispositif``      ``CAP_RSE``, ``CAP_ISO9001``; legacy ``CEDRE_ISO9001`` / ``CEDRE ISO 9001``
                    is imported as CAP ISO 9001
``niveau``          CAP RSE: one of the levels of the CAP RSE rule; empty for CAP ISO 9001
``organisme``       the certification body's id (``sgs-tuv``); required for CAP ISO 9001
``numero_organisme`` (optional column) the body's own certificate number
``perimetre``       the certified scope; required for CAP ISO 9001
``date_decision``   ``2025-03-31`` or ``31/03/2025``
``date_effet``      never before the decision
``date_expiration`` after the effective date
``statut``          ``actif``, ``suspendu``, ``retiré``, ``expiré`` (or active, suspended,
                    withdrawn, expired); an active or suspended one must not be past its expiry,
                    an expired one must be
``membres_siret``   (optional column) a group's member structures, ``|``-separated SIRETs
==================  ==========================================================================

Rules:

* **All or nothing**: every line is checked and the report lists each rejected line with its
  line number, column and reason. If any line is rejected, no recognition is written (the run
  itself is recorded with its report, so the admin finds the attempt in the history).
* **Safe to run twice**: a number already imported with the same data counts as ``unchanged``
  (whatever its status has become since: the calendar may have expired it); the same number with
  other data, a number the platform gave to one of its own decisions, or a number twice in the
  file is rejected. A structure holds at most one active or suspended recognition per scheme.
* **Dry run**: the same checks and report, nothing written (not even the run).
* Each new line is granted through :func:`recognitions.grant` (``source="import"``, reason code
  ``imported``): history row and ``recognition.status_changed.v1`` in the same transaction.
* A line imported as ``suspendu`` gets ``suspension_cause="imported"`` and ``suspended_on`` set
  to the **import date**, not the decision date: the file does not say when the suspension
  began, and dating it from the decision could withdraw the recognition at the next calendar run
  (after ``suspension_max_months``) without the structure ever having had its suspension period.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.imports import iaf
from cap_labelling.imports.checks import check_lines, one_in_force
from cap_labelling.imports.repository import ImportRepository
from cap_labelling.imports.rules import IN_FORCE, Line, done_before, parse_lines, read
from cap_labelling.imports.schemas import ImportReport, ImportRunPublic, RowError, RowOutcome
from cap_labelling.level_rules import service as level_rules
from cap_labelling.models import ImportRun, Recognition
from cap_labelling.recognitions import service as recognitions
from cap_labelling.rules import Cycle, LifecycleRules, RecognitionStatus
from cap_shared.pagination import Page
from cap_shared.problems import ProblemError


class ImportRejected(ProblemError):
    """At least one line is rejected: nothing was imported (the ``report`` says why)."""

    status, code, title = 422, "import-rejected", "Import rejected"
    title_fr = "Import refusé"

    @classmethod
    def of(cls, report: ImportReport) -> ImportRejected:
        """The problem answering a file with rejected lines, its report attached."""
        return cls(
            f"{report.rejected} line(s) rejected: nothing was imported; fix them and import "
            "the whole file again",
            extensions={"report": report.model_dump(mode="json")},
        )


async def _checked(
    repository: ImportRepository, parsed: list[Line]
) -> tuple[list[tuple[Line, Recognition | None]], list[RowError]]:
    """The lines that hold against the registered structures, the recognitions already there
    and one another, each with the recognition already under its number; the others' errors."""
    organisations = await repository.organisations_by_siret(
        sirets={p.siret for p in parsed} | {m for p in parsed for m in p.member_sirets}
    )
    existing = await repository.by_number(numbers={p.numero for p in parsed})
    histories = await repository.history(recognition_ids=[r.id for r in existing.values()])
    valid, errors = check_lines(parsed, organisations, existing, histories)
    # At most one active or suspended recognition per structure and scheme.
    in_force = await repository.in_force(
        organisation_ids={p.organisation_id for p, previous in valid if previous is None},
        statuses=[s.value for s in IN_FORCE],
    )
    kept, in_force_errors = one_in_force(valid, in_force)
    return kept, errors + in_force_errors


async def _grant(
    session: AsyncSession,
    p: Line,
    *,
    actor: str,
    filename: str,
    now: datetime,
    today: date,
    lifecycle: LifecycleRules,
) -> Recognition:
    """Write one new line's recognition (history and event with it), as the file dates it."""
    recognition = await recognitions.grant(
        session,
        organisation_id=p.organisation_id,
        group_member_ids=p.member_ids,
        scheme=p.scheme,
        level=p.level,
        scope=p.scope,
        certification_body_id=p.body,
        external_number=p.external_number,
        decision_id=None,
        cycle=Cycle(p.decided_on, p.effective_date, p.expiry_date),
        actor=actor,
        now=now,
        previous=None,
        reason_code="imported",
        note=f"import {filename}, ligne {p.line}",
        source="import",
        number=p.numero,
        status=p.status,
    )
    recognition.surveillances_done = done_before(p, today, lifecycle)
    if p.status is RecognitionStatus.SUSPENDED:
        recognition.suspended_on, recognition.suspension_cause = today, "imported"
    return recognition


async def import_csv(
    session: AsyncSession,
    *,
    actor: str,
    filename: str,
    content: bytes,
    dry_run: bool,
    now: datetime,
    lifecycle: LifecycleRules,
) -> ImportReport:
    """Check every line, then (unless ``dry_run`` or a line is rejected) import the new ones.

    Raises :class:`ImportFileTooLarge` and :class:`ImportFileInvalid` for the file as a whole;
    rejected lines are in the report (the caller answers 422 with it, see
    :class:`ImportRejected`). The cycle's dates are the file's, as the body or the committee set
    them; ``lifecycle`` tells which surveillances were already due (see :func:`done_before`).
    """
    sha256, header, rows = read(content)
    repository = ImportRepository(session)
    if not dry_run:
        # One import at a time: the number and in-force checks below must still hold at commit.
        await repository.lock()
    today = now.date()
    # Labels already held may be at any level a CAP RSE rule names (e.g. Initial, before the
    # stricter rule): the import records what exists.
    levels = await level_rules.label_levels(session, code="CAP_RSE")
    parsed, errors = parse_lines(header, rows, levels, today)
    kept, check_errors = await _checked(repository, parsed)
    errors += check_errors

    errors.sort(key=lambda e: (e.line, e.column or ""))
    rejected_lines = len({e.line for e in errors})
    write = not dry_run and rejected_lines == 0
    outcomes: list[RowOutcome] = []
    for p, previous in kept:
        recognition_id = previous.id if previous is not None else None
        outcome: Literal["imported", "unchanged", "to_import"] = (
            "unchanged" if previous is not None else "imported" if write else "to_import"
        )
        if previous is None and write:
            recognition = await _grant(
                session,
                p,
                actor=actor,
                filename=filename,
                now=now,
                today=today,
                lifecycle=lifecycle,
            )
            recognition_id = recognition.id
        outcomes.append(
            RowOutcome(
                line=p.line,
                numero=p.numero,
                outcome=outcome,
                recognition_id=recognition_id,
                scheme=p.scheme.value,
                status=p.status.value,
            )
        )
    to_import = sum(1 for o in outcomes if o.outcome in ("imported", "to_import"))
    report = ImportReport(
        run_id=None if dry_run else str(uuid.uuid4()),
        filename=filename,
        sha256=sha256,
        dry_run=dry_run,
        written=write,
        rows=len(rows),
        to_import=to_import,
        imported=to_import if write else 0,
        unchanged=sum(1 for o in outcomes if o.outcome == "unchanged"),
        rejected=rejected_lines,
        errors=errors,
        outcomes=outcomes,
    )
    await repository.save(_run(report, actor=actor, now=now))
    return report


def _run(report: ImportReport, *, actor: str, now: datetime) -> ImportRun | None:
    """The history record of an import that was not a dry run."""
    if report.run_id is None:
        return None
    return ImportRun(
        id=report.run_id,
        at=now,
        by=actor,
        filename=report.filename[:300],
        sha256=report.sha256,
        dry_run=False,
        imported=report.imported,
        unchanged=report.unchanged,
        rejected=report.rejected,
        report=report.model_dump(mode="json"),
    )


async def runs(session: AsyncSession, *, cursor: str | None, limit: int) -> Page[ImportRunPublic]:
    """Past imports (dry runs are not kept), newest first."""
    rows, next_cursor = await ImportRepository(session).runs(cursor=cursor, limit=limit)
    data = [
        ImportRunPublic(
            id=run.id,
            at=run.at,
            by=run.by,
            filename=run.filename,
            sha256=run.sha256,
            dry_run=run.dry_run,
            imported=run.imported,
            unchanged=run.unchanged,
            rejected=run.rejected,
            report=ImportReport.model_validate(run.report),
        )
        for run in rows
    ]
    return Page[ImportRunPublic](data=data, next_cursor=next_cursor)


async def certsearch_csv(
    session: AsyncSession, *, include_labels: bool, certification_body_id: str | None
) -> bytes:
    """The IAF CertSearch export (see :mod:`cap_labelling.imports.iaf`): one row per chain."""
    repository = ImportRepository(session)
    everything = {
        r.id: r
        for r in await repository.of_schemes(schemes=iaf.schemes(include_labels=include_labels))
    }
    chain_heads = iaf.heads(everything.values(), certification_body_id=certification_body_id)
    holders = await repository.organisations(ids=sorted({r.organisation_id for r in chain_heads}))
    return iaf.to_csv(iaf.rows(chain_heads, everything=everything, holders=holders))
