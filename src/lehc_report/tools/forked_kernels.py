"""Jupyter kernels forked from one process that has already imported the analysis stack.

Every notebook of the book imports pandas, SciPy, matplotlib, seaborn, pingouin and the
package: about 2.2 s of CPU in each kernel, five times per cold build, on top of the
kernel's own start-up (IPython, ipykernel, ZeroMQ).  Here one *fork server*
(:mod:`multiprocessing`'s ``forkserver``, standard library) imports all that once
(:data:`KERNEL_PRELOAD`), and each notebook's kernel is a ``fork`` of it, ready in
milliseconds.  A forked kernel is a fresh process like any other: nothing a notebook
does (its variables, matplotlib state, warnings, caches) reaches another notebook's
kernel, so a page is the same whether its notebook ran alone or with the others.

The kernel is still started, driven and shut down by jupyter_client and nbclient; only
the way its process comes to exist changes, through jupyter_client's documented
extension point for that, a *kernel provisioner* (:class:`ForkedKernelProvisioner`).

What a notebook can see of its process is made as in a kernel launched the usual way
(``tests/test_execute.py`` compares the two): the import path, the environment (with the
variables the preloaded libraries set on import), matplotlib's backend (the inline one
unless ``MPLBACKEND`` says otherwise) and pandas' display defaults, which pandas chooses
on import by asking IPython whether it runs in a kernel (:class:`_KernelStandIn`).

Two things differ from a kernel jupyter_client launches itself, both on purpose:

* the kernel stays in the build's process group (``kill -9`` of the build's group ends
  it too), so it is never signalled through its process group: that group is the build's;
* multiprocessing re-runs the *caller's* main module in each child to unpickle the target,
  unless that module is a package's ``__main__``: so ``python -m lehc_report.tools.execute``
  runs ``lehc_report/tools/execute/__main__.py``, and the kernels import nothing of the
  executor's.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import stat
import sys
import tempfile
import threading
from pathlib import Path
from collections.abc import Sequence
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

#: Bytes a Unix socket's path may have, its final NUL excluded: macOS's ``sun_path`` (104
#: bytes) is the shortest of the systems we run on (Linux's is 108).
SOCKET_PATH_MAX = 103
#: The longest path a notebook run makes below :func:`kernel_sockets_folder`: the fork
#: server's socket, in multiprocessing's folder inside the runner's private folder
#: (``execute.__main__``); a kernel's (``/.tmp-kernel-<12>/kernel-ipc-<n>``) is shorter.
LONGEST_SOCKET_TAIL = "/.tmp-nb-0123456789ab/pymp-01234567/listener-01234567"


def kernel_sockets_folder(temp_dirs: Sequence[str] | None = None) -> Path:
    """This user's folder for the notebook runs' temporaries (kernels' and fork server's sockets).

    Parameters
    ----------
    temp_dirs : sequence of str, optional
        Where it may go; the first short enough is used.  Default: the system temp dir,
        then ``/tmp`` (macOS's per-user ``TMPDIR`` is ~50 bytes long, which leaves no room
        for :data:`LONGEST_SOCKET_TAIL` within :data:`SOCKET_PATH_MAX`).

    Returns
    -------
    Path
        ``<temp dir>/lehc-kernels-<uid>``, made with mode 0700 when missing.  Not the build
        folder: a socket's path must stay short.

    Raises
    ------
    SystemExit
        One line: no candidate is short enough, or the folder is not a private folder of
        this user's (a symbolic link, another user's, or not a folder).  In a shared
        ``/tmp`` the name is predictable, and whoever owns the folder could reach the
        kernels' sockets and connection files.
    """
    candidates = [tempfile.gettempdir(), "/tmp"] if temp_dirs is None else list(temp_dirs)
    name = f"lehc-kernels-{os.getuid()}"
    fitting = [Path(base) / name for base in candidates
               if len(os.fsencode(Path(base) / name)) + len(LONGEST_SOCKET_TAIL) <= SOCKET_PATH_MAX]
    if not fitting:
        raise SystemExit(f"notebooks: the temporary folder {candidates[0]} is too long for the kernels' sockets "
                         f"(a socket path has at most {SOCKET_PATH_MAX} bytes); set TMPDIR to a shorter folder")
    folder = fitting[0]
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder, 0o700)
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise SystemExit(f"notebooks: {folder} is not a folder (a symbolic link or a file); kernels' sockets "
                         "must be in a private folder: remove it or set TMPDIR to a folder of your own")
    if info.st_uid != os.getuid():
        raise SystemExit(f"notebooks: {folder} belongs to another user (uid {info.st_uid}); kernels' sockets "
                         "must be in a private folder: remove it or set TMPDIR to a folder of your own")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(folder, 0o700)  # ours, made open by an earlier version
    return folder


#: Imported once by the fork server, so that no kernel imports them again: what every
#: kernel imports at start-up, and what the notebooks import (a test checks that every
#: import line of ``notebooks/*.md`` is covered).  Order matters only for speed.
KERNEL_PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "IPython.display",
    "numpy",
    "pandas",
    "scipy.stats",
    "matplotlib.pyplot",
    "seaborn",
    "pingouin",
    "myst_nb.ext.glue",
    "lehc_report.book.glue",
    "lehc_report.paths",
    "lehc_report.inputs.provenance",
    "lehc_report.render.outputs",
    "lehc_report.prose.quant",
    "lehc_report.prose.qual",
    "lehc_report.prose.robust",
    "lehc_report.stages.clean",
    "lehc_report.stages.quant",
    "lehc_report.stages.qual",
    "lehc_report.stages.robust",
)


#: ``sys.path`` of the fork server before any caller's was applied (set by :func:`preload`).
_FRESH_SYS_PATH: list[str] | None = None
#: Environment variables set by the preloaded modules' imports (set by :func:`preload`).
_PRELOAD_ENVIRONMENT: dict[str, str] = {}


class _KernelStandIn:
    """What a library sees of IPython while the fork server imports it: ``get_ipython()``
    gives an object with a ``kernel``, as in a Jupyter kernel.  pandas chooses display
    defaults that way when imported (``display.max_columns`` is 20 in a kernel, unlimited
    in a terminal): imported outside a kernel, it showed every column of a wide table that
    a kernel truncates, and the page differed from one made in a kernel launched the usual way."""

    kernel = None


def preload() -> None:
    """Import :data:`KERNEL_PRELOAD` as a kernel would; run by the fork server before it forks.

    Raises
    ------
    ImportError
        A module is missing (the fork server then fails, and every kernel with it).
    """
    import builtins
    import importlib

    # As ipykernel does before any notebook code runs (IPKernelApp.init_gui_pylab), and
    # before matplotlib reads it on import: the inline backend unless one is set.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    from lehc_report.optional_imports import skip_rfc3987_syntax

    skip_rfc3987_syntax()  # myst-nb's glue imports nbformat, and so jsonschema
    global _FRESH_SYS_PATH
    # The server is a fresh interpreter (``python -c``): its import path is a launched
    # kernel's, less the launching folder, which ipykernel_launcher removes too.
    _FRESH_SYS_PATH = [entry for entry in sys.path if entry != ""]
    stand_in = getattr(builtins, "get_ipython", None)
    builtins.get_ipython = _KernelStandIn
    environment = dict(os.environ)
    try:
        for name in KERNEL_PRELOAD:
            importlib.import_module(name)
        # Some libraries set environment variables when imported (pandera sets pyarrow's and
        # Spark's): a kernel that imported them would have them, so each forked kernel gets them.
        _PRELOAD_ENVIRONMENT.update({k: v for k, v in os.environ.items() if environment.get(k) != v})
    finally:
        if stand_in is None:
            del builtins.get_ipython
        else:
            builtins.get_ipython = stand_in


def fork_server_context() -> multiprocessing.context.BaseContext:
    """The ``forkserver`` context whose server has imported :data:`KERNEL_PRELOAD` (:func:`preload`).

    Returns
    -------
    multiprocessing.context.ForkServerContext
        Its server is started by :func:`start_fork_server`, or by the first kernel.
    """
    context = multiprocessing.get_context("forkserver")
    # The server imports this (light) module, whose import runs preload().
    context.set_forkserver_preload(["lehc_report.tools.kernel_preload"])
    return context


def start_fork_server() -> None:
    """Start the fork server now, so that it imports the stack while the caller goes on.

    The server is one process, in the caller's process group; it ends when the caller
    does.  Calling this again does nothing.
    """
    fork_server_context()
    from multiprocessing import forkserver

    forkserver.ensure_running()


def run_kernel(argv: list[str], env: dict[str, str], cwd: str) -> None:
    """Become an IPython kernel, in a process forked from the fork server.

    Parameters
    ----------
    argv : list of str
        ipykernel's arguments (``-f <connection file>``), as jupyter_client gives them
        after ``python -m ipykernel_launcher``.
    env : dict
        The kernel's environment (jupyter_client's, with ``JPY_PARENT_PID``).
    cwd : str
        The kernel's working folder (the notebook's).

    Notes
    -----
    As a kernel launched by ``python -m ipykernel_launcher`` has them: ``sys.path`` is a
    fresh interpreter's without the launching folder (multiprocessing gave the child the
    caller's; IPython puts the working folder back), and ``sys.argv`` reads as the launcher's.
    """
    os.environ.clear()
    os.environ.update(env)
    os.environ.update(_PRELOAD_ENVIRONMENT)
    os.chdir(cwd)
    if _FRESH_SYS_PATH is not None:
        sys.path[:] = _FRESH_SYS_PATH
    import ipykernel_launcher
    from ipykernel import kernelapp

    sys.argv = [ipykernel_launcher.__file__, *argv]
    # ipykernel reads JPY_PARENT_PID into a class default when imported, which was in the
    # server, before jupyter_client set it: given here, the kernel knows it is managed (and
    # does not print its connection details to the terminal).
    parent = [f"--IPKernelApp.parent_handle={env['JPY_PARENT_PID']}"] if env.get("JPY_PARENT_PID") else []
    try:
        kernelapp.launch_new_instance(argv=[*argv, *parent])
    finally:
        # multiprocessing ends a child with os._exit, which skips atexit: IPython saves its
        # history and removes its temporary files there.
        import atexit

        atexit._run_exitfuncs()


#: multiprocessing's child bookkeeping (``Process.start`` polls every child; a child's exit
#: code is read once from a pipe) is not thread-safe, and notebooks run in threads.
_PROCESS_LOCK = threading.Lock()


class ForkedProcess:
    """A forked kernel seen as the :class:`subprocess.Popen` that :class:`LocalProvisioner` expects.

    Parameters
    ----------
    process : multiprocessing.Process
        The started kernel process.
    """

    stdin = stdout = stderr = None  # the kernel has no pipes to the launcher

    def __init__(self, process) -> None:
        self.process = process
        self.pid = process.pid

    def poll(self) -> int | None:
        """Whether the kernel has ended.

        Returns
        -------
        int or None
            Its exit code (negative: ended by that signal), or None while it runs.
        """
        with _PROCESS_LOCK:
            return self.process.exitcode

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the kernel to end.

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait at most (default: as long as it takes).

        Returns
        -------
        int or None
            Its exit code, or None if it still runs after ``timeout``.
        """
        self.process.join(timeout)
        return self.poll()

    def send_signal(self, signum: int) -> None:
        """Signal the kernel process alone (never its group, which is the build's).

        Parameters
        ----------
        signum : int
            The signal (``signal.SIGINT`` interrupts a cell).
        """
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        """End the kernel with SIGKILL."""
        self.process.kill()

    def terminate(self) -> None:
        """Ask the kernel to end, with SIGTERM."""
        self.process.terminate()


class ForkedKernelProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, with the kernel forked from the fork server.

    A kernel command other than ``python -m ipykernel_launcher`` (another language's
    kernel) is launched the usual way.
    """

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        """Fork the kernel; jupyter_client's connection info for it.

        Parameters
        ----------
        cmd : list of str
            The kernel command jupyter_client built from the kernel spec.
        **kwargs
            ``env`` and ``cwd`` are used; the rest are :func:`subprocess.Popen`'s.

        Returns
        -------
        dict
            The connection info written by :meth:`pre_launch`.
        """
        if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
        cwd = str(kwargs.get("cwd") or os.getcwd())
        process = fork_server_context().Process(target=run_kernel, args=(cmd[3:], env, cwd), name="kernel")
        with _PROCESS_LOCK:  # may wait for the server to finish importing (each notebook has its own loop)
            process.start()
        self.process = ForkedProcess(process)
        self.pid = process.pid
        self.pgid = None  # the build's group: LocalProvisioner would signal all of it
        self.cwd = cwd
        return self.connection_info


class ForkedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel is forked (:class:`ForkedKernelProvisioner`).

    Given to nbclient as ``kernel_manager_class``; it starts, talks to, interrupts and
    shuts down the kernel as usual.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # jupyter_client makes a provisioner from the kernel spec only when none is set.
        self.provisioner = ForkedKernelProvisioner(kernel_spec=self.kernel_spec, parent=self)
