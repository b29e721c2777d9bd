"""Read a REFI-QDA 1.0 project (``.qdpx``) as the cohort's qualitative data.

A cohort folder may hold exactly one ``*.qdpx`` in place of ``codebook.yml``,
``respondents.csv``, ``survey_returns.csv``, ``interview_segments.csv``,
``codings.csv`` and ``double_coded.csv``.  :func:`load_qdpx` turns it into the same
:class:`~lehc_report.inputs.qualitative.QualitativeData` the CSV loader returns.  The
rules (also in ``data/README.md``, "A REFI-QDA project instead of the CSV files"):

* **Codebook.** A top-level ``Code`` is a theme; the codes nested in it (at any depth,
  deeper ones named ``Parent / Child``) are its codes; a top-level code with no
  children is a theme with one code of the same name; codings on a theme itself count
  as a code ``<theme>.general``.  IDs come from a ``[id]`` at the start of the code's
  ``Description`` (what ``make qdpx`` writes), else from the name in snake_case.  An
  imported codebook needs no ``use_when``/``not_when``.
* **Respondents.** Each ``Case`` that refers to a text source is a respondent, with the
  case variables ``role_label``, ``consent_to_quote``, ``group``, ``gender`` and,
  optionally, ``self_assessment_id``.  Case names are kept as IDs when every one is a
  valid ID of its source (``S01``, ``I01``); otherwise respondents are numbered
  ``S01``.., ``I01``.. in case order, so a name never reaches the report.
* **Sources.** A ``TextSource``'s text is its ``PlainTextContent`` or the archive
  member its ``plainTextPath`` (``internal://<file>``) names under ``sources/``.  The
  source variable ``source`` (``survey``/``interview``), or ``qdpx: sources:`` in
  ``cohort.yml`` (source-name pattern -> kind), says which it is.  A survey source
  holds one answer (source variable ``question``) or several, each after a heading line
  ``[q05]``; each answer is one segment ``<respondent>-<question>``.  In an interview,
  each distinct span the primary coder selected is one segment ``<respondent>-<nn>``
  in text order; its topic is the ``[..., topic q05]`` heading above it, else the
  source variable ``question``, else blank.
* **Offsets** are character (code point) positions in the source text, end exclusive,
  after a byte-order mark; a CR LF line ending counts as two characters, except in
  projects written by ATLAS.ti (``origin``), which counts it as one.
* **Coders.** The primary coder is ``qdpx: primary_coder`` in ``cohort.yml`` (a user's
  name or id), else the user who made the most codings (the first listed on a tie); a
  second user's codings are the double coding, mapped to the primary segment they
  overlap most.  A primary coder's selection whose ``Description`` has a line
  ``Exemplar`` (optionally ``Exemplar: <code id or name>, ...``) marks those codes
  (all of the selection's, by default) as exemplars.

The archive is untrusted: the XML is parsed by :mod:`defusedxml` (no DTD, no entity,
no external reference), the number of members and their decompressed size are bounded,
no member path may leave the archive, and every structural problem is refused with a
:class:`~lehc_report.errors.Problem` naming the archive entry and the element.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import pandas as pd
import yaml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from lehc_report.errors import Problem, QualitativeDataError
from lehc_report.inputs.codebook import Codebook

__all__ = [
    "MAX_MEMBERS",
    "MAX_TOTAL_BYTES",
    "QDA_NS",
    "find_project",
    "load_qdpx",
]

QDA_NS = "urn:QDA-XML:project:1.0"
#: Bounds on what an archive may hold (a coded qualitative project is a few MB).
MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
PROJECT_ENTRY = "project.qde"
CASE_VARIABLES = ("role_label", "consent_to_quote", "group", "gender")
_QUESTION = r"q\d{2}[a-z]?"
_SURVEY_HEADING = re.compile(rf"^\[({_QUESTION})\][ \t]*\r?$", re.MULTILINE)
_TOPIC_HEADING = re.compile(rf"^\[[^\]\n]*?\btopic ({_QUESTION})\][ \t]*\r?$", re.MULTILINE)
_ID_PREFIX = re.compile(r"^\[([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)\]\s*")
_EXEMPLAR = re.compile(r"^\s*exemplar\b\s*(?::\s*(.*))?$", re.IGNORECASE | re.MULTILINE)
_YES = {"yes": "yes", "true": "yes", "1": "yes", "no": "no", "false": "no", "0": "no"}


def _q(tag: str) -> str:
    return f"{{{QDA_NS}}}{tag}"


def find_project(data_dir: Path | str) -> Path | None:
    """The REFI-QDA project in a cohort folder, if there is one.

    Parameters
    ----------
    data_dir : Path or str
        The cohort's data folder.

    Returns
    -------
    Path or None
        The one ``*.qdpx`` file (any name, suffix in any case); None without one.

    Raises
    ------
    QualitativeDataError
        The folder holds more than one ``.qdpx``.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return None
    found = sorted(p for p in data_dir.iterdir() if p.is_file() and p.suffix.lower() == ".qdpx")
    if len(found) > 1:
        raise QualitativeDataError([Problem(
            found[1].name, None, None,
            f"the data folder holds {len(found)} REFI-QDA projects ({', '.join(p.name for p in found)}).",
            "keep exactly one .qdpx (the project the coding team exported last).")])
    return found[0] if found else None


# --------------------------------------------------------------------------------------
# The archive: bounded, no path outside it, XML without entities
# --------------------------------------------------------------------------------------


class _Where:
    """Builds problems located by archive entry and element."""

    def __init__(self, archive: str):
        self.archive = archive

    def __call__(self, entry: str, element: str | None, message: str, fix: str) -> Problem:
        return Problem(f"{self.archive}, entry {entry}", None, element, message, fix, column_word="element")


def _element_label(el: Element) -> str:
    tag = el.tag.rsplit("}", 1)[-1]
    name = el.get("name")
    return f"<{tag} name={name!r}>" if name is not None else f"<{tag} guid={el.get('guid')!r}>"


def _safe_member(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or "\\" in name:
        return False
    parts = name.split("/")
    return ".." not in parts


def _read_archive(path: Path, where: _Where) -> dict[str, bytes]:
    """Every member's bytes, refusing a bomb, a path outside the archive or a damaged zip."""
    problems: list[Problem] = []
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise QualitativeDataError([where(path.name, None, f"the file is not a readable zip archive ({exc}).",
                                          "export the project again from the coding tool as REFI-QDA (.qdpx).")]) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise QualitativeDataError([where(path.name, None, f"the archive holds {len(infos)} members, more than "
                                              f"the {MAX_MEMBERS} a project may have.", "export the project again; "
                                              "a .qdpx holds project.qde and its sources only.")])
        for info in infos:
            if not _safe_member(info.filename):
                problems.append(where(info.filename, None, "this member's path points outside the archive.",
                                      "export the project again from the coding tool; do not add files by hand."))
        if problems:
            raise QualitativeDataError(problems)
        members: dict[str, bytes] = {}
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            # The size in the header may lie: read at most what is left of the budget, plus one byte.
            budget = MAX_TOTAL_BYTES - total
            try:
                with archive.open(info) as member:
                    data = member.read(budget + 1)
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
                raise QualitativeDataError([where(info.filename, None, f"the member cannot be read ({exc}).",
                                                  "export the project again (without a password).")]) from exc
            total += len(data)
            if total > MAX_TOTAL_BYTES:
                raise QualitativeDataError([where(info.filename, None, "the archive decompresses to more than "
                                                  f"{MAX_TOTAL_BYTES:,} bytes.",
                                                  "export the text sources only (no audio, video or images).")])
            members[info.filename] = data
    if PROJECT_ENTRY not in members:
        raise QualitativeDataError([where(PROJECT_ENTRY, None, "the archive has no project.qde at its top level.",
                                          "export the project as REFI-QDA project (.qdpx), not as codebook (.qdc).")])
    return members


def _parse_project(data: bytes, where: _Where) -> Element:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise QualitativeDataError([where(PROJECT_ENTRY, None, f"the XML declares a DTD or entities ({type(exc).__name__}),"
                                          " which a REFI-QDA project never needs and which are refused for safety.",
                                          "export the project again from the coding tool.")]) from exc
    except ParseError as exc:
        raise QualitativeDataError([where(PROJECT_ENTRY, None, f"the XML is not well-formed ({exc}).",
                                          "export the project again from the coding tool.")]) from exc
    if root.tag != _q("Project"):
        raise QualitativeDataError([where(PROJECT_ENTRY, f"<{root.tag}>",
                                          f"the root element is not a REFI-QDA 1.0 Project (namespace {QDA_NS}).",
                                          "export the project as REFI-QDA 1.0 (.qdpx).")])
    return root


# --------------------------------------------------------------------------------------
# Codebook
# --------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"c_{slug}" if slug else "code"
    return slug


def _unique(candidate: str, taken: set[str]) -> str:
    out, n = candidate, 2
    while out in taken:
        out, n = f"{candidate}_{n}", n + 1
    taken.add(out)
    return out


def _description_parts(text: str) -> tuple[str | None, str, str, str]:
    """(id, definition, use_when, not_when) from a Description as ``make qdpx`` writes it."""
    text = (text or "").strip()
    match = _ID_PREFIX.match(text)
    code_id = match.group(1) if match else None
    body = text[match.end():] if match else text
    use_when = not_when = ""
    if "\n\nNot when: " in body:
        body, not_when = body.split("\n\nNot when: ", 1)
    if "\n\nUse when: " in body:
        body, use_when = body.split("\n\nUse when: ", 1)
    return code_id, body.strip(), use_when.strip(), not_when.strip()


def _codebook(root: Element, where: _Where) -> tuple[Codebook, dict[str, str], list[Problem]]:
    """The codebook and code GUID -> code_id (a theme's own GUID -> ``<theme>.general``)."""
    codes_el = root.find(f"{_q('CodeBook')}/{_q('Codes')}")
    problems: list[Problem] = []
    if codes_el is None or codes_el.find(_q("Code")) is None:
        return Codebook(pd.DataFrame(columns=["theme_id", "name", "definition"]),
                        pd.DataFrame(columns=["code_id", "theme_id", "name", "definition", "use_when", "not_when"])), {}, [
            where(PROJECT_ENTRY, "<CodeBook>", "the project has no codes.",
                  "export the project with its codebook (CodeBook/Codes/Code).")]
    used_guids = {ref.get("targetGUID") for ref in root.iter(_q("CodeRef"))}
    themes, codes, by_guid = [], [], {}
    theme_ids: set[str] = set()
    code_ids: set[str] = set()
    for theme_el in codes_el.findall(_q("Code")):
        name = (theme_el.get("name") or "").strip()
        if not name or not theme_el.get("guid"):
            problems.append(where(PROJECT_ENTRY, _element_label(theme_el), "a code has no name or no guid.",
                                  "name every code in the coding tool and export again."))
            continue
        given, definition, _, _ = _description_parts(theme_el.findtext(_q("Description")) or "")
        theme_id = _unique(given if given and "." not in given else _slug(name), theme_ids)
        themes.append((theme_id, name, definition))
        children = []

        def walk(el: Element, prefix: str) -> None:
            for child in el.findall(_q("Code")):
                label = f"{prefix}{(child.get('name') or '').strip()}"
                children.append((child, label))
                walk(child, f"{label} / ")

        walk(theme_el, "")
        own = [(theme_el, name)] if not children else ([(theme_el, f"{name} (general)")]
                                                       if theme_el.get("guid") in used_guids else [])
        for el, label in own + children:
            if not label.strip() or not el.get("guid"):
                problems.append(where(PROJECT_ENTRY, _element_label(el), "a code has no name or no guid.",
                                      "name every code in the coding tool and export again."))
                continue
            given, definition, use_when, not_when = _description_parts(el.findtext(_q("Description")) or "")
            if given and given.startswith(f"{theme_id}.") and given not in code_ids:
                code_id = given
                code_ids.add(code_id)
            else:
                slug = "general" if el is theme_el and children else _slug(label)
                code_id = _unique(f"{theme_id}.{slug}", code_ids)
            codes.append((code_id, theme_id, label, definition, use_when, not_when))
            by_guid[el.get("guid")] = code_id
    codebook = Codebook(
        themes=pd.DataFrame(themes, columns=["theme_id", "name", "definition"]),
        codes=pd.DataFrame(codes, columns=["code_id", "theme_id", "name", "definition", "use_when", "not_when"]),
    )
    return codebook, by_guid, problems


# --------------------------------------------------------------------------------------
# Variables, users, cases, sources
# --------------------------------------------------------------------------------------


def _variable_values(el: Element, names: Mapping[str, str]) -> dict[str, str]:
    """Variable name (lower case) -> value as text, for a Case or TextSource."""
    out = {}
    for value in el.findall(_q("VariableValue")):
        ref = value.find(_q("VariableRef"))
        name = names.get(ref.get("targetGUID")) if ref is not None else None
        if name is None:
            continue
        shown = next((child.text or "" for child in value if child.tag != _q("VariableRef")), "")
        out[name.strip().lower()] = shown.strip()
    return out


@dataclass
class _Source:
    element: Element
    name: str
    kind: str
    text: str
    variables: dict[str, str]
    respondent: str = ""
    selections: list[tuple[int, int, Element]] = field(default_factory=list)


def _source_text(el: Element, members: Mapping[str, bytes], where: _Where, crlf_is_one: bool) -> str | Problem:
    content = el.find(_q("PlainTextContent"))
    label = _element_label(el)
    if content is not None:
        return content.text or ""
    path = el.get("plainTextPath")
    if not path:
        return where(PROJECT_ENTRY, label, "the text source has neither PlainTextContent nor plainTextPath.",
                     "export the project again with its sources.")
    if not path.startswith("internal://"):
        return where(PROJECT_ENTRY, label, f"the text is outside the archive ({path!r}).",
                     "export the project with its sources embedded (internal:// paths), so the .qdpx is complete.")
    member = posixpath.normpath("sources/" + path.removeprefix("internal://").lstrip("/"))
    if not member.startswith("sources/") or not _safe_member(member):
        return where(PROJECT_ENTRY, label, f"the path {path!r} points outside the archive's sources/ folder.",
                     "export the project again from the coding tool.")
    data = members.get(member)
    if data is None:
        return where(member, label, "the source file named by plainTextPath is not in the archive.",
                     "export the project again with its sources.")
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")  # the BOM is not a character of the text
    except UnicodeDecodeError as exc:
        return where(member, label, f"the source text is not UTF-8 (byte {exc.start}).",
                     "export the project again; REFI-QDA sources are UTF-8 text.")
    return text.replace("\r\n", "\n") if crlf_is_one else text


def _kind(name: str, variables: Mapping[str, str], mapping: Mapping[str, str]) -> str | None:
    kind = variables.get("source", "").lower()
    if kind in ("survey", "interview"):
        return kind
    for pattern, value in mapping.items():
        if fnmatchcase(name, str(pattern)):
            return str(value).lower()
    return None


def _qdpx_settings(data_dir: Path | None, where: _Where) -> dict:
    path = None if data_dir is None else Path(data_dir) / "cohort.yml"
    if path is None or not path.is_file():
        return {}
    spec = (yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}).get("qdpx") or {}
    known = {"primary_coder", "second_coder", "sources"}
    if not isinstance(spec, dict) or set(spec) - known:
        raise QualitativeDataError([Problem("cohort.yml", None, "qdpx",
                                            f"'qdpx' must be a mapping with the keys {', '.join(sorted(known))}.",
                                            "see data/README.md, 'A REFI-QDA project instead of the CSV files'.",
                                            column_word="key")])
    if not isinstance(spec.get("sources") or {}, dict) or any(
            str(v).lower() not in ("survey", "interview") for v in (spec.get("sources") or {}).values()):
        raise QualitativeDataError([Problem("cohort.yml", None, "qdpx.sources",
                                            "must map source-name patterns to survey or interview.",
                                            "write e.g. sources: {'Survey*': survey, 'Interview*': interview}.",
                                            column_word="key")])
    return spec


def _coders(root: Element, settings: Mapping, where: _Where) -> tuple[dict[str, str], list[Problem]]:
    """User GUID -> coder letter (A primary, B second)."""
    users = [(u.get("guid"), u.get("name") or "", u.get("id") or "") for u in root.iter(_q("User"))]
    counts: Counter = Counter()
    for sel in root.iter(_q("PlainTextSelection")):
        for coding in sel.findall(_q("Coding")):
            counts[coding.get("creatingUser") or sel.get("creatingUser")] += 1
    coding_users = [g for g, _, _ in users if counts[g]] + [g for g in counts if g not in {u[0] for u in users}]

    def named(key: str) -> str | None | Problem:
        wanted = settings.get(key)
        if wanted is None:
            return None
        match = [g for g, name, uid in users if str(wanted) in (name, uid, g)]
        if not match:
            return Problem("cohort.yml", None, f"qdpx.{key}", f"{wanted!r} is not a user of the project "
                           f"({', '.join(n or g for g, n, _ in users) or 'none'}).",
                           "give the user's name as the coding tool shows it.", column_word="key")
        return match[0]

    primary, second = named("primary_coder"), named("second_coder")
    problems = [p for p in (primary, second) if isinstance(p, Problem)]
    if problems:
        return {}, problems
    if primary is None and coding_users:
        primary = max(coding_users, key=lambda g: counts[g])  # first listed wins a tie
    others = [g for g in coding_users if g != primary]
    if second is None and len(others) == 1:
        second = others[0]
    extra = [g for g in others if g != second]
    if extra:
        names = {g: n for g, n, _ in users}
        return {}, [where(PROJECT_ENTRY, "<Users>", f"{len(coding_users)} users coded text "
                          f"({', '.join(names.get(g) or str(g) for g in coding_users)}); the report compares two coders.",
                          "name the primary coder (and the second coder) under qdpx: in cohort.yml, and export "
                          "the project with only their codings.")]
    out = {primary: "A"} if primary else {}
    if second:
        out[second] = "B"
    return out, []


# --------------------------------------------------------------------------------------
# Loader
# --------------------------------------------------------------------------------------


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise QualitativeDataError(problems)


def load_qdpx(path: Path | str, data_dir: Path | str | None = None):
    """Read a REFI-QDA project as the cohort's qualitative data.

    Parameters
    ----------
    path : Path or str
        The ``.qdpx`` archive (a zip holding ``project.qde``, QDA-XML 1.0, and
        ``sources/``).
    data_dir : Path or str, optional
        The cohort folder whose ``cohort.yml`` may hold ``qdpx:`` (``primary_coder``,
        ``second_coder``, ``sources``); the archive's folder by default.

    Returns
    -------
    QualitativeData
        As :func:`lehc_report.inputs.qualitative.load_qualitative` returns it: codebook,
        register (respondent_id, source, group, gender, role_label, consent_to_quote,
        self_assessment_id), segments (segment_id, respondent_id, source, topic, text;
        survey answers first), codings (segment_id, coder ``A``/``B``, code_id,
        exemplar ``yes``/blank) and the double-coded sample.

    Raises
    ------
    QualitativeDataError
        The archive is unsafe or damaged, or the project breaks a rule of the module
        docstring; each problem names the archive entry and the element.

    References
    ----------
    REFI-QDA Project Exchange Standard 1.0 (QDA-XML, ``Project-mrt2019.xsd``), 2019.
    """
    from lehc_report.inputs.qualitative import (  # import here: qualitative dispatches to this module
        CODING_COLUMNS, CODINGS_FILE, DOUBLE_CODED_FILE, INTERVIEW_FILE, QUESTIONS, RESPONDENT_COLUMNS,
        SEGMENT_COLUMNS, SURVEY_FILE, QualitativeData)

    path = Path(path)
    where = _Where(path.name)
    settings = _qdpx_settings(Path(data_dir) if data_dir is not None else path.parent, where)
    members = _read_archive(path, where)
    root = _parse_project(members[PROJECT_ENTRY], where)
    crlf_is_one = "atlas" in (root.get("origin") or "").lower()

    codebook, code_of_guid, problems = _codebook(root, where)
    _raise(problems)
    variable_names = {v.get("guid"): v.get("name") or "" for v in root.iter(_q("Variable"))}
    coder_of_user, problems = _coders(root, settings, where)
    _raise(problems)

    # Sources: text, kind and selections.
    sources: dict[str, _Source] = {}
    sources_el = root.find(_q("Sources"))
    for el in ([] if sources_el is None else sources_el.findall(_q("TextSource"))):
        label = _element_label(el)
        text = _source_text(el, members, where, crlf_is_one)
        if isinstance(text, Problem):
            problems.append(text)
            continue
        variables = _variable_values(el, variable_names)
        name = el.get("name") or el.get("guid") or ""
        kind = _kind(name, variables, settings.get("sources") or {})
        if kind is None:
            problems.append(where(PROJECT_ENTRY, label, "the source does not say whether it is a survey return or "
                                  "an interview.", "give it the source variable 'source' (survey or interview), or "
                                  "map source names under qdpx: sources: in cohort.yml."))
            continue
        source = _Source(el, name, kind, text, variables)
        for sel in el.findall(_q("PlainTextSelection")):
            try:
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            except (TypeError, ValueError):
                problems.append(where(PROJECT_ENTRY, _element_label(sel), "startPosition or endPosition is missing "
                                      "or not a whole number.", "export the project again."))
                continue
            if not 0 <= start < end <= len(text):
                problems.append(where(PROJECT_ENTRY, _element_label(sel), f"the selection {start}-{end} lies outside "
                                      f"the source {name!r}, which has {len(text)} characters.",
                                      "export the project again with its sources (the text and the coding differ)."))
                continue
            source.selections.append((start, end, sel))
        sources[el.get("guid")] = source
    _raise(problems)
    if not sources:
        _raise([where(PROJECT_ENTRY, "<Sources>", "the project has no text source.",
                      "export the project with its survey returns and interview transcripts.")])

    # Cases: the register.
    register, seen_sources = [], {}
    for case in root.iter(_q("Case")):
        refs = [r.get("targetGUID") for r in case.findall(_q("SourceRef")) if r.get("targetGUID") in sources]
        if not refs:
            continue
        label = _element_label(case)
        kinds = {sources[g].kind for g in refs}
        for g in refs:
            if g in seen_sources:
                problems.append(where(PROJECT_ENTRY, label, f"the source {sources[g].name!r} also belongs to case "
                                      f"{seen_sources[g]!r}.", "assign each source to one case (one respondent)."))
            seen_sources[g] = case.get("name")
        if len(kinds) > 1:
            problems.append(where(PROJECT_ENTRY, label, "the case holds both survey and interview sources.",
                                  "the survey was anonymous: keep survey returns and interviewees as separate cases."))
        values = _variable_values(case, variable_names)
        row = {"name": case.get("name") or "", "source": kinds.pop(), "guids": refs}
        for var in CASE_VARIABLES:
            row[var] = values.get(var, "")
        allowed = {"group": ("professional", "uses_services"), "gender": ("female", "male")}
        row["consent_to_quote"] = _YES.get(row["consent_to_quote"].lower(), row["consent_to_quote"])
        for var in CASE_VARIABLES:
            ok = allowed.get(var, ("yes", "no") if var == "consent_to_quote" else None)
            if not row[var] or (ok and row[var] not in ok):
                problems.append(where(PROJECT_ENTRY, label, f"the case variable {var!r} is "
                                      f"{'missing' if not row[var] else repr(row[var])}"
                                      + (f" (allowed: {', '.join(ok)})." if ok else "."),
                                      "give every case the variables role_label, consent_to_quote, group and gender "
                                      "(data/README.md)."))
        row["self_assessment_id"] = values.get("self_assessment_id", "")
        register.append(row)
    orphans = [s for g, s in sources.items() if g not in seen_sources]
    for s in orphans:
        problems.append(where(PROJECT_ENTRY, _element_label(s.element), "the source belongs to no case, so it has "
                              "no respondent.", "create a case per respondent (with their variables) and add the "
                              "source to it."))
    _raise(problems)
    names = [r["name"] for r in register]
    keep = all(re.fullmatch(r"[SI]\d{2,}", n) and n[0] == ("S" if r["source"] == "survey" else "I")
               for n, r in zip(names, register, strict=True)) and len(set(names)) == len(names)
    numbers = Counter()
    for r in register:
        if keep:
            r["respondent_id"] = r["name"]
        else:
            numbers[r["source"]] += 1
            r["respondent_id"] = f"{'S' if r['source'] == 'survey' else 'I'}{numbers[r['source']]:02d}"
        for g in r["guids"]:
            sources[g].respondent = r["respondent_id"]
    respondents = pd.DataFrame([{c: r[c] for c in RESPONDENT_COLUMNS} for r in register],
                               columns=list(RESPONDENT_COLUMNS))

    # Segments and codings.
    segments, codings = [], []
    question_order = {q: i for i, q in enumerate(QUESTIONS)}
    for r in register:
        rid = r["respondent_id"]
        units = []  # (start, end, topic) spans of this respondent's segments, per source
        for g in r["guids"]:
            s = sources[g]
            if s.kind == "survey":
                spans = _survey_answers(s, where, QUESTIONS, problems)
            else:
                spans = _interview_passages(s, coder_of_user, QUESTIONS)
            units.append((s, spans))
        seg_rows = []
        for s, spans in units:
            for start, end, topic in spans:
                seg_rows.append((s, start, end, topic))
        if r["source"] == "survey":
            seg_rows.sort(key=lambda x: question_order.get(x[3], len(question_order)))
            dup = [t for t, n in Counter(x[3] for x in seg_rows).items() if n > 1]
            for t in dup:
                problems.append(where(PROJECT_ENTRY, f"<Case name={r['name']!r}>", f"the respondent answers {t} twice.",
                                      "keep one answer per question per respondent."))
        for n, (s, start, end, topic) in enumerate(seg_rows, start=1):
            seg_id = f"{rid}-{topic}" if r["source"] == "survey" else f"{rid}-{n:02d}"
            text = s.text[start:end].replace("\r\n", "\n")
            segments.append({"segment_id": seg_id, "respondent_id": rid, "source": r["source"], "topic": topic,
                             "text": text, "_src": s, "_start": start, "_end": end})
    _raise(problems)
    # A code is named in an Exemplar line by its ID, its full name or its own (last) name.
    code_names = {c: {n.lower(), n.rsplit(" / ", 1)[-1].lower()}
                  for c, n in zip(codebook.codes["code_id"], codebook.codes["name"], strict=True)}
    seg_of = {}
    for seg in segments:
        seg_of.setdefault(id(seg["_src"]), []).append(seg)
    for s in sources.values():
        for start, end, sel in s.selections:
            codings_el = sel.findall(_q("Coding"))
            if not codings_el:
                continue  # a memo on a passage, not a coding
            candidates = seg_of.get(id(s), [])
            overlap = [(min(end, c["_end"]) - max(start, c["_start"]), -abs(c["_start"] - start), i)
                       for i, c in enumerate(candidates)]
            overlap = [o for o in overlap if o[0] > 0]
            if not overlap:
                problems.append(where(PROJECT_ENTRY, _element_label(sel), f"the selection {start}-{end} in source "
                                      f"{s.name!r} lies in no segment (an answer after a [qNN] heading, or a passage "
                                      "the primary coder selected).", "select the passage as the primary coder too, or "
                                      "move the selection inside an answer."))
                continue
            seg = candidates[max(overlap)[2]]
            exemplar_line = _EXEMPLAR.search(sel.findtext(_q("Description")) or "")
            listed = None
            if exemplar_line and exemplar_line.group(1):
                listed = {x.strip().lower() for x in exemplar_line.group(1).split(",") if x.strip()}
            for coding in codings_el:
                user = coding.get("creatingUser") or sel.get("creatingUser")
                ref = coding.find(_q("CodeRef"))
                code_id = code_of_guid.get(ref.get("targetGUID")) if ref is not None else None
                if code_id is None:
                    problems.append(where(PROJECT_ENTRY, _element_label(sel), "a Coding refers to no code of the "
                                          "codebook.", "export the project again with its full codebook."))
                    continue
                coder = coder_of_user.get(user)
                if coder is None:
                    problems.append(where(PROJECT_ENTRY, _element_label(sel), "a Coding names no user of the project "
                                          "(creatingUser).", "export the project again with its users."))
                    continue
                name = code_names[code_id]
                exemplar = coder == "A" and exemplar_line is not None and (
                    listed is None or code_id in listed or bool(name & listed))
                codings.append((seg["segment_id"], coder, code_id, "yes" if exemplar else ""))
    _raise(problems)
    code_order = {c: i for i, c in enumerate(codebook.codes["code_id"])}
    seg_order = {s["segment_id"]: i for i, s in enumerate(segments)}
    best: dict[tuple, str] = {}
    for seg_id, coder, code_id, ex in codings:
        key = (seg_id, coder, code_id)
        best[key] = "yes" if ex == "yes" or best.get(key) == "yes" else ""
    codings_df = pd.DataFrame([(*k, v) for k, v in best.items()], columns=list(CODING_COLUMNS))
    codings_df = codings_df.assign(_s=codings_df["segment_id"].map(seg_order), _c=codings_df["code_id"].map(code_order))
    codings_df = codings_df.sort_values(["_s", "coder", "_c"], kind="stable").drop(columns=["_s", "_c"])
    codings_df = codings_df.reset_index(drop=True)
    segments_df = pd.DataFrame(segments, columns=list(SEGMENT_COLUMNS))
    for seg in segments_df[~segments_df["segment_id"].isin(codings_df.loc[codings_df["coder"].eq("A"), "segment_id"])
                           ].itertuples(index=False) if len(codings_df) else []:
        problems.append(where(PROJECT_ENTRY, f"<Case name={seg.respondent_id!r}>", f"segment {seg.segment_id!r} has "
                              "no coding by the primary coder.", "code it, or delete the answer from the source."))
    _raise(problems)
    double = [s for s in segments_df["segment_id"] if s in set(codings_df.loc[codings_df["coder"].eq("B"), "segment_id"])]
    files = {f for f, present in ((SURVEY_FILE, any(s.kind == "survey" for s in sources.values())),
                                  (INTERVIEW_FILE, any(s.kind == "interview" for s in sources.values())),
                                  (CODINGS_FILE, len(codings_df) > 0), (DOUBLE_CODED_FILE, bool(double))) if present}
    return QualitativeData(codebook=codebook, respondents=respondents, segments=segments_df.reset_index(drop=True),
                           codings=codings_df, double_coded=pd.DataFrame({"segment_id": double} if double else {"segment_id": pd.Series(dtype=object)}),
                           files=frozenset(files))


def _survey_answers(s: _Source, where: _Where, questions, problems: list[Problem]) -> list[tuple[int, int, str]]:
    """(start, end, question) of each answer in a survey source."""
    question = s.variables.get("question", "").lower()
    headings = list(_SURVEY_HEADING.finditer(s.text))
    if not headings:
        if not s.text.strip():
            return []  # a form that came back blank
        if question not in questions:
            problems.append(where(PROJECT_ENTRY, _element_label(s.element), "the survey source has no [qNN] heading "
                                  "lines and no source variable 'question' naming one of "
                                  f"{', '.join(questions)}.", "give the source the variable 'question', or put each "
                                  "answer after a heading line such as [q05]."))
            return []
        return [_trimmed(s.text, 0, len(s.text)) + (question,)]
    out = []
    for i, h in enumerate(headings):
        if h.group(1) not in questions:
            problems.append(where(PROJECT_ENTRY, _element_label(s.element), f"the heading [{h.group(1)}] names no "
                                  f"survey question ({', '.join(questions)}).", "correct the heading."))
            continue
        end = headings[i + 1].start() if i + 1 < len(headings) else len(s.text)
        start, stop = _trimmed(s.text, h.end(), end)
        if stop > start:
            out.append((start, stop, h.group(1)))
    return out


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the line breaks around it (spaces inside an answer are kept)."""
    while start < end and text[start] in "\r\n":
        start += 1
    while end > start and text[end - 1] in "\r\n":
        end -= 1
    return start, end


def _interview_passages(s: _Source, coder_of_user: Mapping[str, str], questions) -> list[tuple[int, int, str]]:
    """(start, end, topic) of each distinct span the primary coder selected, in text order."""
    spans = set()
    for start, end, sel in s.selections:
        users = {c.get("creatingUser") or sel.get("creatingUser") for c in sel.findall(_q("Coding"))}
        if any(coder_of_user.get(u) == "A" for u in users):
            spans.add((start, end))
    headings = [(m.start(), m.group(1)) for m in _TOPIC_HEADING.finditer(s.text)]
    default = s.variables.get("question", "").lower()
    out = []
    for start, end in sorted(spans):
        above = [q for pos, q in headings if pos < start]
        topic = above[-1] if above else (default if default in questions else "")
        out.append((start, end, topic))
    return out
