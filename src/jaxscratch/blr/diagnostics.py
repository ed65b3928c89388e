"""HMC diagnostics beyond R-hat: divergences, E-BFMI, tree-depth saturation, their warnings.

Contract: ``e_bfmi(energy)`` is the energy Bayesian fraction of missing information of each
chain (Betancourt 2016, arXiv:1604.00695, eq. 3.3 estimated from the draws);
``hmc_diagnostics(chains)`` turns the per-transition record of a NUTS run (``Chains``) into a
``HmcDiagnostics`` of per-chain numbers plus one-line warnings at the thresholds below (Stan's);
``rank_histograms`` gives the counts a rank plot shows (Vehtari et al. 2021). Plain numpy:
these are a few thousand numbers, read once.
"""

from typing import NamedTuple

import numpy as np

from jaxscratch.blr.mcmc import MAX_TREE_DEPTH, Chains

E_BFMI_MIN = 0.3  # below this the momentum resampling cannot explore the energy (Betancourt)
MAX_SATURATION = 0.01  # more transitions than this at the depth limit -> warn (Stan warns at any)
CONCENTRATION = 0.8  # share of the divergences that, held by a minority of chains, -> warn


class HmcDiagnostics(NamedTuple):
    """Per-chain HMC diagnostics of a NUTS run, and the warnings they raise."""

    divergent: tuple[int, ...]  # (C,) divergent transitions per chain
    e_bfmi: tuple[float, ...]  # (C,)
    saturation: tuple[float, ...]  # (C,) fraction of transitions at the tree-depth limit
    mean_tree_depth: tuple[float, ...]  # (C,)
    mean_leapfrog: tuple[float, ...]  # (C,) integration steps per transition
    acceptance: tuple[float, ...]  # (C,) mean acceptance probability
    step_size: tuple[float, ...]  # (C,)
    max_tree_depth: int
    warnings: tuple[str, ...]

    def to_json(self) -> dict:
        """The ``hmc`` block of ``summary.json``."""
        return {
            **{k: list(getattr(self, k)) for k in self._fields[:7]},
            "max_tree_depth": self.max_tree_depth,
            "thresholds": {
                "e_bfmi_min": E_BFMI_MIN,
                "max_saturation": MAX_SATURATION,
                "divergence_concentration": CONCENTRATION,
            },
            "warnings": list(self.warnings),
        }


def e_bfmi(energy) -> np.ndarray:
    """E-BFMI per chain: sum_n (E_n - E_{n-1})^2 / sum_n (E_n - mean E)^2.

    Args:
        energy: (C, S) Hamiltonian at each kept transition.

    Returns:
        (C,) values; below ``E_BFMI_MIN`` the sampler explores the energy too slowly.
    """
    e = np.asarray(energy, dtype=float)
    num = np.sum(np.diff(e, axis=1) ** 2, axis=1)
    den = np.sum((e - e.mean(axis=1, keepdims=True)) ** 2, axis=1)
    return num / den


def concentrated_chains(divergent) -> tuple[int, ...]:
    """Chains that hold ``CONCENTRATION`` of all divergences when they are fewer than half of
    the chains (a region only some chains reach), else ()."""
    d = np.asarray(divergent, dtype=int)
    total = int(d.sum())
    if total == 0:
        return ()
    order = np.argsort(-d, kind="stable")
    k = int(np.searchsorted(np.cumsum(d[order]), CONCENTRATION * total) + 1)
    return tuple(sorted(int(c) for c in order[:k])) if 2 * k < d.size else ()


def hmc_diagnostics(chains: Chains, max_tree_depth: int = MAX_TREE_DEPTH) -> HmcDiagnostics:
    """Divergences, E-BFMI, tree depth, acceptance per chain of a NUTS run, with warnings."""
    if chains.energy is None:
        raise ValueError("HMC diagnostics need a NUTS run (energy and tree depth)")
    div = np.asarray(chains.is_divergent).sum(axis=1)  # (C,)
    bfmi = e_bfmi(chains.energy)
    depth = np.asarray(chains.tree_depth)
    saturation = (depth >= max_tree_depth).mean(axis=1)
    warnings = []
    n = int(np.asarray(chains.is_divergent).size)
    if div.sum():
        warnings.append(
            f"{int(div.sum())} of {n} transitions diverged: the step size is too large for "
            "some region of the posterior; raise --target-accept or reparametrise"
        )
    few = concentrated_chains(div)
    if few:
        warnings.append(
            f"the divergences concentrate in chain(s) {', '.join(map(str, few))} of "
            f"{div.size}: those chains visit a region the others miss (or never left a bad start)"
        )
    low = [c for c, v in enumerate(bfmi) if v < E_BFMI_MIN]
    if low:
        warnings.append(
            f"E-BFMI below {E_BFMI_MIN:g} in chain(s) {', '.join(map(str, low))} "
            f"(min {bfmi.min():.2f}): momentum resampling explores the energy too slowly"
        )
    sat = [c for c, v in enumerate(saturation) if v > MAX_SATURATION]
    if sat:
        warnings.append(
            f"{100 * saturation.max():.1f} % of the transitions of chain(s) "
            f"{', '.join(map(str, sat))} hit the tree-depth limit {max_tree_depth}: "
            "trajectories are cut short; the step size may be too small"
        )
    return HmcDiagnostics(
        tuple(int(v) for v in div),
        tuple(float(v) for v in bfmi),
        tuple(float(v) for v in saturation),
        tuple(float(v) for v in depth.mean(axis=1)),
        tuple(float(v) for v in np.asarray(chains.n_leapfrog).mean(axis=1)),
        tuple(float(v) for v in np.asarray(chains.acceptance).mean(axis=1)),
        tuple(float(v) for v in np.asarray(chains.step_size)),
        int(max_tree_depth),
        tuple(warnings),
    )


def rank_histograms(draws, n_bins: int = 20) -> np.ndarray:
    """Rank-plot counts: pool the chains, rank every draw, histogram each chain's ranks.

    Args:
        draws: (C, S, D) flattened draws.
        n_bins: bins over the pooled ranks.

    Returns:
        (D, C, n_bins) counts; a well-mixed run has every chain near S / n_bins per bin.
    """
    x = np.asarray(draws, dtype=float)
    c, s, d = x.shape
    ranks = np.argsort(np.argsort(x.reshape(c * s, d), axis=0), axis=0)  # (C S, D) 0..CS-1
    bins = (ranks * n_bins) // (c * s)  # (C S, D)
    bins = bins.reshape(c, s, d)
    out = np.zeros((d, c, n_bins), dtype=int)
    for j in range(d):
        for k in range(c):
            out[j, k] = np.bincount(bins[k, :, j], minlength=n_bins)
    return out


def energy_transitions(energy) -> tuple[np.ndarray, np.ndarray]:
    """What an energy plot compares: the centred marginal energy E - mean E (C, S) and the
    energy transitions E_n - E_{n-1} (C, S - 1); the second much narrower is low E-BFMI."""
    e = np.asarray(energy, dtype=float)
    return e - e.mean(axis=1, keepdims=True), np.diff(e, axis=1)
