"""The recognitions the structures already hold, imported as the federation would (the admin
CSV import), and the newest of each scheme kept for the links of the summary."""

from __future__ import annotations

import csv
import io
from typing import Any

from cap_standalone.demo import network
from cap_standalone.demo.client import DemoError, poll
from cap_standalone.demo.run import DemoRun


async def import_recognitions(demo: DemoRun) -> None:
    """The labels and certificates structures already hold, by the admin CSV import."""
    held = {
        (r["organisation_id"], r["scheme"])
        for r in await demo.api.pages(demo.admin, "/v1/recognitions")
    }
    lines = [
        network.import_line(structure, index, demo.today)
        for index, structure in enumerate(demo.structures)
        if structure.recognition is not None
        and (demo.org_ids[index], structure.recognition.scheme) not in held
    ]
    if lines:
        content = _csv(lines)

        async def known() -> bool | None:
            # The structures reach the labelling service by event; a dry run says when.
            report = await _import(demo, content, dry_run=True)
            if not report["errors"]:
                return True
            if all("aucune structure" in e["reason"] for e in report["errors"]):
                return None
            raise DemoError(f"the recognitions import is refused: {report['errors']}")

        await poll("the labelling service to know the structures", known, timeout=demo.timeout)
        report = await _import(demo, content, dry_run=False)
        demo.created["recognitions"] += int(report["imported"])
    recognitions = [
        r
        for r in await demo.api.pages(demo.admin, "/v1/recognitions")
        if r["organisation_id"] in demo.org_ids.values() and r["status"] == "active"
    ]
    recognitions.sort(key=lambda r: str(r["decided_on"]), reverse=True)
    for scheme in ("CAP_ISO9001", "CAP_RSE"):  # the newest of each scheme for the links
        shown = next((r for r in recognitions if r["scheme"] == scheme), None)
        if shown is not None:
            demo.links[f"{scheme}_number"] = shown["number"]
            demo.links[f"{scheme}_code"] = shown["verification_code"]


def _csv(lines: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=network.IMPORT_COLUMNS, delimiter=";", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(lines)
    return out.getvalue().encode()


async def _import(demo: DemoRun, content: bytes, *, dry_run: bool) -> dict[str, Any]:
    response = await demo.api.call(
        demo.admin,
        "POST",
        "/v1/recognitions/imports",
        params={"dry_run": str(dry_run).lower()},
        files={"file": ("reconnaissances-occitanie.csv", content, "text/csv")},
    )
    return dict(response.json())
