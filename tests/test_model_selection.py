"""skem.model_selection: information-criterion scorers and the criteria grid."""

import ast
import inspect
import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import skem.model_selection
from skem import BinomialMixture, GaussianMixtureEM
from skem.exceptions import DegenerateFitWarning
from skem.model_selection import (
    CriteriaGrid,
    InformationCriterionScorer,
    criteria_grid,
    neg_aic_scorer,
    neg_bic_scorer,
)


@pytest.fixture(autouse=True)
def single_blas_thread():
    # Tiny matrices gain nothing from BLAS threads, which only spin on a busy box.
    with threadpool_limits(limits=1):
        yield


def blobs(n_samples=150):
    centers = [[-4.0, 0.0], [0.0, 4.0], [4.0, 0.0]]
    X, _ = make_blobs(n_samples=n_samples, centers=centers, random_state=0)
    return X


def counts():
    rng = np.random.RandomState(0)
    return np.vstack(
        [rng.binomial(20, [0.2, 0.7], (50, 2)), rng.binomial(20, [0.8, 0.4], (50, 2))]
    ).astype(np.float64)


def per_sample_trials():
    rng = np.random.RandomState(1)
    n_trials = rng.randint(5, 40, size=120).astype(np.float64)
    labels = rng.randint(2, size=120)
    X = rng.binomial(n_trials[:, None].astype(int), np.array([[0.2], [0.75]])[labels])
    return X.astype(np.float64), n_trials


MODELS = {
    "gaussian": (GaussianMixtureEM(n_components=2, random_state=0), blobs),
    "binomial": (BinomialMixture(n_components=2, n_trials=20, random_state=0), counts),
}


@pytest.fixture(params=sorted(MODELS))
def fitted(request):
    model, data = MODELS[request.param]
    X = data()
    return clone(model).fit(X), X


# ----------------------------------------------------------------------
# Scorers
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "scorer, method", [(neg_bic_scorer, "bic"), (neg_aic_scorer, "aic")]
)
def test_scorer_returns_the_negated_criterion(fitted, scorer, method):
    model, X = fitted
    score = scorer(model, X)
    assert isinstance(score, float)
    assert score == -getattr(model, method)(X)


def test_scorer_on_pipeline_scores_the_last_step_on_transformed_data():
    X = blobs() * [100.0, 0.01]
    pipe = make_pipeline(StandardScaler(), GaussianMixtureEM(3, random_state=0))
    pipe.fit(X)
    Xt = pipe[0].transform(X)
    assert neg_bic_scorer(pipe, X) == -pipe[-1].bic(Xt)
    assert neg_aic_scorer(pipe, X, None) == -pipe[-1].aic(Xt)


def test_scorer_forwards_metadata_to_the_criterion():
    X, n_trials = per_sample_trials()
    model = BinomialMixture(2, random_state=0).fit(X, n_trials=n_trials)
    score = neg_bic_scorer(model, X, n_trials=n_trials)
    assert score == -model.bic(X, n_trials=n_trials)
    with pytest.raises(ValueError, match="fitted with per-sample n_trials"):
        neg_bic_scorer(model, X)


def test_scorer_bic_penalises_more_than_aic_beyond_seven_samples(fitted):
    model, X = fitted
    assert neg_bic_scorer(model, X) < neg_aic_scorer(model, X)


def test_scorer_rejects_unknown_criterion():
    with pytest.raises(ValueError, match="criterion must be one of"):
        InformationCriterionScorer("icl")


def test_scorer_repr_names_the_criterion():
    assert repr(neg_aic_scorer) == "InformationCriterionScorer(criterion='aic')"


def test_scorer_metadata_request_defaults_to_unset_n_trials():
    requests = InformationCriterionScorer().get_metadata_routing().score.requests
    assert requests == {"n_trials": None, "sample_weight": None}


def test_scorer_set_score_request_is_reported_and_not_shared():
    scorer = InformationCriterionScorer("bic").set_score_request(n_trials=True)
    requests = scorer.get_metadata_routing().score.requests
    assert requests == {"n_trials": True, "sample_weight": None}
    shared = neg_bic_scorer.get_metadata_routing().score.requests
    assert shared == {"n_trials": None, "sample_weight": None}


def test_scorer_routes_aliased_metadata_in_cross_validate():
    X, n_trials = per_sample_trials()
    model = BinomialMixture(2, random_state=0)
    scorer = InformationCriterionScorer("aic").set_score_request(n_trials="trials")
    cv = KFold(n_splits=3, shuffle=True, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        result = cross_validate(
            clone(model).set_fit_request(n_trials=True),
            X,
            cv=cv,
            scoring=scorer,
            params={"n_trials": n_trials, "trials": n_trials},
        )
    hand = [
        -clone(model)
        .fit(X[train], n_trials=n_trials[train])
        .aic(X[test], n_trials=n_trials[test])
        for train, test in cv.split(X)
    ]
    assert_allclose(result["test_score"], hand)


# ----------------------------------------------------------------------
# criteria_grid
# ----------------------------------------------------------------------
def test_criteria_grid_matches_each_model_fitted_by_hand():
    X = blobs()
    model = GaussianMixtureEM(random_state=0)
    param_grid = {"n_components": [1, 2, 3], "covariance_type": ["full", "diag"]}
    grid = criteria_grid(model, X, param_grid)
    assert len(grid.params) == 6
    for params, bic, aic, estimator in zip(
        grid.params, grid.bic, grid.aic, grid.estimators, strict=True
    ):
        by_hand = clone(model).set_params(**params).fit(X)
        assert bic == pytest.approx(by_hand.bic(X))
        assert aic == pytest.approx(by_hand.aic(X))
        assert estimator.get_params() == by_hand.get_params()
        assert_allclose(estimator.means_, by_hand.means_)


def test_criteria_grid_default_gaussian_grid_is_nine_by_four_covariance_types():
    grid = criteria_grid(GaussianMixtureEM(random_state=0, max_iter=20), blobs(60))
    rows, columns, table = grid.table()
    assert rows == list(range(1, 10))
    assert columns == ["full", "tied", "diag", "spherical"]
    assert table.shape == (9, 4)
    assert len(grid.params) == 36


def test_criteria_grid_default_binomial_grid_is_n_components_only():
    grid = criteria_grid(BinomialMixture(n_trials=20, random_state=0), counts())
    rows, columns, table = grid.table("aic")
    assert rows == list(range(1, 10))
    assert columns == ["AIC"]
    assert_array_equal(table[:, 0], grid.aic)


def test_criteria_grid_best_is_the_smallest_bic_and_finds_three_blobs():
    grid = criteria_grid(
        GaussianMixtureEM(random_state=0),
        blobs(),
        {"n_components": [1, 2, 3, 4, 5], "covariance_type": ["full", "spherical"]},
    )
    assert grid.best_index_ == np.argmin(grid.bic)
    assert grid.best_params_ == grid.params[np.argmin(grid.bic)]
    assert grid.best_params_["n_components"] == 3
    assert grid.best_estimator_ is grid.estimators[grid.best_index_]
    assert grid.best_index("aic") == np.argmin(grid.aic)


def test_criteria_grid_parallel_equals_serial():
    X = counts()
    model = BinomialMixture(n_trials=20, random_state=0)
    param_grid = {"n_components": [1, 2, 3, 4]}
    serial = criteria_grid(model, X, param_grid)
    parallel = criteria_grid(model, X, param_grid, n_jobs=2)
    assert_allclose(parallel.bic, serial.bic)
    assert_allclose(parallel.aic, serial.aic)
    assert parallel.params == serial.params


def test_criteria_grid_forwards_per_sample_n_trials():
    X, n_trials = per_sample_trials()
    model = BinomialMixture(random_state=0)
    grid = criteria_grid(model, X, {"n_components": [1, 2]}, n_trials=n_trials)
    for params, bic in zip(grid.params, grid.bic, strict=True):
        by_hand = clone(model).set_params(**params).fit(X, n_trials=n_trials)
        assert bic == pytest.approx(by_hand.bic(X, n_trials=n_trials))
    assert grid.best_params_ == {"n_components": 2}


def test_criteria_grid_integer_weights_equal_repeated_rows():
    X = counts()
    weights = np.random.RandomState(0).randint(0, 3, size=len(X))
    model = BinomialMixture(
        n_components=2,
        n_trials=20,
        probabilities_init=[[0.3, 0.6], [0.7, 0.5]],
        weights_init=[0.5, 0.5],
        tol=0,
    )
    param_grid = {"max_iter": [0, 3, 10]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = criteria_grid(model, X, param_grid, sample_weight=weights)
        repeated = criteria_grid(model, np.repeat(X, weights, axis=0), param_grid)
    assert weighted.n_samples == weights.sum()
    assert_allclose(weighted.bic, repeated.bic)
    assert_allclose(weighted.aic, repeated.aic)
    assert weighted.table()[0] == [0, 3, 10]


def test_criteria_grid_failed_fit_is_nan_warned_and_shown_as_na():
    X = counts()[:4]
    model = BinomialMixture(n_trials=20, random_state=0)
    with pytest.warns(UserWarning, match="failed and is scored NaN"):
        grid = criteria_grid(model, X, {"n_components": [1, 2, 6]})
    assert np.isnan(grid.bic[2]) and np.isnan(grid.aic[2])
    assert grid.estimators[2] is None
    assert np.all(np.isfinite(grid.bic[:2]))
    assert grid.best_index_ in (0, 1)
    assert str(grid).count("NA") == 2


def test_criteria_grid_on_error_raise_propagates():
    with pytest.raises(ValueError, match="n_samples >= n_components"):
        criteria_grid(
            BinomialMixture(n_trials=20),
            counts()[:4],
            {"n_components": [6]},
            on_error="raise",
        )


def test_criteria_grid_every_fit_failed_has_no_best():
    with pytest.warns(UserWarning, match="failed"):
        grid = criteria_grid(
            BinomialMixture(n_trials=20), counts()[:4], {"n_components": [6, 7]}
        )
    assert "Every fit failed" in str(grid)
    with pytest.raises(ValueError, match="Every fit of the grid failed"):
        grid.best_params_  # noqa: B018


def three_points_repeated():
    # Three distinct points, ten copies each: k >= 2 collapses onto them.
    return np.repeat([[0.0, 0.0], [1.0, 2.0], [3.0, 1.0]], 10, axis=0)


# k = 1 fits; 2, 3 and 4 end degenerate (4 after KMeans warns that it found
# three distinct clusters, and a component left empty); 40 > 30 rows fails.
TROUBLED_GRID = {"n_components": [1, 2, 3, 4, 40]}


def grid_and_warnings(estimator, X, param_grid, **kwargs):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        grid = criteria_grid(estimator, X, param_grid, **kwargs)
    return grid, record


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_criteria_grid_warnings_point_at_the_callers_line(n_jobs):
    _, record = grid_and_warnings(
        GaussianMixtureEM(random_state=0),
        three_points_repeated(),
        TROUBLED_GRID,
        n_jobs=n_jobs,
    )
    # The fits' own (skem's engine: too few distinct rows) and the grid's.
    categories = {w.category for w in record}
    assert {UserWarning, DegenerateFitWarning} <= categories
    assert {w.filename for w in record} == {__file__}


def test_criteria_grid_reasons_and_warnings_are_the_same_whatever_n_jobs():
    X = three_points_repeated()
    runs = [
        grid_and_warnings(GaussianMixtureEM(random_state=0), X, TROUBLED_GRID, n_jobs=n)
        for n in (1, 2)
    ]
    (serial, serial_record), (parallel, parallel_record) = runs
    serial_warnings = [(w.category, str(w.message)) for w in serial_record]
    assert [(w.category, str(w.message)) for w in parallel_record] == serial_warnings
    assert parallel.reasons == serial.reasons

    reasons = serial.reasons
    assert reasons[0] is None and np.isfinite(serial.bic[0])
    for index in (1, 2, 3):
        assert reasons[index].startswith("degenerate: component 0 ")
        assert np.isnan(serial.bic[index])
    assert reasons[4].startswith(
        "fit failed: ValueError: Expected n_samples >= n_components"
    )
    # Every reason is warned, the grid point named, and the fits' own
    # warnings come through named too.
    messages = [message for _, message in serial_warnings]
    for k in (2, 3, 4):
        assert (
            DegenerateFitWarning,
            f"n_components={k}: the fitted mixture is degenerate and is scored "
            f"NaN (mclust's NA): {reasons[k - 1].removeprefix('degenerate: ')}",
        ) in serial_warnings
    assert (
        UserWarning,
        "n_components=40: the fit failed and is scored NaN: "
        + reasons[4].removeprefix("fit failed: "),
    ) in serial_warnings
    assert any(
        m.startswith("n_components=4: X has only 3 distinct rows") for m in messages
    )
    # ... and shown with the table and the frame.
    text = str(serial)
    assert "Not scored:" in text
    for reason in reasons[1:]:
        assert reason in text
    assert f"  n_components=40: {reasons[4]}" in text.splitlines()
    assert serial.to_frame()["reason"].tolist() == reasons


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_criteria_grid_every_fit_failed_names_the_reasons(n_jobs):
    with pytest.warns(UserWarning, match="n_components=6: the fit failed"):
        grid = criteria_grid(
            BinomialMixture(n_trials=20),
            counts()[:4],
            {"n_components": [6, 7]},
            n_jobs=n_jobs,
        )
    reason = (
        "fit failed: ValueError: Expected n_samples >= n_components but got "
        "n_components = 6, n_samples = 4."
    )
    assert grid.reasons[0] == reason
    assert f"Every fit failed:\n  n_components=6: {reason}\n" in str(grid)
    with pytest.raises(ValueError, match="no best model:\n  n_components=6: fit fail"):
        grid.best_params_  # noqa: B018


@pytest.mark.parametrize(
    "param_grid, message",
    [
        ({}, "non-empty dict"),
        ([{"n_components": [1]}], "non-empty dict"),
        ({"n_components": 3}, "list of values"),
        ({"covariance_type": "full"}, "list of values"),
    ],
)
def test_criteria_grid_rejects_bad_param_grid(param_grid, message):
    with pytest.raises(ValueError, match=message):
        criteria_grid(GaussianMixtureEM(), blobs(), param_grid)


def test_criteria_grid_rejects_bad_on_error():
    with pytest.raises(ValueError, match="on_error"):
        criteria_grid(GaussianMixtureEM(), blobs(), {"n_components": [1]}, on_error=0)


def test_criteria_grid_rejects_unknown_criterion():
    grid = criteria_grid(GaussianMixtureEM(), blobs(), {"n_components": [1]})
    with pytest.raises(ValueError, match="criterion must be one of"):
        grid.table("icl")


def test_criteria_grid_str_is_a_table_of_every_value():
    grid = criteria_grid(
        GaussianMixtureEM(random_state=0),
        blobs(),
        {"n_components": [1, 2], "covariance_type": ["full", "tied"]},
    )
    text = str(grid)
    lines = text.splitlines()
    assert lines[0].startswith("Bayesian Information Criterion")
    assert lines[1].split() == ["n_components", "full", "tied"]
    assert lines[2].split() == ["1"] + [f"{v:.2f}" for v in grid.bic[:2]]
    assert lines[3].split() == ["2"] + [f"{v:.2f}" for v in grid.bic[2:]]
    assert "Akaike Information Criterion" in text
    for value in grid.aic:
        assert f"{value:.2f}" in text
    assert lines[-1].startswith("Best by BIC: n_components=")
    assert repr(grid).startswith("<CriteriaGrid: 4 candidates")


def test_criteria_grid_table_labels_several_other_parameters():
    grid = criteria_grid(
        GaussianMixtureEM(random_state=0),
        blobs(60),
        {"n_components": [1, 2], "covariance_type": ["diag"], "reg_covar": [1e-6]},
    )
    _, columns, table = grid.table()
    assert columns == ["covariance_type=diag, reg_covar=1e-06"]
    assert_array_equal(table[:, 0], grid.bic)


def test_criteria_grid_to_frame_has_one_row_per_candidate():
    import pandas as pd  # in the test extra; never imported by skem itself

    grid = criteria_grid(
        BinomialMixture(n_trials=20, random_state=0), counts(), {"n_components": [1, 2]}
    )
    frame = grid.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [
        "n_components",
        "n_parameters",
        "log_likelihood",
        "bic",
        "aic",
        "reason",
    ]
    assert_array_equal(frame["bic"], grid.bic)
    assert_array_equal(frame["n_components"], [1, 2])
    assert frame["reason"].tolist() == [None, None]


def test_criteria_grid_result_can_be_built_directly():
    grid = CriteriaGrid(
        [{"n_components": 1}, {"n_components": 2}],
        log_likelihood=[-100.0, -90.0],
        n_parameters=[2, 5],
        n_samples=50,
        estimators=[None, None],
    )
    assert_allclose(grid.bic, [200 + 2 * np.log(50), 180 + 5 * np.log(50)])
    assert_allclose(grid.aic, [204.0, 190.0])
    assert grid.best_params_ == {"n_components": 2}
    assert grid.reasons == [None, None]
    with pytest.raises(ValueError, match="reasons has 1 entries, but there are 2"):
        CriteriaGrid([{}, {}], [0, 0], [1, 1], 5, [None, None], reasons=["x"])


def test_model_selection_imports_neither_pandas_nor_matplotlib_at_module_level():
    tree = ast.parse(inspect.getsource(skem.model_selection))
    top_level = [
        alias.name.split(".")[0]
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module)]
        )
    ]
    assert "numpy" in top_level
    assert not {"pandas", "matplotlib"} & set(top_level)
