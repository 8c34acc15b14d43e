"""No patient identifier survives into the store: a record made from a DICOM series whose files carry a patient's
name, ID, dates and UIDs, then every byte the store holds searched for them. And the patient key: stable, keyed."""

from __future__ import annotations

import gzip
import multiprocessing

import numpy as np
import pydicom
import pytest

from geometry_helpers import ellipsoid_mask
from reinforcedvl.feedback import FeedbackAction, FeedbackStore, FeedbackSubmission
from reinforcedvl.feedback.deidentification import patient_key, read_or_create_secret
from reinforcedvl.io import read_image
from reinforcedvl.volume import LabelMap

IDENTIFYING_TAGS = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "StudyDate",
    "SeriesDate",
    "AcquisitionDate",
    "ContentDate",
    "StudyTime",
    "AccessionNumber",
    "StudyID",
    "InstitutionName",
    "ReferringPhysicianName",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "FrameOfReferenceUID",
    "SOPInstanceUID",
)


@pytest.fixture(scope="module")
def dicom_series(shared_data):
    return shared_data / "dcmqi_dicom_seg" / "ct-3slice"


def _identifiers(series) -> set[str]:
    """Every identifying value in the series' files (five characters or more, so that it is not found by chance)."""
    values = set()
    for path in sorted(series.iterdir()):
        dataset = pydicom.dcmread(path, stop_before_pixels=True)
        for tag in IDENTIFYING_TAGS:
            value = str(dataset.get(tag, "")).strip()
            if len(value) >= 5:
                values.add(value)
        values.add(path.name.removesuffix(".dcm") + ".dcm")
    return values | {series.name}


def test_a_dicom_derived_record_keeps_no_identifier(dicom_series, tmp_path):
    identifiers = _identifiers(dicom_series)
    assert {"99000", "JANCT000"} <= identifiers  # the series' patient (checked with pydicom above)
    image = read_image(dicom_series)
    assert image.source.modality == "CT" and image.source.paths
    lesion = ellipsoid_mask(image.spatial_shape, image.affine, image.voxel_to_ras([[256, 256, 1]])[0], (9, 9, 9))
    model = ellipsoid_mask(image.spatial_shape, image.affine, image.voxel_to_ras([[260, 256, 1]])[0], (8, 8, 8))
    store = FeedbackStore(tmp_path / "store")
    record = store.add(
        FeedbackSubmission(
            FeedbackAction.CORRECTION,
            image,
            "liver lesion",
            "untrained-test-model",
            "0.0.0",
            model_mask=LabelMap.on_grid(model.astype(np.uint8), image, "model"),
            corrected_mask=LabelMap.on_grid(lesion.astype(np.uint8), image, "reader"),
            annotator="reader-1",
        )
    )
    secret = read_or_create_secret(store.folder / "secret" / "patient-key")
    assert record.patient_key == patient_key(secret, "99000")  # keyed by the DICOM Patient ID, which is not kept

    stored_bytes = {}
    for path in sorted(p for p in store.folder.rglob("*") if p.is_file()):
        content = path.read_bytes()
        stored_bytes[path] = content
        if path.suffix == ".nrrd":  # the voxels too, decompressed
            header, _, payload = content.partition(b"\n\n")
            stored_bytes[path.with_suffix(".voxels")] = gzip.decompress(payload)
    assert any(path.name == "feedback.sqlite3" for path in stored_bytes)
    for identifier in sorted(identifiers):
        found = [path.name for path, content in stored_bytes.items() if identifier.encode() in content]
        assert not found, f"{identifier!r} is stored in {found}"

    copy = store.read_image(record)
    np.testing.assert_array_equal(copy.array, image.array)  # the voxels and the geometry, exactly
    np.testing.assert_allclose(copy.affine, image.affine, atol=1e-5)
    assert copy.source.file_format == "nrrd" and copy.source.modality is None and record.modality == "CT"


# identifier, same patient key as "LIDC-IDRI-0003"
KEY_CASES = [("LIDC-IDRI-0003", True), ("  LIDC-IDRI-0003 ", True), ("LIDC-IDRI-0004", False)]


@pytest.mark.parametrize(("identifier", "same"), KEY_CASES)
def test_patient_keys_are_stable_per_secret(identifier, same, tmp_path):
    secret = read_or_create_secret(tmp_path / "secret" / "patient-key")
    assert (patient_key(secret, identifier) == patient_key(secret, "LIDC-IDRI-0003")) is same
    other = read_or_create_secret(tmp_path / "elsewhere" / "patient-key")
    assert patient_key(other, identifier) != patient_key(secret, identifier)  # another store, another key
    assert "LIDC" not in patient_key(secret, identifier) and len(patient_key(secret, identifier)) == 24


def _read_secret(path, results) -> None:
    results.put(read_or_create_secret(path))


def test_processes_creating_the_secret_at_once_agree_on_one(tmp_path):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    path = tmp_path / "secret" / "patient-key"
    processes = [context.Process(target=_read_secret, args=(path, results)) for _ in range(4)]
    for process in processes:
        process.start()
    secrets = {results.get(timeout=60) for _ in processes}
    for process in processes:
        process.join(timeout=30)
    assert secrets == {path.read_bytes()} and len(path.read_bytes()) == 32
    assert oct(path.stat().st_mode & 0o777) == "0o600" and sorted(p.name for p in path.parent.iterdir()) == [path.name]
