"""An optional package every process of the build is better without: ``rfc3987_syntax``.

jsonschema imports ``rfc3987_syntax`` when it is installed (jupyter-server pulls it into
the environment), and that module compiles some forty lark grammars on import: 1.6 s of
CPU in every process that imports jsonschema, which Jupyter Book (its ``_config.yml``
schema), nbformat (the notebook schema) and myst-nb's glue all do.  None of them checks an
IRI format, so each of our processes marks the package absent before anything imports
jsonschema: the import then fails as if the package were not installed, and jsonschema
skips the IRI format checks, as it does without it.  Outputs are the same bytes.
"""

from __future__ import annotations

import sys


def skip_rfc3987_syntax() -> None:
    """Mark ``rfc3987_syntax`` absent in this process (``sys.modules[name] = None``), unless
    it was imported already.  Call before jsonschema is imported."""
    sys.modules.setdefault("rfc3987_syntax", None)
