"""Generate test cohort B (tests/cohorts/cohort_b/): a whole alternative cohort folder.

Synthetic test data, not from any real course: 14 participants C01..C14 and all three
waves of ``data/framework.yml`` (start, end, follow_up).  Two participants drop out
after the start, one more misses the follow-up, a handful of ratings are missing
("N/A" or blank), rows come in a different order at each wave, and the end wave is an
Excel workbook.  There are no qualitative files: the report must say those sections
are absent.  Reproducible: numpy ``default_rng(SEED)``; the generated files are
committed and ``tests/test_cohort_b.py`` checks that this script still makes them.

    python tests/cohorts/make_cohort_b.py            # rewrite tests/cohorts/cohort_b/
    python tests/cohorts/make_cohort_b.py OUT_DIR    # write the cohort into OUT_DIR
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for the shared helper
from xlsx_helpers import fix_xlsx_timestamps  # noqa: E402

import numpy as np
import yaml
from openpyxl import Workbook

SEED = 20270101
HERE = Path(__file__).resolve().parent
FRAMEWORK = HERE.parents[1] / "data" / "framework.yml"
PARTICIPANTS = [f"C{i:02d}" for i in range(1, 15)]
COHORT_YML = """\
# Test cohort B: synthetic data made by tests/cohorts/make_cohort_b.py, not a real course.
programme: Leading Care Together (test cohort B)
client: Example Integrated Care Board
report_date: "2027"
attended: 20
"""


def make(out_dir: Path) -> dict:
    """Write the cohort folder; return what was generated (for checking by hand)."""
    spec = yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))
    ids = [b["id"] for a in spec["areas"] for b in a["behaviours"]]
    rng = np.random.default_rng(SEED)
    n, k = len(PARTICIPANTS), len(ids)

    person = rng.normal(6.0, 0.8, size=n)[:, None]
    item = rng.normal(0.0, 0.5, size=k)[None, :]
    gain = rng.normal(1.0, 0.4, size=n)[:, None]
    latent = {
        "start": person + item + rng.normal(0, 0.9, size=(n, k)),
        "end": person + item + gain + rng.normal(0, 0.9, size=(n, k)),
        "follow_up": person + item + 0.8 * gain + rng.normal(0, 0.9, size=(n, k)),
    }
    scores = {w: np.clip(np.rint(v), 1, 10).astype(int) for w, v in latent.items()}

    order = rng.permutation(n)
    dropped = sorted(PARTICIPANTS[i] for i in order[:2])  # start only
    no_follow_up = PARTICIPANTS[order[2]]  # start and end, not follow-up
    present = {
        "start": list(PARTICIPANTS),
        "end": [p for p in PARTICIPANTS if p not in dropped],
        "follow_up": [p for p in PARTICIPANTS if p not in dropped and p != no_follow_up],
    }

    cells = {w: [[str(v) for v in row] for row in scores[w]] for w in scores}
    missing = []
    for wave, count in (("start", 3), ("end", 2), ("follow_up", 2)):
        rows = [PARTICIPANTS.index(p) for p in present[wave]]
        picks = rng.choice(len(rows) * k, size=count, replace=False)
        for m, pick in enumerate(sorted(int(x) for x in picks)):
            r, j = rows[pick // k], pick % k
            cells[wave][r][j] = "N/A" if m % 2 == 0 else ""
            missing.append((PARTICIPANTS[r], wave, ids[j], cells[wave][r][j]))

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for wave in ("start", "end", "follow_up"):
        listed = [PARTICIPANTS.index(p) for p in present[wave]]
        listed = [listed[i] for i in rng.permutation(len(listed))]  # each wave in its own order
        table = [["participant_id", *ids], *([PARTICIPANTS[r], *cells[wave][r]] for r in listed)]
        if wave == "end":
            for stale in out_dir.glob("self_assessment_end.*"):
                stale.unlink()
            write_xlsx(out_dir / "self_assessment_end.xlsx", table)
        else:
            write_csv(out_dir / f"self_assessment_{wave}.csv", table)

    genders = rng.choice(["female", "male"], size=n, p=[0.7, 0.3])
    write_csv(out_dir / "participants.csv", [["participant_id", "gender"], *([p, g] for p, g in zip(PARTICIPANTS, genders))])
    (out_dir / "cohort.yml").write_text(COHORT_YML, encoding="utf-8", newline="\n")
    return {"present": present, "dropped": dropped, "no_follow_up": no_follow_up, "missing": missing}


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    """Scores as numbers, 'N/A' as text, blank as an empty cell: as Excel would hold them."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Self-assessment end"
    for row in rows:
        ws.append([int(c) if c.isdigit() else (c or None) for c in row])
    wb.properties.creator = "make_cohort_b.py"
    wb.save(path)
    fix_xlsx_timestamps(path)



if __name__ == "__main__":
    facts = make(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "cohort_b")
    print("dropped after start:", ", ".join(facts["dropped"]))
    print("no follow-up:", facts["no_follow_up"])
    print({w: len(p) for w, p in facts["present"].items()})
    for row in facts["missing"]:
        print("missing:", *row)
