"""Blocks of a pass on several threads, results in block order.

A pass is a sum over independent row blocks, and numpy and BLAS release the
GIL, so the blocks of one pass run on a pool of threads; each block's BLAS
calls stay on one thread (``single_blas_thread``), so the cores are not
fought over twice. The results are taken in block order and added in that
order, so a pass gives the same bits whatever the number of threads.

How many threads: ``n_threads`` of the estimator when set, else every core
the process may use, as scikit-learn's OpenMP-based :class:`~sklearn.cluster.KMeans`
counts them (CPU affinity, cgroup quotas, ``OMP_NUM_THREADS``, and
:func:`threadpoolctl.threadpool_limits` on the OpenMP libraries in force when
the method is called). Nested parallelism inherits that count:
:mod:`joblib`'s process workers (``GridSearchCV(n_jobs=...)``,
``criteria_grid(n_jobs=...)``) get ``OMP_NUM_THREADS`` set to their share of
the cores, and Dask workers run one block task per worker thread and each
task's blocks serially.

The pool is kept between passes (as OpenMP keeps its threads) and replaced
when the number of threads changes, so repeated fits start no new threads.
"""

import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from ._compat import _openmp_effective_n_threads

_lock = threading.Lock()
_pool = None
_pool_size = 0


def effective_n_threads(n_threads=None):
    """Threads a pass uses: ``n_threads``, or every usable core when None.

    A negative ``n_threads`` counts back from the usable cores (-1: all), as
    scikit-learn's ``n_jobs``; never more threads than usable cores.
    """
    available = _openmp_effective_n_threads()
    if n_threads is None:
        return available
    if n_threads < 0:
        return max(1, available + 1 + n_threads)
    return max(1, min(n_threads, available))


def _executor(n_threads):
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != n_threads:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(n_threads, thread_name_prefix="skem")
            _pool_size = n_threads
        return _pool


def ordered_map(function, items, n_threads):
    """``function(item)`` of every item, in the items' order.

    With one thread, a plain loop. Otherwise the items run on the pool with
    at most ``2 * n_threads`` in flight, so that items made on the fly (a
    block converted from an integer memory map) are not all held at once.
    """
    if n_threads <= 1:
        for item in items:
            yield function(item)
        return
    executor = _executor(n_threads)
    pending = deque()
    try:
        for item in items:
            pending.append(executor.submit(function, item))
            if len(pending) >= 2 * n_threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        # An exception (or KeyboardInterrupt) here: drop the blocks not begun.
        for future in pending:
            future.cancel()
