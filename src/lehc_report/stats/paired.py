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
from lehc_report.stats.spread import NOISE_DECIMALS, no_spread


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
    # Only the two waves' rows are spread out (a third wave's would be dropped below);
    # everyone in ``long`` is still listed, so that no one drops out unexplained.
    two_waves = long[long["wave"].isin([before, after])]
    wide = two_waves.pivot_table(index="participant_id", columns=["wave", unit], values=value, aggfunc="first", dropna=False)
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

    Parameters
    ----------
    before, after : pandas.DataFrame
        Participants x units (areas or behaviours) scores at the two waves, float
        (ratings or mean ratings on the cohort's scale), same index and columns;
        NaN where a participant has no value.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``before.columns``, columns ``n`` (pairs), ``mean_start``,
        ``sd_start``, ``mean_end``, ``sd_end``, ``mean_change`` (after - before),
        ``sd_change`` (ddof = 1), ``t`` (``scipy.stats.ttest_rel(before, after)``, so
        negative for a rise), ``df`` = n - 1 and the two-sided ``p``.

    Notes
    -----
    Missing pairs are omitted per column, so ``n`` and ``df`` can differ by unit.
    The test is undefined, and ``t`` and ``p`` are left missing, where fewer than two
    pairs exist or every participant changed by the same amount.  "The same" uses the
    one tolerance of :func:`lehc_report.stats.spread.no_spread`: area scores are means,
    so equal changes can differ in the last bit of a float, and dividing by that noise
    printed "t(4) = -1530164600965940.200"; such an ``sd_change`` is reported as 0,
    its true value.  ``sd_change`` and ``n`` let the report say which case applies.
    """
    both = before.notna() & after.notna()
    b, a = before.where(both), after.where(both)
    n = both.sum(axis=0).to_numpy()
    change = a - b
    flat = no_spread(change.to_numpy(dtype=float), axis=0)
    sd_change = np.where(flat & (n >= 2), 0.0, change.std(ddof=1).to_numpy(dtype=float))
    defined = (n >= 2) & ~flat
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
               after: str = "end", scores: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    scores : DataFrame, optional
        :func:`area_scores` of ``tidy`` with the same ``min_share_answered``, when the
        caller has them already (each area table would otherwise group every rating
        again: a second per 10,000 participants).

    Returns
    -------
    tuple of DataFrame
        One row per area in framework order: ``area_id``, ``area``, ``n``, ``mean_start``,
        ``sd_start``, ``mean_end``, ``sd_end``, ``mean_change``, ``sd_change`` (scale
        points), ``t``, ``df``, ``p`` (paired t-test, before minus after: Student 1908);
        and ``participant_id``, ``reason`` of those left out.
    """
    if scores is None:
        scores = area_scores(tidy, framework, min_share_answered)
    first, second, excluded = paired_wide(scores, "area_id", "score", before, after)
    table = paired_tests(first, second).reindex(framework.area_ids)
    table.index.name = "area_id"
    table.insert(0, "area", table.index.map(framework.area_names()))
    return table.reset_index(), excluded


def behaviour_table(tidy: pd.DataFrame, framework: Framework, alpha: float, before: str = "start",
                    after: str = "end", wide: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> pd.DataFrame:
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
    wide : tuple of DataFrame, optional
        The first two tables of :func:`paired_wide` of ``tidy`` by behaviour for these
        waves (participants x behaviours), when the caller has them already: spreading a
        million ratings out again costs a second at 10,000 participants.

    Returns
    -------
    DataFrame
        One row per behaviour: ``behaviour_id``, ``area_id``, ``label``, the columns of
        :func:`paired_tests` and ``significant`` (p < alpha; False where the test is undefined).
    """
    first, second = wide if wide is not None else paired_wide(tidy, "behaviour_id", "score", before, after)[:2]
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
    """Repeated-measures ANOVA, its sphericity check and correction, and Friedman test per area across all waves.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long area scores, columns ``participant_id``, ``wave``, ``area_id``, ``score``
        (mean rating on the cohort's scale; NA where missing), as from
        :func:`area_scores`.
    framework : Framework
        Gives the area order and the wave order.

    Returns
    -------
    pandas.DataFrame
        One row per area: ``area_id``, ``n`` (participants with a score at every wave),
        ``k_waves``, ``F``, ``df1``, ``df2``, ``p_anova`` (one-way repeated-measures
        ANOVA, ``pingouin.rm_anova``), ``friedman_q``, ``p_friedman``
        (``pingouin.friedman``), and the sphericity columns of the Notes.  NaN where undefined: fewer than three complete
        participants; and, for the ANOVA, where every participant's profile over the
        waves is the same up to a constant (the within-participant changes from the
        first wave have no spread, :func:`lehc_report.stats.spread.no_spread`), so the
        error mean square is 0 and F would be a ratio to floating-point noise.

    Notes
    -----
    Only participants with an area score at every wave enter (pingouin drops the
    others too; we do it first so that ``n`` is reported).  The Friedman test ranks the
    scores within each participant, so they are rounded to
    :data:`lehc_report.stats.spread.NOISE_DECIMALS` decimals first: equal means must
    tie.  pingouin has no vectorised form, so this loops over the areas.  With three or
    more waves the ANOVA's p rests on sphericity (equal variances of all wave
    differences): Mauchly's (1940) test checks it and the Greenhouse-Geisser (1959)
    epsilon corrects both degrees of freedom for its violation (``mauchly_w``,
    ``mauchly_chi2``, ``mauchly_df``, ``p_mauchly``, ``gg_epsilon``, ``p_anova_gg``; with
    two waves epsilon is 1, ``p_anova_gg`` equals ``p_anova`` and Mauchly's columns are
    NaN).  Method: Maxwell & Delaney (2004), *Designing Experiments and Analyzing Data*,
    ch. 11 (ANOVA); Friedman (1937).
    """
    import pingouin as pg

    present = set(scores["wave"].unique())  # the distinct waves, not a set of every row
    waves = [w for w in framework.wave_ids if w in present]
    rows = []
    for area in framework.area_ids:
        data = scores[(scores["area_id"] == area)].dropna(subset=["score"])
        wide = data.pivot_table(index="participant_id", columns="wave", values="score").reindex(columns=waves).dropna()
        long = wide.reset_index().melt(id_vars="participant_id", var_name="wave", value_name="score")
        long["score"] = long["score"].astype(float)
        row = {"area_id": area, "n": len(wide), "k_waves": len(waves),
               "F": np.nan, "df1": np.nan, "df2": np.nan, "p_anova": np.nan, "friedman_q": np.nan, "p_friedman": np.nan,
               "mauchly_w": np.nan, "mauchly_chi2": np.nan, "mauchly_df": np.nan, "p_mauchly": np.nan,
               "gg_epsilon": np.nan, "p_anova_gg": np.nan}
        if len(wide) >= 3:
            values = wide.to_numpy(dtype=float)
            error_free = bool(no_spread(values[:, 1:] - values[:, :1], axis=0).all())
            if not error_free:
                anova = pg.rm_anova(data=long, dv="score", within="wave", subject="participant_id", detailed=False,
                                    correction=True)
                row.update({"F": float(anova["F"].iloc[0]), "df1": float(anova["ddof1"].iloc[0]), "df2": float(anova["ddof2"].iloc[0]),
                            "p_anova": float(anova["p_unc"].iloc[0])})
                if len(waves) >= 3:
                    sphericity = pg.sphericity(data=long, dv="score", within="wave", subject="participant_id")
                    row.update({"mauchly_w": float(sphericity.W), "mauchly_chi2": float(sphericity.chi2),
                                "mauchly_df": float(sphericity.dof), "p_mauchly": float(sphericity.pval),
                                "gg_epsilon": float(anova["eps"].iloc[0]), "p_anova_gg": float(anova["p_GG_corr"].iloc[0])})
                else:
                    row.update({"gg_epsilon": 1.0, "p_anova_gg": row["p_anova"]})
            friedman = pg.friedman(data=long.assign(score=long["score"].round(NOISE_DECIMALS)), dv="score", within="wave", subject="participant_id")
            row.update({"friedman_q": float(friedman["Q"].iloc[0]), "p_friedman": float(friedman["p_unc"].iloc[0])})
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
