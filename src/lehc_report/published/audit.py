"""Can integer data produce the published Appendix 3?  A consistency audit.

With ``n`` participants rating ``k`` behaviours as whole numbers, an area score is a
participant total divided by ``k``, so:

* a mean is ``S / (n k)`` for a whole number ``S`` (the GRIM test);
* a standard deviation is ``sqrt((Q - S^2/n) / (n - 1)) / k`` where ``Q``, the sum of
  squared totals, is a whole number with the same parity as ``S`` (since
  ``s^2`` and ``s`` are both odd or both even; the GRIMMER idea);
* a paired t is ``(D/n) / sqrt((Qd - D^2/n) / (n (n - 1)))`` for the total change ``D``
  and the sum of squared per-participant changes ``Qd``, again of ``D``'s parity;
* a t, with the means and SDs printed beside it, implies a start-end correlation,
  which must lie between -1 and 1.

Each published cell is checked against these lattices at its printed precision,
and a p value against the t and df printed beside it.  The lattice arithmetic itself is
in :mod:`lehc_report.published.lattice` (shared with the synthetic-data generator).
"""

from __future__ import annotations

import math

import pandas as pd
from scipy import stats

from lehc_report.published.appendix3 import APPENDIX3_AREAS, APPENDIX3_SIGNIFICANT, PUBLISHED_N_COMPLETE
from lehc_report.published.lattice import ReachableT, nearest_reachable_t, reachable_t_near, totals_matching_mean
from lehc_report.prose.rounding import format_half_up, format_p


def sd_is_reachable(published: str, totals: list[int], n: int, k: int) -> bool:
    """Is there a sum of squared totals Q (parity of S) giving an SD that prints as ``published``?

    Parameters
    ----------
    published : str
        The SD as printed (``"0.63"``).
    totals : list of int
        The grand totals the printed mean allows (:func:`lehc_report.published.lattice.totals_matching_mean`).
    n, k : int
        Participants and behaviours in the area.

    Returns
    -------
    bool

    Notes
    -----
    The GRIMMER idea: Anaya (2016), "The GRIMMER test", *PeerJ Preprints* 4:e2400.
    """
    places = len(published.split(".")[1])
    half = 0.5 * 10 ** -places
    for s in totals:
        low = (max(float(published) - half, 0) * k) ** 2 * (n - 1) + s * s / n
        high = ((float(published) + half) * k) ** 2 * (n - 1) + s * s / n
        for q in range(math.floor(low), math.ceil(high) + 1):
            if q % 2 != s % 2:
                continue
            var = (q - s * s / n) / (n - 1)
            if var >= 0 and format_half_up(math.sqrt(var) / k, places) == published:
                return True
    return False


def implied_correlation(rec, n: int) -> dict[str, float]:
    """Is a printed t compatible with the printed means and SDs?

    The paired t fixes the SD of the changes, ``|mean_end - mean_start| sqrt(n) / |t|``;
    with the two SDs that implies the start-end correlation
    ``r = (sd_start^2 + sd_end^2 - sd_change^2) / (2 sd_start sd_end)``, which must lie
    in [-1, 1] (the variance of a difference: any statistics textbook).

    Parameters
    ----------
    rec : namedtuple
        A row of the published table (``mean_start``, ``sd_start``, ``mean_end``,
        ``sd_end``, ``t`` as printed strings).
    n : int
        Participants.

    Returns
    -------
    dict
        ``sd_change`` (scale points) and ``r`` (the implied correlation).
    """
    diff = float(rec.mean_end) - float(rec.mean_start)
    sd_change = abs(diff) * math.sqrt(n) / abs(float(rec.t))
    s1, s2 = float(rec.sd_start), float(rec.sd_end)
    return {"sd_change": sd_change, "r": (s1 * s1 + s2 * s2 - sd_change**2) / (2 * s1 * s2)}


def audit_published_table(n: int, items_per_area: dict[str, int], table: pd.DataFrame = APPENDIX3_AREAS) -> pd.DataFrame:
    """One row per published cell: can whole-number ratings from ``n`` participants produce it?

    Parameters
    ----------
    n : int
        Participants (the published n).
    items_per_area : dict
        Area ID to behaviours in the area.
    table : DataFrame
        The published table as printed strings (default: the 2013 Appendix 3).

    Returns
    -------
    DataFrame
        Per area, one row for each mean, SD, t, the t against the means and SDs, and p:
        ``area_id``, ``statistic``, ``published``, ``reachable`` (bool), ``note`` (why).
    """
    rows = []
    for rec in table.itertuples(index=False):
        k = items_per_area[rec.area_id]
        totals = {w: totals_matching_mean(getattr(rec, f"mean_{w}"), n, k) for w in ("start", "end")}
        for w in ("start", "end"):
            rows.append({"area_id": rec.area_id, "statistic": f"mean_{w}", "published": getattr(rec, f"mean_{w}"),
                         "reachable": bool(totals[w]), "note": f"grand totals {totals[w]} of {n * k} ratings"})
            sd_ok = sd_is_reachable(getattr(rec, f"sd_{w}"), totals[w], n, k)
            rows.append({"area_id": rec.area_id, "statistic": f"sd_{w}", "published": getattr(rec, f"sd_{w}"),
                         "reachable": sd_ok, "note": "a sum of squared totals of the right parity exists" if sd_ok else "no integer data give this SD"})
        changes = sorted({e - s for s in totals["start"] for e in totals["end"]})
        nearest = reachable_t_near(float(rec.t), changes, n)
        t_ok = bool((nearest["t"].map(lambda v: format_half_up(v, 3)) == rec.t).any())
        t_note = "; ".join(f"D={r.total_change}, sum of squared changes={r.sum_sq_changes}: t={r.t:.4f}" for r in nearest.itertuples())
        rows.append({"area_id": rec.area_id, "statistic": "t", "published": rec.t, "reachable": t_ok,
                     "note": ("reachable; nearest " if t_ok else "NOT reachable; nearest achievable ") + t_note})
        implied = implied_correlation(rec, n)
        rows.append({"area_id": rec.area_id, "statistic": "t vs means and SDs", "published": rec.t,
                     "reachable": bool(-1 <= implied["r"] <= 1),
                     "note": f"implies an SD of changes of {implied['sd_change']:.3f} and a start-end correlation of {implied['r']:.2f}"})
        p_from_t = 2 * stats.t.sf(abs(float(rec.t)), int(rec.df))
        rows.append({"area_id": rec.area_id, "statistic": "p", "published": rec.p,
                     "reachable": format_p(p_from_t) == rec.p, "note": f"p from the printed t and df = {p_from_t:.5f}"})
    return pd.DataFrame(rows)


def published_behaviours_per_area() -> dict[str, int]:
    """Behaviours per area of the 2013 framework, as the published table counts them.

    Returns
    -------
    dict
        Area ID to number of behaviours (``{"SI": 7, "DT": 12, "FC": 11, "FO": 8}``).
    """
    return APPENDIX3_SIGNIFICANT.set_index("area_id")["n_behaviours"].astype(int).to_dict()


def driving_transformation_reachable_t() -> ReachableT:
    """Why the published Driving Transformation t (-6.256) cannot be reproduced.

    DT has 12 behaviours, so 9 x 12 = 108 ratings per wave; the published means
    6.42 and 7.43 fix the totals at 693 and 802, a total change of 109.  The sum
    of squared per-participant changes must then be odd; 1589 and 1591 give
    t = -6.2671 and -6.2439, which bracket -6.256.

    Returns
    -------
    lehc_report.published.lattice.ReachableT
    """
    published = APPENDIX3_AREAS.set_index("area_id").loc["DT"]
    return nearest_reachable_t(PUBLISHED_N_COMPLETE, published_behaviours_per_area()["DT"],
                               published["mean_start"], published["mean_end"], float(published["t"]))


def driving_transformation_arithmetic() -> dict[str, str]:
    """The arithmetic behind "the published Driving Transformation t is not reproducible", as glue.

    Returns
    -------
    dict
        ``dt_t_published``, ``dt_total_start``, ``dt_total_end`` (the grand totals the printed
        means allow), ``dt_total_change``, ``dt_n_ratings``, ``dt_t_reachable_low`` /
        ``_high`` and ``dt_sumsq_low`` / ``_high`` (the reachable t values either side of the
        printed one, 4 dp, and their sums of squared changes) and ``dt_t_nearest``.
    """
    published = APPENDIX3_AREAS.set_index("area_id").loc["DT"]
    n, k = PUBLISHED_N_COMPLETE, published_behaviours_per_area()["DT"]
    totals_start = totals_matching_mean(published["mean_start"], n, k)
    totals_end = totals_matching_mean(published["mean_end"], n, k)
    near = reachable_t_near(float(published["t"]), sorted({e - s for s in totals_start for e in totals_end}), n)
    near = near.sort_values("t")
    return {
        "dt_t_published": published["t"],
        "dt_total_start": ", ".join(map(str, totals_start)),
        "dt_total_end": ", ".join(map(str, totals_end)),
        "dt_total_change": ", ".join(str(int(d)) for d in near["total_change"].unique()),
        "dt_n_ratings": str(n * k),
        "dt_t_reachable_low": f"{near['t'].iloc[0]:.4f}",
        "dt_t_reachable_high": f"{near['t'].iloc[1]:.4f}",
        "dt_sumsq_low": str(int(near["sum_sq_changes"].iloc[0])),
        "dt_sumsq_high": str(int(near["sum_sq_changes"].iloc[1])),
        "dt_t_nearest": f"{near.loc[near['distance'].idxmin(), 't']:.4f}",
    }


def published_tie() -> dict[str, str]:
    """The published Fostering Outcomes end mean (7.63) and the exact means that print as it.

    The only grand total that prints as 7.63 gives exactly 7.625: a tie the 2013 report
    rounded up, where Python's ``round`` would print 7.62.

    Returns
    -------
    dict
        ``fo_published_end`` (as printed), ``fo_mean_end_exact`` (the exact means, " or "
        between them) and ``fo_mean_end_half_even`` (those means rounded half to even).
    """
    published_fo = APPENDIX3_AREAS.set_index("area_id").loc["FO", "mean_end"]
    k = published_behaviours_per_area()["FO"]
    exact = [total / (k * PUBLISHED_N_COMPLETE) for total in totals_matching_mean(published_fo, PUBLISHED_N_COMPLETE, k)]
    return {
        "fo_published_end": published_fo,
        "fo_mean_end_exact": " or ".join(f"{v:.6f}".rstrip("0") for v in exact),
        "fo_mean_end_half_even": " or ".join(f"{v:.2f}" for v in exact),
    }
