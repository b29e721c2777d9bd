"""Execute a MyST notebook into the Jupyter Book execution cache, driven by Make.

Jupyter Book's cache keys a notebook on its code cells only, so a changed data
file or package module would be served from a stale cache.  Make therefore decides
*when* a notebook runs (its prerequisites are the notebook, the raw data it reads
and the package), and this module runs it the way myst-nb would and stores the
result under the same key, so the book build that follows finds it in the cache
and executes nothing itself.  A failing cell stops the build, naming the notebook.

    python -m lehc_report.tools.execute notebooks/02_quant.md --cache _build/.jupyter_cache
"""

from __future__ import annotations

import argparse
import fcntl
import re
import shutil
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
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution
from myst_nb.core.config import NbParserConfig
from myst_nb.core.read import create_nb_reader
from myst_parser.config.main import MdParserConfig


def read_notebook(path: Path):
    """Read a notebook exactly as myst-nb does for the book, so the cache keys agree."""
    text = path.read_text(encoding="utf-8")
    reader = create_nb_reader(str(path), MdParserConfig(), NbParserConfig(), text)
    if reader is None:
        raise SystemExit(f"{path}: not a notebook (a MyST notebook needs its jupytext top-matter)")
    return reader.read(text), reader.read_fmt


#: Errors that report bad input, with file, row and column: the message is the whole story.
#: A kernel reports an exception by its class name only, so the names come from the hierarchy.
INPUT_ERRORS = input_error_names()

ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes in IPython tracebacks


@contextmanager
def cache_lock(cache_path: Path):
    """Serialise access to the cache database: Make runs several notebooks at a time, and
    two processes creating or writing the SQLite database at once can collide."""
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
    """
    folder = Path(tempfile.mkdtemp(prefix="lehc-kernel-"))
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.connection_file = str(folder / "kernel.json")
    try:
        yield config
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def execute_into_cache(path: Path, cache_path: Path, timeout: int = 600) -> float:
    """Run ``path`` top to bottom and store its outputs in the book's cache."""
    path = path.resolve()
    notebook, read_fmt = read_notebook(path)
    with cache_lock(cache_path) as cache:
        # One record per notebook: drop this notebook's earlier results first.
        for record in cache.list_cache_records():
            if record.uri == str(path):
                cache.remove_cache(record.pk)
    with unix_socket_kernels() as kernel_config:
        result = single_nb_execution(
            notebook, cwd=str(path.parent), allow_errors=False, timeout=timeout, meta_override=True, config=kernel_config
        )
    if result.err is not None:
        error = result.err
        name = getattr(error, "ename", type(error).__name__)
        summary = f"{name}: {ANSI.sub('', str(getattr(error, 'evalue', error)))}"
        # The traceback goes to a file for whoever debugs the code; on screen it would bury
        # the one line an evaluator needs.  Unexpected errors (a bug, not bad input) show it.
        log = cache_path.parent / "logs" / f"{path.stem}.traceback.txt"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(ANSI.sub("", result.exc_string or ""), encoding="utf-8")
        if name not in INPUT_ERRORS:
            sys.stderr.write(f"\nNotebook {path.name} failed; traceback:\n{log.read_text(encoding='utf-8')}\n")
        raise SystemExit(f"make: notebook {path.name} failed: {summary}\nmake: the previous report is left in place "
                         f"(traceback in {log})")
    with cache_lock(cache_path) as cache:
        cache.cache_notebook_bundle(
            CacheBundleIn(notebook, str(path), data={"execution_seconds": result.time}),
            check_validity=False,
            overwrite=True,
        )
    return result.time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("_build/.jupyter_cache"))
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    seconds = execute_into_cache(args.notebook, args.cache, args.timeout)
    print(f"executed {args.notebook} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
