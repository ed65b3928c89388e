"""jaxscratch.runs.mcmc_lab: seeded verdicts per fault, the lesson, progress never changes draws.

One quick lab (one replicate per fault) is run per module and shared.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch.blr import basis, data, diagnostics, mcmc, posterior
from jaxscratch.errors import JaxscratchError
from jaxscratch.runs import mcmc_lab


@pytest.fixture(scope="module")
def lab():
    return mcmc_lab.run_lab(jax.random.key(0), quick=True)


def _run(lab, fault):
    return next(r for r in lab.runs if r.fault == fault)


@pytest.mark.slow  # one NUTS program to compile, shared by the faults
def test_every_claimed_catch_is_caught_and_the_clean_run_is_clean(lab):
    assert [r.fault for r in lab.runs] == list(mcmc_lab.FAULTS)
    assert _run(lab, "clean").flags == ()
    for r in lab.runs:
        assert set(mcmc_lab.CLAIMS[r.fault]) <= set(r.flags), (r.fault, r.flags)
    assert lab.missed_claims() == {}


@pytest.mark.slow  # one NUTS program to compile, shared by the faults
def test_r_hat_passes_while_the_answer_is_wrong_and_the_lesson_says_so(lab):
    for fault in ("no-jacobian", "misscaled-prior"):
        r = _run(lab, fault)
        assert r.max_rhat < mcmc_lab.THRESHOLDS["rhat"] and r.max_abs_z > mcmc_lab.THRESHOLDS["z"]
    assert any(line.startswith("no-jacobian: R-hat") for line in lab.lesson)
    j = lab.to_json()
    assert j["thresholds"]["z"] == 4.0 and len(j["runs"]) == len(mcmc_lab.FAULTS)


@pytest.mark.slow  # one NUTS program to compile, shared by the faults
def test_the_clean_run_agrees_with_the_exact_posterior(lab):
    clean = _run(lab, "clean")
    assert clean.max_abs_z < mcmc_lab.THRESHOLDS["z"] and clean.min_ess > 1000
    assert np.all(lab.exact.sd > 0) and lab.exact.mean.shape == (4,)


@pytest.mark.slow  # one NUTS program to compile, shared by the faults
def test_a_model_made_to_diverge_counts_its_divergences(lab):
    r = _run(lab, "no-adaptation")  # step size 1 against posterior sds of 0.03: every step
    assert r.divergent == mcmc_lab.CHAINS * mcmc_lab.SAMPLES


def test_unknown_fault_is_one_error():
    with pytest.raises(JaxscratchError, match="unknown lab fault 'typo'; choose one of clean"):
        mcmc_lab.check_faults(["typo"])


@pytest.mark.slow  # the lab's NUTS program with a host callback
def test_the_progress_bar_does_not_change_the_draws(x64):
    """With a listener the lab's program has a host callback per step (only on the steps it
    runs: the skipped warm-up steps do not tick); the draws are the same."""
    center = mcmc.Position(jnp.zeros(2), jnp.asarray(1.0), jnp.asarray(2.0))
    init = mcmc.init_positions(jax.random.key(3), center, jax.tree.map(jnp.ones_like, center),
                               mcmc_lab.CHAINS)  # fmt: skip
    d = data.make_data(jax.random.key(1), 30, noise=0.3, dtype=jnp.float64)
    stats = posterior.stats(basis.design(basis.make_basis("linear", d.x), d.x), d.y)
    target = mcmc.joint_logdensity(stats)
    ticks = []
    sizes = {"n_warmup": mcmc_lab.SHORT_WARMUP, "n_samples": mcmc_lab.SAMPLES,
             "max_warmup": mcmc_lab.WARMUP}  # fmt: skip
    plain = mcmc.nuts_masked(jax.random.key(4), target, init, **sizes)
    shown = mcmc.nuts_masked(jax.random.key(4), target, init, **sizes, progress=ticks.append)
    for a, b in zip(jax.tree.leaves(plain), jax.tree.leaves(shown), strict=True):
        assert np.array_equal(np.asarray(a), np.asarray(b))
    assert sum(ticks) == mcmc_lab.CHAINS * (mcmc_lab.SHORT_WARMUP + mcmc_lab.SAMPLES)
    h = diagnostics.hmc_diagnostics(shown)
    assert len(h.e_bfmi) == mcmc_lab.CHAINS and np.all(np.isfinite(h.e_bfmi))


def test_a_warm_up_longer_than_the_program_is_one_error():
    init = mcmc.Position(jnp.zeros((2, 2)), jnp.zeros(2), jnp.zeros(2))
    with pytest.raises(JaxscratchError, match="n_warmup 600 is past max_warmup 500"):
        mcmc.nuts_masked(jax.random.key(0), None, init, 600, 10, max_warmup=500)
