"""Builds that never half-finish, tried on the real `make book pdf` in a copy of the project.

* ``kill -9`` of the build's whole process group at 20 moments spread over the notebooks,
  the Sphinx builds (HTML and the single page the PDF is printed from), the printing and
  the swap: a watcher checks throughout that ``$(BUILD)/html`` is a complete report
  (``index.html`` and every page of ``_toc.yml``, each ending in ``</html>``) and any PDF a
  whole one; after each kill the next build succeeds, shows this round's edit (nothing
  stale) and leaves no temporary behind.
* Two ``make book`` started at once in one BUILD both succeed.

Moments are chosen by watching the build's processes (a notebook's executor, Sphinx with
its builder, Chromium, the publisher) and then waiting a little, so that they land inside
each phase on any machine, however loaded.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import psutil
import pytest
from conftest import toc_documents

from lehc_report.tools.bench import copy_project
from lehc_report.tools.publish import TEMP_PREFIX

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
#: Every page of the book; the top ``index.html`` is Jupyter Book's one-line redirect to the root page.
PAGES = toc_documents()
REDIRECT = b'<meta http-equiv="Refresh" content="0; url=book/index.html" />'


#: (phase, the targets built, what marks the phase among the build's processes (by command
#: line), longest wait after it appears, rounds).  Waits are drawn uniformly from
#: [0, longest]; 20 rounds in all.  Rounds that need no PDF build the HTML only (quicker).
BOOK, BOOK_PDF = ("book",), ("book", "pdf")
MOMENTS = [
    ("notebook", BOOK, lambda cmd: "lehc_report.tools.execute" in cmd, 6.0, 5),
    ("sphinx html", BOOK, lambda cmd: "tools.jupyter_book build" in cmd and "--builder html" in cmd, 4.0, 4),
    ("swap", BOOK, lambda cmd: "lehc_report.tools.publish copy" in cmd, 0.15, 5),
    ("sphinx singlehtml", BOOK_PDF, lambda cmd: "tools.jupyter_book build" in cmd and "--builder singlehtml" in cmd, 3.0, 2),
    ("printing", BOOK_PDF, lambda cmd: "chromium" in cmd or "chrome" in cmd, 2.0, 4),
]


def make_env(repo: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(repo / "src"))
    for name in ("LEHC_DATA", "LEHC_BUILD", "MAKEFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    return env


def make_command(*targets: str) -> list[str]:
    return ["make", *targets, f"VENV={ROOT / '.venv'}"]


def complete_report(build: Path) -> str | None:
    """Why ``build/html`` (and ``build/pdf/book.pdf``, once there) is not a complete report; ``None`` if it is.

    The link is resolved once per look; a version that a swap removes while it is being
    read was complete when linked, so such a look is repeated on the new version.
    """
    link = build / "html"
    problem = "no html"
    for _ in range(3):
        try:
            version = link.parent / os.readlink(link)
        except OSError:
            return f"{link} is not a link to a version"
        problem = None
        try:
            if REDIRECT not in (version / "index.html").read_bytes():
                problem = f"index.html in {version.name} is not the redirect to the root page"
        except OSError:
            problem = f"index.html missing in {version.name}"
        for page in PAGES if problem is None else ():
            try:
                tail = (version / f"{page}.html").read_bytes()[-200:]
            except OSError:
                problem = f"{page}.html missing in {version.name}"
                break
            if b"</html>" not in tail:
                problem = f"{page}.html in {version.name} is cut short"
                break
        if problem is None:
            break
        try:
            if link.parent / os.readlink(link) == version:
                return problem
        except OSError:
            return problem
    if problem is not None:
        return problem
    pdf = build / "pdf" / "book.pdf"
    try:
        data = pdf.read_bytes()
    except FileNotFoundError:
        return None
    if not data.startswith(b"%PDF") or b"%%EOF" not in data[-64:]:
        return f"{pdf} is not a whole PDF ({len(data)} bytes)"
    return None


class Watcher(threading.Thread):
    """Checks :func:`complete_report` again and again until stopped; keeps the first problem."""

    def __init__(self, build: Path):
        super().__init__(daemon=True)
        self.build, self.checks, self.problem = build, 0, None
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            problem = complete_report(self.build)
            self.checks += 1
            if problem and self.problem is None:
                self.problem = problem
            time.sleep(0.01)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)


def build_processes(make: psutil.Process) -> list[tuple[psutil.Process, str]]:
    """The build's processes with their command lines (kernels too, which run in a session of their own)."""
    found = []
    try:
        members = [make, *make.children(recursive=True)]
    except psutil.Error:
        return found
    for member in members:
        try:
            found.append((member, " ".join(member.cmdline())))
        except psutil.Error:
            continue
    return found


def edit(repo: Path, label: str) -> None:
    """A change that re-runs a notebook and re-renders every page and the PDF: a sentence
    added to notebook 02 and one to the Aims chapter."""
    for name in ("notebooks/02_quant.md", "book/aims.md"):
        path = repo / name
        path.write_text(path.read_text(encoding="utf-8") + f"\n\nKill check {label}.\n", encoding="utf-8")


def leftovers(build: Path) -> list[str]:
    """Temporaries and old versions left in the build folder's published places."""
    found = []
    for folder in (build, build / "pdf", build / "work-pdf" / "_build" / "singlehtml",
                   build / "work-pdf" / "_build" / "singlehtml" / "book"):
        if folder.is_dir():
            found += [entry.name for entry in folder.iterdir() if entry.name.startswith(TEMP_PREFIX)]
    versions = [entry.name for entry in build.iterdir() if entry.name.startswith("html.v")]
    if len(versions) != 1:
        found += versions
    found += [p.name for p in (build / "pdf").glob("tmp*")]
    return found


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return copy_project(ROOT, tmp_path_factory.mktemp("kill") / "repo")


def test_killed_at_twenty_moments_the_next_build_succeeds_and_a_report_is_always_complete(repo):
    env = make_env(repo)
    build = repo / "_build"
    first = subprocess.run(make_command("book", "pdf"), cwd=repo, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert complete_report(build) is None
    rng = random.Random(10)
    plan = [(phase, targets, marks, rng.uniform(0, longest))
            for phase, targets, marks, longest, rounds in MOMENTS for _ in range(rounds)]
    assert len(plan) == 20
    stray: list[psutil.Process] = []
    hit = []
    watcher = Watcher(build)
    watcher.start()
    try:
        for number, (phase, targets, marks, wait) in enumerate(plan):
            label = f"round {number} {phase}"
            # A phase can end sooner than the wait drawn for it (an incremental Sphinx build is
            # quick): the build then finished normally, and the round tries again with half
            # the wait, until the kill lands inside the phase.
            for attempt in range(6):
                edited = f"{label.replace(' ', '-')}-{attempt}" if attempt else label.replace(" ", "-")
                edit(repo, edited)
                process = subprocess.Popen(make_command(*targets), cwd=repo, env=env, start_new_session=True,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                make = psutil.Process(process.pid)
                seen = None
                while process.poll() is None and seen is None:
                    seen = next((cmd for _, cmd in build_processes(make) if marks(cmd)), None)
                    time.sleep(0.005)
                assert seen is not None, f"{label}: the build ended before its phase was seen"
                time.sleep(wait)
                members = build_processes(make)
                alive = process.poll() is None
                try:
                    os.killpg(process.pid, signal.SIGKILL)  # the whole process group, as the issue asks
                except ProcessLookupError:
                    alive = False  # it ended between the check and the kill
                process.wait(timeout=60)
                if alive:
                    break
                print(f"kill: {label}: the build ended within {wait:.2f} s; again with half the wait", flush=True)
                wait /= 2
            assert alive, f"{label}: six builds ended before the kill; nothing was killed"
            label = label if attempt == 0 else f"{label} (attempt {attempt + 1})"
            stray += [member for member, _ in members]
            hit.append(f"{label} +{wait:.2f}s: {len(members)} processes")
            print(f"kill: {hit[-1]}", flush=True)
            assert watcher.problem is None, f"{label}: {watcher.problem}"
            assert complete_report(build) is None, f"{label}: after the kill: {complete_report(build)}"

            done = subprocess.run(make_command(*targets), cwd=repo, env=env, capture_output=True, text=True)
            assert done.returncode == 0, f"{label}: the next build failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
            assert watcher.problem is None, f"{label}: {watcher.problem}"
            assert complete_report(build) is None
            marker = f"Kill check {edited}."
            for page in ("book/aims.html", "notebooks/02_quant.html"):
                assert marker in (build / "html" / page).read_text(encoding="utf-8"), f"{label}: {page} is stale"
            assert leftovers(build) == [], f"{label}: left behind: {leftovers(build)}"
            print(f"kill: {label}: the next build succeeded", flush=True)
    finally:
        watcher.stop()
        for member in stray:  # kernels run in sessions of their own; none may outlive the test
            try:
                member.kill()
            except psutil.Error:
                pass
    print("\n".join(hit))
    assert watcher.problem is None, watcher.problem
    assert watcher.checks > 200


def test_two_concurrent_builds_of_one_build_folder_both_succeed(repo):
    env = make_env(repo)
    build = repo / "_build"
    edit(repo, "concurrent")
    builds = [subprocess.Popen(make_command("book"), cwd=repo, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=1800)[0] for process in builds]
    for process, output in zip(builds, outputs):
        assert process.returncode == 0, output[-3000:]
    assert any("another build of" in output and "waiting" in output for output in outputs), outputs
    assert complete_report(build) is None
    assert "Kill check concurrent." in (build / "html" / "book" / "aims.html").read_text(encoding="utf-8")
    assert leftovers(build) == []
