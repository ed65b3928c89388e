"""Augmentation: exact on known moves, keyed, within bounds, and wired into training."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxscratch import nn
from jaxscratch.errors import JaxscratchError
from jaxscratch.nn.augment import augment, mirror, transform


@pytest.fixture
def image():
    img = np.zeros((9, 9), np.float32)
    img[2:5, 3] = 1.0  # a short vertical bar, off centre
    img[6, 6] = 0.5
    return jnp.asarray(img)


def test_zero_move_is_identity(image):
    np.testing.assert_allclose(transform(image, 0.0, jnp.zeros(2)), image, atol=1e-6)


def test_whole_pixel_shift_moves_the_image_and_fills_zeros(image):
    moved = np.asarray(transform(image, 0.0, jnp.array([1.0, -2.0])))
    expected = np.zeros_like(image)
    expected[1:, :-2] = np.asarray(image)[:-1, 2:]
    np.testing.assert_allclose(moved, expected, atol=1e-6)


def test_quarter_turn_equals_rot90(image):
    # rows grow downwards, so +90 degrees here is np.rot90's counter-clockwise turn
    turned = np.asarray(transform(image, 90.0, jnp.zeros(2)))
    np.testing.assert_allclose(turned, np.rot90(np.asarray(image)), atol=1e-5)


def test_half_pixel_shift_averages_neighbours(image):
    moved = np.asarray(transform(image, 0.0, jnp.array([0.0, 0.5])))
    assert moved[3, 3] == pytest.approx(0.5) and moved[3, 4] == pytest.approx(0.5)


def test_batches_are_keyed_and_bounded(key, image):
    x = jnp.stack([image] * 16)
    a, b = augment(key, x), augment(key, x)
    c = augment(jax.random.fold_in(key, 1), x)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert a.shape == x.shape and float(a.min()) >= 0 and float(a.max()) <= 1 + 1e-6
    assert len({np.asarray(a[i]).tobytes() for i in range(16)}) == 16  # each image its own move
    mass = np.asarray(a).sum(axis=(1, 2))  # rotations/sub-pixel shifts keep the ink roughly
    assert np.all(np.abs(mass - float(image.sum())) < 0.35 * float(image.sum()))


def test_mirror_flips_about_half_the_images_exactly(key, image):
    x = jnp.stack([image * (i + 1) for i in range(64)])  # (64, 9, 9), each image its own
    out = np.asarray(mirror(key, x))
    flipped = [np.array_equal(out[i], np.asarray(x[i, :, ::-1])) for i in range(64)]
    kept = [np.array_equal(out[i], np.asarray(x[i])) for i in range(64)]
    # each image either mirrored or as it was
    assert all(f != k for f, k in zip(flipped, kept, strict=True))
    assert 16 <= sum(flipped) <= 48  # Binomial(64, 1/2): outside this range p < 1e-4
    np.testing.assert_array_equal(out, mirror(key, x))


def test_flip_leaves_the_other_moves_alone(key, image):
    x = jnp.stack([image] * 8)
    plain = np.asarray(augment(key, x, 0.0, 0.0, flip=True))
    for im in plain:  # no shift, no rotation: only mirror images
        assert np.allclose(im, image, atol=1e-6) or np.allclose(im, image[:, ::-1], atol=1e-6)
    without = augment(key, x, 1.5, 10.0)  # no flip: the draws of a recipe without flips
    assert not np.allclose(without, augment(key, x, 1.5, 10.0, flip=True))


def test_training_step_uses_augmentation(key):
    x = jax.random.uniform(key, (32, 6, 6))
    y = jnp.arange(32) % 3
    model = nn.MLPConfig((36, 8, 3), "relu", False, 0.0)
    plain = nn.TrainConfig(1, 32, "sgd", 0.1)
    losses = []
    for cfg in (plain, plain._replace(augment_shift=1.5, augment_degrees=10.0),
                plain._replace(augment_flip=True)):  # fmt: skip
        trainer = nn.make_trainer(model, cfg, 32)
        _, m = trainer.step(trainer.init(key), (x, y))
        losses.append(float(m.loss))
    assert np.isfinite(losses).all() and losses[0] != losses[1] and losses[0] != losses[2]


def test_bad_augmentation_is_named():
    with pytest.raises(JaxscratchError, match="shift in \\[0, 8\\] pixels"):
        nn.train.check_train_config(nn.TrainConfig(augment_degrees=90.0), 1000)
