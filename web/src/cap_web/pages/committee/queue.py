"""``/comite``: the committee's queue — the decision files to decide (pending, deferred), those
waiting for their audit report or held, and the latest decisions, with the appeals waiting."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.console import ApiDep
from cap_web.pages.committee.common import TO_DECIDE, Committee, page, structure_names

router = APIRouter()

#: The scheme filter's choices (the API's values).
SCHEMES = ("CAP_RSE", "CAP_ISO9001")


@router.get("/comite", include_in_schema=False)
async def queue_page(request: Request, api: ApiDep, _person: Committee) -> Response:
    """The decision files by what the committee has to do with them, oldest first to decide."""
    scheme = request.query_params.get("referentiel") or None
    if scheme not in SCHEMES:
        scheme = None
    files, names = await asyncio.gather(
        api.pages("/v1/decisions", most=1000, scheme=scheme), structure_names(api)
    )
    # The API lists newest first; the queue is worked oldest first.
    to_decide = [f for f in reversed(files) if f["status"] in TO_DECIDE]
    waiting = [f for f in files if f["status"] in ("awaiting_report", "held")]
    decided = [f for f in files if f["status"] in ("granted", "refused")][:20]
    appeals = [f for f in files if any(a["status"] == "lodged" for a in f.get("appeals") or [])]
    return page(
        request,
        "committee/queue.html",
        {
            "to_decide": to_decide,
            "waiting": waiting,
            "decided": decided,
            "appeals": appeals,
            "names": names,
            "scheme": scheme or "",
            "schemes": SCHEMES,
        },
    )
