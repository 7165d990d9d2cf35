"""Finding the best optimum: initialization strategies on real data sets.

For every case (a data set, a covariance type, a number of components) each
strategy fits the mixture once; the script counts the cases where it reaches
the *best known* log-likelihood, those where it keeps a degenerate fit, and
its time relative to ``sklearn.mixture.GaussianMixture(n_init=10)``. The same
for :class:`skem.BinomialMixture` on the two count tables.

Running
-------
From the repository root, with skem installed::

    python benchmarks/bench_optimum.py              # full size, ~5 min on 2 cores
    python benchmarks/bench_optimum.py --quick      # ~30 s; figures mean little
    python benchmarks/bench_optimum.py --json benchmarks/optimum.json
    python benchmarks/bench_optimum.py --data wine,breast_cancer \
        --covariance-types full,tied --ks 4,5     # a subset of the cases
    python benchmarks/bench_optimum.py --prior     # ML against MAP, see below
    python benchmarks/bench_optimum.py --prior --data wine --covariance-types \
        full --ks 2,5 --strategies skem-hierarchical,skem-kmeans-10

Progress goes to stderr, the tables to stdout.

Cases
-----
Gaussian: five public data sets, the four covariance types, ``k = 2..6``
(100 cases):

- ``iris`` (150 x 4, scikit-learn's copy, raw centimetres);
- ``wine`` (178 x 13, standardized: its features span five orders of
  magnitude);
- ``breast_cancer`` (569 x 30, standardized, for the same reason);
- ``diabetes`` (442 x 9, as scikit-learn ships it, centred and scaled, but
  without its binary ``sex`` column: with it, every component that holds a
  single sex collapses onto it, and for k = 5, 6 every fit any strategy
  found was degenerate);
- ``faithful`` (272 x 2, R's Old Faithful eruptions and waiting times,
  ``benchmarks/data/faithful.csv``, exported with
  ``Rscript -e 'write.csv(faithful, "faithful.csv", row.names=FALSE)'``).

Binomial: ``skem.datasets.load_saxony()`` (13 rows, 12 trials, frequencies
as sample weights) and ``load_geissler()`` (90 rows, per-row numbers of
trials, frequencies as weights), ``k = 2..5`` (8 cases).

Strategies
----------
``sklearn-kmeans-10``
    ``GaussianMixture(k, covariance_type=..., n_init=10, random_state=seed)``
    with scikit-learn's defaults: the time reference.
``skem-kmeans-10``
    ``GaussianMixtureEM(..., n_init=10)``: scikit-learn's strategy on skem.
``skem-hierarchical``, ``skem-emem``, ``skem-emem-hierarchical``
    The new ``init_params`` values with ``n_init=1`` (see ``skem._search``).
``skem-emem-hierarchical-3``
    The same with ``n_init=3``.

Every Gaussian skem fit stops with ``STOPPING``: a change of the *total*
log-likelihood below 1e-5 (``stopping_rule='total'``), SQUAREM acceleration,
at most 5000 EM steps, so that a run that reaches an optimum is within
reach of the 0.01 target below (scikit-learn's default rule, a change of
1e-3 in the *mean* log-likelihood, stops up to hundreds of times further
away on these sizes; its row is scored as it ends, which is what a user
gets; Aitken's rule stopped binomial runs early, after a few steps where the
rate estimate misled it). The binomial fits keep BinomialMixture's defaults
(``stopping_rule='total', tol=1e-6``). For the binomial tables the reference
is ``skem-kmeans-10``; ``skem-random-10`` is ``init_params='random',
n_init=10``.

Best known, hits, degenerate fits
---------------------------------
The *best known* log-likelihood of a case is the largest *non-degenerate*
total log-likelihood found by any skem strategy above (scikit-learn's fits
stop early, and an early stop is not an optimum: on diabetes full k=2 its
best run, continued, collapses into a degenerate fit), by the long search
(``init_params`` 'kmeans', 'k-means++' and 'random_from_data' with
``n_init=LONG_STARTS`` each, ``STOPPING``; for the count tables 'random'
and 'random_from_data', and the global maxima known by brute force for
saxony k=3 and geissler k=2, 3; and for the Gaussian cases, a
skem run started from the optimum R's ``mclust`` found, from
``benchmarks/data/mclust_optima.json`` when present; see
``benchmarks/data/mclust_optima.R``). A strategy *reaches* it when its total
log-likelihood (``lower_bound_`` times the number of samples, in natural-log
units of the *total*, the scale of BIC) is within ``TARGET = 0.01`` below it
and its fit is not degenerate (``skem._degeneracy``; scikit-learn's fits are
judged by the same rule, with ``nk = weights_ * n_samples``). *degenerate*
counts the cases whose returned fit is degenerate. The mclust row counts the
cases where mclust's own log-likelihood (no ``reg_covar``) is within the
target; NA fits count as misses.

Times are wall-clock seconds with one BLAS thread, summed over the cases;
*time x* is a strategy's total over the reference's total, in one process.
The machine is shared; the load is printed.

With the prior (``--prior``)
----------------------------
``--prior`` runs another benchmark on the same Gaussian cases (and the same
``--quick``, ``--data``, ``--covariance-types``, ``--ks`` selections): every
skem strategy fits every case twice, by maximum likelihood (ML) and with
``prior='conjugate'`` (mclust's default conjugate prior, MAP-EM), with the
same settings and seed, hence the same starts (``--strategies`` picks
some of them). No long search, mclust run,
scikit-learn fit or binomial case. Two markdown tables:

- per strategy, under ML and under MAP, the cases whose kept fit has a
  *collapsed* component (a variance the regularization's, or 1e-8 times the
  data's: the collapse rules above, whose reasons do not start with
  "carries") and those whose kept fit has a component of *too few points*
  (fewer effective samples than a covariance needs: ``n_features + 1`` for
  'full', 2 for 'diag' and 'spherical'; reasons starting with "carries").
  Both make a fit degenerate, under the prior too (skem's rule since the
  prior benchmark showed runs compared by log posterior spending
  components on single rows: such a component's covariance is the prior's,
  not the data's); a case can count in both columns (different
  components). Then the smallest covariance eigenvalue relative to the
  data's (per case the smallest over the components of the generalized
  eigenvalues of a component's covariance against the data's sample
  covariance, per feature for 'diag' and 'spherical'; then its minimum and
  median over the cases), the (data set, covariance type) groups where BIC
  picks a different ``k`` with the prior than without (degenerate fits as
  NA in both), the seconds and their ratio. The row *best of strategies*
  keeps per case the strategies' best fit: the largest log-likelihood (ML)
  or log-posterior (MAP) among the non-degenerate fits (a degenerate one
  only when every strategy's is), as skem keeps the best of ``n_init``
  runs.
- per group, the ``k`` BIC picks from the best of strategies, under ML and
  under MAP (BIC at the MAP estimate, as mclust: ``-2 log-likelihood +
  log(n) p``), with degenerate fits as NA (as mclust, and skem's
  ``criteria_grid``) and with them kept, and the ``k`` whose kept fit has a
  collapsed component, or a component of too few points.

The prior's ``lower_bound_`` is the mean log-posterior; the log-likelihood
is ``score(X)`` times the number of samples, as for ML.
"""

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skem import BinomialMixture, GaussianMixtureEM
from skem._degeneracy import (
    _as_matrices,
    _smallest_relative_variance,
    binomial_degeneracy,
    gaussian_degeneracy,
)
from skem.datasets import load_geissler, load_saxony

DATA_DIR = Path(__file__).resolve().parent / "data"
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
TARGET = 0.01
LONG_STARTS = 20
STOPPING = {
    "tol": 1e-5,
    "stopping_rule": "total",
    "acceleration": "squarem",
    "max_iter": 5000,
}
#: BinomialMixture's own defaults (total log-likelihood, tol=1e-6): tighter
#: than the Gaussian rule, as these likelihoods are flat near their maxima.
BINOMIAL_STOPPING = {}
GAUSSIAN_STRATEGIES = {
    "sklearn-kmeans-10": None,
    "skem-kmeans-10": {"init_params": "kmeans", "n_init": 10},
    "skem-hierarchical": {"init_params": "hierarchical", "n_init": 1},
    "skem-emem": {"init_params": "emem", "n_init": 1},
    "skem-emem-hierarchical": {"init_params": "emem-hierarchical", "n_init": 1},
    "skem-emem-hierarchical-3": {"init_params": "emem-hierarchical", "n_init": 3},
    "skem-emem-split-merge": {"init_params": "emem-split-merge", "n_init": 1},
}
BINOMIAL_STRATEGIES = {
    "skem-kmeans-10": {"init_params": "kmeans", "n_init": 10},
    "skem-random-10": {"init_params": "random", "n_init": 10},
    "skem-hierarchical": {"init_params": "hierarchical", "n_init": 1},
    "skem-emem": {"init_params": "emem", "n_init": 1},
    "skem-emem-hierarchical": {"init_params": "emem-hierarchical", "n_init": 1},
    "skem-emem-split-merge": {"init_params": "emem-split-merge", "n_init": 1},
}
LONG_SEARCH = ("kmeans", "k-means++", "random_from_data")
#: Global maxima of the total log-likelihood known by brute force (as in
#: bench_acceleration.py).
KNOWN_MAXIMA = {
    "saxony-k3": -12490.80011538,
    "geissler-k2": -1241814.22618262,
    "geissler-k3": -1241808.37601261,
}


# ----------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------
def gaussian_datasets():
    """The five data sets, as float64 arrays, by name."""
    scale = StandardScaler().fit_transform
    return {
        "iris": load_iris().data,
        "wine": scale(load_wine().data),
        "breast_cancer": scale(load_breast_cancer().data),
        # Without its binary 'sex' column, on which every component holding
        # one sex collapses: a Gaussian mixture is the wrong model for it.
        "diabetes": np.delete(load_diabetes().data, 1, axis=1),
        "faithful": np.loadtxt(DATA_DIR / "faithful.csv", delimiter=",", skiprows=1),
    }


def binomial_datasets():
    """The two count tables: (X, fit keyword arguments, constructor extras)."""
    saxony, geissler = load_saxony(), load_geissler()
    return {
        "saxony": (
            saxony.counts,
            {"sample_weight": saxony.freq},
            {"n_trials": saxony.n_trials},
        ),
        "geissler": (
            geissler.counts,
            {"sample_weight": geissler.freq, "n_trials": geissler.n_trials},
            {"n_trials": "max"},
        ),
    }


def load_mclust_optima():
    path = DATA_DIR / "mclust_optima.json"
    if not path.exists():
        return {}
    return {
        (e["data"], e["covariance_type"], e["n_components"]): e
        for e in json.loads(path.read_text())
    }


# ----------------------------------------------------------------------
# Fits
# ----------------------------------------------------------------------
def timed(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model = fit()
        return model, time.perf_counter() - start


def gaussian_result(model, X, covariance_type, seconds):
    n = len(X)
    log_likelihood = float(model.score(X) * n)
    nk = model.weights_ * n
    reasons = gaussian_degeneracy(
        model.weights_,
        model.means_,
        model.covariances_,
        covariance_type,
        model.reg_covar,
        nk,
    )
    return {
        "log_likelihood": log_likelihood,
        "degenerate": bool(reasons),
        "seconds": seconds,
    }


def fit_gaussian(strategy, X, covariance_type, k, seed):
    if GAUSSIAN_STRATEGIES[strategy] is None:
        make = GaussianMixture(
            k, covariance_type=covariance_type, n_init=10, random_state=seed
        )
    else:
        make = GaussianMixtureEM(
            k,
            covariance_type=covariance_type,
            random_state=seed,
            **GAUSSIAN_STRATEGIES[strategy],
            **STOPPING,
        )
    model, seconds = timed(lambda: make.fit(X))
    return gaussian_result(model, X, covariance_type, seconds)


def long_gaussian_search(X, covariance_type, k, seed, n_starts):
    results = []
    for init_params in LONG_SEARCH:
        model, seconds = timed(
            lambda init_params=init_params: GaussianMixtureEM(
                k,
                covariance_type=covariance_type,
                init_params=init_params,
                n_init=n_starts,
                random_state=seed + 1,
                **STOPPING,
            ).fit(X)
        )
        results.append(gaussian_result(model, X, covariance_type, seconds))
    return results


def from_mclust(entry, X, covariance_type):
    """A skem run from mclust's optimum (None when mclust gave NA)."""
    if entry is None or entry.get("loglik") is None:
        return None
    weights = np.asarray(entry["weights"], dtype=np.float64)
    means = np.atleast_2d(np.asarray(entry["means"], dtype=np.float64))
    # In scikit-learn's layout for the covariance type (see the R script).
    covariances = np.asarray(entry["covariances"], dtype=np.float64)
    if covariance_type in ("full", "tied"):
        precisions = np.linalg.inv(covariances)
    else:
        precisions = 1.0 / covariances
    model, seconds = timed(
        lambda: GaussianMixtureEM(
            len(weights),
            covariance_type=covariance_type,
            weights_init=weights / weights.sum(),
            means_init=means,
            precisions_init=precisions,
            **STOPPING,
        ).fit(X)
    )
    return gaussian_result(model, X, covariance_type, seconds)


def binomial_result(model, X, fit_kwargs, seconds):
    log_likelihood = float(
        model.score(X, **fit_kwargs) * fit_kwargs["sample_weight"].sum()
    )
    nk = model.weights_ * fit_kwargs["sample_weight"].sum()
    reasons = binomial_degeneracy(model.probabilities_, model.probability_floor, nk)
    return {
        "log_likelihood": log_likelihood,
        "degenerate": bool(reasons),
        "seconds": seconds,
    }


def fit_binomial(params, X, fit_kwargs, extra, k, seed):
    make = BinomialMixture(k, random_state=seed, **extra, **params, **BINOMIAL_STOPPING)
    model, seconds = timed(lambda: make.fit(X, **fit_kwargs))
    return binomial_result(model, X, fit_kwargs, seconds)


# ----------------------------------------------------------------------
# Summaries
# ----------------------------------------------------------------------
def best_known(results):
    values = [
        r["log_likelihood"]
        for r in results
        if r is not None and not r["degenerate"] and np.isfinite(r["log_likelihood"])
    ]
    return max(values) if values else np.nan


def reached(result, best):
    return (
        result is not None
        and not result["degenerate"]
        and result["log_likelihood"] >= best - TARGET
    )


def summarize(cases, strategies, reference):
    rows = []
    total_reference = sum(case["results"][reference]["seconds"] for case in cases)
    for strategy in strategies:
        results = [case["results"][strategy] for case in cases]
        rows.append(
            {
                "strategy": strategy,
                "reached": sum(
                    reached(r, case["best_known"])
                    for r, case in zip(results, cases, strict=True)
                ),
                "degenerate": sum(r["degenerate"] for r in results),
                "seconds": sum(r["seconds"] for r in results),
                "time_x": sum(r["seconds"] for r in results) / total_reference,
            }
        )
    return rows


def print_table(title, rows, n_cases, extra_rows=()):
    print(f"\n{title} ({n_cases} cases)")
    header = f"{'strategy':<26} {'reached':>8} {'degenerate':>10} {'seconds':>9}"
    print(header + f" {'time x':>7}")
    print("-" * (len(header) + 8))
    for row in rows:
        print(
            f"{row['strategy']:<26} {row['reached']:>8d} {row['degenerate']:>10d} "
            f"{row['seconds']:>9.2f} {row['time_x']:>7.2f}"
        )
    for line in extra_rows:
        print(line)


def progress(message):
    print(message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------
# The two benchmarks
# ----------------------------------------------------------------------
def run_gaussian(names, covariance_types, ks, seed, n_starts):
    datasets = gaussian_datasets()
    mclust = load_mclust_optima()
    cases = []
    for name in names:
        X = datasets[name]
        for covariance_type in covariance_types:
            for k in ks:
                results = {
                    strategy: fit_gaussian(strategy, X, covariance_type, k, seed)
                    for strategy in GAUSSIAN_STRATEGIES
                }
                long = long_gaussian_search(X, covariance_type, k, seed, n_starts)
                entry = mclust.get((name, covariance_type, k))
                mclust_run = from_mclust(entry, X, covariance_type)
                converged = [r for s, r in results.items() if s.startswith("skem")]
                best = best_known([*converged, *long, mclust_run])
                mclust_loglik = None if entry is None else entry.get("loglik")
                cases.append(
                    {
                        "case": f"{name}-{covariance_type}-k{k}",
                        "results": results,
                        "long": long,
                        "mclust_run": mclust_run,
                        "mclust_loglik": mclust_loglik,
                        "best_known": best,
                    }
                )
                report_case(f"{name} {covariance_type} k={k}", best, results)
    return cases


def report_case(label, best, results):
    """One progress line: each strategy's distance to the best known."""
    progress(
        f"{label}: best {best:.3f}; "
        + " ".join(
            f"{s}={r['log_likelihood'] - best:+.3f}" + ("D" if r["degenerate"] else "")
            for s, r in results.items()
        )
    )


def run_binomial(names, ks, seed, n_starts):
    datasets = binomial_datasets()
    cases = []
    for name in names:
        X, fit_kwargs, extra = datasets[name]
        for k in ks:
            results = {
                strategy: fit_binomial(params, X, fit_kwargs, extra, k, seed)
                for strategy, params in BINOMIAL_STRATEGIES.items()
            }
            long = [
                fit_binomial(
                    {"init_params": init, "n_init": n_starts},
                    X,
                    fit_kwargs,
                    extra,
                    k,
                    seed + 1,
                )
                for init in ("random", "random_from_data")
            ]
            known = KNOWN_MAXIMA.get(f"{name}-k{k}")
            best = best_known([*results.values(), *long])
            if known is not None:
                best = max(best, known)
            cases.append(
                {
                    "case": f"{name}-k{k}",
                    "results": results,
                    "long": long,
                    "best_known": best,
                }
            )
            report_case(f"{name} k={k}", best, results)
    return cases


def mclust_line(cases):
    known = [c for c in cases if c["mclust_loglik"] is not None or c["mclust_run"]]
    if not known:
        return []
    hits = sum(
        c["mclust_loglik"] is not None
        and c["mclust_loglik"] >= c["best_known"] - TARGET
        for c in cases
    )
    missing = sum(c["mclust_loglik"] is None for c in cases)
    return [f"{'mclust (R, own loglik)':<26} {hits:>8d}   ({missing} NA)"]


def export_csv(directory):
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, X in gaussian_datasets().items():
        np.savetxt(directory / f"{name}.csv", X, delimiter=",", fmt="%.17g")


# ----------------------------------------------------------------------
# Maximum likelihood against the conjugate prior (--prior)
# ----------------------------------------------------------------------
PRIOR_MODES = {"ml": None, "map": "conjugate"}
PRIOR_STRATEGIES = [s for s, p in GAUSSIAN_STRATEGIES.items() if p is not None]
BEST = "best of strategies"


def smallest_relative_eigenvalue(model, data_covariance, covariance_type):
    """Smallest covariance eigenvalue over the components, relative to the data's.

    Generalized eigenvalues of each covariance against the data's sample
    covariance ('full', 'tied'), or variances over the data's per feature
    ('diag', 'spherical').
    """
    n_components, n_features = model.means_.shape
    covariances = _as_matrices(
        model.covariances_, covariance_type, n_components, n_features
    )
    return min(
        _smallest_relative_variance(c, data_covariance, covariance_type)
        for c in covariances
    )


def fit_prior_mode(strategy, X, covariance_type, k, seed, prior, data_covariance):
    model, seconds = timed(
        lambda: GaussianMixtureEM(
            k,
            covariance_type=covariance_type,
            random_state=seed,
            prior=prior,
            **GAUSSIAN_STRATEGIES[strategy],
            **STOPPING,
        ).fit(X)
    )
    n = len(X)
    nk = model.weights_ * n
    result = gaussian_result(model, X, covariance_type, seconds)
    # skem's rule, under the prior too: a collapsed covariance, or too few
    # points (a covariance that is the prior's, not the data's).
    reasons = gaussian_degeneracy(
        model.weights_,
        model.means_,
        model.covariances_,
        covariance_type,
        model.reg_covar,
        nk,
        prior=prior is not None,
    )
    too_few = {c: why for c, why in reasons.items() if why.startswith("carries")}
    collapsed = {c: why for c, why in reasons.items() if c not in too_few}
    result.update(
        {
            "degenerate": bool(reasons),
            "collapsed": bool(collapsed),
            "too_few_points": bool(too_few),
            "min_nk": float(nk.min()),
            # The objective EM climbed: the log-posterior under the prior.
            "objective": float(model.lower_bound_ * n),
            "bic": model.bic(X),
            "min_relative_eigenvalue": smallest_relative_eigenvalue(
                model, data_covariance, covariance_type
            ),
            "reasons": {str(c): why for c, why in reasons.items()},
            "skem_degenerate": {
                str(c): why for c, why in sorted(model.degenerate_components_.items())
            },
            "weights": model.weights_.tolist(),
            "converged": bool(model.converged_),
            "n_iter": int(model.n_iter_),
        }
    )
    return result


def best_of(results):
    """The fit skem would keep: non-degenerate first, then the best objective."""
    return max(results, key=lambda r: (not r["degenerate"], r["objective"]))


def run_prior(names, covariance_types, ks, seed, strategies):
    datasets = gaussian_datasets()
    cases = []
    for name in names:
        X = datasets[name]
        data_covariance = np.atleast_2d(np.cov(X, rowvar=False))
        for covariance_type in covariance_types:
            for k in ks:
                results = {
                    mode: {
                        strategy: fit_prior_mode(
                            strategy,
                            X,
                            covariance_type,
                            k,
                            seed,
                            prior,
                            data_covariance,
                        )
                        for strategy in strategies
                    }
                    for mode, prior in PRIOR_MODES.items()
                }
                for by_strategy in results.values():
                    by_strategy[BEST] = best_of(list(by_strategy.values()))
                cases.append(
                    {
                        "case": f"{name}-{covariance_type}-k{k}",
                        "data": name,
                        "covariance_type": covariance_type,
                        "n_components": k,
                        "results": results,
                    }
                )
                report_prior_case(f"{name} {covariance_type} k={k}", results)
    return cases


def report_prior_case(label, results):
    """One progress line: per mode, degenerate strategies and smallest eigenvalue."""
    parts = []
    for mode, by_strategy in results.items():
        fits = [r for s, r in by_strategy.items() if s != BEST]
        collapsed = sum(r["collapsed"] for r in fits)
        too_few = sum(r["too_few_points"] for r in fits)
        smallest = min(r["min_relative_eigenvalue"] for r in fits)
        parts.append(
            f"{mode}: {collapsed}/{len(fits)} collapsed, {too_few}/{len(fits)} "
            f"too few points, eigenvalue {smallest:.2e}"
        )
    progress(f"{label}: " + "; ".join(parts))


def groups_of(cases):
    """Cases by (data set, covariance type), in order."""
    groups = {}
    for case in cases:
        groups.setdefault((case["data"], case["covariance_type"]), []).append(case)
    return groups


def bic_choice(group, mode, strategy, *, keep_degenerate=False):
    """The k of smallest BIC in a group; None when every fit is degenerate."""
    fits = [
        (case["results"][mode][strategy]["bic"], case["n_components"])
        for case in group
        if keep_degenerate or not case["results"][mode][strategy]["degenerate"]
    ]
    return min(fits)[1] if fits else None


def summarize_prior(cases):
    groups = groups_of(cases)
    rows = []
    for strategy in cases[0]["results"]["ml"] if cases else []:
        row = {"strategy": strategy}
        for mode in PRIOR_MODES:
            results = [case["results"][mode][strategy] for case in cases]
            eigenvalues = [r["min_relative_eigenvalue"] for r in results]
            row[mode] = {
                "degenerate": sum(r["degenerate"] for r in results),
                "collapsed": sum(r["collapsed"] for r in results),
                "too_few_points": sum(r["too_few_points"] for r in results),
                "min_eigenvalue": float(np.min(eigenvalues)),
                "median_eigenvalue": float(np.median(eigenvalues)),
                # The best of strategies took every strategy's time.
                "seconds": None
                if strategy == BEST
                else sum(r["seconds"] for r in results),
            }
        row["bic_differs"] = sum(
            bic_choice(group, "ml", strategy) != bic_choice(group, "map", strategy)
            for group in groups.values()
        )
        row["groups"] = len(groups)
        rows.append(row)
    return rows


def bic_rows(cases):
    rows = []
    for (name, covariance_type), group in groups_of(cases).items():
        row = {"data": name, "covariance_type": covariance_type}
        for mode in PRIOR_MODES:
            row[f"k_{mode}"] = bic_choice(group, mode, BEST)
            row[f"k_{mode}_with_degenerate"] = bic_choice(
                group, mode, BEST, keep_degenerate=True
            )
            for kind in ("collapsed", "too_few_points"):
                row[f"{kind}_{mode}"] = [
                    case["n_components"]
                    for case in group
                    if case["results"][mode][BEST][kind]
                ]
        rows.append(row)
    return rows


def print_prior_tables(rows, bic, n_cases):
    def na(value):
        return "NA" if value is None else str(value)

    def ks(values):
        return ",".join(map(str, values)) or "-"

    def seconds(summary):
        return "-" if summary["seconds"] is None else f"{summary['seconds']:.2f}"

    def ratio(row):
        if row["ml"]["seconds"] is None or not row["ml"]["seconds"]:
            return "-"
        return f"{row['map']['seconds'] / row['ml']['seconds']:.2f}"

    print(
        f"\nML against MAP (prior='conjugate'), {n_cases} cases; collapsed: "
        "cases whose kept fit has a collapsed component; too few points: cases "
        "whose kept fit has a component of fewer effective samples than its "
        "covariance needs (both degenerate, under the prior too); eigenvalue: "
        "smallest covariance eigenvalue relative to the data's covariance "
        "(min / median over the cases); BIC differs: groups (data set, "
        "covariance type) where BIC (degenerate fits as NA) picks another k\n"
    )
    print(
        "| strategy | collapsed ML | collapsed MAP | too few points ML | "
        "too few points MAP | eigenvalue ML (min / median) | "
        "eigenvalue MAP (min / median) | BIC differs | seconds ML | "
        "seconds MAP | MAP / ML |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        ml, map_ = row["ml"], row["map"]
        print(
            f"| {row['strategy']} | {ml['collapsed']} | {map_['collapsed']} | "
            f"{ml['too_few_points']} | {map_['too_few_points']} | "
            f"{ml['min_eigenvalue']:.2e} / {ml['median_eigenvalue']:.2e} | "
            f"{map_['min_eigenvalue']:.2e} / {map_['median_eigenvalue']:.2e} | "
            f"{row['bic_differs']}/{row['groups']} | {seconds(ml)} | "
            f"{seconds(map_)} | {ratio(row)} |"
        )
    print(
        "\nBIC's k, best of strategies (degenerate fits as NA, or kept; MAP: "
        "BIC at the MAP estimate), and the k whose kept fit is collapsed or "
        "has too few points\n"
    )
    print(
        "| data | covariance | k ML | k ML (degenerate kept) | k MAP | "
        "k MAP (degenerate kept) | collapsed k ML | too few points k ML | "
        "collapsed k MAP | too few points k MAP |"
    )
    print("|---|---|---:|---:|---:|---:|---|---|---|---|")
    for row in bic:
        print(
            f"| {row['data']} | {row['covariance_type']} | {na(row['k_ml'])} | "
            f"{na(row['k_ml_with_degenerate'])} | {na(row['k_map'])} | "
            f"{na(row['k_map_with_degenerate'])} | {ks(row['collapsed_ml'])} | "
            f"{ks(row['too_few_points_ml'])} | {ks(row['collapsed_map'])} | "
            f"{ks(row['too_few_points_map'])} |"
        )


def main_prior(names, types, ks, seed, json_path, strategies):
    with threadpool_limits(1):
        cases = run_prior(names, types, list(ks), seed, strategies)
    rows = summarize_prior(cases)
    bic = bic_rows(cases)
    print(f"load average: {os.getloadavg()}")
    print_prior_tables(rows, bic, len(cases))
    if json_path:
        Path(json_path).write_text(
            json.dumps(
                {
                    "stopping": STOPPING,
                    "summary": rows,
                    "bic": bic,
                    "cases": cases,
                },
                indent=1,
            )
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run (~30 s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write every result to this file")
    parser.add_argument("--export-csv", help="write the data sets for mclust; exit")
    parser.add_argument(
        "--data", help="only these Gaussian data sets (comma-separated names)"
    )
    parser.add_argument(
        "--covariance-types", help="only these covariance types (comma-separated)"
    )
    parser.add_argument(
        "--ks", help="only these numbers of components (comma-separated)"
    )
    parser.add_argument(
        "--prior",
        action="store_true",
        help="maximum likelihood against prior='conjugate' instead",
    )
    parser.add_argument(
        "--strategies",
        help="with --prior, only these skem strategies (comma-separated)",
    )
    args = parser.parse_args(argv)
    if args.export_csv:
        export_csv(args.export_csv)
        return
    if args.quick:
        gaussian = (["iris", "faithful"], ["full", "diag"], [2, 3], 2)
        binomial = (["saxony"], [2, 3], 2)
    else:
        gaussian = (list(gaussian_datasets()), COVARIANCE_TYPES, range(2, 7), 20)
        binomial = (["saxony", "geissler"], range(2, 6), LONG_STARTS)
    names, types, ks, n_starts = gaussian
    # A subset of the Gaussian cases, to iterate on the hard ones.
    if args.data:
        names = args.data.split(",")
    if args.covariance_types:
        types = args.covariance_types.split(",")
    if args.ks:
        ks = [int(k) for k in args.ks.split(",")]
    if args.strategies and not args.prior:
        parser.error("--strategies needs --prior")
    if args.prior:
        strategies = PRIOR_STRATEGIES
        if args.strategies:
            strategies = args.strategies.split(",")
            unknown = sorted(set(strategies) - set(PRIOR_STRATEGIES))
            if unknown:
                parser.error(f"unknown strategies {unknown}; {PRIOR_STRATEGIES}")
        main_prior(names, types, ks, args.seed, args.json, strategies)
        return
    with threadpool_limits(1):
        gaussian_cases = run_gaussian(names, types, list(ks), args.seed, n_starts)
        binomial_cases = run_binomial(
            binomial[0], list(binomial[1]), args.seed, binomial[2]
        )
    gaussian_rows = summarize(
        gaussian_cases, list(GAUSSIAN_STRATEGIES), "sklearn-kmeans-10"
    )
    binomial_rows = summarize(
        binomial_cases, list(BINOMIAL_STRATEGIES), "skem-kmeans-10"
    )
    print(f"load average: {os.getloadavg()}; target {TARGET} in total log-likelihood")
    print_table(
        "GaussianMixture / GaussianMixtureEM",
        gaussian_rows,
        len(gaussian_cases),
        mclust_line(gaussian_cases),
    )
    print_table("BinomialMixture", binomial_rows, len(binomial_cases))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "target": TARGET,
                    "stopping": STOPPING,
                    "gaussian": {"summary": gaussian_rows, "cases": gaussian_cases},
                    "binomial": {"summary": binomial_rows, "cases": binomial_cases},
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
