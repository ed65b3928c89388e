"""``jaxscratch blr``: Bayesian linear regression fits, MCMC checks, the sequential animation."""

from pathlib import Path
from typing import Annotated

import jax
import numpy as np
import typer
from rich.table import Table

from jaxscratch import blr, limits
from jaxscratch._io import check_writable
from jaxscratch.cli._common import (
    check_positive,
    err_console,
    make_key,
    out_console,
    parse_array,
    precision,
    print_json,
)
from jaxscratch.errors import JaxscratchError
from jaxscratch.runs import blr_fit
from jaxscratch.scenes.blr_frames import sequential_frames
from jaxscratch.viz import blr as viz

app = typer.Typer(help="Bayesian linear regression from scratch.", no_args_is_help=True)


def _gap(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    g = parse_array(text, "--gap")
    if g.shape != (2,):
        raise JaxscratchError(f"--gap {text!r} must be two numbers 'a,b' with a < b")
    return float(g[0]), float(g[1])


def _check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise JaxscratchError(f"--out {out} is a file; give a folder for the results")
    check_writable(out, folder=True, files=viz.FIT_FILES)


def _check_memory(n: int, width: int, chains: int, itemsize: int) -> None:
    """Refuse --n larger than memory before generating data: each point holds a row of the
    design matrix (``width`` features, a few copies: the fit, the evidence by degree, the
    predictive) and, in every vmapped MCMC chain, its residual and gradient terms."""
    per_point = itemsize * (4 * (width + 2) + 4 * chains)
    limits.check_fits(f"--n {n}", n, lambda m: m * per_point, lambda m: f"--n {m}")


@app.command()
def fit(
    truth: Annotated[
        str, typer.Option(help="linear | sin | poly (ignored with --csv).")
    ] = "linear",
    n: Annotated[int, typer.Option("--n", "-n", help="Number of generated points.")] = 100,
    noise: Annotated[float, typer.Option(help="Noise sd of the generated data.")] = 0.3,
    gap: Annotated[str | None, typer.Option(help="Leave x in 'a,b' without data.")] = None,
    csv: Annotated[Path | None, typer.Option(help="Read x,y from a two-column CSV.")] = None,
    basis: Annotated[str, typer.Option(help="linear | poly | rbf | sigmoid")] = "linear",
    degree: Annotated[int, typer.Option(help="Degree of the poly basis.")] = 3,
    centres: Annotated[int, typer.Option(help="Number of rbf / sigmoid centres.")] = 9,
    width: Annotated[float | None, typer.Option(help="rbf / sigmoid width (scaled x).")] = None,
    alpha: Annotated[float | None, typer.Option(help="Fixed prior precision.")] = None,
    beta: Annotated[float | None, typer.Option(help="Fixed noise precision.")] = None,
    sampler: Annotated[str, typer.Option(help="nuts | rwm | none")] = "nuts",
    chains: Annotated[int, typer.Option(help="MCMC chains (vmapped).")] = 4,
    warmup: Annotated[int, typer.Option(help="Warm-up steps per chain.")] = 500,
    samples: Annotated[int, typer.Option(help="Kept draws per chain.")] = 1000,
    target_accept: Annotated[float, typer.Option(help="NUTS step-size target.")] = 0.8,
    max_divergence_rate: Annotated[
        float, typer.Option(help="Report an error above this divergent fraction.")
    ] = blr.mcmc.MAX_DIVERGENCE_RATE,
    max_degree: Annotated[int, typer.Option(help="Evidence-vs-degree up to this (0: skip).")] = 9,
    draws: Annotated[int, typer.Option(help="Posterior function draws to plot.")] = 5,
    dtype: Annotated[str, typer.Option(help="float64 | float32")] = "float64",
    seed: Annotated[int, typer.Option(help="Seed for the PRNG key.")] = 0,
    out: Annotated[Path, typer.Option(help="Folder for summary.json and figures.")] = Path(
        "runs/blr"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print summary.json to stdout.")] = False,
) -> None:
    """Fit, sample, compare degrees; write summary.json, fit.png, traces.png, evidence.png."""
    _check_out_dir(out)
    if not 0.0 <= max_divergence_rate <= 1.0:
        raise JaxscratchError(
            f"--max-divergence-rate must lie in [0, 1], got {max_divergence_rate}"
        )
    dt, precision_context = precision(dtype)
    k_data, k_fit = jax.random.split(make_key(seed))
    config = blr_fit.FitConfig(
        basis=basis, degree=degree, n_centres=centres, width=width, alpha=alpha, beta=beta,
        sampler=sampler, n_chains=chains, n_warmup=warmup, n_samples=samples,
        target_accept=target_accept, max_degree=max_degree, n_draws=draws,
    )  # fmt: skip
    with precision_context, err_console.status("fitting", spinner="dots") as status:
        if csv is not None:
            data, truth_name = blr.load_csv(csv), None
        else:
            check_positive(n, "--n")
            _check_memory(n, max(degree, centres, max_degree) + 1, chains, dt.itemsize)
            data = blr.make_data(k_data, n, truth=truth, noise=noise, gap=_gap(gap), dtype=dt)
            truth_name = truth
        report = blr_fit.fit_report(k_fit, data, config, truth=truth_name,
                                on_stage=lambda s: status.update(s))  # fmt: skip
        status.update("drawing figures")
        viz.write_fit(report, out)
    if as_json:
        print_json(report.summary.to_json())
    else:
        _print_report(report, out)
    if report.mcmc is not None and sampler == "nuts":
        blr.check_divergences(report.mcmc, max_divergence_rate)


def _print_report(report: blr_fit.FitReport, out: Path) -> None:
    s = report.summary
    out_console.print(
        f"n = {s.n}, {s.basis} basis: alpha = {s.alpha:.4g}, beta = {s.beta:.4g} "
        f"(noise sd {s.noise_sd:.4g}; {s.hyperparameters}), log evidence {s.log_evidence:.4f}"
    )
    table = Table(title="posterior of the weights")
    for col in ("weight", "exact mean", "exact sd", "MCMC mean", "MCMC sd", "R-hat", "ESS"):
        table.add_column(col, justify="right")
    m = s.mcmc
    for j, name in enumerate(m.names if m is not None else s.features):
        exact = (
            (f"{s.exact_mean[j]:.4f}", f"{s.exact_sd[j]:.4f}") if j < len(s.features) else ("", "")
        )
        mc = (
            (f"{m.mean[j]:.4f}", f"{m.sd[j]:.4f}", f"{m.rhat[j]:.4f}", f"{m.ess[j]:.0f}")
            if m is not None
            else ("",) * 4
        )
        table.add_row(name, *exact, *mc)
    out_console.print(table)
    if m is not None:
        out_console.print(
            f"{m.sampler}: {m.divergent} divergent of {m.transitions} transitions, "
            f"max R-hat {m.max_rhat:.4f}, min ESS {m.min_ess:.0f}"
        )
    if s.evidence_by_degree is not None:
        out_console.print(
            f"highest evidence at polynomial degree {s.evidence_by_degree.best_degree}"
        )
    out_console.print(f"results in {out}")


def _counts(text: str, n: int) -> np.ndarray:
    """--frames as whole point counts in 0..n (checked before the cast, so 1e30 is named)."""
    values = parse_array(text, "--frames")
    bad = ~((values >= 0) & (values <= n) & (values == np.round(values)))
    if values.size == 0 or bad.any():
        shown = f"{values[np.argmax(bad)]:g}" if values.size else "(none)"
        raise JaxscratchError(
            f"frame counts must lie in 0..{n} (--n) as whole numbers, got {shown} in --frames "
            f"{text!r}; e.g. '0 1 2 5 {n}'"
        )
    return values.astype(int)


@app.command()
def sequential(
    out: Annotated[Path, typer.Option(help="The animation, a .gif file.")] = Path(
        "runs/blr/sequential.gif"
    ),
    n: Annotated[int, typer.Option("--n", "-n", help="Points that arrive one by one.")] = 20,
    noise: Annotated[float, typer.Option(help="Noise sd (beta = 1/noise^2, known).")] = 0.2,
    alpha: Annotated[float, typer.Option(help="Prior precision.")] = 2.0,
    frames: Annotated[
        str | None, typer.Option(help="Point counts to show, e.g. '0 1 2 5 20'.")
    ] = None,
    ms_per_frame: Annotated[int, typer.Option(help="Milliseconds per frame.")] = 700,
    seed: Annotated[int, typer.Option(help="Seed for the PRNG key.")] = 0,
) -> None:
    """Animate the posterior (weight space and data-space bands) as points arrive."""
    if out.suffix.lower() != ".gif":
        raise JaxscratchError(f"--out {out} must end in .gif")
    check_writable(out)
    check_positive(n, "--n")
    check_positive(ms_per_frame, "--ms-per-frame")
    counts = None if frames is None else _counts(frames, n)
    with err_console.status("animating", spinner="dots"):
        snaps = sequential_frames(make_key(seed), n, noise=noise, alpha=alpha, counts=counts)
        viz.save_sequential(out, snaps, ms_per_frame)
    out_console.print(f"{len(snaps.counts)} frames written to {out}")
