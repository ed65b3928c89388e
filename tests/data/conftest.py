"""Fixtures for the data tests: an isolated cache, a registry entry for a tiny set, and an HTTP
server on 127.0.0.1 that misbehaves on request."""

import http.server
import threading

import pytest
from data_helpers import ENV, published, spec_for, tiny_arrays

from jaxscratch.data import registry


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
