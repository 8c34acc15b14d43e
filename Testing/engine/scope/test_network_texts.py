"""What the network reads for an accepted finding: the checkpoint's scope says (by default the canonical
description), and several texts are read as one answer (the mean of the network's answers)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from reinforcedvl.errors import ReinforcedVLError
from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID, installed_models
from reinforcedvl.predictor import mean_answer
from reinforcedvl.scope import CheckpointScope


@pytest.fixture(scope="module")
def metadata() -> dict:
    return installed_models()[DEFAULT_MODEL_ID].metadata


def _with_texts(metadata: dict, texts: object) -> dict:
    changed = copy.deepcopy(metadata)
    brain = next(f for f in changed["scope"]["families"] if f["id"] == "brain-tumour")
    brain["network_texts"] = texts
    return changed


def test_by_default_the_network_reads_the_canonical_description(metadata):
    scope = CheckpointScope.from_metadata(metadata)
    assert all(scope.network_texts(finding) == (finding,) for finding in scope.findings)


def test_the_scope_can_name_the_texts_the_network_reads_for_a_finding(metadata):
    texts = ["entire tumour including oedema", "glioma with surrounding oedema"]
    scope = CheckpointScope.from_metadata(_with_texts(metadata, {"whole tumour": texts}))
    assert scope.network_texts("whole tumour") == tuple(texts)
    assert scope.network_texts("tumour core") == ("tumour core",)


@pytest.mark.parametrize(
    "texts", [{"liver": ["liver"]}, {"whole tumour": []}, {"whole tumour": "whole tumour"}, ["whole tumour"]]
)
def test_network_texts_for_another_familys_finding_or_not_a_list_is_refused(metadata, texts):
    with pytest.raises(ReinforcedVLError, match="network_texts"):
        CheckpointScope.from_metadata(_with_texts(metadata, texts))


def test_the_mean_answer_averages_existence_evidence_and_probability():
    evidence = torch.full((1, 4, 4, 4), 0.2), torch.full((1, 4, 4, 4), 0.6)
    present = (torch.full((1, 4, 4, 4), 0.8), evidence[0], 0.9)
    absent = (None, evidence[1], 0.3)
    probability, mean_evidence, existence = mean_answer([present, absent], existence_threshold=0.5)
    assert existence == pytest.approx(0.6)
    assert torch.allclose(mean_evidence, torch.full((1, 4, 4, 4), 0.4))
    assert torch.allclose(probability, torch.full((1, 4, 4, 4), 0.4))  # the absent text counts as 0


def test_the_mean_answer_is_absent_when_the_mean_existence_is_under_the_threshold():
    evidence = torch.zeros((1, 2, 2, 2))
    answers = [(torch.ones((1, 2, 2, 2)), evidence, 0.6), (None, evidence, 0.1)]
    probability, _, existence = mean_answer(answers, existence_threshold=0.5)
    assert probability is None and existence == pytest.approx(0.35)


def test_one_text_is_its_own_answer():
    answer = (torch.ones((1, 2, 2, 2)), torch.zeros((1, 2, 2, 2)), 0.7)
    assert mean_answer([answer], existence_threshold=0.5) is answer


@pytest.fixture(scope="module")
def nodule_predictor(shared_data):
    from reinforcedvl.io import read_image
    from reinforcedvl.predictor import Predictor

    predictor = Predictor.from_model(DEFAULT_MODEL_ID, device="cpu")
    predictor.set_volume(read_image(shared_data / "lidc_nodules/image/LIDC-IDRI-0003_R_2.nii.gz"))
    return predictor


def _reading(predictor, metadata: dict, texts: list[str]):
    from reinforcedvl.scope import FindingMatcher, ScopeGate

    changed = copy.deepcopy(metadata)
    nodule = next(f for f in changed["scope"]["families"] if f["id"] == "lung-nodule")
    nodule["network_texts"] = {"lung nodule": texts}
    predictor.scope_gate = ScopeGate(FindingMatcher(predictor.text_encoder, CheckpointScope.from_metadata(changed)))
    return predictor


def test_the_network_reads_the_scopes_texts_and_averages_them(nodule_predictor, metadata):
    gate = nodule_predictor.scope_gate
    try:
        alone = {}
        for text in ("pulmonary nodule", "nodular opacity"):
            alone[text] = _reading(nodule_predictor, metadata, [text]).segment("spiculated solid nodule measuring 9 mm")
        both = _reading(nodule_predictor, metadata, ["pulmonary nodule", "nodular opacity"])
        mean = both.segment("ill-defined lung nodule")
        point = both.segment("ill-defined lung nodule", points=[_point_in(mean)])
    finally:
        nodule_predictor.scope_gate = gate
    assert all(result.finding == "lung nodule" for result in (*alone.values(), mean, point))
    first, second = (alone[text] for text in ("pulmonary nodule", "nodular opacity"))
    mean_of_two = (first.present_probability + second.present_probability) / 2
    assert mean.present_probability == pytest.approx(mean_of_two, abs=1e-5)  # to float32 rounding
    assert not np.allclose(first.evidence_map.array, second.evidence_map.array, atol=1e-3)  # two readings differ
    expected = (first.evidence_map.array + second.evidence_map.array) / 2
    assert np.allclose(mean.evidence_map.array, expected, atol=1e-3)  # ...and the answer is their mean
    assert point.status.value == "present" and point.lesions


def _point_in(result):
    from reinforcedvl.spatial.prompts import PromptPoint

    lesion = result.lesions[0]
    return PromptPoint(ras=tuple(lesion.centroid_ras), positive=True)


def test_a_repeated_click_read_in_several_texts_computes_no_window_again(nodule_predictor, metadata, monkeypatch):
    """Each network text keeps its own windows' outputs: asking the same click again grounds no window anew."""
    gate = nodule_predictor.scope_gate
    try:
        both = _reading(nodule_predictor, metadata, ["pulmonary nodule", "nodular opacity"])
        point = _point_in(both.segment("ill-defined lung nodule"))
        first = both.segment("ill-defined lung nodule", points=[point])
        grounded = []
        original = both.network.ground
        monkeypatch.setattr(both.network, "ground", lambda *a, **k: grounded.append(1) or original(*a, **k))
        again = both.segment("ill-defined lung nodule", points=[point])
    finally:
        nodule_predictor.scope_gate = gate
    assert grounded == []
    assert np.array_equal(again.lesion_map.array, first.lesion_map.array) and again.lesions
