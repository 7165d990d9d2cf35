"""The engine's family interface, exercised by a family written here.

A Poisson mixture in a few dozen lines: if the hooks are enough for it to fit,
score, sample and pass scikit-learn's checks, the interface carries a new
family with no second EM loop.
"""

from dataclasses import dataclass

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from scipy.special import gammaln
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_non_negative, validate_data

from skem._base import BaseMixtureEM, SufficientStatistics


@dataclass(frozen=True)
class PoissonStats(SufficientStatistics):
    nk: np.ndarray
    sums: np.ndarray


class PoissonMixture(BaseMixtureEM):
    """Independent Poisson features given the component (test family)."""

    def __init__(
        self,
        n_components=1,
        *,
        tol=1e-3,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags

    def _validate(self, X, reset):
        X = validate_data(self, X, dtype=np.float64, reset=reset)
        check_non_negative(X, "PoissonMixture")
        return (X,)

    def _validate_fit_data(self, X):
        return self._validate(X, reset=True)

    def _validate_predict_data(self, X):
        return self._validate(X, reset=False)

    def _check_initial_parameters(self, data):
        pass

    def _estimate_log_prob(self, data):
        X = data[0]
        return (
            X @ np.log(self.rates_).T
            - self.rates_.sum(axis=1)
            - gammaln(X + 1).sum(axis=1)[:, None]
        )

    def _estimate_log_weights(self):
        return np.log(self.weights_)

    def _accumulate(self, data, resp):
        return PoissonStats(nk=resp.sum(axis=0), sums=resp.T @ data[0])

    def _m_step(self, stats):
        nk = stats.nk + 10 * np.finfo(float).eps
        self.weights_ = nk / nk.sum()
        self.rates_ = np.maximum(stats.sums / nk[:, None], 1e-10)

    def _initialize(self, stats):
        self._m_step(stats)

    def _get_parameters(self):
        return self.weights_.copy(), self.rates_.copy()

    def _set_parameters(self, params):
        self.weights_, self.rates_ = params

    def _n_parameters(self):
        return self.rates_.size + self.n_components - 1

    def _sample_components(self, n_samples_comp, random_state):
        return np.vstack(
            [
                random_state.poisson(rate, size=(n, rate.size))
                for rate, n in zip(self.rates_, n_samples_comp, strict=True)
            ]
        ).astype(float)


@parametrize_with_checks([PoissonMixture(), PoissonMixture(init_params="random")])
def test_new_family_passes_estimator_checks(estimator, check):
    check(estimator)


def test_new_family_recovers_rates_and_scores_like_scipy():
    rng = np.random.RandomState(0)
    rates = np.array([[1.0, 8.0], [12.0, 2.0]])
    labels = rng.randint(2, size=2000)
    X = rng.poisson(rates[labels])
    model = PoissonMixture(n_components=2, tol=1e-8, random_state=0).fit(X)
    order = np.argsort(model.rates_[:, 0])
    assert_allclose(model.rates_[order], rates, rtol=0.05)
    expected = np.logaddexp(
        *[
            np.log(w) + stats.poisson.logpmf(X, r).sum(axis=1)
            for w, r in zip(model.weights_, model.rates_, strict=True)
        ]
    )
    assert_allclose(model.score_samples(X), expected)
    assert np.diff(model.lower_bounds_).min() >= -1e-12
    assert model.lower_bound_ == pytest.approx(model.score(X), rel=1e-14)
    sample, _ = model.sample(5)
    assert sample.shape == (5, 2)
