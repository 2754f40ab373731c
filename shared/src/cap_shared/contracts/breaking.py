"""Breaking changes between two OpenAPI 3.1 documents: what a client built on the released
contract would trip over in the current one.

Breaking (each a :class:`Change`):

* ``removed-operation``: a path + method of the released contract is gone;
* ``removed-response``: a success status (2xx) it answered is gone, or its JSON body;
* ``removed-response-field``: a property of a success body is gone, or no longer always there
  (it was required);
* ``new-required-input``: a parameter or a body property is required that was not (or did
  not exist), or a body is required where none was;
* ``removed-request-field``: a body property is gone from a schema that refuses unknown ones;
* ``narrowed-enum``: a request value (parameter or body property) accepts fewer enum values;
* ``changed-type``: a request value accepts fewer JSON types, or a response value may be of a
  type it could not be before (``null`` included).

Not breaking: new operations, new optional inputs, new response fields, widened request types
or enums, new error statuses, documentation. A response enum gaining a value is not counted
either: clients are expected to tolerate unknown values (docs/api/README.md).

The rule (docs/api/README.md): the build fails on a breaking change unless ``info.version``'s
major is higher than the released contract's. Usage (from the repository root)::

    uv run python -m cap_shared.contracts.breaking            # list breaking changes, exit 1 if
                                                              # any is not allowed by the version
    uv run python -m cap_shared.contracts.breaking --release  # snapshot the current contract as
                                                              # the released one
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
CURRENT = Path("docs/api/openapi.json")
RELEASED = Path("docs/api/released")
_SNAPSHOT = re.compile(r"^openapi-(\d+)\.(\d+)\.(\d+)\.json$")
_JSON = re.compile(r"^application/(.+\+)?json$")

Schema = Mapping[str, Any]


@dataclass(frozen=True, order=True)
class Change:
    """One breaking change: its kind, where (operation and JSON location) and what."""

    kind: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}: {self.detail}"


def version(text: str) -> tuple[int, int, int]:
    """``major.minor.patch`` as numbers (a pre-release or build suffix is ignored)."""
    match = re.match(r"^(\d+)\.(\d+)\.(\d+)", text)
    if not match:
        msg = f"not a semantic version: {text!r}"
        raise ValueError(msg)
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def allowed(released: str, current: str) -> bool:
    """Whether ``current`` may break clients of ``released``: its major is higher."""
    return version(current)[0] > version(released)[0]


class _Document:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def resolve(self, node: Any) -> tuple[Any, str | None]:
        """The node with its ``$ref`` followed (local references), and the reference."""
        ref = node.get("$ref") if isinstance(node, Mapping) else None
        seen = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            target = node["$ref"]
            if target in seen or not target.startswith("#/"):
                break
            seen.add(target)
            found: Any = self.document
            for part in target[2:].split("/"):
                found = found.get(part.replace("~1", "/").replace("~0", "~"), {})
            node = found
        return node, ref


def _operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if isinstance(item.get(method), Mapping):
                yield path, method, item[method]


def _alternatives(schema: Any, doc: _Document) -> list[Mapping[str, Any]]:
    """The schemas a value may match (``anyOf``/``oneOf`` flattened, ``$ref`` followed)."""
    schema, _ = doc.resolve(schema)
    if not isinstance(schema, Mapping):
        return []
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [alt for sub in schema[key] for alt in _alternatives(sub, doc)]
    return [schema]


def _types(schema: Any, doc: _Document) -> set[str] | None:
    """The JSON types a value may have; None when anything goes."""
    types: set[str] = set()
    for alt in _alternatives(schema, doc):
        if "const" in alt or "enum" in alt:
            values = [alt["const"]] if "const" in alt else list(alt["enum"])
            types |= {_json_type(value) for value in values}
        elif "type" in alt:
            kind = alt["type"]
            types |= set(kind) if isinstance(kind, list) else {kind}
        elif "properties" in alt or "allOf" in alt:
            types.add("object")
        else:
            return None
    if "number" in types:
        types.add("integer")  # a number accepts integers
    return types or None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _enum(schema: Any, doc: _Document) -> set[str] | None:
    """The values a value may take when every alternative lists them (``null`` aside)."""
    values: set[str] = set()
    for alt in _alternatives(schema, doc):
        if "const" in alt:
            values.add(json.dumps(alt["const"]))
        elif "enum" in alt:
            values |= {json.dumps(value) for value in alt["enum"]}
        elif alt.get("type") != "null":
            return None
    return values or None


def _object(schema: Any, doc: _Document) -> tuple[dict[str, Any], set[str], bool] | None:
    """Properties, required names and whether unknown properties are refused, merged over
    ``allOf`` and the object alternatives; None if no alternative is an object."""
    properties: dict[str, Any] = {}
    required: set[str] = set()
    closed = False
    found = False
    for alt in _alternatives(schema, doc):
        parts = [doc.resolve(part)[0] for part in alt.get("allOf", [])] + [alt]
        for part in parts:
            if not isinstance(part, Mapping) or not (
                "properties" in part or part.get("type") == "object"
            ):
                continue
            found = True
            properties.update(part.get("properties", {}))
            required |= set(part.get("required", []))
            closed = closed or part.get("additionalProperties") is False
    return (properties, required, closed) if found else None


def _items(schema: Any, doc: _Document) -> Any | None:
    for alt in _alternatives(schema, doc):
        if "items" in alt:
            return alt["items"]
    return None


class _Comparison:
    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        self.old = _Document(old)
        self.new = _Document(new)
        self.changes: list[Change] = []
        self._seen: set[tuple[str | None, str | None, str]] = set()

    def add(self, kind: str, where: str, detail: str) -> None:
        self.changes.append(Change(kind, where, detail))

    def value(
        self, old: Any, new: Any, where: str, *, request: bool, parameter: bool = False
    ) -> None:
        """Compare what a value may be (a request's: what it accepts; a response's: what a
        client may receive). A parameter is never JSON ``null`` (absent is how it is left out):
        its schema gaining or losing ``null`` changes nothing."""
        old_resolved, old_ref = self.old.resolve(old)
        new_resolved, new_ref = self.new.resolve(new)
        if old_ref or new_ref:  # recursive schemas: compare a pair of references once
            key = (old_ref, new_ref, "request" if request else "response")
            if key in self._seen:
                return
            self._seen.add(key)
        old_types, new_types = _types(old_resolved, self.old), _types(new_resolved, self.new)
        if parameter:
            old_types = old_types - {"null"} if old_types is not None else None
            new_types = new_types - {"null"} if new_types is not None else None
        if request and old_types is not None:
            lost = old_types - new_types if new_types is not None else set()
            if lost:
                self.add("changed-type", where, f"no longer accepts {', '.join(sorted(lost))}")
        if not request and new_types is not None:
            gained = new_types - old_types if old_types is not None else new_types
            if gained and old_types is not None:
                self.add("changed-type", where, f"may now be {', '.join(sorted(gained))}")
        if request:
            old_enum, new_enum = _enum(old_resolved, self.old), _enum(new_resolved, self.new)
            if new_enum is not None:
                lost_values = (old_enum - new_enum) if old_enum is not None else {"(any)"}
                if lost_values:
                    self.add(
                        "narrowed-enum",
                        where,
                        f"no longer accepts {', '.join(sorted(lost_values))}",
                    )
        self.object(old_resolved, new_resolved, where, request=request)
        old_items, new_items = _items(old_resolved, self.old), _items(new_resolved, self.new)
        if old_items is not None and new_items is not None:
            self.value(old_items, new_items, f"{where}[]", request=request)

    def object(self, old: Any, new: Any, where: str, *, request: bool) -> None:
        old_object, new_object = _object(old, self.old), _object(new, self.new)
        if old_object is None or new_object is None:
            return
        (old_props, old_required, _), (new_props, new_required, new_closed) = (
            old_object,
            new_object,
        )
        if request:
            for name in sorted(new_required - old_required):
                self.add("new-required-input", f"{where}.{name}", "now required")
            if new_closed:
                for name in sorted(set(old_props) - set(new_props)):
                    self.add("removed-request-field", f"{where}.{name}", "refused now")
        else:
            for name in sorted(old_props):
                if name not in new_props:
                    self.add("removed-response-field", f"{where}.{name}", "gone")
                elif name in old_required and name not in new_required:
                    self.add("removed-response-field", f"{where}.{name}", "no longer always sent")
        for name in sorted(set(old_props) & set(new_props)):
            self.value(old_props[name], new_props[name], f"{where}.{name}", request=request)

    def operation(self, label: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        self._seen.clear()  # each operation reports its own breaks, shared schemas included
        self.parameters(label, old, new)
        self.body(label, old, new)
        self.responses(label, old, new)

    def parameters(self, label: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        def by_key(document: _Document, operation: Mapping[str, Any]) -> dict[str, Any]:
            found = {}
            for parameter in operation.get("parameters", []):
                parameter, _ = document.resolve(parameter)
                name = (
                    parameter["name"].lower() if parameter["in"] == "header" else parameter["name"]
                )
                found[f"{parameter['in']} {name}"] = parameter
            return found

        old_params, new_params = by_key(self.old, old), by_key(self.new, new)
        for key, parameter in sorted(new_params.items()):
            before = old_params.get(key)
            where = f"{label} {key}"
            if parameter.get("required") and not (before and before.get("required")):
                self.add("new-required-input", where, "required parameter")
            if before is not None and "schema" in before and "schema" in parameter:
                self.value(
                    before["schema"], parameter["schema"], where, request=True, parameter=True
                )

    def body(self, label: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        old_body, _ = self.old.resolve(old.get("requestBody", {}))
        new_body, _ = self.new.resolve(new.get("requestBody", {}))
        if new_body.get("required") and not old_body.get("required"):
            self.add("new-required-input", f"{label} body", "a body is required")
        for media, content in old_body.get("content", {}).items():
            after = new_body.get("content", {}).get(media)
            if after is None:
                if new_body.get("content"):
                    self.add("new-required-input", f"{label} body", f"{media} no longer accepted")
                continue
            if "schema" in content and "schema" in after:
                self.value(content["schema"], after["schema"], f"{label} body", request=True)

    def responses(self, label: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        new_responses = new.get("responses", {})
        for status, response in sorted(old.get("responses", {}).items()):
            if not status.startswith("2"):
                continue
            after = new_responses.get(status)
            if after is None:
                self.add("removed-response", f"{label} {status}", "status no longer answered")
                continue
            response, _ = self.old.resolve(response)
            after, _ = self.new.resolve(after)
            for media, content in response.get("content", {}).items():
                if not _JSON.match(media):
                    continue
                if media not in after.get("content", {}):
                    self.add("removed-response", f"{label} {status}", f"no {media} body")
                    continue
                later = after["content"][media]
                if "schema" in content and "schema" in later:
                    self.value(
                        content["schema"], later["schema"], f"{label} {status}", request=False
                    )


def breaking_changes(released: Mapping[str, Any], current: Mapping[str, Any]) -> list[Change]:
    """Every breaking change from ``released`` to ``current``, sorted."""
    comparison = _Comparison(released, current)
    current_operations = {(p, m): op for p, m, op in _operations(current)}
    for path, method, operation in _operations(released):
        label = f"{method.upper()} {path}"
        after = current_operations.get((path, method))
        if after is None:
            comparison.add("removed-operation", label, "gone")
        else:
            comparison.operation(label, operation, after)
    return sorted(set(comparison.changes))


def latest_release(directory: Path) -> Path | None:
    """The snapshot with the highest version in ``directory`` (``openapi-X.Y.Z.json``)."""
    snapshots = [
        (tuple(int(part) for part in match.groups()), path)
        for path in directory.glob("openapi-*.json")
        if (match := _SNAPSHOT.match(path.name))
    ]
    return max(snapshots)[1] if snapshots else None


def verdict(released: Mapping[str, Any], current: Mapping[str, Any]) -> tuple[bool, list[Change]]:
    """(whether the build may pass, the breaking changes)."""
    old_version, new_version = released["info"]["version"], current["info"]["version"]
    changes = breaking_changes(released, current)
    if version(new_version) < version(old_version):
        return False, changes
    return not changes or allowed(old_version, new_version), changes


def summary(changes: Iterable[Change]) -> str:
    """The changes, one a line, grouped by kind."""
    return "\n".join(f"  {change}" for change in sorted(changes, key=lambda c: (c.kind, c.where)))


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def main(argv: list[str] | None = None) -> int:
    """Compare the current contract with the released one (or release it); 1 on a breaking change."""
    parser = argparse.ArgumentParser(description="Breaking changes against the released contract")
    parser.add_argument("--current", type=Path, default=CURRENT)
    parser.add_argument("--released", type=Path, default=RELEASED, help="the snapshots' folder")
    parser.add_argument(
        "--release",
        action="store_true",
        help="make the current contract the released one (replaces the older snapshot)",
    )
    args = parser.parse_args(argv)
    current = _load(args.current)
    if args.release:
        target = args.released / f"openapi-{current['info']['version']}.json"
        for old in args.released.glob("openapi-*.json"):
            if old != target:
                old.unlink()
        args.released.mkdir(parents=True, exist_ok=True)
        target.write_text(args.current.read_text(encoding="utf-8"), encoding="utf-8")
        sys.stdout.write(f"released {target}\n")
        return 0
    snapshot = latest_release(args.released)
    if snapshot is None:
        sys.stderr.write(f"no released contract under {args.released} (run with --release)\n")
        return 1
    released = _load(snapshot)
    ok, changes = verdict(released, current)
    old_version, new_version = released["info"]["version"], current["info"]["version"]
    sys.stdout.write(
        f"{len(changes)} breaking change(s) from {old_version} ({snapshot}) to {new_version}\n"
    )
    if changes:
        sys.stdout.write(summary(changes) + "\n")
    if not ok:
        sys.stdout.write(
            f"not allowed: {new_version} keeps the major of {old_version}; bump the major "
            "(API_VERSION in gateway/src/cap_gateway/openapi.py), run make contract, and "
            "release it (docs/api/README.md)\n"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
