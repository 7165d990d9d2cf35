"""Prior knowledge in StudentTMixture and MixedMixture (issue 25).

StudentTMixture: the Gaussian conjugate prior on locations and scale matrices
(none on the degrees of freedom), fixed parameters. MixedMixture: the
mixture's ``prior``/``fixed`` and each group's own, delegated to the groups'
families.
"""

import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats
from sklearn.exceptions import ConvergenceWarning

from skem import (
    BinomialMixture,
    CategoricalMixture,
    GaussianMixtureEM,
    MixedMixture,
    PoissonMixture,
    StudentTMixture,
)

EPS = np.finfo(np.float64).eps
COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


def heavy_tailed(seed=0, n=150):
    """Two t clusters (3 degrees of freedom) in 2-D."""
    rng = np.random.RandomState(seed)
    scale = np.sqrt(3.0 / rng.chisquare(3.0, size=(2 * n, 1)))
    z = rng.normal(size=(2 * n, 2)) * scale
    return np.vstack([z[:n] @ [[1.0, 0.3], [0.0, 0.8]], z[n:] * 0.7 + [6.0, 4.0]])


def fit_quietly(model, X, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, **kwargs)


def assert_non_decreasing(values):
    """Every step of ``values`` up, but for rounding of their magnitude."""
    values = np.asarray(values)
    slack = 1e3 * EPS * np.abs(values).max()
    steps = np.diff(values)
    assert steps.min() >= -slack, (steps.min(), slack)


def restarted(model, X, max_iter, **init):
    """``model`` refitted for ``max_iter`` steps from its fitted parameters.

    ``init`` overrides some of the starting values. With ``max_iter=0`` the
    parameters stay and ``lower_bound_`` is the objective at them; with
    ``max_iter=1`` they take one more EM step.
    """
    start = {
        "weights_init": model.weights_,
        "means_init": model.means_,
        "precisions_init": model.precisions_,
        "degrees_of_freedom_init": model.degrees_of_freedom_,
        **init,
    }
    return fit_quietly(sklearn.clone(model).set_params(max_iter=max_iter, **start), X)


def gaussian_log_prior(means, covariances, prior, covariance_type):
    """The conjugate prior's log density at the parameters, by scipy.stats.

    mclust's prior: ``mu_k | Sigma_k ~ N(mean, Sigma_k / shrinkage)`` and
    ``Sigma ~ IW(dof, scale)`` (one for 'tied'), or an inverse gamma
    ``IG(dof / 2, scale / 2)`` on each variance ('diag', 'spherical').
    """
    kappa, mu, nu, scale = (prior[key] for key in ("shrinkage", "mean", "dof", "scale"))
    means, covariances = np.asarray(means), np.asarray(covariances)
    if covariance_type in ("full", "tied"):
        if covariance_type == "tied":
            total = stats.invwishart.logpdf(covariances, df=nu, scale=scale)
            covariances = [covariances] * len(means)
        else:
            total = sum(
                stats.invwishart.logpdf(c, df=nu, scale=scale) for c in covariances
            )
        return total + sum(
            stats.multivariate_normal.logpdf(m, mu, c / kappa)
            for m, c in zip(means, covariances, strict=True)
        )
    total = stats.invgamma.logpdf(covariances, nu / 2.0, scale=scale / 2.0).sum()
    if covariance_type == "spherical":
        covariances = np.broadcast_to(covariances[:, np.newaxis], means.shape)
    return total + stats.norm.logpdf(means, mu, np.sqrt(covariances / kappa)).sum()


def log_posterior(model, X):
    """Log-likelihood plus the prior's log density (weights' up to a constant)."""
    prior = model.prior_
    value = len(X) * model.score(X) + gaussian_log_prior(
        model.means_, model.covariances_, prior, model.covariance_type
    )
    return value + (prior["weight_concentration"] - 1.0) * np.log(model.weights_).sum()


def count_free_parameters(model, X):
    """Free parameters of a fitted model, read off its BIC."""
    log_likelihood = model.score(X) * len(X)
    return (model.bic(X) + 2.0 * log_likelihood) / np.log(len(X))


# ----------------------------------------------------------------------
# StudentTMixture
# ----------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_student_prior_fit_is_a_map_fixed_point(covariance_type):
    X = heavy_tailed()
    tol = 1e-12
    model = fit_quietly(
        StudentTMixture(
            2,
            covariance_type=covariance_type,
            prior={"shrinkage": 2.0},
            tol=tol,
            max_iter=3000,
            random_state=0,
        ),
        X,
    )
    assert model.converged_
    after = restarted(model, X, max_iter=1)
    # Linear convergence: the objective moves by about the square of the
    # step, so a change below tol leaves steps of about sqrt(tol).
    step_tol = 1e3 * np.sqrt(tol)
    assert_allclose(after.weights_, model.weights_, atol=step_tol, rtol=0)
    for name in ("means_", "covariances_"):
        assert_allclose(
            getattr(after, name), getattr(model, name), atol=step_tol, rtol=0
        )
    assert_allclose(after.degrees_of_freedom_, model.degrees_of_freedom_, rtol=step_tol)
    # lower_bound_ is the log posterior per sample: the prior's density from
    # scipy, not the M-step's formulas. Rounding: the sums over n rows of
    # terms of magnitude |lower_bound_|, to n * |lower_bound_| * eps each.
    n = len(X)
    value = log_posterior(model, X)
    rounding = 1e3 * n * EPS * abs(model.lower_bound_)
    assert n * model.lower_bound_ == pytest.approx(value, abs=rounding)
    # Restarted from the fit without a step, the objective is unchanged: the
    # same sums from the same parameters, so at most rounding of a few eps
    # times |lower_bound_| (of order 1 here).
    same = restarted(model, X, max_iter=0)
    assert same.lower_bound_ == pytest.approx(model.lower_bound_, abs=1e3 * EPS)

    # A maximum of the log-posterior: nudging the locations or the scales
    # lowers it.
    for sign in (-1.0, 1.0):
        for init in (
            {"means_init": model.means_ + sign * 1e-3},
            {"precisions_init": model.precisions_ / (1 + sign * 1e-3)},
        ):
            nudged = restarted(model, X, max_iter=0, **init)
            assert log_posterior(nudged, X) < value
            assert nudged.lower_bound_ < model.lower_bound_


def test_student_prior_shrinks_the_locations_toward_its_mean():
    X = heavy_tailed()
    kwargs = dict(n_components=2, tol=1e-10, max_iter=2000, random_state=0)
    free = fit_quietly(StudentTMixture(**kwargs), X)
    target = np.array([3.0, 2.0])
    shrunk = fit_quietly(
        StudentTMixture(**kwargs, prior={"shrinkage": 50.0, "mean": target}), X
    )
    order = np.argsort(free.means_[:, 0])
    shrunk_order = np.argsort(shrunk.means_[:, 0])
    free_distance = np.linalg.norm(free.means_[order] - target, axis=1)
    shrunk_distance = np.linalg.norm(shrunk.means_[shrunk_order] - target, axis=1)
    assert np.all(shrunk_distance < free_distance - 0.1)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("acceleration", [None, "squarem"])
@pytest.mark.parametrize("dof_type", ["estimated", "tied"])
def test_student_prior_objective_never_decreases(
    covariance_type, acceleration, dof_type
):
    X = heavy_tailed(seed=1)
    model = fit_quietly(
        StudentTMixture(
            3,
            covariance_type=covariance_type,
            degrees_of_freedom_type=dof_type,
            prior={"shrinkage": 0.5, "weight_concentration": 2.0},
            acceleration=acceleration,
            reg_covar=0.0,
            tol=1e-10,
            max_iter=300,
            random_state=2,
        ),
        X,
    )
    assert len(model.lower_bounds_) > 5
    assert_non_decreasing(model.lower_bounds_)
    assert model.lower_bounds_[-1] == model.lower_bound_


def test_student_prior_keeps_a_collapsing_component_alive():
    rng = np.random.RandomState(0)
    # A cluster of three identical points: its scale matrix is 0 under ML.
    X = np.vstack([rng.normal(0, 1, (60, 2)), np.tile([[8.0, 8.0]], (3, 1))])
    kwargs = dict(
        n_components=2,
        reg_covar=0.0,
        means_init=[[0.0, 0.0], [8.0, 8.0]],
        random_state=0,
    )
    with pytest.raises(ValueError, match="ill-defined empirical covariance"):
        StudentTMixture(**kwargs).fit(X)
    model = StudentTMixture(**kwargs, prior="conjugate").fit(X)
    collapsed = np.argmin(np.linalg.norm(model.means_ - [8.0, 8.0], axis=1))
    assert_allclose(model.means_[collapsed], [8.0, 8.0], atol=0.1)
    scale = model.covariances_[collapsed]
    assert np.all(np.isfinite(scale))
    # At least the prior's scale over its denominator (3 points, nu = 4,
    # d = 2): Lambda / (n_k + nu + d + 2) plus a positive scatter.
    floor = np.linalg.eigvalsh(model.prior_["scale"]).min() / (3 + 4 + 2 + 2)
    assert np.linalg.eigvalsh(scale).min() > 0.5 * floor
    assert model.degenerate_components_ == {}
    assert np.all(np.isfinite(model.score_samples(X)))


def test_student_fixed_parameters_stay_and_leave_the_count():
    X = heavy_tailed()
    means_init = np.array([[0.5, 0.5], [5.0, 3.5]])
    precisions_init = np.array([np.eye(2), 2 * np.eye(2)])
    kwargs = dict(
        n_components=2,
        weights_init=[0.5, 0.5],
        means_init=means_init,
        precisions_init=precisions_init,
        random_state=0,
    )
    free = fit_quietly(StudentTMixture(**kwargs), X)
    model = fit_quietly(StudentTMixture(**kwargs, fixed=("means",)), X)
    assert_array_equal(model.means_, means_init)
    assert_non_decreasing(model.lower_bounds_)
    # The scales are fitted around the fixed locations: one more step from
    # the fit, a fixed point, keeps them.
    after = restarted(model, X, max_iter=1)
    assert_array_equal(after.means_, means_init)
    assert not np.allclose(model.covariances_, free.covariances_, atol=1e-3)
    n_free = count_free_parameters(free, X)
    assert count_free_parameters(model, X) == pytest.approx(n_free - 4, abs=1e-6)

    both = fit_quietly(
        StudentTMixture(
            **kwargs, fixed=("covariances", "degrees_of_freedom"), prior="conjugate"
        ),
        X,
    )
    assert_allclose(both.precisions_, precisions_init, rtol=1e-12)
    assert_array_equal(both.degrees_of_freedom_, [10.0, 10.0])
    assert_non_decreasing(both.lower_bounds_)
    # 2 x 3 scale entries and 2 degrees of freedom held.
    assert count_free_parameters(both, X) == pytest.approx(n_free - 8, abs=1e-6)
    # Fixed degrees of freedom are degrees_of_freedom_type='fixed'.
    as_type = fit_quietly(
        StudentTMixture(
            **kwargs,
            fixed=("covariances",),
            prior="conjugate",
            degrees_of_freedom_type="fixed",
        ),
        X,
    )
    assert_allclose(as_type.means_, both.means_, rtol=1e-12)
    assert as_type.lower_bound_ == pytest.approx(both.lower_bound_, abs=1e-12)


def test_student_prior_errors():
    X = heavy_tailed()
    with pytest.raises(ValueError, match="StudentTMixture's prior takes"):
        StudentTMixture(2, prior={"degrees_of_freedom": 3}).fit(X)
    with pytest.raises(ValueError, match="means_init is None"):
        StudentTMixture(2, fixed=("means",)).fit(X)
    with pytest.raises(ValueError, match="degrees_of_freedom"):
        StudentTMixture(2, fixed=("dof_",)).fit(X)


# ----------------------------------------------------------------------
# MixedMixture
# ----------------------------------------------------------------------
ENGINE = dict(tol=0.0, max_iter=40, acceleration=None, stopping_rule="mean")


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize(
    "mixture_prior, group_prior, gaussian_prior",
    [
        ("conjugate", None, "conjugate"),
        (None, "conjugate", "conjugate"),
        ({"weight_concentration": 3.0}, {"shrinkage": 1.0}, None),
    ],
)
def test_mixed_gaussian_group_equals_gaussian_prior(
    covariance_type, mixture_prior, group_prior, gaussian_prior
):
    X = heavy_tailed()
    precisions = {
        "full": [np.eye(2), 2 * np.eye(2)],
        "tied": np.eye(2),
        "diag": [[1.0, 1.0], [2.0, 2.0]],
        "spherical": [1.0, 2.0],
    }[covariance_type]
    init = dict(  # a complete start: both fits begin at the same point
        weights_init=[0.4, 0.6],
        means_init=[[0.5, 0.0], [5.0, 4.5]],
        precisions_init=precisions,
    )
    if gaussian_prior is None:  # the group's prior and the mixture's weights
        gaussian_prior = {**group_prior, **mixture_prior}
    options = {
        "covariance_type": covariance_type,
        "means_init": init["means_init"],
        "precisions_init": precisions,
    }
    if group_prior is not None:
        options["prior"] = group_prior
    gaussian = fit_quietly(
        GaussianMixtureEM(
            2, covariance_type=covariance_type, prior=gaussian_prior, **init, **ENGINE
        ),
        X,
    )
    mixed = fit_quietly(
        MixedMixture(
            2,
            columns=[("gaussian", [0, 1], options)],
            prior=mixture_prior,
            weights_init=init["weights_init"],
            **ENGINE,
        ),
        X,
    )
    params = mixed.groups_[0]["params"]
    assert_allclose(mixed.weights_, gaussian.weights_, rtol=0, atol=1e-10)
    assert_allclose(params["means_"], gaussian.means_, rtol=0, atol=1e-10)
    assert_allclose(params["covariances_"], gaussian.covariances_, rtol=1e-9)
    assert mixed.lower_bound_ == pytest.approx(gaussian.lower_bound_, abs=1e-10)
    assert_allclose(mixed.lower_bounds_, gaussian.lower_bounds_, rtol=0, atol=1e-10)
    assert mixed.bic(X) == pytest.approx(gaussian.bic(X), rel=1e-10)


def test_mixed_group_options_prior_and_fixed():
    rng = np.random.RandomState(3)
    labels = np.repeat([0, 1], 80)
    X = rng.normal(size=(160, 3)) + 5.0 * labels[:, None]
    means_init = np.array([[0.5, -0.5], [4.0, 5.5]])
    base = dict(n_components=2, random_state=0, tol=1e-10, max_iter=2000)

    def groups(**third):
        return [
            ("gaussian", [0, 1], {"fixed": ("means",), "means_init": means_init}),
            ("gaussian", [2], {"means_init": [[0.0], [5.0]], **third}),
        ]

    free = fit_quietly(MixedMixture(**base, columns=groups()), X)
    target = 2.5
    model = fit_quietly(
        MixedMixture(
            **base,
            columns=groups(prior={"shrinkage": 40.0, "mean": [target]}),
        ),
        X,
    )
    # Group 0's means are held; group 1's are shrunk toward the prior mean.
    assert_array_equal(model.groups_[0]["params"]["means_"], means_init)
    assert_array_equal(free.groups_[0]["params"]["means_"], means_init)
    shrunk = model.groups_[1]["params"]["means_"].ravel()
    unshrunk = free.groups_[1]["params"]["means_"].ravel()
    assert np.all(np.abs(shrunk - target) < np.abs(unshrunk - target) - 0.2)
    assert_non_decreasing(model.lower_bounds_)
    # The fixed means leave the parameter count; the prior does not.
    n_all = count_free_parameters(
        fit_quietly(
            MixedMixture(
                **base,
                columns=[
                    ("gaussian", [0, 1], {"means_init": means_init}),
                    ("gaussian", [2], {}),
                ],
            ),
            X,
        ),
        X,
    )
    assert count_free_parameters(model, X) == pytest.approx(n_all - 4, abs=1e-6)

    # The mixture's weights fixed, alone.
    held = fit_quietly(
        MixedMixture(
            **base, columns=groups(), fixed=("weights",), weights_init=[0.3, 0.7]
        ),
        X,
    )
    assert_array_equal(held.weights_, [0.3, 0.7])


def test_mixed_group_prior_option_overrides_the_mixture_prior():
    X = heavy_tailed()
    columns = [("gaussian", [0, 1], {"means_init": [[0.5, 0.0], [5.0, 4.5]]})]

    def fit(mixture_prior, **options):
        group = (columns[0][0], columns[0][1], {**columns[0][2], **options})
        model = MixedMixture(
            2, columns=[group], prior=mixture_prior, random_state=0, **ENGINE
        )
        return fit_quietly(model, X)

    opted_out = fit("conjugate", prior=None)
    plain = fit(None)
    assert_array_equal(opted_out.weights_, plain.weights_)
    assert opted_out.lower_bound_ == plain.lower_bound_
    own = fit("conjugate", prior={"shrinkage": 5.0})
    conjugate = fit("conjugate")
    assert not np.allclose(
        own.groups_[0]["params"]["means_"],
        conjugate.groups_[0]["params"]["means_"],
        atol=1e-3,
    )
    assert_array_equal(
        own.groups_[0]["params"]["means_"],
        fit(None, prior={"shrinkage": 5.0}).groups_[0]["params"]["means_"],
    )


def test_mixed_prior_log_density_sums_the_groups():
    X = heavy_tailed()
    model = fit_quietly(
        MixedMixture(
            2,
            columns=[("gaussian", [0], {}), ("gaussian", [1], {})],
            prior="conjugate",
            random_state=0,
        ),
        X,
    )
    # The log prior at the fit, from the public objective: lower_bound_ is
    # (log-likelihood + log prior) / n, score the mean log-likelihood.
    n = len(X)
    fitted = n * (model.lower_bound_ - model.score(X))
    assert model.prior_["weight_concentration"] == 1.0  # no prior on the weights
    groups = model.prior_["groups"]
    assert len(groups) == 2
    members = [  # each group's prior by scipy, on its own column
        gaussian_log_prior(
            group["params"]["means_"], group["params"]["covariances_"], prior, "full"
        )
        for group, prior in zip(model.groups_, groups, strict=True)
    ]
    assert all(value != 0.0 for value in members)
    # Rounding: lower_bound_ and score are sums over n rows of terms of
    # magnitude |lower_bound_|, to n * |lower_bound_| * eps each.
    rounding = 1e3 * n * EPS * abs(model.lower_bound_)
    assert fitted == pytest.approx(sum(members), abs=rounding)
    assert_non_decreasing(model.lower_bounds_)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(fixed=("means",)), "fixed may hold only 'weights'"),
        (dict(prior={"shrinkage": 1.0}), "takes only 'weight_concentration'"),
        (
            dict(columns=[("gaussian", [0, 1], {"prior": {"spread": 1.0}})]),
            r"column group 0 \('gaussian'\).*unknown keys \['spread'\]",
        ),
        (
            dict(columns=[("gaussian", [0, 1], {"prior": "flat"})]),
            "column group 0",
        ),
        (
            dict(
                columns=[("gaussian", [0, 1], {"prior": {"weight_concentration": 2.0}})]
            ),
            "are the mixture's",
        ),
        (
            dict(columns=[("gaussian", [0, 1], {"fixed": ("weights",)})]),
            r"pass fixed=\('weights',\)",
        ),
        (
            dict(columns=[("gaussian", [0, 1], {"fixed": ("rates",)})]),
            r"it may fix \['means', 'covariances'\]",
        ),
        (
            dict(columns=[("gaussian", [0, 1], {"fixed": ("means",)})]),
            r"column group 0 \('gaussian'\).*means_init is None",
        ),
        (
            dict(columns=[("gaussian", [0, 1], {"fixed": "means"})]),
            "column group 0",
        ),
    ],
)
def test_mixed_prior_knowledge_errors(kwargs, match):
    X = heavy_tailed()
    with pytest.raises(ValueError, match=match):
        MixedMixture(2, **kwargs).fit(X)


# Each count family in a group of one equals its own estimator under its
# conjugate prior, once that family has one (until then MixedMixture's
# prior='conjugate' names the group that has none).
COUNT_CASES = {
    "poisson": (
        PoissonMixture,
        lambda rng: rng.poisson(np.repeat([[2.0, 8.0], [9.0, 1.0]], 60, axis=0)),
        {"rates_init": [[1.0, 6.0], [7.0, 2.0]]},
    ),
    "binomial": (
        BinomialMixture,
        lambda rng: rng.binomial(10, np.repeat([[0.2, 0.7], [0.8, 0.3]], 60, axis=0)),
        {"n_trials": 10, "probabilities_init": [[0.3, 0.6], [0.7, 0.4]]},
    ),
    "categorical": (
        CategoricalMixture,
        lambda rng: np.vstack(
            [
                rng.choice(3, size=(60, 2), p=p)
                for p in ([0.7, 0.2, 0.1], [0.1, 0.2, 0.7])
            ]
        ),
        {
            "category_probabilities_init": [
                [[0.5, 0.3, 0.2]] * 2,
                [[0.2, 0.3, 0.5]] * 2,
            ]
        },
    ),
}


@pytest.mark.parametrize("name", sorted(COUNT_CASES))
def test_mixed_count_group_conjugate_prior(name):
    estimator_class, draw, options = COUNT_CASES[name]
    X = draw(np.random.RandomState(0)).astype(np.float64)
    mixed = MixedMixture(
        2,
        columns=[(name, [0, 1], options)],
        prior="conjugate",
        weights_init=[0.5, 0.5],
        **ENGINE,
    )
    single = estimator_class(
        2, prior="conjugate", weights_init=[0.5, 0.5], **options, **ENGINE
    )
    try:
        fit_quietly(single, X)
    except ValueError as error:  # the family has no prior yet
        assert "has no prior" in str(error)
        with pytest.raises(ValueError, match=rf"group 0 \('{name}'\) has none"):
            mixed.fit(X)
        return
    fit_quietly(mixed, X)
    assert_allclose(mixed.weights_, single.weights_, rtol=0, atol=1e-10)
    # The group is the family's own estimator: same parameters, same prior.
    params = mixed.groups_[0]["params"]
    assert params
    for attribute, value in params.items():
        assert_allclose(value, getattr(single, attribute), rtol=0, atol=1e-10)
    group_prior = mixed.prior_["groups"][0]
    assert set(group_prior) | {"weight_concentration"} == set(single.prior_)
    for key, value in group_prior.items():
        assert_allclose(value, single.prior_[key], rtol=1e-12)
    assert mixed.lower_bound_ == pytest.approx(single.lower_bound_, abs=1e-10)
    assert_non_decreasing(mixed.lower_bounds_)
