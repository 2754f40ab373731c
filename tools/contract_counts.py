"""Print how far the API follows its rules (typed errors, typed success bodies, list shapes,
idempotent writes, conditional writes, ETags), from the merged OpenAPI document: the committed
docs/api/openapi.json, or another file given as argument. ``--violations`` lists the
operations that break each rule.

Usage (from the repository root)::

    uv run python tools/contract_counts.py [path/to/openapi.json] [--violations]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cap_shared.contracts.conformance import check

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("document", nargs="?", type=Path, default=ROOT / "docs/api/openapi.json")
    parser.add_argument("--violations", action="store_true", help="list what breaks each rule")
    args = parser.parse_args(argv)
    report = check(json.loads(args.document.read_text(encoding="utf-8")))
    sys.stdout.write(report.counts() + "\n")
    if args.violations and report.violations:
        sys.stdout.write("\n" + report.failures() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
