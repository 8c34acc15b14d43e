"""`segment --dicom`: the model's own lesions as a DICOM SEG (segments AUTOMATIC, the model as Algorithm
Identification) and an SR with the model's confidence, on the real 3-slice CT series; dciodvfy finds no error;
a non-DICOM input is refused before the model loads."""

from __future__ import annotations

import os
import shutil
import subprocess

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


def test_dicom_output_of_a_file_input_is_refused_before_the_model_loads(ct_with_sphere, tmp_path, capsys):
    from reinforcedvl.io import write_volume

    image = write_volume(ct_with_sphere[0], tmp_path / "ct.nii.gz")
    out = tmp_path / "out"
    code = main(["segment", str(image), "--prompt", "nodule", "--out", str(out), "--model", "no-such-model",
                 "--dicom"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "DICOM" in err and "no-such-model" not in err  # refused before the model is looked up
    assert not (out / "result.json").exists()
