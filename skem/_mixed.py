"""Mixed-type mixtures: a product of families over groups of columns.

Given its component, a row's column groups are independent: a group of
Gaussian measurements, a group of binomial counts, a group of categories.
So the log-density of a row is the sum of its groups' log-densities and
the sufficient statistics are the tuple of the groups' statistics, each
group's M-step running on its own. :class:`ProductFamily` is that product,
itself a :class:`~skem._family.Family`: the engine sees one family and
needs no change. :class:`MixedMixture` is the public shell; its groups are
built by the families' own estimators, so a group takes exactly the options
(and defaults) of that family's estimator, and a model of one group is that
estimator.
"""

import functools
import inspect
from dataclasses import dataclass, replace

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import validate_data

from ._base import BaseMixtureEM
from ._binomial import BinomialFamily, BinomialMixture
from ._blocks import RowData, RowFields, converted_per_block
from ._categorical import CategoricalMixture
from ._compat import validate_parameter_constraints
from ._em import rows_per_block
from ._family import Family, SufficientStatistics
from ._gaussian import GaussianMixtureEM
from ._poisson import PoissonMixture
from ._validation import check_features_observed, observed_feature_means

#: The families a group may have, by name: the estimator of each builds the
#: group's family from the group's options.
FAMILY_ESTIMATORS = {
    "gaussian": GaussianMixtureEM,
    "binomial": BinomialMixture,
    "poisson": PoissonMixture,
    "categorical": CategoricalMixture,
}

#: Options of a group that are the group's prior knowledge: the ``prior`` and
#: ``fixed`` of its family's estimator, for that group's parameters.
_KNOWLEDGE_OPTIONS = ("prior", "fixed")

#: Constructor parameters of a family's estimator that belong to the whole
#: mixture (the engine's), not to one group.
_ENGINE_PARAMETERS = (
    frozenset(inspect.signature(BaseMixtureEM.__init__).parameters)
    | {"self", "weights_init", "fit_weights", "n_threads"}
) - set(_KNOWLEDGE_OPTIONS)


def group_options(family_name):
    """The options a group of family ``family_name`` takes, with defaults."""
    estimator = FAMILY_ESTIMATORS[family_name]
    return {
        name: parameter.default
        for name, parameter in inspect.signature(estimator).parameters.items()
        if name not in _ENGINE_PARAMETERS
    }


# ----------------------------------------------------------------------
# Statistics and per-row fields of a product
# ----------------------------------------------------------------------
@dataclass(frozen=True)
class ProductStats(SufficientStatistics):
    """Statistics of a product family: its members' statistics, in order.

    Attributes
    ----------
    members : tuple of SufficientStatistics
        One per column group; they add and scale member by member.
    """

    members: tuple

    @property
    def nk(self):
        # Every member sums the same responsibilities.
        return self.members[0].nk

    def __add__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return ProductStats(
            tuple(a + b for a, b in zip(self.members, other.members, strict=True))
        )

    def scaled(self, factor):
        return ProductStats(tuple(m.scaled(factor) for m in self.members))


@dataclass(frozen=True)
class ProductRows(RowFields):
    """Per-row fields of a product: each member's, and their cached values.

    Attributes
    ----------
    members : tuple of RowFields or None
        The per-row fields each member's ``validate`` gave.
    caches : structured ndarray of shape (n_samples,) or None
        The members' ``prepare_block`` values, one named field
        ``"{member}:{name}"`` each (one array, so that the engine caches and
        slices them as any family's).
    """

    members: tuple = ()
    caches: object = None

    def take(self, rows):
        return ProductRows(
            tuple(None if m is None else m.take(rows) for m in self.members),
            None if self.caches is None else self.caches[rows],
        )

    def check_rows(self, n_samples):
        for member in self.members:
            if member is not None:
                member.check_rows(n_samples)
        if self.caches is not None and len(self.caches) != n_samples:
            raise ValueError(
                f"caches has {len(self.caches)} rows, but X has {n_samples} rows."
            )

    def member(self, i):
        """Member ``i``'s per-row fields, its cached values filled in."""
        rows = self.members[i]
        if self.caches is None or rows is None:
            return rows
        prefix = f"{i}:"
        values = {
            name[len(prefix) :]: self.caches[name]
            for name in self.caches.dtype.names
            if name.startswith(prefix)
        }
        return replace(rows, **values) if values else rows


def _pack_caches(caches, n_rows):
    """Members' cached arrays as one structured array (None: no cache)."""
    if not caches:
        return None
    dtype = [(name, v.dtype, v.shape[1:]) for name, v in caches.items()]
    packed = np.empty(n_rows, dtype=dtype)
    for name, values in caches.items():
        packed[name] = values
    return packed


# ----------------------------------------------------------------------
# Validation of a group's columns
# ----------------------------------------------------------------------
class _GroupValidator(BaseEstimator):
    """What a member's ``validate`` sees as its estimator: its columns' count.

    A member validates its block of columns with scikit-learn's
    ``validate_data(estimator, ...)``, which records (``reset=True``) or
    checks (``reset=False``) the number of features on the estimator it is
    given. The mixture's own count is that of every column and is recorded
    once, on the mixture; each member gets one of these instead, so its
    checks run unchanged on its columns.
    """


@functools.cache
def _validator_class(name):
    # Named as the mixture, so members' messages name it ("Negative values
    # in data passed to MixedMixture").
    return type(name, (_GroupValidator,), {"__module__": __name__})


def _group_validator(estimator, n_columns):
    validator = _validator_class(type(estimator).__name__)()
    validator.n_features_in_ = n_columns
    return validator


class _MemberData:
    """Member ``i``'s columns of whole data, for its :meth:`resolve_prior`.

    What a member's prior may compute from the fit's data (the data mean):
    ``reduce`` runs the member's function on the member's columns of every
    block of the data, in memory or distributed, in blocks sized for the
    whole rows.
    """

    def __init__(self, family, i, data):
        self._family = family
        self._i = i
        self._data = data
        self.is_distributed = data.is_distributed
        self.n_samples = data.n_samples
        self.n_features = len(family.columns[i])
        self.sample_weight = data.sample_weight
        per_row = getattr(data, "per_row", None)
        self.per_row = per_row.member(i) if isinstance(per_row, ProductRows) else None

    @property
    def X(self):
        return self._data.X[:, self._family.takes[self._i]]

    def weight_total(self):
        return self._data.weight_total()

    def reduce(self, function, block_size, parallel=True):
        # The member's block size counts its columns only; the blocks hold
        # every column until the member's are taken.
        return self._data.reduce(
            functools.partial(_member_pass, self._family, self._i, function),
            rows_per_block(self._family, self._data),
            parallel,
        )


def _member_pass(family, i, function, block):
    return function(family._member_block(block, i))


def _has_prior(family):
    """Whether ``family`` has a prior (overrides :meth:`Family.resolve_prior`)."""
    return type(family).resolve_prior is not Family.resolve_prior


class _MemberView:
    """Member ``i``'s columns of whole data, sliced only when ``X`` is read.

    What a member's ``initialization_rows`` may read of the whole data: its
    columns of ``X``, the sample weights and its per-row fields.
    """

    def __init__(self, data, take, per_row):
        self._data = data
        self._take = take
        self.per_row = per_row
        self.sample_weight = getattr(data, "sample_weight", None)
        self.n_samples = data.n_samples

    @property
    def X(self):
        return self._data.X[:, self._take]


def _as_take(columns):
    """Column indices as a slice when they are consecutive (a view, no copy)."""
    if len(columns) and np.array_equal(
        columns, np.arange(columns[0], columns[0] + len(columns))
    ):
        return slice(int(columns[0]), int(columns[0]) + len(columns))
    return columns


# ----------------------------------------------------------------------
# The product family
# ----------------------------------------------------------------------
class ProductFamily(Family):
    """Independent column groups given the component, each of its own family.

    Parameters
    ----------
    n_components : int
    members : list of (str, Family, column specification, dict)
        The groups: family name, family object, the columns as given
        (integers, a slice, a boolean mask or feature names), resolved
        against the data by :meth:`validate`, and the group's own prior
        knowledge (its ``"prior"`` and ``"fixed"`` options, when given).

    The component parameters are ``{"groups_": [...]}``: per group, a dict
    with ``"family"``, ``"columns"`` (integer indices) and ``"params"`` (the
    member's parameters). The E-step's workspace is the members' column
    blocks and workspaces.
    """

    parameter_names = ("groups_",)

    def __init__(self, n_components, members):
        super().__init__(n_components)
        self.names = [member[0] for member in members]
        self.members = [member[1] for member in members]
        self.column_specs = [member[2] for member in members]
        self.knowledge = [member[3] if len(member) > 3 else {} for member in members]
        self.complete_init = all(m.complete_init for m in self.members)
        if len(self.members) == 1:
            self.sphered_start = self.members[0].sphered_start
        self.feature_names = None

    # Data -------------------------------------------------------------
    def validate(self, estimator, X, *, reset):
        per_block = converted_per_block(X)
        X = validate_data(
            estimator,
            X,
            dtype=None if per_block else [np.float64, np.float32],
            reset=reset,
            ensure_all_finite="allow-nan",
        )
        if reset:
            self.feature_names = getattr(estimator, "feature_names_in_", None)
            self._learn_columns(X)
        rows = []
        for i, member in enumerate(self.members):
            with self._group(i):
                part = member.validate(
                    _group_validator(estimator, len(self.columns[i])),
                    X[:, self.takes[i]],
                    reset=reset,
                )
            rows.append(part.per_row)
        # Every group computes in float64 (a float32 or integer X is
        # converted block by block).
        return RowData(X, per_row=ProductRows(tuple(rows)), dtype=np.float64)

    def learn(self, X):
        self._learn_columns(X)
        for i, member in enumerate(self.members):
            with self._group(i):
                member.learn(X[:, self.takes[i]])

    def _learn_columns(self, X):
        """Resolve the groups' columns against ``X``; check every column is fit."""
        n_features = X.shape[1]
        columns = [
            self._resolve(i, spec, n_features)
            for i, spec in enumerate(self.column_specs)
        ]
        owners = {}
        for i, indices in enumerate(columns):
            for j in indices.tolist():
                if j in owners:
                    raise ValueError(
                        f"Column {j} of X is in two groups of columns, {owners[j]} "
                        f"and {i}: every column must be in exactly one group."
                    )
                owners[j] = i
        missing = sorted(set(range(n_features)) - set(owners))
        if missing:
            raise ValueError(
                f"Columns {missing} of X are in no group of columns: every column "
                "must be in exactly one group (drop the columns from X to leave "
                "them out of the model)."
            )
        self.columns = columns
        self.takes = [_as_take(c) for c in columns]
        check_features_observed(X, self.feature_names)

    def _resolve(self, i, spec, n_features):
        """Integer indices of group ``i``'s columns."""
        where = f"The columns of group {i} ({self.names[i]!r})"
        if isinstance(spec, slice):
            indices = np.arange(n_features)[spec]
        else:
            values = np.atleast_1d(np.asarray(spec))
            if values.ndim != 1:
                raise ValueError(f"{where} must be a 1-D list, got {spec!r}.")
            kind = values.dtype.kind
            if kind in "OUS" and all(isinstance(v, str) for v in values):
                indices = self._named(where, values)
            elif kind == "b":
                if len(values) != n_features:
                    raise ValueError(
                        f"{where} are a boolean mask of {len(values)} entries, "
                        f"but X has {n_features} columns."
                    )
                indices = np.flatnonzero(values)
            elif kind in "iu":
                indices = values.astype(np.intp)
                bad = indices[(indices < 0) | (indices >= n_features)]
                if len(bad):
                    raise ValueError(
                        f"{where} include {int(bad[0])}, but X has {n_features} "
                        f"columns (indices 0 to {n_features - 1})."
                    )
            else:
                raise ValueError(
                    f"{where} must be integers, a slice, a boolean mask or "
                    f"feature names, got {spec!r}."
                )
        if len(indices) == 0:
            raise ValueError(f"{where} are empty.")
        if len(np.unique(indices)) != len(indices):
            raise ValueError(f"{where} repeat a column: {indices.tolist()}.")
        return indices

    def _named(self, where, names):
        if self.feature_names is None:
            raise ValueError(
                f"{where} are given by name, {names.tolist()}, but X has no "
                "column names (pass a pandas DataFrame, or integer indices)."
            )
        position = {name: j for j, name in enumerate(self.feature_names)}
        unknown = [name for name in names if name not in position]
        if unknown:
            raise ValueError(f"{where} name unknown columns of X: {unknown}.")
        return np.array([position[name] for name in names], dtype=np.intp)

    def _group(self, i):
        return _GroupErrors(i, self.names[i], getattr(self, "columns", None))

    def _member_block(self, block, i):
        return RowData(
            np.ascontiguousarray(block.X[:, self.takes[i]]),
            block.sample_weight,
            block.per_row.member(i),
            block.first_row,
        )

    def check_batch(self, X):
        for i, member in enumerate(self.members):
            with self._group(i):
                member.check_batch(X[:, self.takes[i]])

    def prepare_block(self, block):
        caches = {}
        for i, member in enumerate(self.members):
            with self._group(i):
                values = member.prepare_block(self._member_block(block, i))
            caches.update({f"{i}:{name}": v for name, v in values.items()})
        packed = _pack_caches(caches, block.n_samples)
        return {} if packed is None else {"caches": packed}

    def initialization_rows(self, rows, data):
        parts = [
            member.initialization_rows(
                self._member_block(rows, i),
                # Dask data hold no per-row fields on the client.
                _MemberView(data, self.takes[i], getattr(data, "per_row", None)),
            )
            for i, member in enumerate(self.members)
        ]
        X = rows.X
        if any(part.X is not None for part in parts):
            X = X.copy()
            for i, part in enumerate(parts):
                X[:, self.takes[i]] = part.X
        per_row = ProductRows(tuple(part.per_row for part in parts))
        return RowData(X, rows.sample_weight, per_row, rows.first_row)

    def init_points(self, data):
        if len(self.members) == 1:
            return self.members[0].init_points(self._member_block(data, 0))
        # Each column standardized to (weighted) mean 0 and variance 1, so
        # that no group's units (a measurement in grams, a proportion) weigh
        # more in the clustering than another's.
        points = np.hstack(
            [
                np.asarray(
                    member.init_points(self._member_block(data, i)), dtype=np.float64
                )
                for i, member in enumerate(self.members)
            ]
        )
        weights = data.sample_weight
        centred = points - observed_feature_means(points, weights)
        scale = np.sqrt(observed_feature_means(centred**2, weights))
        scale[~(scale > 0)] = 1.0  # a constant (or unobserved) column
        return centred / scale

    def row_bytes(self, n_features):
        # The members' temporaries and a copy of their columns.
        return 8 * n_features + sum(
            member.row_bytes(len(spec))
            for member, spec in zip(self.members, self._column_counts(), strict=True)
        )

    def _column_counts(self):
        columns = getattr(self, "columns", None)
        if columns is None:  # before the data are seen: a rough count
            return [[0]] * len(self.members)
        return columns

    # Prior knowledge --------------------------------------------------
    def use_knowledge(self, prior, fixed):
        """The mixture's ``prior`` and ``fixed``, then every group's.

        The mixture's ``fixed`` may hold only ``"weights"`` (the engine's)
        and a dict ``prior`` only ``"weight_concentration"``; ``"conjugate"``
        gives every group without a ``"prior"`` option its family's
        conjugate prior. A group's ``"prior"`` and ``"fixed"`` options go to
        its family.
        """
        components = [name for name in fixed if name != "weights"]
        if components:
            raise ValueError(
                f"MixedMixture's fixed may hold only 'weights', got {components}: "
                "the parameters of a group are fixed in its options, e.g. "
                "('gaussian', [0, 1], {'fixed': ('means',), 'means_init': ...})."
            )
        if isinstance(prior, dict):
            unknown = sorted(set(prior) - {"weight_concentration"})
            if unknown:
                raise ValueError(
                    f"prior has unknown keys {unknown}: MixedMixture's prior dict "
                    "takes only 'weight_concentration' (the Dirichlet prior of "
                    "the weights); the prior of a group's parameters is its "
                    "option 'prior', e.g. ('gaussian', [0, 1], {'prior': "
                    "{'shrinkage': 0.1}}), or prior='conjugate' for every group."
                )
        self.prior_spec = prior
        self.fixed_names = ()
        for i, (member, knowledge) in enumerate(
            zip(self.members, self.knowledge, strict=True)
        ):
            if "prior" in knowledge:
                member_prior = knowledge["prior"]
            else:
                member_prior = "conjugate" if prior == "conjugate" else None
                if member_prior is not None and not _has_prior(member):
                    raise ValueError(
                        "prior='conjugate' gives every group of columns its "
                        f"family's conjugate prior, but group {i} "
                        f"({self.names[i]!r}) has none: give that group the "
                        "option 'prior': None."
                    )
            with self._group(i):
                member.use_knowledge(member_prior, tuple(knowledge.get("fixed", ())))
        return self

    @property
    def has_prior(self):
        return any(member.has_prior for member in self.members)

    def resolve_prior(self, data):
        for i, member in enumerate(self.members):
            with self._group(i):
                member.resolve_prior(_MemberData(self, i, data))

    def prior_hyperparameters(self):
        """The groups' resolved priors, in the order of the groups."""
        return {
            "groups": [
                member.prior_hyperparameters() if member.has_prior else None
                for member in self.members
            ]
        }

    def log_prior(self, params):
        return sum(
            member.log_prior(p)
            for member, p in zip(self.members, self._member_params(params), strict=True)
        )

    def fix_initial_values(self):
        for i, member in enumerate(self.members):
            with self._group(i):
                member.fix_initial_values()

    def hold_fixed(self, params):
        if not any(member.fixed for member in self.members):
            return params
        return self._groups(
            [
                member.hold_fixed(p)
                for member, p in zip(
                    self.members, self._member_params(params), strict=True
                )
            ]
        )

    def fixed_parameter_count(self, params):
        return sum(
            member.fixed_parameter_count(p)
            for member, p in zip(self.members, self._member_params(params), strict=True)
        )

    # EM ---------------------------------------------------------------
    @staticmethod
    def _member_params(params):
        return [group["params"] for group in params["groups_"]]

    def _groups(self, member_params):
        return {
            "groups_": [
                {"family": name, "columns": columns, "params": params}
                for name, columns, params in zip(
                    self.names, self.columns, member_params, strict=True
                )
            ]
        }

    def log_prob(self, params, block):
        blocks = [self._member_block(block, i) for i in range(len(self.members))]
        log_prob, workspaces = None, []
        for member, member_params, member_block in zip(
            self.members, self._member_params(params), blocks, strict=True
        ):
            part, workspace = member.log_prob(member_params, member_block)
            workspaces.append(workspace)
            if log_prob is None:
                log_prob = np.array(part, dtype=np.float64)  # ours to add into
            else:
                log_prob += part
        return log_prob, (blocks, workspaces)

    def accumulate(self, params, block, resp, workspace=None):
        n_members = len(self.members)
        if workspace is None:
            blocks = [self._member_block(block, i) for i in range(n_members)]
            workspaces = [None] * n_members
        else:
            blocks, workspaces = workspace
        member_params = (
            [None] * n_members if params is None else self._member_params(params)
        )
        return ProductStats(
            tuple(
                member.accumulate(p, b, resp, w)
                for member, p, b, w in zip(
                    self.members, member_params, blocks, workspaces, strict=True
                )
            )
        )

    def m_step(self, stats):
        return self._groups(
            [m.m_step(s) for m, s in zip(self.members, stats.members, strict=True)]
        )

    def initial_parameters(self, stats):
        member_stats = [None] * len(self.members) if stats is None else stats.members
        return self._groups(
            [
                m.initial_parameters(s)
                for m, s in zip(self.members, member_stats, strict=True)
            ]
        )

    def unconstrained(self, params):
        parts = [
            member.unconstrained(p)
            for member, p in zip(self.members, self._member_params(params), strict=True)
        ]
        # How many arrays each member's coordinates are: a constant of the
        # family (SQUAREM packs before it unpacks), kept to split them back.
        self._coordinate_counts = [len(part) for part in parts]
        return [array for part in parts for array in part]

    def constrained(self, arrays):
        member_params, start = [], 0
        for member, count in zip(self.members, self._coordinate_counts, strict=True):
            member_params.append(member.constrained(arrays[start : start + count]))
            start += count
        return self._groups(member_params)

    def degenerate(self, weights, params, nk):
        reasons = {}
        for i, (member, member_params) in enumerate(
            zip(self.members, self._member_params(params), strict=True)
        ):
            for k, why in member.degenerate(weights, member_params, nk).items():
                if len(self.members) > 1:
                    why = f"{why} (column group {i}, {self.names[i]!r})"
                reasons[k] = f"{reasons[k]}, and {why}" if k in reasons else why
        return reasons

    def n_parameters(self, params):
        return sum(
            member.n_parameters(p)
            for member, p in zip(self.members, self._member_params(params), strict=True)
        )

    def fitted_attributes(self, params):
        return self._groups(
            [
                member.fitted_attributes(p)
                for member, p in zip(
                    self.members, self._member_params(params), strict=True
                )
            ]
        )

    def sample(self, params, n_per_component, random_state):
        n_samples = int(np.sum(n_per_component))
        X = np.empty((n_samples, sum(len(c) for c in self.columns)))
        for i, (member, member_params) in enumerate(
            zip(self.members, self._member_params(params), strict=True)
        ):
            metadata = {}
            if isinstance(member, BinomialFamily):  # draws of its fitted trials
                metadata["n_trials"] = member.n_trials_
            X[:, self.takes[i]] = member.sample(
                member_params, n_per_component, random_state, **metadata
            )
        return X


class _GroupErrors:
    """Re-raise a member's ValueError naming the group it came from."""

    def __init__(self, i, name, columns):
        self.prefix = f"In column group {i} ({name!r})"
        if columns is not None:
            n_columns = len(columns[i])
            self.prefix += (
                f", the columns {columns[i].tolist()} of X (numbered 0 to "
                f"{n_columns - 1} within the group)"
            )

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None and issubclass(kind, ValueError):
            raise ValueError(f"{self.prefix}: {error}") from error
        return False


# ----------------------------------------------------------------------
# The public estimator
# ----------------------------------------------------------------------
def build_groups(n_components, columns):
    """The ``(name, family, columns, knowledge)`` members of ``columns``.

    Each group's family is made by its family's estimator from the group's
    options, after checking them against that estimator's constraints;
    ``knowledge`` holds the group's ``"prior"`` and ``"fixed"`` options
    (those given), which :meth:`ProductFamily.use_knowledge` hands to the
    family.
    """
    if columns is None:
        columns = [("gaussian", slice(None), {})]
    if len(columns) == 0:
        raise ValueError("columns must hold at least one group of columns.")
    members = []
    for i, group in enumerate(columns):
        if not isinstance(group, tuple | list) or len(group) not in (2, 3):
            raise ValueError(
                f"Group {i} of columns must be a tuple (family, columns, options) "
                f"or (family, columns), got {group!r}."
            )
        name, spec = group[0], group[1]
        options = {} if len(group) == 2 or group[2] is None else group[2]
        if name not in FAMILY_ESTIMATORS:
            raise ValueError(
                f"Group {i} of columns has an unknown family {name!r}: use one "
                f"of {sorted(FAMILY_ESTIMATORS)}."
            )
        if not isinstance(options, dict):
            raise ValueError(
                f"The options of group {i} ({name!r}) must be a dict, got {options!r}."
            )
        allowed = group_options(name)
        unknown = sorted(set(options) - set(allowed))
        if unknown:
            raise ValueError(
                f"Group {i} ({name!r}) got unknown options {unknown}: a "
                f"{name!r} group takes {sorted(allowed)}."
            )
        estimator_class = FAMILY_ESTIMATORS[name]
        validate_parameter_constraints(
            {key: estimator_class._parameter_constraints[key] for key in options},
            options,
            caller_name=f"column group {i} ({name!r})",
        )
        estimator = estimator_class(n_components=n_components, **options)
        family = estimator._make_family()
        knowledge = {key: options[key] for key in _KNOWLEDGE_OPTIONS if key in options}
        _check_group_knowledge(i, name, estimator, family, knowledge)
        members.append((name, family, spec, knowledge))
    return members


def _check_group_knowledge(i, name, estimator, family, knowledge):
    """Check a group's ``fixed`` names; refuse its knowledge of the weights."""
    if "fixed" in knowledge:
        fixed = estimator._check_fixed()
        if "weights" in fixed:
            raise ValueError(
                f"Group {i} ({name!r}) fixes 'weights', which are the "
                "mixture's, not a group's: pass fixed=('weights',) (and "
                "weights_init) to MixedMixture."
            )
        unknown = [spec for spec in fixed if spec not in family.fixable]
        if unknown:
            raise ValueError(
                f"Group {i} ({name!r}) fixes {unknown}, which a {name!r} group "
                f"does not have; it may fix {list(family.fixable)}."
            )
        knowledge["fixed"] = fixed
    prior = knowledge.get("prior")
    if isinstance(prior, dict) and "weight_concentration" in prior:
        raise ValueError(
            f"Group {i} ({name!r}) has a prior with 'weight_concentration', the "
            "prior of the mixture weights, which are the mixture's, not a "
            "group's: pass prior={'weight_concentration': ...} to MixedMixture."
        )


class MixedMixture(BaseMixtureEM):
    """Mixture of independent column groups of different families (mixed data).

    A row of a clinical table holds measurements (age, blood pressure),
    counts (vessels seen on a scan) and categories (chest pain type) side by
    side. Here each group of columns has its own family, as
    :class:`~sklearn.compose.ColumnTransformer` gives each its own
    transformer, and given the component the groups are independent: a
    row's log-density is the sum of its groups' log-densities, and each
    group's parameters are estimated as its family's estimator would,
    from the shared responsibilities. A model of one group is that family's
    estimator.

    Read more in the :ref:`User Guide <mixed_mixture>`.

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components.

    columns : list of tuples (family, columns, options), default=None
        The groups of columns. ``family`` is one of ``'gaussian'``
        (:class:`GaussianMixtureEM`'s family), ``'binomial'``
        (:class:`BinomialMixture`'s), ``'poisson'`` (:class:`PoissonMixture`'s)
        and ``'categorical'`` (:class:`CategoricalMixture`'s). ``columns``
        are the group's columns of ``X``: integers, a slice, a boolean mask,
        or names when ``X`` is a DataFrame. ``options`` (may be left out) is
        a dict of that family estimator's own parameters, with its defaults:
        ``covariance_type``, ``reg_covar``, ``means_init``,
        ``precisions_init`` for a Gaussian group; ``n_trials``,
        ``probability_floor``, ``probabilities_init`` for a binomial one;
        ``rate_floor``, ``rates_init`` for a Poisson one;
        ``probability_floor``, ``category_probabilities_init`` for a
        categorical one. Every group also takes ``"prior"`` and ``"fixed"``,
        its family estimator's ``prior`` and ``fixed`` for the group's
        parameters (see ``prior`` and ``fixed`` below). Every column of
        ``X`` must be in exactly one group. None is one Gaussian group (full
        covariances) of every column.

    tol : float, default=1e-6
        Convergence threshold, applied as ``stopping_rule`` says (by default
        on the change of the total log-likelihood).

    max_iter : int, default=1000
        Maximum number of EM steps (evaluations of the EM map).

    n_init : int, default=1
        Number of initializations; the best non-degenerate run is kept.

    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data', \
            'hierarchical', 'emem', 'emem-hierarchical', 'emem-split-merge'}, \
            default='kmeans'
        Method used to initialize the responsibilities. The clustering
        starts see every group's points as its family's estimator shows
        them (success proportions of a binomial group, ...), each column
        standardized to mean 0 and variance 1 when there are several
        groups, so that no group's units dominate; with one group, exactly
        that family's points.

    init_sample_size : int, default=None
        Number of rows the ``init_params`` strategy runs on (None: as
        :class:`BinomialMixture`).

    learning_decay : float, default=0.7
        Exponent of the step-size schedule of :meth:`partial_fit`.

    learning_offset : float, default=2.0
        Offset of the step-size schedule of :meth:`partial_fit`.

    stopping_rule : {'mean', 'total', 'aitken'}, default='total'
        How ``tol`` is applied to successive log-likelihoods, as in
        :class:`BinomialMixture`.

    acceleration : {None, 'squarem'}, default='squarem'
        SQUAREM extrapolation of the EM steps over every group's
        coordinates at once; None gives plain EM.

    weights_init : array-like of shape (n_components,), default=None
        Initial mixture weights. Initial component parameters are options
        of the groups (``means_init``, ``probabilities_init``, ...).

    prior : {None, 'conjugate'} or dict, default=None
        Prior distribution of the parameters, for maximum a posteriori (MAP)
        estimation; None is maximum likelihood. ``'conjugate'`` gives every
        group its family's conjugate prior with that family's defaults (a
        Gaussian group :class:`GaussianMixtureEM`'s ``prior='conjugate'``),
        except the groups with a ``"prior"`` option. A group's own prior,
        or its hyperparameters, is its ``"prior"`` option, as its family's
        estimator takes it: ``("gaussian", [0, 1], {"prior": {"shrinkage":
        0.1}})``; ``{"prior": None}`` leaves a group without one. A dict
        here takes only ``'weight_concentration'``, ``alpha >= 1`` of a
        symmetric Dirichlet prior on the mixture weights (1: none), and
        gives the groups no prior but their own. The log prior of the
        mixture is the sum of its groups' (and the weights'); ``lower_bound_``
        and ``lower_bounds_`` are then the log-posterior (up to a constant)
        per unit of sample weight. See :ref:`prior_knowledge`.

    fixed : tuple of str, default=()
        ``('weights',)`` holds the mixture weights at ``weights_init``
        instead of estimating them; it takes no other name. A group's
        parameters are held at their initial values by its ``"fixed"``
        option, with the names of its family's estimator and the initial
        values among its options: ``("gaussian", [0, 1], {"fixed":
        ("means",), "means_init": ...})``. Fixed parameters are not counted
        by :meth:`aic` and :meth:`bic`. See :ref:`prior_knowledge`.

    random_state : int, RandomState instance or None, default=None
        Controls the initialization and :meth:`sample`.

    warm_start : bool, default=False
        If True, each ``fit`` starts from the previous solution.

    verbose : int, default=0
        Verbosity of the fit.

    verbose_interval : int, default=10
        Number of iterations between two messages.

    n_threads : int or None, default=None
        Threads the passes over the data run on, as in
        :class:`BinomialMixture`.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        Mixture weights.

    groups_ : list of dict
        One dict per group, in the order of ``columns``: ``"family"`` (its
        name), ``"columns"`` (integer indices into ``X``) and ``"params"``,
        the fitted attributes that family's estimator would have (without
        ``weights_``): ``means_``, ``covariances_``, ``precisions_``,
        ``precisions_cholesky_`` of a Gaussian group, ``probabilities_`` and
        ``n_trials_`` of a binomial one, ``rates_`` of a Poisson one,
        ``category_probabilities_`` and ``n_categories_`` of a categorical
        one.

    converged_ : bool
        Whether the best run converged.

    n_iter_ : int
        Number of EM steps of the best run.

    lower_bound_ : float
        Mean log-likelihood per sample of the returned parameters on the
        training data.

    lower_bounds_ : list of float
        Log-likelihoods of the best run; ``lower_bounds_[-1] == lower_bound_``.

    prior_ : dict
        The prior's hyperparameters used, data-dependent defaults filled in
        (``"groups"``, one dict per group, ``"weight_concentration"``); only
        when ``prior`` is not None.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    GaussianMixtureEM, BinomialMixture, PoissonMixture, CategoricalMixture :
        The families of the groups, each on its own.

    Notes
    -----
    Missing values (NaN) are allowed where the group's family allows them
    and drop out of that group's log-density. A bad value in a group (a
    negative count, a count above ``n_trials``) is reported with the group
    and its columns; column numbers inside such a message count within the
    group. ``score_samples`` is the log-density of the whole row (binomial
    coefficients included), so AIC and BIC compare mixed models, and the
    number of free parameters is the sum of the groups' plus the weights'.

    Examples
    --------
    >>> import numpy as np
    >>> from skem import MixedMixture
    >>> rng = np.random.RandomState(0)
    >>> labels = np.repeat([0, 1], 50)
    >>> measurements = rng.normal(size=(100, 2)) + 4 * labels[:, None]
    >>> counts = rng.binomial(10, np.where(labels, 0.8, 0.2)[:, None], (100, 1))
    >>> X = np.hstack([measurements, counts])
    >>> model = MixedMixture(
    ...     n_components=2,
    ...     columns=[("gaussian", [0, 1], {"covariance_type": "diag"}),
    ...              ("binomial", [2], {"n_trials": 10})],
    ...     random_state=0,
    ... ).fit(X)
    >>> [group["family"] for group in model.groups_]
    ['gaussian', 'binomial']
    >>> np.sort(model.groups_[1]["params"]["probabilities_"].ravel()).round(1)
    array([0.2, 0.8])
    >>> bool((model.predict(X) == labels).all() or (model.predict(X) != labels).all())
    True
    """

    _parameter_constraints: dict = {
        **BaseMixtureEM._parameter_constraints,
        "columns": [None, list],
        "weights_init": ["array-like", None],
    }

    def __init__(
        self,
        n_components=1,
        *,
        columns=None,
        tol=1e-6,
        max_iter=1000,
        n_init=1,
        init_params="kmeans",
        init_sample_size=None,
        learning_decay=0.7,
        learning_offset=2.0,
        stopping_rule="total",
        acceleration="squarem",
        weights_init=None,
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
        self.n_threads = n_threads
        self.columns = columns
        self.weights_init = weights_init

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            names = [group[0] for group in build_groups(1, self.columns)]
        except (ValueError, TypeError):  # refused by fit, with its message
            return tags
        family_tags = [FAMILY_ESTIMATORS[name]().__sklearn_tags__() for name in names]
        tags.input_tags.allow_nan = all(t.input_tags.allow_nan for t in family_tags)
        tags.input_tags.positive_only = any(
            t.input_tags.positive_only for t in family_tags
        )
        tags.input_tags.categorical = any(t.input_tags.categorical for t in family_tags)
        return tags

    def _make_family(self):
        return ProductFamily(
            self.n_components, build_groups(self.n_components, self.columns)
        )
