"""The private scikit-learn names skem relies on, imported in one place.

scikit-learn does not promise these names across releases; keeping them here
means a rename upstream is mended in one file.
"""

from sklearn.base import _fit_context
from sklearn.utils._chunking import get_chunk_n_rows
from sklearn.utils._param_validation import Interval, StrOptions
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


__all__ = [
    "Interval",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "get_chunk_n_rows",
    "single_blas_thread",
]
