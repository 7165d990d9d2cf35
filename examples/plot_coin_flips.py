"""
The two-coin experiment
=======================

Two coins, A and B, of unknown bias. Five times one of them was picked and
tossed ten times, but nobody wrote down which coin: only the heads are known.
A two-component :class:`skem.BinomialMixture` recovers both biases with
expectation-maximization (EM).

The figure shows the log-likelihood of the two biases (with equal weights) and
the path EM takes from the first guesses ``thetaA = 0.6, thetaB = 0.5`` to the
maximum.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import logsumexp
from scipy.stats import binom
from sklearn.exceptions import ConvergenceWarning

from skem import BinomialMixture
from skem.datasets import load_coin_flips

flips = load_coin_flips()
heads = flips.heads


def coin_model(max_iter):
    """Two coins, equal fixed weights, the tutorial's first guesses."""
    return BinomialMixture(
        n_components=2,
        n_trials=flips.n_trials,
        probabilities_init=[[0.6], [0.5]],
        weights_init=[0.5, 0.5],
        fixed=("weights",),
        tol=0.0,
        max_iter=max_iter,
        acceleration=None,  # plain EM steps, the tutorial's iterations
    )


# %%
# Run EM for 0, 1, ..., 10 iterations and record the estimates.
path = []
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # fixed iteration counts
    for n_iter in range(11):
        model = coin_model(n_iter).fit(heads)
        path.append(model.probabilities_.ravel())
path = np.array(path)
for n_iter in (0, 1, 10):
    theta_a, theta_b = path[n_iter]
    print(
        f"after {n_iter:>2} iterations: thetaA = {theta_a:.2f}, thetaB = {theta_b:.2f}"
    )
print("Most likely coin of each set:", np.array(["A", "B"])[model.predict(heads)])
print("True coin of each set:       ", flips.coin)

# %%
# The log-likelihood surface: ``sum_i log(0.5 P(x_i | A) + 0.5 P(x_i | B))``.
theta = np.linspace(0.01, 0.99, 99)
log_pmf = binom.logpmf(heads[:, 0, None], flips.n_trials, theta)  # (5, 99)
surface = logsumexp(
    np.stack(np.broadcast_arrays(log_pmf[:, None, :], log_pmf[:, :, None])),
    axis=0,
).sum(axis=0) + heads.shape[0] * np.log(0.5)

fig, ax = plt.subplots(figsize=(5, 4.5))
levels = np.quantile(surface, np.linspace(0.3, 1, 15))
ax.contour(theta, theta, surface, levels=levels, cmap="viridis")
ax.plot(path[:, 0], path[:, 1], "o-", color="C3", label="EM iterations")
ax.annotate("start", path[0], textcoords="offset points", xytext=(6, -12))
ax.set_xlabel("thetaA (bias of coin A)")
ax.set_ylabel("thetaB (bias of coin B)")
ax.set_title("EM climbs the log-likelihood")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()
