"""Classification metrics as pure functions of labels (n,) and predicted probabilities (n, K).

Contract: every function takes integer ``labels`` in 0..K-1 first and ``proba`` rows summing to 1
(or a confusion matrix), returns arrays, and matches scikit-learn's definitions (zero division
gives 0, multiclass Brier score in [0, 2], log loss clipped at the dtype's epsilon).
``report`` gathers them all into one JSON-able dict.
"""

from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array


class PerClass(NamedTuple):
    precision: Array  # (K,)
    recall: Array  # (K,)
    f1: Array  # (K,)
    support: Array  # (K,) true examples per class


class Reliability(NamedTuple):
    """Equal-width confidence bins for a reliability diagram (Guo et al. 2017)."""

    edges: Array  # (B + 1,)
    confidence: Array  # (B,) mean top-label confidence per bin (nan when empty)
    accuracy: Array  # (B,) fraction correct per bin (nan when empty)
    count: Array  # (B,)


def predictions(proba: Array) -> Array:
    """The most probable class per row. (n, K) -> (n,)."""
    return jnp.argmax(jnp.asarray(proba), axis=-1)


def accuracy(labels: Array, proba: Array) -> Array:
    return jnp.mean(predictions(proba) == jnp.asarray(labels))


def top_k_accuracy(labels: Array, proba: Array, k: int = 5) -> Array:
    """Fraction whose true class is among the k most probable (ties counted as sklearn does)."""
    proba = jnp.asarray(proba)
    p_true = jnp.take_along_axis(proba, jnp.asarray(labels)[:, None], axis=1)  # (n, 1)
    rank = jnp.sum(proba > p_true, axis=1)  # classes strictly more probable
    return jnp.mean(rank < k)


def confusion_matrix(labels: Array, preds: Array, num_classes: int) -> Array:
    """C[i, j] = number of examples of true class i predicted as j. (K, K) int."""
    flat = jnp.asarray(labels) * num_classes + jnp.asarray(preds)
    return jnp.bincount(flat, length=num_classes * num_classes).reshape(num_classes, num_classes)


def _safe_div(a: Array, b: Array) -> Array:
    return jnp.where(b > 0, a / jnp.where(b > 0, b, 1), 0.0)


def per_class(cm: Array) -> PerClass:
    """Precision TP/(TP+FP), recall TP/(TP+FN), F1 their harmonic mean, per class."""
    cm = jnp.asarray(cm)
    tp = jnp.diag(cm).astype(jnp.float32 if cm.dtype != jnp.float64 else cm.dtype)
    predicted, support = cm.sum(axis=0), cm.sum(axis=1)
    precision, recall = _safe_div(tp, predicted), _safe_div(tp, support)
    f1 = _safe_div(2 * tp, predicted + support)  # = 2PR/(P+R), 0 when undefined
    return PerClass(precision, recall, f1, support)


def averages(cm: Array) -> dict[str, Array]:
    """Macro (unweighted class mean), weighted (by support) and micro (pooled counts) P/R/F1."""
    pc = per_class(cm)
    w = pc.support / jnp.sum(pc.support)
    micro = jnp.trace(cm) / jnp.sum(cm)  # for single-label data P = R = F1 = accuracy
    out = {}
    for name in ("precision", "recall", "f1"):
        v = getattr(pc, name)
        out[f"macro_{name}"] = jnp.mean(v)
        out[f"weighted_{name}"] = jnp.sum(w * v)
        out[f"micro_{name}"] = micro
    return out


def _average_ranks(scores: Array) -> Array:
    """1-based ranks with ties given their mean rank. (n,) -> (n,)."""
    s = jnp.sort(scores)
    lo = jnp.searchsorted(s, scores, side="left")
    hi = jnp.searchsorted(s, scores, side="right")
    return (lo + hi + 1) / 2.0


def roc_auc_ovr(labels: Array, proba: Array) -> Array:
    """One-vs-rest ROC-AUC per class by the Mann-Whitney rank sum (Hand & Till 2001).

    AUC_k = (R_k - n_k (n_k + 1) / 2) / (n_k (n - n_k)), R_k the rank sum of class k's scores.
    A class absent from ``labels`` (or the only one present) gives nan. Returns (K,).
    """
    proba, labels = jnp.asarray(proba), jnp.asarray(labels)
    n, K = proba.shape
    ranks = jnp.stack([_average_ranks(proba[:, k]) for k in range(K)], axis=1)  # (n, K)
    pos = labels[:, None] == jnp.arange(K)  # (n, K)
    n_pos = pos.sum(axis=0)
    n_neg = n - n_pos
    rank_sum = jnp.sum(jnp.where(pos, ranks, 0.0), axis=0)
    auc = (rank_sum - n_pos * (n_pos + 1) / 2.0) / jnp.where(n_pos * n_neg > 0, n_pos * n_neg, 1)
    return jnp.where((n_pos > 0) & (n_neg > 0), auc, jnp.nan)


@jax.jit
def log_loss(labels: Array, proba: Array) -> Array:
    """Mean -log p(true class), probabilities clipped to [eps, 1 - eps] as scikit-learn does.

    The one log loss of the package: ``nn.evaluate`` (a run's test loss) and
    ``classification_report`` both call this compiled function, so their numbers agree exactly.
    """
    proba = jnp.asarray(proba)
    eps = jnp.finfo(proba.dtype).eps
    p = jnp.take_along_axis(jnp.clip(proba, eps, 1 - eps), jnp.asarray(labels)[:, None], axis=1)
    return -jnp.mean(jnp.log(p))


def brier_score(labels: Array, proba: Array) -> Array:
    """Brier (1950): mean over examples of sum_k (p_k - 1[y = k])^2, in [0, 2]."""
    proba = jnp.asarray(proba)
    onehot = jnp.asarray(labels)[:, None] == jnp.arange(proba.shape[1])
    return jnp.mean(jnp.sum(jnp.square(proba - onehot), axis=1))


def reliability(labels: Array, proba: Array, n_bins: int = 15) -> Reliability:
    """Bin the top-label confidence into ``n_bins`` equal bins (lo, hi]; accuracy per bin."""
    proba = jnp.asarray(proba)
    conf = jnp.max(proba, axis=1)  # (n,)
    correct = (predictions(proba) == jnp.asarray(labels)).astype(conf.dtype)
    idx = jnp.clip(jnp.ceil(conf * n_bins).astype(jnp.int32) - 1, 0, n_bins - 1)
    count = jnp.bincount(idx, length=n_bins)
    sum_conf = jnp.bincount(idx, weights=conf, length=n_bins)
    sum_corr = jnp.bincount(idx, weights=correct, length=n_bins)
    empty = count == 0
    safe = jnp.where(empty, 1, count)
    return Reliability(
        jnp.linspace(0.0, 1.0, n_bins + 1),
        jnp.where(empty, jnp.nan, sum_conf / safe),
        jnp.where(empty, jnp.nan, sum_corr / safe),
        count,
    )


def expected_calibration_error(labels: Array, proba: Array, n_bins: int = 15) -> Array:
    """ECE = sum_b (n_b / n) |acc_b - conf_b| over non-empty bins (Naeini et al. 2015)."""
    r = reliability(labels, proba, n_bins)
    gap = jnp.where(r.count > 0, jnp.abs(r.accuracy - r.confidence), 0.0)
    return jnp.sum(r.count * gap) / jnp.sum(r.count)


def most_confused(cm: Array, k: int = 5) -> list[tuple[int, int, int]]:
    """The k largest off-diagonal cells as (true class, predicted class, count), count > 0."""
    cm = np.asarray(cm).copy()
    np.fill_diagonal(cm, 0)
    order = np.argsort(-cm, axis=None, kind="stable")[:k]
    pairs = [
        (int(i), int(j), int(cm[i, j]))
        for i, j in zip(*np.unravel_index(order, cm.shape), strict=True)
    ]
    return [p for p in pairs if p[2] > 0]


def _f(x) -> float | None:
    v = float(x)
    return None if np.isnan(v) else v


@partial(jax.jit, static_argnames=("n_bins", "top_k"))
def _all(labels: Array, proba: Array, n_bins: int, top_k: int) -> dict[str, Any]:
    """Every array metric in one compiled program (eager dispatch would compile op by op)."""
    cm = confusion_matrix(labels, predictions(proba), proba.shape[1])
    auc = roc_auc_ovr(labels, proba)
    return {
        "cm": cm,
        "per_class": per_class(cm),
        "auc": auc,
        "reliability": reliability(labels, proba, n_bins),
        "accuracy": accuracy(labels, proba),
        "top_k": top_k_accuracy(labels, proba, top_k),
        "averages": averages(cm),
        "roc_auc_macro": jnp.nanmean(auc),
        "brier_score": brier_score(labels, proba),
        "ece": expected_calibration_error(labels, proba, n_bins),
    }


def classification_report(labels, proba, *, n_bins: int = 15, top_k: int = 3) -> dict[str, Any]:
    """Every metric above by name, as plain Python numbers (the content of ``metrics.json``)."""
    labels, proba = jnp.asarray(labels), jnp.asarray(proba)
    K = proba.shape[1]
    r = _all(labels, proba, n_bins, top_k)
    cm, pc, auc, rel = r["cm"], r["per_class"], r["auc"], r["reliability"]
    out: dict[str, Any] = {
        "n": int(labels.shape[0]),
        "num_classes": K,
        "accuracy": _f(r["accuracy"]),
        f"top_{top_k}_accuracy": _f(r["top_k"]),
        **{k: _f(v) for k, v in r["averages"].items()},
        "roc_auc_macro": _f(r["roc_auc_macro"]),
        "log_loss": _f(log_loss(labels, proba)),  # outside ``_all``: the same program as nn
        "brier_score": _f(r["brier_score"]),
        "ece": _f(r["ece"]),
        "per_class": {
            "precision": [_f(v) for v in pc.precision],
            "recall": [_f(v) for v in pc.recall],
            "f1": [_f(v) for v in pc.f1],
            "support": [int(v) for v in pc.support],
            "roc_auc": [_f(v) for v in auc],
        },
        "confusion_matrix": np.asarray(cm).tolist(),
        "most_confused": [
            {"true": i, "predicted": j, "count": c} for i, j, c in most_confused(cm, 5)
        ],
        "reliability": {
            "edges": [float(v) for v in rel.edges],
            "confidence": [_f(v) for v in rel.confidence],
            "accuracy": [_f(v) for v in rel.accuracy],
            "count": [int(v) for v in rel.count],
        },
    }
    return out


# -- selective prediction, uncertainty and temperature scaling --------------------------------

COVERAGES = tuple(round(0.05 * k, 2) for k in range(1, 21))  # 0.05, 0.10, ..., 1.00


class Coverage(NamedTuple):
    """Accuracy when only the most confident share of the predictions is kept."""

    coverage: np.ndarray  # (m,) share kept, in (0, 1]
    accuracy: np.ndarray  # (m,) accuracy on the kept ones
    threshold: np.ndarray  # (m,) lowest top-label confidence kept
    kept: np.ndarray  # (m,) how many were kept


def accuracy_coverage(labels, proba, coverages=COVERAGES) -> Coverage:
    """Reject the least confident predictions (top-label probability; El-Yaniv & Wiener 2010).

    For each coverage c the ``max(1, round(c n))`` most confident examples are kept (ties
    broken by position, the earlier first) and scored. Returns numpy arrays.
    """
    proba, labels = np.asarray(proba), np.asarray(labels)
    conf = proba.max(axis=1)  # (n,)
    order = np.argsort(-conf, kind="stable")  # most confident first
    correct = (proba.argmax(axis=1) == labels)[order]  # (n,) in that order
    cum = np.cumsum(correct)
    c = np.asarray(coverages, np.float64)
    kept = np.maximum(1, np.round(c * len(labels)).astype(np.int64))  # (m,)
    return Coverage(c, cum[kept - 1] / kept, conf[order][kept - 1], kept)


def predictive_entropy(proba) -> np.ndarray:
    """H(p) = -sum_k p_k log p_k per row, in nats (0 log 0 = 0). (n, K) -> (n,)."""
    p = np.asarray(proba, np.float64)
    return -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=1)


def confidently_wrong(labels, proba, k: int = 16) -> np.ndarray:
    """Indices of the ``k`` wrong predictions made with the highest top-label probability."""
    proba, labels = np.asarray(proba), np.asarray(labels)
    wrong = np.flatnonzero(proba.argmax(axis=1) != labels)
    return wrong[np.argsort(-proba[wrong].max(axis=1), kind="stable")[:k]]


def most_uncertain(proba, k: int = 16) -> np.ndarray:
    """Indices of the ``k`` predictions of highest predictive entropy."""
    return np.argsort(-predictive_entropy(proba), kind="stable")[:k]


def _log_proba(proba) -> Array:
    """log p (an exact 0 read as the smallest normal float32): the logits up to a per-row shift,
    so the network's small probabilities keep their order under any temperature."""
    proba = jnp.asarray(proba, jnp.float32)
    return jnp.log(jnp.clip(proba, jnp.finfo(proba.dtype).tiny, 1.0))


@jax.jit
def temperature_scale(proba, temperature: float) -> Array:
    """softmax(log p / T): the probabilities a temperature T gives (Guo et al. 2017). (n, K)."""
    z = _log_proba(proba) / temperature
    return jax.nn.softmax(z, axis=1)


@jax.jit
def _newton_beta(labels: Array, z: Array) -> Array:
    """The inverse temperature beta minimising NLL(beta) = mean(logsumexp(beta z) - beta z_y).

    NLL is convex in beta: NLL' = mean(E_p[z] - z_y), NLL'' = mean(Var_p[z]) >= 0, so Newton's
    method from beta = 1, kept inside [1e-2, 1e2], converges in a few steps.
    """
    z_y = jnp.take_along_axis(z, labels[:, None], axis=1)[:, 0]  # (n,)

    def newton(_, beta):
        p = jax.nn.softmax(beta * z, axis=1)  # (n, K)
        mean = jnp.sum(p * z, axis=1)
        grad = jnp.mean(mean - z_y)
        hess = jnp.mean(jnp.sum(p * z * z, axis=1) - mean**2)
        return jnp.clip(beta - grad / jnp.maximum(hess, 1e-12), 1e-2, 1e2)

    return jax.lax.fori_loop(0, 50, newton, jnp.float32(1.0))


@jax.jit
def optimal_temperature(labels: Array, proba: Array) -> Array:
    """The temperature T > 0 minimising the log loss of ``temperature_scale(proba, T)`` on
    (``labels``, ``proba``), as a () array (jit-friendly): fit it on a validation split, never
    on the test part."""
    z = _log_proba(proba)
    z = z - jnp.max(z, axis=1, keepdims=True)  # a per-row shift changes no softmax
    return 1.0 / _newton_beta(jnp.asarray(labels, jnp.int32), z)


def fit_temperature(labels, proba) -> float:
    """``optimal_temperature`` as a Python float."""
    return float(optimal_temperature(labels, proba))
