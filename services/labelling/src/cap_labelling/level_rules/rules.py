"""The CAP RSE level rule: declarative data per referential version, applied by a pure function.

A rule (``level_rules/*.yaml`` shipped, then stored and imported through the API, see
:mod:`cap_labelling.level_rules.service`) names the referential version it applies to, the
points bands (Initial 1-300, Progression 301-500, Confirmé 501-700, Exemplaire 701-1000), the
minimum score each ISO 26000 core subject must reach for each level, whether an open major
nonconformity blocks the label, the lowest level that is a label (``label_from``: "Initial" is a
band, not a label) and what the referential's **core criteria** demand (``core_criteria``: none
below a minimum maturity, and a core criterion rated low caps the level). The computed level is
the highest whose band minimum the overall score reaches and whose core-subject minimums are all
met, then capped by the core criteria; below ``label_from`` there is no label. The committee may
lower it (with a reason), never raise it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cap_shared import field_errors as field_errors_fr

#: The shipped rule files, beside this module.
RULES_DIR = Path(__file__).parent
#: Referential codes and level names: short, printable (no C0 or C1 control character: YAML
#: would fold a NEL into a space on export), no markup.
_CODE = r"^[A-Z][A-Z0-9_]{0,39}$"
_NAME = r"^[^\x00-\x1f\x7f-\x9f<>]{1,30}$"
#: A framework's subject code, e.g. ISO 26000's "6.2".
_SUBJECT = r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,19}$"


class Level(BaseModel):
    """A level: its band of overall scores and the core subjects' minimums."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=_NAME)
    min_score: int = Field(ge=0, le=1000)
    max_score: int = Field(ge=0, le=1000)
    core_subject_minimum: int = Field(default=0, ge=0, le=1000)
    core_subject_minimums: dict[str, Annotated[int, Field(ge=0, le=1000)]] = Field(
        default_factory=dict, max_length=50
    )

    def minimum_for(self, subject: str) -> int:
        """The minimum score of ``subject`` at this level."""
        return self.core_subject_minimums.get(subject, self.core_subject_minimum)


class ReferentialVersion(BaseModel):
    """The referential version a rule applies to."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=_CODE)
    version: int = Field(ge=1, le=10_000)


class CoreCap(BaseModel):
    """A core criterion rated at ``level`` or below caps the label at ``at_most``."""

    model_config = ConfigDict(extra="forbid")

    level: int = Field(ge=0, le=10)
    at_most: str = Field(pattern=_NAME)


class CoreCriteria(BaseModel):
    """What the referential's core criteria (``criteria[].core`` of the evaluation) demand."""

    model_config = ConfigDict(extra="forbid")

    #: A core criterion rated below this maturity level: no label at all.
    minimum_level: int = Field(default=0, ge=0, le=10)
    caps: list[CoreCap] = Field(default_factory=list, max_length=10)


class RuleProblems(ValueError):
    """Consistency problems of a rule file, each with the path of its field."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))
        self.problems = problems


class LevelRule(BaseModel):
    """One referential version's level rule (levels listed from lowest to highest)."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{0,59}$")
    referential: ReferentialVersion
    framework: str = Field(default="iso26000", pattern=r"^[a-z0-9][a-z0-9_\-]{0,39}$")
    core_subjects: list[Annotated[str, Field(pattern=_SUBJECT)]] = Field(
        min_length=1, max_length=50
    )
    no_open_major_nc: bool = True
    #: The lowest level that is a label (None: every level is one).
    label_from: str | None = Field(default=None, pattern=_NAME)
    core_criteria: CoreCriteria = Field(default_factory=CoreCriteria)
    levels: list[Level] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _consistent(self) -> LevelRule:
        problems: list[tuple[str, str]] = []
        previous = None
        names = [level.name for level in self.levels]
        for i, level in enumerate(self.levels):
            if names.count(level.name) > 1:
                problems.append((f"levels.{i}.name", f"level {level.name} listed twice"))
            if level.min_score > level.max_score:
                problems.append(
                    (f"levels.{i}.min_score", f"level {level.name}: min_score above max_score")
                )
            if previous is not None and level.min_score != previous.max_score + 1:
                problems.append(
                    (
                        f"levels.{i}.min_score",
                        f"level {level.name}: bands must follow each other without gap",
                    )
                )
            unknown = set(level.core_subject_minimums) - set(self.core_subjects)
            if unknown:
                problems.append(
                    (
                        f"levels.{i}.core_subject_minimums",
                        f"level {level.name}: unknown core subjects {sorted(unknown)}",
                    )
                )
            previous = level
        if self.label_from is not None and self.label_from not in names:
            problems.append(("label_from", f"{self.label_from} is not one of the levels {names}"))
        for i, cap in enumerate(self.core_criteria.caps):
            if cap.at_most not in names:
                problems.append(
                    (f"core_criteria.caps.{i}.at_most", f"{cap.at_most} is not one of {names}")
                )
        if problems:
            raise RuleProblems(problems)
        return self

    def rank(self, level: str | None) -> int:
        """0 for no level, then 1 for the lowest level upwards; ValueError if unknown."""
        if level is None:
            return 0
        for i, candidate in enumerate(self.levels, start=1):
            if candidate.name == level:
                return i
        raise ValueError(level)

    @property
    def names(self) -> list[str]:
        """Every level, lowest first (bands, labels or not)."""
        return [level.name for level in self.levels]

    @property
    def labels(self) -> list[str]:
        """The levels that are a label, lowest first."""
        start = self.rank(self.label_from) - 1 if self.label_from else 0
        return self.names[start:]


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """A rule file's validation errors, each naming its field (``levels.1.min_score``)."""
    errors: list[dict[str, str]] = []
    for error in exc.errors():
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, RuleProblems):
            errors += [{"field": path, "message": message} for path, message in cause.problems]
            continue
        path = ".".join(str(part) for part in error["loc"]) or "(file)"
        message_fr = field_errors_fr.message_fr(error)
        errors.append(
            {"field": path, "message": error["msg"]}
            | ({"message_fr": message_fr} if message_fr else {})
        )
    return errors


@dataclass(frozen=True)
class LevelResult:
    """The computed level (None: no label) with the inputs and the reasons it is not higher."""

    level: str | None
    overall_score: int | None
    core_subjects: dict[str, int | None]
    open_major_nc: int
    reasons: list[str] = field(default_factory=list)
    #: The band the scores reach before the label rules (e.g. Initial: a band, not a label).
    band: str | None = None
    core_criteria: dict[str, int | None] = field(default_factory=dict)
    #: The same reasons in French, for the committee's screens.
    reasons_fr: list[str] = field(default_factory=list)
    #: Every threshold of the rule against the evaluation (:func:`explain`).
    explanation: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The result as stored with the file and shown in the API."""
        return {
            "level": self.level,
            "band": self.band,
            "overall_score": self.overall_score,
            "core_subjects": self.core_subjects,
            "core_criteria": self.core_criteria,
            "open_major_nc": self.open_major_nc,
            "reasons": self.reasons,
            "reasons_fr": self.reasons_fr,
            "explanation": self.explanation,
        }


def explain(
    rule: LevelRule,
    overall_score: int | None,
    core_subjects: Mapping[str, int | None],
    open_major_nc: int,
    core_criteria: Mapping[str, int | None],
) -> dict[str, Any]:
    """Every threshold of ``rule`` against an evaluation, each with whether it is met: per level
    its band and each core subject's minimum, then the core criteria's floor and caps, and the
    open majors. What the committee reads to see why the level is what it is."""
    labels = set(rule.labels)
    levels = []
    for level in rule.levels:
        subjects = [
            {
                "code": code,
                "minimum": level.minimum_for(code),
                "score": core_subjects.get(code),
                "met": (score := core_subjects.get(code)) is not None
                and score >= level.minimum_for(code),
            }
            for code in rule.core_subjects
        ]
        score_met = overall_score is not None and overall_score >= level.min_score
        levels.append(
            {
                "name": level.name,
                "label": level.name in labels,
                "min_score": level.min_score,
                "max_score": level.max_score,
                "score_met": score_met,
                "core_subjects": subjects,
                "met": score_met and all(s["met"] for s in subjects),
            }
        )
    floor = rule.core_criteria.minimum_level
    return {
        "rule": rule.rule,
        "framework": rule.framework,
        "label_from": rule.label_from,
        "levels": levels,
        "core_criteria": {
            "minimum_level": floor,
            "below_minimum": sorted(
                code for code, value in core_criteria.items() if value is None or value < floor
            ),
            "caps": [
                {
                    "level": cap.level,
                    "at_most": cap.at_most,
                    "criteria": sorted(
                        code
                        for code, value in core_criteria.items()
                        if value is not None and value <= cap.level
                    ),
                }
                for cap in rule.core_criteria.caps
            ],
        },
        "open_majors": {"blocks": rule.no_open_major_nc, "count": open_major_nc},
    }


def compute(
    rule: LevelRule,
    overall_score: int | None,
    core_subjects: Mapping[str, int | None],
    open_major_nc: int,
    core_criteria: Mapping[str, int | None] | None = None,
) -> LevelResult:
    """Apply ``rule`` to an evaluation's scores (core subject code -> 0-1000, None: not rated)
    and to its applicable core criteria (criterion code -> maturity level, None: not rated)."""
    subjects = {code: core_subjects.get(code) for code in rule.core_subjects}
    core = dict(core_criteria or {})
    explanation = explain(rule, overall_score, subjects, open_major_nc, core)
    reasons: list[str] = []
    reasons_fr: list[str] = []

    def because(english: str, french: str) -> None:
        reasons.append(english)
        reasons_fr.append(french)

    def result(level: str | None, band: str | None = None) -> LevelResult:
        return LevelResult(
            level,
            overall_score,
            subjects,
            open_major_nc,
            reasons,
            band,
            core,
            reasons_fr,
            explanation,
        )

    if rule.no_open_major_nc and open_major_nc > 0:
        because(
            f"{open_major_nc} major nonconformity(ies) still open",
            f"{open_major_nc} non-conformité(s) majeure(s) encore ouverte(s)",
        )
        return result(None)
    if overall_score is None:
        because("no evaluated score", "aucun score évalué")
        return result(None)
    reached: str | None = None
    for level in rule.levels:
        if overall_score < level.min_score:
            because(
                f"{level.name}: overall score {overall_score} below {level.min_score}",
                f"{level.name} : score global {overall_score} inférieur à {level.min_score}",
            )
            break
        short = [
            (code, score, level.minimum_for(code))
            for code, score in subjects.items()
            if score is None or score < level.minimum_for(code)
        ]
        if short:
            because(
                f"{level.name}: core subject "
                + ", ".join(
                    f"{code} at {score if score is not None else 'not rated'} below {minimum}"
                    for code, score, minimum in short
                ),
                f"{level.name} : question centrale "
                + ", ".join(
                    f"{code} à {score if score is not None else 'non notée'} sous {minimum}"
                    for code, score, minimum in short
                ),
            )
            break
        reached = level.name
    band = reached
    floor = rule.core_criteria.minimum_level
    below = sorted(code for code, value in core.items() if value is None or value < floor)
    if below:

        def at(code: str, unrated: str) -> str:
            return str(core[code]) if core[code] is not None else unrated

        because(
            "core criterion "
            + ", ".join(f"{code} at {at(code, 'not rated')}" for code in below)
            + f" below {floor}: no label",
            "critère essentiel "
            + ", ".join(f"{code} à {at(code, 'non noté')}" for code in below)
            + f" sous {floor} : pas de label",
        )
        return result(None, band)
    for cap in sorted(rule.core_criteria.caps, key=lambda c: rule.rank(c.at_most)):
        capped = sorted(
            code for code, value in core.items() if value is not None and value <= cap.level
        )
        if capped and rule.rank(reached) > rule.rank(cap.at_most):
            because(
                "core criterion "
                + ", ".join(f"{code} at {core[code]}" for code in capped)
                + f": the level is capped at {cap.at_most}",
                "critère essentiel "
                + ", ".join(f"{code} à {core[code]}" for code in capped)
                + f" : le niveau est plafonné à {cap.at_most}",
            )
            reached = cap.at_most
    if reached is not None and rule.label_from and rule.rank(reached) < rule.rank(rule.label_from):
        because(
            f"{reached} is not a label: the label starts at {rule.label_from}",
            f"{reached} n'est pas un label : le label commence à {rule.label_from}",
        )
        return result(None, band)
    return result(reached, band)


def lowest(rule: LevelRule, levels: list[str | None]) -> str | None:
    """The lowest of several levels (a group is labelled at its weakest member's level)."""
    return min(levels, key=rule.rank) if levels else None


def shipped() -> list[tuple[str, bytes]]:
    """The rule files shipped with the service (file name, content), seeded into the database."""
    return [(path.name, path.read_bytes()) for path in sorted(RULES_DIR.glob("*.yaml"))]


def parse(content: bytes | str) -> LevelRule:
    """A rule from YAML or JSON text (JSON is YAML); ValidationError or ValueError if invalid."""
    return LevelRule.model_validate(yaml.safe_load(content))
