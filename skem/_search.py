"""Searching for the best optimum: a hierarchical start, emEM, split-and-merge.

EM climbs to the nearest local maximum, so the start decides the answer.
Strategies on top of scikit-learn's four (see ``init_params``):

``'hierarchical'``
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

``'emem'`` and ``'emem-hierarchical'``
    The emEM search of Biernacki, Celeux and Govaert (2003): short EM runs
    from many varied starts, and only the best is continued to convergence.
    Here :data:`SEARCH_CANDIDATES` starts (random data points as seeds,
    ``init_params='random_from_data'``: cheap and varied, and they reached
    the best optimum more often than a mix with k-means and k-means++ starts
    in the benchmark; ``'emem-hierarchical'`` adds the hierarchical start)
    each run :data:`SHORT_RUN_ITER` EM steps on all the
    training rows; then, round after round, the better half (non-degenerate
    runs first, then by log-likelihood) runs twice as many steps as in the
    round before, until one is left (successive halving). Every one of the
    ``n_init`` initializations also continues the start that
    ``init_params='kmeans'`` would have drawn from the same random state, so
    the search never returns a lower log-likelihood than
    ``init_params='kmeans'`` with the same ``n_init`` and ``random_state``
    (unless that one is degenerate). The candidates are drawn from a stream
    derived from, but not consuming, the random state.

``'emem-split-merge'``
    A smaller ``'emem-hierarchical'`` search (:data:`SPLIT_MERGE_CANDIDATES`
    starts), run to convergence, then split-and-merge moves (Ueda et al.
    2000; :func:`split_and_merge`) while one ends higher.

All short runs use the EM engine's :func:`skem._em.run_em`, with the
estimator's stopping rule and acceleration.
"""

import numpy as np
from scipy.cluster.hierarchy import linkage

from ._em import run_em

#: Strategies of this module that are plain starts (a labelling of rows).
HIERARCHICAL = "hierarchical"

#: The search that ends with split-and-merge moves.
SPLIT_MERGE = "emem-split-merge"

#: Strategies of this module that search among many short runs.
SEARCH_STRATEGIES = ("emem", "emem-hierarchical", SPLIT_MERGE)

#: Searches with the hierarchical start among their candidates.
WITH_HIERARCHICAL = ("emem-hierarchical", SPLIT_MERGE)

#: Covariance types whose hierarchical start clusters sphered points: their
#: components are ellipsoids, and on the benchmark's full and tied cases
#: the sphered start reached the best known optimum more often (8 of 40
#: against 5), on the diagonal and spherical ones less often (20 of 50
#: against 25).
SPHERED_COVARIANCES = ("full", "tied")

#: Distinct points the agglomeration runs on at most.
HIERARCHICAL_MAX_POINTS = 2000

#: Number of varied starts of the emEM search (besides the hierarchical one).
SEARCH_CANDIDATES = 24

#: EM steps of every candidate in the first round (doubled every round).
SHORT_RUN_ITER = 5

#: The plain starts the candidates cycle through.
CANDIDATE_STRATEGIES = ("random_from_data",)

#: Starts of the emEM search before split-and-merge moves: fewer than
#: :data:`SEARCH_CANDIDATES`, as the moves repair much of what a smaller
#: search misses (benchmark, seed 0: 82 cases reached with 12 starts at 3.0
#: times the time of ``GaussianMixture(n_init=10)``, 82 with 24 at 3.5).
SPLIT_MERGE_CANDIDATES = 12

#: Merge pairs per round of moves, those whose responsibilities overlap most;
#: each is tried with a split of every other component (2 pairs: 79 cases at
#: 2.4 times, 4 pairs: 80 at 3.4).
SPLIT_MERGE_PAIRS = 3

#: Rounds of split-and-merge moves at most (each kept move starts a round).
SPLIT_MERGE_ROUNDS = 10

#: A move is kept when it raises the mean log-likelihood by more than this,
#: relative: more than the rounding of a pass, so that no move is taken for
#: noise.
SPLIT_MERGE_GAIN = 1e-9


# ----------------------------------------------------------------------
# The hierarchical start
# ----------------------------------------------------------------------
def hierarchical_start_labels(model, data, random_state):
    """Labels of a Ward clustering of ``data``, the hierarchical start.

    Parameters
    ----------
    model : BaseMixtureEM
        The family (gives ``_init_features`` and ``_accumulate``).
    data : RowData
        The rows to initialise from.
    random_state : numpy.random.RandomState
        Used only when the points are subsampled.

    Returns
    -------
    labels : ndarray of shape (n_samples,)
    """
    return hierarchical_labels(
        np.asarray(model._init_features(data), dtype=np.float64),
        data.sample_weight,
        model.n_components,
        random_state,
        sphere=getattr(model, "covariance_type", None) in SPHERED_COVARIANCES,
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


# ----------------------------------------------------------------------
# The emEM search
# ----------------------------------------------------------------------
def independent_stream(random_state):
    """A RandomState seeded from ``random_state``'s state, without consuming it.

    The plain start of every initialization must draw exactly what
    ``init_params='kmeans'`` would; the search's candidates come from here.
    """
    key = random_state.get_state()[1]
    seed = np.random.SeedSequence([int(v) for v in key]).generate_state(4)
    return np.random.RandomState(seed)


def search_start(model, data, init_rows, random_state):
    """Set ``model`` to the winner of many short EM runs (emEM).

    Every candidate start runs :data:`SHORT_RUN_ITER` EM steps; then, round
    after round, the better half (non-degenerate runs first, then by
    log-likelihood) continues for twice as many steps as the round before,
    until one is left (successive halving: a candidate that looked poor after
    a few steps is dropped early, a close race gets more steps).

    Parameters
    ----------
    model : BaseMixtureEM
        The estimator; its parameters are overwritten.
    data : RowData
        The training rows the short runs use.
    init_rows : callable
        ``init_rows(random_state)`` gives the rows the starts are drawn on
        (all of ``data``, or a subsample).
    random_state : numpy.random.RandomState
        Source of the candidates' randomness.
    """
    from ._init import initial_statistics

    n_candidates = (
        SPLIT_MERGE_CANDIDATES
        if model.init_params == SPLIT_MERGE
        else SEARCH_CANDIDATES
    )
    strategies = [
        CANDIDATE_STRATEGIES[i % len(CANDIDATE_STRATEGIES)] for i in range(n_candidates)
    ]
    if model.init_params in WITH_HIERARCHICAL:
        strategies.insert(0, HIERARCHICAL)
    survivors = []
    for strategy in strategies:
        model._initialize(
            initial_statistics(model, init_rows(random_state), strategy, random_state)
        )
        survivors.append(model._get_parameters())
    # The short runs are part of the initialization: no per-iteration output.
    verbose, model.verbose = model.verbose, 0
    try:
        model._set_parameters(_successive_halving(model, data, survivors))
        if model.init_params == SPLIT_MERGE:
            split_and_merge(model, data, init_rows(random_state))
    finally:
        model.verbose = verbose


def _successive_halving(model, data, survivors):
    """Parameters of the last survivor of rounds of short runs."""
    n_steps = SHORT_RUN_ITER
    while True:
        ranked = []
        for params in survivors:
            model._set_parameters(params)
            run = run_em(
                model,
                data,
                n_steps,
                model.tol,
                model.stopping_rule,
                model.acceleration,
            )
            ranked.append((_run_key(model, run), -len(ranked), run.params))
        ranked.sort(key=lambda item: item[:2], reverse=True)
        if len(ranked) == 1:
            break
        survivors = [params for _, _, params in ranked[: (len(ranked) + 1) // 2]]
        if len(survivors) == 1:
            break
        n_steps *= 2
    return ranked[0][2]


# ----------------------------------------------------------------------
# Split-and-merge moves
# ----------------------------------------------------------------------
def split_and_merge(model, data, rows):
    """Run ``model`` to convergence, then escape its optimum by moves.

    The split-and-merge EM of Ueda, Nakano, Ghahramani and Hinton (2000): a
    local optimum often spends two components on one group of points and one
    component on two groups. A move merges two components whose
    responsibilities overlap most (they share rows) and splits a third in
    two along the principal axis of its rows. A round builds every move of
    the :data:`SPLIT_MERGE_PAIRS` most overlapping pairs with every other
    component split, races them by successive halving of short EM runs (as
    the emEM search does) and runs the winner to convergence; the round's
    move is kept when it ends higher (by more than
    :data:`SPLIT_MERGE_GAIN`, relative) and not degenerate, and then the
    next round starts from it. Unlike the original, the moves run full EM
    (the engine's :func:`skem._em.run_em`) rather than first a partial EM on
    the three components: one loop and every mode, at the cost of some
    passes; and one race per round replaced running each move to
    convergence in turn, which reached as many cases at 1.2 times the time
    on the benchmark.

    Parameters
    ----------
    model : BaseMixtureEM
        The estimator, at its starting parameters; left at the best optimum.
    data : RowData
        The training rows of every EM run.
    rows : RowData
        The rows the moves are built on (all of ``data`` or a subsample).
    """
    best_key, best = _converge(model, data)
    for _ in range(SPLIT_MERGE_ROUNDS):
        candidates = []
        for stats in _moves(model, rows, best):
            model._initialize(stats)
            candidates.append(model._get_parameters())
        if not candidates:
            break
        model._set_parameters(_successive_halving(model, data, candidates))
        key, params = _converge(model, data)
        sound, log_likelihood = best_key
        if key <= (sound, log_likelihood + SPLIT_MERGE_GAIN * abs(log_likelihood)):
            break
        best_key, best = key, params
    model._set_parameters(best)


def _converge(model, data):
    """Run EM to convergence; its :func:`_run_key` and parameters."""
    run = run_em(
        model, data, model.max_iter, model.tol, model.stopping_rule, model.acceleration
    )
    return _run_key(model, run), run.params


def _run_key(model, run):
    """How runs rank: non-degenerate ones first, then by log-likelihood."""
    return (not model._degenerate_components(run.nk), run.lower_bound)


def _moves(model, rows, params):
    """Statistics of the candidate moves from ``params``, most promising first.

    Merge ``(i, j)``: one component takes the summed responsibilities of both.
    Split ``l``: its responsibilities are divided between two components by
    the side of its weighted mean each row lies on, along the principal axis
    of its rows (in the points the starts cluster, ``_init_features``).
    """
    from ._em import accumulate_blocks, block_responsibilities, map_blocks

    n_components = model.n_components
    if n_components < 3:
        return
    model._set_parameters(params)
    resp = np.asarray(map_blocks(block_responsibilities, model, rows))
    weighted = (
        resp
        if rows.sample_weight is None
        else (resp * rows.sample_weight[:, np.newaxis])
    )
    overlap = weighted.T @ resp
    pairs = sorted(
        (-overlap[i, j], i, j)
        for i in range(n_components)
        for j in range(i + 1, n_components)
    )[:SPLIT_MERGE_PAIRS]
    points = np.asarray(model._init_features(rows), dtype=np.float64)
    for _, i, j in pairs:
        for split in range(n_components):
            if split in (i, j):
                continue
            side = _principal_side(points, weighted[:, split])
            if side is None:
                continue
            moved = resp.copy()
            moved[:, i] += moved[:, j]
            moved[:, j] = resp[:, split] * side
            moved[:, split] = resp[:, split] * ~side
            yield accumulate_blocks(
                model,
                rows.with_rows(split_merge_resp_=moved),
                lambda block: block.split_merge_resp_,
            )


def _principal_side(points, weights):
    """Which rows lie beyond the weighted mean along the principal axis.

    None when the component has no spread to split along.
    """
    total = weights.sum()
    if not total > 0:
        return None
    # The points have no missing entries: init rows are filled
    # (``_initialization_rows``, ``_init_features``).
    offsets = points - weights @ points / total
    scatter = (offsets * weights[:, np.newaxis]).T @ offsets
    values, vectors = np.linalg.eigh(scatter)
    if not values[-1] > 0:
        return None
    side = offsets @ vectors[:, -1] > 0
    if not (weights[side].sum() > 0 and weights[~side].sum() > 0):
        return None
    return side
