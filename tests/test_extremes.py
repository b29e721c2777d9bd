"""Statistics at large n and large effects (issue 14 item 3): no crash, correct bounds.

``large_cohort`` makes participants x 38 behaviours ratings (1..10) at two waves, for
the timing in ``python tests/test_extremes.py`` (prints seconds per statistic at 2,000
and 10,000 participants) and for the tests below.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lehc_report.stats import robustness

N_BEHAVIOURS = 38
WALSH_BYTES_LIMIT = 1e9
AREA_SIZES = {"SI": 9, "DT": 10, "FC": 9, "FO": 10}  # 38 behaviours in four areas


def large_cohort(n: int, seed: int = 14, shift: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, list[str]]]:
    """Start and end ratings (participants x 38 behaviours, integers 1..10) and the areas.

    Each behaviour rises by about ``shift`` points on average, with noise, so t grows
    like sqrt(n) (about 60 at n = 2,000 for shift 1).
    """
    rng = np.random.default_rng(seed)
    ids = [f"{area}{i:02d}" for area, k in AREA_SIZES.items() for i in range(1, k + 1)]
    person = rng.normal(5.0, 1.2, size=(n, 1))
    start = np.clip(np.rint(person + rng.normal(0, 1.0, size=(n, N_BEHAVIOURS))), 1, 10)
    end = np.clip(np.rint(start + shift + rng.normal(0, 1.2, size=(n, N_BEHAVIOURS))), 1, 10)
    index = pd.Index([f"P{i:05d}" for i in range(n)], name="participant_id")
    items = {area: [b for b in ids if b.startswith(area)] for area in AREA_SIZES}
    return pd.DataFrame(start, index=index, columns=ids), pd.DataFrame(end, index=index, columns=ids), items


def robustness_statistics(before: pd.DataFrame, after: pd.DataFrame, items: dict[str, list[str]]) -> dict[str, float]:
    """Run each robustness statistic once on all 38 behaviours; seconds per statistic."""
    timings = {}

    def timed(name, func, *args, **kwargs):
        start = time.perf_counter()
        out = func(*args, **kwargs)
        timings[name] = time.perf_counter() - start
        return out

    effects = timed("paired_effect_sizes", robustness.paired_effect_sizes, before, after, confidence=0.95)
    # Its Hodges-Lehmann estimate holds all n(n+1)/2 Walsh averages of every unit at
    # once: 2,000 x 38 is 0.6 GB, 10,000 x 38 would be 15 GB, so it is timed only up to
    # WALSH_BYTES_LIMIT (reported to the lead).
    n = len(before)
    if n * (n + 1) / 2 * before.shape[1] * 8 <= WALSH_BYTES_LIMIT:
        timed("wilcoxon_signed_rank", robustness.wilcoxon_signed_rank, before, after)
    timed("normality_of_changes", robustness.normality_of_changes, before, after)
    timed("bayes_factors", robustness.bayes_factors, before, after, r=0.707)
    timed("regression_to_mean", robustness.regression_to_mean, before, after)
    timed("multiple_comparisons", robustness.multiple_comparisons, effects["p_ttest"], alpha=0.05)
    timed("cronbach_alpha_by_area", robustness.cronbach_alpha_by_area, after, items, confidence=0.95)
    timed("minimum_detectable_dz", robustness.minimum_detectable_dz, len(before), alpha=0.05 / N_BEHAVIOURS, power=0.80)
    timed("ceiling_share", robustness.ceiling_share, after, threshold=9)
    return timings


@pytest.mark.slow
def test_robustness_statistics_at_2000_participants():
    before, after, items = large_cohort(2000)
    effects = robustness.paired_effect_sizes(before, after, confidence=0.95)
    d = (after - before).to_numpy()
    t = d.mean(axis=0) / (d.std(axis=0, ddof=1) / np.sqrt(2000))
    assert effects["t"].to_numpy() == pytest.approx(t, rel=1e-10)
    assert (effects["t"] > 30).all()
    # p underflows to 0 (true p < 1e-300): a correct bound, printed "p < .001".
    assert (effects["p_ttest"] >= 0).all() and (effects["p_ttest"] < 1e-100).all()
    assert effects[["d_z_ci_low", "d_z_ci_high"]].notna().all().all()
    bayes = robustness.bayes_factors(before, after)
    assert np.isfinite(bayes["log10_bf10"]).all() and (bayes["log10_bf10"] > 100).all()
    assert (bayes["reading"] == "extreme evidence for H1 (a change)").all()
    timings = robustness_statistics(before, after, items)
    assert set(timings) >= {"bayes_factors", "paired_effect_sizes"}


@pytest.mark.parametrize("df", [1, 2, 8, 1999, 9999])
@pytest.mark.parametrize("t", [300.0, 1e4, -1e4, 1e8])
def test_nct_interval_at_very_large_t(t, df):
    # For large |t| the noncentral t is (Z + ncp) / sqrt(V / df), V ~ chi-square(df),
    # and Z is negligible beside ncp, so ncp ~ t sqrt(V / df): the limits are
    # t sqrt(chi2_{q}(df) / df) at q = .025 and .975 (Steiger & Fouladi 1997's
    # inversion, in its large-ncp limit).  Z moves them by about 2 / |t| relative.
    low, high = robustness._nct_ncp_limits(np.array([t]), df, 0.95)
    q_low, q_high = stats.chi2.ppf([0.025, 0.975], df)
    expected = sorted(t * np.sqrt(np.array([q_low, q_high]) / df))
    assert [low[0], high[0]] == pytest.approx(expected, rel=3 / abs(t))


@pytest.mark.parametrize("df", [1, 8, 1999, 999_999])
@pytest.mark.parametrize("t", [30.5, 45.0, -45.0])
def test_nct_interval_just_above_the_switch_solves_the_defining_equations(t, df):
    # Above |t| = 30 the limits come from the integral form; scipy's nct is still
    # reliable here, so the observed t must sit at the 2.5% and 97.5% points.
    low, high = robustness._nct_ncp_limits(np.array([t]), df, 0.95)
    upper_tail = [stats.nct.sf(abs(t), df, ncp) for ncp in sorted(np.abs([low[0], high[0]]))]
    assert upper_tail == pytest.approx([0.025, 0.975], abs=1e-8)
    assert low[0] < high[0]


def test_nct_interval_is_continuous_at_the_switch():
    below = robustness._nct_ncp_limits(np.array([30.0]), 8, 0.95)
    above = robustness._nct_ncp_limits(np.array([30.0 + 1e-9]), 8, 0.95)
    assert np.concatenate(above) == pytest.approx(np.concatenate(below), rel=1e-8)


def test_minimum_detectable_effect_at_a_million():
    # Normal limit: d = (z_{1-alpha/2} + z_power) / sqrt(n).
    n = 1_000_000
    expected = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) / np.sqrt(n)
    assert robustness.minimum_detectable_dz(n, alpha=0.05, power=0.80) == pytest.approx(expected, rel=1e-4)


if __name__ == "__main__":  # timing: python tests/test_extremes.py [repeats]
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for n in (2000, 10_000):
        data = large_cohort(n)
        runs = [robustness_statistics(*data) for _ in range(repeats)]
        medians = {name: float(np.median([r[name] for r in runs])) for name in runs[0]}
        total = float(np.median([sum(r.values()) for r in runs]))
        print(f"n = {n} x {N_BEHAVIOURS} behaviours, median of {repeats}: total {total:.2f} s")
        if "wilcoxon_signed_rank" not in medians:
            print("  (wilcoxon_signed_rank not run: its Walsh averages would need "
                  f"{n * (n + 1) / 2 * N_BEHAVIOURS * 8 / 1e9:.0f} GB)")
        for name, seconds in medians.items():
            print(f"  {name:24s} {seconds:7.3f} s")
