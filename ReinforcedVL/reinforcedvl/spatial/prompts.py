"""Spatial prompts: points and a box in RAS millimetres that say where to look; the description says what to outline.

A positive point says "this lesion": the answer is then the lesion at the point, or the nearest one within
:data:`NEAR_POINT_MM` of it, or else the nearest lesion that spans the point (the point lies inside the convex hull of
its voxels: the hollow of a ring-enhancing tumour, tissue that a rim or crescent of the prediction lies beside), and
nothing elsewhere. A negative point says "not this": the lesion it touches (by the same rule) is removed, or, when a
positive point chose that same lesion, cut off where it lies nearer the negative point. A box limits the search to
the inside of its two corners.

Example:
    >>> prompts = SpatialPrompts(points=(PromptPoint((-52.0, 31.5, -110.0)),))
    >>> prompts.positive_points[0].ras
    (-52.0, 31.5, -110.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import SpatialPromptError
from ..volume import Volume

__all__ = ["NEAR_POINT_MM", "PromptPoint", "PromptBox", "SpatialPrompts", "parse_ras", "parse_box"]

NEAR_POINT_MM = 5.0
"""A point marks the lesion that contains it, else the nearest lesion whose closest voxel centre lies within this
distance: a click just beside a small nodule (a voxel or two off its edge at 1-2 mm spacing) still marks it,
while a vessel a centimetre away does not. Farther than this, only a lesion whose convex hull holds the point marks
it (:func:`~reinforcedvl.spatial.lesion_selection.touched_component`): the reach then scales with the lesion
itself, never with empty tissue around a small one. The evaluation (``reinforcedvl evaluate-points``) measures
clicks 3 and 6 mm off the nodule's centre against it."""


@dataclass(frozen=True)
class PromptPoint:
    """A point in RAS millimetres: positive ("this lesion") or negative ("not this")."""

    ras: tuple[float, float, float]
    positive: bool = True

    def __post_init__(self) -> None:
        ras = tuple(float(x) for x in self.ras)
        if len(ras) != 3 or not all(math.isfinite(x) for x in ras):
            raise SpatialPromptError(f"A point needs three finite RAS coordinates in mm (R, A, S), got {self.ras!r}.")
        object.__setattr__(self, "ras", ras)

    def to_dict(self) -> dict[str, Any]:
        return {"ras": [round(x, 3) for x in self.ras], "positive": self.positive}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> PromptPoint:
        return cls(tuple(values["ras"]), bool(values.get("positive", True)))  # type: ignore[arg-type]


@dataclass(frozen=True)
class PromptBox:
    """An axis-aligned box in RAS millimetres, given by two opposite corners (in any order)."""

    corner_a_ras: tuple[float, float, float]
    corner_b_ras: tuple[float, float, float]

    def __post_init__(self) -> None:
        for name in ("corner_a_ras", "corner_b_ras"):
            corner = tuple(float(x) for x in getattr(self, name))
            if len(corner) != 3 or not all(math.isfinite(x) for x in corner):
                raise SpatialPromptError(f"A box corner needs three finite RAS coordinates in mm, got {corner!r}.")
            object.__setattr__(self, name, corner)
        if any(a == b for a, b in zip(self.corner_a_ras, self.corner_b_ras, strict=True)):
            raise SpatialPromptError(
                f"The box from {self.corner_a_ras} to {self.corner_b_ras} is flat: its corners must differ in R, A "
                "and S (give two opposite corners of the region)."
            )

    @property
    def low_ras(self) -> np.ndarray:
        return np.minimum(self.corner_a_ras, self.corner_b_ras)

    @property
    def high_ras(self) -> np.ndarray:
        return np.maximum(self.corner_a_ras, self.corner_b_ras)

    def contains(self, ras: Sequence[float]) -> bool:
        point = np.asarray(ras, dtype=np.float64)
        return bool(np.all(point >= self.low_ras) and np.all(point <= self.high_ras))

    def to_dict(self) -> dict[str, Any]:
        return {
            "corner_a_ras": [round(x, 3) for x in self.corner_a_ras],
            "corner_b_ras": [round(x, 3) for x in self.corner_b_ras],
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> PromptBox:
        return cls(tuple(values["corner_a_ras"]), tuple(values["corner_b_ras"]))  # type: ignore[arg-type]


@dataclass(frozen=True)
class SpatialPrompts:
    """The points and the box of one request (both optional)."""

    points: tuple[PromptPoint, ...] = field(default_factory=tuple)
    box: PromptBox | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", tuple(self.points))

    @property
    def positive_points(self) -> tuple[PromptPoint, ...]:
        return tuple(point for point in self.points if point.positive)

    @property
    def negative_points(self) -> tuple[PromptPoint, ...]:
        return tuple(point for point in self.points if not point.positive)

    def __bool__(self) -> bool:
        return bool(self.points) or self.box is not None

    def check_inside(self, volume: Volume) -> None:
        """Refuse points outside ``volume``, a box that misses it, and positive points outside the box.

        Raises:
            SpatialPromptError: with the volume's extent in RAS mm, so the user can correct the coordinates.
        """
        low, high = ras_extent(volume)
        extent = (
            f"{volume.name} spans R {low[0]:.1f} to {high[0]:.1f}, A {low[1]:.1f} to {high[1]:.1f}, "
            f"S {low[2]:.1f} to {high[2]:.1f} (RAS mm, as 3D Slicer shows them; DICOM/LPS viewers show R and A "
            "negated)"
        )
        for point in self.points:
            if not _inside_grid(volume, point.ras):
                kind = "point" if point.positive else "negative point"
                raise SpatialPromptError(
                    f"The {kind} {_format(point.ras)} lies outside the volume: {extent}. Give a point inside it."
                )
        if self.box is not None:
            if np.any(self.box.high_ras < low) or np.any(self.box.low_ras > high):
                raise SpatialPromptError(
                    f"The box {_format(self.box.corner_a_ras)} to {_format(self.box.corner_b_ras)} does not overlap "
                    f"the volume: {extent}. Give corners around a region of it."
                )
            outside = [point.ras for point in self.positive_points if not self.box.contains(point.ras)]
            if outside:
                raise SpatialPromptError(
                    f"The point {_format(outside[0])} lies outside the box {_format(self.box.corner_a_ras)} to "
                    f"{_format(self.box.corner_b_ras)}, which limits the search: move the point into the box or "
                    "enlarge the box."
                )

    def to_dict(self) -> dict[str, Any]:
        """As written in ``result.json``, ``finding.json`` and feedback records."""
        return {
            "points": [point.to_dict() for point in self.points],
            "box": None if self.box is None else self.box.to_dict(),
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> SpatialPrompts:
        """The prompts of :meth:`to_dict` (None or missing keys: no prompts)."""
        values = values or {}
        box = values.get("box")
        return cls(
            tuple(PromptPoint.from_dict(point) for point in values.get("points") or ()),
            None if box is None else PromptBox.from_dict(box),
        )


def parse_ras(text: str) -> tuple[float, float, float]:
    """``"R,A,S"`` in mm to a tuple.

    Raises:
        SpatialPromptError: not three comma-separated finite numbers.
    """
    values = _numbers(text, 3, "a point", "R,A,S, e.g. --point -52.1,31.5,-110")
    return values  # type: ignore[return-value]


def parse_box(text: str) -> PromptBox:
    """``"R1,A1,S1,R2,A2,S2"`` (two opposite corners, mm) to a box.

    Raises:
        SpatialPromptError: not six comma-separated finite numbers, or a flat box.
    """
    values = _numbers(text, 6, "a box", "R1,A1,S1,R2,A2,S2 (two opposite corners), e.g. --box -70,10,-130,-30,50,-90")
    return PromptBox(values[:3], values[3:])  # type: ignore[arg-type]


def ras_extent(volume: Volume) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest RAS coordinates of the volume's voxel centres, per axis."""
    corners = np.array(np.meshgrid(*[[0, n - 1] for n in volume.spatial_shape], indexing="ij")).reshape(3, -1).T
    ras = volume.voxel_to_ras(corners)
    return ras.min(axis=0), ras.max(axis=0)


def _inside_grid(volume: Volume, ras: Sequence[float]) -> bool:
    """Whether ``ras`` falls in a voxel of the grid (within half a voxel of the outermost centres)."""
    ijk = volume.ras_to_voxel(np.asarray(ras))[0]
    return bool(np.all(ijk >= -0.5) and np.all(ijk <= np.asarray(volume.spatial_shape) - 0.5))


def _numbers(text: str, count: int, what: str, form: str) -> tuple[float, ...]:
    parts = [part.strip() for part in str(text).split(",")]
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        values = ()
    if len(values) != count or not all(math.isfinite(x) for x in values):
        raise SpatialPromptError(f"{text!r} is not {what}: give {count} numbers in RAS mm as {form}.")
    return values


def _format(ras: Sequence[float]) -> str:
    return "(" + ", ".join(f"{x:.1f}" for x in ras) + ")"
