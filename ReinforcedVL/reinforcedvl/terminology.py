"""DICOM/SNOMED CT codes for what a segment shows, chosen from the finding description's words.

Slicer stores them in a segment's ``TerminologyEntry`` tag; DICOM SEG and SR exports use the same codes. Slicer's
default terminology context does not hold all of them (Nodule, Lesion, Neoplasm...), so the entries name a context of
their own, :data:`SLICER_CATEGORY_TYPE_CONTEXT`, which :mod:`reinforcedvl.terminology_context` writes from
:data:`SEGMENT_CATEGORIES` and the Slicer module registers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Code",
    "SegmentTerminology",
    "terminology_for_finding",
    "SEGMENT_CATEGORIES",
    "LATERALITY_MODIFIERS",
    "SLICER_CATEGORY_TYPE_CONTEXT",
]

SLICER_CATEGORY_TYPE_CONTEXT = "Segmentation category and type - ReinforcedVL"
"""The name of the terminology context that holds every code below (the ``.term.json`` file the module registers)."""
SLICER_ANATOMIC_CONTEXT = "Anatomic codes - DICOM master list"


@dataclass(frozen=True)
class Code:
    """A coded concept: coding scheme designator, code value and code meaning."""

    scheme: str
    value: str
    meaning: str

    def slicer_triplet(self) -> str:
        return f"{self.scheme}^{self.value}^{self.meaning}"


MORPHOLOGICALLY_ALTERED_STRUCTURE = Code("SCT", "49755003", "Morphologically Altered Structure")
ANATOMICAL_STRUCTURE = Code("SCT", "123037004", "Anatomical Structure")
LESION = Code("SCT", "52988006", "Lesion")

# Finding words, most specific first: the first pattern found in the description picks the type.
_LESION_TYPES: tuple[tuple[str, Code], ...] = (
    (r"necro", Code("SCT", "6574001", "Necrosis")),
    (r"o?edema", Code("SCT", "79654002", "Edema")),
    (r"nodul", Code("SCT", "27925004", "Nodule")),
    (r"cyst", Code("SCT", "441457006", "Cyst")),
    (r"tumou?r|neoplas|glioma|metasta|cancer|carcinoma", Code("SCT", "108369006", "Neoplasm")),
    (r"mass", Code("SCT", "4147007", "Mass")),
    (r"lesion|abnormalit", LESION),
)

# Organs the starter model knows (TotalSegmentator class names): anatomy, not lesions.
_ANATOMY_TYPES: tuple[tuple[str, Code], ...] = (
    (r"liver", Code("SCT", "10200004", "Liver")),
    (r"spleen", Code("SCT", "78961009", "Spleen")),
    (r"kidney", Code("SCT", "64033007", "Kidney")),
    (r"pancrea", Code("SCT", "15776009", "Pancreas")),
    (r"stomach", Code("SCT", "69695003", "Stomach")),
    (r"gall ?bladder", Code("SCT", "28231008", "Gallbladder")),
    (r"aorta", Code("SCT", "15825003", "Aorta")),
    (r"lung", Code("SCT", "39607008", "Lung")),
    (r"heart", Code("SCT", "80891009", "Heart")),
    (r"vertebra|spine", Code("SCT", "51282000", "Spine")),
    (r"brain", Code("SCT", "12738006", "Brain")),
)

_LATERALITY: tuple[tuple[str, Code], ...] = (
    (r"\bright\b", Code("SCT", "24028007", "Right")),
    (r"\bleft\b", Code("SCT", "7771000", "Left")),
)


SEGMENT_CATEGORIES: tuple[tuple[Code, tuple[Code, ...]], ...] = (
    (MORPHOLOGICALLY_ALTERED_STRUCTURE, tuple(code for _, code in _LESION_TYPES)),
    (ANATOMICAL_STRUCTURE, tuple(code for _, code in _ANATOMY_TYPES)),
)
"""Every category a segment may get, with the types it may get under it (what :func:`terminology_for_finding` picks
from)."""
LATERALITY_MODIFIERS: tuple[Code, ...] = tuple(code for _, code in _LATERALITY)
"""The type modifiers a segment may get, under any of its types."""


@dataclass(frozen=True)
class SegmentTerminology:
    """Category, type and optional type modifier (laterality) of a segment."""

    category: Code
    type: Code
    modifier: Code | None = None

    def slicer_entry(self) -> str:
        """The value of Slicer's ``TerminologyEntry`` segment tag."""
        modifier = self.modifier.slicer_triplet() if self.modifier else "^^"
        return "~".join(
            [
                SLICER_CATEGORY_TYPE_CONTEXT,
                self.category.slicer_triplet(),
                self.type.slicer_triplet(),
                modifier,
                SLICER_ANATOMIC_CONTEXT,
                "^^",
                "^^",
            ]
        )


def terminology_for_finding(finding: str) -> SegmentTerminology:
    """Code a finding description: a lesion type when one is named, an organ when the finding is anatomy.

    Example:
        >>> terminology_for_finding("spiculated solid nodule").type.meaning
        'Nodule'
    """
    text = finding.lower()
    modifier = next((code for pattern, code in _LATERALITY if re.search(pattern, text)), None)
    for pattern, code in _LESION_TYPES:
        if re.search(pattern, text):
            return SegmentTerminology(MORPHOLOGICALLY_ALTERED_STRUCTURE, code, modifier)
    for pattern, code in _ANATOMY_TYPES:
        if re.search(pattern, text):
            return SegmentTerminology(ANATOMICAL_STRUCTURE, code, modifier)
    return SegmentTerminology(MORPHOLOGICALLY_ALTERED_STRUCTURE, LESION, modifier)
