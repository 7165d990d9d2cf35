"""Time per EM iteration of the count families against a plain numpy EM.

One function per family. Each times the skem estimator's EM iteration as
``benchmarks/run.py`` does (fits at ``max_iter=n_iter`` and ``max_iter=1``
from fixed starting parameters, plain EM, ``tol=0``; time per iteration =
difference of the median fit times over ``n_iter - 1``), and the same
difference for a plain numpy EM of the same model written in a few lines
(no blocks, no validation, whole-array temporaries): the least a direct
implementation does per iteration.

Running, from the repository root::

    python benchmarks/bench_families.py                 # 1,000,000 x 20 x 5
    python benchmarks/bench_families.py --shape 10000x5x3 --repeat 1
"""

import argparse
import gc
import time
import warnings

import numpy as np
from scipy.special import gammaln, logsumexp

from skem import CategoricalMixture, MixedMixture, PoissonMixture

SEED = 0


def median_seconds(function, repeat):
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def per_iteration_ms(fit, n_iter, repeat):
    """``(median fit(n_iter) - median fit(1)) / (n_iter - 1)`` in ms."""
    fit(1)  # warm-up
    long_fit = median_seconds(lambda: fit(n_iter), repeat)
    short_fit = median_seconds(lambda: fit(1), repeat)
    return 1e3 * (long_fit - short_fit) / (n_iter - 1)


# ----------------------------------------------------------------------
# Poisson
# ----------------------------------------------------------------------
def numpy_poisson_em(X, weights, rates, max_iter):
    """Plain EM of a Poisson mixture: whole arrays, scipy's logsumexp."""
    log_factorial = gammaln(X + 1).sum(axis=1)
    for _ in range(max_iter):
        log_prob = X @ np.log(rates).T - rates.sum(axis=1) - log_factorial[:, None]
        log_prob += np.log(weights)
        log_norm = logsumexp(log_prob, axis=1)
        resp = np.exp(log_prob - log_norm[:, None])
        nk = resp.sum(axis=0)
        weights = nk / nk.sum()
        rates = np.maximum((resp.T @ X) / nk[:, None], 1e-10)
    return weights, rates


def bench_poisson(shape, n_iter, repeat):
    n_samples, n_features, n_components = shape
    rng = np.random.RandomState(SEED)
    true_rates = rng.uniform(0.5, 10.0, size=(n_components, n_features))
    labels = rng.randint(n_components, size=n_samples)
    X = rng.poisson(true_rates[labels]).astype(np.float64)
    rates_init = rng.uniform(1.0, 8.0, size=(n_components, n_features))
    weights_init = np.full(n_components, 1.0 / n_components)

    def skem_fit(max_iter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            PoissonMixture(
                n_components,
                rates_init=rates_init,
                weights_init=weights_init,
                tol=0.0,
                max_iter=max_iter,
                acceleration=None,
            ).fit(X)

    def numpy_fit(max_iter):
        numpy_poisson_em(X, weights_init, rates_init, max_iter)

    return {
        "family": "PoissonMixture",
        "shape": shape,
        "skem_ms_per_iter": per_iteration_ms(skem_fit, n_iter, repeat),
        "numpy_ms_per_iter": per_iteration_ms(numpy_fit, n_iter, repeat),
    }


# ----------------------------------------------------------------------
# Mixed: Gaussian (diagonal) columns and Poisson columns
# ----------------------------------------------------------------------
def numpy_mixed_em(X, n_gaussian, weights, means, variances, rates, max_iter):
    """Plain EM of a Gaussian (diagonal) x Poisson product: whole arrays."""
    Y, C = X[:, :n_gaussian], X[:, n_gaussian:]
    log_factorial = gammaln(C + 1).sum(axis=1)
    for _ in range(max_iter):
        precisions = 1.0 / variances
        log_prob = (
            -0.5 * (Y**2 @ precisions.T - 2 * Y @ (means * precisions).T)
            - 0.5 * ((means**2 * precisions).sum(axis=1) + np.log(variances).sum(1))
            - 0.5 * n_gaussian * np.log(2 * np.pi)
        )
        log_prob += C @ np.log(rates).T - rates.sum(axis=1) - log_factorial[:, None]
        log_prob += np.log(weights)
        log_norm = logsumexp(log_prob, axis=1)
        resp = np.exp(log_prob - log_norm[:, None])
        nk = resp.sum(axis=0)
        weights = nk / nk.sum()
        means = (resp.T @ Y) / nk[:, None]
        variances = (resp.T @ Y**2) / nk[:, None] - means**2 + 1e-6
        rates = np.maximum((resp.T @ C) / nk[:, None], 1e-10)
    return weights, means, variances, rates


def bench_mixed(shape, n_iter, repeat):
    n_samples, n_features, n_components = shape
    n_gaussian = n_features // 2
    rng = np.random.RandomState(SEED)
    labels = rng.randint(n_components, size=n_samples)
    centers = rng.normal(0.0, 3.0, size=(n_components, n_gaussian))
    true_rates = rng.uniform(0.5, 10.0, size=(n_components, n_features - n_gaussian))
    X = np.hstack(
        [
            centers[labels] + rng.normal(size=(n_samples, n_gaussian)),
            rng.poisson(true_rates[labels]).astype(np.float64),
        ]
    )
    means_init = rng.normal(0.0, 3.0, size=(n_components, n_gaussian))
    variances_init = np.ones((n_components, n_gaussian))
    rates_init = rng.uniform(1.0, 8.0, size=(n_components, n_features - n_gaussian))
    weights_init = np.full(n_components, 1.0 / n_components)
    columns = [
        (
            "gaussian",
            slice(0, n_gaussian),
            {
                "covariance_type": "diag",
                "means_init": means_init,
                "precisions_init": 1.0 / variances_init,
            },
        ),
        ("poisson", slice(n_gaussian, None), {"rates_init": rates_init}),
    ]

    def skem_fit(max_iter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            MixedMixture(
                n_components,
                columns=columns,
                weights_init=weights_init,
                tol=0.0,
                max_iter=max_iter,
                acceleration=None,
            ).fit(X)

    def numpy_fit(max_iter):
        numpy_mixed_em(
            X, n_gaussian, weights_init, means_init, variances_init, rates_init,
            max_iter,
        )  # fmt: skip

    return {
        "family": "MixedMixture (Gaussian diag + Poisson)",
        "shape": shape,
        "skem_ms_per_iter": per_iteration_ms(skem_fit, n_iter, repeat),
        "numpy_ms_per_iter": per_iteration_ms(numpy_fit, n_iter, repeat),
    }


# ----------------------------------------------------------------------
# Categorical (latent class analysis)
# ----------------------------------------------------------------------
def numpy_categorical_em(one_hot, offsets, weights, probabilities, max_iter):
    """Plain EM of a latent class model on precomputed one-hot rows.

    ``probabilities`` is flat, (n_components, sum of categories); the one-hot
    encoding of the whole of ``X`` is made once, outside the iterations.
    """
    feature_of = np.repeat(
        np.arange(len(offsets)), np.diff(np.r_[offsets, one_hot.shape[1]])
    )
    for _ in range(max_iter):
        log_prob = one_hot @ np.log(probabilities).T + np.log(weights)
        log_norm = logsumexp(log_prob, axis=1)
        resp = np.exp(log_prob - log_norm[:, None])
        nk = resp.sum(axis=0)
        weights = nk / nk.sum()
        counts = resp.T @ one_hot
        totals = np.add.reduceat(counts, offsets, axis=1)[:, feature_of]
        probabilities = np.maximum(counts / totals, 1e-10)
    return weights, probabilities


def bench_categorical(shape, n_iter, repeat, n_categories=4):
    n_samples, n_features, n_components = shape
    rng = np.random.RandomState(SEED)
    true = rng.dirichlet(np.ones(n_categories), size=(n_components, n_features))
    labels = rng.randint(n_components, size=n_samples)
    X = np.empty((n_samples, n_features))
    for j in range(n_features):
        cdf = np.cumsum(true[labels, j], axis=1)
        X[:, j] = (rng.uniform(size=(n_samples, 1)) > cdf).sum(axis=1)
    X = np.minimum(X, n_categories - 1)
    start = rng.dirichlet(np.full(n_categories, 5.0), size=(n_components, n_features))
    weights_init = np.full(n_components, 1.0 / n_components)
    offsets = np.arange(n_features) * n_categories

    def skem_fit(max_iter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            CategoricalMixture(
                n_components,
                category_probabilities_init=start,
                weights_init=weights_init,
                tol=0.0,
                max_iter=max_iter,
                acceleration=None,
            ).fit(X)

    one_hot = np.zeros((n_samples, n_features * n_categories))
    one_hot[np.arange(n_samples)[:, None], X.astype(np.intp) + offsets] = 1.0

    def numpy_fit(max_iter):
        numpy_categorical_em(
            one_hot, offsets, weights_init, start.reshape(n_components, -1), max_iter
        )

    return {
        "family": f"CategoricalMixture ({n_categories} categories per feature)",
        "shape": shape,
        "skem_ms_per_iter": per_iteration_ms(skem_fit, n_iter, repeat),
        "numpy_ms_per_iter": per_iteration_ms(numpy_fit, n_iter, repeat),
    }


BENCHMARKS = {
    "poisson": bench_poisson,
    "mixed": bench_mixed,
    "categorical": bench_categorical,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="1000000x20x5", help="NxDxK")
    parser.add_argument("--n-iter", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--families", default=",".join(BENCHMARKS))
    args = parser.parse_args(argv)
    shape = tuple(int(v) for v in args.shape.split("x"))
    for name in args.families.split(","):
        row = BENCHMARKS[name](shape, args.n_iter, args.repeat)
        print(
            f"{row['family']} {'x'.join(map(str, shape))}: skem "
            f"{row['skem_ms_per_iter']:.1f} ms/iteration, plain numpy EM "
            f"{row['numpy_ms_per_iter']:.1f} ms/iteration "
            f"(numpy / skem = {row['numpy_ms_per_iter'] / row['skem_ms_per_iter']:.2f})"
        )


if __name__ == "__main__":
    main()
