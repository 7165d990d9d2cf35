"""
Count data with per-sample numbers of trials
============================================

Batting records: each player has some hits out of a number of at-bats that
differs from player to player. The players fall into skill groups of unknown
batting average. A :class:`skem.BinomialMixture` fitted with the per-sample
``n_trials`` finds the groups; :func:`skem.model_selection.criteria_grid`
picks how many there are by BIC.

Ignoring the per-sample trials (treating every count as out of the largest
number of at-bats) mistakes players with few at-bats for weak hitters.
"""

import matplotlib.pyplot as plt
import numpy as np

from skem import BinomialMixture
from skem.model_selection import criteria_grid

# %%
# Three groups of hitters with averages 0.22, 0.27 and 0.33.
rng = np.random.RandomState(0)
averages = np.array([0.22, 0.27, 0.33])
group = rng.choice(3, size=400, p=[0.3, 0.5, 0.2])
at_bats = rng.randint(100, 600, size=400)
hits = rng.binomial(at_bats, averages[group])
X = hits[:, np.newaxis].astype(float)

# %%
# How many groups? BIC over 1 to 6 components, each fitted with the at-bats.
grid = criteria_grid(
    BinomialMixture(n_init=3, random_state=0),
    X,
    {"n_components": [1, 2, 3, 4, 5, 6]},
    n_trials=at_bats,
)
print(grid)

model = grid.best_estimator_
order = np.argsort(model.probabilities_[:, 0])
print("Estimated averages:", model.probabilities_[order, 0].round(3))
print("Estimated weights: ", model.weights_[order].round(3))

# %%
# The same mixture without the per-sample trials sees only the hits.
naive = BinomialMixture(n_components=3, n_trials="max", n_init=3, random_state=0).fit(X)
print(
    "Ignoring at-bats, the averages are", np.sort(naive.probabilities_[:, 0]).round(3)
)

# %%
# Hits against at-bats, coloured by the most likely group; the lines are the
# expected hits ``p_k * at_bats`` of every group.
labels = model.predict(X, n_trials=at_bats)
fig, ax = plt.subplots(figsize=(6, 4.5))
ax.scatter(at_bats, hits, c=np.argsort(order)[labels], s=8, cmap="viridis")
span = np.array([at_bats.min(), at_bats.max()])
for rank, k in enumerate(order):
    p = model.probabilities_[k, 0]
    color = plt.get_cmap("viridis")(rank / (len(order) - 1))
    ax.plot(span, p * span, color=color, label=f"average {p:.3f}")
ax.set_xlabel("at-bats (n_trials)")
ax.set_ylabel("hits")
ax.set_title(f"BinomialMixture chosen by BIC: {model.n_components} groups")
ax.legend()
fig.tight_layout()
plt.show()
