"""Bayesian linear regression from scratch: bases, exact posterior, evidence, MCMC, streaming.

Contract: data enter through sufficient statistics (``stats``: Phi^T W Phi, Phi^T W y, y^T W y,
n), so batch, blocked, masked and streaming fits are one function; ``checked_posterior`` is the
validated exact posterior and ``predict`` its two bands (``BAND_SDS`` sds each); ``nuts`` and
``rwm`` sample (w, log alpha, log beta) with BlackJAX (``robust_logdensity``: a Student-t
likelihood), ``hmc_diagnostics`` reads their record and ``joint_moments`` is their exact
answer by quadrature. Math only: no scenes, runs or figures.
"""

from jaxscratch.blr.basis import KINDS, Basis, design, make_basis
from jaxscratch.blr.blocked import blocked_predict, blocked_stats
from jaxscratch.blr.data import (
    TRUTHS,
    RegressionData,
    add_outliers,
    check_data,
    load_csv,
    make_data,
    stream_data,
)
from jaxscratch.blr.diagnostics import HmcDiagnostics, e_bfmi, hmc_diagnostics, rank_histograms
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
from jaxscratch.blr.joint_exact import JointMoments, joint_moments
from jaxscratch.blr.mcmc import (
    Chains,
    HyperPrior,
    Position,
    Summary,
    check_divergences,
    conditional_logdensity,
    initial_inverse_mass,
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
    prior_predictive,
    sample_functions,
    sample_weights,
    stats,
)
from jaxscratch.blr.robust import (
    LIKELIHOODS,
    RobustPosition,
    check_likelihood,
    robust_logdensity,
    student_t_logpdf,
)
from jaxscratch.blr.sequential import sequential_posteriors, stream_stats, update

__all__ = [
    "BAND_SDS",
    "KINDS",
    "LIKELIHOODS",
    "TRUTHS",
    "Basis",
    "BayesianLinearRegression",
    "Chains",
    "RegressionData",
    "DegreeComparison",
    "EmpiricalBayes",
    "HmcDiagnostics",
    "HyperPrior",
    "JointMoments",
    "Position",
    "Posterior",
    "Predictive",
    "RobustPosition",
    "Stats",
    "Summary",
    "blocked_predict",
    "blocked_stats",
    "add_outliers",
    "check_data",
    "check_likelihood",
    "check_divergences",
    "compare_degrees",
    "conditional_logdensity",
    "covariance",
    "design",
    "e_bfmi",
    "evidence_ascent",
    "checked_posterior",
    "hmc_diagnostics",
    "initial_inverse_mass",
    "joint_logdensity",
    "joint_moments",
    "load_csv",
    "log_evidence",
    "log_evidence_grad",
    "mackay",
    "make_basis",
    "make_data",
    "nuts",
    "exact_posterior",
    "predict",
    "prior_predictive",
    "rank_histograms",
    "robust_logdensity",
    "rwm",
    "sample_functions",
    "sample_weights",
    "sequential_posteriors",
    "stats",
    "stream_data",
    "stream_stats",
    "student_t_logpdf",
    "summarize",
    "update",
]
