"""The figures published in the 2013 report's Appendix 3, exactly as printed.

Kept as printed strings: a published ".000" is a display, not the number zero.
"""

from __future__ import annotations

import pandas as pd

#: Area table of Appendix 3 (t computed start minus end, hence negative).
APPENDIX3_AREAS = pd.DataFrame(
    [
        ("SI", "7.56", "0.44", "8.56", "0.52", "-7.799", "8", ".000"),
        ("DT", "6.42", "0.63", "7.43", "0.63", "-6.256", "8", ".000"),
        ("FC", "6.51", "0.57", "7.52", "0.61", "-4.264", "8", ".003"),
        ("FO", "6.90", "0.61", "7.63", "0.52", "-4.307", "8", ".003"),
    ],
    columns=["area_id", "mean_start", "sd_start", "mean_end", "sd_end", "t", "df", "p"],
)

#: Behaviours per area with a per-behaviour paired test p < .05, as published.
APPENDIX3_SIGNIFICANT = pd.DataFrame(
    [("SI", 7, 5), ("DT", 12, 4), ("FC", 11, 4), ("FO", 8, 2)],
    columns=["area_id", "n_behaviours", "n_significant"],
)

#: Participants who completed both self-assessments (Methodology).
PUBLISHED_N_COMPLETE = 9

#: The significance level of the published counts of significant behaviours.
PUBLISHED_ALPHA = 0.05

#: Decimal places of each published statistic.
PUBLISHED_PLACES = {"mean_start": 2, "sd_start": 2, "mean_end": 2, "sd_end": 2, "t": 3, "p": 3}
