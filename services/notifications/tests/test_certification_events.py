"""The certification rules' events through the service: held decisions, a new stage 2, appeals,
escalations, verification deadlines and scope reductions reach the right people once, in the
feed and by e-mail (read back from a real SMTP server), and webhook subscribers. A body's
people in charge of an audit — its planners, told of the request, and the team assigned to it —
are found through the journal; its other auditors are told nothing (issue 15 item 10)."""

from __future__ import annotations

import json
import socket
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import date
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller

from cap_notifications.models import IntakeEvent, Notification, WebhookDelivery
from cap_shared.contracts.audit import (
    AuditPlannedV1,
    AuditRequestedV1,
    CertificationDecidedV1,
    FindingAppealDecidedV1,
    FindingResponseDueV1,
    FindingStatusChangedV1,
    Stage2RequiredV1,
)
from cap_shared.contracts.labelling import (
    DecisionAppealDecidedV1,
    DecisionHeldV1,
    DecisionOpenedV1,
    RecognitionStatusChangedV1,
)
from cap_shared.testing.net import free_port

from .conftest import Service, ok
from .test_notify import WINTER_DAY, Inbox, at_paris, rows, run_mail
from .test_webhooks_out import Receiver, send, subscribe

BODY = "sgs-tuv"


@pytest.fixture
def mail_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on a free port, keeping what it receives."""
    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
async def subscriber() -> AsyncIterator[Receiver]:
    """A webhook subscriber's HTTP server on 127.0.0.1 (verifies the signatures)."""
    receiver = Receiver()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    receiver.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        yield receiver
    finally:
        receiver.release.set()
        await runner.cleanup()


async def directory(service: Service) -> dict[str, str]:
    """Everyone who could be told, by key."""
    a, b = service.organisations["a"].id, service.organisations["b"].id
    for key, memberships in {
        "admin_a": [{"role": "member_admin", "organisation_id": a}],
        "member_a": [{"role": "member", "organisation_id": a}],
        "admin_b": [{"role": "member_admin", "organisation_id": b}],
        "facilitator": [{"role": "facilitator", "region": "76"}],
        "facilitator_11": [{"role": "facilitator", "region": "11"}],
        # The body's planner, the auditor it assigns, and an auditor assigned to nothing.
        "planner_sgs": [{"role": "auditor", "certification_body_id": BODY}],
        "lead_sgs": [{"role": "auditor", "certification_body_id": BODY}],
        "auditor_sgs": [{"role": "auditor", "certification_body_id": BODY}],
        "auditor_other": [{"role": "auditor", "certification_body_id": "bureau-veritas"}],
        "committee": [{"role": "committee"}],
        "operator": [{"role": "admin"}],
    }.items():
        await service.add_person(key, *memberships)
    await service.add_person("operator_gone", {"role": "admin"}, status="disabled")
    return {user_id: key for key, user_id in service.people.items()}


async def requested(service: Service, audit_id: str, scheme: str = "CAP_ISO9001") -> str:
    """The audit is requested from the body, which names its planner."""
    return await service.deliver(
        AuditRequestedV1(
            audit_id=audit_id,
            programme_id=str(uuid.uuid4()),
            organisation_id=service.organisations["a"].id,
            scheme=scheme,  # type: ignore[arg-type]
            audit_type="stage2",
            certification_body_id=BODY,
            requested_at=service.runtime.clock.now(),
            planner_user_ids=[service.people["planner_sgs"]],
        )
    )


async def planned(service: Service, audit_id: str, scheme: str = "CAP_ISO9001") -> str:
    """The body plans the audit: its lead auditor is the team."""
    return await service.deliver(
        AuditPlannedV1(
            audit_id=audit_id,
            organisation_id=service.organisations["a"].id,
            scheme=scheme,  # type: ignore[arg-type]
            audit_type="stage2",
            certification_body_id=BODY,
            start_date=date(2027, 1, 11),
            end_date=date(2027, 1, 12),
            auditor_ids=["aud-lead"],
            auditor_user_ids=[service.people["lead_sgs"]],
        )
    )


async def told(service: Service, event_id: str) -> Counter[str]:
    """Who was notified of one event (by directory key), with how many notifications each."""
    keys = {user_id: key for key, user_id in service.people.items()}
    return Counter(
        keys[n.user_id] for n in await rows(service, Notification) if n.event_id == event_id
    )


def addressees(messages: list[Message]) -> Counter[str]:
    return Counter(parseaddr(m["To"])[1].removesuffix("@coorace.example") for m in messages)


def subject_of(message: Message) -> str:
    return " ".join(str(make_header(decode_header(message["Subject"]))).split())


def text_of(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return " ".join(payload.decode(part.get_content_charset() or "utf-8").split())


async def test_a_held_decision_is_told_once_to_operators_the_body_and_the_structure(
    service: Service, mail_server: tuple[Inbox, int], subscriber: Receiver
) -> None:
    inbox, port = mail_server
    service.settings.smtp_port = port
    await directory(service)
    at_paris(service, WINTER_DAY, 10)
    subscription = await subscribe(
        service, subscriber.url("/held"), subscriber, event_types=("decision.held.v1",)
    )
    audit_id = str(uuid.uuid4())
    await requested(service, audit_id)
    await planned(service, audit_id)
    await run_mail(service)  # the request's and the plan's e-mails, out of the way
    inbox.messages.clear()
    event = DecisionHeldV1(
        decision_id=str(uuid.uuid4()),
        organisation_id=service.organisations["a"].id,
        scheme="CAP_ISO9001",
        audit_id=audit_id,
        certification_body_id=BODY,
        open_major_nc=2,
        held_until=date(2027, 5, 19),
    )
    event_id = await service.deliver(event)
    await service.deliver(event, envelope_id=event_id)  # redelivered: nobody told twice

    expected = {"admin_a", "planner_sgs", "lead_sgs", "committee", "operator"}
    assert await told(service, event_id) == Counter(expected)
    await run_mail(service)
    await run_mail(service)
    assert addressees(inbox.messages) == Counter(expected)  # they act: e-mail at once
    subjects = {subject_of(m) for m in inbox.messages}
    assert subjects == {
        "Décision en attente : 2 non-conformités majeures à lever (certification CAP ISO 9001)"
        " — Structure a"
    }
    body = text_of(inbox.messages[0])
    assert "ne prend pas effet" in body
    assert "19/05/2027" in body
    # Systems subscribed to the type: one signed delivery, once.
    assert await send(service) == 1
    (hit,) = subscriber.hits_on("/held")
    sent = json.loads(hit.body)
    assert (hit.verified, sent["id"], sent["type"]) == (True, event_id, "decision.held.v1")
    assert sent["data"]["open_major_nc"] == 2
    deliveries = [d for d in await rows(service, WebhookDelivery) if d.event_id == event_id]
    assert [d.subscription_id for d in deliveries] == [subscription["id"]]
    (journal,) = [j for j in await rows(service, IntakeEvent) if j.event_id == event_id]
    assert (journal.recipients, journal.deliveries) == (5, 1)
    # The operator reads it in the feed, in French.
    feed = ok(await service.client.get("/v1/notifications", headers=service.as_person("operator")))
    (item,) = feed["data"]
    assert (item["event_type"], item["link"]) == (
        "decision.held.v1",
        f"/decisions/{event.decision_id}",
    )


async def test_the_body_is_found_through_the_audit_s_journal(service: Service) -> None:
    """Finding and appeal events do not name the body: the audit's earlier events do."""
    await directory(service)
    at_paris(service, WINTER_DAY, 10)
    org = service.organisations["a"].id
    audit_id, finding_id, decision_id = (str(uuid.uuid4()) for _ in range(3))
    overdue = FindingResponseDueV1(
        finding_id=finding_id,
        audit_id=audit_id,
        organisation_id=org,
        type="major_nc",
        title="Pas de revue de direction",
        response_due=date(2026, 11, 20),
        stage="verification_overdue",
        days=11,
    )
    # Before the audit is known here: the structure and its facilitators only.
    first = await service.deliver(overdue)
    assert await told(service, first) == Counter({"admin_a", "member_a", "facilitator"})

    await requested(service, audit_id)
    await planned(service, audit_id)
    await service.deliver(
        DecisionOpenedV1(
            decision_id=decision_id,
            organisation_id=org,
            scheme="CAP_ISO9001",
            kind="initial",
            audit_id=audit_id,
        )
    )
    again = await service.deliver(overdue)
    in_charge = {"planner_sgs", "lead_sgs"}  # never auditor_sgs, assigned to nothing
    assert await told(service, again) == Counter({"admin_a", "member_a", "facilitator", *in_charge})
    escalated = await service.deliver(
        FindingStatusChangedV1(
            finding_id=finding_id,
            audit_id=audit_id,
            organisation_id=org,
            scheme="CAP_ISO9001",
            type="major_nc",
            previous_type="minor_nc",
            status="open",
            previous_status="response_submitted",
            response_due=date(2027, 2, 18),
            changed_at=service.runtime.clock.now(),
            reason="Mineure non levée à l'audit suivant",
        )
    )
    assert await told(service, escalated) == Counter(
        {"admin_a", "member_a", "facilitator", *in_charge}
    )
    finding_outcome = await service.deliver(
        FindingAppealDecidedV1(
            appeal_id=str(uuid.uuid4()),
            finding_id=finding_id,
            audit_id=audit_id,
            organisation_id=org,
            scheme="CAP_ISO9001",
            outcome="upheld",
            decided_by="user:operator",
            decided_at=service.runtime.clock.now(),
            reason="Constat étayé",
        )
    )
    assert await told(service, finding_outcome) == Counter({"admin_a", *in_charge})
    # A decision's appeal names neither the audit nor the body: through the decision file.
    decision_outcome = await service.deliver(
        DecisionAppealDecidedV1(
            appeal_id=str(uuid.uuid4()),
            decision_id=decision_id,
            organisation_id=org,
            scheme="CAP_ISO9001",
            outcome="overturned",
            decided_by="client:sgs",
            decided_at=service.runtime.clock.now(),
            reason="Preuves apportées",
        )
    )
    assert await told(service, decision_outcome) == Counter({"admin_a", "member_a", *in_charge})


async def test_an_audit_request_reaches_the_body_s_planners_then_only_its_assigned_team(
    service: Service, mail_server: tuple[Inbox, int]
) -> None:
    """Issue 15 item 10: every auditor of the body used to read the structure's name and the
    audit's link on each request. Now the body's planners hear of the request; the team once
    assigned; an auditor assigned to nothing hears of nothing, in the feed or by e-mail."""
    inbox, port = mail_server
    service.settings.smtp_port = port
    await directory(service)
    at_paris(service, WINTER_DAY, 10)
    audit_id = str(uuid.uuid4())
    request = await requested(service, audit_id)
    assert await told(service, request) == Counter({"admin_a", "planner_sgs"})
    plan = await planned(service, audit_id)
    assert await told(service, plan) == Counter({"admin_a", "member_a", "facilitator", "lead_sgs"})
    overdue = await service.deliver(
        FindingResponseDueV1(
            finding_id=str(uuid.uuid4()),
            audit_id=audit_id,
            organisation_id=service.organisations["a"].id,
            type="major_nc",
            title="Pas de revue de direction",
            response_due=date(2026, 11, 20),
            stage="verification_overdue",
            days=11,
        )
    )
    assert await told(service, overdue) == Counter(
        {"admin_a", "member_a", "facilitator", "planner_sgs", "lead_sgs"}
    )
    await run_mail(service)
    told_by_mail = addressees(inbox.messages)
    assert {"planner_sgs", "lead_sgs"} <= set(told_by_mail)
    idle = service.people["auditor_sgs"]
    assert idle not in {n.user_id for n in await rows(service, Notification)}
    assert "auditor_sgs" not in told_by_mail
    assert (
        ok(await service.client.get("/v1/notifications", headers=service.as_person("auditor_sgs")))[
            "data"
        ]
        == []
    )
    # A request naming no planner (an older producer): no one of the body, not everyone.
    unnamed = await service.deliver(
        AuditRequestedV1(
            audit_id=str(uuid.uuid4()),
            programme_id=str(uuid.uuid4()),
            organisation_id=service.organisations["a"].id,
            scheme="CAP_RSE",
            audit_type="initial",
            certification_body_id=BODY,
            requested_at=service.runtime.clock.now(),
        )
    )
    assert await told(service, unnamed) == Counter({"admin_a"})


async def test_routine_finding_steps_tell_nobody_but_reach_subscribers(
    service: Service, subscriber: Receiver
) -> None:
    await directory(service)
    await subscribe(
        service, subscriber.url("/findings"), subscriber, event_types=("finding.status_changed.v1",)
    )

    def change(status: str, previous: str, **extra: Any) -> FindingStatusChangedV1:
        return FindingStatusChangedV1(
            finding_id=str(uuid.uuid4()),
            audit_id=str(uuid.uuid4()),
            organisation_id=service.organisations["a"].id,
            scheme="CAP_RSE",
            type="major_nc",
            status=status,
            previous_status=previous,
            changed_at=service.runtime.clock.now(),
            **extra,
        )

    verified = await service.deliver(change("verified_closed", "plan_accepted"))
    withdrawn = await service.deliver(change("withdrawn", "appealed", reason="Hors périmètre"))
    assert await told(service, verified) == Counter()
    assert await told(service, withdrawn) == Counter({"member_a", "facilitator"})
    assert await send(service) == 2
    assert len(subscriber.hits_on("/findings")) == 2


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        (
            "CAP_ISO9001",
            {"admin_a", "facilitator", "planner_sgs", "lead_sgs", "committee", "operator"},
        ),
        ("CAP_RSE", {"admin_a", "facilitator", "planner_sgs", "lead_sgs", "committee", "operator"}),
    ],
)
async def test_a_new_stage_2_is_told_to_the_structure_the_body_and_operators(
    service: Service, mail_server: tuple[Inbox, int], scheme: str, expected: set[str]
) -> None:
    inbox, port = mail_server
    service.settings.smtp_port = port
    await directory(service)
    at_paris(service, WINTER_DAY, 10)
    audit_id = str(uuid.uuid4())
    await requested(service, audit_id, scheme)
    await planned(service, audit_id, scheme)
    await run_mail(service)  # the request's and the plan's e-mails, out of the way
    inbox.messages.clear()
    event_id = await service.deliver(
        Stage2RequiredV1(
            audit_id=audit_id,
            programme_id=str(uuid.uuid4()),
            organisation_id=service.organisations["a"].id,
            scheme=scheme,  # type: ignore[arg-type]
            audit_type="stage2" if scheme == "CAP_ISO9001" else "initial",
            certification_body_id=BODY,
            last_day=date(2026, 5, 20),
            deadline=date(2026, 11, 20),
            open_major_nc=1,
        )
    )
    assert await told(service, event_id) == Counter(expected)
    await run_mail(service)
    # The facilitator follows: the daily digest; the others act: an e-mail now.
    assert addressees(inbox.messages) == Counter(expected - {"facilitator"})
    (subject,) = {subject_of(m) for m in inbox.messages}
    assert subject.startswith(
        "Nouvel audit d'étape 2 requis" if scheme == "CAP_ISO9001" else "Nouvelle évaluation"
    )


async def test_the_body_s_refusal_is_told_to_the_structure_which_may_appeal_it(
    service: Service, mail_server: tuple[Inbox, int]
) -> None:
    """The structure appeals a refusal within the appeal period: it must hear of it. A grant is
    told by its certificate (or its hold), not twice."""
    inbox, port = mail_server
    service.settings.smtp_port = port
    await directory(service)
    at_paris(service, WINTER_DAY, 10)
    decided = {
        "audit_id": str(uuid.uuid4()),
        "organisation_id": service.organisations["a"].id,
        "audit_type": "stage2",
        "certification_body_id": BODY,
        "decided_on": date(2026, 11, 26),
        "decided_by": "Comité de certification SGS",
    }
    refusal = CertificationDecidedV1(
        **decided, outcome="refused", reason="Maîtrise des chantiers non démontrée"
    )
    event_id = await service.deliver(refusal)
    await service.deliver(refusal, envelope_id=event_id)  # redelivered: nobody told twice
    assert await told(service, event_id) == Counter({"admin_a", "member_a", "facilitator"})
    await run_mail(service)
    assert addressees(inbox.messages) == Counter({"admin_a"})  # she may appeal: at once
    (message,) = inbox.messages
    assert subject_of(message) == (
        "Certification CAP ISO 9001 refusée par l'organisme certificateur — Structure a"
    )
    assert "Motif : Maîtrise des chantiers non démontrée." in text_of(message)
    assert "faire appel" in text_of(message)

    grant = CertificationDecidedV1(
        **{**decided, "audit_id": str(uuid.uuid4())},
        outcome="granted",
        certificate_number="FR26/9100",
    )
    assert await told(service, await service.deliver(grant)) == Counter()


async def test_a_scope_reduction_is_worded_as_such(service: Service) -> None:
    await directory(service)
    event_id = await service.deliver(
        RecognitionStatusChangedV1(
            recognition_id=str(uuid.uuid4()),
            number="CAP-ISO-2026-0007",
            organisation_id=service.organisations["a"].id,
            scheme="CAP_ISO9001",
            status="active",
            previous_status="active",
            effective_date=date(2026, 3, 2),
            expiry_date=date(2029, 3, 1),
            changed_at=service.runtime.clock.now(),
            reason="scope_reduced",
            scope="Mise à disposition de personnel",
        )
    )
    assert await told(service, event_id) == Counter(
        {"admin_a", "member_a", "facilitator", "committee"}
    )
    titles = {n.title for n in await rows(service, Notification) if n.event_id == event_id}
    assert titles == {"Certification CAP ISO 9001 : périmètre réduit — Structure a"}
