"""One personal-data scan over every field of a cohort's inputs that can reach an output.

What is scanned, for the files a notebook reads (the one list of
:data:`lehc_report.tools.build.NOTEBOOK_INPUTS`, so a scan re-runs exactly when what it
scans changed):

* the name of every file in the data folder;
* every cell of every CSV and workbook, headers included (participant IDs, gender,
  role labels, answers, passages, codes), except the columns a survey tool's export
  carries that the reader drops unread (names, e-mail, IP address: see
  :func:`lehc_report.inputs.survey_tools.is_personal_or_technical`);
* every key and every text of every YAML file (``cohort.yml``, ``codebook.yml``,
  ``framework.yml``, ``case_studies.yml``, ``survey_instrument.yml``), the project's
  copies included where the cohort falls back on them;
* in a REFI-QDA project, every segment's text, every respondent's variables and every
  code's and theme's name and definition.

The deny-list itself (``deny_list.txt``) and ``README`` files are not scanned: they
never reach an output.  A hit raises :class:`~lehc_report.errors.PersonalDataFound`
naming the file, the row (header = 1) or the YAML key path, and the column.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from pathlib import Path

import yaml

from lehc_report.errors import InputError, PersonalDataFound
from lehc_report.inputs.folder import DataFolder
from lehc_report.privacy import PrivacySettings, allowed_on_page, find_personal_data, hits_text

#: Files in a data folder that never reach an output.
NOT_SCANNED = ("deny_list.txt", "readme*")
#: What to do about a hit, at the end of every message.
REDACT = "redact it in the source file, then rebuild"


def _found(where: str, hits: list[tuple[str, str]], file: Path | str, row: int | None = None,
           column: str | None = None) -> PersonalDataFound:
    return PersonalDataFound(f"{where}: possible personal data ({hits_text(hits)}); {REDACT}",
                             file=file, row=row, column=column)


def scan_file_names(data_dir: Path, settings: PrivacySettings) -> None:
    """Stop at a data file whose name holds personal data (the About page lists every name).

    Parameters
    ----------
    data_dir : Path
        The cohort's data folder.
    settings : PrivacySettings

    Raises
    ------
    PersonalDataFound
        ``"data folder, file name 'jo.bloggs@example.org.csv': possible personal data (...)"``.
    """
    if not Path(data_dir).is_dir():
        return
    for path in sorted(Path(data_dir).iterdir(), key=lambda p: p.name):
        hits = find_personal_data(path.name, settings)
        if hits:
            raise _found(f"data folder, file name {path.name!r}", hits, path, column="file name")


def scan_table_file(path: Path, settings: PrivacySettings, allow_respondents: tuple[str, ...] = ()) -> None:
    """Stop at the first cell (or header) of a CSV or workbook that holds personal data.

    Parameters
    ----------
    path : Path
        A ``.csv`` (UTF-8) or ``.xlsx`` file (first sheet), read as text cells exactly as
        typed.  In a self-assessment export, the columns the reader drops unread (a survey
        tool's names, e-mail, IP address, ...) are not scanned.
    settings : PrivacySettings

    Raises
    ------
    PersonalDataFound
        ``"<file>, row <r>, column '<header>': possible personal data (<kind>: '<text>'); ..."``,
        the header being row 1 (a header cell is reported as row 1 of its own column).
        A file that cannot be read is left to its reader, which refuses it with its own message.
    """
    from lehc_report.inputs.self_assessment import column_letter, read_raw_table
    from lehc_report.inputs.survey_tools import is_personal_or_technical

    try:
        table = read_raw_table(path)
    except InputError:
        return
    if table.empty:
        return
    headers = [str(h) for h in table.iloc[0]]
    export = fnmatch.fnmatchcase(path.name.lower(), "self*assessment*")
    skipped = set()
    if allow_respondents and "respondent_id" in headers:
        key = headers.index("respondent_id")
        skipped = {offset for offset, value in enumerate(table[key]) if offset > 0 and value.strip() in allow_respondents}
    memo: dict[str, list] = {}  # exports repeat IDs and scores: each distinct cell is scanned once
    for number, header in enumerate(headers):
        if export and is_personal_or_technical(header):
            continue
        column = header.strip() or column_letter(number)
        for offset, value in enumerate(table[number]):
            if offset in skipped:
                continue
            hits = memo.get(value)
            if hits is None:
                hits = memo[value] = find_personal_data(value, settings)
            if hits:
                raise _found(f"{path.name}, row {offset + 1}, column {column!r}", hits, path, offset + 1, column)


def _yaml_texts(node, path: str = "") -> Iterator[tuple[str, str]]:
    """(key path, text) for every key and every scalar of a YAML document."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            yield where + " (the key)", str(key)
            yield from _yaml_texts(value, where)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _yaml_texts(value, f"{path}[{index}]")
    elif node is not None:
        yield path or "(the document)", str(node)


def _safe_load_fast(text: str):
    """``yaml.safe_load`` with libyaml's parser when PyYAML has it (ten times faster).

    The scan only needs the document, never an error message, so the C parser is safe
    here; a text it refuses is parsed again by the pure-Python one, which the readers
    use, so the scan never skips a file that a reader would accept.

    Parameters
    ----------
    text : str
        A YAML document.

    Returns
    -------
    object
        The document (mappings, lists, scalars), as ``yaml.safe_load`` returns it.

    Raises
    ------
    yaml.YAMLError
        The pure-Python parser refuses the text too.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def scan_yaml_file(path: Path, settings: PrivacySettings) -> None:
    """Stop at the first key or text of a YAML file that holds personal data.

    Parameters
    ----------
    path : Path
        A YAML file; one that does not parse is left to its reader.
    settings : PrivacySettings

    Raises
    ------
    PersonalDataFound
        ``"codebook.yml, key themes[2].name: possible personal data (...)"``.
    """
    try:
        document = _safe_load_fast(Path(path).read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return
    # The cohort's credits are printed on the title page and the colophon only, so the names
    # privacy.yml allows there (the original report's authors) may stand in them.
    credit_names = (allowed_on_page("index", settings) | allowed_on_page("colophon", settings)
                    if Path(path).name == "cohort.yml" else frozenset())
    for key_path, text in _yaml_texts(document):
        skip = credit_names if key_path.split(".")[0].split("[")[0] == "credits" else frozenset()
        hits = find_personal_data(text, settings, skip_names=skip)
        if hits:
            raise _found(f"{Path(path).name}, key {key_path}", hits, path, column=key_path)


def scan_qdpx_project(data_dir: Path, settings: PrivacySettings, allow_respondents: tuple[str, ...] = ()) -> None:
    """Stop at the first text of a REFI-QDA project (in ``data_dir``) that holds personal data.

    Parameters
    ----------
    data_dir : Path
        A data folder holding one ``.qdpx`` instead of the qualitative CSV files.
    settings : PrivacySettings
    allow_respondents : tuple of str
        Respondents whose text is not scanned (``qdpx_allow_respondents``, for the
        coding team's export only).

    Raises
    ------
    PersonalDataFound
        ``"<project>.qdpx, segment I01-03, row 1, column 'text': ..."``, ``"..., case S04,
        row 1, column 'role_label': ..."`` or ``"..., code C03, row 1, column 'definition': ..."``.
    """
    from lehc_report.inputs.qdpx_import import find_project
    from lehc_report.inputs.qualitative import load_qualitative

    project = find_project(data_dir)
    if project is None:
        return
    data = load_qualitative(data_dir)
    tables = ((data.segments, "segment", "segment_id"), (data.respondents, "case", "respondent_id"),
              (data.codebook.themes, "theme", "theme_id"), (data.codebook.codes, "code", "code_id"))
    for frame, kind, key in tables:
        columns = list(frame.columns)
        for _, row in frame.iterrows():
            if "respondent_id" in frame.columns and str(row["respondent_id"]) in allow_respondents:
                continue
            for column in columns:
                hits = find_personal_data(str(row[column]), settings)
                if hits:
                    # "row 1": the row of the segment's own one-row table, as the messages have always read.
                    raise _found(f"{project.name}, {kind} {row[key]}, row 1, column {column!r}", hits, project, 1, column)


def files_read_by(data_dir: Path, root: Path | None, notebook: str) -> list[Path]:
    """The data files ``notebook`` reads that can reach an output.

    Parameters
    ----------
    data_dir : Path
        The cohort's data folder.
    root : Path or None
        The project root (its ``data/`` holds the copies the cohort falls back on); None
        scans the cohort's own files only.
    notebook : str
        A key of :data:`lehc_report.tools.build.NOTEBOOK_INPUTS` (``"01_clean"``, ``"03_qual"``).

    Returns
    -------
    list of Path
        Files in the data folder matching the notebook's patterns, then the resolved
        files (own, else the project's), without the deny-list and README files.
    """
    from lehc_report.tools.build import NOTEBOOK_INPUTS  # the one list of what each notebook reads

    spec = NOTEBOOK_INPUTS[notebook]
    data_dir = Path(data_dir)
    found: list[Path] = []
    if data_dir.is_dir():
        found += [p for p in sorted(data_dir.iterdir(), key=lambda p: p.name)
                  if p.is_file() and any(fnmatch.fnmatchcase(p.name.lower(), pattern) for pattern in spec["data"])]
    for name in spec["resolved"]:
        if root is not None:
            found += DataFolder(data_dir, Path(root)).sources(name)
        elif (data_dir / name).is_file():
            found.append(data_dir / name)
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return [p for p in unique if not any(fnmatch.fnmatchcase(p.name.lower(), skip) for skip in NOT_SCANNED)]


def scan_inputs(data_dir: Path, settings: PrivacySettings, notebook: str, root: Path | None = None,
                allow_respondents: tuple[str, ...] = ()) -> None:
    """Scan every field that can reach an output, in the files ``notebook`` reads.

    Parameters
    ----------
    data_dir : Path
        The cohort's data folder.
    settings : PrivacySettings
        Patterns and deny-list (``privacy.yml`` and the cohort's ``deny_list.txt``).
    notebook : str
        ``"01_clean"`` (exports, register, cohort, framework, survey instrument) or
        ``"03_qual"`` (qualitative files, codebook, case studies, or a ``.qdpx``); the data
        files' names are scanned for every notebook.
    root : Path, optional
        The project root, for the files the cohort falls back on.
    allow_respondents : tuple of str
        Respondents whose rows (CSV) or texts (``.qdpx``) are not scanned (the coding
        team's export only).

    Raises
    ------
    PersonalDataFound
        The first hit, naming the file, row (or YAML key path) and column.
    """
    scan_file_names(data_dir, settings)
    for path in files_read_by(data_dir, root, notebook):
        suffix = path.suffix.lower()
        if suffix in (".csv", ".xlsx"):
            scan_table_file(path, settings, allow_respondents)
        elif suffix in (".yml", ".yaml"):
            scan_yaml_file(path, settings)
        elif suffix == ".qdpx":
            scan_qdpx_project(data_dir, settings, allow_respondents)
