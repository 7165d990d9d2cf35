"""A Poisson mixture written on the family interface, for the engine's tests.

If a family this small can fit, score, sample, learn online and pass
scikit-learn's checks, the interface carries a new row-independent family in
one file with no second EM loop. ``docs/engine.rst`` shows it.
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln
from sklearn.utils.validation import check_non_negative, validate_data

from skem._base import BaseMixtureEM
from skem._blocks import RowData
from skem._family import Family, SufficientStatistics


@dataclass(frozen=True)
class PoissonStats(SufficientStatistics):
    nk: np.ndarray
    sums: np.ndarray


class PoissonFamily(Family):
    """Independent Poisson features given the component."""

    parameter_names = ("rates_",)
    fixable = {"rates": (("rates_",), "rates_init")}  # fixed=("rates",)

    def __init__(self, n_components, rates_init=None):
        super().__init__(n_components)
        self.rates_init = rates_init
        self.complete_init = rates_init is not None

    def validate(self, estimator, X, *, reset):
        X = validate_data(estimator, X, dtype=np.float64, reset=reset)
        check_non_negative(X, "PoissonMixture")
        return RowData(X)

    def log_prob(self, params, block):
        X, rates = block.X, params["rates_"]
        log_prob = X @ np.log(rates).T - rates.sum(axis=1)
        return log_prob - gammaln(X + 1).sum(axis=1)[:, None], None

    def accumulate(self, params, block, resp, workspace=None):
        return PoissonStats(nk=resp.sum(axis=0), sums=resp.T @ block.X)

    def m_step(self, stats):
        nk = stats.nk + 10 * np.finfo(float).eps
        return {"rates_": np.maximum(stats.sums / nk[:, None], 1e-10)}

    def initial_parameters(self, stats):
        if self.rates_init is None:
            return self.m_step(stats)
        return {"rates_": np.array(self.rates_init, dtype=np.float64)}

    def n_parameters(self, params):
        return params["rates_"].size

    def unconstrained(self, params):
        return [np.log(params["rates_"])]

    def constrained(self, arrays):
        return {"rates_": np.exp(arrays[0])}

    def sample(self, params, n_per_component, random_state):
        rates = np.repeat(params["rates_"], n_per_component, axis=0)
        return random_state.poisson(rates).astype(float)


class PoissonMixture(BaseMixtureEM):
    """Independent Poisson features given the component (test estimator)."""

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
        prior=None,
        fixed=(),
        random_state=None,
        warm_start=False,
        verbose=0,
        verbose_interval=10,
        n_threads=None,
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
            prior=prior,
            fixed=fixed,
            random_state=random_state,
            warm_start=warm_start,
            verbose=verbose,
            verbose_interval=verbose_interval,
        )
        self.weights_init = weights_init
        self.rates_init = rates_init
        self.n_threads = n_threads

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags

    def _make_family(self):
        return PoissonFamily(self.n_components, self.rates_init)
