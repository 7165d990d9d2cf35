"""Passes over a ``dask.array.Array``: Dask is the engine, skem writes no scheduler.

Imported only when a dask array reaches an estimator, so ``import skem`` does
not import dask. The data stay where they are: each block of rows is validated
by the estimator's own in-memory code on the worker that holds it (and kept
there, persisted), each pass sends the model's parameters to the blocks, and a
tree reduction adds the blocks' :class:`~skem._em.PassResult` on the way back,
so only parameters and statistics cross the network. The M-step runs on the
client.

Bad input is refused on the client when its dtype says so (complex numbers),
before any task runs. Errors that only the values show (a count above
``n_trials``, a string that is no number) are found on the workers by the
in-memory checks, returned as values (:class:`BlockError`) and raised on the
client with the in-memory message: an expected bad-input error is not a
failed task, so the workers log no "Compute Failed" traceback for it. Only a
lazy result (``predict`` on a dask array) has to fail in its task.
"""

import copy
import math

import dask
import dask.array as da
import numpy as np
from sklearn.utils.validation import check_array, validate_data


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

    def has_labels(self):
        return self.metadata.get("labels") is not None

    def reduce(self, function, block_size, parallel=True):
        """``function`` reduced over every block where it lives, tree-summed.

        ``function`` (the family and parameters of a pass) enters the graph
        once, not once per block.
        """
        function = dask.delayed(function, pure=True)
        parts = [
            dask.delayed(_reduce_block)(block, function, block_size)
            for block in self.blocks
        ]
        return raise_block_errors([_tree_sum(parts).compute()])[0]

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
        return raise_block_errors(
            dask.compute(*[dask.delayed(_call)(b, method) for b in self.blocks])
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
    X = _numeric(X)
    sample_weight = _aligned(sample_weight, X, "sample_weight")
    metadata = {name: _aligned(values, X, name) for name, values in metadata.items()}
    if reset:
        validate_data(model, X, skip_check_array=True, reset=True)
        model._family.feature_names = getattr(model, "feature_names_in_", None)
        model._family.learn(
            X,
            **{
                name: v
                for name, v in metadata.items()
                if v is not None and name != "labels"
            },
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
    """Validate every block now, keep the results on the workers.

    Raises the first block's validation error, if any, on the client.
    """
    data.blocks = list(dask.persist(*data.blocks))
    raise_block_errors(
        dask.compute(*[dask.delayed(_error_or_none)(b) for b in data.blocks])
    )
    return data


class BlockError:
    """A bad-input error found on a worker, returned instead of raised.

    A task that raises is a failed task: the worker logs it ("Compute
    Failed", with a traceback) before the client raises it. Bad input is the
    caller's error, not the cluster's, so the worker's checks return it in
    this marker and :func:`raise_block_errors` raises it on the client.

    Parameters
    ----------
    error : Exception
        The error the in-memory checks raised, with their message.
    """

    def __init__(self, error):
        self.error = error


def raise_block_errors(values):
    """Raise the first :class:`BlockError` among ``values``; else return them.

    Parameters
    ----------
    values : sequence
        Results of tasks, in the order of the blocks.

    Returns
    -------
    values : sequence
        ``values``, when none is a :class:`BlockError`.
    """
    for value in values:
        if isinstance(value, BlockError):
            raise value.error
    return values


def _validate_block(model, X, sample_weight, metadata, first_row):
    # Runs on a worker: the in-memory validation, with the same messages.
    try:
        return model._validate_block(X, False, sample_weight, metadata, first_row)
    except ValueError as error:
        return BlockError(error)


def _call(block, method):
    return block if isinstance(block, BlockError) else getattr(block, method)()


def _error_or_none(block):
    return block if isinstance(block, BlockError) else None


def _numeric(values):
    """``values`` as numbers, or the in-memory error for their dtype or values.

    Complex numbers are refused here, before any task runs. Strings and
    objects may hold numbers ("1.5") as in memory, so their values decide:
    every block tries the in-memory conversion where it is and returns its
    error, if any; the first is raised here.
    """
    kind = values.dtype.kind
    if kind == "c":
        # scikit-learn's message, which shows the array (here the dask one).
        raise ValueError(f"Complex data not supported\n{values}\n")
    if kind in "OSUV":
        raise_block_errors(
            dask.compute(
                *[
                    dask.delayed(_conversion_error)(block)
                    for block in values.to_delayed().ravel()
                ]
            )
        )
        values = values.astype(np.float64)
    return values


def _conversion_error(block):
    # Runs on a worker: scikit-learn's conversion, as validate_data does it.
    try:
        check_array(
            block,
            dtype=np.float64,
            ensure_2d=False,
            allow_nd=True,
            ensure_all_finite=False,
            ensure_min_samples=0,
            ensure_min_features=0,
        )
    except (TypeError, ValueError) as error:
        return BlockError(error)
    return None


def _aligned(values, X, name):
    """``values`` as a dask array chunked like the rows of ``X``."""
    if values is None:
        return None
    if not isinstance(values, da.Array):
        values = da.from_array(np.asarray(values))
    values = _numeric(values)
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
    if isinstance(block, BlockError):
        return block
    return block.reduce(function, block_size)


def _map_block(block, function, block_size):
    if isinstance(block, BlockError):
        # A lazy result can only fail in its task.
        raise block.error
    return block.map(function, block_size)


def _tree_sum(parts):
    """Pairwise sums of delayed values, in a balanced tree."""
    while len(parts) > 1:
        pairs = [parts[i : i + 2] for i in range(0, len(parts), 2)]
        parts = [
            dask.delayed(_add)(*pair) if len(pair) == 2 else pair[0] for pair in pairs
        ]
    return parts[0]


def _add(left, right):
    # The first block's error wins, as in memory the first bad row does.
    for part in (left, right):
        if isinstance(part, BlockError):
            return part
    return left + right
