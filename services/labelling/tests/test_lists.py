"""The labelling service's lists in the one shape: ``{"data", "next_cursor"}``, keyset pages in a
stable order, cursors bound to their list, the limit policy, the caller's scope on every page
(group members included), and delta sync (``updated_since``) on the recognitions and the public
registry, which apps cache."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cap_labelling.models import Recognition
from cap_shared.clock import using

from .conftest import Service, ok

#: When the labels were recorded (the same instants for every structure: ties are by id).
T0 = datetime(2026, 8, 1, 9, tzinfo=UTC)


async def every_page(
    service: Service, url: str, headers: dict[str, str] | None = None, **params: Any
) -> tuple[list[dict[str, Any]], int]:
    """Every item of a list, page by page, and how many pages it took."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = ok(await service.client.get(url, params=query, headers=headers or {}))
        assert len(page["data"]) <= int(params.get("limit", 50))
        items += page["data"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages


async def recognitions(
    service: Service, key: str, count: int, *, members: tuple[str, ...] = ()
) -> list[str]:
    """``count`` active labels of structure ``key`` (a group's, with ``members``), a day apart."""
    ids = []
    with using(service.runtime.clock):
        async with service.runtime.db.session() as session:
            for i in range(count):
                rid = str(uuid.uuid4())
                session.add(
                    Recognition(
                        id=rid,
                        number=f"CAP-RSE-{key}-{i:03d}-{rid[:6]}",
                        verification_code=rid[:12].upper(),
                        organisation_id=service.organisations[key].id,
                        group_member_ids=[service.organisations[m].id for m in members],
                        scheme="CAP_RSE",
                        level="Confirmé",
                        decided_on=date(2026, 1, 5),
                        effective_date=date(2026, 1, 5),
                        expiry_date=date(2029, 1, 4),
                        cycle_start=date(2026, 1, 5),
                        status="active",
                        source="import",
                        created_at=T0 + timedelta(days=i),
                    )
                )
                ids.append(rid)
    return ids


async def test_recognitions_page_newest_first_each_once_within_the_callers_scope(
    service: Service,
) -> None:
    for key in ("b", "c"):
        await service.add_organisation(key)
    a_ids = await recognitions(service, "a", 7)
    b_ids = await recognitions(service, "b", 3)
    group = await recognitions(service, "c", 1, members=("a",))  # a is a member of c's group
    everything, pages = await every_page(service, "/v1/recognitions", service.admin, limit=3)
    assert pages == 4
    ids = [r["id"] for r in everything]
    assert sorted(ids) == sorted(a_ids + b_ids + group)  # each exactly once
    day = {rid: i for batch in (a_ids, b_ids, group) for i, rid in enumerate(batch)}
    assert ids == sorted(ids, key=lambda rid: (day[rid], rid), reverse=True)  # newest first
    stream = ok(await service.client.get("/v1/recognitions?limit=200", headers=service.admin))
    assert [r["id"] for r in stream["data"]] == ids  # pages join up into the one order
    # A's member_admin: A's labels and the group's it belongs to, full pages, never B's.
    seen, pages = await every_page(service, "/v1/recognitions", service.member_admin("a"), limit=2)
    assert sorted(r["id"] for r in seen) == sorted(a_ids + group)
    assert pages == 4  # 8 labels, 2 a page: the filter runs in the query, pages stay full
    assert not set(b_ids) & {r["id"] for r in seen}
    theirs, _ = await every_page(service, "/v1/recognitions", service.member_admin("b"), limit=5)
    assert sorted(r["id"] for r in theirs) == sorted(b_ids)


async def test_a_cursor_pages_only_its_own_list_and_the_limit_is_bounded(
    service: Service,
) -> None:
    await recognitions(service, "a", 3)
    cursor = ok(await service.client.get("/v1/recognitions?limit=1", headers=service.admin))[
        "next_cursor"
    ]
    assert cursor
    for url in ("/v1/decisions", "/v1/applications", "/v1/complaints", "/v1/registry/recognitions"):
        other = await service.client.get(url, params={"cursor": cursor}, headers=service.admin)
        assert other.status_code == 400, (url, other.text)
        assert other.headers["content-type"] == "application/problem+json"
        assert other.json()["type"].endswith("/invalid-cursor")
    for garbled in ("abc", cursor[:-3], cursor + "A", "é"):
        answer = await service.client.get(
            "/v1/recognitions", params={"cursor": garbled}, headers=service.admin
        )
        assert answer.status_code == 400, (garbled, answer.text)
    for url in ("/v1/recognitions", "/v1/level-rules", "/v1/registry/recognitions"):
        answer = await service.client.get(url, params={"limit": 201}, headers=service.admin)
        assert answer.status_code == 422, url
        assert "query.limit" in {e["field"] for e in answer.json()["errors"]}


async def test_recognitions_sync_a_withdrawal(service: Service) -> None:
    ids = await recognitions(service, "a", 4)
    synced_at = service.runtime.clock.now()
    service.runtime.clock.advance(timedelta(minutes=1))
    ok(
        await service.client.post(
            f"/v1/recognitions/{ids[1]}/transitions",
            json={"step": "withdraw", "reason": "Usage abusif de la marque constaté"},
            headers=service.committee(),
        )
    )
    since = {"updated_since": synced_at.isoformat()}
    changed = ok(await service.client.get("/v1/recognitions", params=since, headers=service.admin))
    assert [(r["id"], r["status"]) for r in changed["data"]] == [(ids[1], "withdrawn")]
    assert (changed["deleted"], changed["next_cursor"]) == ([], None)
    # A's people hear of it; B's do not.
    assert [
        r["id"]
        for r in ok(
            await service.client.get(
                "/v1/recognitions", params=since, headers=service.member_admin()
            )
        )["data"]
    ] == [ids[1]]
    await service.add_organisation("b")
    assert (
        ok(
            await service.client.get(
                "/v1/recognitions", params=since, headers=service.member_admin("b")
            )
        )["data"]
        == []
    )
    # Nothing since the latest change.
    later = {"updated_since": (service.runtime.clock.now() + timedelta(seconds=1)).isoformat()}
    assert (
        ok(await service.client.get("/v1/recognitions", params=later, headers=service.admin))[
            "data"
        ]
        == []
    )
    # The public registry syncs too: the withdrawn label comes as a change of status (a cache
    # drops it), although the registry lists labels in force only.
    registry = ok(await service.client.get("/v1/registry/recognitions", params=since))
    assert [(e["status"], e["status_name"]) for e in registry["data"]] == [("withdrawn", "Retiré")]
    listed, _ = await every_page(service, "/v1/registry/recognitions", limit=1)
    assert len(listed) == 3
    assert all(e["status"] == "active" for e in listed)
    answer = await service.client.get(
        "/v1/registry/recognitions", params={**since, "q": "Structure"}
    )
    assert answer.status_code == 422


async def test_the_registry_pages_by_name_and_stays_cacheable(service: Service) -> None:
    for key in ("b", "c"):
        await service.add_organisation(key)
    for key in ("c", "a", "b"):
        await recognitions(service, key, 2)
    entries, pages = await every_page(service, "/v1/registry/recognitions", limit=4)
    assert pages == 2
    order = [(e["holder"]["name"], e["number"]) for e in entries]
    assert order == sorted(order)
    assert len(set(order)) == 6
    first = await service.client.get("/v1/registry/recognitions?limit=4")
    second = await service.client.get(
        "/v1/registry/recognitions", params={"limit": 4, "cursor": first.json()["next_cursor"]}
    )
    for answer in (first, second):
        assert answer.headers["cache-control"] == "public, max-age=60"
        again = await service.client.get(
            str(answer.request.url.raw_path.decode()),
            headers={"If-None-Match": answer.headers["etag"]},
        )
        assert again.status_code == 304
    # A name search pages as well.
    found, _ = await every_page(service, "/v1/registry/recognitions", limit=1, q="structure b")
    assert {e["holder"]["name"] for e in found} == {"Structure b"}
    assert len(found) == 2
