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
from lehc_report.book.claims import RULES_TEXT
from lehc_report.book.glue import REQUIRED, GlueSpec
from lehc_report.disclosure import disclosed_crossing, disclosed_group_counts
from lehc_report.prose.rounding import format_half_up
from lehc_report.prose.words import count_phrase, join_words, number_word, sentence_start

NO_QUOTE = "No consented quotation is available for this theme."
NO_QUOTE_UNCODED = "No quotation can be chosen until the texts have been coded."
_NOT_CODED = "not counted: this cohort's texts have not been coded"
_NO_QUALITATIVE = "not reported: this cohort has no qualitative data"
NO_QUALITATIVE_CONCLUSION = ("This cohort has no qualitative data, so what its participants made of the course is not "
                             "known from their own accounts.")
NO_QUALITATIVE_RECOMMENDATIONS = ("This cohort has no qualitative data, so no recommendation about the course's content "
                                  "rests on what its participants said.")
NOT_CODED_CONCLUSION = ("This cohort's survey returns and interviews have not been coded, so what its participants made "
                        "of the course is not yet told from their own accounts.")
NOT_CODED_RECOMMENDATIONS = ("This cohort's survey returns and interviews have not been coded, so no recommendation "
                             "about the course's content rests on what its participants said.")

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
        # The methodology's rules for words of quantity (lehc_report.book.claims).
        "claim_rules_sentence": RULES_TEXT,
        # Summary, conclusions and recommendations for any cohort (index.md, conclusions.md,
        # recommendations.md); the 2013 codebook's own wording is typed in the chapters.
        "summary_qual_sentence": "This cohort has no qualitative data, so the report's findings rest on the "
                                 "self-assessments alone.",
        "conclusion_qual_sentence": NO_QUALITATIVE_CONCLUSION,
        "recommendations_qual_sentence": NO_QUALITATIVE_RECOMMENDATIONS,
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


def gender_phrase(female: int, male: int, settings: privacy.PrivacySettings, other: int = 0) -> str:
    """The women and men among a group, as far as the small-cell rule lets it be said.

    The counts pass :func:`lehc_report.disclosure.disclosed_group_counts`: a gender with
    fewer than ``min_group_size`` people, and the complement that would give it away,
    is not given.  A gender with nobody is left out.

    Parameters
    ----------
    female, male : int
        People recorded as women and as men.
    settings : PrivacySettings
        ``min_group_size``.
    other : int
        People with another or no recorded gender.

    Returns
    -------
    str
        "6 women and 5 men"; "7 women" (the rest withheld: "7 women; the genders of the
        other 3 are not given separately"); "" when nothing can be given or nobody is
        counted.
    """
    total = female + male + other
    shown = disclosed_group_counts(total, {"gender": {"female": female, "male": male, "other": other}}, settings)
    nouns = {"female": "women", "male": "men", "other": "people with another or no recorded gender"}
    given = shown.shown("gender")
    phrase = join_words([counted(n, nouns[g]) for g, n in given.items()])
    rest = total - sum(given.values())
    if given and rest:
        phrase += f"; the genders of the other {rest} are not given separately"
    return phrase


def withheld_reason(settings: privacy.PrivacySettings) -> str:
    """Why a breakdown of people is not given, in the words the chapters use.

    Parameters
    ----------
    settings : PrivacySettings
        ``min_group_size``.

    Returns
    -------
    str
        "a group of fewer than 5 people could point at a person (see Privacy in the methodology)".
    """
    return (f"a group of fewer than {settings.min_group_size} people could point at a person "
            "(see Privacy in the methodology)")


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


def survey_sentence(counts: Mapping[str, int], facts: Mapping[str, str], sources: tuple[str, ...], n_blank: int,
                    settings: privacy.PrivacySettings) -> str:
    """Who returned the survey: how many (an analysis's n), and their genders as far as
    the small-cell rule allows (:func:`gender_phrase`).

    Parameters
    ----------
    counts : mapping
        Respondents by ``"survey"``.
    facts : mapping
        ``n_survey_female`` and ``n_survey_male`` (text).
    sources : tuple of str
    n_blank : int
        Survey returns with no answer.
    settings : PrivacySettings
        ``min_group_size``.

    Returns
    -------
    str
        "No survey returns are in this cohort's data, so
        the qualitative findings rest on the interviews alone."; "No participant returned
        it."; "12 participants returned it (7 women and 5 men)."; "9 participants returned
        it; their numbers by gender are not given: a group of fewer than 5 people could
        point at a person (…)." with, when some came back blank, " Of these, one came back
        blank: a blank form is still a return, so it counts in every denominator, as a
        return that raised no theme."
    """
    if "survey" not in sources:
        return ("No survey returns are in this cohort's data, "
                "so the qualitative findings rest on the interviews alone.")
    n = counts["survey"]
    if n == 0:
        return "No participant returned it."
    female, male = int(facts["n_survey_female"]), int(facts["n_survey_male"])
    genders = gender_phrase(female, male, settings, other=n - female - male)
    sentence = f"{capitalise(counted(n, 'participants'))} returned it"
    sentence += (f" ({genders})." if genders else
                 f"; their numbers by gender are not given: {withheld_reason(settings)}.")
    if n_blank:
        blank = "one came back blank" if n_blank == 1 else f"{number_word(n_blank)} came back blank"
        sentence += (f" Of these, {blank}: a blank form is still a return, so it counts in every denominator, "
                     "as a return that raised no theme.")
    return sentence


def interview_sentence(counts: Mapping[str, int], facts: Mapping[str, str], sources: tuple[str, ...],
                       settings: privacy.PrivacySettings) -> str:
    """Who was interviewed, and how: the number (an analysis's n), then the source groups
    and genders as far as the small-cell rule allows
    (:func:`lehc_report.disclosure.disclosed_group_counts`).

    Parameters
    ----------
    counts : mapping
        Respondents by ``"interview"``.
    facts : mapping
        ``n_interview_professional``, ``n_interview_uses_services``,
        ``n_interview_female``, ``n_interview_male`` (text).
    sources : tuple of str
    settings : PrivacySettings
        ``min_group_size``.

    Returns
    -------
    str
        "No interviews are in this cohort's data so
        the qualitative findings rest on the survey alone."; or "Twelve participants took part
        in semi-structured telephone interviews of about an hour, …: 7 who commission or
        deliver services and 5 who use services (6 women and 6 men in all)."; a withheld
        breakdown is named as not given ("…: people who commission or deliver services and
        people who use services, whose numbers are not given: …").
    """
    if "interview" not in sources or counts["interview"] == 0:
        return ("No interviews are in this cohort's data, "
                "so the qualitative findings rest on the survey alone.")
    n = counts["interview"]
    professional, uses = int(facts["n_interview_professional"]), int(facts["n_interview_uses_services"])
    female, male = int(facts["n_interview_female"]), int(facts["n_interview_male"])
    shown = disclosed_group_counts(n, {"group": {"professional": professional, "uses_services": uses}}, settings)
    genders = gender_phrase(female, male, settings, other=n - female - male)
    opening = (f"{capitalise(counted(n, 'participants'))} took part in semi-structured telephone interviews of about an hour, "
               "loosely following the survey questions but probing how they had found the course and how they "
               "meant to use it")
    if not shown.withheld("group"):
        # A shown group has at least min_group_size people, so the verbs are plural.
        groups = [f"{m} who {verb} services" for m, verb in ((professional, "commission or deliver"), (uses, "use")) if m]
        return f"{opening}: {join_words(groups)} ({genders + ' in all' if genders else 'numbers by gender not given'})."
    # Both groups took part (a withheld group is never empty): say so, without their numbers.
    sentence = (f"{opening}: people who commission or deliver services and people who use services, whose numbers "
                f"are not given: {withheld_reason(settings)}.")
    return sentence + (f" They were {genders}." if genders else "")


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
        "suppressed (n < 5)" (a group's count for the item passes
        :func:`lehc_report.disclosure.disclosed_crossing`), or "not applicable" for an empty subgroup that is not shown;
        ``np_k``, "7 respondents"; ``ph_k``, "seven of the 19 respondents"; ``ph_k_survey`` and
        ``ph_k_interview``, "three of the nine survey respondents" (the count over everyone when
        the source is withheld or absent).  With the overall count withheld, ``np_k`` and
        ``ph_k`` repeat ``t_k``.  For a sentence's first words, ``t_k_opening`` ("Four"),
        ``np_k_opening`` ("Seven respondents") and ``ph_k_opening`` ("Eighteen of the 19
        respondents"), never a digit.
    """
    glue: dict[str, str] = {}
    overall_withheld = ("overall", "all") in plan
    withheld_groups = {g for g in sizes["group"] if ("group", g) in plan}
    for item, row in counts_by_item.items():
        k = key(item)
        # A group's count for the item is a crossing of the group with an outcome.
        crossed = disclosed_crossing({g: int(row[g]) for g in sizes["group"]}, sizes["group"], settings, withheld_groups)
        for subgroup in SUBGROUPS:
            breakdown = "overall" if subgroup == "all" else ("source" if subgroup in sizes["source"] else "group")
            name = f"t_{k}" if subgroup == "all" else f"t_{k}_{subgroup}"
            reason = plan.get((breakdown, subgroup))
            if reason:
                glue[name] = f"suppressed ({privacy.suppression_note(reason, settings)})"
            elif breakdown == "group" and crossed[subgroup] is None:
                glue[name] = f"suppressed ({privacy.suppression_note(privacy.CROSSING, settings)})"
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


# --------------------------------------------------------------------------------------
# Findings for a codebook other than 2013's: written from the data, theme by theme
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThemeFinding:
    """What the report says about one theme of a cohort's own codebook.

    ``paragraphs`` are plain text (the renderer escapes them for MyST); ``quotes`` are
    consented quotations as :func:`quote_markdown` writes them.
    """

    theme_id: str
    name: str
    paragraphs: tuple[str, ...]
    quotes: tuple[str, ...]


def _quoted(name: str) -> str:
    return f"\u201c{name}\u201d"


def _nobody(noun: str) -> str:
    # A zero is worded as "no survey respondent", never "0 ..." or "none of the N ...".
    return f"no {singular(noun)}"


def raised_sentence(count: int, by_source: Mapping[str, int], counts: Mapping[str, int], phrasable: set[str],
                    overall_withheld: bool) -> str:
    """How many respondents raised a theme, by source where both sources may be named.

    Parameters
    ----------
    count : int
        Respondents coded with the theme (any of its codes), all sources together.
    by_source : mapping
        ``"survey"``/``"interview"`` -> respondents coded with the theme in that source.
    counts : mapping
        Subgroup (``"all"``, ``"survey"``, ``"interview"``) -> respondents in it.
    phrasable : set of str
        Sources the prose may name with their own counts (present, not empty, not
        withheld by :func:`lehc_report.privacy.suppression_plan`).
    overall_withheld : bool
        Fewer respondents took part than the privacy threshold: no count is said at all.

    Returns
    -------
    str
        "" when every count is withheld; "No respondent raised it."; "7 of the 30
        respondents raised it." or, with both sources nameable, "7 of the 30 respondents
        raised it: 5 of the 20 survey respondents and 2 of the 10 interviewees." (a source
        with nobody reads "no interviewee").
    """
    if overall_withheld:
        return ""
    if count == 0:
        return "No respondent raised it."
    sentence = f"{capitalise(share_phrase(count, counts['all'], 'respondents'))} raised it"
    nouns = {"survey": "survey respondents", "interview": "interviewees"}
    if {"survey", "interview"} <= phrasable:
        parts = [share_phrase(by_source[s], counts[s], nouns[s]) if by_source[s] else _nobody(nouns[s])
                 for s in ("survey", "interview")]
        sentence += ": " + join_words(parts)
    return sentence + "."


def codes_sentence(code_counts: list[tuple[str, int]], overall_withheld: bool) -> str:
    """The codes within a theme, with the respondents coded with each.

    Parameters
    ----------
    code_counts : list of (str, int)
        Each code's name and the respondents coded with it, in codebook order.
    overall_withheld : bool
        No count may be said (fewer respondents than the privacy threshold).

    Returns
    -------
    str
        "" for a theme with one code of its own name; with counts withheld, "Its codes
        are “A”, “B” and “C”."; else "Within it, “A” was raised by 12 respondents, “B” by 5
        and “C” by 1; no respondent was coded with “D”." (largest first, ties in codebook
        order).
    """
    if not code_counts:
        return ""
    names = [_quoted(name) for name, _ in code_counts]
    if overall_withheld:
        return f"Its {'code is' if len(names) == 1 else 'codes are'} {join_words(names)}."
    used = sorted([(name, n) for name, n in code_counts if n > 0], key=lambda item: -item[1])
    unused = [_quoted(name) for name, n in code_counts if n == 0]
    parts = []
    if len(code_counts) == 1:
        parts.append(f"Its one code is {names[0]}")
    elif used:
        said = [f"{_quoted(used[0][0])} was raised by {counted(used[0][1], 'respondents')}"]
        said += [f"{_quoted(name)} by {n}" for name, n in used[1:]]
        parts.append("Within it, " + join_words(said))
    if unused and len(code_counts) > 1:
        listed = unused[0] if len(unused) == 1 else ", ".join(unused[:-1]) + " or " + unused[-1]
        clause = f"no respondent was coded with {listed}"
        parts.append(clause if parts else capitalise(clause))
    return "; ".join(parts) + "."


def weak_agreement_sentence(code_kappas: list[tuple[str, float]], threshold: float) -> str:
    """A caveat for the codes of a theme on which the two coders agreed weakly.

    Method: Cohen's kappa per code (Cohen 1960) against ``agreement_threshold`` of
    ``analysis.yml`` (0.4, the lower bound of "moderate" agreement in Landis and Koch
    1977); an undefined kappa (a coder used one value throughout) gives no caveat.

    Parameters
    ----------
    code_kappas : list of (str, float)
        Each code's name and Cohen's kappa (NaN where undefined), in codebook order.
    threshold : float
        Kappa below which a code's count is flagged.

    Returns
    -------
    str
        "" when no code is below the threshold; else "The two coders agreed only weakly on
        “A” (Cohen's kappa 0.21, below the 0.4 this report requires), so its count is
        tentative." ("on “A” (0.21) and “B” (0.30) ..., so their counts are tentative").
    """
    weak = [(name, kappa) for name, kappa in code_kappas if not pd.isna(kappa) and kappa < threshold]
    if not weak:
        return ""
    limit = f"{threshold:g}"
    if len(weak) == 1:
        name, kappa = weak[0]
        return (f"The two coders agreed only weakly on {_quoted(name)} (Cohen's kappa {format_half_up(kappa, 2)}, "
                f"below the {limit} this report requires), so its count is tentative.")
    listed = join_words([f"{_quoted(name)} ({format_half_up(kappa, 2)})" for name, kappa in weak])
    return (f"The two coders agreed only weakly on {listed} (Cohen's kappa below the {limit} this report requires), "
            "so their counts are tentative.")


def theme_findings(codebook_themes: pd.DataFrame, codebook_codes: pd.DataFrame,
                   counts_by_item: Mapping[str, Mapping[str, int]], counts: Mapping[str, int], phrasable: set[str],
                   overall_withheld: bool, kappas: Mapping[str, float], agreement_threshold: float,
                   quotes: pd.DataFrame) -> list[ThemeFinding]:
    """The findings of a cohort's own codebook, theme by theme, from its data alone.

    Parameters
    ----------
    codebook_themes : DataFrame
        ``theme_id``, ``name``, ``definition`` in codebook order.
    codebook_codes : DataFrame
        ``code_id``, ``theme_id``, ``name`` in codebook order.
    counts_by_item : mapping
        Theme or code ID -> subgroup -> respondents coded with it (coder A).
    counts : mapping
        Subgroup -> respondents in it.
    phrasable : set of str
        Sources the prose may name with their own counts.
    overall_withheld : bool
        Too few respondents to publish any count.
    kappas : mapping
        Code ID -> Cohen's kappa (empty without double coding).
    agreement_threshold : float
        ``agreement_threshold`` of ``analysis.yml``.
    quotes : DataFrame
        The quote bank (consented quotations only): ``theme_id``, ``text``, ``attribution``.

    Returns
    -------
    list of ThemeFinding
        One per theme, in codebook order: its definition, how many raised it (by source), its codes with
        their counts, a caveat where coders agreed weakly, and its quotations.
    """
    findings = []
    for theme in codebook_themes.itertuples():
        row = counts_by_item.get(theme.theme_id, {})
        count = int(row.get("all", 0))
        codes = codebook_codes[codebook_codes["theme_id"] == theme.theme_id]
        own_name_only = len(codes) == 1 and codes["name"].iloc[0] == theme.name
        code_counts = [] if own_name_only else [(c.name, int(counts_by_item.get(c.code_id, {}).get("all", 0)))
                                                 for c in codes.itertuples()]
        sentences = [raised_sentence(count, {s: int(row.get(s, 0)) for s in ("survey", "interview")}, counts, phrasable,
                                     overall_withheld),
                     codes_sentence(code_counts, overall_withheld),
                     weak_agreement_sentence([(c.name, kappas.get(c.code_id, float("nan"))) for c in codes.itertuples()],
                                             agreement_threshold)]
        paragraphs = [f"The codebook's definition: \u201c{theme.definition.strip()}\u201d"]
        paragraphs.append(" ".join(s for s in sentences if s))
        theme_quotes = quotes[quotes["theme_id"] == theme.theme_id] if len(quotes) else quotes
        if count and not len(theme_quotes):
            paragraphs.append("None of its passages marked as quotable came from a respondent who agreed to be quoted, "
                              "so it is not illustrated here.")
        findings.append(ThemeFinding(theme.theme_id, theme.name, tuple(p for p in paragraphs if p),
                                     tuple(quote_markdown(q.text, q.attribution) for q in theme_quotes.itertuples())))
    return findings


def top_themes_sentence(findings_counts: list[tuple[str, int]], n_all: int, overall_withheld: bool, limit: int = 3) -> str:
    """The themes raised by the most respondents, for the conclusions and recommendations.

    Parameters
    ----------
    findings_counts : list of (str, int)
        Each theme's name and the respondents who raised it, in codebook order.
    n_all : int
        All respondents.
    overall_withheld : bool
        Too few respondents to publish any count.
    limit : int
        Themes named at most.

    Returns
    -------
    str
        "The themes raised by the largest numbers of respondents were “A” (12 of the 30),
        “B” (9) and “C” (7)."; "The one theme respondents raised was “A” (4 of the 30).";
        with counts withheld, "Its themes were “A”, “B” and “C”; counts are withheld
        because too few people took part."; "No respondent's words were coded with any
        theme." when nobody raised one.
    """
    if overall_withheld:
        names = join_words([_quoted(name) for name, _ in findings_counts])
        return f"Its themes were {names}; counts are withheld because too few people took part."
    raised = sorted([(name, n) for name, n in findings_counts if n > 0], key=lambda item: -item[1])[:limit]
    if not raised:
        return "No respondent's words were coded with any theme."
    first = f"{_quoted(raised[0][0])} ({raised[0][1]} of the {n_all})"
    if len(raised) == 1:
        return f"The one theme respondents raised was {first}."
    rest = [f"{_quoted(name)} ({n})" for name, n in raised[1:]]
    return f"The themes raised by the largest numbers of respondents were {join_words([first, *rest])}."


def summary_qual_sentence(state: str, sources: tuple[str, ...]) -> str:
    """The summary's pointer to the qualitative findings (index.md).

    Parameters
    ----------
    state : {"coded", "not_coded", "none"}
        Whether the cohort has coded qualitative data, uncoded data, or none.
    sources : tuple of str
        The sources present (``"survey"``, ``"interview"``).

    Returns
    -------
    str
        "The qualitative findings, drawn from the survey returns and interviews, are in"
        (the chapter adds the link; "from the survey returns" with one source);
        "This cohort's survey returns and interviews have not been coded, so the report
        has no qualitative findings."; "This cohort has no qualitative data, so the report's
        findings rest on the self-assessments alone."
    """
    if state == "none":
        return "This cohort has no qualitative data, so the report's findings rest on the self-assessments alone."
    names = join_words([{"survey": "survey returns", "interview": "interviews"}[s] for s in ("survey", "interview")
                        if s in sources]) or "texts"
    if state == "not_coded":
        return f"This cohort's {names} have not been coded, so the report has no qualitative findings."
    return f"The qualitative findings, drawn from the {names}, are in"


def own_codebook_conclusion(top_sentence: str) -> str:
    """What the conclusions say of a cohort coded with its own codebook.

    Parameters
    ----------
    top_sentence : str
        :func:`top_themes_sentence`.

    Returns
    -------
    str
        "This cohort's texts were coded with its own codebook, so the conclusions drawn
        from the 2013 participants' accounts are not repeated. <top_sentence> What
        respondents said under each theme is set out in the findings."
    """
    return ("This cohort's texts were coded with its own codebook, so the conclusions drawn from the 2013 participants' "
            f"accounts are not repeated. {top_sentence} What respondents said under each theme is set out in the findings.")


def own_codebook_recommendations(top_sentence: str) -> str:
    """What the recommendations say of a cohort coded with its own codebook.

    Parameters
    ----------
    top_sentence : str
        :func:`top_themes_sentence`.

    Returns
    -------
    str
        "This cohort's texts were coded with its own codebook, so the 2013 report's
        recommendations about the course's content, which rest on what the 2013
        participants said, are not repeated. <top_sentence> Any change to the course
        should start from what respondents said under those themes (see the findings)."
    """
    return ("This cohort's texts were coded with its own codebook, so the 2013 report's recommendations about the "
            "course's content, which rest on what the 2013 participants said, are not repeated. "
            f"{top_sentence} Any change to the course should start from what respondents said under those themes, "
            "set out in the findings.")
