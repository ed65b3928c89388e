"""The evaluation beyond the headline metrics: coverage, temperature scaling, galleries.

Contract: ``carve_calibration(key, data, fraction)`` splits a stratified calibration part off the
training images (the network never trains on it); ``evaluate(y_test, proba, y_cal, proba_cal)``
is the JSON the run adds to ``metrics.json`` (keys ``accuracy_coverage``,
``temperature_scaling``, ``galleries``); ``gallery_images(x_test, report)`` are the pictures the
galleries name, as arrays for ``galleries.npz``. All numbers come from ``jaxscratch.metrics``;
the pictures layer only draws them.
"""

from typing import Any

import jax
import numpy as np

from jaxscratch import metrics
from jaxscratch.data.split import split as split_data
from jaxscratch.runs.records import Data

GALLERY = 16  # images per gallery
PAIRS, PAIR_EXAMPLES = 3, 8  # most-confused pairs shown, example images of each
_CALIBRATION_SALT = 0xCA1  # folded into the validation stream: the calibration carve's own key


def calibration_key(validation: jax.Array) -> jax.Array:
    """The calibration carve's key, from a run's validation stream (``records.run_keys``)."""
    return jax.random.fold_in(validation, _CALIBRATION_SALT)


def carve_calibration(
    key: jax.Array, data: Data, n_calibration: int
) -> tuple[Data, np.ndarray, np.ndarray]:
    """(data without the calibration part, x_cal, y_cal): ``n_calibration`` training images,
    stratified and drawn with ``key``; ``n_calibration`` 0 returns ``data`` unchanged."""
    if n_calibration <= 0:
        return data, data.x_train[:0], data.y_train[:0]
    x_fit, y_fit, x_cal, y_cal = split_data(
        key, data.x_train, data.y_train, test_fraction=n_calibration / len(data.y_train)
    )
    return data._replace(x_train=x_fit, y_train=y_fit), x_cal, y_cal


@jax.jit
def _scores(y_test, proba, y_cal, proba_cal) -> dict[str, jax.Array]:
    """The temperature fitted on the calibration part and every number of the calibration block,
    in one compiled program (eagerly, each operation would compile on its own)."""
    temperature = metrics.optimal_temperature(y_cal, proba_cal)
    scaled = metrics.temperature_scale(proba, temperature)
    return {
        "temperature": temperature,
        "ece_before": metrics.expected_calibration_error(y_test, proba),
        "ece_after": metrics.expected_calibration_error(y_test, scaled),
        "loss_before": metrics.log_loss(y_test, proba),
        "loss_after": metrics.log_loss(y_test, scaled),
        "val_before": metrics.log_loss(y_cal, proba_cal),
        "val_after": metrics.log_loss(y_cal, metrics.temperature_scale(proba_cal, temperature)),
        "reliability": metrics.reliability(y_test, scaled),
    }


def _calibration(y_test, proba, y_cal, proba_cal) -> dict[str, Any] | None:
    if y_cal is None or len(y_cal) == 0:
        return None
    r = _scores(y_test, proba.astype(np.float32), y_cal, np.asarray(proba_cal, np.float32))
    rel = r["reliability"]
    return {
        "temperature": float(r["temperature"]),
        "n_validation": int(len(y_cal)),
        "validation_log_loss": {"before": float(r["val_before"]), "after": float(r["val_after"])},
        "before": {"ece": float(r["ece_before"]), "log_loss": float(r["loss_before"])},
        "after": {"ece": float(r["ece_after"]), "log_loss": float(r["loss_after"])},
        "reliability_after": {
            "edges": [float(v) for v in rel.edges],
            "confidence": [None if np.isnan(v) else float(v) for v in rel.confidence],
            "accuracy": [None if np.isnan(v) else float(v) for v in rel.accuracy],
            "count": [int(v) for v in rel.count],
        },
    }


def _entry(i: int, y: np.ndarray, proba: np.ndarray, entropy: np.ndarray) -> dict[str, Any]:
    k = int(proba[i].argmax())
    return {"index": int(i), "true": int(y[i]), "predicted": k,
            "probability": float(proba[i, k]), "p_true": float(proba[i, y[i]]),
            "entropy": float(entropy[i])}  # fmt: skip


def _confused_pairs(y: np.ndarray, proba: np.ndarray, entropy: np.ndarray) -> list[dict]:
    pred = proba.argmax(axis=1)
    k = proba.shape[1]
    cm = np.bincount(y * k + pred, minlength=k * k).reshape(k, k)  # metrics.confusion_matrix
    out = []
    for true, predicted, count in metrics.most_confused(cm, PAIRS):
        idx = np.flatnonzero((y == true) & (pred == predicted))
        idx = idx[np.argsort(-proba[idx, predicted], kind="stable")[:PAIR_EXAMPLES]]
        out.append({"true": true, "predicted": predicted, "count": count,
                    "examples": [_entry(i, y, proba, entropy) for i in idx]})  # fmt: skip
    return out


def evaluate(y_test, proba, y_cal=None, proba_cal=None) -> dict[str, Any]:
    """The new ``metrics.json`` keys for test labels (n,) and probabilities (n, K), with the
    temperature fitted on the calibration part (``y_cal``, ``proba_cal``) when there is one."""
    y, proba = np.asarray(y_test), np.asarray(proba, np.float64)
    entropy = metrics.predictive_entropy(proba)
    cov = metrics.accuracy_coverage(y, proba)
    return {
        "accuracy_coverage": {
            "coverage": cov.coverage.tolist(),
            "accuracy": cov.accuracy.tolist(),
            "threshold": cov.threshold.tolist(),
            "kept": cov.kept.tolist(),
        },
        "temperature_scaling": _calibration(
            y, proba, None if y_cal is None else np.asarray(y_cal), proba_cal
        ),
        "galleries": {
            "confidently_wrong": [
                _entry(i, y, proba, entropy) for i in metrics.confidently_wrong(y, proba, GALLERY)
            ],
            "most_uncertain": [
                _entry(i, y, proba, entropy) for i in metrics.most_uncertain(proba, GALLERY)
            ],
            "confused_pairs": _confused_pairs(y, proba, entropy),
        },
    }


def gallery_images(x_test: np.ndarray, report: dict[str, Any]) -> dict[str, np.ndarray]:
    """The images each gallery names, as uint8 (m, h, w) arrays keyed like ``galleries.npz``."""
    g = report["galleries"]

    def pick(entries) -> np.ndarray:
        idx = np.asarray([e["index"] for e in entries], np.int64)
        return np.round(np.asarray(x_test)[idx] * 255).astype(np.uint8)

    out = {name: pick(g[name]) for name in ("confidently_wrong", "most_uncertain")}
    for i, pair in enumerate(g["confused_pairs"]):
        out[f"pair_{i}"] = pick(pair["examples"])
    return out
