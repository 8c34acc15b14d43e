"""The whole flow as the module runs it, on the bundled LIDC sample in a real scene with a real worker process
(an untrained checkpoint: this checks the mechanics, not what a trained model finds; its lesions are not confident,
so the requests that need lesions keep every one with lesion confidence 0)."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from reinforcedvl.errors import ReinforcedVLError
from reinforcedvl.worker.protocol import EventKind
from ReinforcedVLLib.finding_nodes import findingReports
from ReinforcedVLLib.inference_session import InferenceSession
from scene_helpers import slicer

TIMEOUT_S = 900


@pytest.fixture
def session(tmp_path):
    session = InferenceSession(tmp_path / "work")
    yield session
    session.stop()


def _run(session, job):
    """Poll as the module's timer does, until the job's last event."""
    seen = []
    while True:
        event = session.client.next_event(TIMEOUT_S)
        assert event is not None, "the worker did not answer"
        seen.append(event)
        if session.endsJob(job, event):
            return event, seen


def test_segment_twice_on_the_sample_the_volume_sent_once(session, sample_node, scene, untrained_checkpoint):
    model = str(untrained_checkpoint)
    first = session.startSegmentation(
        sample_node, "solid lung nodule", modelId=model, threshold=0.45, lesionConfidence=0.0
    )
    event, seen = _run(session, first)
    assert first.volumeRequestId is not None and event.kind is EventKind.RESULT
    assert any(e.kind is EventKind.VOLUME_SET and e.data["modality"] == "CT" for e in seen)
    assert session.deviceDescription.startswith("CPU")
    finding = session.finishJob(first, event, scene)
    assert finding.inputVolumeNode is sample_node and finding.prompt == "solid lung nodule"
    assert float(finding.reportNode.GetAttribute("ReinforcedVL.threshold")) == pytest.approx(0.45)
    evidence = slicer.util.arrayFromVolume(finding.evidenceNode)
    assert evidence.shape == slicer.util.arrayFromVolume(sample_node).shape and evidence.dtype == np.uint8

    second = session.startSegmentation(sample_node, "ground-glass lung nodule", modelId=model, lesionConfidence=0.0)
    assert second.volumeRequestId is None  # the worker still has the volume
    event, _ = _run(session, second)
    session.finishJob(second, event, scene)
    assert [report.GetAttribute("ReinforcedVL.prompt") for report in findingReports(scene)] == [
        "solid lung nodule",
        "ground-glass lung nodule",
    ]

    slicer.util.updateVolumeFromArray(sample_node, slicer.util.arrayFromVolume(sample_node) + np.float32(1))
    third = session.startSegmentation(sample_node, "lung nodule", modelId=model)
    assert third.volumeRequestId is not None  # edited voxels are sent again
    session.cancel(third)
    event, _ = _run(session, third)
    assert event.kind in (EventKind.CANCELLED, EventKind.RESULT)  # a small volume may finish before the cancel


def test_a_worker_crash_is_reported_and_the_next_request_starts_a_new_worker(
    session, sample_node, scene, always_present
):
    model = str(always_present)  # calls every finding present, so the new worker's answer has its evidence map
    job = session.startSegmentation(sample_node, "lung nodule", modelId=model, lesionConfidence=0.0)
    assert session.client.wait_until_ready(TIMEOUT_S).kind is EventKind.READY
    os.kill(session.client.pid, signal.SIGKILL)
    event, _ = _run(session, job)
    assert event.kind is EventKind.CRASHED
    with pytest.raises(ReinforcedVLError, match="stopped unexpectedly .* your scene is unaffected"):
        session.finishJob(job, event, scene)
    finding = session.segmentAndWait(
        sample_node, "lung nodule", modelId=model, lesionConfidence=0.0, timeoutSeconds=TIMEOUT_S
    )
    assert finding.prompt == "lung nodule" and finding.evidenceNode is not None
