"""The panel's Accept / Reject / Save correction go through the logic (``captureFeedback`` then the sink's ``submit``)
into the engine's feedback store: tested on a real scene, with a DICOM patient in the subject hierarchy whose name
and ID must not reach the store, and with the store's folder and the annotator taken from Slicer's settings."""

from __future__ import annotations

import numpy as np
import pytest

from reinforcedvl.feedback.deidentification import patient_key, read_or_create_secret
from reinforcedvl.feedback.layout import SECRET_FILE
from ReinforcedVLLib.feedback_capture import captureFeedback, dicomPatientId
from ReinforcedVLLib.feedback_sink import (
    ANNOTATOR_SETTING,
    FEEDBACK_FOLDER_SETTING,
    FeedbackAction,
    FeedbackStoreSink,
    defaultFeedbackFolder,
)
from ReinforcedVLLib.scene_export import addFindingToScene
from scene_helpers import MODULE_FOLDER, make_outcome, slicer

PATIENT_NAME, PATIENT_ID = "JANCT000", "99000"


@pytest.fixture
def dicom_patient_finding(scene, synthetic_node, synthetic_study, tmp_path):
    """A finding on a volume that Slicer's DICOM loader would have put under a patient with a name and an ID."""
    hierarchy = slicer.vtkMRMLSubjectHierarchyNode.GetSubjectHierarchyNode(scene)
    patient = hierarchy.CreateSubjectItem(hierarchy.GetSceneItemID(), PATIENT_NAME)
    hierarchy.SetItemAttribute(patient, "DICOM.PatientID", PATIENT_ID)
    hierarchy.SetItemAttribute(patient, "DICOM.PatientName", PATIENT_NAME)
    study = hierarchy.CreateStudyItem(patient, "CT CHEST 20030417")
    hierarchy.CreateItem(study, synthetic_node)
    volume, labels = synthetic_study
    return addFindingToScene(synthetic_node, make_outcome(tmp_path / "01", volume, labels, "solid nodule", True))


class _Settings(dict):
    """``qt.QSettings`` as the sink reads it."""

    def value(self, key: str) -> str | None:
        return self.get(key)


def test_feedback_keeps_the_patient_only_as_a_keyed_hash(dicom_patient_finding, tmp_path):
    assert dicomPatientId(dicom_patient_finding.inputVolumeNode) == PATIENT_ID
    sink = FeedbackStoreSink(tmp_path / "store", annotator="reader-1")
    accepted = sink.store.get(sink.submit(captureFeedback(dicom_patient_finding, FeedbackAction.ACCEPT, rating=5)))
    rejected = sink.store.get(sink.submit(captureFeedback(dicom_patient_finding, FeedbackAction.REJECT)))
    secret = read_or_create_secret(sink.folder / SECRET_FILE)
    assert accepted.patient_key == rejected.patient_key == patient_key(secret, PATIENT_ID)
    for path in (p for p in sink.folder.rglob("*") if p.is_file()):
        content = path.read_bytes()
        for identifier in (PATIENT_NAME, PATIENT_ID, "20030417", "synthetic CT"):
            assert identifier.encode() not in content, f"{identifier} is stored in {path.name}"
    assert sink.store.check().consistent and len(sink.store.records()) == 2


def test_volumes_without_dicom_are_keyed_by_their_voxels(scene, synthetic_node, synthetic_study, tmp_path):
    volume, labels = synthetic_study
    first = addFindingToScene(synthetic_node, make_outcome(tmp_path / "01", volume, labels, "solid nodule", True))
    second = addFindingToScene(synthetic_node, make_outcome(tmp_path / "02", volume, labels, "calcified nodule", True))
    assert dicomPatientId(synthetic_node) is None
    sink = FeedbackStoreSink(tmp_path / "store")
    keys = {sink.store.get(sink.submit(captureFeedback(f, FeedbackAction.ACCEPT))).patient_key for f in (first, second)}
    assert len(keys) == 1  # the same series, so the same key: both land in the same split


# settings, expected folder (relative to tmp_path, None: the default), expected annotator (None: the login name)
SETTINGS_CASES = [
    ({FEEDBACK_FOLDER_SETTING: "site-store", ANNOTATOR_SETTING: "dr-a"}, "site-store", "dr-a"),
    ({}, None, None),
]


@pytest.mark.parametrize(("values", "folder", "annotator"), SETTINGS_CASES)
def test_where_the_store_lives_is_a_setting(values, folder, annotator, tmp_path, monkeypatch):
    monkeypatch.setenv("USER", "login-name")
    monkeypatch.setenv("LOGNAME", "login-name")
    settings = _Settings(values)
    if folder:
        settings[FEEDBACK_FOLDER_SETTING] = str(tmp_path / folder)
    sink = FeedbackStoreSink.fromSettings(settings)
    assert sink.folder == (tmp_path / folder if folder else defaultFeedbackFolder())
    assert sink.annotator == (annotator or "login-name")


def test_the_logic_feeds_the_store_named_by_the_settings():
    source = (MODULE_FOLDER / "ReinforcedVL.py").read_text(encoding="utf-8")
    assert "feedbackSink or FeedbackStoreSink.fromSettings(qt.QSettings())" in source
    assert "return self.feedbackSink.submit(captureFeedback(finding, action, rating=rating, comment=comment))" in source
    library = "".join(p.read_text(encoding="utf-8") for p in (MODULE_FOLDER / "ReinforcedVLLib").glob("*.py"))
    assert "JsonLines" not in source + library  # the placeholder store is gone


def test_a_judgement_the_store_refuses_leaves_no_staged_copy(tmp_path):
    """Staged files (a copy of the image) are removed with their folder whether the store takes the record or not."""
    from reinforcedvl.feedback import FeedbackStoreError
    from reinforcedvl.io import write_volume
    from reinforcedvl.volume import ScalarVolume
    from ReinforcedVLLib.feedback_sink import FeedbackRecord

    staging = tmp_path / "reinforcedvl-feedback-staged"
    staging.mkdir()
    image = write_volume(ScalarVolume(np.full((1, 8, 8, 4), 40.0, np.float32), np.eye(4)), staging / "image.nrrd")
    record = FeedbackRecord(
        action=FeedbackAction.ACCEPT, prompt="solid nodule", modelId="m", modelVersion="1", device="CPU",
        presentProbability=0.9, threshold=0.5, rating=9, comment="", createdAt="2026-01-01T00:00:00+00:00",
        imageFile=image, modelOutputFile=None, correctionFile=None, modality="CT",
    )  # fmt: skip
    sink = FeedbackStoreSink(tmp_path / "store")
    with pytest.raises(FeedbackStoreError, match="got 9"):
        sink.submit(record)
    assert not staging.exists() and sink.store.records() == []
