"""The house rules a reviewer would otherwise check by hand (docs/contributing.md#house-rules).

Run by ``make lint`` and by ``tests/test_architecture.py``::

    uv run python tools/house_rules.py            # every rule; exit 1 on a violation
    uv run python tools/house_rules.py --rule size   # one rule

Rules (each violation printed as ``path:line: rule: what``):

* ``size``: no module over 500 lines, except migrations and the data modules of ``DATA``;
* ``layout``: in the gateway and the services, routes live in a feature package's
  ``routes.py`` beside its ``service.py`` (no ``*_routes.py`` module, no top-level
  ``routes.py``);
* ``queries``: in the gateway and the services, only a ``repository.py`` (or a module of a
  ``repository`` package) queries the database: no ``session.execute/get/add/...`` call and no
  SQL construct (``select``, ``insert``, ``update``, ``delete``, ``text``, ``func``...)
  anywhere else; ``models.py`` and migrations declare tables, they do not query;
* ``keyword-only``: a public function or method of a ``service.py`` or ``repository.py``
  takes at most two positional parameters (``self`` aside); the rest are keyword-only, so a
  call reads as what it passes. Event handlers (``on_*``) keep the inbox's
  ``(session, envelope, event)``;
* ``schema-names``: no API schema named ``*In`` or ``*Out``: a resource is answered as
  ``<Entity>Public``, created from ``<Entity>Create``, changed with ``<Entity>Update``
  (docs/contributing.md#schemas);
* ``references``: every ``*.md`` path the code and the docs mention exists in the repository
  (from the repository root in code, from the page's folder in docs), every file a page names
  in backquotes from the repository root (```services/audit/...py```) exists, and nothing
  points outside it.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The packages built routes -> service -> repository -> models.
SERVICE_SOURCES = [
    ROOT / "gateway/src/cap_gateway",
    *sorted(ROOT.glob("services/*/src/cap_*")),
]
#: Every package of the platform (the size and reference rules apply to all).
ALL_SOURCES = [
    *SERVICE_SOURCES,
    ROOT / "shared/src/cap_shared",
    ROOT / "web/src/cap_web",
    ROOT / "standalone/src/cap_standalone",
    ROOT / "simulator/src/cap_cb_simulator",
]
MAX_LINES = 500
#: Modules that are data, not logic (tables of values, catalogues): exempt from ``size``.
DATA = {
    # The demo network: structures, people, answers and audits as literal data.
    "standalone/src/cap_standalone/demo/network.py",
}
#: Session methods that send SQL.
SESSION_QUERIES = {
    "execute",
    "exec",
    "scalar",
    "scalars",
    "get",
    "merge",
    "add",
    "add_all",
    "delete",
    "refresh",
    "stream",
    "flush",
}
#: SQL constructs (as ``sa.<name>``, ``sqlalchemy.<name>``, ``sqlmodel.<name>`` or imported).
SQL_CONSTRUCTS = {
    "select",
    "insert",
    "update",
    "delete",
    "text",
    "func",
    "and_",
    "or_",
    "not_",
    "exists",
    "case",
    "union",
    "union_all",
    "literal",
    "tuple_",
    "bindparam",
}
SQL_MODULES = {"sqlalchemy", "sqlmodel", "sqlalchemy.dialects.postgresql"}
MAX_POSITIONAL = 2
#: A repository path in a page: `services/audit/...py`, `docs/api/openapi.json`...
FILE_PATH = re.compile(
    r"`((?:gateway|services|shared|web|standalone|simulator|tests|docs|deploy|tools|clients)"
    r"/[\w./-]+\.(?:py|md|json|yaml|yml|toml|html|txt|sql|js|css))`"
)
MD_PATH = re.compile(r"(?<![\w/.\-])((?:\.\./|[\w.\-]+/)*[\w\-]+\.md)\b(?!\.)")


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    rule: str
    what: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.rule}: {self.what}"


def _modules(sources: list[Path]) -> Iterator[Path]:
    for source in sources:
        for path in sorted(source.rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def check_size() -> Iterator[Violation]:
    """No module over MAX_LINES lines outside data and migrations."""
    for path in _modules(ALL_SOURCES):
        relative = str(path.relative_to(ROOT))
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES and relative not in DATA:
            yield Violation(path, 1, "size", f"{lines} lines (at most {MAX_LINES}): split it")


def check_layout() -> Iterator[Violation]:
    """Routes in feature packages, beside their use cases."""
    for source in SERVICE_SOURCES:
        for path in sorted(source.rglob("*routes*.py")):
            if path.name != "routes.py":
                yield Violation(path, 1, "layout", "routes go in a feature package's routes.py")
            elif path.parent == source:
                yield Violation(path, 1, "layout", "a top-level routes.py: one per feature package")
            elif not (path.parent / "service.py").exists():
                yield Violation(path, 1, "layout", "routes.py without a service.py beside it")


def _is_repository(path: Path) -> bool:
    return path.name == "repository.py" or "repository" in path.parent.name.split(".")


def _receiver_is_session(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id.endswith("session")
    if isinstance(node, ast.Attribute):
        return node.attr.endswith("session")
    return False


def check_queries() -> Iterator[Violation]:
    """Queries only in repositories."""
    for path in _modules(SERVICE_SOURCES):
        if _is_repository(path) or path.name == "models.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        sql_aliases = set()
        imported_constructs: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in SQL_MODULES:
                        sql_aliases.add(alias.asname or alias.name)
            elif isinstance(node, ast.ImportFrom) and node.module in SQL_MODULES:
                for alias in node.names:
                    if alias.name in SQL_CONSTRUCTS:
                        imported_constructs.add(alias.asname or alias.name)
                        yield Violation(
                            path,
                            node.lineno,
                            "queries",
                            f"imports {alias.name} outside a repository",
                        )
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute):
                if func.attr in SESSION_QUERIES and _receiver_is_session(func.value):
                    yield Violation(
                        path, node.lineno, "queries", f"session.{func.attr}() outside a repository"
                    )
                elif (
                    func.attr in SQL_CONSTRUCTS
                    and isinstance(func.value, ast.Name)
                    and func.value.id in sql_aliases
                ):
                    yield Violation(
                        path,
                        node.lineno,
                        "queries",
                        f"{func.value.id}.{func.attr}() outside a repository",
                    )
                elif (
                    isinstance(func.value, ast.Attribute)
                    and func.value.attr == "func"
                    and isinstance(func.value.value, ast.Name)
                    and func.value.value.id in sql_aliases
                ):
                    yield Violation(
                        path, node.lineno, "queries", "an SQL function outside a repository"
                    )


def _positional(function: ast.FunctionDef | ast.AsyncFunctionDef, *, method: bool) -> list[str]:
    names = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    if method and names and names[0] in {"self", "cls"}:
        names = names[1:]
    return names


def check_keyword_only() -> Iterator[Violation]:
    """Service and repository functions: at most MAX_POSITIONAL positional parameters."""
    for path in _modules(SERVICE_SOURCES):
        if path.name not in {"service.py", "repository.py"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        scopes: list[tuple[ast.AST, bool]] = [(tree, False)]
        scopes += [
            (node, True)
            for node in tree.body
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
        ]
        for scope, method in scopes:
            for node in getattr(scope, "body", []):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                if node.name.startswith("_") or node.name.startswith("on_"):
                    continue
                if (
                    any(
                        isinstance(d, ast.Name) and d.id in {"property", "staticmethod"}
                        for d in node.decorator_list
                    )
                    and not node.args.args[1:]
                ):
                    continue
                names = _positional(node, method=method)
                if len(names) > MAX_POSITIONAL:
                    yield Violation(
                        path,
                        node.lineno,
                        "keyword-only",
                        f"{node.name}({', '.join(names)}) takes {len(names)} positional "
                        f"parameters (at most {MAX_POSITIONAL}; put a * before the rest)",
                    )


SCHEMA_SUFFIX = re.compile(r"[a-z0-9](In|Out)$")


def check_schema_names() -> Iterator[Violation]:
    """No ``*In``/``*Out`` schema in the API contract nor in the code that declares it."""
    contract = ROOT / "docs/api/openapi.json"
    for name in json.loads(contract.read_text(encoding="utf-8"))["components"]["schemas"]:
        if SCHEMA_SUFFIX.search(name):
            yield Violation(
                contract, 1, "schema-names", f"{name}: name it <Entity>Public/Create/Update"
            )
    for path in _modules(SERVICE_SOURCES):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and SCHEMA_SUFFIX.search(node.name):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                if bases & {"BaseModel", "Base", "SQLModel", "Input", "Output"}:
                    yield Violation(
                        path,
                        node.lineno,
                        "schema-names",
                        f"{node.name}: name it <Entity>Public/Create/Update",
                    )


def _documents() -> Iterator[Path]:
    yield from _modules(ALL_SOURCES)
    for pattern in (
        "*.md",
        "docs/**/*.md",
        "*/tests/**/*.py",
        "services/*/tests/**/*.py",
        "tests/**/*.py",
    ):
        yield from sorted(ROOT.glob(pattern))


def check_references() -> Iterator[Violation]:
    """Every mentioned ``*.md`` exists in the repository; nothing points outside it."""
    seen: set[Path] = set()
    for path in _documents():
        if path in seen or "node_modules" in path.parts or path.parent == ROOT / "docs/domain":
            # docs/domain/ holds the design notes as written, citing other projects' files.
            continue
        seen.add(path)
        base = path.parent if path.suffix == ".md" else ROOT
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "../shared/docs" in line:
                yield Violation(
                    path, number, "references", "points outside the repository (../shared/docs)"
                )
                continue
            if path.suffix == ".md":
                for match in FILE_PATH.finditer(line):
                    if not (ROOT / match.group(1)).exists():
                        yield Violation(
                            path, number, "references", f"{match.group(1)} does not exist"
                        )
            for match in MD_PATH.finditer(line):
                target = match.group(1)
                if (
                    target.startswith(("http", "www."))
                    or "://" in line[max(0, match.start() - 60) : match.start()]
                ):
                    continue
                if path.suffix == ".py" and line[max(0, match.start() - 1) : match.start()] in {
                    '"',
                    "'",
                }:
                    continue  # a file name in code, not a reference
                candidates = [base / target, ROOT / target]
                if not any(c.exists() for c in candidates):
                    yield Violation(path, number, "references", f"{target} does not exist")


RULES = {
    "size": check_size,
    "layout": check_layout,
    "queries": check_queries,
    "keyword-only": check_keyword_only,
    "schema-names": check_schema_names,
    "references": check_references,
}


def violations(rules: list[str] | None = None) -> list[Violation]:
    """Every violation of ``rules`` (all of them by default)."""
    found: list[Violation] = []
    for name in rules or list(RULES):
        found.extend(RULES[name]())
    return found


def main() -> int:
    """Print the violations and answer 1 if there is any."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rule", action="append", choices=sorted(RULES), help="only this rule")
    parser.add_argument("--under", help="only violations under this path (e.g. services/audit)")
    arguments = parser.parse_args()
    found = violations(arguments.rule)
    if arguments.under:
        prefix = (ROOT / arguments.under).resolve()
        found = [v for v in found if v.path.resolve().is_relative_to(prefix)]
    for violation in found:
        print(violation)  # noqa: T201
    counts: dict[str, int] = {}
    for violation in found:
        counts[violation.rule] = counts.get(violation.rule, 0) + 1
    summary = ", ".join(f"{rule} {count}" for rule, count in sorted(counts.items())) or "none"
    print(f"house rules: {len(found)} violation(s) ({summary})")  # noqa: T201
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
