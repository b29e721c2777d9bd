"""Execute a MyST notebook into the Jupyter Book execution cache, driven by Make.

Jupyter Book's cache keys a notebook on its code cells only, so a changed data
file or package module would be served from a stale cache.  Make therefore decides
*when* a notebook runs (its prerequisites are the notebook, the raw data it reads
and the package), and this module runs it the way myst-nb would and stores the
result under the same key, so the book build that follows finds it in the cache
and executes nothing itself.  A failing cell stops the build, naming the notebook.

Every output reaches the cache, however loaded the machine: after a cell's reply,
nbclient waits only ``iopub_timeout`` seconds (4 by default) for the outputs still in
flight on the IOPub channel and then, by default, carries on *without them*; on a
busy machine a printed line was lost that way.  Here the wait is long
(:data:`IOPUB_TIMEOUT`) and its expiry an error (``raise_on_iopub_timeout``): a page
never silently loses output.

Failures are one line each.  Bad input (any :class:`lehc_report.errors.InputError`)
is reported as its message, which names file, row and column; notebooks run in
parallel that fail on the same bad input report it once per build between them.  Only
an unexpected error (a fault in the package) shows its traceback; every traceback is
also written to ``<build>/logs/<notebook>.traceback.txt``.

    python -m lehc_report.tools.execute notebooks/02_quant.md --cache _build/.jupyter_cache
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

# jsonschema (pulled in by nbformat) imports rfc3987_syntax when it is installed, which
# compiles a grammar and costs a second per notebook run; notebook validation never
# checks IRI formats, so we tell jsonschema the optional package is absent.
sys.modules.setdefault("rfc3987_syntax", None)

from traitlets.config import Config

from lehc_report.errors import input_error_names
from lehc_report.tools.publish import private_tempdir
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution
from myst_nb.core.config import NbParserConfig
from myst_nb.core.read import create_nb_reader
from myst_parser.config.main import MdParserConfig


def read_notebook(path: Path):
    """Read a notebook exactly as myst-nb does for the book, so the cache keys agree.

    Parameters
    ----------
    path : Path
        A MyST text notebook (``.md`` with jupytext top-matter).

    Returns
    -------
    tuple
        ``(nbformat.NotebookNode, read format)`` as myst-nb's reader gives them.

    Raises
    ------
    SystemExit
        The file is not a notebook.
    """
    text = path.read_text(encoding="utf-8")
    reader = create_nb_reader(str(path), MdParserConfig(), NbParserConfig(), text)
    if reader is None:
        raise SystemExit(f"{path}: not a notebook (a MyST notebook needs its jupytext top-matter)")
    return reader.read(text), reader.read_fmt


#: Where kernels' socket folders are made: a folder of this user's own under the system
#: temp dir (a Unix socket path must stay under ~100 bytes, so not the build folder).
KERNEL_SOCKETS = Path(tempfile.gettempdir()) / f"lehc-kernels-{os.getuid()}"

#: Errors that report bad input, with file, row and column: the message is the whole story.
#: A kernel reports an exception by its class name only, so the names come from the hierarchy.
INPUT_ERRORS = input_error_names()

ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes in IPython tracebacks

#: Seconds to wait, after a cell's reply, for its last outputs on the IOPub channel
#: (nbclient's default is 4, after which it drops them with only a log warning).  The
#: wait ends as soon as the kernel reports idle, so a long limit costs nothing.
IOPUB_TIMEOUT = 300


def client_options(timeout: int) -> dict[str, object]:
    """Options for nbclient's ``NotebookClient``, beyond the kernel's configuration.

    Parameters
    ----------
    timeout : int
        Seconds a single cell may run.

    Returns
    -------
    dict
        ``timeout``, ``iopub_timeout`` (:data:`IOPUB_TIMEOUT`) and
        ``raise_on_iopub_timeout=True``: outputs are waited for until the kernel is
        idle, and a wait that times out fails the notebook instead of dropping them.
    """
    return {"timeout": timeout, "iopub_timeout": IOPUB_TIMEOUT, "raise_on_iopub_timeout": True}


@contextmanager
def cache_lock(cache_path: Path):
    """Serialise access to the cache database: Make runs several notebooks at a time, and
    two processes creating or writing the SQLite database at once can collide.

    Parameters
    ----------
    cache_path : Path
        The jupyter-cache folder (created if missing); the lock is its ``.lock`` file.

    Yields
    ------
    jupyter_cache.base.JupyterCacheAbstract
        The cache, used only inside the ``with`` block.
    """
    cache_path.mkdir(parents=True, exist_ok=True)
    with open(cache_path / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield get_cache(str(cache_path))
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def unix_socket_kernels():
    """Configuration that makes the notebook's kernel talk over Unix sockets in a
    private folder, rather than TCP ports.

    Over TCP, jupyter_client picks "free" ports by opening and closing them before the
    kernel binds them, so two notebooks started at the same moment (Make runs several)
    can be handed the same ports; one kernel then dies or rejects the other's messages
    ("Invalid Signature").  Sockets in a folder of their own cannot collide.  The folder
    sits under the system temp dir because a Unix socket path must stay under ~100 bytes.

    Yields
    ------
    traitlets.config.Config
        ``KernelManager.transport = "ipc"`` and a connection file in the private
        folder (under :data:`KERNEL_SOCKETS`), which is removed afterwards, or by the
        next run when this one was killed.
    """
    # A private temporary (lehc_report.tools.publish): one left by a killed build, whose
    # kernel and executor are gone, is removed by the next notebook run.
    with private_tempdir(KERNEL_SOCKETS, "kernel") as folder:
        config = Config()
        config.KernelManager.transport = "ipc"
        config.KernelManager.connection_file = str(folder / "kernel.json")
        yield config


def merge_streams(notebook) -> None:
    """Join consecutive stream outputs of a cell that go to the same stream, in place.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        An executed notebook.

    Notes
    -----
    How a cell's printed text is cut into messages depends on timing (a loaded machine
    cut "line 0" into "line" and " 0"), and each message becomes a block of its own on
    the page; joined, the page is the same in every build.  As nbconvert's
    ``coalesce_streams`` preprocessor does.
    """
    for cell in notebook.cells:
        merged = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.get("output_type") == "stream" and previous is not None
                    and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
                previous["text"] = previous["text"] + output["text"]
            else:
                merged.append(output)
        if "outputs" in cell:
            cell["outputs"] = merged


def build_id() -> str:
    """Who "this build" is: the nearest ``make`` among this process's ancestors.

    Returns
    -------
    str
        ``"make:<pid>:<start time>"`` (the start time, in clock ticks since boot, tells
        a reused process id apart); ``"pgrp:<process group>"`` where there is no
        ``/proc`` or no ``make`` above (a notebook run by hand).
    """
    pid = os.getppid()
    for _ in range(16):  # make -> shell -> python, with room for wrappers (nice, the lock)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        # The command name is in parentheses and may hold spaces: split after the last ")".
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if name in ("make", "gmake"):
            return f"make:{pid}:{fields[19]}"
        pid = int(fields[1])
        if pid <= 1:
            break
    return f"pgrp:{os.getpgrp()}"


def first_report(logs: Path, message: str) -> bool:
    """Whether ``message`` is reported for the first time in this build (and note it).

    Notebooks that Make runs in parallel can fail on the same bad input (a missing
    data folder); the evaluator needs the line once.  "This build" is the ``make``
    process that runs the notebooks (see :func:`build_id`).

    Parameters
    ----------
    logs : Path
        The build's logs folder.
    message : str
        The input error's message (without the notebook's name).

    Returns
    -------
    bool
        ``True`` unless another notebook of the same build already reported it.
    """
    logs.mkdir(parents=True, exist_ok=True)
    group = build_id()
    with open(logs / ".reported", "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        lines = handle.read().splitlines()
        entry = f"{group}\t{message}"
        if entry in lines:
            return False
        # Keep only this build's lines: another group's are from an earlier build.
        handle.seek(0)
        handle.truncate()
        handle.write("".join(f"{line}\n" for line in lines if line.startswith(f"{group}\t")) + entry + "\n")
        return True


def failure_message(path: Path, name: str, summary: str, log: Path) -> str:
    """The one line shown when a notebook fails.

    Parameters
    ----------
    path : Path
        The notebook.
    name : str
        The exception's class name, as the kernel reports it.
    summary : str
        The exception's message (an input error's names file, row and column).
    log : Path
        Where the full traceback was written.

    Returns
    -------
    str
        For an input error, ``"make: notebook <name> failed: <message>"`` (the message
        says what to fix in the data); otherwise ``"make: notebook <name> failed:
        <class>: <message> (traceback in <log>; ...)"``.
    """
    if name in INPUT_ERRORS:
        return f"make: notebook {path.name} failed: {summary}"
    return f"make: notebook {path.name} failed: {name}: {summary} (traceback in {_shown(log)}; the previous report is left in place)"


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it (shorter on screen)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def execute_into_cache(path: Path, cache_path: Path, timeout: int = 600) -> float:
    """Run the notebook ``path`` top to bottom and store its outputs in the book's cache.

    Parameters
    ----------
    path : Path
        A MyST notebook (``notebooks/02_quant.md``).
    cache_path : Path
        The jupyter-cache folder the book build reads (``<build>/.jupyter_cache``);
        tracebacks go to ``logs/`` beside it.
    timeout : int
        Seconds a single cell may run.

    Returns
    -------
    float
        Execution time in seconds.

    Raises
    ------
    SystemExit
        A cell failed: with one line (see :func:`failure_message`; empty when another
        notebook of the same build already reported the same bad input).
    """
    path = path.resolve()
    notebook, read_fmt = read_notebook(path)
    with cache_lock(cache_path) as cache:
        # One record per notebook: drop this notebook's earlier results first.
        for record in cache.list_cache_records():
            if record.uri == str(path):
                cache.remove_cache(record.pk)
    with unix_socket_kernels() as kernel_config:
        options = client_options(timeout)
        result = single_nb_execution(
            notebook, cwd=str(path.parent), allow_errors=False, meta_override=True, config=kernel_config,
            timeout=options.pop("timeout"), **options,
        )
    if result.err is not None:
        error = result.err
        name = getattr(error, "ename", type(error).__name__)
        summary = ANSI.sub("", str(getattr(error, "evalue", error))).strip()
        # The traceback goes to a file for whoever debugs the code; on screen it would bury
        # the one line an evaluator needs.  Unexpected errors (a bug, not bad input) show it.
        log = cache_path.parent / "logs" / f"{path.stem}.traceback.txt"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(ANSI.sub("", result.exc_string or ""), encoding="utf-8")
        message = failure_message(path, name, summary, log)
        if name not in INPUT_ERRORS:
            sys.stderr.write(f"\nNotebook {path.name} failed; traceback:\n{log.read_text(encoding='utf-8')}\n")
        elif not first_report(log.parent, summary):
            raise SystemExit(1)  # said once already, by the notebook that met it first
        raise SystemExit(message)
    merge_streams(notebook)
    with cache_lock(cache_path) as cache:
        cache.cache_notebook_bundle(
            CacheBundleIn(notebook, str(path), data={"execution_seconds": result.time}),
            check_validity=False,
            overwrite=True,
        )
    return result.time


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m lehc_report.tools.execute NOTEBOOK [--cache DIR] [--timeout S]``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("_build/.jupyter_cache"))
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    seconds = execute_into_cache(args.notebook, args.cache, args.timeout)
    print(f"executed {args.notebook} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
