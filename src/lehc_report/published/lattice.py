"""The integer lattice behind a table of means, SDs and paired t values of rating scales.

With ``n`` participants rating ``k`` behaviours as whole numbers, an area score is a
participant's total divided by ``k``, so:

* a mean is ``S / (n k)`` for a whole-number grand total ``S`` (the GRIM test: Brown and
  Heathers 2017, "The GRIM test", *Social Psychological and Personality Science* 8(4));
* a paired t (start minus end) is ``-D sqrt((n - 1) / (n Q - D^2))`` for the total change
  ``D`` and the sum ``Q`` of squared per-participant changes, a whole number of ``D``'s
  parity (``d^2`` and ``d`` are both odd or both even; the GRIMMER idea: Anaya 2016).

So only a discrete set of t values is reachable for given means.  The audit of the
published table (:mod:`lehc_report.published.audit`) and the synthetic-data generator
(:mod:`lehc_report.tools.synthetic`) both use these functions: one copy of the arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lehc_report.prose.rounding import format_half_up


def totals_matching_mean(printed_mean: str, n: int, k: int) -> list[int]:
    """Whole-number grand totals whose mean prints, half up, as ``printed_mean`` (GRIM).

    Parameters
    ----------
    printed_mean : str
        A mean as printed, e.g. ``"7.63"``; its decimals give the precision.
    n : int
        Participants.
    k : int
        Behaviours per participant (ratings per participant in the area).

    Returns
    -------
    list of int
        Every total ``S`` with ``S / (n k)`` printing as ``printed_mean``, ascending;
        empty when no whole-number ratings give that mean.

    Notes
    -----
    GRIM test: Brown and Heathers (2017), *Social Psychological and Personality Science* 8(4).
    """
    places = len(printed_mean.split(".")[1])
    centre = float(printed_mean) * n * k
    candidates = range(math.floor(centre - n * k * 10 ** -places), math.ceil(centre + n * k * 10 ** -places) + 1)
    return [s for s in candidates if format_half_up(s / (n * k), places) == printed_mean]


def paired_t_from_sums(n: int, total_change: int, sum_sq_change: int) -> float:
    """Paired t (start minus end) from the sum and the sum of squares of the changes.

    Parameters
    ----------
    n : int
        Pairs.
    total_change : int
        ``D``, the sum of the end-minus-start changes (area totals, so whole numbers).
    sum_sq_change : int
        ``Q``, the sum of the squared changes; ``n Q > D^2``.

    Returns
    -------
    float
        ``-D sqrt((n - 1) / (n Q - D^2))``: the paired t of start minus end, as the 2013
        report computed it (negative when scores rose).
    """
    spread = n * sum_sq_change - total_change**2  # = n (n-1) var(change)
    return -total_change * math.sqrt((n - 1) / spread)


def reachable_t_near(target: float, total_changes: list[int], n: int, count: int = 2) -> pd.DataFrame:
    """The paired t values whole-number data can give that lie nearest ``target``.

    For each total change ``D``, ``Q`` runs over whole numbers of ``D``'s parity around
    the (continuous) solution of t(Q) = target; t is monotone in ``Q``, so the nearest
    values on either side of the target are among them.

    Parameters
    ----------
    target : float
        The printed t.
    total_changes : list of int
        Every total change the printed means allow (end totals minus start totals).
    n : int
        Pairs.
    count : int
        How many of the nearest t values to return.

    Returns
    -------
    DataFrame
        ``count`` rows, nearest first: ``total_change``, ``sum_sq_changes``, ``t``,
        ``distance`` (``|t - target|``).
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


@dataclass(frozen=True)
class ReachableT:
    """The two reachable paired t values that bracket a printed t, for one total change.

    Attributes
    ----------
    printed_t : float
    reachable : bool
        Whether one of the two prints (3 dp, half up) as ``printed_t``.
    t_larger_magnitude, t_smaller_magnitude : float
        The reachable t just beyond and just short of the printed value.
    sum_sq_larger_magnitude, sum_sq_smaller_magnitude : int
        Their sums of squared changes.
    closest_t : float
    closest_sum_sq : int
    total_change : int
    reason : str
        The arithmetic in a sentence.
    """

    printed_t: float
    reachable: bool
    t_larger_magnitude: float
    t_smaller_magnitude: float
    sum_sq_larger_magnitude: int
    sum_sq_smaller_magnitude: int
    closest_t: float
    closest_sum_sq: int
    total_change: int
    reason: str


def single_total(printed_mean: str, n: int, k: int) -> int:
    """The one whole-number grand total whose mean prints as ``printed_mean``.

    Parameters
    ----------
    printed_mean : str
    n, k : int
        Participants and behaviours, as in :func:`totals_matching_mean`.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        No total, or more than one, prints as ``printed_mean``.
    """
    fits = totals_matching_mean(printed_mean, n, k)
    if len(fits) != 1:
        raise ValueError(f"{len(fits)} totals over {n * k} ratings give mean {printed_mean}")
    return fits[0]


def nearest_reachable_t(n: int, k: int, mean_start: str, mean_end: str, printed_t: float) -> ReachableT:
    """The two paired t values whole-number ratings can give that bracket ``printed_t``.

    The printed means fix the grand totals, hence the total change ``D``; t then depends
    only on ``Q``, the sum of squared per-participant changes, a whole number of ``D``'s
    parity.  Consecutive admissible ``Q`` differ by 2, so t takes a discrete set of values.

    Parameters
    ----------
    n : int
        Participants.
    k : int
        Behaviours in the area.
    mean_start, mean_end : str
        The printed means, e.g. ``"6.42"``.
    printed_t : float
        The printed paired t (start minus end).

    Returns
    -------
    ReachableT

    Raises
    ------
    ValueError
        A printed mean matches no single whole-number total.
    """
    total_change = single_total(mean_end, n, k) - single_total(mean_start, n, k)
    # Continuous solution of t(Q) = printed t, then the admissible Q around it.
    exact_q = (total_change**2 * (n - 1) / printed_t**2 + total_change**2) / n
    q_low = math.floor(exact_q)
    if q_low % 2 != total_change % 2:
        q_low -= 1
    q_high = q_low + 2
    t_low_q = paired_t_from_sums(n, total_change, q_low)  # larger |t|
    t_high_q = paired_t_from_sums(n, total_change, q_high)
    closest_q, closest_t = min(((q_low, t_low_q), (q_high, t_high_q)), key=lambda pair: abs(pair[1] - printed_t))
    reachable = any(format_half_up(t, 3) == format_half_up(printed_t, 3) for t in (t_low_q, t_high_q))
    parity = "odd" if total_change % 2 else "even"
    reason = (
        f"With {n} participants and {k} behaviours the published means fix the "
        f"totals, so the per-participant total changes sum to {total_change}; their sum of "
        f"squares must then be {parity}, and the nearest admissible values {q_low} and "
        f"{q_high} give t = {t_low_q:.4f} and {t_high_q:.4f}"
    )
    if reachable:
        reason += f", so the published t = {printed_t:.3f} is reachable."
    else:
        skipped_t = paired_t_from_sums(n, total_change, q_low + 1)
        reason += (
            f"; the published t = {printed_t:.3f} lies between them and cannot be "
            f"produced by integer ratings (even the inadmissible {q_low + 1} would give "
            f"{skipped_t:.4f}). The closest reachable value is {closest_t:.4f}."
        )
    return ReachableT(
        printed_t=printed_t, reachable=reachable,
        t_larger_magnitude=t_low_q, t_smaller_magnitude=t_high_q,
        sum_sq_larger_magnitude=q_low, sum_sq_smaller_magnitude=q_high,
        closest_t=closest_t, closest_sum_sq=closest_q, total_change=total_change, reason=reason,
    )
