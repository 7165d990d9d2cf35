"""Recognizing degenerate fits: components that inflate the likelihood.

A mixture's likelihood has spikes: a Gaussian component squeezed onto a few
points (or onto a plane of points that share a value) has a variance that only
the regularization keeps above zero, and a density that grows without bound
as the variance shrinks. EM climbs such spikes readily, and their inflated
log-likelihood then wins every comparison by log-likelihood, BIC or AIC,
although the "component" describes a handful of tied values, not a group in
the data. R's ``mclust`` reports such fits as ``NA``; skem flags them.

The rules, per component ``k`` (the thresholds are the module constants):

Gaussian families
    *Collapsed*: along some direction, the component's variance ``v`` is

    - at most :data:`REG_COVAR_FACTOR` times ``reg_covar`` while the data
      vary more than :data:`REG_COVAR_DATA_RATIO` times ``v`` along that
      direction (the variance is the regularization's, not the data's: a
      component on points sharing a value, or on fewer points than
      dimensions), or
    - at most :data:`RELATIVE_VARIANCE` times the data's variance along that
      direction (a collapse however small ``reg_covar`` is).

    "Direction" means a feature for 'diag', every feature at once for
    'spherical', and an eigenvector of the covariance for 'full' and 'tied'
    (the relative test uses the generalized eigenvalues of the component's
    covariance against the data's). The data's covariance is the fitted
    mixture's total covariance, which at a fixed point of EM is the weighted
    sample covariance plus ``reg_covar``; so a feature that is constant in the
    whole data set collapses no component.

    *Too few points*: the component carries fewer effective samples ``nk``
    (summed responsibilities, in units of sample weight) than a non-singular
    covariance estimate needs: ``n_features + 1`` for 'full', 2 for 'diag'
    and 'spherical', 1 for 'tied' (whose covariance is pooled). Not the
    component's number of free parameters: a full covariance in 30 dimensions
    has 495, and perfectly well-determined components of 280 points would all
    count as degenerate. Under a prior (``prior="conjugate"``) the rule
    still applies, though the prior's pseudo-observations make such a
    component's covariance well defined: that covariance is the prior's, not
    the data's, and the log prior of a component on one point near the
    prior's mode is large (hundreds on the benchmark's wine data), so runs
    compared by log posterior would otherwise prefer spending components on
    single points.

Binomial family
    *Pinned*: some probability sits at the floor (``probability_floor`` or
    ``1 - probability_floor``, i.e. an estimate of 0 or 1) while the component
    carries fewer effective samples than its free parameters
    (``n_features + 1``, counting its weight): a tiny component that fits a
    row or two exactly. A component of many rows that all show 0 successes in
    some feature is not degenerate.

How skem uses the rules: among the runs of ``n_init`` (and of the search
strategies), the best *non-degenerate* run is kept when there is one; a fit
that still ends degenerate warns with :class:`DegenerateFitWarning`, naming
the components; :func:`skem.model_selection.criteria_grid` and the
information-criterion scorers report such a model as NaN, like mclust's NA.
"""

import numpy as np
from scipy import linalg

from .exceptions import DegenerateFitWarning  # noqa: F401 (re-exported)

#: A variance within this factor of ``reg_covar`` is the regularization's.
REG_COVAR_FACTOR = 2.0

#: ... provided the data vary at least this many times more along the
#: same direction (otherwise the data themselves are flat there).
REG_COVAR_DATA_RATIO = 1e3

#: A variance this small relative to the data's is collapsed, whatever
#: ``reg_covar`` is.
RELATIVE_VARIANCE = 1e-8


# ----------------------------------------------------------------------
# Gaussian
# ----------------------------------------------------------------------
def gaussian_degeneracy(
    weights, means, covariances, covariance_type, reg_covar, nk, prior=False
):
    """Degenerate components of a Gaussian mixture, with the reason for each.

    Parameters
    ----------
    weights : ndarray of shape (n_components,)
        Mixture weights.
    means : ndarray of shape (n_components, n_features)
        Component means.
    covariances : ndarray
        Covariances in scikit-learn's layout for ``covariance_type``.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    reg_covar : float
        The regularization added to every covariance's diagonal.
    nk : ndarray of shape (n_components,)
        Effective number of samples of every component (summed weighted
        responsibilities).
    prior : bool, default=False
        Whether the fit is under a prior (the reasons then say that a small
        component's covariance is the prior's).

    Returns
    -------
    reasons : dict of int to str
        Component index to a sentence saying why; empty when none is.
    """
    n_components, n_features = means.shape
    component_cov = _as_matrices(covariances, covariance_type, n_components, n_features)
    total = _total_covariance(weights, means, component_cov)
    needed = {"full": n_features + 1, "tied": 1, "diag": 2, "spherical": 2}[
        covariance_type
    ]
    reasons = {}
    for k in range(n_components):
        collapse = _collapse_reason(component_cov[k], total, covariance_type, reg_covar)
        if collapse is not None:
            reasons[k] = collapse
        elif nk[k] < needed:
            reasons[k] = (
                f"carries {nk[k]:.3g} effective samples, fewer than the "
                f"{needed} a '{covariance_type}' covariance in {n_features} "
                "dimensions needs"
                + (" (its covariance is the prior's, not the data's)" if prior else "")
            )
    return reasons


def _as_matrices(covariances, covariance_type, n_components, n_features):
    """Covariances as an (n_components, n_features, n_features) array."""
    covariances = np.asarray(covariances, dtype=np.float64)
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (n_components, n_features, n_features))
    if covariance_type == "spherical":
        covariances = np.repeat(covariances[:, np.newaxis], n_features, axis=1)
    return covariances[..., np.newaxis] * np.eye(n_features)


def _total_covariance(weights, means, component_cov):
    """Covariance of the whole mixture: within plus between components."""
    offsets = means - weights @ means
    within = np.einsum("k,kij->ij", weights, component_cov)
    between = (offsets * weights[:, np.newaxis]).T @ offsets
    return within + between


def _collapse_reason(covariance, total, covariance_type, reg_covar):
    """Why one covariance is collapsed, or None."""
    n_features = total.shape[0]
    if covariance_type in ("diag", "spherical"):
        variances = np.diag(covariance)
        data_variances = np.diag(total)
        where = [f"feature {j}" for j in range(n_features)]
    else:
        variances, vectors = np.linalg.eigh(covariance)
        data_variances = np.einsum("ij,ik,kj->j", vectors, total, vectors)
        where = ["its smallest principal axis"] + [
            f"principal axis {j}" for j in range(1, n_features)
        ]
    for j in range(len(variances)):
        v, s = variances[j], data_variances[j]
        if v <= REG_COVAR_FACTOR * reg_covar and s > REG_COVAR_DATA_RATIO * v:
            return (
                f"collapsed to the regularization along {where[j]} (variance "
                f"{v:.3g}, reg_covar={reg_covar:.3g}; the data's variance there "
                f"is {s:.3g})"
            )
    relative = _smallest_relative_variance(covariance, total, covariance_type)
    if relative <= RELATIVE_VARIANCE:
        return (
            f"collapsed: its variance along some direction is {relative:.3g} "
            "times the data's"
        )
    return None


def _smallest_relative_variance(covariance, total, covariance_type):
    if covariance_type in ("diag", "spherical"):
        return float(np.min(np.diag(covariance) / np.diag(total)))
    try:
        return float(linalg.eigh(covariance, total, eigvals_only=True)[0])
    except linalg.LinAlgError:
        return np.inf  # the data's covariance itself is singular: no scale


# ----------------------------------------------------------------------
# Binomial
# ----------------------------------------------------------------------
def binomial_degeneracy(probabilities, probability_floor, nk):
    """Degenerate components of a binomial mixture, with the reason for each.

    Parameters
    ----------
    probabilities : ndarray of shape (n_components, n_features)
        Success probabilities.
    probability_floor : float
        The fitted probabilities lie in ``[floor, 1 - floor]``.
    nk : ndarray of shape (n_components,)
        Effective number of samples of every component.

    Returns
    -------
    reasons : dict of int to str
        Component index to a sentence saying why; empty when none is.
    """
    n_features = probabilities.shape[1]
    # Within rounding of the clip bounds: a probability estimated as 0 or 1.
    slack = 1e-9 * probability_floor
    pinned = (probabilities <= probability_floor + slack) | (
        probabilities >= 1.0 - probability_floor - slack
    )
    needed = n_features + 1
    reasons = {}
    for k in np.flatnonzero(pinned.any(axis=1) & (nk < needed)):
        features = np.flatnonzero(pinned[k]).tolist()
        reasons[int(k)] = (
            f"is pinned to probability 0 or 1 in features {features} while "
            f"carrying {nk[k]:.3g} effective samples, fewer than its {needed} "
            "free parameters"
        )
    return reasons


# ----------------------------------------------------------------------
# Shared
# ----------------------------------------------------------------------
def describe(reasons):
    """One sentence naming every degenerate component and why."""
    return "; ".join(f"component {k} {why}" for k, why in sorted(reasons.items()))
