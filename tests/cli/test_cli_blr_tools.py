"""``blr fit`` HMC diagnostics, posterior.nc (ArviZ), Student-t, ``blr data``, ``blr lab``.

The NUTS fit uses the CLI defaults, so it reuses the sampler compiled by test_cli_blr.py.
"""

import json

import jax
import numpy as np
import pytest

from jaxscratch import blr
from jaxscratch.blr import basis, posterior

FAST = ("--max-degree", "2", "--draws", "2", "--no-progress")


def test_fit_writes_hmc_diagnostics_and_an_arviz_file_that_agrees_with_ours(cli, tmp_path):
    az = pytest.importorskip("arviz")
    out = tmp_path / "run"
    code, stdout, err = cli("blr", "fit", "--out", out, "--json", *FAST)
    assert code == 0, err
    s = json.loads(stdout)
    hmc = s["mcmc"]["hmc"]
    assert len(hmc["e_bfmi"]) == 4 and min(hmc["e_bfmi"]) > 0.3 and hmc["divergent"] == [0] * 4
    assert s["mcmc"]["warnings"] == [] and hmc["max_tree_depth"] == 10
    for name in ("diagnostics.png", "prior.png", "posterior.nc"):
        assert (out / name).stat().st_size > 1000
    idata = az.from_netcdf(out / "posterior.nc")
    assert set(idata.posterior.data_vars) == set(s["mcmc"]["names"])
    assert idata.posterior["w0"].shape == (4, 1000)
    stats = idata.sample_stats
    assert {"diverging", "energy", "tree_depth", "acceptance_rate", "step_size"} <= set(stats)
    assert json.loads(idata.attrs["priors"])["alpha"].startswith("Gamma")  # file-level attributes
    np.testing.assert_allclose(idata.observed_data["y"].size, s["n"])
    summ = az.summary(idata)
    # R-hat: both are 1 + O(1/S) for mixed chains, S = 1000 draws per chain
    np.testing.assert_allclose(summ["r_hat"], s["mcmc"]["rhat"], atol=0.01)
    # ESS: ArviZ's bulk ESS (rank-normalised, split chains) and ours (blackjax) estimate the
    # same number; each has a relative sd of about sqrt(2 (2 L + 1) / N) (Sokal 1989) with a
    # window L <~ 10 lags of N = 4000 draws, ~0.1, so 30 % is three sds of their difference
    np.testing.assert_allclose(summ["ess_bulk"], s["mcmc"]["ess"], rtol=0.3)


@pytest.mark.slow
def test_student_t_with_large_nu_approaches_the_exact_gaussian_posterior(cli, tmp_path):
    out = tmp_path / "t"
    code, stdout, err = cli("blr", "fit", "--likelihood", "student-t", "--nu", "10000",
                            "--out", out, "--json", *FAST)  # fmt: skip
    assert code == 0, err
    s = json.loads(stdout)
    assert s["likelihood"] == {"kind": "student-t", "nu": 10000.0, "nu_prior": None}
    with jax.enable_x64(True):  # the CLI's data for --seed 0 (k_data of split(key(0)))
        k_data, _ = jax.random.split(jax.random.key(0))
        data = blr.make_data(k_data, 100, truth="linear", noise=0.3, dtype=np.float64)
        stats = posterior.stats(basis.design(basis.make_basis("linear", data.x), data.x), data.y)
        exact = blr.joint_moments(stats)
    m = s["mcmc"]
    mcse = np.asarray(m["sd"]) / np.sqrt(m["ess"])
    # nu = 1e4 changes each log-likelihood term by O(r^4 / nu): far below MC error here
    assert np.all(np.abs(np.asarray(m["mean"]) - exact.mean) < 4 * mcse)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("blr", "fit", "--likelihood", "cauchy"), "unknown likelihood 'cauchy'; choose one of"),
        (("blr", "fit", "--likelihood", "student-t", "--nu", "0"), "nu must be a finite number"),
        (("blr", "fit", "--likelihood", "student-t", "--nu", "-2"), "nu must be a finite number"),
        (("blr", "fit", "--outliers", "1.5"), "outlier fraction must lie in [0, 0.5]"),
        (("blr", "fit", "--likelihood", "student-t", "--sampler", "rwm"), "needs --sampler nuts"),
        (("blr", "data", "--outliers", "1.5"), "outlier fraction must lie in [0, 0.5]"),
        (("blr", "lab", "--fault", "nope"), "unknown lab fault 'nope'; choose one of"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, tmp_path, args, needle):
    code, stdout, err = cli(*args, "--out", tmp_path / "x")
    assert code == 2 and needle in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_blr_data_writes_outliers_to_a_csv_that_fit_reads(cli, tmp_path):
    csv = tmp_path / "d.csv"
    code, stdout, err = cli("blr", "data", "--n", "50", "--outliers", "0.1", "--out", csv)
    assert code == 0, err
    assert "50 points (5 outliers)" in stdout
    d = blr.load_csv(csv)
    assert d.x.shape == (50,)
    code, stdout, err = cli("blr", "fit", "--csv", csv, "--sampler", "none", "--out",
                            tmp_path / "r", *FAST)  # fmt: skip
    assert code == 0, err
