"""The run's evaluation: galleries, confused pairs and their images picked from a hand-made set;
the calibration carve held out of training."""

import jax
import numpy as np

from jaxscratch.runs import evaluation
from jaxscratch.runs.records import Data

# five test images of three classes; each image is filled with its own index
LABELS = np.array([0, 1, 2, 0, 1])
PROBA = np.array(
    [
        [0.9, 0.05, 0.05],  # right
        [0.8, 0.1, 0.1],  # 1 read as 0, p 0.8
        [0.34, 0.33, 0.33],  # 2 read as 0, the most uncertain
        [0.1, 0.85, 0.05],  # 0 read as 1, p 0.85: the most confidently wrong
        [0.6, 0.3, 0.1],  # 1 read as 0, p 0.6
    ]
)
IMAGES = np.stack([np.full((4, 4), i / 255, np.float32) for i in range(5)])


def test_galleries_and_pairs_pick_what_they_claim():
    report = evaluation.evaluate(LABELS, PROBA)
    g = report["galleries"]
    assert [e["index"] for e in g["confidently_wrong"]] == [3, 1, 4, 2]
    assert g["confidently_wrong"][0] | {} == {
        "index": 3, "true": 0, "predicted": 1, "probability": 0.85, "p_true": 0.1,
        "entropy": g["confidently_wrong"][0]["entropy"],
    }  # fmt: skip
    assert [e["index"] for e in g["most_uncertain"]][:2] == [2, 4]
    first = g["confused_pairs"][0]
    assert (first["true"], first["predicted"], first["count"]) == (1, 0, 2)
    assert [e["index"] for e in first["examples"]] == [1, 4]  # most confident first
    assert report["temperature_scaling"] is None  # no calibration part given
    images = evaluation.gallery_images(IMAGES, report)
    np.testing.assert_array_equal(images["confidently_wrong"][:, 0, 0], [3, 1, 4, 2])
    np.testing.assert_array_equal(images["pair_0"][:, 0, 0], [1, 4])


def test_the_calibration_carve_is_held_out_and_stratified():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(10), 20).astype(np.int32)
    x = rng.random((200, 4, 4)).astype(np.float32)
    data = Data(x, y, x[:10], y[:10])
    fit, x_cal, y_cal = evaluation.carve_calibration(jax.random.key(0), data, 40)
    assert len(fit.y_train) == 160 and np.bincount(y_cal).tolist() == [4] * 10
    rows = {r.tobytes() for r in fit.x_train}
    assert not any(r.tobytes() in rows for r in x_cal)  # disjoint from what is trained on
