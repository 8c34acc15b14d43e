"""The model configuration: every size and setting a checkpoint needs to be rebuilt and run as trained.

It is saved as JSON beside the weights of every checkpoint (see :mod:`reinforcedvl.model_store.checkpoint`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..lesions.calibration import LesionCalibration
from .study_existence import WINDOW_RULES

__all__ = ["ModelConfig"]


@dataclass(frozen=True)
class ModelConfig:
    """Sizes of the network and the settings of its pre- and post-processing.

    Attributes:
        in_channels: image channels the network reads; a study with fewer repeats its first channel.
        encoder_channels: feature channels of each vision-encoder level; level n has stride 2**n.
        embed_dim: width of the joint vision-language space (text tokens, attention, correlation).
        correlation_levels: encoder levels (coarsest first) where the self-reinforcing correlation runs.
        correlation_steps: K, the loop iterations per level; 0 is the one-way baseline (language gates vision
            once, vision never informs language).
        attention_heads: heads of the vision-to-language cross-attention.
        voxel_embed_dim: width of the per-voxel embedding compared with the refined text to give the mask.
        text_encoder: name of the frozen sentence encoder whose token states feed the language side.
        text_dim: width of that encoder's token states.
        max_prompt_tokens: prompts are cut to this many tokens (word pieces), special tokens included.
        spacing_mm: voxel size, in millimetres, the network works at (volumes are resampled to it and back).
        window_size: sliding-window size in voxels at ``spacing_mm`` (each side a multiple of the stride).
        min_window_size: smallest window; smaller volumes are padded to it, as small training crops are.
        window_overlap: fraction by which neighbouring windows overlap.
        mask_threshold: probability above which a voxel belongs to the finding.
        existence_threshold: probability above which the finding is reported present (and, per window, above which
            a window's mask is computed).
        existence_window_rule: how the windows' existence answers combine into the study's
            (:data:`reinforcedvl.modeling.study_existence.WINDOW_RULES`).
        existence_calibration: (slope, intercept) of the Platt map from the combined score to the study's existence
            probability; (1, 0) is the identity.
        min_lesion_volume_mm3: connected components smaller than this are dropped as noise.
        lesion_calibration: (2 weights, intercept) of the map from a lesion's mean probability and share of the
            answer's largest lesion to its confidence (:mod:`reinforcedvl.lesions.calibration`); empty: the
            confidence is the mean probability.
    """

    in_channels: int = 2
    encoder_channels: tuple[int, ...] = (8, 24, 64, 128)
    embed_dim: int = 128
    correlation_levels: tuple[int, ...] = (3, 2)
    correlation_steps: int = 2
    attention_heads: int = 4
    voxel_embed_dim: int = 32
    text_encoder: str = "all-MiniLM-L6-v2"
    text_dim: int = 384
    max_prompt_tokens: int = 48
    spacing_mm: tuple[float, float, float] = (1.0, 1.0, 1.0)
    window_size: tuple[int, int, int] = (96, 96, 96)
    min_window_size: tuple[int, int, int] = (48, 48, 32)
    window_overlap: float = 0.25
    mask_threshold: float = 0.5
    existence_threshold: float = 0.5
    existence_window_rule: str = "max"
    existence_calibration: tuple[float, float] = (1.0, 0.0)
    min_lesion_volume_mm3: float = 3.0
    lesion_calibration: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        levels = len(self.encoder_channels)
        if not self.correlation_levels or any(not 0 <= level < levels for level in self.correlation_levels):
            raise ValueError(
                f"correlation_levels must name encoder levels 0..{levels - 1}, got {self.correlation_levels}"
            )
        if list(self.correlation_levels) != sorted(self.correlation_levels, reverse=True):
            raise ValueError("correlation_levels run coarse to fine: list them from the deepest level down")
        if self.correlation_steps < 0:
            raise ValueError(f"correlation_steps (K) must be 0 or more, got {self.correlation_steps}")
        if self.embed_dim % self.attention_heads:
            raise ValueError(f"embed_dim {self.embed_dim} must be divisible by attention_heads {self.attention_heads}")
        stride = 2 ** (levels - 1)
        for name in ("window_size", "min_window_size"):
            if any(size % stride for size in getattr(self, name)):
                raise ValueError(f"{name} {getattr(self, name)} must be a multiple of {stride} on every side")
        if any(low > high for low, high in zip(self.min_window_size, self.window_size, strict=True)):
            raise ValueError(f"min_window_size {self.min_window_size} exceeds window_size {self.window_size}")
        if self.existence_window_rule not in WINDOW_RULES:
            raise ValueError(
                f"existence_window_rule {self.existence_window_rule!r} is not one of {', '.join(WINDOW_RULES)}"
            )
        if len(self.existence_calibration) != 2 or not self.existence_calibration[0] > 0:
            raise ValueError(
                f"existence_calibration must be (slope > 0, intercept), got {self.existence_calibration}: a map that "
                "is not increasing would turn a stronger answer into a weaker one"
            )

        LesionCalibration.from_config(self.lesion_calibration)  # refuses a malformed or decreasing map

    @property
    def stride(self) -> int:
        """Total downsampling of the deepest encoder level; window sides must be multiples of it."""
        return 2 ** (len(self.encoder_channels) - 1)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ModelConfig:
        """Rebuild a config from :meth:`to_dict` output (JSON lists become tuples; unknown keys are refused)."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"Unknown model settings {unknown}: this checkpoint needs a newer ReinforcedVL")
        converted = {name: tuple(value) if isinstance(value, list) else value for name, value in values.items()}
        return cls(**converted)

    def replace(self, **changes: Any) -> ModelConfig:
        return dataclasses.replace(self, **changes)
