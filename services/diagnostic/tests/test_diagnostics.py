"""Diagnostics through the service's API: lifecycle, answers, concurrency, completion event."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import sqlalchemy as sa

from cap_diagnostic.models import tables
from cap_shared.contracts.diagnostic import DiagnosticCompletedV1

from .conftest import Service, answer

CAP = "urn:coorace:referentiel:cap:critere:"


async def open_diagnostic(
    service: Service, headers: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    body = {
        "organisation_id": service.organisations["a"].id,
        "session_date": "2026-12-03",
        "facilitator": "Animatrice régionale",
        "participants": [
            {"category": "staff", "role": "Directrice"},
            {"category": "employee_in_pathway"},
            {"category": "volunteer", "name": "Bénévole"},
        ],
        **extra,
    }
    created = await service.client.post(
        "/v1/diagnostics", json=body, headers=headers or service.facilitator()
    )
    assert created.status_code == 201, created.text
    return created.json() | {"etag": created.headers["etag"]}


async def criteria_of(
    service: Service, code: str = "CAP", version: int = 1
) -> list[dict[str, Any]]:
    detail = await service.client.get(
        f"/v1/referentials/{code}/versions/{version}", headers=service.admin
    )
    return [c for t in detail.json()["themes"] for c in t["criteria"]]


async def act(service: Service, diagnostic_id: str, action: str, headers=None, **kw):
    return await service.client.post(
        f"/v1/diagnostics/{diagnostic_id}/transitions",
        json={"action": action},
        headers=headers or service.member(),
        **kw,
    )


async def rate_all(service: Service, diagnostic_id: str, level: int = 3, code: str = "CAP") -> None:
    batch = [answer(c["urn"], level) for c in await criteria_of(service, code)]
    batch[-1] = answer(
        batch[-1]["criterion"],
        None,
        not_applicable=True,
        not_applicable_reason="Pas de ce type d'activité",
    )
    rated = await service.client.put(
        f"/v1/diagnostics/{diagnostic_id}/answers",
        json={"answers": batch},
        headers=service.member(),
    )
    assert rated.status_code == 200, rated.text


async def test_a_cap_session_from_draft_to_rated_publishes_its_scores(service: Service) -> None:
    diagnostic = await open_diagnostic(service)
    assert diagnostic["status"] == "draft"
    assert diagnostic["referential"]["code"] == "CAP"
    assert diagnostic["allowed_actions"] == ["schedule"]
    assert diagnostic["progress"] == {
        "criteria": 22,
        "rated": 0,
        "not_applicable": 0,
        "missing": 22,
    }
    for action in ("schedule", "start"):
        moved = await act(service, diagnostic["id"], action)
        assert moved.status_code == 200, moved.text
    await rate_all(service, diagnostic["id"], level=3)
    figures = await service.client.put(
        f"/v1/diagnostics/{diagnostic['id']}/key-figures",
        json={
            "employees_in_pathway": 40,
            "exits": {
                "emploi_durable": 6,
                "emploi_transition": 4,
                "sortie_positive": 2,
                "autres": 8,
                "neutralisees": 3,
            },
        },
        headers=service.member(),
    )
    assert figures.json()["key_figures"]["dynamic_exit_rate"] == 0.6
    completed = await act(service, diagnostic["id"], "complete")
    assert completed.status_code == 200, completed.text
    body = completed.json()
    assert body["status"] == "rated"
    assert (body["overall_score"], body["overall_band"]) == (750, "Exemplaire")  # 3/4 everywhere
    assert body["allowed_actions"] == ["issue_plan", "close"]

    async with service.runtime.db.session() as session:
        rows = (
            await session.execute(sa.select(tables.outbox.c.event_type, tables.outbox.c.payload))
        ).all()
    (row,) = [r for r in rows if r.event_type == "diagnostic.completed.v1"]
    event = DiagnosticCompletedV1.model_validate(json.loads(row.payload)["data"])
    assert event.diagnostic_id == diagnostic["id"]
    assert event.organisation_id == service.organisations["a"].id
    assert event.overall.score == 750
    assert [t.code for t in event.themes] == ["T1", "T2", "T3", "T4"]
    assert len(event.criteria) == 22
    assert sum(c.not_applicable for c in event.criteria) == 1
    assert event.dynamic_exit_rate == 0.6
    scores = await service.client.get(
        f"/v1/diagnostics/{diagnostic['id']}/scores", headers=service.member()
    )
    assert scores.json()["overall"]["score"] == 750


async def test_completing_an_incomplete_diagnostic_is_refused_with_what_is_missing(
    service: Service,
) -> None:
    diagnostic = await open_diagnostic(service, kind="self_assessment")
    await act(service, diagnostic["id"], "start")
    criteria = await criteria_of(service)
    await service.client.put(
        f"/v1/diagnostics/{diagnostic['id']}/answers",
        json={"answers": [answer(c["urn"], 2) for c in criteria[:20]]},
        headers=service.member(),
    )
    refused = await act(service, diagnostic["id"], "complete")
    assert refused.status_code == 422
    assert refused.json()["missing"] == [criteria[20]["code"], criteria[21]["code"]]
    current = await service.client.get(
        f"/v1/diagnostics/{diagnostic['id']}", headers=service.member()
    )
    assert current.json()["status"] == "in_session"
    async with service.runtime.db.session() as session:
        assert (
            await session.execute(sa.select(sa.func.count()).select_from(tables.outbox))
        ).scalar() == 0


async def test_lifecycle_steps_out_of_order_are_refused(service: Service) -> None:
    diagnostic = await open_diagnostic(service, session_date=None, facilitator=None)
    refused = await act(service, diagnostic["id"], "schedule")
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("session-details-missing")
    wrong = await act(service, diagnostic["id"], "complete")
    assert wrong.status_code == 409
    assert wrong.json()["allowed_actions"] == ["schedule"]
    unknown = await act(service, diagnostic["id"], "teleport")
    assert unknown.status_code == 422


async def test_bad_answers_are_refused_and_nothing_of_the_batch_is_written(
    service: Service,
) -> None:
    diagnostic = await open_diagnostic(service)
    url = f"/v1/diagnostics/{diagnostic['id']}/answers"
    good = answer(CAP + "t1.1", 2)
    for bad, field in (
        (answer(CAP + "t9.9", 2), "answers.1.criterion"),
        (answer(CAP + "t1.2", 5), "answers.1.level"),
    ):
        refused = await service.client.put(
            url, json={"answers": [good, bad]}, headers=service.member()
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == field
    for bad in (
        answer(CAP + "t1.2", -1),
        answer(CAP + "t1.2", 2, not_applicable=True, not_applicable_reason="x"),
        answer(CAP + "t1.2", None, not_applicable=True),
        {**answer(CAP + "t1.2", 1), "id": "pas-un-uuid"},
    ):
        refused = await service.client.put(
            url, json={"answers": [good, bad]}, headers=service.member()
        )
        assert refused.status_code == 422, bad
    listed = await service.client.get(url, headers=service.member())
    assert listed.json()["data"] == []


async def test_a_completed_diagnostic_is_not_edited_any_more(service: Service) -> None:
    diagnostic = await open_diagnostic(service, kind="self_assessment")
    await act(service, diagnostic["id"], "start")
    await rate_all(service, diagnostic["id"])
    await act(service, diagnostic["id"], "complete")
    url = f"/v1/diagnostics/{diagnostic['id']}"
    for method, path, body in (
        ("PUT", "/answers", {"answers": [answer(CAP + "t1.1", 1)]}),
        ("PATCH", "", {"facilitator": "Autre"}),
        ("PUT", "/key-figures", {"employees_in_pathway": 3}),
        ("POST", "/migrate", {"version": 1, "strategy": "keep"}),
    ):
        refused = await service.client.request(
            method, url + path, json=body, headers=service.member()
        )
        assert refused.status_code == 409, (method, path, refused.text)
    answers = await service.client.get(url + "/answers", headers=service.member())
    assert {a["level"] for a in answers.json()["data"]} == {3, None}


async def test_a_stale_etag_gets_412_and_the_fresh_one_goes_through(service: Service) -> None:
    diagnostic = await open_diagnostic(service)
    url = f"/v1/diagnostics/{diagnostic['id']}/answers"
    first = await service.client.put(
        url,
        json={"answers": [answer(CAP + "t1.1", 1)]},
        headers={**service.member(), "If-Match": diagnostic["etag"]},
    )
    assert first.status_code == 200
    assert first.headers["etag"] != diagnostic["etag"]
    stale = await service.client.put(
        url,
        json={"answers": [answer(CAP + "t1.1", 4)]},
        headers={**service.member(), "If-Match": diagnostic["etag"]},
    )
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == first.headers["etag"]
    fresh = await service.client.put(
        url,
        json={"answers": [answer(CAP + "t1.1", 4)]},
        headers={**service.member(), "If-Match": first.headers["etag"]},
    )
    assert fresh.status_code == 200
    stored = (await service.client.get(url, headers=service.member())).json()["data"]
    assert [(a["level"], a["id"]) for a in stored] == [
        (4, first.json()["answers"][0]["id"])
    ]  # same row kept


async def test_an_idempotency_key_replays_the_first_answer_instead_of_creating_twice(
    service: Service,
) -> None:
    key = {"Idempotency-Key": f"mobile-{uuid.uuid4()}"}
    headers = {**service.member(), **key}
    body = {"organisation_id": service.organisations["a"].id, "kind": "self_assessment"}
    first = await service.client.post("/v1/diagnostics", json=body, headers=headers)
    again = await service.client.post("/v1/diagnostics", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    listed = await service.client.get("/v1/diagnostics", headers=service.member())
    assert len(listed.json()["data"]) == 1
    reused = await service.client.post(
        "/v1/diagnostics", json={**body, "title": "Autre"}, headers=headers
    )
    assert reused.status_code == 422
    assert reused.json()["type"].endswith("idempotency-key-reused")


async def test_other_tenants_neither_see_nor_touch_a_diagnostic(service: Service) -> None:
    diagnostic = await open_diagnostic(service)
    url = f"/v1/diagnostics/{diagnostic['id']}"
    for outsider in (service.member("b"), service.facilitator("11")):
        assert (await service.client.get(url, headers=outsider)).status_code == 404
        put = await service.client.put(
            url + "/answers", json={"answers": [answer(CAP + "t1.1", 1)]}, headers=outsider
        )
        assert put.status_code == 404
        listed = await service.client.get("/v1/diagnostics", headers=outsider)
        assert listed.json()["data"] == []
    opened_for_a = await service.client.post(
        "/v1/diagnostics",
        json={"organisation_id": service.organisations["a"].id},
        headers=service.member("b"),
    )
    assert opened_for_a.status_code == 404
    committee = await service.client.get(url, headers=service.headers({"role": "committee"}))
    assert committee.status_code == 403


async def test_answers_from_an_earlier_cap_diagnostic_are_offered_on_cap_rse(
    service: Service,
) -> None:
    cap = await open_diagnostic(service, kind="self_assessment")
    await act(service, cap["id"], "start")
    await rate_all(service, cap["id"], level=2)
    await act(service, cap["id"], "complete")
    rse = await open_diagnostic(service, kind="self_assessment", referential_code="CAP_RSE")
    offered = await service.client.get(
        f"/v1/diagnostics/{rse['id']}/suggestions", headers=service.member()
    )
    assert offered.status_code == 200
    suggestions = offered.json()["data"]
    assert len(suggestions) == 22  # every CAP criterion, none of the 26 CSR ones
    assert {s["from_diagnostic"] for s in suggestions} == {cap["id"]}
    assert suggestions[0]["code"] == "T1.1"
    assert suggestions[0]["level"] == 2
    # Accepting them is one batch; they are then no longer offered.
    batch = [
        answer(
            s["criterion"],
            s["level"],
            not_applicable=s["not_applicable"],
            not_applicable_reason=s["not_applicable_reason"],
            carried_from=s["from_diagnostic"],
        )
        for s in suggestions
    ]
    taken = await service.client.put(
        f"/v1/diagnostics/{rse['id']}/answers", json={"answers": batch}, headers=service.member()
    )
    assert taken.status_code == 200, taken.text
    assert (
        await service.client.get(
            f"/v1/diagnostics/{rse['id']}/suggestions", headers=service.member()
        )
    ).json()["data"] == []
    progress = (
        await service.client.get(f"/v1/diagnostics/{rse['id']}", headers=service.member())
    ).json()["progress"]
    assert progress == {"criteria": 48, "rated": 21, "not_applicable": 1, "missing": 26}


async def test_summary_gives_the_members_latest_diagnostic(service: Service) -> None:
    empty = await service.client.get("/v1/diagnostics/summary", headers=service.member())
    assert empty.json() == {"latest_diagnostic": None, "open_actions": 0, "next_due_date": None}
    diagnostic = await open_diagnostic(service)
    summary = await service.client.get("/v1/diagnostics/summary", headers=service.member())
    assert summary.json()["latest_diagnostic"]["id"] == diagnostic["id"]
    assert (
        await service.client.get("/v1/diagnostics/summary", headers=service.facilitator())
    ).status_code == 404


async def test_concurrent_writers_with_the_same_etag_one_wins_one_gets_412(pg_databases) -> None:
    """Two devices send a batch based on the same read, at the same time, on separate connections."""
    from cap_diagnostic import main as diagnostic_main
    from cap_diagnostic.models import metadata
    from cap_diagnostic.referentials.service import import_library
    from cap_shared.db.session import Database
    from cap_shared.testing.fixtures import truncate_all

    from .conftest import open_service

    url = await asyncio.to_thread(
        pg_databases.url_for, "diagnostic-concurrency", diagnostic_main.MIGRATIONS, metadata
    )
    db = Database(url, pool_size=4)
    owner = Database(pg_databases.owner_urls["diagnostic-concurrency"])
    await truncate_all(owner, metadata)  # TRUNCATE is the owner's
    await owner.dispose()
    async with db.session() as session:
        await import_library(session)
    client, runtime, issuer = await open_service(db)
    svc = Service(client, runtime, issuer)
    try:
        await svc.add_organisation("a")
        diagnostic = await open_diagnostic(svc)
        url_answers = f"/v1/diagnostics/{diagnostic['id']}/answers"
        headers = {**svc.member(), "If-Match": diagnostic["etag"]}
        results = await asyncio.gather(
            *(
                client.put(
                    url_answers, json={"answers": [answer(CAP + "t1.1", level)]}, headers=headers
                )
                for level in (1, 4)
            )
        )
        assert sorted(r.status_code for r in results) == [200, 412]
        winner = next(r for r in results if r.status_code == 200)
        stored = (await client.get(url_answers, headers=svc.member())).json()["data"]
        assert [a["level"] for a in stored] == [winner.json()["answers"][0]["level"]]
        current = await client.get(f"/v1/diagnostics/{diagnostic['id']}", headers=svc.member())
        assert current.json()["revision"] == 2
    finally:
        await client.aclose()
        await db.dispose()


async def import_cap_v2(service: Service) -> None:
    """CAP v2: T1.2 moves to a 0-2 scale, T1.5 is removed, T1.6 is added."""
    import yaml

    from .test_referentials import cap_document, upload

    doc = cap_document()
    doc["version"] = 2
    doc["scales"].append(
        {
            "id": "simple",
            "name": "Simple 0-2",
            "levels": [
                {"value": 0, "name": "Absent", "description": "Rien."},
                {"value": 1, "name": "Partiel", "description": "En partie."},
                {"value": 2, "name": "Acquis", "description": "En place."},
            ],
        }
    )
    t1 = doc["themes"][0]["criteria"]
    t1[1]["scale"] = "simple"
    removed = t1.pop(4)
    t1.append(
        {**removed, "urn": CAP + "t1.6", "code": "T1.6", "indicators": [], "action_templates": []}
    )
    imported = await service.client.post(
        "/v1/referentials", headers=service.admin, **upload(yaml.safe_dump(doc, allow_unicode=True))
    )
    assert imported.status_code == 201, imported.text
    changes = imported.json()["changes"]
    assert [c["code"] for c in changes["added"]] == ["T1.6"]
    assert [c["code"] for c in changes["removed"]] == ["T1.5"]
    published = await service.client.post(
        "/v1/referentials/CAP/versions/2/publication", headers=service.admin
    )
    assert published.status_code == 200, published.text


async def test_a_new_version_leaves_running_diagnostics_alone_until_migrated_by_strategy(
    service: Service,
) -> None:
    running = {}
    for strategy in ("keep", "reset", "rescale"):
        diagnostic = await open_diagnostic(service)
        rated = await service.client.put(
            f"/v1/diagnostics/{diagnostic['id']}/answers",
            json={
                "answers": [
                    answer(CAP + "t1.1", 4),
                    answer(CAP + "t1.2", 3),
                    answer(CAP + "t1.5", 2),
                ]
            },
            headers=service.member(),
        )
        assert rated.status_code == 200
        running[strategy] = diagnostic["id"]
    await import_cap_v2(service)
    # Nothing moved by itself.
    before = await service.client.get(
        f"/v1/diagnostics/{running['keep']}", headers=service.member()
    )
    assert before.json()["referential"]["version"] == 1
    expected_t12 = {
        "keep": 2,
        "reset": None,
        "rescale": 2,
    }  # 3 on 0-4: clamp 2, cleared, 3*2/4=1.5 -> 2
    for strategy, diagnostic_id in running.items():
        migrated = await service.client.post(
            f"/v1/diagnostics/{diagnostic_id}/migrate",
            json={"version": 2, "strategy": strategy},
            headers=service.member(),
        )
        assert migrated.status_code == 200, migrated.text
        body = migrated.json()
        assert body["referential"]["version"] == 2
        (record,) = body["migrations"]
        assert (record["from_version"], record["to_version"], record["strategy"]) == (
            1,
            2,
            strategy,
        )
        assert record["answers_removed"] == [CAP + "t1.5"]
        assert record["criteria_added"] == ["T1.6"]
        levels = {
            a["code"]: a["level"]
            for a in (
                await service.client.get(
                    f"/v1/diagnostics/{diagnostic_id}/answers", headers=service.member()
                )
            ).json()["data"]
        }
        assert levels == {"T1.1": 4, "T1.2": expected_t12[strategy]}, strategy
    again = await service.client.post(
        f"/v1/diagnostics/{running['keep']}/migrate",
        json={"version": 2, "strategy": "keep"},
        headers=service.member(),
    )
    assert again.status_code == 409
    # New diagnostics open on the newest version.
    newest = await open_diagnostic(service)
    assert newest["referential"]["version"] == 2
    assert newest["progress"]["criteria"] == 22
    rescale_rule = await service.client.post(
        f"/v1/diagnostics/{newest['id']}/migrate",
        json={"version": 1, "strategy": "sideways"},
        headers=service.member(),
    )
    assert rescale_rule.status_code == 422


async def test_idempotency_keys_are_forgotten_after_their_retention(service: Service) -> None:
    from datetime import timedelta

    import sqlalchemy as sa

    from cap_diagnostic.main import SERVICE
    from cap_diagnostic.models import idempotency_keys
    from cap_shared.jobs import context_now

    key = {"Idempotency-Key": f"mobile-{uuid.uuid4()}"}
    body = {"organisation_id": service.organisations["a"].id, "kind": "self_assessment"}
    await service.client.post("/v1/diagnostics", json=body, headers={**service.member(), **key})
    job = next(j for j in SERVICE.jobs if j.name == "idempotency-keys")
    async with service.runtime.db.session() as session:
        assert await job.body(session, context_now()) == 0  # still within 24 h
        await session.execute(
            sa.update(idempotency_keys).values(created_at=sa.func.now() - timedelta(hours=25))
        )
        assert await job.body(session, context_now()) == 1
