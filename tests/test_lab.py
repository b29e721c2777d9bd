"""`make lab`, headless: the server answers, its contents API returns every MyST
notebook as a notebook with its cells (jupytext), a save without edits changes no
byte of the file, and the project's JupyterLab settings open the notebooks in the
notebook editor by double-click."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

import jupytext
import pytest

from conftest import ROOT

pytestmark = [pytest.mark.slow]

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.md"))
START_TIMEOUT = 180  # seconds: make checks what is out of date, then the server starts


class Server(NamedTuple):
    base: str
    token: str
    group: int  # process group of `make lab` and the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """`make lab` on a free port: yields a :class:`Server`; stops the server after."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("lab") / "lab.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_PORT={port}"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as one below
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        url = None
        while time.monotonic() < deadline and process.poll() is None:
            found = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=([0-9a-f]+)", log_path.read_text())
            if found:
                url = Server(f"http://127.0.0.1:{port}", found.group(1), process.pid)
                try:
                    request(url, "GET", "/api/status")
                    break
                except OSError:
                    pass
            time.sleep(0.5)
        else:
            pytest.fail(f"make lab did not answer within {START_TIMEOUT} s:\n{log_path.read_text()[-3000:]}")
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def request(server, method: str, path: str, body: dict | None = None) -> dict:
    base, token = server.base, server.token
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        f"{base}{path}",
        data=data,
        method=method,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as response:
        return json.loads(response.read() or b"null")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_opens_as_notebook_and_saves_unchanged(lab_server, notebook):
    before, stat = notebook.read_bytes(), notebook.stat()
    relative = notebook.relative_to(ROOT).as_posix()
    model = request(lab_server, "GET", f"/api/contents/{relative}?type=notebook&content=1")
    assert model["type"] == "notebook" and model["format"] == "json"
    cells = model["content"]["cells"]
    # The same cells the build reads (jupytext's own reading of the file, independently).
    expected = jupytext.read(notebook)
    assert [(c["cell_type"], c["source"]) for c in cells] == [(c.cell_type, c.source) for c in expected.cells]
    assert any(c["cell_type"] == "code" for c in cells)
    assert model["content"]["metadata"]["kernelspec"]["name"] == "python3"
    saved = request(lab_server, "PUT", f"/api/contents/{relative}", {"type": "notebook", "format": "json", "content": model["content"]})
    assert saved["type"] == "notebook"
    after = notebook.read_bytes()
    # A save touches the file: put its time back so this test does not make the
    # notebook (and all that depends on it) out of date for the next `make book`.
    os.utime(notebook, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert after == before, f"{relative}: saving without edits changed the file"


def test_lab_opens_myst_notebooks_in_the_notebook_editor(lab_server):
    settings = request(lab_server, "GET", "/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    viewers = settings["schema"]["properties"]["defaultViewers"]["default"]
    assert viewers["markdown"] == "Jupytext Notebook"


def test_kernel_gets_the_build_environment(lab_server):
    specs = request(lab_server, "GET", "/api/kernelspecs")
    assert specs["default"] == "python3" and "python3" in specs["kernelspecs"]
    # Kernels inherit the server's environment: it must be the one the build gives notebook runs.
    environment = server_environment(lab_server.group)
    # The Makefile exports them as given (relative to the project); lehc_report.paths resolves them.
    assert (ROOT / environment["LEHC_DATA"]).resolve() == (ROOT / "data").resolve()
    assert (ROOT / environment["LEHC_BUILD"]).resolve() == (ROOT / "_build").resolve()
    assert environment["MPLBACKEND"] == "Agg" and environment["PYTHONHASHSEED"] == "0"
    assert environment["JUPYTER_CONFIG_DIR"] == str(ROOT / ".jupyter")
    assert environment["PATH"].split(os.pathsep)[0] == str(ROOT / ".venv" / "bin")


def server_environment(group: int) -> dict[str, str]:
    """The environment of the jupyter-lab process in process group ``group``."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            if int(stat.rsplit(")", 1)[1].split()[2]) == group and any(b"jupyter-lab" in part for part in cmdline):
                entries = (proc / "environ").read_bytes().split(b"\0")
                return dict(e.decode().split("=", 1) for e in entries if b"=" in e)
        except (OSError, ValueError, IndexError):
            continue
    pytest.fail("no jupyter-lab process in the server's process group")


def test_notebook_files_are_jupytext_normalised():
    """Opening and saving rewrites a file unless it is already in jupytext's own form."""
    for notebook in NOTEBOOKS:
        text = notebook.read_text(encoding="utf-8")
        config = jupytext.config.load_jupytext_config(str(notebook))
        round_trip = jupytext.writes(jupytext.reads(text, fmt="md:myst"), fmt="md:myst", config=config)
        assert round_trip == text, f"{notebook.name}: run `jupytext --to myst {notebook}` and commit it"


def test_notebook_run_in_lab_shows_what_the_build_shows(lab_server):
    """Notebook 02 run cell by cell in a kernel the server starts (as a double-click and
    Run All would) shows the outputs the build stored in its execution cache."""
    from jupyter_cache import get_cache
    from jupyter_client import BlockingKernelClient
    from jupyter_core.paths import jupyter_runtime_dir

    notebook = ROOT / "notebooks" / "02_quant.md"
    cache = get_cache(str(ROOT / "_build" / ".jupyter_cache"))
    record = next(r for r in cache.list_cache_records() if Path(r.uri) == notebook)
    built = cache.get_cache_bundle(record.pk).nb
    session = request(
        lab_server, "POST", "/api/sessions",
        {"path": "notebooks/02_quant.md", "type": "notebook", "name": "", "kernel": {"name": "python3"}},
    )
    kernel_id = session["kernel"]["id"]
    try:
        client = BlockingKernelClient(connection_file=str(Path(jupyter_runtime_dir()) / f"kernel-{kernel_id}.json"))
        client.load_connection_file()
        client.start_channels()
        client.wait_for_ready(timeout=120)
        for cell in (c for c in built.cells if c.cell_type == "code"):
            shown = run_cell(client, cell.source)
            # Glued values, tables, the text the build shows: every output's every format.
            expected = [dict(o["data"]) for o in cell.outputs if o.get("output_type") in ("execute_result", "display_data")]
            assert expected, "the build's notebook has no outputs to compare with"
            assert shown == expected, f"cell {cell.source[:60]!r} shows other output than the build"
        client.stop_channels()
    finally:
        request(lab_server, "DELETE", f"/api/sessions/{session['id']}")


def run_cell(client, source: str) -> list[dict]:
    """Execute ``source``; the data of its display and result outputs, in order."""
    message_id = client.execute(source)
    shown = []
    while True:
        message = client.get_iopub_msg(timeout=300)
        if message["parent_header"].get("msg_id") != message_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind in ("execute_result", "display_data"):
            shown.append(content["data"])
        elif kind == "error":
            pytest.fail(f"{content['ename']}: {content['evalue']}")
        elif kind == "status" and content["execution_state"] == "idle":
            return shown
