"""
Fitting a Dask array
====================

Hand ``fit`` a :class:`dask.array.Array` and the EM passes run where the
blocks are: each block of rows returns its sufficient statistics, a tree
reduction adds them up and the M-step runs on the client. Only parameters
and statistics travel. The same code runs on a laptop's threads or on a
``dask.distributed`` cluster (connect a ``Client`` first); this example uses
Dask's default threaded scheduler, so it needs no cluster.

From the same initial parameters, the Dask fit equals the in-memory fit up to
the order of the sums.
"""

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np

from skem import GaussianMixtureEM

# %%
# 20,000 rows in 8 blocks of 2,500, drawn from four Gaussians. Here the
# array comes from numpy, which suits the threaded scheduler. On a
# ``dask.distributed`` cluster, build it where the workers can load it
# (``da.from_zarr``, a dataframe's ``to_dask_array``) or scatter its blocks:
# ``da.from_array`` over a numpy array sends the whole array with every
# computation (see :ref:`scaling_out`).
rng = np.random.RandomState(0)
centers = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0], [5.0, 5.0]])
data = centers[rng.choice(4, size=20_000)] + rng.standard_normal((20_000, 2))
X = da.from_array(data, chunks=(2_500, 2))

# %%
# The same model, the same fixed start, on the dask array and on the numpy
# array.
start = dict(
    weights_init=np.full(4, 0.25),
    means_init=centers + 1.0,
    precisions_init=np.tile(np.eye(2), (4, 1, 1)),
)
on_dask = GaussianMixtureEM(4, **start).fit(X)
in_memory = GaussianMixtureEM(4, **start).fit(data)
print(f"EM iterations: {on_dask.n_iter_} on dask, {in_memory.n_iter_} in memory")
gap = np.abs(on_dask.means_ - in_memory.means_).max()
print(f"largest difference between the fitted means: {gap:.1e}")

# %%
# ``score`` and ``bic`` return numbers; ``predict`` returns a lazy dask array
# aligned with the blocks of ``X``, computed only when asked for.
print(f"BIC: {on_dask.bic(X):.1f}")
labels = on_dask.predict(X)
print(f"predict returns {type(labels)} with {labels.numblocks[0]} blocks")

fig, ax = plt.subplots(figsize=(5, 5))
ax.scatter(data[:, 0], data[:, 1], c=labels.compute(), s=2, cmap="viridis")
ax.scatter(*on_dask.means_.T, c="red", marker="x", s=80, label="fitted means")
ax.set_title("GaussianMixtureEM fitted on a dask array")
ax.legend()
fig.tight_layout()
plt.show()
