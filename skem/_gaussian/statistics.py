"""Centred sufficient statistics of Gaussian mixtures and their algebra."""

from dataclasses import dataclass

import numpy as np

from .._family import SufficientStatistics, mean_field

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


@dataclass(frozen=True)
class GaussianStats(SufficientStatistics):
    """Centred sufficient statistics of a Gaussian mixture.

    The statistics of two chunks of data combine with the parallel formula of
    Chan, Golub and LeVeque (``+``), so statistics accumulated chunk by chunk
    equal those of the whole data, without the loss of precision of raw
    second moments.

    Attributes
    ----------
    nk : ndarray of shape (n_components,)
        Summed (weighted) responsibilities ``sum_i r_ik``.
    means : ndarray of shape (n_components, n_features)
        Responsibility-weighted means ``sum_i r_ik x_i / nk[k]`` (zero where
        ``nk[k] == 0``).
    scatter : ndarray of shape (n_components, n_features, n_features) or \
            (n_components, n_features)
        Centred scatter ``sum_i r_ik (x_i - means[k])(x_i - means[k])^T``:
        the full matrices, or only their diagonals. For 'tied' statistics from
        :func:`_pooled_tied_statistics` only the sum over the components is
        the true one (the split is merge-consistent; see there).
    """

    nk: np.ndarray
    means: np.ndarray = mean_field()
    scatter: np.ndarray

    def __add__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        nk = self.nk + other.nk
        positive = nk > 0
        # Fractions are zero where both chunks are empty: no 0 / 0.
        frac = np.divide(other.nk, nk, out=np.zeros_like(nk), where=positive)
        delta = other.means - self.means
        means = self.means + delta * frac[:, np.newaxis]
        coef = self.nk * frac
        if self.scatter.ndim == 3:
            cross = np.einsum("ki,kj->kij", delta, delta)
            scatter = self.scatter + other.scatter + cross * coef[:, None, None]
        else:
            scatter = self.scatter + other.scatter + delta**2 * coef[:, np.newaxis]
        return GaussianStats(nk=nk, means=means, scatter=scatter)
