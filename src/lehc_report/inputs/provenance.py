"""Provenance for the "About this report" page: commit, build date, input hashes, versions."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

CORE_PACKAGES = ["jupyter-book", "sphinx", "myst-nb", "jupyter-cache", "numpy", "pandas", "scipy", "pingouin",
                 "statsmodels", "matplotlib", "seaborn", "pandera", "krippendorff"]


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def input_hashes(data_dir: Path, extra: list[Path] = ()) -> pd.DataFrame:
    """SHA-256 of every file in the data folder (and any extra inputs), sorted by name."""
    files = sorted(p for p in Path(data_dir).iterdir() if p.is_file()) + [Path(p) for p in extra if Path(p).exists()]
    return pd.DataFrame({"file": [p.name for p in files], "bytes": [p.stat().st_size for p in files], "sha256": [sha256(p) for p in files]})


def git_commit(root: Path) -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True).stdout.strip()
        return commit + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"


def package_versions() -> pd.DataFrame:
    rows = [("Python", platform.python_version())]
    for name in CORE_PACKAGES:
        try:
            rows.append((name, version(name)))
        except PackageNotFoundError:
            rows.append((name, "not installed"))
    return pd.DataFrame(rows, columns=["package", "version"])


def build_date() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
