"""``segment`` with a grounded report: report.md and report.json beside result.json, from the same lesions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from reinforcedvl.errors import OutputExistsError
from reinforcedvl.io import read_image, write_volume
from reinforcedvl.model_store.checkpoint import ModelIdentity, read_checkpoint, save_checkpoint
from reinforcedvl.modeling import build_network
from reinforcedvl.predictor import Predictor
from reinforcedvl.study.finding_files import EVIDENCE_LEVELS
from reinforcedvl.study.segment_job import plan_study, run_study


@pytest.fixture(scope="module")
def always_present(untrained_checkpoint, tmp_path_factory):
    """An untrained model that calls every finding present and every voxel lesion: one lesion, the whole grid."""
    folder = tmp_path_factory.mktemp("always-present")
    config = read_checkpoint(untrained_checkpoint).config.replace(existence_threshold=0.0, mask_threshold=0.0)
    save_checkpoint(folder, build_network(config), config, ModelIdentity("always-present", "0"))
    return folder


def test_run_study_writes_the_report_from_its_findings(tmp_path, ct_with_sphere, always_present):
    image = write_volume(ct_with_sphere[0], tmp_path / "ct.nrrd")
    plan = plan_study([image], ["solid lung nodule", "ground-glass lung nodule"], tmp_path / "out")
    predictor = Predictor.from_model(always_present, "cpu")
    predictor.lesion_confidence = 0.0  # the untrained network's one lesion is about 0.5 sure: kept, to be reported
    result = run_study(plan, predictor, report_language="ja")
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["language"] == "ja" and (tmp_path / "out" / "report.md").is_file()
    assert [f["prompt"] for f in report["findings"]] == [p["prompt"] for p in result["prompts"]]
    for finding, entry in zip(report["findings"], result["prompts"], strict=True):
        assert finding["segmentation"] == entry["segmentation"]
        assert finding["present_probability"] == entry["present_probability"]
        evidence = read_image(tmp_path / "out" / entry["evidence"]).array
        np.testing.assert_allclose(evidence * EVIDENCE_LEVELS, np.round(evidence * EVIDENCE_LEVELS), atol=1e-3)
        keys = set(entry["lesions"][0])
        assert [{k: v for k, v in lesion.items() if k in keys} for lesion in finding["lesions"]] == entry["lesions"]
    first = report["sentences"][0]
    assert first["text"].startswith("病変1（黄）：充実性肺結節") and "画像の端に接しており" in first["text"]
    assert first["links"]["segment_id"] == "lesion_1"


def test_an_earlier_report_stops_the_run_before_the_model_loads(tmp_path, ct_with_sphere):
    image = write_volume(ct_with_sphere[0], tmp_path / "ct.nrrd")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "report.md").write_text("earlier")
    with pytest.raises(OutputExistsError, match="report.md"):
        plan_study([image], ["nodule"], tmp_path / "out")
