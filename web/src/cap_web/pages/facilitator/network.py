"""``/reseau``: the network of the facilitator's region in charts (with tables for screen
readers), and its figures as CSV or XLSX."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cap_shared import clock
from cap_web.api import Api, ApiProblem
from cap_web.console import ApiDep, render
from cap_web.pages.facilitator.common import (
    BAND_COLOURS,
    BANDS,
    MATURITY_KIND_FR,
    MOST,
    SCHEME_FR,
    SIAE_TYPES,
    Facilitator,
)
from cap_web.pages.facilitator.exports import XLSX, csv_bytes, download, xlsx_bytes
from cap_web.pages.facilitator.region import (
    STRUCTURE_COLUMNS,
    filter_rows,
    region_lists,
    structure_rows,
    structure_table,
)

router = APIRouter()

#: Room for the labels left of the bars (SVG user units, 13 px text).
CHART_LABEL_WIDTH = 230


def bar_geometry(
    items: list[tuple[str, float | None]], *, width: int = 640, row: int = 28
) -> dict[str, Any]:
    """Horizontal bars for an SVG chart: label, value, bar length (None: hidden value)."""
    label_w = CHART_LABEL_WIDTH
    top = max((v for _, v in items if v is not None), default=0) or 1
    span = width - label_w - 90
    bars = []
    for i, (label, value) in enumerate(items):
        length = 0 if value is None else round(span * value / top, 1)
        bars.append({"label": label, "value": value, "y": i * row, "length": length, "x": label_w})
    return {"bars": bars, "width": width, "height": max(len(items), 1) * row, "row": row}


def stacked_geometry(
    groups: list[dict[str, Any]], bands: list[str], *, width: int = 640, row: int = 30
) -> dict[str, Any]:
    """Stacked horizontal bars (one per theme): the share of structures in each band."""
    label_w = CHART_LABEL_WIDTH
    span = width - label_w - 10
    rows = []
    for i, group in enumerate(groups):
        segments = []
        x = float(label_w)
        total = sum(group["bands"].get(b, 0) for b in bands) or 1
        for j, band in enumerate(bands):
            count = group["bands"].get(band, 0)
            length = round(span * count / total, 1)
            if count:
                segments.append(
                    {
                        "band": band,
                        "count": count,
                        "x": round(x, 1),
                        "length": length,
                        "colour": BAND_COLOURS[j % len(BAND_COLOURS)],
                    }
                )
            x += length
        rows.append({"label": group["label"], "y": i * row, "segments": segments})
    return {
        "rows": rows,
        "width": width,
        "height": max(len(groups), 1) * row,
        "row": row,
        "label_x": label_w - 8,
    }


async def _nothing() -> list[Any]:
    return []


async def _network(api: Api, referential: str, siae_type: str) -> dict[str, Any]:
    stats, referentials, recognitions, organisations = await asyncio.gather(
        api.get("/v1/statistics/network", referential=referential, siae_type=siae_type or None),
        api.pages("/v1/referentials", limit=200, most=500),
        api.pages("/v1/recognitions", limit=200, most=MOST),
        api.pages("/v1/organisations", limit=200, most=MOST) if siae_type else _nothing(),
    )
    if siae_type:  # the labels of the structures of that type only
        of_type = {o["id"] for o in organisations if siae_type in o.get("siae_types", [])}
        recognitions = [r for r in recognitions if r["organisation_id"] in of_type]
    versions = [r for r in referentials if r.get("code") == referential]
    ref_doc: dict[str, Any] = {}
    if versions:
        latest = max(versions, key=lambda r: int(r.get("version", 0)))
        try:
            ref_doc = await api.get(f"/v1/referentials/{referential}/versions/{latest['version']}")
        except ApiProblem:
            ref_doc = {}
    theme_names = {t["code"]: t.get("name") or t["code"] for t in ref_doc.get("themes", [])}
    bands = [b["name"] for b in ref_doc.get("bands", [])] or list(BANDS)
    maturity = stats.get("maturity")
    maturity_suppressed = isinstance(maturity, dict) and maturity.get("suppressed")
    groups, hidden_groups = [], []
    for m in maturity if isinstance(maturity, list) else []:
        label = (
            theme_names.get(m["code"], m["code"])
            if m.get("group") == "theme"
            else MATURITY_KIND_FR.get(m["code"], m["code"])
        )
        if m.get("group") == "theme":
            label = f"{m['code']} — {label}" if label != m["code"] else label
        if m.get("suppressed"):
            hidden_groups.append(label)
        else:
            groups.append({**m, "label": label})
    totals = stats.get("totals") or {}
    cells = stats.get("by_region_and_type") or []
    shown_cells = [c for c in cells if not c.get("suppressed")]
    hidden_cells = [c for c in cells if c.get("suppressed")]
    organisations_in_scope = {
        r["organisation_id"] for r in recognitions if r.get("status") == "active"
    }
    labels: dict[str, int] = {}
    for r in recognitions:
        if r.get("status") != "active":
            continue
        name = SCHEME_FR.get(r["scheme"], r["scheme"]) + (
            f" — {r['level']}" if r.get("level") else ""
        )
        labels[name] = labels.get(name, 0) + 1
    trend = stats.get("trend") or []
    return {
        "stats": stats,
        "referentials": sorted({r["code"] for r in referentials}),
        "totals": totals if not totals.get("suppressed") else None,
        "totals_suppressed": bool(totals.get("suppressed")),
        "bands": bands,
        "band_colours": dict(zip(bands, BAND_COLOURS, strict=False)),
        "maturity_groups": groups,
        "maturity_chart": stacked_geometry(groups, bands),
        "maturity_suppressed": bool(maturity_suppressed),
        "hidden_groups": hidden_groups,
        "cells": shown_cells,
        "hidden_cells": hidden_cells,
        "cells_chart": bar_geometry(
            [(f"{c.get('siae_type') or 'Tous'}", c["structures"]) for c in shown_cells]
        ),
        "labels": sorted(labels.items()),
        "labels_chart": bar_geometry(sorted(labels.items())),
        "labelled_structures": len(organisations_in_scope),
        "trend": trend,
        "trend_chart": bar_geometry(
            [(q["quarter"], q.get("average_score")) for q in trend if not q.get("suppressed")]
        ),
        "hidden_quarters": [q["quarter"] for q in trend if q.get("suppressed")],
        "min_group": stats.get("min_group", 5),
    }


def _network_params(request: Request) -> tuple[str, str]:
    referential = request.query_params.get("referentiel", "CAP")
    if not re.fullmatch(r"[A-Z0-9_]{1,40}", referential):
        referential = "CAP"
    siae_type = request.query_params.get("type", "")
    return referential, siae_type if siae_type in SIAE_TYPES else ""


@router.get("/reseau", include_in_schema=False)
async def network(request: Request, api: ApiDep, _person: Facilitator) -> Response:
    """The network of the facilitator's region in charts, with tables for screen readers."""
    referential, siae_type = _network_params(request)
    context = await _network(api, referential, siae_type)
    return render(
        request,
        "facilitator/network.html",
        {
            **context,
            "referential": referential,
            "siae_type": siae_type,
            "siae_types": SIAE_TYPES,
            "query": str(request.url.query),
        },
    )


NETWORK_COLUMNS = ["Rubrique", "Groupe", "Élément", "Valeur"]


def network_table(context: Mapping[str, Any]) -> list[list[Any]]:
    """The network figures as rows (what the charts show; hidden groups said so)."""
    rows: list[list[Any]] = []
    hidden = f"masqué (moins de {context['min_group']} structures)"
    totals = context["totals"]
    if totals is None:
        rows.append(["Ensemble", "", "Chiffres", hidden])
    else:
        for key, label in (
            ("structures", "Structures"),
            ("diagnosed", "Structures diagnostiquées"),
            ("labelled", "Structures labellisées CAP RSE"),
            ("certified", "Structures certifiées CAP ISO 9001"),
            ("overall_median", "Score médian (sur 1000)"),
        ):
            rows.append(["Ensemble", "", label, totals.get(key)])
    for cell in context["cells"]:
        for key, label in (
            ("structures", "Structures"),
            ("diagnosed", "Diagnostiquées"),
            ("labelled", "Labellisées"),
            ("certified", "Certifiées"),
        ):
            rows.append(
                [
                    "Par type de SIAE",
                    f"{cell.get('region') or ''} {cell.get('siae_type') or 'Tous'}".strip(),
                    label,
                    cell.get(key),
                ]
            )
    for cell in context["hidden_cells"]:
        rows.append(
            [
                "Par type de SIAE",
                f"{cell.get('region') or ''} {cell.get('siae_type') or 'Tous'}".strip(),
                "Chiffres",
                hidden,
            ]
        )
    if context["maturity_suppressed"]:
        rows.append(["Maturité", "", "Niveaux", hidden])
    for group in context["maturity_groups"]:
        for band in context["bands"]:
            rows.append(["Maturité (structures par niveau)", group["label"], band,
                         group["bands"].get(band, 0)])  # fmt: skip
    for label in context["hidden_groups"]:
        rows.append(["Maturité (structures par niveau)", label, "Niveaux", hidden])
    for name, count in context["labels"]:
        rows.append(["Labels et certifications en cours", "", name, count])
    for quarter in context["trend"]:
        if quarter.get("suppressed"):
            rows.append(["Tendance", quarter["quarter"], "Score moyen", hidden])
        else:
            rows.append(["Tendance", quarter["quarter"], "Diagnostics", quarter["diagnostics"]])
            rows.append(["Tendance", quarter["quarter"], "Score moyen", quarter["average_score"]])
    return rows


@router.get("/reseau/export.{extension}", include_in_schema=False)
async def network_export(
    extension: str, request: Request, api: ApiDep, _person: Facilitator
) -> Response:
    """The network figures (and, in the workbook, the region's structures) as CSV or XLSX."""
    if extension not in ("csv", "xlsx"):
        return render(
            request,
            "error.html",
            {"title": "Format inconnu", "detail": "Les exports existent en CSV et en XLSX."},
            status_code=404,
        )
    referential, siae_type = _network_params(request)
    stamp = clock.today().isoformat()
    if extension == "csv":
        context = await _network(api, referential, siae_type)
        return download(
            csv_bytes(NETWORK_COLUMNS, network_table(context)),
            f"reseau-{referential.lower()}-{stamp}.csv",
            "text/csv; charset=utf-8",
        )
    context, lists = await asyncio.gather(_network(api, referential, siae_type), region_lists(api))
    structures_table = structure_table(filter_rows(
        structure_rows(*lists), q="", siae_type=siae_type, band="", sort="nom"
    ))  # fmt: skip
    return download(
        xlsx_bytes(
            [
                ("Chiffres du réseau", NETWORK_COLUMNS, network_table(context)),
                ("Structures", STRUCTURE_COLUMNS, structures_table),
            ]
        ),
        f"reseau-{referential.lower()}-{stamp}.xlsx",
        XLSX,
    )
