"""The audit service's lists in the one shape: ``{"data", "next_cursor"}``, keyset pages in a
stable order, cursors bound to their list, the limit policy, the caller's scope on every page,
and delta sync (``updated_since``) on the lists the auditors' app caches (audits, findings)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from cap_audit.models import Audit, CertificationBody, Finding
from cap_shared.clock import using

from .conftest import Service, ok
from .test_audits import accepted, setup_body

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


async def every_page(
    service: Service, url: str, headers: dict[str, str], **params: Any
) -> tuple[list[dict[str, Any]], int]:
    """Every item of a list, page by page, and how many pages it took."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = ok(await service.client.get(url, params=query, headers=headers))
        assert set(page) >= {"data", "next_cursor"}
        assert len(page["data"]) <= int(params.get("limit", 50))
        items += page["data"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages


async def more_audits(service: Service, programme: dict[str, Any], count: int) -> list[str]:
    """``count`` requested audits of a programme, one a day after T0."""
    ids = []
    async with service.runtime.db.session() as session:
        for i in range(count):
            audit = Audit(
                id=str(uuid.uuid4()),
                programme_id=programme["id"],
                organisation_id=programme["organisation_id"],
                scheme=programme["scheme"],
                type="special",
                status="requested",
                certification_body_id="sgs-tuv",
                requested_at=T0 + timedelta(days=i),
                created_at=T0 + timedelta(days=i),
            )
            session.add(audit)
            ids.append(audit.id)
    return ids


async def more_findings(service: Service, audit_id: str, organisation_id: str, count: int) -> None:
    async with service.runtime.db.session() as session:
        for i in range(count):
            session.add(
                Finding(
                    id=str(uuid.uuid4()),
                    audit_id=audit_id,
                    organisation_id=organisation_id,
                    type="observation",
                    title=f"Observation {i}",
                    status="open",
                    created_at=T0 + timedelta(hours=i),
                )
            )


async def test_audits_page_newest_first_each_once_and_only_the_callers(service: Service) -> None:
    await service.add_organisation("b")
    mine = await accepted(service, key="a")
    theirs = await accepted(service, key="b")
    a_ids = await more_audits(service, mine, 7)
    b_ids = await more_audits(service, theirs, 3)
    everything, pages = await every_page(service, "/v1/audits", service.admin, limit=3)
    assert pages > 3
    ids = [a["id"] for a in everything]
    assert len(ids) == len(set(ids)) == 12  # the two first audits, and ours
    assert set(a_ids + b_ids) <= set(ids)
    order = [(a["requested_at"], a["id"]) for a in everything]
    assert order == sorted(order, reverse=True)  # newest request first, then id
    # A's people page through A's audits only, whatever the page size.
    seen, _ = await every_page(service, "/v1/audits", service.member("a"), limit=2)
    assert {a["organisation_id"] for a in seen} == {service.organisations["a"].id}
    assert set(a_ids) <= {a["id"] for a in seen}
    assert not set(b_ids) & {a["id"] for a in seen}
    # Filters narrow the stream, and keep the order.
    only, _ = await every_page(
        service, "/v1/audits", service.admin, limit=2, programme_id=theirs["id"]
    )
    assert {a["programme_id"] for a in only} == {theirs["id"]}
    assert len(only) == 4


async def test_a_cursor_pages_only_its_own_list_and_the_limit_is_bounded(
    service: Service,
) -> None:
    programme = await accepted(service)
    await more_audits(service, programme, 3)
    first = ok(await service.client.get("/v1/audits?limit=1", headers=service.admin))
    cursor = first["next_cursor"]
    assert cursor
    for url in ("/v1/audit-programmes", "/v1/certification-bodies", "/v1/auditors"):
        other = await service.client.get(url, params={"cursor": cursor}, headers=service.admin)
        assert other.status_code == 400, (url, other.text)
        assert other.headers["content-type"] == "application/problem+json"
        assert other.json()["type"].endswith("/invalid-cursor")
    for garbled in ("abc", cursor[:-2], cursor.upper(), "x" * 200, "é"):
        answer = await service.client.get(
            "/v1/audits", params={"cursor": garbled}, headers=service.admin
        )
        assert answer.status_code == 400, (garbled, answer.text)
        assert answer.json()["type"].endswith("/invalid-cursor")
    for limit in ("201", "0", "-1", "abc"):
        answer = await service.client.get(f"/v1/audits?limit={limit}", headers=service.admin)
        assert answer.status_code == 422, limit
        assert "query.limit" in {e["field"] for e in answer.json()["errors"]}
    assert (
        len(ok(await service.client.get("/v1/audits?limit=200", headers=service.admin))["data"])
        == 4
    )


async def test_auditors_and_bodies_page_by_name(service: Service) -> None:
    await setup_body(service)
    auditors, pages = await every_page(service, "/v1/auditors", service.admin, limit=1)
    assert pages == len(auditors) > 1
    assert [(a["name"], a["id"]) for a in auditors] == sorted(
        (a["name"], a["id"]) for a in auditors
    )
    bodies, _ = await every_page(service, "/v1/certification-bodies", service.admin, limit=1)
    assert [b["id"] for b in bodies] == ["sgs-tuv"]
    # A cursor holds the last name: the longest accented names still page.
    async with service.runtime.db.session() as session:
        for slug in ("zz-1", "zz-2"):
            session.add(CertificationBody(id=slug, name="Évaluation " + "é" * 188, schemes=[]))
    bodies, pages = await every_page(service, "/v1/certification-bodies", service.admin, limit=1)
    ids = [b["id"] for b in bodies]
    assert sorted(ids) == ["sgs-tuv", "zz-1", "zz-2"]
    assert ids.index("zz-1") + 1 == ids.index("zz-2")  # one name: by id
    assert pages == 3


async def test_findings_page_and_sync_what_changed(service: Service) -> None:
    programme = await accepted(service)
    audit_id = (await more_audits(service, programme, 1))[0]
    await more_findings(service, audit_id, programme["organisation_id"], 5)
    url = f"/v1/audits/{audit_id}/findings"
    findings, pages = await every_page(service, url, service.admin, limit=2)
    assert pages == 3
    assert [f["title"] for f in findings] == [f"Observation {i}" for i in range(5)]
    assert ok(await service.client.get(url, headers=service.admin))["deleted"] == []

    # The app synced at T1; then one finding changes: the next sync brings that one only.
    t1 = service.runtime.clock.now()
    with using(service.runtime.clock):
        async with service.runtime.db.session() as session:
            (third,) = (
                await session.execute(select(Finding).where(col(Finding.title) == "Observation 2"))
            ).scalars()
            third.status = "withdrawn"
    since = {"updated_since": t1.isoformat()}
    changed = ok(await service.client.get(url, params=since, headers=service.admin))
    assert [(f["title"], f["status"]) for f in changed["data"]] == [("Observation 2", "withdrawn")]
    assert (changed["deleted"], changed["next_cursor"]) == ([], None)
    # Everything since before the first: five changes, oldest first, a page at a time.
    walked, _ = await every_page(
        service, url, service.admin, limit=2, updated_since=(T0 - timedelta(days=1)).isoformat()
    )
    assert sorted(f["title"] for f in walked) == [f"Observation {i}" for i in range(5)]
    assert walked[-1]["title"] == "Observation 2"  # the latest change comes last
    # A sync cursor is not a page cursor.
    page_cursor = ok(await service.client.get(url, params={"limit": 1}, headers=service.admin))
    mixed = await service.client.get(
        url, params={**since, "cursor": page_cursor["next_cursor"]}, headers=service.admin
    )
    assert mixed.status_code == 400
    naive = await service.client.get(
        url, params={"updated_since": "2026-11-01T09:00:00"}, headers=service.admin
    )
    assert naive.status_code == 422


async def test_audits_sync_a_cancellation(service: Service) -> None:
    programme = await accepted(service)
    ids = await more_audits(service, programme, 2)
    t1 = service.runtime.clock.now()
    with using(service.runtime.clock):
        async with service.runtime.db.session() as session:
            audit = await session.get(Audit, ids[0])
            assert audit is not None
            audit.status, audit.cancel_reason = "cancelled", "Structure fermée"
    changed = ok(
        await service.client.get(
            "/v1/audits", params={"updated_since": t1.isoformat()}, headers=service.member("a")
        )
    )
    assert [(a["id"], a["status"]) for a in changed["data"]] == [(ids[0], "cancelled")]
    await service.add_organisation("b")
    elsewhere = ok(
        await service.client.get(
            "/v1/audits", params={"updated_since": t1.isoformat()}, headers=service.member("b")
        )
    )
    assert elsewhere["data"] == []
