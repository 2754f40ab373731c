"""The audit service's hot calls send a bounded number of SQL statements, whatever the size of
the batch or the number of audits: the CAP RSE audit as the journey benchmark drives it."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from cap_shared.testing.conditional import if_match
from cap_shared.testing.dependencies import sync_dependencies
from cap_shared.testing.statements import counting

from .conftest import Service, ok
from .test_audits import accepted, events, setup_body, step, team

RSE = "urn:coorace:referentiel:cap-rse:critere"
CRITERIA = [f"{RSE}:r{i}" for i in range(1, 36)]


async def test_the_rse_audit_s_calls_stay_within_their_statement_budgets(
    service: Service,
) -> None:
    people = await setup_body(service)
    await accepted(service, scheme="CAP_RSE")
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    lead = service.auditor(people["lead"]["user_id"])
    url = f"/v1/audits/{audit_id}"
    engine = service.runtime.db.engine
    spent: dict[str, tuple[int, float]] = {}
    statements: dict[str, list[str]] = {}

    async def call(name: str, method: str, path: str, status: int = 200, **kwargs) -> dict:
        cpu = time.process_time()
        with counting(engine) as sent:
            answer = ok(await service.client.request(method, path, **kwargs), status)
        spent[name] = (len(sent), (time.process_time() - cpu) * 1000)
        statements[name] = sent.sent
        if os.environ.get("CAP_SHOW_STATEMENTS"):
            print(f"--- {name}: {len(sent)}\n{sent}")
        return answer

    await call("list (director)", "GET", "/v1/audits", headers=service.member())
    await call(
        "accept", "POST", f"{url}/transitions", json={"step": "accept"}, headers=service.admin
    )
    plan = {
        "start_date": "2027-01-11",
        "end_date": "2027-01-12",
        "plan": "Évaluation",
        "team": team(people, ("lead", "lead")),
    }
    headers = await if_match(service.client, url, service.admin)
    await call("plan", "PUT", f"{url}/plan", json=plan, headers=headers)
    await call("start", "POST", f"{url}/transitions", json={"step": "start"}, headers=lead)
    major = await call(
        "finding",
        "POST",
        f"{url}/findings",
        201,
        json={"type": "major_nc", "title": "DUERP", "criterion_urn": f"{RSE}:r8"},
        headers=lead,
    )
    levels = [{"criterion_urn": c, "level": 3} for c in CRITERIA]
    await call("maturity", "PUT", f"{url}/maturity", json={"levels": levels}, headers=lead)
    service.runtime.clock.advance(timedelta(days=0))
    await call(
        "submit",
        "POST",
        f"{url}/transitions",
        json={"step": "submit_report", "summary": "Une NC majeure."},
        headers=lead,
    )
    answer = {
        "root_cause": "Pas de responsable",
        "correction": "DUERP révisé",
        "corrective_action": "Revue annuelle",
        "action_due": "2027-03-01",
    }
    await call(
        "respond",
        "POST",
        f"/v1/findings/{major['id']}/response",
        json=answer,
        headers=service.member(),
    )
    await call(
        "review",
        "POST",
        f"/v1/findings/{major['id']}/review",
        json={"decision": "verify"},
        headers=lead,
    )
    await call("close", "POST", f"{url}/transitions", json={"step": "close"}, headers=lead)
    print({k: (n, round(ms, 1)) for k, (n, ms) in spent.items()})
    counts = {k: n for k, (n, _ms) in spent.items()}
    # The batch is one statement (it was a SELECT and an INSERT per criterion: 84 in all).
    assert counts["maturity"] <= 9, counts
    # The team is read once per request (it was read up to three times), the deciding
    # findings once per answer (they were read twice), the readable structures once.
    assert counts["list (director)"] <= 9, counts
    # The audit's own findings read by the report only (every step read them: 13, 13, 17,
    # 16 before); the status in the step's one UPDATE of the audit (two for the report and the
    # closure); the deciding findings read once per request until a finding is written (the
    # closure's rule and its answer; the plan's If-Match and its answer); the programme kept
    # for the transaction (the session's identity map let it go between two reads).
    assert counts["accept"] <= 12, counts
    assert counts["start"] <= 12, counts
    assert counts["close"] <= 13, counts
    assert counts["submit"] <= 16, counts
    # Its two audit-trail entries: the chain's lock and head read once (they were twice);
    # 22 before.
    assert counts["plan"] <= 19, counts
    # A step's answer is read before its trail's entry: the entry's INSERT, deferred to the
    # transaction's next statement, goes with the COMMIT (RELEASE here) instead of taking a
    # round trip of its own before the answer's first read (which followed the chain's head).
    for name in ("accept", "start", "close", "submit"):
        *_, head, end = statements[name]
        assert head.startswith("SELECT audit_log.seq, audit_log.hash"), (name, statements[name])
        assert end.startswith("RELEASE SAVEPOINT"), (name, end)
    # The evaluation was saved: the report carries it, and it reads back.
    read = ok(await service.client.get(f"{url}/maturity", headers=lead))
    assert [(m["criterion_urn"], m["level"]) for m in read["levels"]] == sorted(
        (c, 3) for c in CRITERIA
    )


async def test_a_maturity_batch_replaces_what_was_evaluated_last_one_winning(
    service: Service,
) -> None:
    people = await setup_body(service)
    await accepted(service, scheme="CAP_RSE")
    audit_id = (await events(service, "audit.requested.v1"))[0]["audit_id"]
    lead = service.auditor(people["lead"]["user_id"])
    url = f"/v1/audits/{audit_id}"
    await step(service, audit_id, service.admin, "accept")
    plan = {
        "start_date": "2027-01-11",
        "end_date": "2027-01-11",
        "plan": "Évaluation",
        "team": team(people, ("lead", "lead")),
    }
    headers = await if_match(service.client, url, service.admin)
    ok(await service.client.put(f"{url}/plan", json=plan, headers=headers))
    await step(service, audit_id, lead, "start")
    first = [{"criterion_urn": CRITERIA[0], "level": 1}, {"criterion_urn": CRITERIA[1], "level": 2}]
    assert ok(
        await service.client.put(f"{url}/maturity", json={"levels": first}, headers=lead)
    ) == {"recorded": 2}
    again = [
        {"criterion_urn": CRITERIA[1], "level": 4, "comment": "Revu"},
        {"criterion_urn": CRITERIA[2], "level": 3},
        {"criterion_urn": CRITERIA[2], "level": 0, "not_applicable": True, "comment": "Sans objet"},
    ]
    answer = await service.client.put(f"{url}/maturity", json={"levels": again}, headers=lead)
    assert ok(answer) == {"recorded": 3}
    # The answer's ETag is the audit's, as GET shows it.
    assert answer.headers["ETag"] == (await service.client.get(url, headers=lead)).headers["ETag"]
    read = ok(await service.client.get(f"{url}/maturity", headers=lead))
    assert [
        (m["criterion_urn"], m["level"], m["not_applicable"], m["comment"]) for m in read["levels"]
    ] == [
        (CRITERIA[0], 1, False, None),
        (CRITERIA[1], 4, False, "Revu"),
        (CRITERIA[2], 0, True, "Sans objet"),
    ]
    # A stale If-Match is still refused (412), and nothing is written.
    stale = {"If-Match": '"0000"'}
    refused = await service.client.put(
        f"{url}/maturity", json={"levels": first}, headers={**lead, **stale}
    )
    assert refused.status_code == 412
    assert refused.headers["content-type"].startswith("application/problem+json")


async def test_no_route_dependency_runs_in_the_thread_pool(service: Service) -> None:
    app = service.client._transport.app  # type: ignore[attr-defined]
    assert sync_dependencies(app) == []
