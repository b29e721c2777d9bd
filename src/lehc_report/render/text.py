"""Data is text: the one path by which a value from a data file reaches a page or a spreadsheet.

Everything in a cohort's files (answers, passages, role labels, code and theme names,
framework labels, programme names, file names, IDs) is untrusted text typed by someone
else.  :func:`myst_literal` makes such a string inert wherever a MyST snippet embeds
it: no Markdown, HTML, role, directive, substitution or maths can come out of it, and
bidirectional controls cannot reorder the page.  :func:`spreadsheet_safe` does the same
for a text cell of a CSV that a spreadsheet would otherwise run as a formula.
"""

from __future__ import annotations

import re

#: Bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069):
#: an unmatched one reverses the rest of its paragraph, so a passage could make the text
#: after it read backwards (Unicode TR9; the "Trojan Source" attack, CVE-2021-42574).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

#: Line and paragraph breaks: in MyST a break inside embedded text could start a block
#: (a fenced ``{raw}`` directive, an HTML block, a list, a heading), so text stays on one line.
LINE_BREAKS = re.compile(r"\r\n|[\r\n\t\v\f\x85\u2028\u2029]")

#: Other C0/C1 control characters: not text, and some (NUL) are not allowed in HTML.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")

#: ASCII punctuation that opens inline markup anywhere in a MyST line: emphasis (``*``, ``_``),
#: code and roles (`` ` ``, ``{...}``), substitutions (``{{``), links and images (``[``, ``]``,
#: ``!``), raw HTML and autolinks (``<``, ``>``), entities (``&``), maths (``$``), table cells
#: (``|``), strike-through and footnotes (``~``, ``^``), a heading's closing ``#`` and the escape itself (``\\``).
#: CommonMark lets any ASCII punctuation be backslash-escaped, which yields the character itself.
INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]<>!|$&~^#])")

#: What a line may start with to open a block (heading, list, quote, setext rule, MyST comment,
#: colon fence, definition, ``(target)=``, block break): escaped when embedded text starts the line.
BLOCK_START = re.compile(r"^([=%:(]|[+\-](?=[\s+\-]|$)|\d{1,9}[.)](?=\s|$))")

#: Cells a spreadsheet would run as a formula or command (OWASP, "CSV Injection"): those
#: beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: A number as this project writes one ("-0.38", "+1.75", "1e-05", "-inf"): never altered.
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|nan)$", re.IGNORECASE)


def plain_text(text: object) -> str:
    """Data text as one line of characters a reader can see, with nothing that reorders it.

    Parameters
    ----------
    text : object
        Any value; ``str(text)`` is used.

    Returns
    -------
    str
        Line breaks and tabs as single spaces, bidirectional controls (U+202A-U+202E,
        U+2066-U+2069) and other control characters removed.  Zero-width characters
        (U+200B-U+200D, U+2060) are kept: they are shown as typed.
    """
    text = LINE_BREAKS.sub(" ", str(text))
    text = BIDI_CONTROLS.sub("", text)
    return CONTROL_CHARACTERS.sub("", text)


def myst_literal(text: object) -> str:
    """A data value made inert for embedding in MyST source: it reads exactly as typed.

    Every ASCII character that can open inline markup is backslash-escaped (CommonMark's
    escape, which MyST keeps), so ``<script>``, ``{raw}``, ``{eval-rst}``, roles,
    ``{{ substitutions }}``, links, images, ``javascript:`` URLs, ``$maths$`` and ``|``
    become their own characters.  A leading character that would open a block (``#``,
    ``-``, ``>``, ``1.``...) is escaped too, and line breaks become spaces, so the text
    cannot leave the line or table cell it is put in.

    Parameters
    ----------
    text : object
        Any value from a data file; ``str(text)`` is used.

    Returns
    -------
    str
        MyST inline source that renders as :func:`plain_text` of ``text``.

    Notes
    -----
    CommonMark 0.31, section 2.4 (backslash escapes); MyST-Parser's roles, directives and
    substitutions all start with a character escaped here (`` ` ``, ``{``, ``:`` only at a
    line start).
    """
    # Outer spaces dropped: HTML does not show them, and four at a line start would make a code block.
    escaped = INLINE_SPECIAL.sub(r"\\\1", plain_text(text).strip(" "))
    match = BLOCK_START.match(escaped)
    if match:
        opener = match.group(1)
        escaped = opener[:-1] + "\\" + opener[-1] + escaped[len(opener):]
    return escaped


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that no spreadsheet will run: text starting with a formula character is quoted.

    Parameters
    ----------
    value : object
        One cell.  Numbers (int, float, numpy numbers), missing values and text that is a
        number ("-0.38") are returned unchanged.

    Returns
    -------
    object
        ``value``, or for text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
        return, the text with a single quote in front (``'=HYPERLINK(...)``), which
        spreadsheets show as text and never evaluate.

    Notes
    -----
    OWASP, "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection).
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.match(value):
        return "'" + value
    return value


#: The longest data label a figure draws; longer ones end in an ellipsis.  A label of
#: 10,000 characters would make an image wider than Matplotlib can save (2**16 pixels).
FIGURE_LABEL_LIMIT = 80


def figure_label(text: object, limit: int = FIGURE_LABEL_LIMIT) -> str:
    """A data label (area, behaviour, theme or code name) as a figure draws it.

    Parameters
    ----------
    text : object
        The label from a data file.
    limit : int
        The most characters drawn.

    Returns
    -------
    str
        :func:`plain_text` of ``text``, cut to ``limit`` characters with a final "…" when
        longer (the tables and text of the report give it in full).  Figures draw no
        mathtext at all (``text.parse_math`` is off in the figure modules).
    """
    label = plain_text(text)
    return label if len(label) <= limit else label[: limit - 1] + "…"
