"""A small hand-made qualitative data set, written by the tests into a temporary directory.

2 themes x 2 codes; 5 respondents (S01-S03 survey, I01-I02 interview); 8 segments;
3 of them double coded.  The expected tallies in the tests were worked out by hand
from the tables below.

Respondents            source     group          consent
  S01 commissioner     survey     professional   yes
  S02 service manager  survey     professional   no
  S03 carers' forum    survey     uses_services  yes
  I01 director         interview  professional   yes
  I02 person who uses  interview  uses_services  no

Coder A (x = exemplar)                 Coder B (double-coded sample only)
  S01-q01  values x                      S02-q01  values
  S01-q05  values x, coproduction        S03-q05  coproduction, person_centred
  S02-q01  values x, person_centred      I01-02   coproduction, values
  S02-q03a person_centred
  S03-q05  coproduction x
  I01-01   person_centred x
  I01-02   coproduction x, confidence
  I02-01   confidence x
"""

from __future__ import annotations

import csv
import copy
from pathlib import Path

QUESTIONS = (
    "q01", "q02", "q03a", "q03b", "q03c", "q04", "q05",
    "q06", "q07", "q08", "q09", "q10", "q11", "q12",
)  # fmt: skip

CODEBOOK = """\
themes:
  - id: philosophy
    name: A shared philosophy
    definition: Values and beliefs about people and services.
    codes:
      - id: philosophy.values
        name: Values
        definition: Talk about the values that guide the work.
        use_when: The respondent names a value or principle.
        not_when: A practice is described without a value.
      - id: philosophy.person_centred
        name: Person-centred thinking
        definition: Seeing the person rather than the service.
        use_when: The person's own goals are put first.
        not_when: Generic talk about customers.
  - id: practice
    name: Changed practice
    definition: What people now do differently.
    codes:
      - id: practice.coproduction
        name: Co-production
        definition: Designing or delivering with people who use services.
        use_when: People who use services share decisions.
        not_when: Consultation only.
      - id: practice.confidence
        name: Confidence to act
        definition: Feeling able to lead or speak up.
        use_when: The respondent reports acting with new confidence.
        not_when: Confidence is only hoped for.
"""

COLUMNS = {
    "respondents.csv": [
        "respondent_id", "source", "group", "gender", "role_label", "consent_to_quote",
        "self_assessment_id",
    ],
    "survey_returns.csv": ["respondent_id", *QUESTIONS],
    "interview_segments.csv": ["segment_id", "respondent_id", "topic", "text"],
    "codings.csv": ["segment_id", "coder", "code_id", "exemplar"],
    "double_coded.csv": ["segment_id"],
}  # fmt: skip

TEXTS = {
    "S01-q01": "Everyone deserves a say in the services they use.",
    "S01-q05": "We now plan services with carers, which reflects our values.",
    "S02-q01": "SECRET-S02: my values changed; I see the person, not the case.",
    "S02-q03a": "I ask what matters to people first.",
    "S03-q05": "As a carer I now sit on the design group, with a comma, and \"quotes\".",
    "I01-01": "The course made me think about the person in front of me.\nEvery time.",
    "I01-02": "We co-designed the new service and I felt able to lead it — finally.",
    "I02-01": "SECRET-I02: I spoke at the board meeting for the first time.",
}

ROWS = {
    "respondents.csv": [
        dict(respondent_id="S01", source="survey", group="professional", gender="female",
             role_label="commissioner, local authority", consent_to_quote="yes",
             self_assessment_id="P01"),
        dict(respondent_id="S02", source="survey", group="professional", gender="male",
             role_label="service manager, NHS trust", consent_to_quote="no",
             self_assessment_id=""),
        dict(respondent_id="S03", source="survey", group="uses_services", gender="female",
             role_label="member, carers' forum", consent_to_quote="yes",
             self_assessment_id="P02"),
        dict(respondent_id="I01", source="interview", group="professional", gender="male",
             role_label="director, voluntary organisation", consent_to_quote="yes",
             self_assessment_id="P03"),
        dict(respondent_id="I02", source="interview", group="uses_services", gender="female",
             role_label="person who uses services", consent_to_quote="no",
             self_assessment_id=""),
    ],
    "survey_returns.csv": [
        {"respondent_id": "S01", "q01": TEXTS["S01-q01"], "q05": TEXTS["S01-q05"]},
        {"respondent_id": "S02", "q01": TEXTS["S02-q01"], "q03a": TEXTS["S02-q03a"]},
        {"respondent_id": "S03", "q05": TEXTS["S03-q05"]},
    ],
    "interview_segments.csv": [
        dict(segment_id="I01-01", respondent_id="I01", topic="q01", text=TEXTS["I01-01"]),
        dict(segment_id="I01-02", respondent_id="I01", topic="q05", text=TEXTS["I01-02"]),
        dict(segment_id="I02-01", respondent_id="I02", topic="q01", text=TEXTS["I02-01"]),
    ],
    "codings.csv": [
        dict(segment_id="S01-q01", coder="A", code_id="philosophy.values", exemplar="yes"),
        dict(segment_id="S01-q05", coder="A", code_id="philosophy.values", exemplar="yes"),
        dict(segment_id="S01-q05", coder="A", code_id="practice.coproduction", exemplar=""),
        dict(segment_id="S02-q01", coder="A", code_id="philosophy.values", exemplar="yes"),
        dict(segment_id="S02-q01", coder="A", code_id="philosophy.person_centred",
             exemplar=""),
        dict(segment_id="S02-q03a", coder="A", code_id="philosophy.person_centred",
             exemplar=""),
        dict(segment_id="S03-q05", coder="A", code_id="practice.coproduction", exemplar="yes"),
        dict(segment_id="I01-01", coder="A", code_id="philosophy.person_centred",
             exemplar="yes"),
        dict(segment_id="I01-02", coder="A", code_id="practice.coproduction", exemplar="yes"),
        dict(segment_id="I01-02", coder="A", code_id="practice.confidence", exemplar=""),
        dict(segment_id="I02-01", coder="A", code_id="practice.confidence", exemplar="yes"),
        dict(segment_id="S02-q01", coder="B", code_id="philosophy.values", exemplar=""),
        dict(segment_id="S03-q05", coder="B", code_id="practice.coproduction", exemplar=""),
        dict(segment_id="S03-q05", coder="B", code_id="philosophy.person_centred",
             exemplar=""),
        dict(segment_id="I01-02", coder="B", code_id="practice.coproduction", exemplar=""),
        dict(segment_id="I01-02", coder="B", code_id="philosophy.values", exemplar=""),
    ],
    "double_coded.csv": [
        dict(segment_id="S02-q01"),
        dict(segment_id="S03-q05"),
        dict(segment_id="I01-02"),
    ],
}


def tables() -> dict:
    """Fresh, editable copies: {"codebook.yml": str, "<name>.csv": (columns, rows)}."""
    out = {"codebook.yml": CODEBOOK}
    for name, rows in ROWS.items():
        out[name] = (list(COLUMNS[name]), copy.deepcopy(rows))
    return out


def write_fixture(directory: Path, data: dict | None = None) -> Path:
    """Write the fixture (or an edited copy from :func:`tables`) into ``directory``."""
    data = tables() if data is None else data
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "codebook.yml").write_text(data["codebook.yml"], encoding="utf-8")
    for name in COLUMNS:
        columns, rows = data[name]
        with open(directory / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, restval="", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return directory
