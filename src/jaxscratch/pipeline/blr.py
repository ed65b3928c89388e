"""Demo part 4: Bayesian linear regression on our own noisy 1-D data, exact and with NUTS."""

from collections.abc import Callable
from pathlib import Path

import jax
import numpy as np

from jaxscratch import blr
from jaxscratch._io import save_npz
from jaxscratch.report import Code, Figure, Section, Table, Text
from jaxscratch.runs import blr_fit, mcmc_lab
from jaxscratch.scenes.blr_frames import sequential_frames
from jaxscratch.viz import blr as viz
from jaxscratch.viz.mcmc_lab import write_lab

OUTLIERS = 0.1  # fraction of the reference data moved far away for the robust fit


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


def _robust_blocks(robust: blr_fit.FitReport) -> tuple:
    s, m = robust.summary, robust.summary.mcmc
    j = {name: i for i, name in enumerate(m.names)}
    nu = (
        f"the degrees of freedom sampled too (posterior mean of log nu {m.mean[j['log_nu']]:.2f})"
        if "log_nu" in j
        else f"nu = {s.nu:g}"
    )
    return (
        Text(
            f"Robust regression: the same data with {100 * OUTLIERS:g} % of the points moved "
            "5 to 10 sds away. The Gaussian model has an exact posterior (bands) and is "
            f"pulled by the outliers: slope {s.exact_mean[1]:.3f} ± {s.exact_sd[1]:.3f}. A "
            f"Student-t likelihood with {nu} has no closed form; NUTS gives slope "
            f"{m.mean[1]:.3f} ± {m.sd[1]:.3f} (the truth is 0.5), max R-hat {m.max_rhat:.4f}."
        ),
        Figure(
            "blr/robust/fit.png",
            "Data with outliers: the exact Gaussian fit (bands) against the Student-t "
            "posterior mean from NUTS (red).",
        ),
    )


def _lab_blocks(lab: mcmc_lab.LabResult) -> tuple:
    return (
        Text(
            "A ground-truth MCMC lab. The exact joint posterior of (w, log alpha, log beta) is "
            "known here (quadrature over log alpha, log beta of the closed-form evidence), so "
            "every run's error can be measured in Monte-Carlo standard errors, "
            "z = (mean - exact) / (sd / sqrt(ESS)). One fault at a time is injected and each "
            "diagnostic is read at its threshold: "
            + ", ".join(f"{k} {v:g}" for k, v in mcmc_lab.THRESHOLDS.items())
            + ".\n\n"
            + "\n\n".join(f"Lesson, with this run's numbers: {line}." for line in lab.lesson)
        ),
        Table(
            "The MCMC lab: each run's diagnostics, and which of them flag it",
            (
                "run",
                "what is wrong",
                "R-hat",
                "min ESS",
                "divergent",
                "min E-BFMI",
                "max |z|",
                "flagged by",
            ),
            tuple(
                (
                    r.fault,
                    mcmc_lab.DESCRIPTIONS[r.fault],
                    f"{r.max_rhat:.4g}",
                    f"{r.min_ess:.0f}",
                    r.divergent,
                    f"{r.min_e_bfmi:.2f}",
                    f"{r.max_abs_z:.1f}",
                    ", ".join(r.flags) or "-",
                )
                for r in lab.runs
            ),
        ),  # fmt: skip
        Figure(
            "blr/lab/lab.png",
            "Which diagnostic flags which fault (red), the lab's claims outlined; right, the "
            "error of each run against the exact posterior in Monte-Carlo standard errors.",
        ),
        Code(("jaxscratch blr lab --out runs/blr-lab",)),
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
    extras: bool = True,
) -> Section:
    """Fit the reference problem (linear truth, n points, noise sd 0.3) exactly and with
    BlackJAX NUTS, write the figures and the sequential animation; return the section.
    ``extras`` adds the robust fit on data with outliers and the MCMC lab. ``progress`` gets
    (chain-steps done, total) over every sampler the part runs."""
    k_data, k_fit, k_seq = jax.random.split(key, 3)
    total = chains * (warmup + samples)
    if extras:
        total += chains * (warmup + samples) + mcmc_lab.total_steps()
    done = [0]

    def step(k: int) -> None:
        done[0] += k
        if progress is not None:
            progress(done[0], total)

    with jax.enable_x64(True):
        data = blr.make_data(k_data, n, truth="linear", noise=noise, dtype=np.float64)
        config = blr_fit.FitConfig(basis="linear", sampler="nuts", n_chains=chains,
                               n_warmup=warmup, n_samples=samples)  # fmt: skip
        report = blr_fit.fit_report(k_fit, data, config, truth="linear", progress=step)
        viz.write_fit(report, out)
        save_npz(out / "data.npz", x=np.asarray(data.x), y=np.asarray(data.y))  # live panel
        snaps = sequential_frames(k_seq, n_seq, noise=0.2, alpha=2.0)
        viz.save_sequential(out / "sequential.gif", snaps, 700)
        robust = lab = None
        if extras:
            k_out, k_rob, k_lab = jax.random.split(jax.random.fold_in(key, 17), 3)
            dirty = blr.add_outliers(k_out, data, OUTLIERS)
            robust = blr_fit.fit_report(k_rob, dirty, config._replace(likelihood="student-t"),
                                        truth="linear", progress=step)  # fmt: skip
            viz.write_fit(robust, out / "robust")
            lab = mcmc_lab.run_lab(k_lab, progress=step)
            write_lab(lab, out / "lab")
    blr.check_divergences(report.mcmc, blr.mcmc.MAX_DIVERGENCE_RATE)
    s, m, sds = report.summary, report.summary.mcmc, f"{blr.BAND_SDS:g}"
    comparison = s.evidence_by_degree
    h = m.hmc
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
            Text(
                f"HMC diagnostics beyond R-hat: divergent transitions per chain "
                f"{list(h.divergent)}, E-BFMI per chain "
                f"{', '.join(f'{v:.2f}' for v in h.e_bfmi)} (below 0.3 the energy is explored "
                f"too slowly; Betancourt 2016), mean tree depth "
                f"{max(h.mean_tree_depth):.1f} of at most {h.max_tree_depth} "
                f"({100 * max(h.saturation):.1f} % of transitions at the limit). "
                + ("Warnings: " + "; ".join(h.warnings) if h.warnings else "No warnings.")
            ),
            Figure(
                "blr/diagnostics.png",
                "NUTS diagnostics: per chain the centred energy against the energy transitions "
                "(similar widths mean a healthy E-BFMI) and a rank plot of every parameter "
                "(flat ranks in every chain mean the chains sample the same distribution).",
            ),  # fmt: skip
            Figure(
                "blr/prior.png",
                "Before any data: lines drawn from the prior w ~ N(0, I/alpha) and the prior "
                "predictive bands at the empirical-Bayes alpha, beta; beside them the "
                "posterior after the data.",
            ),  # fmt: skip
            *(_robust_blocks(robust) if robust is not None else ()),
            *(_lab_blocks(lab) if lab is not None else ()),
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
