"""Cost of exact EM on data with missing entries against the complete-data fit.

The same data are fitted complete and with 10% and 30% of their entries set
to NaN completely at random, from the same initial parameters, for a fixed
number of EM iterations (``tol=0``). The time per EM iteration is
``(t(n_iter) - t(0)) / n_iter``, so validation and the final E-step are left
out; the script prints the best of ``--repeat`` runs, the ratio to the
complete-data iteration and the number of distinct missingness patterns.

Run with ``python benchmarks/bench_missing.py`` (``--help`` for sizes). The
test suite runs it at a tiny size to keep it working; its figures mean nothing.
"""

import argparse
import time
import warnings

import numpy as np

# Same data and starting points as the parity check (run from benchmarks/).
from parity import initial_parameters, make_blobs
from sklearn.exceptions import ConvergenceWarning

from skem import GaussianMixtureEM
from skem._gaussian.missing import _group_by_missingness

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def remove_at_random(X, fraction, seed):
    """A copy of ``X`` with a ``fraction`` of its entries set to NaN."""
    rng = np.random.RandomState(seed)
    X = X.copy()
    X[rng.uniform(size=X.shape) < fraction] = np.nan
    return X


def fit_seconds(X, params, max_iter, repeat):
    """Best wall-clock time of ``repeat`` fits of ``max_iter`` iterations."""
    times = []
    for _ in range(repeat):
        model = GaussianMixtureEM(max_iter=max_iter, **params)
        start = time.perf_counter()
        model.fit(X)
        times.append(time.perf_counter() - start)
    return min(times)


def seconds_per_iteration(X, params, n_iter, repeat):
    """EM iterations only: fits of ``n_iter`` and of zero iterations differ."""
    full = fit_seconds(X, params, n_iter, repeat)
    return (full - fit_seconds(X, params, 0, repeat)) / n_iter


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=100_000)
    parser.add_argument("--n-features", type=int, default=10)
    parser.add_argument("--n-components", type=int, default=5)
    parser.add_argument("--n-iter", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.1, 0.3])
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)

    X = make_blobs(args.n_samples, args.n_features, args.n_components, seed=0)
    holed = {f: remove_at_random(X, f, seed=1) for f in args.fractions}
    print(
        f"GaussianMixtureEM, n_samples={args.n_samples}, "
        f"n_features={args.n_features}, n_components={args.n_components}: "
        f"ms per EM iteration (best of {args.repeat}), ratio to complete data"
    )
    for fraction, data in holed.items():
        n_patterns = len(_group_by_missingness(np.isnan(data)).observed)
        print(f"  {fraction:.0%} missing: {n_patterns} missingness patterns")
    header = f"{'covariance_type':<16}{'complete':>10}"
    for fraction in args.fractions:
        header += f"{f'{fraction:.0%} missing':>14}{'ratio':>7}"
    print(header)
    for covariance_type in COVARIANCE_TYPES:
        params = dict(
            n_components=args.n_components,
            covariance_type=covariance_type,
            tol=0.0,
            **initial_parameters(X, args.n_components, covariance_type, seed=0),
        )
        complete = seconds_per_iteration(X, params, args.n_iter, args.repeat)
        line = f"{covariance_type:<16}{1e3 * complete:>10.1f}"
        for data in holed.values():
            seconds = seconds_per_iteration(data, params, args.n_iter, args.repeat)
            line += f"{1e3 * seconds:>14.1f}{seconds / complete:>7.1f}"
        print(line)


if __name__ == "__main__":
    main()
