"""Cohort settings: what the report says about the programme besides the ratings.

``cohort.yml`` in the data folder (optional) holds facts that are not in the
exports, e.g. how many people attended the course, which the attrition caveat needs,
and the cohort's identity (:class:`CohortIdentity`): the report's title, programme,
client, date, credits, the programme's context and whether the data are synthetic.
Every chapter, notebook and output format takes these from here, never from text
typed in a page, so another cohort's report never carries the 2013 names.
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
    "title": "",  # the report's title; default "<programme>: programme evaluation"
    "attended": None,  # people who attended the course, where known
    "synthetic": False,  # true only for the project's own generated data
    "compare_with_published": False,  # set the results beside the 2013 Appendix 3
}

#: Keys whose value must be a whole number (or absent), and keys that must be true/false.
WHOLE_NUMBER_KEYS = ("attended", "attended_professionals", "attended_uses_services")
YES_NO_KEYS = ("synthetic", "compare_with_published")
#: Keys whose value must be text (or absent).
TEXT_KEYS = ("title", "programme", "client", "report_date")


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
        for key in TEXT_KEYS:
            if key in spec and spec[key] is not None and not isinstance(spec[key], (str, int)):
                raise DataError(path, f"key {key!r} is {spec[key]!r}; write it as one line of text", column=key)
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


#: Keys of ``credits`` in ``cohort.yml`` (data/README.md, "Credits and context").
CREDIT_KEYS = ("evaluator", "authors", "report_title", "client", "date", "reproduces_published_figures")
#: Keys of ``context`` in ``cohort.yml``.
CONTEXT_KEYS = ("origins", "partners")
#: Optional files of the data folder that carry the cohort's own content for the book.
PRINCIPLES_FILE = "principles.yml"
REFERENCES_FILE = "references.bib"
SURVEY_INSTRUMENT_FILE = "survey_instrument.yml"


@dataclass(frozen=True)
class Credits:
    """Who made the evaluation this report belongs to (``credits:`` in ``cohort.yml``).

    Attributes
    ----------
    evaluator : str
        The organisation that carried out the evaluation (``nef consulting``).
    authors : tuple of str
        The evaluation report's authors, as they are to be credited.  Named only on the
        title page, the colophon and the references (the privacy allow-list's pages).
    report_title : str
        The evaluation report's own title.
    client : str
        Who commissioned it (default: the cohort's ``client``).
    date : str
        Its date (default: the cohort's ``report_date``).
    reproduces_published_figures : bool
        True when this report reproduces that report's published figures (the 2013
        cohort); false when this report *is* the evaluation.
    """

    evaluator: str = ""
    authors: tuple[str, ...] = ()
    report_title: str = ""
    client: str = ""
    date: str = ""
    reproduces_published_figures: bool = False


@dataclass(frozen=True)
class Principle:
    """One principle of the cohort's approach (Appendix 4), from ``principles.yml``."""

    name: str
    description: str


@dataclass(frozen=True)
class Principles:
    """The cohort's statement of principles (Appendix 4), from ``principles.yml``.

    Attributes
    ----------
    title : str
        E.g. "The six principles of co-production" (may be empty).
    introduction : str
        A paragraph introducing them (may be empty).
    items : tuple of Principle
        In the file's order.
    """

    title: str = ""
    introduction: str = ""
    items: tuple[Principle, ...] = ()


@dataclass(frozen=True)
class CohortIdentity:
    """What a report says about whose it is: from ``cohort.yml`` and the data folder.

    Attributes
    ----------
    title : str
        The report's title (the HTML ``<title>``, the home page's heading, page 1 of the PDF).
    programme, client, report_date : str
        As in ``cohort.yml`` (``client`` and ``report_date`` may be empty).
    synthetic : bool
        The data are synthetic (``synthetic: true``); absent, the data are real.
    credits : Credits or None
        None when ``cohort.yml`` has no ``credits``.
    origins : str
        How the programme came about (``context: origins``); paragraphs separated by blank lines.
    partners : tuple of str
        The programme's partner organisations (``context: partners``).
    attended, attended_professionals, attended_uses_services : int or None
        Attendance as ``cohort.yml`` gives it.
    principles : Principles
        From the data folder's ``principles.yml`` (no items without it).
    references_file : Path or None
        The data folder's ``references.bib`` (the cohort's own references), if present.
    survey_instrument_file : Path or None
        The data folder's own ``survey_instrument.yml``, if present (never the project's).
    """

    title: str
    programme: str
    client: str = ""
    report_date: str = ""
    synthetic: bool = False
    credits: Credits | None = None
    origins: str = ""
    partners: tuple[str, ...] = ()
    attended: int | None = None
    attended_professionals: int | None = None
    attended_uses_services: int | None = None
    principles: Principles = field(default_factory=Principles)
    references_file: Path | None = None
    survey_instrument_file: Path | None = None


def _text(value: object, path: Path, key: str) -> str:
    """One line of text from a YAML value (numbers as written), or refuse it."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise DataError(path, f"key {key!r} is {value!r}; write it as text", column=key)
    return str(value).strip()


def _text_list(value: object, path: Path, key: str) -> tuple[str, ...]:
    """A list of text items (a single text is a list of one), or refuse it."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise DataError(path, f"key {key!r} is {value!r}; write a list, one '- item' line each", column=key)
    return tuple(item for i, v in enumerate(value) if (item := _text(v, path, f"{key}[{i + 1}]")))


def _mapping(spec: dict, key: str, known: tuple[str, ...], path: Path) -> dict:
    """``spec[key]`` as a mapping with only ``known`` keys (empty when absent)."""
    value = spec.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DataError(path, f"key {key!r} is {value!r}; write it as 'key: value' lines indented under '{key}:'", column=key)
    unknown = [k for k in value if k not in known]
    if unknown:
        raise DataError(path, f"unknown key {unknown[0]!r} under {key!r} (known: {', '.join(known)}); remove or correct it",
                        column=f"{key}.{unknown[0]}")
    return value


def load_principles(data_dir: Path) -> Principles:
    """The cohort's principles (Appendix 4) from ``principles.yml``, if the data folder has one.

    The file holds ``principles:``, a list of ``{name: ..., description: ...}``, and
    optionally ``title`` and ``introduction``.

    Parameters
    ----------
    data_dir : Path
        The cohort's data folder.

    Returns
    -------
    Principles
        Empty (no items) without the file.

    Raises
    ------
    DataError
        An unknown key, or not a non-empty list of principles each with exactly a
        non-empty ``name`` and ``description``.
    """
    path = Path(data_dir) / PRINCIPLES_FILE
    if not path.is_file():
        return Principles()
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(spec, dict):
        raise DataError(path, "must hold 'principles:', a list of '- name: ...' / '  description: ...' entries")
    unknown = [k for k in spec if k not in ("title", "introduction", "principles")]
    if unknown:
        raise DataError(path, f"unknown key {unknown[0]!r} (known: title, introduction, principles); remove or correct it",
                        column=str(unknown[0]))
    items = spec.get("principles")
    if not isinstance(items, list) or not items:
        raise DataError(path, "must hold 'principles:', a list of '- name: ...' / '  description: ...' entries")
    principles = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or set(item) != {"name", "description"}:
            raise DataError(path, f"principle {number} must have exactly the keys 'name' and 'description'",
                            column=f"principles[{number}]")
        name, description = _text(item["name"], path, "name"), _text(item["description"], path, "description")
        if not name or not description:
            raise DataError(path, f"principle {number} has an empty name or description; fill it in or remove it",
                            column=f"principles[{number}]")
        principles.append(Principle(name, description))
    return Principles(_text(spec.get("title"), path, "title"), _text(spec.get("introduction"), path, "introduction"),
                      tuple(principles))


def load_identity(data_dir: Path) -> CohortIdentity:
    """The cohort's identity: ``cohort.yml`` (over :data:`DEFAULTS`) and the data folder's
    own ``principles.yml``, ``references.bib`` and ``survey_instrument.yml``.

    Parameters
    ----------
    data_dir : Path
        The cohort's data folder (every file optional).

    Returns
    -------
    CohortIdentity
        ``title`` defaults to ``"<programme>: programme evaluation"``; a credit's
        ``client`` and ``date`` default to the cohort's ``client`` and ``report_date``.

    Raises
    ------
    DataError
        Anything :func:`load_cohort` refuses; ``credits`` or ``context`` not a mapping
        of their known keys, ``credits: authors`` or ``context: partners`` not a list of
        text, ``credits: reproduces_published_figures`` not true or false, a bad
        ``principles.yml``.
    """
    data_dir = Path(data_dir)
    path = data_dir / "cohort.yml"
    cohort = load_cohort(data_dir)
    programme = _text(cohort.get("programme"), path, "programme") or DEFAULTS["programme"]
    client, report_date = _text(cohort.get("client"), path, "client"), _text(cohort.get("report_date"), path, "report_date")
    credits_spec = _mapping(cohort, "credits", CREDIT_KEYS, path)
    credits = None
    if credits_spec:
        reproduces = credits_spec.get("reproduces_published_figures", False)
        if not isinstance(reproduces, bool):
            raise DataError(path, f"'credits: reproduces_published_figures' is {reproduces!r}; write true or false",
                            column="credits.reproduces_published_figures")
        credits = Credits(
            evaluator=_text(credits_spec.get("evaluator"), path, "credits.evaluator"),
            authors=_text_list(credits_spec.get("authors"), path, "credits.authors"),
            report_title=_text(credits_spec.get("report_title"), path, "credits.report_title"),
            client=_text(credits_spec.get("client"), path, "credits.client") or client,
            date=_text(credits_spec.get("date"), path, "credits.date") or report_date,
            reproduces_published_figures=reproduces)
    context = _mapping(cohort, "context", CONTEXT_KEYS, path)
    own = {name: data_dir / name for name in (REFERENCES_FILE, SURVEY_INSTRUMENT_FILE) if (data_dir / name).is_file()}
    return CohortIdentity(
        title=_text(cohort.get("title"), path, "title") or f"{programme}: programme evaluation",
        programme=programme, client=client, report_date=report_date,
        synthetic=bool(cohort.get("synthetic")), credits=credits,
        origins=_text(context.get("origins"), path, "context.origins"),
        partners=_text_list(context.get("partners"), path, "context.partners"),
        attended=cohort.get("attended"), attended_professionals=cohort.get("attended_professionals"),
        attended_uses_services=cohort.get("attended_uses_services"),
        principles=load_principles(data_dir),
        references_file=own.get(REFERENCES_FILE), survey_instrument_file=own.get(SURVEY_INSTRUMENT_FILE))
