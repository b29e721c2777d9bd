"""Jupyter Book's command line, started without the cost that is not the book's.

``python -m lehc_report.tools.jupyter_book build ...`` takes the same arguments as
``jupyter-book build ...`` (the Makefile's two Sphinx builds, HTML and single page, run it
as ``$(JB)``) and runs Jupyter Book's own command line (:func:`jupyter_book.cli.main.main`),
with one difference in what is imported:

* ``jupyter_book.config`` imports :mod:`jsonschema`, which imports the optional
  ``rfc3987_syntax`` when it is installed; that module compiles some forty lark grammars
  at import, 1.6 s of every Jupyter Book process on this machine (a bare one-page book
  builds in 1.9 s without it, 3.4 s with it).  Jupyter Book validates ``_config.yml``
  against a schema that checks no IRI format, so nothing it does needs those grammars:
  the module is marked absent (``sys.modules[...] = None``, which makes its import fail
  as if it were not installed, and jsonschema then skips the IRI format checks, as it
  does without the package; :mod:`lehc_report.optional_imports`).  The notebook runs do
  the same.

The pages, the search index and every other output are the same bytes as from
``jupyter-book build`` with the same arguments.
"""

from __future__ import annotations

import sys

from lehc_report.optional_imports import skip_rfc3987_syntax

skip_rfc3987_syntax()  # before anything imports jsonschema (see the module's docstring)


def main(argv: list[str] | None = None) -> None:
    """Run Jupyter Book's command line on ``argv``.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program's name, as ``jupyter-book`` takes them
        (``["build", ".", "--builder", "html", ...]``).  Default: ``sys.argv[1:]``.

    Raises
    ------
    SystemExit
        Always, with Jupyter Book's exit status (0 when the build succeeded), as its
        command line ends.
    """
    from jupyter_book.cli.main import main as jupyter_book_main

    jupyter_book_main(args=sys.argv[1:] if argv is None else argv, prog_name="jupyter-book")


if __name__ == "__main__":
    main()
