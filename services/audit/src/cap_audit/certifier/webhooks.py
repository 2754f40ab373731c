"""Signed webhooks from certification bodies, and the secrets that sign them.

Verification follows Standard Webhooks (the ``standardwebhooks`` reference library): an HMAC-SHA256
over ``<webhook-id>.<webhook-timestamp>.<raw body>``, compared in constant time, a 5-minute
tolerance on the timestamp, several ``v1,`` signatures accepted in one header. During a secret
rotation both the new secret and the previous one (until its overlap ends) verify. A webhook id
applied once is remembered: a redelivery answers 200 and changes nothing. The id is claimed
before the event is applied, so copies sent at once wait for the first and are answered
"duplicate" too (one effect, never a unique-key error). The event is applied
in the same transaction as that record, through the same use cases as the API, acting as the
body's system: a refused event (out of order, unknown audit) leaves nothing behind, so the body
can send it again.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets as token_source
import uuid
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import InvalidToken
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from cap_audit.audits import planning
from cap_audit.audits import service as audits
from cap_audit.audits.rules import AuditStep
from cap_audit.audits.schemas import AuditPlanUpdate
from cap_audit.bodies.repository import BodyRepository
from cap_audit.certifier.contract import EVENTS
from cap_audit.certifier.repository import CertifierRepository
from cap_audit.config import Settings
from cap_audit.decisions import service as decisions
from cap_audit.findings import service as findings
from cap_audit.models import BodySecret
from cap_shared.actor import Actor, acting_as
from cap_shared.clock import Clock
from cap_shared.field_errors import message_fr
from cap_shared.problems import NotFound, ProblemError
from cap_shared.secrets import secret_box
from cap_shared.security import Grant, Principal, Role

logger = logging.getLogger(__name__)


class InvalidSignature(ProblemError):
    """The webhook is not signed by the body (or is too old, or lacks its headers)."""

    status, code, title = 401, "invalid-webhook-signature", "Invalid webhook signature"
    title_fr = "Signature de webhook invalide"


class MalformedWebhook(ProblemError):
    """The body is not a known webhook event."""

    status, code, title = 400, "malformed-webhook", "Malformed webhook"
    title_fr = "Webhook mal formé"


class PayloadTooLarge(ProblemError):
    """The webhook is larger than ``webhook_max_bytes``."""

    status, code, title = 413, "payload-too-large", "Payload too large"
    title_fr = "Contenu trop volumineux"


async def rotate_secret(
    session: AsyncSession, body_id: str, settings: Settings, clock: Clock
) -> tuple[BodySecret, str]:
    """A new signing secret for a body (shown once); the current one stays valid for the overlap."""
    repo = CertifierRepository(session)
    if await BodyRepository(session).body(body_id) is None:
        raise NotFound(
            "no such certification body", detail_fr="organisme certificateur introuvable"
        )
    now = clock.now()
    for current in await repo.secrets(body_id):
        if current.expires_at is None or current.expires_at > now:
            overlap_end = now + timedelta(seconds=settings.webhook_secret_overlap_s)
            current.expires_at = min(current.expires_at or overlap_end, overlap_end)
    plain = "whsec_" + base64.b64encode(token_source.token_bytes(32)).decode()
    secret = BodySecret(
        id=str(uuid.uuid4()),
        certification_body_id=body_id,
        secret=secret_box(settings.secret_encryption_key).encrypt(plain.encode()).decode(),
        created_at=now,
    )
    await repo.add(secret)
    return secret, plain


async def list_secrets(session: AsyncSession, body_id: str) -> list[BodySecret]:
    """The body's webhook secrets, oldest first (expired ones too)."""
    return list(await CertifierRepository(session).secrets(body_id))


async def _valid_secrets(
    session: AsyncSession, body_id: str, settings: Settings, now: datetime
) -> list[str]:
    fernet = secret_box(settings.secret_encryption_key)
    out = []
    for row in await list_secrets(session, body_id):
        if row.expires_at is not None and row.expires_at <= now:
            continue
        try:
            out.append(fernet.decrypt(row.secret.encode()).decode())
        except InvalidToken:
            logger.error(
                "webhook secret %s of %s cannot be decrypted (encryption key changed?)",
                row.id,
                body_id,
            )
    return out


def verify(raw: bytes, headers: dict[str, str], secrets: list[str]) -> None:
    """Raise :class:`InvalidSignature` unless one of ``secrets`` signed the message in time."""
    if not secrets:
        raise InvalidSignature(
            "no webhook secret is active for this certification body",
            detail_fr="aucun secret de webhook n'est actif pour cet organisme certificateur",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidSignature(
            "the body is not UTF-8", detail_fr="le contenu n'est pas en UTF-8"
        ) from exc
    reason = "no matching signature"
    reason_fr = "aucune signature ne correspond"
    for secret in secrets:
        try:
            Webhook(secret).verify(text, headers, json_parse=False)
            return
        except WebhookVerificationError as exc:
            reason = str(exc)
            if "timestamp" in reason.lower():
                reason_fr = f"horodatage du webhook refusé ({reason})"
                break  # the same for every secret
            if "headers" in reason.lower():
                reason_fr = f"en-têtes de signature du webhook manquants ({reason})"
                break  # the same for every secret
        except (ValueError, TypeError) as exc:  # a malformed signature header
            reason = f"malformed signature header ({type(exc).__name__})"
            reason_fr = f"en-tête de signature mal formé ({type(exc).__name__})"
            break
    raise InvalidSignature(reason, detail_fr=reason_fr)


def body_principal(body_id: str, webhook_id: str, now: datetime) -> Principal:
    """The body's system, as the use cases know it (its own audits, read and write)."""
    return Principal(
        subject=f"client:webhook:{body_id}",
        kind="client",
        grants=(Grant(role=Role.CERTIFICATION_BODY, certification_body_id=body_id),),
        client_id=f"webhook:{body_id}",
        token_id=webhook_id,
        expires_at=now,
        scopes=frozenset({"audits:read", "audits:write"}),
    )


async def receive(
    session: AsyncSession,
    body_id: str,
    raw: bytes,
    headers: dict[str, str],
    settings: Settings,
    clock: Clock,
) -> dict[str, Any]:
    """Verify, deduplicate and apply one webhook; what happened."""
    if len(raw) > settings.webhook_max_bytes:
        raise PayloadTooLarge(
            f"webhooks are limited to {settings.webhook_max_bytes} bytes",
            detail_fr=f"les webhooks sont limités à {settings.webhook_max_bytes} octets",
        )
    now = clock.now()
    if await BodyRepository(session).body(body_id) is None:
        raise InvalidSignature(
            "unknown certification body", detail_fr="organisme certificateur inconnu"
        )
    verify(raw, headers, await _valid_secrets(session, body_id, settings, now))
    webhook_id = headers.get("webhook-id", "")[:200]
    try:
        envelope = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise MalformedWebhook(
            "the body is not JSON", detail_fr="le contenu n'est pas du JSON"
        ) from exc
    except RecursionError as exc:
        raise MalformedWebhook(
            "the body is nested too deeply", detail_fr="le contenu est trop profondément imbriqué"
        ) from exc
    return await apply_event(session, body_id, webhook_id, envelope, settings, clock)


async def apply_event(
    session: AsyncSession,
    body_id: str,
    webhook_id: str,
    envelope: Any,
    settings: Settings,
    clock: Clock,
) -> dict[str, Any]:
    """Apply one verified event of a body once (by webhook id): from a webhook, or fetched by
    reconciliation."""
    now = clock.now()
    repo = CertifierRepository(session)
    if await repo.webhook_applied(body_id, webhook_id):
        return {"webhook_id": webhook_id, "duplicate": True}
    kind = envelope.get("type") if isinstance(envelope, dict) else None
    model = EVENTS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise MalformedWebhook(
            f"unknown webhook type {kind!r}; expected one of {sorted(EVENTS)}",
            detail_fr=f"type de webhook inconnu {kind!r} ; types attendus : {sorted(EVENTS)}",
        )
    assert isinstance(kind, str)  # a known type, checked above
    try:
        event = model.model_validate(envelope)
    except ValidationError as exc:
        raise _malformed(kind, exc) from exc
    # Claimed before it is applied: the same id sent twice at once waits here for the first
    # to commit and is answered "duplicate" (one effect), never a unique-key error.
    if not await repo.claim_webhook(
        body_id=body_id, webhook_id=webhook_id, kind=kind, received_at=now
    ):
        return {"webhook_id": webhook_id, "duplicate": True}
    principal = body_principal(body_id, webhook_id, now)
    data: Any = getattr(event, "data")  # noqa: B009 - every event model has it
    # The audit trail names the body's system as who made the changes (a webhook carries no
    # token, so there is no request principal to read).
    actor = Actor(id=principal.subject, kind=principal.kind, client_id=principal.client_id)
    try:
        with acting_as(actor):
            result = await _apply(session, principal, kind, data, settings, clock)
    except ValidationError as exc:  # the API's own checks of the same input (a plan's dates)
        raise _malformed(kind, exc) from exc
    logger.info("event %s from %s applied: %s", webhook_id, body_id, kind)
    return {"webhook_id": webhook_id, "duplicate": False, "type": kind, **result}


def _malformed(kind: str, exc: ValidationError) -> MalformedWebhook:
    errors = [
        {
            "field": ".".join(str(p) for p in e["loc"]),
            "message": e["msg"],
            "message_fr": message_fr(e),
        }
        for e in exc.errors()
    ]
    return MalformedWebhook(
        f"invalid {kind} webhook",
        detail_fr=f"webhook {kind} invalide",
        extensions={"errors": errors},
    )


async def _apply(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    data: Any,
    settings: Settings,
    clock: Clock,
) -> dict[str, Any]:
    if kind == "audit.planned":
        plan = AuditPlanUpdate(
            start_date=data.start_date,
            end_date=data.end_date,
            plan=data.plan,
            team=data.team,
            site_ids=data.site_ids,
        )
        audit = await planning.plan(
            session, principal, audit_id=data.audit_id, data=plan, settings=settings, clock=clock
        )
        return {"audit_id": audit.id, "status": audit.status}
    if kind == "finding.recorded":
        finding = await findings.add_finding(
            session, principal, audit_id=data.audit_id, data=data.finding
        )
        return {"finding_id": finding.id}
    if kind == "finding.reviewed":
        reviewed = await findings.review(
            session,
            principal,
            finding_id=data.finding_id,
            decision=data.decision,
            comment=data.comment,
            clock=clock,
        )
        return {"finding_id": reviewed.id, "status": reviewed.status}
    if kind == "certification.decided":
        # The event's data is a DecisionCreate (with its audit id).
        decided = await decisions.record_decision(
            session, principal, audit_id=data.audit_id, data=data, settings=settings, clock=clock
        )
        return {"audit_id": decided.id, "outcome": decided.decision_outcome}
    step = {
        "audit.accepted": AuditStep.ACCEPT,
        "audit.started": AuditStep.START,
        "audit.report_submitted": AuditStep.SUBMIT_REPORT,
    }[kind]
    audit = await audits.step(
        session,
        principal,
        audit_id=data.audit_id,
        audit_step=step,
        summary=getattr(data, "summary", None),
        reason=None,
        settings=settings,
        clock=clock,
    )
    return {"audit_id": audit.id, "status": audit.status}
