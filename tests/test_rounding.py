"""Display rounding must match the published table: half up, p without a leading zero."""

import pytest

from lehc_report.prose.rounding import format_half_up, format_p, round_half_up


@pytest.mark.parametrize(
    "value, places, expected",
    [
        (7.625, 2, "7.63"),  # Flexibility and Openness end mean, published as 7.63
        (0.125, 2, "0.13"),  # exact binary tie: half to even would give 0.12
        (6.4166666, 2, "6.42"),
        (-7.7992, 3, "-7.799"),
        (-6.2671, 3, "-6.267"),
        (2.5, 0, "3"),
        (-0.0004, 3, "0.000"),  # no "-0.000"
    ],
)
def test_format_half_up(value, places, expected):
    assert format_half_up(value, places) == expected


def test_python_default_rounding_differs_on_the_published_tie():
    # The reason this module exists: Python rounds the exact tie 7.625 to even.
    assert f"{7.625:.2f}" == "7.62"
    assert round_half_up(7.625, 2) == 7.63


@pytest.mark.parametrize("p, expected", [(0.00005, ".000"), (0.000241, ".000"), (0.00275, ".003"), (0.0025897, ".003"), (0.5, ".500"), (1.0, "1.000")])
def test_format_p_like_the_published_table(p, expected):
    assert format_p(p) == expected
