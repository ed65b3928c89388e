"""IDX files, the format MNIST ships in: read and write, gzip or raw, every header field checked.

Layout (LeCun et al., http://yann.lecun.com/exdb/mnist/): two zero bytes, a type code, the number
of dimensions ``ndim``; then ``ndim`` big-endian uint32 sizes; then the values, big-endian,
row-major. A reader either returns an array whose shape and dtype match its header, or raises
:class:`DataFormatError` naming the file: truncated, over-long, corrupt gzip, bad header alike.
"""

import gzip
import io
import os
import struct
import zlib
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np

from jaxscratch._io import write_bytes
from jaxscratch.data.errors import DataError, DataFormatError

_CODES = {  # type code -> big-endian dtype
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
_MAX_DEFLATE_RATIO = 1032  # deflate cannot expand one byte into more than this (RFC 1951 limit)
_CHUNK = 1 << 20
_MAX_NDIM = 32  # numpy's limit on older versions; MNIST-format files have 1 or 3


class IdxHeader(NamedTuple):
    """What an IDX header promises: element type, shape, and where the values start."""

    dtype: np.dtype  # big-endian, as stored
    shape: tuple[int, ...]
    offset: int  # header length in bytes

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=object)) * self.dtype.itemsize


def _parse_header(read, where: str) -> IdxHeader:
    magic = read(4)
    if len(magic) < 4:
        raise DataFormatError(f"{where}: only {len(magic)} bytes, too short for an IDX header")
    zero, code, ndim = magic[:2], magic[2], magic[3]
    if zero != b"\0\0" or code not in _CODES:
        raise DataFormatError(
            f"{where}: wrong magic number 0x{magic.hex()} (an IDX file starts 0x0000 then a "
            "type code 08/09/0b/0c/0d/0e); is it an MNIST-format file?"
        )
    if ndim == 0:
        raise DataFormatError(f"{where}: the IDX header declares no dimensions")
    if ndim > _MAX_NDIM:
        raise DataFormatError(
            f"{where}: the IDX header declares {ndim} dimensions, more than the {_MAX_NDIM} an "
            "array can have; is it an MNIST-format file?"
        )
    dims = read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise DataFormatError(f"{where}: truncated inside the IDX header ({ndim} dimensions)")
    shape = struct.unpack(f">{ndim}I", dims)
    if int(np.prod([d for d in shape if d], dtype=object)) * _CODES[code].itemsize >= 2**63:
        raise DataFormatError(f"{where}: the IDX header's dimensions {shape} fit no array")
    return IdxHeader(_CODES[code], shape, 4 + 4 * ndim)


def _native(flat: np.ndarray, header: IdxHeader) -> np.ndarray:
    a = flat.view(header.dtype).reshape(header.shape)
    return a if header.dtype.itemsize == 1 else a.astype(header.dtype.newbyteorder("="))


def _read_values(f: IO[bytes], header: IdxHeader, where: str) -> np.ndarray:
    """Read exactly the values the header promises into a fresh buffer, in chunks."""
    nbytes = header.nbytes
    flat = np.empty(nbytes, np.uint8)
    view, n = memoryview(flat), 0
    while n < nbytes:
        k = f.readinto(view[n : n + _CHUNK])
        if not k:
            raise DataFormatError(
                f"{where}: truncated: {n:,} of the {nbytes:,} bytes of values its header "
                f"(shape {header.shape}) promises; download or copy the file again"
            )
        n += k
    if f.read(1):
        raise DataFormatError(
            f"{where}: longer than its header (shape {header.shape}) says; the header or the "
            "data is wrong"
        )
    return _native(flat, header)


def _read(raw: IO[bytes], where: str, size: int, mmap_path: Path | None) -> np.ndarray:
    try:
        if raw.read(2) == _GZIP_MAGIC:
            raw.seek(0)
            with gzip.GzipFile(fileobj=raw, mode="rb") as f:
                header = _parse_header(f.read, where)
                if header.nbytes > size * _MAX_DEFLATE_RATIO:
                    raise DataFormatError(
                        f"{where}: its header (shape {header.shape}) promises more bytes than a "
                        f"{size:,}-byte gzip file can hold (header/length mismatch)"
                    )
                return _read_values(f, header, where)
        raw.seek(0)
        header = _parse_header(raw.read, where)
        expected = header.offset + header.nbytes
        if size != expected:
            kind = "truncated" if size < expected else "longer than its header says"
            raise DataFormatError(
                f"{where}: {kind}: {size:,} bytes where its header (shape {header.shape}) needs "
                f"{expected:,}; download or copy the file again"
            )
        if mmap_path is not None and header.dtype.itemsize == 1 and header.nbytes > 0:
            return np.memmap(mmap_path, header.dtype, "r", header.offset, header.shape)
        return _read_values(raw, header, where)
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise DataFormatError(
            f"{where}: corrupt gzip data ({err}); download or copy the file again"
        ) from None


def read_idx(path: str | os.PathLike, *, mmap: bool = False) -> np.ndarray:
    """Read one IDX file, gzip-compressed (recognised by its bytes, not its name) or raw.

    Args:
      path: the file.
      mmap: memory-map a raw single-byte file instead of reading it (no copy).

    Returns:
      The array in native byte order, shaped as its header says.

    Raises:
      DataFormatError: the bytes are not one complete, consistent IDX file.
      DataError: the file cannot be opened.
    """
    path = Path(path)
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as err:
        raise DataError(f"cannot read {path}: {err.strerror}; check the path") from None
    with raw:
        return _read(raw, str(path), os.fstat(raw.fileno()).st_size, path if mmap else None)


def parse_idx(data: bytes, *, where: str = "<bytes>") -> np.ndarray:
    """Parse IDX bytes held in memory (gzip or raw), with the checks of :func:`read_idx`."""
    return _read(io.BytesIO(data), where, len(data), None)


def encode_idx(array: np.ndarray, *, compress: bool = False) -> bytes:
    """The IDX bytes of ``array`` (uint8, int8, int16, int32, float32 or float64)."""
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in _CODES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise DataFormatError(
            f"IDX cannot store dtype {array.dtype}; convert to uint8, int8, int16, int32, "
            "float32 or float64"
        )
    if array.ndim == 0 or array.ndim > 255 or any(s >= 2**32 for s in array.shape):
        raise DataFormatError(f"IDX cannot store shape {array.shape}; need 1-255 dimensions")
    head = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    body = np.ascontiguousarray(array, dtype=_CODES[code]).tobytes()
    data = head + body
    return gzip.compress(data, compresslevel=6, mtime=0) if compress else data


def write_idx(path: str | os.PathLike, array: np.ndarray, *, compress: bool | None = None) -> Path:
    """Write ``array`` as an IDX file atomically; gzip if ``compress`` (default: name ends .gz)."""
    path = Path(path)
    if compress is None:
        compress = path.suffix == ".gz"
    return write_bytes(path, encode_idx(array, compress=compress))
