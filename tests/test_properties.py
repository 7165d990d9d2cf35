"""Property-based checks of the EM engine's invariants."""

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture, GaussianMixtureEM


@st.composite
def count_problems(draw):
    n_samples = draw(st.integers(3, 40))
    n_features = draw(st.integers(1, 4))
    n_trials = draw(st.integers(1, 30))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.RandomState(seed)
    X = rng.binomial(
        n_trials, rng.uniform(size=n_features), size=(n_samples, n_features)
    )
    n_components = draw(st.integers(1, min(4, n_samples)))
    init_params = draw(
        st.sampled_from(["kmeans", "k-means++", "random", "random_from_data"])
    )
    weights = draw(st.booleans())
    sample_weight = rng.uniform(0.1, 3, size=n_samples) if weights else None
    return X, n_trials, n_components, init_params, sample_weight, seed


def fit_and_check_engine_invariants(model, X, sample_weight, decrease_tol):
    """Fit ``model`` and assert what the engine promises for every family."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)  # empty components
        labels = model.fit_predict(X, sample_weight=sample_weight)

    # EM never lowers the likelihood.
    assert np.diff(model.lower_bounds_).min() >= -decrease_tol * max(
        1.0, abs(model.lower_bound_)
    )
    # The reported bound is the score of the returned parameters.
    assert_allclose(
        model.lower_bound_, model.score(X, sample_weight=sample_weight), rtol=1e-12
    )
    assert_array_equal(labels, model.predict(X))
    assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
    assert_allclose(model.weights_.sum(), 1.0)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(count_problems())
def test_em_invariants_hold_on_random_count_data(problem):
    X, n_trials, n_components, init_params, sample_weight, seed = problem
    model = BinomialMixture(
        n_components=n_components,
        n_trials=n_trials,
        init_params=init_params,
        max_iter=30,
        random_state=seed,
    )
    fit_and_check_engine_invariants(model, X, sample_weight, decrease_tol=1e-10)
    assert np.all(np.isfinite(model.probabilities_))
    assert np.all((model.probabilities_ > 0) & (model.probabilities_ < 1))


@st.composite
def gaussian_problems(draw):
    n_samples = draw(st.integers(6, 60))
    n_features = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features)) * rng.uniform(0.1, 10, n_features)
    n_components = draw(st.integers(1, 3))
    covariance_type = draw(st.sampled_from(["full", "tied", "diag", "spherical"]))
    init_params = draw(st.sampled_from(["kmeans", "k-means++", "random_from_data"]))
    weights = draw(st.booleans())
    sample_weight = rng.uniform(0.1, 3, size=n_samples) if weights else None
    return X, n_components, covariance_type, init_params, sample_weight, seed


@settings(max_examples=60, deadline=None, derandomize=True)
@given(gaussian_problems())
def test_em_invariants_hold_on_random_gaussian_data(problem):
    X, n_components, covariance_type, init_params, sample_weight, seed = problem
    model = GaussianMixtureEM(
        n_components=n_components,
        covariance_type=covariance_type,
        init_params=init_params,
        max_iter=30,
        random_state=seed,
    )
    fit_and_check_engine_invariants(model, X, sample_weight, decrease_tol=1e-9)
    assert np.all(np.isfinite(model.covariances_))
