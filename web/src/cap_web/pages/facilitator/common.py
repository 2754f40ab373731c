"""What the facilitator's screens share: who may see them, the French words of the statuses and
categories, the bands and their colours, and the form tools (typed text, participants)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from cap_web.console import require
from cap_web.sessions import Person
from cap_web.words import SCHEMES

Facilitator = Annotated[Person, require("facilitator")]


#: How many items of each list the screens read at most (the API pages them by 200).
MOST = 2000
#: The bands of the CAP score, lowest first (the referential's own list wins when it is read).
BANDS = ["Non engagé", "Initial", "Progression", "Confirmé", "Exemplaire"]
#: Band colours for the charts (contrast ≥ 3:1 against white, WCAG 1.4.11).
BAND_COLOURS = ["#6b6b6b", "#b3261e", "#8a4b00", "#1f6f9e", "#0b6b3a"]
SIAE_TYPES = ["ACI", "AI", "EI", "ETTI", "EITI", "EBE"]
STATUS_FR = {
    "draft": "Brouillon",
    "scheduled": "Programmé",
    "in_session": "En séance",
    "rated": "Évalué",
    "plan_issued": "Plan émis",
    "follow_up": "En suivi",
    "closed": "Clos",
    "renewed": "Renouvelé",
}
KIND_FR = {
    "cap_session": "Diagnostic accompagné",
    "self_assessment": "Autodiagnostic",
    "audit_evaluation": "Évaluation d'audit",
}
ACTION_FR = {
    "schedule": "Programmer la séance",
    "start": "Ouvrir la séance",
    "complete": "Terminer le diagnostic",
    "issue_plan": "Émettre le plan de progrès",
    "follow_up": "Passer en suivi",
    "close": "Clore le diagnostic",
}
SCHEME_FR = SCHEMES
RECOGNITION_STATUS_FR = {
    "active": "En cours",
    "suspended": "Suspendu",
    "withdrawn": "Retiré",
    "expired": "Expiré",
    "renewed": "Renouvelé",
}
CATEGORIES = {
    "staff": "Salarié·e permanent·e",
    "employee_in_pathway": "Salarié·e en parcours",
    "volunteer": "Bénévole",
    "board": "Administrateur·rice",
    "partner": "Partenaire",
}
ACTION_STATUS_FR = {
    "proposed": "Proposée",
    "planned": "Planifiée",
    "in_progress": "En cours",
    "done": "Réalisée",
    "verified": "Vérifiée",
    "cancelled": "Abandonnée",
}
MATURITY_KIND_FR = {"practice": "Pratiques", "result": "Résultats"}
SORTS = {
    "nom": "Nom",
    "score": "Score (du plus faible)",
    "retard": "Actions en retard (les plus nombreuses)",
    "diagnostic": "Dernier diagnostic (le plus ancien)",
}
#: Participant rows the scheduling form offers (empty ones at least), and at most.
PARTICIPANT_ROWS = 6
MAX_PARTICIPANTS = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str | None, limit: int = 200) -> str:
    """Typed text without control characters, trimmed, at most ``limit`` characters."""
    return _CONTROL.sub("", text or "").strip()[:limit]


def derived_key(key: str, step: str) -> str:
    """A second Idempotency-Key derived from a form's key (a form doing two POSTs)."""
    try:
        base = uuid.UUID(key)
    except ValueError:
        base = uuid.uuid4()
    return str(uuid.uuid5(base, step))


def _rows_in(form: Mapping[str, Any] | None) -> int:
    """How many participant rows ``form`` holds (at most :data:`MAX_PARTICIPANTS`)."""
    found = [
        int(m.group(1))
        for key in (form or {})
        if (m := re.fullmatch(r"p_(?:name|role|category)_(\d{1,3})", str(key)))
    ]
    return min(max(found, default=-1) + 1, MAX_PARTICIPANTS)


def participants_form(form: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The rows the form shows: those typed, and two empty ones (at least six in all)."""
    count = min(max(PARTICIPANT_ROWS, _rows_in(form) + 2), MAX_PARTICIPANTS)
    values = form or {}
    return [
        {
            "name": str(values.get(f"p_name_{i}", "")),
            "role": str(values.get(f"p_role_{i}", "")),
            "category": str(values.get(f"p_category_{i}", "")),
        }
        for i in range(count)
    ]


def participants_of(form: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The participants typed in the form (rows with a name or a role) and per-row errors."""
    people: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for i in range(_rows_in(form)):
        name = clean(str(form.get(f"p_name_{i}", "")))
        role = clean(str(form.get(f"p_role_{i}", "")))
        category = str(form.get(f"p_category_{i}", "") or "staff")
        if not name and not role:
            continue
        if category not in CATEGORIES:
            errors[f"p_category_{i}"] = "Choisissez une catégorie de la liste."
            continue
        people.append({"name": name or None, "role": role or None, "category": category})
    return people, errors
