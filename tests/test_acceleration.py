"""SQUAREM acceleration: same maximum, fewer EM steps, never a decrease."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture, GaussianMixtureEM
from skem.datasets import load_geissler, load_saxony
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


def fit_quietly(model, X, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, **fit_params)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_accelerated_gaussian_fit_reaches_the_long_plain_maximum(covariance_type):
    X = close_gaussians()
    params = dict(covariance_type=covariance_type, random_state=0, tol=1e-10)
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
    model = case.model(acceleration="squarem", tol=1e-10, max_iter=500)
    model = fit_quietly(model.set_params(random_state=0, init_params="random"), case.X)
    assert np.diff(model.lower_bounds_).min() >= -1e-12 * abs(model.lower_bound_)
    assert model.lower_bound_ == pytest.approx(model.score(case.X), rel=1e-13)
    assert_allclose(model.weights_.sum(), 1.0)
    assert np.all(model.weights_ > 0)


class RecordingGaussian(GaussianMixtureEM):
    """Records every extrapolated parameter set SQUAREM evaluates."""

    def _set_unconstrained_parameters(self, arrays):
        super()._set_unconstrained_parameters(arrays)
        self.extrapolated_ = [*getattr(self, "extrapolated_", []), self._snapshot()]

    def _snapshot(self):
        return self.weights_.copy(), self.covariances_.copy()


class RecordingBinomial(BinomialMixture):
    def _set_unconstrained_parameters(self, arrays):
        super()._set_unconstrained_parameters(arrays)
        self.extrapolated_ = [
            *getattr(self, "extrapolated_", []),
            (self.weights_.copy(), self.probabilities_.copy()),
        ]


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_extrapolated_gaussian_parameters_are_valid_models(covariance_type):
    model = RecordingGaussian(
        3,
        covariance_type=covariance_type,
        acceleration="squarem",
        tol=1e-10,
        max_iter=300,
        random_state=0,
    )
    fit_quietly(model, close_gaussians())
    assert len(model.extrapolated_) > 3
    for weights, covariances in model.extrapolated_:
        assert np.all(weights > 0) and weights.sum() == pytest.approx(1.0)
        if covariance_type in ("full", "tied"):
            matrices = np.atleast_3d(covariances).reshape(-1, 5, 5)
            assert np.all(np.linalg.eigvalsh(matrices) > 0)
        else:
            assert np.all(covariances > 0)


def test_extrapolated_binomial_parameters_are_valid_models():
    data = load_saxony()
    model = RecordingBinomial(3, n_trials=12, tol=1e-9, random_state=0)
    model.fit(data.counts, sample_weight=data.freq)
    assert len(model.extrapolated_) > 3
    for weights, probabilities in model.extrapolated_:
        assert np.all(weights > 0) and weights.sum() == pytest.approx(1.0)
        assert np.all((probabilities > 0) & (probabilities < 1))


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
    for name, value in once._get_parameters().items():
        assert_allclose(getattr(stepwise, name), value, rtol=1e-12, atol=1e-14)
