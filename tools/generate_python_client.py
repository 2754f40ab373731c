"""Generate the Python client of the platform (``clients/python``) from docs/api/openapi.json.

openapi-python-client writes the package (httpx + attrs models, one module per operation); this
script gives it the workspace's name and build backend so ``uv sync`` installs it like every
other member. Run by ``make contract`` / ``make clients``; never edit clients/python by hand.

Usage (from the repository root)::

    uv run python tools/generate_python_client.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "docs/api/openapi.json"
OUTPUT = ROOT / "clients/python"
CONFIG = """\
project_name_override: cap-platform-client
package_name_override: cap_platform_client
post_hooks:
  - "ruff check . --fix-only --quiet"
  - "ruff format . --quiet"
"""
#: The generated pyproject's build backend (uv_build), replaced by the workspace's (hatchling).
BUILD = """\
[tool.hatch.build.targets.wheel]
packages = ["cap_platform_client"]

[build-system]
requires = ["hatchling>=1.27"]
build-backend = "hatchling.build"
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the package")
    args = parser.parse_args(argv)
    output: Path = args.output.resolve()
    generator = Path(sys.executable).with_name("openapi-python-client")
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yml"
        config.write_text(CONFIG, encoding="utf-8")
        env = {**os.environ, "PATH": f"{generator.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        run = subprocess.run(
            [
                str(generator),
                "generate",
                "--path",
                str(SPEC),
                "--meta",
                "uv",
                "--config",
                str(config),
                "--output-path",
                str(output),
                "--overwrite",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if run.returncode != 0:
        sys.stderr.write(run.stdout + run.stderr)
        return run.returncode
    # Its warnings name the answers it leaves untyped (PDF, XLSX, a YAML body): say how many.
    warnings = [line for line in run.stderr.splitlines() if line.startswith("WARNING")]
    for line in warnings:
        sys.stdout.write(f"  {line}\n")
    shutil.rmtree(output / ".ruff_cache", ignore_errors=True)  # left by the formatting hooks
    pyproject = output / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    head, _, _ = text.partition("[tool.uv.build-backend]")
    tail = text[text.index("[tool.ruff]") :]
    pyproject.write_text(f"{head}{BUILD}\n{tail}", encoding="utf-8")
    sys.stdout.write(f"wrote {output}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
