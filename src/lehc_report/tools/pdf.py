"""Print the report to PDF with headless Chromium, offline.

    python -m lehc_report.tools.pdf SRC_HTML OUT_PDF [--notebooks NOTEBOOKS_PDF] [--chromium /usr/bin/chromium]

``SRC_HTML`` is the root page of Jupyter Book's ``singlehtml`` build (the whole
book on one page; ``make pdf`` passes ``singlehtml/book/index.html``, not the
redirecting ``singlehtml/index.html``).  The page is printed with the book's own
print stylesheet (``book/_static/print.css``) after a little restructuring done
here in the page: a title page (title, client, date and the synthetic-data
notice, moved from the top of the root page), then the table of contents with
page numbers, then one chapter per page run.

Page numbers in the contents come from a first printing: Chromium turns every
``#anchor`` link into a PDF link to a named destination, so the page each chapter
starts on is read back from the first PDF and written into the contents before
the second, final printing.

The page is untrusted (its text comes from data files), so the browser runs with
JavaScript off (our own restructuring runs through the DevTools protocol, which a
page cannot use) and every request outside the folder of the built book is refused
and reported: no network, no other local file (``file:///etc/...``).

The PDF is made reproducible afterwards (:func:`reproducible_pdf`): its dates are
the source date (``SOURCE_DATE_EPOCH``, else the last commit's), and links to the
build's own files, which Chromium writes as absolute ``file:///`` paths, are turned
into links inside the PDF or removed.

``OUT_PDF`` is replaced by one rename of a complete file; temporaries live in a
private folder beside the page printed (not beside the PDF), removed on exit and by
the next run when printing was killed.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import logging
import os
import re
import secrets
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from lehc_report.tools.publish import TEMP_PREFIX, private_tempdir

if TYPE_CHECKING:
    from lehc_report.privacy import PrivacySettings

#: Where ``make pdf`` and the browser tests look for Chromium when ``CHROMIUM`` is unset.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
INSTALL_HINT = "set CHROMIUM=/path/to/chromium, or install Chromium (Debian/Ubuntu: apt-get install chromium)"

#: The two PDFs printed from the one ``singlehtml`` book: the report a stakeholder reads
#: (its chapters, appendices and the data chapter) and, for reviewers, the analysis
#: notebooks (About included).  A document goes to the second when its name starts with
#: :data:`NOTEBOOK_PREFIX`.
PARTS = ("report", "notebooks")
NOTEBOOK_PREFIX = "notebooks/"
#: Subtitle on the notebooks PDF's title page and in its running header.
NOTEBOOKS_SUBTITLE = "Analysis notebooks"

#: The running header and the page numbers, as CSS page-margin boxes (Chromium prints
#: them when its own header and footer are off).  The title page has neither.  The page
#: size and margins are ``print.css``'s ``@page`` rule; ``{title}`` is a CSS string.
PAGE_MARGIN_CSS = """
@page {{
  @top-right {{ content: {title}; font-family: "Liberation Sans", "DejaVu Sans", sans-serif;
               font-size: 8pt; color: #555; vertical-align: bottom; padding-bottom: 4mm; }}
  @bottom-center {{ content: "Page " counter(page) " of " counter(pages);
                   font-family: "Liberation Sans", "DejaVu Sans", sans-serif; font-size: 8pt; color: #333;
                   vertical-align: top; padding-top: 4mm; }}
}}
@page :first {{ @top-right {{ content: none; }} @bottom-center {{ content: none; }} }}
"""


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: quotes, backslashes and line breaks escaped.

    Parameters
    ----------
    text : str
        Any text (the report's title comes from the data).

    Returns
    -------
    str
        A double-quoted CSS string literal that ends where it should (CSS Syntax
        Level 3, 4.3.5: a backslash and hex digits escape any code point).
    """
    escaped = "".join(c if (c.isprintable() and c not in '"\\<>') else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


def find_chromium(explicit: str | None = None) -> str:
    """The browser to drive: ``explicit``, else ``$CHROMIUM``, else the first candidate found.

    Parameters
    ----------
    explicit : str, optional
        A browser executable or command name.

    Returns
    -------
    str
        The executable's path.

    Raises
    ------
    SystemExit
        The browser named does not exist, or none of :data:`CHROMIUM_CANDIDATES` does.
    """
    for candidate in (explicit, os.environ.get("CHROMIUM")):
        if candidate:
            path = shutil.which(candidate) or candidate
            if not Path(path).is_file():
                raise SystemExit(f"CHROMIUM={candidate}: no such browser; {INSTALL_HINT}")
            return path
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise SystemExit(f"no Chromium found at {', '.join(CHROMIUM_CANDIDATES)}; {INSTALL_HINT}")


def book_folder(src: Path) -> Path:
    """The top folder of the built book that holds ``src``: the one with its ``_static``.

    Sphinx's ``singlehtml`` builder writes a root document that lives in a
    sub-folder (``book/index.html``) with links relative to the build's top folder
    (``_static/…``, ``_images/…``).

    Parameters
    ----------
    src : Path
        The root page of the ``singlehtml`` build.

    Returns
    -------
    Path
        The folder whose ``_static`` the page links to (``src``'s own folder when the
        page links no ``_static`` file).

    Raises
    ------
    SystemExit
        No folder above ``src`` holds the ``_static`` file the page links.
    """
    src = Path(src).resolve()
    text = src.read_text(encoding="utf-8")
    match = re.search(r'(?:href|src)="(_static/[^"?#]+)', text)
    if match is None:
        return src.parent
    for folder in (src.parent, *src.parents):
        if (folder / match.group(1)).exists():
            return folder
    raise SystemExit(f"{src}: cannot find the folder holding {match.group(1)}")


def printable_source(src: Path) -> Path:
    """The page to open: ``src``, or a copy of it at the top of its book folder.

    Opened where it is, a ``singlehtml`` root page in a sub-folder has no styles and
    no images; a copy beside ``_static`` resolves every link as intended.  The copy
    is named as a temporary (``.tmp-pdf-root-*.html``); the caller removes it.

    Parameters
    ----------
    src : Path
        The root page of the ``singlehtml`` build.

    Returns
    -------
    Path
        The page to open.
    """
    src = Path(src).resolve()
    folder = book_folder(src)
    if folder == src.parent:
        return src
    copy = folder / f"{TEMP_PREFIX}pdf-root-{secrets.token_hex(6)}.html"
    copy.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def is_inside(url: str, folder: Path) -> bool:
    """Whether ``url`` is a ``file:`` URL of a file inside ``folder``.

    Parameters
    ----------
    url : str
        A requested URL.
    folder : Path
        The built book's top folder (absolute, resolved).

    Returns
    -------
    bool
        ``False`` for every other scheme, and for ``file:`` URLs that leave ``folder``
        (``..``, symbolic links, other hosts).
    """
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()
    return path == folder or folder in path.parents


# Run in the page before printing, with {part, notebookPrefix, subtitle}: keeps the
# documents of one part (see PARTS), makes the title page and the contents.  Returns
# the running-header title.
PREPARE_JS = r"""
(args) => {
  const article = document.querySelector('article.bd-article');
  const root = article.querySelector(':scope > section');
  const h1 = root.querySelector(':scope > h1');
  const title = h1.textContent.replace(/#\s*$/, '').trim();
  const notebooks = args.part === 'notebooks';

  // One part of the book: a document (the toctree's anchor span, then everything up
  // to the next document's anchor) is kept when it is a notebook exactly in the
  // notebooks part.  The notebooks part keeps none of the root page's own sections.
  const removed = new Set();
  for (const span of article.querySelectorAll(
      ':scope > section > .toctree-wrapper > span[id^="document-"]')) {
    const name = span.id.slice('document-'.length);
    if (name.startsWith(args.notebookPrefix) === notebooks) continue;
    removed.add(span.id);
    let el = span.nextElementSibling;
    while (el && !el.matches('span[id^="document-"]')) {
      const next = el.nextElementSibling;
      el.remove();
      el = next;
    }
    span.remove();
  }
  for (const wrapper of root.querySelectorAll(':scope > .toctree-wrapper')) {
    if (!wrapper.querySelector('span[id^="document-"]')) wrapper.remove();
  }
  if (notebooks) for (const section of root.querySelectorAll(':scope > section')) section.remove();
  for (const a of document.querySelectorAll('#jb-print-toc a[href^="#document-"]')) {
    if (removed.has(decodeURIComponent(a.getAttribute('href').slice(1)))) a.closest('li').remove();
  }
  for (const list of document.querySelectorAll('#jb-print-toc nav > ul')) {
    if (list.querySelector('li')) continue;
    const caption = list.previousElementSibling;
    if (caption && caption.matches('p.caption')) caption.remove();
    list.remove();
  }

  // Links to anchors of this very page (numref/ref/doc in singlehtml point at
  // "book/index.html#x"): make them in-page links, so the PDF links internally.
  for (const a of document.querySelectorAll('a[href*="#"]')) {
    const href = a.getAttribute('href');
    if (/^[a-z]+:/i.test(href)) continue;
    const frag = decodeURIComponent(href.slice(href.indexOf('#') + 1));
    if (frag && document.getElementById(frag)) a.setAttribute('href', '#' + frag);
  }

  // Title page: the root page's title, and everything above its first section
  // (the synthetic-data notice, client and date), then the book's author line.
  const titlePage = document.createElement('section');
  titlePage.id = 'pdf-title-page';
  for (const link of h1.querySelectorAll('a.headerlink')) link.remove();
  h1.classList.add('pdf-title');
  const front = [];
  for (const child of root.children) {
    if (child === h1) continue;
    if (child.matches('section, .toctree-wrapper')) break;
    front.push(child);
  }
  const meta = front.filter(el => !el.matches('.admonition'));
  const notices = front.filter(el => el.matches('.admonition'));
  titlePage.appendChild(h1);
  if (notebooks) {
    const sub = document.createElement('p');
    sub.className = 'pdf-title-subtitle';
    sub.textContent = args.subtitle;
    titlePage.appendChild(sub);
  }
  for (const el of meta) { el.classList.add('pdf-title-meta'); titlePage.appendChild(el); }
  const author = document.querySelector('.bd-footer-content .component-author');
  if (author) {
    const p = document.createElement('p');
    p.className = 'pdf-title-author';
    p.textContent = author.textContent.replace(/^\s*By\s+/, '').trim();
    titlePage.appendChild(p);
  }
  for (const el of notices) titlePage.appendChild(el);

  // Contents: the theme's print table of contents, without its duplicate title.
  const printBody = document.getElementById('jb-print-docs-body');
  if (printBody) {
    const dup = printBody.querySelector(':scope > h1');
    if (dup) dup.remove();
    printBody.parentNode.insertBefore(titlePage, printBody);
    const h2 = printBody.querySelector('#jb-print-toc h2');
    if (h2) { h2.textContent = 'Contents'; }
    for (const a of printBody.querySelectorAll('#jb-print-toc a[href^="#"]')) {
      const leader = document.createElement('span');
      leader.className = 'pdf-toc-leader';
      leader.setAttribute('aria-hidden', 'true');
      const num = document.createElement('span');
      num.className = 'pdf-toc-page';
      num.textContent = '000';
      a.append(leader, num);
    }
  } else {
    article.insertBefore(titlePage, article.firstChild);
  }

  // Chapters (the documents of the top-level toctrees) each start a new page.
  for (const span of article.querySelectorAll(
      ':scope > section > .toctree-wrapper > span[id^="document-"]')) {
    // The break goes on the (empty) anchor itself, so that the contents' links,
    // which point at it, land on the chapter's first page.
    span.classList.add('pdf-chapter');
  }
  // Collapsed outputs ("hide-output") are printed open.
  for (const d of document.querySelectorAll('details')) d.open = true;
  document.documentElement.classList.add('pdf-print');
  return notebooks ? `${title} · ${args.subtitle}` : title;
}
"""

# Playwright's add_style_tag waits for an onload that never fires with JavaScript off.
ADD_STYLE_JS = r"""
(css) => {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.appendChild(style);
}
"""

FILL_TOC_JS = r"""
(pages) => {
  for (const a of document.querySelectorAll('#jb-print-toc a[href^="#"]')) {
    const id = decodeURIComponent(a.getAttribute('href').slice(1));
    const num = a.querySelector('.pdf-toc-page');
    if (num) num.textContent = pages[id] !== undefined ? String(pages[id]) : '';
  }
}
"""


@contextlib.contextmanager
def _quiet_pypdf():
    """pypdf warns about Chromium's trailer ("Object count ... exceeds defined trailer
    size"), which it repairs; on screen the warning would read as a failure."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _named_destination_pages(pdf_path: Path) -> dict[str, int]:
    """1-based page of every named destination (every linked ``#anchor``) in a PDF."""
    from pypdf import PdfReader

    with _quiet_pypdf():
        return _pages_of_destinations(PdfReader(str(pdf_path)))


def _pages_of_destinations(reader) -> dict[str, int]:
    pages: dict[str, int] = {}
    for name, dest in reader.named_destinations.items():
        try:
            page = reader.get_destination_page_number(dest) + 1
        except Exception:  # noqa: BLE001 - a destination without a page: leave it out
            continue
        # Chromium names each destination after the element id, as a PDF name ("/id").
        pages[str(name)[1:] if str(name).startswith("/") else str(name)] = page
    return pages


def print_pdf(src_html: Path, out_pdf: Path, chromium: str | None = None, *,
              source_date: datetime | None = None, audit: dict[str, list[str]] | None = None,
              notebooks_pdf: Path | None = None, gate: PrivacySettings | None = None) -> Path:
    """Print the ``singlehtml`` book to ``out_pdf``, offline and with JavaScript off.

    ``out_pdf`` holds the report (every document but the analysis notebooks);
    ``notebooks_pdf``, when given, the notebooks (see :data:`PARTS`).

    Parameters
    ----------
    src_html : Path
        Root page of the ``singlehtml`` build.
    out_pdf : Path
        The report's PDF (replaced by one rename of a complete file).
    chromium : str, optional
        Browser executable (see :func:`find_chromium`).
    source_date : datetime, optional
        The PDF's creation and modification date (default: :func:`lehc_report.inputs.provenance.source_date`).
    audit : dict, optional
        When given, every URL the browser requests is appended to ``audit["request"]``,
        then to ``audit["requestfinished"]`` (served) or ``audit["requestfailed"]``
        (refused, or not found), and every refused one to ``audit["refused"]``.
    notebooks_pdf : Path, optional
        The analysis notebooks' PDF, for reviewers (replaced in the same way).
    gate : PrivacySettings, optional
        When given, the exit gate (:func:`lehc_report.tools.exit_gate.scan_pdf`) reads
        every printed PDF before either replaces its predecessor: a PDF with personal
        data is never published, not even for a moment.

    Returns
    -------
    Path
        ``out_pdf``.

    Raises
    ------
    SystemExit
        No browser; an image of the book did not load; the exit gate found personal
        data (every hit, one line each; the previous PDFs are untouched).
    """
    from playwright.sync_api import sync_playwright

    from lehc_report.inputs.provenance import source_date as project_source_date
    from lehc_report.paths import project_root

    executable = find_chromium(chromium)
    src_html = Path(src_html).resolve()
    folder = book_folder(src_html)
    outputs = {"report": Path(out_pdf)}
    if notebooks_pdf is not None:
        outputs["notebooks"] = Path(notebooks_pdf)
    for target in outputs.values():
        target.parent.mkdir(parents=True, exist_ok=True)
    if source_date is None:
        source_date = project_source_date(project_root())
    refused: list[str] = []
    # The private folder first: making it removes the temporaries of a killed printing.
    with private_tempdir(folder, "pdf") as tmp, sync_playwright() as pw:
        page_file = printable_source(src_html)
        try:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                # JavaScript off: a script injected through the data cannot run, fetch or
                # rewrite the page; page.evaluate below still runs ours.
                context = browser.new_context(offline=True, java_script_enabled=False, service_workers="block")
                if audit is not None:
                    for event in ("request", "requestfinished", "requestfailed"):
                        context.on(event, lambda request, e=event: audit.setdefault(e, []).append(request.url))

                def inside_the_book_only(route):
                    if is_inside(route.request.url, folder):
                        route.continue_()
                    else:
                        refused.append(route.request.url)
                        route.abort("blockedbyclient")

                context.route("**/*", inside_the_book_only)
                staged = {}
                for part, target in outputs.items():
                    staged[part] = _print_part(context, page_file, src_html, folder, part, tmp, source_date)
                # Both printed, and checked, before either replaces its predecessor.
                if gate is not None:
                    from lehc_report.tools.exit_gate import failure_text, scan_pdf

                    found = [line for part, target in outputs.items()
                             for line in scan_pdf(staged[part], gate, shown_as=target)]
                    if found:
                        raise SystemExit(failure_text(found))
                for part, target in outputs.items():
                    _move_into_place(staged[part], target)
            finally:
                browser.close()
        finally:
            if page_file != src_html:
                page_file.unlink(missing_ok=True)
    if audit is not None:
        audit["refused"] = refused
    if refused:
        print(f"pdf: refused {len(refused)} request(s) outside {folder.name}/: {sorted(set(refused))}",
              file=sys.stderr)
    return Path(out_pdf)


def _print_part(context, page_file: Path, src_html: Path, folder: Path, part: str, tmp: Path,
                source_date: datetime) -> Path:
    """Open the book in a new tab, keep ``part``, print it twice (the contents' page numbers
    come from the first printing) and return the final, reproducible PDF in ``tmp``."""
    page = context.new_page()
    try:
        page.goto(page_file.as_uri(), wait_until="load")
        page.emulate_media(media="print")
        page.evaluate("document.fonts.ready.then(() => true)")
        # A missing image of the book fails the printing; one refused from outside
        # (markup injected through the data) is left out, and reported by the caller.
        broken = [url for url in page.evaluate(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        ) if is_inside(url, folder)]
        if broken:
            raise SystemExit(f"{src_html}: images did not load: {broken}")
        title = page.evaluate(PREPARE_JS, {"part": part, "notebookPrefix": NOTEBOOK_PREFIX,
                                           "subtitle": NOTEBOOKS_SUBTITLE})
        page.evaluate(ADD_STYLE_JS, PAGE_MARGIN_CSS.format(title=css_string(title)))
        # Page size and margins are print.css's @page rule; header and footer are its
        # margin boxes (PAGE_MARGIN_CSS), which Chromium prints only with its own off.
        options = dict(print_background=True, prefer_css_page_size=True, display_header_footer=False,
                       outline=True, tagged=True)
        first = tmp / f"{part}-first.pdf"
        page.pdf(path=str(first), **options)
        page.evaluate(FILL_TOC_JS, _named_destination_pages(first))
        final = tmp / f"{part}.pdf"
        final.write_bytes(reproducible_pdf(page.pdf(**options), source_date))
        return final
    finally:
        page.close()


def _move_into_place(staged: Path, target: Path) -> None:
    """Rename ``staged`` over ``target``; across file systems, through a private temporary beside it."""
    try:
        os.replace(staged, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        with private_tempdir(target.parent, target.name) as tmp:
            shutil.copyfile(staged, tmp / target.name)
            os.replace(tmp / target.name, target)


def pdf_date(moment: datetime) -> str:
    """A PDF date string (ISO 32000-1, 7.9.4) in UTC.

    Parameters
    ----------
    moment : datetime
        Timezone-aware.

    Returns
    -------
    str
        ``D:YYYYMMDDHHmmSS+00'00'``.
    """
    return moment.astimezone(timezone.utc).strftime("D:%Y%m%d%H%M%S+00'00'")


def reproducible_pdf(data: bytes, source_date: datetime) -> bytes:
    """The same PDF, with nothing that depends on when or where it was printed.

    Parameters
    ----------
    data : bytes
        A PDF printed by Chromium.
    source_date : datetime
        The date written as ``/CreationDate`` and ``/ModDate`` (Chromium writes the
        moment of printing).

    Returns
    -------
    bytes
        The rewritten PDF.  Text, pages, outline and tags are unchanged (pypdf
        ``clone_from``); the same input gives the same bytes.

    Notes
    -----
    A link to a local file (Chromium writes ``file:///<build path>/…``; in the book,
    each figure links its own image) becomes a link to the named destination of its
    ``#fragment`` when the PDF has it, and is removed otherwise: it named the build
    machine's disk and could work nowhere else.
    """
    with _quiet_pypdf():
        return _reproducible_pdf(data, source_date)


def _reproducible_pdf(data: bytes, source_date: datetime) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, NameObject, TextStringObject

    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    names = {str(name).lstrip("/") for name in reader.named_destinations}
    for page in writer.pages:
        annotations = page.get("/Annots")
        if annotations is None:
            continue
        kept = ArrayObject()
        for reference in annotations.get_object():
            annotation = reference.get_object()
            action = annotation.get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if uri is None or not str(uri).startswith("file:"):
                kept.append(reference)
                continue
            fragment = unquote(urlsplit(str(uri)).fragment)
            if fragment in names:
                # An internal link: "go to the named destination", as Chromium writes for #anchors.
                del annotation["/A"]
                annotation[NameObject("/Dest")] = TextStringObject(fragment)
                kept.append(reference)
            # else: dropped (the link pointed at the build machine's disk)
        page[NameObject("/Annots")] = kept
    stamp = pdf_date(source_date)
    writer.add_metadata({"/CreationDate": stamp, "/ModDate": stamp})
    out = io.BytesIO()
    writer.write(out)
    return renumber_structure_ids(out.getvalue())


#: How Chromium names the structure elements of table headers in a tagged PDF.
STRUCTURE_ID = re.compile(rb"\(node(\d{8})\)")


def renumber_structure_ids(data: bytes) -> bytes:
    """Number the tagged PDF's structure-element ids 1, 2, 3... in their own order.

    Parameters
    ----------
    data : bytes
        A PDF written by pypdf (objects uncompressed).

    Returns
    -------
    bytes
        The same PDF, each ``(node<8 digits>)`` id replaced by its rank among them.

    Notes
    -----
    Chromium names each table header ``nodeNNNNNNNN`` from a counter that runs on
    from earlier work in the browser, so two printings of one page number them from
    different starts.  The ids only link a table cell to its headers (``/Headers``)
    and key the ``/IDTree``; ranks keep both links and the tree's sort order, and the
    replacement has the same length, so no byte offset moves.
    """
    ids = sorted(set(STRUCTURE_ID.findall(data)), key=int)
    if len(ids) >= 10**8:
        return data
    rank = {old: b"%08d" % number for number, old in enumerate(ids, 1)}
    return STRUCTURE_ID.sub(lambda match: b"(node" + rank[match.group(1)] + b")", data)


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m lehc_report.tools.pdf SRC_HTML OUT_PDF [--notebooks PDF] [--chromium PATH]``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src_html", type=Path, help="root page of the singlehtml build")
    parser.add_argument("out_pdf", type=Path, help="the report's PDF")
    parser.add_argument("--notebooks", type=Path, default=None, metavar="PDF",
                        help="also print the analysis notebooks to this PDF")
    parser.add_argument("--chromium", default=None, help="browser executable (default: $CHROMIUM, then the usual paths)")
    parser.add_argument("--exit-gate", type=Path, default=None, metavar="DATA",
                        help="scan the printed PDFs for personal data (the project's privacy.yml, DATA's deny-list) "
                             "before they replace the previous ones")
    args = parser.parse_args(argv)
    if not args.src_html.is_file():
        raise SystemExit(f"{args.src_html}: no such page (build the singlehtml book first)")
    from lehc_report.tools.exit_gate import settings_for

    gate = settings_for(args.exit_gate)
    print_pdf(args.src_html, args.out_pdf, args.chromium, notebooks_pdf=args.notebooks, gate=gate)
    from pypdf import PdfReader

    for out in (args.out_pdf, args.notebooks):
        if out is not None:
            with _quiet_pypdf():
                pages = len(PdfReader(str(out)).pages)
            print(f"pdf: {out} ({pages} pages)")


if __name__ == "__main__":
    main()
