"""Sentences about the self-assessment results that follow the numbers.

The report is rebuilt for other cohorts, where ratings may fall, tests may be
undefined (everyone changed by the same amount) or groups may be too small to
report.  So the sentences that describe the results are composed here from the
results, never typed into the chapters: a chapter glues the sentence, and the
sentence says "rose", "fell" or "no clear change" as the data do.
"""

from __future__ import annotations


import pandas as pd

from lehc_report.book.glue import REQUIRED, GlueSpec
from lehc_report.disclosure import Published2013, disclosed_group_counts
from lehc_report.privacy import PrivacySettings
from lehc_report.prose.rounding import format_half_up, format_p
from lehc_report.prose.words import (alpha_text, count_noun, count_phrase, join_words, number_word,  # noqa: F401 (re-exported)
                                     p_text, sentence_start)


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
    direction = f"higher on average in {count_phrase(counts['up'], counts['n'], 'behaviours')} of the framework"
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
    behaviour_text = f"The mean rating rose for {count_phrase(counts['up'], counts['n'], 'behaviours')}"
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
        "ratings_conclusion": f"ratings that {headline}",
    }


def appendix3_caption(p_values: pd.Series) -> str:
    """The caption of the reproduced Appendix 3 table (Table 4.2), with a note where it prints ".000".

    Parameters
    ----------
    p_values : Series
        The paired t-test p value of each area shown (NaN where undefined).

    Returns
    -------
    str
        The caption; when any p prints as ".000", it adds that p is shown to three
        decimals, as published, and that ".000" means p < .0005 (the text writes
        p < .001, APA style).
    """
    caption = ("Self-assessment scores by leadership area at the start and end of the programme, reproduced from the data "
               "(paired t-test, start minus end; values rounded half up as published).")
    if any(format_p(p) == ".000" for p in p_values.dropna()):
        caption += " The p values are shown to three decimals, as published: .000 means p < .0005."
    return caption + " Source: notebook 02_quant."


def audit_fails_text(n_fail: int) -> str:
    """How many checks of the published-table audit fail, as the appendix's clause says it: "one fails".

    Parameters
    ----------
    n_fail : int
        Published cells no data could produce (:func:`lehc_report.published.audit.audit_published_table`).

    Returns
    -------
    str
        "none fails", "one fails", "two fail" (words up to twelve).
    """
    return "none fails" if n_fail == 0 else f"{number_word(n_fail)} {'fails' if n_fail == 1 else 'fail'}"


def participation_text(n_start: int, n_end: int) -> str:
    """The sentence on how many rated themselves at each wave: "Nine participants did so at the start and nine at the end."

    Parameters
    ----------
    n_start, n_end : int
        Participants with at least one rating at the start and at the end.

    Returns
    -------
    str
        One sentence; counts in words up to twelve, and in words when they open it
        (:func:`lehc_report.prose.words.sentence_start`).
    """
    if n_start == 0 and n_end == 0:
        return "No participant did so at either wave."
    return sentence_start(f"{count_noun(n_start, 'participants')} did so at the start and {number_word(n_end)} at the end.")


def paired_sample_text(n_complete: int, n_excluded: int) -> str:
    """Who forms the paired comparison: "The nine who completed both form the paired comparison."

    Parameters
    ----------
    n_complete : int
        Participants with an area score at the start and at the end.
    n_excluded : int
        Participants left out of the paired tests (one wave only, or too few ratings).

    Returns
    -------
    str
        "The nine who completed both form the paired comparison." followed, when anyone
        is left out, by "(two took part at one wave only or answered too little, and are
        left out of it)"; never a count of zero in digits.
    """
    if n_complete == 0:
        return "Nobody completed both, so there is no paired comparison."
    who = "The one participant who completed both forms" if n_complete == 1 else f"The {number_word(n_complete)} who completed both form"
    text = f"{who} the paired comparison"
    if n_excluded:
        verb = "was" if n_excluded == 1 else "are"
        text += f" ({number_word(n_excluded)} took part at one wave only and {verb} left out of it)"
    return text + "."


def sample_description(participants: pd.DataFrame | None, participant_ids, settings: PrivacySettings,
                       published: Published2013 | None = None) -> str:
    """The participants by gender, as far as the small-cell rule lets it be said.

    Every count passes :func:`lehc_report.disclosure.disclosed_group_counts`: a gender
    with fewer than ``min_group_size`` participants, and the complement that would give
    it away, is not given.  The cohort's own size is not a group and is always given.

    Parameters
    ----------
    participants : DataFrame or None
        The participant register (``participant_id``, optional ``gender``: ``female``,
        ``male`` or anything else, counted as another or no recorded gender).
    participant_ids : iterable of str
        The participants with ratings.
    settings : PrivacySettings
        ``min_group_size``.
    published : Published2013, optional
        The 2013 report's published counts, given only for the project's own data
        (:func:`lehc_report.disclosure.published_2013_counts`): they are then quoted as
        facts of that report, and said to be so.

    Returns
    -------
    str
        ``""`` when there is no register or it records no gender; "Of the 12
        participants, 7 are women and 5 are men."; "Of the 9 participants, 7 were women
        and 2 men, as the 2013 report published: …"; "Of the 4 participants, the
        numbers of each gender are not given: …"; "Of the 16 participants, 10 are women;
        the genders of the other 6 are not given separately, …".
    """
    if participants is None or "gender" not in participants:
        return ""
    register = participants[participants["participant_id"].isin(set(participant_ids))]
    women, men = int((register["gender"] == "female").sum()), int((register["gender"] == "male").sum())
    other = len(register) - women - men
    n = len(register)
    if published is not None and (n, women, men) == (published.participants, published.participants_female,
                                                      published.participants_male):
        # Who attended is said once, in the programme chapter, from cohort.yml (attendance_sentence).
        return (f"Of the {n} participants, {women} were women and {men} men, as the 2013 report published: that "
                "report's own counts, quoted as its facts, which this rebuild's register reproduces.")
    shown = disclosed_group_counts(n, {"gender": {"female": women, "male": men, "other": other}}, settings)
    rule = f"a group of fewer than {settings.min_group_size} people could point at a person"
    if not shown.withheld("gender"):
        parts = [f"{women} {'is a woman' if women == 1 else 'are women'}", f"{men} {'is a man' if men == 1 else 'are men'}"]
        if other:
            parts.append(f"{other} {'has' if other == 1 else 'have'} another or no recorded gender")
        return f"Of the {n} participants, {join_words(parts)}."
    given = shown.shown("gender")
    if not given:
        return f"Of the {n} participants, the numbers of each gender are not given: {rule}."
    words = {"female": "women", "male": "men", "other": "another or no recorded gender"}
    said = join_words([f"{m} {'are ' if g != 'other' else 'have '}{words[g]}" for g, m in given.items()])
    rest = n - sum(given.values())
    return (f"Of the {n} participants, {said}; the genders of the other {rest} are not given separately: {rule}.")


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
                "This report rebuilds a 2013 programme evaluation. The original responses were "
                "never published, so every table, figure and count here is computed from synthetic, anonymised data "
                "made to reproduce the published figures. Quotations are invented for this "
                "project and are not the words of real participants."),
            "data_page_note": "",
        }
    return {
        "data_notice_title": "This cohort's data",
        "data_notice": (
            f"Every table, figure and count in this report is computed from the data supplied for this cohort of the "
            f"{cohort['programme']} course. The description of the course and the structure of the report follow the 2013 "
            "evaluation, whose findings the narrative summarises where this cohort's data do not speak to them."),
        # The data chapter shows its own passage for real data (<!-- if: synthetic -->), so no note.
        "data_page_note": "",
    }


#: The comparison table's one cell for a cohort that is not compared with 2013.
#: (How to ask for the comparison is the data contract's business: data/README.md, cohort.yml.)
NOT_COMPARED_CELL = "not applicable: this cohort is not the 2013 cohort"


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
    matched, n_cells = int(glue["n_cells_matched"]), int(glue["n_cells"])
    summary = (f"The 2013 statistics are reproduced: {count_phrase(matched, n_cells, 'published cells')} of "
               "Appendix 3 come out exactly from the data" + (
                   "." if glue["n_cells_matched"] == glue["n_cells"] else
                   # A comma pair, not parentheses: the list holds its own "(published ..., reproduced ...)".
                   f"; the exception, {glue['mismatch_list']}, is a value no whole-number ratings can produce."
                   if n_cells - matched == 1 else
                   f"; the exceptions, {glue['mismatch_list']}, are values no whole-number ratings can produce."))
    sentence = sentence_start(f"{count_phrase(matched, n_cells, 'cells')} match.")
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
    glue["paired_sample_text"] = paired_sample_text(n, len(excluded))
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


#: What the findings say, in the paragraph after the area results, when there is no follow-up wave
#: (no heading of its own: a heading over "there is none" is empty).
NO_FOLLOW_UP_NOTE = "This cohort has no follow-up self-assessment, so whether the change lasted beyond the course cannot be said."


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
    omnibus_text = (f"The omnibus tests use the {number_word(n_all_waves)} participants with an area score at all "
                    f"{number_word(k_waves)} waves." if n_all_waves >= 3 else
                    f"Only {count_noun(n_all_waves, 'participants')} {'has' if n_all_waves == 1 else 'have'} an area score at "
                    f"all {number_word(k_waves)} waves, too few for the omnibus tests.")
    left_out = f" ({number_word(n_excluded)} left out for lack of one of the two)" if n_excluded else ""
    return ("A follow-up self-assessment exists. "
            + sentence_start(f"{count_noun(n_start_follow_up, 'participants')} rated themselves at the start and at follow-up")
            + f"{left_out}. {omnibus_text} Statistics are withheld for any area "
            f"with fewer than {min_group_size} participants.\n\n")


#: Where a paired statistic would go, for waves that are not linked.
NOT_LINKED = "not applicable: the waves are not linked, so nobody is paired"


def wave_phrase(wave: str) -> str:
    """"the start", "the end", "the follow-up": a wave ID as the sentences name it.

    Parameters
    ----------
    wave : str
        A wave ID from ``framework.yml`` (``start``, ``end``, ``follow_up``).

    Returns
    -------
    str
    """
    return "the " + wave.replace("_", "-")


def linking_rule_text(linking: dict) -> str:
    """How the waves were linked, in words: "by the code in each file's participant_id column".

    Parameters
    ----------
    linking : dict
        ``tidy/linking.json`` (:func:`lehc_report.inputs.self_assessment.link_waves`):
        ``by``, ``column`` and, for self-generated codes, ``by_edit_distance``.

    Returns
    -------
    str
    """
    by, column = linking["by"], linking.get("column")
    if by == "record_id":
        return "by REDCap's record ID, which REDCap keeps the same for a person across events"
    if by == "code":
        return f"by the code people entered in the column \u201c{column}\u201d (exact match)"
    if by == "self_generated_code":
        return (f"by the code each person made up from a rule, in the column \u201c{column}\u201d, matched exactly or "
                "to the one unmatched code of the first wave within a few characters' difference")
    return "by the participant code that every form carries (exact match)"


def linking_text(linking: dict, wave_order: list[str]) -> str:
    """The methodology chapter's sentence on how the waves were linked and how many were matched.

    The counts are about the linkage, not about a group of people, so they are shown
    whatever their size (unlike a count of a group below the small-cell threshold).

    Parameters
    ----------
    linking : dict
        ``tidy/linking.json``: ``by``, ``column``, ``people`` (wave -> people answering),
        ``matched`` (people in the first wave and a later one), ``unmatched`` (wave ->
        people in no other wave), for self-generated codes ``by_edit_distance``
        (distance -> matches) and ``ambiguous``.
    wave_order : list of str
        The framework's wave IDs in order (``linking.json`` keeps its keys sorted).

    Returns
    -------
    str
        "The waves were linked by ...: 9 people were matched between the start and a
        later wave; 1 person at the start and nobody at the end could not be matched to
        another wave and left out of the paired comparison."
    """
    people = {w: int(linking["people"][w]) for w in wave_order if w in linking["people"]}
    if linking["by"] == "none":
        counts = join_words([f"{n} at {wave_phrase(w)}" for w, n in people.items()])
        return ("The waves were not linked: the forms carry no code that identifies a person at every wave, and cohort.yml "
                "declares `linking: {by: none}`, so nobody was matched and the responses "
                f"({counts}) are compared as independent samples.")
    waves = list(people)
    matched = int(linking["matched"])
    text = (f"The waves were linked {linking_rule_text(linking)}: {matched} {'person was' if matched == 1 else 'people were'} "
            f"matched between {wave_phrase(waves[0])} and a later wave")
    distances = {int(d): int(n) for d, n in linking.get("by_edit_distance", {}).items()}
    inexact = {d: n for d, n in distances.items() if d > 0 and n}
    if inexact:
        parts = [f"{distances.get(0, 0)} exactly"] + [
            f"{n} with codes {d} {'character' if d == 1 else 'characters'} apart" for d, n in sorted(inexact.items())]
        text += f" ({join_words(parts)})"
    unmatched = {w: int(linking["unmatched"][w]) for w in people}
    if not any(unmatched.values()):
        text += "; everyone who answered was matched"
    else:
        parts = [f"{n} {'person' if n == 1 else 'people'} at {wave_phrase(w)}" if n else f"nobody at {wave_phrase(w)}"
                 for w, n in unmatched.items()]
        text += f"; {join_words(parts)} could not be matched to another wave and left out of the paired comparison"
    ambiguous = int(linking.get("ambiguous", 0))
    if ambiguous:
        text += (f" ({ambiguous} {'code was' if ambiguous == 1 else 'codes were'} as close to two others and "
                 f"{'was' if ambiguous == 1 else 'were'} left unmatched rather than guessed)")
    return text + "."


#: The summary's and the appendix's word on the 2013 table, for unlinked waves.
UNLINKED_REPRODUCTION = ("This cohort's waves are not linked person to person, so the 2013 report's paired analysis cannot be "
                         "repeated and nothing is compared with the published Appendix 3; the audit of the published table "
                         "still applies to that table.")

#: What an unlinked comparison cannot show, said wherever its results are.
UNLINKED_CAVEAT = (
    "Because the start and end forms cannot be linked person to person, these results compare the group who answered "
    "at the start with the group who answered at the end, who may be different people: they cannot show whether any "
    "one participant's rating changed, and a difference between the groups may come as much from who answered each "
    "form as from any change.")


def independent_outcome(row, min_group_size: int, alpha: float) -> str:
    """How one area's independent-samples comparison came out, in one word.

    Parameters
    ----------
    row : namedtuple
        A row of :func:`lehc_report.stats.independent.independent_area_table`:
        ``n_before``, ``n_after``, ``mean_difference`` (end minus start, scale points),
        ``t``, ``p_welch``.
    min_group_size : int
        The privacy threshold: fewer people at either wave are withheld.
    alpha : float
        The significance level (``analysis.yml``).

    Returns
    -------
    str
        ``"withheld"``, ``"undefined"`` (Welch's t cannot be computed), ``"higher"`` or
        ``"lower"`` (the end group's mean, p < alpha) or ``"unclear"``.
    """
    if min(row.n_before, row.n_after) < min_group_size:
        return "withheld"
    if pd.isna(row.t):
        return "undefined"
    if row.p_welch < alpha:
        return "higher" if row.mean_difference > 0 else "lower"
    return "unclear"


def independent_area_sentence(row, min_group_size: int, alpha: float) -> str:
    """One area's unlinked comparison in words, with Welch's t, Brunner-Munzel and Hedges' g.

    Parameters
    ----------
    row : namedtuple
        A row of :func:`lehc_report.stats.independent.independent_area_table` (``area``,
        ``n_before``, ``n_after``, ``mean_before``, ``mean_after``, ``t``, ``df``,
        ``p_welch``, ``p_brunner_munzel``, ``hedges_g``, ``g_low``, ``g_high``).
    min_group_size : int
        The privacy threshold.
    alpha : float
        The significance level.

    Returns
    -------
    str
        "Listening Area: 4.13 at the start (n = 8) and 6.00 at the end (n = 8); Welch's
        t(13.9) = 2.741, p = .016; Brunner-Munzel p = .012; Hedges' g = 1.28 [0.21, 2.35]".
    """
    outcome = independent_outcome(row, min_group_size, alpha)
    if outcome == "withheld":
        return f"{row.area}: withheld, as fewer than {min_group_size} people have a score for it at one of the waves"
    means = (f"{row.area}: {format_half_up(row.mean_before, 2)} at the start (n = {int(row.n_before)}) and "
             f"{format_half_up(row.mean_after, 2)} at the end (n = {int(row.n_after)})")
    if outcome == "undefined":
        return means + ", with no spread in the scores, so Welch's t-test cannot be computed"
    tests = f"Welch's t({format_half_up(row.df, 1)}) = {format_half_up(row.t, 3)}, {p_text(row.p_welch)}"
    if not pd.isna(row.p_brunner_munzel):
        tests += f"; Brunner-Munzel {p_text(row.p_brunner_munzel)}"
    if not pd.isna(row.hedges_g):
        tests += (f"; Hedges' g = {format_half_up(row.hedges_g, 2)} "
                  f"[{format_half_up(row.g_low, 2)}, {format_half_up(row.g_high, 2)}]")
    return f"{means}; {tests}"


def independent_glue(table: pd.DataFrame, linking: dict, wave_order: list[str], min_group_size: int, alpha: float,
                     confidence: float) -> dict[str, str]:
    """The sentences of an unlinked (independent-samples) report, and every paired key marked not applicable.

    Parameters
    ----------
    table : DataFrame
        :func:`lehc_report.stats.independent.independent_area_table`, one row per area.
    linking : dict
        ``tidy/linking.json`` (``people`` per wave).
    wave_order : list of str
        The framework's wave IDs in order.
    min_group_size : int
        The privacy threshold.
    alpha : float
        The significance level of Welch's t-test (``analysis.yml``).
    confidence : float
        Coverage of the interval of Hedges' g.

    Returns
    -------
    dict
        ``independent_headline``, ``independent_summary``, ``independent_results_text``,
        ``independent_caveat``, ``linking_text``, and each paired key of
        :data:`QUANT_GLUE` that has no meaning without pairs, as :data:`NOT_LINKED`
        (``change_headline``, ``change_summary``, ``ratings_conclusion`` are worded for
        unlinked waves).
    """
    outcomes = [independent_outcome(row, min_group_size, alpha) for row in table.itertuples()]
    k = len(table)
    higher, lower = outcomes.count("higher"), outcomes.count("lower")
    n_start, n_end = int(table["n_before"].max()), int(table["n_after"].max())
    if outcomes.count("withheld") == k:
        headline = "Self-assessment results withheld (independent samples)."
        summary = (f"Fewer than {min_group_size} people answered at one of the waves in every area, so the comparison of "
                   "the two unlinked groups is withheld.")
    else:
        def share(count: int) -> str:
            if count == k:
                return "both areas" if k == 2 else f"all {number_word(k)} areas" if k > 2 else "the one area"
            return f"{number_word(count)} of the {number_word(k)} areas"

        found = []
        if higher:
            found.append(f"higher at the end than at the start in {share(higher)}")
        if lower:
            found.append(f"lower at the end in {share(lower) if not higher else number_word(lower)}")
        if not found:
            found.append(f"not clearly different between the waves in any of the {number_word(k)} areas")
        headline = "Self-ratings " + join_words(found) + " (two unlinked groups, not the same people followed)."
        summary = (f"The {number_word(n_start)} people who answered at the start and the {number_word(n_end)} who answered "
                   f"at the end cannot be linked, so the waves are compared as independent samples (Welch's t-test at "
                   f"{significance_label(alpha)}, the Brunner-Munzel test and Hedges' g): the mean area scores were "
                   f"{join_words(found)}. This is a difference between two groups, not anyone's own change")
    results = ("Between the group who answered at the start and the group who answered at the end, "
               + "; ".join(independent_area_sentence(row, min_group_size, alpha) for row in table.itertuples()) + ".")
    glue = {key: NOT_LINKED for key in (
        "n_complete", "n_complete_word", "n_excluded", "n_areas_significant", "areas_significant_phrase", "max_area_p",
        "n_behaviours_improved", "n_behaviours_significant", "n_cells", "n_cells_matched", "mismatch_list",
        "area_results_text", "behaviour_change_text", "area_gaps_text")}
    glue.update({
        "paired_sample_text": "The forms cannot be linked person to person, so there is no paired comparison.",
        "independent_headline": headline, "independent_summary": summary, "independent_results_text": results,
        "independent_caveat": UNLINKED_CAVEAT, "linking_text": linking_text(linking, wave_order),
        "change_headline": headline, "change_summary": summary,
        "ratings_conclusion": "differences between the groups who answered each form, not changes in the same people",
        "n_areas": str(k),
    })
    return glue


def follow_up_lasting_text(lasting: pd.DataFrame, omnibus: pd.DataFrame, min_group_size: int, alpha: float) -> str:
    """The paragraph on whether the change lasted: end against follow-up, and the corrected ANOVA.

    Parameters
    ----------
    lasting : DataFrame
        The area table of end against follow-up (:func:`lehc_report.stats.paired.area_table`
        with ``before="end"``, ``after="follow_up"``): ``area``, ``n``, ``t`` (end minus
        follow-up, so a positive t is a fall), ``df``, ``p``.
    omnibus : DataFrame
        :func:`lehc_report.stats.paired.omnibus_over_waves`, the same areas in the same order:
        ``n``, ``F``, ``df1``, ``df2``, ``p_mauchly``, ``gg_epsilon``, ``p_anova_gg``.
    min_group_size : int
        The privacy threshold: areas with fewer participants are not described.
    alpha : float
        The significance level (``analysis.yml``).

    Returns
    -------
    str
        The paragraph, ending in a blank line.
    """
    shown = lasting[(lasting["n"] >= min_group_size) & lasting["p"].notna()]
    fell = shown[(shown["p"] < alpha) & (shown["t"] > 0)]
    rose = shown[(shown["p"] < alpha) & (shown["t"] < 0)]

    def listed(rows: pd.DataFrame) -> str:
        return join_words([f"{r.area} (t({int(r.df)}) = {format_half_up(abs(r.t), 2)}, {p_text(r.p)})" for r in rows.itertuples()])

    if len(shown) == 0:
        lasting_text = "Too few participants rated themselves at both the end of the course and the follow-up to test whether the change lasted."
    else:
        parts = []
        if len(fell):
            parts.append(f"fell significantly in {number_word(len(fell))} of {number_word(len(shown))} areas: {listed(fell)}")
        if len(rose):
            parts.append(f"rose significantly in {number_word(len(rose))} of {number_word(len(shown))} areas: {listed(rose)}")
        steady = len(shown) - len(fell) - len(rose)
        if not parts:
            parts.append(f"did not change significantly in any of the {number_word(len(shown))} areas")
        elif steady:
            parts.append(f"did not change significantly in the other {number_word(steady)}")
        lasting_text = (f"Did the change last? From the end of the course to the follow-up, ratings {'; they '.join(parts)} "
                        f"(paired t-test, end minus follow-up, {significance_label(alpha)}).")
    corrected = omnibus[(omnibus["n"] >= min_group_size) & omnibus["p_mauchly"].notna()]
    if len(corrected) == 0:
        return lasting_text + "\n\n"
    violated = int((corrected["p_mauchly"] < alpha).sum())
    low, high = corrected["gg_epsilon"].min(), corrected["gg_epsilon"].max()
    epsilon = (f"ε = {format_p(low, 2)}" if format_p(low, 2) == format_p(high, 2)
               else f"ε from {format_p(low, 2)} to {format_p(high, 2)}")
    names = dict(zip(lasting["area_id"], lasting["area"]))
    anova = join_words([f"{names[r.area_id]} F({format_half_up(r.gg_epsilon * r.df1, 2)}, {format_half_up(r.gg_epsilon * r.df2, 2)}) = "
                        f"{format_half_up(r.F, 2)}, {p_text(r.p_anova_gg)}"
                        for r in corrected.itertuples()])
    sphericity = (f"Mauchly's test rejects sphericity in {number_word(violated)} of {number_word(len(corrected))} areas"
                  if violated else f"Mauchly's test rejects sphericity in none of the {number_word(len(corrected))} areas")
    return (f"{lasting_text} {sphericity} ({significance_label(alpha)}); the repeated-measures ANOVA across all waves, "
            f"with the Greenhouse–Geisser correction for any departure from sphericity ({epsilon}), gives {anova}.\n\n")


def follow_up_summary(lasting: pd.DataFrame, min_group_size: int, alpha: float) -> str:
    """One sentence for the summary and the conclusions on whether the change lasted.

    Parameters
    ----------
    lasting : DataFrame
        The area table of end against follow-up (see :func:`follow_up_lasting_text`).
    min_group_size : int
        The privacy threshold.
    alpha : float
        The significance level.

    Returns
    -------
    str
        E.g. "At the follow-up, ratings had fallen significantly since the end of the
        course in three of four areas."
    """
    shown = lasting[(lasting["n"] >= min_group_size) & lasting["p"].notna()]
    if len(shown) == 0:
        return "Too few participants took part in the follow-up to say whether the change lasted."
    fell = int(((shown["p"] < alpha) & (shown["t"] > 0)).sum())
    rose = int(((shown["p"] < alpha) & (shown["t"] < 0)).sum())
    of = f"of {number_word(len(shown))} areas"
    if not fell and not rose:
        return (f"At the follow-up, ratings had not changed significantly since the end of the course in any of the "
                f"{number_word(len(shown))} areas.")
    moves = [f"{verb} significantly since the end of the course in {number_word(k)} {of}"
             for verb, k in (("fallen", fell), ("risen", rose)) if k]
    return f"At the follow-up, ratings had {' and '.join(moves)}."


#: Glue of notebook 01_clean (stage 1); the stage prefixes every key with ``clean_``.
CLEAN_GLUE = GlueSpec(
    notebook="01_clean",
    keys={key: REQUIRED for key in (
        "clean_n_ratings", "clean_n_missing_ratings", "clean_n_waves", "clean_n_log_entries", "clean_n_participants_any",
        "clean_sample_text", "clean_client", "clean_report_date", "clean_programme", "clean_data_notice_title",
        "clean_data_notice", "clean_data_page_note", "clean_participation_text")}
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
        "n_audit_unreachable", "n_audit_cells", "audit_fails_text", "fo_published_end", "fo_mean_end_exact", "fo_mean_end_half_even",
        "follow_up_present", "follow_up_summary", "reproduction_summary", "comparison_sentence", "change_headline", "change_summary",
        "area_results_text", "behaviour_change_text", "ratings_conclusion", "min_group_size", "area_gaps_text",
        "scale_text", "linking_text", "paired_sample_text")}
    # Only an unlinked (independent-samples) report has these; the chapters show them in place of the paired passages.
    | {key: "" for key in ("independent_headline", "independent_summary", "independent_results_text", "independent_caveat")}
    # "" with a follow-up wave (its section says what happened), else NO_FOLLOW_UP_NOTE.
    | {"follow_up_note": ""},
    # One key per area of the cohort's own framework and statistic.
    patterns={r"[a-z0-9_]+_(" + "|".join(AREA_STATISTICS + ("n_sig", "n_behaviours")) + ")": REQUIRED},
)
