"""Determinism: the same random_state gives the same model, however it is run.

- bit-identical results from repeated fits, in one process and in fresh
  processes;
- ``n_jobs=2`` in scikit-learn's model selection and in ``criteria_grid``
  gives exactly what ``n_jobs=1`` gives;
- block sizes (``working_memory``) and Dask chunkings (along the rows or the
  columns) change only the order of floating-point sums: equal up to rounding.
"""

import contextlib
import hashlib
import io
import subprocess
import sys
import warnings

import dask.array as da
import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from skem import BinomialMixture, GaussianMixtureEM
from skem.model_selection import criteria_grid

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
#: The fitted parameters of each estimator, besides ``weights_``.
PARAMETERS = {
    BinomialMixture: ("probabilities_",),
    GaussianMixtureEM: ("means_", "covariances_", "precisions_cholesky_"),
}
# Working memories, in MiB: blocks of a few rows, of a few hundred, and all rows.
WORKING_MEMORIES = [0.001, 0.05, 1024]

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def gaussian_data(n_samples=300, seed=0):
    rng = np.random.RandomState(seed)
    centres = np.array([[0.0, 0.0, 0.0], [4.0, 1.0, -2.0], [-3.0, 5.0, 1.0]])
    labels = rng.randint(3, size=n_samples)
    return centres[labels] + rng.normal(size=(n_samples, 3)) * [1.0, 0.5, 2.0]


def count_data(n_samples=300, seed=0):
    rng = np.random.RandomState(seed)
    probabilities = np.array([[0.1, 0.5, 0.8], [0.7, 0.2, 0.4], [0.5, 0.9, 0.1]])
    labels = rng.randint(3, size=n_samples)
    return rng.binomial(12, probabilities[labels]).astype(float)


# Both families, every Gaussian covariance type, every engine path: several
# initializations, SQUAREM, missing entries, sample weights.
CASES = {
    "binomial": (
        lambda: BinomialMixture(3, n_trials=12, n_init=2, random_state=7),
        count_data,
    ),
    "binomial-plain-em-random-init": (
        lambda: BinomialMixture(
            3, n_trials=12, init_params="random", acceleration=None, random_state=7
        ),
        count_data,
    ),
    **{
        f"gaussian-{covariance_type}": (
            lambda covariance_type=covariance_type: GaussianMixtureEM(
                3, covariance_type=covariance_type, n_init=2, random_state=7
            ),
            gaussian_data,
        )
        for covariance_type in COVARIANCE_TYPES
    },
    "gaussian-squarem-k-means++": (
        lambda: GaussianMixtureEM(
            3, init_params="k-means++", acceleration="squarem", random_state=7
        ),
        gaussian_data,
    ),
}


def with_missing(X, seed=1):
    X = X.copy()
    X[np.random.RandomState(seed).uniform(size=X.shape) < 0.1] = np.nan
    X[0] = np.nan_to_num(X[0])
    return X


def fitted_state(model, X):
    """Every fitted attribute and every output on ``X``, as arrays."""
    state = {
        name: np.asarray(value)
        for name, value in sorted(vars(model).items())
        if name.endswith("_") and not name.startswith("_")
    }
    state["score_samples"] = model.score_samples(X)
    state["predict_proba"] = model.predict_proba(X)
    state["sample"] = model.sample(50)[0]
    return state


def assert_states_identical(first, second):
    assert first.keys() == second.keys()
    for name, value in first.items():
        assert_array_equal(second[name], value, err_msg=name)


@pytest.mark.parametrize("missing", [False, True], ids=["complete", "missing"])
@pytest.mark.parametrize("case", list(CASES))
def test_same_random_state_gives_bit_identical_fits(case, missing):
    make_model, make_data = CASES[case]
    X = make_data()
    if missing:
        X = with_missing(X)
    weights = np.random.RandomState(3).uniform(0.5, 2.0, len(X))
    states = [
        fitted_state(make_model().fit(X, sample_weight=weights), X) for _ in range(2)
    ]
    assert_states_identical(*states)
    # A refit of the same instance gives the same mixture. (Up to rounding
    # only: the 'full' and 'tied' statistics of the initial M-step are centred
    # on the means left by the previous fit, which changes the rounding.)
    model = make_model()
    model.fit(X[::-1], sample_weight=weights[::-1])
    assert_parameters_close(
        fit_parameters(make_model(), X, sample_weight=weights),
        fit_parameters(model, X, sample_weight=weights),
    )


FINGERPRINT_SCRIPT = """
import hashlib, warnings
import numpy as np
from skem import BinomialMixture, GaussianMixtureEM
warnings.simplefilter("ignore", UserWarning)  # ConvergenceWarning too
rng = np.random.RandomState(0)
X = np.r_[rng.normal(0, 1, (200, 3)), rng.normal(3, 1, (200, 3))]
C = rng.binomial(12, np.r_[[0.2] * 200, [0.7] * 200][:, None] * np.ones(3))
digest = hashlib.sha256()
for model, data in [
    (GaussianMixtureEM(2, n_init=3, random_state=5), X),
    (GaussianMixtureEM(2, covariance_type="diag", acceleration="squarem",
                       random_state=5), X),
    (BinomialMixture(2, n_trials=12, n_init=3, random_state=5), C),
]:
    model.fit(data)
    names = ["probabilities_"] if hasattr(model, "n_trials") else [
        "means_", "covariances_", "precisions_cholesky_"]
    for name in ["weights_", *names]:
        digest.update(np.ascontiguousarray(getattr(model, name)).tobytes())
    digest.update(model.score_samples(data).tobytes())
    digest.update(np.asarray(model.sample(20)[0]).tobytes())
print(digest.hexdigest())
"""


@pytest.mark.slow
def test_a_fresh_process_gives_bit_identical_fits():
    run = [sys.executable, "-c", FINGERPRINT_SCRIPT]
    fresh = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    here = io.StringIO()
    with contextlib.redirect_stdout(here), warnings.catch_warnings():
        exec(FINGERPRINT_SCRIPT, {})  # its warning filter stays in this block
    assert len(fresh.strip()) == len(hashlib.sha256().hexdigest())
    assert fresh == here.getvalue()


def grid_search(estimator, X, n_jobs):
    search = GridSearchCV(
        estimator,
        {"n_components": [1, 2, 3]},
        cv=KFold(3, shuffle=True, random_state=0),
        n_jobs=n_jobs,
    )
    return search.fit(X)


@pytest.mark.parametrize("family", ["binomial", "gaussian"])
def test_n_jobs_in_model_selection_changes_nothing(family):
    if family == "binomial":
        estimator, X = BinomialMixture(n_trials=12, random_state=0), count_data(150)
    else:
        estimator = GaussianMixtureEM(acceleration="squarem", random_state=0)
        X = gaussian_data(150)
    serial, parallel = (grid_search(estimator, X, n_jobs) for n_jobs in (1, 2))
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        assert_array_equal(parallel.cv_results_[key], serial.cv_results_[key])
    assert_states_identical(
        fitted_state(serial.best_estimator_, X),
        fitted_state(parallel.best_estimator_, X),
    )
    cv = KFold(4, shuffle=True, random_state=1)
    assert_array_equal(
        cross_val_score(estimator, X, cv=cv, n_jobs=2),
        cross_val_score(estimator, X, cv=cv, n_jobs=1),
    )
    grids = [
        criteria_grid(estimator, X, {"n_components": [1, 2, 3]}, n_jobs=n_jobs)
        for n_jobs in (1, 2)
    ]
    assert_array_equal(grids[1].bic, grids[0].bic)
    assert_array_equal(grids[1].log_likelihood, grids[0].log_likelihood)


def fit_parameters(model, X, **fit_params):
    """The fitted mixture, its components in a canonical order.

    With ``n_init > 1``, runs that reach the same maximum with their
    components in another order tie up to rounding, and rounding picks the
    one returned: the order of the components is not a property of the
    mixture. (Their ``lower_bounds_`` then come from different runs, so they
    are compared only for ``n_init=1``.)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, **fit_params)
    names = PARAMETERS[type(model)]
    location = names[0]  # means_ or probabilities_
    order = np.lexsort(np.round(getattr(model, location), 6).T[::-1])
    result = {"weights_": model.weights_[order]}
    for name in names:
        values = np.asarray(getattr(model, name))
        tied = getattr(model, "covariance_type", None) == "tied" and name != "means_"
        result[name] = values if tied else values[order]
    result["lower_bound_"] = np.asarray(model.lower_bound_)
    result["score_samples"] = np.asarray(model.score_samples(X))
    if model.n_init == 1:
        result["lower_bounds_"] = np.asarray(model.lower_bounds_)
    return result


def assert_parameters_close(first, second):
    assert first.keys() == second.keys()
    for name, value in first.items():
        assert_allclose(second[name], value, rtol=1e-10, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("missing", [False, True], ids=["complete", "missing"])
@pytest.mark.parametrize("case", list(CASES))
def test_block_sizes_agree_up_to_rounding(case, missing):
    make_model, make_data = CASES[case]
    X = make_data()
    if missing:
        X = with_missing(X)
    weights = np.random.RandomState(3).uniform(0.5, 2.0, len(X))
    results = []
    for working_memory in WORKING_MEMORIES:
        with sklearn.config_context(working_memory=working_memory):
            results.append(fit_parameters(make_model(), X, sample_weight=weights))
    for other in results[1:]:
        assert_parameters_close(results[0], other)


@pytest.mark.parametrize(
    "chunks", [(50, 3), (300, 1), (70, 2)], ids=["rows", "columns", "both"]
)
@pytest.mark.parametrize("case", ["binomial", "gaussian-full", "gaussian-diag"])
def test_dask_chunkings_agree_with_in_memory_up_to_rounding(case, chunks):
    make_model, make_data = CASES[case]
    X = make_data()
    expected = fit_parameters(make_model(), X)
    model = make_model()
    distributed = fit_parameters(model, da.from_array(X, chunks=chunks))
    assert_parameters_close(expected, distributed)
