"""Which sliding windows a spatial prompt needs, on the model grid.

The windows are those of the whole-volume pass (same size, same positions: MONAI's scan rule), so the features of a
window computed for a click are the ones a text-only prompt computes and caches, and back: a click after a text
prompt on the same volume reuses them, and so does a second click near the first. A region is a run of consecutive
windows per axis; a point starts with the one window whose centre is nearest to it, and the region grows by a window
across a face the lesion reaches (:meth:`WindowRegion.grown_towards`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["scan_starts", "WindowRegion"]


def scan_starts(extent: int, window: int, overlap: float) -> list[int]:
    """First voxel of each window along one axis, as ``sliding_window_inference`` places them (an axis shorter than
    the window is padded and gets one window at 0)."""
    if extent <= window:
        return [0]
    step = max(int(window * (1 - overlap)), 1)
    count = math.ceil((extent - window) / step) + 1
    return [min(index * step, extent - window) for index in range(count)]


@dataclass(frozen=True)
class WindowRegion:
    """Consecutive windows ``first[axis]..last[axis]`` (inclusive indices into each axis's scan positions).

    Attributes:
        starts: the scan positions per axis.
        window: the window size per axis.
        shape: the (cropped) model grid's shape.
        first, last: the window index range per axis.
    """

    starts: tuple[tuple[int, ...], ...]
    window: tuple[int, int, int]
    shape: tuple[int, int, int]
    first: tuple[int, int, int]
    last: tuple[int, int, int]

    @classmethod
    def scan(cls, shape: Sequence[int], window: Sequence[int], overlap: float) -> WindowRegion:
        """The whole grid's windows."""
        starts = tuple(tuple(scan_starts(n, w, overlap)) for n, w in zip(shape, window, strict=True))
        return cls(starts, tuple(window), tuple(shape), (0, 0, 0), tuple(len(s) - 1 for s in starts))  # type: ignore[arg-type]

    def around(self, voxel: Sequence[float]) -> WindowRegion:
        """The one window whose centre is nearest ``voxel`` (model-grid index), per axis."""
        index = tuple(
            int(np.argmin([abs(start + min(w, n) / 2 - 0.5 - v) for start in starts]))
            for starts, w, n, v in zip(self.starts, self.window, self.shape, voxel, strict=True)
        )
        return self._with(index, index)

    def overlapping(self, low: Sequence[float], high: Sequence[float]) -> WindowRegion:
        """The windows that overlap the model-grid index box ``low..high`` (inclusive)."""
        first, last = [], []
        for starts, w, lo, hi in zip(self.starts, self.window, low, high, strict=True):
            hits = [i for i, start in enumerate(starts) if start <= hi and start + w - 1 >= lo] or [
                int(np.argmin([abs(start - lo) for start in starts]))
            ]
            first.append(min(hits))
            last.append(max(hits))
        return self._with(tuple(first), tuple(last))

    def union(self, other: WindowRegion) -> WindowRegion:
        return self._with(
            tuple(min(a, b) for a, b in zip(self.first, other.first, strict=True)),
            tuple(max(a, b) for a, b in zip(self.last, other.last, strict=True)),
        )

    def within(self, limit: WindowRegion) -> WindowRegion:
        """This region clipped to ``limit``'s windows."""
        first = tuple(max(a, b) for a, b in zip(self.first, limit.first, strict=True))
        last = tuple(max(f, min(a, b)) for f, a, b in zip(first, self.last, limit.last, strict=True))
        return self._with(first, last)

    def grown_towards(self, touches_low: Sequence[bool], touches_high: Sequence[bool]) -> WindowRegion:
        """One more window across each face marked (where the grid has one)."""
        first = tuple(max(0, f - int(t)) for f, t in zip(self.first, touches_low, strict=True))
        last = tuple(min(len(s) - 1, v + int(t)) for s, v, t in zip(self.starts, self.last, touches_high, strict=True))
        return self._with(first, last)

    @property
    def slices(self) -> tuple[slice, slice, slice]:
        """The region's voxels on the model grid."""
        return tuple(
            slice(starts[f], min(n, starts[v] + w))
            for starts, f, v, w, n in zip(self.starts, self.first, self.last, self.window, self.shape, strict=True)
        )  # type: ignore[return-value]

    @property
    def window_count(self) -> int:
        return math.prod(v - f + 1 for f, v in zip(self.first, self.last, strict=True))

    @property
    def is_whole(self) -> bool:
        return self.first == (0, 0, 0) and all(v == len(s) - 1 for v, s in zip(self.last, self.starts, strict=True))

    def open_faces(self) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
        """Per axis, whether the region can still grow below and above (a window lies beyond that face)."""
        return (
            tuple(f > 0 for f in self.first),
            tuple(v < len(s) - 1 for v, s in zip(self.last, self.starts, strict=True)),
        )

    def _with(self, first: tuple[int, ...], last: tuple[int, ...]) -> WindowRegion:
        return WindowRegion(self.starts, self.window, self.shape, first, last)  # type: ignore[arg-type]
