"""The engine's family interface, exercised by a family written here.

A Poisson mixture in a few dozen lines: if the hooks are enough for it to fit,
score, sample and pass scikit-learn's checks, the interface carries a new
family with no second EM loop.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from sklearn.utils.estimator_checks import parametrize_with_checks

from tests._poisson import PoissonMixture


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
    sample, labels = model.sample(20000)
    for k in range(2):
        drawn = sample[labels == k]
        assert_allclose(drawn.mean(axis=0), model.rates_[k], rtol=0.05)
        assert_allclose(drawn.var(axis=0), model.rates_[k], rtol=0.1)
