"""Searching for the best optimum: a hierarchical start, emEM, split-and-merge.

EM climbs to the nearest local maximum, so the start decides the answer.
Strategies on top of scikit-learn's four (see ``init_params``):

``'hierarchical'``
    Ward's agglomeration (:mod:`skem._hierarchical`), a start of its own
    and a candidate of two searches.

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
estimator's stopping rule and acceleration, and print nothing.
"""

import numpy as np

from ._em import (
    accumulate_responsibilities,
    block_responsibilities,
    map_rows,
    run_em,
)
from ._init import HIERARCHICAL, SPLIT_MERGE, initial_statistics

#: Searches with the hierarchical start among their candidates.
WITH_HIERARCHICAL = ("emem-hierarchical", SPLIT_MERGE)

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


class Search:
    """What every run of a search shares.

    Parameters
    ----------
    family : Family
    data : RowData
        The training rows the runs use.
    settings : Settings
        The estimator's stopping rule and acceleration; the runs are quiet.
    start : callable
        ``start(stats)`` gives the :class:`~skem._em.Parameters` of an
        initialization from its statistics (the user's ``*_init`` applied).
    """

    def __init__(self, family, data, settings, start):
        self.family = family
        self.data = data
        self.settings = settings.quiet()
        self.start = start

    def run(self, params, max_iter=None):
        settings = self.settings.quiet(max_iter)
        return run_em(self.family, self.data, params, settings)

    def key(self, run):
        """How runs rank: non-degenerate ones first, then by log-likelihood."""
        degenerate = self.family.degenerate(
            run.params.weights, run.params.components, run.nk
        )
        return (not degenerate, run.lower_bound)


def search_start(search, strategy, init_rows, random_state):
    """The winner of many short EM runs (emEM), as Parameters.

    Every candidate start runs :data:`SHORT_RUN_ITER` EM steps; then, round
    after round, the better half (non-degenerate runs first, then by
    log-likelihood) continues for twice as many steps as the round before,
    until one is left (successive halving: a candidate that looked poor after
    a few steps is dropped early, a close race gets more steps).

    Parameters
    ----------
    search : Search
    strategy : {'emem', 'emem-hierarchical', 'emem-split-merge'}
    init_rows : callable
        ``init_rows(random_state)`` gives the rows the starts are drawn on
        (all of ``data``, or a subsample).
    random_state : numpy.random.RandomState
        Source of the candidates' randomness.
    """
    n_candidates = (
        SPLIT_MERGE_CANDIDATES if strategy == SPLIT_MERGE else SEARCH_CANDIDATES
    )
    strategies = [
        CANDIDATE_STRATEGIES[i % len(CANDIDATE_STRATEGIES)] for i in range(n_candidates)
    ]
    if strategy in WITH_HIERARCHICAL:
        strategies.insert(0, HIERARCHICAL)
    survivors = [
        search.start(
            initial_statistics(
                search.family, init_rows(random_state), candidate, random_state
            )
        )
        for candidate in strategies
    ]
    params = _successive_halving(search, survivors)
    if strategy == SPLIT_MERGE:
        params = split_and_merge(search, params, init_rows(random_state))
    return params


def _successive_halving(search, survivors):
    """Parameters of the last survivor of rounds of short runs."""
    n_steps = SHORT_RUN_ITER
    while True:
        ranked = []
        for params in survivors:
            run = search.run(params, n_steps)
            ranked.append((search.key(run), -len(ranked), run.params))
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
def split_and_merge(search, params, rows):
    """Run ``search.start`` to convergence, then escape its optimum by moves.

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
    search : Search
        The family, training rows and settings of every EM run.
    params : Parameters
        The starting point.
    rows : RowData
        The rows the moves are built on (all of ``data`` or a subsample).

    Returns
    -------
    params : Parameters
        The best optimum.
    """
    run = search.run(params)
    best_key, best = search.key(run), run.params
    for _ in range(SPLIT_MERGE_ROUNDS):
        candidates = [search.start(stats) for stats in _moves(search, rows, best)]
        if not candidates:
            break
        run = search.run(_successive_halving(search, candidates))
        key = search.key(run)
        sound, log_likelihood = best_key
        if key <= (sound, log_likelihood + SPLIT_MERGE_GAIN * abs(log_likelihood)):
            break
        best_key, best = key, run.params
    return best


def _moves(search, rows, params):
    """Statistics of the candidate moves from ``params``, most promising first.

    Merge ``(i, j)``: one component takes the summed responsibilities of both.
    Split ``l``: its responsibilities are divided between two components by
    the side of its weighted mean each row lies on, along the principal axis
    of its rows (in the points the starts cluster, ``init_points``).
    """
    family = search.family
    n_components = family.n_components
    if n_components < 3:
        return
    resp = np.asarray(map_rows(block_responsibilities, family, params, rows))
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
    points = np.asarray(family.init_points(rows), dtype=np.float64)
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
            yield accumulate_responsibilities(family, rows, moved)


def _principal_side(points, weights):
    """Which rows lie beyond the weighted mean along the principal axis.

    None when the component has no spread to split along.
    """
    total = weights.sum()
    if not total > 0:
        return None
    # The points have no missing entries: init rows are filled
    # (the estimator's initialization rows, ``init_points``).
    offsets = points - weights @ points / total
    scatter = (offsets * weights[:, np.newaxis]).T @ offsets
    values, vectors = np.linalg.eigh(scatter)
    if not values[-1] > 0:
        return None
    side = offsets @ vectors[:, -1] > 0
    if not (weights[side].sum() > 0 and weights[~side].sum() > 0):
        return None
    return side
