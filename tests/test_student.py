"""StudentTMixture against independent references, through public API only.

Engine behaviour (monotone runs, weights equal repeated rows, blocks, online
EM, sampling, AIC/BIC) is tested once for every family in
``tests/test_mixture.py``; here: the t density against scipy, fits that are
local maxima of the likelihood over every parameter (degrees of freedom
included) by a general optimizer, the Gaussian limit, missing values, the
degrees-of-freedom options, and robustness to outliers.
"""

import warnings

import dask.array as da
import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from scipy import optimize
from scipy.special import logsumexp, softmax
from scipy.stats import multivariate_t
from sklearn.exceptions import ConvergenceWarning

from skem import GaussianMixtureEM, StudentTMixture
from skem.exceptions import DegenerateFitWarning
from skem.model_selection import criteria_grid
from tests._reference import fitted_parameters

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


def t_data(n_samples=400, dof=(4.0, 8.0), seed=0, n_features=3):
    rng = np.random.RandomState(seed)
    centres = np.array([[0.0, 0.0, 0.0], [4.0, 2.0, -1.0]])[:, :n_features]
    labels = rng.randint(2, size=n_samples)
    w = rng.chisquare(np.asarray(dof)[labels]) / np.asarray(dof)[labels]
    noise = rng.normal(size=(n_samples, n_features)) / np.sqrt(w)[:, np.newaxis]
    return centres[labels] + noise @ np.diag([1.0, 0.6, 1.4][:n_features])


def with_missing(X, seed=0, fraction=0.15):
    rng = np.random.RandomState(seed)
    X = X.copy()
    X[rng.uniform(size=X.shape) < fraction] = np.nan
    return X


def full_scales(model):
    """Scale matrices as (n_components, n_features, n_features)."""
    cov, (k, d) = model.covariances_, model.means_.shape
    return {
        "full": lambda: cov,
        "tied": lambda: np.stack([cov] * k),
        "diag": lambda: np.stack([np.diag(c) for c in cov]),
        "spherical": lambda: np.stack([c * np.eye(d) for c in cov]),
    }[model.covariance_type]()


def scipy_score_samples(X, weights, means, scales, dofs):
    """Mixture log-density of the observed entries of each row, by scipy."""
    out = np.empty(len(X))
    for i, x in enumerate(X):
        seen = ~np.isnan(x)
        if not seen.any():
            out[i] = 0.0
            continue
        out[i] = logsumexp(
            [
                np.log(w)
                + multivariate_t(m[seen], s[np.ix_(seen, seen)], df=nu).logpdf(x[seen])
                for w, m, s, nu in zip(weights, means, scales, dofs, strict=True)
            ]
        )
    return out


def fit_quietly(model, X, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, **kwargs)


# ----------------------------------------------------------------------
# The density
# ----------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("missing", [False, True])
def test_score_samples_equals_scipy_multivariate_t(covariance_type, missing):
    X = t_data()
    model = StudentTMixture(2, covariance_type=covariance_type, random_state=0)
    model.fit(X)
    X_scored = with_missing(X, seed=1, fraction=0.3) if missing else X
    expected = scipy_score_samples(
        X_scored,
        model.weights_,
        model.means_,
        full_scales(model),
        model.degrees_of_freedom_,
    )
    # Both are sums of O(10) terms of magnitude O(10) in float64.
    assert_allclose(model.score_samples(X_scored), expected, rtol=0, atol=1e-11)


# ----------------------------------------------------------------------
# Fits are local maxima over every parameter
# ----------------------------------------------------------------------
def unpack(theta, n_components, n_features):
    """Weights, means, scale matrices and dofs from unconstrained numbers."""
    k, d = n_components, n_features
    logits = np.r_[0.0, theta[: k - 1]]
    start = k - 1
    means = theta[start : start + k * d].reshape(k, d)
    start += k * d
    n_tri = d * (d + 1) // 2
    rows, cols = np.tril_indices(d)
    scales = []
    for j in range(k):
        factor = np.zeros((d, d))
        factor[rows, cols] = theta[start + j * n_tri : start + (j + 1) * n_tri]
        factor[np.diag_indices(d)] = np.exp(np.diag(factor))
        scales.append(factor @ factor.T)
    start += k * n_tri
    dofs = np.exp(theta[start : start + k])
    return softmax(logits), means, np.array(scales), dofs


def pack(model):
    k, d = model.means_.shape
    logits = np.log(model.weights_[1:] / model.weights_[0])
    rows, cols = np.tril_indices(d)
    factors = []
    for scale in full_scales(model):
        factor = np.linalg.cholesky(scale)
        factor[np.diag_indices(d)] = np.log(np.diag(factor))
        factors.append(factor[rows, cols])
    return np.concatenate(
        [logits, model.means_.ravel(), *factors, np.log(model.degrees_of_freedom_)]
    )


@pytest.mark.parametrize("missing", [False, True])
def test_fit_is_a_local_maximum_over_every_parameter(missing):
    X = t_data(n_samples=150, dof=(3.0, 6.0), seed=2, n_features=2)
    if missing:
        X = with_missing(X, seed=3, fraction=0.2)
    model = StudentTMixture(
        2, reg_covar=0.0, tol=1e-11, stopping_rule="aitken", max_iter=5000
    )
    model.set_params(acceleration="squarem", random_state=0).fit(X)
    assert model.converged_
    dof = model.degrees_of_freedom_
    assert np.all((1.0 < dof) & (dof < 200.0)), dof  # an interior optimum

    def negative_log_likelihood(theta):
        weights, means, scales, dofs = unpack(theta, 2, 2)
        return -scipy_score_samples(X, weights, means, scales, dofs).sum()

    start = pack(model)
    at_fit = negative_log_likelihood(start)
    assert -at_fit == pytest.approx(model.score(X) * len(X), rel=1e-12)
    result = optimize.minimize(negative_log_likelihood, start, method="BFGS")
    # The Aitken rule stops within 1e-11 of the limit of the log-likelihood
    # (linear convergence, as EM's); the optimizer's finite differences
    # (step 1.5e-8) resolve changes of about 1e-7 in a total of about 500.
    assert at_fit - result.fun < 1e-6
    gradient = optimize.approx_fprime(start, negative_log_likelihood, 1e-6)
    # central enough: a gradient of 1e-6 * 500 / 1e-6 rounding at most
    assert np.abs(gradient).max() < 1e-2


# ----------------------------------------------------------------------
# The Gaussian limit
# ----------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_fit_tends_to_the_gaussian_fit_as_the_degrees_of_freedom_grow(
    covariance_type,
):
    X = t_data(n_samples=300, dof=(50.0, 50.0), seed=4)
    start = dict(
        weights_init=[0.5, 0.5],
        means_init=[[0.5, 0.0, 0.0], [3.0, 1.0, 0.0]],
        tol=0,
        max_iter=10,
        covariance_type=covariance_type,
    )
    gaussian = fit_quietly(GaussianMixtureEM(2, **start), X)
    errors = []
    for dof in (1e3, 1e5, 1e7):
        t = StudentTMixture(
            2,
            degrees_of_freedom_init=dof,
            degrees_of_freedom_type="fixed",
            **start,
        )
        fit_quietly(t, X)
        errors.append(
            max(
                np.abs(t.means_ - gaussian.means_).max(),
                np.abs(t.covariances_ - gaussian.covariances_).max(),
                np.abs(t.weights_ - gaussian.weights_).max(),
            )
        )
    # A scale weight is 1 + (d - delta) / nu + O(nu**-2): every statistic,
    # hence every parameter after 10 steps, moves by O(1 / nu).
    errors = np.array(errors)
    assert np.all(errors[1:] < errors[:-1] / 30), errors
    assert errors[-1] < 1e-4, errors


# ----------------------------------------------------------------------
# Missing values, weights, blocks, Dask
# ----------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_missing_values_integer_weights_equal_repeated_rows(covariance_type):
    X = with_missing(t_data(n_samples=120, seed=5), seed=6)
    sample_weight = np.random.RandomState(0).randint(0, 4, size=len(X))
    params = dict(covariance_type=covariance_type, random_state=0, tol=0)
    params.update(max_iter=15, means_init=[[0.0, 0.0, 0.0], [4.0, 2.0, -1.0]])
    weighted = fit_quietly(StudentTMixture(2, **params), X, sample_weight=sample_weight)
    repeated = fit_quietly(StudentTMixture(2, **params), np.repeat(X, sample_weight, 0))
    for name, value in fitted_parameters(repeated).items():
        assert_allclose(getattr(weighted, name), value, rtol=1e-9, err_msg=name)
    assert_allclose(weighted.lower_bounds_, repeated.lower_bounds_, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("acceleration", [None, "squarem"])
def test_missing_values_runs_never_decrease(covariance_type, acceleration):
    X = with_missing(t_data(seed=7), seed=8, fraction=0.25)
    model = StudentTMixture(
        2,
        covariance_type=covariance_type,
        acceleration=acceleration,
        tol=1e-10,
        max_iter=300,
        random_state=0,
    )
    fit_quietly(model, X)
    assert np.diff(model.lower_bounds_).min() >= -1e-12
    assert model.lower_bound_ == pytest.approx(model.score(X), rel=1e-14)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_blocks_and_dask_equal_the_whole(covariance_type):
    X = with_missing(t_data(n_samples=600, seed=9), seed=10, fraction=0.1)
    params = dict(
        covariance_type=covariance_type,
        tol=0,
        max_iter=8,
        means_init=[[0.0, 0.0, 0.0], [4.0, 2.0, -1.0]],
        weights_init=[0.5, 0.5],
        random_state=0,
    )
    whole = fit_quietly(StudentTMixture(2, **params), X)
    with sklearn.config_context(working_memory=0.004):  # blocks of ~40 rows
        blocks = fit_quietly(StudentTMixture(2, **params), X)
    distributed = fit_quietly(StudentTMixture(2, **params), da.from_array(X, 150))
    for other in (blocks, distributed):
        for name, value in fitted_parameters(whole).items():
            scale = np.abs(value).max()
            assert_allclose(getattr(other, name), value, rtol=1e-10, atol=1e-10 * scale)
    assert_allclose(
        distributed.scale_weights(da.from_array(X, 150)).compute(),
        whole.scale_weights(X),
        rtol=1e-12,
    )


# ----------------------------------------------------------------------
# Degrees of freedom
# ----------------------------------------------------------------------
def test_degrees_of_freedom_options():
    X = t_data(n_samples=2000, dof=(3.0, 30.0), seed=11)
    params = dict(random_state=0, tol=1e-8, max_iter=1000)
    estimated = fit_quietly(StudentTMixture(2, **params), X)
    order = np.argsort(estimated.means_[:, 0])
    low, high = estimated.degrees_of_freedom_[order]
    assert 2.0 < low < 5.0 and high > 10.0  # heavier tails, lower dof
    tied = fit_quietly(StudentTMixture(2, degrees_of_freedom_type="tied", **params), X)
    assert np.ptp(tied.degrees_of_freedom_) == 0
    assert low < tied.degrees_of_freedom_[0] < high
    fixed = StudentTMixture(
        2,
        degrees_of_freedom_type="fixed",
        degrees_of_freedom_init=[2.5, 7.0],
        **params,
    )
    fit_quietly(fixed, X)
    assert_allclose(fixed.degrees_of_freedom_, [2.5, 7.0], rtol=0)
    # Light tails (uniform data): the estimate reaches the documented bound.
    uniform = np.random.RandomState(0).uniform(size=(2000, 2))
    at_bound = fit_quietly(StudentTMixture(1, **params), uniform)
    assert at_bound.degrees_of_freedom_[0] == 200.0


def test_criteria_grid_counts_the_degrees_of_freedom():
    X = t_data(n_samples=200, seed=12)
    grid = criteria_grid(
        StudentTMixture(random_state=0, covariance_type="diag", tol=1e-8),
        X,
        {
            "n_components": [2],
            "degrees_of_freedom_type": ["estimated", "tied", "fixed"],
        },
    )
    # weights 1, means 6, diagonal scales 6, then the degrees of freedom
    assert_allclose(grid.n_parameters, [13 + 2, 13 + 1, 13])


def test_a_component_on_duplicated_points_is_recognized_as_degenerate():
    X = np.vstack([t_data(n_samples=200, seed=13), np.full((4, 3), 20.0)])
    model = StudentTMixture(
        3, random_state=0, means_init=[[0, 0, 0], [4, 2, -1], [20] * 3]
    )
    with pytest.warns(DegenerateFitWarning, match="component 2 collapsed"):
        fit_quietly(model, X)
    assert list(model.degenerate_components_) == [2]
    for value in fitted_parameters(model).values():
        assert np.all(np.isfinite(value))


# ----------------------------------------------------------------------
# Robustness
# ----------------------------------------------------------------------
def contaminated(n_samples=1000, fraction=0.04, seed=14):
    """Two Gaussian clusters and scattered outliers; the true means."""
    rng = np.random.RandomState(seed)
    means = np.array([[0.0, 0.0], [6.0, 0.0]])
    X = means[rng.randint(2, size=n_samples)] + rng.normal(size=(n_samples, 2))
    n_out = int(fraction * n_samples)
    outliers = rng.uniform(-30, 30, size=(n_out, 2))
    return np.vstack([X, outliers]), means, n_samples


def test_outliers_do_not_drag_the_means():
    X, means, n_inliers = contaminated()
    # The best-optimum search for both: from a k-means start the t mixture
    # too can end with a component for the outliers (a local maximum).
    t = StudentTMixture(2, init_params="emem", random_state=0).fit(X)
    gaussian = GaussianMixtureEM(2, init_params="emem", random_state=0).fit(X)

    def mean_error(model):
        order = np.argsort(model.means_[:, 0])
        return np.abs(model.means_[order] - means).max()

    # Each mean is estimated from about 500 points of unit variance: a
    # standard error of 0.045; 5 of them bound the t fit's error.
    assert mean_error(t) < 5 * 0.045
    assert mean_error(gaussian) > 2 * mean_error(t)
    u = t.scale_weights(X)
    # The outliers' scale weights are below every inlier's but a few.
    assert np.mean(u[n_inliers:] < np.quantile(u[:n_inliers], 0.01)) > 0.8
