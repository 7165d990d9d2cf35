"""Row-aligned data, sliced into blocks, and the two operations over blocks.

A :class:`RowData` holds everything that belongs to a row: ``X``, the sample
weights, and the family's named per-row fields (:class:`RowFields`: per-sample
``n_trials``, log binomial coefficients cached once per data set). The engine
slices all of them together; families only ever see a block.

Data offer two operations, the whole interface of the EM passes to data:
``reduce(function, block_size)`` adds ``function(block)`` over the blocks, and
``map(function, block_size, row_shape, dtype)`` concatenates it along the rows.
:class:`RowData` runs them here, one block after the other (BLAS on one
thread); :class:`skem._dask.DistributedRows` runs them where a dask array's
blocks are, with the same signatures, so the engine has no Dask branch.
"""

import mmap
import sys
from dataclasses import dataclass, fields, replace

import numpy as np

from ._compat import get_chunk_n_rows, single_blas_thread
from ._threads import ordered_map


def is_dask_array(X):
    """Whether ``X`` is a ``dask.array.Array`` (without importing dask)."""
    module = sys.modules.get("dask.array")
    return module is not None and isinstance(X, module.Array)


def is_memory_mapped(X):
    """Whether ``X``, or an array it is a view of, is a memory map."""
    while X is not None:
        if isinstance(X, np.memmap | mmap.mmap):
            return True
        X = getattr(X, "base", None)
    return False


def converted_per_block(X):
    """Whether ``X`` is validated as it is and converted block by block.

    True for a numpy array (or memory map) of integers, booleans or floats
    other than float32 and float64: converting it whole would hold a float64
    copy of all of ``X`` at once (of a memory map larger than memory, say).
    Such ``X`` goes into a :class:`RowData` with the family's ``dtype``.
    """
    return (
        isinstance(X, np.ndarray)
        and X.dtype.kind in "biuf"
        and X.dtype not in (np.float32, np.float64)
    )


@dataclass(frozen=True)
class RowFields:
    """Base of a family's named per-row fields: row-aligned arrays or None.

    None stands for "not given" (no per-sample ``n_trials``) and slices to
    None.
    """

    def take(self, rows):
        """The fields of the rows selected by a slice or an index array."""
        return replace(self, **{name: _take(v, rows) for name, v in self._items()})

    def check_rows(self, n_samples):
        for name, values in self._items():
            if values is not None and len(values) != n_samples:
                raise ValueError(
                    f"{name} has {len(values)} rows, but X has {n_samples} rows."
                )

    def _items(self):
        return [(f.name, getattr(self, f.name)) for f in fields(self)]


class RowData:
    """Named row-aligned arrays: ``X``, ``sample_weight``, the family's fields.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The data; may be a :class:`numpy.memmap`, which is never copied whole.

    sample_weight : ndarray of shape (n_samples,) or None, default=None
        Non-negative weights; None means unit weights.

    per_row : RowFields or None, default=None
        The family's per-row fields (``data.per_row.n_trials``).

    first_row : int, default=0
        Index of the first row in the whole data set (messages name rows as
        the user counts them).

    labels : ndarray of shape (n_samples,) of int or None, default=None
        Known components of the rows (``fit(X, labels=...)``), -1 where
        unknown; None when no row is labelled.

    dtype : numpy dtype or None, default=None
        The dtype the families compute in, when ``X`` has another (integer
        counts, say): ``X`` is kept as given and every block (slice or
        selection of rows) is converted when it is made, so no converted copy
        of the whole of ``X`` is ever held. None: ``X``'s own dtype.
    """

    is_distributed = False

    def __init__(
        self, X, sample_weight=None, per_row=None, first_row=0, dtype=None, labels=None
    ):
        self.X = X
        self.dtype = X.dtype if dtype is None else np.dtype(dtype)
        self.sample_weight = sample_weight
        self.per_row = per_row
        self.first_row = first_row
        self.labels = labels
        self.n_threads = 1  # threads of reduce and map (the estimator sets it)
        if per_row is not None:
            per_row.check_rows(len(X))

    @property
    def n_samples(self):
        return self.X.shape[0]

    @property
    def n_features(self):
        return self.X.shape[1]

    def __getitem__(self, rows):
        """The rows selected by a slice or an index array, as a new RowData.

        Their ``X`` is in ``dtype``: converted, when ``X`` is not.
        """
        first_row = self.first_row + (rows.start or 0) if isinstance(rows, slice) else 0
        selected = RowData(
            np.asarray(self.X[rows], dtype=self.dtype),
            _take(self.sample_weight, rows),
            None if self.per_row is None else self.per_row.take(rows),
            first_row,
            labels=_take(self.labels, rows),
        )
        selected.n_threads = self.n_threads
        return selected

    def _copy(self, X=None, sample_weight=None, per_row=None):
        copy = RowData(
            self.X if X is None else X,
            sample_weight,
            per_row,
            self.first_row,
            self.dtype,
            self.labels,
        )
        copy.n_threads = self.n_threads
        return copy

    def with_sample_weight(self, sample_weight):
        """A copy with other sample weights."""
        return self._copy(sample_weight=sample_weight, per_row=self.per_row)

    def has_labels(self):
        """Whether some row's component is known."""
        return self.labels is not None

    def with_labels(self, labels):
        """A copy with known components of the rows (None: none known)."""
        copy = self._copy(sample_weight=self.sample_weight, per_row=self.per_row)
        copy.labels = labels
        return copy

    def with_fields(self, **values):
        """A copy with per-row fields replaced (names checked by the class)."""
        return self._copy(
            sample_weight=self.sample_weight, per_row=replace(self.per_row, **values)
        )

    def converted(self):
        """These rows with ``X`` in ``dtype``: ``self`` when it already is.

        A converted copy of every row: for data of one block, or rows chosen
        to be held in memory (the initialization's).
        """
        if self.X.dtype == self.dtype:
            return self
        return self._copy(self.X.astype(self.dtype), self.sample_weight, self.per_row)

    def weight_total(self):
        """Sum of the sample weights (the number of rows when unweighted)."""
        if self.sample_weight is None:
            return float(self.n_samples)
        return float(self.sample_weight.sum())

    def n_weighted_rows(self):
        """Rows of positive weight."""
        if self.sample_weight is None:
            return self.n_samples
        return int(np.count_nonzero(self.sample_weight))

    def blocks(self, block_size):
        """Consecutive blocks of at most ``block_size`` rows."""
        if block_size >= self.n_samples:
            yield self.converted()
            return
        for start in range(0, self.n_samples, block_size):
            yield self[start : start + block_size]

    def _threads_for(self, block_size):
        # One block: no pool to go through.
        return 1 if block_size >= self.n_samples else self.n_threads

    def reduce(self, function, block_size, parallel=True):
        """``sum(function(block) for block in blocks)``, in block order.

        The blocks run on ``n_threads`` threads (:mod:`skem._threads`) unless
        ``parallel`` is False (``function`` draws random numbers, say); the
        sum is taken in block order either way, so it has the same bits.
        """
        n_threads = self._threads_for(block_size) if parallel else 1
        with single_blas_thread():
            total = 0
            for part in ordered_map(function, self.blocks(block_size), n_threads):
                total = total + part
            return total

    def map(self, function, block_size, row_shape=(), dtype=None):
        """``function(block)`` of every block, concatenated along the rows.

        ``row_shape`` and ``dtype`` describe one row of the result (what a
        lazy implementation must know in advance); unused here.
        """
        blocks = self.blocks(block_size)
        with single_blas_thread():
            parts = list(ordered_map(function, blocks, self._threads_for(block_size)))
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=0)


def _take(values, rows):
    return None if values is None else values[rows]


def block_size(n_samples, row_bytes):
    """Rows per block so that a block's temporaries fit in ``working_memory``.

    ``row_bytes`` is the memory one row needs while it is processed; the
    budget is scikit-learn's ``working_memory`` setting (see
    :func:`sklearn.config_context`).
    """
    return get_chunk_n_rows(row_bytes=row_bytes, max_n_rows=max(n_samples, 1))
