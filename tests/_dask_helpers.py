"""Helpers that Dask worker processes import by name (see tests/test_dask.py)."""

import numpy as np


class Unconcatenable(np.ndarray):
    """A block that refuses to be joined with others into more than 100 rows.

    A dask array made of such blocks can be reduced (its partial results are
    small) but not gathered: computing ``X`` itself on the client concatenates
    its blocks and raises.
    """

    def __array_function__(self, func, types, args, kwargs):
        if func is np.concatenate:
            arrays = args[0] if args else kwargs["arrays"]
            if sum(np.shape(a)[0] for a in arrays) > 100:
                raise RuntimeError("X was gathered to the client")
        return super().__array_function__(func, types, args, kwargs)


def unconcatenable(block):
    return block.view(Unconcatenable)


def never_computed(block):
    """A block function for arrays whose blocks must not be computed."""
    raise RuntimeError("a task ran")
