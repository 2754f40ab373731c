"""``/auditeur/audits/{id}/grille``: the on-site checklist. Every criterion of the audit's
referential (the latest version of the scheme's), theme by theme, with the clauses it maps
to, the findings already recorded on it and — for a CAP RSE audit — the maturity evaluated,
per site of a group (``?site=``), saved with ``PUT /v1/audits/{id}/maturity`` and the audit's
ETag."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, redirect
from cap_web.pages.auditor.audit import MODIFIED
from cap_web.pages.auditor.audits import names_of
from cap_web.pages.auditor.common import Auditor, clean, page, read_audit

router = APIRouter()

#: The most criteria one save sends (the API's own limit).
BATCH = 200
#: Referential versions read, by (code, version): a version is immutable once imported (the
#: diagnostic service caches them too), so the checklist reads each once per process. Which
#: versions exist is still asked with the person's token on every page.
_VERSIONS: dict[tuple[str, int], dict[str, Any]] = {}
_VERSIONS_KEPT = 8


async def referential_of(
    api: Api, versions: list[dict[str, Any]], scheme: str
) -> dict[str, Any] | None:
    """The latest version of the scheme's referential (published first), with its criteria."""
    mine = [r for r in versions if r["code"] == scheme]
    if not mine:
        return None
    best = max(mine, key=lambda r: (r.get("status") == "published", int(r["version"])))
    key = (str(best["code"]), int(best["version"]))
    if key not in _VERSIONS:
        if len(_VERSIONS) >= _VERSIONS_KEPT:
            _VERSIONS.pop(next(iter(_VERSIONS)))
        _VERSIONS[key] = await api.get(f"/v1/referentials/{key[0]}/versions/{key[1]}")
    return _VERSIONS[key]


def clauses_of(criterion: dict[str, Any]) -> list[str]:
    """The ISO 9001 clauses a criterion maps to."""
    return [
        str(m.get("ref"))
        for m in criterion.get("mappings") or []
        if m.get("framework") == "iso9001" and m.get("ref")
    ]


def covers(clause: str, found: str | None) -> bool:
    """Whether a finding's clause is ``clause`` or one of its sub-clauses (7.1.5 under 7.1)."""
    return bool(found) and (found == clause or str(found).startswith(f"{clause}."))


def site_choice(audit: dict[str, Any], wanted: str) -> str:
    """The member site shown: one of the audit's sites, else the structure itself ("")."""
    others = [s for s in audit.get("site_ids") or [] if s != audit["organisation_id"]]
    return wanted if wanted in others else ""


async def context_of(api: Api, audit_id: str, site: str) -> dict[str, Any]:
    """The audit, its ETag, findings, referential and the maturity evaluated at ``site``."""
    # One round of calls, then the referential's version (the audit names its scheme).
    (audit, etag), findings, maturity, versions = await asyncio.gather(
        read_audit(api, audit_id),
        api.pages(f"/v1/audits/{audit_id}/findings", most=500),
        api.get(f"/v1/audits/{audit_id}/maturity"),
        api.pages("/v1/referentials", most=500),
    )
    site = site_choice(audit, site)
    referential = await referential_of(api, versions, audit["scheme"])
    names = names_of(audit)
    evaluated = {
        m["criterion_urn"]: m for m in maturity["levels"] if (m.get("site_id") or "") == site
    }
    here = [f for f in findings if (f.get("site_id") or "") == site]

    def findings_for(criterion: dict[str, Any]) -> list[dict[str, Any]]:
        """The findings recorded on a criterion, or on a clause (or sub-clause) it maps to."""
        clauses = clauses_of(criterion)
        return [
            f
            for f in here
            if f.get("criterion_urn") == criterion["urn"]
            or any(covers(c, f.get("clause")) for c in clauses)
        ]

    return {
        "audit": audit,
        "etag": etag,
        "referential": referential,
        "evaluated": evaluated,
        "findings_for": findings_for,
        "site": site,
        "sites": [s for s in audit.get("site_ids") or [] if s != audit["organisation_id"]],
        "names": names,
        "clauses_of": clauses_of,
        "editable": audit["scheme"] == "CAP_RSE" and audit["status"] == "in_progress",
    }


@router.get("/auditeur/audits/{audit_id}/grille", include_in_schema=False)
async def checklist_page(
    request: Request, audit_id: str, api: ApiDep, _person: Auditor
) -> Response:
    """The checklist of one site (the structure itself unless ``?site=`` names a member)."""
    context = await context_of(api, audit_id, request.query_params.get("site", ""))
    saved = request.query_params.get("enregistre")
    return page(
        request,
        "auditor/checklist.html",
        {
            **context,
            "saved": saved,
            "saved_drafts": f"grille-{audit_id}-{context['site']}" if saved else "",
        },
    )


def levels_typed(data: Any, site: str) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The evaluations the form holds (a level chosen, or not applicable), and each row typed."""
    levels: list[dict[str, Any]] = []
    typed: dict[str, dict[str, Any]] = {}
    count = str(data.get("count", "0"))
    for i in range(min(int(count), 1000) if count.isdigit() else 0):
        urn = clean(str(data.get(f"urn_{i}", "")))
        level = str(data.get(f"level_{i}", ""))
        not_applicable = data.get(f"na_{i}") == "1"
        comment = clean(str(data.get(f"comment_{i}", "")))
        if not urn:
            continue
        typed[urn] = {"level": level, "not_applicable": not_applicable, "comment": comment}
        if not level.isdigit() and not not_applicable:
            continue
        levels.append(
            {
                "criterion_urn": urn,
                "level": int(level) if level.isdigit() else 0,
                "not_applicable": not_applicable,
                "site_id": site or None,
                "comment": comment or None,
            }
        )
    return levels, typed


@router.post("/auditeur/audits/{audit_id}/grille", include_in_schema=False)
async def save_checklist(
    request: Request, audit_id: str, api: ApiDep, _person: Auditor
) -> Response:
    """Save the levels chosen on the checklist, with the audit's ETag as it was read."""
    data = await request.form()
    site = clean(str(data.get("site", "")))
    levels, typed = levels_typed(data, site)
    problem: ApiProblem | None = None
    if not levels:
        problem = ApiProblem(
            422,
            "Rien à enregistrer",
            "Choisissez un niveau (ou « non applicable ») pour au moins un critère.",
        )
    else:
        etag = str(data.get("etag") or "") or None
        try:
            for start in range(0, len(levels), BATCH):
                answer = await api.put(
                    f"/v1/audits/{audit_id}/maturity",
                    {"levels": levels[start : start + BATCH]},
                    if_match=etag,
                )
                etag = answer.etag or etag
        except ApiProblem as exc:
            if exc.status not in (409, 412, 422, 428):
                raise
            problem = exc
    if problem is None:
        query = f"?site={quote(site)}&enregistre=1" if site else "?enregistre=1"
        return redirect(f"/auditeur/audits/{audit_id}/grille{query}", request=request)
    stale = problem.status in (412, 428)
    context = await context_of(api, audit_id, site)
    return page(
        request,
        "auditor/checklist.html",
        {
            **context,
            "typed": {} if stale else typed,
            "problem": None if stale else problem,
            "stale": MODIFIED if stale else None,
        },
        status_code=problem.status,
    )
