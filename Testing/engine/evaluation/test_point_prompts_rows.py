"""Rows of ``reinforcedvl evaluate-points``' whole-study part for answers the scope gate does not assess (no
probability), with the shipped starter on the bundled LIDC sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reinforcedvl.evaluation.point_prompts import _whole_row
from reinforcedvl.evaluation.point_summary import points_markdown, summarize_points
from reinforcedvl.io import read_image
from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID
from reinforcedvl.predictor import Predictor
from reinforcedvl.spatial.prompts import PromptPoint

SAMPLE = Path(__file__).resolve().parents[3] / "Resources" / "Samples" / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"


def test_a_finding_out_of_scope_gives_a_row_and_a_table_line():
    volume = read_image(SAMPLE)
    predictor = Predictor.from_model(DEFAULT_MODEL_ID, device="cpu")
    predictor.set_volume(volume)
    click = volume.voxel_to_ras((np.asarray(volume.spatial_shape) - 1) / 2)[0]
    text_only = predictor.segment("enhancing tumour")
    clicked = predictor.segment("enhancing tumour", points=[PromptPoint(tuple(click))])
    assert text_only.present_probability is None  # a brain finding in a chest CT crop: not assessed
    rows = [
        _whole_row("sample", "enhancing tumour", 0, volume, text_only, None, 0.1),
        _whole_row("sample", "enhancing tumour", 1, volume, clicked, click, 0.1),
    ]
    assert [row["status"] for row in rows] == ["not_assessed", "not_assessed"]
    assert rows[0]["present_probability"] is None and rows[1]["farthest_lesion_mm"] == 0.0
    table = points_markdown(summarize_points([], [], rows), "sample")
    assert "| sample | enhancing tumour | 0 (0.00) | 0.00 (0.00) | 0 | 0.0 | 2 |" in table
