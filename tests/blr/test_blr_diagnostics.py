"""jaxscratch.blr.diagnostics: E-BFMI by hand, divergence counts, concentration, rank plots."""

import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch.blr import diagnostics, mcmc


def _chains(div, energy, depth):
    div, energy, depth = (np.asarray(a) for a in (div, energy, depth))
    c, s = div.shape
    return mcmc.Chains(jnp.zeros((c, s, 1)), jnp.asarray(div, bool), jnp.full((c, s), 0.8),
                       jnp.full((c,), 0.5), jnp.asarray(energy, float), jnp.asarray(depth),
                       2 ** jnp.asarray(depth))  # fmt: skip


def test_e_bfmi_matches_a_hand_computation():
    energy = np.array([[1.0, 2.0, 1.5, 3.0], [0.0, 1.0, 0.0, 1.0]])
    # chain 0: squared jumps 1 + 0.25 + 2.25 = 3.5; mean 1.875, squared deviations
    # 0.765625 + 0.015625 + 0.140625 + 1.265625 = 2.1875; 3.5 / 2.1875 = 1.6.
    # chain 1: jumps 3 * 1 = 3; deviations 4 * 0.25 = 1; 3 / 1 = 3.
    np.testing.assert_allclose(diagnostics.e_bfmi(energy), [1.6, 3.0], rtol=1e-12)


def test_a_slowly_drifting_energy_has_low_e_bfmi():
    energy = np.cumsum(np.full((2, 200), 0.1), axis=1)  # a ramp: tiny jumps, wide marginal
    assert np.all(diagnostics.e_bfmi(energy) < diagnostics.E_BFMI_MIN)


def test_divergences_are_counted_per_chain_and_concentration_is_warned():
    div = np.zeros((4, 50), bool)
    div[2, :9] = True
    div[0, 0] = True
    energy = np.random.default_rng(0).normal(size=(4, 50))
    h = diagnostics.hmc_diagnostics(_chains(div, energy, np.full((4, 50), 3)))
    assert h.divergent == (1, 0, 9, 0)
    assert diagnostics.concentrated_chains(h.divergent) == (2,)  # 9 of 10 in one chain of four
    assert any("10 of 200 transitions diverged" in w for w in h.warnings)
    assert any("concentrate in chain(s) 2 of 4" in w for w in h.warnings)


def test_spread_divergences_and_none_raise_no_concentration_warning():
    assert diagnostics.concentrated_chains([3, 3, 2, 0]) == ()
    assert diagnostics.concentrated_chains([0, 0, 0, 0]) == ()


def test_tree_depth_saturation_is_the_fraction_at_the_limit():
    depth = np.full((2, 100), 4)
    depth[1, :5] = mcmc.MAX_TREE_DEPTH
    energy = np.random.default_rng(1).normal(size=(2, 100))
    h = diagnostics.hmc_diagnostics(_chains(np.zeros((2, 100), bool), energy, depth))
    assert h.saturation == (0.0, 0.05) and h.max_tree_depth == mcmc.MAX_TREE_DEPTH
    assert any("hit the tree-depth limit" in w for w in h.warnings)
    assert not any("diverged" in w for w in h.warnings)


def test_rank_histograms_of_iid_draws_are_flat_per_chain():
    draws = np.random.default_rng(2).normal(size=(4, 2000, 2))
    counts = diagnostics.rank_histograms(draws, n_bins=10)  # (2, 4, 10)
    assert counts.shape == (2, 4, 10) and np.all(counts.sum(axis=2) == 2000)
    # each bin count is ~Binomial-like around 200 with sd <= sqrt(200): 5 sd is generous
    assert np.all(np.abs(counts - 200) < 5 * np.sqrt(200))


def test_diagnostics_need_a_nuts_run():
    rwm_like = mcmc.Chains(jnp.zeros((2, 4, 1)), jnp.zeros((2, 4), bool), jnp.ones((2, 4)),
                           jnp.ones(2))  # fmt: skip
    with pytest.raises(ValueError, match="need a NUTS run"):
        diagnostics.hmc_diagnostics(rwm_like)
