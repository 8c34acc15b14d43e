"""What of a study may enter the feedback store: voxels and geometry, and a patient key nobody can turn back into
the patient's identifier without the store's secret.

The image copy keeps the array and the voxel-to-RAS affine only: no file names, series UIDs, DICOM tags or names.
The patient key is ``HMAC-SHA256(secret, identifier)`` truncated to 24 hexadecimal digits, where ``secret`` is 32
random bytes made when the store is created (``<store>/secret/patient-key``, readable by its owner only). The same
patient always gets the same key in one store, which is what splitting by patient needs. Someone holding the exported
data cannot reverse it; someone holding the secret too can test a guessed identifier, so the store folder is to be
kept as private as the scans (exports never contain the secret).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import numpy as np

from ..volume import LabelMap, ScalarVolume
from .database import FeedbackStoreError
from .durable_files import sync_folder

__all__ = [
    "deidentified_image",
    "deidentified_mask",
    "read_or_create_secret",
    "secret_problem",
    "patient_key",
    "dicom_patient_id",
    "voxel_reference",
]

_SECRET_BYTES = 32
_KEY_DIGITS = 24


def deidentified_image(volume: ScalarVolume) -> ScalarVolume:
    """A copy holding only ``volume``'s voxels (float32) and affine: no source files, no name."""
    return ScalarVolume(np.array(volume.array, dtype=np.float32), volume.affine.copy(), None, "image")


def deidentified_mask(mask: LabelMap) -> LabelMap:
    """A copy holding only ``mask``'s labels and affine."""
    return LabelMap(np.array(mask.array), mask.affine.copy(), None, "mask")


def read_or_create_secret(path: Path, *, store_has_records: bool = False) -> bytes:
    """The store's secret key, made on first use (mode 0600, in a folder of mode 0700).

    Two processes creating it at once agree on one: each writes a candidate and links it into place, and the link
    fails for the second, which then reads the first one's.

    Args:
        path: the secret's file.
        store_has_records: the store already holds records, so a missing secret is a lost one (a new one would
            give known patients new keys, and could put one patient in both splits): refused, never made anew.

    Raises:
        FeedbackStoreError: the secret is damaged, unreadable, or missing from a store that has records.
    """
    if path.exists() or store_has_records:
        return _read_secret(path)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        candidate = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(descriptor, secrets.token_bytes(_SECRET_BYTES))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass  # another process made the secret first: everyone uses that one
        finally:
            candidate.unlink()
        sync_folder(path.parent)
    except OSError as error:
        raise FeedbackStoreError(
            f"The feedback store's secret key {path} could not be made ({error}). Choose a store folder you can write."
        ) from None
    return _read_secret(path)


def secret_problem(path: Path, *, store_has_records: bool) -> str | None:
    """What is wrong with the store's secret key, in words with what to do; None when it is sound (or not made yet
    in a store without records)."""
    if not path.exists() and not store_has_records:
        return None
    try:
        _read_secret(path)
    except FeedbackStoreError as error:
        return str(error)
    return None


def _read_secret(path: Path) -> bytes:
    restore = (
        "Restore it from a backup of the store: without it, new records of known patients get new keys (and one "
        "patient could end up in both the training and the held-out split). With no backup, start a new store "
        "(--store, or the ReinforcedVL/FeedbackFolder setting) and keep this one's exports as they are."
    )
    try:
        secret = path.read_bytes()
    except FileNotFoundError:
        raise FeedbackStoreError(
            f"The feedback store's secret key {path} is missing, but the store holds records. {restore}"
        ) from None
    except OSError as error:
        raise FeedbackStoreError(f"The feedback store's secret key {path} cannot be read ({error}).") from None
    if len(secret) != _SECRET_BYTES:
        raise FeedbackStoreError(
            f"The feedback store's secret key {path} holds {len(secret)} bytes, not {_SECRET_BYTES}: it is damaged. "
            f"{restore}"
        )
    return secret


def patient_key(secret: bytes, identifier: str) -> str:
    """The keyed hash of a patient identifier (white space at the ends ignored)."""
    return hmac.new(secret, identifier.strip().encode("utf-8"), hashlib.sha256).hexdigest()[:_KEY_DIGITS]


def dicom_patient_id(volume: ScalarVolume) -> str | None:
    """The Patient ID (0010,0020) of the DICOM series ``volume`` was read from; None for other sources."""
    source = volume.source
    if source is None or source.file_format != "dicom" or not source.paths:
        return None
    import pydicom

    dataset = pydicom.dcmread(source.paths[0], stop_before_pixels=True, specific_tags=["PatientID"])
    value = str(dataset.get("PatientID", "")).strip()
    return value or None


def voxel_reference(volume: ScalarVolume) -> str:
    """A stand-in identifier when no patient identifier is known: the hash of the voxels and the affine (the same
    series always gets the same key; other series of the same patient do not)."""
    digest = hashlib.sha256(np.ascontiguousarray(volume.array).tobytes())
    digest.update(np.ascontiguousarray(volume.affine, dtype=np.float64).tobytes())
    return "voxels:" + digest.hexdigest()
