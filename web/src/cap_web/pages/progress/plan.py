"""``/plan``: the progress plan's actions, edited in place (owner, due date, priority, status)
with the action's ETag; reviews; an action added by hand; CSV and XLSX exports streamed from the
API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from cap_web.api import Api, ApiProblem, problem_of
from cap_web.console import ApiDep, is_htmx, redirect
from cap_web.pages.progress.common import FormText, Member, clean, org_names, page

router = APIRouter()


def steps_for(action: dict[str, Any]) -> list[str]:
    """The steps the API allows on ``action`` that a structure's people take (verifying is the
    facilitator's)."""
    return [s for s in action.get("allowed_steps", []) if s != "verify"]


MODIFIED = (
    "Cette action a été modifiée entre-temps par quelqu'un d'autre : voici ses valeurs "
    "actuelles. Refaites votre changement s'il est toujours utile."
)


async def read_action(api: Api, action_id: str) -> tuple[dict[str, Any], str | None]:
    """An action with its reviews, and its ETag."""
    answer = await api.call("GET", f"/v1/actions/{action_id}")
    return answer.body, answer.etag


@router.get("/plan", include_in_schema=False)
async def plan_page(request: Request, api: ApiDep, person: Member) -> Response:
    """The structure's progress plan (the first one, or ``?plan=`` among several)."""
    plans = await api.pages("/v1/progress-plans", most=50)
    chosen = request.query_params.get("plan")
    summary = next((p for p in plans if p["id"] == chosen), plans[0] if plans else None)
    if summary is None:
        return page(request, "progress/plan.html", {"plan": None, "plans": []})
    answer = await api.call("GET", f"/v1/progress-plans/{summary['id']}")
    return page(
        request,
        "progress/plan.html",
        {
            "plan": answer.body,
            "plan_etag": answer.etag,
            "plans": plans,
            "names": org_names(person),
            "added": request.query_params.get("ajoutee"),
            "saved_drafts": f"plan-{summary['id']}-ajout"
            if request.query_params.get("ajoutee")
            else "",
            "form": {},
        },
    )


@router.post("/plan/{plan_id}/actions", include_in_schema=False)
async def add_action(
    request: Request,
    plan_id: str,
    api: ApiDep,
    person: Member,
    title: FormText = "",
    description: FormText = "",
    owner: FormText = "",
    due_date: FormText = "",
    priority: FormText = "medium",
    etag: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Add an action by hand to the plan as it was read (its ETag)."""
    form = {
        "title": clean(title),
        "description": clean(description),
        "owner": clean(owner),
        "due_date": due_date.strip(),
        "priority": priority,
    }
    body: dict[str, Any] = {
        "title": form["title"],
        "description": form["description"],
        "owner": form["owner"] or None,
        "due_date": form["due_date"] or None,
        "priority": priority,
    }
    problem: ApiProblem | None = None
    try:
        created = await api.post(
            f"/v1/progress-plans/{plan_id}/actions",
            body,
            idempotency_key=idempotency_key or None,
            if_match=etag or None,
        )
    except ApiProblem as exc:
        if exc.status not in (409, 412, 422, 428):
            raise
        problem = exc
    if problem is None:
        return redirect(
            f"/plan?plan={plan_id}&ajoutee={created.body['id']}#action-{created.body['id']}",
            request=request,
        )
    answer = await api.call("GET", f"/v1/progress-plans/{plan_id}")
    stale = problem.status in (412, 428)
    return page(
        request,
        "progress/plan.html",
        {
            "plan": answer.body,
            "plan_etag": answer.etag,
            "plans": await api.pages("/v1/progress-plans", most=50),
            "names": org_names(person),
            "form": form,
            "add_problem": None if stale else problem,
            "add_errors": {} if stale else problem.field_messages(),
            "add_stale": stale,
        },
        status_code=problem.status,
    )


@router.get("/plan/{plan_id}/export.{kind}", include_in_schema=False)
async def plan_export(plan_id: str, kind: str, api: ApiDep, _person: Member) -> Response:
    """The plan as the API exports it (CSV or XLSX), streamed through."""
    if kind not in ("csv", "xlsx"):
        raise ApiProblem(404, "Export introuvable", "Les exports possibles sont CSV et XLSX.")
    opened = AsyncExitStack()
    response = await opened.enter_async_context(
        api.stream(f"/v1/progress-plans/{plan_id}/export.{kind}")
    )
    if response.status_code >= 400:
        await response.aread()
        await opened.aclose()
        raise problem_of(response)
    headers = {
        k: response.headers[k]
        for k in ("content-type", "content-disposition")
        if k in response.headers
    }

    async def chunks() -> AsyncIterator[bytes]:
        try:
            async for chunk in response.aiter_bytes():
                yield chunk
        finally:
            await opened.aclose()

    return StreamingResponse(chunks(), headers=headers)


@router.get("/plan/actions/{action_id}", include_in_schema=False)
async def action_page(request: Request, action_id: str, api: ApiDep, _person: Member) -> Response:
    """One action: its details, the edit form, its reviews and the review form."""
    action, etag = await read_action(api, action_id)
    if is_htmx(request):
        return action_fragment(request, action, etag, editing=True)
    return page(
        request,
        "progress/action.html",
        {
            "action": action,
            "etag": etag,
            "steps": steps_for(action),
            "form": {},
            "saved_drafts": f"revue-{action_id}" if request.query_params.get("suivi") else "",
        },
    )


@router.get("/plan/actions/{action_id}/ligne", include_in_schema=False)
async def action_row(request: Request, action_id: str, api: ApiDep, _person: Member) -> Response:
    """The action as the plan lists it (htmx: closing the edit form)."""
    action, etag = await read_action(api, action_id)
    return action_fragment(request, action, etag, editing=False)


def action_fragment(
    request: Request,
    action: dict[str, Any],
    etag: str | None,
    *,
    editing: bool,
    form: dict[str, Any] | None = None,
    problem: ApiProblem | None = None,
    stale: bool = False,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    """An action's item of the plan: shown, or edited in place."""
    return page(
        request,
        "progress/_action.html",
        {
            "a": action,
            "etag": etag,
            "editing": editing,
            "steps": steps_for(action),
            "form": form or {},
            "problem": problem,
            "errors": problem.field_messages() if problem else {},
            "stale": stale,
            "saved": saved,
            "is_fragment": True,
        },
        status_code=status_code,
    )


@router.post("/plan/actions/{action_id}", include_in_schema=False)
async def update_action(
    request: Request,
    action_id: str,
    api: ApiDep,
    _person: Member,
    owner: FormText = "",
    due_date: FormText = "",
    priority: FormText = "",
    step: FormText = "",
    note: FormText = "",
    etag: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Owner, due date and priority (PATCH with the ETag read), then the status (a step)."""
    form = {
        "owner": clean(owner),
        "due_date": due_date.strip(),
        "priority": priority,
        "step": step,
        "note": clean(note),
    }
    changes: dict[str, Any] = {"owner": form["owner"] or None, "due_date": form["due_date"] or None}
    if priority:
        changes["priority"] = priority
    current = etag or None
    action: dict[str, Any] | None = None
    try:
        answer = await api.patch(f"/v1/actions/{action_id}", changes, if_match=current)
        action, current = answer.body, answer.etag
        if step:
            moved = await api.post(
                f"/v1/actions/{action_id}/transitions",
                {"step": step, "note": form["note"] or None},
                idempotency_key=idempotency_key or None,
                if_match=current,
            )
            action, current = moved.body, moved.etag
    except ApiProblem as problem:
        if problem.status not in (409, 412, 422, 428):
            raise
        fresh, fresh_etag = await read_action(api, action_id)
        stale = problem.status in (412, 428)
        if not is_htmx(request):
            return page(
                request,
                "progress/action.html",
                {
                    "action": fresh,
                    "etag": fresh_etag,
                    "steps": steps_for(fresh),
                    "form": {} if stale else form,
                    "problem": None if stale else problem,
                    "errors": {} if stale else problem.field_messages(),
                    "stale": stale,
                },
                status_code=problem.status,
            )
        return action_fragment(
            request,
            fresh,
            fresh_etag,
            editing=True,
            form={} if stale else form,
            problem=None if stale else problem,
            stale=stale,
            status_code=problem.status,
        )
    if not is_htmx(request):
        return redirect(f"/plan/actions/{action_id}?enregistre=1")
    assert action is not None
    fresh, fresh_etag = await read_action(api, action_id)
    return action_fragment(request, fresh, fresh_etag, editing=False, saved=True)


@router.post("/plan/actions/{action_id}/suivis", include_in_schema=False)
async def review_action(
    request: Request,
    action_id: str,
    api: ApiDep,
    _person: Member,
    review_note: FormText = "",
    progress: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """A follow-up review: a note and how far along the action is."""
    form = {"review_note": clean(review_note), "progress": progress.strip()}
    body: dict[str, Any] = {"note": form["review_note"]}
    errors: dict[str, str] = {}
    if form["progress"]:
        if form["progress"].isdigit() and int(form["progress"]) <= 100:
            body["progress"] = int(form["progress"])
        else:
            errors["progress"] = "Indiquez un pourcentage entier entre 0 et 100."
    problem: ApiProblem | None = None
    if not errors:
        try:
            await api.post(
                f"/v1/actions/{action_id}/reviews", body, idempotency_key=idempotency_key or None
            )
            return redirect(f"/plan/actions/{action_id}?suivi=1#suivis", request=request)
        except ApiProblem as exc:
            if exc.status not in (409, 422):
                raise
            problem = exc
            errors = {
                ("review_note" if k == "note" else k): v for k, v in exc.field_messages().items()
            }
    action, etag = await read_action(api, action_id)
    return page(
        request,
        "progress/action.html",
        {
            "action": action,
            "etag": etag,
            "steps": steps_for(action),
            "form": {},
            "review_form": form,
            "review_problem": problem,
            "review_errors": errors,
        },
        status_code=problem.status if problem else 422,
    )
