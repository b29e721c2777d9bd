"""The qualitative strand's display tables and profile snippets.

What a reader sees: the theme tally as "count of n" with withheld groups left out, the
per-code agreement table, the profiles of consenting respondents, and one-cell tables
in place of those with nothing to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from lehc_report import privacy
from lehc_report.disclosure import disclosed_crossing
from lehc_report.inputs.qualitative import QualitativeData
from lehc_report.prose.qual import quote_markdown
from lehc_report.prose.rounding import format_half_up
from lehc_report.prose.words import join_words, number_word
from lehc_report.render.outputs import write_myst_table
from lehc_report.render.text import myst_literal
from lehc_report.stats.tally import PRIMARY_CODER, respondent_profiles

#: The tally's possible columns: (breakdown, subgroup, heading).
COLUMNS = (("overall", "all", "All respondents"), ("source", "survey", "Survey"), ("source", "interview", "Interviews"),
           ("group", "professional", "Professionals"), ("group", "uses_services", "People who use services"))


def shown_columns(sizes: Mapping[str, Mapping[str, int]], plan: Mapping) -> list[tuple[str, str, str]]:
    """The tally columns that can be published.

    Parameters
    ----------
    sizes : mapping
        Breakdown -> subgroup -> respondents (:func:`lehc_report.stats.tally.group_sizes`).
    plan : mapping
        The suppression plan (:func:`lehc_report.privacy.suppression_plan`).

    Returns
    -------
    list of (breakdown, subgroup, heading)
        The columns of :data:`COLUMNS` that are not withheld, not empty, and not a
        breakdown whose only non-empty group is everyone (it would repeat the total).
    """
    shown = []
    for breakdown, subgroup, label in COLUMNS:
        n = sizes[breakdown][subgroup]
        non_empty = [g for g, m in sizes[breakdown].items() if m > 0]
        if n == 0 or (breakdown, subgroup) in plan or (breakdown != "overall" and len(non_empty) < 2):
            continue
        shown.append((breakdown, subgroup, label))
    return shown


def withheld_note(sizes: Mapping[str, Mapping[str, int]], plan: Mapping, settings: privacy.PrivacySettings) -> str:
    """One sentence for the tally's caption naming the withheld columns and why, without
    their sizes (a withheld group's size is itself a count of a group).

    Parameters
    ----------
    sizes : mapping
        Breakdown -> subgroup -> respondents (kept for the callers; never printed here).
    plan : mapping
        The suppression plan.
    settings : PrivacySettings
        ``min_group_size``.

    Returns
    -------
    str
        "" when nothing is withheld; "Not shown separately: interviews, fewer than 5
        people." with, for secondary suppression, "; and survey, whose count would reveal
        the smaller group's by subtraction from the total".
    """
    labels = {(b, g): label for b, g, label in COLUMNS}
    primary = [labels[c].lower() for c in labels if plan.get(c) == privacy.PRIMARY]
    secondary = [labels[c].lower() for c in labels if plan.get(c) == privacy.SECONDARY]
    if not primary:
        return ""
    note = f"Not shown separately: {join_words(primary)}, fewer than {settings.min_group_size} people"
    if secondary:
        note += f"; and {join_words(secondary)}, whose count would reveal the smaller group's by subtraction from the total"
    return note + "."


def tally_display(tally: pd.DataFrame, settings: privacy.PrivacySettings, sizes: Mapping | None = None,
                  plan: Mapping | None = None) -> pd.DataFrame:
    """The theme tally as the report shows it.

    Parameters
    ----------
    tally : DataFrame
        :func:`lehc_report.stats.tally.theme_tally` (long: level, id, name, breakdown,
        subgroup, count, n).
    settings : PrivacySettings
    sizes, plan : mapping, optional
        Group sizes and suppression plan; worked out from ``tally`` when not given.

    Returns
    -------
    DataFrame, one row per theme: ``Theme`` and one column per publishable subgroup,
    headed "Survey (n = 9)", with cells "count of n".  Withheld groups (small ones,
    and their complements) are left out.
    """
    themes = tally[tally["level"] == "theme"]
    if sizes is None:
        sizes = {b: dict(zip(themes.loc[themes["breakdown"] == b, "subgroup"], themes.loc[themes["breakdown"] == b, "n"].astype(int)))
                 for b in ("overall", "source", "group")}
    plan = privacy.suppression_plan(sizes, settings) if plan is None else plan
    show = pd.DataFrame({"Theme": themes.drop_duplicates("id")["name"].to_numpy()})
    columns = shown_columns(sizes, plan)
    # A shown group's count for a theme is a crossing of the group with an outcome: it
    # passes the disclosure rule theme by theme (the sources are not groups of people).
    crossed = {}
    for item, rows in themes[themes["breakdown"] == "group"].groupby("id", sort=False):
        withheld = {g for g in rows["subgroup"] if ("group", g) in plan}
        crossed[item] = disclosed_crossing(dict(zip(rows["subgroup"], rows["count"].astype(int))), sizes["group"],
                                           settings, withheld)
    for breakdown, subgroup, label in columns:
        cells = themes[(themes["breakdown"] == breakdown) & (themes["subgroup"] == subgroup)]
        n = sizes[breakdown][subgroup]
        if breakdown == "group":
            shown = [crossed[item][subgroup] for item in cells["id"]]
            show[f"{label} (n = {n})"] = [withheld_cell(settings) if c is None else f"{c} of {n}" for c in shown]
        else:
            show[f"{label} (n = {n})"] = [f"{int(c)} of {n}" for c in cells["count"]]
    return show


def withheld_cell(settings: privacy.PrivacySettings) -> str:
    """What a tally cell shows for a group's count that the disclosure rule withholds.

    Parameters
    ----------
    settings : PrivacySettings
        ``min_group_size``.

    Returns
    -------
    str
        "withheld (fewer than 5 raised it or did not)".
    """
    return f"withheld (fewer than {settings.min_group_size} raised it or did not)"


def tally_caption(sizes: Mapping, plan: Mapping, settings: privacy.PrivacySettings, coder: str) -> str:
    """The caption of the theme-tally table.

    Parameters
    ----------
    sizes, plan : mapping
        Group sizes and suppression plan.
    settings : PrivacySettings
        ``min_group_size``.
    coder : str
        The analysis coder (``analysis_coder`` in ``analysis.yml``).

    Returns
    -------
    str
    """
    caption = (f"Respondents raising each theme, by source and group (respondents, not segments; coder {coder}). "
               f"Counts for groups of fewer than {settings.min_group_size} people are suppressed, and so is any count "
               "from which a suppressed one could be worked out.")
    note = withheld_note(sizes, plan, settings)
    return f"{caption} {note + ' ' if note else ''}Source: notebook 03_qual."


AGREEMENT_NUMBERS = ("Units", "Coder A", "Coder B", "Agreement (%)", "Cohen's kappa")


def agreement_display(agreement: pd.DataFrame) -> pd.DataFrame:
    """The per-code agreement table as the report shows it.

    Parameters
    ----------
    agreement : DataFrame
        :func:`lehc_report.stats.agreement.intercoder_agreement`.

    Returns
    -------
    DataFrame, one row per code: Code, Units, Coder A, Coder B (segments), Agreement (%)
    to one place, Cohen's kappa to two places ("undefined" where it is), all text.
    """
    return agreement.assign(
        **{"Code": agreement["name"], "Units": agreement["n_units"].astype(str),
           "Coder A": agreement["n_a"].astype(str), "Coder B": agreement["n_b"].astype(str),
           "Agreement (%)": agreement["percent_agreement"].map(lambda v: format_half_up(v, 1)),
           "Cohen's kappa": agreement["cohen_kappa"].map(lambda v: "undefined" if pd.isna(v) else format_half_up(v, 2))}
    )[["Code", *AGREEMENT_NUMBERS]]


def note_table(path: Path, label: str, caption: str, heading: str, text: str) -> None:
    """A one-cell table in place of one that has nothing to show.

    Written under the same label, so that cross-references in the chapters still resolve.

    Parameters
    ----------
    path : Path
        The snippet to write.
    label : str
        The table's label (``tbl-theme-tally``).
    caption, heading, text : str
        Its caption, its one column heading and its one cell.
    """
    write_myst_table(pd.DataFrame({heading: [text]}), path, caption, label)


def profiles_markdown(data: QualitativeData, case_ids: list[str], show_source: bool = True,
                      change_themes: tuple[str, ...] = (), quote_code: str | None = None,
                      coder: str = PRIMARY_CODER) -> str:
    """Short profiles of consenting respondents: role, what changed as coded, a quotation.

    What a profile may show without identifying its person (the methodology states it):
    the broad role label (shared by at least ``min_attribution_size`` respondents), the
    source when the survey/interview split is shown, the codes of what the person said
    and one passage they agreed to have quoted.  It never sets the person's own
    self-assessment scores, or their changes, or whether they completed the
    self-assessment, beside the role label: with a role shared by two people, the
    scores would be one of two people's, and the register links them to a gender.

    The respondents must have been checked first
    (:func:`lehc_report.inputs.qualitative.check_case_studies`).

    Parameters
    ----------
    data : QualitativeData
    case_ids : list of str
        Respondents to profile, in order.
    show_source : bool
        False when the survey/interview split is withheld for privacy: the profile then
        names the evaluation instead of the source.
    change_themes : tuple of str
        Themes whose codes say what changed for a respondent; with none, every code of
        the respondent is listed, as "Coded".
    quote_code : str, optional
        The code whose segment is quoted first; else the respondent's first exemplar.
    coder : str
        The analysis coder.

    Returns
    -------
    str
        MyST: a sentence naming the changes coded for every profiled respondent (when there
        are several), then one ``### Profile k: <role label>`` block per respondent with
        the changes and other codes that are its own.  Every value from the
        data (role label, code names, the quotation) goes through
        :func:`lehc_report.render.text.myst_literal`, so it reads as typed and is never markup.
    """
    profiles = respondent_profiles(data, case_ids, coder=coder)
    code_names = data.codebook.codes.set_index("code_id")["name"]
    coded = data.codings[data.codings["coder"] == coder].merge(data.segments, on="segment_id")
    change_prefixes = tuple(f"{t}." for t in change_themes)
    changes_of = {rid: [c for c in profiles.loc[rid, "codes"] if c.startswith(change_prefixes)] for rid in case_ids}
    # Changes coded for every profiled person are said once, above the profiles: the same
    # list under each profile read as a form filled in three times and told nothing about
    # the person.
    shared = (set.intersection(*(set(codes) for codes in changes_of.values()))
              if change_themes and len(case_ids) > 1 else set())
    # Likewise what everyone profiled raised: each profile lists only what sets it apart.
    shared_others = (set.intersection(*(set(profiles.loc[rid, "codes"]) for rid in case_ids))
                     if len(case_ids) > 1 else set())
    blocks = []
    if shared:
        names = [code_names[c].lower() for c in changes_of[case_ids[0]] if c in shared]
        everyone = "Both" if len(case_ids) == 2 else f"All {number_word(len(case_ids))}"
        blocks.append(f"{everyone} profiled respondents were coded with the same changes: "
                      f"{myst_literal(join_words(names))}.")
    for number, rid in enumerate(case_ids, start=1):
        person = profiles.loc[rid]
        lines = [f"### Profile {number}: {myst_literal(person['role_label'])}", ""]
        took_part = ("the interviews" if person["source"] == "interview" else "the survey") if show_source else "the evaluation"
        lines.append(f"- **Took part in:** {took_part}; agreed to be quoted.")
        if change_themes:
            changes = [code_names[c] for c in changes_of[rid] if c not in shared]
            if changes:
                label = "Also changed, as coded" if shared else "What changed, as coded"
                lines.append(f"- **{label}:** {myst_literal(', '.join(changes).lower())}.")
            elif not shared:
                coded_text = "no change coded yet" if data.coded else "not coded (no codings.csv)"
                lines.append(f"- **What changed, as coded:** {coded_text}.")
            others = [code_names[c] for c in person["codes"]
                      if not c.startswith(change_prefixes) and c not in shared_others]
            if others:
                lines.append(f"- **Also raised, as coded:** {myst_literal(', '.join(others).lower())}.")
        else:
            codes = [code_names[c] for c in person["codes"]]
            coded_text = myst_literal(", ".join(codes).lower()) if codes else ("nothing coded yet" if data.coded else "not coded (no codings.csv)")
            lines.append(f"- **Coded:** {coded_text}.")
        own_segments = coded[coded["respondent_id"] == rid]
        pick = own_segments[own_segments["code_id"] == quote_code] if quote_code else own_segments.iloc[0:0]
        if pick.empty:
            pick = own_segments[own_segments["exemplar"] == "yes"]
        if not pick.empty:
            lines += ["", f"> {myst_literal(quote_markdown(pick.sort_values('segment_id')['text'].iloc[0], person['role_label']))}"]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
