"""The predictor: holds a model on its device, takes a volume once, answers any number of finding descriptions.

Example:
    >>> predictor = Predictor.from_model("reinforcedvl-starter", device="auto")  # doctest: +SKIP
    >>> predictor.set_volume(read_image("chest_ct.nii.gz"))  # doctest: +SKIP
    >>> result = predictor.segment("spiculated solid nodule")  # doctest: +SKIP
    >>> result.present, [lesion.long_axis_mm for lesion in result.lesions]  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from monai.inferers import sliding_window_inference

from .errors import InferenceCancelled, NonFiniteOutputError, ReinforcedVLError
from .finding_answer import AnswerStatus, not_outlined_reason
from .lesions import Lesion, find_lesions
from .lesions.calibration import LesionCalibration
from .lesions.confidence import DEFAULT_LESION_CONFIDENCE, keep_confident_lesions
from .lesions.sizes import axial_axis
from .model_store.checkpoint import Checkpoint, ModelIdentity, load_network
from .model_store.registry import DEFAULT_MODEL_ID, resolve_checkpoint
from .modeling import ModelConfig, ReinforcedVLNet, TextEncoder, batch_prompt_tokens
from .modeling.device import ComputeDevice, resolve_device
from .modeling.study_existence import study_existence
from .modeling.threads import CLICK_THREADS, intra_op_threads
from .modeling.window_features import WindowFeatureCache, WindowKey, window_key
from .preprocessing import PreparedVolume, Preprocessor
from .prompts import normalize_prompt
from .scope import (
    Assessment,
    CheckpointScope,
    FindingMatcher,
    RegionDecision,
    ScopeGate,
    recognize_region,
)
from .spatial.geometry import faces_reached, input_box_of_region, inside_box, model_index_of, needs_model_windows
from .spatial.lesion_selection import select_by_points, touched_component
from .spatial.prompts import PromptBox, PromptPoint, SpatialPrompts
from .spatial.windows import WindowRegion
from .vocabulary import Modality
from .volume import LabelMap, ScalarVolume

__all__ = ["FindingResult", "ProgressCallback", "Predictor"]

ProgressCallback = Callable[[str, int, int], "bool | None"]
"""Called as ``progress(stage, done, total)``; returning False cancels the run (:class:`InferenceCancelled`)."""

_DEFAULT_FEATURE_CACHE_BYTES = 2 * 1024**3
_MAX_REGION_GROWTH = 4
"""A clicked lesion that reaches the edge of its windows gets neighbouring windows, at most this many times."""
_KEPT_WINDOW_ANSWERS = 256
"""Windows whose outputs for the last spatially prompted description are kept (about 2 MB each at 64 voxels)."""
POINT_WINDOW_SIZE = (64, 64, 64)
"""The window around a point (voxels at the model spacing; the model's own window where smaller): a lung nodule of up
to 30 mm with its surroundings, as the LIDC training crops show it, at a third of the whole-volume window's cost."""
_WindowAnswer = Callable[[torch.Tensor, Sequence[Sequence[slice]]], dict[str, torch.Tensor]]


@dataclass(frozen=True, eq=False)
class FindingResult:
    """The answer to one finding description on one volume, on the volume's own grid.

    Attributes:
        prompt: the description, as normalised (the user's words).
        present_probability: the probability that the finding is in the volume: the windows' existence answers
            combined and calibrated as the checkpoint's config says (``existence_window_rule``,
            ``existence_calibration``); None when the finding was not assessed.
        present: the finding was judged present and at least one lesion was found.
        lesions: the lesions, largest first (empty when not present).
        lesion_map: uint16 label map, 0 background, lesion n = n.
        evidence_map: float32 language-guided attention in [0, 1] (the last correlation step, finest level).
        seconds: time spent on this prompt.
        judged_present: the existence head's verdict (probability at or above the model's threshold); it can hold
            while no lesion was outlined (then ``status`` is not_assessed). None where unknown: the lesions decide.
        spatial_prompts: the points and box the answer was asked with (None: the description alone).
        marked_points: lesion id -> the numbers (1-based, among the positive points) of the points that mark it.
        status: present, absent, or not_assessed (nothing drawn); by default present with lesions, not_assessed
            when judged present with nothing outlined, else absent.
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
    spatial_prompts: SpatialPrompts | None = None
    marked_points: dict[int, tuple[int, ...]] = field(default_factory=dict)
    judged_present: bool | None = None

    status: AnswerStatus | None = None
    reason: str = ""
    finding: str | None = None

    def __post_init__(self) -> None:
        if self.status is not None:
            return
        if self.lesions:
            object.__setattr__(self, "status", AnswerStatus.PRESENT)
        elif self.judged_present and self.present_probability is not None:
            object.__setattr__(self, "status", AnswerStatus.NOT_ASSESSED)
            object.__setattr__(self, "reason", not_outlined_reason(self.present_probability))
        else:
            object.__setattr__(self, "status", AnswerStatus.ABSENT)


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
        self._window_answers: dict[tuple, dict[WindowKey, _WindowOutputs]] = {}
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
    def _lesion_calibration(self) -> LesionCalibration | None:
        return LesionCalibration.from_config(self.config.lesion_calibration)

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
        self._window_answers = {}
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
        self._window_answers = {}
        self._prepared = None
        self._region = None

    def check_prompt(self, finding: str) -> str:
        """The description normalised, once the text encoder has read it (and cached it for :meth:`segment`), so
        that a batch of prompts can be checked before any result is written.

        Raises:
            PromptError: the description is empty, too long or unreadable.
        """
        prompt = normalize_prompt(finding)
        self.text_encoder.encode(prompt)
        return prompt

    def segment(
        self,
        finding: str,
        *,
        points: Sequence[PromptPoint] | None = None,
        box: PromptBox | None = None,
        mask_threshold: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> FindingResult:
        """Segment the finding described by ``finding`` in the volume set by :meth:`set_volume`.

        Args:
            finding: the description ("solid lung nodule").
            points: points in RAS mm, positive ("this lesion") or negative ("not this"); with positive points the
                answer is the lesions at them only (rules in :mod:`reinforcedvl.spatial.prompts`), and only the
                windows around them are computed.
            box: limits the search (and the windows computed) to the box.
            mask_threshold: the probability from which a voxel belongs to a lesion, in (0, 1); None takes the
                model's own (:attr:`ModelConfig.mask_threshold`).
            progress: called as ``progress(stage, done, total)``; returning False cancels.

        Raises:
            RuntimeError: no volume was set.
            PromptError: the description is empty, too long or unreadable.
            SpatialPromptError: a point outside the volume, a box that misses it, a positive point outside the box.
            ReinforcedVLError: ``mask_threshold`` is not in (0, 1).
            InferenceCancelled: ``progress`` returned False.
        """
        if not points or not any(point.positive for point in points) or self.device.is_gpu:
            return self._segment(finding, points, box, mask_threshold, progress)
        with intra_op_threads(CLICK_THREADS):  # a click's windows and sentence (modeling/threads.py)
            return self._segment(finding, points, box, mask_threshold, progress)

    def _segment(
        self,
        finding: str,
        points: Sequence[PromptPoint] | None,
        box: PromptBox | None,
        mask_threshold: float | None,
        progress: ProgressCallback | None,
    ) -> FindingResult:
        """:meth:`segment`'s work."""
        if mask_threshold is not None and not 0.0 < float(mask_threshold) < 1.0:
            raise ReinforcedVLError(f"The mask threshold must lie between 0 and 1 (exclusive), got {mask_threshold}.")
        threshold = self.config.mask_threshold if mask_threshold is None else float(mask_threshold)
        started = time.perf_counter()
        prepared = self.prepared_volume
        prompt = normalize_prompt(finding)
        spatial = SpatialPrompts(tuple(points or ()), box)
        if spatial:
            spatial.check_inside(prepared.volume)
        _report(progress, "encoding the description", 0, 1)
        assessment = self.assess(prompt)
        if assessment is not None and not assessment.assessed:
            return self._not_assessed(prompt, assessment.reason, started)
        texts = self.network_texts(assessment.finding) if assessment is not None else (prompt,)
        encoded = [(text, *batch_prompt_tokens([self.text_encoder.encode(text)], self.device.device)) for text in texts]
        if spatial:
            result = self._segment_with_spatial_prompts(prompt, spatial, encoded, threshold, progress, started)
            return dataclasses.replace(result, finding=assessment.finding if assessment is not None else None)
        answers = []
        for done, (_, states, mask) in enumerate(encoded):
            stage = progress if len(texts) == 1 else _stage_of(progress, done, len(texts))
            answers.append(self._infer(prepared, states, mask, stage))
        probability, evidence, existence = mean_answer(answers, self.config.existence_threshold)
        result = self.outlined_result(prompt, probability, evidence, existence, threshold, started, progress)
        return dataclasses.replace(result, finding=assessment.finding if assessment is not None else None)

    def network_texts(self, finding: str) -> tuple[str, ...]:
        """The texts the network reads for the trained ``finding`` (the checkpoint's scope says; by default the
        finding's own name): one, or several whose answers are averaged (:func:`mean_answer`)."""
        if self.scope_gate is None:
            return (finding,)
        return self.scope_gate.scope.network_texts(finding)

    def outlined_result(
        self,
        prompt: str,
        probability: torch.Tensor | None,
        evidence: torch.Tensor,
        existence: float,
        threshold: float,
        started: float,
        progress: ProgressCallback | None = None,
    ) -> FindingResult:
        """The answer from the network's maps on the model grid (:meth:`_infer`): lesions measured on the input grid,
        those under the lesion confidence left out."""
        if not math.isfinite(existence):
            raise _non_finite(self.checkpoint, "its existence probability")
        prepared = self.prepared_volume
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
                threshold=threshold,
                min_volume_mm3=self.config.min_lesion_volume_mm3,
            )
            lesion_map, lesions = keep_confident_lesions(
                lesion_map, lesions, on_input_grid[0], self.lesion_confidence, calibration=self._lesion_calibration
            )
        if not np.isfinite(on_input_grid).all():
            raise _non_finite(self.checkpoint, "its probability or evidence map")
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
            judged_present=existence >= self.config.existence_threshold,
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

    def _segment_with_spatial_prompts(
        self,
        prompt: str,
        spatial: SpatialPrompts,
        encoded: Sequence[tuple[str, torch.Tensor, torch.Tensor]],
        threshold: float,
        progress: ProgressCallback | None,
        started: float,
    ) -> FindingResult:
        """:meth:`segment` with points or a box: the windows they need, then the lesions they choose. ``encoded``
        holds the texts the network reads (each with its token states and mask); several are averaged.

        Around each positive point first the one window (of :data:`POINT_WINDOW_SIZE`, on a sliding-window grid of
        its own, so a second click near the first reuses its cached features) whose centre is nearest, grown by a
        window across each face that a marked lesion reaches: a nodule-sized target, as the small training crops
        showed them. Where that window is not enough (:func:`~reinforcedvl.spatial.geometry.needs_model_windows`:
        no lesion at the points while the finding is judged present there, or a marked lesion reaching past the
        window), the model's own windows that hold the points take over, on the description-alone pass's grid, grown
        the same way: a large structure gets the context the network learned it in, and the answer at the points is
        the one the description alone gives there. Without positive points, the
        whole-volume pass's windows; with a box, only those overlapping it.
        """
        prepared = self.prepared_volume
        volume = prepared.volume
        shape = tuple(int(n) for n in prepared.image.shape[1:])
        positives = spatial.positive_points
        model_window = self._window_size(shape)
        window = model_window
        if positives:
            window = tuple(
                max(low, min(size, point))
                for size, low, point in zip(window, self.config.min_window_size, POINT_WINDOW_SIZE, strict=True)
            )
        scan = WindowRegion.scan(shape, window, self.config.window_overlap)
        limit = self._box_limit(prepared, spatial.box, scan)
        region = limit
        voxels = model_index_of(prepared, [p.ras for p in positives])
        if positives:
            region = _union([scan.around(voxel) for voxel in voxels]).within(limit)
        small_first = window != model_window
        probability, evidence, existence, region, need = self._grow(
            prompt, prepared, encoded, progress, region, window, limit, positives, threshold, small_first
        )
        if need and small_first:
            scan = WindowRegion.scan(shape, model_window, self.config.window_overlap)
            limit = self._box_limit(prepared, spatial.box, scan)
            region = _union([scan.overlapping(voxel, voxel) for voxel in voxels]).within(limit)
            probability, evidence, existence, region, _ = self._grow(
                prompt, prepared, encoded, progress, region, model_window, limit, positives, threshold, False
            )
        if not math.isfinite(existence):
            raise _non_finite(self.checkpoint, "its existence probability")
        _report(progress, "restoring the input grid", 0, 1)
        box = input_box_of_region(prepared, region.slices)
        grid = volume.crop(box)
        maps = evidence if probability is None else torch.cat([probability, evidence])
        on_box = self.preprocessor.to_input_grid(prepared, maps, region=region.slices, input_box=box)
        if not np.isfinite(on_box).all():
            raise _non_finite(self.checkpoint, "its probability or evidence map")
        lesion_array = np.zeros(volume.spatial_shape, np.uint16)
        lesions: list[Lesion] = []
        marked: dict[int, tuple[int, ...]] = {}
        if probability is not None:
            _report(progress, "measuring lesions", 0, 1)
            chance = on_box[0]
            if spatial.box is not None:
                chance = np.where(inside_box(grid, spatial.box), chance, 0.0).astype(np.float32)
            chosen = select_by_points(chance, grid, spatial.points, threshold=threshold)
            box_map, box_lesions = find_lesions(
                chosen, grid, threshold=threshold, min_volume_mm3=self.config.min_lesion_volume_mm3
            )
            pointed = {touched_component(box_map.array[0], grid, point.ras) for point in positives} - {0}
            box_map, box_lesions = keep_confident_lesions(
                box_map,
                box_lesions,
                chosen,
                self.lesion_confidence,
                vouched=pointed,
                calibration=self._lesion_calibration,
            )
            lesion_array[box] = box_map.array[0]
            axis_start = box[axial_axis(volume)].start
            lesions = [
                dataclasses.replace(lesion, axial_slice_index=lesion.axial_slice_index + axis_start)
                for lesion in box_lesions
            ]
            for number, point in enumerate(positives, start=1):
                lesion_id = touched_component(box_map.array[0], grid, point.ras)
                if lesion_id:
                    marked[lesion_id] = (*marked.get(lesion_id, ()), number)
        evidence_array = np.zeros((1, *volume.spatial_shape), np.float32)
        evidence_array[(0, *box)] = np.clip(on_box[-1], 0.0, 1.0)
        return FindingResult(
            prompt=prompt,
            present_probability=existence,
            present=bool(lesions),
            lesions=lesions,
            lesion_map=LabelMap.on_grid(lesion_array, volume, "lesions"),
            evidence_map=ScalarVolume(evidence_array, volume.affine, volume.source, "evidence"),
            seconds=time.perf_counter() - started,
            spatial_prompts=spatial,
            marked_points=marked,
            judged_present=existence >= self.config.existence_threshold,
        )

    def _grow(
        self,
        prompt: str,
        prepared: PreparedVolume,
        encoded: Sequence[tuple[str, torch.Tensor, torch.Tensor]],
        progress: ProgressCallback | None,
        region: WindowRegion,
        window: Sequence[int],
        limit: WindowRegion,
        positives: Sequence[PromptPoint],
        threshold: float,
        stop_when_needed: bool,
    ) -> tuple[torch.Tensor | None, torch.Tensor, float, WindowRegion, bool]:
        """:meth:`_infer` on ``region`` for each text of ``encoded`` (averaged by :func:`mean_answer`), grown (within
        ``limit``) by a window across each face a lesion the points mark reaches, at most :data:`_MAX_REGION_GROWTH`
        times: the maps, the existence answer, the region they cover, and whether the points need the model's own
        windows (:func:`needs_model_windows`; with ``stop_when_needed`` the region then stops growing)."""
        need = False
        for growth in range(_MAX_REGION_GROWTH + 1):
            outputs = [
                self._infer(
                    prepared,
                    states,
                    mask,
                    progress,
                    region=region.slices,
                    window=window,
                    answers=self._answers_for((prompt, text), window),
                )
                for text, states, mask in encoded
            ]
            probability, evidence, existence = mean_answer(outputs, self.config.existence_threshold)
            if probability is None or not positives:
                break
            marked, low, high = faces_reached(prepared, region, probability[0], positives, threshold)
            need = needs_model_windows(marked, low, high)
            if (need and stop_when_needed) or growth == _MAX_REGION_GROWTH:
                break
            grown = region.grown_towards(low, high).within(limit)
            if grown == region:
                break
            region = grown
        return probability, evidence, existence, region, need

    def _box_limit(self, prepared: PreparedVolume, box: PromptBox | None, scan: WindowRegion) -> WindowRegion:
        """The windows of ``scan`` that overlap ``box`` (all of them without a box)."""
        if box is None:
            return scan
        corners = model_index_of(prepared, _box_corners(box))
        return scan.overlapping(corners.min(axis=0), corners.max(axis=0))

    def _infer(
        self,
        prepared: PreparedVolume,
        states: torch.Tensor,
        mask: torch.Tensor,
        progress: ProgressCallback | None,
        *,
        region: tuple[slice, slice, slice] | None = None,
        window: Sequence[int] | None = None,
        answers: dict[WindowKey, _WindowOutputs] | None = None,
    ) -> tuple[torch.Tensor | None, torch.Tensor, float]:
        """Sliding-window passes on the model grid: the evidence ``(1, X, Y, Z)``, the existence answer, and the
        probability ``(1, X, Y, Z)``, or None when the finding is judged absent.

        The existence answer is per window (the network was trained to say whether the finding is in its patch, with
        an empty mask where it is not), so only the windows judged to hold the finding are outlined; the others give
        probability 0. When the feature cache holds every window, the mask waits for a second pass that runs only if
        the finding is judged present somewhere: the mask's finer decoder levels are most of a prompt's time. A volume
        too large for the cache gets one pass that does both, so that no window is encoded twice.

        With ``region`` (a run of the whole pass's windows, :class:`~reinforcedvl.spatial.windows.WindowRegion`) only
        those windows run, and the maps cover the region alone; the cache knows the windows by their place in the
        whole grid; ``window`` replaces the model's window size. ``answers`` keeps each window's outputs for this
        description, and a window found there is not computed again (a grown region, a new click beside the last).
        """
        image = prepared.image.as_tensor().unsqueeze(0).to(self.device.device)
        window = tuple(window) if window is not None else self._window_size(image.shape[2:])
        offset = (0, 0, 0)
        if region is not None:
            image = image[(slice(None), slice(None), *region)]
            offset = tuple(part.start for part in region)
        count = _count_windows(image.shape[2:], window, self.config.window_overlap)
        two_passes = self._features.holds(count, self._feature_values_per_window(window))
        total = 2 * count if two_passes else count
        grounded_windows: dict[WindowKey, tuple[torch.Tensor, torch.Tensor]] = {}
        pending: dict[WindowKey, tuple[float, torch.Tensor]] = {}  # grounded, waiting for their masks (answers)
        existence: list[float] = []
        done = 0

        def keys_of(locations: Sequence[Sequence[slice]]) -> list[WindowKey]:
            if region is None:
                return [window_key(location[-3:]) for location in locations]
            return [window_key(_shifted(location[-3:], offset)) for location in locations]

        def advance(windows: torch.Tensor) -> None:
            nonlocal done
            done += windows.shape[0]
            _report(progress, "segmenting", done, total)

        def ground(windows: torch.Tensor, locations: Sequence[Sequence[slice]]) -> dict[str, torch.Tensor]:
            keys, batch = keys_of(locations), windows.shape[0]
            if answers is not None and all(key in answers for key in keys):
                known = [answers[key] for key in keys]
                existence.extend(item.existence for item in known)
                advance(windows)
                kept = {"evidence": torch.cat([item.evidence for item in known])}
                if not two_passes:  # the masks come with the first pass; else from outline's own look-up
                    kept["probability"] = torch.cat([item.probability for item in known])
                return kept
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
            if answers is not None and not two_passes:
                for row, key in enumerate(keys):
                    answers[key] = _WindowOutputs(
                        probabilities[row],
                        answer["evidence"][row : row + 1].clone(),
                        answer["probability"][row : row + 1].clone(),
                    )
            elif answers is not None:
                pending.update(
                    {
                        key: (probabilities[row], answer["evidence"][row : row + 1].clone())
                        for row, key in enumerate(keys)
                    }
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

            if answers is not None and all(key in answers for key in keys):
                advance(windows)
                return {"probability": torch.cat([answers[key].probability for key in keys])}
            holding = [row for row, key in enumerate(keys) if key in grounded_windows]
            probability = _probability_where_held(windows, holding, mask_logits)
            if answers is not None:
                for row, key in enumerate(keys):
                    answers[key] = _WindowOutputs(*pending[key], probability[row : row + 1].clone())
            advance(windows)
            return {"probability": probability}

        grounded = self._slide(image, window, ground, prepared.background_value)
        config = self.config
        answer = study_existence(existence, config.existence_window_rule, config.existence_calibration)
        if answer < config.existence_threshold or max(existence) < config.existence_threshold:
            _report(progress, "segmenting", total, total)
            return None, grounded["evidence"], answer
        outlined = self._slide(image, window, outline, prepared.background_value) if two_passes else grounded
        return outlined["probability"], grounded["evidence"], answer

    def _answers_for(self, prompt: tuple[str, str], window: Sequence[int]) -> dict[WindowKey, _WindowOutputs]:
        """The windows' kept outputs for this (description, network text), window size and existence threshold (one
        store per network text and window size: the finding's several texts, a click's small windows and the
        model's own), started afresh when the description or the threshold changes; at most
        :data:`_KEPT_WINDOW_ANSWERS` windows in all."""
        identity = (prompt, tuple(window), self.config.existence_threshold)
        question = (prompt[0], identity[2])
        kept = sum(len(answers) for answers in self._window_answers.values())
        if any((other[0][0], other[2]) != question for other in self._window_answers) or kept > _KEPT_WINDOW_ANSWERS:
            self._window_answers = {}
        return self._window_answers.setdefault(identity, {})

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


@dataclass(frozen=True, eq=False)
class _WindowOutputs:
    """One window's answer to one description: existence, evidence and probability ``(1, 1, X, Y, Z)``."""

    existence: float
    evidence: torch.Tensor
    probability: torch.Tensor


def _union(regions: Sequence[WindowRegion]) -> WindowRegion:
    joined = regions[0]
    for other in regions[1:]:
        joined = joined.union(other)
    return joined


def _box_corners(box: PromptBox) -> list[tuple[float, float, float]]:
    low, high = box.low_ras, box.high_ras
    return [(x, y, z) for x in (low[0], high[0]) for y in (low[1], high[1]) for z in (low[2], high[2])]


def _shifted(window: Sequence[slice], offset: Sequence[int]) -> list[slice]:
    """A window's slices on a region, moved to the whole grid."""
    return [slice((part.start or 0) + shift, part.stop + shift) for part, shift in zip(window, offset, strict=True)]


def _count_windows(shape: Sequence[int], window: Sequence[int], overlap: float) -> int:
    """Number of windows a sliding-window pass visits (same scan rule as MONAI's)."""
    count = 1
    for extent, size in zip(shape, window, strict=True):
        step = max(int(size * (1 - overlap)), 1)
        count *= 1 if extent <= size else math.ceil((extent - size) / step) + 1
    return count


def _non_finite(checkpoint: Checkpoint, what: str) -> NonFiniteOutputError:
    identity = checkpoint.identity
    return NonFiniteOutputError(
        f"The model {identity.model_id} {identity.version} produced values that are not numbers (NaN or infinite) "
        f"in {what}, so no answer is given. Its weights or the input may be damaged: check the input volume, and "
        "download or import the model again."
    )


def _probability_where_held(
    windows: torch.Tensor, holding: list[int], mask_logits: Callable[[list[int]], torch.Tensor]
) -> torch.Tensor:
    """The finding's probability ``(B, 1, X, Y, Z)`` on a batch of windows: ``mask_logits(rows)`` through a sigmoid
    for the windows judged to hold the finding, 0 elsewhere."""
    probability = windows.new_zeros((windows.shape[0], 1, *windows.shape[2:]), dtype=torch.float32)
    if holding:
        probability[holding] = torch.sigmoid(mask_logits(holding).float())
    return probability


def mean_answer(
    answers: Sequence[tuple[torch.Tensor | None, torch.Tensor, float]], existence_threshold: float
) -> tuple[torch.Tensor | None, torch.Tensor, float]:
    """One answer from the network's answers to several texts of one finding (each ``(probability or None,
    evidence, existence)`` as :meth:`Predictor._infer` gives it): the mean existence, the mean evidence, and the mean
    probability (0 where a text judged the finding absent), or None when the mean existence is under the threshold."""
    if len(answers) == 1:
        return answers[0]
    existence = sum(answer[2] for answer in answers) / len(answers)
    evidence = torch.stack([answer[1] for answer in answers]).mean(dim=0)
    held = [answer[0] for answer in answers if answer[0] is not None]
    if existence < existence_threshold or not held:
        return None, evidence, existence
    return torch.stack(held).sum(dim=0) / len(answers), evidence, existence


def _stage_of(progress: ProgressCallback | None, done: int, total: int) -> ProgressCallback | None:
    """``progress`` for the ``done``-th of ``total`` texts of one finding: its steps counted within all of them."""
    if progress is None:
        return None

    def report(stage: str, step: int, steps: int) -> bool | None:
        return progress(stage, done * steps + step, total * steps)

    return report


def _report(progress: ProgressCallback | None, stage: str, done: int, total: int) -> None:
    if progress is not None and progress(stage, done, total) is False:
        raise InferenceCancelled(f"Cancelled while {stage}.")
