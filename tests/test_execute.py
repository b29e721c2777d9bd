"""Notebook execution: several notebooks started at once must not share kernel sockets,
every output reaches the cache under load, and a failure is one line."""

import json
import os
import re
import subprocess
import sys
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


def test_an_input_error_is_reported_once_per_build(tmp_path):
    from lehc_report.tools.execute import first_report

    assert first_report(tmp_path, "data: is not a folder") is True
    assert first_report(tmp_path, "data: is not a folder") is False  # the second notebook stays quiet
    assert first_report(tmp_path, "framework.yml, row 20, column 'id': repeated") is True


def test_each_make_is_a_build_of_its_own(tmp_path):
    """Two make runs from one shell (one process group) are two builds: the second reports too."""
    makefile = tmp_path / "Makefile"
    makefile.write_text(f"all:\n\t{sys.executable} -c 'from lehc_report.tools.execute import build_id; "
                        "print(build_id())' && true\n", encoding="utf-8")
    ids = [subprocess.run(["make", "-s", "-f", str(makefile)], capture_output=True, text=True, check=True).stdout
           for _ in range(2)]
    assert all(i.startswith("make:") for i in ids) and ids[0] != ids[1], ids
