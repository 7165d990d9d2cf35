"""Initial responsibilities shared by every mixture family.

Each strategy returns a responsibility matrix; the family turns it into
parameters with one M-step, so the strategies need to know nothing about the
family. For unweighted data they consume the random state exactly as
:class:`sklearn.mixture.GaussianMixture` does, so the same ``random_state``
gives the same starting point in both libraries.
"""

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus

INIT_STRATEGIES = ("kmeans", "k-means++", "random", "random_from_data")


def initial_responsibilities(
    X, n_components, init_params, random_state, sample_weight=None
):
    """Responsibilities to start EM from.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Points on which the strategy clusters (the family chooses them, e.g.
        success proportions for count data).

    n_components : int
        Number of mixture components.

    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}
        The strategy.

    random_state : numpy.random.RandomState
        Source of randomness; consumed in place.

    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative weights. Points of weight zero are never chosen as seeds.

    Returns
    -------
    resp : ndarray of shape (n_samples, n_components)
        Rows sum to one.
    """
    n_samples = X.shape[0]
    resp = np.zeros((n_samples, n_components), dtype=X.dtype)
    if init_params == "kmeans":
        labels = (
            KMeans(n_clusters=n_components, n_init=1, random_state=random_state)
            .fit(X, sample_weight=sample_weight)
            .labels_
        )
        resp[np.arange(n_samples), labels] = 1
    elif init_params == "k-means++":
        _, indices = kmeans_plusplus(
            X, n_components, random_state=random_state, sample_weight=sample_weight
        )
        resp[indices, np.arange(n_components)] = 1
    elif init_params == "random":
        resp[:] = random_state.uniform(size=(n_samples, n_components))
        resp /= resp.sum(axis=1, keepdims=True)
    elif init_params == "random_from_data":
        seed_probability = (
            None if sample_weight is None else sample_weight / sample_weight.sum()
        )
        indices = random_state.choice(
            n_samples, size=n_components, replace=False, p=seed_probability
        )
        resp[indices, np.arange(n_components)] = 1
    else:
        raise ValueError(
            f"init_params must be one of {INIT_STRATEGIES}, got {init_params!r}."
        )
    return resp
