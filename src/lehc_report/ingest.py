"""Read and validate the self-assessment exports; produce the tidy ratings table.

The contract (documented in ``data/README.md``): one file per wave named
``self_assessment_<wave>.csv`` or ``.xlsx``; the first column holds the participant
ID, every other column one behaviour of the framework (headed by its ID or its
label).  Scores are whole numbers on the framework's scale; a blank, "N/A", "NA",
"-" or "not answered" is a missing rating.

Everything else stops with a :class:`DataError` naming the file, the spreadsheet row
(the header is row 1) and the column, and saying what to do.  Nothing is dropped or
coerced silently: what the reader does tolerate (a byte-order mark, stray spaces,
headers given as labels, missing-value markers, wholly empty rows) is recorded in
the cleaning log that the report prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from .framework import Framework, normalise_header

MISSING_MARKERS = frozenset({"", "n/a", "na", "-", "not answered"})
PARTICIPANT_HEADERS = frozenset({"participant id", "participant", "id", "respondent id"})
WAVE_FILE = re.compile(r"^self_assessment_(?P<wave>[a-z0-9_]+)\.(?P<ext>csv|xlsx)$", re.IGNORECASE)


class DataError(ValueError):
    """Invalid input, located by file, row and column, with what to do about it."""

    def __init__(self, file: Path | str, message: str, row: int | None = None, column: str | None = None):
        self.file, self.row, self.column = str(file), row, column
        where = [Path(self.file).name]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message} [{self.file}]")


@dataclass
class CleaningLog:
    """What the reader tolerated, so that the report can say so."""

    entries: list[dict] = field(default_factory=list)

    def add(self, file: Path, action: str, detail: str, row: int | None = None, column: str | None = None):
        self.entries.append(
            {"file": Path(file).name, "row": row, "column": column, "action": action, "detail": detail}
        )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.entries, columns=["file", "row", "column", "action", "detail"])


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based column index (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_raw_table(path: Path) -> pd.DataFrame:
    """Read a CSV or XLSX export as text cells, exactly as typed (no type guessing)."""
    if path.suffix.lower() == ".xlsx":
        try:
            table = pd.read_excel(path, dtype=str, header=None, keep_default_na=False, na_filter=False)
        except Exception as exc:  # openpyxl raises several types for damaged files
            raise DataError(path, f"cannot be read as an Excel workbook ({exc}); re-save it as .xlsx or CSV UTF-8") from exc
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
        except UnicodeDecodeError as exc:
            raise DataError(path, "is not UTF-8 text; save it from the spreadsheet as 'CSV UTF-8'") from exc
        if not text.strip():
            raise DataError(path, "is empty; export the wave's responses again")
        from io import StringIO

        try:
            table = pd.read_csv(StringIO(text), dtype=str, header=None, keep_default_na=False, na_filter=False, skip_blank_lines=False)
        except pd.errors.ParserError as exc:
            raise DataError(path, f"is not a well-formed CSV ({exc}); check for stray commas or quotes") from exc
    table = table.fillna("").astype(str)
    table.columns = range(table.shape[1])
    return table


def parse_score(cell: str, scale: tuple[int, int], path: Path, row: int, column: str) -> int | None:
    text = cell.strip()
    if text.lower() in MISSING_MARKERS:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise DataError(path, f"{text!r} is not a score; enter a whole number from {scale[0]} to {scale[1]}, or leave it blank if not answered", row, column) from None
    if value != value.to_integral_value():
        raise DataError(path, f"{text!r} is not a whole number; scores are whole numbers from {scale[0]} to {scale[1]}", row, column)
    if not scale[0] <= value <= scale[1]:
        raise DataError(path, f"score {text} is outside {scale[0]}..{scale[1]}; correct it in the source export", row, column)
    return int(value)


def read_wave_export(path: Path, wave: str, framework: Framework, log: CleaningLog) -> pd.DataFrame:
    """One wave's export -> tidy rows (participant_id, wave, behaviour_id, score)."""
    table = read_raw_table(path)
    if table.shape[0] == 0:
        raise DataError(path, "has no header row")
    headers = [str(h) for h in table.iloc[0].tolist()]
    # Excel often leaves trailing columns that are entirely empty.
    while headers and not headers[-1].strip() and not table.iloc[1:, len(headers) - 1].str.strip().any():
        headers.pop()
    body = table.iloc[1:, : len(headers)]

    first = headers[0] if headers else ""
    if normalise_header(first) not in {normalise_header(h) for h in PARTICIPANT_HEADERS}:
        raise DataError(path, f"the first column must hold the participant ID (headed 'participant_id'), found {first.strip()!r}", 1, "A")

    lookup = framework.header_lookup()
    columns: dict[int, str] = {}
    for index, header in enumerate(headers[1:], start=1):
        label = header.strip()
        if header != label:
            log.add(path, "header trimmed", f"stray spaces removed from {header!r}", 1, column_letter(index))
        behaviour = lookup.get(normalise_header(label))
        if behaviour is None:
            raise DataError(path, f"unknown behaviour column {label!r}; use a behaviour ID or label from framework.yml, or remove the column", 1, column_letter(index))
        if behaviour in columns.values():
            raise DataError(path, f"behaviour {behaviour} appears in more than one column; keep one", 1, column_letter(index))
        if label != behaviour:
            log.add(path, "header matched by label", f"{label!r} read as {behaviour}", 1, column_letter(index))
        columns[index] = behaviour
    missing = [b for b in framework.behaviour_ids if b not in columns.values()]
    if missing:
        raise DataError(path, f"missing behaviour column(s) {', '.join(missing)}; every behaviour of the framework needs a column (blank cells for unanswered)", 1)

    rows, seen = [], {}
    scale = (framework.scale_min, framework.scale_max)
    for offset, values in enumerate(body.itertuples(index=False)):
        row_number = offset + 2
        cells = [str(v) for v in values]
        if not any(c.strip() for c in cells):
            log.add(path, "empty row ignored", "row has no participant ID and no scores", row_number)
            continue
        pid_raw = cells[0]
        pid = pid_raw.strip()
        if not pid:
            raise DataError(path, "participant ID is blank; fill it in (anonymous code, e.g. P10) or delete the row", row_number, first.strip() or "A")
        if pid != pid_raw:
            log.add(path, "ID trimmed", f"stray spaces removed from {pid_raw!r}", row_number, first.strip())
        if pid in seen:
            raise DataError(path, f"participant {pid!r} appears twice in this wave (rows {seen[pid]} and {row_number}); keep one row per participant", row_number, first.strip())
        seen[pid] = row_number
        for index, behaviour in columns.items():
            cell = cells[index]
            score = parse_score(cell, scale, path, row_number, behaviour)
            if score is None:
                log.add(path, "missing rating", f"{cell.strip()!r} read as not answered", row_number, behaviour)
            rows.append((pid, wave, behaviour, score))
    if not rows:
        raise DataError(path, "has a header but no participants")
    tidy = pd.DataFrame(rows, columns=["participant_id", "wave", "behaviour_id", "score"])
    tidy["score"] = tidy["score"].astype("Int64")
    return tidy


def discover_wave_files(data_dir: Path, framework: Framework) -> dict[str, Path]:
    """Map wave -> export file; refuse unknown waves and two files for one wave."""
    found: dict[str, Path] = {}
    for path in sorted(Path(data_dir).iterdir()):
        match = WAVE_FILE.match(path.name)
        if not match:
            continue
        wave = match.group("wave").lower()
        if wave not in framework.wave_ids:
            raise DataError(path, f"wave {wave!r} is not in framework.yml (known waves: {', '.join(framework.wave_ids)}); rename the file or add the wave")
        if wave in found:
            raise DataError(path, f"two files for wave {wave!r} ({found[wave].name} and {path.name}); keep one")
        found[wave] = path
    for required in ("start", "end"):
        if required not in found:
            raise DataError(Path(data_dir) / f"self_assessment_{required}.csv", f"the {required} wave's export is missing; a cohort needs at least the start and end self-assessments")
    return dict(sorted(found.items(), key=lambda kv: framework.wave_ids.index(kv[0])))


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


def load_participants(data_dir: Path) -> pd.DataFrame | None:
    path = Path(data_dir) / "participants.csv"
    if not path.exists():
        return None
    table = read_raw_table(path)
    headers = [h.strip() for h in table.iloc[0]]
    if "participant_id" not in headers:
        raise DataError(path, "needs a 'participant_id' column", 1)
    frame = table.iloc[1:].copy()
    frame.columns = headers
    frame = frame.apply(lambda s: s.str.strip())
    for offset, pid in enumerate(frame["participant_id"]):
        if not pid:
            raise DataError(path, "participant ID is blank", offset + 2, "participant_id")
    dupes = frame["participant_id"].duplicated()
    if dupes.any():
        row = int(dupes.to_numpy().nonzero()[0][0]) + 2
        raise DataError(path, "participant ID repeated; one row per participant", row, "participant_id")
    return frame.reset_index(drop=True)


def load_self_assessment(data_dir: Path, framework: Framework) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """All waves -> (tidy ratings, cleaning log, participant register or None)."""
    log = CleaningLog()
    files = discover_wave_files(Path(data_dir), framework)
    tidy = pd.concat([read_wave_export(p, w, framework, log) for w, p in files.items()], ignore_index=True)
    participants = load_participants(Path(data_dir))
    if participants is not None:
        known = set(participants["participant_id"])
        for wave, path in files.items():
            unknown = sorted(set(tidy.loc[tidy["wave"] == wave, "participant_id"]) - known)
            if unknown:
                raise DataError(path, f"participant(s) {', '.join(unknown)} are not in participants.csv; add them to the register")
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
    tidy = tidy_ratings_schema(framework).validate(tidy)
    return tidy, log.to_frame(), participants
