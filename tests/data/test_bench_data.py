"""The data benchmark script runs on any local gzip set and skips cleanly without one."""

import json
import subprocess
import sys
from pathlib import Path

from data_helpers import write_set

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_data.py"


def _run(*args: str) -> dict:
    done = subprocess.run([sys.executable, SCRIPT, *args, "--json"], capture_output=True,
                          text=True, check=True, timeout=300)  # fmt: skip
    return json.loads(done.stdout)


def test_prints_the_promised_json_keys(tmp_path):
    write_set(tmp_path / "d")
    result = _run("--data-dir", str(tmp_path / "d"), "--repeats", "1")
    assert result["images"] == 80
    assert result["ours_s"] > 0 and result["gzip_numpy_s"] > 0


def test_skips_with_a_reason_when_no_gzip_copy_is_at_hand(tmp_path):
    write_set(tmp_path / "d", compress=False)
    result = _run("--data-dir", str(tmp_path / "d"))
    assert result["ours_s"] is None and "no local gzip copy" in result["skipped"]
