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

import jaxscratch.cli._cluster as cluster  # --coordinator/--num-processes/--process-id
from jaxscratch import gaussian, limits
from jaxscratch._io import check_writable, save_npy
from jaxscratch.cli._common import (
    as_square,
    check_positive,
    err_console,
    make_key,
    out_console,
    parse_array,
    precision,
    print_json,
)
from jaxscratch.errors import JaxscratchError

app = typer.Typer(help="Multivariate normal sampling from scratch.", no_args_is_help=True)

_ROWS = 12  # table rows shown per block (largest |z| first)
_JSON_ARRAYS = ("mean_true", "mean_hat", "mean_se", "cov_true", "cov_hat", "cov_se")


def _check_memory(n: int, dim: int, itemsize: int) -> None:
    """Refuse a request larger than memory before anything is drawn: the covariance and its
    factors (about eight d x d matrices), then the n draws, held about four times (the blocks,
    their concatenation, the centred copy and its products in the reconstruction)."""
    matrices = lambda d: 8 * d * d * itemsize  # noqa: E731
    limits.check_fits(f"--dim {dim}", dim, matrices, lambda d: f"--dim {d}")
    draws = lambda m: matrices(dim) + 4 * m * dim * itemsize  # noqa: E731
    limits.check_fits(f"--n {n} (d = {dim})", n, draws, lambda m: f"--n {m} at d = {dim}")


def _check_representable(name: str, values: np.ndarray, dtype) -> None:
    """Finite numbers that become inf in ``dtype`` (1e308 in float32) are named, with the fix."""
    with np.errstate(over="ignore"):
        overflows = np.isfinite(values).all() and not np.isfinite(values.astype(dtype)).all()
    if overflows:
        big = float(np.max(np.abs(values)))
        raise JaxscratchError(
            f"{name} holds {big:.3g}, beyond {np.dtype(dtype).name} (largest "
            f"{float(np.finfo(dtype).max):.3g}); pass --dtype float64 or rescale"
        )


def _distribution(key, n, dim, mean, cov, dtype, condition_number, allow_singular):
    k_mean, k_cov = jax.random.split(key)
    mean_a = parse_array(mean, "--mean") if mean else None
    cov_a = as_square(parse_array(cov, "--cov"), "--cov") if cov else None
    if dim is None:
        dim = len(mean_a) if mean_a is not None else (cov_a.shape[0] if cov_a is not None else 10)
    check_positive(dim, "--dim")
    _check_memory(n, dim, np.dtype(dtype).itemsize)
    for name, given in (("--mean", mean_a), ("--cov", cov_a)):
        if given is not None:
            _check_representable(name, given, dtype)
    if cov_a is None:  # (before the mean: a bad --condition-number is refused at once)
        cov_a = gaussian.random_covariance(
            k_cov, dim, condition_number=condition_number, dtype=dtype
        )
    if mean_a is None:
        mean_a = gaussian.random_mean(k_mean, dim, scale=2.0, dtype=dtype)
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


def _count(text: str) -> int:
    """A sample size as an integer or in exponent notation: 1000000, 1_000_000, 1e9."""
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        raise JaxscratchError(f"--n {text!r} is not a number; give e.g. 1000000 or 1e9") from None
    if value != int(value):
        raise JaxscratchError(f"--n {text} is not a whole number of samples")
    return int(value)


def _stream(key, dist, n, method, chunk, devices, quiet):
    """The moments of n draws, streamed over ``devices``, with a progress bar."""
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True, disable=quiet) as bar:
        task = bar.add_task("sampling (streamed)", total=n)
        moments = gaussian.stream_moments(
            key, dist, n, chunk=chunk, method=method, devices=devices,
            on_chunks=lambda done: bar.update(task, completed=done),
        )  # fmt: skip
    return moments


def _table(title: str, entries: tuple[gaussian.Entry, ...], rows: int) -> Table:
    """The ``rows`` entries with the largest |z|, as the record orders them."""
    table = Table(title=title)
    for col in ("entry", "true", "estimate", "std. error", "z"):
        table.add_column(col, justify="right")
    for e in gaussian.largest_first(entries)[:rows]:
        table.add_row(e.label, f"{e.truth:.5f}", f"{e.estimate:.5f}", f"{e.se:.2e}", f"{e.z:+.2f}")
    if len(entries) > rows:
        table.caption = f"the {rows} entries with the largest |z| of {len(entries)}"
    return table


@app.command()
def sample(
    dim: Annotated[int | None, typer.Option("--dim", "-d", help="Dimension (default 10).")] = None,
    n: Annotated[
        int, typer.Option("--n", "-n", parser=_count, help="Number of samples (1e9 works).")
    ] = 1_000_000,
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
    devices: Annotated[
        int, typer.Option(help="Draw on this many devices (per process), streamed.")
    ] = 1,
    no_save: Annotated[
        bool,
        typer.Option(
            "--no-save", help="Never hold the sample: stream its moments chunk by chunk."
        ),
    ] = False,
    coordinator: cluster.Coordinator = None,
    num_processes: cluster.NumProcesses = None,
    process_id: cluster.ProcessId = None,
    join_timeout: cluster.JoinTimeout = cluster.TIMEOUT,
) -> None:
    """Draw from a random (or given) MVN and reconstruct its mean and covariance.

    With --no-save, --devices > 1 or several processes the sample is never held: each device
    draws its own chunks and only their moments are merged, so --n 1e9 fits in memory."""
    me = cluster.join(coordinator, num_processes, process_id, timeout=join_timeout,
                      command=cluster.command_options(locals()))  # fmt: skip
    check_positive(n, "--n")
    check_positive(chunk, "--chunk")
    if n < 2:
        raise JaxscratchError("--n must be >= 2 to estimate a covariance")
    if out is not None and out.suffix != ".npy":
        raise JaxscratchError(f"--out {out} must end in .npy")
    streamed = no_save or devices != 1 or me.num_processes > 1
    if streamed and out is not None:
        raise JaxscratchError(
            "--out saves the sample, which --no-save, --devices and several processes never "
            "hold; drop --out or those options"
        )
    check_positive(devices, "--devices")
    if out is not None:
        check_writable(out)
    gaussian.normal.check_method(method)
    dt, precision_context = precision(dtype)
    k_dist, k_draw = jax.random.split(make_key(seed))
    with precision_context:
        dist = _distribution(k_dist, n, dim, mean, cov, dt, condition_number, allow_singular)
        t0 = time.perf_counter()
        if streamed:
            where = gaussian.spread_devices(devices * me.num_processes)
            m = _stream(k_draw, dist, n, method, chunk, where, quiet=as_json or me.process_id > 0)
            seconds = time.perf_counter() - t0
            rec = gaussian.reconstruct_moments(m.count, m.mean, m.cov, dist.mean, dist.cov)
        else:
            x = _draw(k_draw, dist, n, method, chunk, quiet=as_json)
            seconds = time.perf_counter() - t0
            rec = gaussian.reconstruct(x, dist.mean, dist.cov)
        if out is not None:
            save_npy(out, x)
        if me.process_id > 0:
            out_console.print(f"process {me.process_id} of {me.num_processes}: drew its share; "
                              "process 0 prints the reconstruction")  # fmt: skip
        elif as_json:
            extra = {"devices": devices * me.num_processes, "processes": me.num_processes,
                     "streamed": streamed}  # fmt: skip
            print_json(_as_dict(rec, method=method, dtype=dtype, seed=seed, sec=seconds) | extra)
        else:
            _print_report(rec, method, dtype, seconds, out)


def _as_dict(rec: gaussian.Reconstruction, *, method, dtype, seed, sec) -> dict:
    lists = {k: np.asarray(getattr(rec, k)).tolist() for k in _JSON_ARRAYS}
    return {
        "dim": rec.dim,
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


def _print_report(rec: gaussian.Reconstruction, method, dtype, seconds, out) -> None:
    out_console.print(
        f"drew n = {rec.n:,} samples of a {rec.dim}-dimensional normal ({method}, {dtype}) "
        f"in {seconds:.2f} s ({rec.n / seconds / 1e6:.2f} M samples/s)"
    )
    out_console.print(_table("mean", rec.mean_entries(), _ROWS))
    out_console.print(_table("covariance (upper triangle)", rec.cov_entries(), _ROWS))
    verdict = "consistent with the truth" if rec.consistent else "NOT consistent with the truth"
    out_console.print(
        f"max |error| = {rec.max_abs_z:.2f} standard errors over {rec.n_tests} quantities; "
        f"bound {rec.threshold:.2f} (family-wise level {rec.alpha:g}): [bold]{verdict}[/bold]"
    )
    if out is not None:
        out_console.print(f"samples saved to {out}")
