"""The scope a fine-tuned checkpoint declares: its parent's ``metadata.scope``, extended by what the fine-tuning data
adds.

A present finding of the data is read as one of the parent's findings when it is one (its canonical words) or when
the parent's finding matcher reads it as one ("solid lung nodule" is the lung nodule); otherwise it is a new
finding, in a family of its own. Its modality comes from the manifest, its body region from the images themselves
(the same recogniser that judges a study at inference). A finding trained in a modality or region its family did not
cover extends the family; a new finding whose region no image showed is not declared (it could not be assessed
anywhere), and the scope says so. Families withheld by the parent stay withheld: fine-tuning data does not undo a
failed evaluation.
"""

from __future__ import annotations

import copy
import random
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..data.manifest import Triplet
from ..errors import ReinforcedVLError
from ..io import read_image
from ..scope.checkpoint_scope import CheckpointScope
from ..vocabulary import Modality

__all__ = ["fine_tuned_scope", "canonical_findings", "STUDIES_PER_GROUP"]

STUDIES_PER_GROUP = 12
"""Studies whose region is recognised per (finding, modality, source): enough to see every region such a group
shows, few enough that replaying hundreds of crops costs seconds."""


def fine_tuned_scope(parent_scope: dict[str, Any], triplets: list[Triplet], data_root: Path) -> dict[str, Any]:
    """The child's ``metadata.scope`` (see the module docstring); ``parent_scope`` is left unchanged.

    Raises:
        ReinforcedVLError: the parent's scope is malformed (the message says how).
    """
    parsed = CheckpointScope.from_metadata({"scope": parent_scope})
    scope = copy.deepcopy(parent_scope)
    families = scope["families"]
    canonical = canonical_findings([t for t in triplets if t.present], parsed)
    seen: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    groups: dict[tuple[str, str, str], list[Triplet]] = defaultdict(list)
    for triplet in triplets:
        if triplet.present:
            groups[(canonical[triplet.finding], triplet.modality, triplet.source)].append(triplet)
    for (finding, modality, _), members in sorted(groups.items()):
        modalities, regions = seen[finding]
        modalities.add(Modality(modality).value)
        regions.update(_regions(members, Modality(modality), data_root))
    undeclared = []
    for finding, (modalities, regions) in sorted(seen.items()):
        family = next((f for f in families if finding in f["findings"]), None)
        if family is None and not regions:
            undeclared.append(finding)
            continue
        if family is None:
            family = {
                "id": f"fine-tuned-{_slug(finding)}",
                "name": finding,
                "modalities": [],
                "regions": [],
                "findings": [finding],
                "trained_on": "fine-tuning data",
            }
            families.append(family)
        added_modalities = sorted(modalities - set(family["modalities"]))
        added_regions = sorted(regions - set(family["regions"]))
        family["modalities"] = [*family["modalities"], *added_modalities]
        family["regions"] = [*family["regions"], *added_regions]
        if (added_modalities or added_regions) and family["trained_on"] != "fine-tuning data":
            family["trained_on"] = (
                f"{family.get('trained_on', '')}; fine-tuned on {' '.join([*added_modalities, *added_regions])}"
            ).lstrip("; ")
    for key in ("modalities", "regions"):
        declared = list(scope.get(key, []))
        scope[key] = [*declared, *sorted({v for f in families for v in f[key]} - set(declared))]
    if undeclared:
        scope["not_declared"] = {
            "findings": undeclared,
            "reason": "trained on, but no training image's body region could be recognised, so no study could be "
            "judged in scope for them",
        }
    CheckpointScope.from_metadata({"scope": scope})  # what is written must read back
    return scope


def canonical_findings(triplets: list[Triplet], parsed: CheckpointScope) -> dict[str, str]:
    """Each finding name of ``triplets`` -> the canonical finding of ``parsed`` it means (exactly, or as the
    finding matcher reads it), or the name itself in lower case (a finding the scope does not hold)."""
    names = sorted({t.finding for t in triplets})
    known = set(parsed.findings)
    result = {name: name for name in names if name in known}
    unknown = [name for name in names if name not in known]
    if unknown:
        from ..modeling.text_encoder import TextEncoder
        from ..scope.finding_matcher import FindingMatcher

        matcher = FindingMatcher(TextEncoder.from_bundled_weights(max_tokens=48), parsed)
        for name in unknown:
            try:
                match = matcher.match(name)
            except ReinforcedVLError:
                match = None
            result[name] = match.finding if match is not None and match.finding is not None else name.strip().lower()
    return result


def _regions(triplets: list[Triplet], modality: Modality, data_root: Path) -> set[str]:
    """The body regions recognised in up to :data:`STUDIES_PER_GROUP` of these triplets' studies (unknown left
    out)."""
    from ..scope.study_region import BodyRegion, recognize_region

    studies = sorted({t.images for t in triplets})
    chosen = random.Random(0).sample(studies, min(STUDIES_PER_GROUP, len(studies)))
    regions = set()
    for images in chosen:
        region = recognize_region(read_image([data_root / path for path in images]), modality).region
        if region != BodyRegion.UNKNOWN:
            regions.add(region.value)
    return regions


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "finding"
