"""A finding's lesion measurements as a table node (one row per lesion, saved with the scene as TSV)."""

from __future__ import annotations

from collections.abc import Sequence

import slicer
import vtk

from reinforcedvl.vocabulary import lesion_segment_id
from reinforcedvl.worker.protocol import LesionRecord

__all__ = ["MEASUREMENT_COLUMNS", "createMeasurementTable", "lesionsFromTable"]

# (column name, value type, unit, description)
MEASUREMENT_COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("Lesion", "int", "", "lesion number (1 is the largest); its segment has colour n of the report"),
    ("Segment", "string", "", "segment id in the finding's segmentation"),
    ("Color", "string", "", "colour name used by the report"),
    ("Voxels", "int", "", "voxels in the lesion"),
    ("Volume", "double", "mL", "lesion volume"),
    ("Long axis", "double", "mm", "longest diameter in the axial slice of greatest extent (RECIST 1.1)"),
    ("Short axis", "double", "mm", "longest diameter perpendicular to the long axis, same slice"),
    ("Confidence", "double", "", "chance that the lesion is real (the model's lesion calibration)"),
    ("Centroid R", "double", "mm", "centre of mass, RAS"),
    ("Centroid A", "double", "mm", "centre of mass, RAS"),
    ("Centroid S", "double", "mm", "centre of mass, RAS"),
)
_ARRAY_TYPES = {"int": vtk.vtkIntArray, "string": vtk.vtkStringArray, "double": vtk.vtkDoubleArray}


def createMeasurementTable(
    scene: slicer.vtkMRMLScene, name: str, lesions: Sequence[LesionRecord]
) -> slicer.vtkMRMLTableNode:
    """A new table node named ``name`` holding one row per lesion."""
    tableNode = scene.AddNewNodeByClass("vtkMRMLTableNode", scene.GenerateUniqueName(name))
    table = tableNode.GetTable()
    for columnName, valueType, unit, description in MEASUREMENT_COLUMNS:
        array = _ARRAY_TYPES[valueType]()
        array.SetName(columnName)
        table.AddColumn(array)
        tableNode.SetColumnUnitLabel(columnName, unit)
        tableNode.SetColumnDescription(columnName, description)
    for lesion in lesions:
        values = (
            lesion.lesion_id,
            lesion_segment_id(lesion.lesion_id),
            lesion.color_name,
            lesion.voxels,
            lesion.volume_ml,
            lesion.long_axis_mm,
            lesion.short_axis_mm,
            lesion.confidence,
            *lesion.centroid_ras,
        )
        row = table.InsertNextBlankRow()
        for column, value in enumerate(values):
            table.SetValue(row, column, vtk.vtkVariant(value))
    tableNode.Modified()
    return tableNode


def lesionsFromTable(tableNode: slicer.vtkMRMLTableNode) -> list[LesionRecord]:
    """The lesions a measurement table holds (also one read back from a saved scene, where cells are text)."""
    table = tableNode.GetTable()
    names = [name for name, _, _, _ in MEASUREMENT_COLUMNS]
    columns = {name: table.GetColumnByName(name) for name in names}
    lesions = []
    for row in range(table.GetNumberOfRows()):
        cell = {name: columns[name].GetVariantValue(row).ToString() for name in names}
        lesions.append(
            LesionRecord(
                lesion_id=int(float(cell["Lesion"])),
                color_name=cell["Color"],
                voxels=int(float(cell["Voxels"])),
                volume_ml=float(cell["Volume"]),
                long_axis_mm=float(cell["Long axis"]),
                short_axis_mm=float(cell["Short axis"]),
                centroid_ras=(float(cell["Centroid R"]), float(cell["Centroid A"]), float(cell["Centroid S"])),
                confidence=float(cell["Confidence"]),
            )
        )
    return lesions
