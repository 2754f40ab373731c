"""Pure rules of the import of existing recognitions: read the CSV file, check each line's
values on their own, count the surveillances already due (no database, no HTTP)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from cap_labelling.imports.schemas import RowError
from cap_labelling.rules import LifecycleRules, RecognitionStatus, Scheme, surveillance_dates
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
IN_FORCE = (RecognitionStatus.ACTIVE, RecognitionStatus.SUSPENDED)
_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/\-]*$")
_BODY = re.compile(r"^[a-z0-9][a-z0-9\-]*$")
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class ImportFileInvalid(ProblemError):
    """Not a CSV file this import reads (encoding, columns, empty)."""

    status, code, title = 422, "import-file-invalid", "Invalid import file"
    title_fr = "Fichier d'import invalide"


class ImportFileTooLarge(ProblemError):
    """The file is larger than the import takes."""

    status, code, title = 413, "import-file-too-large", "Import file too large"
    title_fr = "Fichier d'import trop volumineux"


@dataclass
class Line:
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


def read(content: bytes) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """The file's SHA-256, its header (column keys) and its data lines with their number."""
    if len(content) > MAX_BYTES:
        raise ImportFileTooLarge(
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB",
            detail_fr=f"le fichier dépasse {MAX_BYTES // (1024 * 1024)} Mo",
            extensions={"max_bytes": MAX_BYTES},
        )
    header, rows = _rows(_decode(content))
    return hashlib.sha256(content).hexdigest(), header, rows


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
) -> tuple[Line | None, list[RowError]]:
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
        if status in IN_FORCE and expiry < today:
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
        Line(
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


def parse_lines(
    header: list[str], rows: list[tuple[int, list[str]]], levels: Sequence[str], today: date
) -> tuple[list[Line], list[RowError]]:
    """Every line whose values parse, and the errors of the others."""
    errors: list[RowError] = []
    parsed: list[Line] = []
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
    return parsed, errors


def done_before(p: Line, today: date, lifecycle: LifecycleRules) -> int:
    """Surveillances already due before the import, counted as done.

    The body (or the committee) still lists the recognition in the file: the surveillance
    audits due so far took place outside the platform. Counting them as not done would have the
    calendar suspend the recognition for a "missed" surveillance at its next run.
    """
    return sum(1 for due in surveillance_dates(p.scheme, p.decided_on, lifecycle) if due < today)
