"""An editor's check of the built chapters: patterns that mark prose as machine-made.

The report's sentences are composed by the package from counts and statistics; a count
of zero, a total equal to its part or a missing value can leave "38 of the 38", "(0 took
part ...)", "nan" or "findings?." on a page.  :func:`check_page` reads the HTML of one
built chapter and returns every such place, so a test can fail on it for any cohort.
Respondents' own words (block quotations) are excepted: they are quoted as written.

The rules follow ordinary house style for reports (e.g. the *Guardian and Observer
style guide* and the APA's *Publication Manual*, 7th ed., §6.32: numbers that open a
sentence are written in words, and small counts in words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from lehc_report.prose.words import NUMBER_WORDS

#: Counts written in words or digits, for "N of the N".
_COUNT = r"\d+|" + "|".join(word for word in NUMBER_WORDS.values() if word != "no")
#: Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = ("e.g.", "i.e.", "cf.", "vs.", "etc.", "approx.", "p.", "pp.", "no.", "Fig.", "et al.")

#: Rule name -> (pattern, what it means).  Each is searched in the page's text (tables
#: included); the sentence and heading rules below need the structure and are separate.
TEXT_RULES: dict[str, tuple[re.Pattern, str]] = {
    "same count": (re.compile(rf"\b({_COUNT}) of (?:the )?\1\b", re.I),
                   "a count out of an equal total: write 'all N ...' (or 'both', 'the one')"),
    "doubled punctuation": (re.compile(r"(?<!\.)(?:[?!][.:;,?]|[,;:][.,;:]|\.[,;:?]|\.\.(?!\.))|\.\.\.[.:;,?]"),
                            "two marks where one belongs (e.g. '?.', '?:', '..', ',.')"),
    "literal Markdown": (re.compile(r"\*\*|(?<![\w*])\*[^\s*][^*]*\*(?![\w*])|(?<![\w/\\])_[^\s_][^_]*_(?![\w/\\])"),
                         "Markdown emphasis printed as asterisks or underscores"),
    "nan": (re.compile(r"\b(?:nan|NaT)\b|<NA>", re.I), "a missing value printed as 'nan'"),
    "bare None": (re.compile(r"\bNone\b(?! [a-z])"), "a missing value printed as 'None'"),
    "not available": (re.compile(r"\bnot available\b", re.I), "a 'not available' placeholder in place of a statement"),
    "zero in parentheses": (re.compile(r"\(0 [A-Za-z]"), "a count of zero in digits: say 'no one' or leave the clause out"),
    "repeated word": (re.compile(r"\b([A-Za-z]{3,})(?:,| ) ?\1\b", re.I), "the same word twice in a row (e.g. 'exact, exact')"),
}

#: Software talk: file names, make targets and programming terms in a chapter a stakeholder
#: reads.  They belong to the notebooks and to the data chapter (:data:`SOFTWARE_PAGES`).
SOFTWARE_TALK = re.compile(r"\bmake (?:book|pdf|test|qdpx|docx|lab|verify)\b|\b[\w-]+\.(?:ya?ml|csv|py|json|md)\b|"
                           r"\bthe pipeline\b|\bPython\b|\bJupyter\b|\bREADME\b")
#: The pages where the files and commands behind the report are described on purpose.
SOFTWARE_PAGES = frozenset({"book/data.html"})

#: Rules for running text only (paragraphs, list items, captions): a table's column of
#: "k of n" counts keeps one form, "19 of 19" among "18 of 19", as a reader expects.
RUNNING_TEXT_ONLY = frozenset({"same count"})

#: The elements whose text is checked: paragraphs, list items, captions, table cells, headings.
_BLOCKS = ["p", "li", "figcaption", "caption", "dt", "dd", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"]

#: What a sentence under a heading says when there is nothing to report: "no follow-up ...
#: so no comparison ... is possible", "nothing to report here", "there are no profiles".
_NOTHING_SAID = re.compile(r"\b(?:no|not|nothing)\b.*\b(?:possible|to report|reported|available|shown|known|"
                           r"exists?|there (?:is|are) no)\b|\bthere (?:is|are) no\b|\bnothing to\b", re.I)


@dataclass(frozen=True)
class StyleProblem:
    """One place in a built page that an editor would send back.

    Attributes
    ----------
    page : str
        The page, relative to the HTML folder (``book/methodology.html``).
    rule : str
        The rule broken (a key of :data:`TEXT_RULES`, "sentence opens with a digit" or
        "empty heading").
    excerpt : str
        The words around the place, as shown on the page.
    """

    page: str
    rule: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.page}: {self.rule}: ...{self.excerpt}..."


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def article_of(html: str) -> Tag:
    """The chapter's own content: the article body, without quotations, code or Sphinx furniture.

    Parameters
    ----------
    html : str
        One page of the built HTML (Jupyter Book 1.x, pydata-sphinx-theme).

    Returns
    -------
    bs4.Tag
        The ``<article>`` (else ``<main>``, else ``<body>``) with block quotations
        (respondents' words), scripts, styles, code, section-number labels,
        permalinks ("#") and MathJax removed.
    """
    soup = BeautifulSoup(html, "lxml")
    article = soup.find("article") or soup.find("main") or soup.body or soup
    for selector in ("blockquote", "script", "style", "pre", "code", "a.headerlink", "span.section-number",
                     "span.caption-number", "math", "div.math", "span.math", "mjx-container", ".cell_input"):
        for element in article.select(selector):
            element.decompose()
    return article


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences at a full stop, question or exclamation mark and a space.

    Parameters
    ----------
    paragraph : str
        Running text, whitespace collapsed.

    Returns
    -------
    list of str
        The sentences in order; a stop after a common abbreviation ("e.g.") or a
        single capital (an initial) does not end one.
    """
    parts, start = [], 0
    for match in re.finditer(r"[.?!][)\u201d\u2019\"']?\s+(?=\S)", paragraph):
        before = paragraph[start:match.start() + 1]
        if before.endswith(_ABBREVIATIONS) or re.search(r"(?:^|\s)[A-Z]\.$", before):
            continue
        parts.append(paragraph[start:match.end()].strip())
        start = match.end()
    if paragraph[start:].strip():
        parts.append(paragraph[start:].strip())
    return parts


def _excerpt(text: str, start: int, end: int, width: int = 40) -> str:
    return text[max(0, start - width):end + width]


def check_text(text: str, page: str = "", rules: set[str] | frozenset[str] | None = None) -> list[StyleProblem]:
    """The :data:`TEXT_RULES` broken in a piece of text.

    Parameters
    ----------
    text : str
        Page text (tables included), whitespace collapsed.
    page : str
        The page's name, for the report.
    rules : set of str, optional
        The rules to apply (default all of :data:`TEXT_RULES`).

    Returns
    -------
    list of StyleProblem
        One per match, in the order of :data:`TEXT_RULES`.
    """
    return [StyleProblem(page, rule, _excerpt(text, m.start(), m.end()))
            for rule, (pattern, _) in TEXT_RULES.items() if rules is None or rule in rules
            for m in pattern.finditer(text)]


def check_sentences(paragraph: str, page: str = "") -> list[StyleProblem]:
    """Sentences of a paragraph that open with a digit ("9 did so at the start").

    Parameters
    ----------
    paragraph : str
        One paragraph or list item of running text, whitespace collapsed.
    page : str
        The page's name, for the report.

    Returns
    -------
    list of StyleProblem
        One per sentence that starts with a digit (after any opening bracket or quote).
    """
    return [StyleProblem(page, "sentence opens with a digit", sentence[:80])
            for sentence in sentences(paragraph) if re.match(r"[(\"'\u201c\u2018]?\d", sentence)]


def check_headings(article: Tag, page: str = "") -> list[StyleProblem]:
    """Sections whose only content is one sentence saying there is nothing to show.

    Parameters
    ----------
    article : bs4.Tag
        The chapter's content (:func:`article_of`).
    page : str
        The page's name, for the report.

    Returns
    -------
    list of StyleProblem
        One per ``<section>`` below the chapter's title that holds only paragraphs (no
        table, figure or subsection) and opens with a one-sentence paragraph saying there
        is nothing to show (e.g. "After the course" over "This cohort has no follow-up
        self-assessment, so no comparison ... is possible."): its heading and the
        sentence.  Such a sentence belongs in the text around it, not under a heading.
    """
    problems = []
    for section in article.find_all("section"):
        heading = section.find(re.compile(r"^h[2-6]$"), recursive=False)
        if heading is None:
            continue
        rest = [child for child in section.children if isinstance(child, Tag) and child is not heading]
        if not rest or rest[0].name != "p" or section.find(["section", "table", "figure", "img"]):
            continue
        first = _clean(rest[0].get_text(" "))
        if len(sentences(first)) == 1 and _NOTHING_SAID.search(first):
            problems.append(StyleProblem(page, "empty heading", f"{_clean(heading.get_text(' '))}: {first[:80]}"))
    return problems


def check_page(html: str, page: str = "") -> list[StyleProblem]:
    """Everything an editor would send back on one built page.

    Parameters
    ----------
    html : str
        The page's HTML.
    page : str
        The page's name, for the report.

    Returns
    -------
    list of StyleProblem
        The text rules over the chapter's whole text (tables and captions included),
        :data:`RUNNING_TEXT_ONLY` and the sentence rule over its paragraphs, list items
        and captions, and the heading rule;
        block quotations (respondents' words) are not checked.
    """
    article = article_of(html)
    problems = []
    for block in article.find_all(_BLOCKS):
        if block.find(_BLOCKS):  # a list item or cell holding paragraphs: the paragraphs are checked
            continue
        # Inline elements (links, emphasis) join without a space, as the reader sees them: "findings?." stays one.
        text = _clean(block.get_text(""))
        problems += check_text(text, page, set(TEXT_RULES) - RUNNING_TEXT_ONLY)
        if block.name not in ("td", "th") and not block.find_parent(["table"]):  # a table cell is not running text
            problems += check_text(text, page, RUNNING_TEXT_ONLY) + check_sentences(text, page)
    if page not in SOFTWARE_PAGES:
        for block in article.find_all(_BLOCKS):
            if block.find(_BLOCKS):
                continue
            problems += [StyleProblem(page, "software talk", _excerpt(text, match.start(), match.end()))
                         for text in [_clean(block.get_text(""))] for match in SOFTWARE_TALK.finditer(text)]
    return problems + check_headings(article, page)


def check_build(html_folder: Path, pattern: str = "book/*.html") -> list[StyleProblem]:
    """Every problem on the built chapters of one build.

    Parameters
    ----------
    html_folder : pathlib.Path
        The build's ``html`` folder (``$(BUILD)/html``).
    pattern : str
        Which pages, relative to it (default: every chapter of ``book/``).

    Returns
    -------
    list of StyleProblem
        In page order.

    Raises
    ------
    FileNotFoundError
        If no page matches (the book has not been built there).
    """
    pages = sorted(Path(html_folder).glob(pattern))
    if not pages:
        raise FileNotFoundError(f"no page {pattern} in {html_folder}: build the book first")
    return [problem for path in pages
            for problem in check_page(path.read_text(encoding="utf-8"), path.relative_to(html_folder).as_posix())]


def main(argv: list[str] | None = None) -> int:
    """Print every problem of a build's chapters: ``python -m lehc_report.prose.style HTML_FOLDER``.

    Parameters
    ----------
    argv : list of str, optional
        The HTML folder (default ``_build/html``).

    Returns
    -------
    int
        1 if any problem was found, else 0.
    """
    import sys

    argv = sys.argv[1:] if argv is None else argv
    problems = check_build(Path(argv[0] if argv else "_build/html"))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
