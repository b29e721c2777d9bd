"""Notebook execution: several notebooks started at once must not share kernel sockets."""

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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
