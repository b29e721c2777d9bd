"""Synthetic self-assessment data that reproduce the published Appendix 3.

The 2013 evaluation never released its raw ratings.  To make the report
reproducible we ship synthetic ratings for 9 participants (P01..P09) on the
38 behaviours of the framework (integers 1..10, at the start and at the end of
the programme) chosen so that recomputing Appendix 3 from them gives the
published numbers.

Calibration method
------------------
An area score is the mean of a participant's ratings over the area's k
behaviours, i.e. an integer *total* divided by k.  Every Appendix 3 statistic
of an area therefore depends only on the 9 start totals S and the 9 end totals
E, which lets us calibrate in two cheap stages:

1. Totals.  A published mean fixes sum(S) (or sum(E)) to the only integer whose
   mean rounds, half up, to the printed value.  So the total change
   Delta = sum(E - S) is fixed, and the paired t statistic then depends only on
   the sum of squares Q of the per-participant changes D = E - S:
   t^2 = Delta^2 (n - 1) / (n Q - Delta^2).  We pick the Q giving the published
   t, find changes D with that sum and sum of squares by a small hill climb,
   draw start totals around a latent "general level" per participant (so people
   look consistent across areas) with the published SD, and shuffle which
   participant gets which change until the end SD also matches.
2. Items.  Each participant's change total is spread over the area's
   behaviours (single-item changes between -1 and +3) by a local search that
   keeps row sums fixed and moves single points between behaviours until the
   required number of behaviours have a clearly significant paired t-test, the
   others clearly do not, and every behaviour has a positive, non-constant
   change; as a second priority it keeps drops and +3 gains rare.
   Start ratings are then drawn around the participant's level plus a
   behaviour effect, clipped so start and end stay within 1..10, and nudged to
   the participant's start total.

Everything is driven by one seeded ``numpy.random.Generator`` and a fixed
search order, and all search decisions use exact integer arithmetic (or
floats computed from exact integer sums), so the output is identical on every
run and machine.  The result is checked against the published table before it
is returned.

One published value cannot be reproduced by any integer ratings: the Driving
Transformation t of -6.256.  See
:func:`lehc_report.published.audit.driving_transformation_reachable_t`;
we use the closest reachable value, -6.2671 (printed -6.267).
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from lehc_report.prose.rounding import format_p, round_half_up
from lehc_report.published import lattice
from lehc_report.published.appendix3 import APPENDIX3_AREAS, APPENDIX3_SIGNIFICANT, PUBLISHED_ALPHA, PUBLISHED_N_COMPLETE

SEED = 20130917
N_PARTICIPANTS = PUBLISHED_N_COMPLETE
PARTICIPANT_IDS = [f"P{i:02d}" for i in range(1, N_PARTICIPANTS + 1)]
RATING_MIN, RATING_MAX = 1, 10

# Single-behaviour change between start and end: a drop of one point at most,
# a gain of three at most (no absurd jumps).
ITEM_CHANGE_MIN, ITEM_CHANGE_MAX = -1, 3

# Per-behaviour paired |t| (df = 8, critical value 2.306).  Each behaviour gets
# its own random target so the p values vary, and all targets stay well away
# from the critical value so significance is unambiguous: |t| >= 2.75 means
# p < .026, |t| <= 1.9 means p > .094.
T_SIGNIFICANT_RANGE = (2.75, 5.0)
T_NOT_SIGNIFICANT_RANGE = (1.2, 1.9)

# Local search over single-behaviour changes.  Realism costs, always second to
# the test results: a change of 0 or +1 is free, +2 nearly so, a drop or a +3
# should be the exception.  Then the step budget, and how many steps without
# improvement to allow once the test results are right.
CHANGE_COST = {-1: 0.06, 0: 0.0, 1: 0.0, 2: 0.003, 3: 0.03}
ITEM_SEARCH_MAX_STEPS = 100000
ITEM_SEARCH_PATIENCE = 8000


@dataclass(frozen=True)
class PublishedArea:
    """One row of the published Appendix 3 as printed, plus its per-behaviour result.

    Attributes
    ----------
    mean_start, sd_start, mean_end, sd_end, t, p : str
        As printed (``"7.56"``, ``"-7.799"``, ``".000"``).
    df : int
    n_significant_behaviours : int
        Behaviours with a per-behaviour paired test p < .05.
    """

    mean_start: str
    sd_start: str
    mean_end: str
    sd_end: str
    t: str
    df: int
    p: str
    n_significant_behaviours: int


def published_areas() -> dict[str, PublishedArea]:
    """The published Appendix 3 (:mod:`lehc_report.published.appendix3`), one entry per area.

    Returns
    -------
    dict
        Area ID (``"SI"``) to :class:`PublishedArea`, in the published order.
    """
    significant = APPENDIX3_SIGNIFICANT.set_index("area_id")["n_significant"]
    return {
        row.area_id: PublishedArea(row.mean_start, row.sd_start, row.mean_end, row.sd_end, row.t, int(row.df), row.p,
                                   int(significant[row.area_id]))
        for row in APPENDIX3_AREAS.itertuples(index=False)
    }


PUBLISHED_APPENDIX_3: dict[str, PublishedArea] = published_areas()


def reachable_t(n_behaviours: int, published: PublishedArea) -> lattice.ReachableT:
    """The reachable paired t values bracketing a published t (see :mod:`lehc_report.published.lattice`).

    Parameters
    ----------
    n_behaviours : int
        Behaviours in the area.
    published : PublishedArea

    Returns
    -------
    lehc_report.published.lattice.ReachableT
    """
    return lattice.nearest_reachable_t(N_PARTICIPANTS, n_behaviours, published.mean_start, published.mean_end,
                                       float(published.t))


# ---------------------------------------------------------------------------
# Stage 1: per-participant area totals
# ---------------------------------------------------------------------------


def _sd_rounds_to(totals: np.ndarray, n_behaviours: int, published_sd: float) -> bool:
    """Does the SD of the area scores round to ``published_sd``?

    Computed from exact integer sums with Python floats (correctly rounded
    division and sqrt) so the decision is the same on every machine.
    """
    n = len(totals)
    total, total_sq = int(totals.sum()), int((totals.astype(np.int64) ** 2).sum())
    sd = math.sqrt((n * total_sq - total**2) / (n * (n - 1))) / n_behaviours
    return _rounds_clearly_to(sd, 2, published_sd)


def _rounds_clearly_to(value: float, places: int, published: float) -> bool:
    """``value`` rounds half up to ``published`` and is not (nearly) a tie.

    An exact tie such as an SD of exactly 0.625 is avoided: other software may
    compute it as 0.62499999... and print 0.62.
    """
    scaled = value * 10**places
    near_tie = abs(scaled - math.floor(scaled) - 0.5) < 1e-6
    return round_half_up(value, places) == published and not near_tie


def _changes_with_sum_and_sum_sq(
    rng: np.random.Generator, n_behaviours: int, total_change: int, sum_sq: int
) -> np.ndarray:
    """Integer per-participant total changes with a given sum and sum of squares."""
    lowest, highest = -2, 2 * n_behaviours  # a slight decline at most, +2 per item at most
    mean = total_change / N_PARTICIPANTS
    sd = math.sqrt((sum_sq - total_change**2 / N_PARTICIPANTS) / (N_PARTICIPANTS - 1))
    for _attempt in range(100):
        draws = np.rint(rng.normal(mean, sd, N_PARTICIPANTS))
        changes = np.clip(draws, lowest, highest).astype(int)
        _shift_to_sum(rng, changes, total_change, lowest, highest)
        # Hill climb: move one point from one participant to another while it
        # brings the sum of squares closer to its target (ties accepted, so the
        # walk can cross plateaus).
        for _step in range(5000):
            gap = int(np.sum(changes**2)) - sum_sq
            if gap == 0:
                return changes
            gainer, loser = rng.choice(N_PARTICIPANTS, size=2, replace=False)
            if changes[gainer] + 1 > highest or changes[loser] - 1 < lowest:
                continue
            new_gap = gap + 2 * (changes[gainer] - changes[loser]) + 2
            if abs(new_gap) <= abs(gap):
                changes[gainer] += 1
                changes[loser] -= 1
    raise RuntimeError("no integer changes with the required sum of squares")


def _shift_to_sum(
    rng: np.random.Generator, values: np.ndarray, target: int, lowest: int, highest: int
) -> None:
    """Add or remove single points at random positions until ``values`` sums to ``target``."""
    while (gap := target - int(values.sum())) != 0:
        step = 1 if gap > 0 else -1
        index = int(rng.integers(len(values)))
        if lowest <= values[index] + step <= highest:
            values[index] += step


def _area_totals(
    rng: np.random.Generator,
    n_behaviours: int,
    published: PublishedArea,
    wanted_t: float,
    general_level: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end totals (9 integers each) matching an Appendix 3 row."""
    start_sum = lattice.single_total(published.mean_start, N_PARTICIPANTS, n_behaviours)
    end_sum = lattice.single_total(published.mean_end, N_PARTICIPANTS, n_behaviours)
    total_change = end_sum - start_sum
    sum_sq = reachable_t(n_behaviours, published).closest_sum_sq
    achieved_t = lattice.paired_t_from_sums(N_PARTICIPANTS, total_change, sum_sq)
    if not _rounds_clearly_to(achieved_t, 3, wanted_t):
        raise RuntimeError(f"t {wanted_t} is not the closest reachable t ({achieved_t})")
    changes = _changes_with_sum_and_sum_sq(rng, n_behaviours, total_change, sum_sq)

    # Area averages must leave room for item-level variation within 1..10.
    lowest, highest = 4 * n_behaviours, int(9.2 * n_behaviours)
    for _attempt in range(2000):
        # Start totals: mostly the participant's general level, partly area-specific.
        latent = 0.75 * general_level + 0.66 * rng.normal(size=N_PARTICIPANTS)
        latent = (latent - latent.mean()) / latent.std(ddof=1)
        start = np.rint(n_behaviours * (float(published.mean_start) + float(published.sd_start) * latent))
        start = np.clip(start, lowest, highest).astype(int)
        _shift_to_sum(rng, start, start_sum, lowest, highest)
        if not _sd_rounds_to(start, n_behaviours, float(published.sd_start)):
            continue
        # Who gained how much: try random assignments until the end SD matches.
        for _shuffle in range(300):
            end = start + rng.permutation(changes)
            if end.max() <= 9.6 * n_behaviours and _sd_rounds_to(
                end, n_behaviours, float(published.sd_end)
            ):
                return start, end
    raise RuntimeError("no start/end totals match the published SDs")


# ---------------------------------------------------------------------------
# Stage 2: spread totals over behaviours
# ---------------------------------------------------------------------------


def _behaviour_penalty(
    column_sum: int, column_sum_sq: int, want_significant: bool, t_target: float
) -> float:
    """How far one behaviour's changes are from the wanted test result (0 = fine).

    A significant behaviour needs t >= ``t_target``, another one t <= ``t_target``.
    """
    if column_sum <= 0:
        return 10.0 + (1 - column_sum)  # mean change must be positive
    spread = N_PARTICIPANTS * column_sum_sq - column_sum**2
    if spread == 0:
        return 10.0  # constant change: t undefined
    t = column_sum * math.sqrt((N_PARTICIPANTS - 1) / spread)
    if want_significant:
        return max(0.0, t_target - t)
    return max(0.0, t - t_target)


def _item_changes(
    rng: np.random.Generator, row_changes: np.ndarray, significant: np.ndarray
) -> np.ndarray:
    """A participants x behaviours matrix of changes with given row sums and test results."""
    n_behaviours = len(significant)
    t_targets = np.where(
        significant,
        rng.uniform(*T_SIGNIFICANT_RANGE, n_behaviours),
        rng.uniform(*T_NOT_SIGNIFICANT_RANGE, n_behaviours),
    )
    change_cost = np.array([CHANGE_COST[v] for v in range(ITEM_CHANGE_MIN, ITEM_CHANGE_MAX + 1)])
    changes = np.zeros((N_PARTICIPANTS, n_behaviours), dtype=int)
    for row, total in enumerate(row_changes):
        # Even spread to begin with; the search below creates the structure.
        base, extra = divmod(int(total), n_behaviours)
        changes[row] = base
        changes[row, rng.permutation(n_behaviours)[:extra]] += 1

    def structure_penalty(col: int) -> float:
        values = changes[:, col]
        return _behaviour_penalty(
            int(values.sum()), int((values**2).sum()), bool(significant[col]), float(t_targets[col])
        )

    def realism_cost(col: int) -> float:
        return float(change_cost[changes[:, col] - ITEM_CHANGE_MIN].sum())

    # Objective per behaviour: (test-result penalty, realism cost), compared
    # lexicographically so realism never buys a worse test result.
    structure = [structure_penalty(col) for col in range(n_behaviours)]
    realism = [realism_cost(col) for col in range(n_behaviours)]
    best_realism, last_improvement = sum(realism), 0
    for step in range(ITEM_SEARCH_MAX_STEPS):
        row = int(rng.integers(N_PARTICIPANTS))
        up, down = (int(c) for c in rng.choice(n_behaviours, size=2, replace=False))
        if changes[row, up] >= ITEM_CHANGE_MAX or changes[row, down] <= ITEM_CHANGE_MIN:
            continue
        before = (structure[up] + structure[down], realism[up] + realism[down])
        changes[row, up] += 1
        changes[row, down] -= 1
        new_structure = (structure_penalty(up), structure_penalty(down))
        new_realism = (realism_cost(up), realism_cost(down))
        # Accept ties too, so the walk can cross plateaus.
        if (sum(new_structure), sum(new_realism)) <= before:
            structure[up], structure[down] = new_structure
            realism[up], realism[down] = new_realism
        else:
            changes[row, up] -= 1
            changes[row, down] += 1
        if any(structure):
            last_improvement = step
        elif sum(realism) < best_realism - 1e-9:
            best_realism, last_improvement = sum(realism), step
        elif step - last_improvement > ITEM_SEARCH_PATIENCE:
            break
    if any(structure_penalty(col) for col in range(n_behaviours)):
        raise RuntimeError("item-level search did not converge")
    return changes


def _start_ratings(
    rng: np.random.Generator, row_totals: np.ndarray, changes: np.ndarray
) -> np.ndarray:
    """Start ratings with given row totals such that start and start + change lie in 1..10."""
    n_behaviours = changes.shape[1]
    lowest = np.maximum(RATING_MIN, RATING_MIN - changes)
    highest = np.minimum(RATING_MAX, RATING_MAX - changes)
    behaviour_effect = rng.normal(0.0, 0.4, n_behaviours)  # some behaviours rated higher by all
    wanted = (
        row_totals[:, None] / n_behaviours
        + behaviour_effect[None, :]
        - behaviour_effect.mean()
        + rng.normal(0.0, 0.6, changes.shape)
    )
    ratings = np.clip(np.rint(wanted), lowest, highest).astype(int)
    for row in range(N_PARTICIPANTS):
        if not lowest[row].sum() <= row_totals[row] <= highest[row].sum():
            raise RuntimeError("start total incompatible with the item changes")
        # Move the rating furthest from its wanted value, one point at a time.
        while (gap := int(row_totals[row]) - int(ratings[row].sum())) != 0:
            step = 1 if gap > 0 else -1
            room = (ratings[row] < highest[row]) if step > 0 else (ratings[row] > lowest[row])
            pull = (wanted[row] - ratings[row]) * step
            col = int(np.argmax(np.where(room, pull, -np.inf)))
            ratings[row, col] += step
    return ratings


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def target_t(area_id: str, n_behaviours: int) -> float:
    """The t the generator aims at: the published one, or the closest reachable one.

    Parameters
    ----------
    area_id : str
        A published area (``"DT"``).
    n_behaviours : int
        Behaviours in the area.

    Returns
    -------
    float
        The published t where whole-number ratings can give it, else the closest
        reachable t rounded half up to 3 places (Driving Transformation: -6.267).
    """
    reach = reachable_t(n_behaviours, PUBLISHED_APPENDIX_3[area_id])
    return reach.printed_t if reach.reachable else round_half_up(reach.closest_t, 3)


def generate_self_assessment(framework: dict) -> dict[str, pd.DataFrame]:
    """Synthetic start and end ratings that reproduce the published Appendix 3.

    Parameters
    ----------
    framework : dict
        The parsed ``framework.yml`` (areas and their behaviours).

    Returns
    -------
    dict
        ``{"start": DataFrame, "end": DataFrame}``; each frame has ``participant_id`` then
        the 38 behaviour IDs in framework order, one row per participant, ratings 1-10.

    Notes
    -----
    Deterministic (seed ``SEED``): area totals are chosen on the integer lattice so that
    each area's published mean, SD and t are reproduced after rounding, then spread over
    the behaviours (see the module docstring).
    """
    rng = np.random.default_rng(SEED)
    general_level = rng.normal(size=N_PARTICIPANTS)  # shared across areas
    start_blocks, end_blocks, columns = [], [], []
    for area in framework["areas"]:
        area_id = area["id"]
        behaviour_ids = [b["id"] for b in area["behaviours"]]
        n_behaviours = len(behaviour_ids)
        published = PUBLISHED_APPENDIX_3[area_id]
        start_totals, end_totals = _area_totals(
            rng, n_behaviours, published, target_t(area_id, n_behaviours), general_level
        )
        significant = np.zeros(n_behaviours, dtype=bool)
        significant[rng.permutation(n_behaviours)[: published.n_significant_behaviours]] = True
        changes = _item_changes(rng, end_totals - start_totals, significant)
        start = _start_ratings(rng, start_totals, changes)
        start_blocks.append(start)
        end_blocks.append(start + changes)
        columns.extend(behaviour_ids)

    frames = {}
    for wave, blocks in (("start", start_blocks), ("end", end_blocks)):
        frame = pd.DataFrame(np.hstack(blocks).astype("int64"), columns=columns)
        frame.insert(0, "participant_id", PARTICIPANT_IDS)
        frames[wave] = frame
    _check_against_published(frames, framework)
    return frames


def generate_participants() -> pd.DataFrame:
    """The participant register: 7 women, 2 men (a fixed assignment, as in the 2013 report).

    Returns
    -------
    DataFrame
        ``participant_id``, ``gender`` (``"female"`` or ``"male"``), one row per participant.
    """
    male = {"P03", "P07"}
    return pd.DataFrame(
        {
            "participant_id": PARTICIPANT_IDS,
            "gender": ["male" if pid in male else "female" for pid in PARTICIPANT_IDS],
        }
    )


def _check_against_published(frames: dict[str, pd.DataFrame], framework: dict) -> None:
    """Raise if the ratings do not reproduce Appendix 3 at its printed precision."""
    start, end = frames["start"], frames["end"]
    for frame in (start, end):
        values = frame.drop(columns="participant_id").to_numpy()
        if values.min() < RATING_MIN or values.max() > RATING_MAX:
            raise AssertionError("rating outside 1..10")
    for area in framework["areas"]:
        ids = [b["id"] for b in area["behaviours"]]
        published = PUBLISHED_APPENDIX_3[area["id"]]
        s, e = start[ids].mean(axis=1), end[ids].mean(axis=1)
        result = stats.ttest_rel(s, e)
        got = (
            round_half_up(s.mean(), 2),
            round_half_up(s.std(ddof=1), 2),
            round_half_up(e.mean(), 2),
            round_half_up(e.std(ddof=1), 2),
            round_half_up(result.statistic, 3),
            format_p(result.pvalue),
        )
        wanted = (
            float(published.mean_start),
            float(published.sd_start),
            float(published.mean_end),
            float(published.sd_end),
            target_t(area["id"], len(ids)),
            published.p,
        )
        if got != wanted:
            raise AssertionError(f"{area['id']}: got {got}, want {wanted}")
        item_p = stats.ttest_rel(start[ids], end[ids]).pvalue
        if not np.isfinite(item_p).all():
            raise AssertionError(f"{area['id']}: a behaviour has a constant change")
        if int((item_p < PUBLISHED_ALPHA).sum()) != published.n_significant_behaviours:
            raise AssertionError(f"{area['id']}: wrong number of significant behaviours")
        if not ((end[ids] - start[ids]).mean() > 0).all():
            raise AssertionError(f"{area['id']}: a behaviour has no positive mean change")


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_synthetic_data(data_dir: Path) -> list[Path]:
    """Write the synthetic CSVs into ``data_dir``, byte for byte the same on every run.

    Parameters
    ----------
    data_dir : Path
        A folder holding ``framework.yml``.

    Returns
    -------
    list of Path
        ``self_assessment_start.csv``, ``self_assessment_end.csv``, ``participants.csv``.

    Raises
    ------
    AssertionError
        The generated ratings do not reproduce the published Appendix 3.
    """
    data_dir = Path(data_dir)
    framework = yaml.safe_load((data_dir / "framework.yml").read_text(encoding="utf-8"))
    waves = generate_self_assessment(framework)
    outputs = {
        "self_assessment_start.csv": waves["start"],
        "self_assessment_end.csv": waves["end"],
        "participants.csv": generate_participants(),
    }
    written = []
    for name, frame in outputs.items():
        path = data_dir / name
        path.write_bytes(_csv_bytes(frame))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    """``python -m lehc_report.tools.synthetic DATA_DIR`` (``make data``): write and list the CSVs.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="folder holding framework.yml")
    args = parser.parse_args(argv)
    for path in write_synthetic_data(args.data_dir):
        print(path, file=sys.stdout)


if __name__ == "__main__":
    main()
