"""Content decides what runs: a data edit re-runs what depends on it, nothing changed runs nothing.

Runs the real `make book` in a copy of the project (the shared .venv is reused), so
it takes a minute or two.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def project_copy(target: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)  # keep mtimes: Make compares them
    return target


def make_book(repo: Path, *variables: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(repo / "src"))
    env.pop("LEHC_DATA", None)
    env.pop("LEHC_BUILD", None)
    done = subprocess.run(["make", "book", f"VENV={ROOT / '.venv'}", *variables], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


def executed(log: str) -> list[str]:
    """Notebooks run by this make call, sorted (they run in parallel, in any order)."""
    return sorted(re.findall(r"executed notebooks/(\w+)\.md", log))


def data_fingerprint(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_make_reruns_exactly_what_changed(tmp_path):
    repo = project_copy(tmp_path / "repo")
    raw_before = data_fingerprint(repo / "data")
    first = make_book(repo)
    assert data_fingerprint(repo / "data") == raw_before, "the build wrote into the raw data folder"
    assert executed(first) == ["01_clean", "02_quant", "03_qual", "04_robust", "05_about"]
    page = repo / "_build" / "html" / "book" / "findings_impact.html"
    before = page.read_text(encoding="utf-8")

    # Nothing changed: no notebook runs and the book is not rebuilt.
    second = make_book(repo)
    assert executed(second) == [] and "building HTML" not in second

    # One raw score changes: the notebooks that read it re-run and the numbers change.
    raw = repo / "data" / "self_assessment_end.csv"
    lines = raw.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[1] = str(int(cells[1]) - 1)  # participant P01, behaviour SI01
    lines[1] = ",".join(cells)
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    third = make_book(repo)
    assert set(executed(third)) >= {"01_clean", "02_quant", "04_robust"}
    assert "all pages re-read" in third
    after = page.read_text(encoding="utf-8")
    assert after != before
    assert "8.56" in before and "8.54" in after  # Strategic Intent end mean: 539/63 -> 538/63

    # A prose-only edit re-renders without executing anything.
    aims = repo / "book" / "aims.md"
    aims.write_text(aims.read_text(encoding="utf-8") + "\nA sentence added by the staleness test.\n", encoding="utf-8")
    fourth = make_book(repo)
    assert executed(fourth) == [] and "all pages re-read" not in fourth
    assert "added by the staleness test" in (repo / "_build" / "html" / "book" / "aims.html").read_text(encoding="utf-8")

    # The privacy settings decide what is withheld: every notebook that applies them re-runs.
    settings = repo / "privacy.yml"
    settings.write_text(settings.read_text(encoding="utf-8") + "# edited by the staleness test\n", encoding="utf-8")
    # (01 too: the personal-data scan and the disclosure of the participants' genders read it.)
    assert executed(make_book(repo)) == ["01_clean", "02_quant", "03_qual", "04_robust", "05_about"]

    # Choosing other case studies re-runs the qualitative notebook (and the input checksums).
    cases = repo / "data" / "case_studies.yml"
    cases.write_text(cases.read_text(encoding="utf-8").replace("[I02, I05, I09]", "[I05, I02, I09]"), encoding="utf-8")
    assert executed(make_book(repo)) == ["03_qual", "05_about"]


def make_book_fails(repo: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(repo / "src"))
    done = subprocess.run(["make", "book", f"VENV={ROOT / '.venv'}"], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode != 0, "the build should have failed"
    return done.stdout + done.stderr


def test_coding_change_and_failed_build(tmp_path):
    import pandas as pd

    repo = project_copy(tmp_path / "repo")
    make_book(repo)
    course = repo / "_build" / "html" / "book" / "findings_course.html"

    # Change one coding: a respondent with a single "final session disappointing"
    # segment gets a different code for it, so that count drops by one.
    codings = pd.read_csv(repo / "data" / "codings.csv", dtype=str, keep_default_na=False)
    code = "structure.final_session_disappointing"
    a = codings[(codings["coder"] == "A")]
    respondent = a["segment_id"].str.rsplit("-", n=1).str[0]
    hits = a[a["code_id"] == code]
    per_person = hits.groupby(respondent[hits.index]).size()
    before_count = per_person.size
    person = per_person[per_person == 1].index[0]
    row = hits[respondent[hits.index] == person].index[0]
    segment_codes = set(a.loc[a["segment_id"] == codings.loc[row, "segment_id"], "code_id"])
    codings.loc[row, "code_id"] = next(c for c in ["structure.organisation_admin", "structure.balance_of_methods", "networks.formed"] if c not in segment_codes)
    codings.loc[row, "exemplar"] = ""
    codings.to_csv(repo / "data" / "codings.csv", index=False, lineterminator="\n")
    log = make_book(repo)
    assert executed(log) == ["03_qual", "05_about"]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", course.read_text(encoding="utf-8")))
    assert f"disappointed {before_count - 1} of the" in text

    # Bad input: the build stops, names file, row and column, and keeps the old report.
    index = repo / "_build" / "html" / "index.html"
    old = (repo / "_build" / "html" / "book" / "findings_impact.html").read_bytes()
    raw = repo / "data" / "self_assessment_end.csv"
    lines = raw.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[1] = "11"
    lines[1] = ",".join(cells)
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    failed = make_book_fails(repo)
    assert "self_assessment_end.csv, row 2, column 'B (SI01)': score 11 is outside 1..10" in failed
    assert "notebook 01_clean.md failed" in failed
    assert index.exists() and (repo / "_build" / "html" / "book" / "findings_impact.html").read_bytes() == old


def run_make(repo: Path, *targets: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(repo / "src"))
    return subprocess.run(["make", *targets, f"VENV={ROOT / '.venv'}"], cwd=repo, env=env, capture_output=True, text=True)


def test_verify_passes_on_a_clean_copy_and_names_a_changed_artefact(tmp_path):
    repo = project_copy(tmp_path / "repo")
    clean = run_make(repo, "verify")
    assert clean.returncode == 0, clean.stdout[-3000:] + clean.stderr[-2000:]
    assert "PASS results/area_tests.csv" in clean.stdout and "FAIL" not in clean.stdout

    raw = repo / "data" / "self_assessment_start.csv"
    lines = raw.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[5] = str(int(cells[5]) + (1 if int(cells[5]) < 10 else -1))
    lines[3] = ",".join(cells)
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    changed = run_make(repo, "verify")
    assert changed.returncode != 0
    assert "FAIL results/area_tests.csv" in changed.stdout
    assert "PASS results/appendix3_audit.csv" in changed.stdout  # the published table's audit does not depend on the data
