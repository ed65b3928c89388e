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
runs with the same timeout for joining and for the heartbeat, on CPU with the gloo cross-process
collectives (``jax_cpu_collectives_implementation``). A process that dies later is noticed by
JAX's heartbeat: the others are stopped by JAX within the timeout (its own fatal log, not ours).
"""

import hashlib
import json
import os
import socket
import sys
import time
from typing import Annotated, NamedTuple

import jax
import typer
from jax.experimental import multihost_utils

from jaxscratch.cli._common import out_console
from jaxscratch.errors import JaxscratchError

TIMEOUT = 120  # seconds to wait for every process to join, and JAX's heartbeat timeout

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


def _send(sock: socket.socket, message: dict) -> None:
    sock.sendall(json.dumps(message).encode() + b"\n")


def _receive(sock: socket.socket) -> dict:
    data = b""
    while not data.endswith(b"\n"):
        part = sock.recv(4096)
        if not part:
            raise ConnectionError("closed")
        data += part
    return json.loads(data)


def _host(port: int, num_processes: int, digest: str, timeout: int) -> None:
    """Process 0: wait for processes 1..N-1, check what they say, answer each."""
    deadline = time.monotonic() + timeout
    peers: dict[int, socket.socket] = {}
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
                    conn.settimeout(max(deadline - time.monotonic(), 1.0))
                    said = _receive(conn)
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
                peers.setdefault(pid, conn)
            missing = sorted(set(range(1, num_processes)) - set(peers))
            if missing and not problems:
                names = ", ".join(map(str, missing))
                problems.append(
                    f"process {names} of {num_processes} did not join the coordinator on port "
                    f"{port} within {timeout} s; start it with the same options and "
                    f"--process-id {missing[0]}, or raise --join-timeout"
                )
            for conn in peers.values():
                try:
                    _send(conn, {"error": problems[0]} if problems else {"ok": True})
                    conn.recv(1)  # the peer closes first, so no TIME_WAIT holds the port here
                except OSError:
                    pass
        finally:
            for conn in peers.values():
                conn.close()
    if problems:
        raise JaxscratchError(problems[0])


def _guest(host: str, port: int, process_id: int, num_processes: int, digest: str,
           timeout: int) -> None:  # fmt: skip
    """Process 1..N-1: reach process 0 (retrying until the deadline), say who we are."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=2.0) as conn:
                _send(conn, {"id": process_id, "n": num_processes, "command": digest})
                conn.settimeout(max(deadline - time.monotonic(), 1.0))
                answer = _receive(conn)
            break
        except (ConnectionError, TimeoutError, OSError, ValueError):
            if time.monotonic() > deadline:
                raise JaxscratchError(
                    f"process 0 (the coordinator {host}:{port}) did not answer process "
                    f"{process_id} within {timeout} s; start process 0, check --coordinator, "
                    "or raise --join-timeout"
                ) from None
            time.sleep(0.2)
    if "error" in answer:
        raise JaxscratchError(answer["error"])


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
) -> Cluster:
    """Join the multi-process run the flags (or the launcher) describe; see the module."""
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
        _host(port, num_processes, digest.hexdigest(), timeout)
    else:
        _guest(host, port, process_id, num_processes, digest.hexdigest(), timeout)
    _initialize(coordinator_address=coordinator, num_processes=num_processes,
                process_id=process_id, initialization_timeout=timeout,
                heartbeat_timeout_seconds=timeout)  # fmt: skip
    return Cluster(process_id, num_processes, coordinator)


def command_options(params: dict) -> dict:
    """A command's options without ``process_id``: what every process must agree on."""
    return {k: v for k, v in params.items() if k != "process_id"}


def say_done(me: Cluster, out) -> None:
    """What a process other than 0 prints at the end: process 0 wrote and prints the result."""
    out_console.print(
        f"process {me.process_id} of {me.num_processes}: done; process 0 wrote {out}"
    )
