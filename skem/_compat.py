"""The private scikit-learn names skem relies on, imported in one place.

scikit-learn does not promise these names across releases; keeping them here
means a rename upstream is mended in one file.
"""

from sklearn.base import _fit_context
from sklearn.utils._chunking import get_chunk_n_rows
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "Interval",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "get_chunk_n_rows",
]
