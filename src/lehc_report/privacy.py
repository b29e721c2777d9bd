"""Privacy safeguards: personal-data scan, small-cell suppression, settings.

Settings live in ``privacy.yml`` at the project root (one place).  The scan runs
over every free-text field during cleaning and over the built HTML and PDF in the
tests; a hit names the file, row and column so the evaluator can redact the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

PATTERNS = {
    "email": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    # UK numbers: +44 or 0, then 9-10 more digits with optional spaces/hyphens/brackets.
    "uk_phone": re.compile(r"(?<![\w.])(?:\+44\s?\(?0?\)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\w.])"),
    # Full UK postcodes (outward and inward code), e.g. SE11 5NH, M1 1AE.
    "uk_postcode": re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b"),
    # NHS numbers: ten digits, usually 3-3-4.
    "nhs_number": re.compile(r"(?<![\w.])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\w.])"),
}


@dataclass(frozen=True)
class PrivacySettings:
    min_group_size: int
    scan_patterns: tuple[str, ...]
    deny_list: tuple[str, ...]


class PersonalDataFound(ValueError):
    """Personal data in a free-text field: located, so the source can be redacted."""


def load_settings(root: Path) -> PrivacySettings:
    spec = yaml.safe_load((Path(root) / "privacy.yml").read_text(encoding="utf-8"))
    names: tuple[str, ...] = ()
    if spec.get("deny_list"):
        path = Path(root) / spec["deny_list"]
        if path.exists():
            names = tuple(
                line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")
            )
    return PrivacySettings(int(spec["min_group_size"]), tuple(spec.get("scan_patterns", PATTERNS)), names)


def find_personal_data(text: str, settings: PrivacySettings) -> list[tuple[str, str]]:
    """(kind, matched text) for every hit in ``text``."""
    hits = []
    for kind in settings.scan_patterns:
        if kind == "deny_list":
            for name in settings.deny_list:
                for match in re.finditer(r"\b" + re.escape(name) + r"\b", text, flags=re.IGNORECASE):
                    hits.append(("name on the deny-list", match.group(0)))
        elif kind in PATTERNS:
            hits.extend((kind.replace("_", " "), m.group(0)) for m in PATTERNS[kind].finditer(text))
    return hits


def scan_table(table: pd.DataFrame, columns: list[str], file: str, settings: PrivacySettings, first_row: int = 2) -> None:
    """Stop at the first personal data in ``columns``, naming file, row and column."""
    for column in columns:
        for offset, value in enumerate(table[column].astype(str)):
            hits = find_personal_data(value, settings)
            if hits:
                kind, found = hits[0]
                raise PersonalDataFound(
                    f"{file}, row {offset + first_row}, column {column!r}: possible personal data ({kind}: {found!r}); "
                    "redact it in the source file, then rebuild"
                )


def suppress_small(count: int, n: int, settings: PrivacySettings) -> str:
    """"count of n", or "suppressed (n < k)" when the group is below the threshold."""
    if n < settings.min_group_size:
        return f"suppressed (n < {settings.min_group_size})"
    return f"{count} of {n}"


def suppress_small_cells(table: pd.DataFrame, settings: PrivacySettings, n_column: str = "n",
                         value_columns: tuple[str, ...] = ("count", "share")) -> pd.DataFrame:
    """A publishable copy of a long table of counts: where the group's size ``n`` is
    below the threshold, the values are blanked and a ``suppressed`` flag says why.
    The group size itself stays, as the report states every group's n anyway."""
    small = table[n_column] < settings.min_group_size
    safe = table.copy()
    for column in value_columns:
        values = safe[column]
        values = values.astype("Int64" if pd.api.types.is_integer_dtype(values) else "Float64")
        safe[column] = values.mask(small)
    safe["suppressed"] = small.map({True: f"n < {settings.min_group_size}", False: ""})
    return safe
