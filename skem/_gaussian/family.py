"""GaussianFamily: Gaussian components of one covariance type, for the engine."""

from dataclasses import dataclass

import numpy as np
from sklearn.utils.validation import validate_data

from .._blocks import RowData, RowFields, converted_per_block
from .._degeneracy import gaussian_degeneracy
from .._em import rows_per_block
from .._family import Family
from .._validation import (
    check_features_observed,
    nan_mask,
    observed_feature_means,
)
from .covariances import (
    _check_means,
    _check_precisions,
    _compute_precision_cholesky,
    _covariances_from_cholesky,
    _estimate_gaussian_covariances,
    _from_log_cholesky,
    _log_cholesky,
    _precision_cholesky_from_precisions,
    _precisions_from_cholesky,
)
from .kernels import (
    CentredRows,
    DiagonalDesign,
    _diagonal_precisions,
    _estimate_gaussian_log_prob,
    _estimate_gaussian_statistics,
    _pooled_full_statistics,
    _pooled_tied_statistics,
    working_dtype,
)
from .missing import (
    _check_scale,
    _complete_rows,
    _conditional_factors,
    _estimate_diagonal_log_prob_missing,
    _estimate_diagonal_statistics_missing,
    _estimate_gaussian_log_prob_missing,
    _estimate_gaussian_statistics_missing,
    _group_by_missingness,
)
from .prior import (
    block_moments,
    log_prior_density,
    map_covariances,
    map_means,
    resolve_prior,
)

#: Features up to which the pooled 'full' statistics (one product of every
#: component with the rows' pairwise products) are the faster; above, one
#: symmetric rank-k update per component (measured: equal at 32 features,
#: pooled 2.5 times faster at 5, rank-k 1.7 times faster at 50).
_POOLED_FULL_MAX_FEATURES = 32


@dataclass(frozen=True)
class GaussianRows(RowFields):
    """Per-row fields of Gaussian data: which rows hold a NaN."""

    has_nan: object = None


@dataclass(frozen=True)
class MissingWork:
    """A block's missingness patterns, their factors and its completed rows."""

    missing: np.ndarray
    patterns: object
    factors: object
    completed: object


class GaussianFamily(Family):
    """Gaussian components (see :class:`~skem.GaussianMixtureEM`).

    Parameters
    ----------
    n_components : int
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    reg_covar : float
    means_init, precisions_init : array-like or None
        The user's initial means and precisions.

    The E-step's workspace is a :class:`DiagonalDesign` or
    :class:`CentredRows` (the block centred once, reused by the statistics)
    for complete blocks, a :class:`MissingWork` for blocks with NaN.
    """

    parameter_names = ("means_", "covariances_", "precisions_cholesky_")

    #: The estimator, as messages name it.
    estimator_name = "GaussianMixtureEM"

    fixable = {
        "means": (("means_",), "means_init"),
        "covariances": (("covariances_", "precisions_cholesky_"), "precisions_init"),
    }

    def __init__(
        self, n_components, covariance_type, reg_covar, means_init, precisions_init
    ):
        super().__init__(n_components)
        self.covariance_type = covariance_type
        self.reg_covar = reg_covar
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.complete_init = means_init is not None and precisions_init is not None
        # Ellipsoidal components: Ward's criterion on sphered points (on the
        # benchmark's full and tied cases the sphered start reached the best
        # known optimum more often, 8 of 40 against 5; on the diagonal and
        # spherical ones less often, 20 of 50 against 25).
        self.sphered_start = covariance_type in ("full", "tied")

    # Data -------------------------------------------------------------
    def validate(self, estimator, X, *, reset):
        # Integers, float16, ... are converted block by block, never whole.
        per_block = converted_per_block(X)
        X = validate_data(
            estimator,
            X,
            dtype=None if per_block else [np.float64, np.float32],
            reset=reset,
            ensure_all_finite="allow-nan",
        )
        if reset:
            self.feature_names = getattr(estimator, "feature_names_in_", None)
            self.learn(X)
        dtype = np.float64 if per_block else None
        return RowData(X, per_row=GaussianRows(), dtype=dtype)

    def learn(self, X):
        check_features_observed(X, getattr(self, "feature_names", None))
        _check_scale(X)
        # float32 data give float32 parameters, as scikit-learn's.
        self.dtype = working_dtype(X)
        self.n_features = n_features = X.shape[1]
        if self.covariance_type in ("diag", "spherical") and n_features >= 10:
            # Their passes are elementwise work between small products:
            # blocks of 32 MiB rather than 8 ran 10% faster on one thread
            # and 40% faster on two at (1,000,000, 20, 8), and 16% faster at
            # (20,000, 50, 10); with 2 features, whose blocks then hold
            # 160,000 rows, one thread slowed by 13% ('full' slowed too).
            self.cache_block_bytes = 32 * 2**20
        if self.means_init is not None:
            _check_means(self.means_init, self.n_components, n_features)
        if self.precisions_init is not None:
            _check_precisions(
                self.precisions_init,
                self.covariance_type,
                self.n_components,
                n_features,
            )

    def check_batch(self, X):
        _check_scale(X, small=False)

    def prepare_block(self, block):
        return {"has_nan": np.isnan(block.X).any(axis=1)}

    def initialization_rows(self, rows, data):
        # The init strategies and the initial M-step see the init rows with
        # every missing entry filled by its feature's (weighted) mean.
        missing = np.isnan(rows.X)
        if not missing.any():
            return rows
        fill = observed_feature_means(rows.X, rows.sample_weight)
        unseen = np.isnan(fill)
        if unseen.any():  # a subsample may miss what the whole data observe
            fill[unseen] = observed_feature_means(data.X)[unseen]
        X = np.where(missing, fill, rows.X).astype(rows.X.dtype, copy=False)
        return RowData(X, rows.sample_weight, GaussianRows())

    # EM ---------------------------------------------------------------
    def log_prob(self, params, block):
        # A row so far from every component that its squared distances
        # overflow (possible only outside fit, whose data are scale-checked)
        # has density 0: log-density -inf, which the engine handles.
        with np.errstate(over="ignore"):
            return self._log_prob(params, block)

    def _log_prob(self, params, block):
        means = params["means_"]
        precisions_cholesky = params["precisions_cholesky_"]
        missing = nan_mask(block)
        covariance_type = self.covariance_type
        if missing is False:
            design = None
            if covariance_type in ("diag", "spherical"):
                design = DiagonalDesign.from_parameters(
                    block.X,
                    means,
                    _diagonal_precisions(precisions_cholesky, block.n_features),
                )
            elif covariance_type == "tied":
                design = CentredRows.build(block.X, means.mean(axis=0))
            log_prob = _estimate_gaussian_log_prob(
                block.X, means, precisions_cholesky, covariance_type, design=design
            )
            return log_prob, design
        if covariance_type in ("diag", "spherical"):
            log_prob = _estimate_diagonal_log_prob_missing(
                block.X, missing, means, precisions_cholesky, covariance_type
            )
            return log_prob.astype(working_dtype(block.X), copy=False), None
        work = self._missing_work(params, block, missing)
        log_prob = np.empty((len(missing), self.n_components), working_dtype(block.X))
        log_prob[work.patterns.order] = _estimate_gaussian_log_prob_missing(
            work.completed,
            work.patterns,
            work.factors,
            means,
            precisions_cholesky,
            covariance_type,
        )
        return log_prob, work

    def _missing_work(self, params, block, missing):
        patterns = _group_by_missingness(missing)
        factors = _conditional_factors(params["covariances_"], patterns.observed)
        completed = _complete_rows(
            block.X, missing, patterns, factors, params["means_"]
        )
        return MissingWork(missing, patterns, factors, completed)

    def accumulate(self, params, block, resp, workspace=None):
        # Any centre gives exact statistics (its distance only sets the
        # precision, which they check): the E-step's centred rows serve.
        missing = nan_mask(block)
        covariance_type = self.covariance_type
        if missing is False:
            centre = None if params is None else params["means_"].mean(axis=0)
            if covariance_type == "tied":
                design = workspace
                if design is None and centre is not None:
                    design = CentredRows.build(block.X, centre)
                return _pooled_tied_statistics(block.X, resp, design)
            if covariance_type == "full":
                if block.n_features > _POOLED_FULL_MAX_FEATURES and (
                    block.X.dtype == np.float64
                ):
                    # Per-component rank-k updates beat the pooled products
                    # here (50 features: 6.7 ms against 11.3 a block).
                    return _estimate_gaussian_statistics(block.X, resp, "full")
                return _pooled_full_statistics(block.X, resp, centre)
            return _estimate_gaussian_statistics(
                block.X, resp, covariance_type, design=workspace
            )
        if covariance_type in ("diag", "spherical"):
            return _estimate_diagonal_statistics_missing(
                block.X, missing, resp, params["means_"], params["covariances_"]
            )
        work = workspace
        if work is None:
            work = self._missing_work(params, block, missing)
        return _estimate_gaussian_statistics_missing(
            work.completed, resp[work.patterns.order], work.patterns, work.factors
        )

    def m_step(self, stats):
        fixed_means = self.fixed.get("means_")
        if self.prior is None and fixed_means is None:
            means = stats.means.copy()
            covariances = _estimate_gaussian_covariances(
                stats, self.reg_covar, self.covariance_type
            )
        else:
            # MAP means, or fixed ones, and the covariances around them.
            means = map_means(stats, self.prior, fixed_means)
            covariances = map_covariances(
                stats, means, self.prior, self.reg_covar, self.covariance_type
            )
        if "covariances_" in self.fixed:
            return {"means_": means, **self.fixed}
        return {
            "means_": means,
            "covariances_": covariances,
            "precisions_cholesky_": _compute_precision_cholesky(
                covariances, self.covariance_type
            ),
        }

    # Prior knowledge --------------------------------------------------
    def resolve_prior(self, data):
        if self.prior_spec is None:
            self.prior = None
            return
        moments = data.reduce(block_moments, rows_per_block(self, data))
        self.prior = resolve_prior(
            self.prior_spec,
            moments,
            self.covariance_type,
            self.n_components,
            self.estimator_name,
        )

    def log_prior(self, params):
        if self.prior is None:
            return 0.0
        return log_prior_density(
            params["means_"],
            params["covariances_"],
            params["precisions_cholesky_"],
            self.prior,
            self.covariance_type,
        )

    def fixed_parameter_count(self, params):
        n_features = params["means_"].shape[1]
        count = 0
        if "means_" in self.fixed:
            count += self.n_components * n_features
        if "covariances_" in self.fixed:
            count += self._covariance_parameters(n_features)
        return count

    def initial_parameters(self, stats):
        params = {} if stats is None else self.m_step(stats)
        n_features = self.n_features
        if self.means_init is not None:
            params["means_"] = _check_means(
                self.means_init, self.n_components, n_features
            )
        if self.precisions_init is not None:
            precisions = _check_precisions(
                self.precisions_init,
                self.covariance_type,
                self.n_components,
                n_features,
            )
            cholesky = _precision_cholesky_from_precisions(
                precisions, self.covariance_type
            )
            params["precisions_cholesky_"] = cholesky
            params["covariances_"] = _covariances_from_cholesky(
                cholesky, self.covariance_type
            )
        return params

    def unconstrained(self, params):
        # Variances enter as standard deviations (a point with one that is
        # not positive is refused): on the close-means benchmark SQUAREM
        # needed a median 366 evaluations against 462 with log-variances,
        # which wandered near a saddle on 4 starts of 10. Full and tied
        # covariances enter as Cholesky factors with log-diagonals, always
        # valid: plain factors measured no better (257 against 227).
        covariances = params["covariances_"]
        if self.covariance_type in ("diag", "spherical"):
            return [params["means_"], np.sqrt(covariances)]
        return [params["means_"], _log_cholesky(covariances)]

    def constrained(self, arrays):
        means, covariance_factor = arrays
        if self.covariance_type in ("diag", "spherical"):
            if not np.all(covariance_factor > 0):
                raise ValueError("Standard deviations are not positive.")
            covariances = covariance_factor**2
        else:
            covariances = _from_log_cholesky(covariance_factor)
        return {
            "means_": means,
            "covariances_": covariances,
            "precisions_cholesky_": _compute_precision_cholesky(
                covariances, self.covariance_type
            ),
        }

    def degenerate(self, weights, params, nk):
        return gaussian_degeneracy(
            weights,
            params["means_"],
            params["covariances_"],
            self.covariance_type,
            self.reg_covar,
            nk,
            prior=self.prior is not None,
        )

    def n_parameters(self, params):
        n_features = params["means_"].shape[1]
        return self._covariance_parameters(n_features) + self.n_components * n_features

    def _covariance_parameters(self, n_features):
        n_components = self.n_components
        return {
            "full": n_components * n_features * (n_features + 1) // 2,
            "tied": n_features * (n_features + 1) // 2,
            "diag": n_components * n_features,
            "spherical": n_components,
        }[self.covariance_type]

    def fitted_attributes(self, params):
        precisions = _precisions_from_cholesky(
            params["precisions_cholesky_"], self.covariance_type
        )
        return {**params, "precisions_": precisions}

    def sample(self, params, n_per_component, random_state):
        means, covariances = params["means_"], params["covariances_"]
        n_features = means.shape[1]
        if self.covariance_type in ("full", "tied"):
            # float64: numpy's positive-semidefinite check fails on float32.
            covariances = np.asarray(covariances, dtype=np.float64)
            if self.covariance_type == "tied":
                covariances = [covariances] * self.n_components
            return np.vstack(
                [
                    random_state.multivariate_normal(mean, covariance, int(n))
                    for mean, covariance, n in zip(
                        means, covariances, n_per_component, strict=True
                    )
                ]
            )
        return np.vstack(
            [
                mean
                + random_state.standard_normal(size=(int(n), n_features))
                * np.sqrt(covariance)
                for mean, covariance, n in zip(
                    means, covariances, n_per_component, strict=True
                )
            ]
        )
