"""Qualitative strand: read and validate the coded survey returns and interviews.

File contract (all in one data directory)
-----------------------------------------
``codebook.yml``
    ``themes:`` list of {id (snake_case), name, definition, codes: list of
    {id "<theme_id>.<slug>", name, definition, use_when, not_when}}.
``respondents.csv``
    respondent_id (S01.. survey, I01.. interview), source (survey|interview),
    group (professional|uses_services), gender (female|male), role_label,
    consent_to_quote (yes|no), self_assessment_id (blank or P01..).
``survey_returns.csv``
    respondent_id, q01, q02, q03a, q03b, q03c, q04 .. q12 (wide export; a blank
    cell means "not answered").  Each non-blank cell is a segment
    ``<respondent_id>-<question>`` (e.g. ``S01-q05``) whose topic is the question.
``interview_segments.csv``
    segment_id (e.g. ``I01-03``), respondent_id, topic (a question id), text.
``codings.csv``
    segment_id, coder (A|B), code_id, exemplar (yes|blank; coder A only).
``double_coded.csv``
    segment_id: the segments sampled for independent coding by coder B.

``codebook.yml`` and ``respondents.csv`` are required, with at least one of the two
sources.  An absent source file means that source is absent; an absent
``codings.csv``, that nothing is coded yet; an absent ``double_coded.csv``, that no
segment was double-coded (``QualitativeData.files`` records what was there).  The
contract for people is ``data/README.md``.

Every problem found while loading raises :class:`QualitativeDataError`, whose
message names the file, the row as a spreadsheet shows it (the header is row 1,
the first data row is row 2) or, for the YAML codebook, the line, and the column
or field, and says what to do.  CSVs are read as text (``dtype=str``,
``keep_default_na=False``): nothing is coerced and nothing is silently dropped.
Column-level rules are pandera schemas (the codebook is a pydantic model); only
rules that span files are written by hand.

The codebook is read by :mod:`lehc_report.inputs.codebook`; the analyses are in
:mod:`lehc_report.stats.tally` (tallies, quote bank, profiles) and
:mod:`lehc_report.stats.agreement` (inter-coder agreement), the figures in
:mod:`lehc_report.render.figures_qual`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
import yaml
from pandera.errors import SchemaErrors

from lehc_report.errors import DataError, Problem, QualitativeDataError
from lehc_report.inputs.codebook import Codebook, load_codebook, raise_if, read_text

__all__ = [
    "CODERS",
    "CONSENT",
    "GENDERS",
    "GROUPS",
    "QUESTIONS",
    "SOURCES",
    "Codebook",
    "Problem",
    "QualitativeData",
    "QualitativeDataError",
    "check_case_studies",
    "load_qualitative",
    "read_case_studies",
    "role_label_problems",
]

#: Survey question columns, in questionnaire order (also the allowed interview topics).
QUESTIONS: tuple[str, ...] = (
    "q01", "q02", "q03a", "q03b", "q03c", "q04", "q05",
    "q06", "q07", "q08", "q09", "q10", "q11", "q12",
)  # fmt: skip
SOURCES: tuple[str, ...] = ("survey", "interview")
GROUPS: tuple[str, ...] = ("professional", "uses_services")
GENDERS: tuple[str, ...] = ("female", "male")
CONSENT: tuple[str, ...] = ("yes", "no")
CODERS: tuple[str, ...] = ("A", "B")

CODEBOOK_FILE = "codebook.yml"
RESPONDENTS_FILE = "respondents.csv"
SURVEY_FILE = "survey_returns.csv"
INTERVIEW_FILE = "interview_segments.csv"
CODINGS_FILE = "codings.csv"
DOUBLE_CODED_FILE = "double_coded.csv"

RESPONDENT_COLUMNS = (
    "respondent_id", "source", "group", "gender", "role_label", "consent_to_quote",
    "self_assessment_id",
)  # fmt: skip
SURVEY_COLUMNS = ("respondent_id", *QUESTIONS)
INTERVIEW_COLUMNS = ("segment_id", "respondent_id", "topic", "text")
CODING_COLUMNS = ("segment_id", "coder", "code_id", "exemplar")
DOUBLE_CODED_COLUMNS = ("segment_id",)
SEGMENT_COLUMNS = ("segment_id", "respondent_id", "source", "topic", "text")

_RESPONDENT_ID = r"[SI]\d{2,}"
_SOURCE_PREFIX = {"survey": "S", "interview": "I"}


# --------------------------------------------------------------------------------------
# Row and value wording for problems
# --------------------------------------------------------------------------------------


def _row(index_label: Any) -> int:
    """Spreadsheet row of a DataFrame index label (RangeIndex): header is row 1."""
    return int(index_label) + 2


def _quote(value: Any) -> str:
    return repr(str(value)) if value is not None else "''"


# --------------------------------------------------------------------------------------
# Data container
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QualitativeData:
    """Validated qualitative data.

    ``segments`` unifies survey answers and interview segments: segment_id,
    respondent_id, source, topic, text (survey answers first, in file row and
    question order, then interview segments in file order).
    """

    codebook: Codebook
    respondents: pd.DataFrame
    segments: pd.DataFrame
    codings: pd.DataFrame
    double_coded: pd.DataFrame
    #: The optional files that were present (survey, interviews, codings, double coding).
    files: frozenset[str] = frozenset(
        {"survey_returns.csv", "interview_segments.csv", "codings.csv", "double_coded.csv"}
    )

    @property
    def sources(self) -> tuple[str, ...]:
        """The sources this cohort has a file for, in the order of ``SOURCES``."""
        return tuple(s for s, f in (("survey", SURVEY_FILE), ("interview", INTERVIEW_FILE)) if f in self.files)

    @property
    def coded(self) -> bool:
        """Whether coder A's coding (``codings.csv``) was supplied."""
        return CODINGS_FILE in self.files

    @property
    def double_coding(self) -> bool:
        """Whether any segment was coded independently by coder B."""
        return len(self.double_coded) > 0


# --------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------


def _read_csv(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    """Read a CSV as text, refusing blank or ragged rows (pandas would pad them)."""
    text = read_text(path)
    name = path.name
    records = list(csv.reader(io.StringIO(text, newline="")))
    while records and not records[-1]:  # trailing empty lines at the end of the file
        records.pop()
    if not records:
        raise QualitativeDataError(
            [
                Problem(
                    name,
                    1,
                    None,
                    "the file is empty.",
                    f"row 1 must be the header: {','.join(columns)}.",
                )
            ]
        )
    width = len(records[0])
    problems = []
    for number, record in enumerate(records[1:], start=2):
        if not record:
            problems.append(
                Problem(name, number, None, "the row is empty.", "delete the empty row.")
            )
        elif len(record) != width:
            problems.append(
                Problem(
                    name,
                    number,
                    None,
                    f"the row has {len(record)} cells but the header (row 1) has {width}.",
                    "check for a stray or missing comma, or an unquoted comma inside "
                    "a text cell (put the text in double quotes).",
                )
            )
    raise_if(problems)
    try:
        return pd.read_csv(
            io.StringIO(text, newline=""),
            dtype=str,
            keep_default_na=False,
            index_col=False,
        )
    except (pd.errors.ParserError, ValueError) as exc:  # pragma: no cover - pre-scan catches
        raise QualitativeDataError(
            [Problem(name, None, None, f"the file could not be read as CSV ({exc}).",
                     "check that it is a comma-separated file with one header row.")]
        ) from exc


# --------------------------------------------------------------------------------------
# pandera schemas and the translation of their failure cases
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    """How to report a failed check: the column to name, the problem and the fix.

    ``problem`` may use ``{value}`` (the offending cell, quoted) and ``{row_value}``
    (mapping of the row's cells, for row-level checks).
    """

    column: str
    problem: str
    fix: str


class _Rules:
    """Builds pandera Checks whose ``error`` string keys a :class:`_Rule`."""

    def __init__(self, file: str):
        self.file = file
        self.rules: dict[str, _Rule] = {}

    def check(self, fn, *, column: str, problem: str, fix: str, element_wise=False) -> pa.Check:
        key = f"{self.file}:{column}:{len(self.rules)}:{problem}"
        self.rules[key] = _Rule(column, problem, fix)
        return pa.Check(fn, element_wise=element_wise, error=key, ignore_na=False)

    def allowed(self, column: str, values: Iterable[str], what: str = "value") -> pa.Check:
        values = list(values)
        shown = ", ".join(v if v else "(blank)" for v in values)
        return self.check(
            lambda s: s.isin(values),
            column=column,
            problem=f"{{value}} is not an allowed {what} (allowed: {shown}).",
            fix=f"change the cell to one of: {shown} (spelt exactly as shown, no spaces).",
        )

    def pattern(self, column: str, regex: str, example: str) -> pa.Check:
        return self.check(
            lambda s: s.str.fullmatch(regex),
            column=column,
            problem=f"{{value}} is not a valid {column} (expected something like {example}).",
            fix=f"correct the ID to the form {example} (no spaces).",
        )

    def not_blank(self, column: str, what: str) -> pa.Check:
        return self.check(
            lambda s: s.str.strip().ne(""),
            column=column,
            problem=f"the {what} is empty or only spaces.",
            fix=f"enter the {what}, or delete the row if it should not be there.",
        )


def _schema_problems(
    df: pd.DataFrame, schema: pa.DataFrameSchema, rules: _Rules, columns: Sequence[str]
) -> list[Problem]:
    """Validate ``df`` and translate pandera's failure cases into :class:`Problem` objects."""
    try:
        schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        failures = exc.failure_cases
    else:
        return []
    file = rules.file
    header = ",".join(columns)
    header_problems, problems = [], []
    seen: set[tuple] = set()
    for rec in failures.itertuples(index=False):
        check, column, value, index = rec.check, rec.column, rec.failure_case, rec.index
        if check == "column_in_dataframe":
            header_problems.append(
                Problem(file, 1, value, "this required column is missing from the header.",
                        f"add it (spelt exactly); row 1 must be: {header}.")
            )
        elif check == "column_in_schema":
            header_problems.append(
                Problem(file, 1, value, "this column is not part of the file contract.",
                        f"remove or rename it; row 1 must be: {header}.")
            )
        elif check == "field_uniqueness":
            first = _row(df.index[df[column].eq(value)][0])
            problems.append(
                Problem(file, _row(index), column,
                        f"{_quote(value)} is a duplicate; it is already used in row {first}.",
                        "give each row its own ID, or delete the duplicate row.")
            )
        elif check == "multiple_fields_uniqueness":
            if ("unique", index) in seen:
                continue
            seen.add(("unique", index))
            keys = list(schema.unique or [])
            values = df.loc[index, keys]
            mask = (df[keys] == values.to_numpy()).all(axis=1)
            first = _row(df.index[mask][0])
            shown = ", ".join(f"{k}={values[k]!r}" for k in keys)
            problems.append(
                Problem(file, _row(index), keys[0],
                        f"the combination {shown} repeats row {first}.",
                        "delete the duplicate row.")
            )
        elif check in rules.rules:
            rule = rules.rules[check]
            if (check, index) in seen:
                continue
            seen.add((check, index))
            cell = df.at[index, rule.column] if index is not None else value
            row_value = df.loc[index].to_dict() if index is not None else {}
            problems.append(
                Problem(file, None if index is None else _row(index), rule.column,
                        rule.problem.format(value=_quote(cell), row_value=row_value),
                        rule.fix.format(value=cell, row_value=row_value))
            )
        else:  # a pandera-internal check we did not anticipate
            problems.append(
                Problem(file, None if index is None else _row(index), column,
                        f"failed check {check!r} with value {_quote(value)}.",
                        "correct the cell so that it follows the file contract.")
            )
    if header_problems:
        return header_problems
    order = {c: i for i, c in enumerate(columns)}
    return sorted(problems, key=lambda p: (p.row or 0, order.get(p.column, len(order))))


def _respondents_schema() -> tuple[pa.DataFrameSchema, _Rules]:
    r = _Rules(RESPONDENTS_FILE)
    prefix_ok = r.check(
        lambda d: d["respondent_id"].str[:1].eq(d["source"].map(_SOURCE_PREFIX))
        | ~d["source"].isin(SOURCES)  # an unknown source is reported by its own check
        if {"respondent_id", "source"} <= set(d.columns)
        else pd.Series(True, index=d.index),
        column="source",
        problem="source is {value} but respondent_id {row_value[respondent_id]!r} "
        "does not start with the matching letter (S = survey, I = interview).",
        fix="correct the source or the respondent ID so that they agree.",
    )
    schema = pa.DataFrameSchema(
        {
            "respondent_id": pa.Column(
                checks=r.pattern("respondent_id", _RESPONDENT_ID, "S01 or I01"),
                unique=True,
                report_duplicates="exclude_first",
            ),
            "source": pa.Column(checks=r.allowed("source", SOURCES)),
            "group": pa.Column(checks=r.allowed("group", GROUPS, "group")),
            "gender": pa.Column(checks=r.allowed("gender", GENDERS)),
            "role_label": pa.Column(checks=r.not_blank("role_label", "role label")),
            "consent_to_quote": pa.Column(checks=r.allowed("consent_to_quote", CONSENT)),
            "self_assessment_id": pa.Column(
                checks=[
                    r.check(
                        lambda s: s.eq("") | s.str.fullmatch(r"P\d{2,}"),
                        column="self_assessment_id",
                        problem="{value} is not a self-assessment ID (P01, P02, ...).",
                        fix="enter an ID like P01, or leave the cell blank.",
                    ),
                    r.check(
                        lambda s: ~(s.ne("") & s.duplicated(keep="first")),
                        column="self_assessment_id",
                        problem="{value} is already linked to another respondent.",
                        fix="link each self-assessment to one respondent only.",
                    ),
                ]
            ),
        },
        checks=[prefix_ok],
        strict=True,
        ordered=False,
    )
    return schema, r


def _survey_schema() -> tuple[pa.DataFrameSchema, _Rules]:
    r = _Rules(SURVEY_FILE)
    answer_checks = {
        q: pa.Column(
            checks=r.check(
                lambda s: s.eq("") | s.str.strip().ne(""),
                column=q,
                problem="the cell holds only spaces.",
                fix="clear the cell if the question was not answered, or enter the answer.",
            )
        )
        for q in QUESTIONS
    }
    schema = pa.DataFrameSchema(
        {
            "respondent_id": pa.Column(
                checks=r.pattern("respondent_id", r"S\d{2,}|I\d{2,}", "S01"),
                unique=True,
                report_duplicates="exclude_first",
            ),
            **answer_checks,
        },
        strict=True,
    )
    return schema, r


def _interview_schema() -> tuple[pa.DataFrameSchema, _Rules]:
    r = _Rules(INTERVIEW_FILE)
    id_matches = r.check(
        lambda d: d["segment_id"].str.rsplit("-", n=1).str[0].eq(d["respondent_id"])
        & d["segment_id"].str.fullmatch(r"[^-]+-\d+")
        if {"segment_id", "respondent_id"} <= set(d.columns)
        else pd.Series(True, index=d.index),
        column="segment_id",
        problem="segment_id {value} does not start with the row's respondent_id "
        "{row_value[respondent_id]!r} followed by '-' and a number.",
        fix="name the segment <respondent_id>-<number>, e.g. I01-03, and check the "
        "respondent_id.",
    )
    schema = pa.DataFrameSchema(
        {
            "segment_id": pa.Column(
                checks=r.pattern("segment_id", r"[SI]\d{2,}-\d+", "I01-03"),
                unique=True,
                report_duplicates="exclude_first",
            ),
            "respondent_id": pa.Column(
                checks=r.pattern("respondent_id", _RESPONDENT_ID, "I01")
            ),
            "topic": pa.Column(checks=r.allowed("topic", QUESTIONS, "question id")),
            "text": pa.Column(checks=r.not_blank("text", "segment text")),
        },
        checks=[id_matches],
        strict=True,
    )
    return schema, r


def _codings_schema(code_ids: Sequence[str]) -> tuple[pa.DataFrameSchema, _Rules]:
    r = _Rules(CODINGS_FILE)
    code_ids = list(code_ids)
    b_exemplar = r.check(
        lambda d: ~(d["coder"].eq("B") & d["exemplar"].ne(""))
        if {"coder", "exemplar"} <= set(d.columns)
        else pd.Series(True, index=d.index),
        column="exemplar",
        problem="exemplar is set ({value}) on a coder-B row; only coder A marks exemplars.",
        fix="clear the exemplar cell on coder-B rows (mark the exemplar on coder A's "
        "coding instead).",
    )
    schema = pa.DataFrameSchema(
        {
            "segment_id": pa.Column(checks=r.not_blank("segment_id", "segment ID")),
            "coder": pa.Column(checks=r.allowed("coder", CODERS, "coder")),
            "code_id": pa.Column(
                checks=r.check(
                    lambda s: s.isin(code_ids),
                    column="code_id",
                    problem=f"{{value}} is not a code in {CODEBOOK_FILE}.",
                    fix=f"use a code id from {CODEBOOK_FILE} (e.g. {code_ids[0]!r}), or add "
                    "the code to the codebook with its definition.",
                )
            ),
            "exemplar": pa.Column(
                checks=r.check(
                    lambda s: s.isin(["yes", ""]),
                    column="exemplar",
                    problem="{value} is not allowed (write 'yes' or leave blank).",
                    fix="write yes for an exemplar quote, otherwise leave the cell blank.",
                )
            ),
        },
        checks=[b_exemplar],
        unique=["segment_id", "coder", "code_id"],
        report_duplicates="exclude_first",
        strict=True,
    )
    return schema, r


def _double_coded_schema() -> tuple[pa.DataFrameSchema, _Rules]:
    r = _Rules(DOUBLE_CODED_FILE)
    schema = pa.DataFrameSchema(
        {
            "segment_id": pa.Column(
                checks=r.not_blank("segment_id", "segment ID"),
                unique=True,
                report_duplicates="exclude_first",
            )
        },
        strict=True,
    )
    return schema, r


def _validated_csv(path: Path, columns: Sequence[str], schema_and_rules) -> pd.DataFrame:
    df = _read_csv(path, columns)
    schema, rules = schema_and_rules
    raise_if(_schema_problems(df, schema, rules, columns))
    return df.loc[:, list(columns)].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Cross-file rules
# --------------------------------------------------------------------------------------


def _survey_segments(survey: pd.DataFrame) -> pd.DataFrame:
    """Wide survey returns -> one row per answered cell, with its file row and column."""
    long = survey.assign(_row=survey.index.map(_row)).melt(
        id_vars=["respondent_id", "_row"], value_vars=list(QUESTIONS), var_name="topic",
        value_name="text",
    )
    long = long[long["text"].ne("")]
    long = long.assign(
        _qpos=long["topic"].map({q: i for i, q in enumerate(QUESTIONS)}),
        segment_id=long["respondent_id"] + "-" + long["topic"],
        source="survey",
        _file=SURVEY_FILE,
        _column=long["topic"],
    ).sort_values(["_row", "_qpos"], kind="stable")
    return long[[*SEGMENT_COLUMNS, "_file", "_row", "_column"]]


def _interview_segments(interviews: pd.DataFrame) -> pd.DataFrame:
    return interviews.assign(
        source="interview",
        _file=INTERVIEW_FILE,
        _row=interviews.index.map(_row),
        _column="segment_id",
    )[[*SEGMENT_COLUMNS, "_file", "_row", "_column"]]


def _register_problems(
    frame: pd.DataFrame, file: str, expected_source: str, register: pd.DataFrame
) -> list[Problem]:
    """Rows of ``frame`` (survey_returns or interview_segments) against the register."""
    merged = frame[["respondent_id"]].merge(
        register[["respondent_id", "source", "_row"]], on="respondent_id", how="left",
        validate="many_to_one",
    )
    merged.index = frame.index
    problems = []
    for index, rec in merged[merged["source"].isna()].iterrows():
        problems.append(
            Problem(file, _row(index), "respondent_id",
                    f"respondent {rec.respondent_id!r} is not in {RESPONDENTS_FILE}.",
                    f"add the respondent to {RESPONDENTS_FILE} or correct the ID.")
        )
    wrong = merged[merged["source"].notna() & merged["source"].ne(expected_source)]
    for index, rec in wrong.iterrows():
        problems.append(
            Problem(file, _row(index), "respondent_id",
                    f"respondent {rec.respondent_id!r} is registered with source "
                    f"{rec.source!r} ({RESPONDENTS_FILE} row {int(rec._row)}), so cannot "
                    f"appear in {file}, which holds {expected_source} data only.",
                    f"move the row to the {rec.source} file, or correct the respondent's "
                    f"source in {RESPONDENTS_FILE}.")
        )
    return problems


def _segment_problems(
    respondents: pd.DataFrame, survey: pd.DataFrame, interviews: pd.DataFrame,
    segments: pd.DataFrame, present: frozenset[str] = frozenset({SURVEY_FILE, INTERVIEW_FILE}),
) -> list[Problem]:
    register = respondents.assign(_row=respondents.index.map(_row))
    problems = _register_problems(survey, SURVEY_FILE, "survey", register)
    problems += _register_problems(interviews, INTERVIEW_FILE, "interview", register)

    has_survey_row = register["respondent_id"].isin(survey["respondent_id"])
    has_segment = register["respondent_id"].isin(interviews["respondent_id"])
    for _, rec in register[register["source"].eq("survey") & ~has_survey_row].iterrows():
        problems.append(
            Problem(RESPONDENTS_FILE, int(rec._row), "respondent_id",
                    f"survey respondent {rec.respondent_id!r} has no row in {SURVEY_FILE}"
                    + ("." if SURVEY_FILE in present else " (the file is not in the data folder)."),
                    f"add their return to {SURVEY_FILE} (a row with blank answers if the "
                    "form came back empty), or remove them from the register.")
        )
    for _, rec in register[register["source"].eq("interview") & ~has_segment].iterrows():
        problems.append(
            Problem(RESPONDENTS_FILE, int(rec._row), "respondent_id",
                    f"interview respondent {rec.respondent_id!r} has no segment in "
                    f"{INTERVIEW_FILE}"
                    + ("." if INTERVIEW_FILE in present else " (the file is not in the data folder)."),
                    f"add their interview segments to {INTERVIEW_FILE}, or remove them from "
                    "the register.")
        )
    dup = segments[segments["segment_id"].duplicated(keep="first")]
    for _, rec in dup.iterrows():
        first = segments[segments["segment_id"].eq(rec.segment_id)].iloc[0]
        problems.append(
            Problem(rec._file, int(rec._row), rec._column,
                    f"segment ID {rec.segment_id!r} is already used ({first._file} row "
                    f"{int(first._row)}).", "give each segment its own ID.")
        )
    return problems


def _coding_problems(
    respondents: pd.DataFrame, segments: pd.DataFrame, codings: pd.DataFrame,
    double_coded: pd.DataFrame, coded: bool = True,
) -> list[Problem]:
    problems = []
    known = segments["segment_id"]
    registered = set(respondents["respondent_id"])
    for index, rec in codings[~codings["segment_id"].isin(known)].iterrows():
        rid = rec.segment_id.split("-", 1)[0]
        extra = (
            f" (and respondent {rid!r} is not in {RESPONDENTS_FILE})"
            if rid not in registered
            else ""
        )
        problems.append(
            Problem(CODINGS_FILE, _row(index), "segment_id",
                    f"segment {rec.segment_id!r} does not exist in {SURVEY_FILE} (as a "
                    f"non-blank answer) or {INTERVIEW_FILE}{extra}.",
                    "correct the segment ID, or add the segment (survey IDs are "
                    "<respondent_id>-<question>, e.g. S01-q05).")
        )
    for index, rec in double_coded[~double_coded["segment_id"].isin(known)].iterrows():
        problems.append(
            Problem(DOUBLE_CODED_FILE, _row(index), "segment_id",
                    f"segment {rec.segment_id!r} does not exist in {SURVEY_FILE} or "
                    f"{INTERVIEW_FILE}.", "correct the segment ID or delete the row.")
        )
    sample = double_coded["segment_id"]
    b_segments = codings.loc[codings["coder"].eq("B"), "segment_id"]
    for index, rec in double_coded[
        double_coded["segment_id"].isin(known) & ~sample.isin(b_segments)
    ].iterrows():
        problems.append(
            Problem(DOUBLE_CODED_FILE, _row(index), "segment_id",
                    f"segment {rec.segment_id!r} was sampled for double coding but has no "
                    f"coder-B coding in {CODINGS_FILE}.",
                    f"add coder B's codes for it to {CODINGS_FILE}, or remove it from the "
                    "sample.")
        )
    stray_b = codings["coder"].eq("B") & codings["segment_id"].isin(known) & ~codings[
        "segment_id"
    ].isin(sample)
    for index, rec in codings[stray_b].iterrows():
        problems.append(
            Problem(CODINGS_FILE, _row(index), "coder",
                    f"coder B coded segment {rec.segment_id!r}, which is not in the "
                    f"double-coding sample ({DOUBLE_CODED_FILE}).",
                    f"add the segment to {DOUBLE_CODED_FILE}, or delete the coder-B row.")
        )
    coded_a = codings.loc[codings["coder"].eq("A"), "segment_id"]
    uncoded = segments[~segments["segment_id"].isin(coded_a)] if coded else segments.iloc[:0]
    for _, rec in uncoded.iterrows():
        problems.append(
            Problem(rec._file, int(rec._row), rec._column,
                    f"segment {rec.segment_id!r} has no coder-A coding in {CODINGS_FILE}.",
                    f"code it (coder A) in {CODINGS_FILE}"
                    + (", or clear the cell if it is not an answer."
                       if rec._file == SURVEY_FILE else "."))
        )
    return sorted(problems, key=lambda p: (p.file, p.row or 0))


# --------------------------------------------------------------------------------------
# Public loader
# --------------------------------------------------------------------------------------


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def load_qualitative(data_dir: Path | str) -> QualitativeData:
    """Load and validate the qualitative files in ``data_dir``.

    ``codebook.yml`` and ``respondents.csv`` are required, with at least one of
    ``survey_returns.csv`` and ``interview_segments.csv``.  A missing source file means
    that source is absent (nobody may then be registered with it); a missing
    ``codings.csv`` means nothing has been coded yet, and a missing
    ``double_coded.csv`` that no segment was double-coded.

    Parameters
    ----------
    data_dir : Path or str
        The cohort's data folder (the file contract is in the module docstring and
        ``data/README.md``).

    Returns
    -------
    QualitativeData
        The codebook, the register, the segments (survey answers, then interview
        passages), the codings and the double-coded sample; ``files`` records which
        optional files were present.

    Raises
    ------
    QualitativeDataError
        A ``ValueError`` listing every problem found at the first failing stage
        (codebook; register; segments; codings), each with file, row and column.
    """
    data_dir = Path(data_dir)
    codebook = load_codebook(data_dir / CODEBOOK_FILE)
    respondents = _validated_csv(
        data_dir / RESPONDENTS_FILE, RESPONDENT_COLUMNS, _respondents_schema()
    )
    present = frozenset(
        f for f in (SURVEY_FILE, INTERVIEW_FILE, CODINGS_FILE, DOUBLE_CODED_FILE)
        if (data_dir / f).is_file()
    )
    if not {SURVEY_FILE, INTERVIEW_FILE} & present:
        raise_if([Problem(SURVEY_FILE, None, None,
                           f"neither {SURVEY_FILE} nor {INTERVIEW_FILE} was found in {data_dir}.",
                           f"put at least one of them beside {RESPONDENTS_FILE} (the file "
                           "contract is in data/README.md).")])

    problems: list[Problem] = []
    frames = {}
    for file, columns, builder in (
        (SURVEY_FILE, SURVEY_COLUMNS, _survey_schema),
        (INTERVIEW_FILE, INTERVIEW_COLUMNS, _interview_schema),
    ):
        if file not in present:
            frames[file] = _empty(columns)
            continue
        try:
            frames[file] = _validated_csv(data_dir / file, columns, builder())
        except QualitativeDataError as exc:
            problems.extend(exc.problems)
    raise_if(problems)
    survey, interviews = frames[SURVEY_FILE], frames[INTERVIEW_FILE]
    segments_full = pd.concat(
        [_survey_segments(survey), _interview_segments(interviews)], ignore_index=True
    )
    raise_if(_segment_problems(respondents, survey, interviews, segments_full, present))

    code_ids = codebook.codes["code_id"].tolist()
    frames = {}
    for file, columns, schema_and_rules in (
        (CODINGS_FILE, CODING_COLUMNS, _codings_schema(code_ids)),
        (DOUBLE_CODED_FILE, DOUBLE_CODED_COLUMNS, _double_coded_schema()),
    ):
        if file not in present:
            frames[file] = _empty(columns)
            continue
        try:
            frames[file] = _validated_csv(data_dir / file, columns, schema_and_rules)
        except QualitativeDataError as exc:
            problems.extend(exc.problems)
    raise_if(problems)
    codings, double_coded = frames[CODINGS_FILE], frames[DOUBLE_CODED_FILE]
    raise_if(_coding_problems(respondents, segments_full, codings, double_coded,
                               coded=CODINGS_FILE in present))

    segments = segments_full.loc[:, list(SEGMENT_COLUMNS)].reset_index(drop=True)
    return QualitativeData(
        codebook=codebook,
        respondents=respondents,
        segments=segments,
        codings=codings,
        double_coded=double_coded,
        files=present,
    )


def role_label_problems(respondents: pd.DataFrame, min_size: int = 2) -> list[Problem]:
    """The contract's attribution rule, checked: no quotation can point at one person.

    Every ``role_label`` used for attribution (that of a respondent who agreed to be
    quoted) must be shared by at least ``min_size`` respondents.  Respondents who did
    not agree are never attributed, but still count as sharing a label.

    Parameters
    ----------
    respondents : DataFrame
        The register (``respondents.csv``; RangeIndex, so row = index + 2).
    min_size : int
        The smallest group a label may name (``min_attribution_size`` in ``privacy.yml``).

    Returns
    -------
    list of Problem
        One per consenting respondent whose label is too rare, with its row and what to do;
        empty when the rule holds.
    """
    counts = respondents["role_label"].map(respondents["role_label"].value_counts())
    problems = []
    for index, rec in respondents[(counts < min_size) & respondents["consent_to_quote"].eq("yes")].iterrows():
        problems.append(
            Problem(RESPONDENTS_FILE, _row(index), "role_label",
                    f"the role label {rec.role_label!r} of respondent {rec.respondent_id!r}, who "
                    f"agreed to be quoted, is shared by fewer than {min_size} respondents, so a "
                    "quotation or profile attributed by it could identify them.",
                    "give them a broader label that at least one other respondent in "
                    f"{RESPONDENTS_FILE} also has, or set consent_to_quote to no so that they "
                    "are never quoted or profiled; see data/README.md.")
        )
    return problems


# --------------------------------------------------------------------------------------
# Case studies (case_studies.yml against the register)
# --------------------------------------------------------------------------------------

CASE_STUDIES_FILE = "case_studies.yml"


def read_case_studies(data_dir: Path | str) -> list[str]:
    """The respondents a cohort names for profiles, in the order given.

    Parameters
    ----------
    data_dir : Path or str
        The cohort's data folder; ``case_studies.yml`` there holds ``case_studies:``,
        a list of respondent IDs.

    Returns
    -------
    list of str
        The IDs; empty when the file is absent or lists none.
    """
    path = Path(data_dir) / CASE_STUDIES_FILE
    if not path.exists():
        return []
    return [str(c) for c in ((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("case_studies") or [])]


def check_case_studies(data: QualitativeData, case_ids: Sequence[str], case_file: Path = Path(CASE_STUDIES_FILE)) -> None:
    """Every respondent named for a profile is in the register and agreed to be quoted.

    Parameters
    ----------
    data : QualitativeData
    case_ids : sequence of str
        Respondent IDs from ``case_studies.yml``.
    case_file : Path
        The file they came from (named in the error, with the line of the first bad ID).

    Raises
    ------
    DataError
        One message naming every ID not in ``respondents.csv`` or whose
        ``consent_to_quote`` is not yes, e.g. "case_studies.yml, row 4: I99 is not in
        respondents.csv; S02 did not consent to quotation (…)".
    """
    register = data.respondents.set_index("respondent_id")
    problems = [f"{r} is not in {RESPONDENTS_FILE}" if r not in register.index else f"{r} did not consent to quotation "
                f"(consent_to_quote is not yes in {RESPONDENTS_FILE})"
                for r in case_ids if r not in register.index or register.loc[r, "consent_to_quote"] != "yes"]
    if problems:
        first = problems[0].split(" ", 1)[0]
        lines = case_file.read_text(encoding="utf-8").splitlines() if case_file.exists() else []
        line = next((i for i, text in enumerate(lines, start=1) if first in text and not text.lstrip().startswith("#")), None)
        raise DataError(case_file, "; ".join(problems) + "; list only consenting respondents from respondents.csv "
                        "(see data/README.md)", row=line)
