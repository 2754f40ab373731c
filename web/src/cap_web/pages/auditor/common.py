"""What the auditor's screens share: who may see them, the ids their addresses accept, the
French words of statuses, types, steps and decisions, and reading an audit with its ETag."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Request
from fastapi.responses import Response

from cap_web.api import Api
from cap_web.console import render, require
from cap_web.pages.progress.common import (
    AUDIT_STATUS,
    AUDIT_TYPE,
    FINDING_STATUS,
    FINDING_TYPE,
    SCHEME,
    clean,
    known_ids,
)
from cap_web.sessions import Person

__all__ = ["Auditor", "clean", "known_ids", "page", "read_audit", "with_findings"]

Auditor = Annotated[Person, require("auditor")]

#: The steps of an audit its auditors take, as buttons (accepting, planning and cancelling an
#: audit are the certification body's).
AUDIT_STEP = {
    "start": "Démarrer l'audit",
    "submit_report": "Remettre le rapport",
    "close": "Clore l'audit",
}
TEAM_ROLE = {
    "lead": "Auditeur responsable",
    "auditor": "Auditeur",
    "expert": "Expert technique",
    "observer": "Observateur",
}
#: The auditor's decisions on a structure's answer to a nonconformity.
REVIEW = {
    "accept_plan": "Accepter le plan d'action",
    "send_back": "Renvoyer la réponse (à compléter)",
    "verify": "Vérifier la clôture (efficacité constatée)",
}
#: The order the audits list shows the statuses in: what needs work first.
STATUS_ORDER = (
    "in_progress",
    "planned",
    "accepted",
    "requested",
    "report_submitted",
    "closed",
    "cancelled",
)
#: How many evidence rows the finding form offers.
EVIDENCE_ROWS = 3
#: The maturity scale of the CAP RSE checklist.
LEVELS = (0, 1, 2, 3, 4)


def labels() -> dict[str, Any]:
    """The French words the auditor's templates use."""
    return {
        "AUDIT_STATUS": AUDIT_STATUS,
        "AUDIT_TYPE": AUDIT_TYPE,
        "AUDIT_STEP": AUDIT_STEP,
        "FINDING_STATUS": FINDING_STATUS,
        "FINDING_TYPE": FINDING_TYPE,
        "REVIEW": REVIEW,
        "SCHEME": SCHEME,
        "TEAM_ROLE": TEAM_ROLE,
        "evidence_rows": EVIDENCE_ROWS,
        "levels": LEVELS,
    }


def page(request: Request, template: str, context: dict[str, Any], **kwargs: Any) -> Response:
    """``render`` with the area's French words."""
    return render(request, template, {**labels(), **context}, **kwargs)


async def read_audit(api: Api, audit_id: str) -> tuple[dict[str, Any], str | None]:
    """An audit and its ETag (what a plan, maturity or report write sends back in If-Match)."""
    answer = await api.call("GET", f"/v1/audits/{audit_id}")
    return answer.body, answer.etag


async def with_findings(api: Api, audit_id: str) -> dict[str, Any]:
    """An audit, its ETag and its findings, read together."""
    (audit, etag), findings = await asyncio.gather(
        read_audit(api, audit_id), api.pages(f"/v1/audits/{audit_id}/findings", most=500)
    )
    return {"audit": audit, "etag": etag, "findings": findings}


def organisation_name(names: dict[str, str], organisation_id: str) -> str:
    """A structure's name when the API gave it, else its id."""
    return names.get(organisation_id, organisation_id)
