"""
Choosing the number of components with BIC
===========================================

Fit Gaussian mixtures with 1 to 9 components and each of the four covariance
types to 2-D data, and keep the model of smallest Bayesian information
criterion (BIC), as R's ``mclust::mclustBIC`` does.
:func:`skem.model_selection.criteria_grid` fits the whole grid and returns
the table; the left panel plots it, the right one draws the ellipses of the
chosen model.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse

from skem import GaussianMixtureEM
from skem.model_selection import criteria_grid

# %%
# Three elongated clusters and a round one.
rng = np.random.RandomState(0)
shapes = [[[2.0, 0.0], [1.2, 0.4]], [[0.5, 0.0], [0.0, 0.5]], [[0.3, 1.5], [0.0, 0.4]]]
centers = [[0.0, 0.0], [5.0, 5.0], [-4.0, 4.0]]
X = np.vstack(
    [rng.randn(100, 2) @ np.array(s) + c for s, c in zip(shapes, centers, strict=True)]
    + [rng.randn(60, 2) * 0.7 + [6.0, -2.0]]
)

# %%
# Fit every ``n_components`` x ``covariance_type`` (36 models).
grid = criteria_grid(GaussianMixtureEM(random_state=0), X)
print(grid)
best = grid.best_estimator_


def component_covariance(model, k):
    """The 2 x 2 covariance matrix of component ``k``, whatever the type."""
    if model.covariance_type == "full":
        return model.covariances_[k]
    if model.covariance_type == "tied":
        return model.covariances_
    if model.covariance_type == "diag":
        return np.diag(model.covariances_[k])
    return np.eye(2) * model.covariances_[k]


# %%
# BIC against ``n_components`` per covariance type, and the chosen model.
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
n_components, covariance_types, bic = grid.table("bic")
for column, covariance_type in enumerate(covariance_types):
    left.plot(n_components, bic[:, column], "o-", label=covariance_type)
left.axvline(grid.best_params_["n_components"], color="grey", linestyle=":")
left.set_xlabel("n_components")
left.set_ylabel("BIC (lower is better)")
left.set_title("BIC of every model of the grid")
left.legend(title="covariance_type")

labels = best.predict(X)
right.scatter(X[:, 0], X[:, 1], c=labels, s=6, cmap="tab10", vmin=0, vmax=9)
for k in range(best.n_components):
    covariance = component_covariance(best, k)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    angle = np.degrees(np.arctan2(eigenvectors[1, -1], eigenvectors[0, -1]))
    for n_std in (1, 2):
        width, height = 2 * n_std * np.sqrt(eigenvalues[::-1])
        right.add_patch(
            Ellipse(
                best.means_[k], width, height, angle=angle, fill=False, color=f"C{k}"
            )
        )
right.set_title(
    f"Chosen: {best.n_components} components, {best.covariance_type!r} covariances"
)
right.set_aspect("equal")
fig.tight_layout()
plt.show()
