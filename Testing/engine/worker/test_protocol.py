"""The worker's JSON-lines protocol: requests and events survive a round trip; malformed lines are refused."""

from __future__ import annotations

import json
import re

import pytest

from reinforcedvl.vocabulary import lesion_segment_id
from reinforcedvl.worker.protocol import (
    EventKind,
    FindingOutcome,
    RequestError,
    RequestKind,
    WorkerEvent,
    WorkerRequest,
)

REQUESTS = [
    WorkerRequest(RequestKind.SET_VOLUME, "r1", {"paths": ["/tmp/a.nrrd", "/tmp/b.nrrd"], "modality": "MR"}),
    WorkerRequest(RequestKind.SEGMENT, "r2", {"prompt": "腫瘍周囲浮腫", "output_folder": "/tmp/o", "threshold": 0.4}),
    WorkerRequest(RequestKind.SEGMENT, "r4", {"prompt": "nodule", "output_folder": "/tmp/o", "lesion_confidence": 0.0}),
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


# line, the id the error answers (None: none usable), words of the message
MALFORMED = [
    ('{"type": "segment"}', None, "'type' and 'id'"),
    ('{"type": "explode", "id": "x"}', "x", "unknown request type 'explode' (known: set_volume, segment"),
    ("[1, 2]", None, "'type' and 'id'"),
    ("not json at all", None, "this one is not JSON"),
    ("[" * 100_000 + "]" * 100_000, None, "not JSON"),  # nested past the parser's recursion limit
    (b'{"type": "set_volume", "id": "a\xff\xfe"}'.decode("utf-8", "surrogateescape"), None, "UTF-8"),  # as read
    ('{"type": "set_volume", "id": true, "paths": ["a"]}', None, "'id' must be a non-empty string, got true/false"),
    ('{"type": "set_volume", "id": {"x": 1}, "paths": ["a"]}', None, "'id' must be a non-empty string, got an obj"),
    ('{"type": "set_volume", "id": "v", "paths": "notalist"}', "v", "'paths' must be a non-empty list of file pa"),
    ('{"type": "set_volume", "id": "v", "paths": []}', "v", "'paths' must be a non-empty list"),
    ('{"type": "set_volume", "id": "v", "paths": [3]}', "v", "'paths[0]' must be a string, got a number (3)"),
    ('{"type": "set_volume", "id": "v", "paths": ["a\\u0000b"]}', "v", "'paths[0]' must be a path"),
    ('{"type": "set_volume", "id": "v", "pathz": ["a"]}', "v", "unknown field(s) 'pathz'"),
    ('{"type": "set_volume", "id": "v", "paths": ["a"], "modality": 7}', "v", "'modality' must be a string"),
    ('{"type": "segment", "id": "s", "output_folder": "o"}', "s", "needs the field 'prompt'"),
    ('{"type": "segment", "id": "s", "prompt": ["nodule"], "output_folder": "o"}', "s", "'prompt' must be a string"),
    ('{"type": "segment", "id": "s", "prompt": "n", "output_folder": ""}', "s", "'output_folder' must be a path"),
    ('{"type": "segment", "id": "s", "prompt": "n", "output_folder": "o", "threshold": "0.5"}', "s", "a number"),
    ('{"type": "segment", "id": "s", "prompt": "n", "output_folder": "o", "threshold": NaN}', "s", "between 0 and 1"),
    ('{"type": "segment", "id": "s", "prompt": "n", "output_folder": "o", "threshold": true}', "s", "a number"),
    ('{"type": "segment", "id": "s", "prompt": "n", "output_folder": "o", "threshold": 1.5}', "s", "got 1.5"),
    ('{"type": "segment", "id": "s", "prompt": "n", "output_folder": "o", "language": "fr"}', "s", "got 'fr'"),
    ('{"type": "segment", "id": "s", "prompt": "n", "output_folder": "o", "lesion_confidence": 1.2}', "s", "got 1.2"),
    ('{"type": "segment", "id": "s", "prompt": "n", "output_folder": "o", "lesion_confidence": -0.1}', "s", "between"),
    ('{"type": "segment", "id": "s", "prompt": "n", "output_folder": "o", "lesion_confidence": "1"}', "s", "a number"),
    ('{"type": "segment", "id": "s", "prompt": "n", "output_folder": "o", "dicom": "yes"}', "s", "true or false"),
    ('{"type": "cancel", "id": "c", "request_id": "s"}', "c", "its fields are none besides 'type' and 'id'"),
]


@pytest.mark.parametrize(("line", "request_id", "message"), MALFORMED)
def test_malformed_requests_are_refused_with_what_is_wrong(line, request_id, message):
    with pytest.raises(RequestError, match=re.escape(message)) as refused:
        WorkerRequest.from_line(line)
    assert refused.value.request_id == request_id


def test_any_text_travels_as_one_ascii_line_for_the_worker_to_judge():
    request = WorkerRequest(RequestKind.SEGMENT, "s", {"prompt": "nodule \ud800 \x1b 腫瘍", "output_folder": "/tmp/o"})
    line = request.to_line()
    assert line.isascii() and line.count("\n") == 1 and WorkerRequest.from_line(line) == request
    event = WorkerEvent(EventKind.ERROR, "s", {"message": "refused 'nodule \ud800'"})
    assert event.to_line().isascii() and WorkerEvent.from_line(event.to_line()) == event


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
