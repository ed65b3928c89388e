"""Gaussian machinery from uniform bits: uniforms, standard normals, the MVN and its moments.

Contract: the only randomness is ``jax.random.bits`` behind ``uniform_open``; every normal
variate comes from ``standard_normal`` (Box-Muller, Marsaglia's polar method or the inverse
CDF), and ``sample(key, mvn, shape)`` is x = mu + L z. Samplers take the key first. Densities
go through triangular solves. ``bivariate`` holds the 2-D closed forms; ``reconstruct`` the
sample moments with the standard errors n implies, and the verdict over the family of tests;
``streaming`` the same moments of a sample too large to hold, chunk by chunk over devices.
"""

from jaxscratch.gaussian.mvn import (
    MVN,
    conditional,
    from_cov,
    log_det_cov,
    log_prob,
    mahalanobis,
    marginal,
    prob,
    sample,
    sample_chunks,
    whiten,
)
from jaxscratch.gaussian.normal import (
    METHODS,
    box_muller,
    icdf,
    normal_icdf,
    normal_pdf,
    polar,
    standard_normal,
)
from jaxscratch.gaussian.padded import convergence_padded
from jaxscratch.gaussian.random_params import (
    random_covariance,
    random_mean,
    random_mvn_padded,
    random_orthogonal,
)
from jaxscratch.gaussian.reconstruct import (
    Convergence,
    Entry,
    Reconstruction,
    RunningReconstruction,
    RunningSums,
    Verdicts,
    bonferroni_z,
    convergence,
    convergence_verdicts,
    largest_first,
    n_tests,
    reconstruct,
    reconstruct_moments,
    running_grid,
    running_reconstruction,
    running_sums,
    sample_moments,
    standard_errors,
    z_scores,
)
from jaxscratch.gaussian.streaming import Moments, merge, spread_devices, stream_moments
from jaxscratch.gaussian.uniform import uniform_open

__all__ = [
    "Moments",
    "merge",
    "reconstruct_moments",
    "spread_devices",
    "stream_moments",
    "METHODS",
    "MVN",
    "Convergence",
    "Entry",
    "Reconstruction",
    "RunningReconstruction",
    "RunningSums",
    "Verdicts",
    "bonferroni_z",
    "box_muller",
    "conditional",
    "convergence",
    "convergence_padded",
    "convergence_verdicts",
    "from_cov",
    "icdf",
    "largest_first",
    "log_det_cov",
    "log_prob",
    "mahalanobis",
    "marginal",
    "n_tests",
    "normal_icdf",
    "normal_pdf",
    "polar",
    "prob",
    "random_covariance",
    "random_mean",
    "random_mvn_padded",
    "random_orthogonal",
    "reconstruct",
    "running_grid",
    "running_reconstruction",
    "running_sums",
    "sample",
    "sample_chunks",
    "sample_moments",
    "standard_errors",
    "standard_normal",
    "uniform_open",
    "whiten",
    "z_scores",
]
