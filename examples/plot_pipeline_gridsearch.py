"""
A pipeline with a grid search over initializations
==================================================

EM finds a local maximum of the likelihood, and which one depends on where it
starts. Here a :class:`~sklearn.preprocessing.StandardScaler` followed by a
:class:`skem.GaussianMixtureEM` is tuned with
:class:`~sklearn.model_selection.GridSearchCV`: first over the initialization
(``init_params`` x ``random_state`` x ``n_init``), scored by the held-out
log-likelihood (the mixture's own ``score``); then over ``n_components`` and
``covariance_type``, scored by BIC with
:data:`skem.model_selection.neg_bic_scorer`.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skem import GaussianMixtureEM
from skem.model_selection import neg_bic_scorer

# Five blobs; feature 0 is in metres, feature 1 in km.
centers = [[-6.0, -6.0], [-6.0, 4.0], [0.0, 0.0], [6.0, -5.0], [6.0, 5.0]]
X, _ = make_blobs(n_samples=300, centers=centers, cluster_std=1.5, random_state=0)
X *= [1000.0, 1.0]

pipe = Pipeline(
    [("scale", StandardScaler()), ("mixture", GaussianMixtureEM(n_components=5))]
)
cv = KFold(n_splits=3, shuffle=True, random_state=0)

# %%
# Which initialization gives the best held-out log-likelihood?
init_grid = {
    "mixture__init_params": ["kmeans", "k-means++", "random", "random_from_data"],
    "mixture__random_state": [0, 1],
    "mixture__n_init": [1, 3],
}
# (Add ``n_jobs=-1`` to fit the candidates in parallel on a larger problem.)
search = GridSearchCV(pipe, init_grid, cv=cv).fit(X)
print("Best initialization:", search.best_params_)
print(f"held-out log-likelihood per sample: {search.best_score_:.3f}")

results = search.cv_results_
for name in init_grid["mixture__init_params"]:
    for n_init in init_grid["mixture__n_init"]:
        chosen = (results["param_mixture__init_params"] == name) & (
            results["param_mixture__n_init"] == n_init
        )
        scores = results["mean_test_score"][chosen]
        print(
            f"  {name:>16}, n_init={n_init}: {scores.min():.3f} to {scores.max():.3f}"
        )

# %%
# ``init_params='random'`` starts from nearly uniform responsibilities: every
# component begins at the mean of the data, the log-likelihood barely moves,
# and EM stops after two iterations (change below ``tol``) at what is in
# effect a single Gaussian. The search ranks it last; ``n_init`` cannot help.
#
# With the initialization fixed, choose the model by BIC.
model_grid = {
    "mixture__n_components": [2, 3, 4, 5, 6, 7],
    "mixture__covariance_type": ["full", "diag", "spherical"],
    "mixture__init_params": [search.best_params_["mixture__init_params"]],
    "mixture__n_init": [search.best_params_["mixture__n_init"]],
    "mixture__random_state": [search.best_params_["mixture__random_state"]],
}
bic_search = GridSearchCV(pipe, model_grid, cv=cv, scoring=neg_bic_scorer)
bic_search.fit(X)
best = bic_search.best_params_
print(
    f"Best by BIC: {best['mixture__n_components']} components, "
    f"{best['mixture__covariance_type']!r} covariances"
)

# %%
# Held-out log-likelihood of every initialization, and the chosen clustering.
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
for offset, n_init in zip([-0.1, 0.1], init_grid["mixture__n_init"], strict=True):
    for position, name in enumerate(init_grid["mixture__init_params"]):
        chosen = (results["param_mixture__init_params"] == name) & (
            results["param_mixture__n_init"] == n_init
        )
        scores = results["mean_test_score"][chosen]
        left.plot(
            np.full(scores.size, position + offset),
            scores,
            "o",
            color=f"C{n_init}",
            label=f"n_init={n_init}" if position == 0 else None,
        )
left.set_xticks(range(len(init_grid["mixture__init_params"])))
left.set_xticklabels(init_grid["mixture__init_params"])
left.set_ylabel("mean held-out log-likelihood")
left.set_title("GridSearchCV over initializations")
left.legend()

right.scatter(X[:, 0], X[:, 1], c=bic_search.predict(X), s=6, cmap="tab10", vmax=9)
right.set_xlabel("feature 0 (m)")
right.set_ylabel("feature 1 (km)")
right.set_title("Clusters of the model chosen by BIC")
fig.tight_layout()
plt.show()
