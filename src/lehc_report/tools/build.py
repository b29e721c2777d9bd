"""The build folder and the input fingerprints that decide what ``make book`` re-runs.

    python -m lehc_report.tools.build prepare   # check and mark BUILD, write the fingerprints, print BUILD
    python -m lehc_report.tools.build clean     # delete BUILD, if it is a marked build folder

Make compares dates, and a date says nothing about content: a corrected export copied in
with its old date (``cp -p``, unzip, Explorer and Finder copies) or a deleted optional
file would leave the old report in place.  So before Make looks at anything, ``prepare``
hashes everything each notebook reads (:data:`NOTEBOOK_INPUTS`: data files chosen by
the one fallback rule of :mod:`lehc_report.inputs.folder`, settings files, the package,
the notebook, and which files are present) and rewrites ``<BUILD>/stamps/<nb>.inputs``
only when that hash changed.  Each notebook's Make target depends on that file alone, so
no data file name (``self_assessment_end (1).csv``) ever reaches Make.  ``book.inputs``
and ``book-config.inputs`` do the same for the chapters and the book's configuration.

Every path is read through :class:`lehc_report.paths.ProjectPaths`; this module imports
no analysis library, so the no-change build stays fast.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import os
import shutil
import sys
from pathlib import Path

from lehc_report.errors import InputError
from lehc_report.inputs.folder import DataFolder
from lehc_report.inputs.provenance import about_values, sha256  # the one file digest
from lehc_report.paths import BuildFolderError, ProjectPaths, claim_build_folder, get_paths, is_build_folder
from lehc_report.tools.publish import build_lock

#: What each notebook reads.  ``data``: patterns of names in the data folder (every
#: matching file present, by name and content, so an added, deleted or renamed file
#: counts); ``resolved``: names read through the fallback rule (own, else project's, ...);
#: ``project``: files of the project.  Every notebook also reads itself and the package.
NOTEBOOK_INPUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "01_clean": {
        # Near names ("self_assessment_end (1).csv", "~$..." lock files) are read to be refused or logged.
        # respondents.csv: with participants.csv and cohort.yml, it keys the 2013 counts' exception (disclosure.py).
        "data": ("self*assessment*", "~$self*assessment*", "participants.csv", "cohort.yml", "respondents.csv"),
        "resolved": ("framework.yml", "survey_instrument.yml"),
        "project": ("analysis.yml", "privacy.yml"),
    },
    "02_quant": {
        "data": ("cohort.yml",),
        "resolved": ("framework.yml",),
        "project": ("analysis.yml", "privacy.yml"),
    },
    "03_qual": {
        "data": ("respondents.csv", "survey_returns.csv", "interview_segments.csv", "codings.csv",
                 "double_coded.csv", "case_studies.yml", "cohort.yml", "*.qdpx"),
        "resolved": ("framework.yml", "survey_instrument.yml", "codebook.yml", "deny_list.txt"),
        "project": ("analysis.yml", "privacy.yml"),
    },
    "04_robust": {
        "data": ("cohort.yml",),
        "resolved": ("framework.yml",),
        "project": ("analysis.yml", "privacy.yml"),
    },
    "05_about": {
        # The About page lists a hash of every file in the data folder.
        "data": ("*",),
        "resolved": ("framework.yml", "survey_instrument.yml", "codebook.yml", "deny_list.txt"),
        "project": ("analysis.yml", "privacy.yml", "requirements.txt", "constraints.txt"),
    },
}
#: The book's pages, and what makes every page be re-read (configuration, the Sphinx extension).
BOOK_PAGES = ("book/**/*",)
BOOK_CONFIG = ("_config.yml", "_toc.yml", "src/lehc_report/book/*.py")
#: The data folder's files every page reads through the Sphinx extension (the cohort's title,
#: credits, principles, references and own survey instrument): part of ``book-config``.
BOOK_DATA = ("cohort.yml", "principles.yml", "references.bib", "survey_instrument.yml")
#: Tools whose output is a target of their own: editing them re-makes that target only.
TOOL_INPUTS = {"pdf": ("src/lehc_report/tools/pdf.py",), "qdpx": ("src/lehc_report/tools/qdpx.py",),
               "docx": ("src/lehc_report/tools/docx.py", "_toc.yml")}


def package_files(root: Path) -> list[Path]:
    """The analysis package: what notebooks import.  ``tools/`` and the Sphinx extension
    shape no result, so editing them runs no notebook; ``book/glue.py`` is imported by
    every notebook, so it counts.

    Parameters
    ----------
    root : Path
        The project root.

    Returns
    -------
    list of Path
        ``src/lehc_report/**/*.py`` without ``tools/``, ``network/`` (the report across
        cohorts, which no notebook imports) and ``book/sphinxext.py``, and
        ``pyproject.toml``, sorted.
    """
    package = root / "src" / "lehc_report"
    files = [path for path in package.rglob("*.py")
             if "__pycache__" not in path.parts and path.relative_to(package).parts[0] not in ("tools", "network")
             and path.relative_to(package).as_posix() != "book/sphinxext.py"]
    return sorted(files) + [root / "pyproject.toml"]


def notebook_inputs(paths: ProjectPaths, notebook: str) -> list[tuple[str, Path | None]]:
    """Every file ``notebook`` reads, each with the label it is listed under.

    Parameters
    ----------
    paths : ProjectPaths
    notebook : str
        A key of :data:`NOTEBOOK_INPUTS`, e.g. ``"01_clean"``.

    Returns
    -------
    list of (str, Path or str or None)
        ``("data/<name>", path)`` for data files present, ``("<name>", path)`` for
        resolved and project files, ``("<name>", None)`` for a resolved file that is
        absent (its absence is part of the fingerprint), and for ``05_about``
        ``("value: <key>", text)`` for each value its page shows that no file holds
        (:func:`lehc_report.inputs.provenance.about_values`).
    """
    spec = NOTEBOOK_INPUTS[notebook]
    root = paths.root
    found: list[tuple[str, Path | None]] = [(f"notebooks/{notebook}.md", root / "notebooks" / f"{notebook}.md")]
    found += [(path.relative_to(root).as_posix(), path) for path in package_files(root)]
    found += [(name, root / name) for name in spec["project"] if (root / name).is_file()]
    folder = DataFolder(paths.data, root)
    for name in spec["resolved"]:
        sources = folder.sources(name)
        found += [(f"{name} <- {_where(path, paths)}", path) for path in sources] or [(name, None)]
    if paths.data.is_dir():
        for path in sorted(paths.data.iterdir(), key=lambda p: p.name):
            if path.is_file() and any(fnmatch.fnmatchcase(path.name.lower(), pattern) for pattern in spec["data"]):
                found.append((f"data/{path.name}", path))
    else:
        found.append(("data folder", None))
    if notebook == "05_about":
        # Values the About page shows that no file holds: the commit (and whether the tree has
        # uncommitted changes) and the source date.  A commit that changes nothing else must
        # still re-run the page.
        try:
            values = about_values(root, paths.data)
        except InputError as error:  # the notebook then fails with this message itself
            values = {"error": str(error)}
        found += [(f"value: {key}", text) for key, text in sorted(values.items())]
    return found


def _where(path: Path, paths: ProjectPaths) -> str:
    for label, base in (("data", paths.data), ("project", paths.root)):
        try:
            return f"{label}/{path.resolve().relative_to(base).as_posix()}"
        except ValueError:
            continue
    return str(path)


def files_matching(root: Path, patterns: tuple[str, ...]) -> list[tuple[str, Path | None]]:
    """Project files matching glob ``patterns`` (relative to ``root``), labelled by their path.

    Parameters
    ----------
    root : Path
    patterns : tuple of str

    Returns
    -------
    list of (str, Path)
        Sorted by label; folders and ``__pycache__`` left out.
    """
    found = {}
    for pattern in patterns:
        for path in root.glob(pattern):
            if path.is_file() and "__pycache__" not in path.parts:
                found[path.relative_to(root).as_posix()] = path
    return sorted(found.items())


def fingerprint_text(inputs: list[tuple[str, Path | None]]) -> str:
    """The fingerprint file's text: one ``<sha256>  <label>`` line per input (``absent`` if missing).

    Parameters
    ----------
    inputs : list of (str, Path or str or None)
        A file (hashed by content), a text (hashed as UTF-8) or None (absent).

    Returns
    -------
    str
        Sorted by label, so the same inputs always give the same text.
    """
    def digest(item: Path | str | None) -> str:
        if item is None:
            return "absent"
        if isinstance(item, str):
            return hashlib.sha256(item.encode("utf-8")).hexdigest()
        return sha256(item)

    lines = [f"{digest(item):<64}  {label}" for label, item in inputs]
    return "".join(f"{line}\n" for line in sorted(lines, key=lambda line: line[66:]))


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` only when it differs (Make then sees a new date only then).

    Parameters
    ----------
    path : Path
    text : str

    Returns
    -------
    bool
        Whether the file was (re)written.
    """
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of this process's own: `make book pdf` prepares the same folder twice at once,
    # and two writers sharing one temporary name lost a rename.
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return True


def remove_stale_partials(stamps: Path) -> list[Path]:
    """Remove the partial fingerprint files (``<name>.<pid>.tmp``) of ``prepare`` runs that were killed.

    Parameters
    ----------
    stamps : Path
        The build's ``stamps`` folder.

    Returns
    -------
    list of Path
        What was removed; a partial of a process still running (a build preparing the
        same folder at this moment) is kept.
    """
    removed = []
    for partial in stamps.glob("*.tmp"):
        pid = partial.suffixes[-2][1:] if len(partial.suffixes) >= 2 else ""
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # alive (or another user's): its writer will rename it
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        partial.unlink(missing_ok=True)
        removed.append(partial)
    return removed


def forget_other_cohort(paths: ProjectPaths) -> None:
    """When ``DATA`` names another folder than the last build's, remove what the stages
    wrote, so that no output of the previous cohort (one this cohort's stages do not
    write again) can be mistaken for this one's.

    Parameters
    ----------
    paths : ProjectPaths
    """
    record = paths.stamps / "data-folder"
    current = f"{paths.data}\n"
    if record.is_file() and record.read_text(encoding="utf-8") == current:
        return
    for folder in (paths.generated, paths.results, paths.tidy):
        shutil.rmtree(folder, ignore_errors=True)
    # Every notebook runs again, even one whose inputs hash the same (a copy of the data elsewhere).
    for done in paths.stamps.glob("*.done"):
        done.unlink()
    write_if_changed(record, current)


def prepare(paths: ProjectPaths) -> list[str]:
    """Check and mark the build folder, then, holding its lock, write the input fingerprints that changed.

    Parameters
    ----------
    paths : ProjectPaths

    Returns
    -------
    list of str
        The names of the fingerprint files rewritten (``01_clean``, ..., ``book``).

    Raises
    ------
    BuildFolderError
        ``BUILD`` is refused (:func:`lehc_report.paths.check_build_folder`).
    """
    claim_build_folder(paths)
    # Under the build's lock: while another build of this folder runs, its fingerprints are
    # left alone.  Written meanwhile, an edit's fingerprint could predate the running
    # build's final touch of its target, and this build would then take a page that
    # missed the edit as up to date.
    with build_lock(paths.build, wait_message=True):
        paths.stamps.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(paths.stamps)
        forget_other_cohort(paths)
        changed = []
        for notebook in NOTEBOOK_INPUTS:
            if write_if_changed(paths.stamps / f"{notebook}.inputs",
                                fingerprint_text(notebook_inputs(paths, notebook))):
                changed.append(notebook)
        for name, patterns in (("book", BOOK_PAGES), ("book-config", BOOK_CONFIG), *TOOL_INPUTS.items()):
            inputs = files_matching(paths.root, patterns)
            if name == "book-config":  # present or absent, by content
                inputs += [(f"data/{n}", paths.data / n if (paths.data / n).is_file() else None) for n in BOOK_DATA]
            if write_if_changed(paths.stamps / f"{name}.inputs", fingerprint_text(inputs)):
                changed.append(name)
    return changed


def clean(paths: ProjectPaths) -> str:
    """Delete the build folder, only if it carries the build marker.

    Parameters
    ----------
    paths : ProjectPaths

    Returns
    -------
    str
        What was done, in one line.

    Raises
    ------
    BuildFolderError
        The folder exists but is not a marked build folder (nothing is deleted).
    """
    if not paths.build.exists():
        return f"clean: {paths.build} does not exist"
    if not is_build_folder(paths.build):
        raise BuildFolderError(f"BUILD={paths.build} is not a build folder (no .lehc-build marker); not deleted")
    shutil.rmtree(paths.build)
    return f"clean: removed {paths.build}"


def main(argv: list[str] | None = None) -> None:
    """Command line: ``prepare`` or ``clean``; a refused folder ends with one line and status 2."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("prepare", "clean", "where"))
    args = parser.parse_args(argv)
    paths = get_paths()
    try:
        if args.command == "prepare":
            prepare(paths)
            print(paths.build)  # for Make, which then runs inside it
        elif args.command == "clean":
            print(clean(paths))
        else:
            print(paths.build)
    except BuildFolderError as error:
        print(f"make: {error}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
