"""Prior knowledge in the count families: conjugate priors and fixed parameters.

BinomialMixture (Beta prior on every probability), PoissonMixture (gamma
prior on every rate) and CategoricalMixture (symmetric Dirichlet prior on
every feature's category probabilities): the MAP M-step against its closed
form and a brute-force maximization of the log posterior, the objective EM
climbs, hyperparameter checks, and ``fixed`` parameters.
"""

import warnings

import dask.array as da
import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from scipy import optimize, stats
from scipy.special import softmax
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture, CategoricalMixture, PoissonMixture


def quietly(function, *args, **kwargs):
    """``function(*args, **kwargs)`` with convergence and fit notices silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        return function(*args, **kwargs)


# ----------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------
def binomial_data(seed=0, n_samples=120, n_trials=10):
    rng = np.random.RandomState(seed)
    probabilities = np.array([[0.15, 0.7, 0.4], [0.8, 0.25, 0.5], [0.5, 0.5, 0.9]])
    labels = rng.randint(3, size=n_samples)
    X = rng.binomial(n_trials, probabilities[labels]).astype(float)
    return X, labels


def poisson_data(seed=0, n_samples=150):
    rng = np.random.RandomState(seed)
    rates = np.array([[0.5, 6.0, 2.0], [7.0, 1.0, 2.5], [3.0, 3.0, 9.0]])
    labels = rng.randint(3, size=n_samples)
    exposure = rng.uniform(0.5, 2.0, n_samples)
    X = rng.poisson(rates[labels] * exposure[:, np.newaxis]).astype(float)
    return X, labels, exposure


def categorical_data(seed=0, n_samples=150):
    rng = np.random.RandomState(seed)
    n_categories = [2, 4, 3]
    labels = rng.randint(3, size=n_samples)
    X = np.empty((n_samples, len(n_categories)))
    for j, c in enumerate(n_categories):
        table = rng.dirichlet(np.full(c, 0.7), size=3)
        X[:, j] = [rng.choice(c, p=table[k]) for k in labels]
    return X, labels


# ----------------------------------------------------------------------
# MAP closed forms, against brute force
# ----------------------------------------------------------------------
def test_binomial_map_is_the_beta_posterior_mode():
    X, _ = binomial_data()
    alpha, beta = np.array([2.0, 3.5, 1.0]), np.array([1.5, 4.0, 1.0])
    model = BinomialMixture(1, n_trials=10, prior={"alpha": alpha, "beta": beta})
    model.fit(X)
    S, N = X.sum(axis=0), 10.0 * len(X)
    expected = (S + alpha - 1) / (N + alpha + beta - 2)
    assert_allclose(model.probabilities_[0], expected, rtol=1e-12)
    for j in range(X.shape[1]):

        def negative_log_posterior(p, j=j):
            return -(
                stats.binom.logpmf(X[:, j], 10, p).sum()
                + stats.beta.logpdf(p, alpha[j], beta[j])
            )

        brute = optimize.minimize_scalar(
            negative_log_posterior,
            bounds=(1e-9, 1 - 1e-9),
            method="bounded",
            options={"xatol": 1e-12},
        )
        assert model.probabilities_[0, j] == pytest.approx(brute.x, abs=1e-7)
    assert expected[0] != pytest.approx(S[0] / N, abs=1e-4)  # the prior matters


def test_binomial_conjugate_is_laplace_rule_on_labelled_components():
    # Every row labelled: the supervised MAP, (S_k + 1) / (N_k + 2).
    X, labels = binomial_data(seed=1)
    weight = np.random.RandomState(1).uniform(0.2, 3.0, len(X))
    model = BinomialMixture(3, n_trials=10, prior="conjugate")
    model.fit(X, sample_weight=weight, labels=labels)
    for k in range(3):
        mine = labels == k
        S = weight[mine] @ X[mine]
        N = 10.0 * weight[mine].sum()
        assert_allclose(model.probabilities_[k], (S + 1) / (N + 2), rtol=1e-10)


def test_poisson_map_is_the_gamma_posterior_mode():
    X, _, exposure = poisson_data()
    shape, rate = np.array([3.0, 1.0, 8.0]), np.array([0.5, 2.0, 4.0])
    model = PoissonMixture(1, prior={"shape": shape, "rate": rate})
    model.fit(X, exposure=exposure)
    S, E = X.sum(axis=0), exposure.sum()
    expected = (S + shape - 1) / (E + rate)
    assert_allclose(model.rates_[0], expected, rtol=1e-12)
    for j in range(X.shape[1]):

        def negative_log_posterior(log_rate, j=j):
            lam = np.exp(log_rate)
            return -(
                stats.poisson.logpmf(X[:, j], lam * exposure).sum()
                + stats.gamma.logpdf(lam, shape[j], scale=1.0 / rate[j])
            )

        brute = optimize.minimize_scalar(
            negative_log_posterior, bracket=(-2.0, 3.0), tol=1e-12
        )
        assert model.rates_[0, j] == pytest.approx(np.exp(brute.x), rel=1e-6)


def test_poisson_default_shape_is_one_plus_rate_times_the_mean_rate():
    X, labels, exposure = poisson_data(seed=2)
    X[::7, 1] = np.nan
    weight = np.random.RandomState(2).uniform(0.5, 2.0, len(X))
    model = PoissonMixture(3, prior={"rate": 0.5}, init_params="hierarchical")
    model.fit(X, sample_weight=weight, exposure=exposure, labels=labels)
    observed = ~np.isnan(X)
    mean = (weight @ np.nan_to_num(X)) / ((weight * exposure) @ observed)
    assert set(model.prior_) == {"shape", "rate", "weight_concentration"}
    assert_allclose(model.prior_["shape"], 1.0 + 0.5 * mean, rtol=1e-12)
    assert_allclose(model.prior_["rate"], 0.5)
    assert model.prior_["weight_concentration"] == 1.0
    for k in range(3):  # labelled: the MAP of each component's rows
        mine = labels == k
        S = weight[mine] @ np.nan_to_num(X[mine])
        E = (weight[mine] * exposure[mine]) @ observed[mine]
        assert_allclose(model.rates_[k], (S + 0.5 * mean) / (E + 0.5), rtol=1e-10)


def test_categorical_map_is_the_dirichlet_posterior_mode():
    X, _ = categorical_data()
    X[::9, 2] = np.nan
    c = 3.0
    model = CategoricalMixture(1, prior={"concentration": c}).fit(X)
    assert_array_equal(model.n_categories_, [2, 4, 3])
    for j, n_categories in enumerate(model.n_categories_):
        seen = X[~np.isnan(X[:, j]), j].astype(int)
        counts = np.bincount(seen, minlength=n_categories)
        expected = (counts + c - 1) / (len(seen) + n_categories * (c - 1))
        fitted = model.category_probabilities_[0, j]
        assert_allclose(fitted[:n_categories], expected, rtol=0, atol=1e-9)
        assert_array_equal(fitted[n_categories:], 0.0)  # padding

        def negative_log_posterior(logits, counts=counts):
            p = softmax(np.concatenate([[0.0], logits]))
            return -(counts @ np.log(p) + stats.dirichlet.logpdf(p, np.full(len(p), c)))

        brute = optimize.minimize(
            negative_log_posterior,
            np.zeros(n_categories - 1),
            method="BFGS",
            options={"gtol": 1e-10},
        )
        brute_p = softmax(np.concatenate([[0.0], brute.x]))
        assert_allclose(fitted[:n_categories], brute_p, atol=1e-6)


def test_categorical_conjugate_is_add_one_smoothing_on_labelled_components():
    X, labels = categorical_data(seed=3)
    model = CategoricalMixture(3, prior="conjugate").fit(X, labels=labels)
    for k in range(3):
        for j, n_categories in enumerate(model.n_categories_):
            counts = np.bincount(X[labels == k, j].astype(int), minlength=n_categories)
            expected = (counts + 1) / (counts.sum() + n_categories)
            assert_allclose(  # up to the probability floor's affine map
                model.category_probabilities_[k, j, :n_categories],
                expected,
                rtol=0,
                atol=1e-9,
            )


# ----------------------------------------------------------------------
# The objective: log posterior, monotone
# ----------------------------------------------------------------------
def log_prior_of(model):
    """The prior's log density at the fitted parameters, by scipy.stats."""
    prior = model.prior if isinstance(model.prior, dict) else {}
    if isinstance(model, BinomialMixture):
        a, b = prior.get("alpha", 2.0), prior.get("beta", 2.0)
        return stats.beta.logpdf(model.probabilities_, a, b).sum()
    if isinstance(model, PoissonMixture):
        shape, rate = model.prior_["shape"], model.prior_["rate"]
        return stats.gamma.logpdf(model.rates_, shape, scale=1.0 / rate).sum()
    c = prior.get("concentration", 2.0)
    total = 0.0
    for k in range(model.n_components):
        for j, n_categories in enumerate(model.n_categories_):
            p = model.category_probabilities_[k, j, :n_categories]
            total += stats.dirichlet.logpdf(p / p.sum(), np.full(n_categories, c))
    return total


#: The fitted component parameters of each family.
PARAMETERS = {
    "binomial": ("probabilities_",),
    "poisson": ("rates_",),
    "categorical": ("category_probabilities_",),
}

CASES = {
    "binomial": (
        lambda **kw: BinomialMixture(3, n_trials=10, **kw),
        lambda: binomial_data()[0],
    ),
    "poisson": (lambda **kw: PoissonMixture(3, **kw), lambda: poisson_data()[0]),
    "categorical": (
        lambda **kw: CategoricalMixture(3, **kw),
        lambda: categorical_data()[0],
    ),
}


@pytest.mark.parametrize("family", CASES)
def test_lower_bound_is_the_log_posterior_per_sample(family):
    make, data = CASES[family]
    X = data()
    model = quietly(make(prior="conjugate", random_state=0).fit, X)
    n = len(X)
    expected = (model.score(X) * n + log_prior_of(model)) / n
    assert model.lower_bound_ == pytest.approx(expected, rel=1e-10)
    # The log prior alone: n * (lower_bound_ - score), whose rounding is that
    # of two sums over n rows of terms of magnitude |lower_bound_|, to
    # n * |lower_bound_| * eps each.
    rounding = 1e3 * n * np.finfo(np.float64).eps * abs(model.lower_bound_)
    assert n * (model.lower_bound_ - model.score(X)) == pytest.approx(
        log_prior_of(model), abs=rounding
    )


@pytest.mark.parametrize("family", CASES)
@pytest.mark.parametrize("acceleration", [None, "squarem"])
@pytest.mark.parametrize(
    "prior", ["conjugate", {"weight_concentration": 3.0}], ids=["conjugate", "weights"]
)
def test_lower_bounds_never_decrease_under_the_prior(family, acceleration, prior):
    make, data = CASES[family]
    X = data()
    if family == "binomial" and isinstance(prior, dict):
        prior = {**prior, "alpha": [1.0, 3.0, 1.5], "beta": 2.5}
    model = make(
        prior=prior, acceleration=acceleration, tol=0, max_iter=60, random_state=1
    )
    model = quietly(model.fit, X)
    values = np.asarray(model.lower_bounds_)
    slack = 1e-12 * np.abs(values[1:])
    assert np.all(np.diff(values) >= -slack), np.diff(values).min()
    assert len(values) > 5


def test_prior_keeps_binomial_probabilities_inside_where_ml_hits_the_floor():
    X, _ = binomial_data(seed=4)
    X = np.column_stack([X, np.zeros(len(X)), np.full(len(X), 10.0)])
    params = dict(n_trials=10, init_params="hierarchical", random_state=0)
    ml = quietly(BinomialMixture(2, **params).fit, X)
    floor = ml.probability_floor
    assert_allclose(ml.probabilities_[:, 3], floor)
    assert_allclose(ml.probabilities_[:, 4], 1 - floor)
    laplace = quietly(BinomialMixture(2, prior="conjugate", **params).fit, X)
    smallest = 1.0 / (10 * len(X) + 2)  # (0 + 1) / (N_k + 2), N_k <= 10 n
    assert np.all(laplace.probabilities_[:, 3] >= smallest)
    assert np.all(laplace.probabilities_[:, 4] <= 1 - smallest)
    assert np.all(laplace.probabilities_[:, 3] < 0.05)


def test_prior_keeps_unseen_categories_above_the_floor():
    X, labels = categorical_data(seed=5)
    X[labels == 0, 1] = 0  # component 0 shows only category 0 of feature 1
    ml = quietly(CategoricalMixture(3).fit, X, labels=labels)
    assert_allclose(ml.category_probabilities_[0, 1, 1:], ml.probability_floor)
    smoothed = quietly(CategoricalMixture(3, prior="conjugate").fit, X, labels=labels)
    n = np.sum(labels == 0)
    assert_allclose(
        smoothed.category_probabilities_[0, 1, 1:], 1 / (n + 4), rtol=0, atol=1e-9
    )


# ----------------------------------------------------------------------
# Hyperparameter checks
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, X, prior, message",
    [
        (
            lambda p: BinomialMixture(2, n_trials=10, prior=p),
            binomial_data()[0],
            {"alpha": 2.0, "gamma": 1.0},
            r"prior has unknown keys \['gamma'\]; BinomialMixture's prior takes "
            r"\['alpha', 'beta', 'weight_concentration'\]",
        ),
        (
            lambda p: BinomialMixture(2, n_trials=10, prior=p),
            binomial_data()[0],
            {"alpha": 0.5},
            r"prior\['alpha'\] must be finite and >= 1, got 0.5",
        ),
        (
            lambda p: BinomialMixture(2, n_trials=10, prior=p),
            binomial_data()[0],
            {"beta": [2.0, 2.0]},
            r"prior\['beta'\] must be a number or have shape \(n_features,\) = "
            r"\(3,\), got shape \(2,\)",
        ),
        (
            lambda p: BinomialMixture(2, n_trials=10, prior=p),
            binomial_data()[0],
            {"beta": [2.0, np.nan, 2.0]},
            r"prior\['beta'\] must be finite and >= 1, got nan for feature 1",
        ),
        (
            lambda p: PoissonMixture(2, prior=p),
            poisson_data()[0],
            {"rate": 0.0},
            r"prior\['rate'\] must be finite and > 0, got 0",
        ),
        (
            lambda p: PoissonMixture(2, prior=p),
            poisson_data()[0],
            {"shape": 0.9},
            r"prior\['shape'\] must be finite and >= 1, got 0.9",
        ),
        (
            lambda p: PoissonMixture(2, prior=p),
            poisson_data()[0],
            {"alpha": 2.0},
            r"prior has unknown keys \['alpha'\]; PoissonMixture's prior takes "
            r"\['shape', 'rate', 'weight_concentration'\]",
        ),
        (
            lambda p: CategoricalMixture(2, prior=p),
            categorical_data()[0],
            {"concentration": 0.5},
            r"prior\['concentration'\] must be finite and >= 1, got 0.5",
        ),
        (
            lambda p: CategoricalMixture(2, prior=p),
            categorical_data()[0],
            {"concentration": "a lot"},
            r"prior\['concentration'\] must be a number >= 1 or an array",
        ),
        (
            lambda p: CategoricalMixture(2, prior=p),
            categorical_data()[0],
            {"weight_concentration": 0.5},
            r"prior\['weight_concentration'\] must be a finite number >= 1",
        ),
    ],
)
def test_bad_priors_are_refused_naming_the_key(make, X, prior, message):
    with pytest.raises(ValueError, match=message):
        make(prior).fit(X)


@pytest.mark.parametrize("family", CASES)
def test_weight_concentration_alone_leaves_the_components_at_ml(family):
    # The dict's other keys take their conjugate defaults; alpha = 1 and
    # beta = 1 (or concentration 1) are maximum likelihood.
    make, data = CASES[family]
    X = data()
    flat = {
        "binomial": {"alpha": 1.0, "beta": 1.0},
        "poisson": {"shape": 1.0, "rate": 1e-300},
        "categorical": {"concentration": 1.0},
    }[family]
    init = dict(init_params="hierarchical", random_state=0)
    ml = quietly(make(**init).fit, X)
    flat_prior = quietly(make(prior=flat, **init).fit, X)
    for name in PARAMETERS[family]:
        assert_allclose(getattr(flat_prior, name), getattr(ml, name), rtol=1e-6)


# ----------------------------------------------------------------------
# Fixed parameters
# ----------------------------------------------------------------------
def fixed_cases():
    rng = np.random.RandomState(6)
    Xb = binomial_data()[0]
    Xp = poisson_data()[0]
    Xc = categorical_data()[0]
    probabilities = rng.uniform(0.2, 0.8, (3, 3))
    rates = rng.uniform(1.0, 6.0, (3, 3))
    tables = np.zeros((3, 3, 4))
    for j, c in enumerate([2, 4, 3]):
        tables[:, j, :c] = rng.dirichlet(np.ones(c), size=3)
    return {
        "binomial": (
            lambda **kw: BinomialMixture(3, n_trials=10, **kw),
            Xb,
            "probabilities",
            "probabilities_",
            {"probabilities_init": probabilities},
            9,
        ),
        "poisson": (
            lambda **kw: PoissonMixture(3, **kw),
            Xp,
            "rates",
            "rates_",
            {"rates_init": rates},
            9,
        ),
        "categorical": (
            lambda **kw: CategoricalMixture(3, **kw),
            Xc,
            "category_probabilities",
            "category_probabilities_",
            {"category_probabilities_init": tables},
            3 * (1 + 3 + 2),  # sum_j (C_j - 1) per component, not the padding
        ),
    }


def n_parameters_by_bic(model, X):
    """Free parameters that ``model.bic`` counts."""
    n = len(X)
    return (model.bic(X) + 2 * n * model.score(X)) / np.log(n)


@pytest.mark.parametrize("family", ["binomial", "poisson", "categorical"])
@pytest.mark.parametrize("acceleration", [None, "squarem"])
def test_fixed_components_stay_and_bic_counts_fewer(family, acceleration):
    make, X, name, attribute, init, n_held = fixed_cases()[family]
    common = dict(acceleration=acceleration, random_state=0, tol=0, max_iter=40)
    held = quietly(make(fixed=(name,), **init, **common).fit, X)
    start = quietly(make(fixed=(name,), **init, max_iter=0).fit, X)
    assert_array_equal(getattr(held, attribute), getattr(start, attribute))
    assert_allclose(getattr(held, attribute), next(iter(init.values())), rtol=1e-12)
    assert not np.allclose(held.weights_, start.weights_)  # the weights moved
    values = np.asarray(held.lower_bounds_)
    assert np.all(np.diff(values) >= -1e-12 * np.abs(values[1:]))
    free = quietly(make(**init, **common).fit, X)
    assert n_parameters_by_bic(free, X) - n_parameters_by_bic(held, X) == pytest.approx(
        n_held, abs=1e-6
    )
    assert n_parameters_by_bic(held, X) == pytest.approx(2, abs=1e-6)  # weights
    both = quietly(
        make(fixed=("weights", name), weights_init=[0.2, 0.3, 0.5], **init).fit, X
    )
    assert_array_equal(both.weights_, [0.2, 0.3, 0.5])
    assert n_parameters_by_bic(both, X) == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("family", ["binomial", "poisson", "categorical"])
def test_fixed_with_a_prior_holds_the_components(family):
    make, X, name, attribute, init, _ = fixed_cases()[family]
    model = quietly(make(fixed=(name,), prior="conjugate", **init).fit, X)
    start = quietly(make(fixed=(name,), **init, max_iter=0).fit, X)
    assert_array_equal(getattr(model, attribute), getattr(start, attribute))


@pytest.mark.parametrize(
    "make, X, fixed, message",
    [
        (
            lambda f: BinomialMixture(2, n_trials=10, fixed=f),
            binomial_data()[0],
            ("means",),
            r"fixed names 'means', which is not a parameter of this model; it may "
            r"name \['weights', 'probabilities'\]",
        ),
        (
            lambda f: BinomialMixture(2, n_trials=10, fixed=f),
            binomial_data()[0],
            ("probabilities",),
            r"fixed holds 'probabilities' at its initial value, but "
            r"probabilities_init is None: pass probabilities_init",
        ),
        (
            lambda f: PoissonMixture(2, fixed=f),
            poisson_data()[0],
            ("rates",),
            r"but rates_init is None: pass rates_init",
        ),
        (
            lambda f: PoissonMixture(2, fixed=f),
            poisson_data()[0],
            ("probabilities",),
            r"it may name \['weights', 'rates'\]",
        ),
        (
            lambda f: CategoricalMixture(2, fixed=f),
            categorical_data()[0],
            ("category_probabilities",),
            r"but category_probabilities_init is None: pass "
            r"category_probabilities_init",
        ),
        (
            lambda f: CategoricalMixture(2, fixed=f),
            categorical_data()[0],
            ("weights",),
            r"weights_init is None: pass weights_init",
        ),
    ],
)
def test_bad_fixed_names_are_refused(make, X, fixed, message):
    with pytest.raises(ValueError, match=message):
        make(fixed).fit(X)


# ----------------------------------------------------------------------
# The prior with weights, missing values, blocks, online and dask
# ----------------------------------------------------------------------
@pytest.mark.parametrize("family", CASES)
def test_weighted_rows_equal_repeated_rows_under_the_prior(family):
    make, data = CASES[family]
    X = data()[:60]
    weight = np.random.RandomState(7).randint(0, 4, len(X))
    params = dict(prior="conjugate", init_params="hierarchical", random_state=0)
    weighted = quietly(make(**params).fit, X, sample_weight=weight)
    repeated = quietly(make(**params).fit, np.repeat(X, weight, axis=0))
    for name in PARAMETERS[family]:
        assert_allclose(getattr(weighted, name), getattr(repeated, name), rtol=1e-7)
    assert weighted.lower_bound_ == pytest.approx(repeated.lower_bound_, rel=1e-9)
    if family == "poisson":
        assert_allclose(weighted.prior_["shape"], repeated.prior_["shape"], rtol=1e-12)


def test_binomial_prior_with_missing_counts_is_the_observed_map():
    X, _ = binomial_data(seed=8)
    X[::5, 0] = np.nan
    X[::3, 2] = np.nan
    model = BinomialMixture(1, n_trials=10, prior={"alpha": 3.0, "beta": 2.0}).fit(X)
    observed = ~np.isnan(X)
    S = np.nansum(X, axis=0)
    N = 10.0 * observed.sum(axis=0)
    assert_allclose(model.probabilities_[0], (S + 2) / (N + 3), rtol=1e-12)


@pytest.mark.parametrize("family", CASES)
def test_small_blocks_and_dask_equal_the_whole_under_the_prior(family):
    make, data = CASES[family]
    X = data()
    X[::13, 1] = np.nan
    model = make(prior="conjugate", random_state=0, max_iter=15, tol=0)
    whole = quietly(sklearn.clone(model).fit, X)
    with sklearn.config_context(working_memory=0.0005):
        blocks = quietly(sklearn.clone(model).fit, X)
    distributed = quietly(sklearn.clone(model).fit, da.from_array(X, chunks=(40, 3)))
    for other in (blocks, distributed):
        for name in PARAMETERS[family]:
            assert_allclose(getattr(other, name), getattr(whole, name), rtol=1e-10)
        assert_allclose(other.lower_bounds_, whole.lower_bounds_, rtol=1e-10)
    if family == "poisson":
        observed = ~np.isnan(X)
        mean = np.nansum(X, axis=0) / observed.sum(axis=0)
        for other in (whole, blocks, distributed):
            assert_allclose(other.prior_["shape"], 1.0 + mean, rtol=1e-12)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_partial_fit_takes_the_map_step(family):
    X = binomial_data()[0] if family == "binomial" else poisson_data()[0]
    if family == "binomial":
        model = BinomialMixture(1, n_trials=10, prior={"alpha": 4.0, "beta": 2.0})
    else:
        model = PoissonMixture(1, prior={"shape": 4.0, "rate": 2.0})
    first, second = X[:70], X[70:]
    model.partial_fit(first)
    # One batch, one component: the MAP of the batch.
    S, n = first.sum(axis=0), len(first)
    if family == "binomial":
        expected = (S + 3) / (10 * n + 4)
        fitted = model.probabilities_[0]
    else:
        expected = (S + 3) / (n + 2)
        fitted = model.rates_[0]
    assert_allclose(fitted, expected, rtol=1e-12)
    model.partial_fit(second)
    fitted = model.probabilities_[0] if family == "binomial" else model.rates_[0]
    assert np.all(np.isfinite(fitted)) and model.n_iter_ == 2
    assert not np.allclose(fitted, expected)


def test_categorical_partial_fit_with_prior():
    X, _ = categorical_data(seed=9)
    model = CategoricalMixture(1, prior={"concentration": 5.0})
    model.partial_fit(X)
    for j, n_categories in enumerate(model.n_categories_):
        counts = np.bincount(X[:, j].astype(int), minlength=n_categories)
        expected = (counts + 4) / (len(X) + 4 * n_categories)
        assert_allclose(
            model.category_probabilities_[0, j, :n_categories],
            expected,
            rtol=0,
            atol=1e-9,
        )
