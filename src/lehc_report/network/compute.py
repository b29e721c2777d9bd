"""Every cohort's effects, computed by the pipeline's own stages, and their pooling.

For each cohort of a network file this module runs the cleaning stage's validation
(:func:`lehc_report.inputs.self_assessment.load_self_assessment`, as
:func:`lehc_report.stages.quant.clean_self_assessment` does, writing the tidy table
and cleaning log into the cohort's build folder ``<build>/network/cohorts/<id>/tidy``),
then the same paired statistics the cohort's own
report uses (:func:`lehc_report.stats.paired.area_scores`,
:func:`lehc_report.stats.paired.paired_wide`,
:func:`lehc_report.stats.robustness.paired_effect_sizes` on each area's available
pairs), for two comparisons: ``start_to_end`` and, where the cohort has a follow-up
wave, ``end_to_follow_up``.  No notebook runs, so hundreds of cohorts take minutes.

Where cohorts share a codebook (the same themes and codes, judged by content:
:func:`codebook_identity`), each theme's share of the cohort's respondents is set side by
side (:func:`theme_shares`), with small cells withheld by the project's one disclosure
rule (:func:`lehc_report.disclosure.disclosed_crossing`).

Privacy: a cohort with fewer participants who rated themselves at both the start and
the end than ``min_group_size`` (``privacy.yml``) is left out of every outcome table
and of the pooling; so is any single area and comparison with fewer pairs.  The
report says so in a sentence.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from lehc_report.network.config import Cohort, Network, NetworkError
from lehc_report.paths import ProjectPaths, claim_build_folder

__all__ = [
    "COMPARISONS",
    "CohortOutcome",
    "NetworkResults",
    "codebook_identity",
    "cohort_outcome",
    "cohort_theme_counts",
    "compute_network",
    "pool",
    "meta_regressions",
    "theme_shares",
    "write_results",
]

#: Comparison id -> (earlier wave, later wave, words for the report).
COMPARISONS = {
    "start_to_end": ("start", "end", "from the start to the end of the course"),
    "end_to_follow_up": ("end", "follow_up", "from the end of the course to the follow-up"),
}
#: Pooled measures: the standardised mean change and the raw mean change (rating points).
MEASURES = {"d_z": ("d_z", "var_d_z"), "mean_change": ("mean_change", "var_mean_change")}
EFFECT_COLUMNS = ["cohort", "area", "comparison", "n", "d_z", "var_d_z", "mean_change", "var_mean_change"]
POOLED_COLUMNS = ["area", "comparison", "measure", "k", "estimate", "ci_low", "ci_high", "tau2", "i2", "q", "q_p",
                  "pi_low", "pi_high", "tau2_dl"]
THEME_SHARE_COLUMNS = ["codebook", "cohort", "theme", "n", "count", "share", "suppressed"]
#: Meta-regression needs at least this many cohorts (issue 16).
MIN_COHORTS_META_REGRESSION = 5


@dataclass
class CohortOutcome:
    """One cohort's results, before privacy rules decide what may be shown.

    Attributes
    ----------
    cohort : Cohort
        As the network file gives it (``data`` absolute).
    effects : DataFrame
        One row per area and comparison: ``area, comparison, n, mean_change, sd_change,
        ci_low, ci_high, t, p, d_z, d_z_ci_low, d_z_ci_high, var_d_z, var_mean_change``
        (mean change in rating points, ``after - before``; p of the paired t-test;
        d_z with its exact noncentral-t interval; sampling variances as
        :mod:`lehc_report.stats.meta_analysis` defines them).
    n_complete : int
        Participants with an area score at both the start and the end (largest over areas).
    has_follow_up : bool
        Whether the cohort has a follow-up wave.
    linked : bool
        Whether its waves are linked by participant (see :func:`waves_linked`).
    framework_key : tuple
        Areas with their behaviours, waves and scale: what must match to pool.
    area_names : dict
        Area id -> name.
    codebook : str or None
        :func:`codebook_identity` of the cohort's codebook; None without qualitative data.
    themes : DataFrame or None
        :func:`cohort_theme_counts`: ``theme, name, count, n`` in codebook order; None
        without qualitative data or when nothing is coded yet.
    """

    cohort: Cohort
    effects: pd.DataFrame
    n_complete: int
    has_follow_up: bool
    linked: bool
    framework_key: tuple
    area_names: dict[str, str]
    codebook: str | None = None
    themes: pd.DataFrame | None = None


@dataclass
class NetworkResults:
    """What the network report shows and the results CSVs hold.

    Attributes
    ----------
    network : Network
    outcomes : list of CohortOutcome
        Every cohort, in network-file order.
    min_group_size : int
        The small-cell threshold from ``privacy.yml``.
    confidence : float
        Level of every interval (``analysis.yml``).
    cohort_effects : DataFrame
        ``cohort_effects.csv``: rows that may be shown and pooled (:data:`EFFECT_COLUMNS`).
    shown_effects : DataFrame
        The same rows with every column of :attr:`CohortOutcome.effects` plus ``label``,
        ``year``, ``region``: the report's cohort table and forest plots.
    independent_effects : DataFrame
        Cohorts with unlinked waves: ``cohort, area, comparison, n, n_before, n_after,
        mean_change, p, hedges_g, g_low, g_high, label, year, region`` (shown, never pooled).
    pooled : DataFrame
        ``pooled.csv`` (:data:`POOLED_COLUMNS`).
    regressions : DataFrame
        Meta-regressions on year and on region (see :func:`meta_regressions`).
    left_out : dict
        Why cohorts (or cohort rows) were left out: ``small`` (cohort ids),
        ``small_rows`` (id, area, comparison, n), ``unlinked`` (ids), ``undefined``
        (id, area, comparison).
    theme_shares : DataFrame
        ``theme_shares.csv`` (:func:`theme_shares`): cohorts that share a codebook.
    theme_names : dict
        Codebook identity -> theme id -> theme name (for the report's tables).
    own_codebook : list of str
        Cohorts with coded qualitative data whose codebook no other shown cohort shares.
    """

    network: Network
    outcomes: list[CohortOutcome]
    min_group_size: int
    confidence: float
    cohort_effects: pd.DataFrame
    shown_effects: pd.DataFrame
    independent_effects: pd.DataFrame
    pooled: pd.DataFrame
    regressions: pd.DataFrame
    left_out: dict = field(default_factory=dict)
    area_names: dict[str, str] = field(default_factory=dict)
    theme_shares: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=THEME_SHARE_COLUMNS))
    theme_names: dict[str, dict[str, str]] = field(default_factory=dict)
    own_codebook: list[str] = field(default_factory=list)


def cohort_paths(root: Path, build: Path, cohort: Cohort) -> ProjectPaths:
    """The cohort's :class:`ProjectPaths`: its data folder and ``<build>/network/cohorts/<id>/``.

    Parameters
    ----------
    root : Path
        The project.
    build : Path
        The build folder (``BUILD``).
    cohort : Cohort
        With ``data`` absolute.

    Returns
    -------
    ProjectPaths
    """
    return ProjectPaths(root=Path(root), data=Path(cohort.data), build=Path(build) / "network" / "cohorts" / cohort.id)


def waves_linked(paths: ProjectPaths) -> bool:
    """Whether the cohort's waves are linked person to person.

    Parameters
    ----------
    paths : ProjectPaths

    Returns
    -------
    bool
        False when ``cohort.yml`` declares ``linking: {by: none}`` (the waves are then
        independent samples, data/README.md "Linking the waves"); True otherwise.

    Raises
    ------
    DataError
        A bad ``linking`` key (as :func:`lehc_report.inputs.cohort.load_linking` refuses it).
    """
    from lehc_report.inputs.cohort import load_linking

    return load_linking(paths.data).by != "none"


@lru_cache(maxsize=8)
def _framework_cached(path: str, modified: int):
    from lehc_report.inputs.framework import load_framework

    return load_framework(Path(path))


def _framework(path: Path):
    """The framework in ``path``, read once per run (most cohorts share the project's)."""
    return _framework_cached(str(path), Path(path).stat().st_mtime_ns)


def _framework_key(framework) -> tuple:
    areas = tuple((row.area_id, row.area_name) for row in framework.areas.itertuples())
    behaviours = tuple(framework.behaviours[["behaviour_id", "area_id"]].itertuples(index=False, name=None))
    return areas, behaviours, (framework.scale_min, framework.scale_max)


def codebook_identity(codebook) -> str:
    """A codebook's identity by content: the same themes and codes give the same identity.

    Parameters
    ----------
    codebook : lehc_report.inputs.codebook.Codebook
        ``themes`` (theme_id, name, definition) and ``codes`` (code_id, theme_id, name,
        definition, use_when, not_when), in codebook order.

    Returns
    -------
    str
        The first 12 hex digits of the SHA-256 of the themes and codes as canonical JSON:
        comments, key order and layout of ``codebook.yml`` (or a REFI-QDA project's
        codebook read into the same tables) do not change it; any id, name, definition
        or order does, since then the themes may not count the same things.
    """
    import hashlib
    import json

    canonical = json.dumps({"themes": codebook.themes.astype(str).to_dict("split")["data"],
                            "codes": codebook.codes.astype(str).to_dict("split")["data"]},
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def cohort_theme_counts(data_dir: Path, coder: str = "A") -> tuple[str | None, pd.DataFrame | None]:
    """The cohort's codebook identity and, per theme, the respondents who raised it.

    Parameters
    ----------
    data_dir : Path
        The cohort's data folder (qualitative files or one ``.qdpx``, data/README.md).
    coder : str
        The analysis coder (``analysis_coder`` in ``analysis.yml``).

    Returns
    -------
    tuple
        ``(codebook, themes)``: :func:`codebook_identity` (None without qualitative data)
        and a DataFrame ``theme, name, count, n`` in codebook order (``count``: distinct
        respondents with at least one coding of the theme; ``n``: respondents in the
        register), None without qualitative data or when nothing is coded yet.

    Raises
    ------
    QualitativeDataError
        A qualitative file breaks the contract (as the cohort's own report refuses it).

    Notes
    -----
    The counts are those of the cohort's own theme table
    (:func:`lehc_report.stats.tally.theme_tally`, overall row): respondents, not segments.
    """
    from lehc_report.inputs.qdpx_import import find_project
    from lehc_report.inputs.qualitative import RESPONDENTS_FILE, load_qualitative
    from lehc_report.stats.tally import theme_tally

    data_dir = Path(data_dir)
    if not (data_dir / RESPONDENTS_FILE).exists() and find_project(data_dir) is None:
        return None, None
    data = load_qualitative(data_dir)
    identity = codebook_identity(data.codebook)
    if not data.coded:
        return identity, None
    tally = theme_tally(data, coder=coder)
    overall = tally[(tally["level"] == "theme") & (tally["breakdown"] == "overall")]
    return identity, pd.DataFrame({"theme": overall["id"].to_numpy(), "name": overall["name"].to_numpy(),
                                   "count": overall["count"].astype(int).to_numpy(),
                                   "n": overall["n"].astype(int).to_numpy()})


def theme_shares(outcomes: list[CohortOutcome], exclude: set[str] | frozenset[str], settings) -> tuple[pd.DataFrame, list[str]]:
    """Each theme's share of respondents by cohort, where cohorts share a codebook.

    Parameters
    ----------
    outcomes : list of CohortOutcome
        With ``codebook`` and ``themes`` (:func:`cohort_theme_counts`).
    exclude : set of str
        Cohort ids left out of every table that shows an outcome (below the small-cell
        threshold).
    settings : lehc_report.privacy.PrivacySettings
        ``min_group_size``.

    Returns
    -------
    tuple
        ``(shares, own)``.  ``shares``: :data:`THEME_SHARE_COLUMNS`, one row per cohort
        and theme of every codebook that at least two shown cohorts share (in network
        order, themes in codebook order): ``n`` the cohort's respondents, ``count`` those
        who raised the theme, ``share`` = count / n; ``count`` and ``share`` blank (and
        ``suppressed`` saying why) where the disclosure rule withholds them.  ``own``:
        ids of shown cohorts with coded data whose codebook no other shown cohort has.

    Notes
    -----
    The cohort's respondents raising a theme are a group crossed with an outcome: the
    count is withheld when fewer than ``min_group_size`` raised it or fewer did not
    (:func:`lehc_report.disclosure.disclosed_crossing`, with the cohort as the one
    group, since no total across cohorts is printed that a withheld cell could be worked
    out from).  So a cohort of fewer than ``min_group_size`` respondents shows nothing.
    """
    from lehc_report.disclosure import disclosed_crossing

    coded = [o for o in outcomes if o.cohort.id not in exclude and o.themes is not None]
    members: dict[str, list[CohortOutcome]] = {}
    for outcome in coded:
        members.setdefault(outcome.codebook, []).append(outcome)
    rows, own = [], []
    k = settings.min_group_size
    for codebook, group in members.items():
        if len(group) < 2:
            own += [o.cohort.id for o in group]
            continue
        for outcome in group:
            for theme in outcome.themes.itertuples():
                n, count = int(theme.n), int(theme.count)
                shown = disclosed_crossing({"cohort": count}, {"cohort": n}, settings)["cohort"]
                rows.append({"codebook": codebook, "cohort": outcome.cohort.id, "theme": theme.theme, "n": n,
                             "count": shown, "share": (shown / n) if shown is not None and n > 0 else None,
                             "suppressed": "" if shown is not None else
                             (f"n < {k}" if n < k else f"fewer than {k} of the cohort's respondents raised it or did not")})
    table = pd.DataFrame(rows, columns=THEME_SHARE_COLUMNS)
    table["count"] = table["count"].astype("Int64")
    table["share"] = table["share"].astype("Float64")
    return table, own


def cohort_outcome(cohort: Cohort, root: Path, build: Path, confidence: float = 0.95,
                   min_share_answered: float = 0.5, coder: str = "A") -> CohortOutcome:
    """Read and validate one cohort's exports and compute its area effects for every comparison.

    Parameters
    ----------
    cohort : Cohort
        With ``data`` an absolute folder (as :func:`load_network` returns it).
    root : Path
        The project (for its framework).
    build : Path
        The build folder; the cohort's tidy table goes to ``<build>/network/cohorts/<id>/tidy``.
    confidence : float
        Level of the mean-change, d_z and Hedges' g intervals (``analysis.yml``).
    min_share_answered : float
        Share of an area's behaviours a participant must answer for an area score (``analysis.yml``).
    coder : str
        The analysis coder of the qualitative data (``analysis_coder`` in ``analysis.yml``).

    Returns
    -------
    CohortOutcome
        With ``codebook`` and ``themes`` from :func:`cohort_theme_counts`.  Linked waves: paired effects (see :attr:`CohortOutcome.effects`).  Unlinked waves
        (``linking: {by: none}``): per area and comparison ``n_before, n_after,
        mean_change`` (difference of the wave means), ``p`` (Welch), ``hedges_g, g_low,
        g_high`` and ``n`` = the smaller wave; no d_z.

    Raises
    ------
    InputError
        A raw export, the framework or cohort.yml breaks the data contract (one line,
        located in the cohort's data folder).
    BuildFolderError
        ``<build>/network/cohorts/<id>`` exists, is not empty and is not a build folder.

    Notes
    -----
    d_z = mean change / SD of the changes (Cohen 1988; Lakens 2013, eq. 6) with its exact
    interval from the noncentral t; its sampling variance ``1/n + d_z^2/(2n)`` and the
    mean change's ``SD_change^2/n`` as in :mod:`lehc_report.stats.meta_analysis`.
    Hedges' g for unlinked waves: :func:`lehc_report.stats.independent.hedges_g`
    (Hedges and Olkin 1985).
    """
    from lehc_report.inputs.cohort import check_attendance, framework_file, load_cohort
    from lehc_report.inputs.self_assessment import load_self_assessment
    from lehc_report.render.outputs import write_result_csv
    from lehc_report.stats import independent, meta_analysis, paired, robustness

    paths = cohort_paths(root, build, cohort)
    # A build folder of its own (marked), so that `make book BUILD=<it>` can build the cohort's report there too.
    claim_build_folder(paths)
    paths.ensure()
    linked = waves_linked(paths)
    framework = _framework(framework_file(paths.data, paths.root))
    # The cleaning stage's own validation, without its report-only extras (reference
    # tables, glue): the same tidy table and cleaning log, written where the stage writes them.
    tidy, log, _ = load_self_assessment(paths.data, framework)
    tidy.attrs = {}
    write_result_csv(tidy, paths.tidy / "self_assessment.csv")
    write_result_csv(log, paths.tidy / "cleaning_log.csv")
    check_attendance(paths.data, load_cohort(paths.data), tidy["participant_id"].nunique())
    waves = set(tidy.dropna(subset=["score"])["wave"])
    codebook, themes = cohort_theme_counts(paths.data, coder)
    rows = []
    if not linked:
        for comparison, (before, after, _) in COMPARISONS.items():
            if {before, after} <= waves:
                table = independent.independent_area_table(tidy, framework, min_share_answered, before, after, confidence)
                rows.append(pd.DataFrame({
                    "area": table["area_id"], "comparison": comparison,
                    "n": np.minimum(table["n_before"], table["n_after"]).astype(int),
                    "n_before": table["n_before"], "n_after": table["n_after"], "mean_change": table["mean_difference"],
                    "p": table["p_welch"], "hedges_g": table["hedges_g"], "g_low": table["g_low"], "g_high": table["g_high"]}))
        table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["area", "comparison", "n"])
        start_end = table[table["comparison"] == "start_to_end"]
        return CohortOutcome(
            cohort=cohort, effects=table, n_complete=int(start_end["n"].max()) if len(start_end) else 0,
            has_follow_up="follow_up" in waves, linked=False, framework_key=_framework_key(framework),
            area_names=framework.area_names(), codebook=codebook, themes=themes)
    scores = paired.area_scores(tidy, framework, min_share_answered)
    for comparison, (before, after, _) in COMPARISONS.items():
        if not {before, after} <= waves:
            continue
        first, second, _ = paired.paired_wide(scores, "area_id", "score", before, after)
        effects = robustness.by_available_pairs(robustness.paired_effect_sizes, first, second, confidence=confidence)
        effects = effects.reindex(framework.area_ids)
        effects["n"] = effects["n"].fillna(0).astype(int)
        rows.append(pd.DataFrame({
            "area": framework.area_ids, "comparison": comparison, "n": effects["n"].to_numpy(),
            "mean_change": effects["mean_change"].to_numpy(float), "sd_change": effects["sd_change"].to_numpy(float),
            "ci_low": effects["ci_low"].to_numpy(float), "ci_high": effects["ci_high"].to_numpy(float),
            "t": effects["t"].to_numpy(float), "p": effects["p_ttest"].to_numpy(float),
            "d_z": effects["d_z"].to_numpy(float), "d_z_ci_low": effects["d_z_ci_low"].to_numpy(float),
            "d_z_ci_high": effects["d_z_ci_high"].to_numpy(float),
        }))
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["area", "comparison", "n"])
    table["var_d_z"] = meta_analysis.dz_sampling_variance(table["d_z"].to_numpy(float), table["n"].to_numpy(float))
    table["var_mean_change"] = meta_analysis.mean_change_variance(table["sd_change"].to_numpy(float), table["n"].to_numpy(float))
    start_end = table[table["comparison"] == "start_to_end"]
    return CohortOutcome(
        cohort=cohort, effects=table, n_complete=int(start_end["n"].max()) if len(start_end) else 0,
        has_follow_up="follow_up" in waves, linked=linked, framework_key=_framework_key(framework),
        area_names=framework.area_names(), codebook=codebook, themes=themes,
    )


def _outcome_job(args) -> CohortOutcome:
    return cohort_outcome(*args)


def pool(effects: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Random-effects meta-analysis per area, comparison and measure.

    Parameters
    ----------
    effects : DataFrame
        ``cohort_effects.csv`` rows: ``cohort, area, comparison, n, d_z, var_d_z,
        mean_change, var_mean_change``.
    confidence : float
        Level of the Hartung-Knapp and prediction intervals.

    Returns
    -------
    DataFrame
        ``pooled.csv``: :data:`POOLED_COLUMNS`, one row per area, comparison and measure
        (``d_z``, ``mean_change``) in the order they first appear; ``i2`` in percent;
        NaN where undefined (k = 1: all but the estimate; k = 2: the prediction interval).

    Notes
    -----
    :func:`lehc_report.stats.meta_analysis.random_effects`: REML tau^2 (Viechtbauer 2005)
    with DerSimonian-Laird (1986) beside it, Hartung-Knapp interval, Cochran's Q, I^2 of
    Higgins and Thompson (2002), prediction interval on k - 2 df (Higgins, Thompson and
    Spiegelhalter 2009).
    """
    from lehc_report.stats.meta_analysis import random_effects

    rows = []
    for (area, comparison), group in effects.groupby(["area", "comparison"], sort=False):
        for measure, (y, v) in MEASURES.items():
            usable = group[np.isfinite(group[y]) & (group[v] > 0)]
            if usable.empty:
                continue
            fit = random_effects(usable[y].to_numpy(float), usable[v].to_numpy(float), method="REML", level=confidence)
            rows.append({"area": area, "comparison": comparison, "measure": measure, **fit.as_record()})
    return pd.DataFrame(rows, columns=POOLED_COLUMNS)


def meta_regressions(effects: pd.DataFrame, cohorts: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Meta-regression of d_z on year and, separately, on region, where k >= 5.

    Parameters
    ----------
    effects : DataFrame
        ``cohort_effects.csv`` rows.
    cohorts : DataFrame
        ``cohort, year, region`` per cohort.
    confidence : float

    Returns
    -------
    DataFrame
        One row per area, comparison, moderator and coefficient: ``area, comparison,
        measure, moderator, term, k, estimate, se, t, df, p, ci_low, ci_high, tau2, i2,
        r2, qe, qe_p, f, f_df1, f_df2, f_p``.  Year is centred on the first year (the
        intercept is the effect then); region is coded as indicators against the first
        region in alphabetical order.  A moderator that does not vary is skipped.

    Notes
    -----
    :func:`lehc_report.stats.meta_analysis.meta_regression`: REML residual tau^2 and
    Knapp-Hartung t and F tests (Knapp and Hartung 2003).  With few cohorts these tests
    have little power and the coefficients are fragile (Higgins and Thompson 2004).
    """
    from lehc_report.stats.meta_analysis import meta_regression

    data = effects.merge(cohorts[["cohort", "year", "region"]], on="cohort", how="left")
    rows = []
    for (area, comparison), group in data[data["comparison"] == "start_to_end"].groupby(["area", "comparison"], sort=False):
        group = group[np.isfinite(group["d_z"]) & (group["var_d_z"] > 0)].sort_values("cohort")
        if len(group) < MIN_COHORTS_META_REGRESSION:
            continue
        moderators = {}
        if group["year"].nunique() > 1:
            moderators["year"] = pd.DataFrame({f"year (per year since {int(group['year'].min())})": (group["year"] - group["year"].min()).astype(float)})
        if group["region"].nunique() > 1:
            region = pd.Categorical(group["region"], categories=sorted(group["region"].unique()))
            moderators["region"] = pd.get_dummies(region, drop_first=True, dtype=float).set_axis(
                [f"region: {c} (vs {region.categories[0]})" for c in region.categories[1:]], axis=1)
        for moderator, X in moderators.items():
            fit = meta_regression(group["d_z"].to_numpy(float), group["var_d_z"].to_numpy(float), X.reset_index(drop=True), level=confidence)
            for term, coefficient in fit.coefficients.iterrows():
                rows.append({"area": area, "comparison": comparison, "measure": "d_z", "moderator": moderator, "term": term,
                             "k": fit.k, **coefficient.to_dict(), "tau2": fit.tau2, "i2": fit.i2, "r2": fit.r2,
                             "qe": fit.qe, "qe_p": fit.qe_p, "f": fit.f, "f_df1": fit.f_df1, "f_df2": fit.f_df2, "f_p": fit.f_p})
    columns = ["area", "comparison", "measure", "moderator", "term", "k", "estimate", "se", "t", "df", "p", "ci_low", "ci_high",
               "tau2", "i2", "r2", "qe", "qe_p", "f", "f_df1", "f_df2", "f_p"]
    return pd.DataFrame(rows, columns=columns)


def compute_network(network: Network, root: Path, build: Path, jobs: int = 1) -> NetworkResults:
    """Every cohort's effects, the privacy rules, the pooling and the meta-regressions.

    Parameters
    ----------
    network : Network
        From :func:`lehc_report.network.config.load_network`.
    root : Path
        The project (privacy.yml, analysis.yml, data/framework.yml).
    build : Path
        The build folder (cohort tidy tables under ``<build>/network/cohorts/<id>/``).
    jobs : int
        Worker processes for the per-cohort stage (1: in this process).

    Returns
    -------
    NetworkResults

    Raises
    ------
    NetworkError
        A cohort's framework differs from the first cohort's (areas, behaviours or
        scale): cohorts must share a framework to be pooled.
    InputError
        A cohort's data break the contract.
    """
    from lehc_report import privacy
    from lehc_report.settings import load_analysis_settings

    privacy_settings = privacy.load_settings(root)
    min_group_size = privacy_settings.min_group_size
    settings = load_analysis_settings(root)
    confidence = settings.confidence
    tasks = [(cohort, root, build, confidence, settings.min_share_answered, settings.analysis_coder)
             for cohort in network.cohorts]
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool_:
            outcomes = list(pool_.map(_outcome_job, tasks, chunksize=max(1, len(tasks) // (4 * jobs))))
    else:
        outcomes = [_outcome_job(task) for task in tasks]

    reference = outcomes[0]
    for number, outcome in enumerate(outcomes[1:], start=2):
        if outcome.framework_key != reference.framework_key:
            raise NetworkError(network.source, f"cohort {outcome.cohort.id!r} (entry {number}), key 'data': its framework "
                               f"(areas {', '.join(a for a, _ in outcome.framework_key[0])}) differs from cohort "
                               f"{reference.cohort.id!r}'s (areas {', '.join(a for a, _ in reference.framework_key[0])}); "
                               "only cohorts that share a framework can be pooled: list the others in a network of their own")

    small = [o.cohort.id for o in outcomes if o.n_complete < min_group_size]
    unlinked = [o.cohort.id for o in outcomes if not o.linked and o.cohort.id not in small]
    rows, independent_rows = [], []
    for outcome in outcomes:
        if outcome.cohort.id in small:
            continue
        c = outcome.cohort
        rows_of = independent_rows if c.id in unlinked else rows
        rows_of.append(outcome.effects.assign(cohort=c.id, label=c.label, year=c.year, region=c.region))
    every = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=[*EFFECT_COLUMNS, "label", "year", "region"])
    independent = (pd.concat(independent_rows, ignore_index=True) if independent_rows else
                   pd.DataFrame(columns=["cohort", "area", "comparison", "n", "label", "year", "region"]))
    small_independent = independent.loc[independent["n"] < min_group_size, ["cohort", "area", "comparison", "n"]]
    independent = independent[independent["n"] >= min_group_size].reset_index(drop=True)
    too_few = every["n"] < min_group_size
    small_rows = pd.concat([every.loc[too_few, ["cohort", "area", "comparison", "n"]], small_independent], ignore_index=True)
    shown = every[~too_few]
    undefined = shown.loc[~np.isfinite(shown["d_z"].astype(float)), ["cohort", "area", "comparison"]]
    shown = shown.reset_index(drop=True)
    cohort_effects = shown[EFFECT_COLUMNS]
    order = {a: i for i, a in enumerate(reference.area_names)}
    cohort_table = pd.DataFrame([{"cohort": c.id, "year": c.year, "region": c.region} for c in network.cohorts])
    shares, own_codebook = theme_shares(outcomes, set(small), privacy_settings)
    theme_names = {o.codebook: dict(zip(o.themes["theme"], o.themes["name"])) for o in outcomes if o.themes is not None}
    pooled = pool(cohort_effects, confidence)
    if len(pooled):
        pooled = pooled.sort_values(["comparison", "area"], key=lambda s: s.map(order) if s.name == "area" else s.map(list(COMPARISONS).index),
                                    kind="stable").reset_index(drop=True)
    return NetworkResults(
        network=network, outcomes=outcomes, min_group_size=min_group_size, confidence=confidence,
        cohort_effects=cohort_effects, shown_effects=shown, independent_effects=independent, pooled=pooled,
        regressions=meta_regressions(cohort_effects, cohort_table, confidence),
        left_out={"small": small, "small_rows": small_rows, "unlinked": unlinked, "undefined": undefined},
        area_names=reference.area_names, theme_shares=shares, theme_names=theme_names, own_codebook=own_codebook,
    )


def write_results(results: NetworkResults, folder: Path) -> dict[str, Path]:
    """Write ``cohort_effects.csv``, ``pooled.csv``, ``meta_regression.csv``, ``unlinked_effects.csv``
    and ``theme_shares.csv``.

    Parameters
    ----------
    results : NetworkResults
    folder : Path
        ``<build>/network/results``; created.

    Returns
    -------
    dict
        Name -> path written (blank cells where a statistic is undefined).
    """
    from lehc_report.render.outputs import write_result_csv

    return {
        "cohort_effects": write_result_csv(results.cohort_effects, Path(folder) / "cohort_effects.csv"),
        "pooled": write_result_csv(results.pooled, Path(folder) / "pooled.csv"),
        "meta_regression": write_result_csv(results.regressions, Path(folder) / "meta_regression.csv"),
        "unlinked_effects": write_result_csv(results.independent_effects.drop(columns=["label", "year", "region"]),
                                             Path(folder) / "unlinked_effects.csv"),
        "theme_shares": write_result_csv(results.theme_shares, Path(folder) / "theme_shares.csv"),
    }
