"""Tests for the synthetic self-assessment data (lehc_report.tools.synthetic).

The Appendix 3 checks recompute everything from the committed CSVs with pandas
and scipy only, against a copy of the published table written out here, so
they do not rely on the generator's own bookkeeping.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from scipy import stats

from lehc_report.published import audit, lattice
from lehc_report.tools import synthetic
from lehc_report.prose.rounding import format_half_up, format_p

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
CSV_NAMES = ["self_assessment_start.csv", "self_assessment_end.csv", "participants.csv"]

# Published Appendix 3 as printed: mean/SD at start, mean/SD at end, t, df, p,
# and the number of behaviours with a significant paired t-test.
APPENDIX_3 = {
    "SI": ("7.56", "0.44", "8.56", "0.52", "-7.799", 8, ".000", 5),
    "DT": ("6.42", "0.63", "7.43", "0.63", "-6.256", 8, ".000", 4),
    "FC": ("6.51", "0.57", "7.52", "0.61", "-4.264", 8, ".003", 4),
    "FO": ("6.90", "0.61", "7.63", "0.52", "-4.307", 8, ".003", 2),
}
# -6.256 cannot be produced by integer ratings; the data use the closest value.
DT_REACHABLE_T = "-6.267"


@pytest.fixture(scope="module")
def framework() -> dict:
    return yaml.safe_load((DATA_DIR / "framework.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def waves() -> dict[str, pd.DataFrame]:
    return {
        wave: pd.read_csv(DATA_DIR / f"self_assessment_{wave}.csv", index_col="participant_id")
        for wave in ("start", "end")
    }


def area_behaviours(framework: dict) -> dict[str, list[str]]:
    return {area["id"]: [b["id"] for b in area["behaviours"]] for area in framework["areas"]}


# --- (1) the committed data reproduce Appendix 3 ---------------------------


def test_ratings_shape_and_range(framework, waves):
    all_ids = [b for ids in area_behaviours(framework).values() for b in ids]
    assert len(all_ids) == 38
    for frame in waves.values():
        assert list(frame.index) == [f"P{i:02d}" for i in range(1, 10)]
        assert list(frame.columns) == all_ids
        assert all(pd.api.types.is_integer_dtype(dtype) for dtype in frame.dtypes)
        assert frame.to_numpy().min() >= 1 and frame.to_numpy().max() <= 10
    changes = (waves["end"] - waves["start"]).to_numpy()
    assert changes.min() >= -1 and changes.max() <= 3  # no absurd jumps
    assert not waves["start"].duplicated().any()  # participants differ


@pytest.mark.parametrize("area_id", list(APPENDIX_3))
def test_area_row_matches_published(framework, waves, area_id):
    ids = area_behaviours(framework)[area_id]
    start = waves["start"][ids].mean(axis=1)
    end = waves["end"][ids].mean(axis=1)
    result = stats.ttest_rel(start, end)
    mean_s, sd_s, mean_e, sd_e, t, df, p, _ = APPENDIX_3[area_id]

    assert format_half_up(start.mean(), 2) == mean_s
    assert format_half_up(start.std(ddof=1), 2) == sd_s
    assert format_half_up(end.mean(), 2) == mean_e
    assert format_half_up(end.std(ddof=1), 2) == sd_e
    assert len(start) - 1 == df
    assert format_p(result.pvalue) == p
    if area_id == "DT":
        assert format_half_up(result.statistic, 3) == DT_REACHABLE_T
        assert format_half_up(result.statistic, 3) != t
    else:
        assert format_half_up(result.statistic, 3) == t


def test_fo_end_mean_is_an_exact_tie_rounded_up(framework, waves):
    ids = area_behaviours(framework)["FO"]
    assert waves["end"][ids].to_numpy().sum() == 549  # 549 / 72 = 7.625
    assert waves["end"][ids].mean(axis=1).mean() == 7.625
    assert format_half_up(7.625, 2) == "7.63"


@pytest.mark.parametrize("area_id", list(APPENDIX_3))
def test_behaviour_level_results(framework, waves, area_id):
    ids = area_behaviours(framework)[area_id]
    start, end = waves["start"][ids], waves["end"][ids]
    p_values = stats.ttest_rel(start, end).pvalue
    assert all(math.isfinite(p) for p in p_values)  # no behaviour with a constant change
    assert int((p_values < 0.05).sum()) == APPENDIX_3[area_id][7]
    assert ((end - start).mean() > 0).all()


def test_participants_file():
    participants = pd.read_csv(DATA_DIR / "participants.csv")
    assert list(participants.columns) == ["participant_id", "gender"]
    assert list(participants["participant_id"]) == [f"P{i:02d}" for i in range(1, 10)]
    assert participants["gender"].value_counts().to_dict() == {"female": 7, "male": 2}


# --- (2) determinism ----------------------------------------------------------


def _fresh_generation(folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    shutil.copy(DATA_DIR / "framework.yml", folder / "framework.yml")
    written = synthetic.write_synthetic_data(folder)
    assert sorted(path.name for path in written) == sorted(CSV_NAMES)
    return {name: (folder / name).read_bytes() for name in CSV_NAMES}


def test_generation_is_byte_identical_and_matches_committed_data(tmp_path):
    first = _fresh_generation(tmp_path / "first")
    second = _fresh_generation(tmp_path / "second")
    assert first == second
    for name in CSV_NAMES:
        assert b"\r" not in first[name]
        assert first[name].endswith(b"\n")
        assert (DATA_DIR / name).read_bytes() == first[name], f"{name} is stale; regenerate"


def test_generated_frames_have_framework_layout(framework):
    frames = synthetic.generate_self_assessment(framework)
    assert set(frames) == {"start", "end"}
    all_ids = [b for ids in area_behaviours(framework).values() for b in ids]
    for frame in frames.values():
        assert list(frame.columns) == ["participant_id", *all_ids]
        assert len(frame) == 9


# --- (3) the Driving Transformation t -----------------------------------------


def test_driving_transformation_t_is_unreachable():
    reach = audit.driving_transformation_reachable_t()
    assert not reach.reachable
    assert reach.total_change == 109
    assert (reach.sum_sq_larger_magnitude, reach.sum_sq_smaller_magnitude) == (1589, 1591)
    assert round(reach.t_larger_magnitude, 4) == -6.2671
    assert round(reach.t_smaller_magnitude, 4) == -6.2439
    assert reach.closest_t == reach.t_larger_magnitude
    assert "-6.2671" in reach.reason and "-6.2439" in reach.reason


def test_driving_transformation_t_by_brute_force():
    # Independent of the generator: DT totals 693 -> 802 over 9 x 12 ratings.
    assert format_half_up(693 / 108, 2) == "6.42" and format_half_up(802 / 108, 2) == "7.43"
    n, delta = 9, 802 - 693

    def t_for(sum_sq: int) -> float:
        return -(delta / n) / math.sqrt((sum_sq - delta**2 / n) / (n - 1) / n)

    # Sums of squares near the target, with and without the parity constraint.
    candidates = range(1500, 1700)
    assert not any(format_half_up(t_for(q), 3) == "-6.256" for q in candidates)
    odd = [q for q in candidates if q % 2 == 1]
    nearest = sorted(odd, key=lambda q: abs(t_for(q) + 6.256))[:2]
    assert sorted(round(t_for(q), 4) for q in nearest) == [-6.2671, -6.2439]


@pytest.mark.parametrize("area_id,n_behaviours", [("SI", 7), ("FC", 11), ("FO", 8)])
def test_other_published_t_values_are_reachable(area_id, n_behaviours):
    mean_start, _, mean_end, _, t, _, _, _ = APPENDIX_3[area_id]
    reach = lattice.nearest_reachable_t(9, n_behaviours, mean_start, mean_end, float(t))
    assert reach.reachable
    assert format_half_up(reach.closest_t, 3) == APPENDIX_3[area_id][4]


def test_generator_reads_the_one_published_table():
    # The generator's targets are the published table's cells, as printed.
    assert synthetic.PUBLISHED_APPENDIX_3["FO"].mean_end == "7.63"
    assert [a.n_significant_behaviours for a in synthetic.PUBLISHED_APPENDIX_3.values()] == [5, 4, 4, 2]
    assert synthetic.target_t("DT", 12) == -6.267
    assert synthetic.target_t("SI", 7) == -7.799


def test_lattice_totals_and_t_from_sums():
    # GRIM: 549 / 72 = 7.625 is the only total of 72 ratings printing as 7.63.
    assert lattice.totals_matching_mean("7.63", 9, 8) == [549]
    assert lattice.totals_matching_mean("6.42", 9, 12) == [693]
    with pytest.raises(ValueError, match="0 totals over 108 ratings give mean 6.425"):
        lattice.single_total("6.425", 9, 12)
    # Changes 1, 2, 3: D = 6, Q = 14, SD 1, mean 2, t = -2 / (1 / sqrt(3)).
    assert lattice.paired_t_from_sums(3, 6, 14) == pytest.approx(-2 * math.sqrt(3))
    assert lattice.paired_t_from_sums(3, 6, 14) == pytest.approx(stats.ttest_rel([0, 0, 0], [1, 2, 3]).statistic)
