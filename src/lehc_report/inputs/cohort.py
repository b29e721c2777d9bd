"""Cohort settings: what the report says about the programme besides the ratings.

``cohort.yml`` in the data folder (optional) holds facts that are not in the
exports, e.g. how many people attended the course, which the attrition caveat needs.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from lehc_report.errors import DataError

DEFAULTS = {
    "programme": "Leadership for Empowered and Healthy Communities",
    "client": "",
    "report_date": "",
    "attended": None,  # people who attended the course, where known
    "synthetic": False,  # true only for the project's own generated data
    "compare_with_published": False,  # set the results beside the 2013 Appendix 3
}

#: Keys whose value must be a whole number (or absent), and keys that must be true/false.
WHOLE_NUMBER_KEYS = ("attended", "attended_professionals", "attended_uses_services")
YES_NO_KEYS = ("synthetic", "compare_with_published")


def load_cohort(data_dir: Path) -> dict:
    path = Path(data_dir) / "cohort.yml"
    settings = dict(DEFAULTS)
    if path.exists():

        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(spec, dict):
            raise DataError(path, "must be a list of 'key: value' lines (see data/README.md)")
        for key in WHOLE_NUMBER_KEYS:
            value = spec.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise DataError(path, f"key {key!r} is {value!r}; give a whole number of people, or leave it out if not known")
        for key in YES_NO_KEYS:
            if key in spec and not isinstance(spec[key], bool):
                raise DataError(path, f"key {key!r} is {spec[key]!r}; write true or false")
        settings.update(spec)
    return settings


def check_attendance(data_dir: Path, settings: dict, n_participants: int) -> None:
    """More people rated themselves than attended: one of the two is wrong."""
    attended = settings.get("attended")
    if attended is not None and attended < n_participants:

        raise DataError(Path(data_dir) / "cohort.yml", f"key 'attended' is {attended}, but {n_participants} participants "
                        "completed a self-assessment; correct 'attended' (or leave it out if not known)")


def framework_file(data_dir: Path, root: Path) -> Path:
    """A cohort may bring its own framework.yml; otherwise the project's is used.

    Parameters
    ----------
    data_dir : Path
        The cohort's data folder.
    root : Path
        The project root.

    Returns
    -------
    Path
        The framework file to read, by the one fallback rule (``inputs.folder.FALLBACK``).
    """
    from lehc_report.inputs.folder import DataFolder

    return DataFolder(Path(data_dir), Path(root)).resolve("framework.yml")
