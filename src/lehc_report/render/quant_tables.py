"""The self-assessment tables as the report prints them (Appendix 3, behaviours, comparison).

Numbers are rounded half up as the 2013 report printed them; a withheld statistic is
said in words ("withheld (n < 5)") and an undefined test shows a dash, never NaN.
"""

from __future__ import annotations

import pandas as pd

from lehc_report.inputs.framework import Framework
from lehc_report.privacy import withheld_text
from lehc_report.prose.quant import significance_label
from lehc_report.prose.rounding import format_half_up, format_p

#: The statistics of a paired-test table that the privacy threshold blanks.
STATISTIC_COLUMNS = ("mean_start", "sd_start", "mean_end", "sd_end", "mean_change", "sd_change", "t", "p")


def withhold_small(table: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Blank every statistic of rows whose n is below the privacy threshold.

    Parameters
    ----------
    table : DataFrame
        A paired-test table (:func:`lehc_report.stats.paired.behaviour_table`): ``n`` and
        any of ``mean_start`` ... ``p``, optionally ``significant``.
    min_group_size : int
        The privacy threshold (``privacy.yml``).

    Returns
    -------
    DataFrame
        A copy where rows with ``n < min_group_size`` keep their n, have NaN statistics
        and a missing ``significant`` (neither significant nor not); ``table`` itself
        when no row is small.
    """
    small = table["n"] < min_group_size
    if not small.any():
        return table
    table = table.copy()
    statistics = [c for c in STATISTIC_COLUMNS if c in table]
    table.loc[small, statistics] = float("nan")
    if "significant" in table:
        table["significant"] = table["significant"].astype("boolean").mask(small)
    return table


def appendix3_display(areas: pd.DataFrame, counts: pd.DataFrame, min_group_size: int, alpha: float) -> pd.DataFrame:
    """The area table as printed: 2 dp means and SDs, 3 dp t and p, half up.

    Parameters
    ----------
    areas : DataFrame
        The area table (:func:`lehc_report.stats.paired.area_table`), one row per area.
    counts : DataFrame
        :func:`lehc_report.stats.paired.significant_counts`, same areas in the same order.
    min_group_size : int
        The privacy threshold: an area with fewer pairs shows no statistic at all.
    alpha : float
        The significance level of the counts, printed in their header ("p < .05").

    Returns
    -------
    DataFrame of str
        Columns ``Leadership area``, ``Behaviours``, ``p < .05``, ``n``, ``Mean start``,
        ``SD start``, ``Mean end``, ``SD end``, ``t``, ``df``, ``p``; an undefined test
        shows "–".
    """
    label = significance_label(alpha)
    show = pd.DataFrame({"Leadership area": areas["area"]})
    show["Behaviours"] = counts["n_behaviours"].astype(int).astype(str).to_numpy()
    show[label] = counts["n_significant"].astype(int).astype(str).to_numpy()
    show["n"] = areas["n"].astype(int).astype(str)
    for col, name in [("mean_start", "Mean start"), ("sd_start", "SD start"), ("mean_end", "Mean end"), ("sd_end", "SD end")]:
        show[name] = areas[col].map(lambda v: format_half_up(v, 2))
    show["t"] = areas["t"].map(lambda v: format_half_up(v, 3))
    show["df"] = areas["df"].map(lambda v: "–" if pd.isna(v) else str(int(v)))
    show["p"] = areas["p"].map(format_p)
    small = (areas["n"] < min_group_size).to_numpy()
    show.loc[small, show.columns[4:]] = withheld_text(min_group_size)
    show.loc[small, label] = "withheld"
    return show


def behaviour_display(behaviours: pd.DataFrame, min_group_size: int, alpha: float) -> pd.DataFrame:
    """The per-behaviour tests as shown in notebook 2, withheld and undefined tests in words.

    Parameters
    ----------
    behaviours : DataFrame
        The behaviour table after :func:`withhold_small`, one row per behaviour.
    min_group_size : int
        The privacy threshold.
    alpha : float
        The significance level, printed in the header of the yes/no column.

    Returns
    -------
    DataFrame of str
        ``ID``, ``Area``, ``n``, ``Mean start``, ``Mean end``, ``Change``, ``t``, ``p``, ``p < .05``.
    """
    label = significance_label(alpha)
    small = behaviours["n"] < min_group_size
    show = pd.DataFrame({
        "ID": behaviours["behaviour_id"], "Area": behaviours["area_id"], "n": behaviours["n"].astype(int).astype(str),
        "Mean start": behaviours["mean_start"].map(lambda v: format_half_up(v, 2)),
        "Mean end": behaviours["mean_end"].map(lambda v: format_half_up(v, 2)),
        "Change": behaviours["mean_change"].map(lambda v: format_half_up(v, 2)),
        "t": behaviours["t"].map(lambda v: format_half_up(v, 3)),
        "p": behaviours["p"].map(format_p),
        label: behaviours["significant"].map(lambda v: "yes" if (not pd.isna(v) and bool(v)) else "no"),
    })
    show.loc[small.to_numpy(), ["Mean start", "Mean end", "Change", "t", "p", label]] = withheld_text(min_group_size)
    return show


def comparison_display(comparison: pd.DataFrame, framework: Framework, alpha: float) -> pd.DataFrame:
    """The cell-by-cell comparison with the published Appendix 3, in words.

    Parameters
    ----------
    comparison : DataFrame
        :func:`lehc_report.published.comparison.compare_with_published`: ``area_id``, ``statistic``,
        ``published``, ``reproduced``, ``match``.
    framework : Framework
        For the area names.
    alpha : float
        The significance level of the compared counts of significant behaviours (the
        published table's, :data:`lehc_report.published.appendix3.PUBLISHED_ALPHA`).

    Returns
    -------
    DataFrame of str
        ``Area``, ``Statistic``, ``Published``, ``Reproduced``, ``Match`` (yes/no).
    """
    labels = {"mean_start": "Mean start", "sd_start": "SD start", "mean_end": "Mean end", "sd_end": "SD end",
              "t": "t", "df": "df", "p": "p", "n_significant": f"Behaviours {significance_label(alpha)}"}
    return pd.DataFrame(
        {
            "Area": comparison["area_id"].map(framework.area_names()),
            "Statistic": comparison["statistic"].map(labels),
            "Published": comparison["published"],
            "Reproduced": comparison["reproduced"],
            "Match": comparison["match"].map({True: "yes", False: "no"}),
        }
    )


def follow_up_display(later: pd.DataFrame, omnibus: pd.DataFrame, min_group_size: int,
                      lasting: pd.DataFrame | None = None) -> pd.DataFrame:
    """Start and end against follow-up per area, beside the omnibus tests over all waves.

    Parameters
    ----------
    later : DataFrame
        The area table of start against follow-up (:func:`lehc_report.stats.paired.area_table`).
    omnibus : DataFrame
        :func:`lehc_report.stats.paired.omnibus_over_waves`, the same areas in the same order
        (``F``, ``p_anova``, ``gg_epsilon``, ``p_anova_gg``, ``friedman_q``, ``p_friedman``).
    min_group_size : int
        The privacy threshold: rows with fewer participants show no statistic.
    lasting : DataFrame, optional
        The area table of end against follow-up (did the change last?), the same areas in
        the same order; its ``t`` and ``p`` become two columns.

    Returns
    -------
    DataFrame of str
    """
    withheld = withheld_text(min_group_size)

    def omnibus_cell(n, statistic, p):
        if n < min_group_size:
            return withheld
        return f"{format_half_up(statistic, 2)} ({format_p(p)})" if pd.notna(statistic) else "too few"

    def epsilon_cell(n, epsilon, p):
        if n < min_group_size:
            return withheld
        return f"{format_p(epsilon, 2)} ({format_p(p)})" if pd.notna(epsilon) else "too few"

    show = pd.DataFrame({
        "Leadership area": later["area"], "n": later["n"].astype(int).astype(str),
        "Mean start": later["mean_start"].map(lambda v: format_half_up(v, 2)),
        "Mean follow-up": later["mean_end"].map(lambda v: format_half_up(v, 2)),
        "t (start − follow-up)": later["t"].map(lambda v: format_half_up(v, 3)),
        "p": later["p"].map(format_p),  # format_p prints "–" for an undefined test
    })
    small = (later["n"] < min_group_size).to_numpy()
    show.loc[small, ["Mean start", "Mean follow-up", "t (start − follow-up)", "p"]] = withheld
    if lasting is not None:
        show["n, end and follow-up"] = lasting["n"].astype(int).astype(str).to_numpy()
        show["t (end − follow-up)"] = lasting["t"].map(lambda v: format_half_up(v, 3)).to_numpy()
        show["p (end − follow-up)"] = lasting["p"].map(format_p).to_numpy()
        show.loc[(lasting["n"] < min_group_size).to_numpy(), ["t (end − follow-up)", "p (end − follow-up)"]] = withheld
    show["n, all waves"] = omnibus["n"].astype(str).to_numpy()
    show["RM-ANOVA F (p)"] = [omnibus_cell(n, f, p) for n, f, p in zip(omnibus["n"], omnibus["F"], omnibus["p_anova"])]
    if "gg_epsilon" in omnibus:
        show["GG ε (corrected p)"] = [epsilon_cell(n, e, p) for n, e, p in
                                      zip(omnibus["n"], omnibus["gg_epsilon"], omnibus["p_anova_gg"])]
    show["Friedman Q (p)"] = [omnibus_cell(n, q, p) for n, q, p in zip(omnibus["n"], omnibus["friedman_q"], omnibus["p_friedman"])]
    return show


def independent_display(table: pd.DataFrame, min_group_size: int, confidence: float) -> pd.DataFrame:
    """The unlinked waves' area table as printed: 2 dp means, SDs and g, 3 dp t and p, half up.

    Parameters
    ----------
    table : DataFrame
        :func:`lehc_report.stats.independent.independent_area_table`, one row per area:
        ``area``, ``n_before``, ``n_after`` (people), ``mean_before``, ``sd_before``,
        ``mean_after``, ``sd_after`` (scale points), ``t``, ``df``, ``p_welch``,
        ``p_brunner_munzel``, ``hedges_g``, ``g_low``, ``g_high``.
    min_group_size : int
        The privacy threshold: an area with fewer people than this at either wave shows
        its counts and no statistic.
    confidence : float
        Coverage of the interval of g, named in its header (e.g. 0.95 -> "95% CI").

    Returns
    -------
    DataFrame
        One row per area: ``Area``, ``n start``, ``n end``, ``Start mean (SD)``,
        ``End mean (SD)``, ``Welch t (df)``, ``p (Welch)``, ``p (Brunner-Munzel)``,
        ``Hedges' g [CI]``; a dash for an undefined statistic.
    """
    def number(value, digits: int) -> str:
        return "–" if pd.isna(value) else format_half_up(value, digits)

    def p_cell(value) -> str:
        return "–" if pd.isna(value) else format_p(value)

    interval = f"Hedges' g [{confidence:.0%} CI]"
    rows = []
    for row in table.itertuples():
        shown = {"Area": row.area, "n start": str(int(row.n_before)), "n end": str(int(row.n_after))}
        if min(row.n_before, row.n_after) < min_group_size:
            hidden = withheld_text(min_group_size)
            shown.update({"Start mean (SD)": hidden, "End mean (SD)": hidden, "Welch t (df)": hidden,
                          "p (Welch)": hidden, "p (Brunner-Munzel)": hidden, interval: hidden})
        else:
            df = "" if pd.isna(row.df) else f" ({format_half_up(row.df, 1)})"
            g = number(row.hedges_g, 2)
            shown.update({
                "Start mean (SD)": f"{number(row.mean_before, 2)} ({number(row.sd_before, 2)})",
                "End mean (SD)": f"{number(row.mean_after, 2)} ({number(row.sd_after, 2)})",
                "Welch t (df)": number(row.t, 3) + (df if not pd.isna(row.t) else ""),
                "p (Welch)": p_cell(row.p_welch), "p (Brunner-Munzel)": p_cell(row.p_brunner_munzel),
                interval: g if g == "–" else f"{g} [{number(row.g_low, 2)}, {number(row.g_high, 2)}]",
            })
        rows.append(shown)
    return pd.DataFrame(rows)
