"""Every robustness check on one cohort's ratings, computed in one call.

:func:`robustness_checks` runs the functions of :mod:`lehc_report.stats.robustness` on the
area scores and on the single behaviours, each unit on its own available pairs, and
returns them in a :class:`RobustnessChecks`.  It computes and does nothing else: no
file is written and no sentence is worded here (``prose/robust.py`` words the result,
``render/robust_tables.py`` lays out its tables, ``stages/robust.py`` writes them).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lehc_report.inputs.framework import Framework
from lehc_report.stats import paired, robustness

__all__ = ["RobustnessChecks", "paired_units", "robustness_checks"]


@dataclass(frozen=True)
class RobustnessChecks:
    """The robustness checks of one cohort (areas and behaviours), ready to word and show.

    Frames indexed by area ID are in framework order and hold every area; an area with
    fewer pairs than ``min_n`` has only its ``n`` (every statistic NaN).  Likewise for
    frames indexed by behaviour ID.  Change is always end minus start.

    Attributes
    ----------
    n : int
        Participants with ratings at both waves.
    min_n : int
        Fewest pairs for which a statistic is computed (``min_group_size`` in ``privacy.yml``).
    alpha : float
        Significance level the counts and passes below use.
    area_before, area_after : DataFrame
        Area scores at start and end, participants (with data at both waves) x area IDs,
        float, NaN where a participant has no score for the area at that wave.
    excluded : DataFrame
        Participants left out of the pairing (rated at one wave only), from
        :func:`lehc_report.stats.paired.paired_wide`.
    area_n, item_n : Series
        Pairs available per area / per behaviour (int).
    shown_areas : list of str
        Areas with at least ``min_n`` pairs: the areas with statistics.
    withheld_areas : list of str
        The other areas (only their n is shown).
    effects : DataFrame
        Per area: :func:`~lehc_report.stats.robustness.paired_effect_sizes` (``n``,
        ``mean_change``, ``ci_low``, ``ci_high``, ``t``, ``p_ttest``, ``d_z`` with
        ``d_z_ci_low``/``d_z_ci_high``, ``d_av``, ...).
    wilcoxon : DataFrame
        Per area: :func:`~lehc_report.stats.robustness.wilcoxon_signed_rank` (``p``,
        ``method``, ``rank_biserial``, ``hodges_lehmann``, ...).
    normality : DataFrame
        Per area: Shapiro–Wilk on the changes (``shapiro_w``, ``shapiro_p``).
    bayes : DataFrame
        Per area: JZS Bayes factors (``bf10``, ``bf01``, ``favours``, ``strength``, ``reading``).
    rtm : DataFrame
        Per area: regression to the mean (``r_start_change``, ``r_mean_change`` and their p).
    area_holm : Series
        Per area: Holm-adjusted paired t-test p over the areas with a p value.
    item_effects, item_wilcoxon : DataFrame
        Per behaviour: effect sizes and Wilcoxon tests, as for the areas.
    tested : Series of bool
        Per behaviour: in the family of tests (at least ``min_n`` pairs and a defined t-test).
    p_t : Series
        Per behaviour: the published analysis's paired t-test p
        (:func:`lehc_report.stats.paired.behaviour_table`), NaN outside the family.
    corrections : DataFrame
        Holm and Benjamini–Hochberg corrections of ``p_t``
        (:func:`~lehc_report.stats.robustness.multiple_comparisons`).
    wilcoxon_corrections : DataFrame
        Holm and Benjamini–Hochberg corrections of the behaviours' Wilcoxon p.
    m : int
        Size of the family: behaviours tested.
    significant : Series of bool
        Per behaviour: raw t-test p below ``alpha``.
    behaviour_areas : Series
        Per behaviour: its area ID.
    reliability : DataFrame
        One row per wave and area: ``wave``, ``unit`` (area ID), ``n_items``,
        ``n_participants``, ``alpha`` (Cronbach's), ``ci_low``, ``ci_high`` (Feldt).
    ceiling : DataFrame
        Per behaviour: end ratings at or above ``ceiling_threshold`` (``n_ratings``,
        ``n_at_or_above``, ``share``).
    ceiling_threshold : float
        The rating counted as near the ceiling (scale maximum minus the ceiling offset).
    """

    n: int
    min_n: int
    alpha: float
    area_before: pd.DataFrame
    area_after: pd.DataFrame
    excluded: pd.DataFrame
    area_n: pd.Series
    item_n: pd.Series
    shown_areas: list[str]
    withheld_areas: list[str]
    effects: pd.DataFrame | None = None
    wilcoxon: pd.DataFrame | None = None
    normality: pd.DataFrame | None = None
    bayes: pd.DataFrame | None = None
    rtm: pd.DataFrame | None = None
    area_holm: pd.Series | None = None
    item_effects: pd.DataFrame | None = None
    item_wilcoxon: pd.DataFrame | None = None
    tested: pd.Series | None = None
    p_t: pd.Series | None = None
    corrections: pd.DataFrame | None = None
    wilcoxon_corrections: pd.DataFrame | None = None
    m: int = 0
    significant: pd.Series | None = None
    behaviour_areas: pd.Series | None = None
    reliability: pd.DataFrame | None = None
    ceiling: pd.DataFrame | None = None
    ceiling_threshold: float = float("nan")

    @property
    def computed(self) -> bool:
        """Whether the statistics were computed (enough participants and at least one area)."""
        return self.effects is not None

    @property
    def ceiling_share(self) -> float:
        """Share (0 to 1) of all end ratings at or above the ceiling threshold."""
        return self.ceiling["n_at_or_above"].sum() / max(self.ceiling["n_ratings"].sum(), 1)

    def areas_table(self) -> pd.DataFrame:
        """Every area statistic side by side: the rows of ``robustness_areas.csv``.

        Returns
        -------
        DataFrame, one row per area (index ``area_id``): the columns of ``effects``, then
        ``wilcoxon``, ``normality``, ``bayes`` and ``rtm`` (a repeated name gets the
        suffix ``_wilcoxon``, ``_shapiro``, ``_bayes`` or ``_rtm``).
        """
        table = (self.effects.join(self.wilcoxon, suffixes=("", "_wilcoxon"))
                 .join(self.normality, suffixes=("", "_shapiro"))
                 .join(self.bayes, suffixes=("", "_bayes")).join(self.rtm, suffixes=("", "_rtm")))
        table.index.name = "area_id"
        return table

    def behaviours_table(self) -> pd.DataFrame:
        """Every behaviour statistic: the rows of ``robustness_behaviours.csv``.

        Returns
        -------
        DataFrame, one row per behaviour (index ``behaviour_id``): the effect sizes, the
        t-test corrections (suffix ``_ttest``) and the Wilcoxon test with its Holm
        correction (prefix ``wilcoxon_``).
        """
        table = self.item_effects.drop(columns=["p_ttest"]).join(self.corrections.add_suffix("_ttest")).join(
            self.item_wilcoxon[["p", "method", "rank_biserial", "hodges_lehmann"]].add_prefix("wilcoxon_")
        ).join(self.wilcoxon_corrections[["p_holm", "pass_holm"]].add_prefix("wilcoxon_"))
        table.index.name = "behaviour_id"
        return table


def paired_units(long: pd.DataFrame, unit: str, units: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Start and end tables of one kind of unit, gaps kept.

    Parameters
    ----------
    long : DataFrame
        One row per participant, wave and unit: ``participant_id``, ``wave`` ("start" or
        "end"), the ``unit`` column and ``score``.
    unit : str
        The unit column (``"area_id"`` or ``"behaviour_id"``).
    units : list of str
        Every unit, in the order of the columns returned.

    Returns
    -------
    before, after : DataFrame
        Participants with data at both waves x ``units``, float, NaN where not rated.
    excluded : DataFrame
        Participants with data at one wave only (:func:`lehc_report.stats.paired.paired_wide`).
    """
    before, after, excluded = paired.paired_wide(long, unit, "score", "start", "end")
    return before.reindex(columns=units).astype(float), after.reindex(columns=units).astype(float), excluded


def wave_ratings(tidy: pd.DataFrame, framework: Framework) -> dict[str, pd.DataFrame]:
    """Each wave's ratings as participants x behaviours (float, NaN = not answered).

    Every wave of the framework that has ratings is included (start, end and a
    follow-up where there is one), so reliability is computed at each wave.

    Parameters
    ----------
    tidy : DataFrame
        The tidy ratings (``participant_id``, ``wave``, ``behaviour_id``, ``score``).
    framework : Framework
        Its waves (in framework order) and behaviours (columns, in framework order).

    Returns
    -------
    dict
        Wave ID to DataFrame, in framework order; always has ``"start"`` and ``"end"``
        (empty tables where a wave has no ratings).
    """
    present = set(tidy["wave"].unique())
    waves = {}
    for wave in framework.wave_ids:
        if wave not in present and wave not in ("start", "end"):
            continue
        wide = tidy[tidy["wave"] == wave].pivot_table(index="participant_id", columns="behaviour_id", values="score",
                                                      aggfunc="first")
        waves[wave] = wide.reindex(columns=framework.behaviour_ids).astype(float)
    return waves


def robustness_checks(tidy: pd.DataFrame, framework: Framework, *, min_n: int, alpha: float, confidence: float,
                      bayes_prior_scale: float, ceiling_offset: float, min_share_answered: float,
                      wilcoxon_exact_max_n: int = 50) -> RobustnessChecks:
    """Run every robustness check on the area scores and on the behaviours.

    Each unit (area or behaviour) is analysed on its own available pairs, and no
    statistic is computed for a unit with fewer than ``min_n`` pairs.  The behaviours'
    family of tests is those with ``min_n`` pairs or more and a defined t-test (a change
    that does not vary has none), with the published analysis's own p values, so that
    the counts match it.

    Parameters
    ----------
    tidy : DataFrame
        The tidy ratings: ``participant_id``, ``wave`` ("start", "end"), ``behaviour_id``,
        ``area_id``, ``score`` (Int64 on the framework's scale, NA = not answered).
    framework : Framework
        Areas, behaviours, waves and the rating scale.
    min_n : int
        Fewest pairs for which a statistic is computed (``min_group_size`` in ``privacy.yml``).
    alpha : float
        Significance level of the corrections and counts (``alpha`` in ``analysis.yml``).
    confidence : float
        Level of the intervals of the mean change, d_z and Cronbach's alpha.
    bayes_prior_scale : float
        Scale r of the Cauchy prior on d_z for the JZS Bayes factor (Rouder et al. 2009).
    ceiling_offset : float
        A rating at or above the scale maximum minus this counts as near the ceiling.
    min_share_answered : float
        Share of an area's behaviours a participant must have answered at a wave to have
        an area score (``min_share_answered`` in ``analysis.yml``).
    wilcoxon_exact_max_n : int
        Most pairs for an exact Wilcoxon p; above it the normal approximation
        (``wilcoxon_exact_max_n`` in ``analysis.yml``).

    Returns
    -------
    RobustnessChecks
        With only ``n``, the pairs and the area lists when fewer than ``min_n``
        participants have both ratings or no area has ``min_n`` pairs
        (``RobustnessChecks.computed`` is then False).

    Raises
    ------
    ValueError
        From :mod:`lehc_report.stats.robustness` if the start and end tables do not align.
    """
    scores = paired.area_scores(tidy, framework, min_share_answered)
    area_before, area_after, excluded = paired_units(scores, "area_id", framework.area_ids)
    item_before, item_after, _ = paired_units(tidy, "behaviour_id", framework.behaviour_ids)
    area_n = robustness.pairs_available(area_before, area_after)
    item_n = robustness.pairs_available(item_before, item_after)
    shown_areas = area_n.index[area_n >= min_n].tolist()
    base = dict(n=len(item_before), min_n=min_n, alpha=alpha, area_before=area_before, area_after=area_after,
                excluded=excluded, area_n=area_n, item_n=item_n, shown_areas=shown_areas,
                withheld_areas=[a for a in framework.area_ids if a not in shown_areas])
    if base["n"] < min_n or not shown_areas:
        return RobustnessChecks(**base)

    def per_area(func, **kwargs):
        return robustness.by_available_pairs(func, area_before, area_after, min_n=min_n, **kwargs)

    def per_item(func, **kwargs):
        return robustness.by_available_pairs(func, item_before, item_after, min_n=min_n, **kwargs)

    effects = per_area(robustness.paired_effect_sizes, confidence=confidence)
    item_effects = per_item(robustness.paired_effect_sizes, confidence=confidence)
    item_wilcoxon = per_item(robustness.wilcoxon_signed_rank, exact_max_n=wilcoxon_exact_max_n)
    behaviour_tests = paired.behaviour_table(tidy, framework, alpha, wide=(item_before, item_after)).set_index("behaviour_id")
    tested = (item_n >= min_n) & item_effects["p_ttest"].notna()
    p_t = behaviour_tests["p"].where(tested)
    corrections = robustness.multiple_comparisons(p_t, alpha=alpha)
    waves = wave_ratings(tidy, framework)
    reliability = pd.concat(
        {w: robustness.cronbach_alpha_by_area(t, framework.items_by_area(), confidence=confidence, min_n=min_n)
         for w, t in waves.items()}, names=["wave"]).reset_index()
    ceiling_threshold = framework.scale_max - ceiling_offset
    return RobustnessChecks(
        **base,
        effects=effects,
        wilcoxon=per_area(robustness.wilcoxon_signed_rank, exact_max_n=wilcoxon_exact_max_n),
        normality=per_area(robustness.normality_of_changes),
        bayes=per_area(robustness.bayes_factors, r=bayes_prior_scale),
        rtm=per_area(robustness.regression_to_mean),
        area_holm=robustness.multiple_comparisons(effects["p_ttest"], alpha=alpha)["p_holm"],
        item_effects=item_effects,
        item_wilcoxon=item_wilcoxon,
        tested=tested,
        p_t=p_t,
        corrections=corrections,
        wilcoxon_corrections=robustness.multiple_comparisons(item_wilcoxon["p"], alpha=alpha),
        m=int(corrections["p"].notna().sum()),
        significant=corrections["p"] < alpha,
        behaviour_areas=behaviour_tests["area_id"],
        reliability=reliability,
        ceiling=robustness.ceiling_share(waves["end"].dropna(how="all"), threshold=ceiling_threshold),
        ceiling_threshold=ceiling_threshold,
    )
