"""GaussianMixtureEM: the public estimator, a shell over GaussianFamily."""

from numbers import Real

from .._base import BaseMixtureEM
from .._compat import Interval, StrOptions
from .family import GaussianFamily
from .statistics import COVARIANCE_TYPES


class GaussianMixtureEM(BaseMixtureEM):
    """Gaussian mixture, fitted by expectation-maximization.

    A drop-in for :class:`sklearn.mixture.GaussianMixture`: the same
    parameters with the same defaults, the same fitted attributes and the same
    parameter path, run on the skem engine. On top of it, ``fit`` accepts
    ``sample_weight``, ``lower_bound_`` is the log-likelihood of the returned
    parameters and the covariances are computed from centred data.

    The Notes below and the "Differences from scikit-learn" page list them.

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components.

    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
        Form of the covariances:

        - 'full': a general covariance matrix per component;
        - 'tied': one general covariance matrix shared by all components;
        - 'diag': a diagonal covariance matrix per component;
        - 'spherical': a single variance per component.

    tol : float, default=1e-3
        Convergence threshold on the change of the mean log-likelihood per
        sample.

    reg_covar : float, default=1e-6
        Non-negative amount added to the diagonal of every covariance, which
        keeps them positive definite.

    max_iter : int, default=100
        Number of EM iterations to perform.

    n_init : int, default=1
        Number of initializations; the run with the best final log-likelihood
        is kept, among the runs that are not degenerate (with a component
        collapsed onto a few points, whose likelihood is inflated; see
        :ref:`optimum`) when there is one. scikit-learn keeps such a run when
        it scores highest.

    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data', \
            'hierarchical', 'emem', 'emem-hierarchical', 'emem-split-merge'}, \
            default='kmeans'
        Method used to initialize the responsibilities:

        - 'kmeans': the labels of a k-means clustering;
        - 'k-means++': the seeds of k-means++, one point per component;
        - 'random': random responsibilities;
        - 'random_from_data': random data points, one per component;
        - 'hierarchical': Ward's agglomerative clustering (mclust's idea),
          deterministic and free of row order;
        - 'emem', 'emem-hierarchical': the emEM search, many short EM runs
          from varied starts (with the hierarchical one), the best continued;
          never worse than 'kmeans' with the same ``n_init`` and
          ``random_state``;
        - 'emem-split-merge': 'emem-hierarchical', then split-and-merge
          moves (Ueda et al. 2000) from its optimum while one ends higher.

        The last four are skem's; see :ref:`optimum`.

        With missing entries, the strategy and the initial M-step see them
        filled with their feature's (sample-weighted) observed mean.

    stopping_rule : {'mean', 'total', 'aitken'}, default='mean'
        How ``tol`` is applied to successive log-likelihoods: ``'mean'``
        stops when the mean log-likelihood per sample changes by less than
        ``tol`` (scikit-learn's rule); ``'total'`` when the total (weighted)
        log-likelihood changes by less than ``tol``; ``'aitken'`` when
        Aitken's extrapolation of the total log-likelihood to its limit is
        within ``tol`` of the current value, so a slowly creeping run is not
        stopped far from its limit. The default keeps scikit-learn's stopping iteration.

    acceleration : {None, 'squarem'}, default=None
        ``'squarem'`` extrapolates along successive EM steps (SQUAREM,
        Varadhan and Roland 2008, scheme S3; mixture weights as they are,
        component parameters unconstrained), falling back to the plain EM
        step whenever the extrapolated point is not a model or would lower
        the log-likelihood, so ``lower_bounds_`` never decreases; it needs
        far fewer EM steps when components overlap (see the user guide's
        acceleration page). ``n_iter_`` counts EM steps (EM-map
        evaluations) either way. The default keeps scikit-learn's parameter path.

    weights_init : array-like of shape (n_components,), default=None
        Initial mixture weights; estimated from the initialization when None.

    means_init : array-like of shape (n_components, n_features), default=None
        Initial means; estimated from the initialization when None.

    precisions_init : array-like, default=None
        Initial precisions (inverse covariances); estimated from the
        initialization when None. The shape depends on ``covariance_type``::

            (n_components,)                        if 'spherical',
            (n_features, n_features)               if 'tied',
            (n_components, n_features)             if 'diag',
            (n_components, n_features, n_features) if 'full'

    init_sample_size : int, default=None
        Number of rows, drawn at random without replacement, on which the
        ``init_params`` strategy runs; EM itself always uses every row. None
        uses every row of an in-memory array that fits in one block of
        scikit-learn's ``working_memory`` (scikit-learn's behaviour), and a
        sample of 100,000 rows (fewer when their float64 values would take
        more than 100 MiB) of a memory map, a dask array or a larger array,
        so that the initialization's memory is bounded whatever
        ``n_samples`` is; data of no more rows are used whole.

    prior : None, 'conjugate' or dict, default=None
        Prior of maximum a posteriori (MAP) estimation; None is maximum
        likelihood (scikit-learn's). ``'conjugate'`` is R mclust's default
        conjugate prior (``priorControl()``, Fraley and Raftery 2007):
        ``mu_k | Sigma_k ~ N(mean, Sigma_k / shrinkage)`` and ``Sigma_k ~
        InvWishart(dof, scale)`` ('full', 'tied'), or an inverse gamma
        ``IG(dof / 2, scale / 2)`` on each variance ('diag', 'spherical').
        The M-step adds the prior's pseudo-statistics to the data's, so no
        covariance collapses. A dict sets any of ``"shrinkage"`` (0.01),
        ``"mean"`` (the data mean), ``"dof"`` (``n_features + 2``),
        ``"scale"`` (``(1 / n_components) ** (2 / n_features)`` times the
        data covariance, or times the mean variance for 'diag' and
        'spherical') and ``"weight_concentration"`` (``alpha >= 1`` of a
        symmetric Dirichlet prior on the weights; 1, none). EM then climbs
        the log posterior (``lower_bound_``); ``score``, ``bic`` and ``aic``
        use the log-likelihood at the MAP estimate, as mclust. ``reg_covar``
        is still added (0 gives mclust's numbers). See :ref:`prior_knowledge`.

    fixed : tuple of str, default=()
        Parameters held at their initial values while the others are
        fitted: ``"weights"`` (at ``weights_init``), ``"means"`` (at
        ``means_init``; the covariances are then fitted around them) and
        ``"covariances"`` (at the inverse of ``precisions_init``). Each must
        have its ``*_init``. Held parameters are not counted by :meth:`bic`
        and :meth:`aic`. See :ref:`prior_knowledge`.

    learning_decay : float, default=0.7
        Exponent of the step-size schedule of :meth:`partial_fit`, in
        (0.5, 1].

    learning_offset : float, default=2.0
        Offset of the step-size schedule of :meth:`partial_fit`; larger values
        make early updates smaller.

    random_state : int, RandomState instance or None, default=None
        Controls the initialization and :meth:`sample`.

    warm_start : bool, default=False
        If True, each ``fit`` starts from the previous solution and ignores
        ``n_init``.

    verbose : int, default=0
        Verbosity: 1 prints each initialization, 2 also prints the change of
        log-likelihood every ``verbose_interval`` iterations.

    verbose_interval : int, default=10
        Number of iterations between two messages.

    n_threads : int or None, default=None
        Threads the passes over the data run on, the blocks of rows of each
        pass shared among them (results added in block order: the same bits
        whatever the number). None uses every core the process may use, as
        scikit-learn's :class:`~sklearn.cluster.KMeans` counts them:
        ``OMP_NUM_THREADS`` and :func:`threadpoolctl.threadpool_limits` in
        force at the call are respected; -1 also means every core, -2 all
        but one. See :ref:`threads`.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        Mixture weights.

    means_ : ndarray of shape (n_components, n_features)
        Component means.

    covariances_ : ndarray
        Component covariances, shaped as ``precisions_init``.

    precisions_ : ndarray
        Inverses of ``covariances_``, shaped as ``precisions_init``.

    precisions_cholesky_ : ndarray
        Cholesky factors ``L`` of the precisions, ``precisions_ = L @ L.T``
        (elementwise square roots for 'diag' and 'spherical'), shaped as
        ``precisions_init``.

    converged_ : bool
        Whether the best run converged.

    n_iter_ : int
        Number of M-steps of the best run (of updates, after
        :meth:`partial_fit`).

    lower_bound_ : float
        Mean log-likelihood per sample of the returned parameters on the
        training data (weighted mean under ``sample_weight``), so
        ``lower_bound_ == score(X)`` after an unweighted fit. Under a
        ``prior``, the log posterior per sample (the log prior divided by
        the number of samples added); with ``labels``, labelled rows count
        their complete-data log-likelihood.

    lower_bounds_ : list of float
        Log-likelihoods of the best run: initial parameters, then after each
        M-step (with ``acceleration='squarem'``, after each step kept, so
        fewer than ``n_iter_ + 1``); ``lower_bounds_[-1] == lower_bound_`` and
        ``lower_bounds_[:-1]`` is scikit-learn's ``lower_bounds_``.

    prior_ : dict
        The prior's hyperparameters used, data-dependent defaults filled in
        (``"shrinkage"``, ``"mean"``, ``"dof"``, ``"scale"``,
        ``"weight_concentration"``); only when ``prior`` is not None.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    sklearn.mixture.GaussianMixture : The reference this estimator matches.
    BinomialMixture : Mixtures of binomials on the same engine.

    Notes
    -----
    Differences from :class:`sklearn.mixture.GaussianMixture`, all on purpose:

    - ``lower_bound_`` is the log-likelihood of the returned parameters
      (scikit-learn reports that of the parameters before the last M-step),
      and ``lower_bounds_`` has ``n_iter_ + 1`` entries (without
      acceleration).
    - Covariances are computed from centred data (two passes) for every
      covariance type; scikit-learn's 'tied', 'diag' and 'spherical' use
      ``E[x^2] - E[x]^2``, which loses all precision on data with a large
      offset. On ordinary data the two agree to about 1e-12.
    - ``fit`` accepts ``sample_weight``; ``bic`` and ``aic`` accept it too.
    - :meth:`partial_fit` (stepwise online EM) and ``init_sample_size``,
      whose default samples the rows of data too large for one block.
    - ``weights_init``, ``means_init`` and ``precisions_init`` are never
      modified; when ``precisions_init`` is given, ``covariances_`` is set to
      its inverse.
    - float32 input is fitted in float32 as scikit-learn's (parameters,
      ``predict_proba`` and ``score_samples`` are float32), but the
      statistics are summed in float64 and the M-step runs in float64 before
      its results are rounded to float32; the parameters stay float32 also
      when ``*_init`` values are given (scikit-learn then keeps some in
      float64), and ``lower_bound_`` is a float64 sum. Other dtypes
      (integers, float16) are fitted in float64 as scikit-learn's, but
      converted block by block, never whole.
    - Missing entries (NaN) are allowed everywhere (the ``allow_nan`` tag).

    Missing values are fitted exactly, assuming they are missing at random:
    a row's likelihood is the marginal density of its observed entries, and
    the M-step uses the conditional mean of the missing entries given the
    observed ones, with the conditional covariance added to the scatter (EM
    for incomplete Gaussian data; for 'diag' and 'spherical' the conditional
    mean is the component mean and the conditional variance its variance).
    Rows are grouped by missingness pattern, so the marginal factorizations
    are done once per pattern and component per iteration. A row with every
    entry missing has log-likelihood zero and the mixture weights as its
    responsibilities; a feature missing in every sample of ``fit`` is a
    ``ValueError``; ``inf`` is still an error. The initialization strategies,
    and the initial M-step, see the initialization rows with every missing
    entry replaced by its feature's (sample-weighted) observed mean. See the
    "Missing values" page of the user guide.

    A component that loses every sample during EM is kept, with a vanishing
    weight (``10 * eps / n_samples``), a finite mean and a covariance of
    about ``reg_covar`` (with ``reg_covar=0`` the fit fails with the
    ill-defined covariance error), and a ``UserWarning`` names it. Data must
    have a scale whose squares float64 can hold: a feature whose largest
    magnitude is above 1e150 or (non-zero) below 1e-150 is refused with a
    ``ValueError`` asking to rescale ``X``, rather than overflowing, or
    silently collapsing onto ``reg_covar``.

    Examples
    --------
    >>> import numpy as np
    >>> from skem import GaussianMixtureEM
    >>> X = np.array([[0, 0], [2, 0], [0, 4], [2, 4], [9, 0], [11, 0], [9, 4], [11, 4]])
    >>> gm = GaussianMixtureEM(n_components=2, random_state=0).fit(X)
    >>> gm.means_
    array([[10.,  2.],
           [ 1.,  2.]])
    >>> gm.predict([[0, 0], [12, 3]])
    array([1, 0])
    >>> bool(np.isclose(gm.lower_bound_, gm.score(X)))
    True
    """

    _parameter_constraints: dict = {
        **BaseMixtureEM._parameter_constraints,
        "covariance_type": [StrOptions(set(COVARIANCE_TYPES))],
        "reg_covar": [Interval(Real, 0.0, None, closed="left")],
        "weights_init": ["array-like", None],
        "means_init": ["array-like", None],
        "precisions_init": ["array-like", None],
    }

    def __init__(
        self,
        n_components=1,
        *,
        covariance_type="full",
        tol=1e-3,
        reg_covar=1e-6,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
        init_sample_size=None,
        learning_decay=0.7,
        learning_offset=2.0,
        stopping_rule="mean",
        acceleration=None,
        weights_init=None,
        means_init=None,
        precisions_init=None,
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
        self.covariance_type = covariance_type
        self.reg_covar = reg_covar
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _make_family(self):
        return GaussianFamily(
            self.n_components,
            self.covariance_type,
            self.reg_covar,
            self.means_init,
            self.precisions_init,
        )
