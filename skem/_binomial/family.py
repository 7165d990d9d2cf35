"""BinomialFamily: independent binomial features per component, for the engine."""

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, expit, gammaln, logit, xlog1py, xlogy
from sklearn.utils.validation import (
    check_array,
    validate_data,
)

from .._blocks import RowData, RowFields, converted_per_block
from .._count_priors import check_hyperparameter, prior_keys
from .._degeneracy import binomial_degeneracy
from .._family import Family, SufficientStatistics
from .._validation import (
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


#: The keys of a ``prior`` dict of :class:`~skem.BinomialMixture`.
PRIOR_KEYS = ("alpha", "beta", "weight_concentration")


@dataclass(frozen=True)
class BetaPrior:
    """Resolved hyperparameters of the Beta prior on every probability.

    Attributes
    ----------
    alpha, beta : ndarray of shape (n_features,)
        ``Beta(alpha_j, beta_j)`` on the probability of feature ``j`` in
        every component: ``alpha - 1`` pseudo-successes and ``beta - 1``
        pseudo-failures.
    """

    alpha: np.ndarray
    beta: np.ndarray


def resolve_beta_prior(spec, n_features):
    """The :class:`BetaPrior` of ``spec`` (``"conjugate"`` or a dict).

    ``"conjugate"`` and a dict's missing keys are ``alpha = beta = 2``: one
    pseudo-success and one pseudo-failure, whose MAP ``(S + 1) / (N + 2)`` is
    Laplace's rule of succession.
    """
    spec = prior_keys(spec, PRIOR_KEYS, "BinomialMixture")
    alpha = check_hyperparameter(spec, "alpha", 2.0, n_features, least=1.0)
    beta = check_hyperparameter(spec, "beta", 2.0, n_features, least=1.0)
    return BetaPrior(alpha, beta)


def map_binomial_statistics(stats, prior):
    """``stats`` with the prior's pseudo-counts added: the MAP is their ratio.

    ``p = (S + alpha - 1) / (N + alpha + beta - 2)``, the mode of the Beta
    posterior, is the maximum-likelihood ratio of these statistics.
    """
    if prior is None:
        return stats
    successes = prior.alpha - 1.0
    failures = prior.beta - 1.0
    return BinomialStats(
        nk=stats.nk,
        successes=stats.successes + successes,
        trials=stats.trials + (successes + failures),
    )


def beta_log_density(probabilities, prior):
    """``sum_kj log Beta(p_kj; alpha_j, beta_j)``: the exact log density."""
    p = np.asarray(probabilities, dtype=np.float64)
    a, b = prior.alpha, prior.beta
    terms = xlogy(a - 1.0, p) + xlog1py(b - 1.0, -p) - betaln(a, b)
    return float(np.sum(terms))


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

    fixable = {"probabilities": (("probabilities_",), "probabilities_init")}

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
        # MAP under a Beta prior (its pseudo-counts added), then the floor.
        return {
            "probabilities_": _estimate_binomial_probabilities(
                map_binomial_statistics(stats, self.prior), self.probability_floor
            )
        }

    # Prior knowledge --------------------------------------------------
    def resolve_prior(self, data):
        if self.prior_spec is None:
            self.prior = None
            return
        self.prior = resolve_beta_prior(self.prior_spec, data.n_features)

    def log_prior(self, params):
        if self.prior is None:
            return 0.0
        return beta_log_density(params["probabilities_"], self.prior)

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
