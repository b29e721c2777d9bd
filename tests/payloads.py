"""Untrusted-text payloads, and a cohort with one in every text field that reaches a page.

``python tests/payloads.py SRC DST`` copies the data folder SRC to DST (which must not
exist) and puts a payload into every survey answer, interview passage, role label,
codebook theme and code text, framework area, tagline, behaviour and wave label,
programme and client name, and the name of an extra file.  Each payload carries a
marker naming its field and kind (``zqx-role-script``), so a test can find where it
surfaced and check that it reads as typed.  Used by ``tests/test_payload_browser.py``.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import shutil
import sys
from pathlib import Path

import yaml

#: Every payload's marker starts with this (no page of the report holds it otherwise).
MARK = "zqx"

#: The 10,000-character word (it must wrap, not widen the page).
LONG_WORD = "W" * 10_000

#: Kind -> payload template; ``{m}`` is replaced by the marker of the field and kind.
PAYLOADS = {
    "script": "<script>alert('{m}')</script>",
    "handler": "<img src=x onerror=alert('{m}')> <svg onload=alert('{m}')>",
    "raw": "\n\n```{{raw}} html\n<script>alert('{m}')</script>\n```\n\n",
    "eval_rst": "\n\n```{{eval-rst}}\n.. raw:: html\n\n   <script>alert('{m}')</script>\n```\n\n",
    "role": "{{sub-ref}}`today` {{glue}}`{m}` {{math}}`x^2` {{doc}}`index` :::{{note}} {m}",
    "substitution": "{{{{ {m} }}}} {{{{ today }}}}",
    "image": "![{m}](https://evil.example/{m}.png)",
    "link": "[{m}](https://evil.example/{m}) <https://evil.example/auto-{m}>",
    "javascript": "[{m}](javascript:alert('{m}')) <a href=\"javascript:alert('{m}')\">{m}</a>",
    "style": "<style>body {{ display: none }}</style><p style=\"color:red\">{m}</p>",
    "maths": "$$ \\input{{/etc/passwd}} {m} $$ and $x_{m}$ and \\({m}\\)",
    "emphasis": "*{m}* **{m}** _{m}_ `{m}` ~~{m}~~ # {m} | {m} |",
    "entity": "&lt;b&gt;{m}&amp; &#60;i&#62; &nbsp;",
    "long": LONG_WORD + " {m}",
    "bidi": "\u202e{m}-rtl\u202c \u2067{m}-isolate\u2069 zero\u200bwidth\u200d{m} \u05e9\u05dc\u05d5\u05dd",
}

#: Characters removed from data text before it is shown (bidirectional controls).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def payload(field: str, kind: str) -> str:
    """The payload of ``kind`` for ``field``, with its marker ``zqx-<field>-<kind>``."""
    return PAYLOADS[kind].format(m=f"{MARK}-{field}-{kind}")


def shown(text: str) -> str:
    """What a reader must see for data ``text``: as typed, bidi controls removed, spaces collapsed."""
    return " ".join(BIDI_CONTROLS.sub("", text).split())


def _kinds():
    return itertools.cycle(PAYLOADS)


def _edit_csv(path: Path, edit) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    for row in rows:
        edit(row)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def make_payload_cohort(src: Path, dst: Path) -> dict[str, str]:
    """Copy data folder ``src`` to ``dst`` with a payload in every text field.

    Parameters
    ----------
    src : Path
        A cohort data folder (the project's ``data/``).
    dst : Path
        The new folder; must not exist.

    Returns
    -------
    dict
        Marker -> the full text of the field that carries it (what a page must show).
    """
    shutil.copytree(src, dst)
    (dst / "README.md").unlink(missing_ok=True)
    placed: dict[str, str] = {}

    def put(field: str, kind: str, text: str, before: bool = True) -> str:
        value = f"{payload(field, kind)} {text}" if before else f"{text} {payload(field, kind)}"
        placed[f"{MARK}-{field}-{kind}"] = value
        return value

    # Survey answers and interview passages: every one gets a payload (the quoted ones
    # reach the pages; which those are depends on consent and the coding).
    kinds = _kinds()
    counter = itertools.count()

    def answers(row):
        for column in [c for c in row if c.startswith("q")]:
            if row[column]:
                row[column] = put(f"answer{next(counter)}", next(kinds), row[column])

    _edit_csv(dst / "survey_returns.csv", answers)
    kinds = _kinds()
    _edit_csv(dst / "interview_segments.csv",
              lambda row: row.update(text=put(f"passage{row['segment_id'].replace('-', '')}", next(kinds), row["text"])))

    # Role labels: the same label keeps the same payload, so labels stay shared.
    labels: dict[str, str] = {}
    kinds = _kinds()

    def role(row):
        label = row["role_label"]
        if label not in labels:
            labels[label] = put(f"role{len(labels)}", next(kinds), label, before=False)
        row["role_label"] = labels[label]

    _edit_csv(dst / "respondents.csv", role)

    # Codebook: theme and code names and definitions.
    codebook = yaml.safe_load((dst / "codebook.yml").read_text(encoding="utf-8"))
    kinds = _kinds()
    for t, theme in enumerate(codebook["themes"]):
        theme["name"] = put(f"theme{t}", next(kinds), theme["name"], before=False)
        theme["definition"] = put(f"themedef{t}", next(kinds), theme["definition"])
        for c, code in enumerate(theme["codes"]):
            code["name"] = put(f"code{t}x{c}", next(kinds), code["name"], before=False)
            for key in ("definition", "use_when", "not_when"):
                code[key] = put(f"code{t}x{c}{key.replace('_', '')}", next(kinds), code[key])
    (dst / "codebook.yml").write_text(yaml.safe_dump(codebook, allow_unicode=True, sort_keys=False), encoding="utf-8")

    # Framework: area names, taglines, behaviour labels, wave labels.
    framework = yaml.safe_load((dst / "framework.yml").read_text(encoding="utf-8"))
    kinds = _kinds()
    for a, area in enumerate(framework["areas"]):
        area["name"] = put(f"area{a}", next(kinds), area["name"], before=False)
        area["tagline"] = put(f"tagline{a}", next(kinds), area["tagline"], before=False)
        for b, behaviour in enumerate(area["behaviours"]):
            behaviour["label"] = put(f"behaviour{a}x{b}", next(kinds), behaviour["label"], before=False)
    for w, wave in enumerate(framework["waves"]):
        wave["label"] = put(f"wave{w}", next(kinds), wave["label"], before=False)
    (dst / "framework.yml").write_text(yaml.safe_dump(framework, allow_unicode=True, sort_keys=False), encoding="utf-8")

    # Cohort facts: programme and client names.
    cohort = yaml.safe_load((dst / "cohort.yml").read_text(encoding="utf-8"))
    cohort["programme"] = put("programme", "role", cohort["programme"], before=False)
    cohort["client"] = put("client", "handler", cohort["client"], before=False)
    # The cohort's identity (issue 15): title, credits, context; each reaches a page as a
    # MyST substitution, so each must come through the one escaping path too.
    kinds = _kinds()
    cohort["title"] = put("title", next(kinds), cohort.get("title", "A course"), before=False)
    credits = cohort.get("credits") or {}
    for key in ("evaluator", "report_title"):
        if key in credits:
            credits[key] = put(f"credits{key.replace('_', '')}", next(kinds), credits[key], before=False)
    context = cohort.get("context") or {}
    if "origins" in context:
        context["origins"] = put("origins", next(kinds), context["origins"])
    context["partners"] = [put(f"partner{k}", next(kinds), partner, before=False)
                           for k, partner in enumerate(context.get("partners", []))]
    (dst / "cohort.yml").write_text(yaml.safe_dump(cohort, allow_unicode=True, sort_keys=False), encoding="utf-8")
    principles_file = dst / "principles.yml"
    if principles_file.is_file():
        principles = yaml.safe_load(principles_file.read_text(encoding="utf-8"))
        for k, item in enumerate(principles.get("principles", [])):
            item["name"] = put(f"principle{k}", next(kinds), item["name"], before=False)
            item["description"] = put(f"principledesc{k}", next(kinds), item["description"])
        principles_file.write_text(yaml.safe_dump(principles, allow_unicode=True, sort_keys=False), encoding="utf-8")

    # A file whose name is markup (the About page lists every file of the data folder).
    name = f"<img src=x onerror=alert('{MARK}-filename-handler')> {{raw}}`{MARK}` *{MARK}*.txt"
    (dst / name).write_text("not a data file\n", encoding="utf-8")
    placed[f"{MARK}-filename-handler"] = name
    return placed


if __name__ == "__main__":
    make_payload_cohort(Path(sys.argv[1]), Path(sys.argv[2]))
