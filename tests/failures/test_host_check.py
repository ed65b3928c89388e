"""The explorer answers only Host 127.0.0.1, localhost and [::1] with its port (plus --host):
a page for another name (DNS rebinding) gets 403 and no session token, and a websocket from
another Origin is refused. Against a real server on loopback, started and stopped here."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jaxscratch.app import server as explorer

SRC = Path(__file__).resolve().parents[2] / "src"
# the real serve() with one tiny tab (the math tabs are tested elsewhere); it exits by itself
# after five minutes should the test not stop it
SCRIPT = """
import os, threading
import panel as pn
from jaxscratch.app import server
threading.Timer(300, lambda: os._exit(3)).start()
server.TABS[:] = [("hello", lambda: pn.pane.Markdown("hello"))]
server.serve(host="127.0.0.1", port=0, open_browser=False)
"""


pytestmark = pytest.mark.slow  # one server for the module: ~15 s to import and start


@pytest.fixture(scope="module")
def port():
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)  # fmt: skip
    try:
        deadline = time.monotonic() + 200
        line = ""
        while time.monotonic() < deadline and "serving" not in line:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
        found = re.search(r"127\.0\.0\.1:(\d+)/", line)
        if found is None:
            pytest.fail(f"the explorer did not start: {line!r}")
        yield int(found.group(1))
    finally:
        proc.kill()
        proc.wait(timeout=10)


def _get(port: int, path: str = "/", **headers: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _upgrade(port: int, host: str, origin: str) -> int:
    """The status of a websocket handshake for ``/ws`` with these headers (raw socket: a 101
    leaves the connection open)."""
    request = (
        f"GET /ws HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(request.encode())
        status_line = conn.makefile("rb").readline().decode()
    return int(status_line.split()[1])


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LOCALHOST"])
def test_loopback_names_with_the_port_get_the_page(port, name):
    status, body = _get(port, Host=f"{name}:{port}")
    assert status == 200 and "bokeh" in body.lower()


@pytest.mark.parametrize(
    "host",
    [
        "evil.example.com:{port}",
        "evil.example.com",
        "127.0.0.1.evil.example.com:{port}",
        "127.0.0.1:{other}",
        "192.168.1.20:{port}",
    ],  # fmt: skip
)
def test_a_foreign_host_gets_403_and_no_session_token(port, host):
    status, body = _get(port, Host=host.format(port=port, other=port + 1))
    assert status == 403
    assert "token" not in body.lower() and "session" not in body.lower()


def test_a_foreign_host_gets_no_static_file_either(port):
    assert _get(port, "/static/js/bokeh.min.js", Host=f"evil.example.com:{port}")[0] == 403


@pytest.mark.parametrize(
    "host, origin",
    [
        ("evil.example.com:{port}", "http://evil.example.com:{port}"),  # the rebinding attack
        ("127.0.0.1:{port}", "http://evil.example.com:{port}"),
        ("127.0.0.1:{port}", "http://127.0.0.1:{other}"),
    ],
)
def test_a_websocket_from_a_foreign_origin_is_refused(port, host, origin):
    fill = {"port": port, "other": port + 1}
    assert _upgrade(port, host.format(**fill), origin.format(**fill)) == 403


def test_a_websocket_from_the_page_itself_is_accepted(port):
    assert _upgrade(port, f"127.0.0.1:{port}", f"http://127.0.0.1:{port}") == 101


def test_allowed_hosts_are_the_loopback_names_and_the_given_host():
    assert explorer.allowed_hosts("127.0.0.1", 8) == ["127.0.0.1:8", "localhost:8", "[::1]:8"]
    assert explorer.allowed_hosts("::1", 8)[-1] == "[::1]:8"
    assert explorer.allowed_hosts("box.lan", 8)[-1] == "box.lan:8"
