"""The console is a client of the public contract, nothing more: every ``/v1`` path its code,
templates and scripts name is an operation of ``docs/api/openapi.json``.

The console's Python (``web/src/cap_web/**/*.py``) is read as syntax: every string literal,
f-string or ``+`` concatenation that starts with ``/v1/`` (or with a base URL then ``/v1/``),
each f-string placeholder normalised to ``{x}``. A name assigned such a path in the same function
(or module) is followed (``url = f"/v1/diagnostics/{d}"`` then ``api.get(f"{url}/scores")``).
When the call tells the method (``api.get/post/put/patch/delete/pages``, ``http.get/post``,
``api.call("PUT", ...)``, ``api.request(...)``, ``api.stream(...)``), the method must be one of
the operation's; otherwise the path alone must be an operation's path. A literal given to
``startswith`` is a prefix: some operation must start with it. Templates and scripts
(``*.html``, ``*.js``) are read as text: every ``/v1/...`` they name (a download link, an
``hx-get``), with ``{{ ... }}`` and ``${...}`` as ``{x}``.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web" / "src" / "cap_web"
OPENAPI = ROOT / "docs" / "api" / "openapi.json"
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
#: ``obj.<attr>(path, ...)`` -> the HTTP method it sends.
CALL_METHODS = {
    "get": "GET",
    "pages": "GET",
    "post": "POST",
    "put": "PUT",
    "patch": "PATCH",
    "delete": "DELETE",
    "head": "HEAD",
}
#: ``obj.<attr>("METHOD", path, ...)`` (or ``obj.stream(path)``: a GET).
METHOD_FIRST = frozenset({"call", "request", "stream"})
#: A placeholder: whatever an f-string, a template or a script puts in a path.
X = "{x}"
#: A placeholder of a path template of the contract, or of a path normalised here.
_PLACEHOLDER = re.compile(r"\{[^{}/]*\}")
#: A ``/v1/...`` path in a template or a script.
_TEXT_PATH = re.compile(r"/v1/[^\s\"'`<>()]*")


@dataclass(frozen=True)
class Use:
    """A ``/v1`` path the console names, where, and how."""

    path: str
    where: str
    method: str | None = None
    prefix: bool = False

    def __str__(self) -> str:
        how = "prefix " if self.prefix else f"{self.method} " if self.method else ""
        return f"{how}{self.path}  ({self.where})"


# -- the contract ---------------------------------------------------------------------------------
def operations(spec: dict[str, object] | None = None) -> dict[str, set[str]]:
    """Every path of the contract and its methods (upper case)."""
    spec = spec if spec is not None else json.loads(OPENAPI.read_text())
    paths = spec["paths"]
    assert isinstance(paths, dict)
    return {path: {m.upper() for m in item if m.upper() in METHODS} for path, item in paths.items()}


def _segment_regex(segment: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(segment)
    return re.compile("[^/]+".join(re.escape(p) for p in parts))


def _segments_match(mine: str, theirs: str) -> bool:
    """One path segment of the console against one of the contract (either may hold
    placeholders: ``report.{x}`` matches ``report.pdf``; ``CAP`` matches ``{code}``)."""
    if mine == theirs or _PLACEHOLDER.fullmatch(mine) or _PLACEHOLDER.fullmatch(theirs):
        return True
    return bool(
        _segment_regex(mine).fullmatch(theirs.replace("{", "").replace("}", ""))
        or _segment_regex(theirs).fullmatch(mine.replace("{", "").replace("}", ""))
    )


def matching(use: Use, contract: dict[str, set[str]]) -> list[str]:
    """The contract's paths ``use`` stands for (its method among theirs, when known)."""
    mine = use.path.rstrip("/").split("/") if use.prefix else use.path.split("/")
    found = []
    for path, methods in contract.items():
        theirs = path.split("/")
        if use.prefix:
            if len(theirs) < len(mine):
                continue
            # The last segment of a prefix may be cut short: "/v1/registry" or "/v1/reg".
            head, last = mine[:-1], mine[-1]
            if not all(_segments_match(a, b) for a, b in zip(head, theirs, strict=False)):
                continue
            if not theirs[len(mine) - 1].startswith(last) and not _segments_match(
                last, theirs[len(mine) - 1]
            ):
                continue
        elif len(theirs) != len(mine) or not all(
            _segments_match(a, b) for a, b in zip(mine, theirs, strict=True)
        ):
            continue
        if use.method is None or use.prefix or use.method in methods:
            found.append(path)
    return found


# -- the console's Python -------------------------------------------------------------------------
def _clean(text: str) -> str | None:
    """The ``/v1`` path of a rendered string (a base URL before it dropped, the query and
    fragment cut), or None when it names none."""
    at = text.find("/v1/")
    if at < 0 or (at > 0 and text[:at] != X):
        return None
    path = re.split(r"[?#]", text[at:], maxsplit=1)[0]
    return path if path not in ("/v1/", "/v1") else None


class _Scope:
    """What the names of one function (or of the module) were assigned."""

    def __init__(self, body: Iterable[ast.AST], outer: _Scope | None = None) -> None:
        self.outer = outer
        self.assigned: dict[str, list[ast.expr]] = {}
        for node in body:
            for sub in _walk_no_functions(node):
                if isinstance(sub, ast.Assign):
                    for target in sub.targets:
                        if isinstance(target, ast.Name):
                            self.assigned.setdefault(target.id, []).append(sub.value)
                elif (
                    isinstance(sub, ast.AnnAssign)
                    and isinstance(sub.target, ast.Name)
                    and sub.value is not None
                ) or isinstance(sub, ast.NamedExpr):
                    self.assigned.setdefault(sub.target.id, []).append(sub.value)

    def values(self, name: str) -> list[ast.expr]:
        if name in self.assigned:
            return self.assigned[name]
        return self.outer.values(name) if self.outer else []


def _walk_no_functions(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk`` that does not enter nested functions, lambdas or classes."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        yield from _walk_no_functions(child)


def _render(node: ast.AST, scope: _Scope, seen: frozenset[str] = frozenset()) -> list[str]:
    """The strings an expression may be, placeholders as ``{x}`` (at most 32)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        parts: list[list[str]] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append([value.value])
            elif isinstance(value, ast.FormattedValue):
                parts.append(_render_name(value.value, scope, seen) or [X])
        return ["".join(p) for p in itertools.islice(itertools.product(*parts), 32)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _render(node.left, scope, seen) or [X]
        right = _render(node.right, scope, seen) or [X]
        return [a + b for a, b in itertools.islice(itertools.product(left, right), 32)]
    if isinstance(node, ast.Name):
        return _render_name(node, scope, seen)
    return []


def _render_name(node: ast.AST, scope: _Scope, seen: frozenset[str]) -> list[str]:
    """A name assigned a ``/v1`` path: what it may be; anything else: nothing (a placeholder)."""
    if not isinstance(node, ast.Name) or node.id in seen:
        return []
    out = []
    for value in scope.values(node.id):
        out += [r for r in _render(value, scope, seen | {node.id}) if _clean(r)]
    return out


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def _is_prefix(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether ``node`` is given to ``startswith`` (alone or in a tuple)."""
    parent = parents.get(node)
    if isinstance(parent, ast.Tuple):
        node, parent = parent, parents.get(parent)
    return (
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Attribute)
        and parent.func.attr == "startswith"
        and node in parent.args
    )


def _call_method(call: ast.Call) -> tuple[str | None, ast.expr | None]:
    """The method and the path argument of an HTTP call, when the call says them."""
    if not isinstance(call.func, ast.Attribute) or not call.args:
        return None, None
    attr, first = call.func.attr, call.args[0]
    if attr in CALL_METHODS:
        return CALL_METHODS[attr], first
    if attr in METHOD_FIRST:
        if isinstance(first, ast.Constant) and str(first.value).upper() in METHODS:
            return str(first.value).upper(), call.args[1] if len(call.args) > 1 else None
        if attr == "stream" and not (isinstance(first, ast.Constant) and len(call.args) > 1):
            return "GET", first
        return None, call.args[1] if len(call.args) > 1 else None
    return None, None


def uses_in_python(source: str, where: str) -> list[Use]:
    """Every ``/v1`` path a Python module names (see the module's docstring)."""
    tree = ast.parse(source)
    parents = _parents(tree)
    module = _Scope(tree.body)
    scopes: dict[ast.AST, _Scope] = {}

    def scope_of(node: ast.AST) -> _Scope:
        chain = []
        current: ast.AST | None = node
        while current is not None:
            if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                chain.append(current)
            current = parents.get(current)
        scope = module
        for function in reversed(chain):
            if function not in scopes:
                body = function.body if isinstance(function.body, list) else [function.body]
                scopes[function] = _Scope(body, scope)
            scope = scopes[function]
        return scope

    uses: list[Use] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Call):
            method, argument = _call_method(node)
            if argument is not None:
                for text in _render(argument, scope_of(node)):
                    path = _clean(text)
                    if path:
                        uses.append(Use(path, f"{where}:{line}", method))
            continue
        if not isinstance(node, ast.Constant | ast.JoinedStr | ast.BinOp):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.JoinedStr | ast.FormattedValue) or (
            isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add)
        ):
            continue  # part of a larger string, rendered with it
        if isinstance(parent, ast.Expr):
            continue  # a docstring
        prefix = _is_prefix(node, parents)
        for text in _render(node, scope_of(node)):
            path = _clean(text)
            if path:
                uses.append(Use(path, f"{where}:{line}", None, prefix or path.endswith("/")))
    return uses


def uses_in_text(text: str, where: str) -> list[Use]:
    """Every ``/v1`` path a template or a script names."""
    text = re.sub(r"\{\{.*?\}\}|\$\{[^}]*\}", X, text, flags=re.S)
    uses = []
    for found in _TEXT_PATH.finditer(text):
        path = re.split(r"[?#]|\{%", found.group(0), maxsplit=1)[0].rstrip(".,;:")
        if path not in ("/v1/", "/v1"):
            line = text.count("\n", 0, found.start()) + 1
            uses.append(Use(path, f"{where}:{line}", None, path.endswith("/")))
    return uses


def console_uses(root: Path = WEB) -> list[Use]:
    """Every ``/v1`` path of the console's code, templates and scripts."""
    uses: list[Use] = []
    for file in sorted(root.rglob("*")):
        if not file.is_file() or "vendor" in file.parts or "migrations" in file.parts:
            continue
        where = str(file.relative_to(ROOT) if file.is_relative_to(ROOT) else file)
        if file.suffix == ".py":
            uses += uses_in_python(file.read_text(), where)
        elif file.suffix in (".html", ".js"):
            uses += uses_in_text(file.read_text(), where)
    return uses


def unknown(uses: Iterable[Use], contract: dict[str, set[str]]) -> list[Use]:
    """The uses that match no operation of the contract."""
    return [use for use in uses if not matching(use, contract)]


def explain(bad: list[Use], contract: dict[str, set[str]]) -> str:
    lines = [
        f"{len(bad)} /v1 path(s) of the console are not operations of docs/api/openapi.json "
        "(the console calls the public contract only; a path the API lacks needs an API "
        "change and `make contract` first):"
    ]
    for use in bad:
        same_path = [p for p in contract if matching(Use(use.path, use.where), {p: contract[p]})]
        hint = (
            f" — the contract has {', '.join(sorted(contract[same_path[0]]))} for it"
            if same_path and use.method
            else ""
        )
        lines.append(f"  {use}{hint}")
    return "\n".join(lines)


# -- the tests -----------------------------------------------------------------------------------
def test_every_api_path_the_console_names_is_an_operation_of_the_contract() -> None:
    contract = operations()
    uses = console_uses()
    # The scan sees the frame's own calls: sign-in, refresh, revocation, who signed in.
    seen = {(u.method, u.path) for u in uses}
    assert ("POST", "/v1/auth/token") in seen, sorted(seen, key=str)
    assert ("POST", "/v1/auth/revoke") in seen
    assert ("GET", "/v1/auth/userinfo") in seen
    assert (None, "/v1/auth/authorize") in seen  # after the public base: the browser's redirect
    bad = unknown(uses, contract)
    assert not bad, explain(bad, contract)


def test_the_scan_catches_what_the_contract_lacks_and_follows_names(tmp_path: Path) -> None:
    """The scanner itself: a call outside the contract, a wrong method, names followed."""
    contract = {
        "/v1/diagnostics/{diagnostic_id}": {"GET", "PATCH"},
        "/v1/diagnostics/{diagnostic_id}/scores": {"GET"},
        "/v1/diagnostics/{diagnostic_id}/report.pdf": {"GET"},
        "/v1/referentials/{code}/versions/{version}": {"GET"},
        "/v1/registry/recognitions": {"GET"},
    }
    source = '''
"""A docstring naming /v1/nothing is not a call."""
async def screen(api, diagnostic_id, fmt):
    url = f"/v1/diagnostics/{diagnostic_id}"
    await api.get(url)
    await api.get(f"{url}/scores")
    await api.post(f"{url}/scores", {})
    await api.get(f"{url}/report.{fmt}")
    await api.get("/v1/referentials/CAP/versions/1?x=1")
    await api.call("PATCH", url, json={})
    await api.get("/v1/diagnostics/" + diagnostic_id + "/made-up")
    await api.request("DELETE", f"{url}")
    if url.startswith(("/v1/registry", "/v1/nowhere")):
        pass
'''
    uses = uses_in_python(source, "x.py")
    bad = {(u.method, u.path, u.prefix) for u in unknown(uses, contract)}
    assert bad == {
        ("POST", "/v1/diagnostics/{x}/scores", False),
        ("GET", "/v1/diagnostics/{x}/made-up", False),
        (None, "/v1/diagnostics/{x}/made-up", False),
        ("DELETE", "/v1/diagnostics/{x}", False),
        (None, "/v1/nowhere", True),
    }
    found = {(u.method, u.path) for u in uses}
    assert ("GET", "/v1/diagnostics/{x}/report.{x}") in found
    assert ("GET", "/v1/referentials/CAP/versions/1") in found
    assert ("PATCH", "/v1/diagnostics/{x}") in found
    assert not any("nothing" in u.path for u in uses)
    # templates and scripts: links and htmx attributes
    template = '<a href="/v1/registry/recognitions/{{ r.number }}/certificate.pdf">PDF</a>'
    page = uses_in_text(template + '\n<div hx-get="/v1/registry/recognitions?q={{ q }}">', "t")
    assert [u.path for u in page] == [
        "/v1/registry/recognitions/{x}/certificate.pdf",
        "/v1/registry/recognitions",
    ]
    assert [u.path for u in unknown(page, contract)] == [
        "/v1/registry/recognitions/{x}/certificate.pdf"
    ]
    message = explain(unknown(uses, contract), contract)
    assert "POST /v1/diagnostics/{x}/scores  (x.py:7) — the contract has GET for it" in message
