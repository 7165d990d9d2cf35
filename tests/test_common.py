"""scikit-learn's estimator checks, with no expected failures."""

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
