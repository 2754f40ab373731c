"""Property-based tests (Hypothesis) of what certification bodies send: webhook signatures and
webhook payloads (issue 15).

Properties: anything unsigned, badly signed or stale is a 401 and nothing else; a signed message
verifies, one changed byte does not; a signed payload of any shape is applied (200) or refused
with a 4xx problem, never a 5xx; a redelivered webhook id answers 200 "duplicate" and changes
nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook

from cap_audit.certifier.contract import EVENTS
from cap_audit.certifier.webhooks import InvalidSignature, verify
from cap_shared.clock import wall_now, wall_timestamp

from .conftest import Service, ok
from .test_audits import accepted, events, setup_body, team
from .test_webhooks import secret_for, send, signed

PURE = settings(max_examples=80, deadline=None)
API = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=60)


def now_header() -> str:
    return str(int(wall_timestamp()))


signature_headers = st.fixed_dictionaries(
    {},
    optional={
        "webhook-id": HEADER_TEXT,
        "webhook-timestamp": HEADER_TEXT
        | st.integers().map(str)
        | st.floats().map(str)
        | st.builds(now_header),
        "webhook-signature": HEADER_TEXT
        | st.lists(
            st.tuples(st.sampled_from(["v1", "v2", "", "v1a"]), HEADER_TEXT).map(",".join),
            max_size=3,
        ).map(" ".join),
    },
)


@PURE
@given(raw=st.binary(max_size=200), headers=signature_headers)
@example(
    raw=b"{}",
    headers={"webhook-id": "m", "webhook-timestamp": "1e400", "webhook-signature": "v1,x"},
)
@example(
    raw=b"{}", headers={"webhook-id": "m", "webhook-timestamp": "nan", "webhook-signature": "v1"}
)
@example(
    raw=b"\xff", headers={"webhook-id": "m", "webhook-timestamp": "0", "webhook-signature": "v1,"}
)
def test_an_unsigned_message_is_a_401_and_nothing_else(raw: bytes, headers: dict[str, str]) -> None:
    with pytest.raises(InvalidSignature):
        verify(raw, headers, [SECRET])


@PURE
@given(
    body=st.text(max_size=200),
    webhook_id=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1),
    drift=st.integers(-290, 290),
    others=st.lists(st.binary(min_size=32, max_size=32), max_size=2),
    flip=st.integers(min_value=0),
)
def test_a_signed_message_verifies_and_one_changed_byte_does_not(
    body: str, webhook_id: str, drift: int, others: list[bytes], flip: int
) -> None:
    raw = body.encode()
    moment = datetime.fromtimestamp(int(wall_timestamp()) + drift, tz=UTC)
    signature = Webhook(SECRET).sign(webhook_id, moment, body)
    # Other (wrong) v1 signatures around the right one: one match is enough.
    forged = [Webhook(other).sign(webhook_id, moment, body) for other in others]
    headers = {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": " ".join([*forged, signature]),
    }
    verify(raw, headers, ["whsec_" + "A" * 43, SECRET])  # an old secret and the current one
    assume(raw)
    changed = bytearray(raw)
    changed[flip % len(raw)] ^= 0x01
    with pytest.raises(InvalidSignature):
        verify(bytes(changed), headers, [SECRET])
    with pytest.raises(InvalidSignature):
        verify(raw, {**headers, "webhook-id": webhook_id + "x"}, [SECRET])


# payloads through the API ------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
#: Text a body may send: printable or not, empty or long.
texts = st.text(max_size=40) | st.sampled_from(["", " ", "a\u0000b", "\u0085", "x" * 301])
#: Text a body should send.
prose = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=40).filter(
    str.strip
)
day = st.dates(min_value=datetime(2026, 1, 1).date(), max_value=datetime(2028, 1, 1).date()).map(
    str
)


@st.composite
def mostly(draw: st.DrawFn, valid: st.SearchStrategy[Any], other: st.SearchStrategy[Any]) -> Any:
    """A value of ``valid`` about three times in four, else of ``other``."""
    return draw(other if draw(st.sampled_from((False, False, False, False, True))) else valid)


@st.composite
def payloads(draw: st.DrawFn, world: dict[str, Any], kind: str) -> dict[str, Any]:
    """A webhook body of type ``kind``, its data close to valid (or of any shape, now and then)."""
    audit = draw(mostly(st.sampled_from(world["audits"]), texts))
    data: dict[str, Any] = {
        "audit.accepted": {"audit_id": audit},
        "audit.started": {"audit_id": audit},
        "audit.planned": {
            "audit_id": audit,
            "start_date": draw(day),
            "end_date": draw(day),
            "plan": draw(mostly(prose, texts)),
            "team": draw(
                mostly(st.sampled_from(world["teams"]), st.lists(json_values, max_size=2))
            ),
        },
        "finding.recorded": {
            "audit_id": audit,
            "finding": {
                "type": draw(
                    mostly(st.sampled_from(["major_nc", "minor_nc", "observation"]), texts)
                ),
                "title": draw(mostly(prose, texts)),
                "clause": draw(mostly(st.sampled_from(["7.5", "8.1"]), texts)),
            },
        },
        "audit.report_submitted": {"audit_id": audit, "summary": draw(mostly(prose, texts))},
        "finding.reviewed": {
            "finding_id": draw(mostly(st.sampled_from(world["findings"]), texts)),
            "decision": draw(
                mostly(st.sampled_from(["accept_plan", "send_back", "verify"]), texts)
            ),
            "comment": draw(mostly(prose, texts)),
        },
        "certification.decided": {
            "audit_id": audit,
            "outcome": draw(mostly(st.sampled_from(["granted", "refused"]), texts)),
            "decided_on": draw(day),
            "decided_by": draw(mostly(prose, texts)),
            "certificate_number": draw(mostly(prose, st.none() | texts)),
            "reason": draw(mostly(st.none() | prose, texts)),
        },
    }
    assert set(data) == set(EVENTS)  # every event type is generated
    body = {"type": kind, "timestamp": wall_now().isoformat(), "data": data.get(kind, {})}
    if draw(st.integers(0, 9)) == 9:  # now and then, a field of any shape anywhere
        where = draw(st.sampled_from(["type", "timestamp", "data", "extra"]))
        body[where] = draw(json_values)
    return body


@pytest.fixture
async def world(service: Service) -> dict[str, Any]:
    """A body with a secret, its auditors, and an audit of the organisation started by webhooks."""
    people = await setup_body(service)
    await accepted(service)
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    secret = await secret_for(service)
    lead = team(people, ("lead", "lead"))
    for kind, data in (
        ("audit.accepted", {"audit_id": audit_id}),
        (
            "audit.planned",
            {
                "audit_id": audit_id,
                "start_date": "2027-01-11",
                "end_date": "2027-01-12",
                "plan": "Plan",
                "team": lead,
            },
        ),
        ("audit.started", {"audit_id": audit_id}),
        (
            "finding.recorded",
            {"audit_id": audit_id, "finding": {"type": "minor_nc", "title": "NC", "clause": "7.5"}},
        ),
    ):
        body = {"type": kind, "timestamp": wall_now().isoformat(), "data": data}
        answer = ok(await send(service, *signed(secret, body)))
    # What payloads are drawn from never changes (Hypothesis replays them).
    return {
        "secret": secret,
        "audits": [audit_id],
        "teams": [lead, team(people, ("lead", "lead"), ("second", "auditor"))],
        "findings": [answer["finding_id"]],
    }


@API
@given(data=st.data())
async def test_a_signed_payload_of_any_shape_is_applied_or_a_4xx(
    service: Service, world: dict[str, Any], data: st.DataObject
) -> None:
    # One webhook of each type in any order, and one of a type no body sends.
    kinds = [*data.draw(st.permutations(sorted(EVENTS))), data.draw(st.text(max_size=10))]
    for kind in kinds:
        payload = data.draw(payloads(world, kind))
        raw, headers = signed(world["secret"], json.dumps(payload).encode())
        response = await send(service, raw, headers)
        known = payload["type"] if str(payload["type"]) in EVENTS else "other"
        problem = response.json().get("type", "").rsplit("/", 1)[-1]
        event(f"{known} {response.status_code} {problem}")
        assert response.status_code < 500, response.text
        if response.status_code != 200:
            assert response.headers["content-type"] == "application/problem+json", response.text
            continue
        audit = f"/v1/audits/{world['audits'][0]}"
        before = ok(await service.client.get(audit, headers=service.admin))
        again = await send(service, raw, headers)
        assert (again.status_code, again.json()["duplicate"]) == (200, True)
        assert ok(await service.client.get(audit, headers=service.admin)) == before


async def test_a_body_nested_too_deeply_is_a_400_not_a_500(
    service: Service, world: dict[str, Any]
) -> None:
    deep = b"[" * 50_000 + b"]" * 50_000
    response = await send(service, *signed(world["secret"], deep))
    assert response.status_code == 400, response.text


async def test_control_characters_or_an_odd_type_in_a_signed_webhook_are_a_400_not_a_500(
    service: Service, world: dict[str, Any]
) -> None:
    audit_id = world["audits"][0]
    for kind, data in (
        ("audit.planned", {"plan": "Plan\u0000", "team": world["teams"][0]}),
        ("audit.planned", {"plan": "Plan", "team": world["teams"][0], "end_date": "2027-01-10"}),
        ("audit.report_submitted", {"summary": "Rapport\u0000"}),
        ("finding.recorded", {"finding": {"type": "observation", "title": "Vu\u0000"}}),
    ):
        body = {
            "type": kind,
            "timestamp": wall_now().isoformat(),
            "data": {
                "audit_id": audit_id,
                **(
                    {"start_date": "2027-01-11", "end_date": "2027-01-12"} if "team" in data else {}
                ),
                **data,
            },
        }
        response = await send(service, *signed(world["secret"], body))
        assert response.status_code == 400, (kind, response.text)
        assert response.json()["type"].endswith("/malformed-webhook")
    for odd_type in (["audit.accepted"], {"a": 1}, 7, None):
        body = {"type": odd_type, "timestamp": wall_now().isoformat(), "data": {}}
        response = await send(service, *signed(world["secret"], body))
        assert response.status_code == 400, (odd_type, response.text)
    audit = ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.admin))
    assert audit["status"] == "in_progress"
