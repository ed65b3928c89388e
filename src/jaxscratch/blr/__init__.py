"""Bayesian linear regression from scratch: bases, exact posterior, evidence, MCMC, streaming.

Contract: data enter through sufficient statistics (``stats``: Phi^T W Phi, Phi^T W y, y^T W y,
n), so batch, blocked, masked and streaming fits are one function; ``checked_posterior`` is the
validated exact posterior and ``predict`` its two bands (``BAND_SDS`` sds each); ``nuts`` and
``rwm`` sample (w, log alpha, log beta) with BlackJAX. Math only: no scenes, runs or figures.
"""

from jaxscratch.blr.basis import KINDS, Basis, design, make_basis
from jaxscratch.blr.blocked import blocked_predict, blocked_stats
from jaxscratch.blr.data import (
    TRUTHS,
    RegressionData,
    check_data,
    load_csv,
    make_data,
    stream_data,
)
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
from jaxscratch.blr.mcmc import (
    Chains,
    HyperPrior,
    Position,
    Summary,
    check_divergences,
    conditional_logdensity,
    joint_logdensity,
    nuts,
    rwm,
    summarize,
)
from jaxscratch.blr.posterior import (
    BAND_SDS,
    Posterior,
    Predictive,
    Stats,
    checked_posterior,
    covariance,
    exact_posterior,
    predict,
    sample_functions,
    sample_weights,
    stats,
)
from jaxscratch.blr.sequential import sequential_posteriors, stream_stats, update

__all__ = [
    "BAND_SDS",
    "KINDS",
    "TRUTHS",
    "Basis",
    "BayesianLinearRegression",
    "Chains",
    "RegressionData",
    "DegreeComparison",
    "EmpiricalBayes",
    "HyperPrior",
    "Position",
    "Posterior",
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
    "checked_posterior",
    "joint_logdensity",
    "load_csv",
    "log_evidence",
    "log_evidence_grad",
    "mackay",
    "make_basis",
    "make_data",
    "nuts",
    "exact_posterior",
    "predict",
    "rwm",
    "sample_functions",
    "sample_weights",
    "sequential_posteriors",
    "stats",
    "stream_data",
    "stream_stats",
    "summarize",
    "update",
]
