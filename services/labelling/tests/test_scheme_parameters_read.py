"""Reading the scheme parameters through the API: the values every service loaded, read-only."""

from __future__ import annotations

from pathlib import Path

import pytest

from cap_labelling.config import Settings
from cap_labelling.schemes import service as schemes
from cap_shared.contracts.schemes import PACKAGED, load

from .conftest import Service


async def test_every_signed_in_caller_reads_the_packaged_parameters(service: Service) -> None:
    for headers in (service.admin, service.committee(), service.member_admin(), service.body()):
        listed = await service.client.get("/v1/scheme-parameters", headers=headers)
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert [s["scheme"] for s in body["data"]] == ["CAP_ISO9001", "CAP_RSE"]
        assert body["next_cursor"] is None
    packaged = load(PACKAGED)
    for item in body["data"]:
        assert item["source"] == "packaged"
        assert item["parameters"] == packaged[item["scheme"]].model_dump(mode="json")
    first = await service.client.get("/v1/scheme-parameters?limit=1", headers=service.admin)
    (iso,) = first.json()["data"]
    assert iso["scheme"] == "CAP_ISO9001"
    after = await service.client.get(
        "/v1/scheme-parameters",
        params={"limit": 1, "cursor": first.json()["next_cursor"]},
        headers=service.admin,
    )
    assert [s["scheme"] for s in after.json()["data"]] == ["CAP_RSE"]
    assert after.json()["next_cursor"] is None
    junk = await service.client.get("/v1/scheme-parameters?cursor=junk", headers=service.admin)
    assert junk.status_code == 400
    rse = await service.client.get("/v1/scheme-parameters/CAP_RSE", headers=service.admin)
    assert rse.status_code == 200
    assert rse.json()["parameters"]["follow_up_months"] == 18
    assert rse.json()["parameters"]["sampling"]["allowed"] is False


async def test_an_unknown_scheme_or_no_token_is_refused(service: Service) -> None:
    unknown = await service.client.get(
        "/v1/scheme-parameters/CAP_NOPE", headers={**service.admin, "Accept-Language": "fr"}
    )
    assert unknown.status_code == 404
    assert "CAP_NOPE" in unknown.json()["detail"]
    junk = await service.client.get("/v1/scheme-parameters/cap-rse%3Cb%3E", headers=service.admin)
    assert junk.status_code == 422
    assert (await service.client.get("/v1/scheme-parameters")).status_code == 401


def test_a_directory_of_its_own_is_said_and_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CAP_RSE.yaml", "CAP_ISO9001.yaml"):
        text = (PACKAGED / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(
            text.replace("appeal_days: 30", "appeal_days: 45"), encoding="utf-8"
        )
    monkeypatch.setenv("CAP_SCHEME_PARAMETERS_DIR", str(tmp_path))
    settings = Settings()
    (iso, rse) = schemes.every(settings)
    assert (iso.source, rse.source) == ("directory", "directory")
    assert rse.parameters.appeal_days == 45
    assert schemes.one(settings, "CAP_ISO9001").parameters.appeal_days == 45
