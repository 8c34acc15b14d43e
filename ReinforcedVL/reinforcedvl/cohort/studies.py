"""The studies of a cohort: every volume file or DICOM folder in a folder, or the rows of a study list.

A study list is a CSV file without a header: ``study_id,image[,image...]`` per row, the images being the study's
channels in the model's order (e.g. FLAIR then T1c); relative paths start from the list's folder; rows starting with
``#`` are comments. Study ids name the output sub-folders, so they are letters, digits, ``.``, ``_`` and ``-``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError
from ..io.volume_io import file_format_of

__all__ = ["CohortStudy", "find_studies", "studies_in_folder", "studies_in_list"]

_STUDY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_LIST_SUFFIXES = (".csv", ".txt")


@dataclass(frozen=True)
class CohortStudy:
    """One study: its id (the output sub-folder's name) and its channels (volume files or DICOM folders)."""

    study_id: str
    images: tuple[Path, ...]


def find_studies(source: str | Path) -> list[CohortStudy]:
    """The studies a folder or a study list names, sorted by id.

    Raises:
        InputFileError: the source is missing, holds no study, or a list row is malformed; the message says which.
    """
    source = Path(source)
    if source.is_dir():
        studies = studies_in_folder(source)
    elif source.is_file() and source.suffix.lower() in _LIST_SUFFIXES:
        studies = studies_in_list(source)
    else:
        raise InputFileError(
            f"{source} is neither a folder of studies nor a study list (.csv or .txt). Pass a folder holding one "
            "volume file or DICOM folder per study, or a list with one 'study_id,image[,image...]' row per study."
        )
    if not studies:
        raise InputFileError(
            f"{source} names no study. Put volume files (.nii.gz, .nrrd, .mha) or DICOM folders in it."
        )
    return sorted(studies, key=lambda study: study.study_id)


def studies_in_folder(folder: Path) -> list[CohortStudy]:
    """One single-channel study per volume file or sub-folder (a DICOM series) of ``folder``."""
    studies = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        file_format = file_format_of(entry)
        if file_format is None:
            continue
        study_id = entry.name if entry.is_dir() else _without_suffix(entry)
        studies.append(CohortStudy(_checked_id(study_id, entry), (entry,)))
    _refuse_duplicates(studies, folder)
    return studies


def studies_in_list(path: Path) -> list[CohortStudy]:
    """The studies of a study list (format in the module docstring)."""
    studies = []
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            cells = [cell.strip() for cell in row]
            if not cells or not cells[0] or cells[0].startswith("#"):
                continue
            if len(cells) < 2 or not all(cells[1:]):
                raise InputFileError(
                    f"{path}, line {number}: expected 'study_id,image[,image...]', got {','.join(row)!r}."
                )
            images = tuple(image if image.is_absolute() else path.parent / image for image in map(Path, cells[1:]))
            studies.append(CohortStudy(_checked_id(cells[0], f"{path}, line {number}"), images))
    _refuse_duplicates(studies, path)
    return studies


def _without_suffix(path: Path) -> str:
    suffixes = "".join(path.suffixes[-2:]) if path.name.lower().endswith(".nii.gz") else path.suffix
    return path.name.removesuffix(suffixes)


def _checked_id(study_id: str, where: object) -> str:
    if not _STUDY_ID.fullmatch(study_id):
        raise InputFileError(
            f"{where}: the study id {study_id!r} cannot name a folder. Use letters, digits, '.', '_' and '-' only."
        )
    return study_id


def _refuse_duplicates(studies: list[CohortStudy], source: Path) -> None:
    seen: set[str] = set()
    for study in studies:
        if study.study_id in seen:
            raise InputFileError(f"{source} names the study {study.study_id!r} twice; give each study its own id.")
        seen.add(study.study_id)
