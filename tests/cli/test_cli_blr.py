"""The ``jaxscratch blr`` commands: files written, JSON, the animation, one-line errors."""

import json

import jax
import numpy as np
import pytest
from PIL import Image

FAST = ("--max-degree", "2", "--draws", "2")


def test_fit_with_nuts_writes_summary_and_figures(cli, tmp_path):
    out = tmp_path / "run"
    code, stdout, err = cli("blr", "fit", "--truth", "linear", "--n", "100", "--noise", "0.3",
                            "--basis", "linear", "--sampler", "nuts", "--seed", "0",
                            "--out", out, "--json", *FAST)  # fmt: skip
    assert code == 0, err
    summary = json.loads(stdout)
    assert summary == json.loads((out / "summary.json").read_text())
    for name in ("fit.png", "traces.png", "evidence.png", "draws.npz"):
        assert (out / name).stat().st_size > 1000
    m = summary["mcmc"]
    assert m["names"] == ["w0", "w1", "log_alpha", "log_beta"] and m["max_rhat"] < 1.01
    assert m["divergent"] == 0 and m["min_ess"] > 400
    assert set(summary) >= {"alpha", "beta", "log_evidence", "exact", "evidence_by_degree"}
    assert np.asarray(np.load(out / "draws.npz")["draws"]).shape == (4, 1000, 4)


def test_fit_from_csv_with_rbf_prints_a_table(cli, tmp_path):
    csv = tmp_path / "d.csv"
    x = np.linspace(-1, 1, 40)
    csv.write_text("x,y\n" + "".join(f"{a},{np.sin(3 * a) + 0.1 * np.cos(7 * a)}\n" for a in x))
    code, stdout, err = cli("blr", "fit", "--csv", csv, "--basis", "rbf", "--centres", "5",
                            "--sampler", "none", "--out", tmp_path / "r", *FAST)  # fmt: skip
    assert code == 0, err
    assert "posterior of the weights" in stdout and "rbf@+1.00" in stdout
    assert (tmp_path / "r" / "fit.png").exists()


def test_fit_without_sampler_and_fixed_precisions(cli, tmp_path):
    code, stdout, _ = cli("blr", "fit", "--sampler", "none", "--alpha", "2", "--beta", "25",
                          "--gap", "-0.2,0.4", "--max-degree", "0", "--out", tmp_path / "r",
                          "--json")  # fmt: skip
    assert code == 0
    summary = json.loads(stdout)
    assert summary["hyperparameters"] == "fixed" and summary["mcmc"] is None
    assert summary["alpha"] == 2.0 and summary["evidence_by_degree"] is None
    assert not (tmp_path / "r" / "traces.png").exists()


def test_sequential_writes_an_animated_gif(cli, tmp_path):
    gif = tmp_path / "anim.gif"
    code, stdout, _ = cli("blr", "sequential", "--out", gif, "--n", "5", "--frames", "0 1 5")
    assert code == 0 and "3 frames" in stdout
    with Image.open(gif) as im:
        assert im.format == "GIF" and im.n_frames == 3


def test_too_many_divergences_are_reported_in_one_line(cli, tmp_path):
    out = tmp_path / "r"
    code, _, err = cli("blr", "fit", "--target-accept", "0.05", "--out", out, *FAST)
    assert code == 2
    assert "divergent transitions" in err and len(err.strip().splitlines()) == 1
    assert (out / "summary.json").exists()  # results kept for inspection


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["--basis", "poly", "--degree", "60", "--alpha", "1e-12", "--beta", "1e4"],
      "numerically singular"),
     (["--alpha", "0", "--beta", "1"], "alpha (prior precision) must be finite and > 0"),
     (["--alpha", "1", "--beta", "-1"], "beta (noise precision) must be finite and > 0"),
     (["--alpha", "1"], "give both --alpha and --beta"),
     (["--n", "1"], "at least 2 points"),
     (["--basis", "rbf", "--width", "0"], "width must be finite and > 0"),
     (["--sampler", "hmc"], "unknown sampler"),
     (["--truth", "cubic"], "unknown truth"),
     (["--gap", "1 2 3"], "--gap"),
     (["--target-accept", "1.5"], "target acceptance"),
     (["--max-divergence-rate", "2"], "--max-divergence-rate"),
     (["--sampler", "nuts", "--chains", "1"], "at least 2 chains"),
     (["--dtype", "float16"], "unknown dtype")],
)  # fmt: skip
def test_bad_fit_input_is_one_line_exit_2(cli, tmp_path, args, needle):
    out = tmp_path / "never"
    code, _, err = cli("blr", "fit", "--sampler", "none", "--max-degree", "0", "--out", out,
                       *args)  # fmt: skip
    assert code == 2, err
    assert needle in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "needle"),
    [("x,y\n0,1\n1,nan\n", "NaN or inf"), ("x,y\n1,1\n1,2\n1,3\n", "all training x equal")],
)
def test_bad_csv_is_one_line_exit_2(cli, tmp_path, text, needle):
    csv = tmp_path / "d.csv"
    csv.write_text(text)
    code, _, err = cli("blr", "fit", "--csv", csv, "--basis", "rbf", "--sampler", "none",
                       "--max-degree", "0", "--out", tmp_path / "r")  # fmt: skip
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_sequential_bad_input(cli, tmp_path):
    code, _, err = cli("blr", "sequential", "--out", tmp_path / "a.png")
    assert code == 2 and "must end in .gif" in err
    code, _, err = cli("blr", "sequential", "--out", tmp_path / "a.gif", "--n", "3",
                       "--frames", "0 9")  # fmt: skip
    assert code == 2 and "frame counts must lie in 0..3" in err


def test_fit_leaves_64_bit_mode_off(cli, tmp_path):
    assert not jax.config.jax_enable_x64
    code, stdout, _ = cli("blr", "fit", "--sampler", "none", "--max-degree", "0", "--out",
                          tmp_path, "--json")  # fmt: skip
    assert code == 0 and not jax.config.jax_enable_x64
    assert json.loads(stdout)["condition_number"] > 1.0  # the fit ran (in float64, the default)
