"""Standard errors of sample moments, and the verdict they support."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch import gaussian as g
from jaxscratch.errors import JaxscratchError

_convergence = jax.jit(g.convergence, static_argnames="ns")  # one compile, not one per op


def test_standard_errors_match_the_spread_over_repeated_experiments(key):
    """The formula's standard errors equal the empirical spread of the estimates over many
    independent experiments (relative error of an sd estimate from R runs ~ 1/sqrt(2R))."""
    d, n, runs = 3, 400, 2000
    cov = g.random_covariance(key, d)
    dist = g.from_cov(jnp.zeros(d), cov)
    x = g.sample(jax.random.fold_in(key, 1), dist, (runs, n))  # (runs, n, d)
    means, covs = jax.vmap(g.sample_moments)(x)
    mean_se, cov_se = g.standard_errors(cov, n)
    tol = 5 / np.sqrt(2 * runs)
    np.testing.assert_allclose(np.std(np.asarray(means), axis=0), mean_se, rtol=tol)
    np.testing.assert_allclose(np.std(np.asarray(covs), axis=0), cov_se, rtol=tol)


def test_verdict_rejects_a_wrong_truth(key):
    dist = g.from_cov(jnp.zeros(2), jnp.eye(2))
    x = g.sample(key, dist, (100_000,))
    assert g.reconstruct(x, dist.mean, dist.cov).consistent
    assert not g.reconstruct(x, dist.mean + 0.05, dist.cov).consistent
    assert not g.reconstruct(x, dist.mean, 1.05 * dist.cov).consistent


def test_bonferroni_bound_grows_with_the_number_of_tests():
    assert abs(g.bonferroni_z(1, 0.05) - 1.95996) < 1e-4
    assert g.bonferroni_z(5150, 1e-3) > g.bonferroni_z(65, 1e-3) > g.bonferroni_z(1, 1e-3)


def test_convergence_matches_reconstruct_on_each_prefix(key):
    d = 3
    cov = g.random_covariance(key, d)
    dist = g.from_cov(g.random_mean(key, d), cov)
    x = g.sample(jax.random.fold_in(key, 1), dist, (5000,))
    c = _convergence(x, dist.mean, cov, (100, 1000, 5000))
    for i, n in enumerate(c.ns):
        rec = g.reconstruct(x[:n], dist.mean, cov)
        z = np.abs(np.asarray(g.z_scores(rec)))
        np.testing.assert_allclose([c.max_z_mean[i], c.max_z_cov[i]],
                                   [z[:d].max(), z[d:].max()], rtol=1e-3)  # fmt: skip
        np.testing.assert_allclose(c.mean_err[i], np.linalg.norm(rec.mean_hat - rec.mean_true),
                                   rtol=1e-3)  # fmt: skip
        np.testing.assert_allclose(c.cov_err[i], np.linalg.norm(rec.cov_hat - rec.cov_true),
                                   rtol=1e-3)  # fmt: skip
    np.testing.assert_allclose(c.mean_err_rms**2, np.trace(cov) / np.array(c.ns), rtol=1e-3)


def test_convergence_ignores_padding_past_d(key):
    d, big_d = 2, 5
    cov = g.random_covariance(key, d)
    dist = g.from_cov(jnp.zeros(d), cov)
    x = g.sample(key, dist, (400,))
    junk = 100.0 * jnp.ones((400, big_d - d))  # wildly off the padded truth: must not count
    x_pad = jnp.concatenate([x, junk], axis=1)
    cov_pad = jnp.eye(big_d).at[:d, :d].set(cov)
    full = _convergence(x, dist.mean, cov, (50, 400))
    padded = _convergence(x_pad, jnp.zeros(big_d), cov_pad, (50, 400), d)
    for a, b in zip(full[1:7], padded[1:7], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-3)
    assert np.isnan(np.asarray(padded.z_cov)[d:, :]).all()
    np.testing.assert_allclose(padded.z_cov[:d, :d], full.z_cov, rtol=1e-3)


def test_errors_shrink_like_one_over_root_n(key):
    dist = g.from_cov(jnp.zeros(4), g.random_covariance(key, 4))
    x = g.sample(key, dist, (100_000,))
    c = _convergence(x, dist.mean, dist.cov, (100, 100_000))
    # error / rms is O(1) at every n, while the rms itself falls by sqrt(1000)
    np.testing.assert_allclose(c.mean_err_rms[0] / c.mean_err_rms[1], np.sqrt(1000), rtol=1e-4)
    assert np.all(np.asarray(c.mean_err / c.mean_err_rms) < 4.0)
    assert np.all(np.asarray(c.cov_err / c.cov_err_rms) < 4.0)


@pytest.mark.parametrize("ns", [(), (1, 10), (10, 10), (100, 10), (10, 10_000)])
def test_bad_sample_sizes_are_clear_errors(key, ns):
    x = jnp.zeros((1000, 2))
    with pytest.raises(JaxscratchError, match="sample sizes .* must increase"):
        _convergence(x, jnp.zeros(2), jnp.eye(2), ns)


def test_entries_are_the_z_scores_with_their_labels(key):
    d = 3
    dist = g.from_cov(g.random_mean(key, d), g.random_covariance(key, d))
    rec = g.reconstruct(g.sample(jax.random.fold_in(key, 1), dist, (2000,)), dist.mean, dist.cov)
    means, covs = rec.mean_entries(), rec.cov_entries()
    assert rec.dim == d and rec.n_tests == len(means) + len(covs) == 3 + 6 == g.n_tests(d)
    assert [e.label for e in means] == ["mu[0]", "mu[1]", "mu[2]"]
    assert [e.label for e in covs] == ["S[0,0]", "S[0,1]", "S[0,2]", "S[1,1]", "S[1,2]", "S[2,2]"]
    np.testing.assert_allclose([e.z for e in means + covs], g.z_scores(rec), rtol=1e-6)
    s12 = covs[4]  # S[1,2]
    assert s12.truth == pytest.approx(float(dist.cov[1, 2]))
    assert s12.estimate == pytest.approx(float(rec.cov_hat[1, 2]))
    assert s12.z == pytest.approx((s12.estimate - s12.truth) / s12.se, rel=1e-4)
    assert s12.error == s12.estimate - s12.truth
    assert max(abs(e.z) for e in means + covs) == pytest.approx(rec.max_abs_z, rel=1e-6)


def test_largest_first_orders_by_absolute_z():
    rows = tuple(g.Entry(f"e{i}", 0.0, z, 1.0, z) for i, z in enumerate([0.5, -3.0, 2.0, 3.0]))
    assert [e.label for e in g.largest_first(rows)] == ["e1", "e3", "e2", "e0"]  # ties keep order


def test_number_of_tests_counts_means_and_the_upper_triangle():
    assert [g.n_tests(d) for d in (1, 2, 10, 100)] == [2, 5, 65, 5150]


def test_convergence_verdicts_agree_with_reconstruct_on_each_prefix(key):
    """At every n the verdict is the one ``reconstruct`` gives on the first n rows, for a right
    and for a wrong truth, and the error ratios are O(1) when the truth is right."""
    d = 3
    cov = g.random_covariance(key, d)
    dist = g.from_cov(jnp.zeros(d), cov)
    x = g.sample(jax.random.fold_in(key, 1), dist, (20_000,))
    ns = (100, 2000, 20_000)
    for mean in (dist.mean, dist.mean + 0.05):
        v = g.convergence_verdicts(_convergence(x, mean, cov, ns), d, alpha=1e-3)
        assert v.n_tests == 9 and v.threshold == pytest.approx(g.bonferroni_z(9, 1e-3))
        recs = [g.reconstruct(x[:n], mean, cov) for n in ns]
        assert list(v.consistent) == [r.consistent for r in recs]
        np.testing.assert_allclose(v.max_abs_z, [r.max_abs_z for r in recs], rtol=1e-3)
    assert not v.consistent[-1]  # 0.05 off: 2.5 to 5.4 se per mean entry at n = 20 000
    right = g.convergence_verdicts(_convergence(x, dist.mean, cov, ns), d)
    assert right.consistent.all() and np.all(right.mean_err_ratio < 4.0)
    assert np.all(right.cov_err_ratio < 4.0)


def test_running_reconstruction_equals_the_moments_of_each_prefix(key):
    """From the stored sums, the z-scores at each n are those of the first n rows (numpy float64
    oracle; ``reconstruct`` itself, float32, at the full n), for the full d and for a leading
    d' < d (the marginal of the first d' coordinates); a wrong truth is flagged."""
    d, n_all = 4, 3000
    a = np.array([[1.0, 0, 0, 0], [0.5, 1.2, 0, 0], [-0.3, 0.2, 0.8, 0], [0.1, 0.4, -0.6, 1.5]])
    cov = jnp.asarray(a @ a.T)
    dist = g.from_cov(jnp.array([2.0, -1.0, 0.5, 3.0]), cov)
    x = g.sample(jax.random.fold_in(key, 1), dist, (n_all,))
    ns = g.running_grid(n_all, points=12)
    assert ns[0] == 10 and ns[-1] == n_all and np.all(np.diff(ns) > 0)
    sums = g.running_sums(x, ns, dist.mean)
    x64, mu, sigma = (
        np.asarray(x, np.float64),
        np.asarray(dist.mean, float),
        np.asarray(cov, float),
    )
    for dd in (d, 2):
        run = g.running_reconstruction(sums, dist.mean, cov, dd)
        iu = np.triu_indices(dd)
        for k, n in enumerate(ns):
            mean_se = np.sqrt(np.diag(sigma)[:dd] / n)
            cov_se = np.sqrt(
                (sigma[:dd, :dd] ** 2 + np.outer(*[np.diag(sigma)[:dd]] * 2)) / (n - 1)
            )
            z_mean = (x64[:n, :dd].mean(axis=0) - mu[:dd]) / mean_se
            z_cov = (np.cov(x64[:n, :dd], rowvar=False) - sigma[:dd, :dd]) / cov_se
            np.testing.assert_allclose(run.z[k], np.concatenate([z_mean, z_cov[iu]]), rtol=1e-9,
                                       atol=1e-9)  # fmt: skip
        assert run.threshold == g.bonferroni_z(g.n_tests(dd))
    rec = g.reconstruct(x, dist.mean, cov)
    np.testing.assert_allclose(run.z[-1][:2], g.z_scores(rec)[:2], rtol=1e-5, atol=1e-5)
    assert run.consistent[-1] == rec.consistent
    wrong = g.running_reconstruction(sums, dist.mean + 0.2, cov, d)
    assert not wrong.consistent[-1] and wrong.max_abs_z[-1] > wrong.max_abs_z[0]
