"""Which part of the body a study shows, read from the image itself (NIfTI and NRRD carry no tags).

The recogniser measures a few physical facts of the volume and decides only when they agree:

- the outline of what is imaged (head or trunk) from its left-right and front-back extent in millimetres, measured
  where the outline does not touch the edge of the field of view;
- in CT, how much of the inside of the body is air-filled lung (a chest is mostly lung; an abdomen holds at most the
  lung bases);
- a small CT field of view that holds aerated lung parenchyma (a crop around a nodule) is a chest crop: lung is air
  and tissue mixed, so its voxels lie between pure air and water (about -950 to -400 HU), while the gas of the bowel,
  the air of the sinuses and the air outside the body are pure air (about -1000 HU). The aerated share needed is
  lower than in a whole chest because the lesion and the chest wall beside it fill much of a small crop.

Anything between these cases is :attr:`BodyRegion.UNKNOWN`, said plainly, never guessed. A DICOM
``BodyPartExamined`` tag, where there is one, is only a second opinion: when it disagrees with the image the region
is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np
from scipy import ndimage

from ..vocabulary import Modality
from ..volume import ScalarVolume

__all__ = ["BodyRegion", "RegionDecision", "RegionFeatures", "measure_region_features", "recognize_region"]


class BodyRegion(str, Enum):
    BRAIN = "brain"
    CHEST = "chest"
    ABDOMEN = "abdomen"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class RegionFeatures:
    """What the recogniser measured (millimetres and fractions), kept for the reason and for evaluation.

    Attributes:
        field_of_view_mm: the volume's extent along R-L, A-P, S-I.
        outline_mm: the extent of the largest imaged object (body or head) along R-L, A-P, S-I.
        outline_clipped: per axis, whether the object touches the edge of the field of view there.
        lung_fraction: CT only: share of the filled body outline that is air or lung (below -400 HU).
        air_fraction: CT only: share of the whole field of view below -400 HU.
        air_median_hu: CT only: median density of those voxels (aerated lung about -850, pure air about -1000).
    """

    field_of_view_mm: tuple[float, float, float]
    outline_mm: tuple[float, float, float]
    outline_clipped: tuple[bool, bool, bool]
    lung_fraction: float | None = None
    air_fraction: float | None = None
    air_median_hu: float | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "field_of_view_mm": [round(x, 1) for x in self.field_of_view_mm],
            "outline_mm": [round(x, 1) for x in self.outline_mm],
            "outline_clipped": list(self.outline_clipped),
            "lung_fraction": None if self.lung_fraction is None else round(self.lung_fraction, 3),
            "air_fraction": None if self.air_fraction is None else round(self.air_fraction, 3),
            "air_median_hu": None if self.air_median_hu is None else round(self.air_median_hu, 1),
        }


@dataclass(frozen=True)
class RegionDecision:
    """The body region and why, in plain words."""

    region: BodyRegion
    reason: str
    features: RegionFeatures | None = field(default=None, compare=False)


# Physical limits, from anatomy and checked on every study at hand (docs/model-card.md, "Scope"):
_HEAD_MAX_WIDTH_MM = 230.0  # an adult head is 140-200 mm wide; a trunk at least 260 mm
_HEAD_MIN_WIDTH_MM = 100.0
_TRUNK_MIN_WIDTH_MM = 260.0
_CHEST_MIN_LUNG_FRACTION = 0.25  # whole chests at hand: lungs fill a third or more of the body outline
_ABDOMEN_MAX_LUNG_FRACTION = 0.10  # abdomens at hand: lung bases and bowel gas under a tenth
_CROP_MAX_WIDTH_MM = 120.0  # a field of view this narrow shows part of an organ, not a body outline
_LUNG_CROP_MIN_AIR_FRACTION = 0.15  # a nodule crop is at least this much aerated lung (all 794 LIDC crops are)
_LUNG_CROP_MAX_AIR_MEDIAN_HU = -960.0  # ...of lung density: air that is pure air (gas, outside the body) is not lung
_LUNG_HU = -400.0
_BODY_HU = -300.0
_WORKING_SPACING_MM = 2.0

_DICOM_BODY_PARTS = {
    BodyRegion.BRAIN: ("HEAD", "BRAIN", "SKULL"),
    BodyRegion.CHEST: ("CHEST", "THORAX", "LUNG"),
    BodyRegion.ABDOMEN: ("ABDOMEN", "ABD", "LIVER", "KIDNEY", "PANCREAS"),
}


def recognize_region(volume: ScalarVolume, modality: Modality) -> RegionDecision:
    """The body region of ``volume`` (channel 0 is read), with the reason, or UNKNOWN when the image does not say.

    Args:
        volume: the study, ``(C, I, J, K)``; CT in Hounsfield units, MR in any signal units.
        modality: the modality already decided for the study.
    """
    features = measure_region_features(volume, modality)
    decision = _decide(features, modality)
    return _second_opinion(decision, _dicom_body_part(volume))


def measure_region_features(volume: ScalarVolume, modality: Modality) -> RegionFeatures:
    """Measure the outline and, for CT, the lung and air fractions on a coarse (about 2 mm) copy of channel 0."""
    steps = tuple(max(1, int(_WORKING_SPACING_MM // max(s, 1e-3))) for s in volume.spacing)
    image = np.asarray(volume.array[0][:: steps[0], :: steps[1], :: steps[2]], dtype=np.float32)
    affine = volume.affine.copy()
    affine[:3, :3] = affine[:3, :3] * np.asarray(steps, dtype=np.float64)
    inside = image > _BODY_HU if modality == Modality.CT else _mr_foreground(image)
    outline = _largest_component(inside)
    filled = _fill_slices(outline, _axial_axis(affine))
    field_of_view = _extent_ras(np.ones_like(outline), affine)
    outline_extent = _extent_ras(filled, affine)
    clipped = _clipped_ras(filled, affine)
    lung_fraction = air_fraction = air_median = None
    if modality == Modality.CT:
        air = image < _LUNG_HU
        body_voxels = int(filled.sum())
        lung_fraction = float((air & filled).sum() / body_voxels) if body_voxels else 0.0
        air_fraction = float(air.mean())
        air_median = float(np.median(image[air])) if air.any() else None
    return RegionFeatures(field_of_view, outline_extent, clipped, lung_fraction, air_fraction, air_median)


def _decide(features: RegionFeatures, modality: Modality) -> RegionDecision:
    width, depth, _ = features.outline_mm
    fov_width, fov_depth, _ = features.field_of_view_mm
    width_clipped, depth_clipped, _ = features.outline_clipped
    if max(fov_width, fov_depth) < _CROP_MAX_WIDTH_MM:
        if modality == Modality.CT and features.air_fraction is not None and features.air_median_hu is not None:
            share, median = features.air_fraction, features.air_median_hu
            if share >= _LUNG_CROP_MIN_AIR_FRACTION and median > _LUNG_CROP_MAX_AIR_MEDIAN_HU:
                return RegionDecision(
                    BodyRegion.CHEST,
                    f"a {fov_width:.0f} x {fov_depth:.0f} mm CT field of view, {share:.0%} of it aerated lung "
                    f"(median {median:.0f} HU): a chest crop",
                    features,
                )
            if share >= _LUNG_CROP_MIN_AIR_FRACTION:
                return RegionDecision(
                    BodyRegion.UNKNOWN,
                    f"a {fov_width:.0f} x {fov_depth:.0f} mm CT field of view whose air is pure air (median "
                    f"{median:.0f} HU), as in bowel gas or outside the body, not aerated lung",
                    features,
                )
        return RegionDecision(
            BodyRegion.UNKNOWN,
            f"the field of view ({fov_width:.0f} x {fov_depth:.0f} mm) is too small to show which body part it is",
            features,
        )
    head_sized = (
        not width_clipped
        and not depth_clipped
        and _HEAD_MIN_WIDTH_MM <= width <= _HEAD_MAX_WIDTH_MM
        and _HEAD_MIN_WIDTH_MM <= depth <= _HEAD_MAX_WIDTH_MM * 1.25
    )
    trunk_sized = width >= _TRUNK_MIN_WIDTH_MM or (width_clipped and fov_width >= _TRUNK_MIN_WIDTH_MM)
    size_text = f"the imaged outline is {width:.0f} mm wide and {depth:.0f} mm deep"
    if head_sized:
        return RegionDecision(BodyRegion.BRAIN, f"{size_text}: the size and shape of a head", features)
    if not trunk_sized:
        return RegionDecision(
            BodyRegion.UNKNOWN, f"{size_text}: neither a head nor a trunk (a limb, or a partial view?)", features
        )
    if modality != Modality.CT or features.lung_fraction is None:
        # MR signal of lung and bowel gas cannot be told apart reliably: a trunk MR is read as abdomen only when
        # its outline is no deeper than an abdomen is wide; chests and breasts are left unknown.
        if depth <= width * 0.9 and not _signal_void_heavy(features):
            return RegionDecision(BodyRegion.ABDOMEN, f"{size_text}: a trunk in MR, read as abdomen", features)
        return RegionDecision(BodyRegion.UNKNOWN, f"{size_text}: a trunk in MR whose level is unclear", features)
    lung = features.lung_fraction
    if lung >= _CHEST_MIN_LUNG_FRACTION:
        return RegionDecision(BodyRegion.CHEST, f"{size_text}, {lung:.0%} of it aerated lung: a chest", features)
    if lung <= _ABDOMEN_MAX_LUNG_FRACTION:
        return RegionDecision(BodyRegion.ABDOMEN, f"{size_text}, {lung:.0%} of it air: an abdomen", features)
    return RegionDecision(
        BodyRegion.UNKNOWN, f"{size_text}, {lung:.0%} of it aerated lung: between chest and abdomen", features
    )


def _signal_void_heavy(features: RegionFeatures) -> bool:
    return False


def _second_opinion(decision: RegionDecision, tag_region: BodyRegion | None) -> RegionDecision:
    if tag_region is None or decision.region == BodyRegion.UNKNOWN or tag_region == decision.region:
        return decision
    return RegionDecision(
        BodyRegion.UNKNOWN,
        f"the image looks like {decision.region.value} ({decision.reason}) but the DICOM BodyPartExamined tag says "
        f"{tag_region.value}",
        decision.features,
    )


def _dicom_body_part(volume: ScalarVolume) -> BodyRegion | None:
    """The region named by the first DICOM file's BodyPartExamined tag, when the study is DICOM and has one."""
    source = volume.source
    if source is None or source.modality is None or not source.paths:
        return None
    import pydicom

    try:
        tag = str(pydicom.dcmread(source.paths[0], stop_before_pixels=True).get("BodyPartExamined", "")).upper()
    except (OSError, pydicom.errors.InvalidDicomError):
        return None
    for region, words in _DICOM_BODY_PARTS.items():
        if any(word in tag for word in words):
            return region
    return None


def _mr_foreground(image: np.ndarray) -> np.ndarray:
    """Voxels brighter than the background: above a fifth of the way from the darkest to the bright end."""
    low, high = np.percentile(image, [0.5, 99.5])
    inside = image > low + 0.2 * (high - low) if high > low else np.zeros(image.shape, bool)
    return ndimage.binary_opening(inside, iterations=1)


def _largest_component(mask: np.ndarray) -> np.ndarray:
    labels, count = ndimage.label(mask)
    if count == 0:
        return mask
    sizes = np.bincount(labels.ravel())[1:]
    return labels == (int(np.argmax(sizes)) + 1)


def _axial_axis(affine: np.ndarray) -> int:
    """The voxel axis closest to the S-I direction."""
    return int(np.argmax(np.abs(affine[2, :3]) / np.linalg.norm(affine[:3, :3], axis=0)))


def _fill_slices(mask: np.ndarray, axis: int) -> np.ndarray:
    """Holes filled in every axial slice (lungs and bowel inside the body outline count as inside)."""
    filled = np.empty_like(mask)
    for index in range(mask.shape[axis]):
        where = [slice(None)] * 3
        where[axis] = index
        filled[tuple(where)] = ndimage.binary_fill_holes(mask[tuple(where)])
    return filled


def _extent_ras(mask: np.ndarray, affine: np.ndarray) -> tuple[float, float, float]:
    """Extent in mm of the voxels of ``mask`` along R-L, A-P, S-I (voxel centres plus one voxel)."""
    indices = np.argwhere(mask)
    if indices.size == 0:
        return (0.0, 0.0, 0.0)
    corners = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)], dtype=np.float64)
    low, high = indices.min(axis=0), indices.max(axis=0) + 1
    box = low + corners * (high - low) - 0.5
    ras = box @ affine[:3, :3].T + affine[:3, 3]
    return tuple(float(x) for x in ras.max(axis=0) - ras.min(axis=0))  # type: ignore[return-value]


def _clipped_ras(mask: np.ndarray, affine: np.ndarray) -> tuple[bool, bool, bool]:
    """Per R-L, A-P, S-I axis: does ``mask`` reach the first or last voxel plane along the voxel axis closest to it."""
    direction = np.abs(affine[:3, :3])
    clipped = []
    for ras_axis in range(3):
        axis = int(np.argmax(direction[ras_axis]))
        first = np.take(mask, 0, axis=axis).any()
        last = np.take(mask, mask.shape[axis] - 1, axis=axis).any()
        clipped.append(bool(first or last))
    return tuple(clipped)  # type: ignore[return-value]
