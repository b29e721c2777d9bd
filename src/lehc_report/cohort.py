"""Cohort settings: what the report says about the programme besides the ratings.

``cohort.yml`` in the data folder (optional) holds facts that are not in the
exports, e.g. how many people attended the course, which the attrition caveat needs.
"""

from __future__ import annotations

from pathlib import Path

import yaml

DEFAULTS = {
    "programme": "Leadership for Empowered and Healthy Communities",
    "client": "",
    "report_date": "",
    "attended": None,  # people who attended the course, where known
}


def load_cohort(data_dir: Path) -> dict:
    path = Path(data_dir) / "cohort.yml"
    settings = dict(DEFAULTS)
    if path.exists():
        settings.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return settings


def framework_file(data_dir: Path, root: Path) -> Path:
    """A cohort may bring its own framework.yml; otherwise the project's is used."""
    own = Path(data_dir) / "framework.yml"
    return own if own.exists() else Path(root) / "data" / "framework.yml"
