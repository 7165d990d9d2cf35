"""Distributed fitting on a two-worker ``LocalCluster`` against the in-memory fit.

Generates 4,000,000 x 10 Gaussian-blob data (k=5) on the cluster as a
persisted ``dask.array`` (in chunks of ``--chunk-rows`` rows) and the same
numbers in memory, fits ``GaussianMixtureEM`` to both from the same initial
parameters for a fixed number of EM iterations (``tol=0``), and prints the time
per iteration of each and the overhead per iteration of the distributed fit.
Time per iteration is ``(t(max_iter=n) - t(max_iter=1)) / (n - 1)``, so
validation, initialization and the final scoring pass cancel out.

Run with ``python benchmarks/bench_dask.py`` (``--help`` for sizes). On one
machine the two workers share its cores with the client; a real cluster adds
cores and network.
"""

import argparse
import time
import warnings

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster
from sklearn.exceptions import ConvergenceWarning

from skem import GaussianMixtureEM


def initial_parameters(n_components, n_features, seed=1):
    rng = np.random.RandomState(seed)
    return dict(
        weights_init=np.full(n_components, 1.0 / n_components),
        means_init=rng.normal(scale=3.0, size=(n_components, n_features)),
        precisions_init=np.stack([np.eye(n_features)] * n_components),
    )


def timed_fit(X, n_iter, init):
    model = GaussianMixtureEM(len(init["weights_init"]), tol=0, max_iter=n_iter, **init)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    return time.perf_counter() - start, model


def per_iteration(X, n_iter, init, repeat):
    times = []
    for _ in range(repeat):
        short, _ = timed_fit(X, 1, init)
        long, model = timed_fit(X, n_iter, init)
        times.append((long - short) / (n_iter - 1))
    return float(np.median(times)), model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=4_000_000)
    parser.add_argument("--n-features", type=int, default=10)
    parser.add_argument("--n-components", type=int, default=5)
    parser.add_argument("--chunk-rows", type=int, default=500_000)
    parser.add_argument("--n-iter", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with Client(cluster):
        rng = da.random.RandomState(0)
        shape = (args.n_samples, args.n_features)
        centers = np.random.RandomState(0).normal(
            scale=4.0, size=(args.n_components, args.n_features)
        )
        labels = rng.randint(
            args.n_components, size=args.n_samples, chunks=args.chunk_rows
        )
        noise = rng.normal(size=shape, chunks=(args.chunk_rows, args.n_features))
        X_dask = (da.from_array(centers)[labels] + noise).persist()
        X_local = X_dask.compute()
        init = initial_parameters(args.n_components, args.n_features)

        local, local_model = per_iteration(X_local, args.n_iter, init, args.repeat)
        remote, remote_model = per_iteration(X_dask, args.n_iter, init, args.repeat)
    cluster.close()

    gap = abs(remote_model.lower_bound_ - local_model.lower_bound_)
    print(
        f"GaussianMixtureEM, {args.n_samples:,} x {args.n_features}, "
        f"k={args.n_components}, 'full'; dask chunks of {args.chunk_rows:,} rows "
        f"on a LocalCluster of 2 worker processes x 1 thread"
    )
    print(f"{'mode':<28}{'s / iteration':>15}")
    print(f"{'in memory (this process)':<28}{local:>15.3f}")
    print(f"{'dask, 2 workers':<28}{remote:>15.3f}")
    print(f"overhead per iteration: {remote - local:+.3f} s ({remote / local:.2f}x)")
    print(f"|difference of the mean log-likelihood|: {gap:.1e}")


if __name__ == "__main__":
    main()
