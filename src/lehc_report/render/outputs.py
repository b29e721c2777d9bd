"""Deterministic writers for the pipeline's artefacts: CSV results, figures, tables.

``make verify`` compares these byte for byte against ``results/MANIFEST.sha256``,
so every writer fixes what would otherwise vary between runs: float formatting
and row order of CSVs, and the timestamps and random IDs matplotlib embeds.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: Significant digits for floats in result CSVs: enough to re-derive every
#: published figure, few enough to be stable across BLAS builds.
CSV_FLOAT_FORMAT = "%.10g"

#: Settings that make saved figures byte-identical between runs and machines.
DETERMINISTIC_SAVE = {
    "svg.hashsalt": "lehc-report",  # stable element IDs in SVG output
    "svg.fonttype": "none",
    "savefig.dpi": 150,
}


def write_result_csv(table: pd.DataFrame, path: Path) -> Path:
    """Write a results table with fixed float formatting and Unix line endings.

    Parameters
    ----------
    table : DataFrame
        Written without its index; floats with ``CSV_FLOAT_FORMAT`` (10 significant digits).
    path : Path
        The CSV file; its folder is created.

    Returns
    -------
    Path
        ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")
    return path


def save_figure(fig, path: Path) -> Path:
    """Save a figure without dates or software stamps, so that it is byte-identical between runs.

    Only the format of ``path`` is written: drawing a 32 x 32 annotated heatmap twice
    doubled the qualitative notebook's run time for a file nothing used.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : Path
        ``.png`` (150 dpi) or ``.svg``; its folder is created.

    Returns
    -------
    Path
        ``path``.
    """
    import matplotlib  # imported here: stages that draw nothing should not pay for it

    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(DETERMINISTIC_SAVE):
        metadata = {"Software": None} if path.suffix == ".png" else {"Date": None, "Creator": None}
        fig.savefig(path, metadata=metadata, bbox_inches="tight")
    return path


def myst_table(table: pd.DataFrame, caption: str, name: str, right_aligned: tuple[str, ...] = ()) -> str:
    """A numbered MyST table: a ``{table}`` directive around a Markdown table.

    Parameters
    ----------
    table : DataFrame
        The display table; every cell is shown as ``str(value)`` with ``|`` escaped.
    caption : str
        The table's caption.
    name : str
        Its label (``tbl-...``), for ``{numref}`` in the chapters.
    right_aligned : tuple of str
        Columns to align right (numbers).

    Returns
    -------
    str
        The MyST source, ending with a newline.
    """
    header = "| " + " | ".join(str(c) for c in table.columns) + " |"
    rule = "|" + "|".join("---:" if c in right_aligned else "---" for c in table.columns) + "|"
    body = ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([f"```{{table}} {caption}", f":name: {name}", "", header, rule, *body, "```", ""])


def write_myst_table(table: pd.DataFrame, path: Path, caption: str, name: str, right_aligned: tuple[str, ...] = ()) -> Path:
    """Write a table snippet that a chapter pulls in with ``{include}``.

    Parameters
    ----------
    table, caption, name, right_aligned
        As for :func:`myst_table`.
    path : Path
        The snippet's file; its folder is created.

    Returns
    -------
    Path
        ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(myst_table(table, caption, name, right_aligned), encoding="utf-8")
    return path


def glue_text(key: str, value: object) -> str:
    """Glue a pre-formatted value as a string.

    Numbers are formatted (half up) before gluing, never by the role's format spec:
    myst-nb reads a glued string back with ``literal_eval``, which keeps ".000" and
    "7.60" exactly as written, while a glued float would be re-rounded half to even.
    """
    from myst_nb import glue

    text = str(value)
    glue(key, text, display=False)
    return text


GLUE_REFERENCE = r"/notebooks/{stem}\.md::([A-Za-z0-9_]+)"
NOT_AVAILABLE = "not available"


def glue_references(stem: str, book_dir: Path) -> set[str]:
    """Every glue key the chapters in ``book_dir`` take from notebook ``stem``."""
    import re

    pattern = re.compile(GLUE_REFERENCE.format(stem=re.escape(stem)))
    keys: set[str] = set()
    for page in sorted(Path(book_dir).glob("*.md")):
        keys.update(pattern.findall(page.read_text(encoding="utf-8")))
    return keys


def glue_all(stem: str, values: dict[str, str], book_dir: Path) -> dict[str, str]:
    """Glue ``values``, plus "not available" for any key a chapter needs but this
    cohort's data cannot supply (e.g. a qualitative count when there are no
    interviews), so that a missing source reads as missing instead of breaking the
    build.  Returns what was glued."""
    complete = {k: NOT_AVAILABLE for k in sorted(glue_references(stem, book_dir))}
    complete.update(values)
    for key, value in complete.items():
        glue_text(key, value)
    return complete


def for_display(table: pd.DataFrame | None, missing: str = "–") -> pd.DataFrame | None:
    """A copy for showing in a notebook, with missing values (NaN, <NA>) as a dash, so that a
    withheld or undefined statistic never reads as "NaN" on the page.

    Parameters
    ----------
    table : DataFrame or None
    missing : str
        What a missing cell shows.

    Returns
    -------
    DataFrame or None
        ``None`` when ``table`` is ``None``.
    """
    if table is None:
        return None
    shown = table.astype(object)
    return shown.where(table.notna(), missing)
