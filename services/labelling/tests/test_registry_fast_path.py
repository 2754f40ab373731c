"""The registry's verification answered from one statement on a read-only connection (what a
cache miss costs) is byte for byte the answer built from the ORM and the public models, after
every kind of change: grant, status changes (suspension, restoration, expiry), the holder
renamed or moved, a renewal, a scope reduction, a group with a member not known here."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from cap_labelling import rules
from cap_labelling.main import recognition_lifecycle
from cap_labelling.recognitions import service as recognitions
from cap_labelling.registry import service as registry
from cap_labelling.registry.schemas import Verification
from cap_shared.clock import wall_now
from cap_shared.contracts import schemes
from cap_shared.contracts.identity import OrganisationRegisteredV1
from cap_shared.problems import NotFound

from .conftest import Service, ok
from .test_cycles import body_decision, certified
from .test_decisions import GOOD, decide, granted_label


async def same_answer(service: Service, number: str) -> dict[str, Any]:
    """The fast answer (by number and by code, on a reader and over HTTP) equals the full one
    (ORM, models, ``dumps``): same bytes, same ETag, same HTML page. The answer, parsed."""
    public_url = service.runtime.settings.public_base  # type: ignore[attr-defined]
    async with service.runtime.db.session() as session:
        recognition = await registry.find(session, number=number)
        full_model = await registry.verification(session, recognition, public_url=public_url)
        code = recognition.verification_code
    full = registry.dumps(full_model)
    async with service.runtime.db.reader() as reader:
        by_number = await registry.verification_body(reader, number=number, public_url=public_url)
        by_code = await registry.verification_body(
            reader, code=code.lower().replace("-", " "), public_url=public_url
        )
    assert by_number == full
    assert by_code == full
    for url in (f"/v1/registry/verify/{code}", f"/v1/registry/recognitions/{number}"):
        answer = await service.client.get(url)
        assert answer.status_code == 200, answer.text
        assert answer.content == full
        assert answer.headers["etag"] == registry.etag_of(full)
        assert answer.headers["cache-control"] == "public, max-age=60"
        assert answer.headers["content-type"] == "application/json"
        page = await service.client.get(url, headers={"Accept": "text/html"})
        assert page.text == registry.verification_html(full_model)
        assert page.headers["etag"] == registry.etag_of(page.content)
    assert Verification.model_validate_json(full) == full_model
    return dict(ok(await service.client.get(f"/v1/registry/verify/{code}")))


async def step(service: Service, recognition_id: str, name: str) -> None:
    ok(
        await service.client.post(
            f"/v1/recognitions/{recognition_id}/transitions",
            json={"step": name, "reason": "Contrôle"},
            headers=service.committee(),
        )
    )


async def test_status_changes_show_in_the_fast_answer(service: Service) -> None:
    label = await granted_label(service)
    assert (await same_answer(service, label["number"]))["status"] == "active"
    await step(service, label["id"], "suspend")
    suspended = await same_answer(service, label["number"])
    assert (suspended["status"], suspended["status_name"]) == ("suspended", "Suspendu")
    assert [h["reason_code"] for h in suspended["history"]] == ["granted", "committee"]
    await step(service, label["id"], "restore")
    assert (await same_answer(service, label["number"]))["status"] == "active"
    service.runtime.clock.advance(timedelta(days=3 * 365 + 10))
    async with service.runtime.db.session() as session:
        await recognition_lifecycle(session, service.runtime.job_context())
    expired = await same_answer(service, label["number"])
    assert expired["status"] == "expired"
    assert expired["history"][-1]["reason"] == registry.REASONS["expired"]


async def test_a_renamed_or_moved_holder_shows_in_the_fast_answer(service: Service) -> None:
    label = await granted_label(service)
    holder = service.organisations["a"]
    await service.deliver(
        OrganisationRegisteredV1(
            organisation_id=holder.id,
            siret=holder.siret,
            name="Les Jardins d'Élise & Cie <SCOP>",
            siae_types=["EI", "ACI"],
            region="84",
            region_name="Auvergne-Rhône-Alpes",
            registered_at=holder.registered_at,
        )
    )
    answer = await same_answer(service, label["number"])
    assert answer["holder"] == {
        "name": "Les Jardins d'Élise & Cie <SCOP>",
        "region": "84",
        "region_name": "Auvergne-Rhône-Alpes",
        "siae_types": ["EI", "ACI"],
    }


async def test_a_renewal_shows_in_both_fast_answers(service: Service) -> None:
    first = await granted_label(service)
    service.runtime.clock.advance(timedelta(days=34 * 30))
    await service.report("a", "CAP_RSE", "follow_up")
    renewal_audit = str(uuid.uuid4())
    await service.evaluated("a", renewal_audit, 800, 650)
    await service.report("a", "CAP_RSE", "renewal", auditors=("auditor-2",), audit_id=renewal_audit)
    (renewal,) = ok(
        await service.client.get("/v1/decisions?status=pending", headers=service.committee())
    )["data"]
    decided = ok(await decide(service, renewal["id"], outcome="confirm"))
    new = ok(
        await service.client.get(
            f"/v1/recognitions/{decided['recognition_id']}", headers=service.admin
        )
    )
    old = await same_answer(service, first["number"])
    assert (old["status"], old["renewed_by"]) == ("renewed", new["number"])
    assert old["history"][-1]["reason_code"] == "renewed"
    fresh = await same_answer(service, new["number"])
    assert (fresh["status"], fresh["renewed_by"], fresh["level"]) == ("active", None, "Exemplaire")
    _ = GOOD


async def test_a_scope_reduction_shows_in_the_fast_answer(service: Service) -> None:
    certificate = await certified(service)
    ok(
        await service.client.post(
            f"/v1/recognitions/{certificate['id']}/scope-reductions",
            json={"scope": "Espaces verts", "reason": "Activité arrêtée"},
            headers=service.body(),
        )
    )
    answer = await same_answer(service, certificate["number"])
    assert (answer["scope"], answer["history"][-1]["reason_code"]) == (
        "Espaces verts",
        "scope_reduced",
    )
    assert answer["external_number"] == "FR26/5001"
    _ = body_decision


async def test_a_group_and_an_unknown_member_in_the_fast_answer(service: Service) -> None:
    a, b = service.organisations["a"], service.organisations["b"]
    async with service.runtime.db.session() as session:
        today = wall_now()
        recognition = await recognitions.grant(
            session,
            organisation_id=a.id,
            group_member_ids=[b.id, str(uuid.uuid4()), b.id],
            scheme=rules.Scheme.CAP_ISO9001,
            level=None,
            scope="Groupe",
            certification_body_id=None,
            external_number=None,
            decision_id=None,
            cycle=rules.initial_cycle(today.date(), schemes.load()["CAP_ISO9001"]),
            actor="test",
            now=today,
        )
        number = recognition.number
    answer = await same_answer(service, number)
    assert [m["name"] for m in answer["members"]] == [
        "Structure b",
        "(structure inconnue)",
        "Structure b",
    ]
    assert answer["level"] is None


async def test_unknown_and_malformed_on_the_fast_path(service: Service) -> None:
    public_url = "http://x"
    async with service.runtime.db.reader() as reader:
        for kwargs in ({"code": "ABCD-EFGH-JKMN"}, {"number": "CAPRSE-1999-0001"}):
            with pytest.raises(NotFound):
                await registry.verification_body(reader, public_url=public_url, **kwargs)
    unknown = await service.client.get("/v1/registry/verify/ABCD-EFGH-JKMN")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["detail"] == "no recognition has this verification code"
    number = await service.client.get("/v1/registry/recognitions/CAPRSE-1999-0001")
    assert number.status_code == 404
    assert number.json()["detail"] == "no recognition has this number"
    malformed = await service.client.get("/v1/registry/verify/not-a-code!")
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "path.code"
