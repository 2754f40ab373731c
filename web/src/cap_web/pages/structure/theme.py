"""One theme of a diagnostic, answered criterion by criterion with autosave.

Answers are saved with the diagnostic's ETag in ``If-Match``. The form carries the answers as
they were when it was drawn (``base``): a 412 compares what the API now holds with that base,
and saves again silently only when nobody touched the same criteria; otherwise both versions are
shown and the person chooses, criterion by criterion. When the diagnostic changes again between
the save's read and its write, the save reads it again and decides again (a few rounds): the
answers this browser's field mode sent meanwhile are the same as the form's, no conflict.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Answer, Api, ApiProblem
from cap_web.console import ApiDep, is_htmx, redirect, render
from cap_web.pages.structure.common import (
    EDITABLE,
    MEMBERS,
    DiagnosticId,
    ThemeCode,
    read_answers,
    read_diagnostic,
    read_referential,
    slug,
    theme_progress,
)
from cap_web.pages.structure.form import Value, map_api_errors, payload, read_form

router = APIRouter()


def _find_theme(referential: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((t for t in referential.get("themes", []) if t["code"] == code), None)


async def _theme_context(
    api: Api, diagnostic_id: str, theme_code: str
) -> tuple[dict[str, Any], str | None, dict[str, Any], dict[str, Any], dict[str, dict[str, Any]]]:
    diagnostic, etag = await read_diagnostic(api, diagnostic_id)
    referential = await read_referential(api, diagnostic)
    theme = _find_theme(referential, theme_code)
    if theme is None:
        raise ApiProblem(
            404,
            "Thème introuvable",
            f"Le référentiel de ce diagnostic n'a pas de thème {theme_code}.",
        )
    answers = await read_answers(api, diagnostic_id)
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
    themes = theme_progress(referential, answers)
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
            "answer_ids": {urn: str(a.get("id") or "") for urn, a in answers.items()},
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
    return await _save(request, api, diagnostic_id, theme_code, rounds=_ROUNDS)


#: How many times a save reads the diagnostic again when it changed between the save's read
#: and its write (a 412 on the fresh ETag): the browser's own field-mode sync, sent when the
#: network comes back, often lands just then with the same answers.
_ROUNDS = 3


async def _save(
    request: Request, api: Api, diagnostic_id: str, theme_code: str, *, rounds: int
) -> Response:
    form = await request.form()  # parsed once per request (Starlette keeps it)
    autosave = is_htmx(request) and form.get("autosave") == "1"
    diagnostic, fresh_etag, referential, theme, answers = await _theme_context(
        api, diagnostic_id, theme_code
    )
    # the ETag the form was drawn with; a later round writes with the one it has just read
    etag = (str(form.get("etag") or "") or None) if rounds == _ROUNDS else fresh_etag
    base = _base_of(form.get("base"))
    mine, errors = read_form(form, theme["criteria"])
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
        batch = [payload(diagnostic_id, urn, mine[urn], answers.get(urn)) for urn in to_send]
        key = str(form.get("idempotency_key") or "")
        # one key per (form, ETag, batch): a double submit is one write, a later change is not
        sent = json.dumps(batch, sort_keys=True)
        idem = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}:{autosave}:{etag}:{sent}"))
        path, body = f"/v1/diagnostics/{diagnostic_id}/answers", {"answers": batch}
        try:
            try:
                written = await api.call(
                    "PUT", path, json=body, if_match=etag,
                    headers={"idempotency-key": idem},
                )  # fmt: skip
            except ApiProblem as problem:
                if problem.status != 412 or etag == fresh_etag:
                    raise
                # someone saved meanwhile, but (checked above against the fresh answers) not
                # on these criteria: save again with the diagnostic's new ETag
                written = await api.call(
                    "PUT", path, json=body, if_match=fresh_etag,
                    headers={"idempotency-key": str(uuid.uuid4())},
                )  # fmt: skip
        except ApiProblem as problem:
            if problem.status == 412 and rounds > 1:
                # changed again between this round's read and its write: read again and
                # compare with the base again (the same answers are no conflict)
                return await _save(request, api, diagnostic_id, theme_code, rounds=rounds - 1)
            if problem.status not in (400, 409, 412, 422):
                raise
            return await _problem_answer(
                request, api, context, mine, errors, problem, to_send, autosave
            )
    if errors:
        return await _problem_answer(request, api, context, mine, errors, None, [], autosave)
    url = f"/diagnostics/{diagnostic_id}/themes/{theme['code']}"
    took_theirs = any(form.get(f"keep-{slug(c['code'])}") == "theirs" for c in theme["criteria"])
    if autosave and took_theirs:
        fresh, fresh_etag = await read_diagnostic(api, diagnostic_id)
        return _whole_form(
            request,
            _render_theme(
                request,
                diagnostic=fresh,
                etag=fresh_etag,
                referential=referential,
                theme=theme,
                answers=await read_answers(api, diagnostic_id),
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
        themes = theme_progress(referential, answers)
        codes = [t["code"] for t in themes]
        position = codes.index(theme["code"])
        if position + 1 < len(codes):
            url = f"/diagnostics/{diagnostic_id}/themes/{codes[position + 1]}"
            return redirect(url + "?enregistre=1", request=request)
        return redirect(f"/diagnostics/{diagnostic_id}?enregistre=1", request=request)
    return redirect(url + "?enregistre=1", request=request)


def _base_of(field: Any) -> dict[str, str]:
    """The answers' signatures the form was drawn with (its hidden ``base``): an object of
    strings; anything else (a hand-made form) counts as no base — the answers as stored now."""
    try:
        base = json.loads(str(field or "{}"))
    except ValueError:
        return {}
    if not isinstance(base, dict):
        return {}
    return {k: v for k, v in base.items() if isinstance(v, str)}


async def _saved_fragment(request: Request, api: Api, context: dict[str, Any]) -> Response:
    """For autosave: the saved state, the new ETag and base, the theme's progress (oob)."""
    diagnostic, etag = await read_diagnostic(api, context["diagnostic"]["id"])
    answers = await read_answers(api, diagnostic["id"])
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
        errors = {**errors, **map_api_errors(problem, sent)}
    diagnostic, etag = await read_diagnostic(api, context["diagnostic"]["id"])
    answers = await read_answers(api, diagnostic["id"])
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
