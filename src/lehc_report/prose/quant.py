"""Sentences about the self-assessment results that follow the numbers.

The report is rebuilt for other cohorts, where ratings may fall, tests may be
undefined (everyone changed by the same amount) or groups may be too small to
report.  So the sentences that describe the results are composed here from the
results, never typed into the chapters: a chapter glues the sentence, and the
sentence says "rose", "fell" or "no clear change" as the data do.
"""

from __future__ import annotations

import pandas as pd

from lehc_report.prose.rounding import format_half_up, format_p
from lehc_report.prose.words import join_words, number_word, p_text  # noqa: F401 (re-exported for the stages)

#: The conventional threshold the 2013 report used for "significant".
ALPHA = 0.05


def test_outcome(row, min_group_size: int) -> str:
    """How one paired comparison came out: 'withheld', 'too_few', 'constant',
    'rose', 'fell' (p < .05 either way) or 'unclear'."""
    if row.n < min_group_size:
        return "withheld"
    if row.n < 2:
        return "too_few"
    if pd.isna(row.t):
        return "constant" if row.mean_change != 0 else "none"
    if row.p < ALPHA:
        return "rose" if row.mean_change > 0 else "fell"
    return "unclear"


def area_sentence(row, min_group_size: int) -> str:
    """One area's result in words, with its test where it has one."""
    outcome = test_outcome(row, min_group_size)
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
    """"rose in all four areas" / "rose in two of the four areas, fell in one and ..."."""
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


def behaviour_counts(behaviours: pd.DataFrame, min_group_size: int) -> dict[str, int]:
    outcomes = [test_outcome(row, min_group_size) for row in behaviours.itertuples()]
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


def change_narrative(areas: pd.DataFrame, behaviours: pd.DataFrame, n_complete: int, min_group_size: int) -> dict[str, str]:
    """Glue for every sentence that describes the self-assessment results."""
    if n_complete < min_group_size:
        withheld = (f"The self-assessment results are withheld: fewer than {min_group_size} participants rated "
                    "themselves at both the start and the end")
        return {"change_headline": "Self-assessment results withheld.", "change_summary": withheld,
                "area_results_text": withheld + ".", "behaviour_change_text": "",
                "ratings_conclusion": "no self-assessment results that can be reported for so few participants"}
    outcomes = [test_outcome(row, min_group_size) for row in areas.itertuples()]
    headline = direction_headline(outcomes)
    counts = behaviour_counts(behaviours, min_group_size)
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
    behaviour_text += f"; {join_words(sig)} passed a paired t-test at p < .05" if sig else "; no change passed a paired t-test at p < .05"
    if counts["no_spread"]:
        behaviour_text += (f"; {counts['no_spread']} could not be tested, every participant's rating of "
                           f"{'it' if counts['no_spread'] == 1 else 'them'} having changed by the same amount")
    if counts["untested"]:
        behaviour_text += (f", and {counts['untested']} {'behaviour was' if counts['untested'] == 1 else 'behaviours were'} "
                           f"not tested, having fewer than {min_group_size} pairs of ratings")
    behaviour_text += "."
    area_text = "Between the start and the end of the course, " + "; ".join(
        area_sentence(row, min_group_size) for row in areas.itertuples()) + "."
    return {
        "change_headline": f"Self-assessed leadership {headline}.",
        "change_summary": summary,
        "area_results_text": area_text,
        "behaviour_change_text": behaviour_text,
        "ratings_conclusion": f"self-ratings that {headline}",
    }


def sample_description(participants: pd.DataFrame | None, participant_ids) -> str:
    """"Of the 9 participants, 7 are women and 2 are men." (from the optional register)."""
    if participants is None or "gender" not in participants:
        return ""
    register = participants[participants["participant_id"].isin(set(participant_ids))]
    women, men = int((register["gender"] == "female").sum()), int((register["gender"] == "male").sum())
    other = len(register) - women - men
    parts = [f"{women} {'is a woman' if women == 1 else 'are women'}", f"{men} {'is a man' if men == 1 else 'are men'}"]
    if other:
        parts.append(f"{other} {'has' if other == 1 else 'have'} another or no recorded gender")
    return f"Of the {len(register)} participants, {join_words(parts)}."


def area_gaps_text(areas: pd.DataFrame, n_complete: int) -> str:
    """Areas with fewer pairs than the paired comparison as a whole, and why."""
    short = areas[areas["n"] < n_complete]
    if short.empty:
        return ""
    listed = join_words([f"{row.area} (n = {int(row.n)})" for row in short.itertuples()])
    return ("Some participants answered fewer than half of an area's behaviours at one wave, which leaves their score "
            f"for that area missing rather than estimated, so these areas have fewer pairs: {listed}.")
