"""Finding a cohort's studies in a folder or a study list, and sharing them among ranks."""

from __future__ import annotations

from pathlib import Path

import pytest

from reinforcedvl.cohort import CohortRank, CohortStudy, find_studies
from reinforcedvl.errors import InputFileError

# rank, world size, expected studies of ten (s0..s9)
SHARE_CASES = [(0, 1, list(range(10))), (0, 2, [0, 2, 4, 6, 8]), (1, 2, [1, 3, 5, 7, 9]), (2, 3, [2, 5, 8])]


@pytest.mark.parametrize(("rank", "world_size", "expected"), SHARE_CASES)
def test_each_rank_takes_every_world_size_th_study(rank, world_size, expected):
    studies = [CohortStudy(f"s{n}", ()) for n in range(10)]
    share = CohortRank(rank, world_size, rank, world_size).share(studies)
    assert [study.study_id for study in share] == [f"s{n}" for n in expected]


def test_a_folder_holds_one_study_per_volume_file_or_dicom_folder(shared_data, tmp_path):
    (tmp_path / "b.nii.gz").symlink_to(shared_data / "lidc_nodules" / "image" / "LIDC-IDRI-0001_R_1.nii.gz")
    (tmp_path / "a.nrrd").write_bytes(b"")
    (tmp_path / "ct").symlink_to(shared_data / "dcmqi_dicom_seg" / "ct-3slice", target_is_directory=True)
    (tmp_path / "notes.txt").write_text("not a study")
    (tmp_path / ".hidden.nii.gz").write_bytes(b"")
    studies = find_studies(tmp_path)
    assert [(s.study_id, s.images) for s in studies] == [
        ("a", (tmp_path / "a.nrrd",)),
        ("b", (tmp_path / "b.nii.gz",)),
        ("ct", (tmp_path / "ct",)),
    ]


def test_a_study_list_names_the_channels_of_each_study(tmp_path):
    (tmp_path / "list.csv").write_text(
        "# study,channels\nbrats-1, flair.nii.gz ,t1c.nii.gz\n\nlidc-2,/data/crop.nii.gz\n", encoding="utf-8"
    )
    studies = find_studies(tmp_path / "list.csv")
    assert [(s.study_id, s.images) for s in studies] == [
        ("brats-1", (tmp_path / "flair.nii.gz", tmp_path / "t1c.nii.gz")),
        ("lidc-2", (Path("/data/crop.nii.gz"),)),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,x.nii.gz\na,y.nii.gz\n", "names the study 'a' twice"),
        ("a/b,x.nii.gz\n", "cannot name a folder"),
        ("lonely\n", "line 1: expected 'study_id,image"),
        ("# nothing\n", "names no study"),
    ],
)
def test_bad_study_lists_are_explained(tmp_path, content, message):
    (tmp_path / "list.csv").write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError, match=message):
        find_studies(tmp_path / "list.csv")


def test_a_source_that_is_neither_is_explained(tmp_path):
    with pytest.raises(InputFileError, match="neither a folder of studies nor a study list"):
        find_studies(tmp_path / "missing.json")
