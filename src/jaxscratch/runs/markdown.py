"""A Markdown report of a training run: the metrics table and a discussion generated from them.

Contract: ``markdown(metrics, history, config) -> str`` where ``metrics`` is
``jaxscratch.metrics.classification_report(...)`` and ``history`` the trainer's history; pure
text, no I/O. ``FIGURES`` names the pictures a run directory holds, which the report links.
"""

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

FIGURES = ("curves.png", "confusion.png", "reliability.png")  # a run directory's pictures
EVALUATION_FIGURES = ("coverage.png", "calibration.png", "wrong.png", "uncertain.png",
                      "confused.png")  # fmt: skip
_COVERAGE_ROWS = (1.0, 0.95, 0.9, 0.8, 0.5)  # coverages the report's table shows


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.2f} %"


def _num(v: float | None, digits: int = 4) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def metrics_table(m: dict[str, Any]) -> str:
    top = next((k for k in m if k.startswith("top_") and k.endswith("_accuracy")), None)
    rows = [
        ("accuracy", _pct(m["accuracy"]), "fraction of test images classified correctly"),
        (top or "top-k accuracy", _pct(m.get(top)), "true class among the k most probable"),
        ("macro F1", _num(m["macro_f1"]), "F1 per class, then the plain mean over classes"),
        ("weighted F1", _num(m["weighted_f1"]), "per-class F1 weighted by class size"),
        ("micro F1", _num(m["micro_f1"]), "pooled counts; equals accuracy for one label each"),
        (
            "macro precision",
            _num(m["macro_precision"]),
            "of the images called k, share that are k",
        ),
        ("macro recall", _num(m["macro_recall"]), "of the images that are k, share found"),
        ("ROC-AUC (macro, one-vs-rest)", _num(m["roc_auc_macro"]), "ranking quality per class"),
        ("log loss", _num(m["log_loss"]), "mean -log p(true class); punishes confident errors"),
        ("Brier score", _num(m["brier_score"]), "mean squared error of the probability vector"),
        ("ECE", _num(m["ece"]), "expected |accuracy - confidence| over confidence bins"),
    ]
    lines = ["| metric | value | meaning |", "|---|---:|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def per_class_table(m: dict[str, Any], names: Sequence[str]) -> str:
    pc = m["per_class"]
    lines = [
        "| class | precision | recall | F1 | ROC-AUC | support |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for k, name in enumerate(names):
        lines.append(
            f"| {name} | {_num(pc['precision'][k])} | {_num(pc['recall'][k])} | "
            f"{_num(pc['f1'][k])} | {_num(pc['roc_auc'][k])} | {pc['support'][k]} |"
        )
    return "\n".join(lines)


def discussion(m: dict[str, Any], history: dict[str, Any], names: Sequence[str]) -> list[str]:
    """Short paragraphs that read the numbers: weakest classes, averages, calibration, fit."""
    pc = m["per_class"]
    f1 = np.asarray([np.nan if v is None else v for v in pc["f1"]])
    out = [
        f"The network classifies {_pct(m['accuracy'])} of the {m['n']:,} test images correctly. "
        f"Micro-averaged F1 equals accuracy here because every image has exactly one label, so "
        f"pooled false positives and false negatives are the same errors counted twice."
    ]
    gap = m["weighted_f1"] - m["macro_f1"]
    support = np.asarray(pc["support"])
    spread = support.max() / max(support.min(), 1)
    if abs(gap) < 0.002:
        out.append(
            f"Macro F1 ({_num(m['macro_f1'])}) and weighted F1 ({_num(m['weighted_f1'])}) agree: "
            f"the classes are nearly balanced (largest/smallest support {spread:.2f}) and no "
            f"small class is much worse than the rest."
        )
    else:
        side = "larger" if gap > 0 else "smaller"
        out.append(
            f"Weighted F1 ({_num(m['weighted_f1'])}) differs from macro F1 "
            f"({_num(m['macro_f1'])}) "
            f"by {gap:+.4f}: the weaker classes are the {side} ones (support ratio {spread:.2f}), "
            f"so the class-size-weighted average {'hides' if gap > 0 else 'exaggerates'} them."
        )
    order = [int(k) for k in np.argsort(np.nan_to_num(f1, nan=-1.0))[:3]]
    confused = m.get("most_confused", [])
    parts = []
    for k in order:
        p, r = pc["precision"][k], pc["recall"][k]
        into = [c for c in confused if c["true"] == k]
        src = [c for c in confused if c["predicted"] == k]
        if r is not None and p is not None and r < p:
            why = "it is missed more often than falsely claimed (recall < precision)"
            if into:
                why += f", most often read as {names[into[0]['predicted']]}"
        else:
            why = "it is claimed too often (precision <= recall)"
            if src:
                why += f", mostly for true {names[src[0]['true']]}"
        parts.append(f"class {names[k]} (F1 {_num(f1[k])}): {why}")
    out.append("Weakest classes: " + "; ".join(parts) + ".")
    if confused:
        pairs = ", ".join(
            f"{names[c['true']]}→{names[c['predicted']]} ({c['count']})" for c in confused[:3]
        )
        out.append(
            f"The most frequent confusions (true→predicted, count) are {pairs}; they are the "
            f"pairs to look at first (similar shapes, ambiguous writing, or label noise)."
        )
    conf = _mean_confidence(m)
    if conf is not None and m["accuracy"] is not None:
        kind = "over-confident" if conf > m["accuracy"] else "under-confident"
        ece = m["ece"] or 0.0
        kind = (
            "well calibrated" if ece < 0.01 else ("slightly " if ece < 0.05 else "clearly ") + kind
        )
        ranking = "almost perfectly" if m["roc_auc_macro"] > 0.99 else "well"
        out.append(
            f"Calibration: mean top-label confidence {_pct(conf)} against accuracy "
            f"{_pct(m['accuracy'])}, ECE {_num(m['ece'])}; the network is {kind}. "
            f"Log loss {_num(m['log_loss'])} and Brier score {_num(m['brier_score'])} score the "
            f"whole probability vector, so they also reward being right with the right "
            f"confidence. A macro ROC-AUC of {_num(m['roc_auc_macro'])} means the probabilities "
            f"rank each class "
            f"above the rest {ranking} even where the top-1 decision is wrong."
        )
    out.append(_fit_paragraph(history))
    return out


def _mean_confidence(m: dict[str, Any]) -> float | None:
    rel = m.get("reliability")
    if not rel:
        return None
    pairs = [(c, n) for c, n in zip(rel["confidence"], rel["count"], strict=True) if n]
    total = sum(n for _, n in pairs)
    return sum(c * n for c, n in pairs) / total if total else None


def _fit_paragraph(h: dict[str, Any]) -> str:
    tr, te = h["train_loss"], [v for v in h["test_loss"] if v is not None]
    seconds = np.mean(h["epoch_seconds"]) if h["epoch_seconds"] else float("nan")
    text = (
        f"Training ran {len(h['epoch'])} epochs of {h['steps_per_epoch']} mini-batches "
        f"({seconds:.2f} s per epoch on average); the mini-batch loss fell from "
        f"{tr[0]:.4f} to {tr[-1]:.4f}."
    )
    if te:
        best = int(np.argmin(te))
        text += f" Test loss ended at {te[-1]:.4f} (lowest {te[best]:.4f} at epoch {best + 1})."
        if best < len(te) - 1 and te[-1] > 1.05 * te[best]:
            text += (
                " The test loss rose after its minimum while the training loss kept falling: the "
                "network has started to overfit; more dropout, weight decay or fewer epochs help."
            )
        elif te[-1] > 1.5 * tr[-1]:
            text += " The test loss sits well above the training loss: some overfitting."
        else:
            text += " Train and test losses track each other: no sign of overfitting."
    return text


def markdown(
    m: dict[str, Any],
    history: dict[str, Any],
    config: dict[str, Any],
    names: Sequence[str] | None = None,
) -> str:
    names = list(names) if names is not None else [str(k) for k in range(m["num_classes"])]
    lines = [
        "# Training run report",
        "",
        "## Configuration",
        "",
        "```json",
        _compact(config),
        "```",
        "",
        "## Test metrics",
        "",
        metrics_table(m),
        "",
        "## Per class",
        "",
        per_class_table(m, names),
        "",
        "## Discussion",
        "",
        *[p + "\n" for p in discussion(m, history, names)],
        *evaluation_section(m, names),
        "## Figures",
        "",
        *[f"![{f}]({f})" for f in FIGURES],
        "",
    ]
    return "\n".join(lines)


def coverage_table(m: dict[str, Any]) -> str:
    """Accuracy on the most confident share of the test part, a few shares."""
    cov = m["accuracy_coverage"]
    rows = ["| coverage | accuracy on kept | lowest confidence kept |", "|---:|---:|---:|"]
    for c, acc, thr in zip(cov["coverage"], cov["accuracy"], cov["threshold"], strict=True):
        if any(abs(c - want) < 1e-9 for want in _COVERAGE_ROWS):
            rows.append(f"| {_pct(c)} | {_pct(acc)} | {thr:.4f} |")
    return "\n".join(rows)


def _gallery_table(entries: list[dict], names: Sequence[str], k: int = 8) -> str:
    rows = ["| test image | true | predicted | p(predicted) | p(true) | entropy |",
            "|---:|---|---|---:|---:|---:|"]  # fmt: skip
    rows += [
        f"| {e['index']} | {names[e['true']]} | {names[e['predicted']]} | "
        f"{e['probability']:.3f} | {e['p_true']:.3f} | {e['entropy']:.3f} |"
        for e in entries[:k]
    ]
    return "\n".join(rows)


def evaluation_section(m: dict[str, Any], names: Sequence[str]) -> list[str]:
    """The ``## Evaluation`` lines: coverage, temperature scaling, galleries, confused pairs;
    none for a run written before these were computed."""
    if "galleries" not in m:
        return []
    g = m["galleries"]
    out = ["## Evaluation", "", "Accuracy when the least confident predictions are rejected:",
           "", coverage_table(m), "", "![coverage.png](coverage.png)", ""]  # fmt: skip
    ts = m.get("temperature_scaling")
    if ts:
        b, a = ts["before"], ts["after"]
        out += [
            f"Temperature scaling, fitted on {ts['n_validation']:,} training images held out "
            f"from training: T = {ts['temperature']:.3f}. On the test part ECE "
            f"{b['ece']:.4f} → {a['ece']:.4f} and log loss {b['log_loss']:.4f} → "
            f"{a['log_loss']:.4f} (accuracy is unchanged: T keeps every ranking).",
            "",
            "![calibration.png](calibration.png)",
            "",
        ]
    out += ["The most confidently wrong test images:", "",
            _gallery_table(g["confidently_wrong"], names), "", "![wrong.png](wrong.png)", "",
            "The most uncertain test images (highest predictive entropy):", "",
            _gallery_table(g["most_uncertain"], names), "", "![uncertain.png](uncertain.png)",
            ""]  # fmt: skip
    if g["confused_pairs"]:
        pairs = "; ".join(
            f"{names[p['true']]} read as {names[p['predicted']]} ({p['count']}×)"
            for p in g["confused_pairs"]
        )
        out += [f"Most-confused pairs: {pairs}.", "", "![confused.png](confused.png)", ""]
    return out


def _compact(obj: Any) -> str:
    return json.dumps(obj, indent=2)
