"""Property-based checks of the EM engine's invariants, on random data.

Every test draws its data, its model configuration and a *mode*: any
combination of small row blocks (``working_memory``), sample weights, missing
(NaN) entries and SQUAREM acceleration, so each property is proven in every
mode. Hypothesis runs derandomized, with a few dozen examples per test, so the
file is fast and gives the same examples on every run.

Invariance properties start from parameters fixed by the ``*_init``
arguments (no data-dependent initialization) and run a fixed number of EM
steps (``tol=0``), so the two fits they compare take the same path and differ
by rounding only.
"""

import warnings
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import sklearn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture, GaussianMixtureEM

COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]
INIT_PARAMS = ["kmeans", "k-means++", "random", "random_from_data"]

# Derandomized: the same examples on every run; a few dozen keep the file fast.
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
INVARIANCE = PROPERTY

#: EM steps of the invariance fits: a fixed path, no stopping rule.
N_STEPS = 8


# ----------------------------------------------------------------------
# Modes
# ----------------------------------------------------------------------
@dataclass(frozen=True)
class Mode:
    blocks: bool  # rows processed in blocks of a few rows
    weights: bool  # random positive sample weights
    nan: bool  # some entries missing
    squarem: bool  # acceleration='squarem'

    def context(self):
        # 0.002 MiB: blocks of a handful of rows at these widths.
        if self.blocks:
            return sklearn.config_context(working_memory=0.002)
        return nullcontext()

    @property
    def acceleration(self):
        return "squarem" if self.squarem else None

    def sample_weight(self, rng, n_samples):
        return rng.uniform(0.1, 3.0, n_samples) if self.weights else None

    def with_missing(self, X, rng):
        """``X`` with about 15% of its entries NaN (never in the first row)."""
        if not self.nan:
            return X
        X = np.array(X, dtype=np.float64)
        missing = rng.uniform(size=X.shape) < 0.15
        missing[0] = False  # every feature observed somewhere
        X[missing] = np.nan
        return X


modes = st.builds(Mode, st.booleans(), st.booleans(), st.booleans(), st.booleans())


def fit_quietly(model, X, **fit_params):
    """``fit_predict``, without the warnings random data may legitimately cause.

    (ConvergenceWarning at ``tol=0``; a UserWarning for an empty component or
    for duplicate points in k-means.) RuntimeWarnings stay errors.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        return model.fit_predict(X, **fit_params)


def assert_fitted_attributes_finite(model):
    for name, value in vars(model).items():
        if name.endswith("_") and not name.startswith("_"):
            values = np.asarray(value)
            if values.dtype.kind in "fiu":
                assert np.all(np.isfinite(values)), name


def assert_engine_invariants(model, X, labels, sample_weight, **metadata):
    """What the engine promises after any fit of any family."""
    # EM never lowers the likelihood (beyond rounding of the summed terms).
    bounds = np.asarray(model.lower_bounds_)
    assert np.diff(bounds).min() >= -1e-9 * max(1.0, np.abs(bounds).max())
    # The reported bound is the score of the returned parameters.
    assert_allclose(
        model.lower_bound_,
        model.score(X, sample_weight=sample_weight, **metadata),
        rtol=1e-10,
        atol=1e-12,
    )
    assert_array_equal(labels, model.predict(X, **metadata))
    resp = model.predict_proba(X, **metadata)
    assert np.all(resp >= 0)
    assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.isfinite(model.score_samples(X, **metadata)))
    assert_allclose(model.weights_.sum(), 1.0, rtol=1e-12)
    assert_fitted_attributes_finite(model)


# ----------------------------------------------------------------------
# Random problems
# ----------------------------------------------------------------------
BINOMIAL_CONFIGS = [
    "scalar n_trials",
    "per-feature n_trials",
    "per-sample n_trials",
    "per-sample per-feature n_trials",
    "n_trials='max'",
    "fixed weights",
]


@dataclass
class CountProblem:
    X: np.ndarray
    params: dict  # constructor parameters besides the mode's
    metadata: dict  # per-sample n_trials for every method, or empty
    sample_weight: np.ndarray | None


@st.composite
def count_problems(draw, mode):
    """Binomial counts of a random shape in one of ``BINOMIAL_CONFIGS``."""
    n_samples = draw(st.integers(4, 40))
    n_features = draw(st.integers(1, 4))
    n_components = draw(st.integers(1, min(4, n_samples)))
    config = draw(st.sampled_from(BINOMIAL_CONFIGS))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.RandomState(seed)
    n_trials = rng.randint(1, 30, size=n_features)
    if config.startswith("per-sample"):
        # Some rows have zero trials: their counts drop out.
        shape = (n_samples, n_features) if "per-feature" in config else (n_samples,)
        per_sample = rng.randint(0, 30, size=shape).astype(float)
        per_sample[0] = np.maximum(per_sample[0], 1)
        n_trials = per_sample if per_sample.ndim == 2 else per_sample[:, np.newaxis]
    labels = rng.randint(n_components, size=n_samples)
    probabilities = rng.uniform(size=(n_components, n_features))
    X = rng.binomial(n_trials.astype(int), probabilities[labels]).astype(float)
    params = {"n_components": n_components, "random_state": seed}
    metadata = {}
    if config == "scalar n_trials":
        params["n_trials"] = int(n_trials.max())
        X = np.minimum(X, n_trials.max())
    elif config == "per-feature n_trials":
        params["n_trials"] = n_trials.astype(float)
    elif config.startswith("per-sample"):
        metadata["n_trials"] = per_sample
        params["n_trials"] = "max"
    elif config == "n_trials='max'":
        params["n_trials"] = "max"
    else:
        weights = np.full(n_components, 1.0 / n_components)
        if draw(st.booleans()):
            weights = rng.dirichlet(np.ones(n_components))
        params.update(
            n_trials=n_trials.astype(float), fixed=("weights",), weights_init=weights
        )
    X = mode.with_missing(X, rng)
    return CountProblem(X, params, metadata, mode.sample_weight(rng, n_samples))


@settings(PROPERTY, max_examples=200)
@given(data=st.data(), mode=modes)
def test_em_invariants_hold_on_random_count_data(data, mode):
    problem = data.draw(count_problems(mode))
    model = BinomialMixture(
        init_params=data.draw(st.sampled_from(INIT_PARAMS)),
        acceleration=mode.acceleration,
        max_iter=30,
        **problem.params,
    )
    with mode.context():
        labels = fit_quietly(
            model, problem.X, sample_weight=problem.sample_weight, **problem.metadata
        )
        assert_engine_invariants(
            model, problem.X, labels, problem.sample_weight, **problem.metadata
        )
    assert np.all((model.probabilities_ > 0) & (model.probabilities_ < 1))
    if "weights" in model.fixed:
        assert_allclose(model.weights_, problem.params["weights_init"])


@st.composite
def gaussian_data(draw, mode, min_samples=6):
    n_samples = draw(st.integers(min_samples, 60))
    n_features = draw(st.integers(1, 3))
    n_components = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.RandomState(seed)
    centres = rng.normal(scale=draw(st.sampled_from([0.0, 3.0, 10.0])), size=(3, 1))
    labels = rng.randint(n_components, size=n_samples)
    scales = rng.uniform(0.1, 10, n_features)
    X = (rng.normal(size=(n_samples, n_features)) + centres[labels]) * scales
    X += draw(st.sampled_from([0.0, 1e3]))  # an offset
    return mode.with_missing(X, rng), n_components, seed, rng


@settings(PROPERTY, max_examples=200)
@given(data=st.data(), mode=modes)
def test_em_invariants_hold_on_random_gaussian_data(data, mode):
    if mode.nan:
        # reg_covar=0 and clusters that no component can collapse onto one
        # point: with missing entries, reg_covar enters the next covariance
        # through the conditional covariances, so EM with reg_covar > 0 is not
        # exactly monotone on a collapsed component (the likelihood of its one
        # point falls as its variance grows from reg_covar).
        X, centres, rng = data.draw(separated_gaussians())
        X, n_components = mode.with_missing(X, rng), len(centres)
        seed, reg_covar, init_params = 0, 0.0, "kmeans"
    else:
        X, n_components, seed, rng = data.draw(gaussian_data(mode))
        reg_covar, init_params = 1e-6, data.draw(st.sampled_from(INIT_PARAMS))
    sample_weight = mode.sample_weight(rng, len(X))
    model = GaussianMixtureEM(
        n_components=n_components,
        covariance_type=data.draw(st.sampled_from(COVARIANCE_TYPES)),
        init_params=init_params,
        reg_covar=reg_covar,
        acceleration=mode.acceleration,
        max_iter=30,
        random_state=seed,
    )
    with mode.context():
        labels = fit_quietly(model, X, sample_weight=sample_weight)
        assert_engine_invariants(model, X, labels, sample_weight)


# ----------------------------------------------------------------------
# Invariances, from fixed starting parameters
# ----------------------------------------------------------------------
def gaussian_init(X, n_components, covariance_type, rng):
    """Starting parameters: means at random rows, precisions from the spread."""
    filled = np.where(np.isnan(X), np.nanmean(X, axis=0), X)
    means = filled[rng.choice(len(X), n_components, replace=False)]
    variances = np.nanvar(X, axis=0) + 1.0
    precisions = {
        "full": np.stack([np.diag(1 / variances)] * n_components),
        "tied": np.diag(1 / variances),
        "diag": np.tile(1 / variances, (n_components, 1)),
        "spherical": np.full(n_components, 1 / variances.mean()),
    }[covariance_type]
    return {
        "weights_init": rng.dirichlet(np.ones(n_components) * 5),
        "means_init": means,
        "precisions_init": precisions,
    }


def permute_features(values, perm, covariance_type):
    """Covariances (or precisions) of permuted features, from the unpermuted."""
    values = np.asarray(values)
    if covariance_type == "spherical":
        return values
    if covariance_type == "diag":
        return values[:, perm]
    if covariance_type == "tied":
        return values[np.ix_(perm, perm)]
    return values[:, perm][:, :, perm]


@dataclass
class FixedStart:
    """A model with complete ``*_init`` parameters and its data."""

    family: str
    X: np.ndarray
    params: dict
    metadata: dict
    sample_weight: np.ndarray | None
    rng: np.random.RandomState

    def model(self, **overrides):
        cls = BinomialMixture if self.family == "binomial" else GaussianMixtureEM
        return cls(
            max_iter=N_STEPS, tol=0.0, **{**self.params, **overrides}
        )  # fixed number of steps


@st.composite
def fixed_starts(draw, mode):
    """A random problem of either family with complete starting parameters."""
    family = draw(st.sampled_from(["binomial", "gaussian"]))
    if family == "binomial":
        problem = draw(count_problems(mode))
        rng = np.random.RandomState(problem.params["random_state"])
        n_components = problem.params["n_components"]
        params = {
            **problem.params,
            "probabilities_init": rng.uniform(0.05, 0.95, (n_components, 1))
            * np.ones(problem.X.shape[1]),
            "acceleration": mode.acceleration,
        }
        if "weights" not in params.get("fixed", ()):
            params["weights_init"] = rng.dirichlet(np.ones(n_components) * 5)
        return FixedStart(
            family, problem.X, params, problem.metadata, problem.sample_weight, rng
        )
    X, n_components, seed, rng = draw(gaussian_data(mode, min_samples=10))
    covariance_type = draw(st.sampled_from(COVARIANCE_TYPES))
    params = {
        "n_components": n_components,
        "covariance_type": covariance_type,
        "acceleration": mode.acceleration,
        "random_state": seed,
        **gaussian_init(X, n_components, covariance_type, rng),
    }
    return FixedStart(family, X, params, {}, mode.sample_weight(rng, len(X)), rng)


#: The fitted parameters of each estimator, besides ``weights_``.
PARAMETERS = {
    BinomialMixture: ("probabilities_",),
    GaussianMixtureEM: ("means_", "covariances_", "precisions_cholesky_"),
}


def fitted_parameters(model):
    names = ("weights_", *PARAMETERS[type(model)])
    return {name: getattr(model, name) for name in names}


def fit_fixed(start, X, sample_weight, metadata, **overrides):
    model = start.model(**overrides)
    fit_quietly(model, X, sample_weight=sample_weight, **metadata)
    return model


@INVARIANCE
@given(data=st.data(), mode=modes)
def test_shuffling_rows_changes_nothing(data, mode):
    start = data.draw(fixed_starts(mode))
    perm = start.rng.permutation(len(start.X))
    shuffled = {
        "X": start.X[perm],
        "sample_weight": None
        if start.sample_weight is None
        else start.sample_weight[perm],
        "metadata": {k: v[perm] for k, v in start.metadata.items()},
    }
    with mode.context():
        model = fit_fixed(start, start.X, start.sample_weight, start.metadata)
        other = fit_fixed(
            start, shuffled["X"], shuffled["sample_weight"], shuffled["metadata"]
        )
        scores = model.score_samples(start.X, **start.metadata)
        other_scores = other.score_samples(shuffled["X"], **shuffled["metadata"])
    for name, value in fitted_parameters(model).items():
        assert_allclose(
            getattr(other, name), value, rtol=1e-7, atol=1e-10, err_msg=name
        )
    assert_allclose(other_scores, scores[perm], rtol=1e-8, atol=1e-8)
    assert_allclose(other.lower_bound_, model.lower_bound_, rtol=1e-9, atol=1e-9)


@INVARIANCE
@given(data=st.data(), mode=modes)
def test_permuting_features_permutes_the_parameters(data, mode):
    start = data.draw(fixed_starts(mode))
    if start.params.get("covariance_type") in ("full", "tied"):
        # SQUAREM extrapolates the log-Cholesky factor of the covariances,
        # which does not permute with the features: the accelerated paths
        # differ (to the same maximum). Plain EM steps are equivariant.
        start.params["acceleration"] = None
    perm = start.rng.permutation(start.X.shape[1])
    metadata = {
        name: values[:, perm] if values.ndim == 2 else values
        for name, values in start.metadata.items()
    }
    if start.family == "binomial":
        overrides = {"probabilities_init": start.params["probabilities_init"][:, perm]}
        n_trials = start.params["n_trials"]
        if np.ndim(n_trials) == 1:
            overrides["n_trials"] = n_trials[perm]
    else:
        covariance_type = start.params["covariance_type"]
        overrides = {
            "means_init": start.params["means_init"][:, perm],
            "precisions_init": permute_features(
                start.params["precisions_init"], perm, covariance_type
            ),
        }
    with mode.context():
        model = fit_fixed(start, start.X, start.sample_weight, start.metadata)
        other = fit_fixed(
            start, start.X[:, perm], start.sample_weight, metadata, **overrides
        )
        assert_allclose(
            other.score_samples(start.X[:, perm], **metadata),
            model.score_samples(start.X, **start.metadata),
            rtol=1e-8,
            atol=1e-8,
        )
    assert_allclose(other.weights_, model.weights_, rtol=1e-7, atol=1e-10)
    if start.family == "binomial":
        assert_allclose(
            other.probabilities_, model.probabilities_[:, perm], rtol=1e-7, atol=1e-10
        )
        assert_array_equal(other.n_trials_, model.n_trials_[perm])
        return
    assert_allclose(other.means_, model.means_[:, perm], rtol=1e-7, atol=1e-8)
    assert_allclose(
        other.covariances_,
        permute_features(model.covariances_, perm, covariance_type),
        rtol=1e-7,
        atol=1e-10,
    )


@INVARIANCE
@given(data=st.data(), mode=modes)
def test_integer_sample_weight_equals_repeating_rows(data, mode):
    start = data.draw(fixed_starts(mode))
    n_samples = len(start.X)
    # n_trials='max' learns n_trials_ from every row given, whatever its
    # weight: there a row of weight zero is not a row left out.
    learned = isinstance(start.params.get("n_trials"), str)
    repeats = start.rng.randint(1 if learned else 0, 4, size=n_samples)
    repeats[0] = max(repeats[0], 1)  # row 0 observes every feature
    # (A fit needs n_components rows of non-zero weight, counted as rows.)
    if np.count_nonzero(repeats) < start.params["n_components"]:
        repeats[repeats == 0] = 1
    with mode.context():
        weighted = fit_fixed(start, start.X, repeats.astype(float), start.metadata)
        repeated = fit_fixed(
            start,
            np.repeat(start.X, repeats, axis=0),
            None,
            {k: np.repeat(v, repeats, axis=0) for k, v in start.metadata.items()},
        )
    for name, value in fitted_parameters(weighted).items():
        assert_allclose(
            getattr(repeated, name), value, rtol=1e-7, atol=1e-10, err_msg=name
        )
    # (rtol as for the parameters: a component squeezed onto two points has a
    # covariance of about reg_covar, whose rounding the likelihood amplifies.)
    assert_allclose(repeated.lower_bound_, weighted.lower_bound_, rtol=1e-7)
    # The same path; at an exact fixed point, rounding may stop one a step
    # earlier than the other (a change of exactly 0 meets tol=0).
    steps = min(len(repeated.lower_bounds_), len(weighted.lower_bounds_))
    assert steps >= min(3, len(weighted.lower_bounds_))
    assert_allclose(
        repeated.lower_bounds_[:steps], weighted.lower_bounds_[:steps], rtol=1e-7
    )


# ----------------------------------------------------------------------
# GaussianMixtureEM: affine maps of X
# ----------------------------------------------------------------------
def random_orthogonal(rng, n):
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    return q * np.sign(np.diag(r))


def affine_map(covariance_type, rng, n_features):
    """An invertible ``A`` that keeps the covariance type, and a shift ``b``.

    'full' and 'tied' allow any ``A``; 'diag' a diagonal one (each feature
    scaled on its own); 'spherical' a scaled rotation.
    """
    scales = rng.uniform(0.3, 4.0, n_features) * rng.choice([-1, 1], n_features)
    if covariance_type in ("full", "tied"):
        A = (
            random_orthogonal(rng, n_features)
            * scales
            @ random_orthogonal(rng, n_features)
        )
    elif covariance_type == "diag":
        A = np.diag(scales)
    else:
        A = scales[0] * random_orthogonal(rng, n_features)
    return A, rng.normal(scale=5.0, size=n_features)


def map_covariances(covariances, A, covariance_type):
    if covariance_type == "full":
        return A @ covariances @ A.T
    if covariance_type == "tied":
        return A @ covariances @ A.T
    if covariance_type == "diag":
        return covariances * np.diag(A) ** 2
    return covariances * (A[0] @ A[0])


def map_precisions(precisions, A, covariance_type):
    inverse = np.linalg.inv(A)
    if covariance_type in ("full", "tied"):
        return inverse.T @ precisions @ inverse
    if covariance_type == "diag":
        return precisions / np.diag(A) ** 2
    return precisions / (A[0] @ A[0])


@st.composite
def separated_gaussians(draw):
    """Well-separated clusters: no component collapses, even with reg_covar=0."""
    n_features = draw(st.integers(1, 3))
    n_components = draw(st.integers(1, 3))
    per_component = draw(st.integers(8 * n_features + 4, 40))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.RandomState(seed)
    centres = rng.normal(scale=1.0, size=(n_components, n_features))
    centres += 12.0 * np.arange(n_components)[:, np.newaxis]
    X = np.concatenate(
        [c + rng.normal(size=(per_component, n_features)) for c in centres]
    )
    return X, centres, rng


@INVARIANCE
@given(
    problem=separated_gaussians(),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    # No NaN: a general A mixes observed and missing entries. No SQUAREM: its
    # step length compares parameters of different units, so it is not
    # affine invariant (plain EM is).
    mode=st.builds(Mode, st.booleans(), st.booleans(), st.just(False), st.just(False)),
)
def test_affine_map_shifts_log_likelihood_and_maps_parameters(
    problem, covariance_type, mode
):
    X, centres, rng = problem
    n_components, n_features = centres.shape
    A, b = affine_map(covariance_type, rng, n_features)
    Y = X @ A.T + b
    init = gaussian_init(X, n_components, covariance_type, rng)
    init["means_init"] = centres + rng.normal(scale=0.1, size=centres.shape)
    mapped_init = {
        "weights_init": init["weights_init"],
        "means_init": init["means_init"] @ A.T + b,
        "precisions_init": map_precisions(init["precisions_init"], A, covariance_type),
    }
    params = dict(
        n_components=n_components,
        covariance_type=covariance_type,
        reg_covar=0.0,  # reg_covar * I is not mapped by A: it would break the law
        acceleration=mode.acceleration,
        max_iter=N_STEPS,
        tol=0.0,
    )
    sample_weight = mode.sample_weight(rng, len(X))
    with mode.context():
        model = GaussianMixtureEM(**params, **init)
        mapped = GaussianMixtureEM(**params, **mapped_init)
        fit_quietly(model, X, sample_weight=sample_weight)
        fit_quietly(mapped, Y, sample_weight=sample_weight)
        log_det = np.linalg.slogdet(A)[1]
        assert_allclose(
            mapped.score_samples(Y),
            model.score_samples(X) - log_det,
            rtol=1e-7,
            atol=1e-7,
        )
    assert_allclose(mapped.lower_bound_, model.lower_bound_ - log_det, rtol=1e-8)
    assert_allclose(mapped.weights_, model.weights_, rtol=1e-7, atol=1e-10)
    assert_allclose(mapped.means_, model.means_ @ A.T + b, rtol=1e-7, atol=1e-7)
    assert_allclose(
        mapped.covariances_,
        map_covariances(model.covariances_, A, covariance_type),
        rtol=1e-6,
        atol=1e-9,
    )
