"""Degenerate and extreme data: finite parameters, or an error naming the cause.

Each case ends either with a fit whose every attribute is finite (and a
warning where one helps the user), or with a ``ValueError`` whose message
names the real cause. Shared behaviour is tested on both estimators.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import binom
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture, GaussianMixtureEM

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
N_TRIALS = 10

# Degenerate data make k-means warn about duplicate points and EM stop early;
# those warnings are scikit-learn's and beside the point here.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Number of distinct clusters:sklearn.exceptions.ConvergenceWarning"
)


def make_model(estimator, **params):
    if estimator == "binomial":
        return BinomialMixture(n_trials=N_TRIALS, random_state=0, **params)
    return GaussianMixtureEM(random_state=0, **params)


def counts_or_values(estimator, values):
    """``values`` as data of the estimator's family (counts are whole)."""
    return np.round(values) if estimator == "binomial" else values


def assert_finite_fit(model, X, **metadata):
    """Every fitted attribute and every per-sample output is finite."""
    for name, value in vars(model).items():
        if name.endswith("_") and not name.startswith("_"):
            values = np.asarray(value)
            if values.dtype.kind in "fiu":
                assert np.all(np.isfinite(values)), name
    assert np.all(np.isfinite(model.score_samples(X, **metadata)))
    resp = model.predict_proba(X, **metadata)
    assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-6)
    assert_allclose(model.weights_.sum(), 1.0, rtol=1e-6)


ESTIMATORS = ["binomial", "gaussian"]
EMPTY_COMPONENT = "received no responsibility for any sample"


# ----------------------------------------------------------------------
# Shapes of degenerate data
# ----------------------------------------------------------------------
@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_all_points_identical_fit_one_point(estimator):
    X = np.full((20, 2), 4.0)
    model = make_model(estimator, n_components=1).fit(X)
    assert_finite_fit(model, X)
    if estimator == "binomial":
        assert_allclose(model.probabilities_, [[0.4, 0.4]])
    else:
        assert_allclose(model.means_, [[4.0, 4.0]])
        # The covariance is all regularization: reg_covar on the diagonal.
        assert_allclose(model.covariances_, [model.reg_covar * np.eye(2)])


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_all_points_identical_with_two_components_warns_of_the_empty_one(estimator):
    X = np.full((20, 2), 4.0)
    with pytest.warns(UserWarning, match=EMPTY_COMPONENT):
        model = make_model(estimator, n_components=2).fit(X)
    assert_finite_fit(model, X)
    assert np.sort(model.weights_)[0] < 1e-10


def all_warnings(fit):
    """Every warning ``fit()`` raises, none filtered."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    return caught


@pytest.mark.parametrize(
    "init_params", ["kmeans", "k-means++", "random", "random_from_data", "hierarchical"]
)
@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_fewer_distinct_rows_than_components_give_one_clear_warning(
    estimator, init_params
):
    X = np.ones((50, 3))
    model = make_model(estimator, n_components=2, init_params=init_params)
    caught = all_warnings(lambda: model.fit(X))
    # Not k-means' "distinct clusters" warning, an empty component's and a
    # degenerate fit's: one warning, at the user's line.
    assert [w.category for w in caught] == [UserWarning], [
        str(w.message) for w in caught
    ]
    message = str(caught[0].message)
    assert message.startswith("X has only 1 distinct row for 2 components")
    assert "Use n_components <= 1." in message
    assert caught[0].filename == __file__
    assert_finite_fit(model, X)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_rows_of_zero_weight_do_not_count_as_distinct(estimator):
    X = np.r_[np.tile([[1.0, 2.0]], (30, 1)), np.tile([[5.0, 3.0]], (30, 1))]
    weights = np.r_[np.ones(30), np.zeros(30)]
    model = make_model(estimator, n_components=2)
    caught = all_warnings(lambda: model.fit(X, sample_weight=weights))
    assert [str(w.message)[:52] for w in caught] == [
        "X has only 1 distinct row of non-zero weight for 2 c"
    ]
    # Unweighted, two distinct rows: nothing about them (a Gaussian
    # component on each still collapses, and says so).
    caught = all_warnings(lambda: model.fit(X))
    assert not any("distinct" in str(w.message) for w in caught)


def test_two_distinct_rows_for_three_components_give_one_warning():
    X = np.repeat([[0.0, 0.0], [1.0, 2.0]], 25, axis=0)
    caught = all_warnings(lambda: make_model("gaussian", n_components=3).fit(X))
    assert len(caught) == 1, [str(w.message) for w in caught]
    assert str(caught[0].message).startswith("X has only 2 distinct rows for 3 ")


def test_an_empty_component_is_not_said_to_inflate_the_likelihood():
    X = np.random.RandomState(0).normal(size=(40, 2))
    model = make_model(
        "gaussian",
        n_components=2,
        weights_init=[0.5, 0.5],
        means_init=[[0.0, 0.0], [1e3, 1e3]],
    )
    caught = all_warnings(lambda: model.fit(X))
    # One warning, naming the empty component as such (it adds nothing to
    # the likelihood); no DegenerateFitWarning about it.
    assert [w.category for w in caught] == [UserWarning]
    assert str(caught[0].message).startswith("Components [1] " + EMPTY_COMPONENT)
    assert "inflate" not in str(caught[0].message)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_identical_points_with_reg_covar_zero_name_the_collapse(covariance_type):
    X = np.full((20, 2), 4.0)
    model = GaussianMixtureEM(covariance_type=covariance_type, reg_covar=0.0)
    with pytest.raises(ValueError, match="singleton or collapsed samples"):
        model.fit(X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_constant_feature_gets_reg_covar_and_leaves_the_others(covariance_type):
    rng = np.random.RandomState(0)
    informative = np.r_[rng.normal(-5, 1, 30), rng.normal(5, 1, 30)]
    X = np.c_[informative, np.full(60, 3.0)]
    model = GaussianMixtureEM(2, covariance_type=covariance_type, random_state=0).fit(X)
    assert_finite_fit(model, X)
    assert_allclose(model.means_[:, 1], 3.0)
    reference = GaussianMixtureEM(2, covariance_type="diag", random_state=0).fit(
        X[:, :1]
    )
    order = np.argsort(model.means_[:, 0])
    assert_allclose(model.means_[order, 0], np.sort(reference.means_[:, 0]), rtol=1e-6)
    if covariance_type in ("full", "diag"):
        variances = np.asarray(model.covariances_).reshape(2, -1)
        # The constant feature's variance is reg_covar (its last diagonal entry).
        assert_allclose(variances[:, -1], model.reg_covar, rtol=1e-9)


def test_binomial_constant_feature_fits_its_rate():
    rng = np.random.RandomState(0)
    X = np.c_[rng.binomial(N_TRIALS, [0.2] * 30 + [0.8] * 30), np.full(60, 7.0)]
    model = BinomialMixture(2, n_trials=N_TRIALS, random_state=0).fit(X)
    assert_finite_fit(model, X)
    assert_allclose(model.probabilities_[:, 1], 0.7)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_as_many_samples_as_components_gives_one_component_each(estimator):
    X = counts_or_values(estimator, np.array([[1.0, 2.0], [6.0, 9.0], [3.0, 0.0]]))
    model = make_model(estimator, n_components=3).fit(X)
    assert_finite_fit(model, X)
    assert sorted(model.predict(X)) == [0, 1, 2]
    if estimator == "gaussian":  # (binomial components overlap: no closed form)
        assert_allclose(model.weights_, 1 / 3, rtol=1e-6)
        assert_allclose(model.means_[model.predict(X)], X, atol=1e-6)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_component_that_loses_every_point_is_kept_finite_with_a_warning(estimator):
    rng = np.random.RandomState(0)
    if estimator == "binomial":
        X = rng.binomial(N_TRIALS, 0.6, size=(40, 2)).astype(float)
        init = {"probabilities_init": [[0.6, 0.6], [1e-9, 1e-9]]}
    else:
        X = rng.normal(size=(40, 2))
        init = {"means_init": [[0.0, 0.0], [1e3, 1e3]]}
    model = make_model(estimator, n_components=2, weights_init=[0.5, 0.5], **init)
    with pytest.warns(UserWarning, match=r"Components \[1\] " + EMPTY_COMPONENT):
        model.fit(X)
    assert_finite_fit(model, X)
    assert model.weights_[1] < 1e-10
    assert_array_equal(model.predict(X), 0)
    if estimator == "gaussian":
        # As the docstring says: its covariance is about reg_covar.
        assert_allclose(model.covariances_[1], model.reg_covar * np.eye(2), rtol=1e-6)


# ----------------------------------------------------------------------
# Extreme scales
# ----------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("scale", [1e-300, -1e-200, 1e-160])
def test_gaussian_refuses_data_whose_squares_underflow(covariance_type, scale):
    X = np.random.RandomState(0).normal(size=(30, 2)) * scale
    model = GaussianMixtureEM(2, covariance_type=covariance_type)
    with pytest.raises(ValueError, match="squares underflow float64.*Rescale X"):
        model.fit(X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("scale", [1e300, 1e160])
def test_gaussian_refuses_data_whose_squares_overflow(covariance_type, scale):
    X = np.random.RandomState(0).normal(size=(30, 2)) * scale
    model = GaussianMixtureEM(2, covariance_type=covariance_type)
    with pytest.raises(ValueError, match="squares overflow float64.*Rescale X"):
        model.fit(X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_gaussian_fits_data_just_inside_the_scale_limits(covariance_type):
    # The limits are about float64, not about taste: 1e-140 and 1e140 fit,
    # and the fit is the fit of the unscaled data, rescaled.
    X = np.random.RandomState(0).normal(size=(40, 2))
    X[:20] += 6
    init = {"weights_init": [0.5, 0.5], "means_init": [[0.0, 0.0], [6.0, 6.0]]}
    params = dict(covariance_type=covariance_type, reg_covar=0.0, **init)
    unscaled = GaussianMixtureEM(2, **params).fit(X)
    for scale in (1e-140, 1e140):
        scaled_init = {**init, "means_init": np.asarray(init["means_init"]) * scale}
        model = GaussianMixtureEM(2, **{**params, **scaled_init}).fit(X * scale)
        assert_finite_fit(model, X * scale)
        assert_allclose(model.means_, unscaled.means_ * scale, rtol=1e-9)
        assert_allclose(model.covariances_, unscaled.covariances_ * scale**2, rtol=1e-9)


def test_gaussian_partial_fit_batch_of_tiny_values_is_data_near_zero():
    # Only learning a scale from scratch needs squares that do not underflow:
    # to a fitted model a batch at 1e-300 is a batch of (nearly) zeros.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    model = GaussianMixtureEM(2, random_state=0).fit(X)
    model.partial_fit(X * 1e-300)
    assert_finite_fit(model, X)
    # Nor is a batch with a feature missing in every row out of scale.
    model.partial_fit(np.c_[X[:, :1], np.full(30, np.nan)])
    assert_finite_fit(model, X)
    with pytest.raises(ValueError, match="squares overflow float64"):
        model.partial_fit(X * 1e160)


def test_gaussian_feature_of_zeros_is_a_constant_feature_not_a_scale_error():
    rng = np.random.RandomState(0)
    X = np.c_[rng.normal(size=30), np.zeros(30)]
    model = GaussianMixtureEM(1).fit(X)
    assert_finite_fit(model, X)
    assert_allclose(model.covariances_[0, 1, 1], model.reg_covar)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_gaussian_offset_of_1e8_changes_only_the_means(covariance_type):
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0, 1, (40, 2)), rng.normal(4, 0.5, (40, 2))]
    init = {"weights_init": [0.5, 0.5], "means_init": [[0.0, 0.0], [4.0, 4.0]]}
    params = dict(covariance_type=covariance_type, max_iter=10, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # tol=0: 10 steps
        plain = GaussianMixtureEM(2, **params, **init).fit(X)
        shifted = GaussianMixtureEM(
            2, **params, **{**init, "means_init": np.add(init["means_init"], 1e8)}
        ).fit(X + 1e8)
    assert_finite_fit(shifted, X + 1e8)
    # Values at 1e8 carry 1e-8 absolute rounding: variances of about 1 keep
    # about 7 digits only if the statistics are centred.
    assert_allclose(shifted.means_ - 1e8, plain.means_, atol=1e-6)
    assert_allclose(shifted.covariances_, plain.covariances_, rtol=1e-6, atol=1e-9)
    assert_allclose(shifted.weights_, plain.weights_, rtol=1e-6)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_float32_input_fits_like_float64(estimator):
    rng = np.random.RandomState(0)
    if estimator == "binomial":
        X = rng.binomial(N_TRIALS, [0.2] * 30 + [0.7] * 30, size=(2, 60)).T
    else:
        X = np.r_[rng.normal(0, 1, (30, 2)), rng.normal(5, 1, (30, 2))]
    X32 = X.astype(np.float32)
    model = make_model(estimator, n_components=2).fit(X32)
    reference = make_model(estimator, n_components=2).fit(X32.astype(np.float64))
    assert_finite_fit(model, X32)
    assert_allclose(model.lower_bound_, reference.lower_bound_, rtol=1e-5)
    assert_array_equal(model.predict(X32), reference.predict(X32))


# ----------------------------------------------------------------------
# BinomialMixture: extreme counts and numbers of trials
# ----------------------------------------------------------------------
@pytest.mark.parametrize("value, probability", [(0.0, 0.0), (N_TRIALS, 1.0)])
@pytest.mark.parametrize("n_components", [1, 2])
def test_counts_all_zero_or_all_full_hit_the_floor(value, probability, n_components):
    X = np.full((15, 2), float(value))
    model = BinomialMixture(n_components, n_trials=N_TRIALS, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the empty second component
        model.fit(X)
    assert_finite_fit(model, X)
    floor = model.probability_floor
    assert_allclose(model.probabilities_, np.clip(probability, floor, 1 - floor))
    # The log-likelihood of the data is about zero: they are (nearly) certain.
    assert_allclose(model.score(X), 0.0, atol=1e-7)


def test_rows_with_zero_trials_drop_out_of_the_fit():
    rng = np.random.RandomState(0)
    n_trials = rng.randint(5, 15, size=60).astype(float)
    X = rng.binomial(
        n_trials[:, None].astype(int), [[0.2, 0.7]] * 30 + [[0.8, 0.3]] * 30
    )
    X = X.astype(float)
    zero = np.zeros(60, dtype=bool)
    zero[::4] = True
    X[zero], n_trials[zero] = 0.0, 0.0
    params = dict(n_trials="max", tol=1e-12, max_iter=5000, random_state=0)
    model = BinomialMixture(2, **params).fit(X, n_trials=n_trials)
    kept = BinomialMixture(2, **params).fit(X[~zero], n_trials=n_trials[~zero])
    assert_finite_fit(model, X, n_trials=n_trials)
    # A count out of zero trials is certain: log-likelihood 0, whatever the
    # component; the maximum is that of the other rows.
    assert_allclose(
        model.score_samples(X[zero], n_trials=n_trials[zero]), 0.0, atol=1e-12
    )
    order = np.argsort(model.probabilities_[:, 0])
    kept_order = np.argsort(kept.probabilities_[:, 0])
    assert_allclose(
        model.probabilities_[order], kept.probabilities_[kept_order], atol=1e-6
    )
    assert_allclose(model.weights_[order], kept.weights_[kept_order], atol=1e-6)


def test_zero_trials_everywhere_is_an_error():
    X = np.zeros((10, 2))
    with pytest.raises(ValueError, match="n_trials is 0 for every count"):
        BinomialMixture(2, n_trials=0).fit(X)
    with pytest.raises(ValueError, match="n_trials is 0 for every count"):
        BinomialMixture(2, n_trials="max").fit(X, n_trials=np.zeros(10))


@pytest.mark.parametrize("n_trials", [1e300, 1e13])
def test_huge_n_trials_is_refused_with_a_message_about_precision(n_trials):
    X = np.random.RandomState(0).binomial(10, 0.3, size=(20, 2)).astype(float)
    with pytest.raises(ValueError, match="loses its precision in float64"):
        BinomialMixture(2, n_trials=n_trials).fit(X)


def test_large_n_trials_below_the_limit_fit_like_scipy():
    # 1e9 trials: the log-likelihood keeps about 1e-5 absolute accuracy (its
    # rounding error grows like n_trials * 1e-16; scipy's too).
    rng = np.random.RandomState(0)
    n = 1e9
    X = np.r_[rng.binomial(int(n), 0.3, (20, 2)), rng.binomial(int(n), 0.6, (20, 2))]
    X = X.astype(float)
    model = BinomialMixture(2, n_trials=n, random_state=0).fit(X)
    assert_finite_fit(model, X)
    labels = model.predict(X)
    for k in range(2):
        assert_allclose(model.probabilities_[k], X[labels == k].mean(axis=0) / n)
    expected = binom.logpmf(X[:, None, :], n, model.probabilities_[None]).sum(axis=2)
    expected = np.logaddexp.reduce(expected + np.log(model.weights_), axis=1)
    assert_allclose(model.score_samples(X), expected, rtol=0, atol=1e-5)


# ----------------------------------------------------------------------
# Rows that every component finds impossible
# ----------------------------------------------------------------------
def two_blobs_fit(covariance_type):
    """A two-component fit of two blobs of 30 points, and the points."""
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0, 1, (30, 2)), rng.normal(6, 1, (30, 2))]
    model = GaussianMixtureEM(2, covariance_type=covariance_type, random_state=0)
    return model.fit(X), X


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_rows_whose_densities_all_underflow_keep_finite_log_likelihoods(
    covariance_type,
):
    # exp(-1e279) is 0 in float64: every component density underflows, the
    # log-densities do not, and the nearest component takes the row.
    model, X = two_blobs_fit(covariance_type)
    far = np.array([[1e140, 1e140], [-3e120, 0.0]])
    scores = model.score_samples(far)
    assert np.all(np.isfinite(scores)) and np.all(scores < -1e200)
    resp = model.predict_proba(far)
    assert np.all(np.isfinite(resp))
    assert_allclose(resp.sum(axis=1), 1.0)
    assert_array_equal(model.predict(far), resp.argmax(axis=1))
    # The ordinary rows beside them are untouched.
    assert_allclose(
        model.score_samples(np.r_[X[:3], far])[:3], model.score_samples(X[:3])
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_rows_whose_squared_distances_overflow_get_minus_inf_and_the_weights(
    covariance_type,
):
    model, X = two_blobs_fit(covariance_type)
    far = np.array([[1e200, -1e200], [3e170, 0.0]])
    # No RuntimeWarning either (pytest turns them into errors).
    scores = model.score_samples(far)
    resp = model.predict_proba(far)
    assert_array_equal(model.predict(far), np.argmax(model.weights_))
    assert_array_equal(scores, -np.inf)
    assert_allclose(resp, np.tile(model.weights_, (2, 1)))


def test_binomial_rows_unlikely_under_every_component_stay_finite():
    # Log-masses near -1e6 under every component: exp underflows, the
    # log-sum-exp does not.
    X = np.r_[np.full((20, 1), 10.0), np.full((20, 1), 20.0), [[1e6]]]
    model = BinomialMixture(
        2,
        n_trials=1e6,
        probabilities_init=[[1e-5], [2e-5]],
        weights_init=[0.5, 0.5],
        max_iter=0,
    ).fit(X)
    scores = model.score_samples(X)
    assert np.all(np.isfinite(scores))
    assert scores[-1] < -1e5
    assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
    assert np.all(np.isfinite(model.predict_proba(X)))
