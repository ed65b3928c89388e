"""The ``jaxscratch mvn sample`` command: output, files, and one-line errors."""

import json

import jax
import numpy as np
import pytest


def test_json_reports_a_consistent_reconstruction(cli):
    code, out, _ = cli("mvn", "sample", "--dim", "4", "--n", "20000", "--seed", "3", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["dim"] == 4 and result["n"] == 20000
    assert np.asarray(result["cov_hat"]).shape == (4, 4)
    assert result["consistent"] is (result["max_abs_z"] <= result["threshold"])


def test_out_writes_the_samples(cli, tmp_path):
    path = tmp_path / "s.npy"
    code, _, _ = cli("mvn", "sample", "--dim", "3", "--n", "500", "--out", path)
    assert code == 0
    assert np.load(path).shape == (500, 3)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--cov", "1 2; 3 4"], "not symmetric"),
        (["--cov", "1 2; 2 1"], "smallest eigenvalue"),
        (["--cov", "1 2 3"], "square"),
        (["--mean", "0 nan", "--cov", "1 0; 0 1"], "NaN"),
        (["--mean", "0 0 0", "--cov", "1 0; 0 1"], "length 3"),
        (["--dim", "0"], "--dim"),
        (["--n", "0"], "--n"),
        (["--cov", "missing.npy"], "does not exist"),
        (["--method", "ziggurat"], "unknown normal method"),
    ],
)
def test_bad_input_is_one_line_exit_2_nothing_written(cli, tmp_path, args, needle):
    path = tmp_path / "never.npy"
    code, out, err = cli("mvn", "sample", "--n", "100", "--out", path, *args)
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert not path.exists()


def test_mean_and_cov_from_npy_and_csv_files(cli, tmp_path):
    np.save(tmp_path / "m.npy", np.array([1.0, -1.0]))
    np.savetxt(tmp_path / "c.csv", np.array([[2.0, 0.3], [0.3, 1.0]]), delimiter=",")
    code, out, _ = cli("mvn", "sample", "--mean", tmp_path / "m.npy", "--cov", tmp_path / "c.csv",
                       "--n", "50000", "--json")  # fmt: skip
    assert code == 0
    result = json.loads(out)
    assert result["dim"] == 2 and result["mean_true"] == [1.0, -1.0]
    np.testing.assert_allclose(result["cov_true"], [[2.0, 0.3], [0.3, 1.0]], rtol=1e-6)


def test_float64_and_every_method(cli):
    for method in ("box-muller", "polar", "icdf"):
        code, out, _ = cli("mvn", "sample", "--dim", "3", "--n", "5000", "--dtype", "float64",
                           "--method", method, "--json")  # fmt: skip
        assert code == 0 and json.loads(out)["dtype"] == "float64"


def test_float64_leaves_64_bit_mode_off(cli, tmp_path):
    assert not jax.config.jax_enable_x64
    code, out, _ = cli("mvn", "sample", "--dim", "2", "--n", "1000", "--dtype", "float64",
                       "--out", tmp_path / "x.npy", "--json")  # fmt: skip
    assert code == 0 and not jax.config.jax_enable_x64
    assert np.load(tmp_path / "x.npy").dtype == np.float64  # the draws themselves were float64
    assert json.loads(out)["dtype"] == "float64"


def test_table_lists_every_entry_of_a_small_problem(cli):
    code, out, _ = cli("mvn", "sample", "--dim", "2", "--n", "5000")
    assert code == 0
    for label in ("mu[0]", "mu[1]", "S[0,0]", "S[0,1]", "S[1,1]"):
        assert label in out
    assert "standard errors over 5 quantities" in out and "largest |z|" not in out


def test_singular_covariance_needs_allow_singular(cli):
    cov = "1 1; 1 1"
    code, _, err = cli("mvn", "sample", "--cov", cov, "--n", "100")
    assert code == 2 and "--allow-singular" in err
    code, _, _ = cli("mvn", "sample", "--cov", cov, "--n", "100", "--allow-singular", "--json")
    assert code == 0


def test_table_output_names_the_verdict(cli):
    code, out, _ = cli("mvn", "sample", "--dim", "10", "--n", "20000")
    assert code == 0
    assert "covariance (upper triangle)" in out and "standard errors over 65 quantities" in out


def test_help_describes_the_options(cli):
    code, out, _ = cli("mvn", "sample", "--help")
    assert code == 0 and "--method" in out and "--json" in out


@pytest.mark.parametrize(
    ("content", "name", "needle"),
    [("a,b\n1,2\n", "c.csv", "cannot read --cov"), (None, "c.npy", "square")],
)
def test_unreadable_or_wrongly_shaped_file_is_one_line(cli, tmp_path, content, name, needle):
    path = tmp_path / name
    if content is None:
        np.save(path, np.ones((2, 3)))
    else:
        path.write_text(content)
    code, _, err = cli("mvn", "sample", "--cov", path, "--n", "100")
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1
