"""Demo part 1: the classic bivariate-normal figure, its 2-D view and a correlation sweep."""

from collections.abc import Callable
from pathlib import Path

import jax
import numpy as np

from jaxscratch._io import save_figure, save_npy
from jaxscratch.gaussian import bivariate as bv
from jaxscratch.report import Code, Figure, Section, Table, Text
from jaxscratch.report.live.bivariate import BASE_NORMALS
from jaxscratch.scenes import bivariate as sb
from jaxscratch.viz import bivariate as vb

REFERENCE = ((0.0, 0.0), ((1.0, 0.6), (0.6, 2.0)))


def run(
    out: Path,
    key: jax.Array,
    *,
    n: int = 10_000,
    frames: int = 48,
    n_anim: int = 3_000,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Section:
    """Write ``classic.png``, ``flat.png``, ``sweep_rho.gif`` and the base normals behind the
    figures (``base_normals.npy``, for the live panel) under ``out``; return the section, with
    the fraction of samples inside each k-sigma ellipse against its exact mass."""
    out.mkdir(parents=True, exist_ok=True)
    k_fig, k_anim = jax.random.split(key)
    p = bv.from_cov(np.asarray(REFERENCE[0]), np.asarray(REFERENCE[1]))
    z = sb.base_normals(k_fig, n)  # (n, 2), the same draws in both views
    save_npy(out / BASE_NORMALS, z)  # and in the live report's panel
    scene = sb.scene(p, z, sb.box(p))
    save_figure(out / "classic.png", vb.classic(scene), dpi=110)
    square = sb.scene(p, z, sb.box(p, square=True))
    save_figure(out / "flat.png", vb.flat(square), dpi=110)
    coverage = bv.ellipse_coverage(p, scene.samples, scene.ks)
    values = sb.sweep_values(-0.9, 0.9, frames)
    scenes = sb.frames(sb.param_sweep(p, "rho", values), sb.base_normals(k_anim, n_anim))
    anim = vb.animate(jax.block_until_ready(scenes), [f"ρ = {v:+.2f}" for v in values], fps=16)
    tick = (lambda i, total: progress(i + 1, total)) if progress else None
    vb.save_animation(out / "sweep_rho.gif", anim, fps=16, dpi=70, progress=tick)
    lam = np.asarray(scene.eigvals)
    return Section(
        key="bivariate",
        title="The bivariate normal",
        blocks=(
            Text(
                "The reference distribution has mean (0, 0) and covariance [[1, 0.6], [0.6, 2]] "
                f"(correlation {float(p.rho):.3f}). Its eigenvalues are {lam[0]:.3f} and "
                f"{lam[1]:.3f}; the major axis is tilted {np.degrees(float(scene.tilt)):.1f} "
                f"degrees from the x axis. {n:,} samples were drawn with our own sampler "
                "(uniform bits, Box-Muller, x = mu + L z)."
            ),
            Figure(
                "bivariate/classic.png",
                "The classic picture: samples on the floor of the box with the 3-sigma "
                "ellipse; on the back walls, histograms of the x and y samples with the exact "
                "marginal densities N(0, 1) and N(0, 2) drawn over them.",
            ),  # fmt: skip
            Figure(
                "bivariate/flat.png",
                "The same distribution seen from above: scatter, density contours, the 1, 2 "
                "and 3-sigma ellipses, the eigen-axes scaled by the square roots of the "
                "eigenvalues, and the two marginals beside the axes.",
            ),  # fmt: skip
            Table(
                "Probability inside the k-sigma ellipse: exact 1 - exp(-k^2/2) against the "
                "fraction of samples inside, with its binomial standard error",
                ("k", "exact mass", "fraction of samples", "std. error"),
                tuple(
                    (f"{k:g}", float(m), float(f), float(s))
                    for k, m, f, s in zip(*coverage, strict=True)
                ),
            ),  # fmt: skip
            Figure(
                "bivariate/sweep_rho.gif",
                f"Animation: the correlation sweeps from -0.9 to 0.9 and back ({frames} "
                "frames). The same base normals are reused in every frame, so the cloud "
                "morphs smoothly instead of jumping.",
            ),  # fmt: skip
            Code(
                (
                    "jaxscratch bivariate plot --mean 0 0 --cov 1 0.6 0.6 2 "
                    f"--n {n} --seed {seed} --out classic.png",
                    f"jaxscratch bivariate plot --view 2d --n {n} --out flat.png",
                    f"jaxscratch bivariate animate --sweep rho --frames {frames} --n {n_anim} "
                    "--out sweep_rho.gif",
                    "jaxscratch explore   # the live explorer in the browser",
                )
            ),  # fmt: skip
        ),
    )
