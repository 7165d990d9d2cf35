"""Mixtures of binomial distributions on count data."""

import inspect
from dataclasses import dataclass
from numbers import Real

import numpy as np
from scipy.special import gammaln
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_array, check_non_negative, validate_data

from ._base import (
    BaseMixtureEM,
    SufficientStatistics,
    check_shape,
    check_weights_init,
)


@dataclass(frozen=True)
class BinomialStats(SufficientStatistics):
    """Sufficient statistics of a binomial mixture.

    Attributes
    ----------
    nk : ndarray of shape (n_components,)
        Summed (weighted) responsibilities.
    successes : ndarray of shape (n_components, n_features)
        ``sum_i r_ik x_ij``.
    trials : ndarray of shape (n_components, n_features)
        ``sum_i r_ik n_ij``.
    """

    nk: np.ndarray
    successes: np.ndarray
    trials: np.ndarray


# ----------------------------------------------------------------------
# The math, as pure functions
# ----------------------------------------------------------------------
def _log_binomial_coefficient(X, n_trials):
    """``sum_j log C(n_ij, x_ij)`` per sample; gammaln allows non-integers.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_trials : ndarray broadcastable to ``X.shape``

    Returns
    -------
    log_coef : ndarray of shape (n_samples,)
    """
    n_trials = np.broadcast_to(n_trials, X.shape)
    return (gammaln(n_trials + 1) - gammaln(X + 1) - gammaln(n_trials - X + 1)).sum(
        axis=1
    )


def _estimate_binomial_log_prob(X, n_trials, probabilities, log_coef=None):
    """Log-pmf of every sample under every component.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Success counts.
    n_trials : ndarray of shape (n_features,), (n_samples, 1) or \
            (n_samples, n_features)
        Numbers of trials.
    probabilities : ndarray of shape (n_components, n_features)
        Success probabilities, strictly inside (0, 1).
    log_coef : ndarray of shape (n_samples,), default=None
        Precomputed :func:`_log_binomial_coefficient`.

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
    """
    if log_coef is None:
        log_coef = _log_binomial_coefficient(X, n_trials)
    log_p = np.log(probabilities)
    log_q = np.log1p(-probabilities)
    # x log p + (n - x) log q = x (log p - log q) + n log q: one product with X.
    log_prob = X @ (log_p - log_q).T
    if n_trials.ndim == 1:
        log_prob += log_q @ n_trials
    elif n_trials.shape[1] == 1:
        log_prob += n_trials * log_q.sum(axis=1)
    else:
        log_prob += n_trials @ log_q.T
    log_prob += log_coef[:, np.newaxis]
    return log_prob


def _estimate_binomial_statistics(X, n_trials, resp):
    """Statistics of weighted responsibilities ``resp``."""
    nk = resp.sum(axis=0)
    successes = resp.T @ X
    if n_trials.ndim == 1:
        trials = np.outer(nk, n_trials)
    else:
        trials = np.broadcast_to(resp.T @ n_trials, successes.shape).copy()
    return BinomialStats(nk=nk, successes=successes, trials=trials)


def _estimate_binomial_probabilities(stats, floor):
    """Maximum-likelihood probabilities, kept inside ``[floor, 1 - floor]``.

    A component that was credited no trials of a feature takes the pooled
    rate of that feature (0.5 if no trials were seen at all), so every
    parameter stays finite.
    """
    pooled = np.divide(
        stats.successes.sum(axis=0),
        stats.trials.sum(axis=0),
        out=np.full(stats.successes.shape[1], 0.5),
        where=stats.trials.sum(axis=0) > 0,
    )
    probabilities = np.divide(
        stats.successes,
        stats.trials,
        out=np.broadcast_to(pooled, stats.successes.shape).copy(),
        where=stats.trials > 0,
    )
    return np.clip(probabilities, floor, 1.0 - floor)


_N_TRIALS_PARAMETER = (
    "n_trials : array-like of shape (n_samples,) or (n_samples, n_features), "
    "default=None\n"
    "    Per-sample numbers of trials, overriding the constructor's ``n_trials``\n"
    "    (and the fitted ``n_trials_``)."
)


def _with_n_trials_doc(method):
    """Document ``method`` as the engine's method of that name plus ``n_trials``."""
    doc = inspect.cleandoc(getattr(BaseMixtureEM, method.__name__).__doc__)
    head, returns = doc.split("\nReturns\n-------\n")
    method.__doc__ = f"{head}\n{_N_TRIALS_PARAMETER}\n\nReturns\n-------\n{returns}"
    return method


class BinomialMixture(BaseMixtureEM):
    """Mixture of binomial distributions, fitted by expectation-maximization.

    Each row of ``X`` holds success counts, one per feature, out of a known
    number of trials. The component that produced a row is latent; given the
    component, the features are independent binomials. This is the model of
    the classic two-coin experiment: each row holds the heads out of ten
    tosses of one of two coins, and which coin was tossed is unknown.

    Read more in the :ref:`User Guide <binomial_mixture>`.

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components.

    n_trials : None, float or array-like of shape (n_features,), default=None
        Number of trials behind each count. ``None`` takes, per feature, the
        maximum count seen in ``fit`` rounded up to a whole number (the
        smallest number of trials that makes every count possible). Methods
        that take data also accept a per-sample ``n_trials`` that overrides
        this one.

    fit_weights : bool, default=True
        Whether to learn the mixture weights. If False they stay at
        ``weights_init`` (uniform when None), like ``fit_prior=False`` in
        :class:`sklearn.naive_bayes.MultinomialNB`.

    probability_floor : float, default=1e-10
        Every fitted probability is kept inside ``[probability_floor,
        1 - probability_floor]``, so that log-likelihoods stay finite when a
        component sees only zeros or only full counts for a feature.

    tol : float, default=1e-3
        Convergence threshold on the change of the mean log-likelihood per
        sample.

    max_iter : int, default=100
        Number of EM iterations to perform.

    n_init : int, default=1
        Number of initializations; the run with the best final log-likelihood
        is kept.

    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}, \
            default='kmeans'
        Method used to initialize the responsibilities; clustering runs on the
        success proportions ``X / n_trials``.

    weights_init : array-like of shape (n_components,), default=None
        Initial mixture weights (fixed weights when ``fit_weights=False``).

    probabilities_init : array-like of shape (n_components, n_features), \
            default=None
        Initial success probabilities.

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

    probabilities_ : ndarray of shape (n_components, n_features)
        Success probability of every feature in every component.

    n_trials_ : ndarray of shape (n_features,)
        Numbers of trials used when a method gets no per-sample ``n_trials``.
        With ``n_trials=None`` this is the per-feature maximum count seen in
        ``fit`` (or of the per-sample ``n_trials`` given to ``fit``), rounded
        up to a whole number.

    converged_ : bool
        Whether the best run converged.

    n_iter_ : int
        Number of M-steps of the best run.

    lower_bound_ : float
        Mean log-likelihood per sample of the returned parameters on the
        training data (weighted mean under ``sample_weight``).

    lower_bounds_ : list of float
        Log-likelihoods of the best run: initial parameters, then after each
        M-step; ``lower_bounds_[-1] == lower_bound_``.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    GaussianMixtureEM : Gaussian mixtures on the same engine.

    Notes
    -----
    Non-integer counts are accepted as the continuous relaxation of the
    binomial: the binomial coefficient is computed with ``gammaln``, so the
    likelihood is defined for any ``0 <= x <= n``.

    Examples
    --------
    >>> from skem import BinomialMixture
    >>> from skem.datasets import load_coin_flips
    >>> flips = load_coin_flips()
    >>> model = BinomialMixture(
    ...     n_components=2, n_trials=10, probabilities_init=[[0.6], [0.5]],
    ...     fit_weights=False, tol=0, max_iter=10,
    ... ).fit(flips.heads)
    >>> model.probabilities_.round(2).ravel()
    array([0.8 , 0.52])
    >>> model.predict(flips.heads)
    array([1, 0, 0, 1, 0])
    """

    _parameter_constraints: dict = {
        **BaseMixtureEM._parameter_constraints,
        "n_trials": [None, Interval(Real, 0, None, closed="left"), "array-like"],
        "fit_weights": ["boolean"],
        "probability_floor": [Interval(Real, 0, 0.5, closed="neither")],
        "weights_init": ["array-like", None],
        "probabilities_init": ["array-like", None],
    }

    def __init__(
        self,
        n_components=1,
        *,
        n_trials=None,
        fit_weights=True,
        probability_floor=1e-10,
        tol=1e-3,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
        weights_init=None,
        probabilities_init=None,
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
            random_state=random_state,
            warm_start=warm_start,
            verbose=verbose,
            verbose_interval=verbose_interval,
        )
        self.n_trials = n_trials
        self.fit_weights = fit_weights
        self.probability_floor = probability_floor
        self.weights_init = weights_init
        self.probabilities_init = probabilities_init

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags

    # ------------------------------------------------------------------
    # Data validation
    # ------------------------------------------------------------------
    def _validate_counts(self, X, reset):
        X = validate_data(self, X, dtype=np.float64, reset=reset)
        check_non_negative(X, type(self).__name__)
        return X

    def _validate_fit_data(self, X, n_trials=None):
        X = self._validate_counts(X, reset=True)
        per_sample = _check_per_sample_trials(n_trials, X, "fit")
        self.n_trials_ = self._resolve_n_trials(X, per_sample)
        return self._make_data(X, per_sample)

    def _validate_predict_data(self, X, n_trials=None):
        X = self._validate_counts(X, reset=False)
        return self._make_data(X, _check_per_sample_trials(n_trials, X, "predict"))

    def _resolve_n_trials(self, X, per_sample):
        n_features = X.shape[1]
        if self.n_trials is None:
            # The smallest whole number of trials that makes every count seen
            # possible.
            seen = X if per_sample is None else np.broadcast_to(per_sample, X.shape)
            return np.ceil(seen.max(axis=0))
        n_trials = np.asarray(self.n_trials, dtype=np.float64)
        if n_trials.ndim == 0:
            n_trials = np.full(n_features, float(n_trials))
        if n_trials.shape != (n_features,):
            raise ValueError(
                f"n_trials should be a number or have shape (n_features,) = "
                f"({n_features},), but got shape {n_trials.shape}."
            )
        _check_trials_values(n_trials, "n_trials")
        return n_trials

    def _make_data(self, X, per_sample):
        n_trials = self.n_trials_ if per_sample is None else per_sample
        _check_counts_within_trials(X, n_trials)
        return X, per_sample, _log_binomial_coefficient(X, n_trials)

    def _trials(self, data):
        return self.n_trials_ if data[1] is None else data[1]

    def _check_initial_parameters(self, data):
        n_features = data[0].shape[1]
        if self.weights_init is not None:
            check_weights_init(self.weights_init, self.n_components)
        if self.probabilities_init is not None:
            probabilities = np.asarray(self.probabilities_init, dtype=np.float64)
            check_shape(
                probabilities, (self.n_components, n_features), "probabilities_init"
            )
            if not np.all((probabilities >= 0) & (probabilities <= 1)):
                raise ValueError(
                    "The parameter 'probabilities_init' must hold probabilities "
                    "in [0, 1]."
                )

    # ------------------------------------------------------------------
    # Family hooks of the EM engine
    # ------------------------------------------------------------------
    def _init_features(self, data):
        X, n_trials = data[0], np.broadcast_to(self._trials(data), data[0].shape)
        return np.divide(X, n_trials, out=np.zeros_like(X), where=n_trials > 0)

    def _has_complete_init(self):
        return self.probabilities_init is not None and (
            self.weights_init is not None or not self.fit_weights
        )

    def _estimate_log_prob(self, data):
        X, _, log_coef = data
        return _estimate_binomial_log_prob(
            X, self._trials(data), self.probabilities_, log_coef
        )

    def _estimate_log_weights(self):
        return np.log(self.weights_)

    def _accumulate(self, data, resp):
        return _estimate_binomial_statistics(data[0], self._trials(data), resp)

    def _m_step(self, stats):
        self.probabilities_ = _estimate_binomial_probabilities(
            stats, self.probability_floor
        )
        self.weights_ = self._weights_from(stats.nk)

    def _weights_from(self, nk):
        if not self.fit_weights:
            return self._fixed_weights()
        nk = nk + 10 * np.finfo(nk.dtype).eps
        return nk / nk.sum()

    def _fixed_weights(self):
        if self.weights_init is None:
            return np.full(self.n_components, 1.0 / self.n_components)
        return np.array(self.weights_init, dtype=np.float64)

    def _initialize(self, stats):
        # stats is None when every parameter comes from the *_init values.
        if stats is not None:
            self._m_step(stats)
        if self.weights_init is not None or not self.fit_weights:
            self.weights_ = self._fixed_weights()
        if self.probabilities_init is not None:
            self.probabilities_ = np.clip(
                np.array(self.probabilities_init, dtype=np.float64),
                self.probability_floor,
                1.0 - self.probability_floor,
            )

    def _get_parameters(self):
        return self.weights_.copy(), self.probabilities_.copy()

    def _set_parameters(self, params):
        self.weights_, self.probabilities_ = params

    def _n_parameters(self):
        n_free = self.n_components * self.probabilities_.shape[1]
        if self.fit_weights:
            n_free += self.n_components - 1
        return n_free

    def _sample_components(self, n_samples_comp, random_state):
        n_trials = self.n_trials_
        if not np.all(n_trials == np.round(n_trials)):
            raise ValueError(
                f"sample needs whole numbers of trials, but n_trials_ is {n_trials}."
            )
        n_trials = n_trials.astype(np.int64)
        return np.vstack(
            [
                random_state.binomial(n_trials, p, size=(int(n), n_trials.size))
                for p, n in zip(self.probabilities_, n_samples_comp, strict=True)
            ]
        ).astype(np.float64)

    # ------------------------------------------------------------------
    # Public methods: the shared ones, with per-sample ``n_trials``
    # (explicit signatures, so that metadata routing can request it)
    # ------------------------------------------------------------------
    @_with_n_trials_doc
    def fit(self, X, y=None, sample_weight=None, n_trials=None):
        self.fit_predict(X, sample_weight=sample_weight, n_trials=n_trials)
        return self

    @_with_n_trials_doc
    @_fit_context(prefer_skip_nested_validation=True)
    def fit_predict(self, X, y=None, sample_weight=None, n_trials=None):
        return self._fit_predict(X, sample_weight, n_trials=n_trials)

    @_with_n_trials_doc
    def score_samples(self, X, n_trials=None):
        return self._score_samples(X, n_trials=n_trials)

    @_with_n_trials_doc
    def score(self, X, y=None, sample_weight=None, n_trials=None):
        return self._score(X, sample_weight, n_trials=n_trials)

    @_with_n_trials_doc
    def predict(self, X, n_trials=None):
        return self._predict(X, n_trials=n_trials)

    @_with_n_trials_doc
    def predict_proba(self, X, n_trials=None):
        return self._predict_proba(X, n_trials=n_trials)

    @_with_n_trials_doc
    def aic(self, X, n_trials=None):
        return self._information_criterion(X, "aic", n_trials=n_trials)

    @_with_n_trials_doc
    def bic(self, X, n_trials=None):
        return self._information_criterion(X, "bic", n_trials=n_trials)


def _check_trials_values(n_trials, name):
    if not np.all(np.isfinite(n_trials)):
        raise ValueError(f"{name} must be finite.")
    if np.any(n_trials < 0):
        raise ValueError(f"{name} must be non-negative; got {n_trials.min()}.")


def _check_per_sample_trials(n_trials, X, method):
    """Validate per-sample ``n_trials``; return None or a 2-D float array."""
    if n_trials is None:
        return None
    n_samples, n_features = X.shape
    n_trials = check_array(
        n_trials, ensure_2d=False, dtype=np.float64, input_name="n_trials"
    )
    if n_trials.ndim == 1:
        n_trials = n_trials[:, np.newaxis]
    if n_trials.shape not in {(n_samples, 1), (n_samples, n_features)}:
        raise ValueError(
            f"n_trials passed to {method} should have shape (n_samples,) = "
            f"({n_samples},) or (n_samples, n_features) = ({n_samples}, "
            f"{n_features}), but got shape {n_trials.shape}."
        )
    _check_trials_values(n_trials, "n_trials")
    return n_trials


def _check_counts_within_trials(X, n_trials):
    above = X > n_trials
    if np.any(above):
        i, j = np.argwhere(above)[0]
        n = np.broadcast_to(n_trials, X.shape)[i, j]
        raise ValueError(
            f"Counts above n_trials: X[{i}, {j}] = {X[i, j]:g} exceeds "
            f"n_trials = {n:g} ({np.count_nonzero(above)} such entries)."
        )
