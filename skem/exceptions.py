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
