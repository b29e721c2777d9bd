"""Write the report as a Word document for reviewers, offline and deterministically.

    python -m lehc_report.tools.docx --html _build/html --out _build/docx/report.docx

Reviewers in health and social care comment in Word.  The document holds what
``book.pdf`` holds: the title page (``book/index``), the report chapters, the
appendices and the data chapter, in the order of ``_toc.yml``; the analysis
notebooks are left out.  It is made from the built HTML (``make book``), so every
number is the one the HTML and PDF show:

1. each page's article (``<article class="bd-article">``) is taken from
   ``_build/html/<page>.html`` and stripped of what belongs to a web page (heading
   permalinks, navigation, scripts, buttons, the table of contents); links between
   pages become links inside the document; sections of a chapter (the findings
   sections) are moved one heading level down;
2. pandoc (shipped inside the ``pypandoc-binary`` wheel: nothing is downloaded)
   converts the combined HTML to ``.docx``: headings as Word headings, tables as Word
   tables, figures as pictures with their captions and alternative text;
3. the page size, fonts and the footer's page-number field come from a reference
   document written here with python-docx (:func:`write_reference_docx`).

Pandoc writes no build date when ``SOURCE_DATE_EPOCH`` is fixed, so two builds from
the same HTML are byte-identical.
"""

from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import yaml
from lxml import etree
from lxml import html as lxml_html

from lehc_report.tools.publish import private_tempdir

if TYPE_CHECKING:
    from lehc_report.privacy import PrivacySettings

#: Fixed timestamp (1980-01-01, the earliest a zip file can record) for pandoc's zip
#: entries and document properties: the build date would make every build differ.
SOURCE_DATE_EPOCH = "315532800"

#: Elements of a web page that are not content: permalinks, navigation and controls.
STRIP_XPATH = (
    "//a[contains(concat(' ', normalize-space(@class), ' '), ' headerlink ')]"
    " | //script | //style | //button | //nav | //form"
    " | //div[contains(concat(' ', normalize-space(@class), ' '), ' toctree-wrapper ')]"
    " | //div[contains(concat(' ', normalize-space(@class), ' '), ' cell_input ')]"
    " | //div[contains(concat(' ', normalize-space(@class), ' '), ' prev-next-area ')]"
)


def report_pages(toc_path: Path) -> list[tuple[str, int]]:
    """The pages of the report, in book order, each with its heading-level shift.

    Parameters
    ----------
    toc_path : Path
        Jupyter Book's ``_toc.yml`` (``format: jb-book``: a ``root`` and ``parts`` of
        ``chapters``, each with optional ``sections``).

    Returns
    -------
    list of (str, int)
        Page path without suffix (``"book/programme"``) and how many levels its
        headings move down: 0 for the root and chapters, 1 for a chapter's sections.
        Pages under ``notebooks/`` (the analysis notebooks) are left out, as in
        ``book.pdf``.
    """
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    pages: list[tuple[str, int]] = [(toc["root"], 0)]

    def walk(entries: list[dict], depth: int) -> None:
        for entry in entries or []:
            page = entry.get("file")
            if page and not page.startswith("notebooks/"):
                pages.append((page, depth))
            walk(entry.get("sections", []), depth + 1)

    for part in toc.get("parts", []):
        walk(part.get("chapters", []), 0)
    walk(toc.get("chapters", []), 0)
    return pages


def _has_class(element: etree._Element, name: str) -> bool:
    return name in (element.get("class") or "").split()


def page_article(page_html: Path, page: str, shift: int, anchors: dict[str, str]) -> etree._Element:
    """One built page's content, ready to be joined into one document.

    Parameters
    ----------
    page_html : Path
        The page as ``make book`` wrote it (``_build/html/book/programme.html``).
    page : str
        The page path without suffix (``"book/programme"``), for links and images.
    shift : int
        Heading levels to move down (1 for a chapter's sections).
    anchors : dict
        Page path (``"book/programme"``) -> the id of its first section, for links
        to a whole page.

    Returns
    -------
    lxml element
        A ``<div>`` holding the article: web-page furniture stripped, image sources
        made relative to the HTML build and scaled to 85 % of the text width, links
        to other report pages turned into ``#id`` links, tables given column widths,
        maths marked up as pandoc reads it.

    Raises
    ------
    ValueError
        The page has no ``<article class="bd-article">`` (not a Jupyter Book page).
    """
    tree = lxml_html.parse(str(page_html))
    articles = tree.xpath("//article[contains(concat(' ', normalize-space(@class), ' '), ' bd-article ')]")
    if not articles:
        raise ValueError(f"{page_html}: no <article class=\"bd-article\"> (is this a Jupyter Book page?)")
    article = copy.deepcopy(articles[0])
    for element in article.xpath(STRIP_XPATH):
        element.getparent().remove(element)
    page_dir = Path(page).parent
    for image in article.iter("img"):
        source = image.get("src", "")
        if source and not urlsplit(source).scheme:
            # Relative to the HTML build (pandoc's resource path): the Word file records
            # this name, so an absolute path would differ between checkouts.
            image.set("src", os.path.normpath((page_dir / unquote(source)).as_posix()))
        # Pandoc wraps a captioned figure in a one-cell table whose column it makes
        # 5.5 inches (13.97 cm) wide whatever the page: a wider picture is cut off at the
        # right (LibreOffice), so pictures are 85 % of the 16 cm text width, 13.6 cm.
        image.set("width", "85%")
        image.attrib.pop("height", None)
    for link in article.iter("a"):
        href = link.get("href")
        if not href:
            continue
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            continue  # external, or already within the page
        target = (page_dir / unquote(parts.path)).as_posix()
        target = os.path.normpath(target).removesuffix(".html")
        if target in anchors:
            link.set("href", f"#{parts.fragment or anchors[target]}")
        else:
            # A page outside the report (an analysis notebook): keep the words, drop the link.
            link.attrib.pop("href")
    for math in article.xpath("//span[contains(concat(' ', normalize-space(@class), ' '), ' math ')]"):
        text = (math.text or "").strip()
        if text.startswith("\\(") and text.endswith("\\)"):
            math.text, math.attrib["class"] = text[2:-2], "math inline"
    for math in article.xpath("//div[contains(concat(' ', normalize-space(@class), ' '), ' math ')]"):
        text = "".join(math.itertext()).strip()
        if text.startswith("\\[") and text.endswith("\\]"):
            for child in list(math):
                math.remove(child)
            math.tag, math.text, math.attrib["class"] = "span", text[2:-2], "math display"
    for table in article.iter("table"):
        set_column_widths(table)
    if shift:
        for element in article.iter("h1", "h2", "h3", "h4", "h5"):
            element.tag = f"h{min(int(element.tag[1]) + shift, 6)}"
    article.tag = "div"
    return article


def set_column_widths(table: etree._Element) -> None:
    """Give an HTML table relative column widths from its text, as a ``<colgroup>``.

    Without widths pandoc gives every column the same share of the page, so a
    wide label column wraps mid-word beside narrow number columns.  Each column gets
    at least its longest word and at most 30 characters of its longest cell, in
    proportion; pandoc writes these as the Word table's column widths.  A table that
    already has a ``<colgroup>`` is left as it is.

    Parameters
    ----------
    table : lxml element
        A ``<table>``, changed in place.
    """
    if table.find("colgroup") is not None:
        return
    rows = table.xpath(".//tr")
    columns = max((len(row.xpath("./th|./td")) for row in rows), default=0)
    if columns < 2:
        return
    needs = [1.0] * columns
    for row in rows:
        for index, cell in enumerate(row.xpath("./th|./td")[:columns]):
            words = " ".join(cell.itertext()).split()
            longest = max((len(word) for word in words), default=1)
            total = len(" ".join(words))
            needs[index] = max(needs[index], longest, min(total, 30))
    colgroup = etree.Element("colgroup")
    for need in needs:
        etree.SubElement(colgroup, "col", style=f"width: {100 * need / sum(needs):.1f}%")
    position = 1 if table.find("caption") is not None else 0
    table.insert(position, colgroup)


def first_section_id(page_html: Path) -> str | None:
    """The id of a page's first ``<section>``: where a link to the whole page points.

    Parameters
    ----------
    page_html : Path
        A built page.

    Returns
    -------
    str or None
    """
    ids = lxml_html.parse(str(page_html)).xpath(
        "//article[contains(concat(' ', normalize-space(@class), ' '), ' bd-article ')]//section/@id"
    )
    return ids[0] if ids else None


def combined_html(html_dir: Path, toc_path: Path) -> str:
    """The report's pages joined into one HTML document, in book order.

    Parameters
    ----------
    html_dir : Path
        The HTML build (``_build/html``).
    toc_path : Path
        ``_toc.yml``.

    Returns
    -------
    str
        An HTML document whose ``<title>`` is the root page's first heading (removed
        from the body, where it would repeat the title).

    Raises
    ------
    FileNotFoundError
        A page of the report is not in the build (run ``make book``).
    """
    pages = report_pages(toc_path)
    files = {page: html_dir / f"{page}.html" for page, _ in pages}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"not built (run make book): {', '.join(missing)}")
    anchors = {page: anchor for page, path in files.items() if (anchor := first_section_id(path))}
    body = etree.Element("body")
    for page, shift in pages:
        body.append(page_article(files[page], page, shift, anchors))
    # The root page's heading is the report's title: pandoc writes it once, in Word's
    # Title style and the document properties, from <title>.
    title = ""
    root_heading = body[0].xpath(".//h1")
    if root_heading:
        title = " ".join("".join(root_heading[0].itertext()).split())
        root_heading[0].getparent().remove(root_heading[0])
    document = etree.Element("html")
    head = etree.SubElement(document, "head")
    etree.SubElement(head, "meta", charset="utf-8")
    etree.SubElement(head, "title").text = title
    document.append(body)
    return lxml_html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>")


def write_reference_docx(path: Path) -> Path:
    """Write the reference document that sets the Word file's page, fonts and footer.

    Starts from pandoc's own reference document (so every style pandoc uses is
    there) and sets, with python-docx: A4 paper with 2.5 cm margins (the footer 1.25 cm
    from the edge), 11 pt body text, a new page for every chapter (Heading 1),
    and a centred footer "Page N of M" made of Word's ``PAGE`` and ``NUMPAGES``
    fields (Word fills them in; they are fields, not typed numbers).

    Parameters
    ----------
    path : Path
        Where to write the ``.docx``.

    Returns
    -------
    Path
        ``path``.
    """
    import docx
    import pypandoc
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    path.parent.mkdir(parents=True, exist_ok=True)
    default = path.with_suffix(".pandoc.docx")
    pandoc = pypandoc.get_pandoc_path()

    with default.open("wb") as out:
        subprocess.run([pandoc, "--print-default-data-file", "reference.docx"], stdout=out, check=True)
    document = docx.Document(str(default))
    default.unlink()
    for section in document.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)
        section.header_distance = section.footer_distance = Cm(1.25)
        footer = section.footer
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.text = ""
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run("Page ")
        _add_field(paragraph, "PAGE", "1", OxmlElement, qn)
        paragraph.add_run(" of ")
        _add_field(paragraph, "NUMPAGES", "1", OxmlElement, qn)
    # Each chapter starts a page, as in the PDF (the title page holds the summary).
    document.styles["Heading 1"].paragraph_format.page_break_before = True
    for name in ("Normal", "Body Text", "First Paragraph", "Compact"):
        if name in [style.name for style in document.styles]:
            document.styles[name].font.size = Pt(11)
    document.save(str(path))
    _fix_zip_times(path)
    return path


def _fix_zip_times(path: Path) -> None:
    """Rewrite a zip file with every entry dated 1980-01-01, in the same order.

    python-docx dates the entries it writes with the current time, and pandoc copies
    the reference document's entries as they are, so without this the Word file would
    carry the build time.
    """
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)


def _add_field(paragraph, instruction: str, placeholder: str, OxmlElement, qn) -> None:
    """Append a complex field (``w:fldChar`` begin, ``w:instrText``, separate, end)."""
    def run_with(child):
        run = paragraph.add_run()
        run._r.append(child)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run_with(text)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def build_docx(html_dir: Path, toc_path: Path, out: Path, gate: PrivacySettings | None = None) -> Path:
    """Write the report as ``.docx`` from the HTML build.

    Parameters
    ----------
    html_dir : Path
        The HTML build (``_build/html``).
    toc_path : Path
        ``_toc.yml``.
    out : Path
        The ``.docx`` to write, through a temporary file in the same folder (a failed
        build leaves an earlier file in place).
    gate : PrivacySettings, optional
        When given, the exit gate (:func:`lehc_report.tools.exit_gate.scan_docx`) reads
        the document before it replaces the previous one.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    FileNotFoundError
        A report page is not built.
    RuntimeError
        pandoc failed.
    lehc_report.tools.exit_gate.ExitGateFailure
        The exit gate found personal data (every hit; the previous file is untouched).
    """
    import pypandoc

    out.parent.mkdir(parents=True, exist_ok=True)
    with private_tempdir(out.parent, out.name) as folder:
        reference = write_reference_docx(folder / "reference.docx")
        source = folder / "report.html"
        source.write_text(combined_html(html_dir, toc_path), encoding="utf-8")
        partial = folder / out.name
        environment = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}

        result = subprocess.run(
            [
                pypandoc.get_pandoc_path(),
                str(source),
                "--from", "html",
                "--to", "docx",
                "--reference-doc", str(reference),
                "--resource-path", str(html_dir),
                "--output", str(partial),
            ],
            env=environment,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"pandoc failed ({result.returncode}): {result.stderr.strip()}")
        if gate is not None:
            from lehc_report.tools.exit_gate import ExitGateFailure, failure_text, scan_docx

            found = list(scan_docx(partial, gate, shown_as=out))
            if found:
                raise ExitGateFailure(failure_text(found))
        os.replace(partial, out)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--html``, ``--toc`` and ``--out``; prints the file written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=Path("_build/html"), help="the HTML build")
    parser.add_argument("--toc", type=Path, default=Path("_toc.yml"), help="Jupyter Book's table of contents")
    parser.add_argument("--out", type=Path, default=Path("_build/docx/report.docx"), help="the .docx to write")
    parser.add_argument("--exit-gate", type=Path, default=None, metavar="DATA",
                        help="scan the document for personal data (the project's privacy.yml, DATA's deny-list) "
                             "before it replaces the previous one")
    args = parser.parse_args(argv)
    from lehc_report.tools.exit_gate import ExitGateFailure, settings_for

    gate = settings_for(args.exit_gate)
    try:
        written = build_docx(args.html, args.toc, args.out, gate)
    except ExitGateFailure as failure:
        print(f"{failure}\ndocx: {args.out} not written; the previous one, if any, is untouched", file=sys.stderr)
        return 1
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        print(f"docx: {error}", file=sys.stderr)
        return 1
    print(f"docx: {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
