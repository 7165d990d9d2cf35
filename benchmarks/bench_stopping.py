"""How far short of the maximum each stopping rule stops, on two count tables.

For vcd's Saxony table and vcdExtra's Geissler table (``skem.datasets``),
``BinomialMixture`` with k = 2 and 3 is fitted from 5 starts under each
combination of stopping rule, ``tol`` and acceleration below; the script
prints, per combination and case, the median and worst gap between the total
log-likelihood reached and the best maximum found for that case (by a long
accelerated run from every start), and the median number of EM steps. This
is the measurement behind BinomialMixture's defaults (``stopping_rule='total'``,
``tol=1e-6``, ``acceleration='squarem'``).

Run with ``python benchmarks/bench_stopping.py`` (about a minute);
``--quick`` for a tiny check.
"""

import argparse
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture
from skem.datasets import load_geissler, load_saxony

RULES = [
    (None, "mean", 1e-3),
    (None, "total", 1e-3),
    (None, "aitken", 1e-3),
    ("squarem", "total", 1e-3),
    ("squarem", "total", 1e-6),
]


def tables():
    saxony, geissler = load_saxony(), load_geissler()
    return {
        "saxony": (
            saxony.counts.astype(float),
            np.full(len(saxony.counts), 12.0),
            saxony.freq.astype(float),
        ),
        "geissler": (
            geissler.counts.astype(float),
            geissler.n_trials.astype(float),
            geissler.freq.astype(float),
        ),
    }


def total_log_likelihood(data, k, seed, **params):
    counts, n_trials, freq = data
    model = BinomialMixture(k, n_trials="max", random_state=seed, **params)
    model.fit(counts, sample_weight=freq, n_trials=n_trials)
    return model.lower_bound_ * freq.sum(), model.n_iter_


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    starts = range(2 if args.quick else 5)
    long_iter = 2000 if args.quick else 100_000
    max_iter = 500 if args.quick else 100_000
    warnings.simplefilter("ignore", ConvergenceWarning)
    data = tables()
    cases = [(name, k) for name in data for k in (2, 3)]
    best = {
        (name, k): max(
            total_log_likelihood(
                data[name], k, seed, tol=0, max_iter=long_iter, acceleration="squarem"
            )[0]
            for seed in starts
        )
        for name, k in cases
    }
    print("gap to the best maximum found (total log-likelihood): median / worst;")
    print("EM steps: median. BIC compares totals, so a gap above ~1 can pick k.")
    header = f"{'acceleration':<13}{'rule':<8}{'tol':>7}"
    for name, k in cases:
        header += f"  {name[:3]} k={k}:{'gap (worst) steps':>22}"
    print(header)
    for acceleration, rule, tol in RULES:
        line = f"{str(acceleration):<13}{rule:<8}{tol:>7.0e}"
        for name, k in cases:
            runs = [
                total_log_likelihood(
                    data[name],
                    k,
                    seed,
                    tol=tol,
                    max_iter=max_iter,
                    stopping_rule=rule,
                    acceleration=acceleration,
                )
                for seed in starts
            ]
            gaps = [best[name, k] - value for value, _ in runs]
            steps = int(np.median([n for _, n in runs]))
            line += f"  {np.median(gaps):>9.3g} ({max(gaps):>7.3g}) {steps:>7}"
        print(line)


if __name__ == "__main__":
    main()
