"""Serve the explorer page: one tab per part, on 127.0.0.1 unless told otherwise."""

import errno
import inspect
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import panel as pn
from tornado.routing import Matcher, Rule
from tornado.web import RequestHandler

from jaxscratch.app import bivariate, blr, mnist, mvn
from jaxscratch.errors import JaxscratchError

# (tab title, factory returning a Panel viewable); each part adds one line here. A factory
# receives the explorer options it names as parameters (e.g. ``run``).
TABS: list[tuple[str, Callable[[], pn.viewable.Viewable]]] = [
    ("Bivariate normal", bivariate.tab),
    ("MVN sampler", mvn.tab),
    ("Bayesian regression", blr.tab),
    ("MNIST", mnist.tab),
]
LOOPBACK = ("127.0.0.1", "localhost", "::1")
TITLE = "jaxscratch explorer"


def build(**options) -> pn.Tabs:
    """A fresh page (one per browser session): the tabs of every part."""

    def make(factory: Callable[..., pn.viewable.Viewable]) -> pn.viewable.Viewable:
        wanted = inspect.signature(factory).parameters
        return factory(**{k: v for k, v in options.items() if k in wanted})

    return pn.Tabs(
        *((title, make(factory)) for title, factory in TABS),
        dynamic=False,
        sizing_mode="stretch_width",
    )


def check_run(run: Path | None) -> Path | None:
    """A given ``--run`` must be a run directory (one holding config.json)."""
    if run is not None and not (Path(run) / "config.json").is_file():
        raise JaxscratchError(
            f"--run {run} is not a training run directory (no config.json); give the --out of "
            "`jaxscratch mnist train`, or leave --run out to use the newest runs/demo/mnist*"
        )
    return run


def check_port(host: str, port: int) -> int:
    """The port to serve on (a free one for port 0), or an error naming a port in use."""
    if not 0 <= port <= 65535:
        raise JaxscratchError(
            f"--port {port} is out of range; give 1-65535 (or 0 for any free port)"
        )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise JaxscratchError(
                    f"port {port} on {host} is already in use; choose another with --port "
                    f"(e.g. --port {port + 1}) or stop what is using it"
                ) from None
            raise JaxscratchError(
                f"cannot listen on {host}:{port} ({err.strerror}); check --host"
            ) from None
        return probe.getsockname()[1]


def allowed_hosts(host: str, port: int) -> list[str]:
    """The ``Host`` (and websocket ``Origin``) values the explorer answers: the loopback names
    with the bound port, and ``--host`` itself. Any other name is a page served to a site the
    user did not ask for (DNS rebinding), so it is refused."""
    names = ["127.0.0.1", "localhost", "[::1]"]
    named = f"[{host}]" if ":" in host else host
    return [f"{h}:{port}" for h in (*names, *([named] if named not in names else []))]


class _ForeignHost(Matcher):
    """Matches a request whose ``Host`` header is not one of ``allowed`` (case-insensitive)."""

    def __init__(self, allowed: list[str]) -> None:
        self.allowed = {h.lower() for h in allowed}

    def match(self, request):
        return None if request.host.lower() in self.allowed else {}


class _Refuse(RequestHandler):
    def prepare(self) -> None:
        self.set_status(403)
        self.finish("403: unknown Host; open the explorer at http://127.0.0.1:<port>/\n")


def refuse_foreign_hosts(application, allowed: list[str]) -> None:
    """Put a rule before every route of the tornado ``application``: a request for another
    ``Host`` (page, static file or websocket) gets 403 and no session token."""
    router = application.default_router
    router.rules.insert(0, router.process_rule(Rule(_ForeignHost(allowed), _Refuse)))


def serve(
    host: str = "127.0.0.1", port: int = 5006, open_browser: bool = True, run: Path | None = None
) -> None:
    """Serve the explorer until interrupted; prints the address on stdout."""
    check_run(run)
    if host not in LOOPBACK:
        print(
            f"warning: serving on {host} makes the explorer (and this Python process) reachable "
            "from other machines; keep the default 127.0.0.1 unless you mean it",
            file=sys.stderr,
        )
    port = check_port(host, port)
    hosts = allowed_hosts(host, port)
    # bokeh's origin list cannot spell an IPv6 literal: a page opened at [::1] gets no websocket
    origins = [h for h in hosts if not h.startswith("[")]
    build(run=run)  # compiles the jitted math before the first visitor waits for it
    server = pn.serve(
        {"/": lambda: build(run=run)},
        address=host,
        port=port,
        websocket_origin=origins,
        show=False,
        start=False,
        title=TITLE,
        threaded=False,
        verbose=False,
    )
    refuse_foreign_hosts(server._tornado, hosts)  # (bokeh keeps its tornado app private)
    server.start()
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    print(f"serving the {TITLE} at {url} (Ctrl-C to stop)", flush=True)
    if open_browser:
        server.io_loop.add_callback(server.show, "/")
    server.io_loop.start()
