"""report.json and report.md of a grounded report: the schema's keys, the links, the headings per language."""

from __future__ import annotations

import json

import numpy as np
import pytest

from geometry_helpers import affine_from, ellipsoid_mask
from reinforcedvl.report import REPORT_SCHEMA, PolishOutcome, build_report, finding_from_mask
from reinforcedvl.volume import LabelMap, ScalarVolume


@pytest.fixture(scope="module")
def findings_and_image():
    """Two nodules, right (RAS x about 18 mm) and left (x about -6 mm), and an absent finding."""
    affine = affine_from((0.8, 0.8, 2.0), origin=(30.0, 25.0, -20.0), direction=np.diag([-1.0, -1.0, 1.0]))
    shape = (60, 50, 16)
    grid = LabelMap(np.zeros((1, *shape), np.uint8), affine)
    labels = np.zeros(shape, np.uint8)
    labels[ellipsoid_mask(shape, affine, grid.voxel_to_ras([[15, 25, 8]])[0], (6.0, 6.0, 6.0))] = 1
    labels[ellipsoid_mask(shape, affine, grid.voxel_to_ras([[45, 25, 8]])[0], (4.0, 4.0, 4.0))] = 1
    image = ScalarVolume(np.where(labels > 0, 40.0, -850.0)[None].astype(np.float32), affine, name="chest.nrrd")
    empty = LabelMap(np.zeros((1, *shape), np.uint8), affine)
    return image, [
        finding_from_mask(LabelMap(labels[None], affine), "solid lung nodule"),
        finding_from_mask(empty, "ground-glass lung nodule"),
    ]


def test_report_json_schema(findings_and_image):
    image, findings = findings_and_image
    document = json.loads(json.dumps(build_report(image, findings, "en").to_dict()))
    assert document["schema"] == REPORT_SCHEMA and document["language"] == "en"
    assert document["image"] == "chest.nrrd" and document["modality"] == "CT" and document["polish"] is None
    assert [f["present"] for f in document["findings"]] == [True, False]
    assert [f["lesion_count"] for f in document["findings"]] == [2, 0]
    sections = [s["section"] for s in document["sentences"]]
    assert sections == ["findings", "findings", "findings", "impression", "impression"]
    first = document["sentences"][0]["links"]
    assert set(first) == {
        "prompt",
        "segment_id",
        "lesion_id",
        "measurement_keys",
        "slice_index",
        "slice_axis",
        "centroid_ras",
    }
    assert first["segment_id"] == "lesion_1" and first["prompt"] == "solid lung nodule" and first["slice_index"] == 8
    lesion = document["findings"][0]["lesions"][0]
    assert lesion["centroid_ras"] == first["centroid_ras"]
    assert lesion["description"]["location"]["laterality"] == "right"
    assert document["findings"][0]["lesions"][1]["description"]["location"]["laterality"] == "left"


def test_markdown_sections_links_and_table(findings_and_image):
    image, findings = findings_and_image
    report = build_report(image, findings, "en")
    markdown = report.to_markdown()
    assert markdown.startswith("# ReinforcedVL report\n")
    assert markdown.index("## Findings") < markdown.index("### solid lung nodule (probability 1.00)")
    assert markdown.index("### ground-glass lung nodule (probability 0.00)") < markdown.index("## Impression")
    for sentence in report.sentences:
        assert f"- {sentence.text} <sub>[" in markdown
    assert "segment `lesion_2` · slice 8 (axis 2)" in markdown
    assert "| 1 | yellow |" in markdown and "| 2 | cyan |" in markdown
    japanese = build_report(image, findings, "ja").to_markdown()
    assert "## 所見" in japanese and "## 印象" in japanese and "| 1 | 黄 |" in japanese


def test_a_refused_rewrite_is_mentioned_but_not_shown(findings_and_image):
    image, findings = findings_and_image
    report = build_report(image, findings, "en").with_polish(PolishOutcome(False, "sides differ", "http://x", "bad"))
    markdown = report.to_markdown()
    assert "> Language-model rewrite not used: sides differ" in markdown and "bad" not in markdown
    assert report.to_dict()["polish"] == {
        "accepted": False,
        "reason": "sides differ",
        "source": "http://x",
        "text": "bad",
    }
