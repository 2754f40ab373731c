"""The contract between the platform and a certification body's system.

``paths``: what the platform calls on the body's system (client credentials, an audit request
with an idempotency key, the request's state for reconciliation). ``webhooks``: what the body
sends back to the platform, signed.

No public API of SGS or TÜV exists, so the platform defines the contract: each webhook is a
Standard Webhooks message (headers ``webhook-id``, ``webhook-timestamp``,
``webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">``) whose body is
one of the events below, ``{"type": ..., "timestamp": ..., "data": {...}}``. The OpenAPI
document published in ``docs/certifier/`` is generated from these models (``make certifier``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header
from pydantic import BaseModel, ConfigDict, Field

from cap_audit.audits.schemas import TeamMember
from cap_audit.decisions.schemas import DecisionCreate
from cap_audit.fields import PlatformId
from cap_audit.findings.schemas import FindingCreate
from cap_shared.text import Text

Strict = ConfigDict(extra="forbid")
AuditId = Annotated[
    str,
    Field(
        max_length=36,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="The platform's audit id (from audit.requested)",
    ),
]


class AuditAccepted(BaseModel):
    """The body accepts an audit request."""

    model_config = Strict
    audit_id: AuditId


class AuditPlanned(BaseModel):
    """The body plans (or re-plans) an audit."""

    model_config = Strict
    audit_id: AuditId
    start_date: date
    end_date: date
    plan: Text = Field(min_length=1, max_length=20000)
    team: list[TeamMember] = Field(min_length=1, max_length=20)
    site_ids: list[PlatformId] | None = Field(
        default=None,
        max_length=500,
        description="The sites the audit covers: the central function and group members, at "
        "least the sample the platform shows for the audit (IAF MD 1); may be left out for a "
        "single-site organisation",
    )


class AuditStarted(BaseModel):
    """The audit started on site."""

    model_config = Strict
    audit_id: AuditId


class FindingRecorded(BaseModel):
    """The audit team records a finding."""

    model_config = Strict
    audit_id: AuditId
    finding: FindingCreate


class ReportSubmitted(BaseModel):
    """The lead auditor submits the audit report."""

    model_config = Strict
    audit_id: AuditId
    summary: Text = Field(min_length=1, max_length=20000)


class FindingReviewed(BaseModel):
    """The auditor reviews an answer to a nonconformity."""

    model_config = Strict
    finding_id: PlatformId
    decision: Literal["accept_plan", "send_back", "verify"]
    comment: Text | None = Field(default=None, max_length=8000)


class CertificationDecided(DecisionCreate):
    """The decision on the audit's file: a grant names its certificate number, a refusal its
    reason. Only on a CAP ISO 9001 stage 2 or renewal audit whose report was submitted (409),
    once per audit (409 ``already-decided``); the decision maker is none of the audit's team
    (422 ``not-impartial``)."""

    audit_id: AuditId


class AuditAcceptedEvent(BaseModel):
    """The body accepts the audit request."""

    model_config = Strict
    type: Literal["audit.accepted"]
    timestamp: datetime
    data: AuditAccepted


class AuditPlannedEvent(BaseModel):
    """The body plans the audit: dates, plan, team (auditors registered on the platform)."""

    model_config = Strict
    type: Literal["audit.planned"]
    timestamp: datetime
    data: AuditPlanned


class AuditStartedEvent(BaseModel):
    """The audit starts (opening meeting)."""

    model_config = Strict
    type: Literal["audit.started"]
    timestamp: datetime
    data: AuditStarted


class FindingRecordedEvent(BaseModel):
    """A finding of the audit in progress."""

    model_config = Strict
    type: Literal["finding.recorded"]
    timestamp: datetime
    data: FindingRecorded


class ReportSubmittedEvent(BaseModel):
    """The report is submitted (its findings were sent before)."""

    model_config = Strict
    type: Literal["audit.report_submitted"]
    timestamp: datetime
    data: ReportSubmitted


class FindingReviewedEvent(BaseModel):
    """The auditor's decision on the organisation's answer to a nonconformity."""

    model_config = Strict
    type: Literal["finding.reviewed"]
    timestamp: datetime
    data: FindingReviewed


class CertificationDecidedEvent(BaseModel):
    """The body's certification decision on a CAP ISO 9001 file (stage 2 or renewal audit)."""

    model_config = Strict
    type: Literal["certification.decided"]
    timestamp: datetime
    data: CertificationDecided


EVENTS: dict[str, type[BaseModel]] = {
    "audit.accepted": AuditAcceptedEvent,
    "audit.planned": AuditPlannedEvent,
    "audit.started": AuditStartedEvent,
    "finding.recorded": FindingRecordedEvent,
    "audit.report_submitted": ReportSubmittedEvent,
    "finding.reviewed": FindingReviewedEvent,
    "certification.decided": CertificationDecidedEvent,
}


# what the platform calls on a body's system ------------------------------------------------------
class OrganisationRef(BaseModel):
    """The audited organisation, as the platform knows it."""

    id: str
    name: str | None
    siret: str | None
    region: str | None


class AuditRequest(BaseModel):
    """``POST /audit-requests`` (header ``Idempotency-Key``: the same on every retry)."""

    audit_id: str
    scheme: Literal["CAP_RSE", "CAP_ISO9001"]
    audit_type: str
    due_by: date | None
    organisation: OrganisationRef
    callback_url: str = Field(description="Where to send the signed webhooks")


class AuditRequestAccepted(BaseModel):
    """The body's answer to an audit request."""

    reference: str = Field(description="The body's own reference for the request")


class PendingWebhook(BaseModel):
    """An event the body holds for an audit (reconciliation)."""

    webhook_id: str
    payload: dict[str, Any] = Field(
        description="One of the webhook events, as it was (or would be) sent"
    )


class AuditRequestState(BaseModel):
    """``GET /audit-requests/{audit_id}``: read by the platform's reconciliation."""

    audit_id: str
    reference: str
    status: str
    webhooks: list[PendingWebhook] = Field(
        description="Every event produced for this audit, delivered or not"
    )


def _paths(components: dict[str, Any]) -> dict[str, Any]:
    for model in (AuditRequest, AuditRequestAccepted, AuditRequestState):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema

    def ref(name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}

    bearer: list[dict[str, list[str]]] = [{"bodyOAuth": []}]
    return {
        "/oauth/token": {
            "post": {
                "summary": "OAuth2 client credentials: the platform authenticates with HTTP Basic",
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {"grant_type": {"const": "client_credentials"}},
                            }
                        }
                    }
                },
                "responses": {
                    "200": {"description": "access_token, token_type, expires_in"},
                    "401": {"description": "Unknown client"},
                },
            }
        },
        "/audit-requests": {
            "post": {
                "summary": "The platform requests an audit",
                "security": bearer,
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref("AuditRequest")}},
                },
                "responses": {
                    "202": {
                        "description": "Accepted (a retry with the same key answers the same)",
                        "content": {"application/json": {"schema": ref("AuditRequestAccepted")}},
                    },
                    "410": {"description": "This endpoint is gone: the platform stops sending"},
                    "429": {"description": "Too many requests: the platform waits Retry-After"},
                },
            }
        },
        "/audit-requests/{audit_id}": {
            "get": {
                "summary": "The request's state and its events (reconciliation of lost callbacks)",
                "security": bearer,
                "parameters": [
                    {
                        "name": "audit_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "State",
                        "content": {"application/json": {"schema": ref("AuditRequestState")}},
                    },
                    "404": {"description": "Unknown audit"},
                },
            }
        },
    }


def openapi_document() -> dict[str, Any]:
    """The published contract: the webhooks a body sends (OpenAPI 3.1 ``webhooks``)."""
    components: dict[str, Any] = {}
    webhooks: dict[str, Any] = {}
    for name, model in EVENTS.items():
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for sub_name, sub in schema.pop("$defs", {}).items():
            components[sub_name] = sub
        components[model.__name__] = schema
        webhooks[name] = {
            "post": {
                "summary": model.__doc__,
                "description": "Sent by the certification body to "
                "`POST /v1/certifier/webhooks/{certification_body_id}`, signed the Standard "
                "Webhooks way with the body's current secret.",
                "parameters": [
                    {"name": h, "in": "header", "required": True, "schema": {"type": "string"}}
                    for h in ("webhook-id", "webhook-timestamp", "webhook-signature")
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{model.__name__}"}
                        }
                    },
                },
                "responses": {
                    "200": {"description": "Applied (or already applied: same webhook-id)"},
                    "400": {"description": "Malformed payload"},
                    "401": {
                        "description": "Bad signature, unknown body, or timestamp outside 5 minutes"
                    },
                    "404": {"description": "Unknown audit or finding for this body"},
                    "409": {
                        "description": "Out of order for the audit's state, or a certification rule"
                    },
                    "413": {"description": "Payload too large"},
                    "422": {
                        "description": "Invalid field (named in errors[]), or a decision maker "
                        "who is one of the audit's auditors (not-impartial)"
                    },
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CAP platform — certification-body integration",
            "version": "1.0.0",
            "description": (__doc__ or "").strip(),
        },
        "paths": _paths(components),
        "webhooks": webhooks,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bodyOAuth": {
                    "type": "oauth2",
                    "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {}}},
                }
            },
        },
    }


# the same calls as the platform's OpenAPI ``webhooks`` -----------------------------------------
#: Where the body's API is, in front of every call below.
_ON_THE_BODY = (
    "Called by the platform on a certification body's system, at `{api_url}%s` of the body's "
    "connection, with a client-credentials bearer token from `{api_url}/oauth/token` (HTTP "
    "Basic with the body's client id and secret). The full contract, and the signed webhooks "
    "the body sends back to `POST /v1/certifier/webhooks/{certification_body_id}`, is "
    "published at `GET /v1/certifier/openapi.json`."
)


class CertificationBodyAuditRequest(AuditRequest):
    """``POST /audit-requests`` on a certification body's system (header ``Idempotency-Key``:
    the same on every retry)."""


def platform_calls() -> APIRouter:
    """What the audit service calls on a certification body's system, as routes FastAPI puts
    in the OpenAPI ``webhooks`` section (declared, never served)."""
    router = APIRouter(tags=["certifier"])

    @router.post(
        "certification-body:/audit-requests",
        operation_id="certification-body-request-audit",
        summary="The platform requests an audit",
        description=_ON_THE_BODY % "/audit-requests",
        status_code=202,
        response_model=AuditRequestAccepted,
        responses={
            410: {"description": "The endpoint is gone: the platform stops sending"},
            429: {"description": "Too many requests: the platform waits Retry-After"},
        },
    )
    async def request_audit(
        request: CertificationBodyAuditRequest,
        idempotency_key: Annotated[
            str, Header(alias="Idempotency-Key", description="The same on every retry")
        ],
    ) -> AuditRequestAccepted:
        """Never called: the platform sends this request, it does not receive it."""
        raise NotImplementedError

    @router.get(
        "certification-body:/audit-requests/{audit_id}",
        operation_id="certification-body-audit-request-state",
        summary="The platform reads a request's state (reconciliation of lost callbacks)",
        description=_ON_THE_BODY % "/audit-requests/{audit_id}",
        response_model=AuditRequestState,
        responses={404: {"description": "Unknown audit"}},
    )
    async def audit_request_state(audit_id: str) -> AuditRequestState:
        """Never called: the platform sends this request, it does not receive it."""
        raise NotImplementedError

    return router


if __name__ == "__main__":  # python -m cap_audit.certifier.contract <path>
    import json
    import sys
    from pathlib import Path

    Path(sys.argv[1]).parent.mkdir(parents=True, exist_ok=True)
    Path(sys.argv[1]).write_text(
        json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
