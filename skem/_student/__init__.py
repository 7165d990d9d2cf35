"""Mixtures of multivariate t distributions: the family and its estimator.

``family``
    :class:`StudentFamily`, a Gaussian scale mixture on the Gaussian
    kernels: the t log-density from the Gaussian one, the E-step's scale
    weights, the statistics and the degrees-of-freedom M-step.
``estimator``
    :class:`StudentTMixture`, the public shell.
"""

from .estimator import StudentTMixture
from .family import StudentFamily

__all__ = ["StudentFamily", "StudentTMixture"]
