"""The estimators' shared base: the public API over one EM engine.

:class:`BaseMixtureEM` owns everything that does not depend on the shape of a
component density: validation of the shared parameters and of sample weights,
initialisation, ``n_init`` restarts, warm starts, online (``partial_fit``)
fitting, the public prediction and scoring methods. It knows no family: a
public estimator is a thin shell (constructor, docstring) that says which
:class:`~skem._family.Family` to build (:meth:`BaseMixtureEM._make_family`).
The loop lives in :mod:`skem._em`, as a reduction over row blocks
(:mod:`skem._blocks`) sized by scikit-learn's ``working_memory``, so memory
beyond ``X`` stays bounded.

Differences from :class:`sklearn.mixture.GaussianMixture`'s driver, on purpose:

* ``lower_bound_`` is the (weighted) mean log-likelihood of the *returned*
  parameters, so ``lower_bound_ == score(X)`` after an unweighted fit.
  ``lower_bounds_`` holds ``n_iter_ + 1`` values: the log-likelihood of the
  initial parameters and after every M-step (with SQUAREM: of the points
  kept, fewer); its last entry is ``lower_bound_``. The parameter path and
  the stopping iteration are the same as scikit-learn's.
* The best of ``n_init`` runs is chosen by that exact final log-likelihood,
  among the runs that are not degenerate (:mod:`skem._degeneracy`) when
  there is one.
* A warm start is treated as a fresh run from the current parameters: it is
  not declared converged on its first iteration.
* The training labels are computed only by ``fit_predict``, in a pass of
  their own; ``fit`` never holds the (n_samples, n_components)
  responsibilities.
"""

import inspect
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.random import sample_without_replacement
from sklearn.utils.validation import check_is_fitted, validate_data

from ._blocks import block_size, is_dask_array, is_memory_mapped
from ._compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    without_sklearn_version,
)
from ._degeneracy import DegenerateFitWarning, describe
from ._em import (
    Parameters,
    Settings,
    VerboseReporter,
    block_labels,
    block_log_likelihoods,
    block_responsibilities,
    expectation_pass,
    initial_parameters,
    labelled_statistics,
    map_rows,
    maximize,
    n_free_parameters,
    rows_per_block,
    run_em,
    stepwise_statistics,
)
from ._init import (
    INIT_STRATEGIES,
    SEARCH_STRATEGIES,
    count_distinct_points,
    initial_statistics,
)
from ._search import Search, independent_stream, search_start
from ._threads import effective_n_threads
from ._validation import (
    _non_unit,
    check_labels,
    check_weights_init,
    warn_at_caller,
    warn_if_normalized_weights,
)
from .exceptions import SampleWeightWarning

#: Rows drawn for the initialization when ``init_sample_size`` is None and
#: the data are a dask array, a memory map, or more rows than one block of
#: ``working_memory`` holds ...
DEFAULT_INIT_SAMPLE_SIZE = 100_000

#: ... or fewer, so that the sample's float64 values take at most this many
#: bytes. A fixed budget, not ``working_memory``: the initialization of data
#: that fit in the sample must not depend on the block size.
DEFAULT_INIT_SAMPLE_BYTES = 100 * 2**20


class BaseMixtureEM(DensityMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class of the skem mixture estimators: the EM driver.

    Not for direct use; see :class:`skem.BinomialMixture` and
    :class:`skem.GaussianMixtureEM`.
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "init_params": [StrOptions(set(INIT_STRATEGIES))],
        "init_sample_size": [None, Interval(Integral, 1, None, closed="left")],
        "learning_decay": [Interval(Real, 0.5, 1.0, closed="right")],
        "learning_offset": [Interval(Real, 0.0, None, closed="left")],
        "stopping_rule": [StrOptions({"mean", "total", "aitken"})],
        "acceleration": [None, StrOptions({"squarem"})],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "verbose_interval": [Interval(Integral, 1, None, closed="left")],
        "prior": [None, StrOptions({"conjugate"}), dict],
        "fixed": [tuple, list],
        "n_threads": [
            None,
            Interval(Integral, 1, None, closed="left"),
            Interval(Integral, None, -1, closed="right"),
        ],
    }

    def __init_subclass__(cls, **kwargs):
        # scikit-learn generates the set_{method}_request methods here.
        super().__init_subclass__(**kwargs)
        without_sklearn_version(cls)

    def __init__(
        self,
        n_components,
        *,
        tol,
        max_iter,
        n_init,
        init_params,
        init_sample_size,
        learning_decay,
        learning_offset,
        stopping_rule,
        acceleration,
        random_state,
        warm_start,
        verbose,
        verbose_interval,
        prior=None,
        fixed=(),
    ):
        self.n_components = n_components
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.init_sample_size = init_sample_size
        self.learning_decay = learning_decay
        self.learning_offset = learning_offset
        self.stopping_rule = stopping_rule
        self.acceleration = acceleration
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.prior = prior
        self.fixed = fixed

    # ------------------------------------------------------------------
    # What a public estimator says
    # ------------------------------------------------------------------
    @abstractmethod
    def _make_family(self):
        """The :class:`~skem._family.Family` of the constructor's parameters."""

    def _fits_weights(self):
        """Whether the mixture weights are learned."""
        return True

    # ------------------------------------------------------------------
    # Settings and parameters
    # ------------------------------------------------------------------
    def _weights_init(self):
        """The user's initial weights, validated, or None."""
        weights_init = getattr(self, "weights_init", None)
        if weights_init is None:
            return None
        return check_weights_init(weights_init, self.n_components)

    def _settings(self):
        fixed_weights = None
        if "weights" in self.fixed:
            fixed_weights = self._weights_init()
            if fixed_weights is None:
                raise ValueError(
                    "fixed holds 'weights' at their initial value, but "
                    "weights_init is None: pass weights_init."
                )
        elif not self._fits_weights():
            fixed_weights = self._weights_init()
            if fixed_weights is None:
                fixed_weights = np.full(self.n_components, 1.0 / self.n_components)
        return Settings(
            max_iter=self.max_iter,
            tol=self.tol,
            stopping=self.stopping_rule,
            acceleration=self.acceleration,
            fixed_weights=fixed_weights,
            weight_concentration=self._weight_concentration(),
            verbose=self.verbose,
            verbose_interval=self.verbose_interval,
        )

    def _weight_concentration(self):
        """``alpha`` of the Dirichlet prior on the weights (1: none)."""
        if not isinstance(self.prior, dict):
            return 1.0
        alpha = self.prior.get("weight_concentration", 1.0)
        if not (isinstance(alpha, Real) and alpha >= 1.0 and np.isfinite(alpha)):
            raise ValueError(
                "prior['weight_concentration'] must be a finite number >= 1 "
                f"(1: no prior on the weights), got {alpha!r}."
            )
        return float(alpha)

    def _check_fixed(self):
        """The names of ``fixed``, checked: strings, no repeats."""
        names = tuple(self.fixed)
        if not all(isinstance(name, str) for name in names):
            raise ValueError(
                f"fixed must be a tuple of parameter names, got {self.fixed!r}."
            )
        if len(set(names)) != len(names):
            raise ValueError(f"fixed names a parameter twice: {self.fixed!r}.")
        return names

    def _parameters(self):
        """The fitted parameters, read from the fitted attributes."""
        return Parameters(
            self.weights_,
            {name: getattr(self, name) for name in self._family.parameter_names},
        )

    def _set_fitted(self, params):
        self.weights_ = params.weights
        for name, value in self._family.fitted_attributes(params.components).items():
            setattr(self, name, value)
        if self.prior is not None:
            self.prior_ = {
                **self._family.prior_hyperparameters(),
                "weight_concentration": self._weight_concentration(),
            }
        elif hasattr(self, "prior_"):  # refitted without a prior
            del self.prior_

    def _n_parameters(self):
        return n_free_parameters(self._family, self._parameters(), self._settings())

    # ------------------------------------------------------------------
    # Data
    # ------------------------------------------------------------------
    def _validated(self, X, *, reset, sample_weight=None, **metadata):
        """Validated RowData: X, metadata, sample weights, per-row caches.

        A ``dask.array.Array`` gives distributed data instead: its blocks are
        validated where they live, by this same method (``_validate_block``).
        """
        if reset:
            if self.warm_start and hasattr(self, "converged_"):
                # A warm start keeps the fitted parameters, hence their features.
                validate_data(self, X, reset=False, skip_check_array=True)
            self._family = self._make_family().use_knowledge(
                self.prior, self._check_fixed()
            )
        if is_dask_array(X):
            if not reset and X.ndim == 2:
                # Named now, not when a lazy result is computed.
                validate_data(self, X, reset=False, skip_check_array=True)
            from ._dask import distributed_rows

            return distributed_rows(self, X, reset, sample_weight, metadata)
        data = self._validate_block(X, reset, sample_weight, metadata)
        # Counted now: threadpool_limits in force at this call applies.
        data.n_threads = effective_n_threads(getattr(self, "n_threads", None))
        if data.sample_weight is not None and not data.weight_total() > 0:
            raise ValueError(
                "Sample weights must contain at least one non-zero number."
            )
        return data

    def _validate_block(self, X, reset, sample_weight, metadata, first_row=0):
        """Validate in-memory rows and cache their per-row values.

        ``first_row`` is the index of the first of these rows in the whole
        data set, so that messages name rows as the user counts them.
        """
        family = self._family
        metadata = dict(metadata)
        labels = metadata.pop("labels", None)
        data = family.validate(self, X, reset=reset, **metadata)
        data.first_row = first_row
        if labels is not None:
            data = data.with_labels(
                check_labels(labels, data.n_samples, self.n_components, first_row)
            )
        if sample_weight is not None:
            data = data.with_sample_weight(
                _check_sample_weight(
                    sample_weight, data.X, dtype=np.float64, ensure_non_negative=True
                )
            )
        caches = {}
        for block in data.blocks(rows_per_block(family, data)):
            for name, values in family.prepare_block(block).items():
                if name not in caches:  # filled in place: no second copy
                    shape = (data.n_samples, *values.shape[1:])
                    caches[name] = np.empty(shape, dtype=values.dtype)
                start = block.first_row - first_row
                caches[name][start : start + len(values)] = values
        return data.with_fields(**caches) if caches else data

    def _rows_for_prediction(self, X, sample_weight=None, **metadata):
        check_is_fitted(self)
        return self._validated(X, reset=False, sample_weight=sample_weight, **metadata)

    def _check_enough_samples(self, data):
        n_used = data.n_weighted_rows()
        if n_used < self.n_components:
            raise ValueError(
                f"Expected n_samples >= n_components but got n_components = "
                f"{self.n_components}, n_samples = {n_used}"
                + ("" if data.sample_weight is None else " (with non-zero weight)")
                + "."
            )

    # ------------------------------------------------------------------
    # Initialization
    # ------------------------------------------------------------------
    def _initial_parameters(self, data, random_state, strategy):
        family, settings = self._family, self._settings()

        def start(stats):
            return initial_parameters(family, stats, settings, self._weights_init())

        if self._complete_init():
            # The user fixed every parameter: no pass over the data needed.
            return start(None)
        supervised = self._supervised_start(data, start)
        if supervised is not None:
            return supervised
        if strategy in SEARCH_STRATEGIES:
            if self._init_sample_size(data) is None:
                # Every row: the same rows (filled once) for every candidate.
                rows = self._initialization_rows(data, None)

                def init_rows(stream):
                    return rows
            else:

                def init_rows(stream):
                    return self._initialization_rows(data, stream)

            return search_start(
                Search(family, data, settings, start),
                strategy,
                init_rows,
                independent_stream(random_state),
            )
        init_data = self._initialization_rows(data, random_state)
        return start(initial_statistics(family, init_data, strategy, random_state))

    def _supervised_start(self, data, start):
        """The M-step of the labelled rows alone, when they cover every component.

        Known labels name the components, which a clustering start cannot
        know: its cluster 0 need not be label 0. So when every component has
        labelled rows (of positive weight), EM starts from their statistics
        and ``init_params`` is not used; when their M-step fails (one row
        per component and ``reg_covar=0``), or some component has no
        labelled row, the strategy's start is taken, with the labelled rows
        held at their components.
        """
        if not data.has_labels():
            return None
        stats = labelled_statistics(self._family, data)
        if not np.all(stats.nk > 0):
            return None
        try:
            return start(stats)
        except (ValueError, np.linalg.LinAlgError):
            return None

    def _complete_init(self):
        """Whether the user's ``*_init`` values fix every parameter."""
        return self._family.complete_init and (
            self._weights_init() is not None or not self._fits_weights()
        )

    def _strategies_of_one_init(self):
        """The starts every initialization continues to convergence.

        A search also continues the start 'kmeans' draws from the same random
        state, so it never ends below ``init_params='kmeans'``.
        """
        if self.init_params in SEARCH_STRATEGIES and not self._complete_init():
            return ("kmeans", self.init_params)
        return (self.init_params,)

    def _initialization_rows(self, data, random_state):
        size = self._init_sample_size(data)
        if size is None or size >= data.n_samples:
            rows = data.gathered() if data.is_distributed else data
        else:
            # O(size) memory, unlike a permutation of every row.
            indices = sample_without_replacement(
                data.n_samples,
                size,
                method="tracking_selection",
                random_state=random_state,
            )
            rows = data[np.sort(indices)]
        # Held in memory, in the family's dtype.
        init_rows = self._family.initialization_rows(rows.converted(), data)
        if rows.labels is not None and init_rows.labels is None:
            init_rows = init_rows.with_labels(rows.labels)
        return init_rows

    def _init_sample_size(self, data):
        """Rows the initialization runs on (None: every row).

        ``init_sample_size`` when set. Otherwise every row of in-memory data
        that fit in one block of ``working_memory`` (scikit-learn's
        behaviour), and a bounded sample of a dask array, a memory map or
        larger data: :data:`DEFAULT_INIT_SAMPLE_SIZE` rows, fewer when their
        float64 values would take more than :data:`DEFAULT_INIT_SAMPLE_BYTES`
        (data of no more rows are used whole).
        """
        if self.init_sample_size is not None:
            return self.init_sample_size
        n_samples, n_features = data.n_samples, data.n_features
        if not (
            data.is_distributed
            or is_memory_mapped(data.X)
            or block_size(n_samples, self._family.row_bytes(n_features)) < n_samples
        ):
            return None
        return max(
            1,
            min(
                DEFAULT_INIT_SAMPLE_SIZE,
                DEFAULT_INIT_SAMPLE_BYTES // (8 * max(n_features, 1)),
            ),
        )

    # ------------------------------------------------------------------
    # Fitting
    # ------------------------------------------------------------------
    def _fit(self, X, sample_weight, **metadata):
        """Run EM ``n_init`` times, keep the best run; return the data."""
        data = self._validated(X, reset=True, sample_weight=sample_weight, **metadata)
        if data.is_distributed:
            from ._dask import persist

            persist(data)  # validated once, kept on the workers for every pass
        self._check_weight_scale(data)
        self._check_enough_samples(data)
        self._use_knowledge(data)

        do_init = not (self.warm_start and hasattr(self, "converged_"))
        n_distinct = self.n_components  # as far as the fit needs to know
        if do_init and not data.is_distributed:
            n_distinct = count_distinct_points(self._family, data, self.n_components)
        n_init = self.n_init if do_init else 1
        random_state = check_random_state(self.random_state)
        settings = self._settings()
        reporter = VerboseReporter(settings)
        family = self._family

        best, best_key = None, None
        for init in range(n_init):
            reporter.init_begin(init)
            strategies = self._strategies_of_one_init() if do_init else (None,)
            for strategy in strategies:
                params = (
                    self._initial_parameters(data, random_state, strategy)
                    if do_init
                    else self._parameters()
                )
                run = run_em(family, data, params, settings, reporter)
                reporter.init_end(run)
                # The best non-degenerate run wins; degenerate ones only
                # when every run is.
                degenerate = family.degenerate(
                    run.params.weights, run.params.components, run.nk
                )
                key = (not degenerate, run.lower_bound)
                if best is None or key > best_key:
                    best, best_key, self.degenerate_components_ = run, key, degenerate

        self._set_fitted(best.params)
        self.converged_ = best.converged
        self.n_iter_ = best.n_iter
        self.lower_bound_ = best.lower_bound
        self.lower_bounds_ = best.lower_bounds
        self._reset_online_state()
        self._weighted_fit_rows = (
            data.n_samples if _non_unit(data.sample_weight) else None
        )

        # max_iter=0 is the documented way to only initialise; no warning then.
        if not self.converged_ and self.max_iter > 0:
            warn_at_caller(
                "Best performing initialization did not converge. "
                "Try different init parameters, or increase max_iter, "
                "tol, or check for degenerate data.",
                ConvergenceWarning,
            )
        self._warn_about_components(best.nk, n_distinct, data.sample_weight)
        return data

    def _fit_predict(self, X, sample_weight, **metadata):
        data = self._fit(X, sample_weight, **metadata)
        # Labels from unweighted posteriors, so that fit_predict equals
        # fit().predict also for samples of weight zero.
        return self._labels(data)

    def _partial_fit(self, X, sample_weight, **metadata):
        """One step of stepwise EM on the batch ``X``."""
        first_call = not hasattr(self, "weights_")
        data = self._validated(
            X, reset=first_call, sample_weight=sample_weight, **metadata
        )
        self._check_weight_scale(data)
        if first_call:
            self._check_enough_samples(data)
            self._use_knowledge(data)
            self._set_fitted(
                self._initial_parameters(
                    data, check_random_state(self.random_state), self.init_params
                )
            )
            self._reset_online_state()
            self.n_iter_ = 0
            self.lower_bounds_ = []
            self._weighted_fit_rows = None  # a stream has no fitted rows
        else:
            self._family.check_batch(data.X)
        batch = expectation_pass(self._family, self._parameters(), data)
        step_size = (self.learning_offset + self._n_online_steps) ** (
            -self.learning_decay
        )
        self._online_stats = stepwise_statistics(self._online_stats, batch, step_size)
        self._online_weight += batch.weight
        stats = self._online_stats
        if self._family.has_prior or self._weight_concentration() != 1.0:
            # The running statistics are per unit of weight; the prior weighs
            # against the weight seen so far, as in a fit on all of it.
            stats = stats.scaled(self._online_weight)
        self._set_fitted(maximize(self._family, stats, self._settings()))
        self._n_online_steps += 1
        self.n_iter_ += 1
        self.lower_bound_ = batch.mean_log_likelihood
        self.lower_bounds_ = [*self.lower_bounds_, self.lower_bound_]
        self.converged_ = False
        self.degenerate_components_ = {}  # fit's verdict: not for these parameters
        return self

    def _reset_online_state(self):
        self._online_stats = None
        self._online_weight = 0.0
        self._n_online_steps = 0

    def _use_knowledge(self, data):
        """Resolve the prior on the fit's data; take the fixed values."""
        self._family.resolve_prior(data)
        self._family.fix_initial_values()

    @staticmethod
    def _check_weight_scale(data):
        """Warn when the sample weights of ``data`` look normalized."""
        if data.sample_weight is not None:
            # float() of a dask scalar computes it; the sum is cached.
            warn_if_normalized_weights(
                float(data.sample_weight.max()), data.weight_total()
            )

    def _warn_if_weights_left_out(self, data, method):
        """Warn when a weighted fit's rows are scored without their weights.

        Cheap on purpose: ``fit`` remembers only the number of rows it was
        given with weights that are not all 1; scoring as many rows without
        ``sample_weight`` is, on a frequency table, scoring every table row
        once instead of the observations.
        """
        n_rows = getattr(self, "_weighted_fit_rows", None)
        if data.sample_weight is None and data.n_samples == n_rows:
            what = "mean log-likelihood" if method == "score" else method.upper()
            warn_at_caller(
                f"This model was fitted with sample weights on {n_rows} rows, "
                f"and {method}() got {n_rows} rows without sample_weight: it "
                f"counts every row once, as if each weight were 1. Pass the "
                f"same sample_weight to {method}() for the {what} of the "
                "weighted data (of a frequency table: of its observations, "
                "not of its rows).",
                SampleWeightWarning,
            )

    def _warn_about_components(self, nk, n_distinct, sample_weight):
        """One warning for components that describe no data of their own.

        Data of fewer distinct rows than components explain every empty or
        degenerate component at once, so that warning replaces the others. An
        empty component is named as such, not as one that inflates the
        likelihood (it adds nothing to it).
        """
        empty = np.flatnonzero(nk <= 1e-8 * nk.sum()).tolist()
        unestimated = (
            f"components {empty} received no responsibility for any sample; "
            "their parameters are not estimated from data"
        )
        if n_distinct < self.n_components:
            rows = "row" if n_distinct == 1 else "rows"
            weighted = "" if sample_weight is None else " of non-zero weight"
            outcome = f"; {unestimated}" if empty else ", so components share them"
            warn_at_caller(
                f"X has only {n_distinct} distinct {rows}{weighted} for "
                f"{self.n_components} components: a mixture of more than "
                f"{n_distinct} component{'' if n_distinct == 1 else 's'} cannot "
                "give every component points of its own"
                f"{outcome}. Use n_components <= {n_distinct}.",
                UserWarning,
            )
            return
        if empty:
            warn_at_caller(
                f"{unestimated[0].upper()}{unestimated[1:]}. Consider fewer "
                "components or a different initialisation.",
                UserWarning,
            )
        inflating = {
            k: why for k, why in self.degenerate_components_.items() if k not in empty
        }
        if inflating and self.max_iter > 0:
            effect = (
                "These components are not estimated from the data"
                if self._family.has_prior
                else "Its likelihood is inflated by these components"
            )
            warn_at_caller(
                f"The fitted mixture is degenerate: {describe(inflating)}. "
                f"{effect}. Consider fewer components, a larger n_init or "
                "init_params='emem'.",
                DegenerateFitWarning,
            )

    # ------------------------------------------------------------------
    # Per-row outputs (block by block) and reductions
    # ------------------------------------------------------------------
    def _labels(self, data):
        return map_rows(block_labels, self._family, self._parameters(), data)

    def _score_samples(self, X, **metadata):
        data = self._rows_for_prediction(X, **metadata)
        return map_rows(block_log_likelihoods, self._family, self._parameters(), data)

    def _predict_proba(self, X, **metadata):
        data = self._rows_for_prediction(X, **metadata)
        return map_rows(block_responsibilities, self._family, self._parameters(), data)

    def _predict(self, X, **metadata):
        return self._labels(self._rows_for_prediction(X, **metadata))

    def _likelihood_pass(self, X, sample_weight, method, **metadata):
        data = self._rows_for_prediction(X, sample_weight, **metadata)
        self._warn_if_weights_left_out(data, method)
        if method != "score":  # a weighted mean does not depend on the scale
            self._check_weight_scale(data)
        return expectation_pass(
            self._family, self._parameters(), data, with_stats=False
        )

    def _score(self, X, sample_weight, **metadata):
        result = self._likelihood_pass(X, sample_weight, "score", **metadata)
        return result.mean_log_likelihood

    def _information_criterion(self, X, criterion, sample_weight, **metadata):
        result = self._likelihood_pass(X, sample_weight, criterion, **metadata)
        penalty = 2.0 if criterion == "aic" else np.log(result.weight)
        return float(-2.0 * result.log_likelihood + penalty * self._n_parameters())

    # ------------------------------------------------------------------
    # Public API shared by every family
    # ------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None, labels=None):
        """Estimate the model parameters with the EM algorithm.

        The model is fitted ``n_init`` times and the run with the largest
        final log-likelihood is kept. Each run alternates E- and M-steps until
        the mean log-likelihood per sample changes by less than ``tol``, or for
        ``max_iter`` iterations, otherwise a ``ConvergenceWarning`` is raised.
        With ``warm_start=True`` a fitted model resumes from its parameters
        and ``n_init`` is ignored. The data are processed in blocks of rows
        sized by scikit-learn's ``working_memory``, so ``X`` may be a
        :class:`numpy.memmap` larger than memory: integer (or other non-float)
        values are converted block by block, never whole, and with the
        default ``init_sample_size=None`` the initialization of a memory map,
        a dask array or data larger than one block runs on a random sample of
        at most 100,000 rows, so memory beyond ``X`` stays bounded. In-memory
        data that fit in one block are initialized from every row, as by
        scikit-learn.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, one sample per row.

        y : Ignored
            Not used, present for API consistency by convention.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative frequency weights; an integer weight is equivalent
            to repeating the sample. At least one weight must be positive.
            Their sum is the sample size: weights all below 1 (normalized
            ones, say) raise a :class:`~skem.exceptions.SampleWeightWarning`.

        labels : array-like of shape (n_samples,), default=None
            Known components (semi-supervised fitting): an integer per row,
            its component in ``[0, n_components)``, or -1 where it is unknown.
            A labelled row keeps responsibility 1 for its component in every
            E-step, and the objective counts its complete-data
            log-likelihood ``log(pi_y p(x | theta_y))``. When every component
            has labelled rows, EM starts from their M-step and
            ``init_params`` is not used. Every row labelled gives the
            supervised (closed-form) estimate. See :ref:`prior_knowledge`.

        Returns
        -------
        self : object
            The fitted mixture.
        """
        self._fit(X, sample_weight, labels=labels)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_predict(self, X, y=None, sample_weight=None, labels=None):
        """Fit the model and return the most likely component of each sample.

        Equivalent to ``fit(X).predict(X)`` for every ``max_iter``, ``tol``
        and ``random_state``; the labels take one more pass over ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, one sample per row.

        y : Ignored
            Not used, present for API consistency by convention.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, as in :meth:`fit`.

        labels : array-like of shape (n_samples,), default=None
            Known components of the rows (-1 where unknown), as in
            :meth:`fit`.

        Returns
        -------
        labels : ndarray or dask.array.Array of shape (n_samples,)
            Component labels. A lazy dask array, chunked like the rows of
            ``X``, when ``X`` is a dask array.
        """
        return self._fit_predict(X, sample_weight, labels=labels)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None, labels=None):
        """Update the model with one mini-batch (stepwise online EM).

        The first call on an unfitted model initializes it from this batch
        (with ``init_params``, or from the ``*_init`` parameters) and learns
        the data-derived settings (number of features, ...), which later
        calls keep. Every call then runs one E-step on the batch and blends
        its statistics, per unit of sample weight, into running statistics
        ``s <- (1 - g) s + g s_batch`` with step size ``g = (learning_offset
        + t) ** -learning_decay`` at the ``t``-th update (Cappe and Moulines,
        2009), followed by an M-step. On a model fitted by :meth:`fit`, the
        first call continues from the fitted parameters. Shuffle the stream:
        batches drawn in a fixed order bias the estimate.

        After ``partial_fit``, ``n_iter_`` counts the updates since the model
        was initialized, ``lower_bound_`` is the mean log-likelihood of the
        last batch under the parameters *before* its update (a noisy running
        measure, appended to ``lower_bounds_``), and ``converged_`` is False:
        stepwise EM has no stopping rule; stop when the stream ends.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One mini-batch, one sample per row.

        y : Ignored
            Not used, present for API consistency by convention.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, as in :meth:`fit`.

        labels : array-like of shape (n_samples,), default=None
            Known components of the rows (-1 where unknown), as in
            :meth:`fit`.

        Returns
        -------
        self : object
            The updated mixture.
        """
        return self._partial_fit(X, sample_weight, labels=labels)

    def score_samples(self, X):
        """Log-likelihood of each sample under the model.

        A sample with every entry missing (NaN) has log-likelihood 0, the
        log-probability of observing nothing; only the observed entries of a
        sample enter its log-likelihood.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one per row.

        Returns
        -------
        log_prob : ndarray or dask.array.Array of shape (n_samples,)
            ``log p(x_i)``, a true log-density. A lazy dask array, chunked
            like the rows of ``X``, when ``X`` is a dask array.
        """
        return self._score_samples(X)

    def score(self, X, y=None, sample_weight=None):
        """Mean log-likelihood of the samples under the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one per row.

        y : Ignored
            Not used, present for API consistency by convention.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the average. Without them, ``X`` with as many rows as
            a weighted fit raises a :class:`~skem.exceptions.SampleWeightWarning`
            (on a frequency table pass the fit's weights).

        Returns
        -------
        log_likelihood : float
            (Weighted) mean of :meth:`score_samples`.
        """
        return self._score(X, sample_weight)

    def predict(self, X):
        """Most likely component of each sample.

        A sample with every entry missing (NaN) says nothing about its
        component: its posterior is the mixture weights, so it is labelled
        with the heaviest component, without a warning. Drop such rows first
        (``np.isnan(X).all(axis=1)``) when that label would mislead.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one per row.

        Returns
        -------
        labels : ndarray or dask.array.Array of shape (n_samples,)
            Component labels. A lazy dask array, chunked like the rows of
            ``X``, when ``X`` is a dask array.
        """
        return self._predict(X)

    def predict_proba(self, X):
        """Posterior probability of each component for each sample.

        A sample with every entry missing (NaN) gets the mixture weights,
        its prior: no observation moves it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one per row.

        Returns
        -------
        resp : ndarray or dask.array.Array of shape (n_samples, n_components)
            Responsibilities; each row sums to one. A lazy dask array,
            chunked like the rows of ``X``, when ``X`` is a dask array.
        """
        return self._predict_proba(X)

    def aic(self, X, sample_weight=None):
        """Akaike information criterion of the model on ``X``; lower is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one per row.

        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights: the log-likelihood is ``sum_i w_i log p(x_i)``,
            as if row ``i`` were repeated ``w_i`` times. Pass those of ``fit``
            for the AIC of the weighted data: without them, ``X`` with as
            many rows as a weighted fit raises a
            :class:`~skem.exceptions.SampleWeightWarning`.

        Returns
        -------
        aic : float
            ``-2 * log-likelihood + 2 * n_parameters``.
        """
        return self._information_criterion(X, "aic", sample_weight)

    def bic(self, X, sample_weight=None):
        """Bayesian information criterion of the model on ``X``; lower is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one per row.

        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights: the log-likelihood is ``sum_i w_i log p(x_i)``
            and the sample size ``sum_i w_i``, as if row ``i`` were repeated
            ``w_i`` times. They must be counts (weights all below 1 raise a
            :class:`~skem.exceptions.SampleWeightWarning`), and those of
            ``fit`` for the BIC of the weighted data: without them, ``X``
            with as many rows as a weighted fit raises the same warning.

        Returns
        -------
        bic : float
            ``-2 * log-likelihood + log(n) * n_parameters``, with ``n`` the
            number of samples (the sum of the weights).
        """
        return self._information_criterion(X, "bic", sample_weight)

    def sample(self, n_samples=1):
        """Draw samples from the fitted mixture.

        Uses ``random_state``, so an integer seed gives the same draws on
        every call.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to draw; at least 1.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The samples, grouped by component.

        y : ndarray of shape (n_samples,)
            The component of each sample.
        """
        check_is_fitted(self)
        n_samples_comp, random_state = self._draw_component_counts(n_samples)
        X = self._family.sample(
            self._parameters().components, n_samples_comp, random_state
        )
        y = np.repeat(np.arange(self.n_components), n_samples_comp)
        return X, y

    def _draw_component_counts(self, n_samples):
        if not isinstance(n_samples, Integral) or isinstance(n_samples, bool):
            raise ValueError(f"n_samples must be an integer, got {n_samples!r}.")
        if n_samples < 1:
            raise ValueError(
                f"Invalid value for 'n_samples': {n_samples}. The sampling "
                "requires at least one sample."
            )
        random_state = check_random_state(self.random_state)
        return random_state.multinomial(n_samples, self.weights_), random_state


def with_metadata_doc(parameter):
    """Decorator: document a method as the base method of its name plus ``parameter``.

    ``parameter`` is the numpydoc entry of the per-sample metadata the
    method also takes (a binomial's ``n_trials``, a Poisson's ``exposure``).
    """

    def document(method):
        doc = inspect.cleandoc(getattr(BaseMixtureEM, method.__name__).__doc__)
        head, returns = doc.split("\nReturns\n-------\n")
        method.__doc__ = f"{head}\n{parameter}\n\nReturns\n-------\n{returns}"
        return method

    return document
