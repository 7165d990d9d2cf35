"""What the EM engine needs to know of a model family, in one place.

A *family* is the shape of one component's density: Gaussian with its
covariance type, binomial with its numbers of trials. The engine
(:mod:`skem._em`) and the estimators' base (:mod:`skem._base`) hold one
:class:`Family` object and talk to it only through the methods below; the
public estimators are thin shells that build their family from their
constructor parameters.

Parameters travel as values: ``params`` is a dict of the component parameters
named as the fitted attributes (``{"probabilities_": ...}``), never state set
on the family, so one family object serves every run of ``n_init``, every
candidate of a search and every Dask worker. What a family learns from the
fit's data (``n_trials_``, the dtype of the parameters) it learns in
:meth:`Family.validate` with ``reset=True`` and keeps as attributes.

Methods a family must write:

``validate(estimator, X, *, reset, **metadata)``
    Check ``X`` and per-sample metadata (``n_trials``), learn data-derived
    settings when ``reset``; return a :class:`~skem._blocks.RowData` whose
    ``per_row`` holds the family's named row-aligned fields.
``log_prob(params, block)``
    ``log p(x_i | theta_k)`` of a block's rows, shape (n_rows,
    n_components), and a *workspace*: the E-step's scratch for this block
    and these parameters (centred rows, missingness groups), handed back to
    :meth:`Family.accumulate` of the same pass, or None.
``accumulate(params, block, resp, workspace)``
    Additive :class:`SufficientStatistics` of responsibilities that already
    carry the sample weights. ``workspace`` is what ``log_prob`` returned
    for this block and ``params``, or None (an initialization's M-step).
``m_step(stats)``
    Statistics to component parameters; never sees ``X``.
``n_parameters(params)``
    Free parameters of the components (AIC, BIC).
``sample(params, n_per_component, random_state, **metadata)``
    ``n_per_component[k]`` draws of every component ``k``, grouped.

Methods with a default (override where the family needs them):

``learn(X, **metadata)``
    Learn data-derived settings from the whole data set of a fit (numpy or
    dask arrays: reductions only) and check the user's ``*_init`` values
    against them; ``validate`` calls it when ``reset``.
``check_batch(X)``
    Checks of a later :meth:`partial_fit` batch, which updates the
    parameters but learns no setting (the Gaussian scale check).
``initialization_rows(rows, data)``
    The rows an initialization clusters and takes its first M-step on
    (``rows``, drawn from ``data``), e.g. with missing entries filled.

``prepare_block(block)``
    Row-wise checks of a block and per-row values cached once per data set
    (log binomial coefficients, which rows hold NaN), as a dict of the
    ``per_row`` field names to arrays. This is the one preparation step:
    nothing else lives across passes.
``initial_parameters(stats)``
    Parameters of an initialization: the M-step of the initial statistics,
    overridden by the user's ``*_init`` values (``stats`` is None when those
    fix everything, :attr:`Family.complete_init`).
``unconstrained(params)`` / ``constrained(arrays)``
    The component parameters as arrays in the coordinates SQUAREM
    extrapolates (logits, standard deviations, log-Cholesky factors), and
    back; ``constrained`` raises ValueError for a point that is not a model.
``degenerate(weights, params, nk)``
    Components whose fit inflates the likelihood (:mod:`skem._degeneracy`),
    as a dict of index to reason.
``init_points(data)``
    The points the clustering starts (k-means, Ward) see; default ``X``.
``fitted_attributes(params)``
    Everything the estimator exposes after a fit: the parameters plus the
    attributes derived from them (``precisions_``) and data-derived settings
    (``n_trials_``).

Prior knowledge (:meth:`Family.use_knowledge` stores the estimator's
``prior`` and ``fixed``; see the user guide's "Prior knowledge" page):

``resolve_prior(data)``
    Turn the ``prior`` specification (None, ``"conjugate"`` or a dict) into
    hyperparameters, computing data-dependent defaults (the data mean) with a
    pass over ``data``; called once per fit, after validation. ``m_step``
    then adds the prior's pseudo-statistics (a MAP step).
``log_prior(params)``
    Log density of the components' prior at ``params``; EM climbs the log
    likelihood plus this (:func:`skem._em.objective`). 0 without a prior.
``fixable``
    Dict of the names ``fixed`` accepts (``"means"``) to the parameter
    names they hold (``("means_",)``) and the ``*_init`` attribute that
    gives their values.
``hold_fixed(params)``
    ``params`` with the fixed parameters at their initial values
    (:attr:`Family.fixed`, filled by ``initial_parameters``). A family whose
    other parameters' M-step depends on a fixed one (Gaussian covariances
    around fixed means) reads :attr:`Family.fixed` in its ``m_step``.

Attributes the engine reads: ``n_components``, ``parameter_names``,
``dtype`` (of stored parameters; None keeps float64), ``row_bytes``
(memory a row needs while its block is processed), ``cache_block_bytes``
(the block size the passes aim at), ``complete_init``, and
``sphered_start`` (whether the hierarchical start clusters points sphered to
unit covariance, as ellipsoidal components see them).
"""

from dataclasses import dataclass, field, fields, is_dataclass

import numpy as np


def mean_field():
    """A statistics field that is a mean, not a sum: it never adds or scales."""
    return field(metadata={"additive": False})


@dataclass(frozen=True)
class SufficientStatistics:
    """Base of a family's sufficient statistics: a small algebra.

    Statistics of disjoint chunks of data add up to the statistics of their
    union (``+``); ``0 + s == s``, so ``sum()`` and tree reductions work; and
    ``s.scaled(c)`` multiplies every additive field by ``c``, which stepwise
    (online) EM needs. Fields are sums unless declared with
    :func:`mean_field`; a class with a mean-like field must override
    ``__add__`` (the generic elementwise sum would be wrong for it). Every
    family's statistics have the field ``nk``, the summed responsibilities.
    """

    def __add__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        if not self._all_additive():
            raise TypeError(
                f"{type(self).__name__} has mean-like fields; it must define "
                "its own __add__."
            )
        return type(self)(
            **{
                f.name: getattr(self, f.name) + getattr(other, f.name)
                for f in fields(self)
            }
        )

    def __radd__(self, other):
        if isinstance(other, int) and other == 0:
            return self
        return NotImplemented

    def scaled(self, factor):
        """These statistics with every additive field multiplied by ``factor``."""
        return type(self)(
            **{
                f.name: getattr(self, f.name) * factor
                if f.metadata.get("additive", True)
                else getattr(self, f.name)
                for f in fields(self)
            }
        )

    @classmethod
    def _all_additive(cls):
        return all(f.metadata.get("additive", True) for f in fields(cls))


class Family:
    """Base of the component families; see the module docstring.

    Parameters
    ----------
    n_components : int
        Number of mixture components.
    """

    #: Names of the component parameters (fitted attributes), besides
    #: ``weights_``.
    parameter_names = ()

    #: Whether the hierarchical start clusters sphered points.
    sphered_start = False

    #: dtype of the stored parameters (None: float64 as computed).
    dtype = None

    #: Bytes of a block's temporaries the passes aim at (None: the engine's
    #: ``CACHE_BLOCK_BYTES``). Blocks of elementwise kernels gain from more
    #: rows (less Python per row, threads that wait less for the GIL).
    cache_block_bytes = None

    #: Names ``fixed`` accepts: name -> (parameter names, ``*_init`` name).
    fixable = {}

    def __init__(self, n_components):
        self.n_components = n_components
        self.prior_spec = None  # the estimator's ``prior``
        self.prior = None  # resolved hyperparameters (resolve_prior)
        self.fixed_names = ()  # the estimator's ``fixed``, minus "weights"
        self.fixed = {}  # parameter name -> value held

    # Prior knowledge ---------------------------------------------------
    def use_knowledge(self, prior, fixed):
        """Store the estimator's ``prior`` and the components of ``fixed``.

        Checks that every name of ``fixed`` is one of :attr:`fixable` and
        that its ``*_init`` value is given; the prior's keys are checked by
        :meth:`resolve_prior`.
        """
        self.prior_spec = prior
        names = tuple(name for name in fixed if name != "weights")
        for name in names:
            if name not in self.fixable:
                valid = ["weights", *self.fixable]
                raise ValueError(
                    f"fixed names {name!r}, which is not a parameter of this "
                    f"model; it may name {valid}."
                )
            init = self.fixable[name][1]
            if getattr(self, init, None) is None:
                raise ValueError(
                    f"fixed holds {name!r} at its initial value, but {init} is "
                    f"None: pass {init}."
                )
        self.fixed_names = names
        return self

    @property
    def has_prior(self):
        return self.prior is not None

    def resolve_prior(self, data):
        if self.prior_spec is not None:
            raise ValueError(f"{type(self).__name__} has no prior; use prior=None.")

    def log_prior(self, params):
        return 0.0

    def prior_hyperparameters(self):
        """The resolved prior as a dict (the estimator's ``prior_``)."""
        prior = self.prior
        if prior is None:
            return {}
        if is_dataclass(prior):
            return {f.name: getattr(prior, f.name) for f in fields(prior)}
        return dict(prior)

    def fix_initial_values(self):
        """Take the values of the fixed parameters from the ``*_init`` values."""
        if not self.fixed_names:
            self.fixed = {}
            return
        values = self.initial_parameters(None)
        self.fixed = {
            name: values[name]
            for spec in self.fixed_names
            for name in self.fixable[spec][0]
        }

    def hold_fixed(self, params):
        if not self.fixed:
            return params
        return {**params, **self.fixed}

    def fixed_parameter_count(self, params):
        """Free parameters that :attr:`fixed` holds (left out of BIC)."""
        return sum(
            int(np.size(params[name]))
            for spec in self.fixed_names
            for name in self.fixable[spec][0][:1]
        )

    # Required ---------------------------------------------------------
    def validate(self, estimator, X, *, reset, **metadata):
        raise NotImplementedError

    def log_prob(self, params, block):
        raise NotImplementedError

    def accumulate(self, params, block, resp, workspace=None):
        raise NotImplementedError

    def m_step(self, stats):
        raise NotImplementedError

    def n_parameters(self, params):
        raise NotImplementedError

    def sample(self, params, n_per_component, random_state, **metadata):
        raise NotImplementedError

    # Optional ---------------------------------------------------------
    complete_init = False

    def learn(self, X, **metadata):
        pass

    def check_batch(self, X):
        pass

    def initialization_rows(self, rows, data):
        return rows

    def prepare_block(self, block):
        return {}

    def initial_parameters(self, stats):
        return self.m_step(stats)

    def unconstrained(self, params):
        raise ValueError(
            f"{type(self).__name__} does not support acceleration='squarem'."
        )

    def constrained(self, arrays):
        return self.unconstrained(None)  # the same ValueError

    def degenerate(self, weights, params, nk):
        return {}

    def init_points(self, data):
        return data.X

    def fitted_attributes(self, params):
        return dict(params)

    def row_bytes(self, n_features):
        """Bytes of temporaries per row while a block is processed."""
        return 8 * (3 * n_features + 4 * self.n_components)

    def cast(self, params):
        """``params`` stored in :attr:`dtype` (float32 fits keep float32)."""
        if self.dtype is None:
            return params
        return {
            name: np.asarray(value, dtype=self.dtype) for name, value in params.items()
        }
