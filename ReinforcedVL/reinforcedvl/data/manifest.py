"""The triplet manifest: one JSON object per line, each an image-mask-description triplet.

Format (version 1), documented in ``docs/manifest.md``::

    {"id": "lidc/LIDC-IDRI-0003_R_4", "source": "lidc", "patient": "LIDC-IDRI-0003", "split": "dev",
     "modality": "CT", "images": ["lidc_nodules/image/LIDC-IDRI-0003_R_4.nii.gz"],
     "mask": "lidc_nodules/nodule_mask/LIDC-IDRI-0003_R_4.nii.gz", "labels": [1], "present": true,
     "finding": "lung nodule", "descriptions": ["solid lung nodule", "13 mm solid nodule in the left lung"]}

Paths are relative to a data root given when the manifest is used. ``labels`` are the mask values that together
make the finding (empty, with ``mask`` null or not, for an absent finding: ``present`` false). ``images`` are the
channels of one study, in the order the model reads them. A triplet from feedback on a prompt asked with points
also has ``spatial_prompts``: ``{"points": [{"ras": [R, A, S], "positive": true}], "box": null}`` (RAS mm); other
triplets leave the key out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["Triplet", "Split", "read_manifest", "write_manifest"]

Split = Literal["train", "dev"]


@dataclass(frozen=True)
class Triplet:
    """One image-mask-description triplet (see the module docstring for the meaning of each field)."""

    id: str
    source: str
    patient: str
    split: Split
    modality: str
    images: tuple[str, ...]
    mask: str | None
    labels: tuple[int, ...]
    present: bool
    finding: str
    descriptions: tuple[str, ...] = field(default_factory=tuple)
    spatial_prompts: dict | None = None

    def __post_init__(self) -> None:
        if self.split not in ("train", "dev"):
            raise ValueError(f"{self.id}: split must be train or dev, got {self.split!r}")
        if self.present and (self.mask is None or not self.labels):
            raise ValueError(f"{self.id}: a present finding needs a mask and label values")
        if not self.descriptions:
            raise ValueError(f"{self.id}: at least one description is needed")

    def to_json(self) -> str:
        """One manifest line; ``spatial_prompts`` only when the triplet has them (older readers never see it)."""
        values = asdict(self)
        if values["spatial_prompts"] is None:
            del values["spatial_prompts"]
        return json.dumps(values, ensure_ascii=False)

    @classmethod
    def from_dict(cls, values: dict) -> Triplet:
        return cls(
            **{
                **values,
                "images": tuple(values["images"]),
                "labels": tuple(int(v) for v in values["labels"]),
                "descriptions": tuple(values["descriptions"]),
            }
        )


def write_manifest(triplets: Iterable[Triplet], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(t.to_json() + "\n" for t in triplets), encoding="utf-8")
    return path


def read_manifest(path: str | Path, split: Split | None = None) -> list[Triplet]:
    """The triplets of a manifest file, optionally only one split.

    Raises:
        ValueError: a line is not a valid triplet (the message names the line).
    """
    triplets = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            triplet = Triplet.from_dict(json.loads(line))
        except (ValueError, TypeError, KeyError) as error:
            raise ValueError(f"{path}, line {number}: not a valid triplet ({error})") from None
        if split is None or triplet.split == split:
            triplets.append(triplet)
    return triplets
