"""scikit-learn's estimator checks, with no expected failures."""

import inspect

import pytest
import sklearn
from sklearn.utils.estimator_checks import parametrize_with_checks

from skem import (
    BinomialMixture,
    CategoricalMixture,
    GaussianMixtureEM,
    MixedMixture,
    PoissonMixture,
    StudentTMixture,
)

ESTIMATORS = [
    BinomialMixture(),
    BinomialMixture(
        n_trials=50, weights_init=[1.0], fixed=("weights",), init_params="k-means++"
    ),
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
    PoissonMixture(),
    PoissonMixture(n_components=2, init_params="hierarchical", rate_floor=1e-6),
    PoissonMixture(n_components=3, init_params="hierarchical", acceleration=None),
    PoissonMixture(warm_start=True, max_iter=5),
    MixedMixture(),
    MixedMixture(n_components=2, init_params="hierarchical"),
    MixedMixture(n_components=3, init_params="hierarchical", acceleration=None),
    MixedMixture(warm_start=True, max_iter=5, init_params="random"),
    StudentTMixture(),
    StudentTMixture(init_params="random", n_init=2, degrees_of_freedom_init=[3.0]),
    StudentTMixture(warm_start=True, max_iter=5),
    # Several components: the hierarchical start, free of row order, gives
    # weighted and repeated rows the same start (the weight-equivalence check).
    StudentTMixture(2, init_params="hierarchical", acceleration="squarem"),
    StudentTMixture(
        3,
        covariance_type="tied",
        degrees_of_freedom_type="tied",
        init_params="hierarchical",
    ),
    StudentTMixture(
        2, covariance_type="diag", init_params="hierarchical", reg_covar=1e-4
    ),
    StudentTMixture(
        2,
        covariance_type="spherical",
        degrees_of_freedom_type="fixed",
        degrees_of_freedom_init=4.0,
        init_params="hierarchical",
        warm_start=True,
        max_iter=5,
    ),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# CategoricalMixture reads category codes: its input tags (categorical,
# positive_only, allow_nan) make scikit-learn feed its checks rounded
# non-negative codes, but for check_sample_weight_equivalence_on_dense_data,
# which fits X = rng.rand(15, 30) whatever the tags. Like scikit-learn's
# CategoricalNB, it truncates such codes toward zero (with a
# DataConversionWarning), so it passes every check, that one on all-zero
# codes; tests/test_categorical.py also runs it on codes of several
# categories (test_sample_weight_equivalence_on_codes).
CATEGORICAL_ESTIMATORS = [
    CategoricalMixture(),
    # Several components: the hierarchical start, free of row order, gives
    # weighted and repeated rows the same start.
    CategoricalMixture(3, init_params="hierarchical"),
    CategoricalMixture(
        2, init_params="hierarchical", acceleration=None, probability_floor=1e-6
    ),
    CategoricalMixture(warm_start=True, max_iter=5),
]


@parametrize_with_checks(CATEGORICAL_ESTIMATORS)
def test_categorical_mixture_sklearn_checks(estimator, check):
    check(estimator)


REQUEST_METHODS = [
    (estimator, name)
    for estimator in (
        BinomialMixture,
        CategoricalMixture,
        GaussianMixtureEM,
        MixedMixture,
        PoissonMixture,
        StudentTMixture,
    )
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
