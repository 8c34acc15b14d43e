"""Building the grounded report from findings: measure, describe and word every lesion, link every sentence.

The public door is :func:`build_report`; :func:`finding_from_mask` turns a label map the user already has (an
expert's, or an edited one) and its prompt into a finding the same function reports on.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..description import AnatomyTask, RegionDescription, anatomy_table, describe_regions, modality_of
from ..errors import InputFileError, InputWarning
from ..lesions import Lesion, find_lesions
from ..lesions.sizes import AxialDiameters
from ..prompts import normalize_prompt
from ..vocabulary import LANGUAGES, Language
from ..volume import LabelMap, ScalarVolume, check_same_grid
from .document import FindingSummary, GroundedReport, ReportSentence, Section
from .finding_names import finding_name
from .sentences import (
    LESION_SENTENCE_KEYS,
    impression_sentence,
    lesion_sentence,
    marked_point_phrase,
    negative_sentence,
    not_assessed_sentence,
    not_outlined_sentence,
)

if TYPE_CHECKING:
    from ..predictor import FindingResult
    from ..vocabulary import Modality

__all__ = ["ReportFinding", "build_report", "finding_from_mask"]

# An impression quotes the finding's probability and lesion count, and the largest lesion's size and place.
_IMPRESSION_KEYS = (
    "present_probability",
    "lesion_count",
    "id",
    "color_name",
    "long_axis_mm",
    "short_axis_mm",
    "description.location",
)


@dataclass(frozen=True, eq=False)
class ReportFinding:
    """One finding to report on: the prompt, whether it is present, its lesions and their label map.

    Attributes:
        prompt: the finding description.
        present_probability: the model's probability that the finding is present (1.0 or 0.0 for a user's mask);
            None when the finding was not assessed.
        present: whether the finding is reported as present (it then has at least one lesion).
        lesions: the lesions, numbered as in ``lesion_map`` (lesion n has label n and colour n).
        lesion_map: the lesions on the image's grid.
        segmentation_file: the finding's Slicer segmentation, relative to the report, when one was written.
        judged_present: the existence head's verdict, which can hold with no lesion outlined; None for a user's
            mask (the lesions decide).
        marked_points: lesion id -> the numbers of the positive points that chose it (asked with points).
        point_count: how many positive points the finding was asked with (0: the description alone).
        status: ``"present"``, ``"absent"`` or ``"not_assessed"`` ("" reads as present or absent).
        reason: why the finding was not assessed, in plain words ("" otherwise).

    Example:
        >>> finding = ReportFinding.from_result(predictor.segment("solid lung nodule"))  # doctest: +SKIP
    """

    prompt: str
    present_probability: float | None
    present: bool
    lesions: tuple[Lesion, ...]
    lesion_map: LabelMap
    segmentation_file: str | None = None
    marked_points: dict[int, tuple[int, ...]] = field(default_factory=dict)
    point_count: int = 0
    judged_present: bool | None = None

    status: str = ""
    reason: str = ""

    @property
    def assessed(self) -> bool:
        return self.status != "not_assessed"

    @classmethod
    def from_result(cls, result: FindingResult, segmentation_file: str | None = None) -> ReportFinding:
        """The finding of a :class:`~reinforcedvl.predictor.FindingResult` (the ``segment`` answer)."""
        spatial = result.spatial_prompts
        return cls(
            result.prompt,
            result.present_probability,
            result.present,
            tuple(result.lesions),
            result.lesion_map,
            segmentation_file,
            marked_points=dict(result.marked_points),
            point_count=len(spatial.positive_points) if spatial else 0,
            judged_present=result.judged_present,
            status=result.status.value if result.status is not None else "",
            reason=result.reason,
        )


def finding_from_mask(
    mask: LabelMap, prompt: str, *, labels: Sequence[int] | None = None, segmentation_file: str | None = None
) -> ReportFinding:
    """A finding from a label map the user drew or edited: no model, so confidence 1.0 for every lesion.

    The voxels with the chosen label values are split into lesions (26-connected components, largest first), as
    ``segment`` does with the model's mask. A mask with lesions is present with probability 1.0; an empty one is
    absent with probability 0.0.

    Args:
        mask: label map on the image's grid.
        prompt: what the mask shows ("solid lung nodule").
        labels: the label values that belong to the finding (e.g. ``[4]`` for BraTS enhancing tumour); None takes
            every non-zero voxel.
        segmentation_file: a segmentation file to name in the report's links, if any.

    Raises:
        PromptError: the prompt is empty or unreadable.
        InputFileError: ``labels`` names only values the mask does not hold (a label that is not there is a mistake
            in the command, not an absent finding); some of them missing only warns.
    """
    prompt = normalize_prompt(prompt)
    if labels is not None:
        _check_labels_in_mask(mask, labels, prompt)
    selected = np.isin(mask.array[0], list(labels)) if labels is not None else mask.array[0] > 0
    lesion_map, lesions = find_lesions(selected.astype(np.float32), mask, threshold=0.5, min_volume_mm3=0.0)
    present = bool(lesions)
    return ReportFinding(prompt, 1.0 if present else 0.0, present, tuple(lesions), lesion_map, segmentation_file)


def _check_labels_in_mask(mask: LabelMap, labels: Sequence[int], prompt: str) -> None:
    held = set(mask.labels.tolist())
    missing = [value for value in labels if value not in held]
    if not missing:
        return
    holds = f"it holds {', '.join(str(value) for value in sorted(held))}" if held else "it is empty"
    listed = ", ".join(str(value) for value in missing)
    if len(missing) == len(labels):
        raise InputFileError(
            f"--label {','.join(str(value) for value in labels)} for {prompt!r}: the mask {mask.name} has no voxel "
            f"with label {listed} ({holds}). Give the label values the mask uses for this finding."
        )
    warnings.warn(
        f"{mask.name} has no voxel with label {listed} of those given for {prompt!r} ({holds}); the others are "
        "reported.",
        InputWarning,
        stacklevel=3,
    )


def build_report(
    volume: ScalarVolume,
    findings: Sequence[ReportFinding | FindingResult],
    language: Language = "en",
    anatomy: LabelMap | None = None,
    *,
    anatomy_task: AnatomyTask | None = None,
    modality: Modality | str | None = None,
    channel_names: Sequence[str] | None = None,
) -> GroundedReport:
    """The grounded report of one study: one sentence per lesion, a negative per absent finding, an impression.

    Args:
        volume: the image the findings were segmented on; every finding's lesion map must lie on its grid.
        findings: :class:`ReportFinding` s, or ``segment``'s :class:`~reinforcedvl.predictor.FindingResult` s.
        language: ``"en"`` or ``"ja"``; the numbers are the same in both.
        anatomy: an anatomy label map in the same physical space (any grid), e.g. TotalSegmentator's output;
            lesions are then placed in organs.
        anatomy_task: the anatomy map's numbering (``"total"`` or ``"total_mr"``); None picks it from the modality.
        modality: ``"CT"`` or ``"MR"``; None detects it (DICOM tag, else intensities), which loads MONAI and
            torch: callers in 3D Slicer's process pass it, and ``reinforcedvl.report`` then loads neither.
        channel_names: the image channels' names for the appearance words (default ``channel n``).

    Returns:
        The report; ``to_markdown()`` and ``to_dict()`` give ``report.md`` and ``report.json``.

    Raises:
        GridMismatchError: a lesion map is not on the volume's grid.
        ValueError: an unknown language.
    """
    if language not in LANGUAGES:
        raise ValueError(f"Unknown report language {language!r}: use 'en' or 'ja'")
    modality_name = modality_of(volume, modality)
    task = anatomy_task or ("total" if modality_name == "CT" else "total_mr")
    summaries, findings_sentences, impression_sentences = [], [], []
    for item in findings:
        finding = item if isinstance(item, ReportFinding) else ReportFinding.from_result(item)
        check_same_grid([volume, finding.lesion_map], "image and lesion map")
        descriptions = (
            describe_regions(
                volume,
                finding.lesion_map,
                anatomy=anatomy,
                anatomy_task=task,
                modality=modality_name,
                channel_names=channel_names,
                known_axes=_lesion_axes(finding),
            )
            if finding.present
            else []
        )
        summary, sentences, impression = _report_finding(finding, descriptions, language)
        summaries.append(summary)
        findings_sentences += sentences
        impression_sentences.append(impression)
    return GroundedReport(
        language=language,
        image_name=volume.name,
        modality=modality_name,
        findings=tuple(summaries),
        sentences=tuple(findings_sentences + impression_sentences),
        anatomy_source=None if anatomy is None else f"{anatomy.name} ({anatomy_table(task).source})",
    )


def _lesion_axes(finding: ReportFinding) -> dict[int, AxialDiameters]:
    """The RECIST axes the lesion step measured, by label value (lesion n has label n), for the lesions whose voxel
    count still matches the lesion map (a lesion edited since is measured again)."""
    labels = finding.lesion_map.array[0]
    values, counts = np.unique(labels[labels > 0], return_counts=True)
    voxels = dict(zip(values.tolist(), counts.tolist(), strict=True))
    return {
        lesion.lesion_id: AxialDiameters(lesion.long_axis_mm, lesion.short_axis_mm, lesion.axial_slice_index)
        for lesion in finding.lesions
        if voxels.get(lesion.lesion_id) == lesion.voxels
    }


def _report_finding(
    finding: ReportFinding, descriptions: list[RegionDescription], language: Language
) -> tuple[FindingSummary, list[ReportSentence], ReportSentence]:
    """The summary, the findings sentences and the impression sentence of one finding."""
    name = finding_name(finding.prompt, language)
    by_id = {description.region_id: description for description in descriptions}
    entries, sentences = [], []
    for lesion in finding.lesions:
        description = by_id[lesion.lesion_id]
        entry = _lesion_entry(lesion, description, language)
        marked = finding.marked_points.get(lesion.lesion_id, ())
        at_point = marked_point_phrase(marked, finding.point_count, language) if marked else ""
        if marked:
            entry["marked_points"] = list(marked)
        entries.append(entry)
        text = lesion_sentence(description, name, lesion.confidence, language, at_point=at_point)
        sentences.append(_linked(text, "findings", finding.prompt, lesion, description, _quoted_keys(description)))
    summary = FindingSummary(
        finding.prompt,
        name,
        finding.present,
        finding.present_probability,
        tuple(entries),
        finding.segmentation_file,
        status=finding.status or ("present" if finding.present else "absent"),
        reason=finding.reason,
    )
    if not finding.assessed:
        worded = (
            not_outlined_sentence(name, finding.present_probability, language)
            if finding.judged_present and finding.present_probability is not None
            else not_assessed_sentence(name, finding.reason, language)
        )
        sentence = ReportSentence(worded, "findings", finding.prompt)
        return summary, [sentence], ReportSentence(worded, "impression", finding.prompt)
    if not finding.present:
        text = negative_sentence(name, finding.present_probability, language)
        negative = ReportSentence(text, "findings", finding.prompt, measurement_keys=("present_probability",))
        return (
            summary,
            [negative],
            ReportSentence(text, "impression", finding.prompt, measurement_keys=negative.measurement_keys),
        )
    largest = max(finding.lesions, key=lambda lesion: lesion.volume_ml)
    description = by_id[largest.lesion_id]
    text = impression_sentence(name, finding.present_probability, len(finding.lesions), description, language)
    return summary, sentences, _linked(text, "impression", finding.prompt, largest, description, _IMPRESSION_KEYS)


def _lesion_entry(lesion: Lesion, description: RegionDescription, language: Language) -> dict[str, Any]:
    """A lesion in ``report.json``: ``result.json``'s keys, then the other measurements, words and text."""
    return {
        **lesion.to_dict(),
        "segment_id": description.segment_id,
        **description.measurements.to_dict(),
        "description": description.to_dict(),
        "text": description.text(language),
    }


def _quoted_keys(description: RegionDescription) -> tuple[str, ...]:
    """The keys a lesion sentence quotes, with the intensity means of each channel it names."""
    intensity = [
        key
        for channel, choice in enumerate(description.appearance)
        if choice is not None
        for key in (f"intensity.{channel}.inside.mean", f"intensity.{channel}.shell.mean")
    ]
    border = ("touches_border",) if description.measurements.touches_border else ()
    return (*LESION_SENTENCE_KEYS, *intensity, *border)


def _linked(
    text: str, section: Section, prompt: str, lesion: Lesion, description: RegionDescription, keys: tuple[str, ...]
) -> ReportSentence:
    """A sentence about ``lesion`` with its links: segment, measurements, and the axial slice of its long axis."""
    return ReportSentence(
        text=text,
        section=section,
        prompt=prompt,
        lesion_id=lesion.lesion_id,
        segment_id=description.segment_id,
        measurement_keys=keys,
        slice_index=lesion.axial_slice_index,
        slice_axis=description.measurements.axial_axis,
        centroid_ras=lesion.centroid_ras,
    )
