"""DICOM series whose slice positions cannot give a spacing are refused, never read with invented 1 mm slices:
damaged copies of the real TotalSegmentator CT series (positions missing, duplicated, uneven, tilted, mixed
orientations), and the intact series read with its true 2 mm spacing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
import pytest

from reinforcedvl.cli.main import main
from reinforcedvl.errors import InputFileError
from reinforcedvl.io import read_image


def _damaged_copy(shared_data: Path, tmp_path: Path, damage: Callable[[int, pydicom.Dataset], None]) -> Path:
    """A copy of the shared CT series with ``damage(index, dataset)`` applied to each slice (in position order)."""
    source = shared_data / "totalsegmentator_examples" / "ct_dicom"
    files = sorted(
        source.iterdir(), key=lambda f: -float(pydicom.dcmread(f, stop_before_pixels=True)[0x0020, 0x0032][2])
    )
    folder = tmp_path / "series"
    folder.mkdir()
    for index, path in enumerate(files):
        dataset = pydicom.dcmread(path)
        damage(index, dataset)
        dataset.save_as(folder / path.name)
    return folder


def _drop_position(every: int) -> Callable[[int, pydicom.Dataset], None]:
    def damage(index: int, dataset: pydicom.Dataset) -> None:
        if index % every == 0:
            del dataset.ImagePositionPatient

    return damage


def _duplicate_positions(index: int, dataset: pydicom.Dataset) -> None:
    if index % 2 == 1:
        position = [float(v) for v in dataset.ImagePositionPatient]
        dataset.ImagePositionPatient = [position[0], position[1], position[2] + 2.0]  # onto the previous slice


def _missing_slice(index: int, dataset: pydicom.Dataset) -> None:
    if index >= 10:
        position = [float(v) for v in dataset.ImagePositionPatient]
        dataset.ImagePositionPatient = [position[0], position[1], position[2] - 4.0]  # a gap of 6 mm after slice 9


def _tilted(index: int, dataset: pydicom.Dataset) -> None:
    position = [float(v) for v in dataset.ImagePositionPatient]
    dataset.ImagePositionPatient = [position[0], position[1] + 0.5 * index, position[2]]


def _mixed_orientation(index: int, dataset: pydicom.Dataset) -> None:
    if index == 7:
        dataset.ImageOrientationPatient = [0, 1, 0, 0, 0, -1]


def _garbled_position(index: int, dataset: pydicom.Dataset) -> None:
    if index == 3:
        dataset.ImagePositionPatient = [1.0, 2.0]


CASES = {
    "every position missing": (_drop_position(1), "no usable Image Position"),
    "one position missing": (_drop_position(20), "no usable Image Position"),
    "positions duplicated": (_duplicate_positions, "distinct slice positions"),
    "a slice missing": (_missing_slice, "not evenly spaced"),
    "gantry tilt": (_tilted, "shifted within their planes"),
    "orientations mixed": (_mixed_orientation, "different orientations"),
    "position with two values": (_garbled_position, "no usable Image Position"),
}


@pytest.mark.parametrize("case", CASES)
def test_series_without_a_knowable_spacing_is_refused(shared_data, tmp_path, case):
    damage, message = CASES[case]
    folder = _damaged_copy(shared_data, tmp_path, damage)
    with pytest.raises(InputFileError, match=message):
        read_image(folder)


def test_the_intact_series_keeps_its_true_spacing(shared_data, tmp_path):
    folder = _damaged_copy(shared_data, tmp_path, lambda index, dataset: None)
    volume = read_image(folder)
    np.testing.assert_allclose(volume.spacing, (0.9765625, 0.9765625, 2.0), atol=1e-6)


def test_segment_refuses_such_a_series_with_a_message_and_no_output(shared_data, tmp_path, capsys):
    folder = _damaged_copy(shared_data, tmp_path, _duplicate_positions)
    out = tmp_path / "out"
    code = main(["segment", str(folder), "--prompt", "liver lesion", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2 and "distinct slice positions" in captured.err and "Traceback" not in captured.err
    assert not (out / "result.json").exists()
