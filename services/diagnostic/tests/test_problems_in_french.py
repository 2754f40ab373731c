"""The diagnostic service's problems in French (``Accept-Language: fr``), English unchanged."""

from __future__ import annotations

import uuid

from .conftest import Service, answer
from .test_diagnostics import CAP, act, open_diagnostic

FR = {"Accept-Language": "fr"}


async def test_an_unknown_diagnostic_is_a_404_in_french(service: Service) -> None:
    url = f"/v1/diagnostics/{uuid.uuid4()}"
    french = await service.client.get(url, headers={**service.admin, **FR})
    english = await service.client.get(url, headers=service.admin)
    assert french.status_code == english.status_code == 404
    assert french.headers["content-language"] == "fr"
    assert (french.json()["title"], french.json()["detail"]) == (
        "Ressource introuvable",
        "diagnostic introuvable",
    )
    assert (english.json()["title"], english.json()["detail"]) == (
        "Resource not found",
        "no such diagnostic",
    )
    assert french.json()["type"] == english.json()["type"]


async def test_a_step_out_of_order_and_a_bad_answer_are_explained_in_french(
    service: Service,
) -> None:
    diagnostic = await open_diagnostic(service, session_date=None, facilitator=None)
    wrong = await act(service, diagnostic["id"], "complete", headers={**service.member(), **FR})
    assert wrong.status_code == 409
    assert wrong.json()["title"] == "Changement de statut impossible"
    assert wrong.json()["detail"] == (
        "impossible d'effectuer « complete » sur un diagnostic cap_session à l'état « draft »"
    )
    assert wrong.json()["allowed_actions"] == ["schedule"]  # extensions as in English

    url = f"/v1/diagnostics/{diagnostic['id']}/answers"
    batch = {"answers": [answer(CAP + "t1.1", 2), answer(CAP + "t1.2", 5)]}
    french = await service.client.put(url, json=batch, headers={**service.member(), **FR})
    english = await service.client.put(url, json=batch, headers=service.member())
    assert french.status_code == english.status_code == 422
    assert french.json()["title"] == "Réponse invalide"
    assert french.json()["detail"].startswith("le niveau 5 est hors de l'échelle 0-")
    assert french.json()["errors"][0]["field"] == english.json()["errors"][0]["field"]
    assert french.json()["errors"][0]["message"] == french.json()["detail"]
    assert "message_fr" not in english.json()["errors"][0]
    assert english.json()["detail"].startswith("level 5 is outside the scale 0-")

    not_applicable = {"answers": [answer(CAP + "t1.2", 2, not_applicable=True)]}
    refused = await service.client.put(url, json=not_applicable, headers={**service.member(), **FR})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["message"] == (
        "Une réponse « non applicable » n'a pas de niveau"
    )
