"""Demo part 2: sample a random d = 10 normal from uniform bits and reconstruct its moments."""

import time
from collections.abc import Callable
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from jaxscratch import gaussian
from jaxscratch._io import save_figure, save_npz, write_json
from jaxscratch.report import Code, Figure, Section, Table, Text
from jaxscratch.report.live.mvn import RUNNING
from jaxscratch.viz.mvn import reconstruction_figure


def run(
    out: Path,
    key: jax.Array,
    *,
    dim: int = 10,
    n: int = 1_000_000,
    method: str = "box-muller",
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Section:
    """Draw n samples of a random ``dim``-dimensional normal, write the reconstruction
    (``reconstruction.json``, ``reconstruction.png``) and the sample's running sums
    (``running.npz``, for the live panel) under ``out``, and return the section."""
    out.mkdir(parents=True, exist_ok=True)
    k_mean, k_cov, k_draw = jax.random.split(key, 3)
    mean = gaussian.random_mean(k_mean, dim, scale=2.0)
    cov = gaussian.random_covariance(k_cov, dim, condition_number=10.0)
    dist = gaussian.from_cov(mean, cov)
    start = time.perf_counter()
    blocks, done = [], 0
    for block in gaussian.sample_chunks(k_draw, dist, n, method=method):
        blocks.append(block.block_until_ready())
        done += block.shape[0]
        if progress:
            progress(done, n)
    seconds = time.perf_counter() - start
    x = jnp.concatenate(blocks)  # (n, dim)
    rec = gaussian.reconstruct(x, dist.mean, dist.cov)
    sums = gaussian.running_sums(x, gaussian.running_grid(n), dist.mean)  # for the live report
    save_npz(out / RUNNING, mean_true=dist.mean, cov_true=dist.cov, **sums._asdict())
    means = rec.mean_entries()
    entries = means + rec.cov_entries()  # the mean, then the covariance's upper triangle
    error = np.array([e.error for e in entries])
    se = np.array([e.se for e in entries])
    z = np.array([e.z for e in entries])
    grid = np.linspace(-4.5, 4.5, 401)
    pdf = np.asarray(gaussian.normal_pdf(jnp.asarray(grid)))  # N(0, 1), the z-scores' law
    fig = reconstruction_figure(error, se, dim, z, grid, pdf,
                                title=f"d = {dim}, n = {n:,} samples")  # fmt: skip
    save_figure(out / "reconstruction.png", fig, dpi=110)
    verdict = "consistent with the truth" if rec.consistent else "NOT consistent with the truth"
    summary = {
        "dim": dim, "n": n, "method": method, "seed": seed, "seconds": seconds,
        "samples_per_s": n / seconds, "max_abs_z": rec.max_abs_z, "threshold": rec.threshold,
        "alpha": rec.alpha, "consistent": rec.consistent,
        "mean_true": [e.truth for e in means], "mean_hat": [e.estimate for e in means],
        "cov_true": np.asarray(rec.cov_true).tolist(), "cov_hat": np.asarray(rec.cov_hat).tolist(),
    }  # fmt: skip
    write_json(out / "reconstruction.json", summary)
    mean_rows = tuple((e.label, e.truth, e.estimate, e.se, f"{e.z:+.2f}") for e in means)
    return Section(
        key="mvn",
        title="Sampling a multivariate normal from uniform bits",
        blocks=(
            Text(
                f"Random bits become uniforms on (0, 1), Box-Muller turns pairs of uniforms into "
                f"pairs of independent N(0, 1) draws, and x = mu + L z (L the Cholesky factor of "
                f"Sigma) gives the multivariate normal. No library normal generator is used. "
                f"A random mean and a random covariance (Q diag(lambda) Q^T with condition number "
                f"10) were drawn for d = {dim}; n = {n:,} samples took {seconds:.2f} s.\n\n"
                f"Each of the {rec.n_tests} estimated quantities (the {dim} means and the "
                f"{rec.n_tests - dim} distinct covariance entries) is compared with its truth in "
                f"units of the standard error that n implies. The largest |z| is "
                f"{rec.max_abs_z:.2f}; with {rec.n_tests} tests at family-wise level "
                f"{rec.alpha:g} the Bonferroni bound is {rec.threshold:.2f}. Verdict: {verdict}."
            ),
            Table(
                "Mean: truth, estimate, standard error, z",
                ("entry", "true", "estimate", "std. error", "z"),
                mean_rows,
            ),  # fmt: skip
            Figure(
                "mvn/reconstruction.png",
                "Left: the error of every estimated mean and covariance entry (estimate minus "
                "truth) with ±2 standard-error bars; about 95 % of the bars should cross zero. "
                "Right: the errors in standard-error units; if the sampler is right they follow "
                "the N(0, 1) curve.",
            ),
            Code((f"jaxscratch mvn sample --dim {dim} --n {n} --seed {seed} --method {method}",)),
        ),
    )
