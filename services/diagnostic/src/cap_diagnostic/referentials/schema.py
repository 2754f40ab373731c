"""The referential file format (``cap-referential/1``): what an importable file must hold.

A referential is data, not code. One file per referential version, in French, written in YAML
(or JSON), validated by these models; ``docs/referentials/referential.schema.json`` is their
JSON Schema, generated from them for editors and reviewers (a test fails when it is stale).

Every object that answers or scores carries a stable URN. A criterion keeps its URN from one
version to the next as long as it means the same thing: that is what lets a new version record
what changed and lets running diagnostics be migrated. Another referential's criteria are reused
*by reference* (``extends``): CAP RSE and CAP ISO 9001 do not copy the CAP criteria, they point
at a CAP version, so an answer to a CAP criterion counts for all three.

Cross-object rules (unique URNs and codes, known scales and frameworks, bands covering 0-1000)
are checked by :mod:`cap_diagnostic.referentials.loader`, which names the file, the object and
the field of each error.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from cap_shared.text import printable

FORMAT = "cap-referential/1"

Urn = Annotated[
    str,
    StringConstraints(
        pattern=r"^urn:coorace:[a-z0-9][a-z0-9-]*(:[a-z0-9][a-z0-9.\-]*)*$", max_length=200
    ),
]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$", max_length=40)]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    AfterValidator(printable),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(printable),
]
#: The highest version a file may carry (the API's bound too): far below the database's integer.
MAX_VERSION = 10_000
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9\-]*$", max_length=60)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Status(StrEnum):
    """Whether the content is validated by the federation."""

    DRAFT = "draft"  # proposition à valider avec la fédération
    VALIDATED = "validated"


class CriterionKind(StrEnum):
    """Practice criteria (what is done) or result criteria (what it achieves), as in Engagé RSE."""

    PRACTICE = "practice"
    RESULT = "result"


class Priority(StrEnum):
    """Priority of a progress action."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Level(_Strict):
    """One step of a maturity scale."""

    value: int = Field(ge=0, le=10)
    name: Name
    description: Text


class Scale(_Strict):
    """A maturity scale: levels numbered 0..n without gaps."""

    id: Slug
    name: Name
    levels: list[Level] = Field(min_length=2, max_length=11)


class Band(_Strict):
    """A named band of the 0-1000 score (bands cover 0-1000 without gap or overlap)."""

    name: Name
    min: int = Field(ge=0, le=1000)
    max: int = Field(ge=0, le=1000)


class FrameworkItem(_Strict):
    """An entry of an external framework (an ISO 26000 issue, an ISO 9001 clause, an IAE axis)."""

    ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]*$", max_length=40)]
    name: Name
    #: The enclosing item (an issue's core subject, a sub-clause's clause); None at the top.
    parent: str | None = None


class Framework(_Strict):
    """An external reference the criteria are mapped to. Its version is data, not code."""

    id: Slug
    name: Name
    version: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    #: Scores are also given per top-level item of this framework (core subject, clause group).
    score_by_top_level: bool = False
    items: list[FrameworkItem] = Field(min_length=1)


class Mapping(_Strict):
    """A criterion's link to an item of a declared framework."""

    framework: Slug
    ref: str


class Indicator(_Strict):
    """A measure that helps rate a criterion."""

    code: Code
    name: Name
    unit: Annotated[str, StringConstraints(max_length=40)] = ""
    definition: Text | None = None
    target: Annotated[str, StringConstraints(max_length=200)] | None = None


class ActionTemplate(_Strict):
    """A ready-made progress action proposed when the criterion is a gap."""

    code: Code
    title: Name
    description: Text
    priority: Priority = Priority.MEDIUM
    #: Typical time to carry it out, to propose a due date.
    duration_days: int = Field(default=90, ge=1, le=1095)


class Criterion(_Strict):
    """What is rated in a diagnostic."""

    urn: Urn
    code: Code
    name: Name
    guidance: Text
    evidence_examples: list[Text] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    action_templates: list[ActionTemplate] = Field(default_factory=list)
    weight: float = Field(default=1.0, gt=0, le=100)
    kind: CriterionKind = CriterionKind.PRACTICE
    #: A core criterion: label rules may require it to be above level 0.
    core: bool = False
    #: Scale id; the referential's default scale when absent.
    scale: Slug | None = None
    mappings: list[Mapping] = Field(default_factory=list)


class Theme(_Strict):
    """A group of criteria scored together."""

    urn: Urn
    code: Code
    name: Name
    description: Text
    criteria: list[Criterion] = Field(min_length=1)


class Extends(_Strict):
    """Reuse of another referential's themes and criteria, by reference to one of its versions."""

    urn: Urn
    version: int = Field(ge=1, le=MAX_VERSION)


class ReferentialFile(_Strict):
    """One version of a referential, as imported and exported."""

    format: Literal["cap-referential/1"]
    urn: Urn
    code: Code
    version: int = Field(ge=1, le=MAX_VERSION)
    name: Name
    description: Text
    language: Literal["fr"] = "fr"
    status: Status = Status.DRAFT
    #: Why the content is still a draft, or who validated it.
    status_note: Text | None = None
    published_on: date
    extends: list[Extends] = Field(default_factory=list, max_length=5)
    default_scale: Slug
    scales: list[Scale] = Field(default_factory=list)
    bands: list[Band] = Field(min_length=1)
    frameworks: list[Framework] = Field(default_factory=list)
    themes: list[Theme] = Field(default_factory=list)
    #: What changed since the previous version, in words (the import also computes it).
    changelog: Text | None = None


def json_schema_text() -> str:
    """The JSON Schema of the file format, as published in ``docs/referentials/``."""
    import json

    return json.dumps(ReferentialFile.model_json_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":  # python -m cap_diagnostic.referentials.schema <path>
    import sys
    from pathlib import Path

    Path(sys.argv[1]).parent.mkdir(parents=True, exist_ok=True)
    Path(sys.argv[1]).write_text(json_schema_text(), encoding="utf-8")
