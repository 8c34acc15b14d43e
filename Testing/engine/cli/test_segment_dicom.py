"""`segment --dicom`: the model's own lesions as a DICOM SEG (segments AUTOMATIC, the model as Algorithm
Identification) and an SR with the model's confidence, on the real 3-slice CT series; findings the shipped model
does not assess on the real abdominal CT series are stated in the SR with their reasons, nothing drawn; dciodvfy
finds no error, highdicom and dcmqi read them; a non-DICOM input is refused before the model loads."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import highdicom as hd
import pydicom
import pytest

from reinforcedvl.cli.main import main


def test_segment_writes_an_automatic_seg_and_an_sr_with_confidences(shared_data, always_present, tmp_path, capsys):
    series = shared_data / "dcmqi_dicom_seg" / "ct-3slice"
    out = tmp_path / "out"
    # --lesion-confidence 0: the untrained network's lesions are about 0.5 sure; every one is kept, to be exported
    code = main(["segment", str(series), "--prompt", "liver lesion", "--out", str(out), "--model", str(always_present),
                 "--dicom", "--lesion-confidence", "0"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = (out / "result.json").read_text()
    segs = sorted((out / "dicom").glob("seg_*.dcm"))
    assert segs and (out / "dicom" / "sr.dcm").is_file(), result
    seg = pydicom.dcmread(segs[0])
    assert {segment.SegmentAlgorithmType for segment in seg.SegmentSequence} == {"AUTOMATIC"}
    assert {segment.SegmentAlgorithmName for segment in seg.SegmentSequence} == {"dicom-test-model"}
    identification = seg.SegmentSequence[0].SegmentationAlgorithmIdentificationSequence[0]
    assert identification.AlgorithmName == "dicom-test-model" and identification.AlgorithmVersion == "2.3.4"
    sr = hd.sr.srread(out / "dicom" / "sr.dcm")
    groups = sr.content.get_volumetric_roi_measurement_groups()
    confidences = [m.value for g in groups for m in g.get_measurements() if m.name.meaning == "Model confidence"]
    assert len(confidences) == len(groups) > 0 and all(0.0 <= float(value) <= 1.0 for value in confidences)
    dciodvfy = shutil.which("dciodvfy")
    if dciodvfy is None:
        if os.environ.get("REINFORCEDVL_REQUIRE_SHARED_DATA") == "1":
            pytest.fail("dciodvfy is not installed (Debian package dicom3tools)")
        return
    for path in [*segs, out / "dicom" / "sr.dcm"]:
        completed = subprocess.run([dciodvfy, str(path)], capture_output=True, text=True)
        errors = [line for line in (completed.stdout + completed.stderr).splitlines() if line.startswith("Error")]
        assert errors == [], completed.stdout + completed.stderr


@pytest.fixture(scope="module")
def abdominal_ct_series(shared_data, tmp_path_factory):
    """The TotalSegmentator abdominal CT series with the study and series UIDs its de-identification removed."""
    folder = tmp_path_factory.mktemp("abdominal-ct")
    study, series = hd.UID(), hd.UID()
    for path in sorted((shared_data / "totalsegmentator_examples" / "ct_dicom").glob("*.dcm")):
        dataset = pydicom.dcmread(path)
        dataset.StudyInstanceUID = dataset.get("StudyInstanceUID") or study
        dataset.SeriesInstanceUID = dataset.get("SeriesInstanceUID") or series
        dataset.save_as(folder / path.name)
    return folder


def test_findings_not_assessed_are_stated_in_the_sr_with_their_reasons(abdominal_ct_series, tmp_path, capsys):
    out = tmp_path / "out"
    prompts = ["enhancing tumour", "solid lung nodule"]  # a brain finding and a chest-crop finding, on an abdomen
    code = main(["segment", str(abdominal_ct_series), *[a for p in prompts for a in ("--prompt", p)],
                 "--out", str(out), "--device", "cpu", "--dicom"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert [f["status"] for f in result["prompts"]] == ["not_assessed", "not_assessed"]
    assert not list((out / "dicom").glob("seg_*.dcm"))  # nothing drawn, so no segmentation
    sr_path = out / "dicom" / "sr.dcm"
    sr = hd.sr.srread(sr_path)
    assert sr.content.get_volumetric_roi_measurement_groups() == []
    groups = sr.content.get_image_measurement_groups()
    assert len(groups) == 2
    for group, prompt, finding in zip(groups, prompts, result["prompts"], strict=True):
        assert group.tracking_identifier == f"Finding {prompts.index(prompt) + 1}: {prompt}"
        assert group.get_measurements() == []
        items = {item.name.meaning: item for item in group[0].ContentSequence}
        assert items["Model assessment"].value.meaning == "Not assessed"
        statement = items["Comment"].value
        reason = finding["reason"].removeprefix("not assessed: ")
        assert statement.startswith(f"{prompt[0].upper()}{prompt[1:]}: not assessed (") and reason in statement
        assert "nothing is drawn" in statement
    assert "brain MR" in groups[0][0].ContentSequence[-1].value and "abdomen" in groups[1][0].ContentSequence[-1].value
    _assert_dciodvfy_clean([sr_path])
    reader = shutil.which("tid1500reader") or str(Path(sys.executable).parent / "tid1500reader")
    if Path(reader).exists():
        metadata = tmp_path / "sr.json"
        subprocess.run([reader, "--inputDICOM", str(sr_path), "--outputMetadata", str(metadata)], check=True,
                       capture_output=True)  # fmt: skip
        measurements = json.loads(metadata.read_text())["Measurements"]
        assert [m["TrackingIdentifier"] for m in measurements] == ["Finding 1: enhancing tumour",
                                                                   "Finding 2: solid lung nodule"]  # fmt: skip
        assert all(m["measurementItems"] == [] for m in measurements)
        evaluations = [{e["conceptCode"]["CodeMeaning"]: e["conceptValue"] for e in m["qualitativeEvaluations"]}
                       for m in measurements]  # fmt: skip
        assert all(e["Model assessment"]["CodeMeaning"] == "Not assessed" for e in evaluations)
        assert "abdomen" in evaluations[1]["Comment"]


def _assert_dciodvfy_clean(paths) -> None:
    dciodvfy = shutil.which("dciodvfy")
    if dciodvfy is None:
        if os.environ.get("REINFORCEDVL_REQUIRE_SHARED_DATA") == "1":
            pytest.fail("dciodvfy is not installed (Debian package dicom3tools)")
        return
    for path in paths:
        completed = subprocess.run([dciodvfy, str(path)], capture_output=True, text=True)
        errors = [line for line in (completed.stdout + completed.stderr).splitlines() if line.startswith("Error")]
        assert errors == [], completed.stdout + completed.stderr


def test_dicom_output_of_a_file_input_is_refused_before_the_model_loads(ct_with_sphere, tmp_path, capsys):
    from reinforcedvl.io import write_volume

    image = write_volume(ct_with_sphere[0], tmp_path / "ct.nii.gz")
    out = tmp_path / "out"
    code = main(["segment", str(image), "--prompt", "nodule", "--out", str(out), "--model", "no-such-model",
                 "--dicom"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "DICOM" in err and "no-such-model" not in err  # refused before the model is looked up
    assert not (out / "result.json").exists()
