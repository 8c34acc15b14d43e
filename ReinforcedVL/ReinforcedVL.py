"""ReinforcedVL: type or pick a finding, and see its lesions, the model's evidence and a report in the scene.

Module, parameters, widget, logic and self-test, in the order of Slicer's scripted-module template. The work is
done by ReinforcedVLLib (Slicer-side helpers) and by a worker process that holds the model (reinforcedvl.worker):
this process never imports torch.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import tempfile
import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import qt
import slicer
import vtk
from slicer import vtkMRMLScalarVolumeNode, vtkMRMLTextNode
from slicer.i18n import tr as _
from slicer.i18n import translate
from slicer.parameterNodeWrapper import WithinRange, parameterNodeWrapper
from slicer.ScriptedLoadableModule import (
    ScriptedLoadableModule,
    ScriptedLoadableModuleLogic,
    ScriptedLoadableModuleTest,
    ScriptedLoadableModuleWidget,
)
from slicer.util import VTKObservationMixin

from ReinforcedVLLib.python_version_gate import pythonSupported, unsupportedSlicerMessage

# Everything below needs Python 3.10 (Slicer 5.10); on an older Slicer the module only shows why it cannot run.
PYTHON_SUPPORTED = pythonSupported()
if PYTHON_SUPPORTED:
    from reinforcedvl.errors import ReinforcedVLError
    from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID, installed_model_list
    from reinforcedvl.terminology_context import TERMINOLOGY_FILE_NAME
    from reinforcedvl.vocabulary import DEFAULT_LESION_CONFIDENCE, LANGUAGES
    from reinforcedvl.vocabulary import MODALITY_CHOICES as MODALITIES
    from reinforcedvl.worker.protocol import EventKind, WorkerEvent
    from ReinforcedVLLib.dependencies import (
        TORCH_REQUIREMENT,
        InstallPlan,
        installPlan,
        missingRequirements,
        torchMissing,
    )
    from ReinforcedVLLib.dicom_export import (
        dicomExportUnavailableReason,
        dicomSourceFiles,
        filesAnExportWouldReplace,
    )
    from ReinforcedVLLib.feedback_capture import captureFeedback, correctionSegmentation
    from ReinforcedVLLib.feedback_sink import FeedbackAction, FeedbackSink, FeedbackStoreSink
    from ReinforcedVLLib.finding_nodes import FindingAttribute, FindingNodes, findingReports
    from ReinforcedVLLib.findings_catalog import findingChoices, modalityHint
    from ReinforcedVLLib.inference_session import InferenceSession, SegmentationJob
    from ReinforcedVLLib.models_section import ModelsSection
    from ReinforcedVLLib.point_prompts_section import PointPromptsSection
    from ReinforcedVLLib.prompt_markups import PromptRole, promptNode, spatialPromptsFromNodes, spatialPromptsOf
    from ReinforcedVLLib.results_section import ResultsSection
else:  # placeholders for the parameter class below; the panel is not built on this Slicer
    DEFAULT_MODEL_ID = ""
    DEFAULT_LESION_CONFIDENCE = 0.0
    LANGUAGES, MODALITIES = (), ()

SAMPLE_FILE = Path(__file__).resolve().parent / "Resources" / "Samples" / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"
TERMINOLOGY_FOLDER = Path(__file__).resolve().parent / "Resources" / "Terminology"
SAMPLE_MASK_FILE = SAMPLE_FILE.with_name(SAMPLE_FILE.name.replace(".nii.gz", "_mask.nii.gz"))
"""The sample's LIDC reference annotation (the self-test clicks at its centre)."""
SAMPLE_SHA256 = "SHA256:f63da629ca0d6b26d6a32f60cc431df481b94802a1dd4816d6065c1d80d4601a"
_LANGUAGE_LABELS = {"en": "English", "ja": "日本語"}
REPORT_LANGUAGES = tuple((code, _LANGUAGE_LABELS[code]) for code in LANGUAGES)

#
# ReinforcedVL
#


class ReinforcedVL(ScriptedLoadableModule):
    def __init__(self, parent):
        ScriptedLoadableModule.__init__(self, parent)
        self.parent.title = _("ReinforcedVL")
        self.parent.categories = [translate("qSlicerAbstractCoreModule", "Segmentation")]
        self.parent.dependencies = []
        self.parent.contributors = ["ReinforcedVL developers"]
        self.parent.helpText = _(
            "Type or pick a finding description; the model segments it on the selected volume (on the GPU when "
            "there is one) and adds one coloured segment per lesion, the evidence map and a report whose sentences "
            "name each segment. 'Not present' is an explicit answer with its probability. Research use only; not "
            "a medical device. See the README: https://github.com/ReinforcedVL/SlicerReinforcedVL"
        )
        self.parent.acknowledgementText = _(
            "The method follows RCMed (arXiv 2505.03380). The bundled sample is from LIDC-IDRI (CC BY 3.0)."
        )
        if not PYTHON_SUPPORTED:
            self.parent.helpText = unsupportedSlicerMessage()
            logging.error(unsupportedSlicerMessage())
            return
        slicer.app.connect("startupCompleted()", registerSampleData)
        slicer.app.connect("startupCompleted()", registerTerminology)


def registerSampleData():
    """The bundled LIDC-IDRI chest CT crop, in the Sample Data module."""
    import SampleData

    SampleData.SampleDataLogic.registerCustomSampleDataSource(
        category="ReinforcedVL",
        sampleName="LIDCNodule",
        uris=SAMPLE_FILE.as_uri(),
        fileNames=SAMPLE_FILE.name,
        nodeNames="LIDC nodule",
        checksums=SAMPLE_SHA256,
    )


def registerTerminology() -> None:
    """The segments' codes (Nodule, Lesion, Neoplasm, organs...) as a terminology context of Slicer's, so that its
    terminology picker resolves them; without the Terminologies module only a warning is logged."""
    path = TERMINOLOGY_FOLDER / TERMINOLOGY_FILE_NAME
    try:
        terminologies = slicer.modules.terminologies.logic()
    except AttributeError:
        logging.warning(
            "Slicer's Terminologies module is not loaded, so ReinforcedVL's segment codes (%s) are shown by name only",
            path.name,
        )
        return
    if not terminologies.LoadTerminologyFromFile(str(path)):
        logging.warning("Slicer could not load ReinforcedVL's terminology context %s", path)


#
# ReinforcedVLParameterNode
#


@parameterNodeWrapper
class ReinforcedVLParameterNode:
    """The module's state, saved with the scene."""

    inputVolume: vtkMRMLScalarVolumeNode
    secondChannelVolume: vtkMRMLScalarVolumeNode
    finding: str
    threshold: Annotated[float, WithinRange(0.05, 0.95)] = 0.5
    lesionConfidence: Annotated[float, WithinRange(0.0, 1.0)] = DEFAULT_LESION_CONFIDENCE
    forceCPU: bool = False
    modelId: str = DEFAULT_MODEL_ID
    modality: str = "auto"
    reportLanguage: str = "en"
    resultReport: vtkMRMLTextNode
    rating: Annotated[int, WithinRange(0, 5)] = 0
    comment: str


class PanelState(Enum):
    IDLE = "idle"
    RUNNING = "running"
    CANCELLING = "cancelling"


#
# ReinforcedVLWidget
#


class ReinforcedVLWidget(ScriptedLoadableModuleWidget, VTKObservationMixin):
    CANCEL_TIMEOUT_S = 30.0
    """How long a cancelled segmentation may take to stop before its worker is ended."""

    def __init__(self, parent=None) -> None:
        ScriptedLoadableModuleWidget.__init__(self, parent)
        VTKObservationMixin.__init__(self)
        self.logic = None
        self._parameterNode = None
        self._parameterNodeGuiTag = None
        self._state = PanelState.IDLE
        self._pickListKey = None
        self._cancelDeadline = 0.0
        self._timer = qt.QTimer()
        self._timer.setInterval(100)

    def setup(self) -> None:
        ScriptedLoadableModuleWidget.setup(self)
        if not PYTHON_SUPPORTED:
            message = qt.QLabel(unsupportedSlicerMessage())
            message.wordWrap = True
            self.layout.addWidget(message)
            self.layout.addStretch(1)
            return
        uiWidget = slicer.util.loadUI(self.resourcePath("UI/ReinforcedVL.ui"))
        self.layout.addWidget(uiWidget)
        self.ui = slicer.util.childWidgetVariables(uiWidget)
        uiWidget.setMRMLScene(slicer.mrmlScene)
        self.logic = ReinforcedVLLogic()
        self.ui.resultSelector.addAttribute("vtkMRMLTextNode", FindingAttribute.PROMPT.value)
        self.ui.modalityComboBox.addItems([choice if choice != "auto" else "Auto" for choice in MODALITIES])
        self.ui.reportLanguageComboBox.addItems([label for _, label in REPORT_LANGUAGES])
        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.StartCloseEvent, self.onSceneStartClose)
        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.EndCloseEvent, self.onSceneEndClose)
        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.NodeAddedEvent, self.onNodeAdded)
        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.EndImportEvent, self.onNodeAdded)
        self._timer.connect("timeout()", self.onTimer)
        self.ui.segmentButton.connect("clicked(bool)", self.onSegmentButton)
        self.ui.findingLineEdit.connect("returnPressed()", self.onFindingReturnPressed)
        self.ui.findingPickComboBox.connect("activated(int)", self.onFindingPicked)
        self.ui.modelComboBox.connect("currentIndexChanged(int)", self.onModelChosen)
        self.ui.modalityComboBox.connect("currentIndexChanged(int)", self.onModalityChosen)
        self.ui.reportLanguageComboBox.connect("currentIndexChanged(int)", self.onReportLanguageChosen)
        self.ui.acceptButton.connect("clicked(bool)", lambda: self.onFeedback(FeedbackAction.ACCEPT))
        self.ui.rejectButton.connect("clicked(bool)", lambda: self.onFeedback(FeedbackAction.REJECT))
        self.ui.saveCorrectionButton.connect("clicked(bool)", lambda: self.onFeedback(FeedbackAction.CORRECTION))
        self.ui.exportDicomButton.connect("clicked(bool)", self.onExportDicom)
        self.results = ResultsSection(self.ui, self.currentFinding)
        self.models = ModelsSection(self.ui, self.onModelsChanged, beforeDelete=self.onModelAboutToBeDeleted)
        self.pointPrompts = PointPromptsSection(self.ui, self.layout, onNewPoint=self.onPointPlaced)
        self.ui.feedbackStatusLabel.text = _(
            "Feedback is kept on this computer in {folder}, without patient identifiers; nothing is sent anywhere."
        ).format(folder=self.logic.feedbackSink.folder)
        self.models.refresh()
        self.initializeParameterNode()

    def cleanup(self) -> None:
        self._timer.stop()
        if not PYTHON_SUPPORTED:
            return
        self.models.cleanup()
        self.pointPrompts.cleanup()
        self.removeObservers()
        self.logic.stop()

    def enter(self) -> None:
        if PYTHON_SUPPORTED:
            self.initializeParameterNode()

    def exit(self) -> None:
        if self._parameterNode:
            self._parameterNode.disconnectGui(self._parameterNodeGuiTag)
            self._parameterNodeGuiTag = None
            self.removeObserver(self._parameterNode, vtk.vtkCommand.ModifiedEvent, self.onParameterNodeModified)

    def onSceneStartClose(self, caller, event) -> None:
        if self._state is PanelState.RUNNING:
            self.requestCancel()
        self.setParameterNode(None)

    def onSceneEndClose(self, caller, event) -> None:
        self.pointPrompts.attachNodes()
        if self.parent.isEntered:
            self.initializeParameterNode()

    def onNodeAdded(self, caller=None, event=None) -> None:
        """Once the scene has settled (a finding's nodes reference each other only after all are added), keep the
        findings' evidence volumes out of the input selectors: they are outputs, not images to segment."""
        qt.QTimer.singleShot(0, self.hideEvidenceFromInputSelectors)

    def hideEvidenceFromInputSelectors(self) -> None:
        findings = [FindingNodes.fromNode(report) for report in findingReports(slicer.mrmlScene)]
        evidenceIDs = [finding.evidenceNode.GetID() for finding in findings if finding and finding.evidenceNode]
        for selector in (self.ui.inputVolumeSelector, self.ui.secondChannelSelector):
            selector.sortFilterProxyModel().hiddenNodeIDs = evidenceIDs

    def initializeParameterNode(self) -> None:
        self.setParameterNode(self.logic.getParameterNode())
        if not self._parameterNode.inputVolume:
            self._parameterNode.inputVolume = slicer.mrmlScene.GetFirstNodeByClass("vtkMRMLScalarVolumeNode")
        self.chooseInstalledModel()

    def setParameterNode(self, inputParameterNode) -> None:
        if self._parameterNode:
            self._parameterNode.disconnectGui(self._parameterNodeGuiTag)
            self.removeObserver(self._parameterNode, vtk.vtkCommand.ModifiedEvent, self.onParameterNodeModified)
        self._parameterNode = inputParameterNode
        if self._parameterNode:
            self._parameterNodeGuiTag = self._parameterNode.connectGui(self.ui)
            self.addObserver(self._parameterNode, vtk.vtkCommand.ModifiedEvent, self.onParameterNodeModified)
            self.onParameterNodeModified()

    def onParameterNodeModified(self, caller=None, event=None) -> None:
        parameters = self._parameterNode
        self.ui.modelComboBox.setCurrentText(parameters.modelId)
        self.ui.modalityComboBox.setCurrentIndex(MODALITIES.index(parameters.modality))
        languages = [code for code, _ in REPORT_LANGUAGES]
        self.ui.reportLanguageComboBox.setCurrentIndex(languages.index(parameters.reportLanguage))
        self.updatePickList()
        self.updateSegmentButton()
        self.updateResults()

    # Segment, progress, cancel

    def updateSegmentButton(self) -> None:
        """Segment (or Cancel while running), disabled with the reason as its tooltip."""
        if self._state is not PanelState.IDLE:
            self.ui.segmentButton.text = _("Cancel") if self._state is PanelState.RUNNING else _("Cancelling...")
            self.ui.segmentButton.enabled = self._state is PanelState.RUNNING
            self.ui.segmentButton.toolTip = _("Stop the running segmentation.")
            return
        reason = self.logic.cannotSegmentReason(self._parameterNode)
        self.ui.segmentButton.text = _("Segment")
        self.ui.segmentButton.enabled = reason is None
        self.ui.segmentButton.toolTip = reason or _("Segment the finding in the input volume.")

    def onSegmentButton(self) -> None:
        if self._state is PanelState.RUNNING:
            self.requestCancel()
            return
        if self._state is not PanelState.IDLE or self.logic.cannotSegmentReason(self._parameterNode):
            return
        with slicer.util.tryWithErrorDisplay(_("ReinforcedVL could not start."), waitCursor=True):
            if not self.logic.ensureDependencies():
                return
            self.logic.startSegmentation(self._parameterNode, spatialPrompts=self.pointPrompts.prompts())
            self.setState(PanelState.RUNNING)
            self.ui.stageLabel.text = _("Starting the model (the first time takes a while)...")

    def onFindingReturnPressed(self) -> None:
        """Enter in the Finding field starts a segmentation; while one runs it does nothing (Cancel is a click)."""
        if self._state is PanelState.IDLE:
            self.onSegmentButton()

    def requestCancel(self) -> None:
        """Ask the worker to stop; if it has not within CANCEL_TIMEOUT_S, the timer ends it."""
        self.logic.cancel()
        self._cancelDeadline = time.monotonic() + self.CANCEL_TIMEOUT_S
        self.setState(PanelState.CANCELLING)

    def onPointPlaced(self) -> None:
        """A point placed after a result: ask again with every point (only the new point's windows are computed)."""
        if self._state is PanelState.IDLE and self.currentFinding() is not None:
            self.onSegmentButton()

    def setState(self, state: PanelState) -> None:
        self._state = state
        running = state is not PanelState.IDLE
        self.ui.progressBar.visible = running
        if running:
            self._timer.start()
        else:
            self._timer.stop()
        self.updateSegmentButton()
        self.updateExportButton()

    def onTimer(self) -> None:
        for event in self.logic.poll():
            self.onWorkerEvent(event)
        if self._state is PanelState.IDLE:
            return
        if not self.logic.hasJob():  # its worker was stopped (a model deleted, the module closed): no answer comes
            self.setState(PanelState.IDLE)
            self.ui.stageLabel.text = ""
        elif self._state is PanelState.CANCELLING and time.monotonic() > self._cancelDeadline:
            self.logic.abandon()
            self.setState(PanelState.IDLE)
            self.ui.stageLabel.text = ""
            slicer.util.showStatusMessage(
                _(
                    "The model did not stop within {seconds:.0f} s of Cancel, so its worker was ended; press Segment "
                    "to start again."
                ).format(seconds=self.CANCEL_TIMEOUT_S),
                10000,
            )

    def onWorkerEvent(self, event: WorkerEvent) -> None:
        """Show progress and device; at the job's end, show its finding or say what went wrong."""
        if event.kind is EventKind.PROGRESS:
            done, total = event.data["done"], event.data["total"]
            self.ui.progressBar.maximum = total if total > 1 else 0
            self.ui.progressBar.value = done
            self.ui.stageLabel.text = event.data["stage"].capitalize()
        elif event.kind is EventKind.READY:
            self.showDevice(event.data["device"], event.data["is_gpu"])
        elif event.kind is EventKind.WARNING:
            self.ui.stageLabel.text = event.message
            slicer.util.showStatusMessage(event.message, 10000)
        if not self.logic.endsJob(event):
            return
        self.setState(PanelState.IDLE)
        self.ui.stageLabel.text = ""
        if event.kind is EventKind.CANCELLED:
            slicer.util.showStatusMessage(_("Segmentation cancelled."), 3000)
            return
        if self.logic.isExportingDicom():
            self.finishDicomExport(event)
            return
        with slicer.util.tryWithErrorDisplay(_("The segmentation did not finish."), waitCursor=True):
            finding = self.logic.finishJob(event)
            if self._parameterNode is not None:
                self._parameterNode.resultReport = finding.reportNode

    # DICOM export

    def updateExportButton(self) -> None:
        """Export DICOM SEG + SR: for a finding with lesions, on a volume loaded from DICOM, while nothing runs."""
        finding = self.currentFinding()
        button = self.ui.exportDicomButton
        if finding is None or not finding.present:
            reason = _("There is no finding with lesions to export.")
        else:
            reason = dicomExportUnavailableReason(finding.inputVolumeNode)
        button.enabled = reason is None and self._state is PanelState.IDLE
        button.toolTip = reason or _(
            "Write the model's lesions as a DICOM SEG (segments AUTOMATIC, the model named) and an SR with their "
            "measurements and confidences, into a folder you choose. The model answers again on the DICOM series."
        )

    def onExportDicom(self) -> None:
        finding = self.currentFinding()
        if finding is None or self._state is not PanelState.IDLE:
            return
        folder = qt.QFileDialog.getExistingDirectory(
            slicer.util.mainWindow(), _("Folder for the DICOM SEG and SR of '{finding}'").format(finding=finding.prompt)
        )
        if not folder:
            return
        replaceable = filesAnExportWouldReplace(Path(folder))
        if replaceable and not self.confirmReplace(replaceable):
            return
        with slicer.util.tryWithErrorDisplay(_("The DICOM export could not start."), waitCursor=True):
            self.logic.startDicomExport(finding, Path(folder), self._parameterNode, replaceable)
            self.setState(PanelState.RUNNING)
            self.ui.stageLabel.text = _("DICOM SEG and SR: the model answers again on the DICOM series...")

    def finishDicomExport(self, event: WorkerEvent) -> None:
        with slicer.util.tryWithErrorDisplay(_("The DICOM SEG and SR were not written."), waitCursor=True):
            written = self.logic.finishDicomExport(event, self.confirmReplace)
            if written is None:
                slicer.util.showStatusMessage(_("Nothing was written; export again into another folder."), 10000)
                return
            slicer.util.infoDisplay(
                _("Wrote {files} into {folder}.").format(
                    files=", ".join(path.name for path in written), folder=written[0].parent
                )
            )

    @staticmethod
    def confirmReplace(existing: list[Path]) -> bool:
        return slicer.util.confirmOkCancelDisplay(
            _("{folder} already holds {files}. Replace them with this export?").format(
                folder=existing[0].parent, files=", ".join(path.name for path in existing)
            )
        )

    def showDevice(self, description: str, isGPU: bool) -> None:
        if isGPU:
            self.ui.deviceLabel.text = _("Device: {device}").format(device=description)
            self.ui.deviceLabel.styleSheet = ""
        else:
            self.ui.deviceLabel.text = _("Running on the {device}: expect minutes per finding, not seconds.").format(
                device=description
            )
            self.ui.deviceLabel.styleSheet = "color: #b35c00; font-weight: bold"

    # Finding field and pick-list

    def updatePickList(self) -> None:
        """The common findings for the modality chosen, or guessed from the input volume."""
        parameters = self._parameterNode
        modality = parameters.modality if parameters.modality != "auto" else modalityHint(parameters.inputVolume)
        if self._pickListKey == modality:
            return
        self._pickListKey = modality
        combo = self.ui.findingPickComboBox
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(_("Common {modality} findings...").format(modality=modality or ""))
        for choice in findingChoices(modality):
            combo.addItem(choice.label, choice.english)
        combo.blockSignals(False)

    def onFindingPicked(self, index: int) -> None:
        if index > 0:
            self._parameterNode.finding = self.ui.findingPickComboBox.itemData(index)

    def onModelChosen(self, index: int) -> None:
        if index >= 0 and self._parameterNode:
            self._parameterNode.modelId = self.ui.modelComboBox.itemText(index)

    def onModalityChosen(self, index: int) -> None:
        if index >= 0 and self._parameterNode:
            self._parameterNode.modality = MODALITIES[index]

    def onReportLanguageChosen(self, index: int) -> None:
        if index >= 0 and self._parameterNode:
            self._parameterNode.reportLanguage = REPORT_LANGUAGES[index][0]

    # Results

    def currentFinding(self) -> FindingNodes | None:
        return FindingNodes.fromNode(self._parameterNode.resultReport) if self._parameterNode else None

    def updateResults(self) -> None:
        self.results.update()
        finding = self.currentFinding()
        for button in (self.ui.acceptButton, self.ui.rejectButton, self.ui.saveCorrectionButton):
            button.enabled = finding is not None
        self.updateExportButton()

    # Feedback

    def onFeedback(self, action: FeedbackAction) -> None:
        finding = self.currentFinding()
        if action is FeedbackAction.CORRECTION and finding.segmentationNode is None:
            correctionSegmentation(finding)
            slicer.util.infoDisplay(
                _(
                    "The model found nothing, so an empty segmentation named after the finding was created. Draw "
                    "the lesion in the Segment Editor, then press Save correction again."
                )
            )
            return
        with slicer.util.tryWithErrorDisplay(_("The feedback could not be saved."), waitCursor=True):
            parameters = self._parameterNode
            recordId = self.logic.submitFeedback(finding, action, parameters.rating or None, parameters.comment)
            self.ui.feedbackStatusLabel.text = _("Saved ({action}, record {id}) in {folder}.").format(
                action=action.value, id=recordId, folder=self.logic.feedbackSink.folder
            )

    # Models

    def onModelAboutToBeDeleted(self) -> None:
        """Stop the worker that may hold the model; a running segmentation ends with it."""
        running = self._state is not PanelState.IDLE
        self.logic.stop()
        if running:
            self.setState(PanelState.IDLE)
            self.ui.stageLabel.text = ""
            slicer.util.showStatusMessage(_("Segmentation stopped: its model is being deleted."), 10000)

    def onModelsChanged(self, installed) -> None:
        combo = self.ui.modelComboBox
        combo.blockSignals(True)
        combo.clear()
        combo.addItems([model.model_id for model in installed])
        combo.blockSignals(False)
        if self._parameterNode:
            self.chooseInstalledModel()
            self.onParameterNodeModified()

    def chooseInstalledModel(self) -> None:
        """Keep the chosen model if it is installed, else take the first installed one (if any)."""
        installed = [self.ui.modelComboBox.itemText(index) for index in range(self.ui.modelComboBox.count)]
        if installed and self._parameterNode.modelId not in installed:
            self._parameterNode.modelId = installed[0]


#
# ReinforcedVLLogic
#


class ReinforcedVLLogic(ScriptedLoadableModuleLogic):
    """Nodes to worker requests and answers back to nodes; usable from scripts without the widget.

    Example:
        >>> logic = ReinforcedVLLogic()  # doctest: +SKIP
        >>> finding = logic.process(volumeNode, "solid lung nodule")  # doctest: +SKIP
    """

    def __init__(self, feedbackSink: FeedbackSink | None = None) -> None:
        ScriptedLoadableModuleLogic.__init__(self)
        self.feedbackSink = feedbackSink or FeedbackStoreSink.fromSettings(qt.QSettings())
        self._session: InferenceSession | None = None
        self._job: SegmentationJob | None = None

    def getParameterNode(self):
        return ReinforcedVLParameterNode(super().getParameterNode())

    @property
    def session(self) -> InferenceSession:
        """The worker session, created on first use (the worker runs with Slicer's own Python). Its files go to a
        folder of its own, so two Slicer instances (or two sessions) never write or delete each other's."""
        if self._session is None:
            self._session = InferenceSession(
                Path(tempfile.mkdtemp(prefix="ReinforcedVL-", dir=slicer.app.temporaryPath)),
                pythonExecutable=shutil.which("PythonSlicer") or sys.executable,
            )
        return self._session

    @staticmethod
    def cannotSegmentReason(parameters) -> str | None:
        """Why Segment cannot run now (shown as the button's tooltip), or None."""
        if parameters is None or parameters.inputVolume is None:
            return _("Select an input volume first (load one with Add Data, or from Sample Data > ReinforcedVL).")
        if not parameters.finding.strip():
            return _("Type a finding, or pick one from the list of common findings.")
        if parameters.modelId not in {model.model_id for model in installed_model_list()}:
            return _("No model is installed: download or import one in the Models section below.")
        return None

    def ensureDependencies(self) -> bool:
        """Install what the worker needs, after asking: torch through the PyTorch extension, then the rest."""
        if torchMissing():
            try:
                import PyTorchUtils
            except ModuleNotFoundError:
                raise ReinforcedVLError(
                    _(
                        "ReinforcedVL needs the PyTorch extension. Install 'PyTorch' from the Extensions Manager, "
                        "restart Slicer, and press Segment again."
                    )
                ) from None
            torch = PyTorchUtils.PyTorchUtilsLogic().installTorch(
                askConfirmation=True, torchVersionRequirement=TORCH_REQUIREMENT
            )
            if torch is None:
                return False
        plan = installPlan()
        if plan.conflicts:
            raise ReinforcedVLError("\n\n".join(plan.conflicts))
        if plan.install:
            question = _(
                "ReinforcedVL needs these Python packages, which will now be downloaded and installed into Slicer "
                "(once; it takes a few minutes). Slicer's own {kept} stay as they are:\n\n{packages}"
            ).format(packages="\n".join(plan.install), kept=", ".join(c.split("==")[0] for c in plan.constraints))
            if not slicer.util.confirmOkCancelDisplay(question):
                return False
            self.installPackages(plan)
        return True

    @staticmethod
    def installPackages(plan: InstallPlan) -> None:
        """pip-install ``plan.install`` one by one with a progress dialog, pinning what Slicer provides.

        Raises:
            ReinforcedVLError: the user cancelled (the packages installed so far stay).
        """
        folder = Path(tempfile.mkdtemp(prefix="ReinforcedVL-install-", dir=slicer.app.temporaryPath))
        constraints = folder / "constraints.txt"
        constraints.write_text("\n".join(plan.constraints) + "\n", encoding="utf-8")
        progress = slicer.util.createProgressDialog(
            maximum=len(plan.install), windowTitle=_("Installing ReinforcedVL's packages")
        )
        try:
            for index, requirement in enumerate(plan.install):
                if progress.wasCanceled:
                    raise ReinforcedVLError(
                        _("Installation cancelled; press Segment to install the remaining packages.")
                    )
                progress.labelText = _("Installing {package} ({done} of {total})...").format(
                    package=requirement, done=index + 1, total=len(plan.install)
                )
                progress.value = index
                slicer.app.processEvents()
                slicer.util.pip_install(["-c", str(constraints), requirement])
            progress.value = len(plan.install)
        finally:
            progress.close()
            shutil.rmtree(folder, ignore_errors=True)

    def startSegmentation(self, parameters, spatialPrompts: dict | None = None) -> SegmentationJob:
        """Send the parameter node's volume and finding to the worker, with the points and box that say where to
        look (:func:`ReinforcedVLLib.prompt_markups.spatialPromptsFromNodes`); answers arrive through :meth:`poll`."""
        self._job = self.session.startSegmentation(
            parameters.inputVolume,
            parameters.finding.strip(),
            modelId=parameters.modelId,
            forceCPU=parameters.forceCPU,
            threshold=parameters.threshold,
            secondChannelNode=parameters.secondChannelVolume,
            modality=parameters.modality,
            reportLanguage=parameters.reportLanguage,
            spatialPrompts=spatialPrompts,
            lesionConfidence=parameters.lesionConfidence,
        )
        return self._job

    def startDicomExport(
        self, finding: FindingNodes, folder: Path, parameters, replaceable: list[Path] | None = None
    ) -> SegmentationJob:
        """Ask the worker for ``finding``'s DICOM SEG and SR (its own model, threshold, lesion confidence, modality
        and points, on the DICOM series its volume was loaded from), to go into ``folder``, where the user agreed to
        replace ``replaceable``; see :mod:`ReinforcedVLLib.dicom_export`.

        Raises:
            ReinforcedVLError: the volume is not from DICOM, its files are gone, or the finding's model is not
                installed.
        """
        sources = dicomSourceFiles(finding.inputVolumeNode)
        modelId = finding.attribute(FindingAttribute.MODEL)
        if modelId not in {model.model_id for model in installed_model_list()}:
            raise ReinforcedVLError(
                _(
                    "The model that made '{finding}' ({model}) is not installed any more, so its DICOM SEG cannot be "
                    "made: install it again, or segment the finding with another model and export that."
                ).format(finding=finding.prompt, model=modelId)
            )
        threshold = finding.attribute(FindingAttribute.THRESHOLD)
        lesionConfidence = finding.attribute(FindingAttribute.LESION_CONFIDENCE)
        self._job = self.session.startDicomExport(
            finding.inputVolumeNode,
            finding.prompt,
            sources,
            folder,
            modelId=modelId,
            forceCPU=parameters.forceCPU,
            threshold=float(threshold) if threshold else None,
            modality=finding.attribute(FindingAttribute.MODALITY) or "auto",
            reportLanguage=parameters.reportLanguage,
            spatialPrompts=spatialPromptsOf(finding),
            lesionConfidence=float(lesionConfidence) if lesionConfidence else None,
            replaceable=replaceable or (),
        )
        return self._job

    def isExportingDicom(self) -> bool:
        """Whether the running job is a DICOM export."""
        return self._job is not None and self._job.exportFolder is not None

    def finishDicomExport(self, event: WorkerEvent, confirmReplace) -> list[Path] | None:
        """The running export's files copied into its folder (None: the user declined to replace files there)."""
        job, self._job = self._job, None
        return self.session.finishDicomExport(job, event, confirmReplace)

    def poll(self) -> list[WorkerEvent]:
        return self.session.poll() if self._session is not None else []

    def endsJob(self, event: WorkerEvent) -> bool:
        return self._job is not None and self.session.endsJob(self._job, event)

    def finishJob(self, event: WorkerEvent) -> FindingNodes:
        """The running job's finding, in the scene (raises with the worker's message if it failed)."""
        job, self._job = self._job, None
        return self.session.finishJob(job, event, slicer.mrmlScene)

    def hasJob(self) -> bool:
        """Whether a segmentation was started and has not ended."""
        return self._job is not None

    def cancel(self) -> None:
        if self._job is not None:
            self.session.cancel(self._job)

    def abandon(self) -> None:
        """End the worker at once, dropping the running segmentation (a cancel it did not answer)."""
        if self._session is not None:
            self._session.kill()
            self._session = None
        self._job = None

    def process(self, inputVolume, finding: str, modelId: str = DEFAULT_MODEL_ID, **options) -> FindingNodes:
        """Segment ``finding`` in ``inputVolume`` and wait for the answer in the scene (scripts and tests).

        Raises:
            ValueError: no input volume or an empty finding.
            ReinforcedVLError: the worker failed; the message says what to do.
        """
        if inputVolume is None or not finding.strip():
            raise ValueError("process() needs an input volume and a finding description.")
        return self.session.segmentAndWait(inputVolume, finding.strip(), modelId=modelId, **options)

    def submitFeedback(self, finding: FindingNodes, action: FeedbackAction, rating: int | None, comment: str) -> str:
        return self.feedbackSink.submit(captureFeedback(finding, action, rating=rating, comment=comment))

    def stop(self) -> None:
        """Stop the worker (it starts again on the next Segment)."""
        if self._session is not None:
            self._session.stop()
            self._session = None
        self._job = None


#
# ReinforcedVLTest
#


class ReinforcedVLTest(ScriptedLoadableModuleTest):
    """What is safe on any machine, the extension build machines included (no package is installed, no model is
    needed): the module's state on the bundled sample. Then, where the worker's packages are installed, two findings
    on the sample and the scene saved and reloaded, and a click on the nodule with its description (click and
    describe); both skipped with the reason where they are not."""

    WORKER_TIMEOUT_S = 600

    def setUp(self):
        slicer.mrmlScene.Clear()

    def runTest(self):
        if not PYTHON_SUPPORTED:
            self.skipTest(unsupportedSlicerMessage())
        self.setUp()
        self.test_ReinforcedVL_moduleState()
        self.setUp()
        self.test_ReinforcedVL_sampleFlow()
        self.setUp()
        self.test_ReinforcedVL_clickAndDescribe()

    def test_ReinforcedVL_moduleState(self):
        self.delayDisplay("Loading the bundled LIDC-IDRI sample")
        volumeNode = slicer.util.loadVolume(str(SAMPLE_FILE))
        self.assertEqual(modalityHint(volumeNode), "CT")
        self.assertTrue(findingChoices("CT"))
        logic = ReinforcedVLLogic(FeedbackStoreSink(Path(slicer.app.temporaryPath) / "ReinforcedVLTestFeedback"))
        parameters = logic.getParameterNode()
        parameters.inputVolume = None
        self.assertIn("input volume", logic.cannotSegmentReason(parameters))
        parameters.inputVolume = volumeNode
        parameters.finding = "  "
        self.assertIn("finding", logic.cannotSegmentReason(parameters))
        parameters.finding = "solid lung nodule"
        parameters.modelId = "no-such-model"
        self.assertIn("Models section", logic.cannotSegmentReason(parameters))
        self.assertFalse(logic.hasJob())
        self.assertEqual(logic.poll(), [])

    def test_ReinforcedVL_sampleFlow(self):
        self._skipWithoutWorkerPackages()
        self.delayDisplay("Loading the bundled LIDC-IDRI sample")
        volumeNode = slicer.util.loadVolume(str(SAMPLE_FILE))
        logic = ReinforcedVLLogic(FeedbackStoreSink(Path(slicer.app.temporaryPath) / "ReinforcedVLTestFeedback"))
        model = self._model()
        try:
            self.delayDisplay(f"Segmenting with {model}")
            first = logic.process(volumeNode, "solid lung nodule", model, timeoutSeconds=self.WORKER_TIMEOUT_S)
            second = logic.process(volumeNode, "ground-glass lung nodule", model, timeoutSeconds=self.WORKER_TIMEOUT_S)
        finally:
            logic.stop()
        for finding in (first, second):
            self.assertIs(finding.inputVolumeNode, volumeNode)
            self.assertIsNotNone(finding.evidenceNode)
            self.assertIn("## ", finding.reportNode.GetText())
            rows = finding.measurementsNode.GetTable().GetNumberOfRows()
            segments = finding.segmentationNode.GetSegmentation().GetNumberOfSegments() if finding.present else 0
            self.assertEqual(rows, segments)
        self.assertNotEqual(first.reportNode.GetID(), second.reportNode.GetID())
        recordId = logic.submitFeedback(first, FeedbackAction.ACCEPT, 4, "self-test")
        self.assertEqual(logic.feedbackSink.store.get(recordId).action, FeedbackAction.ACCEPT)
        self.assertTrue(logic.feedbackSink.store.check().consistent)

        self.delayDisplay("Saving and reloading the scene")
        bundle = Path(slicer.app.temporaryPath) / "ReinforcedVLSelfTest.mrb"
        self.assertTrue(slicer.util.saveScene(str(bundle)))
        slicer.mrmlScene.Clear()
        slicer.util.loadScene(str(bundle))
        reports = [FindingNodes.fromNode(node) for node in slicer.util.getNodesByClass("vtkMRMLTextNode")]
        reloaded = [finding for finding in reports if finding is not None]
        self.assertEqual([f.prompt for f in reloaded], ["solid lung nodule", "ground-glass lung nodule"])
        self.assertTrue(all(f.evidenceNode is not None and f.inputVolumeNode is not None for f in reloaded))
        self.delayDisplay("Test passed")

    def test_ReinforcedVL_clickAndDescribe(self):
        """A point on the sample's nodule (the centre of its LIDC annotation) placed in the lesion-points list, as a
        click in a slice view does, and the description: the answer keeps the point, and lesions are the marked one."""
        self._skipWithoutWorkerPackages()
        self.delayDisplay("Click and describe: a point on the nodule of the bundled sample")
        volumeNode = slicer.util.loadVolume(str(SAMPLE_FILE))
        points = promptNode(slicer.mrmlScene, PromptRole.POSITIVE)
        points.AddControlPoint(*self._sampleNoduleCentre())
        prompts = spatialPromptsFromNodes(points, None, None)
        self.assertEqual(len(prompts["points"]), 1)
        logic = ReinforcedVLLogic(FeedbackStoreSink(Path(slicer.app.temporaryPath) / "ReinforcedVLTestFeedback"))
        model = self._model()
        try:
            finding = logic.process(
                volumeNode, "solid lung nodule", model, timeoutSeconds=self.WORKER_TIMEOUT_S, spatialPrompts=prompts
            )
        finally:
            logic.stop()
        self.assertIs(finding.inputVolumeNode, volumeNode)
        self.assertEqual(spatialPromptsOf(finding), prompts)
        segments = finding.segmentationNode.GetSegmentation().GetNumberOfSegments() if finding.present else 0
        self.assertEqual(finding.measurementsNode.GetTable().GetNumberOfRows(), segments)
        if finding.present:
            self.assertIn("at the marked point", finding.reportNode.GetText())
        self.delayDisplay("Click and describe passed")

    @staticmethod
    def _sampleNoduleCentre() -> list[float]:
        """The RAS centre of the sample's reference annotation (loaded, read and removed again)."""
        import numpy as np

        maskNode = slicer.util.loadVolume(str(SAMPLE_MASK_FILE), {"labelmap": True, "show": False})
        try:
            k, j, i = np.argwhere(slicer.util.arrayFromVolume(maskNode) > 0).mean(axis=0)
            ijkToRAS = vtk.vtkMatrix4x4()
            maskNode.GetIJKToRASMatrix(ijkToRAS)
            return list(ijkToRAS.MultiplyPoint([i, j, k, 1.0])[:3])
        finally:
            slicer.mrmlScene.RemoveNode(maskNode)

    def _skipWithoutWorkerPackages(self) -> None:
        missing = (["torch"] if torchMissing() else []) + missingRequirements()
        if missing:
            self.skipTest(
                "the worker's packages are not installed here ({packages}); press Segment once in the module to "
                "install them, then run the self-test again".format(packages=", ".join(missing))
            )

    def _model(self) -> str:
        """The starter model if installed; else an untrained checkpoint made for this test (mechanics only)."""
        if DEFAULT_MODEL_ID in {model.model_id for model in installed_model_list()}:
            return DEFAULT_MODEL_ID
        folder = Path(slicer.app.temporaryPath) / "ReinforcedVLUntrainedCheckpoint"
        logging.warning(
            "%s is not installed; the self-test uses an untrained network (mechanics only)", DEFAULT_MODEL_ID
        )
        script = (
            "import sys\n"
            "from reinforcedvl.model_store.checkpoint import ModelIdentity, save_checkpoint\n"
            "from reinforcedvl.modeling import ModelConfig, build_network\n"
            "config = ModelConfig(window_size=(48, 48, 48))\n"
            "save_checkpoint(sys.argv[1], build_network(config), config, ModelIdentity('untrained-self-test', '0'))\n"
        )
        python = shutil.which("PythonSlicer") or sys.executable
        subprocess.run([python, "-c", script, str(folder)], check=True, cwd=Path(__file__).resolve().parent)
        return str(folder)
