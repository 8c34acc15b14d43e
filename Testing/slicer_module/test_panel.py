"""The module's panel as a user drives it: ``ReinforcedVL.py``'s widget and logic unchanged, offscreen, on a real
scene with the real worker (an untrained checkpoint: the mechanics, not what a trained model finds). See
``panel_harness.py`` for what stands in for the Slicer application."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import unittest
from pathlib import Path

import pytest
from panel_harness import PanelHarness, slicer_packaging
from PySide6 import QtCore, QtWidgets
from SampleData import SampleDataLogic

from reinforcedvl.errors import ReinforcedVLError
from reinforcedvl.model_store.checkpoint_files import seal_checkpoint
from ReinforcedVLLib.dependencies import InstallPlan
from ReinforcedVLLib.finding_nodes import FindingNodes
from ReinforcedVLLib.scene_export import addFindingToScene
from scene_helpers import LESION_CENTRES_RAS, make_outcome, slicer

WORKER_TIMEOUT_S = 300
UNTRAINED = "untrained-test-model"


@pytest.fixture
def panel(scene, sample_node, tmp_path, monkeypatch, untrained_checkpoint):
    """The panel on a scene holding the LIDC sample, with the untrained checkpoint imported and chosen."""
    harness = PanelHarness(scene, tmp_path, monkeypatch)
    harness.ui.modelsTableWidget.selectRow(0)
    harness.answer("getOpenFileName", str(untrained_checkpoint))
    harness.click(harness.ui.importModelButton)
    assert harness.dialogs()[-1].startswith(f"Installed {UNTRAINED}")
    harness.ui.modelComboBox.setCurrentText(UNTRAINED)
    assert harness.widget._parameterNode.modelId == UNTRAINED
    yield harness
    harness.close()


def _waitForTheModel(panel):
    """Until the panel says where the model runs (the worker has loaded it)."""
    shown = ("Running on the CPU", "Device: GPU")
    panel.waitUntil(lambda: panel.ui.deviceLabel.text.startswith(shown), WORKER_TIMEOUT_S, "the model's device")


def _finish(panel, what="the segmentation"):
    panel.waitUntil(panel.idle, WORKER_TIMEOUT_S, what)


def _known_finding(panel, node, synthetic_study, folder, prompt="solid nodule"):
    """A finding with two lesions (the worker's files for a known answer) on ``node``, shown in the panel."""
    volume, labels = synthetic_study
    finding = addFindingToScene(node, make_outcome(folder, volume, labels, prompt, present=True))
    panel.widget._parameterNode.resultReport = finding.reportNode
    panel.processEvents()
    return finding


def _shownLinks(browser):
    """(text, href, tooltip) of each link the report browser shows."""
    links, block = [], QtWidgets.QTextBrowser.document(browser).begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().anchorHref():
                format = fragment.charFormat()
                links.append((fragment.text(), format.anchorHref(), format.toolTip()))
            fragments += 1
        block = block.next()
    return links


def test_segment_two_findings_with_progress_feedback_cancel_and_scene_close(panel):
    ui = panel.ui
    assert not ui.segmentButton.enabled and "finding" in ui.segmentButton.toolTip
    panel.type(ui.findingLineEdit, "solid lung nodule")
    assert ui.segmentButton.enabled
    panel.click(ui.segmentButton)
    assert panel.segmentButtonText == "Cancel" and ui.progressBar.visible
    _waitForTheModel(panel)
    assert "CPU" in ui.deviceLabel.text and "minutes" in ui.deviceLabel.text
    _finish(panel)
    assert not ui.progressBar.visible and panel.dialogs() == [f"Installed {UNTRAINED} 0.0.0."]
    first = panel.widget.currentFinding()
    assert first.prompt == "solid lung nodule" and ui.resultSummaryLabel.text.startswith("solid lung nodule: ")
    assert ui.acceptButton.enabled and ui.copyReportButton.enabled

    panel.click(ui.acceptButton)
    assert ui.feedbackStatusLabel.text.startswith("Saved (accept, record ")
    panel.type(ui.commentLineEdit, "wrong lobe")
    panel.click(ui.rejectButton)
    assert ui.feedbackStatusLabel.text.startswith("Saved (reject, record ")
    assert panel.widget.logic.feedbackSink.store.check().consistent

    ui.findingLineEdit.clear()
    panel.type(ui.findingLineEdit, "ground-glass lung nodule")
    panel.pressEnter(ui.findingLineEdit)  # Enter starts, as Segment does
    assert panel.segmentButtonText == "Cancel"
    panel.pressEnter(ui.findingLineEdit)  # Enter again while it runs: it must not cancel
    assert panel.segmentButtonText == "Cancel"
    _finish(panel)
    second = panel.widget.currentFinding()
    assert second.prompt == "ground-glass lung nodule" and second.reportNode is not first.reportNode
    assert panel.statusMessage() != "Segmentation cancelled."
    assert panel.widget.logic.session._jobCount == 2

    panel.click(ui.segmentButton)  # a third run, cancelled
    panel.click(ui.segmentButton)
    assert panel.segmentButtonText == "Cancelling..." and not ui.segmentButton.enabled
    _finish(panel, "the cancellation")
    assert panel.widget.currentFinding().reportNode is second.reportNode

    panel.click(ui.segmentButton)  # a fourth, and the scene is closed while it runs
    panel.scene.Clear(0)
    _finish(panel, "the panel after the scene closed")
    assert panel.widget._parameterNode is not None and panel.widget._parameterNode.inputVolume is None
    assert not ui.segmentButton.enabled and "input volume" in ui.segmentButton.toolTip


def test_the_reason_a_model_fails_to_load_is_shown(panel, tmp_path, untrained_checkpoint):
    broken = tmp_path / "home" / "models" / "broken-model"
    shutil.copytree(untrained_checkpoint, broken)
    config = (broken / "config.json").read_text(encoding="utf-8").replace(UNTRAINED, "broken-model")
    (broken / "config.json").write_text(config, encoding="utf-8")
    seal_checkpoint(broken)  # renamed on purpose; the weights are then cut off, as an interrupted copy would
    weights = next(broken.glob("*.safetensors"))
    content = weights.read_bytes()
    headerEnd = 8 + int.from_bytes(content[:8], "little")
    weights.write_bytes(content[: headerEnd + 1000])  # a readable header, the tensors cut off (a copy interrupted)
    panel.widget.models.refresh()  # what the panel does after a download, import or delete
    panel.ui.modelComboBox.setCurrentText("broken-model")
    panel.type(panel.ui.findingLineEdit, "lung nodule")
    panel.click(panel.ui.segmentButton)
    _finish(panel, "the model's error")
    message = panel.dialogs()[-1]
    assert "model.safetensors" in message and "checkpoint" in message, message
    assert "exit code" not in message


def test_a_worker_crash_is_reported_and_the_panel_recovers(panel):
    panel.type(panel.ui.findingLineEdit, "lung nodule")
    panel.click(panel.ui.segmentButton)
    _waitForTheModel(panel)
    _finish(panel, "the first answer")
    pid = panel.widget.logic.session.client.pid
    os.kill(pid, signal.SIGSTOP)  # held, so the next request is surely running when the worker dies
    panel.click(panel.ui.segmentButton)
    assert panel.segmentButtonText == "Cancel"
    os.kill(pid, signal.SIGKILL)
    _finish(panel, "the crash report")
    assert "stopped unexpectedly" in panel.dialogs()[-1]
    assert panel.ui.segmentButton.enabled


def test_deleting_the_model_during_a_run_does_not_leave_the_panel_cancelling(panel):
    panel.type(panel.ui.findingLineEdit, "lung nodule")
    panel.click(panel.ui.segmentButton)
    rows = [panel.ui.modelsTableWidget.item(row, 0).text() for row in range(panel.ui.modelsTableWidget.rowCount)]
    panel.ui.modelsTableWidget.selectRow(rows.index(UNTRAINED))
    panel.click(panel.ui.deleteModelButton)
    _finish(panel, "the panel's return to Segment")  # before the fix: "Cancel"/"Cancelling..." forever
    assert UNTRAINED not in [panel.ui.modelComboBox.itemText(i) for i in range(panel.ui.modelComboBox.count)]


def test_a_cancel_the_worker_never_answers_times_out(panel):
    panel.widget.CANCEL_TIMEOUT_S = 2.0
    panel.type(panel.ui.findingLineEdit, "lung nodule")
    panel.click(panel.ui.segmentButton)
    _waitForTheModel(panel)
    _finish(panel, "the first answer")  # the worker is up and has answered once
    os.kill(panel.widget.logic.session.client.pid, signal.SIGSTOP)  # then it hangs: no answer can race the cancel
    panel.click(panel.ui.segmentButton)
    assert panel.segmentButtonText == "Cancel"
    panel.click(panel.ui.segmentButton)
    assert panel.segmentButtonText == "Cancelling..."
    _finish(panel, "the cancel timeout")
    assert "did not stop" in panel.statusMessage()


def test_typing_does_not_redraw_the_results(panel, synthetic_node, synthetic_study, tmp_path):
    finding = _known_finding(panel, synthetic_node, synthetic_study, tmp_path / "outcome")
    ui = panel.ui
    assert ui.lesionTableWidget.rowCount == 2
    ui.lesionTableWidget.selectRow(1)
    scrollBar = ui.reportTextBrowser.verticalScrollBar()
    ui.reportTextBrowser.resize(300, 120)
    panel.processEvents()
    scrollBar.setValue(scrollBar.maximum())
    scrolled = scrollBar.value()
    assert scrolled > 0
    panel.type(ui.findingLineEdit, "spiculated mass")
    panel.type(ui.commentLineEdit, "fine")
    assert [index.row() for index in ui.lesionTableWidget.selectionModel().selectedRows()] == [1]
    assert scrollBar.value() == scrolled
    assert panel.widget.currentFinding().reportNode is finding.reportNode


def test_the_report_shows_sentences_and_a_click_centres_the_views(panel, synthetic_node, synthetic_study, tmp_path):
    finding = _known_finding(panel, synthetic_node, synthetic_study, tmp_path / "outcome")
    shown = panel.ui.reportTextBrowser.toPlainText()
    assert "quotes" not in shown and "segment `" not in shown and "RAS (" not in shown
    assert "Lesion 1" in shown or "lesion 1" in shown
    links = _shownLinks(panel.ui.reportTextBrowser)
    assert len(links) >= 3 and all(toolTip for _, _, toolTip in links)
    text, href, toolTip = next(link for link in links if link[1].startswith("lesion:2"))
    assert text.startswith("Lesion 2 (") and "segment lesion_2" in toolTip and "quotes" in toolTip
    QtWidgets.QTextBrowser.anchorClicked.__get__(panel.ui.reportTextBrowser).emit(QtCore.QUrl(href))
    assert [index.row() for index in panel.ui.lesionTableWidget.selectionModel().selectedRows()] == [1]
    red = next(
        node for node in slicer.util.getNodesByClass("vtkMRMLSliceNode", panel.scene) if node.GetLayoutName() == "Red"
    )
    centre = [red.GetSliceToRAS().GetElement(axis, 3) for axis in range(3)]
    assert centre == pytest.approx(list(LESION_CENTRES_RAS[1]), abs=1.5)
    assert FindingNodes.fromNode(finding.reportNode) is not None


def test_evidence_volumes_are_not_offered_as_input(panel, synthetic_node, synthetic_study, tmp_path):
    finding = _known_finding(panel, synthetic_node, synthetic_study, tmp_path / "outcome")
    panel.processEvents()
    for selector in (panel.ui.inputVolumeSelector, panel.ui.secondChannelSelector):
        offered = [node.GetID() for node in selector.nodes()]
        assert synthetic_node.GetID() in offered and finding.evidenceNode.GetID() not in offered


def test_each_slicer_instance_has_its_own_work_folder(panel):
    logic = panel.module.ReinforcedVLLogic
    first, second = logic(panel.widget.logic.feedbackSink), logic(panel.widget.logic.feedbackSink)
    folders = [first.session.workFolder, second.session.workFolder]
    assert folders[0] != folders[1] and all(folder.parent == Path(panel.app.temporaryPath) for folder in folders)
    (folders[1] / "findings" / "finding-001").mkdir(parents=True)
    first.stop()
    assert not folders[0].exists() and (folders[1] / "findings" / "finding-001").is_dir()
    second.stop()


def test_the_self_test_checks_what_is_safe_without_packages(panel, monkeypatch):
    sample = panel.scriptPath.parent / "Resources" / "Samples" / panel.module.SAMPLE_FILE.name
    monkeypatch.setattr(panel.module, "SAMPLE_FILE", sample)  # where the extension build puts it
    panel.app.emit("startupCompleted()")  # the module registers its sample in Sample Data once Slicer has started
    source = SampleDataLogic.sources[-1]
    assert (source["category"], source["sampleName"], source["nodeNames"]) == (
        "ReinforcedVL",
        "LIDCNodule",
        "LIDC nodule",
    )
    assert source["uris"] == sample.as_uri() and sample.is_file()
    digest = hashlib.sha256(sample.read_bytes()).hexdigest()
    assert source["checksums"] == f"SHA256:{digest}"
    selfTest = panel.module.ReinforcedVLTest("test_ReinforcedVL_moduleState")
    selfTest.setUp()
    selfTest.test_ReinforcedVL_moduleState()
    assert (
        slicer.util.getNodesByClass("vtkMRMLScalarVolumeNode", panel.scene)[0].GetName()
        == "lidc_nodule_LIDC-IDRI-0003_R_4"
    )
    monkeypatch.setattr(panel.module, "missingRequirements", lambda: ["monai>=1.4"])
    with pytest.raises(unittest.SkipTest, match="not installed here \\(monai>=1.4\\)"):
        panel.module.ReinforcedVLTest("test_ReinforcedVL_sampleFlow").test_ReinforcedVL_sampleFlow()


def test_installing_the_worker_packages_keeps_slicers_own_and_shows_progress(panel, monkeypatch):
    plan = InstallPlan(("monai>=1.4", "transformers>=4.40"), (), ("torch==2.5.1+cu121", "numpy==2.1.0"))
    monkeypatch.setattr(panel.module, "installPlan", lambda: plan)
    panel.type(panel.ui.findingLineEdit, "lung nodule")
    panel.answer("messageBox", QtWidgets.QMessageBox.StandardButton.Cancel)
    panel.click(panel.ui.segmentButton)  # the user declines: nothing installed, nothing started
    assert "monai>=1.4\ntransformers>=4.40" in panel.dialogs()[-1] and "torch, numpy stay" in panel.dialogs()[-1]
    assert slicer_packaging.INSTALLS == [] and panel.idle()
    assert panel.widget.logic.ensureDependencies()  # the user agrees (OK)
    assert [install["arguments"][-1] for install in slicer_packaging.INSTALLS] == list(plan.install)
    assert all(install["constraints"] == list(plan.constraints) for install in slicer_packaging.INSTALLS)
    assert all(install["arguments"][0] == "-c" for install in slicer_packaging.INSTALLS)
    assert panel.qt.PROGRESS_SHOWN[-2:] == [
        "Installing monai>=1.4 (1 of 2)...",
        "Installing transformers>=4.40 (2 of 2)...",
    ]
    conflicted = InstallPlan((), ("numpy is version 1.21.6, and ReinforcedVL needs >=1.24: ...",), ())
    monkeypatch.setattr(panel.module, "installPlan", lambda: conflicted)
    with pytest.raises(ReinforcedVLError, match="numpy is version 1.21.6"):
        panel.widget.logic.ensureDependencies()


def test_results_controls_and_feedback_without_a_worker(panel, synthetic_node, synthetic_study, tmp_path):
    """Pick-list, modality and language, lesion rows, evidence toggle, copy and save, corrections, models folder."""
    ui, parameters = panel.ui, panel.widget._parameterNode
    ui.modalityComboBox.setCurrentIndex(2)
    assert parameters.modality == "MR" and ui.findingPickComboBox.itemText(0) == "Common MR findings..."
    ui.modalityComboBox.setCurrentIndex(1)
    QtWidgets.QComboBox.activated.__get__(ui.findingPickComboBox).emit(1)
    assert parameters.finding == ui.findingPickComboBox.itemData(1) and ui.findingLineEdit.text == parameters.finding
    ui.reportLanguageComboBox.setCurrentIndex(1)
    assert parameters.reportLanguage == "ja"

    finding = _known_finding(panel, synthetic_node, synthetic_study, tmp_path / "outcome")
    ui.lesionTableWidget.selectRow(0)
    red = next(n for n in slicer.util.getNodesByClass("vtkMRMLSliceNode", panel.scene) if n.GetLayoutName() == "Red")
    assert [red.GetSliceToRAS().GetElement(axis, 3) for axis in range(3)] == pytest.approx(
        list(LESION_CENTRES_RAS[0]), abs=1.5
    )
    assert ui.showEvidenceCheckBox.enabled and not ui.showEvidenceCheckBox.checked
    ui.showEvidenceCheckBox.checked = True
    composites = slicer.util.getNodesByClass("vtkMRMLSliceCompositeNode", panel.scene)
    assert {c.GetForegroundVolumeID() for c in composites} == {finding.evidenceNode.GetID()}
    ui.showEvidenceCheckBox.checked = False
    assert {c.GetForegroundVolumeID() for c in composites} == {None}

    panel.click(ui.copyReportButton)
    assert QtWidgets.QApplication.clipboard().text() == finding.reportNode.GetText()
    panel.answer("getSaveFileName", str(tmp_path / "report.md"))
    panel.click(ui.saveReportButton)
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == finding.reportNode.GetText()

    ui.ratingSpinBox.setValue(4)
    panel.click(ui.saveCorrectionButton)
    assert ui.feedbackStatusLabel.text.startswith("Saved (correct, record ")
    record = ui.feedbackStatusLabel.text.split("record ")[1].split(")")[0]
    assert panel.widget.logic.feedbackSink.store.get(record).rating == 4

    absent = addFindingToScene(
        synthetic_node, make_outcome(tmp_path / "absent", *synthetic_study, "calcified granuloma", present=False)
    )
    parameters.resultReport = absent.reportNode
    panel.processEvents()
    panel.click(ui.saveCorrectionButton)  # nothing found: an empty segmentation to draw in, and what to do next
    assert "Draw the lesion in the Segment Editor" in panel.dialogs()[-1]
    drawing = panel.widget.currentFinding().segmentationNode.GetSegmentation()
    assert drawing.GetNumberOfSegments() == 1 and drawing.GetNthSegment(0).GetName() == "calcified granuloma (drawn)"
    panel.click(ui.openModelsFolderButton)
    assert panel.dialogs("openUrl")[-1].endswith("/home/models")
