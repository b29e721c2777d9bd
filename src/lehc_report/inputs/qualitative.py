"""Qualitative strand: load, validate and analyse the coded survey returns and interviews.

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

Analyses count coder A (the primary coder); coder B is used only for the
inter-coder agreement on the double-coded sample.
"""

from __future__ import annotations

import csv
import io
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import krippendorff
import numpy as np
import pandas as pd
import pandera.pandas as pa
import seaborn as sns
import yaml
from matplotlib.figure import Figure
from pandera.errors import SchemaErrors
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from lehc_report.errors import Problem, QualitativeDataError
from lehc_report.stats.spread import no_spread

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
    "agreement_units",
    "code_cooccurrence",
    "intercoder_agreement",
    "krippendorff_alpha_nominal",
    "load_qualitative",
    "plot_code_cooccurrence",
    "plot_theme_by_question",
    "quote_bank",
    "respondent_profiles",
    "role_label_problems",
    "survey_theme_by_question",
    "theme_tally",
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
# Errors
# --------------------------------------------------------------------------------------


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise QualitativeDataError(problems)


def _row(index_label: Any) -> int:
    """Spreadsheet row of a DataFrame index label (RangeIndex): header is row 1."""
    return int(index_label) + 2


def _quote(value: Any) -> str:
    return repr(str(value)) if value is not None else "''"


# --------------------------------------------------------------------------------------
# Data container
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Codebook:
    """``themes``: theme_id, name, definition.  ``codes``: code_id, theme_id, name,
    definition, use_when, not_when.  Both in codebook order."""

    themes: pd.DataFrame
    codes: pd.DataFrame


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


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise QualitativeDataError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"the file was not found in {path.parent}.",
                    f"put {path.name} in the data folder (the file contract is in "
                    "data/README.md).",
                )
            ]
        )
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QualitativeDataError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"the file is not valid UTF-8 text (byte {exc.start}).",
                    "save it again as 'CSV UTF-8' / UTF-8 text.",
                )
            ]
        ) from exc


def _read_csv(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    """Read a CSV as text, refusing blank or ragged rows (pandas would pad them)."""
    text = _read_text(path)
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
    _raise_if(problems)
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
    _raise_if(_schema_problems(df, schema, rules, columns))
    return df.loc[:, list(columns)].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Codebook (YAML, validated with pydantic)
# --------------------------------------------------------------------------------------


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


_Text = Annotated[str, AfterValidator(_not_blank)]
_THEME_ID = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
_CODE_ID = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*\.[a-z][a-z0-9]*(_[a-z0-9]+)*$"


class _CodeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    id: str = Field(pattern=_CODE_ID)
    name: _Text
    definition: _Text
    use_when: _Text
    not_when: _Text


class _ThemeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    id: str = Field(pattern=_THEME_ID)
    name: _Text
    definition: _Text
    codes: list[_CodeModel] = Field(min_length=1)


class _CodebookModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    themes: list[_ThemeModel] = Field(min_length=1)


def _yaml_lines(node, path=(), lines=None, duplicates=None):
    """Map each YAML path (keys and list indices) to its 1-based line; note duplicate keys."""
    lines = {} if lines is None else lines
    duplicates = [] if duplicates is None else duplicates
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        keys = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in keys:
                duplicates.append((path + (key,), key_node.start_mark.line + 1))
            keys.add(key)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _yaml_lines(value_node, path + (key,), lines, duplicates)
            lines[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _yaml_lines(item, path + (i,), lines, duplicates)
    return lines, duplicates


def _yaml_path(path: Sequence) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _line_for(lines: Mapping, path: Sequence) -> int:
    path = tuple(path)
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


_CODEBOOK_FIXES = {
    "missing": "add the '{field}' entry.",
    "extra_forbidden": "remove the '{field}' key or correct its spelling (themes have id, "
    "name, definition, codes; codes have id, name, definition, use_when, not_when).",
    "string_type": "write it as text (put it in quotes if YAML reads it as a number, "
    "date or yes/no).",
    "too_short": "add at least one entry.",
    "value_error": "fill it in.",
    "list_type": "write it as a YAML list (lines starting with '- ').",
    "model_type": "write it as a YAML mapping of key: value lines.",
    "dict_type": "write it as a YAML mapping of key: value lines.",
}


def _load_codebook(path: Path) -> Codebook:
    text = _read_text(path)
    name = path.name

    def problem(line, field, message, fix):
        return Problem(name, line, field, message, fix, row_word="line", column_word="field")

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise QualitativeDataError(
            [problem(None if mark is None else mark.line + 1, None,
                     f"the file is not valid YAML ({getattr(exc, 'problem', exc)}).",
                     "fix the indentation or quoting on that line.")]
        ) from exc
    lines, duplicates = ({(): 1}, []) if root is None else _yaml_lines(root)
    _raise_if(
        [
            problem(line, _yaml_path(p), "this key appears twice in the same entry.",
                    "keep one of them (YAML would silently use the last).")
            for p, line in duplicates
        ]
    )
    try:
        model = _CodebookModel.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            field = next((p for p in reversed(loc) if isinstance(p, str)), "themes")
            if err["type"] == "string_pattern_mismatch":
                fix = (
                    "use '<theme_id>.<slug>' in lower-case snake_case, e.g. 'philosophy.values'."
                    if "codes" in loc
                    else "use lower-case snake_case (letters, digits, underscores), e.g. "
                    "'philosophy'."
                )
            else:
                fix = _CODEBOOK_FIXES.get(err["type"], "correct the entry.").format(field=field)
            shown = "" if err["type"] == "missing" else f" (found {err.get('input')!r})"
            msg = "Input should be a mapping" if err["type"] == "model_type" else err["msg"]
            problems.append(problem(_line_for(lines, loc), _yaml_path(loc),
                                    f"{msg}{shown}.", fix))
        raise QualitativeDataError(problems) from exc

    problems = []
    seen_themes, seen_names, seen_codes = {}, {}, {}
    for t, theme in enumerate(model.themes):
        tpath = ("themes", t)
        if theme.id in seen_themes:
            problems.append(problem(_line_for(lines, tpath + ("id",)), _yaml_path(tpath + ("id",)),
                                    f"theme id {theme.id!r} is already used on line "
                                    f"{seen_themes[theme.id]}.", "give each theme its own id."))
        seen_themes.setdefault(theme.id, _line_for(lines, tpath + ("id",)))
        if theme.name in seen_names:
            problems.append(problem(_line_for(lines, tpath + ("name",)),
                                    _yaml_path(tpath + ("name",)),
                                    f"theme name {theme.name!r} is already used on line "
                                    f"{seen_names[theme.name]}.",
                                    "give each theme its own name (names label the figures)."))
        seen_names.setdefault(theme.name, _line_for(lines, tpath + ("name",)))
        for c, code in enumerate(theme.codes):
            cpath = tpath + ("codes", c, "id")
            line = _line_for(lines, cpath)
            if code.id.split(".", 1)[0] != theme.id:
                problems.append(problem(line, _yaml_path(cpath),
                                        f"code id {code.id!r} does not start with its theme id "
                                        f"{theme.id!r}.",
                                        f"rename it '{theme.id}.<slug>' or move it under its "
                                        "theme."))
            if code.id in seen_codes:
                problems.append(problem(line, _yaml_path(cpath),
                                        f"code id {code.id!r} is already used on line "
                                        f"{seen_codes[code.id]}.", "give each code its own id."))
            seen_codes.setdefault(code.id, line)
    _raise_if(problems)

    themes = pd.DataFrame(
        [(t.id, t.name, t.definition) for t in model.themes],
        columns=["theme_id", "name", "definition"],
    )
    codes = pd.DataFrame(
        [
            (c.id, t.id, c.name, c.definition, c.use_when, c.not_when)
            for t in model.themes
            for c in t.codes
        ],
        columns=["code_id", "theme_id", "name", "definition", "use_when", "not_when"],
    )
    return Codebook(themes=themes, codes=codes)


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
    ``double_coded.csv`` that no segment was double-coded.  ``files`` records which
    of these were present.

    Raises :class:`QualitativeDataError` (a ``ValueError``) listing every problem found
    at the first failing stage (codebook; register; segments; codings).
    """
    data_dir = Path(data_dir)
    codebook = _load_codebook(data_dir / CODEBOOK_FILE)
    respondents = _validated_csv(
        data_dir / RESPONDENTS_FILE, RESPONDENT_COLUMNS, _respondents_schema()
    )
    present = frozenset(
        f for f in (SURVEY_FILE, INTERVIEW_FILE, CODINGS_FILE, DOUBLE_CODED_FILE)
        if (data_dir / f).is_file()
    )
    if not {SURVEY_FILE, INTERVIEW_FILE} & present:
        _raise_if([Problem(SURVEY_FILE, None, None,
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
    _raise_if(problems)
    survey, interviews = frames[SURVEY_FILE], frames[INTERVIEW_FILE]
    segments_full = pd.concat(
        [_survey_segments(survey), _interview_segments(interviews)], ignore_index=True
    )
    _raise_if(_segment_problems(respondents, survey, interviews, segments_full, present))

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
    _raise_if(problems)
    codings, double_coded = frames[CODINGS_FILE], frames[DOUBLE_CODED_FILE]
    _raise_if(_coding_problems(respondents, segments_full, codings, double_coded,
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
    """The contract's attribution rule: every ``role_label`` used for attribution (that
    of a respondent who agreed to be quoted) is shared by at least ``min_size``
    respondents, so that a quotation or profile attributed by it never points at one
    person.  Respondents who did not agree are never attributed, but still count as
    sharing a label."""
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
# Analyses
# --------------------------------------------------------------------------------------

_BREAKDOWN_CELLS = pd.DataFrame(
    [("overall", "all")]
    + [("source", s) for s in SOURCES]
    + [("group", g) for g in GROUPS],
    columns=["breakdown", "subgroup"],
)


def _coder_codings(data: QualitativeData, coder: str = "A") -> pd.DataFrame:
    """Codings by ``coder`` joined to their theme and segment (respondent, source, topic)."""
    codings = data.codings[data.codings["coder"].eq(coder)]
    return codings.merge(
        data.codebook.codes[["code_id", "theme_id"]], on="code_id", how="left",
        validate="many_to_one",
    ).merge(
        data.segments[["segment_id", "respondent_id", "source", "topic", "text"]],
        on="segment_id", how="left", validate="many_to_one",
    )


def _items(data: QualitativeData) -> pd.DataFrame:
    """Themes then codes, in codebook order: level, id, name, _order."""
    themes = data.codebook.themes.rename(columns={"theme_id": "id"}).assign(level="theme")
    codes = data.codebook.codes.rename(columns={"code_id": "id"}).assign(level="code")
    items = pd.concat([themes[["level", "id", "name"]], codes[["level", "id", "name"]]],
                      ignore_index=True)
    return items.assign(_order=np.arange(len(items)))


def theme_tally(data: QualitativeData) -> pd.DataFrame:
    """Distinct respondents with at least one coder-A coding of each theme and code.

    Long format, one row per item and subgroup: level ('theme'|'code'), id, name,
    breakdown ('overall'|'source'|'group'), subgroup ('all'; 'survey'|'interview';
    'professional'|'uses_services'), count, n (respondents in the register in that
    subgroup), share (count / n; NaN when n is 0).  Rows: themes then codes in
    codebook order; within each item overall, source, group.  Every combination is
    present, with count 0 where nobody was coded.
    """
    coded = _coder_codings(data, "A")
    hits = pd.concat(
        [
            coded[["respondent_id", "theme_id"]].rename(columns={"theme_id": "id"})
            .assign(level="theme"),
            coded[["respondent_id", "code_id"]].rename(columns={"code_id": "id"})
            .assign(level="code"),
        ],
        ignore_index=True,
    )
    resp = data.respondents
    membership = pd.concat(
        [
            resp[["respondent_id"]].assign(breakdown="overall", subgroup="all"),
            resp[["respondent_id", "source"]].rename(columns={"source": "subgroup"})
            .assign(breakdown="source"),
            resp[["respondent_id", "group"]].rename(columns={"group": "subgroup"})
            .assign(breakdown="group"),
        ],
        ignore_index=True,
    )
    counts = (
        hits.merge(membership, on="respondent_id", how="inner")
        .groupby(["level", "id", "breakdown", "subgroup"])["respondent_id"]
        .nunique()
        .rename("count")
        .reset_index()
    )
    n = membership.groupby(["breakdown", "subgroup"])["respondent_id"].nunique().rename("n")
    cells = _BREAKDOWN_CELLS.assign(_cell=np.arange(len(_BREAKDOWN_CELLS)))
    table = (
        _items(data)
        .merge(cells, how="cross")
        .merge(counts, on=["level", "id", "breakdown", "subgroup"], how="left")
        .merge(n.reset_index(), on=["breakdown", "subgroup"], how="left")
        .sort_values(["_order", "_cell"], kind="stable")
    )
    table["count"] = table["count"].fillna(0).astype(int)
    table["n"] = table["n"].fillna(0).astype(int)
    table["share"] = table["count"].div(table["n"].where(table["n"] > 0))
    return table[["level", "id", "name", "breakdown", "subgroup", "count", "n", "share"]
                 ].reset_index(drop=True)


def survey_theme_by_question(data: QualitativeData) -> pd.DataFrame:
    """Themes x survey questions: respondents with a coder-A coding of the theme there.

    Index: MultiIndex (theme_id, theme_name) in codebook order; columns: the survey
    questions (``QUESTIONS``) named 'question'; integer counts, 0 where none.
    """
    coded = _coder_codings(data, "A")
    coded = coded[coded["source"].eq("survey")]
    themes = data.codebook.themes
    table = (
        coded.groupby(["theme_id", "topic"])["respondent_id"].nunique()
        .unstack("topic")
        .reindex(index=themes["theme_id"], columns=list(QUESTIONS))
        .fillna(0)
        .astype(int)
    )
    table.index = pd.MultiIndex.from_frame(
        themes[["theme_id", "name"]].rename(columns={"name": "theme_name"})
    )
    table.columns.name = "question"
    return table


def _indicator(pairs: pd.DataFrame, index: Sequence[str], codes: Sequence[str]) -> np.ndarray:
    """Boolean segment x code matrix from (segment_id, code_id) pairs."""
    matrix = np.zeros((len(index), len(codes)), dtype=bool)
    rows = pd.Index(index).get_indexer(pairs["segment_id"])
    cols = pd.Index(codes).get_indexer(pairs["code_id"])
    keep = (rows >= 0) & (cols >= 0)
    matrix[rows[keep], cols[keep]] = True
    return matrix


def code_cooccurrence(data: QualitativeData) -> pd.DataFrame:
    """Code x code: segments where coder A applied both codes (diagonal: the code at all).

    Index and columns: code_id in codebook order (named 'code_id'); integers.
    """
    codes = data.codebook.codes["code_id"].tolist()
    coded = data.codings[data.codings["coder"].eq("A")]
    x = _indicator(coded, data.segments["segment_id"], codes).astype(int)
    index = pd.Index(codes, name="code_id")
    return pd.DataFrame(x.T @ x, index=index, columns=index.copy())


def _agreement_matrices(
    data: QualitativeData,
) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    sample = data.double_coded["segment_id"].tolist()
    codes = data.codebook.codes["code_id"].tolist()
    a = _indicator(data.codings[data.codings["coder"].eq("A")], sample, codes)
    b = _indicator(data.codings[data.codings["coder"].eq("B")], sample, codes)
    return sample, codes, a, b


def agreement_units(data: QualitativeData) -> pd.DataFrame:
    """The reliability units: each double-coded segment x each codebook code.

    Columns: segment_id, code_id, coder_a, coder_b (1 = code applied, 0 = not).
    Segment-major order (sample order, then codebook order).
    """
    sample, codes, a, b = _agreement_matrices(data)
    return pd.DataFrame(
        {
            "segment_id": np.repeat(np.asarray(sample, dtype=object), len(codes)),
            "code_id": np.tile(np.asarray(codes, dtype=object), len(sample)),
            "coder_a": a.ravel().astype(int),
            "coder_b": b.ravel().astype(int),
        }
    )


def intercoder_agreement(data: QualitativeData) -> pd.DataFrame:
    """Per-code agreement between coders A and B on the double-coded segments.

    Each (double-coded segment x code) is a present/absent decision by each coder.
    Columns: code_id, theme_id, name, n_units (double-coded segments), n_a, n_b
    (segments where each coder applied the code), n_both, percent_agreement (0-100),
    cohen_kappa = (po - pe) / (1 - pe), pe from each coder's own marginal rates
    (Cohen 1960); NaN where undefined: a coder used one category only for the code
    (always or never applied it; ``lehc_report.stats.spread.no_spread``), since kappa
    is then 0 or 0/0 whatever the agreement, or there are no units.
    """
    _, codes, a, b = _agreement_matrices(data)
    n = a.shape[0]
    n_a, n_b = a.sum(axis=0), b.sum(axis=0)
    agree = (a == b).sum(axis=0)
    # kappa = (po - pe) / (1 - pe) with po = agree / n and
    # pe = (n_a/n)(n_b/n) + (1 - n_a/n)(1 - n_b/n).  Multiplying through by n**2 keeps
    # it in integers, so pe == 1 is tested exactly and a kappa of 0 is exactly 0:
    # kappa = (n * agree - e) / (n**2 - e), with e = n_a n_b + (n - n_a)(n - n_b).
    e = n_a * n_b + (n - n_a) * (n - n_b)
    denominator = n * n - e
    # Undefined where a coder used one category only (pe == po whatever they agree on, so
    # kappa would be 0 or 0/0), or n == 0: the one "no spread" rule (stats/spread.py).
    undefined = (denominator == 0) | no_spread(a, axis=0) | no_spread(b, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        po = agree / n if n else np.full(len(codes), np.nan)
        kappa = np.where(undefined, np.nan, (n * agree - e) / np.where(undefined, 1, denominator))
    table = data.codebook.codes[["code_id", "theme_id", "name"]].copy()
    table["n_units"] = n
    table["n_a"] = n_a
    table["n_b"] = n_b
    table["n_both"] = (a & b).sum(axis=0)
    table["percent_agreement"] = 100 * po
    table["cohen_kappa"] = kappa
    return table.reset_index(drop=True)


def krippendorff_alpha_nominal(data: QualitativeData) -> float:
    """Krippendorff's alpha (nominal) over all (double-coded segment x code) units.

    Reliability data: 2 coders x units, values 0/1.  NaN when undefined (no units, or
    only one value observed anywhere, so there is no variation to agree on).
    """
    _, _, a, b = _agreement_matrices(data)
    reliability = np.vstack([a.ravel(), b.ravel()]).astype(float)
    if reliability.shape[1] == 0 or np.unique(reliability).size < 2:
        return float("nan")
    return float(
        krippendorff.alpha(reliability_data=reliability, level_of_measurement="nominal")
    )


def quote_bank(data: QualitativeData, max_per_theme: int = 3) -> pd.DataFrame:
    """Exemplar quotes per theme, from consenting respondents only.

    Candidates are coder-A codings marked exemplar=yes whose respondent has
    consent_to_quote == 'yes'.  Per theme, at most ``max_per_theme`` segments are taken,
    preferring distinct respondents (a respondent's second quote is taken only after
    every other respondent's first).  Output order: theme order in the codebook, then
    code order, then segment_id.  Columns: quote_id ('<theme_id>-<k>'), theme_id,
    code_id, text, attribution (role_label only; never IDs, gender or self-assessment).
    """
    if max_per_theme < 0:
        raise ValueError("max_per_theme must be 0 or more")
    columns = ["quote_id", "theme_id", "code_id", "text", "attribution"]
    coded = _coder_codings(data, "A")
    coded = coded[coded["exemplar"].eq("yes")].merge(
        data.respondents[["respondent_id", "consent_to_quote", "role_label"]],
        on="respondent_id", how="left", validate="many_to_one",
    )
    coded = coded[coded["consent_to_quote"].eq("yes")]
    theme_pos = {t: i for i, t in enumerate(data.codebook.themes["theme_id"])}
    code_pos = {c: i for i, c in enumerate(data.codebook.codes["code_id"])}
    coded = coded.assign(
        _theme=coded["theme_id"].map(theme_pos), _code=coded["code_id"].map(code_pos)
    ).sort_values(["_theme", "_code", "segment_id"], kind="stable")
    coded = coded.drop_duplicates(["theme_id", "segment_id"], keep="first")
    coded["_repeat"] = coded.groupby(["theme_id", "respondent_id"]).cumcount()
    picked = (
        coded.sort_values(["_theme", "_repeat", "_code", "segment_id"], kind="stable")
        .groupby("theme_id", sort=False)
        .head(max_per_theme)
        .sort_values(["_theme", "_code", "segment_id"], kind="stable")
    )
    picked = picked.assign(
        quote_id=picked["theme_id"]
        + "-"
        + (picked.groupby("theme_id").cumcount() + 1).astype(str),
        attribution=picked["role_label"],
    )
    return picked[columns].reset_index(drop=True) if len(picked) else pd.DataFrame(
        columns=columns
    )


def respondent_profiles(data: QualitativeData, respondent_ids: Iterable[str]) -> pd.DataFrame:
    """Profiles for case studies, in the order asked (internal use: do not print the index).

    Index: respondent_id.  Columns: role_label, source, group, self_assessment_id
    ('' if none), n_segments, themes and codes (tuples of coder-A theme/code ids in
    codebook order).  Raises KeyError for IDs not in the register.
    """
    ids = list(respondent_ids)
    resp = data.respondents.set_index("respondent_id")
    unknown = [i for i in ids if i not in resp.index]
    if unknown:
        raise KeyError(f"not in {RESPONDENTS_FILE}: {', '.join(map(str, unknown))}")
    coded = _coder_codings(data, "A")
    coded = coded[coded["respondent_id"].isin(ids)]
    code_pos = {c: i for i, c in enumerate(data.codebook.codes["code_id"])}
    theme_pos = {t: i for i, t in enumerate(data.codebook.themes["theme_id"])}

    def ordered(values: pd.Series, pos: Mapping[str, int]) -> tuple[str, ...]:
        return tuple(sorted(set(values), key=pos.__getitem__))

    codes = coded.groupby("respondent_id")["code_id"].agg(ordered, pos=code_pos)
    themes = coded.groupby("respondent_id")["theme_id"].agg(ordered, pos=theme_pos)
    n_segments = data.segments.groupby("respondent_id")["segment_id"].nunique()
    profile = resp.loc[ids, ["role_label", "source", "group", "self_assessment_id"]].copy()
    profile["n_segments"] = n_segments.reindex(ids).fillna(0).astype(int).to_numpy()
    profile["themes"] = [themes.get(i, ()) for i in ids]
    profile["codes"] = [codes.get(i, ()) for i in ids]
    return profile


# --------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------


def _wrap(labels: Iterable[Any], width: int) -> list[str]:
    return [textwrap.fill(str(label), width) for label in labels]


def plot_theme_by_question(
    table: pd.DataFrame,
    question_labels: Mapping[str, str] | None = None,
    title: str | None = "Survey respondents raising each theme, by question",
) -> Figure:
    """Annotated heatmap of :func:`survey_theme_by_question` (rows labelled by theme name).

    Returns a :class:`matplotlib.figure.Figure` built without pyplot (no global state,
    nothing shown).
    """
    names = list(table.index.names)
    rows = (
        table.index.get_level_values("theme_name")
        if "theme_name" in names
        else table.index
    )
    cols = [question_labels.get(c, c) if question_labels else c for c in table.columns]
    values = table.to_numpy(dtype=int)
    fig = Figure(
        figsize=(max(6.0, 0.55 * values.shape[1] + 3.5), max(2.5, 0.55 * values.shape[0] + 1.6)),
        layout="constrained",
    )
    ax = fig.subplots()
    sns.heatmap(
        values, ax=ax, annot=True, fmt="d", cmap="Blues", vmin=0,
        vmax=max(1, int(values.max()) if values.size else 1),
        linewidths=0.5, linecolor="white",
        xticklabels=_wrap(cols, 14), yticklabels=_wrap(rows, 30),
        cbar_kws={"label": "respondents"},
    )
    ax.set_xlabel("survey question")
    ax.set_ylabel("")
    ax.tick_params(axis="y", rotation=0)
    ax.tick_params(axis="x", rotation=0)
    if title:
        ax.set_title(title)
    return fig


def plot_code_cooccurrence(
    matrix: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    title: str | None = "Segments coded with both codes (coder A)",
) -> Figure:
    """Annotated heatmap of :func:`code_cooccurrence`; ``labels`` maps code_id -> label."""
    names = [labels.get(c, c) if labels else c for c in matrix.index]
    values = matrix.to_numpy(dtype=int)
    size = max(4.5, 0.3 * len(names) + 3.0)
    fig = Figure(figsize=(size + 1.0, size), layout="constrained")
    ax = fig.subplots()
    # Zero cells stay blank: a thousand "0" labels hide the pattern and slow drawing.
    annotations = np.where(values > 0, values.astype(str), "")
    sns.heatmap(
        values, ax=ax, annot=annotations, fmt="", annot_kws={"fontsize": 7}, cmap="Purples", vmin=0,
        vmax=max(1, int(values.max()) if values.size else 1),
        square=True, linewidths=0.5, linecolor="white",
        xticklabels=names, yticklabels=names, cbar_kws={"label": "segments"},
    )
    ax.tick_params(axis="x", rotation=90)
    ax.tick_params(axis="y", rotation=0)
    if title:
        ax.set_title(title)
    return fig
