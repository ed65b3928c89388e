"""jaxscratch.blr.robust and outliers: the Student-t density against scipy, bad input."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from jaxscratch import blr
from jaxscratch.errors import JaxscratchError


@pytest.mark.parametrize("nu", [0.7, 3.0, 30.0, 1e5])
def test_student_t_logpdf_matches_scipy(x64, nu):
    r = np.linspace(-6.0, 6.0, 25)
    log_beta = np.log(4.0)  # scale 0.5
    ours = blr.student_t_logpdf(jnp.asarray(r), nu, log_beta)
    # ln G((nu+1)/2) - ln G(nu/2) cancels two numbers of size ~nu ln nu: float64 keeps
    # about 1e-16 of them, so the absolute tolerance grows with nu
    atol = 1e-14 * max(1.0, nu * np.log(nu))
    np.testing.assert_allclose(ours, stats.t.logpdf(r, df=nu, scale=0.5), rtol=1e-10, atol=atol)


def test_robust_logdensity_sums_the_t_likelihood_and_the_priors(x64):
    phi = jnp.stack([jnp.ones(5), jnp.linspace(-1, 1, 5)], axis=1)
    y = jnp.asarray([0.1, -0.2, 0.3, 5.0, 0.0])
    p = blr.Position(jnp.asarray([0.1, 0.4]), jnp.asarray(0.5), jnp.asarray(1.5))
    alpha, beta = np.exp(0.5), np.exp(1.5)
    direct = (
        stats.t.logpdf(np.asarray(y - phi @ p.w), df=4.0, scale=beta**-0.5).sum()
        + stats.norm.logpdf(np.asarray(p.w), scale=alpha**-0.5).sum()
        + stats.gamma.logpdf(alpha, 1.0, scale=100.0)
        + 0.5
        + stats.gamma.logpdf(beta, 1.0, scale=100.0)
        + 1.5
    )  # + log-Jacobians
    free = blr.robust_logdensity(phi, y, nu=4.0)
    # up to the Gamma normalising constants, which do not depend on the position
    const = 2 * np.log(0.01)
    np.testing.assert_allclose(float(free(p)) + const, direct, rtol=1e-10)


@pytest.mark.parametrize("nu", [0.0, -1.0, float("nan"), float("inf")])
def test_nu_must_be_positive_and_finite(nu):
    with pytest.raises(JaxscratchError, match="degrees of freedom nu must be"):
        blr.check_likelihood("student-t", nu)


def test_an_unknown_likelihood_names_the_choices():
    with pytest.raises(JaxscratchError, match="unknown likelihood 'cauchy'; choose one of"):
        blr.check_likelihood("cauchy", None)


def test_outliers_move_the_asked_fraction_far_from_the_line(x64):
    d = blr.make_data(jax.random.key(0), 200, noise=0.1, dtype=jnp.float64)
    o = blr.add_outliers(jax.random.key(1), d, 0.1)
    moved = np.abs(np.asarray(o.y - d.y)) > 0
    assert moved.sum() == 20 and np.array_equal(o.x, d.x)
    assert np.all(np.abs(np.asarray(o.y - d.y))[moved] >= 5 * float(jnp.std(d.y)) - 1e-12)
    assert blr.add_outliers(jax.random.key(1), d, 0.0) is d


@pytest.mark.parametrize("fraction", [1.5, -0.1, 0.51])
def test_outlier_fraction_outside_the_range_is_refused(fraction, x64):
    d = blr.make_data(jax.random.key(0), 10, dtype=jnp.float64)
    with pytest.raises(JaxscratchError, match=r"outlier fraction must lie in \[0, 0.5\]"):
        blr.add_outliers(jax.random.key(1), d, fraction)
