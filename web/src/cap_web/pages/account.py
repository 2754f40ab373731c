"""What everyone signed in has: the notification feed (live), their account, preferences and
password.

The feed's live updates come from the API's event stream, relayed by ``/notifications/flux``
with the person's token added here (the browser's script never sees a token): first the unread
count, then each new notification followed by the new count.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from cap_web.api import Api, ApiProblem, SignInRequired
from cap_web.console import (
    ApiDep,
    MaybePersonDep,
    PersonDep,
    client_address,
    console_of,
    is_htmx,
    redirect,
    render,
    session_row,
)
from cap_web.sessions import SESSION_COOKIE, Person, person_of

router = APIRouter()
logger = logging.getLogger(__name__)

#: What each role is called on the screens.
ROLES: dict[str, str] = {
    "member": "Membre de la structure",
    "member_admin": "Administrateur·rice de la structure",
    "facilitator": "Animateur·rice régional·e",
    "committee": "Membre du comité de labellisation",
    "auditor": "Auditeur·rice",
    "admin": "Administrateur·rice de la plateforme",
}

#: Each notified event, in plain words (the preferences table).
EVENTS: dict[str, str] = {
    "diagnostic.completed.v1": "Un diagnostic est terminé",
    "action.due_soon.v1": "Une action du plan arrive à échéance",
    "action.overdue.v1": "Une action du plan est en retard",
    "audit.requested.v1": "Un audit est demandé",
    "audit.planned.v1": "Un audit est planifié",
    "audit.report_submitted.v1": "Un rapport d'audit est déposé",
    "finding.response_due.v1": "Une réponse à un écart est attendue",
    "labelling.application.accepted.v1": "Une candidature est acceptée",
    "labelling.group_invitation.sent.v1": "Une invitation à une candidature groupée",
    "recognition.status_changed.v1": "Le statut d'un label change",
    "label.expiring.v1": "Un label arrive à expiration",
    "label.surveillance_due.v1": "Un audit de surveillance est à prévoir",
    "labelling.complaint.received.v1": "Une réclamation est reçue",
    "labelling.decision.opened.v1": "Une décision de labellisation est ouverte",
    "decision.held.v1": "Une décision est suspendue",
    "audit.stage2_required.v1": "Un audit d'étape 2 est nécessaire",
    "finding.status_changed.v1": "Le statut d'un écart change",
    "finding.appeal_lodged.v1": "Un recours sur un écart est déposé",
    "finding.appeal_decided.v1": "Un recours sur un écart est tranché",
    "decision.appeal_lodged.v1": "Un recours sur une décision est déposé",
    "decision.appeal_decided.v1": "Un recours sur une décision est tranché",
    "certification.decided.v1": "L'organisme certificateur a décidé",
    "decision.taken.v1": "Le comité de labellisation a décidé",
}
IN_APP = {"on": "Oui", "off": "Non"}
EMAIL = {"on": "À chaque fois", "digest": "Dans le résumé quotidien", "off": "Jamais"}
#: Time zones of metropolitan France and the overseas territories.
TIMEZONES: dict[str, str] = {
    "Europe/Paris": "France métropolitaine, Corse",
    "America/Guadeloupe": "Guadeloupe",
    "America/Martinique": "Martinique",
    "America/Cayenne": "Guyane",
    "Indian/Reunion": "La Réunion",
    "Indian/Mayotte": "Mayotte",
    "America/Miquelon": "Saint-Pierre-et-Miquelon",
    "Pacific/Noumea": "Nouvelle-Calédonie",
    "Pacific/Tahiti": "Polynésie française",
}
_ID = re.compile(r"[0-9A-Za-z-]{1,36}")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
#: How long the relay waits for the next bytes of the API's stream (it pings every 15 s).
STREAM_TIMEOUT = httpx.Timeout(10.0, read=60.0)
PAGE_SIZE = 20


def event_label(event_type: str) -> str:
    """An event type in plain words (its code when it is new)."""
    return EVENTS.get(event_type, event_type)


# -- the feed -------------------------------------------------------------------------------------
#: Where a notification about an API resource leads in the console, by role: the screen of
#: that area (the API's ``link`` names the resource, e.g. ``/audits/<id>``).
_MEMBER_PAGES = {
    "diagnostics": "/diagnostics",
    "progress-plans": "/plan",
    "audits": "/audits",
    "findings": "/audits",
    "applications": "/candidatures",
    "group-invitations": "/candidatures",
}
_FACILITATOR_PAGES = {"diagnostics": "/animation", "progress-plans": "/animation"}
#: Pages of one item for the auditor and the committee (and the administrator): ``{id}`` is the
#: item's id in the API's link.
_AUDITOR_PAGES = {"audits": "/auditeur/audits/{id}", "findings": "/auditeur/audits"}
_COMMITTEE_PAGES = {"decisions": "/comite/dossiers/{id}"}
_ITEM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


def console_link(link: object, person: Person | None) -> str | None:
    """The console page a notification's API ``link`` leads to for ``person``, if any."""
    if not isinstance(link, str) or not link.startswith("/") or link.startswith("//"):
        return None
    area = link.split("/", 2)[1]
    if person is not None and person.has("member", "member_admin") and area in _MEMBER_PAGES:
        return _MEMBER_PAGES[area]
    if person is not None and person.has("facilitator") and area in _FACILITATOR_PAGES:
        return _FACILITATOR_PAGES[area]
    item = link.split("/")[2] if link.count("/") >= 2 else ""
    if not _ITEM_ID.fullmatch(item):
        return None
    if person is not None and person.has("auditor") and area in _AUDITOR_PAGES:
        return _AUDITOR_PAGES[area].format(id=item)
    if person is not None and person.has("committee", "admin") and area in _COMMITTEE_PAGES:
        return _COMMITTEE_PAGES[area].format(id=item)
    return None


async def _feed(api: Api, request: Request, person: Person) -> dict[str, Any]:
    cursor = request.query_params.get("cursor") or None
    unread_only = request.query_params.get("non-lues") == "1"
    page = await api.get(
        "/v1/notifications", cursor=cursor, limit=PAGE_SIZE, unread="true" if unread_only else None
    )
    items = [{**item, "href": console_link(item.get("link"), person)} for item in page["data"]]
    return {
        "items": items,
        "unread": int(page.get("unread") or 0),
        "next_cursor": page.get("next_cursor"),
        "cursor": cursor,
        "unread_only": unread_only,
    }


@router.get("/notifications", include_in_schema=False)
async def notifications(request: Request, api: ApiDep, person: PersonDep) -> Response:
    """The person's notifications, newest first, with what is unread and how to mark it read."""
    context = await _feed(api, request, person)
    if is_htmx(request) and request.headers.get("hx-target") == "feed":
        return render(request, "account/_feed.html", context)
    context["saved"] = request.query_params.get("lu")
    return render(request, "account/notifications.html", context)


@router.post("/notifications/tout-lu", include_in_schema=False)
async def read_all(request: Request, api: ApiDep, _person: PersonDep) -> Response:
    """Every notification marked read."""
    form = await request.form()
    await api.post(
        "/v1/notifications/read-all", idempotency_key=str(form.get("idempotency_key") or "")
    )
    return redirect("/notifications?lu=tout", request=request)


@router.post("/notifications/{notification_id}/lu", include_in_schema=False)
async def read_one(
    notification_id: str, request: Request, api: ApiDep, _person: PersonDep
) -> Response:
    """One notification marked read (another person's is the API's 404, shown in French)."""
    if not _ID.fullmatch(notification_id):
        raise ApiProblem(
            404, "Notification introuvable", "Cette notification n'existe pas ou n'est pas à vous."
        )
    form = await request.form()
    await api.post(
        f"/v1/notifications/{notification_id}/read",
        idempotency_key=str(form.get("idempotency_key") or ""),
    )
    return redirect("/notifications?lu=1", request=request)


def _event(name: str, data: Any, event_id: str | None = None) -> str:
    lines = [f"event: {name}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"data: {json.dumps(data, ensure_ascii=False)}")
    return "\n".join(lines) + "\n\n"


async def _unread(api: Api) -> int:
    answer = await api.get("/v1/notifications/unread-count")
    return int(answer.get("unread") or 0)


async def relay(
    api: Api, person: Person, unread: int, last_event_id: str | None
) -> AsyncIterator[str]:
    """The API's live stream for one person, as this console's events: ``unread`` (the count)
    first, then each ``notification`` (its id kept, for ``Last-Event-ID``) and the new count.

    The stream ends quietly when the API's does, or when it fails (an expired session, the API
    unreachable): the browser reconnects after ``retry`` and goes through the checks again.
    """
    yield "retry: 5000\n\n"
    yield _event("unread", {"unread": unread})
    headers = {"last-event-id": last_event_id} if last_event_id else None
    try:
        async with api.stream(
            "/v1/notifications/stream", headers=headers, timeout=STREAM_TIMEOUT
        ) as upstream:
            if upstream.status_code != 200:
                return
            fields: dict[str, str] = {}
            async for line in upstream.aiter_lines():
                if line.startswith(":"):
                    yield ": ping\n\n"  # keeps every proxy on the way from closing it
                    continue
                if line:
                    name, _, value = line.partition(":")
                    fields[name] = value[1:] if value.startswith(" ") else value
                    continue
                if fields.get("event") == "notification" and "data" in fields:
                    try:
                        item = json.loads(fields["data"])
                    except ValueError:
                        item = None
                    if isinstance(item, dict):
                        item["href"] = console_link(item.get("link"), person)
                        yield _event("notification", item, fields.get("id"))
                        yield _event("unread", {"unread": await _unread(api)})
                fields = {}
    except (SignInRequired, ApiProblem, httpx.HTTPError) as exc:
        logger.info("live stream of %s ended: %r", person.user_id, exc)


async def quiet_api(request: Request) -> Api:
    """The API as the person calls it, for a request the browser makes by itself (the live
    stream reconnecting): the session is read without keeping it from going idle."""
    console = console_of(request)
    row = await console.store.load(request.cookies.get(SESSION_COOKIE), touch=False)
    if row is None:
        raise SignInRequired
    request.state.console_row = row
    return Api(
        console.http,
        store=console.store,
        tokens=console.tokens,
        row=row,
        forwarded_for=client_address(request),
    )


@router.get("/notifications/flux", include_in_schema=False)
async def flux(request: Request, api: Annotated[Api, Depends(quiet_api)]) -> Response:
    """The live notifications of the person (Server-Sent Events, for ``static/live.js``).
    Without a session (or with a refused one) the answer is not a stream: the browser's
    EventSource stops, and the script tries again later."""
    assert api.row is not None
    person = person_of(api.row)
    last = request.headers.get("last-event-id")
    unread = await _unread(api)  # before the stream starts: a refused session is a redirect
    return StreamingResponse(
        relay(api, person, unread, last if last and last.isdigit() and len(last) <= 19 else None),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


# -- the account ----------------------------------------------------------------------------------
@router.get("/compte", include_in_schema=False)
async def account(request: Request, api: ApiDep, _person: PersonDep) -> Response:
    """Who I am: name, e-mail, roles and the structures or regions they apply to."""
    me = await api.get("/v1/me")
    grants = [
        {
            "role": ROLES.get(str(m.get("role")), str(m.get("role"))),
            "where": m.get("organisation_name")
            or m.get("region_name")
            or m.get("certification_body_id")
            or "",
        }
        for m in me.get("memberships") or []
    ]
    return render(
        request,
        "account/account.html",
        {"me": me, "grants": grants, "organisations": me.get("organisations") or []},
    )


def _preferences_context(prefs: dict[str, Any], etag: str | None) -> dict[str, Any]:
    events = prefs.get("events") or {}
    rows = [
        {
            "type": event_type,
            "label": event_label(event_type),
            "in_app": value.get("in_app"),
            "email": value.get("email"),
            "default": bool(value.get("in_app_default") and value.get("email_default")),
        }
        for event_type, value in sorted(events.items(), key=lambda kv: event_label(kv[0]))
    ]
    timezone = str(prefs.get("timezone") or "Europe/Paris")
    zones = dict(TIMEZONES)
    zones.setdefault(timezone, timezone)
    quiet = prefs.get("quiet_hours") or None
    return {
        "rows": rows,
        "etag": etag or "",
        "timezone": timezone,
        "timezones": zones,
        "quiet_on": quiet is not None,
        "quiet_start": (quiet or {}).get("start", "21:00"),
        "quiet_end": (quiet or {}).get("end", "07:00"),
        "digest_hour": int(prefs.get("digest_hour") or 0),
        "in_app_modes": IN_APP,
        "email_modes": EMAIL,
    }


@router.get("/compte/preferences", include_in_schema=False)
async def preferences(request: Request, api: ApiDep, _person: PersonDep) -> Response:
    """Which notifications arrive where (in the console, by e-mail, in the daily summary),
    the quiet hours and the summary's hour."""
    answer = await api.call("GET", "/v1/preferences")
    context = _preferences_context(answer.body, answer.etag)
    context["saved"] = request.query_params.get("enregistre") == "1"
    context["errors"] = {}
    return render(request, "account/preferences.html", context)


def _wanted(form: Any, current: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """What the form changes in ``current`` (a partial update), and the fields it got wrong."""
    errors: dict[str, str] = {}
    change: dict[str, Any] = {}
    events: dict[str, dict[str, str]] = {}
    for event_type, value in (current.get("events") or {}).items():
        modes: dict[str, str] = {}
        in_app = form.get(f"in_app:{event_type}")
        if in_app in IN_APP and in_app != value.get("in_app"):
            modes["in_app"] = in_app
        email = form.get(f"email:{event_type}")
        if email in EMAIL and email != value.get("email"):
            modes["email"] = email
        if modes:
            events[event_type] = modes
    if events:
        change["events"] = events
    timezone = str(form.get("timezone") or "")
    if timezone and timezone != current.get("timezone"):
        change["timezone"] = timezone
    digest = str(form.get("digest_hour") or "")
    if not digest.isdigit() or not 0 <= int(digest) <= 23:
        errors["digest_hour"] = "Choisissez une heure entre 0 h et 23 h."
    elif int(digest) != current.get("digest_hour"):
        change["digest_hour"] = int(digest)
    if form.get("quiet_on") == "1":
        start, end = str(form.get("quiet_start") or ""), str(form.get("quiet_end") or "")
        if not _TIME.fullmatch(start):
            errors["quiet_start"] = "Indiquez une heure au format HH:MM, par exemple 21:00."
        if not _TIME.fullmatch(end):
            errors["quiet_end"] = "Indiquez une heure au format HH:MM, par exemple 07:00."
        if start == end and not errors:
            errors["quiet_end"] = "La fin des heures calmes doit différer de leur début."
        if not errors and current.get("quiet_hours") != {"start": start, "end": end}:
            change["quiet_hours"] = {"start": start, "end": end}
    elif current.get("quiet_hours") is not None:
        change["quiet_hours"] = None
    return change, errors


def _form_values(form: Any, context: dict[str, Any]) -> dict[str, Any]:
    """The context with what the person had chosen (a form shown again keeps it)."""
    for row in context["rows"]:
        in_app = form.get(f"in_app:{row['type']}")
        email = form.get(f"email:{row['type']}")
        row["in_app"] = in_app if in_app in IN_APP else row["in_app"]
        row["email"] = email if email in EMAIL else row["email"]
    context["quiet_on"] = form.get("quiet_on") == "1"
    context["quiet_start"] = str(form.get("quiet_start") or "")[:5]
    context["quiet_end"] = str(form.get("quiet_end") or "")[:5]
    if str(form.get("timezone") or "") in context["timezones"]:
        context["timezone"] = str(form.get("timezone"))
    digest = str(form.get("digest_hour") or "")
    if digest.isdigit() and 0 <= int(digest) <= 23:
        context["digest_hour"] = int(digest)
    return context


@router.post("/compte/preferences", include_in_schema=False)
async def save_preferences(request: Request, api: ApiDep, _person: PersonDep) -> Response:
    """Save what changed, if the preferences did not change elsewhere since the form was shown."""
    form = await request.form()
    answer = await api.call("GET", "/v1/preferences")
    current: dict[str, Any] = answer.body
    etag = str(form.get("etag") or "") or None
    change, errors = _wanted(form, current)
    problem: ApiProblem | None = None
    status = 422
    if not errors and change:
        try:
            await api.put("/v1/preferences", change, if_match=etag)
        except ApiProblem as exc:
            if exc.status not in (400, 409, 412, 422):
                raise
            problem, status = exc, exc.status
            errors = exc.field_messages()
            if exc.status == 412:
                problem = ApiProblem(
                    412,
                    "Préférences modifiées entre-temps",
                    "Elles ont été changées ailleurs (un autre onglet, un autre appareil) "
                    "depuis l'affichage de ce formulaire. Voici les valeurs actuelles : "
                    "refaites vos choix puis enregistrez.",
                )
                context = _preferences_context(current, answer.etag)
                context.update(problem=problem, errors={})
                return render(request, "account/preferences.html", context, status_code=412)
    if not errors and problem is None:
        return redirect("/compte/preferences?enregistre=1", request=request)
    context = _form_values(form, _preferences_context(current, etag))
    context.update(problem=problem, errors=errors)
    return render(request, "account/preferences.html", context, status_code=status)


# -- the password ---------------------------------------------------------------------------------
@router.get("/compte/mot-de-passe", include_in_schema=False)
async def password(request: Request, person: MaybePersonDep) -> Response:
    """Change one's password (current one, new one twice); after it, sign in again."""
    if person is None:
        if request.query_params.get("change") == "1":
            return render(request, "account/password_changed.html")
        raise SignInRequired
    return render(request, "account/password.html", {"errors": {}})


@router.post("/compte/mot-de-passe", include_in_schema=False)
async def change_password(request: Request, api: ApiDep, _person: PersonDep) -> Response:
    """The API changes it and signs the person out everywhere: this session ends too."""
    form = await request.form()
    current = str(form.get("current_password") or "")
    new = str(form.get("new_password") or "")
    confirm = str(form.get("confirm_password") or "")
    errors: dict[str, str] = {}
    if not current:
        errors["current_password"] = "Saisissez votre mot de passe actuel."
    if len(new) < 12:
        errors["new_password"] = "Le nouveau mot de passe doit compter au moins 12 caractères."
    elif len(new) > 128:
        errors["new_password"] = "Le nouveau mot de passe doit compter au plus 128 caractères."
    elif new == current:
        errors["new_password"] = "Le nouveau mot de passe doit différer de l'actuel."
    if not errors.get("new_password") and confirm != new:
        errors["confirm_password"] = "La confirmation ne correspond pas au nouveau mot de passe."
    problem: ApiProblem | None = None
    if not errors:
        try:
            await api.post(
                "/v1/me/password",
                {"current_password": current, "new_password": new},
                idempotency_key=str(form.get("idempotency_key") or ""),
            )
        except ApiProblem as exc:
            if exc.status not in (400, 409, 422):
                raise
            problem = exc
            errors = exc.field_messages()
            if exc.code == "wrong-password" or (exc.status == 400 and not errors):
                problem = None
                errors = {"current_password": "Le mot de passe actuel est incorrect."}
        else:
            row = await session_row(request)
            if row is not None:
                await console_of(request).store.forget(row.id)
            response = redirect("/compte/mot-de-passe?change=1", request=request)
            response.delete_cookie(SESSION_COOKIE, path="/")
            return response
    return render(
        request,
        "account/password.html",
        {"errors": errors, "problem": problem},
        status_code=422,
    )
