"""Engine behaviour shared by every family, tested once.

Parametrized over BinomialMixture, GaussianMixtureEM (every covariance type)
and the Poisson family of ``tests/_poisson.py``, through public API only, like
scikit-learn's ``sklearn/mixture/tests/test_mixture.py``.
"""

import re
import warnings
from dataclasses import dataclass, fields

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

import skem
from skem import BinomialMixture, GaussianMixtureEM, MixedMixture, StudentTMixture
from tests._poisson import PoissonMixture
from tests._reference import fitted_parameters

ignore_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


@dataclass
class Case:
    """A family, data drawn from it, and a fixed starting point."""

    name: str
    estimator: object  # unfitted, n_components set
    X: np.ndarray
    init: dict  # *_init parameters fixing every initial parameter
    # The components' means and covariance matrices, (n_components,
    # n_features) and (n_components, n_features, n_features), of a fitted model.
    moments: object = None

    def model(self, **params):
        return clone(self.estimator).set_params(**params)

    def fixed_start(self, **params):
        return self.model(**self.init, **params)


def binomial_case(n_samples=300, seed=0):
    rng = np.random.RandomState(seed)
    probabilities = np.array([[0.15, 0.6, 0.3], [0.55, 0.2, 0.8], [0.85, 0.9, 0.5]])
    labels = rng.choice(3, size=n_samples, p=[0.3, 0.3, 0.4])
    X = rng.binomial(12, probabilities[labels]).astype(float)
    init = dict(
        weights_init=[0.3, 0.3, 0.4],
        probabilities_init=[[0.3, 0.5, 0.4], [0.5, 0.3, 0.6], [0.7, 0.7, 0.5]],
    )
    return Case("binomial", BinomialMixture(3, n_trials=12), X, init, binomial_moments)


def binomial_moments(model):
    n, p = model.n_trials_, model.probabilities_
    return n * p, np.stack([np.diag(v) for v in n * p * (1 - p)])


def gaussian_case(covariance_type, n_samples=300, seed=0):
    rng = np.random.RandomState(seed)
    centers = np.array([[0.0, 0.0, 0.0], [2.5, 0.5, -1.0], [-1.0, 3.0, 1.5]])
    labels = rng.choice(3, size=n_samples, p=[0.3, 0.3, 0.4])
    X = centers[labels] + rng.normal(size=(n_samples, 3)) @ np.diag([1.0, 0.7, 1.3])
    precision = {
        "full": np.stack([np.eye(3)] * 3),
        "tied": np.eye(3),
        "diag": np.ones((3, 3)),
        "spherical": np.ones(3),
    }[covariance_type]
    init = dict(
        weights_init=[0.3, 0.3, 0.4],
        means_init=[[0.5, 0.5, 0.0], [1.5, 0.0, -0.5], [-0.5, 2.0, 1.0]],
        precisions_init=precision,
    )
    estimator = GaussianMixtureEM(3, covariance_type=covariance_type)
    return Case(f"gaussian-{covariance_type}", estimator, X, init, gaussian_moments)


def gaussian_moments(model):
    covariances, (n_components, n_features) = model.covariances_, model.means_.shape
    full = {
        "full": lambda: covariances,
        "tied": lambda: np.stack([covariances] * n_components),
        "diag": lambda: np.stack([np.diag(c) for c in covariances]),
        "spherical": lambda: np.stack([c * np.eye(n_features) for c in covariances]),
    }[model.covariance_type]()
    return model.means_, full


def poisson_case(n_samples=300, seed=0):
    rng = np.random.RandomState(seed)
    rates = np.array([[1.0, 6.0], [5.0, 1.5], [9.0, 9.0]])
    labels = rng.choice(3, size=n_samples, p=[0.3, 0.3, 0.4])
    X = rng.poisson(rates[labels]).astype(float)
    init = dict(weights_init=[0.3, 0.3, 0.4], rates_init=[[2, 4], [4, 2], [7, 7]])
    return Case("poisson", PoissonMixture(3), X, init, poisson_moments)


def poisson_moments(model):
    return model.rates_, np.stack([np.diag(r) for r in model.rates_])


def public_poisson_case(n_samples=300, seed=0):
    case = poisson_case(n_samples, seed)  # the same data, skem's estimator
    estimator = skem.PoissonMixture(3)
    return Case("poisson-public", estimator, case.X, case.init, poisson_moments)


def student_case(covariance_type, n_samples=300, seed=0):
    rng = np.random.RandomState(seed)
    centers = np.array([[0.0, 0.0, 0.0], [3.0, 0.5, -1.5], [-1.5, 3.5, 1.5]])
    labels = rng.choice(3, size=n_samples, p=[0.3, 0.3, 0.4])
    scales = np.sqrt(rng.chisquare(20, size=(n_samples, 1)) / 20)  # t, 20 dof
    noise = rng.normal(size=(n_samples, 3)) @ np.diag([1.0, 0.7, 1.3]) / scales
    X = centers[labels] + noise
    precision = {
        "full": np.stack([np.eye(3)] * 3),
        "tied": np.eye(3),
        "diag": np.ones((3, 3)),
        "spherical": np.ones(3),
    }[covariance_type]
    init = dict(
        weights_init=[0.3, 0.3, 0.4],
        means_init=[[0.5, 0.5, 0.0], [1.5, 0.0, -0.5], [-0.5, 2.0, 1.0]],
        precisions_init=precision,
        degrees_of_freedom_init=[15.0, 20.0, 25.0],
    )
    estimator = StudentTMixture(3, covariance_type=covariance_type)
    return Case(f"student-{covariance_type}", estimator, X, init, student_moments)


def student_moments(model):
    means, scales = gaussian_moments(model)
    dof = model.degrees_of_freedom_
    return means, scales * (dof / (dof - 2))[:, np.newaxis, np.newaxis]


def mixed_case(n_samples=300, seed=0):
    # Gaussian measurements in columns 0 and 2, binomial counts in 1 and 3.
    rng = np.random.RandomState(seed)
    centers = np.array([[0.0, 0.0], [2.5, -1.0], [-1.0, 1.5]])
    probabilities = np.array([[0.15, 0.6], [0.55, 0.2], [0.85, 0.9]])
    labels = rng.choice(3, size=n_samples, p=[0.3, 0.3, 0.4])
    X = np.empty((n_samples, 4))
    X[:, [0, 2]] = centers[labels] + rng.normal(size=(n_samples, 2))
    X[:, [1, 3]] = rng.binomial(12, probabilities[labels])
    gaussian = {
        "means_init": [[0.5, 0.0], [1.5, -0.5], [-0.5, 1.0]],
        "precisions_init": np.stack([np.eye(2)] * 3),
    }
    binomial = {
        "n_trials": 12,
        "probabilities_init": [[0.3, 0.5], [0.5, 0.3], [0.7, 0.7]],
    }
    columns = [("gaussian", [0, 2], gaussian), ("binomial", [1, 3], binomial)]
    estimator = MixedMixture(3, columns=columns)
    init = dict(weights_init=[0.3, 0.3, 0.4])
    return Case("mixed", estimator, X, init, mixed_moments)


def mixed_moments(model):
    gaussian, binomial = (group["params"] for group in model.groups_)
    means = np.empty((model.n_components, 4))
    covariances = np.zeros((model.n_components, 4, 4))
    means[:, [0, 2]] = gaussian["means_"]
    covariances[:, [[0], [2]], [0, 2]] = gaussian["covariances_"]
    n, p = binomial["n_trials_"], binomial["probabilities_"]
    means[:, [1, 3]] = n * p
    covariances[:, [1, 3], [1, 3]] = n * p * (1 - p)
    return means, covariances


def categorical_case(n_samples=300, seed=0):
    rng = np.random.RandomState(seed)
    probabilities = [  # features of 3, 2 and 4 categories
        np.array([[0.6, 0.3, 0.1], [0.1, 0.3, 0.6], [0.3, 0.4, 0.3]]),
        np.array([[0.8, 0.2], [0.3, 0.7], [0.5, 0.5]]),
        np.array([[0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4], [0.1, 0.4, 0.4, 0.1]]),
    ]
    labels = rng.choice(3, size=n_samples, p=[0.3, 0.3, 0.4])
    X = np.column_stack(
        [
            (rng.uniform(size=(n_samples, 1)) > np.cumsum(p[labels], axis=1)).sum(1)
            for p in probabilities
        ]
    ).astype(float)
    start = np.zeros((3, 3, 4))
    start[:, 0, :3] = [[0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.3, 0.4, 0.3]]
    start[:, 1, :2] = [[0.7, 0.3], [0.4, 0.6], [0.5, 0.5]]
    start[:, 2] = [[0.3, 0.3, 0.2, 0.2], [0.2, 0.2, 0.3, 0.3], [0.2, 0.3, 0.3, 0.2]]
    init = dict(weights_init=[0.3, 0.3, 0.4], category_probabilities_init=start)
    estimator = skem.CategoricalMixture(3)
    return Case("categorical", estimator, X, init, categorical_moments)


def categorical_moments(model):
    codes = np.arange(model.category_probabilities_.shape[2])
    p = model.category_probabilities_
    means = p @ codes
    variances = p @ codes**2 - means**2
    return means, np.stack([np.diag(v) for v in variances])


def all_cases(**kwargs):
    return [
        binomial_case(**kwargs),
        *(gaussian_case(c, **kwargs) for c in ("full", "tied", "diag", "spherical")),
        poisson_case(**kwargs),
        public_poisson_case(**kwargs),
        categorical_case(**kwargs),
        mixed_case(**kwargs),
        *(student_case(c, **kwargs) for c in ("full", "tied", "diag", "spherical")),
    ]


CASES = all_cases()
parametrize_cases = pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)


def assert_same_parameters(first, second, rtol):
    ours, theirs = fitted_parameters(first), fitted_parameters(second)
    assert ours.keys() == theirs.keys()
    for name in ours:
        scale = np.abs(theirs[name]).max()
        assert_allclose(ours[name], theirs[name], rtol=rtol, atol=rtol * scale)


# ----------------------------------------------------------------------
# The EM run
# ----------------------------------------------------------------------
@parametrize_cases
@pytest.mark.parametrize("init_params", ["kmeans", "random"])
def test_lower_bounds_never_decrease(case, init_params):
    model = case.model(init_params=init_params, tol=1e-10, max_iter=400)
    model.set_params(random_state=0).fit(case.X)
    assert model.n_iter_ > 3
    if model.acceleration is None:
        assert len(model.lower_bounds_) == model.n_iter_ + 1
    else:  # rejected extrapolations are evaluated but not recorded
        assert len(model.lower_bounds_) <= model.n_iter_ + 1
    assert np.diff(model.lower_bounds_).min() >= -1e-12
    assert model.lower_bounds_[-1] == model.lower_bound_


@ignore_convergence
@parametrize_cases
@pytest.mark.parametrize("max_iter", [1, 3, 100])
def test_lower_bound_is_score_and_fit_predict_is_predict(case, max_iter):
    model = case.model(max_iter=max_iter, random_state=1, init_params="random")
    labels = model.fit_predict(case.X)
    assert model.lower_bound_ == pytest.approx(model.score(case.X), rel=1e-14)
    assert_array_equal(labels, model.predict(case.X))
    assert_array_equal(labels, model.predict_proba(case.X).argmax(axis=1))


@parametrize_cases
def test_fit_predict_labels_rows_of_zero_weight_like_predict(case):
    sample_weight = np.ones(len(case.X))
    sample_weight[::10] = 0
    model = case.model(random_state=0)
    labels = model.fit_predict(case.X, sample_weight=sample_weight)
    assert_array_equal(labels, model.predict(case.X))
    assert len(set(labels[sample_weight == 0])) > 1


@parametrize_cases
@pytest.mark.parametrize(
    "init_params", ["kmeans", "k-means++", "random", "random_from_data"]
)
def test_every_initialization_fits_with_sample_weights(case, init_params):
    sample_weight = np.random.RandomState(17).uniform(0, 2, size=len(case.X))
    model = case.model(init_params=init_params, random_state=0)
    model.fit(case.X, sample_weight=sample_weight)
    for name, value in fitted_parameters(model).items():
        assert np.all(np.isfinite(value)), name
    assert model.weights_.sum() == pytest.approx(1.0)


@ignore_convergence
@parametrize_cases
def test_init_parameters_are_kept_as_passed_and_never_modified(case):
    init = {name: np.asarray(value, np.float32) for name, value in case.init.items()}
    init["weights_init"] /= init["weights_init"].sum()
    originals = {name: value.copy() for name, value in init.items()}
    model = case.model(max_iter=2, tol=0, **init).fit(case.X)
    for name, value in fitted_parameters(model).items():  # changed in place
        if value.dtype.kind == "f":  # (not counts such as n_categories_)
            getattr(model, name)[...] *= 0.5
    model.fit(case.X)
    for name, value in init.items():
        assert getattr(model, name) is value
        assert_array_equal(value, originals[name])
        assert value.dtype == np.float32


@ignore_convergence
@parametrize_cases
def test_integer_weights_equal_repeated_rows(case):
    sample_weight = np.random.RandomState(0).randint(0, 4, size=len(case.X))
    weighted = case.fixed_start(tol=0, max_iter=15)
    weighted.fit(case.X, sample_weight=sample_weight)
    X_repeated = np.repeat(case.X, sample_weight, axis=0)
    repeated = case.fixed_start(tol=0, max_iter=15).fit(X_repeated)
    assert_same_parameters(weighted, repeated, rtol=1e-10)
    assert_allclose(weighted.lower_bounds_, repeated.lower_bounds_, rtol=1e-10)
    assert weighted.score(case.X, sample_weight=sample_weight) == pytest.approx(
        repeated.score(X_repeated), rel=1e-12
    )
    assert weighted.bic(case.X, sample_weight=sample_weight) == pytest.approx(
        repeated.bic(X_repeated), rel=1e-12
    )
    assert weighted.aic(case.X, sample_weight=sample_weight) == pytest.approx(
        repeated.aic(X_repeated), rel=1e-12
    )


@ignore_convergence
@parametrize_cases
def test_warm_start_continues_where_the_last_fit_stopped(case):
    # Plain EM: an accelerated run's cycles would straddle the two fits.
    params = dict(tol=0, acceleration=None)
    warm = case.fixed_start(max_iter=4, warm_start=True, **params).fit(case.X)
    warm.fit(case.X)
    once = case.fixed_start(max_iter=8, **params).fit(case.X)
    assert_same_parameters(warm, once, rtol=1e-12)
    assert warm.lower_bounds_[0] == pytest.approx(once.lower_bounds_[4], rel=1e-12)


@ignore_convergence
@parametrize_cases
def test_n_init_keeps_the_best_of_its_runs(case):
    params = dict(init_params="random", max_iter=5)
    best = case.model(n_init=4, random_state=0, **params).fit(case.X)
    # n_init draws its starts one after another from one random state: the
    # same starts as four fits sharing that random state.
    random_state = np.random.RandomState(0)
    runs = [
        case.model(random_state=random_state, **params).fit(case.X).lower_bound_
        for _ in range(4)
    ]
    assert len(set(runs)) == 4
    assert best.lower_bound_ == max(runs)


def test_max_iter_zero_only_initialises():
    case = binomial_case()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = case.fixed_start(max_iter=0).fit(case.X)
    assert_allclose(model.probabilities_, case.init["probabilities_init"])
    assert model.n_iter_ == 0 and not model.converged_
    assert model.lower_bounds_ == [model.lower_bound_]


@parametrize_cases
def test_convergence_warning_names_the_user_line(case):
    with pytest.warns(ConvergenceWarning, match="did not converge") as record:
        case.fixed_start(tol=0, max_iter=2).fit(case.X)
    assert record[0].filename == __file__


@ignore_convergence
@parametrize_cases
def test_verbose_output(case, capsys):
    case.fixed_start(tol=0, max_iter=4, verbose=2, verbose_interval=2).fit(case.X)
    out = capsys.readouterr().out
    assert "Initialization 0" in out
    assert "Iteration 2\t time lapse" in out and "Iteration 4\t" in out
    assert "Iteration 3" not in out
    assert "did not converge" in out and "lower bound" in out


# ----------------------------------------------------------------------
# Blocks, memory maps, statistics
# ----------------------------------------------------------------------
@ignore_convergence
@parametrize_cases
@pytest.mark.parametrize("start", ["fixed", "kmeans", "random"])
def test_results_do_not_depend_on_the_block_size(case, start):
    if start == "fixed":
        model = case.fixed_start(tol=0, max_iter=10)
    else:
        model = case.model(tol=0, max_iter=10, init_params=start, random_state=0)
    whole = clone(model).fit(case.X)
    # About 20 rows per block.
    with sklearn.config_context(working_memory=0.002):
        blocks = clone(model).fit(case.X)
        outputs = [
            blocks.score_samples(case.X),
            blocks.predict_proba(case.X),
            blocks.predict(case.X),
            blocks.score(case.X),
            blocks.bic(case.X),
        ]
    assert_same_parameters(blocks, whole, rtol=1e-10)
    assert_allclose(blocks.lower_bounds_, whole.lower_bounds_, rtol=1e-10)
    expected = [
        whole.score_samples(case.X),
        whole.predict_proba(case.X),
        whole.predict(case.X),
        whole.score(case.X),
        whole.bic(case.X),
    ]
    for got, want in zip(outputs, expected, strict=True):
        assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@ignore_convergence
@pytest.mark.parametrize("case", [binomial_case(), gaussian_case("full")])
def test_memmap_is_fitted_in_bounded_memory(case, tmp_path):
    import tracemalloc

    n_samples = 1_000_000
    rng = np.random.RandomState(0)
    rows = rng.randint(len(case.X), size=n_samples)
    path = tmp_path / "X.dat"
    X = np.memmap(path, dtype=np.float64, mode="w+", shape=(n_samples, 3))
    X[:] = case.X[rows]
    X.flush()
    del X
    X = np.memmap(path, dtype=np.float64, mode="r", shape=(n_samples, 3))
    model = case.model(max_iter=3, tol=0, init_sample_size=2000, random_state=0)
    with sklearn.config_context(working_memory=1):
        tracemalloc.start()
        model.fit(X)
        model.score(X)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert isinstance(X, np.memmap)
    # X is 24 MB, and so would be any (n_samples, n_components) array. Allowed:
    # one cached float per row (log binomial coefficients) and a few blocks.
    assert peak < 8 * n_samples + 4 * 2**20, peak
    in_memory = clone(model).fit(np.asarray(X).copy())
    assert_same_parameters(model, in_memory, rtol=1e-10)


def write_memmap(path, values, dtype):
    """``values`` in a memory-mapped file, reopened read-only."""
    X = np.memmap(path, dtype=dtype, mode="w+", shape=values.shape)
    X[:] = values
    X.flush()
    del X
    return np.memmap(path, dtype=dtype, mode="r", shape=values.shape)


def peak_memory(function):
    """Peak bytes allocated (numpy buffers included) while ``function`` runs."""
    import tracemalloc

    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def integer_rows(case, n_samples):
    """``n_samples`` rows drawn from the case's data, as integers."""
    rows = np.random.RandomState(0).randint(len(case.X), size=n_samples)
    scale = 1 if isinstance(case.estimator, BinomialMixture) else 10
    return np.rint(case.X[rows] * scale)


@ignore_convergence
@pytest.mark.parametrize("case", [binomial_case(), gaussian_case("full")])
def test_integer_memmap_is_converted_block_by_block(case, tmp_path):
    n_samples = 500_000
    values = integer_rows(case, n_samples)
    X = write_memmap(tmp_path / "X.int32", values, np.int32)
    model = case.model(max_iter=3, tol=0, init_sample_size=2000, random_state=0)
    with sklearn.config_context(working_memory=1):
        peak = peak_memory(lambda: (model.fit(X), model.score(X)))
    # X as float64 would be 12 MB. Allowed: one cached float and one flag per
    # row (log binomial coefficients, rows with NaN) and a few blocks.
    assert peak < 9 * n_samples + 4 * 2**20, peak
    as_float = clone(model).fit(values)
    assert_same_parameters(model, as_float, rtol=1e-10)
    assert_allclose(model.score(X), as_float.score(values), rtol=1e-12)


@ignore_convergence
@parametrize_cases
@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.float16])
@pytest.mark.parametrize("working_memory", [0.002, 1024])  # 20 rows, every row
def test_other_dtypes_are_fitted_as_their_float64_values(case, dtype, working_memory):
    values = np.abs(case.X) if dtype == np.uint8 else case.X
    X = np.rint(values).astype(dtype)
    model = case.model(max_iter=5, tol=0, random_state=0)
    with sklearn.config_context(working_memory=working_memory):
        fitted = clone(model).fit(X)
        as_float = clone(model).fit(X.astype(np.float64))
        assert_allclose(fitted.score_samples(X), as_float.score_samples(X), rtol=1e-12)
    assert_same_parameters(fitted, as_float, rtol=1e-12)


@ignore_convergence
@pytest.mark.parametrize("case", [binomial_case(), gaussian_case("full")])
def test_memmap_default_initialization_is_a_bounded_sample(case, tmp_path):
    n_samples = 600_000
    X = write_memmap(tmp_path / "X.dat", integer_rows(case, n_samples), np.float64)
    model = case.model(max_iter=3, tol=0, random_state=0)
    with sklearn.config_context(working_memory=1):
        peak = peak_memory(lambda: model.fit(X))
    # X is 14 MB; k-means on every row copies it several times. Allowed: the
    # per-row caches, a few blocks, and the initialization's 100,000 rows (in
    # float64, the clustering's copies and the draw's bookkeeping: about 120
    # bytes a row for 3 features, measured).
    assert peak < 9 * n_samples + 4 * 2**20 + 160 * 100_000, peak
    sampled = case.model(max_iter=3, tol=0, random_state=0, init_sample_size=100_000)
    assert_same_parameters(model, sampled.fit(X), rtol=1e-10)


@ignore_convergence
@pytest.mark.parametrize("case", [binomial_case(), gaussian_case("full")])
def test_initialization_samples_memmaps_and_data_larger_than_a_block(case, tmp_path):
    X = integer_rows(case, 150_000)
    model = case.model(max_iter=0, random_state=0)  # the initial parameters
    every_row = clone(model).set_params(init_sample_size=len(X)).fit(X)
    sampled = clone(model).set_params(init_sample_size=100_000).fit(X)
    assert not np.allclose(every_row.weights_, sampled.weights_, rtol=1e-6)
    # In memory and within a block (of 1 GiB): every row, as scikit-learn.
    assert_same_parameters(clone(model).fit(X), every_row, rtol=1e-10)
    # A memory map, or more rows than a block holds: 100,000 of them.
    memmap = write_memmap(tmp_path / "X.dat", X, np.float64)
    assert_same_parameters(clone(model).fit(memmap), sampled, rtol=1e-10)
    with sklearn.config_context(working_memory=1):  # a block of about 6,000 rows
        assert_same_parameters(clone(model).fit(X), sampled, rtol=1e-10)


@parametrize_cases
@pytest.mark.parametrize("empty", [None, "in the first block", "in every block"])
def test_statistics_form_an_algebra(case, empty):
    model = case.fixed_start(max_iter=0).fit(case.X)
    resp = model.predict_proba(case.X)
    if empty == "in the first block":
        resp[:75, 2] = 0.0
    elif empty == "in every block":
        resp[:, 2] = 0.0
    # The family interface (docs/engine.rst) is what a new family implements.
    family = model._family
    data = family.validate(model, case.X, reset=False)
    data = data.with_fields(**family.prepare_block(data)) if data.per_row else data
    params = model._parameters().components
    whole = family.accumulate(params, data, resp)
    parts = [
        family.accumulate(params, data[s], resp[s])
        for s in np.array_split(range(300), 4)
    ]
    arrays = statistics_arrays(whole)
    for name, value in arrays.items():
        assert np.all(np.isfinite(value)), name
    for total in (sum(parts), parts[0] + (parts[1] + (parts[2] + parts[3]))):
        for name, value in statistics_arrays(total).items():
            assert_allclose(value, arrays[name], rtol=1e-12)
    doubled, twice = (
        statistics_arrays(whole.scaled(2.0)),
        statistics_arrays(whole + whole),
    )
    for name in arrays:
        assert_allclose(doubled[name], twice[name], rtol=1e-12)


def statistics_arrays(stats):
    """The arrays of statistics, by name; a product family's hold its members'."""
    arrays = {}
    for f in fields(stats):
        value = getattr(stats, f.name)
        if isinstance(value, tuple):
            for i, member in enumerate(value):
                for name, array in statistics_arrays(member).items():
                    arrays[f"{f.name}[{i}].{name}"] = array
        else:
            arrays[f.name] = value
    return arrays


# ----------------------------------------------------------------------
# Online EM
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "case",
    [binomial_case(30_000, seed=1), gaussian_case("full", 30_000, seed=1)],
    ids=lambda c: c.name,
)
def test_partial_fit_on_a_shuffled_stream_reaches_the_batch_fit(case):
    batch = case.model(tol=1e-8, max_iter=500, random_state=0).fit(case.X)
    online = case.model(random_state=0)
    rng = np.random.RandomState(0)
    for _ in range(3):
        for rows in np.array_split(rng.permutation(len(case.X)), 60):
            online.partial_fit(case.X[rows])
    assert online.n_iter_ == 180
    assert not online.converged_
    assert len(online.lower_bounds_) == 180
    gap = batch.score(case.X) - online.score(case.X)
    assert -1e-6 < gap < 2e-3


@parametrize_cases
def test_partial_fit_with_one_batch_is_an_em_step_from_the_fixed_start(case):
    online = case.fixed_start().partial_fit(case.X)
    batch = case.fixed_start(max_iter=1, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        batch.fit(case.X)
    assert_same_parameters(online, batch, rtol=1e-12)
    assert online.lower_bound_ == pytest.approx(batch.lower_bounds_[0], rel=1e-12)


@parametrize_cases
def test_partial_fit_keeps_the_feature_count(case):
    model = case.model(random_state=0).partial_fit(case.X)
    with pytest.raises(ValueError, match=re.escape("features")):
        model.partial_fit(case.X[:, :1])


# ----------------------------------------------------------------------
# Sampling and criteria
# ----------------------------------------------------------------------
@parametrize_cases
def test_sample_draws_by_component_reproducibly(case):
    model = case.fixed_start(max_iter=0, random_state=3).fit(case.X)
    X, y = model.sample(4000)
    assert X.shape == (4000, case.X.shape[1])
    assert_array_equal(np.diff(y) >= 0, True)  # grouped by component
    assert_allclose(np.bincount(y, minlength=3) / 4000, model.weights_, atol=0.03)
    assert_array_equal(model.sample(50)[0], model.sample(50)[0])


@ignore_convergence
@parametrize_cases
def test_sample_moments_match_the_components(case):
    model = case.fixed_start(tol=0, max_iter=20, random_state=0).fit(case.X)
    n_samples = 200_000
    X, y = model.sample(n_samples)
    assert X.shape == (n_samples, case.X.shape[1])
    assert_allclose(np.bincount(y) / n_samples, model.weights_, atol=0.005)
    means, covariances = case.moments(model)
    for k in range(model.n_components):
        drawn, variance = X[y == k], np.diag(covariances[k])
        # Within 5 standard errors (for excess kurtosis up to 1, as Poisson(1)).
        error = np.abs(drawn.mean(axis=0) - means[k])
        assert np.all(error <= 5 * np.sqrt(variance / len(drawn))), error
        scale = np.sqrt(np.outer(variance, variance))
        error = np.abs(np.cov(drawn.T) - covariances[k])
        assert np.all(error <= 5 * np.sqrt(3 / len(drawn)) * scale), error


@pytest.mark.parametrize("n_samples", [0, -1, 1.5, "2"])
@parametrize_cases
def test_sample_rejects_bad_n_samples(case, n_samples):
    model = case.fixed_start(max_iter=0).fit(case.X)
    with pytest.raises(ValueError, match="n_samples"):
        model.sample(n_samples)


@parametrize_cases
def test_aic_and_bic_from_the_log_likelihood(case):
    model = case.fixed_start(max_iter=0).fit(case.X)
    log_likelihood = model.score_samples(case.X).sum()
    n_parameters = {
        "binomial": 2 + 9,
        "gaussian-full": 2 + 9 + 3 * 6,
        "gaussian-tied": 2 + 9 + 6,
        "gaussian-diag": 2 + 9 + 9,
        "gaussian-spherical": 2 + 9 + 3,
        "poisson": 2 + 6,
        "poisson-public": 2 + 6,
        "categorical": 2 + 3 * (2 + 1 + 3),
        "mixed": 2 + (6 + 3 * 3) + 6,
        "student-full": 2 + 9 + 3 * 6 + 3,
        "student-tied": 2 + 9 + 6 + 3,
        "student-diag": 2 + 9 + 9 + 3,
        "student-spherical": 2 + 9 + 3 + 3,
    }[case.name]
    assert model.aic(case.X) == pytest.approx(
        -2 * log_likelihood + 2 * n_parameters, rel=1e-12
    )
    assert model.bic(case.X) == pytest.approx(
        -2 * log_likelihood + np.log(300) * n_parameters, rel=1e-12
    )


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.name.startswith("gaussian")], ids=lambda c: c.name
)
def test_rows_beyond_every_component_get_the_weights_not_nan(case):
    # Every Gaussian density underflows at 1e200 (the squares overflow).
    model = case.fixed_start(max_iter=0).fit(case.X)
    far = np.full((2, case.X.shape[1]), 1e200)
    with np.errstate(over="ignore", invalid="ignore"):
        resp = model.predict_proba(far)
        log_prob = model.score_samples(far)
    assert_allclose(resp, np.tile(model.weights_, (2, 1)))
    assert np.all(log_prob == -np.inf)
