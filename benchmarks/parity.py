"""Parity of skem.GaussianMixtureEM with sklearn.mixture.GaussianMixture.

Both estimators start from the same ``weights_init``, ``means_init`` and
``precisions_init`` and run the same number of EM iterations (``tol=0``). The
script prints, per covariance type, the largest relative difference of the
fitted parameters (``weights_``, ``means_``, ``covariances_``,
``precisions_cholesky_``, each relative to its largest entry) and of the
log-likelihood (skem's ``lower_bound_`` against scikit-learn's ``score(X)``,
and skem's ``lower_bounds_[:-1]`` against scikit-learn's ``lower_bounds_``),
over several data shapes and iteration counts.

A second table fits data shifted by 1e8 and reports how far the covariances
move from those of the unshifted data, for both libraries.

Run with ``python benchmarks/parity.py``.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from skem import GaussianMixtureEM

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
SHAPES = ((200, 2, 3), (500, 5, 4), (50, 1, 2), (1000, 10, 5))
MAX_ITERS = (1, 10, 50)
PARAMETERS = ("weights_", "means_", "covariances_", "precisions_cholesky_")


def make_blobs(n_samples, n_features, n_components, seed, spread=3.0):
    """Overlapping Gaussian blobs with random anisotropic shapes."""
    rng = np.random.RandomState(seed)
    centers = rng.normal(scale=spread, size=(n_components, n_features))
    labels = rng.randint(n_components, size=n_samples)
    shapes = rng.normal(size=(n_components, n_features, n_features))
    shapes = shapes / np.sqrt(n_features) + np.eye(n_features)
    noise = rng.normal(size=(n_samples, n_features))
    return centers[labels] + np.einsum("ni,nij->nj", noise, shapes[labels])


def initial_parameters(X, n_components, covariance_type, seed):
    """Weights, means and precisions to start both libraries from."""
    rng = np.random.RandomState(seed)
    n_samples, _ = X.shape
    covariance = np.atleast_2d(np.cov(X.T))
    precision = np.linalg.inv(covariance)
    precisions = {
        "full": np.stack([precision] * n_components),
        "tied": precision,
        "diag": np.tile(1 / np.diag(covariance), (n_components, 1)),
        "spherical": np.full(n_components, 1 / np.diag(covariance).mean()),
    }[covariance_type]
    return {
        "weights_init": rng.dirichlet(np.full(n_components, 5.0)),
        "means_init": X[rng.choice(n_samples, n_components, replace=False)],
        "precisions_init": precisions,
    }


def relative_difference(ours, theirs):
    theirs = np.asarray(theirs)
    return float(np.max(np.abs(np.asarray(ours) - theirs)) / np.max(np.abs(theirs)))


def compare(X, n_components, covariance_type, max_iter):
    init = initial_parameters(X, n_components, covariance_type, seed=0)
    params = dict(
        n_components=n_components,
        covariance_type=covariance_type,
        tol=0.0,
        max_iter=max_iter,
        **init,
    )
    reference = GaussianMixture(**params).fit(X)
    model = GaussianMixtureEM(**params).fit(X)
    parameters = max(
        relative_difference(getattr(model, name), getattr(reference, name))
        for name in PARAMETERS
    )
    log_likelihood = max(
        relative_difference(model.lower_bound_, reference.score(X)),
        relative_difference(model.lower_bounds_[:-1], reference.lower_bounds_),
    )
    return parameters, log_likelihood


def offset_error(cls, X, covariance_type, offset=1e8):
    init = initial_parameters(X, 2, covariance_type, seed=2)
    params = dict(n_components=2, covariance_type=covariance_type, tol=0, max_iter=20)
    shifted_init = {**init, "means_init": init["means_init"] + offset}
    try:
        plain = cls(**params, **init).fit(X)
        shifted = cls(**params, **shifted_init).fit(X + offset)
    except ValueError:
        return "fails (ValueError)"
    return f"{relative_difference(shifted.covariances_, plain.covariances_):.1e}"


def main():
    warnings.simplefilter("ignore", ConvergenceWarning)
    shapes = ", ".join(f"n={n} d={d} k={k}" for n, d, k in SHAPES)
    print("Largest relative difference, skem vs scikit-learn, same initial")
    print(f"parameters, tol=0, max_iter in {MAX_ITERS}; shapes: {shapes}")
    print()
    print(f"{'covariance_type':<16}{'parameters':>12}{'log-likelihood':>16}")
    for covariance_type in COVARIANCE_TYPES:
        worst = np.zeros(2)
        for n_samples, n_features, n_components in SHAPES:
            X = make_blobs(n_samples, n_features, n_components, seed=n_features)
            for max_iter in MAX_ITERS:
                worst = np.maximum(
                    worst, compare(X, n_components, covariance_type, max_iter)
                )
        print(f"{covariance_type:<16}{worst[0]:>12.1e}{worst[1]:>16.1e}")

    print()
    print("Covariances on data shifted by 1e8 vs unshifted (relative difference)")
    print()
    print(f"{'covariance_type':<16}{'skem':>12}{'scikit-learn':>22}")
    X = make_blobs(300, 3, 2, seed=8)
    for covariance_type in COVARIANCE_TYPES:
        ours = offset_error(GaussianMixtureEM, X, covariance_type)
        theirs = offset_error(GaussianMixture, X, covariance_type)
        print(f"{covariance_type:<16}{ours:>12}{theirs:>22}")


if __name__ == "__main__":
    main()
