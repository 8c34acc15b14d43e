"""The terminology context the extension ships: it follows dcmqi's segment-context schema, it is what the engine's
codes make (so no code is missing or stale), every segment entry the engine writes resolves in it, and the module
registers it with Slicer's Terminologies module when Slicer has started."""

from __future__ import annotations

import copy
import json
import logging
import types

import vtk
from panel_harness import PanelHarness

from reinforcedvl.terminology import LATERALITY_MODIFIERS, SEGMENT_CATEGORIES, terminology_for_finding
from reinforcedvl.terminology_context import TERMINOLOGY_FILE_NAME, terminology_context_text
from ReinforcedVLLib.findings_catalog import FINDINGS_PATH
from ReinforcedVLLib.scene_export import addFindingToScene
from scene_helpers import REPOSITORY, make_outcome, slicer

SHIPPED = REPOSITORY / "Resources" / "Terminology" / TERMINOLOGY_FILE_NAME

# dcmqi's segment-context schema (doc/schemas/segment-context-schema.json and segment-context-common-schema.json,
# draft-04): the properties each object may have (additionalProperties false) and their types; codes are SH/LO
# strings of at most 64 characters (common-schema.json), colours three integers in 0-255. Slicer reads a code only
# when it has all three of its parts (common-schema's codeSequence requires them).
_CODE_FIELDS = ("CodeValue", "CodingSchemeDesignator", "CodeMeaning")
_DESCRIPTIVE = {"cid": str, "contextGroupName": str, "UMLSConceptUID": str, "SNOMEDCTConceptID": str}
_MODIFIER = {**dict.fromkeys(_CODE_FIELDS, "code"), "recommendedDisplayRGBValue": "rgb", **_DESCRIPTIVE}
_TYPE = {**_MODIFIER, "3dSlicerLabel": str, "Modifier": ("array", _MODIFIER)}
_CATEGORY = {**_MODIFIER, "3dSlicerLabel": str, "showAnatomy": bool, "Type": ("array", _TYPE)}
_CONTEXT = {
    "@schema": str,
    "SegmentationCategoryTypeContextName": str,
    "SegmentationCodes": ("object", {"Category": ("array", _CATEGORY)}),
}


def schema_problems(value, schema=_CONTEXT, where="$") -> list[str]:
    """What in ``value`` breaks the segment-context schema (empty: nothing)."""
    if schema == "code":
        ok = isinstance(value, str) and 0 < len(value) <= 64
        return [] if ok else [f"{where}: a code part must be a string of 1-64 characters, got {value!r}"]
    if schema == "rgb":
        ok = isinstance(value, list) and len(value) == 3
        ok = ok and all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in value)
        return [] if ok else [f"{where}: an RGB value is three integers 0-255, got {value!r}"]
    if isinstance(schema, type):
        return [] if isinstance(value, schema) else [f"{where}: must be {schema.__name__}, got {value!r}"]
    if isinstance(schema, tuple) and schema[0] == "array":
        if not isinstance(value, list):
            return [f"{where}: must be an array"]
        return [p for index, item in enumerate(value) for p in schema_problems(item, schema[1], f"{where}[{index}]")]
    if isinstance(schema, tuple):
        return schema_problems(value, schema[1], where)
    if not isinstance(value, dict):
        return [f"{where}: must be an object"]
    problems = [f"{where}: {name!r} is not a property the schema allows" for name in value if name not in schema]
    if "CodeValue" in schema:
        problems += [f"{where}: lacks {name}" for name in _CODE_FIELDS if name not in value]
    for name, item in value.items():
        if name in schema:
            problems += schema_problems(item, schema[name], f"{where}.{name}")
    return problems


def test_the_shipped_file_is_what_the_engine_codes_make():
    assert SHIPPED.read_text(encoding="utf-8") == terminology_context_text(), (
        f"{SHIPPED.name} is stale: run python -m reinforcedvl.terminology_context {SHIPPED}"
    )


def test_the_file_follows_the_segment_context_schema():
    document = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert schema_problems(document) == []
    assert document["@schema"].endswith("segment-context-schema.json#")
    broken = copy.deepcopy(document)
    first_type = broken["SegmentationCodes"]["Category"][0]["Type"][0]
    first_type["recommendedDisplayRGBValue"] = [255, 0, 0, 0]
    first_type["CodeMeaning"] = "x" * 65
    del first_type["Modifier"][0]["CodeValue"]
    broken["SegmentationCodes"]["Category"][1]["Colour"] = "red"
    assert len(schema_problems(broken)) == 4  # the check catches what it must


def test_every_code_the_engine_writes_is_in_the_file():
    document = json.loads(SHIPPED.read_text(encoding="utf-8"))
    coded = {
        (c["CodingSchemeDesignator"], c["CodeValue"], c["CodeMeaning"]): {
            (t["CodingSchemeDesignator"], t["CodeValue"], t["CodeMeaning"]): {
                (m["CodingSchemeDesignator"], m["CodeValue"], m["CodeMeaning"]) for m in t["Modifier"]
            }
            for t in c["Type"]
        }
        for c in document["SegmentationCodes"]["Category"]
    }
    modifiers = {(m.scheme, m.value, m.meaning) for m in LATERALITY_MODIFIERS}
    assert {("SCT", "27925004", "Nodule"), ("SCT", "52988006", "Lesion"), ("SCT", "108369006", "Neoplasm")} <= set(
        coded[("SCT", "49755003", "Morphologically Altered Structure")]
    )
    for category, types_ in SEGMENT_CATEGORIES:
        in_file = coded[(category.scheme, category.value, category.meaning)]
        for type_ in types_:
            assert in_file[(type_.scheme, type_.value, type_.meaning)] == modifiers


def _descriptions() -> list[str]:
    """Every finding of the pick-list, each with a side, and words that name nothing the engine codes."""
    findings = json.loads(FINDINGS_PATH.read_text(encoding="utf-8"))
    english = [entry["en"] for entry in findings["findings"]]
    return english + [f"{side} {text}" for text in english for side in ("right", "left")] + ["something unusual"]


def test_the_module_registers_the_context_and_every_segment_entry_resolves_in_it(
    scene, synthetic_node, synthetic_study, tmp_path, monkeypatch
):
    panel = PanelHarness(scene, tmp_path, monkeypatch)
    try:
        folder = panel.scriptPath.parent / "Resources" / "Terminology"
        monkeypatch.setattr(panel.module, "TERMINOLOGY_FOLDER", folder)  # where the extension build puts it
        assert panel.terminologies.calls == []
        panel.app.emit("startupCompleted()")  # Slicer has started: the module registers its context
        assert panel.terminologies.calls == [str(folder / SHIPPED.name)]
        assert list(panel.terminologies.loaded) == [
            json.loads(SHIPPED.read_text("utf-8"))["SegmentationCategoryTypeContextName"]
        ]
        unresolved = [
            d for d in _descriptions() if panel.terminologies.resolve(terminology_for_finding(d).slicer_entry()) is None
        ]
        assert unresolved == []

        finding = addFindingToScene(
            synthetic_node, make_outcome(tmp_path / "outcome", *synthetic_study, "right lung nodule", present=True)
        )
        segmentation = finding.segmentationNode.GetSegmentation()
        for index in range(segmentation.GetNumberOfSegments()):
            tag = _tag(segmentation.GetNthSegment(index), "TerminologyEntry")
            resolved = panel.terminologies.resolve(tag)
            assert resolved is not None and resolved["type"]["CodeMeaning"] == "Nodule", tag
            assert resolved["modifier"]["CodeMeaning"] == "Right"
    finally:
        panel.close()


def _tag(segment, name: str) -> str:
    value = vtk.reference("")
    assert segment.GetTag(name, value)
    return str(value)


def test_without_the_terminologies_module_the_module_only_logs(scene, tmp_path, monkeypatch, caplog):
    panel = PanelHarness(scene, tmp_path, monkeypatch)
    try:
        monkeypatch.setattr(slicer, "modules", types.SimpleNamespace(reinforcedvl=slicer.modules.reinforcedvl))
        with caplog.at_level(logging.WARNING):
            panel.app.emit("startupCompleted()")
        assert "Terminologies module is not loaded" in caplog.text
    finally:
        panel.close()
