"""Row-aligned data, sliced into blocks by the engine.

A :class:`RowData` holds everything that belongs to a row: ``X``, the sample
weights, per-sample metadata (a binomial's ``n_trials``) and per-row values a
family caches once per data set (its log binomial coefficients). The engine
slices all of them together; families only ever see a block.
"""

import sys

import numpy as np

from ._compat import get_chunk_n_rows


def is_dask_array(X):
    """Whether ``X`` is a ``dask.array.Array`` (without importing dask)."""
    module = sys.modules.get("dask.array")
    return module is not None and isinstance(X, module.Array)


class RowData:
    """Named row-aligned arrays: ``X``, ``sample_weight`` and family extras.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The data; may be a :class:`numpy.memmap`, which is never copied whole.

    sample_weight : ndarray of shape (n_samples,) or None, default=None
        Non-negative weights; None means unit weights.

    **rows : ndarray of shape (n_samples, ...) or None
        Further row-aligned arrays, read back as attributes (``data.n_trials``).
        None stands for "not given" and slices to None.
    """

    def __init__(self, X, sample_weight=None, **rows):
        self.X = X
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
        """The rows selected by a slice or an index array, as a new RowData."""
        return RowData(
            self.X[rows],
            _take(self.sample_weight, rows),
            **{name: _take(values, rows) for name, values in self._rows.items()},
        )

    def with_rows(self, **rows):
        """A copy with row-aligned arrays added or replaced."""
        return self._copy(self.sample_weight, {**self._rows, **rows})

    def with_sample_weight(self, sample_weight):
        """A copy with other sample weights."""
        return self._copy(sample_weight, self._rows)

    def _copy(self, sample_weight, rows):
        copy = RowData(self.X, sample_weight, **rows)
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
        """Consecutive blocks of at most ``block_size`` rows."""
        if block_size >= self.n_samples:
            yield self
            return
        for start in range(0, self.n_samples, block_size):
            block = self[start : start + block_size]
            block.first_row = self.first_row + start
            yield block


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
