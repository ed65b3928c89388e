"""The bivariate-normal math: closed forms against scipy, numerical integrals and our sampler."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from jaxscratch import gaussian
from jaxscratch.errors import JaxscratchError
from jaxscratch.gaussian import bivariate as bv
from jaxscratch.scenes import bivariate as sb

MEAN = np.array([0.5, -1.0])
COV = np.array([[1.0, 0.6], [0.6, 2.0]])


@pytest.fixture
def p(x64):
    return bv.from_cov(MEAN, COV)


def test_from_cov_round_trips_to_the_same_covariance(p):
    np.testing.assert_allclose(bv.cov(p), COV, rtol=1e-12)
    np.testing.assert_allclose(bv.mean(p), MEAN)
    assert float(p.rho) == pytest.approx(0.6 / math.sqrt(2.0))


def test_scale_is_the_cholesky_factor(p):
    np.testing.assert_allclose(bv.scale(p), np.linalg.cholesky(COV), rtol=1e-12)
    assert isinstance(bv.to_mvn(p), gaussian.MVN)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"sx": 0.0}, "sigmas must be > 0"),
        ({"sy": -1.0}, "sigmas must be > 0"),
        ({"rho": 1.0}, "|rho| < 1"),
        ({"rho": -1.5}, "|rho| < 1"),
        ({"mux": float("nan")}, "not finite"),
    ],
)
def test_params_rejects_invalid_values(kwargs, needle):
    with pytest.raises(JaxscratchError, match=needle.replace("|", r"\|")):
        bv.params(**kwargs)


@pytest.mark.parametrize(
    ("mean", "cov", "needle"),
    [
        ([0, 0], [[1, 2], [2, 1]], "not positive definite"),
        ([0, 0], [[1, 1], [1, 1]], "not positive definite"),
        ([0, 0], [[-1, 0], [0, 1]], "not positive definite"),
        ([0, 0], [[1, 0.5], [0.2, 1]], "not symmetric"),
        ([0, 0, 0], [[1, 0], [0, 1]], "2 means and a 2x2"),
        ([0, 0], [[1, float("inf")], [0, 1]], "NaN or inf"),
    ],
)
def test_from_cov_rejects_bad_covariances(mean, cov, needle):
    with pytest.raises(JaxscratchError, match=needle):
        bv.from_cov(mean, cov)


def test_density_matches_scipy(p):
    xy = np.array([[0.0, 0.0], [1.3, -2.2], [-0.7, 0.9]])
    expected = stats.multivariate_normal(MEAN, COV).pdf(xy)
    np.testing.assert_allclose(bv.density(p, xy[:, 0], xy[:, 1]), expected, rtol=1e-12)


def test_grid_density_integrates_to_one(p):
    window = sb.box(p, k=7.0)  # mass outside 7 sigma per axis is below 1e-11
    xs, ys = jnp.linspace(window[0], window[1], 401), jnp.linspace(window[2], window[3], 401)
    grid = bv.density_grid(p, xs, ys)
    assert grid.shape == (401, 401)
    total = jnp.trapezoid(jnp.trapezoid(grid, xs, axis=1), ys)
    # trapezoid error on a smooth, rapidly decaying integrand is far below 1e-6 at this step
    assert float(total) == pytest.approx(1.0, abs=1e-6)


def test_marginals_match_1d_normals_and_integrate_the_joint(p):
    xs, ys = jnp.linspace(-6, 7, 601), jnp.linspace(-9, 7, 801)
    np.testing.assert_allclose(
        bv.marginal_x(p, xs), stats.norm(MEAN[0], 1.0).pdf(xs), rtol=1e-10, atol=1e-300
    )
    np.testing.assert_allclose(
        bv.marginal_y(p, ys), stats.norm(MEAN[1], math.sqrt(2.0)).pdf(ys), rtol=1e-10
    )
    integrated = jnp.trapezoid(bv.density_grid(p, xs, ys), ys, axis=0)  # integrate y out
    np.testing.assert_allclose(integrated, bv.marginal_x(p, xs), atol=1e-7)


def test_conditionals_match_the_closed_form_and_the_mvn_module(p):
    x0, y0 = 1.7, -0.4
    m, s = bv.conditional_y(p, x0)
    assert float(m) == pytest.approx(MEAN[1] + COV[0, 1] / COV[0, 0] * (x0 - MEAN[0]))
    assert float(s) ** 2 == pytest.approx(COV[1, 1] - COV[0, 1] ** 2 / COV[0, 0])
    ref = gaussian.conditional(gaussian.from_cov(MEAN, COV), [0], [x0])
    np.testing.assert_allclose([m, s**2], [ref.mean[0], ref.cov[0, 0]], rtol=1e-12)
    m, s = bv.conditional_x(p, y0)
    assert float(m) == pytest.approx(MEAN[0] + COV[0, 1] / COV[1, 1] * (y0 - MEAN[1]))
    assert float(s) ** 2 == pytest.approx(COV[0, 0] - COV[0, 1] ** 2 / COV[1, 1])


def test_conditional_of_y_matches_a_monte_carlo_regression(p, key):
    """E[y | x] is linear in x with residual variance sd[y | x]^2: least squares recovers both."""
    n = 200_000
    x = sb.sample(key, p, n)
    design = np.column_stack([np.ones(n), np.asarray(x[:, 0])])
    coef, *_ = np.linalg.lstsq(design, np.asarray(x[:, 1]), rcond=None)
    resid_var = np.var(np.asarray(x[:, 1]) - design @ coef, ddof=2)
    m0, s = bv.conditional_y(p, 0.0)
    m1, _ = bv.conditional_y(p, 1.0)
    slope_se = math.sqrt(float(s) ** 2 / (n * COV[0, 0]))
    assert abs(coef[1] - float(m1 - m0)) < 5 * slope_se
    var_se = float(s) ** 2 * math.sqrt(2.0 / n)
    assert abs(resid_var - float(s) ** 2) < 5 * var_se


def test_ellipse_points_are_k_mahalanobis_units_away(p):
    for k in (1.0, 2.0, 3.0):
        pts = bv.ellipse(p, k, num=64)
        assert pts.shape == (64, 2)
        np.testing.assert_allclose(gaussian.mahalanobis(bv.to_mvn(p), pts), k, rtol=1e-10)


def test_ellipse_mass_matches_chi_square(x64):
    ks = np.array([0.5, 1.0, 2.0, 3.0])
    np.testing.assert_allclose(bv.ellipse_mass(ks), stats.chi2(2).cdf(ks**2), rtol=1e-12)


def test_ellipse_coverage_is_within_a_few_se_of_the_exact_mass(p, key):
    """For draws of p the fraction inside each ellipse is Binomial(n, mass) / n: within 4.5 se
    of the chi-square(2) mass, and equal to a count by an independent numpy inverse."""
    n, ks = 100_000, np.array([0.5, 1.0, 2.0, 3.0])
    x = sb.sample(key, p, n)
    c = bv.ellipse_coverage(p, x, ks)
    np.testing.assert_allclose(c.k, ks)
    np.testing.assert_allclose(c.mass, bv.ellipse_mass(ks), rtol=1e-12)
    assert np.all(np.abs(np.asarray(c.fraction) - np.asarray(c.mass)) < 4.5 * np.asarray(c.se))
    r = np.asarray(x) - MEAN
    d2 = np.einsum("ni,ij,nj->n", r, np.linalg.inv(COV), r)  # (n,) squared Mahalanobis
    np.testing.assert_allclose(c.fraction, [np.mean(d2 <= k * k) for k in ks], atol=2 / n)


def test_ellipse_coverage_se_is_the_binomial_closed_form(p, key):
    # k^2 = 2 ln 2 and 2 ln 10 put mass 1/2 and 9/10 inside: se = sqrt(m (1 - m) / n)
    n = 400
    c = bv.ellipse_coverage(p, sb.sample(key, p, n), [math.sqrt(2 * math.log(2)),
                                                      math.sqrt(2 * math.log(10))])  # fmt: skip
    np.testing.assert_allclose(c.mass, [0.5, 0.9], rtol=1e-12)
    np.testing.assert_allclose(c.se, [0.5 / 20, 0.3 / 20], rtol=1e-12)


def test_ellipse_coverage_se_matches_the_spread_over_repeated_experiments(p, key):
    """The binomial se equals the sd of the fraction over many independent samples (relative
    error of an sd estimated from R runs ~ 1/sqrt(2R))."""
    runs, n, ks = 1000, 500, np.array([1.0, 2.0])
    keys = jax.random.split(key, runs)
    fractions = jax.vmap(lambda k: bv.ellipse_coverage(p, sb.sample(k, p, n), ks).fraction)(keys)
    se = bv.ellipse_coverage(p, sb.sample(key, p, n), ks).se
    np.testing.assert_allclose(
        np.std(np.asarray(fractions), axis=0), se, rtol=5 / np.sqrt(2 * runs)
    )
    np.testing.assert_allclose(np.mean(np.asarray(fractions), axis=0), bv.ellipse_mass(ks),
                               atol=5 * float(np.max(se)) / np.sqrt(runs))  # fmt: skip


def test_eigen_and_tilt_describe_the_major_axis(p):
    lam, vecs = bv.eigen(p)
    np.testing.assert_allclose(lam, np.linalg.eigvalsh(COV)[::-1], rtol=1e-12)
    np.testing.assert_allclose(COV @ vecs, vecs * lam, atol=1e-12)
    angle = math.atan2(vecs[1, 0], vecs[0, 0])
    assert math.isclose(math.tan(float(bv.tilt(p))), math.tan(angle), rel_tol=1e-9)
    axes = bv.eigen_axes(p)
    half_lengths = np.linalg.norm(np.asarray(axes[:, 1] - axes[:, 0]), axis=-1) / 2
    np.testing.assert_allclose(half_lengths, np.sqrt(lam), rtol=1e-12)


def test_tilt_is_zero_without_correlation_and_45_degrees_for_equal_sigmas(x64):
    assert float(bv.tilt(bv.params(sx=2.0, sy=1.0, rho=0.0))) == 0.0
    assert float(bv.tilt(bv.params(sx=1.0, sy=1.0, rho=0.5))) == pytest.approx(math.pi / 4)


def test_samples_come_from_base_normals_and_repeat_with_the_key(p, key):
    z = sb.base_normals(key, 1000)
    np.testing.assert_allclose(sb.sample(key, p, 1000), sb.transform(p, z))
    np.testing.assert_array_equal(sb.sample(key, p, 10), sb.sample(key, p, 10))
    assert not np.allclose(sb.sample(key, p, 10), sb.sample(jax.random.fold_in(key, 1), p, 10))


def test_histogram_is_a_density_over_the_window(x64):
    values = jnp.array([0.1, 0.2, 0.6, 0.9, 1.5, -0.3])
    edges = jnp.linspace(0.0, 1.0, 5)
    hist = sb.histogram(values, edges)
    np.testing.assert_allclose(hist, np.histogram([0.1, 0.2, 0.6, 0.9], edges)[0] / (6 * 0.25))


def test_box_snaps_outwards_and_squares(x64):
    q = bv.params(0.3, 0.0, 1.0, 2.0, 0.0)
    np.testing.assert_allclose(sb.box(q, 1.0), [-0.7, 1.3, -2.0, 2.0])
    np.testing.assert_allclose(sb.box(q, 1.0, snap=1.0), [-1.0, 2.0, -2.0, 2.0])
    np.testing.assert_allclose(sb.box(q, 1.0, square=True), [-1.7, 2.3, -2.0, 2.0])


def test_sweep_loops_and_is_validated(p):
    values = sb.sweep_values(-0.9, 0.9, 8)
    assert values[0] == pytest.approx(-0.9) and values[4] == pytest.approx(0.9)
    stacked = sb.param_sweep(p, "rho", values)
    assert stacked.rho.shape == (8,) and np.all(stacked.sx == p.sx)
    with pytest.raises(JaxscratchError, match="unknown sweep parameter"):
        sb.param_sweep(p, "kappa", values)
    with pytest.raises(JaxscratchError, match=r"\|rho\| < 1"):
        sb.param_sweep(p, "rho", [0.5, 1.0])


def test_scene_gathers_consistent_pieces(p, key):
    z = sb.base_normals(key, 5000)
    s = sb.scene(p, z, sb.box(p), x0=1.0, y0=-0.5, grid=51, bins=20)
    assert s.samples.shape == (5000, 2) and s.density.shape == (51, 51)
    assert s.hist_x.shape == (20,) and s.edges_x.shape == (21,)
    width = float(s.edges_x[1] - s.edges_x[0])
    assert float(jnp.sum(s.hist_x)) * width == pytest.approx(1.0, abs=2e-3)  # 3.5 sigma window
    np.testing.assert_allclose(s.cov, COV, rtol=1e-12)
    assert float(s.det) == pytest.approx(np.linalg.det(COV))
    np.testing.assert_allclose(s.mean_hat, np.mean(np.asarray(s.samples), axis=0))
    assert float(s.cond_y_mean) == pytest.approx(float(bv.conditional_y(p, 1.0)[0]))
    np.testing.assert_allclose(s.masses, bv.ellipse_mass(s.ks))


def test_frames_share_window_and_base_normals(p, key):
    z = sb.base_normals(key, 300)
    stacked = sb.param_sweep(p, "rho", sb.sweep_values(-0.5, 0.5, 4))
    f = sb.frames(stacked, z, grid=11, bins=5)
    assert f.samples.shape == (4, 300, 2)
    np.testing.assert_allclose(f.xs[0], f.xs[3])
    # x = mux + sx z_0 does not depend on rho: the cloud only shears, it does not jump
    np.testing.assert_allclose(f.samples[0, :, 0], f.samples[2, :, 0])
    np.testing.assert_allclose(f.samples[1], sb.transform(bv.Params(*(a[1] for a in stacked)), z))
