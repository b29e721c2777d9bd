"""The 2013 codebook's own findings: its theme and code IDs, and the sentences about them.

The findings chapters were written about the 2013 evaluation, whose codebook
(``data/codebook.yml``) has themes such as ``impact_role`` and codes such as
``impact_role.concrete_changes``.  A cohort coded with that codebook gets the
sentences below; one coded with another codebook does not, and nothing general in the
package names these IDs.  The stage asks :func:`is_codebook_2013` first.
"""

from __future__ import annotations

from collections.abc import Mapping

from lehc_report.inputs.codebook import Codebook
from lehc_report.prose.qual import capitalise, counted, share_phrase

#: The themes of the 2013 codebook, in its order.
THEME_IDS = ("philosophy", "structure", "framework", "mix", "networks", "coproduction", "impact_role",
             "impact_others", "suggestions")
#: The framework described the respondent's own work.
FRAMEWORK_RESONATES = "framework.resonates"
#: A concrete example of a change the respondent had made at work.
CONCRETE_CHANGES = "impact_role.concrete_changes"
#: Effects on communities themselves were not yet visible.
COMMUNITY_NOT_YET = "impact_others.community_not_yet"
#: The themes whose codes say what changed for a respondent (the profiles' "what changed").
CHANGE_THEMES = ("impact_role", "impact_others")
#: The code whose segment a profile quotes first.
PROFILE_QUOTE_CODE = CONCRETE_CHANGES
#: Every code the 2013 chapters count (book/findings*.md, recommendations.md, conclusions.md):
#: a codebook must have all of them for those chapters' sentences to be said of its data.
CODE_IDS = ("philosophy.endorsed", "philosophy.timely", "philosophy.unlike_other_courses", "philosophy.inspires_leaders",
            "structure.facilitated_valued", "structure.action_learning_valued", "structure.balance_of_methods",
            "structure.standout_session", "structure.final_session_disappointing", "structure.facilitator_style_clash",
            "framework.resonates", "framework.vital_for_future", "mix.mix_valued", "mix.more_sectors",
            "mix.more_service_users", "mix.more_sceptics", "networks.formed", "coproduction.praised",
            "coproduction.reality_check", "coproduction.more_in_design_delivery", "impact_role.confidence_authority",
            "impact_role.concrete_changes", "impact_role.more_tools_wanted", "impact_others.shared_reading",
            "impact_others.team_language", "impact_others.peers_seniors_informed", "impact_others.community_not_yet")
#: Words of the 2013 findings that no other cohort's report may contain (the build check,
#: :func:`lehc_report.book.report_check.report_problems`): one distinctive phrase of each
#: sentence the chapters, the recommendations, the conclusions and this module type about
#: the 2013 codebook's themes.
FINGERPRINTS = (
    "met with a warm reception", "felt different in kind", "less as training people to lead",
    "opening session on asset-based working", "closing session, on reflections and next steps",
    "closing session disappointed", "sat awkwardly with the course's collaborative ethos",
    "four action learning sets", "questioning rather than advising", "The framework struck a chord",
    "essential for the future of health and social care", "how their decisions land on the front line",
    "particularly people with experience of mental health", "a few more sceptics",
    "kept discussion anchored", "as several put it", "concrete examples of changes made at work",
    "passed on the reading", "team's language shifting", "Effects on communities themselves",
    "by its participants' accounts", "found its ideas", "overwhelmingly favourable", "The framework resonated",
    "its most praised feature", "learned how commissioning and provider organisations work",
    "a reason to change rather than a reason for despair", "learned from colleagues in other regions",
    "had passed on what they learned to their own networks", "described concrete changes at work",
    "outlasted the course",
)
#: The concrete changes the 2013 interviewees described (a typed finding of the 2013 report).
CONCRETE_EXAMPLES = ("services redesigned around what communities can do, proposals drawing directly on the course, "
                     "people who use services brought into design groups from the start")


#: The identity the 2013 codebook declares in ``codebook.yml`` (``identity: lehc-2013``).
IDENTITY = "lehc-2013"


def is_codebook_2013(codebook: Codebook) -> bool:
    """Whether a cohort was coded with the 2013 codebook: by its declared identity, else by its IDs.

    Parameters
    ----------
    codebook : Codebook
        The cohort's codebook (:func:`lehc_report.inputs.codebook.load_codebook`).

    Returns
    -------
    bool
        A codebook that declares an identity is the 2013 one only if it declares
        :data:`IDENTITY` (another codebook that reuses some of its IDs says so by its own
        identity and gets findings written from its data); either way it must have every
        theme of :data:`THEME_IDS` and every code of :data:`CODE_IDS` (the codes the 2013
        chapters count), so that none of their sentences would fall back on a code it
        lacks.  A codebook without an identity (an older file, or one imported from a
        REFI-QDA project, which has no place for it) is judged by its IDs alone.
    """
    if codebook.identity and codebook.identity != IDENTITY:
        return False
    themes = set(codebook.themes["theme_id"])
    codes = set(codebook.codes["code_id"])
    return set(THEME_IDS) <= themes and set(CODE_IDS) <= codes


def finding_sentences(counts_by_item: Mapping[str, Mapping[str, int]], counts: Mapping[str, int],
                      shown: set[str], sources: tuple[str, ...]) -> dict[str, str]:
    """The 2013 findings' sentences, worded from this cohort's counts.

    A source that is absent or withheld is never named with its own count.

    Parameters
    ----------
    counts_by_item : mapping
        Code ID -> subgroup (``"all"``, ``"interview"``, …) -> respondents coded with it.
    counts : mapping
        Subgroup -> respondents in it (``"all"``, ``"interview"``).
    shown : set of str
        Sources the prose may name with their own counts.
    sources : tuple of str
        The sources this cohort has a file for.

    Returns
    -------
    dict
        ``subj_framework_resonates``: "5 respondents" or "5 respondents, among them 3 of
        the 10 interviewees,".
        ``concrete_changes_sentence``: "None of the 19 respondents yet had concrete examples
        of changes made at work."; "Although the interviews took place only a month after
        the course ended, 7 of the 10 interviewees already had concrete examples of changes
        made at work: <examples>." (with " 9 respondents across both sources gave such
        examples." when others did too); "4 of the 12 respondents already had concrete
        examples of changes made at work: <examples>."
        ``community_sentence``: "No respondent commented on effects on communities
        themselves, which it was early to expect."; "Effects on communities themselves were
        not yet visible, as 3 of the 10 interviewees said plainly." (no count supports
        more, so nothing more is said).
    """
    out = {}
    interview_shown = "interview" in shown

    def count(item, subgroup="all"):
        return counts_by_item.get(item, {}).get(subgroup, 0)

    # The framework struck a chord: <subject> said it described ...
    subject = counted(count(FRAMEWORK_RESONATES), "respondents")
    if interview_shown and len(sources) > 1 and count(FRAMEWORK_RESONATES, "interview"):
        subject += f", among them {share_phrase(count(FRAMEWORK_RESONATES, 'interview'), counts['interview'], 'interviewees')},"
    out["subj_framework_resonates"] = subject

    total, by_interview = count(CONCRETE_CHANGES), count(CONCRETE_CHANGES, "interview")
    if total == 0:
        out["concrete_changes_sentence"] = (f"{capitalise(share_phrase(0, counts['all'], 'respondents'))} yet had concrete "
                                            "examples of changes made at work.")
    elif interview_shown and by_interview:
        sentence = (f"Although the interviews took place only a month after the course ended, "
                    f"{share_phrase(by_interview, counts['interview'], 'interviewees')} already had concrete examples "
                    f"of changes made at work: {CONCRETE_EXAMPLES}.")
        if total != by_interview:
            sentence += f" {capitalise(counted(total, 'respondents'))} across both sources gave such examples."
        out["concrete_changes_sentence"] = sentence
    else:
        out["concrete_changes_sentence"] = (f"{capitalise(share_phrase(total, counts['all'], 'respondents'))} already had "
                                            f"concrete examples of changes made at work: {CONCRETE_EXAMPLES}.")

    total, by_interview = count(COMMUNITY_NOT_YET), count(COMMUNITY_NOT_YET, "interview")
    if total == 0:
        out["community_sentence"] = ("No respondent commented on effects on communities themselves, which it was early "
                                     "to expect.")
    else:
        who = share_phrase(by_interview, counts["interview"], "interviewees") if interview_shown and by_interview == total \
            else share_phrase(total, counts["all"], "respondents")
        out["community_sentence"] = f"Effects on communities themselves were not yet visible, as {who} said plainly."
    return out
