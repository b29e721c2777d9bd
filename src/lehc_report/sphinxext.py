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
"""

from __future__ import annotations

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


def setup(app) -> dict:
    # After the themes' own handlers (priority 500), which fill in the context.
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("html-page-context", label_sidebar_toggles, priority=900)
    app.connect("html-page-context", drop_unused_mathjax, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
