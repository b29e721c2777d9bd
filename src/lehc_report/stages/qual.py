"""Stage 3: the qualitative tally, agreement, quote bank and profiles for the book.

Reads the coded qualitative data (validated by :mod:`lehc_report.inputs.qualitative`),
scans every free-text field for personal data, and writes results CSVs, figures,
numbered table snippets and the glue values the findings chapters paste in.
A cohort without qualitative data gets a stage result that says so.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from lehc_report.render import figures
from lehc_report import privacy
from lehc_report.inputs import qualitative
from lehc_report.inputs.framework import Framework
from lehc_report.inputs.self_assessment import DataError
from lehc_report.prose.quant import join_words
from lehc_report.render.outputs import glue_references, save_figure, write_myst_table, write_result_csv
from lehc_report.paths import ProjectPaths
from lehc_report.prose.words import number_word
from lehc_report.stages.base import StageResult, framework_for, read_tidy_ratings, survey_questions
from lehc_report.prose.rounding import format_half_up

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


COLUMNS = (("overall", "all", "All respondents"), ("source", "survey", "Survey"), ("source", "interview", "Interviews"),
           ("group", "professional", "Professionals"), ("group", "uses_services", "People who use services"))


def group_sizes(respondents: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Each breakdown's group sizes (the partitions of the respondents the tally uses)."""
    return {
        "overall": {"all": len(respondents)},
        "source": {s: int((respondents["source"] == s).sum()) for s in qualitative.SOURCES},
        "group": {g: int((respondents["group"] == g).sum()) for g in qualitative.GROUPS},
    }


def shown_columns(sizes: dict[str, dict[str, int]], plan: dict) -> list[tuple[str, str, str]]:
    """The tally columns that can be published: not withheld, not empty, and not a
    breakdown whose only non-empty group is everyone (it would repeat the total)."""
    shown = []
    for breakdown, subgroup, label in COLUMNS:
        n = sizes[breakdown][subgroup]
        non_empty = [g for g, m in sizes[breakdown].items() if m > 0]
        if n == 0 or (breakdown, subgroup) in plan or (breakdown != "overall" and len(non_empty) < 2):
            continue
        shown.append((breakdown, subgroup, label))
    return shown


def withheld_note(sizes: dict[str, dict[str, int]], plan: dict, settings: privacy.PrivacySettings) -> str:
    """One sentence naming the withheld columns and why (for the table's caption)."""
    labels = {(b, g): label for b, g, label in COLUMNS}
    primary = [f"{labels[c].lower()} (n = {sizes[c[0]][c[1]]})" for c in labels if plan.get(c) == privacy.PRIMARY]
    secondary = [f"{labels[c].lower()} (n = {sizes[c[0]][c[1]]})" for c in labels if plan.get(c) == privacy.SECONDARY]
    if not primary:
        return ""
    note = f"Not shown separately: {join_words(primary)}, fewer than {settings.min_group_size} people"
    if secondary:
        note += f"; and {join_words(secondary)}, whose count would reveal the smaller group's by subtraction from the total"
    return note + "."


def tally_display(tally: pd.DataFrame, settings: privacy.PrivacySettings, sizes: dict | None = None,
                  plan: dict | None = None) -> pd.DataFrame:
    """Themes x the publishable columns (all, survey, interviews, each group) as
    "count of n".  Withheld groups (small ones, and their complements) are left out."""
    themes = tally[tally["level"] == "theme"]
    if sizes is None:
        sizes = {b: dict(zip(themes.loc[themes["breakdown"] == b, "subgroup"], themes.loc[themes["breakdown"] == b, "n"].astype(int)))
                 for b in ("overall", "source", "group")}
    plan = privacy.suppression_plan(sizes, settings) if plan is None else plan
    show = pd.DataFrame({"Theme": themes.drop_duplicates("id")["name"].to_numpy()})
    for breakdown, subgroup, label in shown_columns(sizes, plan):
        cells = themes[(themes["breakdown"] == breakdown) & (themes["subgroup"] == subgroup)]
        n = sizes[breakdown][subgroup]
        show[f"{label} (n = {n})"] = [f"{int(c)} of {n}" for c in cells["count"]]
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
        return f"all {n} {noun}" if n > 2 else (f"both {noun}" if n == 2 else f"the one {singular(noun)}")
    if count == 0:
        return f"none of the {n} {noun}"
    return f"{count} of the {n} {noun}"


IRREGULAR = {"women": "woman", "men": "man", "people": "person", "interviewees": "interviewee"}


def singular(noun: str) -> str:
    """The singular of a plural noun phrase: its last word loses its plural."""
    head, _, last = noun.rpartition(" ")
    one = IRREGULAR.get(last, last[:-1] if last.endswith("s") else last)
    return f"{head} {one}".strip()


def counted(n: int, noun: str) -> str:
    """"1 respondent", "12 respondents", "1 woman" (``noun`` is the plural)."""
    return f"{n} {singular(noun) if n == 1 else noun}"


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


NO_QUOTE = "No consented quotation is available for this theme."
NO_QUOTE_UNCODED = "No quotation can be chosen until the texts have been coded."
_QUOTE_MARKS = {"“": "”", '"': '"', "‘": "’", "'": "'"}


def quote_text(text: str) -> str:
    """The quotation's own words, ready to go inside our double quotation marks:
    surrounding marks the respondent or transcriber added are dropped, and double
    marks inside become single ones (British nesting)."""
    text = text.strip()
    while len(text) >= 2 and text[0] in _QUOTE_MARKS and text[-1] == _QUOTE_MARKS[text[0]] \
            and text.count(text[0]) + (text.count(text[-1]) if text[0] != text[-1] else 0) == 2:
        text = text[1:-1].strip()
    return text.replace("“", "‘").replace("”", "’")


def quote_markdown(text: str, attribution: str) -> str:
    return f"“{quote_text(text)}” ({attribution})"


def profiles_markdown(data: qualitative.QualitativeData, case_ids: list[str], area_scores: pd.DataFrame | None,
                      area_names: dict[str, str], show_source: bool = True,
                      case_file: Path = Path("case_studies.yml")) -> str:
    """Short profiles of consenting respondents: role, what changed, self-assessment change.

    ``show_source`` False (the survey/interview split is withheld for privacy) names
    the evaluation instead of the source the respondent took part in."""
    register = data.respondents.set_index("respondent_id")
    problems = [f"{r} is not in respondents.csv" if r not in register.index else f"{r} did not consent to quotation "
                "(consent_to_quote is not yes in respondents.csv)"
                for r in case_ids if r not in register.index or register.loc[r, "consent_to_quote"] != "yes"]
    if problems:
        first = problems[0].split(" ", 1)[0]
        lines = case_file.read_text(encoding="utf-8").splitlines() if case_file.exists() else []
        line = next((i for i, text in enumerate(lines, start=1) if first in text and not text.lstrip().startswith("#")), None)
        raise DataError(case_file, "; ".join(problems) + "; list only consenting respondents from respondents.csv "
                        "(see data/README.md)", row=line)
    profiles = qualitative.respondent_profiles(data, case_ids)
    code_names = data.codebook.codes.set_index("code_id")["name"]
    coded = data.codings[data.codings["coder"] == "A"].merge(data.segments, on="segment_id")
    blocks = []
    for number, rid in enumerate(case_ids, start=1):
        person = profiles.loc[rid]
        changes = [code_names[c] for c in person["codes"] if c.startswith(("impact_role.", "impact_others."))]
        lines = [f"### Profile {number}: {person['role_label']}", ""]
        took_part = ("the interviews" if person["source"] == "interview" else "the survey") if show_source else "the evaluation"
        lines.append(f"- **Took part in:** {took_part}; agreed to be quoted.")
        coded_text = ", ".join(changes).lower() if changes else ("no change coded yet" if data.coded else "not coded (no codings.csv)")
        lines.append(f"- **What changed, as coded:** {coded_text}.")
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


def note_table(path: Path, label: str, caption: str, heading: str, text: str) -> None:
    """A one-cell table in place of one that has nothing to show, under the same
    label so that cross-references in the chapters still resolve."""
    write_myst_table(pd.DataFrame({heading: [text]}), path, caption, label)


def absent_qualitative(paths: ProjectPaths) -> StageResult:
    """No qualitative data: every snippet and figure the chapters use says so."""
    note = "This cohort's data folder has no qualitative data (no respondents.csv), so there is nothing to report here."
    # Same table names as with data, so cross-references in the chapters still resolve.
    for name, label in (("theme_tally.md", "tbl-theme-tally"), ("intercoder_agreement.md", "tbl-intercoder")):
        note_table(paths.tables / name, label, note, "Qualitative data", "none in this cohort")
    (paths.tables / "profiles.md").write_text(f"*{note}*\n", encoding="utf-8")
    for name in ("figure_theme_by_question.png", "figure_code_cooccurrence.png"):
        figures.placeholder_figure(paths.figures / name, "No qualitative data in this cohort")
    write_content_flags(paths, qualitative=False, coded=False)
    return StageResult(glue={"qual_available": "no", "qual_status": note})


def write_content_flags(paths: ProjectPaths, qualitative: bool, coded: bool) -> None:
    """Tell the book build which passages apply (see ``lehc_report.book.sphinxext``):
    ``qualitative``, any qualitative data; ``coded``, coded texts to tally."""
    import json

    flags = {"qualitative": qualitative, "coded": coded}
    (paths.tables.parent / "content.json").write_text(json.dumps(flags, sort_keys=True) + "\n", encoding="utf-8")


def profile_area_scores(paths: ProjectPaths, framework: Framework) -> pd.DataFrame | None:
    """Area scores for the profiles, from the cleaning stage's tidy table (stage 1)."""
    from lehc_report.settings import load_analysis_settings
    from lehc_report.stats.paired import area_scores  # scipy: only needed here

    if not (paths.tidy / "self_assessment.csv").exists():
        return None
    return area_scores(read_tidy_ratings(paths, framework), framework, load_analysis_settings(paths.root).min_share_answered)


def read_case_studies(paths: ProjectPaths) -> list[str]:
    case_file = paths.data / "case_studies.yml"
    if not case_file.exists():
        return []
    return [str(c) for c in ((yaml.safe_load(case_file.read_text(encoding="utf-8")) or {}).get("case_studies") or [])]


# ---- sentences the chapters paste in: each reads correctly whatever the data hold ----

CONCRETE_EXAMPLES = ("services redesigned around what communities can do, proposals drawing directly on the course, "
                     "people who use services brought into design groups from the start")


def people(n: int, noun: str = "participants") -> str:
    return counted(n, noun)


def gender_phrase(female: int, male: int) -> str:
    parts = [counted(n, noun) for n, noun in ((female, "women"), (male, "men")) if n > 0]
    return join_words(parts)


def sources_sentence(counts: dict[str, int], sources: tuple[str, ...]) -> str:
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


def survey_sentence(counts: dict[str, int], glue: dict[str, str], sources: tuple[str, ...], n_blank: int) -> str:
    if "survey" not in sources:
        return ("No survey returns are in this cohort's data (there is no survey_returns.csv), "
                "so the qualitative findings rest on the interviews alone.")
    n = counts["survey"]
    if n == 0:
        return "No participant returned it."
    sentence = (f"{capitalise(people(n))} returned it "
                f"({gender_phrase(int(glue['n_survey_female']), int(glue['n_survey_male']))}).")
    if n_blank:
        blank = "one came back blank" if n_blank == 1 else f"{number_word(n_blank)} came back blank"
        sentence += (f" Of these, {blank}: a blank form is still a return, so it counts in every denominator, "
                     "as a return that raised no theme.")
    return sentence


def interview_sentence(counts: dict[str, int], glue: dict[str, str], sources: tuple[str, ...]) -> str:
    if "interview" not in sources or counts["interview"] == 0:
        return ("No interviews are in this cohort's data (there is no interview_segments.csv), "
                "so the qualitative findings rest on the survey alone.")
    n = counts["interview"]
    professional, uses = int(glue["n_interview_professional"]), int(glue["n_interview_uses_services"])
    groups = []
    if professional:
        groups.append(f"{professional} who {'commissions or delivers' if professional == 1 else 'commission or deliver'} services")
    if uses:
        groups.append(f"{uses} who {'uses' if uses == 1 else 'use'} services")
    genders = gender_phrase(int(glue["n_interview_female"]), int(glue["n_interview_male"]))
    return (f"{capitalise(people(n))} took part in semi-structured telephone interviews of about an hour, "
            "loosely following the survey questions but probing how they had found the course and how they "
            f"meant to use it: {join_words(groups)} ({genders} in all).")


def segments_phrase(glue: dict[str, str], sources: tuple[str, ...]) -> str:
    survey, interview = int(glue["n_segments_survey"]), int(glue["n_segments_interview"])
    total = counted(survey + interview, "segments")
    if sources == ("survey",):
        return f"{total}, all survey answers"
    if sources == ("interview",):
        return f"{total}, all interview passages"
    return f"{total}: {counted(survey, 'survey answers')} and {counted(interview, 'interview passages')}"


def coders_sentence(data: qualitative.QualitativeData, glue: dict[str, str]) -> str:
    if not data.coded:
        return ("No segment has been coded yet (this cohort's data hold no codings.csv), so no theme is counted, "
                "no quotation is chosen and no agreement between coders is measured.")
    if not data.double_coding:
        return ("One coder coded every segment. No segment was coded independently by a second coder, so agreement "
                "between coders was not measured: the coding rests on one coder's judgement.")
    return (f"One coder coded every segment; a second coded a sample of {glue['n_double_coded']} "
            f"({glue['share_double_coded']}%) independently. Agreement over that sample, treating each "
            "segment-and-code pair as a yes/no decision, gives Krippendorff's alpha of "
            f"{glue['alpha']} (median Cohen's kappa per code {glue['kappa_median']}), {glue['alpha_reading']}.")


def consent_sentence(n_no: int, n_all: int) -> str:
    if n_no == n_all:
        return "No respondent agreed to be quoted, so the report quotes no one."
    if n_no == 0:
        return "Every respondent agreed to be quoted; quotations are attributed by broad role only."
    return (f"Quotations come only from the respondents who agreed to be quoted ({n_no} did not, and "
            f"{'is' if n_no == 1 else 'are'} never quoted) and are attributed by broad role only.")


def uses_services_sentences(n_uses: int, settings: privacy.PrivacySettings) -> dict[str, str]:
    """What the chapters say about people who use services as a group: nothing that
    could be pinned on one person."""
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
    if n_profiles == 0:
        return "This cohort names no respondents to profile (case_studies.yml), so there are no profiles."
    what = "short profile" if n_profiles == 1 else "short profiles"
    return (f"{capitalise(number_word(n_profiles))} {what}, drawn from the data of respondents who agreed to be quoted, "
            "in place of the 2013 report's case studies. Each gives a broad role only.")


def theme_sentences(glue: dict[str, str], counts_by_item: dict[str, dict[str, int]], counts: dict[str, int],
                    shown: set[str], sources: tuple[str, ...]) -> dict[str, str]:
    """Sentences whose wording depends on the counts (a source may be absent or withheld)."""
    out = {}
    interview_shown = "interview" in shown

    def count(item, subgroup="all"):
        return counts_by_item.get(item, {}).get(subgroup, 0)

    # The framework struck a chord: <subject> said it described ...
    item = "framework.resonates"
    subject = counted(count(item), "respondents")
    if interview_shown and len(sources) > 1 and count(item, "interview"):
        subject += f", among them {share_phrase(count(item, 'interview'), counts['interview'], 'interviewees')},"
    out["subj_framework_resonates"] = subject

    item = "impact_role.concrete_changes"
    total, by_interview = count(item), count(item, "interview")
    if total == 0:
        out["concrete_changes_sentence"] = (f"{capitalise(share_phrase(0, counts['all'], 'respondents'))} yet had concrete "
                                            "examples of changes made at work.")
    elif interview_shown and by_interview:
        sentence = (f"Although the interviews took place only a month after the course ended, "
                    f"{share_phrase(by_interview, counts['interview'], 'interviewees')} already had concrete examples "
                    f"of changes made at work: {CONCRETE_EXAMPLES}.")
        if total != by_interview:
            sentence += f" {capitalise(counted(total, 'respondents'))} across both sources gave such examples."
        out["concrete_changes_sentence"] = sentence
    else:
        out["concrete_changes_sentence"] = (f"{capitalise(share_phrase(total, counts['all'], 'respondents'))} already had "
                                            f"concrete examples of changes made at work: {CONCRETE_EXAMPLES}.")

    item = "impact_others.community_not_yet"
    total, by_interview = count(item), count(item, "interview")
    if total == 0:
        out["community_sentence"] = ("No respondent commented on effects on communities themselves, which it was early "
                                     "to expect.")
    else:
        who = share_phrase(by_interview, counts["interview"], "interviewees") if interview_shown and by_interview == total \
            else share_phrase(total, counts["all"], "respondents")
        out["community_sentence"] = (f"Effects on communities themselves were not yet visible, as {who} said plainly; "
                                     "many, though, had identified ways of working more closely with communities.")
    return out


def analyse_qualitative(paths: ProjectPaths) -> StageResult:
    paths.ensure()
    result = StageResult()
    if not (paths.data / "respondents.csv").exists():
        return absent_qualitative(paths)
    settings = privacy.load_settings(paths.root, paths.data)
    scan_free_text(paths.data, settings)
    data = qualitative.load_qualitative(paths.data)
    problems = qualitative.role_label_problems(data.respondents, settings.min_attribution_size)
    if problems:
        raise qualitative.QualitativeDataError(problems)
    codebook = data.codebook
    respondents = data.respondents
    sources = data.sources
    write_content_flags(paths, qualitative=True, coded=bool(data.coded))

    sizes = group_sizes(respondents)
    plan = privacy.suppression_plan(sizes, settings)
    shown = {subgroup for _, subgroup, _ in shown_columns(sizes, plan)}
    # Sources the prose may name with their own counts: present, not empty, not withheld
    # (a lone source is not a column of the table, but its counts are everyone's).
    phrasable = {s for s in sources if sizes["source"][s] > 0 and ("source", s) not in plan}
    counts = {"all": len(respondents), **sizes["source"], **sizes["group"]}

    glue = {"qual_available": "yes", "qual_status": ""}
    for name, n in counts.items():
        glue[f"n_{name}"] = str(n)
        glue[f"n_{name}_word"] = number_word(n)
    for source in ("survey", "interview"):
        members = respondents[respondents["source"] == source]
        for gender in ("female", "male"):
            glue[f"n_{source}_{gender}"] = str(int((members["gender"] == gender).sum()))
        for group in ("professional", "uses_services"):
            glue[f"n_{source}_{group}"] = str(int((members["group"] == group).sum()))
    glue["min_group_size"] = str(settings.min_group_size)
    glue["n_segments"] = str(len(data.segments))
    glue["n_segments_survey"] = str(int((data.segments["source"] == "survey").sum()))
    glue["n_segments_interview"] = str(int((data.segments["source"] == "interview").sum()))
    glue["n_double_coded"] = str(len(data.double_coded))
    glue["share_double_coded"] = format_half_up(100 * len(data.double_coded) / len(data.segments), 0) if len(data.segments) else "0"
    glue["n_codes"] = str(len(codebook.codes))
    glue["n_themes"] = str(len(codebook.themes))
    glue["n_no_consent"] = str(int((respondents["consent_to_quote"] != "yes").sum()))
    answered = set(data.segments.loc[data.segments["source"] == "survey", "respondent_id"])
    n_blank = int(((respondents["source"] == "survey") & ~respondents["respondent_id"].isin(answered)).sum())
    glue["n_survey_blank"] = str(n_blank)
    glue["sources_sentence"] = sources_sentence(counts, sources)
    glue["survey_sentence"] = survey_sentence(counts, glue, sources, n_blank)
    glue["interview_sentence"] = interview_sentence(counts, glue, sources)
    glue["segments_phrase"] = segments_phrase(glue, sources)
    glue["consent_sentence"] = consent_sentence(int(glue["n_no_consent"]), counts["all"])
    glue.update(uses_services_sentences(counts["uses_services"], settings))

    framework = framework_for(paths)
    case_ids = read_case_studies(paths)
    glue["profiles_intro"] = profiles_intro(len(case_ids))
    if case_ids:
        area_scores = profile_area_scores(paths, framework)
        profiles = profiles_markdown(data, case_ids, area_scores, framework.area_names(),
                                     show_source=len(sources) < 2 or {"survey", "interview"} <= shown,
                                     case_file=paths.data / "case_studies.yml")
    else:
        profiles = "<!-- No profiles: this cohort lists no case studies (the chapter says so). -->\n"
    (paths.tables / "profiles.md").write_text(profiles, encoding="utf-8")

    if not data.coded:
        note = ("This cohort's survey returns and interviews have not been coded (there is no codings.csv), "
                "so no theme can be counted and no quotation chosen.")
        glue["qual_status"] = note
        glue["coders_sentence"] = coders_sentence(data, glue)
        note_table(paths.tables / "theme_tally.md", "tbl-theme-tally", note, "Theme tally", "not coded")
        note_table(paths.tables / "intercoder_agreement.md", "tbl-intercoder",
                   "Agreement between two coders: not measured, as nothing has been coded.", "Inter-coder agreement", "not measured")
        for name in ("figure_theme_by_question.png", "figure_code_cooccurrence.png"):
            figures.placeholder_figure(paths.figures / name, "The texts have not been coded (no codings.csv)")
        fill_quote_slots(glue, paths, NO_QUOTE_UNCODED)
        result.glue = glue
        return result

    tally = qualitative.theme_tally(data)
    by_question = qualitative.survey_theme_by_question(data)
    cooccurrence = qualitative.code_cooccurrence(data)
    agreement = qualitative.intercoder_agreement(data)
    alpha = qualitative.krippendorff_alpha_nominal(data)
    quotes = qualitative.quote_bank(data)

    # Results leave the pipeline with small cells, and the cells that would reveal
    # them by subtraction, already blanked; the full tally stays in memory.
    published_tally = privacy.suppress_small_cells(tally, settings, plan=plan)
    survey_withheld = ("source", "survey") in plan
    published_by_question = by_question.mask(pd.DataFrame(survey_withheld, index=by_question.index, columns=by_question.columns))
    write_result_csv(published_tally, paths.results / "theme_tally.csv")
    write_result_csv(published_by_question.reset_index(), paths.results / "survey_theme_by_question.csv")
    write_result_csv(cooccurrence.reset_index(), paths.results / "code_cooccurrence.csv")
    write_result_csv(agreement, paths.results / "intercoder_agreement.csv")
    write_result_csv(quotes, paths.results / "quote_bank.csv")

    display = tally_display(tally, settings, sizes, plan)
    caption = ("Respondents raising each theme, by source and group (respondents, not segments; coder A). "
               f"Counts for groups of fewer than {settings.min_group_size} people are suppressed, and so is any count "
               "from which a suppressed one could be worked out.")
    note = withheld_note(sizes, plan, settings)
    write_myst_table(display, paths.tables / "theme_tally.md",
                     f"{caption} {note + ' ' if note else ''}Source: notebook 03_qual.", "tbl-theme-tally")
    if data.double_coding:
        agreement_show = agreement.assign(
            **{"Code": agreement["name"], "Units": agreement["n_units"].astype(str),
               "Coder A": agreement["n_a"].astype(str), "Coder B": agreement["n_b"].astype(str),
               "Agreement (%)": agreement["percent_agreement"].map(lambda v: format_half_up(v, 1)),
               "Cohen's kappa": agreement["cohen_kappa"].map(lambda v: "undefined" if pd.isna(v) else format_half_up(v, 2))}
        )[["Code", "Units", "Coder A", "Coder B", "Agreement (%)", "Cohen's kappa"]]
        write_myst_table(agreement_show, paths.tables / "intercoder_agreement.md",
                         "Agreement between two coders on the double-coded segments, per code. Source: notebook 03_qual.",
                         "tbl-intercoder", right_aligned=("Units", "Coder A", "Coder B", "Agreement (%)", "Cohen's kappa"))
    else:
        agreement_show = None
        note_table(paths.tables / "intercoder_agreement.md", "tbl-intercoder",
                   "Agreement between two coders: not measured, as no segment was double-coded. Source: notebook 03_qual.",
                   "Inter-coder agreement", "not measured (no double-coded segments)")

    if "survey" not in sources or survey_withheld:
        why = "No survey returns in this cohort" if "survey" not in sources else \
            "Survey counts withheld: too few survey respondents to publish them (privacy)"
        figures.placeholder_figure(paths.figures / "figure_theme_by_question.png", why)
    else:
        labels = survey_question_labels(paths)
        fig = qualitative.plot_theme_by_question(by_question, question_labels=labels, title=None)
        save_figure(fig, paths.figures / "figure_theme_by_question.png")
    code_labels = codebook.codes.set_index("code_id")["name"].to_dict()
    fig = qualitative.plot_code_cooccurrence(cooccurrence, labels=code_labels, title=None)
    save_figure(fig, paths.figures / "figure_code_cooccurrence.png")

    glue["alpha"] = format_half_up(alpha, 2) if data.double_coding else "not measured"
    glue["alpha_reading"] = alpha_reading(alpha)
    glue["kappa_median"] = format_half_up(agreement["cohen_kappa"].median(), 2) if data.double_coding else "not measured"
    glue["kappa_min"] = format_half_up(agreement["cohen_kappa"].min(), 2) if data.double_coding else "not measured"
    glue["coders_sentence"] = coders_sentence(data, glue)
    glue["n_quotes"] = str(len(quotes))

    wide = tally.pivot_table(index="id", columns="subgroup", values="count", aggfunc="first")
    counts_by_item = {item: {g: int(v) for g, v in row.items()} for item, row in wide.iterrows()}
    overall_withheld = ("overall", "all") in plan
    for item, row in counts_by_item.items():
        k = key(item)
        for subgroup in ("all", "survey", "interview", "professional", "uses_services"):
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
        glue[f"ph_{k}"] = glue[f"t_{k}"] if overall_withheld else share_phrase(row["all"], counts["all"], "respondents")
        for source, noun in (("survey", "survey respondents"), ("interview", "interviewees")):
            # A withheld or absent source falls back on the count over all respondents.
            glue[f"ph_{k}_{source}"] = share_phrase(row[source], counts[source], noun) if source in phrasable else glue[f"ph_{k}"]
    glue.update(theme_sentences(glue, counts_by_item, counts, phrasable, sources))
    for quote in quotes.itertuples():
        glue[f"quote_{key(quote.quote_id.replace('-', '_'))}"] = quote_markdown(quote.text, quote.attribution)
    fill_quote_slots(glue, paths)
    result.tables = {"tally": published_tally, "display": display, "agreement": agreement_show, "by_question": published_by_question,
                     "quotes": quotes}
    result.figures = {"theme_by_question": paths.figures / "figure_theme_by_question.png",
                      "cooccurrence": paths.figures / "figure_code_cooccurrence.png"}
    result.glue = glue
    return result


def fill_quote_slots(glue: dict[str, str], paths: ProjectPaths, sentence: str = NO_QUOTE) -> None:
    """A chapter's quotation slot with no consented quotation says so in words."""
    for name in glue_references("03_qual", paths.root / "book"):
        if name.startswith("quote_") and name not in glue:
            glue[name] = sentence
