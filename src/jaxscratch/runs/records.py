"""What a training run and a width search leave on disk, as typed records: one ``to_json`` each.

Contract: every JSON file of a run directory is one record's ``to_json()`` -- ``config.json``
(``RunConfig``, with its ``DataInfo``), ``metrics.json`` (``Metrics``), ``pairs/<h1>x<h2>.json``
(``PairRecord``), ``sweep.json`` (``SweepResult``) -- and ``from_json`` / ``read`` give the
record back. ``run_keys`` splits a run's key once into its named streams; ``key_to_json`` is how
a key is written down.

Each file kind has one validating loader (``RunConfig.read``, ``read_history``, ``Metrics.read``,
``PairRecord.read``, ``SweepResult.read``): the JSON is read by ``_io.read_json`` and its shape
checked against the record (``check_object``, ``check_fields``) before any field is used, so a
tampered or stale file is one line naming the file, what is wrong and the fix.
"""

from pathlib import Path
from typing import Any, NamedTuple

import jax
import numpy as np

from jaxscratch import nn
from jaxscratch._io import read_json
from jaxscratch.errors import JaxscratchError

HEADLINE = ("accuracy", "macro_f1", "weighted_f1", "roc_auc_macro", "log_loss", "brier_score",
            "ece")  # fmt: skip
_TEST = ("accuracy", "macro_f1", "log_loss", "ece")  # the final network's numbers in sweep.json


_CONFIG_FIX = "restore it, or start the run again with --overwrite"


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), f"a {type(value).__name__}"
    )


def check_object(
    value: Any, path: Path, what: str, fix: str, required=(), allowed=None
) -> dict[str, Any]:
    """``value`` if it is a JSON object with every ``required`` key and no key outside
    ``allowed`` (None: any); else a one-line error naming ``path`` and ``what`` it should be."""
    if not isinstance(value, dict):
        raise JaxscratchError(f"{path}: {what} is {_kind(value)}, not an object; {fix}")
    missing = [k for k in required if k not in value]
    if missing:
        raise JaxscratchError(f"{path}: {what} lacks {missing[0]!r}; {fix}")
    unknown = [] if allowed is None else [k for k in value if k not in allowed]
    if unknown:
        raise JaxscratchError(
            f"{path}: {what} has the unknown key {unknown[0]!r} (known: {', '.join(allowed)}); "
            f"{fix}"
        )
    return value


def _fits(value: Any, like: Any) -> bool:
    """Whether a JSON value can stand where the record's default ``like`` stands."""
    if like is None:
        return True
    if isinstance(like, bool):
        return isinstance(value, bool)
    if isinstance(like, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(like, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(like, tuple):
        return isinstance(value, list)
    return isinstance(value, type(like))


def check_fields(value: Any, record: type, path: Path, what: str, fix: str) -> dict[str, Any]:
    """``value`` as keyword arguments of the NamedTuple ``record`` whose fields all have
    defaults: known keys only, each of its default's JSON type (a missing key keeps the
    default, as files of older versions lack newer fields)."""
    d = check_object(value, path, what, fix, allowed=record._fields)
    for k, v in d.items():
        if not _fits(v, record._field_defaults[k]):
            raise JaxscratchError(
                f"{path}: {what} {k!r} is {v!r}, not like {record._field_defaults[k]!r}; {fix}"
            )
    return d


def _positive_ints(value: Any, path: Path, what: str, fix: str, n: int | None = None) -> tuple:
    ok = isinstance(value, list) and value and (n is None or len(value) == n)
    if not ok or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
        need = f"{n} positive integers" if n else "a list of positive integers"
        raise JaxscratchError(f"{path}: {what} is {value!r}, not {need}; {fix}")
    return tuple(value)


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


def key_from_json(obj: Any, path: Path | str = "<key>", fix: str = _CONFIG_FIX) -> jax.Array:
    """The key ``key_to_json`` wrote; a one-line error naming ``path`` if it is not one."""
    obj = check_object(obj, Path(path), "the key", fix, required=("impl", "data"))
    try:
        data = np.asarray(obj["data"], np.uint32)
        return jax.random.wrap_key_data(data, impl=obj["impl"])
    except (TypeError, ValueError, OverflowError, KeyError):
        raise JaxscratchError(
            f"{path}: the key {obj['impl']!r} {obj['data']!r} is not a PRNG key's data; {fix}"
        ) from None


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
    def from_json(cls, d: Any, path: Path | str = "<data>", fix: str = _CONFIG_FIX) -> "DataInfo":
        path, what = Path(path), "the data record"
        required = cls._fields[: len(cls._fields) - len(cls._field_defaults)]
        d = check_object(d, path, what, fix, required=required, allowed=cls._fields)
        shape = _positive_ints(d["input_shape"], path, "the data's input_shape", fix, n=2)
        classes = d["classes"]
        if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
            raise JaxscratchError(f"{path}: the data's classes {classes!r} are not names; {fix}")
        for k in ("n_train", "n_test"):
            if not isinstance(d[k], int) or isinstance(d[k], bool) or d[k] < 0:
                raise JaxscratchError(f"{path}: the data's {k} is {d[k]!r}, not a count; {fix}")
        for k in ("dataset", "name", "source", "split"):
            if not isinstance(d[k], str):
                raise JaxscratchError(f"{path}: the data's {k} is {d[k]!r}, not a name; {fix}")
        return cls(**d | {"input_shape": shape, "classes": tuple(classes)})


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
    def from_json(cls, d: Any, path: Path | str = "config.json") -> "RunConfig":
        """The config ``to_json`` wrote; a one-line error naming ``path`` for any other shape."""
        path, fix = Path(path), _CONFIG_FIX
        d = check_object(d, path, "the config", fix, required=("model", "train", "data"),
                         allowed=("model", "train", "seed", "key", "data"))  # fmt: skip
        m = check_fields(d["model"], nn.MLPConfig, path, "the model", fix)
        sizes = _positive_ints(m.get("sizes"), path, "the model's sizes", fix)
        t = check_fields(d["train"], nn.TrainConfig, path, "the recipe", fix)
        seed = d.get("seed")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise JaxscratchError(f"{path}: the seed {seed!r} is not an integer; {fix}")
        # a config written before keys were kept has none
        key = None if d.get("key") is None else key_from_json(d["key"], path, fix)
        return cls(nn.MLPConfig(**m | {"sizes": sizes}), nn.TrainConfig(**t),
                   DataInfo.from_json(d["data"], path, fix), key, seed)  # fmt: skip

    @classmethod
    def read(cls, run: str | Path) -> "RunConfig":
        """``run/config.json``, checked (the one loader of a run's config)."""
        path = Path(run) / "config.json"
        if not path.is_file():
            raise JaxscratchError(
                f"{run} is not a run directory (no config.json); give the --out of a run"
            )
        return cls.from_json(read_json(path, fix=_CONFIG_FIX), path)


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

    @classmethod
    def read(cls, run: str | Path) -> "Metrics":
        """``run/metrics.json``, checked (the one loader of a run's metrics)."""
        path = Path(run) / "metrics.json"
        fix = f"run `jaxscratch mnist evaluate {run}` to write it again"
        report = read_json(path, fix=fix)
        check_object(report, path, "the metrics", fix, required=cls._fields[:-1])
        for k in HEADLINE:
            v = report[k]
            if v is not None and (not isinstance(v, int | float) or not np.isfinite(v)):
                raise JaxscratchError(f"{path}: {k} is {v!r}, not a finite number; {fix}")
        return cls.from_report(report)

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
        return cls(run, RunConfig.read(run), read_history(run), Metrics.read(run))


HISTORY_CURVES = ("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy")


def read_history(run: str | Path) -> dict[str, Any]:
    """``run/history.json``, checked (the one loader of a run's history): an object whose
    per-epoch curves are lists of one length."""
    path = Path(run) / "history.json"
    fix = f"`jaxscratch mnist train --out {run} --resume` writes it again from the checkpoint"
    history = check_object(read_json(path, fix=fix), path, "the history", fix,
                           required=HISTORY_CURVES)  # fmt: skip
    lengths = {k: len(history[k]) if isinstance(history[k], list) else -1 for k in HISTORY_CURVES}
    if min(lengths.values()) < 0 or len(set(lengths.values())) != 1:
        raise JaxscratchError(
            f"{path}: the per-epoch curves are not lists of one length ({lengths}); {fix}"
        )
    return history


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
    def from_json(cls, d: Any, path: Path | str = "<pair>", fix: str = "") -> "PairRecord":
        path = Path(path)
        fix = fix or "delete it and rerun the sweep to train that pair again"
        required = cls._fields[: len(cls._fields) - len(cls._field_defaults)]
        d = check_object(d, path, "the width pair", fix, required=required)
        for k in required:
            v = d[k]
            if not isinstance(v, int | float) or isinstance(v, bool) or not np.isfinite(v):
                raise JaxscratchError(f"{path}: the pair's {k} is {v!r}, not a number; {fix}")
        history = d.get("history")
        if history is not None and not isinstance(history, dict):
            raise JaxscratchError(f"{path}: the pair's history is {_kind(history)}; {fix}")
        return cls(**{k: d[k] for k in cls._fields if k in d})

    @classmethod
    def read(cls, path: str | Path) -> "PairRecord":
        """One ``pairs/<h1>x<h2>.json``, checked (the one loader of a width pair's record)."""
        fix = "delete it and rerun the sweep to train that pair again"
        return cls.from_json(read_json(path, fix=fix), path, fix)


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
        path, fix = out / "sweep.json", "rerun the same `mnist sweep` command to write it again"
        keys = ("h1", "h2", "n_fit", "n_val", "n_test", "data", "recipe", "model", "seed", "key",
                "pairs", "chosen", "reason", "final_dir")  # fmt: skip
        d = check_object(read_json(path, fix=fix), path, "the sweep", fix, required=keys)
        if not isinstance(d["pairs"], list):
            raise JaxscratchError(f"{path}: the sweep's pairs are {_kind(d['pairs'])}; {fix}")
        pairs = [PairRecord.from_json(p, path, fix) for p in d["pairs"]]
        c = check_object(d["chosen"], path, "the chosen pair", fix, required=("h1", "h2"))
        chosen = next((p for p in pairs if (p.h1, p.h2) == (c["h1"], c["h2"])), None)
        if chosen is None:
            raise JaxscratchError(f"{path}: the chosen pair is not among its pairs; {fix}")
        if d["final_dir"] is not None and not isinstance(d["final_dir"], str):
            raise JaxscratchError(f"{path}: final_dir {d['final_dir']!r} is not a name; {fix}")
        final = out / d["final_dir"] if d["final_dir"] else None
        metrics = Metrics.read(final) if final else None
        m = check_object(d["model"], path, "the model", fix)
        m = check_fields({k: v for k, v in m.items() if k != "sizes"}, nn.MLPConfig, path,
                         "the model", fix)  # fmt: skip
        model = nn.MLPConfig(**m | {"sizes": ()})  # the widths vary
        recipe = nn.TrainConfig(**check_fields(d["recipe"], nn.TrainConfig, path, "recipe", fix))
        h1 = _positive_ints(d["h1"], path, "h1", fix)
        h2 = _positive_ints(d["h2"], path, "h2", fix)
        return cls(h1, h2, pairs, chosen, d["reason"], metrics, final,
                   d["n_fit"], d["n_val"], d["n_test"], d["data"], model, recipe,
                   key_from_json(d["key"], path, fix), d["seed"])  # fmt: skip
