"""The private scikit-learn names skem relies on, imported in one place.

scikit-learn does not promise these names across releases; keeping them here
means a rename upstream is mended in one file.
"""

import re

from sklearn.base import _fit_context
from sklearn.utils._chunking import get_chunk_n_rows
from sklearn.utils._metadata_requests import RequestMethod
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
from sklearn.utils._param_validation import (
    Hidden,
    Interval,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.validation import _check_sample_weight
from threadpoolctl import ThreadpoolController  # a dependency of scikit-learn

_controller = None


def single_blas_thread():
    """Context manager limiting BLAS to one thread (a reused controller).

    A pass over row blocks makes many small matrix products; BLAS threads
    gain little on them and lose badly when other processes share the cores
    (measured: 7.3 s instead of 0.37 s per iteration on 1,000,000 x 10, k=5,
    with a second process busy), as scikit-learn's KMeans found for its own
    loop.
    """
    global _controller
    if _controller is None:  # lazily: after numpy and scipy loaded their BLAS
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


class _SkemRequestMethod(RequestMethod):
    """scikit-learn's ``set_{method}_request``, minus its ``versionadded`` line.

    The generated docstring says "Added in version 1.3": scikit-learn's
    version, which a skem user would read as skem's. A subclass, so that
    scikit-learn still recognises (and regenerates) it in subclasses.
    """

    _VERSION_ADDED = re.compile(r"\n[ \t]*\.\. versionadded:: [^\n]*\n")

    def __get__(self, instance, owner):
        method = super().__get__(instance, owner)
        method.__doc__ = self._VERSION_ADDED.sub("", method.__doc__)
        return method


def without_sklearn_version(cls):
    """Replace the ``set_*_request`` methods scikit-learn generated on ``cls``."""
    for name, value in list(vars(cls).items()):
        if type(value) is RequestMethod:
            setattr(
                cls,
                name,
                _SkemRequestMethod(value.name, value.keys, value.validate_keys),
            )


__all__ = [
    "_openmp_effective_n_threads",
    "Hidden",
    "Interval",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "get_chunk_n_rows",
    "single_blas_thread",
    "validate_parameter_constraints",
    "without_sklearn_version",
]
