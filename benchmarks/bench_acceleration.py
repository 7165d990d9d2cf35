"""Plain EM against SQUAREM: EM-map evaluations and seconds to a tight target.

For every case and every start, plain EM (``acceleration=None``) and SQUAREM
(``acceleration='squarem'``, Varadhan and Roland 2008) are run from the *same*
initial parameters, and the script counts the EM-map evaluations (``n_iter_``)
and the wall-clock seconds they need before the fitted log-likelihood is within
``--target`` (default 1e-8) *relative* of the maximum reached from that start.

Running
-------
From the repository root, with skem installed::

    python benchmarks/bench_acceleration.py            # full size, ~10 min, 2 cores
    python benchmarks/bench_acceleration.py --quick    # seconds; figures mean nothing
    python benchmarks/bench_acceleration.py --cases saxony-k3,gauss-full --starts 3
    python benchmarks/bench_acceleration.py --json benchmarks/acceleration.json

``--help`` lists every option. Progress goes to stderr; the table and a few
summary lines to stdout; ``--json PATH`` also writes every per-start figure,
the settings and the library versions, and ``--from-json PATH`` prints the
table of such a file again without running anything.

Cases
-----
geissler-k2, geissler-k3
    :class:`skem.BinomialMixture` with 2 and 3 components on
    ``skem.datasets.load_geissler()`` (90 rows: boys among families of 1 to 12
    children, per-row family sizes, row frequencies as sample weights), fitted
    as ``BinomialMixture(k, n_trials='max').fit(counts, sample_weight=freq,
    n_trials=n_trials)``.
saxony-k3
    :class:`skem.BinomialMixture` with 3 components on
    ``skem.datasets.load_saxony()`` (13 rows, ``n_trials=12``, frequencies as
    sample weights).
gauss-full, gauss-diag
    :class:`skem.GaussianMixtureEM` (``covariance_type`` 'full' and 'diag')
    with 3 components on ``--n-samples`` (default 3000) seeded points in
    ``d=5``: three equally likely components with identity covariances and
    means ``e_k / sqrt(2)``, k = 0, 1, 2, so that every two means are exactly
    one standard deviation apart.

Starts
------
Start ``s`` (``s = 0 .. --starts - 1``) is the initialization of
``random_state=s`` (``init_params='random'`` for the binomial cases, whose
tables are too small for k-means to give different starts, ``'kmeans'`` for
the Gaussian ones), obtained once by a fit with ``max_iter=0`` and then given
to every fit of that start as ``weights_init`` plus ``probabilities_init``
(or ``means_init`` and ``precisions_init``). Both methods therefore start from
bit-identical parameters, and no timed fit pays for an initialization.

Method
------
Every fit uses ``tol=0``, so ``fit(max_iter=m)`` runs exactly ``m`` EM-map
evaluations, and the runs are deterministic: ``fit(max_iter=m)`` follows the
path of a longer run for its first ``m`` evaluations (for SQUAREM, fewer than
3 evaluations left means plain EM steps, which are the first two steps of the
cycle the longer run makes there).

1. *Long runs.* Per start, one plain and one SQUAREM run with a large
   ``max_iter`` (per case, see ``CASES``; ``--plain-max-iter`` and
   ``--squarem-max-iter`` override). To save time they stop early when the
   mean log-likelihood changes by less than ``--stall`` (1e-15) times the
   magnitude of its initial value in one recorded step
   (``stopping_rule='mean'``): a change near rounding noise. Up to the stop
   the path is that of the ``tol=0`` run. The *maximum* of the start is the
   largest log-likelihood recorded in either long run; for the binomial cases
   it is compared with the known global maxima (brute force). *final gap* is
   ``(maximum - L) / |maximum|`` with ``L`` the log-likelihood at the end of
   the method's long run.
2. *Evaluations* ``m*`` = the smallest ``m`` for which ``fit(tol=0,
   max_iter=m)`` returns a model whose ``lower_bound_`` is within the target,
   i.e. what a user must allow to get there.

   - Plain EM: entry ``i`` of the long run's ``lower_bounds_`` is the
     log-likelihood after ``i`` evaluations, and EM never decreases it, so
     ``m*`` is the first entry within the target.
   - SQUAREM: ``lower_bounds_`` has one entry per *accepted* parameter set,
     not per evaluation, so the long run is made with ``verbose=2,
     verbose_interval=1`` and its printed lines (captured, one per entry,
     with the evaluation count and the accepted/rejected counters) map every
     entry to its evaluation. An entry recorded at evaluation ``c`` is the
     log-likelihood of the parameters after ``c - 1`` evaluations, except
     for an accepted extrapolated point, which is not a state a truncated
     fit can return (a truncated fit returns the EM step *from* it, at
     ``c``). After a rejected extrapolation the run is set back to the
     plain step, so evaluations ``c - 2`` and ``c - 1`` leave the same
     parameters. The only states this leaves unscored are the second plain
     step of an *accepted* cycle; the scored states never decrease (the
     safeguard; up to rounding), and an unscored one is at least its scored
     predecessor but may exceed its scored successor. So ``m*`` is first
     taken as the first scored state within the target, then the unscored
     states just before it are refitted (``max_iter`` set to them), latest
     first, until ``--check-unscored`` (2) in a row miss the target; any
     that hits it lowers ``m*``. (Checked against refits at every ``m`` on
     a few starts of saxony-k3, geissler-k2 and gauss-full: every scored
     state matched bit for bit, and ``m*`` was the true smallest ``m``.)

   A start *reached the target* if its ``m*`` is within the long run;
   otherwise the count is censored (``>N``, N = evaluations the long run
   made) and the start is left out of the count of reached starts.
3. *Seconds*: a fit with ``tol=0, max_iter=m*`` from the start's parameters,
   timed with ``time.perf_counter`` (best of up to ``--repeat`` (3) fits,
   fewer once the fits of one measurement took ``--time-budget`` (1 s)). It
   includes what a fit costs besides the evaluations (validation, the final
   scoring pass), the same for both methods. This fit also checks the
   mapping: its ``lower_bound_`` must equal the value predicted from the
   long run (a mismatch is reported as ``MISMATCH``). For a censored start
   the seconds are the long run's (a lower bound; the SQUAREM one includes
   printing to a buffer).

The machine is shared and timings are noisy; the evaluation counts are exact
and repeatable.

Columns
-------
case, method
    As above; ``plain`` is ``acceleration=None``, ``squarem`` is SQUAREM.
evals
    Median over starts of ``m*``. ``>N``: a lower bound, because a start
    the median falls on did not reach the target (censored starts are
    ranked last; the bound counts them as the evaluations they ran).
seconds
    Median over starts of the timed fit (``>``: a lower bound, as for evals).
evals x, secs x
    (squarem row) plain median divided by SQUAREM median: how many times
    fewer evaluations and seconds SQUAREM needs (``>``/``<``: bounds).
final gap
    Median over starts of the final gap (above; 0 when the method's long run
    ended at the start's maximum).
reached
    Starts whose ``m*`` was found, of the starts run.

Below the table, for every binomial case: how many starts' maximum is the
known global maximum (within the target), and the best maximum over the
starts minus the known one, in total log-likelihood.
"""

import argparse
import contextlib
import io
import json
import math
import os
import platform
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy
import sklearn

import skem
from skem import BinomialMixture, GaussianMixtureEM
from skem.datasets import load_geissler, load_saxony

# Known global maxima of the total log-likelihood (brute force).
KNOWN_MAXIMA = {
    "saxony-k3": -12490.80011538,
    "geissler-k2": -1241814.22618262,
    "geissler-k3": -1241808.37601261,
}

# name: (family, n_components, extra estimator parameters, init_params,
#        plain max_iter, SQUAREM max_iter) for the full run.
CASES = {
    "geissler-k2": ("geissler", 2, {}, "random", 200_000, 50_000),
    "geissler-k3": ("geissler", 3, {}, "random", 200_000, 200_000),
    "saxony-k3": ("saxony", 3, {}, "random", 100_000, 20_000),
    "gauss-full": ("gauss", 3, {"covariance_type": "full"}, "kmeans", 30_000, 10_000),
    "gauss-diag": ("gauss", 3, {"covariance_type": "diag"}, "kmeans", 30_000, 10_000),
}
QUICK = {"starts": 2, "n_samples": 300, "max_iter": 1_000, "repeat": 1}
METHODS = (("plain", None), ("squarem", "squarem"))

ITERATION_LINE = re.compile(
    r"Iteration (\d+)\t.*accelerated steps (\d+) taken, (\d+) rejected"
)
END_LINE = re.compile(r"Initialization .*accelerated steps (\d+) taken, (\d+) rejected")


# ----------------------------------------------------------------------
# Data and estimators
# ----------------------------------------------------------------------
def gaussian_data(n_samples, n_features=5, seed=0):
    """Three components, identity covariances, means pairwise 1 SD apart."""
    rng = np.random.RandomState(seed)
    means = np.zeros((3, n_features))
    means[np.arange(3), np.arange(3)] = 1 / np.sqrt(2)
    labels = rng.randint(3, size=n_samples)
    return means[labels] + rng.standard_normal((n_samples, n_features))


class Problem:
    """One case: its data, and fits from given starting parameters."""

    def __init__(self, name, n_samples):
        family, k, extra, init, _, _ = CASES[name]
        self.name, self.family, self.k, self.extra, self.init = (
            name,
            family,
            k,
            extra,
            init,
        )
        if family == "geissler":
            data = load_geissler()
            self.X, self.sample_weight = data.counts, data.freq
            self.fit_params = {"n_trials": data.n_trials}
            self.extra = {**extra, "n_trials": "max"}
        elif family == "saxony":
            data = load_saxony()
            self.X, self.sample_weight = data.counts, data.freq
            self.fit_params = {}
            self.extra = {**extra, "n_trials": data.n_trials}
        else:
            self.X, self.sample_weight = gaussian_data(n_samples), None
            self.fit_params = {}
        self.weight = (
            len(self.X) if self.sample_weight is None else self.sample_weight.sum()
        )

    def estimator(self, **params):
        cls = GaussianMixtureEM if self.family == "gauss" else BinomialMixture
        return cls(self.k, **self.extra, **params)

    def fit(self, **params):
        model = self.estimator(**params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning at tol=0, ...
            return model.fit(
                self.X, sample_weight=self.sample_weight, **self.fit_params
            )

    def start(self, seed):
        """Initial parameters of ``random_state=seed`` as ``*_init`` values."""
        model = self.fit(max_iter=0, init_params=self.init, random_state=seed)
        if self.family == "gauss":
            return {
                "weights_init": model.weights_,
                "means_init": model.means_,
                "precisions_init": model.precisions_,
            }
        return {
            "weights_init": model.weights_,
            "probabilities_init": model.probabilities_,
        }


# ----------------------------------------------------------------------
# Long runs and the evaluations each state took
# ----------------------------------------------------------------------
def long_run(problem, start, acceleration, max_iter, stall):
    """One long run; returns the model, its seconds and the scored states.

    ``states`` maps an evaluation count ``n`` to the mean log-likelihood of
    the parameters a ``fit(max_iter=n)`` returns, for every ``n`` the run
    scored (all of them for plain EM).
    """
    # Magnitude of the log-likelihood, for the relative stall rule.
    scale = abs(problem.fit(max_iter=0, **start).lower_bound_)
    params = dict(
        acceleration=acceleration,
        max_iter=max_iter,
        tol=stall * scale,
        stopping_rule="mean",
        **start,
    )
    if acceleration is None:
        tic = time.perf_counter()
        model = problem.fit(**params)
        seconds = time.perf_counter() - tic
        states = dict(enumerate(model.lower_bounds_))
        return model, seconds, states, []
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        tic = time.perf_counter()
        model = problem.fit(verbose=2, verbose_interval=1, **params)
        seconds = time.perf_counter() - tic
    states, extrapolated = squarem_states(model, buffer.getvalue())
    return model, seconds, states, extrapolated


def squarem_states(model, output):
    """Scored states of a SQUAREM run from its ``verbose=2`` lines."""
    records = [tuple(map(int, m.groups())) for m in ITERATION_LINE.finditer(output)]
    values = model.lower_bounds_
    if len(records) != len(values) - 1:
        raise RuntimeError(
            f"{len(records)} verbose iteration lines for {len(values)} "
            "lower_bounds_ entries; has the verbose format changed?"
        )
    end = END_LINE.findall(output)
    totals = tuple(map(int, end[-1])) if end else None
    states, extrapolated = {}, []
    previous = (0, 0)
    for (count, accepted, rejected), value in zip(records, values, strict=False):
        if accepted > previous[0]:
            extrapolated.append((count, value))  # not a state of any fit
        else:
            states[count - 1] = value
            if rejected > previous[1]:
                # A rejected cycle: its last evaluation set the plain step back.
                states.setdefault(count - 2, value)
        previous = (accepted, rejected)
    states[model.n_iter_] = values[-1]
    if totals is not None and totals[1] > previous[1]:
        states.setdefault(model.n_iter_ - 1, values[-1])
    return states, extrapolated


def first_within(states, maximum, target):
    """Smallest evaluation count whose state is within the target, or None."""
    for n in sorted(states):
        if relative_gap(states[n], maximum) <= target:
            return n
    return None


def relative_gap(value, maximum):
    return max(0.0, (maximum - value) / abs(maximum))


def check_unscored(problem, start, states, found, maximum, target, n_misses):
    """Refit the unscored SQUAREM states before ``found``, latest first."""
    misses, checked = 0, []
    n = found - 1
    while n >= 0 and misses < n_misses:
        if n not in states:
            value = problem.fit(acceleration="squarem", tol=0, max_iter=n, **start)
            hit = relative_gap(value.lower_bound_, maximum) <= target
            checked.append((n, value.lower_bound_, hit))
            if hit:
                found, misses = n, 0
            else:
                misses += 1
        n -= 1
    return found, checked


def timed_fit(problem, start, acceleration, max_iter, repeat, budget):
    """Best wall-clock seconds of ``fit(tol=0, max_iter=max_iter)``."""
    best, spent, value = math.inf, 0.0, None
    for _ in range(repeat):
        tic = time.perf_counter()
        model = problem.fit(
            acceleration=acceleration, tol=0, max_iter=max_iter, **start
        )
        seconds = time.perf_counter() - tic
        best, spent, value = min(best, seconds), spent + seconds, model.lower_bound_
        if spent >= budget:
            break
    return best, value


# ----------------------------------------------------------------------
# One case
# ----------------------------------------------------------------------
def run_case(name, args):
    problem = Problem(name, args.n_samples)
    _, _, _, _, plain_cap, squarem_cap = CASES[name]
    caps = {
        "plain": args.plain_max_iter or plain_cap,
        "squarem": args.squarem_max_iter or squarem_cap,
    }
    starts = []
    for seed in range(args.starts):
        start = problem.start(seed)
        runs = {}
        for method, acceleration in METHODS:
            model, seconds, states, extrapolated = long_run(
                problem, start, acceleration, caps[method], args.stall
            )
            runs[method] = dict(
                model=model,
                seconds=seconds,
                states=states,
                recorded=max([*model.lower_bounds_, *(v for _, v in extrapolated)]),
            )
        maximum = max(run["recorded"] for run in runs.values())
        record = {
            "random_state": seed,
            "maximum_mean": maximum,
            "maximum_total": maximum * problem.weight,
        }
        for method, acceleration in METHODS:
            run = runs[method]
            model, states = run["model"], run["states"]
            found = first_within(states, maximum, args.target)
            checked = []
            if found is not None and acceleration == "squarem":
                found, checked = check_unscored(
                    problem,
                    start,
                    states,
                    found,
                    maximum,
                    args.target,
                    args.check_unscored,
                )
            entry = {
                "long_run_evaluations": model.n_iter_,
                "long_run_max_iter": caps[method],
                "long_run_stopped_early": model.converged_,
                "long_run_seconds": run["seconds"],
                "final_mean": model.lower_bound_,
                "final_gap": relative_gap(model.lower_bound_, maximum),
                "reached": found is not None,
                "evaluations": found,
                "unscored_states_checked": [
                    {"evaluations": n, "mean": v, "within_target": h}
                    for n, v, h in checked
                ],
            }
            if found is not None:
                seconds, value = timed_fit(
                    problem, start, acceleration, found, args.repeat, args.time_budget
                )
                predicted = states.get(found)
                if predicted is None:  # found by a refit of an unscored state
                    predicted = next(v for n, v, _ in checked if n == found)
                entry.update(
                    seconds=seconds,
                    mean_at_evaluations=value,
                    gap_at_evaluations=relative_gap(value, maximum),
                    verified=bool(value == predicted),
                )
            else:
                entry.update(seconds=None, verified=None)
            record[method] = entry
        starts.append(record)
        print(progress_line(name, record), file=sys.stderr, flush=True)
    return summarize(name, starts, args.target)


def progress_line(name, record):
    parts = [f"{name} start {record['random_state']}:"]
    parts.append(f"max {record['maximum_total']:.8f}")
    for method, _ in METHODS:
        e = record[method]
        evals = e["evaluations"] if e["reached"] else f">{e['long_run_evaluations']}"
        secs = f"{e['seconds']:.3f}s" if e["reached"] else "-"
        flag = "" if e["verified"] in (None, True) else " MISMATCH"
        parts.append(f"{method} {evals} evals {secs} gap {e['final_gap']:.1e}{flag}")
    return "  ".join(parts)


def summarize(name, starts, target):
    summary = {"case": name, "starts": starts, "methods": {}}
    for method, _ in METHODS:
        entries = [s[method] for s in starts]
        evals = [
            e["evaluations"] if e["reached"] else e["long_run_evaluations"]
            for e in entries
        ]
        secs = [
            e["seconds"] if e["reached"] else e["long_run_seconds"] for e in entries
        ]
        censored = [not e["reached"] for e in entries]
        summary["methods"][method] = {
            "median_evaluations": censored_median(evals, censored),
            "median_seconds": censored_median(secs, censored),
            "median_final_gap": float(np.median([e["final_gap"] for e in entries])),
            "reached": sum(not c for c in censored),
            "n_starts": len(entries),
            "all_verified": all(e["verified"] in (None, True) for e in entries),
        }
    known = KNOWN_MAXIMA.get(name)
    if known is not None:
        best = max(s["maximum_total"] for s in starts)
        summary["known_maximum_total"] = known
        summary["best_maximum_total"] = best
        summary["starts_at_known_maximum"] = sum(
            relative_gap(s["maximum_total"], known) <= target for s in starts
        )
    return summary


def censored_median(values, censored):
    """Median and whether it is only a lower bound.

    A censored value is a lower bound of a true value that exceeds every
    uncensored one (its run hit the cap every reached start was within, or
    stopped at another maximum and never gets there). Ordered so, the median
    is exact when neither middle value is censored; otherwise the median of
    the values as given is a lower bound of it.
    """
    n = len(values)
    middle = [(n - 1) // 2, n // 2]
    order = sorted(range(n), key=lambda i: (censored[i], values[i]))
    if not any(censored[order[i]] for i in middle):
        value = np.mean([values[order[i]] for i in middle])
        return {"value": float(value), "lower_bound": False}
    value = np.mean(np.sort(values)[middle])
    return {"value": float(value), "lower_bound": True}


# ----------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------
HEADER = (
    f"{'case':<12} {'method':<8} {'evals':>9} {'seconds':>9} {'evals x':>8} "
    f"{'secs x':>8} {'final gap':>10} {'reached':>8}"
)


def format_median(median, digits):
    text = f"{median['value']:.{digits}f}"
    return (">" if median["lower_bound"] else "") + text


def format_ratio(plain, squarem):
    ratio = plain["value"] / squarem["value"] if squarem["value"] > 0 else math.inf
    if plain["lower_bound"] and squarem["lower_bound"]:
        return "?"
    prefix = ">" if plain["lower_bound"] else "<" if squarem["lower_bound"] else ""
    return f"{prefix}{ratio:.1f}"


def table(summaries):
    lines = [HEADER, "-" * len(HEADER)]
    for summary in summaries:
        methods = summary["methods"]
        for method, _ in METHODS:
            m = methods[method]
            ratios = ("", "")
            if method == "squarem":
                ratios = tuple(
                    format_ratio(methods["plain"][key], m[key])
                    for key in ("median_evaluations", "median_seconds")
                )
            lines.append(
                f"{summary['case']:<12} {method:<8} "
                f"{format_median(m['median_evaluations'], 0):>9} "
                f"{format_median(m['median_seconds'], 3):>9} "
                f"{ratios[0]:>8} {ratios[1]:>8} "
                f"{m['median_final_gap']:>10.1e} "
                f"{str(m['reached']) + '/' + str(m['n_starts']):>8}"
            )
    return "\n".join(lines)


def notes(summaries):
    lines = []
    for summary in summaries:
        if "known_maximum_total" in summary:
            known, best = summary["known_maximum_total"], summary["best_maximum_total"]
            lines.append(
                f"{summary['case']}: {summary['starts_at_known_maximum']}/"
                f"{len(summary['starts'])} starts reach the known maximum "
                f"{known:.8f}; best over starts minus known: {best - known:+.2e}"
                + (
                    "  EXCEEDS THE KNOWN MAXIMUM"
                    if best - known > 1e-9 * abs(known)
                    else ""
                )
            )
        for method, m in summary["methods"].items():
            if not m["all_verified"]:
                lines.append(
                    f"{summary['case']} {method}: a timed fit did not return the "
                    "log-likelihood predicted from the long run (see JSON)."
                )
    return "\n".join(lines)


def print_report(summaries, target, n_starts):
    print(
        f"EM-map evaluations and seconds to within {target:g} (relative) of "
        f"each start's maximum; medians over {n_starts} starts"
    )
    print(table(summaries))
    print(notes(summaries))


def case_settings(name):
    family, k, extra, init, plain_cap, squarem_cap = CASES[name]
    return {
        "family": family,
        "n_components": k,
        "estimator_params": extra,
        "init_params": init,
        "plain_max_iter": plain_cap,
        "squarem_max_iter": squarem_cap,
    }


def environment():
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "skem": skem.__version__,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="tiny run (a check)")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated")
    parser.add_argument("--starts", type=int, default=10, help="random_state 0..N-1")
    parser.add_argument("--target", type=float, default=1e-8, help="relative gap")
    parser.add_argument("--n-samples", type=int, default=3000, help="Gaussian n")
    parser.add_argument("--plain-max-iter", type=int, help="override long-run cap")
    parser.add_argument("--squarem-max-iter", type=int, help="override long-run cap")
    parser.add_argument("--stall", type=float, default=1e-15, help="early stop")
    parser.add_argument("--check-unscored", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="timed fits, best of")
    parser.add_argument("--time-budget", type=float, default=1.0, help="seconds")
    parser.add_argument("--json", type=Path, help="write all results here")
    parser.add_argument(
        "--from-json", type=Path, help="only print the table of a saved --json run"
    )
    args = parser.parse_args(argv)
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        target = saved["settings"]["target"]
        summaries = [
            summarize(r["case"], r["starts"], target) for r in saved["results"]
        ]
        print_report(summaries, target, saved["settings"]["starts"])
        print(f"(from {args.from_json}; the run took {saved['elapsed_seconds']:.0f} s)")
        return
    if args.quick:
        args.starts = min(args.starts, QUICK["starts"])
        args.n_samples = min(args.n_samples, QUICK["n_samples"])
        args.plain_max_iter = args.plain_max_iter or QUICK["max_iter"]
        args.squarem_max_iter = args.squarem_max_iter or QUICK["max_iter"]
        args.repeat = QUICK["repeat"]
    names = [name.strip() for name in args.cases.split(",") if name.strip()]
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        parser.error(f"unknown cases {unknown}; choose from {list(CASES)}")

    tic = time.perf_counter()
    summaries = [run_case(name, args) for name in names]
    elapsed = time.perf_counter() - tic
    print_report(summaries, args.target, args.starts)
    print(f"total {elapsed:.0f} s")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "settings": {
                        key: str(value) if isinstance(value, Path) else value
                        for key, value in vars(args).items()
                    },
                    "cases": {name: case_settings(name) for name in names},
                    "environment": environment(),
                    "elapsed_seconds": elapsed,
                    "results": summaries,
                },
                indent=1,
                default=lambda o: o.item() if isinstance(o, np.generic) else str(o),
            )
        )


if __name__ == "__main__":
    main()
