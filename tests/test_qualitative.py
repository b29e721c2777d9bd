"""Tests for the qualitative strand (lehc_report.inputs.qualitative and .codebook, lehc_report.stats.tally
and .agreement, lehc_report.render.figures_qual) on the hand-made fixture in qual_fixture.py."""

from __future__ import annotations

import math
import warnings

import krippendorff
import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from qual_fixture import TEXTS, tables, write_fixture
from sklearn.metrics import cohen_kappa_score

from lehc_report.inputs.qualitative import QUESTIONS, QualitativeDataError, load_qualitative
from lehc_report.render.figures_qual import plot_code_cooccurrence, plot_theme_by_question
from lehc_report.stats.agreement import agreement_units, intercoder_agreement, krippendorff_alpha_nominal
from lehc_report.stats.tally import (
    code_cooccurrence,
    quote_bank,
    respondent_profiles,
    survey_theme_by_question,
    theme_tally,
)

CODES = [
    "philosophy.values",
    "philosophy.person_centred",
    "practice.coproduction",
    "practice.confidence",
]


@pytest.fixture
def data(tmp_path):
    return load_qualitative(write_fixture(tmp_path / "data"))


# ------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------


def test_load_builds_unified_segments(data):
    assert data.segments.columns.tolist() == [
        "segment_id", "respondent_id", "source", "topic", "text",
    ]  # fmt: skip
    # survey answers in row then question order, then interview segments in file order
    assert data.segments["segment_id"].tolist() == [
        "S01-q01", "S01-q05", "S02-q01", "S02-q03a", "S03-q05", "I01-01", "I01-02", "I02-01",
    ]  # fmt: skip
    assert data.segments["topic"].tolist() == [
        "q01", "q05", "q01", "q03a", "q05", "q01", "q05", "q01",
    ]  # fmt: skip
    assert dict(zip(data.segments["segment_id"], data.segments["text"], strict=True)) == TEXTS
    assert data.segments["source"].tolist() == ["survey"] * 5 + ["interview"] * 3
    assert data.codebook.themes["theme_id"].tolist() == ["philosophy", "practice"]
    assert data.codebook.codes["code_id"].tolist() == CODES
    assert data.codebook.codes.columns.tolist() == [
        "code_id", "theme_id", "name", "definition", "use_when", "not_when",
    ]  # fmt: skip
    assert len(data.respondents) == 5 and len(data.codings) == 16
    assert data.double_coded["segment_id"].tolist() == ["S02-q01", "S03-q05", "I01-02"]


def test_nothing_is_coerced(tmp_path):
    t = tables()
    t["survey_returns.csv"][1][2]["q05"] = "NA"  # S03's answer is literally "NA"
    t["respondents.csv"][1][1]["role_label"] = "0012"
    data = load_qualitative(write_fixture(tmp_path, t))
    assert data.segments.set_index("segment_id").at["S03-q05", "text"] == "NA"
    assert data.respondents.set_index("respondent_id").at["S02", "role_label"] == "0012"
    assert data.respondents.set_index("respondent_id").at["S02", "self_assessment_id"] == ""


# ------------------------------------------------------------------------------------
# Validation errors: file, row (header = row 1), column, and what to do
# ------------------------------------------------------------------------------------


def _set(name, index, **values):
    def edit(t):
        t[name][1][index].update(values)

    return edit


def _append(name, **row):
    def edit(t):
        t[name][1].append(row)

    return edit


def _delete(name, index):
    def edit(t):
        del t[name][1][index]

    return edit


def _drop_column(name, column):
    def edit(t):
        columns, rows = t[name]
        columns.remove(column)
        for row in rows:
            row.pop(column, None)

    return edit


def _add_column(name, column):
    def edit(t):
        t[name][0].append(column)

    return edit


# (edit, file, row, column, words the message must contain)
# Row numbers: the header is row 1, so list index i is row i + 2.  The fixture has
# 5 respondents, 3 survey returns, 3 interview segments, 16 codings, 3 double-coded.
CASES = {
    "code not in codebook": (
        _append("codings.csv", segment_id="S01-q01", coder="A", code_id="philosophy.kindness"),
        "codings.csv", 18, "code_id", "'philosophy.kindness' is not a code in codebook.yml",
    ),
    "survey return of unregistered respondent": (
        _append("survey_returns.csv", respondent_id="S09", q01="An answer."),
        "survey_returns.csv", 5, "respondent_id", "'S09' is not in respondents.csv",
    ),
    "interview segment of unregistered respondent": (
        _append("interview_segments.csv", segment_id="I09-01", respondent_id="I09",
                topic="q01", text="Hello."),
        "interview_segments.csv", 5, "respondent_id", "'I09' is not in respondents.csv",
    ),
    "survey return of an interview respondent": (
        _append("survey_returns.csv", respondent_id="I02", q01="An answer."),
        "survey_returns.csv", 5, "respondent_id", "registered with source 'interview'",
    ),
    "interview segment of a survey respondent": (
        _append("interview_segments.csv", segment_id="S03-01", respondent_id="S03",
                topic="q01", text="Hello."),
        "interview_segments.csv", 5, "respondent_id", "registered with source 'survey'",
    ),
    "unknown group": (
        _set("respondents.csv", 2, group="service_user"),
        "respondents.csv", 4, "group", "'service_user' is not an allowed group",
    ),
    "invalid source": (
        _set("respondents.csv", 1, source="postal"),
        "respondents.csv", 3, "source", "'postal' is not an allowed value",
    ),
    "source disagrees with ID": (
        _set("respondents.csv", 3, source="survey"),
        "respondents.csv", 5, "source", "does not start with the matching letter",
    ),
    "invalid gender": (
        _set("respondents.csv", 0, gender="F"),
        "respondents.csv", 2, "gender", "'F' is not an allowed value",
    ),
    "invalid consent": (
        _set("respondents.csv", 4, consent_to_quote="Yes"),
        "respondents.csv", 6, "consent_to_quote", "'Yes' is not an allowed value",
    ),
    "invalid self-assessment ID": (
        _set("respondents.csv", 1, self_assessment_id="p1"),
        "respondents.csv", 3, "self_assessment_id", "'p1' is not a self-assessment ID",
    ),
    "blank role label": (
        _set("respondents.csv", 1, role_label=" "),
        "respondents.csv", 3, "role_label", "role label is empty",
    ),
    "registered respondent without data": (
        _append("respondents.csv", respondent_id="S04", source="survey", group="professional",
                gender="male", role_label="GP", consent_to_quote="no", self_assessment_id=""),
        "respondents.csv", 7, "respondent_id", "has no row in survey_returns.csv",
    ),
    "empty interview text": (
        _set("interview_segments.csv", 2, text=""),
        "interview_segments.csv", 4, "text", "segment text is empty or only spaces",
    ),
    "whitespace-only interview text": (
        _set("interview_segments.csv", 1, text="  \n\t "),
        "interview_segments.csv", 3, "text", "segment text is empty or only spaces",
    ),
    "whitespace-only survey answer": (
        _set("survey_returns.csv", 0, q02="   "),
        "survey_returns.csv", 2, "q02", "only spaces",
    ),
    "unknown interview topic": (
        _set("interview_segments.csv", 0, topic="q13"),
        "interview_segments.csv", 2, "topic", "'q13' is not an allowed question id",
    ),
    "double-coded segment without coder B": (
        _append("double_coded.csv", segment_id="S01-q01"),
        "double_coded.csv", 5, "segment_id", "has no coder-B coding",
    ),
    "coder-B coding outside the sample": (
        _append("codings.csv", segment_id="S01-q05", coder="B", code_id="philosophy.values"),
        "codings.csv", 18, "coder", "not in the double-coding sample",
    ),
    "duplicate interview segment ID": (
        _append("interview_segments.csv", segment_id="I01-02", respondent_id="I01",
                topic="q02", text="Again."),
        "interview_segments.csv", 5, "segment_id", "'I01-02' is a duplicate; it is already "
        "used in row 3",
    ),
    "duplicate respondent ID": (
        _append("respondents.csv", respondent_id="S02", source="survey", group="professional",
                gender="male", role_label="GP", consent_to_quote="no", self_assessment_id=""),
        "respondents.csv", 7, "respondent_id", "'S02' is a duplicate; it is already used in "
        "row 3",
    ),
    "duplicate survey return": (
        _append("survey_returns.csv", respondent_id="S01", q02="More."),
        "survey_returns.csv", 5, "respondent_id", "'S01' is a duplicate",
    ),
    "duplicate coding": (
        _append("codings.csv", segment_id="S01-q01", coder="A", code_id="philosophy.values"),
        "codings.csv", 18, "segment_id", "repeats row 2",
    ),
    "coding for an unanswered question": (
        _append("codings.csv", segment_id="S01-q02", coder="A", code_id="philosophy.values"),
        "codings.csv", 18, "segment_id", "segment 'S01-q02' does not exist",
    ),
    "coding for an unregistered respondent": (
        _append("codings.csv", segment_id="S77-q01", coder="A", code_id="philosophy.values"),
        "codings.csv", 18, "segment_id", "respondent 'S77' is not in respondents.csv",
    ),
    "unknown double-coded segment": (
        _append("double_coded.csv", segment_id="I01-09"),
        "double_coded.csv", 5, "segment_id", "segment 'I01-09' does not exist",
    ),
    "exemplar on coder B": (
        _set("codings.csv", 11, exemplar="yes"),
        "codings.csv", 13, "exemplar", "coder-B row",
    ),
    "invalid coder": (
        _set("codings.csv", 0, coder="C"),
        "codings.csv", 2, "coder", "'C' is not an allowed coder",
    ),
    "uncoded survey answer": (
        _delete("codings.csv", 5),  # S02-q03a's only coder-A coding
        "survey_returns.csv", 3, "q03a", "segment 'S02-q03a' has no coder-A coding",
    ),
    "uncoded interview segment": (
        _delete("codings.csv", 10),  # I02-01's only coder-A coding
        "interview_segments.csv", 4, "segment_id", "segment 'I02-01' has no coder-A coding",
    ),
    "missing column": (
        _drop_column("respondents.csv", "gender"),
        "respondents.csv", 1, "gender", "required column is missing",
    ),
    "unexpected column": (
        _add_column("codings.csv", "memo"),
        "codings.csv", 1, "memo", "not part of the file contract",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_validation_errors_name_file_row_and_column(tmp_path, case):
    edit, file, row, column, words = CASES[case]
    t = tables()
    edit(t)
    with pytest.raises(QualitativeDataError) as info:
        load_qualitative(write_fixture(tmp_path, t))
    err = info.value
    message = str(err)
    assert isinstance(err, ValueError)
    assert (err.file, err.row, err.column) == (file, row, column), message
    assert f"{file}, row {row}, column '{column}'" in message
    assert words in message
    assert "What to do:" in message


def test_all_problems_of_a_stage_are_listed(tmp_path):
    t = tables()
    t["respondents.csv"][1][0]["group"] = "staff"
    t["respondents.csv"][1][4]["gender"] = "x"
    with pytest.raises(QualitativeDataError) as info:
        load_qualitative(write_fixture(tmp_path, t))
    message = str(info.value)
    assert message.startswith("2 problems")
    assert "respondents.csv, row 2, column 'group'" in message
    assert "respondents.csv, row 6, column 'gender'" in message


def _raw_append(path, line):
    with open(path, "a", encoding="utf-8", newline="") as handle:
        handle.write(line)


def test_ragged_row_is_refused_not_padded(tmp_path):
    directory = write_fixture(tmp_path)
    _raw_append(directory / "double_coded.csv", "S01-q01,extra\n")
    with pytest.raises(QualitativeDataError, match=r"double_coded\.csv, row 5: the row has 2 "
                       r"cells but the header \(row 1\) has 1"):
        load_qualitative(directory)


def test_blank_row_in_the_middle_is_refused(tmp_path):
    directory = write_fixture(tmp_path)
    path = directory / "respondents.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:3] + ["\n"] + lines[3:]), encoding="utf-8")
    with pytest.raises(QualitativeDataError, match=r"respondents\.csv, row 4: the row is empty"):
        load_qualitative(directory)


def test_missing_file(tmp_path):
    directory = write_fixture(tmp_path)
    (directory / "respondents.csv").unlink()
    with pytest.raises(QualitativeDataError, match=r"respondents\.csv: the file was not found") as caught:
        load_qualitative(directory)
    assert "data/README.md" in str(caught.value) and "lehc_report" not in str(caught.value)


def test_missing_double_coding_means_none_was_done(tmp_path):
    directory = write_fixture(tmp_path)
    (directory / "double_coded.csv").unlink()
    codings = pd.read_csv(directory / "codings.csv", dtype=str, keep_default_na=False)
    codings[codings["coder"] == "A"].to_csv(directory / "codings.csv", index=False)
    data = load_qualitative(directory)
    assert not data.double_coding and data.coded and len(data.double_coded) == 0
    assert math.isnan(krippendorff_alpha_nominal(data))
    assert intercoder_agreement(data)["n_units"].eq(0).all()


def test_missing_codings_means_nothing_coded_yet(tmp_path):
    directory = write_fixture(tmp_path)
    (directory / "codings.csv").unlink()
    (directory / "double_coded.csv").unlink()
    data = load_qualitative(directory)
    assert not data.coded and len(data.codings) == 0 and len(data.segments) == 8
    assert theme_tally(data)["count"].eq(0).all()
    assert quote_bank(data).empty


def _drop_source(tmp_path, source):
    """The fixture with one source removed: its file, register rows and codings."""
    prefix, file = {"survey": ("S", "survey_returns.csv"), "interview": ("I", "interview_segments.csv")}[source]
    data = tables()
    columns, rows = data["respondents.csv"]
    data["respondents.csv"] = (columns, [r for r in rows if not r["respondent_id"].startswith(prefix)])
    for name in ("codings.csv", "double_coded.csv"):
        columns, rows = data[name]
        data[name] = (columns, [r for r in rows if not r["segment_id"].startswith(prefix)])
    directory = write_fixture(tmp_path, data)
    (directory / file).unlink()
    return directory


@pytest.mark.parametrize("source, kept, n_segments", [("survey", ("interview",), 3), ("interview", ("survey",), 5)])
def test_one_source_alone_loads(tmp_path, source, kept, n_segments):
    data = load_qualitative(_drop_source(tmp_path, source))
    assert data.sources == kept and len(data.segments) == n_segments
    tally = theme_tally(data)
    assert tally.loc[(tally["subgroup"] == source), "n"].eq(0).all()


def test_registered_respondent_without_their_source_file_is_refused(tmp_path):
    directory = write_fixture(tmp_path)
    (directory / "interview_segments.csv").unlink()
    with pytest.raises(QualitativeDataError, match=r"respondents\.csv, row 5, column 'respondent_id': interview respondent "
                       r"'I01' has no segment in interview_segments\.csv \(the file is not in the data folder\)"):
        load_qualitative(directory)


def test_neither_source_file_is_refused(tmp_path):
    directory = write_fixture(tmp_path)
    (directory / "interview_segments.csv").unlink()
    (directory / "survey_returns.csv").unlink()
    with pytest.raises(QualitativeDataError, match=r"neither survey_returns\.csv nor interview_segments\.csv"):
        load_qualitative(directory)


def test_unique_role_labels_are_named_by_file_row_and_column(data):
    from lehc_report.inputs.qualitative import role_label_problems

    problems = role_label_problems(data.respondents)
    # Every label in the fixture is its holder's own; S02 and I02 did not agree to be quoted.
    assert [(p.file, p.row, p.column) for p in problems] == [("respondents.csv", r, "role_label") for r in (2, 4, 5)]
    assert "shared by fewer than 2 respondents" in str(problems[0]) and "What to do: give them a broader label" in str(problems[0])
    shared = data.respondents.assign(role_label=["a", "a", "b", "b", "b"])
    assert role_label_problems(shared) == []


def _codebook_line(text, fragment):
    """1-based line of the last line containing ``fragment``."""
    return [i for i, line in enumerate(text.splitlines(), start=1) if fragment in line][-1]


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        ("  - id: practice\n", "  - id: Practice\n", "themes[1].id", "snake_case"),
        ("      - id: practice.confidence\n", "      - id: philosophy.confidence\n",
         "themes[1].codes[1].id", "does not start with its theme id 'practice'"),
        ("      - id: practice.confidence\n", "      - id: practice.coproduction\n",
         "themes[1].codes[1].id", "already used on line"),
        ("        use_when: People who use services share decisions.\n", "",
         "themes[1].codes[0].use_when", "Field required"),
        ("        not_when: Consultation only.\n", "        not_when: Consultation only.\n"
         "        examples: none\n", "themes[1].codes[0].examples", "Extra inputs"),
        ("        not_when: Consultation only.\n", "        not_when: no\n",
         "themes[1].codes[0].not_when", "valid string"),
    ],
)
def test_codebook_errors_name_line_and_field(tmp_path, old, new, field, words):
    t = tables()
    assert old in t["codebook.yml"]
    anchor = new.splitlines()[-1] if new else None
    t["codebook.yml"] = t["codebook.yml"].replace(old, new, 1)
    with pytest.raises(QualitativeDataError) as info:
        load_qualitative(write_fixture(tmp_path, t))
    message = str(info.value)
    assert info.value.file == "codebook.yml"
    assert f"field '{field}'" in message and words in message and "What to do:" in message
    if anchor:  # the line of the offending key; a missing key points at its code entry
        assert f"line {_codebook_line(t['codebook.yml'], anchor.strip())}," in message
    else:
        assert f"line {_codebook_line(t['codebook.yml'], 'id: practice.coproduction')}," in (
            message
        )


# ------------------------------------------------------------------------------------
# Tallies, worked out by hand from the fixture (see qual_fixture.py)
# ------------------------------------------------------------------------------------


def test_theme_tally_counts_by_hand(data):
    tally = theme_tally(data)
    assert tally.columns.tolist() == [
        "level", "id", "name", "breakdown", "subgroup", "count", "n", "share",
    ]  # fmt: skip
    got = {
        (r.id, r.breakdown, r.subgroup): (r.count, r.n)
        for r in tally.itertuples(index=False)
    }
    # n: 5 respondents; survey 3 (S01-S03), interview 2; professional 3 (S01, S02, I01),
    # uses_services 2 (S03, I02).
    # Columns below: overall, survey, interview, professional, uses_services.
    expected = {
        # philosophy: S01, S02 (survey), I01 (interview); all three professional
        "philosophy": (3, 2, 1, 3, 0),
        # practice: S01, S03 (survey), I01, I02 (interview); prof S01, I01; uses S03, I02
        "practice": (4, 2, 2, 2, 2),
        # values: S01 (2 segments!), S02 -> 2 respondents, not 3 segments
        "philosophy.values": (2, 2, 0, 2, 0),
        # person_centred: S02 (2 segments), I01
        "philosophy.person_centred": (2, 1, 1, 2, 0),
        # coproduction: S01, S03, I01
        "practice.coproduction": (3, 2, 1, 2, 1),
        # confidence: I01, I02
        "practice.confidence": (2, 0, 2, 1, 1),
    }
    cells = [("overall", "all"), ("source", "survey"), ("source", "interview"),
             ("group", "professional"), ("group", "uses_services")]
    n = (5, 3, 2, 3, 2)
    for item, counts in expected.items():
        for cell, count, denominator in zip(cells, counts, n, strict=True):
            assert got[(item, *cell)] == (count, denominator), (item, cell)
    assert len(tally) == 6 * 5
    assert tally["id"].drop_duplicates().tolist() == ["philosophy", "practice", *CODES]
    assert tally["level"].drop_duplicates().tolist() == ["theme", "code"]
    row = tally[(tally["id"] == "practice") & (tally["subgroup"] == "survey")].iloc[0]
    assert row["name"] == "Changed practice" and row["share"] == pytest.approx(2 / 3)


def test_survey_theme_by_question_by_hand(data):
    table = survey_theme_by_question(data)
    assert table.columns.tolist() == list(QUESTIONS)
    assert table.index.tolist() == [
        ("philosophy", "A shared philosophy"), ("practice", "Changed practice"),
    ]  # fmt: skip
    # philosophy: q01 S01, S02; q03a S02; q05 S01.  practice: q05 S01, S03.
    # (Interview segments on q01/q05 are not survey answers and are not counted.)
    expected = pd.DataFrame(0, index=table.index, columns=table.columns)
    expected.loc[("philosophy", "A shared philosophy"), ["q01", "q03a", "q05"]] = [2, 1, 1]
    expected.loc[("practice", "Changed practice"), "q05"] = 2
    pd.testing.assert_frame_equal(table, expected, check_names=False)


def test_code_cooccurrence_by_hand(data):
    matrix = code_cooccurrence(data)
    # diagonal: segments with the code (values: S01-q01, S01-q05, S02-q01; person_centred:
    # S02-q01, S02-q03a, I01-01; coproduction: S01-q05, S03-q05, I01-02; confidence:
    # I01-02, I02-01).  Pairs: values+coproduction S01-q05; values+person_centred
    # S02-q01; coproduction+confidence I01-02.
    expected = [
        [3, 1, 1, 0],
        [1, 3, 0, 0],
        [1, 0, 3, 1],
        [0, 0, 1, 2],
    ]
    assert matrix.index.tolist() == CODES and matrix.columns.tolist() == CODES
    assert matrix.to_numpy().tolist() == expected


# ------------------------------------------------------------------------------------
# Inter-coder agreement
# ------------------------------------------------------------------------------------


def test_intercoder_agreement_by_hand(data):
    table = intercoder_agreement(data).set_index("code_id")
    # Units: S02-q01, S03-q05, I01-02.
    #   values:         A 1 0 0, B 1 0 1: po 2/3, pe 1/3*2/3 + 2/3*1/3 = 4/9, k = 0.4
    #   person_centred: A 1 0 0, B 0 1 0: po 1/3, pe 1/9 + 4/9 = 5/9,        k = -0.5
    #   coproduction:   A 0 1 1, B 0 1 1: po 1,   pe 4/9 + 1/9 = 5/9,        k = 1
    #   confidence:     A 0 0 1, B 0 0 0: po 2/3, pe 0 + 2/3 = 2/3,          k = 0, but
    #                   B used one category only, so kappa is undefined (stats/spread.py)
    assert table.loc[CODES, "n_units"].tolist() == [3, 3, 3, 3]
    assert table.loc[CODES, "n_a"].tolist() == [1, 1, 2, 1]
    assert table.loc[CODES, "n_b"].tolist() == [2, 1, 2, 0]
    assert table.loc[CODES, "n_both"].tolist() == [1, 0, 2, 0]
    assert table.loc[CODES, "percent_agreement"].tolist() == pytest.approx(
        [200 / 3, 100 / 3, 100, 200 / 3]
    )
    assert table.loc[CODES, "cohen_kappa"].tolist() == pytest.approx([0.4, -0.5, 1.0, np.nan], nan_ok=True)


def test_kappa_matches_sklearn_per_code(data):
    table = intercoder_agreement(data).set_index("code_id")
    units = agreement_units(data)
    assert len(units) == 3 * 4
    for code, unit in units.groupby("code_id"):
        expected = cohen_kappa_score(unit["coder_a"], unit["coder_b"], labels=[0, 1])
        if unit["coder_a"].nunique() == 1 or unit["coder_b"].nunique() == 1:
            expected = np.nan  # sklearn says 0; a coder who used one category gives no kappa
        assert table.at[code, "cohen_kappa"] == pytest.approx(expected, abs=1e-12, nan_ok=True), code


def test_kappa_is_nan_when_chance_agreement_is_one(tmp_path):
    t = tables()
    # Drop I01-02 from the sample (and coder B's codings of it): on the two remaining
    # units neither coder applies practice.confidence, so pe == 1 and kappa is undefined.
    t["double_coded.csv"][1].pop()
    t["codings.csv"] = (
        t["codings.csv"][0],
        [r for r in t["codings.csv"][1]
         if not (r["coder"] == "B" and r["segment_id"] == "I01-02")],
    )
    data = load_qualitative(write_fixture(tmp_path, t))
    table = intercoder_agreement(data).set_index("code_id")
    assert math.isnan(table.at["practice.confidence", "cohen_kappa"])
    assert table.at["practice.confidence", "percent_agreement"] == 100
    unit = agreement_units(data).query("code_id == 'practice.confidence'")
    with warnings.catch_warnings():  # sklearn may warn that kappa is undefined here
        warnings.simplefilter("ignore")
        assert math.isnan(cohen_kappa_score(unit["coder_a"], unit["coder_b"], labels=[0, 1]))


def test_krippendorff_alpha_by_hand_and_package(data):
    # 12 units (3 segments x 4 codes), pairs (A, B):
    #   (1,1) x3: values@S02-q01, coproduction@S03-q05, coproduction@I01-02
    #   (0,0) x5; disagreements x4: values@I01-02, person_centred@S02-q01 and @S03-q05,
    #   confidence@I01-02.
    # Coincidence matrix (each unit contributes both ordered pairs, weight 1/(m-1) = 1):
    #   o00 = 10, o01 = o10 = 4, o11 = 6;  n0 = 14, n1 = 10, n = 24.
    # alpha = 1 - (n - 1) * o01 / (n0 * n1) = 1 - 23 * 4 / 140 = 48 / 140 = 12 / 35.
    alpha = krippendorff_alpha_nominal(data)
    assert alpha == pytest.approx(12 / 35)
    units = agreement_units(data)
    package = krippendorff.alpha(
        reliability_data=units[["coder_a", "coder_b"]].to_numpy().T,
        level_of_measurement="nominal",
    )
    assert alpha == pytest.approx(package)


def test_krippendorff_package_reproduces_textbook_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", binary data,
    # two observers, ten units:
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    # Coincidences: o00 = 10, o01 = o10 = 4, o11 = 2; n0 = 14, n1 = 6, n = 20.
    # alpha = 1 - (n - 1) o01 / (n0 n1) = 1 - 19 * 4 / 84 = 8 / 84 = 0.095
    alpha = krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal")
    assert alpha == pytest.approx(8 / 84)
    assert round(alpha, 3) == 0.095


# ------------------------------------------------------------------------------------
# Quote bank and profiles
# ------------------------------------------------------------------------------------


def test_quote_bank_by_hand(data):
    bank = quote_bank(data)
    assert bank.columns.tolist() == ["quote_id", "theme_id", "code_id", "text", "attribution"]
    # Consenting exemplars: S01-q01, S01-q05 (values), I01-01 (person_centred),
    # I01-02, S03-q05 (coproduction).  S02-q01 and I02-01 are exemplars from people who
    # did not consent.  Order: theme, code, segment_id.
    assert bank.to_dict("list") == {
        "quote_id": ["philosophy-1", "philosophy-2", "philosophy-3", "practice-1",
                     "practice-2"],
        "theme_id": ["philosophy"] * 3 + ["practice"] * 2,
        "code_id": ["philosophy.values", "philosophy.values", "philosophy.person_centred",
                    "practice.coproduction", "practice.coproduction"],
        "text": [TEXTS["S01-q01"], TEXTS["S01-q05"], TEXTS["I01-01"], TEXTS["I01-02"],
                 TEXTS["S03-q05"]],
        "attribution": ["commissioner, local authority", "commissioner, local authority",
                        "director, voluntary organisation", "director, voluntary organisation",
                        "member, carers' forum"],
    }  # fmt: skip


def test_quote_bank_prefers_distinct_respondents(data):
    bank = quote_bank(data, max_per_theme=2)
    # philosophy: S01 has two exemplars, but I01's is taken before S01's second.
    assert bank["text"].tolist() == [
        TEXTS["S01-q01"], TEXTS["I01-01"], TEXTS["I01-02"], TEXTS["S03-q05"],
    ]  # fmt: skip
    assert bank["quote_id"].tolist() == ["philosophy-1", "philosophy-2", "practice-1",
                                         "practice-2"]
    assert quote_bank(data, max_per_theme=0).empty


def test_quote_bank_never_leaks_non_consenting_text_or_ids(data):
    bank = quote_bank(data, max_per_theme=10)
    # S02 and I02 have exemplar codings but consent_to_quote == "no"
    assert not bank["text"].str.contains("SECRET").any()
    assert TEXTS["S02-q01"] not in bank["text"].tolist()
    assert TEXTS["I02-01"] not in bank["text"].tolist()
    for forbidden in ("respondent_id", "gender", "self_assessment_id", "segment_id"):
        assert forbidden not in bank.columns
    cells = " ".join(bank.astype(str).to_numpy().ravel())
    for respondent in data.respondents["respondent_id"]:
        assert respondent not in cells
    for assessment in ("P01", "P02", "P03"):
        assert assessment not in cells
    assert "female" not in cells and " male" not in cells


def test_quote_bank_is_deterministic(data):
    pd.testing.assert_frame_equal(quote_bank(data), quote_bank(data))


def test_respondent_profiles(data):
    profiles = respondent_profiles(data, ["I01", "S02"])
    assert profiles.index.tolist() == ["I01", "S02"]
    assert profiles.loc["I01", "role_label"] == "director, voluntary organisation"
    assert profiles.loc["I01", "self_assessment_id"] == "P03"
    assert profiles.loc["I01", "codes"] == (
        "philosophy.person_centred", "practice.coproduction", "practice.confidence",
    )  # fmt: skip
    assert profiles.loc["I01", "themes"] == ("philosophy", "practice")
    assert profiles.loc["S02", "codes"] == ("philosophy.values", "philosophy.person_centred")
    assert profiles.loc["S02", "n_segments"] == 2
    assert profiles.loc["S02", ["source", "group"]].tolist() == ["survey", "professional"]
    with pytest.raises(KeyError, match="S99"):
        respondent_profiles(data, ["S99"])


# ------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------


def test_plot_theme_by_question(data):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = plot_theme_by_question(survey_theme_by_question(data))
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before  # built without pyplot: nothing to show or leak
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "A shared philosophy", "Changed practice",
    ]  # fmt: skip
    assert [t.get_text() for t in ax.get_xticklabels()] == list(QUESTIONS)
    annotations = [t.get_text() for t in ax.texts]
    assert len(annotations) == 2 * len(QUESTIONS)
    assert annotations[:7] == ["2", "0", "1", "0", "0", "0", "1"]


def test_plot_code_cooccurrence(data):
    fig = plot_code_cooccurrence(code_cooccurrence(data))
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == CODES
    # Each nonzero cell annotated at its centre, row by row; zero cells left blank (no text).
    assert [(t.get_text(), t.get_position()) for t in ax.texts][:3] == [("3", (0.5, 0.5)), ("1", (1.5, 0.5)), ("1", (2.5, 0.5))]
    counts = code_cooccurrence(data).to_numpy()
    assert [t.get_text() for t in ax.texts] == [str(v) for v in counts.flat if v > 0]
    assert 0 in counts
    names = dict(zip(data.codebook.codes["code_id"], data.codebook.codes["name"], strict=True))
    fig = plot_code_cooccurrence(code_cooccurrence(data), labels=names)
    assert fig.axes[0].get_yticklabels()[0].get_text() == "Values"
    assert matplotlib.get_backend()  # figures need no interactive backend


def test_heatmap_labels_give_the_png_of_seaborns_labelling(data, tmp_path):
    """The heatmaps label and annotate their cells themselves (skipping seaborn's costly overlap check
    and its blank annotations):
    the saved PNG is byte for byte the one seaborn's own labelling and annotation give."""
    import seaborn as sns

    from lehc_report.render.outputs import save_figure

    matrix = code_cooccurrence(data)
    values = matrix.to_numpy(dtype=int)
    names = list(matrix.index)
    size = max(4.5, 0.3 * len(names) + 3.0)
    reference = Figure(figsize=(size + 1.0, size), layout="constrained")
    ax = reference.subplots()
    sns.heatmap(values, ax=ax, annot=np.where(values > 0, values.astype(str), ""), fmt="", annot_kws={"fontsize": 7},
                cmap="Purples", vmin=0, vmax=max(1, int(values.max())), square=True, linewidths=0.5, linecolor="white",
                xticklabels=names, yticklabels=names, cbar_kws={"label": "segments"})
    ax.tick_params(axis="x", rotation=90)
    ax.tick_params(axis="y", rotation=0)
    ours = save_figure(plot_code_cooccurrence(matrix, title=None), tmp_path / "ours.png")
    assert ours.read_bytes() == save_figure(reference, tmp_path / "seaborn.png").read_bytes()
