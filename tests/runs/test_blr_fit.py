"""jaxscratch.blr.report: the fit analysis end to end, without drawing."""

import json

import jax
import jax.numpy as jnp
import numpy as np

from jaxscratch.blr import data
from jaxscratch.runs import blr_fit as report


def test_random_walk_predictive_matches_the_exact_predictive(x64):
    d = data.make_data(jax.random.key(7), 100, noise=0.3, dtype=jnp.float64)
    config = report.FitConfig(alpha=2.0, beta=11.0, sampler="rwm", n_warmup=1000,
                              n_samples=4000, max_degree=0, n_draws=3, n_grid=50)  # fmt: skip
    r = report.fit_report(jax.random.key(5), d, config, truth="linear")
    assert r.summary["hyperparameters"] == "fixed" and r.summary["mcmc"]["names"] == ["w0", "w1"]
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
    s = json.loads(json.dumps(r.summary))
    assert s["mcmc"] is None and s["evidence_by_degree"]["degrees"] == [1, 2, 3]
    assert "1/beta" in s["bands"]["predictive"] and "function" in s["bands"]["epistemic"]
    assert r.truth_curve is None and len(s["exact"]["mean"]) == 4
