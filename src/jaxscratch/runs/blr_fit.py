"""The whole ``blr fit`` analysis as one function: exact fit, empirical Bayes, MCMC, evidence.

Contract: ``fit_report(key, data, config)`` returns a ``FitReport`` of arrays ready to plot
and a typed ``FitSummary`` of plain numbers, whose ``to_json()`` is ``summary.json``; it draws
nothing and writes nothing. ``check_divergences`` is left to the caller so the results can be
saved before a bad run is reported.
"""

import time
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from jaxscratch._shared import check_choice
from jaxscratch.blr.basis import Basis, design, make_basis
from jaxscratch.blr.data import RegressionData, check_data, truth_fn
from jaxscratch.blr.diagnostics import HmcDiagnostics, hmc_diagnostics
from jaxscratch.blr.evidence import DegreeComparison, compare_degrees, log_evidence, mackay
from jaxscratch.blr.mcmc import (
    Chains,
    HyperPrior,
    Position,
    Summary,
    check_run,
    conditional_logdensity,
    flatten_draws,
    init_positions,
    initial_inverse_mass,
    joint_logdensity,
    nuts,
    rwm,
    summarize,
)
from jaxscratch.blr.posterior import (
    BAND_SDS,
    Posterior,
    Predictive,
    check_conditioning,
    check_precisions,
    checked_posterior,
    covariance,
    predict,
    prior_predictive,
    sample_functions,
    stats,
)
from jaxscratch.blr.robust import NU_PRIOR, RobustPosition, check_likelihood, robust_logdensity
from jaxscratch.errors import JaxscratchError

SAMPLERS = ("nuts", "rwm", "none")
_GRID_PAD = 0.15  # the plotting grid extends 15 % beyond the data on each side
_MAX_PREDICTIVE_DRAWS = 2000  # MCMC draws used for the posterior predictive
_NU_START = 10.0  # centre of the over-dispersed starts of nu
BANDS = {  # what each band of the figures covers, as summary.json states it
    "epistemic": f"f(x) +- {BAND_SDS:g} sd: uncertainty of the regression function only",
    "predictive": f"y +- {BAND_SDS:g} sd: a new noisy observation, adds the noise variance 1/beta",
}


class FitConfig(NamedTuple):
    """Everything ``fit_report`` needs besides the data; alpha = beta = None: estimate them."""

    basis: str = "linear"
    degree: int = 3
    n_centres: int = 9
    width: float | None = None
    alpha: float | None = None
    beta: float | None = None
    sampler: str = "nuts"
    n_chains: int = 4
    n_warmup: int = 500
    n_samples: int = 1000
    target_accept: float = 0.8
    max_degree: int = 9
    n_draws: int = 5
    n_grid: int = 200
    likelihood: str = "gaussian"  # or "student-t" (NUTS only)
    nu: float | None = None  # Student-t degrees of freedom; None: sampled with a prior
    dense_mass: bool = False  # NUTS: adapt a dense mass matrix


class SamplerRun(NamedTuple):
    """The MCMC stage of a fit: the sampler's settings, its time, and what the chains say."""

    sampler: str  # "nuts" or "rwm"
    chains: int
    warmup: int  # steps per chain
    samples_per_chain: int
    seconds: float  # wall time of the run, compilation included
    names: tuple[str, ...]  # sampled coordinates: the weights, then log_alpha, log_beta if free
    mean: tuple[float, ...]
    sd: tuple[float, ...]
    rhat: tuple[float, ...]
    ess: tuple[float, ...]
    divergent: int
    transitions: int
    hmc: HmcDiagnostics | None = None  # NUTS only

    @property
    def max_rhat(self) -> float:
        return float(np.max(self.rhat))

    @property
    def min_ess(self) -> float:
        return float(np.min(self.ess))

    def to_json(self) -> dict:
        """The ``mcmc`` block of ``summary.json``."""
        return {
            "sampler": self.sampler,
            "chains": self.chains,
            "warmup": self.warmup,
            "samples_per_chain": self.samples_per_chain,
            "seconds_including_compilation": self.seconds,
            **{k: list(getattr(self, k)) for k in ("names", "mean", "sd", "rhat", "ess")},
            "max_rhat": self.max_rhat,
            "min_ess": self.min_ess,
            "divergent": self.divergent,
            "transitions": self.transitions,
            "hmc": None if self.hmc is None else self.hmc.to_json(),
            "warnings": [] if self.hmc is None else list(self.hmc.warnings),
        }


class EvidenceByDegree(NamedTuple):
    """Optimised log evidence of polynomial bases of degree 1, 2, ... on the same data."""

    degrees: tuple[int, ...]
    log_evidence: tuple[float | None, ...]  # None where the degree could not be fitted
    best_degree: int  # -1 when no degree could be fitted

    def to_json(self) -> dict:
        """The ``evidence_by_degree`` block of ``summary.json``."""
        return {
            "degrees": list(self.degrees),
            "log_evidence": list(self.log_evidence),
            "best_degree": self.best_degree,
        }


class FitSummary(NamedTuple):
    """The numbers of a fit, for printing and for ``summary.json``."""

    n: int
    basis: str  # the basis kind
    features: tuple[str, ...]  # one name per weight
    hyperparameters: str  # how alpha, beta were set: "fixed" or by empirical Bayes
    alpha: float  # prior precision of the weights
    beta: float  # noise precision
    noise_sd: float  # beta^(-1/2)
    log_evidence: float  # ln p(y | alpha, beta)
    condition_number: float  # of the posterior precision alpha I + beta Phi^T Phi
    exact_mean: tuple[float, ...]  # (M,) posterior mean m_N
    exact_sd: tuple[float, ...]  # (M,) posterior sd of each weight
    mcmc: SamplerRun | None  # None without a sampler
    evidence_by_degree: EvidenceByDegree | None  # None when not compared
    likelihood: str = "gaussian"  # of the MCMC model; the exact fields are always Gaussian
    nu: float | None = None  # Student-t degrees of freedom when fixed

    def to_json(self) -> dict:
        """``summary.json``: these numbers plus what each band covers."""
        return {
            "n": self.n,
            "basis": self.basis,
            "features": list(self.features),
            "hyperparameters": self.hyperparameters,
            "alpha": self.alpha,
            "beta": self.beta,
            "noise_sd": self.noise_sd,
            "log_evidence": self.log_evidence,
            "condition_number": self.condition_number,
            "exact": {"mean": list(self.exact_mean), "sd": list(self.exact_sd)},
            "mcmc": None if self.mcmc is None else self.mcmc.to_json(),
            "evidence_by_degree": None
            if self.evidence_by_degree is None
            else self.evidence_by_degree.to_json(),
            "bands": dict(BANDS),
            "likelihood": {
                "kind": self.likelihood,
                "nu": self.nu,
                "nu_prior": None
                if self.likelihood == "gaussian" or self.nu is not None
                else {"gamma_shape": NU_PRIOR[0], "gamma_rate": NU_PRIOR[1]},
            },
            "priors": _prior_json(),
        }


def _prior_json() -> dict:
    """The priors of the model, as summary.json and posterior.nc state them."""
    p = HyperPrior()
    return {
        "w": "N(0, I / alpha)",
        "alpha": f"Gamma(shape {p.alpha_shape:g}, rate {p.alpha_rate:g})",
        "beta": f"Gamma(shape {p.beta_shape:g}, rate {p.beta_rate:g})",
    }


class FitReport(NamedTuple):
    """Arrays for the figures plus the summary."""

    data: RegressionData
    basis: Basis
    posterior: Posterior
    grid: Array  # (m,)
    predictive: Predictive  # exact, on the grid
    function_draws: Array  # (n_draws, m) from the exact posterior
    exact_sd: Array  # (M,) posterior sd of each weight
    chains: Chains | None
    mcmc: Summary | None
    mcmc_predictive: Predictive | None  # from the MCMC draws, on the grid
    draws: Array | None  # (C, S, D) flattened MCMC draws
    comparison: DegreeComparison | None
    truth_curve: Array | None  # (m,) the noise-free truth on the grid, when known
    summary: FitSummary
    prior_predictive: Predictive | None = None  # before any data, on the grid
    prior_draws: Array | None = None  # (n_draws, m) functions drawn from the prior


def _check_config(config: FitConfig, n: int) -> None:
    check_choice(config.sampler, "sampler", SAMPLERS)
    check_likelihood(config.likelihood, config.nu)
    if config.likelihood == "student-t":
        if config.sampler != "nuts":
            raise JaxscratchError(
                "the Student-t likelihood has no closed form: it needs --sampler nuts"
            )
        if config.alpha is not None:
            raise JaxscratchError(
                "the Student-t fit samples alpha and beta: leave out --alpha and --beta"
            )
    if (config.alpha is None) != (config.beta is None):
        raise JaxscratchError("give both --alpha and --beta, or neither to estimate them")
    if config.alpha is not None:
        check_precisions(config.alpha, config.beta)
    elif n < 2:
        raise JaxscratchError(
            f"estimating alpha and beta needs at least 2 points, got {n}; "
            "give more data or fix both --alpha and --beta"
        )
    if config.sampler != "none":
        check_run(config.n_chains, config.n_warmup, config.n_samples)
    if not 0.0 < config.target_accept < 1.0:
        raise JaxscratchError(
            f"target acceptance must lie strictly between 0 and 1, got {config.target_accept}"
        )
    if config.n_draws < 0 or config.n_grid < 2:
        raise JaxscratchError("need n_draws >= 0 and at least 2 grid points")


def _mcmc(key, s, post, config, names, phi, y, progress) -> tuple[Chains, Summary, float]:
    k_init, k_run = jax.random.split(key)
    sd = jnp.sqrt(jnp.diag(covariance(post)))
    zero = jnp.zeros((), post.mean.dtype)
    imm = None  # the warm-up's first metric: the exact posterior's scales where we know them
    if config.likelihood == "student-t":
        target = robust_logdensity(phi, y, nu=config.nu)
        center = Position(post.mean, jnp.log(post.alpha), jnp.log(post.beta))
        spread = Position(sd, zero + 0.5, zero + 0.1)
        names = [*names, "log_alpha", "log_beta"]
        if config.nu is None:
            center = RobustPosition(*center, jnp.log(zero + _NU_START))
            spread = RobustPosition(*spread, zero + 0.5)
            names = [*names, "log_nu"]
    elif config.alpha is None:
        target = joint_logdensity(s)
        imm = initial_inverse_mass(s, post.alpha, post.beta)
        center = Position(post.mean, jnp.log(post.alpha), jnp.log(post.beta))
        spread = Position(sd, zero + 0.5, zero + 0.1)
        names = [*names, "log_alpha", "log_beta"]
    else:
        target = conditional_logdensity(s, post.alpha, post.beta)
        center, spread, imm = post.mean, sd, sd**2
    init = init_positions(k_init, center, spread, config.n_chains)
    kwargs = {"n_warmup": config.n_warmup, "n_samples": config.n_samples, "progress": progress}
    t0 = time.perf_counter()
    if config.sampler == "nuts":
        chains = nuts(k_run, target, init, target_accept=config.target_accept,
                      dense_mass=config.dense_mass, inverse_mass=imm, **kwargs)  # fmt: skip
    else:
        chains = rwm(k_run, target, init, **kwargs)
    return chains, summarize(chains, names), time.perf_counter() - t0


def _mcmc_predictive(chains: Chains, phi: Array, beta) -> Predictive:
    """Posterior predictive from the draws: var f over draws, plus E[1/beta] for a new y."""
    pos = chains.positions
    joint = hasattr(pos, "log_beta")  # alpha, beta sampled (Gaussian or Student-t)
    w = (pos.w if joint else pos).reshape(-1, phi.shape[1])  # (K, M)
    thin = max(1, w.shape[0] // _MAX_PREDICTIVE_DRAWS)
    f = w[::thin] @ phi.T  # (K', m)
    if joint:  # for Student-t, 1 / beta is the squared scale of the noise
        noise_var = jnp.mean(jnp.exp(-pos.log_beta.reshape(-1)[::thin]))  # E[1 / beta]
    else:
        noise_var = 1.0 / beta
    f_var = jnp.var(f, axis=0)
    return Predictive(f.mean(axis=0), jnp.sqrt(f_var), jnp.sqrt(f_var + noise_var))


def fit_report(
    key: Array,
    data: RegressionData,
    config: FitConfig | None = None,
    truth: str | None = None,
    on_stage: Callable[[str], None] = lambda _: None,
    progress: Callable[[int], None] | None = None,
) -> FitReport:
    """Exact posterior (at fixed or evidence-optimal alpha, beta), bands, draws, MCMC, evidence.

    Args:
        key: PRNG key.
        data: the data set.
        config: basis, hyperparameters, sampler and sizes.
        truth: name of the generating function, to draw it (None for real data).
        on_stage: called with a short description as each stage starts (for progress).
        progress: called with the chain-steps done as MCMC runs (see ``mcmc.nuts``); the
            total is ``config.n_chains * (config.n_warmup + config.n_samples)``.

    Returns:
        ``FitReport``.
    """
    config = config or FitConfig()
    data = check_data(data.x, data.y)
    n = int(data.x.shape[0])
    _check_config(config, n)
    k_draw, k_mcmc = jax.random.split(key)
    on_stage("exact posterior")
    basis = make_basis(
        config.basis, data.x, degree=config.degree, n_centres=config.n_centres, width=config.width
    )
    s = stats(design(basis, data.x), data.y)
    if config.alpha is None:
        eb = mackay(s)
        alpha, beta, how = float(eb.alpha), float(eb.beta), "empirical Bayes (MacKay fixed point)"
    else:
        alpha, beta, how = float(config.alpha), float(config.beta), "fixed"
    post = checked_posterior(s, alpha, beta)
    cond = check_conditioning(s, alpha, beta)
    lo, hi = float(data.x.min()), float(data.x.max())
    pad = _GRID_PAD * max(hi - lo, 1.0)
    grid = jnp.linspace(lo - pad, hi + pad, config.n_grid, dtype=data.x.dtype)
    phi_grid = design(basis, grid)
    pred = predict(post, phi_grid)
    if not bool(jnp.all(jnp.isfinite(pred.predictive_sd))):
        raise JaxscratchError(
            "the predictive bands are not finite; use a lower degree or a stronger prior"
        )
    k_draw, k_prior = jax.random.split(k_draw)
    draws = sample_functions(k_draw, post, phi_grid, config.n_draws)
    prior_pred, prior_draws = prior_predictive(k_prior, alpha, beta, phi_grid, config.n_draws)
    exact_sd = jnp.sqrt(jnp.diag(covariance(post)))
    names = basis.names()
    chains = mcmc = mcmc_pred = flat = sampler_run = None
    if config.sampler != "none":
        on_stage(f"{config.sampler} sampling, {config.n_chains} chains")
        phi = design(basis, data.x)
        chains, mcmc, seconds = _mcmc(k_mcmc, s, post, config, names, phi, data.y, progress)
        hmc = hmc_diagnostics(chains) if config.sampler == "nuts" else None
        mcmc_pred = _mcmc_predictive(chains, phi_grid, beta)
        flat = flatten_draws(chains.positions)
        sampler_run = SamplerRun(
            config.sampler, config.n_chains, config.n_warmup, config.n_samples, seconds,
            *(_tuple(getattr(mcmc, k)) for k in ("names", "mean", "sd", "rhat", "ess")),
            mcmc.n_divergent, mcmc.n_transitions, hmc,
        )  # fmt: skip
    comparison = evidence = None
    if config.max_degree >= 1 and n >= 2:
        on_stage("evidence by degree")
        comparison = compare_degrees(data.x, data.y, range(1, config.max_degree + 1))
        evidence = EvidenceByDegree(
            _tuple(comparison.degrees),
            tuple(None if np.isnan(v) else float(v) for v in comparison.log_evidence),
            comparison.best_degree,
        )
    summary = FitSummary(
        n, basis.kind, tuple(names), how, alpha, beta, float(beta**-0.5),
        float(log_evidence(s, alpha, beta)), cond, _tuple(post.mean), _tuple(exact_sd),
        sampler_run, evidence, config.likelihood,
        None if config.nu is None else float(config.nu),
    )  # fmt: skip
    return FitReport(
        data, basis, post, grid, pred, draws, exact_sd, chains, mcmc, mcmc_pred, flat,
        comparison, None if truth is None else truth_fn(truth)(grid), summary,
        prior_pred, prior_draws,
    )  # fmt: skip


def _tuple(a) -> tuple:
    """Plain Python numbers (or strings) of an array or list, as JSON writes them."""
    return tuple(np.asarray(a).tolist())
