"""scikit-learn's estimator checks, with no expected failures."""

import inspect

import pytest
import sklearn
from sklearn.utils.estimator_checks import parametrize_with_checks

from skem import BinomialMixture, GaussianMixtureEM

ESTIMATORS = [
    BinomialMixture(),
    BinomialMixture(n_trials=50, fit_weights=False, init_params="k-means++"),
    BinomialMixture(init_params="random", n_init=2, max_iter=20, tol=1e-6),
    BinomialMixture(init_params="random_from_data", probability_floor=1e-6),
    BinomialMixture(warm_start=True, max_iter=5),
    GaussianMixtureEM(),
    GaussianMixtureEM(covariance_type="tied", init_params="k-means++"),
    GaussianMixtureEM(covariance_type="diag", init_params="random", reg_covar=1e-4),
    GaussianMixtureEM(
        covariance_type="spherical", init_params="random_from_data", n_init=2
    ),
    GaussianMixtureEM(covariance_type="full", warm_start=True, max_iter=5),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


REQUEST_METHODS = [
    (estimator, name)
    for estimator in (BinomialMixture, GaussianMixtureEM)
    for name in dir(estimator)
    if name.startswith("set_") and name.endswith("_request")
]


@pytest.mark.parametrize(
    "estimator, name", REQUEST_METHODS, ids=lambda v: getattr(v, "__name__", v)
)
def test_set_request_docstrings_claim_no_scikit_learn_version(estimator, name):
    # scikit-learn generates these methods; their "Added in version 1.3" is
    # scikit-learn's version, not skem's.
    for owner in (estimator, estimator()):
        doc = getattr(owner, name).__doc__
        assert "Configure whether metadata should be requested" in doc
        assert "versionadded" not in doc
        assert "1.3" not in doc


def test_set_request_methods_still_route_in_subclasses():
    class Counts(BinomialMixture):
        def fit(self, X, y=None, sample_weight=None, n_trials=None, offset=None):
            return super().fit(X, sample_weight=sample_weight, n_trials=n_trials)

    assert "offset" in str(inspect.signature(Counts.set_fit_request))
    assert "1.3" not in Counts.set_fit_request.__doc__
    with sklearn.config_context(enable_metadata_routing=True):
        model = Counts().set_fit_request(offset=True, n_trials=True)
        routing = model.get_metadata_routing()
    assert routing.fit.requests == {
        "sample_weight": None,
        "n_trials": True,
        "offset": True,
    }
