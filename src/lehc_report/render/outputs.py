"""Deterministic writers for the pipeline's artefacts: CSV results, figures, tables.

``make verify`` compares these byte for byte against ``results/MANIFEST.sha256``,
so every writer fixes what would otherwise vary between runs: float formatting
and row order of CSVs, and the timestamps and random IDs matplotlib embeds.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from lehc_report.render.text import myst_literal, spreadsheet_safe

#: Significant digits for floats in result CSVs: enough to re-derive every
#: published figure, few enough to be stable across BLAS builds.
CSV_FLOAT_FORMAT = "%.10g"

#: Settings that make saved figures byte-identical between runs and machines.
DETERMINISTIC_SAVE = {
    "svg.hashsalt": "lehc-report",  # stable element IDs in SVG output
    "svg.fonttype": "none",
    "savefig.dpi": 150,
}


def _csv_cell(value: object) -> object:
    """A text cell as written: formula-safe, with line breaks as LF (Python 3.11's csv does not
    quote a lone CR when the line terminator is LF, and a reader would split the row there)."""
    value = spreadsheet_safe(value)
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def _safe_column(column: pd.Series) -> pd.Series | None:
    """``column`` with :func:`_csv_cell` applied, or None when no cell changes.

    Parameters
    ----------
    column : Series
        One text column (object or string dtype) of a table about to be written.

    Returns
    -------
    Series or None
        The column as written (same dtype and index), or None when every cell is
        already safe.

    Notes
    -----
    A column of text only is looked at through its distinct values (``pandas.factorize``,
    in C): a tidy table of 10,000 participants has 4.6 million ID cells but only about
    10,000 distinct texts, and took 40 s cell by cell.  A column mixing text with numbers
    or other objects is mapped cell by cell, as before (factorize would merge ``1`` and
    ``True``).
    """
    if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
        return column.map(_csv_cell)  # numbers or other objects among the text: look at each cell
    codes, distinct = pd.factorize(column, use_na_sentinel=True)
    safe = [_csv_cell(value) for value in distinct]
    if all(new == old for new, old in zip(safe, distinct)):
        return None
    cells = column.to_numpy(dtype=object, copy=True)
    present = codes >= 0  # missing cells stay as they are
    cells[present] = np.asarray(safe, dtype=object)[codes[present]]
    return pd.Series(cells, index=column.index, name=column.name).astype(column.dtype)


def spreadsheet_safe_table(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells and headers no spreadsheet will run as a formula.

    Parameters
    ----------
    table : DataFrame
        Any table; only text cells (in object or string columns) and column names are looked at.

    Returns
    -------
    DataFrame
        ``table`` itself when nothing needs changing; otherwise a copy in which every text
        cell or header beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
        (and not a number) starts with a single quote (:func:`lehc_report.render.text.spreadsheet_safe`,
        after OWASP "CSV Injection"), and every CR or CR LF line break inside a text cell is
        an LF.  Numbers and the project's IDs are never changed.
    """
    text_columns = [c for c in table.columns if table[c].dtype == object or pd.api.types.is_string_dtype(table[c])]
    safe_columns = [spreadsheet_safe(c) for c in table.columns]
    changed = {c: _safe_column(table[c]) for c in text_columns}
    changed = {c: col for c, col in changed.items() if col is not None and not col.equals(table[c])}
    if not changed and safe_columns == list(table.columns):
        return table
    table = table.assign(**changed) if changed else table.copy()
    table.columns = safe_columns
    return table


def write_result_csv(table: pd.DataFrame, path: Path) -> Path:
    """Write a results or tidy table with fixed float formatting, Unix line endings and no formulas.

    This is the build's one CSV writer: every table a person may open in a spreadsheet
    goes through :func:`spreadsheet_safe_table`.

    Parameters
    ----------
    table : DataFrame
        Written without its index; floats with ``CSV_FLOAT_FORMAT`` (10 significant digits);
        text cells that a spreadsheet would run (leading ``=``, ``+``, ``-``, ``@``, tab,
        carriage return) prefixed with a single quote.
    path : Path
        The CSV file; its folder is created.

    Returns
    -------
    Path
        ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    spreadsheet_safe_table(table).to_csv(path, index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")
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


#: What a table label (``tbl-theme-tally``, ``tbl-framework-si``) may not contain.
TABLE_LABEL_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def myst_table(table: pd.DataFrame, caption: str, name: str, right_aligned: tuple[str, ...] = ()) -> str:
    """A numbered MyST table: a ``{table}`` directive around a Markdown table.

    Every header, cell and the caption is data text: each goes through
    :func:`lehc_report.render.text.myst_literal`, so none can become markup, leave its
    cell or end the directive.

    Parameters
    ----------
    table : DataFrame
        The display table; every cell is shown as ``str(value)``, as typed.
    caption : str
        The table's caption (plain text, shown as typed).
    name : str
        Its label (``tbl-...``), for ``{numref}`` in the chapters; any character other than a
        lower-case letter, digit, ``_`` or ``-`` becomes ``-``.
    right_aligned : tuple of str
        Columns to align right (numbers).

    Returns
    -------
    str
        The MyST source, ending with a newline.
    """
    # A label built from a data ID ("tbl-framework-<area id>") is MyST source, not text: reduce it to a slug.
    name = TABLE_LABEL_UNSAFE.sub("-", name.lower())
    header = "| " + " | ".join(myst_literal(c) for c in table.columns) + " |"
    rule = "|" + "|".join("---:" if c in right_aligned else "---" for c in table.columns) + "|"
    body = ["| " + " | ".join(myst_literal(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([f"```{{table}} {myst_literal(caption)}", f":name: {name}", "", header, rule, *body, "```", ""])


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
