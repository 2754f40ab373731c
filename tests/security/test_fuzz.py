"""Schemathesis over the merged API description, signed in as every role (issue 15).

The standalone platform is seeded with the authorization matrix's world (two tenants, a
person of each role, diagnostics, a plan, audits, findings, an application, a decision, a
recognition, notifications...), then every operation of ``GET /v1/openapi.json`` gets a few
generated requests (positive, negative, and positive ones whose path ids are the seeded
objects), sent through the gateway as each role in turn. Each answer must pass six checks:
no server error, a documented status code, a documented content type, a body that matches
the documented schema, the documented response headers, and, for a problem, a ``type`` in the
catalogue that the operation names on that status (``x-problem-types``).

``make test`` runs a few examples per operation; ``make fuzz`` many more
(``FUZZ_EXAMPLES``, ``FUZZ_SEED``). A failure that a change under way fixes can be listed in
``KNOWN_FAILURES`` with the request that shows it; a second test checks it still fails, so
its entry is deleted once the fix is merged.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import time
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cap_shared.testing.auth import bearer, sign_in
from cap_standalone.testing import PUBLIC_URL, Topology


def _matrix() -> Any:
    """The authorization matrix's module: its world is the fuzzer's seed data."""
    name = "cap_tests_authorization_matrix"
    if name not in sys.modules:
        path = Path(__file__).with_name("test_authorization_matrix.py")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


matrix = _matrix()

#: Examples per operation and kind of case (positive, negative, seeded ids): a few in
#: ``make test`` (about 40 s of CPU in all), more with ``make fuzz``.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
#: Hypothesis seed: a fixed one keeps ``make test`` reproducible; ``make fuzz`` varies it.
SEED = int(os.environ.get("FUZZ_SEED", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

#: Who the fuzzer signs in as (role -> the matrix's person), in the order they run: the
#: administrator last, since what it may do (disable accounts, revoke clients, rotate keys,
#: move clocks) changes the platform for everyone after it.
ROLES = {
    "anonymous": "anonymous",
    "certification_body": "client",
    "committee": "committee",
    "auditor": "auditor",
    "facilitator": "facilitator_a",
    "member": "member_a",
    "member_admin": "member_admin_a",
    "admin": "admin",
}

#: Operations the fuzzer leaves out, each with its reason. None today.
EXCLUDED: dict[str, str] = {}


# known failures -----------------------------------------------------------------------------
#: What a reproducer gets: the client (unhandled errors answered 500) and the seeded world.
Reproduce = Callable[[httpx.AsyncClient, Any], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class Known:
    """A failure the fuzzer finds that another change fixes: why, which answers it covers, and
    how to show it (``test_known_failures_still_fail`` runs ``reproduce``)."""

    reason: str
    #: Failure codes it explains: ST101 server error, ST103 undocumented status, ST105
    #: undocumented content type, ST108 response schema.
    codes: frozenset[str]
    #: Operations it is seen on (None: any).
    operations: frozenset[str] | None
    #: Whether an answer is this failure, from the request's path, its body and the answer.
    matches: Callable[[str, bytes, httpx.Response], bool]
    reproduce: Reproduce

    def covers(self, label: str, code: str, path: str, body: bytes, answer: httpx.Response) -> bool:
        """Whether this known failure explains failure ``code`` of ``label``."""
        in_scope = self.operations is None or label in self.operations
        return code in self.codes and in_scope and self.matches(path, body, answer)


def send_as(
    method: str, url: str, role: str = "admin", headers: dict[str, str] | None = None, **kwargs: Any
) -> Reproduce:
    """A reproducer sending one request as ``role`` of the matrix (``{name}`` in ``url`` and in
    a JSON body's strings: a seeded id, as in ``world.ids``)."""

    async def reproduce(client: httpx.AsyncClient, world: Any) -> httpx.Response:
        sent = {**world.headers[role], **(headers or {})}
        extra = dict(kwargs)
        if "json" in extra:
            extra["json"] = {
                k: v.format(**world.ids) if isinstance(v, str) else v
                for k, v in extra["json"].items()
            }
        return await client.request(method, url.format(**world.ids), headers=sent, **extra)

    return reproduce


#: Failures the fuzzer finds that a change under way fixes, by name, e.g.
#: ``"item 5: control character in a path": Known("the proxy answers 500 ...",
#: frozenset({"ST101", "ST103"}), None, lambda path, body, answer: ..., send_as("GET",
#: "/v1/registry/verify/%00", "anonymous"))``. Delete an entry once its fix is merged:
#: ``test_known_failures_still_fail`` then fails, naming it. Empty: the nine found on issue
#: 15's main (items 3, 5, 6, 8, 9) were fixed there and their entries deleted.
KNOWN_FAILURES: dict[str, Known] = {}

#: Seeded objects by path parameter name (keys of the matrix's ``world.ids``, or literals).
SEEDS: dict[str, list[str]] = {
    "action_id": ["{action_a}"],
    "api_client_id": ["{spare_api_client}"],
    "application_id": ["{application_a}"],
    "audit_id": ["{audit_a}", "{audit_doc}"],
    "auditor_id": ["{auditor_record}"],
    "body_id": ["sgs-tuv"],
    "code": ["CAP", "CAP_RSE", "{code_a}"],
    "complaint_id": ["{complaint_a}"],
    "decision_id": ["{decision_a}"],
    "diagnostic_id": ["{diagnostic_a}"],
    "finding_id": ["{finding_a}"],
    "invitation_id": ["{invitation_a}"],
    "notification_id": ["{notification_committee}"],
    "number": ["{number_a}"],
    "organisation_id": ["{org_a}", "{org_b}"],
    "plan_id": ["{plan_a}"],
    "programme_id": ["{programme_a}"],
    "recognition_id": ["{recognition_a}"],
    "resource_id": ["{resource}"],
    "subscription_id": ["{subscription}"],
    "user_id": ["{member_a}", "{committee_user}"],
    "version": ["1", "2"],
}


# generation ---------------------------------------------------------------------------------
def _draw(strategy: Any, count: int) -> list[Case]:
    """``count`` cases from ``strategy`` (fewer when it cannot make that many)."""
    drawn: list[Case] = []

    @seed(SEED)
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(case: Case) -> None:
        drawn.append(case)

    with contextlib.suppress(Unsatisfiable):  # e.g. nothing in it can be made invalid
        collect()
    return drawn


def _negatable(operation: Any) -> bool:
    """Whether a negative case can exist: an input with a constraint to break."""
    if len(operation.body) or len(operation.query) or len(operation.headers):
        return True
    return any(
        set(p.definition.get("schema", {})) - {"type", "title", "description"}
        for p in operation.path_parameters
    )


def _seeded(operation: Any, ids: dict[str, str]) -> dict[str, str] | None:
    """Path parameters naming seeded objects, or None when the operation has no such ids."""
    values = {}
    for parameter in operation.path_parameters:
        candidates = [c.format(**ids) for c in SEEDS.get(parameter.name, [])]
        if not candidates:
            return None
        values[parameter.name] = candidates[zlib.crc32(operation.label.encode()) % len(candidates)]
    return values or None


def generate(schema: Any, ids: dict[str, str]) -> dict[str, list[tuple[str, Case]]]:
    """Cases per operation label: positive, negative, and positive on seeded objects."""
    cases: dict[str, list[tuple[str, Case]]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in EXCLUDED:
            continue
        drawn = [("positive", c) for c in _draw(operation.as_strategy(), EXAMPLES)]
        if _negatable(operation):
            negative = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
            drawn += [("negative", c) for c in _draw(negative, EXAMPLES)]
        seeded = _seeded(operation, ids)
        if seeded:
            strategy = operation.as_strategy(path_parameters=seeded)
            drawn += [("seeded", c) for c in _draw(strategy, EXAMPLES)]
        cases[operation.label] = drawn
    return cases


# sending ------------------------------------------------------------------------------------
def _wire(case: Case, headers: dict[str, str]) -> requests.PreparedRequest | None:
    """The request as Schemathesis serialises it, or None when it cannot be put on the wire."""
    kwargs = case.as_transport_kwargs(base_url=PUBLIC_URL, headers=headers)
    try:
        return requests.Request(**kwargs).prepare()
    except (ValueError, requests.RequestException):
        return None


def _bytes(body: Any) -> bytes:
    return body.encode() if isinstance(body, str) else (body or b"")


async def send(
    client: httpx.AsyncClient, prepared: requests.PreparedRequest
) -> httpx.Response | None:
    """Send a prepared request through the gateway, in this event loop."""
    try:
        raw_headers = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in prepared.headers.items()
            if k.lower() != "content-length"
        ]
        request = client.build_request(
            str(prepared.method),
            str(prepared.url),
            headers=raw_headers,
            content=_bytes(prepared.body),
        )
    except (ValueError, UnicodeError, httpx.InvalidURL):
        return None
    return await client.send(request)


@dataclass
class Tally:
    """What one role's run did."""

    operations: int = 0
    cases: int = 0
    unsendable: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    known: Counter[str] = field(default_factory=Counter)
    #: (operation, code) -> one example: status, content type, body start.
    found: dict[tuple[str, str], str] = field(default_factory=dict)
    seconds: float = 0.0
    cpu: float = 0.0


#: Operation label -> status -> the problem codes it declares; and the catalogue's codes.
Problems = tuple[dict[str, dict[str, set[str]]], set[str]]


def declared_problems(document: dict[str, Any]) -> Problems:
    """What the document says each operation's errors are (``x-problem-types``)."""
    declared: dict[str, dict[str, set[str]]] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                declared[f"{method.upper()} {path}"] = {
                    status: set(response.get("x-problem-types", ()))
                    for status, response in operation["responses"].items()
                }
    return declared, set(document["components"]["x-problem-types"])


def problem_type_failure(problems: Problems, label: str, answer: httpx.Response) -> str | None:
    """Why a problem answer's ``type`` is not declared for its operation and status, if not."""
    if not answer.headers.get("content-type", "").startswith("application/problem+json"):
        return None
    uri = answer.json().get("type", "")
    code = uri.removeprefix("https://cap.coorace.org/problems/")
    declared, catalogue = problems
    named = declared.get(label, {}).get(str(answer.status_code), set())
    if code in catalogue and code in named:
        return None
    where = "not in the catalogue" if code not in catalogue else f"not among {sorted(named)}"
    return f"{answer.status_code} {code!r} {where}: {answer.text[:200]!r}"


async def fuzz(
    client: httpx.AsyncClient,
    cases: dict[str, list[tuple[str, Case]]],
    headers: dict[str, str],
    problems: Problems,
) -> Tally:
    """Send every case with ``headers``; tally answers and failed checks."""
    tally, started, cpu = Tally(), time.monotonic(), time.process_time()
    for label, drawn in cases.items():
        tally.operations += 1
        for _kind, case in drawn:
            prepared = _wire(case, headers)
            response = None if prepared is None else await send(client, prepared)
            if response is None or prepared is None:
                tally.unsendable += 1
                continue
            tally.cases += 1
            tally.statuses[response.status_code] += 1
            explained: set[str] = set()
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                path, body = urlsplit(str(prepared.url)).path, _bytes(prepared.body)
                for failure in group.exceptions:
                    key = (label, failure.code)
                    kind = f"{failure.code} {failure.title}"
                    known = [
                        name
                        for name, k in KNOWN_FAILURES.items()
                        if k.covers(label, failure.code, path, body, response)
                    ]
                    if known:
                        explained.add(known[0])
                        continue
                    tally.failures[kind] += 1
                    tally.found.setdefault(
                        key,
                        f"{response.status_code} {response.headers.get('content-type')} "
                        f"{case.method} {prepared and prepared.url}: {failure.title}: "
                        f"{failure.message[:300]!r} {response.text[:200]!r}",
                    )
            tally.known.update(explained)
            unlisted = problem_type_failure(problems, label, response)
            if unlisted:
                tally.failures["problem type not declared"] += 1
                tally.found.setdefault((label, "problem-type"), unlisted)
    tally.seconds, tally.cpu = time.monotonic() - started, time.process_time() - cpu
    return tally


# the platform -------------------------------------------------------------------------------
#: Limits out of the way (the fuzzer is one caller sending thousands of requests), tokens that
#: outlive a long ``make fuzz`` role, and live streams that end at once.
FUZZ_SETTINGS = {
    "gateway": {
        "rate_limit_user": "1000000/minute",
        "rate_limit_client": "1000000/minute",
        "rate_limit_anonymous": "1000000/minute",
        "access_token_ttl_s": 3600,
        "client_token_ttl_s": 3600,
    },
    "notifications": {"stream_max_s": 0.1},
}


@pytest.fixture
def topology_settings() -> dict[str, Any]:
    return FUZZ_SETTINGS


async def full_scope_client(world: Any) -> dict[str, str]:
    """A certification body's system holding every scope, signed in."""
    created = await world.client.post(
        "/v1/api-clients",
        json={
            "name": "Organisme (fuzz)",
            "certification_body_id": "sgs-tuv",
            "scopes": ["audits:read", "audits:write", "certifications:write"],
        },
        headers=world.headers["admin"],
    )
    assert created.status_code == 201, created.text
    secret = created.json()
    token = await world.client.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(secret["client_id"], secret["client_secret"]),
    )
    assert token.status_code == 200, token.text
    world.ids["fuzz_client"] = secret["client_id"]
    world.ids["fuzz_client_secret"] = secret["client_secret"]
    return bearer(token.json()["access_token"])


async def fresh_headers(world: Any, person: str) -> dict[str, str]:
    """A new token for ``person`` (tokens expire: each role starts with a fresh one)."""
    client = world.client
    if person == "anonymous":
        return {}
    if person == "admin":
        return await sign_in(client)
    if person == "client":
        token = await client.post(
            "/v1/auth/token",
            data={"grant_type": "client_credentials"},
            auth=(world.ids["fuzz_client"], world.ids["fuzz_client_secret"]),
        )
        assert token.status_code == 200, token.text
        return bearer(token.json()["access_token"])
    return await sign_in(client, matrix.email_of(person), matrix.PASSWORD)


def report(
    tallies: dict[str, Tally], generated: int, seconds: tuple[float, float]
) -> Iterator[str]:
    """The run's figures, one line per role, then every unexpected failure."""
    yield (
        f"fuzz: {generated} cases generated in {seconds[0]:.1f}s ({seconds[1]:.1f}s CPU), "
        f"{EXAMPLES} per operation and kind, seed {SEED}"
    )
    for role, t in tallies.items():
        refused = sum(t.statuses[s] for s in (401, 403, 404)) / max(t.cases, 1)
        yield (
            f"  {role:<18} {t.operations} operations, {t.cases} requests "
            f"({t.unsendable} unsendable) in {t.seconds:.1f}s ({t.cpu:.1f}s CPU), "
            f"{refused:.0%} answered 401/403/404; failures {dict(t.failures) or 0}; "
            f"known {dict(t.known) or 0}; statuses {dict(sorted(t.statuses.items()))}"
        )
    for role, t in tallies.items():
        for (label, code), example in sorted(t.found.items()):
            yield f"{role}: {label} {code}: {example}"


@pytest.mark.timeout(max(900, EXAMPLES * 90))
async def test_every_operation_as_every_role_passes_the_checks(standalone: Topology) -> None:
    world = await matrix.build_world(standalone)
    world.headers["client"] = await full_scope_client(world)
    document = (await standalone.client.get("/v1/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    started, cpu = time.monotonic(), time.process_time()
    cases = generate(schema, world.ids)
    generation = (time.monotonic() - started, time.process_time() - cpu)
    labels = {r.ok().label for r in schema.get_all_operations()}
    assert set(EXCLUDED) <= labels, "an exclusion names an operation that no longer exists"
    for known in KNOWN_FAILURES.values():
        assert known.operations is None or known.operations <= labels, known.reason
    tallies = {}
    # The gateway's own client, except that an unhandled error is answered (500), not raised.
    gateway = standalone.client._transport.app  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=gateway, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        for role, person in ROLES.items():
            headers = await fresh_headers(world, person)
            tallies[role] = await fuzz(client, cases, headers, declared_problems(document))
    lines = list(report(tallies, sum(map(len, cases.values())), generation))
    print("\n".join(lines))
    assert all(t.cases for t in tallies.values())
    assert not any(t.failures for t in tallies.values()), "\n".join(lines)


async def test_known_failures_still_fail(standalone: Topology) -> None:
    """Each known failure still shows; once fixed, its entry in KNOWN_FAILURES is deleted."""
    if not KNOWN_FAILURES:
        return  # nothing to show: no world to seed
    world = await matrix.build_world(standalone)
    gateway = standalone.client._transport.app  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=gateway, raise_app_exceptions=False)
    fixed = []
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        for name, known in KNOWN_FAILURES.items():
            answer = await known.reproduce(client, world)
            request = answer.request
            if not known.matches(urlsplit(str(request.url)).path, request.content, answer):
                fixed.append(f"{name}: now {answer.status_code} {answer.text[:200]}; delete it")
    assert fixed == [], "\n".join(fixed)
