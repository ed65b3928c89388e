"""Typer's usage errors are one line in the house format ("error: ...") plus the command's
--help, never the boxed usage block (``cli.main`` runs typer with ``standalone_mode=False``)."""

import pytest
from failure_helpers import assert_refused, tree


@pytest.mark.parametrize(
    "args, named",
    [
        (("mvn", "sample", "--n", "abc"), "'--n'"),
        (("mnist", "sweep", "--h1", "-4"), "--h1"),
        (("mnist", "train", "--hidden", "64", "-4.5"), "-4.5"),
        (("bivariate", "plot", "--dpi", "x"), "'--dpi'"),
        (("mvn", "sample", "--nn", "3"), "--nn"),
        (("bivariate", "plott"), "plott"),
        (("blr", "fit", "--mean", "0"), "--mean"),
        (("bivariate", "plot", "--mean", "0"), "--mean"),
    ],
)
def test_a_usage_error_is_one_house_line(cli, tmp_path, monkeypatch, args, named):
    monkeypatch.chdir(tmp_path)
    line = assert_refused(cli(*args), named)
    assert line.startswith("error: ")
    assert "╭" not in line and "Usage:" not in line


def test_the_hint_names_the_command_help(cli):
    line = assert_refused(cli("mvn", "sample", "--n", "abc"))
    assert line.endswith("(see 'jaxscratch mvn sample --help')")


def test_help_still_exits_zero(cli):
    code, out, err = cli("mvn", "sample", "--help")
    assert code == 0 and "--n" in out and not err


def test_no_arguments_still_show_the_help(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("mvn")
    assert code == 2 and "sample" in out + err and "Traceback" not in err
    assert tree(tmp_path) == {}
