"""The report's sentences in English and Japanese, built from one lesion's description and measurements.

Both languages quote the same numbers, formatted by :mod:`reinforcedvl.description.wording`, so a Japanese and an
English report of one study differ in words only.
"""

from __future__ import annotations

from ..description import RegionDescription
from ..description.wording import format_fraction, format_mm, join_phrases, location_phrase, word
from ..vocabulary import Language

__all__ = [
    "lesion_sentence",
    "negative_sentence",
    "not_outlined_sentence",
    "not_assessed_sentence",
    "impression_sentence",
    "marked_point_phrase",
    "LESION_SENTENCE_KEYS",
]

LESION_SENTENCE_KEYS = (
    "id",
    "color_name",
    "long_axis_mm",
    "short_axis_mm",
    "volume_ml",
    "description.shape",
    "description.margin",
    "description.appearance",
    "description.location",
    "confidence",
)
"""The lesion entry's keys a lesion sentence quotes (appearance numbers add ``intensity.<channel>...`` keys)."""


def marked_point_phrase(numbers: tuple[int, ...], point_count: int, language: Language) -> str:
    """Which marked (positive) points chose a lesion: ``"at the marked point"`` when one point was given, else
    ``"at marked point 2"`` / ``"at marked points 1 and 3"`` (numbers among the positive points, in order)."""
    if language == "ja":
        if point_count == 1:
            return "指定した点の位置"
        return "指定点" + "・".join(str(n) for n in numbers) + "の位置"
    if point_count == 1:
        return "at the marked point"
    if len(numbers) == 1:
        return f"at marked point {numbers[0]}"
    return "at marked points " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


def lesion_sentence(
    description: RegionDescription, finding: str, confidence: float, language: Language, *, at_point: str = ""
) -> str:
    """``"Lesion 1 (yellow): solid lung nodule, 12.3 x 8.1 mm, 0.52 mL, round, well-defined, hyperdense (mean 35
    HU vs -820 HU around it), on the right; confidence 0.87."``; with ``at_point`` (:func:`marked_point_phrase`)
    ``"Lesion 1 (yellow), at the marked point: solid lung nodule, ..."``."""
    appearance = description.appearance_phrase(language, with_numbers=True)
    words = [word(description.shape.word, language), word(description.margin.word, language), appearance]
    body = join_phrases(
        [finding, description.size_phrase(language), *words, location_phrase(description.location, language)],
        language,
    )
    border = description.measurements.touches_border
    label = description.label(language)
    if at_point:
        label += f"、{at_point}" if language == "ja" else f", {at_point}"
    if language == "ja":
        text = f"{label}：{body}。信頼度 {format_fraction(confidence)}。"
        return text + ("画像の端に接しており、実際はより大きい可能性があります。" if border else "")
    text = f"{label}: {body}; confidence {format_fraction(confidence)}."
    return text + (" It reaches the edge of the image, so it may be larger than measured." if border else "")


def negative_sentence(finding: str, probability: float, language: Language) -> str:
    """``"No solid lung nodule identified; probability 0.03."``"""
    if language == "ja":
        return f"{finding}は認めません（確率 {format_fraction(probability)}）。"
    return f"No {finding} identified; probability {format_fraction(probability)}."


def not_outlined_sentence(finding: str, probability: float, language: Language) -> str:
    """``"Solid lung nodule: judged present (probability 0.97), but no region large and confident enough to
    outline as a lesion; nothing is drawn."``"""
    if language == "ja":
        return (
            f"{finding}：存在すると判定されました（確率 {format_fraction(probability)}）が、病変として輪郭を描ける"
            "大きさと確かさの領域はなく、描出していません。"
        )
    return (
        f"{finding[:1].upper()}{finding[1:]}: judged present (probability {format_fraction(probability)}), but no "
        "region large and confident enough to outline as a lesion; nothing is drawn."
    )


def not_assessed_sentence(finding: str, reason: str, language: Language) -> str:
    """``"Enhancing tumour: not assessed (this model was trained to find ... only; this study shows the abdomen ...);
    nothing is drawn."`` The Japanese sentence says the same in general words (the reason itself is English)."""
    if language == "ja":
        return (
            f"{finding}は評価していません。このモデルはこの種類の所見をこの撮像法・部位で学習していないため、"
            "何も描出していません。"
        )
    detail = reason.removeprefix("not assessed: ")
    return f"{finding[:1].upper()}{finding[1:]}: not assessed ({detail}); nothing is drawn."


def impression_sentence(
    finding: str, probability: float, count: int, largest: RegionDescription, language: Language
) -> str:
    """``"Solid lung nodule: 2 lesions (probability 0.95); the largest, lesion 1 (yellow), 12.3 x 8.1 mm, on the
    right."`` (one lesion: ``"...: 1 lesion (probability 0.95), lesion 1 (yellow), ..."``)."""
    m = largest.measurements
    size = f"{format_mm(m.long_axis_mm)} {'×' if language == 'ja' else 'x'} {format_mm(m.short_axis_mm)} mm"
    where = location_phrase(largest.location, language)
    label = largest.label(language)
    if language == "ja":
        return f"{finding}：{count}個（確率 {format_fraction(probability)}）。最大は{label}、{size}、{where}。"
    head = f"{finding[:1].upper()}{finding[1:]}: {count} {'lesion' if count == 1 else 'lesions'}"
    head += f" (probability {format_fraction(probability)})"
    lesion = f"{label[0].lower()}{label[1:]}, {size}, {where}."
    return f"{head}, {lesion}" if count == 1 else f"{head}; the largest, {lesion}"
