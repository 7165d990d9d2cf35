"""CategoricalMixture (latent class analysis) against independent references.

References: scipy's multinomial log-pmf, a brute-force maximization of the
likelihood with scipy.optimize, R's flexmix (FLXMCmvbinary) and the
log-likelihoods poLCA documents, on real survey tables. Engine behaviour
shared by every family (weights, blocks, warm starts, partial_fit...) is
tested in tests/test_mixture.py's grid, where this family is a Case.
"""

import re
import warnings

import dask.array as da
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import optimize, stats
from scipy.special import log_softmax, logsumexp
from sklearn import config_context
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder
from sklearn.utils import shuffle

from skem import BinomialMixture, CategoricalMixture
from skem.datasets import load_carcinoma, load_gss82
from skem.exceptions import DegenerateFitWarning

PROBABILITIES = [  # three features of 3, 2 and 4 categories, two classes
    np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]),
    np.array([[0.9, 0.1], [0.2, 0.8]]),
    np.array([[0.25, 0.25, 0.25, 0.25], [0.7, 0.1, 0.1, 0.1]]),
]


def draw(n_samples, weights=(0.4, 0.6), seed=0, probabilities=PROBABILITIES):
    rng = np.random.RandomState(seed)
    labels = rng.choice(len(weights), n_samples, p=weights)
    columns = []
    for p in probabilities:
        cdf = np.cumsum(p[labels], axis=1)
        columns.append((rng.uniform(size=(n_samples, 1)) > cdf).sum(axis=1))
    return np.column_stack(columns).astype(float), labels


def padded(probabilities):
    width = max(p.shape[1] for p in probabilities)
    out = np.zeros((probabilities[0].shape[0], len(probabilities), width))
    for j, p in enumerate(probabilities):
        out[:, j, : p.shape[1]] = p
    return out


def tilted(shift):
    """Two components near uniform, the second leaning to the last categories."""
    out = []
    for c in (3, 2, 4):
        p = np.full((2, c), 1.0 / c)
        p[0, 0] += shift / c
        p[0, -1] -= shift / c
        p[1, 0] -= shift / c
        p[1, -1] += shift / c
        out.append(p)
    return out


def reference_log_likelihoods(X, weights, probabilities):
    """``log p(x_i)`` with scipy's multinomial (one trial) log-pmf per feature."""
    out = np.empty((len(X), len(weights)))
    for k in range(len(weights)):
        total = np.full(len(X), np.log(weights[k]))
        for j, p in enumerate(probabilities):
            observed = ~np.isnan(X[:, j])
            one_hot = np.eye(p.shape[1])[X[observed, j].astype(int)]
            total[observed] += stats.multinomial.logpmf(one_hot, 1, p[k])
        out[:, k] = total
    return logsumexp(out, axis=1)


# ----------------------------------------------------------------------
# The density
# ----------------------------------------------------------------------
def test_score_samples_is_the_multinomial_log_pmf_with_missing_answers_dropped():
    X, _ = draw(200)
    X[::7, 0] = np.nan
    X[::11, 2] = np.nan
    X[5] = np.nan  # every answer missing: log-likelihood 0
    model = CategoricalMixture(
        2,
        weights_init=[0.3, 0.7],
        category_probabilities_init=padded(PROBABILITIES),
        max_iter=0,
    ).fit(X)
    expected = reference_log_likelihoods(X, [0.3, 0.7], PROBABILITIES)
    # log(0.3 + 0.7) rounds to about 1e-16 (the weights' sum).
    assert_allclose(model.score_samples(X), expected, rtol=1e-13, atol=1e-15)
    assert model.score_samples(X)[5] == pytest.approx(0.0, abs=1e-15)
    assert_allclose(model.predict_proba(X[5:6]), [[0.3, 0.7]])


def test_binary_items_are_a_binomial_mixture_of_one_trial():
    X, _ = draw(300, probabilities=[p[:, :2] / p[:, :2].sum(1, keepdims=1)
                                    for p in PROBABILITIES])  # fmt: skip
    ones = np.array([[0.3, 0.6, 0.5], [0.7, 0.2, 0.4]])
    common = dict(weights_init=[0.5, 0.5], tol=0, max_iter=25, acceleration=None)
    common["probability_floor"] = 1e-300  # neither floor moves a probability
    categorical = CategoricalMixture(
        2, category_probabilities_init=np.stack([1 - ones, ones], axis=2), **common
    )
    binomial = BinomialMixture(2, n_trials=1, probabilities_init=ones, **common)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        categorical.fit(X)
        binomial.fit(X)
    assert_allclose(
        categorical.category_probabilities_[:, :, 1],
        binomial.probabilities_,
        rtol=1e-12,
    )
    assert_allclose(categorical.lower_bounds_, binomial.lower_bounds_, rtol=1e-12)
    assert categorical.bic(X) == pytest.approx(binomial.bic(X), rel=1e-12)


def test_parameters_are_recovered_from_a_large_sample():
    X, labels = draw(20_000, seed=1)
    model = CategoricalMixture(2, n_init=3, random_state=0).fit(X)
    order = np.argsort(model.category_probabilities_[:, 1, 1])  # class 1 last
    assert_allclose(model.weights_[order], [0.4, 0.6], atol=0.02)
    # 20,000 answers: a standard error of at most 0.006 per probability.
    assert_allclose(
        model.category_probabilities_[order], padded(PROBABILITIES), atol=0.03
    )
    agreement = np.mean(order[model.predict(X)] == labels)
    assert agreement > 0.8


def test_a_category_never_seen_sits_at_the_floor_and_unseen_codes_are_refused():
    X, _ = draw(300)
    X[X[:, 2] == 1, 2] = 0  # code 1 of feature 2 never seen, 3 still is
    model = CategoricalMixture(2, random_state=0, probability_floor=1e-8).fit(X)
    assert_array_equal(model.n_categories_, [3, 2, 4])
    assert_allclose(model.category_probabilities_[:, 2, 1], 1e-8)
    assert_allclose(model.category_probabilities_.sum(axis=2), 1.0, rtol=1e-14)
    assert np.all(model.category_probabilities_[:, 1, 2:] == 0)  # padding
    model.predict(X[:, :] * 0 + [[2, 1, 1]])  # seen range: fine
    with pytest.raises(
        ValueError,
        match=re.escape("Feature 1 has the category code 2 at X[3, 1], unseen in fit"),
    ):
        model.predict(np.where(np.arange(5)[:, None] == 3, [0, 2, 0], [0, 1, 0]))


@pytest.mark.parametrize(
    "value, match",
    [
        (-1, r"Negative values in data passed to CategoricalMixture: X\[4, 2\]"),
        # Truncated toward zero -0.5 would read as 0, but it is negative.
        (-0.5, r"Negative values in data passed to CategoricalMixture: X\[4, 2\]"),
        (np.inf, r"Input X contains infinity"),
    ],
)
def test_bad_codes_are_named(value, match):
    X, _ = draw(30)
    X[4, 2] = value
    with pytest.raises(ValueError, match=match):
        CategoricalMixture(2).fit(X)


TRUNCATED = (
    r"CategoricalMixture truncated {} non-integer entr\w+ of X toward zero \(the "
    r"first, X\[{}\] = {}, reads as {}\): category codes are whole numbers 0, 1, "
    r"2, .*sklearn\.preprocessing\.OrdinalEncoder"
)


def fractional_codes(n_samples=400):
    """Codes with three entries that are not whole, and the same truncated."""
    X, _ = draw(n_samples)
    X[2, 2], X[5, 1], X[300, 0] = 0.5, 1.75, 2.25
    return X, np.trunc(X)


def test_non_integer_codes_are_truncated_with_a_warning():
    # As CategoricalNB's astype(int): every method reads X as np.trunc(X),
    # and warns once per call with the count of truncated entries.
    X, codes = fractional_codes()
    warning = TRUNCATED.format(3, "2, 2", r"0\.5", 0)
    model = CategoricalMixture(2, random_state=0)
    with pytest.warns(DataConversionWarning, match=warning) as record:
        model.fit(X)
    assert len(record) == 1
    reference = CategoricalMixture(2, random_state=0).fit(codes)
    assert_array_equal(model.n_categories_, [3, 2, 4])
    assert_array_equal(model.category_probabilities_, reference.category_probabilities_)
    assert_array_equal(model.weights_, reference.weights_)
    for method in ("predict", "predict_proba", "score_samples", "score", "bic", "aic"):
        with pytest.warns(DataConversionWarning, match=warning) as record:
            result = getattr(model, method)(X)
        assert len(record) == 1
        assert_array_equal(result, getattr(reference, method)(codes))
    with pytest.warns(DataConversionWarning, match=warning):
        model.partial_fit(X)
    reference.partial_fit(codes)
    assert_array_equal(model.category_probabilities_, reference.category_probabilities_)
    # 1.5 reads as 1, a seen code; 3.5 as 3, unseen.
    with pytest.warns(
        DataConversionWarning, match=TRUNCATED.format(1, "0, 1", "1.5", 1)
    ):
        model.predict([[0, 1.5, 0]])
    with pytest.raises(ValueError, match="category code 3.5 at X.0, 0., unseen"):
        model.predict([[3.5, 0, 0]])


def test_truncation_warns_once_for_the_blocks_of_a_data_set(tmp_path):
    # Counted over the blocks of in-memory data (and of a float16 memory map,
    # converted block by block); one warning per chunk of a dask array.
    X, codes = fractional_codes()
    reference = CategoricalMixture(2, random_state=0).fit(codes)
    X16 = np.memmap(tmp_path / "X.dat", dtype=np.float16, mode="w+", shape=X.shape)
    X16[:] = X
    warning = TRUNCATED.format(3, "2, 2", r"0\.5", 0)
    for data in (X, X16):
        with (
            config_context(working_memory=0.002),  # blocks of a few dozen rows
            pytest.warns(DataConversionWarning, match=warning) as record,
        ):
            model = CategoricalMixture(2, random_state=0).fit(data)
        assert len(record) == 1
        assert_allclose(
            model.category_probabilities_, reference.category_probabilities_
        )
    chunked = da.from_array(X, chunks=(100, 3))
    on_dask = CategoricalMixture(2, random_state=0).fit(da.from_array(codes, (100, 3)))
    with pytest.warns(DataConversionWarning) as record:
        model = CategoricalMixture(2, random_state=0).fit(chunked)
        proba = np.asarray(model.predict_proba(chunked))
    messages = {str(w.message) for w in record}
    assert any(re.match(TRUNCATED.format(2, "2, 2", r"0\.5", 0), m) for m in messages)
    assert any(re.match(TRUNCATED.format(1, "300, 0", "2.25", 2), m) for m in messages)
    assert_array_equal(model.category_probabilities_, on_dask.category_probabilities_)
    assert_array_equal(proba, on_dask.predict_proba(codes))


def test_strings_point_to_ordinal_encoder_which_pipes_in():
    gss82 = load_gss82()
    with pytest.raises(ValueError, match="OrdinalEncoder"):
        CategoricalMixture(2).fit(gss82.answers)
    pipeline = make_pipeline(
        OrdinalEncoder(categories=gss82.categories),
        CategoricalMixture(2, n_init=10, random_state=0),
    )
    pipeline.fit(gss82.answers, categoricalmixture__sample_weight=gss82.freq)
    model = pipeline[-1]
    assert_array_equal(model.n_categories_, [3, 2, 2, 3])
    total = (
        model.score(pipeline[0].transform(gss82.answers), sample_weight=gss82.freq)
        * gss82.freq.sum()
    )
    assert total == pytest.approx(-2783.268, abs=5e-4)  # poLCA, below


# ----------------------------------------------------------------------
# References
# ----------------------------------------------------------------------
def brute_force_max_log_likelihood(X, freq, n_categories, n_components, seed):
    """Maximize the likelihood over softmax scores with BFGS from many starts."""
    sizes = [n_components] + [n_components * c for c in n_categories]
    rows = [np.eye(c)[X[:, j].astype(int)] for j, c in enumerate(n_categories)]

    def negative(theta):
        parts = np.split(theta, np.cumsum(sizes)[:-1])
        log_joint = log_softmax(parts[0])[np.newaxis, :].repeat(len(X), axis=0)
        for one_hot, scores, c in zip(rows, parts[1:], n_categories, strict=True):
            log_p = log_softmax(scores.reshape(n_components, c), axis=1)
            log_joint = log_joint + one_hot @ log_p.T
        return -freq @ logsumexp(log_joint, axis=1)

    rng = np.random.RandomState(seed)
    best = np.inf
    for _ in range(40):
        start = rng.normal(scale=2.0, size=sum(sizes))
        result = optimize.minimize(
            negative, start, method="BFGS", options={"gtol": 1e-9}
        )
        best = min(best, result.fun)
    return -best


def test_fit_reaches_the_brute_force_maximum():
    X, _ = draw(80, seed=3, probabilities=PROBABILITIES[:2])
    patterns, freq = np.unique(X, axis=0, return_counts=True)
    brute = brute_force_max_log_likelihood(patterns, freq.astype(float), [3, 2], 2, 0)
    model = CategoricalMixture(2, n_init=10, tol=1e-12, random_state=0)
    model.fit(patterns, sample_weight=freq)
    ours = model.score(patterns, sample_weight=freq) * freq.sum()
    # BFGS stops at a gradient norm of 1e-9, EM at a change of 1e-12: both
    # within 1e-8 of the maximum of a likelihood of curvature O(n).
    assert ours == pytest.approx(brute, abs=1e-6)


# Log-likelihoods of FLXMCmvbinary on the carcinoma table, best of 50 starts,
# printed to 6 decimals by benchmarks/categorical_flexmix.R (R 4.2,
# flexmix 2.3-18). poLCA's help page gives -317.2568, -293.705 and -289.2858
# for k = 2, 3, 4.
FLEXMIX_CARCINOMA = {1: -524.464818, 2: -317.256837, 3: -293.704979, 4: -289.285849}


@pytest.mark.parametrize("n_components", [1, 2, 3, 4])
def test_carcinoma_log_likelihood_equals_flexmix(n_components):
    carcinoma = load_carcinoma()
    model = CategoricalMixture(
        n_components, n_init=10, tol=1e-10, init_params="emem", random_state=0
    )
    model.fit(carcinoma.ratings, sample_weight=carcinoma.freq)
    total = model.score(carcinoma.ratings, sample_weight=carcinoma.freq) * 118
    # flexmix's value is rounded to 1e-6 and converged to a relative 1e-12.
    assert total == pytest.approx(FLEXMIX_CARCINOMA[n_components], abs=1e-6)


# Log-likelihoods poLCA's help page (?gss82, poLCA 1.6) gives for 2, 3 and 4
# latent classes of the gss82 table, to 3 decimals.
POLCA_GSS82 = {2: -2783.268, 3: -2754.545, 4: -2746.621}


@pytest.mark.parametrize("n_components", [2, 3, 4])
def test_gss82_polytomous_log_likelihood_equals_polca(n_components):
    gss82 = load_gss82()
    X = OrdinalEncoder(categories=gss82.categories).fit_transform(gss82.answers)
    model = CategoricalMixture(
        n_components, n_init=10, tol=1e-9, max_iter=20_000, random_state=0
    )
    model.fit(X, sample_weight=gss82.freq)
    total = model.score(X, sample_weight=gss82.freq) * 1202
    assert total == pytest.approx(POLCA_GSS82[n_components], abs=5e-4)  # rounding


# ----------------------------------------------------------------------
# Modes and degeneracy
# ----------------------------------------------------------------------
def test_dask_fit_equals_the_in_memory_fit_with_missing_answers():
    X, _ = draw(1000, seed=2)
    X[np.random.RandomState(0).uniform(size=X.shape) < 0.1] = np.nan
    weights = np.random.RandomState(1).uniform(0.5, 2, size=len(X))
    params = dict(
        weights_init=[0.5, 0.5],
        category_probabilities_init=padded(tilted(0.1)),
        tol=0,
        max_iter=20,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        local = CategoricalMixture(2, **params).fit(X, sample_weight=weights)
        distributed = CategoricalMixture(2, **params).fit(
            da.from_array(X, chunks=(300, 3)),
            sample_weight=da.from_array(weights, chunks=300),
        )
    assert_allclose(
        distributed.category_probabilities_, local.category_probabilities_, rtol=1e-10
    )
    assert_allclose(distributed.lower_bounds_, local.lower_bounds_, rtol=1e-10)
    with pytest.raises(ValueError, match=r"unseen in fit"):
        bad = X.copy()
        bad[650, 1] = 5
        local.score(da.from_array(bad, chunks=(300, 3)), sample_weight=weights)


@pytest.mark.parametrize("init_params", ["hierarchical", "emem", "emem-split-merge"])
def test_clustering_starts_on_one_hot_rows_reach_the_optimum(init_params):
    X, _ = draw(2000, seed=4)
    X[np.random.RandomState(0).uniform(size=X.shape) < 0.05] = np.nan
    best = CategoricalMixture(2, n_init=5, random_state=0, init_params="random")
    best.fit(X)
    model = CategoricalMixture(2, random_state=0, init_params=init_params).fit(X)
    assert model.score(X) == pytest.approx(best.score(X), abs=1e-6)


def test_tiny_components_fitting_a_few_rows_are_degenerate():
    X, _ = draw(20, seed=5)
    model = CategoricalMixture(6, init_params="random_from_data", random_state=0)
    with pytest.warns(DegenerateFitWarning, match="has a category of probability 0"):
        model.fit(X)
    free = 2 + 1 + 3 + 1  # per component: categories less one, and its weight
    assert model.degenerate_components_
    for k in model.degenerate_components_:
        assert model.weights_[k] * 20 < free
        assert np.any(model.category_probabilities_[k] == model.probability_floor)
    assert np.all(np.isfinite(model.category_probabilities_))


@pytest.mark.parametrize(
    "estimator",
    [
        CategoricalMixture(),
        CategoricalMixture(3, init_params="hierarchical"),
        CategoricalMixture(
            2, init_params="hierarchical", acceleration=None, probability_floor=1e-6
        ),
        CategoricalMixture(warm_start=True, max_iter=5),
    ],
    ids=repr,
)
def test_sample_weight_equivalence_on_codes(estimator):
    # scikit-learn's check_sample_weight_equivalence_on_dense_data, step by
    # step, on category codes instead of uniform floats (which truncate to all
    # zeros, one category per feature: see test_common.py).
    rng = np.random.RandomState(42)
    X = rng.randint(0, 4, size=(15, 30)).astype(float)
    sample_weight = rng.randint(0, 5, size=15)
    X_repeated = X.repeat(sample_weight, axis=0)
    X_weighted, weights = shuffle(X, sample_weight, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateFitWarning)  # 15 rows, 91 params
        warnings.simplefilter("ignore", ConvergenceWarning)
        repeated = clone(estimator).set_params(random_state=0).fit(X_repeated)
        weighted = clone(estimator).set_params(random_state=0)
        weighted.fit(X_weighted, sample_weight=weights)
    assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-7)
    assert_array_equal(weighted.predict(X), repeated.predict(X))


# ----------------------------------------------------------------------
# Fixed weights: fixed=("weights",), and the deprecated fit_weights
# ----------------------------------------------------------------------
def test_fixed_weights_stay_and_the_deprecated_fit_weights_warns():
    X, _ = draw(300)
    params = dict(n_components=2, random_state=0)
    held = CategoricalMixture(fixed=("weights",), weights_init=[0.3, 0.7], **params)
    assert_array_equal(held.fit(X).weights_, [0.3, 0.7])
    message = (
        r"fit_weights was deprecated in 0\.1 and will be removed in 0\.2; use "
        r"fixed=\('weights',\) instead"
    )
    with pytest.warns(FutureWarning, match=message):
        old = CategoricalMixture(fit_weights=False, weights_init=[0.3, 0.7], **params)
        old.fit(X)
    assert_allclose(old.category_probabilities_, held.category_probabilities_)
    with pytest.warns(FutureWarning, match=message):
        uniform = CategoricalMixture(fit_weights=False, **params).fit(X)
    assert_array_equal(uniform.weights_, [0.5, 0.5])  # the old default
    with pytest.warns(FutureWarning, match=message):
        learned = CategoricalMixture(fit_weights=True, **params).fit(X)
    assert_allclose(learned.weights_, CategoricalMixture(**params).fit(X).weights_)
    with pytest.raises(ValueError, match=r"weights_init is None: pass weights_init"):
        CategoricalMixture(fixed=("weights",), **params).fit(X)
