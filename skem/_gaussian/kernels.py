"""Per-block kernels: log-densities and statistics of complete rows.

The fast kernels pool work over the components (one centre, one product);
each has an exact per-component fallback for components where pooling
would lose precision, named ``_exact_*``.
"""

import math
from dataclasses import dataclass

import numpy as np

from .covariances import _log_det_cholesky
from .statistics import GaussianStats


# ----------------------------------------------------------------------
# The math, as pure functions
# ----------------------------------------------------------------------
def _estimate_gaussian_statistics(
    X, resp, covariance_type, design=None, *, max_spreads=None
):
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
    max_spreads : float or None, default=None
        For 'diag' and 'spherical': the bound, in standard deviations, on a
        component's distance from the pooled centre beyond which it is
        recomputed exactly; None is the module default for the dtype of ``X``
        (``_POOLED_MAX_SPREADS``, ``_POOLED_MAX_SPREADS_FLOAT32``);
        ``np.inf`` never falls back.

    Returns
    -------
    stats : GaussianStats
    """
    resp = np.asarray(resp, dtype=np.float64)
    if covariance_type in ("diag", "spherical"):
        if design is None:
            design = DiagonalDesign.from_data(X)
        return _diagonal_statistics(X, resp, design, max_spreads=max_spreads)
    nk = resp.sum(axis=0)
    n_components, n_features = resp.shape[1], X.shape[1]
    means = np.divide(
        resp.T @ X,
        nk[:, np.newaxis],
        out=np.zeros((n_components, n_features)),
        where=nk[:, np.newaxis] > 0,
    )
    scatter = np.empty((n_components, n_features, n_features))
    # Rows centred on each mean, scaled by sqrt(r): one symmetric rank-k
    # update per component (half the arithmetic of a general product).
    diff = np.empty((n_features, X.shape[0]), order="F")  # reused, in place
    roots = np.sqrt(resp)
    for k in range(n_components):
        np.subtract(X.T, means[k][:, np.newaxis], out=diff)
        diff *= roots[:, k]
        # numpy's product of an array with its own transpose runs BLAS
        # syrk, and releases the GIL (scipy's dsyrk wrapper holds it, so
        # passes on two threads took as long as on one).
        np.matmul(diff, diff.T, out=scatter[k])
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


def _pooled_max_spreads(dtype, max_spreads=None):
    """The pooled kernels' bound on a component's distance, for data of ``dtype``.

    ``max_spreads`` when given (a kernel's keyword argument), else the module
    default for ``dtype``.
    """
    if max_spreads is not None:
        return max_spreads
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
    """``c += a @ b`` in place, for ``a`` and ``b`` of ``c``'s dtype.

    numpy's product (which releases the GIL, so that blocks run on several
    threads at once; scipy's BLAS wrappers hold it) into a temporary of
    ``c``'s shape, then added. As in BLAS, no floating-point warnings: rows
    so far away that their products overflow are the caller's to handle (the
    engine gives them log-density -inf).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        # As (b.T @ a.T).T: for Fortran-ordered ``a`` and ``c`` the product
        # comes out in ``c``'s order, so the sum runs along contiguous
        # memory (1.7 times faster than ``a @ b``; as fast as scipy's gemm
        # into ``c``).
        c += (b.T @ a.T).T


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


def _diagonal_log_prob(
    X, means, precisions_cholesky, covariance_type, design, *, max_spreads=None
):
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
    far = np.flatnonzero(spreads.max(axis=1) > _pooled_max_spreads(dtype, max_spreads))
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


def _tied_log_prob(X, means, precisions_cholesky, design=None, *, max_spreads=None):
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
    distances = np.sqrt((shift**2).sum(axis=1))
    far = np.flatnonzero(distances > _pooled_max_spreads(dtype, max_spreads))
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


def _pooled_tied_statistics(X, resp, design=None, *, max_spreads=None):
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
    max_spreads : float or None, default=None
        The exact statistics are returned when a diagonal entry of the sum
        shrinks more than ``max_spreads**2`` times in the correction; None is
        the module default for the dtype of ``X`` (``_POOLED_MAX_SPREADS``,
        ``_POOLED_MAX_SPREADS_FLOAT32``); ``np.inf`` never falls back.

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
    max_spreads = _pooled_max_spreads(centred.dtype, max_spreads)
    if np.any(np.diagonal(raw) > max_spreads**2 * total_diagonal):
        return _estimate_gaussian_statistics(X, resp, "full")
    means = _offset_means(design.centre, shift, nk)
    return GaussianStats(nk=nk, means=means, scatter=scatter)


#: Bytes of the block of products ``x_i x_j`` built at a time by
#: :func:`_pooled_full_statistics`: small enough to stay in cache.
_PRODUCTS_BYTES = 2**22


def _pooled_full_statistics(
    X, resp, centre=None, *, max_spreads=None, products_bytes=None
):
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

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
        Responsibilities, already multiplied by any sample weights.
    centre : ndarray of shape (n_features,) or None, default=None
        The centre ``c``; the column means of ``X`` when None.
    max_spreads : float or None, default=None
        The bound ``_POOLED_MAX_SPREADS`` above (None: the module default for
        the dtype of ``X``; ``np.inf`` never falls back).
    products_bytes : int or None, default=None
        Bytes of the block of products built at a time (None:
        ``_PRODUCTS_BYTES``); smaller values sum more blocks.

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
    if products_bytes is None:
        products_bytes = _PRODUCTS_BYTES
    step = max(256, products_bytes // (dtype.itemsize * n_products))
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
            > _pooled_max_spreads(dtype, max_spreads) ** 2
            * scatter[:, diagonal, diagonal]
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


def _diagonal_statistics(X, resp, design, *, max_spreads=None):
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
    max_spreads = _pooled_max_spreads(design.columns.dtype, max_spreads)
    lossy = np.flatnonzero((squares > max_spreads**2 * scatter).any(axis=1))
    if lossy.size:
        diff = np.empty(X.shape)
        for k in lossy:
            nk[k] = resp[:, k].sum()
            means[k] = resp[:, k] @ X / nk[k] if nk[k] > 0 else 0.0
            np.subtract(X, means[k], out=diff)
            scatter[k] = resp[:, k] @ np.square(diff, out=diff)
    return GaussianStats(nk=nk, means=means, scatter=np.maximum(scatter, 0.0))


def _estimate_gaussian_log_prob(
    X, means, precisions_cholesky, covariance_type, design=None, *, max_spreads=None
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
    max_spreads : float or None, default=None
        For 'diag', 'spherical' and 'tied': a component's largest distance
        from the pooled centre, in its own standard deviations, for the
        one-product formula; None is the module default for the dtype of
        ``X`` (``_POOLED_MAX_SPREADS``); ``np.inf`` never takes the exact
        path.

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
            X,
            means,
            precisions_cholesky,
            covariance_type,
            design,
            max_spreads=max_spreads,
        )
    if covariance_type == "tied":
        return _tied_log_prob(
            X, means, precisions_cholesky, design, max_spreads=max_spreads
        )
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
