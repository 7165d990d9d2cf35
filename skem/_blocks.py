"""Row-aligned data, sliced into blocks by the engine.

A :class:`RowData` holds everything that belongs to a row: ``X``, the sample
weights, per-sample metadata (a binomial's ``n_trials``) and per-row values a
family caches once per data set (its log binomial coefficients). The engine
slices all of them together; families only ever see a block.
"""

import mmap
import sys

import numpy as np

from ._compat import get_chunk_n_rows


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


class RowData:
    """Named row-aligned arrays: ``X``, ``sample_weight`` and family extras.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The data; may be a :class:`numpy.memmap`, which is never copied whole.

    sample_weight : ndarray of shape (n_samples,) or None, default=None
        Non-negative weights; None means unit weights.

    dtype : numpy dtype or None, default=None
        The dtype the families compute in, when ``X`` has another (integer
        counts, say): ``X`` is kept as given and every block (slice or
        selection of rows) is converted when it is made, so no converted copy
        of the whole of ``X`` is ever held. None: ``X``'s own dtype.

    **rows : ndarray of shape (n_samples, ...) or None
        Further row-aligned arrays, read back as attributes (``data.n_trials``).
        None stands for "not given" and slices to None.
    """

    def __init__(self, X, sample_weight=None, *, dtype=None, **rows):
        self.X = X
        self.dtype = X.dtype if dtype is None else np.dtype(dtype)
        self.first_row = 0  # index of the first row in the whole data set
        self.sample_weight = sample_weight
        self._rows = rows
        for name, values in rows.items():
            if values is not None and len(values) != len(X):
                raise ValueError(
                    f"{name} has {len(values)} rows, but X has {len(X)} rows."
                )

    def __getattr__(self, name):
        rows = self.__dict__.get("_rows", {})
        if name in rows:
            return rows[name]
        raise AttributeError(name)

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
        return RowData(
            np.asarray(self.X[rows], dtype=self.dtype),
            _take(self.sample_weight, rows),
            **{name: _take(values, rows) for name, values in self._rows.items()},
        )

    def with_rows(self, **rows):
        """A copy with row-aligned arrays added or replaced."""
        return self._copy(self.sample_weight, {**self._rows, **rows})

    def with_sample_weight(self, sample_weight):
        """A copy with other sample weights."""
        return self._copy(sample_weight, self._rows)

    def converted(self):
        """These rows with ``X`` in ``dtype``: ``self`` when it already is.

        A converted copy of every row: for data of one block, or rows chosen
        to be held in memory (the initialization's).
        """
        if self.X.dtype == self.dtype:
            return self
        return self._copy(self.sample_weight, self._rows, self.X.astype(self.dtype))

    def _copy(self, sample_weight, rows, X=None):
        X = self.X if X is None else X
        copy = RowData(X, sample_weight, dtype=self.dtype, **rows)
        copy.first_row = self.first_row
        return copy

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
        """Consecutive blocks of at most ``block_size`` rows, ``X`` in ``dtype``."""
        if block_size >= self.n_samples:
            yield self.converted()
            return
        for start in range(0, self.n_samples, block_size):
            block = self[start : start + block_size]
            block.first_row = self.first_row + start
            yield block


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


def _take(values, rows):
    return None if values is None else values[rows]


def block_size(n_samples, row_bytes):
    """Rows per block so that a block's temporaries fit in ``working_memory``.

    ``row_bytes`` is the memory one row needs while it is processed; the
    budget is scikit-learn's ``working_memory`` setting (see
    :func:`sklearn.config_context`).
    """
    return get_chunk_n_rows(row_bytes=row_bytes, max_n_rows=max(n_samples, 1))


def concatenate_rows(parts):
    """Concatenate per-block results along the rows."""
    parts = list(parts)
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=0)
