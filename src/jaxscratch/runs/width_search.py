"""The width search: one network per (h1, h2), validation carved from training, test once.

Contract: ``result = run_sweep(out, data, SweepConfig(...), key=key)`` trains one
two-hidden-layer network per width pair on the training part minus a stratified validation
split (drawn from the run key's validation stream, ``run_keys``), recording each
finished pair atomically in ``out/pairs/<h1>x<h2>.json`` (a ``PairRecord``; an interrupted
sweep resumes where it stopped); picks the widths (``choose``); retrains them on the whole
training part with ``training.train_run`` and the same key (so the final network is the one
``mnist train`` trains with these widths) and touches the test part once, at the end, writing
the run directory ``out/final``. Also writes ``sweep_config.json``, ``sweep.json`` (the
``SweepResult``) and ``sweep.md``; the pictures layer adds ``heatmap.png``.
``sweep_dataset`` is the whole of ``mnist sweep``.
"""

import hashlib
import json
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxscratch import nn
from jaxscratch._io import check_writable, read_json, remove_temporaries, write_json, write_text
from jaxscratch.data.split import split as split_data
from jaxscratch.errors import JaxscratchError
from jaxscratch.runs import recipes, training
from jaxscratch.runs.records import (
    Data,
    PairRecord,
    RunResult,
    SweepResult,
    check_object,
    key_to_json,
    run_keys,
)

SWEEP_FILES = ("sweep_config.json", "sweep.json", "sweep.md", "heatmap.png")

# one scanned chunk per epoch: one compilation per network (uneven chunks would need two); the
# sweep's progress display moves per epoch
_CHUNKS = 1


class SweepConfig(NamedTuple):
    """What the sweep varies (the widths) and what it holds fixed (everything else)."""

    h1: tuple[int, ...] = recipes.SWEEP.h1
    h2: tuple[int, ...] = recipes.SWEEP.h2
    model: nn.MLPConfig = recipes.MODEL  # hidden widths replaced, input and output fitted
    recipe: nn.TrainConfig = recipes.TRAIN  # ``epochs``: per network of the search
    val_fraction: float = recipes.VAL_FRACTION
    final_epochs: int | None = None  # epochs of the final network (default: recipe.epochs)
    devices: int = 1  # data-parallel over this many JAX devices


class SweepProgress(NamedTuple):
    """Where the whole sweep is: ``done`` of ``total`` epochs (fractional), and what runs now."""

    done: float
    total: int
    label: str  # e.g. "256x128 epoch 3/10" or "final 512x256 epoch 1/10"


def check_sweep_config(config: SweepConfig) -> SweepConfig:
    """Refuse empty or non-positive width lists, duplicates, a bad validation share and epochs."""
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
    if config.recipe.epochs < 1:
        raise JaxscratchError(f"--epochs must be >= 1, got {config.recipe.epochs}")
    if config.final_epochs is not None and config.final_epochs < 1:
        raise JaxscratchError(f"final epochs must be >= 1, got {config.final_epochs}")
    return config


def carve_validation(
    key: jax.Array, x: np.ndarray, y: np.ndarray, fraction: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_fit, y_fit, x_val, y_val): a stratified ``fraction`` of the training part."""
    x_fit, y_fit, x_val, y_val = split_data(key, x, y, test_fraction=fraction, stratify=True)
    return (np.asarray(x_fit, np.float32), np.asarray(y_fit, np.int32),
            np.asarray(x_val, np.float32), np.asarray(y_val, np.int32))  # fmt: skip


def fingerprint(config: SweepConfig, data: Data, key: jax.Array) -> str:
    """What a recorded pair depends on besides its widths; resuming needs it unchanged."""
    recipe = config.recipe._asdict()
    if recipe["precision"] == "f32":  # as before precisions existed: older sweeps resume
        del recipe["precision"]
    what = {
        "model": {**config.model._asdict(), "sizes": None},
        "recipe": recipe,
        "val_fraction": config.val_fraction,
        "key": key_to_json(key),
        "data": [data.name, data.split, len(data.y_train), list(data.x_train.shape[1:])],
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]


def choose(pairs: Sequence[PairRecord], n_val: int) -> tuple[PairRecord, str]:
    """The smallest network (fewest parameters) whose validation accuracy is within one
    binomial standard error, sqrt(p (1 - p) / n_val), of the best: differences smaller than
    that are noise of the validation sample, and the smaller network is cheaper and less prone
    to overfit. Returns (chosen record, the reason in words)."""
    if not pairs:
        raise JaxscratchError("no finished width pair to choose from; run the sweep first")
    best = max(pairs, key=lambda p: (p.val_accuracy, -p.params))
    p = best.val_accuracy
    se = math.sqrt(max(p * (1 - p), 1.0 / n_val) / n_val)
    near = [q for q in pairs if q.val_accuracy >= p - se]
    chosen = min(near, key=lambda q: (q.params, -q.val_accuracy))
    why = (
        f"best validation accuracy {100 * p:.2f} % at {best.h1}-{best.h2} "
        f"({best.params:,} parameters); one standard error of a validation accuracy on "
        f"{n_val:,} images is {100 * se:.2f} points, and {len(near)} pair(s) come within it"
    )
    if chosen is best:
        why += f"; {best.h1}-{best.h2} is the smallest of them, so it is chosen"
    else:
        why += (
            f"; the smallest of them, {chosen.h1}-{chosen.h2} ({chosen.params:,} "
            f"parameters, {100 * chosen.val_accuracy:.2f} %), is chosen: the gap is within "
            "the noise of the validation sample and the smaller network is cheaper"
        )
    return chosen, why


def _pair_path(out: Path, h1: int, h2: int) -> Path:
    return out / "pairs" / f"{h1}x{h2}.json"


_FILES = ("sweep_config.json", "sweep.json", "sweep.md", "heatmap.png")


def read_sweep_config(out: str | Path) -> dict:
    """``out/sweep_config.json``, checked (the one loader of a sweep's config)."""
    path = Path(out) / "sweep_config.json"
    fix = "pass --overwrite to start the sweep again, or use another --out"
    d = check_object(read_json(path, fix=fix), path, "the sweep config", fix,
                     required=("fingerprint",))  # fmt: skip
    for k in ("h1", "h2"):
        d.setdefault(k, [])
        if not isinstance(d[k], list) or not all(isinstance(w, int) for w in d[k]):
            raise JaxscratchError(f"{path}: {k} is {d[k]!r}, not a list of widths; {fix}")
    if not isinstance(d["fingerprint"], str):
        raise JaxscratchError(f"{path}: the fingerprint is not a string; {fix}")
    return d


class Recorded(NamedTuple):
    """What a sweep directory holds: what an interrupted ``mnist sweep`` resumes from."""

    pairs: int  # width pairs recorded in ``pairs/``
    total: int  # pairs in the sweep (0: its config not written yet)
    complete: bool  # every pair, the final network, ``sweep.json`` and the heat map written


def recorded(out: str | Path) -> Recorded:
    """What ``out`` holds of its sweep (read from ``sweep_config.json`` and ``pairs/``)."""
    out = Path(out)
    if not (out / "sweep_config.json").is_file():
        return Recorded(0, 0, False)
    d = read_sweep_config(out)
    grid = [(a, b) for a in d["h1"] for b in d["h2"]]
    done = sum(_pair_path(out, *w).is_file() for w in grid)
    since = (out / "sweep_config.json").stat().st_mtime_ns
    after = [out / "sweep.json", out / "heatmap.png"]
    complete = all(p.is_file() and p.stat().st_mtime_ns >= since for p in after)
    complete = complete and training.saved(out / "final").complete
    return Recorded(done, len(grid), done == len(grid) and complete)


def _train_pair(
    config: SweepConfig,
    data: Data,
    split: tuple[jax.Array, ...],
    widths: tuple[int, int],
    key: jax.Array,
    tick: Callable[[str, float], None],
) -> PairRecord:
    x_fit, y_fit, x_val, y_val = split
    model = recipes.model_for(data, config.model, widths)
    trainer = nn.make_trainer(model, config.recipe, len(y_fit), devices=config.devices)
    state = trainer.init(run_keys(key).train)  # as train_run: the final network's init
    epochs = config.recipe.epochs
    label = "x".join(map(str, widths))

    def progress(p: nn.EpochProgress) -> None:
        tick(f"{label} epoch {p.epoch}/{epochs}", p.epoch - 1 + p.step / p.steps)

    t0 = time.perf_counter()
    state, history = nn.fit(
        trainer, state, x_fit, y_fit, x_val, y_val, on_progress=progress, chunks_per_epoch=_CHUNKS
    )
    seconds = time.perf_counter() - t0
    return PairRecord(
        *widths,
        params=nn.count_params(state.params),
        val_accuracy=history["test_accuracy"][-1],
        val_loss=history["test_loss"][-1],
        best_val_accuracy=max(history["test_accuracy"]),
        train_loss=history["train_loss"][-1],
        seconds=seconds,
        train_seconds=float(sum(history["epoch_seconds"])),
        epochs=epochs,
        history={k: history[k] for k in ("train_loss", "test_loss", "test_accuracy")},
    )


def _final(
    out: Path,
    config: SweepConfig,
    data: Data,
    chosen: PairRecord,
    key: jax.Array,
    seed: int | None,
    tick: Callable[[str, float], None],
) -> RunResult:
    """Retrain the chosen widths on the whole training part; evaluate on the test part once."""
    model = recipes.model_for(data, config.model, (chosen.h1, chosen.h2))
    recipe = config.recipe._replace(epochs=config.final_epochs or config.recipe.epochs)
    label = f"final {chosen.h1}x{chosen.h2}"

    def progress(p: nn.EpochProgress) -> None:
        tick(f"{label} epoch {p.epoch}/{recipe.epochs}", p.epoch - 1 + p.step / p.steps)

    # overwrite: a half-written final run from an interrupted sweep is started again
    return training.train_run(
        out / "final", data, model, recipe, key=key, seed=seed, overwrite=True,
        test_every_epoch=False, chosen_by="sweep", on_progress=progress, devices=config.devices,
    )  # fmt: skip


def sweep_markdown(result: SweepResult) -> str:
    """``sweep.md``: the table of pairs, the choice and its reason, the test result."""
    chosen, m = result.chosen, result.metrics
    lines = [
        "# Width search",
        "",
        f"Validation accuracy on {result.n_val:,} held-out training images (test part untouched).",
        "",
        "| h1 | h2 | parameters | validation accuracy | validation loss | seconds |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for p in sorted(result.pairs, key=lambda p: (p.h1, p.h2)):
        mark = " **(chosen)**" if (p.h1, p.h2) == (chosen.h1, chosen.h2) else ""
        lines.append(
            f"| {p.h1} | {p.h2} | {p.params:,} | {100 * p.val_accuracy:.2f} %{mark} "
            f"| {p.val_loss:.4f} | {p.seconds:.1f} |"
        )
    reason = result.reason
    lines += [
        "",
        f"**Chosen widths: {chosen.h1}-{chosen.h2}.** {reason[:1].upper()}{reason[1:]}.",
        "",
    ]
    if m is not None:
        lines.append(
            f"Final network (retrained on the whole training part, test part read once): "
            f"test accuracy {100 * m.accuracy:.2f} %, macro F1 {m.macro_f1:.4f}"
            f", log loss {m.log_loss:.4f}; full report in `final/report.md`."
        )
    return "\n".join(lines) + "\n"


def run_sweep(
    out: str | Path,
    data: Data,
    config: SweepConfig,
    *,
    key: jax.Array,
    seed: int | None = None,
    resume: bool = True,
    final: bool = True,
    on_progress: Callable[[SweepProgress], None] | None = None,
    on_pair: Callable[[PairRecord, bool], None] | None = None,
) -> SweepResult:
    """Run (or finish) the sweep in ``out``; see the module docstring for the files written.

    ``key`` is the run's key (``run_keys``: the validation carve and every network's
    initial state draw from its streams); ``seed``, the seed it came from, is only recorded.
    ``on_pair(record, reused)`` is called after each pair (``reused`` when read back from an
    earlier, interrupted run). A recorded sweep with another fingerprint (other recipe, data
    or key) is refused unless ``resume=False``, which starts again. With ``final=False`` the
    chosen widths are not retrained and the test part is not read (``metrics`` is None).
    """
    config = check_sweep_config(config)
    out = Path(out)
    training.check_data(data)
    split = carve_validation(
        run_keys(key).validation, data.x_train, data.y_train, config.val_fraction
    )
    split = tuple(jnp.asarray(a) for a in split)  # on the device once, shared by every network
    n_fit, n_val = len(split[1]), len(split[3])
    first = recipes.model_for(data, config.model, (config.h1[0], config.h2[0]))
    training.check_recipe(first, config.recipe, config.devices, n_train=n_fit)
    stamp = fingerprint(config, data, key)
    meta_path = out / "sweep_config.json"
    grid = [(a, b) for a in config.h1 for b in config.h2]
    if meta_path.is_file() and resume:
        if read_sweep_config(out)["fingerprint"] != stamp:
            raise JaxscratchError(
                f"{out} holds a sweep with another recipe, data or seed; pass --overwrite "
                "to start again or use another --out"
            )

    def prepare() -> None:  # process 0, once every process has read the folder
        if not resume and (out / "pairs").is_dir():
            for f in (out / "pairs").glob("*.json"):
                f.unlink()
        write_json(meta_path, {"fingerprint": stamp, "h1": list(config.h1),
                               "h2": list(config.h2), "recipe": config.recipe._asdict(),
                               "seed": seed, "key": key_to_json(key)})  # fmt: skip
        remove_temporaries(out, _FILES)  # what a killed writer left
        remove_temporaries(out / "pairs", [_pair_path(out, *w).name for w in grid])

    training.open_dir(out, prepare)
    final_epochs = config.final_epochs or config.recipe.epochs
    total = len(grid) * config.recipe.epochs + (final_epochs if final else 0)
    base = 0.0

    def tick(label: str, done: float) -> None:
        if on_progress is not None:
            on_progress(SweepProgress(base + done, total, label))

    pairs = []
    for widths in grid:
        path = _pair_path(out, *widths)
        reused = path.is_file()
        if reused:
            record = PairRecord.read(path)
        else:
            record = _train_pair(config, data, split, widths, key, tick)
            if training.writes():
                write_json(
                    path, record.to_json()
                )  # atomic: a pair is recorded whole or not at all
        pairs.append(record)
        base += config.recipe.epochs
        tick(f"{widths[0]}x{widths[1]} done", 0.0)
        if on_pair is not None:
            on_pair(record, reused)
    chosen, reason = choose(pairs, n_val)
    metrics, final_dir = None, None
    if final:
        run = _final(out, config, data, chosen, key, seed, tick)
        metrics, final_dir = run.metrics, run.out
    tick("done", final_epochs if final else 0)
    result = SweepResult(
        config.h1, config.h2, pairs, chosen, reason, metrics, final_dir, n_fit, n_val,
        len(data.y_test), {"name": data.name, "source": data.source, "split": data.split},
        config.model, config.recipe, key, seed,
    )  # fmt: skip
    if training.writes():
        write_json(out / "sweep.json", result.to_json())
        write_text(out / "sweep.md", sweep_markdown(result))
    return result


def sweep_dataset(
    out: str | Path,
    config: SweepConfig,
    *,
    dataset: str,
    key: jax.Array,
    data_dir: str | Path | None = None,
    split: str = "80-20",
    seed: int | None = None,
    overwrite: bool = False,
    on_data: Callable[[Data], None] | None = None,
    on_progress: Callable[[SweepProgress], None] | None = None,
    on_pair: Callable[[PairRecord, bool], None] | None = None,
) -> SweepResult:
    """What ``mnist sweep`` does, refusing bad input before any data is read: check the sweep
    and its recipe and the folder; load the data set with the run's key; call
    ``on_data(data)``; run (or, unless ``overwrite``, resume) the sweep."""
    config = check_sweep_config(config)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise JaxscratchError(f"sweep directory {out} is a file; give a directory path")
    check_writable(out, folder=True, files=SWEEP_FILES)
    training.check_recipe(config.model, config.recipe, config.devices)
    widest = config.model.sizes[0], max(config.h1), max(config.h2), config.model.sizes[-1]
    training.check_memory(config.model._replace(sizes=widest), config.recipe)
    data = training.load_data(dataset, key=key, data_dir=data_dir, split=split)
    if on_data is not None:
        on_data(data)
    return run_sweep(out, data, config, key=key, seed=seed, resume=not overwrite,
                     on_progress=on_progress, on_pair=on_pair)  # fmt: skip
