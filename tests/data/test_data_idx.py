"""IDX reading and writing: round trips, every header check, and random or mutated bytes."""

import gzip
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jaxscratch.data import DataError, DataFormatError, encode_idx, parse_idx, read_idx, write_idx

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("compress", [False, True])
def test_round_trip_keeps_values_shape_and_dtype(tmp_path, dtype, compress):
    x = (np.arange(2 * 3 * 5) - 7).astype(dtype).reshape(2, 3, 5)
    path = write_idx(tmp_path / ("a.idx.gz" if compress else "a.idx"), x)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype).newbyteorder("=") and back.shape == x.shape
    np.testing.assert_array_equal(back, x)


def test_the_header_is_the_published_layout():
    data = encode_idx(np.zeros((60000, 28, 28), np.uint8)[:3])
    assert data[:4] == bytes([0, 0, 0x08, 3])
    assert struct.unpack(">3I", data[4:16]) == (3, 28, 28)
    assert len(data) == 16 + 3 * 28 * 28


def test_gzip_is_recognised_by_its_bytes_not_its_name(tmp_path):
    x = np.arange(10, dtype=np.uint8)
    (tmp_path / "plain").write_bytes(encode_idx(x, compress=True))
    (tmp_path / "plain.gz").write_bytes(encode_idx(x))
    np.testing.assert_array_equal(read_idx(tmp_path / "plain"), x)
    np.testing.assert_array_equal(read_idx(tmp_path / "plain.gz"), x)


def test_mmap_maps_a_raw_file_without_reading_it(tmp_path):
    x = np.arange(4 * 28 * 28, dtype=np.uint8).reshape(4, 28, 28)
    path = write_idx(tmp_path / "x.idx", x)
    mapped = read_idx(path, mmap=True)
    assert isinstance(mapped, np.memmap) and not mapped.flags.writeable
    np.testing.assert_array_equal(mapped, x)


@pytest.mark.parametrize(
    ("mangle", "needle"),
    [
        (lambda b: b"\x08\x03" + b[2:], "wrong magic number"),
        (lambda b: b[:2] + b"\x07" + b[3:], "wrong magic number"),
        (lambda b: b[:3] + b"\x00" + b[4:], "no dimensions"),
        (lambda b: b[:10], "truncated inside the IDX header"),
        (lambda b: b[:-1], "truncated"),
        (lambda b: b + b"\x00", "longer than its header"),
        (lambda b: b[:4] + struct.pack(">I", 999) + b[8:], "truncated"),
        (lambda b: b[:2], "too short"),
    ],
)
def test_bad_raw_bytes_raise_a_format_error_naming_the_file(tmp_path, mangle, needle):
    path = tmp_path / "bad-images-idx3-ubyte"
    path.write_bytes(mangle(encode_idx(np.ones((3, 4, 4), np.uint8))))
    with pytest.raises(DataFormatError, match=needle) as err:
        read_idx(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    ("mangle", "needle"),
    [
        (lambda b: b[:-12], "corrupt gzip"),
        (lambda b: b[:10] + bytes(x ^ 0x55 for x in b[10:20]) + b[20:], "corrupt gzip|truncated"),
        (lambda b: b[:-8] + b"\0\0\0\0" + b[-4:], "corrupt gzip"),  # CRC
    ],
)
def test_bad_gzip_raises_a_format_error(tmp_path, mangle, needle):
    path = tmp_path / "x.gz"
    path.write_bytes(mangle(encode_idx(np.arange(500, dtype=np.uint8), compress=True)))
    with pytest.raises(DataFormatError, match=needle):
        read_idx(path)


def test_gzip_header_promising_more_than_gzip_can_hold_is_refused_before_allocating():
    head = bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 2**20, 2**10, 2**10)
    with pytest.raises(DataFormatError, match="header/length mismatch"):
        parse_idx(gzip.compress(head))


def test_dimensions_no_array_can_hold_are_refused_even_with_a_zero_among_them():
    head = bytes([0, 0, 0x0E, 5]) + struct.pack(">5I", 5, 0, 2**32 - 1, 2**32 - 1, 2**32 - 1)
    with pytest.raises(DataFormatError, match="fit no array"):
        parse_idx(head)


def test_gzip_shorter_or_longer_than_its_header(tmp_path):
    good = encode_idx(np.ones(100, np.uint8))
    with pytest.raises(DataFormatError, match="truncated"):
        parse_idx(gzip.compress(good[:-1]))
    with pytest.raises(DataFormatError, match="longer than its header"):
        parse_idx(gzip.compress(good + b"\x01"))


def test_a_missing_file_is_a_data_error_naming_it(tmp_path):
    with pytest.raises(DataError, match="nope.idx"):
        read_idx(tmp_path / "nope.idx")


def test_writing_an_unsupported_dtype_is_refused(tmp_path):
    with pytest.raises(DataFormatError, match="cannot store dtype"):
        write_idx(tmp_path / "x.idx", np.ones(3, np.uint16))
    assert not (tmp_path / "x.idx").exists()


# Property-based: whatever the bytes, the reader returns a consistent array or raises
# DataFormatError — never another exception.


def _consistent(data: bytes) -> None:
    try:
        a = parse_idx(data)
    except DataFormatError:
        return
    assert isinstance(a, np.ndarray)
    raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    ndim = raw[3]
    assert a.shape == struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    assert len(raw) == 4 + 4 * ndim + a.nbytes


_VALID = [
    encode_idx(np.arange(24, dtype=np.uint8).reshape(2, 3, 4)),
    encode_idx(np.arange(6, dtype=np.int32).reshape(3, 2)),
    encode_idx(np.linspace(0, 1, 5, dtype=np.float64)),
]
_VALID += [gzip.compress(b, mtime=0) for b in _VALID]

_FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_either_parse_or_raise_the_format_error(data):
    _consistent(data)


@_FUZZ
@given(st.binary(max_size=64))
def test_random_bytes_after_a_valid_magic_either_parse_or_raise(tail):
    _consistent(bytes([0, 0, 0x08, 1 + tail[0] % 3 if tail else 1]) + tail)
    _consistent(gzip.compress(bytes([0, 0, 0x0C, 2]) + tail))


@_FUZZ
@given(
    st.sampled_from(_VALID),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4),
    st.integers(0, 10_000),
    st.binary(max_size=8),
)
def test_mutated_files_either_parse_or_raise_the_format_error(valid, flips, cut, extra):
    data = bytearray(valid)
    for pos, value in flips:
        data[pos % len(data)] = value
    _consistent(bytes(data[: max(0, len(data) - cut % (len(data) + 1))]) + extra)
