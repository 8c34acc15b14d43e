"""Volumes with known geometry for tests: affines, rotations, analytic shapes."""

from __future__ import annotations

import numpy as np

from reinforcedvl.volume import LabelMap


def affine_from(spacing=(1.0, 1.0, 1.0), origin=(0.0, 0.0, 0.0), direction=None) -> np.ndarray:
    """A voxel-to-RAS affine from spacing, origin (RAS mm) and a 3x3 direction matrix (columns: axes)."""
    direction = np.eye(3) if direction is None else np.asarray(direction, dtype=float)
    affine = np.eye(4)
    affine[:3, :3] = direction * np.asarray(spacing, dtype=float)
    affine[:3, 3] = origin
    return affine


def rotation_z(degrees: float) -> np.ndarray:
    angle = np.deg2rad(degrees)
    return np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])


def ellipsoid_mask(shape, affine, centre_ras, radii_mm, axes=None) -> np.ndarray:
    """Boolean ``shape`` mask of an ellipsoid given in RAS millimetres (axes: columns of a rotation)."""
    grid = LabelMap(np.zeros((1, *shape), np.uint8), affine)
    ijk = np.indices(shape).reshape(3, -1).T
    offsets = grid.voxel_to_ras(ijk) - np.asarray(centre_ras)
    if axes is not None:
        offsets = offsets @ np.asarray(axes)
    return ((offsets / np.asarray(radii_mm)) ** 2).sum(axis=1).reshape(shape) <= 1.0
