"""``/auditeur/audits``: the auditor's audits, grouped by status (what needs work first) and,
in each group, by date."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.console import ApiDep
from cap_web.pages.auditor.common import STATUS_ORDER, Auditor, page

router = APIRouter()


def when(audit: dict[str, Any]) -> str:
    """The date an audit is sorted by: its first day, else the date it is due by."""
    return str(audit.get("start_date") or audit.get("due_by") or audit.get("requested_at") or "")


def by_status(audits: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The audits grouped by status, in :data:`STATUS_ORDER`, each group by date."""
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    known = [*STATUS_ORDER, *sorted({a["status"] for a in audits} - set(STATUS_ORDER))]
    for status in known:
        mine = sorted((a for a in audits if a["status"] == status), key=when)
        if mine:
            groups.append((status, mine))
    return groups


def names_of(*audits: dict[str, Any]) -> dict[str, str]:
    """The audited structures' and sites' names, as the audits give them (else ids are shown)."""
    names: dict[str, str] = {}
    for audit in audits:
        names |= audit.get("organisation_names") or {}
    return names


@router.get("/auditeur/audits", include_in_schema=False)
async def audits_page(request: Request, api: ApiDep, _person: Auditor) -> Response:
    """The audits the API assigns to the auditor, by status then date."""
    audits = await api.pages("/v1/audits", most=500)
    names = names_of(*audits)
    return page(
        request,
        "auditor/audits.html",
        {"groups": by_status(audits), "names": names, "count": len(audits)},
    )
