"""Render the README's pictures of the Slicer module without the Slicer application.

``docs/screenshot-scene.png``: the bundled LIDC sample in an MRML scene (the ``slicer-core`` wheel), resliced along
the scene's own slice nodes (axial, coronal, sagittal, centred on the nodule as a click on its lesion row does) with
numpy and drawn with matplotlib. Top row: the LIDC reference annotation put through the module's scene export, as a
finding of the model would be. Bottom row: a real worker run of the starter model (``reinforcedvl-starter``) on the
sample, its evidence map shown with the evidence colour table.

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
from scipy import ndimage  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY / "ReinforcedVL"))

from reinforcedvl.io import read_label_map  # noqa: E402
from reinforcedvl.lesions import measure_lesions  # noqa: E402
from reinforcedvl.model_store.checkpoint import ModelIdentity  # noqa: E402
from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID  # noqa: E402
from reinforcedvl.predictor import FindingResult  # noqa: E402
from reinforcedvl.volume import ScalarVolume  # noqa: E402
from reinforcedvl.worker.outcome_files import write_outcome  # noqa: E402
from reinforcedvl.worker.protocol import FindingOutcome  # noqa: E402
from ReinforcedVLLib.finding_nodes import FindingNodes, summaryText  # noqa: E402
from ReinforcedVLLib.inference_session import InferenceSession  # noqa: E402
from ReinforcedVLLib.measurement_table import lesionsFromTable  # noqa: E402
from ReinforcedVLLib.scene_export import addFindingToScene  # noqa: E402
from ReinforcedVLLib.segmentation_labelmap import labelmapArrayFromSegments  # noqa: E402
from ReinforcedVLLib.slice_navigation import jumpSlicesToLesion  # noqa: E402
from ReinforcedVLLib.volume_bridge import ijkToRasArray, volumeFromNodes  # noqa: E402

SAMPLES = REPOSITORY / "Resources" / "Samples"
SAMPLE = SAMPLES / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"
REFERENCE_MASK = SAMPLES / "lidc_nodule_LIDC-IDRI-0003_R_4_mask.nii.gz"
DOCS = REPOSITORY / "docs"
VIEWS = (("Red", "Axial"), ("Green", "Coronal"), ("Yellow", "Sagittal"))
FIELD_OF_VIEW_MM = 34.0
PIXEL_MM = 0.2
LUNG_WINDOW_HU = (-1200.0, 300.0)


def buildScene(work: Path) -> tuple[slicer.vtkMRMLScene, FindingNodes, FindingNodes]:
    """A scene like Slicer's default one, the sample in it, and two findings: reference and the starter model's."""
    converters = slicer.vtkSegmentationConverterFactory.GetInstance()
    if not converters.GetConverterRules():
        converters.RegisterConverterRule(slicer.vtkBinaryLabelmapToClosedSurfaceConversionRule())
        converters.RegisterConverterRule(slicer.vtkClosedSurfaceToBinaryLabelmapConversionRule())
    scene = slicer.vtkMRMLScene()
    slicer.vtkMRMLSliceNode.AddDefaultSliceOrientationPresets(scene)
    for layoutName, orientation in VIEWS:
        sliceNode = scene.CreateNodeByClass("vtkMRMLSliceNode")
        sliceNode.SetLayoutName(layoutName)
        sliceNode.SetOrientation(orientation)
        scene.AddNode(sliceNode)
    volumeNode = scene.AddNewNodeByClass("vtkMRMLScalarVolumeNode", "LIDC nodule")
    storage = slicer.vtkMRMLVolumeArchetypeStorageNode()
    storage.SetFileName(str(SAMPLE))
    storage.ReadData(volumeNode)
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


def reslice(sliceNode, volumeNode, array: np.ndarray, order: int) -> np.ndarray:
    """``array`` (I, J, K) on ``volumeNode``'s grid, sampled on the slice node's plane (rows: screen up to down)."""
    sliceToRAS = np.array([[sliceNode.GetSliceToRAS().GetElement(r, c) for c in range(4)] for r in range(4)])
    half = FIELD_OF_VIEW_MM / 2
    screen = np.arange(-half, half, PIXEL_MM)
    u, v = np.meshgrid(screen, screen[::-1])
    points = np.stack([u.ravel(), v.ravel(), np.zeros(u.size), np.ones(u.size)])
    ijk = np.linalg.inv(ijkToRasArray(volumeNode)) @ sliceToRAS @ points
    values = ndimage.map_coordinates(array, ijk[:3], order=order, mode="constant", cval=np.nan if order else 0)
    return values.reshape(u.shape)


def colorTableRGBA(colorNode) -> np.ndarray:
    rgba = np.zeros((colorNode.GetNumberOfColors(), 4))
    for index in range(len(rgba)):
        colorNode.GetColor(index, rgba[index])
    return rgba


def renderScene(scene, reference: FindingNodes, model: FindingNodes, path: Path) -> None:
    volumeNode = reference.inputVolumeNode
    image = slicer.util.arrayFromVolume(volumeNode).transpose(2, 1, 0).astype(float)
    jumpSlicesToLesion(reference, lesionsFromTable(reference.measurementsNode)[0].centroid_ras)
    sliceNodes = [next(n for n in _nodes(scene, "vtkMRMLSliceNode") if n.GetLayoutName() == name) for name, _ in VIEWS]
    figure, axes = plt.subplots(2, 3, figsize=(11, 7.0), facecolor="black")
    rows = [(reference, "segments"), (model, "evidence")]
    for row, (finding, layer) in enumerate(rows):
        for column, sliceNode in enumerate(sliceNodes):
            axis = axes[row, column]
            axis.imshow(
                reslice(sliceNode, volumeNode, image, 1),
                cmap="gray",
                vmin=LUNG_WINDOW_HU[0],
                vmax=LUNG_WINDOW_HU[1],
                extent=_extent(),
            )
            if layer == "evidence":
                evidence = slicer.util.arrayFromVolume(finding.evidenceNode).transpose(2, 1, 0).astype(float)
                sampled = reslice(sliceNode, volumeNode, evidence, 1)
                display = finding.evidenceNode.GetScalarVolumeDisplayNode()
                lower = display.GetLowerThreshold()
                table = colorTableRGBA(display.GetColorNode())
                indices = np.clip(np.nan_to_num(sampled) * (len(table) - 1), 0, len(table) - 1).astype(int)
                overlay = table[indices]
                overlay[..., 3] *= 0.5 * (np.nan_to_num(sampled) >= lower)
                axis.imshow(overlay, extent=_extent())
            if finding.segmentationNode is not None:
                _drawSegments(axis, finding, sliceNode, volumeNode)
            axis.set_title(f"{sliceNode.GetLayoutName()}: {_orientation(sliceNode)}", color="white", fontsize=9)
            axis.axis("off")
    figure.suptitle(
        "ReinforcedVL scene on the bundled LIDC-IDRI sample, resliced along the MRML scene's slice nodes (no GUI)",
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


def _drawSegments(axis, finding: FindingNodes, sliceNode, volumeNode) -> None:
    segmentation = finding.segmentationNode.GetSegmentation()
    for index in range(segmentation.GetNumberOfSegments()):
        segmentId = segmentation.GetNthSegmentID(index)
        mask = labelmapArrayFromSegments(finding.segmentationNode, volumeNode, [segmentId])
        sampled = reslice(sliceNode, volumeNode, mask, 0) > 0  # nearest neighbour, as Slicer draws labels
        color = segmentation.GetSegment(segmentId).GetColor()
        fill = np.zeros((*sampled.shape, 4))
        fill[sampled] = (*color, 0.35)
        axis.imshow(fill, extent=_extent())
        if sampled.any():
            axis.contour(np.flipud(sampled), levels=[0.5], colors=[color], linewidths=1.2, extent=_extent())


def _extent() -> tuple[float, float, float, float]:
    half = FIELD_OF_VIEW_MM / 2
    return (-half, half, -half, half)


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
    report.setMarkdown(finding.reportNode.GetText())
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
