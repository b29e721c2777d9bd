"""Scale (issue 14 item 4): the vectorised reading, writing and statistics give what the
cell-by-cell code gave, and 10,000 participants x 3 waves run through every stage.

Each fast path is checked against the slow computation it replaced (written out here),
or against an independent one (mpmath, scipy), on small inputs; the 10,000-participant
run is marked ``slow``.
"""

from __future__ import annotations

import io
from pathlib import Path

import mpmath
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lehc_report.inputs.cohort import framework_file
from lehc_report.inputs.framework import load_framework
from lehc_report.inputs.self_assessment import filled_row_mask, load_self_assessment
from lehc_report.render.outputs import _csv_cell, _safe_column, spreadsheet_safe_table, write_result_csv
from lehc_report.stats import paired, robustness

ROOT = Path(__file__).resolve().parents[1]
COHORT_B = ROOT / "tests" / "cohorts" / "cohort_b"


def csv_text(table: pd.DataFrame) -> str:
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


TEXT_COLUMNS = [
    pd.Series(["a", "=1+1", None, "-0.38", "x\ry", "a\r\nb", "\tz", "@a", "+3", "=1+1"], dtype=object),
    pd.Series(["a", "=SUM(A1)", None, "-0.38", "+inf"], dtype="str"),
    pd.Series(["P01", "P02"] * 4, dtype="str"),
    pd.Series([1, "=a", np.nan, 2.5], dtype=object),  # numbers among the text
    pd.Series([None, None], dtype=object),
    pd.Series([], dtype=object),
]


@pytest.mark.parametrize("column", TEXT_COLUMNS, ids=range(len(TEXT_COLUMNS)))
def test_safe_column_writes_what_the_cell_by_cell_map_wrote(column):
    slow = column.map(_csv_cell)
    fast = _safe_column(column)
    if fast is None:  # nothing to change: the slow map changed nothing either
        assert csv_text(slow.to_frame("c")) == csv_text(column.to_frame("c"))
    else:
        assert csv_text(fast.to_frame("c")) == csv_text(slow.to_frame("c"))
        assert fast.dtype == column.dtype


def test_safe_column_quotes_formulas_and_unifies_line_breaks():
    fast = _safe_column(pd.Series(["=HYPERLINK(x)", "-2", "-x", "a\rb", "ok"], dtype="str"))
    assert fast.tolist() == ["'=HYPERLINK(x)", "-2", "'-x", "a\nb", "ok"]


def test_spreadsheet_safe_table_returns_the_table_itself_when_nothing_changes():
    ids = pd.DataFrame({"participant_id": [f"P{i:05d}" for i in range(1000)], "score": range(1000)})
    assert spreadsheet_safe_table(ids) is ids


def test_write_result_csv_of_a_mixed_table(tmp_path):
    table = pd.DataFrame({"id": ["P1", "=cmd", "P1"], "note": ["a\rb", None, "+1"], "x": [0.1, 2.0, np.nan]})
    text = write_result_csv(table, tmp_path / "t.csv").read_text(encoding="utf-8")
    assert text == "id,note,x\nP1,\"a\nb\",0.1\n'=cmd,,2\nP1,+1,\n"


def test_filled_row_mask_equals_stripping_every_cell():
    body = pd.DataFrame([["P1", "3", ""], ["", " ", "\t"], ["  ", "", "x"], ["", "", ""], [" P2 ", "7", "8"]], dtype=object)
    slow = body.apply(lambda s: s.str.strip().ne("")).any(axis=1).to_numpy()
    assert filled_row_mask(body).tolist() == slow.tolist() == [True, False, True, False, True]


def test_reader_lookups_keep_cohort_b_area_and_order():
    framework = load_framework(framework_file(COHORT_B, ROOT))
    tidy, _, _ = load_self_assessment(COHORT_B, framework)
    areas = framework.behaviours.set_index("behaviour_id")["area_id"]
    assert tidy["area_id"].tolist() == tidy["behaviour_id"].map(areas).tolist()  # the Series.map it replaced
    wave = tidy["wave"].map({w: i for i, w in enumerate(framework.wave_ids)})
    position = tidy["behaviour_id"].map(framework.behaviours.set_index("behaviour_id")["position"])
    order = pd.DataFrame({"w": wave, "p": tidy["participant_id"], "b": position})
    assert order.equals(order.sort_values(["w", "p", "b"], kind="stable"))


def test_area_table_with_precomputed_scores_equals_computing_them():
    framework = load_framework(framework_file(COHORT_B, ROOT))
    tidy, _, _ = load_self_assessment(COHORT_B, framework)
    scores = paired.area_scores(tidy, framework, 0.8)
    for before, after in (("start", "end"), ("end", "follow_up")):
        own = paired.area_table(tidy, framework, 0.8, before, after)
        given = paired.area_table(tidy, framework, 0.8, before, after, scores=scores)
        pd.testing.assert_frame_equal(own[0], given[0])
        pd.testing.assert_frame_equal(own[1], given[1])


def test_gauss_legendre_nodes_match_numpy_and_integrate_the_normal():
    nodes, weights = robustness._gauss_legendre(64)
    np_nodes, np_weights = np.polynomial.legendre.leggauss(64)
    np.testing.assert_allclose(nodes, np_nodes, rtol=0, atol=1e-15)
    np.testing.assert_allclose(weights, np_weights, rtol=0, atol=1e-14)
    nodes, weights = robustness._gauss_legendre()
    assert len(nodes) == 4096
    # The normal density over [-12, 12]: 1 - 2 * P(Z > 12), to the last digit.
    assert 12.0 * np.dot(weights, stats.norm.pdf(12.0 * nodes)) == pytest.approx(1 - 2 * stats.norm.sf(12.0), rel=1e-14)


def mpmath_nct_sf(t: float, df: float, ncp: float) -> float:
    """P(T > t) of the noncentral t by mpmath: the same integral at 30 digits (adaptive quadrature)."""
    mpmath.mp.dps = 30
    t, df, ncp = mpmath.mpf(t), mpmath.mpf(df), mpmath.mpf(ncp)

    def integrand(z):
        x = df * ((z + ncp) / t) ** 2 / 2
        return mpmath.npdf(z) * mpmath.gammainc(df / 2, 0, x, regularized=True)

    return float(mpmath.quad(integrand, [-ncp, -ncp / 2, 0, 12]))


@pytest.mark.parametrize("t, df, ncp", [(40.0, 9, 38.0), (40.0, 9, 25.0), (120.0, 1999, 118.0)])
def test_noncentral_t_tail_for_large_t_against_mpmath(t, df, ncp):
    assert robustness._nct_sf_large_t(t, df, ncp) == pytest.approx(mpmath_nct_sf(t, df, ncp), rel=1e-9, abs=1e-15)


@pytest.mark.slow
def test_ten_thousand_participants_run_through_every_stage(tmp_path):
    from lehc_report.paths import ProjectPaths
    from lehc_report.stages.clean import clean_self_assessment
    from lehc_report.stages.quant import analyse_self_assessment
    from lehc_report.stages.robust import analyse_robustness
    from lehc_report.tools.bench import large_cohort_data

    assert large_cohort_data(tmp_path / "data", ROOT, 10_000) == 10_000 * 3 * 38
    (tmp_path / "build").mkdir()
    paths = ProjectPaths(root=ROOT, data=tmp_path / "data", build=tmp_path / "build")
    cleaned = clean_self_assessment(paths)
    assert cleaned.glue["clean_n_ratings"] == "1140000"
    quant = analyse_self_assessment(paths)
    areas = quant.tables["areas"]
    assert areas["n"].tolist() == [10_000] * 4
    # Start and end are independent uniform draws on 3..8, the end shifted up one point.
    assert areas["mean_change"].between(0.9, 1.1).all()
    robust = analyse_robustness(paths)
    assert (tmp_path / "build" / "results" / "robustness_areas.csv").exists()
    assert len(robust.tables["behaviours"]) == 38


def old_paired_wide(long: pd.DataFrame, unit: str, before: str, after: str):
    """paired.paired_wide as it was: every wave spread out, then two kept."""
    wide = long.pivot_table(index="participant_id", columns=["wave", unit], values="score", aggfunc="first", dropna=False)
    wide = wide.reindex(index=sorted(long["participant_id"].unique()))
    units = long[unit].drop_duplicates().tolist()
    first, second = (wide[w].reindex(columns=units).astype("float64") for w in (before, after))
    keep = first.notna().any(axis=1) & second.notna().any(axis=1)
    return first[keep], second[keep]


def test_paired_wide_of_two_of_three_waves_equals_spreading_all_three():
    framework = load_framework(framework_file(COHORT_B, ROOT))
    tidy, _, _ = load_self_assessment(COHORT_B, framework)
    assert set(tidy["wave"].unique()) == {"start", "end", "follow_up"}
    for before, after in (("start", "end"), ("end", "follow_up"), ("start", "follow_up")):
        first, second, excluded = paired.paired_wide(tidy, "behaviour_id", "score", before, after)
        old_first, old_second = old_paired_wide(tidy, "behaviour_id", before, after)
        pd.testing.assert_frame_equal(first, old_first)
        pd.testing.assert_frame_equal(second, old_second)
        # Everyone is either paired or listed with a reason.
        assert len(first) + len(excluded) == tidy["participant_id"].nunique()


def test_behaviour_table_from_given_wide_tables_equals_computing_them():
    framework = load_framework(framework_file(COHORT_B, ROOT))
    tidy, _, _ = load_self_assessment(COHORT_B, framework)
    first, second, _ = paired.paired_wide(tidy, "behaviour_id", "score", "start", "end")
    pd.testing.assert_frame_equal(paired.behaviour_table(tidy, framework, 0.05),
                                  paired.behaviour_table(tidy, framework, 0.05, wide=(first, second)))
