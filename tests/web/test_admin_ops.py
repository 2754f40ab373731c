"""The administrators' integration and operations screens in-process: API clients (the secret
shown once), webhook subscriptions (delivery log, replay, If-Match), operations (dead letters
replayed, jobs run now, outboxes).

Each test runs on its own standalone platform and checks both what the page shows and what the
API then holds; another role is refused, junk ids give the French 404.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from cap_shared.clock import wall_now
from cap_shared.messaging import OutgoingMessage
from cap_shared.testing.auth import (
    DEV_ADMIN_EMAIL,
    DEV_ADMIN_PASSWORD,
    create_user,
    register_organisation,
)
from cap_shared.testing.siret import make_siret
from cap_standalone.testing import Overrides, Topology, grant_label
from cap_web.testing import ConsoleClient, hidden_fields

EVENT = "identity.organisation.registered.v1"


@pytest.fixture
def topology_settings() -> Overrides:
    """Webhooks may call this machine (a closed port: every attempt fails at once), and a failed
    attempt is not retried: a delivery fails on its first attempt."""
    return {"notifications": {"webhook_allow_private": True, "webhook_retry_delays_s": []}}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text[:2000]
    return response.json() if response.content else None


def text_of(page: str) -> str:
    main = page.split('id="contenu"', 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


async def eventually(predicate: Callable[[], Awaitable[bool]], timeout: float = 20) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def admin_console(console: ConsoleClient) -> ConsoleClient:
    await console.sign_in(DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD)
    return console


async def committee_console(standalone: Topology) -> ConsoleClient:
    """Another browser, signed in as a committee member."""
    email = f"comite.{uuid.uuid4().hex[:8]}@coorace.example"
    password = "correct horse battery staple"
    await create_user(
        standalone.client, standalone.admin, role="committee", email=email, password=password
    )
    other = ConsoleClient(
        httpx.AsyncClient(transport=standalone.client._transport, base_url=standalone.public_url)
    )
    await other.sign_in(email, password)
    return other


async def token_of(standalone: Topology, client_id: str, secret: str) -> int:
    """The status of a client-credentials token request with this secret."""
    answer = await standalone.client.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    return answer.status_code


def shown_secret(page: str) -> str:
    found = re.search(r'id="secret-montre" readonly value="([^"]+)"', page)
    assert found, "no secret shown"
    return html.unescape(found.group(1))


# -- API clients -------------------------------------------------------------------------------
async def test_an_api_client_secret_is_shown_once_rotated_and_revoked(
    standalone: Topology, console: ConsoleClient
) -> None:
    body_id = f"bureau-{uuid.uuid4().hex[:6]}"
    ok(
        await standalone.client.post(
            "/v1/certification-bodies",
            json={"id": body_id, "name": "Bureau Essai Certification", "schemes": ["CAP_RSE"]},
            headers=standalone.admin,
        ),
        201,
    )
    await admin_console(console)
    first = await console.get("/admin/clients-api")
    assert first.status_code == 200
    assert "<h1>Clients d'API</h1>" in first.text
    assert "Aucun client d'API n'est enregistré" in text_of(first.text)
    assert "Bureau Essai Certification" in first.text

    # bad input: nothing is registered, the French messages are next to their fields
    refused = await console.submit(
        "/admin/clients-api",
        "/admin/clients-api",
        {"name": "  \x07 ", "certification_body_id": body_id},
    )
    assert refused.status_code == 422
    assert "Indiquez le nom du client" in refused.text
    assert "Cochez au moins un droit" in refused.text
    assert (
        ok(await standalone.client.get("/v1/api-clients", headers=standalone.admin))["data"] == []
    )

    created = await console.submit(
        "/admin/clients-api",
        "/admin/clients-api",
        {
            "name": "Système\x00 d'audit du bureau",
            "certification_body_id": body_id,
            "scopes": ["audits:read", "audits:write"],
        },
    )
    assert created.status_code == 200, created.text[:2000]
    assert created.headers["cache-control"] == "no-store"
    secret = shown_secret(created.text)
    assert "il ne sera plus jamais affiché" in text_of(created.text)
    [client] = ok(await standalone.client.get("/v1/api-clients", headers=standalone.admin))["data"]
    assert client["name"] == "Système d'audit du bureau"  # the control character stripped
    assert client["certification_body_id"] == body_id
    assert sorted(client["scopes"]) == ["audits:read", "audits:write"]
    assert await token_of(standalone, client["client_id"], secret) == 200

    # shown once: the list does not show it again
    again = await console.get("/admin/clients-api")
    assert secret not in again.text
    assert 'id="secret-montre"' not in again.text
    assert client["client_id"] in again.text

    # rotation: a new secret, shown once; the old one stops working
    rotated = await console.submit(
        "/admin/clients-api", f"/admin/clients-api/{client['id']}/secret"
    )
    assert rotated.status_code == 200, rotated.text[:2000]
    assert rotated.headers["cache-control"] == "no-store"
    new_secret = shown_secret(rotated.text)
    assert new_secret != secret
    assert "L'ancien secret ne fonctionne plus" in text_of(rotated.text)
    assert await token_of(standalone, client["client_id"], secret) != 200
    assert await token_of(standalone, client["client_id"], new_secret) == 200

    # revocation
    revoked = await console.submit(
        "/admin/clients-api", f"/admin/clients-api/{client['id']}/revocation"
    )
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/admin/clients-api?fait=revoque"
    held = ok(
        await standalone.client.get(f"/v1/api-clients/{client['id']}", headers=standalone.admin)
    )
    assert held["revoked_at"] is not None
    assert await token_of(standalone, client["client_id"], new_secret) != 200
    listed = await console.get("/admin/clients-api?fait=revoque")
    assert "Le client a été révoqué" in text_of(listed.text)
    assert "Révoqué le" in text_of(listed.text)
    assert f"/admin/clients-api/{client['id']}/secret" not in listed.text

    # junk and unknown ids: the French 404, never a 500
    junk = await console.post("/admin/clients-api/%3Cscript%3E/secret", {})
    assert junk.status_code == 404
    assert "Page introuvable" in junk.text
    unknown = await console.post(f"/admin/clients-api/{uuid.uuid4()}/secret", {})
    assert unknown.status_code == 404

    # another role is refused
    other = await committee_console(standalone)
    assert (await other.get("/admin/clients-api")).status_code == 403


# -- webhooks ----------------------------------------------------------------------------------
async def test_a_webhook_is_subscribed_its_failed_delivery_replayed_and_edited_with_its_etag(
    standalone: Topology, console: ConsoleClient
) -> None:
    await admin_console(console)
    page = await console.get("/admin/webhooks")
    assert page.status_code == 200
    assert "Aucun abonnement" in text_of(page.text)

    # the API's French problem next to the field
    refused = await console.submit(
        "/admin/webhooks",
        "/admin/webhooks",
        {"name": "Partenaire", "url": "ftp://partenaire.example/x", "event_types": "*"},
    )
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text
    assert (
        ok(await standalone.client.get("/v1/webhook-subscriptions", headers=standalone.admin))[
            "data"
        ]
        == []
    )

    created = await console.submit(
        "/admin/webhooks",
        "/admin/webhooks",
        {
            "name": "Système du partenaire",
            "url": "http://127.0.0.1:9/hooks",
            "event_types": "recognition.status_changed.v1, decision.taken.v1",
        },
    )
    assert created.status_code == 200, created.text[:2000]
    assert created.headers["cache-control"] == "no-store"
    secret = shown_secret(created.text)
    assert secret.startswith("whsec_")
    [subscription] = ok(
        await standalone.client.get("/v1/webhook-subscriptions", headers=standalone.admin)
    )["data"]
    assert subscription["event_types"] == [
        "recognition.status_changed.v1",
        "decision.taken.v1",
    ]
    sid = subscription["id"]
    shown = await console.get(f"/admin/webhooks/{sid}")
    assert secret not in shown.text
    assert "Aucune livraison pour l'instant" in text_of(shown.text)

    # an event: a label granted; its delivery fails (nothing listens on that port)
    organisation_id = await register_organisation(standalone.client, standalone.admin, n=41)
    await grant_label(standalone, organisation_id)
    deliveries = f"/v1/webhook-subscriptions/{sid}/deliveries"

    async def failed() -> bool:
        data = ok(await standalone.client.get(deliveries, headers=standalone.admin))["data"]
        return bool(data) and data[0]["status"] == "failed"

    await eventually(failed)
    log = await console.get(f"/admin/webhooks/{sid}?etat=failed")
    assert "recognition.status_changed.v1" in log.text
    assert "En échec" in text_of(log.text)
    [delivery] = ok(await standalone.client.get(deliveries, headers=standalone.admin))["data"]
    replayed = await console.submit(
        f"/admin/webhooks/{sid}", f"/admin/webhooks/{sid}/livraisons/{delivery['id']}/rejeu"
    )
    assert replayed.status_code == 303
    assert replayed.headers["location"] == f"/admin/webhooks/{sid}?fait=rejeu"

    async def attempted_again() -> bool:
        [d] = ok(await standalone.client.get(deliveries, headers=standalone.admin))["data"]
        return d["status"] == "failed" and d["attempts"] == 2

    await eventually(attempted_again)
    [delivery] = ok(await standalone.client.get(deliveries, headers=standalone.admin))["data"]
    assert [a["manual"] for a in delivery["log"]] == [False, True]  # the replay, logged as manual
    assert "Oui (rejeu)" in (await console.get(f"/admin/webhooks/{sid}")).text

    # an edit with the ETag it was shown with
    edit = await console.get(f"/admin/webhooks/{sid}")
    fields = hidden_fields(edit.text, f"/admin/webhooks/{sid}/modification")
    changed = await console.http.post(
        f"/admin/webhooks/{sid}/modification",
        data={
            **fields,
            "name": "Système du partenaire (v2)",
            "url": "http://127.0.0.1:9/hooks",
            "event_types": "*",
            "status": "disabled",
        },
    )
    assert changed.status_code == 303, changed.text[:2000]
    held = ok(
        await standalone.client.get(f"/v1/webhook-subscriptions/{sid}", headers=standalone.admin)
    )
    assert (held["name"], held["event_types"], held["status"]) == (
        "Système du partenaire (v2)",
        ["*"],
        "disabled",
    )
    # the same form again, with the ETag now stale: "modifié entre-temps", current values
    stale = await console.http.post(
        f"/admin/webhooks/{sid}/modification",
        data={
            **fields,
            "name": "Écrasé",
            "url": "http://127.0.0.1:9/x",
            "event_types": "*",
            "status": "active",
        },
    )
    assert stale.status_code == 412
    assert "modifié entre-temps" in text_of(stale.text)
    assert "Système du partenaire (v2)" in stale.text
    held = ok(
        await standalone.client.get(f"/v1/webhook-subscriptions/{sid}", headers=standalone.admin)
    )
    assert held["name"] == "Système du partenaire (v2)"

    # a disabled subscription's delivery is not replayed: the API's French problem
    refused_replay = await console.submit(
        f"/admin/webhooks/{sid}", f"/admin/webhooks/{sid}/livraisons/{delivery['id']}/rejeu"
    )
    assert refused_replay.status_code == 409
    assert "réactivez-le" in refused_replay.text

    # rotation: a new secret shown once
    rotated = await console.submit(f"/admin/webhooks/{sid}", f"/admin/webhooks/{sid}/secret")
    assert rotated.status_code == 200
    assert shown_secret(rotated.text) not in (secret, "")
    # deletion
    deleted = await console.submit(f"/admin/webhooks/{sid}", f"/admin/webhooks/{sid}/suppression")
    assert deleted.status_code == 303
    assert (
        ok(await standalone.client.get("/v1/webhook-subscriptions", headers=standalone.admin))[
            "data"
        ]
        == []
    )

    assert (await console.get("/admin/webhooks/a%20b%3C")).status_code == 404
    assert (await console.get(f"/admin/webhooks/{uuid.uuid4()}")).status_code == 404
    other = await committee_console(standalone)
    assert (await other.get("/admin/webhooks")).status_code == 403
    assert (await other.get(f"/admin/webhooks/{sid}")).status_code == 403


# -- operations --------------------------------------------------------------------------------
def registration(n: int) -> dict[str, Any]:
    return {
        "organisation_id": str(uuid.uuid4()),
        "siret": make_siret(n),
        "name": f"Structure {n}",
        "siae_types": ["EI"],
        "region": "76",
        "region_name": "Occitanie",
        "registered_at": wall_now().isoformat(),
    }


def envelope(data: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": "/cap/test",
            "type": EVENT,
            "time": wall_now().isoformat(),
            "data": data,
        }
    ).encode()


async def test_a_dead_letter_is_replayed_once_its_cause_is_fixed_and_jobs_run_now(
    standalone: Topology, console: ConsoleClient
) -> None:
    await admin_console(console)
    overview = await console.get("/admin/exploitation")
    assert overview.status_code == 200
    for name in ("Passerelle", "Diagnostic", "Audit", "Labellisation", "Notifications"):
        assert name in overview.text
    assert "Indisponible" not in overview.text
    empty = await console.get("/admin/exploitation/audit")
    assert "Aucun message en échec" in text_of(empty.text)

    # the audit service's handler fails: the event is retried, then dead-lettered
    consumer = standalone.runtimes["audit"].consumer
    original = consumer.handlers[EVENT]
    broken = {"on": True}

    async def flaky(session: Any, env: Any, payload: Any) -> None:
        if broken["on"]:
            raise RuntimeError("audit read model bug")
        await original(session, env, payload)

    consumer.handlers[EVENT] = flaky
    data = registration(7)
    await standalone.runtimes["gateway"].broker.publish(
        OutgoingMessage(routing_key=EVENT, body=envelope(data), message_id="m-1", type=EVENT)
    )
    letters = "/v1/ops/audit/dead-letters"

    async def dead() -> bool:
        return ok(await standalone.client.get(letters, headers=standalone.admin))["total"] == 1

    await eventually(dead)
    overview = await console.get("/admin/exploitation")
    row = overview.text.split('id="service-audit"', 1)[1].split("</tr>", 1)[0]
    assert "1 en échec" in row
    page = await console.get("/admin/exploitation/audit")
    [letter] = ok(await standalone.client.get(letters, headers=standalone.admin))["data"]
    assert "RuntimeError: audit read model bug" in text_of(page.text)
    detail = await console.get(f"/admin/exploitation/audit/messages/{letter['id']}")
    assert detail.status_code == 200
    assert data["organisation_id"] in detail.text  # the body, shown
    assert "Structure 7" in detail.text

    broken["on"] = False  # the cause is fixed
    replayed = await console.submit(
        "/admin/exploitation/audit", f"/admin/exploitation/audit/messages/{letter['id']}/rejeu"
    )
    assert replayed.status_code == 303
    assert replayed.headers["location"] == "/admin/exploitation/audit?fait=rejeu"

    async def handled() -> bool:
        return ok(await standalone.client.get(letters, headers=standalone.admin))["total"] == 0

    await eventually(handled)
    held = ok(
        await standalone.client.get(
            letters, params={"include_replayed": "true"}, headers=standalone.admin
        )
    )["data"]
    assert [(d["id"], d["replay_count"]) for d in held] == [(letter["id"], 1)]
    after = await console.get("/admin/exploitation/audit?fait=rejeu")
    assert "Le message a été renvoyé" in text_of(after.text)
    assert "Aucun message en échec" in text_of(after.text)
    everything = await console.get("/admin/exploitation/audit?tous=1")
    assert "Renvoyé le" in text_of(everything.text)
    # replayed twice: the API's French conflict, on the page
    twice = await console.post(f"/admin/exploitation/audit/messages/{letter['id']}/rejeu", {})
    assert twice.status_code == 409

    # a job run now: what it did is shown
    jobs = ok(await standalone.client.get("/v1/ops/notifications/jobs", headers=standalone.admin))
    assert "digests" in [j["name"] for j in jobs["data"]]
    ran = await console.submit(
        "/admin/exploitation/notifications",
        "/admin/exploitation/notifications/taches/digests/execution",
    )
    assert ran.status_code == 200, ran.text[:2000]
    assert "La tâche digests a été exécutée" in text_of(ran.text)
    [digests] = [
        j
        for j in ok(
            await standalone.client.get("/v1/ops/notifications/jobs", headers=standalone.admin)
        )["data"]
        if j["name"] == "digests"
    ]
    assert digests["last_run_at"] is not None
    assert digests["last_success_at"] is not None
    assert digests["last_run_error"] is None
    row = ran.text.split('id="tache-digests"', 1)[1].split("</tr>", 1)[0]
    assert "traité" in text_of(row)
    assert "Jamais exécutée" not in row
    outbox = await console.get("/admin/exploitation/gateway")
    assert "En attente de publication" in outbox.text

    # junk: unknown service, junk id, unknown job: French 404s
    assert (await console.get("/admin/exploitation/paie")).status_code == 404
    assert (await console.get("/admin/exploitation/audit/messages/%3Cb%3E")).status_code == 404
    unknown_job = await console.post("/admin/exploitation/audit/taches/nope/execution", {})
    assert unknown_job.status_code == 404
    assert "aucune tâche" in unknown_job.text
    other = await committee_console(standalone)
    assert (await other.get("/admin/exploitation")).status_code == 403
    assert (await other.get("/admin/exploitation/audit")).status_code == 403
