"""
Prior knowledge: a conjugate prior against spikes, labels against ambiguity
===========================================================================

Two things users know that maximum likelihood does not.

*Covariances are not that small.* Three clusters measured to 0.1 (so values
tie), plus five repeated readings of one point. Maximum likelihood lets a
component sit on the repeated readings with a variance only ``reg_covar``
holds up; that spike wins the BIC comparison, which then picks too many
components. With ``prior="conjugate"`` (R mclust's default prior) the
component keeps a variance the prior sets, no fit is degenerate, and BIC
picks the four groups.

*Some rows' components are known.* Two long, thin, parallel clusters: EM
from a k-means start splits them across the middle, the split of larger
likelihood for a start that sees round clusters. Three labelled rows per
cluster (``fit(X, labels=...)``, -1 for the others) are enough for EM to
find the two clusters, numbered as the labels.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np

from skem import GaussianMixtureEM

# ----------------------------------------------------------------------
# A prior against spikes: BIC over the number of components
# ----------------------------------------------------------------------
rng = np.random.RandomState(0)
centres = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 4.0]])
X = np.vstack([c + rng.normal(scale=[1.0, 0.6], size=(40, 2)) for c in centres])
X = np.vstack([np.round(X, 1), np.tile([[6.0, 6.0]], (5, 1))])

ks = range(1, 8)
bic = {}
degenerate = {}
for prior in (None, "conjugate"):
    bic[prior], degenerate[prior] = [], []
    for k in ks:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the degenerate ML fits warn
            gm = GaussianMixtureEM(k, prior=prior, n_init=5, random_state=0).fit(X)
        bic[prior].append(gm.bic(X))
        degenerate[prior].append(bool(gm.degenerate_components_))

for prior, name in ((None, "maximum likelihood"), ("conjugate", "conjugate prior")):
    best = ks[int(np.argmin(bic[prior]))]
    print(
        f"{name}: best by BIC n_components={best}, "
        f"degenerate fits {sum(degenerate[prior])} of {len(ks)}"
    )

# ----------------------------------------------------------------------
# Labels against ambiguity: two long parallel clusters
# ----------------------------------------------------------------------
rng = np.random.RandomState(1)
n = 300
Z = np.vstack(
    [
        rng.normal(size=(n, 2)) * [4.0, 0.4],
        rng.normal(size=(n, 2)) * [4.0, 0.4] + [0.0, 1.5],
    ]
)
truth = np.repeat([0, 1], n)
unsupervised = GaussianMixtureEM(2, random_state=0).fit(Z)
predicted = unsupervised.predict(Z)  # numbered as k-means numbered them
agreement = max(np.mean(predicted == truth), np.mean(predicted != truth))
print(f"no labels: {agreement:.0%} of the points in their cluster (at best)")

labels = np.full(2 * n, -1)
known = np.r_[rng.choice(n, 3, replace=False), n + rng.choice(n, 3, replace=False)]
labels[known] = truth[known]
semi = GaussianMixtureEM(2, random_state=0).fit(Z, labels=labels)
print(
    f"3 labelled rows per cluster: {np.mean(semi.predict(Z) == truth):.0%} of "
    "the points in their cluster"
)

# ----------------------------------------------------------------------
# Figure
# ----------------------------------------------------------------------
fig, (left, middle, right) = plt.subplots(1, 3, figsize=(13, 4))
for prior, style, name in (
    (None, "o-", "maximum likelihood"),
    ("conjugate", "s-", "prior"),
):
    left.plot(ks, bic[prior], style, label=name)
    spikes = [k for k, bad in zip(ks, degenerate[prior], strict=True) if bad]
    left.plot(
        spikes,
        [bic[prior][k - 1] for k in spikes],
        "x",
        color="red",
        markersize=12,
        label="degenerate" if prior is None else None,
    )
left.set(xlabel="n_components", ylabel="BIC (lower is better)", title="BIC")
left.legend()

middle.scatter(*Z.T, c=unsupervised.predict(Z), s=6, cmap="coolwarm")
middle.set(title="no labels", aspect="equal")
right.scatter(*Z.T, c=semi.predict(Z), s=6, cmap="coolwarm")
right.scatter(*Z[known].T, c="k", marker="*", s=120, label="labelled rows")
right.set(title="3 labelled rows per cluster", aspect="equal")
right.legend(loc="upper right")
fig.tight_layout()
plt.show()
