"""The qualitative strand's figures: heatmaps of themes by survey question and of
code co-occurrence (seaborn on a matplotlib ``Figure``, no pyplot state)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from lehc_report.render.labels import text_width_in
from lehc_report.render.text import figure_label

__all__ = ["plot_code_cooccurrence", "plot_theme_by_question"]

# Labels are data text (area, behaviour, theme names): "$...$" in one must print as typed,
# not run as Matplotlib mathtext (issue 11).  No figure of the report uses maths.
matplotlib.rcParams["text.parse_math"] = False


#: The survey questions' column labels: characters per line, and their slant in degrees.
#: Slanted, neighbouring labels are apart by the column width times the sine of the
#: angle; columns are made wide enough for the most lines a label has
#: (tests/test_figure_labels.py measures that no two labels touch).
QUESTION_LABEL_WIDTH = 32
QUESTION_LABEL_ANGLE = 45
#: Height of a line of the tick labels' text, in inches (10 pt at matplotlib's 1.2 spacing).
LINE_HEIGHT_IN = 10 * 1.2 / 72


def _wrap(labels: Iterable[Any], width: int) -> list[str]:
    return [textwrap.fill(figure_label(label), width) for label in labels]


def _label_cells(ax, xlabels: list[str], ylabels: list[str]) -> None:
    """Label a heatmap's columns and rows exactly as ``seaborn.heatmap`` does, minus its overlap check.

    Given tick labels, ``seaborn.heatmap`` measures them to rotate overlapping ones; on a
    figure without a pyplot canvas each measurement allocated a full-size renderer (about
    ninety for the co-occurrence heatmap, half of its drawing time), and the rotation it
    chose was overridden by the callers' ``tick_params`` anyway.  So the heatmap is drawn
    with ``xticklabels=False, yticklabels=False`` and labelled here with seaborn's own
    calls (ticks at the cell centres, y labels vertical and centred), which leaves the
    same figure and the same PNG bytes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The heatmap's axes (cells at integer coordinates, one unit wide).
    xlabels : list of str
        One label per column, left to right.
    ylabels : list of str
        One label per row, top to bottom.
    """
    ax.set(xticks=np.arange(len(xlabels)) + 0.5, yticks=np.arange(len(ylabels)) + 0.5)
    ax.set_xticklabels(xlabels)
    for label in ax.set_yticklabels(ylabels, rotation="vertical"):
        label.set(va="center")


def _annotate_cells(ax, annotations: np.ndarray, **text_kws: Any) -> None:
    """Write each non-empty annotation at its cell's centre, in ``seaborn.heatmap``'s colours.

    ``seaborn.heatmap(annot=...)`` adds a text, and computes a luminance, for every cell,
    blank ones included: most of the co-occurrence matrix is blank (a zero), and those
    texts cost a quarter of the figure's drawing while drawing nothing.  Here only the
    non-empty ones are added, with seaborn's rule (dark grey ``".15"`` on cells whose
    relative luminance is above .408, white on darker ones), in seaborn's order, so
    the saved PNG is the same.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes holding the heatmap (its first collection is the cells' mesh).
    annotations : ndarray of str, shape (rows, columns)
        The text of each cell, row by row from the top; "" for none.
    **text_kws
        Further text properties (``fontsize``).
    """
    mesh = ax.collections[0]
    mesh.update_scalarmappable()
    colours = mesh.get_facecolors()
    n_columns = annotations.shape[1]
    for (row, column), text in np.ndenumerate(annotations):
        if text:
            dark_text = sns.utils.relative_luminance(colours[row * n_columns + column]) > .408
            ax.text(column + 0.5, row + 0.5, text, color=".15" if dark_text else "w", ha="center", va="center",
                    **text_kws)


def plot_theme_by_question(
    table: pd.DataFrame,
    question_labels: Mapping[str, str] | None = None,
    title: str | None = "Survey respondents raising each theme, by question",
) -> Figure:
    """Annotated heatmap of :func:`lehc_report.stats.tally.survey_theme_by_question`.

    Parameters
    ----------
    table : DataFrame
        Themes x questions (rows labelled by ``theme_name`` where the index has it).
    question_labels : mapping, optional
        Question ID -> column label ("Q05 What changed").
    title : str or None
        The axes title; None for none (the book's caption gives it).

    Returns
    -------
    matplotlib.figure.Figure
        Built without pyplot (no global state, nothing shown).
    """
    names = list(table.index.names)
    rows = (
        table.index.get_level_values("theme_name")
        if "theme_name" in names
        else table.index
    )
    cols = _wrap([question_labels.get(c, c) if question_labels else c for c in table.columns], QUESTION_LABEL_WIDTH)
    values = table.to_numpy(dtype=int)
    lines = max((label.count("\n") + 1 for label in cols), default=1)
    column_in = max(0.55, (lines * LINE_HEIGHT_IN + 0.08) / np.sin(np.radians(QUESTION_LABEL_ANGLE)))
    fig = Figure(
        figsize=(max(6.0, column_in * values.shape[1] + 3.5), max(2.5, 0.55 * values.shape[0] + 1.6)),
        layout="constrained",
    )
    ax = fig.subplots()
    sns.heatmap(
        values, ax=ax, annot=True, fmt="d", cmap="Blues", vmin=0,
        vmax=max(1, int(values.max()) if values.size else 1),
        linewidths=0.5, linecolor="white", xticklabels=False, yticklabels=False,
        cbar_kws={"label": "respondents"},
    )
    _label_cells(ax, cols, _wrap(rows, 30))
    ax.set_xlabel("survey question")
    ax.set_ylabel("")
    ax.tick_params(axis="y", rotation=0)
    # Slanted: a question label is wider than its column, and level ones ran into each other.
    for label in ax.get_xticklabels():
        label.set(rotation=QUESTION_LABEL_ANGLE, ha="right", rotation_mode="anchor")
    if title:
        ax.set_title(title)
    return fig


def plot_code_cooccurrence(
    matrix: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    title: str | None = "Segments coded with both codes (coder A)",
) -> Figure:
    """Annotated heatmap of :func:`lehc_report.stats.tally.code_cooccurrence`.

    Parameters
    ----------
    matrix : DataFrame
        Code x code counts of segments.
    labels : mapping, optional
        code_id -> label.
    title : str or None
        The axes title; None for none.

    Returns
    -------
    matplotlib.figure.Figure
        Zero cells are left blank.
    """
    names = [figure_label(labels.get(c, c) if labels else c) for c in matrix.index]
    values = matrix.to_numpy(dtype=int)
    # Cells of 0.3 in, and room for the longest name beside and below them (3 in held
    # every shipped name; a cohort's longer ones widen the figure rather than its cells).
    label_in = max((text_width_in(name, matplotlib.rcParams["xtick.labelsize"]) for name in names), default=0.0)
    size = max(4.5, 0.3 * len(names) + max(3.0, label_in + 0.6))
    fig = Figure(figsize=(size + 1.0, size), layout="constrained")
    ax = fig.subplots()
    sns.heatmap(
        values, ax=ax, cmap="Purples", vmin=0, vmax=max(1, int(values.max()) if values.size else 1),
        square=True, linewidths=0.5, linecolor="white",
        xticklabels=False, yticklabels=False, cbar_kws={"label": "segments"},
    )
    _label_cells(ax, names, names)
    # Zero cells stay blank: a thousand "0" labels hide the pattern and slow drawing.
    _annotate_cells(ax, np.where(values > 0, values.astype(str), ""), fontsize=7)
    ax.tick_params(axis="x", rotation=90)
    ax.tick_params(axis="y", rotation=0)
    if title:
        ax.set_title(title)
    return fig
