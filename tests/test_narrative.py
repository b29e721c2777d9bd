"""Sentences about the self-assessment follow the numbers: rises, falls, undefined and withheld tests."""

import numpy as np
import pandas as pd
import pytest

from lehc_report.prose import quant as narrative
from lehc_report.stats.paired import paired_tests


def area_rows(changes: dict[str, list[float]], start: float = 5.0) -> pd.DataFrame:
    """An area table from per-participant changes (start fixed at ``start`` plus a spread)."""
    before = pd.DataFrame({k: start + np.arange(len(v), dtype=float) for k, v in changes.items()})
    after = before + pd.DataFrame(changes)
    table = paired_tests(before, after)
    table.index.name = "area_id"
    return table.reset_index().assign(area=lambda d: d["area_id"])


def test_constant_and_zero_change_leave_the_test_undefined():
    table = area_rows({"A": [1, 1, 1, 1, 1], "B": [0, 0, 0, 0, 0], "C": [1, 2, 0, 1, 2]})
    assert table["t"].isna().tolist() == [True, True, False]
    assert table["sd_change"].tolist()[:2] == [0.0, 0.0]
    # C: changes 1, 2, 0, 1, 2 -> mean 1.2, SD sqrt(0.7); t = (0 - 1.2) / (sqrt(0.7) / sqrt(5)) = -3.2071
    assert table.loc[2, "t"] == pytest.approx(-1.2 / (0.7**0.5 / 5**0.5))
    outcomes = [narrative.test_outcome(r, 5, 0.05) for r in table.itertuples()]
    assert outcomes == ["constant", "none", "rose"]


def test_fewer_than_two_pairs_has_no_df():
    table = paired_tests(pd.DataFrame({"A": [1.0, np.nan]}), pd.DataFrame({"A": [2.0, 3.0]}))
    assert table.loc["A", "n"] == 1 and np.isnan(table.loc["A", "df"]) and np.isnan(table.loc["A", "t"])


def test_sentences_follow_the_direction_and_withhold_small_areas():
    table = area_rows({"Up": [1, 2, 1, 2, 1, 2], "Down": [-1, -2, -1, -2, -1, -1], "Flat": [1, -1, 0, 1, -1, 0]})
    table.loc[table["area_id"] == "Flat", "n"] = 4  # pretend two people lacked a score here
    outcomes = [narrative.test_outcome(r, 5, 0.05) for r in table.itertuples()]
    assert outcomes == ["rose", "fell", "withheld"]
    assert narrative.direction_headline(outcomes) == "rose in one of the three areas, fell in one and could not be reported in one"
    sentence = narrative.area_sentence(next(table.itertuples()), 5, 0.05)
    # Up: changes mean 1.5, SD sqrt(0.3): t = -1.5 / (sqrt(0.3) / sqrt(6)) = -6.708
    assert sentence == "Up rose from 7.50 to 9.00 (t(5) = -6.708, p = .001)"
    assert narrative.area_sentence(list(table.itertuples())[2], 5, 0.05).startswith("Flat: withheld, as fewer than 5 participants")


def test_headlines_for_uniform_outcomes():
    assert narrative.direction_headline(["rose"] * 4) == "rose in all four areas"
    assert narrative.direction_headline(["fell", "fell"]) == "fell in both areas"
    assert narrative.direction_headline(["none"] * 3) == "did not change in any area"
    assert narrative.direction_headline(["rose", "unclear", "unclear"]) == "rose in one of the three areas and showed no clear change in two"


def test_p_text_never_prints_zero():
    assert narrative.p_text(0.0004) == "p < .001"
    assert narrative.p_text(0.0123) == "p = .012"


def test_whole_cohort_below_threshold_is_withheld():
    table = area_rows({"A": [1, 2, 1]})
    glue = narrative.change_narrative(table, table.assign(behaviour_id="b1"), n_complete=3, min_group_size=5, alpha=0.05)
    assert glue["change_headline"] == "Self-assessment results withheld."
    assert "fewer than 5 participants" in glue["area_results_text"]


def test_behaviour_display_words_instead_of_nan():
    from lehc_report.render.quant_tables import behaviour_display, withhold_small

    table = area_rows({"B1": [1, 2, 1, 2, 1, 2], "B2": [1, 1, 1, 1, 1, 1], "B3": [1, 0, 1, 0, 1, 1]})
    table = table.rename(columns={"area_id": "behaviour_id"}).assign(area_id="X")
    table["significant"] = table["p"] < 0.05
    table.loc[2, "n"] = 3
    shown = behaviour_display(withhold_small(table, 5), 5, 0.05)
    assert shown["t"].tolist() == ["-6.708", "–", "withheld (n < 5)"]
    assert shown["p < .05"].tolist() == ["yes", "no", "withheld (n < 5)"]


def test_level_is_printed_as_set():
    assert narrative.alpha_text(0.05) == ".05"
    assert narrative.alpha_text(0.001) == ".001"
    assert narrative.alpha_text(0.1) == ".1"
    assert narrative.significance_label(0.01) == "p < .01"


def test_outcome_and_sentence_follow_the_level():
    from scipy import stats

    # Changes 1, 2, 1, 2, 1, 2: mean 1.5, SD sqrt(0.3), t = -1.5 / sqrt(0.3 / 6) = -6.708 on 5 df.
    table = area_rows({"A": [1, 2, 1, 2, 1, 2]})
    row = next(table.itertuples())
    assert row.t == pytest.approx(-1.5 / np.sqrt(0.3 / 6))
    assert row.p == pytest.approx(2 * stats.t.sf(1.5 / np.sqrt(0.3 / 6), 5))  # .0011
    assert narrative.test_outcome(row, 5, 0.05) == "rose"
    assert narrative.test_outcome(row, 5, 0.001) == "unclear"
    behaviours = table.rename(columns={"area_id": "behaviour_id"})
    strict = narrative.change_narrative(table, behaviours, n_complete=6, min_group_size=5, alpha=0.001)
    assert strict["behaviour_change_text"] == (
        "The mean rating rose for the one behaviour; no change passed a paired t-test at p < .001.")
    usual = narrative.change_narrative(table, behaviours, n_complete=6, min_group_size=5, alpha=0.05)
    assert usual["behaviour_change_text"] == "The mean rating rose for the one behaviour; 1 rise passed a paired t-test at p < .05."


def test_header_names_the_level():
    from lehc_report.render.quant_tables import behaviour_display

    table = area_rows({"B1": [1, 2, 1, 2, 1, 2]}).rename(columns={"area_id": "behaviour_id"}).assign(area_id="X")
    table["significant"] = table["p"] < 0.001
    shown = behaviour_display(table, 5, 0.001)
    assert list(shown.columns)[-1] == "p < .001" and shown["p < .001"].tolist() == ["no"]


def test_glue_specs_declare_what_the_stages_glue():
    assert narrative.CLEAN_GLUE.notebook == "01_clean" and narrative.QUANT_GLUE.notebook == "02_quant"
    assert narrative.CLEAN_GLUE.declares("clean_n_participants_follow_up")
    assert not narrative.CLEAN_GLUE.declares("n_participants_start")  # the stage prefixes clean_
    assert narrative.QUANT_GLUE.declares("si_mean_start") and narrative.QUANT_GLUE.declares("xy_p_text")
    assert not narrative.QUANT_GLUE.declares("si_unknown")
    with pytest.raises(KeyError, match="02_quant: declared glue keys the stage did not produce: area_gaps_text"):
        narrative.QUANT_GLUE.complete({k: "x" for k in narrative.QUANT_GLUE.keys if k != "area_gaps_text"})
