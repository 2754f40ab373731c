"""The structure's screens (member, member_admin): the dashboard, the diagnostics answered theme
by theme with autosave, completion, and the results with their downloads.

Answers are saved with the diagnostic's ETag in ``If-Match``. The form carries the answers as
they were when it was drawn (``base``): a 412 compares what the API now holds with that base,
and saves again silently only when nobody touched the same criteria; otherwise both versions are
shown and the person chooses, criterion by criterion.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from cap_shared.formats import spreadsheet_row
from cap_web import charts
from cap_web.api import Answer, Api, ApiProblem
from cap_web.console import ApiDep, is_htmx, redirect, render, require
from cap_web.sessions import Person

router = APIRouter()

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
_ANSWER_FIELD = re.compile(r"answers\.(\d+)\.(\w+)")
#: Status labels of the API's problems on a field of an answer.
_FIELD_NAMES = {
    "comment": "commentaire",
    "not_applicable_reason": "motif",
    "evidence": "preuves",
    "level": "niveau",
}


def slug(code: str) -> str:
    """A criterion's code as an HTML id / form-name part (``T1.2`` → ``T1-2``)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", code).strip("-")


# -- reading ----------------------------------------------------------------------------------
async def _diagnostic(api: Api, diagnostic_id: str) -> tuple[dict[str, Any], str | None]:
    answer = await api.call("GET", f"/v1/diagnostics/{diagnostic_id}")
    return answer.body, answer.etag


async def _referential(api: Api, diagnostic: dict[str, Any]) -> dict[str, Any]:
    ref = diagnostic["referential"]
    body: dict[str, Any] = await api.get(
        f"/v1/referentials/{ref['code']}/versions/{ref['version']}"
    )
    return body


async def _answers(api: Api, diagnostic_id: str) -> dict[str, dict[str, Any]]:
    items = await api.pages(f"/v1/diagnostics/{diagnostic_id}/answers", limit=200, most=2000)
    return {a["criterion"]: a for a in items}


def _answered(answer: dict[str, Any] | None) -> bool:
    if not answer:
        return False
    return answer.get("level") is not None or bool(answer.get("not_applicable"))


def _theme_progress(
    referential: dict[str, Any], answers: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
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


def _criterion_theme(referential: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Criterion code → (theme code, criterion name)."""
    return {
        c["code"]: (t["code"], c["name"])
        for t in referential.get("themes", [])
        for c in t.get("criteria", [])
    }


# -- answers as the form holds them ------------------------------------------------------------
@dataclass
class Value:
    """One criterion's answer as the form shows it."""

    level: int | None = None
    na: bool = False
    reason: str = ""
    comment: str = ""
    evidence: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, answer: dict[str, Any] | None) -> Value:
        if not answer:
            return cls()
        return cls(
            level=answer.get("level"),
            na=bool(answer.get("not_applicable")),
            reason=answer.get("not_applicable_reason") or "",
            comment=answer.get("comment") or "",
            evidence=[
                {"title": str(e.get("title") or ""), "url": str(e.get("url") or "")}
                for e in answer.get("evidence") or []
            ],
        )

    def signature(self) -> str:
        """What tells two answers apart (the base the form was drawn from)."""
        return json.dumps(
            [self.level, self.na, self.reason.strip() if self.na else "", self.comment.strip(),
             [[e["title"], e["url"]] for e in self.evidence]],
            ensure_ascii=False,
        )  # fmt: skip

    @property
    def empty(self) -> bool:
        return self.level is None and not self.na and not self.comment and not self.evidence

    @property
    def choice(self) -> str:
        return "na" if self.na else ("" if self.level is None else str(self.level))

    @property
    def evidence_text(self) -> str:
        return "\n".join(
            f"{e['title']} | {e['url']}" if e["url"] and e["url"] != e["title"] else e["title"]
            for e in self.evidence
        )

    def describe(self, scale: dict[int, str]) -> str:
        """In words, for the conflict notice."""
        if self.na:
            head = f"non applicable ({self.reason.strip() or 'sans motif'})"
        elif self.level is None:
            head = "pas de niveau"
        else:
            head = f"niveau {self.level} — {scale.get(self.level, '')}".rstrip(" —")
        if self.comment.strip():
            head += f" ; commentaire : « {self.comment.strip()} »"
        if self.evidence:
            head += f" ; {len(self.evidence)} preuve(s)"
        return head


def _clean(text: str) -> str:
    return _CONTROL.sub("", text).replace("\r\n", "\n").strip()


def _parse_evidence(text: str) -> tuple[list[dict[str, str]], str | None]:
    out: list[dict[str, str]] = []
    for raw in _clean(text).splitlines():
        line = raw.strip()
        if not line:
            continue
        if "|" in line:
            title, url = (part.strip() for part in line.split("|", 1))
        elif re.fullmatch(r"https?://\S+", line):
            title, url = line, line
        else:
            title, url = line, ""
        if url and not re.fullmatch(r"https?://[^\s<>\"]+", url):
            return out, f"« {url[:80]} » n'est pas un lien web (il commence par https://)."
        if len(title) > 300:
            return out, "Le titre d'une preuve dépasse 300 caractères."
        out.append({"title": title or url, "url": url})
    if len(out) > 50:
        return out, "50 preuves au plus par critère."
    return out, None


def _read_form(
    form: FormData, criteria: list[dict[str, Any]]
) -> tuple[dict[str, Value], dict[str, str]]:
    """The theme's answers as typed, and the French message of each invalid one."""
    values: dict[str, Value] = {}
    errors: dict[str, str] = {}
    for criterion in criteria:
        key = slug(criterion["code"])
        choice = str(form.get(f"level-{key}") or "")
        value = Value(
            reason=_clean(str(form.get(f"reason-{key}") or "")),
            comment=_clean(str(form.get(f"comment-{key}") or "")),
        )
        value.evidence, problem = _parse_evidence(str(form.get(f"evidence-{key}") or ""))
        if choice == "na":
            value.na = True
            if not value.reason:
                problem = "Indiquez pourquoi ce critère ne s'applique pas à votre structure."
        elif choice:
            top = max((s["value"] for s in criterion.get("scale") or []), default=4)
            if not choice.isdigit() or not 0 <= int(choice) <= top:
                problem = f"Choisissez un niveau entre 0 et {top}."
            else:
                value.level = int(choice)
        if len(value.comment) > 4000:
            problem = "Le commentaire dépasse 4 000 caractères."
        if len(value.reason) > 2000:
            problem = "Le motif dépasse 2 000 caractères."
        values[criterion["urn"]] = value
        if problem:
            errors[criterion["urn"]] = problem
    return values, errors


def _answer_id(diagnostic_id: str, urn: str, stored: dict[str, Any] | None) -> str:
    if stored and stored.get("id"):
        return str(stored["id"])
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cap-console:{diagnostic_id}:{urn}"))


def _payload(
    diagnostic_id: str, urn: str, value: Value, stored: dict[str, Any] | None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": _answer_id(diagnostic_id, urn, stored),
        "criterion": urn,
        "level": None if value.na else value.level,
        "not_applicable": value.na,
        "not_applicable_reason": value.reason if value.na else None,
        "comment": value.comment or None,
        "evidence": [
            {"title": e["title"], **({"url": e["url"]} if e["url"] else {})} for e in value.evidence
        ],
    }
    return item


# -- the dashboard ----------------------------------------------------------------------------
async def _part(coro: Any) -> tuple[Any, ApiProblem | None]:
    try:
        return await coro, None
    except ApiProblem as problem:
        return None, problem


def _radar_of(scores: dict[str, Any] | None, title: str) -> Any:
    if not scores:
        return None
    themes = scores.get("themes") or []
    if not themes or all(t.get("score") is None for t in themes):
        return None
    return charts.radar([charts.Axis(t["code"], t.get("score")) for t in themes], title=title)


@router.get("/tableau-de-bord", include_in_schema=False)
async def dashboard(request: Request, api: ApiDep, person: Member) -> Response:
    """Latest diagnostic with its radar, the plan's progress and next actions, labels, unread."""
    overview, overview_problem = await _part(api.get("/v1/me/overview"))
    parts = (overview or {}).get("parts", {})
    diag_part = parts.get("diagnostic") or {}
    summary = diag_part.get("data") if diag_part.get("status") == "ok" else None
    latest = (summary or {}).get("latest_diagnostic")
    scores = radar = None
    scored = latest if latest and latest.get("overall_score") is not None else None
    if latest and scored is None:
        # a diagnostic under way: the score shown is the last completed one's
        earlier, _ = await _part(
            api.get("/v1/diagnostics", organisation_id=person.organisation_id, limit=100)
        )
        done = [d for d in (earlier or {}).get("data", []) if d.get("overall_score") is not None]
        done.sort(key=lambda d: d.get("completed_at") or "", reverse=True)
        scored = done[0] if done else None
    if scored:
        scores, _ = await _part(api.get(f"/v1/diagnostics/{scored['id']}/scores"))
        radar = _radar_of(scores, "Scores par thème du dernier diagnostic terminé")
    plans, plans_problem = await _part(api.get("/v1/progress-plans", limit=20))
    plan = None
    if plans and plans.get("data"):
        wanted = latest["id"] if latest else None
        plan = next((p for p in plans["data"] if p.get("diagnostic_id") == wanted), None)
        plan = plan or plans["data"][0]
    next_actions: list[dict[str, Any]] = []
    plan_total = plan_done = 0
    if plan:
        counts = plan.get("counts") or {}
        plan_total = sum(v for k, v in counts.items() if k != "cancelled")
        plan_done = counts.get("done", 0) + counts.get("verified", 0)
        open_actions = [a for a in plan.get("actions") or [] if a.get("status") in OPEN_ACTIONS]
        open_actions.sort(key=lambda a: (a.get("due_date") or "9999", a.get("title") or ""))
        next_actions = open_actions[:5]
    labels, labels_problem = await _part(
        api.get("/v1/recognitions", organisation_id=person.organisation_id, limit=20)
    )
    unread, unread_problem = await _part(api.get("/v1/notifications/unread-count"))
    return render(
        request,
        "structure/dashboard.html",
        {
            "overview_problem": overview_problem,
            "diag_unavailable": diag_part.get("status") == "unavailable",
            "latest": latest,
            "scored": scored,
            "summary": summary,
            "scores": scores,
            "radar": radar,
            "plan": plan,
            "plans_problem": plans_problem,
            "plan_total": plan_total,
            "plan_done": plan_done,
            "next_actions": next_actions,
            "labels": (labels or {}).get("data", []),
            "labels_problem": labels_problem,
            "unread": (unread or {}).get("unread"),
            "unread_problem": unread_problem,
            "statuses": STATUSES,
            "recognition_statuses": RECOGNITION_STATUSES,
            "organisation": _organisation_name(person),
        },
    )


def _organisation_name(person: Person) -> str:
    wanted = person.organisation_id
    for org in person.organisations:
        if org.get("id") == wanted:
            return org.get("name") or ""
    return ""


# -- the list and a new diagnostic ------------------------------------------------------------
async def _list_page(
    request: Request,
    api: Api,
    person: Person,
    *,
    problem: ApiProblem | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    items = await api.pages(
        "/v1/diagnostics", organisation_id=person.organisation_id, limit=100, most=500
    )
    items.sort(key=lambda d: d.get("updated_at") or "", reverse=True)
    referentials = await api.pages("/v1/referentials", limit=100)
    return render(
        request,
        "structure/diagnostics.html",
        {
            "diagnostics": items,
            "referentials": referentials,
            "statuses": STATUSES,
            "kinds": KINDS,
            "problem": problem,
            "errors": problem.field_messages() if problem else {},
            "form": form or {},
            "organisation": _organisation_name(person),
        },
        status_code=status_code,
    )


@router.get("/diagnostics", include_in_schema=False)
async def diagnostics_list(request: Request, api: ApiDep, person: Member) -> Response:
    """The structure's diagnostics and the form to start one."""
    return await _list_page(request, api, person)


@router.post("/diagnostics", include_in_schema=False)
async def diagnostic_start(request: Request, api: ApiDep, person: Member) -> Response:
    """Start a diagnostic (``POST /v1/diagnostics``), then open it."""
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("referential", "kind", "session_date")}
    values["facilitator"] = _clean(str(form.get("facilitator") or ""))
    code, _, version = values["referential"].partition("@")
    body: dict[str, Any] = {
        "organisation_id": person.organisation_id or "",
        "kind": values["kind"] if values["kind"] in ("self_assessment", "cap_session") else "",
        "referential_code": code or "CAP",
    }
    if version.isdigit():
        body["referential_version"] = int(version)
    if values["session_date"]:
        body["session_date"] = values["session_date"]
    if values["facilitator"]:
        body["facilitator"] = values["facilitator"]
    if not body["kind"]:
        problem = ApiProblem(
            422,
            "Formulaire incomplet",
            "Choisissez le type de diagnostic.",
            errors=[{"field": "kind", "message": "Choisissez le type de diagnostic."}],
        )
        return await _list_page(request, api, person, problem=problem, form=values, status_code=422)
    try:
        answer = await api.post(
            "/v1/diagnostics", body, idempotency_key=str(form.get("idempotency_key") or "")
        )
    except ApiProblem as problem:
        if problem.status not in (400, 404, 409, 422):  # 404: an unknown referential
            raise
        return await _list_page(
            request, api, person, problem=problem, form=values, status_code=problem.status
        )
    return redirect(f"/diagnostics/{answer.body['id']}", request=request)


# -- one diagnostic ---------------------------------------------------------------------------
async def _overview_page(
    request: Request,
    api: Api,
    diagnostic_id: str,
    *,
    problem: ApiProblem | None = None,
    missing: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    diagnostic, etag = await _diagnostic(api, diagnostic_id)
    referential = await _referential(api, diagnostic)
    answers = await _answers(api, diagnostic_id)
    themes = _theme_progress(referential, answers)
    first_open = next((t for t in themes if t["answered"] < t["total"]), None)
    return render(
        request,
        "structure/diagnostic.html",
        {
            "d": diagnostic,
            "etag": etag,
            "referential": referential,
            "themes": themes,
            "first_open": first_open,
            "editable": diagnostic["status"] in EDITABLE,
            "statuses": STATUSES,
            "kinds": KINDS,
            "problem": problem,
            "missing": missing or [],
        },
        status_code=status_code,
    )


@router.get("/diagnostics/{diagnostic_id}", include_in_schema=False, dependencies=[MEMBERS])
async def diagnostic_page(request: Request, api: ApiDep, diagnostic_id: DiagnosticId) -> Response:
    """A diagnostic: its themes with their progress, completion, results."""
    return await _overview_page(request, api, diagnostic_id)


@router.post(
    "/diagnostics/{diagnostic_id}/terminer", include_in_schema=False, dependencies=[MEMBERS]
)
async def diagnostic_complete(
    request: Request, api: ApiDep, diagnostic_id: DiagnosticId
) -> Response:
    """Complete: start it first when it is still a draft; refused with what is missing."""
    form = await request.form()
    key = str(form.get("idempotency_key") or uuid.uuid4())
    diagnostic, etag = await _diagnostic(api, diagnostic_id)
    try:
        for _ in range(3):
            allowed = diagnostic.get("allowed_actions") or []
            action = next((a for a in ("complete", "start", "schedule") if a in allowed), None)
            if action is None:
                break
            answer = await api.post(
                f"/v1/diagnostics/{diagnostic_id}/transitions",
                {"action": action},
                idempotency_key=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}:{action}")),
                if_match=etag,
            )
            diagnostic, etag = answer.body, answer.etag
            if action == "complete":
                return redirect(f"/diagnostics/{diagnostic_id}/resultats", request=request)
    except ApiProblem as problem:
        if problem.status not in (409, 412, 422):
            raise
        missing: list[dict[str, str]] = []
        if problem.code == "diagnostic-incomplete":
            referential = await _referential(api, diagnostic)
            where = _criterion_theme(referential)
            scores = await api.get(f"/v1/diagnostics/{diagnostic_id}/scores")
            for code in scores.get("missing") or []:
                theme, name = where.get(code, ("", code))
                missing.append({"code": code, "name": name, "theme": theme, "slug": slug(code)})
        return await _overview_page(
            request,
            api,
            diagnostic_id,
            problem=problem,
            missing=missing,
            status_code=problem.status,
        )
    stuck = ApiProblem(
        409,
        "Ce diagnostic ne peut pas être terminé",
        f"Il est au statut « {STATUSES.get(diagnostic['status'], diagnostic['status'])} ».",
    )
    return await _overview_page(request, api, diagnostic_id, problem=stuck, status_code=409)


# -- a theme ----------------------------------------------------------------------------------
def _find_theme(referential: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((t for t in referential.get("themes", []) if t["code"] == code), None)


async def _theme_context(
    api: Api, diagnostic_id: str, theme_code: str
) -> tuple[dict[str, Any], str | None, dict[str, Any], dict[str, Any], dict[str, dict[str, Any]]]:
    diagnostic, etag = await _diagnostic(api, diagnostic_id)
    referential = await _referential(api, diagnostic)
    theme = _find_theme(referential, theme_code)
    if theme is None:
        raise ApiProblem(
            404,
            "Thème introuvable",
            f"Le référentiel de ce diagnostic n'a pas de thème {theme_code}.",
        )
    answers = await _answers(api, diagnostic_id)
    return diagnostic, etag, referential, theme, answers


def _render_theme(
    request: Request,
    *,
    diagnostic: dict[str, Any],
    etag: str | None,
    referential: dict[str, Any],
    theme: dict[str, Any],
    answers: dict[str, dict[str, Any]],
    values: dict[str, Value] | None = None,
    errors: dict[str, str] | None = None,
    conflicts: dict[str, tuple[Value, Value]] | None = None,
    problem: ApiProblem | None = None,
    saved: bool = False,
    status_code: int = 200,
    fragment: bool = False,
) -> Response:
    stored = {c["urn"]: Value.of(answers.get(c["urn"])) for c in theme["criteria"]}
    themes = _theme_progress(referential, answers)
    index = next(i for i, t in enumerate(themes) if t["code"] == theme["code"])
    base = {urn: v.signature() for urn, v in stored.items()}
    return render(
        request,
        "structure/_theme_saved.html" if fragment else "structure/theme.html",
        {
            "d": diagnostic,
            "etag": etag or "",
            "referential": referential,
            "theme": theme,
            "themes": themes,
            "progress": themes[index],
            "previous": themes[index - 1] if index > 0 else None,
            "next": themes[index + 1] if index + 1 < len(themes) else None,
            "values": values or stored,
            "stored": stored,
            "base": json.dumps(base, ensure_ascii=False),
            "errors": errors or {},
            "error_list": [
                (c["code"], (errors or {})[c["urn"]])
                for c in theme["criteria"]
                if c["urn"] in (errors or {})
            ],
            "conflicts": conflicts or {},
            "problem": problem,
            "saved": saved,
            "editable": diagnostic["status"] in EDITABLE,
            "slug": slug,
            "fragment": fragment,
            "draft_key": f"diagnostic-{diagnostic['id']}-{theme['code']}",
        },
        status_code=status_code,
    )


@router.get(
    "/diagnostics/{diagnostic_id}/themes/{theme_code}",
    include_in_schema=False,
    dependencies=[MEMBERS],
)
async def theme_page(
    request: Request,
    api: ApiDep,
    diagnostic_id: DiagnosticId,
    theme_code: ThemeCode,
) -> Response:
    """One theme's criteria: the maturity scale, N/A with a reason, comment, evidence."""
    diagnostic, etag, referential, theme, answers = await _theme_context(
        api, diagnostic_id, theme_code
    )
    return _render_theme(
        request,
        diagnostic=diagnostic,
        etag=etag,
        referential=referential,
        theme=theme,
        answers=answers,
        saved=request.query_params.get("enregistre") == "1",
    )


def _map_api_errors(problem: ApiProblem, sent: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for error in problem.errors:
        found = _ANSWER_FIELD.search(str(error.get("field") or ""))
        message = str(error.get("message_fr") or error.get("message") or "")
        if found and int(found.group(1)) < len(sent):
            name = _FIELD_NAMES.get(found.group(2), found.group(2))
            out.setdefault(sent[int(found.group(1))], f"{name.capitalize()} : {message}")
    return out


@router.post(
    "/diagnostics/{diagnostic_id}/themes/{theme_code}",
    include_in_schema=False,
    dependencies=[MEMBERS],
)
async def theme_save(
    request: Request,
    api: ApiDep,
    diagnostic_id: DiagnosticId,
    theme_code: ThemeCode,
) -> Response:
    """Save what changed in the theme (autosave from htmx, or the plain submit button)."""
    form = await request.form()
    autosave = is_htmx(request) and form.get("autosave") == "1"
    diagnostic, fresh_etag, referential, theme, answers = await _theme_context(
        api, diagnostic_id, theme_code
    )
    etag = str(form.get("etag") or "") or None
    try:
        base: dict[str, str] = json.loads(str(form.get("base") or "{}"))
    except ValueError:
        base = {}
    mine, errors = _read_form(form, theme["criteria"])
    current = {c["urn"]: Value.of(answers.get(c["urn"])) for c in theme["criteria"]}
    context = {
        "diagnostic": diagnostic,
        "referential": referential,
        "theme": theme,
    }
    # a conflict shown earlier: "theirs" keeps what the API holds, "mine" saves the person's;
    # no choice yet, nothing is written for that criterion
    unsettled: dict[str, tuple[Value, Value]] = {}
    for criterion in theme["criteria"]:
        urn, key = criterion["urn"], slug(criterion["code"])
        keep = form.get(f"keep-{key}")
        if keep == "theirs":
            mine[urn] = current[urn]
            errors.pop(urn, None)
        elif keep != "mine" and form.get(f"conflict-{key}"):
            unsettled[urn] = (mine[urn], current[urn])
    if unsettled and not autosave:
        return _conflict_answer(request, context, answers, mine, unsettled, etag=fresh_etag)
    for urn in unsettled:
        errors[urn] = "choisissez la version à garder (la vôtre ou celle enregistrée)"
    changed = [
        urn
        for urn, value in mine.items()
        if value.signature() != base.get(urn, current[urn].signature())
        and not (value.empty and urn not in answers)
    ]
    conflicts = {
        urn: (mine[urn], current[urn])
        for urn in changed
        if urn in base
        and current[urn].signature() != base[urn]
        and current[urn].signature() != mine[urn].signature()
    }
    if conflicts:
        return _conflict_answer(request, context, answers, mine, conflicts, etag=fresh_etag)
    to_send = [urn for urn in changed if urn not in errors]
    written: Answer | None = None
    if to_send:
        batch = [_payload(diagnostic_id, urn, mine[urn], answers.get(urn)) for urn in to_send]
        key = str(form.get("idempotency_key") or "")
        # one key per (form, ETag, batch): a double submit is one write, a later change is not
        sent = json.dumps(batch, sort_keys=True)
        idem = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}:{autosave}:{etag}:{sent}"))
        try:
            written = await api.call(
                "PUT",
                f"/v1/diagnostics/{diagnostic_id}/answers",
                json={"answers": batch},
                if_match=etag,
                headers={"idempotency-key": idem},
            )
        except ApiProblem as problem:
            if problem.status == 412:
                # someone saved meanwhile, but (checked above against the fresh answers) not
                # on these criteria: save again with the diagnostic's new ETag
                try:
                    written = await api.call(
                        "PUT",
                        f"/v1/diagnostics/{diagnostic_id}/answers",
                        json={"answers": batch},
                        if_match=fresh_etag,
                        headers={"idempotency-key": str(uuid.uuid4())},
                    )
                except ApiProblem as again:
                    if again.status not in (409, 412, 422):
                        raise
                    return await _problem_answer(
                        request, api, context, mine, errors, again, to_send, autosave
                    )
            elif problem.status in (400, 409, 422):
                return await _problem_answer(
                    request, api, context, mine, errors, problem, to_send, autosave
                )
            else:
                raise
    if errors:
        return await _problem_answer(request, api, context, mine, errors, None, [], autosave)
    url = f"/diagnostics/{diagnostic_id}/themes/{theme['code']}"
    took_theirs = any(form.get(f"keep-{slug(c['code'])}") == "theirs" for c in theme["criteria"])
    if autosave and took_theirs:
        fresh, fresh_etag = await _diagnostic(api, diagnostic_id)
        return _whole_form(
            request,
            _render_theme(
                request,
                diagnostic=fresh,
                etag=fresh_etag,
                referential=referential,
                theme=theme,
                answers=await _answers(api, diagnostic_id),
                saved=True,
            ),
        )
    if autosave:
        if written is None:
            return await _saved_fragment(request, api, context)
        for stored in (written.body or {}).get("answers", []):
            answers[stored["criterion"]] = stored
        return _render_theme(
            request,
            diagnostic=diagnostic,
            etag=written.etag,
            referential=referential,
            theme=theme,
            answers=answers,
            saved=True,
            fragment=True,
        )
    if form.get("go") == "next":
        themes = _theme_progress(referential, answers)
        codes = [t["code"] for t in themes]
        position = codes.index(theme["code"])
        if position + 1 < len(codes):
            url = f"/diagnostics/{diagnostic_id}/themes/{codes[position + 1]}"
            return redirect(url + "?enregistre=1", request=request)
        return redirect(f"/diagnostics/{diagnostic_id}?enregistre=1", request=request)
    return redirect(url + "?enregistre=1", request=request)


async def _saved_fragment(request: Request, api: Api, context: dict[str, Any]) -> Response:
    """For autosave: the saved state, the new ETag and base, the theme's progress (oob)."""
    diagnostic, etag = await _diagnostic(api, context["diagnostic"]["id"])
    answers = await _answers(api, diagnostic["id"])
    return _render_theme(
        request,
        diagnostic=diagnostic,
        etag=etag,
        referential=context["referential"],
        theme=context["theme"],
        answers=answers,
        saved=True,
        fragment=True,
    )


async def _problem_answer(
    request: Request,
    api: Api,
    context: dict[str, Any],
    mine: dict[str, Value],
    errors: dict[str, str],
    problem: ApiProblem | None,
    sent: list[str],
    autosave: bool,
) -> Response:
    if problem is not None:
        errors = {**errors, **_map_api_errors(problem, sent)}
    diagnostic, etag = await _diagnostic(api, context["diagnostic"]["id"])
    answers = await _answers(api, diagnostic["id"])
    if autosave and problem is None:
        # incomplete lines while typing (N/A without its reason yet): the rest is saved
        return _render_theme(
            request,
            diagnostic=diagnostic,
            etag=etag,
            referential=context["referential"],
            theme=context["theme"],
            answers=answers,
            errors=errors,
            saved=True,
            fragment=True,
        )
    response = _render_theme(
        request,
        diagnostic=diagnostic,
        etag=etag,
        referential=context["referential"],
        theme=context["theme"],
        answers=answers,
        values=mine,
        errors=errors,
        problem=problem
        or ApiProblem(
            422, "Certaines réponses ne sont pas enregistrées", "Corrigez-les ci-dessous."
        ),
        status_code=problem.status if problem else 422,
    )
    return _whole_form(request, response)


def _whole_form(request: Request, response: Response) -> Response:
    """For htmx (autosave): the whole form replaces the one in the page, not the saved state."""
    if is_htmx(request):
        response.headers["HX-Retarget"] = "#theme-form"
        response.headers["HX-Reselect"] = "#theme-form"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


def _conflict_answer(
    request: Request,
    context: dict[str, Any],
    answers: dict[str, dict[str, Any]],
    mine: dict[str, Value],
    conflicts: dict[str, tuple[Value, Value]],
    *,
    etag: str | None,
) -> Response:
    response = _render_theme(
        request,
        diagnostic=context["diagnostic"],
        etag=etag,
        referential=context["referential"],
        theme=context["theme"],
        answers=answers,
        values=mine,
        conflicts=conflicts,
        problem=ApiProblem(
            412,
            "Modifié entre-temps par une autre personne",
            "Pour chaque critère ci-dessous, choisissez la version à garder puis enregistrez.",
        ),
        status_code=412,
    )
    return _whole_form(request, response)


# -- results ----------------------------------------------------------------------------------
@router.get(
    "/diagnostics/{diagnostic_id}/resultats", include_in_schema=False, dependencies=[MEMBERS]
)
async def results_page(request: Request, api: ApiDep, diagnostic_id: DiagnosticId) -> Response:
    """Scores per theme and per ISO subject or clause, band, radar, gaps, resources."""
    diagnostic, _ = await _diagnostic(api, diagnostic_id)
    scores = await api.get(f"/v1/diagnostics/{diagnostic_id}/scores")
    recommendations, rec_problem = await _part(
        api.get(f"/v1/diagnostics/{diagnostic_id}/recommendations")
    )
    referential = await _referential(api, diagnostic)
    bands = referential.get("bands") or []
    rules, _ = await _part(api.get("/v1/level-rules", limit=100))
    code = diagnostic["referential"]["code"]
    rule = next(
        (r for r in (rules or {}).get("data", []) if r.get("referential_code") == code), None
    )
    frameworks = [
        {"id": fid, "name": FRAMEWORK_NAMES.get(fid, fid), "groups": groups}
        for fid, groups in (scores.get("frameworks") or {}).items()
        if groups
    ]
    return render(
        request,
        "structure/results.html",
        {
            "d": diagnostic,
            "scores": scores,
            "frameworks": frameworks,
            "radar": _radar_of(scores, "Scores par thème"),
            "recommendations": (recommendations or {}).get("gaps", []),
            "rec_problem": rec_problem,
            "bands": bands,
            "label_levels": (rule or {}).get("labels") or [],
            "label_name": LABEL_NAMES.get(code, code),
            "statuses": STATUSES,
            "completed": diagnostic["status"] not in EDITABLE,
        },
    )


@router.get(
    "/diagnostics/{diagnostic_id}/rapport.pdf", include_in_schema=False, dependencies=[MEMBERS]
)
async def report_pdf(api: ApiDep, diagnostic_id: DiagnosticId) -> Response:
    """The API's PDF report, passed through."""
    response = await api.request("GET", f"/v1/diagnostics/{diagnostic_id}/report.pdf",
                                 headers={"accept": "application/pdf"})  # fmt: skip
    if response.status_code >= 400:
        from cap_web.api import problem_of

        raise problem_of(response)
    headers = {
        "content-disposition": response.headers.get(
            "content-disposition", f'attachment; filename="diagnostic-{diagnostic_id}.pdf"'
        )
    }
    return Response(
        response.content,
        media_type=response.headers.get("content-type", "application/pdf"),
        headers=headers,
    )


def _rows(scores: dict[str, Any]) -> list[list[Any]]:
    head = ["Regroupement", "Code", "Intitulé", "Score (sur 1000)", "Niveau", "Critères notés",
            "Non applicables", "Critères"]  # fmt: skip
    rows: list[list[Any]] = [head]
    groups = [scores.get("overall") or {}, *(scores.get("themes") or [])]
    for fid, items in (scores.get("frameworks") or {}).items():
        groups.extend({**g, "group": FRAMEWORK_NAMES.get(fid, fid)} for g in items)
    labels = {"overall": "Ensemble", "theme": "Thème"}
    for g in groups:
        if not g:
            continue
        rows.append(
            [
                labels.get(str(g.get("group")), g.get("group")),
                g.get("code"),
                g.get("name"),
                g.get("score"),
                g.get("band"),
                g.get("rated"),
                g.get("not_applicable"),
                g.get("total"),
            ]
        )
    return rows


async def _export_base(api: Api, diagnostic_id: str) -> tuple[str, list[list[Any]]]:
    diagnostic, _ = await _diagnostic(api, diagnostic_id)
    scores = await api.get(f"/v1/diagnostics/{diagnostic_id}/scores")
    name = f"resultats-diagnostic-{diagnostic['session_date'] or diagnostic_id[:8]}"
    return name, [spreadsheet_row(row) for row in _rows(scores)]


@router.get(
    "/diagnostics/{diagnostic_id}/resultats.csv", include_in_schema=False, dependencies=[MEMBERS]
)
async def results_csv(api: ApiDep, diagnostic_id: DiagnosticId) -> Response:
    """The scores as CSV (semicolons and a BOM, as French spreadsheets open them)."""
    name, rows = await _export_base(api, diagnostic_id)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return Response(
        ("\ufeff" + out.getvalue()).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get(
    "/diagnostics/{diagnostic_id}/resultats.xlsx", include_in_schema=False, dependencies=[MEMBERS]
)
async def results_xlsx(api: ApiDep, diagnostic_id: DiagnosticId) -> Response:
    """The scores as an Excel workbook."""
    from openpyxl import Workbook

    name, rows = await _export_base(api, diagnostic_id)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Scores"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{name}.xlsx"'},
    )
