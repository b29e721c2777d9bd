"""Which file the pipeline reads for each name: the cohort's own, or the project's.

One rule, in one table (:data:`FALLBACK`), used by the readers and by the build's
input fingerprints (``lehc_report.tools.build``), and written out in ``data/README.md``:

=========================  ===================================================
file                       rule
=========================  ===================================================
``framework.yml``          the cohort's own, else the project's
``survey_instrument.yml``  the cohort's own, else the project's
``codebook.yml``           the cohort's own only (it belongs to its codings)
``cohort.yml``             the cohort's own only (facts about that cohort)
``deny_list.txt``          the project's list *and* the cohort's own
=========================  ===================================================

Every other file (exports, registers, qualitative CSVs) is the cohort's own only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

#: name -> rule: ``"own, else project"``, ``"own only"`` or ``"project and own"``.
FALLBACK: dict[str, str] = {
    "framework.yml": "own, else project",
    "survey_instrument.yml": "own, else project",
    "codebook.yml": "own only",
    "cohort.yml": "own only",
    "deny_list.txt": "project and own",
}
RULES = frozenset(FALLBACK.values())


@dataclass(frozen=True)
class DataFolder:
    """A cohort's data folder, with the project's own ``data/`` to fall back on.

    Parameters
    ----------
    data : Path
        The cohort's raw data folder.
    root : Path
        The project root: its ``data/`` holds the project's copies, and its
        ``privacy.yml`` names the project's deny list.
    """

    data: Path
    root: Path

    @property
    def project_data(self) -> Path:
        """The project's own data folder, ``<root>/data``."""
        return Path(self.root) / "data"

    def project_copy(self, name: str) -> Path:
        """Where the project keeps its copy of ``name``.

        The deny list is wherever ``privacy.yml``'s ``deny_list`` says (relative to
        the root); every other file is in ``<root>/data``.

        Parameters
        ----------
        name : str
            A file name from :data:`FALLBACK`.

        Returns
        -------
        Path
        """
        if name == "deny_list.txt":
            settings = Path(self.root) / "privacy.yml"
            if settings.exists():
                spec = yaml.safe_load(settings.read_text(encoding="utf-8")) or {}
                if isinstance(spec, dict) and spec.get("deny_list"):
                    return Path(self.root) / spec["deny_list"]
        return self.project_data / name

    def sources(self, name: str) -> tuple[Path, ...]:
        """Every existing file read for ``name``, in the order it is used.

        Parameters
        ----------
        name : str
            A file name; names not in :data:`FALLBACK` are the cohort's own only.

        Returns
        -------
        tuple of Path
            Empty when nothing is read (an optional file left out); one path for
            ``own, else project`` and ``own only``; up to two (project's, then the
            cohort's, once if they are the same file) for ``project and own``.
        """
        rule = FALLBACK.get(name, "own only")
        own = Path(self.data) / name
        if rule == "own only":
            return (own,) if own.is_file() else ()
        project = self.project_copy(name)
        if rule == "own, else project":
            chosen = own if own.is_file() else project
            return (chosen,) if chosen.is_file() else ()
        found = [path for path in (project, own) if path.is_file()]
        unique = {path.resolve(): path for path in found}
        return tuple(unique.values())

    def resolve(self, name: str) -> Path:
        """The one file read for ``name`` (``own, else project`` and ``own only`` names).

        Parameters
        ----------
        name : str

        Returns
        -------
        Path
            The cohort's own file if present, else (``own, else project``) the
            project's; for an ``own only`` name that is absent, the cohort's path, so
            that a reader's message names where the file was looked for.

        Raises
        ------
        ValueError
            ``name`` is read from more than one file (``deny_list.txt``: use :meth:`sources`).
        """
        if FALLBACK.get(name) == "project and own":
            raise ValueError(f"{name} is read from the project and the cohort; use DataFolder.sources")
        found = self.sources(name)
        return found[0] if found else Path(self.data) / name
