"""A Sphinx extension for the report's HTML (listed in ``_config.yml``).

Two fixes to what the theme stack writes, both caught by ``tests/test_browser.py``:

* Duplicate ``<script>`` tags are dropped.  Sphinx 7.4 registers an inline script
  added after the builder started (sphinx-thebe adds its configuration,
  ``const THEBE_JS_URL = …``, that way) once under the name ``None`` and once
  under ``''``, so every page declared the same constants twice and the browser
  reported "Identifier 'THEBE_JS_URL' has already been declared" on each load.
* The sidebar's expand/collapse toggles get an accessible name.  The theme writes
  ``<summary>`` elements holding only a chevron icon, which axe-core reports as a
  serious violation (summary-name, WCAG 4.1.2): screen readers announce an
  unlabelled control.  Each is labelled after the chapter whose sections it shows.

And one for the PDF: Jupyter Book makes the ``singlehtml`` build (``make pdf``)
load MathJax, from its CDN, whether or not the book has any mathematics; when it
has none the script is dropped, so the page printed to PDF asks for nothing
from the network.  (The HTML pages load MathJax only when they hold maths.)

And one for other cohorts: passages that only make sense with coded qualitative
data are marked in the chapters,

    <!-- if: coded -->  ...  <!-- else -->  what to say without  <!-- end if -->

and kept or replaced as the qualitative stage found (``generated/content.json``),
so a cohort without coded texts reads "not coded" instead of sentences full of
"not available".  The markers are removed before MyST parses the page, so they can
enclose headings.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any


def _key(script: Any) -> tuple:
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return (filename, tuple(sorted((k, str(v)) for k, v in attributes.items())))


def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    if len(unique) != len(scripts):
        context["script_files"] = unique


def drop_unused_mathjax(app, pagename, templatename, context, doctree) -> None:
    if app.builder.name != "singlehtml":
        return
    mathjax = getattr(app.config, "mathjax_path", None)
    if not mathjax or app.env.get_domain("math").has_equations():
        return
    scripts = context.get("script_files") or []
    kept = [s for s in scripts if (getattr(s, "filename", s) or "") != mathjax]
    if len(kept) != len(scripts):
        context["script_files"] = kept


def label_toggles(soup: Any) -> Any:
    """Give each text-less ``<summary>`` of a navigation tree an ``aria-label``."""
    if not hasattr(soup, "select"):
        return soup
    for summary in soup.select("summary"):
        if summary.get("aria-label") or summary.get_text(strip=True):
            continue
        item = summary.find_parent("li")
        link = item.find("a", recursive=False) if item is not None else None
        title = link.get_text(" ", strip=True) if link is not None else ""
        summary["aria-label"] = f"Sections of {title}" if title else "Show or hide sections"
    return soup


def label_sidebar_toggles(app, pagename, templatename, context, doctree) -> None:
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "_lehc_labelled", False):
        return

    def generate_labelled(*args, **kwargs):
        return label_toggles(generate(*args, **kwargs))

    generate_labelled._lehc_labelled = True
    context["generate_toctree_html"] = generate_labelled


CONDITION = re.compile(r"<!-- if: (?P<flag>[a-z_]+) -->(?P<yes>.*?)(?:<!-- else -->(?P<no>.*?))?<!-- end if -->", re.S)


def content_flags(srcdir: str) -> dict[str, bool]:
    """What the analysis stages found, written by them to ``generated/content.json``.

    ``paired`` (the cleaning stage: false for unlinked waves), ``qualitative`` and
    ``coded`` (the qualitative stage); a flag not written counts as true.
    """
    build = Path(os.environ.get("LEHC_BUILD") or Path(srcdir) / "_build")
    path = build / "generated" / "content.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def resolve_conditions(text: str, flags: dict[str, bool]) -> str:
    """Keep the ``if`` branch of each marked passage whose flag is true, else the ``else`` branch."""
    return CONDITION.sub(lambda m: m.group("yes") if flags.get(m.group("flag"), True) else (m.group("no") or ""), text)


def apply_conditions(app, docname: str, source: list[str]) -> None:
    if "<!-- if: " in source[0]:
        source[0] = resolve_conditions(source[0], content_flags(app.srcdir))


def setup(app) -> dict:
    app.connect("source-read", apply_conditions)
    # After the themes' own handlers (priority 500), which fill in the context.
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("html-page-context", label_sidebar_toggles, priority=900)
    app.connect("html-page-context", drop_unused_mathjax, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
