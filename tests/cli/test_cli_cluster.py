"""Training and sampling across processes on 127.0.0.1: the same run as one process, a
process killed mid-run stops the other with one line naming it, the run resumes to the
uninterrupted one, and a missing or misnumbered process is one line with exit code 2, never a
hang."""

import json
import socket
import subprocess
import threading
import time

import numpy as np
import pytest
from cluster_helpers import finish, free_port, kill_when, leaves, start, start_all, synthetic_set

from jaxscratch.cli import _cluster
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import checkpoint
from jaxscratch.runs import training

# each subprocess is bounded by cluster_helpers.HARD_TIMEOUT; on a crowded machine a fixture of
# several JAX processes can outlast pytest-timeout's 600 s, hence the longer bound on these tests
LONG = pytest.mark.timeout(1500)
TRAIN = ["mnist", "train", "--dataset", "digits", "--hidden", "16", "8", "--batch-size", "64",
         "--epochs", "2", "--seed", "1", "--json"]  # fmt: skip
EPOCHS = 6  # the killed run stops after epoch 1's checkpoint, with epochs 2..6 still to train
# a survivor must stop well before JAX's own heartbeat would (its multi-line fatal log)
STOP_BOUND = _cluster.JAX_HEARTBEAT // 2


def _tiny(data) -> list:
    return ["mnist", "train", "--data-dir", data, "--split", "official", "--hidden", "16", "8",
            "--batch-size", "32", "--epochs", EPOCHS, "--no-augment", "--seed", "1",
            "--json"]  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One recipe on a tiny synthetic set, run two ways at once: one process on two forced host
    devices, uninterrupted (``one``); and two processes of one CPU device each, of which process
    1 is SIGKILLed as soon as epoch 1's checkpoint is on disk (``stopped``: what process 0 then
    did; ``epoch``: what the checkpoint held), then both started again with --resume
    (``resumed``: exit code, stdout, stderr of each) into ``two``. One shared two-process run
    serves every assertion: it is the killed run, the resumed run and the multi-process run
    compared with one process."""
    root = tmp_path_factory.mktemp("cluster")
    args = _tiny(synthetic_set(root / "data"))
    one = start([*args, "--devices", "2", "--out", root / "one"], devices=2)
    survivor, victim = start_all([*args, "--out", root / "two"])
    killed_at = kill_when(root / "two" / "checkpoint.npz", victim, [survivor])
    try:
        out, err = survivor.communicate(timeout=STOP_BOUND)
        stopped = (survivor.returncode, out, err, time.monotonic() - killed_at)
    except subprocess.TimeoutExpired:
        survivor.kill()
        stopped = (None, *survivor.communicate(), None)
    victim.communicate()
    epoch = checkpoint.read_meta(root / "two" / "checkpoint.npz")["epoch"]
    resumed = finish(start_all(["mnist", "train", "--out", root / "two", "--resume", "--json"]))
    for code, _, err in (*finish([one]), *resumed):
        assert code == 0, err[-3000:]
    killed = {"stopped": stopped, "victim": victim.returncode, "epoch": epoch}
    return root, killed, resumed


def _close(a, b, rtol=1e-4):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=1e-6)


def _said(err: str) -> list[str]:
    """stderr without gloo's start-up line ("[Gloo] Rank r is connected to 1 peer ranks")."""
    return [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("[Gloo]")]


@pytest.mark.slow
@LONG
def test_a_process_killed_mid_run_stops_the_other_with_one_line_naming_it(runs):
    _, killed, _ = runs
    code, out, err, seconds = killed["stopped"]
    assert seconds is not None, f"process 0 did not stop within {STOP_BOUND} s: {err[-3000:]}"
    assert killed["victim"] == -9 and 1 <= killed["epoch"] < EPOCHS  # killed mid-run
    assert code == _cluster.LOST and not out
    assert _said(err) == [
        "error: process 1 of 2 stopped during the run (its connection to process 0 closed); "
        f"process 0 stops too: {_cluster.AGAIN_RESUME}"
    ]


@pytest.mark.slow
@LONG
def test_two_processes_killed_and_resumed_train_the_uninterrupted_one_process_run(runs):
    """Process 1 SIGKILLed mid-run and process 0 stopped at once (``os._exit``, as abrupt as a
    kill, possibly mid-write), both restarted with --resume: the parameters, the loss at every
    step, the test probabilities and the metrics are those of one uninterrupted process on two
    devices."""
    root, _, resumed = runs
    one, two = root / "one", root / "two"
    for a, b in zip(leaves(one), leaves(two), strict=True):
        _close(a, b)
    h1, h2 = (json.loads((r / "history.json").read_text()) for r in (one, two))
    assert h2["epoch"] == list(range(1, EPOCHS + 1))
    assert len(h2["loss_per_iteration"]) == EPOCHS * h2["steps_per_epoch"]
    _close(h1["loss_per_iteration"], h2["loss_per_iteration"])
    _close(h1["test_loss"], h2["test_loss"])
    # the test probabilities the processes gathered are those of one process
    m1, m2 = (json.loads((r / "metrics.json").read_text()) for r in (one, two))
    for k in ("log_loss", "brier_score", "accuracy"):
        _close(m1[k], m2[k])
    assert m2["accuracy"] > 0.5  # the synthetic set is learnt, so the comparison means something
    data = training.load_run_data(two)
    p1, p2 = (training.open_run(r).predict(data.x_test) for r in (one, two))
    _close(p1, p2)
    # process 0 printed the JSON result, process 1 one line; both on a clean stdout
    assert json.loads(resumed[0][1])["out"] == str(two)
    assert resumed[1][1].strip() == f"process 1 of 2: done; process 0 wrote {two}"
    assert not [p.name for p in two.iterdir() if p.name.startswith(".")]  # no temporaries left


def _in_thread(fn):
    """Run ``fn`` in a thread, bounded: a hang fails the test instead of blocking it."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as err:  # noqa: BLE001 - handed to the test
            box["error"] = err

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, box


def test_a_process_that_never_starts_is_one_line_naming_it(cli, tmp_path):
    port = free_port()
    code, out, err = cli(*TRAIN, "--out", tmp_path / "run",
                         *["--coordinator", f"127.0.0.1:{port}", "--num-processes", "3"],
                         *["--process-id", "0", "--join-timeout", "2"])  # fmt: skip
    assert code == 2 and not out
    assert err.strip().splitlines() == [
        f"error: process 1, 2 of 3 did not join the coordinator on port {port} within 2 s; "
        "start it with the same options and --process-id 1, or raise --join-timeout"
    ]
    assert not (tmp_path / "run").exists()


def test_a_process_without_its_coordinator_is_one_line(cli, tmp_path):
    port = free_port()
    code, _, err = cli(*TRAIN, "--out", tmp_path / "run",
                       *["--coordinator", f"127.0.0.1:{port}", "--num-processes", "2"],
                       *["--process-id", "1", "--join-timeout", "1"])  # fmt: skip
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"process 0 (the coordinator 127.0.0.1:{port}) did not answer process 1" in err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--num-processes", "2", "--process-id", "2"], "--process-id 2 is outside 0..1"),
        (["--num-processes", "2", "--process-id", "-1"], "--process-id -1 is outside 0..1"),
        (["--num-processes", "0", "--process-id", "0"], "--num-processes must be >= 1"),
        (["--num-processes", "2"], "give all three"),
    ],
)
def test_bad_process_numbers_are_one_line(cli, tmp_path, flags, message):
    code, _, err = cli(*TRAIN, "--out", tmp_path, "--coordinator", "127.0.0.1:1", *flags)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def _join_two(guest_count: int, guest_command: dict) -> list:
    """Process 0 (of 2, command epochs=2) and a process 1 that says ``guest_count`` and
    ``guest_command``, joined in threads on a free port: what each raised."""
    coordinator = f"127.0.0.1:{free_port()}"
    threads = [
        _in_thread(lambda: _cluster.join(coordinator, 2, 0, timeout=20, command={"epochs": 2})),
        _in_thread(
            lambda: _cluster.join(coordinator, guest_count, 1, timeout=20, command=guest_command)
        ),  # fmt: skip
    ]
    for t, _ in threads:
        t.join(60)
        assert not t.is_alive()
    return [box.get("error") for _, box in threads]


@pytest.mark.parametrize(
    ("count", "command", "message"),
    [
        (3, {"epochs": 2}, "process 1 was started with --num-processes 3 but process 0 with 2"),
        (2, {"epochs": 3}, "process 1 runs a different command from process 0"),
    ],
)
def test_processes_that_disagree_on_the_count_or_command_both_stop(count, command, message):
    for error in _join_two(count, command):
        assert isinstance(error, JaxscratchError) and message in str(error)


def test_without_the_flags_nothing_joins(monkeypatch):
    for name in ("SLURM_NTASKS", "OMPI_COMM_WORLD_SIZE", "JAX_COORDINATOR_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    assert _cluster.join(None, None, None) == _cluster.Cluster(0, 1, None)


@pytest.mark.slow
def test_mvn_streamed_over_two_processes_equals_one_process(cli):
    """Chunk i draws from fold_in(key, i) wherever it runs, so two processes (one device each)
    reconstruct what one process on one device does, up to rounding."""
    args = ["mvn", "sample", "--dim", "3", "--n", "2e5", "--chunk", "30000", "--seed", "3",
            "--no-save", "--json"]  # fmt: skip
    results = finish(start_all(args))
    for code, _, err in results:
        assert code == 0, err[-3000:]
    code, out, err = cli(*args)
    assert code == 0, err
    one, two = json.loads(out), json.loads(results[0][1])
    assert (two["processes"], two["devices"], two["n"]) == (2, 2, 200_000)
    _close(two["mean_hat"], one["mean_hat"], rtol=1e-5)
    _close(two["cov_hat"], one["cov_hat"], rtol=1e-5)
    assert two["consistent"] and results[1][1].strip().startswith("process 1 of 2: drew its")


def _pair(monkeypatch) -> tuple[list, _cluster._Peers, _cluster._Peers]:
    """Process 0 and process 1 of 2 joined by a socket pair, process 0 watching; its last
    words are recorded instead of ending the test process."""
    said = []
    monkeypatch.setattr(_cluster, "_last_words", said.append)
    a, b = socket.socketpair()
    host = _cluster._Peers(0, 2, {1: _cluster._Channel(a)}, "again")
    guest = _cluster._Peers(1, 2, {0: _cluster._Channel(b)}, "again")
    host.start()
    return said, host, guest


def _wait_for(said: list, seconds: float = 10.0) -> list:
    end = time.monotonic() + seconds
    while not said and time.monotonic() < end:
        time.sleep(0.02)
    return said


def test_a_peer_that_closes_without_saying_done_is_lost(monkeypatch):
    said, _, guest = _pair(monkeypatch)
    guest.channels[0].sock.close()  # as the kernel does for a killed process
    assert _wait_for(said) == [
        "error: process 1 of 2 stopped during the run (its connection to process 0 closed); "
        "process 0 stops too: again"
    ]


def test_a_peer_that_ended_well_may_close_and_go(monkeypatch):
    said, host, guest = _pair(monkeypatch)
    guest.leave()
    end = time.monotonic() + 10
    while 1 not in host.done and time.monotonic() < end:
        time.sleep(0.02)
    guest.channels[0].sock.close()
    assert 1 in host.done and not _wait_for(said, 3 * _cluster.BEAT)


def test_two_messages_in_one_read_are_two_messages():
    a, b = socket.socketpair()
    with a, b:
        a.sendall(b'{"ok": true}\n{"beat": true}\n')
        channel = _cluster._Channel(b)
        assert [channel.receive(1.0), channel.receive(1.0)] == [{"ok": True}, {"beat": True}]
