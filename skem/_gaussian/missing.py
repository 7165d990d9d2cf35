"""Missing values: the scale check, missingness patterns, marginal densities
and expected statistics of rows with NaN entries."""

import math
import warnings
from dataclasses import dataclass

import numpy as np

from .covariances import _log_det_cholesky, _precision_cholesky_of_matrices
from .statistics import GaussianStats

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
