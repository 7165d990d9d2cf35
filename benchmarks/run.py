"""Per-iteration fit time and memory of skem against scikit-learn.

:class:`skem.GaussianMixtureEM` and :class:`sklearn.mixture.GaussianMixture`
are fitted in this one process on the same data, from the same
``weights_init``, ``means_init`` and ``precisions_init`` (so neither library
spends time on its initialization), for the same fixed number of EM iterations
(``tol=0``, ``ConvergenceWarning`` silenced). :class:`skem.BinomialMixture`,
which has no scikit-learn peer, is timed the same way from a given
``probabilities_init`` and ``weights_init`` and compared with a *floor*: the
least work any EM iteration must do at its shape.

Running
-------
From the repository root, with skem installed::

    python benchmarks/run.py                # full size, tens of minutes
    python benchmarks/run.py --quick        # tiny, seconds; figures mean nothing
    python benchmarks/run.py --shapes 100000x10x8 --cov full,diag \\
        --dtypes float64 --n-iter 10 --repeat 3
    python benchmarks/run.py --rst docs/benchmark_table.rst

``--help`` lists every option. Run it on an otherwise idle machine: when other
processes compete for the cores, the BLAS threads wait for one another and
single fits can take several times longer, which ``--blas-threads 1`` avoids
(at the price of not measuring the threaded BLAS).

The table is printed as the run goes, and all results, with the versions of
numpy, scipy and scikit-learn, the CPU count and the BLAS/OpenMP thread pools,
are written to ``--json`` after every row (default
``benchmarks/results.json``; with ``--quick`` only when ``--json`` is given, so
that a quick run never overwrites real figures). ``--rst PATH`` also writes the
table as reStructuredText (Markdown when ``PATH`` ends with ``.md``).

Data
----
Gaussian: seeded blobs from ``parity.make_blobs`` (random centres with spread
3, random anisotropic shapes) and starting parameters from
``parity.initial_parameters`` (Dirichlet weights, random data points as means,
the precision of the whole data set for every component), computed once on the
float64 data and given to both libraries also for the float32 rows. Binomial:
counts out of ``n_trials=20`` drawn from component probabilities uniform in
(0.1, 0.9), started from probabilities uniform in (0.2, 0.8) and uniform
weights.

Method
------
skem runs plain EM (``acceleration=None`` where skem has that parameter;
BinomialMixture defaults to SQUAREM, whose steps are several EM maps each).

Each repeat fits every library twice, with ``max_iter=n_iter`` and with
``max_iter=1``, timed with ``time.perf_counter`` (garbage collector off during
the fit). The time per iteration is::

    (median fit time at n_iter - median fit time at 1) / (n_iter - 1)

which removes the fixed cost of a fit (validation, initialization, the final
E-step) and leaves one E-step plus one M-step. ``max_iter=1`` rather than 0
because scikit-learn fails at ``max_iter=0`` when ``precisions_init`` is given.
Since it is a difference of medians, it can come out slightly off (even
negative) when a fit is only a few milliseconds long, as in ``--quick``.

Columns
-------
model
    ``GaussianMixture`` (skem's GaussianMixtureEM against scikit-learn's
    GaussianMixture) or ``BinomialMixture`` (skem only).
shape
    ``n_samples x n_features x n_components``.
cov
    ``covariance_type``.
dtype
    dtype of ``X`` given to ``fit`` (BinomialMixture always works in float64).
skem ms/it, sklearn ms/it
    Milliseconds per EM iteration, as above.
speed-up
    sklearn ms/it divided by skem ms/it: above 1, skem is faster.
loglik diff
    Largest, over the repeats, relative difference
    ``|skem score(X) - sklearn score(X)| / |sklearn score(X)|`` of the mean
    log-likelihood after the ``max_iter=n_iter`` fits.
skem MB, sklearn MB
    Peak of the memory allocated during one fit (``max_iter=min(n_iter, 2)``;
    every iteration allocates alike), above what was allocated before it, in
    MB of 10**6 bytes, from :mod:`tracemalloc` (numpy reports its array buffers
    to it). ``X`` itself is not counted; a copy of it made by ``fit`` is.
f64/f32
    On float32 rows: skem ms/it on the float64 data of the same row divided
    by skem ms/it on the float32 data (measured earlier in the same run;
    above 1, float32 is faster).
ll vs f64
    On float32 rows: ``|skem score(X32) - skem score(X64)| / |skem
    score(X64)|`` after the ``max_iter=n_iter`` fits, the float32 fit
    against the float64 fit from the same start.

For BinomialMixture a line below the table gives the floor: the median times
of ``X @ A.T`` (``A`` of shape (n_components, n_features)), ``R.T @ X`` (``R``
of shape (n_samples, n_components)), one ``exp`` and one ``log`` over an
(n_samples, n_components) float64 array (into preallocated outputs) and
``X.sum()``, their sum, and skem ms/it divided by it.
"""

import argparse
import functools
import gc
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import scipy
import sklearn
import threadpoolctl

# Same data and starting points as the parity check (benchmarks/ is on the
# path when this file is run as a script).
from parity import initial_parameters, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

import skem
from skem import BinomialMixture, GaussianMixtureEM

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
SHAPES = ((100_000, 10, 8), (1_000_000, 2, 5), (20_000, 50, 10), (20_000, 10, 500))
BINOMIAL_SHAPE = (1_000_000, 20, 5)
QUICK_SHAPES = ((1_000, 10, 4), (5_000, 2, 3), (1_000, 20, 4), (1_000, 5, 10))
QUICK_BINOMIAL_SHAPE = (5_000, 20, 3)
N_TRIALS = 20
SEED = 0
DEFAULT_JSON = Path(__file__).resolve().parent / "results.json"
COLUMNS = (
    ("model", "<", 16),
    ("shape", "<", 16),
    ("cov", "<", 10),
    ("dtype", "<", 8),
    ("skem ms/it", ">", 11),
    ("1 thread", ">", 9),
    ("threads x", ">", 9),
    ("sklearn ms/it", ">", 14),
    ("speed-up", ">", 9),
    ("loglik diff", ">", 12),
    ("skem MB", ">", 9),
    ("sklearn MB", ">", 11),
    ("f64/f32", ">", 8),
    ("ll vs f64", ">", 10),
)


def plain_em(cls):
    """``acceleration=None`` where the estimator has it, so one step is one EM map.

    Older skem versions have no ``acceleration`` parameter: plain EM only.
    """
    return {"acceleration": None} if "acceleration" in cls().get_params() else {}


def thread_makers(cls, make_with):
    """skem on every core and, where it has ``n_threads``, on one thread."""
    if "n_threads" not in cls().get_params():
        return {"skem": make_with({})}
    return {
        "skem": make_with({"n_threads": None}),
        "skem_1thread": make_with({"n_threads": 1}),
    }


def thread_columns(timed):
    """The one-thread time and the speed-up of every core over it."""
    ours, one = timed["skem"], timed.get("skem_1thread")
    if one is None:
        return {"skem_1thread_ms_per_iter": None, "thread_speed_up": None}
    return {
        "skem_1thread_ms_per_iter": one["ms_per_iter"],
        "thread_speed_up": speed_up(ours["ms_per_iter"], one["ms_per_iter"]),
    }


def default_n_iter(n_components):
    """EM iterations per timed fit: fewer for the many-component shape."""
    return 5 if n_components >= 100 else 10


# ----------------------------------------------------------------------
# Measurements
# ----------------------------------------------------------------------
def fit_seconds(model, X):
    """Wall-clock seconds of ``model.fit(X)``, garbage collector off.

    Returns
    -------
    seconds : float
    model : estimator
        The fitted model.
    """
    gc.collect()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        model.fit(X)
        seconds = time.perf_counter() - start
    finally:
        if gc_was_enabled:
            gc.enable()
    return seconds, model


def peak_megabytes(model, X):
    """Peak memory allocated during ``model.fit(X)``, in MB (10**6 bytes)."""
    gc.collect()
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        model.fit(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (peak - baseline) / 1e6


def time_fits(makers, X, n_iter, repeat, score):
    """Time every library's fit at ``max_iter=n_iter`` and at ``max_iter=1``.

    Parameters
    ----------
    makers : dict of str to callable
        ``makers[name](max_iter)`` returns an unfitted estimator.
    X : ndarray of shape (n_samples, n_features)
    n_iter : int
        EM iterations of the long fit, at least 2.
    repeat : int
        Number of repeats; the libraries alternate within each repeat.
    score : bool
        Whether to record ``score(X)`` after every long fit.

    Returns
    -------
    results : dict of str to dict
        Per library: ``ms_per_iter``, ``peak_mb``, the raw ``fit_seconds`` and
        the ``scores``.
    """
    results = {}
    for name, make in makers.items():
        # Memory first: it also warms up the code paths and the caches.
        results[name] = {
            "peak_mb": peak_megabytes(make(min(n_iter, 2)), X),
            "fit_seconds": {"n_iter": [], "1": []},
            "scores": [],
        }
    for _ in range(repeat):
        for name, make in makers.items():
            seconds, model = fit_seconds(make(n_iter), X)
            results[name]["fit_seconds"]["n_iter"].append(seconds)
            if score:
                results[name]["scores"].append(float(model.score(X)))
            del model
            seconds, _ = fit_seconds(make(1), X)
            results[name]["fit_seconds"]["1"].append(seconds)
    for result in results.values():
        long_fit = np.median(result["fit_seconds"]["n_iter"])
        short_fit = np.median(result["fit_seconds"]["1"])
        result["ms_per_iter"] = float(1e3 * (long_fit - short_fit) / (n_iter - 1))
        result["fixed_ms"] = float(1e3 * short_fit) - result["ms_per_iter"]
    return results


def speed_up(ours, theirs):
    """scikit-learn's time over skem's; NaN when a time is not positive."""
    return theirs / ours if ours > 0 and theirs > 0 else float("nan")


def bench_gaussian(shape, covariance_type, X, init, n_iter, repeat):
    """One row: skem against scikit-learn at one shape, type and dtype."""
    n_samples, n_features, n_components = shape

    def maker(cls, extra=None):
        def make(max_iter):
            return cls(
                n_components=n_components,
                covariance_type=covariance_type,
                tol=0.0,
                max_iter=max_iter,
                init_params="random_from_data",  # never used: all *_init given
                random_state=SEED,
                **(plain_em(cls) if cls is GaussianMixtureEM else {}),
                **init,
                **(extra or {}),
            )

        return make

    timed = time_fits(
        {
            **thread_makers(
                GaussianMixtureEM, lambda extra: maker(GaussianMixtureEM, extra)
            ),
            "sklearn": maker(GaussianMixture),
        },
        X,
        n_iter,
        repeat,
        score=True,
    )
    ours, theirs = timed["skem"], timed["sklearn"]
    loglik_diff = max(
        abs(a - b) / abs(b)
        for a, b in zip(ours["scores"], theirs["scores"], strict=True)
    )
    return {
        "model": "GaussianMixture",
        "n_samples": n_samples,
        "n_features": n_features,
        "n_components": n_components,
        "covariance_type": covariance_type,
        "dtype": X.dtype.name,
        "n_iter": n_iter,
        "repeat": repeat,
        "skem_ms_per_iter": ours["ms_per_iter"],
        **thread_columns(timed),
        "sklearn_ms_per_iter": theirs["ms_per_iter"],
        "speed_up": speed_up(ours["ms_per_iter"], theirs["ms_per_iter"]),
        "max_rel_loglik_diff": float(loglik_diff),
        "skem_peak_mb": ours["peak_mb"],
        "sklearn_peak_mb": theirs["peak_mb"],
        "skem": ours,
        "sklearn": theirs,
    }


def compare_with_float64(row, float64_rows):
    """Add to a float32 row skem's float64 time over its float32 time, and the
    relative difference of their log-likelihoods; remember float64 rows."""
    key = (row["n_samples"], row["n_features"], row["n_components"])
    key += (row["covariance_type"],)
    if "error" in row:
        return
    if row["dtype"] == "float64":
        float64_rows[key] = row
        return
    reference = float64_rows.get(key)
    if reference is None:
        return
    row["skem_float64_over_float32"] = speed_up(
        row["skem_ms_per_iter"], reference["skem_ms_per_iter"]
    )
    ours, theirs = row["skem"]["scores"][0], reference["skem"]["scores"][0]
    row["rel_loglik_vs_float64"] = abs(ours - theirs) / abs(theirs)


def failed_row(shape, covariance_type, dtype, n_iter, error):
    """The row of a configuration where a fit raised (e.g. singular covariance)."""
    n_samples, n_features, n_components = shape
    return {
        "model": "GaussianMixture",
        "n_samples": n_samples,
        "n_features": n_features,
        "n_components": n_components,
        "covariance_type": covariance_type,
        "dtype": np.dtype(dtype).name,
        "n_iter": n_iter,
        "error": f"{type(error).__name__}: {error}",
        **dict.fromkeys(
            (
                "skem_ms_per_iter",
                "sklearn_ms_per_iter",
                "speed_up",
                "max_rel_loglik_diff",
                "skem_peak_mb",
                "sklearn_peak_mb",
            )
        ),
    }


def make_counts(shape, seed=SEED):
    """Binomial counts (as float64) and the parameters to start EM from."""
    n_samples, n_features, n_components = shape
    rng = np.random.RandomState(seed)
    probabilities = rng.uniform(0.1, 0.9, size=(n_components, n_features))
    labels = rng.randint(n_components, size=n_samples)
    X = rng.binomial(N_TRIALS, probabilities[labels]).astype(np.float64)
    init = {
        "probabilities_init": rng.uniform(0.2, 0.8, size=(n_components, n_features)),
        "weights_init": np.full(n_components, 1 / n_components),
    }
    return X, init


def floor_times(X, n_components, repeat, seed=SEED):
    """Median milliseconds of the work every EM iteration must do.

    Two matrix products with ``X``, one ``exp`` and one ``log`` over an
    (n_samples, n_components) float64 array and one full read of ``X``.
    """
    rng = np.random.RandomState(seed)
    n_samples, n_features = X.shape
    A = rng.uniform(size=(n_components, n_features))
    R = rng.uniform(size=(n_samples, n_components))
    log_values = rng.uniform(-5.0, 0.0, size=(n_samples, n_components))
    values = np.exp(log_values)
    out_nk = np.empty((n_samples, n_components))
    out_kd = np.empty((n_components, n_features))
    parts = {
        "X @ A.T": lambda: np.matmul(X, A.T, out=out_nk),
        "R.T @ X": lambda: np.matmul(R.T, X, out=out_kd),
        "exp": lambda: np.exp(log_values, out=out_nk),
        "log": lambda: np.log(values, out=out_nk),
        "X.sum()": X.sum,
    }
    medians = {}
    for name, work in parts.items():
        work()  # warm-up
        times = []
        for _ in range(max(repeat, 5)):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        medians[name] = float(1e3 * np.median(times))
    return medians


def bench_binomial(shape, n_iter, repeat):
    """BinomialMixture per-iteration time, memory and floor."""
    n_samples, n_features, n_components = shape
    X, init = make_counts(shape)

    def make_with(extra):
        def make(max_iter):
            return BinomialMixture(
                n_components=n_components,
                n_trials=N_TRIALS,
                tol=0.0,
                max_iter=max_iter,
                **plain_em(BinomialMixture),
                **init,
                **extra,
            )

        return make

    timed = time_fits(
        thread_makers(BinomialMixture, make_with), X, n_iter, repeat, score=False
    )
    ours = timed["skem"]
    floor_parts = floor_times(X, n_components, repeat)
    floor = sum(floor_parts.values())
    return {
        "model": "BinomialMixture",
        "n_samples": n_samples,
        "n_features": n_features,
        "n_components": n_components,
        "covariance_type": None,
        "dtype": X.dtype.name,
        "n_iter": n_iter,
        "repeat": repeat,
        "n_trials": N_TRIALS,
        "skem_ms_per_iter": ours["ms_per_iter"],
        **thread_columns(timed),
        "sklearn_ms_per_iter": None,
        "speed_up": None,
        "max_rel_loglik_diff": None,
        "skem_peak_mb": ours["peak_mb"],
        "sklearn_peak_mb": None,
        "floor_ms": floor,
        "floor_parts_ms": floor_parts,
        "skem_over_floor": ours["ms_per_iter"] / floor,
        "skem": ours,
    }


#: The shape of the thread-scaling table (``--scaling``).
SCALING_SHAPE = (1_000_000, 20, 8)
QUICK_SCALING_SHAPE = (20_000, 20, 8)


def time_per_iteration_and_cores(make, X, n_iter, repeat):
    """ms per EM iteration and the cores it kept busy (CPU time / wall time)."""
    walls, cpus = {}, {}
    for max_iter in (1, n_iter):
        walls[max_iter], cpus[max_iter] = [], []
        for _ in range(repeat):
            cpu = time.process_time()
            seconds, _ = fit_seconds(make(max_iter), X)
            walls[max_iter].append(seconds)
            cpus[max_iter].append(time.process_time() - cpu)
    wall = (np.median(walls[n_iter]) - np.median(walls[1])) / (n_iter - 1)
    cpu = (np.median(cpus[n_iter]) - np.median(cpus[1])) / (n_iter - 1)
    return 1e3 * wall, cpu / wall


def _with_threads(make, n_threads, max_iter):
    return make(max_iter, n_threads)


def scaling_table(n_iter, repeat, shape=SCALING_SHAPE):
    """Time per iteration on 1, 2, ... threads: 'full', 'diag', binomial."""
    n_samples, n_features, n_components = shape
    X = make_blobs(*shape, seed=SEED)
    counts, count_init = make_counts(shape)
    makers = {}
    for covariance_type in ("full", "diag"):
        init = initial_parameters(X, n_components, covariance_type, seed=SEED)

        def gaussian(max_iter, n_threads, init=init, cov=covariance_type):
            return GaussianMixtureEM(
                n_components,
                covariance_type=cov,
                tol=0.0,
                max_iter=max_iter,
                acceleration=None,
                n_threads=n_threads,
                **init,
            )

        makers[f"GaussianMixtureEM {covariance_type}"] = (gaussian, X)

    def binomial(max_iter, n_threads):
        return BinomialMixture(
            n_components,
            n_trials=N_TRIALS,
            tol=0.0,
            max_iter=max_iter,
            acceleration=None,
            n_threads=n_threads,
            **count_init,
        )

    makers["BinomialMixture"] = (binomial, counts)
    n_cores = len(os.sched_getaffinity(0))
    print(
        f"Thread scaling at {n_samples}x{n_features}x{n_components} "
        f"(ms per EM iteration; cores busy = CPU time / wall time):"
    )
    print(
        f"{'model':<24} {'threads':>7} {'ms/it':>9} {'speed-up':>9} {'cores busy':>11}"
    )
    rows = []
    for name, (make, data) in makers.items():
        one = None
        for n_threads in range(1, n_cores + 1):
            ms, busy = time_per_iteration_and_cores(
                functools.partial(_with_threads, make, n_threads), data, n_iter, repeat
            )
            one = ms if one is None else one
            rows.append(
                {
                    "model": name,
                    "n_threads": n_threads,
                    "ms_per_iter": ms,
                    "speed_up": one / ms,
                    "cores_busy": busy,
                }
            )
            print(
                f"{name:<24} {n_threads:>7} {ms:>9.1f} {one / ms:>9.2f} {busy:>11.2f}",
                flush=True,
            )
    return rows


# ----------------------------------------------------------------------
# Reporting
# ----------------------------------------------------------------------
def format_ms(value):
    if value is None:
        return "n/a"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def cells(row):
    """The table cells of one result, as strings."""
    labels = (
        row["model"],
        f"{row['n_samples']}x{row['n_features']}x{row['n_components']}",
        row["covariance_type"] or "n/a",
        row["dtype"],
    )
    if "error" in row:
        return labels + ("failed",) * (len(COLUMNS) - len(labels))

    def number(value, spec):
        return "n/a" if value is None else format(value, spec)

    return labels + (
        format_ms(row["skem_ms_per_iter"]),
        format_ms(row.get("skem_1thread_ms_per_iter")),
        number(row.get("thread_speed_up"), ".2f"),
        format_ms(row["sklearn_ms_per_iter"]),
        number(row["speed_up"], ".2f"),
        number(row["max_rel_loglik_diff"], ".1e"),
        number(row["skem_peak_mb"], ".1f"),
        number(row["sklearn_peak_mb"], ".1f"),
        number(row.get("skem_float64_over_float32"), ".2f"),
        number(row.get("rel_loglik_vs_float64"), ".1e"),
    )


def text_line(values):
    return "  ".join(
        format(value, f"{align}{width}")
        for value, (_, align, width) in zip(values, COLUMNS, strict=True)
    ).rstrip()


def floor_line(row):
    parts = ", ".join(f"{name} {ms:.1f}" for name, ms in row["floor_parts_ms"].items())
    return (
        f"BinomialMixture {row['n_samples']}x{row['n_features']}x"
        f"{row['n_components']} floor: {row['floor_ms']:.1f} ms ({parts}); "
        f"skem / floor = {row['skem_over_floor']:.2f}"
    )


def summary_line(machine):
    pools = ", ".join(
        f"{pool['internal_api']} {pool['version']} (threads: {pool['num_threads']})"
        for pool in machine["threadpools"]
    )
    return (
        f"numpy {machine['numpy']}, scipy {machine['scipy']}, scikit-learn "
        f"{machine['sklearn']}, skem {machine['skem']}; {machine['cpu_count']} CPUs"
        f" ({machine['cpu_model']}); {pools}"
    )


def write_table(path, rows, machine, settings):
    """Write the table as reStructuredText, or Markdown for a ``.md`` path."""
    header = [name for name, _, _ in COLUMNS]
    body = [list(cells(row)) for row in rows]
    notes = [
        f"Median of {settings['repeat']} repeats; EM iterations per fit: "
        f"{settings['n_iter_description']}.",
        summary_line(machine) + ".",
    ]
    notes += [floor_line(row) + "." for row in rows if row.get("floor_ms")]
    if str(path).endswith(".md"):
        lines = ["| " + " | ".join(header) + " |"]
        lines.append(
            "|" + "|".join("---:" if a == ">" else "---" for _, a, _ in COLUMNS) + "|"
        )
        lines += ["| " + " | ".join(line) + " |" for line in body]
        lines += [""] + [f"{note}\n" for note in notes]
    else:
        widths = [
            max(len(line[i]) for line in [header, *body]) for i in range(len(COLUMNS))
        ]
        rule = "  ".join("=" * width for width in widths)

        def rst_line(values):
            return "  ".join(
                value.ljust(width) for value, width in zip(values, widths, strict=True)
            ).rstrip()

        lines = [rule, rst_line(header), rule, *map(rst_line, body), rule, ""]
        lines += [f"{note}\n" for note in notes]
    Path(path).write_text("\n".join(lines).rstrip() + "\n")


def machine_info():
    """Versions, CPU and thread pools of this run."""
    cpu_model = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    skem_path = Path(skem.__file__).resolve().parent

    def git(*command):
        try:
            return subprocess.run(
                ["git", *command],
                cwd=skem_path,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    commit = git("rev-parse", "HEAD")
    changes = git("status", "--porcelain", "--", ".") if commit else None
    keys = ("user_api", "internal_api", "prefix", "version", "num_threads")
    keys += ("threading_layer", "architecture")
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_model": cpu_model or "unknown CPU",
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "skem": skem.__version__,
        "skem_path": str(skem_path),
        "skem_git_commit": commit,
        "skem_uncommitted_changes": None if changes is None else bool(changes),
        "threadpools": [
            {key: pool.get(key) for key in keys}
            for pool in threadpoolctl.threadpool_info()
        ],
    }


def to_json(value):
    """NaN and infinities as null, numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


# ----------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------
def parse_shape(text):
    parts = text.lower().split("x")
    if len(parts) != 3 or not all(part.strip().isdigit() for part in parts):
        raise argparse.ArgumentTypeError(
            f"shape {text!r} is not n_samplesxn_featuresxn_components"
        )
    return tuple(int(part) for part in parts)


def parse_shapes(text):
    return tuple(parse_shape(item) for item in text.split(",") if item.strip())


def parse_choices(choices):
    def parse(text):
        values = tuple(item.strip() for item in text.split(",") if item.strip())
        unknown = sorted(set(values) - set(choices))
        if unknown or not values:
            raise argparse.ArgumentTypeError(
                f"expected a comma-separated subset of {', '.join(choices)}"
            )
        return values

    return parse


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="The module docstring explains the method and every column.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny shapes, --n-iter 3, --repeat 1, --blas-threads 1 and no JSON "
        "unless --json is given: checks that the script runs, the figures mean "
        "nothing",
    )
    parser.add_argument(
        "--shapes",
        type=parse_shapes,
        help="comma-separated Gaussian shapes NxDxK (default: "
        + ",".join("x".join(map(str, shape)) for shape in SHAPES)
        + "); an empty string skips the Gaussian benchmark",
    )
    parser.add_argument(
        "--binomial-shape",
        help="BinomialMixture shape NxDxK, or 'none' to skip it (default: "
        + "x".join(map(str, BINOMIAL_SHAPE))
        + ")",
    )
    parser.add_argument(
        "--cov",
        type=parse_choices(COVARIANCE_TYPES),
        default=COVARIANCE_TYPES,
        help="comma-separated covariance types (default: all four)",
    )
    parser.add_argument(
        "--dtypes",
        type=parse_choices(("float64", "float32")),
        default=("float64", "float32"),
        help="comma-separated dtypes of X for the Gaussian benchmark "
        "(default: float64,float32)",
    )
    parser.add_argument(
        "--n-iter",
        type=int,
        help="EM iterations per timed fit, at least 2 (default: 10, or 5 for "
        "n_components >= 100)",
    )
    parser.add_argument(
        "--repeat", type=int, help="repeats, medians reported (default: 5)"
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        help="limit the BLAS and OpenMP thread pools to this many threads for "
        "the whole run (threadpoolctl; default: leave them as they are, "
        "with --quick 1)",
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="only the thread-scaling table: ms per iteration on 1, 2, ... "
        "threads at 1000000x20x8 for 'full', 'diag' and BinomialMixture",
    )
    parser.add_argument(
        "--label",
        help="free text stored in the JSON, e.g. which skem commit was measured",
    )
    parser.add_argument(
        "--json",
        type=Path,
        help=f"where to write all results (default: {DEFAULT_JSON}; with --quick none)",
    )
    parser.add_argument(
        "--rst",
        type=Path,
        help="also write the table as reStructuredText (Markdown if the path "
        "ends with .md)",
    )
    args = parser.parse_args(argv)
    if args.shapes is None:
        args.shapes = QUICK_SHAPES if args.quick else SHAPES
    if args.binomial_shape is None:
        args.binomial_shape = QUICK_BINOMIAL_SHAPE if args.quick else BINOMIAL_SHAPE
    elif args.binomial_shape.lower() == "none":
        args.binomial_shape = None
    else:
        try:
            args.binomial_shape = parse_shape(args.binomial_shape)
        except argparse.ArgumentTypeError as error:
            parser.error(str(error))
    if args.n_iter is None and args.quick:
        args.n_iter = 3
    if args.n_iter is not None and args.n_iter < 2:
        parser.error("--n-iter must be at least 2")
    if args.repeat is None:
        args.repeat = 1 if args.quick else 5
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.blas_threads is None and args.quick:
        args.blas_threads = 1  # tiny BLAS calls: threads only add waiting
    if args.json is None and not args.quick:
        args.json = DEFAULT_JSON
    return args


def main(argv=None):
    args = parse_args(argv)
    # BLAS only: skem's own threads are set per fit (``n_threads``).
    with threadpoolctl.threadpool_limits(limits=args.blas_threads, user_api="blas"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            # Short fits of 500 components leave some nearly empty: expected.
            warnings.filterwarnings(
                "ignore", message="The fitted mixture is degenerate"
            )
            if args.scaling:
                n_iter = args.n_iter or 5
                shape = QUICK_SCALING_SHAPE if args.quick else SCALING_SHAPE
                return scaling_table(n_iter, args.repeat, shape)
            return run(args, argv)


def run(args, argv):
    """Run the benchmarks selected by ``args``; return the result rows."""
    machine = machine_info()
    n_iter_of = (lambda k: args.n_iter) if args.n_iter else default_n_iter
    settings = {
        "quick": args.quick,
        "repeat": args.repeat,
        "n_iter": args.n_iter,
        "n_iter_description": (
            str(args.n_iter)
            if args.n_iter
            else "10 (5 for n_components >= 100), minus the fit at max_iter=1"
        ),
        "label": args.label,
        "seed": SEED,
        "blas_threads": args.blas_threads,
        "load_average_at_start": os.getloadavg(),
        "method": "(median fit time at max_iter=n_iter - median fit time at "
        "max_iter=1) / (n_iter - 1); same initial parameters, tol=0",
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
        if argv is None
        else " ".join(["run.py", *argv]),
    }
    print(summary_line(machine))
    threads = "" if args.blas_threads is None else f"; {args.blas_threads} BLAS threads"
    print(f"Median of {args.repeat} repeats; ms per EM iteration{threads}.")
    print()
    print(text_line([name for name, _, _ in COLUMNS]))
    sys.stdout.flush()

    start = time.perf_counter()
    rows = []

    def save(complete):
        """Write the JSON, also after every row so a long run leaves results."""
        settings["complete"] = complete
        settings["elapsed_seconds"] = time.perf_counter() - start
        settings["load_average_at_end"] = os.getloadavg()
        if args.json is not None:
            report = {"machine": machine, "settings": settings, "results": rows}
            args.json.write_text(json.dumps(to_json(report), indent=2) + "\n")

    float64_rows = {}
    for shape in args.shapes:
        X64 = make_blobs(*shape, seed=SEED)
        for dtype in args.dtypes:
            X = X64.astype(dtype, copy=False)
            for covariance_type in args.cov:
                init = initial_parameters(X64, shape[2], covariance_type, seed=SEED)
                n_iter = n_iter_of(shape[2])
                try:
                    row = bench_gaussian(
                        shape, covariance_type, X, init, n_iter, args.repeat
                    )
                except (ValueError, np.linalg.LinAlgError) as error:
                    row = failed_row(shape, covariance_type, X.dtype, n_iter, error)
                compare_with_float64(row, float64_rows)
                rows.append(row)
                print(text_line(cells(row)), flush=True)
                if "error" in row:
                    print(f"  failed: {row['error']}", flush=True)
                save(complete=False)
            del X
        del X64
    if args.binomial_shape is not None:
        row = bench_binomial(
            args.binomial_shape, n_iter_of(args.binomial_shape[2]), args.repeat
        )
        rows.append(row)
        print(text_line(cells(row)))
        print()
        print(floor_line(row))
    save(complete=True)
    print()
    print(
        f"Total {settings['elapsed_seconds']:.0f} s; load average "
        f"{settings['load_average_at_end'][0]:.1f} at the end "
        f"({settings['load_average_at_start'][0]:.1f} at the start).",
        flush=True,
    )
    if args.json is not None:
        print(f"Results written to {args.json}")
    if args.rst is not None:
        write_table(args.rst, rows, machine, settings)
        print(f"Table written to {args.rst}")
    return rows


if __name__ == "__main__":
    main()
