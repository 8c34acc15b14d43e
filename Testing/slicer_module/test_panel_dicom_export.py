"""Export DICOM SEG + SR from the panel, driven as a user would: a CT series loaded from DICOM (the real 3-slice
series), a finding segmented with the real worker, the export button, a folder chosen; the worker writes the
model's SEG (segments AUTOMATIC, the model named) and SR (with its confidences), and a second export into the same
folder asks before replacing anything."""

from __future__ import annotations

import highdicom as hd
import pydicom
import pytest
from panel_harness import DICOMDatabase, PanelHarness
from PySide6 import QtWidgets

from reinforcedvl.model_store.checkpoint import ModelIdentity, read_checkpoint, save_checkpoint
from reinforcedvl.modeling import build_network
from scene_helpers import slicer

WORKER_TIMEOUT_S = 300
MODEL = "dicom-test-model"


@pytest.fixture(scope="module")
def always_present(untrained_checkpoint, tmp_path_factory):
    """The untrained test network calling every finding present (so lesions are drawn), on the series' 3 mm grid."""
    folder = tmp_path_factory.mktemp("always-present")
    config = read_checkpoint(untrained_checkpoint).config.replace(existence_threshold=0.0, spacing_mm=(3.0, 3.0, 3.0))
    save_checkpoint(folder, build_network(config), config, ModelIdentity(MODEL, "2.3.4"))
    return folder


@pytest.fixture
def panel(scene, tmp_path, monkeypatch, always_present):
    harness = PanelHarness(scene, tmp_path, monkeypatch)
    harness.database = DICOMDatabase()
    monkeypatch.setattr(slicer, "dicomDatabase", harness.database, raising=False)
    harness.answer("getOpenFileName", str(always_present))
    harness.click(harness.ui.importModelButton)
    harness.ui.modelComboBox.setCurrentText(MODEL)
    yield harness
    harness.close()


def _segment(panel, volumeNode, finding="liver lesion"):
    panel.widget._parameterNode.inputVolume = volumeNode
    panel.ui.findingLineEdit.clear()
    panel.type(panel.ui.findingLineEdit, finding)
    panel.click(panel.ui.segmentButton)
    panel.waitUntil(panel.idle, WORKER_TIMEOUT_S, "the segmentation")
    return panel.widget.currentFinding()


def test_export_writes_the_models_seg_and_sr_and_never_replaces_without_asking(panel, shared_data, tmp_path):
    ui = panel.ui
    series = panel.database.loadSeries(shared_data / "dcmqi_dicom_seg" / "ct-3slice", panel.scene, "CT", tmp_path)
    finding = _segment(panel, series)
    assert finding.present and ui.exportDicomButton.enabled, ui.exportDicomButton.toolTip

    out = tmp_path / "export"
    out.mkdir()
    (out / "notes.txt").write_text("the user's own file", encoding="utf-8")
    panel.answer("getExistingDirectory", str(out))
    panel.click(ui.exportDicomButton)
    assert panel.segmentButtonText == "Cancel" and not ui.exportDicomButton.enabled  # running, cancellable
    panel.waitUntil(panel.idle, WORKER_TIMEOUT_S, "the DICOM export")
    assert panel.dialogs()[-1] == f"Wrote seg_01.dcm, sr.dcm into {out}."
    assert sorted(path.name for path in out.iterdir()) == ["notes.txt", "seg_01.dcm", "sr.dcm"]
    seg = pydicom.dcmread(out / "seg_01.dcm")
    assert {segment.SegmentAlgorithmType for segment in seg.SegmentSequence} == {"AUTOMATIC"}
    identification = seg.SegmentSequence[0].SegmentationAlgorithmIdentificationSequence[0]
    assert (identification.AlgorithmName, identification.AlgorithmVersion) == (MODEL, "2.3.4")
    assert len(seg.SegmentSequence) == finding.segmentationNode.GetSegmentation().GetNumberOfSegments()
    referenced = {item.ReferencedSOPInstanceUID for item in seg.ReferencedSeriesSequence[0].ReferencedInstanceSequence}
    assert referenced == set(series.GetAttribute("DICOM.instanceUIDs").split())
    sr = hd.sr.srread(out / "sr.dcm")
    groups = sr.content.get_volumetric_roi_measurement_groups()
    confidences = [m.value for g in groups for m in g.get_measurements() if m.name.meaning == "Model confidence"]
    assert len(confidences) == len(groups) == len(seg.SegmentSequence)
    assert panel.scene.GetNumberOfNodesByClass("vtkMRMLSegmentationNode") == 1  # the export adds nothing to the scene

    written = {path.name: path.read_bytes() for path in out.iterdir()}
    panel.answer("getExistingDirectory", str(out))
    panel.answer("messageBox", QtWidgets.QMessageBox.StandardButton.Cancel)  # "Replace them?" -> Cancel
    panel.click(ui.exportDicomButton)
    panel.waitUntil(panel.idle, WORKER_TIMEOUT_S, "the second DICOM export")
    assert "already holds seg_01.dcm, sr.dcm. Replace them" in panel.dialogs()[-1]
    assert {path.name: path.read_bytes() for path in out.iterdir()} == written
    assert panel.statusMessage().startswith("Nothing was written")

    panel.answer("getExistingDirectory", str(out))
    panel.answer("messageBox", QtWidgets.QMessageBox.StandardButton.Ok)  # this time the user agrees
    panel.click(ui.exportDicomButton)
    panel.waitUntil(panel.idle, WORKER_TIMEOUT_S, "the third DICOM export")
    assert panel.dialogs()[-1] == f"Wrote seg_01.dcm, sr.dcm into {out}."
    assert pydicom.dcmread(out / "seg_01.dcm").SOPInstanceUID != seg.SOPInstanceUID
    assert (out / "notes.txt").read_text(encoding="utf-8") == "the user's own file"

    panel.answer("getExistingDirectory", "")  # the user closes the folder dialog: nothing starts
    panel.click(ui.exportDicomButton)
    assert panel.idle()


def test_a_volume_not_loaded_from_dicom_cannot_be_exported_and_says_why(panel, sample_node):
    finding = _segment(panel, sample_node, "solid lung nodule")
    assert not panel.ui.exportDicomButton.enabled
    if finding.present:
        assert "was not loaded from DICOM" in panel.ui.exportDicomButton.toolTip
    else:
        assert panel.ui.exportDicomButton.toolTip == "There is no finding with lesions to export."
