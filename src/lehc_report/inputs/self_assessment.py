"""Read and validate the self-assessment exports; produce the tidy ratings table.

The contract (documented in ``data/README.md``): one file per wave named
``self_assessment_<wave>.csv`` or ``.xlsx``; the first column holds the participant
ID, every other column one behaviour of the framework (headed by its ID or its
label).  Scores are whole numbers on the framework's scale; a blank, "N/A", "NA",
"-" or "not answered" is a missing rating.

Everything else stops with a :class:`DataError` naming the file, the spreadsheet row
(the header is row 1) and the column, and saying what to do.  Nothing is dropped or
coerced silently: what the reader does tolerate (a byte-order mark, Windows or old
Mac line endings, stray spaces, headers given as labels, missing-value markers,
scores written as "7.0", wholly empty rows and columns, extra sheets, Excel lock
files) is recorded in the cleaning log that the report prints.  The raw files are
only ever read.

A wave may also be a survey tool's own export (Qualtrics, SurveyMonkey, Microsoft
Forms, Google Forms, REDCap): :mod:`lehc_report.inputs.survey_tools` recognises it and
drops its personal columns, and the waves are linked only as ``cohort.yml``'s
``linking`` declares (:func:`link_waves`).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from lehc_report.errors import DataError
from lehc_report.inputs.csv_limits import field_limit_for
from lehc_report.inputs.cohort import HOW_TO_DECLARE, Linking, load_linking
from lehc_report.inputs.framework import Framework, normalise_header
from lehc_report.inputs.survey_tools import GRID_HEADER, REDCAP_KEY, Export, counts_rows, read_export

MISSING_MARKERS = frozenset({"", "n/a", "na", "-", "not answered"})
# ("Respondent ID" is SurveyMonkey's response number, read by inputs/survey_tools.py, never a person.)
PARTICIPANT_HEADERS = frozenset({"participant id", "participant", "id"})
WAVE_FILE = re.compile(r"^self_assessment_(?P<wave>[a-z0-9_]+)\.(?P<ext>csv|xlsx)$", re.IGNORECASE)
# Names a person would give a self-assessment export that the contract does not accept
# ("self_assessment_end (1).csv", "self-assessment_end.xls", ...): refused, not skipped.
#: One export holding every wave (a longitudinal REDCap project), waves told apart by event.
LONGITUDINAL_FILE = re.compile(r"^self_assessment\.(csv|xlsx)$", re.IGNORECASE)
NEAR_WAVE_FILE = re.compile(r"^self[ _-]?assessment", re.IGNORECASE)
# A score as typed: a whole number, or one with a decimal part that Excel may add ("7.0").
SCORE_TEXT = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?$")
CSV_HINT = "save it from the spreadsheet as 'CSV UTF-8 (Comma delimited)'"


@dataclass
class CleaningLog:
    """What the reader tolerated, so that the report can say so."""

    entries: list[dict] = field(default_factory=list)

    def add(self, file: Path, action: str, detail: str, row: int | None = None, column: str | None = None):
        """Record one tolerated irregularity.

        Parameters
        ----------
        file : Path
            The input file (only its name is kept).
        action : str
            What the reader did, e.g. ``"header matched by label"``.
        detail : str
            What it found; never a personal value.
        row : int, optional
            Spreadsheet row (header = 1).
        column : str, optional
            Column letter and behaviour, or a header.
        """
        self.entries.append(
            {"file": Path(file).name, "row": row, "column": column, "action": action, "detail": detail}
        )

    def to_frame(self) -> pd.DataFrame:
        """The log as a table.

        Returns
        -------
        DataFrame
            Columns ``file``, ``row`` (Int64), ``column`` ("" where a whole file is
            concerned), ``action``, ``detail``; one row per entry, in reading order.
        """
        log = pd.DataFrame(self.entries, columns=["file", "row", "column", "action", "detail"])
        # Whole-number rows ("12", not "12.0") and no "NaN" where an entry concerns a whole file.
        return log.astype({"row": "Int64"}).fillna({"column": ""})


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based column index (0 -> A, 27 -> AB).

    Parameters
    ----------
    index : int
        0-based column index.

    Returns
    -------
    str
    """
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def number_ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 9] -> '3-5, 9' (for log details).

    Parameters
    ----------
    numbers : list of int
        Sorted row numbers.

    Returns
    -------
    str
    """
    parts, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(str(start) if start == n else f"{start}-{n}")
            start = None
    return ", ".join(parts)


# --------------------------------------------------------------------------- raw reading
def _cell_text(value) -> str:
    """An Excel cell's value as the text a person sees (numbers unrounded)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def _read_xlsx_rows(path: Path, log: CleaningLog | None) -> list[list[str]]:
    from openpyxl import load_workbook

    damaged = f"open it in Excel and save it again as .xlsx, or {CSV_HINT} and use the .csv name"
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for damaged or mislabelled files
        raise DataError(path, f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc}); {damaged}") from exc
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise DataError(path, "has no worksheet; export the file again from the source spreadsheet")
        rows = [[_cell_text(v) for v in row] for row in sheets[0].iter_rows(values_only=True)]
    except DataError:
        raise
    except Exception as exc:  # a workbook that opens but whose sheet is damaged
        raise DataError(path, f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc}); {damaged}") from exc
    finally:
        workbook.close()
    if any(v == "" for row in rows for v in row):
        _refuse_formulas_without_values(path, rows)
    if len(sheets) > 1 and log is not None:
        others = ", ".join(repr(s.title) for s in sheets[1:])
        log.add(path, "first sheet read", f"read sheet {sheets[0].title!r}; the workbook's other sheet(s) {others} were not read")
    return rows


def _refuse_formulas_without_values(path: Path, rows: list[list[str]]) -> None:
    """Refuse a formula cell saved without its computed value.

    openpyxl's ``data_only`` load gives a cell's stored value, which is None when the
    program that saved the workbook never calculated it (a script, not Excel); the
    formula load shows the formula.  Such a cell would otherwise read as not answered.
    """
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=False)
    try:
        for r, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            for c, value in enumerate(row):
                shown = rows[r - 1][c] if r <= len(rows) and c < len(rows[r - 1]) else ""
                if isinstance(value, str) and value.startswith("=") and shown == "":
                    raise DataError(path, f"cell {column_letter(c)}{r} holds the formula {value!r} but no stored value (the workbook was saved by a program "
                                    "that does not calculate formulas), so the score cannot be read; open the workbook in Excel or LibreOffice, let it "
                                    "calculate and save it, or paste the values over the formulas", r, column_letter(c))
    finally:
        workbook.close()


def _read_csv_rows(path: Path, log: CleaningLog | None) -> list[list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(path, f"cannot be read ({exc.strerror}); check that the file is not open elsewhere and that you may read it") from exc
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DataError(path, f"is UTF-16 text (Excel's 'Unicode Text'); {CSV_HINT}")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
        if log is not None:
            log.add(path, "byte-order mark removed", "the file starts with a UTF-8 byte-order mark (Excel's 'CSV UTF-8')")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        before = raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start]
        column = None if b'"' in before else column_letter(before.count(b","))  # exact unless quoted
        raise DataError(path, f"byte 0x{raw[exc.start]:02x} is not UTF-8 text (e.g. an accented letter saved in a Windows or Mac encoding); {CSV_HINT}", row, column) from None
    if not text.strip():
        raise DataError(path, "is empty; export it again from the source spreadsheet")
    if log is not None and "\r" in text:
        if "\r\n" in text:
            log.add(path, "Windows line endings", "lines end in CR LF (as Excel on Windows saves them); read as ordinary line breaks")
        else:
            log.add(path, "Mac line endings", "lines end in a lone CR (as old Mac Excel saves them); read as ordinary line breaks")
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    lines_read = 0
    try:
        with field_limit_for(text):  # a free-text column of any length (csv's default limit is 131,072 characters)
            for record in reader:
                rows.append(record)
                lines_read = reader.line_num
    except csv.Error as exc:
        line = re.split(r"\r\n|\r|\n", text)[lines_read]
        field = _bad_quote_field(line)
        raise DataError(
            path,
            f"is not a well-formed CSV ({exc}): a quotation mark in this row is never closed, or text follows a closing one; "
            f"correct the cell, then {CSV_HINT}",
            len(rows) + 1,
            None if field is None else column_letter(field),
        ) from None
    if rows and max(len(r) for r in rows) == 1:
        for separator, name in ((";", "semicolons"), ("\t", "tabs")):
            if separator in rows[0][0]:
                raise DataError(path, f"the values are separated by {name}, not commas; {CSV_HINT}", 1)
    return rows


def _bad_quote_field(line: str) -> int | None:
    """0-based field of a CSV line whose quoting is broken (unclosed, or text after the close)."""
    field, at_start, quoted, i = 0, True, False, 0
    while i < len(line):
        char = line[i]
        if quoted:
            if char == '"':
                if line[i + 1 : i + 2] == '"':  # an escaped quote
                    i += 2
                    continue
                quoted = False
                if i + 1 < len(line) and line[i + 1] != ",":
                    return field
        elif char == ",":
            field, at_start = field + 1, True
            i += 1
            continue
        elif char == '"' and at_start:
            quoted = True
        at_start = False
        i += 1
    return field if quoted else None


def read_raw_table(path: Path, log: CleaningLog | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX export as text cells, exactly as typed (no type guessing).

    Rows are padded with empty cells to the widest row, so that spreadsheet row
    ``r`` is ``table.iloc[r - 1]`` and column letter ``A`` is column 0.

    Parameters
    ----------
    path : Path
        A ``.csv`` (UTF-8) or ``.xlsx`` file (its first sheet is read).
    log : CleaningLog, optional
        Receives what was tolerated (byte-order mark, line endings, extra sheets).

    Returns
    -------
    DataFrame
        Text cells, integer column labels from 0.

    Raises
    ------
    DataError
        A file that is not UTF-8 text, uses semicolons or tabs, is not well-formed, is a
        damaged workbook, or holds a formula saved without its value.
    """
    path = Path(path)
    rows = _read_xlsx_rows(path, log) if path.suffix.lower() == ".xlsx" else _read_csv_rows(path, log)
    width = max((len(r) for r in rows), default=0)
    table = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=range(width), dtype=object)
    return table.fillna("").astype(str)


# --------------------------------------------------------------------------- one wave
def parse_score(cell: str, scale: tuple[int, int], path: Path, row: int, column: str,
                answers: dict[str, int] | None = None, allowed: str = "") -> int | None:
    """A cell -> whole-number score, None for a missing-value marker.

    Parameters
    ----------
    cell : str
        The cell's text as typed or exported.
    scale : tuple of int
        The framework's (min, max).
    path, row, column
        Where the cell is, for the message.
    answers : dict[str, int], optional
        The scale's answers in words (:meth:`Framework.answer_lookup`): normalised text -> score.
    allowed : str
        The labels as the message lists them (:meth:`Framework.allowed_answers`).

    Returns
    -------
    int or None
        The score, or None for a blank, ``N/A``, ``NA``, ``-`` or ``not answered``.

    Raises
    ------
    DataError
        Text that is neither a score nor one of the scale's labels (the labels are
        listed), a number that is not whole, or a score outside the scale.
    """
    text = cell.strip()
    if text.lower() in MISSING_MARKERS:
        return None
    if answers and not SCORE_TEXT.match(text):
        score = answers.get(normalise_header(text))
        if score is not None:
            return score
        raise DataError(path, f"{text!r} is not one of the scale's answers; the answers allowed are {allowed} (from framework.yml's 'scale: labels'), "
                        f"or a whole number from {scale[0]} to {scale[1]}: correct the cell, or add the wording to the labels", row, column)
    if not SCORE_TEXT.match(text):
        raise DataError(path, f"{text!r} is not a score; enter a whole number from {scale[0]} to {scale[1]}, or leave the cell blank if not answered"
                        " (answers in words need the scale's labels in framework.yml: see data/README.md)", row, column)
    value = Decimal(text)
    if value != value.to_integral_value():
        raise DataError(path, f"{text!r} is not a whole number; scores are whole numbers from {scale[0]} to {scale[1]}: check the participant's form and enter the score they chose", row, column)
    if not scale[0] <= value <= scale[1]:
        raise DataError(path, f"score {text} is outside {scale[0]}..{scale[1]}; check the participant's form and correct it in the source export", row, column)
    return int(value)


def _suggest(label: str, framework: Framework) -> str:
    """' (closest: SI03 "...")' for an unknown header, or ''."""
    choices = {normalise_header(r.label): r for r in framework.behaviours.itertuples()}
    close = difflib.get_close_matches(normalise_header(label), list(choices), n=1, cutoff=0.75)
    if not close:
        return ""
    best = choices[close[0]]
    return f" (closest: {best.behaviour_id} {best.label!r})"


def _key_column(export: Export, path: Path, linking: Linking) -> tuple[int | None, str]:
    """The column that links a person across waves, and how messages name the rule."""
    if linking.by == "none":
        return None, "none"
    if linking.by is None:
        if export.tool == "contract":
            first = export.candidates.get(0, [""])[-1] if export.candidates.get(0) else ""
            id_headers = {normalise_header(h) for h in PARTICIPANT_HEADERS}
            if normalise_header(first) not in id_headers:
                table_rows = export.body
                below = [r for r in table_rows.index[:9] if normalise_header(table_rows.at[r, 0]) in id_headers]
                if below:
                    raise DataError(path, f"the header (participant_id, then the behaviour IDs) must be in row 1 but is in row {below[0]}; delete the title row(s) above it", 1, "A")
                raise DataError(path, f"the first column must hold the participant ID, found header {first!r}; move the ID column to the front and head it 'participant_id'", 1, "A")
            return 0, "participant_id"
        if export.tool == "redcap":
            index = next((i for i, texts in export.candidates.items() if normalise_header(texts[-1]) == REDCAP_KEY), None)
            if index is None:
                raise DataError(path, f"a REDCap export without 'record_id'; export it again with the record ID, or {HOW_TO_DECLARE}", 1)
            return index, "record_id"
        note = ""
        if export.response_ids:
            index, header = next(iter(export.response_ids.items()))
            note = (f"; column {column_letter(index)} ({header!r}) numbers the responses: a response ID is not a person "
                    "(each form gives its own), so it cannot link the waves")
            raise DataError(path, f"a {export.tool_name} export, and cohort.yml does not say how its waves are linked{note}; {HOW_TO_DECLARE}", 1, f"{column_letter(index)} ({header})")
        id_headers = {normalise_header(h) for h in PARTICIPANT_HEADERS}
        code = next((i for i, texts in export.candidates.items() if texts and normalise_header(texts[-1]) in id_headers), None)
        if code is not None:
            header = export.candidates[code][-1].strip()
            raise DataError(path, f"a {export.tool_name} export, and cohort.yml does not say how its waves are linked; if column {header!r} holds each person's own code "
                            f"in every wave, write 'linking: {{by: code, column: {header}}}' in cohort.yml; otherwise {HOW_TO_DECLARE}", 1, f"{column_letter(code)} ({header})")
        raise DataError(path, f"a {export.tool_name} export, and cohort.yml does not say how its waves are linked (nothing in a tool's export names a person); {HOW_TO_DECLARE}", 1)
    wanted = normalise_header(linking.column)
    for index, header in export.response_ids.items():
        if normalise_header(header) == wanted:
            raise DataError(path, f"cohort.yml links the waves by {linking.column!r}, but that column numbers the responses: a response ID is not a person (each form gives its own); "
                            "link by the question in which people entered their own code, or declare 'linking: {by: none}'", 1, f"{column_letter(index)} ({header})")
    index = export.find_column(linking.column)
    if index is None:
        headers = [texts[-1] for texts in export.candidates.values() if texts]
        close = difflib.get_close_matches(linking.column, headers, n=1, cutoff=0.6)
        hint = f" (closest: {close[0]!r})" if close else ""
        raise DataError(path, f"cohort.yml links the waves by column {linking.column!r}, which this {export.tool_name} export does not have{hint}; "
                        "correct 'linking: column' to the header or question text of the code question", 1)
    return index, linking.column


def _wave_rows(export: Export, path: Path, wave: str, linking: Linking, log: CleaningLog) -> pd.DataFrame:
    """The rows of a REDCap export that belong to ``wave`` (by ``redcap_event_name``); all rows otherwise."""
    body = export.body
    if export.event_column is None:
        return body
    events = body[export.event_column].str.strip()
    letter = f"{column_letter(export.event_column)} (redcap_event_name)"
    if linking.events:
        unknown = events[~events.isin(list(linking.events)) & body.drop(columns=export.event_column).apply(lambda s: s.str.strip().ne("")).any(axis=1)]
        if len(unknown):
            raise DataError(path, f"event {unknown.iloc[0]!r} is not under 'events' in cohort.yml (declared: {', '.join(linking.events)}); add it with its wave, or export only the declared events", int(unknown.index[0]), letter)
        keep = events.map(linking.events).eq(wave)
        log.add(path, "rows chosen by event", f"{int(keep.sum())} row(s) of event(s) {', '.join(sorted(set(events[keep])))} read as wave {wave!r}", None, letter)
        return body[keep]
    named = sorted(set(events) - {""})
    if len(named) > 1:
        raise DataError(path, f"this file holds REDCap events {', '.join(repr(e) for e in named)}; say which wave each is with 'events:' in cohort.yml "
                        "(e.g. 'events: {pre_course_arm_1: start, post_course_arm_1: end}')", int(body.index[0]), letter)
    return body


def filled_row_mask(body: pd.DataFrame) -> np.ndarray:
    """Which rows of an export hold anything but blanks.

    Parameters
    ----------
    body : DataFrame
        The export's rows below its header, every cell text (missing cells NA).

    Returns
    -------
    numpy.ndarray of bool
        One per row: True where at least one cell has a character other than white space.

    Notes
    -----
    Each distinct cell text is stripped once (``pandas.factorize``), not every cell:
    a 10,000-person export has 390,000 cells but a few thousand distinct texts.
    """
    codes, distinct = pd.factorize(body.to_numpy(dtype=object).ravel(), use_na_sentinel=True)
    filled = np.array([bool(text.strip()) for text in distinct] + [False], dtype=bool)  # the last entry: code -1, a missing cell
    return filled[codes].reshape(body.shape).any(axis=1)


def read_wave_export(path: Path, wave: str, framework: Framework, log: CleaningLog, linking: Linking | None = None) -> pd.DataFrame:
    """One wave's export -> tidy rows, whichever tool wrote it.

    Parameters
    ----------
    path : Path
        A CSV or XLSX export in the contract layout or as a survey tool wrote it
        (:mod:`lehc_report.inputs.survey_tools`).
    wave : str
        The wave it holds (a REDCap file holding several events keeps the rows of this one).
    framework : Framework
    log : CleaningLog
        Receives what was tolerated: the tool recognised, columns dropped, headers
        matched by label or grid statement, missing ratings.
    linking : Linking, optional
        The cohort's declared linking (``cohort.yml``); none declared by default.

    Returns
    -------
    DataFrame
        ``participant_id`` (the link key: the code, or ``<wave>-row<r>`` under
        ``by: none``, never paired), ``wave``, ``behaviour_id``, ``score`` (Int64, NA =
        not answered), ``source_row``; ``attrs['id_column']`` names the key column.

    Raises
    ------
    DataError
        With file, row and column, for every breach of the contract, including an
        undeclared linking for a tool's export, a response ID used as a person, a code
        column that merely counts rows, a double submission and an unknown answer text.
    """
    linking = linking or Linking()
    table = read_raw_table(path, log)
    if table.shape[0] == 0:
        raise DataError(path, "has no header row; export it again from the source spreadsheet")
    if not any(h.strip() for h in table.iloc[0]):
        raise DataError(path, "row 1 is empty; the header (participant_id, then the behaviour IDs) must be in row 1: delete the rows above it", 1)
    export = read_export(table)
    if export.tool != "contract":
        log.add(path, "export recognised", f"laid out as a {export.tool_name} export ({export.header_rows} header row(s)); responses start in row {export.header_rows + 1}")
    if export.dropped:
        log.add(path, "personal columns dropped", f"{len(export.dropped)} personal or technical column(s) dropped unread: {', '.join(repr(d) for d in export.dropped)}")
    key, rule = _key_column(export, path, linking)
    if export.response_ids:
        log.add(path, "response ID dropped", f"column(s) {', '.join(repr(h) for h in export.response_ids.values())} number the responses, not people; dropped")
    key_header = export.candidates[key][-1].strip() if key is not None else ""
    id_column = f"{column_letter(key)} ({key_header})" if key is not None else None
    body = _wave_rows(export, path, wave, linking, log)

    lookup = framework.header_lookup()
    columns: dict[int, str] = {}  # column index -> behaviour ID
    where: dict[str, str] = {}  # behaviour ID -> column letter
    empty_columns: list[int] = []
    for index, texts in export.candidates.items():
        if index == key or (export.tool == "redcap" and texts and normalise_header(texts[-1]) == REDCAP_KEY):
            continue
        letter = column_letter(index)
        if not texts:
            filled = body[index].str.strip().to_numpy().nonzero()[0]
            if len(filled) == 0:  # Excel often leaves columns that are entirely empty
                empty_columns.append(index)
                continue
            raise DataError(path, f"a column without a header holds {body[index].iloc[filled[0]].strip()!r}; head the column with a behaviour ID from framework.yml, or delete the stray cell (an extra comma in the row?)", int(body.index[filled[0]]), letter)
        raw_header = table.iat[0, index] if export.header_rows == 1 else texts[-1]
        label = texts[-1].strip()
        if export.tool == "contract" and raw_header != label:
            log.add(path, "header trimmed", f"stray spaces removed from {raw_header!r}", 1, letter)
        matched = next(((text, lookup[normalise_header(text)]) for text in texts if normalise_header(text) in lookup), None)
        if matched is None:
            raise DataError(path, f"unknown behaviour column {texts[0]!r}{_suggest(texts[0], framework)}; head it with a behaviour ID or label from framework.yml, or remove the column", 1, letter)
        text, behaviour = matched
        if behaviour in where:
            raise DataError(path, f"behaviour {behaviour} appears in two columns ({where[behaviour]} and {letter}); keep one of them and delete the other", 1, letter)
        if GRID_HEADER.match(label) and text != label:
            log.add(path, "header matched by grid statement", f"{label!r} read as {behaviour}", 1, letter)
        elif normalise_header(text) != normalise_header(behaviour):
            log.add(path, "header matched by label", f"{text.strip()!r} read as {behaviour}", 1, letter)
        columns[index], where[behaviour] = behaviour, letter
    if empty_columns:
        letters = [column_letter(i) for i in empty_columns]
        shown = letters[0] if len(letters) == 1 else f"{letters[0]} to {letters[-1]}" if len(letters) > 2 else " and ".join(letters)
        log.add(path, "empty column ignored", f"{len(letters)} column(s) with no header and no data ({shown})", 1, letters[0])
    missing = [b for b in framework.behaviour_ids if b not in where]
    if missing:
        raise DataError(path, f"missing behaviour column(s) {', '.join(missing)}; every behaviour of the framework needs a column (leave its cells blank if not answered)", 1)

    filled_rows = body[filled_row_mask(body)] if len(body) else body
    if key is not None and export.tool != "redcap" and counts_rows(filled_rows[key].tolist()):
        raise DataError(path, f"column {key_header!r} holds 1, 2, 3, ... in row order: it counts the rows, it is not a code a person gave, so it cannot link the waves; "
                        "if these numbers really are the codes people were given, write them as codes (e.g. P01, P02) so that they cannot be mistaken "
                        f"for row numbers; otherwise {HOW_TO_DECLARE}", int(filled_rows.index[0]), id_column)

    scale = (framework.scale_min, framework.scale_max)
    answers, allowed = framework.answer_lookup(), framework.allowed_answers()
    indices = list(columns)  # behaviour columns in the export's order
    behaviours = [columns[i] for i in indices]
    blank = ~body.index.isin(filled_rows.index)  # the rows found filled above: strip every cell once, not twice
    empty_rows = [int(r) for r in body.index[blank]]
    kept = body[~blank]
    # Scores: each distinct cell text is parsed once (a 10,000-person export has a
    # handful of distinct texts among its 380,000 cells), then mapped back to the grid.
    texts = kept[indices].to_numpy(dtype=object).astype(str) if len(kept) else np.empty((0, len(indices)), str)
    distinct, inverse = np.unique(texts, return_inverse=True)
    inverse = inverse.reshape(texts.shape)
    parsed, failed = [], np.zeros(len(distinct), bool)
    for i, text in enumerate(distinct):
        try:
            parsed.append(parse_score(text, scale, path, 0, "", answers, allowed))
        except DataError:
            parsed.append(None)
            failed[i] = True
    missing_text = np.array([p is None for p in parsed], bool) & ~failed
    word_text = np.array([bool(answers) and not SCORE_TEXT.match(t.strip()) for t in distinct], bool) & ~missing_text & ~failed
    decimal_text = np.array(["." in t for t in distinct], bool) & ~missing_text & ~word_text & ~failed
    bad_row = None
    if failed[inverse].any():
        r, c = divmod(int(np.argmax(failed[inverse].ravel())), len(indices))
        bad_row, bad_cell = int(kept.index[r]), (texts[r, c], f"{column_letter(indices[c])} ({behaviours[c]})")

    # IDs: one pass over the rows (not the cells), in row order, so that the first
    # problem in reading order is the one reported, as before.
    pids, seen, trimmed = [], {}, {}
    raw_ids = kept[key].tolist() if key is not None else [None] * len(kept)
    for position, (row_number, pid_raw) in enumerate(zip(kept.index.tolist(), raw_ids)):
        if key is None:
            pid = f"{wave}-row{row_number}"
        else:
            pid = pid_raw.strip()
            if not pid:
                raise DataError(path, "participant ID is blank; fill it in (the anonymous code, e.g. P10) or delete the row", row_number, id_column)
            if pid != pid_raw:
                trimmed[position] = pid_raw
            if pid in seen:
                raise DataError(path, f"participant {pid!r} appears twice in this wave (rows {seen[pid]} and {row_number}), e.g. a double submission; "
                                "keep one row per participant: decide which of the two to keep and delete the other in a copy of the export", row_number, id_column)
        if row_number == bad_row:
            parse_score(bad_cell[0], scale, path, bad_row, bad_cell[1], answers, allowed)  # raises its own message
        seen[pid] = row_number
        pids.append(pid)
    # The log in reading order: a row's trimmed ID, then its missing ratings.
    missing_r, missing_c = np.nonzero(missing_text[inverse])
    events = sorted([(position, -1) for position in trimmed] + list(zip(missing_r.tolist(), missing_c.tolist())))
    for position, c in events:
        row_number = int(kept.index[position])
        if c < 0:
            log.add(path, "ID trimmed", f"stray spaces removed from {trimmed[position]!r}", row_number, id_column)
        else:
            log.add(path, "missing rating", f"{texts[position, c].strip()!r} read as not answered", row_number, behaviours[c])
    words = int(word_text[inverse].sum())
    decimal_cells = decimal_text[inverse]
    decimals = []
    if decimal_cells.any():
        r, c = divmod(int(np.argmax(decimal_cells.ravel())), len(indices))
        decimals = [(int(kept.index[r]), behaviours[c], texts[r, c].strip())] * int(decimal_cells.sum())
    scores = np.array([np.nan if p is None else p for p in parsed], float)[inverse] if len(distinct) else np.empty(texts.shape)
    if empty_rows:
        log.add(path, "empty row ignored", f"{len(empty_rows)} row(s) with no participant ID and no scores (rows {number_ranges(empty_rows)})", empty_rows[0])
    if decimals:
        row, behaviour, text = decimals[0]
        log.add(path, "decimal score read as whole", f"{len(decimals)} score(s) written with a decimal point, e.g. {text!r}, read as whole numbers", row, behaviour)
    if words:
        log.add(path, "answers in words", f"{words} answer(s) given in words read as scores through framework.yml's labels ({allowed})")
    if not pids or not behaviours:
        raise DataError(path, "has a header but no participants; export the wave again with its responses", export.header_rows + 1)
    k = len(behaviours)
    tidy = pd.DataFrame({
        "participant_id": np.repeat(np.array(pids, dtype=object), k),
        "wave": wave,
        "behaviour_id": np.tile(np.array(behaviours, dtype=object), len(pids)),
        "score": pd.array(scores.ravel(), dtype="Float64").astype("Int64"),
        "source_row": np.repeat(kept.index.to_numpy(dtype="int64"), k),
    })
    tidy.attrs["id_column"] = id_column  # how messages name the ID column of this file
    tidy.attrs["tool"] = export.tool
    tidy.attrs["rule"] = rule
    return tidy


# --------------------------------------------------------------------------- the folder
def discover_wave_files(data_dir: Path, framework: Framework, log: CleaningLog | None = None, linking: Linking | None = None) -> dict[str, Path]:
    """Map wave -> export file; refuse unknown waves, two files for one wave, odd names.

    Parameters
    ----------
    data_dir : Path
        The cohort's data folder.
    framework : Framework
    log : CleaningLog, optional
        Receives the files ignored (Excel lock files).
    linking : Linking, optional
        The cohort's linking; its ``events`` let one longitudinal REDCap export
        ``self_assessment.csv`` (or ``.xlsx``) hold every wave.

    Returns
    -------
    dict[str, Path]
        Wave ID -> file, in the framework's wave order (one file may serve several waves).

    Raises
    ------
    DataError
        A missing folder, an unknown wave, two files for one wave, an odd name, a
        longitudinal file without ``events`` (or beside per-wave files), or no start or
        end export.
    """
    linking = linking or Linking()
    if not Path(data_dir).is_dir():
        raise DataError(data_dir, "is not a folder; point DATA (LEHC_DATA) at the cohort's data folder")
    found: dict[str, Path] = {}
    wave_names = ", ".join(f"self_assessment_{w}.csv" for w in framework.wave_ids)
    for path in sorted(Path(data_dir).iterdir()):
        if not path.is_file():
            continue
        if path.name.startswith("~$"):  # Excel's lock file while a workbook is open
            if NEAR_WAVE_FILE.match(path.name[2:]) and log is not None:
                log.add(path, "file ignored", "Excel lock file (the workbook was open when the data were copied)")
            continue
        if LONGITUDINAL_FILE.match(path.name):
            found.update(_longitudinal_waves(path, framework, linking, found))
            continue
        match = WAVE_FILE.match(path.name)
        if not match:
            if NEAR_WAVE_FILE.match(path.name):
                raise DataError(path, _odd_name_message(path, framework, wave_names))
            continue
        wave = match.group("wave").lower()
        if wave not in framework.wave_ids:
            raise DataError(path, f"wave {wave!r} is not in framework.yml (known waves: {', '.join(framework.wave_ids)}); rename the file or add the wave to framework.yml")
        if wave in found and LONGITUDINAL_FILE.match(found[wave].name):
            raise DataError(path, f"a per-wave file beside {found[wave].name}, which holds every wave; keep one or the other")
        if wave in found:
            raise DataError(path, f"two files for wave {wave!r} ({found[wave].name} and {path.name}); keep one and move the other out of the data folder")
        found[wave] = path
    for required in ("start", "end"):
        if required not in found:
            raise DataError(Path(data_dir) / f"self_assessment_{required}.csv", f"the {required} wave's export is missing; a cohort needs at least the start and end self-assessments (self_assessment_{required}.csv or .xlsx)")
    return dict(sorted(found.items(), key=lambda kv: framework.wave_ids.index(kv[0])))


def _longitudinal_waves(path: Path, framework: Framework, linking: Linking, found: dict[str, Path]) -> dict[str, Path]:
    """The waves a longitudinal export serves, from cohort.yml's ``events``."""
    if not linking.events:
        raise DataError(path, "one file for every wave needs 'events:' in cohort.yml, naming the wave of each redcap_event_name "
                        "(e.g. 'events: {pre_course_arm_1: start, post_course_arm_1: end}'); add it, or export one file per wave (self_assessment_start.csv, ...)")
    unknown = sorted(set(linking.events.values()) - set(framework.wave_ids))
    if unknown:
        raise DataError(Path(path).parent / "cohort.yml", f"'events' names wave {unknown[0]!r}, which framework.yml does not have (known waves: {', '.join(framework.wave_ids)}); correct it", column="events")
    if found:
        raise DataError(path, f"a file for every wave beside per-wave files ({', '.join(p.name for p in found.values())}); keep one or the other")
    return {wave: path for wave in dict.fromkeys(linking.events.values())}


def _odd_name_message(path: Path, framework: Framework, wave_names: str) -> str:
    stem, suffix = path.stem, path.suffix.lower()
    if suffix == ".xls":
        return f"old Excel .xls format; open it in Excel and save it as .xlsx (Excel Workbook), or {CSV_HINT}"
    guess = re.sub(r"[^0-9a-z]+", "_", stem.lower()).strip("_")
    for wave in framework.wave_ids:
        if guess == f"self_assessment_{wave}" and suffix in (".csv", ".xlsx"):
            return f"file name not recognised; rename it to self_assessment_{wave}{suffix}"
    return (f"file name not recognised as a wave export (expected one of {wave_names}, or .xlsx); "
            "rename it, or move it out of the data folder if it is a copy or backup")


def tidy_ratings_schema(framework: Framework) -> pa.DataFrameSchema:
    """The validated tidy table every later stage reads.

    Parameters
    ----------
    framework : Framework

    Returns
    -------
    pandera.DataFrameSchema
        ``participant_id``, ``wave``, ``behaviour_id``, ``area_id`` (str, in the
        framework) and ``score`` (Int64 on the scale, nullable); unique per participant,
        wave and behaviour; strict and ordered.
    """
    return pa.DataFrameSchema(
        {
            "participant_id": pa.Column(str, pa.Check.str_length(min_value=1)),
            "wave": pa.Column(str, pa.Check.isin(framework.wave_ids)),
            "behaviour_id": pa.Column(str, pa.Check.isin(framework.behaviour_ids)),
            "area_id": pa.Column(str, pa.Check.isin(framework.area_ids)),
            "score": pa.Column("Int64", pa.Check.in_range(framework.scale_min, framework.scale_max), nullable=True),
        },
        unique=["participant_id", "wave", "behaviour_id"],
        strict=True,
        ordered=True,
    )


def participants_schema() -> pa.DataFrameSchema:
    """The participant register: one row per participant, IDs filled in.

    Returns
    -------
    pandera.DataFrameSchema
    """
    return pa.DataFrameSchema(
        {
            "participant_id": pa.Column(
                str,
                pa.Check.str_length(min_value=1, error="participant ID is blank; fill it in or delete the row"),
                unique=True,
                report_duplicates="exclude_first",
            )
        },
        strict=False,
    )


def load_participants(data_dir: Path, log: CleaningLog | None = None) -> pd.DataFrame | None:
    """The optional register ``participants.csv``.

    Parameters
    ----------
    data_dir : Path
    log : CleaningLog, optional

    Returns
    -------
    DataFrame or None
        ``participant_id`` (str, unique) and any other columns (``gender`` normalised
        to female, male or ""); None without the file.

    Raises
    ------
    DataError
        No ``participant_id`` column, a blank or repeated ID.
    """
    path = Path(data_dir) / "participants.csv"
    if not path.exists():
        return None
    table = read_raw_table(path, log)
    if table.shape[0] == 0:
        raise DataError(path, "is empty; it needs a header row with 'participant_id' (and optionally 'gender')")
    raw_headers = table.iloc[0].tolist()
    headers = [h.strip() for h in raw_headers]
    if "participant_id" not in headers:
        raise DataError(path, f"needs a 'participant_id' column (found {', '.join(repr(h) for h in headers)}); head the ID column 'participant_id'", 1)
    keep = [i for i, h in enumerate(headers) if h]  # Excel's trailing empty columns
    frame = table.iloc[1:, keep].copy()
    frame.columns = [headers[i] for i in keep]
    blank = frame.apply(lambda s: s.str.strip().eq("")).all(axis=1)
    frame = frame[~blank]  # wholly empty rows
    id_col = headers.index("participant_id")
    for index, pid in frame["participant_id"].items():
        if pid != pid.strip() and log is not None:
            log.add(path, "ID trimmed", f"stray spaces removed from {pid!r}", int(index) + 1, f"{column_letter(id_col)} (participant_id)")
    frame = frame.apply(lambda s: s.str.strip())
    if "gender" in frame:
        frame["gender"] = normalise_gender(frame["gender"], path, headers.index("gender"), log)
    try:
        participants_schema().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        case = exc.failure_cases.sort_values("index").iloc[0]
        row = int(case["index"]) + 1  # frame keeps the raw table's index: row r is index r - 1
        message = ("participant ID repeated; keep one row per participant" if case["check"] == "field_uniqueness"
                   else "participant ID is blank; fill it in or delete the row")
        raise DataError(path, message, row, f"{column_letter(id_col)} (participant_id)") from None
    return frame.reset_index(drop=True)


#: Spellings of the two genders the contract names; anything else is kept as "other or
#: not stated", never refused: people describe themselves in their own words.
GENDER_SPELLINGS = {"female": "female", "f": "female", "woman": "female", "w": "female",
                    "male": "male", "m": "male", "man": "male"}


def normalise_gender(values: pd.Series, path: Path, column: int, log: CleaningLog | None) -> pd.Series:
    """female / male / "" (not stated or described otherwise), each recoding logged.

    Parameters
    ----------
    values : Series of str
        The register's gender column, indexed like the raw table.
    path : Path
    column : int
        0-based column index (for the log).
    log : CleaningLog or None

    Returns
    -------
    Series of str
    """
    out = values.str.casefold().map(GENDER_SPELLINGS).fillna("")
    if log is not None:
        for index, (raw, new) in enumerate(zip(values, out)):
            if raw != new:
                detail = f"{raw!r} read as {new!r}" if new else f"{raw!r} counted as 'other or not stated'"
                log.add(path, "gender recoded", detail, int(values.index[index]) + 1, f"{column_letter(column)} (gender)")
    return out


def _id_key(pid: str) -> str:
    """How IDs are compared for look-alikes: case, spaces, punctuation, leading zeros."""
    key = re.sub(r"[\s_.\-]+", "", pid).casefold()
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", key)


def _check_participant_ids(tidy: pd.DataFrame, files: dict[str, Path], id_columns: dict[str, str], participants: pd.DataFrame | None) -> None:
    """Every ID in the register (if any); no two spellings of one ID across the waves."""
    firsts = tidy.drop_duplicates(["wave", "participant_id"])[["wave", "participant_id", "source_row"]]
    if participants is not None:
        known = list(participants["participant_id"])
        keys = {_id_key(p): p for p in known}
        for wave, path in files.items():
            rows = firsts[firsts["wave"] == wave]
            unknown = rows[~rows["participant_id"].isin(known)]
            if len(unknown):
                pid, row = unknown.iloc[0]["participant_id"], int(unknown.iloc[0]["source_row"])
                also = f" (also: {', '.join(unknown['participant_id'].iloc[1:])})" if len(unknown) > 1 else ""
                fix = "correct the ID, or add the participant to participants.csv"
                if _id_key(pid) in keys:
                    fix = f"did you mean {keys[_id_key(pid)]!r}? {fix[0].upper()}{fix[1:]}"
                raise DataError(path, f"participant {pid!r}{also} is not in participants.csv; {fix}", row, id_columns[wave])
        return
    spelling: dict[str, tuple[str, str, int]] = {}
    for record in firsts.itertuples(index=False):
        key = _id_key(record.participant_id)
        if key in spelling and spelling[key][0] != record.participant_id:
            other, other_wave, other_row = spelling[key]
            raise DataError(
                files[record.wave],
                f"participant {record.participant_id!r} looks like {other!r} in {files[other_wave].name} (row {other_row}) but is spelt differently, "
                "so they would count as two people; use the same ID in every wave (or add a participants.csv listing the IDs)",
                int(record.source_row), id_columns[record.wave],
            )
        spelling.setdefault(key, (record.participant_id, record.wave, int(record.source_row)))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest insertions, deletions and substitutions from ``a`` to ``b``.

    Parameters
    ----------
    a, b : str

    Returns
    -------
    int

    Notes
    -----
    Levenshtein, V. I. (1966). Binary codes capable of correcting deletions, insertions
    and reversals. *Soviet Physics Doklady* 10, 707-710; the two-row dynamic programme
    of Wagner and Fischer (1974), *JACM* 21, 168-173.
    """
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def _code_key(code: str) -> str:
    """How self-generated codes are compared: case and spaces ignored."""
    return re.sub(r"\s+", "", code).casefold()


def link_waves(waves: dict[str, pd.DataFrame], files: dict[str, Path], linking: Linking, log: CleaningLog) -> tuple[dict[str, pd.DataFrame], dict]:
    """Link the waves person to person as declared, and count the matches.

    Parameters
    ----------
    waves : dict[str, DataFrame]
        Wave ID -> that wave's tidy rows from :func:`read_wave_export` (``participant_id``
        holds the link key), in the framework's wave order.
    files : dict[str, Path]
        Wave ID -> its export, for messages.
    linking : Linking
        The declared rule (``by: code``, ``self_generated_code``, ``none``, or None for
        the layout's default).
    log : CleaningLog
        Receives one ``waves linked`` entry when the rule is not the contract layout's default.

    Returns
    -------
    waves : dict[str, DataFrame]
        As given, except that under ``self_generated_code`` a later wave's code within
        ``max_edits`` of exactly one unmatched first-wave code takes that code.
    summary : dict
        ``tool``, ``by`` (the rule), ``column``, ``people`` per wave, ``matched`` (in
        the first wave and at least one other), ``unmatched`` per wave and, for
        self-generated codes, ``by_edit_distance`` (distance -> number of matches;
        never the codes themselves) and ``ambiguous``.

    Raises
    ------
    DataError
        A wave in which nobody can be matched to any other wave (file, first row and
        code column named).
    """
    order = list(waves)
    first = order[0]
    tool = waves[first].attrs.get("tool", "contract")
    rule = waves[first].attrs.get("rule", "participant_id")
    by = linking.by or ("record_id" if tool == "redcap" else "participant_id")
    summary: dict = {"tool": tool, "by": by, "column": rule, "people": {w: int(t["participant_id"].nunique()) for w, t in waves.items()}}
    if linking.by == "none":
        summary.update(matched=0, unmatched=dict(summary["people"]))
        log.add(files[first], "waves not linked", "cohort.yml declares 'linking: {by: none}': the waves are compared as independent samples; nobody is paired "
                f"({', '.join(f'{n} at {w}' for w, n in summary['people'].items())})")
        return waves, summary
    if linking.by == "self_generated_code":
        reference = {_code_key(c): c for c in waves[first]["participant_id"].unique()}
        distances: dict[int, int] = {}
        ambiguous = 0
        for wave in order[1:]:
            codes = waves[wave]["participant_id"].unique()
            exact = {c: reference[_code_key(c)] for c in codes if _code_key(c) in reference}
            distances[0] = distances.get(0, 0) + len(exact)
            free = [k for k in reference if reference[k] not in exact.values()]
            renamed = dict(exact)
            claimed: set[str] = set()
            for code in codes:
                if code in exact:
                    continue
                near = [(edit_distance(_code_key(code), k), k) for k in free]
                near = sorted(d for d in near if d[0] <= linking.max_edits)
                if not near:
                    continue
                if len(near) > 1 and near[1][0] == near[0][0] or near[0][1] in claimed:
                    ambiguous += 1
                    continue
                distance, key = near[0]
                claimed.add(key)
                renamed[code] = reference[key]
                distances[distance] = distances.get(distance, 0) + 1
            waves[wave] = waves[wave].assign(participant_id=waves[wave]["participant_id"].map(lambda c: renamed.get(c, c)))
            waves[wave].attrs = dict(waves[first].attrs) | {"id_column": waves[wave].attrs.get("id_column")}
        summary["by_edit_distance"] = dict(sorted(distances.items()))
        summary["ambiguous"] = ambiguous
    keys = {w: set(t["participant_id"].unique()) for w, t in waves.items()}  # distinct IDs first: a set of every row took seconds
    for wave in reversed(order):  # a later wave is the one that fails to match the earlier
        others = set().union(*(keys[o] for o in order if o != wave))
        if keys[wave] and others and not keys[wave] & others:
            frame = waves[wave]
            raise DataError(files[wave], f"nobody in this wave can be matched to another wave by {rule!r}: no code in it appears in "
                            f"{', '.join(files[o].name for o in order if o != wave)}; check that {rule!r} holds the same code for a person in every wave "
                            f"(a response number or a row count is not a person), or declare 'linking: {{by: none}}' in cohort.yml to compare the waves as independent samples",
                            int(frame["source_row"].min()), frame.attrs.get("id_column"))
    matched = keys[first] & set().union(*(keys[o] for o in order[1:]))
    summary["matched"] = len(matched)
    summary["unmatched"] = {w: len(keys[w] - set().union(*(keys[o] for o in order if o != w))) for w in order}
    if tool != "contract" or linking.by is not None:
        detail = f"linked by {by} (column {rule!r}): {len(matched)} people matched between {first} and a later wave; not matched: " + \
            ", ".join(f"{n} at {w}" for w, n in summary["unmatched"].items())
        if "by_edit_distance" in summary:
            detail += "; matches by edit distance: " + ", ".join(f"{d}: {n}" for d, n in summary["by_edit_distance"].items()) + \
                f"; {summary['ambiguous']} code(s) near two others left unmatched"
        log.add(files[first], "waves linked", detail)
    return waves, summary


def load_self_assessment(data_dir: Path, framework: Framework) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """All waves, read, checked and linked as ``cohort.yml`` declares.

    Parameters
    ----------
    data_dir : Path
        The cohort's data folder (data/README.md).
    framework : Framework

    Returns
    -------
    tidy : DataFrame
        One row per participant, wave and behaviour: ``participant_id``, ``wave``,
        ``behaviour_id``, ``area_id``, ``score`` (Int64 on the framework's scale, NA =
        not answered). ``tidy.attrs['linking']`` records how the waves were linked
        and the match counts (:func:`link_waves`).
    log : DataFrame
        The cleaning log: ``file``, ``row``, ``column``, ``action``, ``detail``.
    participants : DataFrame or None
        The register ``participants.csv``, if given.

    Raises
    ------
    DataError
        Anything that breaks the contract, located by file, row and column.
    """
    data_dir = Path(data_dir)
    log = CleaningLog()
    linking = load_linking(data_dir)
    files = discover_wave_files(data_dir, framework, log, linking)
    waves = {w: read_wave_export(p, w, framework, log, linking) for w, p in files.items()}
    waves, summary = link_waves(waves, files, linking, log)
    id_columns = {w: t.attrs["id_column"] for w, t in waves.items()}
    tidy = pd.concat(list(waves.values()), ignore_index=True)
    tidy.attrs = {}
    participants = load_participants(data_dir, log)
    if linking.by in (None, "code"):
        _check_participant_ids(tidy, files, id_columns, participants)
    tidy = tidy.drop(columns="source_row")
    # Lookups through the behaviour's row in the framework (every behaviour was checked
    # against it above), in C: Series.map on text converted a million results one by one.
    behaviour_row = pd.Index(framework.behaviours["behaviour_id"]).get_indexer(tidy["behaviour_id"])
    tidy.insert(3, "area_id", framework.behaviours["area_id"].to_numpy(dtype=object)[behaviour_row])
    wave_order = pd.Index(framework.wave_ids).get_indexer(tidy["wave"])
    position = framework.behaviours["position"].to_numpy()[behaviour_row]
    tidy = (
        tidy.assign(_w=wave_order, _b=position)
        .sort_values(["_w", "participant_id", "_b"], kind="stable")
        .drop(columns=["_w", "_b"])
        .reset_index(drop=True)
    )
    try:
        tidy = tidy_ratings_schema(framework).validate(tidy)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as exc:  # the checks above should make this unreachable
        raise DataError(data_dir, f"the tidy ratings table failed validation ({exc}); this is a fault in lehc_report.inputs.self_assessment, please report it with the data folder") from exc
    tidy.attrs["linking"] = summary
    return tidy, log.to_frame(), participants
