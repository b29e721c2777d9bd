"""Privacy safeguards: personal-data scan, small-cell suppression, settings.

Settings live in ``privacy.yml`` at the project root (one place).  The scan
(:func:`find_personal_data`) runs over every field of the inputs that can reach an output
(:mod:`lehc_report.inputs.personal_data`) and over every output of a build
(:mod:`lehc_report.tools.exit_gate`); a hit names the file, row and column (or the output
and the text) so the evaluator can redact the source.

Text is normalised before it is scanned (:func:`scan_form`): Unicode NFKC, accents
dropped, format characters (zero-width spaces and joiners, soft hyphens, bidirectional
controls) removed, every kind of space read as a space, digits of any script read as
0-9, and letters from other alphabets that look like Latin ones (Cyrillic ``а``, Greek
``ο``) folded to them with the Unicode confusables table (UTS #39, through the
``confusable_homoglyphs`` package).  A hit is reported as the text typed, not as
normalised.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from lehc_report.errors import PersonalDataFound

if TYPE_CHECKING:  # pandas is imported where a table is made: the Sphinx build reads the settings alone
    import pandas as pd

# ---------------------------------------------------------------------------- normalising


@functools.cache
def _confusable_to_ascii() -> dict[str, str]:
    """Non-ASCII character -> the ASCII character it is drawn like (UTS #39 prototypes)."""
    from confusable_homoglyphs.confusables import confusables_data

    folded = {}
    for char, glyphs in confusables_data.items():
        if char.isascii() or len(char) != 1:
            continue
        for glyph in glyphs:
            target = glyph["c"]
            if len(target) == 1 and target.isascii() and target.isprintable() and not target.isspace():
                # UTS #39 draws I, l and 1 as one prototype "l": keep capitals capital, so
                # that Greek "Ιan" reads "Ian".
                if target == "l" and "CAPITAL" in unicodedata.name(char, ""):
                    target = "I"
                folded[char] = target
                break
    return folded


def _scan_chars(char: str) -> str:
    """What one typed character reads as for the scan ('' when it is dropped)."""
    if char.isascii():
        return char
    category = unicodedata.category(char)
    if category == "Cf":  # zero-width space/joiner, word joiner, soft hyphen, BOM, bidi controls
        return ""
    if category == "Zs":  # no-break, narrow no-break, figure, thin, ideographic spaces
        return " "
    if category == "Nd":  # digits of any script
        return str(unicodedata.decimal(char))
    out = []
    # NFKC folds compatibility forms (fullwidth "＠", "ﬁ", superscripts); NFKD then lets
    # the accents go, so "Siân" reads "Sian" as the deny-list may spell it.
    for part in unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", char)):
        if unicodedata.category(part) == "Mn":
            continue
        if part.isascii():
            out.append(part)
        elif unicodedata.category(part) == "Zs":
            out.append(" ")
        else:
            out.append(_confusable_to_ascii().get(part, part))
    return "".join(out)


_ASCII_RUN_OR_CHAR = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]", re.DOTALL)


def scan_form(text: str) -> tuple[str, list[int]]:
    """``text`` as the scan reads it, with where each character came from.

    Unicode NFKC (compatibility forms such as fullwidth ``＠``), then accents dropped;
    format characters removed (zero-width space U+200B, zero-width non-joiner and joiner
    U+200C/D, word joiner U+2060, soft hyphen U+00AD, byte-order mark, bidirectional
    controls); every space character (no-break U+00A0, narrow no-break U+202F, figure
    space U+2007, ...) read as a plain space; decimal digits of any script read as 0-9;
    letters of other alphabets drawn like Latin ones folded to them (Unicode Technical
    Standard #39 confusables, e.g. Cyrillic ``а`` to ``a``, en dash to ``-``).

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    (str, list of int)
        The normalised text, and for each of its characters the index in ``text`` of the
        character it came from (so that a hit can be shown as it was typed).

    References
    ----------
    Unicode Standard Annex #15, *Unicode Normalization Forms*; Unicode Technical Standard
    #39, *Unicode Security Mechanisms* (confusable detection).
    """
    if text.isascii():  # the common case: nothing to fold
        return text, list(range(len(text)))
    out: list[str] = []
    origin: list[int] = []
    # Runs of ASCII are copied whole; only the other characters are mapped one by one.
    for run in _ASCII_RUN_OR_CHAR.finditer(text):
        start, piece = run.start(), run.group(0)
        if piece.isascii():
            out.append(piece)
            origin.extend(range(start, start + len(piece)))
            continue
        mapped = _scan_chars(piece)
        out.append(mapped)
        origin.extend([start] * len(mapped))
    return "".join(out), origin


def normalise_for_scan(text: str) -> str:
    """``text`` as the scan reads it (see :func:`scan_form`).

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        E.g. ``"07700\\u200b900\\u00a0123"`` -> ``"07700900 123"``, ``"Саthеrinе"`` (Cyrillic
        С, а, е) -> ``"Catherine"``.
    """
    return scan_form(text)[0]


# ---------------------------------------------------------------------------- patterns

# A number may end a sentence ("Ring me on 07700 900123."), so a full stop after it
# does not protect it; only a decimal point does ("0.00391", "7.56").  Nor may a number
# start inside another one or just after a decimal point ("0.0441 ...").
_NOT_BEFORE = r"(?<![\w+])(?<!\d[.,])"
_NOT_AFTER = r"(?![\w@])(?![.,]\d)"
#: One separator people type inside a number: space, dot, hyphen or slash (no-break and
#: zero-width spaces are spaces or nothing after :func:`scan_form`).
_SEP = r"[ ./-]"

PATTERNS = {
    "email": re.compile(r"[A-Za-z0-9._%+-]+ ?@ ?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    # UK numbers: 0, +44 or 0044 (optionally "(0)"), then the 9-10 digits of the national
    # number in groups of two or more, each group after at most one separator; a decimal
    # such as 0.0441 has a one-digit first group and is never read as one.  The digit
    # count is checked in _uk_phone_numbers.
    "uk_phone": re.compile(
        _NOT_BEFORE
        + r"(?:(?:\+|00)44" + _SEP + r"?(?:\(0\)" + _SEP + r"?)?|\(0|0)"
        + r"\d{1,5}\)?(?:" + _SEP + r"?\(?\d{2,6}\)?){1,4}"
        + _NOT_AFTER),
    # Full UK postcodes (outward and inward code), e.g. SE11 5NH, M1 1AE, in any case
    # (people type "se11 5nh"), with at most one space, dot or hyphen inside.
    "uk_postcode": re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?[ .-]?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE),
    # NHS numbers: ten digits, written 3-3-4 with a space, hyphen, dot or slash, or solid.
    "nhs_number": re.compile(_NOT_BEFORE + r"\d{3}(?P<sep>" + _SEP + r"?)\d{3}(?P=sep)\d{4}" + _NOT_AFTER),
}


#: A UK number typed digit by digit ("0 7 7 0 0 9 0 0 1 2 3"): the trunk 0 (or +44/0044)
#: and the 9 or 10 digits of the national number, each after the same one separator.  Only
#: single digits, so no decimal ("0.0441") is one, and no longer run of digits is cut into one.
_UK_PHONE_DIGIT_BY_DIGIT = re.compile(
    _NOT_BEFORE + r"(?:(?:\+|00)44(?P<sep>[ .-])(?:\(0\)(?P=sep))?|0(?P<trunk_sep>[ .-]))"
    + r"(?(sep)[1-9]|[1-9])(?:(?(sep)(?P=sep)|(?P=trunk_sep))\d){8,9}"
    + r"(?![ .-]?\d)" + _NOT_AFTER)


def _printed_digits(text: str, match: re.Match) -> bool:
    """Whether a digit-by-digit match is a list a program printed, not a number someone typed.

    An array printed in brackets ("[0 1 1 0 ...]"), a vector of zeros and ones, and ten
    different digits (the points of a 0-9 scale, or ranks, in any order) are not phone
    numbers anyone would give.
    """
    digits = re.sub(r"\D", "", match.group(0))
    bracketed = text[:match.start()].rstrip().endswith("[") or text[match.end():].lstrip().startswith("]")
    return bracketed or set(digits) <= {"0", "1"} or len(set(digits)) == 10


def _uk_phone_numbers(text: str) -> list[tuple[int, int]]:
    """Spans of ``PATTERNS["uk_phone"]`` matches with a UK national number's length (9 or
    10 digits after the trunk 0 or +44); a match with more digits is cut back group by
    group ("07700 900123 42" holds "07700 900123").  Numbers typed digit by digit
    (:data:`_UK_PHONE_DIGIT_BY_DIGIT`) are found too."""
    found = [match.span() for match in _UK_PHONE_DIGIT_BY_DIGIT.finditer(text) if not _printed_digits(text, match)]
    for match in PATTERNS["uk_phone"].finditer(text):
        typed = match.group(0)
        group_ends = [m.end() for m in re.finditer(r"\d+\)?", typed)]
        for end in reversed(group_ends):
            digits = re.sub(r"\D", "", typed[:end])
            national = digits[2:] if typed.startswith("+") else digits[4:] if typed.startswith("0044") else digits
            national = national.removeprefix("0")  # the trunk 0, or the "(0)" after +44
            if len(national) in (9, 10):
                found.append((match.start(), match.start() + end))
                break
            if len(national) < 9:
                break
    return found


def nhs_check_digit_valid(number: str) -> bool:
    """Whether a ten-digit NHS number's check digit is right (modulus 11).

    Parameters
    ----------
    number : str
        Ten digits, separators allowed ("943 476 5919").

    Returns
    -------
    bool

    References
    ----------
    NHS Digital, *NHS Number* (Data Dictionary): weights 10 to 2 on the first nine digits,
    check digit = 11 - (sum mod 11), 11 read as 0 and 10 invalid.
    """
    digits = [int(d) for d in re.sub(r"\D", "", number)]
    if len(digits) != 10:
        return False
    check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == digits[9]


@dataclass(frozen=True)
class AllowedName:
    """A name that may appear in the outputs, and on which pages only (``privacy.yml``)."""

    name: str
    #: Page file names (without folder or extension: ``index``, ``colophon``, ``references``).
    pages: tuple[str, ...]
    why: str = ""


@dataclass(frozen=True)
class PrivacySettings:
    """The settings of ``privacy.yml`` (see the comments there for why each is set so)."""

    min_group_size: int
    scan_patterns: tuple[str, ...]
    deny_list: tuple[str, ...]
    #: A quotation or profile is attributed only to a role label, and a view only to a
    #: group, shared by at least this many respondents.
    min_attribution_size: int = 2
    #: Names that may appear on some pages of the outputs only (credits, references).
    allow_names: tuple[AllowedName, ...] = ()
    #: Respondents whose full text the REFI-QDA export for the coding team may hold even
    #: though the scan finds personal data in it (never the report).
    qdpx_allow_respondents: tuple[str, ...] = field(default_factory=tuple)


COHORT_DENY_LIST = "deny_list.txt"


def read_deny_list(path: Path) -> tuple[str, ...]:
    """Names in a deny-list file.

    Parameters
    ----------
    path : Path
        A text file, one name per line; blank lines and lines starting with ``#`` are ignored.

    Returns
    -------
    tuple of str
        The names in file order; empty when the file does not exist.
    """
    if not path.is_file():
        return ()
    lines = (line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def _allowed_names(spec: list | None) -> tuple[AllowedName, ...]:
    allowed = []
    for number, entry in enumerate(spec or [], start=1):
        if not isinstance(entry, dict) or not str(entry.get("name", "")).strip() or not entry.get("pages"):
            raise ValueError(f"privacy.yml, allow_names entry {number}: give a name and the pages it may appear on "
                             "(e.g. {name: Jo Bloggs, pages: [colophon, references], why: ...})")
        pages = entry["pages"] if isinstance(entry["pages"], list) else [entry["pages"]]
        allowed.append(AllowedName(str(entry["name"]).strip(), tuple(str(p) for p in pages), str(entry.get("why", ""))))
    return tuple(allowed)


def load_settings(root: Path, data_dir: Path | None = None) -> PrivacySettings:
    """The privacy settings from ``privacy.yml``.

    Parameters
    ----------
    root : Path
        The project root, holding ``privacy.yml``.
    data_dir : Path, optional
        The cohort's data folder: its own ``deny_list.txt`` is added to the project's list.

    Returns
    -------
    PrivacySettings
        The deny-list holds the project's names then the cohort's, without repeats.

    Raises
    ------
    ValueError
        An ``allow_names`` entry without a name or pages.
    """
    spec = yaml.safe_load((Path(root) / "privacy.yml").read_text(encoding="utf-8"))
    names: tuple[str, ...] = ()
    if spec.get("deny_list"):
        names = read_deny_list(Path(root) / spec["deny_list"])
    if data_dir is not None:
        names += read_deny_list(Path(data_dir) / COHORT_DENY_LIST)
    names = tuple(dict.fromkeys(names))  # the same file may be both (DATA=data)
    qdpx = spec.get("qdpx_allow_respondents") or []
    return PrivacySettings(int(spec["min_group_size"]), tuple(spec.get("scan_patterns", PATTERNS)), names,
                           int(spec.get("min_attribution_size", 2)), _allowed_names(spec.get("allow_names")),
                           tuple(str(entry["respondent"] if isinstance(entry, dict) else entry) for entry in qdpx))


#: What may stand between the parts of a name: white space (a line break in a transcript
#: included) and hyphens or dashes ("Mary-Jane", "Mary Jane", "Mary–Jane" after folding).
_NAME_GAP = r"[\s-]+"


def _name_parts(words: str) -> list[str]:
    return [re.escape(part) for part in re.split(r"[\s-]+", words.strip()) if part]


@functools.cache
def name_pattern(name: str) -> re.Pattern:
    """A deny-listed name as a pattern, in the spellings people write it.

    "Catherine Wilton" is found as ``Catherine Wilton`` (any case, any white space or line
    break between the words), ``Catherine A. Wilton``, ``C. Wilton``, ``C Wilton``,
    ``Wilton, Catherine`` and ``Wilton, C.``; a hyphenated name ("Mary-Jane Lee") also
    with a space or dash for the hyphen and as ``M.-J. Lee`` or ``M. Lee``; a listed
    surname also when it is half of a double-barrelled one (``Wilton-Smith``).  The name
    is compared in its scan form (:func:`normalise_for_scan`), like the text.

    Parameters
    ----------
    name : str
        The name as listed ("Jo Bloggs"), forenames first.

    Returns
    -------
    re.Pattern
        Case-insensitive.
    """
    words = normalise_for_scan(name).split()
    if len(words) == 1:
        return re.compile(r"\b" + _NAME_GAP.join(_name_parts(words[0])) + r"\b", flags=re.IGNORECASE)
    forenames = _name_parts(" ".join(words[:-1]))
    surname = _NAME_GAP.join(_name_parts(words[-1]))
    full = _NAME_GAP.join(forenames)
    initials_dotted = r"\.[\s-]*".join(part[0] for part in forenames) + r"\."
    first_initial_dotted = forenames[0][0] + r"\."
    # An initial without a full stop only in capitals ("C Wilton"), so that "... is Wilton"
    # or a word ending in the letter is not read as one.
    bare_initial = "(?-i:" + forenames[0][0].upper() + ")"
    middle = r"(?:\s+[A-Za-z]\.?)?"
    spellings = [
        full + middle + r"\s+" + surname,
        "(?:" + initials_dotted + "|" + first_initial_dotted + r")\s*" + surname,
        bare_initial + r"\s+" + surname,
        surname + r"\s*,\s*(?:" + full + "|" + initials_dotted + "|" + first_initial_dotted + "|" + bare_initial + r"(?![\w.]))",
    ]
    return re.compile(r"\b(?:" + "|".join(f"(?:{s})" for s in spellings) + r")(?![\w])", flags=re.IGNORECASE)


@functools.cache
def _any_name_pattern(names: tuple[str, ...]) -> re.Pattern:
    """One pattern for every name of ``names`` (one pass over the text, not one per name)."""
    return re.compile("|".join(f"(?:{name_pattern(name).pattern})" for name in names), flags=re.IGNORECASE)


def find_personal_data(text: str, settings: PrivacySettings, *, skip_names: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Every possible piece of personal data in ``text``.

    The text is read in its scan form (:func:`scan_form`), so zero-width and no-break
    spaces, look-alike letters and fullwidth forms hide nothing; each hit is returned as
    it was typed.

    Parameters
    ----------
    text : str
        Free text from an input file, or the text of an output.
    settings : PrivacySettings
        Which patterns to scan for (``scan_patterns``) and the deny-list.
    skip_names : frozenset of str
        Deny-listed names allowed where ``text`` is (see :func:`allowed_on_page`).

    Returns
    -------
    list of (str, str)
        ``(kind, matched text)`` per hit, e.g. ``("uk phone", "07700 900123")``; empty when clean.
    """
    if not text:
        return []
    scanned, origin = scan_form(text)

    def typed(match: re.Match | tuple[int, int]) -> str:
        start, end = match if isinstance(match, tuple) else match.span()
        return text[origin[start]:origin[end - 1] + 1]

    hits = []
    for kind in settings.scan_patterns:
        if kind == "deny_list":
            names = tuple(name for name in settings.deny_list if name not in skip_names)
            if names:
                hits.extend(("name on the deny-list", typed(m)) for m in _any_name_pattern(names).finditer(scanned))
        elif kind == "email" and "@" not in scanned:
            continue  # the pattern's backtracking over long words is the scan's slowest part
        elif kind == "uk_phone":
            hits.extend(("uk phone", typed(m)) for m in _uk_phone_numbers(scanned))
        elif kind in PATTERNS:
            hits.extend((kind.replace("_", " "), typed(m)) for m in PATTERNS[kind].finditer(scanned))
    return hits


def allowed_on_page(page: str, settings: PrivacySettings) -> frozenset[str]:
    """The deny-listed names that may appear on ``page`` (``allow_names`` in ``privacy.yml``).

    Parameters
    ----------
    page : str
        An output page's file name without folder or extension (``colophon`` for
        ``html/book/colophon.html``).
    settings : PrivacySettings

    Returns
    -------
    frozenset of str
        The names as listed in the deny-list entries they lift (compared case-insensitively).
    """
    allowed = {a.name.casefold() for a in settings.allow_names if page in a.pages}
    return frozenset(name for name in settings.deny_list if name.casefold() in allowed)


def hits_text(hits: list[tuple[str, str]]) -> str:
    """Hits as one clause for a message.

    Parameters
    ----------
    hits : list of (str, str)
        From :func:`find_personal_data`.

    Returns
    -------
    str
        ``"email: 'a@b.org'; uk phone: '07700 900123'"`` (repeats dropped).
    """
    return "; ".join(f"{kind}: {text!r}" for kind, text in dict.fromkeys(hits))


def scan_table(table: pd.DataFrame, columns: list[str], file: str, settings: PrivacySettings, first_row: int = 2) -> None:
    """Stop at the first cell of ``columns`` that holds personal data.

    Parameters
    ----------
    table : DataFrame
        An input file as read, one row per data row.
    columns : list of str
        The columns to scan.
    file : str
        The file's name, for the message.
    settings : PrivacySettings
    first_row : int
        Spreadsheet row number of the table's first data row (2 below a header row).

    Raises
    ------
    PersonalDataFound
        Naming the file, row and column and every hit in the cell, so that one redaction
        pass clears it.
    """
    for column in columns:
        for offset, value in enumerate(table[column].astype(str)):
            hits = find_personal_data(value, settings)
            if hits:
                raise PersonalDataFound(
                    f"{file}, row {offset + first_row}, column {column!r}: possible personal data ({hits_text(hits)}); "
                    "redact it in the source file, then rebuild",
                    file=file, row=offset + first_row, column=column,
                )


def withheld_text(min_group_size: int) -> str:
    """What a cell shows in place of a statistic for a group below the threshold.

    Parameters
    ----------
    min_group_size : int
        The small-cell threshold of ``privacy.yml``.

    Returns
    -------
    str
        ``"withheld (n < 5)"``.
    """
    return f"withheld (n < {min_group_size})"


PRIMARY = "primary"
SECONDARY = "secondary"
#: A group's count for one outcome (a theme raised) withheld by
#: :func:`lehc_report.disclosure.disclosed_crossing`, the group's size being shown.
CROSSING = "crossing"


def suppression_plan(sizes: Mapping[str, Mapping[str, int]], settings: PrivacySettings,
                     overall: str = "overall") -> dict[tuple[str, str], str]:
    """Which groups' counts to withhold, and why.

    *Primary* suppression: a group of 1 to ``min_group_size - 1`` people.
    *Secondary* (complementary) suppression, as ONS disclosure control does it: the
    groups of a breakdown add up to the total, so one withheld group could be worked
    out by subtracting the others from it.  In every breakdown with a withheld group,
    the next-smallest groups are withheld as well until at least two are withheld and
    together they hold at least ``min_group_size`` people; with two groups that means
    the breakdown is not shown at all.  If the total itself is small, everything is
    withheld.  Empty groups (n = 0) have nothing to withhold and are left out.

    Parameters
    ----------
    sizes : Mapping[str, Mapping[str, int]]
        Each breakdown (``overall`` with one group, then breakdowns whose groups together
        make up everyone, e.g. source and group) to its groups' sizes (people).
    settings : PrivacySettings
    overall : str
        The name of the breakdown that holds the total.

    Returns
    -------
    dict
        ``{(breakdown, group): "primary" | "secondary"}`` for every withheld group.

    References
    ----------
    Office for National Statistics, *Disclosure control guidance for tables produced from
    surveys*; NHS Digital, *Disclosure control method for published statistics*.
    """
    k = settings.min_group_size
    plan: dict[tuple[str, str], str] = {}
    total = sum(sizes.get(overall, {}).values())
    everything_small = 0 < total < k
    for breakdown, groups in sizes.items():
        present = {g: n for g, n in groups.items() if n > 0}
        withheld = {g for g, n in present.items() if n < k or everything_small}
        for g in withheld:
            plan[(breakdown, g)] = PRIMARY
        if breakdown == overall or not withheld:
            continue
        for g in sorted(set(present) - withheld, key=lambda g: (present[g], g)):
            if len(withheld) >= 2 and sum(present[w] for w in withheld) >= k:
                break
            withheld.add(g)
            plan[(breakdown, g)] = SECONDARY
    return plan


def suppression_note(reason: str, settings: PrivacySettings) -> str:
    """Why a cell is withheld, for a table's ``suppressed`` column.

    Parameters
    ----------
    reason : str
        ``"primary"``, ``"secondary"``, ``"crossing"`` or ``""`` (from
        :func:`suppression_plan` and :func:`suppress_small_cells`).
    settings : PrivacySettings

    Returns
    -------
    str
        ``"n < 5"``, ``"complement of a group with n < 5"``, ``"fewer than 5 of the group
        raised it or did not, or another group's count for it is withheld"`` or ``""``.
    """
    if reason == PRIMARY:
        return f"n < {settings.min_group_size}"
    if reason == SECONDARY:
        return f"complement of a group with n < {settings.min_group_size}"
    if reason == CROSSING:
        return (f"fewer than {settings.min_group_size} of the group raised it or did not, "
                "or another group's count for it is withheld")
    return ""


def suppress_small_cells(table: pd.DataFrame, settings: PrivacySettings, n_column: str = "n",
                         value_columns: tuple[str, ...] = ("count", "share"),
                         plan: Mapping[tuple[str, str], str] | None = None,
                         crossed_breakdowns: tuple[str, ...] = ("group",)) -> pd.DataFrame:
    """A publishable copy of a long table of counts.

    Where a group's size is below the threshold (or the ``plan`` withholds it), the value
    columns *and the group's size* are blanked, since the size alone is a count of a
    group.  Where a group of ``crossed_breakdowns`` (a personal or role characteristic)
    is shown, its count for each outcome (``id``) passes
    :func:`lehc_report.disclosure.disclosed_crossing`, and the value columns are blanked
    where that withholds it.  A ``suppressed`` column says why.

    Parameters
    ----------
    table : DataFrame
        One row per group (and theme), with the group size in ``n_column`` and, when
        ``plan`` is given, ``breakdown``, ``subgroup`` and ``id`` (the outcome) columns.
    settings : PrivacySettings
    n_column : str
        The column holding the group's size (people).
    value_columns : tuple of str
        The columns to blank (counts as Int64, shares as Float64).
    plan : Mapping, optional
        From :func:`suppression_plan`, for secondary suppression and the crossings.
    crossed_breakdowns : tuple of str
        The breakdowns whose groups are people sharing a personal or role characteristic
        (not the data's sources), crossed with each outcome.

    Returns
    -------
    DataFrame
        A copy of ``table`` with blanked cells and a ``suppressed`` column of notes.
    """
    import pandas as pd

    reasons = pd.Series("", index=table.index, dtype=object)
    reasons[table[n_column] < settings.min_group_size] = PRIMARY
    if plan is not None:
        planned = [plan.get((b, g), "") for b, g in zip(table["breakdown"], table["subgroup"])]
        planned = pd.Series(planned, index=table.index, dtype=object)
        reasons = planned.where(planned != "", reasons)
        reasons[table[n_column] == 0] = ""  # an empty group has nothing to withhold
        from lehc_report.disclosure import disclosed_crossing  # the disclosure rule builds on this module

        crossed = table[table["breakdown"].isin(crossed_breakdowns)]
        for _, rows in crossed.groupby(["id", "breakdown"], sort=False):
            withheld = {g for g, r in zip(rows["subgroup"], reasons[rows.index]) if r}
            shown = disclosed_crossing(dict(zip(rows["subgroup"], rows["count"])), dict(zip(rows["subgroup"], rows[n_column])),
                                       settings, withheld)
            for index, group in zip(rows.index, rows["subgroup"]):
                if shown[group] is None and not reasons[index]:
                    reasons[index] = CROSSING
    small = reasons != ""
    safe = table.copy()
    for column in value_columns:
        values = safe[column]
        values = values.astype("Int64" if pd.api.types.is_integer_dtype(values) else "Float64")
        safe[column] = values.mask(small)
    safe[n_column] = safe[n_column].astype("Int64").mask(reasons.isin([PRIMARY, SECONDARY]))
    safe["suppressed"] = reasons.map(lambda r: suppression_note(r, settings))
    return safe
