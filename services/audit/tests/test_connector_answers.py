"""A certification body's malformed answers (issue 15, OWASP API10): a token answer that is a
JSON list, lacks ``access_token`` or is not JSON, an audit state that is not the documented
JSON, fail that one attempt (or that audit's reconciliation, or that one reported event) with
a logged reason; the run goes on with the others. Each used to crash the whole run."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from cap_audit.certifier import connector
from cap_shared.clock import wall_now

from .conftest import Service, ok
from .test_audits import accepted, events, setup_body

BASE = "http://body.test"
GOOD_TOKEN = {"access_token": "t0k", "token_type": "Bearer", "expires_in": 300}

#: Token answers a body may send with a 200 that the platform cannot use.
BAD_TOKENS: dict[str, Callable[[], httpx.Response]] = {
    "a JSON list": lambda: httpx.Response(200, json=[GOOD_TOKEN]),
    "no access_token": lambda: httpx.Response(200, json={"token_type": "Bearer"}),
    "not JSON": lambda: httpx.Response(200, text="<html>OK</html>"),
    "not UTF-8": lambda: httpx.Response(
        200, content=b"\xff\xfe{", headers={"content-type": "application/json"}
    ),
    "a number as token": lambda: httpx.Response(200, json={"access_token": 42}),
    "expires_in not a number": lambda: httpx.Response(
        200, json={"access_token": "t", "expires_in": "soon"}
    ),
}

#: Audit states a body may send with a 200 that are not the documented JSON.
BAD_STATES: dict[str, Callable[[], httpx.Response]] = {
    "a JSON list": lambda: httpx.Response(200, json=[{"webhook_id": "w", "payload": {}}]),
    "not JSON": lambda: httpx.Response(200, text="Service Unavailable"),
    "webhooks not a list": lambda: httpx.Response(200, json={"webhooks": "all of them"}),
}


@pytest.fixture
async def connected(service: Service) -> Service:
    """The body connected at BASE (reached through each test's mock transport)."""
    await setup_body(service)
    settings = service.runtime.settings
    settings.body_allow_private = True  # type: ignore[attr-defined]
    ok(
        await service.client.put(
            "/v1/certification-bodies/sgs-tuv/connection",
            json={
                "api_url": BASE,
                "token_url": f"{BASE}/oauth/token",
                "client_id": "cap-platform",
                "client_secret": "body-secret",
            },
            headers=service.admin,
        )
    )
    connector.BREAKERS._by_key.clear()
    connector._TOKENS.clear()
    return service


async def deliveries(service: Service) -> list[dict]:
    return ok(
        await service.client.get(
            "/v1/certification-bodies/sgs-tuv/deliveries", headers=service.admin
        )
    )["data"]


@pytest.mark.parametrize("answer", BAD_TOKENS, ids=list(BAD_TOKENS))
async def test_a_malformed_token_answer_fails_that_attempt_and_the_run_goes_on(
    connected: Service, answer: str, caplog: pytest.LogCaptureFixture
) -> None:
    service = connected
    await accepted(service, key="a")
    await accepted(service, key="b")
    tokens = [BAD_TOKENS[answer](), httpx.Response(200, json=GOOD_TOKEN)]

    def body(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return tokens.pop(0)
        assert request.headers["authorization"] == "Bearer t0k"
        return httpx.Response(202, json={"reference": "REF-1"})

    caplog.set_level(logging.WARNING, logger=connector.__name__)
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(body)) as client,
        service.runtime.db.session() as session,
    ):
        attempted = await connector.send_due(
            session, service.runtime.clock.now(), service.runtime.settings, client=client
        )
    assert attempted == 2
    failed, delivered = sorted(await deliveries(service), key=lambda d: d["status"] != "pending")
    assert (delivered["status"], delivered["reference"]) == ("delivered", "REF-1")
    assert (failed["status"], failed["attempts"]) == ("pending", 1)  # retried on the schedule
    assert failed["next_attempt_at"] is not None
    assert failed["last_error"].startswith("token endpoint answered 200"), failed["last_error"]
    assert failed["log"][0]["error"] == failed["last_error"]
    assert any(failed["id"] in r.getMessage() for r in caplog.records), caplog.text


async def test_an_accepted_request_with_an_odd_answer_body_is_delivered(
    connected: Service,
) -> None:
    service = connected
    for key in ("a", "b"):
        await accepted(service, key=key)
    answers = [httpx.Response(202, json=["REF"]), httpx.Response(201, text="Created")]

    def body(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json=GOOD_TOKEN)
        return answers.pop(0)

    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(body)) as client,
        service.runtime.db.session() as session,
    ):
        await connector.send_due(
            session, service.runtime.clock.now(), service.runtime.settings, client=client
        )
    assert [(d["status"], d["reference"]) for d in await deliveries(service)] == [
        ("delivered", None),
        ("delivered", None),
    ]


async def test_retrying_a_delivered_delivery_is_a_documented_409(connected: Service) -> None:
    """It was a 400 (a bad request), undocumented: the request is fine, the state is not."""
    service = connected
    await accepted(service)

    def body(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json=GOOD_TOKEN)
        return httpx.Response(202, json={"reference": "REF-1"})

    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(body)) as client,
        service.runtime.db.session() as session,
    ):
        await connector.send_due(
            session, service.runtime.clock.now(), service.runtime.settings, client=client
        )
    (delivered,) = await deliveries(service)
    path = "/v1/certification-bodies/sgs-tuv/deliveries/{delivery_id}/retry"
    answer = await service.client.post(
        path.format(delivery_id=delivered["id"]), headers=service.admin
    )
    assert answer.status_code == 409, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    declared = (await service.client.get("/openapi.json")).json()["paths"][
        "/v1/certification-bodies/{body_id}/deliveries/{delivery_id}/retry"
    ]["post"]["responses"]
    assert {"404", "409"} <= set(declared)


# (what is malformed, the answer): some answers (a JSON list...) are tried as both a token and
# a state; each case must be one or the other, whichever audit is reconciled first.
@pytest.mark.parametrize(
    ("malformed", "answer"),
    [*(("token", a) for a in BAD_TOKENS), *(("state", a) for a in BAD_STATES)],
)
async def test_a_malformed_answer_fails_that_audit_s_reconciliation_and_the_others_go_on(
    connected: Service, malformed: str, answer: str, caplog: pytest.LogCaptureFixture
) -> None:
    service = connected
    await accepted(service, key="a")
    await accepted(service, key="b")
    broken, fine = (e["audit_id"] for e in await events(service, "audit.requested.v1"))
    accept_fine = {
        "type": "audit.accepted",
        "timestamp": wall_now().isoformat(),
        "data": {"audit_id": fine},
    }
    token_given = False
    asked: list[str] = []

    def body(request: httpx.Request) -> httpx.Response:
        nonlocal token_given
        if request.url.path == "/oauth/token":
            if malformed == "token" and not token_given:
                token_given = True
                return BAD_TOKENS[answer]()
            return httpx.Response(200, json=GOOD_TOKEN)
        asked.append(request.url.path.rsplit("/", 1)[-1])
        if request.url.path == f"/audit-requests/{broken}":
            if malformed == "state":
                return BAD_STATES[answer]()
            return httpx.Response(200, json={})
        assert request.url.path == f"/audit-requests/{fine}"
        return httpx.Response(
            200,
            json={
                "webhooks": [
                    7,  # not an event
                    {"webhook_id": "w" * 201, "payload": accept_fine},  # id too long to keep
                    {"webhook_id": "w-list", "payload": [accept_fine]},  # payload not an object
                    {"webhook_id": "w-accepted", "payload": accept_fine},
                ]
            },
        )

    caplog.set_level(logging.WARNING, logger=connector.__name__)
    later = service.runtime.clock.now() + timedelta(days=2)
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(body)) as client,
        service.runtime.db.session() as session,
    ):
        applied = await connector.reconcile(
            session, later, service.runtime.settings, service.runtime.clock, client=client
        )
    status = {
        audit_id: ok(await service.client.get(f"/v1/audits/{audit_id}", headers=service.admin))[
            "status"
        ]
        for audit_id in (broken, fine)
    }
    failures = [
        r.getMessage() for r in caplog.records if "reconciliation of audit" in r.getMessage()
    ]
    ignored = [r.getMessage() for r in caplog.records if "ignored, malformed" in r.getMessage()]
    if malformed == "token":
        # The bad token answer fails whichever audit is reconciled first; the other goes on.
        (failure,) = failures
        assert "token endpoint answered 200" in failure, failure
        (other,) = asked
        assert other not in failure
    else:
        (failure,) = failures
        assert broken in failure
        assert "answered 200" in failure
        assert sorted(asked) == sorted([broken, fine])
    if fine in asked:  # its good event applied once, its three malformed ones logged and skipped
        assert (applied, status[fine], len(ignored)) == (1, "accepted", 3), (applied, caplog.text)
    else:
        assert (applied, status[fine]) == (0, "requested")
    assert status[broken] == "requested"
