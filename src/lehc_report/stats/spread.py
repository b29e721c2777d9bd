"""One tolerance for "no spread": when is a set of values really all the same?

Area scores are means of ratings (e.g. 61/7), so a change that is exactly one point for
everyone can come out of floating-point arithmetic as ``1 +- 4e-16``.  An exact test
``sd == 0`` misses that, and the paired t-test then divides by the noise:
``t(4) = -1530164600965940.2``.  Every test in every stage (paired t, d_z and its
interval, the Bayes factor, Wilcoxon, the repeated-measures ANOVA, Cohen's kappa) asks
this module instead, so a change whose spread is only floating-point noise makes the
test undefined everywhere, and every chapter says so the same way.

The tolerance is relative: values count as equal when their range is at most
:data:`RELATIVE_TOLERANCE` times the largest magnitude (at least 1).  On the rating
scales used here (a change in a mean of k ratings moves in steps of at least
``1 / k**2``, about 0.0003 for an area of 60 behaviours) a real difference is at
least five orders of magnitude above it, and the noise of a mean of even 10,000 values
(about ``1e4 * 2.2e-16 * |x|``) five orders below.  It is the same resolution as the
Wilcoxon code's rounding to 9 decimal places before ranking (:data:`NOISE_DECIMALS`),
but a range test has no rounding boundary: 0.12345678949999 and 0.1234567895 differ
by noise yet round to different 9-decimal values.
"""

from __future__ import annotations

import numpy as np

__all__ = ["RELATIVE_TOLERANCE", "NOISE_DECIMALS", "no_spread", "has_spread"]

#: Values whose range is at most this times max(1, largest |value|) are "all the same".
RELATIVE_TOLERANCE = 1e-9

#: The same resolution as a number of decimal places (for code that rounds, e.g. before
#: ranking: ``np.round(values, NOISE_DECIMALS)``).
NOISE_DECIMALS = 9


def no_spread(values, axis: int | None = 0) -> np.ndarray:
    r"""Whether the values along ``axis`` are all equal up to floating-point noise.

    Parameters
    ----------
    values : array_like of float
        Any shape, e.g. participants x units (rows are observations, columns the
        units: areas, behaviours, codes).  Missing values (NaN) are ignored, so a
        column with missing pairs is judged on the values it has.  Booleans and
        integers (e.g. 0/1 codings) are accepted.
    axis : int or None, default 0
        The axis along which the values are compared (0: down each column);
        ``None`` compares all values of the array.

    Returns
    -------
    numpy.ndarray of bool
        ``values`` reduced along ``axis`` (a 0-d array when ``axis`` is None or the
        input is 1-d): True where

        .. math:: \max_i x_i - \min_i x_i \le \tau \cdot \max(1, \max_i |x_i|),
                  \qquad \tau = 10^{-9},

        i.e. where a statistic that divides by the spread (SD, variance, a rank
        difference, :math:`1 - p_e`) is undefined.  A slice with no non-missing value,
        or with one only, has no spread (True).  A slice holding an infinite value
        is judged as spread-free only if all its values are that same infinity.

    Raises
    ------
    numpy.exceptions.AxisError
        If ``axis`` is out of range for ``values``.

    Notes
    -----
    A relative tolerance on the range, as used for "all values equal" in numerical
    linear algebra (Higham 2002, *Accuracy and Stability of Numerical Algorithms*,
    2nd ed., ch. 1-2: rounding errors of a sum or mean of n values are bounded by
    about :math:`n u \sum |x_i|`, :math:`u = 2^{-53}`).

    Examples
    --------
    >>> no_spread([[1.0, 1.0], [1.0 + 4e-16, 2.0]])
    array([ True, False])
    """
    x = np.asarray(values, dtype=float)
    present = ~np.isnan(x)
    high = np.max(x, axis=axis, initial=-np.inf, where=present)
    low = np.min(x, axis=axis, initial=np.inf, where=present)
    with np.errstate(invalid="ignore"):
        scale = np.maximum(1.0, np.maximum(np.abs(high), np.abs(low)))
        varies = np.where(np.isfinite(scale), (high - low) > RELATIVE_TOLERANCE * scale, high != low)
    varies &= present.any(axis=axis)  # nothing present: nothing varies
    return np.asarray(~varies)


def has_spread(values, axis: int | None = 0) -> np.ndarray:
    """The complement of :func:`no_spread`: True where the values really vary.

    Parameters
    ----------
    values : array_like of float
        As for :func:`no_spread`.
    axis : int or None, default 0
        As for :func:`no_spread`.

    Returns
    -------
    numpy.ndarray of bool
        ``~no_spread(values, axis)``.
    """
    return ~no_spread(values, axis=axis)
