"""Writing the DICOM SEG and SR files of a grounded report."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import highdicom as hd

from ..report.builder import ReportFinding
from ..report.document import GroundedReport
from ..report.sentences import not_assessed_sentence
from ..terminology import terminology_for_finding
from ..vocabulary import DICOM_SEG_FILE, DICOM_SR_FILE
from ..volume import ScalarVolume, check_same_grid
from .measurement_report import MeasuredLesion, NotAssessedFinding, build_measurement_report
from .segmentation_export import DicomWriter, build_segmentation, tracking_identifier
from .source_series import DicomExportUnavailable, read_source_series

__all__ = ["DicomExportFiles", "export_dicom"]

# New series get numbers well above the scanner's own.
_FIRST_SERIES_NUMBER = 9100


@dataclass(frozen=True)
class DicomExportFiles:
    """The files written: one DICOM SEG per present finding, and the SR (None when no lesion was found and every
    finding was assessed)."""

    segmentations: tuple[Path, ...]
    measurement_report: Path | None


def export_dicom(
    volume: ScalarVolume,
    findings: Sequence[ReportFinding],
    report: GroundedReport,
    out_dir: str | Path,
    *,
    writer: DicomWriter,
) -> DicomExportFiles:
    """Write ``seg_NN.dcm`` per finding with lesions and ``sr.dcm`` under ``out_dir``.

    The SR states every lesion's measurements and every finding that was not assessed, with its reason (no SEG and
    no measurement for it: nothing was drawn); it is written when there is either.

    Args:
        volume: the image, read from a DICOM series.
        findings: the findings the report was built from (same order as ``report.findings``).
        report: the report; the SR states its measurements.
        out_dir: output folder, created if needed.
        writer: software version and algorithm (None algorithm: the user's own mask, manual segments).

    Raises:
        DicomExportUnavailable: the volume was not read from a DICOM series (the message says why).
        GridMismatchError: a lesion map is not on the volume's grid.
    """
    source = read_source_series(volume)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    segmentation_paths, segmentations, measured, not_assessed = [], [], [], []
    for index, (finding, summary) in enumerate(zip(findings, report.findings, strict=True), start=1):
        if not finding.assessed:
            not_assessed.append(
                NotAssessedFinding(
                    finding.prompt,
                    terminology_for_finding(finding.prompt).type,
                    not_assessed_sentence(finding.prompt, finding.reason, "en"),
                    tracking_id=f"Finding {index}: {finding.prompt}",
                )
            )
            continue
        if not finding.lesions:
            continue
        check_same_grid([volume, finding.lesion_map], "image and lesion map")
        terminology = terminology_for_finding(finding.prompt)
        tracking = {lesion.lesion_id: str(hd.UID()) for lesion in finding.lesions}
        with _source_problems_explained(volume):
            segmentation = build_segmentation(
                source,
                finding.lesion_map,
                finding.lesions,
                terminology,
                writer,
                tracking_uids=tracking,
                series_number=_FIRST_SERIES_NUMBER + index,
                prompt=finding.prompt,
                finding_number=index,
            )
        path = out_dir / DICOM_SEG_FILE.format(number=index)
        segmentation.save_as(path)
        segmentation_paths.append(path)
        segmentations.append(segmentation)
        measured += [
            MeasuredLesion.from_entry(
                entry,
                segmentation,
                tracking[entry["id"]],
                terminology.type,
                finding.prompt,
                tracking_id=tracking_identifier(index, entry["id"], finding.prompt),
                with_confidence=writer.algorithm is not None,
            )
            for entry in summary.lesions
        ]
    if not segmentations and not not_assessed:
        return DicomExportFiles((), None)
    with _source_problems_explained(volume):
        measurement_report = build_measurement_report(
            source,
            segmentations,
            measured,
            writer,
            modality=report.modality,
            series_number=_FIRST_SERIES_NUMBER,
            not_assessed=not_assessed,
        )
    report_path = out_dir / DICOM_SR_FILE
    measurement_report.save_as(report_path)
    return DicomExportFiles(tuple(segmentation_paths), report_path)


@contextmanager
def _source_problems_explained(volume: ScalarVolume) -> Iterator[None]:
    """highdicom copies attributes from the source series and checks them: one it lacks (AttributeError) or holds in
    a form it rejects (ValueError, TypeError) is a problem of the series, explained as such."""
    try:
        yield
    except (AttributeError, ValueError, TypeError) as error:
        raise DicomExportUnavailable(
            f"A DICOM SEG or SR could not be built on the DICOM series of {volume.name}: {error}. The series lacks an "
            "attribute they copy or holds it in a form the standard does not allow; export the series again from the "
            "scanner or PACS, or leave out --dicom (report.md and report.json do not need it)."
        ) from None
