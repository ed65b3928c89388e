"""Classification metrics against scikit-learn (the test-only oracle), to 1e-6."""

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from jaxscratch import metrics

K, N = 5, 600


@pytest.fixture
def data():
    """Labels and softmax-like probabilities that carry signal; rounded so scores tie."""
    rng = np.random.default_rng(7)
    y = rng.integers(0, K, N)
    logits = rng.gumbel(size=(N, K)) + 2.0 * np.eye(K)[y] * rng.uniform(0, 1.5, (N, 1))
    p = np.exp(logits - logits.max(1, keepdims=True))
    p = np.round(p / p.sum(1, keepdims=True), 2)  # ties for the rank-based AUC
    p = np.clip(p, 0.0, None)
    p /= p.sum(1, keepdims=True)
    return y, p


def _close(a, b):
    np.testing.assert_allclose(np.asarray(a, np.float64), b, rtol=1e-6, atol=1e-6)


def test_accuracy_and_top_k(x64, data):
    y, p = data
    _close(metrics.accuracy(y, p), skm.accuracy_score(y, p.argmax(1)))
    p_unique = p + 1e-9 * np.arange(K)  # sklearn breaks ties differently; remove them
    for k in (1, 2, 3):
        _close(metrics.top_k_accuracy(y, p_unique, k), skm.top_k_accuracy_score(y, p_unique, k=k))


def test_confusion_matrix_and_per_class_scores(x64, data):
    y, p = data
    pred = p.argmax(1)
    cm = metrics.confusion_matrix(y, pred, K)
    np.testing.assert_array_equal(cm, skm.confusion_matrix(y, pred, labels=range(K)))
    pc = metrics.per_class(cm)
    prec, rec, f1, support = skm.precision_recall_fscore_support(y, pred, labels=range(K))
    _close(pc.precision, prec)
    _close(pc.recall, rec)
    _close(pc.f1, f1)
    np.testing.assert_array_equal(pc.support, support)
    avg = metrics.averages(cm)
    for how in ("macro", "micro", "weighted"):
        _close(avg[f"{how}_precision"], skm.precision_score(y, pred, average=how))
        _close(avg[f"{how}_recall"], skm.recall_score(y, pred, average=how))
        _close(avg[f"{how}_f1"], skm.f1_score(y, pred, average=how))


def test_a_never_predicted_class_scores_zero_like_sklearn(x64):
    y = np.array([0, 0, 1, 1, 2])
    pred = np.array([0, 0, 1, 1, 1])
    pc = metrics.per_class(metrics.confusion_matrix(y, pred, 3))
    expected = skm.precision_score(y, pred, average=None, zero_division=0)
    _close(pc.precision, expected)
    _close(pc.f1, skm.f1_score(y, pred, average=None, zero_division=0))


def test_one_vs_rest_roc_auc_with_ties(x64, data):
    y, p = data
    auc = metrics.roc_auc_ovr(y, p)
    for k in range(K):
        _close(auc[k], skm.roc_auc_score(y == k, p[:, k]))
    _close(np.mean(auc), skm.roc_auc_score(y, p, multi_class="ovr", average="macro"))


def test_log_loss_and_brier_score(x64, data):
    y, p = data
    _close(metrics.log_loss(y, p), skm.log_loss(y, p, labels=range(K)))
    _close(metrics.brier_score(y, p), skm.brier_score_loss(y, p, labels=range(K)))


def test_expected_calibration_error_from_sklearn_calibration_curve(x64, data):
    y, p = data
    p = p + 1e-7 * np.linspace(0.1, 0.9, N)[:, None]  # keep confidences off the bin edges
    p /= p.sum(1, keepdims=True)
    conf, correct, bins = p.max(1), (p.argmax(1) == y).astype(float), 10
    frac, mean_conf = calibration_curve(correct, conf, n_bins=bins, strategy="uniform")
    counts = np.histogram(conf, bins=np.linspace(0, 1, bins + 1))[0]
    counts = counts[counts > 0]
    expected = np.sum(counts * np.abs(frac - mean_conf)) / N
    _close(metrics.expected_calibration_error(y, p, bins), expected)
    rel = metrics.reliability(y, p, bins)
    _close(np.asarray(rel.accuracy)[np.asarray(rel.count) > 0], frac)
    assert int(np.sum(rel.count)) == N


def test_most_confused_pairs_are_the_largest_off_diagonal_cells():
    cm = np.array([[9, 3, 0], [1, 8, 5], [0, 2, 7]])
    assert metrics.most_confused(cm, 3) == [(1, 2, 5), (0, 1, 3), (2, 1, 2)]
    assert metrics.most_confused(np.eye(3, dtype=int) * 4) == []


def test_report_holds_every_metric_by_name(data):
    y, p = data
    out = metrics.classification_report(y, p.astype(np.float32))
    for name in ("accuracy", "macro_f1", "micro_f1", "weighted_f1", "roc_auc_macro", "log_loss"):
        assert isinstance(out[name], float)
    for name in ("ece", "brier_score", "top_3_accuracy", "confusion_matrix", "most_confused"):
        assert name in out
    assert len(out["per_class"]["f1"]) == K
    assert abs(out["macro_f1"] - skm.f1_score(y, p.argmax(1), average="macro")) < 1e-6
