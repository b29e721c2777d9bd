"""The exit gate: no output of a build holds personal data.

    python -m lehc_report.tools.exit_gate --build BUILD [--html [--pages DIR]] [--pdf] [--docx] [--qdpx] [--data DATA]
    python -m lehc_report.tools.exit_gate --inputs-for-qdpx --data DATA   # make qdpx, before writing

The inputs are scanned as they are read (:mod:`lehc_report.inputs.personal_data`); this
gate scans what leaves, with the same scan (:func:`lehc_report.privacy.find_personal_data`):

* ``--html``: the text of every page of ``BUILD/html`` (scripts and styles left out,
  ``alt`` and ``title`` attributes in), the page sources Sphinx copies (``_sources/``)
  and the search index (``searchindex.js``), and the text cells (not the numbers) of
  every CSV in ``BUILD/results`` and ``BUILD/tidy``;
* ``--pdf``: the text of ``BUILD/pdf/book.pdf`` and ``notebooks.pdf`` (``pdftotext``),
  page by page;
* ``--docx``: every part of ``BUILD/docx/report.docx`` (body, footers, properties,
  pictures' alternative text);
* ``--qdpx``: every text and attribute of ``BUILD/lehc.qdpx`` (``project.qde`` and the
  sources), less the respondents ``qdpx_allow_respondents`` in ``privacy.yml`` names.

Names in ``allow_names`` (``privacy.yml``) are accepted on the pages they are listed for
only (a page is named by its file name: ``colophon`` for ``html/book/colophon.html``; a
PDF page by the chapter it was printed from, the pages before the first chapter being
``index``, the title page).  A hit exits 1 naming the output file and the text found.

The PDF printer, the Word writer and the network report call the same scans on what they
made before it replaces the previous output (``--exit-gate DATA``), so that an output
with personal data is never published.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from lehc_report.privacy import PrivacySettings, allowed_on_page, find_personal_data, hits_text, load_settings

#: Elements whose end is a line break in the page's text (cells and paragraphs never run together).
BLOCKS = frozenset("p div td th tr li dt dd h1 h2 h3 h4 h5 h6 br pre table caption figcaption blockquote section "
                   "article aside nav header footer ul ol dl figure title option".split())
#: The theme's own scripts and styles: library code, never data.
NOT_SCANNED_DIRS = ("_static", "_images")


class ExitGateFailure(Exception):
    """An output holds personal data; the message names every output and text found."""


def page_name(path: Path) -> str:
    """The page an output file belongs to: its file name up to the first dot.

    Parameters
    ----------
    path : Path
        ``html/book/colophon.html``, ``html/_sources/book/colophon.md``, ...

    Returns
    -------
    str
        ``"colophon"``.
    """
    return path.name.split(".", 1)[0]


def contact_link(url: str) -> bool:
    """Whether a link's target is a contact detail (``mailto:``, ``tel:``, ``sms:``): such a
    target is personal data behind whatever text the link shows.

    Parameters
    ----------
    url : str

    Returns
    -------
    bool
    """
    return url.strip().lower().startswith(("mailto:", "tel:", "sms:", "callto:"))


def html_text(markup: str) -> str:
    """The text a reader of an HTML page can see or hear.

    Parameters
    ----------
    markup : str
        An HTML document.

    Returns
    -------
    str
        The text, a line per block element (paragraph, cell, list item, heading), with
        ``alt`` and ``title`` attribute values, and the targets of contact links
        (:func:`contact_link`), on lines of their own; ``script`` and ``style`` elements
        left out.
    """
    import lxml.html

    if not markup.strip():
        return ""
    root = lxml.html.document_fromstring(markup)
    for element in list(root.iter("script", "style")):
        if element.getparent() is not None:
            element.drop_tree()
    extra = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("alt", "title"):
            if element.get(attribute):
                extra.append(element.get(attribute))
        if contact_link(element.get("href", "")):
            extra.append(unquote(element.get("href")))
        if element.tag in BLOCKS:
            element.tail = "\n" + (element.tail or "")
    return root.text_content() + "\n" + "\n".join(extra)


def _hits(text: str, settings: PrivacySettings, page: str | None) -> list[tuple[str, str]]:
    skip = allowed_on_page(page, settings) if page is not None else frozenset()
    return find_personal_data(text, settings, skip_names=skip)


def _strings(node) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def search_index_text(script: str) -> str:
    """The words and titles of a Sphinx ``searchindex.js``, one per line, as a reader's search sees them.

    The file is JSON inside ``Search.setIndex(...)``; read raw, its ``\\u00eb`` escapes
    looked like a postcode (U0 0EB).  A file that is not of that form is returned as it is.

    Parameters
    ----------
    script : str
        The text of ``searchindex.js``.

    Returns
    -------
    str
        Every string of the index (terms, titles, file names), one per line.
    """
    start, end = script.find("("), script.rfind(")")
    try:
        index = json.loads(script[start + 1:end])
    except ValueError:
        return script
    return "\n".join(_strings(index))


def scan_html(html: Path, settings: PrivacySettings) -> Iterator[str]:
    """Every hit in the HTML build: its pages, page sources and search index.

    Parameters
    ----------
    html : Path
        ``BUILD/html``.
    settings : PrivacySettings

    Yields
    ------
    str
        ``"<file relative to html>: <kind>: '<text>'; ..."`` per file with a hit.
    """
    for path in sorted(p for p in Path(html).rglob("*") if p.is_file()):
        relative = path.relative_to(html)
        if relative.parts[0] in NOT_SCANNED_DIRS:
            continue
        suffix = path.suffix.lower()
        if suffix == ".html":
            text, page = html_text(path.read_text(encoding="utf-8", errors="replace")), page_name(path)
        elif relative.name == "searchindex.js":
            text, page = search_index_text(path.read_text(encoding="utf-8", errors="replace")), None
        elif relative.parts[0] == "_sources":
            text, page = path.read_text(encoding="utf-8", errors="replace"), page_name(path)
        else:
            continue
        hits = _hits(text, settings, page)
        if hits:
            yield f"{html.name}/{relative.as_posix()}: {hits_text(hits)}"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def scan_csv_folder(folder: Path, settings: PrivacySettings) -> Iterator[str]:
    """Every hit in the text cells of the CSVs in ``folder`` (numbers are not scanned).

    Parameters
    ----------
    folder : Path
        ``BUILD/results`` or ``BUILD/tidy``.
    settings : PrivacySettings

    Yields
    ------
    str
        ``"results/quote_bank.csv, row 4, column 'text': <kind>: '<text>'"`` per cell with a hit.
    """
    if not Path(folder).is_dir():
        return
    csv.field_size_limit(sys.maxsize)
    for path in sorted(Path(folder).rglob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        header = rows[0] if rows else []
        # A tidy table repeats each participant ID, wave and behaviour thousands of times:
        # each distinct cell is scanned once (numbers are not text, so never).
        memo: dict[str, list] = {}
        for number, row in enumerate(rows, start=1):
            for index, cell in enumerate(row):
                hits = memo.get(cell)
                if hits is None:
                    hits = memo[cell] = [] if not cell or _is_number(cell) else find_personal_data(cell, settings)
                if hits:
                    column = header[index] if index < len(header) else str(index + 1)
                    yield f"{folder.name}/{path.relative_to(folder).as_posix()}, row {number}, column {column!r}: {hits_text(hits)}"


def pdf_pages_by_chapter(reader) -> list[str | None]:
    """The page (chapter file name) each PDF page was printed from.

    Parameters
    ----------
    reader : pypdf.PdfReader
        A PDF printed by :mod:`lehc_report.tools.pdf` from the single-page book, whose
        chapters start at named destinations ``document-<docname>``.

    Returns
    -------
    list of str or None
        One entry per PDF page: ``"index"`` before the first chapter (title page,
        contents), then the chapter's file name; None for every page when the PDF has no
        chapter destinations (then no allowance applies anywhere).
    """
    from lehc_report.tools.pdf import _pages_of_destinations

    count = len(reader.pages)
    destinations = _pages_of_destinations(reader)
    starts = sorted((page, name.removeprefix("document-").rsplit("/", 1)[-1])
                    for name, page in destinations.items() if name.startswith("document-"))
    if not starts:
        return [None] * count
    chapters: list[str | None] = []
    for number in range(1, count + 1):
        current = "index"
        for page, name in starts:
            if page <= number:
                current = name
        chapters.append(current)
    return chapters


def pdf_contact_links(reader) -> list[list[str]]:
    """The targets of the contact links (:func:`contact_link`) on each page of a PDF.

    Parameters
    ----------
    reader : pypdf.PdfReader

    Returns
    -------
    list of list of str
        One list per page, ``%``-escapes decoded (``pdftotext`` reads only what a page shows).
    """
    found = []
    for page in reader.pages:
        links = []
        for reference in page.get("/Annots") or []:
            action = reference.get_object().get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if uri is not None and contact_link(str(uri)):
                links.append(unquote(str(uri)))
        found.append(links)
    return found


def scan_pdf(pdf: Path, settings: PrivacySettings, shown_as: Path | None = None) -> Iterator[str]:
    """Every hit in a PDF's text (``pdftotext``) and its contact links' targets, page by page.

    Parameters
    ----------
    pdf : Path
        ``BUILD/pdf/book.pdf``.
    settings : PrivacySettings
    shown_as : Path, optional
        The name to give in each line (the place a PDF printed aside is to be published).

    Yields
    ------
    str
        ``"pdf/book.pdf, page 12 (findings_people): <kind>: '<text>'"`` per page with a hit.

    Raises
    ------
    ExitGateFailure
        ``pdftotext`` (poppler-utils) is missing or fails: the PDF cannot be checked.
    """
    try:
        done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise ExitGateFailure(f"exit gate: cannot read the text of {pdf} with pdftotext ({error}); "
                              "install poppler-utils (apt-get install poppler-utils)") from error
    pages = done.stdout.decode("utf-8", errors="replace").split("\f")
    from pypdf import PdfReader

    from lehc_report.tools.pdf import _quiet_pypdf

    with _quiet_pypdf():  # read once, for both
        reader = PdfReader(str(pdf))
        chapters, links = pdf_pages_by_chapter(reader), pdf_contact_links(reader)
    for number, text in enumerate(pages, start=1):
        chapter = chapters[number - 1] if number <= len(chapters) else None
        if number <= len(links):
            text = "\n".join([text, *links[number - 1]])
        hits = _hits(text, settings, chapter)
        if hits:
            where = f"page {number}" + (f" ({chapter})" if chapter else "")
            shown = Path(shown_as) if shown_as is not None else pdf
            yield f"{shown.parent.name}/{shown.name}, {where}: {hits_text(hits)}"


def scan_qdpx(qdpx: Path, settings: PrivacySettings) -> Iterator[str]:
    """Every hit in a REFI-QDA project: its XML (texts and attributes) and its sources.

    Parameters
    ----------
    qdpx : Path
        ``BUILD/lehc.qdpx``.
    settings : PrivacySettings
        ``qdpx_allow_respondents``: respondents whose source text, case and selections are
        not scanned.

    Yields
    ------
    str
        ``"lehc.qdpx, sources/<guid>.txt (respondent S04): <kind>: '<text>'"`` or
        ``"lehc.qdpx, project.qde: ..."``.
    """
    from defusedxml import ElementTree

    allowed = set(settings.qdpx_allow_respondents)
    with zipfile.ZipFile(qdpx) as archive:
        tree = ElementTree.fromstring(archive.read("project.qde"))
        owners: dict[str, str] = {}
        texts: list[str] = []

        def walk(element, respondent: str | None) -> None:
            tag = element.tag.rsplit("}", 1)[-1]
            if tag in ("TextSource", "Case"):
                respondent = element.get("name")
                if tag == "TextSource" and element.get("plainTextPath"):
                    owners[element.get("plainTextPath").removeprefix("internal://")] = respondent
            if respondent in allowed:
                return
            texts.extend(value for key, value in element.attrib.items() if key not in ("guid", "plainTextPath"))
            texts.append(element.text or "")
            for child in element:
                walk(child, respondent)

        walk(tree, None)
        hits = find_personal_data("\n".join(texts), settings)
        if hits:
            yield f"{qdpx.name}, project.qde: {hits_text(hits)}"
        for name in sorted(archive.namelist()):
            if not name.startswith("sources/"):
                continue
            respondent = owners.get(name.removeprefix("sources/"))
            if respondent in allowed:
                continue
            hits = find_personal_data(archive.read(name).decode("utf-8", errors="replace"), settings)
            if hits:
                yield f"{qdpx.name}, {name} (respondent {respondent}): {hits_text(hits)}"


#: Attributes of a Word document's XML that a reader sees or hears (a picture's alternative text).
DOCX_TEXT_ATTRIBUTES = ("descr", "title")


def docx_part_text(xml: bytes) -> str:
    """The text of one XML part of a ``.docx``: a line per paragraph or table cell.

    Parameters
    ----------
    xml : bytes
        ``word/document.xml``, ``word/footer1.xml``, ``docProps/core.xml``, ...

    Returns
    -------
    str
        Runs of a paragraph joined as Word shows them (a number split over runs stays
        whole); any other element's text, the alternative text of pictures
        (:data:`DOCX_TEXT_ATTRIBUTES`) and the targets of contact links (in the ``.rels``
        parts, :func:`contact_link`), on lines of their own.
    """
    from defusedxml.ElementTree import iterparse

    out: list[str] = []
    for _event, element in iterparse(io.BytesIO(xml), events=("end",)):
        tag = element.tag.rsplit("}", 1)[-1]
        out.extend("\n" + (unquote(value) if key == "Target" else value) + "\n"
                   for key, value in element.attrib.items()
                   if (key.rsplit("}", 1)[-1] in DOCX_TEXT_ATTRIBUTES and value)
                   or (key == "Target" and contact_link(value)))
        if tag == "t":
            out.append(element.text or "")
        elif tag in ("p", "tc", "br", "tab", "cr"):
            out.append("\n")
        elif len(element) == 0 and element.text:
            out.append("\n" + element.text + "\n")
    return "".join(out)


def scan_docx(docx: Path, settings: PrivacySettings, shown_as: Path | None = None) -> Iterator[str]:
    """Every hit in a Word document: its body, headers, footers, notes and properties.

    Parameters
    ----------
    docx : Path
        ``BUILD/docx/report.docx``.
    settings : PrivacySettings
    shown_as : Path, optional
        The name to give in each line (where a document written aside is to go).

    Yields
    ------
    str
        ``"docx/report.docx, word/document.xml: <kind>: '<text>'"`` per part with a hit.

    Notes
    -----
    The document is every page in one: a name ``allow_names`` allows on some page is
    accepted anywhere in it (each page it is made from has passed the page-by-page gate).
    """
    allowed = frozenset(entry.name for entry in settings.allow_names)
    shown = Path(shown_as) if shown_as is not None else Path(docx)
    with zipfile.ZipFile(docx) as archive:
        for name in sorted(archive.namelist()):
            if not name.endswith((".xml", ".rels")):
                continue
            hits = find_personal_data(docx_part_text(archive.read(name)), settings, skip_names=allowed)
            if hits:
                yield f"{shown.parent.name}/{shown.name}, {name}: {hits_text(hits)}"


def check_build(build: Path, settings: PrivacySettings, *, html: bool = False, pdf: bool = False,
                qdpx: bool = False, pages: Path | None = None, docx: bool = False) -> list[str]:
    """Every hit in the chosen outputs of a build.

    Parameters
    ----------
    build : Path
        The build folder.
    settings : PrivacySettings
    html, pdf, qdpx, docx : bool
        Which outputs to scan (``html`` includes the results and tidy CSVs).
    pages : Path, optional
        The HTML pages to scan instead of ``build/html`` (the new version, before it is
        published).

    Returns
    -------
    list of str
        One line per output (file, page or cell) with a hit; empty when clean.
    """
    build = Path(build)
    found: list[str] = []
    if html:
        found += scan_html(Path(pages) if pages else build / "html", settings)
        found += scan_csv_folder(build / "results", settings)
        found += scan_csv_folder(build / "tidy", settings)
    if pdf:
        for name in ("book.pdf", "notebooks.pdf"):
            if (build / "pdf" / name).is_file():
                found += scan_pdf(build / "pdf" / name, settings)
    if docx and (build / "docx" / "report.docx").is_file():
        found += scan_docx(build / "docx" / "report.docx", settings)
    if qdpx and (build / "lehc.qdpx").is_file():
        found += scan_qdpx(build / "lehc.qdpx", settings)
    return found


def settings_for(data: Path | None) -> PrivacySettings | None:
    """The gate's settings for a tool's ``--exit-gate DATA`` option: the project's
    ``privacy.yml`` with ``DATA``'s deny-list; None when the option is not given.

    Parameters
    ----------
    data : Path or None

    Returns
    -------
    PrivacySettings or None
    """
    if data is None:
        return None
    from lehc_report.paths import project_root

    return load_settings(project_root(), data)


def failure_text(found: list[str]) -> str:
    """What the gate says when it finds personal data: one line of advice, then a line per hit.

    Parameters
    ----------
    found : list of str
        Lines from :func:`check_build` (or a ``scan_*`` function); not empty.

    Returns
    -------
    str
    """
    return "\n".join(["exit gate: personal data in the outputs; redact the source (or list the name in privacy.yml's "
                      "allow_names for these pages), then rebuild:", *("  " + line for line in found)])


def main(argv: list[str] | None = None) -> None:
    """Command line: scan a build's outputs; exit 1 naming every output and text found.

    Parameters
    ----------
    argv : list of str, optional
        Defaults to ``sys.argv[1:]``.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path)
    parser.add_argument("--pages", type=Path, help="HTML pages to scan instead of BUILD/html")
    parser.add_argument("--inputs-for-qdpx", action="store_true",
                        help="scan the qualitative inputs as make qdpx exports them (qdpx_allow_respondents apply)")
    parser.add_argument("--data", type=Path, help="the cohort's data folder (its own deny_list.txt)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the project (privacy.yml)")
    parser.add_argument("--html", action="store_true")
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--qdpx", action="store_true")
    parser.add_argument("--docx", action="store_true")
    args = parser.parse_args(argv)
    if not (args.html or args.pdf or args.qdpx or args.docx or args.inputs_for_qdpx):
        args.html = args.pdf = args.qdpx = args.docx = True
    settings = load_settings(args.root, args.data)
    if args.inputs_for_qdpx:
        from lehc_report.errors import PersonalDataFound
        from lehc_report.inputs.personal_data import scan_inputs

        try:
            scan_inputs(args.data, settings, "03_qual", root=args.root, allow_respondents=settings.qdpx_allow_respondents)
        except PersonalDataFound as found:
            print(f"make qdpx: {found} (or, for the coding team only, allow the respondent under "
                  "qdpx_allow_respondents in privacy.yml)", file=sys.stderr)
            raise SystemExit(1) from None
        return
    if args.build is None:
        parser.error("give --build BUILD")
    try:
        found = check_build(args.build, settings, html=args.html, pdf=args.pdf, qdpx=args.qdpx, pages=args.pages,
                            docx=args.docx)
    except ExitGateFailure as failure:
        print(failure, file=sys.stderr)
        raise SystemExit(1) from None
    if found:
        print(failure_text(found), file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
