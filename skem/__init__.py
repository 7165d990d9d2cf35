"""skem: scikit-learn-compatible expectation-maximization estimators."""

from ._binomial import BinomialMixture
from ._gaussian import GaussianMixtureEM

__version__ = "0.1.0.dev0"

__all__ = ["BinomialMixture", "GaussianMixtureEM", "__version__"]
