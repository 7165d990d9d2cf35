"""skem: scikit-learn-compatible expectation-maximization estimators."""

from ._binomial import BinomialMixture

__version__ = "0.1.0.dev0"

__all__ = ["BinomialMixture", "__version__"]
