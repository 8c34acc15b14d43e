"""The Models table: installed before published, newer versions offered, bundled models kept."""

from __future__ import annotations

from pathlib import Path

from reinforcedvl.model_store.downloads import ManifestEntry
from reinforcedvl.model_store.registry import InstalledModel
from ReinforcedVLLib.model_catalog import modelRows


def _entry(model_id: str, version: str) -> ManifestEntry:
    url = f"https://example.org/{model_id}.zip"
    return ManifestEntry(model_id, version, url, "0" * 64, 250_000_000, "CC BY 4.0", ("CT", "MR"))


def test_rows_say_what_can_be_done_with_each_model():
    installed = [
        InstalledModel("reinforcedvl-starter", "0.1.0", Path("/bundled/reinforcedvl-starter"), bundled=True),
        InstalledModel("site-finetuned", "2", Path("/home/u/.reinforcedvl/models/site-finetuned"), bundled=False),
    ]
    published = [_entry("reinforcedvl-starter", "0.2.0"), _entry("reinforcedvl-brain", "1.0.0")]
    rows = modelRows(installed, published)
    assert [(r.modelId, r.status, r.canDownload, r.canDelete) for r in rows] == [
        ("reinforcedvl-starter", "shipped with ReinforcedVL; 0.2.0 available", True, False),
        ("site-finetuned", "installed", False, True),
        ("reinforcedvl-brain", "not installed", True, False),
    ]
    brain = rows[2]
    assert (brain.size, brain.licence, brain.modalities, brain.installed) == ("250 MB", "CC BY 4.0", "CT/MR", False)
