"""Check that the report's artefacts rebuild byte for byte from the raw data.

    python -m lehc_report.tools.verify manifest   # record results/MANIFEST.sha256 from _build
    python -m lehc_report.tools.verify verify     # rebuild from scratch, compare with it
    python -m lehc_report.tools.verify check      # compare the current _build, no rebuild
    python -m lehc_report.tools.verify compare BUILD_A BUILD_B   # two builds: text and bytes

The manifest lists, sorted by path, the SHA-256 of every result CSV
(``_build/results/*.csv``), figure (``_build/generated/figures/*.png|svg``) and
table snippet (``_build/generated/tables/*.md``), with paths relative to the build
folder, in the format of ``sha256sum``: from ``_build``,
``sha256sum -c ../results/MANIFEST.sha256`` checks it too.

``verify`` first removes everything derived from the data (the stamps, the
execution cache, the results, the generated figures and tables and the tidy
tables; ``.venv`` stays), then runs ``make book``, so every notebook re-runs with
an empty cache, and then compares.  It prints one line per artefact, ``PASS``,
``FAIL`` (expected and actual hashes), ``MISSING`` (in the manifest, not built) or
``EXTRA`` (built, not in the manifest), and exits non-zero on any difference.

``verify`` also compares what a reader sees: before rebuilding it records the text
of every HTML page (``html/**/*.html``, without markup, scripts and styles) and of
the PDF (``pdf/book.pdf``, when there is one, which is then printed again too), and
after rebuilding it compares them, one ``PASS``/``FAIL``/``MISSING``/``EXTRA`` line
each under ``text:``.  Run it on a build of the current sources: it answers "does a
clean rebuild say the same thing?".

``compare`` checks two build folders (two clean builds in different places): every
artefact, page, the search index and the PDF byte for byte (``cmp``), and the text of
the pages and the PDF, naming the first difference of each text that differs.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from lehc_report.paths import get_paths

from lehc_report.inputs.provenance import sha256  # the one file digest

#: What the manifest covers, as globs relative to the build folder.
ARTEFACTS = ("results/*.csv", "generated/figures/*.png", "generated/figures/*.svg", "generated/tables/*.md")
#: What a reader sees, compared as text by ``verify`` and byte for byte by ``compare``.
PAGES = "html/**/*.html"
SEARCH_INDEX = "html/searchindex.js"
PDF = "pdf/book.pdf"
#: Removed by ``verify`` before rebuilding: everything computed from the raw data.
DERIVED = ("stamps", ".jupyter_cache", "results", "generated", "tidy")


def artefacts(build: Path) -> dict[str, str]:
    """SHA-256 of every artefact in a build folder.

    Parameters
    ----------
    build : Path
        The build folder.

    Returns
    -------
    dict
        ``{path relative to build: sha256}``, sorted by path, for :data:`ARTEFACTS`.
    """
    found: dict[str, str] = {}
    for pattern in ARTEFACTS:
        for path in build.glob(pattern):
            if path.is_file():
                found[path.relative_to(build).as_posix()] = sha256(path)
    return dict(sorted(found.items()))


def format_manifest(hashes: dict[str, str]) -> str:
    """The manifest's text.

    Parameters
    ----------
    hashes : dict
        ``{path relative to the build folder: sha256}``.

    Returns
    -------
    str
        ``sha256sum`` lines (``"<digest>  <path>"``), sorted by path.
    """
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(hashes.items()))


def read_manifest(path: Path) -> dict[str, str]:
    """Read a ``sha256sum`` file.

    Parameters
    ----------
    path : Path

    Returns
    -------
    dict
        ``{path: digest}``.

    Raises
    ------
    SystemExit
        A malformed line, named by file and line number.
    """
    hashes: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise SystemExit(f"{path}:{number}: not a sha256sum line: {line!r}")
        hashes[name.lstrip("*")] = digest
    return hashes


def write_manifest(build: Path, manifest: Path) -> dict[str, str]:
    """Record the artefacts of a build in the manifest.

    Parameters
    ----------
    build : Path
        The build folder.
    manifest : Path
        The manifest file (``results/MANIFEST.sha256``).

    Returns
    -------
    dict
        What was recorded, ``{path: digest}``.

    Raises
    ------
    SystemExit
        The build holds no artefact.
    """
    hashes = artefacts(build)
    if not hashes:
        raise SystemExit(f"{build}: no artefacts found (run make book first)")
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(format_manifest(hashes), encoding="utf-8")
    return hashes


def compare(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """Each artefact's verdict.

    Parameters
    ----------
    expected, actual : dict
        ``{path: digest}`` from the manifest and from the build.

    Returns
    -------
    list of str
        One line per artefact: ``PASS``, ``FAIL`` (with both digests), ``MISSING`` or ``EXTRA``.
    """
    lines = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            lines.append(f"MISSING {name}")
        elif name not in expected:
            lines.append(f"EXTRA {name}")
        elif expected[name] == actual[name]:
            lines.append(f"PASS {name}")
        else:
            lines.append(f"FAIL {name} (expected {expected[name]}, got {actual[name]})")
    return lines


def clean_derived(build: Path) -> None:
    """Remove everything computed from the raw data (:data:`DERIVED`) from a build folder.

    Parameters
    ----------
    build : Path
        The build folder.
    """
    for name in DERIVED:
        target = build / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def rebuild(root: Path, make: str, targets: tuple[str, ...] = ("book",)) -> None:
    """Run ``make <targets>`` in the project.

    Parameters
    ----------
    root : Path
        The project root.
    make : str
        The make command (``$(MAKE)``).
    targets : tuple of str
        Targets to make.

    Raises
    ------
    SystemExit
        The rebuild failed.
    """
    command = [*shlex.split(make), "-C", str(root), *targets]
    print(f"verify: rebuilding from the raw data: {' '.join(command)}", flush=True)
    result = subprocess.run(command, check=False)
    if result.returncode != 0:
        raise SystemExit(f"verify: the rebuild failed (exit {result.returncode})")


def report(expected: dict[str, str], actual: dict[str, str], manifest: Path) -> int:
    """Print :func:`compare`'s lines and a summary.

    Parameters
    ----------
    expected, actual : dict
        ``{path: digest}`` from the manifest and from the build.
    manifest : Path
        Named in the summary.

    Returns
    -------
    int
        0 when every artefact passes, else 1.
    """
    lines = compare(expected, actual)
    for line in lines:
        print(line)
    failed = [line for line in lines if not line.startswith("PASS ")]
    if failed:
        print(f"verify: {len(failed)} of {len(lines)} artefacts differ from {manifest}", file=sys.stderr)
        return 1
    print(f"verify: all {len(lines)} artefacts match {manifest}")
    return 0


# ---- what a reader sees: the pages' and the PDF's text --------------------------------------


class _VisibleText(HTMLParser):
    """The text of an HTML page as a reader sees it: no tags, scripts, styles or comments."""

    SKIPPED = {"script", "style", "noscript", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.parts.append(" ")  # a tag separates words ("<h1>A</h1><p>B" reads "A B")
        if tag in self.SKIPPED:
            self.skipping += 1

    def handle_endtag(self, tag):
        self.parts.append(" ")
        if tag in self.SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def page_text(path: Path) -> str:
    """The visible text of an HTML page, whitespace collapsed.

    Parameters
    ----------
    path : Path
        An HTML file.

    Returns
    -------
    str
        Its text without markup, scripts, styles and comments, runs of whitespace as one space.
    """
    parser = _VisibleText()
    parser.feed(Path(path).read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


def pdf_text(path: Path) -> str:
    """The text of a PDF, one line per page (pypdf's extraction, whitespace collapsed).

    Parameters
    ----------
    path : Path
        A PDF file.

    Returns
    -------
    str
        ``"page 1: …\\npage 2: …"``.
    """
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # Chromium's trailer warning, repaired by pypdf
    reader = PdfReader(str(path))
    return "\n".join(f"page {n}: " + re.sub(r"\s+", " ", page.extract_text() or "").strip()
                     for n, page in enumerate(reader.pages, 1))


def reader_texts(build: Path) -> dict[str, str]:
    """The text of every HTML page and of the PDF of a build.

    Parameters
    ----------
    build : Path
        The build folder (``html`` may be a symbolic link to the published version).

    Returns
    -------
    dict
        ``{"text:<path relative to build>": text}``, sorted by path; the PDF only when built.
    """
    texts = {f"text:{path.relative_to(build).as_posix()}": page_text(path)
             for path in sorted(build.glob(PAGES)) if path.is_file()}
    if (build / PDF).is_file():
        texts[f"text:{PDF}"] = pdf_text(build / PDF)
    return texts


def first_difference(before: str, after: str, context: int = 60) -> str:
    """Where two texts first differ, with a little context, for one line of a report.

    Parameters
    ----------
    before, after : str
    context : int
        Characters shown after the difference.

    Returns
    -------
    str
    """
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            return (f"at character {i1}: {before[max(0, i1 - 20):i2 + context][:context + 20]!r} "
                    f"became {after[max(0, j1 - 20):j2 + context][:context + 20]!r}")
    return "no difference"


def compare_texts(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """One line per page or PDF: ``PASS``, ``FAIL`` (with the first difference), ``MISSING``, ``EXTRA``.

    Parameters
    ----------
    before, after : dict
        :func:`reader_texts` of two builds.

    Returns
    -------
    list of str
        The lines, sorted by name.
    """
    lines = []
    for name in sorted(set(before) | set(after)):
        if name not in after:
            lines.append(f"MISSING {name}")
        elif name not in before:
            lines.append(f"EXTRA {name}")
        elif before[name] == after[name]:
            lines.append(f"PASS {name}")
        else:
            lines.append(f"FAIL {name} ({first_difference(before[name], after[name])})")
    return lines


def compare_bytes(build_a: Path, build_b: Path) -> list[str]:
    """Byte-for-byte comparison (as ``cmp``) of every artefact, page, search index and PDF of two builds.

    Parameters
    ----------
    build_a, build_b : Path
        Two build folders.

    Returns
    -------
    list of str
        One ``PASS``/``FAIL``/``MISSING``/``EXTRA`` line per file, prefixed ``bytes:``.
    """
    def files(build: Path) -> dict[str, str]:
        found = dict(artefacts(build))
        for pattern in (PAGES, SEARCH_INDEX, PDF):
            for path in build.glob(pattern):
                if path.is_file():
                    found[path.relative_to(build).as_posix()] = sha256(path)
        return {f"bytes:{k}": v for k, v in found.items()}

    return compare(files(build_a), files(build_b))


def compare_builds(build_a: Path, build_b: Path) -> int:
    """Print the byte and text comparison of two builds; 0 when they are identical, else 1.

    Parameters
    ----------
    build_a, build_b : Path
        Two build folders (e.g. two clean builds in different places).

    Returns
    -------
    int
        Exit status.
    """
    lines = compare_bytes(build_a, build_b) + compare_texts(reader_texts(build_a), reader_texts(build_b))
    for line in lines:
        print(line)
    failed = [line for line in lines if not line.startswith("PASS ")]
    if failed:
        print(f"verify: {len(failed)} of {len(lines)} comparisons differ between {build_a} and {build_b}",
              file=sys.stderr)
        return 1
    print(f"verify: {build_a} and {build_b} are identical ({len(lines)} comparisons)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line: ``manifest``, ``verify``, ``check`` or ``compare BUILD_A BUILD_B``; returns the exit status."""
    paths = get_paths()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("manifest", "verify", "check", "compare"))
    parser.add_argument("builds", nargs="*", type=Path, help="compare: the two build folders")
    parser.add_argument("--build", type=Path, default=paths.build, help="build folder (default: $LEHC_BUILD or _build)")
    parser.add_argument("--manifest", type=Path, default=paths.root / "results" / "MANIFEST.sha256")
    parser.add_argument("--make", default=os.environ.get("MAKE", "make"), help="make command for the rebuild")
    args = parser.parse_args(argv)
    build = args.build if args.build.is_absolute() else paths.root / args.build
    manifest = args.manifest if args.manifest.is_absolute() else paths.root / args.manifest

    if args.command == "compare":
        if len(args.builds) != 2:
            parser.error("compare needs two build folders: compare BUILD_A BUILD_B")
        return compare_builds(*args.builds)
    if args.command == "manifest":
        hashes = write_manifest(build, manifest)
        print(f"manifest: {len(hashes)} artefacts -> {manifest}")
        return 0
    if not manifest.is_file():
        raise SystemExit(f"{manifest}: no manifest (run make manifest on a trusted build and commit it)")
    expected = read_manifest(manifest)
    if args.command != "verify":
        return report(expected, artefacts(build), manifest)
    before = reader_texts(build)
    clean_derived(build)
    rebuild(paths.root, args.make, ("book", "pdf") if f"text:{PDF}" in before else ("book",))
    status = report(expected, artefacts(build), manifest)
    if not before:
        print("verify: no earlier pages to compare the rebuilt text with")
        return status
    lines = compare_texts(before, reader_texts(build))
    for line in lines:
        print(line)
    failed = [line for line in lines if not line.startswith("PASS ")]
    if failed:
        print(f"verify: the text of {len(failed)} of {len(lines)} pages/PDF differs after the rebuild", file=sys.stderr)
        return 1
    print(f"verify: the text of all {len(lines)} pages and the PDF is unchanged by the rebuild")
    return status


if __name__ == "__main__":
    sys.exit(main())
