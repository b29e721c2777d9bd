"""Stage 3: the qualitative tally, agreement, quote bank and profiles for the book.

Reads the coded qualitative data (validated by :mod:`lehc_report.inputs.qualitative`),
scans every free-text field for personal data, and writes results CSVs, figures,
numbered table snippets and the glue values the findings chapters paste in (declared
in :data:`lehc_report.prose.qual.QUAL_GLUE`).  A cohort without qualitative data, or
whose texts are not coded yet, gets snippets and figures that say so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from lehc_report import privacy
from lehc_report.inputs import personal_data
from lehc_report.inputs.codebook import raise_if
from lehc_report.inputs.qdpx_import import find_project
from lehc_report.inputs.qualitative import (
    RESPONDENTS_FILE,
    QualitativeData,
    check_case_studies,
    load_qualitative,
    read_case_studies,
    role_label_problems,
)
from lehc_report.paths import ProjectPaths
from lehc_report.prose import qual as words
from lehc_report.prose.rounding import format_half_up
from lehc_report.published import codebook_2013
from lehc_report.render import figures, figures_qual
from lehc_report.render.outputs import save_figure, write_myst_table, write_result_csv
from lehc_report.render.qual_findings import SNIPPET as THEME_FINDINGS
from lehc_report.render.qual_findings import write_theme_findings
from lehc_report.render.qual_tables import (
    AGREEMENT_NUMBERS,
    agreement_display,
    note_table,
    profiles_markdown,
    shown_columns,
    tally_caption,
    tally_display,
)
from lehc_report.settings import AnalysisSettings, load_analysis_settings
from lehc_report.stages.base import StageResult, survey_questions, write_content_flags
from lehc_report.stats import agreement as agreement_stats
from lehc_report.stats import tally as tally_stats

__all__ = ["analyse_qualitative", "scan_free_text", "tally_display", "write_content_flags"]

FIGURES = ("figure_theme_by_question.png", "figure_code_cooccurrence.png")
#: The counts the chapters' claims are checked against, beside ``content.json``.
CLAIM_COUNTS = "claim_counts.json"


def analyse_qualitative(paths: ProjectPaths) -> StageResult:
    """Run the qualitative stage for the cohort in ``paths.data``.

    Parameters
    ----------
    paths : ProjectPaths

    Returns
    -------
    StageResult
        ``tables``: tally (published, small cells blanked), display, agreement (None
        without double coding), by_question, quotes; ``figures``: theme_by_question,
        cooccurrence; ``glue``: the keys of :data:`lehc_report.prose.qual.QUAL_GLUE`.

    Raises
    ------
    QualitativeDataError
        A file breaks the contract, or a quoted respondent's role label is too rare.
    PersonalDataFound
        A free-text field holds personal data.
    DataError
        ``case_studies.yml`` names a respondent who is not registered or did not consent.
    """
    paths.ensure()
    settings = privacy.load_settings(paths.root, paths.data)
    if not (paths.data / RESPONDENTS_FILE).exists() and find_project(paths.data) is None:
        write_content_flags(paths, qualitative=False, coded=False, codebook_2013=False, codebook_own=False)
        write_claim_counts(paths, {})
        write_theme_findings(paths.tables / f"{THEME_FINDINGS}.md", None)
        (paths.tables / "profiles.md").write_text(f"*{words.NO_QUALITATIVE.status}*\n", encoding="utf-8")
        return withhold(paths, words.NO_QUALITATIVE, {"min_group_size": str(settings.min_group_size)},
                        theme_ids=[])
    analysis = load_analysis_settings(paths.root)
    scan_free_text(paths.data, settings, paths.root)
    data = load_qualitative(paths.data)
    raise_if(role_label_problems(data.respondents, settings.min_attribution_size))
    is_2013 = codebook_2013.is_codebook_2013(data.codebook)

    sizes = tally_stats.group_sizes(data.respondents)
    plan = privacy.suppression_plan(sizes, settings)
    shown = {subgroup for _, subgroup, _ in shown_columns(sizes, plan)}
    # Sources the prose may name with their own counts: present, not empty, not withheld
    # (a lone source is not a column of the table, but its counts are everyone's).
    phrasable = {s for s in data.sources if sizes["source"][s] > 0 and ("source", s) not in plan}
    counts = {"all": len(data.respondents), **sizes["source"], **sizes["group"]}
    # The 2013 chapters word every count from a named code: with the overall count withheld
    # (too few respondents) they could say nothing, so such a cohort gets the findings
    # written from its data, which say so.
    overall_withheld = ("overall", "all") in plan
    chapters_2013 = data.coded and is_2013 and not overall_withheld
    write_content_flags(paths, qualitative=True, coded=data.coded, codebook_2013=chapters_2013,
                        codebook_own=data.coded and not chapters_2013)
    facts = respondent_facts(data)
    glue = {"qual_status": "", **description_glue(data, facts, counts, settings)}
    case_ids = read_case_studies(paths.data)
    glue["profiles_intro"] = words.profiles_intro(len(case_ids))
    write_profiles(paths, data, case_ids, analysis, is_2013,
                   show_source=len(data.sources) < 2 or {"survey", "interview"} <= shown)
    theme_ids = data.codebook.themes["theme_id"].tolist()
    if not data.coded:
        glue["coders_sentence"] = words.coders_sentence(False, False, facts)
        glue.update(summary_glue("not_coded", data.sources))
        write_claim_counts(paths, {})
        write_theme_findings(paths.tables / f"{THEME_FINDINGS}.md", None)
        return withhold(paths, words.NOT_CODED, glue, theme_ids)

    coder = analysis.analysis_coder
    tally = tally_stats.theme_tally(data, coder=coder)
    by_question = tally_stats.survey_theme_by_question(data, coder=coder)
    cooccurrence = tally_stats.code_cooccurrence(data, coder=coder)
    agreement = agreement_stats.intercoder_agreement(data)
    alpha = agreement_stats.krippendorff_alpha_nominal(data)
    quotes = tally_stats.quote_bank(data, coder=coder)

    # Results leave the pipeline with small cells, and the cells that would reveal
    # them by subtraction, already blanked; the full tally stays in memory.
    published_tally = privacy.suppress_small_cells(tally, settings, plan=plan)
    survey_withheld = ("source", "survey") in plan
    published_by_question = by_question.mask(pd.DataFrame(survey_withheld, index=by_question.index, columns=by_question.columns))
    for table, name in ((published_tally, "theme_tally"), (published_by_question.reset_index(), "survey_theme_by_question"),
                        (cooccurrence.reset_index(), "code_cooccurrence"), (agreement, "intercoder_agreement"),
                        (quotes, "quote_bank")):
        write_result_csv(table, paths.results / f"{name}.csv")
    display = tally_display(tally, settings, sizes, plan)
    write_myst_table(display, paths.tables / "theme_tally.md", tally_caption(sizes, plan, settings, coder), "tbl-theme-tally")
    agreement_show = write_agreement_table(paths, data, agreement)
    write_figures(paths, data, by_question, cooccurrence, survey_withheld)

    facts.update(agreement_facts(data, agreement, alpha, analysis))
    glue["coders_sentence"] = words.coders_sentence(True, data.double_coding, facts)
    wide = tally.pivot_table(index="id", columns="subgroup", values="count", aggfunc="first")
    counts_by_item = {item: {g: int(v) for g, v in row.items()} for item, row in wide.iterrows()}
    glue.update(words.theme_count_glue(counts_by_item, counts, sizes, plan, shown, phrasable, settings))
    if data.double_coding:  # a finding resting on a weakly agreed code says so wherever it is used
        glue.update(words.weak_agreement_glue(glue, agreement, analysis.agreement_threshold))
    if is_2013:
        glue.update(codebook_2013.finding_sentences(counts_by_item, counts, phrasable, data.sources))
    glue.update(words.quote_glue(quotes, theme_ids, tally_stats.QUOTES_PER_THEME))
    write_claim_counts(paths, claim_counts(counts_by_item, counts, plan, sizes))
    glue.update(summary_glue("coded", data.sources))
    findings = None
    if not chapters_2013:
        kappas = dict(zip(agreement["code_id"], agreement["cohen_kappa"])) if data.double_coding else {}
        findings = words.theme_findings(data.codebook.themes, data.codebook.codes, counts_by_item, counts, phrasable,
                                        overall_withheld, kappas, analysis.agreement_threshold, quotes)
        ranking = [(theme.name, int(counts_by_item.get(theme.theme_id, {}).get("all", 0)))
                   for theme in data.codebook.themes.itertuples()]
        top = words.top_themes_sentence(ranking, counts["all"], overall_withheld)
        glue["conclusion_qual_sentence"] = words.own_codebook_conclusion(top)
        glue["recommendations_qual_sentence"] = words.own_codebook_recommendations(top)
    write_theme_findings(paths.tables / f"{THEME_FINDINGS}.md", findings)
    return StageResult(
        tables={"tally": published_tally, "display": display, "agreement": agreement_show,
                "by_question": published_by_question, "quotes": quotes},
        figures={"theme_by_question": paths.figures / FIGURES[0], "cooccurrence": paths.figures / FIGURES[1]},
        glue=glue)


def claim_counts(counts_by_item: Mapping[str, Mapping[str, int]], counts: Mapping[str, int],
                 plan: Mapping[tuple[str, str], str], sizes: Mapping[str, Mapping[str, int]]) -> dict[str, int]:
    """The counts the chapters' claims are checked against (:mod:`lehc_report.book.claims`).

    Keys are the glue keys that show them: ``n_all`` and ``n_<subgroup>`` (respondents in
    a group), ``t_<item>`` and ``t_<item>_<subgroup>`` (respondents coded with a theme or
    code).  A count the privacy plan withholds is left out, so no claim can rest on it.

    Parameters
    ----------
    counts_by_item : mapping
        Theme or code ID -> subgroup -> respondents coded with it.
    counts : mapping
        Subgroup -> respondents in it.
    plan : mapping
        :func:`lehc_report.privacy.suppression_plan`.
    sizes : mapping
        Breakdown -> subgroup -> size (:func:`lehc_report.stats.tally.group_sizes`).

    Returns
    -------
    dict of str to int
    """
    def breakdown(subgroup):
        return "overall" if subgroup == "all" else ("source" if subgroup in sizes["source"] else "group")

    out = {}
    for subgroup in words.SUBGROUPS:
        if (breakdown(subgroup), subgroup) in plan:
            continue
        out[f"n_{subgroup}"] = int(counts.get(subgroup, 0))
        for item, row in counts_by_item.items():
            name = f"t_{words.key(item)}" if subgroup == "all" else f"t_{words.key(item)}_{subgroup}"
            out[name] = int(row.get(subgroup, 0))
    return dict(sorted(out.items()))


def write_claim_counts(paths: ProjectPaths, counts: Mapping[str, int]) -> None:
    """Write ``generated/claim_counts.json`` for the book build's claim check.

    Parameters
    ----------
    paths : ProjectPaths
    counts : mapping
        :func:`claim_counts` (empty without coded data: every claim then falls back).
    """
    path = paths.content_flags.with_name(CLAIM_COUNTS)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(counts), sort_keys=True) + "\n", encoding="utf-8")


def summary_glue(state: str, sources: tuple[str, ...]) -> dict[str, str]:
    """The summary's sentence about the qualitative findings (``summary_qual_sentence``).

    Parameters
    ----------
    state : {"coded", "not_coded"}
    sources : tuple of str

    Returns
    -------
    dict
        ``summary_qual_sentence``; without coded data also ``conclusion_qual_sentence``
        and ``recommendations_qual_sentence`` (their defaults speak of no qualitative data).
    """
    glue = {"summary_qual_sentence": words.summary_qual_sentence(state, sources)}
    if state == "not_coded":
        glue["conclusion_qual_sentence"] = words.NOT_CODED_CONCLUSION
        glue["recommendations_qual_sentence"] = words.NOT_CODED_RECOMMENDATIONS
    return glue


def withhold(paths: ProjectPaths, reason: words.Withheld, glue: dict[str, str], theme_ids: list[str]) -> StageResult:
    """Nothing can be tallied: every table snippet, figure and quotation slot says why.

    Parameters
    ----------
    paths : ProjectPaths
    reason : Withheld
        :data:`lehc_report.prose.qual.NO_QUALITATIVE` or :data:`~lehc_report.prose.qual.NOT_CODED`.
    glue : dict
        The glue worked out so far; ``qual_status`` and the quotation slots are added.
    theme_ids : list of str
        The codebook's themes (none without qualitative data).

    Returns
    -------
    StageResult
        No tables or figures to show; the glue.
    """
    note_table(paths.tables / "theme_tally.md", "tbl-theme-tally", reason.tally_caption, reason.tally_heading, reason.tally_cell)
    note_table(paths.tables / "intercoder_agreement.md", "tbl-intercoder", reason.agreement_caption,
               reason.agreement_heading, reason.agreement_cell)
    for name in FIGURES:
        figures.placeholder_figure(paths.figures / name, reason.figure_text)
    glue["qual_status"] = reason.status
    glue.update(words.quote_glue(pd.DataFrame(columns=["quote_id", "text", "attribution"]), theme_ids,
                                 tally_stats.QUOTES_PER_THEME, reason.quote_text))
    return StageResult(glue=glue)


def respondent_facts(data: QualitativeData) -> dict[str, str]:
    """Counts of respondents and segments, as text, for the sentences.

    Parameters
    ----------
    data : QualitativeData

    Returns
    -------
    dict
        ``n_<source>_<gender>``, ``n_<source>_<group>``, ``n_segments_survey``,
        ``n_segments_interview``, ``n_double_coded``, ``share_double_coded`` (per cent,
        whole), ``n_no_consent``, ``n_survey_blank`` (survey returns with no answer).
    """
    respondents, segments = data.respondents, data.segments
    facts = {}
    for source in ("survey", "interview"):
        members = respondents[respondents["source"] == source]
        for column, values in (("gender", ("female", "male")), ("group", ("professional", "uses_services"))):
            for value in values:
                facts[f"n_{source}_{value}"] = str(int((members[column] == value).sum()))
        facts[f"n_segments_{source}"] = str(int((segments["source"] == source).sum()))
    facts["n_double_coded"] = str(len(data.double_coded))
    facts["share_double_coded"] = format_half_up(100 * len(data.double_coded) / len(segments), 0) if len(segments) else "0"
    facts["n_no_consent"] = str(int((respondents["consent_to_quote"] != "yes").sum()))
    answered = set(segments.loc[segments["source"] == "survey", "respondent_id"])
    facts["n_survey_blank"] = str(int(((respondents["source"] == "survey") & ~respondents["respondent_id"].isin(answered)).sum()))
    return facts


def description_glue(data: QualitativeData, facts: dict[str, str], counts: dict[str, int],
                     settings: privacy.PrivacySettings) -> dict[str, str]:
    """The glue describing who took part and what was coded (whether or not it is coded).

    Parameters
    ----------
    data : QualitativeData
    facts : dict
        :func:`respondent_facts`.
    counts : dict
        Respondents by subgroup (``all``, each source, each group).
    settings : PrivacySettings

    Returns
    -------
    dict
        ``min_group_size``, ``n_all``, ``n_codes``, ``n_themes``, ``sources_sentence``,
        ``survey_sentence``, ``interview_sentence``, ``segments_phrase``,
        ``consent_sentence``, ``us_valued_sentence``, ``us_passed_on_sentence``.
    """
    sources = data.sources
    return {
        "min_group_size": str(settings.min_group_size),
        "n_all": str(counts["all"]),
        "n_codes": str(len(data.codebook.codes)),
        "n_themes": str(len(data.codebook.themes)),
        "sources_sentence": words.sources_sentence(counts, sources),
        "survey_sentence": words.survey_sentence(counts, facts, sources, int(facts["n_survey_blank"]), settings),
        "interview_sentence": words.interview_sentence(counts, facts, sources, settings),
        "segments_phrase": words.segments_phrase(int(facts["n_segments_survey"]), int(facts["n_segments_interview"]), sources),
        "consent_sentence": words.consent_sentence(int(facts["n_no_consent"]), counts["all"]),
        **words.uses_services_sentences(counts["uses_services"], settings),
    }


def agreement_facts(data: QualitativeData, agreement: pd.DataFrame, alpha: float, analysis: AnalysisSettings) -> dict[str, str]:
    """Krippendorff's alpha and Cohen's kappa as the coders' sentence gives them.

    Parameters
    ----------
    data : QualitativeData
    agreement : DataFrame
        :func:`lehc_report.stats.agreement.intercoder_agreement`.
    alpha : float
        :func:`lehc_report.stats.agreement.krippendorff_alpha_nominal`.
    analysis : AnalysisSettings
        ``krippendorff_firm`` and ``krippendorff_tentative``.

    Returns
    -------
    dict
        ``alpha``, ``kappa_median``, ``kappa_min`` (two places, or "not measured") and
        ``alpha_reading``.
    """
    measured = data.double_coding
    return {"alpha": format_half_up(alpha, 2) if measured else "not measured",
            "alpha_reading": words.alpha_reading(alpha, analysis.krippendorff_firm, analysis.krippendorff_tentative),
            "kappa_median": format_half_up(agreement["cohen_kappa"].median(), 2) if measured else "not measured",
            "kappa_min": format_half_up(agreement["cohen_kappa"].min(), 2) if measured else "not measured"}


def write_agreement_table(paths: ProjectPaths, data: QualitativeData, agreement: pd.DataFrame) -> pd.DataFrame | None:
    """Write the inter-coder agreement snippet (``tables/intercoder_agreement.md``).

    Parameters
    ----------
    paths : ProjectPaths
    data : QualitativeData
    agreement : DataFrame
        :func:`lehc_report.stats.agreement.intercoder_agreement`.

    Returns
    -------
    DataFrame or None
        The table shown (:func:`lehc_report.render.qual_tables.agreement_display`); None
        without double coding, when the snippet says it was not measured.
    """
    if not data.double_coding:
        note_table(paths.tables / "intercoder_agreement.md", "tbl-intercoder",
                   "Agreement between two coders: not measured, as no segment was double-coded. Source: notebook 03_qual.",
                   "Inter-coder agreement", "not measured (no double-coded segments)")
        return None
    shown = agreement_display(agreement)
    write_myst_table(shown, paths.tables / "intercoder_agreement.md",
                     "Agreement between two coders on the double-coded segments, per code. Source: notebook 03_qual.",
                     "tbl-intercoder", right_aligned=AGREEMENT_NUMBERS)
    return shown


def write_figures(paths: ProjectPaths, data: QualitativeData, by_question: pd.DataFrame, cooccurrence: pd.DataFrame,
                  survey_withheld: bool) -> None:
    """Draw the two heatmaps into ``paths.figures``.

    Parameters
    ----------
    paths : ProjectPaths
    data : QualitativeData
    by_question : DataFrame
        :func:`lehc_report.stats.tally.survey_theme_by_question`.
    cooccurrence : DataFrame
        :func:`lehc_report.stats.tally.code_cooccurrence`.
    survey_withheld : bool
        The survey's counts are withheld (privacy): themes by question is a placeholder,
        as it is without survey returns.
    """
    if "survey" not in data.sources or survey_withheld:
        why = "No survey returns in this cohort" if "survey" not in data.sources else \
            "Survey counts withheld: too few survey respondents to publish them (privacy)"
        figures.placeholder_figure(paths.figures / FIGURES[0], why)
    else:
        fig = figures_qual.plot_theme_by_question(by_question, question_labels=survey_question_labels(paths), title=None)
        save_figure(fig, paths.figures / FIGURES[0])
    code_labels = data.codebook.codes.set_index("code_id")["name"].to_dict()
    save_figure(figures_qual.plot_code_cooccurrence(cooccurrence, labels=code_labels, title=None), paths.figures / FIGURES[1])


def write_profiles(paths: ProjectPaths, data: QualitativeData, case_ids: list[str], analysis: AnalysisSettings,
                   is_2013: bool, show_source: bool) -> None:
    """Check the respondents named in ``case_studies.yml`` and write ``tables/profiles.md``.

    Parameters
    ----------
    paths : ProjectPaths
    data : QualitativeData
    case_ids : list of str
        From :func:`lehc_report.inputs.qualitative.read_case_studies`.
    analysis : AnalysisSettings
        ``analysis_coder``.
    is_2013 : bool
        The cohort was coded with the 2013 codebook, whose change themes and preferred
        quotation code the profiles then use.
    show_source : bool
        Whether a profile may name the source (survey or interviews).

    Raises
    ------
    DataError
        A named respondent is not registered or did not consent to quotation.
    """
    if not case_ids:
        profiles = "<!-- No profiles: this cohort lists no case studies (the chapter says so). -->\n"
    else:
        check_case_studies(data, case_ids, paths.data / "case_studies.yml")
        profiles = profiles_markdown(
            data, case_ids, show_source=show_source,
            change_themes=codebook_2013.CHANGE_THEMES if is_2013 else (),
            quote_code=codebook_2013.PROFILE_QUOTE_CODE if is_2013 else None, coder=analysis.analysis_coder)
    (paths.tables / "profiles.md").write_text(profiles, encoding="utf-8")


def scan_free_text(data_dir: Path, settings: privacy.PrivacySettings, root: Path | None = None) -> None:
    """Scan every field of the qualitative files that can reach an output for personal data.

    Parameters
    ----------
    data_dir : Path
        The cohort's data folder.
    settings : PrivacySettings
    root : Path, optional
        The project root, for the codebook and instrument the cohort falls back on.

    Raises
    ------
    PersonalDataFound
        Located by file, row and column (:func:`lehc_report.inputs.personal_data.scan_inputs`).
    """
    personal_data.scan_inputs(data_dir, settings, "03_qual", root=root)


def survey_question_labels(paths: ProjectPaths) -> dict[str, str]:
    """Column labels for the themes-by-question heatmap.

    Parameters
    ----------
    paths : ProjectPaths

    Returns
    -------
    dict
        Question ID -> "Q05 <short label>" (``survey_instrument.yml``).
    """
    questions = survey_questions(paths)
    return dict(zip(questions["id"], questions["id"].str.upper() + " " + questions["short"]))
