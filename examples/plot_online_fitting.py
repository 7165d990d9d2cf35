"""
Online fitting over batches of a memory map
===========================================

When the rows arrive in batches, or live in a file too large to read at
once, :meth:`~skem.GaussianMixtureEM.partial_fit` updates a mixture one
batch at a time (stepwise EM): each batch's sufficient statistics are
blended into running statistics with a decreasing step size, then an M-step
follows. Memory stays at one batch whatever the length of the stream.

Here the data are a :class:`numpy.memmap` in a temporary file, read in
batches of 500 rows for three passes (epochs). The online model ends close to
the full-batch fit of the same data, which ``fit`` also computes straight
from the memory map, block by block.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from skem import GaussianMixtureEM

# %%
# 30,000 rows from three Gaussians in two dimensions, shuffled and written to
# a float32 file, then opened read-only as a memory map.
rng = np.random.RandomState(0)
centers = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 5.0]])
labels = rng.choice(3, size=30_000, p=[0.5, 0.3, 0.2])
data = centers[labels] + rng.standard_normal((30_000, 2))

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "stream.float32"
    data.astype(np.float32).tofile(path)
    X = np.memmap(path, dtype=np.float32, mode="r", shape=data.shape)

    # %%
    # The reference: an ordinary fit on the whole memory map, run close to
    # the maximum (a small tol, still above the rounding of float32 data).
    full = GaussianMixtureEM(3, tol=1e-7, max_iter=1000, random_state=0).fit(X)

    # %%
    # The stream: 60 batches of 500 rows, three times over. Each call to
    # ``partial_fit`` is one stepwise-EM update; the first initializes the
    # model from its batch. After each update, score the whole data.
    online = GaussianMixtureEM(3, random_state=0)
    batches = np.array_split(np.arange(X.shape[0]), 60)
    scores = []
    for batch in batches * 3:  # three epochs
        online.partial_fit(X[batch])
        scores.append(online.score(X))
    reference = full.score(X)
    del X  # close the memory map before the folder is removed

print(f"full-batch fit:  mean log-likelihood {reference:.4f}")
print(f"online, 3 epochs: mean log-likelihood {scores[-1]:.4f}")
order = np.argsort(online.means_[:, 0])
print("online means:\n", online.means_[order].round(2))

# %%
# How far the whole data's mean log-likelihood is below the full-batch fit
# after each update (log scale). The first updates close most of the gap; the
# decreasing step size then lets later batches refine rather than overwrite,
# and each epoch ends closer. Dotted lines mark the epochs.
gap = reference - np.asarray(scores)
fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(np.arange(1, len(gap) + 1), np.maximum(gap, 1e-7))  # 1e-7: tol
for epoch_end in (60, 120):
    ax.axvline(epoch_end, color="grey", linestyle=":")
ax.set_xlabel("updates (batches of 500 rows)")
ax.set_ylabel("full-batch minus online\nmean log-likelihood")
ax.set_title("partial_fit over a memory map, three epochs")
fig.tight_layout()
plt.show()
