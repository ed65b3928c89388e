"""Errors that used to exit 1 or blame the wrong thing: each now names its real cause and
exits 2 (no "Aborted.", no "singular" for a scale problem, no "alpha" for bad data)."""

import numpy as np
import pytest
from failure_helpers import assert_refused, tree


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_an_empty_npy_is_a_read_error_not_an_abort(cli, here):
    (here / "cov.npy").write_bytes(b"")
    line = assert_refused(cli("mvn", "sample", "--cov", "cov.npy", "--n", "10"), "cov.npy")
    assert "Aborted" not in line
    assert "no data" in line.lower() or "empty" in line.lower()


@pytest.mark.parametrize(
    "diag, dtype, named",
    [
        (1e308, "float64", "1e+308"),  # was "singular; pass --allow-singular"
        (1e-300, "float64", "1e-300"),  # was z = +inf, "NOT consistent"
        (1e-30, "float32", "1e-30"),
    ],
)
def test_a_covariance_out_of_scale_is_named_not_called_singular(cli, here, diag, dtype, named):
    np.save(here / "cov.npy", np.diag([diag, diag]))
    args = ("mvn", "sample", "--cov", "cov.npy", "--mean", "0 0", "--dtype", dtype, "--n", "1000")
    for extra in ((), ("--allow-singular",)):  # with it, it used to write identical rows
        line = assert_refused(cli(*args, *extra, "--out", "x.npy"), named)
        assert "singular" not in line and "rescale" in line
    assert not (here / "x.npy").exists()


@pytest.mark.parametrize("kappa, named", [("1e30", "1e+30"), ("inf", "inf"), ("0.5", "0.5")])
def test_a_condition_number_out_of_range_is_named(cli, here, kappa, named):
    line = assert_refused(cli("mvn", "sample", "--condition-number", kappa, "--n", "10"), named)
    assert "condition_number" in line and "NaN" not in line


@pytest.mark.parametrize(
    "rows, named",
    [
        ("x,y\n1,2\n1e308,3\n2,5\n", "1e+308"),
        ("x,y\n1,2\n1,2\n1,2\n", "fix both alpha and beta"),  # duplicate rows
        ("x,y\n1,1\n2,2\n1,1\n2,2\n", "no noise to measure"),  # on a line, repeated
    ],
)
def test_bad_csv_data_is_named_not_blamed_on_alpha(cli, here, rows, named):
    (here / "d.csv").write_text(rows)
    before = tree(here)
    line = assert_refused(cli("blr", "fit", "--csv", "d.csv", "--out", "r"), named)
    assert "got nan" not in line and "must be finite" not in line  # no alpha was given
    assert tree(here) == before


def test_a_folder_as_csv_is_called_a_folder(cli, here):
    (here / "d.csv").mkdir()
    line = assert_refused(cli("blr", "fit", "--csv", "d.csv", "--out", "r"), "d.csv")
    assert "folder" in line and "does not exist" not in line


def test_missing_devices_are_blamed_not_the_batch(cli, here):
    line = assert_refused(cli("mnist", "sweep", "--devices", "3", "--out", "s"), "--devices 3")
    assert "batch" not in line and tree(here) == {}


@pytest.mark.parametrize("frames", ["0 1e30", "0 -1", "0 2.5", "0 21"])
def test_frames_out_of_range_are_echoed_as_given(cli, here, frames):
    line = assert_refused(cli("blr", "sequential", "--frames", frames, "--out", "s.gif"), frames)
    assert "-9223372036854775808" not in line and tree(here) == {}
