"""Sentences of the qualitative strand: what the findings chapters paste in.

Each function words one statistic or one fact about the coded texts so that it reads
correctly whatever the data hold (a source absent, withheld or empty; one person or
many).  Its docstring lists the sentences it can produce.  The glue keys the stage
gives the chapters are declared here, in :data:`QUAL_GLUE`.  Sentences about the
2013 codebook's own findings are in :mod:`lehc_report.published.codebook_2013`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from lehc_report import privacy
from lehc_report.book.glue import REQUIRED, GlueSpec
from lehc_report.prose.rounding import format_half_up
from lehc_report.prose.words import count_phrase, join_words, number_word, sentence_start

NO_QUOTE = "No consented quotation is available for this theme."
NO_QUOTE_UNCODED = "No quotation can be chosen until the texts have been coded."
_NOT_CODED = "not counted: this cohort's texts have not been coded"
_NO_QUALITATIVE = "not reported: this cohort has no qualitative data"

#: The glue keys of notebook 03_qual.  Keys that depend on the cohort's codebook are
#: patterns: ``t_<id>`` and ``t_<id>_<subgroup>`` (respondents raising a theme or code),
#: ``np_<id>`` ("7 respondents"), ``ph_<id>`` and ``ph_<id>_<source>`` ("7 of the 19
#: respondents") and ``quote_<theme>_<k>`` (the k-th quotation of a theme), where
#: ``<id>`` is a theme or code ID with "." as "_" (:func:`key`).
QUAL_GLUE = GlueSpec(
    notebook="03_qual",
    keys={
        "qual_status": REQUIRED,
        "coders_sentence": "No segment has been coded, so no agreement between coders is measured.",
        "consent_sentence": "No quotation is reported: this cohort has no qualitative data.",
        "interview_sentence": "No interviews are in this cohort's data.",
        "survey_sentence": "No survey returns are in this cohort's data.",
        "sources_sentence": "The findings below rest on the self-assessments alone (this cohort has no qualitative data).",
        "segments_phrase": "no segments",
        "min_group_size": REQUIRED,
        "n_all": "0",
        "n_codes": "0",
        "n_themes": "0",
        "profiles_intro": "This cohort has no qualitative data, so there are no profiles.",
        "us_valued_sentence": "The views of people who use services are not reported: this cohort has no qualitative data.",
        "us_passed_on_sentence": "What people who use services passed on is not known: this cohort has no qualitative data.",
        # The 2013 codebook's findings (lehc_report.published.codebook_2013): a cohort
        # coded with another codebook cannot say these.
        "subj_framework_resonates": "Respondents (their number is not counted by this cohort's codebook)",
        "concrete_changes_sentence": "This cohort's codebook does not count concrete examples of changes made at work.",
        "community_sentence": "This cohort's codebook does not count comments on effects on communities.",
    },
    patterns={
        r"t_[a-z0-9_]+": _NOT_CODED,
        r"np_[a-z0-9_]+": _NOT_CODED,
        r"ph_[a-z0-9_]+": _NOT_CODED,
        r"quote_[a-z0-9_]+_[0-9]+": NO_QUOTE,
    },
)


def key(identifier: str) -> str:
    """The glue-safe form of a theme or code ID.

    Parameters
    ----------
    identifier : str
        A theme ID (``"impact_role"``) or code ID (``"impact_role.concrete_changes"``).

    Returns
    -------
    str
        ``"."`` replaced by ``"_"`` (``"impact_role_concrete_changes"``).
    """
    return identifier.replace(".", "_")


IRREGULAR = {"women": "woman", "men": "man", "people": "person", "interviewees": "interviewee"}


def singular(noun: str) -> str:
    """The singular of a plural noun phrase: its last word loses its plural.

    Parameters
    ----------
    noun : str
        A plural noun phrase ("survey respondents", "women").

    Returns
    -------
    str
        "survey respondent", "woman".
    """
    head, _, last = noun.rpartition(" ")
    one = IRREGULAR.get(last, last[:-1] if last.endswith("s") else last)
    return f"{head} {one}".strip()


def counted(n: int, noun: str) -> str:
    """A count with its noun in the right number.

    Parameters
    ----------
    n : int
        The count.
    noun : str
        The plural noun phrase.

    Returns
    -------
    str
        "1 respondent", "12 respondents", "1 woman".
    """
    return f"{n} {singular(noun) if n == 1 else noun}"


def capitalise(text: str) -> str:
    """``text`` made fit to open a sentence: first letter in upper case, a leading count in words.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        :func:`lehc_report.prose.words.sentence_start` ("9 participants" -> "Nine participants").
    """
    return sentence_start(text)


def share_phrase(count: int, n: int, noun: str) -> str:
    """How many of a group, in words.

    Parameters
    ----------
    count : int
        Members of the group who did it.
    n : int
        The group's size.
    noun : str
        The plural noun for the group's members ("interviewees").

    Returns
    -------
    str
        One of: "no interviewees" (n = 0); "all ten interviewees", "both interviewees",
        "the one interviewee" (count = n); "none of the ten interviewees" (count = 0);
        "seven of the ten interviewees" (:func:`lehc_report.prose.words.count_phrase`).
    """
    return count_phrase(count, n, noun, one=singular(noun))


#: What a finding says when it rests on a code the coders did not agree on well.
WEAK_AGREEMENT = " (coding agreement for this code was weak, kappa = {kappa})"
UNMEASURED_AGREEMENT = " (coding agreement for this code could not be measured: kappa is undefined)"


def agreement_caveat(kappa: float, threshold: float) -> str:
    """The caveat a finding carries when its code's Cohen's kappa is below the threshold or undefined.

    Parameters
    ----------
    kappa : float
        Cohen's (1960) kappa of the code between the two coders (NaN where undefined:
        a coder used the code always or never in the double-coded sample).
    threshold : float
        ``agreement_threshold`` of ``analysis.yml``: a kappa below it is weak (0.4 is
        "fair" at best in Landis & Koch 1977).

    Returns
    -------
    str
        " (coding agreement for this code was weak, kappa = 0.21)", " (coding agreement
        for this code could not be measured: kappa is undefined)", or "" for a kappa at or
        above the threshold.
    """
    if pd.isna(kappa):
        return UNMEASURED_AGREEMENT
    return WEAK_AGREEMENT.format(kappa=format_half_up(kappa, 2)) if kappa < threshold else ""


def weak_agreement_glue(glue: Mapping[str, str], agreement: pd.DataFrame, threshold: float) -> dict[str, str]:
    """The count glue of every code with weak or unmeasured agreement, with the caveat added.

    Parameters
    ----------
    glue : mapping
        The stage's glue, holding :func:`theme_count_glue`'s keys.
    agreement : DataFrame
        :func:`lehc_report.stats.agreement.intercoder_agreement`: ``code_id``,
        ``cohen_kappa`` (NaN where undefined), one row per code.
    threshold : float
        ``agreement_threshold`` of ``analysis.yml``.

    Returns
    -------
    dict
        For every code with a caveat (:func:`agreement_caveat`): ``t_k``, ``np_k``,
        ``ph_k``, ``ph_k_survey``, ``ph_k_interview`` and their ``_opening`` forms with
        the caveat after the count ("4 (coding agreement for this code could not be
        measured: kappa is undefined)"), so every sentence that rests on the code says
        so.
    """
    out: dict[str, str] = {}
    for row in agreement.itertuples():
        k = key(row.code_id)
        caveat = agreement_caveat(row.cohen_kappa, threshold)
        if not caveat:
            continue
        for name in (f"t_{k}", f"np_{k}", f"ph_{k}", f"ph_{k}_survey", f"ph_{k}_interview", f"t_{k}_opening",
                     f"np_{k}_opening", f"ph_{k}_opening"):
            if name in glue and not glue[name].startswith(("suppressed", "not ")):
                out[name] = glue[name] + caveat
    return out


def alpha_reading(alpha: float, firm: float, tentative: float) -> str:
    """What Krippendorff's alpha allows one to conclude, as a clause.

    Method: Krippendorff, *Content Analysis*, 2nd ed. (2004), section 11.4: alpha of at
    least 0.800 for firm conclusions, at least 0.667 for tentative ones (both set in
    ``analysis.yml`` as ``krippendorff_firm`` and ``krippendorff_tentative``).

    Parameters
    ----------
    alpha : float
        Krippendorff's alpha (nominal); NaN when undefined.
    firm, tentative : float
        The thresholds for firm and for tentative conclusions.

    Returns
    -------
    str
        One of: "which cannot be computed for this sample"; "above the 0.80 Krippendorff
        recommends for firm conclusions"; "between the 0.667 Krippendorff accepts for
        tentative conclusions and the 0.80 he recommends for firm ones"; "below the 0.667
        Krippendorff sets as the minimum even for tentative conclusions, so the coding
        should be revisited".
    """
    firm_text, tentative_text = _threshold(firm), _threshold(tentative)
    if pd.isna(alpha):
        return "which cannot be computed for this sample"
    if alpha >= firm:
        return f"above the {firm_text} Krippendorff recommends for firm conclusions"
    if alpha >= tentative:
        return (f"between the {tentative_text} Krippendorff accepts for tentative conclusions and the {firm_text} "
                "he recommends for firm ones")
    return (f"below the {tentative_text} Krippendorff sets as the minimum even for tentative conclusions, "
            "so the coding should be revisited")


def _threshold(value: float) -> str:
    # Two places at least, as Krippendorff writes them (0.80), more where set (0.667).
    return format_half_up(value, 2) if round(value, 2) == value else f"{value:g}"


_QUOTE_MARKS = {"“": "”", '"': '"', "‘": "’", "'": "'"}


def quote_text(text: str) -> str:
    """A quotation's own words, ready to go inside our double quotation marks.

    Surrounding marks the respondent or transcriber added are dropped, and double
    marks inside become single ones (British nesting).

    Parameters
    ----------
    text : str
        The segment's text as coded.

    Returns
    -------
    str
    """
    text = text.strip()
    while len(text) >= 2 and text[0] in _QUOTE_MARKS and text[-1] == _QUOTE_MARKS[text[0]] \
            and text.count(text[0]) + (text.count(text[-1]) if text[0] != text[-1] else 0) == 2:
        text = text[1:-1].strip()
    return text.replace("“", "‘").replace("”", "’")


def quote_markdown(text: str, attribution: str) -> str:
    """A quotation with its attribution: “…” (role label).

    Parameters
    ----------
    text : str
        The segment's text.
    attribution : str
        The respondent's broad role label.

    Returns
    -------
    str
    """
    return f"“{quote_text(text)}” ({attribution})"


def gender_phrase(female: int, male: int) -> str:
    """The women and men among a group, leaving out a gender with nobody.

    Parameters
    ----------
    female, male : int
        Counts.

    Returns
    -------
    str
        "1 woman and 8 men", "3 women", "" when both are 0.
    """
    return join_words([counted(n, noun) for n, noun in ((female, "women"), (male, "men")) if n > 0])


def sources_sentence(counts: Mapping[str, int], sources: tuple[str, ...]) -> str:
    """The sources the qualitative findings combine.

    Parameters
    ----------
    counts : mapping
        Respondents by ``"survey"`` and ``"interview"``.
    sources : tuple of str
        The sources this cohort has a file for.

    Returns
    -------
    str
        "The findings below combine three sources: the self-assessments, the nine survey
        returns and the ten interviews."; with one source, "The findings below combine two
        sources: the self-assessments and the nine survey returns (this cohort's data hold
        no interviews)."; an empty source reads "the survey (no returns)" or "the
        interviews (none took place)".
    """
    parts = []
    if "survey" in sources:
        n = counts["survey"]
        parts.append(f"the {number_word(n)} survey {'return' if n == 1 else 'returns'}" if n else "the survey (no returns)")
    if "interview" in sources:
        n = counts["interview"]
        parts.append(f"the {number_word(n)} {'interview' if n == 1 else 'interviews'}" if n else "the interviews (none took place)")
    sentence = f"The findings below combine {number_word(len(parts) + 1)} sources: the self-assessments, " if len(parts) > 1 \
        else "The findings below combine two sources: the self-assessments and "
    sentence = (sentence + join_words(parts)) if len(parts) > 1 else sentence + parts[0]
    if "survey" not in sources:
        sentence += " (this cohort's data hold no survey returns)"
    if "interview" not in sources:
        sentence += " (this cohort's data hold no interviews)"
    return sentence + "."


def survey_sentence(counts: Mapping[str, int], facts: Mapping[str, str], sources: tuple[str, ...], n_blank: int) -> str:
    """Who returned the survey.

    Parameters
    ----------
    counts : mapping
        Respondents by ``"survey"``.
    facts : mapping
        ``n_survey_female`` and ``n_survey_male`` (text).
    sources : tuple of str
    n_blank : int
        Survey returns with no answer.

    Returns
    -------
    str
        "No survey returns are in this cohort's data, so
        the qualitative findings rest on the interviews alone."; "No participant returned
        it."; "9 participants returned it (1 woman and 8 men)." with, when some came back
        blank, " Of these, one came back blank: a blank form is still a return, so it
        counts in every denominator, as a return that raised no theme."
    """
    if "survey" not in sources:
        return ("No survey returns are in this cohort's data, "
                "so the qualitative findings rest on the interviews alone.")
    n = counts["survey"]
    if n == 0:
        return "No participant returned it."
    sentence = (f"{capitalise(counted(n, 'participants'))} returned it "
                f"({gender_phrase(int(facts['n_survey_female']), int(facts['n_survey_male']))}).")
    if n_blank:
        blank = "one came back blank" if n_blank == 1 else f"{number_word(n_blank)} came back blank"
        sentence += (f" Of these, {blank}: a blank form is still a return, so it counts in every denominator, "
                     "as a return that raised no theme.")
    return sentence


def interview_sentence(counts: Mapping[str, int], facts: Mapping[str, str], sources: tuple[str, ...]) -> str:
    """Who was interviewed, and how.

    Parameters
    ----------
    counts : mapping
        Respondents by ``"interview"``.
    facts : mapping
        ``n_interview_professional``, ``n_interview_uses_services``,
        ``n_interview_female``, ``n_interview_male`` (text).
    sources : tuple of str

    Returns
    -------
    str
        "No interviews are in this cohort's data, so
        the qualitative findings rest on the survey alone."; or "10 participants took part
        in semi-structured telephone interviews of about an hour, …: 8 who commission or
        deliver services and 2 who use services (6 women and 4 men in all)." (verbs agree
        with 1).
    """
    if "interview" not in sources or counts["interview"] == 0:
        return ("No interviews are in this cohort's data, "
                "so the qualitative findings rest on the survey alone.")
    n = counts["interview"]
    professional, uses = int(facts["n_interview_professional"]), int(facts["n_interview_uses_services"])
    groups = []
    if professional:
        groups.append(f"{professional} who {'commissions or delivers' if professional == 1 else 'commission or deliver'} services")
    if uses:
        groups.append(f"{uses} who {'uses' if uses == 1 else 'use'} services")
    genders = gender_phrase(int(facts["n_interview_female"]), int(facts["n_interview_male"]))
    return (f"{capitalise(counted(n, 'participants'))} took part in semi-structured telephone interviews of about an hour, "
            "loosely following the survey questions but probing how they had found the course and how they "
            f"meant to use it: {join_words(groups)} ({genders} in all).")


def segments_phrase(n_survey: int, n_interview: int, sources: tuple[str, ...]) -> str:
    """The coded segments, by source.

    Parameters
    ----------
    n_survey, n_interview : int
        Segments (non-blank survey answers; interview passages).
    sources : tuple of str

    Returns
    -------
    str
        "120 segments: 80 survey answers and 40 interview passages"; "80 segments, all
        survey answers"; "40 segments, all interview passages".
    """
    total = counted(n_survey + n_interview, "segments")
    if sources == ("survey",):
        return f"{total}, all survey answers"
    if sources == ("interview",):
        return f"{total}, all interview passages"
    return f"{total}: {counted(n_survey, 'survey answers')} and {counted(n_interview, 'interview passages')}"


def coders_sentence(coded: bool, double_coding: bool, facts: Mapping[str, str]) -> str:
    """Who coded the texts, and how far two coders agreed.

    Parameters
    ----------
    coded : bool
        Whether the texts were coded (``codings.csv``).
    double_coding : bool
        Whether a sample was coded independently by a second coder.
    facts : mapping
        ``n_double_coded``, ``share_double_coded``, ``alpha``, ``kappa_median`` and
        ``alpha_reading`` (text), needed only with double coding.

    Returns
    -------
    str
        "No segment has been coded yet (…), so no theme is counted, no quotation is
        chosen and no agreement between coders is measured."; "One coder coded every
        segment. No segment was coded independently by a second coder, …"; or "One coder
        coded every segment; a second coded a sample of 12 (10%) independently. …
        Krippendorff's alpha of 0.85 (median Cohen's kappa per code 0.80), above the …".
    """
    if not coded:
        return ("No segment has been coded yet, so no theme is counted, "
                "no quotation is chosen and no agreement between coders is measured.")
    if not double_coding:
        return ("One coder coded every segment. No segment was coded independently by a second coder, so agreement "
                "between coders was not measured: the coding rests on one coder's judgement.")
    return (f"One coder coded every segment; a second coded a sample of {facts['n_double_coded']} "
            f"({facts['share_double_coded']}%) independently. Agreement over that sample, treating each "
            "segment-and-code pair as a yes/no decision, gives Krippendorff's alpha of "
            f"{facts['alpha']} (median Cohen's kappa per code {facts['kappa_median']}), {facts['alpha_reading']}.")


def consent_sentence(n_no: int, n_all: int) -> str:
    """Who may be quoted.

    Parameters
    ----------
    n_no : int
        Respondents who did not agree to be quoted.
    n_all : int
        All respondents.

    Returns
    -------
    str
        "No respondent agreed to be quoted, so the report quotes no one."; "Every
        respondent agreed to be quoted; quotations are attributed by broad role only.";
        "Quotations come only from the respondents who agreed to be quoted (2 did not, and
        are never quoted) and are attributed by broad role only." ("is" for 1).
    """
    if n_no == n_all:
        return "No respondent agreed to be quoted, so the report quotes no one."
    if n_no == 0:
        return "Every respondent agreed to be quoted; quotations are attributed by broad role only."
    return (f"Quotations come only from the respondents who agreed to be quoted ({n_no} did not, and "
            f"{'is' if n_no == 1 else 'are'} never quoted) and are attributed by broad role only.")


def uses_services_sentences(n_uses: int, settings: privacy.PrivacySettings) -> dict[str, str]:
    """What the chapters say about people who use services as a group: nothing that
    could be pinned on one person.

    Parameters
    ----------
    n_uses : int
        Respondents who use services.
    settings : PrivacySettings
        ``min_attribution_size``: the smallest group whose views are reported apart.

    Returns
    -------
    dict
        ``us_valued_sentence`` and ``us_passed_on_sentence``: with nobody, "No person who
        uses services took part in the evaluation, so …"; with fewer than
        ``min_attribution_size``, "Too few people who use services took part in the
        evaluation for their views to be reported apart from everyone else's." (both);
        otherwise "The people who use services who took part valued it too: …" and "The
        people who use services who took part had passed on what they learned to their own
        networks."
    """
    if n_uses == 0:
        absent = "No person who uses services took part in the evaluation"
        return {"us_valued_sentence": absent + ", so their own view of the course cannot be reported.",
                "us_passed_on_sentence": absent + ", so what they passed on to their own networks is not known."}
    if n_uses < settings.min_attribution_size:
        few = "Too few people who use services took part in the evaluation for their views to be reported apart from everyone else's."
        return {"us_valued_sentence": few, "us_passed_on_sentence": few}
    return {"us_valued_sentence": ("The people who use services who took part valued it too: they learned how commissioning and "
                                   "provider organisations work and who to approach in them, and took that back to their own groups."),
            "us_passed_on_sentence": "The people who use services who took part had passed on what they learned to their own networks."}


def profiles_intro(n_profiles: int) -> str:
    """The sentence before the profiles.

    Parameters
    ----------
    n_profiles : int
        Respondents named in ``case_studies.yml``.

    Returns
    -------
    str
        "This cohort names no respondents to profile, so there are no
        profiles."; "Three short profiles, drawn from the data of respondents who agreed to
        be quoted, in place of the 2013 report's case studies. Each gives a broad role
        only." ("One short profile, …" for 1).
    """
    if n_profiles == 0:
        return "This cohort names no respondents to profile, so there are no profiles."
    what = "short profile" if n_profiles == 1 else "short profiles"
    return (f"{capitalise(number_word(n_profiles))} {what}, drawn from the data of respondents who agreed to be quoted, "
            "in place of the 2013 report's case studies. Each gives a broad role only.")


SUBGROUPS = ("all", "survey", "interview", "professional", "uses_services")


def theme_count_glue(counts_by_item: Mapping[str, Mapping[str, int]], counts: Mapping[str, int],
                     sizes: Mapping[str, Mapping[str, int]], plan: Mapping[tuple[str, str], str],
                     shown: set[str], phrasable: set[str], settings: privacy.PrivacySettings) -> dict[str, str]:
    """The per-theme and per-code counts in words, for every item of the codebook.

    Parameters
    ----------
    counts_by_item : mapping
        Theme or code ID -> subgroup (``SUBGROUPS``) -> respondents raising it.
    counts : mapping
        Subgroup -> respondents in it.
    sizes : mapping
        Breakdown (``"overall"``, ``"source"``, ``"group"``) -> subgroup -> size.
    plan : mapping
        The suppression plan (:func:`lehc_report.privacy.suppression_plan`).
    shown : set of str
        Subgroups that are columns of the published tally.
    phrasable : set of str
        Sources the prose may name with their own counts (present, not empty, not withheld).
    settings : PrivacySettings

    Returns
    -------
    dict
        For each item ``k`` (:func:`key`): ``t_k`` and ``t_k_<subgroup>``, the count, or
        "suppressed (n < 5)", or "not applicable" for an empty subgroup that is not shown;
        ``np_k``, "7 respondents"; ``ph_k``, "seven of the 19 respondents"; ``ph_k_survey`` and
        ``ph_k_interview``, "three of the nine survey respondents" (the count over everyone when
        the source is withheld or absent).  With the overall count withheld, ``np_k`` and
        ``ph_k`` repeat ``t_k``.  For a sentence's first words, ``t_k_opening`` ("Four"),
        ``np_k_opening`` ("Seven respondents") and ``ph_k_opening`` ("Eighteen of the 19
        respondents"), never a digit.
    """
    glue: dict[str, str] = {}
    overall_withheld = ("overall", "all") in plan
    for item, row in counts_by_item.items():
        k = key(item)
        for subgroup in SUBGROUPS:
            breakdown = "overall" if subgroup == "all" else ("source" if subgroup in sizes["source"] else "group")
            name = f"t_{k}" if subgroup == "all" else f"t_{k}_{subgroup}"
            reason = plan.get((breakdown, subgroup))
            if reason:
                glue[name] = f"suppressed ({privacy.suppression_note(reason, settings)})"
            elif subgroup == "all" or subgroup in shown:
                glue[name] = str(row[subgroup])
            else:
                glue[name] = "not applicable" if counts[subgroup] == 0 else str(row[subgroup])
        glue[f"np_{k}"] = glue[f"t_{k}"] if overall_withheld else counted(row["all"], "respondents")
        glue[f"t_{k}_opening"] = capitalise(glue[f"t_{k}"])
        glue[f"np_{k}_opening"] = capitalise(glue[f"np_{k}"])
        glue[f"ph_{k}"] = glue[f"t_{k}"] if overall_withheld else share_phrase(row["all"], counts["all"], "respondents")
        glue[f"ph_{k}_opening"] = capitalise(glue[f"ph_{k}"])
        for source, noun in (("survey", "survey respondents"), ("interview", "interviewees")):
            # A withheld or absent source falls back on the count over all respondents.
            glue[f"ph_{k}_{source}"] = share_phrase(row[source], counts[source], noun) if source in phrasable else glue[f"ph_{k}"]
    return glue


def quote_glue(quotes: pd.DataFrame, theme_ids: list[str], per_theme: int, empty: str = NO_QUOTE) -> dict[str, str]:
    """Every quotation slot of every theme: the quotation, or a sentence saying there is none.

    Parameters
    ----------
    quotes : DataFrame
        The quote bank (:func:`lehc_report.stats.tally.quote_bank`): ``quote_id``
        (``<theme_id>-<k>``), ``text``, ``attribution``.
    theme_ids : list of str
        The codebook's themes.
    per_theme : int
        Slots per theme (the quote bank's ``max_per_theme``).
    empty : str
        The text of a slot with no quotation (:data:`NO_QUOTE`, :data:`NO_QUOTE_UNCODED`).

    Returns
    -------
    dict
        ``quote_<theme>_<k>`` for k = 1 .. ``per_theme``: “…” (role label), or ``empty``.
    """
    glue = {f"quote_{key(theme)}_{k}": empty for theme in theme_ids for k in range(1, per_theme + 1)}
    for quote in quotes.itertuples():
        glue[f"quote_{key(quote.quote_id.replace('-', '_'))}"] = quote_markdown(quote.text, quote.attribution)
    return glue


@dataclass(frozen=True)
class Withheld:
    """What the snippets and figures say when nothing can be tallied.

    One instance per reason (:data:`NO_QUALITATIVE`, :data:`NOT_CODED`): the theme-tally
    and agreement tables keep their labels (so cross-references still resolve) but hold
    one cell saying why, and the figures are placeholders.
    """

    status: str
    tally_caption: str
    tally_heading: str
    tally_cell: str
    agreement_caption: str
    agreement_heading: str
    agreement_cell: str
    figure_text: str
    quote_text: str


NO_QUALITATIVE = Withheld(
    status="This cohort has no survey returns or interviews, so there is nothing to report here.",
    tally_caption="This cohort has no survey returns or interviews, so there is nothing to report here.",
    tally_heading="Qualitative data", tally_cell="none in this cohort",
    agreement_caption="This cohort has no survey returns or interviews, so there is nothing to report here.",
    agreement_heading="Qualitative data", agreement_cell="none in this cohort",
    figure_text="No qualitative data in this cohort", quote_text=_NO_QUALITATIVE,
)

NOT_CODED = Withheld(
    status=("This cohort's survey returns and interviews have not been coded, "
            "so no theme can be counted and no quotation chosen."),
    tally_caption=("This cohort's survey returns and interviews have not been coded, "
                   "so no theme can be counted and no quotation chosen."),
    tally_heading="Theme tally", tally_cell="not coded",
    agreement_caption="Agreement between two coders: not measured, as nothing has been coded.",
    agreement_heading="Inter-coder agreement", agreement_cell="not measured",
    figure_text="The texts have not been coded", quote_text=NO_QUOTE_UNCODED,
)
