"""The worker's JSON-lines protocol: requests and events survive a round trip; malformed lines are refused."""

from __future__ import annotations

import json

import pytest

from reinforcedvl.vocabulary import lesion_segment_id
from reinforcedvl.worker.protocol import EventKind, FindingOutcome, RequestKind, WorkerEvent, WorkerRequest

REQUESTS = [
    WorkerRequest(RequestKind.SET_VOLUME, "r1", {"paths": ["/tmp/a.nrrd", "/tmp/b.nrrd"], "modality": "MR"}),
    WorkerRequest(RequestKind.SEGMENT, "r2", {"prompt": "腫瘍周囲浮腫", "output_folder": "/tmp/o", "threshold": 0.4}),
    WorkerRequest(RequestKind.CANCEL, "r2"),
    WorkerRequest(RequestKind.SHUTDOWN, "r3"),
]
EVENTS = [
    WorkerEvent(EventKind.READY, None, {"device": "CPU (2 threads)", "is_gpu": False, "model": {"id": "m"}}),
    WorkerEvent(EventKind.PROGRESS, "r2", {"stage": "segmenting", "done": 3, "total": 18}),
    WorkerEvent(EventKind.ERROR, "r2", {"kind": "input", "message": "The finding description is empty."}),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: r.kind.value)
def test_requests_round_trip_as_one_line(request_):
    line = request_.to_line()
    assert line.endswith("\n") and line.count("\n") == 1
    assert WorkerRequest.from_line(line) == request_


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.kind.value)
def test_events_round_trip_as_one_line(event):
    assert WorkerEvent.from_line(event.to_line()) == event


@pytest.mark.parametrize(
    ("line", "message"),
    [('{"type": "segment"}', "'type' and 'id'"), ('{"type": "explode", "id": "x"}', "explode"), ("[1, 2]", "JSON")],
)
def test_malformed_requests_are_refused(line, message):
    with pytest.raises(ValueError, match=message):
        WorkerRequest.from_line(line)


def test_final_events_are_the_ones_that_end_a_request():
    assert {kind for kind in EventKind if kind.ends_request} == {
        EventKind.VOLUME_SET,
        EventKind.RESULT,
        EventKind.ERROR,
        EventKind.CANCELLED,
    }


def test_finding_outcome_reads_a_finding_document(tmp_path):
    document = {
        "prompt": "solid lung nodule",
        "present": True,
        "present_probability": 0.91,
        "lesions": [
            {
                "id": 1,
                "color_name": "yellow",
                "voxels": 412,
                "volume_ml": 0.69,
                "long_axis_mm": 12.9,
                "short_axis_mm": 10.8,
                "centroid_ras": [47.4, 30.2, -169.6],
                "confidence": 0.88,
            }
        ],
        "model": {"id": "reinforcedvl-starter", "version": "0.1.0"},
        "device": "GPU: NVIDIA H100 (80 GB)",
        "seconds": 1.25,
        "finished_at": "2026-01-02T03:04:05+00:00",
        "threshold": 0.5,
        "modality": "CT",
        "segmentation": "lesions.seg.nrrd",
        "labelmap": "lesions.nrrd",
        "evidence": "evidence.nrrd",
        "report": {"markdown": "## Solid lung nodule\n", "data": {"sentences": []}},
    }
    (tmp_path / "finding.json").write_text(json.dumps(document), encoding="utf-8")
    outcome = FindingOutcome.from_folder(tmp_path)
    assert outcome.segmentation_file == tmp_path / "lesions.seg.nrrd"
    assert outcome.lesions[0].centroid_ras == (47.4, 30.2, -169.6)
    assert (outcome.model_id, outcome.model_version) == ("reinforcedvl-starter", "0.1.0")
    assert outcome.present_probability == 0.91 and outcome.device == "GPU: NVIDIA H100 (80 GB)"
    assert lesion_segment_id(outcome.lesions[0].lesion_id) == "lesion_1"
