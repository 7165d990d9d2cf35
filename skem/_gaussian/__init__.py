"""Gaussian mixtures: the family and its estimator.

``statistics``
    Centred sufficient statistics and Chan's merge.
``kernels``
    Log-densities and statistics of complete rows, pooled with exact
    fallbacks.
``covariances``
    The four covariance types: M-step, precisions, Cholesky factors.
``missing``
    Rows with missing entries: patterns, marginals, expected statistics.
``family``
    :class:`GaussianFamily`, what the EM engine sees.
``estimator``
    :class:`GaussianMixtureEM`, the public shell.
"""

from .estimator import GaussianMixtureEM
from .family import GaussianFamily

__all__ = ["GaussianFamily", "GaussianMixtureEM"]
