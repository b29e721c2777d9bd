"""Glue: every value a chapter takes from a notebook, declared by the stage that makes it.

Each stage declares its keys in a :class:`GlueSpec`: the notebook that glues them, the
keys it always produces, and the default a key takes when a cohort's data cannot
supply it (a sentence that says so, never a bare "not available").  Keys that depend
on the data (one per theme of a cohort's own codebook) are declared as patterns.
The package never reads the chapters; ``tests/unit/test_glue_keys.py`` checks that
every key a chapter uses is declared and that every declared key is used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lehc_report.optional_imports import skip_rfc3987_syntax
from lehc_report.render.text import plain_text

#: What a declared key with no default is glued as when a stage does not produce it.
REQUIRED = None


@dataclass(frozen=True)
class GlueSpec:
    """The glue keys of one notebook.

    Parameters
    ----------
    notebook : str
        Stem of the notebook that glues the keys (``"02_quant"``); chapters refer to a
        key as ``/notebooks/<notebook>.md::<key>``.
    keys : Mapping[str, str or None]
        Every fixed key, with the text glued when the stage does not produce it, or
        ``None`` when the stage must always produce it.
    patterns : Mapping[str, str or None]
        Regular expressions (full match) for keys that depend on the data, with their
        defaults as for ``keys``.
    """

    notebook: str
    keys: Mapping[str, str | None]
    patterns: Mapping[str, str | None] = field(default_factory=dict)

    def declares(self, key: str) -> bool:
        """Whether ``key`` is a declared key or fully matches a declared pattern.

        Parameters
        ----------
        key : str

        Returns
        -------
        bool
        """
        return key in self.keys or any(re.fullmatch(p, key) for p in self.patterns)

    def complete(self, values: Mapping[str, str]) -> dict[str, str]:
        """``values`` with every declared default filled in, in a stable (sorted) order.

        Parameters
        ----------
        values : Mapping[str, str]
            What the stage produced, key to text.

        Returns
        -------
        dict
            Key to text.

        Raises
        ------
        KeyError
            A value for an undeclared key, or no value for a key declared with no default.
        """
        undeclared = sorted(k for k in values if not self.declares(k))
        if undeclared:
            raise KeyError(f"{self.notebook}: glue keys not declared in its GlueSpec: {', '.join(undeclared)}")
        missing = sorted(k for k, default in self.keys.items() if default is REQUIRED and k not in values)
        if missing:
            raise KeyError(f"{self.notebook}: declared glue keys the stage did not produce: {', '.join(missing)}")
        complete = {k: d for k, d in self.keys.items() if d is not REQUIRED}
        complete.update(values)
        return dict(sorted(complete.items()))


def glue_text(key: str, value: object) -> str:
    """Glue a pre-formatted value as a string.

    Numbers are formatted (half up) before gluing, never by the role's format spec:
    myst-nb reads a glued string back with ``literal_eval``, which keeps ".000" and
    "7.60" exactly as written, while a glued float would be re-rounded half to even.

    Parameters
    ----------
    key : str
        The glue key.
    value : object
        Text, or anything whose ``str`` is the text.

    Returns
    -------
    str
        The text glued: :func:`lehc_report.render.text.plain_text` of ``value`` (one line,
        no bidirectional or other control characters).
    """
    # myst-nb's glue imports nbformat, and so jsonschema: in a kernel not forked from the
    # build's fork server (JupyterLab), that would compile rfc3987_syntax's grammars.
    skip_rfc3987_syntax()
    from myst_nb import glue

    # {glue:text} inserts the string as text, never markup; bidi controls are still removed,
    # so a glued quotation cannot reorder the sentence around it (issue 11).
    text = plain_text(value)
    glue(key, text, display=False)
    return text


def glue_all(spec: GlueSpec, values: Mapping[str, str]) -> dict[str, str]:
    """Glue every key of ``spec``: the stage's ``values`` plus the declared defaults.

    Parameters
    ----------
    spec : GlueSpec
        The notebook's declared keys.
    values : Mapping[str, str]
        What the stage produced, key to text.

    Returns
    -------
    dict
        What was glued, key to text.

    Raises
    ------
    KeyError
        See :meth:`GlueSpec.complete`.
    """
    complete = spec.complete(values)
    for key, value in complete.items():
        glue_text(key, value)
    return complete
