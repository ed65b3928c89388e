"""Joining a multi-process run: the ``--coordinator/--num-processes/--process-id`` flags.

Contract: ``join(coordinator, num_processes, process_id, timeout=..., command=...)`` is the first
thing a command that can span processes does, before anything touches a device. Without the
flags it changes nothing, unless a launcher's environment is there (``srun`` with several tasks,
``mpirun``, ``JAX_COORDINATOR_ADDRESS``), where JAX's own cluster detection fills them in. With
them, the processes first meet on the coordinator's port in a small handshake of our own: process
0 waits up to ``timeout`` seconds for every other process, each says its id, its process count
and a digest of its command, and a missing process, a repeated or out-of-range id, a disagreeing
``--num-processes`` or a different command becomes one ``JaxscratchError`` line (exit 2) on every
process that is there, instead of JAX's C++ abort or a hang. Then ``jax.distributed.initialize``
runs with the same timeout for joining, on CPU with the gloo cross-process collectives
(``jax_cpu_collectives_implementation``).

After the handshake its connections stay open as a side channel (``_Peers``): every process
beats on it each ``BEAT`` seconds and watches it from a daemon thread. A process that dies
later (killed, crashed, or stopped by an error of its own) closes its connection, which its
peers see at once; a host that vanishes falls silent, which they see after ``SILENCE`` seconds.
Either way each survivor prints one line naming the lost process and leaves with exit code 2
(``os._exit``: the collectives it may be blocked in never return), and process 0 passes the
news on to the others. JAX's own heartbeat is set longer (``JAX_HEARTBEAT``) so that its
multi-line fatal log never comes first, and a collective that fails in the main thread (gloo's
``Connection reset by peer``) becomes the same line (``collective_failed``, called by
``cli.main``). A command that ends well says so (``leave``) before its process exits, so a peer
that finished is never taken for a lost one.
"""

import hashlib
import json
import os
import socket
import sys
import threading
import time
from typing import Annotated, NamedTuple

import jax
import typer
from jax.experimental import multihost_utils

from jaxscratch.cli._common import out_console
from jaxscratch.errors import JaxscratchError

TIMEOUT = 120  # seconds to wait for every process to join
BEAT = 1.0  # seconds between two heartbeats on the side channel
SILENCE = 30  # seconds without a word from a peer before it counts as lost (a vanished host)
JAX_HEARTBEAT = 4 * SILENCE  # JAX's own heartbeat timeout: longer, so that ours comes first
LOST = 2  # the exit code of a process that stops because another one was lost
AGAIN_RESUME = "start every process again with --resume to go on from the last checkpoint"
AGAIN_SWEEP = "start every process again with the same command to go on from the pairs recorded"

Coordinator = Annotated[
    str | None,
    typer.Option(help="Multi-process: HOST:PORT of process 0, the same on every process."),
]
NumProcesses = Annotated[int | None, typer.Option(help="Multi-process: how many processes.")]
ProcessId = Annotated[int | None, typer.Option(help="Multi-process: this one, 0 to N-1.")]
JoinTimeout = Annotated[
    int, typer.Option(help="Multi-process: seconds to wait for every process to join.")
]


class Cluster(NamedTuple):
    """Where this process stands in the run."""

    process_id: int
    num_processes: int
    coordinator: str | None  # None when JAX's cluster detection found it


def _launcher() -> bool:
    """Is a multi-process launcher's environment there (what JAX's detection reads)?"""
    env = os.environ
    slurm = int(env.get("SLURM_NTASKS", "1") or 1) > 1 and "SLURM_STEP_ID" in env
    ompi = int(env.get("OMPI_COMM_WORLD_SIZE", "1") or 1) > 1
    return slurm or ompi or "JAX_COORDINATOR_ADDRESS" in env


def _check(coordinator: str, num_processes: int, process_id: int, timeout: int) -> tuple:
    host, _, port = coordinator.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise JaxscratchError(
            f"--coordinator {coordinator!r} is not HOST:PORT; give e.g. 127.0.0.1:23456"
        )
    if num_processes < 1:
        raise JaxscratchError(f"--num-processes must be >= 1, got {num_processes}")
    if not 0 <= process_id < num_processes:
        raise JaxscratchError(
            f"--process-id {process_id} is outside 0..{num_processes - 1} for --num-processes "
            f"{num_processes}; number the processes 0 to {num_processes - 1}"
        )
    if timeout < 1:
        raise JaxscratchError(f"--join-timeout must be >= 1 second, got {timeout}")
    return host.strip("[]"), int(port)


class _Channel:
    """One connection: newline-ended JSON messages, read through a buffer (two messages may
    arrive in one ``recv``), sent under a lock (the watcher and ``leave`` both send)."""

    def __init__(self, sock: socket.socket):
        self.sock, self.buffer, self.lock = sock, b"", threading.Lock()

    def send(self, message: dict) -> None:
        with self.lock:
            self.sock.sendall(json.dumps(message).encode() + b"\n")

    def receive(self, timeout: float) -> dict:
        """The next message; ``TimeoutError`` after ``timeout`` s, ``ConnectionError`` at EOF."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            self.sock.settimeout(max(deadline - time.monotonic(), 0.01))
            part = self.sock.recv(4096)
            if not part:
                raise ConnectionError("closed")
            self.buffer += part
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)


def _host(port: int, num_processes: int, digest: str, timeout: int) -> dict[int, _Channel]:
    """Process 0: wait for processes 1..N-1, check what they say, answer each; the open
    connections (process id -> channel) once all agree."""
    deadline = time.monotonic() + timeout
    peers: dict[int, _Channel] = {}
    problems: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            server.bind(("", port))
        except OSError as err:
            raise JaxscratchError(
                f"process 0 cannot listen on port {port} ({err.strerror}); choose a free port "
                "in --coordinator on every process"
            ) from None
        server.listen(num_processes)
        try:
            while len(peers) < num_processes - 1 and (left := deadline - time.monotonic()) > 0:
                server.settimeout(left)
                try:
                    conn, _ = server.accept()
                    channel = _Channel(conn)
                    said = channel.receive(max(deadline - time.monotonic(), 1.0))
                except (TimeoutError, ConnectionError, ValueError, OSError):
                    continue
                pid, count = int(said.get("id", -1)), int(said.get("n", -1))
                if count != num_processes:
                    problems.append(
                        f"process {pid} was started with --num-processes {count} but process 0 "
                        f"with {num_processes}; give every process the same count"
                    )
                elif pid in peers or not 0 < pid < num_processes:
                    problems.append(f"--process-id {pid} was given to two processes")
                elif said.get("command") != digest:
                    problems.append(
                        f"process {pid} runs a different command from process 0; start every "
                        "process with the same options except --process-id"
                    )
                peers.setdefault(pid, channel)
            missing = sorted(set(range(1, num_processes)) - set(peers))
            if missing and not problems:
                names = ", ".join(map(str, missing))
                problems.append(
                    f"process {names} of {num_processes} did not join the coordinator on port "
                    f"{port} within {timeout} s; start it with the same options and "
                    f"--process-id {missing[0]}, or raise --join-timeout"
                )
            for channel in peers.values():
                try:
                    channel.send({"error": problems[0]} if problems else {"ok": True})
                    if problems:  # the peer closes first, so no TIME_WAIT holds the port here
                        channel.sock.recv(1)
                except OSError:
                    pass
        finally:
            if problems or len(peers) < num_processes - 1:
                for channel in peers.values():
                    channel.sock.close()
    if problems:
        raise JaxscratchError(problems[0])
    return peers


def _guest(host: str, port: int, process_id: int, num_processes: int, digest: str,
           timeout: int) -> _Channel:  # fmt: skip
    """Process 1..N-1: reach process 0 (retrying until the deadline), say who we are; the open
    connection once process 0 agrees."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            channel = _Channel(socket.create_connection((host, port), timeout=2.0))
        except OSError:
            channel = None
        try:
            if channel is None:
                raise ConnectionError("not listening yet")
            channel.send({"id": process_id, "n": num_processes, "command": digest})
            answer = channel.receive(max(deadline - time.monotonic(), 1.0))
            break
        except (ConnectionError, TimeoutError, OSError, ValueError):
            if channel is not None:
                channel.sock.close()
            if time.monotonic() > deadline:
                raise JaxscratchError(
                    f"process 0 (the coordinator {host}:{port}) did not answer process "
                    f"{process_id} within {timeout} s; start process 0, check --coordinator, "
                    "or raise --join-timeout"
                ) from None
            time.sleep(0.2)
    if "error" in answer:
        channel.sock.close()
        raise JaxscratchError(answer["error"])
    return channel


class _Peers:
    """The side channel of a joined process: one watcher thread per open connection (to every
    other process on process 0, to process 0 elsewhere). Each beats every ``BEAT`` s and reads;
    a connection that closes or falls silent for ``SILENCE`` s, before its peer said it was
    done, ends this process with one line (``lose``)."""

    def __init__(self, me: int, n: int, channels: dict[int, _Channel], again: str):
        self.me, self.n, self.channels, self.again = me, n, channels, again
        self.done: set[int] = set()  # peers whose command ended well
        self.left = False  # this process's command ended well
        self.ending = threading.Lock()  # held by whoever prints the last line
        self.lost: int | None = None

    def start(self) -> None:
        for pid, channel in self.channels.items():
            threading.Thread(target=self._watch, args=(pid, channel), daemon=True,
                             name=f"jaxscratch-peer-{pid}").start()  # fmt: skip

    def _watch(self, pid: int, channel: _Channel) -> None:
        heard = beat = time.monotonic()
        while pid not in self.done:
            try:
                if time.monotonic() >= beat:
                    channel.send({"beat": True})
                    beat = time.monotonic() + BEAT
                said = channel.receive(BEAT)
            except TimeoutError:
                if time.monotonic() - heard > SILENCE:
                    self._gone(pid, f"process {self.me} heard nothing from it for {SILENCE} s")
                continue
            except (OSError, ValueError):  # EOF, reset, a broken message
                self._gone(pid, f"its connection to process {self.me} closed")
                return
            heard = time.monotonic()
            if said.get("done"):
                self.done.add(pid)
            elif "lost" in said:  # process 0 lost another process
                self.lose(int(said["lost"]), "process 0 saw it go")

    def _gone(self, pid: int, why: str) -> None:
        if not self.left and pid not in self.done:  # once done, a peer may close and go
            self.lose(pid, why)

    def lose(self, pid: int, why: str) -> None:
        """Print the one line naming the lost process ``pid`` and leave with ``LOST``."""
        self.lost = pid
        with self.ending:
            if self.me == 0:  # the others hear it from us, and name the same process
                for other, channel in self.channels.items():
                    if other != pid:
                        try:
                            channel.send({"lost": pid})
                        except OSError:
                            pass
            line = (f"error: process {pid} of {self.n} stopped during the run ({why}); process "
                    f"{self.me} stops too: {self.again}")  # fmt: skip
            _last_words(line)

    def leave(self) -> None:
        """This process's command ended well: tell the peers, and stop watching them."""
        self.left = True
        for channel in self.channels.values():
            try:
                channel.send({"done": True})
            except OSError:
                pass


def _last_words(line: str) -> None:
    """Write ``line`` on stderr and leave at once: the main thread may be blocked in a
    collective that never returns, and JAX's exit hooks would wait for the lost process."""
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os.write(2, (line + "\n").encode())
    os._exit(LOST)


_peers: list[_Peers] = []  # the side channel of this process, once it joined (one per process)


def leave() -> None:
    """Say that this process's command ended well (``cli.main``, after it returns)."""
    for peers in _peers:
        peers.leave()


def collective_failed(err: Exception) -> None:
    """A JAX runtime error in the main thread of a joined process (gloo's ``Connection reset
    by peer`` when a peer died): the watcher's one line if it names the lost process within
    ``5 * BEAT`` seconds, else one line of our own with the error's first line. Returns only
    when this process has not joined other processes."""
    if not _peers:
        return
    peers = _peers[0]
    wait = time.monotonic() + 5 * BEAT
    while peers.lost is None and time.monotonic() < wait:
        time.sleep(0.05)
    with peers.ending:  # the watcher, if it found the lost process, prints and exits first
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        _last_words(
            f"error: a collective across the {peers.n} processes failed on process {peers.me} "
            f"({first}); {peers.again}"
        )


def _initialize(**where) -> None:
    """``jax.distributed.initialize`` with gloo for CPU cross-process collectives.

    JAX refuses to initialise once its backend is up, and importing BlackJAX (the ``blr``
    commands share this program) brings it up with one import-time constant
    (``jnp.log(2.0)`` as a default argument). Nothing of ours has run yet when a command joins,
    so that backend is dropped (``clear_backends``) and the distributed one made in its place.
    """
    from jax.extend import backend

    backend.clear_backends()
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(**where)
    # the first collective connects gloo, which says so on stdout (fd 1), where --json goes
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        multihost_utils.sync_global_devices("jaxscratch: every process joined")
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def join(
    coordinator: str | None,
    num_processes: int | None,
    process_id: int | None,
    *,
    timeout: int = TIMEOUT,
    command: dict | None = None,
    again: str = "start every process again",
) -> Cluster:
    """Join the multi-process run the flags (or the launcher) describe; see the module.
    ``again`` ends the line a survivor prints when another process is lost (what to do)."""
    given = (coordinator, num_processes, process_id)
    if all(v is None for v in given):
        if not _launcher():
            return Cluster(0, 1, None)
        _initialize(initialization_timeout=timeout, heartbeat_timeout_seconds=timeout)
        return Cluster(jax.process_index(), jax.process_count(), None)
    if any(v is None for v in given):
        raise JaxscratchError(
            "--coordinator, --num-processes and --process-id go together; give all three"
        )
    host, port = _check(coordinator, num_processes, process_id, timeout)
    if num_processes == 1:
        return Cluster(0, 1, coordinator)
    digest = hashlib.sha256(json.dumps(command or {}, sort_keys=True, default=str).encode())
    if process_id == 0:
        channels = _host(port, num_processes, digest.hexdigest(), timeout)
    else:
        channels = {0: _guest(host, port, process_id, num_processes, digest.hexdigest(), timeout)}
    peers = _Peers(process_id, num_processes, channels, again)
    _peers.append(peers)
    peers.start()  # from here a lost process is one line, even while JAX connects
    _initialize(coordinator_address=coordinator, num_processes=num_processes,
                process_id=process_id, initialization_timeout=timeout,
                heartbeat_timeout_seconds=max(timeout, JAX_HEARTBEAT))  # fmt: skip
    return Cluster(process_id, num_processes, coordinator)


def command_options(params: dict) -> dict:
    """A command's options without ``process_id``: what every process must agree on."""
    return {k: v for k, v in params.items() if k != "process_id"}


def say_done(me: Cluster, out) -> None:
    """What a process other than 0 prints at the end: process 0 wrote and prints the result."""
    out_console.print(
        f"process {me.process_id} of {me.num_processes}: done; process 0 wrote {out}"
    )
