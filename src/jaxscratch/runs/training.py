"""Training runs on disk: data in, a run directory out (config, history, checkpoint, metrics).

Contract: ``result = train_run(out, data, model, recipe, key=key)`` trains (or, with
``resume=True``, continues) and leaves in ``out``: ``config.json``, ``history.json``,
``checkpoint.npz`` (+ its previous copy and JSON), ``metrics.json`` and ``report.md``; it returns
a ``RunResult``. The pictures layer adds the ``FIGURES`` (``viz.nn.write_run_figures``).
``train_dataset`` is the whole of ``mnist train``; ``evaluate_run``, ``open_run`` and
``predict_image`` reopen a run. Data come as plain arrays (``records.Data``); ``load_data``
builds them with ``jaxscratch.data``. What the files hold are the typed records of ``records``.

Randomness comes from one key per run: ``records.run_keys(key)`` splits it once into named
streams (the data split, the width search's validation carve, the training); ``load_data`` and
``train_run`` each take the run's key and draw from their own stream. ``config.json`` records
the key (``key``) beside the seed it came from, so a run directory rebuilds its split and state
without being told the seed.

Across processes (``jax.distributed``) every process runs the same calls on the same data; only
process 0 (``writes()``) writes the run directory, opened by ``open_dir`` (shared with the
width search) after every process has checked it (``sync``), and every process can resume from
it.
"""

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import jax
import numpy as np
from jax.experimental import multihost_utils

from jaxscratch import limits, nn
from jaxscratch import metrics as metrics_lib
from jaxscratch._io import check_writable, remove_temporaries, save_npz, write_json, write_text
from jaxscratch._shared import check_choice
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import checkpoint
from jaxscratch.runs import evaluation, markdown, recipes
from jaxscratch.runs.records import (
    Data,
    DataInfo,
    Metrics,
    RunConfig,
    RunResult,
    read_history,
    run_keys,
)

FIGURES = markdown.FIGURES  # drawn by the pictures layer from the run's records
OUTPUTS = (
    "config.json",
    "history.json",
    "metrics.json",
    *FIGURES,
    *markdown.EVALUATION_FIGURES,
    "report.md",
    "galleries.npz",
    "checkpoint.npz",
    "checkpoint.prev.npz",
    "checkpoint.json",
)
SPLITS = ("80-20", "official")
MIN_TRAIN, MIN_TEST = 2, 1  # images; and at least two classes among the training labels


def writes() -> bool:
    """Does this process write the run's files? Process 0 only, when several train together."""
    return jax.process_index() == 0


def sync(name: str) -> None:
    """Wait until every process reaches ``name`` (nothing to wait for in one process)."""
    if jax.process_count() > 1:
        multihost_utils.sync_global_devices(name)


def open_dir(out: Path, prepare: Callable[[], None]) -> None:
    """Open the folder ``out`` for writing, the one way every run does: once every process has
    seen it as it was, process 0 alone creates it and calls ``prepare()`` (clearing what a
    fresh start drops, the temporaries a killed writer left); no process goes on until then."""
    sync(f"checked {out}")
    if writes():
        out.mkdir(parents=True, exist_ok=True)
        prepare()
    sync(f"opened {out}")


def load_data(
    dataset: str = "mnist",
    *,
    key: jax.Array,
    data_dir: str | Path | None = None,
    split: str = "80-20",
    verbose: bool = False,
) -> Data:
    """Load a data set by name and split it: ``80-20`` pools train + test and draws a stratified
    20 % test part from the run's ``key`` (its data stream); ``official`` keeps the shipped
    train/test parts."""
    check_choice(split, "--split", SPLITS)
    try:  # the data layer is optional for the library API, which takes arrays
        from jaxscratch import data as data_lib
    except ImportError:
        raise JaxscratchError(
            "the data layer jaxscratch.data is not installed; pass arrays to train_run instead"
        ) from None

    ds = data_lib.load(dataset, data_dir=data_dir, verbose=verbose)
    if split == "official":
        x_tr, y_tr, x_te, y_te = ds.x_train, ds.y_train, ds.x_test, ds.y_test
    else:
        x, y = data_lib.pool(ds)
        key = run_keys(key).data
        x_tr, y_tr, x_te, y_te = data_lib.split(key, x, y, test_fraction=0.2, stratify=True)
    known = data_lib.DATASETS.get(ds.name)
    return Data(
        np.asarray(data_lib.scale(x_tr), np.float32),
        np.asarray(y_tr, np.int32),
        np.asarray(data_lib.scale(x_te), np.float32),
        np.asarray(y_te, np.int32),
        ds.name,
        ds.source,
        split,
        tuple(known.classes) if known is not None else (),
        dataset,
        None if data_dir is None else str(data_dir),
    )


def load_run_data(run: str | Path) -> Data:
    """The data split a run was trained on, reloaded from its ``config.json``."""
    cfg = RunConfig.read(run)
    d = cfg.data
    if cfg.key is None and d.split != "official":
        raise JaxscratchError(
            f"{run} was written by an older jaxscratch: its config.json has no key to redraw the "
            "split from; pass the data to evaluate_run, or train it again with --overwrite"
        )
    return load_data(d.dataset, key=cfg.key, data_dir=d.data_dir, split=d.split)


def started(out: str | Path) -> bool:
    """Whether ``out`` holds a run that began: a file of a run beyond ``config.json`` (a
    folder holding only the config saved no epoch: it counts as not started)."""
    return any((Path(out) / name).exists() for name in OUTPUTS if name != "config.json")


class Saved(NamedTuple):
    """What a run directory holds of its run: what an interrupted ``mnist train`` resumes."""

    epoch: int  # epochs in the checkpoint (0: none saved)
    epochs: int  # epochs the config asks for
    complete: bool  # every epoch trained, and the metrics, figures and report written after


def saved(out: str | Path) -> Saved:
    """What ``out`` holds: the checkpoint's epoch against the config's, and whether every
    output was written after the last checkpoint."""
    out = Path(out)
    if not (out / "config.json").is_file():
        return Saved(0, 0, False)
    epochs = RunConfig.read(out).train.epochs
    kept = out / "checkpoint.npz"
    if not kept.is_file():
        return Saved(0, epochs, False)
    epoch = checkpoint.read_meta(kept)["epoch"]
    after = [out / n for n in ("metrics.json", "report.md", *FIGURES)]
    complete = epoch >= epochs and all(
        p.is_file() and p.stat().st_mtime_ns >= kept.stat().st_mtime_ns for p in after
    )
    return Saved(epoch, epochs, complete)


def check_run_dir(
    out: str | Path, *, resume: bool, overwrite: bool, epochs: int | None = None
) -> None:
    """Refuse a run directory that cannot be used as asked (no side effects).

    With ``resume``, ``epochs`` is the total to train to: fewer than the checkpoint holds is
    refused (a run is never shortened); more extends the run; the same finishes it.
    """
    out = Path(out)
    if resume and overwrite:
        raise JaxscratchError("--resume and --overwrite contradict each other; pass one of them")
    if out.exists() and not out.is_dir():
        raise JaxscratchError(f"run directory {out} is a file; give a directory path")
    check_writable(out, folder=True, files=OUTPUTS)
    if epochs is not None and epochs < 1:
        raise JaxscratchError(f"--epochs must be >= 1, got {epochs}")
    if resume:
        if not (out / "checkpoint.npz").is_file():
            raise JaxscratchError(
                f"no checkpoint in {out}: no epoch of it was saved, so there is nothing to "
                "resume; run the same command without --resume to start it"
            )
        done = checkpoint.read_meta(out / "checkpoint.npz")["epoch"]  # a corrupt file: refused
        RunConfig.read(out)  # a missing or tampered config: refused before anything is written
        if epochs is not None and epochs < done:
            raise JaxscratchError(
                f"{out} has trained {done} epochs; --epochs {epochs} with --resume is the total "
                f"to train to and cannot shorten it: give --epochs {done} or more, or drop "
                "--epochs to finish the run as configured"
            )
    elif started(out) and not overwrite:
        resumable = (out / "checkpoint.npz").is_file()
        raise JaxscratchError(
            f"run directory {out} already exists; "
            + ("pass --resume to continue it or --overwrite to start again" if resumable else
               "it has no checkpoint to resume: pass --overwrite to start again")
        )  # fmt: skip
    elif out.is_dir() and not overwrite:
        other = sorted(p.name for p in out.iterdir() if p.name not in OUTPUTS)
        other = [n for n in other if not n.startswith(".")]  # a killed writer's temporaries
        if other:
            raise JaxscratchError(
                f"{out} holds {other[0]!r}, which is not a file of a run; give a new or empty "
                "--out (or --overwrite to write the run beside it)"
            )


def check_recipe(
    model: nn.MLPConfig, recipe: nn.TrainConfig, devices: int = 1, *, n_train: int | None = None
) -> None:
    """Refuse a bad network, recipe or device count before any data is read (or any file
    written): the trainer's own checks, against ``n_train`` examples (default one batch, when
    the data are not in yet)."""
    nn.make_trainer(model, recipe, recipe.batch_size if n_train is None else n_train, devices)
    check_memory(model, recipe)


def memory_bytes(model: nn.MLPConfig, recipe: nn.TrainConfig) -> int:
    """What training ``model`` holds at once, estimated in float32 bytes: the parameters six
    times (weights, gradients, two moment slots, the donated step's copy, the host copy a
    checkpoint takes) and the activations of a training batch (forward and backward, batch norm:
    about four per unit) and of an evaluation batch."""
    sizes = model.sizes
    params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))
    rows = 4 * recipe.batch_size + recipe.eval_batch_size
    return 4 * (6 * params + rows * sum(sizes))


def check_memory(model: nn.MLPConfig, recipe: nn.TrainConfig) -> None:
    """Refuse hidden widths too wide for this machine's memory before anything is allocated;
    the error names the widest network of the same shape (equal scale on every hidden layer)
    that fits."""
    hidden = model.sizes[1:-1]
    top = max(hidden, default=1)

    def scaled(w: int) -> nn.MLPConfig:  # the hidden widths scaled so that the widest is w
        widths = tuple(max(1, h * w // top) for h in hidden)
        return model._replace(sizes=(model.sizes[0], *widths, model.sizes[-1]))

    limits.check_fits(
        f"a network with hidden widths {' '.join(map(str, hidden))}",
        top,
        lambda w: memory_bytes(scaled(w), recipe),
        lambda w: "hidden widths " + " ".join(map(str, scaled(w).sizes[1:-1])),
    )


def check_data(data: Data) -> None:
    """Refuse data a run cannot learn from or be tested on, saying what was found."""
    n_train, n_test = len(data.y_train), len(data.y_test)
    classes = np.unique(np.asarray(data.y_train))
    if n_train < MIN_TRAIN or n_test < MIN_TEST or len(classes) < 2:
        seen = ", ".join(map(str, classes[:10].tolist())) or "none"
        raise JaxscratchError(
            f"{data.name}: {n_train} training images (classes: {seen}) and {n_test} test "
            f"images; a run needs at least {MIN_TRAIN} training images of two classes or more "
            f"and {MIN_TEST} test image: give a larger data set"
        )
    if data.x_train.ndim != 3 or data.x_train.shape[1:] != data.x_test.shape[1:]:
        raise JaxscratchError(
            f"{data.name}: training images {data.x_train.shape[1:]} and test images "
            f"{data.x_test.shape[1:]} must be (n, height, width) of one size"
        )


def _clear(out: Path, *, resume: bool) -> None:
    """Drop the temporaries a killed run left in ``out`` and, unless resuming, our own outputs
    (never anything else)."""
    remove_temporaries(out, OUTPUTS)
    if not resume:
        for name in OUTPUTS:
            (out / name).unlink(missing_ok=True)


def train_run(
    out: str | Path,
    data: Data,
    model: nn.MLPConfig,
    recipe: nn.TrainConfig,
    *,
    key: jax.Array | None = None,
    seed: int | None = None,
    resume: bool = False,
    overwrite: bool = False,
    epochs: int | None = None,
    test_every_epoch: bool = True,
    chosen_by: str | None = None,
    on_progress: Callable[[nn.EpochProgress], None] | None = None,
    on_epoch: Callable[[dict], None] | None = None,
    devices: int = 1,
) -> RunResult:
    """Train into ``out`` and evaluate on the test part.

    Args:
      key: the run's key (``run_keys``; its training stream initialises the trainer); with
        ``resume`` the saved one is used.
      seed: the seed ``key`` was made from, if any: written to ``config.json``, never drawn from.
      resume: continue from the checkpoint with the saved config (``model``, ``recipe`` and
        ``key`` are ignored); ``epochs``, if given, is the total to train to (never fewer than
        the checkpoint holds: ``check_run_dir``).
      test_every_epoch: evaluate on the test part after each epoch (``history.json``); False
        reads the test part once, at the end.
      chosen_by: recorded in ``config.json``'s data (``"sweep"`` for a width search's network).
      devices: > 1 trains data parallel (``nn.make_trainer``).
    """
    out = Path(out)
    check_run_dir(out, resume=resume, overwrite=overwrite, epochs=epochs)
    check_data(data)
    if resume:
        cfg = RunConfig.read(out)
    elif key is None:
        raise JaxscratchError("train_run needs a key, e.g. key=jax.random.key(0)")
    else:
        n_cal = recipes.calibration_size(len(data.y_train))
        cfg = RunConfig(model, recipe, DataInfo.of(data, chosen_by, n_cal), key, seed)
    if epochs is not None:
        cfg = cfg._replace(train=cfg.train._replace(epochs=epochs))
    data, x_cal, y_cal = _carve(cfg, data)  # the temperature's images, never trained on
    trainer = nn.make_trainer(cfg.model, cfg.train, len(data.y_train), devices=devices)
    cfg = cfg._replace(model=trainer.model, train=trainer.config)
    open_dir(out, lambda: _clear(out, resume=resume))  # every check passed: the first write
    if writes():
        write_json(out / "config.json", cfg.to_json())
    state = trainer.init(run_keys(cfg.key).train)
    history = None
    if resume:
        state, meta = checkpoint.load(out / "checkpoint.npz", state)
        history = meta["history"]

    def save(state, history):
        meta = {"epoch": int(state.epoch), "config": cfg.to_json(), "history": history}
        if writes():
            checkpoint.save(out / "checkpoint.npz", state, meta)
            write_json(out / "history.json", history)
        if on_epoch is not None:
            on_epoch(history)

    test = (data.x_test, data.y_test) if test_every_epoch else ()
    try:
        state, history = nn.fit(
            trainer, state, data.x_train, data.y_train, *test, history=history, on_epoch=save,
            on_progress=on_progress,
        )  # fmt: skip
    except nn.DivergedError as err:
        kept = out / "checkpoint.npz"
        if kept.is_file():
            epoch = checkpoint.read_meta(kept)["epoch"]
            where = f"the last good checkpoint (epoch {epoch}) is kept in {out}"
        else:
            where = "no epoch finished, so nothing was saved; rerun with --overwrite"
        raise nn.DivergedError(f"{err}; {where}") from None
    report, images = _evaluate(trainer, state, data, x_cal, y_cal, out)  # every process: gathers
    if not writes():
        return RunResult(out, cfg, history, Metrics.from_report(report))
    write_json(out / "history.json", history)
    return write_outputs(out, cfg, history, report, images)


def _carve(cfg: RunConfig, data: Data) -> tuple[Data, np.ndarray, np.ndarray]:
    """The run's training data without its calibration part, and that part (``x_cal, y_cal``)."""
    n_cal = cfg.data.n_calibration if cfg.key is not None else 0
    key = evaluation.calibration_key(run_keys(cfg.key).validation) if n_cal else None
    return evaluation.carve_calibration(key, data, n_cal)


def _evaluate(trainer, state, data: Data, x_cal, y_cal, run: Path) -> tuple[dict, dict]:
    """(the metrics report, the gallery images) of the trained network on the test part; with
    several processes each scores its share and the probabilities are gathered once. Refused,
    before anything is written, when the probabilities are not finite."""
    x_test = np.asarray(data.x_test)  # the test images, read here once
    proba = nn.evaluate(trainer, state, x_test, data.y_test)[2]
    if not np.isfinite(proba).all():
        raise JaxscratchError(
            f"the network of {run} gives NaN or infinite probabilities on its test images; "
            f"nothing was rewritten: train it again with --overwrite"
        )
    proba_cal = np.asarray(trainer.predict(state, x_cal)) if len(y_cal) else None
    report = metrics_lib.classification_report(data.y_test, proba)
    report |= evaluation.evaluate(data.y_test, proba, y_cal if len(y_cal) else None, proba_cal)
    return report, evaluation.gallery_images(x_test, report)


def train_dataset(
    out: str | Path,
    model: nn.MLPConfig,
    recipe: nn.TrainConfig,
    *,
    dataset: str,
    key: jax.Array,
    data_dir: str | Path | None = None,
    split: str = "80-20",
    seed: int | None = None,
    resume: bool = False,
    overwrite: bool = False,
    epochs: int | None = None,
    devices: int = 1,
    on_data: Callable[[Data], None] | None = None,
    on_progress: Callable[[nn.EpochProgress], None] | None = None,
    on_epoch: Callable[[dict], None] | None = None,
) -> RunResult:
    """What ``mnist train`` does, refusing bad input before any data is read: check the run
    directory, ``epochs`` and the recipe; load the data set with the run's key (or, with
    ``resume``, the run's own split); fit ``model``'s input and output to it (``recipes``);
    call ``on_data(data)``; train (``train_run``)."""
    check_run_dir(out, resume=resume, overwrite=overwrite, epochs=epochs)
    if resume:  # the run's own data, architecture and recipe; ``epochs`` may extend it
        data = load_run_data(out)
        check_data(data)
    else:
        check_recipe(model, recipe, devices)
        data = load_data(dataset, key=key, data_dir=data_dir, split=split)
        check_data(data)  # and the recipe against the data's size, before anything is said
        n_fit = len(data.y_train) - recipes.calibration_size(len(data.y_train))  # trained on
        check_recipe(recipes.model_for(data, model), recipe, devices, n_train=n_fit)
    if on_data is not None:
        on_data(data)
    return train_run(
        out, data, recipes.model_for(data, model), recipe, key=key, seed=seed, resume=resume,
        overwrite=overwrite, epochs=epochs, on_progress=on_progress, on_epoch=on_epoch,
        devices=devices,
    )  # fmt: skip


def write_outputs(
    out: Path, cfg: RunConfig, history: dict, report: dict, images: dict | None = None
) -> RunResult:
    """``metrics.json``, ``report.md`` and (given the gallery ``images``) ``galleries.npz``;
    returns the run's result."""
    result = RunResult(out, cfg, history, Metrics.from_report(report))
    write_json(out / "metrics.json", result.metrics.to_json())
    if images is not None:
        save_npz(out / "galleries.npz", **images)
    names = list(cfg.data.classes) or None
    write_text(out / "report.md", markdown.markdown(report, history, cfg.to_json(), names))
    return result


class OpenRun(NamedTuple):
    """A trained run reopened: its config, trainer and trained state."""

    config: RunConfig
    trainer: nn.Trainer
    state: nn.TrainState

    def predict(self, x) -> np.ndarray:
        """(n, K) class probabilities for images ``x`` (n, h, w)."""
        return np.asarray(self.trainer.predict(self.state, x))


def open_run(run: str | Path) -> OpenRun:
    """The config, trainer and trained state of a run directory (its checkpoint checked:
    ``checkpoint.load`` refuses NaN or infinite weights)."""
    cfg = RunConfig.read(run)
    trainer = nn.make_trainer(cfg.model, cfg.train, max(cfg.data.n_train, cfg.train.batch_size))
    key = jax.random.key(0) if cfg.key is None else cfg.key  # the checkpoint holds the state's key
    template = trainer.init(run_keys(key).train)
    state, _ = checkpoint.load(Path(run) / "checkpoint.npz", template)
    return OpenRun(cfg, trainer, state)


def evaluate_run(run: str | Path, data: Data | None = None) -> RunResult:
    """Recompute the test metrics of a run (reloading its data split unless given) and rewrite
    its metrics and report: only once the new metrics are finite, so a valid ``metrics.json``
    is never replaced by a broken one."""
    run = Path(run)
    opened = open_run(run)
    history = read_history(run)
    if data is None:
        data = load_run_data(run)
    check_data(data)
    data, x_cal, y_cal = _carve(opened.config, data)
    report, images = _evaluate(opened.trainer, opened.state, data, x_cal, y_cal, run)
    remove_temporaries(run, OUTPUTS)
    return write_outputs(run, opened.config, history, report, images)


def predict_image(run: str | Path, image: str | Path) -> tuple[np.ndarray, list[str]]:
    """(class probabilities (K,), class names) for one picture under the run's network; the
    picture is prepared like MNIST (``data.drawing.image_input``)."""
    from jaxscratch.data import drawing

    picture = drawing.read_image(image)  # a bad picture is refused before the run is loaded
    opened = open_run(run)
    x = drawing.mnist_like(picture, tuple(opened.config.data.input_shape))[None]  # (1, h, w)
    proba = opened.predict(x)[0]
    return proba, opened.config.data.class_names(len(proba))
