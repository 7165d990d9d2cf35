"""Bundled sex-ratio tables, and BinomialMixture against a brute-force maximum."""

import math
import warnings

import numpy as np
import pytest
from _reference import binomial_mixture_loglik, binomial_mixture_max_loglik
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture
from skem.datasets import load_geissler, load_saxony

SAXONY_FREQ = [3, 24, 104, 286, 670, 1033, 1343, 1112, 829, 478, 181, 45, 7]


def table(name):
    """``(counts, per-row n_trials, freq)`` of a bundled table."""
    if name == "saxony":
        data = load_saxony()
        return data.counts, np.full(len(data.freq), data.n_trials), data.freq
    data = load_geissler()
    return data.counts, data.n_trials, data.freq


def test_load_saxony():
    data = load_saxony()
    assert data.counts.shape == (13, 1)
    assert data.freq.shape == (13,)
    assert data.n_trials == 12
    assert_array_equal(data.counts.ravel(), np.arange(13))
    assert_array_equal(data.freq, SAXONY_FREQ)
    assert data.freq.sum() == 6115
    assert "Saxony" in data.DESCR and "Geissler" in data.DESCR


def test_load_geissler():
    data = load_geissler()
    assert data.counts.shape == (90, 1)
    assert data.n_trials.shape == data.freq.shape == (90,)
    assert data.freq.sum() == 991_958
    assert np.all(data.freq > 0)
    # Every (size, boys) cell with 0 <= boys <= size <= 12, once.
    cells = set(zip(data.n_trials.tolist(), data.counts.ravel().tolist(), strict=True))
    assert len(cells) == 90
    assert cells == {(n, b) for n in range(1, 13) for b in range(n + 1)}
    # Families per size, as in Edwards (1958, Table 1).
    per_size = np.bincount(data.n_trials, weights=data.freq)[1:]
    assert per_size[0] == 223_328 and per_size[1] == 179_892
    # The families of twelve are the Saxony table.
    twelve = data.n_trials == 12
    assert_array_equal(data.counts[twelve].ravel(), np.arange(13))
    assert_array_equal(data.freq[twelve], SAXONY_FREQ)
    assert "Geissler" in data.DESCR and "vcdExtra" in data.DESCR


def test_binomial_mixture_loglik_by_hand():
    counts, n_trials, freq = [[0], [2], [3]], [2, 3, 3], [1, 2, 5]
    weights, probabilities = [0.25, 0.75], [[0.2], [0.6]]
    expected = 0.0
    for (x,), n, f in zip(counts, n_trials, freq, strict=True):
        density = sum(
            w * math.comb(n, x) * p**x * (1 - p) ** (n - x)
            for w, (p,) in zip(weights, probabilities, strict=True)
        )
        expected += f * math.log(density)
    got = binomial_mixture_loglik(counts, n_trials, freq, weights, probabilities)
    assert_allclose(got, expected, rtol=1e-13)


@pytest.mark.parametrize("name", ["saxony", "geissler"])
def test_brute_force_one_component_is_pooled_proportion(name):
    counts, n_trials, freq = table(name)
    loglik, weights, probabilities = binomial_mixture_max_loglik(
        counts, n_trials, freq, n_components=1, n_starts=3
    )
    pooled = freq @ counts.ravel() / (freq @ n_trials)
    closed_form = freq @ stats.binom.logpmf(counts.ravel(), n_trials, pooled)
    assert_allclose(weights, [1.0])
    assert_allclose(probabilities, [[pooled]], rtol=1e-8)
    assert abs(loglik - closed_form) < 1e-6


@pytest.mark.parametrize("name", ["saxony", "geissler"])
def test_binomial_mixture_reaches_brute_force_maximum(name):
    counts, n_trials, freq = table(name)
    best, _, best_probabilities = binomial_mixture_max_loglik(
        counts, n_trials, freq, n_components=2
    )
    model = BinomialMixture(
        n_components=2,
        n_trials=12 if name == "saxony" else None,
        tol=0,
        max_iter=20000,
        random_state=0,
    )
    per_row = None if name == "saxony" else n_trials
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(counts, sample_weight=freq, n_trials=per_row)
    loglik = freq @ model.score_samples(counts, n_trials=per_row)
    # No fit beats the maximum, and EM gets (close to) it.
    assert best >= loglik - 1e-6
    assert best - loglik < 0.05
    # The model's own parameters give the same log-likelihood here.
    assert_allclose(
        binomial_mixture_loglik(
            counts, n_trials, freq, model.weights_, model.probabilities_
        ),
        loglik,
        rtol=1e-10,
    )
    order = np.argsort(model.probabilities_.ravel())
    assert_allclose(model.probabilities_[order], best_probabilities, atol=0.02)
