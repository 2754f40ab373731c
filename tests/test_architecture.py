"""Architecture rules as tests, so CI enforces them: no service imports another service or the
gateway, shared/ imports no service, only the standalone root composes several services, the web console imports
no service (it is a client of the public API)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 8 kept, 0 broken." in result.stdout


def test_house_rules_are_kept() -> None:
    """tools/house_rules.py: module size, layout, queries in repositories, keyword-only use
    cases, schema names, references that resolve (docs/contributing.md#house-rules)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "house_rules.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
