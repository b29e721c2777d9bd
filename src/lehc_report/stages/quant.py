"""Stage 2 (notebook 02_quant): the self-assessment analysis, Appendix 3 reproduced.

Reads the tidy ratings written by stage 1 (:mod:`lehc_report.stages.clean`), tests the
change per area and per behaviour, sets the result beside the published 2013 table
where the cohort asks for it, audits that table, and writes the results, the table
snippets and Figure 1.  Statistics are in :mod:`lehc_report.stats.paired`, sentences in
:mod:`lehc_report.prose.quant`, tables in :mod:`lehc_report.render.quant_tables` and
what belongs to the 2013 report in :mod:`lehc_report.published`.
"""

from __future__ import annotations

import pandas as pd

from lehc_report.inputs.cohort import load_cohort
from lehc_report.inputs.framework import Framework
from lehc_report.inputs.self_assessment import DataError
from lehc_report.paths import ProjectPaths
from lehc_report.prose import quant as prose
from lehc_report.published.appendix3 import PUBLISHED_ALPHA, PUBLISHED_N_COMPLETE
from lehc_report.published.comparison import compare_with_published
from lehc_report.render import quant_tables
from lehc_report.render.outputs import myst_table, write_myst_table, write_result_csv
from lehc_report.settings import load_analysis_settings
from lehc_report.stages.base import StageResult, framework_for, is_paired, read_linking, read_tidy_ratings, write_content_flags
from lehc_report.stages.clean import clean_self_assessment  # noqa: F401 (stage 1, re-exported for callers of this module)

#: An empty comparison, for cohorts that are not the 2013 one.
EMPTY_COMPARISON = pd.DataFrame(columns=["area_id", "statistic", "published", "reproduced", "value", "match"]).astype({"match": bool})


def analyse_self_assessment(paths: ProjectPaths) -> StageResult:
    """Appendix 3 reproduced: area table, behaviour tests, comparison, audit, Figure 1.

    Parameters
    ----------
    paths : ProjectPaths
        The project (``analysis.yml``, ``privacy.yml``) and the build (``tidy/`` from stage 1).

    Returns
    -------
    StageResult
        ``tables``: ``areas``, ``display``, ``behaviours``, ``counts``, ``behaviour_display``,
        ``comparison``, ``audit``, ``excluded``, ``compare_display``; ``figures``:
        ``figure1``; ``glue``: the keys of :data:`lehc_report.prose.quant.QUANT_GLUE`.

        For unlinked waves (``linking: {by: none}``, read from stage 1's
        ``tidy/linking.json``) the independent-samples report instead
        (:func:`analyse_independent`).

    Raises
    ------
    DataError
        ``compare_with_published`` is set for a framework other than the 2013 one.
    InputError
        ``analysis.yml`` or ``privacy.yml`` is invalid.
    """
    from lehc_report import privacy
    from lehc_report.published import audit  # heavy (scipy, seaborn): imported by the stages that use them
    from lehc_report.render import figures
    from lehc_report.stats import paired

    paths.ensure()
    framework = framework_for(paths)
    settings = load_analysis_settings(paths.root)
    alpha, min_group_size = settings.alpha, privacy.load_settings(paths.root).min_group_size
    tidy = read_tidy_ratings(paths, framework)
    linking = read_linking(paths)
    if not is_paired(linking):
        return analyse_independent(paths, tidy, framework, linking)
    scores = paired.area_scores(tidy, framework, settings.min_share_answered)
    areas, excluded = paired.area_table(tidy, framework, settings.min_share_answered, scores=scores)
    behaviours = quant_tables.withhold_small(paired.behaviour_table(tidy, framework, alpha), min_group_size)
    counts = paired.significant_counts(behaviours, framework)
    is_published_cohort = published_cohort(paths, framework)
    comparison = EMPTY_COMPARISON
    if is_published_cohort:
        # The published counts are at the 2013 level, so they are compared with counts at that level.
        published_counts = counts if alpha == PUBLISHED_ALPHA else paired.significant_counts(
            quant_tables.withhold_small(paired.behaviour_table(tidy, framework, PUBLISHED_ALPHA), min_group_size), framework)
        comparison = compare_with_published(areas, published_counts)
    # The audit concerns the published table, so it uses the published n and
    # behaviours per area whatever cohort is being analysed.
    audit_table = audit.audit_published_table(PUBLISHED_N_COMPLETE, audit.published_behaviours_per_area())

    for table, name in ((scores, "area_scores_by_participant"), (areas, "area_tests"), (behaviours, "behaviour_tests"),
                        (counts, "significant_behaviours"), (comparison, "appendix3_comparison"),
                        (audit_table, "appendix3_audit"), (excluded, "excluded_from_paired_tests")):
        write_result_csv(table, paths.results / f"{name}.csv")

    display = quant_tables.appendix3_display(areas, counts, min_group_size, alpha)
    write_myst_table(
        display, paths.tables / "appendix3.md", prose.appendix3_caption(areas["p"]),
        "tbl-appendix3", right_aligned=tuple(display.columns[1:]),
    )
    compare_display = quant_tables.comparison_display(comparison, framework, PUBLISHED_ALPHA)
    if not is_published_cohort:
        compare_display = pd.DataFrame({"Comparison with the published table": [prose.NOT_COMPARED_CELL]})
    write_myst_table(
        compare_display, paths.tables / "appendix3_comparison.md",
        "Every cell of the published Appendix 3 beside the value reproduced from the data. Source: notebook 02_quant.",
        "tbl-appendix3-comparison",
    )
    fig_path = figures.area_means_figure(scores, framework, paths.figures / "figure1_area_means.png")

    result = StageResult(
        tables={"areas": areas, "display": display, "behaviours": behaviours, "counts": counts,
                "behaviour_display": quant_tables.behaviour_display(behaviours, min_group_size, alpha),
                "comparison": comparison, "audit": audit_table, "excluded": excluded, "compare_display": compare_display},
        figures={"figure1": fig_path},
    )
    n_complete = int(areas["n"].max())
    glue = prose.results_glue(areas, behaviours, counts, comparison, excluded, framework, min_group_size, alpha)
    # The published table's own arithmetic: the Driving Transformation t and the 7.63 tie.
    glue.update(audit.driving_transformation_arithmetic())
    glue["n_audit_unreachable"] = str(int((~audit_table["reachable"]).sum()))
    glue["n_audit_cells"] = str(len(audit_table))
    glue["audit_fails_text"] = prose.audit_fails_text(int((~audit_table["reachable"]).sum()))
    glue.update(audit.published_tie())
    glue["published_significance_text"] = prose.significance_label(PUBLISHED_ALPHA)
    glue.update(follow_up_analysis(paths, tidy, scores, framework, min_group_size, settings.min_share_answered,
                                   alpha=alpha))
    glue.update(prose.reproduction_sentences(glue, is_published_cohort))
    glue.update(prose.change_narrative(areas, behaviours, n_complete, min_group_size, alpha))
    glue["min_group_size"] = str(min_group_size)
    glue["area_gaps_text"] = prose.area_gaps_text(areas, n_complete, settings.min_share_answered)
    glue["scale_text"] = scale_text(framework)
    glue["linking_text"] = prose.linking_text(linking, framework.wave_ids)
    if n_complete < min_group_size:
        # Too few complete pairs to publish statistics: every figure about the
        # cohort's ratings is withheld (the results CSVs stay internal).
        glue = prose.withheld_outcomes(glue, framework.area_ids, min_group_size)
        write_myst_table(display.assign(**{c: f"suppressed (n < {min_group_size})" for c in display.columns[3:]}),
                         paths.tables / "appendix3.md",
                         f"Self-assessment statistics withheld: fewer than {min_group_size} participants completed both waves. "
                         "Source: notebook 02_quant.", "tbl-appendix3")
        figures.placeholder_figure(paths.figures / "figure1_area_means.png", "Withheld: too few participants")
    result.glue = glue
    return result


def scale_text(framework: Framework) -> str:
    """"from 1 (low) to 10 (high)": the rating scale as the chapters name it.

    Parameters
    ----------
    framework : Framework

    Returns
    -------
    str
    """
    return f"from {framework.scale_min} (low) to {framework.scale_max} (high)"


def analyse_independent(paths: ProjectPaths, tidy: pd.DataFrame, framework: Framework, linking: dict) -> StageResult:
    """The unlinked waves compared as independent samples, in place of the paired analysis.

    Writes ``results/independent_area_tests.csv``, ``tables/independent_areas.md`` and
    Figure 1 (each wave's area means, which need no pairs); no paired result, Appendix 3
    comparison or behaviour test is written, and the chapters show their unlinked
    passages (flag ``paired`` false, written by stage 1).

    Parameters
    ----------
    paths : ProjectPaths
    tidy : DataFrame
        The tidy ratings (one row per response, wave and behaviour; ``participant_id``
        identifies a response within its wave only).
    framework : Framework
    linking : dict
        ``tidy/linking.json`` (``by: none``; ``people`` per wave).

    Returns
    -------
    StageResult
        ``tables``: ``independent`` (the statistics), ``display`` (as printed),
        ``compare_display`` and ``behaviour_display`` (one cell saying why there are none),
        ``audit`` (the published table's audit, which needs no data); ``figures``:
        ``figure1``; ``glue``: every key of :data:`lehc_report.prose.quant.QUANT_GLUE`.

    Notes
    -----
    Welch's t-test, the Brunner-Munzel test and Hedges' g
    (:mod:`lehc_report.stats.independent`, where their sources are given).
    """
    from lehc_report import privacy
    from lehc_report.published import audit
    from lehc_report.render import figures
    from lehc_report.stats.independent import independent_area_table
    from lehc_report.stats.paired import area_scores

    settings = load_analysis_settings(paths.root)
    min_group_size = privacy.load_settings(paths.root).min_group_size
    table = independent_area_table(tidy, framework, settings.min_share_answered, confidence=settings.confidence)
    write_result_csv(table, paths.results / "independent_area_tests.csv")
    display = quant_tables.independent_display(table, min_group_size, settings.confidence)
    write_myst_table(
        display, paths.tables / "independent_areas.md",
        "Self-assessment scores by leadership area at the start and at the end, compared as independent samples: the "
        "waves are not linked, so the two columns may hold different people (Welch's t-test, end minus start; "
        "Brunner-Munzel test; Hedges' g). Source: notebook 02_quant.", "tbl-independent-areas",
        right_aligned=tuple(display.columns[1:]),
    )
    scores = area_scores(tidy, framework, settings.min_share_answered)
    fig_path = paths.figures / "figure1_area_means.png"
    if int(min(table["n_before"].min(), table["n_after"].min())) < min_group_size:
        figures.placeholder_figure(fig_path, "Withheld: too few participants")
    else:
        figures.area_means_figure(scores, framework, fig_path)
    audit_table = audit.audit_published_table(PUBLISHED_N_COMPLETE, audit.published_behaviours_per_area())
    not_linked = pd.DataFrame({"Paired results": [prose.NOT_LINKED]})

    # No "After the course" section: the start-to-follow-up comparison needs linked waves.
    write_content_flags(paths, follow_up=False)
    glue = prose.independent_glue(table, linking, framework.wave_ids, min_group_size, settings.alpha, settings.confidence)
    glue.update(audit.driving_transformation_arithmetic())
    glue.update(audit.published_tie())
    glue.update({
        "n_audit_unreachable": str(int((~audit_table["reachable"]).sum())), "n_audit_cells": str(len(audit_table)),
        "audit_fails_text": prose.audit_fails_text(int((~audit_table["reachable"]).sum())),
        "n_behaviours": str(len(framework.behaviour_ids)), "significance_text": prose.significance_label(settings.alpha),
        "published_significance_text": prose.significance_label(PUBLISHED_ALPHA), "min_group_size": str(min_group_size),
        "scale_text": scale_text(framework), "follow_up_present": "yes" if "follow_up" in set(tidy["wave"].unique()) else "no",
        "follow_up_summary": "",  # whether a change lasted needs the same people at every wave
        "follow_up_note": "",
        "reproduction_summary": prose.UNLINKED_REPRODUCTION, "comparison_sentence": prose.UNLINKED_REPRODUCTION,
    })
    return StageResult(tables={"independent": table, "display": display, "compare_display": not_linked,
                               "behaviour_display": not_linked, "audit": audit_table},
                       figures={"figure1": fig_path}, glue=glue)


def published_cohort(paths: ProjectPaths, framework: Framework) -> bool:
    """Whether to set this cohort beside the published 2013 table.

    Parameters
    ----------
    paths : ProjectPaths
        ``cohort.yml`` in the data folder says so with ``compare_with_published``.
    framework : Framework
        The cohort's framework, which must have the 2013 areas to be compared.

    Returns
    -------
    bool

    Raises
    ------
    DataError
        ``compare_with_published`` is true but the framework's areas differ from the 2013 table's.
    """
    from lehc_report.published.audit import published_behaviours_per_area

    if not bool(load_cohort(paths.data).get("compare_with_published", False)):
        return False
    published_areas = published_behaviours_per_area()
    own = framework.areas.set_index("area_id")["n_behaviours"].to_dict()
    if own != published_areas:
        raise DataError(paths.data / "cohort.yml", "key 'compare_with_published' is true, but this cohort's framework has areas "
                        f"{own} where the 2013 table has {published_areas}; set it to false for a different framework")
    return True


def follow_up_analysis(paths: ProjectPaths, tidy: pd.DataFrame, scores: pd.DataFrame, framework: Framework,
                       min_group_size: int, min_share_answered: float, *, alpha: float = 0.05) -> dict[str, str]:
    """Start and end compared with follow-up, and omnibus tests over all waves, when a follow-up exists.

    Writes ``tables/follow_up.md`` (a sentence when there is no follow-up wave) and, with
    a follow-up, ``area_tests_start_follow_up.csv``, ``area_tests_end_follow_up.csv`` (did
    the change last?) and ``omnibus_over_waves.csv`` (with Mauchly's test and the
    Greenhouse-Geisser correction).

    Parameters
    ----------
    paths : ProjectPaths
    tidy : DataFrame
        The tidy ratings (one row per participant, wave and behaviour).
    scores : DataFrame
        Area scores per participant and wave (:func:`lehc_report.stats.paired.area_scores`).
    framework : Framework
    min_group_size : int
        The privacy threshold: rows with fewer participants show no statistic.
    min_share_answered : float
        The share of an area's behaviours a score needs answered.
    alpha : float
        The significance level (``analysis.yml``).

    Returns
    -------
    dict
        ``follow_up_present`` ("yes" | "no") and ``follow_up_summary`` (a sentence on whether
        the change lasted for the summary and the conclusions; empty without a follow-up).
    """
    from lehc_report.stats import paired  # heavy (scipy, pingouin): imported by the stages that use them

    snippet = paths.tables / "follow_up.md"
    waves = set(tidy["wave"].unique())  # the distinct waves: a set of 1.1 million cells took seconds
    # A chapter can leave out its follow-up heading (<!-- if: follow_up -->) rather than head one "no follow-up" sentence.
    write_content_flags(paths, follow_up="follow_up" in waves)
    if "follow_up" not in waves:
        snippet.write_text(prose.NO_FOLLOW_UP_TEXT, encoding="utf-8")
        return {"follow_up_present": "no", "follow_up_summary": "", "follow_up_note": prose.NO_FOLLOW_UP_NOTE}
    later, excluded = paired.area_table(tidy, framework, min_share_answered, "start", "follow_up", scores=scores)
    lasting, _ = paired.area_table(tidy, framework, min_share_answered, "end", "follow_up", scores=scores)
    omnibus = paired.omnibus_over_waves(scores, framework)
    write_result_csv(later, paths.results / "area_tests_start_follow_up.csv")
    write_result_csv(lasting, paths.results / "area_tests_end_follow_up.csv")
    write_result_csv(omnibus, paths.results / "omnibus_over_waves.csv")
    text = prose.follow_up_text(int(later["n"].max()), len(excluded), int(omnibus["n"].max()), len(waves),
                                min_group_size)
    text += prose.follow_up_lasting_text(lasting, omnibus, min_group_size, alpha)
    table = myst_table(quant_tables.follow_up_display(later, omnibus, min_group_size, lasting),
                       "Start and end of the course compared with follow-up (paired t-tests), and omnibus tests across "
                       "all waves (repeated-measures ANOVA, uncorrected and with the Greenhouse–Geisser correction ε; "
                       "Friedman test). Source: notebook 02_quant.", "tbl-follow-up")
    snippet.write_text(text + table, encoding="utf-8")
    return {"follow_up_present": "yes", "follow_up_summary": prose.follow_up_summary(lasting, min_group_size, alpha),
            "follow_up_note": ""}
