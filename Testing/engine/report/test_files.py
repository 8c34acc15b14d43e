"""report.md and report.json on disk: UTF-8, both at once, never over an earlier report unless asked."""

from __future__ import annotations

import json

import pytest

from reinforcedvl.errors import OutputExistsError
from reinforcedvl.report import build_report, finding_from_mask, write_report_files


def test_files_are_written_and_not_overwritten_silently(tmp_path, ct_with_sphere):
    image, mask = ct_with_sphere
    report = build_report(image, [finding_from_mask(mask, "solid lung nodule")], "ja")
    markdown, document = write_report_files(report, tmp_path / "out")
    assert markdown.read_text(encoding="utf-8") == report.to_markdown()
    assert json.loads(document.read_text(encoding="utf-8")) == json.loads(json.dumps(report.to_dict()))
    assert "充実性肺結節" in document.read_text(encoding="utf-8")  # not escaped
    with pytest.raises(OutputExistsError, match="--overwrite"):
        write_report_files(report, tmp_path / "out")
    write_report_files(report, tmp_path / "out", overwrite=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.json", "report.md"]
