"""SQUAREM acceleration: same maximum, fewer EM steps, never a decrease."""

import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import config_context
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture, GaussianMixtureEM
from skem.datasets import load_geissler, load_saxony
from tests._reference import fitted_parameters
from tests.test_mixture import CASES, parametrize_cases


def close_gaussians(n_samples=1500, seed=0):
    """Three components one standard deviation apart, d = 5: EM crawls."""
    rng = np.random.RandomState(seed)
    centers = np.array([[0, 0, 0, 0, 0], [1, 0, 0, 0, 0], [0, 1, 0, 0, 0]], float)
    labels = rng.randint(3, size=n_samples)
    return centers[labels] + rng.normal(size=(n_samples, 5))


def geissler():
    data = load_geissler()
    return data.counts.astype(float), data.n_trials.astype(float), data.freq


def exact_em(model):
    """The model with an exact M-step (no ``reg_covar``), so EM is monotone.

    ``reg_covar`` makes the M-step miss the maximum by a little: plain EM
    near a small component then lowers the log-likelihood by about 1e-9
    per step, which would hide what these tests check.
    """
    if "reg_covar" in model.get_params():
        model.set_params(reg_covar=0.0)
    return model


def fit_quietly(model, X, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, **fit_params)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_accelerated_gaussian_fit_reaches_the_long_plain_maximum(covariance_type):
    X = close_gaussians()
    params = dict(
        covariance_type=covariance_type, random_state=0, tol=1e-10, reg_covar=0
    )
    plain = fit_quietly(GaussianMixtureEM(3, max_iter=20000, **params), X)
    fast = fit_quietly(
        GaussianMixtureEM(3, max_iter=20000, acceleration="squarem", **params), X
    )
    assert plain.converged_ and fast.converged_
    assert fast.lower_bound_ == pytest.approx(plain.lower_bound_, abs=1e-7)
    assert fast.n_iter_ < plain.n_iter_
    assert np.diff(fast.lower_bounds_).min() >= -1e-12 * abs(fast.lower_bound_)


def test_accelerated_binomial_fit_reaches_the_table_maximum_in_fewer_steps():
    counts, n_trials, freq = geissler()
    params = dict(n_trials="max", random_state=0, tol=1e-7, stopping_rule="total")
    plain = fit_quietly(
        BinomialMixture(2, max_iter=60000, acceleration=None, **params),
        counts,
        sample_weight=freq,
        n_trials=n_trials,
    )
    fast = BinomialMixture(2, max_iter=60000, **params).fit(
        counts, sample_weight=freq, n_trials=n_trials
    )
    assert fast.acceleration == "squarem"
    total = freq.sum()
    # Plain EM is still short of the maximum after many more steps.
    assert fast.lower_bound_ * total >= plain.lower_bound_ * total - 1e-6
    assert 10 * fast.n_iter_ < plain.n_iter_


@parametrize_cases
def test_accelerated_runs_never_decrease_and_end_valid(case):
    model = exact_em(case.model(acceleration="squarem", tol=1e-10, max_iter=500))
    model = fit_quietly(model.set_params(random_state=0, init_params="random"), case.X)
    assert np.diff(model.lower_bounds_).min() >= -1e-12 * abs(model.lower_bound_)
    assert model.lower_bound_ == pytest.approx(model.score(case.X), rel=1e-13)
    assert_allclose(model.weights_.sum(), 1.0)
    assert np.all(model.weights_ > 0)


def assert_valid_model(model):
    """Weights on the simplex and every component parameter in its space."""
    assert np.all(model.weights_ > 0)
    assert model.weights_.sum() == pytest.approx(1.0, rel=1e-12)
    if hasattr(model, "probabilities_"):
        assert np.all((model.probabilities_ > 0) & (model.probabilities_ < 1))
    if hasattr(model, "rates_"):
        assert np.all(model.rates_ > 0)
    if hasattr(model, "covariances_"):
        covariances = model.covariances_
        if model.covariance_type in ("full", "tied"):
            n_features = model.means_.shape[1]
            matrices = covariances.reshape(-1, n_features, n_features)
            assert np.all(np.linalg.eigvalsh(matrices) > 0)
        else:
            assert np.all(covariances > 0)


@parametrize_cases
def test_accelerated_fit_stopped_after_any_evaluation_is_a_valid_model(case):
    """Every state a truncated run returns is a model, whatever was rejected."""
    for max_iter in range(1, 31):
        model = fit_quietly(
            exact_em(
                case.fixed_start(acceleration="squarem", tol=0, max_iter=max_iter)
            ),
            case.X,
        )
        assert model.n_iter_ == max_iter
        assert_valid_model(model)
        assert np.diff(model.lower_bounds_).min() >= -1e-12 * abs(model.lower_bound_)


@pytest.mark.parametrize("estimator", ["binomial", "gaussian"])
def test_extrapolation_out_of_the_parameter_space_falls_back_to_em(estimator, capsys):
    """Two clusters fitted with three components: a weight heads for zero.

    Extrapolating the weights linearly then overshoots below zero; such
    points are rejected, and the run keeps a valid, never decreasing path.
    """
    rng = np.random.RandomState(0)
    if estimator == "binomial":
        X = rng.binomial(20, [[0.2, 0.3]] * 150 + [[0.8, 0.6]] * 150)
        model = BinomialMixture(3, n_trials=20)
    else:
        X = np.vstack([rng.normal(size=(150, 2)), rng.normal(5, 1, size=(150, 2))])
        model = GaussianMixtureEM(3, reg_covar=0)
    model.set_params(
        acceleration="squarem",
        init_params="random",
        random_state=0,
        tol=1e-12,
        max_iter=3000,
        verbose=2,
        verbose_interval=10**6,
    )
    fast = fit_quietly(model, X)
    assert fast.converged_
    assert_valid_model(fast)
    assert np.diff(fast.lower_bounds_).min() >= -1e-12 * abs(fast.lower_bound_)
    taken, rejected = map(
        int,
        re.findall(r"steps (\d+) taken, (\d+) rejected", capsys.readouterr().out)[-1],
    )
    assert taken > 0 and rejected > 0


def mode_problems():
    """Every data mode the engine supports, each with an accelerated fit.

    Returns (name, estimator, X, fit parameters, working memory) tuples.
    """
    rng = np.random.RandomState(1)
    X = close_gaussians(600, seed=1)
    holes = X.copy()
    holes[rng.uniform(size=X.shape) < 0.2] = np.nan
    holes[5] = np.nan  # a row with nothing observed
    counts, n_trials, freq = geissler()
    gaussian = GaussianMixtureEM(3, random_state=0, reg_covar=0)
    return [
        ("sample-weight", gaussian, X, {"sample_weight": rng.randint(1, 4, 600)}, None),
        (
            "per-sample-trials",
            BinomialMixture(2, n_trials="max", random_state=0),
            counts,
            {"sample_weight": freq, "n_trials": n_trials},
            None,
        ),
        ("missing-values", gaussian, holes, {}, None),
        (
            "missing-counts",
            BinomialMixture(3, n_trials=12, random_state=0),
            np.where(
                rng.uniform(size=(400, 3)) < 0.2,
                np.nan,
                rng.binomial(12, [[0.3, 0.5, 0.4]] * 200 + [[0.4, 0.6, 0.5]] * 200),
            ),
            {},
            None,
        ),
        ("blocks", gaussian, X, {}, 0.02),  # 97 rows per block
    ]


@pytest.mark.parametrize("problem", mode_problems(), ids=lambda problem: problem[0])
def test_accelerated_fit_reaches_the_plain_maximum_in_every_mode(problem):
    _, estimator, X, fit_params, working_memory = problem
    params = dict(tol=1e-11, max_iter=50000, stopping_rule="mean")
    with config_context(working_memory=working_memory or 1024):
        plain = fit_quietly(
            clone(estimator).set_params(acceleration=None, **params), X, **fit_params
        )
        fast = fit_quietly(
            clone(estimator).set_params(acceleration="squarem", **params),
            X,
            **fit_params,
        )
    assert plain.converged_ and fast.converged_
    # Plain EM stops where its steps are below tol, short of the maximum.
    assert fast.lower_bound_ >= plain.lower_bound_ - 1e-10 * abs(plain.lower_bound_)
    assert fast.lower_bound_ == pytest.approx(plain.lower_bound_, rel=1e-7)
    assert 3 * fast.n_iter_ < plain.n_iter_
    assert np.diff(fast.lower_bounds_).min() >= -1e-12 * abs(fast.lower_bound_)
    assert_valid_model(fast)


def test_verbose_reports_accelerated_steps(capsys):
    data = load_saxony()
    BinomialMixture(3, n_trials=12, random_state=0, verbose=2, verbose_interval=3).fit(
        data.counts, sample_weight=data.freq
    )
    out = capsys.readouterr().out
    assert "accelerated steps" in out and "rejected" in out


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_acceleration_off_is_plain_em(case):
    """With acceleration=None, n fits of one step each equal one fit of n."""
    params = dict(tol=0, acceleration=None)
    once = fit_quietly(case.fixed_start(max_iter=6, **params), case.X)
    stepwise = case.fixed_start(max_iter=1, warm_start=True, **params)
    for _ in range(6):
        fit_quietly(stepwise, case.X)
    for name, value in fitted_parameters(once).items():
        assert_allclose(getattr(stepwise, name), value, rtol=1e-12, atol=1e-14)
