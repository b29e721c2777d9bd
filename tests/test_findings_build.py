"""The whole build of a cohort with its own codebook: its chapters pass the report check, and
the check stops the build when a chapter says a 2013 sentence to it (slow: builds in a copy)."""

from __future__ import annotations

import os
import subprocess

import pytest
from own_codebook_cohort import write_cohort
from test_staleness import ROOT, make_book, project_copy

pytestmark = pytest.mark.slow


def test_own_codebook_cohort_builds_and_the_report_check_stops_a_2013_sentence(tmp_path):
    repo = project_copy(tmp_path / "repo")
    write_cohort(repo / "own_cohort")
    make_book(repo, "DATA=own_cohort", "BUILD=own_build")
    findings = (repo / "own_build" / "html" / "book" / "findings.html").read_text(encoding="utf-8")
    assert "What respondents raised, theme by theme" in findings and "Learning together" in findings

    chapter = repo / "book" / "findings.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nThe closing session disappointed many respondents.\n",
                       encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(repo / "src"))
    done = subprocess.run(["make", "book", f"VENV={ROOT / '.venv'}", "DATA=own_cohort", "BUILD=own_build"], cwd=repo,
                          env=env, capture_output=True, text=True)
    log = done.stdout + done.stderr
    assert done.returncode != 0, "the build should have failed"
    assert "report check: a sentence of the 2013 findings: 'closing session disappointed'" in log
