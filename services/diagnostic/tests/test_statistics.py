"""The network view and a structure's position among peers; groups under 5 are never shown."""

from __future__ import annotations

from .conftest import Service, answer
from .test_diagnostics import criteria_of


async def completed_for(service: Service, key: str, level: int) -> None:
    organisation = service.organisations[key]
    created = await service.client.post(
        "/v1/diagnostics",
        json={"organisation_id": organisation.id, "kind": "self_assessment"},
        headers=service.admin,
    )
    url = f"/v1/diagnostics/{created.json()['id']}"
    await service.client.post(url + "/transitions", json={"action": "start"}, headers=service.admin)
    batch = [answer(c["urn"], level) for c in await criteria_of(service)]
    assert (
        await service.client.put(url + "/answers", json={"answers": batch}, headers=service.admin)
    ).status_code == 200
    done = await service.client.post(
        url + "/transitions", json={"action": "complete"}, headers=service.admin
    )
    assert done.status_code == 200, done.text


async def network_of(service: Service, headers: dict[str, str], **params) -> dict:
    response = await service.client.get("/v1/statistics/network", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def populate(service: Service) -> None:
    # Region 52, ACI: "a" plus five more (six structures, all diagnosed, levels 0..4 and 2).
    for i in range(5):
        await service.add_organisation(f"aci{i}", region="52", types=["ACI"])
    for key, level in zip(
        ["a", "aci0", "aci1", "aci2", "aci3", "aci4"], [2, 0, 1, 3, 4, 2], strict=True
    ):
        await completed_for(service, key, level)
    # Region 11: "b" (ACI) plus two EI: too few to show anything.
    for i in range(2):
        await service.add_organisation(f"ei{i}", region="11", types=["EI"])
    for key in ("b", "ei0", "ei1"):
        await completed_for(service, key, 3)


async def test_a_facilitator_sees_the_figures_of_their_region(service: Service) -> None:
    await populate(service)
    stats = await network_of(service, service.facilitator("52"))
    assert stats["scope"]["regions"] == ["52"]
    assert stats["by_region_and_type"] == [
        {
            "region": "52",
            "siae_type": "ACI",
            "structures": 6,
            "diagnosed": 6,
            "labelled": 0,
            "certified": 0,
        }
    ]
    assert stats["totals"]["diagnosed"] == 6
    # levels 0, 1, 2, 2, 3, 4 of 4 -> 0..1000: median 500
    assert stats["totals"]["overall_median"] == 500
    themes = {m["code"]: m for m in stats["maturity"] if m["group"] == "theme"}
    assert set(themes) == {"T1", "T2", "T3", "T4"}
    # 0 -> 0, 1 -> 250, 2 -> 500 (twice), 3 -> 750, 4 -> 1000
    assert themes["T1"]["bands"] == {
        "Non engagé": 1,
        "Initial": 1,
        "Progression": 2,
        "Exemplaire": 2,
    }
    (quarter,) = stats["trend"]
    assert quarter["diagnostics"] == 6
    assert quarter["average_score"] == 500


async def test_groups_of_fewer_than_five_structures_are_suppressed(service: Service) -> None:
    await populate(service)
    national = await network_of(service, service.admin)
    cells = {(c["region"], c["siae_type"]): c for c in national["by_region_and_type"]}
    assert cells[("11", "EI")] == {"region": "11", "siae_type": "EI", "suppressed": True}
    assert cells[("11", "ACI")] == {"region": "11", "siae_type": "ACI", "suppressed": True}
    assert cells[("52", "ACI")]["diagnosed"] == 6
    small = await network_of(service, service.admin, region="11")
    assert small["totals"] == {"suppressed": True}
    assert small["maturity"] == {"suppressed": True}
    assert small["trend"] == []
    assert "3" not in str(small["by_region_and_type"])  # not even the count
    by_type = await network_of(service, service.headers({"role": "committee"}), siae_type="EI")
    assert by_type["totals"] == {"suppressed": True}


async def test_who_may_see_the_network_view(service: Service) -> None:
    await populate(service)
    other_region = await service.client.get(
        "/v1/statistics/network", params={"region": "11"}, headers=service.facilitator("52")
    )
    assert other_region.status_code == 403
    for headers in (service.member(), service.member(role="member_admin")):
        assert (
            await service.client.get("/v1/statistics/network", headers=headers)
        ).status_code == 403
    bad = await service.client.get(
        "/v1/statistics/network", params={"siae_type": "XYZ%"}, headers=service.admin
    )
    assert bad.status_code == 422


async def test_a_member_sees_its_position_among_at_least_five_peers(service: Service) -> None:
    await populate(service)
    position = await service.client.get(
        "/v1/statistics/position",
        params={"organisation_id": service.organisations["a"].id},
        headers=service.member(),
    )
    assert position.status_code == 200, position.text
    (group,) = position.json()["peer_groups"]
    assert (group["region"], group["siae_type"], group["peers"]) == ("52", "ACI", 5)
    overall = next(c for c in group["comparisons"] if c["group"] == "overall")
    # "a" scored 500; peers scored 0, 250, 750, 1000, 500 -> median 500, percentile 50.
    assert (overall["score"], overall["peers_median"], overall["percentile"]) == (500, 500, 50)
    lonely = await service.client.get(
        "/v1/statistics/position",
        params={"organisation_id": service.organisations["b"].id},
        headers=service.member("b"),
    )
    assert lonely.json()["peer_groups"] == [
        {"region": "11", "siae_type": "ACI", "suppressed": True}
    ]
    snooping = await service.client.get(
        "/v1/statistics/position",
        params={"organisation_id": service.organisations["a"].id},
        headers=service.member("b"),
    )
    assert snooping.status_code == 404


async def recognition_event(
    service: Service, key: str, scheme: str, status: str, changed: str, rid: str
) -> None:
    from datetime import date, datetime

    from cap_diagnostic.events.handlers import on_recognition_changed
    from cap_shared.contracts import new_event
    from cap_shared.contracts.labelling import RecognitionStatusChangedV1

    event = RecognitionStatusChangedV1(
        recognition_id=rid,
        number=f"CAP-{rid[:6]}",
        organisation_id=service.organisations[key].id,
        scheme=scheme,
        level="Confirmé" if scheme == "CAP_RSE" else None,
        status=status,
        effective_date=date(2026, 1, 15),
        expiry_date=date(2029, 1, 14),
        changed_at=datetime.fromisoformat(changed),
    )
    async with service.runtime.db.session() as session:
        await on_recognition_changed(session, new_event(event, source="/cap/labelling"), event)


async def test_labelled_and_certified_structures_are_counted_from_recognition_events(
    service: Service,
) -> None:
    import uuid

    await populate(service)
    labels = [str(uuid.uuid4()) for _ in range(3)]
    for key, rid in zip(("a", "aci0", "aci1"), labels, strict=True):
        await recognition_event(service, key, "CAP_RSE", "active", "2026-01-15T10:00:00+00:00", rid)
    await recognition_event(
        service, "aci2", "CAP_ISO9001", "active", "2026-02-01T10:00:00+00:00", str(uuid.uuid4())
    )
    # aci1's label is suspended later; a stale "active" arriving afterwards changes nothing.
    await recognition_event(
        service, "aci1", "CAP_RSE", "suspended", "2026-06-01T10:00:00+00:00", labels[2]
    )
    await recognition_event(
        service, "aci1", "CAP_RSE", "active", "2026-01-15T10:00:00+00:00", labels[2]
    )
    stats = await network_of(service, service.facilitator("52"))
    assert stats["by_region_and_type"] == [
        {
            "region": "52",
            "siae_type": "ACI",
            "structures": 6,
            "diagnosed": 6,
            "labelled": 2,
            "certified": 1,
        }
    ]
    assert (stats["totals"]["labelled"], stats["totals"]["certified"]) == (2, 1)
