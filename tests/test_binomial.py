"""BinomialMixture against independent references."""

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import optimize, stats
from scipy.special import expit, log_softmax, logsumexp
from sklearn import config_context
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture
from skem._binomial.family import (
    _estimate_binomial_log_prob,
    _log_binomial_coefficient,
)
from skem.datasets import load_coin_flips


def make_counts(rng, probabilities, weights, n_samples, n_trials):
    """Draw a binomial mixture: counts, labels."""
    labels = rng.choice(len(weights), size=n_samples, p=weights)
    n_trials = np.broadcast_to(n_trials, (n_samples, probabilities.shape[1]))
    return rng.binomial(n_trials.astype(int), probabilities[labels]), labels


def fit_fixed_iterations(model, X, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, **kwargs)


def tutorial_model(max_iter):
    return BinomialMixture(
        n_components=2,
        n_trials=10,
        probabilities_init=[[0.6], [0.5]],
        weights_init=[0.5, 0.5],
        fixed=("weights",),
        tol=0,
        max_iter=max_iter,
        acceleration=None,  # the tutorial's iterations are plain EM steps
    )


# ----------------------------------------------------------------------
# The tutorial's numbers
# ----------------------------------------------------------------------
def test_coin_flips_first_e_step_matches_tutorial_table():
    flips = load_coin_flips()
    model = fit_fixed_iterations(tutorial_model(max_iter=0), flips.heads)
    resp = model.predict_proba(flips.heads)
    heads = flips.heads[:, 0]
    credited = resp.T @ np.column_stack([heads, 10 - heads])
    assert_array_equal(credited.round(1), [[21.3, 8.6], [11.7, 8.4]])


@pytest.mark.parametrize("max_iter, expected", [(1, [0.71, 0.58]), (10, [0.80, 0.52])])
def test_coin_flips_iterations_match_tutorial(max_iter, expected):
    flips = load_coin_flips()
    model = fit_fixed_iterations(tutorial_model(max_iter), flips.heads)
    assert_array_equal(model.probabilities_.ravel().round(2), expected)
    assert model.n_iter_ == max_iter


def test_coin_flips_one_iteration_equals_hand_computation():
    # The posterior by Bayes' rule with scipy's pmf, then the weighted MLE.
    flips = load_coin_flips()
    heads = flips.heads[:, 0]
    likelihood = np.column_stack(
        [stats.binom.pmf(heads, 10, 0.6), stats.binom.pmf(heads, 10, 0.5)]
    )
    posterior = likelihood / likelihood.sum(axis=1, keepdims=True)
    expected = posterior.T @ heads / (posterior.sum(axis=0) * 10)
    model = fit_fixed_iterations(tutorial_model(max_iter=1), flips.heads)
    assert_allclose(model.probabilities_.ravel(), expected, rtol=1e-12)


def test_coin_flips_complete_data_estimate():
    flips = load_coin_flips()
    estimates = [
        BinomialMixture(n_trials=10).fit(flips.heads[flips.coin == c]).probabilities_
        for c in "AB"
    ]
    assert_allclose(np.ravel(estimates), [24 / 30, 9 / 20], rtol=1e-12)


# ----------------------------------------------------------------------
# The math against scipy
# ----------------------------------------------------------------------
def test_estimate_binomial_log_prob_matches_scipy():
    rng = np.random.RandomState(0)
    n_trials = np.array([5, 12, 1, 30])
    X = rng.binomial(n_trials, 0.4, size=(40, 4)).astype(float)
    probabilities = rng.uniform(0.05, 0.95, size=(3, 4))
    expected = np.stack(
        [stats.binom.logpmf(X, n_trials, p).sum(axis=1) for p in probabilities], axis=1
    )
    got = _estimate_binomial_log_prob(X, n_trials.astype(float), probabilities)
    assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("per_sample_shape", ["column", "matrix"])
def test_estimate_binomial_log_prob_per_sample_trials_matches_scipy(per_sample_shape):
    rng = np.random.RandomState(1)
    n_samples, n_features = 30, 3
    if per_sample_shape == "column":
        n_trials = rng.randint(0, 20, size=(n_samples, 1))
    else:
        n_trials = rng.randint(0, 20, size=(n_samples, n_features))
    X = rng.binomial(np.broadcast_to(n_trials, (n_samples, n_features)), 0.3)
    probabilities = rng.uniform(0.05, 0.95, size=(2, n_features))
    expected = np.stack(
        [stats.binom.logpmf(X, n_trials, p).sum(axis=1) for p in probabilities], axis=1
    )
    got = _estimate_binomial_log_prob(
        X.astype(float), n_trials.astype(float), probabilities
    )
    assert_allclose(got, expected, rtol=1e-12)


def test_score_samples_matches_scipy_mixture_logpmf():
    rng = np.random.RandomState(2)
    X, _ = make_counts(
        rng, np.array([[0.2, 0.7], [0.8, 0.3]]), [0.4, 0.6], 100, [10, 25]
    )
    model = BinomialMixture(n_components=2, n_trials=[10, 25], random_state=0).fit(X)
    per_component = np.stack(
        [
            np.log(w) + stats.binom.logpmf(X, [10, 25], p).sum(axis=1)
            for w, p in zip(model.weights_, model.probabilities_, strict=True)
        ],
        axis=1,
    )
    assert_allclose(model.score_samples(X), logsumexp(per_component, axis=1))
    assert_allclose(model.score(X), logsumexp(per_component, axis=1).mean())
    assert_allclose(
        model.predict_proba(X),
        np.exp(per_component - logsumexp(per_component, axis=1, keepdims=True)),
    )


def test_log_binomial_coefficient_continuous_relaxation():
    # Non-integer counts: the gamma-function form of log C(n, x).
    X = np.array([[0.5, 2.25]])
    n_trials = np.array([3.0, 4.5])
    expected = sum(
        math.lgamma(n + 1) - math.lgamma(x + 1) - math.lgamma(n - x + 1)
        for x, n in zip(X[0], n_trials, strict=True)
    )
    got = _log_binomial_coefficient(X, n_trials)
    assert_allclose(got, [expected])


def test_non_integer_counts_fit_finite():
    rng = np.random.RandomState(3)
    X = rng.uniform(0, 4, size=(50, 3))
    model = BinomialMixture(n_components=2, n_trials=4, random_state=0).fit(X)
    assert np.all(np.isfinite(model.score_samples(X)))


def two_coin_counts(n_samples=200):
    """Heads in sets of ten tosses of coins of 0.2 and 0.7 (the issue's case)."""
    X, _ = make_counts(
        np.random.RandomState(21), np.array([[0.2], [0.7]]), [0.5, 0.5], n_samples, 10
    )
    return X.astype(np.float64)


def dask_rows(X):
    da = pytest.importorskip("dask.array")
    return da.from_array(X, chunks=(50, X.shape[1]))


PROPORTION_FITS = {
    "n_trials=10": lambda X: (BinomialMixture(2, n_trials=10), X / 10, {}),
    "per-feature n_trials": lambda X: (
        BinomialMixture(2, n_trials=[10, 1]),
        np.column_stack([X / 10, np.ones(len(X))]),
        {},
    ),
    "per-sample n_trials": lambda X: (
        BinomialMixture(2, n_trials="max"),
        X / 10,
        {"n_trials": np.full(len(X), 10)},
    ),
    "with NaN": lambda X: (
        BinomialMixture(2, n_trials=10),
        np.where(np.arange(len(X))[:, None] == 3, np.nan, X / 10),
        {},
    ),
    "dask array": lambda X: (BinomialMixture(2, n_trials=10), dask_rows(X / 10), {}),
    "dask array, per-sample n_trials": lambda X: (
        BinomialMixture(2, n_trials="max"),
        dask_rows(X / 10),
        {"n_trials": dask_rows(np.full((len(X), 1), 10.0))},
    ),
}


@pytest.mark.parametrize("case", PROPORTION_FITS)
def test_proportions_passed_as_counts_warn_at_the_callers_line(case):
    model, X, fit_params = PROPORTION_FITS[case](two_coin_counts())
    model.set_params(random_state=0)
    with pytest.warns(UserWarning, match="look like success proportions") as record:
        model.fit(X, **fit_params)
    (warning,) = [w for w in record if "proportions" in str(w.message)]
    assert warning.filename == __file__
    message = str(warning.message)
    assert "while n_trials goes up to 10" in message
    assert "pass the counts instead, for example np.round(X * n_trials)" in message


def test_counts_recovered_from_proportions_fit_the_two_coins():
    # What the warning asks for: the coins of 0.2 and 0.7 come back.
    X = two_coin_counts()
    proportions = X / 10
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = BinomialMixture(2, n_trials=10, random_state=0).fit(
            np.round(proportions * 10)
        )
    assert_allclose(np.sort(model.probabilities_.ravel()), [0.2, 0.7], atol=0.05)


NOT_PROPORTIONS = {
    "counts": lambda X: (BinomialMixture(2, n_trials=10), X, {}),
    "dask counts": lambda X: (BinomialMixture(2, n_trials=10), dask_rows(X), {}),
    "integer counts": lambda X: (BinomialMixture(2, n_trials=10), X.astype(int), {}),
    "counts of 0 and 1 only": lambda X: (
        BinomialMixture(2, n_trials=10),
        (X > 4).astype(np.float64),
        {},
    ),
    "fractional counts, some above 1": lambda X: (
        BinomialMixture(2, n_trials=10),
        X / 3,
        {},
    ),
    "fractions out of one trial": lambda X: (
        BinomialMixture(2, n_trials=1),
        X / 10,
        {},
    ),
    "fractions out of per-sample single trials": lambda X: (
        BinomialMixture(2, n_trials="max"),
        X / 10,
        {"n_trials": np.ones(len(X))},
    ),
}


@pytest.mark.parametrize("case", NOT_PROPORTIONS)
def test_counts_that_are_not_proportions_fit_without_a_warning(case):
    model, X, fit_params = NOT_PROPORTIONS[case](two_coin_counts())
    model.set_params(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(X, **fit_params)


# ----------------------------------------------------------------------
# EM against brute-force maximum likelihood
# ----------------------------------------------------------------------
def negative_log_likelihood(theta, X, n_trials, n_components):
    """Mixture NLL in unconstrained coordinates (logits and log-weights)."""
    n_features = X.shape[1]
    logits = theta[: n_components * n_features].reshape(n_components, n_features)
    log_weights = log_softmax(np.append(theta[n_components * n_features :], 0.0))
    log_prob = _estimate_binomial_log_prob(X, n_trials, expit(logits))
    return -logsumexp(log_prob + log_weights, axis=1).sum()


def brute_force_fit(X, n_trials, n_components, rng, n_starts=20):
    n_params = n_components * X.shape[1] + n_components - 1
    best = None
    for _ in range(n_starts):
        result = optimize.minimize(
            negative_log_likelihood,
            rng.normal(size=n_params),
            args=(X, n_trials, n_components),
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 40000},
        )
        if best is None or result.fun < best.fun:
            best = result
    return best


def test_fit_reaches_brute_force_maximum_likelihood():
    rng = np.random.RandomState(4)
    X, _ = make_counts(rng, np.array([[0.15, 0.6], [0.75, 0.35]]), [0.5, 0.5], 40, 8)
    X = X.astype(float)
    n_trials = np.array([8.0, 8.0])
    best = brute_force_fit(X, n_trials, 2, rng)
    model = BinomialMixture(
        n_components=2, n_trials=8, n_init=5, tol=1e-12, max_iter=5000, random_state=0
    ).fit(X)
    # Same maximum of the likelihood ...
    assert_allclose(model.score(X) * len(X), -best.fun, rtol=1e-7)
    # ... and the same parameters, up to the order of the components.
    brute_probs = expit(best.x[:4].reshape(2, 2))
    order = np.argsort(model.probabilities_[:, 0])
    assert_allclose(
        model.probabilities_[order],
        brute_probs[np.argsort(brute_probs[:, 0])],
        atol=1e-4,
    )


def test_parameter_recovery_on_synthetic_counts():
    rng = np.random.RandomState(5)
    truth = np.array([[0.1, 0.5, 0.9], [0.7, 0.2, 0.4], [0.4, 0.85, 0.1]])
    weights = np.array([0.3, 0.5, 0.2])
    X, labels = make_counts(rng, truth, weights, 3000, 40)
    model = BinomialMixture(n_components=3, n_trials=40, random_state=0).fit(X)
    order = [
        int(np.argmin(np.abs(model.probabilities_ - t).sum(axis=1))) for t in truth
    ]
    assert sorted(order) == [0, 1, 2]
    assert_allclose(model.probabilities_[order], truth, atol=0.02)
    assert_allclose(model.weights_[order], weights, atol=0.03)
    # Labels match the truth up to the permutation.
    assert np.mean(np.array(order)[labels] == model.predict(X)) > 0.99


# ----------------------------------------------------------------------
# EM invariants
# ----------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_per_sample_n_trials_are_split_with_the_blocks():
    # Engine additivity over blocks is in test_mixture.py; per-row trials are
    # the binomial family's own per-row data, sliced with each block.
    rng = np.random.RandomState(9)
    n_trials = rng.randint(10, 15, size=300)
    X, _ = make_counts(
        rng,
        np.array([[0.2, 0.6, 0.4], [0.7, 0.3, 0.8]]),
        [0.4, 0.6],
        300,
        n_trials[:, None],
    )
    model = BinomialMixture(2, tol=0, max_iter=10, random_state=0)
    whole = clone(model).fit(X, n_trials=n_trials)
    with config_context(working_memory=0.002):  # about 20 rows a block
        blocks = clone(model).fit(X, n_trials=n_trials)
        scores = blocks.score_samples(X, n_trials=n_trials)
    assert_allclose(blocks.probabilities_, whole.probabilities_, rtol=1e-10)
    assert_allclose(blocks.weights_, whole.weights_, rtol=1e-10)
    assert_allclose(blocks.lower_bounds_, whole.lower_bounds_, rtol=1e-10)
    assert_allclose(scores, whole.score_samples(X, n_trials=n_trials), rtol=1e-10)


def test_fixed_weights_keeps_weights():
    rng = np.random.RandomState(12)
    X, _ = make_counts(rng, np.array([[0.1], [0.8]]), [0.9, 0.1], 200, 20)
    model = BinomialMixture(
        n_components=2,
        n_trials=20,
        fixed=("weights",),
        weights_init=[0.3, 0.7],
        random_state=0,
    ).fit(X)
    assert_array_equal(model.weights_, [0.3, 0.7])
    with pytest.raises(ValueError, match=r"weights_init is None: pass weights_init"):
        BinomialMixture(2, n_trials=20, fixed=("weights",)).fit(X)


FIT_WEIGHTS_DEPRECATED = (
    r"fit_weights was deprecated in 0\.1 and will be removed in 0\.2; use "
    r"fixed=\('weights',\) instead"
)


def test_deprecated_fit_weights_still_works_and_warns():
    # The old spelling: fit_weights=False holds weights_init, uniform when
    # None (which fixed=("weights",) refuses); True learns them. Both warn.
    rng = np.random.RandomState(12)
    X, _ = make_counts(rng, np.array([[0.1], [0.8]]), [0.9, 0.1], 200, 20)
    params = dict(n_components=2, n_trials=20, random_state=0)
    with pytest.warns(FutureWarning, match=FIT_WEIGHTS_DEPRECATED):
        held = BinomialMixture(fit_weights=False, weights_init=[0.3, 0.7], **params)
        held.fit(X)
    assert_array_equal(held.weights_, [0.3, 0.7])
    with pytest.warns(FutureWarning, match=FIT_WEIGHTS_DEPRECATED):
        uniform = BinomialMixture(fit_weights=False, **params).fit(X)
    assert_array_equal(uniform.weights_, [0.5, 0.5])
    n = len(X)  # BIC counts the two probabilities, not the held weights
    assert uniform.bic(X) == pytest.approx(-2 * n * uniform.score(X) + 2 * np.log(n))
    with pytest.warns(FutureWarning, match=FIT_WEIGHTS_DEPRECATED):
        learned = BinomialMixture(fit_weights=True, **params).fit(X)
    default = BinomialMixture(**params).fit(X)
    assert_array_equal(learned.weights_, default.weights_)
    assert not np.allclose(default.weights_, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # the default is silent
        BinomialMixture(**params).fit(X)


# ----------------------------------------------------------------------
# Numbers of trials
# ----------------------------------------------------------------------
def test_n_trials_none_is_rounded_up_maximum_per_feature():
    X = np.array([[3, 0, 1.5], [7, 0, 0.2], [5, 0, 1.0]])
    model = BinomialMixture().fit(X)
    assert_array_equal(model.n_trials_, [7, 0, 2])


def test_n_trials_scalar_and_array_agree():
    rng = np.random.RandomState(13)
    X, _ = make_counts(rng, np.array([[0.2, 0.4], [0.6, 0.9]]), [0.5, 0.5], 80, 15)
    scalar = BinomialMixture(n_components=2, n_trials=15, random_state=0).fit(X)
    array = BinomialMixture(n_components=2, n_trials=[15, 15], random_state=0).fit(X)
    assert_array_equal(scalar.n_trials_, [15, 15])
    assert_allclose(scalar.probabilities_, array.probabilities_)


@pytest.mark.parametrize("shape", ["vector", "column", "matrix"])
def test_per_sample_n_trials_constant_equals_constructor(shape):
    rng = np.random.RandomState(14)
    X, _ = make_counts(rng, np.array([[0.2, 0.4], [0.6, 0.9]]), [0.5, 0.5], 80, 15)
    per_sample = {
        "vector": np.full(80, 15),
        "column": np.full((80, 1), 15),
        "matrix": np.full((80, 2), 15),
    }[shape]
    reference = BinomialMixture(n_components=2, n_trials=15, random_state=0).fit(X)
    model = BinomialMixture(n_components=2, random_state=0).fit(X, n_trials=per_sample)
    assert_allclose(model.probabilities_, reference.probabilities_, rtol=1e-12)
    for method in ("score_samples", "predict_proba", "predict"):
        assert_allclose(
            getattr(model, method)(X, n_trials=per_sample),
            getattr(reference, method)(X),
        )


def test_per_sample_n_trials_recovers_parameters_and_scores_like_scipy():
    # Families of different sizes: each row has its own number of trials.
    rng = np.random.RandomState(15)
    truth = np.array([[0.2, 0.7], [0.75, 0.3]])
    n_samples = 2000
    n_trials = rng.randint(1, 30, size=n_samples)
    labels = rng.randint(0, 2, size=n_samples)
    X = rng.binomial(n_trials[:, None], truth[labels])
    model = BinomialMixture(n_components=2, random_state=0).fit(X, n_trials=n_trials)
    order = np.argsort(model.probabilities_[:, 0])
    assert_allclose(model.probabilities_[order], truth, atol=0.02)
    expected = logsumexp(
        np.log(model.weights_)
        + np.stack(
            [
                stats.binom.logpmf(X, n_trials[:, None], p).sum(axis=1)
                for p in model.probabilities_
            ],
            axis=1,
        ),
        axis=1,
    )
    assert_allclose(model.score_samples(X, n_trials=n_trials), expected)
    assert model.score(X, n_trials=n_trials) == pytest.approx(expected.mean())
    assert model.lower_bound_ == pytest.approx(expected.mean(), rel=1e-12)
    # Without per-sample trials the model falls back to n_trials_ (max seen).
    assert_array_equal(model.n_trials_, [29, 29])


def test_zero_trials_feature_and_extreme_probabilities_stay_finite():
    # A feature that is always 0 or always full: probabilities hit the floor.
    X = np.column_stack([np.zeros(30), np.full(30, 5.0), np.arange(30) % 6])
    model = BinomialMixture(n_components=2, n_trials=[5, 5, 5], random_state=0).fit(X)
    floor = model.probability_floor
    assert np.all(model.probabilities_ >= floor)
    assert np.all(model.probabilities_ <= 1 - floor)
    assert_allclose(model.probabilities_[:, :2], [[floor, 1 - floor]] * 2)
    assert np.all(np.isfinite(model.score_samples(X)))
    # n_trials of zero: every count must be zero and the feature is ignored.
    zero = BinomialMixture(n_components=2, n_trials=[0, 5, 5], random_state=0).fit(X)
    assert np.all(np.isfinite(zero.probabilities_))


# ----------------------------------------------------------------------
# Sampling and information criteria
# ----------------------------------------------------------------------
def test_sample_draws_each_feature_out_of_its_own_trials():
    # Moments of every family's draws are tested in test_mixture.py.
    model = BinomialMixture(
        n_components=2,
        n_trials=[10, 40],
        probabilities_init=[[0.2, 0.5], [0.9, 0.1]],
        weights_init=[0.3, 0.7],
        max_iter=0,
        random_state=0,
    ).fit(np.array([[1, 1], [9, 30]]))
    X, y = model.sample(20000)
    assert np.all(X <= [10, 40]) and X[:, 1].max() > 10
    for k in range(2):
        p = model.probabilities_[k]
        assert_allclose(X[y == k].mean(axis=0), [10, 40] * p, rtol=0.02)


def test_sample_requires_whole_numbers_of_trials():
    model = BinomialMixture(n_trials=2.5).fit([[1.0], [2.0]])
    with pytest.raises(ValueError, match="whole numbers of trials"):
        model.sample(3)


def test_aic_bic_do_not_count_fixed_weights():
    # The criteria for every family are in test_mixture.py.
    rng = np.random.RandomState(16)
    X, _ = make_counts(rng, np.array([[0.2, 0.4, 0.5]] * 3), [0.3, 0.3, 0.4], 90, 10)
    model = BinomialMixture(
        n_components=3,
        n_trials=10,
        weights_init=np.full(3, 1 / 3),
        fixed=("weights",),
        random_state=0,
    ).fit(X)
    n_parameters = 3 * 3  # the probabilities only
    log_likelihood = stats.binom.logpmf(X, 10, model.probabilities_[:, None, :])
    log_likelihood = logsumexp(
        log_likelihood.sum(axis=2) + np.log(model.weights_)[:, None], axis=0
    ).sum()
    assert model.aic(X) == pytest.approx(-2 * log_likelihood + 2 * n_parameters)
    assert model.bic(X) == pytest.approx(
        -2 * log_likelihood + np.log(90) * n_parameters
    )


# ----------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------
BAD_FIT_INPUTS = [
    ({}, [[-1.0, 2.0], [1.0, 2.0]], {}, "Negative values in data"),
    (
        {"n_trials": 3},
        [[1.0, 4.0], [1.0, 2.0]],
        {},
        r"Counts above n_trials: X\[0, 1\]",
    ),
    ({}, [[np.nan, 2.0], [np.nan, 2.0]], {}, r"Feature 0 is missing \(NaN\)"),
    ({}, [[np.inf, 2.0], [1.0, 2.0]], {}, "infinity"),
    ({"n_components": 3}, [[1.0, 2.0], [1.0, 2.0]], {}, "n_samples >= n_components"),
    ({"n_trials": [4, -1]}, [[1.0, 0.0]], {}, "n_trials must be non-negative"),
    ({"n_trials": [4, np.inf]}, [[1.0, 0.0]], {}, "n_trials must be finite"),
    ({"n_trials": [4, 4, 4]}, [[1.0, 0.0]], {}, r"shape \(n_features,\) = \(2,\)"),
    ({"n_trials": -2}, [[1.0, 0.0]], {}, "n_trials"),
    ({}, [[1.0, 2.0], [1.0, 2.0]], {"n_trials": [3, 3, 3]}, r"got shape \(3, 1\)"),
    ({}, [[1.0, 2.0], [1.0, 2.0]], {"n_trials": [[3, 3, 3]] * 2}, "n_trials passed"),
    ({}, [[1.0, 2.0], [1.0, 2.0]], {"n_trials": [3, -3]}, "non-negative"),
    ({}, [[1.0, 2.0], [1.0, 2.0]], {"n_trials": [3, np.nan]}, "n_trials"),
    ({}, [[1.0, 2.0], [1.0, 2.0]], {"n_trials": [3, 1]}, "Counts above n_trials"),
    (
        {},
        [[1.0], [2.0]],
        {"sample_weight": [1, -1]},
        "Negative values in data passed to `sample_weight`",
    ),
    ({}, [[1.0], [2.0]], {"sample_weight": [0, 0]}, "non-zero"),
    ({}, [[1.0], [2.0]], {"sample_weight": [1, 1, 1]}, "sample_weight"),
    (
        {"n_components": 2},
        [[1.0], [2.0], [3.0]],
        {"sample_weight": [1, 0, 0]},
        "non-zero weight",
    ),
    (
        {"n_components": 2, "weights_init": [0.5, 0.6]},
        [[1.0], [2.0]],
        {},
        "weights_init' should be normalized",
    ),
    (
        {"n_components": 2, "weights_init": [1.0]},
        [[1.0], [2.0]],
        {},
        "weights_init' should have the shape",
    ),
    (
        {"n_components": 2, "probabilities_init": [[0.5, 0.5]] * 2},
        [[1.0], [2.0]],
        {},
        "probabilities_init' should have the shape of \\(2, 1\\)",
    ),
    (
        {"n_components": 2, "probabilities_init": [[0.5], [1.5]]},
        [[1.0], [2.0]],
        {},
        "probabilities_init' must hold probabilities",
    ),
]


@pytest.mark.parametrize("params, X, fit_params, message", BAD_FIT_INPUTS)
def test_fit_rejects_bad_input(params, X, fit_params, message):
    with pytest.raises(ValueError, match=message):
        BinomialMixture(**params).fit(np.array(X), **fit_params)


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "score_samples", "score", "aic", "bic"]
)
def test_methods_reject_bad_input(method):
    model = BinomialMixture(n_trials=5).fit([[1.0, 2.0], [3.0, 4.0]])
    call = getattr(model, method)
    with pytest.raises(ValueError, match="expecting 2 features"):
        call(np.array([[1.0, 2.0, 3.0]]))
    with pytest.raises(ValueError, match="Negative values in data"):
        call(np.array([[1.0, -2.0]]))
    with pytest.raises(ValueError, match="Counts above n_trials"):
        call(np.array([[1.0, 6.0]]))
    with pytest.raises(ValueError, match="infinity"):
        call(np.array([[1.0, np.inf]]))
    with pytest.raises(ValueError, match="n_trials passed to predict"):
        call(np.array([[1.0, 2.0]]), n_trials=[5, 5])
    # Per-sample trials lift the fitted limit.
    assert np.all(np.isfinite(call(np.array([[1.0, 6.0]]), n_trials=[6])))


@pytest.mark.parametrize(
    "init_params", ["kmeans", "k-means++", "random", "random_from_data"]
)
def test_every_initialization_fits_with_fixed_weights(init_params):
    # With the weights learned: test_mixture.py, for every family.
    rng = np.random.RandomState(17)
    X, _ = make_counts(rng, np.array([[0.2, 0.4], [0.6, 0.9]]), [0.5, 0.5], 40, 6)
    model = BinomialMixture(
        n_components=2,
        n_trials=6,
        init_params=init_params,
        weights_init=[0.5, 0.5],
        fixed=("weights",),
        random_state=0,
    ).fit(X, sample_weight=rng.uniform(0, 2, size=len(X)))
    assert np.all(np.isfinite(model.probabilities_))
    assert_array_equal(model.weights_, [0.5, 0.5])


def test_switched_off_component_fits_without_runtime_warnings():
    # pytest turns RuntimeWarning into errors (pyproject.toml): log(0) of the
    # zero weight must stay inside the engine's errstate.
    X = np.array([[1.0], [2.0], [5.0], [6.0]])
    model = BinomialMixture(
        2, n_trials=10, weights_init=[1, 0], fixed=("weights",), random_state=0
    )
    with pytest.warns(UserWarning, match=r"Components \[1\] received no"):
        model.fit(X)
    assert_array_equal(model.weights_, [1.0, 0.0])
    assert_array_equal(model.predict_proba(X)[:, 1], 0.0)
    assert np.isfinite(model.score(X))
