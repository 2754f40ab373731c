"""Load the demo network into a running platform through the gateway's public API only.

Everything goes through ``/v1`` as an administrator's script would: register the structures,
invite the demo people (who accept and sign in), register the certification body and its
auditor, run each structure's CAP diagnostic to its progress plan, import the recognitions the
structures already hold (the admin CSV import), submit and move a few applications, and start
the first structure's plan. Services learn from one another by events, so each step that
depends on another service polls until that service knows what it needs.

**Idempotent**: what exists is found and skipped — structures by SIRET, people by e-mail,
diagnostics, recognitions and applications by structure — and what a crashed run left half
done is carried on (a diagnostic resumes at its status, a pending invitation is withdrawn and
sent again).
"""

from __future__ import annotations

import asyncio
import csv
import io
import time
import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar

import httpx

from cap_standalone.demo import network
from cap_standalone.demo.network import PEOPLE, STRUCTURES, Person, Structure

DEV_ADMIN_EMAIL = "admin@coorace.example"
DEV_ADMIN_PASSWORD = "cap-admin-dev"
#: Diagnostic statuses from which the CAP diagnostic counts as done.
_COMPLETED = ("rated", "plan_issued", "follow_up", "closed")
#: The way through a CAP session diagnostic, by status.
_NEXT_STEP = {
    "draft": "schedule",
    "scheduled": "start",
    "in_session": "complete",
    "rated": "issue_plan",
}
T = TypeVar("T")


class DemoError(Exception):
    """The demo could not be loaded (the message says what to do)."""


class PlatformUnreachable(DemoError):
    """Nothing answers at the base URL."""


class Reporter(Protocol):
    """Where the loader tells its progress (a progress bar, or nothing)."""

    def start(self, total: int) -> None:
        """The number of steps to come."""

    def step(self, description: str, advance: int = 1) -> None:
        """A step is done (``advance`` 0: only the description changes)."""


class _Silent:
    def start(self, total: int) -> None:
        """Nothing to show."""

    def step(self, description: str, advance: int = 1) -> None:
        """Nothing to show."""


@dataclass
class Actor:
    """A person signed in through the gateway (the token is renewed when it expires)."""

    email: str
    password: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Account:
    """A demo account as the summary shows it."""

    person: Person
    scope: str
    created: bool


@dataclass
class DemoResult:
    """What the demo loaded and where to look at it."""

    base_url: str
    admin_email: str
    admin_password: str
    password: str
    accounts: list[Account]
    #: SIRET -> organisation id of every demo structure.
    organisations: dict[str, str]
    created: dict[str, int]
    #: Useful ids and numbers for the links of the summary.
    links: dict[str, str]
    #: Totals of the network view of the region (None while fewer than five are diagnosed).
    statistics: dict[str, Any] | None
    seconds: float
    #: What did not settle in time (the data is loaded; a page may lag behind).
    warnings: list[str] = field(default_factory=list)


def _problem_code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        return str(body.get("type", "")).rsplit("/", 1)[-1]
    return ""


def _describe(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        parts = [str(body.get(k)) for k in ("title", "detail") if body.get(k)]
        if body.get("errors"):
            parts.append(str(body["errors"])[:500])
        if body.get("report"):
            parts.append(str(body["report"].get("errors"))[:800])
        return ": ".join(parts) or str(body)[:300]
    return str(body)[:300]


class Api:
    """The gateway, called as a client would: tokens, retries on 401 and 429, clear errors."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def sign_in(self, actor: Actor) -> None:
        """Sign ``actor`` in (password grant); raises DemoError when refused."""
        form = {"grant_type": "password", "username": actor.email, "password": actor.password}
        for _ in range(3):
            # Reading the JWKS first has the gateway re-read its signing keys outside any
            # transaction: when they are stale (30 s), a sign-in re-reads them inside its own
            # SQLite write transaction and waits on itself until the busy timeout (503).
            await self._send("GET", "/.well-known/jwks.json")
            response = await self._send("POST", "/v1/auth/token", data=form)
            if response.status_code != 503:
                break
        if response.status_code != 200:
            raise DemoError(
                f"{actor.email} cannot sign in ({response.status_code}: {_describe(response)}); "
                "if the account exists with another password, give it (--admin-password for "
                "the administrator, --password for the demo accounts)"
            )
        actor.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def _send(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        for _ in range(8):
            try:
                response = await self.client.request(method, url, headers=headers, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise PlatformUnreachable(
                    f"nothing answers at {self.client.base_url} ({exc.__class__.__name__}): "
                    "start the platform first (`make run` in another terminal), or give its "
                    "address with --base-url"
                ) from None
            if response.status_code != 429:
                return response
            # Rate limited (sign-ins are limited per account and per address): wait as told.
            await asyncio.sleep(min(float(response.headers.get("Retry-After", "1")), 60.0))
        return response

    async def call(
        self,
        actor: Actor | None,
        method: str,
        url: str,
        *,
        expect: Collection[int] = (200, 201),
        **kwargs: Any,
    ) -> httpx.Response:
        """One call as ``actor`` (None: anonymous); a status outside ``expect`` is a DemoError."""
        extra = dict(kwargs.pop("headers", None) or {})
        response = await self._send(
            method, url, headers={**(actor.headers if actor else {}), **extra}, **kwargs
        )
        if response.status_code == 401 and actor is not None:  # the access token expired
            await self.sign_in(actor)
            response = await self._send(method, url, headers={**actor.headers, **extra}, **kwargs)
        if response.status_code not in expect:
            raise DemoError(
                f"{method} {url} answered {response.status_code}: {_describe(response)}"
            )
        return response

    async def as_read(
        self, actor: Actor, method: str, url: str, *, read: str, **kwargs: Any
    ) -> httpx.Response:
        """A write on the resource as ``GET read`` shows it now: its ETag in If-Match (plans,
        actions, audit plans and decision files have concurrent editors: 428 without it)."""
        tag = (await self.call(actor, "GET", read, expect=(200,))).headers.get("etag")
        headers = {**(kwargs.pop("headers", None) or {}), **({"If-Match": tag} if tag else {})}
        return await self.call(actor, method, url, headers=headers, **kwargs)

    async def json(self, actor: Actor | None, method: str, url: str, **kwargs: Any) -> Any:
        """The JSON body of a successful call."""
        return (await self.call(actor, method, url, **kwargs)).json()

    async def pages(
        self, actor: Actor, url: str, *, params: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Every item of a cursor-paginated list (``{"data", "next_cursor"}``)."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            query: dict[str, Any] = {**(params or {}), "limit": 200}
            if cursor:
                query["cursor"] = cursor
            page = await self.json(actor, "GET", url, params=query)
            items += page["data"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


async def poll(
    what: str, attempt: Callable[[], Awaitable[T | None]], *, timeout: float, interval: float = 0.1
) -> T:
    """Call ``attempt`` until it gives something; a DemoError naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = await attempt()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise DemoError(
                f"timed out after {timeout:.0f} s waiting for {what}: are the platform's "
                "workers running? (see /v1/ops/<service>/dead-letters)"
            )
        await asyncio.sleep(interval)
        interval = min(interval * 1.5, 1.0)


class DemoLoader:
    """One run of the demo against one platform (see the module's docstring)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        structures: int = len(STRUCTURES),
        admin_email: str = DEV_ADMIN_EMAIL,
        admin_password: str = DEV_ADMIN_PASSWORD,
        password: str = network.DEFAULT_PASSWORD,
        timeout: float = 60.0,
        reporter: Reporter | None = None,
    ) -> None:
        if not 1 <= structures <= len(STRUCTURES):
            raise DemoError(f"the demo network has 1 to {len(STRUCTURES)} structures")
        if len(password) < 12:
            raise DemoError("the demo accounts' password needs 12 characters or more")
        self.api = Api(client)
        self.structures = STRUCTURES[:structures]
        self.admin = Actor(admin_email, admin_password)
        self.password = password
        self.timeout = timeout
        self.reporter: Reporter = reporter or _Silent()
        #: The platform's date (its labelling service's clock), read once signed in.
        self.today = date.min
        self.actors: dict[str, Actor] = {}
        self.user_ids: dict[str, str] = {}
        self.accounts: list[Account] = []
        self.org_ids: dict[int, str] = {}
        self.created: dict[str, int] = {
            "organisations": 0,
            "accounts": 0,
            "diagnostics": 0,
            "recognitions": 0,
            "applications": 0,
        }
        self.links: dict[str, str] = {}
        self.warnings: list[str] = []
        self.auditor_id = ""

    # the run ------------------------------------------------------------------------------------
    async def run(self) -> DemoResult:
        """Load the demo network; what is already there is kept."""
        started = time.monotonic()
        await self._ready()
        with_recognition = sum(1 for s in self.structures if s.recognition)
        applications = sum(1 for s in self.structures if s.application)
        # Structures, diagnostics, people, applications; body, import, plan, settling.
        self.reporter.start(2 * len(self.structures) + len(PEOPLE) + applications + 4)
        await self.api.sign_in(self.admin)
        # Dates of the demo (sessions, validity) are the platform's, which may run shifted.
        clock = await self.api.json(self.admin, "GET", "/v1/ops/labelling/clock")
        self.today = date.fromisoformat(clock["today"])
        await self._organisations()
        await self._people()
        await self._audit_side()
        criteria = await self._criteria()
        for index, structure in enumerate(self.structures):
            await self._diagnostic(index, structure, criteria)
            self.reporter.step(f"CAP diagnostic: {structure.name}")
        if with_recognition:
            await self._recognitions()
        self.reporter.step("Existing recognitions imported (CSV)")
        for index, structure in enumerate(self.structures):
            if structure.application is not None:
                await self._application(index, structure)
                self.reporter.step(f"Application: {structure.name}")
        await self._plan()
        self.reporter.step("The first structure's plan started")
        statistics = await self._settled()
        self.reporter.step("Events propagated to every service")
        return DemoResult(
            base_url=str(self.api.client.base_url).rstrip("/"),
            admin_email=self.admin.email,
            admin_password=self.admin.password,
            password=self.password,
            accounts=self.accounts,
            organisations={network.siret(i): org for i, org in self.org_ids.items()},
            created=self.created,
            links=self.links,
            statistics=statistics,
            seconds=time.monotonic() - started,
            warnings=self.warnings,
        )

    async def _ready(self) -> None:
        """The platform answers and is ready (it may still be starting)."""

        async def ready() -> bool | None:
            response = await self.api.call(None, "GET", "/readyz", expect=(200, 503))
            return True if response.status_code == 200 else None

        await poll("the platform to be ready (/readyz)", ready, timeout=self.timeout)

    # structures and people ------------------------------------------------------------------------
    async def _organisations(self) -> None:
        existing = {
            o["siret"]: o["id"] for o in await self.api.pages(self.admin, "/v1/organisations")
        }
        for index, structure in enumerate(self.structures):
            siret = network.siret(index)
            if siret not in existing:
                response = await self.api.call(
                    self.admin,
                    "POST",
                    "/v1/organisations",
                    json={
                        "siret": siret,
                        "name": structure.name,
                        "siae_types": list(structure.siae_types),
                        "region": network.REGION,
                        "delegation": network.DELEGATION,
                    },
                    expect=(201, 409),
                )
                if response.status_code == 409:  # registered meanwhile by someone else
                    existing = {
                        o["siret"]: o["id"]
                        for o in await self.api.pages(self.admin, "/v1/organisations")
                    }
                else:
                    existing[siret] = response.json()["id"]
                    self.created["organisations"] += 1
            self.org_ids[index] = existing[siret]
            self.reporter.step(f"Structure: {structure.name}")
        self.links["organisation_id"] = self.org_ids[0]

    def _scope(self, person: Person) -> dict[str, str]:
        if person.scope == "organisation":
            return {"organisation_id": self.org_ids[0]}
        if person.scope == "region":
            return {"region": network.REGION}
        if person.scope == "body":
            return {"certification_body_id": network.BODY_ID}
        return {}

    async def _people(self) -> None:
        users = {u["email"]: u for u in await self.api.pages(self.admin, "/v1/users")}
        pending = await self.api.pages(self.admin, "/v1/invitations")
        for person in PEOPLE:
            scope = self._scope(person)
            user = users.get(person.email)
            created = user is None
            if user is None:
                # A run that stopped between invitation and acceptance left one pending.
                for invitation in pending:
                    if invitation["email"] == person.email:
                        await self.api.call(
                            self.admin,
                            "DELETE",
                            f"/v1/invitations/{invitation['id']}",
                            expect=(204, 404),
                        )
                invited = await self.api.json(
                    self.admin,
                    "POST",
                    "/v1/invitations",
                    json={"email": person.email, "name": person.name, "role": person.role, **scope},
                )
                user = await self.api.json(
                    None,
                    "POST",
                    "/v1/invitations/accept",
                    json={"token": invited["token"], "password": self.password},
                )
                self.created["accounts"] += 1
            elif not any(
                m["role"] == person.role and all(m.get(k) == v for k, v in scope.items())
                for m in user["memberships"]
            ):
                user = await self.api.json(
                    self.admin,
                    "POST",
                    f"/v1/users/{user['id']}/memberships",
                    json={"role": person.role, **scope},
                )
            assert user is not None
            self.user_ids[person.key] = str(user["id"])
            actor = Actor(person.email, self.password)
            await self.api.sign_in(actor)
            self.actors[person.key] = actor
            scope_label = {
                "organisation": self.structures[0].name,
                "region": f"{network.REGION_NAME} ({network.REGION})",
                "body": network.BODY["name"],
            }.get(person.scope, "")
            self.accounts.append(Account(person, str(scope_label), created))
            self.reporter.step(f"Account: {person.name} ({person.role})")

    async def _audit_side(self) -> None:
        """The certification body and the demo auditor in the audit service's registry."""
        bodies = await self.api.pages(self.admin, "/v1/certification-bodies")
        if not any(b["id"] == network.BODY_ID for b in bodies):
            await self.api.call(
                self.admin, "POST", "/v1/certification-bodies", json=network.BODY, expect=(201, 409)
            )
        auditors = await self.api.pages(
            self.admin, "/v1/auditors", params={"certification_body_id": network.BODY_ID}
        )
        user_id = self.user_ids["auditor"]
        mine = [a for a in auditors if a["user_id"] == user_id]
        if mine:
            self.auditor_id = str(mine[0]["id"])
        else:
            person = network.AUDITOR
            qualified = {
                "valid_from": (self.today - timedelta(days=400)).isoformat(),
                "valid_until": (self.today + timedelta(days=3 * 365)).isoformat(),
            }
            auditor = await self.api.json(
                self.admin,
                "POST",
                "/v1/auditors",
                json={
                    "certification_body_id": network.BODY_ID,
                    "name": person.name,
                    "email": person.email,
                    "user_id": user_id,
                    "qualifications": [
                        {"scheme": "CAP_ISO9001", **qualified},
                        {"scheme": "CAP_RSE", **qualified},
                    ],
                    # The body's only auditor plans its audits: told of every request.
                    "planner": True,
                },
            )
            self.auditor_id = str(auditor["id"])
        self.reporter.step(f"Certification body: {network.BODY['name']}")

    # diagnostics ------------------------------------------------------------------------------------
    async def _criteria(self) -> list[dict[str, Any]]:
        referentials = await self.api.pages(self.admin, "/v1/referentials")
        versions = [r["version"] for r in referentials if r["code"] == "CAP"]
        if not versions:
            raise DemoError("the platform has no CAP referential")
        referential = await self.api.json(
            self.admin, "GET", f"/v1/referentials/CAP/versions/{max(versions)}"
        )
        return [c for theme in referential["themes"] for c in theme["criteria"]]

    async def _diagnostic(
        self, index: int, structure: Structure, criteria: list[dict[str, Any]]
    ) -> None:
        """The structure's one-day CAP session, run by the region's facilitator, to its plan."""
        facilitator = self.actors["facilitator"]
        organisation_id = self.org_ids[index]
        listed = await self.api.json(
            facilitator,
            "GET",
            "/v1/diagnostics",
            params={"organisation_id": organisation_id, "limit": 200},
        )
        cap = [d for d in listed["data"] if d["referential"].get("code") == "CAP"]
        done = [d for d in cap if d["status"] in _COMPLETED]
        started = [d for d in cap if d["kind"] == "cap_session" and d["status"] in _NEXT_STEP]
        if done:
            diagnostic = done[0]
        elif started:  # left half done by an earlier run: carry on
            diagnostic = started[0]
        else:
            diagnostic = await self._open(index, structure, organisation_id)
        url = f"/v1/diagnostics/{diagnostic['id']}"
        while diagnostic["status"] not in ("plan_issued", "follow_up", "closed"):
            action = _NEXT_STEP.get(diagnostic["status"], "")
            if action not in diagnostic["allowed_actions"]:
                raise DemoError(
                    f"the diagnostic of {structure.name} is {diagnostic['status']}; "
                    f"the demo cannot move it ({diagnostic['allowed_actions']})"
                )
            if action == "complete":
                await self._rate(url, index, structure, criteria)
            diagnostic = await self.api.json(
                facilitator, "POST", f"{url}/transitions", json={"action": action}
            )
            if action == "complete":
                self.created["diagnostics"] += 1
        if index == 0:
            self.links["diagnostic_id"] = str(diagnostic["id"])

    async def _open(self, index: int, structure: Structure, organisation_id: str) -> dict[str, Any]:
        facilitator = self.actors["facilitator"]
        body = {
            "organisation_id": organisation_id,
            "kind": "cap_session",
            "title": f"Diagnostic CAP — {structure.name} ({structure.town})",
            "session_date": network.session_date(index, self.today).isoformat(),
            "facilitator": f"{network.FACILITATOR.name} ({network.DELEGATION})",
            "participants": network.participants(structure),
        }

        async def opened() -> dict[str, Any] | None:
            # The structure reaches the diagnostic service by event: 422 until it has.
            response = await self.api.call(
                facilitator, "POST", "/v1/diagnostics", json=body, expect=(201, 422)
            )
            if response.status_code == 201:
                return dict(response.json())
            if _problem_code(response) != "unknown-organisation":
                raise DemoError(
                    f"opening the diagnostic of {structure.name}: {_describe(response)}"
                )
            return None

        return await poll(
            f"the diagnostic service to know {structure.name}", opened, timeout=self.timeout
        )

    async def _rate(
        self, url: str, index: int, structure: Structure, criteria: list[dict[str, Any]]
    ) -> None:
        facilitator = self.actors["facilitator"]
        levels = network.levels(structure, index, criteria)
        answers = []
        for criterion in criteria:
            level = levels[criterion["urn"]]
            top = max(int(s["value"]) for s in criterion.get("scale") or [{"value": 4}])
            answer: dict[str, Any] = {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{url}#{criterion['urn']}")),
                "criterion": criterion["urn"],
                "level": level,
            }
            note = network.comment(str(criterion.get("code")), level, top)
            if note:
                answer["comment"] = note
            answers.append(answer)
        await self.api.call(facilitator, "PUT", f"{url}/answers", json={"answers": answers})
        await self.api.call(
            facilitator,
            "PUT",
            f"{url}/key-figures",
            json=network.key_figures(structure, index, self.today),
        )

    # recognitions -------------------------------------------------------------------------------
    async def _recognitions(self) -> None:
        """The labels and certificates structures already hold, by the admin CSV import."""
        held = {
            (r["organisation_id"], r["scheme"])
            for r in await self.api.pages(self.admin, "/v1/recognitions")
        }
        lines = [
            network.import_line(structure, index, self.today)
            for index, structure in enumerate(self.structures)
            if structure.recognition is not None
            and (self.org_ids[index], structure.recognition.scheme) not in held
        ]
        if lines:
            content = self._csv(lines)

            async def known() -> bool | None:
                # The structures reach the labelling service by event; a dry run says when.
                report = await self._import(content, dry_run=True)
                if not report["errors"]:
                    return True
                if all("aucune structure" in e["reason"] for e in report["errors"]):
                    return None
                raise DemoError(f"the recognitions import is refused: {report['errors']}")

            await poll("the labelling service to know the structures", known, timeout=self.timeout)
            report = await self._import(content, dry_run=False)
            self.created["recognitions"] += int(report["imported"])
        recognitions = [
            r
            for r in await self.api.pages(self.admin, "/v1/recognitions")
            if r["organisation_id"] in self.org_ids.values() and r["status"] == "active"
        ]
        recognitions.sort(key=lambda r: str(r["decided_on"]), reverse=True)
        for scheme in ("CAP_ISO9001", "CAP_RSE"):  # the newest of each scheme for the links
            shown = next((r for r in recognitions if r["scheme"] == scheme), None)
            if shown is not None:
                self.links[f"{scheme}_number"] = shown["number"]
                self.links[f"{scheme}_code"] = shown["verification_code"]

    @staticmethod
    def _csv(lines: list[dict[str, str]]) -> bytes:
        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=network.IMPORT_COLUMNS, delimiter=";", lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(lines)
        return out.getvalue().encode()

    async def _import(self, content: bytes, *, dry_run: bool) -> dict[str, Any]:
        response = await self.api.call(
            self.admin,
            "POST",
            "/v1/recognitions/imports",
            params={"dry_run": str(dry_run).lower()},
            files={"file": ("reconnaissances-occitanie.csv", content, "text/csv")},
        )
        return dict(response.json())

    # applications -------------------------------------------------------------------------------
    async def _application(self, index: int, structure: Structure) -> None:
        """Submit the structure's application, then move it to its stage."""
        spec = structure.application
        assert spec is not None
        organisation_id = self.org_ids[index]
        existing = [
            a
            for a in await self.api.pages(self.admin, "/v1/applications")
            if a["organisation_id"] == organisation_id and a["scheme"] == spec.scheme
        ]
        if existing:
            application = existing[0]
        else:
            # The structure's member_admin applies when the demo has one, else the federation.
            applicant = self.actors["member_admin"] if index == 0 else self.admin
            body = {
                "organisation_id": organisation_id,
                "scheme": spec.scheme,
                "certification_body_id": network.BODY_ID,
                "motivation": spec.motivation,
            }

            async def submitted() -> dict[str, Any] | None:
                # Eligible once the diagnostic's completion reached the labelling service.
                response = await self.api.call(
                    applicant, "POST", "/v1/applications", json=body, expect=(201, 404, 422)
                )
                if response.status_code == 201:
                    return dict(response.json())
                if response.status_code == 422 and _problem_code(response) != "not-eligible":
                    raise DemoError(f"applying for {structure.name}: {_describe(response)}")
                return None

            application = await poll(
                f"the labelling service to find {structure.name} eligible",
                submitted,
                timeout=self.timeout,
            )
            self.created["applications"] += 1
        if spec.stage != "submitted" and application["status"] == "submitted":
            application = await self.api.json(
                self.actors["committee"],
                "POST",
                f"/v1/applications/{application['id']}/transitions",
                json={"step": "accept"},
            )
        if spec.stage == "planned" and application["status"] == "accepted":
            await self._plan_first_audit(organisation_id, structure)

    async def _plan_first_audit(self, organisation_id: str, structure: Structure) -> None:
        """Accept the first audit for the body and plan it with the demo auditor as lead."""

        async def requested() -> dict[str, Any] | None:
            audits = await self.api.pages(
                self.admin, "/v1/audits", params={"organisation_id": organisation_id}
            )
            return next(iter(audits), None)

        audit = await poll(
            f"the audit service to request the first audit of {structure.name}",
            requested,
            timeout=self.timeout,
        )
        url = f"/v1/audits/{audit['id']}"
        if audit["status"] == "requested":
            audit = await self.api.json(
                self.admin, "POST", f"{url}/transitions", json={"step": "accept"}
            )
        if audit["status"] == "accepted":
            start = self.today + timedelta(days=24)
            await self.api.as_read(
                self.admin,
                "PUT",
                f"{url}/plan",
                read=url,
                json={
                    "start_date": start.isoformat(),
                    "end_date": (start + timedelta(days=1)).isoformat(),
                    "plan": (
                        "Jour 1 : réunion d'ouverture, revue documentaire (processus accueil, "
                        "accompagnement, relations entreprises), entretiens avec la direction "
                        "et les CIP.\nJour 2 : visite d'agence, entretiens avec des salariés en "
                        "parcours et des clients, réunion de clôture."
                    ),
                    "team": [
                        {
                            "auditor_id": self.auditor_id,
                            "role": "lead",
                            "declaration": (
                                "Je déclare n'avoir ni conseillé ni audité cette structure au "
                                "cours des deux dernières années."
                            ),
                        }
                    ],
                },
            )
        self.links["audit_id"] = str(audit["id"])

    # the first structure's plan -----------------------------------------------------------------
    async def _plan(self) -> None:
        """Claire (member_admin) and Karim (member) start the plan; Sophie verifies an action."""
        member_admin, member = self.actors["member_admin"], self.actors["member"]
        plans = await self.api.pages(member_admin, "/v1/progress-plans")
        plan = next((p for p in plans if p["organisation_id"] == self.org_ids[0]), None)
        if plan is None:
            return
        self.links["plan_id"] = str(plan["id"])
        actions = plan["actions"]
        if not actions or any(a["status"] != "proposed" for a in actions):
            return  # already started (by an earlier run, or by someone trying the demo)
        steps: list[tuple[str, list[tuple[Actor, str, str]]]] = [
            (
                "Claire Martin",
                [
                    (member_admin, "plan", "Inscrit au plan de l'année."),
                    (member_admin, "start", ""),
                    (member_admin, "complete", "Fait : voir le compte rendu du CA."),
                    (self.actors["facilitator"], "verify", "Vérifié lors de la visite de suivi."),
                ],
            ),
            (
                "Karim Benali",
                [
                    (member_admin, "plan", ""),
                    (member, "start", "Premiers entretiens menés avec l'équipe."),
                ],
            ),
            ("Claire Martin", [(member_admin, "plan", "")]),
        ]
        for action, (owner, moves) in zip(actions, steps, strict=False):
            url = f"/v1/actions/{action['id']}"
            await self.api.as_read(member_admin, "PATCH", url, read=url, json={"owner": owner})
            for actor, step, note in moves:
                await self.api.as_read(
                    actor,
                    "POST",
                    f"{url}/transitions",
                    read=url,
                    json={"step": step, **({"note": note} if note else {})},
                )

    # settling -----------------------------------------------------------------------------------
    async def _settled(self) -> dict[str, Any] | None:
        """Wait until the recognitions and the people reached the services that show them."""
        facilitator = self.actors["facilitator"]
        recognitions = [
            r
            for r in await self.api.pages(self.admin, "/v1/recognitions")
            if r["organisation_id"] in self.org_ids.values() and r["status"] == "active"
        ]
        expected = {
            scheme: sum(1 for r in recognitions if r["scheme"] == scheme)
            for scheme in ("CAP_RSE", "CAP_ISO9001")
        }

        async def counted() -> dict[str, Any] | None:
            # Labelled and certified counts come from recognition.status_changed.v1 events.
            view = await self.api.json(
                facilitator,
                "GET",
                "/v1/statistics/network",
                params={"referential": "CAP", "region": network.REGION},
            )
            totals = view.get("totals") or {}
            if totals.get("suppressed"):
                return {}
            if (
                totals.get("labelled", 0) >= expected["CAP_RSE"]
                and totals.get("certified", 0) >= expected["CAP_ISO9001"]
            ):
                return dict(totals)
            return None

        totals = await poll(
            "the network view to count the recognitions", counted, timeout=self.timeout
        )

        async def notified() -> bool | None:
            # The people reach the notifications service by event, then their notifications.
            feed = await self.api.json(
                self.actors["member_admin"], "GET", "/v1/notifications", params={"limit": 1}
            )
            return True if feed["data"] else None

        try:
            await poll("the first notifications in the feeds", notified, timeout=self.timeout)
        except DemoError as exc:  # e.g. the structure was diagnosed before its people joined
            self.warnings.append(str(exc))
        return totals or None


async def load_demo(
    client: httpx.AsyncClient,
    *,
    structures: int = len(STRUCTURES),
    admin_email: str = DEV_ADMIN_EMAIL,
    admin_password: str = DEV_ADMIN_PASSWORD,
    password: str = network.DEFAULT_PASSWORD,
    timeout: float = 60.0,
    reporter: Reporter | None = None,
) -> DemoResult:
    """Load the demo network (the first ``structures`` of it) through ``client``, a client on
    the gateway; safe to run again."""
    loader = DemoLoader(
        client,
        structures=structures,
        admin_email=admin_email,
        admin_password=admin_password,
        password=password,
        timeout=timeout,
        reporter=reporter,
    )
    return await loader.run()
