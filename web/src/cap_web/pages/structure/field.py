"""Field mode: the theme pages keep working without network during a one-day session.

* ``/sw.js``: the service worker (``static/sw.js``, served from the root so that its scope is the
  whole console): it keeps the static files, the diagnostic's theme pages (and with them the
  referential: criteria, scales, descriptors) and an offline page ``/hors-ligne``.
* ``POST /diagnostics/{id}/synchro`` (the structure's theme pages) and ``POST
  /animation/diagnostics/{id}/synchro`` (the facilitator's session page): where
  ``static/field.js`` sends the answers kept in the browser (IndexedDB) when the network is back. The console sends them on with the existing
  batch upsert ``PUT /v1/diagnostics/{id}/answers`` (the answers' ids generated in the browser,
  an Idempotency-Key, the diagnostic's ETag in If-Match). Each answer carries the server
  version it was typed over (``base``): when the API now holds something else for that
  criterion, nothing is written for it and both versions go back to the page, where the person
  chooses (``resolve: "mine"`` sends again over the version they saw). Never overwritten
  silently.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.datastructures import FormData

from cap_web.api import Answer, Api, ApiProblem
from cap_web.console import ApiDep, render, require
from cap_web.pages.structure.common import (
    MEMBERS,
    DiagnosticId,
    clean,
    read_answers,
    read_diagnostic,
    read_referential,
    slug,
    theme_progress,
)
from cap_web.pages.structure.form import Value, map_api_errors, payload, read_form

router = APIRouter()
FACILITATORS = require("facilitator")

STATIC = Path(__file__).resolve().parents[2] / "static"
#: Answers of one synchronisation at most (the API takes 500 a batch).
MOST = 500
_ATTEMPTS = 3


@router.get("/sw.js", include_in_schema=False)
async def service_worker() -> Response:
    """The service worker, from the root so that it may keep the console's pages."""
    return FileResponse(
        STATIC / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/hors-ligne", include_in_schema=False)
async def offline_page(request: Request) -> Response:
    """What the service worker shows for a page it has not kept, without network."""
    return render(request, "structure/offline.html", {})


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse({"title": title, "detail": detail}, status_code=status)


def _typed(criterion: dict[str, Any], item: dict[str, Any], stored: Value) -> FormData:
    """One queued answer as the theme form would post it (read by the same checks); a form
    without evidence (the facilitator's) keeps the evidence stored."""
    key = slug(criterion["code"])
    evidence = item.get("evidence")
    return FormData(
        [
            (f"level-{key}", clean(str(item.get("choice") or ""))[:10]),
            (f"reason-{key}", str(item.get("reason") or "")[:4100]),
            (f"comment-{key}", str(item.get("comment") or "")[:8100]),
            (
                f"evidence-{key}",
                stored.evidence_text if evidence is None else str(evidence)[:40000],
            ),
        ]
    )


def _form_value(value: Value) -> dict[str, str]:
    """A version as the form's fields hold it (to put "theirs" back in the page)."""
    return {
        "choice": value.choice,
        "reason": value.reason,
        "comment": value.comment,
        "evidence": value.evidence_text,
    }


def _scale(criterion: dict[str, Any]) -> dict[int, str]:
    return {s["value"]: s["name"] for s in criterion.get("scale") or []}


class _Sync:
    """One synchronisation: the queued answers sorted into saved, conflicting and refused."""

    def __init__(self, criteria: dict[str, dict[str, Any]], items: list[dict[str, Any]]) -> None:
        self.criteria = criteria
        self.items = items
        self.saved: dict[str, dict[str, Any]] = {}
        self.conflicts: dict[str, dict[str, Any]] = {}
        self.errors: dict[str, dict[str, Any]] = {}
        self.mine: dict[str, Value] = {}

    def refuse(self, urn: str, message: str) -> None:
        code = self.criteria[urn]["code"] if urn in self.criteria else urn[-60:]
        self.errors[urn] = {"criterion": urn, "code": code, "message": message}

    def sort(self, answers: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """What to send now, against the answers the API holds."""
        to_send: list[dict[str, Any]] = []
        for item in self.items:
            urn = str(item.get("criterion") or "")
            if urn in self.saved or urn in self.errors or urn in self.conflicts:
                continue
            criterion = self.criteria.get(urn)
            if criterion is None:
                self.refuse(urn, "Ce critère n'existe pas dans le référentiel du diagnostic.")
                continue
            current = Value.of(answers.get(urn))
            values, problems = read_form(_typed(criterion, item, current), [criterion])
            if urn in problems:
                self.refuse(urn, problems[urn])
                continue
            mine = self.mine[urn] = values[urn]
            if current.signature() == mine.signature() or (mine.empty and urn not in answers):
                self._done(urn, answers.get(urn), current)
                continue
            base = item.get("base")
            over = item.get("over") if item.get("resolve") == "mine" else None
            seen = over if isinstance(over, str) else base
            if isinstance(seen, str) and seen != current.signature():
                scale = _scale(criterion)
                self.conflicts[urn] = {
                    "criterion": urn,
                    "code": criterion["code"],
                    "mine": mine.describe(scale),
                    "theirs": current.describe(scale),
                    "theirs_value": _form_value(current),
                    "base": current.signature(),
                    "by": (answers.get(urn) or {}).get("updated_by"),
                    "id": (answers.get(urn) or {}).get("id"),
                }
                continue
            to_send.append(item)
        return to_send

    def _done(self, urn: str, stored: dict[str, Any] | None, value: Value) -> None:
        self.saved[urn] = {
            "criterion": urn,
            "code": self.criteria[urn]["code"],
            "id": (stored or {}).get("id"),
            "base": value.signature(),
            "value": _form_value(value),
        }

    def written(self, stored: list[dict[str, Any]]) -> None:
        for answer in stored:
            self._done(answer["criterion"], answer, Value.of(answer))


def _item_id(item: dict[str, Any], stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """The answer's id: the stored one, else the one the browser generated (a UUID)."""
    if stored and stored.get("id"):
        return stored
    raw = str(item.get("id") or "")
    try:
        return {"id": str(uuid.UUID(raw))}
    except ValueError:
        return None


@router.post(
    "/diagnostics/{diagnostic_id}/synchro",
    include_in_schema=False,
    dependencies=[MEMBERS],
)
async def synchronise(request: Request, api: ApiDep, diagnostic_id: DiagnosticId) -> Response:
    """Send the answers typed without network; answer what is saved, in conflict, refused."""
    return await _synchronise(request, api, diagnostic_id)


@router.post(
    "/animation/diagnostics/{diagnostic_id}/synchro",
    include_in_schema=False,
    dependencies=[FACILITATORS],
)
async def synchronise_session(
    request: Request, api: ApiDep, diagnostic_id: DiagnosticId
) -> Response:
    """The same for the facilitator running an accompanied diagnostic's session."""
    return await _synchronise(request, api, diagnostic_id)


async def _synchronise(request: Request, api: Api, diagnostic_id: str) -> Response:
    try:
        body = json.loads(await request.body())
    except ValueError:
        return _problem(400, "Requête illisible", "Le navigateur a envoyé des données illisibles.")
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return _problem(400, "Requête illisible", "Aucune réponse à envoyer.")
    if len(items) > MOST:
        return _problem(413, "Trop de réponses", f"{MOST} réponses au plus par envoi.")
    key = clean(str(body.get("key") or ""))[:100] or str(uuid.uuid4())
    diagnostic, etag = await read_diagnostic(api, diagnostic_id)
    read_etag = etag
    referential = await read_referential(api, diagnostic)
    criteria = {c["urn"]: c for t in referential.get("themes", []) for c in t.get("criteria", [])}
    sync = _Sync(criteria, items)
    answers: dict[str, dict[str, Any]] = {}
    for _ in range(_ATTEMPTS):
        answers = await read_answers(api, diagnostic_id)
        to_send = sync.sort(answers)
        if not to_send:
            break
        urns = [str(i["criterion"]) for i in to_send]
        batch = []
        for item, urn in zip(to_send, urns, strict=True):
            batch.append(
                payload(diagnostic_id, urn, sync.mine[urn], _item_id(item, answers.get(urn)))
            )
        sent = json.dumps(batch, sort_keys=True)
        idem = str(uuid.uuid5(uuid.NAMESPACE_URL, f"cap-field:{key}:{etag}:{sent}"))
        try:
            written: Answer = await api.call(
                "PUT",
                f"/v1/diagnostics/{diagnostic_id}/answers",
                json={"answers": batch},
                if_match=etag,
                headers={"idempotency-key": idem},
            )
        except ApiProblem as problem:
            if problem.status == 412:  # someone saved meanwhile: read again, compare again
                _, etag = await read_diagnostic(api, diagnostic_id)
                continue
            if problem.status in (400, 422):
                refused = map_api_errors(problem, urns)
                for urn in refused or urns:  # the batch is all or nothing: send the rest again
                    sync.refuse(urn, refused.get(urn) or problem.detail or problem.title)
                continue
            if problem.status == 409:
                return _problem(409, problem.title, problem.detail)
            raise
        etag = written.etag
        sync.written((written.body or {}).get("answers", []))
        for answer in (written.body or {}).get("answers", []):
            answers[answer["criterion"]] = answer
        break
    progress = {t["code"]: t for t in theme_progress(referential, answers)}
    return JSONResponse(
        {
            "etag": etag or "",
            "read_etag": read_etag or "",
            "saved": list(sync.saved.values()),
            "conflicts": list(sync.conflicts.values()),
            "errors": list(sync.errors.values()),
            "progress": progress,
        }
    )
