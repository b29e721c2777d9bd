"""Generate one cohort folder per survey tool, laid out as the tool documents its export.

The people are invented (codes T01..T09); nothing here is real. Each folder holds a
two-area, six-behaviour ``framework.yml``, a ``cohort.yml`` declaring the linking, and
the start and end exports as the tool writes them. ``tests/test_survey_tools.py``
reads them and checks the statistics against its own scipy computation from
:func:`score` and :data:`CASES`.

    python tests/survey_exports/make_exports.py            # rewrite the committed folders
    python tests/survey_exports/make_exports.py OUT_DIR    # write them somewhere else

Layouts, from each tool's documentation of its export:

* Qualtrics "Export Data" CSV: UTF-8 with a byte-order mark, row 1 question IDs
  (``StartDate`` ... ``ResponseId`` ... ``Q1``, ``Q2_1`` ...), row 2 question texts
  (matrix statements as "Question - statement"), row 3 ``{"ImportId": ...}``; the XLSX
  legacy export without the ImportId row, answers as choice text.
* SurveyMonkey "All responses data", expanded: row 1 ``Respondent ID``, ``Collector
  ID``, dates, IP, e-mail, names, custom data, questions (a matrix question over its
  first column only); row 2 ``Response`` / ``Open-Ended Response`` / the statements.
* Microsoft Forms "Open results in Excel": ``ID``, ``Start time``, ``Completion time``,
  ``Email``, ``Name``, ``Last modified time``, one column per statement.
* Google Forms responses CSV: ``Timestamp``, one column per question, grid questions
  as ``Question [statement]``.
* REDCap "Export data" (raw, CSV): ``record_id``, ``redcap_event_name``, field names in
  lower case, ``<form>_complete``; one longitudinal file, or one file per event.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for the shared helper
from xlsx_helpers import fix_xlsx_timestamps  # noqa: E402

import yaml  # noqa: E402
from openpyxl import Workbook  # noqa: E402

HERE = Path(__file__).resolve().parent
AREAS = {"LA": ("Listening Area", ["Asks residents what matters to them", "Gives time to quieter voices", "Acts on feedback from the team"]),
         "PA": ("Planning Area", ["Sets goals with partners", "Reviews progress each quarter", "Adjusts plans when evidence changes"])}
IDS = [f"{a}0{j}" for a, (_, labels) in AREAS.items() for j in range(1, len(labels) + 1)]
LABELS = [label for _, labels in AREAS.values() for label in labels]
WAVES = ["start", "end"]
#: Who answered each wave: T08 only at the start, T09 only at the end.
PEOPLE = {"start": [f"T0{i}" for i in range(1, 9)], "end": [f"T0{i}" for i in (3, 1, 6, 2, 5, 4, 7, 9)]}
ANCHORS = {1: "Not at all", 10: "Completely"}
QUESTION = "Rate yourself from 1 to 10"
GRID = "Rate yourself on each statement"
CODE_QUESTION = "Please enter your course code"
#: Self-generated codes: two letters of a name each person chose, then a birth day (far apart from each other).
NAME_LETTERS = ["", "AN", "BE", "CL", "DO", "EL", "FR", "GI", "HE", "IR"]


def score(person: str, behaviour: int, wave: str) -> int:
    """The invented score of a person (``T0p``) on behaviour ``j`` (0-based) at a wave."""
    p = int(person[1:])
    start = 1 + (3 * p + 5 * behaviour) % 7
    return start if wave == "start" else min(10, start + p % 3 + behaviour % 2 + (p == 4) * 3)


def scores(person: str, wave: str) -> list[int]:
    return [score(person, j, wave) for j in range(len(IDS))]


def framework(labels: dict[int, str] | None = None) -> str:
    scale: dict = {"min": 1, "max": 10}
    if labels:
        scale["labels"] = labels
    spec = {"scale": scale, "waves": [{"id": "start", "label": "Start"}, {"id": "end", "label": "End"}],
            "areas": [{"id": a, "name": name, "tagline": "", "behaviours": [{"id": f"{a}0{j}", "label": label} for j, label in enumerate(labels_, 1)]}
                      for a, (name, labels_) in AREAS.items()]}
    return yaml.safe_dump(spec, sort_keys=False)


def csv_bytes(rows: list[list], bom: bool = False, newline: str = "\r\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def write_xlsx(path: Path, rows: list[list]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    fix_xlsx_timestamps(path)


def stamp(wave: str, i: int) -> str:
    return f"2025-0{3 + WAVES.index(wave)}-{10 + i:02d} 09:{i:02d}:00"


def anchored(value: int) -> str:
    """A 1-10 answer as Qualtrics exports choice text: anchors carry their label."""
    return f"{value} - {ANCHORS[value]}" if value in ANCHORS else str(value)


# --------------------------------------------------------------------------- one per tool
def qualtrics_rows(wave: str, import_ids: bool, text: bool) -> list[list]:
    meta = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished", "RecordedDate", "ResponseId",
            "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
            "DistributionChannel", "UserLanguage"]
    row1 = [*meta, "Q1", *(f"Q2_{j}" for j in range(1, 7))]
    row2 = [*meta, "Your course code", *(f"{QUESTION} - {label}" for label in LABELS)]
    rows = [row1, row2]
    if import_ids:
        rows.append([json.dumps({"ImportId": m}) for m in meta] + [json.dumps({"ImportId": "QID1_TEXT"})] + [json.dumps({"ImportId": f"QID2_{j}"}) for j in range(1, 7)])
    for i, person in enumerate(PEOPLE[wave]):
        answers = [anchored(v) if text else v for v in scores(person, wave)]
        rows.append([stamp(wave, i), stamp(wave, i), "IP Address", f"192.0.2.{i + 1}", 100, 600, "True", stamp(wave, i), f"R_{wave[0]}{i}Invented",
                     f"Surname{i}", f"Given{i}", f"person{i}@example.org", "", "51.5", "-0.1", "anonymous", "EN-GB", person, *answers])
    return rows


def surveymonkey_rows(wave: str) -> list[list]:
    row1 = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name", "Last Name", "Custom Data 1",
            CODE_QUESTION, "How would you rate yourself on each of these? (1 = not at all, 10 = completely)", *[""] * 5]
    row2 = [""] * 9 + ["Open-Ended Response", *LABELS]
    rows = [row1, row2]
    for i, person in enumerate(PEOPLE[wave]):
        rows.append([str(118000000000 + 1000 * WAVES.index(wave) + i), "431178022", stamp(wave, i), stamp(wave, i), f"192.0.2.{i + 1}",
                     f"person{i}@example.org", f"Given{i}", f"Surname{i}", "", person, *map(str, scores(person, wave))])
    return rows


def msforms_rows(wave: str) -> list[list]:
    rows = [["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", *LABELS]]
    for i, person in enumerate(PEOPLE[wave], start=1):
        rows.append([i, stamp(wave, i), stamp(wave, i), "anonymous", None, None, *scores(person, wave)])
    return rows


def google_rows(wave: str, typo: bool) -> list[list]:
    rows = [["Timestamp", "Your code (first two letters of your mother's first name, then your birth day)", *(f"{GRID} [{label}]" for label in LABELS)]]
    for i, person in enumerate(PEOPLE[wave]):
        code = f"{NAME_LETTERS[int(person[1:])]}{person[1:]}"
        if typo and person == "T05":  # a typing slip at the end wave: one letter changed
            code = "EK05"
        rows.append([f"{10 + i}/0{3 + WAVES.index(wave)}/2025 09:{i:02d}:00", code, *map(str, scores(person, wave))])
    return rows


def redcap_rows(waves: list[str]) -> list[list]:
    rows = [["record_id", "redcap_event_name", *(i.lower() for i in IDS), "self_assessment_complete"]]
    for wave in waves:
        event = {"start": "pre_course_arm_1", "end": "post_course_arm_1"}[wave]
        for person in PEOPLE[wave]:
            rows.append([str(int(person[1:])), event, *map(str, scores(person, wave)), "2"])
    return rows


def write_case(folder: Path, cohort: dict, labels: dict[int, str] | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "framework.yml").write_text(framework(labels), encoding="utf-8")
    (folder / "cohort.yml").write_text(yaml.safe_dump({"programme": "Invented course", **cohort}, sort_keys=False), encoding="utf-8")


def qualtrics_csv(folder: Path) -> None:
    write_case(folder, {"linking": {"by": "code", "column": "Q1"}})
    for wave in WAVES:
        (folder / f"self_assessment_{wave}.csv").write_bytes(csv_bytes(qualtrics_rows(wave, import_ids=True, text=False), bom=True))


def qualtrics_xlsx_choice_text(folder: Path) -> None:
    write_case(folder, {"linking": {"by": "code", "column": "Your course code"}}, ANCHORS)
    for wave in WAVES:
        write_xlsx(folder / f"self_assessment_{wave}.xlsx", qualtrics_rows(wave, import_ids=False, text=True))


def surveymonkey_csv(folder: Path) -> None:
    write_case(folder, {"linking": {"by": "code", "column": CODE_QUESTION}})
    for wave in WAVES:
        (folder / f"self_assessment_{wave}.csv").write_bytes(csv_bytes(surveymonkey_rows(wave)))


def surveymonkey_xlsx(folder: Path) -> None:
    write_case(folder, {"linking": {"by": "code", "column": CODE_QUESTION}})
    for wave in WAVES:
        write_xlsx(folder / f"self_assessment_{wave}.xlsx", [[c if c != "" else None for c in row] for row in surveymonkey_rows(wave)])


def msforms_xlsx(folder: Path) -> None:
    write_case(folder, {"linking": {"by": "none"}})
    for wave in WAVES:
        write_xlsx(folder / f"self_assessment_{wave}.xlsx", msforms_rows(wave))


def google_forms_csv(folder: Path) -> None:
    column = "Your code (first two letters of your mother's first name, then your birth day)"
    write_case(folder, {"linking": {"by": "self_generated_code", "column": column, "max_edits": 1}})
    for wave in WAVES:
        (folder / f"self_assessment_{wave}.csv").write_bytes(csv_bytes(google_rows(wave, typo=wave == "end"), newline="\n"))


def redcap_longitudinal(folder: Path) -> None:
    write_case(folder, {"events": {"pre_course_arm_1": "start", "post_course_arm_1": "end"}})
    (folder / "self_assessment.csv").write_bytes(csv_bytes(redcap_rows(WAVES), newline="\n"))


def redcap_split(folder: Path) -> None:
    write_case(folder, {})
    for wave in WAVES:
        (folder / f"self_assessment_{wave}.csv").write_bytes(csv_bytes(redcap_rows([wave]), newline="\n"))


#: Folder -> (writer, how the test must find the waves linked).
CASES = {
    "qualtrics_csv": (qualtrics_csv, "code"),
    "qualtrics_xlsx_choice_text": (qualtrics_xlsx_choice_text, "code"),
    "surveymonkey_csv": (surveymonkey_csv, "code"),
    "surveymonkey_xlsx": (surveymonkey_xlsx, "code"),
    "msforms_xlsx": (msforms_xlsx, "none"),
    "google_forms_csv": (google_forms_csv, "self_generated_code"),
    "redcap_longitudinal": (redcap_longitudinal, "record_id"),
    "redcap_split": (redcap_split, "record_id"),
}


def generate(out: Path) -> None:
    """Write every case folder under ``out`` (each folder replaced whole)."""
    for name, (writer, _) in CASES.items():
        folder = Path(out) / name
        if folder.exists():
            shutil.rmtree(folder)
        writer(folder)


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
