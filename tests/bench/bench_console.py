"""Console benchmark (``make bench``): server render time and first-load weight of the web
console's pages, with the demo network loaded, on this machine.

The platform runs as ``make run`` serves it: ``cap-standalone`` in its own process on a free
port of 127.0.0.1 (its own data directory, every part in the one process, the console reaching
the gateway in-process), the demo network loaded through the API (``cap_standalone.demo``, every
structure). This process then signs in through the console as the demo structure's
administrator (Claire Martin: the sign-in page, the code and PKCE exchange, the session cookie)
and asks for each page, one request at a time over one keep-alive connection, as a browser
would (cookies, ``Accept: text/html``):

* the **dashboard** ``/tableau-de-bord``;
* a **diagnostic page**, a theme of her structure's latest diagnostic
  ``/diagnostics/{id}/themes/{theme}`` (the theme's address is read from the console's own
  links when a page shows one, else the referential's first theme);
* the **results** ``/diagnostics/{id}/resultats``;
* for reference, the anonymous front page ``/`` and the other pages of the console that answer
  (the diagnostic's own page, the public registry).

It signs in, too, as the demo **auditor** (Marc Lefebvre) and the demo **committee** member
(Anne Dupuis), each in a browser of their own (issue 18), and measures:

* the **auditor's checklist** ``/auditeur/audits/{id}/grille`` of one of his audits (a CAP RSE
  audit first: its checklist carries the evaluated maturity; else the first he is assigned),
  and, for reference, his list ``/auditeur/audits``;
* the **committee's decision page** ``/comite/dossiers/{id}`` of an open decision file (``GET
  /v1/decisions``: pending first, else deferred or held), and, for reference, the queue
  ``/comite``. With no open file, or a page that answers 404, it is reported as missing.

Each round asks the baseline, then each page once; the first ``--warmup`` rounds are not
counted. The baseline is ``GET /v1/me/overview`` through the gateway with her bearer token (what
the dashboard is made from, without the console): the ratio is what the console adds to the
API — its own session lookup, its other API calls, the template. Targets from issues 17 and 18:
p95 < 100 ms for the dashboard, the diagnostic page, the results, the auditor's checklist and
the committee's decision page; first load (HTML + CSS + JS, as a
browser with an empty cache downloads them) < 150 KB for every page. A page that answers 404
is reported as missing, not measured. The gateway's rate limits are lifted (one person asks
thousands of pages a minute here).

    uv run python tests/bench/bench_console.py [--requests 200] [--warmup 20] [--structures N]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvloop

from cap_shared.testing.auth import sign_in
from cap_standalone.demo import load_demo
from cap_standalone.testing import ServedPlatform
from cap_web.testing import FIRST_LOAD_BUDGET, ConsoleClient, Weight, first_load

#: The render target of the issue, p95 in milliseconds.
TARGET_P95_MS = 100.0
UNLIMITED = "1000000/minute"
RATE_LIMITS = {
    f"GATEWAY_RATE_LIMIT_{kind.upper()}": UNLIMITED
    for kind in ("user", "client", "anonymous", "login", "login_address", "public_write")
}
BASELINE = "baseline: GET /v1/me/overview (gateway, bearer token)"
BROWSER = {"accept": "text/html,application/xhtml+xml", "accept-language": "fr-FR,fr"}


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (as the other benches)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclass
class Page:
    """A page of the console to measure."""

    name: str
    path: str
    #: Whether the issue sets the p95 target on it.
    target: bool
    #: Asked without the session (the public front page).
    anonymous: bool = False
    #: Whose browser asks it: the demo role signed in (``member_admin``, ``auditor``,
    #: ``committee``).
    role: str = "member_admin"
    #: The path as the tables show it (the diagnostic's id as ``{id}``).
    shown: str = ""
    status: int | None = None
    times: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)
    weight: Weight | None = None

    @property
    def answers(self) -> bool:
        return self.status == 200


# -- what to measure -----------------------------------------------------------------------------
async def latest_diagnostic(api: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """The structure's latest diagnostic, as the dashboard shows it (else the newest listed)."""
    overview = (await api.get("/v1/me/overview", headers=headers)).json()
    part = (overview.get("parts") or {}).get("diagnostic") or {}
    latest = (part.get("data") or {}).get("latest_diagnostic")
    if latest:
        return dict(latest)
    listed = (await api.get("/v1/diagnostics", params={"limit": 1}, headers=headers)).json()
    if not listed.get("data"):
        raise SystemExit("the demo member's structure has no diagnostic")
    return dict(listed["data"][0])


async def theme_path(
    browser: ConsoleClient, api: httpx.AsyncClient, headers: dict[str, str], diagnostic: Any
) -> str:
    """A theme page of the diagnostic: a link the console itself shows, else the first theme
    of the diagnostic's referential."""
    prefix = f"/diagnostics/{diagnostic['id']}/themes/"
    for path in (f"/diagnostics/{diagnostic['id']}", f"/diagnostics/{diagnostic['id']}/resultats"):
        page = await browser.get(path, headers=BROWSER)
        if page.status_code == 200:
            found = re.search(rf'href="({re.escape(prefix)}[^"?#]+)"', page.text)
            if found:
                return found.group(1)
    referential = diagnostic["referential"]
    version = await api.get(
        f"/v1/referentials/{referential['code']}/versions/{referential['version']}",
        headers=headers,
    )
    return prefix + str(version.json()["themes"][0]["code"])


def demo_account(demo: Any, role: str) -> tuple[str, str]:
    """E-mail and password of the demo account holding ``role``."""
    return next((a.person.email, demo.password) for a in demo.accounts if a.person.role == role)


async def auditor_audit(api: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any] | None:
    """One of the auditor's audits: a CAP RSE one first (its checklist holds the evaluated
    maturity), in progress first; None when none is assigned to him."""
    listed = (await api.get("/v1/audits", params={"limit": 200}, headers=headers)).json()
    audits = listed.get("data") or []
    order = {"in_progress": 0, "report_submitted": 1, "closed": 2, "planned": 3}
    audits.sort(key=lambda a: (a["scheme"] != "CAP_RSE", order.get(a["status"], 9)))
    return dict(audits[0]) if audits else None


async def open_decision(api: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any] | None:
    """An open decision file the committee can decide (pending, else deferred or held)."""
    for status in ("pending", "deferred", "held"):
        listed = await api.get(
            "/v1/decisions", params={"status": status, "limit": 1}, headers=headers
        )
        if listed.status_code == 200 and listed.json().get("data"):
            return dict(listed.json()["data"][0])
    return None


async def timed(client: httpx.AsyncClient, path: str, **kwargs: Any) -> tuple[int, float]:
    """One request, its body read: status and milliseconds."""
    start = time.perf_counter()
    answer = await client.get(path, **kwargs)
    return answer.status_code, (time.perf_counter() - start) * 1000


# -- report --------------------------------------------------------------------------------------
def report(pages: list[Page], baseline: list[float], args: argparse.Namespace) -> list[str]:
    """Print the tables; the summary lines."""
    b = {q: pct(baseline, q) for q in (50, 95, 99)}
    print(
        f"\nServer render time, {args.requests} requests per page one at a time after "
        f"{args.warmup} warm-up rounds (ms; ratio = page / the baseline, same percentile)"
    )
    print(f"  {'page':<58} {'p50':>7} {'p95':>7} {'p99':>7} {'x p50':>6} {'x p95':>6}  target")
    print(f"  {BASELINE:<58} {b[50]:7.1f} {b[95]:7.1f} {b[99]:7.1f} {1:6.1f} {1:6.1f}")
    summary = []
    for page in pages:
        label = f"{page.name} {page.shown or page.path}"
        if not page.answers:
            what = "missing (404)" if page.status == 404 else f"answers {page.status}"
            print(f"  {label:<58} {what}")
            if page.target:
                summary.append(f"{page.name}: {what}, not measured (target p95 < 100 ms)")
            continue
        q = {p: pct(page.times, p) for p in (50, 95, 99)}
        met = "met" if q[95] < TARGET_P95_MS else "NOT MET"
        target = f"p95 < {TARGET_P95_MS:g} ms: {met}" if page.target else "(reference)"
        errors = f"  errors {page.errors}" if page.errors else ""
        print(
            f"  {label:<58} {q[50]:7.1f} {q[95]:7.1f} {q[99]:7.1f} {q[50] / b[50]:6.1f} "
            f"{q[95] / b[95]:6.1f}  {target}{errors}"
        )
        if page.target:
            summary.append(
                f"{page.name}: p50 {q[50]:.1f} / p95 {q[95]:.1f} / p99 {q[99]:.1f} ms "
                f"({q[95] / b[95]:.1f}x the baseline's p95 {b[95]:.1f} ms); "
                f"p95 < {TARGET_P95_MS:g} ms {met}"
            )
    print(
        f"\nFirst load, an empty cache: HTML + CSS + JS as served (target < "
        f"{FIRST_LOAD_BUDGET / 1000:g} KB = {FIRST_LOAD_BUDGET:,} bytes)"
    )
    print(f"  {'page':<58} {'HTML':>8} {'CSS':>8} {'JS':>8} {'total':>9}  target")
    for page in pages:
        if page.weight is None or not page.answers:
            continue
        w = page.weight
        met = "met" if w.total < FIRST_LOAD_BUDGET else "NOT MET"
        extra = ""
        if w.foreign or w.broken:
            extra = f"  other origins {w.foreign} broken {w.broken}"
        print(
            f"  {page.name + ' ' + (page.shown or page.path):<58} {w.html:8,} {w.css:8,} {w.js:8,} "
            f"{w.total:9,}  < {FIRST_LOAD_BUDGET / 1000:g} KB: {met}{extra}"
        )
        summary.append(
            f"{page.name}: first load {w.total / 1000:.1f} KB (HTML {w.html / 1000:.1f}, CSS "
            f"{w.css / 1000:.1f}, JS {w.js / 1000:.1f}); < {FIRST_LOAD_BUDGET / 1000:g} KB {met}"
        )
    return summary


# -- the run -------------------------------------------------------------------------------------
async def bench(url: str, args: argparse.Namespace) -> None:
    timeout = httpx.Timeout(30)
    async with (
        httpx.AsyncClient(base_url=url, timeout=timeout) as api,
        httpx.AsyncClient(base_url=url, timeout=timeout) as session,
        httpx.AsyncClient(base_url=url, timeout=timeout) as anonymous,
        AsyncExitStack() as stack,
    ):
        began = time.perf_counter()
        size = {"structures": args.structures} if args.structures else {}  # default: all
        demo = await load_demo(api, timeout=120, **size)
        print(
            f"demo network loaded in {time.perf_counter() - began:.1f} s: "
            f"{len(demo.organisations)} structures",
            file=sys.stderr,
        )
        email, password = demo_account(demo, "member_admin")
        headers = await sign_in(api, email, password)
        browser = ConsoleClient(session)
        await browser.sign_in(email, password, next="/")
        assert session.cookies.get("cap_session"), "the console opened no session"
        sessions = {"member_admin": session}
        for role in ("auditor", "committee"):
            other = await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, timeout=timeout)
            )
            await ConsoleClient(other).sign_in(*demo_account(demo, role), next="/")
            assert other.cookies.get("cap_session"), f"the console opened no session ({role})"
            sessions[role] = other
        audit = await auditor_audit(api, await sign_in(api, *demo_account(demo, "auditor")))
        decision = await open_decision(api, await sign_in(api, *demo_account(demo, "committee")))
        diagnostic = await latest_diagnostic(api, headers)
        diagnostic_id = diagnostic["id"]
        # An absent audit or file: an address that answers 404, reported as missing.
        audit_id = audit["id"] if audit else "aucun-audit"
        decision_id = decision["id"] if decision else "aucun-dossier"
        pages = [
            Page("dashboard", "/tableau-de-bord", target=True),
            Page(
                "diagnostic page",
                await theme_path(browser, api, headers, diagnostic),
                target=True,
            ),
            Page("results", f"/diagnostics/{diagnostic_id}/resultats", target=True),
            Page(
                "auditor's checklist",
                f"/auditeur/audits/{audit_id}/grille",
                target=True,
                role="auditor",
            ),
            Page(
                "committee's decision page",
                f"/comite/dossiers/{decision_id}",
                target=True,
                role="committee",
            ),
            Page("front page (anonymous)", "/", target=False, anonymous=True),
            Page("the diagnostic's page", f"/diagnostics/{diagnostic_id}", target=False),
            Page("public registry", "/registre", target=False),
            Page("auditor's audits", "/auditeur/audits", target=False, role="auditor"),
            Page("committee's queue", "/comite", target=False, role="committee"),
        ]
        print(
            f"audit {{audit}} = {audit_id}"
            + (f" ({audit['scheme']}, {audit['status']})" if audit else " (none assigned)")
            + f"; decision file {{file}} = {decision_id}"
            + (
                f" ({decision.get('scheme')}, {decision.get('status')})"
                if decision
                else " (none open)"
            ),
            file=sys.stderr,
        )
        for page in pages:
            page.shown = (
                page.path.replace(diagnostic_id, "{id}")
                .replace(audit_id, "{audit}")
                .replace(decision_id, "{file}")
            )
            client = anonymous if page.anonymous else sessions[page.role]
            page.status = (await client.get(page.path, headers=BROWSER)).status_code
            if page.answers:
                page.weight = await first_load(client, page.path)
        measured = [p for p in pages if p.answers]
        print(
            f"diagnostic {{id}} = {diagnostic_id} ({diagnostic['referential']['code']}, "
            f"{diagnostic.get('status')}); measuring "
            f"{', '.join(p.shown for p in measured) or 'nothing'}; not answering 200: "
            f"{[(p.shown, p.status) for p in pages if not p.answers]}",
            file=sys.stderr,
        )
        baseline: list[float] = []
        load_before = os.getloadavg()[0]
        for round_ in range(args.warmup + args.requests):
            counting = round_ >= args.warmup
            status, ms = await timed(api, "/v1/me/overview", headers=headers)
            assert status == 200, status
            if counting:
                baseline.append(ms)
            for page in measured:
                client = anonymous if page.anonymous else sessions[page.role]
                status, ms = await timed(client, page.path, headers=BROWSER)
                if status != 200:
                    page.errors[status] = page.errors.get(status, 0) + 1
                elif counting:
                    page.times.append(ms)
            if round_ % 20 == 19:
                print("." if counting else "w", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        summary = report(pages, baseline, args)
        summary.append(
            f"machine load (1-minute average, {os.cpu_count()} cores): {load_before:.1f} before "
            f"the measurement, {os.getloadavg()[0]:.1f} after"
        )
        print()
        for line in summary:
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests counted per page")
    parser.add_argument("--warmup", type=int, default=20, help="rounds first, not counted")
    parser.add_argument(
        "--structures", type=int, default=0, help="demo structures to load (0: all of them)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-console-") as data_dir:
        platform = ServedPlatform(Path(data_dir), RATE_LIMITS)
        platform.start()
        print(f"platform up in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        try:
            uvloop.run(bench(platform.url, args))
        except BaseException:
            print(platform.tail(), file=sys.stderr)
            raise
        finally:
            platform.stop()
    print(f"({time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
