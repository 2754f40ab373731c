"""Registry benchmark (``make bench``): verifying a recognition through the gateway, against the
gateway's trivial route, in one run, on this machine.

Processes, as deployed: the gateway (``cap-gateway api``), the labelling service's API (its
database seeded with one labelled structure), the diagnostic service's API with the trivial
authenticated route ``GET /v1/diagnostics/ping`` of ``bench_gateway.py``, and the load
generator of ``bench_gateway.py`` in a fourth process (closed loop, N connections).

Each round measures:

* healthz — the gateway's own trivial route (no proxying, no rate limit): the ceiling;
* baseline — the trivial service route through the gateway (signed in: token verified at the edge
  and by the service), as ``bench_gateway.py`` measures it;
* verify — ``GET /v1/registry/verify/{code}`` through the gateway, anonymous, as a phone
  scanning the certificate's QR code (the gateway's public cache answers while ``max-age``
  lasts);
* verify 304 — the same with ``If-None-Match`` (a client that already holds the answer);
* service — the same verification on the labelling service directly (what a cache miss costs);
* service 404 — an unknown (well-formed) code on the service directly: what a crawler trying
  codes mostly gets;
* service @rate — the service row open loop at ``--rate`` requests/s (default 2,000) over the
  same connections: its latency at the target's throughput, not at saturation (closed loop, the
  latency is queueing by Little's law: connections / throughput).

Targets: from the labelling issue, verification through the gateway >= 50 % of the gateway's
trivial-route throughput (both trivial routes are reported, the ratio to each); from issue 22,
the uncached verification on the service alone >= 2,000 requests/s with p99 < 20 ms.

The labelling service runs on a SQLite file (as ``make run``), or with ``--database
postgresql`` on the test server's PostgreSQL (``CAP_TEST_POSTGRES_URL``, a database of its own
recreated for the run; the service connects as the runtime role, row-level security on, as
deployed). ``--only-service`` skips the gateway's rows.

    uv run python tests/bench/bench_registry.py [--seconds 8] [--connections 64] [--rounds 2]
        [--rate 2000] [--database sqlite|postgresql] [--only-service]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import httpx

from cap_shared.clock import wall_now
from cap_shared.contracts import schemes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_gateway import BIN, _env, free_port, run_load, wait_ready

from cap_shared.testing.auth import DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD

HERE = Path(__file__).resolve()
GATEWAY_BENCH = HERE.parent / "bench_gateway.py"


async def seed(database_url: str) -> str:
    """One organisation and its active CAP RSE label; prints the verification code."""
    from cap_labelling import rules
    from cap_labelling.models import Organisation
    from cap_labelling.recognitions import service as recognitions
    from cap_shared.db.session import Database

    db = Database(database_url)
    try:
        async with db.session() as session:
            organisation = Organisation(
                id=str(uuid.uuid4()),
                siret="73282932000074",
                name="Atelier d'insertion des Deux Rives",
                siae_types=["ACI"],
                region="84",
                region_name="Auvergne-Rhône-Alpes",
                registered_at=wall_now(),
            )
            session.add(organisation)
            await session.flush()
            today = wall_now()
            recognition = await recognitions.grant(
                session,
                organisation_id=organisation.id,
                group_member_ids=[],
                scheme=rules.Scheme.CAP_RSE,
                level="Confirmé",
                scope="Ensemble des activités et établissements de la structure",
                certification_body_id="sgs-tuv",
                external_number=None,
                decision_id=None,
                cycle=rules.initial_cycle(today.date(), schemes.load()["CAP_RSE"]),
                actor="bench",
                now=today,
            )
            return recognition.verification_code
    finally:
        await db.dispose()


def show(name: str, r: dict[str, Any]) -> None:
    cpu = ", ".join(f"{k} {v:.3f}" for k, v in r["cpu_ms"].items())
    print(
        f"  {name:12} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:6.2f} ms  "
        f"p99 {r['p99_ms']:6.2f} ms  {r['statuses']}\n               CPU ms per request: {cpu}"
    )


#: A well-formed verification code no recognition has (a crawler's usual try).
UNKNOWN_CODE = "ZZZZ-ZZZZ-ZZZZ"
#: Issue 22's targets for the uncached verification on the service alone.
TARGET_RPS, TARGET_P99_MS = 2000, 20.0


def labelling_database(args: argparse.Namespace, tmp: str) -> tuple[str, dict[str, str]]:
    """The labelling service's database: the URL to seed it through and its settings."""
    if args.database == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp}/labelling.db"
        return url, {"LABELLING_DATABASE_URL": url}
    from cap_shared.testing import services

    name = "cap_bench_registry"
    owner = asyncio.run(services.recreate_database(name))
    return owner, {
        "LABELLING_DATABASE_URL": services.app_database_url(name),
        "LABELLING_MIGRATION_DATABASE_URL": owner,
    }


def parent(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="cap-bench-registry-") as tmp:
        gw, diag, lab = free_port(), free_port(), free_port()
        jwks = f"http://127.0.0.1:{gw}/.well-known/jwks.json"
        gateway_env = _env(
            # One public base for every process: the tokens' issuer is the same everywhere.
            CAP_PUBLIC_BASE_URL=f"http://127.0.0.1:{gw}",
            GATEWAY_DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/gateway.db",
            GATEWAY_PORT=str(gw),
            GATEWAY_DIAGNOSTIC_URL=f"http://127.0.0.1:{diag}",
            GATEWAY_LABELLING_URL=f"http://127.0.0.1:{lab}",
            GATEWAY_RATE_LIMIT_USER="100000000/minute",
            GATEWAY_RATE_LIMIT_ANONYMOUS="100000000/minute",
            GATEWAY_LOG_LEVEL="WARNING",
        )
        diagnostic_env = _env(
            # One public base for every process: the tokens' issuer is the same everywhere.
            CAP_PUBLIC_BASE_URL=f"http://127.0.0.1:{gw}",
            DIAGNOSTIC_DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/diagnostic.db",
            DIAGNOSTIC_AUTH_JWKS_URL=jwks,
            DIAGNOSTIC_LOG_LEVEL="WARNING",
        )
        labelling_url, database = labelling_database(args, tmp)
        labelling_env = _env(
            # One public base for every process: the tokens' issuer is the same everywhere.
            CAP_PUBLIC_BASE_URL=f"http://127.0.0.1:{gw}",
            **database,
            LABELLING_PORT=str(lab),
            LABELLING_AUTH_JWKS_URL=jwks,
            LABELLING_LOG_LEVEL="WARNING",
        )
        for command, env in (
            ("cap-gateway", gateway_env),
            ("cap-diagnostic", diagnostic_env),
            ("cap-labelling", labelling_env),
        ):
            subprocess.run([str(BIN / command), "migrate"], check=True, env=env)
        code = asyncio.run(seed(labelling_url))
        processes = [
            subprocess.Popen([str(BIN / "cap-gateway"), "api"], env=gateway_env),
            subprocess.Popen(
                [sys.executable, str(GATEWAY_BENCH), "serve-service", "--port", str(diag)],
                env=diagnostic_env,
            ),
            subprocess.Popen([str(BIN / "cap-labelling"), "api"], env=labelling_env),
        ]
        try:
            for port in (gw, diag, lab):
                wait_ready(f"http://127.0.0.1:{port}/readyz")
            base = f"http://127.0.0.1:{gw}"
            with httpx.Client(base_url=base) as client:
                token = client.post(
                    "/v1/auth/token",
                    data={
                        "grant_type": "password",
                        "username": DEV_ADMIN_EMAIL,
                        "password": DEV_ADMIN_PASSWORD,
                    },
                ).json()["access_token"]
                verified = client.get(f"/v1/registry/verify/{code}")
                assert verified.status_code == 200, verified.text
                etag = verified.headers["etag"]
            pids = {"gateway": processes[0].pid, "labelling": processes[2].pid}
            healthz = f"{base}/healthz"
            ping = f"{base}/v1/diagnostics/ping"
            verify = f"{base}/v1/registry/verify/{code}"
            direct = f"http://127.0.0.1:{lab}/v1/registry/verify/{code}"
            unknown = f"http://127.0.0.1:{lab}/v1/registry/verify/{UNKNOWN_CODE}"
            rounds, misses = [], []
            for n in range(args.rounds):
                print(f"round {n + 1} ({args.database}):")
                if not args.only_service:
                    ceiling = run_load(healthz, "", args, pids=pids)
                    baseline = run_load(ping, token, args, pids=pids)
                    via = run_load(verify, "", args, pids=pids)
                    conditional = run_load(
                        verify, "", args, pids=pids, headers=(f"If-None-Match: {etag}",)
                    )
                service = run_load(direct, "", args, pids=pids)
                absent = run_load(unknown, "", args, pids=pids)
                paced = run_load(direct, "", args, rate=args.rate, pids=pids)
                misses.append((service, absent, paced))
                if not args.only_service:
                    rounds.append((ceiling, baseline, via, conditional, service))
                    for name, r in (
                        ("healthz", ceiling),
                        ("baseline", baseline),
                        ("verify", via),
                        ("verify 304", conditional),
                    ):
                        show(name, r)
                for name, r in (
                    ("service", service),
                    ("service 404", absent),
                    (f"service @{args.rate:g}/s", paced),
                ):
                    show(name, r)
                if not args.only_service:
                    print(
                        f"  ratios       verify/healthz {via['rps'] / ceiling['rps']:.2f}, "
                        f"verify/baseline {via['rps'] / baseline['rps']:.2f}, "
                        f"304/healthz {conditional['rps'] / ceiling['rps']:.2f}"
                    )

            print(f"\nsummary ({args.connections} connections, {args.seconds:g} s per run):")
            if rounds:

                def mean(a: int, b: int) -> float:
                    return statistics.mean(r[a]["rps"] / r[b]["rps"] for r in rounds)

                print(
                    f"  registry verification through the gateway / gateway's own trivial route "
                    f"= {mean(2, 0):.2f} (target >= 0.50); / trivial service route through the "
                    f"gateway = {mean(2, 1):.2f}; conditional (304) / trivial = {mean(3, 0):.2f}; "
                    f"uncached verification on the service alone / trivial = {mean(4, 0):.2f}"
                )

            def span(values: list[float], unit: str = "") -> str:
                low, high = min(values), max(values)
                same = f"{low:.0f}" == f"{high:.0f}"
                return f"{low:,.0f}{unit}" if same else f"{low:,.0f}-{high:,.0f}{unit}"

            print(
                f"  uncached verification on the service alone ({args.database}): "
                f"{span([m[0]['rps'] for m in misses])} req/s (target >= {TARGET_RPS:,}), "
                f"labelling CPU {min(m[0]['cpu_ms']['labelling'] for m in misses):.3f}-"
                f"{max(m[0]['cpu_ms']['labelling'] for m in misses):.3f} ms per request; "
                f"unknown code {span([m[1]['rps'] for m in misses])} req/s; "
                f"p99 at {args.rate:g}/s {min(m[2]['p99_ms'] for m in misses):.1f}-"
                f"{max(m[2]['p99_ms'] for m in misses):.1f} ms (target < {TARGET_P99_MS:g})"
            )
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--rate", type=float, default=TARGET_RPS, help="open-loop rate of the paced service run"
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--only-service", action="store_true", help="skip the gateway's rows")
    parent(parser.parse_args())


if __name__ == "__main__":
    main()
