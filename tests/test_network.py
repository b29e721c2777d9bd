"""The report across cohorts (issue 16): network file, per-cohort effects, pooling, page.

The pooled numbers are checked against the random-effects formulas written out here
with numpy and scipy (DerSimonian and Laird 1986; REML by maximising the restricted
likelihood of Viechtbauer 2005 with a bounded optimiser; Hartung-Knapp interval;
I-squared of Higgins and Thompson 2002; prediction interval of Higgins, Thompson and
Spiegelhalter 2009), not with the package's own meta-analysis code.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lehc_report.render.text import myst_literal
import yaml
from scipy import optimize, stats

from lehc_report.network import prose
from lehc_report.network.compute import compute_network, write_results
from lehc_report.network.config import NetworkError, load_network
from lehc_report.network.demo import write_demo
from lehc_report.network.report import network_page

ROOT = Path(__file__).resolve().parents[1]
#: A label full of Markdown and HTML: it must reach the page as text.
MARKUP_LABEL = "Eastern <b>two</b> *run* [x](y) $z$ {{w}}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    """The demonstration network (one label replaced by markup), computed once."""
    folder = tmp_path_factory.mktemp("network")
    network_file = write_demo(folder / "demo", ROOT)
    spec = yaml.safe_load(network_file.read_text(encoding="utf-8"))
    spec["cohorts"][-1]["label"] = MARKUP_LABEL
    network_file.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    results = compute_network(load_network(network_file), ROOT, folder / "build", jobs=1)
    written = write_results(results, folder / "build" / "network" / "results")
    return {"folder": folder, "network": network_file, "results": results,
            "effects": pd.read_csv(written["cohort_effects"]), "pooled": pd.read_csv(written["pooled"]),
            "page": network_page(results, {})}


# ------------------------------------------------------------------ independent pooling


def independent_random_effects(y: np.ndarray, v: np.ndarray, level: float = 0.95) -> dict:
    """The random-effects quantities from their textbook formulas (numpy/scipy only)."""
    k = len(y)
    w = 1 / v
    fixed = np.sum(w * y) / np.sum(w)
    q = np.sum(w * (y - fixed) ** 2)
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    tau2_dl = max(0.0, (q - (k - 1)) / c)

    def negative_restricted_loglik(tau2):  # Viechtbauer (2005), eq. 5 up to a constant
        wt = 1 / (v + tau2)
        mu = np.sum(wt * y) / np.sum(wt)
        return 0.5 * (np.sum(np.log(v + tau2)) + np.log(np.sum(wt)) + np.sum(wt * (y - mu) ** 2))

    fit = optimize.minimize_scalar(negative_restricted_loglik, bounds=(0, 10 * (np.var(y) + v.max()) + 1), method="bounded",
                                   options={"xatol": 1e-12})
    tau2 = fit.x if negative_restricted_loglik(fit.x) < negative_restricted_loglik(0.0) else 0.0
    wt = 1 / (v + tau2)
    mu = np.sum(wt * y) / np.sum(wt)
    se = np.sqrt(1 / np.sum(wt))
    se_hk = np.sqrt(np.sum(wt * (y - mu) ** 2) / ((k - 1) * np.sum(wt)))  # Hartung-Knapp
    t_ci = stats.t.ppf((1 + level) / 2, k - 1)
    s2 = (k - 1) * np.sum(w) / (np.sum(w) ** 2 - np.sum(w**2))  # typical within-study variance
    pi = (np.nan, np.nan)
    if k >= 3:
        half = stats.t.ppf((1 + level) / 2, k - 2) * np.sqrt(tau2 + se**2)
        pi = (mu - half, mu + half)
    return {"k": k, "estimate": mu, "ci_low": mu - t_ci * se_hk, "ci_high": mu + t_ci * se_hk, "tau2": tau2,
            "i2": 100 * tau2 / (tau2 + s2), "q": q, "q_p": stats.chi2.sf(q, k - 1), "pi_low": pi[0], "pi_high": pi[1],
            "tau2_dl": tau2_dl}


def test_pooled_csv_matches_the_formulas_written_out(demo):
    effects, pooled = demo["effects"], demo["pooled"]
    assert list(pooled.columns) == ["area", "comparison", "measure", "k", "estimate", "ci_low", "ci_high", "tau2", "i2", "q",
                                    "q_p", "pi_low", "pi_high", "tau2_dl"]
    assert len(pooled) == 4 * 2 * 2  # four areas, two comparisons, two measures
    for row in pooled.itertuples():
        rows = effects[(effects["area"] == row.area) & (effects["comparison"] == row.comparison)]
        y, v = {"d_z": ("d_z", "var_d_z"), "mean_change": ("mean_change", "var_mean_change")}[row.measure]
        expected = independent_random_effects(rows[y].to_numpy(float), rows[v].to_numpy(float))
        for key, value in expected.items():
            # REML by two different optimisers: agree to 1e-6 in tau2 and what follows from it.
            assert getattr(row, key) == pytest.approx(value, rel=1e-5, abs=1e-6), (row.area, row.comparison, row.measure, key)


def test_pooling_has_heterogeneity_to_find_and_the_follow_up_is_pooled_over_three_cohorts(demo):
    pooled = demo["pooled"]
    start_end = pooled[pooled["comparison"] == "start_to_end"]
    assert set(start_end["k"]) == {5}  # six cohorts, one too small
    assert (start_end["tau2"] > 0).any() and (start_end["i2"] > 0).any()
    assert set(pooled.loc[pooled["comparison"] == "end_to_follow_up", "k"]) == {3}


def test_cohort_effects_are_the_paired_changes_of_the_area_scores(demo):
    """One cohort's start-to-end row recomputed from its raw CSVs."""
    folder = demo["network"].parent / "south-2020"
    framework = yaml.safe_load((ROOT / "data" / "framework.yml").read_text(encoding="utf-8"))
    start = pd.read_csv(folder / "self_assessment_start.csv", index_col=0)
    end = pd.read_csv(folder / "self_assessment_end.csv", index_col=0)
    effects = demo["effects"].set_index(["cohort", "area", "comparison"])
    for area in framework["areas"]:
        items = [b["id"] for b in area["behaviours"]]
        change = end[items].mean(axis=1) - start[items].mean(axis=1)
        n, mean, sd = len(change), change.mean(), change.std(ddof=1)
        row = effects.loc[("south-2020", area["id"], "start_to_end")]
        assert row["n"] == n == 30
        assert row["mean_change"] == pytest.approx(mean, rel=1e-9)
        assert row["d_z"] == pytest.approx(mean / sd, rel=1e-9)
        assert row["var_d_z"] == pytest.approx(1 / n + (mean / sd) ** 2 / (2 * n), rel=1e-9)
        assert row["var_mean_change"] == pytest.approx(sd**2 / n, rel=1e-9)


# ------------------------------------------------------------------------ privacy, page


def test_the_small_cohort_is_left_out_with_its_sentence(demo):
    assert "south-2023" not in set(demo["effects"]["cohort"])
    assert demo["results"].left_out["small"] == ["south-2023"]
    page = demo["page"]
    assert (f"{prose.md_text('Southern short course')} ({prose.md_text('south-2023')}) is left out of every table that "
            "shows an outcome and of the pooling: fewer than 5 participants rated themselves at both the start and the end") in page
    outcome_sections = page.split("## Each cohort's results")[1]
    assert prose.md_text("south-2023") not in outcome_sections and "Southern short course" not in outcome_sections
    cohort_row = next(line for line in page.splitlines() if line.startswith("| south") and "2023" in line)
    assert "| withheld |" in cohort_row


def test_text_from_the_network_file_reaches_the_page_as_text(demo):
    escaped = prose.md_text(MARKUP_LABEL)
    assert escaped == myst_literal(MARKUP_LABEL)  # the project's one escaping path
    assert escaped in demo["page"] and MARKUP_LABEL not in demo["page"]
    assert prose.md_text("a | b") == "a \\| b" and prose.md_text("a | b", in_table=True) == "a | b"


def test_summary_says_what_the_pooled_numbers_hold(demo):
    summary = demo["page"].split("## The cohorts")[0]
    assert ("Pooled over five cohorts, self-ratings from the start to the end of the course rose in every area "
            "(d_z from 1.08 to 1.26; 0.96 to 1.01 rating points).") in summary
    assert "Pooled over three cohorts, self-ratings from the end of the course to the follow-up fell in every area" in summary
    assert ("The 95% prediction interval for a new cohort like these lies above zero in every area "
            "(a new cohort would be expected to rise).") in summary


def pooled_rows(**columns) -> pd.DataFrame:
    base = {"area": ["A", "B"], "comparison": "start_to_end", "measure": "d_z", "k": 2, "estimate": [0.5, -0.1],
            "ci_low": [0.1, -0.6], "ci_high": [0.9, 0.4], "tau2": 0.0, "i2": [10.0, 30.0], "q": 1.0, "q_p": 0.3,
            "pi_low": np.nan, "pi_high": np.nan, "tau2_dl": 0.0}
    base.update(columns)
    return pd.DataFrame(base)


def test_two_cohorts_get_a_sentence_instead_of_a_prediction_interval():
    text = prose.comparison_summary(pooled_rows(), "start_to_end", "from the start to the end of the course",
                                    {"A": "Area *A*", "B": "Area B"})
    assert text == [
        "Pooled over two cohorts, self-ratings from the start to the end of the course rose in Area \\*A\\* (d_z = 0.50) "
        "and showed no clear change (the interval, very wide with two cohorts, includes zero) in Area B (d_z = -0.10).",
        "Beyond what sampling alone would give, the cohorts' results differ somewhat (I² from 10% to 30%; "
        "Higgins et al. 2003 read 25%, 50% and 75% as low, moderate and high).",
        "No prediction interval for a new cohort is given: it needs at least three cohorts (t on k − 2 degrees of "
        "freedom), and only two are pooled here.",
    ]


def test_one_cohort_is_not_pooled():
    rows = pooled_rows(k=1, ci_low=np.nan, ci_high=np.nan, i2=np.nan)
    assert prose.comparison_summary(rows, "start_to_end", "from the start to the end of the course", {"A": "A", "B": "B"}) == [
        "Only one cohort can be pooled from the start to the end of the course, so there is no pooled estimate: its own "
        "figures are in the cohort table."]


# --------------------------------------------------------------------------- refusals


def write_network(folder: Path, cohorts: list[dict]) -> Path:
    path = folder / "network.yml"
    path.write_text(yaml.safe_dump({"cohorts": cohorts}, sort_keys=False), encoding="utf-8")
    return path


def test_an_unknown_key_is_refused_in_one_line(tmp_path):
    (tmp_path / "a").mkdir()
    path = write_network(tmp_path, [{"id": "a", "label": "A", "year": 2020, "region": "North", "data": "a", "yeer": 2021}])
    with pytest.raises(NetworkError) as caught:
        load_network(path)
    assert str(caught.value) == (f"network.yml: cohort 'a' (entry 1), key 'yeer': unknown key; a cohort has id, label, "
                                 f"year, region and data (the file has title and cohorts) [{path}]")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("entry", "expected"), [
    ({"id": "a", "label": "A", "year": 2020, "data": "a"}, "cohort 'a' (entry 1), key 'region': missing"),
    ({"id": "a b", "label": "A", "year": 2020, "region": "N", "data": "a"}, "cohort 'a b' (entry 1), key 'id': must be letters"),
    ({"id": "a", "label": "A", "year": "soon", "region": "N", "data": "a"}, "cohort 'a' (entry 1), key 'year': input should be"),
    ({"id": "a", "label": "A", "year": 2020, "region": "N", "data": "nowhere"}, "cohort 'a' (entry 1), key 'data': no folder"),
])
def test_bad_cohort_entries_name_the_cohort_and_the_key(tmp_path, entry, expected):
    (tmp_path / "a").mkdir()
    with pytest.raises(NetworkError, match=None) as caught:
        load_network(write_network(tmp_path, [entry]))
    assert str(caught.value).startswith(f"network.yml: {expected}") and "\n" not in str(caught.value)


def test_a_cohort_with_another_framework_is_refused_in_one_line(tmp_path):
    network_file = write_demo(tmp_path / "demo", ROOT)
    other = tmp_path / "demo" / "east-2022"
    framework = yaml.safe_load((ROOT / "data" / "framework.yml").read_text(encoding="utf-8"))
    framework["areas"][0]["id"] = "SX"
    (other / "framework.yml").write_text(yaml.safe_dump(framework, sort_keys=False), encoding="utf-8")
    spec = yaml.safe_load(network_file.read_text(encoding="utf-8"))
    spec["cohorts"] = spec["cohorts"][2:4]  # north-2021, east-2022
    network_file.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with pytest.raises(NetworkError) as caught:
        compute_network(load_network(network_file), ROOT, tmp_path / "build")
    assert str(caught.value) == (
        "network.yml: cohort 'east-2022' (entry 2), key 'data': its framework (areas SX, DT, FC, FO) differs from cohort "
        "'north-2021''s (areas SI, DT, FC, FO); only cohorts that share a framework can be pooled: list the others in a "
        f"network of their own [{network_file}]")


def test_the_command_line_ends_bad_input_with_one_line(tmp_path):
    path = write_network(tmp_path, [{"id": "a", "label": "A", "year": 2020, "region": "N", "data": "missing"}])
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "lehc_report.tools.network", "results", str(path),
                           "--build", str(tmp_path / "build")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"network: network.yml: cohort 'a' (entry 1), key 'data': no folder {tmp_path / 'missing'} [{path}]"]


def test_an_unlinked_cohort_shows_hedges_g_and_is_left_out_of_the_pooling(demo):
    """west-2022 declares 'linking: {by: none}': Hedges' g from its raw CSVs, by the textbook formula."""
    results = demo["results"]
    assert "west-2022" not in set(demo["effects"]["cohort"]) and results.left_out["unlinked"] == ["west-2022"]
    assert (f"{prose.md_text('Western course, anonymous questionnaires')} ({prose.md_text('west-2022')}) used questionnaires that cannot be linked person to "
            "person, so no paired change (d_z) can be computed: its waves are compared as independent samples (Hedges' g, "
            "shown in its own table) and left out of the pooling.") in demo["page"]
    folder = demo["network"].parent / "west-2022"
    framework = yaml.safe_load((ROOT / "data" / "framework.yml").read_text(encoding="utf-8"))
    start = pd.read_csv(folder / "self_assessment_start.csv")
    end = pd.read_csv(folder / "self_assessment_end.csv")
    shown = results.independent_effects.set_index(["area", "comparison"])
    for area in framework["areas"]:
        items = [b["id"] for b in area["behaviours"]]
        x, y = start[items].mean(axis=1).to_numpy(), end[items].mean(axis=1).to_numpy()
        n1, n2 = len(x), len(y)
        s_pooled = np.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
        d = (y.mean() - x.mean()) / s_pooled
        g = (1 - 3 / (4 * (n1 + n2) - 9)) * d  # Hedges and Olkin (1985): J = 1 - 3 / (4 df - 1)
        row = shown.loc[(area["id"], "start_to_end")]
        assert (row["n_before"], row["n_after"]) == (21, 18)
        assert row["hedges_g"] == pytest.approx(g, rel=1e-9)
        assert row["p"] == pytest.approx(stats.ttest_ind(y, x, equal_var=False).pvalue, rel=1e-9)


# ------------------------------------------------------------------------------ build


@pytest.mark.slow
def test_make_network_demo_builds_html_and_pdf(tmp_path):
    build = tmp_path / "build"
    done = subprocess.run(["make", "--no-print-directory", "network-demo", f"BUILD={build}", "JOBS=2"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    page = (build / "network" / "html" / "index.html").read_text(encoding="utf-8")
    assert "Pooled across cohorts" in page and "fig-network-forest-si" in page
    # Every cohort's own report is linked, the unlinked one (an independent-samples report) included.
    for cohort in ("north-2019", "south-2020", "north-2021", "east-2022", "south-2023", "east-2024", "west-2022"):
        assert f'href="../cohorts/{cohort}/html/index.html"' in page
        assert (build / "network" / "cohorts" / cohort / "html" / "index.html").is_file()
    assert (build / "network" / "pdf" / "network.pdf").stat().st_size > 50_000
    assert (build / "network" / "results" / "pooled.csv").is_file()


def test_the_command_line_marks_its_build_folder_and_refuses_a_foreign_one(tmp_path):
    network_file = write_network(tmp_path, [{"id": "a", "label": "A", "year": 2020, "region": "N", "data": "a"}])
    shutil.copytree(ROOT / "tests" / "cohorts" / "cohort_b", tmp_path / "a")
    python = str(ROOT / ".venv" / "bin" / "python")
    done = subprocess.run([python, "-m", "lehc_report.tools.network", "results", str(network_file), "--build", str(tmp_path / "b")],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "b" / ".lehc-build").is_file() and (tmp_path / "b" / "network" / "cohorts" / "a" / ".lehc-build").is_file()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    done = subprocess.run([python, "-m", "lehc_report.tools.network", "results", str(network_file), "--build", str(foreign)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith(f"network: BUILD={foreign} is a folder that is not empty and not a build folder")


# ------------------------------------------------------------------ themes across cohorts (issue 16)


def raw_theme_counts(folder: Path) -> pd.DataFrame:
    """Respondents per theme straight from a cohort's raw files (codings.csv, codebook.yml, respondents.csv),
    without the package's tally: ``theme, count, n``."""
    codebook = yaml.safe_load((folder / "codebook.yml").read_text(encoding="utf-8"))
    theme_of = {code["id"]: theme["id"] for theme in codebook["themes"] for code in theme["codes"]}
    codings = pd.read_csv(folder / "codings.csv", dtype=str)
    codings = codings[codings["coder"] == "A"]
    raised = codings.assign(theme=codings["code_id"].map(theme_of), respondent=codings["segment_id"].str.split("-").str[0])
    counts = raised.groupby("theme")["respondent"].nunique()
    n = len(pd.read_csv(folder / "respondents.csv", dtype=str))
    themes = [theme["id"] for theme in codebook["themes"]]
    return pd.DataFrame({"theme": themes, "count": [int(counts.get(t, 0)) for t in themes], "n": n})


def test_theme_shares_csv_holds_the_cohorts_that_share_a_codebook_with_small_cells_withheld(demo):
    shares = pd.read_csv(demo["folder"] / "build" / "network" / "results" / "theme_shares.csv", dtype={"codebook": str})
    assert list(shares.columns) == ["codebook", "cohort", "theme", "n", "count", "share", "suppressed"]
    # north-2021 has a codebook of its own; the others have no qualitative data.
    assert list(dict.fromkeys(shares["cohort"])) == ["north-2019", "south-2020", "east-2024"]
    assert shares["codebook"].nunique() == 1
    assert demo["results"].own_codebook == ["north-2021"]
    shown = withheld = 0
    for cohort, rows in shares.groupby("cohort", sort=False):
        raw = raw_theme_counts(demo["folder"] / "demo" / cohort)
        merged = rows.merge(raw, on="theme", suffixes=("", "_raw"), validate="one_to_one")
        assert (merged["n"] == merged["n_raw"]).all() and len(merged) == 9
        small = ((merged["count_raw"] > 0) & (merged["count_raw"] < 5)) | ((merged["n"] - merged["count_raw"]).between(1, 4))
        assert merged.loc[small, "count"].isna().all() and merged.loc[small, "share"].isna().all()
        assert (merged.loc[small, "suppressed"] == "fewer than 5 of the cohort's respondents raised it or did not").all()
        assert (merged.loc[~small, "count"] == merged.loc[~small, "count_raw"]).all()
        assert np.allclose(merged.loc[~small, "share"], merged.loc[~small, "count_raw"] / merged.loc[~small, "n"])
        shown, withheld = shown + int((~small).sum()), withheld + int(small.sum())
    assert shown >= 15 and withheld >= 1  # the demonstration shows the table and the rule


def test_the_page_sets_the_theme_shares_side_by_side_and_says_why_a_cohort_is_not_compared(demo):
    themes = demo["page"].split("## Themes across cohorts")[1].split("## How this report was made")[0]
    assert "Share of each cohort's respondents who raised each theme" in themes
    header = next(line for line in themes.splitlines() if line.startswith("| Theme |"))
    assert header == "| " + " | ".join(myst_literal(prose.md_text(h, in_table=True)) for h in [
        "Theme", "First northern course, 2019 (n = 20)", "Southern course, spring, 2020 (n = 26)",
        f"{MARKUP_LABEL}, 2024 (n = 18)"]) + " |"
    shares = demo["results"].theme_shares.set_index(["cohort", "theme"])
    count = shares.at[("south-2020", "philosophy"), "count"]
    row = next(line for line in themes.splitlines() if line.startswith("| Course philosophy |"))
    expected = "withheld" if pd.isna(count) else f"{round(100 * int(count) / 26)}% ({int(count)})"
    assert row.split(" | ")[2] == myst_literal(expected)
    assert (f"{prose.md_text('Northern course, autumn')} ({prose.md_text('north-2021')}) was coded with a codebook of its own, "
            "which no other cohort here shares, so its themes are not compared") in themes
    assert "A share is withheld where fewer than 5 of a cohort's respondents raised the theme, or fewer than 5 did not" in themes


def test_codebook_identity_is_by_content(tmp_path):
    from lehc_report.inputs.codebook import load_codebook
    from lehc_report.network.compute import codebook_identity
    from lehc_report.network.demo import own_codebook

    spec = yaml.safe_load((ROOT / "data" / "codebook.yml").read_text(encoding="utf-8"))
    (tmp_path / "relaid.yml").write_text(yaml.safe_dump(spec, sort_keys=True, width=60), encoding="utf-8")  # no comments, keys sorted
    (tmp_path / "renamed.yml").write_text(yaml.safe_dump(own_codebook(spec)), encoding="utf-8")
    original = codebook_identity(load_codebook(ROOT / "data" / "codebook.yml"))
    assert codebook_identity(load_codebook(tmp_path / "relaid.yml")) == original
    assert codebook_identity(load_codebook(tmp_path / "renamed.yml")) != original


def _coded(cohort_id: str, codebook: str, counts: list[int], n: int):
    from types import SimpleNamespace

    themes = pd.DataFrame({"theme": [f"t{i}" for i in range(len(counts))], "name": [f"Theme {i}" for i in range(len(counts))],
                           "count": counts, "n": n})
    return SimpleNamespace(cohort=SimpleNamespace(id=cohort_id), codebook=codebook, themes=themes)


def test_theme_shares_withhold_small_cells_and_compare_only_a_shared_codebook():
    from lehc_report.network.compute import theme_shares
    from lehc_report.privacy import PrivacySettings

    settings = PrivacySettings(min_group_size=5, scan_patterns=(), deny_list=())
    outcomes = [_coded("a", "X", [0, 4, 5, 15, 16, 20], 20), _coded("b", "X", [1, 2, 3, 4, 4, 4], 4),
                _coded("small", "X", [10, 10, 10, 10, 10, 10], 20), _coded("c", "Y", [10] * 6, 20),
                _coded("none", None, [], 0)]
    outcomes[-1].themes = None
    shares, own = theme_shares(outcomes, {"small"}, settings)
    assert own == ["c"] and set(shares["cohort"]) == {"a", "b"}
    a = shares[shares["cohort"] == "a"]
    assert [None if pd.isna(v) else v for v in a["count"]] == [0, None, 5, 15, None, 20]
    assert [None if pd.isna(v) else round(v, 4) for v in a["share"]] == [0.0, None, 0.25, 0.75, None, 1.0]
    assert a["suppressed"].tolist()[1] == "fewer than 5 of the cohort's respondents raised it or did not"
    b = shares[shares["cohort"] == "b"]
    assert b["count"].isna().all() and (b["suppressed"] == "n < 5").all()


# ------------------------------------------------------------------ privacy and text safety of the whole page


def _tables(page: str) -> dict[str, str]:
    """Every numbered table of the page: its label -> its source."""
    blocks = page.split("```{table}")[1:]
    return {block.split(":name: ", 1)[1].split("\n", 1)[0]: block.split("```", 1)[0] for block in blocks}


def test_no_table_crosses_the_small_cohort_with_an_outcome_even_with_a_shared_codebook(tmp_path):
    network_file = write_demo(tmp_path / "demo", ROOT)
    for name in ("codebook.yml", "respondents.csv", "survey_returns.csv", "codings.csv"):  # coded like north-2019
        shutil.copy(tmp_path / "demo" / "north-2019" / name, tmp_path / "demo" / "south-2023" / name)
    results = compute_network(load_network(network_file), ROOT, tmp_path / "build", jobs=2)
    assert "south-2023" not in set(results.theme_shares["cohort"]) and "south-2023" not in results.own_codebook
    assert {o.cohort.id for o in results.outcomes if o.themes is not None} >= {"south-2023"}  # it has the data
    tables = _tables(network_page(results, {}))
    assert {"tbl-network-cohorts", "tbl-network-themes-1-1", "tbl-network-regression"} <= set(tables)
    for label, table in tables.items():
        if label == "tbl-network-cohorts":  # who is in the network: its size withheld, no outcome
            row = next(line for line in table.splitlines() if "south" in line and "2023" in line)
            assert "| withheld |" in row
            continue
        for text in ("south-2023", "Southern short course"):
            assert text not in table and myst_literal(text) not in table, label
        assert "2023" not in table, label


def test_every_text_from_the_network_and_codebook_files_reaches_the_page_as_text(tmp_path):
    from docutils import nodes
    from payloads import MARK, PAYLOADS, payload, shown
    from test_text_safety import STRUCTURE, doctree

    network_file = write_demo(tmp_path / "demo", ROOT)
    spec = yaml.safe_load(network_file.read_text(encoding="utf-8"))
    kinds = [k for k in sorted(PAYLOADS) if k != "long"]  # labels and regions are at most 200 and 100 characters
    spec["title"] = payload("title", "emphasis")
    for number, entry in enumerate(spec["cohorts"]):
        entry["label"] = payload("label", kinds[number % len(kinds)])[:200]
        entry["region"] = payload("region", kinds[(number + 5) % len(kinds)])[:100]
    network_file.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    codebook = yaml.safe_load((tmp_path / "demo" / "north-2019" / "codebook.yml").read_text(encoding="utf-8"))
    for number, theme in enumerate(codebook["themes"]):
        theme["name"] = payload("theme_name", sorted(PAYLOADS)[number % len(PAYLOADS)])
    for cohort in ("north-2019", "south-2020", "east-2024"):  # the same codebook for the three, still shared
        (tmp_path / "demo" / cohort / "codebook.yml").write_text(yaml.safe_dump(codebook, sort_keys=False), encoding="utf-8")
    results = compute_network(load_network(network_file), ROOT, tmp_path / "build", jobs=2)
    page = network_page(results, {})
    assert len(results.theme_shares) == 27
    tree = doctree(page)
    own = (nodes.literal, nodes.raw, nodes.reference, nodes.target, nodes.caption)
    for node in tree.findall():
        if isinstance(node, STRUCTURE):
            continue
        assert isinstance(node, own), f"{type(node).__name__}: {node.astext()[:80]!r}"
        assert MARK not in node.astext() or isinstance(node, nodes.Text), f"{type(node).__name__}: {node.astext()[:80]!r}"
    # The only HTML on the page is the project's own link to each cohort's report, its text escaped.
    raw = [node.astext() for node in tree.findall(nodes.raw)]
    assert raw and all(re.fullmatch(r'<a href="\.\./cohorts/[a-z0-9-]+/html/index\.html">|</a>', text) for text in raw), raw
    text = " ".join(tree.astext().split())
    for theme in codebook["themes"]:  # each theme name reads as typed (bidi controls removed, spaces collapsed)
        assert shown(theme["name"]) in text, theme["name"][:80]


def test_the_network_pages_carry_the_network_title_and_no_cohort_credits():
    from types import SimpleNamespace

    from lehc_report.network.sphinx_identity import use_network_identity

    # As lehc_report.book.sphinxext leaves it from the default cohort's cohort.yml:
    config = SimpleNamespace(network_title="Across <b>cohorts</b>", project="Leadership ...", html_title="Leadership ...",
                             author="nef consulting", html_theme_options={"extra_footer": "By nef consulting (original evaluation)",
                                                                          "show_toc_level": 2})
    use_network_identity(None, config)
    assert config.project == config.html_title == "Across <b>cohorts</b>"  # Sphinx escapes it in <title> and the sidebar
    assert config.author == "Network report" and config.html_theme_options["show_toc_level"] == 2
    assert config.html_theme_options["extra_footer"].startswith("Generated by lehc_report.network")
    assert "nef" not in config.html_theme_options["extra_footer"]


# ------------------------------------------------------------------ privacy of the network report


def test_personal_data_in_the_network_file_is_refused_in_one_line_with_every_cohorts_deny_list(tmp_path):
    """Labels, regions and the title reach the network report: they are scanned as every input
    is, with each cohort's own deny-list added (a name cohort b withholds is withheld everywhere)."""
    for cohort in ("a", "b"):
        shutil.copytree(ROOT / "tests" / "cohorts" / "cohort_b", tmp_path / cohort)
    (tmp_path / "b" / "deny_list.txt").write_text("# the course team\nAnn Other\n", encoding="utf-8")
    path = write_network(tmp_path, [
        {"id": "a", "label": "Ann Other's course", "year": 2020, "region": "N", "data": "a"},
        {"id": "b", "label": "B", "year": 2021, "region": "S", "data": "b"}])
    from lehc_report.network.config import network_privacy_settings

    assert network_privacy_settings(load_network(path), ROOT).deny_list[-1] == "Ann Other"
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "lehc_report.tools.network", "results", str(path),
                           "--build", str(tmp_path / "build")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "network: network.yml, key cohorts[0].label: possible personal data (name on the deny-list: 'Ann Other'); "
        "redact it in the source file, then rebuild"]


def test_network_pages_with_personal_data_are_never_published(tmp_path, monkeypatch):
    """The exit gate reads the network report's new pages before they replace the previous
    ones, which are published by one rename (they were once removed, then copied)."""
    from lehc_report import privacy
    from lehc_report.network import report
    from lehc_report.tools.publish import current_version

    body = {"text": "<p>Pooled across cohorts.</p>"}

    def fake_jupyter_book(book, output, builder):
        pages = output / "_build" / "html"
        shutil.rmtree(pages, ignore_errors=True)
        pages.mkdir(parents=True)
        (pages / "index.html").write_text(f"<html><body>{body['text']}</body></html>", encoding="utf-8")

    monkeypatch.setattr(report, "_jupyter_book", fake_jupyter_book)
    settings = privacy.load_settings(ROOT)
    network_build = tmp_path / "network"
    index = report.build_html(tmp_path / "book", network_build, settings)
    assert index == network_build / "html" / "index.html" and "Pooled" in index.read_text(encoding="utf-8")
    published = current_version(network_build / "html")
    body["text"] = "<p>Questions to jo.bloggs@example.org.</p>"
    with pytest.raises(SystemExit) as refused:
        report.build_html(tmp_path / "book", network_build, settings)
    assert str(refused.value).splitlines() == [
        "network: the report was not published; the previous one is untouched.",
        "exit gate: personal data in the outputs; redact the source (or list the name in privacy.yml's allow_names "
        "for these pages), then rebuild:",
        "  html/index.html: email: 'jo.bloggs@example.org'"]
    assert current_version(network_build / "html") == published and "Pooled" in index.read_text(encoding="utf-8")
