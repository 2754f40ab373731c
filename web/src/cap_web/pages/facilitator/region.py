"""``/animation``: the structures of the facilitator's region, filtered and sorted, and their
export.

The list is built from four list calls made concurrently (organisations, diagnostics, progress
plans, recognitions), never one call per structure.
"""

from __future__ import annotations

import asyncio
import unicodedata
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_shared import clock
from cap_web.api import Api
from cap_web.console import ApiDep, render
from cap_web.pages.facilitator.common import (
    BANDS,
    KIND_FR,
    MOST,
    SCHEME_FR,
    SIAE_TYPES,
    SORTS,
    STATUS_FR,
    Facilitator,
    clean,
)
from cap_web.pages.facilitator.exports import XLSX, csv_bytes, download, xlsx_bytes

router = APIRouter()


async def region_lists(api: Api) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """Organisations, diagnostics, plans and recognitions the facilitator may see, concurrently."""
    organisations, diagnostics, plans, recognitions = await asyncio.gather(
        api.pages("/v1/organisations", limit=200, most=MOST),
        api.pages("/v1/diagnostics", limit=200, most=MOST),
        api.pages("/v1/progress-plans", limit=200, most=MOST),
        api.pages("/v1/recognitions", limit=200, most=MOST),
    )
    return organisations, diagnostics, plans, recognitions


def structure_rows(
    organisations: list[Any], diagnostics: list[Any], plans: list[Any], recognitions: list[Any]
) -> list[dict[str, Any]]:
    """One row per structure: its latest diagnostic, its band, its labels, its overdue actions."""
    latest: dict[str, Any] = {}
    scored: dict[str, Any] = {}  # the latest with a score (a new session has none yet)
    for d in diagnostics:  # newest first: the first one seen is the latest
        if d.get("kind") != "audit_evaluation":
            latest.setdefault(d["organisation_id"], d)
            if d.get("overall_score") is not None:
                scored.setdefault(d["organisation_id"], d)
    overdue = {p["organisation_id"]: int(p.get("overdue") or 0) for p in plans}
    labels: dict[str, list[Any]] = {}
    for r in recognitions:
        if r.get("status") in ("active", "suspended"):
            labels.setdefault(r["organisation_id"], []).append(r)
    rows = []
    for o in organisations:
        d, rated = latest.get(o["id"]), scored.get(o["id"])
        rows.append(
            {
                "organisation": o,
                "diagnostic": d,
                "rated": rated,
                "score": rated.get("overall_score") if rated else None,
                "band": rated.get("overall_band") if rated else None,
                "labels": labels.get(o["id"], []),
                "overdue": overdue.get(o["id"]),
                "has_plan": o["id"] in overdue,
            }
        )
    return rows


def sort_key(text: str) -> str:
    """``text`` for an alphabetical sort in French (accents ignored)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in plain if not unicodedata.combining(c))


def filter_rows(
    rows: list[dict[str, Any]], *, q: str, siae_type: str, band: str, sort: str
) -> list[dict[str, Any]]:
    """The rows matching the filters, in the order asked."""
    needle = q.casefold()
    out = [
        r
        for r in rows
        if (not needle or needle in r["organisation"]["name"].casefold())
        and (not siae_type or siae_type in r["organisation"].get("siae_types", []))
        and (not band or (band == "aucun" and r["diagnostic"] is None) or (r["band"] == band))
    ]
    if sort == "score":
        out.sort(key=lambda r: (r["score"] is None, r["score"] or 0))
    elif sort == "retard":
        out.sort(key=lambda r: -(r["overdue"] or 0))
    elif sort == "diagnostic":
        out.sort(key=lambda r: (r["diagnostic"] or {}).get("created_at") or "")
    else:
        out.sort(key=lambda r: sort_key(r["organisation"]["name"]))
    return out


def _filters(request: Request) -> dict[str, str]:
    query = request.query_params
    sort = query.get("tri", "nom")
    siae_type = query.get("type", "")
    return {
        "q": clean(query.get("q"), 100),
        "siae_type": siae_type if siae_type in SIAE_TYPES else "",
        "band": clean(query.get("bande"), 40),
        "sort": sort if sort in SORTS else "nom",
    }


@router.get("/animation", include_in_schema=False)
async def structures(request: Request, api: ApiDep, person: Facilitator) -> Response:
    """The structures of the facilitator's region, filtered and sorted."""
    filters = _filters(request)
    rows = structure_rows(*await region_lists(api))
    shown = filter_rows(rows, **filters)
    bands = [b for b in BANDS if any(r["band"] == b for r in rows)]
    return render(
        request,
        "facilitator/structures.html",
        {
            "rows": shown,
            "total": len(rows),
            "filters": filters,
            "query": str(request.url.query),
            "bands": bands,
            "sorts": SORTS,
            "siae_types": SIAE_TYPES,
            "status_fr": STATUS_FR,
            "scheme_fr": SCHEME_FR,
            "regions": person.scopes("facilitator", "region"),
        },
    )


STRUCTURE_COLUMNS = [
    "Structure",
    "SIRET",
    "Types de SIAE",
    "Région",
    "Dernier diagnostic",
    "Statut",
    "Date",
    "Score (sur 1000)",
    "Niveau",
    "Labels et certifications",
    "Actions en retard",
]


def structure_table(rows: list[dict[str, Any]]) -> list[list[Any]]:
    """The rows as the exports write them, in the order of :data:`STRUCTURE_COLUMNS`."""
    table = []
    for r in rows:
        o, d = r["organisation"], r["diagnostic"]
        table.append(
            [
                o["name"],
                o.get("siret", ""),
                ", ".join(o.get("siae_types", [])),
                o.get("region_name", o.get("region", "")),
                KIND_FR.get(d["kind"], d["kind"]) if d else "",
                STATUS_FR.get(d["status"], d["status"]) if d else "",
                ((d.get("completed_at") or d.get("session_date") or d["created_at"]) or "")[:10]
                if d
                else "",
                r["score"] if r["score"] is not None else "",
                r["band"] or "",
                ", ".join(
                    SCHEME_FR.get(x["scheme"], x["scheme"])
                    + (f" ({x['level']})" if x.get("level") else "")
                    for x in r["labels"]
                ),
                r["overdue"] if r["overdue"] is not None else "",
            ]
        )
    return table


@router.get("/animation/export.{extension}", include_in_schema=False)
async def structures_export(
    extension: str, request: Request, api: ApiDep, _person: Facilitator
) -> Response:
    """The list of structures as shown (same filters), as CSV or XLSX."""
    if extension not in ("csv", "xlsx"):
        return render(
            request,
            "error.html",
            {"title": "Format inconnu", "detail": "Les exports existent en CSV et en XLSX."},
            status_code=404,
        )
    rows = filter_rows(structure_rows(*await region_lists(api)), **_filters(request))
    table = structure_table(rows)
    stamp = clock.today().isoformat()
    if extension == "csv":
        return download(
            csv_bytes(STRUCTURE_COLUMNS, table),
            f"structures-{stamp}.csv",
            "text/csv; charset=utf-8",
        )
    return download(
        xlsx_bytes([("Structures", STRUCTURE_COLUMNS, table)]), f"structures-{stamp}.xlsx", XLSX
    )
