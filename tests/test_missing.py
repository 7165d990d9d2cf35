"""Missing values (NaN): exact EM on the observed entries, for both estimators.

The references are independent of skem's code: scipy's densities of the
observed sub-vectors, and one EM step for incomplete data written per row in
plain numpy.
"""

import itertools
import runpy
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from _rounding import gamma
from scipy.special import logsumexp
from scipy.stats import binom, multivariate_normal
from sklearn import config_context
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.utils.estimator_checks import parametrize_with_checks

from skem import BinomialMixture, GaussianMixtureEM
from skem._gaussian.missing import _conditional_factors, _group_by_missingness
from skem._validation import observed_feature_means
from tests._reference import fitted_parameters

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
ignore_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


# ----------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------
TRUE_WEIGHTS = np.array([0.5, 0.3, 0.2])
TRUE_MEANS = np.array([[0.0, 0.0, 0.0], [4.0, 4.0, 0.0], [0.0, 4.0, 4.0]])
_CORRELATED = np.array([[1.0, 0.8, 0.5], [0.8, 1.0, 0.3], [0.5, 0.3, 1.0]])
TRUE_COVARIANCES = np.array(
    [_CORRELATED, np.diag([1.0, 0.5, 2.0]), _CORRELATED[::-1, ::-1]]
)


def gaussian_data(n_samples, seed):
    """Three correlated, fairly well separated Gaussian clusters in 3-D."""
    rng = np.random.RandomState(seed)
    labels = rng.choice(3, size=n_samples, p=TRUE_WEIGHTS)
    noise = rng.standard_normal((n_samples, 3))
    factors = np.linalg.cholesky(TRUE_COVARIANCES)
    return TRUE_MEANS[labels] + np.einsum("nj,nij->ni", noise, factors[labels])


def remove_at_random(X, fraction, seed):
    """A copy of ``X`` with entries set to NaN completely at random."""
    rng = np.random.RandomState(seed)
    X = np.array(X, dtype=np.float64)
    X[rng.uniform(size=X.shape) < fraction] = np.nan
    return X


def gaussian_data_with_holes(n_samples=300, fraction=0.25, seed=0):
    """Gaussian data with holes, one fully missing row and one complete row."""
    X = remove_at_random(gaussian_data(n_samples, seed), fraction, seed + 1)
    X[7] = np.nan
    X[8] = gaussian_data(1, seed + 2)[0]
    return X


def binomial_data(n_samples=400, fraction=0.25, seed=0):
    """Counts out of 10 trials from two components, with holes."""
    rng = np.random.RandomState(seed)
    probabilities = np.array([[0.2, 0.7, 0.5, 0.9], [0.8, 0.3, 0.5, 0.4]])
    labels = rng.randint(2, size=n_samples)
    X = rng.binomial(10, probabilities[labels]).astype(np.float64)
    X = remove_at_random(X, fraction, seed + 1)
    X[3] = np.nan
    return X


def fit_gaussian(X, covariance_type, **params):
    params = {"n_components": 3, "random_state": 0, **params}
    return GaussianMixtureEM(covariance_type=covariance_type, **params).fit(X)


def converged_gaussian(X, covariance_type):
    """A fit run to its fixed point (SQUAREM, tight tolerance)."""
    return fit_gaussian(
        X,
        covariance_type,
        tol=1e-13,
        max_iter=5000,
        acceleration="squarem",
        stopping_rule="total",
    )


def full_covariances(model):
    """Every component's covariance as a full matrix, for any type."""
    k, d = model.means_.shape
    covariances = model.covariances_
    if model.covariance_type == "full":
        return covariances
    if model.covariance_type == "tied":
        return np.broadcast_to(covariances, (k, d, d))
    if model.covariance_type == "diag":
        return covariances[:, :, np.newaxis] * np.eye(d)
    return covariances[:, np.newaxis, np.newaxis] * np.eye(d)


def assert_same_parameters(first, second, atol):
    for name, value in fitted_parameters(first).items():
        np.testing.assert_allclose(
            value, getattr(second, name), rtol=0, atol=atol, err_msg=name
        )


# ----------------------------------------------------------------------
# Independent references
# ----------------------------------------------------------------------
def reference_gaussian_score_samples(model, X):
    """``log p(x_o)``: scipy's density of every row's observed sub-vector."""
    covariances = full_covariances(model)
    scores = []
    for x in X:
        observed = ~np.isnan(x)
        log_probs = [
            np.log(weight)
            + (
                multivariate_normal.logpdf(
                    x[observed], mean[observed], cov[np.ix_(observed, observed)]
                )
                if observed.any()
                else 0.0
            )
            for weight, mean, cov in zip(
                model.weights_, model.means_, covariances, strict=True
            )
        ]
        scores.append(logsumexp(log_probs))
    return np.array(scores)


def reference_gaussian_em_step(model, X):
    """One EM step for incomplete Gaussian data, row by row in plain numpy.

    Per component: the missing entries are replaced by their conditional
    mean ``mu_m + S_mo S_oo^-1 (x_o - mu_o)`` and the conditional covariance
    ``S_mm - S_mo S_oo^-1 S_om`` is added to the scatter; then the M-step of
    the covariance type.
    """
    n_samples, n_features = X.shape
    n_components = len(model.weights_)
    covariances = full_covariances(model)
    resp = np.empty((n_samples, n_components))
    completed = np.empty((n_components, n_samples, n_features))
    conditional = np.zeros((n_components, n_samples, n_features, n_features))
    for i, x in enumerate(X):
        o, m = ~np.isnan(x), np.isnan(x)
        log_probs = np.log(model.weights_).copy()
        for k in range(n_components):
            mean, cov = model.means_[k], covariances[k]
            completed[k, i] = x
            if o.any():
                log_probs[k] += multivariate_normal.logpdf(
                    x[o], mean[o], cov[np.ix_(o, o)]
                )
                coef = cov[np.ix_(m, o)] @ np.linalg.inv(cov[np.ix_(o, o)])
            else:
                coef = np.zeros((m.sum(), 0))
            completed[k, i, m] = mean[m] + coef @ (x[o] - mean[o])
            conditional[k, i][np.ix_(m, m)] = (
                cov[np.ix_(m, m)] - coef @ cov[np.ix_(o, m)]
            )
        resp[i] = np.exp(log_probs - logsumexp(log_probs))
    nk = resp.sum(axis=0)
    means = np.einsum("nk,kni->ki", resp, completed) / nk[:, np.newaxis]
    centred = completed - means[:, np.newaxis, :]
    scatter = np.einsum("nk,kni,knj->kij", resp, centred, centred) + np.einsum(
        "nk,knij->kij", resp, conditional
    )
    reg = model.reg_covar
    eye = np.eye(n_features)
    if model.covariance_type == "full":
        covariances = scatter / nk[:, np.newaxis, np.newaxis] + reg * eye
    elif model.covariance_type == "tied":
        covariances = scatter.sum(axis=0) / n_samples + reg * eye
    else:
        variances = np.diagonal(scatter, axis1=1, axis2=2) / nk[:, np.newaxis] + reg
        covariances = (
            variances if model.covariance_type == "diag" else variances.mean(axis=1)
        )
    return {"weights_": nk / n_samples, "means_": means, "covariances_": covariances}


def reference_binomial_score_samples(model, X, n_trials):
    """``log p(x_o)`` with scipy's binomial pmf over the observed counts."""
    scores = []
    for x in X:
        observed = ~np.isnan(x)
        log_probs = [
            np.log(weight) + binom.logpmf(x[observed], n_trials, probs[observed]).sum()
            for weight, probs in zip(model.weights_, model.probabilities_, strict=True)
        ]
        scores.append(logsumexp(log_probs))
    return np.array(scores)


def reference_binomial_em_step(model, X, n_trials):
    """One EM step where every missing count drops out, row by row."""
    n_components = len(model.weights_)
    successes = np.zeros_like(model.probabilities_)
    trials = np.zeros_like(model.probabilities_)
    nk = np.zeros(n_components)
    for x in X:
        observed = ~np.isnan(x)
        log_probs = np.log(model.weights_) + np.array(
            [
                binom.logpmf(x[observed], n_trials, probs[observed]).sum()
                for probs in model.probabilities_
            ]
        )
        resp = np.exp(log_probs - logsumexp(log_probs))
        nk += resp
        successes[:, observed] += np.outer(resp, x[observed])
        trials[:, observed] += np.outer(resp, np.full(observed.sum(), n_trials))
    return {"weights_": nk / len(X), "probabilities_": successes / trials}


# ----------------------------------------------------------------------
# The E-step: marginal densities of the observed entries
# ----------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_score_samples_with_missing_entries_match_scipy_marginals(covariance_type):
    X = gaussian_data_with_holes()
    model = fit_gaussian(X, covariance_type)
    np.testing.assert_allclose(
        model.score_samples(X),
        reference_gaussian_score_samples(model, X),
        rtol=1e-10,
        atol=1e-10,
    )


def test_binomial_score_samples_with_missing_counts_match_scipy():
    X = binomial_data()
    model = BinomialMixture(n_components=2, n_trials=10, random_state=0).fit(X)
    np.testing.assert_allclose(
        model.score_samples(X),
        reference_binomial_score_samples(model, X, 10),
        rtol=1e-10,
        atol=1e-10,
    )


def test_binomial_per_sample_trials_of_missing_counts_drop_out():
    rng = np.random.RandomState(0)
    n_trials = rng.randint(5, 15, size=(200, 1)).astype(np.float64)
    X = rng.binomial(n_trials.astype(int), [[0.3, 0.6, 0.8]]).astype(np.float64)
    X = remove_at_random(X, 0.2, seed=1)
    model = BinomialMixture(n_components=2, n_trials=10, random_state=0)
    model.fit(X, n_trials=n_trials)
    log_weights = np.log(model.weights_)
    expected = [
        logsumexp(
            log_weights
            + [
                binom.logpmf(x[~np.isnan(x)], n, p[~np.isnan(x)]).sum()
                for p in model.probabilities_
            ]
        )
        for x, n in zip(X, n_trials[:, 0], strict=True)
    ]
    np.testing.assert_allclose(
        model.score_samples(X, n_trials=n_trials), expected, rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_every_method_accepts_missing_entries(covariance_type):
    X = gaussian_data_with_holes()
    model = fit_gaussian(X, covariance_type)
    scores = model.score_samples(X)
    resp = model.predict_proba(X)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), resp.argmax(axis=1))
    np.testing.assert_array_equal(model.fit_predict(X), model.predict(X))
    assert model.score(X) == pytest.approx(scores.mean(), rel=1e-12)
    assert model.lower_bound_ == pytest.approx(model.score(X), rel=1e-12)
    k, d = model.means_.shape
    n_covariance_parameters = {
        "full": k * d * (d + 1) // 2,
        "tied": d * (d + 1) // 2,
        "diag": k * d,
        "spherical": k,
    }[covariance_type]
    n_parameters = (k - 1) + k * d + n_covariance_parameters
    assert model.bic(X) == pytest.approx(
        -2 * scores.sum() + np.log(len(X)) * n_parameters, rel=1e-12
    )
    assert model.aic(X) == pytest.approx(-2 * scores.sum() + 2 * n_parameters)
    assert np.all(np.isfinite(model.sample(5)[0]))


# ----------------------------------------------------------------------
# Edge rules
# ----------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_fully_missing_row_scores_zero_and_gets_the_weights(covariance_type):
    model = fit_gaussian(gaussian_data_with_holes(), covariance_type)
    empty = np.full((2, 3), np.nan)
    # log(sum of the weights): zero up to the rounding of that sum.
    np.testing.assert_allclose(model.score_samples(empty), [0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(model.predict_proba(empty), [model.weights_] * 2)
    # Labelled with the heaviest component, as predict's docstring says.
    assert model.predict(empty).tolist() == [np.argmax(model.weights_)] * 2


def test_binomial_fully_missing_row_scores_zero_and_gets_the_weights():
    model = BinomialMixture(n_components=2, n_trials=10, random_state=0)
    model.fit(binomial_data())
    empty = np.full((1, 4), np.nan)
    np.testing.assert_allclose(model.score_samples(empty), [0.0], atol=1e-15)
    np.testing.assert_allclose(model.predict_proba(empty), [model.weights_])
    assert model.predict(empty).tolist() == [np.argmax(model.weights_)]


@pytest.mark.parametrize(
    "estimator",
    [GaussianMixtureEM(n_components=2), BinomialMixture(n_components=2, n_trials=10)],
    ids=["gaussian", "binomial"],
)
def test_feature_missing_in_every_sample_is_an_error_naming_it(estimator):
    X = np.abs(gaussian_data(50, seed=0)).round()
    X[:, 2] = np.nan
    with pytest.raises(ValueError, match=r"Feature 2 is missing \(NaN\) in every"):
        estimator.fit(X)
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=["height", "width", "depth"])
    with pytest.raises(ValueError, match=r"Feature 2 \('depth'\) is missing"):
        estimator.fit(frame)


@pytest.mark.parametrize(
    "estimator",
    [GaussianMixtureEM(n_components=2), BinomialMixture(n_components=2, n_trials=10)],
    ids=["gaussian", "binomial"],
)
def test_infinity_is_still_an_error(estimator):
    X = np.abs(gaussian_data(50, seed=0)).round()
    X[3, 1] = np.nan
    X[4, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        estimator.fit(X)
    estimator.fit(np.where(np.isinf(X), 1.0, X))
    with pytest.raises(ValueError, match="infinity"):
        estimator.score_samples(X)


def test_binomial_negative_count_beside_missing_ones_is_an_error():
    X = binomial_data()
    X[5, 1] = -1.0
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        BinomialMixture(n_trials=10).fit(X)


def test_a_feature_missing_in_every_predicted_sample_is_allowed():
    model = fit_gaussian(gaussian_data_with_holes(), "full")
    X = gaussian_data(20, seed=5)
    X[:, 1] = np.nan
    expected = reference_gaussian_score_samples(model, X)
    np.testing.assert_allclose(model.score_samples(X), expected, rtol=1e-10)


# ----------------------------------------------------------------------
# The M-step: a fixed point of textbook EM, monotone, unmoved by empty rows
# ----------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_fit_is_a_fixed_point_of_an_independent_em_step(covariance_type):
    X = gaussian_data_with_holes(n_samples=200)
    model = converged_gaussian(X, covariance_type)
    assert model.converged_
    step = reference_gaussian_em_step(model, X)
    for name, value in step.items():
        np.testing.assert_allclose(
            getattr(model, name), value, rtol=0, atol=1e-6, err_msg=name
        )


@ignore_convergence
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_one_em_step_equals_the_independent_em_step(covariance_type):
    """Away from the fixed point too: after one step from a fixed start."""
    X = gaussian_data_with_holes(n_samples=120)
    start = fit_gaussian(X, covariance_type, max_iter=0)
    expected = reference_gaussian_em_step(start, X)
    stepped = fit_gaussian(X, covariance_type, max_iter=1)
    for name, value in expected.items():
        np.testing.assert_allclose(
            getattr(stepped, name), value, rtol=1e-9, atol=1e-12, err_msg=name
        )


def test_binomial_fit_is_a_fixed_point_of_an_independent_em_step():
    X = binomial_data()
    model = BinomialMixture(n_components=2, n_trials=10, tol=1e-12, random_state=0)
    model.fit(X)
    for name, value in reference_binomial_em_step(model, X, 10).items():
        np.testing.assert_allclose(
            getattr(model, name), value, rtol=0, atol=1e-6, err_msg=name
        )


@ignore_convergence
@pytest.mark.parametrize("acceleration", [None, "squarem"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_lower_bounds_never_decrease_with_missing_entries(
    covariance_type, acceleration
):
    X = gaussian_data_with_holes(fraction=0.4)
    model = fit_gaussian(
        X, covariance_type, tol=0.0, max_iter=60, acceleration=acceleration
    )
    assert np.diff(model.lower_bounds_).min() >= -1e-12 * abs(model.lower_bound_)


@ignore_convergence
def test_binomial_lower_bounds_never_decrease_with_missing_counts():
    model = BinomialMixture(
        n_components=3, n_trials=10, tol=0.0, max_iter=60, acceleration=None
    ).fit(binomial_data(fraction=0.4))
    assert np.diff(model.lower_bounds_).min() >= -1e-12 * abs(model.lower_bound_)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_squarem_reaches_the_plain_em_maximum_with_missing_entries(covariance_type):
    X = gaussian_data_with_holes()
    fixed_point = converged_gaussian(X, covariance_type)
    # A sum of n rows' log-likelihoods errs by up to gamma(n) sum |l_i| (4e-11
    # here): runs stopped on smaller changes stop where rounding happens to
    # give a zero change, after a number of passes that depends on the BLAS
    # kernel. Both runs stop on changes below twice that bound.
    rounding = gamma(len(X), np.float64) * np.abs(fixed_point.score_samples(X)).sum()
    params = dict(tol=2 * rounding, stopping_rule="total", max_iter=5000)
    plain = fit_gaussian(X, covariance_type, **params)
    fast = fit_gaussian(X, covariance_type, acceleration="squarem", **params)
    assert fast.n_iter_ <= plain.n_iter_
    assert_same_parameters(plain, fast, atol=1e-5)


@ignore_convergence
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_fully_missing_rows_do_not_move_the_maximum(covariance_type):
    X = gaussian_data_with_holes()
    model = converged_gaussian(X, covariance_type)
    padded = np.vstack([X, np.full((100, 3), np.nan)])
    restarted = GaussianMixtureEM(
        n_components=3,
        covariance_type=covariance_type,
        weights_init=model.weights_,
        means_init=model.means_,
        precisions_init=model.precisions_,
        tol=0.0,
        max_iter=20,
    ).fit(padded)
    # The same fixed point, to the precision of the first fit's convergence.
    for name in ("weights_", "means_", "covariances_"):
        np.testing.assert_allclose(
            getattr(restarted, name), getattr(model, name), atol=1e-6, err_msg=name
        )
    # The same likelihood function: empty rows add nothing.
    total = model.score(padded) * len(padded)
    assert total == pytest.approx(model.score(X) * len(X), rel=1e-12)


def test_binomial_fully_missing_rows_do_not_move_the_maximum():
    X = binomial_data()
    model = BinomialMixture(n_components=2, n_trials=10, tol=1e-12, random_state=0)
    model.fit(X)
    padded = np.vstack([X, np.full((100, 4), np.nan)])
    restarted = BinomialMixture(
        n_components=2,
        n_trials=10,
        weights_init=model.weights_,
        probabilities_init=model.probabilities_,
        tol=1e-12,
    ).fit(padded)
    assert_same_parameters(model, restarted, atol=1e-6)


# ----------------------------------------------------------------------
# Better than imputation
# ----------------------------------------------------------------------
def parameter_error(means, covariances):
    """Mean over components of ``|mu - mu_true| + ||S - S_true||_F``.

    Minimised over the labellings of the components.
    """
    return min(
        np.mean(
            [
                np.linalg.norm(means[p] - TRUE_MEANS[k])
                + np.linalg.norm(covariances[p] - TRUE_COVARIANCES[k])
                for k, p in enumerate(labelling)
            ]
        )
        for labelling in itertools.permutations(range(len(TRUE_MEANS)))
    )


def test_exact_em_recovers_parameters_better_than_mean_imputation():
    X = remove_at_random(gaussian_data(2000, seed=0), 0.3, seed=100)
    exact = GaussianMixtureEM(n_components=3, n_init=3, tol=1e-6, random_state=0)
    exact.fit(X)
    imputed = np.where(np.isnan(X), np.nanmean(X, axis=0), X)
    reference = GaussianMixture(n_components=3, n_init=3, tol=1e-6, random_state=0)
    reference.fit(imputed)
    exact_error = parameter_error(exact.means_, exact.covariances_)
    imputation_error = parameter_error(reference.means_, reference.covariances_)
    # Measured: 0.25 against 2.09.
    assert exact_error < 0.4
    assert exact_error < imputation_error / 4


# ----------------------------------------------------------------------
# Blocks, initialization, dtypes, online fitting
# ----------------------------------------------------------------------
@ignore_convergence
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_blocks_equal_whole_data_with_missing_entries(covariance_type):
    X = gaussian_data_with_holes(n_samples=200)
    weights = np.random.RandomState(3).uniform(0.5, 2.0, size=len(X))
    params = {"tol": 0.0, "max_iter": 25}

    def results():
        model = fit_gaussian(X, covariance_type, **params)
        weighted = fit_gaussian(X, covariance_type, **params)
        weighted.fit(X, sample_weight=weights)
        return model, weighted, model.score_samples(X), model.predict_proba(X)

    whole = results()
    with config_context(working_memory=0.002):  # 20 rows per block
        blocked = results()
    for ours, theirs in zip(whole[:2], blocked[:2], strict=True):
        assert_same_parameters(ours, theirs, atol=1e-10)
        np.testing.assert_allclose(ours.lower_bounds_, theirs.lower_bounds_, rtol=1e-12)
    for ours, theirs in zip(whole[2:], blocked[2:], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)


@ignore_convergence
def test_binomial_blocks_equal_whole_data_with_missing_counts():
    X = binomial_data()

    def fit():
        return BinomialMixture(
            n_components=2, n_trials=10, tol=0.0, max_iter=25, random_state=0
        ).fit(X)

    whole = fit()
    with config_context(working_memory=0.002):
        blocked = fit()
        blocked_scores = blocked.score_samples(X)
    assert_same_parameters(whole, blocked, atol=1e-10)
    np.testing.assert_allclose(whole.score_samples(X), blocked_scores, atol=1e-10)


@ignore_convergence
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_dask_fit_with_missing_entries_equals_in_memory_fit(covariance_type):
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")
    X = gaussian_data_with_holes(n_samples=600)
    params = {"tol": 0.0, "max_iter": 10}
    local = fit_gaussian(X, covariance_type, **params)
    with dask.config.set(scheduler="synchronous"):
        chunks = da.from_array(X, chunks=(150, 3))
        remote = fit_gaussian(chunks, covariance_type, **params)
        scores = np.asarray(remote.score_samples(chunks))
    assert_same_parameters(local, remote, atol=1e-10)
    np.testing.assert_allclose(scores, local.score_samples(X), atol=1e-10)


def test_dask_binomial_fit_with_missing_counts_equals_in_memory_fit():
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")
    X = binomial_data(n_samples=600)
    local = BinomialMixture(n_components=2, n_trials="max", random_state=0).fit(X)
    with dask.config.set(scheduler="synchronous"):
        remote = BinomialMixture(n_components=2, n_trials="max", random_state=0)
        remote.fit(da.from_array(X, chunks=(150, 4)))
    np.testing.assert_array_equal(remote.n_trials_, [10, 10, 10, 10])
    assert_same_parameters(local, remote, atol=1e-10)


@pytest.mark.parametrize("init_params", ["kmeans", "k-means++", "random_from_data"])
def test_initialization_clusters_rows_filled_with_weighted_feature_means(init_params):
    X = gaussian_data_with_holes()
    weights = np.random.RandomState(1).uniform(0.1, 3.0, size=len(X))
    observed = ~np.isnan(X)
    fill = (np.where(observed, X, 0.0).T @ weights) / (observed.T @ weights)
    filled = np.where(observed, X, fill)
    params = {"n_components": 3, "init_params": init_params, "random_state": 0}
    params["max_iter"] = 0  # initialization only
    with_holes = GaussianMixtureEM(**params).fit(X, sample_weight=weights)
    reference = GaussianMixtureEM(**params).fit(filled, sample_weight=weights)
    assert_same_parameters(with_holes, reference, atol=1e-12)


@pytest.mark.parametrize("init_params", ["random", "random_from_data", "k-means++"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_every_initialization_fits_data_with_holes(covariance_type, init_params):
    X = gaussian_data_with_holes(fraction=0.5)
    params = {"init_params": init_params}
    # From each start, the first step is the independent EM step ...
    start = fit_gaussian(X, covariance_type, max_iter=0, **params)
    stepped = fit_gaussian(X, covariance_type, max_iter=1, **params)
    for name, value in reference_gaussian_em_step(start, X).items():
        np.testing.assert_allclose(
            getattr(stepped, name), value, rtol=1e-9, atol=1e-12, err_msg=name
        )
    # ... and the fit's bound is scipy's marginal likelihood, never decreasing.
    model = fit_gaussian(X, covariance_type, n_init=2, **params)
    expected = reference_gaussian_score_samples(model, X).mean()
    assert model.lower_bound_ == pytest.approx(expected, rel=1e-10)
    assert np.diff(model.lower_bounds_).min() >= -1e-12 * abs(model.lower_bound_)


@pytest.mark.parametrize("init_params", ["kmeans", "random"])
def test_init_sample_without_a_feature_takes_its_whole_data_mean(init_params):
    X = gaussian_data_with_holes()
    X[:, 0] = np.nan
    # feature 0 seen in five rows only, whose subsets all have other means
    seen = [1.0, 10.0, 100.0, 1000.0, 10000.0]
    X[-5:, 0] = seen
    whole_data_mean = np.mean(seen)
    params = {"init_params": init_params, "init_sample_size": 40, "max_iter": 0}
    filled_with_it = 0
    for seed in range(10):
        model = fit_gaussian(X, "diag", random_state=seed, **params)
        first = model.means_[:, 0]
        assert np.all(np.isfinite(model.means_))
        if not np.allclose(first, first[0], rtol=1e-12):
            continue  # the sample holds two or more of the five rows
        # Feature 0 constant in the filled sample: it held none of the five
        # rows (filled with the whole data's mean) or one (filled with its).
        if first[0] == pytest.approx(whole_data_mean, rel=1e-12):
            filled_with_it += 1
        else:
            assert first[0] == pytest.approx(min(seen, key=lambda v: abs(v - first[0])))
    # About half the samples of 40 rows in 300 miss five given rows.
    assert filled_with_it >= 2


def test_binomial_init_clusters_proportions_filled_with_weighted_means():
    """The k-means labels of the filled proportions; then exact statistics."""
    X = binomial_data()
    weights = np.random.RandomState(1).uniform(0.1, 3.0, size=len(X))
    observed = ~np.isnan(X)
    fill = (np.where(observed, X, 0.0).T @ weights) / (observed.T @ weights)
    labels = (
        KMeans(n_clusters=2, n_init=1, random_state=np.random.RandomState(0))
        .fit(np.where(observed, X, fill) / 10, sample_weight=weights)
        .labels_
    )
    resp = np.eye(2)[labels] * weights[:, np.newaxis]
    successes = resp.T @ np.where(observed, X, 0.0)
    trials = resp.T @ (10.0 * observed)
    model = BinomialMixture(
        n_components=2, n_trials=10, max_iter=0, random_state=0, acceleration=None
    ).fit(X, sample_weight=weights)
    np.testing.assert_allclose(model.probabilities_, successes / trials, rtol=1e-12)
    np.testing.assert_allclose(model.weights_, resp.sum(0) / weights.sum(), rtol=1e-12)


def test_observed_feature_means_are_weighted_nan_means():
    X = gaussian_data_with_holes()
    weights = np.random.RandomState(0).uniform(size=len(X))
    seen_last = ~np.isnan(X[:, 2])
    X[seen_last, 2] = 5.0
    weights[seen_last] = 0.0  # feature 2 observed only in rows of weight zero
    expected = [
        np.average(X[~np.isnan(X[:, j]), j], weights=weights[~np.isnan(X[:, j])])
        for j in range(2)
    ]
    # Weighted means; a feature seen only with weight zero: its plain mean.
    np.testing.assert_allclose(observed_feature_means(X, weights), [*expected, 5.0])
    np.testing.assert_allclose(observed_feature_means(X), np.nanmean(X, axis=0))


def test_float32_data_with_holes_fit_like_float64():
    X = gaussian_data_with_holes()
    ours = fit_gaussian(X.astype(np.float32), "full")
    theirs = fit_gaussian(X, "full")
    assert_same_parameters(ours, theirs, atol=1e-4)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_partial_fit_on_batches_with_holes(covariance_type):
    X = gaussian_data_with_holes(n_samples=600)
    model = GaussianMixtureEM(
        n_components=3, covariance_type=covariance_type, random_state=0
    )
    for batch in np.array_split(X, 6):
        model.partial_fit(batch)
    assert np.all(np.isfinite(model.means_))
    assert np.isfinite(model.score(X))


def test_complete_rows_in_a_block_with_holes_score_as_in_a_complete_block():
    X = gaussian_data(100, seed=0)
    model = fit_gaussian(X, "full")
    with_hole = X.copy()
    with_hole[0, 1] = np.nan
    # The complete-data kernel groups components in one product, the
    # missing-value path takes one per component: equal to rounding.
    np.testing.assert_allclose(
        model.score_samples(with_hole)[1:], model.score_samples(X)[1:], rtol=1e-14
    )


# ----------------------------------------------------------------------
# The pure functions
# ----------------------------------------------------------------------
@pytest.mark.parametrize("n_features", [3, 70])
def test_rows_are_grouped_by_their_missingness_pattern(n_features):
    rng = np.random.RandomState(0)
    missing = rng.uniform(size=(300, n_features)) < 0.02 * 70 / n_features
    missing[::7] = missing[0]  # repeated patterns
    patterns = _group_by_missingness(missing)
    np.testing.assert_array_equal(np.sort(patterns.order), np.arange(300))
    assert len(patterns.observed) == len({row.tobytes() for row in missing})
    for pattern, observed in enumerate(patterns.observed):
        assert np.all(~missing[patterns.rows(pattern)] == observed)


def test_conditional_factors_are_the_gaussian_conditioning_formulas():
    rng = np.random.RandomState(0)
    a = rng.normal(size=(2, 5, 5))
    covariances = a @ a.transpose(0, 2, 1) + np.eye(5)
    patterns = np.array(
        [
            [True, False, True, True, False],
            [False, True, True, False, True],  # batched with the first
            [True, True, True, True, False],
            [False, False, False, False, False],
        ]
    )
    factors = _conditional_factors(covariances, patterns)
    for pattern, o in enumerate(patterns[:3]):
        m = ~o
        for k, cov in enumerate(covariances):
            inverse = np.linalg.inv(cov[np.ix_(o, o)])
            chol = factors.precisions_cholesky[pattern][k]
            np.testing.assert_allclose(chol @ chol.T, inverse, rtol=1e-10)
            assert factors.log_det[pattern, k] == pytest.approx(
                -0.5 * np.linalg.slogdet(cov[np.ix_(o, o)])[1], rel=1e-12
            )
            np.testing.assert_allclose(
                factors.regression[pattern][k], cov[np.ix_(m, o)] @ inverse, rtol=1e-10
            )
            np.testing.assert_allclose(
                factors.conditional_covariance[pattern][k],
                cov[np.ix_(m, m)] - cov[np.ix_(m, o)] @ inverse @ cov[np.ix_(o, m)],
                rtol=1e-10,
            )
    np.testing.assert_array_equal(factors.conditional_covariance[3], covariances)
    assert len(factors.groups) == 3  # two observed, four, none


# ----------------------------------------------------------------------
# scikit-learn's checks with the allow_nan tag, and the benchmark script
# ----------------------------------------------------------------------
@parametrize_with_checks([GaussianMixtureEM(), BinomialMixture(n_trials=10)])
def test_sklearn_checks_pass_with_the_nan_tag(estimator, check):
    assert estimator.__sklearn_tags__().input_tags.allow_nan
    check(estimator)


@pytest.mark.slow
def test_missing_values_benchmark_runs_at_reduced_size(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # as `python benchmarks/...`
    argv = ["bench_missing.py", "--n-samples", "2000", "--n-iter", "2"]
    monkeypatch.setattr(sys, "argv", argv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        runpy.run_path(str(BENCHMARKS / "bench_missing.py"), run_name="__main__")
    out = capsys.readouterr().out
    for covariance_type in COVARIANCE_TYPES:
        assert covariance_type in out
    assert "30%" in out and "10%" in out
