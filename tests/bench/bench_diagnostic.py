"""Diagnostic service benchmark (``make bench``).

Three measurements, each next to a baseline run in the same process:

* **scoring** a 100-criterion diagnostic (4 themes, two frameworks scored by top level, 10 %
  not applicable): ``cap_diagnostic.diagnostics.rules.scoring.score`` against a bare weighted mean over the same
  ratings. Target: under 5 ms.
* **PDF report** of a completed CAP RSE diagnostic (48 criteria, its issued progress plan and
  the recommendations), through the HTTP route on PostgreSQL, against a one-page ReportLab PDF
  rendered in the same process. Target: under 1.5 s.
* **network statistics** over 10,000 organisations x 3 completed diagnostics x 60 answers on
  PostgreSQL (loaded with COPY), through the service's HTTP app: the national view, a region's
  view for its facilitator, and a member's peer position; against an authenticated
  ``GET /v1/referentials`` through the same stack. Target: p95 under 300 ms.

    uv run python tests/bench/bench_diagnostic.py [--organisations 10000] [--requests 60]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import yaml

from cap_shared.clock import wall_now

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "diagnostic" / "tests"))

from cap_diagnostic import main as diagnostic_main
from cap_diagnostic.config import Settings
from cap_diagnostic.diagnostics.rules.scoring import Rating, score
from cap_diagnostic.referentials import loader
from cap_diagnostic.referentials.service import import_library
from cap_diagnostic.resources.service import import_catalogue
from cap_shared.db.session import Database
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.migrate import upgrade
from cap_shared.testing import services
from cap_shared.testing.auth import TestIssuer

DATABASE = "cap_bench_diagnostic"
REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]
TYPES = ["ACI", "AI", "EI", "ETTI"]
BANDS = [
    (0, 0, "Non engagé"),
    (1, 300, "Initial"),
    (301, 500, "Progression"),
    (501, 700, "Confirmé"),
    (701, 1000, "Exemplaire"),
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def line(label: str, values_ms: list[float], target_ms: float | None = None) -> str:
    text = f"  {label:<44} p50 {pct(values_ms, 50):8.2f} ms  p95 {pct(values_ms, 95):8.2f} ms  max {max(values_ms):8.2f} ms"
    if target_ms is not None:
        text += f"  (target < {target_ms:g} ms: {'met' if pct(values_ms, 95) < target_ms else 'NOT met'})"
    return text


# scoring -------------------------------------------------------------------------------------
def synthetic_referential(criteria: int = 100) -> Any:
    items = [{"ref": str(g), "name": f"Groupe {g}"} for g in range(1, 8)] + [
        {"ref": f"{g}.{i}", "name": f"Sous-groupe {g}.{i}", "parent": str(g)}
        for g in range(1, 8)
        for i in range(1, 6)
    ]
    themes = []
    per_theme = criteria // 4
    for t in range(1, 5):
        themes.append(
            {
                "urn": f"urn:coorace:referentiel:bench:theme:t{t}",
                "code": f"T{t}",
                "name": f"Thème {t}",
                "description": ".",
                "criteria": [
                    {
                        "urn": f"urn:coorace:referentiel:bench:critere:t{t}.{c}",
                        "code": f"T{t}.{c}",
                        "name": f"Critère {t}.{c}",
                        "guidance": ".",
                        "weight": 1 + (c % 3) * 0.5,
                        "kind": "result" if c % 5 == 0 else "practice",
                        "mappings": [
                            {"framework": "fa", "ref": f"{1 + c % 7}.{1 + c % 5}"},
                            {"framework": "fb", "ref": f"{1 + (c + t) % 7}"},
                        ],
                    }
                    for c in range(1, per_theme + 1)
                ],
            }
        )
    doc = {
        "format": "cap-referential/1",
        "urn": "urn:coorace:referentiel:bench",
        "code": "BENCH",
        "version": 1,
        "name": "Banc d'essai",
        "description": ".",
        "published_on": "2026-11-26",
        "default_scale": "m",
        "scales": [
            {
                "id": "m",
                "name": "0-4",
                "levels": [{"value": v, "name": f"N{v}", "description": "."} for v in range(5)],
            }
        ],
        "bands": [{"name": n, "min": lo, "max": hi} for lo, hi, n in BANDS],
        "frameworks": [
            {"id": "fa", "name": "A", "version": "1", "score_by_top_level": True, "items": items},
            {"id": "fb", "name": "B", "version": "1", "score_by_top_level": True, "items": items},
        ],
        "themes": themes,
    }
    return loader.resolve(
        loader.parse(yaml.safe_dump(doc).encode(), "bench.yaml"), "bench.yaml", {}
    )


def bench_scoring(iterations: int) -> None:
    referential = synthetic_referential(100)
    rng = random.Random(7)
    ratings = {
        urn: Rating(not_applicable=True) if rng.random() < 0.1 else Rating(rng.randint(0, 4))
        for urn in referential.criteria
    }
    criteria = list(referential.criteria.values())

    def baseline() -> float:
        earned = weight = 0.0
        for c in criteria:
            r = ratings[c.urn]
            if r.level is not None and not r.not_applicable:
                earned += c.weight * r.level / c.max_level
                weight += c.weight
        return 1000 * earned / weight

    for fn in (baseline, lambda: score(referential, ratings)):
        for _ in range(200):
            fn()
    timings: dict[str, list[float]] = {"baseline": [], "score": []}
    for _ in range(iterations):
        for name, fn in (("baseline", baseline), ("score", lambda: score(referential, ratings))):
            start = time.perf_counter()
            fn()
            timings[name].append((time.perf_counter() - start) * 1000)
    print("\nScoring a 100-criterion diagnostic (in process)")
    print(line("baseline: bare weighted mean", timings["baseline"]))
    print(line("score(): themes, frameworks, kinds, gaps", timings["score"], 5))
    print(
        f"  ratio score / baseline (p50): {pct(timings['score'], 50) / pct(timings['baseline'], 50):.0f}x"
    )


# data ----------------------------------------------------------------------------------------
async def load_network(url: str, organisations: int) -> None:
    """10,000 organisations x 3 completed CAP diagnostics x 60 answers, scores per theme."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        cap_id = await conn.fetchval(
            "SELECT id FROM referential_version WHERE code = 'CAP' AND version = 1"
        )
        rng = random.Random(42)
        now = wall_now()
        orgs, diags, answers, scores, latest = [], [], [], [], []
        for n in range(organisations):
            org_id = str(uuid.UUID(int=rng.getrandbits(128)))
            types = rng.sample(TYPES, k=rng.choice([1, 1, 1, 2]))
            orgs.append(
                (
                    now,
                    None,
                    org_id,
                    f"{n:014d}",
                    f"Structure {n}",
                    __import__("json").dumps(types),
                    rng.choice(REGIONS),
                    None,
                    now,
                )
            )
            base = rng.randint(150, 850)
            newest: tuple[Any, ...] | None = None
            for k in range(3):
                diag_id = str(uuid.UUID(int=rng.getrandbits(128)))
                completed = now - timedelta(days=rng.randint(0, 900))
                overall = max(0, min(1000, base + rng.randint(-120, 120) + 40 * k))
                band = next(b for lo, hi, b in BANDS if lo <= overall <= hi)
                quarter = f"{completed.year}-T{(completed.month - 1) // 3 + 1}"
                diags.append(
                    (
                        completed,
                        None,
                        diag_id,
                        org_id,
                        cap_id,
                        "cap_session",
                        "rated",
                        "Diagnostic",
                        None,
                        None,
                        "[]",
                        None,
                        3,
                        "bench",
                        completed,
                        quarter,
                        None,
                        overall,
                        band,
                        None,
                        "[]",
                    )
                )
                scores.append((diag_id, "overall", "CAP", overall, band))
                if newest is None or completed > newest[3]:
                    newest = (org_id, "CAP", diag_id, completed, overall)
                for t in range(1, 5):
                    value = max(0, min(1000, overall + rng.randint(-150, 150)))
                    scores.append(
                        (
                            diag_id,
                            "theme",
                            f"T{t}",
                            value,
                            next(b for lo, hi, b in BANDS if lo <= value <= hi),
                        )
                    )
                for a in range(60):
                    answers.append(
                        (
                            completed,
                            None,
                            str(uuid.UUID(int=rng.getrandbits(128))),
                            diag_id,
                            f"urn:coorace:referentiel:cap:critere:x{a}",
                            rng.randint(0, 4),
                            False,
                            None,
                            None,
                            "[]",
                            None,
                            "bench",
                        )
                    )
            assert newest is not None
            latest.append(newest)
        started = time.perf_counter()
        await conn.copy_records_to_table(
            "organisation",
            records=orgs,
            columns=[
                "created_at",
                "modified_at",
                "id",
                "siret",
                "name",
                "siae_types",
                "region",
                "delegation",
                "registered_at",
            ],
        )
        await conn.copy_records_to_table(
            "diagnostic",
            records=diags,
            columns=[
                "created_at",
                "modified_at",
                "id",
                "organisation_id",
                "referential_id",
                "kind",
                "status",
                "title",
                "session_date",
                "facilitator",
                "participants",
                "key_figures",
                "revision",
                "created_by",
                "completed_at",
                "completed_quarter",
                "closed_at",
                "overall_score",
                "overall_band",
                "scores",
                "migrations",
            ],
        )
        await conn.copy_records_to_table(
            "diagnostic_score",
            records=scores,
            columns=["diagnostic_id", "group", "code", "score", "band"],
        )
        await conn.copy_records_to_table(
            "latest_diagnostic",
            records=latest,
            columns=[
                "organisation_id",
                "referential_code",
                "diagnostic_id",
                "completed_at",
                "overall_score",
            ],
        )
        await conn.copy_records_to_table(
            "answer",
            records=answers,
            columns=[
                "created_at",
                "modified_at",
                "id",
                "diagnostic_id",
                "criterion_urn",
                "level",
                "not_applicable",
                "not_applicable_reason",
                "comment",
                "evidence",
                "carried_from",
                "updated_by",
            ],
        )
        await conn.execute("ANALYZE")
        print(
            f"  loaded {len(orgs)} organisations, {len(diags)} diagnostics, {len(answers)} answers, "
            f"{len(scores)} score rows in {time.perf_counter() - started:.1f} s"
        )
    finally:
        await conn.close()


async def timed(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], n: int, params: dict | None = None
) -> list[float]:
    for _ in range(5):
        response = await client.get(url, headers=headers, params=params)
        assert response.status_code == 200, response.text
    values = []
    for _ in range(n):
        start = time.perf_counter()
        response = await client.get(url, headers=headers, params=params)
        values.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.text
    return values


def one_page_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(
        [Paragraph("Rapport", getSampleStyleSheet()["Title"])]
    )
    return buffer.getvalue()


async def bench_service(organisations: int, requests: int, keep: bool = False) -> None:
    url = await services.recreate_database(DATABASE)
    db = Database(url, pool_size=5)
    issuer = TestIssuer()
    broker = MemoryBroker()
    await broker.start()
    try:
        await upgrade(db, diagnostic_main.MIGRATIONS)
        async with db.session() as session:
            await import_library(session)
            await import_catalogue(session)
        print(
            f"\nNetwork statistics over {organisations} organisations x 3 diagnostics x 60 answers (PostgreSQL)"
        )
        await load_network(url, organisations)
        runtime = diagnostic_main.build_runtime(
            Settings(), db=db, broker=broker, keys=issuer.key_source()
        )
        app = diagnostic_main.create_app(runtime, manage_runtime=False)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://diagnostic", timeout=60
        )
        async with client:

            def bearer(*grants: dict[str, str]) -> dict[str, str]:
                return {
                    "Authorization": f"Bearer {issuer.token(roles=list(grants), expires_in=3600)}"
                }

            admin = bearer({"role": "admin"})
            facilitator = bearer({"role": "facilitator", "region": "76"})
            async with db.engine.connect() as conn:
                import sqlalchemy as sa

                member_org = (
                    await conn.execute(
                        sa.text("SELECT id FROM organisation WHERE region = '76' LIMIT 1")
                    )
                ).scalar_one()
            member = bearer({"role": "member", "organisation_id": member_org})
            baseline = await timed(client, "/v1/referentials", admin, requests)
            national = await timed(client, "/v1/statistics/network", admin, requests)
            regional = await timed(client, "/v1/statistics/network", facilitator, requests)
            position = await timed(
                client, "/v1/statistics/position", member, requests, {"organisation_id": member_org}
            )
            print(line("baseline: GET /v1/referentials", baseline))
            print(line("national view (admin)", national, 300))
            print(line("one region (facilitator)", regional, 300))
            print(line("peer position (member)", position, 300))
            for label, values in (
                ("national", national),
                ("region", regional),
                ("position", position),
            ):
                print(
                    f"  ratio {label} / baseline (p95): {pct(values, 95) / pct(baseline, 95):.1f}x"
                )

            # PDF report of a completed CAP RSE diagnostic with its plan.
            print("\nPDF restitution report (CAP RSE, 48 criteria, issued plan, recommendations)")
            created = await client.post(
                "/v1/diagnostics",
                json={
                    "organisation_id": member_org,
                    "referential_code": "CAP_RSE",
                    "kind": "self_assessment",
                },
                headers=admin,
            )
            diagnostic = created.json()["id"]
            detail = (await client.get("/v1/referentials/CAP_RSE/versions/1", headers=admin)).json()
            rng = random.Random(3)
            batch = [
                {"id": str(uuid.uuid4()), "criterion": c["urn"], "level": rng.randint(0, 4)}
                for t in detail["themes"]
                for c in t["criteria"]
            ]
            await client.post(
                f"/v1/diagnostics/{diagnostic}/transitions", json={"action": "start"}, headers=admin
            )
            await client.put(
                f"/v1/diagnostics/{diagnostic}/answers", json={"answers": batch}, headers=admin
            )
            for action in ("complete", "issue_plan"):
                moved = await client.post(
                    f"/v1/diagnostics/{diagnostic}/transitions",
                    json={"action": action},
                    headers=admin,
                )
                assert moved.status_code == 200, moved.text
            one_page = []
            for _ in range(10):
                start = time.perf_counter()
                one_page_pdf()
                one_page.append((time.perf_counter() - start) * 1000)
            report = []
            size = 0
            for _ in range(10):
                start = time.perf_counter()
                response = await client.get(
                    f"/v1/diagnostics/{diagnostic}/report.pdf", headers=admin
                )
                report.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
                size = len(response.content)
            print(line("baseline: one-page ReportLab PDF", one_page))
            print(line(f"GET report.pdf ({size // 1024} KiB)", report, 1500))
            print(
                f"  ratio report / one-page baseline (p50): {pct(report, 50) / pct(one_page, 50):.0f}x"
            )
    finally:
        await db.dispose()
        if not keep:
            await services.drop_database(DATABASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    args = parser.parse_args()
    bench_scoring(args.iterations)
    asyncio.run(bench_service(args.organisations, args.requests, args.keep))


if __name__ == "__main__":
    main()
