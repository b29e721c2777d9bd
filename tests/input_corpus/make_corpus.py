"""Generate the corpus of messy and bad self-assessment exports (tests/input_corpus/).

Each case is a small cohort folder ``<case>/`` holding the export file(s) as a person
might hand them over: Excel workbooks, byte-order marks, Windows line endings, typos.
Files are written as exact bytes (CSV) or with openpyxl (XLSX), so what is tested is
really in the file.  The expected outcome of every case is in ``cases.yml`` (written
by hand, not by this script); ``tests/test_input_corpus.py`` runs them.

    python tests/input_corpus/make_corpus.py            # rewrite the committed corpus
    python tests/input_corpus/make_corpus.py OUT_DIR    # write it somewhere else

Only the case folders named below are (re)written.  The base data: participants
P01..P04 at the start and end waves, every behaviour of ``data/framework.yml``,
score = 1 + (3p + 5j + 2w) mod 10 for participant p, behaviour index j, wave index w.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for the shared helper
from xlsx_helpers import fix_xlsx_timestamps  # noqa: E402

import yaml
from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
FRAMEWORK = HERE.parents[1] / "data" / "framework.yml"
_spec = yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))
IDS = [b["id"] for a in _spec["areas"] for b in a["behaviours"]]
LABELS = [b["label"] for a in _spec["areas"] for b in a["behaviours"]]
WAVES = [w["id"] for w in _spec["waves"]]
BASE = ["P01", "P02", "P03", "P04"]


def score(pid: str, j: int, wave: str) -> int:
    return 1 + (3 * int(pid[1:]) + 5 * j + 2 * WAVES.index(wave)) % 10


def header(first: str = "participant_id", names: list[str] | None = None) -> list[str]:
    return [first, *(names or IDS)]


def rows(wave: str, pids: list[str] = BASE) -> list[list[str]]:
    return [[p, *(str(score(p, j, wave)) for j in range(len(IDS)))] for p in pids]


def table(wave: str, pids: list[str] = BASE) -> list[list[str]]:
    return [header(), *rows(wave, pids)]


def csv_text(lines: list[list[str]], newline: str = "\n", quote_all: bool = False) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerows(lines)
    return out.getvalue()


def write_bytes(folder: Path, name: str, data: bytes) -> None:
    (folder / name).write_bytes(data)


def write_csv(folder: Path, name: str, lines: list[list[str]], newline: str = "\n", encoding: str = "utf-8",
              bom: bool = False, quote_all: bool = False) -> None:
    data = csv_text(lines, newline, quote_all).encode(encoding)
    write_bytes(folder, name, (b"\xef\xbb\xbf" if bom else b"") + data)


def as_cell(text: str):
    """Digits become numbers, as Excel stores them; everything else stays text."""
    return int(text) if text.lstrip("-").isdigit() else (text if text != "" else None)


def write_xlsx(folder: Path, name: str, lines: list[list], numbers: bool = True, extra_sheets: tuple[str, ...] = (),
               styled_empty: str | None = None) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Responses"
    for line in lines:
        ws.append([as_cell(c) if numbers and isinstance(c, str) else c for c in line])
    if styled_empty:  # a formatted but empty cell: Excel then reports a larger used range
        ws[styled_empty].font = Font(bold=True)
    for title in extra_sheets:
        wb.create_sheet(title).append(["Notes kept by the administrator"])
    wb.properties.creator = "make_corpus.py"
    wb.save(folder / name)
    fix_xlsx_timestamps(folder / name)



def standard(folder: Path, skip: tuple[str, ...] = ()) -> None:
    for wave in ("start", "end"):
        if wave not in skip:
            write_csv(folder, f"self_assessment_{wave}.csv", table(wave))


def register(folder: Path, pids: list[str]) -> None:
    genders = ["female", "male"]
    write_csv(folder, "participants.csv", [["participant_id", "gender"], *([p, genders[i % 2]] for i, p in enumerate(pids))])


def with_cell(lines: list[list[str]], row: int, col: int, value: str) -> list[list[str]]:
    """Copy of ``lines`` with spreadsheet row ``row`` (1 = header), 0-based column ``col`` set."""
    out = [list(line) for line in lines]
    out[row - 1][col] = value
    return out


def col(behaviour: str) -> int:
    return 1 + IDS.index(behaviour)


# --------------------------------------------------------------------------- accepted
def xlsx_instead_of_csv(f):
    for wave in ("start", "end"):
        write_xlsx(f, f"self_assessment_{wave}.xlsx", table(wave))


def utf8_bom(f):
    for wave in ("start", "end"):
        write_csv(f, f"self_assessment_{wave}.csv", table(wave), bom=True)


def crlf_line_endings(f):
    for wave in ("start", "end"):
        write_csv(f, f"self_assessment_{wave}.csv", table(wave), newline="\r\n")


def old_mac_line_endings(f):
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", table("end"), newline="\r")


def stray_spaces(f):
    start = table("start")
    start[0][1], start[0][2] = " SI01", "SI02 "
    start[1][0], start[2][0] = " P01", "P02 "
    end = table("end")
    end[3][0] = "P03  "
    write_csv(f, "self_assessment_start.csv", start)
    write_csv(f, "self_assessment_end.csv", end)


def non_breaking_spaces(f):
    start = table("start")
    start[0][3] = "SI03\u00a0"
    start[3][0] = "\u00a0P03"
    write_csv(f, "self_assessment_start.csv", start)
    write_csv(f, "self_assessment_end.csv", table("end"))


def label_headers(f):
    start = [header(names=LABELS), *rows("start")]
    odd = []
    for j, (bid, label) in enumerate(zip(IDS, LABELS)):
        odd.append(f"{bid}: {label.upper()}" if j % 2 else f"{label.lower()}?")
    end = [header(names=odd), *rows("end")]
    write_csv(f, "self_assessment_start.csv", start)
    write_csv(f, "self_assessment_end.csv", end)


def missing_markers(f):
    start = table("start")
    for row, bid, marker in ((2, "SI01", "N/A"), (3, "SI02", "-"), (4, "SI03", ""), (5, "SI04", "not answered")):
        start = with_cell(start, row, col(bid), marker)
    end = table("end")
    for row, bid, marker in ((2, "SI05", "NA"), (3, "DT01", "n/a"), (4, "FO08", " Not Answered ")):
        end = with_cell(end, row, col(bid), marker)
    write_csv(f, "self_assessment_start.csv", start)
    write_csv(f, "self_assessment_end.csv", end)


def all_ratings_missing_for_one_participant(f):
    end = table("end")
    end[4] = ["P04", *([""] * len(IDS))]
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", end)


def excel_trailing_empty_csv(f):
    start = [line + [""] for line in table("start")] + [[""] * (len(IDS) + 2)]
    end = [line + ["", ""] for line in table("end")] + [[""] * (len(IDS) + 3)] * 2
    write_csv(f, "self_assessment_start.csv", start)
    write_csv(f, "self_assessment_end.csv", end)


def excel_trailing_empty_xlsx(f):
    write_xlsx(f, "self_assessment_start.xlsx", table("start"), styled_empty="AO8")
    write_csv(f, "self_assessment_end.csv", table("end"))


def blank_lines_between_rows(f):
    text = csv_text(table("end")).splitlines(keepends=True)
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_bytes(f, "self_assessment_end.csv", "".join(text[:2] + ["\n"] + text[2:4] + ["\n"] + text[4:]).encode())


def one_wave_only(f):
    write_csv(f, "self_assessment_start.csv", table("start", BASE + ["P05"]))
    write_csv(f, "self_assessment_end.csv", table("end", BASE + ["P06"]))


def follow_up_wave(f):
    standard(f)
    write_csv(f, "self_assessment_follow_up.csv", table("follow_up", ["P02", "P03", "P04"]))


def row_order_differs(f):
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", [header(), *reversed(rows("end"))])


def excel_decimal_scores(f):
    end = [header(), *([line[0], *(f"{c}.0" for c in line[1:])] for line in rows("end"))]
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", end)


def xlsx_decimal_text(f):
    start = [list(line) for line in table("start")]
    start[2][1] = f"{start[2][1]}.0"  # a text cell "n.0", e.g. pasted from another system
    start[3][5] = float(start[3][5])  # a number cell holding n.0: stored by Excel as n
    write_xlsx(f, "self_assessment_start.xlsx", start)
    write_csv(f, "self_assessment_end.csv", table("end"))


def register_with_non_respondent(f):
    standard(f)
    register(f, BASE + ["P05"])


def excel_lock_file(f):
    standard(f)
    write_bytes(f, "~$self_assessment_end.xlsx", b"\x0bAdministrator" + b"\x00" * 40)


def id_header_variants(f):
    start, end = table("start"), table("end")
    start[0][0], end[0][0] = "Participant ID", "ID"
    write_csv(f, "self_assessment_start.csv", start)
    write_csv(f, "self_assessment_end.csv", end)


def quoted_fields(f):
    end = table("end")
    end[0][col("FC09")] = f"FC09 {LABELS[IDS.index('FC09')]}"
    write_csv(f, "self_assessment_start.csv", table("start"), quote_all=True)
    write_csv(f, "self_assessment_end.csv", end, quote_all=True)


def multi_sheet_xlsx(f):
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_xlsx(f, "self_assessment_end.xlsx", table("end"), extra_sheets=("Notes",))


def other_files_ignored(f):
    standard(f)
    write_bytes(f, "README.txt", b"Exports received from the programme office.\n")
    write_bytes(f, "cohort.yml", b"programme: Test programme\nattended: 6\n")


# --------------------------------------------------------------------------- refused
def score_11(f):
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", with_cell(table("end"), 3, col("SI04"), "11"))


def score_0(f):
    write_csv(f, "self_assessment_start.csv", with_cell(table("start"), 5, col("FO08"), "0"))
    write_csv(f, "self_assessment_end.csv", table("end"))


def score_7_5(f):
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", with_cell(table("end"), 2, col("DT03"), "7.5"))


def score_seven(f):
    write_csv(f, "self_assessment_start.csv", with_cell(table("start"), 4, col("SI02"), "seven"))
    write_csv(f, "self_assessment_end.csv", table("end"))


def score_negative(f):
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", with_cell(table("end"), 2, col("FC01"), "-3"))


def score_date_in_xlsx(f):
    from datetime import datetime

    start = [list(line) for line in table("start")]
    start[2][col("DT05")] = datetime(2013, 7, 10)  # "7/10" typed into Excel becomes a date
    write_xlsx(f, "self_assessment_start.xlsx", start)
    write_csv(f, "self_assessment_end.csv", table("end"))


def xlsx_score_out_of_range(f):
    write_xlsx(f, "self_assessment_start.xlsx", with_cell(table("start"), 3, col("SI03"), "12"))
    write_csv(f, "self_assessment_end.csv", table("end"))


def duplicate_participant(f):
    end = table("end")
    end[3][0] = "P02"
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", end)


def unknown_behaviour_column(f):
    start = [line + [h] for line, h in zip(table("start"), ["SI08", "5", "6", "7", "8"])]
    write_csv(f, "self_assessment_start.csv", start)
    write_csv(f, "self_assessment_end.csv", table("end"))


def misspelt_label_column(f):
    end = table("end")
    end[0][1] = "Links comunities into one overal picture"
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", end)


def missing_behaviour_column(f):
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", [line[:-1] for line in table("end")])


def same_behaviour_twice(f):
    end = [line + [extra] for line, extra in zip(table("end"), [LABELS[0], "5", "6", "7", "8"])]
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", end)


def extra_cell_without_header(f):
    end = table("end")
    end[3] = end[3] + ["8"]
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", end)


def blank_participant_id(f):
    write_csv(f, "self_assessment_start.csv", with_cell(table("start"), 3, 0, ""))
    write_csv(f, "self_assessment_end.csv", table("end"))


def first_column_not_id(f):
    start = [[stamp, *line] for stamp, line in zip(["Timestamp", "2013-01-07 09:12", "2013-01-07 09:15", "2013-01-07 09:20", "2013-01-07 09:31"], table("start"))]
    write_csv(f, "self_assessment_start.csv", start)
    write_csv(f, "self_assessment_end.csv", table("end"))


def title_row_above_header(f):
    start = [["Self-assessment: start of programme"] + [""] * len(IDS), *table("start")]
    write_csv(f, "self_assessment_start.csv", start)
    write_csv(f, "self_assessment_end.csv", table("end"))


def id_case_mismatch(f):
    end = table("end")
    end[1][0] = "p01"
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", end)


def unknown_wave_file(f):
    standard(f)
    write_csv(f, "self_assessment_midpoint.csv", table("end"))


def wave_name_hyphen(f):
    standard(f)
    write_csv(f, "self_assessment_follow-up.csv", table("follow_up"))


def copy_suffix_file(f):
    standard(f)
    write_csv(f, "self_assessment_end (1).csv", table("end"))


def xls_old_format(f):
    standard(f, skip=("end",))
    write_bytes(f, "self_assessment_end.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)


def xlsx_not_a_workbook(f):
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.xlsx", table("end"))  # a CSV renamed to .xlsx


def csv_and_xlsx_same_wave(f):
    standard(f)
    write_xlsx(f, "self_assessment_end.xlsx", table("end"))


def missing_end_wave(f):
    standard(f, skip=("end",))


def empty_file(f):
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_bytes(f, "self_assessment_end.csv", b"")


def header_only(f):
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", [header()])


def non_utf8_cp1252(f):
    start = with_cell(table("start"), 4, col("SI05"), "Non répondu")
    write_csv(f, "self_assessment_start.csv", start, encoding="cp1252")
    write_csv(f, "self_assessment_end.csv", table("end"))


def utf16_export(f):
    write_csv(f, "self_assessment_start.csv", table("start"), encoding="utf-16")
    write_csv(f, "self_assessment_end.csv", table("end"))


def unbalanced_quote(f):
    lines = csv_text(table("start")).splitlines(keepends=True)
    lines[2] = lines[2].replace(",", ',"', 1)  # row 3: P02,"<score>,... never closed
    write_bytes(f, "self_assessment_start.csv", "".join(lines).encode())
    write_csv(f, "self_assessment_end.csv", table("end"))


def semicolon_delimited(f):
    text = csv_text(table("start")).replace(",", ";")
    write_bytes(f, "self_assessment_start.csv", text.encode())
    write_csv(f, "self_assessment_end.csv", table("end"))


def participant_not_in_register(f):
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", table("end", BASE + ["P05"]))
    register(f, BASE)


def participant_register_lookalike(f):
    end = table("end")
    end[3][0] = "P3"
    write_csv(f, "self_assessment_start.csv", table("start"))
    write_csv(f, "self_assessment_end.csv", end)
    register(f, BASE)


def register_duplicate_id(f):
    standard(f)
    write_csv(f, "participants.csv", [["participant_id", "gender"], ["P01", "female"], ["P02", "male"], ["P03", "female"], ["P03", "male"], ["P04", "female"]])


def register_missing_id_column(f):
    standard(f)
    write_csv(f, "participants.csv", [["id", "gender"], *([p, "female"] for p in BASE)])


CASES = {fn.__name__: fn for fn in [
    # accepted
    xlsx_instead_of_csv, utf8_bom, crlf_line_endings, old_mac_line_endings, stray_spaces, non_breaking_spaces, label_headers,
    missing_markers, all_ratings_missing_for_one_participant, excel_trailing_empty_csv, excel_trailing_empty_xlsx,
    blank_lines_between_rows, one_wave_only, follow_up_wave, row_order_differs, excel_decimal_scores,
    xlsx_decimal_text, register_with_non_respondent, excel_lock_file, id_header_variants, quoted_fields,
    multi_sheet_xlsx, other_files_ignored,
    # refused
    score_11, score_0, score_7_5, score_seven, score_negative, score_date_in_xlsx, xlsx_score_out_of_range,
    duplicate_participant, unknown_behaviour_column, misspelt_label_column, missing_behaviour_column,
    same_behaviour_twice, extra_cell_without_header, blank_participant_id, first_column_not_id,
    title_row_above_header, id_case_mismatch, unknown_wave_file, wave_name_hyphen, copy_suffix_file,
    xls_old_format, xlsx_not_a_workbook, csv_and_xlsx_same_wave, missing_end_wave, empty_file, header_only,
    non_utf8_cp1252, utf16_export, unbalanced_quote, semicolon_delimited, participant_not_in_register,
    participant_register_lookalike, register_duplicate_id, register_missing_id_column,
]}


def generate(out_dir: Path = HERE) -> list[str]:
    out_dir = Path(out_dir)
    for name, make in CASES.items():
        folder = out_dir / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        make(folder)
    return list(CASES)


if __name__ == "__main__":
    names = generate(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
    print(f"{len(names)} cases written")
