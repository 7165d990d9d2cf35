"""Gaussian mixtures with full, tied, diagonal or spherical covariances."""

import math
import warnings
from dataclasses import dataclass
from numbers import Real

import numpy as np
from scipy import linalg
from scipy.linalg import blas
from sklearn.utils.validation import validate_data

from ._base import (
    BaseMixtureEM,
    SufficientStatistics,
    check_shape,
    check_weights_init,
    mean_field,
    nan_mask,
)
from ._blocks import RowData, converted_per_block
from ._compat import Interval, StrOptions
from ._degeneracy import gaussian_degeneracy

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")

_SINGULAR_COVARIANCE_MESSAGE = (
    "Fitting the mixture model failed because some components have "
    "ill-defined empirical covariance (for instance caused by singleton "
    "or collapsed samples). Try to decrease the number of components, "
    "increase reg_covar, or scale the input data."
)


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


# ----------------------------------------------------------------------
# The math, as pure functions
# ----------------------------------------------------------------------
def _estimate_gaussian_statistics(X, resp, covariance_type, design=None):
    """Centred statistics of weighted responsibilities.

    'full' and 'tied' are computed in two passes per component (centred on
    each component's mean). 'diag' and 'spherical' are computed from X centred
    once by a pooled centre (:class:`DiagonalDesign`), in one product with
    every component; a component whose mean lies too many standard deviations
    from that centre for the shortcut to be exact to about 1e-11 is recomputed
    by the exact two-pass path.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
        Responsibilities, already multiplied by any sample weights.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
        'full' and 'tied' keep full scatter matrices, 'diag' and 'spherical'
        only their diagonals.
    design : DiagonalDesign or None, default=None
        For 'diag' and 'spherical': ``X`` already centred (as built for the
        log-densities of the same block); built from ``X`` when None.

    Returns
    -------
    stats : GaussianStats
    """
    resp = np.asarray(resp, dtype=np.float64)
    if covariance_type in ("diag", "spherical"):
        if design is None:
            design = DiagonalDesign.from_data(X)
        return _diagonal_statistics(X, resp, design)
    nk = resp.sum(axis=0)
    n_components, n_features = resp.shape[1], X.shape[1]
    means = np.divide(
        resp.T @ X,
        nk[:, np.newaxis],
        out=np.zeros((n_components, n_features)),
        where=nk[:, np.newaxis] > 0,
    )
    scatter = np.empty((n_components, n_features, n_features))
    diff = np.empty(X.shape)  # reused: one buffer, in place
    for k in range(n_components):
        np.subtract(X, means[k], out=diff)
        scatter[k] = (resp[:, k] * diff.T) @ diff
    return GaussianStats(nk=nk, means=means, scatter=scatter)


# ----------------------------------------------------------------------
# 'diag' and 'spherical': every component in one product
# ----------------------------------------------------------------------
#: Largest distance, in standard deviations, of a component's mean from the
#: pooled centre for which the one-product kernels are used. Their cancellation
#: error is about ``(distance / sd)**2 * eps`` per term (2e-11 here; summed
#: statistics measured 1e-9 relative at 500 sd, hence the lower bound).
#: Components further away take the exact per-component path.
_POOLED_MAX_SPREADS = 300.0

#: The same bound for float32 data, whose kernels compute in float32: an
#: error of ``(distance / sd)**2 * 6e-8`` (2e-5 here) per term is still well
#: below what float32 data resolve.
_POOLED_MAX_SPREADS_FLOAT32 = 20.0


def working_dtype(X):
    """float32 for float32 data (kernels compute in float32), else float64."""
    return np.dtype(np.float32 if X.dtype == np.float32 else np.float64)


def _pooled_max_spreads(dtype):
    """The pooled kernels' bound on a component's distance, for data of ``dtype``."""
    return _POOLED_MAX_SPREADS_FLOAT32 if dtype == np.float32 else _POOLED_MAX_SPREADS


#: Rows of each float32 product summed before the sums go on in float64.
#: (More than the rows of an engine block: chunking the Fortran-ordered
#: operands by rows made numpy's products 4 times slower.)
_FLOAT32_PRODUCT_ROWS = 65536

#: Rows of each step of :func:`_pooled_full_statistics` on float32 data.
_FLOAT32_FULL_STEP = 4096


def _sum_of_products(left, right):
    """``left.T @ right`` in float64, also for float32 operands.

    Float32 products over many rows lose precision as their rows grow: a
    product of ``m`` rows errs by up to ``gamma(m) = m u / (1 - m u)`` (``u =
    2**-24``) times ``|left|.T @ |right|``, by any BLAS kernel, and a float32
    sum of all rows can overflow. Products of at most
    ``_FLOAT32_PRODUCT_ROWS`` rows, added up in float64, keep the error
    within ``gamma(65536) = 3.9e-3`` of those absolute sums (1e-7 to 1e-5
    relative measured, depending on the kernel) while still running float32
    GEMMs.
    """
    if left.dtype == np.float64 or right.dtype == np.float64:
        return np.asarray(left.T @ right, dtype=np.float64)
    n_rows = left.shape[0]
    if n_rows <= _FLOAT32_PRODUCT_ROWS:
        return (left.T @ right).astype(np.float64)
    total = np.zeros((left.shape[1], right.shape[1]))
    for start in range(0, n_rows, _FLOAT32_PRODUCT_ROWS):
        stop = start + _FLOAT32_PRODUCT_ROWS
        total += left[start:stop].T @ right[start:stop]
    return total


def _column_sums(values):
    """``values.sum(axis=0)`` in float64, also for float32 values.

    Fortran-ordered float32 columns are summed pairwise by numpy (error about
    ``log2(rows) * 6e-8``) before the cast; other float32 arrays take numpy's
    slower float64 casting loop.
    """
    if values.dtype == np.float64:
        return values.sum(axis=0)
    if values.flags.f_contiguous:
        return values.sum(axis=0).astype(np.float64)
    return values.sum(axis=0, dtype=np.float64)


def _add_product(a, b, c):
    """``c += a @ b`` in place (numpy has no such product), in BLAS.

    ``a`` C- or Fortran-ordered, ``b`` and ``c`` Fortran-ordered, all of
    ``c``'s dtype (float32 data run the float32 GEMM).
    """
    gemm = blas.get_blas_funcs("gemm", (c,))
    if a.flags.f_contiguous:
        result = gemm(1.0, a, b, beta=1.0, c=c, overwrite_c=1)
    else:
        result = gemm(1.0, a.T, b, beta=1.0, c=c, trans_a=1, overwrite_c=1)
    if not np.shares_memory(result, c):  # BLAS worked on a copy
        c[...] = result


@dataclass(frozen=True)
class DiagonalDesign:
    """A block's rows centred once, for the diagonal kernels.

    ``columns = [X - centre, (X - centre)**2]`` gives, in one product each,
    every component's log-density and every component's ``sum r (x - c)``
    and ``sum r (x - c)**2``. Centring by a pooled ``centre`` rather than by
    each component's mean leaves a cancellation error of about ``((mu_k -
    centre) / sigma_k)**2 * eps``, which the kernels check. (In Fortran
    order, so that both halves are written column by column; one product
    of both halves is as fast as one of each.)

    Attributes
    ----------
    centre : ndarray of shape (n_features,)
    columns : ndarray of shape (n_samples, 2 * n_features), Fortran order
    """

    centre: np.ndarray
    columns: np.ndarray

    @property
    def centred(self):
        """``X - centre``, shape (n_samples, n_features)."""
        return self.columns[:, : self.columns.shape[1] // 2]

    @property
    def squares(self):
        """``(X - centre)**2``, shape (n_samples, n_features)."""
        return self.columns[:, self.columns.shape[1] // 2 :]

    @classmethod
    def build(cls, X, centre):
        dtype = working_dtype(X)
        rounded = np.asarray(centre, dtype=dtype)
        n_samples, n_features = X.shape
        columns = np.empty((n_samples, 2 * n_features), dtype=dtype, order="F")
        np.subtract(X, rounded, out=columns[:, :n_features])
        np.square(columns[:, :n_features], out=columns[:, n_features:])
        return cls(centre=rounded.astype(np.float64), columns=columns)

    @classmethod
    def from_parameters(cls, X, means, precisions):
        """Centred on the precision-weighted mean of the component means.

        Weighting by the precisions puts the centre nearest the narrowest
        components, whose distances in standard deviations matter most.
        """
        total = precisions.sum(axis=0)
        centre = np.divide(
            (precisions * means).sum(axis=0),
            total,
            out=means.mean(axis=0),
            where=total > 0,
        )
        return cls.build(X, centre)

    @classmethod
    def from_data(cls, X):
        """Centred on the column means of ``X``."""
        return cls.build(X, np.mean(X, axis=0, dtype=np.float64))


def _diagonal_precisions(precisions_cholesky, n_features):
    """Per-feature precisions (n_components, n_features) of diag or spherical."""
    precisions_cholesky = np.asarray(precisions_cholesky, dtype=np.float64)
    if precisions_cholesky.ndim == 1:
        precisions_cholesky = precisions_cholesky[:, np.newaxis]
    return np.broadcast_to(
        precisions_cholesky**2, (len(precisions_cholesky), n_features)
    )


def _diagonal_log_prob(X, means, precisions_cholesky, covariance_type, design):
    """Log-densities of 'diag' or 'spherical' components, one product.

    ``-0.5 * sum_j p_kj (x_j - mu_kj)**2`` is ``(x - c)**2 @ (-0.5 p_k) +
    (x - c) @ (p_k m_k) - 0.5 sum_j p_kj m_kj**2`` with ``m_k = mu_k - c``;
    the constants join the last row of the coefficients.
    """
    n_features = X.shape[1]
    precisions = _diagonal_precisions(precisions_cholesky, n_features)
    shift = means - design.centre
    log_det = _log_det_cholesky(precisions_cholesky, covariance_type, n_features)
    dtype = design.columns.dtype
    # Linear coefficients for the centred columns, quadratic for the squares.
    factors = np.vstack([(shift * precisions).T, -0.5 * precisions.T])
    constant = (
        -0.5 * (n_features * math.log(2 * math.pi) + (shift**2 * precisions).sum(1))
        + log_det
    )
    # Components first: (n, k) in Fortran order, so that the E-step's
    # reductions over the components run along contiguous rows (4x faster).
    log_prob = np.empty((len(X), len(means)), dtype=dtype, order="F")
    log_prob[:] = constant
    _add_product(design.columns, np.asfortranarray(factors, dtype=dtype), log_prob)
    spreads = np.abs(shift) * np.sqrt(precisions)
    far = np.flatnonzero(spreads.max(axis=1) > _pooled_max_spreads(dtype))
    if far.size:
        log_prob[:, far] = _exact_diagonal_log_prob(
            X, means[far], precisions[far], log_det[far]
        )
    return log_prob


def _exact_diagonal_log_prob(X, means, precisions, log_det):
    """Log-densities from X centred on each component's mean (k passes)."""
    n_features = X.shape[1]
    squared = np.empty((X.shape[0], len(means)))
    diff = np.empty(X.shape)  # reused: one buffer, in place (float64: exact)
    for k in range(len(means)):
        np.subtract(X, means[k], out=diff)
        squared[:, k] = np.square(diff, out=diff) @ precisions[k]
    return -0.5 * (n_features * math.log(2 * math.pi) + squared) + log_det


def _tied_log_prob(X, means, precisions_cholesky, design=None):
    """Log-densities of 'tied' components: one product with ``L``, one with all.

    With ``z = (x - c) @ L`` and ``m_k = (mu_k - c) @ L`` (``c`` the mean of
    the means), the distance ``|z - m_k|**2`` is ``|z|**2 - 2 z @ m_k +
    |m_k|**2``, whose cancellation error is about ``|m_k|**2 * eps``; a
    component more than ``_POOLED_MAX_SPREADS`` Mahalanobis units from ``c``
    takes the exact path ``|(x - mu_k) @ L|**2``.
    """
    n_samples, n_features = X.shape
    log_2pi = n_features * math.log(2 * math.pi)
    log_det = _log_det_cholesky(precisions_cholesky, "tied", n_features)
    if design is None:
        design = CentredRows.build(X, means.mean(axis=0))
    centre = design.centre
    dtype = design.centred.dtype
    precisions_cholesky = np.asarray(precisions_cholesky, dtype=np.float64)
    z = design.centred @ precisions_cholesky.astype(dtype, copy=False)
    shift = (means - centre) @ precisions_cholesky
    constant = -0.5 * (log_2pi + np.einsum("ij,ij->i", shift, shift)) + log_det
    # components first
    log_prob = np.empty((n_samples, len(means)), dtype=dtype, order="F")
    half_squares = np.einsum("ij,ij->i", z, z)
    half_squares *= 0.5
    np.subtract(constant.astype(dtype), half_squares[:, np.newaxis], out=log_prob)
    _add_product(z, np.asfortranarray(shift.T, dtype=dtype), log_prob)
    far = np.flatnonzero(np.sqrt((shift**2).sum(axis=1)) > _pooled_max_spreads(dtype))
    diff = np.empty(X.shape)  # float64: the exact path
    for k in far:
        np.subtract(X, means[k], out=diff)
        y = diff @ precisions_cholesky
        log_prob[:, k] = -0.5 * (log_2pi + np.einsum("ij,ij->i", y, y)) + log_det
    return log_prob


@dataclass(frozen=True)
class CentredRows:
    """A block's rows centred once by a pooled centre ('tied' kernels).

    Attributes
    ----------
    centre : ndarray of shape (n_features,)
    centred : ndarray of shape (n_samples, n_features)
        ``X - centre``.
    """

    centre: np.ndarray
    centred: np.ndarray

    @classmethod
    def build(cls, X, centre):
        return cls(*_centre_rows(X, centre))


def _centre_rows(X, centre):
    """``X - centre`` in the dtype of ``X``, and the centre actually subtracted.

    The centre is rounded to the dtype of ``X`` first (and returned as
    float64), so that statistics about it are exact about the returned one.
    """
    dtype = working_dtype(X)
    rounded = np.asarray(centre, dtype=dtype)
    centred = np.empty(X.shape, dtype=dtype)
    np.subtract(X, rounded, out=centred)
    return rounded.astype(np.float64), centred


def _pooled_tied_statistics(X, resp, design=None):
    """'tied' statistics with one (n_features, n_features) product in all.

    The tied M-step needs only the sum over the components of the scatters.
    About a centre ``c``, component ``k``'s scatter is ``R_k - C_k`` with
    ``R_k = sum_i r_ik (x_i - c)(x_i - c)^T`` and ``C_k = nk a_k a_k^T``
    (``a_k`` its mean minus ``c``); ``sum_k R_k = (X - c)^T diag(w) (X - c)``,
    ``w`` the rows' total responsibilities, is one product instead of one per
    component. The statistics hold ``scatter[0] = sum_k R_k - C_0`` and
    ``scatter[k] = -C_k`` for the others: *not* the components' own
    scatters, but with the right sum, and, as ``sum_k R_k`` is additive, they
    merge (Chan) and scale exactly like them, component by component, when
    every chunk is centred on the same ``c`` (the model centres on the mean
    of its means). Where the cancellation would lose more than about 1e-11
    (a diagonal entry of the sum more than ``_POOLED_MAX_SPREADS**2`` times
    smaller than before the correction), the exact per-component statistics
    are returned instead.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
        Responsibilities, already multiplied by any sample weights.
    design : CentredRows or None, default=None
        ``X`` already centred; centred on its column means when None.

    Returns
    -------
    stats : GaussianStats
    """
    if design is None:
        design = CentredRows.build(X, np.mean(X, axis=0, dtype=np.float64))
    centred = design.centred
    nk = _column_sums(resp)
    first = _sum_of_products(resp, centred)
    shift = np.divide(
        first,
        nk[:, np.newaxis],
        out=np.zeros_like(first),
        where=nk[:, np.newaxis] > 0,
    )
    row_weights = resp.sum(axis=1)
    raw = _sum_of_products(centred * row_weights[:, np.newaxis], centred)
    raw = (raw + raw.T) / 2
    scatter = -first[:, :, np.newaxis] * shift[:, np.newaxis, :]
    scatter = (scatter + np.swapaxes(scatter, 1, 2)) / 2
    scatter[0] += raw
    total_diagonal = np.diagonal(scatter.sum(axis=0))
    max_spreads = _pooled_max_spreads(centred.dtype)
    if np.any(np.diagonal(raw) > max_spreads**2 * total_diagonal):
        return _estimate_gaussian_statistics(X, resp, "full")
    means = _offset_means(design.centre, shift, nk)
    return GaussianStats(nk=nk, means=means, scatter=scatter)


#: Bytes of the block of products ``x_i x_j`` built at a time by
#: :func:`_pooled_full_statistics`: small enough to stay in cache.
_PRODUCTS_BYTES = 2**22


def _pooled_full_statistics(X, resp, centre=None):
    """'full' statistics with one product for all components.

    With ``q(x)`` the upper triangle of ``(x - c)(x - c)^T`` (``c`` the column
    means of ``X`` unless given), ``resp^T @ q(X)`` holds every component's
    raw second moments about ``c`` in one product (half the arithmetic of one
    product per component, in larger, faster products), and the scatter is
    ``sum r (x - c)(x - c)^T - nk a a^T`` with ``a`` the mean minus ``c``.
    The products are built features-first, a few thousand rows at a time. A
    component whose diagonal lost more than about 1e-11 to the cancellation
    (raw second moment more than ``_POOLED_MAX_SPREADS**2`` times its scatter)
    is recomputed by the exact two-pass path.

    Returns
    -------
    stats : GaussianStats
        As :func:`_estimate_gaussian_statistics` with ``'full'``.
    """
    n_samples, n_features = X.shape
    n_components = resp.shape[1]
    if centre is None:
        centre = np.mean(X, axis=0, dtype=np.float64)
    dtype = working_dtype(X)
    # Centred on the centre rounded to the dtype of X: exact about it.
    centre = np.asarray(centre, dtype=dtype)
    rows, columns = np.triu_indices(n_features)
    n_products = len(rows)
    step = max(256, _PRODUCTS_BYTES // (dtype.itemsize * n_products))
    if dtype == np.float32:
        step = min(step, _FLOAT32_FULL_STEP)  # float64 sums across steps
    step = min(step, n_samples)
    centred = np.empty((n_features, step), dtype=dtype)
    products = np.empty((n_products, step), dtype=dtype)
    raw = np.zeros((n_products, n_components))
    first = np.zeros((n_features, n_components))
    starts = [0] + [n_features - i for i in range(n_features)]
    offsets = np.cumsum(starts)
    for start in range(0, n_samples, step):
        stop = min(start + step, n_samples)
        m = stop - start
        xc, q = centred[:, :m], products[:, :m]
        np.subtract(X[start:stop].T, centre[:, np.newaxis], out=xc)
        for i in range(n_features):
            np.multiply(xc[i], xc[i:], out=q[offsets[i] : offsets[i + 1]])
        block_resp = resp[start:stop]
        raw += q @ block_resp
        first += xc @ block_resp
    nk = _column_sums(resp)
    centre = centre.astype(np.float64)
    first = first.T
    shift = np.divide(
        first,
        nk[:, np.newaxis],
        out=np.zeros_like(first),
        where=nk[:, np.newaxis] > 0,
    )
    second = np.empty((n_components, n_features, n_features))
    second[:, rows, columns] = raw.T
    second[:, columns, rows] = raw.T
    scatter = second - first[:, :, np.newaxis] * shift[:, np.newaxis, :]
    scatter = (scatter + np.swapaxes(scatter, 1, 2)) / 2
    diagonal = np.arange(n_features)
    lossy = np.flatnonzero(
        (
            second[:, diagonal, diagonal]
            > _pooled_max_spreads(dtype) ** 2 * scatter[:, diagonal, diagonal]
        ).any(axis=1)
    )
    means = _offset_means(centre, shift, nk)
    if lossy.size:
        exact = _estimate_gaussian_statistics(X, resp[:, lossy], "full")
        nk[lossy], means[lossy], scatter[lossy] = exact.nk, exact.means, exact.scatter
    return GaussianStats(nk=nk, means=means, scatter=scatter)


def _offset_means(centre, shift, nk):
    """``centre + shift``, zero for the empty components (as the exact path)."""
    return np.where(nk[:, np.newaxis] > 0, centre + shift, 0.0)


def _diagonal_statistics(X, resp, design):
    """Means and diagonal scatters of every component in one product.

    With ``S1 = sum r (x - c)``, ``S2 = sum r (x - c)**2`` and
    ``a = S1 / nk``, the mean is ``c + a`` and the centred scatter
    ``S2 - S1 a``. Where ``S2`` exceeds the scatter by more than
    ``_POOLED_MAX_SPREADS**2`` (the cancellation lost more than ~1e-11), the
    component is recomputed in two exact passes.
    """
    nk = _column_sums(resp)
    first, squares = np.hsplit(_sum_of_products(resp, design.columns), 2)
    shift = np.divide(
        first,
        nk[:, np.newaxis],
        out=np.zeros_like(first),
        where=nk[:, np.newaxis] > 0,
    )
    means = _offset_means(design.centre, shift, nk)
    scatter = squares - first * shift
    max_spreads = _pooled_max_spreads(design.columns.dtype)
    lossy = np.flatnonzero((squares > max_spreads**2 * scatter).any(axis=1))
    if lossy.size:
        diff = np.empty(X.shape)
        for k in lossy:
            nk[k] = resp[:, k].sum()
            means[k] = resp[:, k] @ X / nk[k] if nk[k] > 0 else 0.0
            np.subtract(X, means[k], out=diff)
            scatter[k] = resp[:, k] @ np.square(diff, out=diff)
    return GaussianStats(nk=nk, means=means, scatter=np.maximum(scatter, 0.0))


def _estimate_gaussian_covariances(stats, reg_covar, covariance_type):
    """Covariances of the M-step, from the statistics only.

    Parameters
    ----------
    stats : GaussianStats
    reg_covar : float
        Added to the diagonal of every covariance.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}

    Returns
    -------
    covariances : ndarray
        Of shape (n_components, n_features, n_features) for 'full',
        (n_features, n_features) for 'tied', (n_components, n_features) for
        'diag' and (n_components,) for 'spherical'.
    """
    nk = stats.nk + 10 * np.finfo(stats.nk.dtype).eps
    n_features = stats.means.shape[1]
    if covariance_type == "full":
        covariances = stats.scatter / nk[:, np.newaxis, np.newaxis]
        covariances[:, np.arange(n_features), np.arange(n_features)] += reg_covar
    elif covariance_type == "tied":
        covariances = stats.scatter.sum(axis=0) / nk.sum()
        covariances.flat[:: n_features + 1] += reg_covar
    elif covariance_type == "diag":
        covariances = stats.scatter / nk[:, np.newaxis] + reg_covar
    else:
        covariances = (stats.scatter / nk[:, np.newaxis] + reg_covar).mean(axis=1)
    return covariances


def _compute_precision_cholesky(covariances, covariance_type):
    """Cholesky factors ``L`` of the precisions, ``precision = L @ L.T``.

    Raises
    ------
    ValueError
        When a covariance is not positive definite (or not finite).
    """
    if not np.all(np.isfinite(covariances)):
        raise ValueError(_SINGULAR_COVARIANCE_MESSAGE)
    if covariance_type in ("diag", "spherical"):
        if np.any(covariances <= 0.0):
            raise ValueError(_SINGULAR_COVARIANCE_MESSAGE)
        return 1.0 / np.sqrt(covariances)
    if covariance_type == "tied":
        return _precision_cholesky_of_matrices(covariances[np.newaxis])[0]
    return _precision_cholesky_of_matrices(covariances)


def _precision_cholesky_of_matrices(covariances):
    """``inv(cholesky(C)).T`` for a stack of matrices, in one batched call.

    One vectorised LAPACK call per M-step instead of one scipy call per
    component: several times faster for the small matrices of a mixture.
    """
    try:
        cov_chol = np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError:
        raise ValueError(_SINGULAR_COVARIANCE_MESSAGE) from None
    eye = np.broadcast_to(np.eye(covariances.shape[-1]), cov_chol.shape)
    return np.swapaxes(np.linalg.solve(cov_chol, eye), -1, -2)


def _precision_cholesky_from_precisions(precisions, covariance_type):
    """Upper-triangular ``U`` with ``precision = U @ U.T``, as scikit-learn's.

    The Cholesky factor of the row- and column-reversed precision, reversed
    back, is upper triangular; it is the factor that
    :func:`_compute_precision_cholesky` gives for the inverse matrix.
    """
    if covariance_type in ("diag", "spherical"):
        return np.sqrt(precisions)

    def factor(precision):
        flipped = precision[::-1, ::-1]
        return linalg.cholesky(flipped, lower=True)[::-1, ::-1].copy()

    if covariance_type == "tied":
        return factor(precisions)
    return np.stack([factor(p) for p in precisions])


def _precisions_from_cholesky(precisions_cholesky, covariance_type):
    """``L @ L.T`` per component (squares for 'diag' and 'spherical')."""
    if covariance_type == "full":
        return precisions_cholesky @ precisions_cholesky.transpose(0, 2, 1)
    if covariance_type == "tied":
        return precisions_cholesky @ precisions_cholesky.T
    return precisions_cholesky**2


def _covariances_from_cholesky(precisions_cholesky, covariance_type):
    """Covariances ``inv(L @ L.T)`` from the precision Cholesky factors."""
    if covariance_type in ("diag", "spherical"):
        return 1.0 / precisions_cholesky**2

    def inverse(chol):
        # precision = U U^T with U upper triangular, so covariance = U^-T U^-1.
        inv = linalg.solve_triangular(chol, np.eye(chol.shape[0]), lower=False)
        covariance = inv.T @ inv
        return (covariance + covariance.T) / 2

    if covariance_type == "tied":
        return inverse(precisions_cholesky)
    return np.stack([inverse(c) for c in precisions_cholesky])


def _log_det_cholesky(precisions_cholesky, covariance_type, n_features):
    """``log det L`` per component, i.e. half the log-det of the precision."""
    if covariance_type == "full":
        diagonals = np.diagonal(precisions_cholesky, axis1=1, axis2=2)
        return np.log(diagonals).sum(axis=1)
    if covariance_type == "tied":
        return np.log(np.diag(precisions_cholesky)).sum()
    if covariance_type == "diag":
        return np.log(precisions_cholesky).sum(axis=1)
    return n_features * np.log(precisions_cholesky)


def _estimate_gaussian_log_prob(
    X, means, precisions_cholesky, covariance_type, design=None
):
    """Log-density of every sample under every component.

    Distances are taken from centred data, so a large common offset of the
    data costs no precision: 'full' and 'tied' as ``(x - mu) @ L`` per
    component; 'diag' and 'spherical' from the data centred once by a pooled
    centre, in one product for all components (:class:`DiagonalDesign`), a
    component too far from that centre taking the per-component path.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    means : ndarray of shape (n_components, n_features)
    precisions_cholesky : ndarray
        Cholesky factors ``L`` of the precisions (``precision = L @ L.T``):
        shape (n_components, n_features, n_features) for 'full',
        (n_features, n_features) for 'tied', (n_components, n_features) for
        'diag' and (n_components,) for 'spherical'.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    design : DiagonalDesign or None, default=None
        For 'diag' and 'spherical': ``X`` already centred; built when None.

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
    """
    n_samples, n_features = X.shape
    if covariance_type in ("diag", "spherical"):
        if design is None:
            design = DiagonalDesign.from_parameters(
                X, means, _diagonal_precisions(precisions_cholesky, n_features)
            )
        return _diagonal_log_prob(
            X, means, precisions_cholesky, covariance_type, design
        )
    if covariance_type == "tied":
        return _tied_log_prob(X, means, precisions_cholesky, design)
    if _FULL_GROUP_COLUMNS // n_features >= 2:
        return _full_log_prob(X, means, precisions_cholesky)
    return _exact_full_log_prob(X, means, precisions_cholesky)


#: Columns of the product of the rows with a group of components' factors
#: (``n_features`` per component): wide enough for an efficient product,
#: narrow enough for the result to stay in cache. With fewer than two
#: components per group (32 features or more) one product per component is
#: as fast. (``benchmarks/run.py``: 1.3 to 1.7 times faster passes at
#: (1,000,000, 2, 5) and (20,000, 10, 500), the same at (100,000, 10, 8).)
_FULL_GROUP_COLUMNS = 64

#: Largest Mahalanobis distance of a component's mean from the centre for
#: which :func:`_full_log_prob` keeps it in the grouped products.
_FULL_MAX_DISTANCE = {np.float64: 1e5, np.float32: 150.0}


def _full_log_prob(X, means, precisions_cholesky):
    """Log-densities of 'full' components, a group of components per product.

    ``(x - mu_k) @ L_k = (x - c) @ L_k - (mu_k - c) @ L_k``: the rows centred
    once on the mean of the means ``c`` go through one product with the
    factors of several components side by side; a subtraction and a square
    in place, and a product with a block of ones sums each component's
    squares. The rounding error of the subtraction is about ``D * eps`` in
    Mahalanobis units, ``D`` the distance of ``mu_k`` from ``c`` (its own
    Mahalanobis units), so the squared distances of the rows near
    ``mu_k`` are off by about ``D * eps``: linear in ``D``, not squared as in
    the pooled diagonal kernels. A component with ``D`` above
    ``_FULL_MAX_DISTANCE`` (1e-11 absolute in float64, 1e-5 in float32)
    takes the exact per-component path.
    """
    n_samples, n_features = X.shape
    n_components = len(means)
    dtype = working_dtype(X)
    chol = np.asarray(precisions_cholesky, dtype=np.float64)
    means = np.asarray(means, dtype=np.float64)
    log_det = _log_det_cholesky(chol, "full", n_features)
    centre, centred = _centre_rows(X, means.mean(axis=0))
    shift = np.einsum("ki,kij->kj", means - centre, chol)  # (mu_k - c) @ L_k
    log_prob = np.empty((n_samples, n_components), dtype=dtype, order="F")
    log_prob[:] = -0.5 * n_features * math.log(2 * math.pi) + log_det
    # [L_1 | L_2 | ...]: (n_features, n_components * n_features)
    factors = chol.transpose(1, 0, 2).reshape(n_features, -1).astype(dtype)
    shift = shift.reshape(-1).astype(dtype)
    group = max(1, _FULL_GROUP_COLUMNS // n_features)
    sums = np.asfortranarray(
        np.kron(np.eye(group), np.full((n_features, 1), -0.5)), dtype=dtype
    )
    for start in range(0, n_components, group):
        stop = min(start + group, n_components)
        columns = slice(start * n_features, stop * n_features)
        y = centred @ factors[:, columns]
        y -= shift[columns]
        np.square(y, out=y)
        _add_product(y, sums[: y.shape[1], : stop - start], log_prob[:, start:stop])
    distances = np.sqrt((shift.reshape(n_components, n_features) ** 2).sum(axis=1))
    far = np.flatnonzero(distances > _FULL_MAX_DISTANCE[dtype.type])
    if far.size:
        log_prob[:, far] = _exact_full_log_prob(X, means[far], precisions_cholesky[far])
    return log_prob


def _exact_full_log_prob(X, means, precisions_cholesky):
    """Log-densities of 'full' components from ``X`` centred on each mean."""
    n_samples, n_features = X.shape
    n_components = means.shape[0]
    dtype = working_dtype(X)
    log_det = _log_det_cholesky(
        np.asarray(precisions_cholesky, dtype=np.float64), "full", n_features
    )
    # Components first (Fortran order), as for the diagonal types.
    log_prob = np.empty((n_samples, n_components), dtype=dtype, order="F")
    diff = np.empty((n_samples, n_features), dtype=dtype)  # one buffer, in place
    means = np.asarray(means, dtype=dtype)
    precisions_cholesky = np.asarray(precisions_cholesky, dtype=dtype)
    for k in range(n_components):
        np.subtract(X, means[k], out=diff)
        y = diff @ precisions_cholesky[k]
        np.einsum("ij,ij->i", y, y, out=log_prob[:, k])
    # -0.5 * (n_features * log(2 pi) + squared) + log_det, in place
    log_prob += n_features * math.log(2 * math.pi)
    log_prob *= -0.5
    log_prob += log_det
    return log_prob


# ----------------------------------------------------------------------
# Missing entries (NaN): marginal densities and expected statistics
# ----------------------------------------------------------------------
def check_features_observed(X, feature_names=None):
    """Raise a ValueError naming the first feature missing (NaN) in every row.

    A numpy array (or memory map) is read in chunks of rows, so no mask of
    the size of ``X`` is ever held; other arrays (dask) reduce themselves.
    """
    if X.shape[0] == 0:  # no sample: every feature would count as never observed
        raise ValueError(
            f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of "
            "1 is required."
        )
    if isinstance(X, np.ndarray):
        never_observed = np.ones(X.shape[1], dtype=bool)
        for chunk in _row_chunks(X):
            never_observed &= np.isnan(chunk).all(axis=0)
    else:
        never_observed = np.asarray(np.isnan(X).all(axis=0))
    if never_observed.any():
        j = int(np.flatnonzero(never_observed)[0])
        name = "" if feature_names is None else f" ({feature_names[j]!r})"
        raise ValueError(
            f"Feature {j}{name} is missing (NaN) in every sample: there is "
            "nothing to fit it to. Drop the column."
        )


def observed_feature_means(X, sample_weight=None):
    """Per-feature (weighted) mean of the observed entries of ``X``.

    A feature observed only in rows of weight zero gets its unweighted mean,
    one never observed gets NaN. Reads ``X`` in chunks of rows.

    Returns
    -------
    means : ndarray of shape (n_features,)
    """
    sums = np.zeros((2, X.shape[1]))  # weighted, then unweighted
    counts = np.zeros((2, X.shape[1]))
    start = 0
    for chunk in _row_chunks(X):
        chunk = np.asarray(chunk, dtype=np.float64)
        n_rows = len(chunk)
        weights = np.ones((2, n_rows))
        if sample_weight is not None:
            weights[0] = sample_weight[start : start + n_rows]
        start += n_rows
        observed = ~np.isnan(chunk)
        sums += weights @ np.where(observed, chunk, 0.0)
        counts += weights @ observed
    means = np.divide(sums, counts, out=np.full_like(sums, np.nan), where=counts > 0)
    return np.where(counts[0] > 0, means[0], means[1])


#: Largest magnitude whose square, summed over features, stays finite.
_LARGEST_SQUARABLE = 1e150
#: Smallest magnitude whose square is a normal float64 (not lost to underflow).
_SMALLEST_SQUARABLE = 1e-150


def _check_scale(X, *, small=True):
    """Refuse data whose squares overflow or underflow float64, naming the scale.

    Per-feature reductions (no copy of ``X``); on a dask array they run where
    the blocks are. ``small=False`` checks only the overflow: a later
    :meth:`~GaussianMixtureEM.partial_fit` batch of tiny values is ordinary
    data near zero to a model whose scale is already learned.
    """
    with warnings.catch_warnings():
        # A feature missing in every row of a partial_fit batch: NaN, no error.
        warnings.filterwarnings("ignore", "All-NaN", RuntimeWarning)
        largest = np.fmax(
            np.abs(np.asarray(np.nanmax(X, axis=0), dtype=np.float64)),
            np.abs(np.asarray(np.nanmin(X, axis=0), dtype=np.float64)),
        )
    # inf is left to the row validation, which names it as such.
    too_large = (largest > _LARGEST_SQUARABLE) & (largest < np.inf)
    if too_large.any():
        raise ValueError(
            f"X holds values as large as {largest[too_large].max():.3g}: their "
            "squares overflow float64, so no covariance can be computed. Rescale "
            "X (for example with sklearn.preprocessing.StandardScaler) before "
            "fitting."
        )
    # An all-zero feature is a constant one, which reg_covar handles.
    too_small = small & (largest > 0) & (largest < _SMALLEST_SQUARABLE)
    if too_small.any():
        j = int(np.flatnonzero(too_small)[0])
        raise ValueError(
            f"Feature {j} of X holds values no larger than {largest[j]:.3g}: "
            "their squares underflow float64, so its variance cannot be "
            "computed (it would collapse onto reg_covar). Rescale X (for "
            "example with sklearn.preprocessing.StandardScaler) before fitting."
        )


def _row_chunks(X, n_values=2**20):
    """Consecutive row slices of ``X`` of about ``n_values`` entries."""
    step = max(1, n_values // max(X.shape[1], 1))
    for start in range(0, X.shape[0], step):
        yield X[start : start + step]


@dataclass(frozen=True)
class MissingnessPatterns:
    """The rows of a block grouped by which of their entries are missing.

    Attributes
    ----------
    order : ndarray of shape (n_samples,)
        Row indices, sorted so that the rows of a pattern are consecutive.
    bounds : ndarray of shape (n_patterns + 1,)
        Pattern ``p`` holds the rows ``order[bounds[p]:bounds[p + 1]]``.
    observed : ndarray of shape (n_patterns, n_features), dtype=bool
        The entries each pattern observes.
    """

    order: np.ndarray
    bounds: np.ndarray
    observed: np.ndarray

    def rows(self, pattern):
        """Indices of the rows of one pattern."""
        return self.order[self.bounds[pattern] : self.bounds[pattern + 1]]

    def pattern_of_row(self):
        """The pattern of every row, in the sorted order."""
        return np.repeat(np.arange(len(self.observed)), np.diff(self.bounds))


def _group_by_missingness(missing):
    """Group the rows of a missingness mask by pattern (:class:`MissingnessPatterns`).

    Up to 64 features, each row's pattern is packed into one unsigned
    integer: ``np.unique`` sorts those far faster than rows of bytes.
    """
    n_samples, n_features = missing.shape
    packed = np.packbits(missing, axis=1)
    if n_features <= 64:
        keys = np.zeros((n_samples, 8), dtype=np.uint8)
        keys[:, : packed.shape[1]] = packed
        _, first, inverse, counts = np.unique(
            keys.view(np.uint64).ravel(),
            return_index=True,
            return_inverse=True,
            return_counts=True,
        )
    else:
        _, first, inverse, counts = np.unique(
            packed, axis=0, return_index=True, return_inverse=True, return_counts=True
        )
    return MissingnessPatterns(
        order=np.argsort(inverse.reshape(-1), kind="stable"),
        bounds=np.concatenate(([0], np.cumsum(counts))),
        observed=~missing[first],
    )


@dataclass(frozen=True)
class ConditionalFactors:
    """The Gaussian algebra of a block's missingness patterns, per component.

    With ``o`` the observed and ``m`` the missing entries of a pattern and
    ``S`` a component's covariance, given ``x_o`` the missing entries are
    Gaussian with mean ``mu_m + S_mo S_oo^-1 (x_o - mu_o)`` and covariance
    ``S_mm - S_mo S_oo^-1 S_om``. The first axis of every array runs over the
    components ('full') or has length one ('tied'). Nothing is computed for
    the complete pattern (its entries are None, its ``log_det`` zero).

    Attributes
    ----------
    log_det : ndarray of shape (n_patterns, n)
        ``log det`` of the Cholesky factor of the precision of the observed
        entries' marginal, i.e. ``-log det(S_oo) / 2``; zero for a pattern
        that observes nothing.
    precisions_cholesky : list of ndarray of shape (n, n_observed, n_observed)
        Per pattern: Cholesky factors ``L`` with ``S_oo^-1 = L L^T``.
    regression : list of ndarray of shape (n, n_missing, n_observed)
        Per pattern: ``S_mo S_oo^-1``.
    conditional_covariance : list of ndarray of shape (n, n_missing, n_missing)
        Per pattern: ``S_mm - S_mo S_oo^-1 S_om``.
    groups : list of tuple
        Per batch of patterns with as many missing entries: the patterns'
        indices (n_group,), their missing entries (n_group, n_missing) and
        their stacked conditional covariances (n, n_group, n_missing,
        n_missing).
    """

    log_det: np.ndarray
    precisions_cholesky: list
    regression: list
    conditional_covariance: list
    groups: list


def _conditional_factors(covariances, observed):
    """:class:`ConditionalFactors` of the patterns ``observed``.

    Patterns that observe equally many entries are factorized together, in
    one batched Cholesky call: at most ``n_features`` calls per parameter set.

    Parameters
    ----------
    covariances : ndarray of shape (n_components, n_features, n_features) or \
            (n_features, n_features)
        'full' or 'tied' covariances.
    observed : ndarray of shape (n_patterns, n_features), dtype=bool

    Returns
    -------
    factors : ConditionalFactors
    """
    covariances = covariances if covariances.ndim == 3 else covariances[np.newaxis]
    n_patterns, n_features = observed.shape
    log_det = np.zeros((n_patterns, len(covariances)))
    per_pattern = {"chol": [None] * n_patterns, "reg": [None] * n_patterns}
    per_pattern["cond"] = [None] * n_patterns
    groups = []
    n_observed = observed.sum(axis=1)
    for n_seen in np.unique(n_observed[n_observed < n_features]):
        members = np.flatnonzero(n_observed == n_seen)
        seen = np.nonzero(observed[members])[1].reshape(len(members), n_seen)
        unseen = np.nonzero(~observed[members])[1].reshape(len(members), -1)
        cov_mm = _submatrices(covariances, unseen, unseen)
        if n_seen == 0:
            chol = np.zeros((*cov_mm.shape[:2], 0, 0))
            regression = np.zeros((*cov_mm.shape[:3], 0))
            conditional = cov_mm
        else:
            chol = _precision_cholesky_of_matrices(
                _submatrices(covariances, seen, seen)
            )
            diagonals = np.diagonal(chol, axis1=-2, axis2=-1)
            log_det[members] = np.log(diagonals).sum(axis=-1).T
            # S_oo^-1 = L L^T, so S_mo S_oo^-1 S_om = (S_mo L)(S_mo L)^T.
            cross = _submatrices(covariances, unseen, seen) @ chol
            regression = cross @ np.swapaxes(chol, -1, -2)
            conditional = cov_mm - cross @ np.swapaxes(cross, -1, -2)
            conditional = (conditional + np.swapaxes(conditional, -1, -2)) / 2
        for j, pattern in enumerate(members):
            per_pattern["chol"][pattern] = chol[:, j]
            per_pattern["reg"][pattern] = regression[:, j]
            per_pattern["cond"][pattern] = conditional[:, j]
        groups.append((members, unseen, conditional))
    return ConditionalFactors(
        log_det,
        per_pattern["chol"],
        per_pattern["reg"],
        per_pattern["cond"],
        groups,
    )


def _submatrices(covariances, rows, columns):
    """``covariances[:, rows[p]][:, :, columns[p]]`` for every ``p``, stacked.

    Returns an array of shape (n, n_patterns, n_rows, n_columns).
    """
    return covariances[:, rows[:, :, np.newaxis], columns[:, np.newaxis, :]]


@dataclass(frozen=True)
class CompletedRows:
    """A block's rows sorted by pattern, completed for every component.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        The rows in the order of their patterns, NaN where missing.
    missing : ndarray of shape (n_samples, n_features), dtype=bool
        Their missing entries.
    imputed : ndarray of shape (n_components, n_missing_entries)
        Per component, the conditional means of the missing entries given
        the observed ones, in the row-major order of ``X[missing]``.
    """

    X: np.ndarray
    missing: np.ndarray
    imputed: np.ndarray

    def component(self, k, out):
        """The rows with the missing entries at component ``k``'s conditional mean."""
        np.copyto(out, self.X)
        out[self.missing] = self.imputed[k]
        return out


def _complete_rows(X, missing, patterns, factors, means):
    """:class:`CompletedRows`: one batched product per pattern, all components.

    Sorted by pattern, the missing entries of the rows run pattern after
    pattern in row-major order, so one vector per component holds them all.
    """
    X_sorted = np.asarray(X[patterns.order], dtype=np.float64)
    missing_sorted = missing[patterns.order]
    imputed = np.empty((len(means), np.count_nonzero(missing_sorted)))
    position = 0
    for pattern, observed in enumerate(patterns.observed):
        if observed.all():
            continue
        rows = X_sorted[patterns.bounds[pattern] : patterns.bounds[pattern + 1]]
        diff = rows[:, observed] - means[:, np.newaxis, observed]
        regression = np.swapaxes(factors.regression[pattern], -1, -2)
        conditional_means = means[:, np.newaxis, ~observed] + diff @ regression
        size = conditional_means[0].size
        imputed[:, position : position + size] = conditional_means.reshape(-1, size)
        position += size
    return CompletedRows(X_sorted, missing_sorted, imputed)


def _estimate_gaussian_log_prob_missing(
    completed, patterns, factors, means, precisions_cholesky, covariance_type
):
    """Log-density of the observed entries of every row, 'full' or 'tied'.

    The marginal of a Gaussian on the observed entries ``o`` is the Gaussian
    with ``mu_o`` and ``S_oo``. Its distance needs no factor of ``S_oo``: with
    the missing entries at their conditional mean, the full distance
    ``(x - mu)^T S^-1 (x - mu)`` equals ``(x_o - mu_o)^T S_oo^-1 (x_o -
    mu_o)``, so the complete-data product runs over all rows at once. A row
    that observes nothing has density one; complete rows get the
    complete-data numbers (to rounding: the complete-data kernel may group
    components in one product).

    Parameters
    ----------
    completed : CompletedRows
    patterns : MissingnessPatterns
    factors : ConditionalFactors
    means : ndarray of shape (n_components, n_features)
    precisions_cholesky : ndarray
        Of the full covariances ('full' or 'tied' shapes).
    covariance_type : {'full', 'tied'}

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
        In the order of the patterns (``completed.X``).
    """
    n_components, n_features = means.shape
    pattern_of_row = patterns.pattern_of_row()
    n_observed = patterns.observed.sum(axis=1)[pattern_of_row]
    log_det = np.empty((len(pattern_of_row), n_components))
    log_det[:] = factors.log_det[pattern_of_row]
    log_det[n_observed == n_features] = _log_det_cholesky(
        precisions_cholesky, covariance_type, n_features
    )
    squared = np.empty(log_det.shape, order="F")
    rows = np.empty(completed.X.shape)  # reused: one buffer, in place
    for k in range(n_components):
        diff = np.subtract(completed.component(k, out=rows), means[k], out=rows)
        tied = covariance_type == "tied"
        y = diff @ (precisions_cholesky if tied else precisions_cholesky[k])
        # as in _estimate_gaussian_log_prob, so complete rows score the same
        np.einsum("ij,ij->i", y, y, out=squared[:, k])
    log_2pi = n_observed[:, np.newaxis] * math.log(2 * math.pi)
    return -0.5 * (log_2pi + squared) + log_det


def _estimate_diagonal_log_prob_missing(
    X, missing, means, precisions_cholesky, covariance_type
):
    """Log-density of the observed entries of every row, 'diag' or 'spherical'.

    With a diagonal covariance the features are independent given the
    component, so a missing entry simply drops out of the sums: no grouping
    by pattern is needed.

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
    """
    n_components, n_features = means.shape
    precisions_cholesky = np.broadcast_to(
        np.reshape(precisions_cholesky, (n_components, -1)), means.shape
    )
    observed = (~missing).astype(np.float64)
    values = np.where(missing, 0.0, X)
    squared = np.empty((X.shape[0], n_components))
    diff = np.empty(X.shape)  # reused: one buffer, in place
    for k in range(n_components):
        np.subtract(values, means[k], out=diff)
        diff *= observed  # zero at the missing entries
        squared[:, k] = np.square(diff, out=diff) @ precisions_cholesky[k] ** 2
    log_det = observed @ np.log(precisions_cholesky).T
    n_observed = observed.sum(axis=1, keepdims=True)
    return -0.5 * (n_observed * math.log(2 * math.pi) + squared) + log_det


def _completed_statistics(completed, resp, full):
    """nk, mean and centred scatter of one component's completed rows.

    ``completed`` is overwritten (centred in place).
    """
    nk = resp.sum()
    mean = resp @ completed / nk if nk > 0 else np.zeros(completed.shape[1])
    diff = np.subtract(completed, mean, out=completed)
    if full:
        return nk, mean, (resp * diff.T) @ diff
    return nk, mean, resp @ np.square(diff, out=diff)


def _estimate_gaussian_statistics_missing(completed, resp, patterns, factors):
    """Expected centred statistics of rows with missing entries, 'full' or 'tied'.

    The E-step of EM for incomplete Gaussian data: for component ``k``, a
    row's missing entries are replaced by their conditional mean given its
    observed ones, and the conditional covariance (which does not depend on
    the observed values, only on the pattern) is added to the scatter with
    the row's responsibility. The result has the form of
    :func:`_estimate_gaussian_statistics` (means and centred scatter of the
    completed rows, plus the summed conditional covariances), so Chan's merge
    applies unchanged.

    Parameters
    ----------
    completed : CompletedRows
    resp : ndarray of shape (n_samples, n_components)
        Responsibilities, already multiplied by any sample weights, in the
        order of the patterns (``completed.X``).
    patterns : MissingnessPatterns
    factors : ConditionalFactors

    Returns
    -------
    stats : GaussianStats
    """
    n_samples, n_features = completed.X.shape
    n_components = resp.shape[1]
    nk = np.empty(n_components)
    means = np.empty((n_components, n_features))
    scatter = np.empty((n_components, n_features, n_features))
    rows = np.empty(completed.X.shape)
    for k in range(n_components):
        nk[k], means[k], scatter[k] = _completed_statistics(
            completed.component(k, out=rows), resp[:, k], full=True
        )
    # sum over the rows of a pattern of r_ik, times its conditional covariance
    pattern_weights = np.add.reduceat(resp, patterns.bounds[:-1], axis=0)
    for members, unseen, conditional in factors.groups:
        weighted = pattern_weights[members].T[:, :, None, None] * conditional
        flat = unseen[:, :, np.newaxis] * n_features + unseen[:, np.newaxis, :]
        for k in range(n_components):
            scatter[k] += np.bincount(
                flat.ravel(), weights=weighted[k].ravel(), minlength=n_features**2
            ).reshape(n_features, n_features)
    return GaussianStats(nk=nk, means=means, scatter=scatter)


def _estimate_diagonal_statistics_missing(X, missing, resp, means, covariances):
    """Expected centred statistics of rows with missing entries, diagonal types.

    With a diagonal covariance a missing entry's conditional mean is the
    component's mean ``mu_kj`` and its conditional variance ``sigma_kj^2``
    (one variance per component for 'spherical').

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    missing : ndarray of shape (n_samples, n_features), dtype=bool
    resp : ndarray of shape (n_samples, n_components)
        Responsibilities, already multiplied by any sample weights.
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features) or (n_components,)

    Returns
    -------
    stats : GaussianStats
        With diagonal scatters, shape (n_components, n_features).
    """
    n_components, n_features = means.shape
    variances = np.broadcast_to(
        np.reshape(covariances, (n_components, -1)), means.shape
    )
    # The completed rows are never formed: a missing entry of component k
    # sits at mu_kj, so its terms come out of the sums in closed form.
    observed = (~missing).astype(np.float64)
    values = np.where(missing, 0.0, X)
    nk = resp.sum(axis=0)
    observed_weight = resp.T @ observed  # sum_i r_ik over rows observing j
    missing_weight = nk[:, np.newaxis] - observed_weight
    completed_sums = resp.T @ values + missing_weight * means
    component_means = np.divide(
        completed_sums,
        nk[:, np.newaxis],
        out=np.zeros_like(completed_sums),
        where=nk[:, np.newaxis] > 0,
    )
    scatter = np.empty((n_components, n_features))
    diff = np.empty(X.shape)  # reused: one buffer, in place
    for k in range(n_components):
        np.subtract(values, component_means[k], out=diff)
        diff *= observed
        scatter[k] = resp[:, k] @ np.square(diff, out=diff)
    offset = means - component_means
    scatter += missing_weight * (offset**2 + variances)
    return GaussianStats(nk=nk, means=component_means, scatter=scatter)


class _MissingnessCache:
    """What a block's missing entries take to process, under some parameters.

    Kept on the block, so the E-step and the statistics of one pass share the
    factorizations and the completed rows, and a block that lives across
    passes (the whole data, in one block) keeps its patterns.
    """

    def __init__(self, patterns):
        self.patterns = patterns
        self.covariances = None  # the arrays the factors and rows belong to
        self.means = None
        self.factors = None
        self.completed = None

    def forget_completed_rows(self):
        self.means, self.completed = None, None


def _log_cholesky(covariances):
    """Cholesky factors of covariances with the log of their diagonals.

    Every real lower-triangular matrix maps back to a positive-definite
    covariance (:func:`_from_log_cholesky`): the parameterization in which
    SQUAREM extrapolates.
    """
    factor = np.linalg.cholesky(covariances)
    diagonal = np.diagonal(factor, axis1=-2, axis2=-1)
    return factor + _diagonal_matrix(np.log(diagonal) - diagonal)


def _from_log_cholesky(factor):
    factor = np.tril(factor)
    diagonal = np.diagonal(factor, axis1=-2, axis2=-1)
    factor = factor + _diagonal_matrix(np.exp(diagonal) - diagonal)
    covariances = factor @ np.swapaxes(factor, -1, -2)
    return (covariances + np.swapaxes(covariances, -1, -2)) / 2


def _diagonal_matrix(diagonal):
    """Matrices with ``diagonal`` on their diagonals (batched)."""
    return diagonal[..., np.newaxis] * np.eye(diagonal.shape[-1])


def _check_precisions(precisions, covariance_type, n_components, n_features):
    """Validate user-supplied precisions; return a float64 copy."""
    name = "precisions_init"
    precisions = np.array(precisions, dtype=np.float64)
    expected = {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }[covariance_type]
    check_shape(precisions, expected, name)
    if not np.all(np.isfinite(precisions)):
        raise ValueError(f"The parameter '{name}' must be finite.")
    if covariance_type in ("diag", "spherical"):
        if np.any(precisions <= 0.0):
            raise ValueError(
                f"The parameter '{name}' should be positive for "
                f"covariance_type='{covariance_type}', but got min value "
                f"{precisions.min():.5g}."
            )
        return precisions
    matrices = precisions[np.newaxis] if covariance_type == "tied" else precisions
    for matrix in matrices:
        if not (
            np.allclose(matrix, matrix.T) and np.all(np.linalg.eigvalsh(matrix) > 0)
        ):
            raise ValueError(
                f"The parameter '{name}' should be symmetric, positive-definite "
                f"for covariance_type='{covariance_type}'."
            )
    return precisions


def _check_means(means, n_components, n_features):
    """Validate user-supplied means; return a float64 copy."""
    means = np.array(means, dtype=np.float64)
    check_shape(means, (n_components, n_features), "means_init")
    if not np.all(np.isfinite(means)):
        raise ValueError("The parameter 'means_init' must be finite.")
    return means


class GaussianMixtureEM(BaseMixtureEM):
    """Gaussian mixture, fitted by expectation-maximization.

    A drop-in for :class:`sklearn.mixture.GaussianMixture`: the same
    parameters with the same defaults, the same fitted attributes and the same
    parameter path, run on the skem engine. On top of it, ``fit`` accepts
    ``sample_weight``, ``lower_bound_`` is the log-likelihood of the returned
    parameters and the covariances are computed from centred data.

    The Notes below and the "Differences from scikit-learn" page list them.

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components.

    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
        Form of the covariances:

        - 'full': a general covariance matrix per component;
        - 'tied': one general covariance matrix shared by all components;
        - 'diag': a diagonal covariance matrix per component;
        - 'spherical': a single variance per component.

    tol : float, default=1e-3
        Convergence threshold on the change of the mean log-likelihood per
        sample.

    reg_covar : float, default=1e-6
        Non-negative amount added to the diagonal of every covariance, which
        keeps them positive definite.

    max_iter : int, default=100
        Number of EM iterations to perform.

    n_init : int, default=1
        Number of initializations; the run with the best final log-likelihood
        is kept, among the runs that are not degenerate (with a component
        collapsed onto a few points, whose likelihood is inflated; see
        :ref:`optimum`) when there is one. scikit-learn keeps such a run when
        it scores highest.

    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data', \
            'hierarchical', 'emem', 'emem-hierarchical', 'emem-split-merge'}, \
            default='kmeans'
        Method used to initialize the responsibilities:

        - 'kmeans': the labels of a k-means clustering;
        - 'k-means++': the seeds of k-means++, one point per component;
        - 'random': random responsibilities;
        - 'random_from_data': random data points, one per component;
        - 'hierarchical': Ward's agglomerative clustering (mclust's idea),
          deterministic and free of row order;
        - 'emem', 'emem-hierarchical': the emEM search, many short EM runs
          from varied starts (with the hierarchical one), the best continued;
          never worse than 'kmeans' with the same ``n_init`` and
          ``random_state``;
        - 'emem-split-merge': 'emem-hierarchical', then split-and-merge
          moves (Ueda et al. 2000) from its optimum while one ends higher.

        The last four are skem's; see :ref:`optimum`.

        With missing entries, the strategy and the initial M-step see them
        filled with their feature's (sample-weighted) observed mean.

    stopping_rule : {'mean', 'total', 'aitken'}, default='mean'
        How ``tol`` is applied to successive log-likelihoods: ``'mean'``
        stops when the mean log-likelihood per sample changes by less than
        ``tol`` (scikit-learn's rule); ``'total'`` when the total (weighted)
        log-likelihood changes by less than ``tol``; ``'aitken'`` when
        Aitken's extrapolation of the total log-likelihood to its limit is
        within ``tol`` of the current value, so a slowly creeping run is not
        stopped far from its limit. The default keeps scikit-learn's stopping iteration.

    acceleration : {None, 'squarem'}, default=None
        ``'squarem'`` extrapolates along successive EM steps (SQUAREM,
        Varadhan and Roland 2008, scheme S3; mixture weights as they are,
        component parameters unconstrained), falling back to the plain EM
        step whenever the extrapolated point is not a model or would lower
        the log-likelihood, so ``lower_bounds_`` never decreases; it needs
        far fewer EM steps when components overlap (see the user guide's
        acceleration page). ``n_iter_`` counts EM steps (EM-map
        evaluations) either way. The default keeps scikit-learn's parameter path.

    weights_init : array-like of shape (n_components,), default=None
        Initial mixture weights; estimated from the initialization when None.

    means_init : array-like of shape (n_components, n_features), default=None
        Initial means; estimated from the initialization when None.

    precisions_init : array-like, default=None
        Initial precisions (inverse covariances); estimated from the
        initialization when None. The shape depends on ``covariance_type``::

            (n_components,)                        if 'spherical',
            (n_features, n_features)               if 'tied',
            (n_components, n_features)             if 'diag',
            (n_components, n_features, n_features) if 'full'

    init_sample_size : int, default=None
        Number of rows, drawn at random without replacement, on which the
        ``init_params`` strategy runs; EM itself always uses every row. None
        uses every row of an in-memory array that fits in one block of
        scikit-learn's ``working_memory`` (scikit-learn's behaviour), and a
        sample of 100,000 rows (fewer when their float64 values would take
        more than 100 MiB) of a memory map, a dask array or a larger array,
        so that the initialization's memory is bounded whatever
        ``n_samples`` is; data of no more rows are used whole.

    learning_decay : float, default=0.7
        Exponent of the step-size schedule of :meth:`partial_fit`, in
        (0.5, 1].

    learning_offset : float, default=2.0
        Offset of the step-size schedule of :meth:`partial_fit`; larger values
        make early updates smaller.

    random_state : int, RandomState instance or None, default=None
        Controls the initialization and :meth:`sample`.

    warm_start : bool, default=False
        If True, each ``fit`` starts from the previous solution and ignores
        ``n_init``.

    verbose : int, default=0
        Verbosity: 1 prints each initialization, 2 also prints the change of
        log-likelihood every ``verbose_interval`` iterations.

    verbose_interval : int, default=10
        Number of iterations between two messages.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        Mixture weights.

    means_ : ndarray of shape (n_components, n_features)
        Component means.

    covariances_ : ndarray
        Component covariances, shaped as ``precisions_init``.

    precisions_ : ndarray
        Inverses of ``covariances_``, shaped as ``precisions_init``.

    precisions_cholesky_ : ndarray
        Cholesky factors ``L`` of the precisions, ``precisions_ = L @ L.T``
        (elementwise square roots for 'diag' and 'spherical'), shaped as
        ``precisions_init``.

    converged_ : bool
        Whether the best run converged.

    n_iter_ : int
        Number of M-steps of the best run (of updates, after
        :meth:`partial_fit`).

    lower_bound_ : float
        Mean log-likelihood per sample of the returned parameters on the
        training data (weighted mean under ``sample_weight``), so
        ``lower_bound_ == score(X)`` after an unweighted fit.

    lower_bounds_ : list of float
        Log-likelihoods of the best run: initial parameters, then after each
        M-step (with ``acceleration='squarem'``, after each step kept, so
        fewer than ``n_iter_ + 1``); ``lower_bounds_[-1] == lower_bound_`` and
        ``lower_bounds_[:-1]`` is scikit-learn's ``lower_bounds_``.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    sklearn.mixture.GaussianMixture : The reference this estimator matches.
    BinomialMixture : Mixtures of binomials on the same engine.

    Notes
    -----
    Differences from :class:`sklearn.mixture.GaussianMixture`, all on purpose:

    - ``lower_bound_`` is the log-likelihood of the returned parameters
      (scikit-learn reports that of the parameters before the last M-step),
      and ``lower_bounds_`` has ``n_iter_ + 1`` entries (without
      acceleration).
    - Covariances are computed from centred data (two passes) for every
      covariance type; scikit-learn's 'tied', 'diag' and 'spherical' use
      ``E[x^2] - E[x]^2``, which loses all precision on data with a large
      offset. On ordinary data the two agree to about 1e-12.
    - ``fit`` accepts ``sample_weight``; ``bic`` and ``aic`` accept it too.
    - :meth:`partial_fit` (stepwise online EM) and ``init_sample_size``,
      whose default samples the rows of data too large for one block.
    - ``weights_init``, ``means_init`` and ``precisions_init`` are never
      modified; when ``precisions_init`` is given, ``covariances_`` is set to
      its inverse.
    - float32 input is fitted in float32 as scikit-learn's (parameters,
      ``predict_proba`` and ``score_samples`` are float32), but the
      statistics are summed in float64 and the M-step runs in float64 before
      its results are rounded to float32; the parameters stay float32 also
      when ``*_init`` values are given (scikit-learn then keeps some in
      float64), and ``lower_bound_`` is a float64 sum. Other dtypes
      (integers, float16) are fitted in float64 as scikit-learn's, but
      converted block by block, never whole.
    - Missing entries (NaN) are allowed everywhere (the ``allow_nan`` tag).

    Missing values are fitted exactly, assuming they are missing at random:
    a row's likelihood is the marginal density of its observed entries, and
    the M-step uses the conditional mean of the missing entries given the
    observed ones, with the conditional covariance added to the scatter (EM
    for incomplete Gaussian data; for 'diag' and 'spherical' the conditional
    mean is the component mean and the conditional variance its variance).
    Rows are grouped by missingness pattern, so the marginal factorizations
    are done once per pattern and component per iteration. A row with every
    entry missing has log-likelihood zero and the mixture weights as its
    responsibilities; a feature missing in every sample of ``fit`` is a
    ``ValueError``; ``inf`` is still an error. The initialization strategies,
    and the initial M-step, see the initialization rows with every missing
    entry replaced by its feature's (sample-weighted) observed mean. See the
    "Missing values" page of the user guide.

    A component that loses every sample during EM is kept, with a vanishing
    weight (``10 * eps / n_samples``), a finite mean and a covariance of
    about ``reg_covar`` (with ``reg_covar=0`` the fit fails with the
    ill-defined covariance error), and a ``UserWarning`` names it. Data must
    have a scale whose squares float64 can hold: a feature whose largest
    magnitude is above 1e150 or (non-zero) below 1e-150 is refused with a
    ``ValueError`` asking to rescale ``X``, rather than overflowing, or
    silently collapsing onto ``reg_covar``.

    Examples
    --------
    >>> import numpy as np
    >>> from skem import GaussianMixtureEM
    >>> X = np.array([[0, 0], [2, 0], [0, 4], [2, 4], [9, 0], [11, 0], [9, 4], [11, 4]])
    >>> gm = GaussianMixtureEM(n_components=2, random_state=0).fit(X)
    >>> gm.means_
    array([[10.,  2.],
           [ 1.,  2.]])
    >>> gm.predict([[0, 0], [12, 3]])
    array([1, 0])
    >>> bool(np.isclose(gm.lower_bound_, gm.score(X)))
    True
    """

    _parameter_constraints: dict = {
        **BaseMixtureEM._parameter_constraints,
        "covariance_type": [StrOptions(set(COVARIANCE_TYPES))],
        "reg_covar": [Interval(Real, 0.0, None, closed="left")],
        "weights_init": ["array-like", None],
        "means_init": ["array-like", None],
        "precisions_init": ["array-like", None],
    }

    def __init__(
        self,
        n_components=1,
        *,
        covariance_type="full",
        tol=1e-3,
        reg_covar=1e-6,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
        init_sample_size=None,
        learning_decay=0.7,
        learning_offset=2.0,
        stopping_rule="mean",
        acceleration=None,
        weights_init=None,
        means_init=None,
        precisions_init=None,
        random_state=None,
        warm_start=False,
        verbose=0,
        verbose_interval=10,
    ):
        super().__init__(
            n_components=n_components,
            tol=tol,
            max_iter=max_iter,
            n_init=n_init,
            init_params=init_params,
            init_sample_size=init_sample_size,
            learning_decay=learning_decay,
            learning_offset=learning_offset,
            stopping_rule=stopping_rule,
            acceleration=acceleration,
            random_state=random_state,
            warm_start=warm_start,
            verbose=verbose,
            verbose_interval=verbose_interval,
        )
        self.covariance_type = covariance_type
        self.reg_covar = reg_covar
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init

    _parameter_names = ("means_", "covariances_", "precisions_cholesky_")

    # ------------------------------------------------------------------
    # Data validation
    # ------------------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _validate_rows(self, X, *, reset):
        # Integers, float16, ... are converted block by block, never whole.
        per_block = converted_per_block(X)
        X = validate_data(
            self,
            X,
            dtype=None if per_block else [np.float64, np.float32],
            reset=reset,
            ensure_all_finite="allow-nan",
        )
        if reset:
            self._learn_from_data(X)
        return RowData(X, dtype=np.float64 if per_block else None)

    def _prepare_block(self, block):
        return {"has_nan": np.isnan(block.X).any(axis=1)}

    def _learn_from_data(self, X):
        check_features_observed(X, getattr(self, "feature_names_in_", None))
        _check_scale(X)
        self._dtype = working_dtype(X)

    def _check_fit_data(self, X):
        _check_scale(X, small=False)

    def _parameter_dtype(self):
        # float32 data give float32 parameters, as scikit-learn's.
        return getattr(self, "_dtype", None)

    def _check_initial_parameters(self, n_features):
        if self.weights_init is not None:
            check_weights_init(self.weights_init, self.n_components)
        if self.means_init is not None:
            _check_means(self.means_init, self.n_components, n_features)
        if self.precisions_init is not None:
            _check_precisions(
                self.precisions_init,
                self.covariance_type,
                self.n_components,
                n_features,
            )

    # ------------------------------------------------------------------
    # Family hooks of the EM engine
    # ------------------------------------------------------------------
    def _has_complete_init(self):
        return (
            self.weights_init is not None
            and self.means_init is not None
            and self.precisions_init is not None
        )

    def _apply_initial_parameters(self):
        n_features = self.n_features_in_
        if self.means_init is not None:
            self.means_ = _check_means(self.means_init, self.n_components, n_features)
        if self.precisions_init is not None:
            precisions = _check_precisions(
                self.precisions_init,
                self.covariance_type,
                self.n_components,
                n_features,
            )
            self.precisions_cholesky_ = _precision_cholesky_from_precisions(
                precisions, self.covariance_type
            )
            self.covariances_ = _covariances_from_cholesky(
                self.precisions_cholesky_, self.covariance_type
            )

    def _initialization_rows(self, data, random_state):
        # The init strategies and the initial M-step see the init rows with
        # every missing entry filled by its feature's (weighted) mean.
        rows = super()._initialization_rows(data, random_state)
        missing = np.isnan(rows.X)
        if not missing.any():
            return rows
        fill = observed_feature_means(rows.X, rows.sample_weight)
        unseen = np.isnan(fill)
        if unseen.any():  # a subsample may miss what the whole data observe
            fill[unseen] = observed_feature_means(data.X)[unseen]
        X = np.where(missing, fill, rows.X).astype(rows.X.dtype, copy=False)
        return RowData(X, rows.sample_weight)

    def _estimate_log_prob(self, block):
        # A row so far from every component that its squared distances
        # overflow (possible only outside fit, whose data are scale-checked)
        # has density 0: log-density -inf, which the engine handles.
        with np.errstate(over="ignore"):
            return self._log_prob_of_block(block)

    def _log_prob_of_block(self, block):
        missing = nan_mask(block)
        if missing is False:
            design = None
            if self.covariance_type in ("diag", "spherical"):
                # Kept on the block for the statistics of the same pass.
                design = DiagonalDesign.from_parameters(
                    block.X,
                    self.means_,
                    _diagonal_precisions(self.precisions_cholesky_, block.n_features),
                )
                block._gaussian_design = design
            elif self.covariance_type == "tied":
                design = CentredRows.build(block.X, self.means_.mean(axis=0))
                block._gaussian_design = design
            return _estimate_gaussian_log_prob(
                block.X,
                self.means_,
                self.precisions_cholesky_,
                self.covariance_type,
                design=design,
            )
        if self.covariance_type in ("diag", "spherical"):
            return _estimate_diagonal_log_prob_missing(
                block.X,
                missing,
                self.means_,
                self.precisions_cholesky_,
                self.covariance_type,
            ).astype(working_dtype(block.X), copy=False)
        patterns, factors, completed = self._missingness(block, missing)
        log_prob = np.empty((len(missing), self.n_components), working_dtype(block.X))
        log_prob[patterns.order] = _estimate_gaussian_log_prob_missing(
            completed,
            patterns,
            factors,
            self.means_,
            self.precisions_cholesky_,
            self.covariance_type,
        )
        return log_prob

    def _accumulate(self, block, resp):
        # Any centre gives exact statistics (its distance only sets the
        # precision, which they check): the E-step's centred rows serve.
        design = vars(block).pop("_gaussian_design", None)
        missing = nan_mask(block)
        if missing is False:
            means = getattr(self, "means_", None)  # None at the first M-step
            centre = None if means is None else means.mean(axis=0)
            if self.covariance_type == "tied":
                if not isinstance(design, CentredRows):
                    design = (
                        None if centre is None else CentredRows.build(block.X, centre)
                    )
                return _pooled_tied_statistics(block.X, resp, design)
            if self.covariance_type == "full":
                return _pooled_full_statistics(block.X, resp, centre)
            if not isinstance(design, DiagonalDesign):
                design = None
            return _estimate_gaussian_statistics(
                block.X, resp, self.covariance_type, design=design
            )
        if self.covariance_type in ("diag", "spherical"):
            return _estimate_diagonal_statistics_missing(
                block.X, missing, resp, self.means_, self.covariances_
            )
        patterns, factors, completed = self._missingness(block, missing)
        stats = _estimate_gaussian_statistics_missing(
            completed, resp[patterns.order], patterns, factors
        )
        # The next pass brings new means: a block that outlives the pass (the
        # whole data, a persisted dask block) need not hold a second copy.
        vars(block)["_gaussian_missingness"].forget_completed_rows()
        return stats

    def _missingness(self, block, missing):
        """A block's patterns, their factors and its completed rows.

        Computed once per block and parameter set, so the statistics reuse
        the E-step's work. The cache lives on the block (the engine makes
        blocks afresh for every pass), not on the estimator.
        """
        cache = vars(block).get("_gaussian_missingness")
        if cache is None:
            cache = _MissingnessCache(_group_by_missingness(missing))
            block._gaussian_missingness = cache
        if cache.covariances is not self.covariances_:
            cache.factors = _conditional_factors(
                self.covariances_, cache.patterns.observed
            )
            cache.covariances, cache.means = self.covariances_, None
        if cache.means is not self.means_:
            cache.completed = _complete_rows(
                block.X, missing, cache.patterns, cache.factors, self.means_
            )
            cache.means = self.means_
        return cache.patterns, cache.factors, cache.completed

    def _m_step(self, stats):
        self.means_ = stats.means.copy()
        self.covariances_ = _estimate_gaussian_covariances(
            stats, self.reg_covar, self.covariance_type
        )
        self.precisions_cholesky_ = _compute_precision_cholesky(
            self.covariances_, self.covariance_type
        )

    def _unconstrained_parameters(self):
        # Variances enter as standard deviations (a point with one that is
        # not positive is refused): on the close-means benchmark SQUAREM
        # needed a median 366 evaluations against 462 with log-variances,
        # which wandered near a saddle on 4 starts of 10. Full and tied
        # covariances enter as Cholesky factors with log-diagonals, always
        # valid: plain factors measured no better (257 against 227).
        if self.covariance_type in ("diag", "spherical"):
            return [self.means_, np.sqrt(self.covariances_)]
        return [self.means_, _log_cholesky(self.covariances_)]

    def _set_unconstrained_parameters(self, arrays):
        means, covariance_factor = arrays
        if self.covariance_type in ("diag", "spherical"):
            if not np.all(covariance_factor > 0):
                raise ValueError("Standard deviations are not positive.")
            covariances = covariance_factor**2
        else:
            covariances = _from_log_cholesky(covariance_factor)
        self.precisions_cholesky_ = _compute_precision_cholesky(
            covariances, self.covariance_type
        )
        self.means_ = means
        self.covariances_ = covariances

    def _on_parameters_set(self):
        self.precisions_ = _precisions_from_cholesky(
            self.precisions_cholesky_, self.covariance_type
        )

    def _degenerate_components(self, nk):
        return gaussian_degeneracy(
            self.weights_,
            self.means_,
            self.covariances_,
            self.covariance_type,
            self.reg_covar,
            nk,
        )

    def _n_component_parameters(self):
        n_features = self.means_.shape[1]
        cov_params = {
            "full": self.n_components * n_features * (n_features + 1) // 2,
            "tied": n_features * (n_features + 1) // 2,
            "diag": self.n_components * n_features,
            "spherical": self.n_components,
        }[self.covariance_type]
        return cov_params + self.n_components * n_features

    def _sample_components(self, n_samples_comp, random_state):
        n_features = self.means_.shape[1]
        if self.covariance_type in ("full", "tied"):
            # float64: numpy's positive-semidefinite check fails on float32.
            covariances_ = np.asarray(self.covariances_, dtype=np.float64)
            covariances = (
                covariances_
                if self.covariance_type == "full"
                else [covariances_] * self.n_components
            )
            return np.vstack(
                [
                    random_state.multivariate_normal(mean, covariance, int(n))
                    for mean, covariance, n in zip(
                        self.means_, covariances, n_samples_comp, strict=True
                    )
                ]
            )
        return np.vstack(
            [
                mean
                + random_state.standard_normal(size=(int(n), n_features))
                * np.sqrt(covariance)
                for mean, covariance, n in zip(
                    self.means_, self.covariances_, n_samples_comp, strict=True
                )
            ]
        )
