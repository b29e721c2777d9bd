"""Notebooks are thin, output-free MyST text notebooks that call the package."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.md"))


def code_cells(path: Path) -> list[str]:
    return re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_every_toc_notebook_exists():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert {f"notebooks/{p.stem}" for p in NOTEBOOKS} <= set(files)


def test_no_ipynb_with_outputs_is_committed():
    assert not list((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_cells_are_short_and_call_the_package(path):
    cells = code_cells(path)
    assert cells, "a notebook with no code"
    assert any("lehc_report" in c for c in cells)
    for cell in cells:
        lines = [l for l in cell.splitlines() if l.strip() and not l.startswith(":tags:")]
        assert len(lines) <= 15, f"{path.name}: a cell of {len(lines)} lines belongs in the package"
        assert not re.search(r"^\s*(def|class) ", cell, flags=re.M), f"{path.name}: define functions in the package"
