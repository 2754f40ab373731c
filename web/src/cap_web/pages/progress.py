"""The structure's follow-up: progress plan, applications, audits and team.

``/plan``: the progress plan's actions, edited in place (owner, due date, priority, status) with
the action's ETag; reviews; an action added by hand; CSV and XLSX exports streamed from the API.
``/candidatures``: applications alone or as a group, with what makes the structure eligible;
invitations to join another structure's group. ``/audits``: the audit programme's dates, each
audit's findings and the answer to a nonconformity. ``/equipe``: the structure's people, the
invitations, roles (member_admin manages; a member reads).

Every domain decision (overdue, eligibility, allowed steps) is the API's: the console shows it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response, StreamingResponse

from cap_web.api import Api, ApiProblem, problem_of
from cap_web.console import ApiDep, is_htmx, redirect, render, require
from cap_web.sessions import Person

#: What an identifier in one of these URLs looks like (the API's own ids are UUIDs).
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


async def known_ids(request: Request) -> None:
    """An identifier in the URL that no API resource could have is a French 404 here (it would
    not even make a valid API address: control characters, slashes, markup)."""
    for value in request.path_params.values():
        if not _ID.fullmatch(str(value)):
            raise ApiProblem(404, "Page introuvable", "Cette adresse ne désigne aucun élément.")


router = APIRouter(dependencies=[Depends(known_ids)])

Member = Annotated[Person, require("member", "member_admin")]
FormText = Annotated[str, Form()]

ACTION_STATUS = {
    "proposed": "Proposée",
    "planned": "Planifiée",
    "in_progress": "En cours",
    "done": "Réalisée",
    "verified": "Vérifiée",
    "cancelled": "Annulée",
}
#: A step of an action, said as the status it leads to.
ACTION_STEP = {
    "plan": "Planifiée",
    "start": "En cours",
    "complete": "Réalisée",
    "verify": "Vérifiée",
    "reopen": "En cours (rouverte)",
    "cancel": "Annulée",
}
PRIORITY = {"low": "Basse", "medium": "Moyenne", "high": "Haute"}
SCHEME = {"CAP_RSE": "Label CAP RSE", "CAP_ISO9001": "Certification CAP ISO 9001"}
APPLICATION_STATUS = {
    "awaiting_consent": "En attente des membres du groupement",
    "submitted": "Déposée",
    "accepted": "Acceptée",
    "rejected": "Refusée",
    "withdrawn": "Retirée",
}
NEXT_STEP = {
    "awaiting_consent": (
        "Chaque structure invitée doit accepter ou refuser l'invitation ; la candidature part "
        "ensuite à la fédération."
    ),
    "submitted": "La fédération (comité) examine la candidature et l'accepte ou la refuse.",
    "accepted": (
        "Le programme d'audit est lancé avec l'organisme certificateur : suivez ses dates "
        "dans la page Audits."
    ),
    "rejected": "La candidature est close. Le motif du refus est indiqué ci-dessous.",
    "withdrawn": "La candidature a été retirée. Vous pouvez en déposer une nouvelle.",
}
INVITATION_STATUS = {
    "pending": "En attente de réponse",
    "accepted": "Acceptée",
    "declined": "Refusée",
    "cancelled": "Annulée (candidature retirée)",
}
AUDIT_STATUS = {
    "requested": "Demandé",
    "accepted": "Accepté par l'organisme",
    "planned": "Planifié",
    "in_progress": "En cours",
    "report_submitted": "Rapport remis",
    "closed": "Clos",
    "cancelled": "Annulé",
    "due": "À programmer",
    "scheduled": "Programmé",
    "done": "Réalisé",
}
AUDIT_TYPE = {
    "stage1": "Audit initial, étape 1",
    "stage2": "Audit initial, étape 2",
    "initial": "Audit initial",
    "surveillance": "Audit de surveillance",
    "surveillance1": "Surveillance, année 1",
    "surveillance2": "Surveillance, année 2",
    "renewal": "Audit de renouvellement",
    "recertification": "Audit de renouvellement",
    "special": "Audit spécial",
}
FINDING_TYPE = {
    "major_nc": "Non-conformité majeure",
    "minor_nc": "Non-conformité mineure",
    "observation": "Observation",
    "opportunity": "Piste de progrès",
    "strength": "Point fort",
}
FINDING_STATUS = {
    "open": "À traiter",
    "response_submitted": "Réponse envoyée",
    "plan_accepted": "Plan d'action accepté",
    "verified_closed": "Vérifiée et close",
    "noted": "Notée",
    "appealed": "En appel",
    "withdrawn": "Retirée en appel",
}
ROLE = {"member": "Membre", "member_admin": "Administrateur de la structure"}
TEAM_ROLES = ("member", "member_admin")
#: How many evidence rows the answer form to a nonconformity offers.
EVIDENCE_ROWS = 3


def labels() -> dict[str, Any]:
    """The French words of every status and type, for the templates."""
    return {
        "ACTION_STATUS": ACTION_STATUS,
        "ACTION_STEP": ACTION_STEP,
        "PRIORITY": PRIORITY,
        "SCHEME": SCHEME,
        "APPLICATION_STATUS": APPLICATION_STATUS,
        "NEXT_STEP": NEXT_STEP,
        "INVITATION_STATUS": INVITATION_STATUS,
        "AUDIT_STATUS": AUDIT_STATUS,
        "AUDIT_TYPE": AUDIT_TYPE,
        "FINDING_TYPE": FINDING_TYPE,
        "FINDING_STATUS": FINDING_STATUS,
        "ROLE": ROLE,
        "evidence_rows": EVIDENCE_ROWS,
    }


def page(request: Request, template: str, context: dict[str, Any], **kwargs: Any) -> Response:
    """``render`` with the area's French words."""
    return render(request, template, {**labels(), **context}, **kwargs)


def clean(value: str | None) -> str:
    """Typed text without control characters (tabs and new lines kept), trimmed."""
    return "".join(c for c in (value or "") if c in "\t\n" or c.isprintable()).strip()


def org_names(person: Person) -> dict[str, str]:
    """The person's structures, id → name."""
    return {o["id"]: o.get("name") or o["id"] for o in person.organisations if o.get("id")}


def steps_for(action: dict[str, Any]) -> list[str]:
    """The steps the API allows on ``action`` that a structure's people take (verifying is the
    facilitator's)."""
    return [s for s in action.get("allowed_steps", []) if s != "verify"]


# -- progress plan ----------------------------------------------------------------------------
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


# -- applications -----------------------------------------------------------------------------
async def latest_diagnostics(api: Api, organisation_ids: list[str]) -> dict[str, Any]:
    """Each structure's latest completed diagnostic on the CAP referential (what eligibility
    rests on), among its last fifty."""

    async def latest(org: str) -> tuple[str, Any]:
        try:
            listed = await api.get("/v1/diagnostics", organisation_id=org, limit=50)
        except ApiProblem:
            return org, None
        done = [
            d
            for d in listed.get("data") or []
            if d.get("completed_at") and (d.get("referential") or {}).get("code") == "CAP"
        ]
        return org, max(done, key=lambda d: str(d["completed_at"]), default=None)

    return dict(await asyncio.gather(*(latest(o) for o in organisation_ids)))


async def application_context(api: Api, person: Person) -> dict[str, Any]:
    """What the applications page shows besides the form's values."""
    applications, invitations, bodies = await asyncio.gather(
        api.pages("/v1/applications", most=200),
        api.pages("/v1/group-invitations", most=200),
        api.pages("/v1/certification-bodies", active="true", most=200),
    )
    admin_of = person.scopes("member_admin", "organisation_id")
    return {
        "applications": applications,
        "invitations": invitations,
        "bodies": bodies,
        "names": org_names(person),
        "admin_of": admin_of,
        "diagnostics": await latest_diagnostics(api, list(org_names(person))),
    }


@router.get("/candidatures", include_in_schema=False)
async def applications_page(request: Request, api: ApiDep, person: Member) -> Response:
    """The structure's applications, the invitations to join a group, and the form to apply."""
    context = await application_context(api, person)
    return page(
        request,
        "progress/applications.html",
        {**context, "form": {}, "answered": request.query_params.get("invitation")},
    )


def member_ids(text: str) -> list[str]:
    """Structure identifiers typed one a line (or separated by commas or spaces)."""
    out: list[str] = []
    for part in clean(text).replace(",", " ").split():
        if part not in out:
            out.append(part)
    return out


@router.post("/candidatures", include_in_schema=False)
async def apply(
    request: Request,
    api: ApiDep,
    person: Member,
    organisation_id: FormText = "",
    scheme: FormText = "",
    certification_body_id: FormText = "",
    motivation: FormText = "",
    group: FormText = "",
    group_members: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Apply alone or as a group (the named structures are invited)."""
    form = {
        "organisation_id": organisation_id,
        "scheme": scheme,
        "certification_body_id": certification_body_id,
        "motivation": clean(motivation),
        "group": group,
        "group_members": clean(group_members),
    }
    errors: dict[str, str] = {}
    if scheme not in SCHEME:
        errors["scheme"] = "Choisissez le label CAP RSE ou la certification CAP ISO 9001."
    if not certification_body_id:
        errors["certification_body_id"] = "Choisissez l'organisme certificateur."
    members = member_ids(group_members) if group else []
    if group and not members:
        errors["group_members"] = (
            "Un groupement nomme au moins une autre structure (son identifiant)."
        )
    problem: ApiProblem | None = None
    if not errors:
        body = {
            "organisation_id": organisation_id,
            "scheme": scheme,
            "certification_body_id": certification_body_id,
            "motivation": form["motivation"] or None,
            "group_member_ids": members,
        }
        try:
            created = await api.post(
                "/v1/applications", body, idempotency_key=idempotency_key or None
            )
            return redirect(f"/candidatures/{created.body['id']}?deposee=1", request=request)
        except ApiProblem as exc:
            if exc.status not in (403, 404, 409, 422):
                raise
            problem = exc
            errors = {
                ("group_members" if k.isdigit() or k == "group_member_ids" else k): v
                for k, v in exc.field_messages().items()
            }
    context = await application_context(api, person)
    return page(
        request,
        "progress/applications.html",
        {**context, "form": form, "problem": problem, "errors": errors},
        status_code=problem.status if problem else 422,
    )


@router.get("/candidatures/{application_id}", include_in_schema=False)
async def application_page(
    request: Request, application_id: str, api: ApiDep, person: Member
) -> Response:
    """One application: status, next step, eligibility, the group's answers, withdrawal."""
    application = await api.get(f"/v1/applications/{application_id}")
    return page(
        request,
        "progress/application.html",
        {
            "a": application,
            "names": org_names(person),
            "may_withdraw": application["organisation_id"]
            in person.scopes("member_admin", "organisation_id")
            and application["status"] in ("submitted", "awaiting_consent"),
            "submitted": request.query_params.get("deposee"),
            "saved_drafts": "candidature" if request.query_params.get("deposee") else "",
        },
    )


@router.post("/candidatures/{application_id}/retrait", include_in_schema=False)
async def withdraw(
    request: Request,
    application_id: str,
    api: ApiDep,
    _person: Member,
    idempotency_key: FormText = "",
) -> Response:
    """The applicant's member_admin withdraws the application."""
    await api.post(
        f"/v1/applications/{application_id}/transitions",
        {"step": "withdraw"},
        idempotency_key=idempotency_key or None,
    )
    return redirect(f"/candidatures/{application_id}", request=request)


@router.post("/candidatures/invitations/{invitation_id}/{answer}", include_in_schema=False)
async def answer_group_invitation(
    request: Request,
    invitation_id: str,
    answer: str,
    api: ApiDep,
    _person: Member,
    idempotency_key: FormText = "",
) -> Response:
    """The invited structure's member_admin accepts or declines to join a group."""
    paths = {"accepter": "acceptance", "refuser": "refusal"}
    if answer not in paths:
        raise ApiProblem(404, "Page introuvable", "Réponse inconnue.")
    await api.post(
        f"/v1/group-invitations/{invitation_id}/{paths[answer]}",
        idempotency_key=idempotency_key or None,
    )
    return redirect(f"/candidatures?invitation={answer}", request=request)


# -- audits -----------------------------------------------------------------------------------
@router.get("/audits", include_in_schema=False)
async def audits_page(request: Request, api: ApiDep, person: Member) -> Response:
    """The audit programmes (their dates) and the audits with their findings' counts."""
    programmes, audits = await asyncio.gather(
        api.pages("/v1/audit-programmes", most=100), api.pages("/v1/audits", most=200)
    )
    return page(
        request,
        "progress/audits.html",
        {"programmes": programmes, "audits": audits, "names": org_names(person)},
    )


async def audit_context(api: Api, audit_id: str) -> dict[str, Any]:
    audit, findings = await asyncio.gather(
        api.get(f"/v1/audits/{audit_id}"), api.pages(f"/v1/audits/{audit_id}/findings", most=500)
    )
    return {"audit": audit, "findings": findings}


@router.get("/audits/{audit_id}", include_in_schema=False)
async def audit_page(request: Request, audit_id: str, api: ApiDep, person: Member) -> Response:
    """One audit: its dates, plan, findings, and the answer form of each open nonconformity."""
    context = await audit_context(api, audit_id)
    answered = request.query_params.get("reponse")
    return page(
        request,
        "progress/audit.html",
        {
            **context,
            "names": org_names(person),
            "answered": answered,
            "saved_drafts": f"constat-{answered}" if answered else "",
        },
    )


def evidence_of(titles: list[str], urls: list[str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The evidence rows typed (a title, a link), and what is wrong with them."""
    evidence: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for title, url in zip(titles, urls, strict=False):
        title, url = clean(title), clean(url)
        if not title and not url:
            continue
        if not title:
            errors["evidence"] = "Donnez un intitulé à chaque preuve."
            continue
        if url and not url.startswith(("https://", "http://")):
            errors["evidence"] = "Le lien d'une preuve commence par https:// (ou http://)."
            continue
        evidence.append({"title": title, "url": url or None})
    return evidence, errors


@router.post("/audits/{audit_id}/constats/{finding_id}/reponse", include_in_schema=False)
async def answer_finding(
    request: Request, audit_id: str, finding_id: str, api: ApiDep, person: Member
) -> Response:
    """Answer a nonconformity: root cause, correction, corrective action, due date, evidence."""
    data = await request.form()
    titles = [str(data.get(f"evidence_title_{i}", "")) for i in range(EVIDENCE_ROWS)]
    urls = [str(data.get(f"evidence_url_{i}", "")) for i in range(EVIDENCE_ROWS)]
    form: dict[str, Any] = {
        "root_cause": clean(str(data.get("root_cause", ""))),
        "correction": clean(str(data.get("correction", ""))),
        "corrective_action": clean(str(data.get("corrective_action", ""))),
        "action_due": str(data.get("action_due", "")).strip(),
        "evidence_title": titles,
        "evidence_url": urls,
    }
    evidence, errors = evidence_of(titles, urls)
    for name, label in (
        ("root_cause", "la cause"),
        ("correction", "la correction"),
        ("corrective_action", "l'action corrective"),
        ("action_due", "l'échéance de l'action corrective"),
    ):
        if not form[name]:
            errors[name] = f"Indiquez {label}."
    problem: ApiProblem | None = None
    if not errors:
        try:
            await api.post(
                f"/v1/findings/{finding_id}/response",
                {
                    "root_cause": form["root_cause"],
                    "correction": form["correction"],
                    "corrective_action": form["corrective_action"],
                    "action_due": form["action_due"],
                    "evidence": evidence,
                },
                idempotency_key=str(data.get("idempotency_key") or "") or None,
            )
            return redirect(
                f"/audits/{audit_id}?reponse={finding_id}#constat-{finding_id}", request=request
            )
        except ApiProblem as exc:
            if exc.status not in (409, 422):
                raise
            problem = exc
            errors = {
                ("evidence" if k in ("title", "url") or k.isdigit() else k): v
                for k, v in exc.field_messages().items()
            }
    context = await audit_context(api, audit_id)
    return page(
        request,
        "progress/audit.html",
        {
            **context,
            "names": org_names(person),
            "finding_id": finding_id,
            "form": form,
            "problem": problem,
            "errors": errors,
        },
        status_code=problem.status if problem else 422,
    )


# -- team -------------------------------------------------------------------------------------
def team_scope(person: Person, request: Request) -> str | None:
    """The structure whose team is shown (one the person belongs to)."""
    names = org_names(person)
    wanted = request.query_params.get("structure")
    if wanted in names:
        return wanted
    return person.organisation_id


async def team_context(api: Api, person: Person, organisation_id: str | None) -> dict[str, Any]:
    manages = organisation_id in person.scopes("member_admin", "organisation_id")
    people: list[dict[str, Any]] = []
    invitations: list[dict[str, Any]] = []
    if manages and organisation_id:
        people, invitations = await asyncio.gather(
            api.pages("/v1/users", organisation_id=organisation_id, most=500),
            api.pages("/v1/invitations", most=500),
        )
        invitations = [i for i in invitations if i.get("organisation_id") == organisation_id]
    for someone in people:
        someone["here"] = [
            m for m in someone.get("memberships", []) if m.get("organisation_id") == organisation_id
        ]
    return {
        "organisation_id": organisation_id,
        "names": org_names(person),
        "manages": manages,
        "people": people,
        "invitations": invitations,
        "roles": TEAM_ROLES,
    }


@router.get("/equipe", include_in_schema=False)
async def team_page(request: Request, api: ApiDep, person: Member) -> Response:
    """The structure's people and invitations (managed by its member_admin)."""
    context = await team_context(api, person, team_scope(person, request))
    return page(
        request,
        "progress/team.html",
        {**context, "form": {}, "done": request.query_params.get("fait")},
    )


@router.post("/equipe/invitations", include_in_schema=False)
async def invite(
    request: Request,
    api: ApiDep,
    person: Annotated[Person, require("member_admin")],
    organisation_id: FormText = "",
    name: FormText = "",
    email: FormText = "",
    role: FormText = "member",
    idempotency_key: FormText = "",
) -> Response:
    """Invite a person to the structure; the answer's one-time link is shown to be sent."""
    form = {"name": clean(name), "email": clean(email), "role": role}
    errors: dict[str, str] = {}
    if role not in TEAM_ROLES:
        errors["role"] = "Choisissez le rôle : membre ou administrateur de la structure."
    if not form["name"]:
        errors["name"] = "Indiquez le nom de la personne."
    if "@" not in form["email"]:
        errors["email"] = "Indiquez une adresse e-mail valide (nom@domaine.fr)."
    problem: ApiProblem | None = None
    created: dict[str, Any] | None = None
    if not errors:
        try:
            answer = await api.post(
                "/v1/invitations",
                {
                    "role": role,
                    "email": form["email"],
                    "name": form["name"],
                    "organisation_id": organisation_id,
                },
                idempotency_key=idempotency_key or None,
            )
            created = answer.body
        except ApiProblem as exc:
            if exc.status not in (403, 409, 422):
                raise
            problem = exc
            errors = exc.field_messages()
    context = await team_context(api, person, organisation_id or person.organisation_id)
    if created is not None:
        return page(
            request,
            "progress/team.html",
            {**context, "form": {}, "created": created, "saved_drafts": "equipe-invitation"},
        )
    return page(
        request,
        "progress/team.html",
        {**context, "form": form, "problem": problem, "errors": errors},
        status_code=problem.status if problem else 422,
    )


@router.post("/equipe/invitations/{invitation_id}/retrait", include_in_schema=False)
async def withdraw_invitation(
    request: Request,
    invitation_id: str,
    api: ApiDep,
    _person: Annotated[Person, require("member_admin")],
    organisation_id: FormText = "",
) -> Response:
    """Withdraw a pending invitation."""
    await api.delete(f"/v1/invitations/{invitation_id}")
    return redirect(f"/equipe?structure={organisation_id}&fait=invitation-retiree", request=request)


@router.post("/equipe/personnes/{user_id}/role", include_in_schema=False)
async def change_role(
    request: Request,
    user_id: str,
    api: ApiDep,
    _person: Annotated[Person, require("member_admin")],
    organisation_id: FormText = "",
    role: FormText = "",
    idempotency_key: FormText = "",
) -> Response:
    """Give the person the chosen role in the structure, then take their other role away."""
    if role not in TEAM_ROLES:
        raise ApiProblem(
            422, "Rôle inconnu", "Choisissez membre ou administrateur de la structure."
        )
    user = await api.get(f"/v1/users/{user_id}")
    here = [m for m in user.get("memberships", []) if m.get("organisation_id") == organisation_id]
    if not any(m["role"] == role for m in here):
        await api.post(
            f"/v1/users/{user_id}/memberships",
            {"role": role, "organisation_id": organisation_id},
            idempotency_key=idempotency_key or None,
        )
    for membership in here:
        if membership["role"] != role and membership["role"] in TEAM_ROLES:
            await api.delete(f"/v1/users/{user_id}/memberships/{membership['id']}")
    return redirect(f"/equipe?structure={organisation_id}&fait=role", request=request)


@router.post("/equipe/personnes/{user_id}/retrait", include_in_schema=False)
async def remove_person(
    request: Request,
    user_id: str,
    api: ApiDep,
    person: Annotated[Person, require("member_admin")],
    organisation_id: FormText = "",
) -> Response:
    """Take every role the person holds in the structure away (their account stays)."""
    if person.user_id in (user_id, f"user:{user_id}"):
        raise ApiProblem(
            409,
            "Action impossible",
            "Vous ne pouvez pas vous retirer vous-même de la structure : demandez-le à un autre "
            "administrateur.",
        )
    user = await api.get(f"/v1/users/{user_id}")
    for membership in user.get("memberships", []):
        if membership.get("organisation_id") == organisation_id:
            await api.delete(f"/v1/users/{user_id}/memberships/{membership['id']}")
    return redirect(f"/equipe?structure={organisation_id}&fait=retrait", request=request)
