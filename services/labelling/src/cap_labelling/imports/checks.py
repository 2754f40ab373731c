"""Pure checks of the parsed lines against what exists: the registered structures, the
recognitions already under their numbers, the lines above them, and at most one recognition in
force per structure and scheme (no database, no HTTP)."""

from __future__ import annotations

from cap_labelling.imports.rules import IN_FORCE, Line
from cap_labelling.imports.schemas import RowError
from cap_labelling.models import Organisation, Recognition, RecognitionChange


def _differences(line: Line, existing: Recognition, imported_status: str | None) -> list[str]:
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
    p: Line,
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


def check_lines(
    parsed: list[Line],
    organisations: dict[str, list[Organisation]],
    existing: dict[str, Recognition],
    histories: dict[str, list[RecognitionChange]],
) -> tuple[list[tuple[Line, Recognition | None]], list[RowError]]:
    """The lines that hold against the structures, the recognitions already there and the lines
    above them, each with the recognition already under its number; the others' errors."""
    errors: list[RowError] = []
    valid: list[tuple[Line, Recognition | None]] = []
    first_line: dict[str, int] = {}
    for p in parsed:
        line_errors = _check(p, organisations, existing, histories, first_line)
        first_line.setdefault(p.numero, p.line)
        errors += line_errors
        if not line_errors:
            valid.append((p, existing.get(p.numero)))
    return valid, errors


def one_in_force(
    valid: list[tuple[Line, Recognition | None]],
    in_force: dict[tuple[str, str], Recognition],
) -> tuple[list[tuple[Line, Recognition | None]], list[RowError]]:
    """The lines kept under the rule of at most one active or suspended recognition per
    structure and scheme (``in_force``: those already held), and the errors of the others."""
    errors: list[RowError] = []
    claimed: dict[tuple[str, str], int] = {}
    kept: list[tuple[Line, Recognition | None]] = []
    for p, previous in valid:
        key = (p.organisation_id, p.scheme.value)
        if previous is None and p.status in IN_FORCE:
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
    return kept, errors
