"""``/animation/diagnostics/{id}``: an accompanied diagnostic (a CAP session) run by its
facilitator: the session's details and participants, its steps, the answers theme by theme."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect, render
from cap_web.pages.facilitator.common import (
    ACTION_FR,
    CATEGORIES,
    KIND_FR,
    MAX_PARTICIPANTS,
    STATUS_FR,
    Facilitator,
    clean,
    participants_form,
    participants_of,
)
from cap_web.pages.structure.form import Value

router = APIRouter()


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
        # field mode (static/field.js): each criterion's stored version, to detect conflicts
        "field_base": {urn: Value.of(a).signature() for urn, a in answers.items()},
        "empty_base": Value().signature(),
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
            "participants": participants_form(values),
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
            "participants": participants_form(_session_form(context["diagnostic"])),
            "typed": values,
            "errors": errors,
            "problem": problem,
            "where": "reponses",
            "notice": "",
        },
        status_code=problem.status if problem and problem.status in (409, 422) else 422,
    )
