"""The platform's contract as committed under ``docs/api/`` (``make contract``).

* ``openapi.json``: the merged OpenAPI document exactly as the gateway serves it at
  ``/v1/openapi.json`` (its own operations, every service's, the outbound calls in
  ``webhooks``), built in-process from the apps of the standalone composition, no I/O;
* ``asyncapi.json``: the event catalogue with who sends and who receives each event (every
  service's registered handlers).

Both are built from code defaults only (no ``CAP_``/service variable of the shell changes them)
and written as sorted, indented JSON, so a regeneration without a code change is a no-op.

Usage (from the repository root)::

    uv run python -m cap_standalone.contract          # rewrite docs/api/*.json
    uv run python -m cap_standalone.contract --check  # exit 1 if they are stale
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cap_shared.contracts.asyncapi import render as render_asyncapi
from cap_standalone.platform import PARTS, SERVICES, Platform, StandaloneSettings

#: Where the contract lives, relative to the repository root.
OPENAPI = Path("docs/api/openapi.json")
ASYNCAPI = Path("docs/api/asyncapi.json")
#: The variables that configure a part of the platform (``CAP_`` and each part's prefix).
_PREFIXES = ("CAP_", *(f"{name.upper()}_" for name in PARTS))
STALE = "the committed contract is stale: run `make contract` and commit docs/api/"


@contextlib.contextmanager
def code_defaults() -> Iterator[None]:
    """Within the block, no environment variable configures the platform (restored after)."""
    saved = {k: v for k, v in os.environ.items() if k.startswith(_PREFIXES)}
    for key in saved:
        del os.environ[key]
    try:
        yield
    finally:
        os.environ.update(saved)


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


async def openapi_document() -> dict[str, Any]:
    """The merged OpenAPI document the gateway serves, built from the apps (no database, no
    broker, no network: the services' documents come through in-process transports)."""
    with code_defaults():
        platform = Platform(StandaloneSettings(data_dir=Path("/nonexistent")))
        platform.build()
    assert platform.gateway is not None
    try:
        document: dict[str, Any] = await platform.gateway.state.openapi.document()
    finally:
        await platform.gateway.state.upstreams.aclose()
    if "x-cap-unavailable" in document:  # cannot happen in-process; never commit half a contract
        msg = f"services missing from the merged document: {document['x-cap-unavailable']}"
        raise RuntimeError(msg)
    return document


def consumers() -> dict[str, list[str]]:
    """Service name -> the event types its handlers consume."""
    with code_defaults():
        return {
            name: sorted(part.build_runtime(part.settings()).handlers)
            for name, part in SERVICES.items()
        }


def render_openapi() -> str:
    """``docs/api/openapi.json`` as it should be."""
    return _dump(asyncio.run(openapi_document()))


def rendered() -> dict[Path, str]:
    """Every file of the contract, by path relative to the repository root."""
    return {OPENAPI: render_openapi(), ASYNCAPI: render_asyncapi(consumers())}


def stale(root: Path) -> list[Path]:
    """The contract files under ``root`` that differ from what the code describes."""
    return [
        path
        for path, text in rendered().items()
        if not (root / path).exists() or (root / path).read_text(encoding="utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    """Write the contract under ``docs/api/`` (``--check``: exit 1 when a file is stale)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository root")
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    args = parser.parse_args(argv)
    if args.check:
        outdated = stale(args.root)
        for path in outdated:
            sys.stderr.write(f"stale: {path} ({STALE})\n")
        return 1 if outdated else 0
    for path, text in rendered().items():
        (args.root / path).parent.mkdir(parents=True, exist_ok=True)
        (args.root / path).write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
