"""BinomialMixture: the public estimator, a shell over BinomialFamily."""

from numbers import Real

import numpy as np
from sklearn.utils.validation import (
    check_is_fitted,
)

from .._base import BaseMixtureEM, with_metadata_doc
from .._compat import Hidden, Interval, StrOptions, _fit_context
from .._validation import warn_at_caller
from .family import BinomialFamily, _check_trials_values

_N_TRIALS_PARAMETER = (
    "n_trials : array-like of shape (n_samples,) or (n_samples, n_features), "
    "default=None\n"
    "    Per-sample numbers of trials, overriding the constructor's ``n_trials``\n"
    "    (and the fitted ``n_trials_``). Required when the model was fitted\n"
    "    with per-sample ``n_trials`` and the constructor's ``n_trials`` is\n"
    "    None or 'max'."
)


_with_n_trials_doc = with_metadata_doc(_N_TRIALS_PARAMETER)

#: The FutureWarning of an explicit ``fit_weights``.
FIT_WEIGHTS_DEPRECATION = (
    "fit_weights was deprecated in 0.1 and will be removed in 0.2; use "
    "fixed=('weights',) instead"
)


def warn_if_fit_weights(estimator):
    """Warn that ``fit_weights`` is deprecated when the user set it.

    Called once per fit (by ``_make_family``). ``fit_weights=False`` keeps
    working as before: the weights stay at ``weights_init``, uniform when
    that is None (``fixed=("weights",)`` requires ``weights_init``).
    """
    if estimator.fit_weights != "deprecated":
        warn_at_caller(FIT_WEIGHTS_DEPRECATION, FutureWarning)


def fits_weights(estimator):
    """Whether ``estimator`` learns its weights, by its deprecated ``fit_weights``."""
    return estimator.fit_weights == "deprecated" or bool(estimator.fit_weights)


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

    fit_weights : bool, default='deprecated'
        Whether to learn the mixture weights (the default learns them). If
        False they stay at ``weights_init`` (uniform when None), like
        ``fit_prior=False`` in :class:`sklearn.naive_bayes.MultinomialNB`.

        .. deprecated:: 0.1
            ``fit_weights`` is deprecated and will be removed in 0.2: pass
            ``fixed=("weights",)`` with ``weights_init`` instead. Setting it
            (True or False) raises a ``FutureWarning``.

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
        Initial mixture weights (held when ``fixed`` names ``"weights"``).

    probabilities_init : array-like of shape (n_components, n_features), \
            default=None
        Initial success probabilities (held when ``fixed`` names
        ``"probabilities"``).

    prior : None, 'conjugate' or dict, default=None
        Prior of maximum a posteriori (MAP) estimation; None is maximum
        likelihood. ``'conjugate'`` puts a ``Beta(alpha, beta)`` prior on
        every success probability with ``alpha = beta = 2``: one
        pseudo-success and one pseudo-failure per component and feature, so
        the M-step is ``(S + 1) / (N + 2)`` (Laplace's rule of succession)
        and no probability reaches 0 or 1. In general the M-step is ``p =
        (S + alpha - 1) / (N + alpha + beta - 2)``, with ``S`` and ``N`` the
        successes and trials credited to the component, then kept inside
        ``[probability_floor, 1 - probability_floor]``. A dict sets the keys
        ``"alpha"`` and ``"beta"`` (numbers >= 1 or arrays of shape
        (n_features,); 2 when left out) and ``"weight_concentration"``
        (``alpha >= 1`` of a symmetric Dirichlet prior on the weights; 1,
        none, when left out). EM then climbs the log posterior, which
        ``lower_bounds_`` records. See :ref:`prior_knowledge`.

    fixed : tuple of str, default=()
        Parameters held at their initial values instead of being fitted:
        ``"weights"`` (at ``weights_init``, which must be given) and
        ``"probabilities"`` (at ``probabilities_init``, which must be
        given). Held parameters are not counted by :meth:`bic` and
        :meth:`aic`. See :ref:`prior_knowledge`.

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
        Threads the passes over the data run on, the blocks of rows of each
        pass shared among them (results added in block order: the same bits
        whatever the number). None uses every core the process may use, as
        scikit-learn's :class:`~sklearn.cluster.KMeans` counts them:
        ``OMP_NUM_THREADS`` and :func:`threadpoolctl.threadpool_limits` in
        force at the call are respected; -1 also means every core, -2 all
        but one. See :ref:`threads`.

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

    prior_ : dict
        The prior's hyperparameters used, data-dependent defaults filled in
        (``"alpha"``, ``"beta"``, ``"weight_concentration"``); only when
        ``prior`` is not None.

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
    ...     weights_init=[0.5, 0.5], fixed=("weights",), random_state=0,
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
        "fit_weights": ["boolean", Hidden(StrOptions({"deprecated"}))],
        "probability_floor": [Interval(Real, 0, 0.5, closed="neither")],
        "weights_init": ["array-like", None],
        "probabilities_init": ["array-like", None],
    }

    def __init__(
        self,
        n_components=1,
        *,
        n_trials=None,
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
        probabilities_init=None,
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
        warn_if_fit_weights(self)
        return BinomialFamily(
            self.n_components,
            self.n_trials,
            self.probability_floor,
            self.probabilities_init,
        )

    def _fits_weights(self):
        return fits_weights(self)

    # ------------------------------------------------------------------
    # Public methods: the shared ones, with per-sample ``n_trials``
    # (explicit signatures, so that metadata routing can request it)
    # ------------------------------------------------------------------
    @_with_n_trials_doc
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None, n_trials=None, labels=None):
        self._fit(X, sample_weight, n_trials=n_trials, labels=labels)
        return self

    @_with_n_trials_doc
    @_fit_context(prefer_skip_nested_validation=True)
    def fit_predict(self, X, y=None, sample_weight=None, n_trials=None, labels=None):
        return self._fit_predict(X, sample_weight, n_trials=n_trials, labels=labels)

    @_with_n_trials_doc
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None, n_trials=None, labels=None):
        return self._partial_fit(X, sample_weight, n_trials=n_trials, labels=labels)

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
