"""Agreement between two coders on the double-coded segments.

Each double-coded segment and each code of the codebook form one reliability unit: a
yes/no decision, by each coder, on whether the code applies.  Per code: percent
agreement and Cohen's kappa (Cohen 1960, "A coefficient of agreement for nominal
scales", *Educational and Psychological Measurement* 20: 37-46); over all units:
Krippendorff's alpha for nominal data (Krippendorff, *Content Analysis*, 2nd ed.,
2004, ch. 11), computed by the ``krippendorff`` package.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd

from lehc_report.inputs.qualitative import CODERS, QualitativeData
from lehc_report.stats.tally import segment_code_matrix

__all__ = ["agreement_units", "intercoder_agreement", "krippendorff_alpha_nominal"]

#: The analysis coder and the second coder of the data contract (``codings.csv``).
FIRST_CODER, SECOND_CODER = CODERS


def _agreement_matrices(
    data: QualitativeData,
) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    sample = data.double_coded["segment_id"].tolist()
    codes = data.codebook.codes["code_id"].tolist()
    a = segment_code_matrix(data.codings[data.codings["coder"].eq(FIRST_CODER)], sample, codes)
    b = segment_code_matrix(data.codings[data.codings["coder"].eq(SECOND_CODER)], sample, codes)
    return sample, codes, a, b


def agreement_units(data: QualitativeData) -> pd.DataFrame:
    """The reliability units: each double-coded segment x each codebook code.

    Parameters
    ----------
    data : QualitativeData

    Returns
    -------
    DataFrame
        Columns: segment_id, code_id, coder_a, coder_b (1 = code applied, 0 = not).
        Segment-major order (sample order, then codebook order).
    """
    sample, codes, a, b = _agreement_matrices(data)
    return pd.DataFrame(
        {
            "segment_id": np.repeat(np.asarray(sample, dtype=object), len(codes)),
            "code_id": np.tile(np.asarray(codes, dtype=object), len(sample)),
            "coder_a": a.ravel().astype(int),
            "coder_b": b.ravel().astype(int),
        }
    )


def intercoder_agreement(data: QualitativeData) -> pd.DataFrame:
    """Per-code agreement between coders A and B on the double-coded segments.

    Each (double-coded segment x code) is a present/absent decision by each coder.
    Cohen's kappa = (po - pe) / (1 - pe), with pe from each coder's own marginal rates
    (Cohen 1960).

    Parameters
    ----------
    data : QualitativeData

    Returns
    -------
    DataFrame, one row per code in codebook order
        Columns: code_id, theme_id, name, n_units (double-coded segments), n_a, n_b
        (segments where each coder applied the code), n_both, percent_agreement (0-100),
        cohen_kappa; NaN where undefined (pe == 1: both coders constant and identical, or
        no units).
    """
    _, codes, a, b = _agreement_matrices(data)
    n = a.shape[0]
    n_a, n_b = a.sum(axis=0), b.sum(axis=0)
    agree = (a == b).sum(axis=0)
    # kappa = (po - pe) / (1 - pe) with po = agree / n and
    # pe = (n_a/n)(n_b/n) + (1 - n_a/n)(1 - n_b/n).  Multiplying through by n**2 keeps
    # it in integers, so pe == 1 is tested exactly and a kappa of 0 is exactly 0:
    # kappa = (n * agree - e) / (n**2 - e), with e = n_a n_b + (n - n_a)(n - n_b).
    e = n_a * n_b + (n - n_a) * (n - n_b)
    denominator = n * n - e
    undefined = denominator == 0  # pe == 1 (both coders constant and equal), or n == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        po = agree / n if n else np.full(len(codes), np.nan)
        kappa = np.where(undefined, np.nan, (n * agree - e) / np.where(undefined, 1, denominator))
    table = data.codebook.codes[["code_id", "theme_id", "name"]].copy()
    table["n_units"] = n
    table["n_a"] = n_a
    table["n_b"] = n_b
    table["n_both"] = (a & b).sum(axis=0)
    table["percent_agreement"] = 100 * po
    table["cohen_kappa"] = kappa
    return table.reset_index(drop=True)


def krippendorff_alpha_nominal(data: QualitativeData) -> float:
    """Krippendorff's alpha (nominal) over all (double-coded segment x code) units.

    Method: Krippendorff (2004), *Content Analysis*, 2nd ed., ch. 11; computed by the
    ``krippendorff`` package.

    Parameters
    ----------
    data : QualitativeData

    Returns
    -------
    float
        Alpha over reliability data of 2 coders x units with values 0/1; NaN when
        undefined (no units, or only one value observed anywhere, so there is no variation
        to agree on).
    """
    _, _, a, b = _agreement_matrices(data)
    reliability = np.vstack([a.ravel(), b.ravel()]).astype(float)
    if reliability.shape[1] == 0 or np.unique(reliability).size < 2:
        return float("nan")
    return float(
        krippendorff.alpha(reliability_data=reliability, level_of_measurement="nominal")
    )
