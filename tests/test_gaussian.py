"""Tests of GaussianMixtureEM against scipy, scikit-learn and first principles."""

import warnings

import numpy as np
import pytest
from _starts import initial_parameters
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn import config_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from skem import GaussianMixtureEM
from skem._gaussian.covariances import (
    _compute_precision_cholesky,
    _covariances_from_cholesky,
    _estimate_gaussian_covariances,
    _precision_cholesky_from_precisions,
    _precisions_from_cholesky,
)
from skem._gaussian.kernels import (
    _estimate_gaussian_log_prob,
    _estimate_gaussian_statistics,
)

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
# (600, 40, 3): more than 32 features, where the full statistics take the
# per-component rank-k path.
PARITY_SHAPES = [(200, 2, 3), (500, 5, 4), (50, 1, 2), (600, 40, 3)]
ignore_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


# ----------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------
def make_blobs(n_samples, n_features, n_components, seed, spread=3.0):
    """Overlapping Gaussian blobs with random anisotropic shapes."""
    rng = np.random.RandomState(seed)
    centers = rng.normal(scale=spread, size=(n_components, n_features))
    labels = rng.randint(n_components, size=n_samples)
    shapes = rng.normal(size=(n_components, n_features, n_features)) / np.sqrt(
        n_features
    ) + np.eye(n_features)
    noise = rng.normal(size=(n_samples, n_features))
    return centers[labels] + np.einsum("ni,nij->nj", noise, shapes[labels])


def random_covariances(covariance_type, n_components, n_features, rng):
    """Well-conditioned random covariances of the given type."""
    if covariance_type in ("full", "tied"):
        a = rng.normal(size=(n_components, n_features, n_features))
        covariances = a @ a.transpose(0, 2, 1) / n_features + 0.5 * np.eye(n_features)
        return covariances[0] if covariance_type == "tied" else covariances
    if covariance_type == "diag":
        return rng.uniform(0.5, 2.0, size=(n_components, n_features))
    return rng.uniform(0.5, 2.0, size=n_components)


def full_covariances(covariances, covariance_type, n_components, n_features):
    """The (n_components, n_features, n_features) matrices of any type."""
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.stack([covariances] * n_components)
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in covariances])
    return np.stack([c * np.eye(n_features) for c in covariances])


def assert_close(actual, desired, rtol=1e-8):
    """Elementwise, relative to the largest entry of ``desired``."""
    desired = np.asarray(desired)
    np.testing.assert_allclose(
        actual, desired, rtol=rtol, atol=rtol * np.abs(desired).max()
    )


def fitted_parameters(model):
    return [
        model.weights_,
        model.means_,
        model.covariances_,
        model.precisions_cholesky_,
    ]


# ----------------------------------------------------------------------
# Pure functions against independent references
# ----------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_estimate_gaussian_log_prob_matches_scipy(covariance_type):
    rng = np.random.RandomState(0)
    n_samples, n_features, n_components = 30, 3, 4
    X = rng.normal(scale=2, size=(n_samples, n_features))
    means = rng.normal(size=(n_components, n_features))
    covariances = random_covariances(covariance_type, n_components, n_features, rng)
    precisions_cholesky = _compute_precision_cholesky(covariances, covariance_type)
    log_prob = _estimate_gaussian_log_prob(
        X, means, precisions_cholesky, covariance_type
    )
    full = full_covariances(covariances, covariance_type, n_components, n_features)
    expected = np.column_stack(
        [multivariate_normal.logpdf(X, m, c) for m, c in zip(means, full, strict=True)]
    )
    np.testing.assert_allclose(log_prob, expected, rtol=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_estimate_gaussian_covariances_match_numpy(covariance_type):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(40, 3)) + 5
    resp = rng.dirichlet(np.ones(2), size=40)
    stats = _estimate_gaussian_statistics(X, resp, covariance_type)
    covariances = _estimate_gaussian_covariances(stats, 0.1, covariance_type)
    nk = resp.sum(axis=0)
    per_component = np.stack(
        [np.cov(X.T, aweights=r, bias=True) + 0.1 * np.eye(3) for r in resp.T]
    )
    expected = {
        "full": per_component,
        "tied": np.einsum("k,kij->ij", nk, per_component - 0.1 * np.eye(3)) / nk.sum()
        + 0.1 * np.eye(3),
        "diag": np.diagonal(per_component, axis1=1, axis2=2),
        "spherical": np.diagonal(per_component, axis1=1, axis2=2).mean(axis=1),
    }[covariance_type]
    np.testing.assert_allclose(covariances, expected, rtol=1e-12)
    np.testing.assert_allclose(stats.means, (resp.T @ X) / nk[:, None], rtol=1e-13)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_precision_cholesky_round_trips(covariance_type):
    rng = np.random.RandomState(2)
    covariances = random_covariances(covariance_type, 3, 4, rng)
    chol = _compute_precision_cholesky(covariances, covariance_type)
    precisions = _precisions_from_cholesky(chol, covariance_type)
    np.testing.assert_allclose(
        _covariances_from_cholesky(chol, covariance_type), covariances, rtol=1e-10
    )
    from_precisions = _precision_cholesky_from_precisions(precisions, covariance_type)
    np.testing.assert_allclose(from_precisions, chol, rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------
# Parity with scikit-learn
# ----------------------------------------------------------------------
@ignore_convergence
@pytest.mark.parametrize("max_iter", [1, 10, 50])
@pytest.mark.parametrize("shape", PARITY_SHAPES)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_gaussian_parity_with_sklearn(covariance_type, shape, max_iter):
    n_samples, n_features, n_components = shape
    X = make_blobs(n_samples, n_features, n_components, seed=n_features)
    init = initial_parameters(X, n_components, covariance_type, seed=0)
    params = dict(n_components=n_components, covariance_type=covariance_type, tol=0.0)
    reference = GaussianMixture(max_iter=max_iter, **params, **init).fit(X)
    model = GaussianMixtureEM(max_iter=max_iter, **params, **init).fit(X)
    for ours, theirs in zip(
        fitted_parameters(model), fitted_parameters(reference), strict=True
    ):
        assert_close(ours, theirs)
    assert_close(model.precisions_, reference.precisions_)
    assert model.n_iter_ == reference.n_iter_ == max_iter
    assert_close(model.lower_bound_, reference.score(X))
    assert_close(model.lower_bounds_[:-1], reference.lower_bounds_)
    assert_close(model.score_samples(X), reference.score_samples(X))
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))


@pytest.mark.parametrize(
    "init_params, covariance_type",
    [
        (init_params, covariance_type)
        for init_params in ("kmeans", "k-means++", "random", "random_from_data")
        for covariance_type in COVARIANCE_TYPES
        # scikit-learn's tied covariance of one-point seeds is documented as
        # different; see test_gaussian_tied_covariance_of_seeds_is_pooled_scatter
        if covariance_type != "tied" or init_params in ("kmeans", "random")
    ],
)
def test_gaussian_parity_with_sklearn_from_same_seed(init_params, covariance_type):
    X = make_blobs(300, 3, 3, seed=5)
    params = dict(
        n_components=3,
        covariance_type=covariance_type,
        init_params=init_params,
        random_state=7,
    )
    reference = GaussianMixture(**params).fit(X)
    model = GaussianMixtureEM(**params).fit(X)
    for ours, theirs in zip(
        fitted_parameters(model), fitted_parameters(reference), strict=True
    ):
        assert_close(ours, theirs)
    assert model.n_iter_ == reference.n_iter_
    assert model.converged_ and reference.converged_
    # The first entry differs for one-point seeds, where scikit-learn's initial
    # weights do not sum to one (documented).
    assert_close(model.lower_bounds_[1:-1], reference.lower_bounds_[1:])
    if init_params in ("kmeans", "random"):
        assert_close(model.lower_bounds_[0], reference.lower_bounds_[0])


@pytest.mark.parametrize("init_params", ["k-means++", "random_from_data"])
def test_gaussian_tied_covariance_of_seeds_is_pooled_scatter(init_params):
    # One point per component has no scatter: the initial tied covariance is
    # reg_covar * I, as for the other covariance types (scikit-learn's counts
    # every sample's x x^T against the seeds' responsibilities only).
    X = make_blobs(100, 2, 2, seed=28)
    model = GaussianMixtureEM(
        2,
        covariance_type="tied",
        init_params=init_params,
        reg_covar=1e-3,
        max_iter=0,
        random_state=0,
    ).fit(X)
    np.testing.assert_allclose(model.covariances_, 1e-3 * np.eye(2), rtol=1e-12)
    assert model.weights_.sum() == pytest.approx(1.0, rel=1e-14)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_gaussian_sample_matches_sklearn(covariance_type):
    X = make_blobs(100, 2, 2, seed=6)
    init = initial_parameters(X, 2, covariance_type, seed=1)
    params = dict(n_components=2, covariance_type=covariance_type, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = GaussianMixture(max_iter=3, **params, **init).fit(X)
        model = GaussianMixtureEM(max_iter=3, **params, **init).fit(X)
    X_ours, y_ours = model.sample(50)
    X_theirs, y_theirs = reference.sample(50)
    np.testing.assert_array_equal(y_ours, y_theirs)
    assert_close(X_ours, X_theirs)


# ----------------------------------------------------------------------
# Where skem deliberately differs
# ----------------------------------------------------------------------
@ignore_convergence
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_gaussian_covariances_survive_large_offset(covariance_type):
    X = make_blobs(300, 3, 2, seed=8)
    init = initial_parameters(X, 2, covariance_type, seed=2)
    params = dict(n_components=2, covariance_type=covariance_type, tol=0, max_iter=20)
    plain = GaussianMixtureEM(**params, **init).fit(X)
    shifted_init = {**init, "means_init": init["means_init"] + 1e8}
    shifted = GaussianMixtureEM(**params, **shifted_init).fit(X + 1e8)
    # In blocks too: the blocks' centred statistics are merged exactly.
    with config_context(working_memory=0.002):  # about 20 rows a block
        blocks = GaussianMixtureEM(**params, **shifted_init).fit(X + 1e8)
    for fitted in (shifted, blocks):
        np.testing.assert_allclose(fitted.covariances_, plain.covariances_, rtol=1e-6)
        np.testing.assert_allclose(fitted.means_ - 1e8, plain.means_, atol=1e-6)
        np.testing.assert_allclose(fitted.weights_, plain.weights_, rtol=1e-6)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_gaussian_precisions_init_gives_consistent_covariances(covariance_type):
    X = make_blobs(100, 3, 2, seed=11)
    init = initial_parameters(X, 2, covariance_type, seed=4)
    model = GaussianMixtureEM(
        2, covariance_type=covariance_type, max_iter=0, **init
    ).fit(X)
    np.testing.assert_allclose(model.precisions_, init["precisions_init"], rtol=1e-12)
    full_cov = full_covariances(model.covariances_, covariance_type, 2, 3)
    full_prec = full_covariances(model.precisions_, covariance_type, 2, 3)
    np.testing.assert_allclose(
        full_cov @ full_prec, np.stack([np.eye(3)] * 2), atol=1e-12
    )


# ----------------------------------------------------------------------
# Bad input and degenerate data
# (the estimators' shared checks: tests/test_bad_inputs.py)
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "init, match",
    [
        ({"weights_init": [0.5, 0.5, 0.0]}, "weights_init"),
        ({"weights_init": [0.7, 0.7]}, "weights_init"),
        ({"means_init": np.zeros((3, 2))}, "means_init"),
        ({"means_init": np.zeros((2, 3))}, "means_init"),
        ({"means_init": [[0.0, np.inf], [1.0, 1.0]]}, "means_init"),
    ],
)
def test_gaussian_rejects_bad_init_shapes(init, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixtureEM(2, **init).fit(make_blobs(20, 2, 2, seed=16))


@pytest.mark.parametrize(
    "covariance_type, precisions",
    [
        ("full", np.stack([np.eye(2)] * 3)),
        ("full", np.eye(2)),
        ("tied", np.stack([np.eye(2)] * 2)),
        ("diag", np.ones((2, 3))),
        ("spherical", np.ones(3)),
    ],
)
def test_gaussian_rejects_precisions_init_of_wrong_shape(covariance_type, precisions):
    model = GaussianMixtureEM(
        2, covariance_type=covariance_type, precisions_init=precisions
    )
    with pytest.raises(ValueError, match="'precisions_init' should have the shape"):
        model.fit(make_blobs(20, 2, 2, seed=17))


@pytest.mark.parametrize(
    "covariance_type, precisions",
    [
        ("full", np.stack([np.eye(2), [[1.0, 2.0], [2.0, 1.0]]])),
        ("full", np.stack([np.eye(2), [[1.0, 0.5], [0.0, 1.0]]])),
        ("tied", [[1.0, 0.0], [0.0, -1.0]]),
        ("diag", [[1.0, 1.0], [1.0, 0.0]]),
        ("spherical", [1.0, -2.0]),
    ],
)
def test_gaussian_rejects_precisions_init_not_positive_definite(
    covariance_type, precisions
):
    model = GaussianMixtureEM(
        2, covariance_type=covariance_type, precisions_init=precisions
    )
    with pytest.raises(ValueError, match="'precisions_init' should be"):
        model.fit(make_blobs(20, 2, 2, seed=18))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_gaussian_collapsed_component_asks_for_reg_covar(covariance_type):
    X = np.repeat([[0.0, 0.0], [4.0, 1.0]], 5, axis=0)
    model = GaussianMixtureEM(
        2, covariance_type=covariance_type, reg_covar=0.0, random_state=0
    )
    with pytest.raises(ValueError, match="increase reg_covar, or scale the input"):
        model.fit(X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_gaussian_collapse_during_iterations_asks_for_reg_covar(covariance_type):
    # The initial parameters are well defined (the data-driven covariances are
    # never computed); the first M-step finds two collapsed components.
    X = np.repeat([[0.0, 0.0], [1e3, 0.0]], 5, axis=0)
    precisions = {
        "full": np.stack([np.eye(2)] * 2),
        "tied": np.eye(2),
        "diag": np.ones((2, 2)),
        "spherical": np.ones(2),
    }[covariance_type]
    model = GaussianMixtureEM(
        2,
        covariance_type=covariance_type,
        reg_covar=0.0,
        weights_init=[0.5, 0.5],
        means_init=[[0.0, 0.0], [1e3, 0.0]],
        precisions_init=precisions,
    )
    with pytest.raises(ValueError, match="increase reg_covar"):
        model.fit(X)
    model.set_params(max_iter=0).fit(X)  # the initial parameters alone are fine
    np.testing.assert_allclose(model.precisions_, precisions)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize(
    "X",
    [
        np.column_stack([np.arange(10.0), np.full(10, 3.0)]),  # constant feature
        np.repeat([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]], 4, axis=0),  # duplicates
        np.array([[0.0, 1.0], [2.0, 3.0], [5.0, -1.0]]),  # n_samples == n_components
        np.full((6, 2), 7.0),  # a single point, repeated
    ],
)
def test_gaussian_degenerate_data_ends_finite(covariance_type, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = GaussianMixtureEM(
            3, covariance_type=covariance_type, random_state=0
        ).fit(X)
    for value in [*fitted_parameters(model), model.precisions_, model.lower_bound_]:
        assert np.all(np.isfinite(value))
    assert np.all(np.isfinite(model.score_samples(X)))


# ----------------------------------------------------------------------
# Behaviour
# ----------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_gaussian_score_samples_matches_scipy(covariance_type):
    X = make_blobs(150, 3, 3, seed=19)
    model = GaussianMixtureEM(3, covariance_type=covariance_type, random_state=0)
    model.fit(X)
    full = full_covariances(model.covariances_, covariance_type, 3, 3)
    expected = logsumexp(
        [
            np.log(w) + multivariate_normal.logpdf(X, m, c)
            for w, m, c in zip(model.weights_, model.means_, full, strict=True)
        ],
        axis=0,
    )
    np.testing.assert_allclose(model.score_samples(X), expected, rtol=1e-11)


def test_gaussian_recovers_well_separated_parameters():
    rng = np.random.RandomState(24)
    means = np.array([[-8.0, 0.0], [0.0, 8.0], [8.0, 0.0]])
    covariances = np.array(
        [[[1.0, 0.5], [0.5, 1.0]], [[2.0, 0.0], [0.0, 0.5]], [[0.5, -0.2], [-0.2, 1.0]]]
    )
    weights = np.array([0.5, 0.3, 0.2])
    counts = (weights * 6000).astype(int)
    X = np.vstack(
        [
            rng.multivariate_normal(m, c, n)
            for m, c, n in zip(means, covariances, counts, strict=True)
        ]
    )
    model = GaussianMixtureEM(3, random_state=0).fit(X)
    order = np.argsort(model.means_[:, 0] + 0.1 * model.means_[:, 1])
    np.testing.assert_allclose(model.weights_[order], weights, atol=0.01)
    np.testing.assert_allclose(model.means_[order], means, atol=0.1)
    np.testing.assert_allclose(model.covariances_[order], covariances, atol=0.1)
    assert model.converged_


def test_gaussian_fits_a_single_sample():
    model = GaussianMixtureEM(reg_covar=1e-3).fit([[1.0, 2.0]])
    np.testing.assert_array_equal(model.means_, [[1.0, 2.0]])
    np.testing.assert_allclose(model.covariances_, [1e-3 * np.eye(2)], rtol=1e-12)


@pytest.mark.parametrize("scale", [1e160, -1e200])
def test_gaussian_refuses_data_whose_squares_overflow_naming_the_scale(scale):
    X = make_blobs(50, 2, 2, seed=30) * scale
    with pytest.raises(ValueError, match=r"values as large as .* Rescale X"):
        GaussianMixtureEM(2, random_state=0).fit(X)
    # The same data rescaled fits.
    GaussianMixtureEM(2, random_state=0).fit(X / abs(scale))
