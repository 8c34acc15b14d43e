"""Where a region lies in the patient: side (right / left / midline / both), part of the scanned body, organ.

RAS x grows towards the patient's right, so the side is the sign of the region's offset from the patient's midline.
The midline is estimated once per volume, in this order:

1. from an anatomy map: the median x of midline structures (spinal cord, vertebrae, sacrum, sternum, trachea,
   oesophagus) when it has any;
2. from the image, when its field of view is at least :data:`BODY_FIELD_OF_VIEW_MM` wide (a whole head, chest or
   abdomen): the median x of the body's voxels (CT: above :data:`CT_BODY_HU`; MR: differing from the corners' value
   by more than a tenth of the 1st-99th percentile range);
3. otherwise (a small crop): the scanner's x = 0, which on most scanners is close to the table's centre.

The part of the body (upper / lower, anterior / posterior) is given only in case 2, relative to the body's extent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..volume import LabelMap, ScalarVolume, Volume
from .anatomy import AnatomyTable, OrganOverlap, organ_overlap

__all__ = [
    "BODY_FIELD_OF_VIEW_MM",
    "CT_BODY_HU",
    "MIDLINE_BAND_MM",
    "BILATERAL_SHARE",
    "Laterality",
    "Midline",
    "Location",
    "estimate_midline",
    "locate_region",
]

BODY_FIELD_OF_VIEW_MM = 150.0
CT_BODY_HU = -500.0
MIDLINE_BAND_MM = 5.0
"""A region whose centre lies within this distance of the midline is called midline."""
BILATERAL_SHARE = 0.2
"""A region with at least this fraction of its voxels on each side of the midline is called bilateral."""
_PART_THRESHOLDS = (0.4, 0.6)  # below 40 % of the body's extent: lower / posterior; above 60 %: upper / anterior

Laterality = Literal["right", "left", "midline", "bilateral"]
MidlineSource = Literal["anatomy map", "body outline", "scanner origin"]
_MIDLINE_STRUCTURES = ("spinal_cord", "vertebrae", "sacrum", "sternum", "trachea", "esophagus")


@dataclass(frozen=True)
class Midline:
    """The patient's midline as a RAS x coordinate, how it was found, and the body's extent when known.

    ``body_range_ras`` is ``((y_min, y_max), (z_min, z_max))`` of the body in RAS mm, None for small crops.
    """

    x_ras: float
    source: MidlineSource
    body_range_ras: tuple[tuple[float, float], tuple[float, float]] | None = None


@dataclass(frozen=True)
class Location:
    """Where one region lies, with the numbers behind each word.

    Attributes:
        laterality: right, left, midline or bilateral.
        offset_mm: the region's centroid x minus the midline x (positive: towards the patient's right).
        right_share: fraction of the region's voxels right of the midline.
        midline: the midline used.
        vertical: ``"upper"``, ``"middle"`` or ``"lower"`` part of the body in view (None for crops).
        depth: ``"anterior"``, ``"central"`` or ``"posterior"`` (None for crops).
        organ: the anatomy map's verdict, None without an anatomy map.
    """

    laterality: Laterality
    offset_mm: float
    right_share: float
    midline: Midline
    vertical: Literal["upper", "middle", "lower"] | None
    depth: Literal["anterior", "central", "posterior"] | None
    organ: OrganOverlap | None

    def to_dict(self) -> dict[str, object]:
        organ = self.organ
        return {
            "laterality": self.laterality,
            "offset_from_midline_mm": round(self.offset_mm, 2),
            "right_share": round(self.right_share, 4),
            "midline_x_ras": round(self.midline.x_ras, 2),
            "midline_source": self.midline.source,
            "vertical": self.vertical,
            "depth": self.depth,
            "organ": None
            if organ is None or organ.organ is None
            else {"label": organ.organ.label, "name": organ.organ.name, "share": round(organ.share, 4)},
            "outside_anatomy_share": None if organ is None else round(organ.outside_share, 4),
        }


def estimate_midline(
    image: ScalarVolume | None, *, is_ct: bool, anatomy: LabelMap | None = None, table: AnatomyTable | None = None
) -> Midline:
    """The patient's midline for one volume (see the module notes for the order of the rules)."""
    body = _body_range(image, is_ct) if image is not None else None
    if anatomy is not None and table is not None:
        midline_labels = [
            label
            for label, entry in table.classes.items()
            if any(entry.name.startswith(structure) for structure in _MIDLINE_STRUCTURES)
        ]
        selected = np.isin(anatomy.array[0], midline_labels)
        if selected.any():
            x = anatomy.voxel_to_ras(np.argwhere(selected))[:, 0]
            return Midline(float(np.median(x)), "anatomy map", body[1] if body else None)
    if body is not None:
        return Midline(body[0], "body outline", body[1])
    return Midline(0.0, "scanner origin")


def locate_region(
    mask: np.ndarray,
    grid: Volume,
    midline: Midline,
    *,
    anatomy: LabelMap | None = None,
    table: AnatomyTable | None = None,
) -> Location:
    """Side, part of the body and organ of a non-empty region ``(I, J, K)`` on ``grid``.

    When the anatomy map puts the region in a paired organ (``kidney_left``), the organ's side is used.
    """
    points = grid.voxel_to_ras(np.argwhere(mask))
    centroid = points.mean(axis=0)
    offset = float(centroid[0] - midline.x_ras)
    right_share = float(np.mean(points[:, 0] > midline.x_ras))
    organ = organ_overlap(mask, grid, anatomy, table) if anatomy is not None and table is not None else None
    laterality: Laterality
    if organ is not None and organ.organ is not None and organ.organ.side is not None:
        laterality = organ.organ.side
    elif min(right_share, 1.0 - right_share) >= BILATERAL_SHARE:
        laterality = "bilateral"
    elif abs(offset) < MIDLINE_BAND_MM:
        laterality = "midline"
    else:
        laterality = "right" if offset > 0 else "left"
    vertical = depth = None
    if midline.body_range_ras is not None:
        (y_low, y_high), (z_low, z_high) = midline.body_range_ras
        depth = _part(centroid[1], y_low, y_high, ("posterior", "central", "anterior"))
        vertical = _part(centroid[2], z_low, z_high, ("lower", "middle", "upper"))
    return Location(laterality, offset, right_share, midline, vertical, depth, organ)  # type: ignore[arg-type]


def _part(value: float, low: float, high: float, words: tuple[str, str, str]) -> str:
    """The word for where ``value`` falls in ``[low, high]``: first below 40 %, last above 60 %."""
    fraction = (value - low) / (high - low) if high > low else 0.5
    if fraction < _PART_THRESHOLDS[0]:
        return words[0]
    return words[2] if fraction > _PART_THRESHOLDS[1] else words[1]


def _body_range(
    image: ScalarVolume, is_ct: bool
) -> tuple[float, tuple[tuple[float, float], tuple[float, float]]] | None:
    """The body's median RAS x and its y and z ranges, or None when the image is too narrow to hold a body."""
    shape = image.spatial_shape
    corners = np.array(np.meshgrid(*[[0, n - 1] for n in shape], indexing="ij")).reshape(3, -1).T
    corner_x = image.voxel_to_ras(corners)[:, 0]
    if corner_x.max() - corner_x.min() < BODY_FIELD_OF_VIEW_MM:
        return None
    channel = image.array[0]
    if is_ct:
        body = channel > CT_BODY_HU
    else:
        background = float(np.median(channel[tuple(corners.T)]))
        low, high = np.nanpercentile(channel, [1, 99])
        body = np.abs(channel - background) > 0.1 * (high - low)
    if not body.any():
        return None
    x, y, z = (_body_coordinates(body, image, ras_axis) for ras_axis in range(3))
    y_range = (_percentile(*y, 1.0), _percentile(*y, 99.0))
    z_range = (float(z[0][0]), float(z[0][-1]))
    return _percentile(*x, 50.0), (y_range, z_range)


def _body_coordinates(body: np.ndarray, grid: Volume, ras_axis: int) -> tuple[np.ndarray, np.ndarray]:
    """The RAS coordinates along ``ras_axis`` that body voxels take, sorted, and how many voxels take each.

    On a grid whose voxel axes run along RAS axes, one voxel axis sets that coordinate, so counting body voxels per
    index along it is enough; an oblique grid maps every body voxel.
    """
    direction = grid.affine[ras_axis, :3]
    if np.count_nonzero(direction) == 1:
        voxel_axis = int(np.flatnonzero(direction)[0])
        counts = body.sum(axis=tuple(axis for axis in range(3) if axis != voxel_axis))
        coordinates = direction[voxel_axis] * np.arange(body.shape[voxel_axis]) + grid.affine[ras_axis, 3]
    else:
        coordinates, counts = np.unique(grid.voxel_to_ras(np.argwhere(body))[:, ras_axis], return_counts=True)
    present = counts > 0
    order = np.argsort(coordinates[present], kind="stable")
    return coordinates[present][order], counts[present][order]


def _percentile(values: np.ndarray, counts: np.ndarray, percent: float) -> float:
    """``np.percentile(np.repeat(values, counts), percent)`` (linear interpolation) without the repeat."""
    position = percent / 100.0 * (int(counts.sum()) - 1)
    below = int(np.floor(position))
    ends = np.cumsum(counts)
    low = values[np.searchsorted(ends, below, side="right")]
    if position == below:
        return float(low)
    high = values[np.searchsorted(ends, below + 1, side="right")]
    return float(low + (high - low) * (position - below))
