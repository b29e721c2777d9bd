"""Provenance for the "About this report" page: commit, source date, input hashes, versions.

Everything here is a function of the sources, never of the moment or the folder of the
build, so that two builds of the same sources give the same bytes: the date is the
*source date* (``SOURCE_DATE_EPOCH``, else the last commit's date, else a fixed date;
the Reproducible Builds convention, https://reproducible-builds.org/specs/source-date-epoch/),
files are named by name only, and tables are plain escaped HTML with no random ids.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from lehc_report.book.glue import GlueSpec
from lehc_report.errors import DataError

if TYPE_CHECKING:  # pandas is imported where a table is made: the Sphinx build imports this module for sha256 alone
    import pandas as pd

CORE_PACKAGES = ["jupyter-book", "sphinx", "myst-nb", "jupyter-cache", "numpy", "pandas", "scipy", "pingouin",
                 "statsmodels", "matplotlib", "seaborn", "pandera", "krippendorff"]

#: The source date when there is neither ``SOURCE_DATE_EPOCH`` nor a git commit (a
#: source archive): the publication year of the 2013 report, fixed so builds still agree.
FALLBACK_SOURCE_DATE = datetime(2013, 1, 1, tzinfo=timezone.utc)

#: The About page's glue keys (all produced by :func:`about_values`).
ABOUT_GLUE = GlueSpec(
    notebook="05_about",
    keys={"about_commit": None, "about_source_date": None, "about_data": None},
)


def sha256(path: Path) -> str:
    """SHA-256 of a file's bytes.

    Parameters
    ----------
    path : Path

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def input_hashes(data_dir: Path, extra: list[Path] = ()) -> pd.DataFrame:
    """Size and SHA-256 of every file in the data folder, and of any extra inputs.

    Parameters
    ----------
    data_dir : Path
        The cohort's data folder (files directly in it; sub-folders are not inputs).
    extra : list of Path
        Further inputs (``privacy.yml``); those that do not exist are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``file`` (name only, never a path: the table must not depend on where
        the project sits), ``bytes`` (int) and ``sha256`` (str); data files sorted by
        name, then the extra inputs in the order given.

    Raises
    ------
    DataError
        ``data_dir`` is not a folder (one line, like every other input error).
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        # Word for word as the cleaning stage says it, so the build reports it once (see tools/execute.py).
        raise DataError(data_dir, "is not a folder; point DATA (LEHC_DATA) at the cohort's data folder")
    import pandas as pd

    files = sorted((p for p in data_dir.iterdir() if p.is_file()), key=lambda p: p.name)
    files += [Path(p) for p in extra if Path(p).is_file()]
    return pd.DataFrame({"file": [p.name for p in files], "bytes": [p.stat().st_size for p in files],
                         "sha256": [sha256(p) for p in files]})


def table_html(table: pd.DataFrame) -> str:
    """A table as plain HTML: every cell escaped, no index, no ids.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table (here: :func:`input_hashes` or :func:`package_versions`).

    Returns
    -------
    str
        ``<table class="dataframe">…</table>``.  Unlike a pandas ``Styler`` (random
        ``T_xxxxx`` ids on every build), the same table gives the same bytes, and a
        file named like markup shows as text.
    """
    return table.to_html(index=False, escape=True, border=0, classes="dataframe")


def git_commit(root: Path) -> str:
    """The commit the project is at, marked when tracked files have uncommitted changes.

    Parameters
    ----------
    root : Path
        The project folder.

    Returns
    -------
    str
        The 40-digit commit hash, ``"<hash> (with uncommitted changes)"``, or
        ``"not a git checkout"``.
    """
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True).stdout.strip()
        return commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"


def source_date(root: Path, environ: dict[str, str] | None = None) -> datetime:
    """The date the report is dated by: the sources', never the build's.

    Parameters
    ----------
    root : Path
        The project folder (for the last commit's date).
    environ : dict, optional
        Environment to read ``SOURCE_DATE_EPOCH`` from (default: ``os.environ``).

    Returns
    -------
    datetime
        UTC: ``SOURCE_DATE_EPOCH`` (seconds since 1970) if set, else the committer date
        of ``HEAD``, else :data:`FALLBACK_SOURCE_DATE`.

    Raises
    ------
    DataError
        ``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds.

    Notes
    -----
    The Reproducible Builds ``SOURCE_DATE_EPOCH`` specification; Sphinx reads the same
    variable for its own dates.
    """
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise DataError("SOURCE_DATE_EPOCH", f"{epoch!r} is not a whole number of seconds since 1970")
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    try:
        committed = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True,
                                   check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        committed = ""
    if committed.isdigit():
        return datetime.fromtimestamp(int(committed), timezone.utc)
    return FALLBACK_SOURCE_DATE


def about_values(root: Path, data_dir: Path, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The About page's glue values, keyed as :data:`ABOUT_GLUE` declares.

    Parameters
    ----------
    root : Path
        The project folder.
    data_dir : Path
        The cohort's data folder (only its name is shown).
    environ : dict, optional
        See :func:`source_date`.

    Returns
    -------
    dict
        ``about_commit`` (see :func:`git_commit`), ``about_source_date``
        (``"YYYY-MM-DD"``, see :func:`source_date`) and ``about_data`` (the folder's name).
    """
    values = {
        "commit": git_commit(root),
        "source_date": source_date(root, environ).strftime("%Y-%m-%d"),
        "data": Path(data_dir).name,
    }
    return {f"about_{key}": value for key, value in values.items()}


def package_versions() -> pd.DataFrame:
    """Python's version and those of the core packages.

    Returns
    -------
    pandas.DataFrame
        Columns ``package`` and ``version`` (``"not installed"`` when absent).
    """
    rows = [("Python", platform.python_version())]
    for name in CORE_PACKAGES:
        try:
            rows.append((name, version(name)))
        except PackageNotFoundError:
            rows.append((name, "not installed"))
    import pandas as pd

    return pd.DataFrame(rows, columns=["package", "version"])
