"""jaxscratch.runs.blr_fit: the fit analysis end to end, without drawing."""

import json

import jax
import jax.numpy as jnp
import numpy as np

from jaxscratch import blr
from jaxscratch.blr import data
from jaxscratch.runs import blr_fit as report


def test_random_walk_predictive_matches_the_exact_predictive(x64):
    d = data.make_data(jax.random.key(7), 100, noise=0.3, dtype=jnp.float64)
    config = report.FitConfig(alpha=2.0, beta=11.0, sampler="rwm", n_warmup=1000,
                              n_samples=4000, max_degree=0, n_draws=3, n_grid=50)  # fmt: skip
    r = report.fit_report(jax.random.key(5), d, config, truth="linear")
    assert r.summary.hyperparameters == "fixed" and r.summary.mcmc.names == ("w0", "w1")
    assert r.function_draws.shape == (3, 50) and r.truth_curve.shape == (50,)
    exact, mc = r.predictive, r.mcmc_predictive
    # the MCMC mean of f(x) is within 5 Monte-Carlo errors (min ESS) of the exact mean
    ess = float(np.min(r.mcmc.ess))
    assert np.all(np.abs(mc.mean - exact.mean) < 5 * exact.epistemic_sd / np.sqrt(ess))
    np.testing.assert_allclose(mc.epistemic_sd, exact.epistemic_sd, rtol=5 * np.sqrt(2 / ess))
    np.testing.assert_allclose(mc.predictive_sd, exact.predictive_sd, rtol=0.05)


def test_summary_is_json_ready_and_names_both_bands(x64):
    d = data.make_data(jax.random.key(8), 40, truth="sin", dtype=jnp.float64)
    config = report.FitConfig(basis="poly", degree=3, sampler="none", max_degree=3)
    r = report.fit_report(jax.random.key(0), d, config)
    s = json.loads(json.dumps(r.summary.to_json()))
    assert s["mcmc"] is None and s["evidence_by_degree"]["degrees"] == [1, 2, 3]
    assert "1/beta" in s["bands"]["predictive"] and "function" in s["bands"]["epistemic"]
    assert r.truth_curve is None and len(s["exact"]["mean"]) == 4


# summary.json as written before the typed record: its keys, in this order, are a contract
# (#17 appended likelihood, priors and mcmc.hmc, mcmc.warnings)
SUMMARY_KEYS = ["n", "basis", "features", "hyperparameters", "alpha", "beta", "noise_sd",
                "log_evidence", "condition_number", "exact", "mcmc", "evidence_by_degree",
                "bands", "likelihood", "priors"]  # fmt: skip
MCMC_KEYS = ["sampler", "chains", "warmup", "samples_per_chain", "seconds_including_compilation",
             "names", "mean", "sd", "rhat", "ess", "max_rhat", "min_ess", "divergent",
             "transitions", "hmc", "warnings"]  # fmt: skip


def test_to_json_keeps_the_keys_of_summary_json_and_the_numbers_of_the_fit(x64):
    d = data.make_data(jax.random.key(9), 60, noise=0.3, dtype=jnp.float64)
    config = report.FitConfig(sampler="rwm", n_chains=2, n_warmup=200, n_samples=300,
                              max_degree=2, n_grid=20)  # fmt: skip
    r = report.fit_report(jax.random.key(1), d, config, truth="linear")
    s = r.summary.to_json()
    assert list(s) == SUMMARY_KEYS and list(s["mcmc"]) == MCMC_KEYS
    assert list(s["exact"]) == ["mean", "sd"]
    assert list(s["evidence_by_degree"]) == ["degrees", "log_evidence", "best_degree"]
    assert json.loads(json.dumps(s)) == s  # plain JSON types all the way down
    # the record holds the fit's own numbers, not copies that could drift
    np.testing.assert_allclose(s["exact"]["mean"], r.posterior.mean)
    np.testing.assert_allclose(s["exact"]["sd"], r.exact_sd)
    assert s["alpha"] == float(r.posterior.alpha) and s["noise_sd"] == s["beta"] ** -0.5
    assert s["mcmc"]["names"] == r.mcmc.names and s["mcmc"]["max_rhat"] == max(r.mcmc.rhat)
    assert s["mcmc"]["min_ess"] == min(r.mcmc.ess) and s["mcmc"]["divergent"] == 0
    assert s["evidence_by_degree"]["best_degree"] == r.comparison.best_degree
    assert s["bands"] == report.BANDS and f"{blr.BAND_SDS:g} sd" in s["bands"]["predictive"]
