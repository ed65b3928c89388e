"""Bayesian linear regression from scratch: bases, exact posterior, evidence, MCMC, streaming."""

from jaxscratch.blr.basis import KINDS, Basis, design, make_basis
from jaxscratch.blr.blocked import blocked_predict, blocked_stats
from jaxscratch.blr.data import TRUTHS, Dataset, check_data, load_csv, make_data, stream_data
from jaxscratch.blr.estimator import BayesianLinearRegression
from jaxscratch.blr.evidence import (
    DegreeComparison,
    EmpiricalBayes,
    compare_degrees,
    evidence_ascent,
    log_evidence,
    log_evidence_grad,
    mackay,
)
from jaxscratch.blr.frames import Frames, sequential_frames
from jaxscratch.blr.mcmc import (
    Chains,
    HyperPrior,
    Params,
    Summary,
    check_divergences,
    conditional_logdensity,
    joint_logdensity,
    nuts,
    rwm,
    summarize,
)
from jaxscratch.blr.posterior import (
    Posterior,
    Predictive,
    Stats,
    covariance,
    exact_posterior,
    fit,
    predict,
    sample_functions,
    sample_weights,
    stats,
)
from jaxscratch.blr.report import FitConfig, FitReport, fit_report
from jaxscratch.blr.scene import Scene, masked_stats, scene
from jaxscratch.blr.sequential import sequential_posteriors, stream_stats, update

__all__ = [
    "KINDS",
    "TRUTHS",
    "Basis",
    "BayesianLinearRegression",
    "Chains",
    "Dataset",
    "DegreeComparison",
    "EmpiricalBayes",
    "FitConfig",
    "FitReport",
    "Frames",
    "HyperPrior",
    "Params",
    "Posterior",
    "Scene",
    "Predictive",
    "Stats",
    "Summary",
    "blocked_predict",
    "blocked_stats",
    "check_data",
    "check_divergences",
    "compare_degrees",
    "conditional_logdensity",
    "covariance",
    "design",
    "evidence_ascent",
    "fit",
    "fit_report",
    "joint_logdensity",
    "load_csv",
    "log_evidence",
    "log_evidence_grad",
    "mackay",
    "make_basis",
    "make_data",
    "masked_stats",
    "nuts",
    "exact_posterior",
    "predict",
    "rwm",
    "sample_functions",
    "sample_weights",
    "scene",
    "sequential_posteriors",
    "sequential_frames",
    "stats",
    "stream_data",
    "stream_stats",
    "summarize",
    "update",
]
