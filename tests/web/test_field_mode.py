"""Field mode in-process: the manifest, the service worker, the offline page, and the sending
of answers kept in the browser (``POST /diagnostics/{id}/synchro``): saved through the API's
batch upsert with the browser's ids, a retry that writes nothing twice, a conflict answered
with both versions and nothing written until the person chooses, bad input, other roles."""

from __future__ import annotations

import json
import uuid
from typing import Any

from cap_shared.testing.auth import create_user
from cap_standalone.testing import Topology
from cap_web.testing import ConsoleClient, csrf_of

from .test_structure import (
    PASSWORD,
    Structure,
    api_answers,
    new_structure,
    referential,
    start_diagnostic,
)


async def _sync(console: ConsoleClient, diagnostic: str, body: Any) -> Any:
    page = await console.get(f"/diagnostics/{diagnostic}/themes/T1")
    return await console.http.post(
        f"/diagnostics/{diagnostic}/synchro",
        content=json.dumps(body),
        headers={
            "content-type": "application/json",
            "x-csrf-token": csrf_of(page.text),
            "hx-request": "true",
        },
    )


def _base(page: str) -> dict[str, str]:
    import html
    import re

    found = re.search(r'id="f-base" name="base" value="([^"]*)"', page)
    assert found
    base: dict[str, str] = json.loads(html.unescape(found.group(1)))
    return base


async def _urns(standalone: Topology, who: Structure) -> dict[str, str]:
    ref = await referential(standalone, who)
    return {c["code"]: c["urn"] for t in ref["themes"] for c in t["criteria"]}


async def test_installable_and_kept_offline(console: ConsoleClient) -> None:
    front = await console.get("/")
    assert '<link rel="manifest" href="/static/manifest.webmanifest">' in front.text
    manifest = (await console.get("/static/manifest.webmanifest")).json()
    assert manifest["lang"] == "fr"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    assert {i["sizes"] for i in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        got = await console.get(icon["src"])
        assert got.status_code == 200, icon
    worker = await console.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/"
    assert "/hors-ligne" in worker.text
    offline = await console.get("/hors-ligne")
    assert offline.status_code == 200
    assert "<h1>Hors ligne</h1>" in offline.text


async def test_answers_typed_offline_are_saved_once_with_the_browser_s_ids(
    standalone: Topology, console: ConsoleClient
) -> None:
    who = await new_structure(standalone, 31)
    await console.sign_in(who.email, PASSWORD)
    diagnostic = await start_diagnostic(console)
    page = await console.get(f"/diagnostics/{diagnostic}/themes/T1")
    assert 'id="field-state"' in page.text
    assert 'src="/static/field.js" defer' in page.text
    assert "Pas encore de réponse sur le serveur" in page.text
    base = _base(page.text)
    urns = await _urns(standalone, who)
    ids = {code: str(uuid.uuid4()) for code in ("T1.1", "T1.2", "T2.1")}
    items = [
        {"criterion": urns["T1.1"], "id": ids["T1.1"], "base": base[urns["T1.1"]], "choice": "3"},
        {"criterion": urns["T1.2"], "id": ids["T1.2"], "base": base[urns["T1.2"]], "choice": "na",
         "reason": "Pas de salariés\x07 en insertion", "comment": "vu en séance"},
        # another theme's criterion (typed on its own page, offline): its base is the empty one
        {"criterion": urns["T2.1"], "id": ids["T2.1"], "base": base[urns["T1.1"]], "choice": "1"},
    ]  # fmt: skip
    body = {"key": str(uuid.uuid4()), "items": items}
    sent = await _sync(console, diagnostic, body)
    assert sent.status_code == 200, sent.text[:2000]
    answer = sent.json()
    assert {s["code"] for s in answer["saved"]} == {"T1.1", "T1.2", "T2.1"}
    assert answer["conflicts"] == []
    assert answer["errors"] == []
    assert answer["progress"]["T1"]["answered"] == 2
    held = await api_answers(standalone, who, diagnostic)
    assert {code: held[code]["id"] for code in ids} == ids  # the browser's ids
    assert held["T1.1"]["level"] == 3
    assert held["T1.2"]["not_applicable"] is True
    assert held["T1.2"]["not_applicable_reason"] == "Pas de salariés en insertion"
    assert len(held) == 3

    # the answer was lost on the way back: the browser sends the same again, nothing twice
    again = await _sync(console, diagnostic, body)
    assert again.status_code == 200
    assert {s["code"] for s in again.json()["saved"]} == {"T1.1", "T1.2", "T2.1"}
    held_again = await api_answers(standalone, who, diagnostic)
    assert len(held_again) == 3
    assert {c: a["updated_at"] for c, a in held_again.items()} == {
        c: a["updated_at"] for c, a in held.items()
    }
    # the page now says they are on the server
    page = await console.get(f"/diagnostics/{diagnostic}/themes/T1")
    assert page.text.count('data-state="saved">Enregistrée sur le serveur') == 2


async def test_a_conflict_gives_both_versions_and_writes_nothing_until_chosen(
    standalone: Topology, console: ConsoleClient
) -> None:
    who = await new_structure(standalone, 32)
    await console.sign_in(who.email, PASSWORD)
    diagnostic = await start_diagnostic(console)
    page = await console.get(f"/diagnostics/{diagnostic}/themes/T1")
    base = _base(page.text)
    urns = await _urns(standalone, who)
    # a colleague, online, rates T1.1 at 1 while this browser is offline
    current = await standalone.client.get(f"/v1/diagnostics/{diagnostic}", headers=who.headers)
    other = await standalone.client.put(
        f"/v1/diagnostics/{diagnostic}/answers",
        json={"answers": [{"id": str(uuid.uuid4()), "criterion": urns["T1.1"], "level": 1}]},
        headers={**who.headers, "if-match": current.headers["etag"]},
    )
    assert other.status_code == 200
    mine = {"criterion": urns["T1.1"], "id": str(uuid.uuid4()), "base": base[urns["T1.1"]],
            "choice": "4", "comment": "Fait en équipe"}  # fmt: skip
    quiet = {"criterion": urns["T1.2"], "id": str(uuid.uuid4()), "base": base[urns["T1.2"]],
             "choice": "2"}  # fmt: skip
    sent = await _sync(console, diagnostic, {"key": "k1", "items": [mine, quiet]})
    assert sent.status_code == 200
    answer = sent.json()
    assert [s["code"] for s in answer["saved"]] == ["T1.2"]  # the other criterion is saved
    (conflict,) = answer["conflicts"]
    assert conflict["code"] == "T1.1"
    assert conflict["mine"].startswith("niveau 4")
    assert "Fait en équipe" in conflict["mine"]
    assert conflict["theirs"].startswith("niveau 1")
    assert conflict["theirs_value"]["choice"] == "1"
    held = await api_answers(standalone, who, diagnostic)
    assert held["T1.1"]["level"] == 1  # nothing overwritten
    assert held["T1.2"]["level"] == 2
    assert conflict["id"] == held["T1.1"]["id"]  # the page then says the server holds one

    # sent again without a choice: still a conflict, still nothing written
    again = await _sync(console, diagnostic, {"key": "k2", "items": [mine]})
    assert again.json()["conflicts"][0]["code"] == "T1.1"
    assert (await api_answers(standalone, who, diagnostic))["T1.1"]["level"] == 1
    # the person keeps their own, over the version they were shown
    chosen = {**mine, "resolve": "mine", "over": conflict["base"]}
    kept = await _sync(console, diagnostic, {"key": "k3", "items": [chosen]})
    assert [s["code"] for s in kept.json()["saved"]] == ["T1.1"]
    assert (await api_answers(standalone, who, diagnostic))["T1.1"]["level"] == 4


async def test_bad_input_and_other_people_are_refused(
    standalone: Topology, console: ConsoleClient
) -> None:
    who = await new_structure(standalone, 33)
    await console.sign_in(who.email, PASSWORD)
    diagnostic = await start_diagnostic(console)
    urns = await _urns(standalone, who)
    bad = await _sync(
        console,
        diagnostic,
        {
            "items": [
                {"criterion": "urn:junk", "id": str(uuid.uuid4()), "choice": "2"},
                {"criterion": urns["T1.1"], "id": "not-a-uuid", "choice": "9"},
                {"criterion": urns["T1.2"], "id": str(uuid.uuid4()), "choice": "na"},
                {"criterion": urns["T1.3"], "id": "not-a-uuid", "choice": "2"},
            ]
        },
    )
    assert bad.status_code == 200
    errors = {e["code"]: e["message"] for e in bad.json()["errors"]}
    assert "Ce critère n'existe pas" in errors["urn:junk"]
    assert "entre 0 et" in errors["T1.1"]
    assert "Indiquez pourquoi" in errors["T1.2"]
    assert [s["code"] for s in bad.json()["saved"]] == ["T1.3"]  # a junk id: one is made
    held = await api_answers(standalone, who, diagnostic)
    assert set(held) == {"T1.3"}
    unreadable = await _sync(console, diagnostic, "not a batch")
    assert unreadable.status_code == 400
    too_many = await _sync(console, diagnostic, {"items": [{}] * 501})
    assert too_many.status_code == 413
    junk = await _sync(console, "not-an-id", {"items": []})
    assert junk.status_code == 404
    unknown = await _sync(console, str(uuid.uuid4()), {"items": []})
    assert unknown.status_code in (403, 404)
    # without the CSRF token
    forged = await console.http.post(
        f"/diagnostics/{diagnostic}/synchro",
        content=json.dumps({"items": []}),
        headers={"content-type": "application/json"},
    )
    assert forged.status_code == 403

    # another structure's member and another role are refused
    other = await new_structure(standalone, 34)
    await console.post("/deconnexion")
    await console.sign_in(other.email, PASSWORD)
    theirs = await _sync(console, diagnostic, {"items": []})
    assert theirs.status_code in (403, 404)
    email = f"anne.{uuid.uuid4().hex[:8]}@coorace.example"
    await create_user(
        standalone.client, standalone.admin, role="committee", email=email, password=PASSWORD
    )
    await console.post("/deconnexion")
    await console.sign_in(email, PASSWORD)
    page = await console.get("/registre")
    refused = await console.http.post(
        f"/diagnostics/{diagnostic}/synchro",
        content=json.dumps({"items": []}),
        headers={"content-type": "application/json", "x-csrf-token": csrf_of(page.text)},
    )
    assert refused.status_code == 403
    assert "Accès refusé" in refused.text
    assert (await api_answers(standalone, who, diagnostic)).keys() == {"T1.3"}


async def test_the_facilitator_s_session_page_sends_its_answers_too(
    standalone: Topology, console: ConsoleClient
) -> None:
    import html
    import re

    from .test_facilitator import _schedule, account, organisation

    org = await organisation(standalone, f"Atelier terrain {uuid.uuid4().hex[:4]}", "76", ["ACI"])
    email = await account(standalone, "facilitator", region="76")
    await console.sign_in(email, PASSWORD)
    scheduled = await _schedule(
        console,
        org,
        {
            "session_date": "2027-03-12",
            "facilitator": "Inès Garcia",
            "p_name_0": "Claire Martin",
            "p_role_0": "Directrice",
            "p_category_0": "staff",
        },
    )
    assert scheduled.status_code == 303, scheduled.text[:1500]
    diagnostic = scheduled.headers["location"].split("/")[-1].split("?")[0]
    target = f"/animation/diagnostics/{diagnostic}"
    opened = await console.submit(target, f"{target}/transitions", {"action": "start"})
    assert opened.status_code == 303
    ref = (
        await standalone.client.get("/v1/referentials/CAP/versions/1", headers=standalone.admin)
    ).json()
    urn = ref["themes"][0]["criteria"][0]["urn"]
    # evidence given elsewhere (the structure's own page) stays: the session's form has none
    current = await standalone.client.get(f"/v1/diagnostics/{diagnostic}", headers=standalone.admin)
    put = await standalone.client.put(
        f"/v1/diagnostics/{diagnostic}/answers",
        json={"answers": [{"id": str(uuid.uuid4()), "criterion": urn, "level": 1,
                           "evidence": [{"title": "Charte signée"}]}]},
        headers={**standalone.admin, "if-match": current.headers["etag"]},
    )  # fmt: skip
    assert put.status_code == 200, put.text
    page = await console.get(f"{target}?theme=T1")
    assert f'data-field-sync="{target}/synchro"' in page.text
    assert 'src="/static/field.js" defer' in page.text
    found = re.search(rf'data-urn="{re.escape(urn)}" data-key="0" data-answer-id="[^"]+" '
                      r'data-base="([^"]*)"', page.text)  # fmt: skip
    assert found
    base = html.unescape(found.group(1))
    body = {
        "key": "s1",
        "items": [{"criterion": urn, "id": str(uuid.uuid4()), "base": base, "choice": "3",
                   "comment": "Dit en séance", "evidence": None}],
    }  # fmt: skip
    sent = await console.http.post(
        f"{target}/synchro",
        content=json.dumps(body),
        headers={"content-type": "application/json", "x-csrf-token": csrf_of(page.text)},
    )
    assert sent.status_code == 200, sent.text[:1500]
    assert [s["code"] for s in sent.json()["saved"]] == ["T1.1"]
    held = (
        await standalone.client.get(
            f"/v1/diagnostics/{diagnostic}/answers", headers=standalone.admin
        )
    ).json()["data"]
    assert [(a["level"], a["comment"], [e["title"] for e in a["evidence"]]) for a in held] == [
        (3, "Dit en séance", ["Charte signée"])
    ]
    # the structure's address is not the facilitator's
    refused = await console.http.post(
        f"/diagnostics/{diagnostic}/synchro",
        content=json.dumps(body),
        headers={"content-type": "application/json", "x-csrf-token": csrf_of(page.text)},
    )
    assert refused.status_code == 403
