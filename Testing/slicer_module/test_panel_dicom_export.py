"""Export DICOM SEG + SR from the panel, driven as a user would: a CT series loaded from DICOM (the real 3-slice
series), a finding segmented with the real worker, the export button, a folder chosen; the worker writes the
model's SEG (segments AUTOMATIC, the model named) and SR (with its confidences), and a second export into the same
folder asks before replacing anything (when the export starts, and again before copying for files that appeared
while the model ran)."""

from __future__ import annotations

import highdicom as hd
import pydicom
import pytest
from panel_harness import DICOMDatabase, PanelHarness
from PySide6 import QtWidgets

from ReinforcedVLLib.dicom_export import copyExportedFiles
from ReinforcedVLLib.scene_export import addFindingToScene
from scene_helpers import make_outcome, slicer

WORKER_TIMEOUT_S = 300
MODEL = "dicom-test-model"


@pytest.fixture
def panel(scene, tmp_path, monkeypatch, always_present):
    harness = PanelHarness(scene, tmp_path, monkeypatch)
    harness.database = DICOMDatabase()
    monkeypatch.setattr(slicer, "dicomDatabase", harness.database, raising=False)
    harness.answer("getOpenFileName", str(always_present))
    harness.click(harness.ui.importModelButton)
    harness.ui.modelComboBox.setCurrentText(MODEL)
    harness.widget._parameterNode.lesionConfidence = 0.0  # the test network's lesions are not confident
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
    (out / "sr.dcm").write_bytes(b"an earlier export the user keeps")
    panel.answer("getExistingDirectory", str(out))
    panel.answer("messageBox", QtWidgets.QMessageBox.StandardButton.Cancel)  # "Replace them?" -> Cancel
    panel.click(ui.exportDicomButton)
    assert f"{out} already holds sr.dcm. Replace them" in panel.dialogs()[-1]
    assert panel.idle() and (out / "sr.dcm").read_bytes() == b"an earlier export the user keeps"  # nothing started

    asked = len(panel.dialogs())
    panel.answer("getExistingDirectory", str(out))
    panel.answer("messageBox", QtWidgets.QMessageBox.StandardButton.Ok)  # this time the user agrees
    panel.click(ui.exportDicomButton)
    assert panel.segmentButtonText == "Cancel" and not ui.exportDicomButton.enabled  # running, cancellable
    panel.waitUntil(panel.idle, WORKER_TIMEOUT_S, "the DICOM export")
    assert panel.dialogs()[asked:] == [f"{out} already holds sr.dcm. Replace them with this export?",
                                       f"Wrote seg_01.dcm, sr.dcm into {out}."]  # fmt: skip
    assert sorted(path.name for path in out.iterdir()) == ["notes.txt", "seg_01.dcm", "sr.dcm"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "the user's own file"
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

    panel.answer("getExistingDirectory", "")  # the user closes the folder dialog: nothing starts
    panel.click(ui.exportDicomButton)
    assert panel.idle()


def test_files_that_appear_while_the_model_runs_are_not_replaced_without_asking(tmp_path):
    made = tmp_path / "worker"
    made.mkdir()
    files = [made / "seg_01.dcm", made / "sr.dcm"]
    for file in files:
        file.write_bytes(b"new " + file.name.encode())
    folder = tmp_path / "chosen"
    folder.mkdir()
    (folder / "sr.dcm").write_bytes(b"agreed to replace")
    asked = []
    assert copyExportedFiles(files, folder, lambda existing: asked.append(existing), [folder / "sr.dcm"]) == [
        folder / "seg_01.dcm",
        folder / "sr.dcm",
    ]
    assert asked == [] and (folder / "sr.dcm").read_bytes() == b"new sr.dcm"
    (folder / "seg_01.dcm").write_bytes(b"appeared since")  # e.g. another export into the same folder
    assert copyExportedFiles(files, folder, lambda existing: asked.append(existing) or False) is None
    assert (
        asked == [[folder / "seg_01.dcm", folder / "sr.dcm"]]
        and (folder / "seg_01.dcm").read_bytes() == b"appeared since"
    )


def test_a_volume_not_loaded_from_dicom_cannot_be_exported_and_says_why(
    panel, synthetic_node, synthetic_study, tmp_path
):
    finding = addFindingToScene(
        synthetic_node, make_outcome(tmp_path / "outcome", *synthetic_study, "solid nodule", present=True)
    )
    panel.widget._parameterNode.resultReport = finding.reportNode
    panel.processEvents()
    assert not panel.ui.exportDicomButton.enabled
    assert "'synthetic CT' was not loaded from DICOM" in panel.ui.exportDicomButton.toolTip
    assert panel.ui.acceptButton.enabled  # the finding is shown; only its DICOM export is unavailable

    # loaded from DICOM once, but its files are no longer in the database: the export says so and starts nothing
    synthetic_node.SetAttribute("DICOM.instanceUIDs", "1.2.826.0.1.3680043.8.498.1 1.2.826.0.1.3680043.8.498.2")
    panel.widget.updateResults()
    assert panel.ui.exportDicomButton.enabled
    panel.answer("getExistingDirectory", str(tmp_path))
    panel.click(panel.ui.exportDicomButton)
    assert "2 of the 2 DICOM files of 'synthetic CT' are not in Slicer's DICOM database" in panel.dialogs()[-1]
    assert panel.idle() and not panel.widget.logic.hasJob()
