"""Which functions can build which problem: a static call graph of the app's packages.

From each route's endpoint and dependencies, through every function of the packages it can
reach, to each place a problem class is built (``raise NotFound(...)``, ``return cls(...)``) or
a ``problem_response(code=..., status=...)`` is answered. Where the receiver of a method call is
unknown, every method of that name in the packages is taken: what an operation *may* answer,
never less.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Any

from cap_shared.problem_types.types import (
    BUILTIN_METHODS,
    EXTERNAL,
    FRAMEWORK,
    MEANINGS,
    ProblemType,
    modules_of,
    problem_classes,
)
from cap_shared.problems import (
    HTTP_TITLES_FR,
)

#: A function of the index: (module, qualified name as Python gives it).
Key = tuple[str, str]


@dataclass
class _Function:
    module: str
    qualname: str
    cls: str | None
    node: ast.AST
    #: Local name -> class it holds (parameter annotations, ``x = Cls(...)``).
    types: dict[str, str] = field(default_factory=dict)


@dataclass
class _Module:
    name: str
    #: Local name -> dotted target (``from a.b import c as d``: d -> a.b.c; ``import a.b``).
    imports: dict[str, str] = field(default_factory=dict)
    #: Module-level functions and classes, by name.
    defs: set[str] = field(default_factory=set)
    classes: dict[str, list[ast.expr]] = field(default_factory=dict)


class CallGraph:
    """Functions of some packages, what each calls and which problems each builds."""

    def __init__(
        self, packages: Iterable[str], *, factories: Mapping[str, Factory] | None = None
    ) -> None:
        self.packages = tuple(packages)
        self.factories = dict(factories or {})
        self.modules: dict[str, _Module] = {}
        self.functions: dict[Key, _Function] = {}
        #: Method name -> every function of that name defined in a class.
        self.methods: dict[str, list[Key]] = {}
        #: Class -> attribute -> the class it holds (``x: Repo`` in the class, ``self.x = repo``).
        self.attributes: dict[str, dict[str, str]] = {}
        self._pending: list[tuple[_Module, ast.ClassDef]] = []
        for name in modules_of(self.packages):
            self._index(name)
        for module, node in self._pending:
            owner = self.attributes.setdefault(f"{module.name}.{node.name}", {})
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    kind = self._type_of(module, item.annotation)
                    if kind is not None:
                        owner[item.target.id] = kind
        for function in self.functions.values():
            self._annotate(self.modules[function.module], function)
        for function in self.functions.values():
            self._attributes(self.modules[function.module], function)
        self._problems = {
            f"{c.__module__}.{c.__qualname__}": c for c in problem_classes(self.packages)
        }
        self._edges: dict[Key, tuple[set[Key], set[tuple[str, int]]]] = {}
        #: Types answered by a direct ``problem_response`` with a literal code, anywhere.
        self.direct: dict[str, ProblemType] = {}
        for key in sorted(self.functions):
            self._edges_of(key)

    # indexing
    def _index(self, name: str) -> None:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            return
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        module = _Module(name)
        self.modules[name] = module
        package = name if spec.submodule_search_locations else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    module.imports[local] = alias.name if alias.asname else local
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    parent = ".".join(parts[: len(parts) - node.level + 1])
                    base = f"{parent}.{base}" if base else parent
                for alias in node.names:
                    module.imports[alias.asname or alias.name] = f"{base}.{alias.name}"
        self._scope(module, tree.body, prefix="", cls=None)

    def _scope(
        self, module: _Module, body: list[ast.stmt], *, prefix: str, cls: str | None
    ) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = prefix + node.name
                if not prefix:
                    module.defs.add(node.name)
                function = _Function(module.name, qualname, cls, node)
                self.functions[(module.name, qualname)] = function
                if cls is not None and prefix == cls + ".":
                    self.methods.setdefault(node.name, []).append((module.name, qualname))
                self._scope(module, node.body, prefix=qualname + ".<locals>.", cls=None)
            elif isinstance(node, ast.ClassDef):
                qualname = prefix + node.name
                if not prefix:
                    module.defs.add(node.name)
                    module.classes[node.name] = node.bases
                    self._class_body(module, node)
                self._scope(module, node.body, prefix=qualname + ".", cls=qualname)
            elif isinstance(node, ast.If | ast.Try | ast.With | ast.AsyncWith):
                self._scope(module, node.body, prefix=prefix, cls=cls)

    def _class_body(self, module: _Module, node: ast.ClassDef) -> None:
        self._pending.append((module, node))

    def _type_of(self, module: _Module, annotation: ast.expr) -> str | None:
        """The class an annotation names: an indexed one, :data:`EXTERNAL` for one outside
        the packages (its methods raise no problem of ours), None when it says nothing."""
        names = list(_annotation_names(annotation))
        for name in names:
            target = self._resolve_name(module, name)
            if target is not None and self._is_class(target):
                return target
        if not names or set(names) & {"Any", "object", "typing.Any"}:
            return None
        return EXTERNAL

    def _attributes(self, module: _Module, function: _Function) -> None:
        """``self.x = param`` and ``self.x: T = ...`` in a method: what ``self.x`` holds."""
        if function.cls is None:
            return
        owner = self.attributes.setdefault(f"{function.module}.{function.cls}", {})
        for sub in _own_nodes(function.node):
            target: ast.expr
            if isinstance(sub, ast.AnnAssign):
                target, annotation = sub.target, sub.annotation
                kind = self._type_of(module, annotation)
            elif isinstance(sub, ast.Assign) and len(sub.targets) == 1:
                target = sub.targets[0]
                value = sub.value
                kind = function.types.get(value.id) if isinstance(value, ast.Name) else None
            else:
                continue
            if (
                kind is not None
                and isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                owner.setdefault(target.attr, kind)

    def _annotate(self, module: _Module, function: _Function) -> None:
        """Local names whose class the function says (annotations, ``x = Cls(...)``)."""
        node = function.node
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
        for arg in args:
            if arg.annotation is not None:
                kind = self._type_of(module, arg.annotation)
                if kind is not None:
                    function.types[arg.arg] = kind
        for sub in ast.walk(node):
            if (
                isinstance(sub, ast.Assign)
                and len(sub.targets) == 1
                and isinstance(sub.targets[0], ast.Name)
                and isinstance(sub.value, ast.Call)
            ):
                dotted = _dotted(sub.value.func)
                target = self._resolve_name(module, dotted) if dotted else None
                if target is not None and self._is_class(target):
                    function.types[sub.targets[0].id] = target

    # resolution
    def _is_class(self, target: str) -> bool:
        module, _, name = target.rpartition(".")
        return module in self.modules and name in self.modules[module].classes

    def _resolve_name(self, module: _Module, dotted: str, depth: int = 0) -> str | None:
        """``dotted`` as seen from ``module``: ``pkg.mod.name`` of an indexed definition, or
        ``pkg.mod`` of an indexed module; None when outside the packages."""
        if depth > 8:
            return None
        head, _, rest = dotted.partition(".")
        if head in module.defs:
            target = f"{module.name}.{head}"
        elif head in module.imports:
            target = module.imports[head]
        else:
            return None
        full = f"{target}.{rest}" if rest else target
        return self._canonical(full, depth)

    def _canonical(self, full: str, depth: int = 0) -> str | None:
        """``a.b.c.d`` -> the indexed definition it names (following re-exports)."""
        parts = full.split(".")
        for i in range(len(parts), 0, -1):
            module_name = ".".join(parts[:i])
            if module_name in self.modules:
                rest = parts[i:]
                if not rest:
                    return module_name
                module = self.modules[module_name]
                if rest[0] in module.defs:
                    return ".".join([module_name, *rest])
                if rest[0] in module.imports:
                    return self._resolve_name(module, ".".join(rest), depth + 1)
                return None
        return None

    def _callees(self, target: str) -> set[Key]:
        """The functions a call of ``target`` (a function, or a class: its constructor) runs."""
        module, _, name = target.rpartition(".")
        if (module, name) in self.functions:
            return {(module, name)}
        # A class (``Cls``) or a method of one (``Cls.method``).
        for mod in sorted(self.modules, key=len, reverse=True):  # the innermost module
            if target.startswith(mod + "."):
                qualname = target[len(mod) + 1 :]
                if (mod, qualname) in self.functions:
                    return {(mod, qualname)}
                return {
                    (mod, f"{qualname}.{m}")
                    for m in ("__init__", "__post_init__", "__call__")
                    if (mod, f"{qualname}.{m}") in self.functions
                }
        return set()

    def _edges_of(self, key: Key) -> tuple[set[Key], set[tuple[str, int]]]:
        if key in self._edges:
            return self._edges[key]
        function = self.functions[key]
        module = self.modules[function.module]
        calls: set[Key] = set()
        problems: set[tuple[str, int]] = set()
        self._edges[key] = (calls, problems)
        for node in _own_nodes(function.node):
            if isinstance(node, ast.Call):
                factory = self._factory(module, node)
                if factory is not None:
                    found = self.factories[factory](node)
                    if found is not None:
                        problems.add(found)
            target: str | None = None
            if isinstance(node, ast.Call | ast.Raise):
                expr = node.func if isinstance(node, ast.Call) else node.exc
                if isinstance(expr, ast.Call):
                    continue  # ``raise X(...)``: the call is visited on its own
                if expr is None:
                    continue
                if isinstance(node, ast.Call) and self._problem_response(module, node, problems):
                    continue
                target = self._target(function, module, expr)
                if target == EXTERNAL:
                    continue
                if target is None and isinstance(expr, ast.Attribute):
                    # A method of an object whose class is not told: any method of that name
                    # in the packages (not a builtin container's or string's method).
                    if expr.attr not in BUILTIN_METHODS:
                        calls.update(self.methods.get(expr.attr, ()))
                    continue
            elif isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
                # A function passed along (a callback, a dependency): it may run.
                dotted = _dotted(node)
                target = self._resolve_name(module, dotted) if dotted else None
                if target is not None and target in self._problems:
                    target = None  # ``except NotFound:`` catches, does not answer
            if target is None:
                continue
            if target in self._problems:
                error = self._problems[target]
                problems.add((error.code, error.status))
            else:
                calls |= self._callees(target)
        return calls, problems

    def _target(self, function: _Function, module: _Module, expr: ast.expr) -> str | None:
        """What a called (or raised) expression names, when it can be told."""
        if isinstance(expr, ast.Name) and expr.id == "cls" and function.cls is not None:
            return f"{function.module}.{function.cls}"
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            receiver = expr.value.id
            if receiver in ("self", "cls") and function.cls is not None:
                return self._method(f"{function.module}.{function.cls}", expr.attr)
            if receiver in function.types:
                kind = function.types[receiver]
                return EXTERNAL if kind == EXTERNAL else self._method(kind, expr.attr)
        if (
            isinstance(expr, ast.Attribute)
            and isinstance(expr.value, ast.Attribute)
            and isinstance(expr.value.value, ast.Name)
            and expr.value.value.id == "self"
            and function.cls is not None
        ):
            held = self._attribute(f"{function.module}.{function.cls}", expr.value.attr)
            if held is not None:
                return EXTERNAL if held == EXTERNAL else self._method(held, expr.attr)
        dotted = _dotted(expr)
        if not dotted:
            return None
        target = self._resolve_name(module, dotted)
        if target is None and self._imported_from_outside(module, dotted):
            return EXTERNAL  # ``sa.select(...)``: SQLAlchemy's, not a method of ours
        return target

    def _imported_from_outside(self, module: _Module, dotted: str) -> bool:
        """Whether ``dotted`` starts with a name imported from outside the packages."""
        head = dotted.partition(".")[0]
        if head in module.defs or head not in module.imports:
            return False
        roots = {name.partition(".")[0] for name in self.modules}
        return module.imports[head].partition(".")[0] not in roots

    def _attribute(self, cls: str, name: str, depth: int = 0) -> str | None:
        """The class ``self.name`` holds in ``cls`` (or one of its bases), if told."""
        kind = self.attributes.get(cls, {}).get(name)
        if kind is not None or depth > 8:
            return kind
        module_name, _, qualname = cls.rpartition(".")
        module = self.modules.get(module_name)
        for base in module.classes.get(qualname, []) if module else []:
            dotted = _dotted(base)
            target = self._resolve_name(module, dotted) if module and dotted else None
            if target is not None:
                found = self._attribute(target, name, depth + 1)
                if found is not None:
                    return found
        return None

    def _method(self, cls: str, name: str, depth: int = 0) -> str | None:
        """``cls.name`` where it is defined (the class or one of its bases in the packages)."""
        module_name, _, qualname = cls.rpartition(".")
        if (module_name, f"{qualname}.{name}") in self.functions:
            return f"{cls}.{name}"
        module = self.modules.get(module_name)
        if module is None or depth > 8:
            return None
        for base in module.classes.get(qualname, []):
            dotted = _dotted(base)
            target = self._resolve_name(module, dotted) if dotted else None
            if target is not None:
                found = self._method(target, name, depth + 1)
                if found is not None:
                    return found
        return None

    def _factory(self, module: _Module, node: ast.Call) -> str | None:
        dotted = _dotted(node.func)
        if not dotted or not self.factories:
            return None
        target = self._resolve_name(module, dotted)
        return target if target in self.factories else None

    def _problem_response(
        self, module: _Module, node: ast.Call, problems: set[tuple[str, int]]
    ) -> bool:
        dotted = _dotted(node.func)
        if (
            not dotted
            or self._resolve_name(module, dotted) != "cap_shared.problems.problem_response"
        ):
            return False
        values = {
            k.arg: k.value.value
            for k in node.keywords
            if k.arg is not None and isinstance(k.value, ast.Constant)
        }
        code, status = values.get("code"), values.get("status")
        if isinstance(code, str) and isinstance(status, int):
            problems.add((code, status))
            phrase = HTTPStatus(status).phrase
            title, title_fr = values.get("title"), values.get("title_fr")
            self.direct.setdefault(
                code,
                ProblemType(
                    code,
                    status,
                    title if isinstance(title, str) else phrase,
                    title_fr if isinstance(title_fr, str) else HTTP_TITLES_FR.get(status, phrase),
                    MEANINGS.get(code, phrase),
                ),
            )
        return True

    # queries
    def key_of(self, call: Callable[..., Any] | object) -> Key | None:
        """The indexed function a callable runs (a function, a method, an instance's
        ``__call__``), or None when it is not in the packages."""
        target: Any = call
        if not (inspect.isfunction(target) or inspect.ismethod(target)):
            target = getattr(type(call), "__call__", None)  # noqa: B004 - the class's method
        target = inspect.unwrap(target) if target is not None else None
        if target is None or not hasattr(target, "__qualname__"):
            return None
        key = (getattr(target, "__module__", ""), target.__qualname__)
        return key if key in self.functions else None

    def problems(self, roots: Iterable[Key]) -> set[tuple[str, int]]:
        """Every (code, status) the functions ``roots`` may answer, through all they call."""
        seen: set[Key] = set()
        todo = [k for k in roots if k in self.functions]
        found: set[tuple[str, int]] = set()
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            calls, problems = self._edges_of(key)
            found |= problems
            todo.extend(c for c in calls if c not in seen)
        return found


#: A call that builds a problem from its arguments (the gateway's ``OAuthError("invalid_grant",
#: ...)``): the (code, status) it answers, or None.
Factory = Callable[[ast.Call], tuple[str, int] | None]


def _annotation_names(node: ast.expr) -> Iterator[str]:
    """Dotted names in an annotation (``Repo``, ``Annotated[Repo, ...]``, ``Repo | None``)."""
    for sub in ast.walk(node):
        dotted = _dotted(sub) if isinstance(sub, ast.Name | ast.Attribute) else None
        if dotted:
            yield dotted
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            with contextlib.suppress(SyntaxError):  # a string that is not an annotation
                yield from _annotation_names(ast.parse(sub.value, mode="eval").body)


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` of a name or attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's body, not those of functions or classes nested in it
    (indexed on their own, reached when referenced)."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            if isinstance(node, ast.Lambda):
                stack.extend(ast.iter_child_nodes(node))
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


@cache
def call_graph(packages: tuple[str, ...]) -> CallGraph:
    """The call graph of ``packages`` (built once per process)."""
    return CallGraph(packages, factories=FACTORIES)


#: Factories registered by packages (see :data:`Factory`), by the dotted name they are called by.
FACTORIES: dict[str, Factory] = {}
#: Problem types a package answers without a class (codes built at run time), by package.
DECLARED: dict[str, tuple[ProblemType, ...]] = {"cap_shared": FRAMEWORK}
