"""The training batch source: batch number -> a collated batch, deterministic in (seed, batch number)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import torch
from monai.transforms import Compose
from torch.utils.data import Dataset

from ..data.manifest import Triplet
from ..modeling import batch_prompt_tokens
from ..modeling.precomputed_text import PrecomputedTextEncoder
from ..preprocessing import Preprocessor
from .paraphrases import draw_phrasings
from .patches import PatchGroup, TrainingItem, augmentations, sample_shared_patch, target_voxels
from .prepared_studies import PreparedStudy, load_prepared_study

__all__ = ["BatchSource"]


class BatchSource(Dataset):
    """``source[n]`` is training batch n (of this rank): images, masks, presence and prompt token states.

    With ``phrasings_per_item`` 2, every question is asked twice, in two phrasings of its finding drawn from
    ``phrasing_pools`` (triplet id -> phrasings; the triplet's descriptions where it has none); ``pairs`` then
    lists the rows that are the same question in other words.
    """

    def __init__(
        self,
        groups: list[PatchGroup],
        *,
        data_root: Path,
        cache_dir: Path,
        prompt_table: Path,
        preprocessor: Preprocessor,
        seed: int,
        steps: int,
        rank: int = 0,
        world_size: int = 1,
        phrasings_per_item: int = 1,
        phrasing_pools: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.groups = groups
        self.data_root = data_root
        self.cache_dir = cache_dir
        self.prompt_table = prompt_table
        self.preprocessor = preprocessor
        self.seed = seed
        self.steps = steps
        self.rank = rank
        self.world_size = world_size
        self.phrasings_per_item = phrasings_per_item
        self.phrasing_pools = phrasing_pools or {}
        self._studies: dict[tuple[str, ...], PreparedStudy] = {}
        self._voxels: dict[str, np.ndarray] = {}
        self._text: PrecomputedTextEncoder | None = None

    def __len__(self) -> int:
        return self.steps

    def __getitem__(self, step: int) -> dict[str, object]:
        batch_number = step * self.world_size + self.rank
        rng = random.Random(f"{self.seed}/{batch_number}")
        group = rng.choices(self.groups, weights=[g.weight for g in self.groups])[0]
        transforms = augmentations(seed=rng.randrange(2**31))
        patches = group.batch_size // (group.prompts_per_patch * self.phrasings_per_item)
        items = [item for _ in range(patches) for item in self._patch_items(group, rng, transforms)]
        pairs = [
            (start, start + offset)
            for start in range(0, len(items), self.phrasings_per_item)
            for offset in range(1, self.phrasings_per_item)
        ]
        if self._text is None:
            self._text = PrecomputedTextEncoder(self.prompt_table)
        states, text_mask = batch_prompt_tokens([self._text.encode(item.description) for item in items], "cpu")
        return {
            "image": torch.stack([item.image for item in items]),
            "mask": torch.stack([item.mask for item in items]),
            "present": torch.tensor([item.present for item in items]),
            "text_states": states,
            "text_mask": text_mask,
            "findings": [item.finding for item in items],
            "descriptions": [item.description for item in items],
            "pairs": torch.tensor(pairs, dtype=torch.int64).reshape(-1, 2),
            "group": group.name,
        }

    def _patch_items(self, group: PatchGroup, rng: random.Random, transforms: Compose) -> list[TrainingItem]:
        """One augmented patch asked ``group.prompts_per_patch`` findings of its study (``phrasings_per_item``
        items each, one per phrasing)."""
        want_absent = rng.random() < group.absent_fraction
        candidates = [t for t in group.triplets if t.present != want_absent] or list(group.triplets)
        first = rng.choice(candidates)
        asked = [first]
        if group.prompts_per_patch > 1:
            same_study = [t for t in group.triplets if t.images == first.images and t.id != first.id]
            asked += rng.sample(same_study, min(group.prompts_per_patch - 1, len(same_study)))
        study = self._study(first)
        image, targets = sample_shared_patch(
            study, asked, self._finding_voxels(study, first), group.patch_size, rng, self.preprocessor.in_channels
        )
        augmented = transforms({"image": torch.from_numpy(image), "mask": torch.from_numpy(targets)})
        image_tensor = augmented["image"].as_subclass(torch.Tensor).float()
        masks = (augmented["mask"].as_subclass(torch.Tensor) > 0.5).float()
        return [
            TrainingItem(
                image=image_tensor,
                mask=masks[row : row + 1],
                description=description,
                present=bool(masks[row].any()),
                finding=triplet.finding if triplet.present else f"absent:{triplet.finding}",
            )
            for row, triplet in enumerate(asked)
            for description in self._phrasings(triplet, rng)
        ]

    def _phrasings(self, triplet: Triplet, rng: random.Random) -> list[str]:
        if self.phrasings_per_item == 1:
            return [rng.choice(triplet.descriptions)]
        pool = self.phrasing_pools.get(triplet.id, triplet.descriptions)
        return draw_phrasings(pool, self.phrasings_per_item, rng)

    def _finding_voxels(self, study: PreparedStudy, triplet: Triplet) -> np.ndarray:
        if triplet.id not in self._voxels:
            self._voxels[triplet.id] = target_voxels(study, triplet)
        return self._voxels[triplet.id]

    def _study(self, triplet: Triplet) -> PreparedStudy:
        key = (*triplet.images, triplet.mask or "")
        if key not in self._studies:
            self._studies[key] = load_prepared_study(triplet, self.data_root, self.cache_dir, self.preprocessor)
        return self._studies[key]
