"""A Poisson mixture written on the engine's hooks, for the engine's tests.

If a family this small can fit, score, sample, learn online and pass
scikit-learn's checks, the hooks carry a new row-independent family in one file
with no second EM loop.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln
from sklearn.utils.validation import check_non_negative, validate_data

from skem._base import BaseMixtureEM, SufficientStatistics
from skem._blocks import RowData


@dataclass(frozen=True)
class PoissonStats(SufficientStatistics):
    nk: np.ndarray
    sums: np.ndarray


class PoissonMixture(BaseMixtureEM):
    """Independent Poisson features given the component (test family)."""

    _parameter_names = ("rates_",)

    def __init__(
        self,
        n_components=1,
        *,
        tol=1e-3,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
        init_sample_size=None,
        learning_decay=0.7,
        learning_offset=2.0,
        stopping_rule="mean",
        acceleration=None,
        weights_init=None,
        rates_init=None,
        random_state=None,
        warm_start=False,
        verbose=0,
        verbose_interval=10,
    ):
        super().__init__(
            n_components=n_components,
            tol=tol,
            max_iter=max_iter,
            n_init=n_init,
            init_params=init_params,
            init_sample_size=init_sample_size,
            learning_decay=learning_decay,
            learning_offset=learning_offset,
            stopping_rule=stopping_rule,
            acceleration=acceleration,
            random_state=random_state,
            warm_start=warm_start,
            verbose=verbose,
            verbose_interval=verbose_interval,
        )
        self.weights_init = weights_init
        self.rates_init = rates_init

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags

    def _validate_rows(self, X, *, reset):
        X = validate_data(self, X, dtype=np.float64, reset=reset)
        check_non_negative(X, "PoissonMixture")
        return RowData(X)

    def _check_initial_parameters(self, n_features):
        pass

    def _has_complete_init(self):
        return self.weights_init is not None and self.rates_init is not None

    def _apply_initial_parameters(self):
        if self.rates_init is not None:
            self.rates_ = np.array(self.rates_init, dtype=np.float64)

    def _unconstrained_parameters(self):
        return [np.log(self.rates_)]

    def _set_unconstrained_parameters(self, arrays):
        self.rates_ = np.exp(arrays[0])

    def _estimate_log_prob(self, block):
        X = block.X
        return (
            X @ np.log(self.rates_).T
            - self.rates_.sum(axis=1)
            - gammaln(X + 1).sum(axis=1)[:, None]
        )

    def _accumulate(self, block, resp):
        return PoissonStats(nk=resp.sum(axis=0), sums=resp.T @ block.X)

    def _m_step(self, stats):
        nk = stats.nk + 10 * np.finfo(float).eps
        self.rates_ = np.maximum(stats.sums / nk[:, None], 1e-10)

    def _sample_components(self, n_samples_comp, random_state):
        rates = np.repeat(self.rates_, n_samples_comp, axis=0)
        return random_state.poisson(rates).astype(float)
