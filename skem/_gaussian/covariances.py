"""The four covariance types: M-step covariances, precisions, Cholesky factors."""

import numpy as np
from scipy import linalg

from .._validation import check_shape

_SINGULAR_COVARIANCE_MESSAGE = (
    "Fitting the mixture model failed because some components have "
    "ill-defined empirical covariance (for instance caused by singleton "
    "or collapsed samples). Try to decrease the number of components, "
    "increase reg_covar, or scale the input data."
)


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
    # The inverse of a triangular factor is triangular; LU's pivoting could
    # leave rounding above it, which the triangular products would ignore.
    return np.triu(np.swapaxes(np.linalg.solve(cov_chol, eye), -1, -2))


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
