"""The administrators' integration and operations screens in a real browser: an admin replays a
dead letter; API clients and webhooks used as a person would; every page checked (axe, CSP) at
375 px and 1280 px.

A dead letter needs a consumer that fails, which no HTTP call can cause on purpose. So these
tests serve their own platform — the standalone composition root, as ``make run`` serves it, in
a thread of this process rather than in another process — so that a test can break the audit
service's handler of one event type, as ``tests/integration/test_dead_letters.py`` does, then
fix it. Everything else is the platform's real path: an organisation registered through the API,
its event published by the gateway's outbox, retried by the audit service's consumer, moved to
the dead-letter queue and into the table the operator routes read; the replay goes through the
console, the gateway and the audit service's operator route back to its queue.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from collections.abc import Coroutine, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from cap_shared.cli import EmbeddedServer
from cap_shared.testing.auth import DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD
from cap_shared.testing.net import free_port
from cap_standalone.platform import Platform, StandaloneSettings

from .conftest import check, new_page, sign_in

EVENT = "identity.organisation.registered.v1"


class ThreadedPlatform:
    """The standalone platform served on a free port from a thread with its own event loop."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.platform = Platform(
            StandaloneSettings(
                data_dir=data_dir,
                port=self.port,
                public_base_url=self.url,
                retry_delays_s=[0.1, 0.2],
                drain_timeout_s=2,
                log_level="WARNING",
            )
        )
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: EmbeddedServer | None = None
        self.serving: Any = None

    def run(self, coroutine: Coroutine[Any, Any, Any], timeout: float = 90) -> Any:
        """Run ``coroutine`` on the platform's loop; its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self) -> None:
        """Start the platform, serve it, wait until it answers."""
        import uvicorn

        self.thread.start()
        self.run(self.platform.start())
        assert self.platform.app is not None
        config = uvicorn.Config(
            self.platform.app, host="127.0.0.1", port=self.port, log_config=None, lifespan="off"
        )
        self.server = EmbeddedServer(config)
        self.serving = asyncio.run_coroutine_threadsafe(self.server.serve(), self.loop)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the platform did not answer in 60 s")

    def stop(self) -> None:
        """Stop serving, stop the platform, stop the loop."""
        if self.server is not None:
            self.server.should_exit = True
            self.serving.result(30)
        self.run(self.platform.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedPlatform]:
    """This module's platform (no demo network: the administrator is all these tests need)."""
    served = ThreadedPlatform(tmp_path_factory.mktemp("ops"))
    served.start()
    try:
        yield served
    finally:
        served.stop()


def admin_token(ops: ThreadedPlatform) -> dict[str, str]:
    answer = httpx.post(
        f"{ops.url}/v1/auth/token",
        data={
            "grant_type": "password",
            "username": DEV_ADMIN_EMAIL,
            "password": DEV_ADMIN_PASSWORD,
        },
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return {"authorization": f"Bearer {answer.json()['access_token']}"}


def api(ops: ThreadedPlatform, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
    answer = httpx.request(method, f"{ops.url}{path}", headers=headers, timeout=30, **kw)
    assert answer.status_code < 300, answer.text
    return answer.json() if answer.content else None


def wait_for(predicate: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def open_page(chromium: Any, ops: ThreadedPlatform, width: int) -> Any:
    """A page on this module's platform, the administrator signed in."""

    page = new_page(chromium, SimpleNamespace(url=ops.url), width)  # new_page reads .url only
    sign_in(page, DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD, next="/admin")
    page.cap_errors.clear()  # the gateway's sign-in page: not the console's (see progress tests)
    return page


@pytest.mark.browser
def test_an_admin_replays_a_dead_letter(chromium: Any, ops: ThreadedPlatform, width: int) -> None:
    admin = admin_token(ops)
    audit = ops.platform.runtimes["audit"]
    original = audit.consumer.handlers[EVENT]
    broken = {"on": True}

    async def flaky(session: Any, envelope: Any, event: Any) -> None:
        if broken["on"]:
            raise RuntimeError("audit read model bug (test)")
        await original(session, envelope, event)

    audit.consumer.handlers[EVENT] = flaky
    try:
        siret_n = 900 + width
        from cap_shared.testing.siret import make_siret

        name = f"Atelier du rejeu {uuid.uuid4().hex[:6]}"
        organisation = api(
            ops,
            "POST",
            "/v1/organisations",
            admin,
            json={
                "siret": make_siret(siret_n),
                "name": name,
                "siae_types": ["ACI"],
                "region": "76",
            },
        )
        letters = "/v1/ops/audit/dead-letters"

        def dead_letter() -> dict[str, Any] | None:
            for letter in api(ops, "GET", letters, admin)["data"]:
                if organisation["id"] in letter["body"]:
                    return letter  # type: ignore[no-any-return]
            return None

        wait_for(lambda: dead_letter() is not None)
        letter = dead_letter()
        assert letter is not None
        assert "RuntimeError: audit read model bug (test)" in letter["reason"]

        page = open_page(chromium, ops, width)
        try:
            page.get_by_role("link", name="Exploitation").first.click()
            page.wait_for_url("**/admin/exploitation")
            row = page.locator("#service-audit")
            assert re.search(r"\d+ en échec", row.inner_text())
            check(page, "admin-exploitation")
            row.get_by_role("link", name="Audit").click()
            page.wait_for_url("**/admin/exploitation/audit")
            message = page.locator(f"#message-{letter['id']}")
            assert "audit read model bug (test)" in message.inner_text()
            check(page, "admin-exploitation-audit")
            message.get_by_role("link").first.click()
            page.wait_for_url(f"**/admin/exploitation/audit/messages/{letter['id']}")
            assert name in page.locator("pre.payload").first.inner_text()
            check(page, "admin-dead-letter")

            broken["on"] = False  # the cause is fixed: the admin replays the message
            page.get_by_role("button", name="Renvoyer ce message").click()
            page.wait_for_url("**/admin/exploitation/audit?fait=rejeu")
            assert "Le message a été renvoyé" in page.get_by_role("status").first.inner_text()
            assert page.locator(f"#message-{letter['id']}").count() == 0
            check(page, "admin-exploitation-audit-replayed")
            # a job run now, with the keyboard: what it did, and its last run in the table
            run = page.get_by_role("button", name="Lancer maintenant la tâche reconcile-audits")
            run.focus()
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert "La tâche reconcile-audits a été exécutée" in page.locator("main").inner_text()
            assert "Jamais exécutée" not in page.locator("#tache-reconcile-audits").inner_text()
        finally:
            page.context.close()

        # the API holds it replayed once, and the event was handled this time
        replayed = api(ops, "GET", f"{letters}/{letter['id']}", admin)
        assert replayed["replay_count"] == 1
        assert replayed["replayed_at"] is not None

        async def projected() -> bool:
            from cap_audit.models import Organisation
            from cap_shared.readmodel import ReadModelRepository

            async with audit.db.session() as session:
                found = await ReadModelRepository(session, Organisation).get(organisation["id"])
                return found is not None

        wait_for(lambda: ops.run(projected()))
        assert dead_letter() is None
    finally:
        audit.consumer.handlers[EVENT] = original


@pytest.mark.browser
def test_an_admin_registers_an_api_client_and_a_webhook(
    chromium: Any, ops: ThreadedPlatform, width: int
) -> None:
    admin = admin_token(ops)
    body_id = f"bureau-{width}-{uuid.uuid4().hex[:4]}"
    api(
        ops,
        "POST",
        "/v1/certification-bodies",
        admin,
        json={"id": body_id, "name": f"Bureau {width} Certification", "schemes": ["CAP_RSE"]},
    )
    page = open_page(chromium, ops, width)
    try:
        page.get_by_role("link", name="Clients d'API").click()
        page.wait_for_url("**/admin/clients-api")
        check(page, "admin-clients-api")
        client_name = f"Système du bureau {width}"
        page.get_by_label("Nom du client").fill(client_name)
        page.get_by_label("Organisme certificateur").select_option(body_id)
        page.get_by_label(re.compile("^Lire les audits")).check()
        page.get_by_role("button", name="Enregistrer le client").click()
        secret = page.get_by_label("Secret du client").input_value()
        assert len(secret) > 20
        check(page, "admin-clients-api-secret")
        clients = api(ops, "GET", "/v1/api-clients", admin)["data"]
        assert client_name in [c["name"] for c in clients]
        page.goto("/admin/clients-api")
        assert secret not in page.content()

        page.goto("/admin/webhooks")
        check(page, "admin-webhooks")
        hook = f"Partenaire {width} {uuid.uuid4().hex[:4]}"
        page.locator("#f-name").fill(hook)
        page.get_by_label("Adresse à appeler").fill("https://93.184.215.14/hooks")
        page.get_by_label("Types d'événements").fill("decision.taken.v1")
        page.get_by_role("button", name="Créer l'abonnement").click()
        assert page.get_by_label("Secret de signature").input_value().startswith("whsec_")
        check(page, "admin-webhooks-secret")
        page.get_by_role("link", name=f"Voir l'abonnement « {hook} »").click()
        page.wait_for_url("**/admin/webhooks/*")
        assert "Aucune livraison pour l'instant" in page.locator("main").inner_text()
        check(page, "admin-webhook")
        page.locator("#f-name").fill(f"{hook} (modifié)")
        page.get_by_role("button", name="Enregistrer").click()
        page.wait_for_url("**?fait=modifie")
        held = [
            s
            for s in api(ops, "GET", "/v1/webhook-subscriptions", admin)["data"]
            if s["name"] == f"{hook} (modifié)"
        ]
        assert len(held) == 1
    finally:
        page.context.close()
