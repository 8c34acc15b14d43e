"""DICOM SEG of one finding's lesions (highdicom): segment n is lesion n, with its colour, coded type and tracking
identifiers, on the frames of the source series."""

from __future__ import annotations

from dataclasses import dataclass

import highdicom as hd
import numpy as np
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code as DicomCode

from ..lesions import Lesion
from ..terminology import Code, SegmentTerminology
from ..volume import LabelMap

__all__ = ["UTF8", "DicomWriter", "dicom_code", "tracking_identifier", "build_segmentation"]

UTF8 = "ISO_IR 192"
"""Character set of the objects we write: prompts and names may hold any script (some sources leave it empty)."""


@dataclass(frozen=True)
class DicomWriter:
    """Who wrote the objects: software version, and the algorithm (model id and its version; None for a user's mask,
    whose segments are MANUAL). ``content_creator`` is the SEG's Content Creator's Name (Type 2): the person for a
    user's mask, else the software."""

    software_version: str
    algorithm: str | None = None
    algorithm_version: str | None = None
    manufacturer: str = "ReinforcedVL developers"
    model_name: str = "ReinforcedVL"
    content_creator: str = "ReinforcedVL"


def tracking_identifier(finding_number: int, lesion_id: int, prompt: str) -> str:
    """A lesion's Tracking Identifier, unique across the findings of one export and naming its finding (LO: 64)."""
    return f"Finding {finding_number} lesion {lesion_id}: {prompt}"[:64]


def dicom_code(code: Code) -> DicomCode:
    """One of our codes as pydicom's."""
    return DicomCode(code.value, code.scheme, code.meaning)


def build_segmentation(
    source: list[Dataset],
    lesion_map: LabelMap,
    lesions: tuple[Lesion, ...],
    terminology: SegmentTerminology,
    writer: DicomWriter,
    *,
    tracking_uids: dict[int, str],
    series_number: int,
    prompt: str,
    finding_number: int = 1,
) -> hd.seg.Segmentation:
    """A binary DICOM SEG with one segment per lesion (segment number = lesion id = label value).

    Args:
        source: the source series, slice k of ``lesion_map`` on dataset k.
        lesion_map: the lesions on the source series' grid.
        lesions: the lesions, ids 1..n.
        terminology: what the segments show (category, type, laterality).
        writer: software and algorithm; manual segments when ``writer.algorithm`` is None.
        tracking_uids: lesion id -> tracking UID (shared with the SR).
        series_number: the new series' number.
        prompt: the finding description, kept as the SEG's content description.
        finding_number: the finding's number in its export (for tracking identifiers unique across findings).
    """
    frames = np.ascontiguousarray(lesion_map.array[0].transpose(2, 1, 0)).astype(np.uint16)  # (K, rows J, cols I)
    algorithm = (
        None
        if writer.algorithm is None
        else hd.AlgorithmIdentificationSequence(
            name=writer.algorithm,
            family=codes.cid7162.ArtificialIntelligence,
            version=writer.algorithm_version or writer.software_version,
        )
    )
    descriptions = [
        hd.seg.SegmentDescription(
            segment_number=lesion.lesion_id,
            segment_label=f"Lesion {lesion.lesion_id} ({lesion.color.name})",
            segmented_property_category=dicom_code(terminology.category),
            segmented_property_type=dicom_code(terminology.type),
            algorithm_type="MANUAL" if algorithm is None else "AUTOMATIC",
            algorithm_identification=algorithm,
            tracking_uid=tracking_uids[lesion.lesion_id],
            tracking_id=tracking_identifier(finding_number, lesion.lesion_id, prompt),
            display_color=hd.color.CIELabColor.from_rgb(*(round(c * 255) for c in lesion.color.rgb)),
        )
        for lesion in lesions
    ]
    return hd.seg.Segmentation(
        source_images=source,
        pixel_array=frames,
        segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=descriptions,
        series_instance_uid=hd.UID(),
        series_number=series_number,
        sop_instance_uid=hd.UID(),
        instance_number=1,
        manufacturer=writer.manufacturer,
        manufacturer_model_name=writer.model_name,
        software_versions=writer.software_version,
        device_serial_number="0",
        content_description=prompt[:64],
        content_label="LESIONS",
        content_creator_name=writer.content_creator,
        series_description=f"ReinforcedVL SEG: {prompt}"[:64],
        specific_character_set=UTF8,
    )
