"""``jaxscratch bivariate``: the classic bivariate-normal figure and its animation."""

from pathlib import Path
from typing import Annotated

import jax
import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress

from jaxscratch import limits
from jaxscratch._io import check_writable, save_figure
from jaxscratch._shared import check_choice
from jaxscratch.cli._common import check_positive, err_console, make_key, print_json
from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian import bivariate as bv
from jaxscratch.scenes import bivariate as sb
from jaxscratch.viz import bivariate as vb

app = typer.Typer(help="The bivariate normal: classic figure and animation.", no_args_is_help=True)

REFERENCE_COV = (1.0, 0.6, 0.6, 2.0)
SWEEP_DEFAULTS = {"rho": (-0.9, 0.9), "sx": (0.5, 2.0), "sy": (0.5, 2.0)}
SYMBOLS = {"mux": "μx", "muy": "μy", "sx": "σx", "sy": "σy", "rho": "ρ"}
SWEEP_SHIFT = 2.0  # mux / muy sweep from mu - 2 to mu + 2 by default
VIEWS = ("3d", "2d")

Mean = Annotated[tuple[float, float], typer.Option(help="Mean: two numbers, e.g. --mean 0 0.")]
Cov = Annotated[
    tuple[float, float, float, float] | None,
    typer.Option(
        help="Covariance row by row: --cov 1 0.6 0.6 2 (the default).", show_default=False
    ),
]
Sx = Annotated[float | None, typer.Option(help="sigma_x > 0 (instead of --cov).")]
Sy = Annotated[float | None, typer.Option(help="sigma_y > 0 (instead of --cov).")]
Rho = Annotated[float | None, typer.Option(help="Correlation, |rho| < 1 (instead of --cov).")]
Seed = Annotated[int, typer.Option(help="Seed for the PRNG key.")]
View = Annotated[str, typer.Option(help="3d (the classic box) or 2d (scatter + marginals).")]


BYTES_PER_POINT = 160  # one 2-D draw: base normal, sample, and matplotlib's float64 copies


def _check_memory(n: int, frames: int = 0) -> None:
    """Refuse --n larger than memory before drawing: every point costs the figure about
    ``BYTES_PER_POINT``, and an animation holds each frame's samples too (float32 pairs)."""
    limits.check_fits(
        f"--n {n}" + (f" over {frames} frames" if frames else ""),
        n,
        lambda m: m * (BYTES_PER_POINT + 8 * frames),
        lambda m: f"--n {m}",
    )


def _params(mean, cov, sx, sy, rho) -> bv.Params:
    if any(v is not None for v in (sx, sy, rho)):
        if cov is not None:
            raise JaxscratchError("give either --cov or --sx/--sy/--rho, not both")
        return bv.params(mean[0], mean[1], 1.0 if sx is None else sx, 1.0 if sy is None else sy,
                         0.0 if rho is None else rho)  # fmt: skip
    return bv.from_cov(np.asarray(mean), np.asarray(cov or REFERENCE_COV).reshape(2, 2))


DPI_MAX = 1200  # print resolution; past it a figure's pixels outgrow matplotlib (2**16 a side)


def _check_dpi(dpi: int) -> None:
    if not 1 <= dpi <= DPI_MAX:
        raise JaxscratchError(f"--dpi must lie in 1..{DPI_MAX}, got {dpi}; e.g. --dpi 120")


def _check_view(view: str) -> None:
    check_choice(view, "--view", VIEWS)


def _summary(scene: sb.BivariateScene, out: Path) -> dict:
    f = lambda a: np.asarray(a, dtype=float).round(6).tolist()  # noqa: E731
    return {
        "out": str(out),
        "n": int(scene.samples.shape[0]),
        "mean": f(scene.mean),
        "cov": f(scene.cov),
        "eigvals": f(scene.eigvals),
        "tilt_deg": float(np.degrees(float(scene.tilt))),
        "ellipse_k": f(scene.ks),
        "ellipse_mass": f(scene.masses),
        "mean_hat": f(scene.mean_hat),
        "cov_hat": f(scene.cov_hat),
    }


@app.command()
def plot(
    out: Annotated[Path, typer.Option(help="Image file: .png, .svg or .pdf.")] = Path(
        "bivariate.png"
    ),
    mean: Mean = (0.0, 0.0),
    cov: Cov = None,
    sx: Sx = None,
    sy: Sy = None,
    rho: Rho = None,
    n: Annotated[int, typer.Option("--n", "-n", help="Number of samples.")] = 10_000,
    seed: Seed = 0,
    view: View = "3d",
    dpi: Annotated[int, typer.Option(help="Resolution of raster output.")] = 120,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Draw the classic figure: samples and 3-sigma ellipse on the floor, marginals on walls."""
    check_positive(n, "--n")
    if n < 2:
        raise JaxscratchError("--n must be >= 2 to estimate a covariance (the summary's cov_hat)")
    _check_dpi(dpi)
    _check_memory(n)
    _check_view(view)
    out = check_writable(vb.check_figure_path(out))
    p = _params(mean, cov, sx, sy, rho)
    # the 2-D view is drawn 1:1, so right angles (the eigen-axes) look right
    scene = sb.scene(p, sb.base_normals(make_key(seed), n), sb.box(p, square=view == "2d"))
    fig = (vb.classic if view == "3d" else vb.flat)(scene)
    save_figure(out, fig, dpi=dpi)
    summary = _summary(scene, out)
    if as_json:
        print_json(summary)
        return
    typer.echo(
        f"wrote {out} ({view}, n = {n:,}): eigenvalues {summary['eigvals']}, "
        f"tilt {summary['tilt_deg']:.1f} deg, "
        f"3-sigma ellipse holds {summary['ellipse_mass'][-1]:.2%}"
    )


@app.command()
def animate(
    out: Annotated[
        Path, typer.Option(help="Animation file: .gif, .html (or .mp4 with ffmpeg).")
    ] = (Path("bivariate.gif")),
    sweep: Annotated[
        str, typer.Option(help="Parameter to sweep: rho, sx, sy, mux or muy.")
    ] = "rho",
    start: Annotated[float | None, typer.Option(help="First value (rho: -0.9).")] = None,
    stop: Annotated[float | None, typer.Option(help="Turning value (rho: 0.9).")] = None,
    frames: Annotated[int, typer.Option(help="Frames in one loop start -> stop -> start.")] = 48,
    fps: Annotated[int, typer.Option(help="Frames per second.")] = 16,
    mean: Mean = (0.0, 0.0),
    cov: Cov = None,
    sx: Sx = None,
    sy: Sy = None,
    rho: Rho = None,
    n: Annotated[int, typer.Option("--n", "-n", help="Number of samples.")] = 3_000,
    seed: Seed = 0,
    view: View = "3d",
    dpi: Annotated[int, typer.Option(help="Resolution of the frames.")] = 80,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Animate a parameter sweep; the same base normals are reused so the cloud morphs."""
    for value, name in ((n, "--n"), (frames, "--frames"), (fps, "--fps")):
        check_positive(value, name)
    _check_dpi(dpi)
    _check_memory(n, frames)
    _check_view(view)
    out = check_writable(vb.check_figure_path(out, vb.ANIMATION_FORMATS))
    p = _params(mean, cov, sx, sy, rho)
    check_choice(sweep, "--sweep", bv.Params._fields)
    here = float(getattr(p, sweep))
    lo, hi = SWEEP_DEFAULTS.get(sweep, (here - SWEEP_SHIFT, here + SWEEP_SHIFT))
    lo, hi = lo if start is None else start, hi if stop is None else stop
    sb.param_sweep(
        p, sweep, [lo, hi]
    )  # validate the ends themselves: the eased loop may round past
    values = sb.sweep_values(lo, hi, frames)
    stacked = sb.param_sweep(p, sweep, values)
    z = sb.base_normals(make_key(seed), n)
    scenes = jax.block_until_ready(sb.frames(stacked, z, square=view == "2d"))
    titles = [f"{SYMBOLS[sweep]} = {round(v, 2) + 0.0:+.2f}" for v in values]
    anim = vb.animate(scenes, titles, view=view, fps=fps)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=True, disable=quiet) as bar:
        task = bar.add_task("rendering frames", total=frames)
        vb.save_animation(out, anim, fps=fps, dpi=dpi,
                          progress=lambda i, total: bar.update(task, completed=i + 1))  # fmt: skip
    typer.echo(f"wrote {out}: {frames} frames sweeping {sweep} over [{values.min():.2f}, "
               f"{values.max():.2f}], n = {n:,}")  # fmt: skip
