"""
Groups in a count table: caries before and after a prevention study
=====================================================================

The DMFT index counts a child's decayed, missing or filled teeth. The 797
children of the Belo Horizonte caries study (:func:`skem.datasets.load_dmft`)
were counted at the beginning and at the end of the study; the table holds
each (begin, end) pair with the number of children who had it. Many children
have no caries at all, others many: one bivariate Poisson cannot spread that
far. A :class:`skem.PoissonMixture` fitted to the table, with the
frequencies as sample weights, finds the groups; BIC chooses how many.
"""

import matplotlib.pyplot as plt
import numpy as np

from skem import PoissonMixture
from skem.datasets import load_dmft
from skem.model_selection import criteria_grid

dmft = load_dmft()
X, freq = dmft.counts, dmft.freq

# %%
# BIC over one to five components, five starts each, on the weighted table.
grid = criteria_grid(
    PoissonMixture(n_init=5, random_state=0),
    X,
    {"n_components": [1, 2, 3, 4, 5]},
    sample_weight=freq,
)
print(grid)
model = grid.best_estimator_

order = np.argsort(model.rates_[:, 0])
for k in order:
    begin, end = model.rates_[k]
    print(
        f"weight {model.weights_[k]:.2f}: {begin:.2f} teeth at the beginning, "
        f"{end:.2f} at the end"
    )

# %%
# The table as circles (area: number of children), coloured by the most
# likely group; crosses mark the groups' rates.
labels = model.predict(X)
fig, ax = plt.subplots(figsize=(6, 4.5))
ax.scatter(X[:, 0], X[:, 1], s=4 * freq, c=np.argsort(order)[labels], cmap="viridis")
ax.scatter(*model.rates_[order].T, marker="x", s=120, c="red", label="rates")
ax.set_xlabel("DMFT at the beginning")
ax.set_ylabel("DMFT at the end")
ax.set_title(f"PoissonMixture, {model.n_components} components")
ax.legend()
plt.show()
