"""Choosing a mixture by information criteria.

Two tools, for the two ways scikit-learn users choose models:

* :class:`InformationCriterionScorer` and its instances :data:`neg_bic_scorer`
  and :data:`neg_aic_scorer` are scorers for ``GridSearchCV(scoring=...)``,
  ``cross_validate`` and friends. They return the *negated* criterion, so
  that, as for every scikit-learn scorer, higher is better.
* :func:`criteria_grid` fits every combination of a parameter grid (by
  default ``n_components`` from 1 to 9 times the four covariance types of a
  Gaussian mixture) on the whole data and returns a :class:`CriteriaGrid`:
  the table of BIC and AIC values that R's ``mclust::mclustBIC`` gives, with
  the best model by BIC.

Criteria follow scikit-learn's sign convention, ``-2 log L + penalty``: lower
is better (``mclust`` reports the negation, where higher is better).

A degenerate model (a component collapsed onto a few points, see
:mod:`skem._degeneracy` and the user guide's page on the best optimum) has an
inflated likelihood; both tools score it NaN with a
:class:`~skem.exceptions.DegenerateFitWarning`, as ``mclust`` reports NA, so
that it is never chosen.
"""

import inspect
import itertools
import warnings
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils.metadata_routing import MetadataRequest

from ._degeneracy import DegenerateFitWarning, describe
from ._validation import warn_at_caller, warn_if_normalized_weights
from .exceptions import SampleWeightWarning

__all__ = [
    "CriteriaGrid",
    "InformationCriterionScorer",
    "criteria_grid",
    "neg_aic_scorer",
    "neg_bic_scorer",
]

_CRITERIA = ("bic", "aic")
_COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


# ----------------------------------------------------------------------
# Scorers
# ----------------------------------------------------------------------
class InformationCriterionScorer:
    """Scorer returning the negated BIC or AIC of a fitted mixture.

    ``scorer(estimator, X, y=None, **metadata)`` returns
    ``-estimator.bic(X, **metadata)`` (or ``aic``): higher is better, as
    ``GridSearchCV`` and ``cross_validate`` expect. When ``estimator`` is a
    :class:`~sklearn.pipeline.Pipeline`, ``X`` is first transformed by every
    step but the last, and the criterion of the last step is returned.

    Under ``sklearn.set_config(enable_metadata_routing=True)``, per-sample
    metadata of the criterion, such as the ``n_trials`` of
    :class:`~skem.BinomialMixture`, reaches it once requested with
    :meth:`set_score_request`; cross-validation splits it together with
    ``X``.

    Parameters
    ----------
    criterion : {'bic', 'aic'}, default='bic'
        Name of the estimator's method that computes the criterion.

    Attributes
    ----------
    criterion : {'bic', 'aic'}
        The criterion this scorer negates.

    See Also
    --------
    neg_bic_scorer : Shared instance with ``criterion='bic'``.
    neg_aic_scorer : Shared instance with ``criterion='aic'``.
    criteria_grid : Criteria over a whole grid of models, fitted on all data.

    Notes
    -----
    Inside ``GridSearchCV`` the criterion is computed on each held-out fold,
    so its value scales with the fold size; candidates are compared on the
    same folds, so the ranking is sound. For the textbook BIC, computed on
    the data the model was fitted to, pass ``cv=[(indices, indices)]`` with
    ``indices = np.arange(n_samples)``, or use :func:`criteria_grid`.

    The module-level :data:`neg_bic_scorer` and :data:`neg_aic_scorer` are
    shared; to request metadata, make your own instance rather than calling
    ``set_score_request`` on them.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skem import BinomialMixture
    >>> from skem.model_selection import neg_bic_scorer
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.binomial(20, 0.2, (60, 1)), rng.binomial(20, 0.7, (60, 1))])
    >>> search = GridSearchCV(
    ...     BinomialMixture(n_trials=20, random_state=0),
    ...     {"n_components": [1, 2, 3]},
    ...     scoring=neg_bic_scorer,
    ... ).fit(X)
    >>> search.best_params_
    {'n_components': 2}
    >>> model = search.best_estimator_
    >>> bool(neg_bic_scorer(model, X) == -model.bic(X))
    True
    """

    def __init__(self, criterion="bic"):
        if criterion not in _CRITERIA:
            raise ValueError(
                f"criterion must be one of {_CRITERIA}, got {criterion!r}."
            )
        self.criterion = criterion
        # Unset, like a consumer's own parameters: passing per-sample n_trials
        # without requesting it is an error rather than a silent default.
        self._requests = {"n_trials": None, "sample_weight": None}

    def __call__(self, estimator, X, y=None, **metadata):
        """Negated criterion of the fitted ``estimator`` on ``X``.

        Parameters
        ----------
        estimator : fitted mixture or Pipeline ending in one
            The model to score.

        X : array-like of shape (n_samples, n_features)
            Data to score.

        y : Ignored
            Not used, present for API consistency by convention.

        **metadata : dict
            Passed on to the criterion, e.g. ``n_trials``.

        Returns
        -------
        score : float
            ``-criterion(X)``; higher is better. NaN, with a
            :class:`~skem.exceptions.DegenerateFitWarning`, for a degenerate
            model (as ``mclust``'s NA).
        """
        estimator, X = _final_estimator_and_data(estimator, X)
        reasons = getattr(estimator, "degenerate_components_", None)
        if reasons:
            warn_at_caller(
                f"{type(estimator).__name__} is degenerate and is scored NaN: "
                f"{describe(reasons)}.",
                DegenerateFitWarning,
            )
            return np.nan
        return -float(getattr(estimator, self.criterion)(X, **metadata))

    def __repr__(self):
        return f"{type(self).__name__}(criterion={self.criterion!r})"

    def set_score_request(self, **kwargs):
        """Request metadata to be passed to the criterion.

        Only meaningful under ``sklearn.set_config(enable_metadata_routing=True)``.

        Parameters
        ----------
        **kwargs : dict
            ``param_name=alias`` pairs, with ``alias`` in ``{True, False, None,
            str}``, e.g. ``n_trials=True``.

        Returns
        -------
        self : InformationCriterionScorer
            This scorer.
        """
        self._requests.update(kwargs)
        return self

    def get_metadata_routing(self):
        """Metadata this scorer requests for its ``score`` method.

        Returns
        -------
        request : :class:`~sklearn.utils.metadata_routing.MetadataRequest`
            The requests set by :meth:`set_score_request`.
        """
        request = MetadataRequest(owner=type(self).__name__)
        for param, alias in self._requests.items():
            request.score.add_request(param=param, alias=alias)
        return request

    def _accept_sample_weight(self):
        # Asked by scikit-learn's multimetric scorer when routing is off: the
        # criteria take frequency weights.
        return True


#: Scorer returning ``-estimator.bic(X)``: higher is better.
#: ``InformationCriterionScorer("bic")``, shared; see
#: :class:`InformationCriterionScorer` for its call, metadata and example.
neg_bic_scorer = InformationCriterionScorer("bic")

#: Scorer returning ``-estimator.aic(X)``: higher is better.
#: ``InformationCriterionScorer("aic")``, shared; see
#: :class:`InformationCriterionScorer` for its call, metadata and example.
neg_aic_scorer = InformationCriterionScorer("aic")


def _final_estimator_and_data(estimator, X):
    """The last step of a pipeline and ``X`` transformed by the other steps."""
    if isinstance(estimator, Pipeline):
        if len(estimator.steps) > 1:
            X = estimator[:-1].transform(X)
        return estimator[-1], X
    return estimator, X


# ----------------------------------------------------------------------
# A grid of models, fitted on all the data
# ----------------------------------------------------------------------
class CriteriaGrid:
    """BIC and AIC of every model of a grid, as returned by :func:`criteria_grid`.

    Parameters
    ----------
    params : list of dict
        The parameters of every candidate, in the order they were fitted.

    log_likelihood : array-like of shape (n_candidates,)
        Total (weighted) log-likelihood of the data under each fitted model;
        NaN where the fit failed or the model is degenerate.

    n_parameters : array-like of shape (n_candidates,)
        Number of free parameters of each model.

    n_samples : float
        Number of samples (sum of the weights) in the penalty of the BIC.

    estimators : list
        The fitted models; None where the fit failed.

    reasons : list of str or None, default=None
        Why each candidate's criteria are NaN, None where they are not;
        None for all when not given.

    Attributes
    ----------
    params : list of dict
        The parameters of every candidate.

    bic : ndarray of shape (n_candidates,)
        ``-2 log L + log(n_samples) n_parameters``; lower is better.

    aic : ndarray of shape (n_candidates,)
        ``-2 log L + 2 n_parameters``; lower is better.

    log_likelihood : ndarray of shape (n_candidates,)
        Total log-likelihood of each model.

    n_parameters : ndarray of shape (n_candidates,)
        Free parameters of each model.

    estimators : list
        The fitted models.

    reasons : list of str or None
        Why each candidate's criteria are NaN (shown ``NA`` in the table),
        None where they are not: ``'fit failed: <error>'`` or
        ``'degenerate: <components and why>'``. The same whatever
        ``n_jobs`` fitted the grid; :func:`criteria_grid` also warns with
        each, naming the candidate.

    best_index_ : int
        Index of the candidate of smallest BIC.

    best_params_ : dict
        Parameters of the candidate of smallest BIC.

    best_estimator_ : estimator
        The fitted candidate of smallest BIC.

    See Also
    --------
    criteria_grid : Fit a grid and build this table.
    InformationCriterionScorer : The criteria as ``GridSearchCV`` scorers.

    Examples
    --------
    >>> import numpy as np
    >>> from skem import GaussianMixtureEM
    >>> from skem.model_selection import criteria_grid
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(6, 1, (100, 2))])
    >>> grid = criteria_grid(
    ...     GaussianMixtureEM(random_state=0), X,
    ...     {"n_components": [1, 2, 3], "covariance_type": ["full", "spherical"]},
    ... )
    >>> grid.best_params_
    {'n_components': 2, 'covariance_type': 'spherical'}
    >>> grid.bic.shape  # one value per candidate, in the order of grid.params
    (6,)
    >>> rows, columns, values = grid.table("bic")  # n_components by type
    >>> rows, columns, values.shape
    ([1, 2, 3], ['full', 'spherical'], (3, 2))
    >>> bool(np.isclose(grid.best_estimator_.bic(X), grid.bic[grid.best_index_]))
    True
    """

    def __init__(
        self, params, log_likelihood, n_parameters, n_samples, estimators, reasons=None
    ):
        self.params = list(params)
        self.log_likelihood = np.asarray(log_likelihood, dtype=np.float64)
        self.n_parameters = np.asarray(n_parameters, dtype=np.float64)
        self.n_samples = float(n_samples)
        self.estimators = list(estimators)
        self.reasons = [None] * len(self.params) if reasons is None else list(reasons)
        if len(self.reasons) != len(self.params):
            raise ValueError(
                f"reasons has {len(self.reasons)} entries, but there are "
                f"{len(self.params)} candidates."
            )
        self.bic = -2 * self.log_likelihood + np.log(n_samples) * self.n_parameters
        self.aic = -2 * self.log_likelihood + 2 * self.n_parameters

    def best_index(self, criterion="bic"):
        """Index of the candidate with the smallest criterion.

        Parameters
        ----------
        criterion : {'bic', 'aic'}, default='bic'
            Criterion to minimise.

        Returns
        -------
        index : int
            Position in :attr:`params`; NaN values (failed fits) are skipped.
        """
        values = self._values(criterion)
        if np.all(np.isnan(values)):
            raise ValueError(
                "Every fit of the grid failed; there is no best model:"
                + "".join(f"\n  {line}" for line in self._na_lines())
            )
        return int(np.nanargmin(values))

    @property
    def best_index_(self):
        """int: Index of the candidate of smallest BIC."""
        return self.best_index("bic")

    @property
    def best_params_(self):
        """dict: Parameters of the candidate of smallest BIC."""
        return dict(self.params[self.best_index_])

    @property
    def best_estimator_(self):
        """estimator: The fitted candidate of smallest BIC."""
        return self.estimators[self.best_index_]

    def table(self, criterion="bic"):
        """The criterion as a 2-D table: ``n_components`` by the other params.

        Parameters
        ----------
        criterion : {'bic', 'aic'}, default='bic'
            Criterion to tabulate.

        Returns
        -------
        rows : list
            Values of ``n_components`` (of the first parameter when the grid
            has no ``n_components``), one per row.

        columns : list of str
            One label per combination of the other parameters, e.g. the
            covariance types; ``[criterion.upper()]`` when there are none.

        values : ndarray of shape (len(rows), len(columns))
            The criterion; NaN where a combination was not fitted or failed.
        """
        values = self._values(criterion)
        row_key = self._row_key()
        rows, columns = [], []
        cells = {}
        for params, value in zip(self.params, values, strict=True):
            row = params.get(row_key)
            column = _column_label(params, row_key) or criterion.upper()
            if row not in rows:
                rows.append(row)
            if column not in columns:
                columns.append(column)
            cells[row, column] = value
        table = np.full((len(rows), len(columns)), np.nan)
        for (row, column), value in cells.items():
            table[rows.index(row), columns.index(column)] = value
        return rows, columns, table

    def to_frame(self):
        """The grid as a :class:`pandas.DataFrame`, one row per candidate.

        Requires pandas.

        Returns
        -------
        frame : pandas.DataFrame
            One column per grid parameter, then ``n_parameters``,
            ``log_likelihood``, ``bic``, ``aic`` and ``reason`` (why the
            criteria are NaN, None where they are not; see :attr:`reasons`).
        """
        import pandas as pd

        frame = pd.DataFrame(self.params)
        frame["n_parameters"] = self.n_parameters
        frame["log_likelihood"] = self.log_likelihood
        frame["bic"] = self.bic
        frame["aic"] = self.aic
        frame["reason"] = pd.Series(self.reasons, dtype=object)
        return frame

    def __str__(self):
        lines = []
        for criterion, title in [
            ("bic", "Bayesian Information Criterion (BIC), lower is better:"),
            ("aic", "Akaike Information Criterion (AIC), lower is better:"),
        ]:
            lines += [title, _format_table(*self.table(criterion), self._row_key())]
            lines.append("")
        every_fit_failed = bool(np.all(np.isnan(self.bic)))
        na_lines = self._na_lines()
        if na_lines:
            lines.append("Every fit failed:" if every_fit_failed else "Not scored:")
            lines += [f"  {line}" for line in na_lines]
            lines.append("")
        if every_fit_failed:
            if not na_lines:
                lines.append("Every fit failed.")
        else:
            best = ", ".join(f"{k}={v!r}" for k, v in self.best_params_.items())
            bic = self.bic[self.best_index_]
            lines.append(f"Best by BIC: {best} (BIC = {bic:.2f})")
        return "\n".join(lines)

    def __repr__(self):
        best = "none" if np.all(np.isnan(self.bic)) else self.best_params_
        return (
            f"<{type(self).__name__}: {len(self.params)} candidates, "
            f"best by BIC {best}>"
        )

    def _na_lines(self):
        """One line per candidate with a reason: its parameters and the reason."""
        return [
            f"{_describe(params)}: {reason}"
            for params, reason in zip(self.params, self.reasons, strict=True)
            if reason is not None
        ]

    def _values(self, criterion):
        if criterion not in _CRITERIA:
            raise ValueError(
                f"criterion must be one of {_CRITERIA}, got {criterion!r}."
            )
        return getattr(self, criterion)

    def _row_key(self):
        keys = list(self.params[0]) if self.params else []
        if not keys:
            return "n_components"
        # n_components, or a pipeline step's "<step>__n_components".
        for key in keys:
            if key == "n_components" or key.endswith("__n_components"):
                return key
        return keys[0]


def _column_label(params, row_key):
    others = {k: v for k, v in params.items() if k != row_key}
    if len(others) == 1:
        return str(next(iter(others.values())))
    return ", ".join(f"{k}={v}" for k, v in others.items())


def _format_table(rows, columns, values, row_key):
    cells = [[f"{v:.2f}" if np.isfinite(v) else "NA" for v in line] for line in values]
    first = [row_key] + [str(r) for r in rows]
    width0 = max(len(s) for s in first)
    widths = [
        max([len(c)] + [len(line[j]) for line in cells]) for j, c in enumerate(columns)
    ]
    header = " ".join(
        [first[0].rjust(width0)]
        + [c.rjust(w) for c, w in zip(columns, widths, strict=True)]
    )
    body = [
        " ".join(
            [label.rjust(width0)]
            + [s.rjust(w) for s, w in zip(line, widths, strict=True)]
        )
        for label, line in zip(first[1:], cells, strict=True)
    ]
    return "\n".join([header] + body)


def _default_param_grid(estimator):
    prefix = f"{estimator.steps[-1][0]}__" if isinstance(estimator, Pipeline) else ""
    grid = {f"{prefix}n_components": list(range(1, 10))}
    if f"{prefix}covariance_type" in estimator.get_params():
        grid[f"{prefix}covariance_type"] = list(_COVARIANCE_TYPES)
    return grid


def _expand_grid(param_grid):
    if not isinstance(param_grid, dict) or not param_grid:
        raise ValueError(
            "param_grid must be a non-empty dict of parameter name to list of "
            f"values, got {param_grid!r}."
        )
    names = list(param_grid)
    for name in names:
        if isinstance(param_grid[name], str) or not np.iterable(param_grid[name]):
            raise ValueError(
                f"param_grid[{name!r}] must be a list of values, got "
                f"{param_grid[name]!r}."
            )
    return [
        dict(zip(names, values, strict=True))
        for values in itertools.product(*(param_grid[n] for n in names))
    ]


def _accepted(method, params):
    """The items of ``params`` that ``method`` takes as keyword arguments."""
    names = inspect.signature(method).parameters
    return {k: v for k, v in params.items() if k in names}


#: Why a candidate is scored NaN: the warning raised and its headline.
_NA_KINDS = {
    "fit failed": (UserWarning, "the fit failed and is scored NaN"),
    "degenerate": (
        DegenerateFitWarning,
        "the fitted mixture is degenerate and is scored NaN (mclust's NA)",
    ),
}


@dataclass(frozen=True)
class _Measurement:
    """One fitted candidate, as a joblib worker sends it back.

    A worker process cannot warn the caller, so what the fit warned travels
    back in ``warnings``, ``(category, message)`` pairs in order without
    repeats, and the caller raises them (:func:`_report`). A candidate
    scored NaN has a ``na_kind`` (a key of ``_NA_KINDS``) and a ``na_detail``.
    """

    log_likelihood: float
    n_parameters: float
    resolution: float
    estimator: object
    warnings: tuple
    na_kind: str | None = None
    na_detail: str | None = None

    @property
    def reason(self):
        """Why the candidate is scored NaN, or None."""
        return None if self.na_kind is None else f"{self.na_kind}: {self.na_detail}"


def _fit_and_measure(estimator, X, sample_weight, fit_params, on_error):
    """Fit one candidate and measure it; return a :class:`_Measurement`.

    For a Pipeline, ``sample_weight`` goes to the last step's ``fit`` and the
    log-likelihood is the last step's, on ``X`` transformed by the others.
    """
    final_name = estimator.steps[-1][0] if isinstance(estimator, Pipeline) else None
    if sample_weight is not None:
        key = "sample_weight" if final_name is None else f"{final_name}__sample_weight"
        fit_params = {**fit_params, key: sample_weight}
    failure = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # Reported by the caller: as the NaN reason, and once per grid.
        warnings.simplefilter("ignore", DegenerateFitWarning)
        warnings.simplefilter("ignore", SampleWeightWarning)
        try:
            estimator.fit(X, **fit_params)
            final, Xt = _final_estimator_and_data(estimator, X)
            final_params = _final_step_params(fit_params, final_name)
            log_prob = final.score_samples(
                Xt, **_accepted(final.score_samples, final_params)
            )
        except (ValueError, ArithmeticError) as exc:
            if on_error == "raise":
                raise
            failure = f"{type(exc).__name__}: {exc}"
    recorded = tuple(dict.fromkeys((w.category, str(w.message)) for w in caught))
    if failure is not None:
        nan = np.nan
        return _Measurement(nan, nan, nan, None, recorded, "fit failed", failure)
    weights = np.ones_like(log_prob) if sample_weight is None else sample_weight
    resolution = _log_likelihood_resolution(final, weights.sum())
    log_likelihood = float(weights @ log_prob)
    n_parameters = final._n_parameters()
    degenerate = getattr(final, "degenerate_components_", None)
    if degenerate:
        return _Measurement(
            np.nan,
            n_parameters,
            resolution,
            estimator,
            recorded,
            "degenerate",
            describe(degenerate),
        )
    return _Measurement(log_likelihood, n_parameters, resolution, estimator, recorded)


def _report(params, measurement):
    """Warn at the user's line what one candidate's fit warned, and any NaN."""
    point = _describe(params)
    for category, message in measurement.warnings:
        warn_at_caller(f"{point}: {message}", category)
    if measurement.na_kind is not None:
        category, headline = _NA_KINDS[measurement.na_kind]
        warn_at_caller(f"{point}: {headline}: {measurement.na_detail}", category)


def _final_step_params(fit_params, final_name):
    if final_name is None:
        return fit_params
    prefix = f"{final_name}__"
    return {
        key[len(prefix) :]: value
        for key, value in fit_params.items()
        if key.startswith(prefix)
    }


def _log_likelihood_resolution(estimator, total_weight):
    """How far, in total log-likelihood, the fit's stopping rule may stop short.

    The stopping threshold on the total log-likelihood: ``tol`` times the
    total weight for the per-sample rule ``'mean'``, ``tol`` otherwise. A fit
    that crawls may stop further away still; this is the least uncertainty.
    """
    rule = getattr(estimator, "stopping_rule", "mean")
    return estimator.tol * (total_weight if rule == "mean" else 1.0)


def _warn_if_unresolved(grid, resolutions):
    """Warn when the best two models by BIC differ by less than the fits resolve."""
    bic = grid.bic
    order = [i for i in np.argsort(bic) if np.isfinite(bic[i])]
    if len(order) < 2:
        return
    best, second = order[:2]
    margin = bic[second] - bic[best]
    # BIC is -2 log L + penalty: an uncertain log-likelihood moves it twice.
    uncertainty = 2.0 * (resolutions[best] + resolutions[second])
    if margin < uncertainty:
        warn_at_caller(
            f"The two best models by BIC ({_describe(grid.params[best])} and "
            f"{_describe(grid.params[second])}) differ by {margin:.3g}, less "
            f"than their fits' tolerance can resolve ({uncertainty:.3g}): "
            "decrease tol (or use stopping_rule='total') and refit.",
            UserWarning,
        )


def _describe(params):
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


def criteria_grid(
    estimator,
    X,
    param_grid=None,
    *,
    sample_weight=None,
    n_jobs=None,
    on_error="warn",
    **fit_params,
):
    """Fit a grid of mixtures on ``X`` and tabulate their BIC and AIC.

    The job of R's ``mclust::mclustBIC``: every combination of
    ``param_grid`` is set on a clone of ``estimator``, fitted on all of
    ``X`` and scored by BIC and AIC on the same data. The result prints as a
    table (``n_components`` by covariance type), gives the arrays to plot,
    and the best model by BIC.

    Parameters
    ----------
    estimator : skem mixture or Pipeline ending in one
        Template model, e.g. ``GaussianMixtureEM(random_state=0)`` or
        ``BinomialMixture(n_trials=10)``; its other parameters (``n_init``,
        ``init_params``, ...) are kept. For a
        :class:`~sklearn.pipeline.Pipeline`, the criteria are those of its last
        step on ``X`` transformed by the other steps, and the grid's names
        carry the step prefix (``"gm__n_components"``).

    X : array-like of shape (n_samples, n_features)
        Data to fit.

    param_grid : dict of str to list, default=None
        Values of each parameter to try; every combination is fitted.
        ``None`` takes ``n_components`` from 1 to 9 and, when the estimator
        has a ``covariance_type``, the four types ``'full'``, ``'tied'``,
        ``'diag'`` and ``'spherical'``.

    sample_weight : array-like of shape (n_samples,), default=None
        Frequency weights passed to ``fit``; the log-likelihood becomes the
        weighted sum and the number of samples in the BIC penalty the sum of
        the weights. They must be counts: weights all below 1 (normalized
        ones, say) raise one :class:`~skem.exceptions.SampleWeightWarning`.

    n_jobs : int, default=None
        Number of fits to run in parallel with joblib; ``None`` means 1,
        ``-1`` all processors. The fits' warnings reach the caller either
        way (see Notes).

    on_error : {'warn', 'raise'}, default='warn'
        What to do when a fit fails (e.g. a singular covariance): ``'warn'``
        names the failure in a warning and records NaN criteria, shown as
        ``NA`` in the table like ``mclust``; ``'raise'`` propagates the error.
        A fit that ends *degenerate* (a component collapsed onto a few
        points; see :mod:`skem._degeneracy`) is always recorded as NaN, with
        a ``DegenerateFitWarning`` naming its components.

    **fit_params : dict
        Further arguments of ``fit``, e.g. per-sample ``n_trials`` of
        :class:`~skem.BinomialMixture`; those that ``score_samples`` accepts
        are passed to it too.

    Returns
    -------
    grid : CriteriaGrid
        Parameters, log-likelihoods, numbers of parameters, BIC, AIC and the
        fitted models of every candidate, and why a candidate is NaN
        (``grid.reasons``); ``grid.best_params_`` and
        ``grid.best_estimator_`` give the model of smallest BIC.

    See Also
    --------
    InformationCriterionScorer : The criteria as ``GridSearchCV`` scorers.

    Notes
    -----
    Every fit records the warnings it raises, in a joblib worker process as
    in this one, and returns them with its result. They are then raised
    again, in the order of the grid, at the line that called
    ``criteria_grid``, each prefixed with its candidate
    (``"n_components=3: ..."``), followed by the reason of a candidate scored
    NaN. So the same warnings reach ``warnings`` filters and tests whatever
    ``n_jobs`` is.

    Examples
    --------
    >>> import numpy as np
    >>> from skem import BinomialMixture
    >>> from skem.model_selection import criteria_grid
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.binomial(20, 0.2, (60, 1)), rng.binomial(20, 0.7, (60, 1))])
    >>> grid = criteria_grid(
    ...     BinomialMixture(n_trials=20, random_state=0), X,
    ...     {"n_components": [1, 2, 3]},
    ... )
    >>> grid.best_params_
    {'n_components': 2}
    >>> print(grid)  # doctest: +ELLIPSIS
    Bayesian Information Criterion (BIC), lower is better:
    n_components    BIC
               1 ...
               2 ...
               3 ...
    <BLANKLINE>
    Akaike Information Criterion (AIC), lower is better:
    ...
    Best by BIC: n_components=2 (BIC = ...)
    """
    if param_grid is None:
        param_grid = _default_param_grid(estimator)
    if on_error not in ("warn", "raise"):
        raise ValueError(f"on_error must be 'warn' or 'raise', got {on_error!r}.")
    candidates = _expand_grid(param_grid)
    normalized = False
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        if sample_weight.size:  # fit names any other trouble
            normalized = warn_if_normalized_weights(
                float(np.max(sample_weight)), float(np.sum(sample_weight))
            )
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_measure)(
            clone(estimator).set_params(**params),
            X,
            sample_weight,
            fit_params,
            on_error,
        )
        for params in candidates
    )
    for params, measurement in zip(candidates, results, strict=True):
        _report(params, measurement)
    n_samples = np.asarray(X).shape[0] if sample_weight is None else sample_weight.sum()
    grid = CriteriaGrid(
        candidates,
        [m.log_likelihood for m in results],
        [m.n_parameters for m in results],
        n_samples,
        [m.estimator for m in results],
        [m.reason for m in results],
    )
    if not normalized:  # else the fits' tolerance is not the cause
        resolutions = np.array([m.resolution for m in results], dtype=np.float64)
        _warn_if_unresolved(grid, resolutions)
    return grid
