"""Triplet manifests from the real shared data: sources, splits, wording variety, absent probes."""

from __future__ import annotations

import collections

import pytest

from reinforcedvl.data.build_manifest import build_triplets
from reinforcedvl.data.lidc_triplets import lidc_split
from reinforcedvl.data.manifest import Triplet, read_manifest, write_manifest


@pytest.fixture(scope="module")
def triplets(shared_data) -> list[Triplet]:
    return build_triplets(shared_data, seed=0)


def test_every_source_and_split_is_there(triplets):
    counts = collections.Counter((t.source, t.split, t.present) for t in triplets)
    for source in ("lidc", "brats", "totalsegmentator"):
        for present in (True, False):
            assert counts[(source, "train", present)] > 0, (source, present)
            assert counts[(source, "dev", present)] > 0, (source, present)
    assert counts[("lidc", "train", True)] + counts[("lidc", "dev", True)] == 794


def test_dev_patients_never_appear_in_training(triplets):
    train = {t.patient for t in triplets if t.split == "train"}
    dev = {t.patient for t in triplets if t.split == "dev"}
    assert not train & dev
    assert "brats_2013_pat0001_1" in dev
    assert lidc_split("LIDC-IDRI-0003") == "dev" and lidc_split("LIDC-IDRI-0004") == "train"


def test_lidc_descriptions_come_from_the_ratings(triplets):
    nodule = next(t for t in triplets if t.id == "lidc/LIDC-IDRI-0003_R_4")
    assert nodule.present and nodule.labels == (1,) and nodule.modality == "CT"
    assert len(nodule.descriptions) == 4
    words = " ".join(nodule.descriptions)
    assert "solid" in words  # rated Solid
    assert "ground-glass" not in words
    sided = [d for d in nodule.descriptions if "lung" in d and ("left" in d or "right" in d)]
    assert sided and all("right" in d for d in sided)  # world x of this nodule is -47 mm (LPS): the patient's right


def test_brats_subregions_map_to_their_labels(triplets):
    regions = {t.finding: t.labels for t in triplets if t.id.startswith("brats/brats_2013_pat0002_1/") and t.present}
    assert regions["enhancing tumour"] == (4,)
    assert regions["peritumoral oedema"] == (2,)
    assert regions["whole tumour"] == (1, 2, 3, 4)
    brats = next(t for t in triplets if t.source == "brats")
    assert [image.split("/")[-1] for image in brats.images] == [
        "Flair_subtrMeanDivStd.nii.gz",
        "T1c_subtrMeanDivStd.nii.gz",
    ]


def test_wording_varies_in_spelling_and_form(triplets):
    texts = [d for t in triplets for d in t.descriptions]
    assert any("tumor" in d for d in texts) and any("tumour" in d for d in texts)
    assert any("edema" in d for d in texts) and any("oedema" in d for d in texts)
    assert len(set(texts)) > 500


def test_absent_probes_cannot_be_true(triplets):
    absent = [t for t in triplets if not t.present]
    assert absent and all(t.labels == () for t in absent)
    on_lidc = [t for t in absent if t.source == "lidc"]
    assert all(not any("nodule" in d for d in t.descriptions) for t in on_lidc)
    on_brats = [t for t in absent if t.source == "brats"]
    assert all(not any("tumour" in d or "tumor" in d for d in t.descriptions) for t in on_brats)


def test_manifest_round_trip_and_errors(triplets, tmp_path):
    path = write_manifest(triplets[:20], tmp_path / "m.jsonl")
    assert read_manifest(path) == triplets[:20]
    assert all(t.split == "dev" for t in read_manifest(path, split="dev"))
    path.write_text(path.read_text() + '{"id": "broken"}\n')
    with pytest.raises(ValueError, match="line 21"):
        read_manifest(path)


def test_same_seed_same_manifest(shared_data, triplets):
    assert build_triplets(shared_data, seed=0)[:50] == triplets[:50]
