"""``jaxscratch demo``: writes the report, reuses finished parts, rejects unknown parts."""

import numpy as np


def test_quick_demo_writes_report_and_resumes(cli, tmp_path):
    out = tmp_path / "demo"
    code, out_text, _ = cli("demo", "--quick", "--part", "mvn", "--out", out)
    assert code == 0 and "report.html" in out_text
    page = (out / "report.html").read_text()
    assert "Sampling a multivariate normal" in page and "data:image/png;base64," in page
    assert "report size:" in out_text and "live-mvn-pathfig" in page  # the live panel, inlined
    assert (out / "mvn" / "running.npz").is_file()
    stamp = (out / "mvn" / "section.json").stat().st_mtime_ns
    code, _, err = cli("demo", "--quick", "--part", "mvn", "--out", out)
    assert code == 0 and "reusing" in err
    assert (out / "mvn" / "section.json").stat().st_mtime_ns == stamp
    code, _, _ = cli("demo", "--quick", "--part", "mvn", "--out", out, "--fresh")
    assert code == 0 and (out / "mvn" / "section.json").stat().st_mtime_ns != stamp


def test_unknown_part_is_one_line_error(cli, tmp_path):
    code, _, err = cli("demo", "--part", "nope", "--out", tmp_path)
    assert code == 2 and "unknown demo part 'nope'" in err and len(err.strip().splitlines()) == 1


def test_bivariate_part_writes_figures_and_animation(cli, tmp_path):
    code, _, _ = cli("demo", "--quick", "--part", "bivariate", "--out", tmp_path)
    assert code == 0
    for name in ("classic.png", "flat.png", "sweep_rho.gif", "base_normals.npy"):
        assert (tmp_path / "bivariate" / name).stat().st_size > 1000
    page = (tmp_path / "report.html").read_text()
    assert "data:image/gif;base64," in page and "k-sigma ellipse" in page
    assert "live-bv-main" in page


def test_blr_part_writes_fit_diagnostics_and_animation(cli, tmp_path):
    code, _, _ = cli("demo", "--quick", "--part", "blr", "--out", tmp_path)
    assert code == 0
    for name in ("fit.png", "traces.png", "evidence.png", "sequential.gif", "summary.json"):
        assert (tmp_path / "blr" / name).stat().st_size > 500
    with np.load(tmp_path / "blr" / "data.npz") as f:  # the live panel's points
        assert f["x"].shape == f["y"].shape == (100,)
    page = (tmp_path / "report.html").read_text()
    assert "epistemic band" in page and "predictive band" in page and "R-hat" in page


def test_report_keeps_parts_finished_by_earlier_runs(cli, tmp_path):
    assert cli("demo", "--quick", "--part", "mvn", "--out", tmp_path)[0] == 0
    assert cli("demo", "--quick", "--part", "bivariate", "--out", tmp_path)[0] == 0
    page = (tmp_path / "report.html").read_text()
    assert page.index("The bivariate normal") < page.index("Sampling a multivariate normal")


def test_mnist_part_quick_uses_digits_and_writes_run_and_sweep(cli, tmp_path):
    code, _, err = cli("demo", "--quick", "--part", "mnist", "--out", tmp_path)
    assert code == 0, err
    assert "using digits: quick mode" in err
    run, swept = tmp_path / "mnist" / "run", tmp_path / "mnist" / "sweep"
    for name in ("curves.png", "confusion.png", "reliability.png", "checkpoint.npz"):
        assert (run / name).stat().st_size > 1000
    assert (swept / "heatmap.png").stat().st_size > 1000
    assert not (swept / "final").exists()  # the test part is read once, by the run
    page = (tmp_path / "report.html").read_text()
    assert "Width search" in page and "loss vs iterations" in page.lower()
    assert "jaxscratch mnist sweep --dataset digits --h1 16 64 --h2 32" in page
    assert page.count("data:image/png;base64,") >= 4
