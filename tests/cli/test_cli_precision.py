"""``--precision`` on ``mnist train`` and ``mnist sweep``: an unknown value is one line, exit 2."""

import pytest


@pytest.mark.parametrize("command", ["train", "sweep"])
@pytest.mark.parametrize("value", ["fp8", "f16"])
def test_an_unknown_precision_gives_one_line_and_exit_2(cli, tmp_path, command, value):
    out = tmp_path / "out"
    code, _, err = cli("mnist", command, "--dataset", "digits", "--out", out, "--precision", value)
    assert code == 2, err
    assert f"unknown precision '{value}'; choose one of f32, bf16" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()  # refused before any folder or data
