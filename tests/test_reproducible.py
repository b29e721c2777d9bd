"""The same bytes twice: two clean builds of the same sources in different folders (one
with a space in its path) give byte-identical pages, search index and PDF (as ``cmp``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lehc_report.tools import verify

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]


def project_copy(target: Path) -> Path:
    """The project's tracked and new files, mtimes kept (so Make does not reinstall .venv)."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    for name in files:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def build(repo: Path) -> Path:
    env = dict(os.environ, PYTHONPATH=str(repo / "src"), SOURCE_DATE_EPOCH="1700000000")
    env.pop("LEHC_DATA", None)
    env.pop("LEHC_BUILD", None)
    done = subprocess.run(["make", "book", "pdf", f"VENV={ROOT / '.venv'}"], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=3600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return repo / "_build"


def test_two_clean_builds_in_different_folders_are_byte_identical(tmp_path, capsys):
    first = build(project_copy(tmp_path / "first"))
    second = build(project_copy(tmp_path / "second copy"))
    status = verify.compare_builds(first, second)
    out = capsys.readouterr().out
    assert status == 0, "\n".join(line for line in out.splitlines() if not line.startswith("PASS"))
    assert "PASS bytes:pdf/book.pdf" in out and "PASS bytes:html/searchindex.js" in out
    for folder in (first, second):
        for path in [*folder.glob("html/**/*.html"), folder / "html" / "searchindex.js", folder / "pdf" / "book.pdf"]:
            assert str(folder.parent).encode() not in path.read_bytes(), f"{path} names its build folder"
