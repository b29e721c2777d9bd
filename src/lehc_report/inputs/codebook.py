"""The codebook of the qualitative strand: its model, and the loader of ``codebook.yml``.

The YAML is validated with pydantic; every problem is reported with its line and
field (see :class:`lehc_report.errors.Problem`).  Also the two helpers every reader of
the qualitative data contract shares: :func:`read_text` and :func:`raise_if`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pandas as pd
import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from lehc_report.errors import Problem, QualitativeDataError

__all__ = ["Codebook", "load_codebook", "raise_if", "read_text"]


@dataclass(frozen=True)
class Codebook:
    """``themes``: theme_id, name, definition.  ``codes``: code_id, theme_id, name,
    definition, use_when, not_when.  Both in codebook order.  ``identity``: the
    codebook's declared identity (``identity:`` in ``codebook.yml``, e.g. ``lehc-2013``
    for the 2013 report's codebook), ``""`` when it declares none."""

    themes: pd.DataFrame
    codes: pd.DataFrame
    identity: str = ""



def raise_if(problems: list[Problem]) -> None:
    """Raise every problem found at one stage of loading at once.

    Parameters
    ----------
    problems : list of Problem

    Raises
    ------
    QualitativeDataError
        ``problems`` is not empty.
    """
    if problems:
        raise QualitativeDataError(problems)


def read_text(path: Path) -> str:
    """The text of one file of the qualitative data contract (UTF-8, a BOM allowed).

    Parameters
    ----------
    path : Path
        The file (``codebook.yml``, ``respondents.csv`` and the like).

    Returns
    -------
    str
        Its text, without a leading byte-order mark.

    Raises
    ------
    QualitativeDataError
        The file is missing or is not UTF-8 (the message names the file and what to do).
    """
    if not path.is_file():
        raise QualitativeDataError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"the file was not found in {path.parent}.",
                    f"put {path.name} in the data folder (the file contract is in "
                    "data/README.md).",
                )
            ]
        )
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QualitativeDataError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"the file is not valid UTF-8 text (byte {exc.start}).",
                    "save it again as 'CSV UTF-8' / UTF-8 text.",
                )
            ]
        ) from exc



# --------------------------------------------------------------------------------------
# Codebook (YAML, validated with pydantic)
# --------------------------------------------------------------------------------------


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


_Text = Annotated[str, AfterValidator(_not_blank)]
_THEME_ID = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
_CODE_ID = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*\.[a-z][a-z0-9]*(_[a-z0-9]+)*$"


class _CodeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    id: str = Field(pattern=_CODE_ID)
    name: _Text
    definition: _Text
    use_when: _Text
    not_when: _Text


class _ThemeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    id: str = Field(pattern=_THEME_ID)
    name: _Text
    definition: _Text
    codes: list[_CodeModel] = Field(min_length=1)


class _CodebookModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    identity: _Text | None = None
    themes: list[_ThemeModel] = Field(min_length=1)


def _yaml_lines(node, path=(), lines=None, duplicates=None):
    """Map each YAML path (keys and list indices) to its 1-based line; note duplicate keys."""
    lines = {} if lines is None else lines
    duplicates = [] if duplicates is None else duplicates
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        keys = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in keys:
                duplicates.append((path + (key,), key_node.start_mark.line + 1))
            keys.add(key)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _yaml_lines(value_node, path + (key,), lines, duplicates)
            lines[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _yaml_lines(item, path + (i,), lines, duplicates)
    return lines, duplicates


def _yaml_path(path: Sequence) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _line_for(lines: Mapping, path: Sequence) -> int:
    path = tuple(path)
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


_CODEBOOK_FIXES = {
    "missing": "add the '{field}' entry.",
    "extra_forbidden": "remove the '{field}' key or correct its spelling (the codebook has identity and themes; themes have id, "
    "name, definition, codes; codes have id, name, definition, use_when, not_when).",
    "string_type": "write it as text (put it in quotes if YAML reads it as a number, "
    "date or yes/no).",
    "too_short": "add at least one entry.",
    "value_error": "fill it in.",
    "list_type": "write it as a YAML list (lines starting with '- ').",
    "model_type": "write it as a YAML mapping of key: value lines.",
    "dict_type": "write it as a YAML mapping of key: value lines.",
}


def load_codebook(path: Path) -> Codebook:
    """Read and validate a cohort's ``codebook.yml``.

    Parameters
    ----------
    path : Path
        The codebook: ``themes:``, a list of {id (snake_case), name, definition,
        codes: list of {id ``<theme_id>.<slug>``, name, definition, use_when, not_when}}.

    Returns
    -------
    Codebook
        Its themes and codes as tables, in codebook order.

    Raises
    ------
    QualitativeDataError
        Every problem found, each with its line and field: invalid YAML, a duplicate
        key, a missing, blank, misspelt or mistyped field, an ID of the wrong form,
        a code not under its theme, or a theme or code ID (or theme name) used twice.
    """
    text = read_text(path)
    name = path.name

    def problem(line, field, message, fix):
        return Problem(name, line, field, message, fix, row_word="line", column_word="field")

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise QualitativeDataError(
            [problem(None if mark is None else mark.line + 1, None,
                     f"the file is not valid YAML ({getattr(exc, 'problem', exc)}).",
                     "fix the indentation or quoting on that line.")]
        ) from exc
    lines, duplicates = ({(): 1}, []) if root is None else _yaml_lines(root)
    raise_if(
        [
            problem(line, _yaml_path(p), "this key appears twice in the same entry.",
                    "keep one of them (YAML would silently use the last).")
            for p, line in duplicates
        ]
    )
    try:
        model = _CodebookModel.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            field = next((p for p in reversed(loc) if isinstance(p, str)), "themes")
            if err["type"] == "string_pattern_mismatch":
                fix = (
                    "use '<theme_id>.<slug>' in lower-case snake_case, e.g. 'philosophy.values'."
                    if "codes" in loc
                    else "use lower-case snake_case (letters, digits, underscores), e.g. "
                    "'philosophy'."
                )
            else:
                fix = _CODEBOOK_FIXES.get(err["type"], "correct the entry.").format(field=field)
            shown = "" if err["type"] == "missing" else f" (found {err.get('input')!r})"
            msg = "Input should be a mapping" if err["type"] == "model_type" else err["msg"]
            problems.append(problem(_line_for(lines, loc), _yaml_path(loc),
                                    f"{msg}{shown}.", fix))
        raise QualitativeDataError(problems) from exc

    problems = []
    seen_themes, seen_names, seen_codes = {}, {}, {}
    for t, theme in enumerate(model.themes):
        tpath = ("themes", t)
        if theme.id in seen_themes:
            problems.append(problem(_line_for(lines, tpath + ("id",)), _yaml_path(tpath + ("id",)),
                                    f"theme id {theme.id!r} is already used on line "
                                    f"{seen_themes[theme.id]}.", "give each theme its own id."))
        seen_themes.setdefault(theme.id, _line_for(lines, tpath + ("id",)))
        if theme.name in seen_names:
            problems.append(problem(_line_for(lines, tpath + ("name",)),
                                    _yaml_path(tpath + ("name",)),
                                    f"theme name {theme.name!r} is already used on line "
                                    f"{seen_names[theme.name]}.",
                                    "give each theme its own name (names label the figures)."))
        seen_names.setdefault(theme.name, _line_for(lines, tpath + ("name",)))
        for c, code in enumerate(theme.codes):
            cpath = tpath + ("codes", c, "id")
            line = _line_for(lines, cpath)
            if code.id.split(".", 1)[0] != theme.id:
                problems.append(problem(line, _yaml_path(cpath),
                                        f"code id {code.id!r} does not start with its theme id "
                                        f"{theme.id!r}.",
                                        f"rename it '{theme.id}.<slug>' or move it under its "
                                        "theme."))
            if code.id in seen_codes:
                problems.append(problem(line, _yaml_path(cpath),
                                        f"code id {code.id!r} is already used on line "
                                        f"{seen_codes[code.id]}.", "give each code its own id."))
            seen_codes.setdefault(code.id, line)
    raise_if(problems)

    themes = pd.DataFrame(
        [(t.id, t.name, t.definition) for t in model.themes],
        columns=["theme_id", "name", "definition"],
    )
    codes = pd.DataFrame(
        [
            (c.id, t.id, c.name, c.definition, c.use_when, c.not_when)
            for t in model.themes
            for c in t.codes
        ],
        columns=["code_id", "theme_id", "name", "definition", "use_when", "not_when"],
    )
    return Codebook(themes=themes, codes=codes, identity=(model.identity or "").strip())
