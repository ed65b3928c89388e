"""Numbers that used to pass unchecked and crash later (or print NaN) are refused where they
enter: one line naming the value, exit 2, nothing written."""

import os
import struct
import zlib

import numpy as np
import pytest
from failure_helpers import assert_refused, tree


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _png_header(path, width: int, height: int) -> None:
    """A PNG whose header claims width x height (and holds no pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"")
                     + chunk(b"IEND", b""))  # fmt: skip


@pytest.mark.parametrize(
    "args, named",
    [
        (("bivariate", "plot", "--dpi", "0"), "--dpi"),
        (("bivariate", "plot", "--dpi", "-5"), "-5"),
        (("bivariate", "animate", "--dpi", "0", "--out", "a.gif"), "--dpi"),
        (("bivariate", "plot", "--dpi", "100000"), "100000"),  # matplotlib's 2**16 px a side
        (("bivariate", "plot", "--cov", "1e308", "0", "0", "1e308"), "1e+308"),
        (("bivariate", "plot", "--cov", "1e-40", "0", "0", "1"), "1e-40"),
        (("bivariate", "plot", "--sx", "1e20"), "sx = 1e+20"),
        (("bivariate", "plot", "--n", "1", "--json"), "--n"),
        (("blr", "sequential", "--noise", "1e-200", "--out", "s.gif"), "1e-200"),
        (("blr", "sequential", "--noise", "1e200", "--out", "s.gif"), "1e+200"),
    ],
)
def test_an_unusable_number_is_named(cli, here, args, named):
    code, out, err = cli(*args)
    assert_refused((code, out, err), named)
    assert "NaN" not in out and tree(here) == {}


def test_a_picture_claiming_ten_billion_pixels_is_refused(cli, here):
    _png_header(here / "bomb.png", 100_000, 100_000)
    (here / "run").mkdir()
    before = tree(here)
    line = assert_refused(cli("mnist", "predict", "run", "bomb.png"), "bomb.png")
    assert "pixels" in line and tree(here) == before


def test_a_fifo_as_the_picture_is_refused_without_blocking(cli, here):
    os.mkfifo(here / "digit.png")  # reading it would block for ever: nobody writes
    (here / "run").mkdir()
    line = assert_refused(cli("mnist", "predict", "run", "digit.png"), "digit.png")
    assert "not a regular file" in line


def test_a_folder_as_the_picture_is_refused(cli, here):
    (here / "digit.png").mkdir()
    (here / "run").mkdir()
    assert_refused(cli("mnist", "predict", "run", "digit.png"), "digit.png")


def test_float32_reading_of_a_huge_covariance_suggests_float64(cli, here):
    np.save(here / "big.npy", np.diag([1e308, 1e308]))
    line = assert_refused(cli("mvn", "sample", "--cov", "big.npy", "--n", "100"), "--cov")
    assert "--dtype float64" in line
