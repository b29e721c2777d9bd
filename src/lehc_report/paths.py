"""Where the pipeline reads and writes: the one object that knows every path.

Make exports ``LEHC_DATA`` (the cohort's raw data folder, ``DATA`` in the Makefile)
and ``LEHC_BUILD`` (the build folder, ``BUILD``); a researcher running a notebook by
hand gets the defaults, the project's own ``data/`` and ``_build/``.  :func:`get_paths`
is the only reader of those variables in the package, the Sphinx extension and the
tests.  The raw data folder is only ever read.

A build folder holds *everything* of one build (execution cache, tidy data, results,
generated tables and figures, logs, Sphinx work folders, pages, PDF), so two builds
never read each other's outputs, and carries a marker file (:data:`BUILD_MARKER`):
the build refuses a folder that could hold something else (:func:`check_build_folder`)
and ``make clean`` removes only marked folders.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The file that marks a folder as a build folder of this project.
BUILD_MARKER = ".lehc-build"
MARKER_TEXT = ("A build folder of the LEHC evaluation report: everything in it is made by `make book`, "
               "and `make clean` deletes it.\n")
#: What an earlier build (before the marker existed) left in its folder: such a folder is adopted.
LEGACY_BUILD_ENTRIES = frozenset({"stamps", ".jupyter_cache", "generated", "results", "tidy", "logs", "work",
                                  "work-pdf", "html", "html.new", "html.old", "pdf", "lehc.qdpx"})


class BuildFolderError(ValueError):
    """A ``BUILD`` folder the build must not write into; the message is one line."""


def project_root(start: Path | None = None) -> Path:
    """The project folder: the one holding the book's ``_config.yml`` and ``src/lehc_report``.

    Parameters
    ----------
    start : Path, optional
        Where to start searching upwards (default: the current directory).

    Returns
    -------
    Path
        Absolute path of the project root; when no folder above ``start`` qualifies
        (a notebook run from elsewhere), the checkout this package was loaded from.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").exists() and (folder / "src" / "lehc_report").exists():
            return folder
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ProjectPaths:
    """Every folder and file the pipeline reads or writes, from three roots.

    Parameters
    ----------
    root : Path
        The project (notebooks, chapters, settings files, the project's own ``data/``).
    data : Path
        The cohort's raw data folder (read only).
    build : Path
        The build folder: every output of this build, and nothing else's.
    """

    root: Path
    data: Path
    build: Path

    @property
    def tidy(self) -> Path:
        """Validated tidy tables written by the cleaning stage."""
        return self.build / "tidy"

    @property
    def results(self) -> Path:
        """Analysis results as CSV: what ``make verify`` compares."""
        return self.build / "results"

    @property
    def generated(self) -> Path:
        """What the stages write for the chapters: tables, figures and content flags."""
        return self.build / "generated"

    @property
    def figures(self) -> Path:
        """Figures (PNG) shown by the chapters through ``{generated-figure}``."""
        return self.generated / "figures"

    @property
    def tables(self) -> Path:
        """MyST snippets of the report's numbered tables, included by ``{generated-table}``."""
        return self.generated / "tables"

    @property
    def content_flags(self) -> Path:
        """``content.json``: what the qualitative stage found (``{"coded": true, ...}``),
        read by the Sphinx extension to keep or drop the chapters' marked passages."""
        return self.generated / "content.json"

    @property
    def logs(self) -> Path:
        """Notebook tracebacks and other diagnostics of this build."""
        return self.build / "logs"

    @property
    def execution_cache(self) -> Path:
        """The Jupyter execution cache the notebooks are run into and the book reads from."""
        return self.build / ".jupyter_cache"

    @property
    def stamps(self) -> Path:
        """Make's targets and the input fingerprints (``<notebook>.inputs``) that drive them."""
        return self.build / "stamps"

    @property
    def html(self) -> Path:
        """The HTML report."""
        return self.build / "html"

    @property
    def pdf(self) -> Path:
        """The PDF report (``book.pdf``)."""
        return self.build / "pdf"

    @property
    def marker(self) -> Path:
        """The file that marks :attr:`build` as a build folder (see :func:`check_build_folder`)."""
        return self.build / BUILD_MARKER

    @property
    def content_flags(self) -> Path:
        """What the stages found that decides which passages the chapters keep
        (``{"paired": bool, "qualitative": bool, "coded": bool}``), read by ``lehc_report.book.sphinxext``."""
        return self.build / "generated" / "content.json"

    def ensure(self) -> "ProjectPaths":
        """Create the output folders of the stages (not the data folder).

        Returns
        -------
        ProjectPaths
            ``self``, for chaining.
        """
        for folder in (self.tidy, self.results, self.figures, self.tables, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def _absolute(value: str | os.PathLike, root: Path) -> Path:
    path = Path(value).expanduser()
    return (path if path.is_absolute() else root / path).resolve()


def get_paths(environ: dict[str, str] | None = None, root: Path | None = None) -> ProjectPaths:
    """The paths of this build, from ``LEHC_DATA`` and ``LEHC_BUILD``.

    Parameters
    ----------
    environ : mapping, optional
        Where to read the variables (default: ``os.environ``).  Relative values are
        taken relative to the project root, as Make (run in the root) passes them.
    root : Path, optional
        The project root (default: :func:`project_root`).

    Returns
    -------
    ProjectPaths
        With absolute, resolved ``data`` and ``build`` (defaults ``<root>/data`` and
        ``<root>/_build``).
    """
    environ = os.environ if environ is None else environ
    root = (root or project_root()).resolve()
    data = _absolute(environ.get("LEHC_DATA") or root / "data", root)
    build = _absolute(environ.get("LEHC_BUILD") or root / "_build", root)
    return ProjectPaths(root=root, data=data, build=build)


def check_build_folder(paths: ProjectPaths) -> None:
    """Refuse a build folder that could hold anything but this project's builds.

    Refused: the project root or a folder above it, the data folder or a folder
    inside it, and an existing non-empty folder without the build marker.  A folder
    left by a build from before the marker existed (only build outputs in it, among
    them ``stamps``) is accepted and marked by :func:`claim_build_folder`.

    Parameters
    ----------
    paths : ProjectPaths

    Raises
    ------
    BuildFolderError
        With a one-line message naming the folder and what to do.
    """
    build, root, data = paths.build, paths.root, paths.data
    if build == root or build in root.parents:
        raise BuildFolderError(f"BUILD={build} is the project folder{'' if build == root else ' or above it'}; "
                               "give a folder of its own, e.g. BUILD=_build")
    if build == data or data in build.parents:
        raise BuildFolderError(f"BUILD={build} is {'' if build == data else 'inside '}the data folder, which the build "
                               "never writes into; give a folder of its own, e.g. BUILD=_build")
    if build.exists() and not build.is_dir():
        raise BuildFolderError(f"BUILD={build} is a file, not a folder; give a folder of its own")
    if build.is_dir() and not paths.marker.exists():
        entries = {entry.name for entry in build.iterdir()}
        adoptable = "stamps" in entries and entries <= LEGACY_BUILD_ENTRIES
        # Looked at again: a concurrent build (`make book pdf` runs two) writes the marker
        # first, so a folder that filled after the first look is marked by now.
        if entries and not adoptable and not paths.marker.exists():
            raise BuildFolderError(f"BUILD={build} is a folder that is not empty and not a build folder (no "
                                   f"{BUILD_MARKER}); give an empty or new folder, so that nothing in it is "
                                   "overwritten or deleted by `make clean`")


def claim_build_folder(paths: ProjectPaths) -> Path:
    """Check the build folder (:func:`check_build_folder`), create it and mark it.

    Parameters
    ----------
    paths : ProjectPaths

    Returns
    -------
    Path
        The build folder.

    Raises
    ------
    BuildFolderError
        The folder is refused (one-line message).
    """
    check_build_folder(paths)
    paths.build.mkdir(parents=True, exist_ok=True)
    if not paths.marker.exists():
        paths.marker.write_text(MARKER_TEXT, encoding="utf-8")
    return paths.build


def is_build_folder(folder: Path) -> bool:
    """Whether ``folder`` carries the build marker (``make clean`` deletes only those).

    Parameters
    ----------
    folder : Path

    Returns
    -------
    bool
    """
    return (Path(folder) / BUILD_MARKER).is_file()
