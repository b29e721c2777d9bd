"""Builds that never half-finish: a build lock, atomic publishing, safe temporaries.

    python -m lehc_report.tools.publish lock [BUILD] -- CMD [ARG...]
    python -m lehc_report.tools.publish swap NEW_DIR LINK
    python -m lehc_report.tools.publish copy SRC_DIR LINK

``lock`` runs ``CMD`` holding an exclusive :func:`fcntl.flock` lock on
``BUILD/.build.lock``: a second build of the same folder waits for the first, then
proceeds.  The kernel releases a ``flock`` lock when its holder dies, so a lock left
by a killed build (``kill -9`` included) never blocks; the lock file itself stays and
means nothing.

``swap`` publishes a freshly built folder: ``NEW_DIR`` is renamed to
``LINK.<id>`` beside ``LINK``, a temporary symbolic link to it is made, and that
link is renamed over ``LINK`` with one ``rename(2)``, which POSIX makes atomic (so
is not ``ln -sfn``, which unlinks, then links).  Older versions and temporaries are
removed afterwards.  At every instant ``LINK`` resolves to a complete folder, the
previous or the new one, whatever moment the process is killed at.  ``copy`` first
copies ``SRC_DIR`` (e.g. Sphinx's working output, which the next incremental build
rewrites in place) into a private temporary folder beside ``LINK``, then swaps it in.

Temporaries (:func:`private_tempdir`) carry a lock held while their creator lives, so
the next run removes those of a killed one and never those of a live one.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

#: Name of the lock file in a build folder.
LOCK_NAME = ".build.lock"
#: Prefix of every temporary this module makes; ``LINK`` and version names never start with it.
TEMP_PREFIX = ".tmp-"
#: The lock file inside each temporary folder, held by its creator.
TEMP_OWNER = ".owner.lock"


# ---- the build lock ----------------------------------------------------------------------


@contextlib.contextmanager
def build_lock(build: Path, wait_message: bool = True) -> Iterator[Path]:
    """Hold the exclusive lock of a build folder for the duration of the ``with`` block.

    Parameters
    ----------
    build : Path
        The build folder (created if missing); the lock is ``build/.build.lock``.
    wait_message : bool
        Print one line on standard error when another build holds the lock.

    Yields
    ------
    Path
        The lock file.

    Notes
    -----
    ``flock(2)`` locks belong to the open file description: the kernel releases them
    when the holding process exits, however it exits, so no stale lock can remain.
    """
    build = Path(build)
    build.mkdir(parents=True, exist_ok=True)
    lock_path = build / LOCK_NAME
    # O_CLOEXEC (Python's default): commands run under the lock do not inherit it, so a
    # stray grandchild (a kernel, a browser) can never keep the next build waiting.
    with open(lock_path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if wait_message:
                print(f"build: another build of {build} is running; waiting for it to finish", file=sys.stderr,
                      flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield lock_path
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_locked(build: Path, command: Sequence[str]) -> int:
    """Run ``command`` while holding the lock of ``build``.

    Parameters
    ----------
    build : Path
        The build folder whose lock is held.
    command : sequence of str
        The command and its arguments (e.g. ``["make", "book-unlocked"]``).

    Returns
    -------
    int
        The command's exit status (``128 + n`` when killed by signal ``n``).

    Notes
    -----
    SIGINT, SIGTERM and SIGHUP received while waiting for the command are passed on
    to it, so Ctrl-C stops the build rather than orphaning it.
    """
    if not command:
        raise SystemExit("publish lock: no command given (publish lock BUILD -- CMD ...)")
    with build_lock(build):
        # close_fds=False: GNU Make passes its job slots to the inner make through inherited
        # file descriptors; closing them made every build run one notebook at a time.
        process = subprocess.Popen(list(command), close_fds=False)

        def forward(signum, _frame):
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signum)

        previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            status = process.wait()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    return 128 - status if status < 0 else status


# ---- private temporaries -----------------------------------------------------------------


#: Descriptors of the folders this process holds :func:`_making_temporaries`'s lock on.
_FOLDER_LOCKS: set[int] = set()
#: Held from opening such a descriptor until it is in :data:`_FOLDER_LOCKS`, and by ``fork``:
#: a descriptor opened before a fork and locked after it would lock the child's copy too.
_FOLDER_LOCKS_GUARD = threading.Lock()


def _drop_folder_locks_in_child() -> None:
    """In a child of ``fork(2)``: close the inherited descriptors of :data:`_FOLDER_LOCKS`.

    Why: a ``flock`` lock belongs to the open file description, which a forked child shares.
    A child forked by one thread while another thread held a folder's shared lock (a process
    pool, a kernel) kept that lock for its whole life, and every cleanup of the folder, and
    so every new temporary in it, waited for the child to end.  Closing (never unlocking)
    the child's copy leaves the parent's lock as it was.
    """
    for fd in list(_FOLDER_LOCKS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _FOLDER_LOCKS.clear()
    _FOLDER_LOCKS_GUARD.release()  # taken by the parent's thread that forked


os.register_at_fork(before=_FOLDER_LOCKS_GUARD.acquire, after_in_parent=_FOLDER_LOCKS_GUARD.release,
                    after_in_child=_drop_folder_locks_in_child)


@contextlib.contextmanager
def _making_temporaries(parent: Path, exclusive: bool) -> Iterator[None]:
    """Hold ``flock(2)`` on the folder ``parent`` itself: shared while one temporary is made
    and locked, exclusive while temporaries are judged stale.

    Why: between ``mkdir`` and locking its owner file, a new temporary is unlocked, and a
    cleanup running then would take it for stale (a kernel's folder in use was once removed
    in that gap).  Under the exclusive lock no temporary is half-made, so an unlocked one is
    stale whatever its age; a creator killed half-way releases its shared lock with its life.
    A child forked meanwhile does not inherit the lock (:func:`_drop_folder_locks_in_child`).
    """
    with _FOLDER_LOCKS_GUARD:
        fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
        _FOLDER_LOCKS.add(fd)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        # Under the guard: a fork between discard and close would lock the child's copy.  In
        # a forked child the descriptor is closed already (and its number may be reused).
        with _FOLDER_LOCKS_GUARD:
            if fd in _FOLDER_LOCKS:
                _FOLDER_LOCKS.discard(fd)
                os.close(fd)  # releases the lock


def _holds_live_owner(folder: Path) -> bool:
    """Whether a live process holds the owner lock of the temporary ``folder``."""
    try:
        handle = open(folder / TEMP_OWNER, "rb")
    except FileNotFoundError:
        return False  # killed between mkdir and lock, or being removed by its owner
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


def remove_stale_temporaries(parent: Path) -> list[Path]:
    """Remove the temporaries in ``parent`` whose creator is no longer running.

    Parameters
    ----------
    parent : Path
        A folder holding temporaries made by :func:`private_tempdir` or :func:`swap`.

    Returns
    -------
    list of Path
        What was removed.
    """
    parent = Path(parent)
    if not parent.is_dir():
        return []
    stale = []
    with _making_temporaries(parent, exclusive=True):
        for entry in sorted(parent.iterdir()):
            if not entry.name.startswith(TEMP_PREFIX):
                continue
            # "-old": a condemned version (remove_old_versions), never work in progress.
            if entry.is_symlink() or entry.is_file() or entry.name.endswith("-old") or not _holds_live_owner(entry):
                stale.append(entry)
    # Removed outside the lock (an old report may take a while): a stale name is never reused,
    # and removing one twice at once is harmless.
    for entry in stale:
        if entry.is_symlink() or entry.is_file():
            entry.unlink(missing_ok=True)
        else:
            shutil.rmtree(entry, ignore_errors=True)
    return stale


@contextlib.contextmanager
def private_tempdir(parent: Path, label: str = "work") -> Iterator[Path]:
    """A temporary folder in ``parent``, removed on exit and by the next run if killed.

    Parameters
    ----------
    parent : Path
        Where to make it: beside the output it will be renamed to, so that
        :func:`os.replace` stays within one file system.
    label : str
        A word in the folder's name, for whoever lists the folder.

    Yields
    ------
    Path
        The empty folder ``parent/.tmp-<label>-<random>``.
    """
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(parent)
    folder = parent / f"{TEMP_PREFIX}{label}-{secrets.token_hex(6)}"
    with _making_temporaries(parent, exclusive=False):
        folder.mkdir()
        owner = open(folder / TEMP_OWNER, "wb")
        fcntl.flock(owner, fcntl.LOCK_EX)
    try:
        yield folder
    finally:
        owner.close()
        shutil.rmtree(folder, ignore_errors=True)


def write_atomically(data: bytes, target: Path) -> Path:
    """Write ``data`` to ``target`` through a private temporary, renamed into place.

    Parameters
    ----------
    data : bytes
        The complete content.
    target : Path
        The file to replace; readers see the old or the new content, never a part.

    Returns
    -------
    Path
        ``target``.
    """
    target = Path(target)
    with private_tempdir(target.parent, target.name) as tmp:
        staged = tmp / target.name
        with open(staged, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staged, target)
    return target


# ---- atomic publishing -------------------------------------------------------------------


def _version_pattern(link: Path) -> re.Pattern[str]:
    return re.compile(re.escape(link.name) + r"\.v[0-9a-f]{16}[0-9a-f]{8}")


def _new_version_name(link: Path) -> str:
    # Time first, so versions sort by age; random tail, so two never collide.
    return f"{link.name}.v{time.time_ns():016x}{secrets.token_hex(4)}"


def current_version(link: Path) -> Path | None:
    """The folder a published link points at.

    Parameters
    ----------
    link : Path
        The published name (``html``).

    Returns
    -------
    Path or None
        ``None`` when ``link`` is not a symbolic link.
    """
    link = Path(link)
    if not link.is_symlink():
        return None
    return link.parent / os.readlink(link)


def swap(new_dir: Path, link: Path) -> Path:
    """Publish the complete folder ``new_dir`` as ``link``, atomically.

    Parameters
    ----------
    new_dir : Path
        A complete, freshly built folder on the same file system as ``link``; it is
        renamed to ``LINK.v<id>`` beside ``link``.
    link : Path
        The published name (``_build/html``): a symbolic link, replaced by one
        ``rename(2)``.  A real folder of that name (a build made before this module)
        is moved aside first; only that one-off migration has an instant without it.

    Returns
    -------
    Path
        The version folder ``link`` now points at.

    Raises
    ------
    SystemExit
        ``new_dir`` is not a folder, or is on another file system.
    """
    new_dir, link = Path(new_dir), Path(link)
    if not new_dir.is_dir() or new_dir.is_symlink():
        raise SystemExit(f"publish: {new_dir} is not a folder to publish")
    parent = link.parent
    parent.mkdir(parents=True, exist_ok=True)
    version = parent / _new_version_name(link)
    try:
        os.rename(new_dir, version)
    except OSError as error:
        if error.errno == errno.EXDEV:
            raise SystemExit(f"publish: {new_dir} is on another file system than {link}; build it beside it") from None
        raise
    _fsync_dir(parent)
    if link.is_dir() and not link.is_symlink():
        # A real folder cannot be replaced by rename(2) of a link: move it aside as a version.
        os.rename(link, parent / _new_version_name(link))
    temporary = parent / f"{TEMP_PREFIX}{link.name}-link-{secrets.token_hex(6)}"
    with _making_temporaries(parent, exclusive=False):  # never taken for stale before it is renamed
        os.symlink(version.name, temporary)  # relative: the build folder can move
        os.replace(temporary, link)
    _fsync_dir(parent)
    remove_old_versions(link)
    return version


def copy_and_swap(source: Path, link: Path) -> Path:
    """Copy ``source`` beside ``link`` and :func:`swap` the copy in.

    Parameters
    ----------
    source : Path
        A complete folder that stays where it is (Sphinx's working output).
    link : Path
        The published name.

    Returns
    -------
    Path
        The version folder ``link`` now points at.
    """
    source = Path(source)
    if not source.is_dir():
        raise SystemExit(f"publish: {source} is not a folder to publish")
    with private_tempdir(Path(link).parent, Path(link).name) as tmp:
        staged = tmp / "copy"
        shutil.copytree(source, staged, symlinks=True)
        return swap(staged, link)


def remove_old_versions(link: Path) -> list[Path]:
    """Remove every ``LINK.v<id>`` but the current one, and stale temporaries.

    Parameters
    ----------
    link : Path
        The published link.

    Returns
    -------
    list of Path
        What was removed.

    Notes
    -----
    Each old version is first renamed to a temporary name, then deleted, so that a
    kill during deletion leaves a temporary for the next run, never a half-deleted
    folder under a version's name.
    """
    link = Path(link)
    current = current_version(link)
    pattern = _version_pattern(link)
    removed = []
    for entry in sorted(link.parent.iterdir()):
        if not pattern.fullmatch(entry.name) or (current is not None and entry.name == current.name):
            continue
        doomed = link.parent / f"{TEMP_PREFIX}{entry.name}-old"
        os.rename(entry, doomed)
        shutil.rmtree(doomed, ignore_errors=True)
        removed.append(entry)
    removed += remove_stale_temporaries(link.parent)
    return removed


def _fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable (a power cut then keeps a complete report too)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---- command line ------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``lock [BUILD] -- CMD...``, ``swap NEW_DIR LINK`` or ``copy SRC_DIR LINK``.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: the locked command's for ``lock``, 0 otherwise.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["lock"]:
        # Everything after "--" is the command, untouched by argparse.  BUILD defaults to
        # $LEHC_BUILD (what the Makefile exports), else _build.
        if "--" not in argv or argv.index("--") not in (1, 2):
            raise SystemExit("usage: python -m lehc_report.tools.publish lock [BUILD] -- CMD [ARG...]")
        split = argv.index("--")
        if split == 2:
            build = Path(argv[1])
        else:
            from lehc_report.paths import get_paths

            build = get_paths().build
        return run_locked(build, argv[split + 1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("swap", "rename NEW_DIR beside LINK and point LINK at it"),
                            ("copy", "copy SRC_DIR beside LINK and point LINK at the copy")):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("folder", type=Path)
        command.add_argument("link", type=Path)
    args = parser.parse_args(argv)
    version = swap(args.folder, args.link) if args.command == "swap" else copy_and_swap(args.folder, args.link)
    print(f"publish: {args.link} -> {version.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
