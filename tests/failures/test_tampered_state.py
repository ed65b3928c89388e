"""Tampered or stale state: each file kind has one validating loader whose one-line error
names the file, what is wrong and the fix; nothing is changed; the demo redoes a part whose
record is unreadable."""

import json

import jax
import pytest
from failure_checks import one_line, snapshot
from failure_npz import rewrite_checkpoint

from jaxscratch.errors import JaxscratchError
from jaxscratch.pipeline import demo
from jaxscratch.report import Section, Text, section_to_dict
from jaxscratch.runs import records, width_search


def _predict(cli, run, tmp_path):
    from PIL import Image

    Image.new("L", (8, 8), 0).save(tmp_path / "blank.png")
    before = snapshot(run)
    code, out, err = cli("mnist", "predict", run, tmp_path / "blank.png", "--json")
    assert code == 2 and out == ""
    assert snapshot(run) == before
    return err


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (lambda m: {k: v for k, v in m.items() if k != "leaves"}, ["lists no leaves"]),
        (lambda m: {k: v for k, v in m.items() if k != "key_impl"}, ["lacks key_impl"]),
        (lambda m: m | {"key_impl": "philox"}, ["unknown PRNG implementation 'philox'"]),
        (lambda m: [m], ["is not a jaxscratch-checkpoint/1 checkpoint"]),
        (lambda m: m | {"epoch": -3}, ["epoch -3 is not a count"]),  # not in the issue
    ],
)
def test_tampered_checkpoint_metadata(cli, run_copy, tmp_path, change, names):
    rewrite_checkpoint(run_copy / "checkpoint.npz", meta=change)
    one_line(_predict(cli, run_copy, tmp_path), str(run_copy / "checkpoint.npz"), *names)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (lambda c: "{not json", ["is not valid JSON (line 1)"]),
        (lambda c: json.dumps([c]), ["the config is a list, not an object"]),
        (lambda c: json.dumps({k: v for k, v in c.items() if k != "model"}), ["lacks 'model'"]),
        (lambda c: json.dumps(c | {"colour": "red"}), ["unknown key 'colour'"]),
        (
            lambda c: json.dumps(c | {"data": c["data"] | {"input_shape": [0, 0]}}),
            ["input_shape is [0, 0], not 2 positive integers"],
        ),  # fmt: skip
        (
            lambda c: json.dumps(c | {"key": {"impl": "threefry2x32", "data": "zz"}}),
            ["is not a PRNG key's data"],
        ),  # fmt: skip
    ],
)
def test_tampered_config(cli, run_copy, tmp_path, text, names):
    path = run_copy / "config.json"
    path.write_text(text(json.loads(path.read_text())))
    one_line(_predict(cli, run_copy, tmp_path), str(path), *names, "--overwrite")


def test_missing_history_names_the_file_and_the_fix(cli, run_copy):
    (run_copy / "history.json").unlink()
    before = snapshot(run_copy)
    code, out, err = cli("mnist", "evaluate", run_copy, "--json")
    assert code == 2 and out == ""
    one_line(err, str(run_copy / "history.json"), "is missing", "--resume")
    assert snapshot(run_copy) == before


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('{"h1": 64, "h2": 3', ["is not valid JSON"]),
        ("[]", ["the width pair is a list, not an object"]),
        ('{"h1": 64}', ["lacks 'h2'"]),
    ],
)
def test_tampered_sweep_pair(tmp_path, text, names):
    path = tmp_path / "pairs" / "64x32.json"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(JaxscratchError) as err:
        records.PairRecord.read(path)
    one_line(f"{err.value}\n", str(path), *names, "delete it and rerun the sweep")


def test_corrupt_sweep_config_is_refused_before_training(cli, tmp_path):
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "sweep_config.json").write_text('{"fingerprint": ')
    before = snapshot(out)
    code, _, err = cli("mnist", "sweep", "--dataset", "digits", "--h1", "8", "--h2", "8",
                       "--epochs", "1", "--out", out, "--json")  # fmt: skip
    assert code == 2
    one_line(err, str(out / "sweep_config.json"), "not valid JSON", "--overwrite")
    assert snapshot(out) == before
    with pytest.raises(JaxscratchError, match="fingerprint"):
        (out / "sweep_config.json").write_text('{"h1": [8], "h2": [8]}')
        width_search.read_sweep_config(out)


def test_corrupt_sweep_json_names_the_file(tmp_path):
    (tmp_path / "sweep.json").write_text('{"h1": [8]}')
    with pytest.raises(JaxscratchError, match=r"sweep\.json: the sweep lacks 'h2'"):
        records.SweepResult.read(tmp_path)


@pytest.mark.parametrize("text", ["{", "[]", '{"key": "x", "title": "t", "blocks": [{}]}'])
def test_demo_redoes_a_part_whose_record_is_unreadable(tmp_path, monkeypatch, capsys, text):
    runs = []

    def part(out, key, seed, quick, progress):
        runs.append(out)
        return Section("fake", "A fake part", (Text("done"),))

    monkeypatch.setattr(demo, "PARTS", (demo.Part("fake", "A fake part", part),))
    (tmp_path / "fake").mkdir()
    (tmp_path / "fake" / "section.json").write_text(text)
    demo.run_demo(tmp_path, jax.random.key(0))
    assert runs == [tmp_path / "fake"]  # redone, not reused
    assert "redoing: " in capsys.readouterr().err
    record = json.loads((tmp_path / "fake" / "section.json").read_text())
    assert record == section_to_dict(Section("fake", "A fake part", (Text("done"),)))
    demo.run_demo(tmp_path, jax.random.key(0))
    assert len(runs) == 1  # a valid record is reused
