"""jaxscratch.blr.evidence: gradient vs finite differences, MacKay vs ascent, degree comparison."""

import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.linear_model import BayesianRidge

from jaxscratch.blr import basis, data, evidence, posterior
from jaxscratch.errors import JaxscratchError


@pytest.fixture
def sin_stats(key, x64):
    d = data.make_data(key, 80, truth="sin", noise=0.2, dtype=jnp.float64)
    phi = basis.design(basis.make_basis("poly", d.x, degree=5), d.x)
    return d, phi, posterior.stats(phi, d.y)


def test_log_evidence_matches_the_marginal_gaussian_density(sin_stats):
    # y ~ N(0, alpha^-1 Phi Phi^T + beta^-1 I) (PRML eq. 3.85 integrated directly)
    d, phi, s = sin_stats
    alpha, beta = 0.7, 20.0
    cov = np.asarray(phi) @ np.asarray(phi).T / alpha + np.eye(phi.shape[0]) / beta
    y = np.asarray(d.y)
    sign, logdet = np.linalg.slogdet(cov)
    direct = -0.5 * (y @ np.linalg.solve(cov, y) + logdet + y.size * np.log(2 * np.pi))
    np.testing.assert_allclose(evidence.log_evidence(s, alpha, beta), direct, rtol=1e-10)


@pytest.mark.parametrize(("alpha", "beta"), [(0.3, 5.0), (4.0, 60.0)])
def test_gradient_equals_central_finite_differences(sin_stats, alpha, beta):
    _, _, s = sin_stats
    theta = np.log([alpha, beta])
    g = np.asarray(evidence.log_evidence_grad(s, jnp.asarray(theta)))
    h = 1e-5
    fd = []
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        up = evidence.log_evidence(s, *np.exp(theta + e))
        down = evidence.log_evidence(s, *np.exp(theta - e))
        fd.append(float(up - down) / (2 * h))
    # central differences err by O(h^2 f''') ~ 1e-9 here, far below the tolerance
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-7)


def test_mackay_and_gradient_ascent_agree_at_a_stationary_point(sin_stats):
    _, _, s = sin_stats
    fixed = evidence.mackay(s, alpha0=1.0, beta0=1.0)
    ascent = evidence.evidence_ascent(s, alpha0=10.0, beta0=0.1)
    assert bool(fixed.converged) and bool(ascent.converged)
    np.testing.assert_allclose([ascent.alpha, ascent.beta], [fixed.alpha, fixed.beta], rtol=1e-6)
    grad = evidence.log_evidence_grad(s, jnp.log(jnp.asarray([fixed.alpha, fixed.beta])))
    np.testing.assert_allclose(grad, 0.0, atol=1e-6)
    # and it is a maximum: moving either precision by 5 % lowers the evidence
    for a, b in [(1.05, 1), (0.95, 1), (1, 1.05), (1, 0.95)]:
        assert evidence.log_evidence(s, a * fixed.alpha, b * fixed.beta) < fixed.log_evidence


def test_mackay_matches_sklearn_without_hyperpriors(sin_stats):
    d, phi, s = sin_stats
    ridge = BayesianRidge(fit_intercept=False, tol=1e-12, max_iter=10_000,
                          alpha_1=0.0, alpha_2=0.0, lambda_1=0.0, lambda_2=0.0)  # fmt: skip
    ridge.fit(np.asarray(phi), np.asarray(d.y))
    eb = evidence.mackay(s)
    np.testing.assert_allclose([eb.alpha, eb.beta], [ridge.lambda_, ridge.alpha_], rtol=1e-6)


def test_evidence_prefers_the_true_degree_family(key, x64):
    d = data.make_data(key, 200, truth="poly", noise=0.1, dtype=jnp.float64)
    comp = evidence.compare_degrees(d.x, d.y, range(1, 7))
    assert comp.best_degree == 3  # the truth is a cubic
    assert np.all(np.isfinite(comp.log_evidence))


def test_too_few_points_to_estimate_noise(x64):
    phi = jnp.ones((1, 2))
    with pytest.raises(JaxscratchError, match="at least 2 points"):
        evidence.mackay(posterior.stats(phi, jnp.ones(1)))
    with pytest.raises(JaxscratchError, match="initial alpha must be finite and > 0"):
        evidence.evidence_ascent(posterior.stats(jnp.ones((3, 2)), jnp.ones(3)), alpha0=-1.0)
