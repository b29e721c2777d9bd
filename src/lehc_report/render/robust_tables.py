"""Tables 5.1 to 5.3 of the robustness chapter, as shown in the book and the notebook.

Each function lays out computed checks as a display frame (text cells, rounded half
up, withheld cells marked) and returns it with its caption; the stage writes them as
MyST snippets.  Nothing here computes a statistic or reads a file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lehc_report import privacy
from lehc_report.prose.robust import bayes_factor_text, fmt_or_undefined, p_or_undefined, percent_text
from lehc_report.prose.rounding import format_half_up
from lehc_report.prose.words import alpha_text
from lehc_report.stats.robust_checks import RobustnessChecks

#: File name and MyST label of each table, by the key the notebook shows it under.
TABLES = {
    "areas": ("robustness_areas.md", "tbl-robust-areas"),
    "multiplicity": ("robustness_multiplicity.md", "tbl-robust-multiplicity"),
    "reliability": ("robustness_reliability.md", "tbl-robust-reliability"),
}
SOURCE = "Source: notebook 04_robust."


def _two(value: float) -> str:
    return format_half_up(value, 2)


def areas_table(checks: RobustnessChecks, names: dict[str, str], confidence: float,
                bayes_prior_scale: float) -> tuple[pd.DataFrame, str]:
    """Table 5.1: effect sizes and sensitivity checks for each area's change.

    Rows of areas below the privacy threshold show only that their statistics are withheld.

    Parameters
    ----------
    checks : RobustnessChecks
        Computed checks.
    names : dict
        Area ID to area name.
    confidence : float
        The intervals' level, for the headers (0.95 -> "95% CI").
    bayes_prior_scale : float
        The Bayes factor prior's scale r, for the caption.

    Returns
    -------
    table : DataFrame
        One row per area, text: ``Area``, ``n`` (only when areas have different n or some
        are withheld), ``Mean change [95% CI]``, ``d_z [95% CI]``, ``d_av``, ``Wilcoxon p
        (method)``, ``r_rb``, ``HL change``, ``Shapiro–Wilk W (p)``, ``BF10``, ``Reading``.
    caption : str
    """
    effects, wilcoxon, k = checks.effects, checks.wilcoxon, checks.min_n
    ci = f"{percent_text(confidence)} CI"
    show = pd.DataFrame({"Area": [names[a] for a in effects.index]}, index=effects.index)
    vary_n = checks.area_n[checks.shown_areas].nunique() > 1 or bool(checks.withheld_areas)
    if vary_n:
        show["n"] = checks.area_n.astype(int).astype(str)
    show[f"Mean change [{ci}]"] = [f"{_two(r.mean_change)} [{_two(r.ci_low)}, {_two(r.ci_high)}]" for r in effects.itertuples()]
    show[f"d_z [{ci}]"] = [f"{fmt_or_undefined(r.d_z)} [{_two(r.d_z_ci_low)}, {_two(r.d_z_ci_high)}]" for r in effects.itertuples()]
    show["d_av"] = effects["d_av"].map(_two).to_numpy()
    show["Wilcoxon p (method)"] = [f"{p_or_undefined(r.p)} ({r.method})" for r in wilcoxon.itertuples()]
    show["r_rb"] = wilcoxon["rank_biserial"].map(_two).to_numpy()
    show["HL change"] = wilcoxon["hodges_lehmann"].map(_two).to_numpy()
    show["Shapiro–Wilk W (p)"] = [f"{_two(r.shapiro_w)} ({p_or_undefined(r.shapiro_p)})" for r in checks.normality.itertuples()]
    # Very large Bayes factors in two significant digits ("1.2e+04"), beyond 10^100 as a bound.
    show["BF10"] = checks.bayes["log10_bf10"].map(bayes_factor_text).to_numpy()
    show["Reading"] = checks.bayes["reading"].to_numpy()
    for area in checks.withheld_areas:
        show.loc[area, show.columns[2 if vary_n else 1]:] = "–"
        show.loc[area, f"Mean change [{ci}]"] = privacy.withheld_text(k)
        show.loc[area, "n"] = f"< {k}"
    caption = ("Effect sizes and sensitivity checks for the change in each area score (end minus start). "
               "d_z = mean change / SD of changes (CI from the noncentral t); d_av = mean change / mean of the two SDs; "
               "r_rb = matched-pairs rank-biserial correlation; HL = Hodges–Lehmann estimate; BF10 = Bayes factor "
               f"(JZS prior, r = {bayes_prior_scale:g}). {SOURCE}")
    return show.reset_index(drop=True), caption


def multiplicity_table(checks: RobustnessChecks, names: dict[str, str], area_ids: list[str],
                       published_significant: pd.Series | None) -> tuple[pd.DataFrame, str]:
    """Table 5.2: behaviours with a significant change per area, before and after correction.

    Parameters
    ----------
    checks : RobustnessChecks
        Computed checks.
    names : dict
        Area ID to area name.
    area_ids : list of str
        Every area, in framework order.
    published_significant : Series or None
        The 2013 report's count of behaviours with p < .05 per area ID (Appendix 3), or
        None for a cohort not compared with it.

    Returns
    -------
    table : DataFrame
        One row per area, text: ``Area``, [``Published p < .05``], [``Tested``: "k of K",
        when some behaviours are not tested], ``Reproduced p < .05`` (``p < .05`` without a
        comparison; the level is ``checks.alpha``), ``Pass Holm``, ``Pass Benjamini–Hochberg``,
        ``Wilcoxon, pass Holm``.
    caption : str
    """
    level = alpha_text(checks.alpha)
    survive = pd.DataFrame({"Area": [names[a] for a in area_ids]})
    by_area = checks.behaviours_table().join(checks.behaviour_areas).assign(sig=checks.significant, tested=checks.tested)
    grouped = by_area.groupby("area_id").agg(
        raw=("sig", "sum"), holm=("pass_holm_ttest", "sum"), bh=("pass_bh_ttest", "sum"),
        wil=("wilcoxon_pass_holm", "sum"), tested=("tested", "sum"), total=("tested", "size")).reindex(area_ids)
    if published_significant is not None:
        survive["Published p < .05"] = published_significant.reindex(area_ids).astype("Int64").astype(str).to_numpy()
    if checks.m < len(by_area):
        survive["Tested"] = [f"{int(r.tested)} of {int(r.total)}" for r in grouped.itertuples()]
    survive[f"Reproduced p < {level}" if published_significant is not None else f"p < {level}"] = \
        grouped["raw"].astype(int).astype(str).to_numpy()
    survive["Pass Holm"] = grouped["holm"].astype(int).astype(str).to_numpy()
    survive["Pass Benjamini–Hochberg"] = grouped["bh"].astype(int).astype(str).to_numpy()
    survive["Wilcoxon, pass Holm"] = grouped["wil"].astype(int).astype(str).to_numpy()
    caption = (f"Behaviours with a significant change, before and after correcting for {checks.m} tests "
               f"(t-tests unless stated). {SOURCE}")
    return survive, caption


def reliability_table(checks: RobustnessChecks, names: dict[str, str], wave_labels: dict[str, str],
                      confidence: float) -> tuple[pd.DataFrame, str]:
    """Table 5.3: Cronbach's alpha of each area at each wave, with its Feldt interval.

    Parameters
    ----------
    checks : RobustnessChecks
        Computed checks.
    names : dict
        Area ID to area name.
    wave_labels : dict
        Wave ("start", "end") to its label in the book.
    confidence : float
        The intervals' level, for the header.

    Returns
    -------
    table : DataFrame
        One row per wave and area, text: ``Area``, ``Wave``, ``Behaviours``, [``People``,
        when not everyone], ``Cronbach's alpha [95% CI]`` (withheld below the privacy threshold).
    caption : str
    """
    reliability, k = checks.reliability, checks.min_n
    show = pd.DataFrame({
        "Area": reliability["unit"].map(names),
        "Wave": reliability["wave"].map(wave_labels),
        "Behaviours": reliability["n_items"].astype(int).astype(str),
    })
    people = reliability["n_participants"].astype(int)
    if people.nunique() > 1 or int(people.iloc[0]) != checks.n:
        show["People"] = [str(v) if v >= k else f"< {k}" for v in people]
    show[f"Cronbach's alpha [{percent_text(confidence)} CI]"] = [
        f"{_two(r.alpha)} [{_two(r.ci_low)}, {_two(r.ci_high)}]" if r.n_participants >= k else privacy.withheld_text(k)
        for r in reliability.itertuples()]
    caption = f"Internal consistency of each area at each wave (Cronbach's alpha, Feldt CI). {SOURCE}"
    return show, caption


def withheld_table() -> pd.DataFrame:
    """The placeholder shown for each table when the analysis is withheld.

    Returns
    -------
    DataFrame
        One column ``Robustness analysis``, one row "withheld: too few participants".
    """
    return pd.DataFrame({"Robustness analysis": ["withheld: too few participants"]})
