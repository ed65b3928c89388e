"""Bayesian linear regression: exact fit vs scikit-learn, NUTS ESS/s vs NumPyro, in one run.

1. Exact fit + predict with std, N = 10^6, 25 Gaussian RBF features plus a bias, alpha and
   beta by empirical Bayes: our ``BayesianLinearRegression`` (from raw x: basis, blocked
   sufficient statistics, MacKay, Cholesky posterior, predictive sd at all N inputs) vs
   scikit-learn BayesianRidge on the ready feature matrix (default iterations,
   predict(return_std=True)). Median of repeats after a warm-up.
2. NUTS on the reference problem (N = 100, linear truth, unknown alpha, beta): the same log
   density, chains, warm-up and draws for BlackJAX (ours) and NumPyro; minimum ESS over the
   four coordinates (same ESS estimator for both) per second of a compiled run (warm-up
   included), median of repeats. One setting differs (``DIFFERENCES``, also in the output):
   our warm-up starts from the exact posterior's scales (``mcmc.initial_inverse_mass``, the
   ``blr fit`` default, its cost inside our timed run), NumPyro's from its default identity.
   The ``*_same_settings`` keys time ours with the identity too.

    python benchmarks/bench_blr.py [--json] [--repeats 3]
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402
from numpyro.infer.hmc import hmc  # noqa: E402
from sklearn.linear_model import BayesianRidge  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from _timing import interleaved_medians  # noqa: E402

from jaxscratch import blr  # noqa: E402
from jaxscratch.blr import mcmc  # noqa: E402

N_BIG, N_RBF = 1_000_000, 25
CHAINS, WARMUP, SAMPLES = 4, 500, 1000
NAMES = ["w0", "w1", "log_alpha", "log_beta"]
DIFFERENCES = [
    "initial inverse mass matrix of the warm-up: ours the exact posterior's variances "
    "(mcmc.initial_inverse_mass at the empirical-Bayes alpha, beta), NumPyro the identity "
    "(its default); both then adapt it from the draws in the same window schedule"
]


def bench_exact(repeats: int) -> dict:
    d = blr.make_data(jax.random.key(0), N_BIG, truth="sin", noise=0.2, dtype=jnp.float64)
    x_np, y_np = np.asarray(d.x), np.asarray(d.y)
    basis = blr.make_basis("rbf", x_np, n_centres=N_RBF)
    # scikit-learn gets the same (N, 26) features ready-made (its time excludes building them)
    # and fits the same model: no separate unpenalised intercept, the bias column is a feature
    features = np.asarray(blr.design(basis, d.x))

    def ours():  # the scikit-learn-style wrapper: validation, basis, MacKay, posterior, predict
        model = blr.BayesianLinearRegression("rbf", n_centres=N_RBF).fit(x_np, y_np)
        return model.predict(x_np, return_std=True)

    def theirs():
        model = BayesianRidge(fit_intercept=False).fit(features, y_np)
        return model.predict(features, return_std=True)

    t = interleaved_medians({"ours": ours, "sklearn": theirs}, repeats)  # sides take turns
    ours_s, sklearn_s = t["ours"], t["sklearn"]
    (m1, s1), (m2, s2) = ours(), theirs()
    return {
        "ours_s": ours_s,
        "sklearn_s": sklearn_s,
        "exact_speedup": sklearn_s / ours_s,
        "exact_max_rel_diff_mean": float(np.max(np.abs(m1 - m2) / np.abs(s2))),
        "exact_max_rel_diff_std": float(np.max(np.abs(s1 - s2) / s2)),
    }


def _reference():
    d = blr.make_data(jax.random.key(7), 100, noise=0.3, dtype=jnp.float64)
    s = blr.stats(blr.design(blr.make_basis("linear", d.x), d.x), d.y)
    eb = blr.mackay(s)
    post = blr.exact_posterior(s, eb.alpha, eb.beta)
    sd = jnp.sqrt(jnp.diag(blr.covariance(post)))
    zero = jnp.zeros((), jnp.float64)
    init = mcmc.init_positions(
        jax.random.key(1),
        mcmc.Position(post.mean, jnp.log(eb.alpha), jnp.log(eb.beta)),
        mcmc.Position(sd, zero + 0.5, zero + 0.1),
        CHAINS,
    )
    return s, init


def _diagnostics(flat) -> tuple[float, float]:
    rhat, ess = mcmc._rhat_ess(jnp.asarray(flat))
    return float(jnp.max(rhat)), float(jnp.min(ess))


def _numpyro_nuts(logdensity):
    """NumPyro's NUTS kernel (its own window adaptation during warm-up), chains via vmap.

    Built from ``numpyro.infer.hmc.hmc`` and compiled once, like ours: ``MCMC.run`` re-traces
    on every call, which would time NumPyro's compiler rather than its sampler.
    """

    def potential(p):  # NumPyro minimises the potential energy -log density
        return -logdensity(mcmc.Position(p["w"], p["log_alpha"], p["log_beta"]))

    init_kernel, sample_kernel = hmc(potential_fn=potential, algo="NUTS")

    def one_chain(key, position):
        st = init_kernel(position, num_warmup=WARMUP, target_accept_prob=0.8, rng_key=key)
        st = lax.fori_loop(0, WARMUP, lambda i, s: sample_kernel(s), st)

        def step(s, _):
            s = sample_kernel(s)
            return s, (s.z, s.diverging)

        _, (z, div) = lax.scan(step, st, None, length=SAMPLES)
        w = jnp.concatenate([z["w"], z["log_alpha"][:, None], z["log_beta"][:, None]], axis=-1)
        return w, div

    return jax.jit(jax.vmap(one_chain))


def _timed_runs(runs: dict, repeats: int) -> dict:
    """Per contender: median seconds and ESS/s, worst R-hat and ESS, divergences.

    The contenders alternate run by run so both see the same machine load.
    """
    for run in runs.values():
        jax.block_until_ready(run(jax.random.key(99)))  # compile
    rec = {name: {"s": [], "rate": [], "rhat": [], "ess": [], "div": 0} for name in runs}
    for i in range(repeats):
        for name, run in runs.items():
            t0 = time.perf_counter()
            flat, div = jax.block_until_ready(run(jax.random.key(i)))
            sec = time.perf_counter() - t0
            rhat, ess = _diagnostics(flat)
            r = rec[name]
            r["s"].append(sec), r["rate"].append(ess / sec), r["rhat"].append(rhat)
            r["ess"].append(ess)
            r["div"] += int(div.sum())
    return {
        name: (
            statistics.median(r["s"]),
            statistics.median(r["rate"]),
            max(r["rhat"]),
            min(r["ess"]),
            r["div"],
        )  # fmt: skip
        for name, r in rec.items()
    }


def bench_nuts(repeats: int) -> dict:
    s, init = _reference()
    logdensity = mcmc.joint_logdensity(s)

    def ours(key):  # as ``blr fit`` runs it: the empirical-Bayes fit seeds the warm-up
        eb = blr.mackay(s)
        imm = mcmc.initial_inverse_mass(s, eb.alpha, eb.beta)
        chains = mcmc.nuts(
            key, logdensity, init, n_warmup=WARMUP, n_samples=SAMPLES, inverse_mass=imm
        )
        return mcmc.flatten_draws(chains.positions), chains.is_divergent

    def ours_same(key):  # NumPyro's settings: the warm-up starts from the identity
        chains = mcmc.nuts(key, logdensity, init, n_warmup=WARMUP, n_samples=SAMPLES)
        return mcmc.flatten_draws(chains.positions), chains.is_divergent

    numpyro_run = _numpyro_nuts(logdensity)
    init_np = {"w": init.w, "log_alpha": init.log_alpha, "log_beta": init.log_beta}

    def theirs(key):
        return numpyro_run(jax.random.split(key, CHAINS), init_np)

    res = _timed_runs({"ours": ours, "numpyro": theirs, "same": ours_same}, repeats)
    o_s, o_rate, o_rhat, o_ess, o_div = res["ours"]
    n_s, n_rate, n_rhat, n_ess, n_div = res["numpyro"]
    q_s, q_rate, q_rhat, q_ess, q_div = res["same"]
    return {
        "ours_ess_per_s": o_rate,
        "numpyro_ess_per_s": n_rate,
        "nuts_ratio": o_rate / n_rate,
        "ours_nuts_s": o_s,
        "numpyro_nuts_s": n_s,
        "ours_min_ess": o_ess,
        "numpyro_min_ess": n_ess,
        "ours_max_rhat": o_rhat,
        "numpyro_max_rhat": n_rhat,
        "ours_divergent": o_div,
        "numpyro_divergent": n_div,
        "nuts_ratio_same_settings": q_rate / n_rate,
        "ours_same_settings_ess_per_s": q_rate,
        "ours_same_settings_nuts_s": q_s,
        "ours_same_settings_min_ess": q_ess,
        "ours_same_settings_max_rhat": q_rhat,
        "ours_same_settings_divergent": q_div,
        "nuts_settings_that_differ": DIFFERENCES,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--repeats", type=int, default=3, help="timed exact fits per contender")
    parser.add_argument("--nuts-repeats", type=int, default=15, help="timed NUTS runs each")
    parser.add_argument("--nuts-only", action="store_true", help="skip the exact-fit part")
    args = parser.parse_args()
    # NUTS first: after scikit-learn, idle BLAS threads can still compete for the two cores
    nuts = bench_nuts(args.nuts_repeats)
    result = nuts if args.nuts_only else {**bench_exact(args.repeats), **nuts}
    result["machine"] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "jax": jax.__version__,
        "load_average_1min": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    if not args.nuts_only:
        print(
            f"exact fit + predict, N = {N_BIG:,}, {N_RBF} RBF features: ours "
            f"{result['ours_s']:.3f} s, scikit-learn {result['sklearn_s']:.3f} s "
            f"({result['exact_speedup']:.1f}x)"
        )
    print(f"NUTS, {CHAINS} chains x ({WARMUP} warm-up + {SAMPLES}): ours "
          f"{result['ours_ess_per_s']:.0f} ESS/s (R-hat {result['ours_max_rhat']:.4f}), NumPyro "
          f"{result['numpyro_ess_per_s']:.0f} ESS/s (R-hat {result['numpyro_max_rhat']:.4f}): "
          f"{result['nuts_ratio']:.2f}x; with NumPyro's settings "
          f"{result['nuts_ratio_same_settings']:.2f}x")  # fmt: skip
    print("settings that differ: " + "; ".join(DIFFERENCES))


if __name__ == "__main__":
    main()
