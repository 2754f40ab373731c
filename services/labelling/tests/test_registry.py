"""The public registry: search, verification by number or code (ETag, 304, HTML), certificate,
complaints — and nothing private in any public answer."""

from __future__ import annotations

import json

from cap_labelling.recognitions.codes import new_verification_code, normalise_code

from .conftest import Service, ok
from .test_decisions import GOOD, decide, events, granted_label


def test_verification_codes_are_forgiving_to_type_but_strict_to_match() -> None:
    code = new_verification_code()
    assert len(code) == 14
    assert code.count("-") == 2
    assert normalise_code(code.lower().replace("-", " ")) == code
    assert normalise_code("O1IL-0000-0000") == "0111-0000-0000"
    assert normalise_code("short") is None
    assert normalise_code("UUUU-UUUU-UUUU") is None  # U is not in the alphabet


async def test_search_filters_and_shows_nothing_private(service: Service) -> None:
    label = await granted_label(service)
    ok(
        await service.client.post(
            f"/v1/recognitions/{label['id']}/transitions",
            json={"step": "suspend", "reason": "Note interne du comité : dossier confidentiel"},
            headers=service.committee(),
        )
    )
    ok(
        await service.client.post(
            f"/v1/registry/recognitions/{label['number']}/complaints",
            json={
                "name": "Jeanne Martin",
                "email": "jeanne@example.org",
                "message": "Ce label est affiché à tort.",
            },
        ),
        201,
    )
    page = ok(await service.client.get("/v1/registry/recognitions?region=76&scheme=CAP_RSE"))
    assert page["next_cursor"] is None
    (entry,) = page["data"]
    assert entry["status"] == "suspended"  # in force: still listed, marked suspended
    assert entry["holder"]["name"] == "Structure a"
    verification = ok(await service.client.get(f"/v1/registry/recognitions/{label['number']}"))
    by_code = ok(await service.client.get(f"/v1/registry/verify/{label['verification_code']}"))
    assert by_code == verification
    assert [h["reason_code"] for h in verification["history"]] == ["granted", "committee"]
    organisation = service.organisations["a"]
    for answer in (page, verification):
        text = json.dumps(answer, ensure_ascii=False)
        for private in (
            organisation.id,  # internal ids
            organisation.siret,
            label["id"],
            "Note interne",  # the committee's notes
            "jeanne@example.org",  # complainants
            "auditor",  # auditors
            "user:",  # people
            "620",  # scores
        ):
            assert private not in text, private
    for query, total in [
        ("scheme=CAP_ISO9001", 0),
        ("level=Confirmé", 1),
        ("level=Initial", 0),
        ("siae_type=ACI", 1),
        ("siae_type=EI", 0),
        ("region=11", 0),
        ("q=structure", 1),
        ("status=active", 0),
        ("status=suspended", 1),
    ]:
        assert (
            len(ok(await service.client.get(f"/v1/registry/recognitions?{query}"))["data"]) == total
        ), query
    for bad in ("region=7", "siae_type=SA", "scheme=ISO", "limit=201", "status=lost", "foo=1"):
        response = await service.client.get(f"/v1/registry/recognitions?{bad}")
        assert response.status_code == 422, bad
        assert response.headers["content-type"] == "application/problem+json"


async def test_verification_is_cacheable_and_conditional(service: Service) -> None:
    label = await granted_label(service)
    url = f"/v1/registry/recognitions/{label['number']}"
    first = await service.client.get(url)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=60"
    again = await service.client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert (await service.client.get(url, headers={"If-None-Match": '"other"'})).status_code == 200
    # A status change changes the representation, hence the tag.
    ok(
        await service.client.post(
            f"/v1/recognitions/{label['id']}/transitions",
            json={"step": "suspend", "reason": "Contrôle"},
            headers=service.committee(),
        )
    )
    changed = await service.client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["status"] == "suspended"
    page = await service.client.get(
        f"/v1/registry/verify/{label['verification_code']}", headers={"Accept": "text/html"}
    )
    assert page.headers["content-type"].startswith("text/html")
    assert "Suspendu" in page.text
    assert label["number"] in page.text


async def test_forged_or_unknown_codes_and_numbers(service: Service) -> None:
    await granted_label(service)
    unknown = await service.client.get("/v1/registry/verify/ABCD-EFGH-JKMN")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    forged = await service.client.get("/v1/registry/verify/not-a-code!")
    assert forged.status_code == 422
    assert (
        await service.client.get("/v1/registry/recognitions/CAPRSE-1999-0001")
    ).status_code == 404


async def test_certificate_pdf(service: Service) -> None:
    label = await granted_label(service)
    pdf = await service.client.get(f"/v1/registry/recognitions/{label['number']}/certificate.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert label["number"] in pdf.headers["content-disposition"]


async def test_a_complaint_from_the_registry_reaches_the_committee(service: Service) -> None:
    label = await granted_label(service)
    url = f"/v1/registry/recognitions/{label['number']}/complaints"
    bad = await service.client.post(url, json={"name": "X", "email": "nope", "message": "court"})
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"body.name", "body.email", "body.message"}
    receipt = ok(
        await service.client.post(
            url,
            json={
                "name": "Paul Durand",
                "email": "paul@example.org",
                "message": "Cette structure n'existe plus.",
            },
        ),
        201,
    )
    assert receipt["status"] == "received"
    assert receipt["reference"].startswith("R-")
    (event,) = await events(service, "labelling.complaint.received.v1")
    assert event["number"] == label["number"]
    assert "paul@example.org" not in json.dumps(event)
    (complaint,) = ok(await service.client.get("/v1/complaints", headers=service.committee()))[
        "data"
    ]
    assert complaint["reporter_email"] == "paul@example.org"
    assert (
        await service.client.get("/v1/complaints", headers=service.member_admin())
    ).status_code == 403
    path = f"/v1/complaints/{complaint['id']}/transitions"
    assert (
        await service.client.post(
            path, json={"step": "uphold", "resolution": "x"}, headers=service.committee()
        )
    ).status_code == 409
    ok(await service.client.post(path, json={"step": "investigate"}, headers=service.committee()))
    no_resolution = await service.client.post(
        path, json={"step": "uphold"}, headers=service.committee()
    )
    assert no_resolution.status_code == 422
    upheld = ok(
        await service.client.post(
            path,
            json={"step": "uphold", "resolution": "Activité cessée : label retiré"},
            headers=service.committee(),
        )
    )
    assert upheld["status"] == "upheld"


async def test_unknown_recognition_cannot_be_flagged(service: Service) -> None:
    response = await service.client.post(
        "/v1/registry/recognitions/CAPRSE-2020-0009/complaints",
        json={"name": "Paul", "email": "paul@example.org", "message": "Signalement sans objet"},
    )
    assert response.status_code == 404
    _ = (GOOD, decide)
