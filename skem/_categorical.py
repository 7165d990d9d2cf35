"""CategoricalMixture: latent class analysis on the EM engine.

The family (:class:`CategoricalFamily`) and the public estimator
(:class:`CategoricalMixture`, a shell over it). Each feature ``j`` holds a
category code ``0, 1, ..., c_j - 1``; given its component ``k`` the features
of a row are independent categorical variables, with probabilities
``p_kjc``::

    log p(x_i | k) = sum_j log p_{k, j, x_ij}

(a Bernoulli when ``c_j = 2``). A missing answer (NaN) drops out of the sum.

The E-step works on the one-hot encoding of a block's codes, of shape
(n_rows, sum_j c_j) with an all-zero segment for a missing answer: the
log-probabilities of the components are one matrix product with the
log-probabilities, and the statistics (per component, the
responsibility-weighted count of every category of every feature) one
product of the responsibilities with the same one-hot rows, which
``log_prob`` hands to ``accumulate`` as its workspace. Missing answers drop
out per feature: the M-step divides every category's count by its
feature's total within the component.
"""

import warnings
from dataclasses import dataclass
from numbers import Real

import numpy as np
from scipy.special import gammaln, xlogy
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.validation import validate_data

from ._base import BaseMixtureEM
from ._binomial.estimator import fits_weights, warn_if_fit_weights
from ._blocks import RowData, RowFields, converted_per_block
from ._compat import Hidden, Interval, StrOptions
from ._count_priors import check_hyperparameter, prior_keys
from ._family import Family, SufficientStatistics
from ._validation import (
    check_features_observed,
    check_shape,
    nan_mask,
    observed_feature_means,
)

#: Most categories a feature may have: codes above this are ids or
#: measurements, not categories, and their one-hot rows would not fit.
MAX_CATEGORIES = 2**16


@dataclass(frozen=True)
class CategoricalStats(SufficientStatistics):
    """Sufficient statistics of a categorical mixture.

    Attributes
    ----------
    nk : ndarray of shape (n_components,)
        Summed (weighted) responsibilities.
    counts : ndarray of shape (n_components, sum of n_categories_)
        ``sum_i r_ik [x_ij = c]``, feature after feature (the columns of
        the one-hot encoding); a missing answer counts in no category.
    """

    nk: np.ndarray
    counts: np.ndarray


class CategoryLayout:
    """Where every (feature, category) pair sits in the one-hot columns.

    Parameters
    ----------
    n_categories : array-like of int of shape (n_features,)
        Categories of every feature (at least 1).

    Attributes
    ----------
    offsets : ndarray of shape (n_features,)
        First one-hot column of every feature.
    n_columns : int
        ``sum(n_categories)``.
    feature_of : ndarray of shape (n_columns,)
        The feature of every one-hot column.
    valid : ndarray of bool of shape (n_features, max(n_categories))
        Which entries of the padded parameter array are categories.
    """

    def __init__(self, n_categories):
        self.n_categories = np.asarray(n_categories, dtype=np.intp)
        self.offsets = np.concatenate(([0], np.cumsum(self.n_categories)[:-1]))
        self.n_columns = int(self.n_categories.sum())
        self.feature_of = np.repeat(
            np.arange(len(self.n_categories)), self.n_categories
        )
        width = int(self.n_categories.max())
        self.valid = np.arange(width) < self.n_categories[:, np.newaxis]

    def flat(self, padded):
        """(n_components, n_features, max c) -> (n_components, n_columns)."""
        return np.asarray(padded)[:, self.valid]

    def padded(self, flat):
        """(n_components, n_columns) -> (n_components, n_features, max c), 0 padded."""
        out = np.zeros((flat.shape[0], *self.valid.shape))
        out[:, self.valid] = flat
        return out

    def feature_sums(self, flat):
        """Sums of the columns of every feature: (n, n_columns) -> (n, n_features)."""
        return np.add.reduceat(flat, self.offsets, axis=1)


# ----------------------------------------------------------------------
# The math, as pure functions
# ----------------------------------------------------------------------
def _one_hot(X, layout, missing=None):
    """The one-hot rows of the codes ``X``; a missing code is an all-zero segment.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Codes in ``[0, n_categories_j)``, or NaN; a code that is not whole
        is truncated toward zero (``astype``), as everywhere in the family.
    layout : CategoryLayout
    missing : ndarray of bool of shape (n_samples, n_features), False or None
        The NaN mask of ``X`` (False: none); computed when None.

    Returns
    -------
    one_hot : ndarray of shape (n_samples, layout.n_columns)
    """
    if missing is None:
        missing = np.isnan(X)
        missing = missing if missing.any() else False
    n_samples = X.shape[0]
    one_hot = np.zeros((n_samples, layout.n_columns))
    if missing is False:
        columns = X.astype(np.intp) + layout.offsets
        one_hot[np.arange(n_samples)[:, np.newaxis], columns] = 1.0
    else:
        rows, features = np.nonzero(~missing)
        columns = X[rows, features].astype(np.intp) + layout.offsets[features]
        one_hot[rows, columns] = 1.0
    return one_hot


def _estimate_categorical_log_prob(one_hot, log_probabilities):
    """``log p(x_i | k)`` of one-hot rows under flat log-probabilities.

    Parameters
    ----------
    one_hot : ndarray of shape (n_samples, n_columns)
    log_probabilities : ndarray of shape (n_components, n_columns)

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
        In Fortran order: the E-step's reductions over the components then
        run along contiguous memory.
    """
    return (log_probabilities @ one_hot.T).T


def _estimate_categorical_statistics(one_hot, resp):
    """Statistics of weighted responsibilities ``resp`` of one-hot rows."""
    return CategoricalStats(nk=resp.sum(axis=0), counts=resp.T @ one_hot)


def _estimate_category_probabilities(stats, layout, floor):
    """Maximum-likelihood probabilities, each at least ``floor``.

    ``p = floor + (1 - c_j floor) * count / total`` per feature ``j`` of
    ``c_j`` categories: probabilities sum to one exactly and a category a
    component never shows sits at ``floor``. A component credited no answer
    to a feature takes the pooled proportions of the feature (uniform when
    no component was), so every parameter stays finite.

    Returns
    -------
    probabilities : ndarray of shape (n_components, n_columns)
    """
    counts = stats.counts
    totals = layout.feature_sums(counts)
    pooled_counts = counts.sum(axis=0)
    pooled_totals = totals.sum(axis=0)
    uniform = 1.0 / layout.n_categories[layout.feature_of]
    pooled = np.divide(
        pooled_counts,
        pooled_totals[layout.feature_of],
        out=uniform.copy(),
        where=pooled_totals[layout.feature_of] > 0,
    )
    column_totals = totals[:, layout.feature_of]
    proportions = np.divide(
        counts,
        column_totals,
        out=np.broadcast_to(pooled, counts.shape).copy(),
        where=column_totals > 0,
    )
    scale = 1.0 - layout.n_categories[layout.feature_of] * floor
    return floor + scale * proportions


#: The keys of a ``prior`` dict of :class:`CategoricalMixture`.
PRIOR_KEYS = ("concentration", "weight_concentration")


@dataclass(frozen=True)
class DirichletPrior:
    """Resolved hyperparameter of the symmetric Dirichlet prior.

    Attributes
    ----------
    concentration : ndarray of shape (n_features,)
        ``Dirichlet(c_j, ..., c_j)`` on the category probabilities of feature
        ``j`` in every component: ``c_j - 1`` pseudo-answers per category.
    """

    concentration: np.ndarray


def resolve_dirichlet_prior(spec, n_features):
    """The :class:`DirichletPrior` of ``spec`` (``"conjugate"`` or a dict).

    ``"conjugate"`` and a dict without the key are ``concentration = 2``:
    one pseudo-answer per category, add-one (Laplace) smoothing, as
    ``CategoricalNB(alpha=1)``.
    """
    spec = prior_keys(spec, PRIOR_KEYS, "CategoricalMixture")
    concentration = check_hyperparameter(
        spec, "concentration", 2.0, n_features, least=1.0
    )
    return DirichletPrior(concentration)


def map_categorical_statistics(stats, prior, layout):
    """``stats`` with ``c_j - 1`` pseudo-answers added to every category.

    Their proportions are the mode of the Dirichlet posterior, ``(n_kjc +
    c_j - 1) / (n_kj + C_j (c_j - 1))`` over the ``C_j`` categories of
    feature ``j`` (the padding of the parameter array has no column).
    """
    if prior is None:
        return stats
    pseudo = (prior.concentration - 1.0)[layout.feature_of]
    return CategoricalStats(nk=stats.nk, counts=stats.counts + pseudo)


def dirichlet_log_density(flat, prior, layout):
    """``sum_kj log Dirichlet(p_kj; c_j)``: the exact log density.

    ``flat`` holds the probabilities of shape (n_components, n_columns).
    """
    c = prior.concentration
    n_categories = layout.n_categories
    log_norm = gammaln(n_categories * c) - n_categories * gammaln(c)
    terms = layout.feature_sums(xlogy((c - 1.0)[layout.feature_of], flat))
    return float(np.sum(terms + log_norm))


def _floored(probabilities, layout, floor):
    """Flat probabilities raised to ``floor`` and renormalized per feature."""
    probabilities = np.maximum(probabilities, floor)
    return probabilities / layout.feature_sums(probabilities)[:, layout.feature_of]


def categorical_degeneracy(probabilities, layout, floor, nk):
    """Degenerate components of a categorical mixture, with the reason for each.

    A component is degenerate when some category sits at the floor (the
    component never shows it, an estimate of 0) while the component carries
    fewer effective samples than its free parameters (``sum_j (c_j - 1) +
    1``, counting its weight): a tiny component that fits a row or two
    exactly. Categories at the floor in every component (never seen in the
    data) are left out.

    Parameters
    ----------
    probabilities : ndarray of shape (n_components, n_columns)
    layout : CategoryLayout
    floor : float
    nk : ndarray of shape (n_components,)

    Returns
    -------
    reasons : dict of int to str
    """
    at_floor = probabilities <= floor * (1.0 + 1e-9)
    at_floor &= ~at_floor.all(axis=0)
    needed = int((layout.n_categories - 1).sum()) + 1
    reasons = {}
    for k in np.flatnonzero(at_floor.any(axis=1) & (nk < needed)):
        features = np.unique(layout.feature_of[at_floor[k]]).tolist()
        reasons[int(k)] = (
            f"has a category of probability 0 in features {features} while "
            f"carrying {nk[k]:.3g} effective samples, fewer than its {needed} "
            "free parameters"
        )
    return reasons


# ----------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------
def _check_codes(X, n_categories, whom, feature_names=None, first_row=0):
    """Refuse negative and (given ``n_categories``) unseen codes; count non-whole ones.

    NaN (a missing answer) passes; every message names the entry. A code that
    is not whole is read truncated toward zero (``2.7`` as ``2``, as
    ``astype(int)`` and scikit-learn's ``CategoricalNB`` do): it is counted
    here, for :class:`TruncatedCodes` to warn. A negative one, even above -1,
    is refused as negative.

    Returns
    -------
    n_truncated : int
        Entries that are not whole numbers.
    first : tuple of (int, int, float) or None
        The first of them, ``(row, column, value)``, rows counted from
        ``first_row``.
    """
    with np.errstate(invalid="ignore"):
        negative = X < 0
        fractional = np.floor(X) != X
        fractional &= ~np.isnan(X)
    if negative.any():
        i, j = np.argwhere(negative)[0]
        raise ValueError(
            f"Negative values in data passed to {whom}: X[{first_row + i}, {j}] = "
            f"{X[i, j]:g}, but category codes are 0, 1, 2, ..."
        )
    n_truncated = int(np.count_nonzero(fractional))
    first = None
    if n_truncated:
        i, j = np.argwhere(fractional)[0]
        first = (first_row + int(i), int(j), float(X[i, j]))
    if n_categories is not None:
        unseen = X >= n_categories
        if unseen.any():
            i, j = np.argwhere(unseen)[0]
            name = "" if feature_names is None else f" ({feature_names[j]!r})"
            raise ValueError(
                f"Feature {j}{name} has the category code {X[i, j]:g} at "
                f"X[{first_row + i}, {j}], unseen in fit: {whom} learned the codes "
                f"0 to {n_categories[j] - 1} of this feature (n_categories_[{j}] = "
                f"{n_categories[j]}) and has no probability for a new one."
            )
    return n_truncated, first


class TruncatedCodes:
    """Tally of the non-whole codes of one data set, over its blocks.

    :meth:`CategoricalFamily.validate` starts one per data set; every block's
    check adds to it, and the last block (the rows add up) warns once, with
    the count of the whole data set. Blocks never counted against a tally
    (``rows`` None) warn for themselves, and so does every chunk of a dask
    array (validated apart, where it lives).

    Parameters
    ----------
    whom : str
        The estimator's name, for the message.
    rows : int or None, default=None
        Rows of the data set.
    """

    def __init__(self, whom, rows=None):
        self.whom = whom
        self.rows_left = rows
        self.count = 0
        self.first = None

    def add(self, n_truncated, first, n_rows):
        """Count a block's non-whole codes; warn after the last block."""
        self.count += n_truncated
        if self.first is None:
            self.first = first
        if self.rows_left is not None:
            self.rows_left -= n_rows
            if self.rows_left > 0:
                return
        if self.count:
            self.warn()
        self.count, self.first = 0, None

    def warn(self):
        i, j, value = self.first
        entries = "entry" if self.count == 1 else "entries"
        warnings.warn(
            f"{self.whom} truncated {self.count} non-integer {entries} of X toward "
            f"zero (the first, X[{i}, {j}] = {value:g}, reads as {int(value)}): "
            "category codes are whole numbers 0, 1, 2, .... Encode categories "
            "(strings, or numbers that are not codes) with "
            "sklearn.preprocessing.OrdinalEncoder first.",
            DataConversionWarning,
            stacklevel=2,
        )


def _strings_error(X, error, whom):
    """``error`` of converting ``X``, with a pointer to OrdinalEncoder for strings."""
    kind = getattr(getattr(X, "dtype", None), "kind", None)
    if kind is None or kind == "O":
        try:
            kind = np.asarray(X).dtype.kind
            if kind == "O":
                kind = "U" if any(isinstance(v, str) for v in np.ravel(X)) else "O"
        except (TypeError, ValueError):
            kind = None
    if kind in ("U", "S"):
        return ValueError(
            f"{error} {whom} needs category codes 0, 1, 2, ...: encode "
            "string categories with sklearn.preprocessing.OrdinalEncoder first "
            "(see the user guide)."
        )
    return error


@dataclass(frozen=True)
class CategoricalRows(RowFields):
    """Per-row fields of categorical data.

    Attributes
    ----------
    has_nan : ndarray of shape (n_samples,) or None
        Whether each row has a missing answer.
    """

    has_nan: object = None


class CategoricalFamily(Family):
    """Independent categorical features per component (see :class:`CategoricalMixture`).

    Parameters
    ----------
    n_components : int
    category_probabilities_init : array-like of shape (n_components, \
            n_features, max_categories) or None
        Initial category probabilities, padded with zeros as
        ``category_probabilities_``.
    probability_floor : float, default=1e-10
        Least probability of a category.

    Attributes
    ----------
    n_categories_ : ndarray of shape (n_features,)
        Learned by :meth:`learn`: the largest code of every feature plus one.
    """

    parameter_names = ("category_probabilities_",)

    fixable = {
        "category_probabilities": (
            ("category_probabilities_",),
            "category_probabilities_init",
        )
    }

    def __init__(
        self, n_components, category_probabilities_init=None, probability_floor=1e-10
    ):
        super().__init__(n_components)
        self.category_probabilities_init = category_probabilities_init
        self.probability_floor = probability_floor
        self.complete_init = category_probabilities_init is not None
        self.whom = "CategoricalMixture"
        self.feature_names = None
        self.truncated = None  # the TruncatedCodes of the data being validated

    # Data -------------------------------------------------------------
    def validate(self, estimator, X, *, reset):
        self.whom = type(estimator).__name__
        per_block = converted_per_block(X)
        try:
            X = validate_data(
                estimator,
                X,
                dtype=None if per_block else [np.float64, np.float32],
                reset=reset,
                ensure_all_finite="allow-nan",
            )
        except ValueError as error:
            raise _strings_error(X, error, self.whom) from None
        if reset:
            self.feature_names = getattr(estimator, "feature_names_in_", None)
            self.learn(X)
        dtype = np.float64 if per_block else None
        self.truncated = TruncatedCodes(self.whom, rows=X.shape[0])
        return RowData(X, per_row=CategoricalRows(), dtype=dtype)

    def learn(self, X):
        """Learn ``n_categories_`` from the fit's data (numpy or dask arrays).

        The largest code of every feature, truncated, plus one. Negative codes
        are named by the check of every block (:meth:`prepare_block`), which
        also counts the codes that are not whole; here they only must not
        break the reduction.
        """
        check_features_observed(X, self.feature_names)
        largest = np.asarray(np.nanmax(X, axis=0), dtype=np.float64)
        if np.isposinf(largest).any():
            # Only a dask array gets here with inf (in memory, validate_data
            # refused it), whose blocks then say so; the codes they hold must
            # not be called unseen meanwhile.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-inf column
                finite = np.where(np.isinf(X), np.nan, X)
                largest = np.asarray(np.nanmax(finite, axis=0), dtype=np.float64)
        usable = np.isfinite(largest) & (largest >= 0)
        largest = np.where(usable, np.floor(np.where(usable, largest, 0.0)), 0.0)
        if largest.max() >= MAX_CATEGORIES:
            j = int(np.argmax(largest))
            raise ValueError(
                f"Feature {j} holds the code {largest[j]:g}: {self.whom} reads "
                f"every value as a category code and refuses more than "
                f"{MAX_CATEGORIES} categories per feature. Encode the categories "
                "as 0, 1, 2, ... with sklearn.preprocessing.OrdinalEncoder, or fit "
                "a continuous feature with another model."
            )
        self.n_categories_ = largest.astype(np.intp) + 1
        self.layout = CategoryLayout(self.n_categories_)
        widest = int(self.n_categories_.max())
        if self.probability_floor * widest >= 1.0:
            raise ValueError(
                f"probability_floor={self.probability_floor:g} is too large for "
                f"a feature of {widest} categories: it needs probability_floor < "
                f"1 / {widest}."
            )
        if self.category_probabilities_init is not None:
            self._check_probabilities_init(widest)

    def _check_probabilities_init(self, widest):
        name = "category_probabilities_init"
        probabilities = np.asarray(self.category_probabilities_init, dtype=np.float64)
        check_shape(
            probabilities, (self.n_components, len(self.n_categories_), widest), name
        )
        if not np.all(np.isfinite(probabilities)):
            raise ValueError(f"The parameter '{name}' must be finite.")
        flat = self.layout.flat(probabilities)
        if not np.all((flat >= 0) & (flat <= 1)):
            raise ValueError(
                f"The parameter '{name}' must hold probabilities in [0, 1]."
            )
        sums = self.layout.feature_sums(flat)
        if not np.allclose(sums, 1.0, rtol=0, atol=1e-6):
            k, j = np.argwhere(~np.isclose(sums, 1.0, rtol=0, atol=1e-6))[0]
            raise ValueError(
                f"The parameter '{name}' should sum to 1 over the "
                f"{self.n_categories_[j]} categories of every feature, but the "
                f"probabilities of feature {j} in component {k} sum to "
                f"{sums[k, j]:.5f}."
            )

    def prepare_block(self, block):
        missing = np.isnan(block.X)
        n_truncated, first = _check_codes(
            block.X,
            self.n_categories_,
            self.whom,
            self.feature_names,
            block.first_row,
        )
        truncated = getattr(self, "truncated", None) or TruncatedCodes(self.whom)
        truncated.add(n_truncated, first, block.n_samples)
        return {"has_nan": missing.any(axis=1)}

    def init_points(self, data):
        # The one-hot rows: squared Euclidean distances between them are
        # twice the number of features on which two rows differ (Hamming),
        # which k-means and Ward then minimize. A missing answer takes its
        # feature's (weighted) observed proportions, for the clustering only.
        X = np.asarray(data.X, dtype=np.float64)
        missing = np.isnan(X)
        if not missing.any():
            return _one_hot(X, self.layout, False)
        points = _one_hot(X, self.layout, missing)
        gaps = missing[:, self.layout.feature_of]
        points[gaps] = np.nan
        fill = np.nan_to_num(observed_feature_means(points, data.sample_weight))
        points[gaps] = fill[np.nonzero(gaps)[1]]
        return points

    def row_bytes(self, n_features):
        n_columns = getattr(getattr(self, "layout", None), "n_columns", 4 * n_features)
        return 8 * (2 * n_columns + 3 * n_features + 4 * self.n_components)

    # EM ---------------------------------------------------------------
    def log_prob(self, params, block):
        one_hot = _one_hot(block.X, self.layout, nan_mask(block))
        log_probabilities = np.log(self.layout.flat(params["category_probabilities_"]))
        return _estimate_categorical_log_prob(one_hot, log_probabilities), one_hot

    def accumulate(self, params, block, resp, workspace=None):
        one_hot = workspace
        if one_hot is None:
            one_hot = _one_hot(block.X, self.layout, nan_mask(block))
        return _estimate_categorical_statistics(one_hot, resp)

    def m_step(self, stats):
        # MAP under a Dirichlet prior (its pseudo-answers added), then the floor.
        flat = _estimate_category_probabilities(
            map_categorical_statistics(stats, self.prior, self.layout),
            self.layout,
            self.probability_floor,
        )
        return {"category_probabilities_": self.layout.padded(flat)}

    # Prior knowledge --------------------------------------------------
    def resolve_prior(self, data):
        if self.prior_spec is None:
            self.prior = None
            return
        self.prior = resolve_dirichlet_prior(self.prior_spec, data.n_features)

    def log_prior(self, params):
        if self.prior is None:
            return 0.0
        flat = self.layout.flat(params["category_probabilities_"])
        return dirichlet_log_density(flat, self.prior, self.layout)

    def fixed_parameter_count(self, params):
        # Free parameters per feature: its categories minus one, not the
        # padded width of the parameter array.
        if "category_probabilities_" not in self.fixed:
            return 0
        return self.n_parameters(params)

    def initial_parameters(self, stats):
        if self.category_probabilities_init is None:
            return self.m_step(stats)
        flat = self.layout.flat(
            np.asarray(self.category_probabilities_init, dtype=np.float64)
        )
        flat = _floored(flat, self.layout, self.probability_floor)
        return {"category_probabilities_": self.layout.padded(flat)}

    def unconstrained(self, params):
        # Log-probabilities relative to category 0 of every feature (whose
        # own coordinate, always 0, is left out): softmax coordinates.
        log_p = np.log(self.layout.flat(params["category_probabilities_"]))
        relative = log_p - log_p[:, self.layout.offsets][:, self.layout.feature_of]
        return [np.delete(relative, self.layout.offsets, axis=1)]

    def constrained(self, arrays):
        layout = self.layout
        logits = np.insert(
            arrays[0], layout.offsets - np.arange(len(layout.offsets)), 0.0, axis=1
        )
        logits -= np.maximum.reduceat(logits, layout.offsets, axis=1)[
            :, layout.feature_of
        ]
        probabilities = np.exp(logits)
        probabilities /= layout.feature_sums(probabilities)[:, layout.feature_of]
        probabilities = _floored(probabilities, layout, self.probability_floor)
        if not np.all(np.isfinite(probabilities)):
            raise ValueError("Category probabilities are not finite.")
        return {"category_probabilities_": layout.padded(probabilities)}

    def degenerate(self, weights, params, nk):
        return categorical_degeneracy(
            self.layout.flat(params["category_probabilities_"]),
            self.layout,
            self.probability_floor,
            nk,
        )

    def n_parameters(self, params):
        return self.n_components * int((self.n_categories_ - 1).sum())

    def fitted_attributes(self, params):
        return {**params, "n_categories_": self.n_categories_}

    def sample(self, params, n_per_component, random_state):
        probabilities = params["category_probabilities_"]
        labels = np.repeat(np.arange(self.n_components), n_per_component)
        n_samples, n_features = len(labels), probabilities.shape[1]
        X = np.empty((n_samples, n_features))
        for j in range(n_features):
            cdf = np.cumsum(probabilities[labels, j, : self.n_categories_[j]], axis=1)
            draws = random_state.uniform(size=(n_samples, 1))
            codes = (draws > cdf).sum(axis=1)
            X[:, j] = np.minimum(codes, self.n_categories_[j] - 1)
        return X


class CategoricalMixture(BaseMixtureEM):
    """Mixture of independent categorical features: latent class analysis.

    Each row of ``X`` holds one answer per feature, coded ``0, 1, ...,
    c_j - 1`` (the answers to the items of a survey, the ratings of a set of
    raters). The class that produced a row is latent; given the class, the
    features are independent categorical variables, each with its own number
    of categories ``c_j`` (a Bernoulli variable when ``c_j = 2``). This is
    the latent class model of Lazarsfeld, Goodman and R's ``poLCA``, and
    flexmix's ``FLXMCmvbinary`` for binary features.

    Read more in the :ref:`User Guide <categorical_mixture>`.

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components (latent classes).

    fit_weights : bool, default='deprecated'
        Whether to learn the mixture weights (the default learns them). If
        False they stay at ``weights_init`` (uniform when None).

        .. deprecated:: 0.1
            ``fit_weights`` is deprecated and will be removed in 0.2: pass
            ``fixed=("weights",)`` with ``weights_init`` instead. Setting it
            (True or False) raises a ``FutureWarning``.

    probability_floor : float, default=1e-10
        Every fitted category probability is at least ``probability_floor``
        (``p = floor + (1 - c_j floor) * count / total``), so that
        log-likelihoods stay finite when a component never shows a category.
        Must be below ``1 / c_j`` for every feature.

    tol : float, default=1e-6
        Convergence threshold, applied as ``stopping_rule`` says: by default,
        on the change of the *total* (weighted) log-likelihood.

    max_iter : int, default=1000
        Maximum number of EM steps (evaluations of the EM map).

    n_init : int, default=1
        Number of initializations; the run with the best final
        log-likelihood is kept, among the runs that are not degenerate (a
        tiny component that never shows some category) when there is one.

    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data', \
            'hierarchical', 'emem', 'emem-hierarchical', 'emem-split-merge'}, \
            default='kmeans'
        Method used to initialize the responsibilities. The clustering
        starts run on the one-hot encoding of the answers (a missing answer
        replaced by its feature's observed proportions), on which squared
        Euclidean distance is twice the Hamming distance (the number of
        features on which two rows differ): k-means and Ward's hierarchical
        clustering ('hierarchical') group rows of similar answer patterns.
        'emem' and 'emem-hierarchical' search many short EM runs from varied
        starts and continue the best; 'emem-split-merge' then merges two
        components and splits a third while such a move ends higher (see
        :ref:`optimum`).

    init_sample_size : int, default=None
        Number of rows, drawn at random without replacement, on which the
        ``init_params`` strategy runs; EM itself always uses every row. None
        uses every row of in-memory data that fit in one block of
        scikit-learn's ``working_memory``, and at most 100,000 rows
        otherwise.

    learning_decay : float, default=0.7
        Exponent of the step-size schedule of :meth:`partial_fit`, in
        (0.5, 1].

    learning_offset : float, default=2.0
        Offset of the step-size schedule of :meth:`partial_fit`.

    stopping_rule : {'mean', 'total', 'aitken'}, default='total'
        How ``tol`` is applied to successive log-likelihoods: on the mean per
        sample (scikit-learn's rule), on the total, or on Aitken's
        extrapolation of the total to its limit.

    acceleration : {None, 'squarem'}, default='squarem'
        ``'squarem'`` extrapolates along successive EM steps (SQUAREM, the
        category probabilities as log-probabilities relative to each
        feature's category 0), falling back to the plain EM step whenever
        the extrapolated point would lower the log-likelihood; ``None`` gives
        plain EM.

    weights_init : array-like of shape (n_components,), default=None
        Initial mixture weights (held when ``fixed`` names ``"weights"``).

    category_probabilities_init : array-like of shape (n_components, \
            n_features, max_categories), default=None
        Initial category probabilities, in the layout of
        ``category_probabilities_``: entry ``[k, j, c]`` for category ``c``
        of feature ``j`` in component ``k``; every feature's probabilities
        sum to 1, entries beyond its categories are ignored. Held when
        ``fixed`` names ``"category_probabilities"``.

    prior : None, 'conjugate' or dict, default=None
        Prior of maximum a posteriori (MAP) estimation; None is maximum
        likelihood. ``'conjugate'`` puts a symmetric ``Dirichlet(c, ..., c)``
        prior on the category probabilities of every feature in every
        component with ``c = 2``: one pseudo-answer per category, add-one
        (Laplace) smoothing as ``CategoricalNB(alpha=1)``, so no category
        gets probability 0. The M-step is ``(n_kjc + c - 1) / (n_kj + C_j (c
        - 1))``, with ``n_kjc`` the answers ``c`` to feature ``j`` credited
        to component ``k``, ``n_kj`` their sum and ``C_j`` the feature's
        ``n_categories_``; ``probability_floor`` is applied after it. A dict
        sets the keys ``"concentration"`` (``c``: a number >= 1 or an array
        of shape (n_features,); 2 when left out) and
        ``"weight_concentration"`` (``alpha >= 1`` of a symmetric Dirichlet
        prior on the weights; 1, none, when left out). EM then climbs the
        log posterior, which ``lower_bounds_`` records. See
        :ref:`prior_knowledge`.

    fixed : tuple of str, default=()
        Parameters held at their initial values instead of being fitted:
        ``"weights"`` (at ``weights_init``, which must be given) and
        ``"category_probabilities"`` (at ``category_probabilities_init``,
        which must be given). Held parameters are not counted by :meth:`bic`
        and :meth:`aic`. See :ref:`prior_knowledge`.

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

    n_threads : int or None, default=None
        Threads the passes over the data run on (results added in block
        order: the same bits whatever the number). None uses every core the
        process may use; ``OMP_NUM_THREADS`` and
        :func:`threadpoolctl.threadpool_limits` are respected; -1 also means
        every core. See :ref:`threads`.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        Mixture weights (latent class sizes).

    category_probabilities_ : ndarray of shape (n_components, n_features, \
            max_categories)
        ``category_probabilities_[k, j, c]`` is the probability of category
        ``c`` of feature ``j`` in component ``k``; the entries of feature
        ``j`` beyond ``n_categories_[j]`` are 0 (padding), so
        ``category_probabilities_[k, j, :n_categories_[j]]`` sums to 1;
        ``max_categories`` is ``n_categories_.max()``.
        A category never seen in ``fit`` has probability ``probability_floor``.

    n_categories_ : ndarray of shape (n_features,)
        Number of categories of every feature: its largest code in ``fit``
        plus one. A larger code at prediction is a ``ValueError``.

    converged_ : bool
        Whether the best run converged.

    n_iter_ : int
        Number of EM steps of the best run (of updates, after
        :meth:`partial_fit`).

    lower_bound_ : float
        Mean log-likelihood per sample of the returned parameters on the
        training data (weighted mean under ``sample_weight``).

    lower_bounds_ : list of float
        Log-likelihoods of the best run; ``lower_bounds_[-1] ==
        lower_bound_``.

    prior_ : dict
        The prior's hyperparameters used, data-dependent defaults filled in
        (``"concentration"``, ``"weight_concentration"``); only when ``prior``
        is not None.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    BinomialMixture : Counts out of a number of trials (binary features are
        binomials of one trial, the same model).
    sklearn.preprocessing.OrdinalEncoder : Turns string categories into the
        codes this model reads.

    Notes
    -----
    Codes are whole numbers 0, 1, 2, ... (any numeric dtype). A code that is
    not whole is truncated toward zero (``2.7`` reads as ``2``, as in
    scikit-learn's ``CategoricalNB``) in every method, with a
    ``DataConversionWarning`` that counts the truncated entries; negative
    values (``-0.5`` too) are a ``ValueError``, and so is ``inf``. Strings
    are refused: put an :class:`~sklearn.preprocessing.OrdinalEncoder` in
    front, ``make_pipeline(OrdinalEncoder(), CategoricalMixture(3))``.

    A missing answer (NaN) drops out of its row's likelihood and of the
    statistics of its feature: exact EM on the observed answers, assuming
    they are missing at random. A row with every answer missing has
    log-likelihood zero and the mixture weights as its responsibilities; a
    feature missing in every sample of ``fit`` is a ``ValueError``.

    The number of free parameters (AIC, BIC) is ``n_components * sum_j (c_j
    - 1)`` plus ``n_components - 1`` weights.

    Examples
    --------
    >>> import numpy as np
    >>> from skem import CategoricalMixture
    >>> answers = np.array([[0, 0, 2], [0, 0, 2], [0, 1, 2], [1, 1, 0],
    ...                     [1, 1, 1], [1, 1, 0]])
    >>> X = np.repeat(answers, 5, axis=0)  # each pattern five times
    >>> model = CategoricalMixture(n_components=2, random_state=0).fit(X)
    >>> model.n_categories_
    array([2, 2, 3])
    >>> model.predict(answers)
    array([1, 1, 1, 0, 0, 0])
    >>> model.category_probabilities_[1].round(3)  # features x categories
    array([[1.   , 0.   , 0.   ],
           [0.667, 0.333, 0.   ],
           [0.   , 0.   , 1.   ]])
    """

    _parameter_constraints: dict = {
        **BaseMixtureEM._parameter_constraints,
        "fit_weights": ["boolean", Hidden(StrOptions({"deprecated"}))],
        "probability_floor": [Interval(Real, 0, 0.5, closed="neither")],
        "weights_init": ["array-like", None],
        "category_probabilities_init": ["array-like", None],
    }

    def __init__(
        self,
        n_components=1,
        *,
        fit_weights="deprecated",
        probability_floor=1e-10,
        tol=1e-6,
        max_iter=1000,
        n_init=1,
        init_params="kmeans",
        init_sample_size=None,
        learning_decay=0.7,
        learning_offset=2.0,
        stopping_rule="total",
        acceleration="squarem",
        weights_init=None,
        category_probabilities_init=None,
        prior=None,
        fixed=(),
        random_state=None,
        warm_start=False,
        verbose=0,
        verbose_interval=10,
        n_threads=None,
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
            prior=prior,
            fixed=fixed,
            random_state=random_state,
            warm_start=warm_start,
            verbose=verbose,
            verbose_interval=verbose_interval,
        )
        self.n_threads = n_threads
        self.fit_weights = fit_weights
        self.probability_floor = probability_floor
        self.weights_init = weights_init
        self.category_probabilities_init = category_probabilities_init

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        tags.input_tags.allow_nan = True
        return tags

    def _make_family(self):
        warn_if_fit_weights(self)
        return CategoricalFamily(
            self.n_components,
            category_probabilities_init=self.category_probabilities_init,
            probability_floor=self.probability_floor,
        )

    def _fits_weights(self):
        return fits_weights(self)
