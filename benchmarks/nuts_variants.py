"""NUTS min-ESS/s of variants of our sampler against NumPyro's defaults, in one run.

The bench's NUTS part (``bench_blr``: the same reference model, log density, starts and
ESS estimator, NumPyro with its default settings, the sides taking turns run by run) with
other settings on our side only. Each line says which of our settings differ from NumPyro's;
a variant is only a fair default if it is what ``blr fit`` runs.

    python benchmarks/nuts_variants.py [--repeats 5] [--only same,seeded]
"""

import argparse
import json
import os
import sys
from pathlib import Path

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import bench_blr  # noqa: E402

from jaxscratch import blr  # noqa: E402
from jaxscratch.blr import mcmc  # noqa: E402

VARIANTS = {  # name -> (what differs from NumPyro's side, nuts keywords, chains)
    "same": ("nothing (identity start, as NumPyro)", {}, bench_blr.CHAINS),
    "seeded": ("warm-up starts from mcmc.initial_inverse_mass (the blr fit default)",
               {"seed": True}, bench_blr.CHAINS),
    "seeded-dense": ("seeded, dense mass matrix", {"seed": True, "dense_mass": True},
                     bench_blr.CHAINS),
    "seeded-accept-0.65": ("seeded, target acceptance 0.65 (NumPyro 0.8)",
                           {"seed": True, "target_accept": 0.65}, bench_blr.CHAINS),
    "seeded-warmup-250": ("seeded, 250 warm-up steps (NumPyro 500)",
                          {"seed": True, "n_warmup": 250}, bench_blr.CHAINS),
    "seeded-8-chains": ("seeded, 8 vmapped chains (NumPyro 4)", {"seed": True}, 8),
}  # fmt: skip


def _starts(s, n_chains: int):
    eb = blr.mackay(s)
    post = blr.exact_posterior(s, eb.alpha, eb.beta)
    sd = jnp.sqrt(jnp.diag(blr.covariance(post)))
    zero = jnp.zeros((), jnp.float64)
    return mcmc.init_positions(
        jax.random.key(1),
        mcmc.Position(post.mean, jnp.log(eb.alpha), jnp.log(eb.beta)),
        mcmc.Position(sd, zero + 0.5, zero + 0.1),
        n_chains,
    )


def _ours(s, logdensity, options: dict, n_chains: int):
    options = dict(options)
    seed = options.pop("seed", False)
    kwargs = {"n_warmup": bench_blr.WARMUP, "n_samples": bench_blr.SAMPLES, **options}
    init = _starts(s, n_chains)

    def run(key):
        if seed:  # inside the timed run, as in the bench
            eb = blr.mackay(s)
            kwargs["inverse_mass"] = mcmc.initial_inverse_mass(s, eb.alpha, eb.beta)
        chains = mcmc.nuts(key, logdensity, init, **kwargs)
        return mcmc.flatten_draws(chains.positions), chains.is_divergent

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", default=",".join(VARIANTS), help="comma-separated variants")
    args = parser.parse_args()
    s, init = bench_blr._reference()
    logdensity = mcmc.joint_logdensity(s)
    numpyro_run = bench_blr._numpyro_nuts(logdensity)
    init_np = {"w": init.w, "log_alpha": init.log_alpha, "log_beta": init.log_beta}
    runs = {"numpyro": lambda key: numpyro_run(jax.random.split(key, bench_blr.CHAINS), init_np)}
    names = args.only.split(",")
    for name in names:
        _, options, n_chains = VARIANTS[name]
        runs[name] = _ours(s, logdensity, options, n_chains)
    res = bench_blr._timed_runs(runs, args.repeats)
    n_s, n_rate, *_ = res["numpyro"]
    rows = []
    for name in names:
        sec, rate, rhat, ess, div = res[name]
        rows.append({
            "variant": name, "differs": VARIANTS[name][0], "ours_s": sec, "numpyro_s": n_s,
            "ours_min_ess": ess, "numpyro_min_ess": res["numpyro"][3], "ours_max_rhat": rhat,
            "ours_divergent": div, "ratio": rate / n_rate,
        })  # fmt: skip
    print(json.dumps({"rows": rows, "load_average_1min": os.getloadavg()[0]}, indent=2))


if __name__ == "__main__":
    main()
