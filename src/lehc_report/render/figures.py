"""The report's figures, drawn with seaborn and saved deterministically."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.figure
import matplotlib.pyplot as plt
import matplotlib.text
import numpy as np
import pandas as pd
import seaborn as sns

from lehc_report.inputs.framework import Framework
from lehc_report.render.labels import fit_label
from lehc_report.render.outputs import save_figure
from lehc_report.render.text import figure_label

# Labels are data text (area, behaviour, theme names): "$...$" in one must print as typed,
# not run as Matplotlib mathtext (issue 11).  No figure of the report uses maths.
matplotlib.rcParams["text.parse_math"] = False

def _area_labels(framework: Framework) -> dict[str, str]:
    """Area ID -> name as a figure draws it (:func:`lehc_report.render.text.figure_label`)."""
    return {area: figure_label(name) for area, name in framework.area_names().items()}


#: Of each panel's or category's share of the figure's width, the part its label may use:
#: the rest keeps a gap between neighbouring labels.
LABEL_SHARE = 0.92


#: Width of the PDF's text column (A4, 210 mm, less 25 mm margins each side), in inches.
#: Figures are drawn this wide, and the PDF prints them at the column's width, so a
#: font size given here is the size on paper (``tests/test_layout.py`` measures it).
TEXT_WIDTH_IN = 160 / 25.4
#: Smallest type in any figure, in points at print size (8 pt is the usual floor for
#: figure labels in print; a point more leaves room for a figure set at 95 % width).
MIN_FONT_PT = 9.0
#: Sizes of the figures' text, in points: every label at least :data:`MIN_FONT_PT`.
FIGURE_STYLE = {
    "font.size": 9.5,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9.5,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "figure.titlesize": 10,
}
matplotlib.rcParams.update(FIGURE_STYLE)

#: The one palette of the report's figures: Okabe and Ito's eight colours, chosen to
#: stay distinct under the common colour-vision deficiencies (Okabe, M. and Ito, K.
#: (2008) *Color Universal Design*, https://jfly.uni-koeln.de/color/; Wong, B. (2011)
#: Points of view: Color blindness, *Nature Methods* 8, 441).
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
#: One colour per area, in the framework's order.  Yellow comes last: it is hard to see
#: as a thin line on white.
AREA_COLOURS = tuple(OKABE_ITO[name] for name in (
    "orange", "blue", "bluish green", "reddish purple", "vermillion", "sky blue", "yellow"))
#: Waves (start, end, follow-up) are shades of grey, light to dark, so that no wave
#: shares a colour with an area.
WAVE_COLOURS = ("#BDBDBD", "#6E6E6E", "#2B2B2B")
#: A participant whose score fell (slope figure): grey, dashed.
FALL_COLOUR = "#8C8C8C"


def area_colours(area_ids: list[str] | tuple[str, ...]) -> dict[str, str]:
    """One distinct colour of :data:`AREA_COLOURS` for each area.

    Parameters
    ----------
    area_ids : sequence of str
        The framework's area IDs, in its order.

    Returns
    -------
    dict
        Area ID -> hex colour.

    Raises
    ------
    ValueError
        More areas than the palette has distinct colours (seven): two would share one.
    """
    if len(area_ids) > len(AREA_COLOURS):
        raise ValueError(f"{len(area_ids)} areas, but the colour-blind-safe palette has "
                         f"{len(AREA_COLOURS)} distinct colours")
    return dict(zip(area_ids, AREA_COLOURS))


def smallest_font_pt(fig: matplotlib.figure.Figure) -> float | None:
    """The smallest size of any visible, non-empty text of ``fig``, in points.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    float or None
        None when the figure has no text.
    """
    sizes = [text.get_fontsize() for text in fig.findobj(matplotlib.text.Text)
             if text.get_visible() and text.get_text().strip()]
    return min(sizes) if sizes else None


def check_font_sizes(fig: matplotlib.figure.Figure, minimum: float = MIN_FONT_PT) -> None:
    """Refuse a figure with text smaller than ``minimum`` (it would print too small).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    minimum : float
        Smallest size allowed (pt); default :data:`MIN_FONT_PT`.

    Raises
    ------
    ValueError
        Some text of ``fig`` is smaller, naming its size.
    """
    smallest = smallest_font_pt(fig)
    if smallest is not None and smallest < minimum:
        raise ValueError(f"figure text of {smallest:g} pt: every label must be at least {minimum:g} pt at print size")


def finish(fig: plt.Figure, path: Path) -> Path:
    """Common last steps of every figure: sizes checked, no top/right spines, tight layout, saved, closed.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : Path
        Where to save (PNG), deterministically (:func:`lehc_report.render.outputs.save_figure`).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        Text smaller than :data:`MIN_FONT_PT` (:func:`check_font_sizes`).
    """
    check_font_sizes(fig)
    sns.despine(fig=fig)
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return path


def scale_label(framework: Framework) -> str:
    """The rating scale as an axis label shows it: "1–10".

    Parameters
    ----------
    framework : Framework

    Returns
    -------
    str
    """
    return f"{framework.scale_min}–{framework.scale_max}"


def area_means_figure(scores: pd.DataFrame, framework: Framework, path: Path) -> Path:
    """Figure 1: mean self-assessed score per area at each wave, with ±1 SD bars.

    Parameters
    ----------
    scores : DataFrame
        Area scores per participant and wave (:func:`lehc_report.stats.paired.area_scores`):
        ``participant_id``, ``wave``, ``area_id``, ``score`` (scale points, NA = no score).
    framework : Framework
        Area names, wave labels and the scale.
    path : Path
        The PNG to write.

    Returns
    -------
    Path
        ``path``.
    """
    data = scores.dropna(subset=["score"]).copy()
    data["score"] = data["score"].astype(float)
    data["Area"] = data["area_id"].map(_area_labels(framework))
    labels = framework.waves.set_index("wave")["wave_label"].map(figure_label)
    data["Wave"] = data["wave"].map(labels)
    present = set(data["wave"].unique())
    order = [labels[w] for w in framework.wave_ids if w in present]
    fig, ax = plt.subplots(figsize=(TEXT_WIDTH_IN, 3.8))
    sns.barplot(data=data, x="Area", y="score", hue="Wave", hue_order=order, order=list(_area_labels(framework).values()),
                errorbar="sd", capsize=0.15, palette=list(WAVE_COLOURS[: len(order)]), ax=ax,
                err_kws={"linewidth": 1.2, "color": "black"})
    ax.set_ylim(0, framework.scale_max)
    ax.set_ylabel(f"Mean self-assessed score ({scale_label(framework)})")
    ax.set_xlabel("")
    # The axes take about the width less the y axis's labels (0.8 in).
    room = LABEL_SHARE * (TEXT_WIDTH_IN - 0.8) / max(1, len(ax.get_xticks()))
    ax.set_xticks(ax.get_xticks(), [fit_label(t.get_text(), room, FIGURE_STYLE["xtick.labelsize"])
                                    for t in ax.get_xticklabels()])
    ax.legend(title="", loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    return finish(fig, path)


def slope_figure(before: pd.DataFrame, after: pd.DataFrame, framework: Framework, path: Path,
                 max_participants: int | None = None) -> Path:
    """Each participant's start and end area score joined by a line, one panel per area.

    Above ``max_participants`` the lines would hide each other (and cost a plot call
    each), so each panel shows the two waves' distributions as violins instead, with
    the same line between the means.

    Parameters
    ----------
    before, after : DataFrame
        Participants x areas, area scores (scale points, NaN = no score) at start and end.
    framework : Framework
    path : Path
        The PNG to write.
    max_participants : int, optional
        Most participants drawn one line each (``per_participant_plot_max_n`` in
        ``analysis.yml``); None for no limit.

    Returns
    -------
    Path
        ``path``.
    """
    areas = [a for a in framework.area_ids if a in before.columns]
    names = _area_labels(framework)
    colours = area_colours(framework.area_ids)
    fig, axes = plt.subplots(1, len(areas), figsize=(TEXT_WIDTH_IN, 3.4), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, area in zip(axes, areas):
        colour = colours[area]
        start, end = before[area].to_numpy(float), after[area].to_numpy(float)
        paired = ~(np.isnan(start) | np.isnan(end))  # a participant without this area's score at a wave has no line
        start, end = start[paired], end[paired]
        if max_participants is not None and len(start) > max_participants:
            parts = ax.violinplot([start, end], positions=[0, 1], widths=0.35, showextrema=False)
            for body in parts["bodies"]:
                body.set_facecolor(colour)
                body.set_alpha(0.6)
        else:
            # Rises in the area's colour, falls in dashed grey: told apart without colour too.
            for s, e in zip(start, end):
                rose = e >= s
                ax.plot([0, 1], [s, e], color=colour if rose else FALL_COLOUR, linestyle="-" if rose else "--",
                        alpha=0.8, marker="o", markersize=3, linewidth=1)
        ax.plot([0, 1], [start.mean(), end.mean()], color="black", linewidth=2.5, label="mean")
        ax.set_xticks([0, 1], ["Start", "End"])
        ax.set_xlim(-0.2, 1.2)
        ax.set_title(fit_label(names[area], LABEL_SHARE * TEXT_WIDTH_IN / len(areas), FIGURE_STYLE["axes.titlesize"]))
    axes[0].set_ylabel(f"Area score ({scale_label(framework)})")
    return finish(fig, path)


def forest_figure(effects: pd.DataFrame, passes_holm: pd.Series, framework: Framework, path: Path) -> Path:
    """Mean change with its confidence interval for every behaviour, coloured by area.

    Parameters
    ----------
    effects : DataFrame
        Indexed by behaviour ID: ``mean_change``, ``ci_low``, ``ci_high`` (scale points).
    passes_holm : Series of bool
        Behaviour ID to whether its test passes the Holm (1979) correction.
    framework : Framework
    path : Path
        The PNG to write.

    Returns
    -------
    Path
        ``path``.
    """
    order = framework.behaviours.set_index("behaviour_id")
    data = effects.join(order[["area_id", "label"]]).reindex(framework.behaviour_ids)
    palette = area_colours(framework.area_ids)
    y = np.arange(len(data))[::-1]
    height = 0.19 * len(data) + 1.4
    # Constrained layout with the legend outside the axes keeps the figure at the text
    # column's width (tight_layout left the legend to widen the saved image by a quarter).
    fig, ax = plt.subplots(figsize=(TEXT_WIDTH_IN, height), layout="constrained")
    for yi, (bid, row) in zip(y, data.iterrows()):
        colour = palette[row["area_id"]]
        ax.plot([row["ci_low"], row["ci_high"]], [yi, yi], color=colour, linewidth=1.5)
        filled = bool(passes_holm.get(bid, False))
        ax.plot(row["mean_change"], yi, marker="D" if filled else "o", markersize=6 if filled else 5,
                color=colour, markerfacecolor=colour if filled else "white", markeredgewidth=1.3)
    ax.axvline(0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_yticks(y, [f"{bid}  {figure_label(label)}" for bid, label in zip(data.index, data["label"])])
    # Two lines: on one, the label is wider than the plot and widens the saved figure.
    ax.set_xlabel(f"Mean change, end minus start\n(points on the {scale_label(framework)} scale), with 95% CI")
    handles = [plt.Line2D([], [], color=palette[a], linewidth=2, label=_area_labels(framework)[a]) for a in framework.area_ids]
    handles.append(plt.Line2D([], [], color="black", marker="D", linestyle="", label="passes Holm correction"))
    handles.append(plt.Line2D([], [], color="black", marker="o", markerfacecolor="white", linestyle="", label="does not pass Holm"))
    fig.legend(handles=handles, loc="outside lower center", ncol=2, frameon=False)
    ax.set_ylim(-1, len(data))
    return finish(fig, path)


def qq_figure(changes: pd.DataFrame, framework: Framework, path: Path) -> Path:
    """Normal Q–Q plot of the per-participant change in each area score.

    Parameters
    ----------
    changes : DataFrame
        Participants x areas, change in area score (scale points, NaN = no pair).
    framework : Framework
    path : Path
        The PNG to write.

    Returns
    -------
    Path
        ``path``.
    """
    from scipy import stats

    areas = [a for a in framework.area_ids if a in changes.columns]
    colours = area_colours(framework.area_ids)
    fig, axes = plt.subplots(1, len(areas), figsize=(TEXT_WIDTH_IN, 2.6))
    axes = np.atleast_1d(axes)
    for ax, area in zip(axes, areas):
        values = changes[area].to_numpy(float)
        (theoretical, ordered), (slope, intercept, _) = stats.probplot(values[~np.isnan(values)], dist="norm")
        ax.plot(theoretical, ordered, "o", color=colours[area], markersize=4)
        ax.plot(theoretical, slope * theoretical + intercept, color="black", linewidth=1)
        ax.set_title(fit_label(_area_labels(framework)[area], LABEL_SHARE * TEXT_WIDTH_IN / len(areas),
                               FIGURE_STYLE["axes.titlesize"]))
        ax.set_xlabel("Normal quantile")
    axes[0].set_ylabel("Change in area score")
    return finish(fig, path)


def placeholder_figure(path: Path, message: str) -> Path:
    """A figure that says why there is nothing to show (e.g. no qualitative data).

    Parameters
    ----------
    path : Path
        The PNG to write.
    message : str
        The sentence shown.

    Returns
    -------
    Path
        ``path``.
    """
    fig, ax = plt.subplots(figsize=(TEXT_WIDTH_IN, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11, wrap=True)
    check_font_sizes(fig)
    save_figure(fig, path)
    plt.close(fig)
    return path
