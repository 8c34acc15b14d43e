"""The grounded report: absent findings, one lesion, many lesions, a lesion at the border; links and numbers."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from geometry_helpers import affine_from, ellipsoid_mask
from reinforcedvl.errors import GridMismatchError
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.lesions import Lesion
from reinforcedvl.predictor import FindingResult
from reinforcedvl.report import ReportFinding, build_report, finding_from_mask
from reinforcedvl.volume import LabelMap, ScalarVolume

LESION_KEYS = {"id", "color_name", "voxels", "volume_ml", "long_axis_mm", "short_axis_mm", "centroid_ras", "confidence"}


def _numbers(text: str) -> list[str]:
    return re.findall(r"-?\d+(?:\.\d+)?", text)


def _chest(centres_radii, shape=(80, 70, 24), spacing=(0.8, 0.8, 2.0)):
    """A synthetic CT on an LPS-like grid: air-like lung (-850 HU) with soft-tissue balls (40 HU)."""
    affine = affine_from(spacing, origin=(30.0, 25.0, -20.0), direction=np.diag([-1.0, -1.0, 1.0]))
    labels = np.zeros(shape, np.uint8)
    grid = LabelMap(labels[None], affine)
    for value, (centre_ijk, radius) in enumerate(centres_radii, start=1):
        centre = grid.voxel_to_ras([centre_ijk])[0]
        labels[ellipsoid_mask(shape, affine, centre, (radius, radius, radius))] = value
    image = np.where(labels > 0, 40.0, -850.0) + np.random.default_rng(0).normal(0, 10, shape)
    return ScalarVolume(image[None].astype(np.float32), affine, name="chest"), LabelMap(
        labels[None], affine, name="mask"
    )


def test_a_finding_not_assessed_says_so_with_its_reason_and_no_probability():
    image, _ = _chest([])
    empty = LabelMap(np.zeros((1, *image.spatial_shape), np.uint16), image.affine)
    reason = "not assessed: this model was trained to find lung nodule in chest CT only; this study is MR"
    finding = ReportFinding("lung nodule", None, False, (), empty, status="not_assessed", reason=reason)
    english = build_report(image, [finding], "en")
    assert english.sentences[0].text == (
        "Lung nodule: not assessed (this model was trained to find lung nodule in chest CT only; this study is MR); "
        "nothing is drawn."
    )
    assert english.to_dict()["findings"][0]["status"] == "not_assessed"
    assert english.to_dict()["findings"][0]["present_probability"] is None
    assert "### lung nodule (not assessed)" in english.to_markdown()
    japanese = build_report(image, [finding], "ja")
    assert japanese.sentences[0].text.startswith("肺結節は評価していません。")
    assert "### 肺結節 (評価対象外)" in japanese.to_markdown()


def test_an_absent_finding_is_an_explicit_negative_with_its_probability():
    image, _ = _chest([])
    empty = LabelMap(np.zeros((1, *image.spatial_shape), np.uint16), image.affine)
    finding = ReportFinding("ground-glass lung nodule", 0.031, False, (), empty)
    for language, text in (
        ("en", "No ground-glass lung nodule identified; probability 0.03."),
        ("ja", "すりガラス状肺結節は認めません（確率 0.03）。"),
    ):
        report = build_report(image, [finding], language)
        assert [s.text for s in report.sentences] == [text, text]
        assert [s.section for s in report.sentences] == ["findings", "impression"]
        assert report.sentences[0].segment_id is None and report.sentences[0].lesion_id is None
        assert report.sentences[0].measurement_keys == ("present_probability",)
        assert report.to_dict()["findings"][0] == {
            "prompt": "ground-glass lung nodule",
            "name": "ground-glass lung nodule" if language == "en" else "すりガラス状肺結節",
            "present": False,
            "status": "absent",
            "reason": "",
            "present_probability": 0.031,
            "lesion_count": 0,
            "segmentation": None,
            "lesions": [],
        }


def test_one_lesion_sentence_links_and_numbers():
    image, mask = _chest([((40, 35, 12), 6.0)])
    finding = finding_from_mask(mask, "solid lung nodule")
    report = build_report(image, [finding], "en")
    sentence, impression = report.sentences
    lesion = finding.lesions[0]
    assert sentence.text.startswith("Lesion 1 (yellow): solid lung nodule, ")
    assert f"{lesion.long_axis_mm:.1f} x {lesion.short_axis_mm:.1f} mm" in sentence.text
    assert "round" in sentence.text and "hyperdense" in sentence.text and sentence.text.endswith("confidence 1.00.")
    assert (sentence.segment_id, sentence.lesion_id, sentence.slice_axis) == ("lesion_1", 1, 2)
    assert sentence.slice_index == lesion.axial_slice_index == 12
    assert sentence.centroid_ras == lesion.centroid_ras
    assert {"long_axis_mm", "short_axis_mm", "volume_ml", "confidence"} <= set(sentence.measurement_keys)
    assert impression.text.startswith("Solid lung nodule: 1 lesion (probability 1.00), lesion 1 (yellow), ")
    entry = report.to_dict()["findings"][0]["lesions"][0]
    assert LESION_KEYS <= set(entry) and entry["segment_id"] == "lesion_1"
    assert {key: entry[key] for key in LESION_KEYS} == lesion.to_dict()
    for key in sentence.measurement_keys:  # every quoted key exists in the lesion entry
        value = entry
        for part in key.split("."):
            value = value[int(part)] if isinstance(value, list) else value[part]


def test_many_lesions_numbered_by_size_with_colours_and_count():
    image, mask = _chest([((20, 20, 12), 4.0), ((55, 45, 12), 7.0), ((40, 15, 6), 5.0)])
    finding = finding_from_mask(mask, "solid lung nodule")
    report = build_report(image, [finding], "en")
    findings = report.section("findings")
    assert [s.lesion_id for s in findings] == [1, 2, 3]
    assert [s.text.split(":")[0] for s in findings] == ["Lesion 1 (yellow)", "Lesion 2 (cyan)", "Lesion 3 (magenta)"]
    volumes = [entry["volume_ml"] for entry in report.to_dict()["findings"][0]["lesions"]]
    assert volumes == sorted(volumes, reverse=True)
    (impression,) = report.section("impression")
    assert "3 lesions" in impression.text and "the largest, lesion 1 (yellow)" in impression.text
    assert impression.lesion_id == 1 and "lesion_count" in impression.measurement_keys


def test_english_and_japanese_reports_quote_the_same_numbers():
    image, mask = _chest([((20, 20, 12), 4.0), ((55, 45, 12), 7.0)])
    finding = finding_from_mask(mask, "solid lung nodule")
    english, japanese = build_report(image, [finding], "en"), build_report(image, [finding], "ja")
    for first, second in zip(english.sentences, japanese.sentences, strict=True):
        assert _numbers(first.text) == _numbers(second.text)
        assert first.links() == second.links()
    assert japanese.sentences[0].text.startswith("病変1（黄）：充実性肺結節、")
    english_entries = english.to_dict()["findings"][0]["lesions"]
    japanese_entries = japanese.to_dict()["findings"][0]["lesions"]
    assert [{k: v for k, v in e.items() if k != "text"} for e in english_entries] == [
        {k: v for k, v in e.items() if k != "text"} for e in japanese_entries
    ]
    assert english_entries[0]["text"].startswith("Lesion 1") and japanese_entries[0]["text"].startswith("病変1")


def test_a_lesion_touching_the_border_is_flagged_in_words_and_links():
    image, mask = _chest([((40, 35, 1), 6.0)])  # cut by the first slice
    report = build_report(image, [finding_from_mask(mask, "solid lung nodule")], "en")
    sentence = report.sentences[0]
    assert sentence.text.endswith("It reaches the edge of the image, so it may be larger than measured.")
    assert "touches_border" in sentence.measurement_keys
    assert report.to_dict()["findings"][0]["lesions"][0]["touches_border"] is True
    japanese = build_report(image, [finding_from_mask(mask, "solid lung nodule")], "ja")
    assert japanese.sentences[0].text.endswith("画像の端に接しており、実際はより大きい可能性があります。")


def test_a_model_finding_result_is_reported_with_its_confidence(ct_with_sphere):
    image, mask = ct_with_sphere
    from_mask = finding_from_mask(mask, "solid nodule")
    lesion = from_mask.lesions[0]
    model_lesion = Lesion(**{**lesion.__dict__, "confidence": 0.8731})
    evidence = ScalarVolume(np.zeros((1, *image.spatial_shape), np.float32), image.affine)
    result = FindingResult("solid nodule", 0.97, True, [model_lesion], from_mask.lesion_map, evidence, 1.0)
    report = build_report(image, [result], "en")
    assert report.sentences[0].text.endswith("confidence 0.87.")
    assert "(probability 0.97)" in report.sentences[1].text


def test_the_lesion_steps_axes_are_quoted_and_an_edited_lesion_is_measured_again(ct_with_sphere):
    image, mask = ct_with_sphere
    from_mask = finding_from_mask(mask, "solid nodule")
    lesion = from_mask.lesions[0]
    marked = Lesion(**{**lesion.__dict__, "long_axis_mm": 99.0})  # as if the lesion step had measured 99 mm
    finding = ReportFinding("solid nodule", 1.0, True, (marked,), from_mask.lesion_map)
    assert ", 99.0 x " in build_report(image, [finding], "en").sentences[0].text

    grown = from_mask.lesion_map.array.copy()
    i, j, k = (axis.max() for axis in np.nonzero(grown[0]))
    grown[0, i + 1, j, k] = 1  # a voxel added in an editor: the lesion step's figures no longer hold
    edited = ReportFinding("solid nodule", 1.0, True, (marked,), LabelMap(grown, from_mask.lesion_map.affine))
    sentence = build_report(image, [edited], "en").sentences[0].text
    assert ", 99.0 x " not in sentence and f", {lesion.long_axis_mm:.1f} x " in sentence


def test_brats_report_with_labels_per_finding(shared_data):
    case = shared_data / "brats2015" / "brats_2013_pat0003_1"
    image = read_image([case / "Flair_subtrMeanDivStd.nii.gz", case / "T1c_subtrMeanDivStd.nii.gz"])
    labels = read_label_map(case / "OTMultiClass.nii.gz")
    findings = [
        finding_from_mask(labels, "enhancing tumour", labels=[4]),
        finding_from_mask(labels, "peritumoral oedema", labels=[2]),
    ]
    report = build_report(image, findings, "en", channel_names=["FLAIR", "T1c"])
    assert report.modality == "MR"
    enhancing = [s for s in report.section("findings") if s.prompt == "enhancing tumour"]
    assert enhancing[0].text.startswith("Lesion 1 (yellow): enhancing tumour, ")
    assert "hyperintense on T1c" in enhancing[0].text
    oedema = report.to_dict()["findings"][1]
    # BraTS pat0003 oedema: 148 mL in SOURCE.md's figures for this case family; the largest piece dominates
    assert oedema["lesions"][0]["volume_ml"] > 100
    assert "hyperintense on FLAIR" in oedema["lesions"][0]["text"]


def test_a_lesion_map_on_another_grid_is_refused():
    image, mask = _chest([((40, 35, 12), 6.0)])
    finding = finding_from_mask(mask, "nodule")
    other = ScalarVolume(image.array, affine_from((1.0, 1.0, 1.0)))
    with pytest.raises(GridMismatchError, match="Resample"):
        build_report(other, [finding])
    with pytest.raises(ValueError, match="'en' or 'ja'"):
        build_report(image, [finding], "de")  # type: ignore[arg-type]


def test_reporting_in_slicers_process_loads_no_torch_monai_or_transformers():
    """The Slicer module may build reports in Slicer's own process: with the modality given, nothing heavy loads."""
    script = (
        "import sys\n"
        "import numpy as np\n"
        "from reinforcedvl.report import build_report, finding_from_mask\n"
        "from reinforcedvl.volume import LabelMap, ScalarVolume\n"
        "labels = np.zeros((1, 20, 20, 5), np.uint8); labels[0, 5:10, 5:10, 1:3] = 1\n"
        "image = ScalarVolume(np.where(labels, 40.0, -800.0).astype(np.float32), np.eye(4))\n"
        "finding = finding_from_mask(LabelMap(labels, np.eye(4)), 'nodule')\n"
        "print(build_report(image, [finding], 'ja', modality='CT').sentences[0].text)\n"
        "print(sorted(m for m in ('torch', 'monai', 'transformers', 'nibabel') if m in sys.modules))\n"
    )
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    sentence, loaded = output.strip().splitlines()
    assert sentence.startswith("病変1（黄）：「nodule」、") and loaded == "[]"
