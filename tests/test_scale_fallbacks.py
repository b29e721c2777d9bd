"""Scale (issue 14 item 4): what does not scale falls back, at a stated n, and says so.

The Hodges-Lehmann estimate is built from the distinct changes (not all n(n+1)/2 Walsh
averages) and must equal the textbook median of all Walsh averages; the Wilcoxon test
uses the normal approximation above ``wilcoxon_exact_max_n``; the slope figure shows
distributions above ``per_participant_plot_max_n``; the sentences say which.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lehc_report.prose import robust as pr
from lehc_report.settings import AnalysisSettings
from lehc_report.stats import robustness as rb


@pytest.mark.parametrize("n", [2, 5, 12, 51, 300])
def test_hodges_lehmann_equals_the_median_of_all_walsh_averages(n):
    rng = np.random.default_rng(n)
    changes = pd.DataFrame({"items": rng.integers(-3, 4, n).astype(float),  # integer changes, many ties
                            "areas": rng.integers(-20, 21, n) / 7,  # changes of means of seven behaviours
                            "continuous": rng.normal(size=n)})
    got = rb.wilcoxon_signed_rank(pd.DataFrame(0.0, index=changes.index, columns=changes.columns), changes)
    for unit in changes:
        d = np.round(changes[unit].to_numpy(), 9)
        i, j = np.triu_indices(n)
        assert got.loc[unit, "hodges_lehmann"] == np.median((d[i] + d[j]) / 2.0)


def test_hodges_lehmann_by_hand():
    # Changes 1, 2, 4: Walsh averages 1, 1.5, 2.5, 2, 3, 4 -> median (2 + 2.5) / 2.
    got = rb.wilcoxon_signed_rank(pd.DataFrame({"a": [0.0, 0.0, 0.0]}), pd.DataFrame({"a": [1.0, 2.0, 4.0]}))
    assert got.loc["a", "hodges_lehmann"] == 2.25


def test_wilcoxon_falls_back_to_the_normal_approximation_above_the_stated_n():
    change = pd.DataFrame({"a": [0.5, -1.5, 2.5, 3.5, 4.5, 5.5, -6.5, 7.5]})  # no ties, no zeros: exact by default
    zero = pd.DataFrame({"a": [0.0] * 8})
    exact = rb.wilcoxon_signed_rank(zero, change)
    approximate = rb.wilcoxon_signed_rank(zero, change, exact_max_n=7)
    assert exact.loc["a", "method"] == rb.WILCOXON_EXACT
    assert exact.loc["a", "p"] == pytest.approx(stats.wilcoxon(change["a"], method="exact").pvalue, rel=1e-12)
    assert approximate.loc["a", "method"] == rb.WILCOXON_NORMAL
    # Normal approximation by hand: T+ = 1+3+4+5+6+8 = 27 (ranks of the positive |D|), mean 18, var 8*9*17/24 = 51,
    # continuity correction 0.5 towards the mean.
    z = (27 - 18 - 0.5) / np.sqrt(51)
    assert approximate.loc["a", "p"] == pytest.approx(2 * stats.norm.sf(z), rel=1e-12)


def test_wilcoxon_floor_sentence_at_scale_says_the_normal_approximation_is_used():
    text, can = pr.wilcoxon_floor_sentence(2000, 38, 38, 2000, 0.05)  # 2/2**2000 underflows: no floor to print
    assert can
    assert text == ("With 2000 pairs, more than the 50 up to which the exact test is used, the Wilcoxon test uses the "
                    "normal approximation, whose p value has no floor that could keep a behaviour from passing the Holm "
                    "threshold of 0.0013; all 38 behaviours pass it.")
    assert pr.wilcoxon_floor_sentence(40, 38, 30, 34, 0.05, exact_max_n=30)[0].startswith("With 40 pairs, more than the 30 ")


def test_slope_figure_text_and_settings():
    assert pr.slope_figure_text(9, 200) == "every participant's start and end score in each area"
    assert pr.slope_figure_text(10000, 200) == (
        "the distribution of the start and end scores in each area: with 10000 participants, more than the 200 set for "
        "one line per participant, the lines would hide each other")
    defaults = AnalysisSettings()
    assert (defaults.wilcoxon_exact_max_n, defaults.per_participant_plot_max_n) == (50, 200)
    rows = dict(defaults.assumptions_table().itertuples(index=False))
    assert rows["Most pairs for an exact Wilcoxon p (then the normal approximation)"] == "50"


def test_slope_figure_draws_distributions_above_the_stated_n(tmp_path):
    from lehc_report.inputs.framework import load_framework
    from lehc_report.render import figures
    from pathlib import Path

    framework = load_framework(Path(__file__).resolve().parents[1] / "data" / "framework.yml")
    rng = np.random.default_rng(0)
    before = pd.DataFrame(rng.uniform(3, 8, (500, 4)), columns=framework.area_ids)
    import matplotlib.pyplot as plt

    calls = []
    original = plt.Axes.plot
    plt.Axes.plot = lambda self, *a, **k: calls.append(1) or original(self, *a, **k)
    try:
        figures.slope_figure(before, before + 1, framework, tmp_path / "lines.png")
        lines = len(calls)
        calls.clear()
        figures.slope_figure(before, before + 1, framework, tmp_path / "violins.png", max_participants=200)
    finally:
        plt.Axes.plot = original
    assert lines == 4 * 500 + 4  # one line per participant and one mean line per area
    assert len(calls) == 4  # only the mean lines
    assert (tmp_path / "violins.png").stat().st_size > 0


def test_smallest_exact_wilcoxon_p_at_scale_without_the_exact_distribution():
    assert rb.smallest_exact_wilcoxon_p(1000) == 2.0 ** -999  # representable: 2/2**1000 exactly
    assert rb.smallest_exact_wilcoxon_p(2000) == 0.0  # below the smallest float, as 2/2**2000 is
    assert rb.smallest_exact_wilcoxon_p(50) == 2 / 2**50  # scipy's exact distribution, as before
