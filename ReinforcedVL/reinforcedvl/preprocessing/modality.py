"""Which kind of scan a volume is: CT (Hounsfield units) or MR (arbitrary signal units).

Intensity normalisation depends on it. The DICOM ``Modality`` tag decides when there is one; otherwise the
intensities do: CT voxels of air sit near -1000 HU, a value MR signal never takes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..vocabulary import Modality, parse_modality
from ..volume import ScalarVolume

__all__ = ["Modality", "ModalityDecision", "detect_modality", "parse_modality"]

# CT air is -1000 HU; any CT with air or lung in view has its 1st percentile far below this.
_CT_LOW_PERCENTILE_HU = -500.0


@dataclass(frozen=True)
class ModalityDecision:
    """The modality used and why (shown to the user and recorded in ``result.json``)."""

    modality: Modality
    reason: str


def detect_modality(volume: ScalarVolume, requested: Modality | None = None) -> ModalityDecision:
    """Decide the modality: as requested, else from the DICOM tag, else from the intensities of channel 0."""
    if requested is not None:
        return ModalityDecision(requested, "given by the user")
    tag = volume.source.modality if volume.source else None
    if tag in (Modality.CT.value, Modality.MR.value):
        return ModalityDecision(Modality(tag), f"DICOM Modality tag is {tag}")
    low = _low_percentile(volume.array[0])
    if low <= _CT_LOW_PERCENTILE_HU:
        return ModalityDecision(Modality.CT, f"1st intensity percentile {low:.0f} looks like air in Hounsfield units")
    return ModalityDecision(
        Modality.MR,
        f"1st intensity percentile {low:.3g} is not Hounsfield air; treated as MR (use --modality CT if not)",
    )


def _low_percentile(values: np.ndarray) -> float:
    """The 1st percentile of the finite values (a few NaN or infinite voxels must not decide the modality)."""
    finite = np.isfinite(values)
    if not finite.all():
        values = values[finite]
    return float(np.percentile(values, 1)) if values.size else float("nan")
