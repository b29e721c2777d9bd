"""What the coded texts say: theme tallies, themes by question, code co-occurrence,
the quote bank and respondent profiles.

Every count is of the analysis coder's codings (``coder``, set by ``analysis_coder`` in
``analysis.yml``; coder A by the data contract).  Tallies count respondents, not
segments: a person who raises a theme five times counts once.  The method is the
respondent-level frequency count of qualitative content analysis (Miles, Huberman and
Saldaña, *Qualitative Data Analysis*, 3rd ed., 2014, ch. 11).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from lehc_report.inputs.qualitative import CODERS, GROUPS, QUESTIONS, RESPONDENTS_FILE, SOURCES, QualitativeData

__all__ = [
    "PRIMARY_CODER",
    "code_cooccurrence",
    "coder_codings",
    "group_sizes",
    "quote_bank",
    "respondent_profiles",
    "segment_code_matrix",
    "survey_theme_by_question",
    "theme_tally",
]

#: The coder whose codes are analysed unless ``analysis.yml`` names another.
PRIMARY_CODER = CODERS[0]
#: Quotations the quote bank takes per theme, at most.
QUOTES_PER_THEME = 3


def group_sizes(respondents: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Each breakdown's group sizes: the partitions of the respondents the tally uses.

    Parameters
    ----------
    respondents : DataFrame
        The register (``respondents.csv``): one row per respondent, columns ``source``
        and ``group``.

    Returns
    -------
    dict
        ``{"overall": {"all": n}, "source": {"survey": n, "interview": n},
        "group": {"professional": n, "uses_services": n}}`` (respondents).
    """
    return {
        "overall": {"all": len(respondents)},
        "source": {s: int((respondents["source"] == s).sum()) for s in SOURCES},
        "group": {g: int((respondents["group"] == g).sum()) for g in GROUPS},
    }

_BREAKDOWN_CELLS = pd.DataFrame(
    [("overall", "all")]
    + [("source", s) for s in SOURCES]
    + [("group", g) for g in GROUPS],
    columns=["breakdown", "subgroup"],
)


def coder_codings(data: QualitativeData, coder: str = PRIMARY_CODER) -> pd.DataFrame:
    """One coder's codings joined to their theme and segment.

    Parameters
    ----------
    data : QualitativeData
    coder : str
        The coder (``"A"`` or ``"B"`` in ``codings.csv``).

    Returns
    -------
    DataFrame, one row per coding: segment_id, coder, code_id, exemplar, theme_id,
    respondent_id, source, topic, text.
    """
    codings = data.codings[data.codings["coder"].eq(coder)]
    return codings.merge(
        data.codebook.codes[["code_id", "theme_id"]], on="code_id", how="left",
        validate="many_to_one",
    ).merge(
        data.segments[["segment_id", "respondent_id", "source", "topic", "text"]],
        on="segment_id", how="left", validate="many_to_one",
    )


def _items(data: QualitativeData) -> pd.DataFrame:
    """Themes then codes, in codebook order: level, id, name, _order."""
    themes = data.codebook.themes.rename(columns={"theme_id": "id"}).assign(level="theme")
    codes = data.codebook.codes.rename(columns={"code_id": "id"}).assign(level="code")
    items = pd.concat([themes[["level", "id", "name"]], codes[["level", "id", "name"]]],
                      ignore_index=True)
    return items.assign(_order=np.arange(len(items)))


def theme_tally(data: QualitativeData, coder: str = PRIMARY_CODER) -> pd.DataFrame:
    """Distinct respondents with at least one coding of each theme and code.

    Parameters
    ----------
    data : QualitativeData
    coder : str
        The analysis coder (``analysis_coder`` in ``analysis.yml``).

    Returns
    -------
    DataFrame
        Long format, one row per item and subgroup: level ('theme'|'code'), id, name,
        breakdown ('overall'|'source'|'group'), subgroup ('all'; 'survey'|'interview';
        'professional'|'uses_services'), count (respondents), n (respondents in the
        register in that subgroup), share (count / n; NaN when n is 0).  Rows: themes then
        codes in codebook order; within each item overall, source, group.  Every
        combination is present, with count 0 where nobody was coded.
    """
    coded = coder_codings(data, coder)
    hits = pd.concat(
        [
            coded[["respondent_id", "theme_id"]].rename(columns={"theme_id": "id"})
            .assign(level="theme"),
            coded[["respondent_id", "code_id"]].rename(columns={"code_id": "id"})
            .assign(level="code"),
        ],
        ignore_index=True,
    )
    resp = data.respondents
    membership = pd.concat(
        [
            resp[["respondent_id"]].assign(breakdown="overall", subgroup="all"),
            resp[["respondent_id", "source"]].rename(columns={"source": "subgroup"})
            .assign(breakdown="source"),
            resp[["respondent_id", "group"]].rename(columns={"group": "subgroup"})
            .assign(breakdown="group"),
        ],
        ignore_index=True,
    )
    counts = (
        hits.merge(membership, on="respondent_id", how="inner")
        .groupby(["level", "id", "breakdown", "subgroup"])["respondent_id"]
        .nunique()
        .rename("count")
        .reset_index()
    )
    n = membership.groupby(["breakdown", "subgroup"])["respondent_id"].nunique().rename("n")
    cells = _BREAKDOWN_CELLS.assign(_cell=np.arange(len(_BREAKDOWN_CELLS)))
    table = (
        _items(data)
        .merge(cells, how="cross")
        .merge(counts, on=["level", "id", "breakdown", "subgroup"], how="left")
        .merge(n.reset_index(), on=["breakdown", "subgroup"], how="left")
        .sort_values(["_order", "_cell"], kind="stable")
    )
    table["count"] = table["count"].fillna(0).astype(int)
    table["n"] = table["n"].fillna(0).astype(int)
    table["share"] = table["count"].div(table["n"].where(table["n"] > 0))
    return table[["level", "id", "name", "breakdown", "subgroup", "count", "n", "share"]
                 ].reset_index(drop=True)


def survey_theme_by_question(data: QualitativeData, coder: str = PRIMARY_CODER) -> pd.DataFrame:
    """Themes x survey questions: respondents with a coding of the theme in their answer.

    Parameters
    ----------
    data : QualitativeData
    coder : str
        The analysis coder.

    Returns
    -------
    DataFrame
        Index: MultiIndex (theme_id, theme_name) in codebook order; columns: the survey
        questions (``QUESTIONS``) named 'question'; integer counts of respondents, 0 where none.
    """
    coded = coder_codings(data, coder)
    coded = coded[coded["source"].eq("survey")]
    themes = data.codebook.themes
    table = (
        coded.groupby(["theme_id", "topic"])["respondent_id"].nunique()
        .unstack("topic")
        .reindex(index=themes["theme_id"], columns=list(QUESTIONS))
        .fillna(0)
        .astype(int)
    )
    table.index = pd.MultiIndex.from_frame(
        themes[["theme_id", "name"]].rename(columns={"name": "theme_name"})
    )
    table.columns.name = "question"
    return table


def segment_code_matrix(pairs: pd.DataFrame, index: Sequence[str], codes: Sequence[str]) -> np.ndarray:
    """Boolean segment x code matrix from (segment_id, code_id) pairs.

    Parameters
    ----------
    pairs : DataFrame
        Columns ``segment_id`` and ``code_id``; pairs outside ``index`` or ``codes`` are ignored.
    index : sequence of str
        The segments (rows), in order.
    codes : sequence of str
        The codes (columns), in order.

    Returns
    -------
    ndarray of bool, shape (len(index), len(codes)): True where the code was applied.
    """
    matrix = np.zeros((len(index), len(codes)), dtype=bool)
    rows = pd.Index(index).get_indexer(pairs["segment_id"])
    cols = pd.Index(codes).get_indexer(pairs["code_id"])
    keep = (rows >= 0) & (cols >= 0)
    matrix[rows[keep], cols[keep]] = True
    return matrix


def code_cooccurrence(data: QualitativeData, coder: str = PRIMARY_CODER) -> pd.DataFrame:
    """Code x code: segments to which the coder applied both codes.

    Parameters
    ----------
    data : QualitativeData
    coder : str
        The analysis coder.

    Returns
    -------
    DataFrame, square
        Index and columns: code_id in codebook order (named 'code_id'); integer counts of
        segments; the diagonal counts the segments with that code at all.
    """
    codes = data.codebook.codes["code_id"].tolist()
    coded = data.codings[data.codings["coder"].eq(coder)]
    x = segment_code_matrix(coded, data.segments["segment_id"], codes).astype(int)
    index = pd.Index(codes, name="code_id")
    return pd.DataFrame(x.T @ x, index=index, columns=index.copy())


def quote_bank(data: QualitativeData, max_per_theme: int = QUOTES_PER_THEME, coder: str = PRIMARY_CODER) -> pd.DataFrame:
    """Exemplar quotes per theme, from consenting respondents only.

    Candidates are the coder's codings marked exemplar=yes whose respondent has
    consent_to_quote == 'yes'.  Per theme, at most ``max_per_theme`` segments are taken,
    preferring distinct respondents (a respondent's second quote is taken only after
    every other respondent's first).

    Parameters
    ----------
    data : QualitativeData
    max_per_theme : int
        Quotations per theme, at most (0 or more).
    coder : str
        The analysis coder (only coder A marks exemplars in the data contract).

    Returns
    -------
    DataFrame
        Columns: quote_id ('<theme_id>-<k>'), theme_id, code_id, text, attribution
        (role_label only; never IDs, gender or self-assessment).  Order: theme order in
        the codebook, then code order, then segment_id.

    Raises
    ------
    ValueError
        ``max_per_theme`` is negative.
    """
    if max_per_theme < 0:
        raise ValueError("max_per_theme must be 0 or more")
    columns = ["quote_id", "theme_id", "code_id", "text", "attribution"]
    coded = coder_codings(data, coder)
    coded = coded[coded["exemplar"].eq("yes")].merge(
        data.respondents[["respondent_id", "consent_to_quote", "role_label"]],
        on="respondent_id", how="left", validate="many_to_one",
    )
    coded = coded[coded["consent_to_quote"].eq("yes")]
    theme_pos = {t: i for i, t in enumerate(data.codebook.themes["theme_id"])}
    code_pos = {c: i for i, c in enumerate(data.codebook.codes["code_id"])}
    coded = coded.assign(
        _theme=coded["theme_id"].map(theme_pos), _code=coded["code_id"].map(code_pos)
    ).sort_values(["_theme", "_code", "segment_id"], kind="stable")
    coded = coded.drop_duplicates(["theme_id", "segment_id"], keep="first")
    coded["_repeat"] = coded.groupby(["theme_id", "respondent_id"]).cumcount()
    picked = (
        coded.sort_values(["_theme", "_repeat", "_code", "segment_id"], kind="stable")
        .groupby("theme_id", sort=False)
        .head(max_per_theme)
        .sort_values(["_theme", "_code", "segment_id"], kind="stable")
    )
    picked = picked.assign(
        quote_id=picked["theme_id"]
        + "-"
        + (picked.groupby("theme_id").cumcount() + 1).astype(str),
        attribution=picked["role_label"],
    )
    return picked[columns].reset_index(drop=True) if len(picked) else pd.DataFrame(
        columns=columns
    )


def respondent_profiles(data: QualitativeData, respondent_ids: Iterable[str], coder: str = PRIMARY_CODER) -> pd.DataFrame:
    """Profiles for case studies, in the order asked (internal use: do not print the index).

    Parameters
    ----------
    data : QualitativeData
    respondent_ids : iterable of str
        Respondents from the register.
    coder : str
        The analysis coder.

    Returns
    -------
    DataFrame
        Index: respondent_id.  Columns: role_label, source, group, self_assessment_id
        ('' if none), n_segments, themes and codes (tuples of the coder's theme/code ids in
        codebook order).

    Raises
    ------
    KeyError
        An ID is not in the register.
    """
    ids = list(respondent_ids)
    resp = data.respondents.set_index("respondent_id")
    unknown = [i for i in ids if i not in resp.index]
    if unknown:
        raise KeyError(f"not in {RESPONDENTS_FILE}: {', '.join(map(str, unknown))}")
    coded = coder_codings(data, coder)
    coded = coded[coded["respondent_id"].isin(ids)]
    code_pos = {c: i for i, c in enumerate(data.codebook.codes["code_id"])}
    theme_pos = {t: i for i, t in enumerate(data.codebook.themes["theme_id"])}

    def ordered(values: pd.Series, pos: Mapping[str, int]) -> tuple[str, ...]:
        return tuple(sorted(set(values), key=pos.__getitem__))

    codes = coded.groupby("respondent_id")["code_id"].agg(ordered, pos=code_pos)
    themes = coded.groupby("respondent_id")["theme_id"].agg(ordered, pos=theme_pos)
    n_segments = data.segments.groupby("respondent_id")["segment_id"].nunique()
    profile = resp.loc[ids, ["role_label", "source", "group", "self_assessment_id"]].copy()
    profile["n_segments"] = n_segments.reindex(ids).fillna(0).astype(int).to_numpy()
    profile["themes"] = [themes.get(i, ()) for i in ids]
    profile["codes"] = [codes.get(i, ()) for i in ids]
    return profile
