"""Every glue key a chapter or notebook uses is declared by its stage, and every declared
key is used: the stages declare their keys (``lehc_report.book.glue.GlueSpec``), the
package never reads the chapters, and this test keeps the two in step."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import defaultdict
from pathlib import Path

import lehc_report
from lehc_report.book.glue import GlueSpec

ROOT = Path(__file__).resolve().parents[1]
# {glue}`key`, {glue:text}`/notebooks/02_quant.md::key:s`, {glue:md}`key` ...
GLUE_ROLE = re.compile(r"\{glue(?::[a-z]+)?\}`(?:/notebooks/(?P<notebook>[^`:]+)\.md::)?(?P<key>[A-Za-z0-9_]+)(?::[^`]*)?`")
GLUE_DIRECTIVE = re.compile(r"^[`:]{3,}\{glue(?::[a-z]+)?\} *(?:/notebooks/(?P<notebook>[^`:\s]+)\.md::)?(?P<key>[A-Za-z0-9_]+)", re.M)


def declared_specs() -> dict[str, GlueSpec]:
    specs = {}
    for info in pkgutil.walk_packages(lehc_report.__path__, "lehc_report."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, GlueSpec):
                assert specs.get(value.notebook, value) is value, f"two GlueSpecs for {value.notebook}"
                specs[value.notebook] = value
    return specs


def used_keys() -> dict[str, dict[str, list[str]]]:
    """notebook stem -> key -> the pages that use it."""
    used: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for page in sorted([*ROOT.glob("book/*.md"), *ROOT.glob("notebooks/*.md")]):
        text = page.read_text(encoding="utf-8")
        for pattern in (GLUE_ROLE, GLUE_DIRECTIVE):
            for match in pattern.finditer(text):
                notebook = match["notebook"] or (page.stem if page.parent.name == "notebooks" else None)
                assert notebook, f"{page.name}: glue key {match['key']!r} without its notebook"
                used[notebook][match["key"]].append(page.relative_to(ROOT).as_posix())
    return used


def test_every_used_glue_key_is_declared():
    specs, used = declared_specs(), used_keys()
    problems = []
    for notebook, keys in sorted(used.items()):
        spec = specs.get(notebook)
        if spec is None:
            problems.append(f"{notebook}: no GlueSpec declares its keys ({len(keys)} used)")
            continue
        problems += [f"{notebook}::{key} used in {', '.join(sorted(set(pages)))} but not declared"
                     for key, pages in sorted(keys.items()) if not spec.declares(key)]
    assert not problems, "\n".join(problems)


def test_every_declared_glue_key_is_used():
    specs, used = declared_specs(), used_keys()
    problems = []
    for notebook, spec in sorted(specs.items()):
        keys = used.get(notebook, {})
        problems += [f"{notebook}::{key} declared but used by no chapter or notebook"
                     for key in sorted(spec.keys) if key not in keys]
        problems += [f"{notebook}: pattern {pattern!r} matches no key a chapter uses"
                     for pattern in spec.patterns if not any(re.fullmatch(pattern, key) for key in keys)]
    assert not problems, "\n".join(problems)


def test_the_check_finds_an_undeclared_key():
    spec = GlueSpec(notebook="02_quant", keys={"n": None}, patterns={r"theme_[a-z]+_count": "0"})
    assert spec.declares("n") and spec.declares("theme_impact_count")
    assert not spec.declares("theme_impact_share")
    match = GLUE_ROLE.search("{glue:text}`/notebooks/02_quant.md::fo_mean_end:s`")
    assert (match["notebook"], match["key"]) == ("02_quant", "fo_mean_end")


def test_gluing_compiles_no_iri_grammars():
    """myst-nb's glue imports jsonschema, which imports rfc3987_syntax when it is installed and
    compiles its grammars (a second per kernel): glue_text tells jsonschema it is absent."""
    import subprocess
    import sys

    code = ("import sys; from lehc_report.book.glue import glue_text; glue_text('k', 'v'); "
            "print(repr(sys.modules['rfc3987_syntax']), 'jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "None True"
