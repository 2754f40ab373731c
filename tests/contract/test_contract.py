"""The contract in the repository (docs/api/) is the code's, follows the API's rules, and does
not break clients of the released contract unless its version says so.

* stale: docs/api/openapi.json and asyncapi.json are regenerated in-process and compared;
* rules: the merged OpenAPI document is walked (cap_shared.contracts.conformance): typed
  errors, typed success bodies, one list shape, Idempotency-Key on writes, If-Match on
  PATCH/PUT, ETag on single-resource GETs; the failure lists the offending operations by rule;
* breaking: against the last released contract (docs/api/released/), see docs/api/README.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from cap_shared.contracts import breaking, conformance
from cap_standalone import contract
from cap_standalone.platform import Platform, StandaloneSettings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rendered() -> dict[Path, str]:
    return contract.rendered()


@pytest.fixture(scope="module")
def document(rendered: dict[Path, str]) -> dict[str, Any]:
    built: dict[str, Any] = json.loads(rendered[contract.OPENAPI])
    return built


def test_the_committed_contract_is_the_codes(rendered: dict[Path, str]) -> None:
    stale = [
        str(path)
        for path, text in rendered.items()
        if not (ROOT / path).exists() or (ROOT / path).read_text(encoding="utf-8") != text
    ]
    assert not stale, f"stale: {', '.join(stale)}: run make contract (and commit docs/api/)"


async def test_the_gateway_serves_the_committed_document(tmp_path: Path) -> None:
    """``GET /v1/openapi.json`` on a running standalone platform answers the committed file."""
    with contract.code_defaults():
        platform = Platform(StandaloneSettings(data_dir=tmp_path))
        platform.build()
    assert platform.gateway is not None
    transport = httpx.ASGITransport(app=platform.gateway)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://cap.test") as client:
            served = (await client.get("/v1/openapi.json")).json()
    finally:
        await platform.gateway.state.upstreams.aclose()
    committed = json.loads((ROOT / contract.OPENAPI).read_text(encoding="utf-8"))
    assert served == committed, "run make contract"


def test_the_document_is_host_independent_with_the_outbound_calls(
    document: dict[str, Any],
) -> None:
    """The servers entry is relative (no host of the machine that built it); the outbound
    calls are in webhooks."""
    assert document["servers"] == [{"description": "The platform's public base URL", "url": "/"}]
    text = json.dumps(document)
    assert "127.0.0.1" not in text
    assert ":8000" not in text
    webhooks = document["webhooks"]
    assert "diagnostic.completed.v1" in webhooks  # notifications' deliveries, by event type
    delivery = webhooks["diagnostic.completed.v1"]["post"]
    body = delivery["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body == "#/components/schemas/DiagnosticCompletedV1Delivery"
    assert {p["name"] for p in delivery["parameters"]} == {
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }
    request = webhooks["certification-body:/audit-requests"]["post"]  # the audit's calls
    assert request["parameters"][0]["name"] == "Idempotency-Key"
    # A webhook is not an operation clients call: none is in the paths.
    assert not [p for p in document["paths"] if not p.startswith(("/v1/", "/.well-known/"))]


def test_the_asyncapi_names_every_consumer(rendered: dict[Path, str]) -> None:
    document = json.loads(rendered[contract.ASYNCAPI])
    receivers = {
        (op["x-consumer"], op["channel"]["$ref"].rsplit("/", 1)[1])
        for op in document["operations"].values()
        if op["action"] == "receive"
    }
    for service, event_types in contract.consumers().items():
        for event_type in event_types:
            assert (service, event_type.replace(".", "_")) in receivers
    assert ("audit", "diagnostic_completed_v1") in receivers


def test_every_operation_follows_the_rules(document: dict[str, Any]) -> None:
    """Failure message: the counts, then each rule's offending operations."""
    report = conformance.check(document)
    if report.violations:
        pytest.fail(f"the API breaks its rules:\n{report.counts()}\n\n{report.failures()}")


def test_no_breaking_change_unless_the_major_version_says_so() -> None:
    released_path = breaking.latest_release(ROOT / breaking.RELEASED)
    assert released_path is not None, "no released contract under docs/api/released/"
    released = json.loads(released_path.read_text(encoding="utf-8"))
    current = json.loads((ROOT / breaking.CURRENT).read_text(encoding="utf-8"))
    ok, changes = breaking.verdict(released, current)
    old, new = released["info"]["version"], current["info"]["version"]
    assert ok, (
        f"{len(changes)} breaking change(s) from the released {old} to {new}, which keeps its "
        "major: bump API_VERSION's major (gateway/src/cap_gateway/openapi.py), run make "
        "contract, then `python -m cap_shared.contracts.breaking --release` "
        f"(docs/api/README.md)\n{breaking.summary(changes)}"
    )
