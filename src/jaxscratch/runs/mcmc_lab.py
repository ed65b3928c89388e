"""A ground-truth MCMC lab: inject one fault at a time and see which diagnostic catches it.

Contract: ``run_lab(key, faults, quick)`` samples the reference problem (N = 100 points of a
line, noise sd 0.3, unknown alpha and beta) with NUTS once cleanly and once per fault (one
compiled program for all: ``blr.mcmc.nuts_masked``, what differs is data), and scores every
run against the exact joint posterior (``blr.joint_moments``, quadrature): the error
of each posterior mean in Monte-Carlo standard errors, z = (mean - exact) / (sd / sqrt(ESS)),
beside R-hat, ESS, divergences and E-BFMI, each at the threshold in
``THRESHOLDS``. ``CLAIMS`` says which diagnostics the lab claims catch each fault; the
returned ``LabResult`` records what each run actually flagged and the lesson in this run's
numbers: R-hat and ESS can pass while the answer is wrong. Nothing is drawn or written here.
"""

import time
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from jaxscratch._shared import check_choice
from jaxscratch.blr.basis import design, make_basis
from jaxscratch.blr.data import make_data
from jaxscratch.blr.diagnostics import E_BFMI_MIN, e_bfmi
from jaxscratch.blr.evidence import mackay
from jaxscratch.blr.joint_exact import JointMoments, joint_moments
from jaxscratch.blr.mcmc import (
    HyperPrior,
    Position,
    init_positions,
    joint_logdensity,
    nuts_masked,
    summarize,
)
from jaxscratch.blr.posterior import covariance, exact_posterior, stats

NAMES = ("w0", "w1", "log_alpha", "log_beta")
N_POINTS, NOISE = 100, 0.3
CHAINS, WARMUP, SAMPLES = 4, 500, 1000
SHORT_WARMUP = 10  # the smallest warm-up ``nuts`` accepts
BAD_STEP_SIZE = 1.0  # with a unit mass matrix: ~30x the weights' posterior sd
FAR_START = (-60.0, -20.0)  # chain 0 starts this far off in (log alpha, log beta)
MISSCALE = 1e4  # the mis-scaled prior: Gamma rates written in the wrong units
FAULTS = (
    "clean",
    "no-adaptation",
    "short-warmup",
    "far-chain",
    "no-jacobian",
    "misscaled-prior",
)
DESCRIPTIONS = {
    "clean": f"window adaptation, {WARMUP} warm-up steps, over-dispersed starts",
    "no-adaptation": f"no adaptation: fixed step size {BAD_STEP_SIZE:g}, unit mass matrix",
    "short-warmup": f"only {SHORT_WARMUP} warm-up steps",
    "far-chain": f"chain 0 starts {-FAR_START[0]:g} units low in log alpha and "
    f"{-FAR_START[1]:g} in log beta, with the short warm-up (after {WARMUP} steps NUTS is back)",
    "no-jacobian": "log density without the log-Jacobian of log alpha, log beta",
    "misscaled-prior": f"Gamma prior rates {MISSCALE:g}x too large (wrong units)",
}
THRESHOLDS = {  # a run is flagged by a diagnostic past its threshold
    "rhat": 1.01,  # max R-hat above (Vehtari et al. 2021)
    "ess": 400.0,  # min ESS below: 100 per chain
    "divergent": 0,  # any divergent transition
    "e_bfmi": E_BFMI_MIN,  # min E-BFMI below (Betancourt 2016)
    "z": 4.0,  # max |z| above: P(max over 4 coordinates | correct sampler) ~ 2.5e-4
}
DIAGNOSTICS = tuple(THRESHOLDS)
_SHORT = ("short-warmup", "far-chain")  # the runs with the short warm-up
CLAIMS = {  # what the lab claims catches each fault (the seeded test checks each)
    "clean": (),
    "no-adaptation": ("rhat", "ess", "divergent"),  # stuck chains: ESS ~ 0 also widens z
    "short-warmup": (),  # from good starts only ESS suffers: the exact z says it is right
    "far-chain": ("rhat", "ess"),  # the far chain is still on its way: chains disagree
    "no-jacobian": ("z",),
    "misscaled-prior": ("z",),
}


class LabRun(NamedTuple):
    """One sampling run of the lab and what each diagnostic says about it."""

    fault: str
    max_rhat: float
    min_ess: float
    divergent: int
    min_e_bfmi: float
    max_abs_z: float
    z: tuple[float, ...]  # (4,) per coordinate
    flags: tuple[str, ...]  # the diagnostics past their thresholds
    seconds: float

    def values(self) -> dict:
        """Diagnostic name -> this run's value."""
        return {
            "rhat": self.max_rhat,
            "ess": self.min_ess,
            "divergent": self.divergent,
            "e_bfmi": self.min_e_bfmi,
            "z": self.max_abs_z,
        }


class LabResult(NamedTuple):
    """All runs of the lab, the exact answer, the claims and the lesson."""

    runs: tuple[LabRun, ...]
    exact: JointMoments
    quick: bool
    seconds: float
    lesson: tuple[str, ...]  # runs where R-hat passed and the answer was wrong, in numbers

    def missed_claims(self) -> dict[str, tuple[str, ...]]:
        """Fault -> claimed diagnostics that did not flag it (empty when the claims hold);
        for ``clean``, the diagnostics that flagged it anyway."""
        out = {}
        for r in self.runs:
            bad = set(r.flags) if r.fault == "clean" else set(CLAIMS[r.fault]) - set(r.flags)
            if bad:
                out[r.fault] = tuple(sorted(bad))
        return out

    def to_json(self) -> dict:
        """``lab.json``."""
        return {
            "quick": self.quick,
            "seconds": self.seconds,
            "problem": {"n": N_POINTS, "noise_sd": NOISE, "truth": "linear", "names": NAMES},
            "sizes": {"chains": CHAINS, "warmup": WARMUP, "samples": SAMPLES},
            "exact": {"mean": self.exact.mean.tolist(), "sd": self.exact.sd.tolist()},
            "thresholds": dict(THRESHOLDS),
            "claims": {k: list(v) for k, v in CLAIMS.items()},
            "runs": [
                {
                    "fault": r.fault,
                    "description": DESCRIPTIONS[r.fault],
                    **r.values(),
                    "z_per_coordinate": list(r.z),
                    "flags": list(r.flags),
                    "seconds": r.seconds,
                }
                for r in self.runs
            ],
            "missed_claims": {k: list(v) for k, v in self.missed_claims().items()},
            "lesson": list(self.lesson),
        }


def check_faults(faults) -> tuple[str, ...]:
    """Known fault names, in the lab's order, each once."""
    for f in faults:
        check_choice(f, "lab fault", FAULTS)
    return tuple(f for f in FAULTS if f in set(faults))


def _flags(values: dict) -> tuple[str, ...]:
    t = THRESHOLDS
    past = {
        "rhat": values["rhat"] > t["rhat"] or not np.isfinite(values["rhat"]),
        "ess": values["ess"] < t["ess"] or not np.isfinite(values["ess"]),
        "divergent": values["divergent"] > t["divergent"],
        "e_bfmi": values["e_bfmi"] < t["e_bfmi"] or not np.isfinite(values["e_bfmi"]),
        "z": values["z"] > t["z"] or not np.isfinite(values["z"]),
    }
    return tuple(k for k in DIAGNOSTICS if past[k])


@jax.jit
def _far_start(init: Position, far: Array) -> Position:
    """Chain 0 moved by ``far`` in (log alpha, log beta); zeros leave the starts alone."""
    return init._replace(
        log_alpha=init.log_alpha.at[0].add(far[0]), log_beta=init.log_beta.at[0].add(far[1])
    )


def _one(key: Array, fault: str, s, center: Position, spread: Position, exact, progress):
    k_init, k_run = jax.random.split(key)
    far = jnp.asarray(FAR_START if fault == "far-chain" else (0.0, 0.0), center.w.dtype)
    init = _far_start(init_positions(k_init, center, spread, CHAINS), far)
    prior = HyperPrior()
    if fault == "misscaled-prior":
        prior = prior._replace(alpha_rate=prior.alpha_rate * MISSCALE)
    target = joint_logdensity(s, prior, jacobian=fault != "no-jacobian")
    kwargs = {
        "n_warmup": SHORT_WARMUP if fault in _SHORT else WARMUP,
        "n_samples": SAMPLES,
        "max_warmup": WARMUP,  # one compiled program for every fault: what differs is data
        "step_size": BAD_STEP_SIZE if fault == "no-adaptation" else None,
        "progress": progress,
    }
    t0 = time.perf_counter()
    chains = nuts_masked(k_run, target, init, **kwargs)
    seconds = time.perf_counter() - t0
    summ = summarize(chains, list(NAMES))
    mcse = summ.sd / np.sqrt(np.maximum(summ.ess, 1.0))
    z = (summ.mean - exact.mean) / np.where(mcse > 0, mcse, np.inf)
    z = np.where(np.isfinite(summ.mean), z, np.inf)
    values = {
        "rhat": float(np.max(summ.rhat)),
        "ess": float(np.min(summ.ess)),
        "divergent": int(summ.n_divergent),
        "e_bfmi": float(np.min(e_bfmi(chains.energy))),
        "z": float(np.max(np.abs(z))),
    }
    return LabRun(
        fault, values["rhat"], values["ess"], values["divergent"], values["e_bfmi"],
        values["z"], tuple(float(v) for v in z), _flags(values), seconds,
    )  # fmt: skip


@jax.jit
def _starts(s, alpha: Array, beta: Array) -> tuple[Position, Position]:
    """Centre and spread of the over-dispersed starts: the exact posterior at (alpha, beta)."""
    post = exact_posterior(s, alpha, beta)
    zero = jnp.zeros((), post.mean.dtype)
    center = Position(post.mean, jnp.log(post.alpha), jnp.log(post.beta))
    return center, Position(jnp.sqrt(jnp.diag(covariance(post))), zero + 0.5, zero + 0.1)


def _lesson(runs: tuple[LabRun, ...]) -> tuple[str, ...]:
    out = []
    for r in runs:
        if r.fault != "clean" and "rhat" not in r.flags and "z" in r.flags:
            j = int(np.argmax(np.abs(r.z)))
            out.append(
                f"{r.fault}: R-hat {r.max_rhat:.4f} <= {THRESHOLDS['rhat']:g} and min ESS "
                f"{r.min_ess:.0f} pass, yet the posterior mean of {NAMES[j]} is off by "
                f"{abs(r.z[j]):.1f} Monte-Carlo standard errors"
            )
    return tuple(out)


def run_lab(
    key: Array,
    faults=FAULTS,
    quick: bool = False,
    progress: Callable[[int], None] | None = None,
    on_run: Callable[[str], None] = lambda _: None,
) -> LabResult:
    """Sample the reference problem once per fault and score each run against the truth.

    Args:
        key: PRNG key (data, then one subkey per fault, by the fault's position in ``FAULTS``).
        faults: fault names (``FAULTS``); "clean" is always run too.
        quick: only the faults asked for (default all); else also a second replicate of each
            run with another key, so a flag can be told from chance.
        progress: called with chain-steps as the samplers run.
        on_run: called with the fault's name as each run starts.

    Returns:
        ``LabResult``.
    """
    faults = check_faults(("clean", *faults))
    t0 = time.perf_counter()
    with jax.enable_x64(True):
        k_data, k_runs = jax.random.split(key)
        d = make_data(k_data, N_POINTS, truth="linear", noise=NOISE, dtype=jnp.float64)
        s = stats(design(make_basis("linear", d.x), d.x), d.y)
        exact = joint_moments(s)
        eb = mackay(s)
        center, spread = _starts(s, eb.alpha, eb.beta)
        runs = []
        for rep in range(1 if quick else 2):
            for f in faults:
                on_run(f if rep == 0 else f"{f} (replicate)")
                k = jax.random.fold_in(jax.random.fold_in(k_runs, FAULTS.index(f)), rep)
                runs.append(_one(k, f, s, center, spread, exact, progress))
    runs = tuple(runs)
    return LabResult(runs, exact, quick, time.perf_counter() - t0, _lesson(runs))


def total_steps(faults=FAULTS, quick: bool = False) -> int:
    """Chain-steps a lab run reports to ``progress``, for a bar's total."""
    faults = check_faults(("clean", *faults))
    per = [CHAINS * ((SHORT_WARMUP if f in _SHORT else WARMUP) + SAMPLES) for f in faults]
    return sum(per) * (1 if quick else 2)


def markdown(result: LabResult) -> str:
    """``lab.md``: the table and the lesson, for the report and notebook 04."""
    cols = ("run", "what is wrong", "R-hat", "min ESS", "divergent", "min E-BFMI", "max abs z",
            "flagged by")  # fmt: skip
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in result.runs:
        v = r.values()
        lines.append(
            f"| {r.fault} | {DESCRIPTIONS[r.fault]} | {v['rhat']:.4g} | {v['ess']:.0f} | "
            f"{v['divergent']} | {v['e_bfmi']:.2f} | {v['z']:.1f} | {', '.join(r.flags) or '-'} |"
        )
    t = THRESHOLDS
    lines += [
        "",
        f"Thresholds: R-hat > {t['rhat']:g}, ESS < {t['ess']:g}, any divergence, "
        f"E-BFMI < {t['e_bfmi']:g}, |z| > {t['z']:g} Monte-Carlo standard errors from the "
        "exact posterior (quadrature over log alpha, log beta).",
        "",
        *(f"- {line}" for line in result.lesson),
        "- the exact z is only as honest as the ESS in its Monte-Carlo standard error: stuck "
        "chains (ESS near 0) make it small, which is why R-hat and ESS still matter",
    ]
    return "\n".join(lines) + "\n"
