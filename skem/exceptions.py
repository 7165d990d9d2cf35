"""Warnings skem issues, importable to filter or catch them."""


class DegenerateFitWarning(UserWarning):
    """Warning that a fitted mixture has degenerate components.

    A component is degenerate when its covariance collapsed onto a few points
    (only the regularization keeps it positive definite), it carries too few
    points for its parameters, or a binomial component sits at the
    probability floor with almost no weight. Such a model's likelihood is
    inflated, so ``n_init`` prefers any non-degenerate run, and the
    model-selection tools score the model NaN. The rules and thresholds are
    in the user guide's page on finding the best optimum.

    See Also
    --------
    skem.model_selection.criteria_grid : Scores degenerate models NaN.
    sklearn.exceptions.ConvergenceWarning : Raised when EM did not converge.

    Examples
    --------
    Four identical points, and a component started on them:

    >>> import warnings
    >>> import numpy as np
    >>> from skem import GaussianMixtureEM
    >>> from skem.exceptions import DegenerateFitWarning
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(size=(50, 2)), rng.normal(6, 1, size=(50, 2)),
    ...                np.tile([3.0, -4.0], (4, 1))])
    >>> model = GaussianMixtureEM(n_components=3,
    ...                           weights_init=[0.45, 0.45, 0.1],
    ...                           means_init=[[0, 0], [6, 6], [3, -4]],
    ...                           precisions_init=np.tile(np.eye(2), (3, 1, 1)))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     model = model.fit(X)
    >>> [str(w.message)[:48] for w in caught
    ...  if issubclass(w.category, DegenerateFitWarning)]
    ['The fitted mixture is degenerate: component 2 co']

    To silence it:

    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DegenerateFitWarning)
    ...     model = model.fit(X)
    """


class SampleWeightWarning(UserWarning):
    """Warning that sample weights look misused.

    skem reads ``sample_weight`` as frequency counts: a weight of 3 is a row
    seen three times, and the sample size is the sum of the weights. Raised

    * by ``fit``, ``fit_predict``, ``partial_fit``, ``bic``, ``aic`` and
      :func:`~skem.model_selection.criteria_grid` when the weights look
      normalized: every weight is below 1 (so the largest is). Counts never
      are (a positive count is at least 1), nor are unit weights. With
      weights summing to about 1 the sample size in BIC's penalty
      ``log(sum of weights)`` is about 0, the ``'total'`` stopping rule stops
      fits early and the degeneracy checks count too few samples per
      component;
    * by ``bic``, ``aic`` and ``score`` when the model was fitted with sample
      weights (not all 1) and ``X`` has as many rows as the fitted data but
      no ``sample_weight`` is given: on a frequency table that scores every
      table row once, not the observations.

    See Also
    --------
    DegenerateFitWarning : Raised when a fitted mixture is degenerate.

    Examples
    --------
    A frequency table with its counts divided by their sum:

    >>> import warnings
    >>> import numpy as np
    >>> from skem import BinomialMixture
    >>> from skem.exceptions import SampleWeightWarning
    >>> counts, freq = np.arange(4).reshape(-1, 1), np.array([10, 30, 40, 20])
    >>> model = BinomialMixture(n_trials=3)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     model = model.fit(counts, sample_weight=freq / freq.sum())
    >>> [w.category.__name__ for w in caught]
    ['SampleWeightWarning']
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", SampleWeightWarning)
    ...     model = model.fit(counts, sample_weight=freq)  # the counts: silent
    """
