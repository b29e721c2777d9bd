"""No two labels of a figure touch: tick labels side by side, and the titles of panels
side by side, measured on the drawn figure, for the shipped labels and for a cohort's
own, longer ones (the themes-by-question heatmap once printed its question labels one
over another)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg

from conftest import ROOT
from lehc_report.inputs.framework import load_framework
from lehc_report.paths import get_paths
from lehc_report.render import figures
from lehc_report.render.figures_qual import plot_code_cooccurrence, plot_theme_by_question
from lehc_report.stages.qual import survey_question_labels

LONG_WORDS = ("Building", "sustaining", "partnerships", "with", "local", "communities", "across", "the", "region",
              "through", "shared", "leadership")


def long_name(number: int, words: int) -> str:
    """A long label of ``words`` words, unique by its number."""
    return f"{number} " + " ".join(LONG_WORDS[(number + k) % len(LONG_WORDS)] for k in range(words))


def _height_unrotated(text, renderer) -> float:
    angle = text.get_rotation()
    text.set_rotation(0)
    height = text.get_window_extent(renderer).height
    text.set_rotation(angle)
    return height


def touching(texts, renderer, along: str) -> list[tuple[str, str]]:
    """Neighbouring texts (in order ``along`` "x" or "y") that touch or overlap.

    Level and upright texts are compared by their boxes; slanted ones (all at one angle,
    anchored along a line) by the clearance between them, which is their spacing times
    the sine of the angle, against each one's own height.
    """
    texts = [t for t in texts if t.get_visible() and t.get_text()]
    found = []
    for first, second in zip(texts, texts[1:]):
        angle = first.get_rotation() % 180
        if angle in (0, 90):
            if first.get_window_extent(renderer).overlaps(second.get_window_extent(renderer)):
                found.append((first.get_text(), second.get_text()))
            continue
        (x1, y1), (x2, y2) = (renderer_point(t) for t in (first, second))
        spacing = abs(x2 - x1) if along == "x" else abs(y2 - y1)
        clearance = spacing * math.sin(math.radians(angle))
        if max(_height_unrotated(first, renderer), _height_unrotated(second, renderer)) >= clearance:
            found.append((first.get_text(), second.get_text()))
    return found


def renderer_point(text) -> tuple[float, float]:
    return tuple(text.get_transform().transform(text.get_position()))


def touching_labels(fig) -> list[tuple[str, str]]:
    """Every pair of neighbouring tick labels, or side-by-side panel titles, that touch."""
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    found = []
    for ax in fig.axes:
        found += touching(ax.get_xticklabels(), renderer, "x")
        found += touching(ax.get_yticklabels(), renderer, "y")
    titles = sorted((ax.title for ax in fig.axes if ax.title.get_text()), key=lambda t: renderer_point(t)[0])
    found += touching(titles, renderer, "x")
    return found


def test_the_checker_finds_labels_that_touch():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 2))
    ax = fig.subplots()
    ax.set_xticks([0, 1, 2], ["a long label here", "another long one", "short"])
    assert touching_labels(fig) == [("a long label here", "another long one")]
    ax.set_xticks([0, 1, 2], ["a", "b", "c"])
    assert touching_labels(fig) == []


# ---- the qualitative heatmaps ----------------------------------------------------------------


def theme_table(questions: list[str], themes: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    index = pd.MultiIndex.from_tuples([(f"t{k}", f"Theme {k}") for k in range(themes)], names=["theme_id", "theme_name"])
    return pd.DataFrame(rng.integers(0, 9, size=(themes, len(questions))), index=index, columns=questions)


def test_the_shipped_question_labels_never_touch():
    labels = survey_question_labels(get_paths())
    fig = plot_theme_by_question(theme_table(list(labels)), question_labels=labels, title=None)
    assert touching_labels(fig) == []


@pytest.mark.parametrize("questions", [3, 14, 30])
def test_long_question_labels_never_touch(questions):
    labels = {f"q{k:02d}": f"Q{k:02d} {long_name(k, 8)}" for k in range(questions)}
    fig = plot_theme_by_question(theme_table(list(labels)), question_labels=labels, title=None)
    assert touching_labels(fig) == []


@pytest.mark.parametrize("codes", [4, 40])
def test_long_code_names_never_touch(codes):
    ids = [f"c{k}" for k in range(codes)]
    matrix = pd.DataFrame(np.eye(codes, dtype=int), index=ids, columns=ids)
    fig = plot_code_cooccurrence(matrix, labels={c: long_name(k, 6) for k, c in enumerate(ids)}, title=None)
    assert touching_labels(fig) == []


# ---- the self-assessment figures, with the shipped area names and a cohort's own long ones ----------


@pytest.fixture(params=["shipped", "long"])
def framework(request, tmp_path):
    if request.param == "shipped":
        return load_framework(ROOT / "data" / "framework.yml")
    spec = yaml.safe_load((ROOT / "data" / "framework.yml").read_text(encoding="utf-8"))
    for number, area in enumerate(spec["areas"]):
        area["name"] = long_name(number, 7)
    path = tmp_path / "framework.yml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return load_framework(path)


@pytest.fixture
def drawn(monkeypatch):
    """The figures a figure function drew, laid out as saved (:func:`figures.finish`), kept instead of saved."""
    kept = []
    monkeypatch.setattr(figures, "save_figure", lambda fig, path: kept.append(fig) or path)
    return kept


def area_frames(framework, n: int = 9):
    rng = np.random.default_rng(7)
    before = pd.DataFrame(rng.uniform(5, 8, size=(n, len(framework.area_ids))), columns=list(framework.area_ids))
    return before, before + rng.uniform(0, 2, size=before.shape)


def test_the_area_figures_labels_never_touch(framework, drawn, tmp_path):
    before, after = area_frames(framework)
    scores = pd.concat([frame.rename_axis("participant_id").reset_index().melt(
        id_vars="participant_id", var_name="area_id", value_name="score").assign(wave=wave)
        for wave, frame in zip(framework.wave_ids, (before, after))])
    figures.area_means_figure(scores, framework, tmp_path / "f1.png")
    figures.slope_figure(before, after, framework, tmp_path / "slopes.png")
    figures.qq_figure(after - before, framework, tmp_path / "qq.png")
    assert [touching_labels(fig) for fig in drawn] == [[], [], []]
