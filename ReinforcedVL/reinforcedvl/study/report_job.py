"""The ``report`` job as one function: an image and a mask the user already has in, report files out.

Everything that can be checked is checked before any measurement runs: the output folder, the prompts and their
label values, the grids, and (when DICOM export is asked for) that the image came from a DICOM series.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from ..description import AnatomyTask
from ..dicom import DicomExportFiles, DicomExportUnavailable, DicomWriter, dicom_export_unavailable_reason, export_dicom
from ..errors import InputFileError, OutputExistsError
from ..io import check_output_folder, read_image, read_label_map, staged_output
from ..report.builder import build_report, finding_from_mask
from ..report.document import GroundedReport
from ..report.files import REPORT_FILES, write_report_files
from ..report.polish import Rewriter, polish_report
from ..vocabulary import Language
from ..volume import check_image_values, check_same_grid

if TYPE_CHECKING:
    from ..vocabulary import Modality

__all__ = ["ReportStudyResult", "report_study"]

DICOM_FOLDER = "dicom"


@dataclass(frozen=True)
class ReportStudyResult:
    """What ``report_study`` wrote: the report, its two files, and the DICOM files when asked for."""

    report: GroundedReport
    markdown: Path
    json: Path
    dicom: DicomExportFiles | None


def report_study(
    images: Sequence[str | Path],
    mask: str | Path,
    prompts: Sequence[str],
    out_dir: str | Path,
    *,
    labels: Sequence[Sequence[int]] | None = None,
    language: Language = "en",
    anatomy: str | Path | None = None,
    anatomy_task: AnatomyTask | None = None,
    modality: Modality | None = None,
    dicom: bool = False,
    rewriter: Rewriter | None = None,
    overwrite: bool = False,
) -> ReportStudyResult:
    """Report on a label map the user drew or edited: ``report.md``, ``report.json`` and optionally DICOM.

    Args:
        images: the study's channels, each a volume file or DICOM series folder.
        mask: a label map on the image's grid.
        prompts: one finding description per finding.
        out_dir: output folder, created if needed.
        labels: for each prompt, the mask's label values that show it (``[[4], [2]]`` for BraTS enhancing tumour
            and oedema); None with one prompt takes every non-zero voxel.
        language: ``"en"`` or ``"ja"``.
        anatomy: an anatomy label map (TotalSegmentator numbering) in the same physical space, any grid.
        anatomy_task: the anatomy map's numbering; None picks it from the modality.
        modality: CT or MR; None detects it.
        dicom: also write a DICOM SEG per finding and a DICOM SR under ``out_dir/dicom`` (DICOM input only).
        rewriter: an optional language-model rewriter; its text is kept only when every number and side matches.
        overwrite: replace an earlier report in ``out_dir``.

    Everything is written into a staging folder and moved into ``out_dir`` once complete: a run that fails (an
    unreadable mask, a DICOM export that cannot be built) leaves ``out_dir`` as it was.

    Raises:
        InputFileError: prompts and label lists do not pair up, an unreadable file, a mask that is not a label map,
            or a label value the mask does not hold.
        UnsupportedVolumeError: the image holds NaN or infinite voxels, or is blank.
        OutputExistsError: ``out_dir`` already holds a report and ``overwrite`` is False.
        OutputFolderError: ``out_dir`` cannot be made or written.
        DicomExportUnavailable: ``dicom`` was asked for and the image is not a DICOM series.
        GridMismatchError: the mask is not on the image's grid.
    """
    if labels is None and len(prompts) > 1:
        raise InputFileError(
            f"{len(prompts)} prompts were given for one mask: say which label values each prompt shows "
            "(--label 4 --label 2 for two prompts), or report one prompt at a time."
        )
    if labels is not None and len(labels) != len(prompts):
        raise InputFileError(
            f"{len(prompts)} prompts but {len(labels)} label lists: give one --label per --prompt, in the same order."
        )
    out_dir = Path(out_dir)
    _refuse_existing(out_dir, overwrite, dicom)
    check_output_folder(out_dir)
    volume = read_image(images)
    check_image_values(volume)
    if dicom and (reason := dicom_export_unavailable_reason(volume)) is not None:
        raise DicomExportUnavailable(reason)
    label_map = read_label_map(mask)
    check_same_grid([volume, label_map], "image and mask")
    anatomy_map = read_label_map(anatomy) if anatomy is not None else None
    findings = [
        finding_from_mask(label_map, prompt, labels=None if labels is None else labels[index])
        for index, prompt in enumerate(prompts)
    ]
    report = build_report(
        volume,
        findings,
        language,
        anatomy_map,
        anatomy_task=anatomy_task,
        modality=modality,
        channel_names=[Path(image).name for image in images],
    )
    if rewriter is not None:
        report = polish_report(report, rewriter)
    with staged_output(out_dir) as staging:
        markdown, json_path = write_report_files(report, staging)
        exported = (
            export_dicom(volume, findings, report, staging / DICOM_FOLDER, writer=DicomWriter(software_version()))
            if dicom
            else None
        )
    dicom_files = _moved(exported, staging, out_dir)
    return ReportStudyResult(report, out_dir / markdown.name, out_dir / json_path.name, dicom_files)


def _moved(exported: DicomExportFiles | None, staging: Path, out_dir: Path) -> DicomExportFiles | None:
    """The DICOM files' paths once moved from the staging folder into ``out_dir``."""
    if exported is None:
        return None

    def moved(path: Path) -> Path:
        return out_dir / path.relative_to(staging)

    report_path = exported.measurement_report
    return DicomExportFiles(
        tuple(moved(path) for path in exported.segmentations), None if report_path is None else moved(report_path)
    )


def _refuse_existing(out_dir: Path, overwrite: bool, dicom: bool) -> None:
    """Fail before any work when earlier results would be replaced without ``overwrite``."""
    names = [*REPORT_FILES, DICOM_FOLDER] if dicom else list(REPORT_FILES)
    existing = [name for name in names if (out_dir / name).exists()]
    if existing and not overwrite:
        raise OutputExistsError(
            f"{out_dir} already holds {', '.join(existing)}. Choose another --out folder, or pass --overwrite to "
            "replace them."
        )


def software_version() -> str:
    """The installed ReinforcedVL's version, as DICOM objects name their software."""
    try:
        return version("reinforcedvl")
    except PackageNotFoundError:
        return "unknown"
