"""DICOM SEG and SR of a report on real DICOM series: read back with highdicom, validated by dciodvfy
(dicom3tools), and converted back by dcmqi (segimage2itkimage, tid1500reader) into the same masks and numbers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
import pytest

from reinforcedvl.dicom import DicomExportUnavailable, DicomWriter, export_dicom
from reinforcedvl.io import read_image, read_label_map, write_volume
from reinforcedvl.report import build_report, finding_from_mask
from reinforcedvl.volume import LabelMap


def _tool(name: str) -> str:
    """A validator or converter others wrote; CI installs them (.ci/run), a user's machine may skip."""
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (dciodvfy: Debian package dicom3tools; segimage2itkimage: PyPI dcmqi)"
    if os.environ.get("REINFORCEDVL_REQUIRE_SHARED_DATA") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def three_slice_export(shared_data, tmp_path_factory):
    """The dcmqi 3-slice CT with its liver (1) and spine (2) label map: two findings, one SEG each, one SR."""
    folder = shared_data / "dcmqi_dicom_seg"
    image = read_image(folder / "ct-3slice")
    labels = read_label_map(folder / "liver_spine_seg.nrrd")
    findings = [finding_from_mask(labels, "liver", labels=[1]), finding_from_mask(labels, "spine", labels=[2])]
    report = build_report(image, findings)
    out = tmp_path_factory.mktemp("dicom-3slice")
    files = export_dicom(image, findings, report, out, writer=DicomWriter("0.1.0"))
    return image, findings, report, files


@pytest.fixture(scope="module")
def liver_lesion_export(shared_data, tmp_path_factory):
    """A model-made lesion on the middle slice of the 3-slice CT, in the liver (the other two frames are empty)."""
    folder = shared_data / "dcmqi_dicom_seg"
    image = read_image(folder / "ct-3slice")
    liver = read_label_map(folder / "liver_seg.nrrd").array[0] == 1
    i, j = np.rint(np.argwhere(liver[:, :, 1]).mean(axis=0)).astype(int)
    labels = np.zeros(image.spatial_shape, np.uint8)
    labels[i - 10 : i + 10, j - 8 : j + 8, 1] = 1
    assert liver[labels > 0].all()
    finding = finding_from_mask(LabelMap.on_grid(labels, image, "lesion"), "liver lesion")
    report = build_report(image, [finding])
    out = tmp_path_factory.mktemp("dicom-sparse")
    writer = DicomWriter("0.1.0", algorithm="reinforcedvl-test", algorithm_version="1.0")
    files = export_dicom(image, [finding], report, out, writer=writer)
    return image, finding, report, files


def test_segmentations_read_back_with_their_segments(three_slice_export):
    image, findings, _, files = three_slice_export
    assert [path.name for path in files.segmentations] == ["seg_01.dcm", "seg_02.dcm"]
    source_series = pydicom.dcmread(image.source.paths[0]).SeriesInstanceUID
    for path, finding in zip(files.segmentations, findings, strict=True):
        segmentation = hd.seg.segread(path)
        assert segmentation.SeriesInstanceUID != source_series
        assert segmentation.ReferencedSeriesSequence[0].SeriesInstanceUID == source_series
        numbers = list(segmentation.segment_numbers)
        assert numbers == [lesion.lesion_id for lesion in finding.lesions]
        description = segmentation.get_segment_description(1)
        assert description.segment_label == "Lesion 1 (yellow)"
        assert description.tracking_id == f"Finding {findings.index(finding) + 1} lesion 1: {finding.prompt}"
        assert description.algorithm_type.value == "MANUAL"
        assert segmentation.ContentCreatorName == "ReinforcedVL"
        sop_uids = [(image.source.paths[k], pydicom.dcmread(image.source.paths[k]).SOPInstanceUID) for k in range(3)]
        frames = segmentation.get_pixels_by_source_instance(
            source_sop_instance_uids=[uid for _, uid in sop_uids], combine_segments=True, skip_overlap_checks=True
        )
        np.testing.assert_array_equal(frames.transpose(2, 1, 0), finding.lesion_map.array[0])


def test_measurement_report_states_the_report_numbers(three_slice_export):
    _, findings, report, files = three_slice_export
    document = hd.sr.srread(files.measurement_report)
    groups = document.content.get_volumetric_roi_measurement_groups()
    expected = [entry for summary in report.findings for entry in summary.lesions]
    assert len(groups) == len(expected) == sum(len(f.lesions) for f in findings)
    identifiers = [group.tracking_identifier for group in groups]
    assert identifiers == [
        f"Finding {number} lesion {entry['id']}: {finding.prompt}"
        for number, (finding, summary) in enumerate(zip(findings, report.findings, strict=True), start=1)
        for entry in summary.lesions
    ]
    assert len(set(identifiers)) == len(identifiers) and identifiers[0] == "Finding 1 lesion 1: liver"
    for group, entry in zip(groups, expected, strict=True):
        values = {m.name.meaning: m.value for m in group.get_measurements()}
        assert values["Volume"] == pytest.approx(entry["volume_ml"])
        assert values["Long Axis"] == pytest.approx(entry["long_axis_mm"])
        assert values["Short Axis"] == pytest.approx(entry["short_axis_mm"])
    assert groups[0].finding_type.meaning == "Liver"
    assert groups[-1].finding_type.meaning == "Spine"


@pytest.mark.parametrize("which", ["three_slice_export", "liver_lesion_export"])
def test_dciodvfy_reports_no_errors(request, which):
    dciodvfy = _tool("dciodvfy")
    files = request.getfixturevalue(which)[-1]
    for path in [*files.segmentations, files.measurement_report]:
        completed = subprocess.run([dciodvfy, str(path)], capture_output=True, text=True)
        output = completed.stdout + completed.stderr
        errors = [line for line in output.splitlines() if line.startswith("Error")]
        assert errors == [], output
        assert ("Segmentation" if path.name.startswith("seg") else "Comprehensive3DSR") in output


def test_dcmqi_turns_the_seg_back_into_the_same_masks(three_slice_export, tmp_path):
    converter = _tool("segimage2itkimage")
    image, findings, _, files = three_slice_export
    for path, finding in zip(files.segmentations, findings, strict=True):
        out = tmp_path / path.stem
        out.mkdir()
        subprocess.run(
            [converter, "--inputDICOM", str(path), "--outputDirectory", str(out), "-t", "nrrd"],
            check=True,
            capture_output=True,
        )
        for lesion in finding.lesions:
            converted = read_label_map(out / f"{lesion.lesion_id}.nrrd")
            assert converted.same_grid(image)
            np.testing.assert_array_equal(converted.array[0] > 0, finding.lesion_map.array[0] == lesion.lesion_id)


def test_dcmqi_reads_the_seg_of_a_sparse_lesion_in_physical_space(liver_lesion_export, tmp_path):
    converter = _tool("segimage2itkimage")
    image, finding, _, files = liver_lesion_export
    subprocess.run(
        [converter, "--inputDICOM", str(files.segmentations[0]), "--outputDirectory", str(tmp_path), "-t", "nrrd"],
        check=True,
        capture_output=True,
    )
    converted = read_label_map(tmp_path / "1.nrrd")
    # empty frames are left out of the SEG, so dcmqi's grid may be shorter: compare voxel centres in RAS
    ours = np.sort(image.voxel_to_ras(np.argwhere(finding.lesion_map.array[0] == 1)), axis=0)
    theirs = np.sort(converted.voxel_to_ras(np.argwhere(converted.array[0] > 0)), axis=0)
    np.testing.assert_allclose(theirs, ours, atol=1e-3)


def test_dcmqi_reads_the_measurement_report(three_slice_export, tmp_path):
    reader = _tool("tid1500reader")
    _, _, report, files = three_slice_export
    metadata = tmp_path / "sr.json"
    subprocess.run(
        [reader, "--inputDICOM", str(files.measurement_report), "--outputMetadata", str(metadata)],
        check=True,
        capture_output=True,
    )
    measurements = json.loads(metadata.read_text())["Measurements"]
    first = report.findings[0].lesions[0]
    assert measurements[0]["TrackingIdentifier"] == "Finding 1 lesion 1: liver"
    assert measurements[0]["FindingSite"]["CodeMeaning"] == "Liver"
    values = {item["quantity"]["CodeMeaning"]: float(item["value"]) for item in measurements[0]["measurementItems"]}
    assert values == pytest.approx(
        {"Volume": first["volume_ml"], "Long Axis": first["long_axis_mm"], "Short Axis": first["short_axis_mm"]}
    )


def test_an_automatic_seg_names_its_algorithm_and_the_sr_its_site(liver_lesion_export):
    _, _, _, files = liver_lesion_export
    description = hd.seg.segread(files.segmentations[0]).get_segment_description(1)
    assert description.algorithm_type.value == "AUTOMATIC"
    algorithm = description.algorithm_identification[0]
    assert (algorithm.AlgorithmName, algorithm.AlgorithmVersion) == ("reinforcedvl-test", "1.0")  # model id, version
    (group,) = hd.sr.srread(files.measurement_report).content.get_volumetric_roi_measurement_groups()
    site = group.finding_sites[0]  # the prompt names the organ; the lesion lies right of the body's midline
    assert site.value.meaning == "Liver" and site.laterality.meaning == "Right"


def test_non_dicom_input_says_why_export_is_unavailable(tmp_path, ct_with_sphere):
    image, mask = ct_with_sphere
    path = write_volume(image, tmp_path / "ct.nrrd")
    from_file = read_image(path)
    finding = finding_from_mask(mask, "nodule")
    report = build_report(from_file, [finding])
    with pytest.raises(DicomExportUnavailable, match="nrrd file, which carries no DICOM study"):
        export_dicom(from_file, [finding], report, tmp_path / "dicom", writer=DicomWriter("0.1.0"))
    with pytest.raises(DicomExportUnavailable, match="made in memory"):
        export_dicom(image, [finding], build_report(image, [finding]), tmp_path / "dicom", writer=DicomWriter("0"))
    assert not (tmp_path / "dicom").exists()


def test_a_series_without_its_uids_cannot_be_referenced(shared_data, tmp_path):
    image = read_image(shared_data / "totalsegmentator_examples" / "ct_dicom")  # de-identified: UIDs removed
    labels = np.zeros(image.spatial_shape, np.uint8)
    labels[250:260, 250:260, 8:10] = 1
    finding = finding_from_mask(LabelMap.on_grid(labels, image, "lesion"), "lesion")
    with pytest.raises(DicomExportUnavailable, match="no Study Instance UID, Series Instance UID"):
        export_dicom(image, [finding], build_report(image, [finding]), tmp_path, writer=DicomWriter("0.1.0"))


def test_a_finding_not_assessed_sits_beside_measured_lesions(shared_data, tmp_path):
    """The shipped model asked for a brain finding on the 3-slice CT (not assessed: its real reason), reported with
    the user's liver mask: one SEG for the liver, and the SR holds the liver's lesion groups and the statement."""
    from reinforcedvl.predictor import Predictor
    from reinforcedvl.report import ReportFinding

    folder = shared_data / "dcmqi_dicom_seg"
    image = read_image(folder / "ct-3slice")
    predictor = Predictor.from_model("reinforcedvl-starter", "cpu")
    predictor.set_volume(image)
    answer = predictor.segment("enhancing tumour")
    assert answer.status.value == "not_assessed" and answer.reason
    liver = finding_from_mask(read_label_map(folder / "liver_seg.nrrd"), "liver")
    findings = [liver, ReportFinding.from_result(answer)]
    report = build_report(image, findings)
    files = export_dicom(image, findings, report, tmp_path, writer=DicomWriter("0.1.0"))
    assert [path.name for path in files.segmentations] == ["seg_01.dcm"]
    content = hd.sr.srread(files.measurement_report).content
    assert len(content.get_volumetric_roi_measurement_groups()) == len(liver.lesions)
    (group,) = content.get_image_measurement_groups()
    assert group.tracking_identifier == "Finding 2: enhancing tumour" and group.get_measurements() == []
    texts = [item.value for item in group[0].ContentSequence if item.value_type.value == "TEXT"]
    assert (
        texts[-1]
        == f"Enhancing tumour: not assessed ({answer.reason.removeprefix('not assessed: ')}); nothing is drawn."
    )
    dciodvfy = _tool("dciodvfy")
    completed = subprocess.run([dciodvfy, str(files.measurement_report)], capture_output=True, text=True)
    assert [line for line in (completed.stdout + completed.stderr).splitlines() if line.startswith("Error")] == []
