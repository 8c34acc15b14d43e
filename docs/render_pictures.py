"""Render the README's pictures of the Slicer module without the Slicer application.

``docs/screenshot-scene.png``: the bundled LIDC sample in an MRML scene (the ``slicer-core`` wheel), drawn by
Slicer's own slice views offscreen (``Testing/slicer_module/slice_views.py``: the slice logic's layers and the
segmentations displayable manager; axial, coronal, sagittal, centred on the nodule as a click on its lesion row
does); matplotlib only lays the six views out with their titles. Top row: the LIDC reference annotation put through
the module's scene export, as a finding of the model would be. Bottom row: a real worker run of the starter model
(``reinforcedvl-starter``) on the sample, its segment and its evidence map shown as the panel's toggle shows it.

``docs/panel.png``: the panel's .ui file loaded offscreen with PySide6, Slicer's widget classes replaced by plain Qt
ones (node selector -> combo box, collapsible button -> group box, slider widget -> spin box) for this picture only,
and filled with the starter model's finding on the sample.

Run from the repository root: ``python docs/render_pictures.py`` (with the test requirements installed).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import slicer  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY / "ReinforcedVL"))
sys.path.insert(0, str(REPOSITORY / "Testing" / "slicer_module"))

from slice_views import SliceView, prepareScene  # noqa: E402

from reinforcedvl.io import read_label_map  # noqa: E402
from reinforcedvl.lesions import measure_lesions  # noqa: E402
from reinforcedvl.model_store.checkpoint import ModelIdentity  # noqa: E402
from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID  # noqa: E402
from reinforcedvl.predictor import FindingResult  # noqa: E402
from reinforcedvl.volume import ScalarVolume  # noqa: E402
from reinforcedvl.worker.outcome_files import write_outcome  # noqa: E402
from reinforcedvl.worker.protocol import FindingOutcome  # noqa: E402
from ReinforcedVLLib.evidence_display import showEvidence  # noqa: E402
from ReinforcedVLLib.finding_nodes import FindingNodes, summaryText  # noqa: E402
from ReinforcedVLLib.inference_session import InferenceSession  # noqa: E402
from ReinforcedVLLib.measurement_table import lesionsFromTable  # noqa: E402
from ReinforcedVLLib.report_view import readableReport  # noqa: E402
from ReinforcedVLLib.scene_export import addFindingToScene  # noqa: E402
from ReinforcedVLLib.slice_navigation import jumpSlicesToLesion  # noqa: E402
from ReinforcedVLLib.volume_bridge import volumeFromNodes  # noqa: E402

SAMPLES = REPOSITORY / "Resources" / "Samples"
SAMPLE = SAMPLES / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"
REFERENCE_MASK = SAMPLES / "lidc_nodule_LIDC-IDRI-0003_R_4_mask.nii.gz"
DOCS = REPOSITORY / "docs"
VIEWS = (("Red", "Axial"), ("Green", "Coronal"), ("Yellow", "Sagittal"))
FIELD_OF_VIEW_MM = 34.0
VIEW_PIXELS = 340
LUNG_WINDOW_HU = (-1200.0, 300.0)


def buildScene(work: Path) -> tuple[slicer.vtkMRMLScene, FindingNodes, FindingNodes]:
    """A scene like Slicer's default one, the sample in it, and two findings: reference and the starter model's."""
    converters = slicer.vtkSegmentationConverterFactory.GetInstance()
    if not converters.GetConverterRules():
        converters.RegisterConverterRule(slicer.vtkBinaryLabelmapToClosedSurfaceConversionRule())
        converters.RegisterConverterRule(slicer.vtkClosedSurfaceToBinaryLabelmapConversionRule())
    scene = slicer.vtkMRMLScene()
    scene.applicationLogic = prepareScene(scene)
    slicer.vtkMRMLSliceNode.AddDefaultSliceOrientationPresets(scene)
    volumeNode = scene.AddNewNodeByClass("vtkMRMLScalarVolumeNode", "LIDC nodule")
    storage = slicer.vtkMRMLVolumeArchetypeStorageNode()
    storage.SetFileName(str(SAMPLE))
    storage.ReadData(volumeNode)
    volumeNode.CreateDefaultDisplayNodes()
    display = volumeNode.GetDisplayNode()
    display.SetAutoWindowLevel(False)
    display.SetWindowLevelMinMax(*LUNG_WINDOW_HU)
    reference = addFindingToScene(volumeNode, referenceOutcome(volumeNode, work / "reference"))
    session = InferenceSession(work / "session")
    try:
        model = session.segmentAndWait(volumeNode, "solid lung nodule", modelId=DEFAULT_MODEL_ID)
    finally:
        session.stop()
    return scene, reference, model


def referenceOutcome(volumeNode: slicer.vtkMRMLScalarVolumeNode, folder: Path) -> FindingOutcome:
    """The LIDC reference annotation written as the worker writes a finding (evidence: none, all zeros)."""
    mask = read_label_map(REFERENCE_MASK)
    volume = volumeFromNodes(volumeNode)
    result = FindingResult(
        prompt="solid lung nodule (LIDC reference annotation)",
        present_probability=1.0,
        present=True,
        lesions=measure_lesions(mask),
        lesion_map=mask,
        evidence_map=ScalarVolume(np.zeros_like(volume.array), volume.affine, name="no evidence"),
        seconds=0.0,
    )
    identity = ModelIdentity("LIDC-IDRI", "reference annotation")
    document = write_outcome(
        result, folder, volume=volume, identity=identity, device="no model run", threshold=0.5, modality="CT"
    )
    return FindingOutcome.from_dict(document)


def renderScene(scene, reference: FindingNodes, model: FindingNodes, path: Path) -> None:
    volumeNode = reference.inputVolumeNode
    views = [SliceView(scene, scene.applicationLogic, name, VIEW_PIXELS) for name, _ in VIEWS]
    for view, (_, orientation) in zip(views, VIEWS, strict=True):
        view.sliceNode.SetOrientation(orientation)
        view.show(background=volumeNode)
        view.sliceNode.SetFieldOfView(FIELD_OF_VIEW_MM, FIELD_OF_VIEW_MM, 1.0)
    jumpSlicesToLesion(reference, lesionsFromTable(reference.measurementsNode)[0].centroid_ras)
    figure, axes = plt.subplots(2, 3, figsize=(11, 7.0), facecolor="black")
    for row, (shown, hidden) in enumerate(((reference, model), (model, reference))):
        for finding, visible in ((shown, True), (hidden, False)):
            if finding.segmentationNode is not None:
                finding.segmentationNode.GetDisplayNode().SetVisibility(visible)
        showEvidence(scene, model.evidenceNode, row == 1)
        for column, view in enumerate(views):
            axis = axes[row, column]
            axis.imshow(view.render())
            axis.set_title(
                f"{view.sliceNode.GetLayoutName()}: {_orientation(view.sliceNode)}", color="white", fontsize=9
            )
            axis.axis("off")
    figure.suptitle(
        "ReinforcedVL scene on the bundled LIDC-IDRI sample, drawn by Slicer's own slice views offscreen (no GUI)",
        color="white",
        fontsize=10,
    )
    figure.tight_layout(rect=(0, 0, 1, 0.93), h_pad=3.0)
    labels = (
        f"Top: the LIDC reference annotation exported to the scene as a finding. {summaryText(reference)}",
        "Bottom: a real worker run of the starter model on this dev-split nodule: its evidence map. "
        + summaryText(model),
    )
    for row, label in enumerate(labels):
        top = axes[row, 1].get_position().y1
        figure.text(0.5, top + 0.045, label, color="white", ha="center", fontsize=8, wrap=True)
    figure.savefig(path, dpi=110, facecolor="black")
    plt.close(figure)


def _orientation(sliceNode) -> str:
    return sliceNode.GetOrientation().lower()


def _nodes(scene, className: str) -> list:
    collection = scene.GetNodesByClass(className)
    return [collection.GetItemAsObject(index) for index in range(collection.GetNumberOfItems())]


def renderPanel(finding: FindingNodes, path: Path) -> None:
    """The .ui offscreen with plain Qt stand-ins for Slicer's widget classes, filled with ``finding``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtGui, QtWidgets
    from PySide6.QtCore import QFile
    from PySide6.QtUiTools import QUiLoader

    application = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])

    class StandInLoader(QUiLoader):
        standIns = {
            "qMRMLWidget": QtWidgets.QWidget,
            "ctkCollapsibleButton": QtWidgets.QGroupBox,
            "qMRMLNodeComboBox": QtWidgets.QComboBox,
            "ctkSliderWidget": QtWidgets.QDoubleSpinBox,
        }

        def createWidget(self, className, parent=None, name=""):
            if className in self.standIns:
                widget = self.standIns[className](parent)
                widget.setObjectName(name)
                return widget
            return super().createWidget(className, parent, name)

    uiFile = QFile(str(REPOSITORY / "Resources" / "UI" / "ReinforcedVL.ui"))
    uiFile.open(QFile.ReadOnly)
    panel = StandInLoader().load(uiFile)
    uiFile.close()
    find = lambda kind, name: panel.findChild(kind, name)  # noqa: E731
    for box in panel.findChildren(QtWidgets.QGroupBox):
        box.setTitle(str(box.property("text")))
        if box.property("collapsed"):
            for child in box.findChildren(QtWidgets.QWidget):
                child.hide()
    find(QtWidgets.QComboBox, "inputVolumeSelector").addItem("LIDC nodule")
    find(QtWidgets.QComboBox, "secondChannelSelector").addItem("None (one channel)")
    find(QtWidgets.QComboBox, "resultSelector").addItem(finding.reportNode.GetName())
    find(QtWidgets.QLineEdit, "findingLineEdit").setText("solid lung nodule")
    find(QtWidgets.QComboBox, "findingPickComboBox").addItem("solid lung nodule  (充実性肺結節)")
    segment = find(QtWidgets.QPushButton, "segmentButton")
    segment.setEnabled(True)
    device = find(QtWidgets.QLabel, "deviceLabel")
    device.setText("Running on the CPU (2 threads; no CUDA GPU found): expect minutes per finding, not seconds.")
    device.setStyleSheet("color: #b35c00; font-weight: bold")
    find(QtWidgets.QLabel, "resultSummaryLabel").setText(summaryText(finding))
    table = find(QtWidgets.QTableWidget, "lesionTableWidget")
    lesions = lesionsFromTable(finding.measurementsNode)
    table.setRowCount(len(lesions))
    for row, lesion in enumerate(lesions):
        swatch = QtWidgets.QTableWidgetItem(lesion.color_name)
        color = finding.segmentationNode.GetSegmentation().GetNthSegment(row).GetColor()
        swatch.setBackground(QtGui.QColor.fromRgbF(*color))
        table.setItem(row, 0, swatch)
        values = (
            lesion.lesion_id,
            f"{lesion.volume_ml:.2f}",
            f"{lesion.long_axis_mm:.1f}",
            f"{lesion.short_axis_mm:.1f}",
            f"{lesion.confidence:.2f}",
        )
        for column, value in enumerate(values, start=1):
            table.setItem(row, column, QtWidgets.QTableWidgetItem(str(value)))
    table.setMaximumHeight(64)
    report = find(QtWidgets.QTextBrowser, "reportTextBrowser")
    report.setMarkdown(readableReport(finding.reportNode.GetText()))  # as the panel shows it
    report.setMinimumHeight(330)
    for name in ("copyReportButton", "saveReportButton"):
        find(QtWidgets.QPushButton, name).setEnabled(True)
    table.resizeColumnsToContents()
    panel.resize(560, panel.sizeHint().height())
    panel.grab().save(str(path))
    del application


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as work:
        scene, reference, model = buildScene(Path(work))
        renderScene(scene, reference, model, DOCS / "screenshot-scene.png")
        renderPanel(model, DOCS / "panel.png")
        print("starter model:", summaryText(model))
        print("reference:", summaryText(reference))
