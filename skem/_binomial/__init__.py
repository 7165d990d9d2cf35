"""Binomial mixtures: the family (``family``) and its estimator (``estimator``)."""

from .estimator import BinomialMixture
from .family import BinomialFamily

__all__ = ["BinomialFamily", "BinomialMixture"]
