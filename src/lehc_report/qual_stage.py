"""Stage 3: the qualitative tally, agreement, quote bank and profiles for the book.

Reads the coded qualitative data (validated by :mod:`lehc_report.qualitative`),
scans every free-text field for personal data, and writes results CSVs, figures,
numbered table snippets and the glue values the findings chapters paste in.
A cohort without qualitative data gets a stage result that says so.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from . import figures, privacy, qualitative
from .framework import Framework
from .outputs import save_figure, write_myst_table, write_result_csv
from .paths import ProjectPaths
from .pipeline import StageResult, framework_for, number_word, read_tidy_ratings, survey_questions
from .rounding import format_half_up

QUAL_FILES = ("respondents.csv", "survey_returns.csv", "interview_segments.csv", "codings.csv", "double_coded.csv")
GROUP_LABELS = {"professional": "professionals", "uses_services": "people who use services"}
SOURCE_LABELS = {"survey": "survey", "interview": "interviews"}


def key(identifier: str) -> str:
    """Glue-safe form of a theme or code ID."""
    return identifier.replace(".", "_")


def scan_free_text(data_dir: Path, settings: privacy.PrivacySettings) -> None:
    """Personal-data scan of every free-text column, located by file, row and column."""
    free_text = {
        "survey_returns.csv": lambda cols: [c for c in cols if c.startswith("q")],
        "interview_segments.csv": lambda cols: ["text"],
        "respondents.csv": lambda cols: ["role_label"],
    }
    for name, columns in free_text.items():
        path = data_dir / name
        if path.exists():
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            privacy.scan_table(table, columns(list(table.columns)), name, settings)


def survey_question_labels(paths: ProjectPaths) -> dict[str, str]:
    questions = survey_questions(paths)
    return dict(zip(questions["id"], questions["id"].str.upper() + " " + questions["short"]))


def tally_display(tally: pd.DataFrame, settings: privacy.PrivacySettings) -> pd.DataFrame:
    """Themes x (all, survey, interviews, each group) as "count of n", small groups suppressed."""
    themes = tally[tally["level"] == "theme"]
    columns = [("overall", "all", "All respondents"), ("source", "survey", "Survey"), ("source", "interview", "Interviews"),
               ("group", "professional", "Professionals"), ("group", "uses_services", "People who use services")]
    show = pd.DataFrame({"Theme": themes.drop_duplicates("id")["name"].to_numpy()})
    for breakdown, subgroup, label in columns:
        cells = themes[(themes["breakdown"] == breakdown) & (themes["subgroup"] == subgroup)]
        n = int(cells["n"].iloc[0]) if len(cells) else 0
        if n == 0:
            continue
        header = f"{label} (n = {n})"
        show[header] = [privacy.suppress_small(int(c), n, settings) for c in cells["count"]]
    return show


def alpha_reading(alpha: float) -> str:
    """Krippendorff's own thresholds: 0.800 for firm conclusions, 0.667 for tentative ones."""
    if pd.isna(alpha):
        return "which cannot be computed for this sample"
    if alpha >= 0.8:
        return "above the 0.80 Krippendorff recommends for firm conclusions"
    if alpha >= 0.667:
        return "between the 0.667 Krippendorff accepts for tentative conclusions and the 0.80 he recommends for firm ones"
    return "below the 0.667 Krippendorff sets as the minimum even for tentative conclusions, so the coding should be revisited"


def share_phrase(count: int, n: int, noun: str) -> str:
    """"all 10 interviewees", "7 of the 10 interviewees", "none of the 10 interviewees"."""
    if n == 0:
        return f"no {noun}"
    if count == n:
        return f"all {n} {noun}" if n > 2 else f"both {noun}"
    if count == 0:
        return f"none of the {n} {noun}"
    return f"{count} of the {n} {noun}"


def quote_markdown(text: str, attribution: str) -> str:
    return f"“{text.strip()}” ({attribution})"


def profiles_markdown(data: qualitative.QualitativeData, case_ids: list[str], area_scores: pd.DataFrame | None, area_names: dict[str, str]) -> str:
    """Short profiles of consenting respondents: role, what changed, self-assessment change."""
    register = data.respondents.set_index("respondent_id")
    refused = [r for r in case_ids if r not in register.index or register.loc[r, "consent_to_quote"] != "yes"]
    if refused:
        raise ValueError(f"case_studies.yml: {', '.join(refused)} did not consent to quotation (or is not in respondents.csv); choose consenting respondents")
    profiles = qualitative.respondent_profiles(data, case_ids)
    code_names = data.codebook.codes.set_index("code_id")["name"]
    coded = data.codings[data.codings["coder"] == "A"].merge(data.segments, on="segment_id")
    blocks = []
    for number, rid in enumerate(case_ids, start=1):
        person = profiles.loc[rid]
        changes = [code_names[c] for c in person["codes"] if c.startswith(("impact_role.", "impact_others."))]
        lines = [f"### Profile {number}: {person['role_label']}", ""]
        lines.append(f"- **Took part in:** the {'interviews' if person['source'] == 'interview' else 'survey'}; agreed to be quoted.")
        lines.append(f"- **What changed, as coded:** {', '.join(changes).lower() if changes else 'no change coded yet'}.")
        sa_id = person["self_assessment_id"]
        if sa_id and area_scores is not None and sa_id in set(area_scores["participant_id"]):
            own = area_scores[area_scores["participant_id"] == sa_id].pivot_table(index="area_id", columns="wave", values="score")
            if {"start", "end"} <= set(own.columns):
                deltas = (own["end"] - own["start"]).reindex(list(area_names)).dropna()
                parts = [f"{area_names[a]} {'+' if d >= 0 else '−'}{format_half_up(abs(d), 2)}" for a, d in deltas.items()]
                lines.append(f"- **Self-assessment, change in area score from start to end:** {'; '.join(parts)}.")
        else:
            lines.append("- **Self-assessment:** not completed at both waves.")
        own_segments = coded[coded["respondent_id"] == rid]
        pick = own_segments[own_segments["code_id"] == "impact_role.concrete_changes"]
        if pick.empty:
            pick = own_segments[own_segments["exemplar"] == "yes"]
        if not pick.empty:
            lines += ["", f"> {quote_markdown(pick.sort_values('segment_id')['text'].iloc[0], person['role_label'])}"]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def absent_qualitative(paths: ProjectPaths) -> StageResult:
    """No qualitative data: every snippet and figure the chapters use says so."""
    note = "This cohort's data folder has no qualitative data (no respondents.csv), so there is nothing to report here."
    # Same table names as with data, so cross-references in the chapters still resolve.
    for name, label in (("theme_tally.md", "tbl-theme-tally"), ("intercoder_agreement.md", "tbl-intercoder")):
        write_myst_table(pd.DataFrame({"Qualitative data": ["none in this cohort"]}), paths.tables / name, note, label)
    (paths.tables / "profiles.md").write_text(f"*{note}*\n", encoding="utf-8")
    for name in ("figure_theme_by_question.png", "figure_code_cooccurrence.png"):
        figures.placeholder_figure(paths.figures / name, "No qualitative data in this cohort")
    return StageResult(glue={"qual_available": "no", "qual_status": note})


def profile_area_scores(paths: ProjectPaths, framework: Framework) -> pd.DataFrame | None:
    """Area scores for the profiles, from the cleaning stage's tidy table (stage 1)."""
    from .selfassessment import area_scores  # scipy: only needed here

    if not (paths.tidy / "self_assessment.csv").exists():
        return None
    return area_scores(read_tidy_ratings(paths, framework), framework)


def analyse_qualitative(paths: ProjectPaths) -> StageResult:
    paths.ensure()
    present = [f for f in QUAL_FILES if (paths.data / f).exists()]
    result = StageResult()
    if "respondents.csv" not in present:
        return absent_qualitative(paths)
    settings = privacy.load_settings(paths.root)
    scan_free_text(paths.data, settings)
    data = qualitative.load_qualitative(paths.data)
    codebook = data.codebook

    tally = qualitative.theme_tally(data)
    by_question = qualitative.survey_theme_by_question(data)
    cooccurrence = qualitative.code_cooccurrence(data)
    agreement = qualitative.intercoder_agreement(data)
    alpha = qualitative.krippendorff_alpha_nominal(data)
    quotes = qualitative.quote_bank(data)

    # Results leave the pipeline with small cells already blanked; the full tally stays in memory.
    published_tally = privacy.suppress_small_cells(tally, settings)
    write_result_csv(published_tally, paths.results / "theme_tally.csv")
    write_result_csv(by_question.reset_index(), paths.results / "survey_theme_by_question.csv")
    write_result_csv(cooccurrence.reset_index(), paths.results / "code_cooccurrence.csv")
    write_result_csv(agreement, paths.results / "intercoder_agreement.csv")
    write_result_csv(quotes, paths.results / "quote_bank.csv")

    display = tally_display(tally, settings)
    write_myst_table(display, paths.tables / "theme_tally.md",
                     "Respondents raising each theme, by source and group (respondents, not segments; coder A). "
                     f"Counts for groups of fewer than {settings.min_group_size} people are suppressed. Source: notebook 03_qual.",
                     "tbl-theme-tally")
    agreement_show = agreement.assign(
        **{"Code": agreement["name"], "Units": agreement["n_units"].astype(str),
           "Coder A": agreement["n_a"].astype(str), "Coder B": agreement["n_b"].astype(str),
           "Agreement (%)": agreement["percent_agreement"].map(lambda v: format_half_up(v, 1)),
           "Cohen's kappa": agreement["cohen_kappa"].map(lambda v: "undefined" if pd.isna(v) else format_half_up(v, 2))}
    )[["Code", "Units", "Coder A", "Coder B", "Agreement (%)", "Cohen's kappa"]]
    write_myst_table(agreement_show, paths.tables / "intercoder_agreement.md",
                     "Agreement between two coders on the double-coded segments, per code. Source: notebook 03_qual.",
                     "tbl-intercoder", right_aligned=("Units", "Coder A", "Coder B", "Agreement (%)", "Cohen's kappa"))

    labels = survey_question_labels(paths)
    fig = qualitative.plot_theme_by_question(by_question, question_labels=labels, title=None)
    save_figure(fig, paths.figures / "figure_theme_by_question.png")
    code_labels = codebook.codes.set_index("code_id")["name"].to_dict()
    fig = qualitative.plot_code_cooccurrence(cooccurrence, labels=code_labels, title=None)
    save_figure(fig, paths.figures / "figure_code_cooccurrence.png")

    framework = framework_for(paths)
    area_scores = profile_area_scores(paths, framework)
    case_file = paths.data / "case_studies.yml"
    case_ids = (yaml.safe_load(case_file.read_text(encoding="utf-8")) or {}).get("case_studies", []) if case_file.exists() else []
    profiles = profiles_markdown(data, case_ids, area_scores, framework.area_names()) if case_ids else "*No profiles: this cohort lists no case studies.*\n"
    (paths.tables / "profiles.md").write_text(profiles, encoding="utf-8")

    glue = {"qual_available": "yes", "qual_status": ""}
    respondents = data.respondents
    counts = {
        "all": len(respondents),
        "survey": int((respondents["source"] == "survey").sum()),
        "interview": int((respondents["source"] == "interview").sum()),
        "professional": int((respondents["group"] == "professional").sum()),
        "uses_services": int((respondents["group"] == "uses_services").sum()),
    }
    for name, n in counts.items():
        glue[f"n_{name}"] = str(n)
        glue[f"n_{name}_word"] = number_word(n)
    for source in ("survey", "interview"):
        people = respondents[respondents["source"] == source]
        for gender in ("female", "male"):
            glue[f"n_{source}_{gender}"] = str(int((people["gender"] == gender).sum()))
        for group in ("professional", "uses_services"):
            glue[f"n_{source}_{group}"] = str(int((people["group"] == group).sum()))
    glue["min_group_size"] = str(settings.min_group_size)
    glue["n_segments"] = str(len(data.segments))
    glue["n_segments_survey"] = str(int((data.segments["source"] == "survey").sum()))
    glue["n_segments_interview"] = str(int((data.segments["source"] == "interview").sum()))
    glue["n_double_coded"] = str(len(data.double_coded))
    glue["share_double_coded"] = format_half_up(100 * len(data.double_coded) / len(data.segments), 0)
    glue["n_codes"] = str(len(codebook.codes))
    glue["n_themes"] = str(len(codebook.themes))
    glue["alpha"] = format_half_up(alpha, 2)
    glue["alpha_reading"] = alpha_reading(alpha)
    glue["kappa_median"] = format_half_up(agreement["cohen_kappa"].median(), 2)
    glue["kappa_min"] = format_half_up(agreement["cohen_kappa"].min(), 2)
    glue["n_no_consent"] = str(int((respondents["consent_to_quote"] != "yes").sum()))
    glue["n_quotes"] = str(len(quotes))
    wide = tally.pivot_table(index="id", columns="subgroup", values="count", aggfunc="first")
    for item, row in wide.iterrows():
        k = key(item)
        glue[f"t_{k}"] = str(int(row["all"]))
        glue[f"t_{k}_survey"] = str(int(row["survey"]))
        glue[f"t_{k}_interview"] = str(int(row["interview"]))
        for group in ("professional", "uses_services"):
            glue[f"t_{k}_{group}"] = privacy.suppress_small(int(row[group]), counts[group], settings)
        glue[f"ph_{k}"] = share_phrase(int(row["all"]), counts["all"], "respondents")
        glue[f"ph_{k}_survey"] = share_phrase(int(row["survey"]), counts["survey"], "survey respondents")
        glue[f"ph_{k}_interview"] = share_phrase(int(row["interview"]), counts["interview"], "interviewees")
    for quote in quotes.itertuples():
        glue[f"quote_{key(quote.quote_id.replace('-', '_'))}"] = quote_markdown(quote.text, quote.attribution)
    result.tables = {"tally": published_tally, "display": display, "agreement": agreement_show, "by_question": by_question, "quotes": quotes}
    result.figures = {"theme_by_question": paths.figures / "figure_theme_by_question.png",
                      "cooccurrence": paths.figures / "figure_code_cooccurrence.png"}
    result.glue = glue
    return result
