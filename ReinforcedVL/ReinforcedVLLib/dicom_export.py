"""DICOM SEG and SR of a finding, from the panel: the model's own lesions (segments AUTOMATIC, the model named as
Algorithm Identification) and an SR with their measurements and the model's confidences.

A DICOM SEG must reference the images it was drawn on, so the worker answers the finding again on the DICOM series
the input volume was loaded from (its files in Slicer's DICOM database), with the finding's own model, threshold,
lesion confidence, modality and points, and writes the objects (``segment`` with ``dicom``). They are then copied
into the folder the user chose, never over a file there without asking: before the model runs (files named as the
export's are there already) and again before copying (files that appeared since).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import slicer

from reinforcedvl.errors import ReinforcedVLError
from reinforcedvl.vocabulary import DICOM_SEG_FILE, DICOM_SR_FILE

__all__ = [
    "DICOM_INSTANCE_UIDS_ATTRIBUTE",
    "dicomExportUnavailableReason",
    "dicomSourceFiles",
    "filesAnExportWouldReplace",
    "copyExportedFiles",
]

DICOM_INSTANCE_UIDS_ATTRIBUTE = "DICOM.instanceUIDs"
"""The volume-node attribute Slicer's DICOM module sets: the SOP Instance UIDs of the loaded images."""


def dicomExportUnavailableReason(volumeNode) -> str | None:
    """Why a finding on ``volumeNode`` cannot be exported as DICOM (shown as the button's tooltip), or None."""
    if volumeNode is None:
        return "The finding's input volume is no longer in the scene."
    if not (volumeNode.GetAttribute(DICOM_INSTANCE_UIDS_ATTRIBUTE) or "").split():
        return (
            f"'{volumeNode.GetName()}' was not loaded from DICOM, and a DICOM SEG and SR must reference the images "
            "they were measured on: load the study with the DICOM module (Add DICOM Data), segment it, and export "
            "again; Save report... keeps the report of any volume."
        )
    return None


def dicomSourceFiles(volumeNode) -> list[Path]:
    """The DICOM files ``volumeNode`` was loaded from, found in Slicer's DICOM database by their instance UIDs.

    Raises:
        ReinforcedVLError: the volume is not from DICOM, or its files are no longer where the database says.
    """
    reason = dicomExportUnavailableReason(volumeNode)
    if reason is not None:
        raise ReinforcedVLError(reason)
    uids = volumeNode.GetAttribute(DICOM_INSTANCE_UIDS_ATTRIBUTE).split()
    database = getattr(slicer, "dicomDatabase", None)
    files = [database.fileForInstance(uid) if database is not None else "" for uid in uids]
    missing = [uid for uid, file in zip(uids, files, strict=True) if not file or not Path(file).is_file()]
    if missing:
        raise ReinforcedVLError(
            f"{len(missing)} of the {len(uids)} DICOM files of '{volumeNode.GetName()}' are not in Slicer's DICOM "
            "database or not on the disk any more (e.g. a removable disk, or the database was cleared): import the "
            "study again (Add DICOM Data) and export again."
        )
    return [Path(file) for file in files]


def filesAnExportWouldReplace(folder: Path) -> list[Path]:
    """The files in ``folder`` that exporting one finding would write over (its SEG and the SR)."""
    names = (DICOM_SEG_FILE.format(number=1), DICOM_SR_FILE)
    return [Path(folder) / name for name in names if (Path(folder) / name).exists()]


def copyExportedFiles(
    files: Sequence[Path],
    folder: Path,
    confirmReplace: Callable[[list[Path]], bool],
    replaceable: Sequence[Path] = (),
) -> list[Path] | None:
    """Copy ``files`` into ``folder``; where some are there already and not in ``replaceable`` (the user agreed to
    replace those), only if ``confirmReplace(those)`` says yes.

    Returns the files written, or None when the user declined (nothing written).
    """
    folder = Path(folder)
    targets = [folder / Path(file).name for file in files]
    existing = [target for target in targets if target.exists() and target not in set(replaceable)]
    if existing and not confirmReplace(existing):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    for source, target in zip(files, targets, strict=True):
        shutil.copyfile(source, target)
    return targets
