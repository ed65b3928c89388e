"""The width search: table, heat map, choice, final test report, resume, refusals."""

import json

import jax
import numpy as np
import pytest

from jaxscratch import nn
from jaxscratch.errors import JaxscratchError
from jaxscratch.runs import recipes, records, training
from jaxscratch.runs import width_search as sweep
from jaxscratch.viz import sweep as sweep_figures

KEY = jax.random.key(0)


class _Reads:
    """An array that counts how often it is converted (read) by numpy or JAX."""

    def __init__(self, a: np.ndarray):
        self.a, self.reads = a, 0
        self.shape, self.dtype = a.shape, a.dtype

    def __len__(self) -> int:
        return len(self.a)

    def __array__(self, dtype=None, copy=None):
        self.reads += 1
        return self.a if dtype is None else self.a.astype(dtype)


def _tiny_data(seed: int = 0) -> records.Data:
    """Three classes of 4 x 4 images, each a bright block in its own place, plus noise."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), 60)
    x = rng.uniform(0, 0.4, (len(y), 4, 4)).astype(np.float32)
    for k in range(3):
        x[y == k, k, :] += 0.6
    order = rng.permutation(len(y))
    x, y = x[order], y[order].astype(np.int32)
    return records.Data(x[:150], y[:150], x[150:], y[150:], "blocks", "test", "80-20")


def _config(**kw) -> sweep.SweepConfig:
    recipe = nn.TrainConfig(1, 16, "adamw", 1e-2, "constant")
    model = nn.MLPConfig((16, 1, 1, 10), "relu", False, 0.0)
    return sweep.SweepConfig((2, 8), (2, 4), model, recipe, 0.2, **kw)


def test_sweep_writes_table_heatmap_choice_and_final_report_and_resumes(tmp_path):
    data, config = _tiny_data(), _config()
    seen = []

    def stop_after_four(record, reused):
        seen.append(((record.h1, record.h2), reused))
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep.run_sweep(tmp_path, data, config, key=KEY, on_pair=stop_after_four)
    recorded = sorted(p.name for p in (tmp_path / "pairs").glob("*.json"))
    assert recorded == ["2x2.json", "2x4.json"]
    stamp = (tmp_path / "pairs" / "2x2.json").stat().st_mtime_ns
    result = sweep.run_sweep(
        tmp_path,
        data,
        config,
        key=KEY,
        on_pair=lambda r, reused: seen.append(((r.h1, r.h2), reused)),
    )
    sweep_figures.write_heatmap(tmp_path)  # what the faces add
    assert [reused for _, reused in seen[2:]] == [True] * 2 + [False] * 2
    assert (tmp_path / "pairs" / "2x2.json").stat().st_mtime_ns == stamp
    table = json.loads((tmp_path / "sweep.json").read_text())
    assert len(table["pairs"]) == 4 and table["n_val"] == 30 and table["n_fit"] == 120
    best = max(p["val_accuracy"] for p in table["pairs"])
    assert table["chosen"]["val_accuracy"] >= best - 0.1
    assert (table["chosen"]["h1"], table["chosen"]["h2"]) == (result.chosen.h1, result.chosen.h2)
    assert table == result.to_json() and table["test"]["log_loss"] == result.metrics.log_loss
    assert records.SweepResult.read(tmp_path).to_json() == table
    md = (tmp_path / "sweep.md").read_text()
    assert md.count("\n| ") == 5 and "(chosen)" in md and "Chosen widths" in md
    assert (tmp_path / "heatmap.png").stat().st_size > 5000
    final = tmp_path / "final"
    metrics = json.loads((final / "metrics.json").read_text())
    assert metrics["confusion_matrix"] and np.sum(metrics["confusion_matrix"]) == 30
    history = json.loads((final / "history.json").read_text())
    assert history["test_accuracy"] == [None]  # the test part was not read during training
    cfg = json.loads((final / "config.json").read_text())
    assert cfg["model"]["sizes"][1:3] == [result.chosen.h1, result.chosen.h2]
    assert cfg["data"]["chosen_by"] == "sweep" and cfg["key"] == records.key_to_json(KEY)
    assert training.evaluate_run(final, data).metrics.accuracy == metrics["accuracy"]


def test_the_final_network_is_the_train_run_of_its_widths_and_reads_the_test_once(tmp_path):
    data = _tiny_data()
    x_test = _Reads(data.x_test)
    result = sweep.run_sweep(tmp_path / "s", data._replace(x_test=x_test), _config(), key=KEY)
    assert x_test.reads == 1  # the whole search and the final training never looked at it
    widths = (result.chosen.h1, result.chosen.h2)
    model = recipes.model_for(data, _config().model, widths)
    alone = training.train_run(tmp_path / "alone", data, model, _config().recipe, key=KEY)
    assert alone.metrics.report == result.metrics.report  # same key, same network
    assert (
        alone.history["train_loss"]
        == json.loads((tmp_path / "s" / "final" / "history.json").read_text())["train_loss"]
    )
    chosen = next(p for p in result.pairs if (p.h1, p.h2) == widths)
    assert chosen.params == nn.count_params(training.open_run(tmp_path / "alone").state.params)


def test_without_final_the_test_part_is_not_read(tmp_path):
    data = _tiny_data()
    x_test = _Reads(data.x_test)
    result = sweep.run_sweep(
        tmp_path, data._replace(x_test=x_test), _config(), key=KEY, final=False
    )
    assert x_test.reads == 0 and result.metrics is None and not (tmp_path / "final").exists()
    assert json.loads((tmp_path / "sweep.json").read_text())["test"] is None


def test_a_sweep_with_another_recipe_is_not_resumed(tmp_path):
    (tmp_path / "sweep_config.json").write_text('{"fingerprint": "something else"}')
    with pytest.raises(JaxscratchError, match="another recipe, data or seed; pass --overwrite"):
        sweep.run_sweep(tmp_path, _tiny_data(), _config(), key=KEY)


def _pair(h1: int, h2: int, params: int, val_accuracy: float) -> records.PairRecord:
    return records.PairRecord(h1, h2, params, val_accuracy, 0.5, val_accuracy, 0.4, 1.0, 1.0, 1)


def test_a_sweep_with_another_key_is_not_resumed(tmp_path):
    data, config = _tiny_data(), _config()._replace(h1=(2,), h2=(2,))
    sweep.run_sweep(tmp_path, data, config, key=KEY, final=False)
    with pytest.raises(JaxscratchError, match="another recipe, data or seed"):
        sweep.run_sweep(tmp_path, data, config, key=jax.random.key(1), final=False)


def test_choose_prefers_the_smallest_within_one_standard_error():
    pairs = [_pair(64, 32, 100, 0.80), _pair(128, 32, 200, 0.89), _pair(256, 64, 400, 0.90)]
    # se at p = 0.9, n = 900 is 0.01: 0.89 is within it, 0.80 is not
    chosen, why = sweep.choose(pairs, 900)
    assert chosen.h1 == 128 and "1.00 points" in why and "smaller network" in why
    chosen, why = sweep.choose(pairs, 90_000)  # se 0.001: only the best qualifies
    assert chosen.h1 == 256 and "is the smallest of them" in why


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"h1": ()}, "--h1 needs at least one width"),
        ({"h2": (4, 0)}, "--h2 widths must be >= 1"),
        ({"h1": (4, 4)}, "lists a width twice"),
        ({"val_fraction": 0.7}, "validation fraction must be in (0, 0.5)"),
        ({"final_epochs": 0}, "final epochs must be >= 1"),
    ],
)
def test_bad_sweep_configs_are_named(kw, message):
    with pytest.raises(JaxscratchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        sweep.check_sweep_config(_config()._replace(**kw))


@pytest.mark.parametrize(
    ("args", "message"),
    [  # the second value of a flag is read: many widths per flag reach the checks
        (["--h1", "8", "0"], "--h1 widths must be >= 1, got [8, 0]"),
        (["--h1", "8", "--h2", "4", "6", "4"], "--h2 lists a width twice: [4, 6, 4]"),
        (["--epochs", "0"], "--epochs must be >= 1"),
        (["--val-fraction", "0.9"], "validation fraction must be in (0, 0.5)"),
        (["--devices", "3"], "--devices 3: JAX sees"),
        (["--split", "50-50"], "unknown --split '50-50'; choose one of 80-20, official"),
        (["--dataset", "cifar"], "unknown dataset 'cifar'; choose one of mnist"),
    ],
)
def test_cli_sweep_bad_input_is_one_line(cli, tmp_path, args, message):
    code, _, err = cli("mnist", "sweep", *args, "--out", tmp_path / "x")
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "x").exists()


def test_cli_sweep_data_dir_without_the_files_names_them(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = cli("mnist", "sweep", "--data-dir", tmp_path / "empty", "--out", tmp_path / "x")
    assert code == 2 and "lacks train-images-idx3-ubyte.gz" in err and err.count("\n") == 1
    assert not (tmp_path / "x").exists()
