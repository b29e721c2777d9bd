"""The cohort's identity in words: title, credits, context and principles.

Everything here is composed from :class:`lehc_report.inputs.cohort.CohortIdentity`
(``cohort.yml`` and the data folder), never typed in a chapter, so that another
cohort's report carries its own names and no 2013 ones.  The Sphinx extension
(:mod:`lehc_report.book.sphinxext`) hands these texts to the pages as MyST
substitutions (``{{ cohort_title }}``, which also works in a heading, where glue
cannot go) and as content flags (``<!-- if: credits -->``), and sets Sphinx's
``project``, ``html_title`` and ``author`` from them.

Two kinds of result: *plain* text (for Sphinx's configuration and the theme, which
escape it themselves) and *MyST* text (every value from the data folder escaped by
:func:`lehc_report.render.text.myst_literal`, so markup in it is shown, never run).
"""

from __future__ import annotations

from html import escape

from lehc_report.disclosure import disclosed_group_counts
from lehc_report.inputs.cohort import CohortIdentity, Credits
from lehc_report.privacy import PrivacySettings
from lehc_report.prose.words import join_words, number_word
from lehc_report.render.text import myst_literal, plain_text


def _names(credits: Credits) -> str:
    return join_words([myst_literal(name) for name in credits.authors])


def author_line(identity: CohortIdentity) -> str:
    """Sphinx's ``author``: the theme prints "By <author>" in every page's footer, and the
    PDF's title page carries it under the title.  Organisations only: a person's name is
    kept to the title page, colophon and references.

    Parameters
    ----------
    identity : CohortIdentity

    Returns
    -------
    str
        Plain text, e.g. "nef consulting (original evaluation, February 2013)"; the
        evaluator alone when this report is the evaluation; "" without credits.
    """
    credits = identity.credits
    if credits is None or not credits.evaluator:
        return ""
    evaluator = plain_text(credits.evaluator)
    if credits.reproduces_published_figures:
        when = f", {plain_text(credits.date)}" if credits.date else ""
        return f"{evaluator} (original evaluation{when})"
    return evaluator


def footer_text(identity: CohortIdentity) -> str:
    """The footer line of every HTML page (the theme's ``extra_footer``, which is HTML).

    Parameters
    ----------
    identity : CohortIdentity

    Returns
    -------
    str
        HTML-escaped text: for synthetic data, that they are synthetic; otherwise the
        programme whose data these are.
    """
    if identity.synthetic:
        return "Synthetic data reproducing the published figures; see the data chapter."
    return escape(f"Computed from the data of the {plain_text(identity.programme)} cohort; see the data chapter.")


def credit_paragraph(identity: CohortIdentity) -> str:
    """The title page's credit: whose evaluation this is, or whose published figures it reproduces.

    Parameters
    ----------
    identity : CohortIdentity

    Returns
    -------
    str
        MyST, one paragraph; "" without credits.
    """
    credits = identity.credits
    if credits is None:
        return ""
    # In quotation marks, not italics: no markup of ours wraps a value from the data.
    work = f"\u201c{myst_literal(credits.report_title)}\u201d" if credits.report_title else "the evaluation report"
    by = []
    if credits.authors:
        by.append(f"by {_names(credits)}")
    if credits.evaluator:
        by.append(f"{'of' if credits.authors else 'by'} {myst_literal(credits.evaluator)}")
    made = " ".join(by)
    client = f" for {myst_literal(credits.client)}" if credits.client else ""
    date = f" ({myst_literal(credits.date)})" if credits.date else ""
    if credits.reproduces_published_figures:
        return (f"This report reproduces the published figures of {work}{date}, the evaluation written {made}{client}. "
                "The analysis is rebuilt from data; the words of the chapters are new.")
    return f"{work[0].upper()}{work[1:]}{date}: an evaluation {made}{client}."


def colophon_text(identity: CohortIdentity) -> str:
    """The colophon's account of the original evaluation and of this edition.

    Parameters
    ----------
    identity : CohortIdentity

    Returns
    -------
    str
        MyST, paragraphs separated by blank lines.
    """
    credits = identity.credits
    paragraphs = []
    if credits is None:
        paragraphs.append("The cohort's configuration names no evaluator or evaluation report to credit.")
    elif credits.reproduces_published_figures:
        evaluator = myst_literal(credits.evaluator) if credits.evaluator else "its evaluators"
        client = f" for {myst_literal(credits.client)}" if credits.client else ""
        date = f" in {myst_literal(credits.date)}" if credits.date else ""
        authors = f", written by {_names(credits)}," if credits.authors else ""
        title = f" \u201c{myst_literal(credits.report_title)}\u201d" if credits.report_title else ""
        paragraphs.append(
            f"The original evaluation was carried out by {evaluator}{client}. Its report{title}{authors} was "
            f"published{date}. That report's tables and statistics are the published figures this report "
            "reproduces, and its chapter order is the order followed here. Its findings, recommendations and "
            f"conclusions remain the work of its author{'s' if len(credits.authors) > 1 else ''}; the text of "
            "this report is written afresh and does not quote it.")
    else:
        paragraphs.append(f"Evaluation carried out and reported by {credit_paragraph(identity)}")
    if identity.synthetic:
        paragraphs.append("The data behind every table, figure and count are synthetic: made for this project to "
                          "match the published figures, not collected from the people who took part.")
    else:
        paragraphs.append(f"Every table, figure and count is computed from the data collected for this cohort of the "
                          f"{myst_literal(identity.programme)} programme.")
    return "\n\n".join(paragraphs)


def attendance_sentence(identity: CohortIdentity, *, published_2013: bool = False,
                        privacy_settings: PrivacySettings | None = None) -> str:
    """Who attended the course, from ``cohort.yml``'s attendance counts, under the one disclosure rule.

    Professionals and people who use services are groups: their counts pass
    :func:`lehc_report.disclosure.disclosed_group_counts` (with two groups, one withheld
    withholds both), so only the total is given when either is small.  The exception is the
    2013 cohort's own data, whose counts are the 2013 report's published figures and are
    said to be so in the same sentence.

    Parameters
    ----------
    identity : CohortIdentity
    published_2013 : bool
        The data folder is the project's own 2013 data
        (:func:`lehc_report.disclosure.published_2013_counts` is not None).
    privacy_settings : PrivacySettings, optional
        ``privacy.yml``'s threshold; without it no breakdown is given (the safe side).

    Returns
    -------
    str
        MyST, e.g. "The 2013 report published that 26 people attended the course: 24 health
        and social care professionals and two people who use services."; "The course was
        attended by 30 people." when the groups are withheld; "" when nothing is known.
    """
    professionals, uses_services = identity.attended_professionals, identity.attended_uses_services
    total = identity.attended
    if total is None and professionals is not None and uses_services is not None:
        total = professionals + uses_services
    if total is None:
        return ""
    parts = []
    known = {name: value for name, value in (("professionals", professionals), ("uses_services", uses_services))
             if value is not None}
    if len(known) == 2 and sum(known.values()) == total:
        if not published_2013:
            if privacy_settings is None:
                known = dict.fromkeys(known)
            else:
                disclosed = disclosed_group_counts(total, {"attendance": known}, privacy_settings)
                known = {name: disclosed.count("attendance", name) for name in known}
        if all(value is not None for value in known.values()):
            parts = [f"{number_word(known['professionals'])} health and social care "
                     f"professional{'' if known['professionals'] == 1 else 's'}",
                     f"{number_word(known['uses_services'])} "
                     f"{'person who uses' if known['uses_services'] == 1 else 'people who use'} services"]
    people = f"{number_word(total)} {'person' if total == 1 else 'people'}"
    sentence = (f"The 2013 report published that {people} attended the course" if published_2013
                else f"The course was attended by {people}")
    return sentence + (f": {join_words(parts)}." if parts else ".")


def origins_text(identity: CohortIdentity) -> str:
    """The programme's origins (``context: origins``), paragraph by paragraph.

    Parameters
    ----------
    identity : CohortIdentity

    Returns
    -------
    str
        MyST paragraphs separated by blank lines (each escaped); "" without origins.
    """
    paragraphs = [" ".join(block.split()) for block in identity.origins.split("\n\n")]
    return "\n\n".join(myst_literal(p) for p in paragraphs if p)


def partners_text(identity: CohortIdentity) -> str:
    """The programme's partners (``context: partners``) as a sentence.

    Parameters
    ----------
    identity : CohortIdentity

    Returns
    -------
    str
        MyST; "" without partners.
    """
    if not identity.partners:
        return ""
    return f"The programme's partners were {join_words([myst_literal(p) for p in identity.partners])}."


def principles_text(identity: CohortIdentity) -> str:
    """Appendix 4: the cohort's principles as a definition list.

    Parameters
    ----------
    identity : CohortIdentity

    Returns
    -------
    str
        The introduction, then a MyST definition list (``deflist`` is enabled in
        ``_config.yml``); "" without ``principles.yml``.
    """
    principles = identity.principles
    if not principles.items:
        return ""
    parts = [myst_literal(principles.introduction)] if principles.introduction else []
    parts += [f"{myst_literal(p.name)}\n: {myst_literal(p.description)}" for p in principles.items]
    return "\n\n".join(parts)


def substitutions(identity: CohortIdentity, *, published_2013: bool = False,
                  privacy_settings: PrivacySettings | None = None) -> dict[str, str]:
    """The MyST substitutions the pages use (``{{ cohort_title }}`` and the others).

    Parameters
    ----------
    identity : CohortIdentity
    published_2013, privacy_settings
        As for :func:`attendance_sentence`.

    Returns
    -------
    dict of str to str
        ``cohort_title``, ``cohort_programme``, ``cohort_client``, ``cohort_report_date``,
        ``cohort_credit``, ``cohort_colophon``, ``cohort_attendance``, ``cohort_origins``,
        ``cohort_partners``, ``cohort_principles``, ``cohort_principles_title``; MyST text,
        values escaped.
    """
    return {
        "cohort_title": myst_literal(identity.title),
        "cohort_programme": myst_literal(identity.programme),
        "cohort_client": myst_literal(identity.client) or "not stated",
        "cohort_report_date": myst_literal(identity.report_date) or "not stated",
        "cohort_credit": credit_paragraph(identity),
        "cohort_colophon": colophon_text(identity),
        "cohort_attendance": attendance_sentence(identity, published_2013=published_2013,
                                                 privacy_settings=privacy_settings),
        "cohort_origins": origins_text(identity),
        "cohort_partners": partners_text(identity),
        "cohort_principles": principles_text(identity),
        "cohort_principles_title": myst_literal(identity.principles.title) or "the principles behind the course",
    }


def identity_flags(identity: CohortIdentity) -> dict[str, bool]:
    """Content flags for the chapters' ``<!-- if: FLAG -->`` passages.

    Parameters
    ----------
    identity : CohortIdentity

    Returns
    -------
    dict of str to bool
        ``synthetic`` (the data are synthetic), ``credits``, ``reproduces`` (this report
        reproduces a published evaluation), ``origins``, ``partners``, ``attendance``,
        ``principles``, ``cohort_references`` (the data folder has ``references.bib``)
        and ``survey_instrument`` (the data folder has its own instrument).
    """
    return {
        "synthetic": identity.synthetic,
        "credits": identity.credits is not None,
        "reproduces": identity.credits is not None and identity.credits.reproduces_published_figures,
        "origins": bool(identity.origins),
        "partners": bool(identity.partners),
        "attendance": bool(attendance_sentence(identity)),
        "principles": bool(identity.principles.items),
        "cohort_references": identity.references_file is not None,
        "survey_instrument": identity.survey_instrument_file is not None,
    }
