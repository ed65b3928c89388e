"""The ``jaxscratch mvn sample`` command: output, files, and one-line errors."""

import json

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
