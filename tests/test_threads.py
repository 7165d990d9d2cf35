"""Passes on several threads: the same bits, the right count, no leaks."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import sklearn
from threadpoolctl import threadpool_limits

from skem import BinomialMixture, GaussianMixtureEM
from tests.test_mixture import all_cases

ROOT = Path(__file__).resolve().parents[1]
CASES = all_cases()
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def skem_threads():
    return [t for t in threading.enumerate() if t.name.startswith("skem")]


def outputs(model, X, sample_weight=None, **metadata):
    """Everything a fit gives, as arrays compared bit for bit."""
    fitted = {
        name: value
        for name, value in vars(model).items()
        if name.endswith("_")
        and not name.startswith("_")
        and isinstance(value, np.ndarray)
    }
    return {
        **fitted,
        "lower_bounds_": np.array(model.lower_bounds_),
        "score_samples": model.score_samples(X, **metadata),
        "predict_proba": model.predict_proba(X, **metadata),
        "predict": model.predict(X, **metadata),
        "bic": np.array(model.bic(X, sample_weight=sample_weight, **metadata)),
    }


def assert_bit_identical(first, second):
    assert first.keys() == second.keys()
    for name in first:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)


def fit_with_threads(model, X, n_threads, **fit_params):
    """Fit and outputs on one thread (OpenMP limited) or on every core (two)."""
    if n_threads == 2 and len(os.sched_getaffinity(0)) < 2:
        pytest.fail("this check needs a machine with two cores or more")
    limit = 1 if n_threads == 1 else None
    # About 25 rows per block: the data span many blocks.
    with threadpool_limits(limits=limit, user_api="openmp"):
        with sklearn.config_context(working_memory=0.004):
            model = sklearn.clone(model).fit(X, **fit_params)
            result = outputs(model, X, **fit_params)
    if n_threads == 2:
        assert len(skem_threads()) == 2  # the passes ran on the pool
    return result


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@pytest.mark.parametrize("mode", ["plain", "weights", "squarem", "kmeans"])
def test_results_are_bit_identical_with_one_and_two_threads(case, mode):
    X = case.X
    params = dict(tol=0, max_iter=8)
    fit_params = {}
    if mode == "weights":
        fit_params["sample_weight"] = np.random.RandomState(1).randint(0, 3, len(X))
    if mode == "squarem":
        params["acceleration"] = "squarem"
    if mode == "kmeans":
        model = case.model(init_params="kmeans", random_state=0, **params)
    else:
        model = case.fixed_start(**params)
    one = fit_with_threads(model, X, 1, **fit_params)
    two = fit_with_threads(model, X, 2, **fit_params)
    assert_bit_identical(one, two)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_missing_values_give_the_same_bits_on_two_threads(covariance_type):
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (150, 3)), rng.normal(4, 1, (150, 3))])
    X[rng.uniform(size=X.shape) < 0.15] = np.nan
    model = GaussianMixtureEM(
        2, covariance_type=covariance_type, tol=0, max_iter=8, random_state=0
    )
    assert_bit_identical(fit_with_threads(model, X, 1), fit_with_threads(model, X, 2))


def test_per_sample_trials_give_the_same_bits_on_two_threads():
    rng = np.random.RandomState(0)
    n_trials = rng.randint(5, 15, size=300)
    X = rng.binomial(n_trials[:, None], [[0.2, 0.7]] * 300).astype(float)
    X[rng.uniform(size=X.shape) < 0.1] = np.nan
    model = BinomialMixture(2, tol=0, max_iter=8, random_state=0)
    assert_bit_identical(
        fit_with_threads(model, X, 1, n_trials=n_trials),
        fit_with_threads(model, X, 2, n_trials=n_trials),
    )


def many_blocks_fit(n_threads):
    X = np.random.RandomState(0).normal(size=(3000, 4))
    with sklearn.config_context(working_memory=0.01):
        GaussianMixtureEM(3, n_threads=n_threads, max_iter=3, random_state=0).fit(X)


def test_two_threads_run_on_the_pool_and_one_thread_starts_none():
    many_blocks_fit(2)
    assert len(skem_threads()) == 2
    # A count of one runs the blocks in the caller's thread.
    before = {t.ident for t in skem_threads()}
    many_blocks_fit(1)
    assert {t.ident for t in skem_threads()} == before


def test_repeated_fits_start_no_new_threads():
    many_blocks_fit(2)
    before = {t.ident for t in threading.enumerate()}
    for _ in range(10):
        many_blocks_fit(2)
    assert {t.ident for t in threading.enumerate()} == before


def run_python(code, env=None, **kwargs):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


COUNT_THREADS = """
    import threading
    import numpy as np, sklearn
    from skem import GaussianMixtureEM
    X = np.random.RandomState(0).normal(size=(3000, 4))
    with sklearn.config_context(working_memory=0.01):
        GaussianMixtureEM(3, max_iter=2, random_state=0).fit(X)
    print(sum(t.name.startswith("skem") for t in threading.enumerate()))
"""


LIMITED = COUNT_THREADS.replace(
    "with sklearn.config_context(working_memory=0.01):",
    "from threadpoolctl import threadpool_limits\n"
    "    with threadpool_limits(limits=1, user_api='openmp'),"
    " sklearn.config_context(working_memory=0.01):",
)
ONE_THREAD = COUNT_THREADS.replace("max_iter=2", "max_iter=2, n_threads=1")


@pytest.mark.slow
def test_omp_num_threads_and_threadpool_limits_set_the_default_count():
    if len(os.sched_getaffinity(0)) < 2:
        pytest.fail("this check needs a machine with two cores or more")
    assert run_python(COUNT_THREADS, {"OMP_NUM_THREADS": "1"}).stdout.strip() == "0"
    assert run_python(COUNT_THREADS, {"OMP_NUM_THREADS": "2"}).stdout.strip() == "2"
    assert run_python(LIMITED).stdout.strip() == "0"
    assert (
        run_python(
            COUNT_THREADS.replace("max_iter=2", "max_iter=2, n_threads=1")
        ).stdout.strip()
        == "0"
    )


@pytest.mark.slow
def test_keyboard_interrupt_stops_a_fit():
    code = """
        import sys
        import numpy as np
        from skem import GaussianMixtureEM
        X = np.random.RandomState(0).normal(size=(200_000, 20))
        print("fitting", flush=True)
        GaussianMixtureEM(8, tol=0, max_iter=10_000, n_threads=2).fit(X)
        print("finished", flush=True)
    """
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "fitting"
    time.sleep(2)  # well inside the EM iterations
    process.send_signal(signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the fit went on after KeyboardInterrupt")
    assert "finished" not in stdout
    assert "KeyboardInterrupt" in stderr
