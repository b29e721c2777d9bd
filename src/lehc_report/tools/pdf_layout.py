"""Measure the printed report's layout in the PDF itself (pdfplumber).

    python -m lehc_report.tools.pdf_layout _build/pdf/book.pdf

What a stakeholder's print check looks at, as numbers: the body text's font size, the
characters in a line, the margins, whether figures span the text column and at what
scale, whether anything runs off the page, whether the title page carries a running
header, and how full each page is.  ``tests/test_layout.py`` turns them into tests; the
command line prints them.

The CSS asks for sizes; Chromium may print them otherwise (it shrank the whole report to
two-thirds when one element was wider than the page), so only the PDF is evidence.
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass, field
from pathlib import Path

#: Points in a millimetre.
PT_PER_MM = 72 / 25.4
#: A4 in points (ISO 216: 210 x 297 mm).
A4_PT = (210 * PT_PER_MM, 297 * PT_PER_MM)
#: The figures' PNG resolution (``lehc_report.render.outputs.save_figure``).
FIGURE_DPI = 150
#: Two sizes are the same size within this many points (PDF sizes are floats).
SIZE_TOLERANCE_PT = 0.25
#: A line of body text counts as a full line (not a paragraph's last line, a list item
#: or a heading) when it spans at least this share of the text column.
FULL_LINE_SHARE = 0.85
#: Smallest font size of a chapter's title (pt).
CHAPTER_HEADING_PT = 18.0


@dataclass
class PageLayout:
    """What one PDF page holds, in points from its top-left corner.

    Attributes
    ----------
    number : int
        1-based page number.
    width, height : float
        Page size (pt).
    content_top, content_bottom : float or None
        Top of the highest and bottom of the lowest text or image in the body area
        (between the running header and the footer); None on an empty page.
    content_left, content_right : float or None
        Leftmost and rightmost edge of any character or image of the body area.
    drawn_left, drawn_right : float or None
        The same, with drawn rectangles and lines (table rules, box backgrounds) too.
    header_text : str
        Text in the top margin (the running header).
    chapter_start : bool
        A chapter starts on this page: it holds a heading of at least
        :data:`CHAPTER_HEADING_PT` (``print.css`` sets chapter titles in 20 pt, the
        title page's in 26 pt, sections in 14 pt or less).
    """

    number: int
    width: float
    height: float
    content_top: float | None
    content_bottom: float | None
    content_left: float | None
    content_right: float | None
    drawn_left: float | None
    drawn_right: float | None
    header_text: str
    chapter_start: bool = False


@dataclass
class FigurePlacement:
    """One raster image as printed.

    Attributes
    ----------
    page : int
        1-based page.
    x0, x1 : float
        Left and right edge on the page (pt).
    width_pt : float
        Printed width (pt).
    pixels : int
        The image's width in pixels.
    print_scale : float
        Printed width over the width the image was drawn at (``pixels`` at
        :data:`FIGURE_DPI`): a figure's font size times this is its size on paper.
    """

    page: int
    x0: float
    x1: float
    width_pt: float
    pixels: int
    print_scale: float


@dataclass
class LayoutReport:
    """The measured layout of a PDF (see :func:`measure`).

    Attributes
    ----------
    body_font_pt : float
        Median font size of every character in the body areas of all pages (pt).
    chars_per_line : float
        Median number of characters (spaces included) in a full line of body text.
    full_lines : int
        How many lines that median is taken over.
    margins_mm : dict
        ``left``, ``right``, ``top``, ``bottom``: the smallest distance from any content
        of the body area to the page edge over all pages (mm).
    text_width_pt : float
        Width of the text column: the page width less the left and right margins as
        requested (``margins``), in points.
    pages : list of PageLayout
    figures : list of FigurePlacement
    """

    body_font_pt: float
    chars_per_line: float
    full_lines: int
    margins_mm: dict[str, float]
    text_width_pt: float
    pages: list[PageLayout] = field(default_factory=list)
    figures: list[FigurePlacement] = field(default_factory=list)

    def fill(self, page: PageLayout, margins_mm: dict[str, float]) -> float:
        """Share of the body area's height that ``page``'s content spans, 0 to 1.

        Parameters
        ----------
        page : PageLayout
        margins_mm : dict
            The requested margins (mm): ``top`` and ``bottom``.

        Returns
        -------
        float
            0 for an empty page.
        """
        if page.content_bottom is None:
            return 0.0
        top = margins_mm["top"] * PT_PER_MM
        body = page.height - top - margins_mm["bottom"] * PT_PER_MM
        return max(0.0, min(1.0, (page.content_bottom - top) / body))

    def chapter_ends(self) -> set[int]:
        """Pages on which a chapter ends: the page before each chapter's start, and the last.

        Returns
        -------
        set of int
            1-based page numbers.
        """
        starts = {page.number for page in self.pages if page.chapter_start}
        return {number - 1 for number in starts if number > 1} | {len(self.pages)}


def measure(path: Path, margins_mm: dict[str, float]) -> LayoutReport:
    """Measure the layout of the PDF at ``path``.

    Parameters
    ----------
    path : Path
        A PDF printed by :mod:`lehc_report.tools.pdf`.
    margins_mm : dict
        The page margins the stylesheet asks for, in mm (``top``, ``right``, ``bottom``,
        ``left``): text above the top margin is the running header, below the bottom
        one the footer; neither counts as body text.

    Returns
    -------
    LayoutReport

    Notes
    -----
    Font sizes are pdfminer's (via pdfplumber): the size of the font times the text
    matrix's vertical scale, i.e. the size on paper.  Lines are pdfplumber's
    ``extract_text_lines`` (characters on one baseline, spaces inserted by gap).
    """
    import pdfplumber

    top_pt, bottom_pt = margins_mm["top"] * PT_PER_MM, margins_mm["bottom"] * PT_PER_MM
    sizes: list[float] = []
    line_texts: list[tuple[float, float, str, float]] = []  # (width, size, text, page width)
    pages: list[PageLayout] = []
    figures: list[FigurePlacement] = []
    with pdfplumber.open(str(path)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            width, height = float(page.width), float(page.height)

            def in_body(obj, height=height):
                return obj["top"] >= top_pt - 1 and obj["bottom"] <= height - bottom_pt + 1

            chars = [c for c in page.chars if c["text"].strip()]
            body_chars = [c for c in chars if in_body(c)]
            header = "".join(c["text"] for c in chars if c["bottom"] < top_pt - 1)
            sizes.extend(round(float(c["size"]), 2) for c in body_chars)
            for line in page.extract_text_lines(strip=True, return_chars=True):
                line_chars = [c for c in line["chars"] if c["text"].strip()]
                if not line_chars or not in_body(line):
                    continue
                line_size = statistics.median(float(c["size"]) for c in line_chars)
                line_texts.append((float(line["x1"] - line["x0"]), line_size, line["text"], width))
            images = [im for im in page.images if in_body(im)]
            graphics = [g for g in (*page.rects, *page.lines) if in_body(g) and g["x1"] - g["x0"] < width]
            boxes = [*body_chars, *images, *graphics]
            ink = [*body_chars, *images]
            pages.append(PageLayout(
                number=number, width=width, height=height,
                content_top=min((float(o["top"]) for o in ink), default=None),
                content_bottom=max((float(o["bottom"]) for o in ink), default=None),
                content_left=min((float(o["x0"]) for o in ink), default=None),
                content_right=max((float(o["x1"]) for o in ink), default=None),
                drawn_left=min((float(o["x0"]) for o in boxes), default=None),
                drawn_right=max((float(o["x1"]) for o in boxes), default=None),
                header_text=header,
                chapter_start=any(float(c["size"]) >= CHAPTER_HEADING_PT for c in body_chars),
            ))
            for image in images:
                pixels = int(image["srcsize"][0])
                drawn = pixels / FIGURE_DPI * 72
                printed = float(image["x1"] - image["x0"])
                figures.append(FigurePlacement(number, float(image["x0"]), float(image["x1"]), printed, pixels,
                                               printed / drawn if drawn else 0.0))
    body = statistics.median(sizes) if sizes else 0.0
    page_width = pages[0].width if pages else A4_PT[0]
    text_width = page_width - (margins_mm["left"] + margins_mm["right"]) * PT_PER_MM
    full = [len(text) for line_width, size, text, _ in line_texts
            if abs(size - body) <= SIZE_TOLERANCE_PT and line_width >= FULL_LINE_SHARE * text_width]
    with_content = [p for p in pages if p.content_left is not None]
    measured = {
        "left": min((p.content_left for p in with_content), default=0.0) / PT_PER_MM,
        "right": min((p.width - p.content_right for p in with_content), default=0.0) / PT_PER_MM,
        "top": min((p.content_top for p in with_content), default=0.0) / PT_PER_MM,
        "bottom": min((p.height - p.content_bottom for p in with_content), default=0.0) / PT_PER_MM,
    }
    return LayoutReport(body_font_pt=body, chars_per_line=statistics.median(full) if full else 0.0,
                        full_lines=len(full), margins_mm=measured, text_width_pt=text_width,
                        pages=pages, figures=figures)


def main(argv: list[str] | None = None) -> None:
    """Command line: print the measurements of a PDF.

    Parameters
    ----------
    argv : list of str, optional
        ``PDF [--margins TOP RIGHT BOTTOM LEFT]`` (mm; default the stylesheet's).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--margins", nargs=4, type=float, metavar=("TOP", "RIGHT", "BOTTOM", "LEFT"),
                        default=list(PRINT_MARGINS_MM.values()))
    args = parser.parse_args(argv)
    margins = dict(zip(("top", "right", "bottom", "left"), args.margins))
    report = measure(args.pdf, margins)
    print(f"{args.pdf}: {len(report.pages)} pages")
    print(f"  body font: median {report.body_font_pt:.2f} pt")
    print(f"  characters a full line: median {report.chars_per_line:.0f} over {report.full_lines} lines")
    print("  margins (smallest, mm): " + ", ".join(f"{k} {v:.1f}" for k, v in report.margins_mm.items()))
    print(f"  text column: {report.text_width_pt / PT_PER_MM:.1f} mm")
    ends = report.chapter_ends()
    for page in report.pages:
        fill = report.fill(page, margins)
        flag = " (chapter end)" if page.number in ends else ""
        print(f"  page {page.number:3d}: {fill:4.0%} full{flag}{' CHAPTER' if page.chapter_start else ''}"
              f"{'  header: ' + page.header_text[:40] if page.header_text else ''}")
    for fig in report.figures:
        print(f"  figure p{fig.page}: {fig.width_pt / PT_PER_MM:.1f} mm wide, print scale {fig.print_scale:.2f}")


#: The page margins ``book/_static/print.css`` asks for, in mm.
PRINT_MARGINS_MM = {"top": 20.0, "right": 25.0, "bottom": 20.0, "left": 25.0}


if __name__ == "__main__":
    main()
