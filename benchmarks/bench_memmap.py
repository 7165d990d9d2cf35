"""Fit a Gaussian mixture to a float32 memory map larger than the memory allowed.

Writes ``n_samples x n_features`` float32 Gaussian-blob data to a file (in
blocks, so writing needs little memory), opens it read-only as a
:class:`numpy.memmap`, caps the process's private (anonymous) memory below the
file's size with ``RLIMIT_DATA`` unless ``--no-limit``, and fits
``skem.GaussianMixtureEM`` from a k-means start on ``--init-sample-size`` rows.
It prints the time per EM iteration and the peak private resident memory
(``RssAnon``, sampled every 20 ms: memory that is not the memmap's file pages)
measured during the fit, next to the file size and the block size.

Run with ``python benchmarks/bench_memmap.py`` (20,000,000 x 10, k=5: a 800 MB
file; ``--help`` for sizes). The test suite runs it at a tiny size.
"""

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning

from skem import GaussianMixtureEM
from skem._blocks import RowData
from skem._em import rows_per_block


def status_bytes(field):
    """A memory figure of this process from ``/proc/self/status``, in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def private_resident_bytes():
    """``RssAnon``: resident memory not backed by a file."""
    return status_bytes("RssAnon")


class PeakSampler:
    """Samples ``private_resident_bytes`` in a thread; keeps the maximum."""

    def __init__(self, interval=0.02):
        self.interval = interval
        self.peak = private_resident_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, private_resident_bytes())
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, private_resident_bytes())


def write_blobs(path, n_samples, n_features, n_components, seed, rows_per_write):
    rng = np.random.RandomState(seed)
    centers = rng.normal(scale=4.0, size=(n_components, n_features))
    X = np.memmap(path, dtype=np.float32, mode="w+", shape=(n_samples, n_features))
    for start in range(0, n_samples, rows_per_write):
        stop = min(start + rows_per_write, n_samples)
        labels = rng.randint(n_components, size=stop - start)
        X[start:stop] = centers[labels] + rng.normal(size=(stop - start, n_features))
    X.flush()
    del X


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20_000_000)
    parser.add_argument("--n-features", type=int, default=10)
    parser.add_argument("--n-components", type=int, default=5)
    parser.add_argument("--n-iter", type=int, default=5)
    parser.add_argument("--init-sample-size", type=int, default=100_000)
    parser.add_argument("--covariance-type", default="full")
    parser.add_argument(
        "--working-memory", type=float, default=64, help="MiB per block"
    )
    parser.add_argument("--dir", default=None, help="where to write the file")
    parser.add_argument(
        "--no-limit", action="store_true", help="do not cap private memory"
    )
    args = parser.parse_args(argv)
    if not args.no_limit and os.environ.get("MALLOC_ARENA_MAX") != "1":
        # glibc reserves 64 MiB of address space per thread arena, which
        # RLIMIT_DATA counts; one arena keeps the cap about real memory.
        env = {**os.environ, "MALLOC_ARENA_MAX": "1"}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = os.path.join(tmp, "X.float32")
        shape = (args.n_samples, args.n_features)
        write_blobs(path, *shape, args.n_components, 0, rows_per_write=200_000)
        X = np.memmap(path, dtype=np.float32, mode="r", shape=shape)
        file_mb = X.nbytes / 2**20
        model = GaussianMixtureEM(
            args.n_components,
            covariance_type=args.covariance_type,
            tol=0,
            max_iter=args.n_iter,
            init_sample_size=min(args.init_sample_size, args.n_samples),
            random_state=0,
        )
        with sklearn.config_context(working_memory=args.working_memory):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                # The initialization alone, without a cap: it runs k-means on
                # init_sample_size rows, whose thread pools' stacks count as
                # data.
                init_start = time.perf_counter()
                model.set_params(max_iter=0).fit(X)
                init_time = time.perf_counter() - init_start
                # The block size of the passes, of the family the fit built.
                rows = rows_per_block(model._family, RowData(X))
                limit = None
                if not args.no_limit:
                    # RLIMIT_DATA caps the data segment (VmData): private
                    # memory may grow by at most half the file from here, so
                    # fitting cannot need a copy of X.
                    limit = status_bytes("VmData") + X.nbytes // 2
                    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
                    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
                baseline = private_resident_bytes()
                with PeakSampler() as sampler:
                    # EM from the initial parameters: passes over X only.
                    start = time.perf_counter()
                    model.set_params(max_iter=args.n_iter, warm_start=True).fit(X)
                    elapsed = time.perf_counter() - start
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_DATA, (hard, hard))
        # n_iter passes, each followed by an M-step, and a final scoring pass.
        per_iter = elapsed / (args.n_iter + 1)
        extra_mb = (sampler.peak - baseline) / 2**20
        print(
            f"memmap {args.n_samples:,} x {args.n_features} float32 "
            f"({file_mb:,.0f} MiB file), k={args.n_components}, "
            f"covariance_type={args.covariance_type!r}"
        )
        print(
            f"block: {rows:,} rows ({args.working_memory:g} MiB working memory); "
            f"private memory cap: "
            + (
                "none"
                if limit is None
                else f"{X.nbytes / 2**21:,.0f} MiB above the start"
            )
        )
        print(
            f"time per EM iteration: {per_iter:.3f} s "
            f"(initialization {init_time:.2f} s)"
        )
        print(
            f"private resident memory (RssAnon): {baseline / 2**20:,.0f} MiB before "
            f"the EM passes, peak {sampler.peak / 2**20:,.0f} MiB during them "
            f"(+{extra_mb:,.1f} MiB, {extra_mb / file_mb:.1%} of the file)"
        )
        print(f"mean log-likelihood: {model.lower_bound_:.6f}")
        del X


if __name__ == "__main__":
    main()
