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

import pandas as pd
import pandera.pandas as pa

from lehc_report.errors import DataError
from lehc_report.inputs.framework import Framework, normalise_header

MISSING_MARKERS = frozenset({"", "n/a", "na", "-", "not answered"})
PARTICIPANT_HEADERS = frozenset({"participant id", "participant", "id", "respondent id"})
WAVE_FILE = re.compile(r"^self_assessment_(?P<wave>[a-z0-9_]+)\.(?P<ext>csv|xlsx)$", re.IGNORECASE)
# Names a person would give a self-assessment export that the contract does not accept
# ("self_assessment_end (1).csv", "self-assessment_end.xls", ...): refused, not skipped.
NEAR_WAVE_FILE = re.compile(r"^self[ _-]?assessment", re.IGNORECASE)
# A score as typed: a whole number, or one with a decimal part that Excel may add ("7.0").
SCORE_TEXT = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]+)?$")
CSV_HINT = "save it from the spreadsheet as 'CSV UTF-8 (Comma delimited)'"


@dataclass
class CleaningLog:
    """What the reader tolerated, so that the report can say so."""

    entries: list[dict] = field(default_factory=list)

    def add(self, file: Path, action: str, detail: str, row: int | None = None, column: str | None = None):
        self.entries.append(
            {"file": Path(file).name, "row": row, "column": column, "action": action, "detail": detail}
        )

    def to_frame(self) -> pd.DataFrame:
        log = pd.DataFrame(self.entries, columns=["file", "row", "column", "action", "detail"])
        # Whole-number rows ("12", not "12.0") and no "NaN" where an entry concerns a whole file.
        return log.astype({"row": "Int64"}).fillna({"column": ""})


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based column index (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def number_ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 9] -> '3-5, 9' (for log details)."""
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
    if len(sheets) > 1 and log is not None:
        others = ", ".join(repr(s.title) for s in sheets[1:])
        log.add(path, "first sheet read", f"read sheet {sheets[0].title!r}; the workbook's other sheet(s) {others} were not read")
    return rows


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
    """
    path = Path(path)
    rows = _read_xlsx_rows(path, log) if path.suffix.lower() == ".xlsx" else _read_csv_rows(path, log)
    width = max((len(r) for r in rows), default=0)
    table = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=range(width), dtype=object)
    return table.fillna("").astype(str)


# --------------------------------------------------------------------------- one wave
def parse_score(cell: str, scale: tuple[int, int], path: Path, row: int, column: str) -> int | None:
    """A cell -> whole-number score, None for a missing-value marker; DataError otherwise."""
    text = cell.strip()
    if text.lower() in MISSING_MARKERS:
        return None
    if not SCORE_TEXT.match(text):
        raise DataError(path, f"{text!r} is not a score; enter a whole number from {scale[0]} to {scale[1]}, or leave the cell blank if not answered", row, column)
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


def read_wave_export(path: Path, wave: str, framework: Framework, log: CleaningLog) -> pd.DataFrame:
    """One wave's export -> tidy rows (participant_id, wave, behaviour_id, score, source_row)."""
    table = read_raw_table(path, log)
    if table.shape[0] == 0:
        raise DataError(path, "has no header row; export it again from the source spreadsheet")
    headers = table.iloc[0].tolist()
    if not any(h.strip() for h in headers):
        raise DataError(path, "row 1 is empty; the header (participant_id, then the behaviour IDs) must be in row 1: delete the rows above it", 1)
    body = table.iloc[1:]

    first = headers[0].strip()
    id_headers = {normalise_header(h) for h in PARTICIPANT_HEADERS}
    if normalise_header(first) not in id_headers:
        below = [r for r in range(1, min(len(table), 10)) if normalise_header(table.iat[r, 0]) in id_headers]
        if below:
            raise DataError(path, f"the header (participant_id, then the behaviour IDs) must be in row 1 but is in row {below[0] + 1}; delete the title row(s) above it", 1, "A")
        raise DataError(path, f"the first column must hold the participant ID, found header {first!r}; move the ID column to the front and head it 'participant_id'", 1, "A")
    id_column = f"A ({first})"

    lookup = framework.header_lookup()
    columns: dict[int, str] = {}  # column index -> behaviour ID
    where: dict[str, str] = {}  # behaviour ID -> column letter
    empty_columns: list[int] = []
    for index, header in enumerate(headers[1:], start=1):
        letter = column_letter(index)
        label = header.strip()
        if not label:
            filled = body[index].str.strip().to_numpy().nonzero()[0]
            if len(filled) == 0:  # Excel often leaves columns that are entirely empty
                empty_columns.append(index)
                continue
            row = int(filled[0]) + 2
            raise DataError(path, f"a column without a header holds {body[index].iloc[filled[0]].strip()!r}; head the column with a behaviour ID from framework.yml, or delete the stray cell (an extra comma in the row?)", row, letter)
        if header != label:
            log.add(path, "header trimmed", f"stray spaces removed from {header!r}", 1, letter)
        behaviour = lookup.get(normalise_header(label))
        if behaviour is None:
            raise DataError(path, f"unknown behaviour column {label!r}{_suggest(label, framework)}; head it with a behaviour ID or label from framework.yml, or remove the column", 1, letter)
        if behaviour in where:
            raise DataError(path, f"behaviour {behaviour} appears in two columns ({where[behaviour]} and {letter}); keep one of them and delete the other", 1, letter)
        if label != behaviour:
            log.add(path, "header matched by label", f"{label!r} read as {behaviour}", 1, letter)
        columns[index], where[behaviour] = behaviour, letter
    if empty_columns:
        letters = [column_letter(i) for i in empty_columns]
        shown = letters[0] if len(letters) == 1 else f"{letters[0]} to {letters[-1]}" if len(letters) > 2 else " and ".join(letters)
        log.add(path, "empty column ignored", f"{len(letters)} column(s) with no header and no data ({shown})", 1, letters[0])
    missing = [b for b in framework.behaviour_ids if b not in where]
    if missing:
        raise DataError(path, f"missing behaviour column(s) {', '.join(missing)}; every behaviour of the framework needs a column (leave its cells blank if not answered)", 1)

    rows, seen, empty_rows, decimals = [], {}, [], []
    scale = (framework.scale_min, framework.scale_max)
    for offset, values in enumerate(body.itertuples(index=False)):
        row_number = offset + 2
        cells = list(values)
        if not any(c.strip() for c in cells):
            empty_rows.append(row_number)
            continue
        pid_raw = cells[0]
        pid = pid_raw.strip()
        if not pid:
            raise DataError(path, "participant ID is blank; fill it in (the anonymous code, e.g. P10) or delete the row", row_number, id_column)
        if pid != pid_raw:
            log.add(path, "ID trimmed", f"stray spaces removed from {pid_raw!r}", row_number, id_column)
        if pid in seen:
            raise DataError(path, f"participant {pid!r} appears twice in this wave (rows {seen[pid]} and {row_number}); keep one row per participant", row_number, id_column)
        seen[pid] = row_number
        for index, behaviour in columns.items():
            cell = cells[index]
            column = f"{column_letter(index)} ({behaviour})"
            score = parse_score(cell, scale, path, row_number, column)
            if score is None:
                log.add(path, "missing rating", f"{cell.strip()!r} read as not answered", row_number, behaviour)
            elif "." in cell:
                decimals.append((row_number, behaviour, cell.strip()))
            rows.append((pid, wave, behaviour, score, row_number))
    if empty_rows:
        log.add(path, "empty row ignored", f"{len(empty_rows)} row(s) with no participant ID and no scores (rows {number_ranges(empty_rows)})", empty_rows[0])
    if decimals:
        row, behaviour, text = decimals[0]
        log.add(path, "decimal score read as whole", f"{len(decimals)} score(s) written with a decimal point, e.g. {text!r}, read as whole numbers", row, behaviour)
    if not rows:
        raise DataError(path, "has a header but no participants; export the wave again with its responses", 2)
    tidy = pd.DataFrame(rows, columns=["participant_id", "wave", "behaviour_id", "score", "source_row"])
    tidy["score"] = tidy["score"].astype("Int64")
    tidy.attrs["id_column"] = id_column  # how messages name the ID column of this file
    return tidy


# --------------------------------------------------------------------------- the folder
def discover_wave_files(data_dir: Path, framework: Framework, log: CleaningLog | None = None) -> dict[str, Path]:
    """Map wave -> export file; refuse unknown waves, two files for one wave, odd names."""
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
        match = WAVE_FILE.match(path.name)
        if not match:
            if NEAR_WAVE_FILE.match(path.name):
                raise DataError(path, _odd_name_message(path, framework, wave_names))
            continue
        wave = match.group("wave").lower()
        if wave not in framework.wave_ids:
            raise DataError(path, f"wave {wave!r} is not in framework.yml (known waves: {', '.join(framework.wave_ids)}); rename the file or add the wave to framework.yml")
        if wave in found:
            raise DataError(path, f"two files for wave {wave!r} ({found[wave].name} and {path.name}); keep one and move the other out of the data folder")
        found[wave] = path
    for required in ("start", "end"):
        if required not in found:
            raise DataError(Path(data_dir) / f"self_assessment_{required}.csv", f"the {required} wave's export is missing; a cohort needs at least the start and end self-assessments (self_assessment_{required}.csv or .xlsx)")
    return dict(sorted(found.items(), key=lambda kv: framework.wave_ids.index(kv[0])))


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
    """The validated tidy table every later stage reads."""
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
    """The participant register: one row per participant, IDs filled in."""
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
    """female / male / "" (not stated or described otherwise), each recoding logged."""
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


def load_self_assessment(data_dir: Path, framework: Framework) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """All waves -> (tidy ratings, cleaning log, participant register or None)."""
    data_dir = Path(data_dir)
    log = CleaningLog()
    files = discover_wave_files(data_dir, framework, log)
    waves = {w: read_wave_export(p, w, framework, log) for w, p in files.items()}
    id_columns = {w: t.attrs["id_column"] for w, t in waves.items()}
    tidy = pd.concat(list(waves.values()), ignore_index=True)
    tidy.attrs = {}
    participants = load_participants(data_dir, log)
    _check_participant_ids(tidy, files, id_columns, participants)
    tidy = tidy.drop(columns="source_row")
    areas = framework.behaviours.set_index("behaviour_id")["area_id"]
    tidy.insert(3, "area_id", tidy["behaviour_id"].map(areas))
    order = {w: i for i, w in enumerate(framework.wave_ids)}
    position = framework.behaviours.set_index("behaviour_id")["position"]
    tidy = (
        tidy.assign(_w=tidy["wave"].map(order), _b=tidy["behaviour_id"].map(position))
        .sort_values(["_w", "participant_id", "_b"], kind="stable")
        .drop(columns=["_w", "_b"])
        .reset_index(drop=True)
    )
    try:
        tidy = tidy_ratings_schema(framework).validate(tidy)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as exc:  # the checks above should make this unreachable
        raise DataError(data_dir, f"the tidy ratings table failed validation ({exc}); this is a fault in lehc_report.inputs.self_assessment, please report it with the data folder") from exc
    return tidy, log.to_frame(), participants
