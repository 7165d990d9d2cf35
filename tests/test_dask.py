"""Distributed fitting on a real ``dask.distributed.LocalCluster``.

Two worker processes; the in-memory fit is the reference. Marked slow (a
cluster of processes, and a subprocess): ``python -m pytest -m "not slow"``
skips the module locally; ``.ci/run`` runs it like every test.
"""

import os
import textwrap
import warnings
from pathlib import Path

import dask
import dask.array as da
import distributed
import numpy as np
import pytest
from numpy.testing import assert_allclose
from numpydoc.docscrape import NumpyDocString
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture, GaussianMixtureEM
from tests._dask_helpers import never_computed, unconcatenable
from tests._reference import fitted_parameters

pytestmark = pytest.mark.slow

ROOT = str(Path(__file__).resolve().parents[1])
COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


@pytest.fixture(scope="module")
def client():
    env = {"PYTHONPATH": os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # port and resource notices
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            env=env,
        )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def gaussian_data(n_samples=2000, seed=0):
    rng = np.random.RandomState(seed)
    centers = np.array([[0.0, 0.0, 0.0], [3.0, 1.0, -1.0], [-1.0, 3.0, 2.0]])
    X = centers[rng.randint(3, size=n_samples)] + rng.normal(size=(n_samples, 3))
    weights = rng.uniform(0.2, 2.0, size=n_samples)
    return X, weights


def gaussian_init(covariance_type):
    precisions = {
        "full": np.stack([np.eye(3)] * 3),
        "tied": np.eye(3),
        "diag": np.ones((3, 3)),
        "spherical": np.ones(3),
    }[covariance_type]
    return dict(
        weights_init=[0.3, 0.3, 0.4],
        means_init=[[0.5, 0.0, 0.0], [2.0, 0.5, -0.5], [-0.5, 2.0, 1.0]],
        precisions_init=precisions,
    )


def binomial_data(n_samples=2000, seed=0):
    rng = np.random.RandomState(seed)
    n_trials = rng.randint(5, 20, size=n_samples).astype(float)
    p = np.array([[0.2, 0.7], [0.6, 0.3]])[rng.randint(2, size=n_samples)]
    X = rng.binomial(n_trials[:, None].astype(int), p).astype(float)
    weights = rng.uniform(0.2, 2.0, size=n_samples)
    return X, n_trials, weights


def chunked(array, rows=450):
    return da.from_array(array, chunks=(rows,) + array.shape[1:])


def fit_quietly(model, X, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, **fit_params)


def assert_same_fit(distributed_model, local_model, rtol=1e-10):
    for name, value in fitted_parameters(local_model).items():
        scale = np.abs(value).max()
        got = getattr(distributed_model, name)
        assert_allclose(got, value, rtol=rtol, atol=rtol * scale, err_msg=name)
    assert_allclose(
        distributed_model.lower_bounds_, local_model.lower_bounds_, rtol=rtol
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_gaussian_distributed_fit_equals_in_memory_fit(client, covariance_type):
    X, weights = gaussian_data()
    params = dict(covariance_type=covariance_type, tol=0, max_iter=10)
    model = GaussianMixtureEM(3, **params, **gaussian_init(covariance_type))
    local = fit_quietly(model, X, sample_weight=weights)
    remote = fit_quietly(
        GaussianMixtureEM(3, **params, **gaussian_init(covariance_type)),
        chunked(X),
        sample_weight=chunked(weights),
    )
    assert_same_fit(remote, local)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_prior_and_labels_distributed_equal_in_memory(client, covariance_type):
    """MAP-EM with known labels: the prior's data moments and the clamped
    rows are computed on the workers, as in memory."""
    X, weights = gaussian_data()
    labels = np.where(np.arange(len(X)) % 5 == 0, np.arange(len(X)) % 3, -1)
    params = dict(
        covariance_type=covariance_type,
        tol=0,
        max_iter=10,
        prior={"weight_concentration": 2.0},
        fixed=("weights",) if covariance_type == "tied" else (),
        **gaussian_init(covariance_type),
    )
    local = fit_quietly(
        GaussianMixtureEM(3, **params), X, sample_weight=weights, labels=labels
    )
    remote = fit_quietly(
        GaussianMixtureEM(3, **params),
        chunked(X),
        sample_weight=chunked(weights),
        labels=chunked(labels),
    )
    assert_same_fit(remote, local)
    for name, value in local.prior_.items():
        assert_allclose(remote.prior_[name], value, rtol=1e-12)


@pytest.mark.parametrize("acceleration", [None, "squarem"])
def test_binomial_distributed_fit_with_per_sample_trials_equals_in_memory(
    client, acceleration
):
    X, n_trials, weights = binomial_data()
    params = dict(
        n_trials="max",
        tol=0,
        max_iter=10,
        acceleration=acceleration,
        probabilities_init=[[0.3, 0.5], [0.5, 0.4]],
        weights_init=[0.5, 0.5],
    )
    local = fit_quietly(
        BinomialMixture(2, **params), X, sample_weight=weights, n_trials=n_trials
    )
    remote = fit_quietly(
        BinomialMixture(2, **params),
        chunked(X),
        sample_weight=chunked(weights),
        n_trials=chunked(n_trials),
    )
    assert_allclose(remote.n_trials_, local.n_trials_)
    assert_same_fit(remote, local)
    scores = remote.score_samples(chunked(X), n_trials=chunked(n_trials))
    assert isinstance(scores, da.Array)
    assert_allclose(scores.compute(), local.score_samples(X, n_trials=n_trials))


def test_fit_never_gathers_X_and_predictions_stay_lazy(client):
    X, weights = gaussian_data()
    Xd = chunked(X).map_blocks(unconcatenable, dtype=X.dtype)
    with pytest.raises(RuntimeError, match="gathered"):
        Xd.compute()  # the guard works
    model = fit_quietly(
        GaussianMixtureEM(3, tol=0, max_iter=5, **gaussian_init("full")), Xd
    )
    local = fit_quietly(
        GaussianMixtureEM(3, tol=0, max_iter=5, **gaussian_init("full")), X
    )
    assert_same_fit(model, local)
    for method, expected in [
        ("predict", local.predict(X)),
        ("predict_proba", local.predict_proba(X)),
        ("score_samples", local.score_samples(X)),
    ]:
        result = getattr(model, method)(Xd)
        assert isinstance(result, da.Array)
        assert result.chunks[0] == Xd.chunks[0]  # block-aligned
        assert_allclose(result.compute(), expected, rtol=1e-10, atol=1e-12)
    assert model.score(Xd) == pytest.approx(local.score(X), rel=1e-12)
    assert model.bic(Xd) == pytest.approx(local.bic(X), rel=1e-12)
    assert model.aic(Xd) == pytest.approx(local.aic(X), rel=1e-12)


def test_initialization_runs_on_a_sample_of_rows(client):
    X, _ = gaussian_data(3000)
    model = GaussianMixtureEM(3, init_sample_size=500, random_state=0).fit(chunked(X))
    assert model.converged_
    assert np.sort(model.means_[:, 0]) == pytest.approx([-1, 0, 3], abs=0.2)
    # Small data and no sample size: every row, as in memory.
    whole = GaussianMixtureEM(3, random_state=0).fit(chunked(X))
    local = GaussianMixtureEM(3, random_state=0).fit(X)
    assert_allclose(whole.means_, local.means_, rtol=1e-10)


def test_partial_fit_takes_a_dask_array_as_one_batch(client):
    X, _ = gaussian_data()
    local = GaussianMixtureEM(3, random_state=0)
    remote = GaussianMixtureEM(3, random_state=0)
    for rows in np.array_split(np.arange(len(X)), 4):
        local.partial_fit(X[rows])
        remote.partial_fit(chunked(X[rows], rows=200))
    assert_same_fit(remote, local)


def test_columns_split_into_chunks_are_joined(client):
    X, _ = gaussian_data()
    split = da.from_array(X, chunks=(450, 2))
    model = fit_quietly(
        GaussianMixtureEM(
            3, tol=0, max_iter=3, **gaussian_init("diag"), covariance_type="diag"
        ),
        split,
    )
    local = fit_quietly(
        GaussianMixtureEM(
            3, tol=0, max_iter=3, **gaussian_init("diag"), covariance_type="diag"
        ),
        X,
    )
    assert_same_fit(model, local)


def in_memory_message(function):
    with pytest.raises(ValueError) as error:
        function()
    return str(error.value)


def failed_tasks(client):
    """How many "Compute Failed" errors the workers have logged so far."""
    return sum(
        "Compute Failed" in message
        for logs in client.get_worker_logs().values()
        for _, message in logs
    )


@pytest.mark.parametrize(
    "make_model, X, fit_params",
    [
        (lambda: GaussianMixtureEM(2), np.array([[0.0, 1.0], [np.inf, 2.0]] * 10), {}),
        (lambda: BinomialMixture(2, n_trials=5), np.array([[1.0], [-1.0]] * 10), {}),
        (lambda: BinomialMixture(2, n_trials=5), np.array([[1.0], [7.0]] * 10), {}),
        (
            lambda: BinomialMixture(2, n_trials="max"),
            np.array([[1.0], [7.0]] * 10),
            {"n_trials": np.array([10.0, 6.0] * 10)},
        ),
        (
            lambda: GaussianMixtureEM(2),
            np.ones((20, 2)),
            {"sample_weight": -np.ones(20)},
        ),
        (lambda: BinomialMixture(2, n_trials=5), np.array([["a", "b"]] * 20), {}),
        (lambda: GaussianMixtureEM(2), np.array([["1", "2"]] * 9 + [["3", "x"]]), {}),
        (
            lambda: GaussianMixtureEM(2),
            np.array([[1.0, 2.0]] * 12 + [[3.0, "b"]], dtype=object),
            {},
        ),
        (
            lambda: BinomialMixture(2, n_trials="max"),
            np.ones((20, 1)),
            {"n_trials": np.array(["10", "ten"] * 10)},
        ),
    ],
    ids=[
        "inf",
        "negative-count",
        "count-above-trials",
        "above-per-sample",
        "weights",
        "strings",
        "string-in-block-2",
        "objects",
        "string-trials",
    ],
)
def test_bad_input_gives_the_in_memory_message_and_no_failed_task(
    client, make_model, X, fit_params
):
    expected = in_memory_message(lambda: make_model().fit(X, **fit_params))
    dask_params = {k: chunked(v, 7) for k, v in fit_params.items()}
    before = failed_tasks(client)
    with pytest.raises(ValueError) as error:
        make_model().fit(chunked(X, 7), **dask_params)
    assert str(error.value) == expected
    # Bad input is the caller's error: no worker logs a failed task for it.
    assert failed_tasks(client) == before


def test_bad_input_to_score_gives_the_in_memory_message_and_no_failed_task(client):
    X, n_trials, _ = binomial_data(200)
    model = BinomialMixture(2, n_trials="max", random_state=0).fit(X, n_trials=n_trials)
    bad = X.copy()
    bad[150, 1] = n_trials[150] + 1
    expected = in_memory_message(lambda: model.score(bad, n_trials=n_trials))
    before = failed_tasks(client)
    with pytest.raises(ValueError) as error:
        model.score(chunked(bad, 40), n_trials=chunked(n_trials, 40))
    assert str(error.value) == expected
    assert failed_tasks(client) == before
    # A lazy result can only fail in its task, with the same message.
    with pytest.raises(ValueError) as error:
        model.predict(chunked(bad, 40), n_trials=chunked(n_trials, 40)).compute()
    assert str(error.value) == expected


def test_numbers_written_as_strings_fit_as_in_memory(client):
    X, _ = gaussian_data()
    params = dict(tol=0, max_iter=3, **gaussian_init("full"))
    local = fit_quietly(GaussianMixtureEM(3, **params), X)
    remote = fit_quietly(GaussianMixtureEM(3, **params), chunked(X.astype(str)))
    assert_same_fit(remote, local)


@pytest.mark.parametrize("make_model", [GaussianMixtureEM, BinomialMixture])
def test_complex_dask_array_is_refused_before_any_task_runs(client, make_model):
    X = np.array([[1.0 + 1.0j, 2.0]] * 20)
    expected = in_memory_message(lambda: make_model(2).fit(X))
    guarded = chunked(X, 7).map_blocks(never_computed, dtype=X.dtype)
    with pytest.raises(ValueError) as error:
        make_model(2).fit(guarded)
    assert str(error.value).split("\n")[0] == expected.split("\n")[0]


def test_wrong_feature_count_after_fit_gives_the_in_memory_message(client):
    X, _ = gaussian_data()
    model = GaussianMixtureEM(2, random_state=0).fit(X)
    expected = in_memory_message(lambda: model.predict(X[:, :2]))
    with pytest.raises(ValueError) as error:
        model.predict(chunked(X[:, :2])).compute()
    assert str(error.value) == expected


@pytest.mark.parametrize(
    "method", ["fit_predict", "predict", "predict_proba", "score_samples"]
)
@pytest.mark.parametrize("make_model", [GaussianMixtureEM, BinomialMixture])
def test_docstrings_say_which_methods_return_dask_arrays(client, make_model, method):
    X, _, _ = binomial_data(200)
    params = {"n_trials": 20} if make_model is BinomialMixture else {}
    model = fit_quietly(make_model(2, random_state=0, **params), X)
    result = getattr(model, method)(chunked(X, 50))
    assert isinstance(result, da.Array)
    (returned,) = NumpyDocString(getattr(make_model, method).__doc__)["Returns"]
    assert returned.type.startswith("ndarray or dask.array.Array of shape")
    assert "dask array" in " ".join(returned.desc)


def scaling_page_recipe():
    """The code block of the scaling page's "Loading the data" entry."""
    page = (Path(ROOT) / "docs" / "scaling.rst").read_text()
    entry = page[page.index("\nLoading the data\n") :]
    block = entry[entry.index(".. code-block:: python") :].split("\n")[2:]
    code = []
    for line in block:
        if line and not line.startswith("      "):
            break
        code.append(line)
    return textwrap.dedent("\n".join(code))


def test_scaling_page_recipe_sends_no_large_graph(client):
    X, _ = gaussian_data(20_000)  # 480 kB: above the threshold set below
    params = dict(tol=0, max_iter=3, **gaussian_init("full"))
    threshold = {"distributed.admin.large-graph-warning-threshold": "200kB"}
    with dask.config.set(threshold), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit_quietly(GaussianMixtureEM(3, **params), chunked(X, 2500))
        embedded = [w for w in caught if "large graph" in str(w.message)]
        del caught[:]
        namespace = {"data": X, "client": client, "da": da}
        exec(scaling_page_recipe(), namespace)
        model = fit_quietly(GaussianMixtureEM(3, **params), namespace["X"])
        model.predict(namespace["X"]).compute()
        sent = [w for w in caught if "large graph" in str(w.message)]
    assert embedded  # from_array over a numpy array does send one
    assert not sent
    local = fit_quietly(GaussianMixtureEM(3, **params), X)
    assert_same_fit(model, local)


def test_importing_skem_does_not_import_dask():
    import subprocess
    import sys

    code = "import sys, skem; print('dask' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
