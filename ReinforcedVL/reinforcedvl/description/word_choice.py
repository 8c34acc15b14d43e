"""The words that describe a region's shape, margin and appearance, and the thresholds that choose them.

Each choice returns the word with the numbers that chose it and the rule, so a reader (and ``report.json``) can see
why a nodule was called "lobulated". The thresholds were set by looking at the distributions of the descriptors
over the shared LIDC nodules grouped by the radiologists' ratings (``benchmarks/lidc_word_agreement.py`` prints the
resulting agreement; the figures are in ``docs/report.md``) and on analytic shapes (a voxelised sphere or ellipsoid
must be round or ovoid on any grid); the MR margin threshold was set on the four shared BraTS cases.

Shape (outline concavity first, then elongation):
    irregular  ``axial_solidity < 0.85``
    lobulated  ``axial_solidity < 0.93``
    ovoid      ``elongation >= 1.30``
    round      otherwise
Margin (roughness of the outline first, then the edge):
    spiculated    ``axial_convexity < 0.90``
    ill-defined   CT: ``boundary_gradient < 250 HU/mm``; MR: ``margin_sharpness < 0.35 /mm``
    well-defined  otherwise
Appearance (lesion against the shell around it):
    CT  hyperdense / hypodense when ``|contrast| > 20 HU``, else isodense
    MR  hyperintense / hypointense when ``|contrast| > 0.5`` x the pooled standard deviation, else isointense
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..lesions.intensity import LesionIntensity
from ..lesions.shape import ShapeDescriptors

__all__ = [
    "ShapeWord",
    "MarginWord",
    "AppearanceWord",
    "WordChoice",
    "SHAPE_IRREGULAR_SOLIDITY",
    "SHAPE_LOBULATED_SOLIDITY",
    "SHAPE_OVOID_ELONGATION",
    "MARGIN_SPICULATED_CONVEXITY",
    "MARGIN_CT_ILL_DEFINED_GRADIENT",
    "MARGIN_MR_ILL_DEFINED_SHARPNESS",
    "APPEARANCE_CT_ISO_HU",
    "APPEARANCE_MR_ISO_EFFECT",
    "choose_shape",
    "choose_margin",
    "choose_appearance",
]

ShapeWord = Literal["round", "ovoid", "lobulated", "irregular"]
MarginWord = Literal["well-defined", "ill-defined", "spiculated"]
AppearanceWord = Literal["hyperdense", "isodense", "hypodense", "hyperintense", "isointense", "hypointense"]

SHAPE_IRREGULAR_SOLIDITY = 0.85
SHAPE_LOBULATED_SOLIDITY = 0.93
SHAPE_OVOID_ELONGATION = 1.30
MARGIN_SPICULATED_CONVEXITY = 0.90
MARGIN_CT_ILL_DEFINED_GRADIENT = 250.0
MARGIN_MR_ILL_DEFINED_SHARPNESS = 0.35
APPEARANCE_CT_ISO_HU = 20.0
APPEARANCE_MR_ISO_EFFECT = 0.5


@dataclass(frozen=True)
class WordChoice:
    """A chosen word, the measurements that chose it (by ``report.json`` key) and the rule in words."""

    word: str
    values: dict[str, float] = field(default_factory=dict)
    rule: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"word": self.word, "values": {k: round(v, 4) for k, v in self.values.items()}, "rule": self.rule}


def choose_shape(shape: ShapeDescriptors) -> WordChoice:
    """round / ovoid / lobulated / irregular, from the axial outline's solidity and the 3D elongation."""
    values = {"axial_solidity": shape.axial_solidity, "elongation": shape.elongation}
    solidity, elongation = shape.axial_solidity, shape.elongation
    if solidity < SHAPE_IRREGULAR_SOLIDITY:
        return WordChoice("irregular", values, f"axial_solidity {solidity:.2f} < {SHAPE_IRREGULAR_SOLIDITY}")
    if solidity < SHAPE_LOBULATED_SOLIDITY:
        return WordChoice("lobulated", values, f"axial_solidity {solidity:.2f} < {SHAPE_LOBULATED_SOLIDITY}")
    if elongation >= SHAPE_OVOID_ELONGATION:
        return WordChoice("ovoid", values, f"elongation {elongation:.2f} >= {SHAPE_OVOID_ELONGATION}")
    return WordChoice(
        "round",
        values,
        f"axial_solidity {solidity:.2f} >= {SHAPE_LOBULATED_SOLIDITY} and elongation {elongation:.2f} "
        f"< {SHAPE_OVOID_ELONGATION}",
    )


def choose_margin(shape: ShapeDescriptors, intensity: LesionIntensity | None, *, is_ct: bool) -> WordChoice:
    """spiculated / ill-defined / well-defined, from the outline's convexity and the edge (when an image is known).

    Without an image (or without a shell around the region) only spiculation can be judged; a smooth outline is
    then called well-defined on its shape alone, and the rule says so.
    """
    convexity = shape.axial_convexity
    values = {"axial_convexity": convexity}
    if convexity < MARGIN_SPICULATED_CONVEXITY:
        return WordChoice("spiculated", values, f"axial_convexity {convexity:.2f} < {MARGIN_SPICULATED_CONVEXITY}")
    smooth = f"axial_convexity {convexity:.2f} >= {MARGIN_SPICULATED_CONVEXITY}"
    if is_ct and intensity is not None and np.isfinite(intensity.boundary_gradient):
        gradient = intensity.boundary_gradient
        values["boundary_gradient_per_mm"] = gradient
        if gradient < MARGIN_CT_ILL_DEFINED_GRADIENT:
            return WordChoice(
                "ill-defined", values, f"boundary_gradient {gradient:.0f} HU/mm < {MARGIN_CT_ILL_DEFINED_GRADIENT:.0f}"
            )
        return WordChoice(
            "well-defined",
            values,
            f"{smooth}, boundary_gradient {gradient:.0f} >= {MARGIN_CT_ILL_DEFINED_GRADIENT:.0f}",
        )
    if not is_ct and intensity is not None and np.isfinite(intensity.margin_sharpness):
        sharpness = intensity.margin_sharpness
        values["margin_sharpness_per_mm"] = sharpness
        if sharpness < MARGIN_MR_ILL_DEFINED_SHARPNESS:
            return WordChoice(
                "ill-defined", values, f"margin_sharpness {sharpness:.2f}/mm < {MARGIN_MR_ILL_DEFINED_SHARPNESS}"
            )
        return WordChoice(
            "well-defined", values, f"{smooth}, margin_sharpness {sharpness:.2f} >= {MARGIN_MR_ILL_DEFINED_SHARPNESS}"
        )
    return WordChoice("well-defined", values, f"{smooth} (no surrounding image to judge the edge)")


def choose_appearance(intensity: LesionIntensity, *, is_ct: bool) -> WordChoice | None:
    """hyper- / iso- / hypo-dense (CT) or -intense (MR) relative to the shell; None without a shell."""
    contrast = intensity.contrast
    if not np.isfinite(contrast):
        return None
    values = {"mean_inside": intensity.inside.mean, "mean_shell": intensity.shell.mean, "contrast": contrast}
    suffix = "dense" if is_ct else "intense"
    if is_ct:
        iso = abs(contrast) <= APPEARANCE_CT_ISO_HU
        rule = f"|contrast| {abs(contrast):.0f} HU {'<=' if iso else '>'} {APPEARANCE_CT_ISO_HU:.0f}"
    else:
        pooled = float(np.sqrt((intensity.inside.std**2 + intensity.shell.std**2) / 2.0))
        effect = abs(contrast) / pooled if pooled > 0 else float("inf")
        values["effect_size"] = effect
        iso = effect <= APPEARANCE_MR_ISO_EFFECT
        rule = f"|contrast| / pooled SD {effect:.2f} {'<=' if iso else '>'} {APPEARANCE_MR_ISO_EFFECT}"
    prefix = "iso" if iso else "hyper" if contrast > 0 else "hypo"
    return WordChoice(prefix + suffix, values, rule)
