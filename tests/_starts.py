"""Initial parameters that start skem and scikit-learn at the same point."""

import numpy as np


def initial_parameters(X, n_components, covariance_type, seed=0):
    """Weights, means (data points) and the data's precision for every component."""
    rng = np.random.RandomState(seed)
    n_samples, _ = X.shape
    weights = rng.dirichlet(np.full(n_components, 5.0))
    means = X[rng.choice(n_samples, n_components, replace=False)]
    covariance = np.atleast_2d(np.cov(X.T))
    precision = np.linalg.inv(covariance)
    precisions = {
        "full": np.stack([precision] * n_components),
        "tied": precision,
        "diag": np.tile(1 / np.diag(covariance), (n_components, 1)),
        "spherical": np.full(n_components, 1 / np.diag(covariance).mean()),
    }[covariance_type]
    return {"weights_init": weights, "means_init": means, "precisions_init": precisions}
