"""What the structure's screens share: who may see them, the ids in their addresses, the French
words of the statuses, and the reading of a diagnostic, its referential and its answers."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path

from cap_web import charts
from cap_web.api import Api, ApiProblem
from cap_web.console import require
from cap_web.sessions import Person

MEMBERS = require("member", "member_admin")
Member = Annotated[Person, MEMBERS]
_ID = re.compile(r"[0-9a-fA-F-]{36}")
_THEME = re.compile(r"[A-Za-z0-9._\-]{1,60}")


def _diagnostic_id(diagnostic_id: str = Path()) -> str:
    """A diagnostic's id from the address; anything else is a page that does not exist."""
    if not _ID.fullmatch(diagnostic_id):
        raise HTTPException(404)
    return diagnostic_id


def _theme_code(theme_code: str = Path()) -> str:
    """A theme's code from the address; anything else is a page that does not exist."""
    if not _THEME.fullmatch(theme_code):
        raise HTTPException(404)
    return theme_code


DiagnosticId = Annotated[str, Depends(_diagnostic_id)]
ThemeCode = Annotated[str, Depends(_theme_code)]

STATUSES = {
    "draft": "Brouillon",
    "scheduled": "Séance programmée",
    "in_session": "En cours",
    "rated": "Terminé",
    "plan_issued": "Plan de progrès émis",
    "follow_up": "En suivi",
    "closed": "Clos",
    "renewed": "Renouvelé",
}
KINDS = {
    "self_assessment": "Auto-évaluation",
    "cap_session": "Séance CAP accompagnée",
    "audit_evaluation": "Évaluation d'audit",
}
EDITABLE = {"draft", "scheduled", "in_session"}
OPEN_ACTIONS = {"proposed", "planned", "in_progress"}
RECOGNITION_STATUSES = {
    "active": "En cours de validité",
    "suspended": "Suspendu",
    "withdrawn": "Retiré",
    "expired": "Expiré",
    "renewed": "Renouvelé",
}
LABEL_NAMES = {"CAP_RSE": "label CAP RSE", "CAP_ISO9001": "certification CAP ISO 9001"}
FRAMEWORK_NAMES = {"iso26000": "Questions centrales ISO 26000", "iso9001": "Chapitres ISO 9001"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def slug(code: str) -> str:
    """A criterion's code as an HTML id / form-name part (``T1.2`` → ``T1-2``)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", code).strip("-")


# -- reading ----------------------------------------------------------------------------------
async def read_diagnostic(api: Api, diagnostic_id: str) -> tuple[dict[str, Any], str | None]:
    """A diagnostic as the API answers it, and its ETag."""
    answer = await api.call("GET", f"/v1/diagnostics/{diagnostic_id}")
    return answer.body, answer.etag


async def read_referential(api: Api, diagnostic: dict[str, Any]) -> dict[str, Any]:
    """The version of the referential the diagnostic is answered on."""
    ref = diagnostic["referential"]
    body: dict[str, Any] = await api.get(
        f"/v1/referentials/{ref['code']}/versions/{ref['version']}"
    )
    return body


async def read_answers(api: Api, diagnostic_id: str) -> dict[str, dict[str, Any]]:
    """The diagnostic's answers, by criterion URN."""
    items = await api.pages(f"/v1/diagnostics/{diagnostic_id}/answers", limit=200, most=2000)
    return {a["criterion"]: a for a in items}


def _answered(answer: dict[str, Any] | None) -> bool:
    if not answer:
        return False
    return answer.get("level") is not None or bool(answer.get("not_applicable"))


def theme_progress(
    referential: dict[str, Any], answers: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each theme of the referential with how many of its criteria are answered."""
    out = []
    for theme in referential.get("themes", []):
        criteria = theme.get("criteria", [])
        done = sum(1 for c in criteria if _answered(answers.get(c["urn"])))
        out.append(
            {
                "code": theme["code"],
                "name": theme["name"],
                "answered": done,
                "total": len(criteria),
            }
        )
    return out


def criterion_theme(referential: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Criterion code → (theme code, criterion name)."""
    return {
        c["code"]: (t["code"], c["name"])
        for t in referential.get("themes", [])
        for c in t.get("criteria", [])
    }


def clean(text: str) -> str:
    """Typed text without control characters, with Unix new lines, trimmed."""
    return _CONTROL.sub("", text).replace("\r\n", "\n").strip()


async def part(coro: Any) -> tuple[Any, ApiProblem | None]:
    """The awaited answer, or the API's problem (a part of a page that may fail alone)."""
    try:
        return await coro, None
    except ApiProblem as problem:
        return None, problem


def radar_of(scores: dict[str, Any] | None, title: str) -> Any:
    """The radar of the scores per theme (None when no theme has a score)."""
    if not scores:
        return None
    themes = scores.get("themes") or []
    if not themes or all(t.get("score") is None for t in themes):
        return None
    return charts.radar([charts.Axis(t["code"], t.get("score")) for t in themes], title=title)


def organisation_name(person: Person) -> str:
    """The name of the structure the person acts for."""
    wanted = person.organisation_id
    for org in person.organisations:
        if org.get("id") == wanted:
            return org.get("name") or ""
    return ""
