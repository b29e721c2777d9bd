"""Stage 4: "How robust are these findings?" for the book.

Reads the tidy ratings (stage 1 output) and runs :mod:`lehc_report.robustness`
on the area scores and on the behaviours, side by side with the published
analysis; writes results CSVs, three figures, table snippets and glue values.
"""

from __future__ import annotations

import pandas as pd

from . import figures, privacy, robustness, selfassessment
from .cohort import load_cohort
from .outputs import write_myst_table, write_result_csv
from .paths import ProjectPaths
from .pipeline import StageResult, framework_for, number_word, read_tidy_ratings
from .published import APPENDIX3_SIGNIFICANT
from .rounding import format_half_up, format_p


def fmt(value: float, places: int = 2) -> str:
    return format_half_up(value, places)


def complete_cases(before: pd.DataFrame, after: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Participants with every value at both waves (the robustness functions need no gaps)."""
    keep = before.notna().all(axis=1) & after.notna().all(axis=1)
    return before[keep].astype(float), after[keep].astype(float)


def withheld_robustness(paths: ProjectPaths, n: int, settings) -> StageResult:
    """Too few complete pairs to publish statistics: placeholders with the same names."""
    note = (f"Only {n} participant(s) completed both self-assessments, fewer than the {settings.min_group_size} "
            "below which this report publishes no statistics (privacy.yml), so this chapter's analyses are withheld.")
    for name, label in (("robustness_areas.md", "tbl-robust-areas"), ("robustness_multiplicity.md", "tbl-robust-multiplicity"),
                        ("robustness_reliability.md", "tbl-robust-reliability")):
        write_myst_table(pd.DataFrame({"Robustness analysis": ["withheld: too few participants"]}), paths.tables / name,
                         note + " Source: notebook 04_robust.", label)
    for name in ("figure_slopes.png", "figure_forest.png", "figure_qq.png"):
        figures.placeholder_figure(paths.figures / name, "Withheld: too few participants")
    return StageResult(glue={"rob_status": note})


def analyse_robustness(paths: ProjectPaths) -> StageResult:
    paths.ensure()
    framework = framework_for(paths)
    tidy = read_tidy_ratings(paths, framework)
    names = framework.area_names()

    scores = selfassessment.area_scores(tidy, framework)
    area_before, area_after, excluded = selfassessment.paired_wide(scores, "area_id", "score", "start", "end")
    area_before, area_after = complete_cases(area_before, area_after)
    item_before, item_after, _ = selfassessment.paired_wide(tidy, "behaviour_id", "score", "start", "end")
    item_before, item_after = complete_cases(item_before, item_after)
    n = len(area_before)
    n_items_people = len(item_before)
    settings = privacy.load_settings(paths.root)
    if n < settings.min_group_size:
        return withheld_robustness(paths, n, settings)

    effects = robustness.paired_effect_sizes(area_before, area_after)
    wilcoxon = robustness.wilcoxon_signed_rank(area_before, area_after)
    normality = robustness.normality_of_changes(area_before, area_after)
    bayes = robustness.bayes_factors(area_before, area_after)
    rtm = robustness.regression_to_mean(area_before, area_after)

    item_effects = robustness.paired_effect_sizes(item_before, item_after)
    item_wilcoxon = robustness.wilcoxon_signed_rank(item_before, item_after)
    behaviour_tests = selfassessment.behaviour_table(tidy, framework).set_index("behaviour_id")
    corrections = robustness.multiple_comparisons(behaviour_tests["p"])
    wilcoxon_corrections = robustness.multiple_comparisons(item_wilcoxon["p"])
    m = int(corrections["p"].notna().sum())

    wave_items = {}
    for wave in ("start", "end"):
        wide = tidy[tidy["wave"] == wave].pivot_table(index="participant_id", columns="behaviour_id", values="score", aggfunc="first")
        wave_items[wave] = wide.reindex(columns=framework.behaviour_ids).dropna().astype(float)
    reliability = pd.concat(
        {w: robustness.cronbach_alpha_by_area(t, framework.items_by_area()) for w, t in wave_items.items()}, names=["wave"]
    ).reset_index()
    end_ratings = wave_items["end"]
    ceiling = robustness.ceiling_share(end_ratings, threshold=9)
    mdd_area = robustness.minimum_detectable_dz(n, alpha=0.05, power=0.80)
    mdd_item = robustness.minimum_detectable_dz(n_items_people, alpha=0.05 / max(m, 1), power=0.80)
    smallest_p = robustness.smallest_exact_wilcoxon_p(n_items_people)

    areas_table = (
        effects.join(wilcoxon, rsuffix="_wilcoxon").join(normality, rsuffix="_shapiro").join(bayes, rsuffix="_bayes").join(rtm, rsuffix="_rtm")
    )
    areas_table.index.name = "area_id"
    behaviours_table = item_effects.drop(columns=["p_ttest"]).join(corrections.add_suffix("_ttest")).join(
        item_wilcoxon[["p", "method", "rank_biserial", "hodges_lehmann"]].add_prefix("wilcoxon_")
    ).join(wilcoxon_corrections[["p_holm", "pass_holm"]].add_prefix("wilcoxon_"))
    behaviours_table.index.name = "behaviour_id"
    write_result_csv(areas_table.reset_index(), paths.results / "robustness_areas.csv")
    write_result_csv(behaviours_table.reset_index(), paths.results / "robustness_behaviours.csv")
    write_result_csv(reliability, paths.results / "reliability_cronbach.csv")
    write_result_csv(ceiling.reset_index(), paths.results / "ceiling_end_ratings.csv")

    show = pd.DataFrame({"Area": [names[a] for a in effects.index]})
    show["Mean change [95% CI]"] = [f"{fmt(r.mean_change)} [{fmt(r.ci_low)}, {fmt(r.ci_high)}]" for r in effects.itertuples()]
    show["d_z [95% CI]"] = [f"{fmt(r.d_z)} [{fmt(r.d_z_ci_low)}, {fmt(r.d_z_ci_high)}]" for r in effects.itertuples()]
    show["d_av"] = effects["d_av"].map(fmt).to_numpy()
    show["Wilcoxon p (method)"] = [f"{format_p(r.p)} ({r.method})" for r in wilcoxon.itertuples()]
    show["r_rb"] = wilcoxon["rank_biserial"].map(fmt).to_numpy()
    show["HL change"] = wilcoxon["hodges_lehmann"].map(fmt).to_numpy()
    show["Shapiro–Wilk W (p)"] = [f"{fmt(r.shapiro_w)} ({format_p(r.shapiro_p)})" for r in normality.itertuples()]
    show["BF10"] = bayes["bf10"].map(lambda v: fmt(v, 1) if v < 1000 else f"{v:.2g}").to_numpy()
    show["Reading"] = bayes["reading"].to_numpy()
    write_myst_table(show, paths.tables / "robustness_areas.md",
                     "Effect sizes and sensitivity checks for the change in each area score (end minus start). "
                     "d_z = mean change / SD of changes (CI from the noncentral t); d_av = mean change / mean of the two SDs; "
                     "r_rb = matched-pairs rank-biserial correlation; HL = Hodges–Lehmann estimate; BF10 = Bayes factor "
                     "(JZS prior, r = 0.707). Source: notebook 04_robust.", "tbl-robust-areas")

    sig = behaviour_tests["significant"]
    survive = pd.DataFrame({"Area": [names[a] for a in framework.area_ids]})
    by_area = behaviours_table.join(behaviour_tests[["area_id", "significant"]])
    grouped = by_area.groupby("area_id").agg(raw=("significant", "sum"), holm=("pass_holm_ttest", "sum"), bh=("pass_bh_ttest", "sum"),
                                             wil=("wilcoxon_pass_holm", "sum")).reindex(framework.area_ids)
    survive["Published p < .05"] = APPENDIX3_SIGNIFICANT.set_index("area_id")["n_significant"].reindex(framework.area_ids).astype("Int64").astype(str).to_numpy()
    survive["Reproduced p < .05"] = grouped["raw"].astype(int).astype(str).to_numpy()
    survive["Pass Holm"] = grouped["holm"].astype(int).astype(str).to_numpy()
    survive["Pass Benjamini–Hochberg"] = grouped["bh"].astype(int).astype(str).to_numpy()
    survive["Wilcoxon, pass Holm"] = grouped["wil"].astype(int).astype(str).to_numpy()
    write_myst_table(survive, paths.tables / "robustness_multiplicity.md",
                     f"Behaviours with a significant change, before and after correcting for {m} tests (t-tests unless stated). "
                     "Source: notebook 04_robust.", "tbl-robust-multiplicity")
    rel_show = pd.DataFrame({
        "Area": reliability["unit"].map(names),
        "Wave": reliability["wave"].map(framework.waves.set_index("wave")["wave_label"]),
        "Behaviours": reliability["n_items"].astype(int).astype(str),
        "Cronbach's alpha [95% CI]": [f"{fmt(r.alpha)} [{fmt(r.ci_low)}, {fmt(r.ci_high)}]" for r in reliability.itertuples()],
    })
    write_myst_table(rel_show, paths.tables / "robustness_reliability.md",
                     "Internal consistency of each area at each wave (Cronbach's alpha, Feldt CI). Source: notebook 04_robust.",
                     "tbl-robust-reliability")

    figures.slope_figure(area_before, area_after, framework, paths.figures / "figure_slopes.png")
    figures.forest_figure(item_effects, corrections["pass_holm"], framework, paths.figures / "figure_forest.png")
    figures.qq_figure(area_after - area_before, framework, paths.figures / "figure_qq.png")

    cohort = load_cohort(paths.data)
    attended = cohort.get("attended")
    g: dict[str, str] = {
        "status": "",
        "n": str(n), "n_word": number_word(n), "n_items_people": str(n_items_people), "m": str(m),
        "n_sig_raw": str(int(sig.sum())), "n_sig_holm": str(int(corrections["pass_holm"].sum())),
        "n_sig_bh": str(int(corrections["pass_bh"].sum())),
        "n_sig_wilcoxon_raw": str(int((item_wilcoxon["p"] < 0.05).sum())),
        "n_sig_wilcoxon_holm": str(int(wilcoxon_corrections["pass_holm"].sum())),
        "n_published_sig": str(int(APPENDIX3_SIGNIFICANT["n_significant"].sum())),
        "holm_threshold": f"{0.05 / max(m, 1):.4f}",
        "smallest_wilcoxon_p": f"{smallest_p:.5f}", "smallest_wilcoxon_fraction": f"2/{2 ** n_items_people}",
        "wilcoxon_can_pass_holm": "can" if smallest_p < 0.05 / max(m, 1) else "cannot",
        "mdd_area": fmt(mdd_area), "mdd_item": fmt(mdd_item),
        "ceiling_share": format_half_up(100 * ceiling["n_at_or_above"].sum() / ceiling["n_ratings"].sum(), 0),
        "n_excluded": str(len(excluded)),
        "attended": str(attended) if attended else "not recorded",
        "attrition": str(int(attended) - n) if attended else "not known",
        "attrition_share": format_half_up(100 * (int(attended) - n) / int(attended), 0) if attended else "not known",
        "min_shapiro_p": format_p(normality["shapiro_p"].min()),
        "dz_min": fmt(effects["d_z"].min()), "dz_max": fmt(effects["d_z"].max()),
        "dz_ci_low_min": fmt(effects["d_z_ci_low"].min()),
        "n_areas_wilcoxon_sig": str(int((wilcoxon["p"] < 0.05).sum())), "n_areas": str(len(effects)),
        "wilcoxon_area_p_max": format_p(wilcoxon["p"].max()),
        "wilcoxon_methods": ", ".join(sorted(set(wilcoxon["method"]))),
        "bf_min": fmt(bayes["bf10"].min(), 1),
        "bf_reading_min": bayes.loc[bayes["bf10"].idxmin(), "reading"],
        "rtm_r_min": fmt(rtm["r_start_change"].min()), "rtm_r_max": fmt(rtm["r_start_change"].max()),
        "oldham_r_min": fmt(rtm["r_mean_change"].min()), "oldham_r_max": fmt(rtm["r_mean_change"].max()),
        "alpha_min": fmt(reliability["alpha"].min()), "alpha_max": fmt(reliability["alpha"].max()),
        "alpha_ci_low_min": fmt(reliability["ci_low"].min()),
    }
    for area, row in effects.iterrows():
        k = area.lower()
        g[f"{k}_dz"] = fmt(row["d_z"])
        g[f"{k}_dz_ci"] = f"{fmt(row['d_z_ci_low'])} to {fmt(row['d_z_ci_high'])}"
        g[f"{k}_change_ci"] = f"{fmt(row['ci_low'])} to {fmt(row['ci_high'])}"
        g[f"{k}_bf"] = show.set_index(effects.index)["BF10"][area]
    result = StageResult(tables={"areas": show, "multiplicity": survive, "reliability": rel_show,
                                 "behaviours": behaviours_table.reset_index()},
                         glue={f"rob_{k}": v for k, v in g.items()})
    return result
