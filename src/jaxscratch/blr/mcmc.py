"""Fully Bayesian regression: sample (w, log alpha, log beta) with BlackJAX NUTS or random walk.

Contract: ``joint_logdensity(stats, prior)`` is the log density of Position(w, log alpha,
log beta) with Gamma hyperpriors (Jacobian of the log included); ``conditional_logdensity``
fixes alpha, beta (its exact answer is ``exact_posterior``). ``nuts`` runs BlackJAX NUTS
after Stan-style window adaptation, one chain per initial position via ``vmap``, its first
window seeded by ``initial_inverse_mass`` (the exact posterior's scales) when given;
``nuts_masked`` is the same sampler as one program for any warm-up length, adapted or fixed
(the MCMC lab's); ``rwm`` is the random-walk Metropolis baseline (BlackJAX additive step,
proposals from our own normal generator). All return ``Chains``; ``summarize`` gives R-hat
and ESS (blackjax.diagnostics).
"""

from collections.abc import Callable
from contextlib import contextmanager
from typing import NamedTuple

import blackjax
import jax
import jax.numpy as jnp
import numpy as np
from blackjax.adaptation.mass_matrix import mass_matrix_adaptation
from blackjax.adaptation.step_size import dual_averaging_adaptation
from blackjax.adaptation.window_adaptation import build_schedule
from jax import Array, lax
from jax.flatten_util import ravel_pytree
from jax.tree_util import Partial

from jaxscratch._shared import LOG_2PI
from jaxscratch.blr.evidence import log_evidence, residual_sq
from jaxscratch.blr.posterior import Stats, covariance, exact_posterior
from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian import standard_normal

_RWM_TARGET_ACCEPT = 0.234  # Roberts, Gelman & Gilks (1997) optimal scaling
MAX_DIVERGENCE_RATE = 0.01  # more divergent transitions than this fraction -> report
MAX_TREE_DEPTH = 10  # NUTS doublings per transition (Stan's and BlackJAX's default)


class Position(NamedTuple):
    """Position of the fully Bayesian model."""

    w: Array  # (M,) weights
    log_alpha: Array  # () log prior precision
    log_beta: Array  # () log noise precision


class HyperPrior(NamedTuple):
    """Gamma(shape, rate) hyperpriors on alpha and beta (weak by default)."""

    alpha_shape: float = 1.0
    alpha_rate: float = 1e-2
    beta_shape: float = 1.0
    beta_rate: float = 1e-2


class Chains(NamedTuple):
    """Draws of several chains with per-transition diagnostics (HMC fields None for RWM)."""

    positions: object  # pytree, leaves (C, S, ...)
    is_divergent: Array  # (C, S) bool
    acceptance: Array  # (C, S) acceptance probability
    step_size: Array  # (C,) adapted step size
    energy: Array | None = None  # (C, S) Hamiltonian of each transition (NUTS)
    tree_depth: Array | None = None  # (C, S) trajectory doublings (NUTS)
    n_leapfrog: Array | None = None  # (C, S) integration steps (NUTS)


class Summary(NamedTuple):
    """Per-coordinate posterior summaries of flattened draws."""

    names: list[str]
    mean: np.ndarray  # (D,)
    sd: np.ndarray  # (D,)
    rhat: np.ndarray  # (D,)
    ess: np.ndarray  # (D,)
    n_divergent: int
    n_transitions: int


def _joint(s: Stats, prior: HyperPrior, jacobian: Array, p: Position) -> Array:
    m_dim = s.gram.shape[0]
    alpha, beta = jnp.exp(p.log_alpha), jnp.exp(p.log_beta)
    log_lik = 0.5 * s.n * (p.log_beta - LOG_2PI) - 0.5 * beta * residual_sq(s, p.w)
    log_prior_w = 0.5 * m_dim * (p.log_alpha - LOG_2PI) - 0.5 * alpha * p.w @ p.w
    return log_lik + log_prior_w + log_hyperprior(prior, p.log_alpha, p.log_beta, jacobian)


def log_hyperprior(prior: HyperPrior, log_alpha: Array, log_beta: Array, jacobian=1.0) -> Array:
    """log Gamma(alpha) + log Gamma(beta) + log alpha + log beta: the density of (log alpha,
    log beta), up to a constant; ``jacobian = 0`` drops the log-Jacobian (a deliberate bug)."""
    return (
        (prior.alpha_shape - 1.0 + jacobian) * log_alpha
        - prior.alpha_rate * jnp.exp(log_alpha)
        + (prior.beta_shape - 1.0 + jacobian) * log_beta
        - prior.beta_rate * jnp.exp(log_beta)
    )


def joint_logdensity(
    s: Stats, prior: HyperPrior | None = None, *, jacobian: bool = True
) -> Callable[[Position], Array]:
    """log p(y, w, log alpha, log beta) up to a constant, from sufficient statistics.

    N/2 ln beta - beta/2 ||y - Phi w||^2 + M/2 ln alpha - alpha/2 w^T w
    + a_alpha ln alpha - b_alpha alpha + a_beta ln beta - b_beta beta
    (the Gamma densities times the Jacobians d alpha / d log alpha = alpha). ``jacobian=False``
    leaves the Jacobians out: a wrong target, kept for the MCMC lab.
    Returned as a ``jax.tree_util.Partial`` of arrays only, so new data of the same shape, other
    priors and the Jacobian switch all reuse one compiled sampler.
    """
    dtype = s.gram.dtype
    prior = HyperPrior(*(jnp.asarray(v, dtype) for v in (prior or HyperPrior())))
    return Partial(_joint, s, prior, jnp.asarray(1.0 if jacobian else 0.0, dtype))


def _conditional(s: Stats, alpha: Array, beta: Array, w: Array) -> Array:
    return -0.5 * beta * residual_sq(s, w) - 0.5 * alpha * w @ w


def conditional_logdensity(s: Stats, alpha, beta) -> Callable[[Array], Array]:
    """log p(w | y, alpha, beta) up to a constant: the exact posterior's target."""
    dtype = s.gram.dtype
    return Partial(_conditional, s, jnp.asarray(alpha, dtype), jnp.asarray(beta, dtype))


def check_run(n_chains: int, n_warmup: int, n_samples: int) -> None:
    """Enough chains for R-hat, draws for diagnostics and warm-up for adaptation."""
    if n_chains < 2:
        raise JaxscratchError(f"need at least 2 chains for R-hat, got {n_chains}")
    if n_samples < 4:
        raise JaxscratchError(f"need at least 4 samples per chain, got {n_samples}")
    if n_warmup < 10:
        raise JaxscratchError(f"need at least 10 warm-up steps to adapt, got {n_warmup}")


def nuts(
    key: Array,
    logdensity: Callable,
    init: object,
    n_warmup: int = 500,
    n_samples: int = 1000,
    target_accept: float = 0.8,
    *,
    step_size: float | None = None,
    dense_mass: bool = False,
    inverse_mass: Array | None = None,
    progress: Callable[[int], None] | None = None,
) -> Chains:
    """BlackJAX NUTS after window adaptation (step size, mass matrix), chains via ``vmap``.

    Args:
        key: PRNG key.
        logdensity: log density of one position (a pytree).
        init: initial positions, each leaf with a leading chain axis (C, ...).
        n_warmup: adaptation steps per chain.
        n_samples: kept draws per chain.
        target_accept: step-size adaptation target.
        step_size: no adaptation: this fixed step size and a unit mass matrix; the warm-up
            steps are then plain burn-in.
        dense_mass: adapt a dense mass matrix instead of a diagonal one.
        inverse_mass: (D,) diagonal inverse mass matrix for the first adaptation window
            (``initial_inverse_mass``); None: the identity. Each slow window still replaces
            it by the draws' own variance estimate, so it changes how fast the warm-up
            settles, not what it settles on.
        progress: called on the host with the number of chain-steps just done (warm-up and
            sampling); the draws do not depend on it.

    Returns:
        ``Chains`` with leaves (C, n_samples, ...).
    """
    n_chains = jax.tree.leaves(init)[0].shape[0]
    check_run(n_chains, n_warmup, n_samples)
    if step_size is not None and not step_size > 0:
        raise JaxscratchError(f"a fixed NUTS step size must be positive, got {step_size}")
    keys = jax.random.split(key, n_chains)
    dtype = jax.tree.leaves(init)[0].dtype
    fixed = None if step_size is None else jnp.asarray(step_size, dtype)
    if inverse_mass is not None:
        inverse_mass = jnp.asarray(inverse_mass, dtype)
        if dense_mass:
            inverse_mass = jnp.diag(inverse_mass)
    with _reporting(progress, n_chains):
        out = _nuts_chains(
            logdensity, keys, init, fixed, inverse_mass, n_warmup, n_samples, target_accept,
            dense_mass, progress is not None,
        )  # fmt: skip
        return Chains(*jax.block_until_ready(out))


_LISTENERS: list[Callable[[], None]] = []  # host-side progress sinks of running samplers


@contextmanager
def _reporting(progress: Callable[[int], None] | None, n_chains: int):
    """While sampling, forward each host tick (one step of every chain) to ``progress``."""
    if progress is None:
        yield
        return
    sink = lambda: progress(n_chains)  # noqa: E731
    _LISTENERS.append(sink)
    try:
        yield
    finally:
        _LISTENERS.remove(sink)


def _tick() -> None:
    for sink in _LISTENERS[-1:]:
        sink()


def _report_step(tick: bool) -> None:
    """With ``tick``, one host callback per step of all chains. It takes no argument, so
    ``vmap`` leaves it unbatched, and it returns nothing, so the draws cannot depend on it.
    Without a listener it is left out of the program: a host call per step costs real time
    on a loaded machine."""
    if tick:
        jax.debug.callback(_tick)


@jax.jit(static_argnums=(5, 6, 8, 9))
def _nuts_chains(
    logdensity, keys, init, fixed, imm, n_warmup, n_samples, target_accept, dense, tick
):
    def info_fn(state, info, adaptation_state):
        _report_step(tick)
        return blackjax.adaptation.base.get_filter_adapt_info_fn()(state, info, adaptation_state)

    warmup = blackjax.window_adaptation(
        blackjax.nuts,
        logdensity,
        is_mass_matrix_diagonal=not dense,
        initial_inverse_mass_matrix=imm,
        target_acceptance_rate=target_accept,
        adaptation_info_fn=info_fn,
        max_num_doublings=MAX_TREE_DEPTH,
    )

    def one_chain(key, position):
        k_warm, k_draw = jax.random.split(key)
        if fixed is None:
            (state, params), _ = warmup.run(k_warm, position, num_steps=n_warmup)
            n_burn = 0
        else:  # no adaptation: the warm-up steps are burn-in with the fixed kernel
            flat, _ = ravel_pytree(position)
            params = {"step_size": fixed, "inverse_mass_matrix": jnp.ones_like(flat)}
            state, n_burn = blackjax.nuts.init(position, logdensity), n_warmup
        kernel = blackjax.nuts(logdensity, **{"max_num_doublings": MAX_TREE_DEPTH, **params})

        def step(st, k):
            st, info = kernel.step(k, st)
            _report_step(tick)
            return st, (
                st.position, info.is_divergent, info.acceptance_rate, info.energy,
                info.num_trajectory_expansions, info.num_integration_steps,
            )  # fmt: skip

        _, out = lax.scan(step, state, jax.random.split(k_draw, n_burn + n_samples))
        pos, div, acc, energy, depth, n_leap = jax.tree.map(lambda a: a[n_burn:], out)
        return pos, div, acc, params["step_size"], energy, depth, n_leap

    return jax.vmap(one_chain)(keys, init)


def nuts_masked(
    key: Array,
    logdensity: Callable,
    init: object,
    n_warmup: int,
    n_samples: int,
    *,
    max_warmup: int,
    step_size: float | None = None,
    target_accept: float = 0.8,
    progress: Callable[[int], None] | None = None,
) -> Chains:
    """NUTS as ``nuts`` (diagonal mass, identity start), as one program for many settings.

    The warm-up is our own scan over ``max_warmup`` steps around BlackJAX's adaptation pieces
    (Stan's window schedule, dual averaging of the step size, Welford variances): the steps
    past ``n_warmup`` are skipped, and with ``step_size`` the warm-up is burn-in with that
    fixed step size and a unit mass matrix. Warm-up length, schedule, adaptation on/off and
    the step size are data, so every ``n_warmup <= max_warmup``, fixed or adapted, and every
    log density of one ``Partial`` structure share one compiled program (the MCMC lab's).

    Returns:
        ``Chains`` with leaves (C, n_samples, ...).
    """
    n_chains = jax.tree.leaves(init)[0].shape[0]
    check_run(n_chains, n_warmup, n_samples)
    if n_warmup > max_warmup:
        raise JaxscratchError(f"n_warmup {n_warmup} is past max_warmup {max_warmup}")
    if step_size is not None and not step_size > 0:
        raise JaxscratchError(f"a fixed NUTS step size must be positive, got {step_size}")
    dtype = jax.tree.leaves(init)[0].dtype
    plan = np.zeros((max_warmup + n_samples, 4), np.int32)  # per step: phase, stage, ends, last
    plan[:n_warmup, 0] = _WARM
    plan[:n_warmup, 1:3] = np.asarray(build_schedule(n_warmup))  # (stage, ends a slow window)
    plan[n_warmup - 1, 3] = 1  # the warm-up's last step: fix the step size
    plan[max_warmup:, 0] = _SAMPLE
    adapt = jnp.asarray(step_size is None)
    first = jnp.asarray(1.0 if step_size is None else step_size, dtype)  # BlackJAX's default
    with _reporting(progress, n_chains):
        out = _nuts_masked_chains(
            logdensity, jax.random.split(key, n_chains), init, jnp.asarray(plan), adapt, first,
            n_samples, target_accept, progress is not None,
        )  # fmt: skip
        return Chains(*jax.block_until_ready(out))


_SKIP, _WARM, _SAMPLE = 0, 1, 2  # phases of a ``nuts_masked`` step


class _Warmup(NamedTuple):
    da: object  # dual averaging state of log step size
    mm: object  # Welford state of the mass matrix
    step_size: Array
    inverse_mass: Array


@jax.jit(static_argnums=(6, 7, 8))
def _nuts_masked_chains(
    logdensity, keys, init, plan, adapt, first, n_samples, target_accept, tick
):
    mm_init, mm_update, mm_final = mass_matrix_adaptation(is_diagonal_matrix=True)
    da_init, da_update, da_final = dual_averaging_adaptation(target_accept)
    kernel = blackjax.nuts.build_kernel()

    def adapt_step(w: _Warmup, stage, ends, last, position, acceptance) -> _Warmup:
        """Stan's window adaptation, one step (as BlackJAX's ``window_adaptation.base``)."""
        da = da_update(w.da, acceptance)
        mm = lax.cond(stage == 1, lambda m: mm_update(m, position), lambda m: m, w.mm)
        w = _Warmup(da, mm, jnp.exp(da.log_step_size), w.inverse_mass)

        def close_window(w):  # a slow window ends: new metric, the step size restarts
            mm = mm_final(w.mm)
            da = da_init(da_final(w.da))
            return _Warmup(da, mm, jnp.exp(da.log_step_size), mm.inverse_mass_matrix)

        w = lax.cond(ends == 1, close_window, lambda w: w, w)
        return w._replace(step_size=jnp.where(last == 1, da_final(w.da), w.step_size))

    def one_chain(key, position):
        flat, _ = ravel_pytree(position)
        ones = jnp.ones_like(flat)
        w = _Warmup(da_init(first), mm_init(flat.shape[0], ones), first, ones)

        def move(carry, xs):  # one NUTS step, warm-up or draw; then adapt if warming up
            (st, w), (k, (phase, stage, ends, last)) = carry, xs
            st, info = kernel(
                k, st, logdensity, w.step_size, w.inverse_mass, max_num_doublings=MAX_TREE_DEPTH
            )
            _report_step(tick)
            pos = ravel_pytree(st.position)[0]
            w = lax.cond(
                adapt & (phase == _WARM),
                lambda w: adapt_step(w, stage, ends, last, pos, info.acceptance_rate),
                lambda w: w, w,
            )  # fmt: skip
            return (st, w), (
                st.position, info.is_divergent, info.acceptance_rate, info.energy,
                info.num_trajectory_expansions, info.num_integration_steps,
            )  # fmt: skip

        def step(carry, xs):  # the phases are unbatched (not vmapped): a real cond, no select
            out = jax.eval_shape(move, carry, xs)[1]
            skip = lambda c, _: (c, jax.tree.map(lambda a: jnp.zeros(a.shape, a.dtype), out))  # noqa: E731
            return lax.cond(xs[1][0] == _SKIP, skip, move, carry, xs)

        carry = (blackjax.nuts.init(position, logdensity), w)
        xs = (jax.random.split(key, plan.shape[0]), tuple(plan.T))
        (_, w), out = lax.scan(step, carry, xs)
        out = jax.tree.map(lambda a: a[-n_samples:], out)
        return (out[0], out[1], out[2], w.step_size, *out[3:])

    return jax.vmap(one_chain)(keys, init)


def rwm(
    key: Array,
    logdensity: Callable,
    init: object,
    n_warmup: int = 2000,
    n_samples: int = 5000,
    *,
    progress: Callable[[int], None] | None = None,
) -> Chains:
    """Random-walk Metropolis (BlackJAX additive step) with a tuned diagonal Gaussian proposal.

    Warm-up has two halves: the first tunes a global scale by Robbins-Monro towards 23.4 %
    acceptance; the second sets per-coordinate scales from the first half's draws and tunes
    the global scale again. Proposals use ``jaxscratch.gaussian.standard_normal``.

    ``progress`` is called as in ``nuts``.

    Returns:
        ``Chains`` with leaves (C, n_samples, ...); ``step_size`` holds the global scale.
    """
    n_chains = jax.tree.leaves(init)[0].shape[0]
    check_run(n_chains, n_warmup, n_samples)
    keys = jax.random.split(key, n_chains)
    with _reporting(progress, n_chains):
        out = _rwm_chains(logdensity, keys, init, n_warmup, n_samples, progress is not None)
        return jax.block_until_ready(out)


@jax.jit(static_argnums=(3, 4, 5))
def _rwm_chains(logdensity, keys, init, n_warmup, n_samples, tick):
    def kernel(scale, unravel):
        def random_step(k, position):
            flat, _ = ravel_pytree(position)
            return unravel(scale * standard_normal(k, flat.shape, flat.dtype))

        return blackjax.additive_step_random_walk(logdensity, random_step)

    def one_chain(key, position):
        flat0, unravel = ravel_pytree(position)
        d = flat0.shape[0]
        k1, k2, k3 = jax.random.split(key, 3)
        half = n_warmup // 2

        def adapt(carry, k_i):
            st, log_eps, diag, i = carry
            st, info = kernel(jnp.exp(log_eps) * diag, unravel).step(k_i[0], st)
            rate = 1.0 / jnp.sqrt(i + 1.0)  # Robbins-Monro gain
            log_eps = log_eps + rate * (info.acceptance_rate - _RWM_TARGET_ACCEPT)
            _report_step(tick)
            return (st, log_eps, diag, i + 1.0), ravel_pytree(st.position)[0]

        state = blackjax.additive_step_random_walk.init(position, logdensity)
        log_eps0 = jnp.log(2.38 / jnp.sqrt(d)).astype(flat0.dtype)
        carry = (state, log_eps0, jnp.ones_like(flat0), 0.0)
        carry, trace = lax.scan(adapt, carry, jax.random.split(k1, (half, 1)))
        diag = jnp.std(trace[half // 2 :], axis=0) + 1e-8  # (d,) from the settled part
        carry = (carry[0], log_eps0, diag, 0.0)
        (state, log_eps, diag, _), _ = lax.scan(
            adapt, carry, jax.random.split(k2, (n_warmup - half, 1))
        )
        alg = kernel(jnp.exp(log_eps) * diag, unravel)

        def step(st, k):
            st, info = alg.step(k, st)
            _report_step(tick)
            return st, (st.position, jnp.zeros((), bool), info.acceptance_rate)

        _, (pos, div, acc) = lax.scan(step, state, jax.random.split(k3, n_samples))
        return Chains(pos, div, acc, jnp.exp(log_eps))

    return jax.vmap(one_chain)(keys, init)


@jax.jit
def flatten_draws(positions: object) -> Array:
    """Pytree draws with leaves (C, S, ...) -> array (C, S, D)."""
    return jax.vmap(jax.vmap(lambda p: ravel_pytree(p)[0]))(positions)


@jax.jit
def _rhat_ess(flat: Array) -> tuple[Array, Array]:
    """Gelman-Rubin R-hat and ESS of (C, S, D) draws (blackjax.diagnostics), compiled once."""
    rhat = blackjax.diagnostics.potential_scale_reduction(flat, chain_axis=0, sample_axis=1)
    return rhat, blackjax.diagnostics.effective_sample_size(flat, chain_axis=0, sample_axis=1)


def summarize(chains: Chains, names: list[str]) -> Summary:
    """Posterior mean, sd, R-hat (Gelman-Rubin) and ESS per coordinate."""
    flat = flatten_draws(chains.positions)  # (C, S, D)
    if flat.shape[-1] != len(names):
        raise JaxscratchError(f"got {len(names)} names for {flat.shape[-1]} coordinates")
    rhat, ess = _rhat_ess(flat)
    return Summary(
        names=list(names),
        mean=np.asarray(flat.mean(axis=(0, 1))),
        sd=np.asarray(flat.std(axis=(0, 1), ddof=1)),
        rhat=np.asarray(rhat),
        ess=np.asarray(ess),
        n_divergent=int(jnp.sum(chains.is_divergent)),
        n_transitions=int(chains.is_divergent.size),
    )


def check_divergences(summary: Summary, max_rate: float = MAX_DIVERGENCE_RATE) -> None:
    """Raise when more than ``max_rate`` of the transitions diverged."""
    rate = summary.n_divergent / max(summary.n_transitions, 1)
    if rate > max_rate:
        raise JaxscratchError(
            f"NUTS had {summary.n_divergent} divergent transitions of {summary.n_transitions} "
            f"({100 * rate:.1f} % > {100 * max_rate:g} %): the draws are biased; use a higher "
            "target acceptance, fewer basis functions or a stronger prior"
        )


def initial_inverse_mass(
    s: Stats, alpha: Array | float, beta: Array | float, prior: HyperPrior | None = None
) -> Array:
    """Posterior variances of (w, log alpha, log beta) near (alpha, beta), shape (M + 2,).

    The weights' are exact given alpha and beta: diag S_N (PRML eq. 3.54). Those of
    (log alpha, log beta) come from the Laplace approximation of their marginal posterior,
    the inverse of minus the Hessian of ln p(y | alpha, beta) + ln p(log alpha, log beta)
    (PRML eq. 3.86 and section 4.4); where that curvature is not positive, 1. Seeding the
    warm-up with these saves its first window from exploring a unit metric that is ~30x too
    wide for the weights.
    """
    dtype = s.gram.dtype
    prior = HyperPrior(*(jnp.asarray(v, dtype) for v in (prior or HyperPrior())))
    theta = jnp.log(jnp.stack([jnp.asarray(alpha, dtype), jnp.asarray(beta, dtype)]))
    return _initial_inverse_mass(s, prior, theta)


@jax.jit
def _initial_inverse_mass(s: Stats, prior: HyperPrior, theta: Array) -> Array:
    def log_marginal(t):  # ln p(y | alpha, beta) + ln p(log alpha, log beta)
        return log_evidence(s, jnp.exp(t[0]), jnp.exp(t[1])) + log_hyperprior(prior, t[0], t[1])

    neg_h = -jax.hessian(log_marginal)(theta)  # (2, 2)
    var_h = jnp.diag(jnp.linalg.solve(neg_h, jnp.eye(2, dtype=theta.dtype)))  # (2,)
    ok = (jnp.linalg.det(neg_h) > 0) & (neg_h[0, 0] > 0) & jnp.all(jnp.isfinite(var_h))
    var_w = jnp.diag(covariance(exact_posterior(s, jnp.exp(theta[0]), jnp.exp(theta[1]))))
    return jnp.concatenate([var_w, jnp.where(ok, var_h, 1.0)])


@jax.jit(static_argnums=3)
def init_positions(key: Array, center: Position, spread: Position, n_chains: int) -> Position:
    """Over-dispersed starts: center + spread * U(-2, 2), one per chain; leaves (C, ...)."""
    leaves, treedef = jax.tree.flatten(center)
    keys = jax.random.split(key, len(leaves))
    spreads = jax.tree.leaves(spread)
    out = [
        c + s * (4.0 * jax.random.uniform(k, (n_chains, *jnp.shape(c)), jnp.result_type(c)) - 2.0)
        for c, s, k in zip(leaves, spreads, keys, strict=True)
    ]
    return jax.tree.unflatten(treedef, out)
