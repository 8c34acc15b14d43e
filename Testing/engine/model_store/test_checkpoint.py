"""Checkpoints: safetensors + JSON, round trip, and clear errors for damaged or foreign folders."""

from __future__ import annotations

import json

import pytest
import torch

from reinforcedvl.errors import CheckpointError, ModelNotFoundError
from reinforcedvl.model_store.checkpoint import ModelIdentity, load_network, read_checkpoint, save_checkpoint
from reinforcedvl.model_store.checkpoint_files import seal_checkpoint
from reinforcedvl.model_store.registry import resolve_checkpoint
from reinforcedvl.modeling import ModelConfig, build_network

SMALL = ModelConfig(
    encoder_channels=(8, 16, 32, 64),
    embed_dim=32,
    window_size=(32, 32, 32),
    min_window_size=(16, 16, 16),
    correlation_steps=1,
)


def test_save_and_load_give_the_same_network(tmp_path):
    network = build_network(SMALL)
    save_checkpoint(tmp_path, network, SMALL, ModelIdentity("test-model", "1.2.3"), {"trained_on": ["lidc"]})
    checkpoint = read_checkpoint(tmp_path)
    assert checkpoint.identity == ModelIdentity("test-model", "1.2.3")
    assert checkpoint.config == SMALL
    assert checkpoint.metadata == {"trained_on": ["lidc"]}
    loaded = load_network(checkpoint)
    assert not loaded.training
    for (name, original), (_, restored) in zip(network.state_dict().items(), loaded.state_dict().items(), strict=True):
        torch.testing.assert_close(original, restored, msg=name)


def test_weights_file_is_safetensors_not_pickle(tmp_path):
    save_checkpoint(tmp_path, build_network(SMALL), SMALL, ModelIdentity("m", "1"))
    header_length = int.from_bytes((tmp_path / "model.safetensors").read_bytes()[:8], "little")
    header = json.loads((tmp_path / "model.safetensors").read_bytes()[8 : 8 + header_length])
    assert header["__metadata__"]["format"] == "reinforcedvl-checkpoint"
    assert json.loads((tmp_path / "config.json").read_text())["config"]["correlation_steps"] == 1


def test_missing_weights_file_is_explained(tmp_path):
    save_checkpoint(tmp_path, build_network(SMALL), SMALL, ModelIdentity("m", "1"))
    (tmp_path / "model.safetensors").unlink()
    with pytest.raises(CheckpointError, match="model.safetensors is missing"):
        read_checkpoint(tmp_path)


def test_damaged_weights_are_explained(tmp_path):
    save_checkpoint(tmp_path, build_network(SMALL), SMALL, ModelIdentity("m", "1"))
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match="is damaged: its SHA-256"):
        load_network(read_checkpoint(tmp_path))


@pytest.mark.parametrize("where", [0.3, 0.6, 0.99])
def test_one_flipped_byte_in_the_weights_stops_the_load(tmp_path, where):
    """A single flipped bit anywhere in the tensors' bytes is refused at load, before the network runs."""
    save_checkpoint(tmp_path, build_network(SMALL), SMALL, ModelIdentity("m", "1"))
    weights = tmp_path / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[int(len(data) * where)] ^= 0x01
    weights.write_bytes(bytes(data))
    checkpoint = read_checkpoint(tmp_path)  # the configuration is still intact
    with pytest.raises(CheckpointError, match="is damaged: its SHA-256 is .*Download or copy"):
        load_network(checkpoint)


def test_an_edited_configuration_is_refused(tmp_path):
    save_checkpoint(tmp_path, build_network(SMALL), SMALL, ModelIdentity("m", "1"))
    config = tmp_path / "config.json"
    config.write_text(config.read_text().replace('"mask_threshold": 0.5', '"mask_threshold": 0.7'))
    with pytest.raises(CheckpointError, match="was changed after the checkpoint was written"):
        read_checkpoint(tmp_path)


def test_a_checkpoint_without_a_record_says_how_to_seal_it(tmp_path):
    save_checkpoint(tmp_path, build_network(SMALL), SMALL, ModelIdentity("m", "1"))
    document = json.loads((tmp_path / "config.json").read_text())
    del document["integrity"]
    (tmp_path / "config.json").write_text(json.dumps(document))
    with pytest.raises(CheckpointError, match="no integrity record.*reinforcedvl models seal"):
        read_checkpoint(tmp_path)
    seal_checkpoint(tmp_path)
    assert load_network(read_checkpoint(tmp_path)) is not None


@pytest.mark.parametrize("model_id", ["../victim", "/tmp/abs", "a/b", "..", ".hidden", "", "x" * 101, "a\\b"])
def test_unsafe_model_ids_are_refused(tmp_path, model_id):
    with pytest.raises(CheckpointError, match="not a valid model name"):
        save_checkpoint(tmp_path / "new", build_network(SMALL), SMALL, ModelIdentity(model_id, "1"))
    save_checkpoint(tmp_path, build_network(SMALL), SMALL, ModelIdentity("m", "1"))
    document = json.loads((tmp_path / "config.json").read_text())
    document["model"]["id"] = model_id
    (tmp_path / "config.json").write_text(json.dumps(document))
    seal_checkpoint(tmp_path)
    with pytest.raises(CheckpointError, match="not a valid model name"):
        read_checkpoint(tmp_path)


def test_the_shipped_starter_passes_its_own_check():
    from reinforcedvl.model_store.registry import bundled_models_folder

    checkpoint = read_checkpoint(bundled_models_folder() / "reinforcedvl-starter")
    assert len(checkpoint.weights_sha256) == 64
    assert load_network(checkpoint) is not None


def test_weights_of_another_configuration_are_refused(tmp_path):
    save_checkpoint(tmp_path, build_network(SMALL), SMALL, ModelIdentity("m", "1"))
    document = json.loads((tmp_path / "config.json").read_text())
    document["config"]["embed_dim"] = 64
    (tmp_path / "config.json").write_text(json.dumps(document))
    seal_checkpoint(tmp_path)  # a maintainer's deliberate edit: the record is renewed, the weights still differ
    with pytest.raises(CheckpointError, match="does not match its configuration"):
        load_network(read_checkpoint(tmp_path))


def test_a_newer_format_asks_for_an_update(tmp_path):
    save_checkpoint(tmp_path, build_network(SMALL), SMALL, ModelIdentity("m", "1"))
    document = json.loads((tmp_path / "config.json").read_text())
    document["format_version"] = 99
    (tmp_path / "config.json").write_text(json.dumps(document))
    with pytest.raises(CheckpointError, match="Update ReinforcedVL"):
        read_checkpoint(tmp_path)


def test_paths_and_ids_resolve(tmp_path, monkeypatch):
    monkeypatch.setenv("REINFORCEDVL_HOME", str(tmp_path / "home"))
    folder = tmp_path / "home" / "models" / "my-model"
    save_checkpoint(folder, build_network(SMALL), SMALL, ModelIdentity("my-model", "2"))
    assert resolve_checkpoint(folder).identity.model_id == "my-model"
    assert resolve_checkpoint(folder / "config.json").identity.model_id == "my-model"
    assert resolve_checkpoint("my-model").folder == folder


def test_unknown_model_lists_what_is_installed(tmp_path, monkeypatch):
    monkeypatch.setenv("REINFORCEDVL_HOME", str(tmp_path / "home"))
    save_checkpoint(tmp_path / "home" / "models" / "known", build_network(SMALL), SMALL, ModelIdentity("known", "1"))
    with pytest.raises(ModelNotFoundError, match=r"No model 'nope'.*known"):
        resolve_checkpoint("nope")


def test_models_seal_command_records_the_checksums(tmp_path, capsys):
    from reinforcedvl.cli.main import main

    save_checkpoint(tmp_path, build_network(SMALL), SMALL, ModelIdentity("m", "1"))
    document = json.loads((tmp_path / "config.json").read_text())
    del document["integrity"]
    (tmp_path / "config.json").write_text(json.dumps(document))
    assert main(["models", "seal", str(tmp_path)]) == 0
    assert "Recorded the checksums" in capsys.readouterr().out
    assert len(read_checkpoint(tmp_path).weights_sha256) == 64
    assert main(["models", "seal", str(tmp_path / "missing")]) == 2
    assert "config.json is missing" in capsys.readouterr().err
