"""Stage 4: "How robust are these findings?" for the book.

Reads the tidy ratings (stage 1 output), computes every robustness check
(:mod:`lehc_report.stats.robust_checks`), writes the results CSVs, Tables 5.1 to 5.3
(:mod:`lehc_report.render.robust_tables`) and three figures, and returns the chapter's
sentences (:mod:`lehc_report.prose.robust`) for the notebook to glue with
:data:`lehc_report.prose.robust.ROBUST_GLUE`.  Every unit is analysed on its own
available pairs, and no statistic is published for a unit with fewer pairs than
``min_group_size`` in ``privacy.yml``; the analytic choices come from ``analysis.yml``.
"""

from __future__ import annotations

from lehc_report import privacy
from lehc_report.inputs.cohort import load_cohort
from lehc_report.paths import ProjectPaths
from lehc_report.prose import robust as prose
from lehc_report.published.appendix3 import APPENDIX3_SIGNIFICANT
from lehc_report.render import figures
from lehc_report.render import robust_tables as tables
from lehc_report.render.outputs import write_myst_table, write_result_csv
from lehc_report.settings import load_analysis_settings
from lehc_report.stages.base import StageResult, framework_for, is_paired, read_linking, read_tidy_ratings
from lehc_report.stages.quant import published_cohort
from lehc_report.stats.robust_checks import RobustnessChecks, robustness_checks

FIGURES = ("figure_slopes.png", "figure_forest.png", "figure_qq.png")


def analyse_robustness(paths: ProjectPaths) -> StageResult:
    """Run the robustness stage: results CSVs, Tables 5.1-5.3, three figures and the chapter's glue.

    Parameters
    ----------
    paths : ProjectPaths
        Where the tidy ratings are read and the results, tables and figures written.

    Returns
    -------
    StageResult
        ``tables``: "areas", "multiplicity", "reliability" (display frames) and
        "behaviours" (every behaviour statistic); ``glue``: the chapter's sentences
        (keys of :data:`~lehc_report.prose.robust.ROBUST_GLUE`).  When too few
        participants have both ratings, placeholders and the withheld status instead.

    Raises
    ------
    InputError
        A settings, cohort or framework file breaks its contract (file and key named).
    """
    paths.ensure()
    framework = framework_for(paths)
    settings = load_analysis_settings(paths.root)
    k = privacy.load_settings(paths.root).min_group_size
    attended = load_cohort(paths.data).get("attended")
    compare = published_cohort(paths, framework)  # the one rule for comparing with 2013
    if not is_paired(read_linking(paths)):
        # Every check here is of paired changes; unlinked waves have none to check.
        return withheld_robustness(paths, None, len(framework.behaviour_ids), attended, status=prose.UNLINKED_NOTE)
    checks = robustness_checks(read_tidy_ratings(paths, framework), framework, min_n=k, alpha=settings.alpha,
                               confidence=settings.confidence, bayes_prior_scale=settings.bayes_prior_scale,
                               ceiling_offset=settings.ceiling_offset,
                               min_share_answered=settings.min_share_answered,
                               wilcoxon_exact_max_n=settings.wilcoxon_exact_max_n)
    if not checks.computed:
        return withheld_robustness(paths, checks, len(framework.behaviour_ids), attended)

    behaviours = checks.behaviours_table()
    write_result_csv(checks.areas_table().reset_index(), paths.results / "robustness_areas.csv")
    write_result_csv(behaviours.reset_index(), paths.results / "robustness_behaviours.csv")
    write_result_csv(checks.reliability, paths.results / "reliability_cronbach.csv")
    write_result_csv(checks.ceiling.reset_index(), paths.results / "ceiling_end_ratings.csv")

    names = framework.area_names()
    published = APPENDIX3_SIGNIFICANT.set_index("area_id")["n_significant"] if compare else None
    shown = {
        "areas": tables.areas_table(checks, names, settings.confidence, settings.bayes_prior_scale),
        "multiplicity": tables.multiplicity_table(checks, names, framework.area_ids, published),
        "reliability": tables.reliability_table(checks, names, framework.waves.set_index("wave")["wave_label"].to_dict(),
                                                settings.confidence),
    }
    for key, (table, caption) in shown.items():
        name, label = tables.TABLES[key]
        write_myst_table(table, paths.tables / name, caption, label)

    # Figures: only the areas with statistics.
    areas = checks.shown_areas
    before, after = checks.area_before[areas], checks.area_after[areas]
    analysed = [a for a in areas if checks.effects.loc[a, "mean_change"] == checks.effects.loc[a, "mean_change"]]
    figures.slope_figure(before, after, framework, paths.figures / FIGURES[0], max_participants=settings.per_participant_plot_max_n)
    figures.forest_figure(checks.item_effects, checks.corrections["pass_holm"], framework, paths.figures / FIGURES[1])
    figures.qq_figure((after - before)[analysed], framework, paths.figures / FIGURES[2])

    glue = prose.robust_glue(checks, names, settings, n_behaviours=len(framework.behaviour_ids),
                             scale=(framework.scale_min, framework.scale_max), compare=compare,
                             published_count=int(APPENDIX3_SIGNIFICANT["n_significant"].sum()), attended=attended)
    return StageResult(tables={**{key: table for key, (table, _) in shown.items()},
                               "behaviours": behaviours.reset_index()}, glue=glue)


def withheld_robustness(paths: ProjectPaths, checks: RobustnessChecks | None, n_behaviours: int, attended,
                        status: str | None = None) -> StageResult:
    """Too few pairs, or none, to publish statistics: placeholder tables and figures, and the withheld status.

    Parameters
    ----------
    paths : ProjectPaths
    checks : RobustnessChecks or None
        Checks that were not computed (only ``n``, ``min_n`` and the pairs per area);
        None for unlinked waves, which have no pairs at all.
    n_behaviours : int
        Behaviours in the framework.
    attended : int, str or None
        ``attended`` in ``cohort.yml``.
    status : str, optional
        Why the chapter is withheld, when it is not for too few pairs
        (:data:`~lehc_report.prose.robust.UNLINKED_NOTE`).

    Returns
    -------
    StageResult
        Placeholder tables; the glue has the status, counts and attendance, and
        :data:`~lehc_report.prose.robust.ROBUST_GLUE` supplies the withheld text of every other key.
    """
    if status is None:
        most = None if checks.n < checks.min_n else int(checks.area_n.max())
        status = prose.withheld_note(checks.n, checks.min_n, most)
    placeholder = tables.withheld_table()
    for name, label in tables.TABLES.values():
        write_myst_table(placeholder, paths.tables / name, f"{status} {tables.SOURCE}", label)
    for name in FIGURES:
        figures.placeholder_figure(paths.figures / name, "Withheld: too few participants")
    return StageResult(tables={key: placeholder for key in (*tables.TABLES, "behaviours")},
                       glue=prose.withheld_glue(status, checks.n if checks is not None else 0, n_behaviours, attended))
