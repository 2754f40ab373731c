"""The labelling committee's screens in-process: the queue, one decision file (the rule's
explanation, the impartiality checks, the decision with its ETag) and the appeals.

Each test loads the first six structures of the demo network on its own standalone platform:
Solidarité Emploi Montpellier Métropole's CAP RSE file waits for the committee, its level
(Confirmé) computed by the rule from Marc's evaluation.
"""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from cap_shared.testing.conditional import as_read
from cap_standalone.demo import DemoResult, load_demo
from cap_standalone.testing import Topology
from cap_web.testing import ConsoleClient, hidden_fields

ANNE = "anne.dupuis@coorace.example"
MARC = "marc.lefebvre@sgs-tuv.example"
CLAIRE = "claire.martin@atelier-lauragais.example"
HOLDER = "Solidarité Emploi Montpellier Métropole"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text[:2000]
    return response.json()


def text_of(page: str) -> str:
    main = page.split('id="contenu"', 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


async def demo(standalone: Topology) -> DemoResult:
    return await load_demo(standalone.client, structures=6, timeout=60)


async def test_the_queue_and_the_file_explain_the_rule_and_the_checks(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await demo(standalone)
    file_id = loaded.links["decision_id"]
    await console.sign_in(ANNE, loaded.password)
    queue = await console.get("/comite")
    assert queue.status_code == 200
    shown = text_of(queue.text)
    assert "À décider (1)" in shown
    assert f'href="/comite/dossiers/{file_id}"' in queue.text
    assert HOLDER in shown
    assert "Confirmé" in shown
    # The filter goes to the API: no CAP ISO 9001 file waits.
    iso = text_of((await console.get("/comite?referentiel=CAP_ISO9001")).text)
    assert "À décider (0)" in iso
    assert "Aucun dossier n'attend la décision du comité" in iso

    page = await console.get(f"/comite/dossiers/{file_id}")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert f"Dossier Label CAP RSE — {HOLDER}" in shown
    assert "Niveau donné par la règle : Confirmé" in shown
    # Why not Exemplaire: the API's reason in French, and every threshold against the scores.
    assert re.search(r"Exemplaire : score global \d+ inférieur à 701", shown)
    assert "Seuils de la règle par niveau, face à l'évaluation" in shown
    assert "701 à 1000" in shown
    assert "Minimum Exemplaire" in shown
    assert "Aucun critère essentiel sous le niveau de maturité 1 : respecté" in shown
    assert "plafonne le niveau à Progression : aucun critère concerné" in shown
    assert "CAP_RSE version 1" in shown
    # Anne passes every impartiality check.
    assert "Vous pouvez décider de ce dossier" in shown
    assert shown.count("Satisfait") == 3
    assert "Aucune étape pour l'instant" in shown

    # Lowering the level without a reason: the API's French problem next to the field.
    action = f"/comite/dossiers/{file_id}/decision"
    refused = await console.submit(
        f"/comite/dossiers/{file_id}", action, {"outcome": "confirm", "level": "Progression"}
    )
    assert refused.status_code == 422, text_of(refused.text)
    assert "abaisser le niveau calculé demande d'indiquer le motif" in text_of(refused.text)
    assert 'aria-invalid="true"' in refused.text
    # Above the rule: refused too; nothing decided.
    above = await console.submit(
        f"/comite/dossiers/{file_id}", action, {"outcome": "confirm", "level": "Exemplaire"}
    )
    assert above.status_code == 422
    assert "jamais le relever" in above.text
    held = ok(await standalone.client.get(f"/v1/decisions/{file_id}", headers=standalone.admin))
    assert held["status"] == "pending"

    # A form read before someone else changed the file: 412, "modifié entre-temps", kept text.
    stale_fields = hidden_fields(page.text, action)
    other = await standalone.client.post(
        f"/v1/decisions/{file_id}/decide",
        json={"outcome": "defer", "reason": "Pièces complémentaires attendues"},
        headers=await as_read(standalone.client, f"/v1/decisions/{file_id}", standalone.admin),
    )
    assert other.status_code == 200, other.text
    stale = await console.http.post(
        action,
        data={**stale_fields, "outcome": "confirm", "reason": "Texte gardé"},
    )
    assert stale.status_code == 412
    assert "modifié entre-temps" in stale.text
    assert "Texte gardé" in stale.text

    # Confirmed at a lower level, with a reason: the API holds it, the history shows it.
    done = await console.submit(
        f"/comite/dossiers/{file_id}",
        action,
        {
            "outcome": "confirm",
            "level": "Progression",
            "reason": "Pratiques environnementales <à consolider>\x07",
            "scope": "Mise à disposition de personnel",
        },
    )
    assert done.status_code == 303, text_of(done.text)
    after = await console.get(done.headers["location"])
    shown = text_of(after.text)
    assert "Votre décision est enregistrée" in shown
    assert "Label attribué au niveau Progression" in shown
    assert "Dossier ajourné" in shown  # the history: the deferral, then the grant
    assert "Pratiques environnementales &lt;à consolider&gt;" in after.text
    decided = ok(await standalone.client.get(f"/v1/decisions/{file_id}", headers=standalone.admin))
    assert (decided["status"], decided["level"], decided["computed_level"]) == (
        "granted",
        "Progression",
        "Confirmé",
    )
    assert decided["reason"] == "Pratiques environnementales <à consolider>"
    queue = text_of((await console.get("/comite")).text)
    assert "À décider (0)" in queue


async def test_the_auditor_of_the_file_sees_the_check_fail_and_others_are_refused(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await demo(standalone)
    file_id = loaded.links["decision_id"]
    # Marc audited the file; made a committee member too, he still may not decide on it.
    marc = ok(
        await standalone.client.get("/v1/users", params={"limit": 200}, headers=standalone.admin)
    )
    marc_id = next(u["id"] for u in marc["data"] if u["email"] == MARC)
    ok(
        await standalone.client.post(
            f"/v1/users/{marc_id}/memberships", json={"role": "committee"}, headers=standalone.admin
        ),
        201,
    )
    await console.sign_in(MARC, loaded.password)
    page = await console.get(f"/comite/dossiers/{file_id}")
    assert page.status_code == 200, page.text[:500]
    shown = text_of(page.text)
    assert "Vous ne pouvez pas décider de ce dossier" in shown
    assert "vous avez audité ce dossier" in shown
    answer = await console.submit(
        f"/comite/dossiers/{file_id}",
        f"/comite/dossiers/{file_id}/decision",
        {"outcome": "confirm"},
    )
    assert answer.status_code == 403
    assert "une autre personne en décide" in text_of(answer.text)
    held = ok(await standalone.client.get(f"/v1/decisions/{file_id}", headers=standalone.admin))
    assert held["status"] == "pending"

    # A structure's people: the committee's screens are not theirs (403, in French).
    claire = ConsoleClient(
        httpx.AsyncClient(transport=standalone.client._transport, base_url=standalone.public_url)
    )
    await claire.sign_in(CLAIRE, loaded.password)
    for path in ("/comite", f"/comite/dossiers/{file_id}", "/comite/recours"):
        refused = await claire.get(path)
        assert refused.status_code == 403, path
        assert "<h1>" in refused.text


async def test_junk_ids_are_french_404s_and_an_iso_file_is_the_bodys(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await demo(standalone)
    await console.sign_in(ANNE, loaded.password)
    for path in (
        "/comite/dossiers/00000000-0000-0000-0000-000000000000",
        "/comite/dossiers/%3Cscript%3E",
        "/comite/dossiers/a%07b",
    ):
        answer = await console.get(path)
        assert answer.status_code == 404, path
        assert "introuvable" in answer.text.lower()
    # A CAP ISO 9001 file (Tremplin's, waiting for its stage 2 report): the body decides.
    files = ok(
        await standalone.client.get(
            "/v1/decisions", params={"scheme": "CAP_ISO9001"}, headers=standalone.admin
        )
    )["data"]
    (iso,) = files
    page = await console.get(f"/comite/dossiers/{iso['id']}")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "En attente du rapport d'audit" in shown
    assert "c'est l'organisme certificateur qui décide" in shown
    assert "/decision" not in page.text.split('id="decision"', 1)[1]
    # Empty appeals page.
    appeals = text_of((await console.get("/comite/recours")).text)
    assert "Aucun recours n'attend de décision" in appeals
    assert "Aucun recours décidé pour l'instant" in appeals


async def test_an_appeal_is_decided_from_the_appeals_page(
    standalone: Topology, console: ConsoleClient
) -> None:
    loaded = await demo(standalone)
    file_id = loaded.links["decision_id"]
    admin = standalone.admin
    url = f"/v1/decisions/{file_id}"
    ok(
        await standalone.client.post(
            f"{url}/decide",
            json={"outcome": "refuse", "reason": "Pratiques environnementales insuffisantes"},
            headers=await as_read(standalone.client, url, admin),
        )
    )
    ok(
        await standalone.client.post(
            f"{url}/appeal",
            json={"reason": "Le bilan carbone a été fait et partagé depuis l'audit."},
            headers=admin,
        ),
        201,
    )
    await console.sign_in(ANNE, loaded.password)
    assert "1 recours en attente de décision" in text_of((await console.get("/comite")).text)
    page = await console.get("/comite/recours")
    shown = text_of(page.text)
    assert "Recours à décider (1)" in shown
    assert "Le bilan carbone a été fait et partagé depuis l'audit." in shown
    action = f"/comite/recours/{file_id}/decision"
    missing = await console.submit("/comite/recours", action, {"outcome": "overturned"})
    assert missing.status_code == 422
    assert "Indiquez le motif" in missing.text
    done = await console.submit(
        "/comite/recours",
        action,
        {"outcome": "overturned", "reason": "Preuves nouvelles : le dossier est réexaminé."},
    )
    assert done.status_code == 303, text_of(done.text)
    after = text_of((await console.get(done.headers["location"])).text)
    assert "La décision sur le recours est enregistrée" in after
    assert "Accueilli (décision infirmée)" in after
    again = ok(await standalone.client.get(url, headers=admin))
    assert (again["status"], again["round"]) == ("pending", 2)
    # The file is to be decided again; its history says why.
    shown = text_of((await console.get(f"/comite/dossiers/{file_id}")).text)
    assert "Décision infirmée sur recours" in shown
