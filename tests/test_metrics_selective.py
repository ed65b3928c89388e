"""Accuracy against coverage, predictive entropy, the galleries' picks, temperature scaling."""

import numpy as np
import pytest

from jaxscratch import metrics


def _predictions(n=500, k=10, sharpness=4.0, seed=0):
    """Over-confident probabilities: noisy logits with a true-class signal, sharpened."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n)
    z = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[labels]
    p = np.exp(sharpness * z)
    return labels, p / p.sum(axis=1, keepdims=True)


def test_accuracy_coverage_matches_brute_force():
    labels, proba = _predictions()
    got = metrics.accuracy_coverage(labels, proba)
    conf = proba.max(axis=1)
    for c, acc, thr, kept in zip(*got, strict=True):
        m = max(1, round(c * len(labels)))
        keep = sorted(range(len(labels)), key=lambda i: -conf[i])[:m]  # most confident m
        assert kept == m and thr == pytest.approx(min(conf[keep]))
        assert acc == pytest.approx(np.mean([proba[i].argmax() == labels[i] for i in keep]))
    assert got.accuracy[-1] == pytest.approx(np.mean(proba.argmax(1) == labels))
    assert got.accuracy[0] > got.accuracy[-1]  # the confident ones are right more often


def test_entropy_of_uniform_and_one_hot():
    p = np.array([[0.25] * 4, [1.0, 0, 0, 0]])
    np.testing.assert_allclose(metrics.predictive_entropy(p), [np.log(4), 0.0], atol=1e-12)


def test_galleries_pick_what_they_claim_on_a_hand_made_set():
    labels = np.array([0, 1, 2, 0, 1])
    proba = np.array(
        [
            [0.9, 0.05, 0.05],  # right
            [0.8, 0.1, 0.1],  # wrong, 0.8
            [0.34, 0.33, 0.33],  # wrong, 0.34, the most uncertain
            [0.1, 0.85, 0.05],  # wrong, 0.85: the most confidently wrong
            [0.5, 0.5, 0.0],  # tie, argmax 0: wrong, 0.5
        ]
    )
    np.testing.assert_array_equal(metrics.confidently_wrong(labels, proba, k=3), [3, 1, 4])
    np.testing.assert_array_equal(metrics.most_uncertain(proba, k=2), [2, 4])


def test_temperature_one_leaves_probabilities_unchanged():
    _, proba = _predictions(sharpness=1.0)
    np.testing.assert_allclose(metrics.temperature_scale(proba, 1.0), proba, rtol=1e-5)


def test_fitted_temperature_minimises_the_log_loss_on_its_own_split():
    labels, proba = _predictions()
    t = metrics.fit_temperature(labels, proba)
    assert t > 1.0  # the sharpened predictions are over-confident: T cools them

    def scaled(temp):  # softmax(log p / T) in numpy
        z = np.log(proba) / temp
        q = np.exp(z - z.max(axis=1, keepdims=True))
        return q / q.sum(axis=1, keepdims=True)

    def nll(temp):
        return -np.mean(np.log(scaled(temp)[np.arange(len(labels)), labels]))

    best = min(nll(g) for g in np.exp(np.linspace(-2, 3, 401)))  # brute force over T
    assert nll(t) < nll(1.0) and nll(t) <= best + 1e-5
    np.testing.assert_allclose(metrics.temperature_scale(proba, t), scaled(t), atol=1e-5)
