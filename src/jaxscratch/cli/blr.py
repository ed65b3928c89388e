"""``jaxscratch blr``: Bayesian linear regression fits, MCMC checks, the sequential animation."""

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import jax
import numpy as np
import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from jaxscratch import blr, limits
from jaxscratch._io import check_writable, write_text
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
from jaxscratch.runs import blr_arviz, blr_fit, mcmc_lab
from jaxscratch.scenes.blr_frames import sequential_frames
from jaxscratch.viz import blr as viz
from jaxscratch.viz.mcmc_lab import write_lab

app = typer.Typer(help="Bayesian linear regression from scratch.", no_args_is_help=True)


def _gap(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    g = parse_array(text, "--gap")
    if g.shape != (2,):
        raise JaxscratchError(f"--gap {text!r} must be two numbers 'a,b' with a < b")
    return float(g[0]), float(g[1])


def _data(key, csv, n, truth, noise, gap, outliers, dtype) -> tuple:
    """The data of ``blr fit`` / ``blr data``: a CSV, or generated (with outliers if asked)."""
    if csv is not None:
        return blr.load_csv(csv), None
    check_positive(n, "--n")
    data = blr.make_data(key, n, truth=truth, noise=noise, gap=_gap(gap), dtype=dtype)
    return blr.add_outliers(jax.random.fold_in(key, 1), data, outliers), truth


@contextmanager
def _bar(show: bool, total: int | None):
    """A stage line and one bar over chains x steps (warm-up and sampling) on stderr."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=err_console, disable=not show, transient=True) as bar:
        task = bar.add_task("fitting", total=total)
        yield (lambda s: bar.update(task, description=s)), (lambda k: bar.advance(task, k))


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
    likelihood: Annotated[
        str, typer.Option(help="gaussian | student-t (robust; NUTS only).")
    ] = "gaussian",
    nu: Annotated[
        float | None, typer.Option(help="Student-t degrees of freedom (default: sampled).")
    ] = None,
    outliers: Annotated[
        float,
        typer.Option(
            help="Fraction of generated points made outliers, in [0, 0.5] (not with --csv)."
        ),
    ] = 0.0,
    dense_mass: Annotated[bool, typer.Option(help="NUTS: adapt a dense mass matrix.")] = False,
    progress: Annotated[
        bool, typer.Option(help="Show a bar over chains x steps while sampling.")
    ] = True,
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
    """Fit, sample, compare degrees; write summary.json, fit.png, traces.png, evidence.png,
    prior.png, diagnostics.png (NUTS) and posterior.nc (ArviZ)."""
    _check_out_dir(out)
    blr.check_likelihood(likelihood, nu)
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
        likelihood=likelihood, nu=nu, dense_mass=dense_mass,
    )  # fmt: skip
    if csv is None:
        check_positive(n, "--n")
        _check_memory(n, max(degree, centres, max_degree) + 1, chains, dt.itemsize)
    total = chains * (warmup + samples) if sampler != "none" else None
    with precision_context, _bar(progress, total) as (stage, step):
        data, truth_name = _data(k_data, csv, n, truth, noise, gap, outliers, dt)
        report = blr_fit.fit_report(k_fit, data, config, truth=truth_name, on_stage=stage,
                                    progress=step if sampler != "none" else None)  # fmt: skip
        stage("drawing figures")
        viz.write_fit(report, out)
        stage("writing posterior.nc")
        written = blr_arviz.write_posterior(report, out / "posterior.nc")
    if as_json:
        print_json(report.summary.to_json())
    else:
        _print_report(report, out)
        if written is None and report.mcmc is not None:
            out_console.print(blr_arviz.MISSING)
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
    if m is not None and m.hmc is not None:
        h = m.hmc
        out_console.print(
            f"HMC: divergent per chain {list(h.divergent)}, E-BFMI min {min(h.e_bfmi):.2f}, "
            f"mean tree depth {max(h.mean_tree_depth):.1f} (limit {h.max_tree_depth}), "
            f"at the limit {100 * max(h.saturation):.1f} %"
        )
        for w in h.warnings:
            out_console.print(f"warning: {w}")
    if s.likelihood != "gaussian":
        out_console.print(
            f"MCMC model: Student-t likelihood (nu {'sampled' if s.nu is None else s.nu}); "
            "the exact columns are the Gaussian model's, for contrast"
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


@app.command()
def data(
    out: Annotated[Path, typer.Option(help="The CSV file to write (x,y).")] = Path(
        "runs/blr/data.csv"
    ),
    truth: Annotated[str, typer.Option(help="linear | sin | poly")] = "linear",
    n: Annotated[int, typer.Option("--n", "-n", help="Number of points.")] = 100,
    noise: Annotated[float, typer.Option(help="Noise sd.")] = 0.3,
    gap: Annotated[str | None, typer.Option(help="Leave x in 'a,b' without data.")] = None,
    outliers: Annotated[
        float, typer.Option(help="Fraction of points made outliers, in [0, 0.5].")
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed for the PRNG key.")] = 0,
) -> None:
    """Write generated data (as ``blr fit`` would make them) to a CSV for ``blr fit --csv``."""
    if out.exists() and out.is_dir():
        raise JaxscratchError(f"--out {out} is a folder; give a .csv file name")
    k_data, _ = jax.random.split(make_key(seed))  # the same data as blr fit with this seed
    with jax.enable_x64(True):
        d, _ = _data(k_data, None, n, truth, noise, gap, outliers, jax.numpy.float64)
    rows = "\n".join(f"{x!r},{y!r}" for x, y in zip(d.x.tolist(), d.y.tolist(), strict=True))
    write_text(out, "x,y\n" + rows + "\n")
    out_console.print(f"{len(d.x)} points ({round(outliers * n)} outliers) written to {out}")


@app.command()
def lab(
    quick: Annotated[bool, typer.Option(help="One replicate per run (for tests).")] = False,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            "--fault", help=f"Only this fault (repeatable): {', '.join(mcmc_lab.FAULTS[1:])}."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for the PRNG key.")] = 0,
    out: Annotated[Path, typer.Option(help="Folder for lab.json, lab.png, lab.md.")] = Path(
        "runs/blr-lab"
    ),
    progress: Annotated[bool, typer.Option(help="Show a bar over all chain-steps.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print lab.json to stdout.")] = False,
) -> None:
    """Ground-truth MCMC lab: inject one fault at a time, see which diagnostic catches it."""
    _check_out_dir(out)
    faults = mcmc_lab.check_faults(fault if fault else mcmc_lab.FAULTS)
    with _bar(progress, mcmc_lab.total_steps(faults, quick)) as (stage, step):
        result = mcmc_lab.run_lab(make_key(seed), faults, quick, progress=step, on_run=stage)
        stage("drawing lab.png")
        write_lab(result, out)
    if as_json:
        print_json(result.to_json())
        return
    table = Table(title="MCMC lab: which diagnostic flags which fault")
    for col in ("run", "R-hat", "min ESS", "divergent", "min E-BFMI", "max |z|", "flagged by"):
        table.add_column(col, justify="right")
    for r in result.runs:
        v = r.values()
        cells = (f"{v['rhat']:.4g}", f"{v['ess']:.0f}", str(v["divergent"]),
                 f"{v['e_bfmi']:.2f}", f"{v['z']:.1f}", ", ".join(r.flags) or "-")  # fmt: skip
        table.add_row(r.fault, *cells)
    out_console.print(table)
    t = mcmc_lab.THRESHOLDS
    out_console.print(
        f"thresholds: R-hat > {t['rhat']:g}, ESS < {t['ess']:g}, divergences > 0, "
        f"E-BFMI < {t['e_bfmi']:g}, |z| > {t['z']:g} against the exact posterior"
    )
    for line in result.lesson:
        out_console.print(f"lesson: {line}")
    missed = result.missed_claims()
    if missed:
        out_console.print(f"claims not met in this run: {missed}")
    out_console.print(f"{len(result.runs)} runs in {result.seconds:.1f} s; results in {out}")
