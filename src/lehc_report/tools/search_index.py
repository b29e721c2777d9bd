"""The search index holds only the words of the current pages.

Sphinx updates ``searchindex.js`` in place: it loads the previous index, removes the
pages it re-reads from every word's list of pages and adds their words again.  A word
that no page holds any more keeps its entry with an empty list (``"zyxword": []``), so a
name or number redacted from the data stayed searchable, and readable, in the published
``searchindex.js``.  :func:`prune_search_index` drops those entries after every HTML
build (Sphinx's ``build-finished`` event), so the next build also starts from an index
of current words only.  (In ``tools/``: it shapes no result, so editing it re-runs no
notebook; the Sphinx extension registers it.)
"""

from __future__ import annotations

from pathlib import Path


def drop_stale_terms(index: dict) -> list[str]:
    """Remove the words no page holds from a loaded search index.

    Parameters
    ----------
    index : dict
        ``searchindex.js`` as loaded by ``sphinx.search.js_index.loads``; its ``terms``
        and ``titleterms`` map a word to a page number or a list of page numbers.

    Returns
    -------
    list of str
        The words removed (sorted), e.g. ``["zyxwordthem"]``.
    """
    removed = []
    for key in ("terms", "titleterms"):
        terms = index.get(key) or {}
        stale = [word for word, pages in terms.items() if pages == []]
        for word in stale:
            del terms[word]
        removed += stale
    return sorted(removed)


def prune_search_index(app, exception) -> None:
    """Sphinx ``build-finished`` handler: rewrite ``searchindex.js`` without stale words.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The application; only the ``html`` and ``dirhtml`` builders write the index.
    exception : Exception or None
        The build's exception, if it failed (then nothing is done).
    """
    if exception is not None or getattr(app.builder, "name", "") not in ("html", "dirhtml"):
        return
    from sphinx.search import js_index

    path = Path(app.outdir) / "searchindex.js"
    if not path.is_file():
        return
    index = js_index.loads(path.read_text(encoding="utf-8"))
    if drop_stale_terms(index):
        path.write_text(js_index.dumps(index), encoding="utf-8")
