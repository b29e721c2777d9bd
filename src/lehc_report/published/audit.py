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
and a p value against the t and df printed beside it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from lehc_report.published.appendix3 import APPENDIX3_AREAS
from lehc_report.prose.rounding import format_half_up, format_p


def totals_matching_mean(published: str, n: int, k: int) -> list[int]:
    """Whole-number grand totals S whose mean S/(n k) prints as ``published``."""
    places = len(published.split(".")[1])
    centre = float(published) * n * k
    candidates = range(math.floor(centre - n * k * 10 ** -places), math.ceil(centre + n * k * 10 ** -places) + 1)
    return [s for s in candidates if format_half_up(s / (n * k), places) == published]


def sd_is_reachable(published: str, totals: list[int], n: int, k: int) -> bool:
    """Is there a sum of squares Q (parity of S) giving an SD that prints as ``published``?"""
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


def reachable_t_near(target: float, total_changes: list[int], n: int, count: int = 2) -> pd.DataFrame:
    """The achievable paired t values nearest ``target`` for the given total changes.

    ``Qd`` runs over whole numbers of the parity of ``D``; t is monotone in ``Qd``,
    so the nearest values on either side of the target are found by solving for Qd.
    """
    rows = []
    for d in total_changes:
        if d == 0:
            continue
        mean = d / n
        # t = -mean / sqrt(var/n) with the sign of (start - end); solve |t| for Qd.
        var_needed = (mean / target) ** 2 * n
        q_centre = var_needed * (n - 1) + d * d / n
        for q in range(math.floor(q_centre) - 4, math.ceil(q_centre) + 5):
            if q % 2 != d % 2 or q - d * d / n <= 0:
                continue
            t = -np.sign(d) * abs(mean) / math.sqrt((q - d * d / n) / (n - 1) / n)
            rows.append({"total_change": d, "sum_sq_changes": q, "t": t, "distance": abs(t - target)})
    table = pd.DataFrame(rows).sort_values("distance", kind="stable").head(count)
    return table.reset_index(drop=True)


def implied_correlation(rec, n: int) -> dict[str, float]:
    """Is a printed t compatible with the printed means and SDs?

    The paired t fixes the SD of the changes, ``|mean_end - mean_start| sqrt(n) / |t|``;
    with the two SDs that implies the start-end correlation
    ``r = (sd_start^2 + sd_end^2 - sd_change^2) / (2 sd_start sd_end)``, which must lie
    in [-1, 1].
    """
    diff = float(rec.mean_end) - float(rec.mean_start)
    sd_change = abs(diff) * math.sqrt(n) / abs(float(rec.t))
    s1, s2 = float(rec.sd_start), float(rec.sd_end)
    return {"sd_change": sd_change, "r": (s1 * s1 + s2 * s2 - sd_change**2) / (2 * s1 * s2)}


def audit_published_table(n: int, items_per_area: dict[str, int], table: pd.DataFrame = APPENDIX3_AREAS) -> pd.DataFrame:
    """One row per published cell: can integer data of this n produce it?"""
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
