"""The one-product Gaussian kernels against exact references.

'diag', 'spherical' and 'tied' log-densities, and 'diag'/'spherical'
statistics, are computed from the data centred once by a pooled centre; a
component too far from that centre (in its own standard deviations) takes the
exact per-component path. These tests check both paths against scipy and
against two-pass numpy, on data with a large offset.
"""

import numpy as np
import pytest
from _rounding import gamma
from scipy.stats import multivariate_normal

from skem._gaussian.covariances import _compute_precision_cholesky, _log_det_cholesky
from skem._gaussian.kernels import (
    DiagonalDesign,
    _diagonal_precisions,
    _estimate_gaussian_log_prob,
    _estimate_gaussian_statistics,
    _exact_diagonal_log_prob,
)

POOLED_TYPES = ("diag", "spherical", "tied")


def _covariances(covariance_type, n_components, n_features, rng, scale=1.0):
    if covariance_type == "diag":
        return scale * rng.uniform(0.5, 2.0, size=(n_components, n_features))
    if covariance_type == "spherical":
        return scale * rng.uniform(0.5, 2.0, size=n_components)
    a = rng.normal(size=(n_features, n_features))
    return scale * (a @ a.T + n_features * np.eye(n_features))


def _full(covariances, covariance_type, n_components, n_features):
    if covariance_type == "full":
        return covariances
    if covariance_type == "diag":
        return [np.diag(c) for c in covariances]
    if covariance_type == "spherical":
        return [c * np.eye(n_features) for c in covariances]
    return [covariances] * n_components


def _scipy_log_prob(X, means, covariances, covariance_type):
    full = _full(covariances, covariance_type, *means.shape)
    return np.column_stack(
        [multivariate_normal.logpdf(X, m, c) for m, c in zip(means, full, strict=True)]
    )


def _two_pass_statistics(X, resp):
    nk = resp.sum(axis=0)
    means = (resp.T @ X) / nk[:, np.newaxis]
    scatter = np.stack([r @ (X - m) ** 2 for r, m in zip(resp.T, means, strict=True)])
    return nk, means, scatter


@pytest.mark.parametrize("offset", [0.0, 1e6])
@pytest.mark.parametrize("covariance_type", POOLED_TYPES)
def test_pooled_log_prob_matches_scipy(covariance_type, offset):
    rng = np.random.RandomState(0)
    n_components, n_features = 4, 3
    means = offset + rng.normal(scale=3, size=(n_components, n_features))
    X = means[rng.randint(n_components, size=200)] + rng.normal(size=(200, 3))
    covariances = _covariances(covariance_type, n_components, n_features, rng)
    chol = _compute_precision_cholesky(covariances, covariance_type)
    log_prob = _estimate_gaussian_log_prob(X, means, chol, covariance_type)
    expected = _scipy_log_prob(X, means, covariances, covariance_type)
    np.testing.assert_allclose(log_prob, expected, rtol=1e-11)


@pytest.mark.parametrize("covariance_type", POOLED_TYPES)
def test_far_component_takes_the_exact_path(covariance_type):
    # Component 0 is 1e7 of its standard deviations from the others: the
    # one-product formula would lose ~1e14 * eps in its log-densities.
    rng = np.random.RandomState(1)
    n_features = 3
    means = np.array([[0.0, 0.0, 0.0], [1e4, 1e4, 1e4], [1e4 + 3, 1e4, 1e4 - 2]])
    covariances = _covariances(covariance_type, 3, n_features, rng, scale=1e-6)
    X = np.vstack([m + 1e-3 * rng.normal(size=(50, n_features)) for m in means])
    chol = _compute_precision_cholesky(covariances, covariance_type)
    expected = _scipy_log_prob(X, means, covariances, covariance_type)
    log_prob = _estimate_gaussian_log_prob(X, means, chol, covariance_type)
    # Near their own component the densities are exact to rounding.
    own = np.repeat(np.arange(3), 50)
    np.testing.assert_allclose(
        log_prob[np.arange(150), own], expected[np.arange(150), own], rtol=1e-10
    )
    np.testing.assert_allclose(log_prob, expected, rtol=1e-10)
    # ... which the one-product formula alone would not be.
    lossy = _estimate_gaussian_log_prob(
        X, means, chol, covariance_type, max_spreads=np.inf
    )
    error = np.abs(lossy - expected)[np.arange(150), own].max()
    assert error > 1e-6


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_pooled_log_prob_matches_exact_per_component(covariance_type):
    rng = np.random.RandomState(2)
    n_components, n_features = 5, 4
    means = 50 + rng.normal(scale=4, size=(n_components, n_features))
    X = 50 + rng.normal(scale=4, size=(300, n_features))
    covariances = _covariances(covariance_type, n_components, n_features, rng)
    chol = _compute_precision_cholesky(covariances, covariance_type)
    precisions = _diagonal_precisions(chol, n_features)
    log_det = _log_det_cholesky(chol, covariance_type, n_features)
    exact = _exact_diagonal_log_prob(X, means, precisions, log_det)
    for design in (
        None,
        DiagonalDesign.from_data(X),
        DiagonalDesign.build(X, np.zeros(n_features) + 40),
    ):
        log_prob = _estimate_gaussian_log_prob(
            X, means, chol, covariance_type, design=design
        )
        np.testing.assert_allclose(log_prob, exact, rtol=1e-12)


@pytest.mark.parametrize("offset", [0.0, 1e8])
@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_pooled_statistics_match_two_pass(covariance_type, offset):
    rng = np.random.RandomState(3)
    X = offset + rng.normal(scale=2, size=(400, 3)) + np.array([0.0, 5.0, -7.0])
    resp = rng.dirichlet(np.ones(4), size=400)
    stats = _estimate_gaussian_statistics(X, resp, covariance_type)
    nk, means, scatter = _two_pass_statistics(X, resp)
    np.testing.assert_allclose(stats.nk, nk, rtol=1e-13)
    np.testing.assert_allclose(stats.means, means, rtol=1e-13)
    np.testing.assert_allclose(stats.scatter, scatter, rtol=1e-9)


def test_pooled_statistics_fall_back_for_a_tight_far_component():
    # Component 0 is a tight cluster 1e6 of its spreads from the data's mean.
    rng = np.random.RandomState(4)
    tight = 1e3 + 1e-3 * rng.normal(size=(100, 2))
    wide = rng.normal(size=(100, 2))
    X = np.vstack([tight, wide])
    resp = np.zeros((200, 2))
    resp[:100, 0] = 1.0
    resp[100:, 1] = 1.0
    nk, means, scatter = _two_pass_statistics(X, resp)
    stats = _estimate_gaussian_statistics(X, resp, "diag")
    # (to rounding of the data's scale, 1e3 * eps)
    np.testing.assert_allclose(stats.means, means, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(stats.scatter, scatter, rtol=1e-10)
    lossy = _estimate_gaussian_statistics(X, resp, "diag", max_spreads=np.inf)
    assert np.abs(lossy.scatter[0] / scatter[0] - 1).max() > 1e-8


def test_pooled_statistics_of_empty_component_are_zero():
    rng = np.random.RandomState(5)
    X = rng.normal(size=(20, 3)) + 1e5
    resp = np.zeros((20, 2))
    resp[:, 1] = 1.0
    stats = _estimate_gaussian_statistics(X, resp, "diag")
    assert stats.nk[0] == 0
    assert not np.any(stats.scatter[0])
    assert not np.any(stats.means[0])


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_log_prob_is_components_first(covariance_type):
    # Fortran order: the E-step's reductions over the components run along
    # contiguous rows. Values are unaffected.
    rng = np.random.RandomState(6)
    X = rng.normal(size=(30, 3))
    means = rng.normal(size=(4, 3))
    covariances = (
        np.stack([_covariances("tied", 4, 3, rng) for _ in range(4)])
        if covariance_type == "full"
        else _covariances(covariance_type, 4, 3, rng)
    )
    chol = _compute_precision_cholesky(covariances, covariance_type)
    log_prob = _estimate_gaussian_log_prob(X, means, chol, covariance_type)
    assert log_prob.flags.f_contiguous
    expected = _scipy_log_prob(X, means, covariances, covariance_type)
    np.testing.assert_allclose(log_prob, expected, rtol=1e-12)


def _tied_total(stats):
    from skem._gaussian.covariances import _estimate_gaussian_covariances

    return _estimate_gaussian_covariances(stats, 0.0, "tied")


def _mean_error(X, centre):
    """Bound on the error of float64 means of ``X``, two-pass or pooled.

    ``sum r x / nk``, or ``centre + sum r (x - centre) / nk``: within ``gamma(2
    n + 3) (D + max |X|)`` of the exact mean, ``D`` the range of the data and
    the centre (bounding every ``|x - centre|``).
    """
    D = np.ptp(np.vstack([X, centre]), axis=0)
    return gamma(2 * len(X) + 3, np.float64) * (D + np.abs(X).max(axis=0))


def _tied_total_bound(X, resp, centre, split=None):
    """Bound on the error of a tied covariance, against the two-pass one.

    From statistics of all rows, or of ``X[:split]`` and ``X[split:]`` merged
    with Chan's formula, two-pass or pooled about centres within the range of
    the data and ``centre``. With ``D`` that range and ``e`` the means' error
    (:func:`_mean_error`): a scatter about a mean ``e`` off errs by ``nk e
    e^T``; its sums of products by ``gamma(n + k + 3) sum r D D^T``, three
    times over (the raw sums and both first moments); Chan's term ``coef
    delta delta^T`` (``|delta| <= D``, error ``2 e``) by ``coef (2 e D^T + 2
    D e^T + 4 e e^T)``. A fourth ``gamma`` covers the float64 arithmetic of
    the merge and of the division by the total weight.
    """
    n_samples, n_components = resp.shape
    e = _mean_error(X, centre)
    D = np.ptp(np.vstack([X, centre]), axis=0) + e
    total = resp.sum()
    bound = 4 * gamma(n_samples + n_components + 3, np.float64) * total
    bound = bound * np.outer(D, D) + 2 * total * np.outer(e, e)
    if split is not None:
        first, rest = resp[:split].sum(axis=0), resp[split:].sum(axis=0)
        coef = (first * rest / (first + rest)).sum()
        bound += coef * (2 * np.outer(e, D) + 2 * np.outer(D, e) + 4 * np.outer(e, e))
    return bound / total


@pytest.mark.parametrize("offset", [0.0, 1e8])
def test_pooled_tied_statistics_match_per_component(offset):
    from skem._gaussian.kernels import CentredRows, _pooled_tied_statistics

    rng = np.random.RandomState(7)
    X = offset + rng.normal(scale=2, size=(300, 3)) @ rng.normal(size=(3, 3))
    resp = rng.dirichlet(np.ones(4), size=300) * rng.uniform(0.5, 2, size=(300, 1))
    exact = _estimate_gaussian_statistics(X, resp, "tied")
    for centre, design in [
        (X.mean(axis=0), None),
        (X[0] + 1.0, CentredRows.build(X, X[0] + 1.0)),
    ]:
        pooled = _pooled_tied_statistics(X, resp, design)
        # Two float64 sums of 300 terms: within 2 gamma(300) = 7e-14 relative.
        np.testing.assert_allclose(pooled.nk, exact.nk, rtol=1e-13)
        error = np.abs(pooled.means - exact.means)
        assert np.all(error <= 2 * _mean_error(X, centre))
        error = np.abs(_tied_total(pooled) - _tied_total(exact))
        assert np.all(error <= _tied_total_bound(X, resp, centre))
        # merged with per-component statistics, the sum stays exact
        half = _estimate_gaussian_statistics(X[:100], resp[:100], "tied")
        rest = _pooled_tied_statistics(X[100:], resp[100:])
        error = np.abs(_tied_total(half + rest) - _tied_total(exact))
        assert np.all(error <= _tied_total_bound(X, resp, centre, split=100))


def test_pooled_tied_statistics_fall_back_when_cancellation_is_large():
    from skem._gaussian.kernels import _pooled_tied_statistics

    rng = np.random.RandomState(8)
    X = np.vstack(
        [1e4 + 1e-3 * rng.normal(size=(100, 2)), 1e-3 * rng.normal(size=(100, 2))]
    )
    resp = np.zeros((200, 2))
    resp[:100, 0] = resp[100:, 1] = 1.0
    exact = _estimate_gaussian_statistics(X, resp, "tied")
    pooled = _pooled_tied_statistics(X, resp)
    np.testing.assert_allclose(_tied_total(pooled), _tied_total(exact), rtol=1e-10)
    lossy = _pooled_tied_statistics(X, resp, max_spreads=np.inf)
    assert np.abs(_tied_total(lossy) / _tied_total(exact) - 1).max() > 1e-8


@pytest.mark.parametrize("offset", [0.0, 1e8])
@pytest.mark.parametrize("n_features", [1, 3, 40])
def test_pooled_full_statistics_match_two_pass(n_features, offset):
    from skem._gaussian.kernels import _pooled_full_statistics

    rng = np.random.RandomState(9)
    mixing = rng.normal(size=(n_features, n_features))
    X = offset + rng.normal(size=(1000, n_features)) @ mixing
    resp = rng.dirichlet(np.ones(3), size=1000) * rng.uniform(0.5, 2, size=(1000, 1))
    resp[:, 2] = 0.0  # an empty component
    exact = _estimate_gaussian_statistics(X, resp, "full")
    for centre in (None, X[0] + 1.0):
        # small chunks of products, so that several are summed
        pooled = _pooled_full_statistics(X, resp, centre, products_bytes=8 * 300)
        np.testing.assert_allclose(pooled.nk, exact.nk, rtol=1e-13)
        # means to rounding of the data's scale
        np.testing.assert_allclose(
            pooled.means, exact.means, rtol=1e-13, atol=1e-12 * np.abs(X).max()
        )
        scale = np.abs(exact.scatter).max()
        np.testing.assert_allclose(pooled.scatter, exact.scatter, atol=1e-11 * scale)
        assert not np.any(pooled.scatter[2])


def test_pooled_full_statistics_fall_back_for_a_tight_far_component():
    from skem._gaussian.kernels import _pooled_full_statistics

    rng = np.random.RandomState(10)
    tight = 1e3 + 1e-3 * rng.normal(size=(100, 2))
    X = np.vstack([tight, rng.normal(size=(100, 2))])
    resp = np.zeros((200, 2))
    resp[:100, 0] = resp[100:, 1] = 1.0
    exact = _estimate_gaussian_statistics(X, resp, "full")
    pooled = _pooled_full_statistics(X, resp)
    np.testing.assert_allclose(pooled.scatter, exact.scatter, rtol=1e-10)
    np.testing.assert_allclose(pooled.means, exact.means, rtol=1e-13)
    lossy = _pooled_full_statistics(X, resp, max_spreads=np.inf)
    assert np.abs(lossy.scatter[0] / exact.scatter[0] - 1).max() > 1e-8


def test_pooled_tied_statistics_merge_component_by_component_on_one_centre():
    from skem._gaussian.kernels import CentredRows, _pooled_tied_statistics

    rng = np.random.RandomState(11)
    X = 1e3 + rng.normal(size=(400, 3))
    resp = rng.dirichlet(np.ones(3), size=400)
    centre = X[:5].mean(axis=0)

    def stats(rows):
        return _pooled_tied_statistics(
            X[rows], resp[rows], CentredRows.build(X[rows], centre)
        )

    whole = stats(slice(None))
    merged = stats(slice(0, 150)) + stats(slice(150, None))
    scale = np.abs(whole.scatter).max()
    np.testing.assert_allclose(merged.scatter, whole.scatter, atol=1e-12 * scale)
    np.testing.assert_allclose(merged.means, whole.means, rtol=1e-13)
    np.testing.assert_allclose(_tied_total(merged), _tied_total(whole), rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_negligible_responsibilities_are_flushed_to_zero(dtype):
    # Components 40 (float64) or 14 (float32) standard deviations apart: the
    # neighbours' responsibilities exp(-sep**2 / 2) fall among the subnormal
    # floats, which must come out as exact zeros, all else unchanged.
    from skem import GaussianMixtureEM

    sep = 40.0 if dtype == np.float64 else 14.0
    rng = np.random.RandomState(12)
    means = np.zeros((4, 2))
    means[:, 0] = sep * np.arange(4)
    X = (means[rng.randint(4, size=2000)] + rng.normal(size=(2000, 2))).astype(dtype)
    model = GaussianMixtureEM(
        4, covariance_type="spherical", means_init=means, max_iter=2, tol=0
    ).fit(X)
    resp = model.predict_proba(X)
    tiny = np.finfo(dtype).tiny
    assert not np.any((resp > 0) & (resp < tiny))
    log_prob = np.column_stack(
        [
            multivariate_normal.logpdf(X.astype(np.float64), m, c * np.eye(2))
            for m, c in zip(model.means_, model.covariances_, strict=True)
        ]
    ) + np.log(model.weights_.astype(np.float64))
    expected = np.exp(log_prob - log_prob.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    subnormal = (expected > 0) & (expected < tiny)
    assert subnormal.mean() > 0.01  # the case does produce them
    # Unchanged to rounding: within sqrt(tiny) absolute, and to the
    # dtype's precision relative.
    rtol = 1e-10 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(resp, expected, rtol=rtol, atol=np.sqrt(tiny))
    assert model.score(X) == pytest.approx(
        np.mean(np.log(np.exp(log_prob).sum(axis=1))), rel=rtol
    )


@pytest.mark.parametrize("offset", [0.0, 1e6])
@pytest.mark.parametrize("n_components", [3, 20])
def test_grouped_full_log_prob_matches_scipy(n_components, offset):
    # 3 features: six components per product, so 20 spans several groups.
    rng = np.random.RandomState(13)
    n_features = 3
    means = offset + rng.normal(scale=3, size=(n_components, n_features))
    X = means[rng.randint(n_components, size=300)] + rng.normal(size=(300, 3))
    covariances = np.stack(
        [_covariances("full", 1, n_features, rng) for _ in range(n_components)]
    )
    chol = _compute_precision_cholesky(covariances, "full")
    log_prob = _estimate_gaussian_log_prob(X, means, chol, "full")
    expected = _scipy_log_prob(X, means, covariances, "full")
    np.testing.assert_allclose(log_prob, expected, rtol=1e-11)
    assert log_prob.flags.f_contiguous


def test_grouped_full_log_prob_takes_the_exact_path_for_a_far_component():
    # Component 0 is 1e7 standard deviations from the mean of the means: the
    # grouped product would lose ~1e7 * eps; it is recomputed exactly.
    rng = np.random.RandomState(14)
    means = np.array([[0.0, 0.0], [1e4, 1e4], [1e4 + 3, 1e4 - 2]])
    covariances = np.stack([1e-6 * np.eye(2), np.eye(2), 2 * np.eye(2)])
    X = means[rng.randint(3, size=200)] + 1e-3 * rng.normal(size=(200, 2))
    chol = _compute_precision_cholesky(covariances, "full")
    log_prob = _estimate_gaussian_log_prob(X, means, chol, "full")
    expected = _scipy_log_prob(X, means, covariances, "full")
    np.testing.assert_allclose(log_prob, expected, rtol=1e-11)
