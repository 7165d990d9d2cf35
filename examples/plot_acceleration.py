"""
Accelerating EM with SQUAREM
============================

EM creeps when the components overlap: each iteration removes only a fixed
fraction of the remaining distance to the maximum. Geissler's table of the
boys among 991,958 Saxon families is such a case. This example fits the same
two-component :class:`skem.BinomialMixture` from the same start twice, with
plain EM (``acceleration=None``) and with SQUAREM
(``acceleration='squarem'``, the default), and plots how far each
log-likelihood is from the maximum after each EM step.

Both runs count EM steps (evaluations of the EM map) in ``n_iter_``, so the
horizontal axis compares the work honestly.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture
from skem.datasets import load_geissler

geissler = load_geissler()


def fit(acceleration, max_iter):
    """Two components from the same fixed start, stopped by ``tol``."""
    return BinomialMixture(
        n_components=2,
        probabilities_init=[[0.45], [0.55]],
        weights_init=[0.5, 0.5],
        acceleration=acceleration,
        tol=1e-8,
        max_iter=max_iter,
    ).fit(geissler.counts, n_trials=geissler.n_trials, sample_weight=geissler.freq)


# %%
# Plain EM is stopped after 2,000 steps, long before it converges; SQUAREM
# converges on its own.
squarem = fit("squarem", max_iter=5000)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # stopped on purpose
    plain = fit(None, max_iter=2000)

n_families = geissler.freq.sum()
best = max(squarem.lower_bound_, plain.lower_bound_) * n_families
print(f"SQUAREM: converged after {squarem.n_iter_} EM steps")
print(
    f"plain EM: after {plain.n_iter_} EM steps still "
    f"{best - plain.lower_bound_ * n_families:.3g} below the maximum"
)

# %%
# The gap to the maximum of the total log-likelihood, on a log scale, after
# each number of EM steps. Plain EM records one log-likelihood per step in
# ``lower_bounds_``. A SQUAREM cycle spends several EM steps, so its curve
# comes from runs stopped after a given number of steps (``max_iter``). The
# plain EM line falls slowly and steadily (linear convergence); SQUAREM's
# jumps bring it down to rounding error many times sooner.
steps = np.arange(0, squarem.n_iter_ + 50, 50)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # stopped on purpose
    squarem_path = [fit("squarem", max_iter=m).lower_bound_ for m in steps]

fig, ax = plt.subplots(figsize=(6, 4))
paths = (
    (np.arange(plain.n_iter_ + 1), plain.lower_bounds_, "plain EM"),
    (steps, squarem_path, "SQUAREM"),
)
for x, mean_log_likelihood, label in paths:
    gap = best - np.asarray(mean_log_likelihood) * n_families
    ax.semilogy(x, np.maximum(gap, 1e-9), label=label)  # 1e-9: rounding error
ax.set_xlabel("EM steps (EM-map evaluations)")
ax.set_ylabel("maximum minus total log-likelihood")
ax.set_title("Geissler's families, two binomial components")
ax.legend()
fig.tight_layout()
plt.show()
