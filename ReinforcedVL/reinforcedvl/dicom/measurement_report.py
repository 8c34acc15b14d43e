"""DICOM SR measurement report (TID 1500, highdicom) of the lesions: per lesion a volumetric ROI group (TID 1411)
with its tracking identifiers, the DICOM SEG segment it measures, the finding type and site, the volume, long axis and
short axis, and, for a model's lesions, the model's confidence.

A finding the model did not assess (outside what its checkpoint was trained for) is one measurement group without a
region (TID 1501): its tracking identifier and finding type, the coded evaluation "Model assessment: Not assessed",
and the reason in plain words as a comment; no measurement and no segment, since nothing was drawn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import highdicom as hd
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code as DicomCode

from ..terminology import ANATOMICAL_STRUCTURE, Code, terminology_for_finding
from ..vocabulary import LesionKey
from .segmentation_export import UTF8, DicomWriter, dicom_code

__all__ = [
    "VOLUME",
    "LONG_AXIS",
    "SHORT_AXIS",
    "MILLILITER",
    "MODEL_ASSESSMENT",
    "NOT_ASSESSED",
    "COMMENT",
    "MeasuredLesion",
    "NotAssessedFinding",
    "build_measurement_report",
]

VOLUME = DicomCode("118565006", "SCT", "Volume")
LONG_AXIS = DicomCode("103339001", "SCT", "Long Axis")
SHORT_AXIS = DicomCode("103340004", "SCT", "Short Axis")
MILLILITER = DicomCode("ml", "UCUM", "milliliter")
MILLIMETER = DicomCode("mm", "UCUM", "millimeter")
MODEL_CONFIDENCE = DicomCode("confidence", "99REINFORCEDVL", "Model confidence")
"""The model's confidence in a lesion (0-1); a private code: no standard concept names a model's confidence."""
NO_UNITS = DicomCode("1", "UCUM", "no units")
MODEL_ASSESSMENT = DicomCode("assessment", "99REINFORCEDVL", "Model assessment")
"""Whether the model assessed a finding; private, like the confidence: no standard concept says it."""
NOT_ASSESSED = DicomCode("not_assessed", "99REINFORCEDVL", "Not assessed")
COMMENT = DicomCode("121106", "DCM", "Comment")


@dataclass(frozen=True)
class MeasuredLesion:
    """One lesion as the SR states it: where its segment is, what it is, where, and its sizes.

    ``finding_site`` is an anatomy code (organ, or the organ a prompt names), ``laterality`` the side's code.
    """

    segmentation: Dataset
    segment_number: int
    tracking_uid: str
    finding_type: Code
    finding_site: Code | None
    laterality: Code | None
    volume_ml: float
    long_axis_mm: float
    short_axis_mm: float
    tracking_id: str
    confidence: float | None = None

    @classmethod
    def from_entry(
        cls,
        entry: dict[str, Any],
        segmentation: Dataset,
        tracking_uid: str,
        finding_type: Code,
        prompt: str,
        *,
        tracking_id: str,
        with_confidence: bool = False,
    ) -> MeasuredLesion:
        """From a lesion's ``report.json`` entry: organ from the anatomy map, else an organ the prompt names; the
        entry's confidence when ``with_confidence`` (a model's lesion, not a user's mask)."""
        location = entry["description"]["location"]
        organ = location["organ"]
        site = _anatomy_code(organ["name"].replace("_", " ")) if organ else None
        site = site or next((code for word in prompt.split() if (code := _anatomy_code(word))), None)
        side = location["laterality"]
        laterality = terminology_for_finding(side).modifier if side in ("right", "left") else None
        return cls(
            segmentation,
            entry[LesionKey.ID],
            tracking_uid,
            finding_type,
            site,
            laterality,
            entry[LesionKey.VOLUME_ML],
            entry[LesionKey.LONG_AXIS_MM],
            entry[LesionKey.SHORT_AXIS_MM],
            tracking_id,
            float(entry[LesionKey.CONFIDENCE]) if with_confidence else None,
        )


@dataclass(frozen=True)
class NotAssessedFinding:
    """A finding the model did not assess: what was asked, its finding type, and the statement with its reason.

    ``statement`` is the report's plain words (``"Enhancing tumour: not assessed (this model was trained to find
    ...; this study shows the abdomen ...); nothing is drawn."``).
    """

    prompt: str
    finding_type: Code
    statement: str
    tracking_id: str


def build_measurement_report(
    source: list[Dataset],
    segmentations: Sequence[Dataset],
    lesions: Sequence[MeasuredLesion],
    writer: DicomWriter,
    *,
    modality: str,
    series_number: int,
    not_assessed: Sequence[NotAssessedFinding] = (),
) -> hd.sr.Comprehensive3DSR:
    """A Comprehensive 3D SR holding a TID 1500 measurement report, with the source images and SEGs as evidence:
    a group per lesion, then one per finding not assessed."""
    observer = hd.sr.ObserverContext(
        observer_type=codes.DCM.Device,
        observer_identifying_attributes=hd.sr.DeviceObserverIdentifyingAttributes(
            uid=hd.UID(),
            name=writer.algorithm or "ReinforcedVL measurements",
            manufacturer_name=writer.manufacturer,
            model_name=writer.model_name,
        ),
    )
    series_uid = source[0].SeriesInstanceUID
    groups: list[Any] = [_lesion_group(lesion, series_uid) for lesion in lesions]
    groups += [_not_assessed_group(finding) for finding in not_assessed]
    procedure = codes.LN.CTUnspecifiedBodyRegion if modality == "CT" else codes.LN.MRIUnspecifiedBodyRegion
    content = hd.sr.MeasurementReport(
        observation_context=hd.sr.ObservationContext(observer_device_context=observer),
        procedure_reported=procedure,
        imaging_measurements=groups,
        title=codes.cid7021.ImagingMeasurementReport,
    )
    return hd.sr.Comprehensive3DSR(
        evidence=[*source, *segmentations],
        content=content,
        series_instance_uid=hd.UID(),
        series_number=series_number,
        sop_instance_uid=hd.UID(),
        instance_number=1,
        manufacturer=writer.manufacturer,
        series_description="ReinforcedVL measurement report",
        specific_character_set=UTF8,
    )


def _lesion_group(lesion: MeasuredLesion, series_uid: str) -> hd.sr.VolumetricROIMeasurementsAndQualitativeEvaluations:
    """TID 1411 for one lesion."""
    sites = None
    if lesion.finding_site is not None:
        laterality = dicom_code(lesion.laterality) if lesion.laterality else None
        sites = [hd.sr.FindingSite(anatomic_location=dicom_code(lesion.finding_site), laterality=laterality)]
    return hd.sr.VolumetricROIMeasurementsAndQualitativeEvaluations(
        tracking_identifier=hd.sr.TrackingIdentifier(uid=lesion.tracking_uid, identifier=lesion.tracking_id),
        referenced_segment=hd.sr.ReferencedSegment(
            sop_class_uid=lesion.segmentation.SOPClassUID,
            sop_instance_uid=lesion.segmentation.SOPInstanceUID,
            segment_number=lesion.segment_number,
            source_series=hd.sr.SourceSeriesForSegmentation(series_uid),
        ),
        finding_type=dicom_code(lesion.finding_type),
        finding_sites=sites,
        measurements=[
            hd.sr.Measurement(name=VOLUME, value=lesion.volume_ml, unit=MILLILITER),
            hd.sr.Measurement(name=LONG_AXIS, value=lesion.long_axis_mm, unit=MILLIMETER),
            hd.sr.Measurement(name=SHORT_AXIS, value=lesion.short_axis_mm, unit=MILLIMETER),
            *(
                [hd.sr.Measurement(name=MODEL_CONFIDENCE, value=lesion.confidence, unit=NO_UNITS)]
                if lesion.confidence is not None
                else []
            ),
        ],
    )


def _not_assessed_group(finding: NotAssessedFinding) -> hd.sr.MeasurementsAndQualitativeEvaluations:
    """TID 1501 for a finding not assessed: no region, no measurement; the coded evaluation and the reason."""
    group = hd.sr.MeasurementsAndQualitativeEvaluations(
        tracking_identifier=hd.sr.TrackingIdentifier(uid=hd.UID(), identifier=finding.tracking_id),
        finding_type=dicom_code(finding.finding_type),
        qualitative_evaluations=[hd.sr.QualitativeEvaluation(MODEL_ASSESSMENT, NOT_ASSESSED)],
    )
    group[0].ContentSequence.append(
        hd.sr.TextContentItem(
            name=COMMENT, value=finding.statement, relationship_type=hd.sr.RelationshipTypeValues.CONTAINS
        )
    )
    return group


def _anatomy_code(words: str) -> Code | None:
    """The anatomy code that words name (``"lung"``, ``"kidney left"``), else None."""
    terminology = terminology_for_finding(words)
    return terminology.type if terminology.category == ANATOMICAL_STRUCTURE else None
