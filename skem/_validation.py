"""Checks and helpers shared by the families and the estimators."""

import math
import os
import sys
import warnings

import joblib
import numpy as np
import sklearn

from .exceptions import SampleWeightWarning

_INTERNAL_DIRS = tuple(
    os.path.dirname(module.__file__) + os.sep
    for module in (sys.modules[__package__], sklearn, joblib)
)


def warn_at_caller(message, category):
    """Warn, attributing it to the first caller outside skem, sklearn, joblib.

    So a warning raised while ``GridSearchCV`` fits a skem estimator points at
    the user's ``search.fit(...)`` line, not at library code.
    """
    frame = sys._getframe(1)
    stacklevel = 2
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL_DIRS):
        frame = frame.f_back
        stacklevel += 1
    warnings.warn(message, category, stacklevel=stacklevel)


def nan_mask(block):
    """The NaN mask of a block's ``X``, or False when it has no NaN.

    A family that caches ``has_nan`` per row (a ``per_row`` field filled by
    ``prepare_block``, once per data set) spares the passes a full read of
    ``X`` for complete blocks.
    """
    has_nan = getattr(block.per_row, "has_nan", None)
    if has_nan is not None and not has_nan.any():
        return False
    missing = np.isnan(block.X)
    return missing if missing.any() else False


def check_shape(param, expected_shape, name):
    """Raise a ValueError naming ``name`` when ``param`` has the wrong shape."""
    param = np.asarray(param)
    if param.shape != tuple(expected_shape):
        raise ValueError(
            f"The parameter '{name}' should have the shape of "
            f"{tuple(expected_shape)}, but got {param.shape}."
        )


def check_weights_init(weights, n_components):
    """Validate user-supplied mixture weights; return a float64 copy."""
    weights = np.array(weights, dtype=np.float64)
    check_shape(weights, (n_components,), "weights_init")
    if not np.all(np.isfinite(weights)):
        raise ValueError("The parameter 'weights_init' must be finite.")
    if np.any(weights < 0):
        raise ValueError(
            "The parameter 'weights_init' should be in the range [0, 1], but got "
            f"min value {weights.min():.5f}."
        )
    if not np.isclose(weights.sum(), 1.0):
        raise ValueError(
            "The parameter 'weights_init' should be normalized, but got "
            f"sum(weights) = {weights.sum():.5f}."
        )
    return weights


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


def _row_chunks(X, n_values=2**20):
    """Consecutive row slices of ``X`` of about ``n_values`` entries."""
    step = max(1, n_values // max(X.shape[1], 1))
    for start in range(0, X.shape[0], step):
        yield X[start : start + step]


def warn_if_normalized_weights(largest, total):
    """Warn, at the user's line, when frequency weights look normalized.

    They look normalized when every weight is below 1: ``0 < largest < 1``.
    Frequency counts never do (a positive count is at least 1), nor do unit
    weights; weights that sum to 1 always do (but for one row holding all
    the weight).

    Parameters
    ----------
    largest : float
        The largest sample weight.

    total : float
        The sum of the sample weights.

    Returns
    -------
    warned : bool
        Whether the weights look normalized.
    """
    if not 0.0 < largest < 1.0:
        return False
    warn_at_caller(
        f"The sample weights look normalized: every weight is below 1 (the "
        f"largest is {largest:.3g}, the sum {total:.4g}). skem reads "
        "sample_weight as frequency counts (a weight of 3 is a row seen 3 "
        "times), so the sample size is their sum: BIC's penalty "
        f"log(n) * n_parameters uses log({total:.4g}) = {math.log(total):.3g}, "
        "stopping_rule='total' stops on that scale and components carry "
        "that few effective samples in the degeneracy checks. Pass the "
        "counts instead: a table's raw frequencies, or the weights times "
        "the number of observations.",
        SampleWeightWarning,
    )
    return True


def _non_unit(sample_weight):
    """Whether sample weights were given and are not all 1."""
    if sample_weight is None:
        return False
    return bool((sample_weight != 1).any())


def check_labels(labels, n_samples, n_components, first_row=0):
    """Known components of the rows of ``fit(X, labels=...)``, checked.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        An integer per row: its component, or -1 where it is unknown.
    n_samples, n_components : int
    first_row : int, default=0
        Index of the first of these rows in the whole data (for messages).

    Returns
    -------
    labels : ndarray of shape (n_samples,) of intp, or None when no row is
        labelled.
    """
    values = np.asarray(labels)
    if values.ndim != 1:
        raise ValueError(
            f"labels must be 1D, one integer per row, got shape {values.shape}."
        )
    if len(values) != n_samples:
        raise ValueError(f"labels has {len(values)} rows, but X has {n_samples} rows.")
    if values.dtype.kind not in "biuf":
        raise ValueError(
            f"labels must be integers (-1 where unknown), got dtype {values.dtype}."
        )
    if values.dtype.kind == "f":
        bad = ~np.isfinite(values) | (values != np.round(values))
        if bad.any():
            row = first_row + int(np.flatnonzero(bad)[0])
            value = values[bad][0].item()
            raise ValueError(
                f"labels must be integers (-1 where unknown), got {value!r} at row "
                f"{row}."
            )
    bad = (values < -1) | (values >= n_components)
    if bad.any():
        row = first_row + int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"labels must be -1 (unknown) or a component in [0, {n_components - 1}]"
            f", got {values[bad][0].item()!r} at row {row}."
        )
    values = values.astype(np.intp)
    return values if (values >= 0).any() else None
