"""A damaged model never answers: the shipped starter with one flipped byte is refused by `segment` before anything
is written, and a network that produces NaN gives an error instead of a NaN probability."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from reinforcedvl.cli.main import main
from reinforcedvl.errors import NonFiniteOutputError
from reinforcedvl.model_store.checkpoint import load_network, read_checkpoint, save_checkpoint
from reinforcedvl.model_store.checkpoint_files import WEIGHTS_FILE
from reinforcedvl.model_store.registry import bundled_models_folder
from reinforcedvl.predictor import Predictor

SAMPLE = Path(__file__).resolve().parents[2] / "Resources" / "Samples" / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"


@pytest.mark.parametrize("where", [0.02, 0.5, 0.97])
def test_segment_refuses_a_starter_with_one_flipped_byte(tmp_path, capsys, where):
    model = tmp_path / "starter-copy"
    shutil.copytree(bundled_models_folder() / "reinforcedvl-starter", model)
    data = bytearray((model / WEIGHTS_FILE).read_bytes())
    data[int(len(data) * where)] ^= 0x04
    (model / WEIGHTS_FILE).write_bytes(bytes(data))
    out = tmp_path / "out"
    code = main(["segment", str(SAMPLE), "--prompt", "solid lung nodule", "--model", str(model), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert "is damaged: its SHA-256" in captured.err and "Traceback" not in captured.err
    assert not (out / "result.json").exists()


def test_a_network_that_produces_nan_gives_an_error_not_an_answer(tmp_path, untrained_checkpoint, ct_with_sphere):
    base = read_checkpoint(untrained_checkpoint)
    network = load_network(base)
    with torch.no_grad():
        for parameter in network.parameters():
            parameter.fill_(float("nan"))
    save_checkpoint(tmp_path, network, base.config, base.identity)
    predictor = Predictor.from_model(tmp_path, device="cpu")
    predictor.set_volume(ct_with_sphere[0])
    with pytest.raises(NonFiniteOutputError, match="not numbers"):
        predictor.segment("solid nodule")


def test_nan_never_reaches_result_json(tmp_path, capsys, untrained_checkpoint, ct_with_sphere):
    from reinforcedvl.io import write_volume

    base = read_checkpoint(untrained_checkpoint)
    network = load_network(base)
    with torch.no_grad():
        for parameter in network.parameters():
            parameter.fill_(float("nan"))
    save_checkpoint(tmp_path / "nan-model", network, base.config, base.identity)
    image = tmp_path / "ct.nii.gz"
    write_volume(ct_with_sphere[0], image)
    out = tmp_path / "out"
    code = main(
        ["segment", str(image), "--prompt", "nodule", "--model", str(tmp_path / "nan-model"), "--out", str(out)]
    )
    assert code == 2 and "not numbers" in capsys.readouterr().err
    for document in out.rglob("*.json") if out.exists() else []:
        assert "NaN" not in document.read_text() and "Infinity" not in document.read_text(), document
