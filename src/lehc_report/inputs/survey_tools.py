"""Recognise a survey tool's export from the file's own layout, and read it as one table.

Evaluators bring the questionnaires as their survey tool exports them.  Each layout
is recognised from its own marks, never from the file name:

=================  ==========================================================================
Tool               Recognised by
=================  ==========================================================================
Qualtrics          ``ResponseId`` or ``StartDate`` + ``RecordedDate`` in row 1; a second header
                   row of question texts; optionally a third row of ``{"ImportId": ...}``
SurveyMonkey       ``Respondent ID`` or ``Collector ID`` in row 1; a second header row (matrix
                   statements, ``Response``, ``Open-Ended Response``) when row 2 is blank
                   under ``Respondent ID``
Microsoft Forms    ``ID``, ``Start time`` and ``Completion time`` in row 1, or a first column
                   ``ID`` that numbers the rows 1, 2, 3, ...
Google Forms       ``Timestamp`` in row 1
REDCap             ``record_id`` or ``redcap_event_name`` in row 1
contract layout    anything else (``participant_id`` first: data/README.md)
=================  ==========================================================================

Personal and technical columns (names, e-mail, IP address, location, recipient
fields, timestamps, durations, progress and status flags) are dropped here, as the
file is read and before any check or scan: the cleaning log names the columns
dropped, never their values.  Per-response IDs (Qualtrics ``ResponseId``,
SurveyMonkey ``Respondent ID`` and ``Collector ID``, Microsoft Forms ``ID``) are
dropped too: they number responses, not people, and can never link two waves.

Sources for the layouts: Qualtrics, "Data Export Options" (support page, legacy and
new exports with the ImportId row); SurveyMonkey, "Export Responses: All Responses
Data" (two header rows, expanded format); Microsoft Forms, "View results in Excel";
Google Forms, "View responses in Sheets" (grid questions as ``Question [Row]``);
REDCap, "Data Exports, Reports, and Stats" (raw data, longitudinal projects with
``redcap_event_name``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from lehc_report.inputs.framework import normalise_header

TOOL_NAMES = {
    "contract": "the project's contract layout",
    "qualtrics": "Qualtrics",
    "surveymonkey": "SurveyMonkey",
    "msforms": "Microsoft Forms",
    "google_forms": "Google Forms",
    "redcap": "REDCap",
}

#: Normalised headers of personal or technical columns, dropped as the file is read.
PERSONAL_OR_TECHNICAL = frozenset(normalise_header(h) for h in (
    # names, e-mail, recipients
    "Name", "Full name", "First Name", "Last Name", "RecipientFirstName", "RecipientLastName", "Recipient First Name",
    "Recipient Last Name", "RecipientEmail", "Recipient Email", "Email", "E-mail", "Email Address", "Email address",
    "Responder", "Respondent", "ExternalReference", "External Reference", "External Data Reference",
    # network and location
    "IPAddress", "IP Address", "LocationLatitude", "LocationLongitude", "Location Latitude", "Location Longitude",
    # timestamps and durations
    "StartDate", "EndDate", "Start Date", "End Date", "RecordedDate", "Recorded Date", "Start time", "Completion time",
    "Last modified time", "Timestamp", "Duration (in seconds)", "Duration",
    # technical flags
    "Status", "Response Type", "Progress", "Finished", "DistributionChannel", "Distribution Channel", "UserLanguage",
    "User Language", "redcap_survey_identifier", "redcap_repeat_instrument", "redcap_repeat_instance",
    "redcap_data_access_group", "Language", "Total points", "Quiz feedback",
))
#: Patterns of further technical columns: SurveyMonkey's custom data, REDCap's form flags and stamps.
TECHNICAL_PATTERNS = (re.compile(r"^custom data \d+$"),)
#: Qualtrics' own metadata fields in row 1 (``Q_RecaptchaScore``, ``Q_RelevantIDDuplicate``, ...).
QUALTRICS_METADATA = re.compile(r"^Q_[A-Za-z]")
#: REDCap's per-form flags and stamps, as exported (raw field names): ``<form>_complete``, ``<form>_timestamp``.
REDCAP_FORM_FIELDS = re.compile(r"^[a-z0-9_]+_(complete|timestamp)$")
#: Normalised headers of per-response IDs: never a person, so never a link between waves.
RESPONSE_IDS = frozenset(normalise_header(h) for h in ("ResponseId", "Response ID", "Respondent ID", "Collector ID", "ID"))
EVENT_COLUMN = "redcap event name"
REDCAP_KEY = "record id"
#: Google Forms' grid header "Question [statement]".
GRID_HEADER = re.compile(r"^(?P<question>.*?)\s*\[(?P<statement>[^\[\]]+)\]\s*$")
#: Qualtrics' matrix question text "Question - statement" (the statement after the last " - ").
QUALTRICS_SEPARATOR = " - "
IMPORT_ID = re.compile(r'^\{\s*"ImportId"')


@dataclass
class Export:
    """One export, recognised and with its personal and technical columns dropped.

    Attributes
    ----------
    tool : str
        A key of :data:`TOOL_NAMES`.
    header_rows : int
        How many rows the header takes (1 to 3); the responses start below.
    candidates : dict[int, list[str]]
        Kept column (0-based index in the file) -> the header texts a behaviour or the
        linking column may be named by, most specific first (a grid statement, a
        Qualtrics statement, row 2's text, row 1's text).
    body : pandas.DataFrame
        The responses, text cells, indexed by spreadsheet row number; only kept columns.
    dropped : list[str]
        Headers of the personal and technical columns dropped (never their values).
    response_ids : dict[int, str]
        Per-response ID columns found (index -> header), also dropped from ``candidates``.
    event_column : int or None
        REDCap's ``redcap_event_name`` column.
    """

    tool: str
    header_rows: int
    candidates: dict[int, list[str]]
    body: pd.DataFrame
    dropped: list[str] = field(default_factory=list)
    response_ids: dict[int, str] = field(default_factory=dict)
    event_column: int | None = None

    @property
    def tool_name(self) -> str:
        """The tool's name as the cleaning log and messages write it."""
        return TOOL_NAMES[self.tool]

    def find_column(self, name: str) -> int | None:
        """The kept column headed ``name`` (any header row, case and punctuation ignored).

        Parameters
        ----------
        name : str
            A header as written in ``cohort.yml`` (e.g. ``Q1`` or its question text).

        Returns
        -------
        int or None
            The 0-based column index, or None if no kept column has that header.
        """
        wanted = normalise_header(name)
        for index, texts in self.candidates.items():
            if wanted in {normalise_header(t) for t in texts}:
                return index
        return None


def counts_rows(values: list[str]) -> bool:
    """True when a column holds 1, 2, 3, ... in row order: it numbers rows, not people.

    Parameters
    ----------
    values : list of str
        The column's cells, top to bottom, blank cells included.

    Returns
    -------
    bool
        True for two or more cells reading exactly 1, 2, ..., n (``7.0``-style decimals allowed).
    """
    cells = [v.strip() for v in values]
    if len(cells) < 2:
        return False
    try:
        numbers = [float(c) for c in cells]
    except ValueError:
        return False
    return numbers == [float(i) for i in range(1, len(cells) + 1)]


def is_personal_or_technical(header: str) -> bool:
    """Whether a column is one the reader drops unread (names, e-mail, IP, times, flags).

    Parameters
    ----------
    header : str
        The column's header as exported.

    Returns
    -------
    bool
    """
    key = normalise_header(header)
    return (key in PERSONAL_OR_TECHNICAL or any(p.match(key) for p in TECHNICAL_PATTERNS)
            or bool(REDCAP_FORM_FIELDS.match(header.strip())) or bool(QUALTRICS_METADATA.match(header.strip())))


def recognise_tool(table: pd.DataFrame) -> tuple[str, int]:
    """Which tool wrote an export, and how many header rows it has.

    Parameters
    ----------
    table : pandas.DataFrame
        The raw table as :func:`lehc_report.inputs.self_assessment.read_raw_table` reads
        it: text cells, row ``r`` of the spreadsheet at ``iloc[r - 1]``.

    Returns
    -------
    tool : str
        A key of :data:`TOOL_NAMES`.
    header_rows : int
        Rows taken by the header.
    """
    first = [normalise_header(h) for h in table.iloc[0]]
    present = set(first)
    second = table.iloc[1].tolist() if len(table) > 1 else []
    third = table.iloc[2].tolist() if len(table) > 2 else []
    if "responseid" in present or "response id" in present or {"startdate", "recordeddate"} <= present or any(IMPORT_ID.match(c) for c in second):
        return "qualtrics", 3 if any(IMPORT_ID.match(c) for c in third) else 2
    if {"respondent id", "collector id"} & present:
        key = first.index("respondent id") if "respondent id" in present else first.index("collector id")
        two_rows = bool(second) and not second[key].strip()
        return "surveymonkey", 2 if two_rows else 1
    if REDCAP_KEY in present or EVENT_COLUMN in present:
        return "redcap", 1
    if {"id", "start time", "completion time"} <= present or (first and first[0] == "id" and counts_rows(table.iloc[1:, 0].tolist())):
        return "msforms", 1
    if "timestamp" in present:
        return "google_forms", 1
    return "contract", 1


def header_candidates(texts: list[str]) -> list[str]:
    """The texts a column may be matched by, most specific first.

    Parameters
    ----------
    texts : list of str
        The column's header cells, row 1 first (blank cells allowed).

    Returns
    -------
    list of str
        For each non-blank header text, the statement inside a Google Forms grid header
        ``Question [statement]`` and the statement after a Qualtrics ``Question -
        statement``, then the text itself; lower rows before upper ones.
    """
    out: list[str] = []
    for text in reversed([t.strip() for t in texts if t.strip()]):
        grid = GRID_HEADER.match(text)
        if grid:
            out.append(grid.group("statement").strip())
        if QUALTRICS_SEPARATOR in text:
            out.append(text.rsplit(QUALTRICS_SEPARATOR, 1)[1].strip())
        out.append(text)
    return out


def read_export(table: pd.DataFrame) -> Export:
    """Recognise an export and keep only the columns that can hold ratings or a link.

    Parameters
    ----------
    table : pandas.DataFrame
        The raw table (text cells; spreadsheet row ``r`` at ``iloc[r - 1]``, column
        letter ``A`` at column 0), with at least one row.

    Returns
    -------
    Export
        The tool, its header rows, the kept columns' header texts and the response rows;
        personal, technical and per-response-ID columns are dropped and listed by header.
    """
    tool, header_rows = recognise_tool(table)
    header = table.iloc[:header_rows].copy()
    if tool == "surveymonkey" and header_rows == 2:
        # A matrix question's text sits over its first column only: carry it right.
        question = ""
        for index in range(table.shape[1]):
            text = header.iat[0, index].strip()
            if text:
                question = text
            elif header.iat[1, index].strip():
                header.iat[0, index] = question
    export = Export(tool, header_rows, {}, table.iloc[header_rows:].copy())
    export.body.index = range(header_rows + 1, header_rows + 1 + len(export.body))
    for index in range(table.shape[1]):
        texts = [header.iat[r, index] for r in range(header_rows) if not IMPORT_ID.match(header.iat[r, index])]
        row_one = header.iat[0, index].strip()
        if tool != "contract" and any(is_personal_or_technical(t) for t in texts if t.strip()):
            export.dropped.append(row_one or texts[-1].strip())
            continue
        if tool == "redcap" and normalise_header(row_one) == EVENT_COLUMN:
            export.event_column = index
            continue
        if tool != "contract" and normalise_header(row_one) in RESPONSE_IDS:
            export.response_ids[index] = row_one
            continue
        export.candidates[index] = header_candidates(texts)
    keep = list(export.candidates) + ([export.event_column] if export.event_column is not None else [])
    export.body = export.body[sorted(keep)]
    return export
