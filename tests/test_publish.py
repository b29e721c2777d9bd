"""Builds that never half-finish: the build lock, the atomic swap and private temporaries."""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from lehc_report.tools import publish

PUBLISH = [sys.executable, "-m", "lehc_report.tools.publish"]
FILES_PER_REPORT = 200


def make_report(folder: Path, label: str, files: int = 3) -> Path:
    """A stand-in report: ``files`` pages, each naming the report, and an index."""
    folder.mkdir(parents=True)
    for number in range(files):
        (folder / f"page{number:03d}.html").write_text(f"{label} {number}\n", encoding="utf-8")
    (folder / "index.html").write_text(label, encoding="utf-8")
    return folder


def is_complete(link: Path, files: int) -> str | None:
    """The label of the report ``link`` shows, if it is complete; else ``None``.

    The link is resolved once per look: a version that a later swap removes while we
    list it was complete when linked, so a look that loses it looks again (at most
    three times) at the version the link points at now.
    """
    for _ in range(3):
        try:
            target = link.parent / os.readlink(link)
            label = (target / "index.html").read_text(encoding="utf-8")
            pages = sorted(p.name for p in target.iterdir() if p.name.startswith("page"))
        except (FileNotFoundError, NotADirectoryError):
            if os.path.lexists(link) and link.parent / os.readlink(link) != target:
                continue  # swapped meanwhile: look at the new version
            return None
        if pages == [f"page{n:03d}.html" for n in range(files)]:
            return label
        if link.parent / os.readlink(link) == target:
            return None
    return None


# ---- swap ----------------------------------------------------------------------------------


def test_swap_points_the_link_at_the_new_folder_and_removes_the_old(tmp_path):
    link = tmp_path / "html"
    publish.swap(make_report(tmp_path / "first", "first"), link)
    assert link.is_symlink() and (link / "index.html").read_text() == "first"
    version = publish.swap(make_report(tmp_path / "second", "second"), link)
    assert (link / "index.html").read_text() == "second"
    assert os.readlink(link) == version.name  # relative, so the build folder can be moved
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html", version.name]


def test_swap_migrates_a_real_folder_of_the_old_layout(tmp_path):
    make_report(tmp_path / "html", "old layout")
    publish.swap(make_report(tmp_path / "new", "new"), tmp_path / "html")
    assert (tmp_path / "html").is_symlink() and (tmp_path / "html" / "index.html").read_text() == "new"
    assert len(list(tmp_path.iterdir())) == 2  # the link and its one version


def test_swap_refuses_a_missing_folder(tmp_path):
    with pytest.raises(SystemExit, match="is not a folder to publish"):
        publish.swap(tmp_path / "absent", tmp_path / "html")


def test_copy_keeps_the_source_and_leaves_no_temporaries(tmp_path):
    source = make_report(tmp_path / "work", "built")
    (tmp_path / "pub").mkdir()
    publish.copy_and_swap(source, tmp_path / "pub" / "html")
    assert (source / "index.html").read_text() == "built"
    assert (tmp_path / "pub" / "html" / "index.html").read_text() == "built"
    assert not [p for p in (tmp_path / "pub").iterdir() if p.name.startswith(publish.TEMP_PREFIX)]


def test_stale_temporaries_are_removed_but_live_ones_kept(tmp_path):
    stale = tmp_path / f"{publish.TEMP_PREFIX}dead"
    stale.mkdir()
    (stale / publish.TEMP_OWNER).touch()  # its owner is gone: nobody holds the lock
    stale_link = tmp_path / f"{publish.TEMP_PREFIX}html-link-0"
    stale_link.symlink_to("nowhere")
    assert sorted(publish.remove_stale_temporaries(tmp_path)) == sorted([stale, stale_link])
    with publish.private_tempdir(tmp_path, "live") as live:
        assert publish.remove_stale_temporaries(tmp_path) == []  # its owner is alive: kept
        assert live.is_dir()
    assert not live.exists()


def test_write_atomically_replaces_the_whole_file(tmp_path):
    target = tmp_path / "book.pdf"
    target.write_bytes(b"old")
    publish.write_atomically(b"new content", target)
    assert target.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"]


# ---- lock ----------------------------------------------------------------------------------


def test_a_second_build_waits_for_the_first(tmp_path):
    """Two locked commands that each append start and end marks never interleave."""
    log = tmp_path / "log"
    script = f"echo start >> '{log}'; sleep 1; echo end >> '{log}'"
    first = subprocess.Popen([*PUBLISH, "lock", str(tmp_path), "--", "sh", "-c", script], stderr=subprocess.PIPE)
    time.sleep(0.3)
    second = subprocess.run([*PUBLISH, "lock", str(tmp_path), "--", "sh", "-c", script], capture_output=True,
                            text=True, timeout=60)
    first.wait(timeout=60)
    assert log.read_text().split() == ["start", "end", "start", "end"]
    assert "another build of" in second.stderr and "waiting" in second.stderr
    assert second.returncode == 0


def test_lock_returns_the_commands_exit_status(tmp_path):
    result = subprocess.run([*PUBLISH, "lock", str(tmp_path), "--", "sh", "-c", "exit 3"], timeout=60)
    assert result.returncode == 3


def test_a_lock_left_by_a_killed_build_never_blocks(tmp_path):
    holder = subprocess.Popen([*PUBLISH, "lock", str(tmp_path), "--", "sleep", "60"], start_new_session=True)
    time.sleep(1.0)
    os.killpg(holder.pid, signal.SIGKILL)  # the whole process group, as a killed make would be
    holder.wait(timeout=10)
    started = time.monotonic()
    result = subprocess.run([*PUBLISH, "lock", str(tmp_path), "--", "true"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0 and "waiting" not in result.stderr
    assert time.monotonic() - started < 20


# ---- kill -9 during the swap ------------------------------------------------------------------

KILL_LOOP = """
import sys
import threading
from pathlib import Path
from lehc_report.tools import publish
link, work, count = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
for n in range(10**6):
    folder = work / f"build{n}"
    folder.mkdir()
    for page in range(count):
        (folder / f"page{page:03d}.html").write_text(f"r{n} {page}\\n")
    (folder / "index.html").write_text(f"r{n}")
    publish.copy_and_swap(folder, link) if n % 2 else publish.swap(folder, link)
"""


@pytest.mark.slow
def test_killed_at_twenty_random_moments_the_link_always_shows_a_complete_report(tmp_path):
    """A publisher swapping reports in a loop is killed (SIGKILL, whole process group) at 20
    random moments; a watcher checks the link throughout, and after each kill the link
    still shows a complete report and the next swap succeeds and cleans up."""
    link = tmp_path / "site" / "html"
    publish.swap(make_report(tmp_path / "seed", "seed", FILES_PER_REPORT), link)
    rng = random.Random(20)
    checks = 0
    for round_number in range(20):
        work = tmp_path / f"work{round_number}"
        work.mkdir()
        process = subprocess.Popen([sys.executable, "-c", KILL_LOOP, str(link), str(work), str(FILES_PER_REPORT)],
                                   start_new_session=True)
        deadline = time.monotonic() + rng.uniform(0.3, 1.5)
        try:
            while time.monotonic() < deadline:
                assert is_complete(link, FILES_PER_REPORT), f"round {round_number}: incomplete report at {link}"
                checks += 1
        finally:  # a failed check must not leave the publisher running
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        assert is_complete(link, FILES_PER_REPORT), f"round {round_number}: incomplete report after the kill"
    publish.swap(make_report(tmp_path / "final", "final", FILES_PER_REPORT), link)
    assert is_complete(link, FILES_PER_REPORT) == "final"
    leftovers = sorted(p.name for p in link.parent.iterdir())
    assert leftovers == ["html", os.readlink(link)], leftovers  # no old version, no temporary
    assert checks > 100


def test_lock_without_a_folder_locks_the_build_named_by_lehc_build(tmp_path):
    env = dict(os.environ, LEHC_BUILD=str(tmp_path / "b"))
    result = subprocess.run([*PUBLISH, "lock", "--", "true"], env=env, timeout=60)
    assert result.returncode == 0 and (tmp_path / "b" / publish.LOCK_NAME).is_file()


def test_lock_without_a_command_is_refused(tmp_path):
    result = subprocess.run([*PUBLISH, "lock", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "usage: python -m lehc_report.tools.publish lock [BUILD] -- CMD" in result.stderr


def test_a_killed_notebook_runs_kernel_folder_is_removed_by_the_next_run(tmp_path, monkeypatch):
    from lehc_report.tools import execute

    monkeypatch.setattr(execute, "kernel_sockets_folder", lambda: tmp_path / "kernels")
    killed = tmp_path / "kernels" / f"{publish.TEMP_PREFIX}kernel-0123456789ab"
    killed.mkdir(parents=True)
    (killed / publish.TEMP_OWNER).touch()  # its executor is gone: nobody holds the lock
    (killed / "kernel-ipc-1").touch()
    with execute.unix_socket_kernels() as config:
        folder = Path(config.KernelManager.connection_file).parent
        assert folder.parent == tmp_path / "kernels" and folder.is_dir()
        assert not killed.exists()
    assert not folder.exists()


def test_a_build_stopped_after_the_swap_keeps_the_published_index(tmp_path):
    """SIGTERM (or Ctrl-C) to the inner make just after ``html`` was swapped: Make deletes a
    target that changed when it is stopped, unless it is precious; here that target is
    the published report's index.html."""
    root = Path(__file__).resolve().parents[1]
    build = tmp_path / "build"
    (build / "stamps").mkdir(parents=True)
    publish.swap(make_report(tmp_path / "previous", "previous"), build / "html")
    time.sleep(0.05)
    for name in ("01_clean", "02_quant", "03_qual", "04_robust", "05_about", "book", "book-config"):
        (build / "stamps" / f"{name}.inputs").touch()
    time.sleep(0.05)
    (build / "stamps" / "notebooks.done").touch()
    jupyter_book = tmp_path / "jupyter-book"  # stands in for Sphinx: writes a one-page report
    jupyter_book.write_text('#!/bin/sh\nmkdir -p "$4/_build/html" && echo "<html>new</html>" > "$4/_build/html/index.html"\n')
    python = tmp_path / "python"  # the real publisher, then a pause in which the build is stopped
    # (only after the publisher: the exit gate, which runs before it, goes straight through)
    python.write_text(f'#!/bin/sh\n"{sys.executable}" "$@" || exit $?\n'
                      f'case "$*" in *lehc_report.tools.publish*) touch "{tmp_path}/swapped"; sleep 30;; esac\n')
    for script in (jupyter_book, python):
        script.chmod(0o755)
    make = subprocess.Popen(["make", "-C", str(build), "-f", str(root / "Makefile"), "LEHC_INNER=1", f"ROOT={root}",
                             f"JB={jupyter_book}", f"PY={python}", "html/index.html"], start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, PYTHONPATH=str(root / "src")))
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "swapped").exists() and time.monotonic() < deadline and make.poll() is None:
            time.sleep(0.05)
        assert (tmp_path / "swapped").exists(), make.communicate()[0]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(make.pid, signal.SIGTERM)
        output = make.communicate(timeout=60)[0]
    assert "Deleting file" not in output, output
    assert (build / "html" / "index.html").read_text() == "<html>new</html>\n"


def test_after_an_unfinished_sphinx_build_every_page_is_rewritten(tmp_path):
    """A Sphinx build that did not finish leaves ``work/.unfinished``: the next build passes
    ``--all`` (a page it cut short has a new date, and would pass as up to date), and the
    one after, the marker gone, builds incrementally again."""
    root = Path(__file__).resolve().parents[1]
    build = tmp_path / "build"
    (build / "stamps").mkdir(parents=True)
    for name in ("01_clean", "02_quant", "03_qual", "04_robust", "05_about", "book-config"):
        (build / "stamps" / f"{name}.inputs").touch()
    (build / "stamps" / "notebooks.done").touch()
    time.sleep(0.05)
    publish.swap(make_report(tmp_path / "previous", "previous"), build / "html")
    calls = tmp_path / "calls"
    jupyter_book = tmp_path / "jupyter-book"  # stands in for Sphinx: notes its arguments, writes a page
    jupyter_book.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\n'
                            'mkdir -p "$4/_build/html" && echo "<html>new</html>" > "$4/_build/html/index.html"\n')
    jupyter_book.chmod(0o755)
    (build / "work").mkdir()
    (build / "work" / ".unfinished").touch()  # left by a killed Sphinx build
    for _ in range(2):
        time.sleep(0.05)
        (build / "stamps" / "book.inputs").touch()  # a prose edit
        done = subprocess.run(["make", "-C", str(build), "-f", str(root / "Makefile"), "LEHC_INNER=1", f"ROOT={root}",
                               f"JB={jupyter_book}", f"PY={sys.executable}", "html/index.html"], capture_output=True,
                              text=True, env=dict(os.environ, PYTHONPATH=str(root / "src")), timeout=120)
        assert done.returncode == 0 and "No such file" not in done.stderr, done.stdout + done.stderr
    first, second = calls.read_text().splitlines()
    assert first.split()[-1] == "--all" and "--all" not in second.split()
    assert not (build / "work" / ".unfinished").exists()


def test_a_temporary_is_never_judged_while_being_made_and_a_half_made_one_goes_at_once(tmp_path):
    """Between mkdir and its owner lock a temporary is unlocked; a cleanup then waits (a kernel's
    folder in use was once removed in that gap).  One left by a killed run goes at once, whatever
    its age (the kill loop's final check once found one a second old)."""
    half_made = tmp_path / f"{publish.TEMP_PREFIX}kernel-dead"  # killed between mkdir and lock
    half_made.mkdir()
    with publish.private_tempdir(tmp_path, "kernel") as folder:
        assert folder.name.startswith(publish.TEMP_PREFIX) and (folder / publish.TEMP_OWNER).is_file()
        assert not half_made.exists()
        assert publish.remove_stale_temporaries(tmp_path) == [] and folder.exists()
    assert not folder.exists()
    judged = []
    cleanup = threading.Thread(target=lambda: judged.append(publish.remove_stale_temporaries(tmp_path)))
    with publish._making_temporaries(tmp_path, exclusive=False):  # as private_tempdir does
        being_made = tmp_path / f"{publish.TEMP_PREFIX}kernel-now"
        being_made.mkdir()
        cleanup.start()
        cleanup.join(0.5)
        assert cleanup.is_alive() and being_made.exists()  # the cleanup waits
        owner = open(being_made / publish.TEMP_OWNER, "wb")
        fcntl.flock(owner, fcntl.LOCK_EX)
    cleanup.join(10)
    assert judged == [[]] and being_made.exists()  # locked by then: live, kept
    owner.close()
