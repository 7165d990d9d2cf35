"""Mixtures of binomial distributions on count data."""

import inspect
from dataclasses import dataclass
from numbers import Real

import numpy as np
from scipy.special import expit, gammaln, logit
from sklearn.utils.validation import (
    check_array,
    check_is_fitted,
    validate_data,
)

from ._base import BaseMixtureEM
from ._blocks import RowData, RowFields, converted_per_block
from ._compat import Interval, StrOptions, _fit_context
from ._degeneracy import binomial_degeneracy
from ._family import Family, SufficientStatistics
from ._validation import (
    _row_chunks,
    check_features_observed,
    check_shape,
    nan_mask,
    observed_feature_means,
    warn_at_caller,
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
    X = np.asarray(X, dtype=np.float64)
    n_trials = np.broadcast_to(n_trials, X.shape)
    terms = gammaln(n_trials + 1) - gammaln(X + 1) - gammaln(n_trials - X + 1)
    missing = np.isnan(X)
    if missing.any():
        terms[missing] = 0.0  # a missing count drops out of the likelihood
    return terms.sum(axis=1)


def _observed_counts(X, n_trials, missing=None):
    """``X`` and ``n_trials`` with zero at the missing (NaN) counts.

    A count of zero out of zero trials has probability one under every
    component: it is exactly a count that drops out of the likelihood and of
    the statistics. Returns ``X`` and ``n_trials`` unchanged when nothing is
    missing, else float arrays of the shape of ``X``.
    """
    X = np.asarray(X, dtype=np.float64)
    if missing is None:
        missing = np.isnan(X)
    if missing is False or not missing.any():
        return X, n_trials
    observed_trials = np.where(missing, 0.0, np.broadcast_to(n_trials, X.shape))
    return np.where(missing, 0.0, X), observed_trials


def _estimate_binomial_log_prob(
    X, n_trials, probabilities, log_coef=None, missing=None
):
    """Log-pmf of every sample under every component.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Success counts; NaN marks a missing count, which drops out.
    n_trials : ndarray of shape (n_features,), (n_samples, 1) or \
            (n_samples, n_features)
        Numbers of trials.
    probabilities : ndarray of shape (n_components, n_features)
        Success probabilities, strictly inside (0, 1).
    log_coef : ndarray of shape (n_samples,), default=None
        Precomputed :func:`_log_binomial_coefficient`.
    missing : ndarray of shape (n_samples, n_features), False or None, \
            default=None
        NaN mask of ``X`` (False: none); computed when None.

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
    """
    X, n_trials = _observed_counts(X, n_trials, missing)
    if log_coef is None:
        log_coef = _log_binomial_coefficient(X, n_trials)
    log_p = np.log(probabilities)
    log_q = np.log1p(-probabilities)
    # x log p + (n - x) log q = x (log p - log q) + n log q: one product with X,
    # components first ((n, k) in Fortran order), so that the E-step's
    # reductions over the components run along contiguous memory (an EM
    # iteration at (1,000,000, 20, 5) went from about 120 to 46 ms).
    log_prob = ((log_p - log_q) @ X.T).T
    if n_trials.ndim == 1:
        log_prob += log_q @ n_trials
    elif n_trials.shape[1] == 1:
        log_prob += n_trials * log_q.sum(axis=1)
    else:
        log_prob += (log_q @ n_trials.T).T
    log_prob += log_coef[:, np.newaxis]
    return log_prob


def _estimate_binomial_statistics(X, n_trials, resp, missing=None):
    """Statistics of weighted responsibilities ``resp``; NaN counts drop out.

    ``missing`` is the NaN mask of ``X`` (False: none), computed when None.
    """
    X, n_trials = _observed_counts(X, n_trials, missing)
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


@dataclass(frozen=True)
class BinomialRows(RowFields):
    """Per-row fields of binomial data.

    Attributes
    ----------
    n_trials : ndarray of shape (n_samples, 1) or (n_samples, n_features) \
            or None
        Per-sample numbers of trials (None: the fitted ``n_trials_``).
    log_coef : ndarray of shape (n_samples,) or None
        Cached :func:`_log_binomial_coefficient`.
    has_nan : ndarray of shape (n_samples,) or None
        Whether each row has a missing count.
    """

    n_trials: object = None
    log_coef: object = None
    has_nan: object = None


class BinomialFamily(Family):
    """Independent binomial features per component (see :class:`BinomialMixture`).

    Parameters
    ----------
    n_components : int
    n_trials : None, 'max', float or array-like
        The constructor's ``n_trials``; ``n_trials_`` is learned by
        :meth:`learn`.
    probability_floor : float
    probabilities_init : array-like or None
    """

    parameter_names = ("probabilities_",)

    def __init__(self, n_components, n_trials, probability_floor, probabilities_init):
        super().__init__(n_components)
        self.n_trials = n_trials
        self.probability_floor = probability_floor
        self.probabilities_init = probabilities_init
        self.complete_init = probabilities_init is not None

    # Data -------------------------------------------------------------
    def validate(self, estimator, X, *, reset, n_trials=None):
        # Integer counts are converted block by block, never whole.
        per_block = converted_per_block(X)
        X = validate_data(
            estimator,
            X,
            dtype=None if per_block else [np.float64, np.float32],
            reset=reset,
            ensure_all_finite="allow-nan",
        )
        _check_non_negative_counts(X, type(estimator).__name__)
        per_sample = _check_per_sample_trials(
            n_trials, X, "fit" if reset else "predict"
        )
        if reset:
            self.feature_names = getattr(estimator, "feature_names_in_", None)
            self.learn(X, n_trials=per_sample)
        elif per_sample is None:
            self.check_default_trials_apply()
        dtype = np.float64 if per_block else None
        return RowData(X, per_row=BinomialRows(n_trials=per_sample), dtype=dtype)

    def check_default_trials_apply(self):
        """Refuse to fall back on ``n_trials_`` the user never chose."""
        if self.fitted_with_per_sample_trials and self.n_trials in (None, "max"):
            raise ValueError(
                "This BinomialMixture was fitted with per-sample n_trials: pass "
                "n_trials here too, or set the constructor's n_trials to the "
                "number of trials to assume when none is given."
            )

    def learn(self, X, n_trials=None):
        """Learn ``n_trials_`` from the fit's data (numpy or dask arrays)."""
        check_features_observed(X, getattr(self, "feature_names", None))
        if n_trials is not None and n_trials.ndim == 1:
            n_trials = n_trials[:, np.newaxis]
        self.n_trials_ = self._resolve_n_trials(X, n_trials)
        self.fitted_with_per_sample_trials = n_trials is not None
        trials = self.n_trials_ if n_trials is None else n_trials
        _check_some_trials(X, trials)
        _warn_if_proportions(X, trials)
        if self.probabilities_init is not None:
            probabilities = np.asarray(self.probabilities_init, dtype=np.float64)
            check_shape(
                probabilities, (self.n_components, X.shape[1]), "probabilities_init"
            )
            if not np.all((probabilities >= 0) & (probabilities <= 1)):
                raise ValueError(
                    "The parameter 'probabilities_init' must hold probabilities "
                    "in [0, 1]."
                )

    def _resolve_n_trials(self, X, per_sample):
        n_features = X.shape[1]
        if self.n_trials is None or isinstance(self.n_trials, str):
            # The smallest whole number of trials that makes every count seen
            # possible. A column maximum is a reduction: on a dask array it
            # runs where the blocks are and only the maxima travel.
            seen = X if per_sample is None else per_sample
            seen_max = np.asarray(np.nanmax(seen, axis=0), dtype=np.float64)
            n_trials = np.ceil(np.broadcast_to(seen_max, (n_features,)))
            _check_trials_scale(n_trials, "The largest count")
            if per_sample is None and self.n_trials is None:
                warn_at_caller(
                    f"n_trials was not given: assuming {_as_list(n_trials)} trials "
                    "per feature, the largest count seen. If that is not the "
                    "number of trials behind the counts, pass n_trials; pass "
                    "n_trials='max' to accept this guess without a warning.",
                    UserWarning,
                )
            return n_trials
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

    def trials(self, block):
        """The numbers of trials of a block's counts."""
        per_sample = block.per_row.n_trials
        return self.n_trials_ if per_sample is None else per_sample

    def prepare_block(self, block):
        n_trials = self.trials(block)
        _check_counts_within_trials(block.X, n_trials, block.first_row)
        return {
            "log_coef": _log_binomial_coefficient(block.X, n_trials),
            "has_nan": np.isnan(block.X).any(axis=1),
        }

    def init_points(self, data):
        # Success proportions; a missing one (NaN, or a count out of zero
        # trials, which says as little) takes its feature's (weighted) mean
        # proportion, for the clustering only.
        X = np.asarray(data.X, dtype=np.float64)
        n_trials = np.broadcast_to(self.trials(data), X.shape)
        proportions = np.divide(
            X, n_trials, out=np.full_like(X, np.nan), where=n_trials > 0
        )
        missing = np.isnan(proportions)
        if missing.any():
            # A feature these rows never observe is a constant column to the
            # clustering, whatever its value.
            fill = np.nan_to_num(
                observed_feature_means(proportions, data.sample_weight), nan=0.0
            )
            proportions[missing] = fill[np.nonzero(missing)[1]]
        return proportions

    # EM ---------------------------------------------------------------
    def log_prob(self, params, block):
        log_prob = _estimate_binomial_log_prob(
            block.X,
            self.trials(block),
            params["probabilities_"],
            block.per_row.log_coef,
            nan_mask(block),
        )
        return log_prob, None

    def accumulate(self, params, block, resp, workspace=None):
        return _estimate_binomial_statistics(
            block.X, self.trials(block), resp, nan_mask(block)
        )

    def m_step(self, stats):
        return {
            "probabilities_": _estimate_binomial_probabilities(
                stats, self.probability_floor
            )
        }

    def initial_parameters(self, stats):
        if self.probabilities_init is None:
            return self.m_step(stats)
        floor = self.probability_floor
        probabilities = np.array(self.probabilities_init, dtype=np.float64)
        return {"probabilities_": np.clip(probabilities, floor, 1.0 - floor)}

    def unconstrained(self, params):
        return [logit(params["probabilities_"])]

    def constrained(self, arrays):
        floor = self.probability_floor
        return {"probabilities_": np.clip(expit(arrays[0]), floor, 1.0 - floor)}

    def degenerate(self, weights, params, nk):
        return binomial_degeneracy(params["probabilities_"], self.probability_floor, nk)

    def n_parameters(self, params):
        return params["probabilities_"].size

    def fitted_attributes(self, params):
        return {**params, "n_trials_": self.n_trials_}

    def sample(self, params, n_per_component, random_state, n_trials=None):
        probabilities = params["probabilities_"]
        n_trials = np.broadcast_to(
            n_trials, (int(np.sum(n_per_component)), probabilities.shape[1])
        )
        if not np.all(n_trials == np.round(n_trials)):
            raise ValueError(
                f"sample needs whole numbers of trials, but got n_trials {n_trials}."
            )
        n_trials = n_trials.astype(np.int64)
        probabilities = np.repeat(probabilities, n_per_component, axis=0)
        return random_state.binomial(n_trials, probabilities).astype(np.float64)


_N_TRIALS_PARAMETER = (
    "n_trials : array-like of shape (n_samples,) or (n_samples, n_features), "
    "default=None\n"
    "    Per-sample numbers of trials, overriding the constructor's ``n_trials``\n"
    "    (and the fitted ``n_trials_``). Required when the model was fitted\n"
    "    with per-sample ``n_trials`` and the constructor's ``n_trials`` is\n"
    "    None or 'max'."
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

    n_trials : None, 'max', float or array-like of shape (n_features,), \
            default=None
        Number of trials behind each count. A number or an array fixes it
        (per feature). ``'max'`` takes, per feature, the largest count seen in
        ``fit`` rounded up to a whole number (the smallest number of trials
        that makes every count possible); ``None`` does the same but warns,
        since a guess from the data is often wrong (no set of ten tosses may
        have come out all heads). Methods that take data also accept a
        per-sample ``n_trials`` that overrides this one.

    fit_weights : bool, default=True
        Whether to learn the mixture weights. If False they stay at
        ``weights_init`` (uniform when None), like ``fit_prior=False`` in
        :class:`sklearn.naive_bayes.MultinomialNB`.

    probability_floor : float, default=1e-10
        Every fitted probability is kept inside ``[probability_floor,
        1 - probability_floor]``, so that log-likelihoods stay finite when a
        component sees only zeros or only full counts for a feature.

    tol : float, default=1e-6
        Convergence threshold, applied as ``stopping_rule`` says: by default,
        on the change of the *total* (weighted) log-likelihood, the scale on
        which BIC and AIC compare models. (A threshold on the mean per sample,
        scikit-learn's rule, is a threshold of ``tol * n_samples`` on the
        total: on a frequency table of a million families it stopped fits
        hundreds of units short of their maximum.)

    max_iter : int, default=1000
        Maximum number of EM steps (evaluations of the EM map).

    n_init : int, default=1
        Number of initializations; the run with the best final log-likelihood
        is kept, among the runs that are not degenerate (with a tiny
        component pinned to probability 0 or 1, whose likelihood is
        inflated; see :ref:`optimum`) when there is one.

    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data', \
            'hierarchical', 'emem', 'emem-hierarchical', 'emem-split-merge'}, \
            default='kmeans'
        Method used to initialize the responsibilities; clustering runs on the
        success proportions ``X / n_trials`` (a missing one filled with its
        feature's mean proportion). 'hierarchical' is Ward's agglomerative
        clustering (deterministic, free of row order); 'emem' and
        'emem-hierarchical' search many short EM runs from varied starts and
        continue the best; 'emem-split-merge' then merges two components and
        splits a third while such a move ends higher (see :ref:`optimum`).

    init_sample_size : int, default=None
        Number of rows, drawn at random without replacement, on which the
        ``init_params`` strategy runs; EM itself always uses every row. None
        uses every row of an in-memory array that fits in one block of
        scikit-learn's ``working_memory``, and a sample of 100,000 rows (fewer
        when their float64 values would take more than 100 MiB) of a memory
        map, a dask array or a larger array, so that the initialization's
        memory is bounded whatever ``n_samples`` is; data of no more rows are
        used whole.

    learning_decay : float, default=0.7
        Exponent of the step-size schedule of :meth:`partial_fit`, in
        (0.5, 1].

    learning_offset : float, default=2.0
        Offset of the step-size schedule of :meth:`partial_fit`; larger values
        make early updates smaller.

    stopping_rule : {'mean', 'total', 'aitken'}, default='total'
        How ``tol`` is applied to successive log-likelihoods: ``'mean'``
        stops when the mean log-likelihood per sample changes by less than
        ``tol`` (scikit-learn's rule); ``'total'`` when the total (weighted)
        log-likelihood changes by less than ``tol``; ``'aitken'`` when
        Aitken's extrapolation of the total log-likelihood to its limit is
        within ``tol`` of the current value, so a slowly creeping run is not
        stopped far from its limit.

    acceleration : {None, 'squarem'}, default='squarem'
        ``'squarem'`` extrapolates along successive EM steps (SQUAREM,
        Varadhan and Roland 2008, scheme S3; mixture weights as they are,
        component parameters unconstrained), falling back to the plain EM
        step whenever the extrapolated point is not a model or would lower
        the log-likelihood, so ``lower_bounds_`` never decreases; it needs
        far fewer EM steps when components overlap (see the user guide's
        acceleration page). ``n_iter_`` counts EM steps (EM-map
        evaluations) either way. On by default: on the Saxony and Geissler
        tables it reached the maximum in 10 to 100 times fewer EM steps
        (``benchmarks/bench_acceleration.py``). ``None`` gives plain EM.

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
        With ``n_trials=None`` or ``'max'`` this is the per-feature maximum
        count seen in ``fit`` (or of the per-sample ``n_trials`` given to
        ``fit``), rounded up to a whole number.

    converged_ : bool
        Whether the best run converged.

    n_iter_ : int
        Number of M-steps of the best run (of updates, after
        :meth:`partial_fit`).

    lower_bound_ : float
        Mean log-likelihood per sample of the returned parameters on the
        training data (weighted mean under ``sample_weight``).

    lower_bounds_ : list of float
        Log-likelihoods of the best run: initial parameters, then after each
        M-step (with ``acceleration='squarem'``, after each step kept, so
        fewer than ``n_iter_ + 1``); ``lower_bounds_[-1] == lower_bound_``.

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
    likelihood is defined for any ``0 <= x <= n``. Computations and fitted
    attributes are float64 whatever the dtype of ``X`` (float32 and integer
    counts are converted block by block, never whole, so an integer memory
    map stays on disk): float32 cannot hold probabilities within
    ``probability_floor`` of one.

    A missing count (NaN in ``X``) drops out of its row's likelihood and of
    the statistics, together with its number of trials: the features are
    independent given the component, so this is exact EM on the observed
    counts, assuming they are missing at random. A row with every count
    missing has log-likelihood zero and the mixture weights as its
    responsibilities; a feature missing in every sample of ``fit`` is a
    ``ValueError``; ``inf`` is still an error. The clustering of the
    initialization sees success proportions with every missing one replaced
    by its feature's (sample-weighted) observed mean; the initial statistics
    already drop the missing counts.

    A component that loses every sample during EM is kept, with a vanishing
    weight (``10 * eps / n_samples``) and finite probabilities (the rates of
    the samples weighted by its vanishing responsibilities, or the pooled
    rates when those are all zero), and a ``UserWarning`` names it. Numbers
    of trials above 1e12 are refused: float64 cannot compute the
    log-likelihood of such counts to useful precision.

    Examples
    --------
    >>> from skem import BinomialMixture
    >>> from skem.datasets import load_coin_flips
    >>> flips = load_coin_flips()
    >>> model = BinomialMixture(
    ...     n_components=2, n_trials=10, probabilities_init=[[0.6], [0.5]],
    ...     fit_weights=False, random_state=0,
    ... ).fit(flips.heads)
    >>> model.probabilities_.round(2).ravel()
    array([0.8 , 0.52])
    >>> model.predict(flips.heads)
    array([1, 0, 0, 1, 0])
    """

    _parameter_constraints: dict = {
        **BaseMixtureEM._parameter_constraints,
        "n_trials": [
            None,
            StrOptions({"max"}),
            Interval(Real, 0, None, closed="left"),
            "array-like",
        ],
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
        self.n_trials = n_trials
        self.fit_weights = fit_weights
        self.probability_floor = probability_floor
        self.weights_init = weights_init
        self.probabilities_init = probabilities_init

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.input_tags.allow_nan = True
        return tags

    def _make_family(self):
        return BinomialFamily(
            self.n_components,
            self.n_trials,
            self.probability_floor,
            self.probabilities_init,
        )

    def _fits_weights(self):
        return self.fit_weights

    # ------------------------------------------------------------------
    # Public methods: the shared ones, with per-sample ``n_trials``
    # (explicit signatures, so that metadata routing can request it)
    # ------------------------------------------------------------------
    @_with_n_trials_doc
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None, n_trials=None):
        self._fit(X, sample_weight, n_trials=n_trials)
        return self

    @_with_n_trials_doc
    @_fit_context(prefer_skip_nested_validation=True)
    def fit_predict(self, X, y=None, sample_weight=None, n_trials=None):
        return self._fit_predict(X, sample_weight, n_trials=n_trials)

    @_with_n_trials_doc
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None, n_trials=None):
        return self._partial_fit(X, sample_weight, n_trials=n_trials)

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
    def aic(self, X, sample_weight=None, n_trials=None):
        return self._information_criterion(X, "aic", sample_weight, n_trials=n_trials)

    @_with_n_trials_doc
    def bic(self, X, sample_weight=None, n_trials=None):
        return self._information_criterion(X, "bic", sample_weight, n_trials=n_trials)

    def sample(self, n_samples=1, n_trials=None):
        """Draw samples from the fitted mixture.

        Uses ``random_state``, so an integer seed gives the same draws on
        every call.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to draw; at least 1.

        n_trials : float, array-like of shape (n_features,), (n_samples,) or \
                (n_samples, n_features), default=None
            Whole numbers of trials of the draws (per sample, in the order of
            the returned rows); ``n_trials_`` when None. Required when the
            model was fitted with per-sample ``n_trials`` and the
            constructor's ``n_trials`` is None or 'max'.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The samples, grouped by component.

        y : ndarray of shape (n_samples,)
            The component of each sample.
        """
        check_is_fitted(self)
        if n_trials is None:
            self._family.check_default_trials_apply()
            n_trials = self.n_trials_
        else:
            n_trials = np.asarray(n_trials, dtype=np.float64)
            if n_trials.ndim == 1 and n_trials.shape[0] == n_samples != (
                self.n_features_in_
            ):
                n_trials = n_trials[:, np.newaxis]
            _check_trials_values(n_trials, "n_trials")
        n_samples_comp, random_state = self._draw_component_counts(n_samples)
        try:
            X = self._family.sample(
                self._parameters().components,
                n_samples_comp,
                random_state,
                n_trials=n_trials,
            )
        except ValueError as error:
            if "broadcast" not in str(error):
                raise
            raise ValueError(
                f"n_trials of shape {np.shape(n_trials)} does not fit samples of "
                f"shape ({n_samples}, {self.n_features_in_})."
            ) from None
        y = np.repeat(np.arange(self.n_components), n_samples_comp)
        return X, y


def _as_list(values):
    return [int(v) if float(v).is_integer() else float(v) for v in values]


#: Largest number of trials whose log-likelihood float64 computes to about
#: 1e-3: ``x log p + (n - x) log(1 - p)`` cancels terms of size ``n``, so its
#: rounding error grows like ``n * 1e-16`` (scipy.stats.binom is no better).
_LARGEST_N_TRIALS = 1e12


def _check_trials_values(n_trials, name):
    if not np.all(np.isfinite(n_trials)):
        raise ValueError(f"{name} must be finite.")
    if np.any(n_trials < 0):
        raise ValueError(f"{name} must be non-negative; got {np.min(n_trials)}.")
    _check_trials_scale(n_trials, name)


def _check_trials_scale(n_trials, name):
    """Refuse numbers of trials too large for a float64 log-likelihood."""
    largest = float(np.max(n_trials, initial=0.0))
    if largest > _LARGEST_N_TRIALS:
        raise ValueError(
            f"{name} reaches {largest:.3g}: the binomial log-likelihood of counts "
            f"out of more than {_LARGEST_N_TRIALS:.0e} trials loses its precision "
            "in float64 (its rounding error grows like n_trials * 1e-16). Fit "
            "the success proportions X / n_trials instead, for example with "
            "GaussianMixtureEM."
        )


def _check_some_trials(X, n_trials):
    """Refuse a fit whose every count is out of zero trials: nothing to fit.

    Reductions, so they also work on dask arrays. A positive count out of
    zero trials is not refused here: it is a count above ``n_trials``, which
    the check of every block (``_prepare_block``) names.
    """
    if np.asarray((n_trials > 0).any()) or _count_summary(X, 0)[0] > 0:
        return
    raise ValueError(
        "n_trials is 0 for every count: the data hold no trials, so there "
        "is nothing to fit."
    )


def _warn_if_proportions(X, n_trials):
    """Warn when the counts look like success proportions ``X / n_trials``.

    Non-integer counts are allowed, but counts all at most 1, some of them
    fractions, out of more than one trial are almost always proportions
    passed by mistake: fitted as counts, they give near-zero probabilities.
    """
    if X.dtype.kind in "biu":  # whole numbers
        return
    largest_trials = float(np.asarray(np.max(n_trials)))
    if largest_trials <= 1:
        return
    largest, fractional = _count_summary(X, stop_above=1)
    if largest <= 1 and fractional:
        warn_at_caller(
            f"Every count is at most 1 and some are fractions, while n_trials "
            f"goes up to {largest_trials:g}: the counts look like success "
            "proportions (X / n_trials). BinomialMixture models numbers of "
            "successes: pass the counts instead, for example "
            "np.round(X * n_trials).",
            UserWarning,
        )


def _count_summary(X, stop_above=np.inf):
    """The largest count and whether some count is not whole, NaN ignored.

    A numpy array (or memory map) is read in chunks of rows, with temporaries
    of at most a chunk, and reading stops at a count above ``stop_above``; a
    dask array is reduced in one pass over its blocks. (Counts are
    non-negative; ``floor(x) < x`` is False at NaN and inf, without a warning.)
    """
    if X.dtype.kind in "biu":
        return float(np.asarray(np.max(X))), False
    if isinstance(X, np.ndarray):
        largest, fractional = 0.0, False
        for chunk in _row_chunks(X, n_values=2**16):
            largest = max(largest, float(np.fmax.reduce(chunk, axis=None)))
            if largest > stop_above:
                break
            fractional = fractional or bool(np.any(np.floor(chunk) < chunk))
        return largest, fractional
    summary = np.stack([np.where(np.isnan(X), 0.0, X).max(), np.any(np.floor(X) < X)])
    largest, fractional = np.asarray(summary, dtype=np.float64)
    return float(largest), bool(fractional)


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


def _check_non_negative_counts(X, whom):
    """``check_non_negative`` that sees past NaN (its minimum would be NaN)."""
    if np.fmin.reduce(X, axis=None) < 0:
        raise ValueError(f"Negative values in data passed to {whom}.")


def _check_counts_within_trials(X, n_trials, first_row=0):
    above = X > n_trials
    if np.any(above):
        i, j = np.argwhere(above)[0]
        n = np.broadcast_to(n_trials, X.shape)[i, j]
        raise ValueError(
            f"Counts above n_trials: X[{first_row + i}, {j}] = {X[i, j]:g} exceeds "
            f"n_trials = {n:g}."
        )
