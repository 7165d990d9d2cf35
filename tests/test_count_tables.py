"""Frequency tables and count data: the right answer or a clear message.

The two classic tables of boys among siblings (vcd's Saxony, vcdExtra's
Geissler; see :mod:`skem.datasets`) are fitted as a user coming from R's
flexmix would: one row per cell, the cell count as ``sample_weight``, the
family size as per-sample ``n_trials``. References are computed here without
EM (``tests/_reference.py``: direct numerical maximization).
"""

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skem import BinomialMixture, GaussianMixtureEM
from skem.datasets import load_coin_flips, load_geissler, load_saxony
from skem.exceptions import SampleWeightWarning
from skem.model_selection import (
    InformationCriterionScorer,
    criteria_grid,
    neg_bic_scorer,
)
from tests._reference import binomial_mixture_max_loglik

README = Path(__file__).resolve().parents[1] / "README.md"


def saxony():
    data = load_saxony()
    counts = data.counts.astype(float)
    return counts, np.full(len(counts), 12.0), data.freq.astype(float)


def geissler():
    data = load_geissler()
    return (
        data.counts.astype(float),
        data.n_trials.astype(float),
        data.freq.astype(float),
    )


def dice():
    """Weldon's dice: 26,306 throws of twelve dice, by the number of 5s and 6s.

    Pearson (1900), Philosophical Magazine 50, 157-175; ``vcd::WeldonDice``
    pools 10 to 12.
    """
    freq = [185, 1149, 3265, 5475, 6114, 5194, 3067, 1331, 403, 105, 14, 4, 0]
    return np.arange(13.0).reshape(-1, 1), np.array(freq, dtype=float)


TABLES = {"saxony": saxony, "geissler": geissler}


@pytest.fixture(scope="module")
def maxima():
    """Brute-force maximum total log-likelihoods, k = 1..3, of both tables."""
    return {
        (name, k): binomial_mixture_max_loglik(*table(), k, n_starts=6)[0]
        for name, table in TABLES.items()
        for k in (1, 2, 3)
    }


# ----------------------------------------------------------------------
# The default workflow
# ----------------------------------------------------------------------
@pytest.mark.parametrize("name", TABLES)
def test_default_workflow_chooses_and_fits_like_a_fit_to_convergence(name, maxima):
    counts, n_trials, freq = TABLES[name]()
    template = BinomialMixture(n_trials="max", random_state=0)
    with warnings.catch_warnings():
        # k = 4 may stop at max_iter on Geissler: a true warning, not checked here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid = criteria_grid(
            template,
            counts,
            {"n_components": [1, 2, 3, 4]},
            sample_weight=freq,
            n_trials=n_trials,
        )
    n = freq.sum()
    bic_at_maxima = {
        k: -2 * maxima[name, k] + np.log(n) * (2 * k - 1) for k in (1, 2, 3)
    }
    assert grid.best_params_ == {
        "n_components": min(bic_at_maxima, key=bic_at_maxima.get)
    }
    assert grid.best_params_ == {"n_components": 2}
    model = BinomialMixture(2, n_trials="max", random_state=0)
    model.fit(counts, sample_weight=freq, n_trials=n_trials)
    assert model.converged_
    log_likelihood = model.lower_bound_ * n
    assert maxima[name, 2] - 0.1 < log_likelihood <= maxima[name, 2] + 1e-6
    bic = model.bic(counts, sample_weight=freq, n_trials=n_trials)
    assert bic == pytest.approx(-2 * log_likelihood + np.log(n) * 3, rel=1e-12)
    assert bic == pytest.approx(bic_at_maxima[2], abs=0.2)
    labels = model.predict(counts, n_trials=n_trials)
    assert set(labels) == {0, 1}


def test_bic_and_aic_of_a_table_equal_those_of_the_expanded_data():
    counts, _, freq = saxony()
    model = BinomialMixture(2, n_trials=12, random_state=0)
    model.fit(counts, sample_weight=freq)
    expanded = np.repeat(counts, freq.astype(int), axis=0)
    assert model.bic(counts, sample_weight=freq) == pytest.approx(
        model.bic(expanded), rel=1e-12
    )
    assert model.aic(counts, sample_weight=freq) == pytest.approx(
        model.aic(expanded), rel=1e-12
    )
    # Unweighted, the 13 table rows are 13 samples: a different, small number.
    with pytest.warns(SampleWeightWarning, match="without sample_weight"):
        assert model.bic(counts) < 0.01 * model.bic(counts, sample_weight=freq)


def test_criteria_grid_and_scorers_agree_with_weights():
    counts, _, freq = saxony()
    grid = criteria_grid(
        BinomialMixture(n_trials=12, random_state=0),
        counts,
        {"n_components": [1, 2, 3]},
        sample_weight=freq,
    )
    for criterion in ("bic", "aic"):
        scorer = InformationCriterionScorer(criterion)
        for estimator, value in zip(
            grid.estimators, getattr(grid, criterion), strict=True
        ):
            assert -scorer(estimator, counts, sample_weight=freq) == pytest.approx(
                value, rel=1e-12
            )


def test_weighted_scorer_in_grid_search_with_routing():
    counts, _, freq = saxony()
    X = np.tile(counts, (4, 1))  # enough rows for three folds
    weights = np.tile(freq, 4) / 4
    cv = KFold(3, shuffle=True, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = InformationCriterionScorer("bic").set_score_request(sample_weight=True)
        model = BinomialMixture(n_trials=12, random_state=0).set_fit_request(
            sample_weight=True
        )
        search = GridSearchCV(
            model, {"n_components": [1, 2]}, scoring=scorer, cv=cv, error_score="raise"
        ).fit(X, sample_weight=weights)
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores))
    train, test = next(cv.split(X))
    fold_model = BinomialMixture(1, n_trials=12, random_state=0).fit(
        X[train], sample_weight=weights[train]
    )
    expected = -fold_model.bic(X[test], sample_weight=weights[test])
    assert search.cv_results_["split0_test_score"][0] == pytest.approx(expected)


def test_weighted_scorer_in_grid_search_without_routing():
    # scikit-learn passes fit's sample_weight to the scorers that take it.
    counts, _, freq = saxony()
    rows = np.arange(len(counts))
    search = GridSearchCV(
        BinomialMixture(n_trials=12, random_state=0),
        {"n_components": [1, 2]},
        scoring=neg_bic_scorer,
        cv=[(rows, rows)],
    ).fit(counts, sample_weight=freq)
    for params, score in zip(
        search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
    ):
        model = BinomialMixture(n_trials=12, random_state=0, **params)
        model.fit(counts, sample_weight=freq)
        assert score == pytest.approx(-model.bic(counts, sample_weight=freq))
    assert search.best_params_ == {"n_components": 2}


# ----------------------------------------------------------------------
# Sample weights that cannot go silently wrong
# ----------------------------------------------------------------------
def weight_warnings(record):
    return [w for w in record if issubclass(w.category, SampleWeightWarning)]


def test_normalized_weights_warn_at_the_callers_line_where_their_scale_counts():
    counts, freq = dice()
    proportions = freq / freq.sum()
    model = BinomialMixture(2, n_trials=12, random_state=0)
    calls = {
        "fit": lambda: model.fit(counts, sample_weight=proportions),
        "fit_predict": lambda: model.fit_predict(counts, sample_weight=proportions),
        "partial_fit": lambda: clone(model).partial_fit(
            counts, sample_weight=proportions
        ),
        "bic": lambda: model.bic(counts, sample_weight=proportions),
        "aic": lambda: model.aic(counts, sample_weight=proportions),
    }
    for name, call in calls.items():
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            call()
        caught = weight_warnings(record)
        assert len(caught) == 1, name
        assert caught[0].filename == __file__, name
        message = str(caught[0].message)
        assert message.startswith("The sample weights look normalized: every ")
        assert "log(1) = 0" in message and "frequency counts" in message
    # A weighted mean does not depend on the scale of the weights.
    with warnings.catch_warnings():
        warnings.simplefilter("error", SampleWeightWarning)
        assert model.score(counts, sample_weight=proportions) == pytest.approx(
            model.score(counts, sample_weight=freq), rel=1e-12
        )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_criteria_grid_warns_once_about_normalized_weights_and_not_about_tol(n_jobs):
    counts, freq = dice()
    # tol=1e-3 on a total weight of 1: the best two are closer than that, and
    # the tolerance warning would wrongly blame it.
    template = BinomialMixture(n_trials=12, tol=1e-3, random_state=0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        criteria_grid(
            template,
            counts,
            {"n_components": [1, 2, 3, 4]},
            sample_weight=freq / freq.sum(),
            n_jobs=n_jobs,
        )
    caught = weight_warnings(record)
    assert len(caught) == 1
    assert caught[0].filename == __file__
    assert "look normalized" in str(caught[0].message)
    assert not [w for w in record if "tolerance" in str(w.message)]
    # With the counts: silent, and one binomial describes the dice.
    with warnings.catch_warnings():
        warnings.simplefilter("error", SampleWeightWarning)
        grid = criteria_grid(
            template, counts, {"n_components": [1, 2, 3, 4]}, sample_weight=freq
        )
    assert grid.best_params_ == {"n_components": 1}


@pytest.mark.parametrize(
    "weights",
    [
        dice()[1],  # counts, with a zero
        np.ones(13),
        np.r_[np.full(12, 0.5), 1.0],  # a weight of 1: not all below 1
        np.linspace(0.5, 3.0, 13),
    ],
    ids=["counts", "ones", "halves-and-one", "fractional"],
)
def test_counts_and_unit_weights_never_look_normalized(weights):
    counts, _ = dice()
    model = BinomialMixture(2, n_trials=12, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SampleWeightWarning)
        model.fit(counts, sample_weight=weights)
        model.partial_fit(counts, sample_weight=weights)
        model.bic(counts, sample_weight=weights)
        model.aic(counts, sample_weight=weights)
        criteria_grid(model, counts, {"n_components": [1, 2]}, sample_weight=weights)


def test_normalized_weights_of_a_dask_array_warn_too():
    da = pytest.importorskip("dask.array")
    import dask

    counts, freq = dice()
    X = da.from_array(np.tile(counts, (4, 1)), chunks=(20, 1))
    weights = da.from_array(np.tile(freq, 4) / (4 * freq.sum()), chunks=20)
    model = BinomialMixture(2, n_trials=12, random_state=0)
    with dask.config.set(scheduler="synchronous"):
        with pytest.warns(SampleWeightWarning, match="look normalized") as record:
            model.fit(X, sample_weight=weights)
        assert weight_warnings(record)[0].filename == __file__
        with pytest.warns(SampleWeightWarning, match="look normalized"):
            model.bic(X, sample_weight=weights)
        with warnings.catch_warnings():
            warnings.simplefilter("error", SampleWeightWarning)
            model.fit(X, sample_weight=weights * freq.sum())


def test_scoring_the_rows_of_a_weighted_fit_without_weights_warns():
    counts, _, freq = saxony()
    model = BinomialMixture(2, n_trials=12, random_state=0)
    model.fit(counts, sample_weight=freq)
    for method in ("bic", "aic", "score"):
        with pytest.warns(
            SampleWeightWarning,
            match=re.escape(f"{method}() got 13 rows without sample_weight"),
        ) as record:
            getattr(model, method)(counts)
        assert record[0].filename == __file__
    with pytest.warns(SampleWeightWarning, match="bic") as record:
        neg_bic_scorer(model, counts)
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error", SampleWeightWarning)
        model.bic(counts, sample_weight=freq)
        model.score(counts[:5])  # other rows than the fitted ones
        unit = clone(model).fit(counts, sample_weight=np.ones(13))
        unit.bic(counts)
        model.fit(counts)  # refitted without weights: nothing to forget
        model.bic(counts)


# ----------------------------------------------------------------------
# Numbers of trials that cannot go silently wrong
# ----------------------------------------------------------------------
def test_per_sample_trials_are_required_after_a_per_sample_fit():
    counts, n_trials, freq = geissler()
    model = BinomialMixture(2, n_trials="max", random_state=0)
    model.fit(counts, sample_weight=freq, n_trials=n_trials)
    for method in ("predict", "predict_proba", "score_samples", "score", "bic"):
        with pytest.raises(ValueError, match="fitted with per-sample n_trials"):
            getattr(model, method)(counts)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SampleWeightWarning)  # not tested here
            getattr(model, method)(counts, n_trials=n_trials)
    with pytest.raises(ValueError, match="fitted with per-sample n_trials"):
        model.sample(5)
    X, _ = model.sample(400, n_trials=np.repeat([4, 8], 200))
    assert np.all(X[:200] <= 4) and np.all(X[200:] <= 8)
    # Opting in: the constructor says how many trials rows without them had.
    opted_in = BinomialMixture(2, n_trials=12, random_state=0)
    opted_in.fit(counts, sample_weight=freq, n_trials=n_trials)
    assert opted_in.predict(counts).shape == (90,)


def test_guessing_n_trials_warns_and_max_accepts_the_guess():
    heads = load_coin_flips().heads
    with pytest.warns(UserWarning, match=r"assuming \[9\] trials") as record:
        BinomialMixture(2, random_state=0).fit(heads)
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        guessed = BinomialMixture(2, n_trials="max", random_state=0).fit(heads)
        told = BinomialMixture(2, n_trials=10, random_state=0).fit(heads)
    assert_allclose(guessed.n_trials_, [9])
    assert_allclose(told.n_trials_, [10])


def test_partial_fit_keeps_the_learned_n_trials():
    model = BinomialMixture(2, n_trials="max", random_state=0)
    model.partial_fit([[3.0], [5.0], [1.0], [4.0]])
    assert_allclose(model.n_trials_, [5])
    with pytest.raises(ValueError, match=re.escape("X[1, 0] = 7 exceeds n_trials = 5")):
        model.partial_fit([[2.0], [7.0]])


# ----------------------------------------------------------------------
# Pipelines, tolerance, warnings
# ----------------------------------------------------------------------
def test_criteria_grid_accepts_a_pipeline():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (150, 2)), rng.normal(6, 1, (150, 2))]) * [1, 50]
    pipeline = make_pipeline(StandardScaler(), GaussianMixtureEM(random_state=0))
    grid = criteria_grid(pipeline, X, {"gaussianmixtureem__n_components": [1, 2, 3]})
    assert grid.best_params_ == {"gaussianmixtureem__n_components": 2}
    best = grid.best_estimator_
    Xt = best[0].transform(X)
    assert grid.bic[grid.best_index_] == pytest.approx(best[-1].bic(Xt), rel=1e-12)
    assert "gaussianmixtureem__n_components" in str(grid)
    default = criteria_grid(pipeline, X)
    assert len(default.params) == 36


def test_criteria_grid_warns_when_tolerance_cannot_separate_models():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 2))
    with pytest.warns(UserWarning, match="less than their fits' tolerance") as record:
        criteria_grid(
            GaussianMixtureEM(2, tol=1e-2),
            X,
            {"init_params": ["kmeans", "random"], "random_state": [0]},
        )
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        criteria_grid(
            BinomialMixture(n_trials=12, random_state=0),
            saxony()[0],
            {"n_components": [1, 2]},
            sample_weight=saxony()[2],
        )


def test_convergence_warning_inside_grid_search_points_at_the_user():
    X = np.random.RandomState(0).normal(size=(60, 2))
    search = GridSearchCV(
        GaussianMixtureEM(max_iter=1, tol=0), {"n_components": [1, 2]}, cv=2
    )
    with pytest.warns(ConvergenceWarning) as record:
        search.fit(X)
    assert {w.filename for w in record} == {__file__}


@pytest.mark.slow
def test_readme_example_runs_warning_free_and_prints_what_the_readme_shows():
    text = README.read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    shown = re.search(r"prints:\n\n```\n(.*?)```", text, re.S).group(1)
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == shown
