"""Data is text: myst_literal, the CSV writer's formula guard and free text of any length.

MyST snippets are parsed here by MyST-Parser itself (its docutils parser, the book's
extensions), so a test fails if any escaped value still yields an element other than
the text it sits in, or reads differently from what was typed.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from docutils import nodes
from docutils.core import publish_doctree
from myst_parser.parsers.docutils_ import Parser

from lehc_report.inputs.csv_limits import field_limit_for
from lehc_report.inputs.qualitative import load_qualitative
from lehc_report.render.outputs import myst_table, spreadsheet_safe_table, write_result_csv
from lehc_report.render.text import figure_label, myst_literal, plain_text, spreadsheet_safe

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"myst_enable_extensions": ["colon_fence", "deflist", "substitution", "dollarmath"],
            "report_level": 5, "halt_level": 5, "output_encoding": "unicode", "doctitle_xform": False,
            "line_length_limit": 10**7}  # the book includes snippets through MyST, which sets no limit

#: Nodes a snippet may hold: its own structure, never anything made from the data.
STRUCTURE = (nodes.document, nodes.paragraph, nodes.Text, nodes.table, nodes.tgroup, nodes.colspec, nodes.thead,
             nodes.tbody, nodes.row, nodes.entry, nodes.section, nodes.title, nodes.block_quote, nodes.bullet_list,
             nodes.list_item)


def doctree(source: str) -> nodes.document:
    return publish_doctree(source, parser=Parser(), settings_overrides=SETTINGS)


def made_from_data(tree: nodes.document, allowed=STRUCTURE) -> list[str]:
    """Every node of ``tree`` that the snippet's own structure does not explain."""
    return [f"{type(n).__name__}: {n.astext()[:60]!r}" for n in tree.findall() if not isinstance(n, allowed)]


def words(text: str) -> str:
    return " ".join(text.split())


PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "handler": "<img src=x onerror=alert(1)>",
    "raw": "```{raw} html\n<script>alert(1)</script>\n```",
    "eval_rst": "```{eval-rst}\n.. raw:: html\n\n   <b>x</b>\n```",
    "role": "{sub-ref}`today` {math}`x^2`",
    "substitution": "{{ today }}",
    "image": "![px](https://evil.example/p.png)",
    "link": "[click](https://evil.example/) <https://evil.example/>",
    "javascript": "[x](javascript:alert(1))",
    "style": "<style>body{display:none}</style>",
    "maths": "$$ \\input{/etc/passwd} $$ $x$",
    "emphasis": "*a* **b** _c_ `d`",
    "heading": "# Heading",
    "list": "- item",
    "ordered": "1. item",
    "quote": "> quoted",
    "colon_fence": ":::{note}\nx\n:::",
    "comment": "% hidden",
    "pipe": "a | b | c",
    "backslash": "C:\\path\\to\\file \\*",
    "entity": "&lt;b&gt; &amp;",
    "long": "W" * 10_000,
}


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_myst_literal_is_text_in_a_paragraph(kind):
    typed = PAYLOADS[kind]
    tree = doctree(f"Before {myst_literal(typed)} after.\n")
    assert made_from_data(tree) == []
    assert words(tree.astext()) == words(f"Before {typed} after.")


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_myst_literal_is_text_at_a_line_start(kind):
    typed = PAYLOADS[kind]
    tree = doctree(myst_literal(typed) + "\n")
    assert made_from_data(tree) == []
    assert words(tree.astext()) == words(typed)


def test_myst_literal_removes_bidi_controls_and_keeps_zero_width_characters():
    typed = "a\u202eb\u202c c\u2067d\u2069 e\u200bf\u200dg \u05e9\u05dc\u05d5\u05dd"
    assert myst_literal(typed) == "ab cd e\u200bf\u200dg \u05e9\u05dc\u05d5\u05dd"
    assert plain_text("line\r\nbreak\ttab\x00nul") == "line break tabnul"


def test_myst_table_cells_headers_and_caption_are_text():
    table = pd.DataFrame({"<b>Theme</b> | x": [PAYLOADS["raw"], PAYLOADS["handler"]], "n": ["1 of 9", "p < .05"]})
    snippet = myst_table(table, "Caption {glue}`x` [a](https://evil.example)", "tbl-Frame work!")
    assert ":name: tbl-frame-work-" in snippet
    body = "\n".join(line for line in snippet.splitlines() if not line.startswith(("```", ":name:")))
    tree = doctree(body + "\n")
    assert made_from_data(tree) == []
    cells = [words(e.astext()) for e in tree.findall(nodes.entry)]
    assert cells == ["<b>Theme</b> | x", "n", words(PAYLOADS["raw"]), "1 of 9", PAYLOADS["handler"], "p < .05"]
    caption = snippet.splitlines()[0].removeprefix("```{table} ")
    assert doctree(caption + "\n").astext() == "Caption {glue}`x` [a](https://evil.example)"


def test_plain_table_text_is_unchanged_apart_from_escapes():
    """What the shipped tables hold renders exactly as before."""
    assert myst_literal("Strategic Intent") == "Strategic Intent"
    assert myst_literal("1.00 [0.70, 1.30]") == r"1.00 \[0.70, 1.30\]"
    assert myst_literal("-0.38") == "-0.38"
    assert myst_literal("- item") == r"\- item"
    assert myst_literal("2. Not a list") == r"2\. Not a list"


def test_figure_labels_are_cut_and_plain():
    assert figure_label("Strategic Intent") == "Strategic Intent"
    long = figure_label("W" * 10_000)
    assert len(long) == 80 and long.endswith("…")
    assert figure_label("a\u202eb\nc") == "ab c"


@pytest.mark.parametrize(("cell", "written"), [
    ("=HYPERLINK(\"https://evil.example\")", "'=HYPERLINK(\"https://evil.example\")"),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(1+1)", "'@SUM(1+1)"), ("\tTAB", "'\tTAB"), ("\rCR", "'\rCR"),
    ("-0.38", "-0.38"), ("+1.75", "+1.75"), ("1e-05", "1e-05"), ("S04-q07", "S04-q07"), ("plain", "plain"),
    ("", ""), ("- item", "'- item"),
])
def test_spreadsheet_safe(cell, written):
    assert spreadsheet_safe(cell) == written


def test_write_result_csv_neutralises_text_cells_and_headers_but_not_numbers(tmp_path):
    table = pd.DataFrame({"quote_id": ["Q01", "Q02"], "text": ["=1+1", "fine"], "change": [-0.5, 1.25],
                          "count": [-3, 4], "=cmd": ["@x", None]})
    path = write_result_csv(table, tmp_path / "out.csv")
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows == [["quote_id", "text", "change", "count", "'=cmd"], ["Q01", "'=1+1", "-0.5", "-3", "'@x"],
                    ["Q02", "fine", "1.25", "4", ""]]
    assert table.columns[-1] == "=cmd" and table["text"][0] == "=1+1"  # the caller's table is not changed


def test_a_safe_table_is_returned_as_is():
    table = pd.DataFrame({"id": ["S01"], "value": [-1.5]})
    assert spreadsheet_safe_table(table) is table


def test_field_limit_is_raised_for_one_read_and_restored():
    before = csv.field_size_limit()
    text = "id,text\n1," + "x" * 200_000 + "\n"
    with field_limit_for(text):
        rows = list(csv.reader(io.StringIO(text)))
    assert len(rows[1][1]) == 200_000
    assert csv.field_size_limit() == before


def test_a_survey_answer_longer_than_131072_characters_is_read(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "survey_returns.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    long_answer = ("A very long answer, " * 10_000).strip()  # 199,999 characters, commas and all
    rows[1][1] = long_answer
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    qualitative = load_qualitative(data)
    answers = qualitative.segments.set_index("segment_id")["text"]
    assert answers[f"{rows[1][0]}-q01"] == long_answer
    assert len(long_answer) > 131_072
