"""The predictor: holds a model on its device, takes a volume once, answers any number of finding descriptions.

Example:
    >>> predictor = Predictor.from_model("reinforcedvl-starter", device="auto")  # doctest: +SKIP
    >>> predictor.set_volume(read_image("chest_ct.nii.gz"))  # doctest: +SKIP
    >>> result = predictor.segment("spiculated solid nodule")  # doctest: +SKIP
    >>> result.present, [lesion.long_axis_mm for lesion in result.lesions]  # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from monai.inferers import sliding_window_inference

from .checkpoint import Checkpoint, ModelIdentity, load_network
from .device import ComputeDevice, resolve_device
from .errors import InferenceCancelled
from .lesion_confidence import DEFAULT_LESION_CONFIDENCE, keep_confident_lesions
from .lesions import Lesion, find_lesions
from .model_registry import DEFAULT_MODEL_ID, resolve_checkpoint
from .modeling import ModelConfig, ReinforcedVLNet, TextEncoder, batch_prompt_tokens
from .preprocessing import Modality, PreparedVolume, Preprocessor
from .prompts import normalize_prompt
from .scope import (
    AnswerStatus,
    Assessment,
    CheckpointScope,
    FindingMatcher,
    RegionDecision,
    ScopeGate,
    recognize_region,
)
from .volume import LabelMap, ScalarVolume
from .window_features import WindowFeatureCache, WindowKey, window_key

__all__ = ["FindingResult", "ProgressCallback", "Predictor"]

ProgressCallback = Callable[[str, int, int], "bool | None"]
"""Called as ``progress(stage, done, total)``; returning False cancels the run (:class:`InferenceCancelled`)."""

_DEFAULT_FEATURE_CACHE_BYTES = 2 * 1024**3
_WindowAnswer = Callable[[torch.Tensor, Sequence[Sequence[slice]]], dict[str, torch.Tensor]]


@dataclass(frozen=True, eq=False)
class FindingResult:
    """The answer to one finding description on one volume, on the volume's own grid.

    Attributes:
        prompt: the description, as normalised (the user's words).
        present_probability: the existence head's probability that the finding is in the volume (highest over
            windows); None when the finding was not assessed.
        present: the finding was judged present and at least one lesion was found.
        lesions: the lesions, largest first (empty when not present).
        lesion_map: uint16 label map, 0 background, lesion n = n.
        evidence_map: float32 language-guided attention in [0, 1] (the last correlation step, finest level).
        seconds: time spent on this prompt.
        status: present, absent, or not_assessed (nothing drawn); defaults to present or absent from ``present``.
        reason: for not_assessed, why, in plain words; else "".
        finding: the canonical trained finding the network was asked for (None when not assessed or unscoped).
    """

    prompt: str
    present_probability: float | None
    present: bool
    lesions: list[Lesion]
    lesion_map: LabelMap
    evidence_map: ScalarVolume
    seconds: float
    status: AnswerStatus | None = None
    reason: str = ""
    finding: str | None = None

    def __post_init__(self) -> None:
        if self.status is None:
            object.__setattr__(self, "status", AnswerStatus.PRESENT if self.present else AnswerStatus.ABSENT)


class Predictor:
    """Text-prompted lesion segmentation on one volume at a time (see the module example)."""

    def __init__(
        self,
        *,
        network: ReinforcedVLNet,
        checkpoint: Checkpoint,
        text_encoder: TextEncoder,
        device: ComputeDevice,
        feature_cache_bytes: int = _DEFAULT_FEATURE_CACHE_BYTES,
        scope_gate: ScopeGate | None = None,
    ) -> None:
        self.network = network
        self.checkpoint = checkpoint
        self.text_encoder = text_encoder
        self.device = device
        self.preprocessor = Preprocessor(spacing_mm=self.config.spacing_mm, in_channels=self.config.in_channels)
        self._features = WindowFeatureCache(feature_cache_bytes)
        self._prepared: PreparedVolume | None = None
        self.scope_gate = scope_gate
        self.lesion_confidence = DEFAULT_LESION_CONFIDENCE
        """Lesions whose confidence is under this are neither drawn nor reported (0 keeps all)."""
        self._region: RegionDecision | None = None

    @classmethod
    def from_model(cls, model: str | Path = DEFAULT_MODEL_ID, device: str = "auto") -> Predictor:
        """Load an installed model id or checkpoint folder onto ``device`` (``auto``, ``cpu`` or ``cuda``)."""
        compute = resolve_device(device)
        checkpoint = resolve_checkpoint(model)
        network = load_network(checkpoint, compute.device)
        text_encoder = TextEncoder.from_bundled_weights(max_tokens=checkpoint.config.max_prompt_tokens)
        text_encoder = text_encoder.to(compute.device)
        gate = None  # a checkpoint that declares no scope (made before scopes, or for tests) answers as written
        if "scope" in checkpoint.metadata:
            gate = ScopeGate(FindingMatcher(text_encoder, CheckpointScope.from_metadata(checkpoint.metadata)))
        return cls(network=network, checkpoint=checkpoint, text_encoder=text_encoder, device=compute, scope_gate=gate)

    @property
    def config(self) -> ModelConfig:
        return self.checkpoint.config

    @property
    def identity(self) -> ModelIdentity:
        return self.checkpoint.identity

    @property
    def prepared_volume(self) -> PreparedVolume:
        if self._prepared is None:
            raise RuntimeError("No volume is set: call Predictor.set_volume(volume) before segment(...).")
        return self._prepared

    def set_volume(self, volume: ScalarVolume, *, modality: Modality | None = None) -> PreparedVolume:
        """Check and preprocess ``volume`` (channels of one study) for the prompts that follow.

        Args:
            volume: the study, ``(C, I, J, K)`` with C up to the model's input channels.
            modality: CT or MR; None detects it (DICOM tag, else intensities).
        """
        self._features.clear()
        self._prepared = self.preprocessor.prepare(volume, modality)
        self._region = recognize_region(volume, self._prepared.modality.modality) if self.scope_gate else None
        return self._prepared

    @property
    def region(self) -> RegionDecision | None:
        """The body region recognised in the volume (None without a scope gate or before :meth:`set_volume`)."""
        return self._region

    def assess(self, finding: str) -> Assessment | None:
        """Whether ``finding`` can be assessed on the current volume, and as which trained finding (None: the
        predictor has no scope gate and assesses every description as written)."""
        if self.scope_gate is None:
            return None
        return self.scope_gate.assess(normalize_prompt(finding), self.prepared_volume.modality.modality, self._region)

    def reset_volume(self) -> None:
        """Forget the volume and its cached features."""
        self._features.clear()
        self._prepared = None
        self._region = None

    def segment(self, finding: str, *, progress: ProgressCallback | None = None) -> FindingResult:
        """Segment the finding described by ``finding`` in the volume set by :meth:`set_volume`.

        Raises:
            RuntimeError: no volume was set.
            PromptError: the description is empty, too long or unreadable.
            InferenceCancelled: ``progress`` returned False.
        """
        started = time.perf_counter()
        prepared = self.prepared_volume
        prompt = normalize_prompt(finding)
        _report(progress, "encoding the description", 0, 1)
        assessment = self.assess(prompt)
        if assessment is not None and not assessment.assessed:
            return self._not_assessed(prompt, assessment.reason, started)
        network_prompt = assessment.finding if assessment is not None else prompt
        tokens = self.text_encoder.encode(network_prompt)
        states, mask = batch_prompt_tokens([tokens], self.device.device)
        probability, evidence, existence = self._infer(prepared, states, mask, progress)
        volume = prepared.volume
        _report(progress, "restoring the input grid", 0, 1)
        if probability is None:
            on_input_grid = self.preprocessor.to_input_grid(prepared, evidence)
            lesion_map, lesions = LabelMap.on_grid(np.zeros(volume.spatial_shape, np.uint16), volume, "lesions"), []
        else:
            on_input_grid = self.preprocessor.to_input_grid(prepared, torch.cat([probability, evidence]))
            _report(progress, "measuring lesions", 0, 1)
            lesion_map, lesions = find_lesions(
                on_input_grid[0],
                volume,
                threshold=self.config.mask_threshold,
                min_volume_mm3=self.config.min_lesion_volume_mm3,
            )
            lesion_map, lesions = keep_confident_lesions(lesion_map, lesions, on_input_grid[0], self.lesion_confidence)
        evidence = np.clip(on_input_grid[-1:], 0.0, 1.0, out=on_input_grid[-1:])  # in place: no second full copy
        evidence_map = ScalarVolume(evidence, volume.affine, volume.source, "evidence")
        return FindingResult(
            prompt=prompt,
            present_probability=existence,
            present=bool(lesions),
            lesions=lesions,
            lesion_map=lesion_map,
            evidence_map=evidence_map,
            seconds=time.perf_counter() - started,
            finding=network_prompt if assessment is not None else None,
        )

    def _not_assessed(self, prompt: str, reason: str, started: float) -> FindingResult:
        """The answer for a finding outside the checkpoint's scope: nothing drawn, no probability, the reason."""
        volume = self.prepared_volume.volume
        empty = np.zeros(volume.spatial_shape, np.float32)
        return FindingResult(
            prompt=prompt,
            present_probability=None,
            present=False,
            lesions=[],
            lesion_map=LabelMap.on_grid(empty.astype(np.uint16), volume, "lesions"),
            evidence_map=ScalarVolume(empty[None], volume.affine, volume.source, "evidence"),
            seconds=time.perf_counter() - started,
            status=AnswerStatus.NOT_ASSESSED,
            reason=reason,
        )

    def _infer(
        self, prepared: PreparedVolume, states: torch.Tensor, mask: torch.Tensor, progress: ProgressCallback | None
    ) -> tuple[torch.Tensor | None, torch.Tensor, float]:
        """Sliding-window passes on the model grid: the evidence ``(1, X, Y, Z)``, the existence answer, and the
        probability ``(1, X, Y, Z)``, or None when the finding is judged absent.

        The existence answer is per window (the network was trained to say whether the finding is in its patch, with
        an empty mask where it is not), so only the windows judged to hold the finding are outlined; the others give
        probability 0. When the feature cache holds every window, the mask waits for a second pass that runs only if
        the finding is judged present somewhere: the mask's finer decoder levels are most of a prompt's time. A volume
        too large for the cache gets one pass that does both, so that no window is encoded twice.
        """
        image = prepared.image.as_tensor().unsqueeze(0).to(self.device.device)
        window = self._window_size(image.shape[2:])
        count = _count_windows(image.shape[2:], window, self.config.window_overlap)
        two_passes = self._features.holds(count, self._feature_values_per_window(window))
        total = 2 * count if two_passes else count
        grounded_windows: dict[WindowKey, tuple[torch.Tensor, torch.Tensor]] = {}
        existence: list[float] = []
        done = 0

        def keys_of(locations: Sequence[Sequence[slice]]) -> list[WindowKey]:
            return [window_key(location[-3:]) for location in locations]

        def advance(windows: torch.Tensor) -> None:
            nonlocal done
            done += windows.shape[0]
            _report(progress, "segmenting", done, total)

        def ground(windows: torch.Tensor, locations: Sequence[Sequence[slice]]) -> dict[str, torch.Tensor]:
            keys, batch = keys_of(locations), windows.shape[0]
            features = self._features.features(windows, keys, self.network.encode_image)
            grounded = self.network.ground(features, states.expand(batch, -1, -1), mask.expand(batch, -1))
            probabilities = torch.sigmoid(grounded.existence_logits.float()).tolist()
            existence.extend(probabilities)
            holding = [row for row, p in enumerate(probabilities) if p >= self.config.existence_threshold]
            answer = {
                "evidence": F.interpolate(grounded.attention_maps[-1].float(), size=windows.shape[2:], mode="trilinear")
            }
            if two_passes:
                for row in holding:
                    kept = grounded.decoder_features[row : row + 1], grounded.text_embedding[row : row + 1]
                    grounded_windows[keys[row]] = kept
            else:
                answer["probability"] = _probability_where_held(
                    windows,
                    holding,
                    lambda rows: self.network.outline(
                        [level[rows] for level in features],
                        grounded.decoder_features[rows],
                        grounded.text_embedding[rows],
                    ),
                )
            advance(windows)
            return answer

        def outline(windows: torch.Tensor, locations: Sequence[Sequence[slice]]) -> dict[str, torch.Tensor]:
            keys = keys_of(locations)

            def mask_logits(rows: list[int]) -> torch.Tensor:
                held = [keys[row] for row in rows]
                features = self._features.features(windows[rows], held, self.network.encode_image)
                kept = [grounded_windows[key] for key in held]
                decoder_features, sentence = torch.cat([k[0] for k in kept]), torch.cat([k[1] for k in kept])
                return self.network.outline(features, decoder_features, sentence)

            holding = [row for row, key in enumerate(keys) if key in grounded_windows]
            probability = _probability_where_held(windows, holding, mask_logits)
            advance(windows)
            return {"probability": probability}

        grounded = self._slide(image, window, ground, prepared.background_value)
        if max(existence) < self.config.existence_threshold:
            _report(progress, "segmenting", total, total)
            return None, grounded["evidence"], max(existence)
        outlined = self._slide(image, window, outline, prepared.background_value) if two_passes else grounded
        return outlined["probability"], grounded["evidence"], max(existence)

    def _feature_values_per_window(self, window: Sequence[int]) -> int:
        """How many feature values the cache keeps for one window: every encoder level."""
        return sum(
            channels * math.prod(size // 2**level for size in window)
            for level, channels in enumerate(self.config.encoder_channels)
        )

    def _slide(
        self, image: torch.Tensor, window: Sequence[int], answer: _WindowAnswer, background: float
    ) -> dict[str, torch.Tensor]:
        """``answer`` over the ``window``-sized windows of ``image`` ``(1, C, X, Y, Z)``, blended: each of its
        outputs as ``(channels, X, Y, Z)``."""
        with torch.inference_mode(), self.device.mixed_precision():
            blended = sliding_window_inference(
                image,
                roi_size=window,
                sw_batch_size=4 if self.device.is_gpu else 1,
                predictor=answer,
                overlap=self.config.window_overlap,
                mode="gaussian",
                padding_mode="constant",
                cval=background,
                with_coord=True,
            )
        return {name: output[0].float() for name, output in blended.items()}

    def _window_size(self, shape: Sequence[int]) -> tuple[int, int, int]:
        """The configured window, shrunk to the volume (rounded up to the network's stride, and not below the
        minimum window that small training crops were padded to) when the volume is smaller."""
        stride = self.config.stride
        config = self.config
        return tuple(
            min(size, max(low, math.ceil(extent / stride) * stride))
            for size, low, extent in zip(config.window_size, config.min_window_size, shape, strict=True)
        )  # type: ignore[return-value]


def _count_windows(shape: Sequence[int], window: Sequence[int], overlap: float) -> int:
    """Number of windows a sliding-window pass visits (same scan rule as MONAI's)."""
    count = 1
    for extent, size in zip(shape, window, strict=True):
        step = max(int(size * (1 - overlap)), 1)
        count *= 1 if extent <= size else math.ceil((extent - size) / step) + 1
    return count


def _probability_where_held(
    windows: torch.Tensor, holding: list[int], mask_logits: Callable[[list[int]], torch.Tensor]
) -> torch.Tensor:
    """The finding's probability ``(B, 1, X, Y, Z)`` on a batch of windows: ``mask_logits(rows)`` through a sigmoid
    for the windows judged to hold the finding, 0 elsewhere."""
    probability = windows.new_zeros((windows.shape[0], 1, *windows.shape[2:]), dtype=torch.float32)
    if holding:
        probability[holding] = torch.sigmoid(mask_logits(holding).float())
    return probability


def _report(progress: ProgressCallback | None, stage: str, done: int, total: int) -> None:
    if progress is not None and progress(stage, done, total) is False:
        raise InferenceCancelled(f"Cancelled while {stage}.")
