"""Reconstruct mean and covariance from samples, with the standard errors n implies.

Contract: ``reconstruct`` compares one sample with the truth and returns a ``Reconstruction``
whose ``mean_entries`` / ``cov_entries`` are the rows a table prints (label, truth, estimate,
standard error, z) and whose ``consistent`` is the Bonferroni verdict over its ``n_tests``
quantities; ``convergence`` does the same on growing prefixes, and ``convergence_verdicts``
gives its verdict at each n. ``running_sums`` keeps the first two sums of one sample at many n
(small enough to store beside a run), and ``running_reconstruction`` turns them into the z-scores
and verdict at each of those n for any leading d coordinates. Faces format these records; they
compute nothing.
"""

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
from jax import Array

from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian.normal import normal_icdf


def n_tests(d: int) -> int:
    """Quantities a d-dimensional reconstruction tests: d means + d(d+1)/2 covariance entries."""
    return d + d * (d + 1) // 2


class Entry(NamedTuple):
    """One estimated quantity, as a table row."""

    label: str  # "mu[i]" or "S[i,j]"
    truth: float
    estimate: float
    se: float  # standard error of the estimate
    z: float  # (estimate - truth) / se

    @property
    def error(self) -> float:
        return self.estimate - self.truth


def largest_first(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
    """The entries ordered by |z|, largest first (ties keep their order)."""
    return tuple(sorted(entries, key=lambda e: -abs(e.z)))


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

    @property
    def dim(self) -> int:
        return int(np.shape(self.mean_true)[0])

    @property
    def n_tests(self) -> int:
        """Number of quantities the verdict covers: d + d(d+1)/2."""
        return n_tests(self.dim)

    def mean_entries(self) -> tuple[Entry, ...]:
        """Rows mu[0], ..., mu[d-1]: truth, estimate, standard error and z."""
        z = np.asarray(z_scores(self), dtype=float)[: self.dim]
        cols = (np.asarray(a, dtype=float) for a in (self.mean_true, self.mean_hat, self.mean_se))
        return tuple(
            Entry(f"mu[{i}]", float(t), float(e), float(s), float(z[i]))
            for i, (t, e, s) in enumerate(zip(*cols, strict=True))
        )

    def cov_entries(self) -> tuple[Entry, ...]:
        """Rows S[i,j] for i <= j (the upper triangle, row by row), as ``z_scores`` orders them."""
        iu = np.triu_indices(self.dim)
        z = np.asarray(z_scores(self), dtype=float)[self.dim :]
        cols = (np.asarray(a, dtype=float)[iu] for a in (self.cov_true, self.cov_hat, self.cov_se))
        return tuple(
            Entry(f"S[{i},{j}]", float(t), float(e), float(s), float(zk))
            for i, j, t, e, s, zk in zip(*iu, *cols, z, strict=True)
        )


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
    var = cov.diagonal()  # written for either array library: numpy in, numpy (float64) out
    mean_se = (var / n) ** 0.5
    cov_se = ((cov**2 + var[:, None] * var[None, :]) / (n - 1)) ** 0.5
    return mean_se, cov_se


def reconstruct(
    x: Array, mean_true: Array, cov_true: Array, alpha: float = 1e-3
) -> Reconstruction:
    """Compare sample moments of x (n, d) with the truth in standard-error units.

    The verdict ``consistent`` holds when every |z| is within the Bonferroni bound for the
    d + d(d+1)/2 estimated quantities at family-wise level ``alpha``.
    """
    mean_hat, cov_hat = sample_moments(x)
    return reconstruct_moments(x.shape[0], mean_hat, cov_hat, mean_true, cov_true, alpha)


def reconstruct_moments(
    n: int, mean_hat: Array, cov_hat: Array, mean_true: Array, cov_true: Array,
    alpha: float = 1e-3,
) -> Reconstruction:  # fmt: skip
    """``reconstruct`` from the sample's moments alone (n rows, mean (d,), covariance (d, d)):
    the standard errors and the verdict need nothing else (``streaming.stream_moments``)."""
    d = int(np.shape(mean_true)[0])
    mean_hat, cov_hat = jnp.asarray(mean_hat), jnp.asarray(cov_hat)
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
        threshold=bonferroni_z(n_tests(d), alpha),
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


class Verdicts(NamedTuple):
    """The Bonferroni verdict of a ``Convergence`` at each of its sample sizes."""

    n_tests: int  # d + d(d+1)/2 quantities tested at every n
    threshold: float  # the |z| bound for that family at level alpha
    alpha: float
    max_abs_z: np.ndarray  # (k,) largest |z| over mean and covariance entries at each n
    consistent: np.ndarray  # (k,) bool: max_abs_z <= threshold
    mean_err_ratio: np.ndarray  # (k,) ||mean_hat - mean|| / its expected rms (O(1) if right)
    cov_err_ratio: np.ndarray  # (k,) ||cov_hat - cov||_F / its expected rms


def convergence_verdicts(c: Convergence, d: int, alpha: float = 1e-3) -> Verdicts:
    """Verdicts of ``c`` (host or device arrays) for a d-dimensional problem at level alpha."""
    m = n_tests(d)
    bound = bonferroni_z(m, alpha)
    z = np.maximum(np.asarray(c.max_z_mean, float), np.asarray(c.max_z_cov, float))  # (k,)
    ratio = lambda err, rms: np.asarray(err, float) / np.asarray(rms, float)  # noqa: E731
    return Verdicts(m, bound, alpha, z, z <= bound, ratio(c.mean_err, c.mean_err_rms),
                    ratio(c.cov_err, c.cov_err_rms))  # fmt: skip


def running_grid(n: int, n_min: int = 10, points: int = 120) -> np.ndarray:
    """(k,) distinct sample sizes from ``n_min`` to n, log-spaced, always ending at n."""
    grid = np.unique(np.geomspace(n_min, n, points).round().astype(np.int64))
    return grid[(grid >= max(2, n_min)) & (grid <= n)]


class RunningSums(NamedTuple):
    """The first two sums of the first n rows of one sample, at increasing n.

    Taken about ``shift`` (e.g. the true mean) and in float64, so that the sum of squares does not
    cancel when the covariance is formed from it.
    """

    ns: np.ndarray  # (k,) increasing sample sizes
    shift: np.ndarray  # (d,)
    s1: np.ndarray  # (k, d) sum over i < n of (x_i - shift)
    s2: np.ndarray  # (k, d, d) sum over i < n of (x_i - shift)(x_i - shift)^T


def running_sums(x: Array, ns, shift: Array) -> RunningSums:
    """``RunningSums`` of x (N, d) at each n of ``ns`` (increasing, 2 <= n <= N), segment by
    segment: one (segment, d) product per n, never an (N, d, d) cumulative array."""
    ns = np.asarray(_check_prefixes(tuple(np.asarray(ns).tolist()), x.shape[0]), np.int64)
    shift = np.asarray(shift, np.float64)
    x, d = np.asarray(x), shift.shape[0]  # on the host once: slicing a device array compiles
    s1, s2 = np.zeros((len(ns), d)), np.zeros((len(ns), d, d))
    acc1, acc2, start = np.zeros(d), np.zeros((d, d)), 0
    for k, n in enumerate(ns):
        seg = np.asarray(x[start:n], np.float64) - shift  # (n - start, d)
        acc1, acc2, start = acc1 + seg.sum(axis=0), acc2 + seg.T @ seg, int(n)
        s1[k], s2[k] = acc1, acc2
    return RunningSums(ns, shift, s1, s2)


class RunningReconstruction(NamedTuple):
    """The reconstruction of the leading d coordinates at every n of a ``RunningSums``."""

    ns: np.ndarray  # (k,)
    z: np.ndarray  # (k, d + d(d+1)/2) mean z-scores, then the upper triangle's, as ``z_scores``
    max_z_mean: np.ndarray  # (k,) largest |z| over the mean entries
    max_z_cov: np.ndarray  # (k,) largest |z| over the covariance entries
    threshold: float  # the Bonferroni |z| bound for the d + d(d+1)/2 tests at level alpha
    alpha: float

    @property
    def max_abs_z(self) -> np.ndarray:
        return np.maximum(self.max_z_mean, self.max_z_cov)

    @property
    def consistent(self) -> np.ndarray:
        """(k,) bool: the verdict at each n."""
        return self.max_abs_z <= self.threshold


def running_reconstruction(
    sums: RunningSums, mean_true: Array, cov_true: Array, d: int, alpha: float = 1e-3
) -> RunningReconstruction:
    """z-scores and verdict of the first d coordinates at every n of ``sums``, in float64.

    With y = x - shift: mean_hat = shift + s1 / n and cov_hat = (s2 - s1 s1^T / n) / (n - 1),
    the same unbiased estimates ``sample_moments`` gives for the first n rows.
    """
    mean_true = np.asarray(mean_true, np.float64)[:d]
    cov_true = np.asarray(cov_true, np.float64)[:d, :d]
    iu = np.triu_indices(d)
    rows = []
    for n, s1, s2 in zip(sums.ns, sums.s1[:, :d], sums.s2[:, :d, :d], strict=True):
        mean_hat = sums.shift[:d] + s1 / n
        cov_hat = (s2 - np.outer(s1, s1) / n) / (n - 1)
        mean_se, cov_se = standard_errors(cov_true, int(n))
        z_cov = ((cov_hat - cov_true) / cov_se)[iu]
        rows.append(np.concatenate([(mean_hat - mean_true) / mean_se, z_cov]))
    z = np.stack(rows)  # (k, m)
    return RunningReconstruction(sums.ns, z, np.abs(z[:, :d]).max(axis=1),
                                 np.abs(z[:, d:]).max(axis=1), bonferroni_z(n_tests(d), alpha),
                                 alpha)  # fmt: skip
