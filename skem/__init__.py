"""skem: scikit-learn-compatible expectation-maximization estimators."""

from ._binomial import BinomialMixture
from ._categorical import CategoricalMixture
from ._gaussian import GaussianMixtureEM
from ._mixed import MixedMixture
from ._poisson import PoissonMixture
from ._student import StudentTMixture

__version__ = "0.1.0.dev0"

__all__ = [
    "BinomialMixture",
    "CategoricalMixture",
    "GaussianMixtureEM",
    "MixedMixture",
    "PoissonMixture",
    "StudentTMixture",
    "__version__",
]
