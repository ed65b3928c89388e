"""A ``blr fit`` run as ArviZ ``InferenceData``: ``posterior.nc`` for users who want more.

Contract: ``inference_data(report)`` builds the InferenceData of a fit with a sampler
(posterior (chain, draw) per sampled coordinate, sample_stats with what the sampler recorded,
observed_data y with x as constant_data, the priors and the likelihood as attributes);
``write_posterior(report, path)`` writes it as netCDF (h5netcdf engine) atomically and returns
the path, or None when ArviZ is not installed (``MISSING`` says how to get it). ArviZ is an
optional extra; our own R-hat, ESS and HMC diagnostics never depend on it.
"""

import json
from pathlib import Path

import numpy as np

from jaxscratch._io import atomic_path
from jaxscratch.runs.blr_fit import FitReport

MISSING = (
    "posterior.nc not written: ArviZ is not installed; "
    "pip install 'jaxscratch[arviz]' and fit again to get it"
)


def _arviz():
    try:
        import arviz
    except ImportError:
        return None
    return arviz


def inference_data(report: FitReport):
    """The InferenceData of ``report`` (which must have MCMC draws)."""
    az = _arviz()
    if az is None:
        raise ImportError(MISSING)
    draws, names = np.asarray(report.draws, dtype=float), report.mcmc.names  # (C, S, D)
    ch = report.chains
    c, s = draws.shape[:2]
    stats = {
        "diverging": np.asarray(ch.is_divergent, dtype=bool),
        "acceptance_rate": np.asarray(ch.acceptance, dtype=float),
        "step_size": np.broadcast_to(np.asarray(ch.step_size, dtype=float)[:, None], (c, s)),
    }
    if ch.energy is not None:
        stats["energy"] = np.asarray(ch.energy, dtype=float)
        stats["tree_depth"] = np.asarray(ch.tree_depth, dtype=int)
        stats["n_steps"] = np.asarray(ch.n_leapfrog, dtype=int)
    summary = report.summary
    attrs = {
        "created_by": "jaxscratch blr fit",
        "sampler": summary.mcmc.sampler,
        "likelihood": summary.likelihood,
        "basis": summary.basis,
        "priors": json.dumps(summary.to_json()["priors"]),
        "hyperparameters": summary.hyperparameters,
        "alpha": summary.alpha,
        "beta": summary.beta,
    }
    if summary.likelihood != "gaussian":
        attrs["nu"] = "sampled (log_nu in the posterior)" if summary.nu is None else summary.nu
    return az.from_dict(
        posterior={name: draws[:, :, j] for j, name in enumerate(names)},
        sample_stats=stats,
        observed_data={"y": np.asarray(report.data.y, dtype=float)},
        constant_data={"x": np.asarray(report.data.x, dtype=float)},
        dims={"y": ["point"], "x": ["point"]},
        attrs=attrs,
    )


def write_posterior(report: FitReport, path: Path) -> Path | None:
    """Write ``posterior.nc``; None (nothing written) without draws or without ArviZ."""
    if report.draws is None or _arviz() is None:
        return None
    idata = inference_data(report)
    with atomic_path(path) as tmp:
        idata.to_netcdf(str(tmp), engine="h5netcdf")
    return Path(path)
