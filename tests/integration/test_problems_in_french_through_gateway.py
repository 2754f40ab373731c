"""Through the gateway, in both topologies, a service's problems follow the client's
``Accept-Language``: the gateway passes the header on, the service answers in French."""

from __future__ import annotations

import uuid

from cap_standalone.testing import Topology

FR = {"Accept-Language": "fr-FR, fr;q=0.9, en;q=0.5"}


async def test_a_service_problem_reaches_the_client_in_french(topology: Topology) -> None:
    client = topology.client
    url = f"/v1/diagnostics/{uuid.uuid4()}"
    french = await client.get(url, headers={**topology.admin, **FR})
    english = await client.get(url, headers=topology.admin)
    assert french.status_code == english.status_code == 404
    assert french.headers["content-language"] == "fr"
    assert (french.json()["title"], french.json()["detail"]) == (
        "Ressource introuvable",
        "diagnostic introuvable",
    )
    assert english.json()["detail"] == "no such diagnostic"

    invalid = await client.post(
        "/v1/diagnostics",
        json={"organisation_id": "x" * 400, "kind": "nothing", "extra": 1},
        headers={**topology.admin, **FR},
    )
    assert invalid.status_code == 422
    assert invalid.json()["title"] == "Requête invalide"
    messages = {e["field"]: e["message"] for e in invalid.json()["errors"]}
    assert messages["body.extra"] == "Champ non autorisé"
    assert messages["body.kind"] == "Valeur inconnue : 'cap_session' ou 'self_assessment' attendu"
    assert messages["body.organisation_id"] == "Doit contenir au plus 36 caractères"
