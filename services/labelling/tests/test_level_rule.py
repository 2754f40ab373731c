"""The CAP RSE level rule against hand-computed cases (the shipped cap-rse-v1 file), and the
validation of rule files (each error naming its field)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cap_labelling.level_rules import rules as level_rule
from cap_labelling.level_rules.rules import LevelRule

SUBJECTS = ["6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8"]
#: Core criteria of CAP RSE v1 as an audit evaluation carries them (0-4 maturity).
CORE_AT_3 = dict.fromkeys(["R1", "R4", "R7", "R8", "R24", "T1.1", "T2.1"], 3)


def rule() -> LevelRule:
    ((_name, content),) = level_rule.shipped()
    return level_rule.parse(content)


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
        # Band edges: 301 is Progression (subjects at 200 meet its minimum).
        (301, flat(200), 0, "Progression"),
        # 300 is the Initial band, and Initial is not a label (label_from: Progression).
        (300, flat(200), 0, None),
        (301, flat(199), 0, None),
        # 0 points: Non engagé, no label.
        (0, flat(0), 0, None),
        # One open major nonconformity blocks any label, whatever the scores.
        (800, flat(650), 1, None),
    ],
)
def test_hand_computed_levels(
    overall: int, subjects: dict[str, int | None], majors: int, expected: str | None
) -> None:
    result = level_rule.compute(rule(), overall, subjects, majors, CORE_AT_3)
    assert result.level == expected
    if expected != "Exemplaire":
        assert result.reasons, "a level below the top says why"


def test_initial_is_a_band_not_a_label() -> None:
    result = level_rule.compute(rule(), 300, flat(200), 0, CORE_AT_3)
    assert (result.level, result.band) == (None, "Initial")
    assert result.reasons[-1] == "Initial is not a label: the label starts at Progression"
    assert rule().labels == ["Progression", "Confirmé", "Exemplaire"]


def test_no_label_with_a_core_criterion_at_0() -> None:
    """Health and safety (R8, core) at 0: no label however high the scores (docs/domain/domain.md §7.5)."""
    result = level_rule.compute(rule(), 800, flat(650), 0, {**CORE_AT_3, "R8": 0})
    assert (result.level, result.band) == (None, "Exemplaire")
    assert result.reasons == ["core criterion R8 at 0 below 1: no label"]
    # Not rated is not better than 0.
    unrated = level_rule.compute(rule(), 800, flat(650), 0, {**CORE_AT_3, "R8": None})
    assert unrated.level is None


def test_a_core_criterion_at_1_caps_the_level_at_progression() -> None:
    result = level_rule.compute(rule(), 800, flat(650), 0, {**CORE_AT_3, "R8": 1, "R1": 1})
    assert (result.level, result.band) == ("Progression", "Exemplaire")
    assert result.reasons == ["core criterion R1 at 1, R8 at 1: the level is capped at Progression"]
    # A cap never raises: Progression by the scores stays Progression.
    low = level_rule.compute(rule(), 400, flat(300), 0, {**CORE_AT_3, "R8": 1})
    assert (low.level, low.reasons) == ("Progression", ["Confirmé: overall score 400 below 501"])


def test_reasons_name_the_subject_that_held_the_level_back() -> None:
    result = level_rule.compute(rule(), 620, flat(450, s6_2=380), 0, CORE_AT_3)
    assert result.reasons == ["Confirmé: core subject 6.2 at 380 below 400"]
    blocked = level_rule.compute(rule(), 800, flat(650), 2, CORE_AT_3)
    assert blocked.reasons == ["2 major nonconformity(ies) still open"]


def test_a_group_gets_its_weakest_members_level() -> None:
    assert level_rule.lowest(rule(), ["Confirmé", "Progression", "Exemplaire"]) == "Progression"
    assert level_rule.lowest(rule(), ["Confirmé", None]) is None
    assert rule().rank("Exemplaire") > rule().rank("Confirmé") > rule().rank(None)


def fields(data: dict) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        LevelRule.model_validate(data)
    return [e["field"] for e in level_rule.field_errors(caught.value)]


def test_a_bad_rule_file_is_refused_naming_the_field() -> None:
    data = rule().model_dump()
    data["levels"][1]["min_score"] = 320
    assert fields(data) == ["levels.1.min_score"]
    data = rule().model_dump()
    data["levels"][2]["core_subject_minimums"] = {"6.9": 100}
    assert fields(data) == ["levels.2.core_subject_minimums"]
    data = rule().model_dump()
    data["label_from"] = "Argent"
    data["core_criteria"]["caps"][0]["at_most"] = "Bronze"
    assert fields(data) == ["label_from", "core_criteria.caps.0.at_most"]
    data = rule().model_dump()
    data["levels"][0]["max_score"] = "beaucoup"
    data["core_criteria"]["minimum_level"] = -1
    assert fields(data) == ["core_criteria.minimum_level", "levels.0.max_score"]
    data = rule().model_dump()
    data["levels"][3]["name"] = "<script>"
    assert fields(data) == ["levels.3.name"]


def test_the_explanation_shows_every_threshold_against_the_scores() -> None:
    """What the committee reads: each level's band and core-subject minimums, met or not, the
    core criteria's floor and caps, the open majors; the reasons in French too."""
    result = level_rule.compute(rule(), 620, flat(450, s6_2=380), 0, {**CORE_AT_3, "R8": 1})
    assert result.level == "Progression"
    explained = result.explanation
    assert [
        (lv["name"], lv["label"], lv["score_met"], lv["met"]) for lv in explained["levels"]
    ] == [
        ("Initial", False, True, True),
        ("Progression", True, True, True),
        ("Confirmé", True, True, False),
        ("Exemplaire", True, False, False),
    ]
    confirmed = explained["levels"][2]
    assert [(s["code"], s["minimum"], s["score"], s["met"]) for s in confirmed["core_subjects"]][
        :3
    ] == [("6.2", 400, 380, False), ("6.3", 350, 450, True), ("6.4", 400, 450, True)]
    assert explained["core_criteria"] == {
        "minimum_level": 1,
        "below_minimum": [],
        "caps": [{"level": 1, "at_most": "Progression", "criteria": ["R8"]}],
    }
    assert explained["open_majors"] == {"blocks": True, "count": 0}
    assert result.reasons_fr == ["Confirmé : question centrale 6.2 à 380 sous 400"]
    assert len(result.reasons_fr) == len(result.reasons)
    capped = level_rule.compute(rule(), 800, flat(650), 0, {**CORE_AT_3, "R8": 1})
    assert capped.reasons_fr == ["critère essentiel R8 à 1 : le niveau est plafonné à Progression"]
    blocked = level_rule.compute(rule(), 800, flat(650), 2, CORE_AT_3)
    assert blocked.reasons_fr == ["2 non-conformité(s) majeure(s) encore ouverte(s)"]
    assert blocked.as_dict()["explanation"]["open_majors"] == {"blocks": True, "count": 2}
