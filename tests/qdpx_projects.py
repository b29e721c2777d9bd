"""Write REFI-QDA projects laid out the way NVivo, ATLAS.ti, MAXQDA and QualCoder write them.

The layouts follow what each tool is known to export (QualCoder's ``refi.py`` was read
for its own and for its notes on the others): GUID case, sources inline
(``PlainTextContent``) or as files under ``sources/`` named by ``internal://`` paths,
UTF-8 byte-order marks, CR LF line endings (counted as two characters, except by
ATLAS.ti, which counts them as one), one selection per coding or per coder, cases with
attributes, survey answers as one document per answer (MAXQDA's survey import) or
after ``[qNN]`` heading lines.  Nothing here is copied from a tool; the content is the
hand-made fixture of ``qual_fixture.py``.

``python tests/qdpx_projects.py OUT_DIR`` writes all four (``<tool>.qdpx`` plus the
``cohort.yml`` each needs, in ``OUT_DIR/<tool>/``).
"""

from __future__ import annotations

import sys
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

TOOLS = ("nvivo", "atlasti", "maxqda", "qualcoder")
NS = "urn:QDA-XML:project:1.0"


@dataclass(frozen=True)
class Layout:
    origin: str
    upper_guids: bool
    line_ending: str
    bom: bool
    crlf_is_one: bool  # ATLAS.ti counts CR LF as one character
    inline: bool  # PlainTextContent instead of sources/*.txt
    per_answer_documents: bool  # MAXQDA survey import: one document per answer
    selection_per_coding: bool  # one PlainTextSelection per code (QualCoder, ATLAS.ti)
    kind_by_variable: bool  # source variable 'source', else cohort.yml qdpx: sources
    case_names: str  # "ids" or "labels" (renumbered by the importer)
    user_names: tuple[str, str]
    cohort_yml: str


LAYOUTS = {
    "nvivo": Layout("NVivo 14.23.2", True, "\r\n", True, False, False, False, False, False, "labels",
                    ("Ann Analyst", "Ben Second"),
                    "qdpx:\n  primary_coder: Ann Analyst\n  sources:\n    'Survey *': survey\n"
                    "    'Interview *': interview\n"),
    "atlasti": Layout("ATLAS.ti 24.1.0", False, "\r\n", False, True, False, False, True, True, "ids",
                      ("Coder A", "Coder B"), ""),
    "maxqda": Layout("MAXQDA 2022 (Release 22.7.0)", True, "\n", True, False, True, True, False, True, "ids",
                     ("A", "B"), "qdpx:\n  primary_coder: A\n"),
    "qualcoder": Layout("QualCoder 3.6", False, "\n", True, False, False, False, True, True, "ids",
                        ("default", "second"), ""),
}


def _guid(layout: Layout, *parts: str) -> str:
    g = str(uuid.uuid5(uuid.NAMESPACE_URL, "test-qdpx/" + "/".join(parts)))
    return g.upper() if layout.upper_guids else g


def _el(tag: str, attrs: dict | None = None, body: str = "", text: str | None = None) -> str:
    attr = "".join(f" {k}={quoteattr(str(v))}" for k, v in (attrs or {}).items())
    if text is not None:
        return f"<{tag}{attr}>{escape(text)}</{tag}>"
    return f"<{tag}{attr}>{body}</{tag}>" if body else f"<{tag}{attr}/>"


def _documents(data, layout: Layout) -> list[dict]:
    """Each document: name, respondent, kind, question (or ''), LF text, [(segment_id, start, end)]."""
    docs = []
    segments = data.segments
    for resp in data.respondents.itertuples(index=False):
        rid, kind = resp.respondent_id, resp.source
        own = segments[segments["respondent_id"].eq(rid)]
        prefix = "Survey " if kind == "survey" else "Interview "
        if kind == "survey" and layout.per_answer_documents:
            for seg in own.itertuples(index=False):
                docs.append(dict(name=f"{prefix}{rid} {seg.topic}", respondent=rid, kind=kind, question=seg.topic,
                                 text=seg.text, spans=[(seg.segment_id, 0, len(seg.text))]))
            continue
        text, spans = "", []
        for seg in own.itertuples(index=False):
            if kind == "survey":
                head = f"[{seg.topic}]\n"
            else:
                head = f"[Part {len(spans) + 1}, topic {seg.topic}]\nInterviewer: Tell me more.\n"
            text += ("\n" if text else "") + head
            spans.append((seg.segment_id, len(text), len(text) + len(seg.text)))
            text += seg.text + "\n"
        docs.append(dict(name=f"{prefix}{rid}", respondent=rid, kind=kind, question="", text=text, spans=spans))
    return docs


def _position(text_lf: str, pos: int, layout: Layout) -> int:
    if layout.line_ending == "\r\n" and not layout.crlf_is_one:
        return pos + text_lf.count("\n", 0, pos)
    return pos


def build(data, tool: str) -> tuple[bytes, dict[str, bytes], str]:
    """(project.qde, {member: bytes}, cohort.yml text) for the fixture ``data`` as ``tool`` writes it."""
    layout = LAYOUTS[tool]
    users = {"A": _guid(layout, "user", "A"), "B": _guid(layout, "user", "B")}
    codes = data.codebook.codes
    code_guid = {c: _guid(layout, "code", c) for c in codes["code_id"]}
    code_name = dict(zip(codes["code_id"], codes["name"], strict=True))
    variables = ["role_label", "consent_to_quote", "group", "gender", "self_assessment_id", "source", "question"]
    var_guid = {v: _guid(layout, "variable", v) for v in variables}

    def value(name: str, text: str, boolean: bool = False) -> str:
        inner = _el("BooleanValue", text=text) if boolean else _el("TextValue", text=text)
        return _el("VariableValue", body=_el("VariableRef", {"targetGUID": var_guid[name]}) + inner)

    xml = [f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="Fixture" origin="{layout.origin}">']
    xml.append(_el("Users", body="".join(_el("User", {"guid": users[c], "name": layout.user_names[i]})
                                       for i, c in enumerate("AB"))))
    theme_xml = []
    for theme in data.codebook.themes.itertuples(index=False):
        children = "".join(
            _el("Code", {"guid": code_guid[c.code_id], "name": c.name, "isCodable": "true"},
                _el("Description", text=c.definition))
            for c in codes[codes["theme_id"].eq(theme.theme_id)].itertuples(index=False))
        theme_xml.append(_el("Code", {"guid": _guid(layout, "theme", theme.theme_id), "name": theme.name,
                                      "isCodable": "false"}, _el("Description", text=theme.definition) + children))
    xml.append(_el("CodeBook", body=_el("Codes", body="".join(theme_xml))))
    xml.append(_el("Variables", body="".join(
        _el("Variable", {"guid": var_guid[v], "name": v, "typeOfVariable": "Boolean" if v == "consent_to_quote"
                         and tool == "nvivo" else "Text"}) for v in variables)))

    docs = _documents(data, layout)
    doc_guid = {d["name"]: _guid(layout, "source", d["name"]) for d in docs}
    cases = []
    for n, resp in enumerate(data.respondents.itertuples(index=False), start=1):
        name = resp.respondent_id if layout.case_names == "ids" else f"{resp.source.title()} respondent {n}"
        body = "".join(value(v, getattr(resp, v)) for v in ("role_label", "group", "gender", "self_assessment_id"))
        consent = {"yes": "true", "no": "false"}[resp.consent_to_quote] if tool == "nvivo" else resp.consent_to_quote
        body += value("consent_to_quote", consent, boolean=tool == "nvivo")
        body += "".join(_el("SourceRef", {"targetGUID": doc_guid[d["name"]]}) for d in docs
                        if d["respondent"] == resp.respondent_id)
        cases.append(_el("Case", {"guid": _guid(layout, "case", resp.respondent_id), "name": name}, body))
    xml.append(_el("Cases", body="".join(cases)))

    codings = data.codings
    members: dict[str, bytes] = {}
    sources = []
    for d in docs:
        text_lf = d["text"]
        stored = text_lf.replace("\n", layout.line_ending)
        g = doc_guid[d["name"]]
        body = ""
        attrs = {"guid": g, "name": d["name"], "creatingUser": users["A"]}
        if layout.inline:
            body += _el("PlainTextContent", text=stored)
        else:
            attrs["plainTextPath"] = f"internal://{g}.txt"
            members[f"sources/{g}.txt"] = (b"\xef\xbb\xbf" if layout.bom else b"") + stored.encode("utf-8")
        for segment_id, start, end in d["spans"]:
            p0, p1 = _position(text_lf, start, layout), _position(text_lf, end, layout)
            seg_codings = codings[codings["segment_id"].eq(segment_id)]
            for coder in ("A", "B"):
                mine = seg_codings[seg_codings["coder"].eq(coder)]
                if mine.empty:
                    continue
                # QualCoder's second coder selected a little less than the primary coder.
                q0 = p0 + 2 if coder == "B" and tool == "qualcoder" else p0
                groups = [[c] for c in mine.itertuples(index=False)] if layout.selection_per_coding \
                    else [list(mine.itertuples(index=False))]
                for group in groups:
                    exemplars = [c for c in group if c.exemplar == "yes"]
                    sel_body = ""
                    if exemplars:
                        sel_body += _el("Description", text="Exemplar" if layout.selection_per_coding else
                                        "Good quote.\nExemplar: " + ", ".join(code_name[c.code_id] for c in exemplars))
                    for c in group:
                        sel_body += _el("Coding", {"guid": _guid(layout, "coding", segment_id, coder, c.code_id),
                                                   "creatingUser": users[coder]},
                                        _el("CodeRef", {"targetGUID": code_guid[c.code_id]}))
                    sel_attrs = {"guid": _guid(layout, "sel", segment_id, coder, group[0].code_id),
                                 "name": stored[q0:p1][:30] if tool == "qualcoder" else "",
                                 "startPosition": q0, "endPosition": p1, "creatingUser": users[coder]}
                    body += _el("PlainTextSelection", sel_attrs, sel_body)
        if layout.kind_by_variable:
            body += value("source", d["kind"])
        if d["question"]:
            body += value("question", d["question"])
        sources.append(_el("TextSource", attrs, body))
    xml.append(_el("Sources", body="".join(sources)))
    xml.append("</Project>\n")
    return "\n".join(xml).encode("utf-8"), members, layout.cohort_yml


def write_project(data, tool: str, folder: Path, name: str | None = None) -> Path:
    """Write ``<folder>/<tool>.qdpx`` (deflated, as the tools write it) and its ``cohort.yml``."""
    qde, members, cohort = build(data, tool)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{tool}.qdpx")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for member, content in members.items():
            archive.writestr(member, content)
    if cohort:
        (folder / "cohort.yml").write_text(cohort, encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    """Write the four projects of the fixture into ``argv[0]``."""
    sys.path.insert(0, str(Path(__file__).parent))
    from qual_fixture import write_fixture  # noqa: PLC0415 - a test helper beside this script

    from lehc_report.inputs.qualitative import load_qualitative

    out = Path(argv[0])
    data = load_qualitative(write_fixture(out / "csv"))
    for tool in TOOLS:
        print(write_project(data, tool, out / tool))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
