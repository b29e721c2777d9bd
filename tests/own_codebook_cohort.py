"""A 30-person cohort coded with its own six-code codebook (survey only, double coded).

Written by the tests into a temporary folder, with cohort_b's self-assessment files so
that a whole report can be built from it.  The counts below were worked out by hand:

Theme ``practice`` ("Changed practice"): ``practice.changed_practice`` S01-S03 (3
respondents), ``practice.new_partners`` S04-S05 (2); the theme 5.
Theme ``learning`` ("Learning together"): ``learning.peer_support`` S06-S17 (12),
``learning.mixed_groups`` S18-S21 and S24-S30 (11), ``learning.pace`` nobody; the theme 23.
Theme ``doubts`` ("Doubts"): ``doubts.too_abstract`` S22-S23 (2); the theme 2.
Each respondent answered one question.  S01-S05 did not agree to be quoted, so the
``practice`` theme has no quotation.  Double coding: the answers of S01-S10; coder B
agrees with coder A except on S04 and S05, which B coded ``practice.changed_practice``
instead of ``practice.new_partners``, and S06 ``practice.new_partners`` as well as peer
support: Cohen's kappa (0.7 - 0.74) / 0.26 = -0.15 for new partners (weak), 0.60 for
changed practice, 1.00 for peer support, undefined for the rest.  No interviews.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COHORT_B = ROOT / "tests" / "cohorts" / "cohort_b"

CODEBOOK = """\
themes:
  - id: practice
    name: Changed practice
    definition: What respondents now do differently at work.
    codes:
      - id: practice.changed_practice
        name: Changed practice
        definition: A concrete change made at work.
        use_when: A change already made is described.
        not_when: A change is only planned.
      - id: practice.new_partners
        name: New partners
        definition: Working with people or groups not worked with before.
        use_when: A new working relationship is named.
        not_when: An existing partner is mentioned.
  - id: learning
    name: Learning together
    definition: How respondents learned from each other on the course.
    codes:
      - id: learning.peer_support
        name: Peer support
        definition: Help from other participants.
        use_when: Another participant's help is described.
        not_when: A facilitator helped.
      - id: learning.mixed_groups
        name: Mixed groups
        definition: Learning in groups mixing sectors.
        use_when: The mix of sectors in a group is valued.
        not_when: The group is not described.
      - id: learning.pace
        name: Pace
        definition: The speed of the course.
        use_when: The pace is commented on.
        not_when: Time in general is mentioned.
  - id: doubts
    name: Doubts
    definition: Reservations about the course.
    codes:
      - id: doubts.too_abstract
        name: Too abstract
        definition: The ideas felt too far from daily work.
        use_when: The respondent finds the course abstract.
        not_when: A session is criticised for its delivery.
"""

QUESTIONS = ("q01", "q02", "q03a", "q03b", "q03c", "q04", "q05", "q06", "q07", "q08", "q09", "q10", "q11", "q12")
ROLES = ("commissioner, local authority", "manager, NHS trust", "practitioner, voluntary sector")

#: respondent number -> (question, code, exemplar) coded by coder A.
CODINGS = {
    **{i: ("q09", "practice.changed_practice", "yes") for i in (1, 2, 3)},
    **{i: ("q10", "practice.new_partners", "yes") for i in (4, 5)},
    **{i: ("q05", "learning.peer_support", "yes" if i in (6, 7) else "") for i in range(6, 18)},
    **{i: ("q06", "learning.mixed_groups", "yes" if i == 18 else "") for i in range(18, 22)},
    **{i: ("q11", "doubts.too_abstract", "yes" if i == 22 else "") for i in (22, 23)},
    **{i: ("q12", "learning.mixed_groups", "") for i in range(24, 31)},
}
TEXTS = {
    "practice.changed_practice": "We now run the planning meeting in the community centre, with residents in the room.",
    "practice.new_partners": "I have started working with the tenants' association for the first time.",
    "learning.peer_support": "The others in my group helped me think through a problem I had been stuck on for months.",
    "learning.mixed_groups": "Sitting with people from housing and health at one table made the difference.",
    "doubts.too_abstract": "Some of the ideas felt far from what I can change on a Monday morning.",
}


def respondent(i: int) -> str:
    return f"S{i:02d}"


def write_cohort(folder: Path) -> Path:
    """Write the cohort (qualitative files plus cohort_b's self-assessments) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("self_assessment_start.csv", "self_assessment_end.xlsx", "participants.csv", "cohort.yml"):
        shutil.copy(COHORT_B / name, folder / name)
    (folder / "codebook.yml").write_text(CODEBOOK, encoding="utf-8")

    def write(name, columns, rows):
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, restval="", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)

    write("respondents.csv", ["respondent_id", "source", "group", "gender", "role_label", "consent_to_quote",
                              "self_assessment_id"],
          [dict(respondent_id=respondent(i), source="survey", group="professional",
                gender="female" if i % 2 else "male", role_label=ROLES[i % 3],
                consent_to_quote="no" if i <= 5 else "yes", self_assessment_id="") for i in range(1, 31)])
    write("survey_returns.csv", ["respondent_id", *QUESTIONS],
          [{"respondent_id": respondent(i), CODINGS[i][0]: TEXTS[CODINGS[i][1]]} for i in range(1, 31)])
    codings = [dict(segment_id=f"{respondent(i)}-{q}", coder="A", code_id=code, exemplar=ex)
               for i, (q, code, ex) in CODINGS.items()]
    double = [f"{respondent(i)}-{CODINGS[i][0]}" for i in range(1, 11)]
    # Coder B agrees everywhere but on new partners: S04 and S05 read as changed practice,
    # and S06 (peer support) as new partners too.
    for i in range(1, 11):
        code = CODINGS[i][1]
        segment = f"{respondent(i)}-{CODINGS[i][0]}"
        codings.append(dict(segment_id=segment, coder="B",
                            code_id="practice.changed_practice" if code == "practice.new_partners" else code, exemplar=""))
        if i == 6:
            codings.append(dict(segment_id=segment, coder="B", code_id="practice.new_partners", exemplar=""))
    write("codings.csv", ["segment_id", "coder", "code_id", "exemplar"], codings)
    write("double_coded.csv", ["segment_id"], [{"segment_id": s} for s in double])
    return folder
