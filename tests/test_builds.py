"""Build folders that never mix cohorts, and staleness decided by content.

Fast tests check the rules (which BUILD is refused, which file is read, what changes a
fingerprint); the slow ones run the real `make book` in a copy of the project: two
cohorts in two build folders, an older-dated replacement, a deleted optional file, and
a second build with nothing changed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import visible_text

from lehc_report.inputs.folder import DataFolder
from lehc_report.paths import BUILD_MARKER, BuildFolderError, ProjectPaths, check_build_folder, claim_build_folder, get_paths
from lehc_report.tools import build as build_tool

ROOT = Path(__file__).resolve().parents[1]


# ---- which BUILD is refused ---------------------------------------------------------
def paths_for(tmp_path: Path, build: str | Path) -> ProjectPaths:
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True, exist_ok=True)
    return get_paths({"LEHC_DATA": "data", "LEHC_BUILD": str(build)}, root=project)


def test_relative_and_absolute_build_folders_resolve_against_the_project(tmp_path):
    paths = paths_for(tmp_path, "_build b")
    assert paths.build == (tmp_path / "project" / "_build b").resolve()
    assert paths.data == (tmp_path / "project" / "data").resolve()
    outside = tmp_path / "élan build"
    assert paths_for(tmp_path, outside).build == outside.resolve()
    assert paths.content_flags == paths.build / "generated" / "content.json"
    assert paths.execution_cache == paths.build / ".jupyter_cache"
    assert paths.logs == paths.build / "logs"


@pytest.mark.parametrize("build, message", [
    (".", "BUILD={root} is the project folder; give a folder of its own, e.g. BUILD=_build"),
    ("..", "BUILD={up} is the project folder or above it; give a folder of its own, e.g. BUILD=_build"),
    ("data", "BUILD={root}/data is the data folder, which the build never writes into; give a folder of its own, e.g. BUILD=_build"),
    ("data/out", "BUILD={root}/data/out is inside the data folder, which the build never writes into; give a folder of its own, e.g. BUILD=_build"),
    ("notes", "BUILD={root}/notes is a folder that is not empty and not a build folder (no .lehc-build); give an empty or new "
              "folder, so that nothing in it is overwritten or deleted by `make clean`"),
])
def test_refused_build_folders(tmp_path, build, message):
    paths = paths_for(tmp_path, build)
    (paths.root / "notes").mkdir()
    (paths.root / "notes" / "thesis.docx").write_text("not a build", encoding="utf-8")
    with pytest.raises(BuildFolderError) as refused:
        check_build_folder(paths)
    text = str(refused.value)
    assert "\n" not in text
    assert text == message.format(root=paths.root, up=paths.root.parent)


def test_accepted_build_folders_are_marked(tmp_path):
    for build in ("new build", "empty"):
        paths = paths_for(tmp_path, build)
        paths.build.mkdir(parents=True, exist_ok=True)
        claim_build_folder(paths)
        assert (paths.build / BUILD_MARKER).is_file()
        (paths.build / "html").mkdir()
        check_build_folder(paths)  # marked: its contents are the build's own
    legacy = paths_for(tmp_path, "_build")
    for name in ("stamps", ".jupyter_cache", "html"):
        (legacy.build / name).mkdir(parents=True)
    claim_build_folder(legacy)  # a build folder from before the marker is adopted
    assert (legacy.build / BUILD_MARKER).is_file()


def test_a_folder_marked_by_a_concurrent_build_while_it_is_looked_at_is_accepted(tmp_path, monkeypatch):
    """`make book pdf` claims the folder twice at once: the other claim can make it, write its
    marker and lock file between this one's look for the marker and its listing of the folder
    (CI once refused the folder so, "not empty and not a build folder")."""
    import pathlib

    paths = paths_for(tmp_path, "_build")
    paths.build.mkdir()
    listing = pathlib.Path.iterdir

    def concurrent_claim(folder):
        if folder == paths.build and not paths.marker.exists():
            paths.marker.write_text("marked", encoding="utf-8")  # the other build, meanwhile
            (paths.build / ".build.lock").touch()
        return listing(folder)

    monkeypatch.setattr(pathlib.Path, "iterdir", concurrent_claim)
    assert claim_build_folder(paths) == paths.build


def test_clean_removes_only_marked_folders(tmp_path):
    paths = paths_for(tmp_path, "notes")
    paths.build.mkdir(parents=True)
    (paths.build / "thesis.docx").write_text("keep me", encoding="utf-8")
    with pytest.raises(BuildFolderError, match="is not a build folder"):
        build_tool.clean(paths)
    assert (paths.build / "thesis.docx").exists()
    marked = paths_for(tmp_path, "b")
    claim_build_folder(marked)
    assert build_tool.clean(marked) == f"clean: removed {marked.build}"
    assert not marked.build.exists()


def make(*arguments: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(cwd / "src"))
    env.pop("LEHC_DATA", None)
    env.pop("LEHC_BUILD", None)
    return subprocess.run(["make", *arguments, f"VENV={ROOT / '.venv'}"], cwd=cwd, env=env, capture_output=True, text=True)


@pytest.mark.parametrize("build, says", [(".", "is the project folder"), ("data", "is the data folder"),
                                         ("book", "is a folder that is not empty and not a build folder")])
def test_make_refuses_in_one_line(build, says):
    done = make("book", f"BUILD={build}")
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.startswith("make: ") and "Error" not in line]
    assert len(lines) == 1 and says in lines[0], done.stderr
    assert not (ROOT / build / BUILD_MARKER).exists()


def test_sphinx_reads_no_build_folder_as_pages(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from lehc_report.book.sphinxext import use_build_folder

    project = tmp_path / "project"
    (project / "src" / "lehc_report").mkdir(parents=True)
    (project / "_config.yml").write_text("title: t\n", encoding="utf-8")
    for other in ("_build_b", "cohorts/c"):  # other cohorts' build folders, found by their marker
        (project / other).mkdir(parents=True)
        (project / other / BUILD_MARKER).write_text("", encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setenv("LEHC_BUILD", "this build")
    config = SimpleNamespace(exclude_patterns=["_build"], nb_execution_cache_path="")
    use_build_folder(SimpleNamespace(srcdir=str(project)), config)
    assert config.nb_execution_cache_path == str(project / "this build" / ".jupyter_cache")
    assert config.exclude_patterns == ["_build", "_build_b", "_build_b/**", "cohorts/c", "cohorts/c/**",
                                       "this build", "this build/**"]


# ---- which file is read ---------------------------------------------------------------
def cohort(tmp_path: Path, *names: str) -> DataFolder:
    project, data = tmp_path / "project", tmp_path / "cohort"
    (project / "data").mkdir(parents=True)
    data.mkdir()
    for name in ("framework.yml", "survey_instrument.yml", "codebook.yml", "cohort.yml", "deny_list.txt"):
        (project / "data" / name).write_text(f"project {name}\n", encoding="utf-8")
    (project / "privacy.yml").write_text("deny_list: data/deny_list.txt\n", encoding="utf-8")
    for name in names:
        (data / name).write_text(f"cohort {name}\n", encoding="utf-8")
    return DataFolder(data, project)


def test_fallback_rule(tmp_path):
    bare = cohort(tmp_path / "bare")
    assert bare.resolve("framework.yml") == bare.root / "data" / "framework.yml"
    assert bare.resolve("survey_instrument.yml") == bare.root / "data" / "survey_instrument.yml"
    assert bare.sources("codebook.yml") == () and bare.sources("cohort.yml") == ()
    assert bare.resolve("codebook.yml") == bare.data / "codebook.yml"  # looked for in the cohort only
    assert bare.sources("deny_list.txt") == (bare.root / "data" / "deny_list.txt",)
    own = cohort(tmp_path / "own", "framework.yml", "codebook.yml", "deny_list.txt")
    assert own.resolve("framework.yml") == own.data / "framework.yml"
    assert own.resolve("codebook.yml") == own.data / "codebook.yml"
    assert own.sources("deny_list.txt") == (own.root / "data" / "deny_list.txt", own.data / "deny_list.txt")
    with pytest.raises(ValueError, match="use DataFolder.sources"):
        own.resolve("deny_list.txt")
    same = DataFolder(bare.root / "data", bare.root)  # DATA=data: the project's list once
    assert same.sources("deny_list.txt") == (bare.root / "data" / "deny_list.txt",)


# ---- what changes a fingerprint -----------------------------------------------------
@pytest.fixture
def project(tmp_path) -> ProjectPaths:
    root = tmp_path / "project"
    for name in ("notebooks", "book", "src/lehc_report/book", "src/lehc_report/tools", "data"):
        (root / name).mkdir(parents=True, exist_ok=True)
    for name in ("analysis.yml", "privacy.yml", "pyproject.toml", "requirements.txt", "_config.yml", "_toc.yml",
                 "src/lehc_report/__init__.py", "book/aims.md", "data/framework.yml", "data/survey_instrument.yml"):
        (root / name).write_text(f"# {name}\n", encoding="utf-8")
    for notebook in build_tool.NOTEBOOK_INPUTS:
        (root / "notebooks" / f"{notebook}.md").write_text(notebook, encoding="utf-8")
    shutil.copytree(ROOT / "tests" / "cohorts" / "cohort_b", tmp_path / "cohort b")
    return get_paths({"LEHC_DATA": str(tmp_path / "cohort b"), "LEHC_BUILD": str(tmp_path / "build é")}, root=root)


def test_nothing_changed_rewrites_nothing(project):
    assert build_tool.prepare(project) == [*build_tool.NOTEBOOK_INPUTS, "book", "book-config", "pdf", "qdpx", "docx"]
    assert build_tool.prepare(project) == []


def test_older_dated_replacement_deleted_added_and_renamed_files(project):
    build_tool.prepare(project)
    export = project.data / "self_assessment_start.csv"
    stamp = os.stat(export)
    export.write_text(export.read_text(encoding="utf-8").replace(",5,", ",6,", 1), encoding="utf-8")
    os.utime(export, ns=(stamp.st_atime_ns, stamp.st_mtime_ns - 10**12))  # older than before (cp -p, unzip)
    assert build_tool.prepare(project) == ["01_clean", "05_about"]
    (project.data / "participants.csv").unlink()  # an optional file deleted
    assert build_tool.prepare(project) == ["01_clean", "05_about"]
    (project.data / "codings.csv").write_text("segment_id,coder,code_id,exemplar\n", encoding="utf-8")
    assert build_tool.prepare(project) == ["03_qual", "05_about"]
    (project.data / "self_assessment_end.xlsx").rename(project.data / "self_assessment_end (1).xlsx")
    assert build_tool.prepare(project) == ["01_clean", "05_about"]
    assert "data/self_assessment_end (1).xlsx" in (project.stamps / "01_clean.inputs").read_text(encoding="utf-8")


def test_a_commit_that_changes_no_file_it_reads_re_runs_the_about_page(project, monkeypatch):
    """The About page shows the commit and whether the tree has uncommitted changes: values
    no file holds, so they are part of its fingerprint (a commit of any other file went unseen)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1356998400")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(project.root)], check=True)
    subprocess.run([*git, "-C", str(project.root), "commit", "-q", "--allow-empty", "-m", "one"], check=True)
    build_tool.prepare(project)
    assert build_tool.prepare(project) == []
    subprocess.run([*git, "-C", str(project.root), "commit", "-q", "--allow-empty", "-m", "two"], check=True)
    assert build_tool.prepare(project) == ["05_about"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1356998401")  # the same day: the page shows no time
    assert build_tool.prepare(project) == []
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1356998400 + 86400))  # the next day
    assert build_tool.prepare(project) == ["05_about"]
    (project.root / "book" / "aims.md").write_text("# Aims, edited\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(project.root), "add", "book/aims.md"], check=True)  # tracked, not committed
    assert build_tool.prepare(project) == ["05_about", "book"]  # "(with uncommitted changes)"


def test_settings_fallback_copies_and_pages(project):
    build_tool.prepare(project)
    (project.root / "privacy.yml").write_text("min_group_size: 6\n", encoding="utf-8")
    # 01 reads it too: the personal-data scan and the disclosure of the participants' genders.
    assert build_tool.prepare(project) == ["01_clean", "02_quant", "03_qual", "04_robust", "05_about"]
    (project.root / "data" / "framework.yml").write_text("changed\n", encoding="utf-8")  # cohort b has none: the project's is read
    assert build_tool.prepare(project) == list(build_tool.NOTEBOOK_INPUTS)
    (project.data / "framework.yml").write_text("own\n", encoding="utf-8")  # now the cohort's own is read
    assert build_tool.prepare(project) == list(build_tool.NOTEBOOK_INPUTS)
    (project.root / "book" / "aims.md").write_text("edited\n", encoding="utf-8")
    assert build_tool.prepare(project) == ["book"]
    (project.root / "_config.yml").write_text("title: x\n", encoding="utf-8")
    assert build_tool.prepare(project) == ["book-config"]


# ---- the real build -----------------------------------------------------------------
def project_copy(target: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    for name in files:
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def build_ok(repo: Path, *variables: str) -> str:
    done = make("book", *variables, cwd=repo)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout + done.stderr


def page(site: Path, name: str) -> str:
    return re.sub(r"\s+", "", visible_text((site / "book" / f"{name}.html").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def two_cohorts(tmp_path_factory):
    """The shipped cohort built into a folder outside the project with a space and an
    accent in its path; cohort B, from a data folder with a space in its path, into a
    folder inside the project given by a relative path."""
    tmp = tmp_path_factory.mktemp("builds")
    repo = project_copy(tmp / "repo")
    shipped = tmp / "report à one"
    build_ok(repo, f"BUILD={shipped}")
    data_b = shutil.copytree(ROOT / "tests" / "cohorts" / "cohort_b", tmp / "cohort b data")
    build_ok(repo, f"DATA={data_b}", "BUILD=_build_b")
    return repo, shipped, repo / "_build_b"


@pytest.mark.slow
def test_two_cohorts_two_build_folders(two_cohorts):
    repo, shipped, cohort_b = two_cohorts
    assert "Fourteenparticipantsdidsoatthestartandtwelveattheend" in page(cohort_b / "html", "methodology")
    assert "14participants" not in page(shipped / "html", "methodology")
    assert "nothingtoreporthere" in page(cohort_b / "html", "findings")
    assert "nothingtoreporthere" not in page(shipped / "html", "findings")
    for build in (shipped, cohort_b):
        assert (build / BUILD_MARKER).is_file() and (build / ".jupyter_cache").is_dir()
        assert (build / "generated" / "figures" / "figure1_area_means.png").is_file()
    assert not (repo / "_build").exists(), "a build read or wrote the default build folder"


@pytest.mark.slow
def test_nothing_changed_does_no_work(two_cohorts):
    repo, shipped, _ = two_cohorts
    log = build_ok(repo, f"BUILD={shipped}")
    assert "executed" not in log and "building HTML" not in log


@pytest.mark.slow
def test_older_dated_replacement_and_deleted_optional_file_change_the_report(two_cohorts):
    repo, shipped, _ = two_cohorts
    impact = page(shipped / "html", "findings_impact")
    raw = repo / "data" / "self_assessment_end.csv"
    old = os.stat(raw)
    lines = raw.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[1] = str(int(cells[1]) - 1)  # participant P01, behaviour SI01
    lines[1] = ",".join(cells)
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.utime(raw, ns=(old.st_atime_ns, old.st_mtime_ns - 86400 * 10**9))  # a day older than the build's copy
    log = build_ok(repo, f"BUILD={shipped}")
    assert "executed notebooks/01_clean.md" in log
    assert "8.56" in impact and "8.54" in page(shipped / "html", "findings_impact")  # 539/63 -> 538/63

    people = page(shipped / "html", "findings_people")
    (repo / "data" / "case_studies.yml").unlink()
    log = build_ok(repo, f"BUILD={shipped}")
    assert sorted(re.findall(r"executed notebooks/(\w+)\.md", log)) == ["03_qual", "05_about"]
    assert page(shipped / "html", "findings_people") != people


def test_partial_fingerprints_of_killed_runs_are_removed(project):
    project.stamps.mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    killed = project.stamps / f"01_clean.inputs.{dead.pid}.tmp"
    killed.write_text("half", encoding="utf-8")
    live = project.stamps / f"book.inputs.{os.getppid()}.tmp"  # a live process (not this one, which writes its own)
    live.write_text("being written", encoding="utf-8")
    build_tool.prepare(project)
    assert not killed.exists() and live.exists()


def test_prepare_waits_for_a_running_build_of_the_folder(project):
    import fcntl
    import sys
    import time

    claim_build_folder(project)
    holder = subprocess.Popen([sys.executable, "-m", "lehc_report.tools.publish", "lock", str(project.build), "--",
                               "sh", "-c", f"sleep 2; touch '{project.build / 'finished'}'"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until the holder has the lock
        with open(project.build / ".build.lock", "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                break
        time.sleep(0.05)
    build_tool.prepare(project)
    assert (project.build / "finished").exists(), "fingerprints written while another build held the lock"
    assert (project.stamps / "book.inputs").stat().st_mtime_ns >= (project.build / "finished").stat().st_mtime_ns
    holder.wait(timeout=30)
