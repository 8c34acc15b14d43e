"""The grounded report as data: findings, sentences and the links from each sentence to its pixels.

A :class:`GroundedReport` is what :func:`reinforcedvl.report.build_report` returns; ``to_dict`` gives ``report.json``
and ``to_markdown`` gives ``report.md`` (both documented in ``docs/report.md``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from ..vocabulary import Language
from .markdown import render_markdown

__all__ = ["REPORT_SCHEMA", "Section", "ReportSentence", "FindingSummary", "PolishOutcome", "GroundedReport"]

REPORT_SCHEMA = "reinforcedvl-report/1"

Section = Literal["findings", "impression"]


@dataclass(frozen=True)
class ReportSentence:
    """One sentence and where it points.

    Attributes:
        text: the sentence.
        section: ``"findings"`` or ``"impression"``.
        prompt: the finding description it answers.
        lesion_id: the lesion it describes (None for a negative finding).
        segment_id: that lesion's segment in the finding's segmentation (``lesion_<n>``), None without a lesion.
        measurement_keys: the keys of the lesion's ``report.json`` entry (or of the finding's, for
            ``present_probability`` and ``lesion_count``) whose values the sentence quotes; dotted for nested values.
        slice_index: the voxel index of the slice to show (along ``slice_axis``), None without a lesion.
        slice_axis: the voxel axis (0, 1 or 2) across which that slice is axial.
        centroid_ras: the lesion's centre in RAS mm, for jumping the slice views there.
    """

    text: str
    section: Section
    prompt: str
    lesion_id: int | None = None
    segment_id: str | None = None
    measurement_keys: tuple[str, ...] = ()
    slice_index: int | None = None
    slice_axis: int | None = None
    centroid_ras: tuple[float, float, float] | None = None

    def links(self) -> dict[str, Any]:
        """The sentence's links as written in ``report.json``."""
        return {
            "prompt": self.prompt,
            "segment_id": self.segment_id,
            "lesion_id": self.lesion_id,
            "measurement_keys": list(self.measurement_keys),
            "slice_index": self.slice_index,
            "slice_axis": self.slice_axis,
            "centroid_ras": None if self.centroid_ras is None else [round(x, 2) for x in self.centroid_ras],
        }


@dataclass(frozen=True)
class FindingSummary:
    """One prompt's answer in the report: its name, presence and the lesions' ``report.json`` entries."""

    prompt: str
    name: str
    present: bool
    present_probability: float | None
    lesions: tuple[dict[str, Any], ...]
    segmentation_file: str | None = None
    status: str = ""
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt,
            "name": self.name,
            "present": self.present,
            "status": self.status or ("present" if self.present else "absent"),
            "reason": self.reason,
            "present_probability": None if self.present_probability is None else round(self.present_probability, 4),
            "lesion_count": len(self.lesions),
            "segmentation": self.segmentation_file,
            "lesions": list(self.lesions),
        }


@dataclass(frozen=True)
class PolishOutcome:
    """What became of a language-model rewrite: ``accepted`` only when every number and side matched.

    ``text`` is the rewrite (kept for inspection even when rejected); ``reason`` says why it was kept or refused;
    ``source`` names the endpoint URL or model folder.
    """

    accepted: bool
    reason: str
    source: str
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "reason": self.reason, "source": self.source, "text": self.text}


@dataclass(frozen=True)
class GroundedReport:
    """A report whose every sentence points at a segment, its measurements and the slice to show.

    Example:
        >>> report = build_report(volume, [finding], language="en")  # doctest: +SKIP
        >>> report.sentences[0].text  # doctest: +SKIP
        'Lesion 1 (yellow): solid lung nodule, 12.3 x 8.1 mm, 0.52 mL, round, ...; confidence 0.87.'
        >>> report.sentences[0].segment_id, report.sentences[0].slice_index  # doctest: +SKIP
        ('lesion_1', 23)
    """

    language: Language
    image_name: str
    modality: str
    findings: tuple[FindingSummary, ...]
    sentences: tuple[ReportSentence, ...]
    anatomy_source: str | None = None
    polish: PolishOutcome | None = None

    def section(self, section: Section) -> tuple[ReportSentence, ...]:
        """The sentences of one section, in order."""
        return tuple(sentence for sentence in self.sentences if sentence.section == section)

    def template_text(self) -> str:
        """The template wording alone (Findings, then Impression), one sentence per line: what a rewrite starts
        from and is checked against."""
        return "\n".join(sentence.text for sentence in self.sentences)

    def with_polish(self, outcome: PolishOutcome) -> GroundedReport:
        """The same report with the outcome of a rewrite attached."""
        return dataclasses.replace(self, polish=outcome)

    def to_dict(self) -> dict[str, Any]:
        """``report.json``."""
        return {
            "schema": REPORT_SCHEMA,
            "language": self.language,
            "image": self.image_name,
            "modality": self.modality,
            "anatomy": self.anatomy_source,
            "findings": [finding.to_dict() for finding in self.findings],
            "sentences": [
                {"section": sentence.section, "text": sentence.text, "links": sentence.links()}
                for sentence in self.sentences
            ],
            "polish": None if self.polish is None else self.polish.to_dict(),
        }

    def to_markdown(self) -> str:
        """``report.md``: the rewrite when one was accepted, the findings with their links, the lesion table and
        the impression."""
        return render_markdown(self)
