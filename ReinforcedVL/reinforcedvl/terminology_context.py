"""3D Slicer's terminology context of the segments' codes, as a ``.term.json`` document.

Slicer's picker resolves a segment's ``TerminologyEntry`` only against a context it has loaded; this one holds every
category, type and modifier :mod:`reinforcedvl.terminology` gives segments (its :data:`SEGMENT_CATEGORIES` and
:data:`LATERALITY_MODIFIERS`), in the format of Slicer's ``SegmentationCategoryTypeModifier-*.term.json`` files
(dcmqi's segment-context schema). The extension ships it as ``Resources/Terminology/`` + :data:`TERMINOLOGY_FILE_NAME`;
write it again after changing the codes (from the repository root)::

    python -m reinforcedvl.terminology_context \
        Resources/Terminology/SegmentationCategoryTypeModifier-ReinforcedVL.term.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .lesions.palette import LESION_PALETTE
from .terminology import (
    ANATOMICAL_STRUCTURE,
    LATERALITY_MODIFIERS,
    SEGMENT_CATEGORIES,
    SLICER_CATEGORY_TYPE_CONTEXT,
    Code,
)

__all__ = ["CONTEXT_SCHEMA", "TERMINOLOGY_FILE_NAME", "terminology_context", "terminology_context_text", "main"]

CONTEXT_SCHEMA = "https://raw.githubusercontent.com/qiicr/dcmqi/master/doc/schemas/segment-context-schema.json#"
TERMINOLOGY_FILE_NAME = "SegmentationCategoryTypeModifier-ReinforcedVL.term.json"


def terminology_context() -> dict[str, Any]:
    """The context document: each category with its types, each type with the laterality modifiers.

    A type's recommended colour is lesion 1's (the colour a segment of that type gets first); categories of anatomy do
    not ask for an anatomic region, lesion categories do (as in Slicer's general anatomy list).
    """
    colour = [round(component * 255) for component in LESION_PALETTE[0].rgb]
    categories = []
    for category, types in SEGMENT_CATEGORIES:
        categories.append(
            {
                **_coded(category),
                "showAnatomy": category != ANATOMICAL_STRUCTURE,
                "Type": [
                    {
                        **_coded(type_),
                        "recommendedDisplayRGBValue": colour,
                        "Modifier": [_coded(modifier) for modifier in LATERALITY_MODIFIERS],
                    }
                    for type_ in types
                ],
            }
        )
    return {
        "SegmentationCategoryTypeContextName": SLICER_CATEGORY_TYPE_CONTEXT,
        "@schema": CONTEXT_SCHEMA,
        "SegmentationCodes": {"Category": categories},
    }


def terminology_context_text() -> str:
    """The document as the shipped file holds it (two-space indents, UTF-8, a final newline)."""
    return json.dumps(terminology_context(), indent=2, ensure_ascii=False) + "\n"


def _coded(code: Code) -> dict[str, str]:
    return {"CodingSchemeDesignator": code.scheme, "CodeValue": code.value, "CodeMeaning": code.meaning}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write 3D Slicer's terminology context of the segments' codes.")
    parser.add_argument(
        "path", type=Path, help=f"the .term.json file to write (the extension's: {TERMINOLOGY_FILE_NAME})"
    )
    args = parser.parse_args(argv)
    args.path.parent.mkdir(parents=True, exist_ok=True)
    args.path.write_text(terminology_context_text(), encoding="utf-8")
    print(f"Wrote {args.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
