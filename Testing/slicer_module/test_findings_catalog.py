"""The finding pick-list by modality, with English and Japanese labels, and the modality hint from a volume node."""

from __future__ import annotations

import numpy as np
import pytest

from ReinforcedVLLib.findings_catalog import findingChoices, modalityHint
from scene_helpers import slicer

CASES = [
    ("CT", "solid lung nodule", "充実性肺結節", "enhancing tumour"),
    ("MR", "peritumoral oedema", "腫瘍周囲浮腫", "solid lung nodule"),
]


@pytest.mark.parametrize(("modality", "offered", "japanese", "not_offered"), CASES)
def test_choices_fit_the_modality_and_carry_both_labels(modality, offered, japanese, not_offered):
    choices = findingChoices(modality)
    by_english = {choice.english: choice for choice in choices}
    assert offered in by_english and not_offered not in by_english
    assert by_english[offered].japanese == japanese
    assert by_english[offered].label == f"{offered}  ({japanese})"
    kinds = [choice.kind for choice in choices]
    assert kinds == sorted(kinds, key=lambda kind: kind != "lesion")  # lesions first, then anatomy
    assert all(modality in choice.modalities and choice.japanese for choice in choices)


def test_without_a_modality_every_finding_is_offered():
    assert len(findingChoices(None)) == len(findingChoices("CT")) + len(findingChoices("MR")) - len(
        [c for c in findingChoices("CT") if "MR" in c.modalities]
    )


def test_hint_reads_air_as_ct_and_the_dicom_tag_first(sample_node, scene):
    assert modalityHint(sample_node) == "CT"
    assert modalityHint(None) is None
    mr = scene.AddNewNodeByClass("vtkMRMLScalarVolumeNode", "flair")
    image = slicer.util.arrayFromVolume(sample_node)
    mr.Copy(sample_node)
    slicer.util.updateVolumeFromArray(mr, (image - image.min()).astype(np.float32))
    assert modalityHint(mr) == "MR"
    hierarchy = slicer.vtkMRMLSubjectHierarchyNode.ResolveSubjectHierarchy(scene)
    item = hierarchy.CreateItem(hierarchy.GetSceneItemID(), sample_node)
    hierarchy.SetItemAttribute(item, "DICOM.Modality", "MR")
    assert modalityHint(sample_node) == "MR"
