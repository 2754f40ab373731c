"""The differences between two versions of a referential, field by field (pure: no database).

What an administrator reads before publishing a version: the themes and criteria added and
removed, and for each criterion kept (same URN) every field whose value changed, with the value
before and after, the maturity scale included; the score bands before and after. The import's
``changes`` (:func:`cap_diagnostic.referentials.loader.changes`) says what a new version means
for running diagnostics; this says what an editor changed, between any two versions.
"""

from __future__ import annotations

from typing import Any

from cap_diagnostic.referentials.model import ResolvedCriterion, ResolvedReferential

#: The criterion's fields compared, in the order they are listed.
FIELDS = (
    "code",
    "name",
    "guidance",
    "theme",
    "weight",
    "kind",
    "core",
    "scale",
    "mappings",
    "evidence_examples",
    "indicators",
    "action_templates",
)


def _text(criterion: ResolvedCriterion, name: str) -> str:
    """A field's value as one line of text, so two versions compare and show alike."""
    if name == "theme":
        return f"{criterion.theme_code} {criterion.theme_name}"
    if name == "weight":
        return f"{criterion.weight:g}"
    if name == "core":
        return "oui" if criterion.core else "non"
    if name == "kind":
        return criterion.kind.value
    if name == "scale":
        return " ; ".join(f"{lvl.value} {lvl.name}" for lvl in criterion.scale.levels)
    if name == "mappings":
        return ", ".join(f"{m.framework}:{m.ref}" for m in criterion.mappings)
    if name == "evidence_examples":
        return " ; ".join(criterion.evidence_examples)
    if name == "indicators":
        return " ; ".join(f"{i.code} {i.name}" for i in criterion.indicators)
    if name == "action_templates":
        return " ; ".join(a.title for a in criterion.action_templates)
    return str(getattr(criterion, name))


def _item(criterion: ResolvedCriterion) -> dict[str, Any]:
    return {
        "urn": criterion.urn,
        "code": criterion.code,
        "name": criterion.name,
        "theme_code": criterion.theme_code,
    }


def differences(old: ResolvedReferential, new: ResolvedReferential) -> dict[str, Any]:
    """What changed from ``old`` to ``new`` (two versions of one referential), field by field."""
    old_themes = {t.urn: t for t in old.themes}
    new_themes = {t.urn: t for t in new.themes}
    changed: list[dict[str, Any]] = []
    unchanged = 0
    for urn, before in old.criteria.items():
        after = new.criteria.get(urn)
        if after is None:
            continue
        fields = [
            {"field": name, "before": _text(before, name), "after": _text(after, name)}
            for name in FIELDS
            if _text(before, name) != _text(after, name)
        ]
        if not fields:
            unchanged += 1
            continue
        changed.append(
            {
                **_item(after),
                "fields": fields,
                "scale_changed": [lvl.value for lvl in before.scale.levels]
                != [lvl.value for lvl in after.scale.levels],
            }
        )
    bands_before = [b.model_dump() for b in old.bands]
    bands_after = [b.model_dump() for b in new.bands]
    return {
        "code": new.document.code,
        "from_version": old.version,
        "to_version": new.version,
        "themes_added": [
            {"urn": t.urn, "code": t.code, "name": t.name}
            for urn, t in new_themes.items()
            if urn not in old_themes
        ],
        "themes_removed": [
            {"urn": t.urn, "code": t.code, "name": t.name}
            for urn, t in old_themes.items()
            if urn not in new_themes
        ],
        "criteria_added": [_item(c) for urn, c in new.criteria.items() if urn not in old.criteria],
        "criteria_removed": [
            _item(c) for urn, c in old.criteria.items() if urn not in new.criteria
        ],
        "criteria_changed": changed,
        "criteria_unchanged": unchanged,
        "bands_changed": bands_before != bands_after,
        "bands_before": bands_before,
        "bands_after": bands_after,
    }
