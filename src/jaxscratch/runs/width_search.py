"""The width search: one network per (h1, h2), validation carved from training, test once.

Contract: ``result = run_sweep(out, data, SweepConfig(...))`` trains one two-hidden-layer network
per width pair on the training part minus a seeded, stratified validation split, recording each
finished pair atomically in ``out/pairs/<h1>x<h2>.json`` (so an interrupted sweep resumes where it
stopped); picks the widths (``choose``); retrains them on the whole training part and touches the
test part once, writing a run directory ``out/final`` (the same files as ``mnist train``).
Also writes ``sweep.json``, ``sweep.md`` and ``heatmap.png``.
"""

import hashlib
import json
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxscratch import nn
from jaxscratch import metrics as metrics_lib
from jaxscratch._io import save_figure, write_json, write_text
from jaxscratch.data.split import split as split_data
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import checkpoint
from jaxscratch.runs import training
from jaxscratch.viz import sweep as viz

_VAL_SALT = 0x7A1  # the validation key is fold_in(key(seed), salt): independent of the others
# one scanned chunk per epoch: one compilation per network (uneven chunks would need two); the
# sweep's progress display moves per epoch
_CHUNKS = 1


class SweepConfig(NamedTuple):
    """What the sweep varies (the widths) and what it holds fixed (everything else)."""

    h1: tuple[int, ...] = (64, 128, 256, 512, 1024)
    h2: tuple[int, ...] = (32, 64, 128, 256, 512)
    model: nn.MLPConfig = nn.MLPConfig((784, 512, 256, 10), "relu", True, 0.1)  # widths replaced
    recipe: nn.TrainConfig = nn.TrainConfig(
        10, 128, "adamw", 3e-3, "cosine", 1.0, weight_decay=1e-4
    )
    val_fraction: float = 0.1
    seed: int = 0
    final_epochs: int | None = None  # epochs of the final network (default: recipe.epochs)
    devices: int = 1  # data-parallel over this many JAX devices


class SweepProgress(NamedTuple):
    """Where the whole sweep is: ``done`` of ``total`` epochs (fractional), and what runs now."""

    done: float
    total: int
    label: str  # e.g. "256x128 epoch 3/10" or "final 512x256 epoch 1/10"


class SweepResult(NamedTuple):
    pairs: list[dict]  # one record per width pair, in sweep order
    chosen: dict  # the chosen pair's record
    reason: str
    metrics: dict  # test metrics of the final network
    final_dir: Path


def check_sweep_config(config: SweepConfig) -> SweepConfig:
    """Refuse empty or non-positive width lists, duplicates and a bad validation share."""
    for name, widths in (("--h1", config.h1), ("--h2", config.h2)):
        if not widths:
            raise JaxscratchError(f"{name} needs at least one width, e.g. {name} 64 128")
        if min(widths) < 1:
            raise JaxscratchError(f"{name} widths must be >= 1, got {list(widths)}")
        if len(set(widths)) != len(widths):
            raise JaxscratchError(f"{name} lists a width twice: {list(widths)}; drop the repeat")
    if not 0.0 < config.val_fraction < 0.5:
        raise JaxscratchError(
            f"validation fraction must be in (0, 0.5), got {config.val_fraction}; e.g. 0.1"
        )
    if config.final_epochs is not None and config.final_epochs < 1:
        raise JaxscratchError(f"final epochs must be >= 1, got {config.final_epochs}")
    return config


def carve_validation(
    key: jax.Array, x: np.ndarray, y: np.ndarray, fraction: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_fit, y_fit, x_val, y_val): a seeded, stratified ``fraction`` of the training part."""
    x_fit, y_fit, x_val, y_val = split_data(key, x, y, test_fraction=fraction, stratify=True)
    return (np.asarray(x_fit, np.float32), np.asarray(y_fit, np.int32),
            np.asarray(x_val, np.float32), np.asarray(y_val, np.int32))  # fmt: skip


def fingerprint(config: SweepConfig, data: training.Data) -> str:
    """What a recorded pair depends on besides its widths; resuming needs it unchanged."""
    what = {
        "model": {**config.model._asdict(), "sizes": None},
        "recipe": config.recipe._asdict(),
        "val_fraction": config.val_fraction,
        "seed": config.seed,
        "data": [data.name, data.split, len(data.y_train), list(data.x_train.shape[1:])],
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]


def choose(pairs: Sequence[dict], n_val: int) -> tuple[dict, str]:
    """The smallest network (fewest parameters) whose validation accuracy is within one
    binomial standard error, sqrt(p (1 - p) / n_val), of the best: differences smaller than
    that are noise of the validation sample, and the smaller network is cheaper and less prone
    to overfit. Returns (chosen record, the reason in words)."""
    if not pairs:
        raise JaxscratchError("no finished width pair to choose from; run the sweep first")
    best = max(pairs, key=lambda p: (p["val_accuracy"], -p["params"]))
    p = best["val_accuracy"]
    se = math.sqrt(max(p * (1 - p), 1.0 / n_val) / n_val)
    near = [q for q in pairs if q["val_accuracy"] >= p - se]
    chosen = min(near, key=lambda q: (q["params"], -q["val_accuracy"]))
    why = (
        f"best validation accuracy {100 * p:.2f} % at {best['h1']}-{best['h2']} "
        f"({best['params']:,} parameters); one standard error of a validation accuracy on "
        f"{n_val:,} images is {100 * se:.2f} points, and {len(near)} pair(s) come within it"
    )
    if chosen is best:
        why += f"; {best['h1']}-{best['h2']} is the smallest of them, so it is chosen"
    else:
        why += (
            f"; the smallest of them, {chosen['h1']}-{chosen['h2']} ({chosen['params']:,} "
            f"parameters, {100 * chosen['val_accuracy']:.2f} %), is chosen: the gap is within "
            "the noise of the validation sample and the smaller network is cheaper"
        )
    return chosen, why


def _pair_path(out: Path, h1: int, h2: int) -> Path:
    return out / "pairs" / f"{h1}x{h2}.json"


def _model(config: SweepConfig, data: training.Data, h1: int, h2: int) -> nn.MLPConfig:
    n_in = int(np.prod(data.x_train.shape[1:]))
    n_out = max(int(data.y_train.max()) + 1, 10)
    return config.model._replace(sizes=(n_in, h1, h2, n_out))


def _train_pair(
    config: SweepConfig,
    data: training.Data,
    split: tuple[np.ndarray, ...],
    h1: int,
    h2: int,
    tick: Callable[[str, float], None],
) -> dict:
    x_fit, y_fit, x_val, y_val = split
    model = _model(config, data, h1, h2)
    trainer = nn.make_trainer(model, config.recipe, len(y_fit), devices=config.devices)
    state = trainer.init(jax.random.key(config.seed))
    epochs = config.recipe.epochs

    def progress(p: nn.EpochProgress) -> None:
        tick(f"{h1}x{h2} epoch {p.epoch}/{epochs}", p.epoch - 1 + p.step / p.steps)

    t0 = time.perf_counter()
    state, history = nn.fit(
        trainer, state, x_fit, y_fit, x_val, y_val, on_progress=progress, chunks_per_epoch=_CHUNKS
    )
    seconds = time.perf_counter() - t0
    return {
        "h1": h1,
        "h2": h2,
        "params": nn.count_params(state.params),
        "val_accuracy": history["test_accuracy"][-1],
        "val_loss": history["test_loss"][-1],
        "best_val_accuracy": max(history["test_accuracy"]),
        "train_loss": history["train_loss"][-1],
        "seconds": seconds,
        "train_seconds": float(sum(history["epoch_seconds"])),
        "epochs": epochs,
        "history": {k: history[k] for k in ("train_loss", "test_loss", "test_accuracy")},
    }


def _final(
    out: Path,
    config: SweepConfig,
    data: training.Data,
    chosen: dict,
    tick: Callable[[str, float], None],
) -> dict:
    """Retrain the chosen widths on the whole training part; evaluate on the test part once."""
    model = _model(config, data, chosen["h1"], chosen["h2"])
    recipe = config.recipe._replace(epochs=config.final_epochs or config.recipe.epochs)
    final = out / "final"
    for name in training.OUTPUTS:  # a half-written final run from an interrupted sweep
        (final / name).unlink(missing_ok=True)
    final.mkdir(parents=True, exist_ok=True)
    trainer = nn.make_trainer(model, recipe, len(data.y_train), devices=config.devices)
    state = trainer.init(jax.random.key(config.seed))
    cfg = training.run_config(data, model, recipe, config.seed, chosen_by="sweep")
    cfg["model"], cfg["train"] = trainer.model._asdict(), trainer.config._asdict()
    write_json(final / "config.json", cfg)
    label = f"final {chosen['h1']}x{chosen['h2']}"

    def progress(p: nn.EpochProgress) -> None:
        tick(f"{label} epoch {p.epoch}/{recipe.epochs}", p.epoch - 1 + p.step / p.steps)

    def save(state, history):
        meta = {"epoch": int(state.epoch), "config": cfg, "history": history}
        checkpoint.save(final / "checkpoint.npz", state, meta)
        write_json(final / "history.json", history)

    # no test data during training: the test part is read once, below
    state, history = nn.fit(
        trainer, state, data.x_train, data.y_train, on_epoch=save, on_progress=progress,
        chunks_per_epoch=_CHUNKS,
    )  # fmt: skip
    proba = nn.evaluate(trainer, state, data.x_test, data.y_test)[2]
    return training.write_outputs(final, metrics_lib.classification_report(data.y_test, proba), history, cfg)


def _summary(pairs: list[dict]) -> list[dict]:
    """Pair records without their per-epoch histories, for tables."""
    return [{k: v for k, v in p.items() if k != "history"} for p in pairs]


def markdown(
    pairs: Sequence[dict], chosen: dict, reason: str, metrics: dict | None, n_val: int
) -> str:
    """``sweep.md``: the table of pairs, the choice and its reason, the test result."""
    lines = [
        "# Width search",
        "",
        f"Validation accuracy on {n_val:,} held-out training images (test part untouched).",
        "",
        "| h1 | h2 | parameters | validation accuracy | validation loss | seconds |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for p in sorted(pairs, key=lambda p: (p["h1"], p["h2"])):
        mark = " **(chosen)**" if (p["h1"], p["h2"]) == (chosen["h1"], chosen["h2"]) else ""
        lines.append(
            f"| {p['h1']} | {p['h2']} | {p['params']:,} | {100 * p['val_accuracy']:.2f} %{mark} "
            f"| {p['val_loss']:.4f} | {p['seconds']:.1f} |"
        )
    lines += [
        "",
        f"**Chosen widths: {chosen['h1']}-{chosen['h2']}.** {reason[:1].upper()}{reason[1:]}.",
        "",
    ]
    if metrics is not None:
        lines.append(
            f"Final network (retrained on the whole training part, test part read once): "
            f"test accuracy {100 * metrics['accuracy']:.2f} %, macro F1 {metrics['macro_f1']:.4f}"
            f", log loss {metrics['log_loss']:.4f}; full report in `final/report.md`."
        )
    return "\n".join(lines) + "\n"


def _grid(config: SweepConfig, pairs: Sequence[dict]) -> np.ndarray:
    acc = np.full((len(config.h1), len(config.h2)), np.nan)
    for p in pairs:
        acc[config.h1.index(p["h1"]), config.h2.index(p["h2"])] = p["val_accuracy"]
    return acc


def run_sweep(
    out: str | Path,
    data: training.Data,
    config: SweepConfig,
    *,
    resume: bool = True,
    final: bool = True,
    on_progress: Callable[[SweepProgress], None] | None = None,
    on_pair: Callable[[dict, bool], None] | None = None,
) -> SweepResult:
    """Run (or finish) the sweep in ``out``; see the module docstring for the files written.

    ``on_pair(record, reused)`` is called after each pair (``reused`` when read back from an
    earlier, interrupted run). A recorded sweep with another fingerprint (other recipe, data
    or seed) is refused unless ``resume=False``, which starts again. With ``final=False`` the
    chosen widths are not retrained and the test part is not read (``metrics`` is empty).
    """
    config = check_sweep_config(config)
    out = Path(out)
    nn.train.check_train_config(config.recipe, len(data.y_train))
    key = jax.random.fold_in(jax.random.key(config.seed), _VAL_SALT)
    split = carve_validation(key, data.x_train, data.y_train, config.val_fraction)
    split = tuple(jnp.asarray(a) for a in split)  # on the device once, shared by every network
    nn.train.check_train_config(config.recipe, len(split[1]))
    n_val = len(split[3])
    stamp = fingerprint(config, data)
    meta_path = out / "sweep_config.json"
    if meta_path.is_file() and resume:
        old = json.loads(meta_path.read_text()).get("fingerprint")
        if old != stamp:
            raise JaxscratchError(
                f"{out} holds a sweep with another recipe, data or seed; pass --overwrite "
                "to start again or use another --out"
            )
    elif not resume and (out / "pairs").is_dir():
        for f in (out / "pairs").glob("*.json"):
            f.unlink()
    write_json(meta_path, {"fingerprint": stamp, "h1": list(config.h1), "h2": list(config.h2),
                           "recipe": config.recipe._asdict(), "seed": config.seed})  # fmt: skip
    grid = [(a, b) for a in config.h1 for b in config.h2]
    final_epochs = config.final_epochs or config.recipe.epochs
    total = len(grid) * config.recipe.epochs + (final_epochs if final else 0)
    base = 0.0

    def tick(label: str, done: float) -> None:
        if on_progress is not None:
            on_progress(SweepProgress(base + done, total, label))

    pairs = []
    for h1, h2 in grid:
        path = _pair_path(out, h1, h2)
        reused = path.is_file()
        if reused:
            record = json.loads(path.read_text())
        else:
            record = _train_pair(config, data, split, h1, h2, tick)
            write_json(path, record)  # atomic: a pair is either recorded whole or not at all
        pairs.append(record)
        base += config.recipe.epochs
        tick(f"{h1}x{h2} done", 0.0)
        if on_pair is not None:
            on_pair(record, reused)
    chosen, reason = choose(pairs, n_val)
    rows = _summary(pairs)
    fig = viz.heatmap(config.h1, config.h2, _grid(config, pairs), (chosen["h1"], chosen["h2"]))
    save_figure(out / "heatmap.png", fig, dpi=110)
    metrics = _final(out, config, data, chosen, tick) if final else {}
    tick("done", final_epochs if final else 0)
    record: dict[str, Any] = {
        "h1": list(config.h1),
        "h2": list(config.h2),
        "n_fit": len(split[1]),
        "n_val": n_val,
        "n_test": len(data.y_test),
        "data": {"name": data.name, "source": data.source, "split": data.split},
        "recipe": config.recipe._asdict(),
        "model": {**config.model._asdict(), "sizes": None},
        "seed": config.seed,
        "pairs": rows,
        "chosen": {
            "h1": chosen["h1"],
            "h2": chosen["h2"],
            "params": chosen["params"],
            "val_accuracy": chosen["val_accuracy"],
        },  # fmt: skip
        "reason": reason,
        "test": {k: metrics[k] for k in ("accuracy", "macro_f1", "log_loss", "ece")}
        if final
        else None,
        "final_dir": "final" if final else None,
    }
    write_json(out / "sweep.json", record)
    write_text(out / "sweep.md", markdown(rows, chosen, reason, metrics or None, n_val))
    return SweepResult(pairs, chosen, reason, metrics, out / "final")
