"""``slicer.modules.terminologies.logic()``: the Terminologies module's logic, as far as a module calls it at startup.

``LoadTerminologyFromFile(path)`` reads a ``.term.json`` file and keeps it under its
``SegmentationCategoryTypeContextName``, returning that name, or '' when the file cannot be read (as
``vtkSlicerTerminologiesModuleLogic`` documents it). ``resolve(entry)`` finds a segment's ``TerminologyEntry`` in the
loaded contexts, as Slicer's terminology picker does when it shows a segment: context, category, type and modifier
matched by coding scheme and code value.
"""

from __future__ import annotations

import json
from pathlib import Path


class TerminologiesLogic:
    def __init__(self) -> None:
        self.loaded: dict[str, dict] = {}
        self.calls: list[str] = []

    def LoadTerminologyFromFile(self, filePath: str) -> str:
        self.calls.append(filePath)
        try:
            document = json.loads(Path(filePath).read_text(encoding="utf-8"))
            name = document["SegmentationCategoryTypeContextName"]
        except (OSError, ValueError, KeyError, TypeError):
            return ""
        self.loaded[name] = document
        return name

    def resolve(self, entry: str) -> dict | None:
        """The type (with its category and modifier) that a ``TerminologyEntry`` names, or None if none loaded."""
        fields = entry.split("~")
        if len(fields) != 7 or fields[0] not in self.loaded:
            return None
        category, type_, modifier = (_code(field) for field in fields[1:4])
        for candidate in self.loaded[fields[0]]["SegmentationCodes"]["Category"]:
            if _code_of(candidate) != category:
                continue
            for typeEntry in candidate.get("Type", []):
                if _code_of(typeEntry) != type_:
                    continue
                if modifier == ("", ""):
                    return {"category": candidate, "type": typeEntry, "modifier": None}
                for modifierEntry in typeEntry.get("Modifier", []):
                    if _code_of(modifierEntry) == modifier:
                        return {"category": candidate, "type": typeEntry, "modifier": modifierEntry}
        return None


def _code(field: str) -> tuple[str, str]:
    scheme, value, _meaning = field.split("^")
    return scheme, value


def _code_of(entry: dict) -> tuple[str, str]:
    return entry.get("CodingSchemeDesignator", ""), entry.get("CodeValue", "")
