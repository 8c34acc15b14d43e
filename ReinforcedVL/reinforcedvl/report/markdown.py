"""``report.md``: the grounded report as Markdown, every sentence followed by its links."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..description.wording import format_fraction, format_ml, format_mm, word
from ..vocabulary import Language

if TYPE_CHECKING:
    from .document import GroundedReport, ReportSentence

__all__ = ["render_markdown"]

_HEADINGS = {
    "en": {
        "title": "ReinforcedVL report",
        "disclaimer": "Research use only; not a medical device. Every sentence names the segment it describes.",
        "image": "Image",
        "modality": "Modality",
        "anatomy": "Anatomy",
        "rewrite": "Report (rewritten by a language model; every number and side checked against the measurements)",
        "rewrite_refused": "Language-model rewrite not used",
        "findings": "Findings",
        "impression": "Impression",
        "probability": "probability",
        "not_assessed": "not assessed",
        "table": (
            "Lesion",
            "Colour",
            "Long axis (mm)",
            "Short axis (mm)",
            "Max 3D diameter (mm)",
            "Volume (mL)",
            "Confidence",
            "Slice",
        ),
    },
    "ja": {
        "title": "ReinforcedVL レポート",
        "disclaimer": "研究用途のみ。医療機器ではありません。各文は対応するセグメントを示します。",
        "image": "画像",
        "modality": "モダリティ",
        "anatomy": "解剖",
        "rewrite": "レポート（言語モデルによる書き換え。数値と左右はすべて計測値と照合済み）",
        "rewrite_refused": "言語モデルによる書き換えは使用していません",
        "findings": "所見",
        "impression": "印象",
        "probability": "確率",
        "not_assessed": "評価対象外",
        "table": ("病変", "色", "長径 (mm)", "短径 (mm)", "最大3D径 (mm)", "体積 (mL)", "信頼度", "スライス"),
    },
}


def render_markdown(report: GroundedReport) -> str:
    """The report as Markdown (headings in the report's language)."""
    words = _HEADINGS[report.language]
    lines = [f"# {words['title']}", "", f"_{words['disclaimer']}_", ""]
    lines.append(f"- {words['image']}: `{report.image_name}`")
    lines.append(f"- {words['modality']}: {report.modality}")
    if report.anatomy_source:
        lines.append(f"- {words['anatomy']}: {report.anatomy_source}")
    lines.append("")
    if report.polish is not None and report.polish.accepted and report.polish.text:
        lines += [f"## {words['rewrite']}", "", report.polish.text.strip(), ""]
    elif report.polish is not None:
        lines += [f"> {words['rewrite_refused']}: {report.polish.reason}", ""]
    lines += [f"## {words['findings']}", ""]
    for finding in report.findings:
        answer = (
            words["not_assessed"]
            if finding.present_probability is None
            else f"{words['probability']} {format_fraction(finding.present_probability)}"
        )
        lines += [f"### {finding.name} ({answer})", ""]
        lines += [_sentence_line(s) for s in report.section("findings") if s.prompt == finding.prompt]
        lines.append("")
        if finding.lesions:
            lines += _lesion_table(finding.lesions, words["table"], report.language) + [""]
    lines += [f"## {words['impression']}", ""]
    lines += [_sentence_line(sentence) for sentence in report.section("impression")]
    return "\n".join(lines) + "\n"


def _sentence_line(sentence: ReportSentence) -> str:
    """A list item: the sentence, then its links in small print."""
    if sentence.segment_id is None and not sentence.measurement_keys:
        return f"- {sentence.text}"
    if sentence.segment_id is None:
        links = f"quotes {', '.join(sentence.measurement_keys)}"
    else:
        centre = ", ".join(f"{x:.1f}" for x in sentence.centroid_ras or ())
        links = (
            f"segment `{sentence.segment_id}` · slice {sentence.slice_index} (axis {sentence.slice_axis}) · "
            f"RAS ({centre}) mm · quotes {', '.join(sentence.measurement_keys)}"
        )
    return f"- {sentence.text} <sub>[{links}]</sub>"


def _lesion_table(lesions: tuple[dict, ...], header: tuple[str, ...], language: Language) -> list[str]:
    """The lesions' main measurements as a Markdown table."""
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for lesion in lesions:
        cells = [
            str(lesion["id"]),
            word(lesion["color_name"], language),
            format_mm(lesion["long_axis_mm"]),
            format_mm(lesion["short_axis_mm"]),
            format_mm(lesion["maximum_diameter_mm"]),
            format_ml(lesion["volume_ml"]),
            format_fraction(lesion["confidence"]),
            str(lesion["axial_slice_index"]),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows
