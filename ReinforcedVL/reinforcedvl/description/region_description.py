"""Colour region descriptions: each region of a label map in words, with the numbers that chose the words.

"Lesion 2 (cyan): 14.2 x 9.8 mm, 0.61 mL, lobulated, well-defined, hyperdense, in the right lower lobe of the lung"
- lesion n is drawn in palette colour n (:mod:`reinforcedvl.lesions.palette`), so the words point at the cyan
segment. The same descriptions serve as training text (class name, attribute phrase, full description) and as the
report's wording.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..lesions.intensity import LesionIntensity
from ..lesions.palette import LesionColor, lesion_color
from ..lesions.region import RegionMeasurements, measure_regions
from ..lesions.sizes import AxialDiameters
from ..vocabulary import Language, Modality, lesion_segment_id
from ..volume import LabelMap, ScalarVolume
from .anatomy import AnatomyTable, AnatomyTask, anatomy_table
from .location import Location, Midline, estimate_midline, locate_region
from .word_choice import WordChoice, choose_appearance, choose_margin, choose_shape
from .wording import color_name, format_intensity, format_ml, format_mm, join_phrases, location_phrase, word

__all__ = ["Granularity", "RegionDescription", "describe_regions", "modality_of"]

Granularity = Literal["attributes", "full"]


@dataclass(frozen=True)
class RegionDescription:
    """One region (label value ``region_id``) described.

    Attributes:
        region_id: the label value; lesion n of a lesion map.
        color: its display colour (palette colour n).
        measurements: sizes, shape and intensities.
        shape, margin: the chosen words with their evidence.
        appearance: one choice per image channel (None where the channel has no shell to compare with).
        location: side, part of the body and organ.
        count: how many regions the label map holds (the "one of three" context).
        is_ct: whether intensities are Hounsfield units.
        channel_names: the names used for channels in words (one per channel).

    Example:
        >>> description = describe_regions(image, lesion_map)[0]  # doctest: +SKIP
        >>> description.text("en")  # doctest: +SKIP
        'Lesion 1 (yellow): 12.3 x 8.1 mm, 0.52 mL, round, well-defined, hyperdense, on the right'
    """

    region_id: int
    color: LesionColor
    measurements: RegionMeasurements
    shape: WordChoice
    margin: WordChoice
    appearance: tuple[WordChoice | None, ...]
    location: Location
    count: int
    is_ct: bool
    channel_names: tuple[str, ...]

    @property
    def segment_id(self) -> str:
        """The id of this region's segment in the Slicer segmentation files (``lesion_<n>``)."""
        return lesion_segment_id(self.region_id)

    def label(self, language: Language = "en") -> str:
        """The name that ties words to the screen: ``"Lesion 2 (cyan)"`` / ``"病変2（シアン）"``."""
        if language == "ja":
            return f"病変{self.region_id}（{color_name(self.color, language)}）"
        return f"Lesion {self.region_id} ({self.color.name})"

    def attribute_phrase(self, language: Language = "en") -> str:
        """Shape, margin and appearance words: ``"round, well-defined, hyperdense"``."""
        return join_phrases(
            [word(self.shape.word, language), word(self.margin.word, language), self.appearance_phrase(language)],
            language,
        )

    def appearance_phrase(self, language: Language = "en", *, with_numbers: bool = False) -> str:
        """Appearance against the surroundings, per channel (named when there are several)."""
        phrases = []
        for index, choice in enumerate(self.appearance):
            if choice is None:
                continue
            text = word(choice.word, language)
            if len(self.appearance) > 1:
                name = self.channel_names[index]
                text = f"{name}で{text}" if language == "ja" else f"{text} on {name}"
            if with_numbers:
                inside = format_intensity(choice.values["mean_inside"], is_ct=self.is_ct)
                shell = format_intensity(choice.values["mean_shell"], is_ct=self.is_ct)
                unit = " HU" if self.is_ct else ""
                text += (
                    f"（平均 {inside}{unit}、周囲 {shell}{unit}）"
                    if language == "ja"
                    else f" (mean {inside}{unit} vs {shell}{unit} around it)"
                )
            phrases.append(text)
        return join_phrases(phrases, language)

    def size_phrase(self, language: Language = "en") -> str:
        """Long x short axis and volume: ``"12.3 x 8.1 mm, 0.52 mL"`` (``"12.3 × 8.1 mm、0.52 mL"``)."""
        m = self.measurements
        long_axis, short_axis, volume = format_mm(m.long_axis_mm), format_mm(m.short_axis_mm), format_ml(m.volume_ml)
        if language == "ja":
            return f"{long_axis} × {short_axis} mm、{volume} mL"
        return f"{long_axis} x {short_axis} mm, {volume} mL"

    def text(self, language: Language = "en", granularity: Granularity = "full") -> str:
        """The description at one granularity: the attribute words, or the full colour region description."""
        if granularity == "attributes":
            return self.attribute_phrase(language)
        body = join_phrases(
            [self.size_phrase(language), self.attribute_phrase(language), location_phrase(self.location, language)],
            language,
        )
        return f"{self.label(language)}：{body}" if language == "ja" else f"{self.label(language)}: {body}"

    def to_dict(self) -> dict[str, Any]:
        """The words with their evidence, for ``report.json``."""
        return {
            "shape": self.shape.to_dict(),
            "margin": self.margin.to_dict(),
            "appearance": [choice.to_dict() if choice else None for choice in self.appearance],
            "location": self.location.to_dict(),
            "count": self.count,
        }


def describe_regions(
    image: ScalarVolume | None,
    label_map: LabelMap,
    *,
    anatomy: LabelMap | None = None,
    anatomy_task: AnatomyTask | None = None,
    modality: Modality | None = None,
    channel_names: Sequence[str] | None = None,
    known_axes: Mapping[int, AxialDiameters] | None = None,
) -> list[RegionDescription]:
    """Describe every region (label value n > 0) of ``label_map``, in label order.

    Args:
        image: the image the regions were drawn on (same grid); None describes shape, size and location only.
        label_map: region n has value n (a lesion map from ``segment``, or any label map).
        anatomy: an anatomy label map in the same physical space (any grid), e.g. a TotalSegmentator output.
        anatomy_task: its class numbering, ``"total"`` (CT) or ``"total_mr"``; None picks it from the modality.
        modality: CT or MR (a :class:`~reinforcedvl.preprocessing.Modality` or the string); None detects it (see
            :func:`modality_of`).
        channel_names: names of the image's channels for multi-channel appearance words (default ``channel n``).
        known_axes: RECIST axes already measured, by label value (slice indices on the label map's grid), e.g.
            from ``segment``'s lesions.

    Raises:
        GridMismatchError: ``image`` and ``label_map`` are not on one grid.
    """
    # measure_regions checks that image and label map share one grid
    measured = measure_regions(label_map, image=image, known_axes=known_axes)
    is_ct = modality_of(image, modality) == "CT"
    table = anatomy_table(anatomy_task or ("total" if is_ct else "total_mr")) if anatomy is not None else None
    context = _Context(
        label_map=label_map,
        image=image,
        midline=estimate_midline(image, is_ct=is_ct, anatomy=anatomy, table=table),
        anatomy=anatomy,
        table=table,
        count=len(measured),
        is_ct=is_ct,
        channel_names=tuple(channel_names or [f"channel {n + 1}" for n in range(image.num_channels if image else 0)]),
    )
    return [_describe_one(value, measurements, context) for value, measurements in measured.items()]


@dataclass(frozen=True)
class _Context:
    """What every region of one label map shares."""

    label_map: LabelMap
    image: ScalarVolume | None
    midline: Midline
    anatomy: LabelMap | None
    table: AnatomyTable | None
    count: int
    is_ct: bool
    channel_names: tuple[str, ...]


def _describe_one(value: int, measurements: RegionMeasurements, context: _Context) -> RegionDescription:
    """Describe region ``value`` from its measurements and where it lies."""
    box = measurements.bounding_box.slices
    mask = context.label_map.array[0][box] == value
    return RegionDescription(
        region_id=value,
        color=lesion_color(value),
        measurements=measurements,
        shape=choose_shape(measurements.shape),
        margin=choose_margin(measurements.shape, _most_visible_channel(measurements), is_ct=context.is_ct),
        appearance=tuple(choose_appearance(channel, is_ct=context.is_ct) for channel in measurements.intensity),
        location=locate_region(
            mask, context.label_map.crop(box), context.midline, anatomy=context.anatomy, table=context.table
        ),
        count=context.count,
        is_ct=context.is_ct,
        channel_names=context.channel_names,
    )


def _most_visible_channel(measurements: RegionMeasurements) -> LesionIntensity | None:
    """The channel where the region stands out most from its shell (largest contrast over pooled SD)."""
    best, best_effect = None, -1.0
    for channel in measurements.intensity:
        pooled = np.sqrt((channel.inside.std**2 + channel.shell.std**2) / 2.0)
        effect = abs(channel.contrast) / pooled if np.isfinite(channel.contrast) and pooled > 0 else 0.0
        if effect > best_effect:
            best, best_effect = channel, effect
    return best


def modality_of(image: ScalarVolume | None, modality: Modality | str | None = None) -> str:
    """``"CT"`` or ``"MR"``: as given, else detected from the image (DICOM tag, else intensities), else CT.

    Detection loads the preprocessing stack (MONAI and torch); a caller in 3D Slicer's process, which must not load
    them, passes the modality it already knows.

    Raises:
        ValueError: ``modality`` is neither CT nor MR.
    """
    if modality is not None:
        try:
            return Modality(str(getattr(modality, "value", modality)).upper()).value
        except ValueError:
            raise ValueError(f"Unknown modality {modality!r}: use 'CT' or 'MR'") from None
    if image is None:
        return Modality.CT.value
    from ..preprocessing.modality import detect_modality  # brings MONAI and torch: only when asked to detect

    return detect_modality(image).modality.value  # type: ignore[return-value]
