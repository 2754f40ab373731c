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

import csv
import hashlib
import io
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling import recognitions, rules
from cap_labelling.level_rules import service as level_rules
from cap_labelling.models import ImportRun, Organisation, Recognition, RecognitionChange
from cap_labelling.rules import Cycle, LifecycleRules, RecognitionStatus, Scheme
from cap_shared.pagination import Keyset, Page, key
from cap_shared.problems import ProblemError
from cap_shared.text import fold

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
REQUIRED_COLUMNS = (
    "numero",
    "siret",
    "dispositif",
    "niveau",
    "organisme",
    "perimetre",
    "date_decision",
    "date_effet",
    "date_expiration",
    "statut",
)
OPTIONAL_COLUMNS = ("numero_organisme", "membres_siret")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_SCHEMES = {
    "caprse": Scheme.CAP_RSE,
    "capiso9001": Scheme.CAP_ISO9001,
    "cedreiso9001": Scheme.CAP_ISO9001,
}
_STATUSES = {
    "actif": RecognitionStatus.ACTIVE,
    "active": RecognitionStatus.ACTIVE,
    "suspendu": RecognitionStatus.SUSPENDED,
    "suspendue": RecognitionStatus.SUSPENDED,
    "suspended": RecognitionStatus.SUSPENDED,
    "retire": RecognitionStatus.WITHDRAWN,
    "retiree": RecognitionStatus.WITHDRAWN,
    "withdrawn": RecognitionStatus.WITHDRAWN,
    "expire": RecognitionStatus.EXPIRED,
    "expiree": RecognitionStatus.EXPIRED,
    "expired": RecognitionStatus.EXPIRED,
}
_IN_FORCE = (RecognitionStatus.ACTIVE, RecognitionStatus.SUSPENDED)
_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/\-]*$")
_BODY = re.compile(r"^[a-z0-9][a-z0-9\-]*$")
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


# reports ----------------------------------------------------------------------------------------
class RowError(BaseModel):
    """Why a line is rejected (one entry per problem found)."""

    line: int
    numero: str | None
    column: str | None
    reason: str


class RowOutcome(BaseModel):
    """What became (or would become) of a valid line."""

    line: int
    numero: str
    outcome: Literal["imported", "unchanged", "to_import"]
    recognition_id: str | None
    scheme: str
    status: str


class ImportReport(BaseModel):
    run_id: str | None
    filename: str
    sha256: str
    dry_run: bool
    #: Whether recognitions were written (false for a dry run and for a rejected file).
    written: bool
    rows: int
    #: Valid new lines: imported (``imported``) or to import (dry run, or a rejected file).
    to_import: int
    imported: int
    unchanged: int
    rejected: int
    errors: list[RowError]
    outcomes: list[RowOutcome]


class ImportRunOut(BaseModel):
    id: str
    at: datetime
    by: str
    filename: str
    sha256: str
    dry_run: bool
    imported: int
    unchanged: int
    rejected: int
    report: ImportReport


class ImportFileInvalid(ProblemError):
    """Not a CSV file this import reads (encoding, columns, empty)."""

    status, code, title = 422, "import-file-invalid", "Invalid import file"
    title_fr = "Fichier d'import invalide"


class ImportFileTooLarge(ProblemError):
    status, code, title = 413, "import-file-too-large", "Import file too large"
    title_fr = "Fichier d'import trop volumineux"


class ImportRejected(ProblemError):
    """At least one line is rejected: nothing was imported (the ``report`` says why)."""

    status, code, title = 422, "import-rejected", "Import rejected"
    title_fr = "Import refusé"

    @classmethod
    def of(cls, report: ImportReport) -> ImportRejected:
        return cls(
            f"{report.rejected} line(s) rejected: nothing was imported; fix them and import "
            "the whole file again",
            extensions={"report": report.model_dump(mode="json")},
        )


# parsing ------------------------------------------------------------------------------------------
@dataclass
class _Line:
    """A line whose values all parse (what the database checks and the grant need)."""

    line: int
    numero: str
    siret: str
    scheme: Scheme
    level: str | None
    body: str | None
    external_number: str | None
    scope: str
    decided_on: date
    effective_date: date
    expiry_date: date
    status: RecognitionStatus
    member_sirets: list[str]
    organisation_id: str = ""
    member_ids: list[str] = field(default_factory=list)


def _column_key(name: str) -> str:
    """``Numéro organisme`` -> ``numero_organisme``."""
    return re.sub(r"[\s\-']+", "_", fold(name.strip().lstrip("\ufeff"))).strip("_")


def _decode(content: bytes) -> str:
    if b"\x00" in content:
        raise ImportFileInvalid(
            "this is not a CSV file (binary content)",
            detail_fr="ce n'est pas un fichier CSV (contenu binaire)",
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ImportFileInvalid(
            f"the file is not UTF-8 (line {line}): save it as « CSV UTF-8 » and import it again",
            detail_fr=(
                f"le fichier n'est pas en UTF-8 (ligne {line}) : enregistrez-le au "
                "format « CSV UTF-8 » et importez-le de nouveau"
            ),
            extensions={"line": line},
        ) from None


def _rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (column keys) and the data lines with their line number."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for values in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if header is None:
                header = [_column_key(v) for v in values]
                continue
            rows.append((line, values))
            if len(rows) > MAX_ROWS:
                raise ImportFileInvalid(
                    f"more than {MAX_ROWS} lines: split the file",
                    detail_fr=f"plus de {MAX_ROWS} lignes : découpez le fichier",
                    extensions={"max_rows": MAX_ROWS},
                )
    except csv.Error as exc:
        raise ImportFileInvalid(
            f"unreadable CSV at line {reader.line_num}: {exc}",
            detail_fr=f"CSV illisible à la ligne {reader.line_num} : {exc}",
            extensions={"line": reader.line_num},
        ) from None
    if header is None:
        raise ImportFileInvalid(
            "the file is empty",
            detail_fr="le fichier est vide",
            extensions={
                "missing_columns": list(REQUIRED_COLUMNS),
                "expected_columns": list(COLUMNS),
            },
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFileInvalid(
            "missing column(s): " + ", ".join(missing),
            detail_fr="colonne(s) manquante(s) : " + ", ".join(missing),
            extensions={"missing_columns": missing, "expected_columns": list(COLUMNS)},
        )
    twice = sorted({c for c in header if c in COLUMNS and header.count(c) > 1})
    if twice:
        raise ImportFileInvalid(
            "column(s) given twice: " + ", ".join(twice),
            detail_fr="colonne(s) en double : " + ", ".join(twice),
            extensions={"duplicate_columns": twice},
        )
    if not rows:
        raise ImportFileInvalid(
            "the file has a header but no line to import",
            detail_fr="le fichier a un en-tête mais aucune ligne à importer",
        )
    return header, rows


def _date(value: str) -> date | None:
    value = value.strip()
    if match := _ISO_DATE.match(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _FR_DATE.match(value):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _parse(
    line: int, values: dict[str, str], levels: Sequence[str], today: date
) -> tuple[_Line | None, list[RowError]]:
    """Check one line's values on their own (the database checks come after)."""
    numero = values["numero"].strip()
    errors: list[RowError] = []

    def reject(column: str | None, reason: str) -> None:
        errors.append(RowError(line=line, numero=numero or None, column=column, reason=reason))

    if not numero:
        reject("numero", "numéro obligatoire")
    elif len(numero) > 60 or not _NUMBER.match(numero):
        reject("numero", "numéro invalide (60 caractères au plus : lettres, chiffres, - . / _)")

    siret = re.sub(r"\s", "", values["siret"])
    if not re.fullmatch(r"\d{14}", siret):
        reject("siret", f"SIRET invalide « {values['siret'].strip()} » : 14 chiffres attendus")

    scheme_key = re.sub(r"[\s_\-]", "", fold(values["dispositif"]))
    scheme = _SCHEMES.get(scheme_key)
    if scheme is None:
        reject(
            "dispositif",
            f"dispositif inconnu « {values['dispositif'].strip()} » : CAP_RSE, CAP_ISO9001 ou "
            "CEDRE_ISO9001 attendu",
        )

    level_text = values["niveau"].strip()
    level: str | None = None
    if scheme is Scheme.CAP_RSE:
        level = next((name for name in levels if fold(name) == fold(level_text)), None)
        if not level_text:
            reject("niveau", "niveau obligatoire pour le label CAP RSE (" + ", ".join(levels) + ")")
        elif level is None:
            reject(
                "niveau",
                f"niveau inconnu « {level_text} » : " + ", ".join(levels) + " attendu",
            )
    elif scheme is Scheme.CAP_ISO9001 and level_text:
        reject("niveau", "pas de niveau pour la certification CAP ISO 9001 : laisser vide")

    body = values["organisme"].strip().lower() or None
    if body is not None and (len(body) > 60 or not _BODY.match(body)):
        reject("organisme", f"identifiant d'organisme invalide « {body} » (ex. sgs-tuv)")
    elif body is None and scheme is Scheme.CAP_ISO9001:
        reject("organisme", "organisme certificateur obligatoire pour CAP ISO 9001")

    external = values.get("numero_organisme", "").strip() or None
    if external is not None and len(external) > 60:
        reject("numero_organisme", "numéro de l'organisme trop long (60 caractères au plus)")

    scope = values["perimetre"].strip()
    if len(scope) > 2000:
        reject("perimetre", "périmètre trop long (2000 caractères au plus)")
    elif not scope and scheme is Scheme.CAP_ISO9001:
        reject("perimetre", "périmètre obligatoire pour CAP ISO 9001")

    dates: dict[str, date] = {}
    for column in ("date_decision", "date_effet", "date_expiration"):
        parsed = _date(values[column])
        if parsed is None:
            reject(
                column,
                f"date invalide « {values[column].strip()} » : AAAA-MM-JJ ou JJ/MM/AAAA attendu",
            )
        else:
            dates[column] = parsed
    decided, effective, expiry = (
        dates.get("date_decision"),
        dates.get("date_effet"),
        dates.get("date_expiration"),
    )
    if decided is not None and decided > today:
        reject("date_decision", "date de décision dans le futur")
    if decided is not None and effective is not None and effective < decided:
        reject("date_effet", "date d'effet antérieure à la date de décision")
    if effective is not None and expiry is not None and expiry <= effective:
        reject("date_expiration", "date d'expiration non postérieure à la date d'effet")

    status = _STATUSES.get(fold(values["statut"].strip()))
    if status is None:
        reject(
            "statut",
            f"statut inconnu « {values['statut'].strip()} » : actif, suspendu, retiré ou expiré "
            "attendu",
        )
    elif expiry is not None:
        if status in _IN_FORCE and expiry < today:
            reject(
                "statut",
                f"statut « {values['statut'].strip()} » mais date d'expiration passée : "
                "indiquer « expiré »",
            )
        elif status is RecognitionStatus.EXPIRED and expiry >= today:
            reject("statut", "statut « expiré » mais la date d'expiration n'est pas passée")

    members: list[str] = []
    for raw in values.get("membres_siret", "").split("|"):
        member = re.sub(r"\s", "", raw)
        if not member:
            continue
        if not re.fullmatch(r"\d{14}", member):
            reject("membres_siret", f"SIRET de membre invalide « {raw.strip()} »")
        elif member == siret:
            reject("membres_siret", f"{member} est la structure titulaire, pas un membre")
        elif member in members:
            reject("membres_siret", f"membre {member} cité deux fois")
        else:
            members.append(member)

    if errors or scheme is None or status is None or not (decided and effective and expiry):
        return None, errors
    return (
        _Line(
            line=line,
            numero=numero,
            siret=siret,
            scheme=scheme,
            level=level,
            body=body,
            external_number=external,
            scope=scope,
            decided_on=decided,
            effective_date=effective,
            expiry_date=expiry,
            status=status,
            member_sirets=members,
        ),
        [],
    )


# database checks ----------------------------------------------------------------------------------
async def _organisations(session: AsyncSession, sirets: set[str]) -> dict[str, list[Organisation]]:
    found: dict[str, list[Organisation]] = {s: [] for s in sirets}
    if sirets:
        query = sa.select(Organisation).where(col(Organisation.siret).in_(sorted(sirets)))
        for organisation in (await session.execute(query)).scalars():
            found[organisation.siret].append(organisation)
    return found


async def _existing(session: AsyncSession, numbers: set[str]) -> dict[str, Recognition]:
    if not numbers:
        return {}
    query = sa.select(Recognition).where(col(Recognition.number).in_(sorted(numbers)))
    return {r.number: r for r in (await session.execute(query)).scalars()}


async def _in_force(
    session: AsyncSession, organisation_ids: set[str]
) -> dict[tuple[str, str], Recognition]:
    """Active or suspended recognitions of these structures, by (structure, scheme)."""
    if not organisation_ids:
        return {}
    query = sa.select(Recognition).where(
        col(Recognition.organisation_id).in_(sorted(organisation_ids)),
        col(Recognition.status).in_([s.value for s in _IN_FORCE]),
    )
    return {(r.organisation_id, r.scheme): r for r in (await session.execute(query)).scalars()}


def _differences(line: _Line, existing: Recognition, imported_status: str | None) -> list[str]:
    """The columns whose value differs from what was imported under this number."""
    compared = {
        "siret": (line.organisation_id, existing.organisation_id),
        "dispositif": (line.scheme.value, existing.scheme),
        "niveau": (line.level, existing.level),
        "organisme": (line.body, existing.certification_body_id),
        "numero_organisme": (line.external_number, existing.external_number),
        "perimetre": (line.scope, existing.scope),
        "date_decision": (line.decided_on, existing.decided_on),
        "date_effet": (line.effective_date, existing.effective_date),
        "date_expiration": (line.expiry_date, existing.expiry_date),
        "statut": (line.status.value, imported_status),
        "membres_siret": (sorted(line.member_ids), sorted(existing.group_member_ids)),
    }
    return [column for column, (new, old) in compared.items() if new != old]


def _check(
    p: _Line,
    organisations: dict[str, list[Organisation]],
    existing: dict[str, Recognition],
    histories: dict[str, list[RecognitionChange]],
    first_line: dict[str, int],
) -> list[RowError]:
    """Check a parsed line against the registered structures, the recognitions already there and
    the lines above it; sets its structure ids."""
    errors: list[RowError] = []

    def reject(column: str, reason: str) -> None:
        errors.append(RowError(line=p.line, numero=p.numero, column=column, reason=reason))

    if p.numero in first_line:
        reject("numero", f"numéro en double dans le fichier (déjà ligne {first_line[p.numero]})")
    for column, siret in [("siret", p.siret)] + [("membres_siret", m) for m in p.member_sirets]:
        found = organisations.get(siret, [])
        if len(found) != 1:
            reject(
                column,
                f"aucune structure enregistrée avec le SIRET {siret}"
                if not found
                else f"plusieurs structures enregistrées avec le SIRET {siret}",
            )
        elif column == "siret":
            p.organisation_id = found[0].id
        else:
            p.member_ids.append(found[0].id)
    previous = existing.get(p.numero)
    if previous is not None and not errors:
        if previous.source != "import":
            reject("numero", "numéro déjà attribué par la plateforme à une autre reconnaissance")
        else:
            changes = histories.get(previous.id, [])
            imported_status = changes[0].to_status if changes else None
            differences = _differences(p, previous, imported_status)
            if differences:
                reject(
                    "numero",
                    "numéro déjà utilisé avec d'autres données (" + ", ".join(differences) + ")",
                )
    return errors


def _done_before(p: _Line, today: date, lifecycle: LifecycleRules) -> int:
    """Surveillances already due before the import, counted as done.

    The body (or the committee) still lists the recognition in the file: the surveillance
    audits due so far took place outside the platform. Counting them as not done would have the
    calendar suspend the recognition for a "missed" surveillance at its next run.
    """
    return sum(
        1 for due in rules.surveillance_dates(p.scheme, p.decided_on, lifecycle) if due < today
    )


# the import ---------------------------------------------------------------------------------------
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
    them; ``lifecycle`` tells which surveillances were already due (see :func:`_done_before`).
    """
    if len(content) > MAX_BYTES:
        raise ImportFileTooLarge(
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB",
            detail_fr=f"le fichier dépasse {MAX_BYTES // (1024 * 1024)} Mo",
            extensions={"max_bytes": MAX_BYTES},
        )
    sha256 = hashlib.sha256(content).hexdigest()
    header, rows = _rows(_decode(content))
    if not dry_run:
        # One import at a time: the number and in-force checks below must still hold at commit.
        bind = session.get_bind()
        if bind.dialect.name == "postgresql":
            await session.execute(
                sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext("cap_labelling.import")))
            )
    today = now.date()
    # Labels already held may be at any level a CAP RSE rule names (e.g. Initial, before the
    # stricter rule): the import records what exists.
    levels = await level_rules.label_levels(session, code="CAP_RSE")

    errors: list[RowError] = []
    parsed: list[_Line] = []
    for line, values in rows:
        if len(values) != len(header):
            errors.append(
                RowError(
                    line=line,
                    numero=values[header.index("numero")].strip()
                    if len(values) > header.index("numero")
                    else None,
                    column=None,
                    reason=f"{len(values)} valeur(s) pour {len(header)} colonne(s)",
                )
            )
            continue
        by_column = dict(zip(header, values, strict=True))
        ok, line_errors = _parse(line, by_column, levels, today)
        errors += line_errors
        if ok is not None:
            parsed.append(ok)

    organisations = await _organisations(
        session, {p.siret for p in parsed} | {m for p in parsed for m in p.member_sirets}
    )
    existing = await _existing(session, {p.numero for p in parsed})
    histories = await recognitions.history(session, [r.id for r in existing.values()])

    valid: list[tuple[_Line, Recognition | None]] = []
    first_line: dict[str, int] = {}
    for p in parsed:
        line_errors = _check(p, organisations, existing, histories, first_line)
        first_line.setdefault(p.numero, p.line)
        errors += line_errors
        if not line_errors:
            valid.append((p, existing.get(p.numero)))

    # At most one active or suspended recognition per structure and scheme.
    new = [p for p, previous in valid if previous is None]
    in_force = await _in_force(session, {p.organisation_id for p in new})
    claimed: dict[tuple[str, str], int] = {}
    kept: list[tuple[_Line, Recognition | None]] = []
    for p, previous in valid:
        key = (p.organisation_id, p.scheme.value)
        if previous is None and p.status in _IN_FORCE:
            holding = in_force.get(key)
            if holding is not None:
                errors.append(
                    RowError(
                        line=p.line,
                        numero=p.numero,
                        column="statut",
                        reason=f"la structure détient déjà une reconnaissance {p.scheme.value} en "
                        f"cours ({holding.number}, {holding.status})",
                    )
                )
                continue
            if key in claimed:
                errors.append(
                    RowError(
                        line=p.line,
                        numero=p.numero,
                        column="statut",
                        reason=f"une autre reconnaissance {p.scheme.value} en cours de la même "
                        f"structure est déjà dans le fichier (ligne {claimed[key]})",
                    )
                )
                continue
            claimed[key] = p.line
        kept.append((p, previous))

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
            recognition.surveillances_done = _done_before(p, today, lifecycle)
            if p.status is RecognitionStatus.SUSPENDED:
                recognition.suspended_on, recognition.suspension_cause = today, "imported"
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
    if report.run_id is not None:
        session.add(
            ImportRun(
                id=report.run_id,
                at=now,
                by=actor,
                filename=filename[:300],
                sha256=sha256,
                dry_run=False,
                imported=report.imported,
                unchanged=report.unchanged,
                rejected=report.rejected,
                report=report.model_dump(mode="json"),
            )
        )
    await session.flush()
    return report


#: Newest first (at, id descending).
RUN_KEYS = Keyset(
    "recognition-imports",
    key(col(ImportRun.at), datetime, descending=True),
    key(col(ImportRun.id), str, descending=True),
)


async def runs(session: AsyncSession, *, cursor: str | None, limit: int) -> Page[ImportRunOut]:
    """Past imports (dry runs are not kept), newest first."""
    rows, next_cursor = await RUN_KEYS.fetch(
        session,
        sa.select(ImportRun),
        cursor=cursor,
        limit=limit,
    )
    data = [
        ImportRunOut(
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
    return Page[ImportRunOut](data=data, next_cursor=next_cursor)
