"""
Clusters of a mixed clinical table: births and their risk factors
=================================================================

The 189 births of Hosmer and Lemeshow's study of low birth weight
(:func:`skem.datasets.load_birthwt`) are described by measurements (the
mother's age and weight, the baby's birth weight), yes/no indicators
(smoking, hypertension, uterine irritability), a category (the mother's race)
and counts (previous premature labours, first-trimester physician visits).
A :class:`skem.MixedMixture` gives each group of columns its own family --
Gaussian, binomial (one trial), categorical, Poisson -- and clusters the
rows; BIC chooses the number of components. The share of low birth weights
in each cluster, a column the model never saw, tells what the clusters mean.
"""

import matplotlib.pyplot as plt
import numpy as np

from skem import MixedMixture
from skem.datasets import load_birthwt

births = load_birthwt()
X = np.hstack([births.measurements, births.indicators, births.race, births.counts])
columns = [
    ("gaussian", [0, 1, 2], {"covariance_type": "diag"}),  # age, lwt, bwt
    ("binomial", [3, 4, 5], {"n_trials": 1}),  # smoke, ht, ui
    ("categorical", [6], {}),  # race
    ("poisson", [7, 8], {}),  # ptl, ftv
]

# %%
# BIC over one to four components, ten starts each.
ks = [1, 2, 3, 4]
models = [
    MixedMixture(k, columns=columns, n_init=10, random_state=0).fit(X) for k in ks
]
bic = [model.bic(X) for model in models]
best = models[int(np.argmin(bic))]
print("BIC:", np.round(bic, 1), "-> components:", best.n_components)

# %%
# The fitted groups, and the share of low birth weights per cluster (clusters
# numbered from the largest: a component's index depends on the start).
labels = best.predict(X)
gaussian, binomial, categorical, poisson = (g["params"] for g in best.groups_)
order = np.argsort(-np.bincount(labels, minlength=best.n_components))
for number, k in enumerate(order):
    print(
        f"cluster {number}: {np.sum(labels == k)} births, "
        f"low birth weight {births.low[labels == k].mean():.0%}, "
        f"mean age {gaussian['means_'][k, 0]:.0f}, "
        f"weight {gaussian['means_'][k, 1]:.0f} lb, "
        f"birth weight {gaussian['means_'][k, 2]:.0f} g, "
        f"smokers {binomial['probabilities_'][k, 0]:.0%}, "
        f"race codes {np.round(categorical['category_probabilities_'][k, 0], 2)}, "
        f"visits {poisson['rates_'][k, 1]:.2f}"
    )

# %%
# Birth weight against the mother's weight, coloured by cluster.
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
left.plot(ks, bic, "o-")
left.set_xlabel("components")
left.set_ylabel("BIC")
for number, k in enumerate(order):
    rows = labels == k
    right.scatter(X[rows, 1], X[rows, 2], s=12, label=f"cluster {number}")
right.axhline(2500, color="grey", linestyle=":", label="2.5 kg")
right.set_xlabel("mother's weight (lb)")
right.set_ylabel("birth weight (g)")
right.legend()
fig.tight_layout()
plt.show()
