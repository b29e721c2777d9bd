"""Where the pipeline reads and writes.

Make exports ``LEHC_DATA`` (the cohort's raw data folder, ``DATA`` in the Makefile)
and ``LEHC_BUILD``; a researcher running a notebook by hand gets the defaults:
the project's own ``data/`` and ``_build/``.  The raw data folder is only ever read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def project_root(start: Path | None = None) -> Path:
    """The folder holding the book's ``_config.yml`` (searched upwards)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").exists() and (folder / "src" / "lehc_report").exists():
            return folder
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ProjectPaths:
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
    def figures(self) -> Path:
        return self.build / "generated" / "figures"

    @property
    def tables(self) -> Path:
        """MyST snippets of the report's numbered tables, included by the chapters."""
        return self.build / "generated" / "tables"

    @property
    def content_flags(self) -> Path:
        """What the stages found that decides which passages the chapters keep
        (``{"qualitative": bool, "coded": bool}``), read by ``lehc_report.book.sphinxext``."""
        return self.build / "generated" / "content.json"

    def ensure(self) -> "ProjectPaths":
        for folder in (self.tidy, self.results, self.figures, self.tables):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def get_paths() -> ProjectPaths:
    root = project_root()
    data = Path(os.environ.get("LEHC_DATA", root / "data"))
    build = Path(os.environ.get("LEHC_BUILD", root / "_build"))
    if not data.is_absolute():
        data = root / data
    if not build.is_absolute():
        build = root / build
    return ProjectPaths(root=root, data=data.resolve(), build=build.resolve())
