"""The findings of a cohort's own codebook as a MyST snippet (``generated/tables/theme_findings.md``).

``book/findings.md`` includes it with ``{generated-table} theme_findings`` when the cohort
was coded with a codebook other than 2013's (content flag ``codebook_own``).  Every text
from the data (theme names, definitions, quotations) is escaped by
:func:`lehc_report.render.text.myst_literal`, so nothing in it can become markup.
"""

from __future__ import annotations

from pathlib import Path

from lehc_report.prose.qual import ThemeFinding
from lehc_report.render.text import myst_literal

#: The snippet's file name (without ``.md``), as the chapter names it.
SNIPPET = "theme_findings"


def theme_findings_markdown(findings: list[ThemeFinding]) -> str:
    """One section per theme: a heading, its paragraphs and its quotations.

    Parameters
    ----------
    findings : list of ThemeFinding
        :func:`lehc_report.prose.qual.theme_findings`.

    Returns
    -------
    str
        MyST source: ``### <theme name>`` (sections of the chapter's "What respondents raised"), the paragraphs, then each quotation as a block
        quote, sections separated by blank lines.
    """
    blocks = []
    for finding in findings:
        blocks.append(f"### {myst_literal(finding.name)}")
        blocks += [myst_literal(paragraph) for paragraph in finding.paragraphs]
        blocks += [f"> {myst_literal(quote)}" for quote in finding.quotes]
    return "\n\n".join(blocks) + "\n"


def write_theme_findings(path: Path, findings: list[ThemeFinding] | None) -> None:
    """Write the snippet, or remove it when the cohort's findings are the 2013 chapters' own.

    Parameters
    ----------
    path : Path
        ``generated/tables/theme_findings.md`` of this build.
    findings : list of ThemeFinding or None
        None: no snippet (the chapter does not include it; an old one is removed so that
        no other cohort's findings linger in this build folder).
    """
    if findings is None:
        path.unlink(missing_ok=True)
        return
    path.write_text(theme_findings_markdown(findings), encoding="utf-8")
