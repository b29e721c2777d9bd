"""One function per notebook stage: read its inputs, compute, write its outputs.

Notebooks call these and only display and glue what they return, so every step
of the report is unit-tested here.  Stages read only the previous stage's outputs:
raw exports -> ``_build/tidy`` -> ``_build/results`` (+ figures, tables) -> book.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from lehc_report.inputs.cohort import check_attendance, framework_file, load_cohort
from lehc_report.inputs.framework import Framework, load_framework
from lehc_report.inputs.self_assessment import DataError, load_self_assessment, tidy_ratings_schema
from lehc_report.render.outputs import myst_table, write_myst_table, write_result_csv
from lehc_report.paths import ProjectPaths
from lehc_report.privacy import withheld_text
from lehc_report.published.appendix3 import APPENDIX3_AREAS, APPENDIX3_SIGNIFICANT, PUBLISHED_N_COMPLETE
from lehc_report.prose.rounding import format_half_up, format_p

from lehc_report.stages.base import StageResult, framework_for, read_tidy_ratings, survey_questions  # noqa: F401 (re-exported)
from lehc_report.prose.quant import area_gaps_text, change_narrative, number_word, p_text, sample_description


# --------------------------------------------------------------------------- stage 1
def clean_self_assessment(paths: ProjectPaths) -> StageResult:
    """Validate the raw exports and write the tidy ratings table."""
    paths.ensure()
    framework = framework_for(paths)
    tidy, log, participants = load_self_assessment(paths.data, framework)
    linking = tidy.attrs["linking"]
    # How the waves were linked, and the match counts, beside the tidy table (issue 13).
    (paths.tidy / "linking.json").write_text(json.dumps(linking, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if linking["by"] == "none":
        # Until the independent-samples report is wired in, stop rather than show a paired report of nobody.
        raise DataError(paths.data / "cohort.yml", "'linking: {by: none}' makes the waves independent samples, and this build has no "
                        "independent-samples report yet (lehc_report.stats.independent computes one), so it stops rather than "
                        "show paired results for nobody; link the waves by a code if the exports have one (data/README.md, "
                        "'Linking the waves')", column="linking.by")
    write_result_csv(tidy, paths.tidy / "self_assessment.csv")
    write_result_csv(log, paths.tidy / "cleaning_log.csv")
    if participants is not None:
        write_result_csv(participants, paths.tidy / "participants.csv")
    answered = tidy.dropna(subset=["score"])
    per_wave = answered.groupby("wave", sort=False)["participant_id"].nunique().reindex(framework.wave_ids).dropna().astype(int)
    waves = tidy["wave"].unique().tolist()
    result = StageResult(tables={"tidy": tidy, "log": log, "per_wave": per_wave.rename("participants").reset_index()})
    result.glue = {
        "n_ratings": str(len(tidy)),
        "n_missing_ratings": str(int(tidy["score"].isna().sum())),
        "n_waves": str(len(waves)),
        "n_log_entries": str(len(log)),
        "n_participants_any": str(tidy["participant_id"].nunique()),
    }
    for wave, n in per_wave.items():
        result.glue[f"n_participants_{wave}"] = str(n)
    result.glue["sample_text"] = sample_description(participants, tidy["participant_id"].unique())
    write_reference_tables(paths, framework)
    cohort = load_cohort(paths.data)
    check_attendance(paths.data, cohort, tidy["participant_id"].nunique())
    result.glue.update({"client": cohort["client"] or "not stated", "report_date": cohort["report_date"] or "not stated",
                        "programme": cohort["programme"]})
    result.glue.update(data_origin_text(cohort))
    return result


def data_origin_text(cohort: dict) -> dict[str, str]:
    """The notice on the home page and the data page: synthetic data say so plainly."""
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


def write_reference_tables(paths: ProjectPaths, framework: Framework) -> None:
    """The appendices' tables: the framework's behaviours and the survey questions."""
    import yaml

    # One snippet for all areas, so that a cohort with its own framework (other areas)
    # gets its own appendix without a chapter naming the areas.
    tables = []
    for area in framework.areas.itertuples():
        items = framework.behaviours[framework.behaviours["area_id"] == area.area_id]
        tagline = f": {area.tagline.lower()}" if area.tagline else ""
        tables.append(myst_table(
            pd.DataFrame({"ID": items["behaviour_id"], "Behaviour (short label)": items["label"]}),
            f"{area.area_name}{tagline} ({area.n_behaviours} behaviours). Source: notebook 01_clean, from framework.yml.",
            f"tbl-framework-{area.area_id.lower()}",
        ))
    (paths.tables / "framework.md").write_text("\n\n".join(tables), encoding="utf-8")
    questions = survey_questions(paths)
    write_myst_table(
        pd.DataFrame({"Question": questions["id"].str.upper(), "Wording (paraphrased)": questions["text"]}),
        paths.tables / "survey_instrument.md",
        "The programme evaluation survey: twelve open questions, the third in three parts. "
        "Source: notebook 01_clean, from survey_instrument.yml.",
        "tbl-survey-instrument",
    )


# --------------------------------------------------------------------------- stage 2
def analyse_self_assessment(paths: ProjectPaths) -> StageResult:
    """Appendix 3 reproduced: area table, behaviour tests, comparison, audit, Figure 1."""
    from lehc_report.published import audit  # heavy (scipy, seaborn): imported by the stages that use them
    from lehc_report.render import figures
    from lehc_report import privacy
    from lehc_report.stats import paired

    paths.ensure()
    framework = framework_for(paths)
    tidy = read_tidy_ratings(paths, framework)
    scores = paired.area_scores(tidy, framework)
    areas, excluded = paired.area_table(tidy, framework)
    behaviours = paired.behaviour_table(tidy, framework)
    settings = privacy.load_settings(paths.root)
    behaviours = withhold_small(behaviours, settings.min_group_size)
    counts = paired.significant_counts(behaviours, framework)
    is_published_cohort = published_cohort(paths, framework)
    comparison = paired.compare_with_published(areas, counts) if is_published_cohort else EMPTY_COMPARISON
    # The audit concerns the published table, so it uses the published n and
    # behaviours per area whatever cohort is being analysed.
    audit_table = audit.audit_published_table(PUBLISHED_N_COMPLETE, APPENDIX3_SIGNIFICANT.set_index("area_id")["n_behaviours"].to_dict())

    write_result_csv(scores, paths.results / "area_scores_by_participant.csv")
    write_result_csv(areas, paths.results / "area_tests.csv")
    write_result_csv(behaviours, paths.results / "behaviour_tests.csv")
    write_result_csv(counts, paths.results / "significant_behaviours.csv")
    write_result_csv(comparison, paths.results / "appendix3_comparison.csv")
    write_result_csv(audit_table, paths.results / "appendix3_audit.csv")
    write_result_csv(excluded, paths.results / "excluded_from_paired_tests.csv")

    display = appendix3_display(areas, counts, settings.min_group_size)
    write_myst_table(
        display,
        paths.tables / "appendix3.md",
        "Self-assessment scores by leadership area at the start and end of the programme, reproduced from the data "
        "(paired t-test, start minus end; values rounded half up as published). Source: notebook 02_quant.",
        "tbl-appendix3",
        right_aligned=tuple(display.columns[1:]),
    )
    compare_display = comparison_display(comparison, framework)
    if not is_published_cohort:
        compare_display = pd.DataFrame({"Comparison with the published table": [
            "not applicable: this cohort is not the 2013 cohort (set compare_with_published in cohort.yml to compare)"]})
    write_myst_table(
        compare_display,
        paths.tables / "appendix3_comparison.md",
        "Every cell of the published Appendix 3 beside the value reproduced from the data. Source: notebook 02_quant.",
        "tbl-appendix3-comparison",
    )
    fig_path = figures.area_means_figure(scores, framework, paths.figures / "figure1_area_means.png")
    follow_up_glue = follow_up_analysis(paths, tidy, scores, framework, settings.min_group_size)

    result = StageResult(
        tables={"areas": areas, "display": display, "behaviours": behaviours, "counts": counts,
                "behaviour_display": behaviour_display(behaviours, settings.min_group_size),
                "comparison": comparison, "audit": audit_table, "excluded": excluded, "compare_display": compare_display},
        figures={"figure1": fig_path},
    )
    result.glue = quant_glue(areas, behaviours, counts, comparison, audit_table, excluded, framework, settings.min_group_size)
    result.glue.update(follow_up_glue)
    result.glue.update(reproduction_sentences(result.glue, is_published_cohort))
    result.glue.update(change_narrative(areas, behaviours, int(areas["n"].max()), settings.min_group_size))
    result.glue["min_group_size"] = str(settings.min_group_size)
    result.glue["area_gaps_text"] = area_gaps_text(areas, int(areas["n"].max()))
    result.glue["scale_text"] = f"from {framework.scale_min} (low) to {framework.scale_max} (high)"
    if int(areas["n"].max()) < settings.min_group_size:
        # Too few complete pairs to publish statistics: every figure about the
        # cohort's ratings is withheld (the results CSVs stay internal).
        withheld = f"suppressed (n < {settings.min_group_size})"
        outcome = ("si_", "dt_", "fc_", "fo_", "n_behaviours_", "max_area", "areas_significant", "n_areas_significant")
        result.glue = {k: (withheld if k.startswith(outcome) else v) for k, v in result.glue.items()}
        write_myst_table(display.assign(**{c: withheld for c in display.columns[3:]}), paths.tables / "appendix3.md",
                         f"Self-assessment statistics withheld: fewer than {settings.min_group_size} participants completed both waves. "
                         "Source: notebook 02_quant.", "tbl-appendix3")
        figures.placeholder_figure(paths.figures / "figure1_area_means.png", "Withheld: too few participants")
    return result


#: An empty comparison, for cohorts that are not the 2013 one.
EMPTY_COMPARISON = pd.DataFrame(columns=["area_id", "statistic", "published", "reproduced", "value", "match"]).astype({"match": bool})


def published_cohort(paths: ProjectPaths, framework: Framework) -> bool:
    """Whether to set this cohort beside the published 2013 table (``compare_with_published``
    in cohort.yml), refused clearly when its framework is not the 2013 one."""
    if not bool(load_cohort(paths.data).get("compare_with_published", False)):
        return False
    published_areas = APPENDIX3_SIGNIFICANT.set_index("area_id")["n_behaviours"].to_dict()
    own = framework.areas.set_index("area_id")["n_behaviours"].to_dict()
    if own != published_areas:
        raise DataError(paths.data / "cohort.yml", "key 'compare_with_published' is true, but this cohort's framework has areas "
                        f"{own} where the 2013 table has {published_areas}; set it to false for a different framework")
    return True


def withhold_small(table: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """Blank every statistic of rows whose n is below the privacy threshold (the n
    stays; ``significant`` becomes missing: neither significant nor not)."""
    small = table["n"] < min_group_size
    if not small.any():
        return table
    table = table.copy()
    statistics = [c for c in ("mean_start", "sd_start", "mean_end", "sd_end", "mean_change", "sd_change", "t", "p") if c in table]
    table.loc[small, statistics] = float("nan")
    if "significant" in table:
        table["significant"] = table["significant"].astype("boolean").mask(small)
    return table


def reproduction_sentences(glue: dict[str, str], is_published_cohort: bool) -> dict[str, str]:
    """What the summary and the appendix say about matching the 2013 table."""
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


def follow_up_analysis(paths: ProjectPaths, tidy: pd.DataFrame, scores: pd.DataFrame, framework: Framework,
                       min_group_size: int = 0) -> dict[str, str]:
    """Start-to-follow-up comparison and an omnibus test over all waves, when a follow-up exists.

    Rows scored by fewer than ``min_group_size`` participants show no statistic."""
    from lehc_report.stats import paired  # heavy (scipy, pingouin): imported by the stages that use them

    snippet = paths.tables / "follow_up.md"
    if "follow_up" not in set(tidy["wave"]):
        snippet.write_text("This cohort has no follow-up self-assessment, so no comparison beyond the end of the course "
                           "is possible.\n", encoding="utf-8")
        return {"follow_up_present": "no"}
    later, excluded = paired.area_table(tidy, framework, "start", "follow_up")
    omnibus = paired.omnibus_over_waves(scores, framework)
    write_result_csv(later, paths.results / "area_tests_start_follow_up.csv")
    write_result_csv(omnibus, paths.results / "omnibus_over_waves.csv")
    withheld = withheld_text(min_group_size)

    def omnibus_cell(n, statistic, p):
        if n < min_group_size:
            return withheld
        return f"{format_half_up(statistic, 2)} ({format_p(p)})" if pd.notna(statistic) else "too few"

    show = pd.DataFrame({
        "Leadership area": later["area"], "n": later["n"].astype(int).astype(str),
        "Mean start": later["mean_start"].map(lambda v: format_half_up(v, 2)),
        "Mean follow-up": later["mean_end"].map(lambda v: format_half_up(v, 2)),
        "t (start − follow-up)": later["t"].map(lambda v: format_half_up(v, 3)),
        "p": later["p"].map(format_p),  # format_p prints "–" for an undefined test
        "n, all waves": omnibus["n"].astype(str).to_numpy(),
        "RM-ANOVA F (p)": [omnibus_cell(n, f, p) for n, f, p in zip(omnibus["n"], omnibus["F"], omnibus["p_anova"])],
        "Friedman Q (p)": [omnibus_cell(n, q, p) for n, q, p in zip(omnibus["n"], omnibus["friedman_q"], omnibus["p_friedman"])],
    })
    show.loc[(later["n"] < min_group_size).to_numpy(), ["Mean start", "Mean follow-up", "t (start − follow-up)", "p"]] = withheld
    n_all_waves = int(omnibus["n"].max())
    k_waves = len(set(tidy["wave"]))
    omnibus_text = (f"The omnibus tests use the {n_all_waves} participants with an area score at all {k_waves} waves."
                    if n_all_waves >= 3 else
                    f"Only {n_all_waves} participants have an area score at all {k_waves} waves, too few for the omnibus tests.")
    text = (f"A follow-up self-assessment exists. {int(later['n'].max())} participants rated themselves at the start and at follow-up "
            f"({len(excluded)} left out for lack of one of the two). {omnibus_text} Statistics are withheld for any area "
            f"with fewer than {min_group_size} participants.\n\n")
    write_myst_table(show, snippet, "Start compared with follow-up, and omnibus tests across all waves "
                     "(repeated-measures ANOVA and Friedman test). Source: notebook 02_quant.", "tbl-follow-up")
    snippet.write_text(text + snippet.read_text(encoding="utf-8"), encoding="utf-8")
    return {"follow_up_present": "yes"}


def appendix3_display(areas: pd.DataFrame, counts: pd.DataFrame, min_group_size: int = 0) -> pd.DataFrame:
    """The area table as printed: 2 dp means and SDs, 3 dp t and p, half up.

    An undefined test shows "–"; an area scored by fewer than ``min_group_size``
    participants shows no statistic at all."""
    show = pd.DataFrame({"Leadership area": areas["area"]})
    show["Behaviours"] = counts["n_behaviours"].astype(int).astype(str).to_numpy()
    show["p < .05"] = counts["n_significant"].astype(int).astype(str).to_numpy()
    show["n"] = areas["n"].astype(int).astype(str)
    for col, label in [("mean_start", "Mean start"), ("sd_start", "SD start"), ("mean_end", "Mean end"), ("sd_end", "SD end")]:
        show[label] = areas[col].map(lambda v: format_half_up(v, 2))
    show["t"] = areas["t"].map(lambda v: format_half_up(v, 3))
    show["df"] = areas["df"].map(lambda v: "–" if pd.isna(v) else str(int(v)))
    show["p"] = areas["p"].map(format_p)
    small = (areas["n"] < min_group_size).to_numpy()
    show.loc[small, show.columns[4:]] = withheld_text(min_group_size)
    show.loc[small, "p < .05"] = "withheld"
    return show


def behaviour_display(behaviours: pd.DataFrame, min_group_size: int) -> pd.DataFrame:
    """The per-behaviour tests as shown in notebook 2: formatted, with withheld and
    undefined tests said in words rather than left as NaN."""
    small = behaviours["n"] < min_group_size
    show = pd.DataFrame({
        "ID": behaviours["behaviour_id"], "Area": behaviours["area_id"], "n": behaviours["n"].astype(int).astype(str),
        "Mean start": behaviours["mean_start"].map(lambda v: format_half_up(v, 2)),
        "Mean end": behaviours["mean_end"].map(lambda v: format_half_up(v, 2)),
        "Change": behaviours["mean_change"].map(lambda v: format_half_up(v, 2)),
        "t": behaviours["t"].map(lambda v: format_half_up(v, 3)),
        "p": behaviours["p"].map(format_p),
        "p < .05": behaviours["significant"].map(lambda v: "yes" if (not pd.isna(v) and bool(v)) else "no"),
    })
    show.loc[small.to_numpy(), ["Mean start", "Mean end", "Change", "t", "p", "p < .05"]] = withheld_text(min_group_size)
    return show


def comparison_display(comparison: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    labels = {"mean_start": "Mean start", "sd_start": "SD start", "mean_end": "Mean end", "sd_end": "SD end",
              "t": "t", "df": "df", "p": "p", "n_significant": "Behaviours p < .05"}
    return pd.DataFrame(
        {
            "Area": comparison["area_id"].map(framework.area_names()),
            "Statistic": comparison["statistic"].map(labels),
            "Published": comparison["published"],
            "Reproduced": comparison["reproduced"],
            "Match": comparison["match"].map({True: "yes", False: "no"}),
        }
    )


def driving_transformation_arithmetic() -> dict[str, str]:
    """Why the published t = -6.256 for Driving Transformation cannot come from integer data."""
    from lehc_report.published import audit  # scipy: imported by the stages that use it

    published = APPENDIX3_AREAS.set_index("area_id").loc["DT"]
    n, k = PUBLISHED_N_COMPLETE, int(APPENDIX3_SIGNIFICANT.set_index("area_id").loc["DT", "n_behaviours"])
    totals_start = audit.totals_matching_mean(published["mean_start"], n, k)
    totals_end = audit.totals_matching_mean(published["mean_end"], n, k)
    near = audit.reachable_t_near(float(published["t"]), sorted({e - s for s in totals_start for e in totals_end}), n)
    near = near.sort_values("t")
    return {
        "dt_t_published": published["t"],
        "dt_total_start": ", ".join(map(str, totals_start)),
        "dt_total_end": ", ".join(map(str, totals_end)),
        "dt_total_change": ", ".join(str(int(d)) for d in near["total_change"].unique()),
        "dt_n_ratings": str(n * k),
        "dt_t_reachable_low": f"{near['t'].iloc[0]:.4f}",
        "dt_t_reachable_high": f"{near['t'].iloc[1]:.4f}",
        "dt_sumsq_low": str(int(near["sum_sq_changes"].iloc[0])),
        "dt_sumsq_high": str(int(near["sum_sq_changes"].iloc[1])),
        "dt_t_nearest": f"{near.loc[near['distance'].idxmin(), 't']:.4f}",
    }


def quant_glue(areas, behaviours, counts, comparison, audit_table, excluded, framework, min_group_size: int = 0) -> dict[str, str]:
    from lehc_report.published import audit

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
            for stat in ("mean_start", "mean_end", "sd_start", "sd_end", "change", "t", "df", "p", "p_text"):
                glue[f"{key}_{stat}"] = withheld_text(min_group_size)
    for row in counts.itertuples():
        key = row.area_id.lower()
        glue[f"{key}_n_sig"] = str(int(row.n_significant))
        glue[f"{key}_n_behaviours"] = str(int(row.n_behaviours))
    n_sig_areas = int((areas["p"] < 0.05).sum())
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
        f"{framework.area_names()[r.area_id]} {r.statistic} (published {r.published}, reproduced {r.reproduced})" for r in mismatched.itertuples()
    ) or "none"
    # The Driving Transformation t: the arithmetic behind "not reproducible".
    glue.update(driving_transformation_arithmetic())
    glue["n_audit_unreachable"] = str(int((~audit_table["reachable"]).sum()))
    glue["n_audit_cells"] = str(len(audit_table))
    # The published tie: the only grand total that prints as 7.63 gives exactly 7.625.
    published_fo = APPENDIX3_AREAS.set_index("area_id").loc["FO", "mean_end"]
    n_fo = int(APPENDIX3_SIGNIFICANT.set_index("area_id").loc["FO", "n_behaviours"]) * PUBLISHED_N_COMPLETE
    exact = [total / n_fo for total in audit.totals_matching_mean(published_fo, PUBLISHED_N_COMPLETE, n_fo // PUBLISHED_N_COMPLETE)]
    glue["fo_published_end"] = published_fo
    glue["fo_mean_end_exact"] = " or ".join(f"{v:.6f}".rstrip("0") for v in exact)
    glue["fo_mean_end_half_even"] = " or ".join(f"{v:.2f}" for v in exact)
    return glue
