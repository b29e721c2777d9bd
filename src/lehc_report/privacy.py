"""Privacy safeguards: personal-data scan, small-cell suppression, settings.

Settings live in ``privacy.yml`` at the project root (one place).  The scan runs
over every free-text field during cleaning and over the built HTML and PDF in the
tests; a hit names the file, row and column so the evaluator can redact the source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from lehc_report.errors import PersonalDataFound

# A number may end a sentence ("Ring me on 07700 900123."), so a full stop after it
# does not protect it; only a decimal point does ("0.00391", "7.56").
_NOT_BEFORE = r"(?<!\w)(?<!\d\.)"
_NOT_AFTER = r"(?!\w)(?!\.\d)"

PATTERNS = {
    "email": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    # UK numbers: +44 or 0, then 9-10 more digits with optional spaces/hyphens/brackets.
    "uk_phone": re.compile(_NOT_BEFORE + r"(?:\+44\s?\(?0?\)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}" + _NOT_AFTER),
    # Full UK postcodes (outward and inward code), e.g. SE11 5NH, M1 1AE, in any case
    # (people type "se11 5nh").
    "uk_postcode": re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE),
    # NHS numbers: ten digits, usually 3-3-4.
    "nhs_number": re.compile(_NOT_BEFORE + r"\d{3}[ -]?\d{3}[ -]?\d{4}" + _NOT_AFTER),
}


@dataclass(frozen=True)
class PrivacySettings:
    """The settings of ``privacy.yml`` (see the comments there for why each is set so)."""

    min_group_size: int
    scan_patterns: tuple[str, ...]
    deny_list: tuple[str, ...]
    #: A quotation or profile is attributed only to a role label, and a view only to a
    #: group, shared by at least this many respondents.
    min_attribution_size: int = 2


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
    """
    spec = yaml.safe_load((Path(root) / "privacy.yml").read_text(encoding="utf-8"))
    names: tuple[str, ...] = ()
    if spec.get("deny_list"):
        names = read_deny_list(Path(root) / spec["deny_list"])
    if data_dir is not None:
        names += read_deny_list(Path(data_dir) / COHORT_DENY_LIST)
    names = tuple(dict.fromkeys(names))  # the same file may be both (DATA=data)
    return PrivacySettings(int(spec["min_group_size"]), tuple(spec.get("scan_patterns", PATTERNS)), names,
                           int(spec.get("min_attribution_size", 2)))


def name_pattern(name: str) -> re.Pattern:
    """A deny-listed name as a pattern: matched whole, in any case, with any run of white
    space (a line break in a transcript included) between its words.

    Parameters
    ----------
    name : str
        The name as listed ("Jo Bloggs").

    Returns
    -------
    re.Pattern
    """
    words = [re.escape(word) for word in name.split()]
    return re.compile(r"\b" + r"\s+".join(words) + r"\b", flags=re.IGNORECASE)


def find_personal_data(text: str, settings: PrivacySettings) -> list[tuple[str, str]]:
    """Every possible piece of personal data in ``text``.

    Parameters
    ----------
    text : str
        Free text from an input file.
    settings : PrivacySettings
        Which patterns to scan for (``scan_patterns``) and the deny-list.

    Returns
    -------
    list of (str, str)
        ``(kind, matched text)`` per hit, e.g. ``("uk phone", "07700 900123")``; empty when clean.
    """
    hits = []
    for kind in settings.scan_patterns:
        if kind == "deny_list":
            for name in settings.deny_list:
                for match in name_pattern(name).finditer(text):
                    hits.append(("name on the deny-list", match.group(0)))
        elif kind in PATTERNS:
            hits.extend((kind.replace("_", " "), m.group(0)) for m in PATTERNS[kind].finditer(text))
    return hits


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
                # Every hit in the cell, so that one redaction pass clears it.
                found = "; ".join(f"{kind}: {text!r}" for kind, text in dict.fromkeys(hits))
                raise PersonalDataFound(
                    f"{file}, row {offset + first_row}, column {column!r}: possible personal data ({found}); "
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
