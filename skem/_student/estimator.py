"""StudentTMixture: the public estimator, a shell over StudentFamily."""

from functools import partial
from numbers import Real

import numpy as np

from .._base import BaseMixtureEM
from .._compat import Interval, StrOptions
from .._em import rows_per_block
from .._gaussian.statistics import COVARIANCE_TYPES
from .family import DOF_TYPES, StudentFamily


class StudentTMixture(BaseMixtureEM):
    """Mixture of multivariate t distributions, fitted by expectation-maximization.

    Robust clustering: each component is a multivariate t with location
    ``means_[k]``, scale matrix ``covariances_[k]`` and
    ``degrees_of_freedom_[k]``, whose heavy tails let a few outliers lie far
    from a component without dragging its location or inflating its scale
    (Peel and McLachlan 2000). The E-step gives every row a *scale weight*
    per component, ``u_ik = (nu_k + d) / (nu_k + delta_ik)`` with
    ``delta_ik`` the squared Mahalanobis distance, and the M-step is a
    Gaussian M-step with the rows weighted by ``r_ik u_ik``: outliers get
    small weights. The degrees of freedom are estimated by default. See the
    user guide's "Student-t mixtures" page.

    The parameters and fitted attributes are those of
    :class:`GaussianMixtureEM`, plus ``degrees_of_freedom_init``,
    ``degrees_of_freedom_type`` and ``degrees_of_freedom_``.

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components.

    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
        Form of the scale matrices:

        - 'full': a general scale matrix per component;
        - 'tied': one general scale matrix shared by all components;
        - 'diag': a diagonal scale matrix per component;
        - 'spherical': a single scale per component.

    degrees_of_freedom_init : float or array-like of shape (n_components,), \
            default=10.0
        Initial degrees of freedom (the fixed ones when
        ``degrees_of_freedom_type='fixed'``): one positive number for every
        component, or one per component.

    degrees_of_freedom_type : {'estimated', 'tied', 'fixed'}, \
            default='estimated'
        How the degrees of freedom are fitted:

        - 'estimated': one per component, estimated by EM;
        - 'tied': one shared by all components, estimated by EM;
        - 'fixed': kept at ``degrees_of_freedom_init``.

        Estimated values lie in ``[1, 200]``: below 1 a t has no mean and a
        component's likelihood can grow without bound; at 200 it is a
        Gaussian for every practical purpose (excess kurtosis 0.03).

    tol : float, default=1e-3
        Convergence threshold on the change of the mean log-likelihood per
        sample.

    reg_covar : float, default=1e-6
        Non-negative amount added to the diagonal of every scale matrix,
        which keeps them positive definite.

    max_iter : int, default=100
        Number of EM iterations to perform.

    n_init : int, default=1
        Number of initializations; the run with the best final log-likelihood
        is kept, among the runs that are not degenerate when there is one.

    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data', \
            'hierarchical', 'emem', 'emem-hierarchical', 'emem-split-merge'}, \
            default='kmeans'
        Method used to initialize the responsibilities, as in
        :class:`GaussianMixtureEM`. The initial M-step is a Gaussian one (every
        scale weight 1), with ``degrees_of_freedom_init``.

    init_sample_size : int, default=None
        Number of rows, drawn at random without replacement, on which the
        ``init_params`` strategy runs; None as in :class:`GaussianMixtureEM`.

    learning_decay : float, default=0.7
        Exponent of the step-size schedule of :meth:`partial_fit`, in
        (0.5, 1].

    learning_offset : float, default=2.0
        Offset of the step-size schedule of :meth:`partial_fit`.

    stopping_rule : {'mean', 'total', 'aitken'}, default='mean'
        How ``tol`` is applied to successive log-likelihoods (see
        :class:`GaussianMixtureEM`).

    acceleration : {None, 'squarem'}, default=None
        ``'squarem'`` extrapolates along successive EM steps (means, scale
        factors as in :class:`GaussianMixtureEM`, log degrees of freedom),
        keeping ``lower_bounds_`` non-decreasing.

    weights_init : array-like of shape (n_components,), default=None
        Initial mixture weights; estimated from the initialization when None.

    means_init : array-like of shape (n_components, n_features), default=None
        Initial locations; estimated from the initialization when None.

    precisions_init : array-like, default=None
        Initial inverse scale matrices, shaped as for
        :class:`GaussianMixtureEM`::

            (n_components,)                        if 'spherical',
            (n_features, n_features)               if 'tied',
            (n_components, n_features)             if 'diag',
            (n_components, n_features, n_features) if 'full'

    prior : {None, 'conjugate'} or dict, default=None
        Prior distribution of the parameters, for maximum a posteriori (MAP)
        estimation; None is maximum likelihood. ``'conjugate'`` puts
        :class:`GaussianMixtureEM`'s conjugate prior (mclust's default) on
        the locations and scale matrices: a normal prior on each location
        around the data mean and an inverse Wishart (inverse gamma for
        'diag' and 'spherical') on each scale matrix, which keeps a
        component from collapsing onto a few points. A dict sets its
        hyperparameters, the others keeping their defaults: ``'shrinkage'``
        (``kappa``, 0.01), ``'mean'`` (the data mean), ``'dof'`` (the
        inverse Wishart's degrees of freedom, ``n_features + 2``; not the
        t's), ``'scale'`` (a scale matrix, or a variance for 'diag' and
        'spherical'), and ``'weight_concentration'`` (``alpha >= 1`` of a
        symmetric Dirichlet prior on the weights, 1: none). Given the scale
        weights the M-step is a weighted Gaussian one, so the prior enters as
        in :class:`GaussianMixtureEM`. The degrees of freedom have no prior:
        they are estimated by maximum likelihood as without one.
        ``lower_bound_`` and ``lower_bounds_`` are then the log-posterior (up
        to a constant) per unit of sample weight, which EM never decreases.
        See :ref:`prior_knowledge`.

    fixed : tuple of str, default=()
        Parameters held at their initial values instead of estimated: any
        of ``'weights'`` (needs ``weights_init``), ``'means'`` (needs
        ``means_init``), ``'covariances'`` (the scale matrices; needs
        ``precisions_init``) and ``'degrees_of_freedom'`` (at
        ``degrees_of_freedom_init``, as ``degrees_of_freedom_type='fixed'``).
        Fixed parameters are not counted by :meth:`aic` and :meth:`bic`. See
        :ref:`prior_knowledge`.

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
        Threads the passes over the data run on (results added in block
        order: the same bits whatever the number). None uses every core the
        process may use; ``OMP_NUM_THREADS`` and
        :func:`threadpoolctl.threadpool_limits` are respected; -1 also means
        every core. See :ref:`threads`.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        Mixture weights.

    means_ : ndarray of shape (n_components, n_features)
        Component locations (the means, as every degree of freedom is at
        least 1).

    covariances_ : ndarray
        Scale matrices ``Sigma_k``, shaped as ``precisions_init``; a
        component's covariance is ``nu / (nu - 2) * Sigma_k`` when ``nu > 2``.

    precisions_ : ndarray
        Inverses of ``covariances_``.

    precisions_cholesky_ : ndarray
        Cholesky factors ``L`` of the precisions, ``precisions_ = L @ L.T``
        (elementwise square roots for 'diag' and 'spherical').

    degrees_of_freedom_ : ndarray of shape (n_components,)
        Degrees of freedom of the components (all equal when 'tied').

    converged_ : bool
        Whether the best run converged.

    n_iter_ : int
        Number of M-steps of the best run (of updates, after
        :meth:`partial_fit`).

    lower_bound_ : float
        Mean log-likelihood per sample of the returned parameters on the
        training data (weighted mean under ``sample_weight``).

    lower_bounds_ : list of float
        Log-likelihoods of the best run: initial parameters, then after each
        M-step; never decreasing.

    degenerate_components_ : dict of int to str
        Components of the fit whose scale matrix collapsed, with the reason
        (the Gaussian rule on the scale matrices).

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
    GaussianMixtureEM : The Gaussian mixture, the limit of infinite degrees
        of freedom.

    Notes
    -----
    The degrees of freedom are updated by the exact EM step (McLachlan and
    Peel 2000, section 7.5): the root of ``log(nu / 2) - psi(nu / 2) + 1 +
    sum_i r_ik (E[log w_ik] - u_ik) / sum_i r_ik = 0``, the expectations
    taken under the E-step's parameters, found by Brent's method on ``log
    nu``. It maximizes the expected complete-data log-likelihood, so every
    iteration raises the likelihood, and it needs only statistics summed
    over the rows: blocks, Dask, ``partial_fit`` and SQUAREM work unchanged.

    Missing entries (NaN) are fitted exactly, assuming they are missing at
    random: a row's likelihood is the t marginal of its observed entries
    (same degrees of freedom, ``d`` the number of observed entries), and the
    M-step uses the conditional means of the missing entries, as
    :class:`GaussianMixtureEM` does.

    ``score_samples`` is the log-density; :meth:`scale_weights` gives the
    expected scale weight of every row under its most likely component, an
    outlier score (small for outliers).

    Examples
    --------
    >>> import numpy as np
    >>> from skem import StudentTMixture
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(8, 1, (100, 2)),
    ...                [[40, -40], [-40, 40]]])
    >>> tm = StudentTMixture(n_components=2, random_state=0).fit(X)
    >>> np.round(tm.means_[np.argsort(tm.means_[:, 0])], 1)
    array([[-0.1,  0.1],
           [ 7.9,  7.9]])
    >>> bool(np.all(tm.scale_weights(X)[-2:] < 0.01))
    True
    """

    _parameter_constraints: dict = {
        **BaseMixtureEM._parameter_constraints,
        "covariance_type": [StrOptions(set(COVARIANCE_TYPES))],
        "degrees_of_freedom_init": [
            Interval(Real, 0.0, None, closed="neither"),
            "array-like",
        ],
        "degrees_of_freedom_type": [StrOptions(set(DOF_TYPES))],
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
        degrees_of_freedom_init=10.0,
        degrees_of_freedom_type="estimated",
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
        self.degrees_of_freedom_init = degrees_of_freedom_init
        self.degrees_of_freedom_type = degrees_of_freedom_type
        self.reg_covar = reg_covar
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _make_family(self):
        return StudentFamily(
            self.n_components,
            self.covariance_type,
            self.reg_covar,
            self.means_init,
            self.precisions_init,
            self.degrees_of_freedom_init,
            self.degrees_of_freedom_type,
        )

    def scale_weights(self, X):
        """Expected scale weight of each sample: an outlier score.

        ``u_i = (nu_k + d_i) / (nu_k + delta_ik)`` under the sample's most
        likely component ``k`` (``delta`` its squared Mahalanobis distance,
        ``d_i`` its number of observed entries): about 1 for a typical
        sample of the component, near 0 for an outlier, which the fit
        weighs that little. Under a t component, ``delta / d`` follows an
        F distribution with ``(d, nu)`` degrees of freedom, so a threshold
        on ``u`` is one on that F statistic.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one per row.

        Returns
        -------
        weights : ndarray of shape (n_samples,)
            The scale weights.
        """
        data = self._rows_for_prediction(X)
        family = self._family
        return data.map(
            partial(_block_scale_weights, family, self._parameters()),
            rows_per_block(family, data),
            (),
            np.float64,
        )


def _block_scale_weights(family, params, block):
    """Scale weights of a block's rows under their most likely components."""
    log_prob, work = family.log_prob(params.components, block)
    log_prob += params.log_weights
    best = log_prob.argmax(axis=1)
    return work.scale_weights[np.arange(len(best)), best]
