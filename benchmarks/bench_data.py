"""Time to first batch of the full 70k set: our warm cache vs NumPy decoding the gzip files.

Both sides end with the same thing in hand: all train + test images and labels as arrays, and the
first batch of 128 images scaled to float32. Ours loads through ``jaxscratch.data.load`` from a
warm cache (memory-mapped ``.npy`` decoded once); the rival decompresses the four gzip files
every time with ``gzip.decompress`` + ``np.frombuffer``. Both concatenate the two parts and
scale one batch.
Each side is warmed up once, then timed ``--repeats`` times; the median is reported.

    python benchmarks/bench_data.py            # a table
    python benchmarks/bench_data.py --json     # {"ours_s": …, "gzip_numpy_s": …, "images": …}

Uses Fashion-MNIST (same format and size as MNIST) from wherever ``load`` finds it — Debian's
dataset-fashion-mnist package installs one — or ``--data-dir DIR``; prints a skip otherwise.
"""

import argparse
import gzip
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from jaxscratch import data
from jaxscratch.data import resolve

BATCH = 128


def first_batch_ours(name: str, data_dir: str | None) -> tuple[int, np.ndarray]:
    ds = data.load(name, data_dir=data_dir)
    x, y = data.pool(ds)  # (70000, 28, 28), (70000,)
    return len(y), data.scale(x[:BATCH])


def first_batch_gzip_numpy(paths: list[Path]) -> tuple[int, np.ndarray]:
    def read(path: Path, offset: int) -> np.ndarray:
        return np.frombuffer(gzip.decompress(path.read_bytes()), np.uint8, offset=offset)

    x_tr, y_tr, x_te, y_te = (read(p, 16 if "images" in p.name else 8) for p in paths)
    x = np.concatenate([x_tr, x_te]).reshape(-1, 28, 28)
    y = np.concatenate([y_tr, y_te]).astype(np.int32)
    return len(y), x[:BATCH].astype(np.float32) / 255.0


def timed(fn, repeats: int) -> tuple[float, tuple]:
    result = fn()  # warm-up: builds our cache; fills the OS page cache for both
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def gzip_paths(name: str, data_dir: str | None) -> list[Path] | None:
    if data_dir:
        paths = resolve.standard_files(Path(data_dir))
    else:
        found = resolve.find(data.spec(name))
        paths = list(found.paths) if found else [None]
    return paths if all(p is not None and p.suffix == ".gz" for p in paths) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="fashion-mnist")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    paths = gzip_paths(args.dataset, args.data_dir)
    if paths is None:
        reason = (
            f"{args.dataset}: no local gzip copy (install dataset-fashion-mnist or --data-dir)"
        )
        print(json.dumps({"ours_s": None, "gzip_numpy_s": None, "images": 0, "skipped": reason}))
        return
    with tempfile.TemporaryDirectory() as cache:
        os.environ["JAXSCRATCH_CACHE"] = cache  # a fresh cache, warmed by the first call
        ours, (n, batch_ours) = timed(
            lambda: first_batch_ours(args.dataset, args.data_dir), args.repeats
        )
        rival, (n_rival, batch_rival) = timed(lambda: first_batch_gzip_numpy(paths), args.repeats)
    assert n == n_rival and np.array_equal(batch_ours, batch_rival), "the two sides disagree"
    result = {
        "ours_s": round(ours, 5),
        "gzip_numpy_s": round(rival, 5),
        "images": n,
        "speedup": round(rival / ours, 1),
        "dataset": args.dataset,
        "files": str(paths[0].parent),
        "repeats": args.repeats,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, NumPy {np.__version__}",
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{n:,} images of {args.dataset} from {result['files']}, median of {args.repeats}:")
    print(f"  jaxscratch warm cache (mmap .npy)  {ours * 1e3:8.1f} ms")
    print(f"  gzip + np.frombuffer every time    {rival * 1e3:8.1f} ms")
    print(f"  speed-up                           {rival / ours:8.1f} x")


if __name__ == "__main__":
    main()
