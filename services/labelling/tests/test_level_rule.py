"""The CAP RSE level rule against hand-computed cases (cap-rse-v1)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cap_labelling import level_rule
from cap_labelling.level_rule import LevelRule

SUBJECTS = ["6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8"]


def rule() -> LevelRule:
    found = level_rule.rule_for("CAP_RSE", 1)
    assert found is not None
    return found


def flat(score: int | None, **overrides: int | None) -> dict[str, int | None]:
    values: dict[str, int | None] = dict.fromkeys(SUBJECTS, score)
    values.update({k[1:].replace("_", "."): v for k, v in overrides.items()})
    return values


@pytest.mark.parametrize(
    ("overall", "subjects", "majors", "expected"),
    [
        # 620 reaches Confirmé's band (501) and every subject 450 its minimums (350; 400 for
        # 6.2 and 6.4); Exemplaire needs 701.
        (620, flat(450), 0, "Confirmé"),
        # Same score, but governance (6.2) at 380 misses Confirmé's 400: Progression.
        (620, flat(450, s6_2=380), 0, "Progression"),
        # 800 and every subject 650: Exemplaire (600 for 6.2 and 6.4, 500 for the others).
        (800, flat(650), 0, "Exemplaire"),
        # 800 but the environment (6.5) at 450 misses Exemplaire's 500: Confirmé.
        (800, flat(650, s6_5=450), 0, "Confirmé"),
        # A core subject at 0 misses even Initial's minimum of 1: no label.
        (800, flat(650, s6_5=0), 0, None),
        # A core subject not rated at all: no label.
        (800, flat(650, s6_7=None), 0, None),
        # Band edges: 300 is Initial, 301 Progression (subjects at 200 meet its minimum).
        (300, flat(200), 0, "Initial"),
        (301, flat(200), 0, "Progression"),
        (301, flat(199), 0, "Initial"),
        # 0 points: Non engagé, no label.
        (0, flat(0), 0, None),
        # One open major nonconformity blocks any label, whatever the scores.
        (800, flat(650), 1, None),
    ],
)
def test_hand_computed_levels(
    overall: int, subjects: dict[str, int | None], majors: int, expected: str | None
) -> None:
    result = level_rule.compute(rule(), overall, subjects, majors)
    assert result.level == expected
    if expected != "Exemplaire":
        assert result.reasons, "a level below the top says why"


def test_reasons_name_the_subject_that_held_the_level_back() -> None:
    result = level_rule.compute(rule(), 620, flat(450, s6_2=380), 0)
    assert result.reasons == ["Confirmé: core subject 6.2 at 380 below 400"]
    blocked = level_rule.compute(rule(), 800, flat(650), 2)
    assert blocked.reasons == ["2 major nonconformity(ies) still open"]


def test_a_group_gets_its_weakest_members_level() -> None:
    assert level_rule.lowest(rule(), ["Confirmé", "Initial", "Exemplaire"]) == "Initial"
    assert level_rule.lowest(rule(), ["Confirmé", None]) is None
    assert rule().rank("Exemplaire") > rule().rank("Confirmé") > rule().rank(None)


def test_a_rule_file_with_a_gap_between_bands_is_refused() -> None:
    data = rule().model_dump()
    data["levels"][1]["min_score"] = 320
    with pytest.raises(ValidationError, match="without gap"):
        LevelRule.model_validate(data)
    data = rule().model_dump()
    data["levels"][2]["core_subject_minimums"] = {"6.9": 100}
    with pytest.raises(ValidationError, match="unknown core subjects"):
        LevelRule.model_validate(data)
