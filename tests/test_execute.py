"""Notebook execution: several notebooks started at once must not share kernel sockets,
every output reaches the cache under load, a failure is one line, only what is out of
date runs, and a forked kernel is like one jupyter_client launches."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from jupyter_cache import get_cache

from lehc_report.tools.execute import execute_into_cache, unix_socket_kernels

TOP_MATTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

# The cell reports the transport and connection file of the kernel it runs in.
CELL = """
```{code-cell} ipython3
import json, ipykernel.connect
info = ipykernel.connect.get_connection_info(unpack=True)
print(json.dumps({"transport": info["transport"], "ip": info["ip"], "tag": TAG}))
```
"""


def write_notebook(folder: Path, tag: int) -> Path:
    path = folder / f"probe_{tag}.md"
    path.write_text(TOP_MATTER + f"\n```{{code-cell}} ipython3\nTAG = {tag}\n```\n" + CELL, encoding="utf-8")
    return path


def test_unix_socket_config_uses_a_private_folder_and_removes_it():
    with unix_socket_kernels() as config:
        folder = Path(config.KernelManager.connection_file).parent
        assert config.KernelManager.transport == "ipc"
        assert folder.is_dir() and len(str(folder / "kernel-ipc-12345")) < 100
    assert not folder.exists()


def test_concurrent_notebooks_each_get_their_own_unix_socket_kernel(tmp_path):
    paths = [write_notebook(tmp_path, tag) for tag in range(4)]
    cache_path = tmp_path / "cache"
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda p: execute_into_cache(p, cache_path, timeout=120), paths))
    cache = get_cache(str(cache_path))
    reports = []
    for record in cache.list_cache_records():
        notebook = cache.get_cache_bundle(record.pk).nb
        text = notebook.cells[-1].outputs[0]["text"]
        reports.append(json.loads(text))
    assert sorted(r["tag"] for r in reports) == [0, 1, 2, 3]
    assert {r["transport"] for r in reports} == {"ipc"}
    assert len({r["ip"] for r in reports}) == 4  # four kernels, four socket folders


# ---- every output, under load ---------------------------------------------------------------

from lehc_report.tools.execute import IOPUB_TIMEOUT, client_options  # noqa: E402

#: Cells that print, display and glue, like the analysis notebooks (notebook 3's lost
#: line was a print at the end of a cell).
PROBE_CELLS = "".join(
    f"\n```{{code-cell}} ipython3\nimport pandas as pd\nfor i in range(20):\n    print('cell {n} line', i)\n"
    f"pd.DataFrame({{'a': [{n}, 2], 'b': ['x', 'y']}})\n```\n"
    for n in range(12)
)


def test_outputs_are_waited_for_until_the_kernel_is_idle():
    """nbclient's defaults (4 s, then drop the outputs silently) lost a printed line under load."""
    options = client_options(timeout=600)
    assert options["raise_on_iopub_timeout"] is True
    assert options["iopub_timeout"] == IOPUB_TIMEOUT >= 120
    assert options["timeout"] == 600


def _outputs(cache_path: Path, notebook: Path) -> list:
    cache = get_cache(str(cache_path))
    record = next(r for r in cache.list_cache_records() if r.uri == str(notebook.resolve()))
    return [cell.get("outputs", []) for cell in cache.get_cache_bundle(record.pk).nb.cells]


@pytest.mark.slow
def test_every_output_is_cached_with_the_machine_loaded(tmp_path):
    """The probe notebook's outputs are the same with two CPU burners running as on a quiet run."""
    notebook = tmp_path / "probe.md"
    notebook.write_text(TOP_MATTER + PROBE_CELLS, encoding="utf-8")
    execute_into_cache(notebook, tmp_path / "quiet", timeout=300)
    quiet = _outputs(tmp_path / "quiet", notebook)
    assert sum(len(o) for o in quiet) == 24  # a stream and a table per cell
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        for run in range(3):
            execute_into_cache(notebook, tmp_path / f"loaded{run}", timeout=300)
            assert _outputs(tmp_path / f"loaded{run}", notebook) == quiet, f"loaded run {run} lost output"
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


# ---- one clear line for every failure -------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def screen_lines(tmp_path: Path, data: Path) -> list[str]:
    """What ``make book`` prints for a failing build, minus Make's own lines and the echoed recipes."""
    # Run as a top-level make (the suite itself may run under `make test-full`).
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKE_TERMOUT", "MAKE_TERMERR")}
    result = subprocess.run(
        ["make", "book", f"DATA={data}", f"BUILD={tmp_path / 'build'}", f"VENV={ROOT / '.venv'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=900, env=env,
    )
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).splitlines()
    # Make's own bookkeeping ("make[2]: *** [...] Error 1", directory and jobserver notes) and
    # the echoed recipes are not messages of the project's.
    make_own = re.compile(r"^make(\[\d+\])?: (\*\*\*|Entering directory|Leaving directory|warning: jobserver)")
    return [line for line in lines if line.strip() and not make_own.match(line)
            and not line.startswith((".venv/", str(ROOT), 'cd "'))
            and "lehc_report.tools.execute" not in line and not line.startswith("executed ")]


@pytest.mark.slow
def test_a_missing_data_folder_is_one_line_though_two_notebooks_fail(tmp_path):
    """01_clean and 05_about both read the folder and run in parallel: one line, no traceback."""
    lines = screen_lines(tmp_path, tmp_path / "missing-folder")
    assert lines == [
        f"make: notebook 01_clean.md failed: missing-folder: is not a folder; point DATA (LEHC_DATA) at the "
        f"cohort's data folder [{tmp_path / 'missing-folder'}]"
    ] or lines == [lines[0].replace("01_clean", "05_about")], lines


@pytest.mark.slow
def test_a_repeated_behaviour_id_is_one_line_naming_file_row_and_column(tmp_path):
    data = tmp_path / "cohort"
    subprocess.run(["cp", "-r", str(ROOT / "data"), str(data)], check=True)
    framework = data / "framework.yml"
    framework.write_text(framework.read_text(encoding="utf-8").replace("{id: SI02,", "{id: SI01,"), encoding="utf-8")
    lines = screen_lines(tmp_path, data)
    assert lines == [
        "make: notebook 01_clean.md failed: framework.yml, row 20, column 'id': behaviour ID 'SI01' is used twice; "
        f"give each behaviour its own ID [{framework}]"
    ], lines


# ---- what runs, and in what order ------------------------------------------------------------

from lehc_report.tools.execute import (  # noqa: E402
    BatchResult, NotebookFailed, execute_notebooks, failure_lines, out_of_date, parse_needs,
)


def _stamp(stamps: Path, name: str, inputs_at: int, done_at: int | None) -> None:
    stamps.mkdir(parents=True, exist_ok=True)
    (stamps / f"{name}.inputs").touch()
    os.utime(stamps / f"{name}.inputs", ns=(inputs_at, inputs_at))
    if done_at is not None:
        (stamps / f"{name}.done").touch()
        os.utime(stamps / f"{name}.done", ns=(done_at, done_at))


def test_out_of_date_is_a_newer_fingerprint_or_no_stamp_and_everything_that_needs_it(tmp_path):
    needs = parse_needs(["b=a", "c=b", "d=a"])
    assert needs == {"b": ["a"], "c": ["b"], "d": ["a"]}
    names = ["a", "b", "c", "d", "e"]
    for name in names:
        _stamp(tmp_path, name, inputs_at=1_000, done_at=2_000)
    assert out_of_date(names, tmp_path, needs) == []
    _stamp(tmp_path, "b", inputs_at=3_000, done_at=2_000)  # b's inputs changed: b and c (needs b)
    assert out_of_date(names, tmp_path, needs) == ["b", "c"]
    (tmp_path / "a.done").unlink()  # a never ran here: all but e
    assert out_of_date(names, tmp_path, needs) == ["a", "b", "c", "d"]


def test_parse_needs_refuses_a_pair_without_its_other_half():
    with pytest.raises(SystemExit, match="NAME=NEEDED pairs, not 'b='"):
        parse_needs(["b="])


def test_an_input_error_met_by_two_notebooks_is_said_once_and_a_fault_shows_its_traceback():
    said = "framework.yml, row 20, column 'id': behaviour ID 'SI01' is used twice"
    result = BatchResult({}, {
        "01_clean": NotebookFailed("01_clean.md", f"make: notebook 01_clean.md failed: {said}", said, True, "tb1"),
        "05_about": NotebookFailed("05_about.md", f"make: notebook 05_about.md failed: {said}", said, True, "tb5"),
        "02_quant": NotebookFailed("02_quant.md", "make: notebook 02_quant.md failed: KeyError: 'x' (traceback in logs)",
                                   "'x'", False, "Traceback: KeyError"),
    }, [])
    assert failure_lines(result) == [
        f"make: notebook 01_clean.md failed: {said}",
        "\nNotebook 02_quant.md failed; traceback:\nTraceback: KeyError",
        "make: notebook 02_quant.md failed: KeyError: 'x' (traceback in logs)",
    ]


def _cell_notebook(folder: Path, name: str, code: str) -> Path:
    path = folder / f"{name}.md"
    path.write_text(TOP_MATTER + f"\n```{{code-cell}} ipython3\n{code}\n```\n", encoding="utf-8")
    return path


def test_notebooks_run_after_what_they_need_and_a_failure_skips_what_needs_it(tmp_path):
    """a writes a file b reads; c fails and d, which needs c, is not run; only a and b get stamps."""
    shared = tmp_path / "shared.txt"
    notebooks = [
        _cell_notebook(tmp_path, "b", f"print(open({str(shared)!r}).read())"),
        _cell_notebook(tmp_path, "a", f"import time; time.sleep(1); open({str(shared)!r}, 'w').write('from a')"),
        _cell_notebook(tmp_path, "c", "raise ValueError('c broke')"),
        _cell_notebook(tmp_path, "d", "print('d ran')"),
    ]
    stamps, cache = tmp_path / "stamps", tmp_path / "cache"
    lines = []
    result = execute_notebooks(notebooks, cache, stamps, {"b": ["a"], "d": ["c"]}, jobs=2, timeout=120, report=lines.append)
    assert sorted(result.seconds) == ["a", "b"]
    assert list(result.failed) == ["c"] and "ValueError: c broke" in result.failed["c"].line
    assert result.skipped == ["d"]
    assert sorted(p.name for p in stamps.glob("*.done")) == ["a.done", "b.done"]
    assert _outputs(cache, notebooks[0])[0][0]["text"] == "from a\n"
    assert [line.split(" in ")[0] for line in lines] == [f"executed {notebooks[1]}", f"executed {notebooks[0]}"]
    # Run again: a and b are up to date, c and d still have no stamp.
    again = execute_notebooks(notebooks, cache, stamps, {"b": ["a"], "d": ["c"]}, jobs=2, timeout=120, report=lines.append)
    assert sorted(again.failed) == ["c"] and again.skipped == ["d"] and again.seconds == {}


# ---- a forked kernel is like one jupyter_client launches --------------------------------------

#: What a notebook can see of its kernel's process, beyond its own code: display and
#: plotting defaults, import path, warnings, environment, and what is already imported.
PROBE_KERNEL = """
import json, os, sys, warnings
executor_modules = sorted(m for m in ("jupyter_cache", "sqlalchemy", "myst_parser") if m in sys.modules)
import importlib
from lehc_report.tools.forked_kernels import KERNEL_PRELOAD
for name in KERNEL_PRELOAD:  # as the notebooks do; the import side effects are then the same
    importlib.import_module(name)
import matplotlib, pandas as pd
state = {
    "pandas": {key: repr(pd.get_option(key)) for key in (
        "display.max_columns", "display.max_rows", "display.width", "display.max_colwidth",
        "display.precision", "display.html.table_schema", "display.notebook_repr_html", "styler.render.max_columns")},
    "backend": matplotlib.get_backend(),
    "rcparams": sorted((k, repr(v)) for k, v in matplotlib.rcParams.items()),
    "sys_path": sys.path,
    "cwd": os.getcwd(),
    "warnings": [repr(f) for f in warnings.filters],
    "env": {k: v for k, v in os.environ.items() if not k.startswith("JPY_")},
    "shell": type(get_ipython()).__name__,
    "argv0": os.path.basename(sys.argv[0]),
    "pgid": os.getpgid(0),
    "executor_modules": executor_modules,
}
print(json.dumps(state))
"""


def test_a_forked_kernel_shows_a_notebook_what_a_launched_kernel_does(tmp_path):
    """The same probe, which imports what the notebooks import, in a kernel forked from the server
    and in one jupyter_client launches as usual: display defaults (pandas chose them at import, in
    the server), matplotlib's backend and settings, sys.path, warnings filters, environment.  The forked kernel stays in the executor's process
    group (so ``kill -9`` of the build's group ends it) and imports nothing of the executor's."""
    from nbclient import NotebookClient

    notebook = _cell_notebook(tmp_path, "probe", PROBE_KERNEL)
    execute_into_cache(notebook, tmp_path / "cache", timeout=120)
    forked = json.loads(_outputs(tmp_path / "cache", notebook)[0][0]["text"])

    from lehc_report.tools.execute import read_notebook

    launched_nb, _ = read_notebook(notebook)
    with unix_socket_kernels() as config:
        NotebookClient(launched_nb, timeout=120, config=config, resources={"metadata": {"path": str(tmp_path)}}).execute()
    launched = json.loads(launched_nb.cells[0].outputs[0]["text"])

    assert forked["pgid"] == os.getpgid(0) and launched["pgid"] != os.getpgid(0)
    assert forked["executor_modules"] == []
    for key in ("pandas", "backend", "rcparams", "sys_path", "cwd", "env", "shell", "argv0"):
        assert forked[key] == launched[key], key
    # The same filters; their order differs (the libraries' were added before the kernel's, not
    # after), which matters only where two filters match one warning: none of these do.
    assert sorted(forked["warnings"]) == sorted(launched["warnings"])
    assert forked["pandas"]["display.max_columns"] == "20"  # a kernel's default, not a terminal's (0)


def test_every_module_the_notebooks_import_is_imported_by_the_fork_server():
    """A module a notebook imports that the server did not would be imported again by each kernel."""
    modules = set()
    for notebook in sorted((ROOT / "notebooks").glob("*.md")):
        for line in notebook.read_text(encoding="utf-8").splitlines():
            if match := re.match(r"\s*from\s+([\w.]+)\s+import\s+([\w, ]+)", line):
                # "from package import module" imports package.module
                modules |= {match.group(1)} | {f"{match.group(1)}.{n.strip()}" for n in match.group(2).split(",")}
            elif match := re.match(r"\s*import\s+([\w.]+)", line):
                modules.add(match.group(1))
    assert {"lehc_report.stages.quant", "lehc_report.inputs.provenance", "IPython.display"} <= modules
    code = ("import importlib.util, sys\nimport lehc_report.tools.kernel_preload\n"
            "def is_module(name):\n    try:\n        return importlib.util.find_spec(name) is not None\n"
            "    except ModuleNotFoundError:\n        return False  # a name inside a module, not a module\n"
            f"print(sorted(m for m in {sorted(modules)!r} if m not in sys.modules and is_module(m)))")
    missing = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert missing == "[]", f"imported by a notebook but not preloaded (add to KERNEL_PRELOAD): {missing}"


def test_the_command_runs_what_is_out_of_date_and_leaves_no_temporary(tmp_path):
    """``python -m lehc_report.tools.execute`` as Make runs it: the notebook runs once, the second
    call finds it up to date, and the private temporary folders (kernel sockets, the fork
    server's) are gone afterwards, with nothing on stderr."""
    notebook = _cell_notebook(tmp_path, "one", "print('ran')")
    stamps = tmp_path / "stamps"
    stamps.mkdir()
    (stamps / "one.inputs").touch()
    # A short temporary folder of the test's own (a Unix socket path has ~100 bytes).
    short = Path(tempfile.mkdtemp(prefix="lx", dir="/tmp"))
    env = dict(os.environ, TMPDIR=str(short))
    command = [sys.executable, "-m", "lehc_report.tools.execute", str(notebook), "--cache", str(tmp_path / "cache"),
               "--stamps", str(stamps)]
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 0 and first.stderr == "", first.stderr
    assert first.stdout.startswith(f"executed {notebook} in ")
    second = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert second.returncode == 0 and second.stdout == "" and second.stderr == ""
    try:
        assert [p.name for p in short.rglob("*")] == [f"lehc-kernels-{os.getuid()}"]
    finally:
        shutil.rmtree(short)


def test_a_long_temp_dir_runs_notebooks_with_sockets_in_tmp(tmp_path):
    """macOS's per-user TMPDIR (~50 bytes) once left no room for the fork server's socket
    ("AF_UNIX path too long"); the sockets folder then goes to /tmp."""
    notebook = _cell_notebook(tmp_path, "one", "print('ran')")
    stamps = tmp_path / "stamps"
    stamps.mkdir()
    (stamps / "one.inputs").touch()
    long_temp = tmp_path / ("long-temporary-folder-" * 4)
    long_temp.mkdir()
    command = [sys.executable, "-m", "lehc_report.tools.execute", str(notebook), "--cache", str(tmp_path / "cache"),
               "--stamps", str(stamps)]
    done = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, TMPDIR=str(long_temp)),
                          timeout=300)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.startswith(f"executed {notebook} in ")
    assert list(long_temp.iterdir()) == []


from lehc_report.tools.forked_kernels import LONGEST_SOCKET_TAIL, SOCKET_PATH_MAX, kernel_sockets_folder  # noqa: E402


@pytest.fixture
def short_tmp():
    """A temporary folder with a short path (pytest's tmp_path leaves no room for a socket)."""
    folder = Path(tempfile.mkdtemp(prefix="ks", dir="/tmp"))
    yield folder
    shutil.rmtree(folder)


def test_the_sockets_folder_is_the_first_short_enough_and_private(short_tmp):
    room = SOCKET_PATH_MAX - len(LONGEST_SOCKET_TAIL) - len(f"/lehc-kernels-{os.getuid()}")
    short = short_tmp
    assert len(str(short)) <= room
    too_long = short / ("x" * (room - len(str(short))))  # one byte over once the name is added
    too_long.mkdir()
    fits = short / ("y" * (room - len(str(short)) - 1))
    fits.mkdir()
    assert len(str(fits / f"lehc-kernels-{os.getuid()}")) + len(LONGEST_SOCKET_TAIL) == SOCKET_PATH_MAX
    folder = kernel_sockets_folder([str(too_long), str(fits)])
    assert folder == fits / f"lehc-kernels-{os.getuid()}"
    assert oct(folder.stat().st_mode & 0o777) == "0o700" and not (too_long / folder.name).exists()
    with pytest.raises(SystemExit, match=rf"^notebooks: the temporary folder {re.escape(str(too_long))} is too long "
                                         rf"for the kernels' sockets \(a socket path has at most 103 bytes\); "
                                         "set TMPDIR to a shorter folder$"):
        kernel_sockets_folder([str(too_long)])


def test_a_sockets_folder_open_to_others_is_closed_and_a_foreign_or_linked_one_refused(short_tmp, monkeypatch):
    name = f"lehc-kernels-{os.getuid()}"
    (short_tmp / "open" / name).mkdir(parents=True, mode=0o777)
    os.chmod(short_tmp / "open" / name, 0o777)
    assert kernel_sockets_folder([str(short_tmp / "open")]).stat().st_mode & 0o777 == 0o700
    (short_tmp / "linked").mkdir()
    (short_tmp / "linked" / name).symlink_to(short_tmp / "open" / name)
    with pytest.raises(SystemExit, match=r"is not a folder \(a symbolic link or a file\); kernels' sockets must be"):
        kernel_sockets_folder([str(short_tmp / "linked")])
    monkeypatch.setattr(os, "getuid", lambda: 424242)  # the folder below then belongs to someone else
    (short_tmp / "shared" / "lehc-kernels-424242").mkdir(parents=True)
    with pytest.raises(SystemExit, match=rf"^notebooks: {re.escape(str(short_tmp))}/shared/lehc-kernels-424242 "
                                         rf"belongs to another user \(uid \d+\); kernels' sockets must be in a "
                                         "private folder: remove it or set TMPDIR to a folder of your own$"):
        kernel_sockets_folder([str(short_tmp / "shared")])
