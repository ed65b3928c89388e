"""Gaussian machinery from uniform bits: uniforms, standard normals, the MVN and its moments."""

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
    Reconstruction,
    bonferroni_z,
    convergence,
    reconstruct,
    sample_moments,
    standard_errors,
    z_scores,
)
from jaxscratch.gaussian.uniform import uniform_open

__all__ = [
    "METHODS",
    "MVN",
    "Convergence",
    "Reconstruction",
    "bonferroni_z",
    "box_muller",
    "conditional",
    "convergence",
    "convergence_padded",
    "from_cov",
    "icdf",
    "log_det_cov",
    "log_prob",
    "mahalanobis",
    "marginal",
    "normal_icdf",
    "normal_pdf",
    "polar",
    "prob",
    "random_covariance",
    "random_mean",
    "random_mvn_padded",
    "random_orthogonal",
    "reconstruct",
    "sample",
    "sample_chunks",
    "sample_moments",
    "standard_errors",
    "standard_normal",
    "uniform_open",
    "whiten",
    "z_scores",
]
