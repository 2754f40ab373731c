"""Scoring against hand-computed cases (the rules are in cap_diagnostic.diagnostics.rules.scoring's docstring)."""

from __future__ import annotations

import pytest
import yaml

from cap_diagnostic.diagnostics.rules.scoring import Rating, band_of, round_half_up, score
from cap_diagnostic.referentials import loader

TOY = {
    "format": "cap-referential/1",
    "urn": "urn:coorace:referentiel:toy",
    "code": "TOY",
    "version": 1,
    "name": "Référentiel jouet",
    "description": "Pour les tests.",
    "published_on": "2026-11-26",
    "default_scale": "maturite",
    "scales": [
        {
            "id": "maturite",
            "name": "Maturité 0-4",
            "levels": [{"value": v, "name": f"N{v}", "description": "."} for v in range(5)],
        },
        {
            "id": "simple",
            "name": "Simple 0-2",
            "levels": [{"value": v, "name": f"S{v}", "description": "."} for v in range(3)],
        },
    ],
    "bands": [
        {"name": "Non engagé", "min": 0, "max": 0},
        {"name": "Initial", "min": 1, "max": 300},
        {"name": "Progression", "min": 301, "max": 500},
        {"name": "Confirmé", "min": 501, "max": 700},
        {"name": "Exemplaire", "min": 701, "max": 1000},
    ],
    "frameworks": [
        {
            "id": "fw",
            "name": "Cadre",
            "version": "1",
            "score_by_top_level": True,
            "items": [
                {"ref": "1", "name": "Un"},
                {"ref": "1.1", "name": "Un.un", "parent": "1"},
                {"ref": "2", "name": "Deux"},
                {"ref": "2.1", "name": "Deux.un", "parent": "2"},
            ],
        }
    ],
    "themes": [
        {
            "urn": "urn:coorace:referentiel:toy:theme:t1",
            "code": "T1",
            "name": "Thème 1",
            "description": ".",
            "criteria": [
                {
                    "urn": "urn:coorace:referentiel:toy:critere:a",
                    "code": "A",
                    "name": "A",
                    "guidance": ".",
                },
                {
                    "urn": "urn:coorace:referentiel:toy:critere:b",
                    "code": "B",
                    "name": "B",
                    "guidance": ".",
                    "weight": 2,
                },
            ],
        },
        {
            "urn": "urn:coorace:referentiel:toy:theme:t2",
            "code": "T2",
            "name": "Thème 2",
            "description": ".",
            "criteria": [
                {
                    "urn": "urn:coorace:referentiel:toy:critere:c",
                    "code": "C",
                    "name": "C",
                    "guidance": ".",
                    "mappings": [{"framework": "fw", "ref": "1.1"}],
                },
                {
                    "urn": "urn:coorace:referentiel:toy:critere:d",
                    "code": "D",
                    "name": "D",
                    "guidance": ".",
                    "scale": "simple",
                    "kind": "result",
                    "mappings": [{"framework": "fw", "ref": "2.1"}],
                },
            ],
        },
    ],
}
U = "urn:coorace:referentiel:toy:critere:"


@pytest.fixture(scope="module")
def toy():
    return loader.resolve(loader.parse(yaml.safe_dump(TOY).encode(), "toy.yaml"), "toy.yaml", {})


def test_weighted_themes_overall_bands_and_not_applicable(toy) -> None:
    # T1: (1*4/4 + 2*2/4) / 3 = 0.6667 -> 667; T2: C is N/A, D: 1/2 -> 500;
    # overall: (1 + 1 + 0.5) / 4 = 0.625 -> 625.
    ratings = {
        U + "a": Rating(4),
        U + "b": Rating(2),
        U + "c": Rating(not_applicable=True),
        U + "d": Rating(1),
    }
    result = score(toy, ratings)
    assert [(t.code, t.score, t.band) for t in result.themes] == [
        ("T1", 667, "Confirmé"),
        ("T2", 500, "Progression"),
    ]
    assert (result.overall.score, result.overall.band) == (625, "Confirmé")
    assert (result.overall.rated, result.overall.not_applicable, result.overall.total) == (3, 1, 4)
    assert result.complete
    assert result.missing == ()
    # Framework groups by top-level item: "1" holds only C (N/A), "2" holds D.
    assert [(g.code, g.score) for g in result.frameworks["fw"]] == [("1", None), ("2", 500)]
    # Practice (A, B; C N/A) vs result (D).
    assert [(g.code, g.score) for g in result.kinds] == [("practice", 667), ("result", 500)]
    assert [p.code for p in result.strengths] == ["A"]
    assert result.weak_points == ()


def test_gap_analysis_names_the_fewest_raises_to_each_band(toy) -> None:
    ratings = {
        U + "a": Rating(4),
        U + "b": Rating(2),
        U + "c": Rating(not_applicable=True),
        U + "d": Rating(1),
    }
    result = score(toy, ratings)
    # One step of B is worth 1000*2/(4*4) = 125 points, one step of D 1000*1/(2*4) = 125;
    # at equal gain the lower level goes first: D 1 -> 2 reaches 750 >= 701.
    (exemplaire,) = result.gaps
    assert (exemplaire.band, exemplaire.points_missing, exemplaire.reachable) == (
        "Exemplaire",
        76,
        True,
    )
    assert [(r.code, r.from_level, r.to_level, r.gain) for r in exemplaire.raises] == [
        ("D", 1, 2, 125.0)
    ]
    assert result.step_gain[U + "a"] == 0.0  # already at the top
    assert result.step_gain[U + "b"] == 125.0


def test_all_at_zero_is_non_engage_with_every_band_ahead(toy) -> None:
    ratings = {U + c: Rating(0) for c in "abcd"}
    result = score(toy, ratings)
    assert (result.overall.score, result.overall.band) == (0, "Non engagé")
    assert [g.band for g in result.gaps] == ["Initial", "Progression", "Confirmé", "Exemplaire"]
    # Initial needs 1 point: one step of the best criterion (B: 2*1000/(5*4) = 100).
    assert [(r.code, r.to_level) for r in result.gaps[0].raises] == [("B", 1)]
    assert [p.code for p in result.weak_points] == [
        "B",
        "A",
        "C",
        "D",
    ]  # heavier first at equal level


def test_unrated_criteria_make_it_incomplete_and_are_left_out(toy) -> None:
    result = score(toy, {U + "a": Rating(2)})
    assert not result.complete
    assert result.missing == ("B", "C", "D")
    assert result.overall.score == 500
    assert result.themes[1].score is None
    assert result.themes[1].band is None


def test_rounding_is_half_up_and_bands_cover_the_scale() -> None:
    assert [round_half_up(v) for v in (300.5, 300.49, 0.5, 999.5)] == [301, 300, 1, 1000]
    bands = loader.parse(yaml.safe_dump(TOY).encode(), "toy.yaml").bands
    assert [band_of(bands, s) for s in (0, 1, 300, 301, 500, 501, 700, 701, 1000)] == [
        "Non engagé",
        "Initial",
        "Initial",
        "Progression",
        "Progression",
        "Confirmé",
        "Confirmé",
        "Exemplaire",
        "Exemplaire",
    ]
