"""Stage 4: "How robust are these findings?" for the book.

Reads the tidy ratings (stage 1 output) and runs :mod:`lehc_report.stats.robustness`
on the area scores and on the behaviours, side by side with the published
analysis; writes results CSVs, three figures, table snippets and glue values.

Every unit (area or behaviour) is analysed on its own available pairs, and no
statistic is published for a unit with fewer pairs than ``min_group_size`` in
``privacy.yml``.  What the chapter *says* about the numbers (large or small,
departure from normality or not, can or cannot pass a correction, higher or lower)
is decided here from the computed values, by the ``*_reading`` / ``*_sentence``
functions below, and glued as whole phrases, so the prose cannot contradict its
own numbers whatever the cohort.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from lehc_report.render import figures
from lehc_report import privacy
from lehc_report.stats import robustness
from lehc_report.stats import paired
from lehc_report.inputs.cohort import load_cohort
from lehc_report.render.outputs import glue_references, write_myst_table, write_result_csv
from lehc_report.paths import ProjectPaths
from lehc_report.settings import load_analysis_settings
from lehc_report.prose.words import number_word
from lehc_report.stages.base import StageResult, framework_for, read_tidy_ratings
from lehc_report.stages.quant import published_cohort
from lehc_report.published.appendix3 import APPENDIX3_SIGNIFICANT
from lehc_report.prose.rounding import format_half_up, format_p
from lehc_report.prose.words import join_words, p_text

ALPHA = 0.05
UNDEFINED = "undefined"
# Cohen's (1988) conventional benchmarks for a standardised mean difference.
EFFECT_BENCHMARKS = ((0.8, "large"), (0.5, "medium"), (0.2, "small"))
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt(value: float, places: int = 2) -> str:
    return format_half_up(value, places)


def fmt_or_undefined(value: float, places: int = 2) -> str:
    return fmt(value, places) if value is not None and np.isfinite(value) else UNDEFINED


def p_or_undefined(value: float) -> str:
    return format_p(value) if value is not None and np.isfinite(value) else UNDEFINED


def bf_text(bf: float) -> str:
    return fmt(bf, 1) if bf < 1000 else f"{bf:,.0f}"


def count_of(k: int, total: int, noun: str) -> str:
    """'4 of 4 areas', 'none of the 4 areas'."""
    return f"none of the {total} {noun}" if k == 0 else f"{k} of {total} {noun}"


# ------------------------------------------------------------------ formatting


def format_small_p(p: float) -> str:
    """0.00391 as before; below 0.001 in powers of ten (2/2**40 -> '1.8 × 10⁻¹²')."""
    if p >= 0.001:
        return f"{p:.5f}"
    exponent = math.floor(math.log10(p))
    mantissa = p / 10**exponent
    if float(f"{mantissa:.1f}") >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.1f} × 10{str(exponent).translate(SUPERSCRIPT)}"


def wilcoxon_floor_fraction(n: int) -> str:
    return f"2/{2 ** n}" if n <= 20 else f"2/2{str(n).translate(SUPERSCRIPT)}"


# ------------------------------------------------------------------ readings


def effect_size_label(d: float) -> str:
    """Cohen's label for |d|: 'large', 'medium', 'small' or 'negligible'."""
    size = abs(d)
    for bound, label in EFFECT_BENCHMARKS:
        if size >= bound:
            return label
    return "negligible"


def direction_word(value: float) -> str:
    return "higher" if value > 0 else "lower" if value < 0 else "unchanged"


def dz_sentence(d_z: pd.Series) -> str:
    d = d_z.dropna()
    if d.empty:
        return ("d_z is undefined for every area: each participant's score changed by the same amount, "
                "so the changes have no spread to divide by.")
    low, high = fmt(d.min()), fmt(d.max())
    span = f"d_z ranges from {low} to {high}" if len(d) > 1 else f"d_z is {low}"
    labels = [effect_size_label(v) for v in d]
    same_sign = (d > 0).all() or (d < 0).all()
    undefined = d_z.isna().sum()
    tail = f" (it is undefined for {count_of(undefined, len(d_z), 'areas')}, where every change was the same)" if undefined else ""
    falls = ", and every one is a fall" if (d < 0).all() else ""
    if same_sign and set(labels) == {"large"}:
        return f"The effects are large by any convention{falls}: {span}{tail}."
    ordered = [label for _, label in EFFECT_BENCHMARKS][::-1]
    present = sorted(set(labels), key=lambda x: (["negligible"] + ordered).index(x))
    size = present[0] if len(present) == 1 else f"{present[0]} to {present[-1]}"
    sign = "; every area's score fell" if (d < 0).all() else "" if same_sign else "; some areas moved up and some down"
    return (f"By the usual conventions (0.2 small, 0.5 medium, 0.8 large) the effects are {size}: "
            f"{span}{tail}{sign}.")


def interval_reading(low: float, high: float) -> tuple[float, str]:
    """How far the 95% interval of d_z is from zero: (nearest limit, reading)."""
    if low > 0 or high < 0:
        nearest = low if low > 0 else high
        label = effect_size_label(nearest)
        way = "rise" if low > 0 else "fall"
        if label == "negligible":
            return nearest, f"exclude no change but allow a {way} too small to matter"
        return nearest, f"still indicate at least a {'moderate' if label == 'medium' else label} {way}"
    return 0.0, "include no change at all"


def dz_precision_sentence(effects: pd.DataFrame, names: dict[str, str]) -> str:
    rows = effects.dropna(subset=["d_z", "d_z_ci_low", "d_z_ci_high"])
    if rows.empty:
        return "No confidence interval for d_z can be computed."
    weakest = rows["d_z"].abs().idxmin()
    width = (rows["d_z_ci_high"] - rows["d_z_ci_low"]).max()
    nearest = [interval_reading(r.d_z_ci_low, r.d_z_ci_high) for r in rows.itertuples()]
    readings = [abs(v) for v, _ in nearest]
    worst = int(np.argmin(readings))
    value, reading = nearest[worst]
    lead = "They are also imprecise. The 95% intervals for d_z are wide" if width >= 1 else "The 95% intervals for d_z are fairly narrow"
    w = rows.loc[weakest]
    where = f"for {names[weakest]}, the area with the smallest effect, {fmt(w['d_z_ci_low'])} to {fmt(w['d_z_ci_high'])}"
    if value == 0.0:
        n_zero = sum(v == 0.0 for v, _ in nearest)
        return f"{lead} ({where}); the intervals {reading} for {count_of(n_zero, len(rows), 'areas')}."
    limit = "lower limits, no lower than" if value > 0 else "upper limits, no higher than"
    if (rows["d_z_ci_low"] > 0).any() and (rows["d_z_ci_high"] < 0).any():
        limit = "limits nearest zero, none closer to it than"
    return f"{lead} ({where}); the {limit} {fmt(value)}, {reading} on this measure."


def shapiro_sentence(shapiro_p: pd.Series, n_text: str, n_max: int | None = None) -> str:
    p = shapiro_p.dropna()
    if p.empty:
        return ("The Shapiro–Wilk test cannot be computed here: the changes in each area do not vary "
                "(or there are fewer than three).")
    smallest = p_text(p.min())
    departing = int((p < ALPHA).sum())
    if departing:
        return (f"The Shapiro–Wilk test finds a departure from normality in the changes for "
                f"{count_of(departing, len(p), 'areas')} (smallest {smallest}), so the paired t-test's "
                "assumption is doubtful there; the Wilcoxon test does not need it.")
    if n_max is not None and n_max > 20:
        return (f"The Shapiro–Wilk test finds no departure from normality in the changes (smallest {smallest}), "
                "though a non-significant result does not prove normality.")
    return (f"The Shapiro–Wilk test finds no departure from normality in the changes (smallest {smallest}), "
            f"but with {n_text} values per area this is weak reassurance: the test has little power to detect "
            "even marked skew in so few values.")


def wilcoxon_sentence(p: pd.Series, methods: pd.Series, n_max: int | None = None) -> str:
    """``n_max``: the most pairs any area has; if even that many cannot give p < .05, say so."""
    finite = p.dropna()
    total = len(p)
    if finite.empty:
        return "It cannot be computed for any area: no participant's area score changed."
    sig = finite[finite < ALPHA]
    used = ", ".join(sorted(set(methods[finite.index])))
    if len(sig) == len(finite):
        core = f"It finds a change in {count_of(len(sig), total, 'areas')} ({p_text(finite.max(), '≤')}; method: {used})."
    elif sig.empty:
        core = (f"It finds a change (p < .05) in {count_of(0, total, 'areas')} "
                f"(smallest {p_text(finite.min())}; method: {used}).")
    else:
        core = (f"It finds a change (p < .05) in {count_of(len(sig), total, 'areas')} "
                f"(p from {format_p(finite.min())} to {format_p(finite.max())}; method: {used}).")
    if n_max is not None and robustness.smallest_exact_wilcoxon_p(n_max) > ALPHA:
        core += (f" With {n_max} pairs it cannot do otherwise: the smallest two-sided p an exact Wilcoxon test can "
                 f"give is {wilcoxon_floor_fraction(n_max)} = {format_small_p(robustness.smallest_exact_wilcoxon_p(n_max))}, "
                 "above .05.")
    missing = total - len(finite)
    if missing:
        core += f" It is undefined for {count_of(missing, total, 'areas')}, where no one's score changed."
    return core


def wilcoxon_method_note(methods: set[str]) -> str:
    """How the Wilcoxon p values were obtained (``methods``: those of areas with a p value)."""
    parts = []
    if robustness.WILCOXON_EXACT in methods:
        parts.append("The exact null distribution is used where the changes have no ties or zeros.")
    if robustness.WILCOXON_PERMUTATION in methods:
        lead = "Where they do" if robustness.WILCOXON_EXACT in methods else "As the changes have ties or zeros"
        parts.append(f"{lead}, with 13 pairs or fewer, the p value is computed exactly over all sign patterns, "
                     "as the usual normal approximation is poor at such sample sizes.")
    if robustness.WILCOXON_NORMAL in methods:
        parts.append("With more pairs and ties or zeros (or more than 50 pairs), a normal approximation with tie "
                     "and continuity corrections is used.")
    return " ".join(parts)


def agreement_sentence(effects: pd.DataFrame, wilcoxon: pd.DataFrame) -> str:
    rows = effects.index[effects["mean_change"].notna()]
    if (effects.loc[rows, "mean_change"] == 0).all():
        return "With no change at all, there is nothing for them to add."
    sign = np.sign(effects.loc[rows, "mean_change"])
    differ = (np.sign(wilcoxon.loc[rows, "hodges_lehmann"]) != sign) | (
        np.sign(wilcoxon.loc[rows, "rank_biserial"].fillna(0)) != sign)
    if not differ.any():
        return "Both point the same way as the mean change in every area."
    return f"In {count_of(int(differ.sum()), len(rows), 'areas')} they do not point the same way as the mean change."


def test_agreement_sentence(t_p: pd.Series, w_p: pd.Series, names: dict[str, str], n_max: int | None = None) -> str:
    both = t_p.notna() & w_p.notna()
    if not both.any():
        if w_p.notna().any():
            return ("The t-test is undefined here, as the changes have no spread, so only the Wilcoxon test applies "
                    "and normality does not arise.")
        return "Neither test can be computed, so the question does not arise."
    disagree = [names[a] for a in t_p.index[both] if (t_p[a] < ALPHA) != (w_p[a] < ALPHA)]
    if disagree and n_max is not None and robustness.smallest_exact_wilcoxon_p(n_max) > ALPHA:
        return (f"The Wilcoxon test disagrees with the t-test about {join_words(disagree)}, but with {n_max} pairs it "
                "cannot reach p < .05 at all, so the disagreement reflects the sample size rather than the shape of "
                "the changes.")
    if not disagree:
        return ("The Wilcoxon test and the t-test agree about which areas show a change at p < .05, which makes "
                "the question moot for the area tests.")
    return (f"The Wilcoxon test and the t-test disagree about {join_words(disagree)}, so for "
            f"{'that area' if len(disagree) == 1 else 'those areas'} the normality assumption matters.")


def expected_false_positives(m: int) -> str:
    expected = ALPHA * m
    if expected < 1:
        return f"fewer than one (0.05 × {m} = {fmt(expected)})"
    return f"about {number_word(int(format_half_up(expected, 0)))}"


def wilcoxon_floor_sentence(n: int, m: int, n_pass: int, n_min: int) -> tuple[str, bool]:
    """The exact-Wilcoxon floor argument for n pairs and m tests: (sentence, can pass)."""
    floor = robustness.smallest_exact_wilcoxon_p(n)
    threshold = ALPHA / m
    can = robustness.wilcoxon_can_reach_threshold(n, ALPHA, m)
    most = f"{n} pairs" if n == n_min else f"{n} pairs (the most any tested behaviour has)"
    base = (f"With {most} the smallest two-sided p an exact Wilcoxon test can give is "
            f"{wilcoxon_floor_fraction(n)} = {format_small_p(floor)}, which is ")
    if not can:
        return (f"A rank-based test cannot rescue the behaviour-level claims either. {base}above the Holm "
                f"threshold of {threshold:.4f}: no behaviour can pass a Holm-corrected Wilcoxon test with this "
                f"design, whatever the data ({'none does' if n_pass == 0 else f'{n_pass} do'})."), False
    needed = next(k for k in range(1, 200) if robustness.wilcoxon_can_reach_threshold(k, ALPHA, m))
    return (f"{base}below the Holm threshold of {threshold:.4f}, so a Holm-corrected Wilcoxon test can confirm a "
            f"behaviour-level change here (it needs at least {needed} pairs with a non-zero change); "
            f"{n_pass or 'none'} of the {m} behaviours {'pass' if n_pass > 1 else 'passes'} it."), True


def power_sentence(d_z: pd.Series, mdd: float) -> str:
    d = d_z.dropna().abs()
    if d.empty:
        return "No observed area effect can be compared with it, as d_z is undefined for every area."
    above = int((d >= mdd).sum())
    if above == len(d):
        return (f"All {len(d)} observed area effects are above the first threshold; smaller but real changes "
                "could well have gone unnoticed.")
    return (f"{count_of(above, len(d), 'observed area effects').capitalize()} "
            f"{'is' if above == 1 else 'are'} above the first threshold (the smallest d_z is {fmt(d.min())}): "
            "the design had less than an 80% chance of detecting a true effect as small as that, and smaller "
            "real changes could well have gone unnoticed.")


def bayes_sentence(bayes: pd.DataFrame, n_areas: int) -> str:
    bf = bayes["bf10"].dropna()
    if bf.empty:
        return "It cannot be computed for any area here, because the changes do not vary."
    weakest = bf.idxmin()
    reading = bayes.loc[weakest, "reading"]
    strongest = "even the weakest is" if bayes.loc[weakest, "favours"] == "H1" and bayes.loc[weakest, "strength"] != "anecdotal" else "the weakest is"
    missing = n_areas - len(bf)
    tail = f" It cannot be computed for {count_of(missing, n_areas, 'areas')}, where the changes do not vary." if missing else ""
    where = " where it can be computed" if missing else ""
    return (f"For the {number_word(len(bf)) if len(bf) <= 12 else len(bf)} area{'s' if len(bf) != 1 else ''}"
            f"{where} it ranges from {bf_text(bf.min())} upwards; {strongest} {reading}.{tail}")


def rtm_sentence(rtm: pd.DataFrame) -> str:
    r = rtm["r_start_change"].dropna()
    if r.empty:
        return ("The correlation between start score and change cannot be computed here, because the changes do "
                "not vary, so regression to the mean cannot be assessed.")
    span = f"ranges from {fmt(r.min())} to {fmt(r.max())} across areas" if len(r) > 1 else f"is {fmt(r.min())}"
    o = rtm["r_mean_change"].dropna()
    oldham = (f"Oldham's correction, which correlates the change with the average of start and end, gives "
              f"{fmt(o.min())} to {fmt(o.max())}." if len(o) else "Oldham's correction cannot be computed.")
    if (r < 0).all():
        lead = f"Participants who rated themselves lowest at the start tended to gain most (the correlation between start score and change {span})."
        built_in = ("Part of that correlation is built in, because measurement error in the start score appears in "
                    "the change with the opposite sign;")
    elif (r > 0).all():
        lead = (f"Participants who rated themselves highest at the start tended to gain most, the opposite of "
                f"regression to the mean (the correlation between start score and change {span}).")
        built_in = ("Measurement error in the start score pushes this correlation the other way, towards negative "
                    "values, so the positive correlation is not an artefact of it;")
    else:
        lead = (f"There is no consistent link between start score and change (the correlation {span}).")
        built_in = ("Part of any negative correlation is built in, because measurement error in the start score "
                    "appears in the change with the opposite sign;")
    return f"{lead} {built_in} {oldham}"


def ceiling_sentence(share: float, top_labels: str, scale: str) -> str:
    if share == 0:
        return (f"No end rating is {top_labels}, the top two points of the {scale} scale, so a ceiling does not "
                "limit the change here.")
    return (f"{format_half_up(100 * share, 0)}% of end ratings are {top_labels}, the top two points of the "
            f"{scale} scale; those ratings have little room to show further change.")


def attrition_glue(attended, n: int) -> dict[str, str]:
    try:
        attended = int(attended) if attended not in (None, "") else None
    except (TypeError, ValueError):
        attended = None
    if attended is None:
        return {"attended": "not recorded", "attrition": "not known", "attrition_share": "not known",
                "attrition_sentence": (f"The cohort settings (cohort.yml) do not record how many people attended, so "
                                       f"how many are missing besides the {n} who completed both self-assessments is "
                                       "not known.")}
    missing = attended - n
    if missing < 0:
        return {"attended": str(attended), "attrition": "not known", "attrition_share": "not known",
                "attrition_sentence": (f"cohort.yml records {attended} attendees, fewer than the {n} who completed both "
                                       "self-assessments, so the attendance figure needs checking and attrition "
                                       "cannot be estimated.")}
    share = format_half_up(100 * missing / attended, 0) if attended else "0"
    if missing == 0:
        sentence = f"All {attended} people who attended the course completed both self-assessments."
    else:
        sentence = (f"{attended} people attended the course, but only {n} completed both self-assessments, so "
                    f"{missing} ({share}%) are missing from the paired comparison. Those who completed both may "
                    "well be those who got most from the course.")
    return {"attended": str(attended), "attrition": str(missing), "attrition_share": share, "attrition_sentence": sentence}


def robust_sentence(effects: pd.DataFrame, wilcoxon: pd.DataFrame, bayes: pd.DataFrame, area_holm: pd.Series,
                    names: dict[str, str], n_text: str, every: str = "in every area", n_pairs: int | None = None) -> str:
    # Where every participant changed by the same amount the t-test is undefined; the
    # Wilcoxon test (signs and ranks only) then decides whether there is a change.
    constant = effects["t"].isna() & effects["mean_change"].notna()
    p = effects["p_ttest"].where(~constant, wilcoxon["p"].reindex(effects.index))
    up = [a for a in effects.index if p[a] < ALPHA and effects.loc[a, "mean_change"] > 0]
    down = [a for a in effects.index if p[a] < ALPHA and effects.loc[a, "mean_change"] < 0]
    total = len(effects)
    if constant.all() and (effects["mean_change"] == 0).all():
        return "no area-level change: no participant's area score changed between the two self-assessments."
    if not up and not down:
        return (f"no area-level change: in none of the {total} areas analysed does the paired t-test give p < .05, "
                "so there is nothing here for the other checks to confirm.")
    who = f"the {n_text} participants who rated themselves twice"
    if up and not down:
        where = every if len(up) == total else f"in {join_words([names[a] for a in up])}"
        claim = f"{who} rated themselves clearly higher at the end, {where}."
    elif down and not up:
        where = every if len(down) == total else f"in {join_words([names[a] for a in down])}"
        claim = f"{who} rated themselves clearly lower at the end, {where}."
    else:
        claim = (f"{who} rated themselves clearly higher at the end in {join_words([names[a] for a in up])} and "
                 f"lower in {join_words([names[a] for a in down])}.")
    changed = [a for a in up + down if not constant[a]]
    same = [a for a in up + down if constant[a]]
    if same:
        claim += (f" In {'every one of these areas' if len(same) == len(up + down) else join_words([names[a] for a in same])} "
                  "every participant changed by the same amount, so the t-test, d_z and the Bayes factor are undefined; "
                  f"the Wilcoxon test, which needs no spread, gives {p_text(wilcoxon.loc[same, 'p'].max(), '≤')}.")
    if not changed:
        return claim
    checks = {
        "a test without normality": all(wilcoxon.loc[a, "p"] < ALPHA for a in changed),
        "Bayes factors": all(bayes.loc[a, "favours"] == "H1" and bayes.loc[a, "strength"] not in ("anecdotal",) for a in changed),
        "a correction for multiple testing at area level": all(area_holm[a] <= ALPHA for a in changed),
    }
    passed = [c for c, ok in checks.items() if ok]
    failed = [c for c, ok in checks.items() if not ok]
    if not failed:
        return f"{claim} This survives {join_words(passed)}."
    if not passed:
        return f"{claim} This does not survive {join_words(failed)}, so even it is fragile."
    text = f"{claim} This survives {join_words(passed)}, but not {join_words(failed)}"
    if "a test without normality" in failed and n_pairs and robustness.smallest_exact_wilcoxon_p(n_pairs) > ALPHA:
        text += f" (which cannot give p < .05 with {n_pairs} pairs)"
    return text + "."


# ------------------------------------------------------------------ helpers


def paired_units(long: pd.DataFrame, unit: str, units: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Start and end tables (participants with data at both waves x units, gaps kept as NaN)."""
    before, after, excluded = paired.paired_wide(long, unit, "score", "start", "end")
    return before.reindex(columns=units).astype(float), after.reindex(columns=units).astype(float), excluded


def survive_verb(k: int) -> str:
    """'none survives', '1 survives', '3 survive'."""
    return f"{'none' if k == 0 else k} {'survive' if k > 1 else 'survives'}"


def withheld_robustness(paths: ProjectPaths, n: int, settings, framework, cohort: dict, reason: str | None = None) -> StageResult:
    """Too few pairs to publish statistics: placeholder tables, figures and glue."""
    note = reason or (
        f"Only {n} participant(s) completed both self-assessments, fewer than the {settings.min_group_size} "
        "below which this report publishes no statistics (privacy.yml), so this chapter's analyses are withheld.")
    placeholder = pd.DataFrame({"Robustness analysis": ["withheld: too few participants"]})
    tables = {}
    for key, name, label in (("areas", "robustness_areas.md", "tbl-robust-areas"),
                             ("multiplicity", "robustness_multiplicity.md", "tbl-robust-multiplicity"),
                             ("reliability", "robustness_reliability.md", "tbl-robust-reliability")):
        write_myst_table(placeholder, paths.tables / name, note + " Source: notebook 04_robust.", label)
        tables[key] = placeholder
    tables["behaviours"] = placeholder
    for name in ("figure_slopes.png", "figure_forest.png", "figure_qq.png"):
        figures.placeholder_figure(paths.figures / name, "Withheld: too few participants")
    glue = {f"rob_{k}": "" for k in ("area_coverage", "dz_precision", "wilcoxon_method_note", "agreement",
                                     "test_agreement", "count_sentence", "correction_sentence", "synthetic_paragraph",
                                     "wilcoxon_floor", "alpha_sentence", "rtm_sentence")}
    withheld = "Withheld: too few participants (see the note at the top of this chapter)."
    for key in ("dz_sentence", "wilcoxon_sentence", "shapiro_sentence", "chance_sentence", "power_paragraph",
                "bayes_sentence", "robust_sentence", "fragile_sentence", "ceiling_sentence"):
        glue[f"rob_{key}"] = withheld
    glue["rob_rtm_sentence"] = "Not assessed: too few participants."
    glue.update({f"rob_{k}": v for k, v in attrition_glue(cohort.get("attended"), n).items()})
    glue.update({"rob_status": note, "rob_n_word": number_word(n), "rob_n": str(n),
                 "rob_n_behaviours": str(len(framework.behaviour_ids))})
    # Any key the chapter needs that is not set above reads as withheld, not "not available".
    for key in glue_references("04_robust", paths.root / "book"):
        glue.setdefault(key, "withheld")
    return StageResult(tables=tables, glue=glue)


# ------------------------------------------------------------------ the stage


def analyse_robustness(paths: ProjectPaths) -> StageResult:
    paths.ensure()
    framework = framework_for(paths)
    tidy = read_tidy_ratings(paths, framework)
    names = framework.area_names()
    settings = privacy.load_settings(paths.root)
    k = settings.min_group_size
    cohort = load_cohort(paths.data)
    compare = published_cohort(paths, framework)  # the one rule for comparing with 2013

    scores = paired.area_scores(tidy, framework, load_analysis_settings(paths.root).min_share_answered)
    area_before, area_after, excluded = paired_units(scores, "area_id", framework.area_ids)
    item_before, item_after, _ = paired_units(tidy, "behaviour_id", framework.behaviour_ids)
    n = len(item_before)  # participants with ratings at both waves
    area_n = robustness.pairs_available(area_before, area_after)
    item_n = robustness.pairs_available(item_before, item_after)
    if n < k:
        return withheld_robustness(paths, n, settings, framework, cohort)
    shown_areas = area_n.index[area_n >= k].tolist()
    if not shown_areas:
        return withheld_robustness(paths, n, settings, framework, cohort, reason=(
            f"No area has a score at both waves for at least {k} participants (the most is {int(area_n.max())}), "
            "the number below which this report publishes no statistics (privacy.yml), so this chapter's analyses "
            "are withheld."))
    withheld_areas = [a for a in framework.area_ids if a not in shown_areas]

    def per_area(func):
        return robustness.by_available_pairs(func, area_before, area_after, min_n=k)

    def per_item(func):
        return robustness.by_available_pairs(func, item_before, item_after, min_n=k)

    effects = per_area(robustness.paired_effect_sizes)
    wilcoxon = per_area(robustness.wilcoxon_signed_rank)
    normality = per_area(robustness.normality_of_changes)
    bayes = per_area(robustness.bayes_factors)
    rtm = per_area(robustness.regression_to_mean)
    area_holm = robustness.multiple_comparisons(effects["p_ttest"])["p_holm"]

    item_effects = per_item(robustness.paired_effect_sizes)
    item_wilcoxon = per_item(robustness.wilcoxon_signed_rank)
    behaviour_tests = paired.behaviour_table(tidy, framework, ALPHA).set_index("behaviour_id")
    # The family: behaviours with enough pairs and a defined t-test (a change that does
    # not vary has none); the published analysis's own p values, so the counts match it.
    tested = (item_n >= k) & item_effects["p_ttest"].notna()
    p_t = behaviour_tests["p"].where(tested)
    corrections = robustness.multiple_comparisons(p_t)
    wilcoxon_corrections = robustness.multiple_comparisons(item_wilcoxon["p"])
    m = int(corrections["p"].notna().sum())
    sig = corrections["p"] < ALPHA

    wave_items = {}
    for wave in ("start", "end"):
        wide = tidy[tidy["wave"] == wave].pivot_table(index="participant_id", columns="behaviour_id", values="score", aggfunc="first")
        wave_items[wave] = wide.reindex(columns=framework.behaviour_ids).astype(float)
    reliability = pd.concat(
        {w: robustness.cronbach_alpha_by_area(t, framework.items_by_area(), min_n=k) for w, t in wave_items.items()}, names=["wave"]
    ).reset_index()
    top = framework.scale_max - 1
    ceiling = robustness.ceiling_share(wave_items["end"].dropna(how="all"), threshold=top)
    top_labels = f"{top} or {framework.scale_max}"
    scale_text = f"{framework.scale_min}–{framework.scale_max}"

    areas_table = (
        effects.join(wilcoxon, suffixes=("", "_wilcoxon")).join(normality, suffixes=("", "_shapiro"))
        .join(bayes, suffixes=("", "_bayes")).join(rtm, suffixes=("", "_rtm"))
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

    # ---- table 5.1: areas (rows below the privacy threshold say so)
    show = pd.DataFrame({"Area": [names[a] for a in effects.index]}, index=effects.index)
    vary_n = area_n[shown_areas].nunique() > 1 or bool(withheld_areas)
    if vary_n:
        show["n"] = area_n.astype(int).astype(str)
    show["Mean change [95% CI]"] = [f"{fmt(r.mean_change)} [{fmt(r.ci_low)}, {fmt(r.ci_high)}]" for r in effects.itertuples()]
    show["d_z [95% CI]"] = [f"{fmt_or_undefined(r.d_z)} [{fmt(r.d_z_ci_low)}, {fmt(r.d_z_ci_high)}]" for r in effects.itertuples()]
    show["d_av"] = effects["d_av"].map(fmt).to_numpy()
    show["Wilcoxon p (method)"] = [f"{p_or_undefined(r.p)} ({r.method})" for r in wilcoxon.itertuples()]
    show["r_rb"] = wilcoxon["rank_biserial"].map(fmt).to_numpy()
    show["HL change"] = wilcoxon["hodges_lehmann"].map(fmt).to_numpy()
    show["Shapiro–Wilk W (p)"] = [f"{fmt(r.shapiro_w)} ({p_or_undefined(r.shapiro_p)})" for r in normality.itertuples()]
    show["BF10"] = bayes["bf10"].map(lambda v: fmt(v, 1) if not np.isfinite(v) or v < 1000 else f"{v:.2g}").to_numpy()
    show["Reading"] = bayes["reading"].to_numpy()
    for area in withheld_areas:
        show.loc[area, show.columns[2 if vary_n else 1]:] = "–"
        show.loc[area, "Mean change [95% CI]"] = privacy.withheld_text(k)
        show.loc[area, "n"] = f"< {k}"
    show = show.reset_index(drop=True)
    write_myst_table(show, paths.tables / "robustness_areas.md",
                     "Effect sizes and sensitivity checks for the change in each area score (end minus start). "
                     "d_z = mean change / SD of changes (CI from the noncentral t); d_av = mean change / mean of the two SDs; "
                     "r_rb = matched-pairs rank-biserial correlation; HL = Hodges–Lehmann estimate; BF10 = Bayes factor "
                     "(JZS prior, r = 0.707). Source: notebook 04_robust.", "tbl-robust-areas")

    # ---- table 5.2: multiplicity
    survive = pd.DataFrame({"Area": [names[a] for a in framework.area_ids]})
    by_area = behaviours_table.join(behaviour_tests[["area_id"]]).assign(sig=sig, tested=tested)
    grouped = by_area.groupby("area_id").agg(raw=("sig", "sum"), holm=("pass_holm_ttest", "sum"), bh=("pass_bh_ttest", "sum"),
                                             wil=("wilcoxon_pass_holm", "sum"), tested=("tested", "sum"),
                                             total=("tested", "size")).reindex(framework.area_ids)
    if compare:
        survive["Published p < .05"] = APPENDIX3_SIGNIFICANT.set_index("area_id")["n_significant"].reindex(framework.area_ids).astype("Int64").astype(str).to_numpy()
    if m < len(framework.behaviour_ids):
        survive["Tested"] = [f"{int(r.tested)} of {int(r.total)}" for r in grouped.itertuples()]
    survive["Reproduced p < .05" if compare else "p < .05"] = grouped["raw"].astype(int).astype(str).to_numpy()
    survive["Pass Holm"] = grouped["holm"].astype(int).astype(str).to_numpy()
    survive["Pass Benjamini–Hochberg"] = grouped["bh"].astype(int).astype(str).to_numpy()
    survive["Wilcoxon, pass Holm"] = grouped["wil"].astype(int).astype(str).to_numpy()
    write_myst_table(survive, paths.tables / "robustness_multiplicity.md",
                     f"Behaviours with a significant change, before and after correcting for {m} tests (t-tests unless stated). "
                     "Source: notebook 04_robust.", "tbl-robust-multiplicity")

    # ---- table 5.3: reliability
    rel_show = pd.DataFrame({
        "Area": reliability["unit"].map(names),
        "Wave": reliability["wave"].map(framework.waves.set_index("wave")["wave_label"]),
        "Behaviours": reliability["n_items"].astype(int).astype(str),
    })
    rel_n = reliability["n_participants"].astype(int)
    if rel_n.nunique() > 1 or int(rel_n.iloc[0]) != n:
        rel_show["People"] = [str(v) if v >= k else f"< {k}" for v in rel_n]
    rel_show["Cronbach's alpha [95% CI]"] = [
        f"{fmt(r.alpha)} [{fmt(r.ci_low)}, {fmt(r.ci_high)}]" if r.n_participants >= k else privacy.withheld_text(k)
        for r in reliability.itertuples()]
    write_myst_table(rel_show, paths.tables / "robustness_reliability.md",
                     "Internal consistency of each area at each wave (Cronbach's alpha, Feldt CI). Source: notebook 04_robust.",
                     "tbl-robust-reliability")

    # ---- figures: only the areas with statistics
    analysed = [a for a in shown_areas if effects.loc[a, "mean_change"] == effects.loc[a, "mean_change"]]
    figures.slope_figure(area_before[shown_areas], area_after[shown_areas], framework, paths.figures / "figure_slopes.png")
    figures.forest_figure(item_effects, corrections["pass_holm"], framework, paths.figures / "figure_forest.png")
    figures.qq_figure((area_after - area_before)[analysed], framework, paths.figures / "figure_qq.png")

    # ---- glue
    shown = effects.loc[shown_areas]
    n_area_min, n_area_max = int(area_n[shown_areas].min()), int(area_n[shown_areas].max())
    area_n_text = str(n_area_min) if n_area_min == n_area_max else f"{n_area_min} to {n_area_max}"
    if not vary_n:
        coverage = f"Each area is based on the same {n_area_min} participants."
    else:
        coverage = (f"Each area uses every participant with a score for it at both waves (n = {area_n_text} "
                    "in the areas reported).")
        if withheld_areas:
            listed = join_words([names[a] for a in withheld_areas])
            coverage += (f" Statistics are withheld for {listed}, which {'has' if len(withheld_areas) == 1 else 'have'} "
                         f"fewer than the {k} participants below which this report publishes none (privacy.yml).")
    mdd_area = robustness.minimum_detectable_dz(n_area_min, alpha=ALPHA, power=0.80)
    tested_n = item_n[tested]
    g: dict[str, str] = {
        "status": "", "n": str(n), "n_word": number_word(n), "m": str(m), "n_behaviours": str(len(framework.behaviour_ids)),
        "area_coverage": coverage,
        "dz_sentence": dz_sentence(shown["d_z"]),
        "dz_precision": dz_precision_sentence(shown, names),
        "wilcoxon_sentence": wilcoxon_sentence(wilcoxon.loc[shown_areas, "p"], wilcoxon.loc[shown_areas, "method"], n_area_max),
        "wilcoxon_method_note": wilcoxon_method_note(set(wilcoxon.loc[shown_areas].dropna(subset=["p"])["method"])),
        "agreement": agreement_sentence(shown, wilcoxon.loc[shown_areas]),
        "shapiro_sentence": shapiro_sentence(normality.loc[shown_areas, "shapiro_p"], area_n_text, n_area_max),
        "test_agreement": test_agreement_sentence(shown["p_ttest"], wilcoxon.loc[shown_areas, "p"], names, n_area_max),
        "bayes_sentence": bayes_sentence(bayes.loc[shown_areas], len(shown_areas)),
        "rtm_sentence": rtm_sentence(rtm.loc[shown_areas]),
        "ceiling_sentence": ceiling_sentence(ceiling["n_at_or_above"].sum() / max(ceiling["n_ratings"].sum(), 1), top_labels, scale_text),
        "ceiling_share": format_half_up(100 * ceiling["n_at_or_above"].sum() / max(ceiling["n_ratings"].sum(), 1), 0),
        "ceiling_labels": top_labels,
        "n_excluded": str(len(excluded)),
        "robust_sentence": robust_sentence(shown, wilcoxon, bayes, area_holm, names, number_word(n),
                                           "in every area reported" if withheld_areas else "in every area", n_area_max),
    }
    g.update(attrition_glue(cohort.get("attended"), n))

    # Behaviours: the family, the corrections and the Wilcoxon floor.
    n_untested = len(framework.behaviour_ids) - m
    if m == 0:
        g["chance_sentence"] = (f"No behaviour can be tested in this cohort: each has fewer than {k} pairs or a change "
                                "that does not vary, so there is nothing to correct.")
        g["count_sentence"] = g["correction_sentence"] = g["wilcoxon_floor"] = ""
        g["fragile_sentence"] = "anything about which behaviours changed: no behaviour could be tested."
    else:
        untested = ""
        if n_untested:
            few = int(((item_n < k)).sum())
            flat = n_untested - few
            reasons = []
            if few:
                reasons.append(f"{few if n_untested > 1 else 'it has'} {'with ' if n_untested > 1 else ''}fewer than {k} "
                               "pairs, for which no statistic is published (privacy.yml)")
            if flat:
                reasons.append(f"{flat if n_untested > 1 else 'every participant'}{' where every participant' if n_untested > 1 else ''}"
                               "'s change was the same, so no test is defined")
            verb = "is" if n_untested == 1 else "are"
            untested = (f" {n_untested} of the {len(framework.behaviour_ids)} behaviours {verb} not tested: "
                        f"{join_words(reasons)}.")
        n_min, n_max = int(tested_n.min()), int(tested_n.max())
        per_n = f"each on its {n_min} pairs" if n_min == n_max else f"each on its own available pairs ({n_min} to {n_max})"
        g["chance_sentence"] = (f"Testing {m} behaviours at p < .05, {per_n}, would, with no real change anywhere, flag "
                                f"{expected_false_positives(m)} by chance.{untested}")
        n_raw = int(sig.sum())
        if compare:
            g["count_sentence"] = (f"The 2013 report counted {int(APPENDIX3_SIGNIFICANT['n_significant'].sum())} behaviours "
                                   f"with p < .05; our data reproduce {n_raw}.")
        else:
            g["count_sentence"] = (f"In this cohort {n_raw} behaviour{'s have' if n_raw != 1 else ' has'} p < .05 in "
                                   f"{'their' if n_raw != 1 else 'its'} own paired t-test (the comparison with the "
                                   "2013 report applies only to the 2013 cohort).")
        threshold = f"{ALPHA / m:.4f}"
        if n_raw == 0:
            g["correction_sentence"] = (f"With none below .05, none can pass a correction either (Holm's threshold "
                                        f"for the smallest p would be {threshold}).")
        else:
            g["correction_sentence"] = (
                f"Of these, {survive_verb(int(corrections['pass_holm'].sum()))} the Holm correction (which controls the chance "
                f"of any false positive; threshold for the smallest p: {threshold}) and {int(corrections['pass_bh'].sum()) or 'none'} "
                "the Benjamini–Hochberg correction (which controls the expected share of false positives).")
        n_wil_pass = int(wilcoxon_corrections["pass_holm"].sum())
        g["wilcoxon_floor"], can = wilcoxon_floor_sentence(n_max, m, n_wil_pass, n_min)
        if can:
            fragile = (f"with up to {n_max} people per behaviour a Holm-corrected Wilcoxon test can confirm a "
                       f"behaviour-level change, and {n_wil_pass or 'none'} of the {m} behaviours {'pass' if n_wil_pass > 1 else 'passes'} it")
        else:
            fragile = (f"the behaviour-level counts rest on a method that cannot pass a rank-based multiple-testing "
                       f"correction with {n_max} people per behaviour")
        if compare:
            fragile += ", and their survival under Holm in our data is a property of the synthetic data."
        else:
            n_holm = int(corrections['pass_holm'].sum())
            fragile += f"; {n_holm or 'none'} of the {m} t-tests {'survive' if n_holm > 1 else 'survives'} the Holm correction."
        g["fragile_sentence"] = "anything about which behaviours changed. " + fragile[0].upper() + fragile[1:]
        mdd_item = robustness.minimum_detectable_dz(n_max, alpha=ALPHA / m, power=0.80)
        most = f"{n_max} pairs" if n_min == n_max else f"{n_max} pairs (the most any behaviour has)"
        item_power = f" For a single behaviour with {most} tested at the Holm threshold the smallest detectable change is d_z = {fmt(mdd_item)}."
    if m == 0:
        item_power = ""
    g["power_paragraph"] = (
        f"With {n_area_min} pairs{'' if n_area_min == n_area_max else ' (the fewest in any area reported)'}, a paired "
        f"t-test at the two-sided 5% level has an 80% chance of detecting a standardised change (d_z) of "
        f"{fmt(mdd_area)} or more.{item_power} {power_sentence(shown['d_z'], mdd_area)}")
    g["synthetic_paragraph"] = synthetic_paragraph(compare, p_t, sig)

    # The alpha sentence: how many people, the range, how precise.
    rel = reliability[(reliability["n_participants"] >= k) & reliability["alpha"].notna()]
    if rel.empty:
        g["alpha_sentence"] = (f"It cannot be computed here: no area has {k} or more participants who rated all its "
                               "behaviours at a wave, or their total scores do not vary.")
    else:
        lo, hi = int(rel["n_participants"].min()), int(rel["n_participants"].max())
        people = f"{lo} people" if lo == hi else f"{lo} to {hi} people, depending on area and wave"
        g["alpha_sentence"] = alpha_sentence(rel, people, len(reliability) - len(rel))
    for area in shown_areas:
        row = effects.loc[area]
        key = area.lower()
        g[f"{key}_dz"] = fmt_or_undefined(row["d_z"])
        g[f"{key}_dz_ci"] = f"{fmt(row['d_z_ci_low'])} to {fmt(row['d_z_ci_high'])}"
        g[f"{key}_change_ci"] = f"{fmt(row['ci_low'])} to {fmt(row['ci_high'])}"
    glue = {f"rob_{key}": value for key, value in g.items()}
    for key in glue_references("04_robust", paths.root / "book"):
        glue.setdefault(key, "")
    return StageResult(tables={"areas": show, "multiplicity": survive, "reliability": rel_show,
                               "behaviours": behaviours_table.reset_index()}, glue=glue)


def synthetic_paragraph(compare: bool, p: pd.Series, sig: pd.Series) -> str:
    """Only for the 2013 cohort: what the reproduced behaviour counts rest on."""
    if not compare:
        return ""
    text = ("This part of the result says more about our synthetic data than about the 2013 cohort. The published "
            "report gives only the count of behaviours with p < .05, not their p values")
    sig_p, rest = p[sig], p[~sig & p.notna()]
    if len(sig_p) and len(rest) and sig_p.max() < 0.001 and rest.min() > 0.05:
        text += ("; our generator happened to place the significant ones well below .001 and the rest well above "
                 ".05. Real data could have put several close to .05, where a correction would remove them.")
    else:
        text += ", so whether they would survive a correction in the real data is not known."
    return text


def alpha_sentence(rel: pd.DataFrame, people: str, skipped: int) -> str:
    """Cronbach's alpha: range, precision and what it allows (0.7: the usual rule of thumb)."""
    low, high, ci_low = rel["alpha"].min(), rel["alpha"].max(), rel["ci_low"].min()
    width = (rel["ci_high"] - rel["ci_low"]).max()
    text = f"Here that is {people}. Alpha ranges from {fmt(low)} to {fmt(high)}"
    if width >= 0.5:
        verdict = ("only that they are not obviously incoherent" if low >= 0.7 else
                   "and at least one area's alpha is below 0.7, the level often taken as acceptable, so that area "
                   "score should be read with caution")
        text += (f", but its intervals are very wide (the lowest limit is {fmt(ci_low)}): the data cannot say "
                 f"whether the areas are reliable scales, {verdict}.")
    elif ci_low >= 0.7:
        text += (f", and the intervals are fairly narrow (the lowest limit is {fmt(ci_low)}), so every area "
                 "behaves as a consistent scale at the level often taken as acceptable (0.7).")
    else:
        text += (f"; the intervals are fairly narrow, but the lowest limit, {fmt(ci_low)}, is below 0.7, the level "
                 "often taken as acceptable, so at least one area may be a weaker scale than its alpha suggests.")
    if skipped:
        text += f" Alpha is withheld or undefined for {skipped} area-wave combination{'s' if skipped != 1 else ''}."
    return text
