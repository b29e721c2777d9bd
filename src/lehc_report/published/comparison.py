"""The reproduced self-assessment results set beside the published 2013 Appendix 3, cell by cell."""

from __future__ import annotations

import pandas as pd

from lehc_report.published.appendix3 import APPENDIX3_AREAS, APPENDIX3_SIGNIFICANT, PUBLISHED_PLACES
from lehc_report.prose.rounding import format_half_up, format_p


def display_value(statistic: str, value: float) -> str:
    """A reproduced value at the published precision, rounded half up.

    Parameters
    ----------
    statistic : str
        A column of the published table (``"mean_start"``, ``"t"``, ``"df"``, ``"p"``).
    value : float

    Returns
    -------
    str
        As the 2013 report would print it (``".003"``, ``"-4.264"``, ``"8"``).
    """
    if statistic == "p":
        return format_p(value, PUBLISHED_PLACES["p"])
    if statistic == "df":
        return str(int(value))
    return format_half_up(value, PUBLISHED_PLACES[statistic])


def compare_with_published(areas: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Cell-by-cell comparison of the reproduced Appendix 3 with the printed one.

    Parameters
    ----------
    areas : DataFrame
        :func:`area_table` output for the 2013 areas.
    counts : DataFrame
        :func:`significant_counts` output for the same areas.

    Returns
    -------
    DataFrame
        One row per published cell: ``area_id``, ``statistic``, ``published`` (as printed),
        ``reproduced`` (printed the same way), ``value`` (unrounded) and ``match``.
    """
    published = APPENDIX3_AREAS.melt(id_vars="area_id", var_name="statistic", value_name="published")
    reproduced = areas.melt(id_vars=["area_id"], value_vars=list(APPENDIX3_AREAS.columns[1:]), var_name="statistic", value_name="value")
    merged = published.merge(reproduced, on=["area_id", "statistic"], how="left")
    merged["reproduced"] = [display_value(s, v) for s, v in zip(merged["statistic"], merged["value"])]
    sig_pub = APPENDIX3_SIGNIFICANT.assign(statistic="n_significant", published=lambda d: d["n_significant"].astype(str))
    sig = sig_pub[["area_id", "statistic", "published"]].merge(
        counts[["area_id", "n_significant"]].rename(columns={"n_significant": "value"}), on="area_id", how="left"
    )
    sig["reproduced"] = sig["value"].map(lambda v: str(int(v)))
    out = pd.concat([merged, sig], ignore_index=True)
    out["match"] = out["published"] == out["reproduced"]
    return out[["area_id", "statistic", "published", "reproduced", "value", "match"]]
