"""The finding matcher with the real text encoder and the starter's declared scope: paraphrases land on their
finding, untrained findings and nonsense land nowhere, a side named is respected, Japanese pick-list names are read
as their English twins."""

from __future__ import annotations

import pytest

from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID, installed_models
from reinforcedvl.scope import CheckpointScope, FindingMatcher


@pytest.fixture(scope="module")
def matcher(text_encoder) -> FindingMatcher:
    return FindingMatcher(text_encoder, CheckpointScope.from_metadata(installed_models()[DEFAULT_MODEL_ID].metadata))


SAME_MEANING = [
    ("whole tumor", "whole tumour"),
    ("peritumoural oedema", "peritumoral oedema"),
    ("vasogenic edema", "peritumoral oedema"),
    ("contrast enhancing tumor", "enhancing tumour"),
    ("solitary pulmonary nodule", "lung nodule"),
    ("the kidney on the left side", "left kidney"),
    ("the kidney on the right side", "right kidney"),
    ("pancreas parenchyma", "pancreas"),
    ("sharply marginated ovoid lung nodule measuring 10 mm", "lung nodule"),
    ("脳腫瘍全体", "whole tumour"),
    ("すりガラス状肺結節", "lung nodule"),
]


@pytest.mark.parametrize(("description", "finding"), SAME_MEANING)
def test_paraphrases_and_spellings_land_on_their_finding(matcher, description, finding):
    match = matcher.match(description)
    assert match.finding == finding, match.reason
    assert match.family is not None and finding in match.family.findings


@pytest.mark.parametrize("description", ["metastasis in the liver", "kidney cyst", "tension pneumothorax", "hello"])
def test_untrained_findings_and_nonsense_are_not_forced_into_a_family(matcher, description):
    match = matcher.match(description)
    assert match.finding is None and match.family is None and match.reason


def test_a_description_that_could_be_either_kidney_names_both(matcher):
    match = matcher.match("kidney")
    assert match.finding is None and "left kidney" in match.reason and "right kidney" in match.reason


def test_the_declared_scope_reads_its_families():
    scope = CheckpointScope.from_metadata(installed_models()[DEFAULT_MODEL_ID].metadata)
    assert {family.family_id for family in scope.families} == {"brain-tumour", "lung-nodule", "abdominal-organ"}
    assert scope.family_of("whole tumour").modalities[0].value == "MR"
