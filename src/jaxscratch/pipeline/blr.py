"""Demo part 4: Bayesian linear regression on our own noisy 1-D data, exact and with NUTS."""

from collections.abc import Callable
from pathlib import Path

import jax
import numpy as np

from jaxscratch import blr
from jaxscratch._io import save_npz
from jaxscratch.report import Code, Figure, Section, Table, Text
from jaxscratch.runs import blr_fit
from jaxscratch.scenes.blr_frames import sequential_frames
from jaxscratch.viz import blr as viz


def _weights_table(s: blr_fit.FitSummary) -> Table:
    m = s.mcmc
    rows = []
    for j, name in enumerate(m.names):
        exact = (s.exact_mean[j], s.exact_sd[j]) if j < len(s.features) else ("", "")
        rows.append((name, *exact, m.mean[j], m.sd[j], m.rhat[j], f"{m.ess[j]:.0f}"))
    return Table(
        "Posterior of the weights (and of log alpha, log beta): the exact conditional posterior "
        "at the empirical-Bayes alpha, beta against NUTS with alpha, beta unknown",
        ("parameter", "exact mean", "exact sd", "NUTS mean", "NUTS sd", "R-hat", "ESS"),
        tuple(rows),
    )


def run(
    out: Path,
    key: jax.Array,
    *,
    n: int = 100,
    noise: float = 0.3,
    warmup: int = 500,
    samples: int = 1000,
    chains: int = 4,
    n_seq: int = 20,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Section:
    """Fit the reference problem (linear truth, n points, noise sd 0.3) exactly and with
    BlackJAX NUTS, write the figures and the sequential animation; return the section."""
    k_data, k_fit, k_seq = jax.random.split(key, 3)
    stages = iter(range(1, 4))  # fit_report announces three stages: exact, sampling, evidence
    tick = (lambda stage: progress(next(stages), 3)) if progress else (lambda stage: None)
    with jax.enable_x64(True):
        data = blr.make_data(k_data, n, truth="linear", noise=noise, dtype=np.float64)
        config = blr_fit.FitConfig(basis="linear", sampler="nuts", n_chains=chains,
                               n_warmup=warmup, n_samples=samples)  # fmt: skip
        report = blr_fit.fit_report(k_fit, data, config, truth="linear", on_stage=tick)
        viz.write_fit(report, out)
        save_npz(out / "data.npz", x=np.asarray(data.x), y=np.asarray(data.y))  # live panel
        snaps = sequential_frames(k_seq, n_seq, noise=0.2, alpha=2.0)
        viz.save_sequential(out / "sequential.gif", snaps, 700)
    blr.check_divergences(report.mcmc, blr.mcmc.MAX_DIVERGENCE_RATE)
    s, m, sds = report.summary, report.summary.mcmc, f"{blr.BAND_SDS:g}"
    comparison = s.evidence_by_degree
    return Section(
        key="blr",
        title="Bayesian linear regression",
        blocks=(
            Text(
                f"Our own data: n = {n} points from y = -0.3 + 0.5 x plus Gaussian noise of sd "
                f"{noise}. The model is y = w0 + w1 x + noise with prior w ~ N(0, I/alpha) and "
                f"noise precision beta. MacKay's fixed-point updates maximise the evidence at "
                f"alpha = {s.alpha:.4g} and beta = {s.beta:.4g} (noise sd "
                f"{s.noise_sd:.3f}); the log evidence there is {s.log_evidence:.3f}.\n\n"
                f"Fully Bayesian, with alpha and beta unknown, BlackJAX NUTS with window "
                f"adaptation ran {chains} chains ({warmup} warm-up and {samples} kept steps each) "
                f"over (w, log alpha, log beta): {m.divergent} divergent transitions of "
                f"{m.transitions}, largest R-hat {m.max_rhat:.4f}, smallest "
                f"effective sample size {m.min_ess:.0f}.\n\n"
                "Two bands are drawn and they are not the same thing. The epistemic band, "
                f"f(x) ± {sds} sd, is the uncertainty about the regression line alone; it narrows "
                f"as data arrive. The predictive band, y ± {sds} sd, is where a new noisy "
                "observation will fall: it adds the noise variance 1/beta and never narrows "
                f"below ±{sds} noise sd."
            ),
            Figure(
                "blr/fit.png",
                "Data, the posterior predictive mean, the epistemic band "
                f"(f(x) ± {sds} sd) and the predictive band (y ± {sds} sd, noise included), a "
                "few posterior function draws, and the true line.",
            ),  # fmt: skip
            _weights_table(s),
            Figure(
                "blr/traces.png",
                "NUTS traces and posterior densities of every parameter, "
                "with the exact posterior overlaid.",
            ),  # fmt: skip
            Figure(
                "blr/evidence.png",
                "Model comparison: log evidence of polynomial bases of "
                f"degree {comparison.degrees[0]} to {comparison.degrees[-1]} on the same data; "
                f"the highest is at degree {comparison.best_degree}.",
            ),  # fmt: skip
            Figure(
                "blr/sequential.gif",
                f"Sequential updating: the posterior over (w0, w1) and "
                f"the bands in data space as {n_seq} points arrive one by one.",
            ),  # fmt: skip
            Code(
                (
                    f"jaxscratch blr fit --truth linear --n {n} --noise {noise} --basis linear "
                    f"--sampler nuts --seed {seed} --out runs/blr",
                    "jaxscratch blr sequential --out runs/blr/sequential.gif",
                )
            ),  # fmt: skip
        ),
    )
