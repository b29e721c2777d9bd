"""Sentences about the self-assessment results that follow the numbers.

The report is rebuilt for other cohorts, where ratings may fall, tests may be
undefined (everyone changed by the same amount) or groups may be too small to
report.  So the sentences that describe the results are composed here from the
results, never typed into the chapters: a chapter glues the sentence, and the
sentence says "rose", "fell" or "no clear change" as the data do.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from lehc_report.book.glue import REQUIRED, GlueSpec
from lehc_report.prose.rounding import format_half_up, format_p
from lehc_report.prose.words import join_words, number_word, p_text  # noqa: F401 (re-exported for the stages)


def alpha_text(alpha: float) -> str:
    """The significance level as the chapters print it: ".05", ".001".

    Parameters
    ----------
    alpha : float
        The significance level, between 0 and 1 (``analysis.yml``).

    Returns
    -------
    str
        The level in plain decimals without the leading zero (APA style).
    """
    text = format(Decimal(repr(float(alpha))).normalize(), "f")
    return text[1:] if text.startswith("0.") else text


def significance_label(alpha: float) -> str:
    """"p < .05": the criterion of every "significant" count, header and sentence.

    Parameters
    ----------
    alpha : float
        The significance level (``analysis.yml``).

    Returns
    -------
    str
    """
    return f"p < {alpha_text(alpha)}"


def test_outcome(row, min_group_size: int, alpha: float) -> str:
    """How one paired comparison came out, in one word.

    Parameters
    ----------
    row : namedtuple
        A row of :func:`lehc_report.stats.paired.paired_tests` output: ``n``, ``t``, ``p``,
        ``mean_change`` (scale points, end minus start).
    min_group_size : int
        The privacy threshold (``privacy.yml``): fewer pairs are withheld.
    alpha : float
        The significance level (``analysis.yml``).

    Returns
    -------
    str
        ``"withheld"``, ``"too_few"`` (fewer than two pairs), ``"none"`` (no one changed),
        ``"constant"`` (everyone changed by the same amount: t undefined), ``"rose"`` or
        ``"fell"`` (p < alpha) or ``"unclear"``.
    """
    if row.n < min_group_size:
        return "withheld"
    if row.n < 2:
        return "too_few"
    if pd.isna(row.t):
        return "constant" if row.mean_change != 0 else "none"
    if row.p < alpha:
        return "rose" if row.mean_change > 0 else "fell"
    return "unclear"


def area_sentence(row, min_group_size: int, alpha: float) -> str:
    """One area's result in words, with its test where it has one.

    Parameters
    ----------
    row : namedtuple
        A row of the area table (:func:`lehc_report.stats.paired.area_table`): ``area``,
        ``n``, ``mean_start``, ``mean_end``, ``mean_change``, ``t``, ``df``, ``p``.
    min_group_size : int
        The privacy threshold.
    alpha : float
        The significance level.

    Returns
    -------
    str
        "Systems Improvement rose from 7.56 to 8.56 (t(8) = -7.799, p < .001)".
    """
    outcome = test_outcome(row, min_group_size, alpha)
    name = row.area
    if outcome == "withheld":
        return f"{name}: withheld, as fewer than {min_group_size} participants have a score for it at both waves"
    start, end = format_half_up(row.mean_start, 2), format_half_up(row.mean_end, 2)
    if outcome == "too_few":
        return f"{name}: fewer than two participants have a score for it at both waves, so it cannot be tested"
    if outcome == "none":
        return f"{name} stayed at {start}, no participant's score changing, so there is nothing to test"
    if outcome == "constant":
        return (f"{name} went from {start} to {end}, every participant's score changing by exactly the same amount, "
                "so a t-test cannot be computed")
    test = f"t({int(row.df)}) = {format_half_up(row.t, 3)}, {p_text(row.p)}"
    if outcome == "rose":
        return f"{name} rose from {start} to {end} ({test})"
    if outcome == "fell":
        return f"{name} fell from {start} to {end} ({test})"
    return f"{name} went from {start} to {end}, a change the paired t-test does not distinguish from chance ({test})"


def direction_headline(outcomes: list[str]) -> str:
    """"rose in all four areas" / "rose in two of the four areas, fell in one and ...".

    Parameters
    ----------
    outcomes : list of str
        One :func:`test_outcome` per area.

    Returns
    -------
    str
    """
    k = len(outcomes)
    phrases = {"rose": "rose", "fell": "fell", "unclear": "showed no clear change", "constant": "changed by the same amount for everyone",
               "none": "did not change", "withheld": "could not be reported", "too_few": "could not be tested"}
    counts = {key: outcomes.count(key) for key in phrases if outcomes.count(key)}
    if len(counts) == 1:
        (key, _), = counts.items()
        if key == "none":
            return "did not change in any area"
        return f"{phrases[key]} in {'both' if k == 2 else 'all ' + number_word(k)} areas" if k > 1 else f"{phrases[key]} in the one area"
    parts = []
    for i, (key, count) in enumerate(counts.items()):
        amount = f"{number_word(count)} of the {number_word(k)} areas" if i == 0 else number_word(count)
        parts.append(f"{phrases[key]} in {amount}")
    return join_words(parts)


def behaviour_counts(behaviours: pd.DataFrame, min_group_size: int, alpha: float) -> dict[str, int]:
    """How many behaviours rose, fell, rose or fell significantly, or could not be tested.

    Parameters
    ----------
    behaviours : DataFrame
        :func:`lehc_report.stats.paired.behaviour_table` output, one row per behaviour.
    min_group_size : int
        The privacy threshold.
    alpha : float
        The significance level.

    Returns
    -------
    dict
        ``n``, ``up``, ``down``, ``same`` (mean change among testable behaviours),
        ``sig_up``, ``sig_down``, ``untested`` and ``no_spread``.
    """
    outcomes = [test_outcome(row, min_group_size, alpha) for row in behaviours.itertuples()]
    testable = behaviours[[o not in ("withheld", "too_few") for o in outcomes]]
    return {
        "n": len(behaviours),
        "up": int((testable["mean_change"] > 0).sum()),
        "down": int((testable["mean_change"] < 0).sum()),
        "same": int((testable["mean_change"] == 0).sum()),
        "sig_up": outcomes.count("rose"),
        "sig_down": outcomes.count("fell"),
        "untested": outcomes.count("withheld") + outcomes.count("too_few"),
        "no_spread": outcomes.count("constant") + outcomes.count("none"),
    }


def change_narrative(areas: pd.DataFrame, behaviours: pd.DataFrame, n_complete: int, min_group_size: int,
                     alpha: float) -> dict[str, str]:
    """Glue for every sentence that describes the self-assessment results.

    Parameters
    ----------
    areas : DataFrame
        The area table (:func:`lehc_report.stats.paired.area_table`).
    behaviours : DataFrame
        The behaviour table (:func:`lehc_report.stats.paired.behaviour_table`).
    n_complete : int
        Participants with both waves.
    min_group_size : int
        The privacy threshold.
    alpha : float
        The significance level of "passed a paired t-test" (``analysis.yml``).

    Returns
    -------
    dict
        ``change_headline``, ``change_summary``, ``area_results_text``,
        ``behaviour_change_text``, ``ratings_conclusion``.
    """
    if n_complete < min_group_size:
        withheld = (f"The self-assessment results are withheld: fewer than {min_group_size} participants rated "
                    "themselves at both the start and the end")
        return {"change_headline": "Self-assessment results withheld.", "change_summary": withheld,
                "area_results_text": withheld + ".", "behaviour_change_text": "",
                "ratings_conclusion": "no self-assessment results that can be reported for so few participants"}
    outcomes = [test_outcome(row, min_group_size, alpha) for row in areas.itertuples()]
    headline = direction_headline(outcomes)
    counts = behaviour_counts(behaviours, min_group_size, alpha)
    direction = f"higher on average in {counts['up'] or 'none'} of the {counts['n']} behaviours of the framework"
    others = ([f"lower in {counts['down']}"] if counts["down"] else []) + ([f"unchanged in {counts['same']}"] if counts["same"] else [])
    if others:
        direction += ", " + join_words(others)
    tested = areas[[o in ("rose", "fell", "unclear") for o in outcomes]]
    if len(tested) == 0:
        p_range = "no area could be tested"
    elif format_p(tested["p"].max()) in (".000", ".001"):
        bound = "p < .001" if tested["p"].max() < 0.0005 else "p ≤ .001"
        p_range = f"the paired t-tests on the area scores gave {bound} in {'every area' if len(tested) == len(areas) else 'each area tested'}"
    else:
        low = "below .001" if tested["p"].min() < 0.001 else format_p(tested["p"].min())
        p_range = (f"the paired t-tests on the area scores gave p values from {low} to {format_p(tested['p'].max())}"
                   if len(tested) > 1 else f"the one area tested gave {p_text(tested['p'].iloc[0])}")
    summary = (f"The {number_word(n_complete)} participants who rated themselves at both the start and the end scored "
               f"{direction}; {p_range}")
    behaviour_text = f"The mean rating rose for {counts['up'] or 'none'} of the {counts['n']} behaviours"
    behaviour_text += f" and fell for {counts['down']}" if counts["down"] else ""
    sig = ([f"{counts['sig_up']} {'rise' if counts['sig_up'] == 1 else 'rises'}"] if counts["sig_up"] else []) + (
        [f"{counts['sig_down']} {'fall' if counts['sig_down'] == 1 else 'falls'}"] if counts["sig_down"] else [])
    criterion = significance_label(alpha)
    behaviour_text += f"; {join_words(sig)} passed a paired t-test at {criterion}" if sig else f"; no change passed a paired t-test at {criterion}"
    if counts["no_spread"]:
        behaviour_text += (f"; {counts['no_spread']} could not be tested, every participant's rating of "
                           f"{'it' if counts['no_spread'] == 1 else 'them'} having changed by the same amount")
    if counts["untested"]:
        behaviour_text += (f", and {counts['untested']} {'behaviour was' if counts['untested'] == 1 else 'behaviours were'} "
                           f"not tested, having fewer than {min_group_size} pairs of ratings")
    behaviour_text += "."
    area_text = "Between the start and the end of the course, " + "; ".join(
        area_sentence(row, min_group_size, alpha) for row in areas.itertuples()) + "."
    return {
        "change_headline": f"Self-assessed leadership {headline}.",
        "change_summary": summary,
        "area_results_text": area_text,
        "behaviour_change_text": behaviour_text,
        "ratings_conclusion": f"self-ratings that {headline}",
    }


def sample_description(participants: pd.DataFrame | None, participant_ids) -> str:
    """"Of the 9 participants, 7 are women and 2 are men." (from the optional register).

    Parameters
    ----------
    participants : DataFrame or None
        The participant register (``participant_id``, optional ``gender``).
    participant_ids : iterable of str
        The participants with ratings.

    Returns
    -------
    str
        ``""`` when there is no register or it records no gender.
    """
    if participants is None or "gender" not in participants:
        return ""
    register = participants[participants["participant_id"].isin(set(participant_ids))]
    women, men = int((register["gender"] == "female").sum()), int((register["gender"] == "male").sum())
    other = len(register) - women - men
    parts = [f"{women} {'is a woman' if women == 1 else 'are women'}", f"{men} {'is a man' if men == 1 else 'are men'}"]
    if other:
        parts.append(f"{other} {'has' if other == 1 else 'have'} another or no recorded gender")
    return f"Of the {len(register)} participants, {join_words(parts)}."


def area_gaps_text(areas: pd.DataFrame, n_complete: int, min_share_answered: float) -> str:
    """Areas with fewer pairs than the paired comparison as a whole, and why.

    Parameters
    ----------
    areas : DataFrame
        The area table (``area``, ``n``).
    n_complete : int
        Participants with both waves.
    min_share_answered : float
        The share of an area's behaviours a score needs answered (``analysis.yml``).

    Returns
    -------
    str
        ``""`` when every area has ``n_complete`` pairs.
    """
    short = areas[areas["n"] < n_complete]
    if short.empty:
        return ""
    listed = join_words([f"{row.area} (n = {int(row.n)})" for row in short.itertuples()])
    share = "half" if min_share_answered == 0.5 else f"{min_share_answered:.0%}"
    return (f"Some participants answered fewer than {share} of an area's behaviours at one wave, which leaves their score "
            f"for that area missing rather than estimated, so these areas have fewer pairs: {listed}.")


def data_origin_text(cohort: dict) -> dict[str, str]:
    """The notice on the home page and the data page: synthetic data say so plainly.

    Parameters
    ----------
    cohort : dict
        ``cohort.yml`` as read by :func:`lehc_report.inputs.cohort.load_cohort`
        (``synthetic``, ``programme``).

    Returns
    -------
    dict
        ``data_notice_title``, ``data_notice``, ``data_page_note``.
    """
    if cohort.get("synthetic"):
        return {
            "data_notice_title": "Synthetic data",
            "data_notice": (
                "This report rebuilds a 2013 programme evaluation as reproducible software. The original responses were "
                "never published, so every table, figure and count here is computed from **synthetic, anonymised data** "
                "made by a deterministic generator to reproduce the published figures. Quotations are invented for this "
                "project and are not the words of real participants."),
            "data_page_note": "",
        }
    return {
        "data_notice_title": "This cohort's data",
        "data_notice": (
            f"Every table, figure and count in this report is computed from the data supplied for this cohort of the "
            f"{cohort['programme']} course. The description of the course and the structure of the report follow the 2013 "
            "evaluation, whose findings the narrative summarises where this cohort's data do not speak to them."),
        "data_page_note": (
            "**This build uses another cohort's data.** The sections below describe the synthetic data shipped with the "
            "project, not the files this report was built from; the data contract at the end applies to both."),
    }


#: The comparison table's one cell for a cohort that is not compared with 2013.
NOT_COMPARED_CELL = ("not applicable: this cohort is not the 2013 cohort (set compare_with_published in cohort.yml "
                     "to compare)")


def reproduction_sentences(glue: dict[str, str], is_published_cohort: bool) -> dict[str, str]:
    """What the summary and the appendix say about matching the 2013 table.

    Parameters
    ----------
    glue : dict
        The stage's glue so far: ``n_cells``, ``n_cells_matched``, ``mismatch_list``.
    is_published_cohort : bool
        Whether this cohort is compared with the published table.

    Returns
    -------
    dict
        ``reproduction_summary`` and ``comparison_sentence``.
    """
    if not is_published_cohort:
        text = ("This cohort is not the 2013 cohort, so its results are not compared with the published Appendix 3; "
                "the audit of the published table below still applies to that table.")
        return {"reproduction_summary": text, "comparison_sentence": text}
    summary = (f"The 2013 statistics are reproduced: {glue['n_cells_matched']} of the {glue['n_cells']} published cells of "
               "Appendix 3 come out exactly from the data" + (
                   "." if glue["n_cells_matched"] == glue["n_cells"] else
                   f"; the exception ({glue['mismatch_list']}) is a value no whole-number ratings can produce."))
    sentence = f"{glue['n_cells_matched']} of {glue['n_cells']} cells match."
    return {"reproduction_summary": summary, "comparison_sentence": sentence}


#: The statistics glued per area, as ``<area id in lower case>_<statistic>``.
AREA_STATISTICS = ("mean_start", "mean_end", "sd_start", "sd_end", "change", "t", "df", "p", "p_text")


def results_glue(areas: pd.DataFrame, behaviours: pd.DataFrame, counts: pd.DataFrame, comparison: pd.DataFrame,
                 excluded: pd.DataFrame, framework, min_group_size: int, alpha: float) -> dict[str, str]:
    """The self-assessment results as glue: per-area statistics, counts and the comparison.

    Parameters
    ----------
    areas : DataFrame
        The area table (:func:`lehc_report.stats.paired.area_table`), one row per area.
    behaviours : DataFrame
        The behaviour table, one row per behaviour (``mean_change``, ``significant``).
    counts : DataFrame
        :func:`lehc_report.stats.paired.significant_counts`, one row per area.
    comparison : DataFrame
        :func:`lehc_report.published.comparison.compare_with_published` (empty when not compared).
    excluded : DataFrame
        Participants left out of the paired tests.
    framework : Framework
        The cohort's framework (area names).
    min_group_size : int
        The privacy threshold: an area with fewer pairs shows no statistic.
    alpha : float
        The significance level of ``n_areas_significant``.

    Returns
    -------
    dict
        Key to pre-formatted text (numbers rounded half up as published).
    """
    from lehc_report.privacy import withheld_text

    glue: dict[str, str] = {}
    n = int(areas["n"].max())
    glue["n_complete"] = str(n)
    glue["n_complete_word"] = number_word(n)
    glue["n_excluded"] = str(len(excluded))
    for row in areas.itertuples():
        key = row.area_id.lower()
        glue[f"{key}_mean_start"] = format_half_up(row.mean_start, 2)
        glue[f"{key}_mean_end"] = format_half_up(row.mean_end, 2)
        glue[f"{key}_sd_start"] = format_half_up(row.sd_start, 2)
        glue[f"{key}_sd_end"] = format_half_up(row.sd_end, 2)
        glue[f"{key}_change"] = format_half_up(row.mean_change, 2)
        glue[f"{key}_t"] = format_half_up(row.t, 3)
        glue[f"{key}_df"] = "–" if pd.isna(row.df) else str(int(row.df))
        glue[f"{key}_p"] = format_p(row.p)
        glue[f"{key}_p_text"] = "test undefined" if pd.isna(row.p) else p_text(row.p)
        if row.n < min_group_size:
            for stat in AREA_STATISTICS:
                glue[f"{key}_{stat}"] = withheld_text(min_group_size)
    for row in counts.itertuples():
        key = row.area_id.lower()
        glue[f"{key}_n_sig"] = str(int(row.n_significant))
        glue[f"{key}_n_behaviours"] = str(int(row.n_behaviours))
    n_sig_areas = int((areas["p"] < alpha).sum())
    glue["n_areas"] = str(len(areas))
    glue["n_areas_significant"] = str(n_sig_areas)
    glue["areas_significant_phrase"] = (
        f"all {number_word(len(areas))} areas" if n_sig_areas == len(areas) else
        f"{number_word(n_sig_areas) if n_sig_areas else 'none'} of the {number_word(len(areas))} areas"
    )
    glue["max_area_p"] = format_p(areas["p"].max()) if areas["p"].notna().any() else "–"
    glue["n_behaviours"] = str(len(behaviours))
    glue["n_behaviours_improved"] = str(int((behaviours["mean_change"] > 0).sum()))
    glue["n_behaviours_significant"] = str(int(behaviours["significant"].sum()))
    glue["n_cells"] = str(len(comparison))
    glue["n_cells_matched"] = str(int(comparison["match"].sum()))
    mismatched = comparison[~comparison["match"]]
    glue["mismatch_list"] = ", ".join(
        f"{framework.area_names()[r.area_id]} {r.statistic} (published {r.published}, reproduced {r.reproduced})"
        for r in mismatched.itertuples()
    ) or "none"
    glue["significance_text"] = significance_label(alpha)
    return glue


def withheld_outcomes(glue: dict[str, str], area_ids: list[str], min_group_size: int) -> dict[str, str]:
    """``glue`` with every figure about the cohort's ratings withheld (too few complete pairs).

    Parameters
    ----------
    glue : dict
        The stage's glue.
    area_ids : list of str
        The framework's area IDs: every key ``<area id in lower case>_...`` is withheld.
    min_group_size : int
        The privacy threshold, named in the replacement text.

    Returns
    -------
    dict
        A copy with the per-area keys and the counts replaced by "suppressed (n < 5)".
    """
    withheld = f"suppressed (n < {min_group_size})"
    outcome = tuple(f"{area.lower()}_" for area in area_ids) + (
        "n_behaviours_", "max_area", "areas_significant", "n_areas_significant")
    return {k: (withheld if k.startswith(outcome) else v) for k, v in glue.items()}


#: What the follow-up snippet says when a cohort has no follow-up wave.
NO_FOLLOW_UP_TEXT = ("This cohort has no follow-up self-assessment, so no comparison beyond the end of the course "
                     "is possible.\n")


def follow_up_text(n_start_follow_up: int, n_excluded: int, n_all_waves: int, k_waves: int, min_group_size: int) -> str:
    """The paragraph above the start-to-follow-up table.

    Parameters
    ----------
    n_start_follow_up : int
        Participants with an area score at the start and at follow-up (the largest area n).
    n_excluded : int
        Participants left out for lack of one of the two waves.
    n_all_waves : int
        Participants with an area score at every wave (the omnibus tests' n).
    k_waves : int
        Waves present.
    min_group_size : int
        The privacy threshold.

    Returns
    -------
    str
        The paragraph, ending in a blank line.
    """
    omnibus_text = (f"The omnibus tests use the {n_all_waves} participants with an area score at all {k_waves} waves."
                    if n_all_waves >= 3 else
                    f"Only {n_all_waves} participants have an area score at all {k_waves} waves, too few for the omnibus tests.")
    return (f"A follow-up self-assessment exists. {n_start_follow_up} participants rated themselves at the start and at follow-up "
            f"({n_excluded} left out for lack of one of the two). {omnibus_text} Statistics are withheld for any area "
            f"with fewer than {min_group_size} participants.\n\n")


#: Glue of notebook 01_clean (stage 1); the stage prefixes every key with ``clean_``.
CLEAN_GLUE = GlueSpec(
    notebook="01_clean",
    keys={key: REQUIRED for key in (
        "clean_n_ratings", "clean_n_missing_ratings", "clean_n_waves", "clean_n_log_entries", "clean_n_participants_any",
        "clean_sample_text", "clean_client", "clean_report_date", "clean_programme", "clean_data_notice_title",
        "clean_data_notice", "clean_data_page_note")}
    # The stage counts every wave of the framework; the chapters name these two.
    | {"clean_n_participants_start": REQUIRED, "clean_n_participants_end": REQUIRED},
    patterns={r"clean_n_participants_[a-z0-9_]+": REQUIRED},
)

#: Glue of notebook 02_quant (stage 2).
QUANT_GLUE = GlueSpec(
    notebook="02_quant",
    keys={key: REQUIRED for key in (
        "n_complete", "n_complete_word", "n_excluded", "n_areas", "n_areas_significant", "areas_significant_phrase",
        "max_area_p", "n_behaviours", "n_behaviours_improved", "n_behaviours_significant", "n_cells", "n_cells_matched",
        "mismatch_list", "significance_text", "published_significance_text", "dt_t_published", "dt_total_start", "dt_total_end", "dt_total_change",
        "dt_n_ratings", "dt_t_reachable_low", "dt_t_reachable_high", "dt_sumsq_low", "dt_sumsq_high", "dt_t_nearest",
        "n_audit_unreachable", "n_audit_cells", "fo_published_end", "fo_mean_end_exact", "fo_mean_end_half_even",
        "follow_up_present", "reproduction_summary", "comparison_sentence", "change_headline", "change_summary",
        "area_results_text", "behaviour_change_text", "ratings_conclusion", "min_group_size", "area_gaps_text",
        "scale_text")},
    # One key per area of the cohort's own framework and statistic.
    patterns={r"[a-z0-9_]+_(" + "|".join(AREA_STATISTICS + ("n_sig", "n_behaviours")) + ")": REQUIRED},
)
