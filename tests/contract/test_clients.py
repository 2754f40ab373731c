"""The generated clients: current with the committed contract, compiled, and working.

* TypeScript (clients/typescript): the types openapi-typescript generates from
  docs/api/openapi.json are the committed ones, and ``tsc`` type-checks the client and its
  example (PKCE sign-in, paging, idempotent retries) against them; a call the contract does not
  allow fails to compile. Node.js and npm are required: without them these tests fail.
* Python (clients/python): openapi-python-client's package is the committed one, and lists
  organisations, page by page, through the standalone platform.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from cap_platform_client import Client
from cap_platform_client.api.organisations import (
    organisations_list_organisations,
    organisations_register_organisation,
)
from cap_platform_client.models import OrganisationCreate, PageOrganisationPublic, Problem
from cap_platform_client.models.organisation_create_siae_types_item import (
    OrganisationCreateSiaeTypesItem,
)

from cap_shared.testing.siret import make_siret
from cap_standalone.testing import Topology

ROOT = Path(__file__).resolve().parents[2]
TYPESCRIPT = ROOT / "clients/typescript"
PYTHON = ROOT / "clients/python"
IGNORED = ["__pycache__", ".ruff_cache"]
STALE = "run make contract (and commit clients/)"


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is missing: install Node.js 20+ (make install needs it too)")
    return npm


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """clients/typescript/node_modules, installed from the lock file when missing."""
    npm = _npm()
    installed = TYPESCRIPT / "node_modules"
    if not (installed / ".package-lock.json").exists():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=TYPESCRIPT, check=True, timeout=300
        )
    return installed


def _run(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=300, env=env, check=False
    )
    return done.returncode, done.stdout + done.stderr


def _bin(node_modules: Path, name: str) -> str:
    return str(node_modules / ".bin" / name)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_typescript_types_are_the_contracts(node_modules: Path, tmp_path: Path) -> None:
    script = json.loads((TYPESCRIPT / "package.json").read_text())["scripts"]["generate"]
    arguments = script.split()[1:]  # the generate script's own flags, output elsewhere
    arguments[arguments.index("--output") + 1] = str(tmp_path / "schema.d.ts")
    code, output = _run([_bin(node_modules, "openapi-typescript"), *arguments], cwd=TYPESCRIPT)
    assert code == 0, output
    generated = (tmp_path / "schema.d.ts").read_text(encoding="utf-8")
    committed = (TYPESCRIPT / "src/schema.d.ts").read_text(encoding="utf-8")
    assert generated == committed, f"clients/typescript/src/schema.d.ts is stale: {STALE}"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_typescript_client_compiles_and_a_call_the_contract_forbids_does_not(
    node_modules: Path,
) -> None:
    """One ``tsc`` run over the client, its example and a scratch file of wrong calls (an
    unknown path, a parameter of the wrong type, a body without its required field): the only
    errors are the scratch file's, one per wrong call."""
    scratch = TYPESCRIPT / f".scratch-{uuid.uuid4().hex[:8]}"
    scratch.mkdir()
    try:
        (scratch / "wrong.ts").write_text(
            'import { createCapClient } from "../src/index.js";\n'
            'const client = createCapClient({ baseUrl: "https://cap.example" });\n'
            'await client.GET("/v1/no-such-list");\n'
            'await client.GET("/v1/organisations", { params: { query: { limit: "many" } } });\n'
            'await client.POST("/v1/diagnostics", { body: { title: "no organisation" } });\n'
            "export {};\n",
            encoding="utf-8",
        )
        include = ["../src/**/*.ts", "../examples/**/*.ts", "wrong.ts"]
        (scratch / "tsconfig.json").write_text(
            json.dumps({"extends": "../tsconfig.json", "include": include}), encoding="utf-8"
        )
        code, output = _run([_bin(node_modules, "tsc"), "--noEmit", "-p", "."], cwd=scratch)
    finally:
        shutil.rmtree(scratch)
    errors = [line for line in output.splitlines() if "error TS" in line]
    elsewhere = [line for line in errors if not line.startswith("wrong.ts(")]
    assert not elsewhere, "tsc found errors in the client or its example:\n" + "\n".join(elsewhere)
    assert code != 0
    assert [line.split("(")[1].split(",")[0] for line in errors] == ["3", "4", "5"], output


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_python_client_is_the_contracts(tmp_path: Path) -> None:
    output = tmp_path / "python"
    code, text = _run(
        [sys.executable, str(ROOT / "tools/generate_python_client.py"), "--output", str(output)],
        cwd=ROOT,
        env={**os.environ},
    )
    assert code == 0, text

    def differences(compared: filecmp.dircmp[str]) -> list[str]:
        found = [
            f"{compared.left}/{name}"
            for name in compared.left_only + compared.right_only + compared.diff_files
            if name not in IGNORED
        ]
        for sub in compared.subdirs.values():
            found += differences(sub)
        return found

    stale = differences(filecmp.dircmp(PYTHON, output, ignore=IGNORED))
    assert not stale, f"clients/python is stale ({', '.join(stale[:5])}): {STALE}"


async def test_the_python_client_pages_organisations(standalone: Topology) -> None:
    http = standalone.client
    http.headers.update(standalone.admin)
    client = Client(base_url=standalone.public_url).set_async_httpx_client(http)
    created = []
    for n in range(3):
        answer = await organisations_register_organisation.asyncio(
            client=client,
            body=OrganisationCreate(
                name=f"Structure {n}",
                region="52",
                siae_types=[OrganisationCreateSiaeTypesItem.ACI],
                siret=make_siret(900 + n),
            ),
        )
        assert answer is not None
        assert not isinstance(answer, Problem), answer
        created.append(answer.id)
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await organisations_list_organisations.asyncio(client=client, limit=2, cursor=cursor)
        assert isinstance(page, PageOrganisationPublic), page
        pages += 1
        seen += [organisation.id for organisation in page.data]
        if not isinstance(page.next_cursor, str):
            break
        cursor = page.next_cursor
    assert set(created) <= set(seen)
    assert len(seen) == len(set(seen))  # no organisation twice across pages
    assert pages >= 2
    # An error answer is a typed Problem, not an exception.
    wrong = await organisations_list_organisations.asyncio_detailed(client=client, cursor="junk")
    assert wrong.status_code == httpx.codes.BAD_REQUEST
    assert isinstance(wrong.parsed, Problem)
    assert wrong.parsed.status == 400
