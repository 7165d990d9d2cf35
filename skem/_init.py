"""Initial statistics shared by every mixture family.

Each strategy assigns rows to components (hard labels, one seed row per
component, or random responsibilities); the engine turns the assignment into
statistics block by block and the family into parameters with one M-step, so
the strategies need to know nothing about the family. For unweighted data they
consume the random state exactly as :class:`sklearn.mixture.GaussianMixture`
does, so the same ``random_state`` gives the same starting point in both
libraries.
"""

import warnings

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.exceptions import ConvergenceWarning

from ._em import accumulate_responsibilities, rows_per_block
from ._hierarchical import hierarchical_start_labels

#: scikit-learn's four strategies, which keep its random-state consumption.
SKLEARN_STRATEGIES = ("kmeans", "k-means++", "random", "random_from_data")

#: The row-order-free start of :mod:`skem._hierarchical`.
HIERARCHICAL = "hierarchical"

#: The search that ends with split-and-merge moves.
SPLIT_MERGE = "emem-split-merge"

#: Strategies that search among many short runs (:mod:`skem._search`).
SEARCH_STRATEGIES = ("emem", "emem-hierarchical", SPLIT_MERGE)

#: Every value of ``init_params``.
INIT_STRATEGIES = (*SKLEARN_STRATEGIES, HIERARCHICAL, *SEARCH_STRATEGIES)


def initial_statistics(family, data, init_params, random_state):
    """Statistics of the initial responsibilities of ``data``.

    Parameters
    ----------
    family : Family
        Gives the points to cluster (``init_points``) and the statistics
        (``accumulate``).

    data : RowData
        The rows to initialise from (all training rows, or a subsample).

    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data', \
            'hierarchical'}
        The strategy (the searches of :mod:`skem._search` are not a start of
        their own but many).

    random_state : numpy.random.RandomState
        Source of randomness; consumed in place.

    Returns
    -------
    stats : SufficientStatistics
    """
    n_components = family.n_components
    sample_weight = data.sample_weight
    if init_params == "random":
        dtype = data.X.dtype

        def random_resp(block):
            # Drawn block after block, the numbers are those of one draw of
            # shape (n_samples, n_components), as scikit-learn's.
            resp = random_state.uniform(size=(block.n_samples, n_components))
            resp = resp.astype(dtype, copy=False)
            resp /= resp.sum(axis=1, keepdims=True)
            return resp

        return accumulate_responsibilities(family, data, random_resp)

    if init_params == HIERARCHICAL:
        labels = hierarchical_start_labels(family, data, random_state)
        return _label_statistics(family, data, labels)
    features = family.init_points(data)
    if init_params == "kmeans":
        with warnings.catch_warnings():
            # Fewer distinct points than clusters: the engine says so itself,
            # once, in terms of X (count_distinct_points).
            warnings.filterwarnings(
                "ignore", "Number of distinct clusters", ConvergenceWarning
            )
            labels = (
                KMeans(n_clusters=n_components, n_init=1, random_state=random_state)
                .fit(features, sample_weight=sample_weight)
                .labels_
            )
        return _label_statistics(family, data, labels)
    if init_params == "k-means++":
        _, indices = kmeans_plusplus(
            features,
            n_components,
            random_state=random_state,
            sample_weight=sample_weight,
        )
    elif init_params == "random_from_data":
        seed_probability = (
            None if sample_weight is None else sample_weight / sample_weight.sum()
        )
        indices = random_state.choice(
            len(features), size=n_components, replace=False, p=seed_probability
        )
    else:
        raise ValueError(
            f"init_params must be one of {INIT_STRATEGIES}, got {init_params!r}."
        )
    # Every other row has zero responsibility: only the seeds contribute.
    seeds = data[np.asarray(indices)]
    return accumulate_responsibilities(family, seeds, np.eye(n_components))


def count_distinct_points(family, data, limit):
    """Distinct points among the rows of ``data``, counted up to ``limit``.

    The points are what the strategies cluster (the family's
    ``init_points``: success proportions for a binomial); rows of weight
    zero are left out, and NaN equals NaN. Read block by block, stopping as
    soon as ``limit`` points are found: typically within the first block,
    one pass over the data at most (for data of fewer distinct rows).
    """
    found = []
    for block in data.blocks(rows_per_block(family, data)):
        points = np.asarray(family.init_points(block))
        if block.sample_weight is not None:
            points = points[block.sample_weight > 0]
        for point in found:
            points = points[_differs(points, point)]
        while len(points):
            found.append(points[0])
            if len(found) >= limit:
                return limit
            points = points[1:][_differs(points[1:], points[0])]
    return len(found)


def _differs(points, point):
    """Rows of ``points`` that are not ``point`` (NaN equal to NaN)."""
    unequal = (points != point) & ~(np.isnan(points) & np.isnan(point))
    return unequal.any(axis=1)


def _label_statistics(family, data, labels):
    """Statistics of every row assigned wholly to the component it is labelled."""
    return accumulate_responsibilities(
        family, data, _one_hot(labels, family.n_components)
    )


def _one_hot(labels, n_components):
    resp = np.zeros((len(labels), n_components))
    resp[np.arange(len(labels)), labels] = 1.0
    return resp
