"""Anatomy label maps (TotalSegmentator's numbering): the organ a region lies in, and its name in words.

The class table (``resources/totalsegmentator_classes.json``) names the classes of TotalSegmentator's ``total``
(117 CT classes) and ``total_mr`` (50 MR classes) tasks that occur in the shared examples; its ``source`` field
cites TotalSegmentator's class map. An anatomy map need not share the image's voxel grid, only its physical space:
regions are looked up through RAS coordinates, nearest voxel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np

from ..volume import LabelMap, Volume

__all__ = [
    "AnatomyTask",
    "AnatomyClass",
    "AnatomyTable",
    "OrganOverlap",
    "anatomy_table",
    "organ_overlap",
    "anatomy_labels_at",
]

CLASS_TABLE_PATH = Path(__file__).resolve().parents[1] / "resources" / "totalsegmentator_classes.json"

AnatomyTask = Literal["total", "total_mr"]
Side = Literal["right", "left"]


@dataclass(frozen=True)
class AnatomyClass:
    """One class of an anatomy label map: its value, TotalSegmentator name, words, and side when it has one."""

    label: int
    name: str
    en: str
    ja: str

    @property
    def side(self) -> Side | None:
        """``"right"`` or ``"left"`` for paired structures (from the class name), else None."""
        parts = self.name.split("_")
        return "right" if "right" in parts else "left" if "left" in parts else None

    def words(self, language: str) -> str:
        """The class in the report's language (``"en"`` or ``"ja"``)."""
        return self.ja if language == "ja" else self.en


@dataclass(frozen=True)
class AnatomyTable:
    """The classes of one anatomy task.

    Example:
        >>> anatomy_table("total").lookup(5).en
        'liver'
    """

    task: AnatomyTask
    classes: dict[int, AnatomyClass]
    source: str

    def lookup(self, label: int) -> AnatomyClass:
        """The class of ``label``; a label the table does not name becomes ``"anatomy label N"``."""
        known = self.classes.get(int(label))
        if known is not None:
            return known
        return AnatomyClass(int(label), f"label_{label}", f"anatomy label {label}", f"解剖ラベル{label}")


@cache
def anatomy_table(task: AnatomyTask = "total") -> AnatomyTable:
    """The class table of a TotalSegmentator task (``"total"`` for CT, ``"total_mr"`` for MR)."""
    document = json.loads(CLASS_TABLE_PATH.read_text(encoding="utf-8"))
    if task not in document["tasks"]:
        raise ValueError(f"Unknown anatomy task {task!r}: use one of {', '.join(document['tasks'])}")
    classes = {
        int(label): AnatomyClass(int(label), entry["name"], entry["en"], entry["ja"])
        for label, entry in document["tasks"][task].items()
    }
    return AnatomyTable(task, classes, document["source"])


@dataclass(frozen=True)
class OrganOverlap:
    """Where a region lies in an anatomy map.

    Attributes:
        organ: the class holding the largest share of the region's voxels (background excluded), None when no
            labelled voxel is touched.
        share: that class's fraction of the region's voxels (0 to 1).
        outside_share: fraction of the region's voxels on background (label 0) or outside the anatomy map.
    """

    organ: AnatomyClass | None
    share: float
    outside_share: float


def organ_overlap(mask: np.ndarray, grid: Volume, anatomy: LabelMap, table: AnatomyTable) -> OrganOverlap:
    """The organ a non-empty region ``(I, J, K)`` on ``grid`` lies in, read from ``anatomy`` at the same places."""
    labels = anatomy_labels_at(grid.voxel_to_ras(np.argwhere(mask)), anatomy)
    inside = labels[labels > 0]
    outside_share = 1.0 - inside.size / labels.size
    if inside.size == 0:
        return OrganOverlap(None, 0.0, outside_share)
    values, counts = np.unique(inside, return_counts=True)
    best = int(np.argmax(counts))
    return OrganOverlap(table.lookup(int(values[best])), float(counts[best] / labels.size), outside_share)


def anatomy_labels_at(points_ras: np.ndarray, anatomy: LabelMap) -> np.ndarray:
    """The anatomy label at each RAS point ``(N, 3)`` (nearest voxel; 0 outside the map)."""
    ijk = np.rint(anatomy.ras_to_voxel(points_ras)).astype(np.int64)
    shape = np.asarray(anatomy.spatial_shape)
    valid = np.all((ijk >= 0) & (ijk < shape), axis=1)
    labels = np.zeros(len(ijk), dtype=np.int64)
    labels[valid] = anatomy.array[0][tuple(ijk[valid].T)]
    return labels
