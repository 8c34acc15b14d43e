"""The lesion colour palette: lesion n is drawn in colour n, and the report names that colour.

One table serves the segmentation files, the Slicer scene and the report, so "Lesion 2 (cyan)" is always the cyan
segment. Colours are distinct on grey-scale images and for the commonest colour-vision deficiencies as far as ten
colours allow; beyond ten lesions the palette repeats and the lesion number tells them apart.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LesionColor", "LESION_PALETTE", "lesion_color"]


@dataclass(frozen=True)
class LesionColor:
    """A named display colour; ``rgb`` components lie in [0, 1]."""

    name: str
    rgb: tuple[float, float, float]

    @property
    def hex(self) -> str:
        return "#" + "".join(f"{round(c * 255):02x}" for c in self.rgb)


LESION_PALETTE: tuple[LesionColor, ...] = (
    LesionColor("yellow", (1.0, 0.86, 0.0)),
    LesionColor("cyan", (0.0, 0.8, 1.0)),
    LesionColor("magenta", (0.93, 0.0, 0.8)),
    LesionColor("orange", (1.0, 0.5, 0.0)),
    LesionColor("green", (0.2, 0.85, 0.2)),
    LesionColor("blue", (0.2, 0.35, 1.0)),
    LesionColor("red", (0.9, 0.1, 0.1)),
    LesionColor("purple", (0.55, 0.25, 0.85)),
    LesionColor("pink", (1.0, 0.6, 0.75)),
    LesionColor("brown", (0.6, 0.4, 0.2)),
)


def lesion_color(lesion_id: int) -> LesionColor:
    """The colour of lesion ``lesion_id`` (1-based)."""
    if lesion_id < 1:
        raise ValueError(f"Lesion ids start at 1, got {lesion_id}")
    return LESION_PALETTE[(lesion_id - 1) % len(LESION_PALETTE)]
