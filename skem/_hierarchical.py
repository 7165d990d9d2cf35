"""The hierarchical start: Ward's agglomeration of the rows, free of row order.

Ward's agglomerative clustering (the Gaussian model-based agglomeration
of R's ``mclust`` with spherical, equal-volume components), cut at
``n_components`` clusters; its labels give the initial M-step. For
'full' and 'tied' Gaussian mixtures the points are first sphered (their
weighted covariance made the identity, as ``mclust`` transforms its data
before agglomerating), so that Ward's criterion measures distances as
those ellipsoidal components do. It is
deterministic and free of row order: the rows are first reduced to their
distinct points, in sorted order, each weighted by its summed sample
weight (so an integer weight and a repeated row are the same thing), and
ties in the agglomeration are broken in that order (scipy's compiled
Ward linkage when the weights are equal, :func:`ward_merges` otherwise).
Above :data:`HIERARCHICAL_MAX_POINTS` distinct points the agglomeration
runs on that many of them, drawn with probability proportional to their
weight (with ``random_state``, from the sorted points, so still free of
row order), and every row joins the cluster of the nearest centroid.
"""

import numpy as np
from scipy.cluster.hierarchy import linkage

#: Distinct points the agglomeration runs on at most.
HIERARCHICAL_MAX_POINTS = 2000


def hierarchical_start_labels(family, data, random_state):
    """Labels of a Ward clustering of ``data``, the hierarchical start.

    Parameters
    ----------
    family : Family
        Gives the points to cluster (``init_points``) and whether to sphere
        them (``sphered_start``).
    data : RowData
        The rows to initialise from.
    random_state : numpy.random.RandomState
        Used only when the points are subsampled.

    Returns
    -------
    labels : ndarray of shape (n_samples,)
    """
    return hierarchical_labels(
        np.asarray(family.init_points(data), dtype=np.float64),
        data.sample_weight,
        family.n_components,
        random_state,
        sphere=family.sphered_start,
    )


def hierarchical_labels(X, sample_weight, n_clusters, random_state, sphere=False):
    """Ward clustering of the weighted rows of ``X``, free of row order.

    With ``sphere``, on the points transformed to unit weighted covariance
    (Ward's criterion in the Mahalanobis metric of the data).

    Returns
    -------
    labels : ndarray of shape (n_samples,)
        Cluster of every row, numbered in the sorted order of the distinct
        points.
    """
    weights = np.ones(len(X)) if sample_weight is None else sample_weight
    points, inverse = np.unique(X, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    point_weights = np.bincount(inverse, weights=weights, minlength=len(points))
    used = np.flatnonzero(point_weights > 0)
    if len(used) > HIERARCHICAL_MAX_POINTS:
        used = np.sort(
            random_state.choice(
                used,
                size=HIERARCHICAL_MAX_POINTS,
                replace=False,
                p=point_weights[used] / point_weights[used].sum(),
            )
        )
    n_clusters = min(n_clusters, len(used))
    if sphere:
        points = _sphered(points, point_weights)
    cluster_of_used = _ward_clusters(points[used], point_weights[used], n_clusters)
    centroids = np.array(
        [
            np.average(
                points[used][cluster_of_used == c],
                axis=0,
                weights=point_weights[used][cluster_of_used == c],
            )
            for c in range(n_clusters)
        ]
    )
    cluster_of_point = _nearest(points, centroids)
    cluster_of_point[used] = cluster_of_used
    return cluster_of_point[inverse]


def _sphered(points, weights):
    """Points in coordinates where their weighted covariance is the identity.

    Directions in which the points do not vary are dropped.
    """
    centre = np.average(points, axis=0, weights=weights)
    centred = points - centre
    covariance = (centred * weights[:, np.newaxis]).T @ centred / weights.sum()
    values, vectors = np.linalg.eigh(covariance)
    keep = values > 1e-12 * max(values.max(), np.finfo(float).tiny)
    return centred @ (vectors[:, keep] / np.sqrt(values[keep]))


def _ward_clusters(points, weights, n_clusters):
    """Cluster of every point when Ward's hierarchy is cut at ``n_clusters``.

    Clusters are numbered by their first point. With equal weights the
    hierarchy is the one of scipy's compiled Ward linkage (ten times faster
    than :func:`ward_merges` on 500 points; the same hierarchy unless merge
    costs tie); only weighted points need :func:`ward_merges`.
    """
    if len(points) > 1 and np.all(weights == weights[0]):
        return _cut_linkage(linkage(points, method="ward"), n_clusters)
    return _cut(ward_merges(points, weights), len(points), n_clusters)


def _cut_linkage(Z, n_clusters):
    """Clusters of scipy's linkage matrix ``Z`` after its cheapest merges.

    Row ``i`` of ``Z`` (sorted by cost) merges clusters ``Z[i, 0]`` and
    ``Z[i, 1]`` into cluster ``n + i``; walking the applied merges backwards
    hands every cluster's final label down to its two parts. (scipy's
    ``cut_tree`` does the same, ten times slower.)
    """
    n_points = len(Z) + 1
    n_merges = n_points - n_clusters
    label = np.arange(2 * n_points - 1)
    children = Z[:n_merges, :2].astype(np.intp)
    for i in range(n_merges - 1, -1, -1):
        label[children[i]] = label[n_points + i]
    _, first, labels = np.unique(
        label[:n_points], return_index=True, return_inverse=True
    )
    # Numbered by their first point, as _cut numbers them.
    rank = np.empty(len(first), dtype=np.intp)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[labels.reshape(-1)]


def ward_merges(points, weights):
    """The merges of Ward's agglomeration of weighted points.

    The nearest-neighbour chain algorithm (Murtagh 1983), which Ward's
    criterion (reducible) allows: O(m^2) time, O(m) memory, one vectorized
    distance row per step. The merge cost of clusters ``a`` and ``b`` is
    ``w_a w_b / (w_a + w_b) |c_a - c_b|^2``. Ties go to the lowest index.

    Returns
    -------
    merges : list of (float, int, int)
        ``(cost, a, b)`` in the order they were found; the merged cluster
        keeps the index ``a < b``.
    """
    centres = np.array(points, dtype=np.float64)
    weights = np.array(weights, dtype=np.float64)
    active = np.ones(len(points), dtype=bool)
    merges = []
    chain = []
    for _ in range(len(points) - 1):
        if not chain:
            chain.append(int(np.flatnonzero(active)[0]))
        while True:
            a = chain[-1]
            costs = _ward_costs(centres, weights, a)
            costs[~active] = np.inf
            costs[a] = np.inf
            b = int(np.argmin(costs))
            # Prefer the chain's previous element on a tie: the chain stops.
            if len(chain) > 1 and costs[chain[-2]] <= costs[b]:
                b = chain[-2]
            if len(chain) > 1 and b == chain[-2]:
                break
            chain.append(b)
        chain.pop()
        chain.pop()
        low, high = min(a, b), max(a, b)
        merges.append((float(costs[b]), low, high))
        total = weights[low] + weights[high]
        centres[low] = (
            weights[low] * centres[low] + weights[high] * centres[high]
        ) / total
        weights[low] = total
        active[high] = False
    return merges


def _ward_costs(centres, weights, a):
    squared = np.square(centres - centres[a]).sum(axis=1)
    return weights * weights[a] / (weights + weights[a]) * squared


def _cut(merges, n_points, n_clusters):
    """Cluster of every point when the hierarchy is cut at ``n_clusters``.

    The cheapest ``n_points - n_clusters`` merges are applied (a stable sort
    keeps the order in which tied merges were found, which respects their
    dependencies); clusters are numbered by their first point.
    """
    parent = np.arange(n_points)

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(merges)), key=lambda i: merges[i][0])
    for i in order[: n_points - n_clusters]:
        _, a, b = merges[i]
        ra, rb = root(a), root(b)
        parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([root(i) for i in range(n_points)])
    _, labels = np.unique(roots, return_inverse=True)
    return labels.reshape(-1)


def _nearest(points, centroids):
    # Written out rather than sklearn's pairwise_distances_argmin, which
    # refuses the zero-width points that sphering a single point leaves.
    squared = (
        np.square(points).sum(axis=1)[:, np.newaxis]
        - 2.0 * points @ centroids.T
        + np.square(centroids).sum(axis=1)
    )
    return np.argmin(squared, axis=1)
