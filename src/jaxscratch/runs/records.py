"""What a training run and a width search leave on disk, as typed records: one ``to_json`` each.

Contract: every JSON file of a run directory is one record's ``to_json()`` -- ``config.json``
(``RunConfig``, with its ``DataInfo``), ``metrics.json`` (``Metrics``), ``pairs/<h1>x<h2>.json``
(``PairRecord``), ``sweep.json`` (``SweepResult``) -- and ``from_json`` / ``read`` give the
record back. ``run_keys`` splits a run's key once into its named streams; ``key_to_json`` is how
a key is written down.
"""

import json
from pathlib import Path
from typing import Any, NamedTuple

import jax
import numpy as np

from jaxscratch import nn
from jaxscratch.errors import JaxscratchError

HEADLINE = ("accuracy", "macro_f1", "weighted_f1", "roc_auc_macro", "log_loss", "brier_score",
            "ece")  # fmt: skip
_TEST = ("accuracy", "macro_f1", "log_loss", "ece")  # the final network's numbers in sweep.json


class RunKeys(NamedTuple):
    """A run's key split once into named streams, each drawn from by one consumer."""

    data: jax.Array  # the seeded 80-20 split (load_data)
    validation: jax.Array  # the validation part the width search carves from training
    train: jax.Array  # the trainer's initial state: weights, shuffles, dropout, augmentation


def run_keys(key: jax.Array) -> RunKeys:
    return RunKeys(*jax.random.split(key, len(RunKeys._fields)))


def key_to_json(key: jax.Array) -> dict[str, Any]:
    """A typed PRNG key as JSON: its implementation and raw data (``key_from_json`` inverts)."""
    impl = str(jax.random.key_impl(key))
    return {"impl": impl, "data": np.asarray(jax.random.key_data(key)).tolist()}


def key_from_json(obj: dict[str, Any]) -> jax.Array:
    data = np.asarray(obj["data"], np.uint32)
    return jax.random.wrap_key_data(data, impl=obj["impl"])


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
    dataset: str | None = None  # the name to load it again by (None: ``name``)
    data_dir: str | None = None  # the folder it was read from, if one was given

    @property
    def n_classes(self) -> int:
        """Known class names, else the labels' range."""
        return len(self.classes) or int(max(self.y_train.max(), self.y_test.max(initial=0))) + 1

    def summary(self) -> str:
        """One line: name, sizes, split and where the images came from."""
        return (f"{self.name}: {len(self.y_train):,} train / {len(self.y_test):,} test images "
                f"({self.split} split) from {self.source}")  # fmt: skip


class DataInfo(NamedTuple):
    """What ``config.json`` says about a run's data: enough to load the same split again."""

    dataset: str  # the name to load it by; ``name`` is what the loader reported
    name: str
    source: str
    split: str
    input_shape: tuple[int, ...]
    classes: tuple[str, ...]
    n_train: int
    n_test: int
    data_dir: str | None = None
    chosen_by: str | None = None  # "sweep" for a width search's final network
    n_calibration: int = 0  # training images held out to fit the temperature (not trained on)

    @classmethod
    def of(cls, data: Data, chosen_by: str | None = None, n_calibration: int = 0) -> "DataInfo":
        return cls(data.dataset or data.name, data.name, data.source, data.split,
                   tuple(data.x_train.shape[1:]), tuple(data.classes), len(data.y_train),
                   len(data.y_test), data.data_dir, chosen_by, n_calibration)  # fmt: skip

    def class_names(self, k: int) -> list[str]:
        """Names of ``k`` classes: the data's own, else "0", "1", ..."""
        return [*self.classes[:k], *map(str, range(len(self.classes), k))]

    def to_json(self) -> dict[str, Any]:
        out = self._asdict() | {
            "input_shape": list(self.input_shape),
            "classes": list(self.classes),
        }
        drop = {k for k in ("chosen_by", "n_calibration") if not out[k]}  # absent = none
        return {k: v for k, v in out.items() if k not in drop}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "DataInfo":
        d = {k: d[k] for k in cls._fields if k in d}
        return cls(**d | {"input_shape": tuple(d["input_shape"]), "classes": tuple(d["classes"])})


class RunConfig(NamedTuple):
    """A run's network, recipe, data and key: the content of ``config.json``."""

    model: nn.MLPConfig
    train: nn.TrainConfig
    data: DataInfo
    key: jax.Array | None  # the run's key (``run_keys``); None in runs of older versions
    seed: int | None = None  # the seed the key was made from, if any: recorded, never drawn from

    def to_json(self) -> dict[str, Any]:
        key = None if self.key is None else key_to_json(self.key)
        model = self.model._asdict() | {"sizes": list(self.model.sizes)}
        return {"model": model, "train": self.train._asdict(), "seed": self.seed,
                "key": key, "data": self.data.to_json()}  # fmt: skip

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "RunConfig":
        model = nn.MLPConfig(**d["model"] | {"sizes": tuple(d["model"]["sizes"])})
        key = key_from_json(d["key"]) if "key" in d else None  # written before keys were kept
        return cls(model, nn.TrainConfig(**d["train"]), DataInfo.from_json(d["data"]), key,
                   d.get("seed"))  # fmt: skip

    @classmethod
    def read(cls, run: str | Path) -> "RunConfig":
        path = Path(run) / "config.json"
        if not path.is_file():
            raise JaxscratchError(
                f"{run} is not a run directory (no config.json); give the --out of a run"
            )
        return cls.from_json(json.loads(path.read_text()))


class Metrics(NamedTuple):
    """A run's test metrics: the headline numbers by name, the whole report kept."""

    n: int
    num_classes: int
    accuracy: float | None
    macro_f1: float | None
    weighted_f1: float | None
    roc_auc_macro: float | None
    log_loss: float | None
    brier_score: float | None
    ece: float | None
    report: dict[str, Any]  # ``metrics.classification_report``: the content of ``metrics.json``

    @classmethod
    def from_report(cls, report: dict[str, Any]) -> "Metrics":
        return cls(*(report[k] for k in cls._fields[:-1]), report=report)

    def headline(self) -> dict[str, float | None]:
        return {k: getattr(self, k) for k in HEADLINE}

    def to_json(self) -> dict[str, Any]:
        return self.report


class RunResult(NamedTuple):
    """A finished run: where it is, its config, its history and its test metrics."""

    out: Path
    config: RunConfig
    history: dict[str, Any]  # the content of ``history.json``
    metrics: Metrics

    def to_json(self) -> dict[str, Any]:
        """The run in a line: the headline metrics and the run directory."""
        return self.metrics.headline() | {"out": str(self.out)}

    @classmethod
    def read(cls, run: str | Path) -> "RunResult":
        """A finished run's records, read back from its directory."""
        run = Path(run)
        history = json.loads((run / "history.json").read_text())
        report = json.loads((run / "metrics.json").read_text())
        return cls(run, RunConfig.read(run), history, Metrics.from_report(report))


class PairRecord(NamedTuple):
    """One trained width pair, scored on the validation part: ``pairs/<h1>x<h2>.json``."""

    h1: int
    h2: int
    params: int
    val_accuracy: float
    val_loss: float
    best_val_accuracy: float
    train_loss: float
    seconds: float
    train_seconds: float
    epochs: int
    history: dict[str, list] | None = None  # per-epoch curves; None in sweep.json's table

    def to_json(self) -> dict[str, Any]:
        d = self._asdict()
        return d if self.history is not None else {k: v for k, v in d.items() if k != "history"}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "PairRecord":
        return cls(**{k: d[k] for k in cls._fields if k in d})


class SweepResult(NamedTuple):
    """A finished (or, without ``final``, chosen but not retrained) sweep: ``sweep.json``."""

    h1: tuple[int, ...]
    h2: tuple[int, ...]
    pairs: list[PairRecord]  # in sweep order
    chosen: PairRecord
    reason: str
    metrics: Metrics | None  # the final network's test metrics
    final_dir: Path | None
    n_fit: int
    n_val: int
    n_test: int
    data: dict[str, str]  # name, source, split
    model: nn.MLPConfig  # what the pairs share (their sizes vary)
    recipe: nn.TrainConfig
    key: jax.Array
    seed: int | None = None  # recorded, never drawn from

    def accuracy_grid(self) -> np.ndarray:
        """Validation accuracy (len(h1), len(h2)); NaN for pairs not run."""
        acc = np.full((len(self.h1), len(self.h2)), np.nan)
        for p in self.pairs:
            acc[self.h1.index(p.h1), self.h2.index(p.h2)] = p.val_accuracy
        return acc

    def to_json(self) -> dict[str, Any]:
        c = self.chosen
        return {
            "h1": list(self.h1),
            "h2": list(self.h2),
            "n_fit": self.n_fit,
            "n_val": self.n_val,
            "n_test": self.n_test,
            "data": self.data,
            "recipe": self.recipe._asdict(),
            "model": {**self.model._asdict(), "sizes": None},
            "seed": self.seed,
            "key": key_to_json(self.key),
            "pairs": [p._replace(history=None).to_json() for p in self.pairs],
            "chosen": {"h1": c.h1, "h2": c.h2, "params": c.params, "val_accuracy": c.val_accuracy},
            "reason": self.reason,
            "test": None if self.metrics is None else {k: self.metrics.report[k] for k in _TEST},
            "final_dir": None if self.final_dir is None else self.final_dir.name,
        }

    @classmethod
    def read(cls, out: str | Path) -> "SweepResult":
        """The sweep recorded in ``out/sweep.json`` (with the final run's metrics, if any)."""
        out = Path(out)
        d = json.loads((out / "sweep.json").read_text())
        pairs = [PairRecord.from_json(p) for p in d["pairs"]]
        chosen = next(p for p in pairs if (p.h1, p.h2) == (d["chosen"]["h1"], d["chosen"]["h2"]))
        final = out / d["final_dir"] if d["final_dir"] else None
        metrics = RunResult.read(final).metrics if final else None
        model = nn.MLPConfig(**d["model"] | {"sizes": ()})  # the widths vary
        return cls(tuple(d["h1"]), tuple(d["h2"]), pairs, chosen, d["reason"], metrics, final,
                   d["n_fit"], d["n_val"], d["n_test"], d["data"], model,
                   nn.TrainConfig(**d["recipe"]), key_from_json(d["key"]),
                   d["seed"])  # fmt: skip
