"""Fit time of skem.GaussianMixtureEM against sklearn.mixture.GaussianMixture.

Both estimators run in this one process on the same data, from the same
initial parameters, for the same number of EM iterations (``tol=0``), so they
do the same arithmetic; the script reports the best of ``--repeat`` wall-clock
times and the ratio skem / scikit-learn (below 1: skem is faster). It also
times BinomialMixture, which has no scikit-learn peer, per EM iteration.

Run with ``python benchmarks/bench_fit.py`` (``--help`` for sizes). The test
suite runs it at a tiny size to keep it working; its figures mean nothing.
"""

import argparse
import time
import warnings

import numpy as np

# Same data and starting points as the parity check (run from benchmarks/).
from parity import initial_parameters, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from skem import BinomialMixture, GaussianMixtureEM

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def best_time(fit, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fit()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_gaussian(n_samples, n_features, n_components, n_iter, repeat):
    X = make_blobs(n_samples, n_features, n_components, seed=0)
    print(
        f"GaussianMixture fit, n_samples={n_samples}, n_features={n_features}, "
        f"n_components={n_components}, {n_iter} EM iterations, best of {repeat}"
    )
    print(f"{'covariance_type':<16}{'skem (s)':>10}{'sklearn (s)':>13}{'ratio':>8}")
    for covariance_type in COVARIANCE_TYPES:
        params = dict(
            n_components=n_components,
            covariance_type=covariance_type,
            tol=0.0,
            max_iter=n_iter,
            **initial_parameters(X, n_components, covariance_type, seed=0),
        )
        ours = best_time(lambda p=params: GaussianMixtureEM(**p).fit(X), repeat)
        theirs = best_time(lambda p=params: GaussianMixture(**p).fit(X), repeat)
        print(f"{covariance_type:<16}{ours:>10.4f}{theirs:>13.4f}{ours / theirs:>8.2f}")


def bench_binomial(n_samples, n_features, n_components, n_iter, repeat):
    rng = np.random.RandomState(0)
    probabilities = rng.uniform(0.05, 0.95, size=(n_components, n_features))
    X = rng.binomial(20, probabilities[rng.randint(n_components, size=n_samples)])
    params = dict(
        n_components=n_components,
        n_trials=20,
        probabilities_init=rng.uniform(0.2, 0.8, size=(n_components, n_features)),
        weights_init=np.full(n_components, 1 / n_components),
        tol=0.0,
        max_iter=n_iter,
    )
    seconds = best_time(lambda: BinomialMixture(**params).fit(X), repeat)
    print(
        f"BinomialMixture fit, n_samples={n_samples}, n_features={n_features}, "
        f"n_components={n_components}: {seconds:.4f} s for {n_iter} iterations, "
        f"{1e3 * seconds / n_iter:.3f} ms per iteration"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--n-features", type=int, default=10)
    parser.add_argument("--n-components", type=int, default=5)
    parser.add_argument("--n-iter", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    sizes = (args.n_samples, args.n_features, args.n_components, args.n_iter)
    bench_gaussian(*sizes, args.repeat)
    print()
    bench_binomial(*sizes, args.repeat)


if __name__ == "__main__":
    main()
