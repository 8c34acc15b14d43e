"""Words and numbers in English and Japanese: one vocabulary, one number format, so both languages quote the
same numbers character for character."""

from __future__ import annotations

from ..lesions.palette import LesionColor
from ..vocabulary import LANGUAGES, Language
from .location import Location

__all__ = [
    "Language",
    "LANGUAGES",
    "word",
    "color_name",
    "format_mm",
    "format_ml",
    "format_fraction",
    "format_intensity",
    "location_phrase",
    "join_phrases",
]

_JAPANESE = {
    "round": "円形",
    "ovoid": "楕円形",
    "lobulated": "分葉状",
    "irregular": "不整形",
    "well-defined": "境界明瞭",
    "ill-defined": "境界不明瞭",
    "spiculated": "スピキュラあり",
    "hyperdense": "高吸収",
    "isodense": "等吸収",
    "hypodense": "低吸収",
    "hyperintense": "高信号",
    "isointense": "等信号",
    "hypointense": "低信号",
    "right": "右",
    "left": "左",
    "midline": "正中",
    "bilateral": "両側",
    "upper": "上部",
    "middle": "中部",
    "lower": "下部",
    "anterior": "前方",
    "central": "中央",
    "posterior": "後方",
    "yellow": "黄",
    "cyan": "シアン",
    "magenta": "マゼンタ",
    "orange": "オレンジ",
    "green": "緑",
    "blue": "青",
    "red": "赤",
    "purple": "紫",
    "pink": "ピンク",
    "brown": "茶",
}
_SIDE_EN = {"right": "on the right", "left": "on the left", "midline": "at the midline", "bilateral": "on both sides"}


def word(english: str, language: Language) -> str:
    """A description word (``"lobulated"``, ``"right"``, a palette colour...) in ``language``."""
    return _JAPANESE.get(english, english) if language == "ja" else english


def color_name(color: LesionColor, language: Language) -> str:
    """The palette colour's name in ``language``."""
    return word(color.name, language)


def format_mm(value: float) -> str:
    """Lengths to a tenth of a millimetre, from the value as ``report.json`` stores it (two decimals), so text and
    JSON never disagree in the last digit."""
    return f"{round(value, 2):.1f}"


def format_ml(value: float) -> str:
    """Volumes in mL with three significant digits (at least two decimals), from the stored four decimals."""
    value = round(value, 4)
    return f"{value:.2f}" if value >= 1 else f"{value:.3g}" if value >= 0.001 else f"{value:.4f}"


def format_fraction(value: float) -> str:
    """Probabilities and confidences to two decimals."""
    return f"{value:.2f}"


def format_intensity(value: float, *, is_ct: bool) -> str:
    """Hounsfield units to the unit; other intensities to two decimals."""
    return f"{value:.0f}" if is_ct else f"{value:.2f}"


def location_phrase(location: Location, language: Language) -> str:
    """Where the region lies: organ when known, side, and part of the body in view.

    English: ``"in the left kidney"``, ``"in the liver, on the right"``, ``"on the right, upper anterior part of
    the body in view"``. Japanese: ``"左腎"``, ``"肝臓（右）"``, ``"右、撮像範囲の上部前方"``.
    """
    organ = location.organ.organ if location.organ is not None else None
    side = location.laterality
    part = [p for p in (location.vertical, location.depth) if p is not None]
    if language == "ja":
        if organ is not None:
            text = organ.ja if location.organ.outside_share <= 0.5 else f"{organ.ja}の近傍"  # type: ignore[union-attr]
            return text if organ.side is not None else f"{text}（{word(side, 'ja')}）"
        text = f"{word(side, 'ja')}側" if side in ("right", "left") else word(side, "ja")
        return text + (f"、撮像範囲の{''.join(word(p, 'ja') for p in part)}" if part else "")
    if organ is not None:
        text = f"in the {organ.en}" if location.organ.outside_share <= 0.5 else f"next to the {organ.en}"  # type: ignore[union-attr]
        return text if organ.side is not None else f"{text}, {_SIDE_EN[side]}"
    return _SIDE_EN[side] + (f", {' '.join(part)} part of the body in view" if part else "")


def join_phrases(phrases: list[str], language: Language) -> str:
    """Phrases joined with the language's list separator."""
    return ("、" if language == "ja" else ", ").join(p for p in phrases if p)
