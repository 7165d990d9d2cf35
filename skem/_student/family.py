"""StudentFamily: multivariate t components of one covariance type.

A t component is a Gaussian scale mixture: given a latent scale ``w ~
Gamma(nu / 2, rate nu / 2)``, ``x`` is Gaussian with mean ``mu`` and
covariance ``Sigma / w``. So the family is the Gaussian family with a
reweighting, and reuses its kernels throughout:

- the log-density of the t follows from the Gaussian one, which yields the
  squared Mahalanobis distance ``delta``: ``log N(x) = -(d log(2 pi) +
  delta) / 2 + log det L``;
- the E-step's scale weights ``u = E[w | x] = (nu + d) / (nu + delta)`` go
  from :meth:`StudentFamily.log_prob` to :meth:`StudentFamily.accumulate` in
  the workspace, which then takes the Gaussian statistics of the weights
  ``r u`` (responsibilities times scale weights);
- the M-step divides the scatter by ``sum r`` (not ``sum r u``) and solves
  the one-dimensional equation of the degrees of freedom;
- under the Gaussian conjugate prior (:mod:`skem._gaussian.prior`) on the
  locations and scale matrices, the M-step is the Gaussian MAP step of the
  weights ``r u`` (the prior's pseudo-statistics enter as for a Gaussian);
  the degrees of freedom have no prior, and their M-step is unchanged.

Rows with missing entries (NaN) use the marginal of the observed entries, a
t with the same degrees of freedom and ``d_i`` (the number of observed
entries) in place of ``d``.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import digamma, gammaln

from .._family import SufficientStatistics, mean_field
from .._gaussian.covariances import (
    _compute_precision_cholesky,
    _estimate_gaussian_covariances,
    _log_det_cholesky,
)
from .._gaussian.family import GaussianFamily, MissingWork
from .._gaussian.prior import map_covariances, map_means
from .._gaussian.statistics import GaussianStats
from .._validation import check_shape, nan_mask

#: Bounds of the estimated degrees of freedom. Below 1 a t has no mean (its
#: location is then no centre of the data) and the likelihood of a
#: component can grow without bound as ``nu`` and its scale shrink
#: together; above 200 a t is a Gaussian for every practical purpose (its
#: excess kurtosis is ``6 / (nu - 4)``, 0.03), and the equation's root is
#: ill-determined (its left side is about ``1 / nu**2``).
DOF_MIN = 1.0
DOF_MAX = 200.0

#: How the degrees of freedom are fitted.
DOF_TYPES = ("estimated", "tied", "fixed")


@dataclass(frozen=True)
class StudentStats(SufficientStatistics):
    """Sufficient statistics of a t mixture.

    Attributes
    ----------
    nk : ndarray of shape (n_components,)
        ``sum_i r_ik``, the summed (weighted) responsibilities.
    scale_weight : ndarray of shape (n_components,)
        ``sum_i r_ik u_ik``.
    means : ndarray of shape (n_components, n_features)
        ``sum_i r_ik u_ik x_i / scale_weight[k]`` (with missing entries at
        their conditional means).
    scatter : ndarray of shape (n_components, n_features, n_features) or \
            (n_components, n_features)
        The centred scatter of the weights ``r u`` about ``means``, plus
        ``sum_i r_ik`` times the conditional covariance of missing entries
        (as :class:`~skem._gaussian.statistics.GaussianStats`).
    dof_terms : ndarray of shape (n_components,)
        ``sum_i r_ik (E[log w_i] - E[w_i])`` under the E-step's parameters,
        what the degrees-of-freedom equation needs.
    """

    nk: np.ndarray
    scale_weight: np.ndarray
    means: np.ndarray = mean_field()
    scatter: np.ndarray
    dof_terms: np.ndarray

    def __add__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        merged = self._gaussian() + other._gaussian()  # Chan's merge
        return StudentStats(
            nk=self.nk + other.nk,
            scale_weight=merged.nk,
            means=merged.means,
            scatter=merged.scatter,
            dof_terms=self.dof_terms + other.dof_terms,
        )

    def _gaussian(self):
        return GaussianStats(
            nk=self.scale_weight, means=self.means, scatter=self.scatter
        )


@dataclass(frozen=True)
class StudentWork:
    """The E-step's scratch for one block, handed to ``accumulate``.

    Attributes
    ----------
    gaussian : object
        The Gaussian family's workspace (centred rows, missingness work).
    scale_weights : ndarray of shape (n_samples, n_components)
        ``u_ik = (nu_k + d_i) / (nu_k + delta_ik)``.
    dims : int or ndarray of shape (n_samples, 1)
        Observed entries per row ``d_i``.
    """

    gaussian: object
    scale_weights: np.ndarray
    dims: object


def _student_log_prob(gaussian_log_prob, log_det, dims, dof):
    """t log-densities and scale weights from Gaussian log-densities.

    Parameters
    ----------
    gaussian_log_prob : ndarray of shape (n_samples, n_components)
        ``log N(x_i; mu_k, Sigma_k)`` (of the observed entries).
    log_det : ndarray of shape (n_components,) or (n_samples, n_components)
        ``log det L`` of the precision factors (of the observed entries).
    dims : int or ndarray of shape (n_samples, 1)
        Observed entries per row.
    dof : ndarray of shape (n_components,)

    Returns
    -------
    log_prob : ndarray of shape (n_samples, n_components)
        ``log Gamma((nu + d) / 2) - log Gamma(nu / 2) - d / 2 log(nu pi) +
        log det L - (nu + d) / 2 log(1 + delta / nu)``.
    scale_weights : ndarray of shape (n_samples, n_components)
        ``(nu + d) / (nu + delta)``.
    """
    # delta = (log det L - log N) * 2 - d log(2 pi), never below 0 (rounding).
    delta = np.subtract(log_det, gaussian_log_prob, dtype=np.float64)
    delta *= 2.0
    delta -= dims * math.log(2 * math.pi)
    np.maximum(delta, 0.0, out=delta)
    half = (dof + dims) / 2.0
    constant = gammaln(half) - gammaln(dof / 2.0) - dims / 2.0 * np.log(dof * math.pi)
    scale_weights = (dof + dims) / (dof + delta)
    delta /= dof
    log_prob = np.log1p(delta, out=delta)
    log_prob *= -half
    log_prob += constant + log_det
    return log_prob, scale_weights


def _dof_equation(log_dof, mean_terms):
    """``log(nu / 2) - psi(nu / 2) + 1 + mean_terms``, decreasing in ``nu``."""
    half = math.exp(log_dof) / 2.0
    return math.log(half) - digamma(half) + 1.0 + mean_terms


def _solve_dof(mean_terms, low=DOF_MIN, high=DOF_MAX):
    """The M-step of the degrees of freedom, within ``[low, high]``.

    Solves ``log(nu / 2) - psi(nu / 2) + 1 + mean_terms = 0`` (McLachlan and
    Peel 2000, eq. 7.45), ``mean_terms`` the responsibility-weighted mean of
    ``E[log w] - E[w]``, by Brent's method on ``log nu``. The expected
    complete-data log-likelihood is concave in ``nu`` (its second derivative
    is ``n (1 / nu - psi'(nu / 2) / 2) / 2 < 0``), so the root clipped to the
    bounds is the constrained maximum.
    """
    log_low, log_high = math.log(low), math.log(high)
    if not _dof_equation(log_high, mean_terms) < 0:
        return high
    if not _dof_equation(log_low, mean_terms) > 0:
        return low
    return math.exp(
        brentq(_dof_equation, log_low, log_high, args=(mean_terms,), xtol=1e-13)
    )


def _check_dof(values, n_components, name="degrees_of_freedom_init"):
    """Validate degrees of freedom: a positive number or one per component."""
    try:
        dof = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"The parameter '{name}' must be a positive number or an array of "
            f"shape ({n_components},), got {values!r}."
        ) from None
    if dof.ndim == 0:
        dof = np.full(n_components, float(dof))
    check_shape(dof, (n_components,), name)
    if not (np.all(np.isfinite(dof)) and np.all(dof > 0)):
        raise ValueError(
            f"The parameter '{name}' must hold positive, finite degrees of "
            f"freedom, got {values!r}."
        )
    return dof


class StudentFamily(GaussianFamily):
    """Multivariate t components (see :class:`~skem.StudentTMixture`).

    Parameters
    ----------
    n_components : int
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    reg_covar : float
    means_init, precisions_init : array-like or None
    dof_init : float or array-like of shape (n_components,)
        Initial (or fixed) degrees of freedom.
    dof_type : {'estimated', 'tied', 'fixed'}

    The scale matrices are the Gaussian family's covariances (same names,
    same layouts); the E-step's workspace is a :class:`StudentWork`.
    """

    parameter_names = (*GaussianFamily.parameter_names, "degrees_of_freedom_")

    # The Gaussian conjugate prior on locations and scale matrices (none on
    # the degrees of freedom), resolved by GaussianFamily.resolve_prior.
    estimator_name = "StudentTMixture"

    fixable = {
        **GaussianFamily.fixable,
        "degrees_of_freedom": (("degrees_of_freedom_",), "dof_init"),
    }

    def __init__(
        self,
        n_components,
        covariance_type,
        reg_covar,
        means_init,
        precisions_init,
        dof_init,
        dof_type,
    ):
        super().__init__(
            n_components, covariance_type, reg_covar, means_init, precisions_init
        )
        self.dof_init = dof_init
        self.dof_type = dof_type

    def learn(self, X):
        super().learn(X)
        _check_dof(self.dof_init, self.n_components)

    # Prior knowledge --------------------------------------------------
    def use_knowledge(self, prior, fixed):
        super().use_knowledge(prior, fixed)
        if "degrees_of_freedom" in self.fixed_names:
            # Held at their initial values: degrees_of_freedom_type='fixed'
            # (no M-step, no extrapolation, no free parameter).
            self.dof_type = "fixed"
        return self

    def row_bytes(self, n_features):
        # Distances, scale weights and their products: four more per component.
        return super().row_bytes(n_features) + 8 * 4 * self.n_components

    def _initial_dof(self):
        return _check_dof(self.dof_init, self.n_components)

    # EM ---------------------------------------------------------------
    def log_prob(self, params, block):
        with np.errstate(over="ignore"):
            gaussian_log_prob, work = self._log_prob(params, block)
            log_det, dims = self._observed_log_det(params, block, work)
            dof = np.asarray(params["degrees_of_freedom_"], dtype=np.float64)
            log_prob, scale_weights = _student_log_prob(
                gaussian_log_prob, log_det, dims, dof
            )
        dtype = gaussian_log_prob.dtype
        return log_prob.astype(dtype, copy=False), StudentWork(
            work, scale_weights, dims
        )

    def _observed_log_det(self, params, block, work):
        """``log det L`` of every row's observed marginal, and ``d_i``.

        Complete blocks: one value per component and ``d``. Otherwise per
        row and component, as the Gaussian kernels of missing values take
        them (:mod:`skem._gaussian.missing`).
        """
        chol = np.asarray(params["precisions_cholesky_"], dtype=np.float64)
        n_samples, n_features = block.X.shape
        covariance_type, n_components = self.covariance_type, self.n_components
        full_log_det = np.broadcast_to(
            _log_det_cholesky(chol, covariance_type, n_features), (n_components,)
        )
        missing = nan_mask(block)
        if missing is False:
            return full_log_det, n_features
        observed = ~missing
        dims = observed.sum(axis=1, keepdims=True).astype(np.float64)
        if covariance_type in ("diag", "spherical"):
            log_chol = np.broadcast_to(
                np.log(chol).reshape(n_components, -1), (n_components, n_features)
            )
            return observed @ log_chol.T, dims
        patterns, factors = work.patterns, work.factors
        pattern_of_row = patterns.pattern_of_row()
        sorted_log_det = np.empty((n_samples, n_components))
        sorted_log_det[:] = factors.log_det[pattern_of_row]
        complete = patterns.observed.sum(axis=1)[pattern_of_row] == n_features
        sorted_log_det[complete] = full_log_det
        log_det = np.empty_like(sorted_log_det)
        log_det[patterns.order] = sorted_log_det
        return log_det, dims

    def accumulate(self, params, block, resp, workspace=None):
        nk = resp.sum(axis=0)
        if workspace is None:
            # An initialization's M-step: every scale weight 1 (the
            # initial degrees of freedom then replace the estimate).
            gaussian = super().accumulate(params, block, resp, None)
            return StudentStats(
                nk=nk,
                scale_weight=gaussian.nk,
                means=gaussian.means,
                scatter=gaussian.scatter,
                dof_terms=-nk,
            )
        u, dims = workspace.scale_weights, workspace.dims
        weights = resp * u
        gaussian = super().accumulate(params, block, weights, workspace.gaussian)
        scatter = gaussian.scatter
        missing = nan_mask(block)
        if missing is not False:
            # The Gaussian statistics of the weights r u took the conditional
            # covariance of the missing entries with r u; it enters with r
            # (E[w (x_m - m)(x_m - m)^T] = E[w] (...) + Sigma_cond).
            scatter = scatter + self._conditional_correction(
                params, missing, resp - weights, workspace.gaussian
            )
        dof = np.asarray(params["degrees_of_freedom_"], dtype=np.float64)
        half = (dof + dims) / 2.0
        expected_log_shift = digamma(half) - np.log(half)  # E[log w] - log u
        if np.ndim(dims) == 0:
            shift_terms = nk * expected_log_shift
        else:
            shift_terms = (resp * expected_log_shift).sum(axis=0)
        # log u floored at log(tiny): a row infinitely far (u = 0) has r = 0.
        log_u = np.log(np.maximum(u, np.finfo(np.float64).tiny))
        log_u *= resp
        dof_terms = log_u.sum(axis=0) - gaussian.nk + shift_terms
        return StudentStats(
            nk=nk,
            scale_weight=gaussian.nk,
            means=gaussian.means,
            scatter=scatter,
            dof_terms=dof_terms,
        )

    def _conditional_correction(self, params, missing, weights, work):
        """``sum_i weights_ik Sigma_cond,ik`` over the missing entries."""
        n_features = missing.shape[1]
        if self.covariance_type in ("diag", "spherical"):
            variances = np.broadcast_to(
                np.reshape(params["covariances_"], (self.n_components, -1)),
                (self.n_components, n_features),
            )
            return (weights.T @ missing) * variances
        assert isinstance(work, MissingWork)
        patterns, factors = work.patterns, work.factors
        pattern_weights = np.add.reduceat(
            weights[patterns.order], patterns.bounds[:-1], axis=0
        )
        correction = np.zeros((self.n_components, n_features, n_features))
        for members, unseen, conditional in factors.groups:
            weighted = pattern_weights[members].T[:, :, None, None] * conditional
            flat = unseen[:, :, np.newaxis] * n_features + unseen[:, np.newaxis, :]
            for k in range(self.n_components):
                correction[k] += np.bincount(
                    flat.ravel(), weights=weighted[k].ravel(), minlength=n_features**2
                ).reshape(n_features, n_features)
        return correction

    def m_step(self, stats):
        fixed_means = self.fixed.get("means_")
        if self.prior is None and fixed_means is None:
            means = stats.means.copy()
            covariances = None
            if "covariances_" not in self.fixed:
                covariances = _estimate_gaussian_covariances(
                    GaussianStats(
                        nk=stats.nk, means=stats.means, scatter=stats.scatter
                    ),
                    self.reg_covar,
                    self.covariance_type,
                )
        else:
            means, covariances = self._map_location_scale(stats, fixed_means)
        params = {"means_": means}
        if "covariances_" in self.fixed:
            params.update(
                covariances_=self.fixed["covariances_"],
                precisions_cholesky_=self.fixed["precisions_cholesky_"],
            )
        else:
            params.update(
                covariances_=covariances,
                precisions_cholesky_=_compute_precision_cholesky(
                    covariances, self.covariance_type
                ),
            )
        params["degrees_of_freedom_"] = self._dof_of(stats)
        return params

    def _map_location_scale(self, stats, fixed_means):
        """Locations and scale matrices of a MAP step (or around fixed means).

        Given the scale weights, the t's complete-data log-likelihood is a
        Gaussian one with the rows weighted by ``r u`` in the quadratic form
        and by ``r`` in the log-determinant. So the locations are the
        Gaussian MAP means of the weights ``r u`` (``sum r u`` in place of
        ``n_k``), and the scale matrices the Gaussian MAP covariances of the
        scatter of the weights ``r u`` about those locations, divided with
        ``n_k = sum r`` (:mod:`skem._gaussian.prior`).
        """
        scale_weight = stats.scale_weight
        means = map_means(
            GaussianStats(nk=scale_weight, means=stats.means, scatter=stats.scatter),
            self.prior,
            fixed_means,
        )
        if "covariances_" in self.fixed:
            return means, None
        delta = stats.means - means
        if self.covariance_type in ("full", "tied"):
            shift = np.einsum("ki,kj->kij", delta, delta)
            scatter = stats.scatter + scale_weight[:, None, None] * shift
        else:
            scatter = stats.scatter + scale_weight[:, np.newaxis] * delta**2
        about_means = GaussianStats(nk=stats.nk, means=means, scatter=scatter)
        covariances = map_covariances(
            about_means, means, self.prior, self.reg_covar, self.covariance_type
        )
        return means, covariances

    def _dof_of(self, stats):
        dof = self._initial_dof()
        if self.dof_type == "fixed":
            return dof
        if self.dof_type == "tied":
            total = stats.nk.sum()
            if total > 0:
                dof[:] = _solve_dof(stats.dof_terms.sum() / total)
            return dof
        # A component with no responsibility keeps its initial value.
        for k in np.flatnonzero(stats.nk > 10 * np.finfo(np.float64).eps):
            dof[k] = _solve_dof(stats.dof_terms[k] / stats.nk[k])
        return dof

    def initial_parameters(self, stats):
        params = super().initial_parameters(stats)
        params["degrees_of_freedom_"] = self._initial_dof()
        return params

    def unconstrained(self, params):
        arrays = super().unconstrained(params)
        if self.dof_type == "fixed":
            return arrays
        return [*arrays, np.log(params["degrees_of_freedom_"])]

    def constrained(self, arrays):
        if self.dof_type == "fixed":
            params = super().constrained(arrays)
            params["degrees_of_freedom_"] = self._initial_dof()
            return params
        *gaussian, log_dof = arrays
        params = super().constrained(gaussian)
        params["degrees_of_freedom_"] = np.clip(np.exp(log_dof), DOF_MIN, DOF_MAX)
        return params

    def n_parameters(self, params):
        n_dof = {"estimated": self.n_components, "tied": 1, "fixed": 0}
        return super().n_parameters(params) + n_dof[self.dof_type]

    def sample(self, params, n_per_component, random_state):
        means = params["means_"]
        centred = super().sample(
            {**params, "means_": np.zeros_like(means)}, n_per_component, random_state
        )
        # x = mu + z / sqrt(w), w ~ Gamma(nu / 2, rate nu / 2) = chi2(nu) / nu
        dof = np.repeat(params["degrees_of_freedom_"], n_per_component)
        scale = np.sqrt(random_state.chisquare(dof) / dof)
        return centred / scale[:, np.newaxis] + np.repeat(
            means, n_per_component, axis=0
        )
