"""The console in tests: in-process (httpx, as a browser would) and in a real browser.

Real-browser tests (marked ``browser``) run in one process (`make test-browser`), against the
platform as ``make run`` serves it — the ``cap-standalone`` process on a free port — with the
demo network loaded once, driven by Playwright through Debian's Chromium
(``/usr/bin/chromium``; never a downloaded browser). Every page they visit is checked with
axe-core (no serious or critical violation) and photographed under
``var/test-artifacts/screens/``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from cap_standalone.demo import DemoResult, load_demo
from cap_standalone.testing import ServedPlatform, Topology
from cap_web.testing import ConsoleClient

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
SCREENS = ARTIFACTS / "screens"
CHROMIUM = os.environ.get("CAP_CHROMIUM", "/usr/bin/chromium")
#: The widths every page is checked at: a phone and a laptop.
WIDTHS = (375, 1280)


# -- in-process -----------------------------------------------------------------------------
@pytest.fixture
async def console(standalone: Topology) -> AsyncIterator[ConsoleClient]:
    """A browser-like client on the standalone platform's console (no one signed in)."""
    async with httpx.AsyncClient(
        transport=standalone.client._transport, base_url=standalone.public_url
    ) as client:
        yield ConsoleClient(client)


# -- the live platform -------------------------------------------------------------------------
@dataclass
class Live:
    """The platform served as ``make run`` serves it, with the demo network."""

    url: str
    demo: DemoResult
    data_dir: Path

    def account(self, role: str) -> tuple[str, str]:
        """E-mail and password of the demo account holding ``role``."""
        if role == "admin":
            return self.demo.admin_email, self.demo.admin_password
        for account in self.demo.accounts:
            if account.person.role == role:
                return account.person.email, self.demo.password
        raise LookupError(role)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """``cap-standalone`` on a free port, its own data directory, the demo network loaded."""
    data_dir = tmp_path_factory.mktemp("live")
    platform = ServedPlatform(
        data_dir,
        {
            "CAP_RETRY_DELAYS_S": "[0.1, 0.5]",
            # Every browser test signs its people in on one platform within a few minutes:
            # the per-account and per-address sign-in limits (10 and 60 a minute) would refuse
            # some.
            "GATEWAY_RATE_LIMIT_LOGIN": "300/minute",
            "GATEWAY_RATE_LIMIT_LOGIN_ADDRESS": "600/minute",
            "GATEWAY_RATE_LIMIT_PUBLIC_WRITE": "300/hour",
        },
    )
    url = platform.url
    try:
        platform.start()

        async def load() -> DemoResult:
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                return await load_demo(client, structures=6, timeout=60)

        # In a thread: Playwright's sync API may already run an event loop in this one.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            demo = pool.submit(asyncio.run, load()).result()
        yield Live(url, demo, data_dir)
    finally:
        platform.stop()


# -- the browser -----------------------------------------------------------------------------
@pytest.fixture
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (fails, never skips, when it is missing).

    One per test: Playwright's sync API runs an event loop in this thread while it is open, and
    an async test scheduled next on the same worker could not run its own (about a second per
    browser test is the price)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def width(request: pytest.FixtureRequest) -> int:
    """A test that takes ``width`` runs at each width."""
    return int(request.param)


def new_page(chromium: Any, live: Live, width: int = 1280) -> Any:
    """A page in a fresh browser context (its own cookies) on the live platform."""
    context = chromium.new_context(
        base_url=live.url,
        viewport={"width": width, "height": 900},
        locale="fr-FR",
        timezone_id="Europe/Paris",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.cap_errors = errors  # CSP refusals and script errors, asserted empty by check()
    return page


@pytest.fixture
def page(chromium: Any, live: Live) -> Iterator[Any]:
    """A 1280 px wide page on the live platform, no one signed in."""
    page = new_page(chromium, live)
    try:
        yield page
    finally:
        page.context.close()


def sign_in(page: Any, email: str, password: str, *, next: str = "/") -> None:
    """Sign in through the gateway's French page, as a person types it."""
    page.goto(f"/connexion?next={next}")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")


_SLUG = re.compile(r"[^a-z0-9]+")


def check(page: Any, name: str) -> None:
    """The page as it is now: no serious or critical axe violation (WCAG 2.1 AA), no script
    or CSP error, and a screenshot ``var/test-artifacts/screens/<name>-<width>.png``."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("networkidle")
    SCREENS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    slug = _SLUG.sub("-", name.lower()).strip("-")
    page.screenshot(path=str(SCREENS / f"{slug}-{width}.png"), full_page=True)
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{name} ({width} px): " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in bad
    )
    assert not page.cap_errors, f"{name}: script errors {page.cap_errors}"
