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
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import jax
import numpy as np

from jaxscratch import limits, nn
from jaxscratch import metrics as metrics_lib
from jaxscratch._io import check_writable, write_json, write_text
from jaxscratch._shared import check_choice
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import checkpoint
from jaxscratch.runs import markdown, recipes
from jaxscratch.runs.records import Data, DataInfo, Metrics, RunConfig, RunResult, run_keys

FIGURES = markdown.FIGURES  # drawn by the pictures layer from the run's records
OUTPUTS = (
    "config.json",
    "history.json",
    "metrics.json",
    *FIGURES,
    "report.md",
    "checkpoint.npz",
    "checkpoint.prev.npz",
    "checkpoint.json",
)
SPLITS = ("80-20", "official")


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


def check_run_dir(out: str | Path, *, resume: bool, overwrite: bool) -> None:
    """Refuse a run directory that cannot be used as asked (no side effects)."""
    out = Path(out)
    if resume and overwrite:
        raise JaxscratchError("--resume and --overwrite contradict each other; pass one of them")
    if out.exists() and not out.is_dir():
        raise JaxscratchError(f"run directory {out} is a file; give a directory path")
    check_writable(out, folder=True, files=OUTPUTS)
    busy = out.is_dir() and any(out.iterdir())
    if resume:
        if not (out / "checkpoint.npz").is_file():
            raise JaxscratchError(
                f"no checkpoint in {out} to resume; drop --resume to start a run"
            )
        checkpoint.read_meta(out / "checkpoint.npz")  # refuse a corrupt file before anything else
        if not (out / "config.json").is_file():
            raise JaxscratchError(f"{out} has no config.json to resume from; use --overwrite")
    elif busy and not overwrite:
        raise JaxscratchError(
            f"run directory {out} already exists; pass --resume to continue it or --overwrite "
            "to start again"
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


def _prepare_dir(out: Path, *, resume: bool, overwrite: bool) -> None:
    check_run_dir(out, resume=resume, overwrite=overwrite)
    if resume:
        return
    for name in OUTPUTS:  # only our own files are removed
        (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


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
        ``key`` are ignored); ``epochs``, if given, extends the run.
      test_every_epoch: evaluate on the test part after each epoch (``history.json``); False
        reads the test part once, at the end.
      chosen_by: recorded in ``config.json``'s data (``"sweep"`` for a width search's network).
      devices: > 1 trains data parallel (``nn.make_trainer``).
    """
    out = Path(out)
    _prepare_dir(out, resume=resume, overwrite=overwrite)
    if resume:
        cfg = RunConfig.read(out)
    elif key is None:
        raise JaxscratchError("train_run needs a key, e.g. key=jax.random.key(0)")
    else:
        cfg = RunConfig(model, recipe, DataInfo.of(data, chosen_by), key, seed)
    if epochs is not None:
        cfg = cfg._replace(train=cfg.train._replace(epochs=epochs))
    trainer = nn.make_trainer(cfg.model, cfg.train, len(data.y_train), devices=devices)
    cfg = cfg._replace(model=trainer.model, train=trainer.config)
    write_json(out / "config.json", cfg.to_json())
    state = trainer.init(run_keys(cfg.key).train)
    history = None
    if resume:
        state, meta = checkpoint.load(out / "checkpoint.npz", state)
        history = meta["history"]

    def save(state, history):
        meta = {"epoch": int(state.epoch), "config": cfg.to_json(), "history": history}
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
    write_json(out / "history.json", history)
    proba = nn.evaluate(trainer, state, data.x_test, data.y_test)[2]
    return write_outputs(out, cfg, history, metrics_lib.classification_report(data.y_test, proba))


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
    check_run_dir(out, resume=resume, overwrite=overwrite)
    if epochs is not None and epochs < 1:
        raise JaxscratchError(f"--epochs must be >= 1, got {epochs}")
    if resume:  # the run's own data, architecture and recipe; ``epochs`` may extend it
        data = load_run_data(out)
    else:
        check_recipe(model, recipe, devices)
        data = load_data(dataset, key=key, data_dir=data_dir, split=split)
    if on_data is not None:
        on_data(data)
    return train_run(
        out, data, recipes.model_for(data, model), recipe, key=key, seed=seed, resume=resume,
        overwrite=overwrite, epochs=epochs, on_progress=on_progress, on_epoch=on_epoch,
        devices=devices,
    )  # fmt: skip


def write_outputs(out: Path, cfg: RunConfig, history: dict, report: dict) -> RunResult:
    """``metrics.json`` and ``report.md``; returns the run's result."""
    result = RunResult(out, cfg, history, Metrics.from_report(report))
    write_json(out / "metrics.json", result.metrics.to_json())
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
    """The config, trainer and trained state of a run directory."""
    cfg = RunConfig.read(run)
    trainer = nn.make_trainer(cfg.model, cfg.train, max(cfg.data.n_train, cfg.train.batch_size))
    key = jax.random.key(0) if cfg.key is None else cfg.key  # the checkpoint holds the state's key
    template = trainer.init(run_keys(key).train)
    state, _ = checkpoint.load(Path(run) / "checkpoint.npz", template)
    return OpenRun(cfg, trainer, state)


def evaluate_run(run: str | Path, data: Data | None = None) -> RunResult:
    """Recompute the test metrics of a run (reloading its data split unless given) and rewrite
    its metrics and report."""
    run = Path(run)
    opened = open_run(run)
    if data is None:
        data = load_run_data(run)
    proba = nn.evaluate(opened.trainer, opened.state, data.x_test, data.y_test)[2]
    history = json.loads((run / "history.json").read_text())
    report = metrics_lib.classification_report(data.y_test, proba)
    return write_outputs(run, opened.config, history, report)


def predict_image(run: str | Path, image: str | Path) -> tuple[np.ndarray, list[str]]:
    """(class probabilities (K,), class names) for one picture under the run's network; the
    picture is prepared like MNIST (``data.drawing.image_input``)."""
    from jaxscratch.data import drawing

    picture = drawing.read_image(image)  # a bad picture is refused before the run is loaded
    opened = open_run(run)
    x = drawing.mnist_like(picture, tuple(opened.config.data.input_shape))[None]  # (1, h, w)
    proba = opened.predict(x)[0]
    return proba, opened.config.data.class_names(len(proba))
