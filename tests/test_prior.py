"""Prior knowledge: the Gaussian conjugate prior against mclust, labels, fixed.

The mclust figures are R's (``tests/data/mclust_prior.json``, made by
``benchmarks/mclust_prior.R``): ``Mclust(X, G, modelNames, prior =
priorControl(), control = emControl(tol = c(1e-12, 1e-12)))`` on scikit-learn's
wine (raw and standardized) and iris data. Behaviour every family shares
(labels, fixed weights, the MAP objective) is tested over the grid of
``tests/test_mixture.py``.
"""

import json
import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats
from sklearn import config_context
from sklearn.datasets import load_iris, load_wine

from skem import GaussianMixtureEM
from tests.test_mixture import CASES, assert_same_parameters, parametrize_cases

#: The families with a prior: all but the engine's small test family.
PRIOR_CASES = [case for case in CASES if case.name != "poisson"]
parametrize_prior_cases = pytest.mark.parametrize(
    "case", PRIOR_CASES, ids=lambda c: c.name
)

MCLUST = json.loads((Path(__file__).parent / "data" / "mclust_prior.json").read_text())
MCLUST_FITS = [fit for fit in MCLUST["fits"] if "failed" not in fit]
EPS = np.finfo(np.float64).eps


def _data(name):
    wine = load_wine().data
    return {
        "wine": wine,
        "wine_std": (wine - wine.mean(axis=0)) / wine.std(axis=0),
        "iris": load_iris().data,
    }[name]


def _precisions(covariances, covariance_type):
    if covariance_type in ("full", "tied"):
        return np.linalg.inv(covariances)
    return 1.0 / np.asarray(covariances)


def _mclust_model(fit, **params):
    """GaussianMixtureEM(prior='conjugate') started at mclust's solution."""
    covariance_type = fit["covariance_type"]
    return GaussianMixtureEM(
        fit["G"],
        covariance_type=covariance_type,
        prior="conjugate",
        reg_covar=0.0,
        weights_init=fit["weights"],
        means_init=fit["means"],
        precisions_init=_precisions(np.array(fit["covariances"]), covariance_type),
        **params,
    )


def _relative_change(ours, theirs):
    theirs = np.asarray(theirs)
    return np.abs(np.asarray(ours) - theirs).max() / np.abs(theirs).max()


mclust_fits = pytest.mark.parametrize(
    "fit",
    MCLUST_FITS,
    ids=lambda f: f"{f['data']}-G{f['G']}-{f['mclust_model']}",
)


@mclust_fits
def test_default_hyperparameters_are_mclusts(fit):
    model = _mclust_model(fit, max_iter=0).fit(_data(fit["data"]))
    prior = model.prior_
    assert prior["shrinkage"] == fit["prior"]["shrinkage"]
    assert prior["dof"] == fit["prior"]["dof"]
    # Sums of n rows: |fl(sum x) - sum x| <= n eps sum |x| (with a factor 4
    # for the centring and R's own order of summation), per entry.
    X = _data(fit["data"])
    n = len(X)
    mean_bound = 4 * n * EPS * np.abs(X).mean(axis=0)
    assert np.all(np.abs(prior["mean"] - fit["prior"]["mean"]) <= mean_bound)
    spread = np.abs(X - X.mean(axis=0))
    if np.ndim(fit["prior"]["scale"]) == 2:
        scale_bound = 4 * n * EPS * (spread.T @ spread) / (n - 1)
    else:
        scale_bound = 4 * n * EPS * np.mean(spread**2) * 2
    factor = (1.0 / fit["G"]) ** (2.0 / X.shape[1])
    difference = np.abs(prior["scale"] - np.asarray(fit["prior"]["scale"]))
    assert np.all(difference <= factor * scale_bound)


@mclust_fits
def test_mclust_solutions_are_fixed_points_of_map_em(fit):
    """One MAP-EM step from mclust's answer moves it as little as R's own step.

    R's step from its returned parameters moved them by
    ``fixed_point_max_rel_change`` (mclust stops at a relative log-likelihood
    change of 1e-12, not at the exact fixed point). skem evaluates the same
    map, so its step moves them by that much, up to rounding: a few hundred
    eps relative at these condition numbers. A wrong formula (a denominator
    off by one pseudo-observation) moves them by 1e-3 or more.
    """
    X = _data(fit["data"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter=1 does not converge
        model = _mclust_model(fit, max_iter=1, tol=0).fit(X)
    bound = 2 * fit["fixed_point_max_rel_change"] + 1e3 * EPS
    assert _relative_change(model.weights_, fit["weights"]) <= bound
    assert _relative_change(model.means_, fit["means"]) <= bound
    assert _relative_change(model.covariances_, fit["covariances"]) <= bound


@mclust_fits
def test_map_em_converges_to_mclusts_solution(fit):
    """From a perturbed start skem's MAP-EM climbs back to mclust's optimum.

    The run stops when Aitken's estimate of the remaining gain of the total
    log posterior is below 1e-10; near an optimum the objective is
    quadratic, so the parameters are then within about sqrt(1e-10) = 1e-5
    (relative, for these well-conditioned optima) of it.
    """
    X = _data(fit["data"])
    covariance_type, G = fit["covariance_type"], fit["G"]
    rng = np.random.RandomState(0)
    means = np.array(fit["means"])
    start = means + 0.05 * X.std(axis=0) * rng.standard_normal(means.shape)
    covariances = 1.5 * np.array(fit["covariances"])
    model = GaussianMixtureEM(
        G,
        covariance_type=covariance_type,
        prior="conjugate",
        reg_covar=0.0,
        weights_init=np.full(G, 1.0 / G),
        means_init=start,
        precisions_init=_precisions(covariances, covariance_type),
        stopping_rule="aitken",
        tol=1e-10,
        max_iter=10_000,
    ).fit(X)
    assert model.converged_
    assert _relative_change(model.weights_, fit["weights"]) < 1e-5
    assert _relative_change(model.means_, fit["means"]) < 1e-5
    assert _relative_change(model.covariances_, fit["covariances"]) < 1e-5
    # The log-likelihood is not stationary at the MAP estimate: it moves to
    # first order with the parameters (1e-5 relative times its gradient).
    loglik = model.score(X) * len(X)
    assert loglik == pytest.approx(fit["loglik"], rel=1e-6)


@mclust_fits
def test_bic_is_mclusts_at_the_map_estimate(fit):
    # mclust's BIC is 2 loglik - npar log n, skem's (scikit-learn's) sign is
    # the opposite; the log-likelihood is R's to the rounding of its sum.
    X = _data(fit["data"])
    model = _mclust_model(fit, max_iter=0).fit(X)
    assert model.bic(X) == pytest.approx(-fit["bic"], rel=1e3 * EPS)
    assert model.score(X) * len(X) == pytest.approx(fit["loglik"], rel=1e3 * EPS)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_lower_bound_is_the_log_posterior(covariance_type):
    """lower_bound_ = (log-likelihood + log prior) / n, the prior from scipy."""
    X = load_iris().data
    model = GaussianMixtureEM(
        3, covariance_type=covariance_type, prior="conjugate", random_state=0
    ).fit(X)
    prior = model.prior_
    kappa, mu, nu, scale = (prior[k] for k in ("shrinkage", "mean", "dof", "scale"))
    means, covariances = model.means_, model.covariances_
    log_prior = 0.0
    for k in range(3):
        if covariance_type in ("full", "tied"):
            sigma = covariances[k] if covariance_type == "full" else covariances
            log_prior += stats.multivariate_normal.logpdf(means[k], mu, sigma / kappa)
            if covariance_type == "full":
                log_prior += stats.invwishart.logpdf(sigma, df=nu, scale=scale)
        else:
            variances = np.broadcast_to(covariances[k], means[k].shape)
            log_prior += stats.norm.logpdf(
                means[k], mu, np.sqrt(variances / kappa)
            ).sum()
            inverse_gamma = stats.invgamma(nu / 2, scale=scale / 2)
            log_prior += inverse_gamma.logpdf(np.atleast_1d(covariances[k])).sum()
    if covariance_type == "tied":
        log_prior += stats.invwishart.logpdf(covariances, df=nu, scale=scale)
    expected = model.score(X) + log_prior / len(X)
    assert model.lower_bound_ == pytest.approx(expected, rel=1e-12)
    assert model.lower_bound_ != pytest.approx(model.score(X), rel=1e-6)


def test_prior_keeps_a_collapsing_component_finite():
    """Four identical rows: maximum likelihood collapses, the prior does not."""
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(size=(60, 2)), np.tile([[4.0, 4.0]], (4, 1))])
    means_init = [[0.0, 0.0], [4.0, 4.0]]
    ml = GaussianMixtureEM(2, reg_covar=0.0, means_init=means_init)
    with pytest.raises(ValueError, match="ill-defined empirical covariance"):
        ml.fit(X)
    model = GaussianMixtureEM(
        2, reg_covar=0.0, means_init=means_init, prior="conjugate"
    ).fit(X)
    smallest = np.linalg.eigvalsh(model.covariances_).min()
    # The prior's scale over its degrees of freedom and the 4 rows bounds
    # the collapsed component's variances from below.
    floor = np.linalg.eigvalsh(model.prior_["scale"]).min() / (4 + 4 + 2 + 2 + 1)
    assert smallest >= floor
    assert model.degenerate_components_ == {}


def test_prior_dict_sets_the_hyperparameters_and_bad_ones_are_named():
    X = load_iris().data
    prior = {"shrinkage": 0.5, "mean": np.zeros(4), "dof": 10, "scale": np.eye(4)}
    model = GaussianMixtureEM(2, prior=prior, random_state=0).fit(X)
    assert model.prior_["shrinkage"] == 0.5
    assert_array_equal(model.prior_["scale"], np.eye(4))
    bad = [
        ({"shrink": 1.0}, "unknown keys \\['shrink'\\]"),
        ({"dof": 2}, "prior\\['dof'\\] must be above n_features - 1 = 3"),
        ({"scale": np.eye(3)}, "must be a \\(4, 4\\) matrix"),
        ({"scale": -np.eye(4)}, "symmetric positive definite"),
        ({"mean": [0.0, 1.0]}, "prior\\['mean'\\] must hold 4 finite values"),
        ({"shrinkage": -1.0}, "prior\\['shrinkage'\\] must be >= 0"),
        ({"weight_concentration": 0.5}, "weight_concentration'\\] must be"),
    ]
    for spec, message in bad:
        with pytest.raises(ValueError, match=message):
            GaussianMixtureEM(2, prior=spec).fit(X)


def test_map_estimate_with_every_row_labelled_is_the_closed_form():
    """All rows labelled: one MAP step of the classes, checked by hand."""
    X = load_iris().data
    y = load_iris().target
    model = GaussianMixtureEM(3, prior="conjugate", reg_covar=0.0).fit(X, labels=y)
    prior = model.prior_
    kappa, mu, nu, scale = (prior[k] for k in ("shrinkage", "mean", "dof", "scale"))
    for k in range(3):
        rows = X[y == k]
        n, xbar = len(rows), rows.mean(axis=0)
        mean = (n * xbar + kappa * mu) / (n + kappa)
        scatter = (rows - xbar).T @ (rows - xbar)
        shift = np.outer(xbar - mu, xbar - mu) * kappa * n / (kappa + n)
        covariance = (scale + scatter + shift) / (n + nu + 4 + 2)
        assert_allclose(model.means_[k], mean, rtol=1e-12)
        assert_allclose(model.covariances_[k], covariance, rtol=1e-10)
    assert_allclose(model.weights_, np.bincount(y) / len(y), rtol=1e-12)


def test_fixed_means_give_the_covariances_around_them():
    X = load_iris().data
    y = load_iris().target
    means = np.array([[5.0, 3.4, 1.5, 0.2], [6.0, 2.8, 4.3, 1.3], [6.6, 3.0, 5.5, 2.0]])
    model = GaussianMixtureEM(3, means_init=means, fixed=("means",), reg_covar=0.0).fit(
        X, labels=y
    )
    assert_array_equal(model.means_, means)
    for k in range(3):
        centred = X[y == k] - means[k]
        assert_allclose(
            model.covariances_[k], centred.T @ centred / len(centred), rtol=1e-12
        )


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_fixed_covariances_and_means_stay_and_leave_bic(covariance_type):
    X = load_iris().data
    free = GaussianMixtureEM(3, covariance_type=covariance_type, random_state=0).fit(X)
    precisions = free.precisions_
    model = GaussianMixtureEM(
        3,
        covariance_type=covariance_type,
        precisions_init=precisions,
        fixed=("covariances",),
        random_state=1,
        tol=1e-8,
        max_iter=500,
    ).fit(X)
    # precisions_ are recomputed from their Cholesky factors.
    assert_allclose(model.precisions_, precisions, rtol=1e-12, atol=0)
    assert_allclose(model.covariances_, free.covariances_, rtol=1e-10)
    assert np.diff(model.lower_bounds_).min() >= -1e-12 * abs(model.lower_bound_)
    n_free = {"full": 30, "tied": 10, "diag": 12, "spherical": 3}[covariance_type]
    n = len(X)
    penalty = model.bic(X) + 2 * model.score(X) * n
    assert penalty == pytest.approx((12 + 2) * np.log(n), rel=1e-9)
    penalty_free = free.bic(X) + 2 * free.score(X) * n
    assert penalty_free == pytest.approx((n_free + 12 + 2) * np.log(n), rel=1e-9)


def test_fixed_names_are_checked():
    X = load_iris().data
    cases = [
        (dict(fixed=("probabilities",)), "'probabilities', which is not a parameter"),
        (dict(fixed=("means",)), "means_init is None: pass means_init"),
        (dict(fixed=("weights",)), "weights_init is None: pass weights_init"),
        (dict(fixed=("covariances",)), "precisions_init is None"),
        (dict(fixed=("means", "means"), means_init=X[:2]), "twice"),
        (dict(fixed=(1,)), "tuple of parameter names"),
    ]
    for params, message in cases:
        with pytest.raises(ValueError, match=message):
            GaussianMixtureEM(2, **params).fit(X)


# ----------------------------------------------------------------------
# Labels and fixed weights: every family
# ----------------------------------------------------------------------
def _labels(case, fraction, seed=0):
    """Labels of about ``fraction`` of the rows from a fit's predictions."""
    truth = case.fixed_start(tol=1e-8, max_iter=300).fit(case.X).predict(case.X)
    rng = np.random.RandomState(seed)
    known = rng.uniform(size=len(truth)) < fraction
    return np.where(known, truth, -1)


@parametrize_cases
def test_labelled_rows_enter_the_objective_as_complete_data(case):
    """lower_bound_ = mean of log p(x) (unlabelled), log pi_y p(x | y) (labelled)."""
    labels = _labels(case, 0.3)
    model = case.model(random_state=0, tol=1e-10, max_iter=500).fit(
        case.X, labels=labels
    )
    assert np.diff(model.lower_bounds_).min() >= -1e-12 * abs(model.lower_bound_)
    log_density = model.score_samples(case.X)
    known = labels >= 0
    proba = model.predict_proba(case.X)
    complete = log_density[known] + np.log(proba[known, labels[known]])
    expected = (log_density[~known].sum() + complete.sum()) / len(case.X)
    assert model.lower_bound_ == pytest.approx(expected, rel=1e-10)


@parametrize_cases
def test_every_row_labelled_is_the_supervised_fit_of_each_class(case):
    """All labelled: weights are the class fractions, components the classes' fits.

    Each component is then the one-component fit of its class's rows (for
    'tied' covariances only the means: the covariance is pooled).
    """
    labels = _labels(case, 1.0)
    settings = dict(tol=1e-12, max_iter=5000, stopping_rule="aitken")
    model = case.model(**settings).fit(case.X, labels=labels)
    assert_allclose(
        model.weights_, np.bincount(labels, minlength=3) / len(labels), rtol=1e-12
    )
    ours_means, ours_cov = case.moments(model)
    tied = getattr(model, "covariance_type", None) == "tied"
    if tied and hasattr(model, "degrees_of_freedom_"):
        # A t component's mean weighs its rows by the pooled scale: the
        # classes are not fitted one by one.
        return
    # atol: probability floors (1e-10) of the categories or counts a class
    # never shows, times squared codes (< 100).
    rtol, atol = 1e-7, 1e-8
    if hasattr(model, "degrees_of_freedom_"):
        # The likelihood is nearly flat in the degrees of freedom (about 20
        # here): runs stopped at an objective gap of 1e-12 leave them about
        # 1e-3 relative apart, and the means move with them by about 1e-6.
        rtol, atol = 1e-4, 1e-5
    for k in range(3):
        single = case.model(n_components=1, **settings)
        if hasattr(single, "columns"):  # a mixed model's groups keep their k
            single.set_params(columns=_one_component_columns(single.columns))
        single.fit(case.X[labels == k])
        means, covariances = case.moments(single)
        assert_allclose(ours_means[k], means[0], rtol=rtol, atol=atol)
        if not tied:
            assert_allclose(ours_cov[k], covariances[0], rtol=10 * rtol, atol=atol)


def _one_component_columns(columns):
    return [
        (
            name,
            spec,
            {key: value for key, value in options.items() if "init" not in key},
        )
        for name, spec, options in columns
    ]


@parametrize_cases
def test_labels_with_integer_weights_equal_repeated_rows(case):
    labels = _labels(case, 0.4)
    weights = np.random.RandomState(1).randint(0, 3, size=len(case.X))
    weighted = case.fixed_start(tol=1e-10, max_iter=50).fit(
        case.X, sample_weight=weights, labels=labels
    )
    repeated = case.fixed_start(tol=1e-10, max_iter=50).fit(
        np.repeat(case.X, weights, axis=0), labels=np.repeat(labels, weights)
    )
    assert weighted.lower_bound_ == pytest.approx(repeated.lower_bound_, rel=1e-10)
    assert_allclose(weighted.weights_, repeated.weights_, rtol=1e-8, atol=1e-10)


@parametrize_cases
def test_labels_do_not_depend_on_the_block_size(case):
    labels = _labels(case, 0.3)
    whole = case.fixed_start(max_iter=5).fit(case.X, labels=labels)
    with config_context(working_memory=0.004):  # blocks of a few dozen rows
        blocks = case.fixed_start(max_iter=5).fit(case.X, labels=labels)
    assert blocks.lower_bound_ == pytest.approx(whole.lower_bound_, rel=1e-12)
    assert_allclose(blocks.weights_, whole.weights_, rtol=1e-10)


@parametrize_cases
def test_partial_fit_takes_labels(case):
    labels = _labels(case, 1.0)
    model = case.fixed_start()
    model.partial_fit(case.X, labels=labels)
    # One step from the fixed start with every row labelled: the classes'
    # fractions (the weights' M-step of one-hot responsibilities).
    assert_allclose(
        model.weights_, np.bincount(labels, minlength=3) / len(labels), rtol=1e-12
    )


@pytest.mark.parametrize(
    "labels, message",
    [
        (np.zeros(5, dtype=int), "labels has 5 rows, but X has"),
        (np.full((300, 1), 0), "labels must be 1D"),
        (np.full(300, 3), "a component in \\[0, 2\\], got 3 at row 0"),
        (np.full(300, -2), "got -2 at row 0"),
        (np.full(300, 0.5), "labels must be integers"),
        (np.array(["a"] * 300), "labels must be integers"),
    ],
)
def test_bad_labels_are_named(labels, message):
    case = CASES[1]
    with pytest.raises(ValueError, match=message):
        case.model().fit(case.X, labels=labels)


@parametrize_cases
def test_fixed_weights_stay_and_leave_bic(case):
    weights = np.array([0.2, 0.3, 0.5])
    model = case.model(**{**case.init, "weights_init": weights})
    model.set_params(fixed=("weights",), tol=1e-8)
    model.fit(case.X)
    assert_array_equal(model.weights_, weights.astype(model.weights_.dtype))
    assert np.diff(model.lower_bounds_).min() >= -1e-12 * abs(model.lower_bound_)
    free = case.fixed_start(tol=1e-8).fit(case.X)
    n = len(case.X)
    penalty = model.bic(case.X) + 2 * model.score(case.X) * n
    penalty_free = free.bic(case.X) + 2 * free.score(case.X) * n
    assert (penalty_free - penalty) / np.log(n) == pytest.approx(2, rel=1e-9)


@parametrize_prior_cases
def test_weight_prior_is_the_dirichlet_map(case):
    """Dirichlet(alpha) on the weights: (n_k + alpha - 1) / (n + K (alpha - 1))."""
    labels = _labels(case, 1.0)
    model = case.model(prior={"weight_concentration": 11.0}, max_iter=1)
    model.fit(case.X, labels=labels)
    counts = np.bincount(labels, minlength=3)
    expected = (counts + 10.0) / (len(labels) + 30.0)
    assert_allclose(model.weights_, expected, rtol=1e-12)


@parametrize_prior_cases
def test_prior_objective_never_decreases_and_is_map_fixed_point(case):
    model = case.model(prior="conjugate", random_state=0, tol=1e-12, max_iter=2000)
    model.fit(case.X)
    assert np.diff(model.lower_bounds_).min() >= -1e-12 * abs(model.lower_bound_)
    assert np.isfinite(model.lower_bound_)
    # One more MAP step from the answer changes the objective by less than tol.
    again = pickle.loads(pickle.dumps(model)).set_params(warm_start=True, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again.fit(case.X)
    assert again.lower_bound_ == pytest.approx(model.lower_bound_, abs=1e-9)


@parametrize_prior_cases
def test_prior_with_integer_weights_equals_repeated_rows(case):
    """The prior's data-dependent defaults weigh rows like repetitions."""
    weights = np.random.RandomState(1).randint(0, 3, size=len(case.X))
    weighted = case.fixed_start(prior="conjugate", max_iter=20).fit(
        case.X, sample_weight=weights
    )
    repeated = case.fixed_start(prior="conjugate", max_iter=20).fit(
        np.repeat(case.X, weights, axis=0)
    )
    assert weighted.lower_bound_ == pytest.approx(repeated.lower_bound_, rel=1e-10)
    _assert_same_hyperparameters(weighted.prior_, repeated.prior_)


def _assert_same_hyperparameters(ours, theirs):
    """Equal hyperparameters, in nested dicts or lists (a mixed model's groups)."""
    if isinstance(ours, dict):
        assert ours.keys() == theirs.keys()
        for name in ours:
            _assert_same_hyperparameters(ours[name], theirs[name])
    elif isinstance(ours, list | tuple):
        assert len(ours) == len(theirs)
        for mine, other in zip(ours, theirs, strict=True):
            _assert_same_hyperparameters(mine, other)
    else:
        assert_allclose(ours, theirs, rtol=1e-10)


def test_a_family_without_a_prior_says_so():
    case = next(case for case in CASES if case.name == "poisson")
    with pytest.raises(ValueError, match="PoissonFamily has no prior; use prior=None"):
        case.model(prior="conjugate").fit(case.X)


@parametrize_prior_cases
def test_partial_fit_with_one_batch_is_a_map_step(case):
    """The prior weighs against the weight seen: one batch is one MAP-EM step."""
    online = case.fixed_start(prior="conjugate").partial_fit(case.X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter=1 does not converge
        batch = case.fixed_start(prior="conjugate", max_iter=1).fit(case.X)
    assert_allclose(online.weights_, batch.weights_, rtol=1e-12)
    assert_same_parameters(online, batch, rtol=1e-10)


@pytest.mark.parametrize("case", PRIOR_CASES[1:5], ids=lambda c: c.name)
def test_squarem_reaches_the_map_estimate_of_plain_em(case):
    settings = dict(prior="conjugate", tol=1e-12, max_iter=5000, stopping_rule="aitken")
    plain = case.fixed_start(**settings).fit(case.X)
    fast = case.fixed_start(acceleration="squarem", **settings).fit(case.X)
    assert np.diff(fast.lower_bounds_).min() >= -1e-12 * abs(fast.lower_bound_)
    assert fast.lower_bound_ == pytest.approx(plain.lower_bound_, rel=1e-10)
    assert_same_parameters(fast, plain, rtol=1e-4)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_prior_with_missing_values(covariance_type):
    """NaN entries: the prior's moments leave them out feature by feature."""
    X = load_iris().data.copy()
    rng = np.random.RandomState(0)
    X[rng.uniform(size=X.shape) < 0.1] = np.nan
    model = GaussianMixtureEM(
        3, covariance_type=covariance_type, prior="conjugate", random_state=0, tol=1e-8
    ).fit(X)
    assert np.diff(model.lower_bounds_).min() >= -1e-12 * abs(model.lower_bound_)
    assert_allclose(model.prior_["mean"], np.nanmean(X, axis=0), rtol=1e-12)
    variances = np.nanvar(X, axis=0, ddof=1)
    factor = (1 / 3) ** (2 / 4)
    if covariance_type in ("full", "tied"):
        # Missing entries leave no full covariance: its diagonal.
        assert_allclose(model.prior_["scale"], factor * np.diag(variances), rtol=1e-12)
    else:
        assert model.prior_["scale"] == pytest.approx(factor * variances.mean())


@pytest.mark.parametrize("init_params", ["emem", "emem-split-merge", "hierarchical"])
def test_searches_climb_the_log_posterior(init_params):
    X = load_wine().data
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    settings = dict(prior="conjugate", random_state=0, tol=1e-8, max_iter=1000)
    plain = GaussianMixtureEM(4, **settings).fit(X)
    search = GaussianMixtureEM(4, init_params=init_params, **settings).fit(X)
    assert np.diff(search.lower_bounds_).min() >= -1e-12 * abs(search.lower_bound_)
    if init_params != "hierarchical":
        # The searches also continue k-means's start and keep the best
        # non-degenerate run: never a worse one than k-means alone.
        def key(model):
            return (not model.degenerate_components_, model.lower_bound_ + 1e-10)

        assert key(search) >= key(plain)[:1] + (plain.lower_bound_,)


def test_labels_are_routed_through_a_pipeline():
    from sklearn import config_context as sklearn_config
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    labels = np.where(np.arange(150) % 10 == 0, y, -1)
    with sklearn_config(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler(),
            GaussianMixtureEM(3, random_state=0).set_fit_request(labels=True),
        )
        pipe.fit(X, labels=labels)
    direct = GaussianMixtureEM(3, random_state=0).fit(
        StandardScaler().fit_transform(X), labels=labels
    )
    assert_allclose(pipe[-1].means_, direct.means_, rtol=1e-12)
    unlabelled = GaussianMixtureEM(3, random_state=0).fit(
        StandardScaler().fit_transform(X)
    )
    assert not np.allclose(pipe[-1].means_, unlabelled.means_)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_fixed_covariances_are_exact_under_squarem(covariance_type):
    X = load_iris().data
    free = GaussianMixtureEM(3, covariance_type=covariance_type, random_state=0).fit(X)
    model = GaussianMixtureEM(
        3,
        covariance_type=covariance_type,
        precisions_init=free.precisions_,
        means_init=free.means_ + 0.3,
        fixed=("covariances",),
        acceleration="squarem",
        tol=1e-10,
        max_iter=500,
    ).fit(X)
    held = GaussianMixtureEM(
        3,
        covariance_type=covariance_type,
        precisions_init=free.precisions_,
        means_init=free.means_ + 0.3,
        fixed=("covariances",),
        max_iter=0,
    ).fit(X)
    assert_array_equal(model.covariances_, held.covariances_)
    assert_array_equal(model.precisions_cholesky_, held.precisions_cholesky_)
    assert np.diff(model.lower_bounds_).min() >= -1e-12 * abs(model.lower_bound_)
