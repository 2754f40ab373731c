"""First-load weight: every page of the console, HTML + CSS + JS, under 150 KB (issue 17).

A browser with an empty cache downloads the page, each stylesheet and each script it names
(``cap_web.testing.first_load``); the vendored htmx alone is about 52 KB, so the budget leaves
room for the console's own CSS and JS and the page, not for a framework, a chart library or a
web font. Rendered pages are measured in-process; every template is also weighed from its
source (its layout, includes and macros, and the ``/static`` assets any of them names), so a
screen that adds a heavy script fails here even when no test renders it.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import httpx

from cap_shared.testing.auth import create_user, register_organisation
from cap_standalone.testing import Topology
from cap_web.console import STATIC, TEMPLATES
from cap_web.testing import FIRST_LOAD_BUDGET, ConsoleClient, first_load, page_assets

PASSWORD = "correct horse battery staple"
_NAV = re.compile(r'<nav\b[^>]*aria-label="Menu principal"[^>]*>(.*?)</nav>', re.S)
_HREF = re.compile(r'href="(/[^"#?]*)')
_REFERENCES = re.compile(r"""{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")
_STATIC_REF = re.compile(
    r"""(?:src|href)\s*=\s*["'](/static/[^"'?#]+)"""
    r"""|url_for\(\s*["']static["']\s*,\s*path\s*=\s*["']/?([^"']+)["']"""
)


def kb(size: int) -> str:
    return f"{size / 1000:.1f} KB"


async def test_the_front_page_loads_under_150_kb(console: ConsoleClient) -> None:
    weight = await first_load(console.http, "/")
    assert weight.status == 200
    paths = [urlsplit(url).path for _, url, _ in weight.assets]
    # what every page loads: the stylesheet, htmx, the console's script
    assert "/static/console.css" in paths
    assert any(p.startswith("/static/vendor/htmx") for p in paths), paths
    assert "/static/console.js" in paths
    assert weight.js > 50_000  # htmx is counted
    assert not weight.foreign
    assert not weight.broken
    assert weight.total < FIRST_LOAD_BUDGET, weight.describe()


async def test_a_member_s_pages_load_under_150_kb(
    console: ConsoleClient, standalone: Topology
) -> None:
    """A structure's administrator: the page sign-in lands on, then every page of the menu
    that answers."""
    client, admin = standalone.client, standalone.admin
    organisation = await register_organisation(
        client, admin, n=int(uuid.uuid4().int % 900_000), region="76"
    )
    email = f"claire.{uuid.uuid4().hex[:8]}@atelier.example"
    await create_user(
        client,
        admin,
        role="member_admin",
        email=email,
        password=PASSWORD,
        organisation_id=organisation,
    )
    await console.sign_in(email, PASSWORD, next="/")
    landed = await console.http.get("/", follow_redirects=True)
    assert landed.status_code == 200, (landed.request.url.path, landed.status_code)
    assert landed.request.url.path == "/tableau-de-bord"
    nav = _NAV.search(landed.text)
    assert nav is not None, "the signed-in page has no main menu"
    pages = ["/tableau-de-bord", *dict.fromkeys(_HREF.findall(nav.group(1)))]
    measured, missing, heavy = [], [], []
    for path in dict.fromkeys(pages):
        weight = await first_load(console.http, path)
        if weight.status != 200:
            missing.append(f"{path} ({weight.status})")
            continue
        measured.append(path)
        assert not weight.foreign, weight.describe()
        assert not weight.broken, weight.describe()
        if weight.total >= FIRST_LOAD_BUDGET:
            heavy.append(weight.describe())
    assert "/tableau-de-bord" in measured
    assert not [m for m in missing if m.endswith(("(500)", "(502)", "(503)"))], missing
    assert not heavy, f"over {kb(FIRST_LOAD_BUDGET)} on a first load:\n" + "\n".join(heavy)
    print(f"measured {measured}; not answering 200: {missing}")


def _template_closure(name: str, seen: set[str] | None = None) -> set[str]:
    """A template and every template it extends, includes or imports (transitively)."""
    seen = set() if seen is None else seen
    file = TEMPLATES / name
    if name in seen or not file.is_file():
        return seen
    seen.add(name)
    for other in _REFERENCES.findall(file.read_text()):
        _template_closure(other, seen)
    return seen


def template_weight(name: str) -> tuple[int, dict[str, int]]:
    """An upper estimate of a page's weight from its sources: the templates it is made of,
    and each ``/static`` asset they name."""
    parts = _template_closure(name)
    size = sum((TEMPLATES / part).stat().st_size for part in parts)
    assets: dict[str, int] = {}
    for part in parts:
        for found in _STATIC_REF.finditer((TEMPLATES / part).read_text()):
            relative = (found.group(1) or "/static/" + found.group(2)).removeprefix("/static/")
            file = STATIC / relative
            assert file.is_file(), f"{part} names /static/{relative}, which does not exist"
            assets[relative] = file.stat().st_size
    return size + sum(assets.values()), assets


def test_every_template_fits_the_budget_with_the_assets_it_names() -> None:
    templates = [p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")]
    assert "base.html" in templates
    base_total, base_assets = template_weight("base.html")
    assert any(a.startswith("vendor/htmx") for a in base_assets), base_assets
    assert base_total > 60_000  # htmx and the console's own CSS and JS are counted
    heavy = []
    for name in sorted(templates):
        total, assets = template_weight(name)
        if total >= FIRST_LOAD_BUDGET:
            largest = sorted(assets.items(), key=lambda a: -a[1])[:5]
            heavy.append(f"  {name}: {total:,} bytes; largest assets {largest}")
    assert not heavy, (
        f"templates over {kb(FIRST_LOAD_BUDGET)} with their layout and assets:\n" + "\n".join(heavy)
    )


async def test_the_weight_counts_a_screen_s_own_scripts_and_imported_styles() -> None:
    """The measure itself: a page that adds a heavy script in its head is over budget."""
    page = (
        '<!doctype html><html lang="fr"><head>'
        '<link rel="stylesheet" href="/static/console.css">'
        "<script src='/static/heavy.js' defer></script>"
        '<script src="https://cdn.example/x.js"></script>'
        '<link rel="icon" href="/favicon.ico"></head><body>Bonjour</body></html>'
    )
    files = {
        "/": page.encode(),
        "/static/console.css": b'@import url("fonts.css");\nbody{margin:0}',
        "/static/fonts.css": b"x" * 40_000,
        "/static/heavy.js": b"y" * 120_000,
    }

    def serve(request: httpx.Request) -> httpx.Response:
        body = files.get(request.url.path)
        return httpx.Response(200, content=body) if body else httpx.Response(404)

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(serve), base_url="http://cap.test"
    ) as http:
        weight = await first_load(http, "/")
    assert [(k, urlsplit(u).path) for k, u in page_assets(page, "http://cap.test/")] == [
        ("css", "/static/console.css"),
        ("js", "/static/heavy.js"),
        ("js", "/x.js"),
    ]
    assert weight.html == len(page.encode())
    assert weight.js == 120_000
    assert weight.css == 40_000 + len(files["/static/console.css"])
    assert weight.foreign == ["https://cdn.example/x.js"]
    assert weight.total > FIRST_LOAD_BUDGET
    assert "/static/heavy.js" in weight.describe()
