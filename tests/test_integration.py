"""skem estimators inside scikit-learn's tools: pipelines, searches, CV, routing."""

import pickle

import joblib
import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    ParameterGrid,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils import estimator_html_repr
from threadpoolctl import threadpool_limits

from skem import BinomialMixture, GaussianMixtureEM
from skem.model_selection import (
    InformationCriterionScorer,
    neg_aic_scorer,
    neg_bic_scorer,
)

CV = KFold(n_splits=3, shuffle=True, random_state=0)


# ----------------------------------------------------------------------
# Data and models
# ----------------------------------------------------------------------
def gaussian_case():
    """Three blobs in 2-D with an offset and a scale a scaler removes."""
    centers = [[-4.0, 0.0], [0.0, 4.0], [4.0, 0.0]]
    X, _ = make_blobs(n_samples=120, centers=centers, random_state=0)
    X = X * [10.0, 0.1] + [100.0, -5.0]
    model = GaussianMixtureEM(n_components=3, max_iter=50, random_state=0)
    return model, StandardScaler(), X


def binomial_case():
    """Two groups of counts out of 20 trials; rounding is the preprocessing."""
    rng = np.random.RandomState(0)
    X = np.vstack(
        [rng.binomial(20, [0.2, 0.7], (60, 2)), rng.binomial(20, [0.8, 0.4], (60, 2))]
    ).astype(np.float64)
    model = BinomialMixture(n_components=2, n_trials=20, max_iter=50, random_state=0)
    return model, FunctionTransformer(np.rint), X


def per_sample_trials_case():
    """Counts whose numbers of trials differ from sample to sample."""
    rng = np.random.RandomState(1)
    n_trials = rng.randint(5, 40, size=150)
    labels = rng.randint(2, size=150)
    X = rng.binomial(n_trials[:, None], np.array([[0.2], [0.75]])[labels])
    return X.astype(np.float64), n_trials.astype(np.float64)


CASES = {"gaussian": gaussian_case, "binomial": binomial_case}


@pytest.fixture(autouse=True)
def single_blas_thread():
    # Tiny matrices gain nothing from BLAS threads, which only spin on a busy box.
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(params=sorted(CASES))
def case(request):
    return CASES[request.param]()


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def integer_weights(n_samples, seed=0):
    return np.random.RandomState(seed).randint(0, 4, size=n_samples).astype(float)


def hand_cv_scores(model, X, params_list, scorer=None, fit_meta=None, score_meta=None):
    """Mean held-out score of every candidate on the splits of ``CV``."""
    fit_meta = fit_meta or {}
    score_meta = score_meta or {}
    means = []
    for params in params_list:
        scores = []
        for train, test in CV.split(X):
            fitted = clone(model).set_params(**params)
            fitted.fit(X[train], **{k: v[train] for k, v in fit_meta.items()})
            test_meta = {k: v[test] for k, v in score_meta.items()}
            if scorer is None:
                scores.append(fitted.score(X[test], **test_meta))
            else:
                scores.append(scorer(fitted, X[test], **test_meta))
        means.append(np.average(scores))
    return np.array(means)


def assert_search_matches_hand_loop(search, hand_means, params_list):
    """Same scores, a best candidate among the hand loop's best (ties allowed)."""
    assert_allclose(search.cv_results_["mean_test_score"], hand_means, rtol=1e-9)
    assert [dict(p) for p in search.cv_results_["params"]] == params_list
    tied = np.flatnonzero(hand_means >= hand_means.max() - 1e-9 * abs(hand_means.max()))
    assert search.best_index_ in tied
    assert search.best_params_ == params_list[search.best_index_]


def assert_same_model(fitted, reference, X):
    assert_array_equal(fitted.predict(X), reference.predict(X))
    assert_allclose(fitted.score_samples(X), reference.score_samples(X))
    assert_allclose(fitted.weights_, reference.weights_)


# ----------------------------------------------------------------------
# Pipelines
# ----------------------------------------------------------------------
def test_pipeline_methods_match_the_steps_run_by_hand(case):
    model, transformer, X = case
    pipe = make_pipeline(clone(transformer), clone(model)).fit(X)
    Xt = clone(transformer).fit(X).transform(X)
    alone = clone(model).fit(Xt)
    assert_array_equal(pipe.predict(X), alone.predict(Xt))
    assert_allclose(pipe.predict_proba(X), alone.predict_proba(Xt))
    assert_allclose(pipe.score_samples(X), alone.score_samples(Xt))
    assert pipe.score(X) == pytest.approx(alone.score(Xt))
    assert_array_equal(
        make_pipeline(transformer, model).fit_predict(X), pipe.predict(X)
    )


# ----------------------------------------------------------------------
# GridSearchCV
# ----------------------------------------------------------------------
INIT_GRID = {
    "init_params": ["kmeans", "random"],
    "random_state": [0, 1],
    "n_init": [1, 2],
}


def test_gridsearch_over_initializations_matches_hand_loop(case):
    model, transformer, X = case
    pipe = Pipeline([("prep", transformer), ("mixture", model)])
    grid = {f"mixture__{k}": v for k, v in INIT_GRID.items()}
    search = GridSearchCV(pipe, grid, cv=CV, n_jobs=2).fit(X)

    params_list = list(ParameterGrid(grid))
    assert_search_matches_hand_loop(
        search, hand_cv_scores(pipe, X, params_list), params_list
    )
    reference = clone(pipe).set_params(**search.best_params_).fit(X)
    assert_same_model(
        search.best_estimator_[-1], reference[-1], reference[0].transform(X)
    )
    assert search.score(X) == pytest.approx(reference.score(X))


@pytest.mark.parametrize("name", ["bic", "aic"])
def test_gridsearch_information_criterion_matches_hand_loop(case, name):
    model, _, X = case
    scorer = {"bic": neg_bic_scorer, "aic": neg_aic_scorer}[name]
    grid = {"n_components": [1, 2, 3, 4]}
    if "covariance_type" in model.get_params():
        grid["covariance_type"] = ["full", "diag", "spherical", "tied"]
    search = GridSearchCV(model, grid, cv=CV, scoring=scorer, n_jobs=2).fit(X)

    params_list = list(ParameterGrid(grid))
    hand = hand_cv_scores(model, X, params_list, scorer=scorer)
    assert_search_matches_hand_loop(search, hand, params_list)
    reference = clone(model).set_params(**search.best_params_).fit(X)
    assert_same_model(search.best_estimator_, reference, X)
    assert search.score(X) == pytest.approx(-getattr(reference, name)(X))


def test_gridsearch_multimetric_refits_by_bic(case):
    model, _, X = case
    grid = {"n_components": [1, 2, 3]}
    scoring = {"bic": neg_bic_scorer, "aic": neg_aic_scorer, "ll": model_score}
    search = GridSearchCV(model, grid, cv=CV, scoring=scoring, refit="bic").fit(X)
    params_list = list(ParameterGrid(grid))
    for name, scorer in scoring.items():
        hand = hand_cv_scores(model, X, params_list, scorer=scorer)
        assert_allclose(search.cv_results_[f"mean_test_{name}"], hand, rtol=1e-9)
    assert search.best_index_ == np.argmax(search.cv_results_["mean_test_bic"])


def model_score(estimator, X, y=None):
    return estimator.score(X)


def test_gridsearch_in_sample_bic_picks_the_true_number_of_blobs():
    model, scaler, X = gaussian_case()
    everything = np.arange(len(X))
    search = GridSearchCV(
        make_pipeline(scaler, model),
        {"gaussianmixtureem__n_components": [1, 2, 3, 4, 5, 6]},
        cv=[(everything, everything)],
        scoring=neg_bic_scorer,
    ).fit(X)
    assert search.best_params_ == {"gaussianmixtureem__n_components": 3}
    in_sample = [
        -clone(search.estimator)
        .set_params(**params)
        .fit(X)[-1]
        .bic(search.best_estimator_[0].transform(X))
        for params in search.cv_results_["params"]
    ]
    assert_allclose(search.cv_results_["mean_test_score"], in_sample)


# ----------------------------------------------------------------------
# Cross-validation, cloning, persistence, display
# ----------------------------------------------------------------------
def test_cross_val_score_matches_hand_loop(case):
    model, transformer, X = case
    pipe = make_pipeline(transformer, model)
    scores = cross_val_score(pipe, X, cv=CV, n_jobs=2)
    hand = [clone(pipe).fit(X[tr]).score(X[te]) for tr, te in CV.split(X)]
    assert_allclose(scores, hand)


def test_cross_validate_returns_every_metric_and_the_fitted_models(case):
    model, _, X = case
    scoring = {"bic": neg_bic_scorer, "aic": neg_aic_scorer}
    result = cross_validate(model, X, cv=CV, scoring=scoring, return_estimator=True)
    splits = list(CV.split(X))
    for fitted, (_, test), bic, aic in zip(
        result["estimator"], splits, result["test_bic"], result["test_aic"], strict=True
    ):
        assert bic == pytest.approx(-fitted.bic(X[test]))
        assert aic == pytest.approx(-fitted.aic(X[test]))
    assert np.all(result["test_bic"] < result["test_aic"])


def test_clone_copies_parameters_not_fit(case):
    model, _, X = case
    fitted = clone(model).set_params(n_init=2).fit(X)
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "weights_")
    assert_same_model(copy.fit(X), fitted, X)


@pytest.mark.parametrize("persistence", ["pickle", "joblib"])
def test_round_trip_gives_identical_predictions(case, persistence, tmp_path):
    model, transformer, X = case
    pipe = make_pipeline(transformer, model).fit(X)
    if persistence == "pickle":
        loaded = pickle.loads(pickle.dumps(pipe))
    else:
        joblib.dump(pipe, tmp_path / "model.joblib")
        loaded = joblib.load(tmp_path / "model.joblib")
    assert_array_equal(loaded.predict(X), pipe.predict(X))
    assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    assert_array_equal(loaded.score_samples(X), pipe.score_samples(X))
    assert_array_equal(loaded[-1].sample(5)[0], pipe[-1].sample(5)[0])


def test_html_repr_shows_the_estimator_and_its_changed_parameters(case):
    model, transformer, _ = case
    html = estimator_html_repr(make_pipeline(transformer, model))
    assert type(model).__name__ in html
    assert "n_components" in html
    assert model._repr_html_().startswith("<style")


# ----------------------------------------------------------------------
# Metadata routing
# ----------------------------------------------------------------------
def routed_pipeline(model, transformer, **requests):
    model = clone(model).set_fit_request(**requests).set_score_request(**requests)
    if isinstance(transformer, StandardScaler):
        transformer = clone(transformer).set_fit_request(sample_weight=False)
    return make_pipeline(transformer, model)


def test_routing_sample_weight_reaches_fit_and_score_through_pipeline(case, routing):
    model, transformer, X = case
    weights = integer_weights(len(X))
    pipe = routed_pipeline(model, transformer, sample_weight=True)
    pipe.fit(X, sample_weight=weights)

    Xt = clone(transformer).fit(X).transform(X)
    alone = clone(model).fit(Xt, sample_weight=weights)
    assert_same_model(pipe[-1], alone, Xt)
    weighted = pipe.score(X, sample_weight=weights)
    assert weighted == pytest.approx(alone.score(Xt, sample_weight=weights))
    assert weighted != pytest.approx(pipe.score(X))
    assert not np.allclose(clone(model).fit(Xt).weights_, alone.weights_)


def test_routing_sample_weight_is_split_with_x_in_gridsearch(case, routing):
    model, transformer, X = case
    weights = integer_weights(len(X))
    pipe = routed_pipeline(model, transformer, sample_weight=True)
    grid = {f"{pipe.steps[-1][0]}__random_state": [0, 1, 2]}
    search = GridSearchCV(pipe, grid, cv=CV, n_jobs=2).fit(X, sample_weight=weights)

    params_list = list(ParameterGrid(grid))
    meta = {"sample_weight": weights}
    hand = hand_cv_scores(pipe, X, params_list, fit_meta=meta, score_meta=meta)
    assert_search_matches_hand_loop(search, hand, params_list)
    unweighted = hand_cv_scores(pipe, X, params_list, fit_meta=meta)
    assert not np.allclose(hand, unweighted)
    reference = clone(pipe).set_params(**search.best_params_)
    reference.fit(X, sample_weight=weights)
    assert_same_model(
        search.best_estimator_[-1], reference[-1], reference[0].transform(X)
    )


def test_routing_sample_weight_reaches_cross_validate(case, routing):
    model, _, X = case
    weights = integer_weights(len(X))
    routed = clone(model).set_fit_request(sample_weight=True)
    routed.set_score_request(sample_weight=True)
    result = cross_validate(routed, X, cv=CV, params={"sample_weight": weights})
    hand = [
        clone(model)
        .fit(X[tr], sample_weight=weights[tr])
        .score(X[te], sample_weight=weights[te])
        for tr, te in CV.split(X)
    ]
    assert_allclose(result["test_score"], hand)


def test_routing_n_trials_reaches_every_method_through_pipeline(routing):
    X, n_trials = per_sample_trials_case()
    model = BinomialMixture(n_components=2, random_state=0)
    routed = (
        clone(model).set_fit_request(n_trials=True).set_score_request(n_trials=True)
    )
    routed.set_predict_request(n_trials=True).set_predict_proba_request(n_trials=True)
    pipe = make_pipeline(FunctionTransformer(np.rint), routed)
    pipe.fit(X, n_trials=n_trials)

    alone = clone(model).fit(X, n_trials=n_trials)
    assert_allclose(pipe[-1].probabilities_, alone.probabilities_)
    assert_array_equal(pipe.predict(X, n_trials=n_trials), alone.predict(X, n_trials))
    assert_allclose(
        pipe.predict_proba(X, n_trials=n_trials), alone.predict_proba(X, n_trials)
    )
    score = pipe.score(X, n_trials=n_trials)
    assert score == pytest.approx(alone.score(X, n_trials=n_trials))
    # With the default n_trials_ (the largest count) the answer is different.
    assert not np.allclose(alone.probabilities_, clone(model).fit(X).probabilities_)


@pytest.mark.parametrize("scoring", [None, "bic"])
def test_routing_n_trials_is_split_with_x_in_gridsearch(routing, scoring):
    X, n_trials = per_sample_trials_case()
    model = BinomialMixture(random_state=0).set_fit_request(n_trials=True)
    model.set_score_request(n_trials=True)
    scorer = None
    if scoring == "bic":
        scorer = InformationCriterionScorer("bic").set_score_request(n_trials=True)
    grid = {"n_components": [1, 2, 3]}
    search = GridSearchCV(model, grid, cv=CV, scoring=scorer, n_jobs=2)
    search.fit(X, n_trials=n_trials)

    params_list = list(ParameterGrid(grid))
    meta = {"n_trials": n_trials}
    hand = hand_cv_scores(
        BinomialMixture(random_state=0), X, params_list, scorer, meta, meta
    )
    assert_search_matches_hand_loop(search, hand, params_list)
    assert search.best_params_ == {"n_components": 2}
    reference = BinomialMixture(random_state=0, **search.best_params_)
    reference.fit(X, n_trials=n_trials)
    assert_allclose(search.best_estimator_.probabilities_, reference.probabilities_)
    expected = reference.score(X, n_trials=n_trials)
    if scorer is not None:
        expected = -reference.bic(X, n_trials=n_trials)
    assert search.score(X, n_trials=n_trials) == pytest.approx(expected)


def test_routing_n_trials_unrequested_by_scorer_raises(routing):
    X, n_trials = per_sample_trials_case()
    model = BinomialMixture(n_components=2, random_state=0)
    model.set_fit_request(n_trials=True)
    search = GridSearchCV(model, {"n_init": [1]}, cv=CV, scoring=neg_bic_scorer)
    with pytest.raises(ValueError, match="n_trials"):
        search.fit(X, n_trials=n_trials)
