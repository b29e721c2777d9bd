"""Export the coded qualitative data as a REFI-QDA project (``.qdpx``).

A ``.qdpx`` file is a zip archive holding ``project.qde`` (QDA-XML 1.0, namespace
``urn:QDA-XML:project:1.0``) and ``sources/<guid>.txt``, one plain-text source per
respondent.  NVivo, ATLAS.ti, MAXQDA and QualCoder import it, so the coding can be
audited, or continued, in a QDA package.

* Users: coders A and B.
* CodeBook: each theme is a non-codable parent Code, its codes are nested codable
  Codes; definitions (and use-when / not-when guidance) are Descriptions.
* Variables: source, group and role_label, given on every TextSource; role_label,
  consent_to_quote, group, gender and self_assessment_id on every Case.
* Cases: one per respondent, named by the respondent ID and referring to their source,
  so that :mod:`lehc_report.inputs.qdpx_import` reads the register back.
* Sources: one TextSource per respondent in register order.  A survey respondent's
  text is their answers, each under a ``[q05]`` header; an interviewee's text is their
  segments, each under a ``[I01-03, topic q05]`` header.  Every segment is a
  PlainTextSelection whose ``startPosition``/``endPosition`` are zero-based character
  (Unicode code point) offsets into that text, end exclusive (``text[start:end]`` is
  the segment), carrying one Coding per coder and code.  Coder A's exemplars are a
  ``Description`` line ``Exemplar: <code id>, ...`` on the selection.

The archive is byte-reproducible: GUIDs are ``uuid5`` of a fixed namespace and the
IDs, no timestamps are written into the XML, zip entries are sorted, dated
1980-01-01 and stored uncompressed (so the bytes do not depend on the zlib build).
"""

from __future__ import annotations

import argparse
import sys
import uuid
import zipfile
from pathlib import Path

from lxml import etree

from lehc_report import __version__
from lehc_report.inputs.qualitative import QualitativeData, QualitativeDataError, load_qualitative

__all__ = ["GUID_NAMESPACE", "QDA_NS", "build_project", "guid", "main", "write_qdpx"]

QDA_NS = "urn:QDA-XML:project:1.0"
#: Fixed namespace for all GUIDs: uuid5(NAMESPACE_URL, "urn:lehc-report:refi-qda").
GUID_NAMESPACE = uuid.UUID("5c548e1a-3831-52da-9f1a-2f7f29aaa811")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: Variables given on each TextSource, and on each Case (the respondent register).
VARIABLES = ("source", "group", "role_label")
CASE_VARIABLES = ("role_label", "consent_to_quote", "group", "gender", "self_assessment_id")
DEFAULT_PROJECT_NAME = "Leadership for Empowered and Healthy Communities: qualitative coding"


def guid(kind: str, *ids: str) -> str:
    """A deterministic GUID (UUID version 5) for an object of ``kind`` identified by ``ids``,
    so that the same data give the same project file.

    Parameters
    ----------
    kind : str
        "code", "source", "user", ...
    *ids : str
        The object's identifiers in the data.

    Returns
    -------
    str
        The GUID in upper case, as REFI-QDA writes it.
    """
    return str(uuid.uuid5(GUID_NAMESPACE, "/".join((kind, *ids))))


def _el(parent, tag: str, **attrs) -> etree._Element:
    return etree.SubElement(parent, f"{{{QDA_NS}}}{tag}", {k: str(v) for k, v in attrs.items()})


def _description(parent, text: str) -> None:
    _el(parent, "Description").text = text


def _variable_value(parent, variable_guid: str, text: str) -> None:
    value = _el(parent, "VariableValue")
    _el(value, "VariableRef", targetGUID=variable_guid)
    _el(value, "TextValue").text = text


def _source_texts(data: QualitativeData) -> dict[str, tuple[str, list[tuple[str, int, int]]]]:
    """respondent_id -> (text, [(segment_id, start, end), ...])."""
    out: dict[str, tuple[str, list[tuple[str, int, int]]]] = {}
    by_respondent = {rid: seg for rid, seg in data.segments.groupby("respondent_id", sort=False)}
    for rid in data.respondents["respondent_id"]:
        parts: list[str] = []
        spans: list[tuple[str, int, int]] = []
        length = 0
        seg = by_respondent.get(rid)
        rows = [] if seg is None else seg.itertuples(index=False)
        for rec in rows:
            header = (
                f"[{rec.topic}]\n"
                if rec.source == "survey"
                else f"[{rec.segment_id}, topic {rec.topic}]\n"
            )
            prefix = ("\n\n" if parts else "") + header
            start = length + len(prefix)
            end = start + len(rec.text)
            parts += [prefix, rec.text]
            spans.append((rec.segment_id, start, end))
            length = end
        out[rid] = ("".join(parts) + ("\n" if parts else ""), spans)
    return out


def build_project(data: QualitativeData, project_name: str) -> tuple[bytes, dict[str, bytes]]:
    """The REFI-QDA project for ``data``.

    Parameters
    ----------
    data : QualitativeData
        The validated coded texts, codebook and respondents.
    project_name : str
        The project's name in the coding tool.

    Returns
    -------
    (bytes, dict)
        The ``project.qde`` XML and the source files ``{path in the archive: bytes}``.

    References
    ----------
    REFI-QDA Project Exchange Standard 1.0 (QDA-XML, ``Project-mrt2019.xsd``).
    """
    root = etree.Element(
        f"{{{QDA_NS}}}Project",
        {"name": project_name, "origin": f"lehc_report {__version__}"},
        nsmap={None: QDA_NS},
    )
    users = _el(root, "Users")
    user_guid = {coder: guid("user", coder) for coder in ("A", "B")}
    for coder, g in user_guid.items():
        _el(users, "User", guid=g, name=f"Coder {coder}", id=coder)

    codes_el = _el(_el(root, "CodeBook"), "Codes")
    code_guid = {}
    codes = data.codebook.codes
    for theme in data.codebook.themes.itertuples(index=False):
        theme_el = _el(codes_el, "Code", guid=guid("theme", theme.theme_id), name=theme.name,
                       isCodable="false")
        _description(theme_el, f"[{theme.theme_id}] {theme.definition}")
        for code in codes[codes["theme_id"].eq(theme.theme_id)].itertuples(index=False):
            code_guid[code.code_id] = guid("code", code.code_id)
            code_el = _el(theme_el, "Code", guid=code_guid[code.code_id], name=code.name,
                          isCodable="true")
            _description(
                code_el,
                f"[{code.code_id}] {code.definition}\n\nUse when: {code.use_when}\n\n"
                f"Not when: {code.not_when}",
            )

    variables_el = _el(root, "Variables")
    variable_guid = {v: guid("variable", v) for v in dict.fromkeys((*VARIABLES, *CASE_VARIABLES))}
    for name, g in variable_guid.items():
        _el(variables_el, "Variable", guid=g, name=name, typeOfVariable="Text")

    code_order = {c: i for i, c in enumerate(codes["code_id"])}
    codings = data.codings.assign(_order=data.codings["code_id"].map(code_order)).sort_values(
        ["segment_id", "coder", "_order"], kind="stable"
    )
    codings_by_segment = {s: c for s, c in codings.groupby("segment_id", sort=False)}

    cases_el = _el(root, "Cases")
    for resp in data.respondents.itertuples(index=False):
        case_el = _el(cases_el, "Case", guid=guid("case", resp.respondent_id), name=resp.respondent_id)
        for name in CASE_VARIABLES:
            _variable_value(case_el, variable_guid[name], str(getattr(resp, name)))
        _el(case_el, "SourceRef", targetGUID=guid("source", resp.respondent_id))

    sources_el = _el(root, "Sources")
    files: dict[str, bytes] = {}
    texts = _source_texts(data)
    for resp in data.respondents.itertuples(index=False):
        rid = resp.respondent_id
        source_guid = guid("source", rid)
        text, spans = texts[rid]
        files[f"sources/{source_guid}.txt"] = text.encode("utf-8")
        source_el = _el(sources_el, "TextSource", guid=source_guid, name=rid,
                        plainTextPath=f"internal://{source_guid}.txt")
        for segment_id, start, end in spans:
            sel = _el(source_el, "PlainTextSelection", guid=guid("selection", segment_id),
                      name=segment_id, startPosition=start, endPosition=end,
                      creatingUser=user_guid["A"])
            seg_codings = codings_by_segment.get(segment_id)
            if seg_codings is None:
                continue
            exemplars = seg_codings[seg_codings["coder"].eq("A") & seg_codings["exemplar"].eq("yes")]
            if len(exemplars):
                _description(sel, "Exemplar: " + ", ".join(exemplars["code_id"]))
            for c in seg_codings.itertuples(index=False):
                coding = _el(sel, "Coding", guid=guid("coding", segment_id, c.coder, c.code_id),
                             creatingUser=user_guid[c.coder])
                _el(coding, "CodeRef", targetGUID=code_guid[c.code_id])
        for name in VARIABLES:
            _variable_value(source_el, variable_guid[name], str(getattr(resp, name)))

    _description(
        root,
        f"Coded open-ended survey returns and interview segments ({len(data.respondents)} "
        f"respondents, {len(data.segments)} segments). Coder A coded every segment; coder B "
        f"independently coded a sample of {len(data.double_coded)} segments.",
    )
    qde = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return qde, files


def write_qdpx(data: QualitativeData, out_path: Path, project_name: str) -> Path:
    """Write ``data`` as a REFI-QDA project archive at ``out_path``, byte-reproducible
    (fixed member dates and order).

    Parameters
    ----------
    data : QualitativeData
    out_path : Path
        The ``.qdpx`` file.
    project_name : str

    Returns
    -------
    Path
        ``out_path``.
    """
    out_path = Path(out_path)
    qde, files = build_project(data, project_name)
    entries = {"project.qde": qde, **files}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_path, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # unix, whatever the platform, for identical bytes
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name])
    return out_path


def main(argv: list[str] | None = None) -> int:
    """``python -m lehc_report.tools.qdpx DATA_DIR OUT.qdpx [--name NAME]``."""
    parser = argparse.ArgumentParser(
        prog="python -m lehc_report.tools.qdpx",
        description="Export the coded qualitative data as a REFI-QDA .qdpx project.",
    )
    parser.add_argument("data_dir", type=Path, help="directory holding codebook.yml and the CSVs")
    parser.add_argument("out", type=Path, help="the .qdpx file to write")
    parser.add_argument("--name", default=DEFAULT_PROJECT_NAME, help="project name")
    args = parser.parse_args(argv)
    try:
        data = load_qualitative(args.data_dir)
    except QualitativeDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write_qdpx(data, args.out, args.name)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
