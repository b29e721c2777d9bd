"""The network report: a one-page Jupyter Book generated from :class:`NetworkResults`.

Everything on the page is written here from the numbers (tables with
:func:`lehc_report.render.outputs.myst_table`, sentences from
:mod:`lehc_report.network.prose`), into ``<build>/network/book/``: ``index.md``,
``_config.yml``, ``_toc.yml``, the forest plots under ``figures/`` and the project's
report and print stylesheets under ``_static/``.  :func:`build_html` and
:func:`build_pdf` then run Jupyter Book (and headless Chromium for the PDF) on it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

from lehc_report.network import prose
from lehc_report.network.compute import COMPARISONS, MIN_COHORTS_META_REGRESSION, NetworkResults
from lehc_report.network.prose import interval_text, md_text
from lehc_report.prose.rounding import format_half_up, format_p
from lehc_report.prose.words import number_word
from lehc_report.render.outputs import myst_table

__all__ = ["forest_plot", "network_page", "theme_share_tables", "write_book", "build_html", "build_pdf"]

MEASURE_LABELS = {"d_z": "d_z", "mean_change": "Mean change (points)"}
#: Comparisons in a table cell.
COMPARISON_SHORT = {"start_to_end": "start to end", "end_to_follow_up": "end to follow-up"}


def _safe(name: str) -> str:
    """An id usable in a file name and a label."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(name)).lower()


def _mpl_text(text: str) -> str:
    """Text for matplotlib: ``$`` would start mathtext, so it is escaped."""
    return " ".join(str(text).split()).replace("$", r"\$")


def forest_plot(results: NetworkResults, area: str, path: Path) -> Path:
    """Forest plot of one area: each cohort's d_z with its 95% interval, ordered by year,
    and the pooled estimate (Hartung-Knapp interval) with the prediction interval.

    One panel per comparison present (start to end; end to follow-up), stacked.

    Parameters
    ----------
    results : NetworkResults
    area : str
        Area id.
    path : Path
        PNG to write (deterministically, with :func:`lehc_report.render.outputs.save_figure`).

    Returns
    -------
    Path
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    from lehc_report.render.figures import finish

    colours = sns.color_palette("colorblind", 3)
    shown = results.shown_effects
    data = shown[shown["area"] == area]
    comparisons = [c for c in COMPARISONS if (data["comparison"] == c).any()]
    cohorts = (data[["cohort", "label", "year", "region"]].drop_duplicates("cohort")
               .sort_values(["year", "cohort"]).reset_index(drop=True))
    # One panel per comparison, stacked: side by side, the figure was 11 inches wide and its
    # labels shrank to about 7 px on the page; 7.5 inches keeps them near the body text's size.
    # Each panel lists only the cohorts with that comparison (an empty row read as a missing result).
    panels = {c: cohorts[cohorts["cohort"].isin(data.loc[data["comparison"] == c, "cohort"])].reset_index(drop=True)
              for c in comparisons}
    heights = [len(panel) + 2 for panel in panels.values()]
    fig, axes = plt.subplots(len(comparisons), 1, figsize=(7.5, sum(0.36 * h + 0.9 for h in heights) + 0.4),
                             squeeze=False, gridspec_kw={"height_ratios": heights})
    for ax, comparison in zip(axes[:, 0], comparisons):
        rows = len(panels[comparison]) + 2
        positions = {c: rows - 1 - i for i, c in enumerate(panels[comparison]["cohort"])}
        labels = [_mpl_text(f"{r.label} ({r.year}, {r.region})") for r in panels[comparison].itertuples()]
        part = data[data["comparison"] == comparison]
        y = part["cohort"].map(positions).to_numpy(float)
        ax.errorbar(part["d_z"], y, xerr=[part["d_z"] - part["d_z_ci_low"], part["d_z_ci_high"] - part["d_z"]],
                    fmt="s", color=colours[0], ecolor=colours[0], capsize=2, markersize=5, linewidth=1.2)
        pooled = results.pooled[(results.pooled["area"] == area) & (results.pooled["comparison"] == comparison)
                                & (results.pooled["measure"] == "d_z")]
        if len(pooled) and int(pooled["k"].iloc[0]) >= 2:
            row = pooled.iloc[0]
            diamond_x = [row["ci_low"], row["estimate"], row["ci_high"], row["estimate"]]
            ax.fill(diamond_x, [0, 0.3, 0, -0.3], color=colours[1], zorder=3)
            if np.isfinite(row["pi_low"]):
                ax.plot([row["pi_low"], row["pi_high"]], [0, 0], color=colours[1], linewidth=1, linestyle="--", zorder=2)
        ax.axvline(0, color="0.5", linewidth=0.8)
        ax.set_title(COMPARISONS[comparison][2].capitalize(), fontsize=10, loc="left")
        ax.set_xlabel("d_z (95% interval)", fontsize=9)
        ax.tick_params(labelsize=9)
        ax.set_yticks(list(positions.values()) + [0], labels + ["Pooled (random effects)"])
        ax.set_ylim(-0.8, rows - 0.2)
    fig.suptitle(_mpl_text(results.area_names[area]), fontsize=11)
    return finish(fig, path)


def _cohort_table(results: NetworkResults) -> pd.DataFrame:
    outcome = {o.cohort.id: o for o in results.outcomes}
    small, unlinked = set(results.left_out["small"]), set(results.left_out["unlinked"])
    rows = []
    for c in sorted(results.network.cohorts, key=lambda c: (c.year, c.id)):
        o = outcome[c.id]
        link = c.id  # every cohort's own report is linked in the list below the table (cells are text only)
        if o.linked:
            rated = "withheld" if c.id in small else str(o.n_complete)
        else:
            start_end = o.effects[o.effects["comparison"] == "start_to_end"]
            rated = ("withheld" if c.id in small else
                     f"{int(start_end['n_before'].max())} and {int(start_end['n_after'].max())}, not linked")
        rows.append({"Cohort": link, "Label": md_text(c.label, in_table=True), "Year": str(c.year),
                     "Region": md_text(c.region, in_table=True), "Start and end rated": rated,
                     "Follow-up": "yes" if o.has_follow_up else "no",
                     "Pooled": "no" if c.id in small | unlinked else "yes"})
    return pd.DataFrame(rows)


def _independent_table(results: NetworkResults) -> pd.DataFrame:
    data = results.independent_effects
    order = {a: i for i, a in enumerate(results.area_names)}
    data = data.assign(_area=data["area"].map(order), _comparison=data["comparison"].map(list(COMPARISONS).index))
    data = data.sort_values(["year", "cohort", "_comparison", "_area"])
    # Short comparison words and no separate cohort-name column: seven columns of long text
    # overflowed the page (HTML at 1280 px and the PDF).
    return pd.DataFrame({
        "Cohort": [md_text(f"{r.label} ({r.cohort})", in_table=True) for r in data.itertuples()],
        "Waves": [COMPARISON_SHORT[c] for c in data["comparison"]],
        "Area": [md_text(results.area_names[a], in_table=True) for a in data["area"]],
        "n": [f"{int(a)}, {int(b)}" for a, b in zip(data["n_before"], data["n_after"])],
        "Difference": data["mean_change"].map(lambda v: format_half_up(v, 2)).to_numpy(),
        "g (95% CI)": [f"{format_half_up(g, 2)} ({interval_text(lo, hi)})"
                       for g, lo, hi in zip(data["hedges_g"], data["g_low"], data["g_high"])],
        "p": data["p"].map(prose.p_cell).to_numpy(),
    })


def _effects_table(results: NetworkResults, comparison: str) -> pd.DataFrame:
    data = results.shown_effects[results.shown_effects["comparison"] == comparison]
    order = {a: i for i, a in enumerate(results.area_names)}
    data = data.assign(_area=data["area"].map(order)).sort_values(["year", "cohort", "_area"])
    return pd.DataFrame({
        "Cohort": [md_text(f"{r.label} ({r.cohort})", in_table=True) for r in data.itertuples()],
        "Year": data["year"].astype(str).to_numpy(),
        "Area": [md_text(results.area_names[a], in_table=True) for a in data["area"]],
        "n": data["n"].astype(int).astype(str).to_numpy(),
        "Mean change (95% CI)": [f"{format_half_up(m, 2)} ({interval_text(lo, hi)})"
                                 for m, lo, hi in zip(data["mean_change"], data["ci_low"], data["ci_high"])],
        "d_z (95% CI)": [f"{format_half_up(d, 2)} ({interval_text(lo, hi)})"
                         for d, lo, hi in zip(data["d_z"], data["d_z_ci_low"], data["d_z_ci_high"])],
        "p": data["p"].map(prose.p_cell).to_numpy(),
    })


def _pooled_table(results: NetworkResults, comparison: str) -> pd.DataFrame:
    data = results.pooled[results.pooled["comparison"] == comparison]
    places = {"d_z": 2, "mean_change": 2}
    return pd.DataFrame({
        "Area": [md_text(results.area_names[a], in_table=True) for a in data["area"]],
        "Measure": data["measure"].map(MEASURE_LABELS).to_numpy(),
        "k": data["k"].astype(int).astype(str).to_numpy(),
        "Pooled (95% HK CI)": [f"{format_half_up(e, places[m])} ({interval_text(lo, hi)})"
                               for e, lo, hi, m in zip(data["estimate"], data["ci_low"], data["ci_high"], data["measure"])],
        "τ² REML (DL)": [f"{format_half_up(t, 3)} ({format_half_up(d, 3)})" for t, d in zip(data["tau2"], data["tau2_dl"])],
        "Q (p)": [f"{format_half_up(q, 2)} ({prose.p_cell(p)})" if np.isfinite(q) else "–" for q, p in zip(data["q"], data["q_p"])],
        "I²": [f"{format_half_up(i, 0)}%" if np.isfinite(i) else "–" for i in data["i2"]],
        "95% prediction interval": [interval_text(lo, hi) for lo, hi in zip(data["pi_low"], data["pi_high"])],
    })


#: Cohorts per theme-share table: more columns would not fit the printed page.
SHARE_COLUMNS_PER_TABLE = 4


def theme_share_tables(results: NetworkResults) -> list[tuple[list[str], list[pd.DataFrame]]]:
    """The theme-share tables: per shared codebook, themes by cohort (ordered by year).

    Parameters
    ----------
    results : NetworkResults
        With ``theme_shares`` and ``theme_names``.

    Returns
    -------
    list of tuple
        Per codebook (in the order of ``theme_shares``): its cohort ids by year, and its
        display tables (``Theme`` then one column per cohort, "label, year (n = ...)";
        at most :data:`SHARE_COLUMNS_PER_TABLE` cohorts each), cells from
        :func:`lehc_report.network.prose.share_cell`.
    """
    shares = results.theme_shares
    cohorts = {c.id: c for c in results.network.cohorts}
    out = []
    for codebook, rows in shares.groupby("codebook", sort=False):
        ids = sorted(rows["cohort"].unique(), key=lambda i: (cohorts[i].year, i))
        names = results.theme_names[codebook]
        themes = list(dict.fromkeys(rows["theme"]))
        tables = []
        for start in range(0, len(ids), SHARE_COLUMNS_PER_TABLE):
            part = ids[start:start + SHARE_COLUMNS_PER_TABLE]
            table = {"Theme": [md_text(names[t], in_table=True) for t in themes]}
            for cohort in part:
                mine = rows[rows["cohort"] == cohort].set_index("theme")
                n = int(mine["n"].iloc[0])
                heading = md_text(f"{cohorts[cohort].label}, {cohorts[cohort].year} (n = {n})", in_table=True)
                table[heading] = [prose.share_cell(mine.at[t, "count"], n) for t in themes]
            tables.append(pd.DataFrame(table))
        out.append((ids, tables))
    return out


def _regression_table(results: NetworkResults) -> pd.DataFrame:
    data = results.regressions
    return pd.DataFrame({
        "Area": [md_text(results.area_names[a], in_table=True) for a in data["area"]],
        "Moderator": data["moderator"].to_numpy(),
        "Coefficient": [md_text(t, in_table=True) for t in data["term"]],
        "Estimate (95% CI)": [f"{format_half_up(e, 2)} ({interval_text(lo, hi)})"
                              for e, lo, hi in zip(data["estimate"], data["ci_low"], data["ci_high"])],
        "t (df)": [f"{format_half_up(t, 2)} ({int(df)})" if np.isfinite(t) else "–" for t, df in zip(data["t"], data["df"])],
        "p": data["p"].map(prose.p_cell).to_numpy(),
        "Residual τ²": data["tau2"].map(lambda v: format_half_up(v, 3)).to_numpy(),
    })


def network_page(results: NetworkResults, figures: dict[str, str]) -> str:
    """The network report's page (MyST), composed from the results.

    Parameters
    ----------
    results : NetworkResults
    figures : dict
        Area id -> forest plot path relative to the page.

    Returns
    -------
    str
        MyST Markdown; every text from the network file or the framework is escaped.
    """
    net = results.network
    labels = {c.id: c.label for c in net.cohorts}
    pooled_ids = sorted(set(results.cohort_effects["cohort"]))
    pooled_cohorts = [c for c in net.cohorts if c.id in pooled_ids]
    years = sorted({c.year for c in pooled_cohorts})
    regions = sorted({c.region for c in pooled_cohorts})
    left_out = prose.left_out_sentences(results.left_out["small"], results.left_out["small_rows"], results.left_out["unlinked"],
                                        results.left_out["undefined"], labels, results.area_names, results.min_group_size)
    out = [f"# {md_text(net.title)}", ""]
    span = f"from {years[0]} to {years[-1]}" if len(years) > 1 else (f"in {years[0]}" if years else "")
    intro = (f"This report sets side by side {number_word(len(net.cohorts))} cohorts of the course and pools the change in "
             f"participants' self-ratings across them. {number_word(len(pooled_cohorts)).capitalize()} "
             f"{'cohort' if len(pooled_cohorts) == 1 else 'cohorts'} {span}, in {number_word(len(regions))} "
             f"{'region' if len(regions) == 1 else 'regions'}, enter the pooling.")
    out += ["## Summary", "", intro, ""]
    for comparison, (_, _, words) in COMPARISONS.items():
        sentences = prose.comparison_summary(results.pooled, comparison, words, results.area_names)
        if sentences:
            out += [" ".join(sentences), ""]
    if not (results.pooled["comparison"] == "end_to_follow_up").any():
        out += ["No pooled cohort has a follow-up self-assessment, so nothing can be said yet about whether the change lasts.", ""]
    out += [" ".join(left_out), ""] if left_out else []
    out += ["These are self-ratings: they show how participants saw their own leadership before and after the course, "
            "not how others saw it, and no cohort had a comparison group.", ""]

    out += ["## The cohorts", "",
            "Each cohort's own report, built from the same data, is linked below the table.", "",
            myst_table(_cohort_table(results), "The cohorts in this network, by year.", "tbl-network-cohorts",
                       right_aligned=("Year", "Start and end rated")), ""]
    linked = sorted(results.network.cohorts, key=lambda c: (c.year, c.id))
    if linked:
        # Cohort ids are checked against ^[A-Za-z0-9][A-Za-z0-9_-]*$ (network.config), so the
        # path is safe; the label is data text.
        out += ["Each cohort's own report:", ""]
        # A Markdown link to a relative .html file becomes a download in Sphinx, so the link is
        # an HTML element of our own.  MyST parses the text between the tags as Markdown (the
        # tags are separate raw nodes), so the label is escaped as Markdown, not as HTML.
        out += [f'- <a href="../cohorts/{c.id}/html/index.html">{md_text(c.label)} ({c.id})</a>'
                for c in linked]
        out += [""]

    out += ["## Each cohort's results", "",
            "Mean change in rating points (the later wave minus the earlier) with its 95% confidence interval; d_z, the mean change "
            "divided by the SD of the participants' changes, with its exact 95% interval (noncentral t); p of the "
            "paired t-test. Cohorts left out for privacy are not shown.", ""]
    for comparison, (_, _, words) in COMPARISONS.items():
        table = _effects_table(results, comparison)
        if len(table):
            out += [myst_table(table, f"Each cohort's change by area, {words}.", f"tbl-network-effects-{_safe(comparison)}",
                               right_aligned=("Year", "n", "p")), ""]

    if len(results.independent_effects):
        out += ["Where a cohort's questionnaires were anonymous (its waves not linked person to person), nobody can be "
                "paired, so the waves are compared as two samples: the difference of the wave means, Hedges' g (pooled SD, "
                "small-sample corrected) with its 95% interval, and Welch's t-test (p). n is the number who rated themselves "
                "in the earlier and in the later wave; the difference is the later wave's mean minus the earlier's, in "
                "rating points. These cohorts are not pooled with the paired d_z, which measures something else (change "
                "within people).", "",
                myst_table(_independent_table(results), "Cohorts whose waves are not linked: the waves compared as "
                           "independent samples.", "tbl-network-unlinked", right_aligned=("n", "Difference", "p")), ""]

    out += ["## Pooled across cohorts", "",
            "A random-effects meta-analysis per area: between-cohort variance τ² by restricted maximum likelihood "
            "(REML), with the DerSimonian-Laird value beside it as a check; the pooled effect with a Hartung-Knapp 95% "
            "interval; Cochran's Q and its p; I² (the share of the variation that is between cohorts, from τ² and the "
            "typical within-cohort variance); and the 95% prediction interval for a new cohort (t on k − 2 degrees of "
            "freedom). d_z has sampling variance 1/n + d_z²/(2n); the mean change SD²/n.", ""]
    for comparison, (_, _, words) in COMPARISONS.items():
        table = _pooled_table(results, comparison)
        if len(table):
            rows = results.pooled[results.pooled["comparison"] == comparison]
            out += [f"### Change {md_text(words)}", ""]
            if (rows["k"] < 3).any():
                out += ["Where fewer than three cohorts are pooled no prediction interval is given (it needs k − 2 ≥ 1 "
                        "degrees of freedom), and with one cohort nothing is pooled.", ""]
            out += [myst_table(table, f"Random-effects meta-analysis by area, {words}.", f"tbl-network-pooled-{_safe(comparison)}",
                               right_aligned=("k", "I²")), ""]

    out += ["## Forest plots", "",
            "Each cohort's d_z with its 95% interval, ordered by year; the diamond is the pooled estimate with its "
            "Hartung-Knapp interval, the dashed line the 95% prediction interval.", ""]
    for area, figure in figures.items():
        name = results.area_names[area]
        alt = " ".join(str(name).split())
        out += [f"```{{figure}} {figure}", f":name: fig-network-forest-{_safe(area)}", f":alt: Forest plot of d_z by cohort, {alt}",
                ":width: 100%", "", f"{md_text(name)}: change in self-ratings by cohort (d_z).", "```", ""]

    out += ["## Year and region", ""]
    k_regression = int(results.regressions["k"].max()) if len(results.regressions) else 0
    if k_regression >= MIN_COHORTS_META_REGRESSION:
        out += [f"A meta-regression of each area's d_z from the start to the end of the course on the cohort's year, and "
                f"separately on its region (REML residual τ², Knapp-Hartung t tests). {prose.regression_warning(k_regression)}", "",
                myst_table(_regression_table(results), "Meta-regression of d_z (start to end) on year and on region.",
                           "tbl-network-regression", right_aligned=("p",)), ""]
    else:
        out += [f"A meta-regression on year and region needs at least {number_word(MIN_COHORTS_META_REGRESSION)} pooled "
                f"cohorts; this network has {number_word(len(pooled_cohorts))}, so none is reported.", ""]

    out += ["## Themes across cohorts", ""]
    share_tables = theme_share_tables(results)
    shown_ids = {c.id for c in net.cohorts} - set(results.left_out["small"])
    coded_any = any(o.themes is not None and o.cohort.id in shown_ids for o in results.outcomes)
    withheld_any = bool(results.theme_shares["count"].isna().any()) if len(results.theme_shares) else False
    out += [" ".join(prose.theme_share_sentences([ids for ids, _ in share_tables], results.own_codebook, coded_any, labels,
                                                 results.min_group_size, withheld_any)), ""]
    for number, (ids, tables) in enumerate(share_tables, start=1):
        for part, table in enumerate(tables, start=1):
            columns = [c for c in table.columns if c != "Theme"]
            caption = ("Share of each cohort's respondents who raised each theme" +
                       (f", cohorts {SHARE_COLUMNS_PER_TABLE * (part - 1) + 1} to {SHARE_COLUMNS_PER_TABLE * (part - 1) + len(columns)} of {len(ids)}"
                        if len(tables) > 1 else "") + ".")
            out += [myst_table(table, caption, f"tbl-network-themes-{number}-{part}", right_aligned=tuple(columns)), ""]

    out += ["## How this report was made", "",
            f"Every cohort's ratings were read and validated as in its own report; area scores, changes and paired "
            f"tests are the same. Privacy: no outcome is shown, or pooled, for a cohort or an area with fewer than "
            f"{results.min_group_size} participants rated at both waves. Intervals are at the "
            f"{format_half_up(100 * results.confidence, 0)}% level. The numbers are in `results/cohort_effects.csv` "
            "and `results/pooled.csv` beside this report, so that anyone can check the pooling from the per-cohort rows; "
            "the theme shares, with withheld cells blank, in `results/theme_shares.csv`.", ""]
    return "\n".join(out)


#: The network book is one page: the print contents block the project's stylesheet puts on a
#: page of its own after the title page has no entries, and printed as a blank page 2.
NETWORK_CSS = """\
@media print {
  .pdf-print #jb-print-docs-body { display: none !important; }
}
"""

CONFIG = """\
title: {title}
author: "Network report"
copyright: "2026"
only_build_toc_files: true
execute:
  execute_notebooks: "off"
parse:
  myst_enable_extensions: [colon_fence]
html:
  use_repository_button: false
  use_issues_button: false
  use_edit_page_button: false
  home_page_in_navbar: true
launch_buttons:
  notebook_interface: classic
  binderhub_url: ""
  thebe: false
sphinx:
  extra_extensions:
    - lehc_report.book.sphinxext
    - lehc_report.network.sphinx_identity
  config:
    network_title: {title}
    html_static_path: [_static]
    html_css_files: [report.css, print.css, network.css]
    html_show_sourcelink: false
    html_last_updated_fmt: null
    numfig: true
    numfig_format:
      figure: "Figure %s"
      table: "Table %s"
    nb_ipywidgets_js: {{}}
    html_theme_options:
      show_toc_level: 2
      use_download_button: false
      use_fullscreen_button: false
    html_context:
      default_mode: light
"""


def write_book(results: NetworkResults, folder: Path, root: Path) -> Path:
    """Write the network book's sources (page, figures, config, stylesheets).

    Parameters
    ----------
    results : NetworkResults
    folder : Path
        ``<build>/network/book``; emptied first.
    root : Path
        The project (its ``book/_static`` stylesheets are copied).

    Returns
    -------
    Path
        ``folder``.
    """
    import json

    folder = Path(folder)
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "figures").mkdir(parents=True)
    shutil.copytree(Path(root) / "book" / "_static", folder / "_static")
    (folder / "_static" / "network.css").write_text(NETWORK_CSS, encoding="utf-8")
    figures = {}
    for area in results.area_names:
        if (results.shown_effects["area"] == area).any():
            name = f"figures/forest_{_safe(area)}.png"
            forest_plot(results, area, folder / name)
            figures[area] = name
    (folder / "index.md").write_text(network_page(results, figures), encoding="utf-8")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\n", encoding="utf-8")
    (folder / "_config.yml").write_text(CONFIG.format(title=json.dumps(results.network.title)), encoding="utf-8")
    return folder


def _jupyter_book(book: Path, output: Path, builder: str) -> None:
    import sys

    # Jupyter Book's command line as the cohorts' builds run it (lehc_report.tools.jupyter_book).
    command = [sys.executable, "-m", "lehc_report.tools.jupyter_book", "build", str(book), "--path-output", str(output),
               "--builder", builder, "-W", "--keep-going", "-q", "--all"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"network: the {builder} build of {book} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def build_html(book: Path, network_build: Path, gate=None) -> Path:
    """Build the network book's HTML and publish it as ``<network_build>/html``.

    Parameters
    ----------
    book : Path
        Folder written by :func:`write_book`.
    network_build : Path
        ``<build>/network``.
    gate : lehc_report.privacy.PrivacySettings, optional
        When given, the exit gate (:func:`lehc_report.tools.exit_gate.scan_html`) reads
        the new pages before they are published.

    Returns
    -------
    Path
        ``<network_build>/html/index.html``.  ``html`` is a link swapped by one rename
        (:func:`lehc_report.tools.publish.copy_and_swap`): a complete report, the previous
        or the new one, is in place at every moment.

    Raises
    ------
    SystemExit
        Jupyter Book failed or warned (``-W``): its output is shown; or the exit gate
        found personal data (every hit; the previous report is untouched).
    """
    from lehc_report.tools.publish import copy_and_swap

    work = Path(network_build) / "work"
    _jupyter_book(book, work, "html")
    pages = work / "_build" / "html"
    if gate is not None:
        from lehc_report.tools.exit_gate import failure_text, scan_html

        found = list(scan_html(pages, gate))
        if found:
            raise SystemExit(f"network: the report was not published; the previous one is untouched.\n"
                             f"{failure_text(found)}")
    target = Path(network_build) / "html"
    copy_and_swap(pages, target)
    return target / "index.html"


def build_pdf(book: Path, network_build: Path, chromium: str | None = None, gate=None) -> Path:
    """Print the network book to ``<network_build>/pdf/network.pdf`` (singlehtml + Chromium).

    Parameters
    ----------
    book : Path
        Folder written by :func:`write_book`.
    network_build : Path
        ``<build>/network``.
    chromium : str, optional
        Browser executable (default as :func:`lehc_report.tools.pdf.find_chromium`).
    gate : lehc_report.privacy.PrivacySettings, optional
        When given, the exit gate reads the printed PDF before it replaces the previous one.

    Returns
    -------
    Path
        The PDF.
    """
    from lehc_report.tools.pdf import print_pdf

    work = Path(network_build) / "work-pdf"
    _jupyter_book(book, work, "singlehtml")
    return print_pdf(work / "_build" / "singlehtml" / "index.html", Path(network_build) / "pdf" / "network.pdf", chromium,
                     gate=gate)
