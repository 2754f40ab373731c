"""Read, check and resolve referential files; compute what changed between two versions.

Errors name the file, the object (its URN, or its path when it has none) and the field, so the
author of a 300-criterion file knows where to look. Nothing here touches the database: the
service hands in the versions a file extends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from cap_diagnostic.referentials.model import (
    ResolvedCriterion,
    ResolvedReferential,
    ResolvedTheme,
)
from cap_diagnostic.referentials.schema import FORMAT, Framework, ReferentialFile, Scale
from cap_shared.field_errors import message_fr
from cap_shared.problems import ProblemError

MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class FileError:
    """One problem of a referential file."""

    file: str
    object: str
    field: str
    message: str
    #: The message in French, when it has a French wording (the answer's language picks).
    message_fr: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The error as the API names it (file, object, field, message)."""
        out = {
            "file": self.file,
            "object": self.object,
            "field": self.field,
            "message": self.message,
        }
        if self.message_fr:
            out["message_fr"] = self.message_fr
        return out


class ReferentialInvalid(ProblemError):
    """The file is not a valid referential; ``errors`` names file, object and field of each."""

    status, code, title = 422, "referential-invalid", "Invalid referential file"
    title_fr = "Fichier de référentiel invalide"

    def __init__(self, errors: Sequence[FileError]) -> None:
        first = errors[0]
        where = f"{first.file}: {first.object}" + (f", field {first.field}" if first.field else "")
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        where_fr = f"{first.file} : {first.object}" + (
            f", champ {first.field}" if first.field else ""
        )
        more_fr = f" (et {len(errors) - 1} autre(s))" if len(errors) > 1 else ""
        super().__init__(
            f"{where}: {first.message}{more}",
            # Without a French wording of the first error, a French answer has its title only.
            detail_fr=f"{where_fr} : {first.message_fr}{more_fr}" if first.message_fr else None,
            extensions={"errors": [e.as_dict() for e in errors[:200]]},
        )
        self.errors = list(errors)


def too_large(filename: str) -> FileError:
    """The error of a file over :data:`MAX_FILE_BYTES`."""
    return FileError(
        filename,
        "(file)",
        "",
        f"larger than {MAX_FILE_BYTES} bytes",
        f"plus de {MAX_FILE_BYTES} octets",
    )


# parsing ---------------------------------------------------------------------------------
def parse(content: bytes, filename: str) -> ReferentialFile:
    """The validated file, or :class:`ReferentialInvalid` naming where it is wrong."""
    if len(content) > MAX_FILE_BYTES:
        raise ReferentialInvalid([too_large(filename)])
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReferentialInvalid(
            [
                FileError(
                    filename,
                    "(file)",
                    "",
                    f"not UTF-8 text (byte {exc.start})",
                    f"texte non UTF-8 (octet {exc.start})",
                )
            ]
        ) from exc
    try:
        raw = json.loads(text) if filename.endswith(".json") else yaml.safe_load(text)
    except RecursionError as exc:
        raise ReferentialInvalid(
            [FileError(filename, "(file)", "", "nested too deeply", "trop profondément imbriqué")]
        ) from exc
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ReferentialInvalid(
            [
                FileError(
                    filename,
                    "(file)",
                    "",
                    f"not valid YAML/JSON: {_short(exc)}",
                    f"YAML/JSON invalide : {_short(exc)}",
                )
            ]
        ) from exc
    if not isinstance(raw, dict):
        raise ReferentialInvalid(
            [
                FileError(
                    filename,
                    "(file)",
                    "",
                    "the file must hold one mapping (a referential)",
                    "le fichier doit contenir un seul dictionnaire (un référentiel)",
                )
            ]
        )
    if raw.get("format") != FORMAT:
        raise ReferentialInvalid(
            [
                FileError(
                    filename, "(file)", "format", f"must be {FORMAT!r}", f"doit valoir {FORMAT!r}"
                )
            ]
        )
    # PostgreSQL cannot store a NUL, exports (PDF, XLSX) choke on control characters, and YAML
    # folds a NEL into a space (an exported file would not import as the same).
    unprintable = [
        _locate(
            filename,
            raw,
            loc,
            "control characters are not allowed",
            "les caractères de contrôle ne sont pas autorisés",
        )
        for loc in _unprintable(raw)
    ]
    if unprintable:
        raise ReferentialInvalid(unprintable)
    try:
        return ReferentialFile.model_validate(raw)
    except ValidationError as exc:
        raise ReferentialInvalid(
            [
                _locate(filename, raw, err["loc"], err["msg"], message_fr(err))
                for err in exc.errors()
            ]
        ) from exc


def _unprintable(raw: Any) -> list[tuple[int | str, ...]]:
    """Where the document holds a string (value or key) with a control character."""
    found: list[tuple[int | str, ...]] = []
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(raw, ())]
    while stack:
        node, loc = stack.pop()
        if isinstance(node, str) and not _printable(node):
            found.append(loc)
        elif isinstance(node, dict | list):
            for key, value in node.items() if isinstance(node, dict) else enumerate(node):
                if isinstance(key, str) and not _printable(key):
                    found.append((*loc, key))
                stack.append((value, (*loc, key)))
    return sorted(found, key=str)


#: Control characters (C0 but tab and line breaks, DEL, C1).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _printable(text: str) -> bool:
    return _CONTROL.search(text) is None


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def _locate(
    filename: str,
    raw: Any,
    loc: Sequence[int | str],
    message: str,
    message_fr: str | None = None,
) -> FileError:
    """Turn a pydantic location into (object, field): the deepest object with an identity."""
    obj_name = str(raw.get("urn", "(referential)")) if isinstance(raw, dict) else "(referential)"
    field_from = 0
    node: Any = raw
    path: list[str] = []
    for i, part in enumerate(loc):
        path.append(str(part))
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict):
            identity = node.get("urn") or node.get("code") or node.get("id") or node.get("ref")
            if isinstance(identity, str):
                obj_name, field_from = identity, i + 1
            elif isinstance(part, int):
                obj_name, field_from = ".".join(path), i + 1
    field = ".".join(str(p) for p in loc[field_from:])
    return FileError(filename, obj_name, field, message, message_fr)


# resolving ---------------------------------------------------------------------------------
#: (urn, version) -> the stored file of that version, or None.
BaseLookup = Callable[[str, int], "ReferentialFile | None"]


def resolve(
    doc: ReferentialFile, filename: str, bases: Mapping[tuple[str, int], ResolvedReferential]
) -> ResolvedReferential:
    """Check the cross-object rules and build the resolved referential.

    ``bases`` holds the resolved versions ``doc.extends`` names (missing ones are errors).
    """
    errors: list[FileError] = []

    def err(obj: str, field: str, message: str) -> None:
        errors.append(FileError(filename, obj, field, message))

    inherited_frameworks: dict[str, Framework] = {}
    inherited_scales: dict[str, Scale] = {}
    inherited_themes: list[ResolvedTheme] = []
    for i, ext in enumerate(doc.extends):
        base = bases.get((ext.urn, ext.version))
        if ext.urn == doc.urn:
            err(doc.urn, f"extends.{i}", "a referential cannot extend itself")
            continue
        if base is None:
            err(doc.urn, f"extends.{i}", f"{ext.urn} version {ext.version} is not imported")
            continue
        inherited_frameworks.update(base.frameworks)
        inherited_scales.update(base.scales)
        inherited_themes.extend(base.themes)

    scales = dict(inherited_scales)
    for i, scale in enumerate(doc.scales):
        values = [level.value for level in scale.levels]
        if values != list(range(len(values))):
            err(scale.id, "levels", f"levels must be numbered 0..{len(values) - 1} in order")
        if scale.id in scales and scale.id not in inherited_scales:
            err(scale.id, f"scales.{i}.id", "duplicate scale id")
        scales[scale.id] = scale
    if doc.default_scale not in scales:
        err(doc.urn, "default_scale", f"unknown scale {doc.default_scale!r}")

    expected = 0
    for i, band in enumerate(doc.bands):
        if band.min != expected or band.max < band.min:
            err(
                band.name,
                f"bands.{i}",
                f"bands must cover 0-1000 in order; expected min {expected}",
            )
            break
        expected = band.max + 1
    else:
        if expected != 1001:
            err(doc.urn, "bands", "bands must end at 1000")

    frameworks = dict(inherited_frameworks)
    for i, framework in enumerate(doc.frameworks):
        refs = [item.ref for item in framework.items]
        dupes = {r for r in refs if refs.count(r) > 1}
        for ref in sorted(dupes):
            err(framework.id, f"frameworks.{i}.items", f"duplicate item ref {ref!r}")
        for item in framework.items:
            if item.parent is not None and item.parent not in refs:
                err(framework.id, f"items.{item.ref}.parent", f"unknown parent {item.parent!r}")
        if framework.id in frameworks and framework.id not in inherited_frameworks:
            err(framework.id, f"frameworks.{i}.id", "duplicate framework id")
        frameworks[framework.id] = framework

    seen_urns: set[str] = {doc.urn}
    seen_codes: set[str] = set()
    seen_item_codes: set[str] = set()
    for base_theme in inherited_themes:
        seen_urns.add(base_theme.urn)
        seen_codes.add(base_theme.code)
        for base_criterion in base_theme.criteria:
            seen_urns.add(base_criterion.urn)
            seen_codes.add(base_criterion.code)
    default_scale = scales.get(doc.default_scale)
    own_themes: list[ResolvedTheme] = []
    for theme in doc.themes:
        _own(theme.urn, doc.urn, err, seen_urns)
        if theme.code in seen_codes:
            err(theme.urn, "code", f"duplicate code {theme.code!r}")
        seen_codes.add(theme.code)
        criteria: list[ResolvedCriterion] = []
        for c in theme.criteria:
            _own(c.urn, doc.urn, err, seen_urns)
            if c.code in seen_codes:
                err(c.urn, "code", f"duplicate code {c.code!r}")
            seen_codes.add(c.code)
            item_codes = [("indicators", j, i.code) for j, i in enumerate(c.indicators)]
            item_codes += [
                ("action_templates", j, a.code) for j, a in enumerate(c.action_templates)
            ]
            for kind, j, code in item_codes:
                if code in seen_item_codes:
                    err(c.urn, f"{kind}.{j}.code", f"duplicate code {code!r}")
                seen_item_codes.add(code)
            criterion_scale = scales.get(c.scale) if c.scale else default_scale
            if c.scale and c.scale not in scales:
                err(c.urn, "scale", f"unknown scale {c.scale!r}")
            for j, m in enumerate(c.mappings):
                target = frameworks.get(m.framework)
                if target is None:
                    err(c.urn, f"mappings.{j}.framework", f"unknown framework {m.framework!r}")
                elif m.ref not in {entry.ref for entry in target.items}:
                    err(c.urn, f"mappings.{j}.ref", f"{m.ref!r} is not an item of {m.framework}")
            if criterion_scale is None:
                continue
            criteria.append(
                ResolvedCriterion(
                    urn=c.urn,
                    code=c.code,
                    name=c.name,
                    guidance=c.guidance,
                    theme_urn=theme.urn,
                    theme_code=theme.code,
                    theme_name=theme.name,
                    weight=c.weight,
                    kind=c.kind,
                    core=c.core,
                    scale=criterion_scale,
                    mappings=tuple(c.mappings),
                    indicators=tuple(c.indicators),
                    action_templates=tuple(c.action_templates),
                    evidence_examples=tuple(c.evidence_examples),
                    origin=(doc.urn, doc.version),
                )
            )
        own_themes.append(
            ResolvedTheme(
                urn=theme.urn,
                code=theme.code,
                name=theme.name,
                description=theme.description,
                criteria=tuple(criteria),
            )
        )
    if not inherited_themes and not doc.themes:
        err(doc.urn, "themes", "a referential needs at least one theme (its own or extended)")
    if errors:
        raise ReferentialInvalid(errors)
    return ResolvedReferential(
        document=doc,
        themes=(*inherited_themes, *own_themes),
        frameworks=frameworks,
        scales=scales,
    )


def _own(urn: str, root: str, err: Callable[[str, str, str], None], seen: set[str]) -> None:
    if not urn.startswith(root + ":"):
        err(urn, "urn", f"must start with the referential's urn {root}:")
    if urn in seen:
        err(urn, "urn", "duplicate urn")
    seen.add(urn)


# changes -----------------------------------------------------------------------------------
_COMPARED = ("code", "name", "guidance", "weight", "kind", "core", "theme_urn", "mappings")


def changes(old: ResolvedReferential, new: ResolvedReferential) -> dict[str, Any]:
    """What a new version changes for diagnostics: criteria added, removed, changed, rescaled."""
    added = [c for urn, c in new.criteria.items() if urn not in old.criteria]
    removed = [c for urn, c in old.criteria.items() if urn not in new.criteria]
    changed: list[dict[str, Any]] = []
    for urn, before in old.criteria.items():
        after = new.criteria.get(urn)
        if after is None:
            continue
        fields = [f for f in _COMPARED if getattr(before, f) != getattr(after, f)]
        scale_changed = [lvl.value for lvl in before.scale.levels] != [
            lvl.value for lvl in after.scale.levels
        ]
        if fields or scale_changed:
            changed.append(
                {
                    "urn": urn,
                    "code": after.code,
                    "fields": fields + (["scale"] if scale_changed else []),
                    "scale_changed": scale_changed,
                    "old_max_level": before.max_level,
                    "new_max_level": after.max_level,
                }
            )
    return {
        "from_version": old.version,
        "to_version": new.version,
        "added": [{"urn": c.urn, "code": c.code} for c in added],
        "removed": [{"urn": c.urn, "code": c.code} for c in removed],
        "changed": changed,
        "bands_changed": [b.model_dump() for b in old.bands] != [b.model_dump() for b in new.bands],
    }


def dump(doc: ReferentialFile, *, as_json: bool = False) -> str:
    """The file text of a stored version: what was imported, in canonical form."""
    data = doc.model_dump(mode="json", exclude_none=True)
    if as_json:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def extended(doc: ReferentialFile) -> Iterable[tuple[str, int]]:
    """The (urn, version) pairs a file reuses."""
    return ((e.urn, e.version) for e in doc.extends)
