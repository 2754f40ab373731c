"""The domain events this service notifies people and systems about."""

from __future__ import annotations

#: Notified event types (routing keys). Each has its wording (fanout/messages/), its e-mail
#: templates, its recipients (fanout/recipients.py) and may be subscribed to by webhooks.
EVENT_TYPES: tuple[str, ...] = (
    "diagnostic.completed.v1",
    "action.due_soon.v1",
    "action.overdue.v1",
    "audit.requested.v1",
    "audit.planned.v1",
    "audit.report_submitted.v1",
    "finding.response_due.v1",
    "labelling.application.accepted.v1",
    # a structure named in another's group application is asked for its consent
    "labelling.group_invitation.sent.v1",
    "recognition.status_changed.v1",
    "label.expiring.v1",
    "label.surveillance_due.v1",
    "labelling.complaint.received.v1",
    "labelling.decision.opened.v1",
    # certification rules: held decisions, a new stage 2, appeals, finding escalations
    "decision.held.v1",
    "audit.stage2_required.v1",
    "finding.status_changed.v1",
    "finding.appeal_lodged.v1",
    "finding.appeal_decided.v1",
    "decision.appeal_lodged.v1",
    "decision.appeal_decided.v1",
    # the certification body's decision (CAP ISO 9001): a refusal is told (it may be appealed)
    "certification.decided.v1",
    # the labelling committee's decision (CAP RSE): a refusal or a deferral is told
    "decision.taken.v1",
)
