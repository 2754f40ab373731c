"""The diagnostic service's producing calls send a bounded number of SQL statements: completing
the CAP diagnostic and the CAP RSE self-assessment (the journey benchmark's)."""

from __future__ import annotations

import os
import time

from cap_shared.testing.statements import counting

from .conftest import Service
from .test_diagnostics import act, open_diagnostic, rate_all


async def test_completing_stays_within_its_statement_budget(service: Service) -> None:
    engine = service.runtime.db.engine
    spent: dict[str, tuple[int, float]] = {}

    async def timed(name: str, coro_fn):
        cpu = time.process_time()
        with counting(engine) as sent:
            answer = await coro_fn()
        spent[name] = (len(sent), (time.process_time() - cpu) * 1000)
        if os.environ.get("CAP_SHOW_STATEMENTS"):
            print(f"--- {name}: {len(sent)}\n{sent}")
        return answer

    diagnostic = await open_diagnostic(service)
    for action in ("schedule", "start"):
        assert (await act(service, diagnostic["id"], action)).status_code == 200
    await rate_all(service, diagnostic["id"], level=3)
    done = await timed(
        "complete", lambda: act(service, diagnostic["id"], "complete", service.facilitator())
    )
    assert done.status_code == 200, done.text
    # The answer counts the progress from the answers the completion read (22 criteria, the
    # last one not applicable), and its revision is the one stored.
    body = done.json()
    assert body["status"] == "rated"
    assert body["progress"] == {"criteria": 22, "rated": 21, "not_applicable": 1, "missing": 0}
    again = await service.client.get(
        f"/v1/diagnostics/{diagnostic['id']}", headers=service.member()
    )
    assert again.headers["etag"] == done.headers["etag"]
    assert again.json()["progress"] == body["progress"]
    rse = await service.client.post(
        "/v1/diagnostics",
        json={
            "organisation_id": service.organisations["a"].id,
            "referential_code": "CAP_RSE",
            "kind": "self_assessment",
        },
        headers=service.member(),
    )
    assert rse.status_code == 201, rse.text
    rse_id = rse.json()["id"]
    assert (await act(service, rse_id, "start")).status_code == 200
    await rate_all(service, rse_id, level=3, code="CAP_RSE")
    done = await timed("complete (self-assessment)", lambda: act(service, rse_id, "complete"))
    assert done.status_code == 200, done.text
    print({k: (n, round(ms, 1)) for k, (n, ms) in spent.items()})
    counts = {k: n for k, (n, _ms) in spent.items()}
    # One read of the diagnostic with its organisation (was two), one UPDATE of its row (was
    # four: the acting facilitator, the scores, the revision, the status), no DELETE of scores
    # it cannot have yet, no count of the answers it read already: 17 and 16 before.
    assert counts["complete"] <= 11, counts
    assert counts["complete (self-assessment)"] <= 11, counts
