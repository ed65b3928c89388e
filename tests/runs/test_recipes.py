"""The one default recipe: the library's defaults, and the policy around them written once."""

import numpy as np
import pytest

from jaxscratch import nn
from jaxscratch._shared import N_CLASSES
from jaxscratch.runs import recipes, records


def test_the_default_recipe_is_the_library_default_with_a_step_budget():
    assert recipes.train_config() == recipes.TRAIN
    assert recipes.TRAIN == nn.TrainConfig(step_budget=recipes.STEP_BUDGET)
    assert recipes.train_config(epochs=3).step_budget == 0  # epochs given: exactly those
    assert recipes.augments("mnist-10k") and not recipes.augments("fashion-mnist")
    assert recipes.model() == nn.MLPConfig() == recipes.MODEL
    assert recipes.WIDTHS == nn.MLPConfig().sizes[1:-1]


@pytest.mark.parametrize(
    ("optimizer", "schedule", "weight_decay"),
    [
        ("adamw", "cosine", 1e-4),
        ("adam", "cosine", 0.0),
        ("sgd", "constant", 0.0),
        ("momentum", "constant", 0.0),
        ("nesterov", "constant", 0.0),
    ],
)
def test_schedule_and_decay_follow_the_optimizer(optimizer, schedule, weight_decay):
    recipe = recipes.train_config(optimizer)
    assert (recipe.optimizer, recipe.schedule, recipe.weight_decay) == (
        optimizer,
        schedule,
        weight_decay,
    )
    assert recipe._replace(optimizer="adamw", schedule="cosine", weight_decay=1e-4) == (
        recipes.TRAIN
    )  # nothing else moves


def test_given_values_win_and_none_keeps_the_default():
    recipe = recipes.train_config("sgd", schedule="step", weight_decay=5e-4, epochs=None, lr=0.1)
    assert (recipe.schedule, recipe.weight_decay, recipe.lr) == ("step", 5e-4, 0.1)
    assert recipe.epochs == nn.TrainConfig().epochs
    augmented = recipes.train_config(augment=True)
    assert (augmented.augment_shift, augmented.augment_degrees) == (
        recipes.AUGMENT_SHIFT,
        recipes.AUGMENT_DEGREES,
    )
    assert recipes.model((32, 16), dropout=None, activation="tanh") == nn.MLPConfig(
        (784, 32, 16, 10), "tanh"
    )


def test_augmentation_follows_the_kind_of_image():
    garments = recipes.train_config(augment=True, dataset="fashion-mnist")
    assert garments.augment_flip and (garments.augment_shift, garments.augment_degrees) == (0, 0)
    for dataset in ("mnist-10k", "digits", None):  # digits, and images of unknown kind
        digits = recipes.train_config(augment=True, dataset=dataset)
        assert not digits.augment_flip and digits.augment_shift == recipes.AUGMENT_SHIFT
    assert not recipes.train_config(dataset="fashion-mnist").augment_flip  # off unless asked
    text = recipes.describe(nn.MLPConfig(), garments)
    assert text.endswith(
        "(at least 5,000 updates), EMA of the weights (0.999), label smoothing 0.1, augmented "
        "(mirror images), bfloat16 products"
    )


def test_garments_get_their_network_and_recipe_fields_unless_given():
    assert recipes.model(dataset="fashion-mnist").sizes[1:-1] == recipes.GARMENT_WIDTHS
    assert recipes.model((32, 16), "fashion-mnist").sizes[1:-1] == (32, 16)
    assert recipes.model(dataset="mnist-10k") == recipes.MODEL
    garments = recipes.train_config(dataset="fashion-mnist")
    assert garments == recipes.TRAIN._replace(**recipes.GARMENT_TRAIN)
    assert recipes.train_config(dataset="fashion-mnist", label_smoothing=0.0).label_smoothing == 0
    assert garments.precision == "bf16" and recipes.TRAIN.precision == "f32"
    assert recipes.train_config(dataset="fashion-mnist", precision="f32").precision == "f32"
    assert recipes.train_config(dataset="mnist-10k") == recipes.TRAIN


def _data(side: int, labels: np.ndarray, classes=()) -> records.Data:
    x = np.zeros((len(labels), side, side), np.float32)
    return records.Data(x, labels, x[:2], labels[:2], classes=classes)


def test_model_for_fits_input_and_output_to_the_data():
    digits = _data(8, np.arange(20) % 10)
    assert recipes.model_for(digits).sizes == (64, *recipes.WIDTHS, N_CLASSES)
    three = _data(4, np.arange(12) % 3)  # fewer labels: still the MNIST-format output
    assert recipes.model_for(three, widths=(5, 6)).sizes == (16, 5, 6, N_CLASSES)
    many = _data(4, np.arange(24) % 12)  # more labels than MNIST: one output each
    assert recipes.model_for(many).sizes[-1] == 12
    network = recipes.model(activation="gelu")
    assert recipes.model_for(digits, network).activation == "gelu"


def test_the_grids_and_the_description():
    assert recipes.SWEEP.epochs == nn.TrainConfig().epochs
    assert len(recipes.QUICK.sweep.h1) * len(recipes.QUICK.sweep.h2) < len(
        recipes.DEMO.sweep.h1
    ) * len(recipes.DEMO.sweep.h2)
    text = recipes.describe(nn.MLPConfig(), nn.TrainConfig())
    assert text.startswith("784-512-256-10, ReLU, batch norm, dropout 0.1, AdamW (peak 0.003")
    assert "weight decay 0.0001" in text and text.endswith("cosine decay, batch 128, 10 epochs")
    text = recipes.describe(nn.MLPConfig(), recipes.train_config(augment=True))
    assert "10 epochs (at least 5,000 updates), augmented (shifts <= 2 px" in text
