"""PoissonMixture against independent references: scipy, brute force, flexmix.

The engine behaviour shared with the other families (weights, blocks, warm
starts, sampling, online EM, ...) is tested in the grid of
``tests/test_mixture.py`` (case ``poisson-public``); here is what is
particular to Poisson counts: exposures, missing counts, the rate floor and
its degeneracy rule, and the reference comparisons.
"""

import warnings

import dask.array as da
import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from scipy import optimize, stats
from scipy.special import gammaln, logsumexp, softmax
from sklearn.model_selection import cross_validate

from skem import PoissonMixture
from skem.datasets import load_dmft, load_fabric_faults
from skem.exceptions import DegenerateFitWarning

RATES = np.array([[1.0, 6.0, 0.5], [5.0, 1.5, 3.0]])
WEIGHTS = np.array([0.4, 0.6])


def draw(n_samples, seed=0, exposure=None):
    rng = np.random.RandomState(seed)
    labels = rng.choice(2, size=n_samples, p=WEIGHTS)
    means = RATES[labels]
    if exposure is not None:
        means = means * exposure[:, np.newaxis]
    return rng.poisson(means).astype(float), labels


def reference_log_likelihoods(X, weights, rates, exposure=None):
    """``log sum_k w_k prod_j Poisson(x_ij; rates_kj e_i)`` with scipy.stats."""
    X = np.asarray(X, dtype=float)
    e = np.ones(len(X)) if exposure is None else np.asarray(exposure, dtype=float)
    terms = stats.poisson.logpmf(
        X[:, np.newaxis, :], rates[np.newaxis] * e[:, np.newaxis, np.newaxis]
    )
    terms = np.where(np.isnan(X)[:, np.newaxis, :], 0.0, terms)
    return logsumexp(np.log(weights) + terms.sum(axis=2), axis=1)


def fixed(**params):
    """A model at the parameters RATES and WEIGHTS (no EM step)."""
    return PoissonMixture(
        2, rates_init=RATES, weights_init=WEIGHTS, max_iter=0, **params
    )


# ----------------------------------------------------------------------
# The log-pmf against scipy.stats
# ----------------------------------------------------------------------
@pytest.mark.parametrize("with_exposure", [False, True])
@pytest.mark.parametrize("with_nan", [False, True])
def test_score_samples_is_the_scipy_log_pmf(with_exposure, with_nan):
    X, _ = draw(200)
    if with_nan:
        X[::7, 1] = np.nan
        X[3] = np.nan  # a row with nothing observed: log-likelihood 0
    exposure = np.random.RandomState(1).uniform(0.2, 3.0, 200)
    exposure = exposure if with_exposure else None
    model = fixed().fit(X, exposure=exposure)
    got = model.score_samples(X, exposure=exposure)
    want = reference_log_likelihoods(X, WEIGHTS, RATES, exposure)
    # Sums of a few terms of size up to 50, each rounded to 1 ulp: 1e-12.
    assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    if with_nan:
        assert got[3] == 0.0
        assert_allclose(model.predict_proba(X[3:4]), [WEIGHTS])


def test_non_integer_counts_are_the_continuous_relaxation():
    X = np.array([[0.5, 2.25, 0.0], [3.7, 0.1, 1.0]])
    model = fixed().fit(X)
    log_pmf = X[:, None, :] * np.log(RATES) - RATES - gammaln(X + 1)[:, None, :]
    want = logsumexp(np.log(WEIGHTS) + log_pmf.sum(axis=2), axis=1)
    assert_allclose(model.score_samples(X), want, rtol=1e-12)


# ----------------------------------------------------------------------
# Exposure
# ----------------------------------------------------------------------
def test_constant_exposure_scales_the_rates():
    X, _ = draw(400)
    plain = PoissonMixture(2, random_state=0, tol=1e-10).fit(X)
    scaled = PoissonMixture(2, random_state=0, tol=1e-10)
    scaled.fit(X, exposure=np.full(len(X), 2.5))
    assert_allclose(scaled.rates_, plain.rates_ / 2.5, rtol=1e-6)
    assert_allclose(scaled.weights_, plain.weights_, rtol=1e-6)


def test_rates_are_recovered_per_unit_of_exposure():
    # Drawn independently of the labels (another seed than the counts).
    exposure = np.random.RandomState(13).uniform(0.5, 4.0, 20_000)
    X, _ = draw(20_000, seed=3, exposure=exposure)
    model = PoissonMixture(2, random_state=0).fit(X, exposure=exposure)
    order = np.argsort(model.rates_[:, 0])
    # Standard errors of the rates: sqrt(rate / total exposure), at most
    # sqrt(6 / (0.4 * 20000 * 2.25)) = 0.018; 5 of them.
    assert_allclose(model.rates_[order], RATES, atol=0.1)
    assert_allclose(model.weights_[order], WEIGHTS, atol=5 * np.sqrt(0.24 / 20_000))
    # Without the exposures the same counts look like other rates.
    naive = PoissonMixture(2, random_state=0).fit(X)
    assert np.abs(np.sort(naive.rates_, axis=0) - RATES).max() > 1.0


def test_exposure_is_routed_as_metadata():
    exposure = np.random.RandomState(0).uniform(0.5, 2.0, 300)
    X, _ = draw(300, exposure=exposure)
    with sklearn.config_context(enable_metadata_routing=True):
        model = PoissonMixture(2, random_state=0).set_fit_request(exposure=True)
        model.set_score_request(exposure=True)
        routed = cross_validate(model, X, cv=3, params={"exposure": exposure})
    fold = np.arange(300) >= 100
    manual = PoissonMixture(2, random_state=0).fit(X[fold], exposure=exposure[fold])
    assert routed["test_score"][0] == pytest.approx(
        manual.score(X[~fold], exposure=exposure[~fold]), rel=1e-12
    )


def test_dask_and_blocks_equal_the_whole_with_exposure():
    exposure = np.random.RandomState(0).uniform(0.5, 2.0, 300)
    X, _ = draw(300, exposure=exposure)
    X[::11, 2] = np.nan
    model = PoissonMixture(2, random_state=0, max_iter=10, tol=0, acceleration=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = sklearn.clone(model).fit(X, exposure=exposure)
        with sklearn.config_context(working_memory=0.002):
            blocks = sklearn.clone(model).fit(X, exposure=exposure)
        distributed = sklearn.clone(model).fit(
            da.from_array(X, chunks=(70, 3)),
            exposure=da.from_array(exposure, chunks=70),
        )
    for other in (blocks, distributed):
        assert_allclose(other.rates_, whole.rates_, rtol=1e-10)
        assert_allclose(other.lower_bounds_, whole.lower_bounds_, rtol=1e-10)
    scores = distributed.score_samples(
        da.from_array(X, chunks=(70, 3)), exposure=da.from_array(exposure, chunks=70)
    )
    assert_allclose(
        scores.compute(), whole.score_samples(X, exposure=exposure), rtol=1e-10
    )


def test_partial_fit_and_sample_take_exposure():
    exposure = np.random.RandomState(0).uniform(0.5, 2.0, 300)
    X, _ = draw(300, exposure=exposure)
    model = PoissonMixture(2, random_state=0)
    model.partial_fit(X[:150], exposure=exposure[:150])
    model.partial_fit(X[150:], exposure=exposure[150:])
    assert np.all(np.isfinite(model.rates_)) and model.n_iter_ == 2
    fitted = fixed(random_state=0).fit(X)
    drawn, labels = fitted.sample(100_000, exposure=3.0)
    for k in range(2):
        # 5 standard errors of a Poisson mean: sqrt(mean / n_k).
        mean = 3.0 * RATES[k]
        n_k = np.sum(labels == k)
        error = np.abs(drawn[labels == k].mean(axis=0) - mean)
        assert np.all(error <= 5 * np.sqrt(mean / n_k))


# ----------------------------------------------------------------------
# Missing counts, the floor, degeneracy
# ----------------------------------------------------------------------
def test_missing_counts_drop_out_of_the_fit():
    # A feature missing in most rows: EM on the observed counts, so at the
    # fixed point each rate is its feature's responsibility-weighted mean
    # over the rows where it is observed.
    X, _ = draw(500)
    X_nan = X.copy()
    X_nan[100:, 2] = np.nan
    model = PoissonMixture(2, random_state=0, tol=1e-10).fit(X_nan)
    assert np.diff(model.lower_bounds_).min() >= -1e-12
    resp = model.predict_proba(X_nan)
    # The M-step of the fitted responsibilities reproduces the rates: each
    # feature's rate over its observed rows only.
    observed = ~np.isnan(X_nan)
    sums = resp.T @ np.where(observed, X_nan, 0)
    assert_allclose(model.rates_, sums / (resp.T @ observed), rtol=1e-6)


def test_a_zero_rate_is_held_at_the_floor():
    X = np.zeros((10, 2))
    X[:, 0] = np.arange(10)
    model = PoissonMixture(1).fit(X)
    assert model.rates_[0, 1] == 1e-10
    assert np.isfinite(model.score([[3.0, 2.0]]))
    assert model.degenerate_components_ == {}  # ten rows: not degenerate


def test_a_tiny_component_of_zeros_is_degenerate():
    X, _ = draw(200)
    X = np.vstack([X, [[0.0, 0.0, 0.0]]])
    start = np.vstack([RATES, [[1e-3, 1e-3, 1e-3]]])
    model = PoissonMixture(
        3, rates_init=start, weights_init=[0.4, 0.59, 0.01], tol=1e-10
    )
    with pytest.warns(DegenerateFitWarning, match="pinned to rate 0"):
        model.fit(X)
    assert list(model.degenerate_components_) == [2]
    assert np.all(np.isfinite(model.rates_))


# ----------------------------------------------------------------------
# Brute force: the likelihood maximized directly, without EM
# ----------------------------------------------------------------------
def brute_force_max_loglik(counts, exposure, n_components, n_starts=50):
    """Maximum of a 1-D Poisson mixture's log-likelihood by BFGS, many starts.

    Over log rates and softmax scores of the weights; scipy's log-pmf.
    """
    rng = np.random.RandomState(0)

    def negative(theta):
        log_rates, scores = theta[:n_components], theta[n_components:]
        log_weights = np.log(softmax(np.r_[0.0, scores]))
        terms = stats.poisson.logpmf(
            counts[:, np.newaxis], np.exp(log_rates) * exposure[:, np.newaxis]
        )
        return -logsumexp(log_weights + terms, axis=1).sum()

    scale = np.log(counts.sum() / exposure.sum())
    best = np.inf
    for _ in range(n_starts):
        theta = np.r_[
            scale + rng.normal(0, 1, n_components), rng.normal(0, 1, n_components - 1)
        ]
        result = optimize.minimize(negative, theta, method="BFGS", tol=1e-12)
        best = min(best, result.fun)
    return -best


@pytest.mark.parametrize("n_components", [1, 2])
def test_fit_reaches_the_brute_force_maximum(n_components):
    fabric = load_fabric_faults()
    counts, length = fabric.faults[:, 0].astype(float), fabric.length
    brute = brute_force_max_loglik(counts, length, n_components)
    model = PoissonMixture(
        n_components, n_init=5, random_state=0, tol=1e-10, stopping_rule="aitken"
    ).fit(fabric.faults, exposure=length)
    ours = model.score(fabric.faults, exposure=length) * len(counts)
    # Aitken's rule stops within 1e-10 of EM's limit; BFGS at gtol 1e-12
    # on a function of size 100 is within about 1e-9 of its optimum.
    assert ours == pytest.approx(brute, abs=1e-7)


# ----------------------------------------------------------------------
# R's flexmix on real tables
# ----------------------------------------------------------------------
# Produced by `Rscript benchmarks/poisson_flexmix.R` (flexmix 2.3.18): best of
# 20 runs of flexmix per number of components, EM tolerance 1e-12.
FLEXMIX_DMFT = {1: -3499.4896308347, 2: -3034.4189964732, 3: -3005.7373518732}
FLEXMIX_DMFT_RATES_2 = np.array([[4.60766455, 2.50767694], [0.46997282, 0.40258484]])
FLEXMIX_FABRIC = {1: -93.9178040549, 2: -86.6782695461}
FLEXMIX_FABRIC_RATES_2 = np.array([0.0242187704, 0.01182044275])


@pytest.mark.parametrize("n_components", [1, 2, 3])
def test_dmft_matches_flexmix_mvpois(n_components):
    dmft = load_dmft()
    model = PoissonMixture(
        n_components, n_init=10, random_state=0, tol=1e-10, stopping_rule="aitken"
    ).fit(dmft.counts, sample_weight=dmft.freq)
    ours = model.score(dmft.counts, sample_weight=dmft.freq) * dmft.freq.sum()
    # Both converge to within 1e-8 of the maximum (flexmix stops on a
    # relative change of 1e-12 of a log-likelihood of size 3e3, so within
    # about 1e-7 of its limit at EM's rates here): ours is never lower.
    assert ours >= FLEXMIX_DMFT[n_components] - 1e-7
    assert ours - FLEXMIX_DMFT[n_components] < 1e-6
    if n_components == 2:
        order = np.argsort(-model.rates_[:, 0])
        # A log-likelihood gap of 1e-7 allows rate errors of about
        # sqrt(2e-7 * rate / (n_k / rate)) ~ 3e-5 for the smallest component's
        # (rate 0.47, n_k 250): a relative 1e-4.
        assert_allclose(model.rates_[order], FLEXMIX_DMFT_RATES_2, rtol=1e-4)


@pytest.mark.parametrize("n_components", [1, 2])
def test_fabric_faults_with_exposure_match_flexmix_offset(n_components):
    fabric = load_fabric_faults()
    model = PoissonMixture(
        n_components, n_init=10, random_state=0, tol=1e-10, stopping_rule="aitken"
    ).fit(fabric.faults, exposure=fabric.length)
    ours = model.score(fabric.faults, exposure=fabric.length) * 32
    assert ours >= FLEXMIX_FABRIC[n_components] - 1e-7
    assert ours - FLEXMIX_FABRIC[n_components] < 1e-6
    if n_components == 2:
        assert_allclose(
            np.sort(model.rates_[:, 0])[::-1], FLEXMIX_FABRIC_RATES_2, rtol=1e-4
        )


def test_every_initialization_fits_counts():
    dmft = load_dmft()
    for init_params in (
        "kmeans",
        "k-means++",
        "random",
        "random_from_data",
        "hierarchical",
        "emem",
        "emem-split-merge",
    ):
        model = PoissonMixture(2, init_params=init_params, random_state=0)
        model.fit(dmft.counts, sample_weight=dmft.freq)
        ours = model.score(dmft.counts, sample_weight=dmft.freq) * 797
        # The default tol=1e-6 on the total log-likelihood stops within
        # about 1e-4 of the maximum at these convergence rates.
        assert ours == pytest.approx(FLEXMIX_DMFT[2], abs=1e-3), init_params
