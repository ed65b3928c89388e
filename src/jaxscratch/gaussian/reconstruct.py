"""Reconstruct mean and covariance from samples, with the standard errors n implies."""

from typing import NamedTuple

import jax.numpy as jnp
from jax import Array

from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian.normal import normal_icdf


class Reconstruction(NamedTuple):
    """Estimates, truths and their errors in standard-error units."""

    n: int
    mean_true: Array  # (d,)
    mean_hat: Array  # (d,)
    mean_se: Array  # (d,)
    cov_true: Array  # (d, d)
    cov_hat: Array  # (d, d)
    cov_se: Array  # (d, d)
    max_abs_z: float  # largest |estimate - truth| / se over mean and upper-triangle cov entries
    threshold: float  # |z| bound for the family of tests at level alpha (Bonferroni)
    alpha: float

    @property
    def consistent(self) -> bool:
        return self.max_abs_z <= self.threshold


def bonferroni_z(n_tests: int, alpha: float = 1e-3) -> float:
    """Two-sided |z| bound with family-wise level alpha over n_tests (Bonferroni).

    Computed as -Phi^-1(alpha / 2m): the lower-tail quantile stays accurate in float32, where
    1 - alpha / 2m would round to 1.
    """
    return float(-normal_icdf(jnp.asarray(alpha / (2.0 * n_tests), jnp.float32)))


def sample_moments(x: Array) -> tuple[Array, Array]:
    """Sample mean (d,) and unbiased covariance (d, d) of x (n, d), two-pass for accuracy."""
    n = x.shape[0]
    mean = jnp.mean(x, axis=0)
    xc = x - mean  # (n, d)
    return mean, xc.T @ xc / (n - 1)


def standard_errors(cov: Array, n: int) -> tuple[Array, Array]:
    """Standard errors of the sample mean and covariance of n Gaussian draws.

    se(mean_i) = sqrt(S_ii / n); se(S_ij) = sqrt((S_ij^2 + S_ii S_jj) / (n - 1)) (the variance of
    a Wishart entry divided by its degrees of freedom; Anderson 2003, §3.3).
    """
    var = jnp.diag(cov)
    mean_se = jnp.sqrt(var / n)
    cov_se = jnp.sqrt((cov**2 + jnp.outer(var, var)) / (n - 1))
    return mean_se, cov_se


def reconstruct(
    x: Array, mean_true: Array, cov_true: Array, alpha: float = 1e-3
) -> Reconstruction:
    """Compare sample moments of x (n, d) with the truth in standard-error units.

    The verdict ``consistent`` holds when every |z| is within the Bonferroni bound for the
    d + d(d+1)/2 estimated quantities at family-wise level ``alpha``.
    """
    n, d = x.shape
    mean_hat, cov_hat = sample_moments(x)
    mean_se, cov_se = standard_errors(jnp.asarray(cov_true, mean_hat.dtype), n)
    rec = Reconstruction(
        n=n,
        mean_true=mean_true,
        mean_hat=mean_hat,
        mean_se=mean_se,
        cov_true=cov_true,
        cov_hat=cov_hat,
        cov_se=cov_se,
        max_abs_z=float("nan"),
        threshold=bonferroni_z(d + d * (d + 1) // 2, alpha),
        alpha=alpha,
    )
    return rec._replace(max_abs_z=float(jnp.max(jnp.abs(z_scores(rec)))))


def z_scores(rec: Reconstruction) -> Array:
    """(estimate - truth) / se for the mean entries then the upper-triangle covariance entries."""
    iu = jnp.triu_indices(rec.mean_true.shape[0])
    z_mean = (rec.mean_hat - rec.mean_true) / rec.mean_se
    z_cov = ((rec.cov_hat - rec.cov_true) / rec.cov_se)[iu]
    return jnp.concatenate([z_mean, z_cov])


class Convergence(NamedTuple):
    """Reconstruction errors at growing sample sizes n (prefixes of one sample)."""

    ns: tuple[int, ...]  # (k,) sample sizes, increasing
    max_z_mean: Array  # (k,) largest |z| over the mean entries
    max_z_cov: Array  # (k,) largest |z| over the upper-triangle covariance entries
    mean_err: Array  # (k,) ||mean_hat - mean||_2
    cov_err: Array  # (k,) ||cov_hat - cov||_F
    mean_err_rms: Array  # (k,) sqrt(E ||mean_hat - mean||^2) = sqrt(sum se^2)
    cov_err_rms: Array  # (k,) sqrt(E ||cov_hat - cov||_F^2) = sqrt(sum se^2)
    z_mean: Array  # (D,) mean z-scores at the largest n (nan past d)
    z_cov: Array  # (D, D) covariance z-scores at the largest n (nan past d)


def _check_prefixes(ns: tuple[int, ...], n: int) -> tuple[int, ...]:
    ns = tuple(int(m) for m in ns)
    increasing = all(b > a for a, b in zip(ns[:-1], ns[1:], strict=True))
    if not ns or ns[0] < 2 or ns[-1] > n or not increasing:
        raise JaxscratchError(
            f"sample sizes {ns} must increase strictly from >= 2 up to the {n} rows given; "
            "pass e.g. ns=(100, 1000)"
        )
    return ns


def convergence(
    x: Array, mean_true: Array, cov_true: Array, ns: tuple[int, ...], d: int | Array | None = None
) -> Convergence:
    """Sample moments of the first n rows of x (N, D), for each n in ``ns``, against the truth.

    Prefixes of one sample show one estimate converging (errors shrink like 1/sqrt(n)), as
    opposed to fresh samples per n. Only the first ``d`` coordinates count (default all): the
    rest is padding, so one compiled function serves every d <= D (``d`` may be traced).
    Jit with ``static_argnames="ns"``.
    """
    ns = _check_prefixes(ns, x.shape[0])
    big_d = x.shape[1]
    keep = jnp.arange(big_d) < (big_d if d is None else d)  # (D,)
    keep_sq = keep[:, None] & keep[None, :]  # (D, D)
    keep_tri = keep_sq & jnp.triu(jnp.ones((big_d, big_d), bool))
    rows = []
    for n in ns:
        mean_hat, cov_hat = sample_moments(x[:n])
        mean_se, cov_se = standard_errors(jnp.asarray(cov_true, mean_hat.dtype), n)
        z_mean = (mean_hat - mean_true) / mean_se  # (D,)
        z_cov = (cov_hat - cov_true) / cov_se  # (D, D)
        rows.append(
            (
                jnp.max(jnp.where(keep, jnp.abs(z_mean), 0.0)),
                jnp.max(jnp.where(keep_tri, jnp.abs(z_cov), 0.0)),
                jnp.sqrt(jnp.sum(jnp.where(keep, (mean_hat - mean_true) ** 2, 0.0))),
                jnp.sqrt(jnp.sum(jnp.where(keep_sq, (cov_hat - cov_true) ** 2, 0.0))),
                jnp.sqrt(jnp.sum(jnp.where(keep, mean_se**2, 0.0))),
                jnp.sqrt(jnp.sum(jnp.where(keep_sq, cov_se**2, 0.0))),
            )
        )
    cols = [jnp.stack(c) for c in zip(*rows, strict=True)]
    return Convergence(
        ns, *cols, jnp.where(keep, z_mean, jnp.nan), jnp.where(keep_sq, z_cov, jnp.nan)
    )
