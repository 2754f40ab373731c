"""The list of decision files shows each file as ``GET /v1/decisions/{id}`` shows it to the same
caller (the list reads each kind of row once for the page: nothing of one file may leak into
another's answer), newest first, page by page, to those who may see it only."""

from __future__ import annotations

from typing import Any

from .conftest import Service, ok
from .test_appeals import appeal
from .test_decisions import accepted, accepted_of, decide, pending_file
from .test_lists import every_page
from .test_majors import granted


async def files_of_every_kind(service: Service) -> dict[str, str]:
    """Files in every state the list shows, by what they stand for: their ids."""
    for key in ("d", "e", "f", "g", "h"):
        await service.add_organisation(key)
    files = {"awaiting_report": (await accepted(service))["id"]}
    files["refused_then_appealed"] = await pending_file(service, "b", majors=1)
    refused = await decide(service, files["refused_then_appealed"], outcome="refuse", reason="Non")
    assert refused.status_code == 200, refused.text
    assert (
        await appeal(service, refused.json()["id"], service.member_admin("b"))
    ).status_code == 201
    files["group"] = await pending_file(service, "d", members=("e", "f"))
    files["held"] = await held_iso_file(service, "g")
    files["incomplete"] = await pending_file(service, "c", criteria={"R1": 3, "R2": None})
    files["scoring"] = await pending_file(service, "h", scored=False)
    return files


async def held_iso_file(service: Service, key: str) -> str:
    """Structure ``key``'s CAP ISO 9001 file, granted by its body while a major is open."""
    application = await accepted_of(service, key, "CAP_ISO9001")
    report = await service.report(key, "CAP_ISO9001", "stage2", majors=2)
    await service.deliver(granted(service, report, open_major_nc=2))
    (file,) = [
        f
        for f in ok(await service.client.get("/v1/decisions", headers=service.admin))["data"]
        if f["application_id"] == application["id"]
    ]
    return str(file["id"])


class TestTheList:
    async def test_each_file_as_its_own_read_shows_it_to_the_same_caller(
        self, service: Service
    ) -> None:
        files = await files_of_every_kind(service)
        readers: dict[str, dict[str, str]] = {
            "committee": service.committee(),
            "facilitator": service.headers({"role": "facilitator", "region": "76"}),
            "applicant": service.member_admin("d"),
            "group member": service.member_admin("e"),
            "appellant": service.member_admin("b"),
        }
        seen: dict[str, list[str]] = {}
        for name, headers in readers.items():
            listed, _ = await every_page(service, "/v1/decisions", headers)
            paged, pages = await every_page(service, "/v1/decisions", headers, limit=2)
            assert paged == listed, name
            assert pages == max(1, -(-len(listed) // 2)), name
            for item in listed:
                alone = ok(await service.client.get(f"/v1/decisions/{item['id']}", headers=headers))
                assert item == alone, (name, item["id"])
            seen[name] = [f["id"] for f in listed]
        # Newest first; each structure's people see their files only.
        newest_first = list(reversed(files.values()))
        assert seen["committee"] == seen["facilitator"] == newest_first
        assert seen["applicant"] == seen["group member"] == [files["group"]]
        assert seen["appellant"] == [files["refused_then_appealed"]]

    async def test_each_file_shows_its_own_evaluation_hold_and_appeals(
        self, service: Service
    ) -> None:
        files = await files_of_every_kind(service)
        listed, _ = await every_page(service, "/v1/decisions", service.committee())
        by_kind: dict[str, dict[str, Any]] = {
            kind: next(f for f in listed if f["id"] == file_id) for kind, file_id in files.items()
        }
        assert [a["status"] for a in by_kind["refused_then_appealed"]["appeals"]] == ["lodged"]
        assert all(f["appeals"] == [] for k, f in by_kind.items() if k != "refused_then_appealed")
        assert len(by_kind["held"]["hold"]["open_majors"]) == 2
        assert all(f["hold"] is None for k, f in by_kind.items() if k != "held")
        group = by_kind["group"]["evaluation"]
        assert set(group["members"]) == {service.organisations[k].id for k in ("d", "e", "f")}
        assert by_kind["group"]["computed_level"] == "Confirmé"
        assert list(by_kind["incomplete"]["evaluation"]["incomplete"].values()) == [
            {"unrated_criteria": ["R2"]}
        ]
        assert by_kind["scoring"]["evaluation"]["evaluation_pending"]
        assert (
            by_kind["refused_then_appealed"]["evaluation"]["members"][
                service.organisations["b"].id
            ]["open_major_nc"]
            == 1
        )
        assert by_kind["awaiting_report"]["evaluation"]["members"][service.organisations["a"].id][
            "missing"
        ] == {"audit_evaluation": None}
