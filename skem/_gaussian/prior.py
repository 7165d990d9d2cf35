"""The conjugate prior of Gaussian mixtures: mclust's, and its MAP M-step.

Fraley and Raftery (2007, "Bayesian regularization for normal mixture
estimation and model-based clustering") put a normal-inverse-Wishart prior on
each component: ``mu_k | Sigma_k ~ N(mu_p, Sigma_k / kappa)`` and
``Sigma_k ~ IW(nu, Lambda)``; for diagonal and spherical covariances an
inverse-gamma ``IG(nu / 2, s2 / 2)`` on each variance. The posterior mode
adds pseudo-statistics to the data's: ``kappa`` observations at ``mu_p``
shrink the means, ``Lambda`` (or ``s2``) and ``nu`` the covariances, so no
covariance can collapse. The defaults are those of mclust's
``priorControl()`` (``defaultPrior``): ``kappa = 0.01``, ``mu_p`` the data
mean, ``nu = d + 2``, and the scale ``(1/G)^(2/d)`` times the data
covariance (full and tied; its diagonal when there are no more rows than
features) or times the mean variance (diagonal and spherical). The four
covariance types are mclust's models VVV, EEE, VVI and VII.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy import special

from .._count_priors import prior_keys
from .._family import SufficientStatistics

#: The keys of a ``prior`` dict of :class:`~skem.GaussianMixtureEM`.
PRIOR_KEYS = ("shrinkage", "mean", "dof", "scale", "weight_concentration")


@dataclass(frozen=True)
class GaussianPrior:
    """Resolved hyperparameters of the conjugate prior.

    Attributes
    ----------
    shrinkage : float
        ``kappa``: pseudo-observations at ``mean`` (0 leaves the means alone).
    mean : ndarray of shape (n_features,)
    dof : float
        ``nu``, the degrees of freedom of the inverse Wishart (or gamma).
    scale : ndarray of shape (n_features, n_features) or float
        ``Lambda`` for 'full' and 'tied', ``s2`` for 'diag' and 'spherical'.
    """

    shrinkage: float
    mean: np.ndarray
    dof: float
    scale: object


@dataclass(frozen=True)
class DataMoments(SufficientStatistics):
    """Weighted moments of the data, NaN left out feature by feature.

    ``weight``, ``mean`` and ``m2`` (the centred sum of squares) are per
    feature, over its observed entries; ``scatter`` is the full centred
    scatter matrix when no entry is missing, else None.
    """

    weight: np.ndarray
    mean: np.ndarray = field(metadata={"additive": False})
    m2: np.ndarray
    scatter: object = field(default=None, metadata={"additive": False})

    def __add__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        weight = self.weight + other.weight
        frac = np.divide(
            other.weight, weight, out=np.zeros_like(weight), where=weight > 0
        )
        delta = other.mean - self.mean
        coef = self.weight * frac
        scatter = None
        if self.scatter is not None and other.scatter is not None:
            # Complete blocks: every feature has the same weight.
            scatter = self.scatter + other.scatter + np.outer(delta, delta) * coef[0]
        return DataMoments(
            weight=weight,
            mean=self.mean + delta * frac,
            m2=self.m2 + other.m2 + delta**2 * coef,
            scatter=scatter,
        )


def block_moments(block):
    """:class:`DataMoments` of one block."""
    X = np.asarray(block.X, dtype=np.float64)
    w = block.sample_weight
    if w is None:
        w = np.ones(len(X))
    observed = ~np.isnan(X)
    weight = w @ observed
    filled = np.where(observed, X, 0.0)
    mean = np.divide(w @ filled, weight, out=np.zeros_like(weight), where=weight > 0)
    centred = np.where(observed, X - mean, 0.0)
    m2 = w @ centred**2
    scatter = None
    if observed.all():
        scatter = (centred * w[:, np.newaxis]).T @ centred
    return DataMoments(weight=weight, mean=mean, m2=m2, scatter=scatter)


def resolve_prior(spec, moments, covariance_type, n_components, whom):
    """The hyperparameters of ``spec`` (``"conjugate"`` or a dict).

    Defaults are mclust's ``defaultPrior`` on the data's moments; the
    variances use the ``n - 1`` denominator of R's ``var`` (the summed weight
    minus one, with frequency weights). ``whom`` names the estimator in the
    message about unknown keys.
    """
    spec = prior_keys(spec, PRIOR_KEYS, whom)
    n_features = len(moments.mean)
    shrinkage = float(spec.get("shrinkage", 0.01))
    if not (np.isfinite(shrinkage) and shrinkage >= 0):
        raise ValueError(f"prior['shrinkage'] must be >= 0, got {shrinkage!r}.")
    mean = spec.get("mean")
    mean = moments.mean if mean is None else np.asarray(mean, dtype=np.float64)
    if mean.shape != (n_features,) or not np.all(np.isfinite(mean)):
        raise ValueError(
            f"prior['mean'] must hold {n_features} finite values, got shape "
            f"{np.shape(mean)}."
        )
    dof = float(spec.get("dof", n_features + 2))
    if not (np.isfinite(dof) and dof > n_features - 1):
        raise ValueError(
            f"prior['dof'] must be above n_features - 1 = {n_features - 1}, "
            f"got {dof!r}."
        )
    scale = spec.get("scale")
    scale = (
        _default_scale(moments, covariance_type, n_components)
        if scale is None
        else _check_scale(scale, covariance_type, n_features)
    )
    return GaussianPrior(shrinkage, mean, dof, scale)


def _default_scale(moments, covariance_type, n_components):
    n_features = len(moments.mean)
    factor = (1.0 / n_components) ** (2.0 / n_features)
    variances = moments.m2 / np.maximum(moments.weight - 1.0, 1.0)
    if covariance_type in ("diag", "spherical"):
        return float(factor * variances.sum() / n_features)
    total = moments.weight[0] if len(moments.weight) else 0.0
    if moments.scatter is not None and total > n_features:
        return factor * moments.scatter / (total - 1.0)
    return factor * np.diag(variances)


def _check_scale(scale, covariance_type, n_features):
    scale = np.asarray(scale, dtype=np.float64)
    if covariance_type in ("diag", "spherical"):
        if scale.ndim != 0 or not (np.isfinite(scale) and scale > 0):
            raise ValueError(
                "prior['scale'] must be a positive number for covariance_type="
                f"{covariance_type!r}, got {scale!r}."
            )
        return float(scale)
    if scale.shape != (n_features, n_features):
        raise ValueError(
            f"prior['scale'] must be a ({n_features}, {n_features}) matrix for "
            f"covariance_type={covariance_type!r}, got shape {scale.shape}."
        )
    if not (
        np.all(np.isfinite(scale))
        and np.allclose(scale, scale.T)
        and np.all(np.linalg.eigvalsh(scale) > 0)
    ):
        raise ValueError("prior['scale'] must be symmetric positive definite.")
    return scale


def map_means(stats, prior, fixed_means=None):
    """Means of the M-step: fixed, the data's, or shrunk toward the prior mean."""
    if fixed_means is not None:
        return np.asarray(fixed_means, dtype=np.float64)
    if prior is None or prior.shrinkage == 0:
        return stats.means.copy()
    nk = stats.nk[:, np.newaxis]
    return (nk * stats.means + prior.shrinkage * prior.mean) / (nk + prior.shrinkage)


def map_covariances(stats, means, prior, reg_covar, covariance_type):
    """Covariances of the M-step given the ``means`` it chose.

    ``sum_i r_ik (x_i - m_k)(x_i - m_k)^T`` is the centred scatter plus
    ``n_k (xbar_k - m_k)(xbar_k - m_k)^T``; the prior adds ``Lambda`` and
    ``kappa (m_k - mu_p)(m_k - mu_p)^T``, and its degrees of freedom to the
    denominator (Fraley and Raftery 2007, table 2; mclust's M-steps).
    """
    nk = stats.nk + 10 * np.finfo(np.float64).eps
    n_components, n_features = means.shape
    deviations = [(stats.nk, stats.means - means)]
    if prior is not None and prior.shrinkage > 0:
        deviations.append((np.full(n_components, prior.shrinkage), means - prior.mean))
    full = covariance_type in ("full", "tied")
    scatter = np.array(stats.scatter, dtype=np.float64)
    for weight, delta in deviations:
        if full:
            scatter += weight[:, None, None] * np.einsum("ki,kj->kij", delta, delta)
        else:
            scatter += weight[:, np.newaxis] * delta**2
    diagonal = np.arange(n_features)
    if covariance_type == "full":
        if prior is None:
            covariances = scatter / nk[:, None, None]
        else:
            covariances = (prior.scale + scatter) / (nk + prior.dof + n_features + 2)[
                :, None, None
            ]
        covariances[:, diagonal, diagonal] += reg_covar
    elif covariance_type == "tied":
        total = scatter.sum(axis=0)
        if prior is None:
            covariances = total / nk.sum()
        else:
            covariances = (prior.scale + total) / (
                nk.sum() + prior.dof + n_features + 1 + n_components
            )
        covariances[diagonal, diagonal] += reg_covar
    elif covariance_type == "diag":
        if prior is None:
            covariances = scatter / nk[:, np.newaxis]
        else:
            covariances = (prior.scale + scatter) / (nk + prior.dof + 3)[:, None]
        covariances += reg_covar
    else:
        if prior is None:
            covariances = (scatter / nk[:, np.newaxis] + reg_covar).mean(axis=1)
        else:
            covariances = (prior.scale + scatter.sum(axis=1)) / (
                (nk + 1) * n_features + prior.dof + 2
            ) + reg_covar
    return covariances


def log_prior_density(means, covariances, precisions_cholesky, prior, covariance_type):
    """Log density of the prior at the components' parameters.

    Closed forms (those of :mod:`scipy.stats`' ``invwishart``,
    ``multivariate_normal``, ``invgamma`` and ``norm``, which a test checks
    them against) on the precision Cholesky factors the fit already holds:
    the scipy densities refactorize every matrix and took about half of a
    MAP fit, as the objective is evaluated at every iteration.
    """
    means = np.asarray(means, dtype=np.float64)
    n_components, n_features = means.shape
    kappa, mu, nu = prior.shrinkage, prior.mean, prior.dof
    deltas = means - mu
    if covariance_type in ("full", "tied"):
        factors = np.asarray(precisions_cholesky, dtype=np.float64)
        if covariance_type == "tied":
            factors = np.broadcast_to(factors, (n_components, n_features, n_features))
        # log |Sigma| = -2 sum log diag(L), with precision L L^T.
        log_det = -2.0 * np.log(np.diagonal(factors, axis1=1, axis2=2)).sum(axis=1)
        scale = prior.scale
        trace = np.einsum("ij,kjl,kil->k", scale, factors, factors)
        log_det_scale = np.linalg.slogdet(scale)[1]
        log_wishart = (
            0.5 * nu * log_det_scale
            - 0.5 * nu * n_features * np.log(2.0)
            - special.multigammaln(0.5 * nu, n_features)
            - 0.5 * (nu + n_features + 1) * log_det
            - 0.5 * trace
        )
        total = log_wishart[0] if covariance_type == "tied" else log_wishart.sum()
        if kappa > 0:
            projected = np.einsum("ki,kij->kj", deltas, factors)
            total += (
                -0.5 * n_features * np.log(2.0 * np.pi / kappa)
                - 0.5 * log_det
                - 0.5 * kappa * (projected**2).sum(axis=1)
            ).sum()
        return float(total)
    variances = np.asarray(covariances, dtype=np.float64)
    if covariance_type == "spherical":
        variances = variances[:, np.newaxis]
    # Inverse gamma (nu / 2, s2 / 2) of each variance (once per component
    # for 'spherical'), then the means' normal densities.
    shape, rate = 0.5 * nu, 0.5 * prior.scale
    total = (
        shape * np.log(rate)
        - special.gammaln(shape)
        - (shape + 1.0) * np.log(variances)
        - rate / variances
    ).sum()
    if kappa > 0:
        spread = np.broadcast_to(variances, means.shape) / kappa
        total += (-0.5 * np.log(2.0 * np.pi * spread) - 0.5 * deltas**2 / spread).sum()
    return float(total)
