"""The labelling service's problems in French (``Accept-Language: fr``): an ineligible
structure, an application twice, a rejection without its reason, a state conflict."""

from __future__ import annotations

from datetime import timedelta

from .conftest import Service, ok
from .test_applications import body

FR = {"Accept-Language": "fr"}


async def test_applying_and_deciding_refusals_are_worded_in_french(service: Service) -> None:
    member_admin = {**service.member_admin(), **FR}
    refused = await service.client.post(
        "/v1/applications", json=body(service), headers=member_admin
    )
    assert refused.status_code == 422
    assert refused.json()["title"] == "Non éligible"
    assert refused.json()["detail"] == (
        "aucun diagnostic CAP terminé depuis moins de 24 mois pour la structure candidate"
    )
    assert refused.json()["organisations"] == [service.organisations["a"].id]

    await service.completed("a", service.runtime.clock.now() - timedelta(days=30))
    application = ok(
        await service.client.post("/v1/applications", json=body(service), headers=member_admin),
        201,
    )
    again = await service.client.post("/v1/applications", json=body(service), headers=member_admin)
    assert again.status_code == 409
    assert (again.json()["title"], again.json()["detail"]) == (
        "Conflit",
        "une candidature CAP_RSE est déjà à l'état « submitted »",
    )

    url = f"/v1/applications/{application['id']}/transitions"
    admin = {**service.admin, **FR}
    no_reason = await service.client.post(url, json={"step": "reject"}, headers=admin)
    assert no_reason.status_code == 400
    assert (no_reason.json()["title"], no_reason.json()["detail"]) == (
        "Requête invalide",
        "un rejet indique son motif",
    )
    assert no_reason.json()["errors"] == [{"field": "body.reason", "message": "obligatoire"}]
    english_reason = await service.client.post(url, json={"step": "reject"}, headers=service.admin)
    assert english_reason.json()["errors"] == [{"field": "body.reason", "message": "required"}]
    ok(await service.client.post(url, json={"step": "accept"}, headers=admin))
    twice = await service.client.post(url, json={"step": "accept"}, headers=admin)
    english = await service.client.post(url, json={"step": "accept"}, headers=service.admin)
    assert twice.status_code == english.status_code == 409
    assert twice.json()["title"] == "Changement de statut impossible"
    assert twice.json()["detail"] == (
        "impossible d'effectuer « accept » sur une candidature à l'état « accepted »"
    )
    assert twice.json()["current_status"] == english.json()["current_status"] == "accepted"
    assert english.json()["title"] == "Invalid status transition"
    assert english.json()["detail"] == "cannot accept an application that is accepted"
