"""jaxscratch.blr.mcmc: NUTS and random walk against exact posteriors, R-hat, divergences.

The reference problem (N = 100, linear truth, unknown alpha and beta) is sampled once per
session with the CLI's defaults and key type, so the CLI tests reuse the compiled sampler.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch.blr import basis, data, evidence, joint_exact, mcmc, posterior
from jaxscratch.errors import JaxscratchError

Z = 4.0  # tolerance in Monte-Carlo standard errors
CHAINS, WARMUP, SAMPLES = 4, 500, 1000  # the CLI's defaults


def _reference_stats():
    d = data.make_data(jax.random.key(7), 100, noise=0.3, dtype=jnp.float64)
    return posterior.stats(basis.design(basis.make_basis("linear", d.x), d.x), d.y)


def _reference_chains(s, progress=None):
    """The reference problem's NUTS chains (``progress``: the bar's listener, if any)."""
    eb = evidence.mackay(s)
    post = posterior.exact_posterior(s, eb.alpha, eb.beta)
    sd = jnp.sqrt(jnp.diag(posterior.covariance(post)))
    zero = jnp.zeros((), jnp.float64)
    init = mcmc.init_positions(
        jax.random.key(1, impl="rbg"),
        mcmc.Position(post.mean, jnp.log(eb.alpha), jnp.log(eb.beta)),
        mcmc.Position(sd, zero + 0.5, zero + 0.1),
        CHAINS,
    )
    imm = mcmc.initial_inverse_mass(s, eb.alpha, eb.beta)  # as ``blr fit`` seeds it
    return mcmc.nuts(jax.random.key(2, impl="rbg"), mcmc.joint_logdensity(s), init,
                     n_warmup=WARMUP, n_samples=SAMPLES, inverse_mass=imm,
                     progress=progress)  # fmt: skip


@pytest.fixture(scope="module")
def reference():
    """NUTS draws of (w, log alpha, log beta) on the reference problem, and its statistics."""
    with jax.enable_x64(True):
        s = _reference_stats()
        chains = _reference_chains(s)
        return s, chains, mcmc.summarize(chains, ["w0", "w1", "log_alpha", "log_beta"])


@pytest.mark.slow  # a second NUTS program: the one with the host callback
def test_the_progress_bar_does_not_change_the_draws_of_blr_fits_sampler(reference, x64):
    """``blr fit``'s sampler with a listener (a host callback per step) draws bit for bit what
    it draws without one, and the listener hears of every chain-step of warm-up and sampling."""
    s, plain, _ = reference
    ticks = []
    shown = _reference_chains(s, progress=ticks.append)
    for a, b in zip(jax.tree.leaves(plain), jax.tree.leaves(shown), strict=True):
        assert np.array_equal(np.asarray(a), np.asarray(b))
    assert sum(ticks) == CHAINS * (WARMUP + SAMPLES)


def _exact_joint_moments(s):
    """E[w | y] and Cov[w | y] with alpha, beta integrated out on a fine (log a, log b) grid.

    p(log a, log b | y) is proportional to p(y | a, b) Gamma(a) Gamma(b) a b, with the closed-form
    evidence; given (a, b) the weights are N(m_N, S_N). Quadrature error is far below MC error.
    """
    la = jnp.linspace(-8.0, 10.0, 721)
    lb = jnp.linspace(0.5, 4.5, 401)
    LA, LB = (g.ravel() for g in jnp.meshgrid(la, lb))
    prior = mcmc.HyperPrior()

    def terms(log_a, log_b):
        a, b = jnp.exp(log_a), jnp.exp(log_b)
        post = posterior.exact_posterior(s, a, b)
        logp = (evidence.log_evidence(s, a, b) + prior.alpha_shape * log_a - prior.alpha_rate * a
                + prior.beta_shape * log_b - prior.beta_rate * b)  # fmt: skip
        second = posterior.covariance(post) + jnp.outer(post.mean, post.mean)
        return logp, post.mean, second

    logp, means, seconds = jax.jit(jax.vmap(terms))(LA, LB)
    p = jnp.exp(logp - logp.max())
    p = p / p.sum()
    mean = p @ means
    return np.asarray(mean), np.asarray(jnp.tensordot(p, seconds, 1) - jnp.outer(mean, mean))


def test_nuts_matches_the_exact_posterior_within_monte_carlo_error(reference):
    s, chains, summ = reference
    with jax.enable_x64(True):
        mean, cov = _exact_joint_moments(s)
    w = np.asarray(chains.positions.w).reshape(-1, 2)  # (C S, 2)
    ess = summ.ess[:2]
    sd = np.sqrt(np.diag(cov))
    assert np.all(np.abs(w.mean(0) - mean) < Z * sd / np.sqrt(ess))
    cov_hat = np.cov(w.T)
    # se of a sample covariance of normals: sqrt((S_ii S_jj + S_ij^2) / n_eff)
    se = np.sqrt((np.outer(sd**2, sd**2) + cov**2) / ess.min())
    assert np.all(np.abs(cov_hat - cov) < Z * se)


def test_nuts_converges_on_the_reference_problem(reference):
    _, chains, summ = reference
    assert np.all(summ.rhat < 1.01)
    assert np.all(summ.ess > 400)  # of 4000 draws
    assert summ.n_divergent == 0
    assert chains.positions.w.shape == (CHAINS, SAMPLES, 2)


def test_initial_inverse_mass_is_near_the_exact_posterior_variances(x64):
    """The warm-up seed: S_N at the empirical-Bayes point for w (alpha, beta integrated out
    widens them by a few per cent here), Laplace for log alpha, log beta (log alpha's
    marginal is skewed, so only to within a factor of 2)."""
    s = _reference_stats()
    eb = evidence.mackay(s)
    imm = np.asarray(mcmc.initial_inverse_mass(s, eb.alpha, eb.beta))
    exact = np.asarray(joint_exact.joint_moments(s).sd) ** 2  # (4,)
    assert imm.shape == (4,) and np.all(np.isfinite(imm)) and np.all(imm > 0)
    np.testing.assert_allclose(imm[:2], exact[:2], rtol=0.2)
    exact = exact[2:]
    assert np.all((imm[2:] > exact / 2) & (imm[2:] < 2 * exact)), (imm[2:], exact)


def test_random_walk_matches_the_conditional_exact_posterior(x64):
    s = _reference_stats()
    alpha, beta = 2.0, 11.0
    post = posterior.exact_posterior(s, alpha, beta)
    cov = np.asarray(posterior.covariance(post))
    init = mcmc.init_positions(jax.random.key(3), post.mean, jnp.sqrt(jnp.diag(cov)), CHAINS)
    chains = mcmc.rwm(jax.random.key(4), mcmc.conditional_logdensity(s, alpha, beta), init,
                      n_warmup=1000, n_samples=4000)  # fmt: skip
    summ = mcmc.summarize(chains, ["w0", "w1"])
    assert np.all(summ.rhat < 1.01)
    sd = np.sqrt(np.diag(cov))
    assert np.all(np.abs(summ.mean - np.asarray(post.mean)) < Z * sd / np.sqrt(summ.ess))
    acc = float(chains.acceptance.mean())
    assert 0.1 < acc < 0.5  # tuned towards 0.234


def test_joint_logdensity_is_the_model_up_to_a_constant(x64):
    s = _reference_stats()
    logd = mcmc.joint_logdensity(s)
    a = mcmc.Position(jnp.asarray([0.1, 0.2]), jnp.asarray(0.3), jnp.asarray(2.0))
    b = mcmc.Position(jnp.asarray([-0.3, 0.5]), jnp.asarray(1.0), jnp.asarray(2.4))

    def direct(p):  # written from the definitions, not from the statistics
        alpha, beta = np.exp(float(p.log_alpha)), np.exp(float(p.log_beta))
        w = np.asarray(p.w)
        r = np.sqrt(float(s.yy) - 2 * w @ np.asarray(s.phi_y) + w @ np.asarray(s.gram) @ w)
        return (50 * np.log(beta) - beta * r**2 / 2 + np.log(alpha) - alpha * w @ w / 2
                + np.log(alpha) - 0.01 * alpha + np.log(beta) - 0.01 * beta)  # fmt: skip

    np.testing.assert_allclose(float(logd(a) - logd(b)), direct(a) - direct(b), rtol=1e-10)


def test_divergences_above_the_threshold_are_reported():
    summ = mcmc.Summary(["w0"], *(np.zeros(1),) * 4, n_divergent=30, n_transitions=1000)
    with pytest.raises(JaxscratchError, match="30 divergent transitions of 1000"):
        mcmc.check_divergences(summ, 0.01)
    mcmc.check_divergences(summ, 0.05)  # 3 % is allowed under a 5 % threshold


@pytest.mark.parametrize(
    ("chains", "warmup", "samples", "needle"),
    [(1, 100, 100, "at least 2 chains"), (2, 100, 3, "at least 4 samples"),
     (2, 5, 100, "at least 10 warm-up")],
)  # fmt: skip
def test_bad_run_sizes(chains, warmup, samples, needle):
    init = jnp.zeros((chains, 2))
    with pytest.raises(JaxscratchError, match=needle):
        mcmc.nuts(jax.random.key(0), lambda w: -w @ w, init, n_warmup=warmup, n_samples=samples)
