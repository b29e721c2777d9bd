"""Execute the book's notebooks into the Jupyter Book execution cache, driven by Make.

Jupyter Book's cache keys a notebook on its code cells only, so a changed data
file or package module would be served from a stale cache.  The build therefore decides
*when* a notebook runs (from fingerprints of what it reads: ``<build>/stamps/<name>.inputs``,
written by :mod:`lehc_report.tools.build`), and this module runs it the way myst-nb would
and stores the result under the same key, so the book build that follows finds it in the
cache and executes nothing itself.

One process runs every notebook of a build that is out of date: a notebook whose
``<name>.done`` stamp is missing or older than its ``<name>.inputs``, and every notebook
that reads what such a notebook writes (``--needs``).  Notebooks run several at a time
(one per CPU), each in a kernel of its own forked from a process that has already
imported the analysis stack (:mod:`lehc_report.tools.forked_kernels`): no kernel pays for
the imports again, and none shares state with another.

Every output reaches the cache, however loaded the machine: after a cell's reply,
nbclient waits only ``iopub_timeout`` seconds (4 by default) for the outputs still in
flight on the IOPub channel and then, by default, carries on *without them*; on a
busy machine a printed line was lost that way.  Here the wait is long
(:data:`IOPUB_TIMEOUT`) and its expiry an error (``raise_on_iopub_timeout``): a page
never silently loses output.

Failures are one line each.  Bad input (any :class:`lehc_report.errors.InputError`)
is reported as its message, which names file, row and column, once however many
notebooks met it; a notebook that needs one that failed is not run.  Only an unexpected
error (a fault in the package) shows its traceback; every traceback is also written to
``<build>/logs/<notebook>.traceback.txt``.

    python -m lehc_report.tools.execute notebooks/*.md --cache _build/.jupyter_cache \
        --stamps _build/stamps --needs 02_quant=01_clean
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import sys
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lehc_report.optional_imports import skip_rfc3987_syntax

skip_rfc3987_syntax()  # before nbformat imports jsonschema

from traitlets.config import Config

from lehc_report.errors import input_error_names
from lehc_report.tools.forked_kernels import ForkedKernelManager, kernel_sockets_folder, start_fork_server
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
    """Serialise access to the cache database: several notebooks run at a time (threads of
    the runner, each with its own lock handle, which ``flock`` keeps apart), and two
    writers creating or writing the SQLite database at once can collide.

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
    kernel binds them, so two notebooks started at the same moment (the runner starts
    several, and so do concurrent builds) can be handed the same ports; one kernel then
    dies or rejects the other's messages ("Invalid Signature").  Sockets in a folder of
    their own cannot collide.  The folder sits under the system temp dir because a Unix
    socket path must stay under ~100 bytes.

    Yields
    ------
    traitlets.config.Config
        ``KernelManager.transport = "ipc"`` and a connection file in a private folder
        in :func:`~lehc_report.tools.forked_kernels.kernel_sockets_folder`, which is
        removed afterwards, or by the next run when this one was killed.
    """
    # A private temporary (lehc_report.tools.publish): one left by a killed build, whose
    # kernel and executor are gone, is removed by the next notebook run.
    with private_tempdir(kernel_sockets_folder(), "kernel") as folder:
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


class NotebookFailed(Exception):
    """A cell of a notebook failed.

    Attributes
    ----------
    notebook : str
        The notebook's file name.
    line : str
        The one line to show (:func:`failure_message`).
    summary : str
        The exception's message.
    input_error : bool
        Whether it reports bad input (then ``summary`` names file, row and column).
    traceback : str
        The full traceback, also in ``<build>/logs/<notebook>.traceback.txt``.
    """

    def __init__(self, notebook: str, line: str, summary: str, input_error: bool, traceback: str) -> None:
        super().__init__(line)
        self.notebook, self.line, self.summary, self.input_error, self.traceback = notebook, line, summary, input_error, traceback


def execute_into_cache(path: Path, cache_path: Path, timeout: int = 600) -> float:
    """Run the notebook ``path`` top to bottom in a forked kernel and store its outputs in the book's cache.

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
    NotebookFailed
        A cell failed (its traceback is written to ``logs/<notebook>.traceback.txt``).
    """
    path = path.resolve()
    notebook, _ = read_notebook(path)
    with cache_lock(cache_path) as cache:
        # One record per notebook: drop this notebook's earlier results first.
        for record in cache.list_cache_records():
            if record.uri == str(path):
                cache.remove_cache(record.pk)
    with unix_socket_kernels() as kernel_config:
        options = client_options(timeout)
        result = single_nb_execution(
            notebook, cwd=str(path.parent), allow_errors=False, meta_override=True, config=kernel_config,
            kernel_manager_class=ForkedKernelManager, timeout=options.pop("timeout"), **options,
        )
    if result.err is not None:
        error = result.err
        name = getattr(error, "ename", type(error).__name__)
        summary = ANSI.sub("", str(getattr(error, "evalue", error))).strip()
        # The traceback goes to a file for whoever debugs the code; on screen it would bury
        # the one line an evaluator needs.  Unexpected errors (a bug, not bad input) show it.
        log = cache_path.parent / "logs" / f"{path.stem}.traceback.txt"
        log.parent.mkdir(parents=True, exist_ok=True)
        traceback = ANSI.sub("", result.exc_string or "")
        log.write_text(traceback, encoding="utf-8")
        raise NotebookFailed(path.name, failure_message(path, name, summary, log), summary, name in INPUT_ERRORS, traceback)
    merge_streams(notebook)
    with cache_lock(cache_path) as cache:
        cache.cache_notebook_bundle(
            CacheBundleIn(notebook, str(path), data={"execution_seconds": result.time}),
            check_validity=False,
            overwrite=True,
        )
    return result.time


def out_of_date(names: list[str], stamps: Path, needs: dict[str, list[str]]) -> list[str]:
    """The notebooks that must run, in the order given.

    Parameters
    ----------
    names : list of str
        Notebook names (``01_clean``), in the order to start them.
    stamps : Path
        The build's stamps folder: ``<name>.inputs`` (fingerprint of what the notebook
        reads, rewritten only when that changes) and ``<name>.done`` (written when it ran).
    needs : dict
        ``{name: [names of the notebooks whose outputs it reads]}``.

    Returns
    -------
    list of str
        Each notebook whose ``.done`` is missing or older than its ``.inputs``, and each that
        needs one of those, directly or not.
    """
    def stale(name: str) -> bool:
        done, inputs = stamps / f"{name}.done", stamps / f"{name}.inputs"
        return not done.exists() or (inputs.exists() and inputs.stat().st_mtime_ns > done.stat().st_mtime_ns)

    run = {name for name in names if stale(name)}
    changed = True
    while changed:
        before = len(run)
        run |= {name for name in names if any(need in run for need in needs.get(name, []))}
        changed = len(run) != before
    return [name for name in names if name in run]


@dataclass
class BatchResult:
    """What :func:`execute_notebooks` did.

    Attributes
    ----------
    seconds : dict
        ``{name: execution seconds}`` of each notebook that ran and succeeded.
    failed : dict
        ``{name: NotebookFailed}``.
    skipped : list of str
        Notebooks not run because one they need failed.
    """

    seconds: dict
    failed: dict
    skipped: list


def execute_notebooks(notebooks: list[Path], cache_path: Path, stamps: Path, needs: dict[str, list[str]] | None = None,
                      jobs: int | None = None, timeout: int = 600, report=print) -> BatchResult:
    """Run the out-of-date notebooks (:func:`out_of_date`), several at a time, each into the cache.

    Parameters
    ----------
    notebooks : list of Path
        The book's notebooks, in the order to start them when free to.
    cache_path : Path
        The build's jupyter-cache folder.
    stamps : Path
        The build's stamps folder; ``<name>.done`` is written for each notebook that succeeds.
    needs : dict, optional
        ``{name: [names it needs]}``: a notebook starts when those have succeeded.
    jobs : int, optional
        Notebooks at a time (default: the CPUs this process may use).
    timeout : int
        Seconds a single cell may run.
    report : callable
        Called with ``"executed <notebook> in <s> s"`` for each notebook that ran.

    Returns
    -------
    BatchResult
    """
    needs = needs or {}
    by_name = {path.stem: path for path in notebooks}
    pending = out_of_date(list(by_name), stamps, needs)
    result = BatchResult({}, {}, [])
    if not pending:
        return result
    start_fork_server()
    jobs = max(1, jobs or len(os.sched_getaffinity(0)))
    stamps.mkdir(parents=True, exist_ok=True)
    running = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        while pending or running:
            for name in list(pending):
                waiting_for = [need for need in needs.get(name, []) if need in pending or need in running.values()]
                if any(need in result.failed or need in result.skipped for need in needs.get(name, [])):
                    pending.remove(name)
                    result.skipped.append(name)
                elif not waiting_for and len(running) < jobs:
                    pending.remove(name)
                    running[pool.submit(execute_into_cache, by_name[name], cache_path, timeout)] = name
            if not running:
                if pending:  # nothing runs and nothing can start: the needs go round in a circle
                    raise SystemExit(f"execute: --needs go round in a circle among {', '.join(pending)}")
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                try:
                    result.seconds[name] = future.result()
                except NotebookFailed as failure:
                    result.failed[name] = failure
                    continue
                (stamps / f"{name}.done").touch()
                report(f"executed {_shown(by_name[name])} in {result.seconds[name]:.1f} s")
    return result


def failure_lines(result: BatchResult) -> list[str]:
    """The lines to show for the failed notebooks: one per input error (however many notebooks
    met it), and for an unexpected error its traceback and its line.

    Parameters
    ----------
    result : BatchResult

    Returns
    -------
    list of str
    """
    lines: list[str] = []
    said: set[str] = set()
    for failure in result.failed.values():
        if failure.input_error:
            if failure.summary not in said:
                said.add(failure.summary)
                lines.append(failure.line)
        else:
            lines.append(f"\nNotebook {failure.notebook} failed; traceback:\n{failure.traceback}")
            lines.append(failure.line)
    return lines


def parse_needs(pairs: list[str]) -> dict[str, list[str]]:
    """Read ``--needs``: which notebooks each notebook needs to have run first.

    Parameters
    ----------
    pairs : list of str
        ``NAME=NEEDED`` (``NEEDED`` may list several, comma-separated), e.g.
        ``["02_quant=01_clean", "03_qual=01_clean"]``.

    Returns
    -------
    dict
        ``{"02_quant": ["01_clean"], "03_qual": ["01_clean"]}``.

    Raises
    ------
    SystemExit
        A pair without a name on either side.
    """
    needs: dict[str, list[str]] = {}
    for pair in pairs:
        name, _, needed = pair.partition("=")
        if not name or not needed:
            raise SystemExit(f"execute: --needs takes NAME=NEEDED pairs, not {pair!r}")
        needs.setdefault(name, []).extend(n for n in needed.split(",") if n)
    return needs


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m lehc_report.tools.execute NOTEBOOK... --cache DIR --stamps DIR [--needs A=B...]``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Raises
    ------
    SystemExit
        Status 1 when a notebook failed, after its line (see :func:`failure_lines`).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", type=Path, nargs="+")
    parser.add_argument("--cache", type=Path, default=Path("_build/.jupyter_cache"))
    parser.add_argument("--stamps", type=Path, default=Path("_build/stamps"))
    parser.add_argument("--needs", nargs="*", default=[], metavar="NAME=NEEDED")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    result = execute_notebooks(args.notebooks, args.cache, args.stamps, parse_needs(args.needs), args.jobs, args.timeout,
                               report=lambda line: print(line, flush=True))
    lines = failure_lines(result)
    if lines:
        sys.stderr.write("\n".join(lines) + "\n")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
