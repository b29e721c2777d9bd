"""Labels laid out to fit: measured in the figures' own font, so neighbours never touch
(``tests/test_figure_labels.py`` measures every figure's labels on the drawn figure)."""

from __future__ import annotations

__all__ = ["fit_label", "text_width_in"]


def text_width_in(line: str, fontsize: float) -> float:
    """Width of one line of text in the figures' font, in inches (matplotlib's own measure).

    Parameters
    ----------
    line : str
        Text without line breaks, drawn as typed (no mathtext).
    fontsize : float
        Points.

    Returns
    -------
    float
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    width, _height, _descent = TextToPath().get_text_width_height_descent(line, FontProperties(size=fontsize),
                                                                         ismath=False)
    return width / 72


def fit_label(text: str, inches: float, fontsize: float) -> str:
    """``text`` broken into lines no wider than ``inches``, so that neighbouring labels never touch.

    A label first breaks after "and" (as the report's area names always have); when a
    line is still too wide (a cohort's own, longer names), it is broken between words
    instead, as many times as needed; a single word wider than the space stays whole.

    Parameters
    ----------
    text : str
        The label, as :func:`lehc_report.render.text.figure_label` gives it.
    inches : float
        The space each label has (a category's or a panel's width).
    fontsize : float
        Points.

    Returns
    -------
    str
        The label with ``"\n"`` between lines.
    """
    preferred = text.replace(" and ", " and\n")
    if all(text_width_in(line, fontsize) <= inches for line in preferred.split("\n")):
        return preferred
    lines: list[str] = []
    for word in text.split():
        if lines and text_width_in(f"{lines[-1]} {word}", fontsize) <= inches:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines)
