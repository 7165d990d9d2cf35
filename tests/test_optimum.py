"""Degenerate fits, the hierarchical start and the emEM search (issue 16)."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn import config_context
from sklearn.datasets import load_iris
from sklearn.utils.estimator_checks import parametrize_with_checks

from skem import BinomialMixture, GaussianMixtureEM
from skem._degeneracy import (
    REG_COVAR_FACTOR,
    RELATIVE_VARIANCE,
    DegenerateFitWarning,
    binomial_degeneracy,
    gaussian_degeneracy,
)
from skem._hierarchical import hierarchical_labels
from skem.model_selection import criteria_grid, neg_bic_scorer
from tests._reference import fitted_parameters

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def two_blobs(seed=0, n=60):
    rng = np.random.RandomState(seed)
    return np.vstack([rng.normal(0, 1, (n, 2)), rng.normal(6, 1, (n, 2))])


def binomial_table(seed=0):
    rng = np.random.RandomState(seed)
    return np.vstack([rng.binomial(10, 0.3, (40, 2)), rng.binomial(10, 0.7, (40, 2))])


def fit_quietly(model, X, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateFitWarning)
        warnings.simplefilter("ignore", UserWarning)
        return model.fit(X, **fit_params)


# ----------------------------------------------------------------------
# Degeneracy: constructed fits, through fit
# ----------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_component_on_identical_points_is_degenerate(covariance_type):
    X = np.vstack([two_blobs(), np.tile([3.0, -4.0], (4, 1))])
    model = GaussianMixtureEM(
        3,
        covariance_type=covariance_type,
        means_init=[[0, 0], [6, 6], [3.0, -4.0]],
        random_state=0,
    )
    with pytest.warns(DegenerateFitWarning, match="component 2 collapsed"):
        model.fit(X)
    assert list(model.degenerate_components_) == [2]


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_constant_feature_within_a_cluster_is_degenerate(covariance_type):
    rng = np.random.RandomState(1)
    flat = np.column_stack([rng.normal(0, 1, 50), np.full(50, 7.0)])
    X = np.vstack([flat, rng.normal(0, 1, (50, 2)) + [8.0, 0.0]])
    model = GaussianMixtureEM(
        2,
        covariance_type=covariance_type,
        weights_init=[0.5, 0.5],
        means_init=[[0, 7], [8, 0]],
        precisions_init=np.ones((2, 2))
        if covariance_type == "diag"
        else [np.eye(2)] * 2,
    )
    where = "feature 1" if covariance_type == "diag" else "principal axis"
    with pytest.warns(DegenerateFitWarning, match=f"component 0 collapsed.*{where}"):
        model.fit(X)
    assert list(model.degenerate_components_) == [0]


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_feature_constant_in_all_data_is_no_degeneracy(covariance_type):
    X = np.column_stack([two_blobs(), np.full(120, 3.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateFitWarning)
        model = GaussianMixtureEM(
            2, covariance_type=covariance_type, random_state=0
        ).fit(X)
    assert model.degenerate_components_ == {}


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_well_separated_clusters_are_not_degenerate(covariance_type):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateFitWarning)
        model = GaussianMixtureEM(
            2, covariance_type=covariance_type, random_state=0
        ).fit(two_blobs())
    assert model.degenerate_components_ == {}


def test_binomial_component_pinned_on_one_row_is_degenerate():
    X = np.vstack([binomial_table(), [[0, 0]]])
    model = BinomialMixture(
        3,
        n_trials=10,
        probabilities_init=[[0.3, 0.3], [0.7, 0.7], [0.0, 0.0]],
        random_state=0,
    )
    with pytest.warns(DegenerateFitWarning, match=r"component 2 is pinned.*\[0, 1\]"):
        model.fit(X)
    assert list(model.degenerate_components_) == [2]


def test_binomial_component_of_many_zero_rows_is_not_degenerate():
    X = np.vstack([binomial_table(), np.zeros((20, 2))])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateFitWarning)
        model = BinomialMixture(
            3,
            n_trials=10,
            probabilities_init=[[0.3, 0.3], [0.7, 0.7], [0.0, 0.0]],
        ).fit(X)
    assert model.probabilities_[2].max() == model.probability_floor
    assert model.degenerate_components_ == {}


# ----------------------------------------------------------------------
# The rules and their thresholds, on the pure functions
# ----------------------------------------------------------------------
def spread_mixture(variance_of_first, covariance_type, reg_covar=1e-6):
    """Two components, the first with ``variance_of_first`` in feature 1."""
    weights = np.array([0.5, 0.5])
    means = np.array([[0.0, 0.0], [5.0, 5.0]])
    diagonals = np.array([[1.0, variance_of_first], [1.0, 1.0]])
    covariances = {
        "full": np.stack([np.diag(d) for d in diagonals]),
        "diag": diagonals,
        "spherical": diagonals.min(axis=1),
    }[covariance_type]
    nk = np.array([50.0, 50.0])
    return gaussian_degeneracy(
        weights, means, covariances, covariance_type, reg_covar, nk
    )


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_collapse_threshold_is_a_factor_of_reg_covar(covariance_type):
    reg_covar = 1e-3
    at = spread_mixture(REG_COVAR_FACTOR * reg_covar, covariance_type, reg_covar)
    above = spread_mixture(
        1.01 * REG_COVAR_FACTOR * reg_covar, covariance_type, reg_covar
    )
    assert list(at) == [0]
    assert "regularization" in at[0]
    assert above == {}


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_collapse_threshold_relative_to_the_data(covariance_type):
    # reg_covar=0: only the relative rule can flag. The data's variance in
    # feature 1 is 1/2 (within) + 6.25 (between the means).
    data_variance = 0.5 * (1.0 + 0.0) + 6.25
    at = spread_mixture(
        0.999 * RELATIVE_VARIANCE * data_variance, covariance_type, reg_covar=0.0
    )
    above = spread_mixture(
        1.01 * RELATIVE_VARIANCE * data_variance, covariance_type, reg_covar=0.0
    )
    assert list(at) == [0] and "times the data's" in at[0]
    assert above == {}


@pytest.mark.parametrize(
    "covariance_type, needed", [("full", 4), ("diag", 2), ("spherical", 2), ("tied", 1)]
)
def test_too_few_effective_samples(covariance_type, needed):
    n_features = 3
    covariances = {
        "full": np.stack([np.eye(n_features)] * 2),
        "tied": np.eye(n_features),
        "diag": np.ones((2, n_features)),
        "spherical": np.ones(2),
    }[covariance_type]
    means = np.array([[0.0] * n_features, [4.0] * n_features])
    weights = np.array([0.5, 0.5])

    def reasons(nk_first):
        return gaussian_degeneracy(
            weights,
            means,
            covariances,
            covariance_type,
            1e-6,
            np.array([nk_first, 100.0]),
        )

    assert list(reasons(0.99 * needed)) == [0]
    assert "effective samples" in reasons(0.99 * needed)[0]
    assert reasons(needed) == {}


def test_binomial_pinned_needs_few_samples_and_a_bound():
    floor = 1e-10
    probabilities = np.array([[floor, 0.4], [0.5, 1 - floor], [0.2, 0.3]])
    nk = np.array([2.9, 2.9, 1.0])  # 3 = n_features + 1 free parameters
    assert sorted(binomial_degeneracy(probabilities, floor, nk)) == [0, 1]
    assert binomial_degeneracy(probabilities, floor, np.full(3, 3.0)) == {}


# ----------------------------------------------------------------------
# n_init keeps the best non-degenerate run
# ----------------------------------------------------------------------
def test_n_init_keeps_best_non_degenerate_run():
    rng = np.random.RandomState(0)
    X = np.vstack(
        [
            rng.normal(0, 1, (60, 2)),
            rng.normal(5, 1, (60, 2)),
            np.tile([2.5, 2.5], (6, 1)),
        ]
    )
    params = {"n_components": 3, "covariance_type": "diag"}
    params["init_params"] = "random_from_data"
    # The same starts one by one: fit() draws them from a shared RandomState.
    shared = np.random.RandomState(0)
    runs = [
        fit_quietly(GaussianMixtureEM(random_state=shared, **params), X)
        for _ in range(6)
    ]
    degenerate = [bool(run.degenerate_components_) for run in runs]
    bounds = np.array([run.lower_bound_ for run in runs])
    best_sound = bounds[~np.array(degenerate)].max()
    # The data make the test bite: a degenerate run has the top likelihood.
    assert bounds[np.array(degenerate)].max() > best_sound + 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateFitWarning)
        model = GaussianMixtureEM(n_init=6, random_state=0, **params).fit(X)
    assert model.lower_bound_ == best_sound
    assert model.degenerate_components_ == {}


# ----------------------------------------------------------------------
# Model selection reports degenerate models as NaN
# ----------------------------------------------------------------------
def data_with_tied_points():
    # Four identical points away from two blobs: a fourth diag component
    # collapses onto them.
    return np.vstack([two_blobs(), np.tile([3.0, -4.0], (4, 1))])


def test_criteria_grid_scores_degenerate_model_nan():
    X = data_with_tied_points()
    template = GaussianMixtureEM(covariance_type="diag", random_state=0)
    with pytest.warns(DegenerateFitWarning, match="n_components=4.*scored NaN"):
        grid = criteria_grid(template, X, {"n_components": [2, 3, 4]})
    assert np.isnan(grid.log_likelihood[2])
    assert np.isnan(grid.bic[2]) and np.isnan(grid.aic[2])
    assert np.all(np.isfinite(grid.bic[:2]))
    assert "NA" in str(grid)
    # Unflagged, the degenerate model's inflated likelihood wins the BIC.
    degenerate = grid.estimators[2]
    assert degenerate.bic(X) < np.min(grid.bic[:2])
    assert grid.best_params_ == {"n_components": 2}


def test_scorer_scores_degenerate_model_nan():
    X = data_with_tied_points()
    model = GaussianMixtureEM(4, covariance_type="diag", random_state=0)
    fit_quietly(model, X)
    with pytest.warns(DegenerateFitWarning, match="scored NaN"):
        assert np.isnan(neg_bic_scorer(model, X))
    sound = GaussianMixtureEM(2, covariance_type="diag", random_state=0).fit(X)
    assert neg_bic_scorer(sound, X) == -sound.bic(X)


# ----------------------------------------------------------------------
# The hierarchical start
# ----------------------------------------------------------------------
def gaussian_and_binomial():
    return [
        (GaussianMixtureEM(3, covariance_type="diag"), two_blobs(3, 40), {}),
        # 'full' clusters the sphered points.
        (GaussianMixtureEM(3, covariance_type="full"), two_blobs(4, 40), {}),
        (
            BinomialMixture(3, n_trials=10),
            binomial_table(3),
            {},
        ),
    ]


def initial_parameters(model, X, **fit_params):
    model = fit_quietly(
        model.set_params(init_params="hierarchical", max_iter=0), X, **fit_params
    )
    return fitted_parameters(model)


@pytest.mark.parametrize("model, X, fit_params", gaussian_and_binomial())
def test_hierarchical_start_is_free_of_row_order(model, X, fit_params):
    order = np.random.RandomState(0).permutation(len(X))
    first = initial_parameters(model, X)
    second = initial_parameters(model, X[order])
    for name, value in first.items():
        assert_allclose(second[name], value, rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("model, X, fit_params", gaussian_and_binomial())
def test_hierarchical_start_weights_equal_repeated_rows(model, X, fit_params):
    weights = np.random.RandomState(1).randint(0, 4, len(X))
    weighted = initial_parameters(model, X, sample_weight=weights)
    repeated = initial_parameters(model, np.repeat(X, weights, axis=0))
    for name, value in weighted.items():
        assert_allclose(repeated[name], value, rtol=1e-10, atol=1e-12, err_msg=name)


def assert_same_partition(ours, theirs, k):
    # Same partition into k parts: a one-to-one map between the labels.
    pairs = set(zip(ours, theirs, strict=True))
    assert len(pairs) == k == len(set(ours)) == len(set(theirs))


def test_hierarchical_labels_match_scipy_ward():
    # Distinct points in general position: no ties, so the partition is
    # the one of scipy's Ward linkage cut at k clusters.
    X = np.random.RandomState(2).normal(size=(80, 3))
    for k in (2, 3, 5):
        ours = hierarchical_labels(X, None, k, np.random.RandomState(0))
        theirs = fcluster(linkage(X, "ward"), k, criterion="maxclust")
        assert_same_partition(ours, theirs, k)


def test_hierarchical_labels_of_weighted_points_match_scipy_on_repeated_points():
    # Unequal weights take skem's own agglomeration (scipy's Ward linkage
    # has no weights); scipy on the repeated points is the reference.
    rng = np.random.RandomState(6)
    X = rng.normal(size=(60, 3))
    weights = rng.randint(1, 5, 60)
    for k in (2, 3, 5):
        ours = np.repeat(hierarchical_labels(X, weights.astype(float), k, rng), weights)
        repeated = np.repeat(X, weights, axis=0)
        theirs = fcluster(linkage(repeated, "ward"), k, criterion="maxclust")
        assert_same_partition(ours, theirs, k)


def test_hierarchical_labels_of_weighted_points_match_repeated_points():
    rng = np.random.RandomState(3)
    X = rng.normal(size=(30, 2))
    weights = rng.randint(1, 4, 30)
    weighted = hierarchical_labels(X, weights.astype(float), 4, rng)
    repeated = hierarchical_labels(np.repeat(X, weights, axis=0), None, 4, rng)
    assert_array_equal(np.repeat(weighted, weights), repeated)


def test_hierarchical_subsample_is_free_of_row_order():
    # More distinct points than the agglomeration takes: a subsample.
    X = np.random.RandomState(4).normal(size=(2300, 2))
    order = np.random.RandomState(5).permutation(len(X))
    first = hierarchical_labels(X, None, 3, np.random.RandomState(0))
    second = hierarchical_labels(X[order], None, 3, np.random.RandomState(0))
    assert_array_equal(first[order], second)
    assert len(set(first)) == 3


# ----------------------------------------------------------------------
# scikit-learn's checks with several components and the new strategies
# ----------------------------------------------------------------------
@parametrize_with_checks(
    [
        GaussianMixtureEM(3, init_params="hierarchical"),
        GaussianMixtureEM(3, covariance_type="diag", init_params="hierarchical"),
        BinomialMixture(3, init_params="hierarchical"),
        # The searches draw random starts, which (like 'kmeans') see integer
        # weights and repeated rows differently: one component here.
        GaussianMixtureEM(covariance_type="tied", init_params="emem-hierarchical"),
        BinomialMixture(init_params="emem"),
        GaussianMixtureEM(init_params="emem-split-merge"),
    ]
)
def test_sklearn_checks_with_new_strategies(estimator, check):
    with warnings.catch_warnings():
        # Tiny check data may leave a component on a point or two.
        warnings.simplefilter("ignore", DegenerateFitWarning)
        check(estimator)


# ----------------------------------------------------------------------
# The emEM search
# ----------------------------------------------------------------------
def faithful_like(seed):
    """Two elongated groups with integer-rounded second feature."""
    rng = np.random.RandomState(seed)
    short = np.column_stack([rng.normal(2.0, 0.3, 100), rng.normal(54, 6, 100)])
    long = np.column_stack([rng.normal(4.3, 0.4, 170), rng.normal(80, 6, 170)])
    X = np.vstack([short, long])
    return np.column_stack([np.round(X[:, 0], 1), np.round(X[:, 1])])


@pytest.mark.parametrize(
    "seed, covariance_type, strategy, n_init",
    [(0, t, "emem", 1) for t in COVARIANCE_TYPES]
    + [(1, "full", "emem", 2), (2, "diag", "emem-hierarchical", 2)],
)
def test_search_never_below_plain_n_init(seed, covariance_type, strategy, n_init):
    X = faithful_like(seed)
    params = {
        "n_components": 4,
        "covariance_type": covariance_type,
        "n_init": n_init,
        "random_state": seed,
        "tol": 1e-4,
    }
    plain = fit_quietly(GaussianMixtureEM(init_params="kmeans", **params), X)
    search = fit_quietly(GaussianMixtureEM(init_params=strategy, **params), X)
    # The search also continues plain's k-means starts and keeps the best
    # run by (not degenerate, log-likelihood): never below plain in that
    # order. When plain is sound, the search is sound and at least as high;
    # when plain is degenerate, the search is sound or at least as high.
    assert run_rank(search) >= run_rank(plain)
    if not plain.degenerate_components_:
        assert not search.degenerate_components_


@pytest.mark.parametrize("seed", [0, 14])
def test_search_never_below_degenerate_plain_n_init(seed):
    # Six repeated points between two blobs: k-means starts collapse a
    # component onto them, so plain's fit is degenerate.
    rng = np.random.RandomState(0)
    X = np.vstack(
        [
            rng.normal(0, 1, (60, 2)),
            rng.normal(5, 1, (60, 2)),
            np.tile([2.5, 2.5], (6, 1)),
        ]
    )
    params = {"n_components": 4, "covariance_type": "diag", "random_state": seed}
    plain = fit_quietly(GaussianMixtureEM(init_params="kmeans", **params), X)
    search = fit_quietly(GaussianMixtureEM(init_params="emem", **params), X)
    assert plain.degenerate_components_  # the case the test is about
    assert run_rank(search) >= run_rank(plain)


def run_rank(model):
    """How a fit ranks its runs: sound ones first, then by log-likelihood."""
    return (not model.degenerate_components_, model.lower_bound_)


@pytest.mark.parametrize("seed", range(2))
def test_binomial_search_never_below_plain_n_init(seed):
    X = binomial_table(seed)
    params = {"n_components": 3, "n_trials": 10, "n_init": 2, "random_state": seed}
    plain = fit_quietly(BinomialMixture(init_params="kmeans", **params), X)
    search = fit_quietly(BinomialMixture(init_params="emem", **params), X)
    assert search.lower_bound_ >= plain.lower_bound_


def test_search_finds_better_optimum_than_plain_start():
    # A case where the k-means start misses: the search must improve on it
    # (otherwise the test above could pass with a search that does nothing).
    X = faithful_like(0)
    gains = []
    for seed in range(2):
        params = {"n_components": 5, "covariance_type": "diag", "random_state": seed}
        plain = fit_quietly(GaussianMixtureEM(init_params="kmeans", **params), X)
        search = fit_quietly(GaussianMixtureEM(init_params="emem", **params), X)
        gains.append((search.lower_bound_ - plain.lower_bound_) * len(X))
    assert min(gains) > 0.1


# ----------------------------------------------------------------------
# Split-and-merge moves
# ----------------------------------------------------------------------
SPLIT_MERGE_CASES = [
    (seed, covariance_type, k)
    for seed in range(4)
    for covariance_type in ("full", "diag")
    for k in (3, 5)
]


@pytest.mark.parametrize("seed, covariance_type, n_components", SPLIT_MERGE_CASES)
def test_split_merge_never_below_plain_start(seed, covariance_type, n_components):
    X = faithful_like(seed)
    params = {
        "n_components": n_components,
        "covariance_type": covariance_type,
        "random_state": seed,
        "tol": 1e-4,
    }
    plain = fit_quietly(GaussianMixtureEM(init_params="kmeans", **params), X)
    moved = fit_quietly(GaussianMixtureEM(init_params="emem-split-merge", **params), X)
    assert not moved.degenerate_components_
    assert moved.lower_bound_ >= plain.lower_bound_ - 1e-12


def test_split_merge_escapes_optima_the_search_ends_in():
    # Measured cases where emEM's optimum has two components on one group:
    # the moves must find a higher optimum (the test above alone would pass
    # with moves that never do anything). Iris, 'full', 6 components:
    # 'emem-hierarchical' ends at -119.7 (total), 'emem-split-merge' at -108.0.
    cases = [(faithful_like(0), "full", 5, 0), (faithful_like(3), "full", 5, 3)]
    cases.append((load_iris().data, "full", 6, 0))
    for X, covariance_type, n_components, seed in cases:
        params = {
            "n_components": n_components,
            "covariance_type": covariance_type,
            "random_state": seed,
            "tol": 1e-4,
        }
        search = fit_quietly(
            GaussianMixtureEM(init_params="emem-hierarchical", **params), X
        )
        moved = fit_quietly(
            GaussianMixtureEM(init_params="emem-split-merge", **params), X
        )
        gain = (moved.lower_bound_ - search.lower_bound_) * len(X)
        assert gain > 1.0
        assert moved.converged_ and not moved.degenerate_components_


def three_groups(seed=0, n=40):
    rng = np.random.RandomState(seed)
    centres = np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]])
    return np.vstack([rng.normal(c, 1.0, (n, 2)) for c in centres])


def test_split_merge_with_weights_missing_values_and_blocks():
    X = three_groups(1)
    X[::9, 0] = np.nan
    weights = np.random.RandomState(1).randint(1, 3, len(X)).astype(float)
    params = {"n_components": 4, "init_params": "emem-split-merge", "random_state": 0}
    whole = fit_quietly(GaussianMixtureEM(**params), X, sample_weight=weights)
    with config_context(working_memory=0.001):
        blocked = fit_quietly(GaussianMixtureEM(**params), X, sample_weight=weights)
    assert np.isfinite(whole.lower_bound_)
    assert_allclose(blocked.lower_bound_, whole.lower_bound_, rtol=1e-10)
    assert_allclose(blocked.means_, whole.means_, rtol=1e-8)


def test_binomial_split_merge_with_per_sample_trials():
    rng = np.random.RandomState(3)
    n_trials = rng.randint(10, 30, 150)
    p = np.repeat([0.1, 0.5, 0.9], 50)
    X = rng.binomial(n_trials, p)[:, np.newaxis].astype(float)
    params = {"n_components": 3, "random_state": 0}
    search = fit_quietly(
        BinomialMixture(init_params="emem-hierarchical", **params), X, n_trials=n_trials
    )
    moved = fit_quietly(
        BinomialMixture(init_params="emem-split-merge", **params), X, n_trials=n_trials
    )
    assert moved.lower_bound_ >= search.lower_bound_ - 1e-12
    assert_allclose(np.sort(moved.probabilities_[:, 0]), [0.1, 0.5, 0.9], atol=0.05)


def test_split_merge_on_dask_arrays_matches_in_memory():
    import dask
    import dask.array as da

    X = three_groups(2)
    params = {"n_components": 4, "init_params": "emem-split-merge", "random_state": 0}
    in_memory = fit_quietly(GaussianMixtureEM(**params), X)
    with dask.config.set(scheduler="synchronous"):
        distributed = fit_quietly(
            GaussianMixtureEM(**params), da.from_array(X, chunks=50)
        )
    assert_allclose(distributed.lower_bound_, in_memory.lower_bound_, rtol=1e-10)


# ----------------------------------------------------------------------
# Every mode: weights, missing values, blocks, per-sample n_trials
# ----------------------------------------------------------------------
NEW_STRATEGIES = ["hierarchical", "emem", "emem-hierarchical", "emem-split-merge"]


@pytest.mark.parametrize("init_params", NEW_STRATEGIES)
def test_gaussian_new_strategies_with_weights_missing_values_and_blocks(init_params):
    X = two_blobs(5, 50)
    X[::7, 1] = np.nan
    weights = np.random.RandomState(0).randint(1, 3, len(X)).astype(float)
    params = {
        "n_components": 2,
        "covariance_type": "full",
        "init_params": init_params,
        "random_state": 0,
    }
    whole = fit_quietly(GaussianMixtureEM(**params), X, sample_weight=weights)
    with config_context(working_memory=0.001):  # blocks of a few rows
        blocked = fit_quietly(GaussianMixtureEM(**params), X, sample_weight=weights)
    assert np.isfinite(whole.lower_bound_)
    assert np.diff(whole.lower_bounds_).min() >= -1e-10
    assert_allclose(blocked.means_, whole.means_, rtol=1e-8)
    assert_allclose(blocked.lower_bound_, whole.lower_bound_, rtol=1e-10)
    assert_allclose(np.sort(whole.means_[:, 0]), [0, 6], atol=0.5)


@pytest.mark.parametrize("init_params", NEW_STRATEGIES)
def test_binomial_new_strategies_with_per_sample_trials_and_weights(init_params):
    rng = np.random.RandomState(6)
    n_trials = rng.randint(5, 15, 80)
    p = np.where(np.arange(80) < 40, 0.2, 0.8)
    X = rng.binomial(n_trials, p)[:, np.newaxis].astype(float)
    weights = rng.randint(1, 3, 80).astype(float)
    model = fit_quietly(
        BinomialMixture(2, init_params=init_params, random_state=0),
        X,
        n_trials=n_trials,
        sample_weight=weights,
    )
    assert_allclose(np.sort(model.probabilities_[:, 0]), [0.2, 0.8], atol=0.06)
    assert np.diff(model.lower_bounds_).min() >= -1e-10


@pytest.mark.parametrize("init_params", NEW_STRATEGIES)
def test_new_strategies_initialize_partial_fit(init_params):
    X = two_blobs(7, 40)
    model = GaussianMixtureEM(2, init_params=init_params, random_state=0)
    model.partial_fit(X)
    assert_allclose(np.sort(model.means_[:, 0]), [0, 6], atol=0.5)


@pytest.mark.parametrize("init_params", ["hierarchical", "emem-hierarchical"])
def test_new_strategies_on_dask_arrays_match_in_memory(init_params):
    import dask
    import dask.array as da

    X = two_blobs(8, 50)
    params = {"n_components": 2, "init_params": init_params, "random_state": 0}
    in_memory = GaussianMixtureEM(**params).fit(X)
    with dask.config.set(scheduler="synchronous"):
        distributed = GaussianMixtureEM(**params).fit(da.from_array(X, chunks=30))
    assert_allclose(distributed.lower_bound_, in_memory.lower_bound_, rtol=1e-10)
    # Candidates that tie up to rounding may end with the labels swapped.
    order = np.argsort(in_memory.means_[:, 0])
    other = np.argsort(distributed.means_[:, 0])
    assert_allclose(distributed.means_[other], in_memory.means_[order], rtol=1e-8)


def test_search_warm_start_continues_from_the_fitted_parameters():
    X = faithful_like(1)
    model = GaussianMixtureEM(3, init_params="emem", random_state=0, tol=1e-4)
    first = fit_quietly(model, X).lower_bound_
    model.set_params(warm_start=True)
    second = fit_quietly(model, X)
    # One run from the fitted parameters, not a new search.
    assert second.lower_bounds_[0] == pytest.approx(first, rel=1e-12)
    assert second.lower_bound_ >= first


def test_search_prints_no_short_run_iterations(capsys):
    X = faithful_like(2)
    params = {"init_params": "emem", "verbose": 2, "verbose_interval": 1}
    GaussianMixtureEM(3, random_state=0, **params).partial_fit(X)
    fit_quietly(GaussianMixtureEM(3, max_iter=3, tol=0, **params), X)
    printed = capsys.readouterr().out
    # The two runs continued (the 'kmeans' start and the search's winner)
    # print 3 iterations each; the search's hundreds of short-run steps none.
    assert printed.count("Initialization 0") == 1
    assert printed.count("Initialization did not converge") == 2
    assert printed.count("Iteration") == 6
