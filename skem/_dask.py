"""Passes over a ``dask.array.Array``: Dask is the engine, skem writes no scheduler.

Imported only when a dask array reaches an estimator, so ``import skem`` does
not import dask. The data stay where they are: each block of rows is validated
by the estimator's own in-memory code on the worker that holds it (and kept
there, persisted), each pass sends the model's parameters to the blocks, and a
tree reduction adds the blocks' :class:`~skem._em.PassResult` on the way back,
so only parameters and statistics cross the network. The M-step runs on the
client.
"""

import copy
import math
import operator

import dask
import dask.array as da
import numpy as np
from sklearn.utils.validation import validate_data


class DistributedRows:
    """Row blocks of a dask array, validated and held by the workers.

    Parameters
    ----------
    model : BaseMixtureEM
        The estimator that validated the blocks (it validates gathered rows
        too).
    X : dask.array.Array of shape (n_samples, n_features)
        The data, one chunk along the columns.
    sample_weight : dask.array.Array of shape (n_samples,) or None
        Weights chunked like the rows of ``X``.
    metadata : dict of str to dask.array.Array or None
        Per-sample metadata (``n_trials``), chunked like the rows of ``X``.
    blocks : list of dask.delayed.Delayed
        The validated :class:`~skem._blocks.RowData` of every row chunk.
    """

    is_distributed = True

    def __init__(self, model, X, sample_weight, metadata, blocks):
        self.model = model
        self.X = X
        self.sample_weight = sample_weight
        self.metadata = metadata
        self.blocks = blocks
        self._weight_total = None

    @property
    def n_samples(self):
        return self.X.shape[0]

    @property
    def n_features(self):
        return self.X.shape[1]

    def weight_total(self):
        if self._weight_total is None:
            self._weight_total = float(sum(self._per_block("weight_total")))
        return self._weight_total

    def n_weighted_rows(self):
        return int(sum(self._per_block("n_weighted_rows")))

    def reduce(self, function, block_size):
        """``function`` reduced over every block where it lives, tree-summed.

        ``function`` (the family and parameters of a pass) enters the graph
        once, not once per block.
        """
        function = dask.delayed(function, pure=True)
        parts = [
            dask.delayed(_reduce_block)(block, function, block_size)
            for block in self.blocks
        ]
        return _tree_sum(parts).compute()

    def map(self, function, block_size, row_shape=(), dtype=None):
        """A lazy dask array of ``function`` of every block, row-aligned."""
        function = dask.delayed(function, pure=True)
        return da.concatenate(
            [
                da.from_delayed(
                    dask.delayed(_map_block)(block, function, block_size),
                    shape=(n_rows, *row_shape),
                    dtype=dtype,
                )
                for block, n_rows in zip(self.blocks, self.X.chunks[0], strict=True)
            ],
            axis=0,
        )

    def _per_block(self, method):
        """A method of every validated block, computed where the block is."""
        if self.sample_weight is None:  # no need to touch the blocks
            return list(self.X.chunks[0])
        return dask.compute(
            *[dask.delayed(operator.methodcaller(method))(b) for b in self.blocks]
        )

    def __getitem__(self, rows):
        """The selected rows, gathered to the client and validated there."""
        return self.model._validate_block(
            self.X[rows].compute(),
            False,
            None if self.sample_weight is None else self.sample_weight[rows].compute(),
            {
                name: None if values is None else values[rows].compute()
                for name, values in self.metadata.items()
            },
        )

    def gathered(self):
        """Every row on the client (for initializing on small data)."""
        return self[np.arange(self.n_samples)]


def distributed_rows(model, X, reset, sample_weight, metadata):
    """Validate a dask array block by block, where the blocks are."""
    if any(math.isnan(size) for size in X.chunks[0]):
        raise ValueError(
            "The dask array has unknown chunk sizes; call "
            "X.compute_chunk_sizes() first."
        )
    if X.ndim != 2:
        raise ValueError(f"Expected a 2D array, got a {X.ndim}D dask array instead.")
    if len(X.chunks[1]) > 1:
        # Blocks hold whole rows: chunks split along the columns are joined.
        X = X.rechunk({1: X.shape[1]})
    sample_weight = _aligned(sample_weight, X, "sample_weight")
    metadata = {name: _aligned(values, X, name) for name, values in metadata.items()}
    if reset:
        validate_data(model, X, skip_check_array=True, reset=True)
        model._family.feature_names = getattr(model, "feature_names_in_", None)
        model._family.learn(
            X, **{name: v for name, v in metadata.items() if v is not None}
        )
    state = dask.delayed(copy.deepcopy(model), pure=True)
    first_rows = np.cumsum((0, *X.chunks[0][:-1]))
    blocks = [
        dask.delayed(_validate_block)(state, x_block, weights, meta, int(first))
        for x_block, weights, meta, first in zip(
            _row_blocks(X),
            _row_blocks(sample_weight, len(X.chunks[0])),
            _metadata_blocks(metadata, len(X.chunks[0])),
            first_rows,
            strict=True,
        )
    ]
    data = DistributedRows(model, X, sample_weight, metadata, blocks)
    if sample_weight is not None and not data.weight_total() > 0:
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return data


def persist(data):
    """Validate every block now and keep the results on the workers."""
    data.blocks = list(dask.persist(*data.blocks))
    return data


def _validate_block(model, X, sample_weight, metadata, first_row):
    # Runs on a worker: the in-memory validation, with the same messages.
    return model._validate_block(X, False, sample_weight, metadata, first_row)


def _aligned(values, X, name):
    """``values`` as a dask array chunked like the rows of ``X``."""
    if values is None:
        return None
    if not isinstance(values, da.Array):
        values = da.from_array(np.asarray(values))
    if values.shape[0] != X.shape[0]:
        raise ValueError(
            f"{name} has {values.shape[0]} rows, but X has {X.shape[0]} rows."
        )
    chunks = (X.chunks[0],) + tuple((size,) for size in values.shape[1:])
    return values.rechunk(chunks)


def _row_blocks(values, n_blocks=None):
    if values is None:
        return [None] * n_blocks
    return list(values.to_delayed().ravel())


def _metadata_blocks(metadata, n_blocks):
    names = list(metadata)
    columns = [_row_blocks(metadata[name], n_blocks) for name in names]
    return [
        dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)
    ] or [{} for _ in range(n_blocks)]


# ----------------------------------------------------------------------
# The two operations over blocks (as RowData's)
# ----------------------------------------------------------------------
def _reduce_block(block, function, block_size):
    return block.reduce(function, block_size)


def _map_block(block, function, block_size):
    return block.map(function, block_size)


def _tree_sum(parts):
    """Pairwise sums of delayed values, in a balanced tree."""
    while len(parts) > 1:
        pairs = [parts[i : i + 2] for i in range(0, len(parts), 2)]
        parts = [
            dask.delayed(operator.add)(*pair) if len(pair) == 2 else pair[0]
            for pair in pairs
        ]
    return parts[0]
