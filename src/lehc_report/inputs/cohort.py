"""Cohort settings: what the report says about the programme besides the ratings.

``cohort.yml`` in the data folder (optional) holds facts that are not in the
exports, e.g. how many people attended the course, which the attrition caveat needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    """The cohort's settings from ``cohort.yml``, over :data:`DEFAULTS`.

    Parameters
    ----------
    data_dir : Path

    Returns
    -------
    dict
        ``programme``, ``client``, ``report_date``, ``attended``, ... and any
        ``linking`` and ``events`` as written (checked by :func:`load_linking`).

    Raises
    ------
    DataError
        Not a mapping, a count that is not a whole number, a yes/no key that is not
        true or false, or a bad ``linking`` or ``events``.
    """
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
        load_linking(data_dir)  # refuse a bad 'linking' here too, whoever reads the file first
        settings.update(spec)
    return settings


LINKING_RULES = ("code", "self_generated_code", "none")
LINKING_KEYS = ("by", "column", "max_edits")
#: What every refusal about linking tells the evaluator to write (data/README.md, "Linking the waves").
HOW_TO_DECLARE = ("declare in cohort.yml how the waves are linked: 'linking: {by: code, column: <the question holding "
                  "each person's own code>}', or 'linking: {by: self_generated_code, column: ..., max_edits: 1}' for codes "
                  "people make up from a rule, or 'linking: {by: none}' to compare the waves as independent samples "
                  "(see data/README.md, 'Linking the waves')")


@dataclass(frozen=True)
class Linking:
    """How the waves of the self-assessment are linked person to person (``cohort.yml``).

    Attributes
    ----------
    by : str or None
        ``code``, ``self_generated_code``, ``none``, or None when ``cohort.yml`` declares
        no ``linking`` (then the layout's default applies: ``participant_id`` for the
        contract layout, ``record_id`` for REDCap; any other tool is refused).
    column : str or None
        The export's column holding the code (its header or question text).
    max_edits : int
        ``self_generated_code`` only: the largest edit distance accepted as the same person.
    events : dict[str, str]
        REDCap only: event name -> wave ID.
    """

    by: str | None = None
    column: str | None = None
    max_edits: int = 0
    events: dict[str, str] = field(default_factory=dict)


def load_linking(data_dir: Path) -> Linking:
    """Read and check the ``linking`` and ``events`` keys of the cohort's ``cohort.yml``.

    Parameters
    ----------
    data_dir : Path
        The cohort's data folder (``cohort.yml`` is optional).

    Returns
    -------
    Linking
        As declared; ``Linking()`` (no rule declared) without the file or the key.

    Raises
    ------
    DataError
        ``linking`` is not a mapping, has an unknown key, an unknown ``by``, no
        ``column`` for a code rule, a ``column`` with ``by: none``, a ``max_edits`` that
        is not a whole number 0..3 or is given for exact codes; ``events`` is not a
        mapping of event names to wave IDs.
    """
    path = Path(data_dir) / "cohort.yml"
    if not path.exists():
        return Linking()
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(spec, dict):
        raise DataError(path, "must be a list of 'key: value' lines (see data/README.md)")
    linking, events = spec.get("linking"), spec.get("events")
    result: dict = {}
    if linking is not None:
        if not isinstance(linking, dict):
            raise DataError(path, f"'linking' is {linking!r}; {HOW_TO_DECLARE}", column="linking")
        unknown = [k for k in linking if k not in LINKING_KEYS]
        if unknown:
            raise DataError(path, f"unknown key {unknown[0]!r} under 'linking' (known: {', '.join(LINKING_KEYS)}); remove or correct it", column=f"linking.{unknown[0]}")
        by = linking.get("by")
        if by not in LINKING_RULES:
            raise DataError(path, f"'linking: by' is {by!r}; write one of {', '.join(LINKING_RULES)}", column="linking.by")
        column = linking.get("column")
        if by != "none" and (not isinstance(column, str) or not column.strip()):
            raise DataError(path, f"'linking: by: {by}' needs 'column': the header (or question text) of the export's column holding the code; add it", column="linking.column")
        if by == "none" and column is not None:
            raise DataError(path, "'linking: by: none' links nobody, so it takes no 'column'; remove 'column', or choose 'by: code'", column="linking.column")
        max_edits = linking.get("max_edits", 1 if by == "self_generated_code" else 0)
        if by != "self_generated_code" and "max_edits" in linking:
            raise DataError(path, f"'max_edits' applies only to 'by: self_generated_code' (here 'by: {by}'); remove it", column="linking.max_edits")
        if isinstance(max_edits, bool) or not isinstance(max_edits, int) or not 0 <= max_edits <= 3:
            raise DataError(path, f"'linking: max_edits' is {max_edits!r}; give a whole number from 0 to 3 (1 is usual: one typing slip)", column="linking.max_edits")
        result = {"by": by, "column": column.strip() if isinstance(column, str) else None, "max_edits": max_edits}
    if events is not None:
        if not isinstance(events, dict) or not events or not all(isinstance(k, str) and isinstance(v, str) for k, v in events.items()):
            raise DataError(path, f"'events' is {events!r}; write one 'event_name: wave' line per REDCap event, e.g. 'pre_course_arm_1: start'", column="events")
        result["events"] = {k.strip(): v.strip() for k, v in events.items()}
    return Linking(**result)


def check_attendance(data_dir: Path, settings: dict, n_participants: int) -> None:
    """More people rated themselves than attended: one of the two is wrong.

    Parameters
    ----------
    data_dir : Path
    settings : dict
        From :func:`load_cohort`.
    n_participants : int
        People with a self-assessment in any wave.

    Raises
    ------
    DataError
        ``attended`` is below ``n_participants``.
    """
    attended = settings.get("attended")
    if attended is not None and attended < n_participants:

        raise DataError(Path(data_dir) / "cohort.yml", f"key 'attended' is {attended}, but {n_participants} participants "
                        "completed a self-assessment; correct 'attended' (or leave it out if not known)")


def framework_file(data_dir: Path, root: Path) -> Path:
    """A cohort may bring its own framework.yml; otherwise the project's is used.

    Parameters
    ----------
    data_dir, root : Path
        The cohort's data folder and the project root.

    Returns
    -------
    Path
        The framework file to read, by the one fallback rule (``inputs.folder.FALLBACK``).
    """
    from lehc_report.inputs.folder import DataFolder  # folder imports this module's readers

    return DataFolder(Path(data_dir), Path(root)).resolve("framework.yml")
