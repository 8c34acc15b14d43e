"""The Slicer side of the worker: input nodes out as NRRD files, requests in, results into the scene.

One session keeps one worker process (and so one model on its device) for as long as the model and device choice
stay the same; a volume is sent and preprocessed once and every finding asked about it after that reuses it. All
calls return at once: a GUI polls :meth:`InferenceSession.poll` from a timer; scripts and tests use
:meth:`InferenceSession.segmentAndWait`.

Example:
    >>> session = InferenceSession(Path(slicer.app.temporaryPath) / "ReinforcedVL")  # doctest: +SKIP
    >>> finding = session.segmentAndWait(volumeNode, "solid lung nodule", modelId=modelId)  # doctest: +SKIP
    >>> finding.segmentationNode.GetSegmentation().GetNumberOfSegments()  # doctest: +SKIP
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import slicer

from reinforcedvl.errors import ReinforcedVLError
from reinforcedvl.worker.client import WorkerClient, WorkerError
from reinforcedvl.worker.protocol import EventKind, FindingOutcome, WorkerEvent

from .dicom_export import copyExportedFiles
from .finding_nodes import FindingNodes
from .prompt_markups import recordSpatialPrompts
from .scene_export import addFindingToScene
from .volume_bridge import ijkToRasArray, writeVolumeNode

__all__ = ["SegmentationJob", "InferenceSession"]


@dataclass(frozen=True)
class SegmentationJob:
    """One finding asked about one volume: the worker requests it took, and where the answer goes."""

    inputVolumeNodeID: str
    prompt: str
    segmentRequestId: str
    volumeRequestId: str | None
    outputFolder: Path
    spatialPrompts: dict | None = None
    exportFolder: Path | None = None
    """Where the user asked the DICOM SEG and SR to go (a DICOM export job), else None."""
    replaceable: tuple[Path, ...] = ()
    """Files in ``exportFolder`` the user agreed to replace when the export started."""

    @property
    def requestIds(self) -> tuple[str, ...]:
        return tuple(i for i in (self.volumeRequestId, self.segmentRequestId) if i is not None)


class InferenceSession:
    """A worker process and the files it exchanges with Slicer, under ``workFolder``.

    Args:
        workFolder: where input volumes and results are written (a temporary folder).
        pythonExecutable: the Python to run the worker with (in Slicer, ``PythonSlicer``); default this process's.
        extraPaths: folders to put on the worker's ``PYTHONPATH`` (where the engine's dependencies are installed).
    """

    def __init__(
        self, workFolder: Path, *, pythonExecutable: str | None = None, extraPaths: Sequence[Path] = ()
    ) -> None:
        self.workFolder = Path(workFolder)
        self.pythonExecutable = pythonExecutable
        self.extraPaths = tuple(extraPaths)
        self.client: WorkerClient | None = None
        self._volumeKey: tuple | None = None
        self._volumeRequestId: str | None = None
        self._jobCount = 0

    @property
    def deviceDescription(self) -> str | None:
        """Where the model runs (``"GPU: ..."`` or ``"CPU (...)"``), once the worker is ready."""
        return self.client.ready.data["device"] if self.client and self.client.ready else None

    def startSegmentation(
        self,
        volumeNode: slicer.vtkMRMLScalarVolumeNode,
        finding: str,
        *,
        modelId: str,
        forceCPU: bool = False,
        threshold: float | None = None,
        secondChannelNode: slicer.vtkMRMLScalarVolumeNode | None = None,
        modality: str = "auto",
        reportLanguage: str = "en",
        spatialPrompts: dict | None = None,
        lesionConfidence: float | None = None,
    ) -> SegmentationJob:
        """Ask the worker (started or restarted as needed) about ``finding`` in ``volumeNode``; returns at once.

        ``reportLanguage`` is ``"en"`` or ``"ja"``; the volume node's name heads the report. ``spatialPrompts``
        (:func:`.prompt_markups.spatialPromptsFromNodes`) say where to look; asked again with one more point on
        the same volume, the worker computes only the windows the new point needs. ``lesionConfidence`` (0-1):
        lesions less confident are neither drawn nor reported (None: the engine's default).

        Raises:
            WorkerError: the worker could not be started.
            OSError: the volume could not be written for the worker.
        """
        client = self._workerFor(modelId, "cpu" if forceCPU else "auto")
        volumeRequestId = None
        key = _volumeKey(volumeNode, secondChannelNode, modality)
        if key != self._volumeKey:
            paths = self._writeVolumes([volumeNode, secondChannelNode] if secondChannelNode else [volumeNode])
            volumeRequestId = client.set_volume(paths, modality=modality, name=volumeNode.GetName())
            self._volumeKey, self._volumeRequestId = key, volumeRequestId
        self._jobCount += 1
        outputFolder, segmentRequestId = self._askSegment(
            client, finding, threshold, reportLanguage, spatialPrompts, lesionConfidence, dicom=False
        )
        return SegmentationJob(
            volumeNode.GetID(), finding, segmentRequestId, volumeRequestId, outputFolder, spatialPrompts
        )

    def _askSegment(
        self,
        client: WorkerClient,
        finding: str,
        threshold: float | None,
        reportLanguage: str,
        spatialPrompts: dict | None,
        lesionConfidence: float | None,
        *,
        dicom: bool,
    ) -> tuple[Path, str]:
        """The current job's output folder and the id of the worker's segment request writing into it."""
        outputFolder = self.workFolder / "findings" / f"finding-{self._jobCount:03d}"
        requestId = client.segment(
            finding,
            outputFolder,
            threshold=threshold,
            language=reportLanguage,
            spatial_prompts=spatialPrompts,
            lesion_confidence=lesionConfidence,
            dicom=dicom,
        )
        return outputFolder, requestId

    def startDicomExport(
        self,
        volumeNode: slicer.vtkMRMLScalarVolumeNode,
        finding: str,
        sourceFiles: Sequence[Path],
        exportFolder: Path,
        *,
        modelId: str,
        forceCPU: bool = False,
        threshold: float | None = None,
        modality: str = "auto",
        reportLanguage: str = "en",
        spatialPrompts: dict | None = None,
        lesionConfidence: float | None = None,
        replaceable: Sequence[Path] = (),
    ) -> SegmentationJob:
        """Ask the worker about ``finding`` on the DICOM series ``sourceFiles`` (copied into the session's folder)
        and to write its DICOM SEG and SR; :meth:`finishDicomExport` copies them into ``exportFolder``, replacing
        the files of ``replaceable`` there without asking again."""
        client = self._workerFor(modelId, "cpu" if forceCPU else "auto")
        self._jobCount += 1
        series = self.workFolder / "dicom-series" / f"series-{self._jobCount:03d}"
        series.mkdir(parents=True)
        for index, path in enumerate(sourceFiles):
            shutil.copyfile(path, series / f"{index:05d}.dcm")
        volumeRequestId = client.set_volume([series], modality=modality, name=volumeNode.GetName())
        self._volumeKey, self._volumeRequestId = None, volumeRequestId  # the scene's volume is sent again next time
        outputFolder, segmentRequestId = self._askSegment(
            client, finding, threshold, reportLanguage, spatialPrompts, lesionConfidence, dicom=True
        )
        return SegmentationJob(
            volumeNode.GetID(),
            finding,
            segmentRequestId,
            volumeRequestId,
            outputFolder,
            spatialPrompts,
            exportFolder=Path(exportFolder),
            replaceable=tuple(replaceable),
        )

    @staticmethod
    def finishDicomExport(
        job: SegmentationJob, event: WorkerEvent, confirmReplace: Callable[[list[Path]], bool]
    ) -> list[Path] | None:
        """Copy a DICOM export job's SEG and SR into its folder (asking before replacing a file there); the files
        written, or None when the user declined.

        Raises:
            ReinforcedVLError: the worker failed, or found no lesion to write (its message says what to do).
        """
        if event.kind is not EventKind.RESULT:
            raise ReinforcedVLError(event.message or f"The worker answered {event.kind.value}.")
        outcome = FindingOutcome.from_dict(event.data)
        if not outcome.dicom_files:
            raise ReinforcedVLError(
                f"The model drew no lesion for '{outcome.prompt}' on the DICOM series, so there is no DICOM SEG or SR "
                "to write."
            )
        return copyExportedFiles(outcome.dicom_files, job.exportFolder, confirmReplace, job.replaceable)

    def poll(self) -> list[WorkerEvent]:
        """The worker's events since the last call (progress, results, errors, a crash)."""
        if self.client is None:
            return []
        events = self.client.poll()
        for event in events:
            self._forgetVolumeIfLost(event)
        return events

    @staticmethod
    def endsJob(job: SegmentationJob, event: WorkerEvent) -> bool:
        """Whether ``event`` is the last one ``job`` gets (its result, or an error, cancellation or crash)."""
        if event.kind in (EventKind.CRASHED, EventKind.EXITED):
            return True
        if event.kind is EventKind.ERROR and event.request_id is None:
            return True  # the model did not load: the worker says why, then exits
        if event.request_id not in job.requestIds:
            return False
        return event.kind is EventKind.RESULT or event.kind in (EventKind.ERROR, EventKind.CANCELLED)

    def finishJob(self, job: SegmentationJob, event: WorkerEvent, scene: slicer.vtkMRMLScene) -> FindingNodes:
        """Put a ``result`` event's finding into ``scene``.

        Raises:
            ReinforcedVLError: the event is an error, a cancellation or a crash (its message says what to do).
        """
        if event.kind is not EventKind.RESULT:
            raise ReinforcedVLError(event.message or f"The worker answered {event.kind.value}.")
        volumeNode = scene.GetNodeByID(job.inputVolumeNodeID)
        if volumeNode is None:
            raise ReinforcedVLError(
                f"The input volume of '{job.prompt}' was removed from the scene while the model ran; load it again "
                "and press Segment."
            )
        outcome = FindingOutcome.from_dict(event.data)
        finding = addFindingToScene(volumeNode, outcome)
        recordSpatialPrompts(finding, outcome.spatial_prompts)
        return finding

    def kill(self) -> None:
        """End the worker at once (a worker that does not answer a cancel); the next request starts a new one."""
        if self.client is not None:
            self.client.kill()
        self.stop()

    def cancel(self, job: SegmentationJob) -> None:
        """Ask the worker to stop ``job``; a ``cancelled`` event follows."""
        if self.client is not None and self.client.is_running:
            for requestId in job.requestIds:
                self.client.cancel(requestId)

    def segmentAndWait(
        self,
        volumeNode: slicer.vtkMRMLScalarVolumeNode,
        finding: str,
        *,
        modelId: str,
        timeoutSeconds: float = 3600.0,
        onEvent: Callable[[WorkerEvent], None] | None = None,
        **options: object,
    ) -> FindingNodes:
        """:meth:`startSegmentation`, wait for the answer and put it in the scene (for scripts and tests).

        Raises:
            ReinforcedVLError: the worker reported an error, was cancelled or stopped, or did not answer in time.
        """
        job = self.startSegmentation(volumeNode, finding, modelId=modelId, **options)  # type: ignore[arg-type]
        deadline = time.monotonic() + timeoutSeconds
        while time.monotonic() < deadline:
            event = self.client.next_event(max(deadline - time.monotonic(), 0.0))  # type: ignore[union-attr]
            if event is None:
                break
            self._forgetVolumeIfLost(event)
            if onEvent is not None:
                onEvent(event)
            if self.endsJob(job, event):
                return self.finishJob(job, event, volumeNode.GetScene())
        raise WorkerError(f"No answer about '{finding}' within {timeoutSeconds:.0f} s; the worker may be stuck.")

    def stop(self) -> None:
        """Stop the worker and delete the session's files."""
        if self.client is not None:
            self.client.stop()
            self.client = None
        self._volumeKey = None
        shutil.rmtree(self.workFolder, ignore_errors=True)

    def _forgetVolumeIfLost(self, event: WorkerEvent) -> None:
        """After a crash, or a volume the worker could not take, send the volume again next time."""
        lost = event.kind in (EventKind.ERROR, EventKind.CANCELLED) and event.request_id == self._volumeRequestId
        if lost or event.kind in (EventKind.CRASHED, EventKind.EXITED):
            self._volumeKey = None

    def _workerFor(self, modelId: str, device: str) -> WorkerClient:
        """The running worker if it has this model on this device; else a new one (the old one is stopped)."""
        client = self.client
        if client is not None and client.is_running and (client.model, client.device) == (modelId, device):
            return client
        if client is not None:
            client.stop()
        self._volumeKey = None
        self.client = WorkerClient(
            model=modelId, device=device, python=self.pythonExecutable, extra_paths=self.extraPaths
        )
        self.client.start()
        return self.client

    def _writeVolumes(self, nodes: Sequence[slicer.vtkMRMLScalarVolumeNode]) -> list[Path]:
        """Write the channels for the worker, replacing the volume sent before."""
        folder = self.workFolder / "volume"
        shutil.rmtree(folder, ignore_errors=True)
        return [writeVolumeNode(node, folder / f"channel-{index}.nrrd") for index, node in enumerate(nodes)]


def _volumeKey(
    volumeNode: slicer.vtkMRMLScalarVolumeNode, secondChannelNode: slicer.vtkMRMLScalarVolumeNode | None, modality: str
) -> tuple:
    """What identifies the voxels the worker has: nodes, their voxel data's modification time, geometry, modality."""
    parts: list[object] = [modality]
    for node in (volumeNode, secondChannelNode):
        if node is not None:
            imageData = node.GetImageData()
            parts += [node.GetID(), imageData.GetMTime() if imageData else 0, ijkToRasArray(node).round(6).tobytes()]
    return tuple(parts)
