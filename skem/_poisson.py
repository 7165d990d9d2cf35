"""PoissonMixture: independent Poisson counts per component, with exposures.

The family (:class:`PoissonFamily`) and the public estimator
(:class:`PoissonMixture`, a shell over it). Given its component ``k``, the
count ``x_ij`` of row ``i`` and feature ``j`` is Poisson with mean
``lambda_kj * e_i``, where ``e_i`` is the row's *exposure* (observation time,
length, population at risk; 1 when none is given), so the rates are per unit
of exposure::

    log p(x_i | k) = sum_j x_ij log(lambda_kj e_i) - lambda_kj e_i - log x_ij!

The statistics are ``sum_i r_ik x_ij`` and ``sum_i r_ik e_i`` (per feature,
over the rows where the feature is observed), and the M-step divides them.
"""

from dataclasses import dataclass
from numbers import Real

import numpy as np
from scipy.special import gammaln, xlogy
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._base import BaseMixtureEM, with_metadata_doc
from ._blocks import RowData, RowFields, converted_per_block
from ._compat import Interval, _fit_context
from ._count_priors import check_hyperparameter, prior_keys
from ._em import rows_per_block
from ._family import Family, SufficientStatistics
from ._validation import (
    check_features_observed,
    check_shape,
    nan_mask,
    observed_feature_means,
)

#: Largest count whose log-likelihood float64 computes to about 1e-3:
#: ``x log(lambda e) - lambda e`` cancels terms of size ``x log x``, so its
#: rounding error grows like ``x log(x) * 1e-16`` (scipy.stats.poisson is no
#: better).
_LARGEST_COUNT = 1e12


@dataclass(frozen=True)
class PoissonStats(SufficientStatistics):
    """Sufficient statistics of a Poisson mixture.

    Attributes
    ----------
    nk : ndarray of shape (n_components,)
        Summed (weighted) responsibilities.
    sums : ndarray of shape (n_components, n_features)
        ``sum_i r_ik x_ij`` over the rows where feature ``j`` is observed.
    exposure : ndarray of shape (n_components, n_features)
        ``sum_i r_ik e_i`` over the same rows.
    """

    nk: np.ndarray
    sums: np.ndarray
    exposure: np.ndarray


# ----------------------------------------------------------------------
# The math, as pure functions
# ----------------------------------------------------------------------
def _observed(X, missing):
    """``X`` with zero at the missing counts, and the observed mask or None."""
    if missing is None:
        missing = np.isnan(X)
    if missing is False or not missing.any():
        return X, None
    return np.where(missing, 0.0, X), ~missing


def _log_poisson_constant(X, exposure=None):
    """``sum_j x_ij log(e_i) - log(x_ij!)`` per row; missing counts drop out.

    The part of the log-pmf that does not depend on the rates; ``gammaln``
    allows non-integer counts.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    exposure : ndarray of shape (n_samples,) or None

    Returns
    -------
    log_const : ndarray of shape (n_samples,)
    """
    X = np.asarray(X, dtype=np.float64)
    terms = -gammaln(X + 1)
    if exposure is not None:
        terms += xlogy(X, np.asarray(exposure, dtype=np.float64)[:, np.newaxis])
    return np.nansum(terms, axis=1)


def _exposure_totals(resp, exposure, observed, n_features):
    """``sum_i r_ik e_i`` per component and feature (observed counts only)."""
    if observed is None:
        totals = resp.sum(axis=0) if exposure is None else resp.T @ exposure
        return np.repeat(totals[:, np.newaxis], n_features, axis=1)
    seen = observed if exposure is None else observed * exposure[:, np.newaxis]
    return resp.T @ seen


def _estimate_poisson_log_prob(X, exposure, rates, log_const=None, missing=None):
    """Log-pmf of every sample under every component.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Counts; NaN marks a missing count, which drops out.
    exposure : ndarray of shape (n_samples,) or None
        Positive exposures (None: 1 for every row).
    rates : ndarray of shape (n_components, n_features)
        Positive rates per unit of exposure.
    log_const : ndarray of shape (n_samples,), default=None
        Precomputed :func:`_log_poisson_constant`.
    missing : ndarray of shape (n_samples, n_features), False or None, \
            default=None
        NaN mask of ``X`` (False: none); computed when None.

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
    """
    X = np.asarray(X, dtype=np.float64)
    if log_const is None:
        log_const = _log_poisson_constant(X, exposure)
    X, observed = _observed(X, missing)
    # Components first ((n, k) in Fortran order), as the binomial's kernel:
    # the E-step's reductions over the components read contiguous memory.
    log_prob = (np.log(rates) @ X.T).T
    if observed is None:
        totals = rates.sum(axis=1)
        if exposure is None:
            log_prob -= totals
        else:
            log_prob -= exposure[:, np.newaxis] * totals
    else:
        seen = observed if exposure is None else observed * exposure[:, np.newaxis]
        log_prob -= (rates @ seen.T).T
    log_prob += log_const[:, np.newaxis]
    return log_prob


def _estimate_poisson_statistics(X, exposure, resp, missing=None):
    """Statistics of weighted responsibilities ``resp``; NaN counts drop out."""
    X, observed = _observed(np.asarray(X, dtype=np.float64), missing)
    return PoissonStats(
        nk=resp.sum(axis=0),
        sums=resp.T @ X,
        exposure=_exposure_totals(resp, exposure, observed, X.shape[1]),
    )


def _estimate_poisson_rates(stats, floor):
    """Maximum-likelihood rates, kept at or above ``floor``.

    A component credited no exposure for a feature takes the pooled rate of
    that feature (1 if no exposure was seen at all), so every rate stays
    finite.
    """
    total_exposure = stats.exposure.sum(axis=0)
    pooled = np.divide(
        stats.sums.sum(axis=0),
        total_exposure,
        out=np.ones(stats.sums.shape[1]),
        where=total_exposure > 0,
    )
    rates = np.divide(
        stats.sums,
        stats.exposure,
        out=np.broadcast_to(pooled, stats.sums.shape).copy(),
        where=stats.exposure > 0,
    )
    return np.maximum(rates, floor)


#: The keys of a ``prior`` dict of :class:`PoissonMixture`.
PRIOR_KEYS = ("shape", "rate", "weight_concentration")


@dataclass(frozen=True)
class GammaPrior:
    """Resolved hyperparameters of the gamma prior on every rate.

    Attributes
    ----------
    shape, rate : ndarray of shape (n_features,)
        ``Gamma(shape_j, rate_j)`` on the rate of feature ``j`` in every
        component: ``shape - 1`` pseudo-counts over an exposure of ``rate``.
    """

    shape: np.ndarray
    rate: np.ndarray


def count_totals(block):
    """Weighted sums of a block's counts and exposures, per feature.

    Returns an array of shape (2, n_features): ``sum_i w_i x_ij`` and
    ``sum_i w_i e_i`` over the rows where feature ``j`` is observed. A
    module-level function, so that a dask pass can ship it.
    """
    X = np.asarray(block.X, dtype=np.float64)
    weight = block.sample_weight
    if weight is None:
        weight = np.ones(len(X))
    exposure = getattr(block.per_row, "exposure", None)
    row_exposure = weight if exposure is None else weight * exposure
    observed = ~np.isnan(X)
    return np.stack([weight @ np.where(observed, X, 0.0), row_exposure @ observed])


def resolve_gamma_prior(spec, data, block_rows):
    """The :class:`GammaPrior` of ``spec`` (``"conjugate"`` or a dict).

    Defaults: ``rate = 1`` (one pseudo-observation of exposure 1) and
    ``shape = 1 + rate * m_j``, with ``m_j`` the weighted mean rate of
    feature ``j`` in ``data`` (its counts over its exposure, NaN left out),
    computed in one pass when the shape is not given.
    """
    spec = prior_keys(spec, PRIOR_KEYS, "PoissonMixture")
    n_features = data.n_features
    rate = check_hyperparameter(spec, "rate", 1.0, n_features, least=0.0, strict=True)
    if "shape" in spec:
        shape = check_hyperparameter(spec, "shape", None, n_features, least=1.0)
    else:
        counts, exposure = data.reduce(count_totals, block_rows)
        mean = np.divide(counts, exposure, out=np.zeros(n_features), where=exposure > 0)
        shape = 1.0 + rate * mean
    return GammaPrior(shape, rate)


def map_poisson_rates(stats, prior, floor):
    """``(S + shape - 1) / (E + rate)``, the mode of the gamma posterior.

    At least ``floor``; ``rate > 0`` keeps the denominator positive.
    """
    rates = (stats.sums + (prior.shape - 1.0)) / (stats.exposure + prior.rate)
    return np.maximum(rates, floor)


def gamma_log_density(rates, prior):
    """``sum_kj log Gamma(lambda_kj; shape_j, rate_j)``: the exact log density."""
    rates = np.asarray(rates, dtype=np.float64)
    a, b = prior.shape, prior.rate
    terms = xlogy(a, b) - gammaln(a) + xlogy(a - 1.0, rates) - b * rates
    return float(np.sum(terms))


def poisson_degeneracy(rates, rate_floor, nk):
    """Degenerate components of a Poisson mixture, with the reason for each.

    *Pinned*: some rate sits at the floor (an estimate of 0) while the
    component carries fewer effective samples than its free parameters
    (``n_features + 1``, counting its weight): a tiny component that fits a
    row or two of zeros exactly, as the binomial rule (:mod:`skem._degeneracy`).

    Returns
    -------
    reasons : dict of int to str
    """
    n_features = rates.shape[1]
    pinned = rates <= rate_floor * (1 + 1e-9)
    needed = n_features + 1
    reasons = {}
    for k in np.flatnonzero(pinned.any(axis=1) & (nk < needed)):
        features = np.flatnonzero(pinned[k]).tolist()
        reasons[int(k)] = (
            f"is pinned to rate 0 in features {features} while carrying "
            f"{nk[k]:.3g} effective samples, fewer than its {needed} free "
            "parameters"
        )
    return reasons


# ----------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------
def _check_counts(X, first_row=0):
    """Refuse negative counts and counts too large for float64."""
    with np.errstate(invalid="ignore"):
        negative = X < 0
        large = X > _LARGEST_COUNT
    if negative.any():
        i, j = np.argwhere(negative)[0]
        raise ValueError(
            f"Negative values in data: X[{first_row + i}, {j}] = {X[i, j]:g}. Poisson "
            "counts must be non-negative."
        )
    if large.any():
        i, j = np.argwhere(large)[0]
        raise ValueError(
            f"X[{first_row + i}, {j}] = {X[i, j]:.3g}: the Poisson log-likelihood "
            f"of counts above {_LARGEST_COUNT:.0e} loses its precision in float64 "
            "(its rounding error grows like x log(x) * 1e-16). Fit log counts "
            "instead, for example with GaussianMixtureEM."
        )


def _check_exposure(exposure, n_samples, method):
    """Validate per-sample ``exposure``; return None or a 1-D float array."""
    if exposure is None:
        return None
    exposure = check_array(
        exposure, ensure_2d=False, dtype=np.float64, input_name="exposure"
    )
    if exposure.ndim == 2 and exposure.shape[1] == 1:
        exposure = exposure[:, 0]
    if exposure.shape != (n_samples,):
        raise ValueError(
            f"exposure passed to {method} should have shape (n_samples,) = "
            f"({n_samples},), but got shape {exposure.shape}."
        )
    not_positive = np.flatnonzero(exposure <= 0)
    if not_positive.size:
        i = int(not_positive[0])
        raise ValueError(
            f"exposure must be positive; got exposure[{i}] = {exposure[i]:g}."
        )
    return exposure


@dataclass(frozen=True)
class PoissonRows(RowFields):
    """Per-row fields of count data.

    Attributes
    ----------
    exposure : ndarray of shape (n_samples,) or None
        Per-sample exposures (None: 1 for every row).
    log_const : ndarray of shape (n_samples,) or None
        Cached :func:`_log_poisson_constant`.
    has_nan : ndarray of shape (n_samples,) or None
        Whether each row has a missing count.
    """

    exposure: object = None
    log_const: object = None
    has_nan: object = None


class PoissonFamily(Family):
    """Independent Poisson features per component (see :class:`PoissonMixture`).

    Parameters
    ----------
    n_components : int
    rates_init : array-like of shape (n_components, n_features) or None
    rate_floor : float, default=1e-10
        Every fitted rate is at least this.
    """

    parameter_names = ("rates_",)

    fixable = {"rates": (("rates_",), "rates_init")}

    def __init__(self, n_components, rates_init=None, rate_floor=1e-10):
        super().__init__(n_components)
        self.rates_init = rates_init
        self.rate_floor = rate_floor
        self.complete_init = rates_init is not None

    # Data -------------------------------------------------------------
    def validate(self, estimator, X, *, reset, exposure=None):
        # Integer counts are converted block by block, never whole.
        per_block = converted_per_block(X)
        X = validate_data(
            estimator,
            X,
            dtype=None if per_block else [np.float64, np.float32],
            reset=reset,
            ensure_all_finite="allow-nan",
        )
        exposure = _check_exposure(exposure, X.shape[0], "fit" if reset else "predict")
        if reset:
            self.feature_names = getattr(estimator, "feature_names_in_", None)
            self.learn(X, exposure=exposure)
        dtype = np.float64 if per_block else None
        return RowData(X, per_row=PoissonRows(exposure=exposure), dtype=dtype)

    def learn(self, X, exposure=None):
        """Check the fit's data (numpy or dask arrays) and ``rates_init``."""
        check_features_observed(X, getattr(self, "feature_names", None))
        if self.rates_init is not None:
            rates = np.asarray(self.rates_init, dtype=np.float64)
            check_shape(rates, (self.n_components, X.shape[1]), "rates_init")
            if not np.all(np.isfinite(rates) & (rates >= 0)):
                raise ValueError(
                    "The parameter 'rates_init' must hold finite, non-negative rates."
                )

    def prepare_block(self, block):
        X = np.asarray(block.X, dtype=np.float64)
        _check_counts(X, block.first_row)
        exposure = getattr(block.per_row, "exposure", None)
        return {
            "log_const": _log_poisson_constant(X, exposure),
            "has_nan": np.isnan(X).any(axis=1),
        }

    def init_points(self, data):
        # Counts per unit of exposure; a missing one takes its feature's
        # (weighted) mean, for the clustering only.
        X = np.asarray(data.X, dtype=np.float64)
        exposure = getattr(data.per_row, "exposure", None)
        if exposure is not None:
            X = X / exposure[:, np.newaxis]
        missing = np.isnan(X)
        if missing.any():
            fill = np.nan_to_num(observed_feature_means(X, data.sample_weight), nan=0.0)
            X = np.where(missing, fill, X)
        return X

    # EM ---------------------------------------------------------------
    def log_prob(self, params, block):
        per_row = block.per_row
        log_prob = _estimate_poisson_log_prob(
            block.X,
            getattr(per_row, "exposure", None),
            params["rates_"],
            getattr(per_row, "log_const", None),
            nan_mask(block),
        )
        return log_prob, None

    def accumulate(self, params, block, resp, workspace=None):
        return _estimate_poisson_statistics(
            block.X, getattr(block.per_row, "exposure", None), resp, nan_mask(block)
        )

    def m_step(self, stats):
        if self.prior is None:
            return {"rates_": _estimate_poisson_rates(stats, self.rate_floor)}
        return {"rates_": map_poisson_rates(stats, self.prior, self.rate_floor)}

    # Prior knowledge --------------------------------------------------
    def resolve_prior(self, data):
        if self.prior_spec is None:
            self.prior = None
            return
        self.prior = resolve_gamma_prior(
            self.prior_spec, data, rows_per_block(self, data)
        )

    def log_prior(self, params):
        if self.prior is None:
            return 0.0
        return gamma_log_density(params["rates_"], self.prior)

    def initial_parameters(self, stats):
        if self.rates_init is None:
            return self.m_step(stats)
        rates = np.array(self.rates_init, dtype=np.float64)
        return {"rates_": np.maximum(rates, self.rate_floor)}

    def unconstrained(self, params):
        return [np.log(params["rates_"])]

    def constrained(self, arrays):
        with np.errstate(over="ignore"):
            rates = np.exp(arrays[0])
        if not np.all(np.isfinite(rates)):
            raise ValueError("Rates are not finite.")
        return {"rates_": np.maximum(rates, self.rate_floor)}

    def degenerate(self, weights, params, nk):
        return poisson_degeneracy(params["rates_"], self.rate_floor, nk)

    def n_parameters(self, params):
        return params["rates_"].size

    def sample(self, params, n_per_component, random_state, exposure=None):
        means = np.repeat(params["rates_"], n_per_component, axis=0)
        if exposure is not None:
            means = means * np.asarray(exposure, dtype=np.float64)[:, np.newaxis]
        return random_state.poisson(means).astype(np.float64)


# ----------------------------------------------------------------------
# The estimator
# ----------------------------------------------------------------------
_EXPOSURE_PARAMETER = (
    "exposure : array-like of shape (n_samples,), default=None\n"
    "    Positive exposure of every sample (observation time, length,\n"
    "    population at risk): the counts of row ``i`` have means\n"
    "    ``rates_ * exposure[i]``. None: 1 for every sample."
)


_with_exposure_doc = with_metadata_doc(_EXPOSURE_PARAMETER)


class PoissonMixture(BaseMixtureEM):
    """Mixture of independent Poisson distributions, fitted by EM.

    Each row of ``X`` holds counts, one per feature: events in a period,
    defects in a length of fabric, decayed teeth. The component that produced
    a row is latent; given the component ``k``, the features are independent
    Poisson counts with means ``rates_[k] * exposure``, where the optional
    per-sample ``exposure`` (observation time, length, population at risk) is
    passed to the methods and defaults to 1.

    Read more in the :ref:`User Guide <poisson_mixture>`.

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components.

    rate_floor : float, default=1e-10
        Every fitted rate is at least ``rate_floor``, so that log-likelihoods
        stay finite when a component sees only zeros for a feature.

    tol : float, default=1e-6
        Convergence threshold, applied as ``stopping_rule`` says (by default
        on the change of the total log-likelihood).

    max_iter : int, default=1000
        Maximum number of EM steps (evaluations of the EM map).

    n_init : int, default=1
        Number of initializations; the run with the best final log-likelihood
        is kept, among the runs that are not degenerate (with a tiny
        component pinned to rate 0) when there is one.

    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data', \
            'hierarchical', 'emem', 'emem-hierarchical', 'emem-split-merge'}, \
            default='kmeans'
        Method used to initialize the responsibilities; clustering runs on
        the counts per unit of exposure ``X / exposure`` (a missing one filled
        with its feature's mean), with Euclidean distances ('hierarchical' is
        Ward's clustering of those points). See
        :class:`BinomialMixture` for the strategies.

    init_sample_size : int, default=None
        Number of rows on which the ``init_params`` strategy runs; None uses
        every row of in-memory data that fit in one block and a bounded
        sample otherwise (as :class:`BinomialMixture`).

    learning_decay : float, default=0.7
        Exponent of the step-size schedule of :meth:`partial_fit`, in
        (0.5, 1].

    learning_offset : float, default=2.0
        Offset of the step-size schedule of :meth:`partial_fit`.

    stopping_rule : {'mean', 'total', 'aitken'}, default='total'
        How ``tol`` is applied to successive log-likelihoods (see
        :class:`BinomialMixture`).

    acceleration : {None, 'squarem'}, default='squarem'
        ``'squarem'`` extrapolates along successive EM steps in the log rates
        (never lowering the log-likelihood); ``None`` gives plain EM.

    weights_init : array-like of shape (n_components,), default=None
        Initial mixture weights (held when ``fixed`` names ``"weights"``).

    rates_init : array-like of shape (n_components, n_features), default=None
        Initial rates per unit of exposure (held when ``fixed`` names
        ``"rates"``).

    prior : None, 'conjugate' or dict, default=None
        Prior of maximum a posteriori (MAP) estimation; None is maximum
        likelihood. ``'conjugate'`` puts a ``Gamma(shape, rate)`` prior on
        every rate (per unit of exposure) with ``rate = 1`` (one
        pseudo-observation of exposure 1) and ``shape = 1 + rate * m_j``,
        ``m_j`` the weighted mean rate of feature ``j`` in the fit's data
        (its counts over its exposure, NaN left out; the first batch of
        :meth:`partial_fit`): each component's rate is shrunk toward the
        feature's mean rate. The M-step is ``lambda =
        (S + shape - 1) / (E + rate)``, with ``S`` the counts and ``E`` the
        exposure credited to the component, then at least ``rate_floor``.
        A dict sets the keys ``"shape"`` (a number >= 1 or an array of shape
        (n_features,); the default above when left out), ``"rate"`` (a
        number > 0 or an array of shape (n_features,); 1 when left out) and
        ``"weight_concentration"`` (``alpha >= 1`` of a symmetric Dirichlet
        prior on the weights; 1, none, when left out). EM then climbs the
        log posterior, which ``lower_bounds_`` records. See
        :ref:`prior_knowledge`.

    fixed : tuple of str, default=()
        Parameters held at their initial values instead of being fitted:
        ``"weights"`` (at ``weights_init``, which must be given) and
        ``"rates"`` (at ``rates_init``, which must be given). Held
        parameters are not counted by :meth:`bic` and :meth:`aic`. See
        :ref:`prior_knowledge`.

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
        Mixture weights.

    rates_ : ndarray of shape (n_components, n_features)
        Poisson rate of every feature in every component, per unit of
        exposure.

    degenerate_components_ : dict of int to str
        Components of the fit pinned to rate 0 on too few samples, with the
        reason.

    converged_ : bool
        Whether the best run converged.

    n_iter_ : int
        Number of M-steps of the best run (of updates, after
        :meth:`partial_fit`).

    lower_bound_ : float
        Mean log-likelihood per sample of the returned parameters on the
        training data (weighted mean under ``sample_weight``).

    lower_bounds_ : list of float
        Log-likelihoods of the best run; ``lower_bounds_[-1] ==
        lower_bound_``.

    prior_ : dict
        The prior's hyperparameters used, data-dependent defaults filled in
        (``"shape"``, ``"rate"``, ``"weight_concentration"``); only when
        ``prior`` is not None.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    BinomialMixture : Counts out of a known number of trials.
    GaussianMixtureEM : Gaussian mixtures on the same engine.

    Notes
    -----
    Negative counts are a ``ValueError``. Non-integer counts are accepted as
    the continuous relaxation of the Poisson (``log x!`` computed with
    ``gammaln``), as :class:`BinomialMixture` does. Counts above 1e12 are
    refused: float64 cannot compute their log-likelihood to useful precision.
    Computations and fitted attributes are float64.

    A missing count (NaN in ``X``) drops out of its row's likelihood and of
    the statistics (with its share of the exposure): exact EM on the observed
    counts, assuming they are missing at random. A feature missing in every
    sample of ``fit`` is a ``ValueError``; ``inf`` is an error.

    The exposure enters the likelihood as ``x log(rate * e) - rate * e -
    log x!``, so ``score_samples`` is the true log-probability of the counts
    given their exposures. A model fitted with exposures scores rows without
    one at exposure 1: the rates are per unit of exposure.

    Examples
    --------
    >>> import numpy as np
    >>> from skem import PoissonMixture
    >>> X = np.array([[0, 1], [1, 0], [0, 0], [9, 12], [11, 8], [10, 10]])
    >>> model = PoissonMixture(n_components=2, random_state=0).fit(X)
    >>> model.rates_[np.argsort(model.rates_[:, 0])].round(2)
    array([[ 0.33,  0.33],
           [10.  , 10.  ]])
    >>> model.predict([[1, 1], [12, 9]])
    array([1, 0])
    """

    _parameter_constraints: dict = {
        **BaseMixtureEM._parameter_constraints,
        "rate_floor": [Interval(Real, 0, None, closed="neither")],
        "weights_init": ["array-like", None],
        "rates_init": ["array-like", None],
    }

    def __init__(
        self,
        n_components=1,
        *,
        rate_floor=1e-10,
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
        rates_init=None,
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
        self.rate_floor = rate_floor
        self.weights_init = weights_init
        self.rates_init = rates_init

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.input_tags.allow_nan = True
        return tags

    def _make_family(self):
        return PoissonFamily(self.n_components, self.rates_init, self.rate_floor)

    # ------------------------------------------------------------------
    # Public methods: the shared ones, with per-sample ``exposure``
    # (explicit signatures, so that metadata routing can request it)
    # ------------------------------------------------------------------
    @_with_exposure_doc
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None, exposure=None, labels=None):
        self._fit(X, sample_weight, exposure=exposure, labels=labels)
        return self

    @_with_exposure_doc
    @_fit_context(prefer_skip_nested_validation=True)
    def fit_predict(self, X, y=None, sample_weight=None, exposure=None, labels=None):
        return self._fit_predict(X, sample_weight, exposure=exposure, labels=labels)

    @_with_exposure_doc
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None, exposure=None, labels=None):
        return self._partial_fit(X, sample_weight, exposure=exposure, labels=labels)

    @_with_exposure_doc
    def score_samples(self, X, exposure=None):
        return self._score_samples(X, exposure=exposure)

    @_with_exposure_doc
    def score(self, X, y=None, sample_weight=None, exposure=None):
        return self._score(X, sample_weight, exposure=exposure)

    @_with_exposure_doc
    def predict(self, X, exposure=None):
        return self._predict(X, exposure=exposure)

    @_with_exposure_doc
    def predict_proba(self, X, exposure=None):
        return self._predict_proba(X, exposure=exposure)

    @_with_exposure_doc
    def aic(self, X, sample_weight=None, exposure=None):
        return self._information_criterion(X, "aic", sample_weight, exposure=exposure)

    @_with_exposure_doc
    def bic(self, X, sample_weight=None, exposure=None):
        return self._information_criterion(X, "bic", sample_weight, exposure=exposure)

    def sample(self, n_samples=1, exposure=None):
        """Draw samples from the fitted mixture.

        Uses ``random_state``, so an integer seed gives the same draws on
        every call.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to draw; at least 1.

        exposure : float or array-like of shape (n_samples,), default=None
            Positive exposure of the draws (per sample, in the order of the
            returned rows); 1 when None.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The samples, grouped by component.

        y : ndarray of shape (n_samples,)
            The component of each sample.
        """
        check_is_fitted(self)
        n_samples_comp, random_state = self._draw_component_counts(n_samples)
        if exposure is not None:
            exposure = np.asarray(exposure, dtype=np.float64)
            if exposure.ndim == 0:
                exposure = np.full(n_samples, float(exposure))
            exposure = _check_exposure(exposure, n_samples, "sample")
        X = self._family.sample(
            self._parameters().components,
            n_samples_comp,
            random_state,
            exposure=exposure,
        )
        y = np.repeat(np.arange(self.n_components), n_samples_comp)
        return X, y
