"""The EM loop, as functions of a model and its row blocks.

One pass over the data is a reduction over row blocks::

    pass(blocks, params) = sum over blocks b of estep_block(b, params)
    estep_block(b)       -> (statistics, sum_i w_i log p(x_i), sum_i w_i)

and an EM iteration is ``m_step(pass(blocks, params))``. Everything here talks
to the model only through its hooks (``_estimate_log_prob``,
``_estimate_log_weights``, ``_accumulate``, ``_maximize``,
``_get_parameters``, ``_block_size``, the verbose printers); it never imports
the estimator classes, which sit on top of it.
"""

import math
from dataclasses import dataclass

import numpy as np

from ._blocks import concatenate_rows
from ._compat import single_blas_thread


@dataclass(frozen=True)
class PassResult:
    """What a pass over some rows yields; results of disjoint rows add up.

    Attributes
    ----------
    stats : SufficientStatistics or None
        Statistics of the weighted responsibilities (None when not asked for).
    log_likelihood : float
        ``sum_i w_i log p(x_i)`` under the parameters of the pass.
    weight : float
        ``sum_i w_i`` (the number of rows when unweighted).
    """

    stats: object
    log_likelihood: float
    weight: float

    def __add__(self, other):
        if not isinstance(other, PassResult):
            return NotImplemented
        stats = None if self.stats is None else self.stats + other.stats
        return PassResult(
            stats,
            self.log_likelihood + other.log_likelihood,
            self.weight + other.weight,
        )

    def __radd__(self, other):
        # sum() starts from 0.
        if isinstance(other, int) and other == 0:
            return self
        return NotImplemented

    @property
    def mean_log_likelihood(self):
        """Weighted mean log-likelihood per sample."""
        return self.log_likelihood / self.weight


@dataclass(frozen=True)
class EMRun:
    """The outcome of one EM run from one starting point."""

    params: dict
    converged: bool
    n_iter: int
    lower_bound: float
    lower_bounds: list
    nk: np.ndarray
    n_accepted: int = 0
    n_rejected: int = 0


# ----------------------------------------------------------------------
# One block
# ----------------------------------------------------------------------
def log_norm_and_resp(model, block):
    """Per-row log-likelihood and responsibilities of one block.

    A row-wise log-sum-exp written out, in place: it yields the
    responsibilities with no second ``exp`` (``scipy.special.logsumexp``
    alone took 2.5 times as long on a (20000, 5) array).
    """
    weighted_log_prob = model._estimate_log_prob(block)
    weighted_log_prob += model._estimate_log_weights()
    top = weighted_log_prob.max(axis=1, keepdims=True)
    hopeless = ~np.isfinite(top[:, 0])
    if hopeless.any():
        # Every component density underflowed (or overflowed) for these rows:
        # their log-likelihood is -inf, and as the data say nothing about
        # their component, their responsibilities are the mixture weights.
        top[hopeless] = 0.0
        weighted_log_prob[hopeless] = model._estimate_log_weights()
    weighted_log_prob -= top
    resp = exp_flushing_negligible(weighted_log_prob)
    total = resp.sum(axis=1, keepdims=True)
    resp /= total
    log_norm = np.log(total[:, 0]) + top[:, 0]
    log_norm[hopeless] = -np.inf
    return log_norm, resp


def exp_flushing_negligible(log_ratios):
    """``exp(log_ratios)`` in place, with negligible values flushed to zero.

    ``exp(max(x, f)) - exp(f)`` with ``f = log(sqrt(tiny))``: exactly zero
    below ``f`` and ``exp(x)`` to within ``sqrt(tiny)`` (1.5e-154 in float64,
    1.1e-19 in float32) above, which is below the rounding of any sum a
    responsibility enters unless a whole component is that small (an empty
    one). Left alone, values between 0 and ``tiny`` come out as subnormal
    floats, which slow every later product that reads them several times
    over; and numpy's float64 ``exp`` itself runs 4 times slower on the
    arguments that underflow. Clamping and one subtraction cost less than
    either (a masked assignment cost as much as the ``exp``).
    """
    floor = log_ratios.dtype.type(0.5 * math.log(np.finfo(log_ratios.dtype).tiny))
    np.maximum(log_ratios, floor, out=log_ratios)
    resp = np.exp(log_ratios, out=log_ratios)
    resp -= np.exp(floor)
    return resp


def estep_block(model, block, with_stats=True):
    """E-step of one block: its statistics, log-likelihood and weight."""
    log_norm, resp = log_norm_and_resp(model, block)
    weights = block.sample_weight
    if weights is None:
        log_likelihood = float(log_norm.sum(dtype=np.float64))
        weight = float(block.n_samples)
    else:
        log_likelihood = float(log_norm @ weights)
        weight = float(weights.sum())
        resp *= weights[:, np.newaxis]
    stats = model._accumulate(block, resp) if with_stats else None
    return PassResult(stats, log_likelihood, weight)


# ----------------------------------------------------------------------
# Passes over all blocks
# ----------------------------------------------------------------------
def expectation_pass(model, data, with_stats=True):
    """One E-step over every block of ``data``, reduced to one PassResult."""
    if getattr(data, "is_distributed", False):
        from ._dask import distributed_expectation_pass

        return distributed_expectation_pass(model, data, with_stats)
    with single_blas_thread():
        return sum(
            estep_block(model, block, with_stats)
            for block in data.blocks(model._block_size(data))
        )


def map_blocks(function, model, data):
    """``function(model, block)`` for every block, concatenated along the rows.

    On distributed data the result is a lazy dask array aligned with the
    blocks (``function`` must then be a module-level function).
    """
    if getattr(data, "is_distributed", False):
        from ._dask import distributed_map_blocks

        return distributed_map_blocks(function, model, data)
    with single_blas_thread():
        return concatenate_rows(
            [function(model, block) for block in data.blocks(model._block_size(data))]
        )


def block_labels(model, block):
    """Most likely component of each row of a block.

    Rows beyond every component (all log-densities -inf) take the heaviest
    component, as their responsibilities are the mixture weights.
    """
    weighted_log_prob = model._weighted_log_prob(block)
    # As in log_norm_and_resp: a NaN is an overflow (inf - inf) of a row
    # that far away.
    hopeless = ~np.isfinite(weighted_log_prob.max(axis=1))
    if hopeless.any():
        weighted_log_prob[hopeless] = model._estimate_log_weights()
    return weighted_log_prob.argmax(axis=1)


def block_log_likelihoods(model, block):
    """``log p(x_i)`` of each row of a block."""
    return log_norm_and_resp(model, block)[0]


def block_responsibilities(model, block):
    """Posterior probabilities of the components for each row of a block."""
    return log_norm_and_resp(model, block)[1]


def accumulate_blocks(model, data, block_resp):
    """Statistics of responsibilities given per block by ``block_resp(block)``.

    ``block_resp`` returns unweighted responsibilities; the sample weights are
    applied here.
    """
    total = 0
    with single_blas_thread():
        for block in data.blocks(model._block_size(data)):
            resp = np.asarray(block_resp(block), dtype=np.float64)
            if block.sample_weight is not None:
                resp *= block.sample_weight[:, np.newaxis]
            total = total + model._accumulate(block, resp)
    return total


# ----------------------------------------------------------------------
# The loops
# ----------------------------------------------------------------------
#: SQUAREM's cap on the step length starts at 1 and is multiplied by this
#: after a step taken at the cap, divided after a rejected one at the cap
#: (the SQUAREM package's ``mstep``).
STEP_CAP_FACTOR = 4.0


class _History:
    """Log-likelihoods of the parameter sets a run went through, and its stop."""

    def __init__(self, model, tol, stopping):
        self.model = model
        self.tol = tol
        self.stopping = stopping
        self.values = []  # mean log-likelihoods per unit of weight
        self.n_iter = 0  # EM-map evaluations
        self.accepted = 0  # accelerated steps kept
        self.rejected = 0  # accelerated steps that fell back to EM
        self.step_max = 1.0  # SQUAREM's cap on the step length
        self.converged = False

    def record(self, mean_log_likelihood, weight):
        previous = self.values[-1] if self.values else -np.inf
        self.values.append(mean_log_likelihood)
        change = mean_log_likelihood - previous
        self.model._print_verbose_msg_iter_end(self.n_iter, change, self)
        self.converged = has_converged(self.values, self.tol, self.stopping, weight)
        return self.converged


def has_converged(values, tol, stopping, weight):
    """Whether a run whose log-likelihoods were ``values`` may stop.

    ``values`` are mean log-likelihoods per unit of sample weight and
    ``weight`` the total weight. Rules:

    - ``'mean'``: the mean log-likelihood per sample changed by less than
      ``tol`` (scikit-learn's rule);
    - ``'total'``: the total log-likelihood ``weight * mean`` changed by less
      than ``tol``;
    - ``'aitken'``: Aitken's estimate of the limit of the total
      log-likelihood (Bohning et al. 1994; McNicholas et al. 2010) is within
      ``tol`` of its current value, so a run that crawls is not stopped far
      from its limit.
    """
    if len(values) < 2:
        return False
    change = values[-1] - values[-2]
    if stopping == "mean":
        return abs(change) < tol
    if stopping == "total":
        return abs(change) * weight < tol
    if len(values) < 3:
        return False
    previous_change = values[-2] - values[-3]
    if change <= 0 or previous_change <= 0:
        # No increase left to extrapolate (or rounding): converged when tiny.
        return abs(change) * weight < tol
    rate = change / previous_change
    if rate >= 1:
        return False
    return change * rate / (1 - rate) * weight < tol


def run_em(model, data, max_iter, tol, stopping="mean", acceleration=None):
    """One EM run from the model's current parameters.

    Each pass scores the parameters that go in and yields the statistics of
    the next M-step, so the convergence test costs nothing; a final pass
    scores the parameters that are returned. With ``acceleration='squarem'``
    the run extrapolates along the last two EM steps (:func:`squarem_cycle`);
    ``n_iter`` counts EM-map evaluations either way.
    """
    history = _History(model, tol, stopping)
    weight = data.weight_total()

    def em_map():
        result = expectation_pass(model, data)
        model._maximize(result.stats)
        history.n_iter += 1
        return result.mean_log_likelihood

    while history.n_iter < max_iter and not history.converged:
        if acceleration == "squarem" and max_iter - history.n_iter >= 3:
            squarem_cycle(model, em_map, history, weight)
        else:
            history.record(em_map(), weight)
    final = expectation_pass(model, data)
    history.values.append(final.mean_log_likelihood)
    return EMRun(
        params=model._get_parameters(),
        converged=history.converged,
        n_iter=history.n_iter,
        lower_bound=final.mean_log_likelihood,
        lower_bounds=history.values,
        nk=final.stats.nk,
        n_accepted=history.accepted,
        n_rejected=history.rejected,
    )


def squarem_cycle(model, em_map, history, weight):
    """One SQUAREM cycle (Varadhan and Roland 2008, scheme S3), kept monotone.

    Two EM steps ``theta0 -> theta1 -> theta2`` give ``r = theta1 - theta0``
    and ``v = theta2 - 2 theta1 + theta0``; the extrapolated point is
    ``theta0 + 2 a r + a^2 v`` with step length ``a = |r| / |v|``, at least 1
    (``a = 1`` is ``theta2`` itself) and at most an adaptive cap, as in the
    SQUAREM package (``step.min0=1, step.max0=1, mstep=4``). One EM step
    from the extrapolated point follows. The vector holds the weights as
    they are and the components in the family's coordinates (logits,
    standard deviations, log-Cholesky factors; ``_squarem_vector``).

    Safeguard: the extrapolated point is kept when it is a valid model
    (positive weights and standard deviations) that scores higher than
    ``theta0``. The history then
    records ``theta0`` and the extrapolated point; otherwise the cycle falls
    back to ``theta2``, the plain EM path, and records ``theta0`` and
    ``theta1``. Either way the recorded log-likelihoods never decrease. A
    rejected point is not retried with a shorter step: on the benchmark
    tables, retrying halfway kept runs at short steps for thousands of
    evaluations (Geissler k=2: 20 times as many), where falling back to EM
    lets the next cycle find the long step again.
    """
    theta0 = model._squarem_vector()
    if history.record(em_map(), weight):
        return
    log_likelihood_theta0 = history.values[-1]
    theta1 = model._squarem_vector()
    log_likelihood_theta1 = em_map()
    latest = [*history.values[-2:], log_likelihood_theta1]
    if has_converged(latest, history.tol, history.stopping, weight):
        history.record(log_likelihood_theta1, weight)
        return
    theta2 = model._squarem_vector()
    r = theta1 - theta0
    v = theta2 - 2.0 * theta1 + theta0
    v_norm = np.sqrt(v @ v)
    step = min(max(np.sqrt(r @ r) / v_norm, 1.0), history.step_max) if v_norm else 1
    at_cap = step == history.step_max
    if step == 1.0:
        # theta2 itself: nothing to extrapolate, nothing to check.
        history.step_max *= STEP_CAP_FACTOR if at_cap else 1.0
        history.record(log_likelihood_theta1, weight)
        return
    plain = model._get_parameters()
    log_likelihood = _extrapolated(model, em_map, theta0, r, v, step)
    # A gain near rounding counts as none, so that the choice does not
    # depend on how the sums were blocked (which moves a pass's mean by
    # about 1e-15 relative; gains near a threshold of 1e-13 occurred).
    gain = log_likelihood - log_likelihood_theta0
    if np.isfinite(log_likelihood) and gain > 1e-12 * abs(log_likelihood_theta0):
        history.accepted += 1
        history.step_max *= STEP_CAP_FACTOR if at_cap else 1.0
        history.record(log_likelihood, weight)
        return
    history.rejected += 1
    if at_cap:
        history.step_max = max(1.0, history.step_max / STEP_CAP_FACTOR)
    model._set_parameters(plain)
    history.record(log_likelihood_theta1, weight)


def _extrapolated(model, em_map, theta0, r, v, step):
    """Log-likelihood of the extrapolated point (-inf if not a model)."""
    try:
        model._set_squarem_vector(theta0 + 2.0 * step * r + step**2 * v)
        # The M-step from a valid point can still fail (a covariance that
        # collapses): that point is no better a model.
        return em_map()
    except (ValueError, FloatingPointError, np.linalg.LinAlgError):
        return -np.inf


def stepwise_statistics(running, batch, step_size):
    """Stepwise (online) EM: blend running statistics with a batch's.

    ``s <- (1 - g) s + g s_batch`` (Cappe and Moulines, 2009), on statistics
    per unit of sample weight, so batches of any size mix on one scale.
    """
    batch_stats = batch.stats.scaled(1.0 / batch.weight)
    if running is None:
        return batch_stats
    return running.scaled(1.0 - step_size) + batch_stats.scaled(step_size)
