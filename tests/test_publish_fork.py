"""A child forked while a temporary is being made or judged does not keep the folder's lock:
the lock belongs to the open file description, which a forked child shares."""

from __future__ import annotations

import fcntl
import os
import signal
import time
from pathlib import Path

from lehc_report.tools import publish


def _exclusive_lock_free(folder: Path) -> bool:
    """Whether another open file description could take ``flock(LOCK_EX)`` on ``folder`` now."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def _fork_sleeper(seconds: float) -> int:
    """Fork a child that lives ``seconds``; return once it runs (its at-fork handlers have run)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: lives on, as a process pool's worker or a kernel would
        os.write(write_end, b"x")
        time.sleep(seconds)
        os._exit(0)
    os.close(write_end)
    assert os.read(read_end, 1) == b"x"
    os.close(read_end)
    return pid


def test_a_child_forked_while_a_temporary_is_being_made_does_not_keep_the_folder_locked(tmp_path):
    # Before: the child shared the open file description of the folder's shared flock and
    # held it for its whole life; every cleanup (and so every private_tempdir) in the folder
    # waited for it.
    with publish._making_temporaries(tmp_path, exclusive=False):
        child = _fork_sleeper(30)
    try:
        assert _exclusive_lock_free(tmp_path)
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


def test_the_parent_keeps_its_lock_when_a_child_is_forked(tmp_path):
    # The child closes its copy (never LOCK_UN, which would release the parent's lock too).
    with publish._making_temporaries(tmp_path, exclusive=False):
        child = _fork_sleeper(30)
        try:
            assert not _exclusive_lock_free(tmp_path)
        finally:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
    assert _exclusive_lock_free(tmp_path)
