"""The rows of the Models table: installed models and published ones that can be downloaded."""

from __future__ import annotations

from dataclasses import dataclass

from reinforcedvl.model_store.downloads import ManifestEntry
from reinforcedvl.model_store.registry import InstalledModel

__all__ = ["ModelRow", "modelRows"]


@dataclass(frozen=True)
class ModelRow:
    """One line of the Models table, and what can be done with it."""

    modelId: str
    version: str
    status: str
    size: str
    licence: str
    modalities: str
    installed: bool
    canDownload: bool
    canDelete: bool


def modelRows(installed: list[InstalledModel], published: list[ManifestEntry]) -> list[ModelRow]:
    """Installed models first (sorted by id), then published ones not installed, or installed at another version."""
    entries = {entry.model_id: entry for entry in published}
    rows = []
    for model in installed:
        entry = entries.get(model.model_id)
        newer = entry is not None and entry.version != model.version
        status = "shipped with ReinforcedVL" if model.bundled else "installed"
        rows.append(
            ModelRow(
                modelId=model.model_id,
                version=model.version,
                status=f"{status}; {entry.version} available" if newer else status,
                size=_megabytes(entry.size_bytes) if entry else "",
                licence=entry.licence if entry else "",
                modalities="/".join(entry.modalities) if entry else "",
                installed=True,
                canDownload=newer,
                canDelete=not model.bundled,
            )
        )
    installedIds = {model.model_id for model in installed}
    for entry in published:
        if entry.model_id not in installedIds:
            rows.append(
                ModelRow(
                    modelId=entry.model_id,
                    version=entry.version,
                    status="not installed",
                    size=_megabytes(entry.size_bytes),
                    licence=entry.licence,
                    modalities="/".join(entry.modalities),
                    installed=False,
                    canDownload=True,
                    canDelete=False,
                )
            )
    return rows


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.0f} MB"
