"""Student-t mixtures: robustness to outliers, and the cost of an iteration.

Two tables.

1. Robustness: two (or more) Gaussian clusters plus a fraction of outliers
   drawn uniformly over a box 30 standard deviations wide. StudentTMixture
   and GaussianMixtureEM, both with ``init_params='emem'`` (the best-optimum
   search) and the same ``random_state``, each fit ``n_components`` equal to
   the number of clusters; the table gives the largest error of a fitted
   mean against the true centre (components matched to centres by the
   Hungarian algorithm), and, for the t mixture, the fraction of outliers
   whose scale weight is below the 1st percentile of the inliers' (an
   outlier score a user can threshold), averaged over ``--seeds`` data sets.

2. Time per EM iteration at (n_samples, n_features, n_components), default
   (100,000, 10, 8), for every covariance type, of StudentTMixture and
   GaussianMixtureEM from the same fixed start: ``(t(n_iter) - t(0)) /
   n_iter`` with ``tol=0``, the best of ``--repeat`` runs, so validation and
   the final E-step are left out.

Run with ``python benchmarks/bench_student.py`` (``--help`` for sizes).
"""

import argparse
import time
import warnings

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.exceptions import ConvergenceWarning

from skem import GaussianMixtureEM, StudentTMixture
from skem.exceptions import DegenerateFitWarning

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def contaminated(n_inliers, fraction, seed, n_features=2, n_clusters=2):
    """Clusters of unit variance 6 apart, and uniform outliers; the centres."""
    rng = np.random.RandomState(seed)
    centres = np.zeros((n_clusters, n_features))
    centres[:, 0] = 6.0 * np.arange(n_clusters)
    labels = rng.randint(n_clusters, size=n_inliers)
    X = centres[labels] + rng.normal(size=(n_inliers, n_features))
    low, high = centres.min() - 15, centres.max() + 15
    outliers = rng.uniform(
        low, high, size=(int(round(fraction * n_inliers)), n_features)
    )
    return np.vstack([X, outliers]), centres


def mean_error(means, centres):
    cost = np.linalg.norm(means[:, None] - centres[None], axis=2)
    rows, cols = linear_sum_assignment(cost)
    return float(np.abs(means[rows] - centres[cols]).max())


def robustness_table(n_inliers, fractions, seeds):
    print(
        f"Mean error, {n_inliers} inliers in 2 clusters of unit variance, "
        f"averaged over {seeds} data sets"
    )
    print(f"{'outliers':>9} {'t mixture':>10} {'Gaussian':>10} {'flagged':>8}")
    rows = []
    for fraction in fractions:
        t_errors, g_errors, flagged = [], [], []
        for seed in range(seeds):
            X, centres = contaminated(n_inliers, fraction, seed)
            with warnings.catch_warnings():
                warnings.simplefilter(
                    "ignore", (ConvergenceWarning, DegenerateFitWarning)
                )
                t = StudentTMixture(2, init_params="emem", random_state=seed).fit(X)
                g = GaussianMixtureEM(2, init_params="emem", random_state=seed).fit(X)
            t_errors.append(mean_error(t.means_, centres))
            g_errors.append(mean_error(g.means_, centres))
            if fraction > 0:
                u = t.scale_weights(X)
                threshold = np.quantile(u[:n_inliers], 0.01)
                flagged.append(np.mean(u[n_inliers:] < threshold))
        flag = f"{np.mean(flagged):8.0%}" if flagged else f"{'-':>8}"
        t_error, g_error = np.mean(t_errors), np.mean(g_errors)
        rows.append((fraction, t_error, g_error))
        print(f"{fraction:9.0%} {t_error:10.3f} {g_error:10.3f} {flag}")
    return rows


def fixed_start(X, n_components, covariance_type, seed=0):
    rng = np.random.RandomState(seed)
    n_features = X.shape[1]
    precisions = {
        "full": np.stack([np.eye(n_features)] * n_components),
        "tied": np.eye(n_features),
        "diag": np.ones((n_components, n_features)),
        "spherical": np.ones(n_components),
    }[covariance_type]
    return dict(
        covariance_type=covariance_type,
        weights_init=np.full(n_components, 1.0 / n_components),
        means_init=X[rng.choice(len(X), n_components, replace=False)],
        precisions_init=precisions,
    )


def seconds_per_iteration(make, X, n_iter, repeat):
    def best(max_iter):
        times = []
        for _ in range(repeat):
            model = make(max_iter)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X)
            times.append(time.perf_counter() - start)
        return min(times)

    return (best(n_iter) - best(0)) / n_iter


def timing_table(n_samples, n_features, n_components, n_iter, repeat):
    rng = np.random.RandomState(0)
    centres = rng.normal(scale=4.0, size=(n_components, n_features))
    X = centres[rng.randint(n_components, size=n_samples)]
    X = X + rng.standard_t(5, size=(n_samples, n_features))
    print(
        f"\nSeconds per EM iteration at ({n_samples:,}, {n_features}, "
        f"{n_components}), best of {repeat}"
    )
    print(f"{'covariance':>10} {'t mixture':>10} {'Gaussian':>10} {'ratio':>6}")
    rows = []
    for covariance_type in COVARIANCE_TYPES:
        start = fixed_start(X, n_components, covariance_type)

        def student(max_iter, start=start):
            return StudentTMixture(n_components, tol=0, max_iter=max_iter, **start)

        def gaussian(max_iter, start=start):
            return GaussianMixtureEM(n_components, tol=0, max_iter=max_iter, **start)

        t = seconds_per_iteration(student, X, n_iter, repeat)
        g = seconds_per_iteration(gaussian, X, n_iter, repeat)
        rows.append((covariance_type, t, g))
        print(f"{covariance_type:>10} {t:10.4f} {g:10.4f} {t / g:6.2f}")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-inliers", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-samples", type=int, default=100_000)
    parser.add_argument("--n-features", type=int, default=10)
    parser.add_argument("--n-components", type=int, default=8)
    parser.add_argument("--n-iter", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    robustness_table(args.n_inliers, (0.0, 0.01, 0.02, 0.05, 0.10), args.seeds)
    timing_table(
        args.n_samples, args.n_features, args.n_components, args.n_iter, args.repeat
    )


if __name__ == "__main__":
    main()
