"""Helpers for the Slicer-side tests, on a real MRML scene from the ``slicer-core`` wheel (no Slicer application).

Importing this module puts the module folder on ``sys.path`` as Slicer does, so ``ReinforcedVLLib`` imports as in
Slicer. The fixtures built from these helpers are in this folder's ``conftest.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from reinforcedvl.lesions import measure_lesions
from reinforcedvl.model_store.checkpoint import ModelIdentity
from reinforcedvl.predictor import FindingResult
from reinforcedvl.volume import LabelMap, ScalarVolume
from reinforcedvl.worker.outcome_files import write_outcome
from reinforcedvl.worker.protocol import FindingOutcome

slicer = pytest.importorskip("slicer", reason="slicer-core is part of the test requirements")

# What Slicer's Segmentations module does at start-up: register the representation converters (without them an
# empty segment has no binary labelmap to draw in).
_CONVERTERS = slicer.vtkSegmentationConverterFactory.GetInstance()
if not _CONVERTERS.GetConverterRules():
    _CONVERTERS.RegisterConverterRule(slicer.vtkBinaryLabelmapToClosedSurfaceConversionRule())
    _CONVERTERS.RegisterConverterRule(slicer.vtkClosedSurfaceToBinaryLabelmapConversionRule())

REPOSITORY = Path(__file__).resolve().parents[2]
MODULE_FOLDER = REPOSITORY / "ReinforcedVL"
if str(MODULE_FOLDER) not in sys.path:
    sys.path.insert(0, str(MODULE_FOLDER))

SAMPLE_CT = REPOSITORY / "Resources" / "Samples" / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"
SLICE_VIEWS = (("Red", "Axial"), ("Yellow", "Sagittal"), ("Green", "Coronal"))
# Two balls on a rotated, anisotropic grid: radius 6 mm (lesion 1) and 3.5 mm (lesion 2).
LESION_CENTRES_RAS = ((-12.0, 20.0, 30.0), (0.0, 25.0, 36.0))
LESION_RADII_MM = (6.0, 3.5)


def load_volume_node(scene, path: Path, name: str):
    """Load a volume file into a new scalar volume node with Slicer's own reader."""
    node = scene.AddNewNodeByClass("vtkMRMLScalarVolumeNode", name)
    storage = scene.AddNewNodeByClass("vtkMRMLVolumeArchetypeStorageNode")
    storage.SetFileName(str(path))
    assert storage.ReadData(node) == 1
    node.SetAndObserveStorageNodeID(storage.GetID())
    return node


def make_outcome(folder: Path, volume: ScalarVolume, labels: LabelMap, prompt: str, present: bool) -> FindingOutcome:
    """The worker's files for a known answer: ``labels`` as lesions (or none), evidence rising towards them."""
    lesion_map = labels if present else LabelMap(np.zeros_like(labels.array), labels.affine, name="lesions")
    evidence = np.clip((labels.array > 0) * 0.8 + 0.1, 0.0, 1.0).astype(np.float32)
    result = FindingResult(
        prompt=prompt,
        present_probability=0.93 if present else 0.08,
        present=present,
        lesions=measure_lesions(lesion_map, (labels.array[0] > 0) * 0.9),
        lesion_map=lesion_map,
        evidence_map=ScalarVolume(evidence, volume.affine, name="evidence"),
        seconds=1.5,
    )
    document = write_outcome(
        result,
        folder,
        volume=volume,
        identity=ModelIdentity("test-model", "1.2.3"),
        device="CPU (2 threads; as asked)",
        threshold=0.5,
        modality="CT",
    )
    return FindingOutcome.from_dict(document)
