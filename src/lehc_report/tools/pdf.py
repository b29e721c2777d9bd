"""Print the report to PDF with headless Chromium, offline.

    python -m lehc_report.tools.pdf SRC_HTML OUT_PDF [--chromium /usr/bin/chromium]

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
the second, final printing.  Nothing is fetched from the network: every request
that is not for a local file is refused.

``OUT_PDF`` is written through a temporary file in the same folder, so a failed
printing leaves an earlier PDF in place.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

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

HEADER_TEMPLATE = (
    '<div style="font-family: DejaVu Sans, sans-serif; font-size: 7px; color: #666; '
    'width: 100%; margin: 0 15mm; text-align: right;"><span>{title}</span></div>'
)
FOOTER_TEMPLATE = (
    '<div style="font-family: DejaVu Sans, sans-serif; font-size: 8px; color: #444; '
    'width: 100%; text-align: center;">'
    'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)
MARGINS = {"top": "16mm", "bottom": "16mm", "left": "15mm", "right": "15mm"}


def find_chromium(explicit: str | None = None) -> str:
    """The browser to drive: ``explicit``, else ``$CHROMIUM``, else the first candidate found."""
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


def printable_source(src: Path) -> Path:
    """The page to open, relocated next to its ``_static`` folder if need be.

    Sphinx's ``singlehtml`` builder writes a root document that lives in a
    sub-folder (``book/index.html``) with links relative to the build's top folder
    (``_static/…``, ``_images/…``), so opened where it is, it has no styles and no
    images.  A copy at the top of the build resolves every link as intended.
    """
    src = src.resolve()
    text = src.read_text(encoding="utf-8")
    match = re.search(r'(?:href|src)="(_static/[^"?#]+)', text)
    if match is None or (src.parent / match.group(1)).exists():
        return src
    for folder in src.parents:
        if (folder / match.group(1)).exists():
            copy = folder / "_pdf_root.html"
            copy.write_text(text, encoding="utf-8")
            return copy
    raise SystemExit(f"{src}: cannot find the folder holding {match.group(1)}")


# Run in the page before printing.  Returns the running-header title.
PREPARE_JS = r"""
() => {
  const article = document.querySelector('article.bd-article');
  const root = article.querySelector(':scope > section');
  const h1 = root.querySelector(':scope > h1');
  const title = h1.textContent.replace(/#\s*$/, '').trim();

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
  return title;
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


def _named_destination_pages(pdf_path: Path) -> dict[str, int]:
    """1-based page of every named destination (every linked ``#anchor``) in a PDF."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf_path))
    pages: dict[str, int] = {}
    for name, dest in reader.named_destinations.items():
        try:
            page = reader.get_destination_page_number(dest) + 1
        except Exception:  # noqa: BLE001 - a destination without a page: leave it out
            continue
        # Chromium names each destination after the element id, as a PDF name ("/id").
        pages[str(name)[1:] if str(name).startswith("/") else str(name)] = page
    return pages


def print_pdf(src_html: Path, out_pdf: Path, chromium: str | None = None) -> Path:
    from playwright.sync_api import sync_playwright

    executable = find_chromium(chromium)
    page_file = printable_source(Path(src_html))
    out_pdf = Path(out_pdf)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    refused: list[str] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True)
            page = context.new_page()

            def offline_only(route):
                if route.request.url.startswith(("file:", "data:", "blob:", "about:")):
                    route.continue_()
                else:
                    refused.append(route.request.url)
                    route.abort()

            page.route("**/*", offline_only)
            page.goto(page_file.as_uri(), wait_until="load")
            page.emulate_media(media="print")
            page.evaluate("document.fonts.ready.then(() => true)")
            broken = page.evaluate(
                "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
                ".map(i => i.getAttribute('src'))"
            )
            if broken:
                raise SystemExit(f"{page_file}: images did not load: {broken}")
            title = page.evaluate(PREPARE_JS)
            options = dict(
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template=HEADER_TEMPLATE.format(title=_escape(title)),
                footer_template=FOOTER_TEMPLATE,
                margin=MARGINS,
                outline=True,
                tagged=True,
            )
            with tempfile.TemporaryDirectory(dir=out_pdf.parent) as tmp:
                first = Path(tmp) / "first.pdf"
                page.pdf(path=str(first), **options)
                page.evaluate(FILL_TOC_JS, _named_destination_pages(first))
                final = Path(tmp) / "final.pdf"
                page.pdf(path=str(final), **options)
                os.replace(final, out_pdf)
        finally:
            browser.close()
            if page_file != Path(src_html).resolve():
                page_file.unlink(missing_ok=True)
    if refused:
        print(f"pdf: refused {len(refused)} off-host request(s): {sorted(set(refused))}", file=sys.stderr)
    return out_pdf


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src_html", type=Path, help="root page of the singlehtml build")
    parser.add_argument("out_pdf", type=Path)
    parser.add_argument("--chromium", default=None, help="browser executable (default: $CHROMIUM, then the usual paths)")
    args = parser.parse_args(argv)
    if not args.src_html.is_file():
        raise SystemExit(f"{args.src_html}: no such page (build the singlehtml book first)")
    out = print_pdf(args.src_html, args.out_pdf, args.chromium)
    from pypdf import PdfReader

    print(f"pdf: {out} ({len(PdfReader(str(out)).pages)} pages)")


if __name__ == "__main__":
    main()
