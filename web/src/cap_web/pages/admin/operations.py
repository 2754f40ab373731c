"""``/admin/exploitation``: operations, per service — the messages in failure (dead letters)
and their replay, the periodic jobs with "run now", the outbox (events waiting to be
published).

Every figure is the service's own operator route (``/v1/ops/<service>/...``); a service that
does not answer is shown as unavailable, the others still are.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect, render
from cap_web.pages.admin.common import Admin
from cap_web.pages.progress.common import FormText, known_ids

router = APIRouter(dependencies=[Depends(known_ids)])

#: The services with operator routes, in the order shown, and what each does.
SERVICES = {
    "gateway": ("Passerelle", "comptes, organisations, connexion, clients d'API"),
    "diagnostic": ("Diagnostic", "référentiels, diagnostics, plans de progrès"),
    "audit": ("Audit", "programmes d'audit, audits, constats"),
    "labelling": ("Labellisation", "candidatures, décisions, reconnaissances, registre"),
    "notifications": ("Notifications", "fil, courriels, webhooks"),
}
DONE = {"rejeu": "Le message a été renvoyé dans la file du service : il va être traité."}
#: Dead letters shown per page.
PAGE = 50


def duration_fr(seconds: object) -> str:
    """``2 h 05 min``, ``45 s``, ``3 j 4 h``: a duration in seconds, said shortly."""
    try:
        total = int(float(str(seconds)))
    except ValueError:
        return "—"
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} j {hours} h" if hours else f"{days} j"
    if hours:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"
    return f"{secs} s"


def service_of(service: str) -> str:
    """The service named in the address, or the French 404."""
    if service not in SERVICES:
        raise ApiProblem(404, "Service inconnu", "Cette adresse ne désigne aucun service.")
    return service


async def outcome(call: Any) -> Any:
    """What an operator route answered, or the problem (shown for that service alone)."""
    try:
        return await call
    except ApiProblem as exc:
        if exc.status < 500:
            raise
        return exc


async def overview_of(api: Api, service: str) -> dict[str, Any]:
    """One service's figures: its outbox, its dead letters waiting, its jobs."""
    outbox, letters, jobs = await asyncio.gather(
        outcome(api.get(f"/v1/ops/{service}/outbox")),
        outcome(api.get(f"/v1/ops/{service}/dead-letters", limit=1)),
        outcome(api.pages(f"/v1/ops/{service}/jobs", most=200)),
    )
    failed = next((x for x in (outbox, letters, jobs) if isinstance(x, ApiProblem)), None)
    return {
        "service": service,
        "name": SERVICES[service][0],
        "what": SERVICES[service][1],
        "problem": failed,
        "outbox": None if isinstance(outbox, ApiProblem) else outbox,
        "dead_letters": None if isinstance(letters, ApiProblem) else letters["total"],
        "jobs": None if isinstance(jobs, ApiProblem) else len(jobs),
    }


@router.get("/admin/exploitation", include_in_schema=False)
async def operations_page(request: Request, api: ApiDep, _person: Admin) -> Response:
    """Every service at a glance: messages in failure, outbox, jobs."""
    services = await asyncio.gather(*(overview_of(api, s) for s in SERVICES))
    return render(request, "admin/operations.html", {"services": services, "duration": duration_fr})


async def service_context(
    api: Api, service: str, *, everything: bool, cursor: str | None
) -> dict[str, Any]:
    """A service's dead letters (a page), jobs and outbox."""
    letters, jobs, outbox = await asyncio.gather(
        api.get(
            f"/v1/ops/{service}/dead-letters",
            limit=PAGE,
            cursor=cursor,
            include_replayed="true" if everything else None,
        ),
        api.pages(f"/v1/ops/{service}/jobs", most=200),
        api.get(f"/v1/ops/{service}/outbox"),
    )
    return {
        "service": service,
        "name": SERVICES[service][0],
        "what": SERVICES[service][1],
        "letters": letters["data"],
        "total": letters["total"],
        "next_cursor": letters.get("next_cursor"),
        "everything": everything,
        "jobs": jobs,
        "outbox": outbox,
        "duration": duration_fr,
    }


def show_service(request: Request, context: dict[str, Any], **kwargs: Any) -> Response:
    """A service's operations page."""
    return render(request, "admin/operations_service.html", context, **kwargs)


@router.get("/admin/exploitation/{service}", include_in_schema=False)
async def service_page(request: Request, service: str, api: ApiDep, _person: Admin) -> Response:
    """One service: its dead letters (replay), its jobs (run now), its outbox."""
    everything = request.query_params.get("tous") == "1"
    cursor = request.query_params.get("suite") or None
    context = await service_context(api, service_of(service), everything=everything, cursor=cursor)
    done = DONE.get(request.query_params.get("fait") or "")
    return show_service(request, {**context, "done": done})


@router.get("/admin/exploitation/{service}/messages/{dead_letter_id}", include_in_schema=False)
async def dead_letter_page(
    request: Request, service: str, dead_letter_id: str, api: ApiDep, _person: Admin
) -> Response:
    """One dead letter: why it failed, its headers and its body."""
    letter = await api.get(f"/v1/ops/{service_of(service)}/dead-letters/{dead_letter_id}")
    body = letter.get("body") or ""
    if letter.get("body_encoding") != "base64":
        # Shown as it came when it is not JSON: a malformed body is often why it failed.
        with contextlib.suppress(ValueError):
            body = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    return render(
        request,
        "admin/dead_letter.html",
        {
            "service": service,
            "name": SERVICES[service][0],
            "letter": letter,
            "body": body,
            "headers": json.dumps(letter.get("headers") or {}, indent=2, ensure_ascii=False),
        },
    )


@router.post(
    "/admin/exploitation/{service}/messages/{dead_letter_id}/rejeu", include_in_schema=False
)
async def replay_dead_letter(
    request: Request,
    service: str,
    dead_letter_id: str,
    api: ApiDep,
    _person: Admin,
    idempotency_key: FormText = "",
) -> Response:
    """Send the message back to the service's queue (once its cause is fixed)."""
    service = service_of(service)
    try:
        await api.post(
            f"/v1/ops/{service}/dead-letters/{dead_letter_id}/replay",
            idempotency_key=idempotency_key or None,
        )
    except ApiProblem as exc:
        if exc.status != 409:
            raise
        context = await service_context(api, service, everything=False, cursor=None)
        return show_service(request, {**context, "problem": exc}, status_code=409)
    return redirect(f"/admin/exploitation/{service}?fait=rejeu", request=request)


@router.post("/admin/exploitation/{service}/taches/{job}/execution", include_in_schema=False)
async def run_job(
    request: Request,
    service: str,
    job: str,
    api: ApiDep,
    _person: Admin,
    idempotency_key: FormText = "",
) -> Response:
    """Run a job once now (it waits for a run in progress); what it did is shown."""
    service = service_of(service)
    answer = await api.post(
        f"/v1/ops/{service}/jobs/{job}/runs", idempotency_key=idempotency_key or None
    )
    context = await service_context(api, service, everything=False, cursor=None)
    return show_service(request, {**context, "run": answer.body})
