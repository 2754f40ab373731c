"""The facilitator's screens: the structures of their region, one structure, an accompanied
diagnostic (a CAP session) scheduled and run with its participants, the network view, exports.

Everything comes from the public API as the facilitator calls it, so the region scope is the
API's: ``/v1/organisations`` lists the structures it lets them see, and a structure of another
region answers 403/404 (shown as the French error page). The list of structures is built from
four list calls made concurrently (organisations, diagnostics, progress plans, recognitions),
never one call per structure.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from cap_shared import clock
from cap_shared.formats import spreadsheet_row
from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect, render, require
from cap_web.sessions import Person

router = APIRouter()
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
SCHEME_FR = {"CAP_RSE": "Label CAP RSE", "CAP_ISO9001": "Certification CAP ISO 9001"}
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


# -- the structures of the region ------------------------------------------------------------
async def _region_lists(api: Api) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """Organisations, diagnostics, plans and recognitions the facilitator may see, concurrently."""
    organisations, diagnostics, plans, recognitions = await asyncio.gather(
        api.pages("/v1/organisations", limit=200, most=MOST),
        api.pages("/v1/diagnostics", limit=200, most=MOST),
        api.pages("/v1/progress-plans", limit=200, most=MOST),
        api.pages("/v1/recognitions", limit=200, most=MOST),
    )
    return organisations, diagnostics, plans, recognitions


def structure_rows(
    organisations: list[Any], diagnostics: list[Any], plans: list[Any], recognitions: list[Any]
) -> list[dict[str, Any]]:
    """One row per structure: its latest diagnostic, its band, its labels, its overdue actions."""
    latest: dict[str, Any] = {}
    scored: dict[str, Any] = {}  # the latest with a score (a new session has none yet)
    for d in diagnostics:  # newest first: the first one seen is the latest
        if d.get("kind") != "audit_evaluation":
            latest.setdefault(d["organisation_id"], d)
            if d.get("overall_score") is not None:
                scored.setdefault(d["organisation_id"], d)
    overdue = {p["organisation_id"]: int(p.get("overdue") or 0) for p in plans}
    labels: dict[str, list[Any]] = {}
    for r in recognitions:
        if r.get("status") in ("active", "suspended"):
            labels.setdefault(r["organisation_id"], []).append(r)
    rows = []
    for o in organisations:
        d, rated = latest.get(o["id"]), scored.get(o["id"])
        rows.append(
            {
                "organisation": o,
                "diagnostic": d,
                "rated": rated,
                "score": rated.get("overall_score") if rated else None,
                "band": rated.get("overall_band") if rated else None,
                "labels": labels.get(o["id"], []),
                "overdue": overdue.get(o["id"]),
                "has_plan": o["id"] in overdue,
            }
        )
    return rows


def sort_key(text: str) -> str:
    """``text`` for an alphabetical sort in French (accents ignored)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in plain if not unicodedata.combining(c))


def filter_rows(
    rows: list[dict[str, Any]], *, q: str, siae_type: str, band: str, sort: str
) -> list[dict[str, Any]]:
    """The rows matching the filters, in the order asked."""
    needle = q.casefold()
    out = [
        r
        for r in rows
        if (not needle or needle in r["organisation"]["name"].casefold())
        and (not siae_type or siae_type in r["organisation"].get("siae_types", []))
        and (not band or (band == "aucun" and r["diagnostic"] is None) or (r["band"] == band))
    ]
    if sort == "score":
        out.sort(key=lambda r: (r["score"] is None, r["score"] or 0))
    elif sort == "retard":
        out.sort(key=lambda r: -(r["overdue"] or 0))
    elif sort == "diagnostic":
        out.sort(key=lambda r: (r["diagnostic"] or {}).get("created_at") or "")
    else:
        out.sort(key=lambda r: sort_key(r["organisation"]["name"]))
    return out


def _filters(request: Request) -> dict[str, str]:
    query = request.query_params
    sort = query.get("tri", "nom")
    siae_type = query.get("type", "")
    return {
        "q": clean(query.get("q"), 100),
        "siae_type": siae_type if siae_type in SIAE_TYPES else "",
        "band": clean(query.get("bande"), 40),
        "sort": sort if sort in SORTS else "nom",
    }


@router.get("/animation", include_in_schema=False)
async def structures(request: Request, api: ApiDep, person: Facilitator) -> Response:
    """The structures of the facilitator's region, filtered and sorted."""
    filters = _filters(request)
    rows = structure_rows(*await _region_lists(api))
    shown = filter_rows(rows, **filters)
    bands = [b for b in BANDS if any(r["band"] == b for r in rows)]
    return render(
        request,
        "facilitator/structures.html",
        {
            "rows": shown,
            "total": len(rows),
            "filters": filters,
            "query": str(request.url.query),
            "bands": bands,
            "sorts": SORTS,
            "siae_types": SIAE_TYPES,
            "status_fr": STATUS_FR,
            "scheme_fr": SCHEME_FR,
            "regions": person.scopes("facilitator", "region"),
        },
    )


STRUCTURE_COLUMNS = [
    "Structure",
    "SIRET",
    "Types de SIAE",
    "Région",
    "Dernier diagnostic",
    "Statut",
    "Date",
    "Score (sur 1000)",
    "Niveau",
    "Labels et certifications",
    "Actions en retard",
]


def _structure_table(rows: list[dict[str, Any]]) -> list[list[Any]]:
    table = []
    for r in rows:
        o, d = r["organisation"], r["diagnostic"]
        table.append(
            [
                o["name"],
                o.get("siret", ""),
                ", ".join(o.get("siae_types", [])),
                o.get("region_name", o.get("region", "")),
                KIND_FR.get(d["kind"], d["kind"]) if d else "",
                STATUS_FR.get(d["status"], d["status"]) if d else "",
                ((d.get("completed_at") or d.get("session_date") or d["created_at"]) or "")[:10]
                if d
                else "",
                r["score"] if r["score"] is not None else "",
                r["band"] or "",
                ", ".join(
                    SCHEME_FR.get(x["scheme"], x["scheme"])
                    + (f" ({x['level']})" if x.get("level") else "")
                    for x in r["labels"]
                ),
                r["overdue"] if r["overdue"] is not None else "",
            ]
        )
    return table


def csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """CSV for French spreadsheets (UTF-8 with BOM, ``;``), formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(spreadsheet_row(list(header)))
    for row in rows:
        writer.writerow(spreadsheet_row(list(row)))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    """An XLSX workbook, one sheet per (title, header, rows); formula cells neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(spreadsheet_row(list(header)))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(spreadsheet_row(list(row)))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, filename: str, media_type: str) -> Response:
    """A file to save (never shown inline)."""
    return Response(
        content,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/animation/export.{extension}", include_in_schema=False)
async def structures_export(
    extension: str, request: Request, api: ApiDep, _person: Facilitator
) -> Response:
    """The list of structures as shown (same filters), as CSV or XLSX."""
    if extension not in ("csv", "xlsx"):
        return render(
            request,
            "error.html",
            {"title": "Format inconnu", "detail": "Les exports existent en CSV et en XLSX."},
            status_code=404,
        )
    rows = filter_rows(structure_rows(*await _region_lists(api)), **_filters(request))
    table = _structure_table(rows)
    stamp = clock.today().isoformat()
    if extension == "csv":
        return download(
            csv_bytes(STRUCTURE_COLUMNS, table),
            f"structures-{stamp}.csv",
            "text/csv; charset=utf-8",
        )
    return download(
        xlsx_bytes([("Structures", STRUCTURE_COLUMNS, table)]), f"structures-{stamp}.xlsx", XLSX
    )


# -- one structure ---------------------------------------------------------------------------
def _rows_in(form: Mapping[str, Any] | None) -> int:
    """How many participant rows ``form`` holds (at most :data:`MAX_PARTICIPANTS`)."""
    found = [
        int(m.group(1))
        for key in (form or {})
        if (m := re.fullmatch(r"p_(?:name|role|category)_(\d{1,3})", str(key)))
    ]
    return min(max(found, default=-1) + 1, MAX_PARTICIPANTS)


def _participants_form(form: Mapping[str, Any] | None) -> list[dict[str, str]]:
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


async def _position(api: Api, organisation_id: str) -> dict[str, Any]:
    """Where the structure stands among its peers; its problem, in French, when the API has
    none to give (the page shows it and the rest)."""
    try:
        body: dict[str, Any] = await api.get(
            "/v1/statistics/position", organisation_id=organisation_id
        )
    except ApiProblem as problem:
        if problem.status >= 500:
            raise
        return {"problem": problem}
    return body


async def _structure_context(api: Api, organisation_id: str) -> dict[str, Any]:
    organisation = await api.get(f"/v1/organisations/{organisation_id}")
    diagnostics, plans, recognitions, position = await asyncio.gather(
        api.pages("/v1/diagnostics", limit=200, most=200, organisation_id=organisation_id),
        api.pages("/v1/progress-plans", limit=200, most=MOST),
        api.pages("/v1/recognitions", limit=200, most=200, organisation_id=organisation_id),
        _position(api, organisation_id),
    )
    plan = next((p for p in plans if p["organisation_id"] == organisation_id), None)
    actions = sorted(
        (a for a in (plan or {}).get("actions", []) if a["status"] not in ("done", "verified")),
        key=lambda a: (not a.get("overdue"), a.get("due_date") or "9999"),
    )
    return {
        "organisation": organisation,
        "diagnostics": diagnostics,
        "plan": plan,
        "next_actions": actions[:8],
        "recognitions": recognitions,
        "position": position,
        "comparison_fr": {"overall": "Ensemble", **MATURITY_KIND_FR},
        "status_fr": STATUS_FR,
        "kind_fr": KIND_FR,
        "scheme_fr": SCHEME_FR,
        "recognition_status_fr": RECOGNITION_STATUS_FR,
        "action_status_fr": ACTION_STATUS_FR,
        "categories": CATEGORIES,
    }


@router.get("/animation/structures/{organisation_id}", include_in_schema=False)
async def structure(
    organisation_id: str, request: Request, api: ApiDep, person: Facilitator
) -> Response:
    """One structure for its facilitator: diagnostics, plan progress, labels; schedule a session."""
    context = await _structure_context(api, organisation_id)
    return render(
        request,
        "facilitator/structure.html",
        {
            **context,
            "form": {"facilitator": person.name},
            "participants": _participants_form(None),
            "errors": {},
            "problem": None,
        },
    )


@router.post("/animation/structures/{organisation_id}/diagnostics", include_in_schema=False)
async def schedule(
    organisation_id: str, request: Request, api: ApiDep, _person: Facilitator
) -> Response:
    """Open a CAP session (accompanied diagnostic) for the structure and schedule it."""
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    key = values.get("idempotency_key") or str(uuid.uuid4())
    errors: dict[str, str] = {}
    session_date = values.get("session_date", "").strip()
    try:
        day = date.fromisoformat(session_date) if session_date else None
    except ValueError:
        day = None
    if day is None:
        errors["session_date"] = "Indiquez la date de la séance (jj/mm/aaaa)."
    facilitator = clean(values.get("facilitator"))
    if not facilitator:
        errors["facilitator"] = "Indiquez qui anime la séance."
    people, row_errors = participants_of(values)
    errors.update(row_errors)
    if not people and not row_errors:
        errors["participants"] = "Indiquez au moins un participant (nom ou fonction)."
    problem: ApiProblem | None = None
    if not errors and day is not None:
        body: dict[str, Any] = {
            "organisation_id": organisation_id,
            "kind": "cap_session",
            "session_date": day.isoformat(),
            "facilitator": facilitator,
            "participants": people,
        }
        title = clean(values.get("title"))
        if title:
            body["title"] = title
        try:
            created = await api.post("/v1/diagnostics", body, idempotency_key=key)
            diagnostic = created.body
            if "schedule" in diagnostic.get("allowed_actions", []):
                await api.post(
                    f"/v1/diagnostics/{diagnostic['id']}/transitions",
                    {"action": "schedule"},
                    idempotency_key=derived_key(key, "schedule"),
                )
            return redirect(
                f"/animation/diagnostics/{diagnostic['id']}?programme=1", request=request
            )
        except ApiProblem as exc:
            if exc.status in (403, 404):
                raise
            problem = exc
            errors.update(exc.field_messages())
    context = await _structure_context(api, organisation_id)
    return render(
        request,
        "facilitator/structure.html",
        {
            **context,
            "form": values,
            "participants": _participants_form(values),
            "errors": errors,
            "problem": problem,
            # Refused by the form: the same operation still to do (a double click is one).
            # Refused by the API: that answer is kept under the key, so a new one.
            "idempotency_key": key if problem is None else str(uuid.uuid4()),
        },
        status_code=problem.status if problem and problem.status in (409, 422) else 422,
    )


# -- an accompanied diagnostic ---------------------------------------------------------------
async def _answers(api: Api, diagnostic_id: str) -> dict[str, Any]:
    items = await api.pages(f"/v1/diagnostics/{diagnostic_id}/answers", limit=200, most=1000)
    return {a["criterion"]: a for a in items}


async def _session_context(api: Api, diagnostic_id: str) -> dict[str, Any]:
    read = await api.call("GET", f"/v1/diagnostics/{diagnostic_id}")
    diagnostic = read.body
    ref = diagnostic["referential"]
    organisation, referential, answers = await asyncio.gather(
        api.get(f"/v1/organisations/{diagnostic['organisation_id']}"),
        api.get(f"/v1/referentials/{ref['code']}/versions/{ref['version']}"),
        _answers(api, diagnostic_id),
    )
    themes = []
    for theme in referential.get("themes", []):
        criteria = theme.get("criteria", [])
        missing = [
            c for c in criteria if c["urn"] not in answers or not _answered(answers[c["urn"]])
        ]
        themes.append(
            {
                "theme": theme,
                "done": len(criteria) - len(missing),
                "count": len(criteria),
                "missing": missing,
            }
        )
    return {
        "diagnostic": diagnostic,
        "etag": read.etag or "",
        "organisation": organisation,
        "themes": themes,
        "answers": answers,
        "status_fr": STATUS_FR,
        "kind_fr": KIND_FR,
        "action_fr": ACTION_FR,
        "categories": CATEGORIES,
        "editable": diagnostic["status"] in ("draft", "scheduled", "in_session"),
    }


def _answered(answer: Mapping[str, Any]) -> bool:
    return answer.get("level") is not None or bool(answer.get("not_applicable"))


def _session_form(diagnostic: Mapping[str, Any]) -> dict[str, str]:
    values = {
        "session_date": diagnostic.get("session_date") or "",
        "facilitator": diagnostic.get("facilitator") or "",
        "title": diagnostic.get("title") or "",
    }
    for i, p in enumerate(diagnostic.get("participants", [])[:MAX_PARTICIPANTS]):
        values[f"p_name_{i}"] = p.get("name") or ""
        values[f"p_role_{i}"] = p.get("role") or ""
        values[f"p_category_{i}"] = p.get("category") or "staff"
    return values


def _next_theme(context: Mapping[str, Any], code: str | None) -> dict[str, Any] | None:
    """The theme after ``code`` in the referential (None after the last one)."""
    codes = [entry["theme"] for entry in context["themes"]]
    for i, theme in enumerate(codes[:-1]):
        if theme["code"] == code:
            following: dict[str, Any] = codes[i + 1]
            return following
    return None


def _theme_of(context: Mapping[str, Any], code: str | None) -> dict[str, Any] | None:
    for entry in context["themes"]:
        if entry["theme"]["code"] == code:
            theme: dict[str, Any] = entry["theme"]
            return theme
    return None


async def _render_session(
    request: Request,
    api: Api,
    diagnostic_id: str,
    *,
    theme_code: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    problem: ApiProblem | None = None,
    where: str = "",
    status_code: int = 200,
    notice: str = "",
) -> Response:
    context = await _session_context(api, diagnostic_id)
    theme = _theme_of(context, theme_code)
    if theme is None and theme_code and not problem:
        problem = ApiProblem(404, "Thème inconnu", "Ce thème n'existe pas dans ce référentiel.")
        status_code = 404
    values = form if form is not None else _session_form(context["diagnostic"])
    return render(
        request,
        "facilitator/session.html",
        {
            **context,
            "theme": theme,
            "next_theme": _next_theme(context, theme_code),
            "form": values,
            "participants": _participants_form(values),
            "errors": errors or {},
            "problem": problem,
            "where": where,
            "notice": notice,
        },
        status_code=status_code,
    )


@router.get("/animation/diagnostics/{diagnostic_id}", include_in_schema=False)
async def session(
    diagnostic_id: str, request: Request, api: ApiDep, _person: Facilitator
) -> Response:
    """An accompanied diagnostic: its session details, participants, progress and answers."""
    notice = ""
    if request.query_params.get("programme"):
        notice = "Le diagnostic accompagné est programmé."
    elif request.query_params.get("enregistre"):
        notice = "Vos réponses sont enregistrées."
    elif request.query_params.get("modifie"):
        notice = "La séance est mise à jour."
    return await _render_session(
        request,
        api,
        diagnostic_id,
        theme_code=request.query_params.get("theme") or None,
        notice=notice,
    )


@router.post("/animation/diagnostics/{diagnostic_id}/seance", include_in_schema=False)
async def update_session(
    diagnostic_id: str, request: Request, api: ApiDep, _person: Facilitator
) -> Response:
    """Change the date, the facilitator, the title or the participants (with the ETag read)."""
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    errors: dict[str, str] = {}
    body: dict[str, Any] = {}
    raw_date = values.get("session_date", "").strip()
    if raw_date:
        try:
            body["session_date"] = date.fromisoformat(raw_date).isoformat()
        except ValueError:
            errors["session_date"] = "Indiquez une date valide (jj/mm/aaaa)."
    else:
        body["session_date"] = None
    body["facilitator"] = clean(values.get("facilitator")) or None
    title = clean(values.get("title"))
    if title:
        body["title"] = title
    people, row_errors = participants_of(values)
    errors.update(row_errors)
    body["participants"] = people
    problem: ApiProblem | None = None
    if not errors:
        try:
            await api.patch(
                f"/v1/diagnostics/{diagnostic_id}", body, if_match=values.get("etag") or None
            )
            return redirect(f"/animation/diagnostics/{diagnostic_id}?modifie=1", request=request)
        except ApiProblem as exc:
            if exc.status in (403, 404):
                raise
            problem = exc
            if exc.status == 412:
                problem = ApiProblem(
                    412,
                    "Modifié entre-temps",
                    "Quelqu'un a modifié ce diagnostic pendant que vous le lisiez : voici les "
                    "valeurs actuelles. Reprenez votre modification.",
                )
                return await _render_session(
                    request, api, diagnostic_id, problem=problem, where="seance", status_code=412
                )
            errors.update(exc.field_messages())
    return await _render_session(
        request,
        api,
        diagnostic_id,
        form=values,
        errors=errors,
        problem=problem,
        where="seance",
        status_code=problem.status if problem and problem.status in (409, 422) else 422,
    )


@router.post("/animation/diagnostics/{diagnostic_id}/transitions", include_in_schema=False)
async def transition(
    diagnostic_id: str,
    request: Request,
    api: ApiDep,
    _person: Facilitator,
    action: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form()] = "",
) -> Response:
    """Move the diagnostic on (schedule, open the session, complete...)."""
    if action not in ACTION_FR:
        problem = ApiProblem(422, "Action inconnue", "Cette action n'existe pas.")
        return await _render_session(
            request, api, diagnostic_id, problem=problem, where="etapes", status_code=422
        )
    try:
        await api.post(
            f"/v1/diagnostics/{diagnostic_id}/transitions",
            {"action": action},
            idempotency_key=idempotency_key or None,
        )
    except ApiProblem as exc:
        if exc.status in (403, 404):
            raise
        return await _render_session(
            request,
            api,
            diagnostic_id,
            problem=exc,
            where="etapes",
            status_code=exc.status if exc.status in (409, 422) else 422,
        )
    return redirect(f"/animation/diagnostics/{diagnostic_id}?modifie=1", request=request)


def answers_of(
    form: Mapping[str, str], theme: Mapping[str, Any], existing: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The answers typed for a theme's criteria (those touched) and per-criterion errors."""
    answers: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for i, criterion in enumerate(theme.get("criteria", [])):
        raw = form.get(f"level_{i}", "")
        comment = clean(form.get(f"comment_{i}"), 4000) or None
        reason = clean(form.get(f"reason_{i}"), 2000) or None
        before = existing.get(criterion["urn"])
        entry: dict[str, Any] = {
            "id": before["id"] if before else str(uuid.uuid4()),
            "criterion": criterion["urn"],
            "comment": comment,
        }
        if raw == "na":
            if not reason:
                errors[f"reason_{i}"] = "Dites pourquoi ce critère ne s'applique pas."
                continue
            entry.update(level=None, not_applicable=True, not_applicable_reason=reason)
        elif raw == "":
            if comment is None and before is None:
                continue
            entry.update(level=None, not_applicable=False)
        else:
            values = {str(s["value"]) for s in criterion.get("scale", [])} or {
                "0",
                "1",
                "2",
                "3",
                "4",
            }
            if raw not in values:
                errors[f"level_{i}"] = "Choisissez un niveau de l'échelle."
                continue
            entry.update(level=int(raw), not_applicable=False)
        if before is not None:
            entry["evidence"] = before.get("evidence", [])
        answers.append(entry)
    return answers, errors


@router.post("/animation/diagnostics/{diagnostic_id}/reponses", include_in_schema=False)
async def save_answers(
    diagnostic_id: str, request: Request, api: ApiDep, _person: Facilitator
) -> Response:
    """Save a theme's answers in one batch, with the diagnostic's ETag (If-Match)."""
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    context = await _session_context(api, diagnostic_id)
    theme_code = values.get("theme", "")
    theme = _theme_of(context, theme_code)
    if theme is None:
        unknown = ApiProblem(422, "Thème inconnu", "Ce thème n'existe pas dans ce référentiel.")
        return await _render_session(request, api, diagnostic_id, problem=unknown, status_code=422)
    answers, errors = answers_of(values, theme, context["answers"])
    problem: ApiProblem | None = None
    if not errors and answers:
        try:
            await api.call(
                "PUT",
                f"/v1/diagnostics/{diagnostic_id}/answers",
                json={"answers": answers},
                if_match=values.get("etag") or None,
                headers={"idempotency-key": values.get("idempotency_key") or str(uuid.uuid4())},
            )
            return redirect(
                f"/animation/diagnostics/{diagnostic_id}?theme={theme_code}&enregistre=1",
                request=request,
            )
        except ApiProblem as exc:
            if exc.status in (403, 404):
                raise
            problem = exc
            if exc.status == 412:
                problem = ApiProblem(
                    412,
                    "Modifié entre-temps",
                    "Quelqu'un a enregistré des réponses pendant que vous saisissiez : voici les "
                    "réponses actuelles. Vérifiez-les puis enregistrez de nouveau.",
                )
                return await _render_session(
                    request, api, diagnostic_id, theme_code=theme_code, problem=problem,
                    where="reponses", status_code=412,
                )  # fmt: skip
    elif not errors:
        problem = ApiProblem(422, "Rien à enregistrer", "Choisissez au moins un niveau.")
    return render(
        request,
        "facilitator/session.html",
        {
            **context,
            "theme": theme,
            "next_theme": _next_theme(context, theme_code),
            "form": _session_form(context["diagnostic"]),
            "participants": _participants_form(_session_form(context["diagnostic"])),
            "typed": values,
            "errors": errors,
            "problem": problem,
            "where": "reponses",
            "notice": "",
        },
        status_code=problem.status if problem and problem.status in (409, 422) else 422,
    )


# -- the network view -------------------------------------------------------------------------
#: Room for the labels left of the bars (SVG user units, 13 px text).
CHART_LABEL_WIDTH = 230


def bar_geometry(
    items: list[tuple[str, float | None]], *, width: int = 640, row: int = 28
) -> dict[str, Any]:
    """Horizontal bars for an SVG chart: label, value, bar length (None: hidden value)."""
    label_w = CHART_LABEL_WIDTH
    top = max((v for _, v in items if v is not None), default=0) or 1
    span = width - label_w - 90
    bars = []
    for i, (label, value) in enumerate(items):
        length = 0 if value is None else round(span * value / top, 1)
        bars.append({"label": label, "value": value, "y": i * row, "length": length, "x": label_w})
    return {"bars": bars, "width": width, "height": max(len(items), 1) * row, "row": row}


def stacked_geometry(
    groups: list[dict[str, Any]], bands: list[str], *, width: int = 640, row: int = 30
) -> dict[str, Any]:
    """Stacked horizontal bars (one per theme): the share of structures in each band."""
    label_w = CHART_LABEL_WIDTH
    span = width - label_w - 10
    rows = []
    for i, group in enumerate(groups):
        segments = []
        x = float(label_w)
        total = sum(group["bands"].get(b, 0) for b in bands) or 1
        for j, band in enumerate(bands):
            count = group["bands"].get(band, 0)
            length = round(span * count / total, 1)
            if count:
                segments.append(
                    {
                        "band": band,
                        "count": count,
                        "x": round(x, 1),
                        "length": length,
                        "colour": BAND_COLOURS[j % len(BAND_COLOURS)],
                    }
                )
            x += length
        rows.append({"label": group["label"], "y": i * row, "segments": segments})
    return {
        "rows": rows,
        "width": width,
        "height": max(len(groups), 1) * row,
        "row": row,
        "label_x": label_w - 8,
    }


async def _nothing() -> list[Any]:
    return []


async def _network(api: Api, referential: str, siae_type: str) -> dict[str, Any]:
    stats, referentials, recognitions, organisations = await asyncio.gather(
        api.get("/v1/statistics/network", referential=referential, siae_type=siae_type or None),
        api.pages("/v1/referentials", limit=200, most=500),
        api.pages("/v1/recognitions", limit=200, most=MOST),
        api.pages("/v1/organisations", limit=200, most=MOST) if siae_type else _nothing(),
    )
    if siae_type:  # the labels of the structures of that type only
        of_type = {o["id"] for o in organisations if siae_type in o.get("siae_types", [])}
        recognitions = [r for r in recognitions if r["organisation_id"] in of_type]
    versions = [r for r in referentials if r.get("code") == referential]
    ref_doc: dict[str, Any] = {}
    if versions:
        latest = max(versions, key=lambda r: int(r.get("version", 0)))
        try:
            ref_doc = await api.get(f"/v1/referentials/{referential}/versions/{latest['version']}")
        except ApiProblem:
            ref_doc = {}
    theme_names = {t["code"]: t.get("name") or t["code"] for t in ref_doc.get("themes", [])}
    bands = [b["name"] for b in ref_doc.get("bands", [])] or list(BANDS)
    maturity = stats.get("maturity")
    maturity_suppressed = isinstance(maturity, dict) and maturity.get("suppressed")
    groups, hidden_groups = [], []
    for m in maturity if isinstance(maturity, list) else []:
        label = (
            theme_names.get(m["code"], m["code"])
            if m.get("group") == "theme"
            else MATURITY_KIND_FR.get(m["code"], m["code"])
        )
        if m.get("group") == "theme":
            label = f"{m['code']} — {label}" if label != m["code"] else label
        if m.get("suppressed"):
            hidden_groups.append(label)
        else:
            groups.append({**m, "label": label})
    totals = stats.get("totals") or {}
    cells = stats.get("by_region_and_type") or []
    shown_cells = [c for c in cells if not c.get("suppressed")]
    hidden_cells = [c for c in cells if c.get("suppressed")]
    organisations_in_scope = {
        r["organisation_id"] for r in recognitions if r.get("status") == "active"
    }
    labels: dict[str, int] = {}
    for r in recognitions:
        if r.get("status") != "active":
            continue
        name = SCHEME_FR.get(r["scheme"], r["scheme"]) + (
            f" — {r['level']}" if r.get("level") else ""
        )
        labels[name] = labels.get(name, 0) + 1
    trend = stats.get("trend") or []
    return {
        "stats": stats,
        "referentials": sorted({r["code"] for r in referentials}),
        "totals": totals if not totals.get("suppressed") else None,
        "totals_suppressed": bool(totals.get("suppressed")),
        "bands": bands,
        "band_colours": dict(zip(bands, BAND_COLOURS, strict=False)),
        "maturity_groups": groups,
        "maturity_chart": stacked_geometry(groups, bands),
        "maturity_suppressed": bool(maturity_suppressed),
        "hidden_groups": hidden_groups,
        "cells": shown_cells,
        "hidden_cells": hidden_cells,
        "cells_chart": bar_geometry(
            [(f"{c.get('siae_type') or 'Tous'}", c["structures"]) for c in shown_cells]
        ),
        "labels": sorted(labels.items()),
        "labels_chart": bar_geometry(sorted(labels.items())),
        "labelled_structures": len(organisations_in_scope),
        "trend": trend,
        "trend_chart": bar_geometry(
            [(q["quarter"], q.get("average_score")) for q in trend if not q.get("suppressed")]
        ),
        "hidden_quarters": [q["quarter"] for q in trend if q.get("suppressed")],
        "min_group": stats.get("min_group", 5),
    }


def _network_params(request: Request) -> tuple[str, str]:
    referential = request.query_params.get("referentiel", "CAP")
    if not re.fullmatch(r"[A-Z0-9_]{1,40}", referential):
        referential = "CAP"
    siae_type = request.query_params.get("type", "")
    return referential, siae_type if siae_type in SIAE_TYPES else ""


@router.get("/reseau", include_in_schema=False)
async def network(request: Request, api: ApiDep, _person: Facilitator) -> Response:
    """The network of the facilitator's region in charts, with tables for screen readers."""
    referential, siae_type = _network_params(request)
    context = await _network(api, referential, siae_type)
    return render(
        request,
        "facilitator/network.html",
        {
            **context,
            "referential": referential,
            "siae_type": siae_type,
            "siae_types": SIAE_TYPES,
            "query": str(request.url.query),
        },
    )


NETWORK_COLUMNS = ["Rubrique", "Groupe", "Élément", "Valeur"]


def network_table(context: Mapping[str, Any]) -> list[list[Any]]:
    """The network figures as rows (what the charts show; hidden groups said so)."""
    rows: list[list[Any]] = []
    hidden = f"masqué (moins de {context['min_group']} structures)"
    totals = context["totals"]
    if totals is None:
        rows.append(["Ensemble", "", "Chiffres", hidden])
    else:
        for key, label in (
            ("structures", "Structures"),
            ("diagnosed", "Structures diagnostiquées"),
            ("labelled", "Structures labellisées CAP RSE"),
            ("certified", "Structures certifiées CAP ISO 9001"),
            ("overall_median", "Score médian (sur 1000)"),
        ):
            rows.append(["Ensemble", "", label, totals.get(key)])
    for cell in context["cells"]:
        for key, label in (
            ("structures", "Structures"),
            ("diagnosed", "Diagnostiquées"),
            ("labelled", "Labellisées"),
            ("certified", "Certifiées"),
        ):
            rows.append(
                [
                    "Par type de SIAE",
                    f"{cell.get('region') or ''} {cell.get('siae_type') or 'Tous'}".strip(),
                    label,
                    cell.get(key),
                ]
            )
    for cell in context["hidden_cells"]:
        rows.append(
            [
                "Par type de SIAE",
                f"{cell.get('region') or ''} {cell.get('siae_type') or 'Tous'}".strip(),
                "Chiffres",
                hidden,
            ]
        )
    if context["maturity_suppressed"]:
        rows.append(["Maturité", "", "Niveaux", hidden])
    for group in context["maturity_groups"]:
        for band in context["bands"]:
            rows.append(["Maturité (structures par niveau)", group["label"], band,
                         group["bands"].get(band, 0)])  # fmt: skip
    for label in context["hidden_groups"]:
        rows.append(["Maturité (structures par niveau)", label, "Niveaux", hidden])
    for name, count in context["labels"]:
        rows.append(["Labels et certifications en cours", "", name, count])
    for quarter in context["trend"]:
        if quarter.get("suppressed"):
            rows.append(["Tendance", quarter["quarter"], "Score moyen", hidden])
        else:
            rows.append(["Tendance", quarter["quarter"], "Diagnostics", quarter["diagnostics"]])
            rows.append(["Tendance", quarter["quarter"], "Score moyen", quarter["average_score"]])
    return rows


@router.get("/reseau/export.{extension}", include_in_schema=False)
async def network_export(
    extension: str, request: Request, api: ApiDep, _person: Facilitator
) -> Response:
    """The network figures (and, in the workbook, the region's structures) as CSV or XLSX."""
    if extension not in ("csv", "xlsx"):
        return render(
            request,
            "error.html",
            {"title": "Format inconnu", "detail": "Les exports existent en CSV et en XLSX."},
            status_code=404,
        )
    referential, siae_type = _network_params(request)
    stamp = clock.today().isoformat()
    if extension == "csv":
        context = await _network(api, referential, siae_type)
        return download(
            csv_bytes(NETWORK_COLUMNS, network_table(context)),
            f"reseau-{referential.lower()}-{stamp}.csv",
            "text/csv; charset=utf-8",
        )
    context, lists = await asyncio.gather(_network(api, referential, siae_type), _region_lists(api))
    structures_table = _structure_table(filter_rows(
        structure_rows(*lists), q="", siae_type=siae_type, band="", sort="nom"
    ))  # fmt: skip
    return download(
        xlsx_bytes(
            [
                ("Chiffres du réseau", NETWORK_COLUMNS, network_table(context)),
                ("Structures", STRUCTURE_COLUMNS, structures_table),
            ]
        ),
        f"reseau-{referential.lower()}-{stamp}.xlsx",
        XLSX,
    )
