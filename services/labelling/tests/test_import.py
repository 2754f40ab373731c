"""Import of existing recognitions from CSV (all or nothing, safe to run twice) and the IAF
CertSearch export."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import col

from cap_labelling.models import ImportRun, Recognition, RecognitionChange, tables
from cap_labelling.recognitions import codes
from cap_labelling.recognitions import service as recognitions
from cap_labelling.rules import Cycle, RecognitionStatus, Scheme, add_months

from .conftest import Service, ok

HEADER = [
    "numero",
    "siret",
    "dispositif",
    "niveau",
    "organisme",
    "numero_organisme",
    "perimetre",
    "date_decision",
    "date_effet",
    "date_expiration",
    "statut",
    "membres_siret",
]


def fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def good_rows(service: Service) -> list[list[str]]:
    """A group's CEDRE ISO 9001 certificate, a suspended CAP RSE label, an expired certificate."""
    a, b, c = (service.organisations[k] for k in "abc")
    today = service.runtime.clock.today()
    iso_decided = today - timedelta(days=400)
    rse_decided = today - timedelta(days=100)
    old = add_months(today, -40)
    return [
        [
            "CEDRE-2023-017",
            a.siret,
            "CEDRE ISO 9001",
            "",
            "sgs-tuv",
            "FR23/81234",
            "Mise à disposition de personnel; accompagnement socioprofessionnel",
            iso_decided.isoformat(),
            (iso_decided + timedelta(days=3)).isoformat(),
            add_months(iso_decided, 36).isoformat(),
            "actif",
            f"{b.siret} | {c.siret}",
        ],
        [
            "RSE-2025-004",
            b.siret,
            "CAP_RSE",
            "confirme",
            "",
            "",
            "",
            fr(rse_decided),
            fr(rse_decided),
            fr(add_months(rse_decided, 36)),
            "Suspendu",
            "",
        ],
        [
            "CEDRE-2021-002",
            c.siret,
            "CEDRE_ISO9001",
            "",
            "SGS-TUV",
            "",
            "Chantiers d'insertion",
            fr(old),
            fr(old),
            fr(add_months(old, 36)),
            "expiré",
            "",
        ],
    ]


async def upload(
    service: Service,
    content: bytes,
    *,
    dry_run: bool = False,
    headers: dict[str, str] | None = None,
    filename: str = "reprise-cedre.csv",
) -> httpx.Response:
    return await service.client.post(
        "/v1/recognitions/imports",
        files={"file": (filename, content, "text/csv")},
        params={"dry_run": "true"} if dry_run else {},
        headers=service.admin if headers is None else headers,
    )


async def stored(service: Service) -> dict[str, Recognition]:
    async with service.runtime.db.session() as session:
        found = (await session.execute(sa.select(Recognition))).scalars().all()
    return {r.number: r for r in found}


async def status_events(service: Service) -> list[dict[str, Any]]:
    async with service.runtime.db.session() as session:
        payloads = (
            (
                await session.execute(
                    sa.select(tables.outbox.c.payload).where(
                        tables.outbox.c.event_type == "recognition.status_changed.v1"
                    )
                )
            )
            .scalars()
            .all()
        )
    return [json.loads(p)["data"] for p in payloads]


async def import_runs(service: Service) -> list[ImportRun]:
    async with service.runtime.db.session() as session:
        return list((await session.execute(sa.select(ImportRun))).scalars().all())


async def test_a_good_file_imports_every_line_with_its_history_and_event(service: Service) -> None:
    a, b, c = (service.organisations[k] for k in "abc")
    today = service.runtime.clock.today()
    report = ok(await upload(service, csv_bytes(good_rows(service))))
    counts = (report["rows"], report["imported"], report["unchanged"], report["rejected"])
    assert counts == (3, 3, 0, 0)
    assert report["written"] is True
    assert report["errors"] == []
    assert [o["outcome"] for o in report["outcomes"]] == ["imported"] * 3
    assert [o["line"] for o in report["outcomes"]] == [2, 3, 4]

    found = await stored(service)
    assert set(found) == {"CEDRE-2023-017", "RSE-2025-004", "CEDRE-2021-002"}
    group = found["CEDRE-2023-017"]
    assert (group.scheme, group.level, group.status, group.source) == (
        "CAP_ISO9001",
        None,
        "active",
        "import",
    )
    assert group.organisation_id == a.id
    assert group.group_member_ids == [b.id, c.id]
    assert (group.certification_body_id, group.external_number) == ("sgs-tuv", "FR23/81234")
    assert group.decided_on == today - timedelta(days=400)
    assert group.effective_date == today - timedelta(days=397)
    # Decided 400 days ago: the first surveillance (12 months) took place with the body.
    assert group.surveillances_done == 1
    assert codes.normalise_code(group.verification_code) == group.verification_code

    label = found["RSE-2025-004"]
    assert (label.scheme, label.level, label.status) == ("CAP_RSE", "Confirmé", "suspended")
    assert (label.suspension_cause, label.suspended_on) == ("imported", today)
    assert label.decided_on == today - timedelta(days=100)
    assert found["CEDRE-2021-002"].status == "expired"
    assert found["CEDRE-2021-002"].certification_body_id == "sgs-tuv"

    async with service.runtime.db.session() as session:
        changes = (
            (
                await session.execute(
                    sa.select(RecognitionChange).where(
                        col(RecognitionChange.recognition_id) == label.id
                    )
                )
            )
            .scalars()
            .all()
        )
    assert [(c.from_status, c.to_status, c.reason_code) for c in changes] == [
        (None, "suspended", "imported")
    ]

    events = await status_events(service)
    assert sorted((e["number"], e["status"], e["reason"]) for e in events) == [
        ("CEDRE-2021-002", "expired", "imported"),
        ("CEDRE-2023-017", "active", "imported"),
        ("RSE-2025-004", "suspended", "imported"),
    ]
    (run,) = await import_runs(service)
    assert (run.filename, run.imported, run.rejected, run.dry_run) == (
        "reprise-cedre.csv",
        3,
        0,
        False,
    )
    assert run.report["run_id"] == run.id == report["run_id"]


async def test_running_the_same_file_again_imports_nothing_more(service: Service) -> None:
    content = csv_bytes(good_rows(service))
    ok(await upload(service, content))
    again = ok(await upload(service, content))
    assert (again["imported"], again["unchanged"], again["rejected"]) == (0, 3, 0)
    assert [o["outcome"] for o in again["outcomes"]] == ["unchanged"] * 3
    assert len(await stored(service)) == 3
    assert len(await status_events(service)) == 3

    runs = ok(await service.client.get("/v1/recognitions/imports", headers=service.admin))["data"]
    assert [(r["imported"], r["unchanged"]) for r in runs] == [(0, 3), (3, 0)]  # newest first
    assert runs[0]["report"]["outcomes"][0]["numero"] == "CEDRE-2023-017"


async def test_one_bad_line_and_nothing_is_written(service: Service) -> None:
    rows = good_rows(service)
    rows[1][1] = "12345678900000"  # no such structure
    rows[1][9] = "31/02/2027"  # no such date
    rows[2][3] = "Confirmé"  # a level on an ISO certificate
    response = await upload(service, csv_bytes(rows))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/import-rejected")
    report = problem["report"]
    assert (report["rejected"], report["imported"], report["written"]) == (2, 0, False)
    assert [(e["line"], e["column"]) for e in report["errors"]] == [
        (3, "date_expiration"),
        (4, "niveau"),
    ]
    assert "31/02/2027" in report["errors"][0]["reason"]
    # The unknown SIRET is found once the dates parse.
    rows[1][9] = fr(add_months(service.runtime.clock.today(), 30))
    rows[2][3] = ""
    again = (await upload(service, csv_bytes(rows))).json()["report"]
    assert [(e["line"], e["column"], e["reason"]) for e in again["errors"]] == [
        (3, "siret", "aucune structure enregistrée avec le SIRET 12345678900000")
    ]

    assert await stored(service) == {}
    assert await status_events(service) == []
    # The attempts are in the history, with their reports.
    runs = await import_runs(service)
    assert sorted(r.rejected for r in runs) == [1, 2]
    assert all(r.imported == 0 for r in runs)


async def test_a_dry_run_reports_and_writes_nothing(service: Service) -> None:
    report = ok(await upload(service, csv_bytes(good_rows(service)), dry_run=True))
    assert (report["dry_run"], report["written"], report["run_id"]) == (True, False, None)
    assert (report["to_import"], report["imported"], report["rejected"]) == (3, 0, 0)
    assert [o["outcome"] for o in report["outcomes"]] == ["to_import"] * 3

    rows = good_rows(service)
    rows[0][10] = "en cours"
    bad = ok(await upload(service, csv_bytes(rows), dry_run=True))
    assert [(e["line"], e["column"]) for e in bad["errors"]] == [(2, "statut")]
    assert await stored(service) == {}
    assert await status_events(service) == []
    assert await import_runs(service) == []


async def test_missing_columns_are_named(service: Service) -> None:
    header = [h for h in HEADER if h not in ("siret", "date_expiration")]
    response = await upload(service, csv_bytes([["x"] * len(header)], header=header))
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/import-file-invalid")
    assert problem["missing_columns"] == ["siret", "date_expiration"]
    assert await import_runs(service) == []


async def test_files_that_are_not_utf8_csv_or_too_large_are_refused(service: Service) -> None:
    latin1 = ";".join(HEADER).encode() + b"\n" + "CEDRE-2023-017;Périmètre".encode("latin-1")
    not_utf8 = await upload(service, latin1)
    assert not_utf8.status_code == 422
    assert "UTF-8" in not_utf8.json()["detail"]

    pdf = await upload(service, b"%PDF-1.4\x00\x01binary", filename="x.pdf")
    assert pdf.status_code == 422

    big = await upload(service, b"numero;siret\n" + b"x" * (5 * 1024 * 1024))
    assert big.status_code == 413
    assert big.json()["type"].endswith("/import-file-too-large")


async def test_comma_separated_files_with_french_headers_are_read(service: Service) -> None:
    header = [
        "Numéro",
        "SIRET",
        "Dispositif",
        "Niveau",
        "Organisme",
        "Numéro organisme",
        "Périmètre",
        "Date décision",
        "Date effet",
        "Date expiration",
        "Statut",
        "Membres SIRET",
    ]
    report = ok(
        await upload(service, csv_bytes(good_rows(service)[:1], header=header, delimiter=","))
    )
    assert report["imported"] == 1


async def test_only_admins_import(service: Service) -> None:
    content = csv_bytes(good_rows(service))
    for headers in (
        service.member_admin("a"),
        service.headers({"role": "committee"}),
        service.headers({"role": "facilitator", "region": "76"}),
    ):
        assert (await upload(service, content, headers=headers)).status_code == 403
        denied = await service.client.get("/v1/recognitions/imports", headers=headers)
        assert denied.status_code == 403
    assert (await upload(service, content, headers={})).status_code == 401
    assert await stored(service) == {}


async def test_a_known_number_with_other_data_is_rejected(service: Service) -> None:
    ok(await upload(service, csv_bytes(good_rows(service))))
    rows = good_rows(service)
    rows[0][6] = "Autre périmètre"
    response = await upload(service, csv_bytes(rows))
    assert response.status_code == 422
    (error,) = response.json()["report"]["errors"]
    assert (error["line"], error["numero"], error["column"]) == (2, "CEDRE-2023-017", "numero")
    assert error["reason"] == "numéro déjà utilisé avec d'autres données (perimetre)"
    assert (await stored(service))["CEDRE-2023-017"].scope.startswith("Mise à disposition")


async def test_numbers_twice_in_a_file_and_two_in_force_recognitions_are_rejected(
    service: Service,
) -> None:
    rows = good_rows(service)
    twin = list(rows[1])
    second_label = list(rows[1])
    second_label[0] = "RSE-2025-005"
    report = (await upload(service, csv_bytes([*rows, twin, second_label]))).json()["report"]
    assert [(e["line"], e["column"], e["reason"]) for e in report["errors"]] == [
        (5, "numero", "numéro en double dans le fichier (déjà ligne 3)"),
        (
            6,
            "statut",
            "une autre reconnaissance CAP_RSE en cours de la même structure est déjà dans le "
            "fichier (ligne 3)",
        ),
    ]
    assert await stored(service) == {}


async def test_a_platform_number_cannot_be_taken_by_an_import(service: Service) -> None:
    today = service.runtime.clock.today()
    async with service.runtime.db.session() as session:
        granted = await recognitions.grant(
            session,
            organisation_id=service.organisations["c"].id,
            group_member_ids=[],
            scheme=Scheme.CAP_ISO9001,
            level=None,
            scope="Insertion",
            certification_body_id="sgs-tuv",
            external_number=None,
            decision_id=None,
            cycle=Cycle(today, today, add_months(today, 36)),
            actor="user:committee",
            now=service.runtime.clock.now(),
        )
    rows = good_rows(service)
    rows[0][0] = granted.number
    rows[0][1] = service.organisations["c"].siret
    rows[0][11] = ""
    report = (await upload(service, csv_bytes(rows[:1]))).json()["report"]
    assert [e["reason"] for e in report["errors"]] == [
        "numéro déjà attribué par la plateforme à une autre reconnaissance"
    ]


# IAF CertSearch ----------------------------------------------------------------------------------
def read_csv(response: httpx.Response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


async def test_the_iaf_certsearch_export_lists_certificates_with_mapped_statuses(
    service: Service,
) -> None:
    ok(await upload(service, csv_bytes(good_rows(service))))
    found = await stored(service)
    today = service.runtime.clock.today()
    # The group's certificate is renewed on the platform: one CertSearch record for the chain.
    async with service.runtime.db.session() as session:
        previous = await session.get(Recognition, found["CEDRE-2023-017"].id)
        assert previous is not None
        renewal = await recognitions.grant(
            session,
            organisation_id=previous.organisation_id,
            group_member_ids=previous.group_member_ids,
            scheme=Scheme.CAP_ISO9001,
            level=None,
            scope=previous.scope,
            certification_body_id="sgs-tuv",
            external_number="FR26/90001",
            decision_id=None,
            cycle=Cycle(today, today, add_months(previous.expiry_date, 36)),
            actor="user:committee",
            now=service.runtime.clock.now(),
            previous=previous,
            reason_code="renewed",
        )
        assert previous.status == RecognitionStatus.RENEWED

    response = await service.client.get(
        "/v1/recognitions/exports/iaf-certsearch", headers=service.headers({"role": "committee"})
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="iaf-certsearch-{today.strftime("%Y%m%d")}.csv"'
    )
    rows = read_csv(response)
    a, c = service.organisations["a"], service.organisations["c"]
    assert [r["Certification Identity Number"] for r in rows] == [
        "CEDRE-2021-002",
        "CEDRE-2023-017",
    ]
    expired, chain = rows
    assert (expired["Certification Status"], expired["Certified Entity Unique ID"]) == (
        "Expired",
        c.siret,
    )
    assert chain["Certificate Number"] == "FR26/90001"
    assert chain["Certification Status"] == "Active"
    assert chain["Certification Original Issue Date"] == found[
        "CEDRE-2023-017"
    ].effective_date.strftime("%Y%m%d")
    assert chain["Certification Issue Date"] == today.strftime("%Y%m%d")
    assert chain["Certification Expiry Date"] == renewal.expiry_date.strftime("%Y%m%d")
    assert (chain["Certified Entity Name"], chain["Certified Entity Country/Economy"]) == (
        a.name,
        "France",
    )
    assert (chain["Accreditation Status"], chain["Certification Type"]) == (
        "Accredited",
        "Management System",
    )
    assert (chain["Scheme Name"], chain["Standard Name"]) == (
        "Quality Management Systems",
        "ISO 9001:2015",
    )
    assert chain["Certification Scope"].startswith("Mise à disposition de personnel")

    with_labels = read_csv(
        await service.client.get(
            "/v1/recognitions/exports/iaf-certsearch",
            params={"include_labels": "true"},
            headers=service.admin,
        )
    )
    (label,) = [r for r in with_labels if r["Certification Identity Number"] == "RSE-2025-004"]
    assert (label["Certification Status"], label["Accreditation Status"]) == (
        "Suspended",
        "Unaccredited",
    )
    assert label["Scheme Name"] == "Label CAP RSE (Coorace)"
    assert label["Certification Scope"] == "Niveau Confirmé"

    other_body = read_csv(
        await service.client.get(
            "/v1/recognitions/exports/iaf-certsearch",
            params={"certification_body_id": "bureau-veritas"},
            headers=service.admin,
        )
    )
    assert other_body == []
    member = await service.client.get(
        "/v1/recognitions/exports/iaf-certsearch", headers=service.member_admin("a")
    )
    assert member.status_code == 403
