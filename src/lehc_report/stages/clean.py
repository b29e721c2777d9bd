"""Stage 1 (notebook 01_clean): validate the raw exports and write the tidy ratings.

Reads the cohort's raw self-assessment exports, writes ``_build/tidy`` (the tidy
ratings, the cleaning log, the participant register, ``linking.json``: how the waves were
linked and the match counts), the content flag ``paired`` (false for unlinked waves, so
the chapters show the independent-samples passages) and the reference tables of the
appendices and the methodology chapter (the framework, the survey instrument and the
analysis settings, ``analysis.yml``, as the report's table of assumptions).
"""

from __future__ import annotations

import json

import pandas as pd

from lehc_report import privacy
from lehc_report.disclosure import published_2013_counts
from lehc_report.inputs.cohort import check_attendance, load_cohort
from lehc_report.inputs.framework import Framework
from lehc_report.inputs.personal_data import scan_inputs
from lehc_report.inputs.self_assessment import load_self_assessment
from lehc_report.paths import ProjectPaths
from lehc_report.privacy import load_settings as load_privacy_settings
from lehc_report.prose.quant import data_origin_text, participation_text, sample_description
from lehc_report.render.outputs import myst_table, write_myst_table, write_result_csv
from lehc_report.settings import load_analysis_settings
from lehc_report.stages.base import StageResult, framework_for, is_paired, survey_questions, write_content_flags

#: Every glue key of this stage starts so (the chapters refer to ``clean_...``).
GLUE_PREFIX = "clean_"


def clean_self_assessment(paths: ProjectPaths) -> StageResult:
    """Validate the raw exports and write the tidy ratings table and the reference tables.

    Parameters
    ----------
    paths : ProjectPaths
        Where the cohort's raw data are read and the build is written.

    Returns
    -------
    StageResult
        ``tables``: ``tidy`` (one row per participant, wave and behaviour), ``log`` (what the
        reader tolerated), ``per_wave`` (participants with a rating, per wave); ``glue``:
        the keys of :data:`lehc_report.prose.quant.CLEAN_GLUE`, each prefixed ``clean_``.

    Raises
    ------
    DataError
        An export, ``cohort.yml`` or the framework breaks the data contract (file, row
        and column named).
    InputError
        ``analysis.yml`` names an unknown setting or a value out of range.
    PersonalDataFound
        Personal data in a file this stage reads (file, row or YAML key, column named).
    """
    paths.ensure()
    # Personal data anywhere in what this notebook reads stops here, before any output.
    scan_inputs(paths.data, load_privacy_settings(paths.root, paths.data), "01_clean", root=paths.root)
    framework = framework_for(paths)
    settings = load_analysis_settings(paths.root)
    tidy, log, participants = load_self_assessment(paths.data, framework)
    linking = tidy.attrs["linking"]
    # How the waves were linked, and the match counts, beside the tidy table.
    (paths.tidy / "linking.json").write_text(json.dumps(linking, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    # Unlinked waves (by: none) get the independent-samples passages of the chapters, not the paired ones.
    write_content_flags(paths, paired=is_paired(linking))
    write_result_csv(tidy, paths.tidy / "self_assessment.csv")
    write_result_csv(log, paths.tidy / "cleaning_log.csv")
    if participants is not None:
        write_result_csv(participants, paths.tidy / "participants.csv")
    answered = tidy.dropna(subset=["score"])
    per_wave = answered.groupby("wave", sort=False)["participant_id"].nunique().reindex(framework.wave_ids).dropna().astype(int)
    waves = tidy["wave"].unique().tolist()
    result = StageResult(tables={"tidy": tidy, "log": log, "per_wave": per_wave.rename("participants").reset_index()})
    glue = {
        "n_ratings": str(len(tidy)),
        "n_missing_ratings": str(int(tidy["score"].isna().sum())),
        "n_waves": str(len(waves)),
        "n_log_entries": str(len(log)),
        "n_participants_any": str(tidy["participant_id"].nunique()),
    }
    # Every wave of the framework has a count, 0 where no one rated themselves.
    for wave in framework.wave_ids:
        glue[f"n_participants_{wave}"] = str(int(per_wave.get(wave, 0)))
    glue["participation_text"] = participation_text(int(per_wave.get("start", 0)), int(per_wave.get("end", 0)))
    glue["sample_text"] = sample_description(participants, tidy["participant_id"].unique(),
                                             privacy.load_settings(paths.root, paths.data),
                                             published_2013_counts(paths.data))
    write_reference_tables(paths, framework)
    write_assumptions_table(paths, settings)
    cohort = load_cohort(paths.data)
    check_attendance(paths.data, cohort, tidy["participant_id"].nunique())
    glue.update({"client": cohort["client"] or "not stated", "report_date": cohort["report_date"] or "not stated",
                 "programme": cohort["programme"]})
    glue.update(data_origin_text(cohort))
    result.glue = {GLUE_PREFIX + key: value for key, value in glue.items()}
    return result


def write_reference_tables(paths: ProjectPaths, framework: Framework) -> None:
    """Write the appendices' tables: the framework's behaviours and the survey questions.

    Parameters
    ----------
    paths : ProjectPaths
        ``tables/framework.md`` and ``tables/survey_instrument.md`` are written.
    framework : Framework
        The cohort's framework (its areas and behaviours).
    """
    # One snippet for all areas, so that a cohort with its own framework (other areas)
    # gets its own appendix without a chapter naming the areas.
    tables = []
    for area in framework.areas.itertuples():
        items = framework.behaviours[framework.behaviours["area_id"] == area.area_id]
        tagline = f": {area.tagline.lower()}" if area.tagline else ""
        tables.append(myst_table(
            pd.DataFrame({"ID": items["behaviour_id"], "Behaviour (short label)": items["label"]}),
            f"{area.area_name}{tagline} ({area.n_behaviours} behaviours). Source: notebook 01_clean, from the cohort's leadership framework.",
            f"tbl-framework-{area.area_id.lower()}",
        ))
    (paths.tables / "framework.md").write_text("\n\n".join(tables), encoding="utf-8")
    questions = survey_questions(paths)
    write_myst_table(
        pd.DataFrame({"Question": questions["id"].str.upper(), "Wording (paraphrased)": questions["text"]}),
        paths.tables / "survey_instrument.md",
        f"The programme evaluation survey: {survey_shape(questions['id'])}. Source: notebook 01_clean, from the cohort's survey instrument.",
        "tbl-survey-instrument",
    )


def survey_shape(question_ids: pd.Series) -> str:
    """"twelve open questions, the third in three parts", from the instrument's question IDs.

    Parameters
    ----------
    question_ids : Series of str
        IDs as in ``survey_instrument.yml``: ``q01``, ``q03a`` (a part of question 3).

    Returns
    -------
    str
    """
    from lehc_report.prose.words import join_words, number_word

    ordinals = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth",
                9: "ninth", 10: "tenth", 11: "eleventh", 12: "twelfth"}
    numbers = question_ids.str.extract(r"^q(\d+)", expand=False).astype(int)
    parts = numbers.value_counts(sort=False)
    text = f"{number_word(len(parts))} open questions"
    split = [f"the {ordinals.get(q, f'{q}th')} in {number_word(k)} parts" for q, k in parts.items() if k > 1]
    return text + (", " + join_words(split) if split else "")


def write_assumptions_table(paths: ProjectPaths, settings) -> None:
    """Write the methodology chapter's table of assumptions (``tables/assumptions.md``).

    Parameters
    ----------
    paths : ProjectPaths
    settings : AnalysisSettings
        The analysis settings (``analysis.yml``).
    """
    write_myst_table(settings.assumptions_table(), paths.tables / "assumptions.md",
                     "The analysis settings, each set once for the whole report. Source: notebook 01_clean.", "tbl-assumptions")
