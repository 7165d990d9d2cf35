"""Rounding-error bounds, from which the tests derive their tolerances.

A helper for the tests (not a test module). A sum of ``m`` products computed
in floating point, in any order (so by any BLAS kernel: blocked, vectorized,
with fused multiply-adds), is within ``gamma(m) * sum_i |x_i| |y_i|`` of the
exact sum, ``gamma(m) = m u / (1 - m u)``, ``u`` the unit roundoff (Higham,
*Accuracy and Stability of Numerical Algorithms*, 2nd ed., eq. 3.5). Operands
rounded ``k`` times on the way (centred, squared, scaled) add ``k`` to ``m``.
A tolerance tuned on one machine is no such bound: OpenBLAS's kernels for
other CPUs sum in other orders.
"""

import numpy as np

__all__ = ["gamma", "unit_roundoff"]


def unit_roundoff(dtype):
    """``u``: 2**-24 for float32, 2**-53 for float64."""
    return float(np.finfo(dtype).eps) / 2


def gamma(m, dtype):
    """``m u / (1 - m u)``: bound on the relative error of ``m`` roundings."""
    mu = m * unit_roundoff(dtype)
    assert mu < 1, "no bound: m * u >= 1"
    return mu / (1 - mu)
