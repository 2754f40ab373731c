"""The diagnostic service's lists: one shape, cursor paging, limits and delta sync."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cap_diagnostic.models import tombstones
from cap_shared.sync import record_deletion

from .conftest import Service, answer
from .test_diagnostics import CAP, import_cap_v2, open_diagnostic


async def walk(service: Service, url: str, headers: dict[str, str], **params: Any) -> list[dict]:
    """Every item of a list, page after page (and each page within the limit)."""
    seen: list[dict] = []
    cursor = None
    for _ in range(100):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = await service.client.get(url, params=query, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["data"]) + len(body.get("deleted", [])) <= params.get("limit", 50)
        seen += body["data"] + [{"deleted": d["id"]} for d in body.get("deleted", [])]
        if (cursor := body["next_cursor"]) is None:
            return seen
    raise AssertionError("the pages never end")


async def test_paging_returns_each_diagnostic_once_newest_first(service: Service) -> None:
    opened = [(await open_diagnostic(service))["id"] for _ in range(5)]
    seen = await walk(service, "/v1/diagnostics", service.member(), limit=2)
    assert [d["id"] for d in seen] == list(reversed(opened))
    whole = (await service.client.get("/v1/diagnostics", headers=service.member())).json()
    assert [d["id"] for d in whole["data"]] == [d["id"] for d in seen]
    assert whole["next_cursor"] is None


async def test_cursors_limits_and_dates_are_checked(service: Service) -> None:
    for _ in range(2):
        await open_diagnostic(service)
    member = service.member()
    first = (
        await service.client.get("/v1/diagnostics", params={"limit": 1}, headers=member)
    ).json()
    cursor = first["next_cursor"]
    assert cursor
    checks = [
        ("/v1/progress-plans", {"cursor": cursor}, 400, "/invalid-cursor"),
        ("/v1/referentials", {"cursor": cursor}, 400, "/invalid-cursor"),
        (
            "/v1/diagnostics",
            {"cursor": cursor, "updated_since": "2026-01-01T00:00:00Z"},
            400,
            "/invalid-cursor",
        ),
        ("/v1/diagnostics", {"cursor": "not-a-cursor"}, 400, "/invalid-cursor"),
        ("/v1/diagnostics", {"cursor": cursor[:-3] + "xyz"}, 400, "/invalid-cursor"),
        ("/v1/diagnostics", {"limit": 201}, 422, "/validation-error"),
        ("/v1/resources", {"limit": 0}, 422, "/validation-error"),
        ("/v1/diagnostics", {"updated_since": "2026-12-01T10:00:00"}, 422, "/validation-error"),
        ("/v1/progress-plans", {"updated_since": "yesterday"}, 422, "/validation-error"),
    ]
    for url, params, status, problem in checks:
        response = await service.client.get(url, params=params, headers=member)
        assert response.status_code == status, (url, params, response.text)
        assert response.json()["type"].endswith(problem), (url, params)
    second = await service.client.get(
        "/v1/diagnostics", params={"cursor": cursor, "limit": 1}, headers=member
    )
    assert second.status_code == 200


async def test_a_cursor_of_one_diagnostics_answers_does_not_page_another(
    service: Service,
) -> None:
    one, other = await open_diagnostic(service), await open_diagnostic(service)
    batch = [answer(CAP + f"t1.{n}", 1) for n in range(1, 4)]
    rated = await service.client.put(
        f"/v1/diagnostics/{one['id']}/answers", json={"answers": batch}, headers=service.member()
    )
    assert rated.status_code == 200, rated.text
    page = await service.client.get(
        f"/v1/diagnostics/{one['id']}/answers", params={"limit": 1}, headers=service.member()
    )
    refused = await service.client.get(
        f"/v1/diagnostics/{other['id']}/answers",
        params={"cursor": page.json()["next_cursor"]},
        headers=service.member(),
    )
    assert refused.status_code == 400
    assert "another list" in refused.json()["detail"]
    answers = await walk(service, f"/v1/diagnostics/{one['id']}/answers", service.member(), limit=1)
    assert [a["criterion"] for a in answers] == sorted(a["criterion"] for a in batch)


async def test_updated_since_gives_changes_and_the_tombstones_of_deleted_answers(
    service: Service,
) -> None:
    diagnostic = await open_diagnostic(service)
    url = f"/v1/diagnostics/{diagnostic['id']}/answers"
    batch = [answer(CAP + f"t1.{n}", 2) for n in range(1, 6)]
    rated = await service.client.put(url, json={"answers": batch}, headers=service.member())
    assert rated.status_code == 200, rated.text
    stored = {a["criterion"]: a["id"] for a in rated.json()["answers"]}
    service.runtime.clock.advance(timedelta(hours=1))
    synced_at = service.runtime.clock.now().isoformat()
    service.runtime.clock.advance(timedelta(minutes=1))
    assert (await walk(service, url, service.member(), updated_since=synced_at)) == []

    # One answer changes; the move to CAP v2 deletes the answer on T1.5 (removed criterion).
    changed = await service.client.put(
        url, json={"answers": [answer(CAP + "t1.1", 4)]}, headers=service.member()
    )
    assert changed.status_code == 200, changed.text
    await import_cap_v2(service)
    migrated = await service.client.post(
        f"/v1/diagnostics/{diagnostic['id']}/migrate",
        json={"version": 2, "strategy": "keep"},
        headers=service.member(),
    )
    assert migrated.status_code == 200, migrated.text

    for limit in (1, 2, 50):
        entries = await walk(service, url, service.member(), updated_since=synced_at, limit=limit)
        deleted = [e["deleted"] for e in entries if "deleted" in e]
        assert deleted == [stored[CAP + "t1.5"]]
        changes = {e["criterion"]: e["level"] for e in entries if "deleted" not in e}
        assert changes[CAP + "t1.1"] == 4
        assert CAP + "t1.5" not in changes
    plain = (await service.client.get(url, headers=service.member())).json()
    assert plain["deleted"] == []
    assert CAP + "t1.5" not in {a["criterion"] for a in plain["data"]}
    # The diagnostic changed too (its revision and referential).
    diagnostics = await walk(service, "/v1/diagnostics", service.member(), updated_since=synced_at)
    assert [d["id"] for d in diagnostics] == [diagnostic["id"]]


async def test_delta_sync_of_diagnostics_is_scoped_to_the_caller_tombstones_included(
    service: Service,
) -> None:
    mine = await open_diagnostic(service)
    theirs = await open_diagnostic(
        service, organisation_id=service.organisations["b"].id, headers=service.admin
    )
    since = (service.runtime.clock.now() - timedelta(days=1)).isoformat()
    async with service.runtime.db.session() as session:
        for organisation, gone in (("a", "gone-a"), ("b", "gone-b")):
            await record_deletion(
                session,
                tombstones,
                resource="diagnostic",
                ids=[gone],
                organisation_id=service.organisations[organisation].id,
                at=service.runtime.clock.now(),
            )
    a = await walk(service, "/v1/diagnostics", service.member("a"), updated_since=since)
    assert [e.get("id") or e["deleted"] for e in a] == [mine["id"], "gone-a"]
    b = await walk(service, "/v1/diagnostics", service.member("b"), updated_since=since)
    assert [e.get("id") or e["deleted"] for e in b] == [theirs["id"], "gone-b"]
    everything = await walk(service, "/v1/diagnostics", service.admin, updated_since=since)
    assert {e.get("id") or e["deleted"] for e in everything} >= {
        mine["id"],
        theirs["id"],
        "gone-a",
        "gone-b",
    }


async def test_a_changed_action_brings_its_plan_into_the_delta(service: Service) -> None:
    from cap_shared.testing.conditional import if_match

    from .test_diagnostics import act
    from .test_plans import rated_diagnostic, the_plan

    diagnostic = await rated_diagnostic(service, {"T2.1": 1})
    assert (await act(service, diagnostic["id"], "issue_plan")).status_code == 200
    plan = await the_plan(service)
    service.runtime.clock.advance(timedelta(hours=1))
    since = service.runtime.clock.now().isoformat()
    service.runtime.clock.advance(timedelta(minutes=1))
    assert await walk(service, "/v1/progress-plans", service.member(), updated_since=since) == []
    action = plan["actions"][0]
    url = f"/v1/actions/{action['id']}"
    moved = await service.client.patch(
        url,
        json={"priority": "low"},
        headers=await if_match(service.client, url, service.member()),
    )
    assert moved.status_code == 200, moved.text
    synced = await walk(service, "/v1/progress-plans", service.member(), updated_since=since)
    assert [p["id"] for p in synced] == [plan["id"]]
    assert await walk(service, "/v1/progress-plans", service.member("b"), updated_since=since) == []
