"""Scoring: a hand-computed round where a harsh judge would decide the order, and loads."""
from __future__ import annotations

import pytest

from episodes.errors import CatalogError
from episodes.scoring import CriterionSpec, Mark, advancing, assign, rank

POLICY, CLARITY = 1, 2
RUBRIC = [CriterionSpec(POLICY, 60, 0, 10), CriterionSpec(CLARITY, 40, 0, 10)]
LENIENT, HARSH, NEUTRAL = 101, 102, 103
A, B, C, D = 1, 2, 3, 4


def _review(judge, submission, policy, clarity):
    return [Mark(judge, submission, POLICY, policy), Mark(judge, submission, CLARITY, clarity)]


# The lenient judge reviews A and B, the harsh judge C and D, a neutral judge A and C.
ROUND = (_review(LENIENT, A, 9, 9) + _review(LENIENT, B, 7, 7)
         + _review(HARSH, C, 6, 4) + _review(HARSH, D, 2, 2)
         + _review(NEUTRAL, A, 6, 6) + _review(NEUTRAL, C, 8, 8))


def test_normalisation_removes_the_harsh_judges_bias_and_changes_the_order():
    # Raw totals (0.6*policy + 0.4*clarity, x10): A = (90 + 60)/2 = 75, B = 70,
    # C = (52 + 80)/2 = 66, D = 20 -> raw order A, B, C, D.
    # z per judge and criterion (population sd): lenient A +1 B -1; harsh C +1 D -1
    # (policy mean 4 sd 2, clarity mean 3 sd 1); neutral A -1 C +1.
    # Mean z: C +1, A 0, B -1, D -1 -> rescaled C 100, A 50, B 0, D 0 (B and D tied).
    ranking = rank(ROUND, RUBRIC, min_entries=2)
    assert [(r.submission, r.rank, r.normalised, r.raw, r.tied) for r in ranking] == [
        (C, 1, 100.0, 66.0, False), (A, 2, 50.0, 75.0, False),
        (B, 3, 0.0, 70.0, True), (D, 3, 0.0, 20.0, True)]
    assert sorted(ranking, key=lambda r: -r.raw)[0].submission == A


def test_advancing_the_top_two_or_by_threshold_keeps_ties_together():
    ranking = rank(ROUND, RUBRIC, min_entries=2)
    assert [r.submission for r in advancing(ranking, top=2)] == [C, A]
    assert [r.submission for r in advancing(ranking, top=3)] == [C, A, B, D]
    assert [r.submission for r in advancing(ranking, threshold=50)] == [C, A]
    with pytest.raises(CatalogError, match="not both"):
        advancing(ranking, top=1, threshold=10)


def test_a_judge_who_gives_everyone_the_same_mark_contributes_nothing():
    marks = _review(LENIENT, A, 8, 8) + _review(LENIENT, B, 8, 8)
    assert [(r.normalised, r.tied) for r in rank(marks, RUBRIC, min_entries=2)] == [(50.0, True), (50.0, True)]


def test_assignment_is_balanced_and_skips_conflicts():
    plan = assign(range(1, 7), [10, 11, 12], k=2, conflicts=[(10, 1), (11, 2)])
    assert all(len(set(judges)) == 2 for judges in plan.values())
    assert 10 not in plan[1] and 11 not in plan[2]
    loads = [sum(j in judges for judges in plan.values()) for j in (10, 11, 12)]
    assert loads == [4, 4, 4]


def test_assignment_counts_existing_load_and_refuses_when_too_few_judges():
    assert assign([1], [10, 11], k=1, load={10: 3}) == {1: [11]}
    with pytest.raises(CatalogError, match="submission 1 has only 1 judge"):
        assign([1], [10, 11], k=2, conflicts=[(10, 1)])


def test_a_rubric_line_reads_the_same_from_the_command_line_and_the_web_form():
    from episodes.contest import Level, RubricItem, parse_criterion

    assert parse_criterion("政策准确=30") == parse_criterion("政策准确 30") == ("政策准确", 30, ())
    assert parse_criterion("字幕与无障碍  15") == ("字幕与无障碍", 15, ())
    # level descriptors after a bar, as typed on a Chinese keyboard or an English one
    typed = parse_criterion("政策准确 30｜０－３：有明显错误，需改正；4-9：基本准确；10：准确无误")
    assert typed == parse_criterion("政策准确=30|0-3:有明显错误，需改正;4-9:基本准确;10:准确无误")
    assert typed == RubricItem("政策准确", 30, (Level(0, 3, "有明显错误，需改正"), Level(4, 9, "基本准确"),
                                                Level(10, 10, "准确无误")))
    for bad in ("=30", "政策准确", "政策准确=²", "政策准确=三十", "", "政策准确=30|0-3",
                "政策准确=30|低:差", "政策准确=30|0-3:"):
        assert parse_criterion(bad) is None, bad


@pytest.mark.parametrize("levels, problem", [
    ("0-3:差;5-10:好", "expected a level starting at 4, got 5-10"),
    ("0-6:差;5-10:好", "expected a level starting at 7, got 5-10"),
    ("0-3:差;4-8:好", "they must reach 10"),
    ("0-3:差;4-12:好", "they must reach 10"),
])
def test_levels_must_cover_every_score_once(tmp_path, levels, problem):
    from episodes.contest import create_contest, parse_criterion
    from episodes.db import make_engine, make_sessionmaker
    from episodes.schema import migrations

    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    migrations.apply(engine)
    with make_sessionmaker(engine)() as db, pytest.raises(CatalogError, match=problem):
        create_contest(db, "c", "c", rubric=(parse_criterion(f"政策准确=100|{levels}"),))


def test_below_the_minimum_entries_per_judge_the_ranking_is_raw():
    # The same round as above: each judge scored two entries. With two entries a judge's
    # z-scores are always +1 and -1, so the round is ranked by raw mean instead.
    ranking = rank(ROUND, RUBRIC)
    assert [(r.submission, r.rank, r.normalised, r.raw) for r in ranking] == [
        (A, 1, None, 75.0), (B, 2, None, 70.0), (C, 3, None, 66.0), (D, 4, None, 20.0)]
    assert [r.submission for r in advancing(ranking, threshold=68)] == [A, B]  # on the raw scale


def test_spreadsheet_cells_never_start_a_formula():
    from subtitles.spreadsheet import spreadsheet_safe

    for text in ("=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert spreadsheet_safe(text).startswith("'"), text
    assert spreadsheet_safe("政务服务") == "政务服务" and spreadsheet_safe(42) == 42
