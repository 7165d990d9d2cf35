"""MixedMixture: column groups of different families, against references.

The engine behaviour (weights, blocks, memory maps, warm starts, online EM,
sampling) is tested once for every family in ``tests/test_mixture.py``,
where a Gaussian + binomial product is one of the cases. Here: a model of one
group is that family's estimator; a product reaches the maximum a direct
numerical search finds; flexmix's FLXMCmvcombi on a real table; the
``columns`` specification.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import optimize, stats
from scipy.special import expit, log_softmax, logsumexp

from skem import (
    BinomialMixture,
    CategoricalMixture,
    GaussianMixtureEM,
    MixedMixture,
    PoissonMixture,
)
from skem.datasets import load_birthwt
from tests._reference import fitted_parameters

ENGINE = dict(
    tol=1e-8,
    max_iter=500,
    stopping_rule="total",
    acceleration="squarem",
    random_state=0,
)


def gaussian_data(rng):
    centers = np.array([[0.0, 0.0, 0.0], [2.5, 0.5, -1.0], [-1.0, 3.0, 1.5]])
    return centers[rng.choice(3, 200)] + rng.normal(size=(200, 3))


def binomial_data(rng):
    probabilities = np.array([[0.15, 0.6, 0.3], [0.85, 0.9, 0.5]])
    return rng.binomial(12, probabilities[rng.choice(2, 200)]).astype(float)


def poisson_data(rng):
    rates = np.array([[1.0, 6.0], [7.0, 1.5]])
    return rng.poisson(rates[rng.choice(2, 200)]).astype(float)


def categorical_data(rng):
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    labels = rng.choice(2, 200)
    return np.stack(
        [[rng.choice(3, p=probabilities[k]) for _ in range(4)] for k in labels]
    ).astype(float)


ONE_GROUP = [
    ("gaussian", GaussianMixtureEM, {"covariance_type": "full"}, gaussian_data),
    ("gaussian", GaussianMixtureEM, {"covariance_type": "tied"}, gaussian_data),
    ("gaussian", GaussianMixtureEM, {"covariance_type": "diag"}, gaussian_data),
    ("gaussian", GaussianMixtureEM, {"covariance_type": "spherical"}, gaussian_data),
    ("binomial", BinomialMixture, {"n_trials": 12}, binomial_data),
    ("poisson", PoissonMixture, {}, poisson_data),
    ("categorical", CategoricalMixture, {}, categorical_data),
]


@pytest.mark.parametrize(
    "name, estimator, options, data",
    ONE_GROUP,
    ids=[f"{row[0]}-{row[2].get('covariance_type', '')}" for row in ONE_GROUP],
)
@pytest.mark.parametrize("init_params", ["kmeans", "hierarchical", "random"])
def test_one_group_is_its_family_estimator(name, estimator, options, data, init_params):
    X = data(np.random.RandomState(0))
    settings = dict(n_components=3, init_params=init_params, **ENGINE)
    family = estimator(**settings, **options).fit(X)
    mixed = MixedMixture(columns=[(name, slice(None), options)], **settings).fit(X)
    (group,) = mixed.groups_
    assert group["family"] == name
    assert_array_equal(group["columns"], np.arange(X.shape[1]))
    # The same computations on the same numbers: equal to rounding.
    # Every fitted array of the family's estimator, but the weights.
    arrays = fitted_parameters(family)
    assert set(group["params"]) == set(arrays) - {"weights_"}
    for attribute, value in group["params"].items():
        assert_allclose(value, getattr(family, attribute), rtol=1e-12, atol=0)
    assert_allclose(mixed.weights_, family.weights_, rtol=1e-12)
    assert mixed.n_iter_ == family.n_iter_
    assert mixed.lower_bound_ == pytest.approx(family.lower_bound_, rel=1e-13)
    assert_allclose(mixed.predict_proba(X), family.predict_proba(X), atol=1e-12)
    assert_allclose(mixed.score_samples(X), family.score_samples(X), rtol=1e-12)
    assert mixed.bic(X) == pytest.approx(family.bic(X), rel=1e-13)
    assert_array_equal(mixed.sample(20)[1], family.sample(20)[1])
    assert_allclose(mixed.sample(20)[0], family.sample(20)[0], rtol=1e-12)


# ----------------------------------------------------------------------
# A Gaussian column and a binomial column against a direct search
# ----------------------------------------------------------------------
def product_loglik(theta, x, counts, n_trials):
    """Log-likelihood of a 2-component N(mu, sd) x Binomial(n, p) mixture.

    ``theta``: weight score, two means, two log standard deviations, two
    logits. scipy's log-densities, nothing of skem.
    """
    log_w = log_softmax([theta[0], 0.0])
    means, log_sd, logits = theta[1:3], theta[3:5], theta[5:7]
    log_prob = (
        log_w
        + stats.norm.logpdf(x[:, None], means, np.exp(log_sd))
        + stats.binom.logpmf(counts[:, None], n_trials, expit(logits))
    )
    return logsumexp(log_prob, axis=1).sum()


def test_gaussian_and_binomial_product_reaches_the_direct_maximum():
    rng = np.random.RandomState(3)
    labels = rng.choice(2, 80, p=[0.4, 0.6])
    x = np.where(labels, 1.5, -0.5) + rng.normal(size=80) * np.where(labels, 0.8, 1.2)
    counts = rng.binomial(8, np.where(labels, 0.7, 0.3)).astype(float)
    best = None
    for _ in range(30):
        start = np.r_[rng.normal(), rng.normal(0.5, 1, 2), rng.normal(0, 0.3, 2),
                      rng.normal(0, 1, 2)]  # fmt: skip
        result = optimize.minimize(
            lambda t: -product_loglik(t, x, counts, 8),
            start,
            method="BFGS",
            options={"gtol": 1e-9},
        )
        if best is None or result.fun < best.fun:
            best = result
    model = MixedMixture(
        2,
        columns=[
            ("gaussian", [0], {"reg_covar": 0.0}),
            ("binomial", [1], {"n_trials": 8}),
        ],
        tol=1e-12,
        n_init=5,
        random_state=0,
    ).fit(np.c_[x, counts])
    ours = model.lower_bound_ * 80
    # Both end at a stationary point (EM stops when the total changes by
    # 1e-12, BFGS when the gradient is below 1e-9): equal far within 1e-6.
    assert ours == pytest.approx(-best.fun, abs=1e-6)
    order = np.argsort(model.groups_[0]["params"]["means_"].ravel())
    theirs_order = np.argsort(best.x[1:3])
    gaussian, binomial = (g["params"] for g in model.groups_)
    assert_allclose(gaussian["means_"].ravel()[order], best.x[1:3][theirs_order],
                    rtol=1e-3)  # fmt: skip
    assert_allclose(
        np.sqrt(gaussian["covariances_"].ravel()[order]),
        np.exp(best.x[3:5][theirs_order]),
        rtol=1e-3,
    )
    assert_allclose(binomial["probabilities_"].ravel()[order],
                    expit(best.x[5:7][theirs_order]), rtol=1e-3)  # fmt: skip


# ----------------------------------------------------------------------
# flexmix's FLXMCmvcombi on the birth weight table
# ----------------------------------------------------------------------
# benchmarks/mixed_flexmix.R (flexmix 2.3, R 4), best of 20 runs, 2 components:
# Gaussian age, lwt, bwt with diagonal covariances, binary smoke, ht, ui.
FLEXMIX_LOGLIK = -3217.8314567730517
FLEXMIX_WEIGHTS = [0.67149561287620407, 0.32850438712379593]
FLEXMIX_CENTERS = [
    [22.158134099337968, 115.60014016520363, 2837.4016003057386,
     0.42086753107145708, 0.032954671717039814, 0.18955905935351047],
    [25.445643109047023, 158.87102214754387, 3163.6855248186189,
     0.33157453982352852, 0.12591352643002346, 0.063500131117863637],
]  # fmt: skip
FLEXMIX_VARIANCES = [
    [20.648977319912202, 221.957499441735308, 496131.233175306813791],
    [36.265243276121176, 1137.011205934831423, 537811.875371601781808],
]


def birthwt_model(**params):
    births = load_birthwt()
    X = np.hstack([births.measurements, births.indicators])
    columns = [
        ("gaussian", [0, 1, 2], {"covariance_type": "diag", "reg_covar": 0.0}),
        ("binomial", [3, 4, 5], {"n_trials": 1}),
    ]
    return X, MixedMixture(2, columns=columns, **params)


def flexmix_start():
    centers = np.array(FLEXMIX_CENTERS)
    gaussian = {
        "means_init": centers[:, :3],
        "precisions_init": 1.0 / np.array(FLEXMIX_VARIANCES),
    }
    binomial = {"probabilities_init": centers[:, 3:]}
    return gaussian, binomial


def test_log_likelihood_of_flexmix_parameters_is_flexmix_log_likelihood():
    X, model = birthwt_model(max_iter=0, weights_init=FLEXMIX_WEIGHTS)
    gaussian, binomial = flexmix_start()
    model.columns[0][2].update(gaussian)
    model.columns[1][2].update(binomial)
    model.fit(X)
    assert model.score(X) * len(X) == pytest.approx(FLEXMIX_LOGLIK, rel=1e-12)


def test_birthwt_fit_reaches_at_least_flexmix_optimum():
    X, model = birthwt_model(n_init=20, random_state=0, tol=1e-10)
    model.fit(X)
    ours = model.score(X) * len(X)
    # flexmix's M-step takes unbiased weighted variances (cov.wt: the
    # maximum-likelihood ones times about n_k / (n_k - 1)), so it stops below
    # the maximum. A variance off by a factor 1 + 1/n_k costs about
    # n_k / 4 * (1/n_k)**2 = 1 / (4 n_k) of log-likelihood: 3 / (4 n_k) per
    # component for its 3 Gaussian columns (0.018 here; 0.017 measured).
    gap = ours - FLEXMIX_LOGLIK
    expected = np.sum(3 / (4 * np.array(FLEXMIX_WEIGHTS) * len(X)))
    assert gap > 0
    assert gap == pytest.approx(expected, rel=0.2)
    order = np.argsort(model.groups_[0]["params"]["means_"][:, 0])
    gaussian, binomial = (g["params"] for g in model.groups_)
    assert_allclose(model.weights_[order], FLEXMIX_WEIGHTS, atol=0.02)
    centers = np.array(FLEXMIX_CENTERS)
    assert_allclose(gaussian["means_"][order], centers[:, :3], rtol=0.02)
    assert_allclose(binomial["probabilities_"][order], centers[:, 3:], atol=0.02)


# ----------------------------------------------------------------------
# The columns specification
# ----------------------------------------------------------------------
def test_columns_by_name_slice_and_mask_are_the_same_model():
    pd = pytest.importorskip("pandas")
    X, _ = birthwt_model()
    frame = pd.DataFrame(X, columns=["age", "lwt", "bwt", "smoke", "ht", "ui"])
    specs = [
        ([0, 1, 2], [3, 4, 5]),
        (slice(0, 3), slice(3, None)),
        ([True] * 3 + [False] * 3, [False] * 3 + [True] * 3),
        (["age", "lwt", "bwt"], ["smoke", "ht", "ui"]),
    ]
    scores = []
    for gaussian, binomial in specs:
        model = MixedMixture(
            2,
            columns=[
                ("gaussian", gaussian, {"covariance_type": "diag"}),
                ("binomial", binomial, {"n_trials": 1}),
            ],
            random_state=0,
        ).fit(frame)
        scores.append(model.score(frame))
    assert_allclose(scores, scores[0], rtol=1e-12)


def test_group_order_and_column_order_do_not_change_the_model():
    X, model = birthwt_model(random_state=0, init_params="hierarchical")
    model.fit(X)
    permutation = [4, 0, 5, 2, 3, 1]  # new column j is old column permutation[j]
    inverse = np.argsort(permutation)
    shuffled = MixedMixture(
        2,
        columns=[
            ("binomial", inverse[[3, 4, 5]].tolist(), {"n_trials": 1}),
            (
                "gaussian",
                inverse[[0, 1, 2]].tolist(),
                {"covariance_type": "diag", "reg_covar": 0.0},
            ),
        ],  # fmt: skip
        random_state=0,
        init_params="hierarchical",
    ).fit(X[:, permutation])
    assert shuffled.score(X[:, permutation]) == pytest.approx(model.score(X), rel=1e-9)


def test_missing_values_drop_out_of_their_group():
    X, model = birthwt_model(random_state=0)
    X = X.copy()
    X[::7, 1] = np.nan  # a weight
    X[::5, 4] = np.nan  # hypertension
    model.fit(X)
    complete = ~np.isnan(X).any(axis=1)
    partial = model.score_samples(X)
    assert np.all(np.isfinite(partial))
    # A row's missing entries drop out: its density is the density of the
    # observed entries, the marginal of the fitted model.
    row = np.flatnonzero(~complete)[0]
    gaussian, binomial = (g["params"] for g in model.groups_)
    observed = ~np.isnan(X[row])
    log_prob = np.log(model.weights_).copy()
    for k in range(2):
        for j in np.flatnonzero(observed[:3]):
            log_prob[k] += stats.norm.logpdf(
                X[row, j],
                gaussian["means_"][k, j],
                np.sqrt(gaussian["covariances_"][k, j]),
            )
        for j in np.flatnonzero(observed[3:]):
            log_prob[k] += stats.bernoulli.logpmf(
                X[row, 3 + j], binomial["probabilities_"][k, j]
            )
    assert partial[row] == pytest.approx(logsumexp(log_prob), rel=1e-12)


def test_degenerate_group_is_named():
    rng = np.random.RandomState(0)
    X = np.c_[rng.normal(size=(40, 2)), rng.binomial(5, 0.5, size=(40, 1))]
    X[:3, :2] = 7.0  # three identical rows far away
    model = MixedMixture(
        3,
        columns=[("gaussian", [0, 1], {}), ("binomial", [2], {"n_trials": 5})],
        weights_init=[0.45, 0.45, 0.1],
        random_state=0,
    )
    model.columns[0][2].update(
        means_init=[[-0.5, 0.0], [0.5, 0.0], [7.0, 7.0]],
        precisions_init=np.stack([np.eye(2), np.eye(2), np.eye(2) * 1e4]),
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        model.fit(X)
    messages = [str(w.message) for w in record]
    assert 2 in model.degenerate_components_
    assert "column group 0, 'gaussian'" in model.degenerate_components_[2]
    assert any("degenerate" in m for m in messages)
    for group in model.groups_:
        for value in group["params"].values():
            assert np.all(np.isfinite(value))


def test_dask_fit_equals_the_in_memory_fit_across_families():
    import dask.array as da

    rng = np.random.RandomState(3)
    X = np.hstack(
        [gaussian_data(rng)[:, :2], poisson_data(rng), categorical_data(rng)[:, :2]]
    )
    X[rng.uniform(size=X.shape) < 0.05] = np.nan
    weights = rng.uniform(0.5, 2, size=len(X))
    columns = [
        ("gaussian", [0, 1], {"covariance_type": "diag"}),
        ("poisson", [2, 3], {}),
        ("categorical", [4, 5], {}),
    ]
    params = dict(columns=columns, tol=0, max_iter=15, init_params="hierarchical")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        local = MixedMixture(2, **params).fit(X, sample_weight=weights)
        distributed = MixedMixture(2, **params, init_sample_size=len(X)).fit(
            da.from_array(X, chunks=(70, 6)),
            sample_weight=da.from_array(weights, chunks=70),
        )
    assert_allclose(distributed.weights_, local.weights_, rtol=1e-10)
    for ours, theirs in zip(distributed.groups_, local.groups_, strict=True):
        for name, value in theirs["params"].items():
            assert_allclose(ours["params"][name], value, rtol=1e-10, err_msg=name)
    assert_allclose(distributed.lower_bounds_, local.lower_bounds_, rtol=1e-10)
    assert_allclose(
        distributed.predict_proba(da.from_array(X, chunks=(70, 6))).compute(),
        local.predict_proba(X),
        rtol=1e-9,
        atol=1e-12,
    )
