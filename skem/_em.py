"""The EM engine: passes over row blocks, the run monitor, SQUAREM, stepwise EM.

One pass over the data is a reduction over row blocks::

    pass(blocks, params) = sum over blocks b of estep_block(b, params)
    estep_block(b)       -> (statistics, sum_i w_i log p(x_i), sum_i w_i)

and an EM iteration is ``m_step(pass(blocks, params))``. Everything here is a
function of a :class:`~skem._family.Family`, the data (which offer
``reduce`` and ``map`` over their blocks, :mod:`skem._blocks`) and
:class:`Parameters` passed as values; it knows neither the estimators nor
Dask.
"""

import math
from dataclasses import dataclass, replace
from functools import partial
from time import time

import numpy as np

from ._blocks import block_size

#: Bytes of a block's temporaries (the family's ``row_bytes`` per row) up to
#: which passes stay fast: the products and elementwise steps of an E-step
#: then find their operands in the processor's cache (measured at the shapes
#: of ``benchmarks/run.py``: passes 1.3 to 2.3 times faster than with one
#: block of every row; see the Performance page). ``working_memory`` still
#: caps the block.
CACHE_BLOCK_BYTES = 8 * 2**20

#: Fewest rows of such a block: below it the per-block overhead (a few dozen
#: numpy calls, per-component loops) costs more than the cache saves.
MIN_CACHE_BLOCK_ROWS = 2048

#: SQUAREM's cap on the step length starts at 1 and is multiplied by this
#: after a step taken at the cap, divided after a rejected one at the cap
#: (the SQUAREM package's ``mstep``).
STEP_CAP_FACTOR = 4.0


@dataclass(frozen=True)
class Parameters:
    """A mixture's parameters: weights and the family's component parameters.

    Attributes
    ----------
    weights : ndarray of shape (n_components,)
    components : dict of str to ndarray
        Named as the fitted attributes (``family.parameter_names``).
    """

    weights: np.ndarray
    components: dict

    @property
    def log_weights(self):
        # A zero weight (weights_init=[1, 0]) is a component switched off.
        with np.errstate(divide="ignore"):
            return np.log(self.weights)


@dataclass(frozen=True)
class Settings:
    """How runs go: stopping, acceleration, weights, verbose output.

    ``fixed_weights`` are the mixture weights when they are not learned
    (``fixed=("weights",)``), else None. ``weight_concentration`` is the
    parameter ``alpha`` of a symmetric Dirichlet prior on the weights (1: no
    prior, maximum likelihood).
    """

    max_iter: int
    tol: float
    stopping: str = "mean"
    acceleration: object = None
    fixed_weights: object = None
    weight_concentration: float = 1.0
    verbose: int = 0
    verbose_interval: int = 10

    def quiet(self, max_iter=None):
        """These settings without output (and with another ``max_iter``)."""
        return replace(
            self, verbose=0, max_iter=self.max_iter if max_iter is None else max_iter
        )


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

    params: Parameters
    converged: bool
    n_iter: int
    lower_bound: float
    lower_bounds: list
    nk: np.ndarray
    n_accepted: int = 0
    n_rejected: int = 0


#: Blocks a pass is cut into at least, when blocks keep
#: :data:`MIN_CACHE_BLOCK_ROWS` rows: work for the threads of a pass over
#: data of fewer rows than a cache block. A function of the data alone, not of
#: the threads, so the sums have the same bits on any number of threads
#: (measured at (20,000, 50, 10) 'diag', per iteration of a fit: one block
#: of every row 10.0 ms on two threads, four blocks 6.0 ms on two threads and
#: 8.2 ms on one).
MIN_BLOCKS = 4


def rows_per_block(family, data):
    """Block size of the passes: within ``working_memory`` and the cache."""
    row_bytes = family.row_bytes(data.n_features)
    budget = family.cache_block_bytes or CACHE_BLOCK_BYTES
    cache_rows = max(budget // row_bytes, MIN_CACHE_BLOCK_ROWS)
    shared_rows = max(-(-data.n_samples // MIN_BLOCKS), MIN_CACHE_BLOCK_ROWS)
    return min(block_size(data.n_samples, row_bytes), cache_rows, shared_rows)


# ----------------------------------------------------------------------
# One block
# ----------------------------------------------------------------------
def log_norm_and_resp(family, params, block):
    """Per-row log-likelihood, responsibilities and the E-step's workspace.

    A row-wise log-sum-exp written out, in place: it yields the
    responsibilities with no second ``exp`` (``scipy.special.logsumexp``
    alone took 2.5 times as long on a (20000, 5) array).
    """
    weighted_log_prob, workspace = family.log_prob(params.components, block)
    log_weights = params.log_weights
    weighted_log_prob += log_weights
    known = _known_rows(block)
    if known is not None:
        rows, labels = known
        complete_data = weighted_log_prob[rows, labels]
    top = weighted_log_prob.max(axis=1, keepdims=True)
    hopeless = ~np.isfinite(top[:, 0])
    if hopeless.any():
        # Every component density underflowed (or overflowed) for these rows:
        # their log-likelihood is -inf, and as the data say nothing about
        # their component, their responsibilities are the mixture weights.
        top[hopeless] = 0.0
        weighted_log_prob[hopeless] = log_weights
    weighted_log_prob -= top
    resp = exp_flushing_negligible(weighted_log_prob)
    total = resp.sum(axis=1, keepdims=True)
    resp /= total
    log_norm = np.log(total[:, 0]) + top[:, 0]
    log_norm[hopeless] = -np.inf
    if known is not None:
        # A labelled row belongs to its component: responsibility 1, and its
        # term of the objective is log(pi_y p(x | theta_y)), the complete-data
        # log-likelihood, which these EM steps never decrease.
        resp[rows] = 0.0
        resp[rows, labels] = 1.0
        log_norm[rows] = complete_data
    return log_norm, resp, workspace


def _known_rows(block):
    """Indices and components of a block's labelled rows, or None."""
    labels = getattr(block, "labels", None)
    if labels is None:
        return None
    rows = np.flatnonzero(labels >= 0)
    if not len(rows):
        return None
    return rows, labels[rows]


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


def estep_block(family, params, with_stats, block):
    """E-step of one block: its statistics, log-likelihood and weight."""
    log_norm, resp, workspace = log_norm_and_resp(family, params, block)
    weights = block.sample_weight
    if weights is None:
        log_likelihood = float(log_norm.sum(dtype=np.float64))
        weight = float(block.n_samples)
    else:
        log_likelihood = float(log_norm @ weights)
        weight = float(weights.sum())
        resp *= weights[:, np.newaxis]
    stats = (
        family.accumulate(params.components, block, resp, workspace)
        if with_stats
        else None
    )
    return PassResult(stats, log_likelihood, weight)


def block_labels(family, params, block):
    """Most likely component of each row of a block.

    Rows beyond every component (all log-densities -inf) take the heaviest
    component, as their responsibilities are the mixture weights.
    """
    weighted_log_prob = family.log_prob(params.components, block)[0]
    weighted_log_prob += params.log_weights
    # As in log_norm_and_resp: a NaN is an overflow (inf - inf) of a row
    # that far away.
    hopeless = ~np.isfinite(weighted_log_prob.max(axis=1))
    if hopeless.any():
        weighted_log_prob[hopeless] = params.log_weights
    return weighted_log_prob.argmax(axis=1)


def block_log_likelihoods(family, params, block):
    """``log p(x_i)`` of each row of a block."""
    return log_norm_and_resp(family, params, block)[0]


def block_responsibilities(family, params, block):
    """Posterior probabilities of the components for each row of a block."""
    return log_norm_and_resp(family, params, block)[1]


def _accumulate_given(family, resp_of, block):
    resp = np.asarray(resp_of(block), dtype=np.float64)
    known = _known_rows(block)
    if known is not None:
        # Every start keeps the known components of labelled rows. Out of
        # place: ``resp`` may be a view of the caller's array.
        rows, labels = known
        resp = resp.copy()
        resp[rows] = 0.0
        resp[rows, labels] = 1.0
    if block.sample_weight is not None:
        resp = resp * block.sample_weight[:, np.newaxis]
    return family.accumulate(None, block, resp)


def _rows_of(resp, first_row, block):
    start = block.first_row - first_row
    return resp[start : start + block.n_samples]


# ----------------------------------------------------------------------
# Passes over all blocks
# ----------------------------------------------------------------------
def expectation_pass(family, params, data, with_stats=True):
    """One E-step over every block of ``data``, reduced to one PassResult."""
    step = partial(estep_block, family, params, with_stats)
    return data.reduce(step, rows_per_block(family, data))


#: The per-row outputs: what one row of each gives.
_ROW_OUTPUTS = {
    block_labels: ((), np.intp),
    block_log_likelihoods: ((), np.float64),
    block_responsibilities: (("n_components",), np.float64),
}


def map_rows(function, family, params, data):
    """``function(family, params, block)`` of every block, row after row.

    On distributed data the result is a lazy dask array aligned with the
    blocks.
    """
    suffix, dtype = _ROW_OUTPUTS[function]
    row_shape = tuple(family.n_components for _ in suffix)
    return data.map(
        partial(function, family, params),
        rows_per_block(family, data),
        row_shape,
        dtype,
    )


def accumulate_responsibilities(family, data, resp):
    """Statistics of given responsibilities of the rows of in-memory ``data``.

    ``resp`` is an (n_samples, n_components) array, or a function of a block
    giving that block's rows; unweighted: the sample weights are applied
    here.
    """
    resp_of = resp if callable(resp) else partial(_rows_of, resp, data.first_row)
    return data.reduce(
        partial(_accumulate_given, family, resp_of),
        rows_per_block(family, data),
        # A function of a block may draw random numbers: blocks in order.
        parallel=not callable(resp),
    )


def labelled_statistics(family, data):
    """Statistics of the labelled rows of ``data`` alone, at their components."""
    return data.reduce(
        partial(
            _accumulate_given,
            family,
            partial(_no_responsibility, family.n_components),
        ),
        rows_per_block(family, data),
    )


def _no_responsibility(n_components, block):
    # Zero everywhere; _accumulate_given sets the labelled rows' ones.
    return np.zeros((block.n_samples, n_components))


def maximize(family, stats, settings):
    """The whole M-step: mixture weights, then the components.

    A MAP step under the family's prior and the Dirichlet prior of the
    weights, when given; parameters the user fixed keep their values.
    """
    weights = settings.fixed_weights
    if weights is None:
        weights = _weights_of(stats, settings.weight_concentration)
    components = family.hold_fixed(family.m_step(stats))
    return Parameters(_cast_weights(family, weights), family.cast(components))


def _weights_of(stats, concentration=1.0):
    # Dirichlet(alpha) MAP: (n_k + alpha - 1) / (n + K (alpha - 1)); alpha = 1
    # is maximum likelihood.
    nk = stats.nk + 10 * np.finfo(np.float64).eps  # keeps empty ones alive
    if concentration != 1.0:
        nk = nk + (concentration - 1.0)
    return nk / nk.sum()


def log_prior(family, params, settings):
    """Log prior density of ``params`` (0 under maximum likelihood).

    The family's prior of the components plus the Dirichlet prior of the
    weights (up to its normalizing constant, which no step changes).
    """
    total = family.log_prior(params.components)
    alpha = settings.weight_concentration
    if alpha != 1.0 and settings.fixed_weights is None:
        with np.errstate(divide="ignore"):
            total += (alpha - 1.0) * float(np.sum(np.log(params.weights)))
    return total


def objective(family, params, settings, result):
    """What EM climbs, per unit of sample weight, for ``params`` scored by ``result``.

    The mean log-likelihood, plus the log prior divided by the total weight
    under MAP estimation (the log posterior, up to a constant, per unit of
    weight).
    """
    if not (family.has_prior or settings.weight_concentration != 1.0):
        return result.mean_log_likelihood
    return (result.log_likelihood + log_prior(family, params, settings)) / result.weight


def initial_parameters(family, stats, settings, weights_init=None):
    """Parameters of an initialization; ``stats`` None when the user fixed all.

    ``weights_init`` (the user's, or None) overrides the weights of the
    initial M-step, as the family's ``*_init`` values override its
    components.
    """
    weights = settings.fixed_weights if weights_init is None else weights_init
    if weights is None:
        weights = _weights_of(stats, settings.weight_concentration)
    components = family.cast(family.hold_fixed(family.initial_parameters(stats)))
    return Parameters(_cast_weights(family, weights), components)


def _cast_weights(family, weights):
    if family.dtype is None:
        return weights
    return np.asarray(weights, dtype=family.dtype)


def n_free_parameters(family, params, settings):
    """Free parameters of the mixture (AIC, BIC): weights and components."""
    n_weights = family.n_components - 1 if settings.fixed_weights is None else 0
    n_components = family.n_parameters(params.components)
    n_components -= family.fixed_parameter_count(params.components)
    return int(n_components + n_weights)


# ----------------------------------------------------------------------
# The run monitor and verbose output
# ----------------------------------------------------------------------
class VerboseReporter:
    """scikit-learn's verbose output of fits: initializations and iterations."""

    def __init__(self, settings):
        self.verbose = settings.verbose
        self.interval = settings.verbose_interval
        self.accelerated = settings.acceleration is not None
        self._init_start = self._iter_start = time()

    def init_begin(self, init):
        if self.verbose >= 1:
            print(f"Initialization {init}")
            self._init_start = self._iter_start = time()

    def iteration(self, n_iter, change, monitor):
        if self.verbose == 0 or n_iter % self.interval:
            return
        if self.verbose == 1:
            print(f"  Iteration {n_iter}")
            return
        now = time()
        accelerated = ""
        if self.accelerated:
            accelerated = (
                f"\t accelerated steps {monitor.accepted} taken, "
                f"{monitor.rejected} rejected"
            )
        print(
            f"  Iteration {n_iter}\t time lapse {now - self._iter_start:.5f}s"
            f"\t ll change {change:.5f}{accelerated}"
        )
        self._iter_start = now

    def init_end(self, run):
        if self.verbose == 0:
            return
        status = "converged" if run.converged else "did not converge"
        if self.verbose == 1:
            print(f"Initialization {status}.")
            return
        elapsed = time() - self._init_start
        accelerated = ""
        if self.accelerated:
            accelerated = (
                f" accelerated steps {run.n_accepted} taken, {run.n_rejected} rejected."
            )
        print(
            f"Initialization {status}. time lapse {elapsed:.5f}s\t "
            f"lower bound {run.lower_bound:.5f}.{accelerated}"
        )


class ConvergenceMonitor:
    """A run's log-likelihoods, its counters and its stopping test.

    As hmmlearn's monitor: every evaluated parameter set is reported with
    :meth:`record`, which prints the verbose line and tells whether the run
    may stop.
    """

    def __init__(self, settings, weight, reporter):
        self.tol = settings.tol
        self.stopping = settings.stopping
        self.weight = weight
        self.reporter = reporter
        self.values = []  # mean log-likelihoods per unit of weight
        self.n_iter = 0  # EM-map evaluations
        self.accepted = 0  # accelerated steps kept
        self.rejected = 0  # accelerated steps that fell back to EM
        self.step_max = 1.0  # SQUAREM's cap on the step length
        self.converged = False

    def record(self, mean_log_likelihood):
        previous = self.values[-1] if self.values else -np.inf
        self.values.append(mean_log_likelihood)
        self.reporter.iteration(self.n_iter, mean_log_likelihood - previous, self)
        self.converged = self.would_stop(self.values)
        return self.converged

    def would_stop(self, values):
        return has_converged(values, self.tol, self.stopping, self.weight)


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


# ----------------------------------------------------------------------
# The loop
# ----------------------------------------------------------------------
def run_em(family, data, params, settings, reporter=None):
    """One EM run from ``params``.

    Each pass scores the parameters that go in and yields the statistics of
    the next M-step, so the convergence test costs nothing; a final pass
    scores the parameters that are returned. With
    ``settings.acceleration='squarem'`` the run extrapolates along the last
    two EM steps (:func:`squarem_cycle`); ``n_iter`` counts EM-map
    evaluations either way.
    """
    if reporter is None:
        reporter = VerboseReporter(settings)
    monitor = ConvergenceMonitor(settings, data.weight_total(), reporter)
    state = _EMMap(family, data, settings, params, monitor)
    while monitor.n_iter < settings.max_iter and not monitor.converged:
        if (
            settings.acceleration == "squarem"
            and settings.max_iter - monitor.n_iter >= 3
        ):
            squarem_cycle(state, monitor)
        else:
            monitor.record(state.step())
    final = expectation_pass(family, state.params, data)
    lower_bound = objective(family, state.params, settings, final)
    monitor.values.append(lower_bound)
    return EMRun(
        params=state.params,
        converged=monitor.converged,
        n_iter=monitor.n_iter,
        lower_bound=lower_bound,
        lower_bounds=monitor.values,
        nk=final.stats.nk,
        n_accepted=monitor.accepted,
        n_rejected=monitor.rejected,
    )


class _EMMap:
    """The EM map ``params -> m_step(pass(params))`` and its current point."""

    def __init__(self, family, data, settings, params, monitor):
        self.family = family
        self.data = data
        self.settings = settings
        self.params = params
        self.monitor = monitor

    def step(self):
        """One EM step from the current point; the objective of that point."""
        result = expectation_pass(self.family, self.params, self.data)
        value = objective(self.family, self.params, self.settings, result)
        self.params = maximize(self.family, result.stats, self.settings)
        self.monitor.n_iter += 1
        return value


def squarem_cycle(em_map, monitor):
    """One SQUAREM cycle (Varadhan and Roland 2008, scheme S3), kept monotone.

    Two EM steps ``theta0 -> theta1 -> theta2`` give ``r = theta1 - theta0``
    and ``v = theta2 - 2 theta1 + theta0``; the extrapolated point is
    ``theta0 + 2 a r + a^2 v`` with step length ``a = |r| / |v|``, at least 1
    (``a = 1`` is ``theta2`` itself) and at most an adaptive cap, as in the
    SQUAREM package (``step.min0=1, step.max0=1, mstep=4``). One EM step
    from the extrapolated point follows. The vector holds the weights as
    they are and the components in the family's coordinates (logits,
    standard deviations, log-Cholesky factors; :class:`SquaremPacking`).

    Safeguard: the extrapolated point is kept when it is a valid model
    (positive weights and standard deviations) that scores higher than
    ``theta0``. The monitor then records ``theta0`` and the extrapolated
    point; otherwise the cycle falls back to ``theta2``, the plain EM path,
    and records ``theta0`` and ``theta1``. Either way the recorded
    log-likelihoods never decrease. A rejected point is not retried with a
    shorter step: on the benchmark tables, retrying halfway kept runs at
    short steps for thousands of evaluations (Geissler k=2: 20 times as
    many), where falling back to EM lets the next cycle find the long step
    again.
    """
    packing = SquaremPacking(em_map.family, em_map.settings)
    theta0 = packing.pack(em_map.params)
    if monitor.record(em_map.step()):
        return
    log_likelihood_theta0 = monitor.values[-1]
    theta1 = packing.pack(em_map.params)
    log_likelihood_theta1 = em_map.step()
    if monitor.would_stop([*monitor.values[-2:], log_likelihood_theta1]):
        monitor.record(log_likelihood_theta1)
        return
    theta2 = packing.pack(em_map.params)
    r = theta1 - theta0
    v = theta2 - 2.0 * theta1 + theta0
    v_norm = np.sqrt(v @ v)
    step = min(max(np.sqrt(r @ r) / v_norm, 1.0), monitor.step_max) if v_norm else 1
    at_cap = step == monitor.step_max
    if step == 1.0:
        # theta2 itself: nothing to extrapolate, nothing to check.
        monitor.step_max *= STEP_CAP_FACTOR if at_cap else 1.0
        monitor.record(log_likelihood_theta1)
        return
    plain = em_map.params
    log_likelihood = _extrapolated(em_map, packing, theta0 + 2 * step * r + step**2 * v)
    # A gain near rounding counts as none, so that the choice does not
    # depend on how the sums were blocked (which moves a pass's mean by
    # about 1e-15 relative; gains near a threshold of 1e-13 occurred).
    gain = log_likelihood - log_likelihood_theta0
    if np.isfinite(log_likelihood) and gain > 1e-12 * abs(log_likelihood_theta0):
        monitor.accepted += 1
        monitor.step_max *= STEP_CAP_FACTOR if at_cap else 1.0
        monitor.record(log_likelihood)
        return
    monitor.rejected += 1
    if at_cap:
        monitor.step_max = max(1.0, monitor.step_max / STEP_CAP_FACTOR)
    em_map.params = plain
    monitor.record(log_likelihood_theta1)


def _extrapolated(em_map, packing, vector):
    """Log-likelihood after an EM step from ``vector`` (-inf if not a model)."""
    try:
        em_map.params = packing.unpack(vector)
        # The M-step from a valid point can still fail (a covariance that
        # collapses): that point is no better a model.
        return em_map.step()
    except (ValueError, FloatingPointError, np.linalg.LinAlgError):
        return -np.inf


class SquaremPacking:
    """Every free parameter as one flat vector, as SQUAREM extrapolates it.

    The weights enter as they are, the components through the family's
    ``unconstrained`` coordinates. An extrapolated point is an affine
    combination of EM iterates (coefficients summing to one), so its weights
    still sum to one and only their positivity can fail (:meth:`unpack`
    refuses such a point). Log-weights, always valid, took 2 to 4 times as
    many EM-map evaluations on the binomial benchmark tables
    (docs/acceleration.rst).
    """

    def __init__(self, family, settings):
        self.family = family
        self.fits_weights = settings.fixed_weights is None
        self.fixed_weights = settings.fixed_weights
        self.shapes = None

    def pack(self, params):
        arrays = self.family.unconstrained(params.components)
        if self.fits_weights:
            arrays = [params.weights, *arrays]
        self.shapes = [np.shape(a) for a in arrays]
        return np.concatenate([np.ravel(a) for a in arrays])

    def unpack(self, vector):
        """Inverse of the last :meth:`pack`; ValueError if not a model."""
        if not np.isfinite(vector).all():
            raise ValueError("Parameters are not finite.")
        arrays, start = [], 0
        for shape in self.shapes:
            size = math.prod(shape)
            arrays.append(vector[start : start + size].reshape(shape))
            start += size
        weights = self.fixed_weights
        if self.fits_weights:
            weights = arrays.pop(0)
            if not np.all(weights > 0):
                raise ValueError("Mixture weights are not positive.")
            weights = weights / weights.sum()  # the sum drifts by rounding
        # Fixed parameters do not move (their steps are zero), but the
        # round trip through the coordinates would round them.
        components = self.family.hold_fixed(self.family.constrained(arrays))
        return Parameters(
            _cast_weights(self.family, weights), self.family.cast(components)
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
