"""``cap-demo``: load the demo network into a running platform, then say where to look.

Start the platform first (``make run`` in another terminal), then ``make demo`` (or
``uv run cap-demo --base-url http://127.0.0.1:8000``). Safe to run again: nothing is duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from functools import partial

import httpx
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from cap_standalone.demo import network
from cap_standalone.demo.client import DemoError, PlatformUnreachable
from cap_standalone.demo.loader import DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD, DemoResult, load_demo


class _Bar:
    """The loader's progress as a rich progress bar."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def start(self, total: int) -> None:
        """The number of steps to come."""
        self.task = self.progress.add_task("Signing in", total=total)

    def step(self, description: str, advance: int = 1) -> None:
        """A step is done."""
        if self.task is not None:
            self.progress.update(self.task, advance=advance, description=description[:60])


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="cap-demo",
        description=(
            "Load a realistic demo network (Coorace Occitanie: structures, diagnostics, labels "
            "and certificates, applications, people) into a running CAP platform, through its "
            "public API. Safe to run again."
        ),
    )
    parser.add_argument(
        "--base-url",
        default=env("CAP_DEMO_BASE_URL", "http://127.0.0.1:8000"),
        help="the gateway (default: %(default)s; env CAP_DEMO_BASE_URL)",
    )
    parser.add_argument(
        "--structures",
        type=int,
        default=int(env("CAP_DEMO_STRUCTURES", str(len(network.STRUCTURES)))),
        help=f"how many structures of the network to load, 1 to {len(network.STRUCTURES)} "
        "(default: all; env CAP_DEMO_STRUCTURES)",
    )
    parser.add_argument(
        "--admin-email",
        default=env("CAP_DEMO_ADMIN_EMAIL", DEV_ADMIN_EMAIL),
        help="an administrator's account (default: the development one; env CAP_DEMO_ADMIN_EMAIL)",
    )
    parser.add_argument(
        "--admin-password",
        default=env("CAP_DEMO_ADMIN_PASSWORD", DEV_ADMIN_PASSWORD),
        help="its password (env CAP_DEMO_ADMIN_PASSWORD)",
    )
    parser.add_argument(
        "--password",
        default=env("CAP_DEMO_PASSWORD", network.DEFAULT_PASSWORD),
        help="password of the demo accounts (default: %(default)s; env CAP_DEMO_PASSWORD)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds to wait for each event to reach the services (default: %(default)s)",
    )
    return parser.parse_args(argv)


async def _load(args: argparse.Namespace, bar: _Bar) -> DemoResult:
    async with httpx.AsyncClient(base_url=args.base_url.rstrip("/"), timeout=30.0) as client:
        return await load_demo(
            client,
            structures=args.structures,
            admin_email=args.admin_email,
            admin_password=args.admin_password,
            password=args.password,
            timeout=args.timeout,
            reporter=bar,
        )


def _links(result: DemoResult) -> list[tuple[str, str, str]]:
    """(what, URL, as whom) for the summary."""
    base, links = result.base_url, result.links
    rows = [
        ("Interactive API documentation (Authorize: e-mail and password)", f"{base}/docs", ""),
        (
            "Public registry search",
            f"{base}/v1/registry/recognitions?region={network.REGION}",
            "anyone, no sign-in",
        ),
    ]
    for scheme, label in (("CAP_ISO9001", "a CAP ISO 9001 certificate"), ("CAP_RSE", "a label")):
        if f"{scheme}_code" in links:
            rows += [
                (
                    f"Verification page of {label} (its QR code points here)",
                    f"{base}/v1/registry/verify/{links[f'{scheme}_code']}",
                    "anyone, in a browser",
                ),
                (
                    "… and its certificate (PDF)",
                    f"{base}/v1/registry/recognitions/{links[f'{scheme}_number']}/certificate.pdf",
                    "anyone",
                ),
            ]
    if "plan_id" in links:
        rows += [
            (
                "The progress plan of Claire's structure",
                f"{base}/v1/progress-plans/{links['plan_id']}",
                "Claire, Karim, Sophie",
            ),
            ("… as a spreadsheet", f"{base}/v1/progress-plans/{links['plan_id']}/export.xlsx", ""),
        ]
    if "diagnostic_id" in links:
        rows.append(
            (
                "Its CAP diagnostic's restitution report (PDF)",
                f"{base}/v1/diagnostics/{links['diagnostic_id']}/report.pdf",
                "Claire, Karim, Sophie",
            )
        )
    if "organisation_id" in links:
        rows.append(
            (
                "Where it stands among its peers",
                f"{base}/v1/statistics/position?organisation_id={links['organisation_id']}",
                "Claire, Karim, Sophie",
            )
        )
    rows += [
        ("Notification feed (live: /stream)", f"{base}/v1/notifications", "Sophie, Marc, Claire"),
        (
            "Network view of the region (groups under 5 hidden)",
            f"{base}/v1/statistics/network?referential=CAP&region={network.REGION}",
            "Sophie, Anne, admin",
        ),
        (
            "Applications in progress",
            f"{base}/v1/applications",
            "Anne, to accept or reject; Claire",
        ),
    ]
    if "audit_id" in links:
        rows.append(("The audit Marc leads", f"{base}/v1/audits/{links['audit_id']}", "Marc"))
    if "decision_id" in links:
        rows.append(
            (
                "The CAP RSE file waiting for the committee",
                f"{base}/comite/dossiers/{links['decision_id']}",
                "Anne",
            )
        )
    return rows


#: The console page each role starts from (what ``/`` sends a signed-in person to).
START_PAGES = {
    "member_admin": "/tableau-de-bord",
    "member": "/tableau-de-bord",
    "facilitator": "/animation",
    "auditor": "/auditeur/audits",
    "committee": "/comite",
    "admin": "/admin",
}


def _summary(console: Console, result: DemoResult) -> None:
    out = partial(console.print, soft_wrap=True, highlight=False)
    created = ", ".join(f"{n} {what}" for what, n in result.created.items() if n) or "nothing new"
    out(
        f"\n[bold green]Demo network loaded[/] in {result.seconds:.1f} s: "
        f"{len(result.organisations)} structures of {network.DELEGATION} (this run: {created})."
    )
    totals = result.statistics
    if totals:
        median = totals.get("overall_median")
        out(
            f"Network view: {totals.get('diagnosed')} of {totals.get('structures')} structures "
            f"diagnosed, {totals.get('labelled')} labelled CAP RSE, {totals.get('certified')} "
            f"certified CAP ISO 9001, median score "
            f"{round(median) if isinstance(median, int | float) else median}/1000."
        )
    out(
        "\n[bold]Demo accounts[/] (sign in at the console with the e-mail and the password; "
        "each lands on its start page)"
    )
    out(
        f"  {'admin':<13} {result.admin_email:<42} {result.admin_password:<18} "
        f"{result.base_url}{START_PAGES['admin']}  administrateur de la plateforme"
    )
    for account in result.accounts:
        person = account.person
        who = f"{person.name}, {person.title}"
        start = f"{result.base_url}{START_PAGES.get(person.role, '/')}"
        out(f"  {person.role:<13} {person.email:<42} {result.password:<18} {start}  {who}")
    out("\n[bold]What to look at[/]")
    for what, url, whom in _links(result):
        out(f"  {what}" + (f" [dim]({whom})[/]" if whom else ""))
        out(f"    {url}")
    first = result.accounts[0].person.email if result.accounts else result.admin_email
    out(
        "\n[bold]From a terminal[/]\n"
        f"  TOKEN=$(curl -s -X POST {result.base_url}/v1/auth/token -d grant_type=password "
        f"-d username={first} -d password={result.password} "
        "| python3 -c 'import json,sys;print(json.load(sys.stdin)[\"access_token\"])')\n"
        f'  curl -s {result.base_url}/v1/progress-plans -H "Authorization: Bearer $TOKEN"'
    )
    for warning in result.warnings:
        out(f"[yellow]Note:[/] {warning}")


def main(argv: list[str] | None = None) -> None:
    """Console entry point (``cap-demo``)."""
    args = _arguments(argv)
    console = Console()
    console.print(
        f"Loading the demo network into [bold]{args.base_url}[/] "
        f"({args.structures} structures of {network.DELEGATION})…"
    )
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<60}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    try:
        with progress:
            result = asyncio.run(_load(args, _Bar(progress)))
    except PlatformUnreachable as exc:
        console.print(f"[bold red]The platform is not running:[/] {exc}")
        sys.exit(2)
    except DemoError as exc:
        console.print(f"[bold red]The demo could not be loaded:[/] {exc}")
        sys.exit(1)
    except KeyboardInterrupt:
        console.print("[yellow]Interrupted: run it again to finish (nothing is duplicated).[/]")
        sys.exit(130)
    _summary(console, result)


if __name__ == "__main__":
    main()
