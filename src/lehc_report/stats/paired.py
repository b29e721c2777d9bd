"""Self-assessment analysis: area scores, paired tests, per-behaviour tests.

Works on the tidy ratings table written by the cleaning stage (one row per
participant, wave and behaviour).  Everything is vectorised over participants and
behaviours: one groupby or one array call per statistic, never a Python loop per
participant (a 1,000-cohort benchmark in ``bench/`` keeps us honest).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from lehc_report.inputs.framework import Framework


def area_scores(tidy: pd.DataFrame, framework: Framework, min_share_answered: float) -> pd.DataFrame:
    """Mean rating over each area's answered behaviours, per participant and wave.

    An area score with fewer than ``min_share_answered`` of its behaviours answered is
    left missing (``score`` NA), never filled in or imputed.

    Parameters
    ----------
    tidy : DataFrame
        The tidy ratings: ``participant_id``, ``wave``, ``behaviour_id``, ``area_id``,
        ``score`` (Int64, scale points; NA = not answered).
    framework : Framework
        For the number of behaviours per area.
    min_share_answered : float
        The share of an area's behaviours (0 to 1) a score needs answered (``analysis.yml``).

    Returns
    -------
    DataFrame
        One row per participant, wave and area: ``participant_id``, ``wave``, ``area_id``,
        ``score`` (Float64, scale points, the mean of the answered behaviours) and
        ``n_answered`` (behaviours used).
    """
    grouped = tidy.groupby(["participant_id", "wave", "area_id"], sort=False)["score"]
    scores = grouped.agg(score="mean", n_answered="count").reset_index()
    size = scores["area_id"].map(framework.areas.set_index("area_id")["n_behaviours"])
    scores["score"] = scores["score"].astype("Float64").mask(scores["n_answered"] < min_share_answered * size)
    return scores


def paired_wide(long: pd.DataFrame, unit: str, value: str, before: str, after: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Participants x units tables for two waves, plus who was left out and why.

    A participant enters a unit's paired comparison only with a value at both waves;
    everyone else is listed in the third table with the reason.

    Parameters
    ----------
    long : DataFrame
        One row per participant, wave and unit: ``participant_id``, ``wave``, ``unit``, ``value``.
    unit : str
        The column naming the unit (``"area_id"``, ``"behaviour_id"``).
    value : str
        The column of values (``"score"``).
    before, after : str
        The two waves (``"start"``, ``"end"``).

    Returns
    -------
    tuple of DataFrame
        ``before`` and ``after`` values (participants x units, float, NaN = no value) of the
        participants with data at both waves, and ``participant_id``, ``reason`` of the others.
    """
    wide = long.pivot_table(index="participant_id", columns=["wave", unit], values=value, aggfunc="first", dropna=False)
    units = long[unit].drop_duplicates().tolist()
    participants = sorted(long["participant_id"].unique())
    wide = wide.reindex(index=participants)

    def wave_table(wave: str) -> pd.DataFrame:
        if wave in wide.columns.get_level_values(0):
            table = wide[wave].reindex(columns=units)
        else:
            table = pd.DataFrame(index=wide.index, columns=units)
        return table.astype("float64")

    first, second = wave_table(before), wave_table(after)
    has_first, has_second = first.notna().any(axis=1), second.notna().any(axis=1)
    reasons = np.select(
        [~has_first & ~has_second, ~has_first, ~has_second],
        [f"no {before} or {after} data", f"no {before} self-assessment", f"no {after} self-assessment"],
        default="",
    )
    excluded = pd.DataFrame({"participant_id": wide.index, "reason": reasons})
    excluded = excluded[excluded["reason"] != ""].reset_index(drop=True)
    keep = has_first & has_second
    return first[keep], second[keep], excluded


def paired_tests(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Paired t-test per column (before minus after, as the 2013 report did).

    Missing pairs are omitted per column, so ``n`` and ``df`` can differ by unit.
    The test is undefined, and ``t``, ``df`` and ``p`` are left missing, where fewer
    than two pairs exist or every participant changed by the same amount (the SD of
    the changes is 0); ``sd_change`` and ``n`` let the report say which.
    """
    both = before.notna() & after.notna()
    b, a = before.where(both), after.where(both)
    n = both.sum(axis=0).to_numpy()
    change = a - b
    sd_change = change.std(ddof=1).to_numpy()
    defined = (n >= 2) & (sd_change > 0)
    t = np.full(len(n), np.nan)
    p = np.full(len(n), np.nan)
    if defined.any():
        with np.errstate(all="ignore"):  # the undefined columns are masked out below anyway
            result = stats.ttest_rel(b.to_numpy()[:, defined], a.to_numpy()[:, defined], axis=0, nan_policy="omit")
        t[defined] = np.asarray(result.statistic, dtype=float)
        p[defined] = np.asarray(result.pvalue, dtype=float)
    table = pd.DataFrame(
        {
            "n": n,
            "mean_start": b.mean().to_numpy(),
            "sd_start": b.std(ddof=1).to_numpy(),
            "mean_end": a.mean().to_numpy(),
            "sd_end": a.std(ddof=1).to_numpy(),
            "mean_change": change.mean().to_numpy(),
            "sd_change": sd_change,
            "t": t,
            "df": np.where(n >= 2, n - 1, np.nan),
            "p": p,
        },
        index=before.columns,
    )
    return table


def area_table(tidy: pd.DataFrame, framework: Framework, min_share_answered: float, before: str = "start",
               after: str = "end") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Appendix 3 area table and the participants left out of it.

    Parameters
    ----------
    tidy : DataFrame
        The tidy ratings (see :func:`area_scores`).
    framework : Framework
    min_share_answered : float
        The share of an area's behaviours a score needs answered (``analysis.yml``).
    before, after : str
        The waves compared.

    Returns
    -------
    tuple of DataFrame
        One row per area in framework order: ``area_id``, ``area``, ``n``, ``mean_start``,
        ``sd_start``, ``mean_end``, ``sd_end``, ``mean_change``, ``sd_change`` (scale
        points), ``t``, ``df``, ``p`` (paired t-test, before minus after: Student 1908);
        and ``participant_id``, ``reason`` of those left out.
    """
    scores = area_scores(tidy, framework, min_share_answered)
    first, second, excluded = paired_wide(scores, "area_id", "score", before, after)
    table = paired_tests(first, second).reindex(framework.area_ids)
    table.index.name = "area_id"
    table.insert(0, "area", table.index.map(framework.area_names()))
    return table.reset_index(), excluded


def behaviour_table(tidy: pd.DataFrame, framework: Framework, alpha: float, before: str = "start",
                    after: str = "end") -> pd.DataFrame:
    """Per-behaviour paired t-tests, with whether p < alpha, in framework order.

    Parameters
    ----------
    tidy : DataFrame
        The tidy ratings (see :func:`area_scores`).
    framework : Framework
    alpha : float
        The significance level (``analysis.yml``).
    before, after : str
        The waves compared.

    Returns
    -------
    DataFrame
        One row per behaviour: ``behaviour_id``, ``area_id``, ``label``, the columns of
        :func:`paired_tests` and ``significant`` (p < alpha; False where the test is undefined).
    """
    first, second, _ = paired_wide(tidy, "behaviour_id", "score", before, after)
    table = paired_tests(first, second).reindex(framework.behaviour_ids)
    table.index.name = "behaviour_id"
    table = framework.behaviours.set_index("behaviour_id")[["area_id", "label"]].join(table)
    table["significant"] = table["p"] < alpha
    return table.reset_index()


def significant_counts(behaviours: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Behaviours per area, how many are significant and how many improved on average.

    Parameters
    ----------
    behaviours : DataFrame
        :func:`behaviour_table` output (``significant`` at the level it was computed with).
    framework : Framework

    Returns
    -------
    DataFrame
        One row per area in framework order: ``area_id``, ``area``, ``n_behaviours``,
        ``n_significant``, ``n_improved`` (mean change above 0).
    """
    counts = behaviours.groupby("area_id", sort=False).agg(
        n_behaviours=("behaviour_id", "size"),
        n_significant=("significant", "sum"),
        n_improved=("mean_change", lambda s: int((s > 0).sum())),
    )
    counts = counts.reindex(framework.area_ids)
    counts.insert(0, "area", counts.index.map(framework.area_names()))
    return counts.reset_index()


def omnibus_over_waves(scores: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Repeated-measures ANOVA and Friedman test per area across all waves present.

    Only participants with an area score at every wave enter (pingouin drops the
    others too; we do it first so that ``n`` is reported).  pingouin has no
    vectorised form, so this loops over the (four) areas.
    """
    import pingouin as pg

    waves = [w for w in framework.wave_ids if w in set(scores["wave"])]
    rows = []
    for area in framework.area_ids:
        data = scores[(scores["area_id"] == area)].dropna(subset=["score"])
        wide = data.pivot_table(index="participant_id", columns="wave", values="score").reindex(columns=waves).dropna()
        long = wide.reset_index().melt(id_vars="participant_id", var_name="wave", value_name="score")
        long["score"] = long["score"].astype(float)
        row = {"area_id": area, "n": len(wide), "k_waves": len(waves),
               "F": np.nan, "df1": np.nan, "df2": np.nan, "p_anova": np.nan, "friedman_q": np.nan, "p_friedman": np.nan}
        if len(wide) >= 3:
            anova = pg.rm_anova(data=long, dv="score", within="wave", subject="participant_id", detailed=False)
            friedman = pg.friedman(data=long, dv="score", within="wave", subject="participant_id")
            row.update({"F": float(anova["F"].iloc[0]), "df1": float(anova["ddof1"].iloc[0]), "df2": float(anova["ddof2"].iloc[0]),
                        "p_anova": float(anova["p_unc"].iloc[0]),
                        "friedman_q": float(friedman["Q"].iloc[0]), "p_friedman": float(friedman["p_unc"].iloc[0])})
        rows.append(row)
    return pd.DataFrame(rows)


def cohort_area_tests(tidy: pd.DataFrame, framework: Framework, before: str = "start", after: str = "end") -> pd.DataFrame:
    """Paired area t-tests for many cohorts at once (``tidy`` has a ``cohort`` column).

    One groupby for the area scores, one pivot, one ``ttest_rel`` over an array of
    shape (participants, cohorts x areas), with missing pairs omitted per column, so
    1,000 cohorts cost about as much as one.  Area scores here are plain means of the
    answered behaviours (the benchmark's cohorts answer every behaviour).

    Parameters
    ----------
    tidy : DataFrame
        Tidy ratings with a ``cohort`` column.
    framework : Framework
    before, after : str
        The waves compared.

    Returns
    -------
    DataFrame
        One row per cohort and area: ``cohort``, ``area_id``, ``n``, ``t``, ``p``, ``df``.
    """
    scores = tidy.groupby(["cohort", "participant_id", "wave", "area_id"], sort=False)["score"].mean().astype("float64")
    wide = scores.unstack("wave")
    wide = wide[[before, after]].dropna()
    first = wide[before].unstack(["cohort", "area_id"])
    second = wide[after].unstack(["cohort", "area_id"]).reindex(columns=first.columns)
    result = stats.ttest_rel(first.to_numpy(), second.to_numpy(), axis=0, nan_policy="omit")
    out = pd.DataFrame({"n": first.notna().sum().to_numpy(), "t": np.asarray(result.statistic, float), "p": np.asarray(result.pvalue, float)},
                       index=first.columns)
    out["df"] = out["n"] - 1
    return out.reset_index()
