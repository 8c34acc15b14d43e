"""A plain report for one finding, built from the predictor's result alone.

Each lesion sentence names its segment (colour and number), its size and its confidence, and carries the segment id
it is about, so a viewer can link the sentence to the segment. This is the stand-in used while the grounded-report
package (``reinforcedvl.report``) is not installed; the worker prefers that one when it is.
"""

from __future__ import annotations

from typing import Any

from ..lesions import Lesion
from ..predictor import FindingResult
from .protocol import lesion_segment_id

__all__ = ["summarize_finding"]


def summarize_finding(result: FindingResult, *, threshold: float, model: str) -> tuple[str, dict[str, Any]]:
    """The report of ``result`` as Markdown and as a dictionary (``sentences`` each name their ``segment_id``).

    Args:
        result: the predictor's answer.
        threshold: the mask threshold used.
        model: the model's id and version, in words.
    """
    sentences = [_lesion_sentence(lesion) for lesion in result.lesions]
    if result.present:
        count = len(result.lesions)
        verdict = (
            f"**Present** (probability {result.present_probability:.2f}): {count} lesion{'s' if count > 1 else ''}."
        )
    else:
        verdict = (
            f"**Not present** (probability {result.present_probability:.2f}; no region above the mask threshold "
            f"{threshold:.2f})."
        )
    lines = [f"## {result.prompt[:1].upper()}{result.prompt[1:]}", "", verdict, ""]
    lines += [f"- {sentence['text']}" for sentence in sentences]
    lines += ["", f"_{model}. Research use only; not a medical device._"]
    document = {
        "prompt": result.prompt,
        "present": result.present,
        "present_probability": round(result.present_probability, 4),
        "threshold": threshold,
        "verdict": verdict.replace("**", ""),
        "sentences": sentences,
    }
    return "\n".join(lines) + "\n", document


def _lesion_sentence(lesion: Lesion) -> dict[str, Any]:
    r, a, s = lesion.centroid_ras
    text = (
        f"**Lesion {lesion.lesion_id} ({lesion.color.name})**: "
        f"{lesion.long_axis_mm:.1f} x {lesion.short_axis_mm:.1f} mm (long x short axis), {lesion.volume_ml:.2f} mL, "
        f"centred at R {r:.1f}, A {a:.1f}, S {s:.1f} mm; "
        f"confidence {lesion.confidence:.2f}."
    )
    return {"lesion_id": lesion.lesion_id, "segment_id": lesion_segment_id(lesion.lesion_id), "text": text}
