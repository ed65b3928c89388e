"""``jaxscratch mvn``: sample a multivariate normal from uniform bits and check the draws."""

import time
from pathlib import Path
from typing import Annotated

import jax
import jax.numpy as jnp
import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from jaxscratch import gaussian
from jaxscratch._io import save_npy
from jaxscratch.cli._common import (
    as_square,
    check_positive,
    err_console,
    float_dtype,
    make_key,
    out_console,
    parse_array,
    print_json,
)
from jaxscratch.errors import JaxscratchError

app = typer.Typer(help="Multivariate normal sampling from scratch.", no_args_is_help=True)

_ROWS = 12  # table rows shown per block (largest |z| first)


def _distribution(key, dim, mean, cov, dtype, condition_number, allow_singular):
    k_mean, k_cov = jax.random.split(key)
    mean_a = parse_array(mean, "--mean") if mean else None
    cov_a = as_square(parse_array(cov, "--cov"), "--cov") if cov else None
    if dim is None:
        dim = len(mean_a) if mean_a is not None else (cov_a.shape[0] if cov_a is not None else 10)
    check_positive(dim, "--dim")
    if mean_a is None:
        mean_a = gaussian.random_mean(k_mean, dim, scale=2.0, dtype=dtype)
    if cov_a is None:
        cov_a = gaussian.random_covariance(
            k_cov, dim, condition_number=condition_number, dtype=dtype
        )
    mean_a, cov_a = np.asarray(mean_a, dtype), np.asarray(cov_a, dtype)
    if mean_a.shape != (dim,):
        raise JaxscratchError(
            f"--mean has {mean_a.size} values but --dim is {dim}; make them agree"
        )
    return gaussian.from_cov(mean_a, cov_a, allow_singular=allow_singular)


def _draw(key, dist, n, method, chunk, quiet):
    """All n draws, shown as a progress bar while the blocks arrive."""
    parts = []
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True, disable=quiet) as bar:
        task = bar.add_task("sampling", total=n)
        for block in gaussian.sample_chunks(key, dist, n, chunk=chunk, method=method):
            parts.append(block.block_until_ready())
            bar.advance(task, block.shape[0])
    return jnp.concatenate(parts) if len(parts) > 1 else parts[0]


def _table(title, labels, truth, est, se, rows):
    z = (est - truth) / se
    order = np.argsort(-np.abs(z))[:rows]
    table = Table(title=title)
    for col in ("entry", "true", "estimate", "std. error", "z"):
        table.add_column(col, justify="right")
    for i in order:
        table.add_row(
            labels[i], f"{truth[i]:.5f}", f"{est[i]:.5f}", f"{se[i]:.2e}", f"{z[i]:+.2f}"
        )
    if len(labels) > rows:
        table.caption = f"the {rows} entries with the largest |z| of {len(labels)}"
    return table


@app.command()
def sample(
    dim: Annotated[int | None, typer.Option("--dim", "-d", help="Dimension (default 10).")] = None,
    n: Annotated[int, typer.Option("--n", "-n", help="Number of samples.")] = 1_000_000,
    seed: Annotated[int, typer.Option(help="Seed for the PRNG key.")] = 0,
    mean: Annotated[str | None, typer.Option(help="Mean: '0 1 2' or a .npy/.csv file.")] = None,
    cov: Annotated[
        str | None, typer.Option(help="Covariance: 'a b; c d' (rows) or a .npy/.csv file.")
    ] = None,
    method: Annotated[str, typer.Option(help="box-muller | polar | icdf")] = "box-muller",
    dtype: Annotated[str, typer.Option(help="float32 | float64")] = "float32",
    condition_number: Annotated[float, typer.Option(help="Of the random covariance.")] = 10.0,
    allow_singular: Annotated[
        bool, typer.Option(help="Accept a singular PSD covariance.")
    ] = False,
    out: Annotated[Path | None, typer.Option(help="Save the samples as .npy (atomic).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    chunk: Annotated[int, typer.Option(help="Samples drawn per step.")] = 262_144,
) -> None:
    """Draw from a random (or given) MVN and reconstruct its mean and covariance."""
    check_positive(n, "--n")
    check_positive(chunk, "--chunk")
    if n < 2:
        raise JaxscratchError("--n must be >= 2 to estimate a covariance")
    if out is not None and out.suffix != ".npy":
        raise JaxscratchError(f"--out {out} must end in .npy")
    gaussian.normal.check_method(method)
    dt = float_dtype(dtype)
    key = make_key(seed)
    k_dist, k_draw = jax.random.split(key)
    dist = _distribution(k_dist, dim, mean, cov, dt, condition_number, allow_singular)
    t0 = time.perf_counter()
    x = _draw(k_draw, dist, n, method, chunk, quiet=as_json)
    seconds = time.perf_counter() - t0
    rec = gaussian.reconstruct(x, dist.mean, dist.cov)
    if out is not None:
        save_npy(out, x)
    if as_json:
        print_json(_as_dict(rec, dim=dist.dim, method=method, dtype=dtype, seed=seed, sec=seconds))
        return
    _print_report(rec, dist.dim, method, dtype, seconds, out)


def _as_dict(rec, *, dim, method, dtype, seed, sec):
    lists = {
        k: np.asarray(getattr(rec, k)).tolist()
        for k in rec._fields
        if k.startswith(("mean", "cov"))
    }
    return {
        "dim": dim,
        "n": rec.n,
        "method": method,
        "dtype": dtype,
        "seed": seed,
        **lists,
        "max_abs_z": rec.max_abs_z,
        "threshold": rec.threshold,
        "alpha": rec.alpha,
        "consistent": rec.consistent,
        "seconds": sec,
        "samples_per_s": rec.n / sec,
    }


def _print_report(rec, d, method, dtype, seconds, out):
    f = lambda a: np.asarray(a, dtype=float)  # noqa: E731
    iu = np.triu_indices(d)
    out_console.print(
        f"drew n = {rec.n:,} samples of a {d}-dimensional normal ({method}, {dtype}) "
        f"in {seconds:.2f} s ({rec.n / seconds / 1e6:.2f} M samples/s)"
    )
    out_console.print(
        _table(
            "mean",
            [f"mu[{i}]" for i in range(d)],
            f(rec.mean_true),
            f(rec.mean_hat),
            f(rec.mean_se),
            _ROWS,
        )  # fmt: skip
    )
    labels = [f"S[{i},{j}]" for i, j in zip(*iu, strict=True)]
    out_console.print(
        _table(
            "covariance (upper triangle)",
            labels,
            f(rec.cov_true)[iu],
            f(rec.cov_hat)[iu],
            f(rec.cov_se)[iu],
            _ROWS,
        )  # fmt: skip
    )
    verdict = "consistent with the truth" if rec.consistent else "NOT consistent with the truth"
    out_console.print(
        f"max |error| = {rec.max_abs_z:.2f} standard errors over {d + iu[0].size} quantities; "
        f"bound {rec.threshold:.2f} (family-wise level {rec.alpha:g}): [bold]{verdict}[/bold]"
    )
    if out is not None:
        out_console.print(f"samples saved to {out}")
