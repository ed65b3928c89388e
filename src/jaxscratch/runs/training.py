"""Training runs on disk: data in, a run directory out (config, history, metrics, figures, report).

Contract: ``train_run(out, data, model, recipe, seed=...)`` trains (or, with ``resume=True``,
continues) and leaves in ``out``: ``config.json``, ``history.json``, ``checkpoint.npz`` (+ its
previous copy and JSON), ``metrics.json``, ``curves.png``, ``confusion.png``,
``reliability.png`` and ``report.md``. ``evaluate_run`` and ``predict_image`` reopen a run.
Data come as plain arrays (``Data``); ``load_data`` builds them with ``jaxscratch.data``.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import jax
import numpy as np

from jaxscratch import metrics as metrics_lib
from jaxscratch import nn
from jaxscratch._io import save_figure, write_json, write_text
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn import checkpoint
from jaxscratch.runs import markdown as report_lib
from jaxscratch.viz import nn as figures

OUTPUTS = (
    "config.json",
    "history.json",
    "metrics.json",
    "curves.png",
    "confusion.png",
    "reliability.png",
    "report.md",
    "checkpoint.npz",
    "checkpoint.prev.npz",
    "checkpoint.json",
)
SPLITS = ("80-20", "official")
_SPLIT_SALT = 0x5B117  # the split key is fold_in(key(seed), salt): independent of the init key


class Data(NamedTuple):
    """Images scaled to [0, 1] and integer labels."""

    x_train: np.ndarray  # (n_train, h, w) float32
    y_train: np.ndarray  # (n_train,) int32
    x_test: np.ndarray  # (n_test, h, w) float32
    y_test: np.ndarray  # (n_test,) int32
    name: str = "custom"
    source: str = "arrays"
    split: str = "given"
    classes: tuple[str, ...] = ()  # class names; empty means "0", "1", ...


def load_data(
    dataset: str = "mnist",
    *,
    data_dir: str | Path | None = None,
    split: str = "80-20",
    seed: int = 0,
    verbose: bool = False,
) -> Data:
    """Load a dataset by name and split it: ``80-20`` pools train + test and draws a seeded
    stratified 20 % test part; ``official`` keeps the shipped train/test parts."""
    try:  # the data layer is optional for the library API, which takes arrays
        from jaxscratch import data as data_lib
    except ImportError:
        raise JaxscratchError(
            "the data layer jaxscratch.data is not installed; pass arrays to train_run instead"
        ) from None

    if split not in SPLITS:
        raise JaxscratchError(f"unknown split {split!r}; choose {' or '.join(SPLITS)}")
    ds = data_lib.load(dataset, data_dir=data_dir, verbose=verbose)
    if split == "official":
        x_tr, y_tr, x_te, y_te = ds.x_train, ds.y_train, ds.x_test, ds.y_test
    else:
        x, y = data_lib.pool(ds)
        key = jax.random.fold_in(jax.random.key(seed), _SPLIT_SALT)
        x_tr, y_tr, x_te, y_te = data_lib.split(key, x, y, test_fraction=0.2, stratify=True)
    scale = data_lib.scale
    known = getattr(data_lib, "DATASETS", {}).get(ds.name)
    return Data(
        np.asarray(scale(x_tr), np.float32),
        np.asarray(y_tr, np.int32),
        np.asarray(scale(x_te), np.float32),
        np.asarray(y_te, np.int32),
        ds.name,
        ds.source,
        split,
        tuple(known.classes) if known is not None else (),
    )


def check_run_dir(out: str | Path, *, resume: bool, overwrite: bool) -> None:
    """Refuse a run directory that cannot be used as asked (no side effects)."""
    out = Path(out)
    if resume and overwrite:
        raise JaxscratchError("--resume and --overwrite contradict each other; pass one of them")
    if out.exists() and not out.is_dir():
        raise JaxscratchError(f"run directory {out} is a file; give a directory path")
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


def _prepare_dir(out: Path, *, resume: bool, overwrite: bool) -> None:
    check_run_dir(out, resume=resume, overwrite=overwrite)
    if resume:
        return
    for name in OUTPUTS:  # only our own files are removed
        (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def run_config(
    data: Data, model: nn.MLPConfig, recipe: nn.TrainConfig, seed: int, **extra
) -> dict:
    return {
        "model": model._asdict(),
        "train": recipe._asdict(),
        "seed": seed,
        "data": {
            "dataset": data.name,  # the name to load it by; "name" is what the loader reported
            "name": data.name,
            "source": data.source,
            "split": data.split,
            "input_shape": list(data.x_train.shape[1:]),
            "classes": list(data.classes),
            "n_train": int(len(data.y_train)),
            "n_test": int(len(data.y_test)),
            **extra,
        },
    }


def _configs(cfg: dict) -> tuple[nn.MLPConfig, nn.TrainConfig]:
    model = cfg["model"]
    return nn.MLPConfig(**{**model, "sizes": tuple(model["sizes"])}), nn.TrainConfig(
        **cfg["train"]
    )


def train_run(
    out: str | Path,
    data: Data,
    model: nn.MLPConfig,
    recipe: nn.TrainConfig,
    *,
    seed: int = 0,
    resume: bool = False,
    overwrite: bool = False,
    epochs: int | None = None,
    on_progress: Callable[[nn.EpochProgress], None] | None = None,
    on_epoch: Callable[[dict], None] | None = None,
    data_meta: dict | None = None,
    devices: int = 1,
) -> dict[str, Any]:
    """Train into ``out``; returns the test metrics. With ``resume`` the saved config is used
    (``model`` and ``recipe`` are ignored) and ``epochs``, if given, extends the run.
    ``devices`` > 1 trains data parallel (``nn.make_trainer``)."""
    out = Path(out)
    _prepare_dir(out, resume=resume, overwrite=overwrite)
    if resume:
        cfg = json.loads((out / "config.json").read_text())
        model, recipe = _configs(cfg)
    else:
        cfg = run_config(data, model, recipe, seed, **(data_meta or {}))
    if epochs is not None:
        recipe = recipe._replace(epochs=epochs)
    trainer = nn.make_trainer(model, recipe, len(data.y_train), devices=devices)
    cfg["model"], cfg["train"] = trainer.model._asdict(), trainer.config._asdict()
    write_json(out / "config.json", cfg)
    state = trainer.init(jax.random.key(cfg["seed"]))
    history = None
    if resume:
        state, meta = checkpoint.load(out / "checkpoint.npz", state)
        history = meta["history"]

    def save(state, history):
        meta = {"epoch": int(state.epoch), "config": cfg, "history": history}
        checkpoint.save(out / "checkpoint.npz", state, meta)
        write_json(out / "history.json", history)
        if on_epoch is not None:
            on_epoch(history)

    try:
        state, history = nn.fit(
            trainer,
            state,
            data.x_train,
            data.y_train,
            data.x_test,
            data.y_test,
            history=history,
            on_epoch=save,
            on_progress=on_progress,
        )
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
    return write_outputs(out, metrics_lib.classification_report(data.y_test, proba), history, cfg)


def write_outputs(out: Path, m: dict, history: dict, cfg: dict) -> dict:
    """metrics.json, the three figures and report.md; returns the metrics."""
    write_json(out / "metrics.json", m)
    save_figure(out / "curves.png", figures.curves(history), dpi=110)
    names = cfg["data"].get("classes") or None
    save_figure(out / "confusion.png", figures.confusion(m["confusion_matrix"], names), dpi=110)
    rel = m["reliability"]
    fig = figures.reliability(
        rel["edges"], rel["confidence"], rel["accuracy"], rel["count"], m["ece"]
    )
    save_figure(out / "reliability.png", fig, dpi=110)
    write_text(out / "report.md", report_lib.markdown(m, history, cfg, names))
    return m


def open_run(run: str | Path) -> tuple[dict, nn.Trainer, nn.TrainState]:
    """(config, trainer, trained state) of a run directory."""
    run = Path(run)
    if not (run / "config.json").is_file():
        raise JaxscratchError(
            f"{run} is not a run directory (no config.json); give the --out of a run"
        )
    cfg = json.loads((run / "config.json").read_text())
    model, recipe = _configs(cfg)
    trainer = nn.make_trainer(model, recipe, max(cfg["data"]["n_train"], recipe.batch_size))
    state, _ = checkpoint.load(run / "checkpoint.npz", trainer.init(jax.random.key(cfg["seed"])))
    return cfg, trainer, state


def load_run_data(run: str | Path) -> Data:
    """The data split a run was trained on, reloaded from its ``config.json``."""
    run = Path(run)
    if not (run / "config.json").is_file():
        raise JaxscratchError(f"{run} is not a run directory (no config.json); give a run's --out")
    cfg = json.loads((run / "config.json").read_text())
    d = cfg["data"]
    return load_data(d["dataset"], data_dir=d.get("data_dir"), split=d["split"], seed=cfg["seed"])


def evaluate_run(run: str | Path, data: Data | None = None) -> dict[str, Any]:
    """Recompute the test metrics of a run (reloading its data split unless given) and rewrite
    its metrics, figures and report."""
    run = Path(run)
    cfg, trainer, state = open_run(run)
    if data is None:
        data = load_run_data(run)
    proba = nn.evaluate(trainer, state, data.x_test, data.y_test)[2]
    history = json.loads((run / "history.json").read_text())
    return write_outputs(run, metrics_lib.classification_report(data.y_test, proba), history, cfg)


def image_to_array(path: str | Path, shape: tuple[int, int]) -> np.ndarray:
    """A picture as a (h, w) float32 in [0, 1], light strokes on dark like MNIST."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            gray = im.convert("L").resize((shape[1], shape[0]), Image.Resampling.BILINEAR)
    except (FileNotFoundError, UnidentifiedImageError, OSError) as err:
        raise JaxscratchError(
            f"cannot read image {path}: {type(err).__name__}; give a PNG/JPEG file"
        ) from None
    x = np.asarray(gray, np.float32) / 255.0
    return 1.0 - x if x.mean() > 0.5 else x  # dark digit on a light page: invert


def predict_image(run: str | Path, image: str | Path) -> tuple[np.ndarray, list[str]]:
    """(class probabilities (K,), class names) for one image file under the run's network."""
    cfg, trainer, state = open_run(run)
    x = image_to_array(image, tuple(cfg["data"]["input_shape"]))[None]  # (1, h, w)
    proba = np.asarray(trainer.predict(state, x))[0]
    return proba, cfg["data"].get("classes") or [str(k) for k in range(len(proba))]
