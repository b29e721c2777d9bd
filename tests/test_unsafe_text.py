"""The corpus of unsafe text (tests/unsafe_text/cases.yml): every case has its outcome.

Markup cases are embedded the way the report embeds their field (a profile's quotation or
heading, a table cell or caption, a list item, glued text, the About page's file table)
and parsed by MyST-Parser or an HTML parser: no element may come from the text, and it
must read as typed.  Formula cases go through the build's CSV writer; long cases through
the qualitative reader.
"""

from __future__ import annotations

import csv
import io
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from docutils import nodes
from test_text_safety import STRUCTURE, doctree, made_from_data, words

from lehc_report.inputs.qualitative import load_qualitative
from lehc_report.render.outputs import myst_table, write_result_csv
from lehc_report.render.text import myst_literal

ROOT = Path(__file__).resolve().parents[1]
CASES = yaml.safe_load((Path(__file__).parent / "unsafe_text" / "cases.yml").read_text(encoding="utf-8"))["cases"]
FIELDS = {"survey_answer", "passage", "role_label", "theme_name", "code_name", "behaviour_label", "area_name",
          "programme", "client", "file_name"}


def typed(case: dict) -> str:
    if "input_repeat" in case:
        return case["input_repeat"]["unit"] * case["input_repeat"]["times"]
    return case["input"]


def shown(case: dict) -> str:
    return words(case.get("shows", typed(case)))


def test_the_corpus_covers_every_field_and_kind():
    assert len(CASES) >= 30
    assert len({c["name"] for c in CASES}) == len(CASES)
    assert {c["field"] for c in CASES} == FIELDS
    assert {c["kind"] for c in CASES} == {"markup", "formula", "long"}
    assert all(c["field"] in FIELDS and ("input" in c) != ("input_repeat" in c) for c in CASES)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_cell = tag == "td"
        if self._in_cell:
            self.cells.append("")

    def handle_endtag(self, tag):
        self._in_cell = False if tag == "td" else self._in_cell

    def handle_data(self, data):
        if self._in_cell:
            self.cells[-1] += data


def _render_markup(field: str, text: str) -> tuple[list[str], str]:
    """(elements made from ``text``, what the reader sees) for ``text`` in ``field``'s place."""
    if field in ("survey_answer", "passage"):  # a profile's quotation
        tree = doctree("> “" + myst_literal(text) + "” (manager)\n")
        return made_from_data(tree), words(tree.astext()).removeprefix("“").removesuffix("” (manager)")
    if field == "role_label":  # a profile's heading
        tree = doctree("# Findings\n\n## Profile 1: " + myst_literal(text) + "\n\nText.\n")
        titles = [t.astext() for t in tree.findall(nodes.title)]
        return made_from_data(tree), words(titles[-1]).removeprefix("Profile 1: ")
    if field in ("theme_name", "behaviour_label"):  # a table cell
        snippet = myst_table(pd.DataFrame({"Name": [text], "n": ["3 of 9"]}), "Caption.", "tbl-x")
        tree = doctree("\n".join(snippet.splitlines()[3:-1]) + "\n")
        return made_from_data(tree), words([e.astext() for e in tree.findall(nodes.entry)][2])
    if field == "code_name":  # a profile's list of codes
        tree = doctree("- **Coded:** " + myst_literal(text) + ".\n")
        allowed = (*STRUCTURE, nodes.strong)
        strong = [s.astext() for s in tree.findall(nodes.strong)]
        assert strong == ["Coded:"]
        return made_from_data(tree, allowed), words(tree.astext()).removeprefix("Coded: ").removesuffix(".")
    if field == "area_name":  # a table caption
        caption = myst_table(pd.DataFrame({"ID": ["A1"]}), f"{text}: a tagline.", "tbl-x").splitlines()[0]
        tree = doctree(caption.removeprefix("```{table} ") + "\n")
        return made_from_data(tree), words(tree.astext()).removesuffix(": a tagline.")
    if field in ("programme", "client"):  # glued: {glue:text} inserts the string as one text node
        import myst_nb

        from lehc_report.book.glue import glue_text

        glued = {}
        original = myst_nb.glue
        myst_nb.glue = lambda key, value, display=True: glued.update({key: value})
        try:
            glue_text("x", text)
        finally:
            myst_nb.glue = original
        return [], words(glued["x"])
    if field == "file_name":  # the About page's Styler table (notebooks/05_about.md)
        html = pd.DataFrame({"file": [text]}).style.hide(axis="index").format(escape="html").to_html()
        parser = _Elements()
        parser.feed(html)
        made = [t for t in parser.tags if t not in ("style", "table", "thead", "tbody", "tr", "th", "td")]
        return made, words(parser.cells[0])
    raise AssertionError(field)


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "markup"], ids=lambda c: c["name"])
def test_markup_is_shown_as_typed(case):
    made, seen = _render_markup(case["field"], typed(case))
    assert made == []
    assert seen == shown(case)


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "formula"], ids=lambda c: c["name"])
def test_formula_cells_are_written_inert(case, tmp_path):
    path = write_result_csv(pd.DataFrame({case["field"]: [typed(case)], "n": [3]}), tmp_path / "out.csv")
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows[1] == [case["csv"], "3"]


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "long"], ids=lambda c: c["name"])
def test_long_text_is_read_whole(case, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    text = typed(case)
    assert len(text) > 131_072  # csv's default field limit
    name, key, column, segment = (("survey_returns.csv", "respondent_id", "q01", "S01-q01") if case["field"] == "survey_answer"
                                  else ("interview_segments.csv", "segment_id", "text", "I01-01"))
    with (data / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    target = segment.split("-")[0] if key == "respondent_id" else segment
    next(r for r in rows if r[key] == target)[column] = text
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (data / name).write_text(buffer.getvalue(), encoding="utf-8")
    segments = load_qualitative(data).segments.set_index("segment_id")["text"]
    assert segments[segment] == text
