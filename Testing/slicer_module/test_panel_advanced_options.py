"""The panel's Advanced options reach the worker and the result: the lesion confidence, driven as a user would
(``test_panel.py``'s fixture: the real worker with an untrained checkpoint)."""

from __future__ import annotations

import json

import pytest
from test_panel import WORKER_TIMEOUT_S, panel  # noqa: F401 (the fixture)

from reinforcedvl.vocabulary import DEFAULT_LESION_CONFIDENCE, FindingAttribute
from reinforcedvl.worker.client import WorkerClient
from reinforcedvl.worker.protocol import FINDING_FILE, RequestKind


def test_lesion_confidence_reaches_the_worker_request_and_the_result(panel, monkeypatch):  # noqa: F811
    ui, parameters = panel.ui, panel.widget._parameterNode
    assert parameters.lesionConfidence == DEFAULT_LESION_CONFIDENCE
    assert ui.lesionConfidenceSliderWidget.value == pytest.approx(DEFAULT_LESION_CONFIDENCE)
    ui.lesionConfidenceSliderWidget.value = 0.35  # the user moves the slider in Advanced
    assert parameters.lesionConfidence == pytest.approx(0.35)

    sent = []
    send = WorkerClient._send

    def recordingSend(self, kind, request_id=None, **data):
        sent.append((kind, data))
        return send(self, kind, request_id, **data)

    monkeypatch.setattr(WorkerClient, "_send", recordingSend)
    panel.type(ui.findingLineEdit, "solid lung nodule")
    panel.click(ui.segmentButton)
    panel.waitUntil(panel.idle, WORKER_TIMEOUT_S, "the segmentation")
    segments = [data for kind, data in sent if kind is RequestKind.SEGMENT]
    assert len(segments) == 1 and segments[0]["lesion_confidence"] == pytest.approx(0.35)

    finding = panel.widget.currentFinding()
    assert finding is not None and finding.attribute(FindingAttribute.LESION_CONFIDENCE) == "0.350"
    outputFolder = panel.widget.logic.session.workFolder / "findings" / "finding-001"
    written = json.loads((outputFolder / FINDING_FILE).read_text(encoding="utf-8"))
    assert written["lesion_confidence"] == pytest.approx(0.35)  # what the worker used, in its own words
    assert all(lesion["confidence"] >= 0.35 for lesion in written["lesions"])
