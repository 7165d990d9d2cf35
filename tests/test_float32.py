"""float32 data: fitted in float32 as scikit-learn does, agreeing with float64.

GaussianMixtureEM keeps float32 data in float32 (parameters, responsibilities,
log-densities), with statistics summed in float64; BinomialMixture works in
float64 whatever the dtype of the counts (its probabilities need float64).
"""

import warnings

import numpy as np
import pytest
from _rounding import gamma
from _starts import initial_parameters
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture

from skem import BinomialMixture, GaussianMixtureEM
from skem._gaussian.covariances import _compute_precision_cholesky
from skem._gaussian.kernels import (
    _FLOAT32_FULL_STEP,
    _FLOAT32_PRODUCT_ROWS,
    CentredRows,
    DiagonalDesign,
    _estimate_gaussian_log_prob,
    _estimate_gaussian_statistics,
    _pooled_full_statistics,
    _pooled_tied_statistics,
)

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
PARAMETERS = [
    "weights_",
    "means_",
    "covariances_",
    "precisions_",
    "precisions_cholesky_",
]
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def make_blobs(n_samples, n_features, n_components, seed, offset=0.0):
    """Overlapping Gaussian blobs with random anisotropic shapes, as float64."""
    rng = np.random.RandomState(seed)
    centers = offset + rng.normal(scale=3.0, size=(n_components, n_features))
    labels = rng.randint(n_components, size=n_samples)
    shapes = rng.normal(size=(n_components, n_features, n_features)) / np.sqrt(
        n_features
    ) + np.eye(n_features)
    noise = rng.normal(size=(n_samples, n_features))
    return centers[labels] + np.einsum("ni,nij->nj", noise, shapes[labels])


def fixed_run(X, covariance_type, n_components=3, max_iter=20, **params):
    """Plain EM for ``max_iter`` steps from a fixed start (computed in float64)."""
    start = initial_parameters(X.astype(np.float64), n_components, covariance_type)
    return GaussianMixtureEM(
        n_components,
        covariance_type=covariance_type,
        tol=0,
        max_iter=max_iter,
        acceleration=None,
        **start,
        **params,
    )


def outputs(model, X):
    """Every per-row output and fitted parameter of a Gaussian mixture."""
    return {
        **{name: getattr(model, name) for name in PARAMETERS},
        "predict_proba": model.predict_proba(X),
        "score_samples": model.score_samples(X),
        "sample": model.sample(5)[0],
    }


@pytest.mark.parametrize("init_params", ["kmeans", "random"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_outputs_have_scikit_learns_dtypes(covariance_type, init_params):
    X = make_blobs(300, 3, 3, seed=0).astype(np.float32)
    params = dict(covariance_type=covariance_type, init_params=init_params)
    ours = GaussianMixtureEM(3, random_state=0, **params).fit(X)
    theirs = GaussianMixture(3, random_state=0, **params).fit(X)
    with warnings.catch_warnings():
        # scikit-learn's sample() hands float32 covariances to numpy, whose
        # positive-semidefinite check then warns; skem samples in float64.
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = outputs(theirs, X)
    for name, value in outputs(ours, X).items():
        assert value.dtype == expected[name].dtype, name
    assert ours.predict_proba(X).dtype == np.float32
    # Reductions are float64 sums: Python floats (scikit-learn: np.float32).
    assert type(ours.lower_bound_) is float
    assert type(ours.score(X)) is float
    assert type(ours.bic(X)) is float


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_parameters_stay_float32_with_init_values_and_partial_fit(
    covariance_type,
):
    X = make_blobs(300, 3, 3, seed=1).astype(np.float32)
    model = fixed_run(X, covariance_type, max_iter=0).fit(X)
    for name in PARAMETERS:
        assert getattr(model, name).dtype == np.float32, name
    model.set_params(max_iter=3, warm_start=True).fit(X)
    online = fixed_run(X, covariance_type)
    for batch in np.array_split(X, 3):
        online.partial_fit(batch)
    for fitted in (model, online):
        for name in PARAMETERS:
            assert getattr(fitted, name).dtype == np.float32, name


@pytest.mark.parametrize("offset", [0.0, 1e3])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_fit_agrees_with_the_float64_fit(covariance_type, offset):
    X = make_blobs(2000, 4, 3, seed=2, offset=offset).astype(np.float32)
    X64 = X.astype(np.float64)  # the same numbers
    fit32 = fixed_run(X, covariance_type).fit(X)
    fit64 = fixed_run(X64, covariance_type).fit(X64)
    assert fit32.lower_bound_ == pytest.approx(fit64.lower_bound_, rel=1e-6)
    assert fit32.score(X) == pytest.approx(fit32.lower_bound_, rel=1e-7)
    np.testing.assert_allclose(fit32.weights_, fit64.weights_, rtol=1e-4)
    spread = np.sqrt(np.max(fit64.covariances_))
    np.testing.assert_allclose(fit32.means_, fit64.means_, rtol=0, atol=1e-4 * spread)
    np.testing.assert_allclose(
        fit32.covariances_, fit64.covariances_, rtol=1e-4, atol=1e-5 * spread**2
    )
    np.testing.assert_allclose(
        fit32.predict_proba(X), fit64.predict_proba(X64), rtol=0, atol=1e-4
    )
    np.testing.assert_allclose(
        fit32.score_samples(X), fit64.score_samples(X64), rtol=1e-4, atol=1e-4
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_fit_matches_scikit_learn_in_float32(covariance_type):
    X = make_blobs(1000, 3, 3, seed=3).astype(np.float32)
    start = initial_parameters(X.astype(np.float64), 3, covariance_type)
    # Given in float32, so that scikit-learn computes in float32 throughout.
    start = {name: value.astype(np.float32) for name, value in start.items()}
    start["weights_init"] = start["weights_init"] / start["weights_init"].sum()
    params = dict(covariance_type=covariance_type, tol=0, max_iter=10, **start)
    ours = GaussianMixtureEM(3, acceleration=None, **params).fit(X)
    theirs = GaussianMixture(3, **params).fit(X)
    for name in PARAMETERS:
        assert getattr(ours, name).dtype == np.float32
        np.testing.assert_allclose(
            getattr(ours, name),
            getattr(theirs, name),
            rtol=2e-4,
            atol=2e-4 * np.abs(getattr(theirs, name)).max(),
            err_msg=name,
        )
    assert ours.score(X) == pytest.approx(theirs.score(X), rel=1e-5)
    np.testing.assert_allclose(
        ours.predict_proba(X), theirs.predict_proba(X), rtol=0, atol=1e-4
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_log_prob_matches_scipy(covariance_type):
    rng = np.random.RandomState(4)
    n_components, n_features = 3, 4
    means = 100.0 + rng.normal(scale=3, size=(n_components, n_features))
    X = means[rng.randint(n_components, size=500)] + rng.normal(size=(500, n_features))
    model = fixed_run(X, covariance_type, max_iter=1).fit(X)
    chol = _compute_precision_cholesky(model.covariances_, covariance_type)
    X32 = X.astype(np.float32)
    log_prob = _estimate_gaussian_log_prob(
        X32, model.means_, chol.astype(np.float32), covariance_type
    )
    assert log_prob.dtype == np.float32
    if covariance_type == "full":
        covariances = model.covariances_
    elif covariance_type == "tied":
        covariances = [model.covariances_] * n_components
    elif covariance_type == "diag":
        covariances = [np.diag(c) for c in model.covariances_]
    else:
        covariances = [c * np.eye(n_features) for c in model.covariances_]
    expected = np.column_stack(
        [
            multivariate_normal.logpdf(X32.astype(np.float64), m, c)
            for m, c in zip(model.means_, covariances, strict=True)
        ]
    )
    # float32 resolves the densities to a few float32 epsilons of their size.
    np.testing.assert_allclose(log_prob, expected, rtol=1e-5, atol=1e-5)


def statistics_error_bounds(X32, resp32, centre, exact, float32_rounds):
    """Bounds on the errors of float32 statistics, entry by entry.

    ``float32_rounds`` is the most float32 roundings in one term of a sum: the
    rows of a float32 product plus the roundings of its operands. With ``xc =
    X - centre``, ``a = means - centre``, ``F = sum r |xc|`` and ``A = sum r
    |xc| |xc|^T`` per component, the scatter ``sum r xc xc^T - F a^T`` errs
    by at most ``g (A + F |a|^T + |a| F^T) + g**2 F F^T / nk``, ``g =
    gamma(float32_rounds)``, plus float64 rounding (of the float64 steps and
    of the reference) within ``3 gamma_64(n + 10)`` times the absolute sums
    about the means, ``A + F |a|^T + |a| F^T + nk |a| |a|^T``.
    """
    n_samples = X32.shape[0]
    g = gamma(float32_rounds, np.float32)
    g64 = 3 * gamma(n_samples + 10, np.float64)
    xc = np.abs(X32.astype(np.float64) - centre.astype(np.float64))  # exact
    r = resp32.astype(np.float64)
    nk = r.sum(axis=0)
    F = r.T @ xc
    A = np.einsum("nk,ni,nj->kij", r, xc, xc)
    a = np.abs(exact.means - centre)
    cross = F[:, :, None] * a[:, None, :]
    cross = cross + np.swapaxes(cross, 1, 2)
    scatter = (g + g64) * (A + cross) + g64 * nk[:, None, None] * (
        a[:, :, None] * a[:, None, :]
    )
    scatter += g**2 * F[:, :, None] * F[:, None, :] / nk[:, None, None]
    means = g * F / nk[:, None] + g64 * (F / nk[:, None] + np.abs(centre))
    return g64 * nk, means, scatter


@pytest.mark.parametrize("scale", [1.0, 6.5e16])
@pytest.mark.parametrize("kind", ["full", "tied", "diag"])
def test_float32_statistics_are_float64_sums(kind, scale):
    # 200,000 rows. At scale 6.5e16 each component's sums of squares exceed
    # the float32 range, in any order of summation, those of a block do not
    # (65,536 rows of 'tied' reach 2.8e38): float32 sums of all rows overflow.
    rng = np.random.RandomState(5)
    n_samples, n_features, n_components = 200_000, 3, 2
    X = scale * (rng.normal(size=(n_samples, n_features)) + 10.0)
    resp = rng.dirichlet(np.ones(n_components), size=n_samples)
    X32, resp32 = X.astype(np.float32), resp.astype(np.float32)
    exact = _estimate_gaussian_statistics(
        X32.astype(np.float64), resp32.astype(np.float64), kind
    )
    if scale > 1:
        assert exact.scatter.max() > np.finfo(np.float32).max
    centre = X32.mean(axis=0, dtype=np.float64).astype(np.float32)
    # Roundings per term: a float32 product's rows, the centring of both
    # factors (2), their product (1) and, for 'tied', the rows' weights summed
    # in float32 (n_components - 1).
    if kind == "full":
        stats = _pooled_full_statistics(X32, resp32, centre)
        float32_rounds = _FLOAT32_FULL_STEP + 3
    elif kind == "tied":
        stats = _pooled_tied_statistics(X32, resp32, CentredRows.build(X32, centre))
        float32_rounds = _FLOAT32_PRODUCT_ROWS + n_components + 2
    else:
        design = DiagonalDesign.build(X32, centre)
        stats = _estimate_gaussian_statistics(X32, resp32, kind, design)
        float32_rounds = 3  # products of float32 columns and float64 resp
    for stat in (stats.nk, stats.means, stats.scatter):
        assert stat.dtype == np.float64
        assert np.isfinite(stat).all()
    nk_bound, means_bound, scatter_bound = statistics_error_bounds(
        X32, resp32, centre, exact, float32_rounds
    )
    assert np.all(np.abs(stats.nk - exact.nk) <= nk_bound)
    assert np.all(np.abs(stats.means - exact.means) <= means_bound)
    if kind == "tied":  # only the sum over the components is the true scatter
        error = np.abs(stats.scatter.sum(axis=0) - exact.scatter.sum(axis=0))
        assert np.all(error <= scatter_bound.sum(axis=0))
    elif kind == "diag":
        diagonal = np.diagonal(scatter_bound, axis1=1, axis2=2)
        assert np.all(np.abs(stats.scatter - exact.scatter) <= diagonal)
    else:
        assert np.all(np.abs(stats.scatter - exact.scatter) <= scatter_bound)


@pytest.mark.parametrize("covariance_type", ["diag", "spherical", "tied"])
def test_float32_far_component_takes_the_exact_path(covariance_type):
    # Component 0 sits 1e4 standard deviations from the others: the pooled
    # float32 formula would lose everything in its log-densities.
    rng = np.random.RandomState(6)
    means = np.array([[0.0, 0.0], [1e4, 1e4], [1e4 + 3, 1e4 - 2]])
    X = means[rng.randint(3, size=600)] + rng.normal(size=(600, 2))
    model = fixed_run(X, covariance_type, max_iter=2).fit(X)
    chol = model.precisions_cholesky_
    X32 = X.astype(np.float32)
    log_prob = _estimate_gaussian_log_prob(
        X32, model.means_, chol.astype(np.float32), covariance_type
    )
    expected = _estimate_gaussian_log_prob(
        X32.astype(np.float64), model.means_, chol, covariance_type
    )
    np.testing.assert_allclose(log_prob, expected, rtol=1e-5, atol=1e-3)


def test_float32_with_missing_values_stays_float32():
    X = make_blobs(300, 3, 2, seed=7)
    X[::7, 1] = np.nan
    X32 = X.astype(np.float32)
    for covariance_type in COVARIANCE_TYPES:
        model = GaussianMixtureEM(
            2, covariance_type=covariance_type, max_iter=5, random_state=0
        ).fit(X32)
        reference = GaussianMixtureEM(
            2, covariance_type=covariance_type, max_iter=5, random_state=0
        ).fit(X32.astype(np.float64))
        assert model.means_.dtype == np.float32
        assert model.predict_proba(X32).dtype == np.float32
        assert model.score_samples(X32).dtype == np.float32
        assert model.lower_bound_ == pytest.approx(reference.lower_bound_, rel=1e-6)


def test_binomial_mixture_works_in_float64_for_float32_counts():
    # Counts are exact in float32, but probabilities within 1e-10 of one
    # (the default probability_floor) are not: the model stays float64.
    rng = np.random.RandomState(8)
    probabilities = rng.uniform(0.1, 0.9, size=(3, 4))
    X = rng.binomial(20, probabilities[rng.randint(3, size=500)]).astype(np.float64)
    params = dict(n_components=3, n_trials=20, random_state=0, tol=0, max_iter=20)
    ours = BinomialMixture(**params).fit(X.astype(np.float32))
    reference = BinomialMixture(**params).fit(X)
    for name in ("weights_", "probabilities_"):
        assert getattr(ours, name).dtype == np.float64
        np.testing.assert_allclose(
            getattr(ours, name), getattr(reference, name), rtol=1e-12
        )
    assert ours.predict_proba(X.astype(np.float32)).dtype == np.float64
    assert ours.lower_bound_ == pytest.approx(reference.lower_bound_, rel=1e-14)


def test_float64_data_after_a_float32_fit_are_scored_in_float64():
    X = make_blobs(300, 3, 3, seed=9)
    model = fixed_run(X, "full", max_iter=5).fit(X.astype(np.float32))
    assert model.score_samples(X).dtype == np.float64
    assert model.predict_proba(X).dtype == np.float64
    assert model.score(X) == pytest.approx(model.score(X.astype(np.float32)), rel=1e-6)
