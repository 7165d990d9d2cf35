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
    weighted_log_prob -= top
    resp = np.exp(weighted_log_prob, out=weighted_log_prob)
    total = resp.sum(axis=1, keepdims=True)
    resp /= total
    return np.log(total[:, 0]) + top[:, 0], resp


def estep_block(model, block, with_stats=True):
    """E-step of one block: its statistics, log-likelihood and weight."""
    log_norm, resp = log_norm_and_resp(model, block)
    weights = block.sample_weight
    if weights is None:
        log_likelihood = float(log_norm.sum())
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
    with single_blas_thread():
        return sum(
            estep_block(model, block, with_stats)
            for block in data.blocks(model._block_size(data))
        )


def map_blocks(function, model, data):
    """``function(block)`` for every block, concatenated along the rows."""
    with single_blas_thread():
        return concatenate_rows(
            [function(block) for block in data.blocks(model._block_size(data))]
        )


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
def run_em(model, data, max_iter, tol):
    """One EM run from the model's current parameters.

    The convergence test compares the log-likelihoods of the last two
    parameter sets, which the passes give for free; a final pass then scores
    the parameters that are returned.
    """
    lower_bound = -np.inf
    lower_bounds = []
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        previous = lower_bound
        result = expectation_pass(model, data)
        lower_bound = result.mean_log_likelihood
        lower_bounds.append(lower_bound)
        model._maximize(result.stats)
        change = lower_bound - previous
        model._print_verbose_msg_iter_end(n_iter, change)
        if abs(change) < tol:
            converged = True
            break
    final = expectation_pass(model, data)
    lower_bounds.append(final.mean_log_likelihood)
    return EMRun(
        params=model._get_parameters(),
        converged=converged,
        n_iter=n_iter,
        lower_bound=final.mean_log_likelihood,
        lower_bounds=lower_bounds,
        nk=final.stats.nk,
    )


def stepwise_statistics(running, batch, step_size):
    """Stepwise (online) EM: blend running statistics with a batch's.

    ``s <- (1 - g) s + g s_batch`` (Cappe and Moulines, 2009), on statistics
    per unit of sample weight, so batches of any size mix on one scale.
    """
    batch_stats = batch.stats.scaled(1.0 / batch.weight)
    if running is None:
        return batch_stats
    return running.scaled(1.0 - step_size) + batch_stats.scaled(step_size)
